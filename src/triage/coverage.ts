import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseFrontMatter } from '../front-matter.js';
import type { AppContext } from '../context.js';
import { readDecisionRecords } from '../decisions/records.js';
import { fixInfo, getCluster } from '../store/clusters.js';
import { COVERS_THRESHOLD, coverageScore, documentIdf, type CoverageScore } from './coverage-score.js';

/** A structural fix that already answers an entry, so the agent can read it before a human must answer. */
export interface Coverage {
  kind: 'fix' | 'adr' | 'rule' | 'skill';
  /** ADR-0002, fix #3, skill e2e-retries, rule "Database migrations" */
  ref: string;
  title: string;
  /** repository-relative */
  path: string;
  status: string | null;
  /** the entry's words the fix's title/heading and text share with it */
  matched: string[];
  /** one sentence for the answer: "ADR-0002 'Idempotency keys for payment retries' covers this (shared: …): read …" */
  text: string;
}

/** A document that may cover an entry: its title (name, heading) and its text. */
interface Doc {
  kind: 'adr' | 'rule' | 'skill';
  ref: string;
  title: string;
  path: string;
  status: string | null;
  body: string;
}

const SETTLED = new Set(['rejected', 'superseded', 'deprecated']);
const RULE_FILES = ['AGENTS.md', 'CLAUDE.md', '.github/copilot-instructions.md'];
const SKILLS_DIR = '.claude/skills';
/** The shared words named in the answer's sentence (all of them are in `matched`). */
const MATCHED_SHOWN = 4;

/**
 * Existing fixes that cover an entry, best first: the fix linked to its cluster, then decision records, rules
 * (AGENTS.md/CLAUDE.md sections) and skills (`.claude/skills/<name>/SKILL.md`) whose coverage score
 * (coverage-score.ts: rare shared words, and the entry's paths or module named) reaches the measured threshold.
 * Superseded, deprecated and rejected records do not count.
 */
export function findCoverage(
  ctx: AppContext,
  entry: {
    summary: string;
    detail: string | null;
    paths: readonly string[];
    module: string;
    clusterId: number | null;
    /** the fix covering the entry's cluster, when the caller has just read it (else read here) */
    clusterFixId?: number | null;
  },
  limit = 3,
): Coverage[] {
  const out: Coverage[] = [];
  const fixId =
    entry.clusterFixId !== undefined
      ? entry.clusterFixId
      : entry.clusterId !== null
        ? getCluster(ctx.store, entry.clusterId)?.fixId
        : undefined;
  const fix = fixId != null ? fixInfo(ctx.store, fixId) : undefined;
  if (fix && fix.status !== 'rejected') {
    out.push({
      kind: 'fix',
      ref: `fix #${fix.id}`,
      title: fix.title,
      path: fix.path,
      status: fix.status,
      matched: [],
      text: `${fix.type === 'adr' ? 'ADR' : fix.type} fix #${fix.id} '${fix.title}' (${fix.status}) covers this cluster: read ${fix.path}`,
    });
  }
  const docs = candidateDocs(ctx).filter((d) => !(d.status && SETTLED.has(d.status)));
  const idf = documentIdf(docs);
  const ranked: { doc: Doc; why: CoverageScore }[] = [];
  for (const doc of docs) {
    const why = coverageScore(entry, doc, idf);
    if (why.score >= COVERS_THRESHOLD) ranked.push({ doc, why });
  }
  ranked.sort(
    (a, b) => b.why.score - a.why.score || a.doc.path.localeCompare(b.doc.path) || a.doc.ref.localeCompare(b.doc.ref),
  );
  for (const { doc, why } of ranked) {
    if (out.some((c) => c.path === doc.path && c.kind !== 'rule')) continue;
    const shared = [...why.terms.slice(0, MATCHED_SHOWN), ...why.scope.slice(0, 1)].join(', ');
    out.push({
      kind: doc.kind,
      ref: doc.ref,
      title: doc.title,
      path: doc.path,
      status: doc.status,
      matched: why.terms,
      text: `${describe(doc)} covers this (shared: ${shared}): read ${doc.path}`,
    });
  }
  return out.slice(0, limit);
}

function describe(doc: Doc): string {
  if (doc.kind === 'adr') return `${doc.ref} '${doc.title}'`;
  if (doc.kind === 'rule') return `rule '${doc.title}' in ${doc.path}`;
  return `skill '${doc.title}'`;
}

function candidateDocs(ctx: AppContext): Doc[] {
  const repo = ctx.config.repoPath;
  const docs: Doc[] = readDecisionRecords(repo, ctx.config.decisionDirs).records.map((r) => ({
    kind: 'adr',
    ref: r.number !== null ? `ADR-${String(r.number).padStart(4, '0')}` : 'ADR',
    title: r.title,
    path: r.path,
    status: r.status,
    body: r.text,
  }));
  for (const rel of RULE_FILES) docs.push(...ruleSections(repo, rel));
  docs.push(...skills(repo));
  return docs;
}

/** Each heading of a rule file with the text under it (up to the next heading of the same or a higher level). */
function ruleSections(repo: string, rel: string): Doc[] {
  const text = readText(join(repo, rel));
  if (text === undefined) return [];
  const lines = text.split(/\r?\n/);
  const heads = lines
    .map((l, i) => ({ i, m: /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(l) }))
    .filter((h): h is { i: number; m: RegExpExecArray } => h.m !== null);
  return heads.map((h, k) => {
    const level = h.m[1]!.length;
    const end = heads.slice(k + 1).find((n) => n.m[1]!.length <= level)?.i ?? lines.length;
    return {
      kind: 'rule' as const,
      ref: `rule '${h.m[2]!}'`,
      title: h.m[2]!,
      path: rel,
      status: null,
      body: lines.slice(h.i + 1, end).join('\n'),
    };
  });
}

/** Agent Skills: `.claude/skills/<name>/SKILL.md`, matched by front matter `name` and `description`. */
function skills(repo: string): Doc[] {
  const root = join(repo, SKILLS_DIR);
  if (!existsSync(root)) return [];
  const docs: Doc[] = [];
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    const rel = `${SKILLS_DIR}/${dir.name}/SKILL.md`;
    const text = readText(join(repo, rel));
    if (text === undefined) continue;
    let data: Record<string, unknown> = {};
    try {
      data = parseFrontMatter(text).data as Record<string, unknown>;
    } catch {
      continue; // unreadable front matter: not a skill an agent would load either
    }
    const name = typeof data['name'] === 'string' ? data['name'] : dir.name;
    const description = typeof data['description'] === 'string' ? data['description'] : '';
    docs.push({
      kind: 'skill',
      ref: `skill ${name}`,
      title: name,
      path: rel,
      status: null,
      body: description,
    });
  }
  return docs.sort((a, b) => a.path.localeCompare(b.path));
}

// Every log_interrupt reads the rule files: keep each one's text until its mtime or size changes, and ask for
// absent files without an exception (ENOENT cost more than the rest of the lookup).
const texts = new Map<string, { mtimeMs: number; size: number; text: string }>();

function readText(abs: string): string | undefined {
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st?.isFile()) return undefined; // absent (or a bare repository): nothing to match
  const hit = texts.get(abs);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.text;
  try {
    const text = readFileSync(abs, 'utf8');
    texts.set(abs, { mtimeMs: st.mtimeMs, size: st.size, text });
    return text;
  } catch {
    return undefined; // removed between the two calls
  }
}
