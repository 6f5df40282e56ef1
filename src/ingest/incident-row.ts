import { z } from 'zod';
import { normalisePath } from '../modules.js';
import { Redactor } from '../redact.js';
import { parseFrame, parseFrames, type Frame } from './frames.js';

/**
 * One incident, as a JSON object, an NDJSON line, a CSV record (same names as headers) or a post-mortem's
 * YAML front matter.
 *
 * | field            | required | value                                                                           |
 * |------------------|----------|---------------------------------------------------------------------------------|
 * | `id`             | yes      | external id, e.g. `INC-101` (a number is read as text). With `source`, the key  |
 * |                  |          | that re-imports update.                                                         |
 * | `source`         | no       | where it came from (`pagerduty`, `opsgenie`, …); default `import`               |
 * | `title`          | yes      | text                                                                            |
 * | `severity`       | no       | as given: `SEV1`, `P2`, `critical` …                                            |
 * | `started_at`     | yes      | ISO 8601 date-time WITH a zone: `2026-03-01T10:00:00Z`, `…+02:00`. A date alone |
 * |                  |          | or a time without zone is rejected.                                             |
 * | `resolved_at`    | no       | same form; not before `started_at`                                              |
 * | `env`            | no       | default: the configured `env` (`production`)                                    |
 * | `service`        | no       | text                                                                            |
 * | `module`         | no       | text                                                                            |
 * | `status`         | no       | lower-cased; default `resolved` when `resolved_at` is set, else `open`          |
 * | `files`          | no       | repository paths: a JSON array, or one text cell separated by `;`               |
 * | `stack_frames`   | no       | frames such as `at charge (src/payments/charge.ts:88:12)`,                      |
 * |                  |          | `File "app/charge.py", line 88, in charge`, `src/charge.ts:88`,                 |
 * |                  |          | `com.acme.Charge.run(Charge.java:88)`, Go and Ruby frames: a JSON array or a    |
 * |                  |          | `;`-separated cell (each must be a frame), or one multi-line text, e.g. a pasted |
 * |                  |          | trace (lines that are not frames are skipped; at least one must be)             |
 * | `fix_sha`        | no       | hex, 7–40 characters; stored as the full sha when one known commit starts with  |
 * | `root_cause_sha` | no       | it, else as given                                                               |
 * | `url`, `summary` | no       | text                                                                            |
 *
 * `startedAt`, `resolvedAt`, `fixSha`, `rootCauseSha` and `stackFrames` are accepted for their snake_case names;
 * any other field is rejected, so a typo cannot silently drop data. Empty text and `null` count as absent.
 * Re-importing merges: fields present overwrite, absent ones keep what is stored; `files` and `stack_frames`,
 * when present, replace the stored ones of their kind.
 *
 * Post-mortems: a `.md` file whose front matter holds the same fields (only `id` required when it enriches an
 * incident in the same import or the database; otherwise `title` and `started_at` too). The body becomes
 * `summary` unless the front matter sets one. Without `source`, the post-mortem attaches to the one incident
 * with that id, whatever its source.
 */
export const INCIDENT_FIELDS = [
  'id',
  'source',
  'title',
  'severity',
  'started_at',
  'resolved_at',
  'env',
  'service',
  'module',
  'status',
  'files',
  'stack_frames',
  'fix_sha',
  'root_cause_sha',
  'url',
  'summary',
] as const;

export const FIELD_ALIASES: Readonly<Record<string, (typeof INCIDENT_FIELDS)[number]>> = {
  startedAt: 'started_at',
  resolvedAt: 'resolved_at',
  fixSha: 'fix_sha',
  rootCauseSha: 'root_cause_sha',
  stackFrames: 'stack_frames',
};

