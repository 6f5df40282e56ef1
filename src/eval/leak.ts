import { maskFixMessage } from '../attribution/similarity.js';

/** What the algorithm is allowed to read of a fix's message, and whether masking had to be helped. */
export interface MaskedMessage {
  text: string;
  /** the generic mask left a pointer to the answer (a sha prefix or the cause's subject) */
  leaked: string | null;
}

/**
 * Masks the fix's message, then checks it against the answer. The check reads the answer only to prove the
 * mask holds; when it does not, the leaked text is cut out too, and the leak is counted in the report.
 */
export function maskForEval(message: string, truth: readonly { sha: string; subject: string }[]): MaskedMessage {
  let text = maskFixMessage(message);
  const leaked = findLeak(text, truth);
  if (leaked) {
    for (const t of truth) {
      text = text.replace(new RegExp(escape(t.sha.slice(0, 7)) + '[0-9a-f]*', 'gi'), ' ');
      if (subjectKey(t.subject).length >= 12) text = text.replace(new RegExp(escape(t.subject.trim()), 'gi'), ' ');
    }
  }
  return { text, leaked };
}

/** The first pointer to the answer found in `text`, or null: a sha prefix (7+) or the cause's whole subject. */
export function findLeak(text: string, truth: readonly { sha: string; subject: string }[]): string | null {
  const lower = text.toLowerCase();
  const key = subjectKey(text);
  for (const t of truth) {
    if (lower.includes(t.sha.slice(0, 7).toLowerCase())) return `sha ${t.sha.slice(0, 7)}`;
    const s = subjectKey(t.subject);
    if (s.length >= 12 && key.includes(s)) return `subject "${t.subject.slice(0, 60)}"`;
  }
  return null;
}

function subjectKey(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').trim();
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
