import { basename, sep } from 'node:path';

/** POSIX shell quoting, only when needed, so printed paths with spaces or quotes still paste as one word. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The npm package name: `hindsight` on npm is an unrelated package, so ours is published as `hindsight-mcp`. */
export const PACKAGE_NAME = 'hindsight-mcp';

/**
 * The shell words that start this very binary again, for every line we print (the server banner's connect line,
 * the demo's "try it" lines, the set-up hints of empty answers): each must work when copied. Run through npx →
 * `npx -y hindsight-mcp`; an installed bin (`npm install -g`) → `hindsight`; a checkout's entry script
 * (dist/bundle/main.js, where `hindsight` is not on PATH) → `node /abs/path`. A host that is not our CLI (a test
 * runner, a program embedding the server) gets the installed name, the one the README teaches.
 */
export function selfCommand(script: string | undefined = process.argv[1]): string {
  if (script === undefined) return 'hindsight';
  if (script.includes(`${sep}_npx${sep}`)) return `npx -y ${PACKAGE_NAME}`;
  if (basename(script) === 'main.js') return `node ${shellQuote(script)}`;
  return 'hindsight';
}
