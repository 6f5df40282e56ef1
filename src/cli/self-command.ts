import { basename, sep } from 'node:path';
import { shellQuote } from '../shell.js';

export { shellQuote };

/** The npm package name: `hindsight` on npm is an unrelated package, so ours is published as `hindsight-mcp`. */
export const PACKAGE_NAME = 'hindsight-mcp';

/**
 * The shell words that start this very binary again, for the lines we print (the server banner's connect line,
 * the demo's "try it" lines): each must work when copied. Run through npx → `npx -y hindsight-mcp`; an installed
 * bin (`npm install -g`) → `hindsight`; anything else (a checkout's dist/bundle/main.js) → `node /abs/path`.
 */
export function selfCommand(script: string = process.argv[1] ?? 'dist/bundle/main.js'): string {
  if (script.includes(`${sep}_npx${sep}`)) return `npx -y ${PACKAGE_NAME}`;
  if (basename(script) === 'hindsight') return 'hindsight';
  return `node ${shellQuote(script)}`;
}
