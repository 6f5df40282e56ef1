/**
 * Text evidence between a fix and a candidate cause. The fix's message is always masked first: a
 * `Fixes: <sha> ("subject")` trailer, a quoted commit subject or a sha in the prose names the answer,
 * and an attribution that reads it has measured nothing.
 */

const SHA = /\b[0-9a-f]{7,64}\b/gi;
// Trailers and lines that point at another commit by sha or by its subject.
const POINTER_LINE =
  /^[ \t]*(fixes|fixed|fix|reverts?|revert of|introduced[- ]by|bisected[- ]to|cc|link|closes|references?|see-also|upstream|cherry[- ]picked from|backported from)[ \t]*:.*$/gim;
const REVERTS = /^.*\bthis reverts commit\b.*$/gim;
// A quoted subject: ("netdev: do x") or "netdev: do x", possibly wrapped over two lines.
const QUOTED = /\(?[ \t]*["“][^"”]{3,300}?["”][ \t]*\)?/g;
// A single-quoted subject right after a sha: abc1234 ('netdev: do x').
const SHA_SINGLE_QUOTED = /\b[0-9a-f]{7,64}\b[ \t]*\(?[ \t]*'[^'\n]{3,200}'[ \t]*\)?/gi;
const COMMIT_WORD = /\bcommits?\s*(?=[\s,.;:)]|$)/gi;

/** The fix's message with every pointer to another commit removed (trailers, shas, quoted subjects). */
export function maskFixMessage(message: string): string {
  return message
    .replace(/\r\n/g, '\n')
    .replace(REVERTS, ' ')
    .replace(SHA_SINGLE_QUOTED, ' ')
    .replace(QUOTED, ' ')
    .replace(POINTER_LINE, ' ')
    .replace(SHA, ' ')
    .replace(COMMIT_WORD, ' ')
    .replace(/^(revert|reapply)\b.*$/gim, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}

const STOP = new Set(
  'the a an of to in on for and or is are be was were it this that with by from as at not no if when into but can will should would has have had its their there which also than then so do does did only use used using after before while we you they our new add fix fixes fixed bug issue patch change changes signed off acked reviewed tested reported suggested co authored commit'.split(
    ' ',
  ),
);

/** Lower-case word tokens (identifiers split on _), without stop words, trailers' names and numbers. */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(/[^a-z0-9_]+/)) {
    for (const t of raw.split('_')) {
      if (t.length >= 3 && !STOP.has(t) && !/^\d+$/.test(t) && !/^[0-9a-f]{7,}$/.test(t)) out.push(t);
    }
  }
  return out;
}

/** Cosine similarity of two bags of words, in [0, 1]. */
export function cosine(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const count = (xs: readonly string[]) => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
    return m;
  };
  const ca = count(a);
  const cb = count(b);
  let dot = 0;
  for (const [k, v] of ca) dot += v * (cb.get(k) ?? 0);
  const norm = (m: Map<string, number>) => Math.sqrt([...m.values()].reduce((s, v) => s + v * v, 0));
  return dot / (norm(ca) * norm(cb));
}

/** The area a subject names before its colon (`netdev-dpdk: fix x` → `netdev-dpdk`), lower-cased, or ''. */
export function subjectArea(subject: string): string {
  const m = /^\s*([\w./,+ -]{1,40}?):\s/.exec(subject);
  return m ? m[1]!.trim().toLowerCase() : '';
}
