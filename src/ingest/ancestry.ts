// The ancestry questions a deploy's range needs ("which earlier deploys does it reach, which of those is its own
// predecessor, which commits lie between"), answered either by git (one process per question) or, for a batch of
// release tags, from the commit graph read once. util-linux's 218 tags asked git ~650 questions at 40–70 ms each
// (31 s); the graph is one `git rev-list --parents` (~0.3 s) and the questions are walks in memory.

const git = () => import('../git.js');

export interface Ancestry {
  /** which of `candidates` are ancestors of `sha` (or `sha` itself) */
  ancestorsAmong(sha: string, candidates: readonly string[]): Promise<Set<string>>;
  /** the commits among `shas` that none of the others reaches */
  independentOf(shas: readonly string[]): Promise<string[]>;
  /** of `tips` (ancestors of `sha` that do not reach each other), those on `sha`'s first-parent line */
  onFirstParentLine(sha: string, tips: readonly string[]): Promise<string[]>;
  /** how many commits `sha` reaches that `not` does not */
  countBetween(sha: string, not: string): Promise<number>;
  /** the commits `sha` reaches that `not` does not (any order) */
  between(sha: string, not: string): Promise<string[]>;
}

/** Every question asks git. */
export function gitAncestry(repo: string): Ancestry {
  return {
    ancestorsAmong: async (sha, candidates) => (await git()).ancestorsAmong(repo, sha, candidates),
    independentOf: async (shas) => (await git()).independentOf(repo, shas),
    onFirstParentLine: async (sha, tips) => (await git()).onFirstParentLine(repo, sha, tips),
    countBetween: async (sha, not) => (await git()).revCount(repo, [sha, '--not', not]),
    between: async (sha, not) => (await git()).revList(repo, [sha, '--not', not], 1_000_000),
  };
}

/**
 * The history reachable from `tips`, read once, answering in memory; a question naming a commit outside it (a deploy
 * recorded by CI on a branch no tag reaches) goes to git, so the answers are git's either way.
 */
export async function graphAncestry(repo: string, tips: readonly string[]): Promise<Ancestry> {
  const { parentsOf } = await git();
  return new CommitGraph(await parentsOf(repo, tips), gitAncestry(repo));
}

class CommitGraph implements Ancestry {
  private readonly index = new Map<string, number>();
  private readonly shas: string[] = [];
  private readonly parents: number[][] = [];
  /** visit marks: a cell equal to `epoch` was reached by the current walk (no clearing between walks) */
  private readonly marks: Uint32Array;
  private epoch = 0;

  constructor(
    lines: readonly string[][],
    private readonly fallback: Ancestry,
  ) {
    for (const [sha] of lines) this.idOf(sha!);
    for (const [sha, ...parents] of lines) {
      // A parent outside the listing (a shallow clone's boundary) is not walked, as git does not walk it either.
      this.parents[this.index.get(sha!)!] = parents.flatMap((p) => (this.index.has(p) ? [this.index.get(p)!] : []));
    }
    this.marks = new Uint32Array(this.shas.length);
  }

  private idOf(sha: string): number {
    let id = this.index.get(sha);
    if (id === undefined) {
      id = this.shas.length;
      this.index.set(sha, id);
      this.shas.push(sha);
    }
    return id;
  }

  private knows(shas: readonly string[]): boolean {
    return shas.every((s) => this.index.has(s));
  }

  /** Marks everything reachable from `from` (themselves included) with a fresh epoch and returns it. */
  private walk(from: readonly number[]): number {
    const epoch = ++this.epoch;
    const stack = [...from];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (this.marks[id] === epoch) continue;
      this.marks[id] = epoch;
      for (const p of this.parents[id]!) if (this.marks[p] !== epoch) stack.push(p);
    }
    return epoch;
  }

  private ids(shas: readonly string[]): number[] {
    return shas.map((s) => this.index.get(s)!);
  }

  async ancestorsAmong(sha: string, candidates: readonly string[]): Promise<Set<string>> {
    if (!this.knows([sha])) return this.fallback.ancestorsAmong(sha, candidates);
    const epoch = this.walk(this.ids([sha]));
    return new Set(candidates.filter((c) => this.index.has(c) && this.marks[this.index.get(c)!] === epoch));
  }

  async independentOf(shas: readonly string[]): Promise<string[]> {
    const unique = [...new Set(shas)];
    if (unique.length <= 1) return unique;
    if (!this.knows(unique)) return this.fallback.independentOf(unique);
    // One walk from all their parents: a commit it reaches is reached by another of them (or by itself, which a
    // commit graph cannot do).
    const epoch = this.walk(this.ids(unique).flatMap((id) => this.parents[id]!));
    return unique.filter((s) => this.marks[this.index.get(s)!] !== epoch);
  }

  async onFirstParentLine(sha: string, tips: readonly string[]): Promise<string[]> {
    if (!this.knows([sha, ...tips])) return this.fallback.onFirstParentLine(sha, tips);
    // As `git rev-list --first-parent sha --not tips`: down sha's first parents until a commit the tips reach;
    // that commit is on the line, and it is one of the tips or none is.
    const epoch = this.walk(this.ids(tips));
    let at = this.index.get(sha)!;
    let reached: number | undefined;
    while (this.marks[at] !== epoch) {
      const first = this.parents[at]![0];
      if (first === undefined) break;
      at = first;
      if (this.marks[at] === epoch) reached = at;
    }
    return tips.filter((t) => t === sha || this.index.get(t) === reached);
  }

  async countBetween(sha: string, not: string): Promise<number> {
    if (!this.knows([sha, not])) return this.fallback.countBetween(sha, not);
    return this.difference(sha, not).length;
  }

  async between(sha: string, not: string): Promise<string[]> {
    if (!this.knows([sha, not])) return this.fallback.between(sha, not);
    return this.difference(sha, not).map((id) => this.shas[id]!);
  }

  /** The ids `sha` reaches and `not` does not: `not`'s side is marked first, then `sha`'s walk stops at it. */
  private difference(sha: string, not: string): number[] {
    const excluded = this.walk(this.ids([not]));
    const epoch = ++this.epoch;
    const out: number[] = [];
    const stack = this.ids([sha]);
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (this.marks[id] === excluded || this.marks[id] === epoch) continue;
      this.marks[id] = epoch;
      out.push(id);
      for (const p of this.parents[id]!) stack.push(p);
    }
    return out;
  }
}
