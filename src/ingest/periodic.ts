/** Keeps repositories ingested while `serve --http` runs: a round at start, one every interval, one on demand. */
export interface IngestLoop {
  /** undefined once the first round is over, else what is still running (for GET /readyz). */
  notReady(): string | undefined;
  /** Resolves when the first round is over. */
  firstRound: Promise<void>;
  /** Starts a round unless one is running (`started: false`); `done` resolves when that round is over. */
  runNow(): { started: boolean; done: Promise<void> };
  /** No new rounds; waits for the running one. */
  stop(): Promise<void>;
}

export interface IngestLoopOptions {
  repos: readonly string[];
  /** false: no round at start (and ready at once) */
  atStart?: boolean;
  /** 0: no periodic rounds */
  intervalMs: number;
  /** Ingests one repository and says what it did; it must not share the server's event loop for long. */
  run: (repo: string) => Promise<string>;
  log: (message: string) => void;
}

/**
 * Rounds never overlap: a round that outlasts the interval delays the next instead of stacking, and a round
 * asked for while one runs is that one. One failing repository is logged and does not stop the others.
 */
export function startIngestLoop(o: IngestLoopOptions): IngestLoop {
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let first = o.atStart !== false;
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
  const startRound = () => (running ??= round().finally(() => (running = undefined)));
  const schedule = () => {
    if (stopped || o.intervalMs <= 0) return;
    timer = setTimeout(() => void startRound().then(schedule), o.intervalMs);
    timer.unref();
  };
  const firstRound = first ? startRound().finally(() => (first = false)) : Promise.resolve();
  void firstRound.then(schedule);
  return {
    notReady: () =>
      first ? `first ingest of ${o.repos.length} repositor${o.repos.length === 1 ? 'y' : 'ies'} running` : undefined,
    firstRound,
    runNow: () => {
      const started = running === undefined && !stopped;
      return { started, done: stopped ? Promise.resolve() : startRound() };
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
