import { pick } from './stats.js';

const words = ['retry', 'timeout', 'schema', 'token', 'cache', 'queue', 'webhook', 'refund', 'session', 'index'];
const modules = ['payments', 'auth', 'search', 'billing', 'orders', 'catalog'];

/**
 * The i-th interrupt writer `seed` logs in benchmark 5 (process writers and HTTP clients alike): a policy question
 * about one of 6 modules, worded from 10 everyday words, so entries of a module keep finding each other.
 */
export function writerEntry(random: () => number, seed: number, i: number): { summary: string; paths: string[] } {
  const module = pick(random, modules);
  return {
    summary: `needed the ${pick(random, words)} ${pick(random, words)} policy for ${module} (writer ${seed} #${i})`,
    paths: [`src/${module}/${pick(random, words)}.ts`],
  };
}
