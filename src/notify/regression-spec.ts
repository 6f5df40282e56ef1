import { writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fixHunks, type FixHunk } from '../attribution/diff.js';
import { runGit } from '../attribution/blame.js';
import { isTestPath } from '../attribution/filters.js';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { causeEvidence, fixOf, type CauseEvidence } from '../attribution/cause-evidence.js';
import { getCommit } from '../store/commits.js';
import { getIncident, listIncidentFiles } from '../store/incidents.js';
import { causeLinks } from '../store/notifications.js';
import { confinedPath, isDirectory, isFile, realPathInRepo, workTreeRoot } from '../decisions/safe-path.js';

// A regression-test specification from an incident with a confirmed cause and a fix, built from stored evidence
// and git alone (no model): what to reproduce, which frames and functions, what must hold, which lines to cover.

export interface RegressionSpec {
  incident: string;
  /** repository-relative */
  path: string;
  content: string;
  written: boolean;
  /** how the folder was chosen */
  layout: string;
}

const TEST_ROOTS = ['test', 'tests', '__tests__', 'spec'];

export async function proposeRegressionSpec(
  ctx: AppContext,
  ref: string,
  o: { dryRun?: boolean } = {},
): Promise<RegressionSpec> {
  const incident = getIncident(ctx.store, ref);
  if (!incident) throw new UserInputError(`no incident '${ref}'; pass an external id such as INC-101`, 'incident');
  const fix = fixOf(ctx, incident);
  if (!fix) {
    throw new UserInputError(
      `${incident.externalId} has no ingested fix; record its fix_sha (re-import the incident with fix_sha) and run ` +
        `'hindsight ingest git', then try again`,
      'incident',
    );
  }
  const causes = causeLinks(ctx.store, { incidentId: incident.id })
    .filter((l) => l.status === 'confirmed')
    .map((l) => causeEvidence(ctx, incident, l));
  if (causes.length === 0) {
    throw new UserInputError(
      `${incident.externalId} has no confirmed cause yet; run 'hindsight attribute' (its fix is blamed then)`,
      'incident',
    );
  }
  const root = workTreeRoot(ctx.config.repoPath);
  const parent = getCommit(ctx.store, fix.sha)?.parents.split(' ')[0];
  const hunks = parent ? await fixHunks(root, parent, fix.sha, { ignoreWhitespace: true }) : [];
  const frames = await framesWithCode(ctx, root, incident.id, parent);
  const place = placeFor(root, incident.externalId, hunks);
  const content = render(incident.externalId, causes, fix, hunks, frames, place.suggestedTest);
  const target = confinedPath(root, place.folder, posix.join(place.folder, place.file), 'incident');
  if (realPathInRepo(root, target.rel) !== undefined || isFile(target.abs)) {
    throw new UserInputError(
      `${target.rel} already exists; hindsight never overwrites — delete it to regenerate`,
      'incident',
    );
  }
  if (!o.dryRun) {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(posix.dirname(target.abs), { recursive: true });
    writeFileSync(target.abs, content, { flag: 'wx' }); // wx: a file that appeared meanwhile is not overwritten
  }
  return { incident: incident.externalId, path: target.rel, content, written: !o.dryRun, layout: place.layout };
}

interface FrameCode {
  path: string;
  line: number | null;
  code: string | null;
}

/** The incident's stack frames, each with its line as it was just before the fix. */
async function framesWithCode(
  ctx: AppContext,
  root: string,
  incidentId: number,
  parent: string | undefined,
): Promise<FrameCode[]> {
  const frames = listIncidentFiles(ctx.store, incidentId)
    .filter((f) => f.kind === 'frame')
    .slice(0, 8);
  const out: FrameCode[] = [];
  for (const f of frames) {
    let code: string | null = null;
    if (parent && f.line !== null) {
      try {
        code = (await runGit(root, ['show', `${parent}:${f.path}`])).split('\n')[f.line - 1]?.trim() ?? null;
      } catch {
        code = null; // the frame names a file that is not in the repository at that commit
      }
    }
    out.push({ path: f.path, line: f.line, code });
  }
  return out;
}

/**
 * Where the spec goes, in the repository's own test layout: `<test root>/regressions/` when the repository has a
 * test/, tests/, __tests__ or spec/ folder; beside the changed file when tests live beside the code (Go's
 * `*_test.go`, `*.test.ts` next to the source); else test/regressions/.
 */
function placeFor(
  root: string,
  id: string,
  hunks: FixHunk[],
): { folder: string; file: string; layout: string; suggestedTest: string | null } {
  const file = `${id.replace(/[^\w.-]+/g, '-')}.md`;
  const code = [...new Set(hunks.map((h) => h.newPath))].filter((p) => !isTestPath(p));
  const testRoot = TEST_ROOTS.find((d) => isDirectory(posix.join(root, d)));
  const first = code[0];
  if (testRoot) {
    const suggested = first ? mirrorTest(root, testRoot, first) : null;
    return { folder: `${testRoot}/regressions`, file, layout: `the ${testRoot}/ folder`, suggestedTest: suggested };
  }
  if (first) {
    const dir = posix.dirname(first);
    const beside = besideTest(root, first);
    if (beside)
      return {
        folder: dir,
        file: file.replace(/\.md$/, '.regression.md'),
        layout: `tests beside the code (${beside})`,
        suggestedTest: beside,
      };
  }
  return { folder: 'test/regressions', file, layout: 'no test folder found: test/', suggestedTest: null };
}

