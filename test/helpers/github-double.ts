import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

/**
 * A local stand-in for the GitHub REST API on 127.0.0.1. Every request is checked against GitHub's published
 * OpenAPI description (@octokit/openapi): the path and method must exist, path/query parameters and the JSON body
 * must validate against the operation's schemas (ajv). Anything else is answered 4xx and recorded in `violations`
 * (tests assert it stays empty). Answers are built from the description's own examples with ids, shas and times
 * replaced, and are validated against the operation's response schema before they are sent, so their shapes are
 * GitHub's. Pagination (Link), ETags (304), auth (401) and rate limits (403/429) behave like GitHub's.
 */

// ------------------------------------------------------------------------------------------- the description

type Json = Record<string, unknown>;
interface Param {
  name: string;
  in: string;
  required?: boolean;
  schema?: Json;
}
interface Operation {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  /** literal characters in the template: the more, the more specific (`/pulls/comments` over `/pulls/{n}`) */
  weight: number;
  operationId: string;
  parameters: Param[];
  body?: Json;
  responses: Json;
}

interface Spec {
  doc: { paths: Record<string, Record<string, Json>>; components: Record<string, Record<string, Json>> };
  operations: Operation[];
  validators: Map<string, ValidateFunction>;
  compile(schema: Json): ValidateFunction;
  compileParam(schema: Json): ValidateFunction;
}

let loaded: Spec | undefined;

/** Parsed and prepared once per test file (the description is 13 MB). */
function spec(): Spec {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  // Parsed here rather than require()d: we rewrite `nullable`, and must not touch a shared module cache.
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Spec['doc'];
  openApiNullable(doc.components['schemas']);
  openApiNullable(doc.components['parameters']);
  // The description's deployment-status enum omits `waiting`, which GitHub sends while a deployment waits for an
  // environment's required reviewers (GraphQL's DeploymentStatusState documents WAITING; see badges/shields#8521).
  const statusState = (
    doc.components['schemas']?.['deployment-status'] as { properties: { state: { enum: string[] } } }
  ).properties.state;
  statusState.enum = [...statusState.enum, 'waiting'];
  const AjvModule = require('ajv') as { default: new (o: Json) => AjvLike };
  const addFormats = require('ajv-formats') as { default: (a: AjvLike) => void };
  const options = {
    strict: false,
    allErrors: true,
    logger: false,
    formats: { 'repo.nwo': /^[\w.-]+\/[\w.-]+$/ },
  };
  const ajv = new AjvModule.default(options);
  addFormats.default(ajv);
  ajv.addSchema({ components: { schemas: doc.components['schemas'] } }, 'gh');
  // Query and path values arrive as text: coerce them to the declared type before validating.
  const params = new AjvModule.default({ ...options, coerceTypes: true });
  addFormats.default(params);
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    const names: string[] = [];
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    for (const [method, raw] of Object.entries(methods)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      const op = raw as { operationId: string; parameters?: Json[]; requestBody?: Json; responses: Json };
      const body = deref(doc, op.requestBody) as { content?: Record<string, { schema?: Json }> } | undefined;
      operations.push({
        method: method.toUpperCase(),
        template,
        regex: new RegExp(`^${pattern}$`),
        names,
        weight: template.replace(/\{[^}]+\}/g, '').length,
        operationId: op.operationId,
        parameters: (op.parameters ?? []).map((p) => deref(doc, p) as unknown as Param),
        ...(body?.content?.['application/json']?.schema ? { body: body.content['application/json'].schema } : {}),
        responses: op.responses,
      });
    }
  }
  const validators = new Map<string, ValidateFunction>();
  const cached = (a: AjvLike, key: string, schema: Json) => {
    let v = validators.get(key);
    if (!v) validators.set(key, (v = a.compile(rebase(schema))));
    return v;
  };
  loaded = {
    doc,
    operations,
    validators,
    compile: (schema) => cached(ajv, `r:${JSON.stringify(schema)}`, schema),
    compileParam: (schema) => cached(params, `p:${JSON.stringify(schema)}`, schema),
  };
  return loaded;
}

interface AjvLike {
  addSchema(schema: Json, key: string): void;
  compile(schema: Json): ValidateFunction;
}

/** `#/components/...` → `gh#/components/...`, so operation schemas compile against the shared components. */
function rebase(schema: Json): Json {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"gh#/')) as Json;
}

