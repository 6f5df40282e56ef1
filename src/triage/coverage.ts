import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseFrontMatter } from '../front-matter.js';
import type { AppContext } from '../context.js';
import { findDecisionRecords, readDecisionRecords } from '../decisions/records.js';
import { fixInfo, getCluster } from '../store/clusters.js';
import { termBag } from './terms.js';

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
  /** one sentence for the answer: "ADR-0002 'Idempotency keys for payment retries' covers this: read …" */
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
  /** the document names the entry's paths or module (decision records only) */
  scoped: boolean;
}

const SETTLED = new Set(['rejected', 'superseded', 'deprecated']);
const RULE_FILES = ['AGENTS.md', 'CLAUDE.md', '.github/copilot-instructions.md'];
const SKILLS_DIR = '.claude/skills';

/**
 * Existing fixes that cover an entry, best first: the fix linked to its cluster, then decision records, rules
 * (AGENTS.md/CLAUDE.md sections) and skills (`.claude/skills/<name>/SKILL.md`) whose title shares two of the
 * entry's terms, or one plus two more in the text. Superseded, deprecated and rejected records do not count.
 */
export function findCoverage(
  ctx: AppContext,
  entry: { summary: string; detail: string | null; paths: readonly string[]; module: string; clusterId: number | null },
  limit = 3,
): Coverage[] {
  const out: Coverage[] = [];
  const cluster = entry.clusterId !== null ? getCluster(ctx.store, entry.clusterId) : undefined;
  const fix = cluster?.fixId != null ? fixInfo(ctx.store, cluster.fixId) : undefined;
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
  const terms = termBag(entry.summary, entry.detail).weights;
  const ranked: { doc: Doc; matched: string[]; score: number }[] = [];
  for (const doc of candidateDocs(ctx, entry)) {
    if (doc.status && SETTLED.has(doc.status)) continue;
    const hit = covers(terms, doc);
    if (hit) ranked.push({ doc, ...hit });
  }
  ranked.sort(
    (a, b) => b.score - a.score || a.doc.path.localeCompare(b.doc.path) || a.doc.ref.localeCompare(b.doc.ref),
  );
  for (const { doc, matched } of ranked) {
    if (out.some((c) => c.path === doc.path && c.kind !== 'rule')) continue;
    out.push({
      kind: doc.kind,
      ref: doc.ref,
      title: doc.title,
      path: doc.path,
      status: doc.status,
      matched,
      text: `${describe(doc)} covers this: read ${doc.path}`,
    });
  }
  return out.slice(0, limit);
}

function describe(doc: Doc): string {
  if (doc.kind === 'adr') return `${doc.ref} '${doc.title}'`;
  if (doc.kind === 'rule') return `rule '${doc.title}' in ${doc.path}`;
  return `skill '${doc.title}'`;
}

/** Title hits ≥ 2, or 1 plus ≥ 2 more in the text (a record naming the entry's module counts one more). */
function covers(terms: ReadonlyMap<string, number>, doc: Doc): { matched: string[]; score: number } | undefined {
  const title = termBag(doc.title).weights;
  const body = termBag(doc.body).weights;
  const inTitle = [...terms.keys()].filter((t) => title.has(t));
  const inBody = [...terms.keys()].filter((t) => !title.has(t) && body.has(t));
  const extra = inBody.length + (doc.scoped ? 1 : 0);
  if (inTitle.length >= 2 || (inTitle.length === 1 && extra >= 2)) {
    const surface = termBag(`${doc.title} ${doc.body}`).surface;
    return {
      matched: [...inTitle, ...inBody].map((t) => surface.get(t) ?? t),
      score: 2 * inTitle.length + extra,
    };
  }
  return undefined;
}

function candidateDocs(ctx: AppContext, entry: { paths: readonly string[]; module: string }): Doc[] {
  const repo = ctx.config.repoPath;
  const dirs = ctx.config.decisionDirs;
  const scoped = new Set(
    findDecisionRecords(repo, dirs, { paths: entry.paths, modules: entry.module ? [entry.module] : [] }, 50).items.map(
      (m) => m.path,
    ),
  );
  const docs: Doc[] = readDecisionRecords(repo, dirs).records.map((r) => ({
    kind: 'adr',
    ref: r.number !== null ? `ADR-${String(r.number).padStart(4, '0')}` : 'ADR',
    title: r.title,
    path: r.path,
    status: r.status,
    body: r.text,
    scoped: scoped.has(r.path),
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
      scoped: false,
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
      scoped: false,
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
