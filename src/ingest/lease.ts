import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { releaseLease, renewLease, takeLease, type LeaseHolder } from '../store/leases.js';
import type { Db } from '../store/open.js';

/**
 * How often a holder renews its lease, and after how long without renewal a lease is free to take. Generous: a
 * holder's synchronous phases (building the indexes after a 1M-commit load) delay its renewals; on the same host
 * a dead holder is noticed at once by its process id.
 */
const BEAT_MS = 5_000;
const STALE_MS = 10 * 60_000;
/** How often a waiting run looks whether the lease is free. */
const POLL_MS = 200;

/**
 * Runs `work` as the only holder of the lease `name` on this database, waiting its turn while another live run
 * (in this process or another) holds it. A holder that died is noticed at once on the same host (its process is
 * gone), and after STALE_MS without renewal otherwise.
 */
export async function exclusively<T>(db: Db, name: string, log: (m: string) => void, work: () => Promise<T>) {
  const me: LeaseHolder = { token: randomUUID(), pid: process.pid, host: hostname(), since: 0, beat: 0 };
  let told = false;
  for (;;) {
    const now = Date.now();
    const other = takeLease(db, name, { ...me, since: now, beat: now }, isStale);
    if (!other) break;
    if (!told) {
      const since = new Date(other.since).toISOString();
      log(`hindsight: waiting for the ${name} of process ${other.pid} on ${other.host} (since ${since}) to finish`);
      told = true;
    }
    await sleep(POLL_MS);
  }
  const beat = setInterval(() => {
    try {
      renewLease(db, name, me.token, Date.now());
    } catch {
      // busy for a whole busy timeout: the next beat tries again
    }
  }, BEAT_MS).unref();
  try {
    return await work();
  } finally {
    clearInterval(beat);
    releaseLease(db, name, me.token);
  }
}

function isStale(holder: LeaseHolder): boolean {
  if (Date.now() - holder.beat > STALE_MS) return true;
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0); // signal 0: only asks whether the process exists
    return false;
  } catch (err) {
    return (err as { code?: unknown }).code === 'ESRCH';
  }
}