function deref(doc: Spec['doc'], value: unknown): Json | undefined {
  let v = value as Json | undefined;
  while (v && typeof v['$ref'] === 'string') {
    const parts = (v['$ref'] as string).replace(/^#\//, '').split('/');
    v = parts.reduce<unknown>((o, k) => (o as Json | undefined)?.[k], doc) as Json | undefined;
  }
  return v;
}

/** OpenAPI 3.0 `nullable: true` → JSON Schema (ajv accepts `nullable` only next to `type`). */
function openApiNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) openApiNullable(n);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Json;
  for (const v of Object.values(o)) openApiNullable(v);
  if (o['nullable'] !== true) return;
  delete o['nullable'];
  if (typeof o['type'] === 'string') {
    o['type'] = [o['type'], 'null'];
    if (Array.isArray(o['enum']) && !o['enum'].includes(null)) o['enum'] = [...(o['enum'] as unknown[]), null];
    return;
  }
  const rest = { ...o };
  for (const k of Object.keys(o)) delete o[k];
  o['anyOf'] = [rest, { type: 'null' }];
}

/** The description's example for an operation's answer (or a named component example), deep-copied. */
function example(name: string): Json {
  const e = spec().doc.components['examples']?.[name] as { value?: unknown } | undefined;
  if (!e?.value) throw new Error(`no example '${name}' in the OpenAPI description`);
  return structuredClone(e.value) as Json;
}

// Where the description's parameter schema contradicts GitHub's documented behaviour.
// `created` is declared date-time but takes search syntax (`>=2026-01-01`, `2026-01-01..2026-02-01`).
const PARAM_CORRECTIONS: Record<string, Record<string, RegExp>> = {
  'actions/list-workflow-runs-for-repo': {
    created:
      /^(?:[<>]=?)?\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))?(?:\.\.\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))?)?$/,
  },
};

// ------------------------------------------------------------------------------------------- the state

export interface DeploymentSpec {
  sha: string;
  environment?: string;
  createdAt: string;
  /** oldest first, as they happened */
  statuses: { state: string; at: string }[];
}
export interface ReleaseSpec {
  tag: string;
  createdAt: string;
  publishedAt?: string | null;
  draft?: boolean;
  prerelease?: boolean;
}
export interface RunSpec {
  headSha: string;
  name?: string;
  branch?: string;
  /** push, pull_request, workflow_dispatch …; default push */
  event?: string;
  status: string;
  conclusion?: string | null;
  createdAt: string;
  updatedAt?: string;
  /** its jobs (GET …/actions/runs/{id}/jobs); default none */
  jobs?: JobSpec[];
}
export interface JobSpec {
  name: string;
  conclusion: string | null;
  startedAt: string;
  completedAt?: string;
  /** the step that failed (the job's other steps succeeded) */
  failedStep?: string;
}
export interface PullSpec {
  number?: number;
  title: string;
  body?: string | null;
  author?: string;
  state?: 'open' | 'closed';
  draft?: boolean;
  headRef: string;
  baseRef?: string;
  createdAt: string;
  updatedAt?: string;
  closedAt?: string | null;
  mergedAt?: string | null;
  mergeSha?: string | null;
  commits?: string[];
}
export interface IssueSpec {
  number?: number;
  title: string;
  body?: string | null;
  labels?: string[];
  state?: 'open' | 'closed';
  createdAt: string;
  updatedAt?: string;
  closedAt?: string | null;
  /** GitHub lists pull requests among issues */
  pullRequest?: boolean;
}

interface Deployment extends DeploymentSpec {
  id: number;
  statusIds: number[];
}
interface Release extends ReleaseSpec {
  id: number;
}
interface Run extends RunSpec {
  id: number;
}
interface Pull extends PullSpec {
  number: number;
}
interface Issue extends IssueSpec {
  number: number;
}
/** A comment on an issue or a pull request's conversation (GitHub keeps both as issue comments). */
export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  operationId?: string;
  status: number;
  body?: unknown;
}

export interface DoubleOptions {
  owner?: string;
  repo?: string;
  token?: string;
  /** Serve under a path prefix, as GitHub Enterprise Server does (`/api/v3`). */
  prefix?: string;
  /** A bare repository acting as the remote: creating a pull request needs its head branch there. */
  remote?: string;
}

