import type { NewCommit } from '../../src/store/commits.js';

/** A commit row for store tests: a human's change with no files, trailers or fixes unless `over` says so. */
export function newCommit(repoId: number, sha: string, over: Partial<NewCommit> = {}): NewCommit {
  return {
    sha,
    repoId,
    authorName: 'Ada Lovelace',
    authorEmail: 'Ada@Example.com',
    authoredAt: 1000,
    committedAt: 1000,
    subject: `change ${sha.slice(0, 4)}`,
    body: '',
    parents: [],
    authorKind: 'human',
    agent: null,
    agentEvidence: null,
    revertsSha: null,
    files: [],
    trailers: [],
    fixes: [],
    ...over,
  };
}