const text = (field: string) => z.string({ error: `${field} must be text` }).transform((v) => v.trim());

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** ISO 8601 with a zone → unix ms; the messages say how to write it, since a guessed zone shifts attribution. */
const dateTime = (field: string) =>
  z
    .string({ error: `${field} must be an ISO 8601 date-time text such as 2026-03-01T10:00:00Z` })
    .transform((raw, ctx) => {
      const v = raw.trim();
      const m = ISO_DATE_TIME.exec(v);
      if (!m) {
        let message = `'${v}' is not an ISO 8601 date-time with a zone; write e.g. 2026-03-01T10:00:00Z or 2026-03-01T12:00:00+02:00`;
        if (/^\d{4}-\d{2}-\d{2}$/.test(v))
          message = `'${v}' is a date without a time; write a date-time with a zone, e.g. ${v}T00:00:00Z`;
        else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i.test(v))
          message = `'${v}' has no time zone; append Z for UTC or the offset it was recorded in, e.g. ${v.replace(' ', 'T')}Z or ${v.replace(' ', 'T')}+02:00`;
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as number[];
      const day = new Date(Date.UTC(y!, mo! - 1, d!));
      const ms = Date.parse(
        v
          .toUpperCase()
          .replace(' ', 'T')
          .replace(',', '.')
          .replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
          .replace(/([+-]\d{2})$/, '$1:00'),
      );
      if (
        day.getUTCMonth() !== mo! - 1 ||
        day.getUTCDate() !== d ||
        h! > 23 ||
        mi! > 59 ||
        s! > 59 ||
        Number.isNaN(ms)
      ) {
        ctx.addIssue({ code: 'custom', message: `'${v}' is not a real date-time; write e.g. 2026-03-01T10:00:00Z` });
        return z.NEVER;
      }
      return ms;
    });

const sha = (field: string) =>
  z
    .union([z.string(), z.number()], { error: `${field} must be a commit sha (7–40 hex characters)` })
    .transform((raw, ctx) => {
      const v = String(raw).trim().toLowerCase();
      if (!/^[0-9a-f]{7,40}$/.test(v)) {
        ctx.addIssue({
          code: 'custom',
          message: `'${v}' is not a commit sha; write 7–40 hex characters, e.g. the output of git rev-parse --short HEAD`,
        });
        return z.NEVER;
      }
      return v;
    });

/** A JSON array of strings, or one text split on `;` (CSV cells cannot hold arrays). */
const list = (field: string) =>
  z
    .union([z.string(), z.array(z.string())], { error: `${field} must be a list of texts or one text separated by ;` })
    .transform((v) => (Array.isArray(v) ? v : v.split(';')).map((s) => s.trim()).filter((s) => s !== ''));

const stackFrames = z
  .union([z.string(), z.array(z.string())], {
    error: 'stack_frames must be a list of frame texts, one text separated by ;, or one multi-line text',
  })
  .transform((v, ctx) => {
    // A multi-line text is a pasted trace: skip its message lines. Listed entries must each be a frame.
    if (typeof v === 'string' && /\r?\n/.test(v)) {
      const frames = parseFrames(v);
      if (frames.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'no stack frame found in this text; ' + FRAME_HINT });
        return z.NEVER;
      }
      return frames;
    }
    const entries = (Array.isArray(v) ? v.flatMap((s) => s.split(/\r?\n/)) : v.split(';'))
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const frames: Frame[] = [];
    entries.forEach((entry) => {
      const f = parseFrame(entry);
      if (f) frames.push(f);
      else ctx.addIssue({ code: 'custom', message: `'${entry}' is not a stack frame; ${FRAME_HINT}` });
    });
    return frames;
  });

const FRAME_HINT =
  'write e.g. "at charge (src/payments/charge.ts:88:12)", "src/payments/charge.ts:88", ' +
  '"File "app/charge.py", line 88, in charge" or "com.acme.Charge.run(Charge.java:88)"';

