import type { Db } from './open.js';
import { immediateTransaction } from './write-lock.js';

/** Who holds a named lease, as stored in `meta` under `lease:<name>`. */
export interface LeaseHolder {
  /** unique per holder, also within one process */
  token: string;
  pid: number;
  host: string;
  /** unix ms when taken, and of the last renewal */
  since: number;
  beat: number;
}

const key = (name: string) => `lease:${name}`;

/**
 * Takes the lease `name` for `holder` unless another holder has it and `isStale` says it is still alive.
 * Returns undefined when taken, or the live holder that has it.
 */
export function takeLease(
  db: Db,
  name: string,
  holder: LeaseHolder,
  isStale: (current: LeaseHolder) => boolean,
): LeaseHolder | undefined {
  return immediateTransaction(db, () => {
    const current = readLease(db, name);
    if (current && current.token !== holder.token && !isStale(current)) return current;
    db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
      key(name),
      JSON.stringify(holder),
    );
    return undefined;
  });
}

export function readLease(db: Db, name: string): LeaseHolder | undefined {
  const value = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key(name)) as string | undefined;
  return value === undefined ? undefined : (JSON.parse(value) as LeaseHolder);
}

/** Records that the holder with `token` is still at work; a no-op when it lost the lease meanwhile. */
export function renewLease(db: Db, name: string, token: string, at: number): void {
  // Read and rewritten in code, under the write lock: JSON editing is the one thing the two engines spell apart.
  immediateTransaction(db, () => {
    const current = readLease(db, name);
    if (current?.token !== token) return;
    db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(JSON.stringify({ ...current, beat: at }), key(name));
  });
}

export function releaseLease(db: Db, name: string, token: string): void {
  immediateTransaction(db, () => {
    if (readLease(db, name)?.token === token) db.prepare('DELETE FROM meta WHERE key = ?').run(key(name));
  });
}
