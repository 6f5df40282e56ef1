// How a --db value names PostgreSQL, and how such a URL may be shown: never with its credentials.

export const isPostgresUrl = (target: string): boolean => /^postgres(ql)?:\/\//i.test(target);

/** The URL with its user, password and any secret-looking query parameter replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username) u.username = '***';
    for (const k of [...u.searchParams.keys()]) if (/pass|secret|key|token/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return 'postgres://***';
  }
}

/** The target as it may be shown: a URL without its credentials, a path as is. */
export function displayTarget(target: string): string {
  return isPostgresUrl(target) ? redactUrl(target) : target;
}
