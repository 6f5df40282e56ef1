import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The house rules that no reviewer should have to check by hand: the store is the only room that speaks SQL, and
// every import points down a floor (or sideways along an edge written down below).

const SRC = join(import.meta.dirname, '../src');

/**
 * The demo writes a fictional payments service whose migrations are SQL files: that SQL is file content for the demo
 * repository, never run by hindsight. Only statement text is allowed there; a driver call or import is not.
 */
const isDemoFileContent = (hit: string) => hit.startsWith('src/demo/scenario') && hit.includes(' SQL text: ');

/**
 * Floors, lowest first: a file may import from a lower floor, from its own room, and sideways only along ALLOWED.
 * base: leaf modules every floor uses. store: the only SQL. shared: pieces several rooms need (configuration, the
 * injected context, git, front matter, redaction, path → module, HTTP request helpers, the set-up hints of empty
 * answers). domain: the rooms that
 * decide. doors: parse input, call one domain function, format the answer.
 */
const FLOORS: readonly { name: string; rooms: readonly string[] }[] = [
  { name: 'base', rooms: ['errors.ts', 'limits.ts', 'version.ts', 'shell.ts'] },
  { name: 'store', rooms: ['store'] },
  {
    name: 'shared',
    rooms: [
      'config.ts',
      'context.ts',
      'git.ts',
      'front-matter.ts',
      'redact.ts',
      'modules.ts',
      'http.ts',
      'setup-hints.ts',
      'git-reader.ts',
    ],
  },
  {
    name: 'domain',
    rooms: [
      'ingest',
      'github',
      'attribution',
      'history',
      'delivery',
      'triage',
      'decisions',
      'loop',
      'eval',
      'demo',
      'auth',
    ],
  },
  // Views that compose several domain rooms' answers into one page (the dashboard): above the domain, below doors.
  { name: 'views', rooms: ['report', 'notify'] },
  { name: 'doors', rooms: ['mcp', 'mcp/http', 'cli', 'webhooks', 'index.ts'] },
];

/** Rooms of one floor that may import each other, and why. Between rooms there are no circles (checked below). */
const ALLOWED: Readonly<Record<string, string>> = {
  // shared
  'context.ts → config.ts': 'the context carries the validated configuration',
  'context.ts → modules.ts': 'the context carries the module mapper',
  'setup-hints.ts → config.ts': "a hint names the server's own --repo and --db",
  'setup-hints.ts → context.ts': 'a hint reads what is set up through the context',
  // domain
  'ingest → attribution': 'ingest classifies authorship (attribution/identity) as it writes commits',
  'github → ingest': 'GitHub deployments, issues and pulls are written by the ingest functions',
  'github → attribution': 'new GitHub data refreshes attribution through its one refresh function',
  'attribution → history': 'incident views resolve modules',
  'history → decisions': 'change risk lists the decision records that govern the paths',
  'triage → decisions': 'triage proposes decisions and checks coverage by them',
  'delivery → triage': 'delivery metrics reuse the triage KPI windows',
  'delivery → history': 'the release review reads the production signal steps around its deploy',
  'ingest → history': 'the signals ingest reports the change-test window it will be judged by',
  'loop → decisions': 'the loop writes a decision record as its fix',
  'loop → triage': 'the loop picks recurring clusters and reports KPIs',
  'loop → github': 'the loop opens its pull requests through the GitHub client',
  'eval → attribution': 'eval scores attribution',
  'eval → ingest': 'eval ingests the repository it scores',
  // doors
  'cli → mcp': '`hindsight serve` starts the MCP server',
  'cli → webhooks': '`hindsight serve --http` starts the HTTP server',
  'mcp/http → mcp': 'the HTTP transport serves the same MCP server',
  'webhooks → mcp/http': 'the HTTP server mounts /mcp and /admin/ingest',
};

interface SourceFile {
  path: string; // relative to src, posix
  ast: ts.SourceFile;
}

function sourceFiles(dir = SRC): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    if (!e.name.endsWith('.ts')) return [];
    const path = relative(SRC, full).split('\\').join('/');
    return [{ path, ast: ts.createSourceFile(path, readFileSync(full, 'utf8'), ts.ScriptTarget.Latest, true) }];
  });
}

const FILES = sourceFiles();

/** The room of a path under src: a top-level file, `mcp/http`, or the first folder. */
function roomOf(path: string): string {
  if (path.startsWith('mcp/http/')) return 'mcp/http';
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : path;
}

function floorOf(room: string): number {
  const i = FLOORS.findIndex((f) => f.rooms.includes(room));
  if (i < 0) throw new Error(`src/${room} is on no floor: add it to FLOORS in test/architecture.test.ts`);
  return i;
}

const line = (f: SourceFile, node: ts.Node) => f.ast.getLineAndCharacterOfPosition(node.getStart()).line + 1;

/** Relative imports and re-exports of a file, as paths under src. */
function importsOf(f: SourceFile): { target: string; at: number }[] {
  const out: { target: string; at: number }[] = [];
  const add = (spec: ts.Expression | undefined, node: ts.Node) => {
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) return;
    const target = posix.normalize(posix.join(posix.dirname(f.path), spec.text)).replace(/\.js$/, '.ts');
    out.push({ target, at: line(f, node) });
  };
  const visit = (n: ts.Node) => {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) add(n.moduleSpecifier, n);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) add(n.arguments[0], n);
    ts.forEachChild(n, visit);
  };
  visit(f.ast);
  return out;
}

