/** Keeps repositories ingested while `serve --http` runs: one round at start, then one every interval. */
export interface IngestLoop {
  /** undefined once the first round is over, else what is still running (for GET /readyz). */
  notReady(): string | undefined;
  /** Resolves when the first round is over. */
  firstRound: Promise<void>;
  /** No new rounds; waits for the running one. */
  stop(): Promise<void>;
}

export interface IngestLoopOptions {
  repos: readonly string[];
  /** 0: the first round only */
  intervalMs: number;
  /** Ingests one repository and says what it did; it must not share the server's event loop for long. */
  run: (repo: string) => Promise<string>;
  log: (message: string) => void;
}

/**
 * Rounds never overlap: a round that outlasts the interval delays the next instead of stacking. One failing
 * repository is logged and does not stop the others.
 */
export function startIngestLoop(o: IngestLoopOptions): IngestLoop {
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let first = true;
  const round = async () => {
    for (const repo of o.repos) {
      if (stopped) return;
      try {
        o.log(`hindsight: ingest ${repo}: ${await o.run(repo)}`);
      } catch (err) {
        o.log(`hindsight: ingest ${repo} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  const schedule = () => {
    if (stopped || o.intervalMs <= 0) return;
    timer = setTimeout(() => {
      current = round().then(schedule);
    }, o.intervalMs);
    timer.unref();
  };
  const firstRound = round().finally(() => (first = false));
  current = firstRound.then(schedule);
  return {
    notReady: () =>
      first ? `first ingest of ${o.repos.length} repositor${o.repos.length === 1 ? 'y' : 'ies'} running` : undefined,
    firstRound,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
