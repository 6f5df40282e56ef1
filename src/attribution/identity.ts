import type { IdentityRule } from '../config.js';
import type { AuthorKind } from '../store/commits.js';

export interface Trailer {
  /** lower-cased */
  key: string;
  value: string;
}

export interface AuthorshipInput {
  authorName: string;
  authorEmail: string;
  /** The commit message (subject and body); searched for agent markers such as "Generated with [Claude Code]". */
  body: string;
  trailers: Trailer[];
}

export interface Authorship {
  kind: AuthorKind;
  /** Normalised lower-case agent name (claude, cursor, copilot, codex, devin, aider, or a bot login). */
  agent: string | null;
  /** One readable line saying why, e.g. `Co-authored-by: Claude <noreply@anthropic.com>`. */
  evidence: string | null;
}

/** `Name <email>` → parts; a value without `<…>` is all name. */
export function parseIdentity(value: string): { name: string; email: string } {
  const v = value.trim();
  // The first `<` after the last inner `>` opens the email (as `^(.*?)\s*<([^>]*)>$` would, without its quadratic
  // backtracking over a run of spaces).
  const open = v.endsWith('>') ? v.indexOf('<', v.lastIndexOf('>', v.length - 2) + 1) : -1;
  return open >= 0 ? { name: v.slice(0, open).trim(), email: v.slice(open + 1, -1).trim() } : { name: v, email: '' };
}

// ---------------------------------------------------------------------------------------------------------------
// Trailers

