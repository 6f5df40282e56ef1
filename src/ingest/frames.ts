import { normalisePath } from '../modules.js';

/** A stack frame reduced to what attribution needs: a path (suffix-matched against the repository later) and line. */
export interface Frame {
  path: string;
  line: number | null;
}

// Java: `at com.acme.payments.Charge.run(Charge.java:88)`, optionally behind a module/classloader prefix
// (`java.base/…`, `app//…`). Without "at " too, since some tools strip it.
const JVM =
  /^(?:at\s+)?(?:[\w.$@-]*\/\/?)?([\w$]+(?:\.[\w$<>-]+)+)\(([^()\s:/\\]+\.(?:java|kt|kts|scala|groovy|clj)):(\d+)\)$/;
// JS/TS (V8, Bun), Rust: `at fn (path:88:12)`, `at path:88:12`, `at async fn (file:///path:1:2)`: the location
// after the first ` (`, else after `at `. Read in parts (jsFrame): one regex with both lazy parts was quadratic.
const JS_AT = /^at\s+/;
const JS_LOCATION = /:(\d+)(?::\d+)?\)?$/;
// Python: `File "app/payments/charge.py", line 88, in charge`.
const PYTHON = /^File\s+"(.+)",\s+line\s+(\d+)(?:,\s+in\s+.*)?$/;
// .NET: `at Acme.Charge.Run() in C:\src\Charge.cs:line 88`: the path after the last ` in ` (dotnetFrame).
const DOTNET_LINE = /:line\s+(\d+)$/;
// Plain `path:line[:col]`, Go `\t/app/charge.go:88 +0x1d`, Ruby `app/x.rb:12:in 'charge'` (also `from app/x.rb:12:in …`).
const PLAIN = /^(?:from\s+)?(\S+?\.[A-Za-z][A-Za-z0-9]{0,7}):(\d+)(?::\d+)?(?::in\s+.*|\s+\+0x[0-9a-fA-F]+)?$/;
// A bare repository path with no line. A short lower-case extension keeps `java.lang.NullPointerException` out.
const BARE = /^(\S*\.[a-z][a-z0-9]{0,5})$/;

// Package names whose frames come from the platform or well-known libraries; kept as directories so
// isVendorFrame can recognise them (application Kotlin/Scala frames keep only the file name, see below).
const JVM_PLATFORM = /^(?:java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|groovy|org\.codehaus\.groovy|clojure)\./;

/**
 * Reads one stack frame line (JS/TS, Python, Java/Kotlin, Go, Ruby, .NET, or a plain `path:line`).
 * Returns null for text that is not a frame (an error message, `at foo (native)`, `<frozen …>`).
 */
export function parseFrame(text: string): Frame | null {
  const s = text.trim();
  if (!s) return null;
  let m = JVM.exec(s);
  if (m) return frame(jvmPath(m[1]!, m[2]!), m[3]);
  const parts = PYTHON.exec(s) ?? dotnetFrame(s) ?? jsFrame(s) ?? PLAIN.exec(s);
  if (parts) return frame(parts[1]!, parts[2]);
  m = BARE.exec(s);
  return m ? frame(m[1]!, undefined) : null;
}

// Both return [line, path, line number], as a regex match would. Each regex below fails at a position in
// constant time or runs to the end once: linear in the line.

function jsFrame(s: string): string[] | null {
  const at = JS_AT.exec(s);
  if (!at) return null;
  const rest = s.slice(at[0].length);
  // The leftmost `:line[:col][)]` that reaches the end, as the lazy path of the old single regex found.
  const loc = JS_LOCATION.exec(rest);
  if (!loc) return null;
  const open = /\s\(/.exec(rest);
  const from = open && open.index + 2 < loc.index ? open.index + 2 : 0;
  return loc.index > from ? [s, rest.slice(from, loc.index), loc[1]!] : null;
}

function dotnetFrame(s: string): string[] | null {
  if (!JS_AT.test(s)) return null;
  const loc = DOTNET_LINE.exec(s);
  if (!loc) return null;
  let from = -1;
  for (const m of s.slice(0, loc.index).matchAll(/\sin\s+/g)) {
    if (m.index >= 3 && m.index + m[0].length < loc.index) from = m.index + m[0].length;
  }
  return from >= 0 ? [s, s.slice(from, loc.index), loc[1]!] : null;
}

/** Frames from a pasted trace: one per line; lines that are not frames (messages, Go function lines) are skipped. */
export function parseFrames(text: string): Frame[] {
  return text
    .split(/\r?\n/)
    .map(parseFrame)
    .filter((f): f is Frame => f !== null);
}

/**
 * True for frames outside the application: dependencies (node_modules, site-packages, Go module cache, gems,
 * vendor/) and runtimes (node:internal, Python/Ruby/Go standard libraries, JVM platform packages).
 */
export function isVendorFrame(path: string): boolean {
  const p = normalisePath(path);
  return (
    /^node:/.test(p) ||
    /^internal\/(?:process|modules|timers|bootstrap|main|streams|fs|util|async_hooks)\/.*\.js$/.test(p) ||
    /(?:^|\/)(?:node_modules|site-packages|dist-packages|vendor|gems|\.bundle|bower_components)\//.test(p) ||
    /(?:^|\/)pkg\/mod\//.test(p) ||
    // GOROOT (`/usr/local/go/src/net/http/…`): standard packages have no dot, unlike GOPATH's `go/src/github.com/…`.
    /(?:^|\/)go\/src\/[^/.]+\//.test(p) ||
    /^(?:runtime|\$GOROOT)\//.test(p) ||
    /(?:^|\/)lib\/python\d[\d.]*\//.test(p) ||
    /(?:^|\/)lib\/ruby\/\d/.test(p) ||
    /^(?:java|javax|jdk|sun|com\/sun|kotlin|kotlinx|scala|groovy|clojure)\//.test(p) ||
    /^org\/codehaus\/groovy\//.test(p)
  );
}

function frame(rawPath: string, rawLine: string | undefined): Frame | null {
  const path = cleanPath(rawPath);
  if (!path || /^<.*>$/.test(path) || path === 'native' || /\s/.test(path)) return null;
  const line = rawLine === undefined ? null : Number(rawLine);
  return { path, line: line !== null && line > 0 ? line : null };
}

/** `file:///app/x.ts`, `webpack://app/./src/x.ts`, `C:\app\x.ts` → a slash path without drive or leading slash. */
function cleanPath(raw: string): string {
  let p = raw.trim();
  if (p.startsWith('node:')) return p;
  p = p
    .replace(/^file:\/\//, '')
    .replace(/^https?:\/\/[^/]+\//, '')
    .replace(/^webpack:\/\/[^/]*\//, '')
    .replace(/\\/g, '/')
    .replace(/^\/?[A-Za-z]:\//, '/')
    .replace(/\?.*$/, '');
  return normalisePath(p);
}

/**
 * javac lays sources out by package, so a Java frame becomes `com/acme/payments/Charge.java`, which still
 * suffix-matches `src/main/java/com/…`. Kotlin/Scala often drop the common package from directories, so those
 * keep only the file name — unless the package is the platform's, which must stay recognisable as vendor.
 */
function jvmPath(qualified: string, file: string): string {
  const parts = qualified.split('.');
  // The last two parts are class and method; a `$Inner` class still lives in the outer class's file.
  const pkg = parts.slice(0, -2).filter((p) => /^[a-z_][\w]*$/.test(p));
  if (file.endsWith('.java') || JVM_PLATFORM.test(qualified)) return [...pkg, file].join('/');
  return file;
}
