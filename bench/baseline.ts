import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Builds a committed revision (default HEAD) of hindsight into `<work>/baseline-<sha>/dist`, so a benchmark can
 * compare the working tree with it in the same run. Dependencies resolve from the project's node_modules.
 */
export function buildRevision(root: string, work: string, rev = 'HEAD', log: (m: string) => void): string {
  const sha = execFileSync('git', ['rev-parse', '--short=12', rev], { cwd: root, encoding: 'utf8' }).trim();
  const dir = resolve(work, `baseline-${sha}`);
  const main = join(dir, 'dist/cli/main.js');
  if (existsSync(main)) return main;
  log(`building ${rev} (${sha}) as the baseline …`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execSync(`git archive ${sha} src tsconfig.json tsconfig.build.json package.json | tar -x -C ${JSON.stringify(dir)}`, {
    cwd: root,
  });
  // Type roots and modules come from the project: the copy lives inside it (bench/.work), so node resolves upwards.
  const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.build.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(
    join(dir, 'tsconfig.build.json'),
    JSON.stringify({
      ...tsconfig,
      compilerOptions: { ...(tsconfig.compilerOptions as object), typeRoots: [join(root, 'node_modules/@types')] },
    }),
  );
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.build.json')],
    {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  return main;
}