const TRAILER_LINE = /^([A-Za-z0-9][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$/;
// Lines git itself writes; with one of these, a block that is only 25% trailers still counts (git's rule).
const GIT_GENERATED = [/^signed-off-by:/i, /^\(cherry picked from commit /i];

/**
 * Git's trailer rules: the last paragraph of the message (never the subject), when all its lines are
 * `Key: value` trailers (or continuation lines), or at least 25% are and one is git-generated (Signed-off-by).
 * Text after a `---` line is ignored, as git does. Keys are lower-cased; folded values are unfolded.
 */
export function parseTrailers(message: string): Trailer[] {
  const lines = message.replace(/\r\n?/g, '\n').split('\n');
  const divider = lines.findIndex((l) => /^---(\s|$)/.test(l));
  const kept = (divider >= 0 ? lines.slice(0, divider) : lines).filter((l) => !l.startsWith('#'));
  let end = kept.length;
  while (end > 0 && kept[end - 1]!.trim() === '') end--;
  let start = end;
  while (start > 0 && kept[start - 1]!.trim() !== '') start--;
  // The first paragraph is the subject; it never holds trailers.
  if (kept.slice(0, start).every((l) => l.trim() === '')) return [];
  const block = kept.slice(start, end);

  const out: Trailer[] = [];
  let trailerLines = 0;
  let otherLines = 0;
  let gitGenerated = false;
  let last: Trailer | undefined;
  for (const line of block) {
    if (/^[ \t]/.test(line) && last) {
      last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const m = TRAILER_LINE.exec(line);
    if (m) {
      trailerLines++;
      if (GIT_GENERATED.some((r) => r.test(line))) gitGenerated = true;
      last = { key: m[1]!.toLowerCase(), value: m[2]!.trim() };
      out.push(last);
    } else {
      otherLines++;
      if (GIT_GENERATED.some((r) => r.test(line))) gitGenerated = true;
      last = undefined;
    }
  }
  if (trailerLines === 0) return [];
  if (otherLines === 0) return out;
  return gitGenerated && trailerLines * 4 >= trailerLines + otherLines ? out : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Identities

/** GitHub App / bot logins known to be coding agents; any other `…[bot]` is reported under its own login. */
const BOT_LOGINS: Record<string, string> = {
  copilot: 'copilot',
  'copilot-swe-agent': 'copilot',
  'github-copilot': 'copilot',
  'chatgpt-codex-connector': 'codex',
  codex: 'codex',
  'devin-ai-integration': 'devin',
  claude: 'claude',
  cursor: 'cursor',
  'gemini-code-assist': 'gemini',
};

const AGENT_EMAILS: Record<string, string> = {
  'noreply@anthropic.com': 'claude', // Claude Code's Co-Authored-By, whatever model name precedes it
  'cursoragent@cursor.com': 'cursor',
  'noreply@aider.chat': 'aider',
  'aider@aider.chat': 'aider',
  'devin@cognition.ai': 'devin',
  'copilot@github.com': 'copilot',
  'codex@openai.com': 'codex',
};

// Names alone are weaker evidence (people are called Claude and Devin), so only agent-shaped names count.
const AGENT_NAMES: [RegExp, string][] = [
  [/\(aider\)$/i, 'aider'], // aider's author/committer suffix: "Ada Lovelace (aider)"
  [/^aider(\s*\(.*\))?$/i, 'aider'], // "aider (gpt-4o)"
  [/^cursor agent$/i, 'cursor'],
  [/^devin ai$/i, 'devin'],
  [/^(openai )?codex( cli| agent)?$/i, 'codex'],
  [/^(github )?copilot( coding agent)?$/i, 'copilot'],
  [/^claude code$/i, 'claude'],
  [/^gemini cli$/i, 'gemini'],
];

const GITHUB_NOREPLY = /^(?:\d+\+)?([^@\s]+)@users\.noreply\.github\.com$/i;

interface Detected {
  agent: string;
  /** what matched, for the evidence line */
  via: 'email' | 'name' | 'login';
}

/** Built-in recognition of one identity (author or co-author) as an agent; undefined = not recognised. */
export function builtinAgentOf(name: string, email: string): Detected | undefined {
  const mail = email.trim().toLowerCase();
  const nm = name.trim();
  const login =
    /^(.+)\[bot\]$/i.exec(nm)?.[1] ?? /^(.+)\[bot\]$/i.exec(GITHUB_NOREPLY.exec(mail)?.[1] ?? '')?.[1] ?? undefined;
  if (login) return { agent: BOT_LOGINS[login.toLowerCase()] ?? login.toLowerCase(), via: 'login' };
  const noreplyLogin = GITHUB_NOREPLY.exec(mail)?.[1]?.toLowerCase();
  if (noreplyLogin && BOT_LOGINS[noreplyLogin]) return { agent: BOT_LOGINS[noreplyLogin], via: 'email' };
  const byMail = AGENT_EMAILS[mail];
  if (byMail) return { agent: byMail, via: 'email' };
  if (mail === 'noreply@openai.com' && /codex/i.test(nm)) return { agent: 'codex', via: 'email' };
  for (const [re, agent] of AGENT_NAMES) if (re.test(nm)) return { agent, via: 'name' };
  return undefined;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .trim()
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 'i');
}

const ruleCache = new WeakMap<IdentityRule, RegExp>();

type Classified =
  { kind: 'agent'; agent: string; why: string } | { kind: 'human'; why: string | null } | { kind: 'unknown' };

/** Config rules first (first match wins), then the built-ins. */
function classify(name: string, email: string, rules: IdentityRule[], role: string): Classified {
  for (const rule of rules) {
    let re = ruleCache.get(rule);
    if (!re) ruleCache.set(rule, (re = globToRegExp(rule.match)));
    const on = email && re.test(email) ? `email ${email}` : name && re.test(name) ? `name ${name}` : undefined;
    if (!on) continue;
    const why = `${role} ${on} matches identities rule '${rule.match}'`;
    if (rule.kind === 'human') return { kind: 'human', why };
    const agent = rule.agent?.toLowerCase() ?? builtinAgentOf(name, email)?.agent ?? (name || email).toLowerCase();
    return { kind: 'agent', agent, why };
  }
  const found = builtinAgentOf(name, email);
  if (!found) return { kind: 'unknown' };
  const why =
    found.via === 'email'
      ? `${role} email ${email}`
      : found.via === 'login'
        ? `${role} ${name}`
        : `${role} name ${name}`;
  return { kind: 'agent', agent: found.agent, why: email && found.via === 'login' ? `${why} <${email}>` : why };
}

/** Body lines agents write themselves, e.g. Claude Code's "🤖 Generated with [Claude Code](https://claude.com/claude-code)". */
const BODY_MARKER =
  /^[^\p{L}\n]*generated (?:with|by|using) \[?(claude code|cursor|devin|codex|github copilot|copilot|aider|gemini cli)\b.*$/imu;
const MARKER_AGENTS: Record<string, string> = {
  'claude code': 'claude',
  cursor: 'cursor',
  devin: 'devin',
  codex: 'codex',
  'github copilot': 'copilot',
  copilot: 'copilot',
  aider: 'aider',
  'gemini cli': 'gemini',
};

const COAUTHOR_KEYS = new Set(['co-authored-by', 'coauthored-by', 'co-author']);

/**
 * Who wrote a commit: an agent (author is an agent; `pair` when a human co-author trailer is present),
 * a pair (human author with an agent co-author trailer or agent body marker), or a human.
 * Config `rules` (match email or name, `*` wildcard) win over the built-in identities.
 */
export function detectAuthorship(input: AuthorshipInput, rules: IdentityRule[] = []): Authorship {
  const author = classify(input.authorName, input.authorEmail, rules, 'author');

  let agentCoauthor: { agent: string; why: string } | undefined;
  let humanCoauthor = false;
  for (const t of input.trailers) {
    if (!COAUTHOR_KEYS.has(t.key)) continue;
    const who = parseIdentity(t.value);
    const c = classify(who.name, who.email, rules, 'co-author');
    if (c.kind === 'agent') agentCoauthor ??= { agent: c.agent, why: `Co-authored-by: ${t.value}` };
    else if (!sameIdentity(who, input)) humanCoauthor = true;
  }

  if (author.kind === 'agent') {
    return { kind: humanCoauthor ? 'pair' : 'agent', agent: author.agent, evidence: author.why };
  }
  if (agentCoauthor) return { kind: 'pair', agent: agentCoauthor.agent, evidence: agentCoauthor.why };
  const marker = BODY_MARKER.exec(input.body);
  if (marker) {
    return { kind: 'pair', agent: MARKER_AGENTS[marker[1]!.toLowerCase()]!, evidence: marker[0].trim() };
  }
  return { kind: 'human', agent: null, evidence: author.kind === 'human' ? author.why : null };
}

function sameIdentity(who: { name: string; email: string }, input: AuthorshipInput): boolean {
  return (
    (who.email !== '' && who.email.toLowerCase() === input.authorEmail.toLowerCase()) ||
    (who.email === '' && who.name.toLowerCase() === input.authorName.toLowerCase())
  );
}

// ---------------------------------------------------------------------------------------------------------------
// MCP clients

// Checked in order, so specific products win over the editor they run in (cursor-vscode → cursor, not copilot).
const CLIENT_NAMES: [RegExp, string][] = [
  [/\bclaude\b/, 'claude'],
  [/\bcursor\b/, 'cursor'],
  [/\bcodex\b/, 'codex'],
  [/\bwindsurf\b|\bcodeium\b/, 'windsurf'],
  [/\bdevin\b/, 'devin'],
  [/\baider\b/, 'aider'],
  [/\bgemini\b/, 'gemini'],
  [/\bcline\b/, 'cline'],
  [/\bzed\b/, 'zed'],
  [/\bgoose\b/, 'goose'],
  [/\bcopilot\b/, 'copilot'],
  // VS Code's own MCP client is how GitHub Copilot agent mode connects.
  [/^visual studio code\b|^vscode\b/, 'copilot'],
];

/** MCP `clientInfo.name` from the initialize request (`claude-code`, `cursor-vscode`, …) → our agent name. */
export function agentForClientName(name: string): string | undefined {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/[-_./]+/g, ' ');
  if (!n) return undefined;
  return CLIENT_NAMES.find(([re]) => re.test(n))?.[1];
}