/** zod at the door for one row; optional fields stay optional here, `source`/`status`/`env` defaults come later. */
export const incidentRowSchema = z.strictObject({
  id: z
    .union([z.string(), z.number()], { error: 'id must be text, e.g. INC-101' })
    .transform((v) => String(v).trim())
    .pipe(z.string().min(1, 'id is empty; give the incident id from its source, e.g. INC-101')),
  source: text('source').optional(),
  title: text('title').optional(),
  severity: z
    .union([z.string(), z.number()], { error: 'severity must be text, e.g. SEV1' })
    .transform((v) => String(v).trim())
    .optional(),
  started_at: dateTime('started_at').optional(),
  resolved_at: dateTime('resolved_at').optional(),
  env: text('env').optional(),
  service: text('service').optional(),
  module: text('module').optional(),
  status: text('status')
    .transform((v) => v.toLowerCase())
    .optional(),
  files: list('files')
    .transform((v) => v.map(normalisePath).filter((p) => p !== ''))
    .optional(),
  stack_frames: stackFrames.optional(),
  fix_sha: sha('fix_sha').optional(),
  root_cause_sha: sha('root_cause_sha').optional(),
  url: text('url').optional(),
  summary: z.string({ error: 'summary must be text' }).optional(),
});

export type IncidentRowInput = z.output<typeof incidentRowSchema>;

/** A validated row, or the problems found in it (field → message), fields named as the row wrote them. */
export type RowCheck =
  | { ok: true; row: IncidentRowInput; fields: Record<string, string> }
  | { ok: false; problems: { field: string; message: string }[]; fields: Record<string, string> };

/**
 * Validates one raw object and redacts secrets from its texts. `required` lists fields that must be present
 * (title and started_at for rows; post-mortems check theirs once they know whether they enrich a known incident).
 * Every incident door (file import, webhooks, the GitHub ingest) reads rows through here, so none stores a secret.
 */
export function checkIncidentRow(raw: unknown, required: readonly string[] = ['title', 'started_at']): RowCheck {
  const fields: Record<string, string> = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      fields,
      problems: [{ field: '(row)', message: 'expected an object with id, title, started_at …' }],
    };
  }
  const problems: { field: string; message: string }[] = [];
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = key.trim();
    const canonical = FIELD_ALIASES[name] ?? name;
    if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) continue;
    if (canonical in input) {
      problems.push({
        field: name,
        message: `both ${fields[canonical]} and ${name} are set; keep one`,
      });
      continue;
    }
    fields[canonical] = name;
    input[canonical] = value;
  }
  const missing = ['id', ...required].filter((field) => !(field in input));
  for (const field of missing) problems.push({ field, message: missingMessage(field) });
  const parsed = incidentRowSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push({ field: key, message: unknownFieldMessage(key) });
        continue;
      }
      const [head, ...rest] = issue.path;
      if (missing.includes(String(head))) continue;
      const field = String(fields[String(head)] ?? head ?? '(row)') + rest.map((p) => `[${String(p)}]`).join('');
      problems.push({ field, message: issue.message });
    }
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems, fields };
  return { ok: true, row: redactIncidentRow(parsed.data), fields };
}

/** Every text an incident keeps, redacted. `id` and `source` are keys from the source system and stay as sent. */
function redactIncidentRow(row: IncidentRowInput): IncidentRowInput {
  const r = new Redactor();
  const out = { ...row };
  for (const k of ['title', 'severity', 'env', 'service', 'module', 'status', 'url', 'summary'] as const) {
    out[k] = r.optional(row[k]);
  }
  if (row.files) out.files = r.list(row.files);
  if (row.stack_frames) out.stack_frames = row.stack_frames.map((f) => ({ ...f, path: r.text(f.path) }));
  return out;
}

export function missingMessage(field: string): string {
  switch (field) {
    case 'id':
      return 'id is required: the incident id from its source, e.g. INC-101';
    case 'title':
      return 'title is required: a one-line description of the incident';
    case 'started_at':
      return 'started_at is required: when the incident began, e.g. 2026-03-01T10:00:00Z';
    default:
      return `${field} is required`;
  }
}

export function unknownFieldMessage(key: string): string {
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const near = INCIDENT_FIELDS.find((f) => squash(f) === squash(key));
  return (
    `unknown field '${key}'` +
    (near ? `; did you mean '${near}'?` : '') +
    `; known fields: ${INCIDENT_FIELDS.join(', ')}`
  );
}
