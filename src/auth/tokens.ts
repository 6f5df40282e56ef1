import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { SCOPES, type Scope } from './scopes.js';
import { isBusy } from '../store/busy.js';
import { getToken, insertToken, touchToken, type TokenRow } from '../store/tokens.js';

/**
 * Tokens look like `hst_<16 hex id>_<43 base64url secret>`: the id finds the row (and is what list/revoke show);
 * the 256-bit secret is checked against a salted SHA-256 — a slow KDF buys nothing for random secrets this long
 * and would cost every request.
 */
const TOKEN = /^hst_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const AGENT = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface NewToken {
  agent: string;
  scopes: readonly Scope[];
  /** unix ms; undefined = never */
  expiresAt?: number;
  note?: string;
}

/** Creates a token and returns its only plain-text copy; the store keeps a salted hash. */
export function createToken(ctx: AppContext, t: NewToken): { token: string; row: TokenRow } {
  const agent = t.agent.trim().toLowerCase();
  if (!AGENT.test(agent)) {
    throw new UserInputError(
      `--agent '${t.agent}' must be an agent name: letters, digits, '.', '_' or '-' (e.g. claude, alice-cursor)`,
      'agent',
    );
  }
  const scopes = [...new Set(t.scopes)].sort((a, b) => SCOPES.indexOf(a) - SCOPES.indexOf(b));
  if (scopes.length === 0) throw new UserInputError(`give at least one --scope: ${SCOPES.join(', ')}`, 'scope');
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16);
  const row = {
    id,
    agent,
    scopes,
    salt,
    hash: digest(salt, secret),
    note: t.note ?? null,
    createdAt: ctx.clock(),
    expiresAt: t.expiresAt ?? null,
  };
  insertToken(ctx.store, row);
  const { salt: _s, hash: _h, ...shown } = row;
  return { token: `hst_${id}_${secret}`, row: { ...shown, revokedAt: null, lastUsedAt: null } };
}

export type Verified = { ok: true; token: TokenRow } | { ok: false; why: 'unknown' | 'expired' | 'revoked' };

/** Checks a presented token in constant time (an unknown id still costs one comparison); records its use. */
export function verifyToken(ctx: AppContext, presented: string): Verified {
  const m = TOKEN.exec(presented);
  const row = m ? getToken(ctx.store, m[1]!) : undefined;
  const secret = m?.[2] ?? '';
  const expected = row?.hash ?? DUMMY_HASH;
  const matches = timingSafeEqual(digest(row?.salt ?? DUMMY_SALT, secret), expected);
  if (!row || !matches) return { ok: false, why: 'unknown' };
  if (row.revokedAt !== null) return { ok: false, why: 'revoked' };
  const now = ctx.clock();
  if (row.expiresAt !== null && row.expiresAt <= now) return { ok: false, why: 'expired' };
  try {
    touchToken(ctx.store, row.id, now);
  } catch (err) {
    if (!isBusy(err)) throw err; // "last used" is a hint: never fail or delay a request for it
  }
  const { salt: _s, hash: _h, ...token } = row;
  return { ok: true, token };
}

const DUMMY_SALT = randomBytes(16);
const DUMMY_HASH = digest(DUMMY_SALT, randomBytes(32).toString('base64url'));

function digest(salt: Buffer, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret).digest();
}

/** `read,log` or repeated flags → scopes; a clear error naming the unknown one. */
export function parseScopes(values: readonly string[]): Scope[] {
  const out = values.flatMap((v) => v.split(',')).map((s) => s.trim().toLowerCase());
  for (const s of out) {
    if (!(SCOPES as readonly string[]).includes(s)) {
      throw new UserInputError(`--scope '${s}' is not a scope; use ${SCOPES.join(', ')}`, 'scope');
    }
  }
  return out as Scope[];
}