// A statement, not prose: the keyword followed by what makes it SQL (SELECT … FROM, INSERT … INTO, CREATE TABLE …).
const SQL_STATEMENT =
  /^\s*(SELECT\b[\s\S]*\bFROM\b|SELECT\s+\d|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|REPLACE\s+INTO\b|CREATE\s+(UNIQUE\s+|VIRTUAL\s+|TEMP\s+)?(TABLE|INDEX|TRIGGER|VIEW)\b|DROP\s+(TABLE|INDEX|TRIGGER|VIEW)\b|ALTER\s+TABLE\b|WITH\s+(RECURSIVE\s+)?\w+(\s*\([^)]*\))?\s+AS\s*\(|PRAGMA\s+\w+|BEGIN(\s+(IMMEDIATE|EXCLUSIVE|DEFERRED))?\s*;?\s*$)/i;
const DRIVER_CALLS = new Set(['prepare', 'pragma', 'transaction', 'inTransaction', 'backup', 'serialize']);

/** Every place a file speaks SQL or touches the driver: statement strings, driver calls, driver imports. */
function sqlIn(f: SourceFile): string[] {
  const hits: string[] = [];
  const visit = (n: ts.Node) => {
    let text: string | undefined;
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) text = n.text;
    else if (ts.isTemplateExpression(n)) text = n.getText().slice(1, -1);
    if (text !== undefined && SQL_STATEMENT.test(text))
      hits.push(`src/${f.path}:${line(f, n)} SQL text: ${text.trim().slice(0, 60)}`);
    if (ts.isPropertyAccessExpression(n)) {
      const name = n.name.text;
      // .exec( is also RegExp#exec: only on a receiver that names the database, or with a SQL string.
      const receiver = n.expression.getText();
      if (DRIVER_CALLS.has(name) || (name === 'exec' && /\b(db|store|database|sqlite)\b/i.test(receiver)))
        hits.push(`src/${f.path}:${line(f, n)} driver call: ${receiver.slice(-30)}.${name}`);
    }
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier) {
      const spec = (n.moduleSpecifier as ts.StringLiteral).text;
      if (/^(better-sqlite3|pg|postgres|kysely)(\/|$)/.test(spec))
        hits.push(`src/${f.path}:${line(f, n)} driver import: ${spec}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(f.ast);
  return hits;
}

describe('architecture', () => {
  it('speaks SQL only in src/store', () => {
    const outside = FILES.filter((f) => roomOf(f.path) !== 'store');
    const hits = outside.flatMap(sqlIn).filter((hit) => !isDemoFileContent(hit));
    expect(hits).toEqual([]);
    // The detector itself: it sees the statements the store holds.
    expect(FILES.filter((f) => f.path === 'store/deploys.ts').flatMap(sqlIn).length).toBeGreaterThan(5);
  });

  it('keeps migrations self-contained: plain SQL that imports nothing', () => {
    const migrations = FILES.filter((f) => f.path.startsWith('store/migrations/') && !f.path.endsWith('/index.ts'));
    expect(migrations.length).toBeGreaterThan(5);
    expect(migrations.flatMap((f) => importsOf(f).map((i) => `src/${f.path}:${i.at} imports ${i.target}`))).toEqual([]);
  });

  it('points every import down a floor, or sideways along an edge written down in ALLOWED', () => {
    const wrong: string[] = [];
    const used = new Set<string>();
    for (const f of FILES) {
      const from = roomOf(f.path);
      for (const { target, at } of importsOf(f)) {
        const to = roomOf(target);
        if (from === to) continue;
        const [a, b] = [floorOf(from), floorOf(to)];
        const edge = `${from} → ${to}`;
        if (b < a) continue;
        if (b === a && ALLOWED[edge] !== undefined) {
          used.add(edge);
          continue;
        }
        wrong.push(`src/${f.path}:${at} imports src/${target} (${edge}: ${b > a ? 'up a floor' : 'sideways'})`);
      }
    }
    expect(wrong).toEqual([]);
    // An edge no longer used is taken off the list, so the list stays the truth.
    expect(Object.keys(ALLOWED).filter((e) => !used.has(e))).toEqual([]);
  });

  it('has no import circle between rooms', () => {
    const rooms = new Set(FLOORS.flatMap((f) => f.rooms));
    const next = new Map<string, string[]>();
    for (const f of FILES) {
      const a = roomOf(f.path);
      for (const { target } of importsOf(f)) {
        const b = roomOf(target);
        if (a !== b && rooms.has(a) && rooms.has(b) && !next.get(a)?.includes(b))
          next.set(a, [...(next.get(a) ?? []), b]);
      }
    }
    const circles: string[] = [];
    const visit = (room: string, path: string[]): void => {
      if (path.includes(room)) circles.push([...path.slice(path.indexOf(room)), room].join(' → '));
      else for (const n of next.get(room) ?? []) visit(n, [...path, room]);
    };
    for (const room of rooms) visit(room, []);
    expect(circles).toEqual([]);
  });
});

// Kept apart so a wrong path in FLOORS fails loudly rather than silently allowing everything.
describe('architecture floors', () => {
  it('name every room that exists', () => {
    const rooms = new Set(FILES.map((f) => roomOf(f.path)));
    for (const room of rooms) expect(() => floorOf(room), room).not.toThrow();
  });
});
