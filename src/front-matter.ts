import type matter from 'gray-matter';
import { createRequire } from 'node:module';

/**
 * Front matter of the markdown files hindsight reads from a repository (ADRs, skills, rule files, post-mortems).
 * Only YAML (and TOML/JSON if a file says so): gray-matter's default engines evaluate `---js` front matter with
 * `eval`, so a file in a cloned repository could run code in this process. Those engines throw here instead, and
 * every caller treats a throw as unreadable front matter.
 */
export type FrontMatter = matter.GrayMatterFile<string>;

const refuseCode = {
  parse(): never {
    throw new Error('JavaScript front matter is not read: it would run code from the repository');
  },
};
// Options on every call also keep gray-matter from caching by content and sharing the parsed object.
const OPTIONS: matter.GrayMatterOption<string, object> = { engines: { js: refuseCode, javascript: refuseCode } };

// Loaded on first use: ~50 ms with js-yaml, and most commands (serving above all) never read front matter.
const load = createRequire(import.meta.url);
let grayMatter: typeof matter | undefined;
const library = (): typeof matter => (grayMatter ??= load('gray-matter') as typeof matter);

/** Parses a file's front matter; throws (with js-yaml's `mark` for YAML errors) when it cannot be read safely. */
export function parseFrontMatter(text: string): FrontMatter {
  return library()(text, OPTIONS);
}

/** Whether the text opens with a front-matter block. */
export function hasFrontMatter(text: string): boolean {
  return library().test(text);
}
