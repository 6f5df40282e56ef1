/**
 * What a line of source is, for blame: behaviour ('code'), a comment, or layout (blank, braces and other
 * punctuation only). Decided by the file's own comment syntax and by whether an earlier line opened a block
 * comment — so a C statement such as `*bad_wr = wr;` or `--count;` is code, and ` * text` inside `/* … *\/` is
 * a comment. One pass over each line's characters: linear time, no regular expression over the text.
 */
export type LineKind = 'code' | 'comment' | 'layout';

interface CommentSyntax {
  /** tokens that start a comment running to the end of the line */
  line: readonly string[];
  /** [open, close] of block comments; checked before `line`, so Lua's `--[[` wins over `--` */
  block: readonly (readonly [string, string])[];
  /** quote characters of string literals, skipped so `"/*"` opens no comment */
  quotes: string;
  /** `#include`, `#define`, … are code even though `#` starts a comment (files whose language is unknown) */
  hashDirectives?: boolean;
  /** a block comment opens only before any code on its line: in an unknown language `ls dir/*` is a glob */
  leadingBlocksOnly?: boolean;
}

const C_LIKE: CommentSyntax = { line: ['//'], block: [['/*', '*/']], quotes: `"'` };
const HASH: CommentSyntax = { line: ['#'], block: [], quotes: `"'` };
const PYTHON: CommentSyntax = {
  line: ['#'],
  block: [
    ['"""', '"""'],
    ["'''", "'''"],
  ],
  quotes: `"'`,
};
const SQL: CommentSyntax = { line: ['--'], block: [['/*', '*/']], quotes: `'"` };
const LUA: CommentSyntax = { line: ['--'], block: [['--[[', ']]']], quotes: `'"` };
const HASKELL: CommentSyntax = { line: ['--'], block: [['{-', '-}']], quotes: '"' };
const MARKUP: CommentSyntax = { line: [], block: [['<!--', '-->']], quotes: '' };
const SEMICOLON: CommentSyntax = { line: [';'], block: [], quotes: '"' };
const M4: CommentSyntax = { line: ['#', 'dnl '], block: [], quotes: '' };
/** Unknown language: the common comment markers, never `*` or `--` on their own. */
const UNKNOWN: CommentSyntax = {
  line: ['//', '#'],
  block: [['/*', '*/']],
  quotes: '"',
  hashDirectives: true,
  leadingBlocksOnly: true,
};

const BY_EXTENSION: Record<string, CommentSyntax> = {};
const register = (syntax: CommentSyntax, extensions: string) => {
  for (const e of extensions.split(' ')) BY_EXTENSION[e] = syntax;
};
register(
  C_LIKE,
  'c h cc cpp cxx c++ hh hpp hxx inl java js mjs cjs jsx ts tsx mts cts go rs cs swift kt kts scala php m mm ' +
    'dts dtsi proto y l groovy gradle dart css scss less bpf',
);
register(
  HASH,
  'sh bash zsh ksh pl pm rb mk mak cmake yml yaml toml conf cfg am nix r tcl awk sed ps1 service spec ' +
    'bats fish dockerfile',
);
register(PYTHON, 'py pyi pyx');
register(SQL, 'sql');
register(LUA, 'lua');
register(HASKELL, 'hs');
register(MARKUP, 'html htm xml svg xsl xhtml');
register(SEMICOLON, 'asm el lisp clj scm ini');
register(M4, 'm4 ac at');

const BY_NAME: Record<string, CommentSyntax> = {
  makefile: HASH,
  gnumakefile: HASH,
  kbuild: HASH,
  kconfig: HASH,
  'cmakelists.txt': HASH,
  dockerfile: HASH,
  'meson.build': HASH,
  'meson_options.txt': HASH,
  'meson.options': HASH,
};

/** The comment syntax of a file, by its name or extension, else by a `#!` first line (a script). */
function commentSyntax(path: string, firstLine: string): CommentSyntax {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const named = BY_NAME[base];
  if (named) return named;
  const dot = base.lastIndexOf('.');
  return (dot > 0 && BY_EXTENSION[base.slice(dot + 1)]) || (firstLine.startsWith('#!') ? HASH : UNKNOWN);
}

/** Characters that only lay code out: a line of nothing else carries no behaviour. */
const LAYOUT = new Set(['{', '}', '(', ')', '[', ']', ';', ',']);
const BLANK = new Set([' ', '\t', '\r', '\f', '\v']);
const DIRECTIVES = ['include', 'define', 'undef', 'if', 'ifdef', 'ifndef', 'elif', 'endif', 'else', 'pragma'];

/** `#  define X` and the like: a preprocessor directive, not a comment. */
function isDirective(text: string, hash: number): boolean {
  let i = hash + 1;
  while (i < text.length && BLANK.has(text[i]!)) i++;
  return DIRECTIVES.some((d) => text.startsWith(d, i) && !/[A-Za-z0-9_]/.test(text[i + d.length] ?? ''));
}

/** One line: its kind, and the block comment still open at its end (the closing token), or null. */
function scanLine(text: string, s: CommentSyntax, open: string | null): { kind: LineKind; open: string | null } {
  let code = false;
  let layout = false;
  let comment = open !== null;
  let i = 0;
  while (i < text.length) {
    if (open !== null) {
      const end = text.indexOf(open, i);
      if (end < 0) break;
      i = end + open.length;
      open = null;
      continue;
    }
    const ch = text[i]!;
    if (BLANK.has(ch)) {
      i++;
      continue;
    }
    const block = s.leadingBlocksOnly && (code || layout) ? undefined : s.block.find(([b]) => text.startsWith(b, i));
    if (block) {
      open = block[1];
      comment = true;
      i += block[0].length;
      continue;
    }
    if (s.line.some((l) => text.startsWith(l, i)) && !(s.hashDirectives && ch === '#' && isDirective(text, i))) {
      comment = true;
      break;
    }
    if (s.quotes.includes(ch)) {
      let j = i + 1;
      while (j < text.length && text[j] !== ch) j += text[j] === '\\' ? 2 : 1;
      code = true;
      i = j + 1;
      continue;
    }
    if (LAYOUT.has(ch)) layout = true;
    else code = true;
    i++;
  }
  const kind: LineKind = code ? 'code' : layout ? 'layout' : comment ? 'comment' : 'layout';
  return { kind, open };
}

/** The kind of every line of `lines`, read from the top of `path` (or of a run of lines starting outside comments). */
export function classifyLines(path: string, lines: readonly string[]): LineKind[] {
  const syntax = commentSyntax(path, lines[0] ?? '');
  let open: string | null = null;
  return lines.map((text) => {
    const r = scanLine(text, syntax, open);
    open = r.open;
    return r.kind;
  });
}
