// `npm pack` steps (prepack, postpack --remove): the tarball ships package-lock.json as npm-shrinkwrap.json, so an
// install of the published package (`npx -y hindsight-mcp`, `npm install -g hindsight-mcp`) gets exactly the
// dependency versions CI tested, and test/e2e/tarball.test.ts can install the tarball's tree offline (`npm ci`
// reads the shrinkwrap; the tarballs are in the cache `npm ci` filled). Dev entries stay: npm skips them for a
// dependency, and `npm ci` refuses a lockfile that does not match package.json's devDependencies.
import { copyFileSync, rmSync } from 'node:fs';
import process from 'node:process';

if (process.argv[2] === '--remove') rmSync('npm-shrinkwrap.json', { force: true });
else copyFileSync('package-lock.json', 'npm-shrinkwrap.json');
