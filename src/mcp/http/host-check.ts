import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

/**
 * DNS-rebinding and cross-site protection for every route (MCP transport security): a `Host` that is not a
 * loopback name or one of `publicHosts` is refused, and so is a browser `Origin` whose host is not one of them.
 * Returns the refusal (for a 403), or undefined when the request may proceed.
 */
export function hostCheck(publicHosts: readonly string[] = []): (headers: IncomingHttpHeaders) => string | undefined {
  const allowed = new Set([...LOOPBACK, ...publicHosts.map((h) => h.toLowerCase())]);
  const known = [...allowed].join(', ');
  return (headers) => {
    const host = headers.host;
    if (!host || !allowed.has(hostname(host))) {
      return `Host '${host ?? ''}' is not served here; allowed: ${known} (add yours with --public-host)`;
    }
    const origin = headers.origin;
    if (origin === undefined) return undefined; // not a browser: agents and webhook senders send none
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined; // "null" and other opaque origins
    }
    if (!originHost || !allowed.has(hostname(originHost))) {
      return `Origin '${origin}' may not call this server; allowed hosts: ${known}`;
    }
    return undefined;
  };
}

/** `example.com:8787` → example.com, `[::1]:8787` → ::1; lower case. */
function hostname(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.indexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}