export interface GithubDouble {
  /** The API root to give Octokit as baseUrl. */
  baseUrl: string;
  owner: string;
  repo: string;
  token: string;
  requests: RecordedRequest[];
  /** Requests or answers that broke the OpenAPI description. A test passes only when this is empty. */
  violations: string[];
  addDeployment(d: DeploymentSpec): number;
  /** Appends a status (a deploy that finished after the first sync). */
  addDeploymentStatus(id: number, state: string, at: string): void;
  addRelease(r: ReleaseSpec): number;
  addRun(r: RunSpec): number;
  addPull(p: PullSpec): number;
  addIssue(i: IssueSpec): number;
  /** A comment already on issue/PR `number` (as a person, or an earlier run, left it). */
  addComment(number: number, body: string, author?: string): number;
  comments(): CommentRecord[];
  pulls(): Pull[];
  /** The next `times` requests get a rate-limit answer. */
  rateLimit(o: { kind: 'primary' | 'secondary'; status?: 403 | 429; times?: number }): void;
  /** The next `times` requests fail with this status (e.g. 502). */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

// ------------------------------------------------------------------------------------------- the server

export async function startGithubDouble(options: DoubleOptions = {}): Promise<GithubDouble> {
  const s = spec();
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'shop';
  const token = options.token ?? 'ghp_double_token_0123456789';
  const prefix = options.prefix ?? '';
  const deployments: Deployment[] = [];
  const statuses = new Map<number, { id: number; state: string; at: string }>();
  const releases: Release[] = [];
  const runs: Run[] = [];
  const pulls: Pull[] = [];
  const issues: Issue[] = [];
  const comments: CommentRecord[] = [];
  let nextId = 1000;
  let nextNumber = 1;
  const faults: { status: number; kind: 'primary' | 'secondary' | 'error' }[] = [];
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  let base = '';
  // Link URLs repeat the path parameters of the request being answered.
  let currentParams: Record<string, string> = {};

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      violations.push(`double crashed on ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
      send(res, 500, { message: 'double crashed' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    const query = Object.fromEntries(url.searchParams);
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, status: 0 };
    requests.push(rec);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      rec.status = status;
      send(res, status, body, headers);
    };
    const refuse = (status: number, message: string) => {
      violations.push(`${rec.method} ${url.pathname}${url.search}: ${message}`);
      answer(status, { message, documentation_url: 'https://docs.github.com/rest' });
    };

    if (!url.pathname.startsWith(prefix)) return refuse(404, `outside the API prefix ${prefix}`);
    const path = url.pathname.slice(prefix.length) || '/';
    const candidates = s.operations.filter((o) => o.regex.test(path)).sort((a, b) => b.weight - a.weight);
    if (candidates.length === 0) return refuse(404, `no path ${path} in GitHub's OpenAPI description`);
    const op = candidates.find((o) => o.method === rec.method);
    if (!op) return refuse(404, `${rec.method} is not an operation of ${candidates[0]!.template}`);
    rec.operationId = op.operationId;

    const problems = checkRequest(op, path, query, text, rec);
    if (problems.length > 0) {
      violations.push(`${rec.method} ${url.pathname}${url.search} (${op.operationId}): ${problems.join('; ')}`);
      return answer(422, {
        message: 'Validation Failed',
        errors: problems.map((p) => ({ resource: op.operationId, code: 'invalid', message: p })),
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${token}` && auth !== `Bearer ${token}`) {
      return answer(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    }
    const fault = faults.shift();
    if (fault) return sendFault(fault, answer);

    const params = Object.fromEntries(op.names.map((n, i) => [n, decodeURIComponent(op.regex.exec(path)![i + 1]!)]));
    if (params['owner'] !== owner || params['repo'] !== repo) {
      return answer(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    }
    currentParams = params;
    const result = route(op, params, query, rec.body);
    if (result.status >= 400) return answer(result.status, result.body);
    // What we answer must itself match the description: the shapes are GitHub's, not ours.
    const schema = (
      deref(s.doc, op.responses[String(result.status)]) as { content?: Record<string, { schema?: Json }> }
    )?.content?.['application/json']?.schema;
    if (schema) {
      const validate = s.compile(schema);
      if (!validate(result.body)) {
        violations.push(`double answered ${op.operationId} off the description: ${ajvText(validate)}`);
      }
    }
    const headers: Record<string, string> = { ...result.headers };
    const body = JSON.stringify(result.body);
    const etag = `W/"${createHash('sha1').update(body).digest('hex')}"`;
    headers['etag'] = etag;
    if (req.headers['if-none-match'] === etag) {
      rec.status = 304;
      res.writeHead(304, { etag, ...rateHeaders(4999) });
      res.end();
      return;
    }
    answer(result.status, result.body, headers);
  }

  function checkRequest(
    op: Operation,
    path: string,
    query: Record<string, string>,
    text: string,
    rec: RecordedRequest,
  ) {
    const problems: string[] = [];
    const values: Record<string, string | undefined> = { ...query };
    const m = op.regex.exec(path)!;
    op.names.forEach((n, i) => (values[`path:${n}`] = decodeURIComponent(m[i + 1]!)));
    const corrections = PARAM_CORRECTIONS[op.operationId] ?? {};
    for (const p of op.parameters) {
      if (p.in !== 'query' && p.in !== 'path') continue;
      const value = p.in === 'path' ? values[`path:${p.name}`] : query[p.name];
      if (value === undefined) {
        if (p.required) problems.push(`${p.in} parameter ${p.name} is required`);
        continue;
      }
      const corrected = corrections[p.name];
      if (corrected) {
        if (!corrected.test(value)) problems.push(`${p.name}='${value}' does not match ${corrected}`);
        continue;
      }
      const holder = { v: value as unknown };
      const validate = s.compileParam({ type: 'object', properties: { v: p.schema ?? {} } });
      if (!validate(holder)) problems.push(`${p.in} parameter ${p.name}='${value}': ${ajvText(validate)}`);
    }
    const declared = new Set(op.parameters.filter((p) => p.in === 'query').map((p) => p.name));
    for (const k of Object.keys(query)) if (!declared.has(k)) problems.push(`unknown query parameter ${k}`);
    if (text !== '') {
      if (!op.body) problems.push('this operation takes no body');
      else {
        try {
          rec.body = JSON.parse(text);
          const validate = s.compile(op.body);
          if (!validate(rec.body)) problems.push(`body: ${ajvText(validate)}`);
        } catch {
          problems.push('body is not JSON');
        }
      }
    } else if (op.body && ['POST', 'PATCH', 'PUT'].includes(op.method)) {
      const required = (deref(s.doc, s.doc.paths[op.template]?.[op.method.toLowerCase()]?.['requestBody']) as Json)?.[
        'required'
      ];
      if (required) problems.push('a JSON body is required');
    }
    return problems;
  }

  interface Result {
    status: number;
    body: unknown;
    headers?: Record<string, string>;
  }

  function route(op: Operation, params: Record<string, string>, q: Record<string, string>, body: unknown): Result {
    switch (op.operationId) {
      case 'repos/list-deployments': {
        const list = deployments
          .filter((d) => !q['environment'] || d.environment === q['environment'])
          .filter((d) => !q['sha'] || d.sha === q['sha'])
          .sort((a, b) => b.id - a.id);
        return page(list.map(renderDeployment), q, op);
      }
      case 'repos/list-deployment-statuses': {
        const d = deployments.find((x) => x.id === Number(params['deployment_id']));
        if (!d) return notFound();
        const list = d.statusIds
          .map((id) => statuses.get(id)!)
          .sort((a, b) => b.id - a.id)
          .map((st) => renderStatus(d, st));
        return page(list, q, op);
      }
      case 'repos/list-releases':
        return page(
          [...releases].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id).map(renderRelease),
          q,
          op,
        );
      case 'actions/list-workflow-runs-for-repo': {
        const list = runs
          .filter((r) => createdMatches(r.createdAt, q['created']))
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
          .map(renderRun);
        const p = page(list, q, op);
        return { ...p, body: { total_count: list.length, workflow_runs: p.body } };
      }
      case 'actions/list-jobs-for-workflow-run': {
        const r = runs.find((x) => x.id === Number(params['run_id']));
        if (!r) return notFound();
        const list = (r.jobs ?? []).map((j, i) => renderJob(r, j, i));
        const p = page(list, q, op);
        return { ...p, body: { total_count: list.length, jobs: p.body } };
      }
      case 'pulls/list': {
        const state = q['state'] ?? 'open';
        const sort = q['sort'] ?? 'created';
        const dir = q['direction'] ?? (sort === 'created' ? 'desc' : 'asc');
        const key = (p: Pull) => (sort === 'updated' ? (p.updatedAt ?? p.createdAt) : p.createdAt);
        const list = pulls
          .filter((p) => state === 'all' || (p.state ?? 'open') === state)
          .filter((p) => !q['head'] || `${owner}:${p.headRef}` === q['head'] || p.headRef === q['head'])
          .filter((p) => !q['base'] || (p.baseRef ?? 'main') === q['base'])
          .sort((a, b) => (dir === 'asc' ? 1 : -1) * (key(a).localeCompare(key(b)) || a.number - b.number));
        return page(list.map(renderPullSimple), q, op);
      }
      case 'pulls/get': {
        const p = pulls.find((x) => x.number === Number(params['pull_number']));
        return p ? { status: 200, body: renderPull(p) } : notFound();
      }
      case 'pulls/list-commits': {
        const p = pulls.find((x) => x.number === Number(params['pull_number']));
        return p ? page((p.commits ?? []).map(renderCommit), q, op) : notFound();
      }
      case 'pulls/create': {
        const b = body as { title?: string; head: string; base: string; body?: string; draft?: boolean };
        const head = b.head.includes(':') ? b.head.split(':')[1]! : b.head;
        if (options.remote && !branchExists(options.remote, head)) {
          return invalid('PullRequest', 'head', 'invalid');
        }
        if (options.remote && !branchExists(options.remote, b.base)) return invalid('PullRequest', 'base', 'invalid');
        if (pulls.some((p) => (p.state ?? 'open') === 'open' && p.headRef === head)) {
          return {
            status: 422,
            body: {
              message: 'Validation Failed',
              errors: [
                {
                  resource: 'PullRequest',
                  code: 'custom',
                  message: `A pull request already exists for ${owner}:${head}.`,
                },
              ],
              documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
            },
          };
        }
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const number = addPull({
          title: b.title ?? '',
          body: b.body ?? null,
          headRef: head,
          baseRef: b.base,
          draft: b.draft === true,
          createdAt: now,
          author: 'hindsight-bot',
        });
        const created = pulls.find((p) => p.number === number)!;
        return {
          status: 201,
          body: renderPull(created),
          headers: { location: `${base}/repos/${owner}/${repo}/pulls/${number}` },
        };
      }
      case 'pulls/update': {
        const p = pulls.find((x) => x.number === Number(params['pull_number']));
        if (!p) return notFound();
        const b = body as { title?: string; body?: string; state?: 'open' | 'closed'; base?: string };
        if (b.title !== undefined) p.title = b.title;
        if (b.body !== undefined) p.body = b.body;
        if (b.state !== undefined) p.state = b.state;
        if (b.base !== undefined) p.baseRef = b.base;
        p.updatedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        return { status: 200, body: renderPull(p) };
      }
      case 'repos/list-pull-requests-associated-with-commit': {
        const sha = params['commit_sha']!;
        const list = pulls.filter((p) => p.mergeSha === sha || (p.commits ?? []).includes(sha));
        if (list.length === 0 && !/^[0-9a-f]{7,40}$/.test(sha)) return invalid('Commit', 'sha', 'invalid');
        return page(list.map(renderPullSimple), q, op);
      }
      case 'issues/list-comments': {
        const n = Number(params['issue_number']);
        if (!pulls.some((p) => p.number === n) && !issues.some((i) => i.number === n)) return notFound();
        return page(
          comments.filter((c) => c.issueNumber === n).map((c) => renderComment(c)),
          q,
          op,
        );
      }
      case 'issues/create-comment': {
        const n = Number(params['issue_number']);
        if (!pulls.some((p) => p.number === n) && !issues.some((i) => i.number === n)) return notFound();
        const id = addComment(n, (body as { body: string }).body, 'hindsight-bot');
        const c = comments.find((x) => x.id === id)!;
        return { status: 201, body: renderComment(c), headers: { location: `${repoUrl()}/issues/comments/${id}` } };
      }
      case 'issues/update-comment': {
        const c = comments.find((x) => x.id === Number(params['comment_id']));
        if (!c) return notFound();
        c.body = (body as { body: string }).body;
        c.updatedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        return { status: 200, body: renderComment(c) };
      }
      case 'issues/list-for-repo': {
        const state = q['state'] ?? 'open';
        const wanted = (q['labels'] ?? '')
          .split(',')
          .map((l) => l.trim().toLowerCase())
          .filter(Boolean);
        const sort = q['sort'] ?? 'created';
        const dir = q['direction'] ?? 'desc';
        const key = (i: Issue) => (sort === 'updated' ? (i.updatedAt ?? i.createdAt) : i.createdAt);
        const list = issues
          .filter((i) => state === 'all' || (i.state ?? 'open') === state)
          .filter((i) => wanted.every((w) => (i.labels ?? []).some((l) => l.toLowerCase() === w)))
          .filter((i) => !q['since'] || Date.parse(i.updatedAt ?? i.createdAt) >= Date.parse(q['since']))
          .sort((a, b) => (dir === 'asc' ? 1 : -1) * (key(a).localeCompare(key(b)) || a.number - b.number));
        return page(list.map(renderIssue), q, op);
      }
      default:
        violations.push(`the double does not implement ${op.operationId} (${op.method} ${op.template})`);
        return { status: 501, body: { message: `not implemented by the double: ${op.operationId}` } };
    }
  }

  function notFound(): Result {
    return {
      status: 404,
      body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
    };
  }

  function invalid(resource: string, field: string, code: string): Result {
    return {
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ resource, field, code }],
        documentation_url: 'https://docs.github.com/rest',
      },
    };
  }

  /** GitHub's pagination: per_page (default 30, max 100), page, and a Link header with next/last/prev/first. */
  function page(all: unknown[], q: Record<string, string>, op: Operation): Result {
    const perPage = Math.min(100, Number(q['per_page'] ?? 30));
    const current = Math.max(1, Number(q['page'] ?? 1));
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const link = (n: number) => {
      const u = new URL(`${base}${op.template.replace(/\{(\w+)\}/g, (_m, k: string) => currentParams[k] ?? '')}`);
      for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
      u.searchParams.set('page', String(n));
      return `<${u.toString()}>`;
    };
    const rels: string[] = [];
    if (current < last) rels.push(`${link(current + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (current > 1) rels.push(`${link(1)}; rel="first"`, `${link(current - 1)}; rel="prev"`);
    return {
      status: 200,
      body: all.slice((current - 1) * perPage, current * perPage),
      headers: rels.length > 0 ? { link: rels.join(', ') } : {},
    };
  }

  // ----------------------------------------------------------------------------------------- renderers

  function repoUrl(): string {
    return `${base}/repos/${owner}/${repo}`;
  }

  function renderDeployment(d: Deployment): Json {
    const t = (example('deployment-items') as unknown as Json[])[0]!;
    return {
      ...t,
      id: d.id,
      node_id: `DE_${d.id}`,
      url: `${repoUrl()}/deployments/${d.id}`,
      sha: d.sha,
      ref: d.sha,
      environment: d.environment ?? 'production',
      original_environment: d.environment ?? 'production',
      created_at: d.createdAt,
      updated_at: d.statuses.at(-1)?.at ?? d.createdAt,
      statuses_url: `${repoUrl()}/deployments/${d.id}/statuses`,
      repository_url: repoUrl(),
    };
  }

  function renderStatus(d: Deployment, st: { id: number; state: string; at: string }): Json {
    const t = (example('deployment-status-items') as unknown as Json[])[0]!;
    return {
      ...t,
      id: st.id,
      node_id: `DES_${st.id}`,
      url: `${repoUrl()}/deployments/${d.id}/statuses/${st.id}`,
      state: st.state,
      environment: d.environment ?? 'production',
      created_at: st.at,
      updated_at: st.at,
      deployment_url: `${repoUrl()}/deployments/${d.id}`,
      repository_url: repoUrl(),
    };
  }

  function renderRelease(r: Release): Json {
    const t = (example('release-items') as unknown as Json[])[0]!;
    return {
      ...t,
      id: r.id,
      node_id: `RE_${r.id}`,
      url: `${repoUrl()}/releases/${r.id}`,
      tag_name: r.tag,
      name: r.tag,
      draft: r.draft === true,
      prerelease: r.prerelease === true,
      created_at: r.createdAt,
      published_at: r.draft ? null : (r.publishedAt ?? r.createdAt),
    };
  }

  function renderRun(r: Run): Json {
    const t = (example('workflow-run-paginated')['workflow_runs'] as Json[])[0]!;
    return {
      ...t,
      id: r.id,
      node_id: `WFR_${r.id}`,
      name: r.name ?? 'CI',
      head_sha: r.headSha,
      head_branch: r.branch ?? 'main',
      event: r.event ?? 'push',
      status: r.status,
      conclusion: r.conclusion ?? null,
      created_at: r.createdAt,
      run_started_at: r.createdAt,
      updated_at: r.updatedAt ?? r.createdAt,
      html_url: `https://github.com/${owner}/${repo}/actions/runs/${r.id}`,
      url: `${repoUrl()}/actions/runs/${r.id}`,
    };
  }

  function renderJob(r: Run, j: JobSpec, i: number): Json {
    const t = (example('job-paginated')['jobs'] as Json[])[0]!;
    const id = r.id * 100 + i;
    const step = (name: string, number: number, conclusion: string | null) => ({
      name,
      status: 'completed',
      conclusion,
      number,
      started_at: j.startedAt,
      completed_at: j.completedAt ?? j.startedAt,
    });
    return {
      ...t,
      id,
      run_id: r.id,
      node_id: `J_${id}`,
      head_sha: r.headSha,
      name: j.name,
      workflow_name: r.name ?? 'CI',
      head_branch: r.branch ?? 'main',
      status: j.completedAt ? 'completed' : 'in_progress',
      conclusion: j.conclusion,
      created_at: j.startedAt,
      started_at: j.startedAt,
      completed_at: j.completedAt ?? null,
      steps: [
        step('Set up job', 1, 'success'),
        ...(j.failedStep ? [step(j.failedStep, 2, 'failure'), step('Post job cleanup', 3, 'skipped')] : []),
      ],
      url: `${repoUrl()}/actions/jobs/${id}`,
      html_url: `https://github.com/${owner}/${repo}/actions/runs/${r.id}/job/${id}`,
      run_url: `${repoUrl()}/actions/runs/${r.id}`,
    };
  }

  function pullFields(p: Pull): Json {
    return {
      number: p.number,
      id: 5000 + p.number,
      node_id: `PR_${p.number}`,
      title: p.title,
      body: p.body ?? null,
      state: p.state ?? 'open',
      draft: p.draft === true,
      created_at: p.createdAt,
      updated_at: p.updatedAt ?? p.createdAt,
      closed_at: p.closedAt ?? (p.mergedAt ? p.mergedAt : null),
      merged_at: p.mergedAt ?? null,
      merge_commit_sha: p.mergeSha ?? null,
      html_url: `https://github.com/${owner}/${repo}/pull/${p.number}`,
      url: `${repoUrl()}/pulls/${p.number}`,
    };
  }

  function withRefs(t: Json, p: Pull): Json {
    const ref = (side: 'head' | 'base', name: string) => ({
      ...(t[side] as Json),
      ref: name,
      label: `${owner}:${name}`,
    });
    const user = { ...(t['user'] as Json), login: p.author ?? 'octocat' };
    return { head: ref('head', p.headRef), base: ref('base', p.baseRef ?? 'main'), user };
  }

  function renderPullSimple(p: Pull): Json {
    const t = (example('pull-request-simple-items') as unknown as Json[])[0]!;
    return { ...t, ...pullFields(p), ...withRefs(t, p), requested_teams: [] };
  }

  function renderPull(p: Pull): Json {
    const t = example('pull-request');
    return {
      ...t,
      ...pullFields(p),
      ...withRefs(t, p),
      // The published example's teams lack the required `type`; no reviewers keeps the answer on the schema.
      requested_teams: [],
      merged: p.mergedAt != null,
      mergeable: p.mergedAt != null ? null : true,
      merged_by: p.mergedAt != null ? t['merged_by'] : null,
      commits: p.commits?.length ?? 0,
    };
  }

  function renderCommit(sha: string): Json {
    const t = (example('commit-items') as unknown as Json[])[0]!;
    return { ...t, sha, node_id: `C_${sha.slice(0, 12)}`, url: `${repoUrl()}/commits/${sha}`, parents: [] };
  }

  function renderIssue(i: Issue): Json {
    const t = (example('issue-items') as unknown as Json[])[0]!;
    const labelTemplate = (t['labels'] as Json[])[0]!;
    const out: Json = {
      ...t,
      id: 7000 + i.number,
      node_id: `I_${i.number}`,
      number: i.number,
      title: i.title,
      body: i.body ?? null,
      state: i.state ?? 'open',
      labels: (i.labels ?? []).map((name, k) => ({ ...labelTemplate, id: 9000 + k, name, node_id: `LA_${k}` })),
      created_at: i.createdAt,
      updated_at: i.updatedAt ?? i.createdAt,
      closed_at: i.closedAt ?? null,
      html_url: `https://github.com/${owner}/${repo}/issues/${i.number}`,
      url: `${repoUrl()}/issues/${i.number}`,
    };
    if (i.pullRequest) {
      out['pull_request'] = {
        url: `${repoUrl()}/pulls/${i.number}`,
        html_url: `https://github.com/${owner}/${repo}/pull/${i.number}`,
        diff_url: `https://github.com/${owner}/${repo}/pull/${i.number}.diff`,
        patch_url: `https://github.com/${owner}/${repo}/pull/${i.number}.patch`,
      };
    } else delete out['pull_request'];
    return out;
  }

  function renderComment(c: CommentRecord): Json {
    const t = example('issue-comment');
    return {
      ...t,
      id: c.id,
      node_id: `IC_${c.id}`,
      body: c.body,
      user: { ...(t['user'] as Json), login: c.author },
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      html_url: `https://github.com/${owner}/${repo}/issues/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${repoUrl()}/issues/${c.issueNumber}`,
      url: `${repoUrl()}/issues/comments/${c.id}`,
    };
  }

  // ----------------------------------------------------------------------------------------- the API

  function addComment(number: number, body: string, author = 'octocat'): number {
    const id = nextId++;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    comments.push({ id, issueNumber: number, body, author, createdAt: now, updatedAt: now });
    return id;
  }

  function addPull(p: PullSpec): number {
    const number = p.number ?? nextNumber++;
    nextNumber = Math.max(nextNumber, number + 1);
    pulls.push({ ...p, number });
    return number;
  }

  return {
    baseUrl: base,
    owner,
    repo,
    token,
    requests,
    violations,
    addDeployment(d) {
      const id = nextId++;
      const dep: Deployment = { ...d, id, statusIds: [] };
      deployments.push(dep);
      for (const st of d.statuses) {
        const sid = nextId++;
        statuses.set(sid, { id: sid, state: st.state, at: st.at });
        dep.statusIds.push(sid);
      }
      return id;
    },
    addDeploymentStatus(id, state, at) {
      const dep = deployments.find((d) => d.id === id)!;
      const sid = nextId++;
      statuses.set(sid, { id: sid, state, at });
      dep.statusIds.push(sid);
      dep.statuses.push({ state, at });
    },
    addRelease(r) {
      const id = nextId++;
      releases.push({ ...r, id });
      return id;
    },
    addRun(r) {
      const id = nextId++;
      runs.push({ ...r, id });
      return id;
    },
    addPull,
    addIssue(i) {
      const number = i.number ?? nextNumber++;
      nextNumber = Math.max(nextNumber, number + 1);
      issues.push({ ...i, number });
      return number;
    },
    addComment,
    comments: () => comments,
    pulls: () => pulls,
    rateLimit({ kind, status = 403, times = 1 }) {
      for (let i = 0; i < times; i++) faults.push({ status, kind });
    },
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) faults.push({ status, kind: 'error' });
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

function rateHeaders(remaining: number, reset = Math.floor(Date.now() / 1000) + 3600): Record<string, string> {
  return {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(reset),
    'x-ratelimit-used': String(5000 - remaining),
    'x-ratelimit-resource': 'core',
  };
}

function sendFault(
  fault: { status: number; kind: 'primary' | 'secondary' | 'error' },
  answer: (status: number, body: unknown, headers?: Record<string, string>) => void,
): void {
  if (fault.kind === 'primary') {
    // Primary limit: remaining 0 until the reset (epoch seconds), as GitHub sends it.
    return answer(
      fault.status,
      {
        message:
          'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        status: String(fault.status),
      },
      rateHeaders(0, Math.floor(Date.now() / 1000) + 1),
    );
  }
  if (fault.kind === 'secondary') {
    return answer(
      fault.status,
      {
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
        documentation_url:
          'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        status: String(fault.status),
      },
      { ...rateHeaders(4000), 'retry-after': '1' },
    );
  }
  return answer(fault.status, { message: 'Server Error' });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-media-type': 'github.v3; format=json',
    ...rateHeaders(4999),
    ...headers,
  });
  res.end(text);
}

function ajvText(v: ValidateFunction): string {
  return (v.errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('; ');
}

function createdMatches(createdAt: string, filter: string | undefined): boolean {
  if (!filter) return true;
  const t = Date.parse(createdAt);
  const range = /^(.+)\.\.(.+)$/.exec(filter);
  if (range) return t >= Date.parse(range[1]!) && t <= Date.parse(range[2]!);
  const m = /^([<>]=?)?(.+)$/.exec(filter)!;
  const v = Date.parse(m[2]!);
  switch (m[1]) {
    case '>=':
      return t >= v;
    case '>':
      return t > v;
    case '<=':
      return t <= v;
    case '<':
      return t < v;
    default:
      return new Date(t).toISOString().slice(0, 10) === m[2]!.slice(0, 10);
  }
}

function branchExists(bare: string, branch: string): boolean {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: bare, stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
