/** The outcome of redacting one text: what may be stored, and how many secrets were taken out (by kind). */
export interface Redaction {
  text: string;
  count: number;
  kinds: string[];
}

const mark = (kind: string) => `[REDACTED:${kind}]`;

/** The markers redaction leaves, e.g. `[REDACTED:github-token]`. */
export const REDACTION_MARK = /\[REDACTED:[a-z-]+\]/g;

/** Text without redaction markers: their words ("secret", "token") say nothing about the problem. */
export function withoutMarks(text: string): string {
  return text.replace(REDACTION_MARK, ' ');
}

/** One secret found: the characters [start, end) become `[REDACTED:<label>]`; `kind` is what the caller is told. */
interface Finding {
  start: number;
  end: number;
  kind: string;
  label: string;
}

type Detector = (text: string, out: Finding[]) => void;

// Every detector is linear in the text (a 20 000-character detail once took minutes in a backtracking rule):
// the regular expressions start with a literal prefix and every quantifier is bounded, so one match attempt costs
// at most its bound; the generic rules are a scanner that never reads a character more than a bounded number of
// times. Detectors run on the original text and the earliest-listed one wins where findings overlap.

/** A format with a fixed shape: the whole match (or its `secret` group: give the `d` flag) is the secret. */
function shape(kind: string, re: RegExp, label = kind): Detector {
  return (text, out) => {
    for (const m of text.matchAll(re)) {
      const [start, end] = m.indices?.groups?.['secret'] ?? [m.index, m.index + m[0].length];
      // `postgres://app:$DB_PASSWORD@db`, `Bearer <token>`: a placeholder, not the secret.
      if (!NOT_A_SECRET.test(text.slice(start, end))) out.push({ start, end, kind, label });
    }
  };
}

const DETECTORS: Detector[] = [
  privateKeys,
  // gitleaks aws-access-token; GitHub secret scanning aws_access_key_id.
  shape('aws-access-key', /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g),
  // gitleaks github-pat, github-oauth, github-app-token, github-refresh-token, github-fine-grained-pat; GitHub
  // github_personal_access_token, github_oauth_access_token, github_app_installation_access_token, github_refresh_token.
  shape('github-token', /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,255}\b/g),
  shape('github-token', /\bgithub_pat_\w{22,255}/g),
  // gitleaks gitlab-pat, gitlab-pat-routable, gitlab-deploy-token, gitlab-runner-authentication-token, gitlab-ptt,
  // gitlab-feed-token, gitlab-scim-token, gitlab-oauth-app-secret, gitlab-cicd-job-token; GitHub gitlab_access_token.
  shape('gitlab-token', /\bgl(?:pat|dt|rt|ptt|ft|soat|oas|cbt)-[\w.-]{20,300}/g),
  // gitleaks slack-bot-token, slack-user-token, slack-legacy-*, slack-app-token, slack-webhook-url;
  // GitHub slack_api_token, slack_incoming_webhook_url, slack_workflow_webhook_url.
  shape('slack-token', /\bxox[abposre]-[A-Za-z0-9-]{10,255}/g),
  shape('slack-token', /\bxapp-\d-[A-Za-z0-9-]{10,255}/gi),
  shape('slack-webhook', /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{20,100}/g),
  // gitleaks stripe-access-token; GitHub stripe_api_key, stripe_test_secret_key, stripe_live_restricted_key.
  shape('stripe-key', /\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,99}\b/g),
  // gitleaks gcp-api-key; GitHub google_api_key.
  shape('google-api-key', /\bAIza[\w-]{35}(?![\w-])/g),
  // gitleaks sendgrid-api-token; GitHub sendgrid_api_key (SG.<22>.<43>).
  shape('sendgrid-key', /\bSG\.[\w-]{16,32}\.[\w-]{16,64}/g),
  // gitleaks twilio-api-key (SK…); GitHub twilio_api_key, twilio_account_sid (AC…).
  shape('twilio-key', /\b(?:SK|AC)[0-9a-fA-F]{32}\b/g),
  // gitleaks npm-access-token; GitHub npm_access_token.
  shape('npm-token', /\bnpm_[A-Za-z0-9]{36}\b/g),
  // gitleaks openai-api-key, anthropic-api-key, anthropic-admin-api-key; GitHub openai_api_key, anthropic_api_key.
  shape('api-key', /\bsk-(?:ant-|proj-|svcacct-|admin-)?[\w-]{32,255}/g),
  // gitleaks heroku-api-key-v2 (the v1 UUID keys are found by context, below).
  shape('heroku-api-key', /\bHRKU-[\w-]{30,100}/g),
  // gitleaks jwt.
  shape('jwt', /\beyJ[\w-]{8,4096}\.eyJ[\w-]{8,8192}\.[\w-]{8,4096}/g),
  // GitHub azure_storage_account_key, azure_service_bus_identifiable (connection strings' keys).
  shape('azure-storage-key', /\b(?:AccountKey|SharedAccessKey)=(?<secret>[A-Za-z0-9+/]{20,128}={0,2})/dgi),
  // GitHub postgres_connection_string, mysql_connection_string, mongodb_connection_string: `scheme://user:pass@`.
  shape('url-password', /\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@]{1,256}:(?<secret>[^\s@/]{1,256})@/dgi, 'password'),
  // GitHub http_bearer_authentication_header, http_basic_authentication_header; gitleaks curl-auth-header.
  shape('bearer-token', /\b(?:Bearer|Basic|Token)[ \t]{1,8}(?<secret>[\w.~+/-]{16,4096}={0,2})/dg),
  // gitleaks generic-api-key, heroku-api-key (v1), the old gitleaks "AWS Secret Key"; GitHub aws_secret_access_key.
  assignments,
];

