import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIdentity } from '../src/attribution/identity.js';
import { containsRule } from '../src/decisions/rules.js';
import { closedIssues, issueToIncidentRow, type Issue } from '../src/github/map.js';
import { parseFrame, parseFrames } from '../src/ingest/frames.js';
import { checkIncidentRow } from '../src/ingest/incident-row.js';
import { importIncidents } from '../src/ingest/incidents.js';
import { redactSecrets } from '../src/redact.js';
import { suggestCategory } from '../src/triage/categorize.js';
import { importInterrupts } from '../src/triage/import.js';
import { logInterrupt } from '../src/triage/interrupts.js';
import { termBag } from '../src/triage/terms.js';
import { testContext } from './helpers/context.js';
import { gitdir, tempDir } from './helpers/gitdir.js';

// Guards against pathological backtracking (ReDoS), not a benchmark: each case took seconds to minutes before
// (`token.` × 3333 in the old redaction: minutes), and takes a few milliseconds now. The bound is generous, and
// the best of two runs counts, so a busy machine does not fail it.
const BOUND_MS = 200;
/** The largest text a tool accepts (log_interrupt detail, resolve_interrupt response). */
const N = 20_000;

function fastest(run: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 2 && best > BOUND_MS; i++) {
    const t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

const fill = (unit: string, n = N) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
const after = (head: string, unit: string) => head + fill(unit, N - head.length);

// Every regex and scanner loop of src/redact.ts, fed what makes a backtracking engine or a rescanning loop slow:
// long runs of name characters near secret words, separators without values, unclosed quotes, prefixes repeated
// without a valid body, bodies far longer than their bound.
const REDACTION_INPUTS: Record<string, string> = {
  'token. × 3333 (issue 13)': 'token.'.repeat(3333),
  'secret words back to back': fill('token'),
  'pwd back to back': fill('pwd'),
  'name run after a secret word': after('password', 'a_b.c-'),
  'a= × 10000': fill('a='),
  'token= × 3333': fill('token='),
  'token: × 2857': fill('token: '),
  'unclosed double quotes': fill('token="'),
  'unclosed single quotes': fill("token='"),
  'escaped quotes': fill('token=\\"'),
  'nested quotes': after('password=', `"'`),
  'one value of the whole text': after('token=', 'x'),
  'one long word after a secret word': after('secret ', 'A1b2'),
  'random words after secret words': fill('secret A1b2C3d4E5f6G7h8 '),
  'weak names with random values': fill('key=A1b2C3d4E5f6G7h8 '),
  'heroku words': fill('heroku '),
  'aws secret words': fill('aws secret '),
  'scheme-like runs': fill('a.'),
  'schemes without credentials': fill('a://'),
  'user: without @': fill('x://u:'),
  'long user without password': after('postgres://', 'u'),
  'long password without @': after('postgres://u:', 'p'),
  'BEGIN without END': fill('-----BEGIN PRIVATE KEY-----'),
  'BEGIN with a long label': after('-----BEGIN ', 'A '),
  'key block without END': after('-----BEGIN RSA PRIVATE KEY-----\n', 'QUJD'),
  'JWT-like segments': fill('eyJaaaaaaaaa.'),
  'eyJ prefixes': fill('eyJ'),
  'long JWT header': after('eyJ', 'a'),
  'GitHub prefixes': fill('ghp_'),
  'long GitHub body': after('ghp_', 'a'),
  'fine-grained prefixes': fill('github_pat_'),
  'GitLab prefixes': fill('glpat-'),
  'Slack prefixes': fill('xoxb-'),
  'Slack webhook prefixes': fill('hooks.slack.com/services/'),
  'AWS prefixes': fill('AKIA'),
  'Google prefixes': fill('AIza'),
  'SendGrid prefixes': fill('SG.'),
  'SendGrid first part only': fill('SG.aaaaaaaaaaaaaaaa.'),
  'Twilio prefixes': fill('SK0'),
  'npm prefixes': fill('npm_'),
  'OpenAI prefixes': fill('sk-'),
  'Anthropic prefixes': fill('sk-ant-'),
  'Heroku v2 prefixes': fill('HRKU-'),
  'AccountKey without value': fill('AccountKey='),
  'Bearer without value': fill('Bearer '),
  'long Bearer value': after('Bearer ', 'a'),
  spaces: fill(' '),
  newlines: fill('\n'),
  'colons and equals': fill(':='),
  backslashes: fill('\\'),
};

describe('linear time on adversarial input of the largest allowed size', () => {
  for (const [name, text] of Object.entries(REDACTION_INPUTS)) {
    it(`redaction: ${name}`, () => {
      expect(text.length).toBeLessThanOrEqual(N);
      expect(fastest(() => redactSecrets(text))).toBeLessThan(BOUND_MS);
    });
  }

  const FRAME_LINES: Record<string, string> = {
    'JS frame with many " ("': after('at ', ' ('),
    'JS frame with many colons': after('at a', ':1'),
    '.NET frame with many " in "': after('at ', ' in '),
    'JVM frame': fill('a.'),
    'JVM frame with prefixes': fill('a/a.'),
    'Python frame': after('File "', '", line 1'),
    'plain frame': fill('a.b:1'),
    'bare path': fill('.a'),
  };
  for (const [name, line] of Object.entries(FRAME_LINES)) {
    it(`stack frames: ${name}`, () => {
      expect(fastest(() => parseFrame(line))).toBeLessThan(BOUND_MS);
    });
  }

  it('GitHub: closing keywords and fenced frames in a pull request or issue body', () => {
    for (const body of [after('fix', ' '), fill('fixes a/b'), fill('`'), after('```\n', 'at  ( ')]) {
      expect(fastest(() => closedIssues('acme/shop', body))).toBeLessThan(BOUND_MS);
      const issue = {
        number: 1,
        title: 'checkout down',
        body,
        state: 'open',
        created_at: 0,
        updated_at: 0,
        closed_at: null,
        html_url: 'https://github.com/acme/shop/issues/1',
        labels: [],
      } satisfies Issue;
      expect(fastest(() => issueToIncidentRow('acme/shop', issue, 'production'))).toBeLessThan(BOUND_MS);
    }
  });

  it('incident rows: dates, shas, frames and texts', () => {
    const row = {
      id: 'INC-1',
      title: fill('token.'),
      summary: fill('password: '),
      started_at: after('2026-03-01T10:00:00', '0'),
      fix_sha: fill('a'),
      stack_frames: after('at ', ' (\n'),
    };
    expect(fastest(() => checkIncidentRow(row))).toBeLessThan(BOUND_MS);
    expect(fastest(() => parseFrames(fill('at  in \n')))).toBeLessThan(BOUND_MS);
  });

  it('rules, identities and the triage text functions', () => {
    const dots = `a${fill('.')}b`;
    expect(fastest(() => containsRule(`- ${dots}\n${after('a', ' ')}b`, dots))).toBeLessThan(BOUND_MS);
    expect(fastest(() => parseIdentity(`a${fill(' ')}b`))).toBeLessThan(BOUND_MS);
    expect(fastest(() => suggestCategory(fill('token. ')))).toBeLessThan(BOUND_MS);
    expect(fastest(() => termBag(fill('token. '), fill('a_b.c-')))).toBeLessThan(BOUND_MS);
  });

  it('a post-mortem front matter with long runs of spaces', () => {
    const ctx = testContext(gitdir().path);
    const dir = tempDir();
    mkdirSync(join(dir, 'pm'));
    writeFileSync(
      join(dir, 'pm', 'inc.md'),
      `---\nid: INC-1\ntitle: a${' '.repeat(N)}b\na${' '.repeat(N)}b: x\nstarted_at: 2026-03-01T10:00:00Z\n---\nbody\n`,
    );
    // The generous bound covers the import's own work (files, database) on a loaded machine.
    expect(fastest(() => importIncidents(ctx, dir, { skipInvalid: true }))).toBeLessThan(BOUND_MS * 5);
  });

  it('log_interrupt and interrupts import redact the worst input without holding the write lock long', () => {
    const ctx = testContext(gitdir().path);
    const worst = Object.values(REDACTION_INPUTS);
    const t = performance.now();
    for (const [i, detail] of worst.entries()) {
      logInterrupt(ctx, {
        kind: 'interrupt',
        summary: `adversarial ${i}`,
        detail,
        source: 'agent',
        createdAt: Date.parse('2026-03-01T10:00:00Z') + i,
      });
    }
    const file = join(tempDir(), 'log.ndjson');
    writeFileSync(
      file,
      worst
        .map((detail, i) =>
          JSON.stringify({ kind: 'interrupt', summary: `row ${i}`, detail, created_at: '2026-03-01T10:00:00Z' }),
        )
        .join('\n'),
    );
    importInterrupts(ctx, file);
    // Two passes over 50 texts of 20 000 characters: the old rule spent minutes on the first alone.
    expect(performance.now() - t).toBeLessThan(worst.length * 2 * BOUND_MS);
  });
});