/** `src/payments/gateway.ts` → `test/payments/gateway.test.ts` when that file exists (or its .spec twin). */
function mirrorTest(root: string, testRoot: string, path: string): string | null {
  const ext = posix.extname(path);
  const stem = path.slice(0, -ext.length || undefined).replace(/^(src|lib|app)\//, '');
  for (const kind of ['test', 'spec']) {
    const candidate = `${testRoot}/${stem}.${kind}${ext}`;
    if (isFile(posix.join(root, candidate))) return candidate;
  }
  return `${testRoot}/${stem}.test${ext}`;
}

/** An existing test file beside `path`: `x_test.go`, `x.test.ts`, `x.spec.ts`, `test_x.py`. */
function besideTest(root: string, path: string): string | null {
  const dir = posix.dirname(path);
  const ext = posix.extname(path);
  const stem = posix.basename(path, ext);
  for (const name of [`${stem}_test${ext}`, `${stem}.test${ext}`, `${stem}.spec${ext}`, `test_${stem}${ext}`]) {
    const candidate = posix.join(dir, name);
    if (isFile(posix.join(root, candidate))) return candidate;
  }
  return null;
}

/** The first prose paragraph of a summary (a post-mortem's body starts with headings), at most 400 characters. */
function firstParagraph(text: string): string {
  const paragraph: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && paragraph.length === 0)) continue;
    if (line === '') break;
    paragraph.push(line);
  }
  const joined = paragraph.join(' ');
  return joined.length > 400 ? `${joined.slice(0, 399)}…` : joined;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
const short = (sha: string) => sha.slice(0, 10);

function render(
  id: string,
  causes: CauseEvidence[],
  fix: { sha: string; subject: string },
  hunks: FixHunk[],
  frames: FrameCode[],
  suggestedTest: string | null,
): string {
  const inc = causes[0]!.incident;
  const code = hunks.filter((h) => !isTestPath(h.newPath));
  // git's hunk context is the nearest line that starts like a definition; only those with a call shape name functions.
  const fn = (h: FixHunk) => (h.context.includes('(') ? h.context.trim() : '');
  const functions = [...new Set(code.map(fn).filter(Boolean))];
  const lines = [
    `# Regression test: ${id} — ${inc.title}`,
    '',
    `<!-- hindsight:regression-spec incident=${id} -->`,
    'Proposed by hindsight from the stored evidence and git (no model wrote it). Write the test it describes; ' +
      'keep or delete this file beside it.',
    '',
    '## The failure',
    '',
    `- Incident: ${id}${inc.severity ? ` (${inc.severity})` : ''}, ${inc.env}${inc.service ? `/${inc.service}` : ''}` +
      `${inc.module ? `, module ${inc.module}` : ''}; started ${day(inc.startedAt)}` +
      `${inc.resolvedAt !== null ? `, resolved ${day(inc.resolvedAt)}` : ''}`,
  ];
  const what = inc.summary ? firstParagraph(inc.summary) : '';
  if (what) lines.push(`- What happened: ${what}`);
  lines.push('', '## Input and state to reproduce', '');
  lines.push(
    `- Recreate the conditions the incident describes (above) against the code as it was at the cause ` +
      `\`${short(causes[0]!.sha)}\`: the test must fail there.`,
  );
  if (frames.length > 0) {
    lines.push('- Drive the code path of the stack trace:');
    for (const f of frames) {
      lines.push(`  - \`${f.path}${f.line !== null ? `:${f.line}` : ''}\`${f.code ? ` — \`${f.code}\`` : ''}`);
    }
  }
  if (functions.length > 0) {
    lines.push(`- Functions the fix changed (call them in the test): ${functions.map((f) => `\`${f}\``).join(', ')}`);
  }
  lines.push('', '## Expected behaviour', '');
  lines.push(
    `- As the fix \`${short(fix.sha)}\` "${fix.subject}" makes it: the failure "${inc.title}" does not happen.`,
  );
  lines.push(`- The test passes at \`${short(fix.sha)}\` and fails at \`${short(causes[0]!.sha)}\`.`);
  lines.push('', "## The fix's changed lines the test must cover", '');
  if (code.length === 0) lines.push('- (the fix changed no source lines outside tests)');
  for (const h of code) {
    const span = h.added.length > 1 ? `${h.newStart}-${h.newStart + h.added.length - 1}` : `${h.newStart}`;
    lines.push(`- \`${h.newPath}\` line${h.added.length > 1 ? 's' : ''} ${span}${fn(h) ? ` (in \`${fn(h)}\`)` : ''}:`);
    lines.push(
      '  ```diff',
      ...h.removed.slice(0, 6).map((l) => `  -${l}`),
      ...h.added.slice(0, 6).map((l) => `  +${l}`),
      '  ```',
    );
  }
  const fixTests = [...new Set(hunks.map((h) => h.newPath))].filter(isTestPath);
  if (fixTests.length > 0)
    lines.push(`- The fix already touched ${fixTests.join(', ')}: extend it rather than start anew.`);
  lines.push('', '## The cause', '');
  for (const c of causes) {
    lines.push(
      `- \`${short(c.sha)}\` ${c.subject} — ${c.author}${c.agent ? ` (agent: ${c.agent})` : ''}; ` +
        `confirmed (${c.method}), score ${c.score.toFixed(2)}`,
    );
    for (const b of c.blamed.slice(0, 5)) lines.push(`  - blamed: \`${b}\``);
  }
  lines.push('', '## Where the test goes', '');
  lines.push(
    suggestedTest ? `- ${suggestedTest}` : "- beside the code the fix changed, in the repository's test style",
  );
  return `${lines.join('\n')}\n`;
}