// ---------------------------------------------------------------------------------------------- private keys

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;

/** gitleaks private-key; GitHub rsa_private_key, openssh_private_key, pgp_private_key. A block without END runs to the end. */
function privateKeys(text: string, out: Finding[]): void {
  PEM_BEGIN.lastIndex = 0;
  for (let m = PEM_BEGIN.exec(text); m !== null; m = PEM_BEGIN.exec(text)) {
    const endAt = text.indexOf('-----END ', m.index + m[0].length);
    let end = text.length;
    if (endAt >= 0) {
      const close = text.indexOf('-----', endAt + 9);
      end = close >= 0 && close - endAt < 80 ? close + 5 : endAt + 9;
    }
    out.push({ start: m.index, end, kind: 'private-key', label: 'private-key' });
    // The next BEGIN is looked for past this block, so no character is read twice.
    PEM_BEGIN.lastIndex = end;
  }
}

// ---------------------------------------------------------------------------------------------- assignments

// Words that make the value after them a secret: any value after `=`/`:`, and a secret-looking word in the
// prose that follows (`the AWS secret key is wJal…`). Names with only weak words (key, auth, access, api) count
// with `=`/`:` and a value that looks random (gitleaks generic-api-key). `heroku` marks a UUID near it as a
// Heroku API key.
const KEYWORD = /passw(?:or)?d|passphrase|pwd|secret|token|credential|creds|heroku|key|auth|access|api/gi;
const STRONG =
  /passw(?:or)?d|passphrase|pwd|secret|token|credential|creds|(?:api|access|auth|private|session|signing)[ _-]?key|apikey/i;
const NAME_CHAR = /[A-Za-z0-9_.-]/;
const MAX_NAME = 64;
const MAX_QUOTED = 512;
const VALUE_END = new Set([...' \t\r\n\f\v"\'`,;&\\)]}<>']);

