import { StringDecoder } from 'node:string_decoder';
import { UpstreamError } from '../errors.js';

// NUL-separated fields; %x1e marks the start of each commit. With -z, numstat entries are NUL-terminated and a
// rename is `added\tdeleted\t\0old\0new\0`, so paths with spaces, tabs, newlines or "=>" parse unambiguously.
const LOG_FORMAT = '--format=%x1e%H%x00%P%x00%an%x00%ae%x00%at%x00%ct%x00%B';
const HEADER_FIELDS = 7;
/** What ingest asks `git log` for, after the revisions (exported so the benchmark times git alone on the same). */
export const LOG_ARGS = ['-z', '--numstat', '-M', '--no-ext-diff', '--no-textconv', '--no-color', LOG_FORMAT];

export interface RawFile {
  path: string;
  oldPath: string | null;
  /** null for binary files */
  added: number | null;
  deleted: number | null;
}

export interface RawCommit {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  /** unix ms */
  authoredAt: number;
  /** unix ms */
  committedAt: number;
  message: string;
  files: RawFile[];
}

type State = 'header' | 'stats' | 'renameFrom' | 'renameTo';

const NEWLINE = 10;
const RECORD_START = '\x1e';

/**
 * Push parser for the NUL-separated `git log -z --numstat` stream; emits each commit as soon as it is complete.
 *
 * Each chunk is decoded once (StringDecoder keeps a multi-byte character split across chunks whole) and split on
 * NUL in the string: NUL never occurs inside a UTF-8 sequence, and one decode per 64 KB chunk instead of one per
 * field took a third of the parse time on a 20k-commit log. Fields are therefore slices of the chunk's string, which
 * V8 may keep alive while a field is: callers that store a field for long (a cache key) should copy it.
 */
export class LogParser {
  private readonly decoder = new StringDecoder('utf8');
  /** the start of a field whose end (NUL) is in a later chunk */
  private partial = '';
  private state: State = 'header';
  private fields: string[] = [];
  private current: RawCommit | undefined;
  private rename: { added: number | null; deleted: number | null; from: string } | undefined;

  constructor(private readonly emit: (c: RawCommit) => void) {}

  push(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    let start = 0;
    let i = text.indexOf('\0');
    if (i === -1) {
      // One field longer than a chunk (a long message): only the new text is searched, so this stays linear.
      this.partial += text;
      return;
    }
    this.token(this.partial + text.slice(0, i));
    this.partial = '';
    start = i + 1;
    while ((i = text.indexOf('\0', start)) !== -1) {
      this.token(text.slice(start, i));
      start = i + 1;
    }
    this.partial = text.slice(start);
  }

  end(): void {
    const last = this.partial + this.decoder.end();
    this.partial = '';
    if (last !== '') this.token(last);
    this.finish();
  }

  private token(t: string): void {
    switch (this.state) {
      case 'header':
        if (this.fields.length === 0) {
          const start = stripNewlines(t);
          if (!start.startsWith(RECORD_START)) return; // stray separator before the first commit
          this.fields.push(start.slice(1));
        } else this.fields.push(t);
        if (this.fields.length === HEADER_FIELDS) this.startCommit();
        return;
      case 'stats': {
        const s = stripNewlines(t);
        if (s === '') return;
        if (s.startsWith(RECORD_START)) {
          this.finish();
          this.state = 'header';
          this.token(s);
          return;
        }
        this.numstat(s);
        return;
      }
      case 'renameFrom':
        this.rename!.from = t;
        this.state = 'renameTo';
        return;
      case 'renameTo': {
        const r = this.rename!;
        this.current!.files.push({ path: t, oldPath: r.from, added: r.added, deleted: r.deleted });
        this.rename = undefined;
        this.state = 'stats';
        return;
      }
    }
  }

  /** `added\tdeleted\tpath`, or `added\tdeleted\t` before the two paths of a rename; `-` counts for binary files. */
  private numstat(s: string): void {
    const tab1 = s.indexOf('\t');
    const tab2 = tab1 > 0 ? s.indexOf('\t', tab1 + 1) : -1;
    const added = tab2 > 0 ? count(s.slice(0, tab1)) : undefined;
    const deleted = tab2 > 0 ? count(s.slice(tab1 + 1, tab2)) : undefined;
    if (added === undefined || deleted === undefined) {
      throw new UpstreamError('git log', `unexpected numstat entry ${JSON.stringify(s.slice(0, 80))}`, false);
    }
    if (tab2 === s.length - 1) {
      this.rename = { added, deleted, from: '' };
      this.state = 'renameFrom';
    } else this.current!.files.push({ path: s.slice(tab2 + 1), oldPath: null, added, deleted });
  }

  private startCommit(): void {
    const [sha, parents, authorName, authorEmail, at, ct, message] = this.fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    this.fields = [];
    this.current = {
      sha,
      parents: parents === '' ? [] : parents.split(' '),
      authorName,
      authorEmail,
      authoredAt: Number(at) * 1000,
      committedAt: Number(ct) * 1000,
      message,
      files: [],
    };
    this.state = 'stats';
  }

  private finish(): void {
    if (this.current) this.emit(this.current);
    this.current = undefined;
  }
}

/** git separates a commit's numstat block from the next record with newlines. */
function stripNewlines(t: string): string {
  let i = 0;
  while (t.charCodeAt(i) === NEWLINE) i++;
  return i === 0 ? t : t.slice(i);
}

/** A numstat count: digits, or `-` (binary: null); undefined when it is neither. */
function count(s: string): number | null | undefined {
  if (s === '-') return null;
  return /^\d+$/.test(s) ? Number(s) : undefined;
}
