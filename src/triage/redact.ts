/** The outcome of redacting one text: what may be stored, and how many secrets were taken out (by kind). */
export interface Redaction {
  text: string;
  count: number;
  kinds: string[];
}

interface Rule {
  kind: string;
  re: RegExp;
  /** Returns the replacement, or undefined to leave the match alone (a placeholder, an env reference). */
  replace: (match: string, ...groups: string[]) => string | undefined;
}

const mark = (kind: string) => `[REDACTED:${kind}]`;

/** The markers redaction leaves, e.g. `[REDACTED:github-token]`. */
export const REDACTION_MARK = /\[REDACTED:[a-z-]+\]/g;

/** Text without redaction markers: their words ("secret", "token") say nothing about the problem. */
export function withoutMarks(text: string): string {
  return text.replace(REDACTION_MARK, ' ');
}
const whole = (kind: string) => (): string => mark(kind);

// Names whose value is a secret in `name=value`, `name: value` or `"name": "value"` form.
const SECRET_NAME =
  '[A-Za-z0-9_.-]*(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key|credentials?|session[_-]?key)[A-Za-z0-9_.-]*';

// Values that are not secrets: placeholders, env references, already redacted text.
const NOT_A_SECRET =
  /^(?:\[REDACTED|\$|%|<|\{\{|\*{3,}|x{3,}$|null$|none$|true$|false$|undefined$|changeme$|redacted$)/i;

/** "the token: expired" is prose, not a secret: an unquoted `name: word` needs a digit, capital or symbol. */
function proseWord(sep: string, quote: string, value: string): boolean {
  return sep.trim() === ':' && quote === '' && value.length < 16 && /^[a-z]+$/.test(value);
}

/**
 * Specific formats first (they name the kind), generic assignments last (they skip what is already redacted).
 * Formats: AWS, GitHub, Slack, Stripe, Google, OpenAI/Anthropic, npm keys; JWTs; PEM private keys; URL
 * credentials; bearer/basic tokens; `password=`/`token:`-style assignments.
 */
const RULES: Rule[] = [
  {
    kind: 'private-key',
    re: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: whole('private-key'),
  },
  { kind: 'aws-access-key', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g, replace: whole('aws-access-key') },
  { kind: 'github-token', re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b/g, replace: whole('github-token') },
  { kind: 'github-token', re: /\bgithub_pat_[A-Za-z0-9_]{22,}\b/g, replace: whole('github-token') },
  { kind: 'slack-token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, replace: whole('slack-token') },
  { kind: 'stripe-key', re: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g, replace: whole('stripe-key') },
  { kind: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, replace: whole('google-api-key') },
  { kind: 'api-key', re: /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{32,}/g, replace: whole('api-key') },
  { kind: 'npm-token', re: /\bnpm_[A-Za-z0-9]{36}\b/g, replace: whole('npm-token') },
  {
    kind: 'jwt',
    re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replace: whole('jwt'),
  },
  {
    kind: 'url-password',
    re: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]+):([^\s@/]+)@/gi,
    replace: (_m, scheme, user, pass) =>
      NOT_A_SECRET.test(pass!) ? undefined : `${scheme}${user}:${mark('password')}@`,
  },
  {
    kind: 'bearer-token',
    re: /\b(Bearer|Basic|Token)(\s+)([A-Za-z0-9._~+/-]{16,}=*)/g,
    replace: (_m, scheme, space, value) =>
      NOT_A_SECRET.test(value!) ? undefined : `${scheme}${space}${mark('bearer-token')}`,
  },
  {
    kind: 'assignment',
    re: new RegExp(`(["']?\\b${SECRET_NAME}["']?)(\\s*[:=]\\s*)(["']?)([^\\s"'&,;]{4,})\\3`, 'gi'),
    replace: (_m, name, sep, quote, value) =>
      NOT_A_SECRET.test(value!) || proseWord(sep!, quote!, value!)
        ? undefined
        : `${name}${sep}${quote}${mark('secret')}${quote}`,
  },
];

/** Replaces secrets with `[REDACTED:kind]` so they are never stored; counts what it replaced. */
export function redactSecrets(input: string): Redaction {
  let text = input;
  let count = 0;
  const kinds = new Set<string>();
  for (const rule of RULES) {
    text = text.replace(rule.re, (match: string, ...rest: unknown[]) => {
      // replace() passes the groups, then the offset and the whole text (no named groups here).
      const replaced = rule.replace(match, ...(rest.slice(0, -2) as string[]));
      if (replaced === undefined) return match;
      count++;
      kinds.add(rule.kind);
      return replaced;
    });
  }
  return { text, count, kinds: [...kinds].sort() };
}