// Values that are not secrets: placeholders, env references, already redacted text, file paths (as in gitleaks'
// global allowlist: `/etc/…`, `/home/…`).
const NOT_A_SECRET =
  /^(?:\[REDACTED|\$|%|<|\{\{|\*{3,}|x{3,}$|null$|none$|nil$|true$|false$|yes$|no$|undefined$|changeme$|redacted$|bearer$|basic$|~\/|\.\.?\/|\/(?:bin|etc|home|opt|run|srv|tmp|usr|var|Users)\/)/i;
// `password: required`, `the token: expired` are messages about a secret, and `secret: Buffer`, `token: str` pasted
// code: not the secret.
const NOT_A_VALUE = new Set(
  (
    'invalid expired required missing empty wrong incorrect revoked rejected denied changed reset unknown hidden ' +
    'set unset ok valid rotated string number boolean bool buffer bytes str int integer any object secretstr'
  ).split(' '),
);

function assignments(text: string, out: Finding[]): void {
  const n = text.length;
  KEYWORD.lastIndex = 0;
  for (let m = KEYWORD.exec(text); m !== null; m = KEYWORD.exec(text)) {
    let p = m.index + m[0].length;
    const nameLimit = p + MAX_NAME;
    while (p < n && p < nameLimit && NAME_CHAR.test(text[p]!)) p++;
    // A name longer than any real one (`token.token.token…`) is not an assignment; look again past this word.
    if (p === nameLimit) continue;
    const nameEnd = p;
    let nameStart = m.index;
    while (nameStart > 0 && m.index - nameStart < MAX_NAME && NAME_CHAR.test(text[nameStart - 1]!)) nameStart--;
    // `api key`, `secret access key`: two words of a name.
    const name = text.slice(Math.max(0, m.index - 16), nameEnd);
    const strong = STRONG.test(name);
    const context = text.slice(Math.max(0, nameStart - 48), nameEnd).toLowerCase();
    const value = valueAfter(text, nameEnd);
    if (value) {
      const v = text.slice(value.start, value.end);
      const kind = contextKind(v, context);
      const secret = kind !== undefined || (strong ? isAssignedSecret(text, value, v, name) : looksRandom(v));
      if (secret) {
        out.push({ start: value.start, end: value.end, kind: kind ?? 'assignment', label: kind ?? 'secret' });
      }
      // Values are read once: the next keyword is looked for after this one's value.
      KEYWORD.lastIndex = Math.max(value.end, nameEnd);
      continue;
    }
    if (strong || context.includes('heroku')) proseAfter(text, nameEnd, context, out);
    KEYWORD.lastIndex = nameEnd;
  }
}

/** The value of `name = value`, `name: "value"`, `"name": 'value'`, `name := value` … at `from` (the name's end). */
function valueAfter(text: string, from: number): { start: number; end: number; quoted: boolean; sep: string } | null {
  const n = text.length;
  let p = from;
  // A closing quote or bracket of the name: `"api_key":`, `\"token\":`, `["password"] =`.
  for (let k = 0; k < 3 && p < n && '"\'`\\]'.includes(text[p]!); k++) p++;
  p = skipBlanks(text, p);
  const sepStart = p;
  while (p < n && p - sepStart < 3 && (text[p] === ':' || text[p] === '=')) p++;
  if (p === sepStart) return null;
  if (text[p] === '>') p++;
  const sep = text.slice(sepStart, p);
  p = skipBlanks(text, p);
  if (text[p] === '\\') p++;
  const q = text[p];
  if (q === '"' || q === "'" || q === '`') {
    const limit = Math.min(n, p + 1 + MAX_QUOTED);
    for (let e = p + 1; e < limit; e++) {
      const c = text[e]!;
      if (c === '\n') break;
      if (c === q) {
        const end = text[e - 1] === '\\' ? e - 1 : e;
        return end > p + 1 ? { start: p + 1, end, quoted: true, sep } : null;
      }
    }
    p++;
  }
  let e = p;
  while (e < n && !VALUE_END.has(text[e]!)) e++;
  return e > p ? { start: p, end: e, quoted: false, sep } : null;
}

function skipBlanks(text: string, from: number): number {
  let p = from;
  while (p < text.length && p - from < 8 && (text[p] === ' ' || text[p] === '\t')) p++;
  return p;
}

/**
 * After a strong word, any value but placeholders, counts (`max_tokens=4096`) and a plain word that reads as
 * prose (`the token: expired`).
 */
function isAssignedSecret(
  text: string,
  value: { end: number; quoted: boolean; sep: string },
  v: string,
  name: string,
): boolean {
  if (v.length < 3 || NOT_A_SECRET.test(v)) return false;
  if (/^\d{1,12}$/.test(v) && !/passw|pwd|passphrase|pin/i.test(name)) return false;
  if (value.quoted || !value.sep.startsWith(':')) return true;
  if (NOT_A_VALUE.has(v.toLowerCase())) return false;
  if (!/^[a-z]+$/.test(v) || v.length >= 16) return true;
  // `the token: expired after the reset` goes on as a sentence; `password: letmein` ends there.
  return !(text[value.end] === ' ' && /[a-z]/.test(text[value.end + 1] ?? ''));
}

const PROSE_WINDOW = 120;
const PROSE_WORDS = 6;

/** `the AWS secret key is wJal…`: a random-looking word among the next few after a secret word, on its line. */
function proseAfter(text: string, from: number, context: string, out: Finding[]): void {
  const n = text.length;
  const limit = Math.min(n, from + PROSE_WINDOW);
  let p = from;
  for (let words = 0; words < PROSE_WORDS && p < limit; words++) {
    while (p < limit && (text[p] === ' ' || text[p] === '\t')) p++;
    if (p >= limit || text[p] === '\n' || text[p] === '\r') return;
    let e = p;
    while (e < n && !/\s/.test(text[e]!)) e++;
    // Quotes and sentence punctuation around the word are not part of it.
    let s = p;
    let t = e;
    while (s < t && '"\'`([{<'.includes(text[s]!)) s++;
    while (t > s && '"\'`)]}>.,;:!?'.includes(text[t - 1]!)) t--;
    const w = text.slice(s, t);
    const kind = contextKind(w, context);
    if (kind !== undefined || looksRandom(w)) {
      out.push({ start: s, end: t, kind: kind ?? 'high-entropy', label: kind ?? 'secret' });
    }
    p = e;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AWS_SECRET = /^[A-Za-z0-9/+]{40}$/;

/** A value whose shape and surroundings name a provider: a UUID near "heroku", 40 base64 characters near "aws". */
function contextKind(v: string, context: string): string | undefined {
  if (UUID.test(v) && context.includes('heroku')) return 'heroku-api-key';
  if (AWS_SECRET.test(v) && context.includes('aws') && /[a-z]/.test(v) && /[A-Z]/.test(v) && entropy(v) >= 3.5) {
    return 'aws-secret-key';
  }
  return undefined;
}

/**
 * A word that looks like a generated secret: 16+ token characters, two or more digits among letters, high
 * Shannon entropy (gitleaks generic-api-key uses 3.5). Hex runs (commit SHAs, UUIDs), file names and paths
 * made of words are not.
 */
export function looksRandom(w: string): boolean {
  if (w.length < 16 || !/^[A-Za-z0-9+/=_.~-]+$/.test(w)) return false;
  if (/^[0-9a-f-]+$/i.test(w) || /\.[A-Za-z]{1,6}$/.test(w)) return false;
  let digits = 0;
  let lower = false;
  let upper = false;
  for (const c of w) {
    if (c >= '0' && c <= '9') digits++;
    else if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= 'A' && c <= 'Z') upper = true;
  }
  if (digits < 2 || !(lower || upper)) return false;
  if (w.includes('/') && !(lower && upper)) return false;
  return entropy(w) >= 3.5;
}

function entropy(w: string): number {
  const counts = new Map<string, number>();
  for (const c of w) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const k of counts.values()) h -= (k / w.length) * Math.log2(k / w.length);
  return h;
}

// ---------------------------------------------------------------------------------------------- redacting

/** Replaces secrets with `[REDACTED:kind]` so they are never stored; counts what it replaced. Linear time. */
export function redactSecrets(input: string): Redaction {
  const found: Finding[] = [];
  for (const detect of DETECTORS) detect(input, found);
  if (found.length === 0) return { text: input, count: 0, kinds: [] };
  // Detector order is priority: a value both a JWT and a bearer token is reported once, as the JWT.
  const taken = new Uint8Array(input.length);
  const kept: Finding[] = [];
  for (const f of found) {
    if (f.end <= f.start) continue;
    let free = true;
    for (let i = f.start; i < f.end && free; i++) free = taken[i] === 0;
    if (!free) continue;
    taken.fill(1, f.start, f.end);
    kept.push(f);
  }
  kept.sort((a, b) => a.start - b.start);
  let text = '';
  let at = 0;
  for (const f of kept) {
    text += input.slice(at, f.start) + mark(f.label);
    at = f.end;
  }
  text += input.slice(at);
  return { text, count: kept.length, kinds: [...new Set(kept.map((f) => f.kind))].sort() };
}

/**
 * Redacts many fields of one record and sums what was taken out: every door (MCP tools, imports, webhooks)
 * goes through the domain write functions, which run their free text through one of these before storing.
 */
export class Redactor {
  count = 0;
  private readonly found = new Set<string>();

  get kinds(): string[] {
    return [...this.found].sort();
  }

  text(value: string): string {
    const r = redactSecrets(value);
    this.count += r.count;
    for (const k of r.kinds) this.found.add(k);
    return r.text;
  }

  optional<T extends string | null | undefined>(value: T): T | string {
    return value === undefined || value === null ? value : this.text(value);
  }

  list(values: readonly string[]): string[] {
    return values.map((v) => this.text(v));
  }
}
