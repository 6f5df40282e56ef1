// The `hindsight demo` inputs: a ~90-day team repository with human and agent commits, production and
// staging deploys (one failed, one rolled back) and incidents, above all a payments timeout that recurs
// three times until a fix lands. Everything is generated from code and a seeded PRNG: same build → same shas.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserInputError } from '../errors.js';
import { DemoRepo, initRepo, type CommitMeta, type Identity } from './scenario-git.js';
import { ADR_0002, initialFiles } from './scenario-files.js';
import { NoiseSource, type Owner } from './scenario-noise.js';
import { incidentPlans, postmortems, type IncidentPlan } from './scenario-incidents.js';
import * as story from './scenario-stories.js';
import { at, iso, prng } from './scenario-text.js';

export interface DemoDeploy {
  sha: string;
  env: 'production' | 'staging';
  service?: string;
  status: 'success' | 'failure';
  /** ISO with Z */
  at: string;
}

export interface Scenario {
  /** A normal (non-bare) git repository, branch main. */
  repoPath: string;
  /** In chronological order. */
  deploys: DemoDeploy[];
  /** JSON array of incidents (the incident importer's file format). */
  incidentsFile: string;
  /** Folder of post-mortem .md files with YAML front matter. */
  postmortemsDir: string;
  /** ISO: the scenario's "today" (two days after the last commit). */
  now: string;
  /** Pull requests as GitHub would list them for acme/shop (the write-back finds the causing one among them). */
  pullRequests: DemoPull[];
  /** Ground truth, for tests and for the demo to point at. */
  expected: {
    paymentsInducingSha: string;
    paymentsFixSha: string;
    paymentsIncidentIds: string[];
    revertedSha?: string;
    rolledBackDeployIndex?: number;
  };
}

const LAST_DAY = 89; // Saturday 2026-08-29
const NOW = Date.UTC(2026, 7, 31, 12, 0, 0);
const SEED = 0x5eed_2026;

const PEOPLE: Record<Owner, Identity> = {
  maya: { name: 'Maya Chen', email: 'maya@acme.dev' },
  jonas: { name: 'Jonas Weber', email: 'jonas@acme.dev' },
  daniel: { name: 'Daniel Okafor', email: 'daniel@acme.dev' },
  priya: { name: 'Priya Raman', email: 'priya@acme.dev' },
};
const CURSOR: Identity = { name: 'Cursor Agent', email: 'cursoragent@cursor.com' };
const COPILOT: Identity = { name: 'Copilot', email: '198982749+Copilot@users.noreply.github.com' };
const DEPENDABOT: Identity = { name: 'dependabot[bot]', email: '49699333+dependabot[bot]@users.noreply.github.com' };
const GITHUB: Identity = { name: 'GitHub', email: 'noreply@github.com' };

type Kind = 'human' | 'claude' | 'cursor' | 'copilot';

/** Author, committer and message in the shape each tool really leaves in git. */
function meta(kind: Kind, owner: Owner, when: number, subject: string, body?: string): CommitMeta {
  const human = PEOPLE[owner];
  const text = body ? `${subject}\n\n${body}\n` : `${subject}\n`;
  switch (kind) {
    case 'human':
      return { author: human, at: when, message: text };
    case 'claude':
      return {
        author: human,
        at: when,
        message: `${text}\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n`,
      };
    case 'cursor':
      return { author: CURSOR, at: when, message: text };
    case 'copilot':
      return {
        author: COPILOT,
        at: when,
        message: `${text}\nCo-authored-by: ${human.name} <${human.email}>\n`,
      };
  }
}

function mergeMeta(owner: Owner, when: number, pr: number, branch: string, title: string): CommitMeta {
  return {
    author: PEOPLE[owner],
    committer: GITHUB,
    at: when,
    message: `Merge pull request #${pr} from acme/${branch}\n\n${title}\n`,
  };
}

export interface DemoPull {
  repo: string;
  number: number;
  title: string;
  author: string;
  headRef: string;
  /** ISO with Z */
  mergedAt: string;
  /** the squash-merged commit on main */
  mergeSha: string;
}

interface DeployPlan {
  mark: number;
  env: 'production' | 'staging';
  status: 'success' | 'failure';
  at: number;
}

interface Event {
  at: number;
  seq: number;
  run: () => void;
}

const DEPENDENCY_BUMPS: [pkg: string, to: string, repo: string, dev: boolean][] = [
  ['pino', '9.7.0', 'pinojs/pino', false],
  ['zod', '3.24.2', 'colinhacks/zod', false],
  ['@types/node', '22.10.5', 'DefinitelyTyped/DefinitelyTyped', true],
  ['fastify', '5.2.1', 'fastify/fastify', false],
  ['vitest', '2.1.9', 'vitest-dev/vitest', true],
  ['ioredis', '5.5.0', 'redis/ioredis', false],
  ['undici', '7.2.3', 'nodejs/undici', false],
  ['zod', '3.24.3', 'colinhacks/zod', false],
  ['pg', '8.13.3', 'brianc/node-postgres', false],
  ['eslint', '9.18.0', 'eslint/eslint', true],
  ['typescript', '5.7.3', 'microsoft/TypeScript', true],
  ['fastify', '5.2.2', 'fastify/fastify', false],
];

function dependabotBump(repo: DemoRepo, when: number, bump: (typeof DEPENDENCY_BUMPS)[number]): void {
  const [pkg, to, upstream, dev] = bump;
  const pj = repo.read('package.json');
  const line = new RegExp(`^    "${pkg.replace(/[/@]/g, '\\$&')}": "([^"]+)",?$`, 'm').exec(pj);
  if (!line) throw new Error(`demo: ${pkg} missing from package.json`);
  const from = line[1] as string;
  const [fMaj, fMin] = from.split('.');
  const [tMaj, tMin] = to.split('.');
  const update = fMaj !== tMaj ? 'major' : fMin !== tMin ? 'minor' : 'patch';
  const message = `chore(deps${dev ? '-dev' : ''}): bump ${pkg} from ${from} to ${to}

Bumps [${pkg}](https://github.com/${upstream}) from ${from} to ${to}.
- [Release notes](https://github.com/${upstream}/releases)
- [Commits](https://github.com/${upstream}/compare/v${from}...v${to})

---
updated-dependencies:
- dependency-name: ${pkg}
  dependency-version: ${to}
  dependency-type: direct:${dev ? 'development' : 'production'}
  update-type: version-update:semver-${update}
...

Signed-off-by: dependabot[bot] <support@github.com>
`;
  repo.commit(
    'main',
    { author: DEPENDABOT, committer: GITHUB, at: when, message },
    { 'package.json': pj.replace(line[0], line[0].replace(`"${from}"`, `"${to}"`)) },
  );
}

/**
 * Builds the scenario inside `dir` (must exist and be empty): `repo/`, `incidents.json`, `postmortems/`.
 * Deterministic: the same code yields the same shas and files, byte for byte, on any machine.
 */
export async function buildScenario(dir: string): Promise<Scenario> {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    entries = readdirSync(dir);
  } catch {
    throw new UserInputError(
      `demo dir '${dir}' does not exist or is not a folder; create an empty folder first`,
      'dir',
    );
  }
  if (entries.length > 0) {
    throw new UserInputError(`demo dir '${dir}' is not empty; pass an empty folder`, 'dir');
  }

  const repo = new DemoRepo();
  const rnd = prng(SEED);
  const noise = new NoiseSource(repo, rnd);
  const read = (path: string) => repo.read(path);
  const events: Event[] = [];
  const on = (when: number, run: () => void): void => {
    events.push({ at: when, seq: events.length, run });
  };
  const deploys: DeployPlan[] = [];
  const deploy = (when: number, env: 'production' | 'staging', status: 'success' | 'failure' = 'success') =>
    on(when, () => {
      deploys.push({ mark: repo.tip('main'), env, status, at: when });
    });

  // Marks of the commits the stories point at, filled in as the timeline runs.
  const m = { inducing: 0, fix: 0, cursor: 0, revert: 0, searchFix: 0 };
  let rolledBack = -1;
  const incidents: IncidentPlan[] = [];
  const plans = incidentPlans();
  const incident = (id: string, extra: Partial<IncidentPlan> = {}) => {
    const plan = plans[id];
    if (!plan) throw new Error(`demo: no incident plan ${id}`);
    on(plan.startedAt, () => {
      incidents.push({ ...plan, ...extra, ...(plan.frames ? { stackFrames: plan.frames(read) } : {}) });
    });
  };

  // ---- the first commit -----------------------------------------------------------------------------
  on(at(0, 9, 5), () => {
    repo.commit(
      'main',
      meta(
        'human',
        'maya',
        at(0, 9, 5),
        'chore: import storefront-api from the monorepo',
        'History before this point lives in acme/monorepo (services/storefront-api).',
      ),
      initialFiles(),
    );
  });

  // ---- everyday work: weekday commits, a few late weekend ones, Monday dependency bumps --------------
  for (let d = 0; d <= LAST_DAY; d++) {
    const weekday = d % 7 < 5;
    const count = weekday ? 1 + Math.floor(rnd() * 3.9) : rnd() < 0.15 ? 1 : 0;
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      times.push(weekday ? at(d, 9, 20 + Math.floor(rnd() * 560)) : at(d, 20, Math.floor(rnd() * 180)));
    }
    for (const when of times.sort((a, b) => a - b)) {
      on(when, () => {
        const c = noise.next();
        const r = rnd();
        const kind: Kind = c.humanOnly || r < 0.55 ? 'human' : r < 0.77 ? 'claude' : r < 0.9 ? 'cursor' : 'copilot';
        repo.commit('main', meta(kind, c.owner, when, c.subject, c.body), c.changes);
      });
    }
    const bump = d % 7 === 0 && d > 0 ? DEPENDENCY_BUMPS[d / 7 - 1] : undefined;
    if (bump) {
      const when = at(d, 6, 10 + Math.floor(rnd() * 30));
      on(when, () => dependabotBump(repo, when, bump));
    }
  }
  on(at(28, 6, 52), () => {
    const path = '.github/workflows/deploy.yml';
    repo.commit(
      'main',
      {
        author: DEPENDABOT,
        committer: GITHUB,
        at: at(28, 6, 52),
        message: `chore(deps): bump actions/checkout from 4 to 5

Bumps [actions/checkout](https://github.com/actions/checkout) from 4 to 5.
- [Release notes](https://github.com/actions/checkout/releases)
- [Commits](https://github.com/actions/checkout/compare/v4...v5)

---
updated-dependencies:
- dependency-name: actions/checkout
  dependency-version: '5'
  dependency-type: direct:production
  update-type: version-update:semver-major
...

Signed-off-by: dependabot[bot] <support@github.com>
`,
      },
      { [path]: read(path).replace('actions/checkout@v4', 'actions/checkout@v5') },
    );
  });

  // ---- deploys: production Mon/Wed/Fri afternoons, staging on some Wednesdays -----------------------
  for (let d = 0; d <= LAST_DAY; d++) {
    const jitter = Math.floor(rnd() * 40);
    if ([0, 2, 4].includes(d % 7) && d !== 18 && d !== 53) deploy(at(d, 15, jitter), 'production');
  }
  for (const d of [9, 23, 37, 58, 72, 86]) deploy(at(d, 13, 30), 'staging');

  // ---- ADR and runbooks -----------------------------------------------------------------------------
  on(at(3, 10, 20), () => {
    repo.commit('main', meta('human', 'maya', at(3, 10, 20), 'docs(adr): 0002 idempotency keys for payment retries'), {
      'docs/adr/0002-idempotency-keys-for-payment-retries.md': ADR_0002,
    });
  });

  // ---- payments: partial refunds on a feature branch ------------------------------------------------
  let refundsBase = 0;
  on(at(8, 16, 0), () => {
    refundsBase = repo.tip('main');
    repo.branch('feature/partial-refunds');
  });
  on(at(9, 10, 30), () => {
    repo.commit(
      'feature/partial-refunds',
      meta(
        'claude',
        'maya',
        at(9, 10, 30),
        'feat(payments): support partial refunds',
        'Accept an optional amount on refunds and validate it before calling the gateway.',
      ),
      story.partialRefunds((p) => repo.read(p, 'feature/partial-refunds')),
    );
  });
  on(at(10, 14, 0), () => {
    const rd = (p: string) => repo.read(p, 'feature/partial-refunds');
    repo.commit(
      'feature/partial-refunds',
      meta('human', 'maya', at(10, 14, 0), 'test(payments): cover partial refund validation'),
      story.partialRefundsTest(rd),
    );
  });
  on(at(11, 11, 0), () => {
    repo.merge(
      'main',
      'feature/partial-refunds',
      refundsBase,
      mergeMeta('maya', at(11, 11, 0), 118, 'feature/partial-refunds', 'Support partial refunds'),
    );
  });

  // ---- the failed deploy: a migration that cannot run on a table with rows --------------------------
  on(at(17, 11, 0), () => {
    repo.commit(
      'main',
      meta('human', 'jonas', at(17, 11, 0), 'feat(db): record a reason on refunds'),
      story.refundReason(read),
    );
  });
  deploy(at(18, 15, 0), 'production', 'failure');
  on(at(18, 16, 10), () => {
    repo.commit(
      'main',
      meta(
        'human',
        'jonas',
        at(18, 16, 10),
        'fix(db): backfill refund reason before adding NOT NULL',
        'The production deploy failed: 0007 added a NOT NULL column without a default to a table that\nalready has rows. Add it nullable, backfill, then set NOT NULL.',
      ),
      story.refundReasonBackfill(),
    );
  });
  deploy(at(18, 18, 20), 'production');

  // ---- the payments story ---------------------------------------------------------------------------
  on(at(8, 11, 40), () => {
    repo.commit(
      'main',
      meta('human', 'jonas', at(8, 11, 40), 'feat(payments): send a request id to the gateway'),
      story.gatewayRequestId(read),
    );
  });
  on(at(22, 14, 15), () => {
    repo.commit(
      'main',
      meta('human', 'maya', at(22, 14, 15), 'feat(payments): tag gateway latency by payment method'),
      story.gatewayLatencyTags(read),
    );
  });
  on(at(29, 10, 40), () => {
    m.inducing = repo.commit(
      'main',
      meta(
        'claude',
        'priya',
        at(29, 10, 40),
        'perf(payments): fail fast on slow gateway responses',
        'Checkout p95 is dominated by slow gateway calls that eventually succeed after retries.\n' +
          'Lower the gateway timeout from 10s to 2s and drop the in-process retry around the charge call:\n' +
          'the API already maps gateway errors to 503 and the web client retries with the same\nidempotency key.',
      ),
      story.gatewayFailFast(read),
    );
  });
  incident('INC-1042');
  on(at(35, 11, 20), () => {
    repo.commit(
      'main',
      meta(
        'human',
        'maya',
        at(35, 11, 20),
        'feat(payments): count gateway timeouts separately',
        'INC-1042 showed up as generic gateway errors; split timeouts out so the alert can tell them apart.',
      ),
      story.gatewayTimeoutMetric(read),
    );
  });
  incident('INC-1058');
  on(at(49, 10, 5), () => {
    repo.commit(
      'main',
      meta(
        'human',
        'jonas',
        at(49, 10, 5),
        'fix(payments): raise gateway connection pool to 64 sockets',
        'During INC-1058 gateway requests queued behind the default pool. Give the gateway client its\nown keep-alive pool.\n\nRefs: INC-1058',
      ),
      story.gatewayConnectionPool(read),
    );
  });
  on(at(57, 15, 50), () => {
    repo.commit(
      'main',
      meta('copilot', 'maya', at(57, 15, 50), 'refactor(payments): extract gateway request headers'),
      story.gatewayExtractHeaders(read),
    );
  });
  incident('INC-1071', {});
  on(at(64, 10, 30), () => {
    m.fix = repo.commit(
      'main',
      meta(
        'human',
        'maya',
        at(64, 10, 30),
        'fix(payments): restore gateway timeout and retry backoff',
        "Charges were aborted after 2s while Acme Pay's p99 is ~2.4s at peak, and nothing retried them.\n" +
          'Restore the 10s timeout and the retry with exponential backoff around the charge call; retries\n' +
          'reuse the idempotency key, so they are safe (ADR 0002).\n\nRefs: INC-1042, INC-1058, INC-1071',
      ),
      story.gatewayRestoreRetry(read),
    );
  });
  deploy(at(64, 13, 10), 'production');
  on(at(66, 9, 45), () => {
    repo.commit(
      'main',
      meta('human', 'maya', at(66, 9, 45), 'docs(runbooks): payment gateway timeouts'),
      story.paymentsRunbook(),
    );
  });

  // ---- the auth story: a Cursor agent change, an incident, a revert the next morning ----------------
  on(at(42, 10, 15), () => {
    m.cursor = repo.commit(
      'main',
      meta(
        'cursor',
        'daniel',
        at(42, 10, 15),
        'refactor(auth): simplify refresh token rotation',
        'Treat any refresh token that was already rotated as reused. Removes the grace-window special\ncase and the REUSE_GRACE_MS constant.',
      ),
      story.authSimplifyRotation(read),
    );
  });
  incident('INC-1053');
  on(at(43, 9, 20), () => {
    const subject = 'refactor(auth): simplify refresh token rotation';
    m.revert = repo.revert('main', m.cursor, {
      author: PEOPLE.daniel,
      at: at(43, 9, 20),
      message: (shaOf) =>
        `Revert "${subject}"\n\nThis reverts commit ${shaOf(m.cursor)}.\n\n` +
        'Parallel tabs refresh at the same moment; without the grace window the second refresh revoked\n' +
        'the whole session family and signed people out (INC-1053).\n',
    });
  });
  deploy(at(43, 10, 5), 'production');

  // ---- the search story: a branch merged, deployed, rolled back, then fixed -------------------------
  let searchBase = 0;
  const onSearch = (p: string) => repo.read(p, 'feature/hybrid-ranking');
  on(at(45, 9, 0), () => {
    searchBase = repo.tip('main');
    repo.branch('feature/hybrid-ranking');
  });
  on(at(45, 11, 10), () => {
    repo.commit(
      'feature/hybrid-ranking',
      meta('human', 'priya', at(45, 11, 10), 'feat(search): embeddings service client'),
      story.embeddingsClient(),
    );
  });
  on(at(49, 14, 30), () => {
    repo.commit(
      'feature/hybrid-ranking',
      meta(
        'copilot',
        'priya',
        at(49, 14, 30),
        'feat(search): blend semantic similarity into ranking',
        'Score = 70% BM25 + 30% cosine similarity from the embeddings service, plus the popularity nudge.',
      ),
      story.hybridRanking(onSearch),
    );
  });
  on(at(50, 10, 0), () => {
    repo.commit(
      'feature/hybrid-ranking',
      meta('human', 'priya', at(50, 10, 0), 'docs(adr): 0003 hybrid ranking for catalog search'),
      story.hybridRankingAdr(),
    );
  });
  on(at(52, 11, 30), () => {
    repo.merge(
      'main',
      'feature/hybrid-ranking',
      searchBase,
      mergeMeta('priya', at(52, 11, 30), 231, 'feature/hybrid-ranking', 'Hybrid BM25 + embeddings ranking'),
    );
  });
  on(at(53, 15, 0), () => {
    rolledBack = deploys.length;
    deploys.push({ mark: repo.tip('main'), env: 'production', status: 'success', at: at(53, 15, 0) });
  });
  incident('INC-1062');
  on(at(53, 16, 20), () => {
    const previous = deploys[rolledBack - 1];
    if (!previous) throw new Error('demo: nothing to roll back to');
    deploys.push({ mark: previous.mark, env: 'production', status: 'success', at: at(53, 16, 20) });
  });
  on(at(56, 10, 45), () => {
    m.searchFix = repo.commit(
      'main',
      meta(
        'human',
        'priya',
        at(56, 10, 45),
        'perf(search): score at most 200 candidates in one embeddings batch',
        'INC-1062: the hybrid ranking awaited one embeddings call per candidate, up to 1000 per query.\n' +
          'Cap candidates at 200 and fetch their similarities in a single batch request.',
      ),
      story.hybridRankingBatch(read),
    );
  });

  // ---- web: cart summary on a branch, with a Cursor agent start -------------------------------------
  let webBase = 0;
  const onWeb = (p: string) => repo.read(p, 'feature/cart-summary');
  on(at(66, 9, 30), () => {
    webBase = repo.tip('main');
    repo.branch('feature/cart-summary');
  });
  on(at(66, 11, 0), () => {
    repo.commit(
      'feature/cart-summary',
      meta('cursor', 'priya', at(66, 11, 0), 'feat(web): itemised cart summary with tax and shipping'),
      story.cartSummary(onWeb),
    );
  });
  on(at(67, 15, 20), () => {
    repo.commit(
      'feature/cart-summary',
      meta('human', 'priya', at(67, 15, 20), 'test(web): cover cart summary totals'),
      story.cartSummaryTest(),
    );
  });
  on(at(70, 10, 10), () => {
    repo.commit(
      'feature/cart-summary',
      meta('claude', 'priya', at(70, 10, 10), 'fix(web): round tax per line, not on the total'),
      story.cartSummaryRounding(onWeb),
    );
  });
  on(at(71, 11, 45), () => {
    repo.merge(
      'main',
      'feature/cart-summary',
      webBase,
      mergeMeta('priya', at(71, 11, 45), 264, 'feature/cart-summary', 'Itemised cart summary'),
    );
  });

  // ---- auth: passkeys on a branch -------------------------------------------------------------------
  let passkeyBase = 0;
  const onPasskeys = (p: string) => repo.read(p, 'feature/passkeys');
  on(at(77, 9, 15), () => {
    passkeyBase = repo.tip('main');
    repo.branch('feature/passkeys');
  });
  on(at(77, 14, 0), () => {
    repo.commit(
      'feature/passkeys',
      meta('claude', 'daniel', at(77, 14, 0), 'feat(auth): passkey challenges'),
      story.passkeys(),
    );
  });
  on(at(78, 11, 30), () => {
    repo.commit(
      'feature/passkeys',
      meta('copilot', 'daniel', at(78, 11, 30), 'test(auth): passkey challenge expiry'),
      story.passkeysTest(),
    );
  });
  on(at(80, 16, 0), () => {
    repo.commit(
      'feature/passkeys',
      meta('human', 'daniel', at(80, 16, 0), 'feat(auth): accept passkey sessions in requireScope'),
      story.passkeyMiddleware(onPasskeys),
    );
  });
  on(at(81, 10, 40), () => {
    repo.merge(
      'main',
      'feature/passkeys',
      passkeyBase,
      mergeMeta('daniel', at(81, 10, 40), 279, 'feature/passkeys', 'Passkey sign-in (behind the passkeys flag)'),
    );
  });

  // ---- incidents with no clear cause in the code -----------------------------------------------------
  for (const id of ['INC-1031', 'INC-1047', 'INC-1079', 'INC-1084']) incident(id);

  // ---- run the timeline, then write git, incidents and post-mortems ---------------------------------
  events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  for (const e of events) e.run();

  const repoPath = join(dir, 'repo');
  mkdirSync(repoPath);
  initRepo(repoPath);
  const shas = repo.write(repoPath);
  const sha = (mark: number): string => {
    const s = shas.get(mark);
    if (!s) throw new Error(`demo: no sha for mark ${mark}`);
    return s;
  };

  const paymentsIncidentIds = ['INC-1042', 'INC-1058', 'INC-1071'];
  const fixShas: Record<string, string> = { 'INC-1071': sha(m.fix), 'INC-1053': sha(m.revert) };
  const incidentsFile = join(dir, 'incidents.json');
  const rows = incidents.map((i) => {
    const fix = fixShas[i.id];
    return {
      id: i.id,
      title: i.title,
      severity: i.severity,
      started_at: iso(i.startedAt),
      resolved_at: iso(i.resolvedAt),
      env: 'production',
      ...(i.module ? { module: i.module } : {}),
      files: i.files,
      stack_frames: i.stackFrames ?? [],
      ...(fix ? { fix_sha: fix } : {}),
      url: `https://acme.pagerduty.com/incidents/${i.id}`,
      summary: i.summary,
    };
  });
  writeFileSync(incidentsFile, `${JSON.stringify(rows, null, 2)}\n`);

  const postmortemsDir = join(dir, 'postmortems');
  mkdirSync(postmortemsDir);
  for (const pm of postmortems(incidents, { fixSha: sha(m.fix), revertSha: sha(m.revert) })) {
    writeFileSync(join(postmortemsDir, pm.file), pm.text);
  }

  return {
    repoPath,
    deploys: deploys.map((d) => ({ sha: sha(d.mark), env: d.env, status: d.status, at: iso(d.at) })),
    incidentsFile,
    postmortemsDir,
    now: iso(NOW),
    pullRequests: [
      {
        repo: 'acme/shop',
        number: 212,
        title: 'perf(payments): fail fast on slow gateway responses',
        author: 'priya-raman',
        headRef: 'perf/gateway-fail-fast',
        mergedAt: iso(at(29, 10, 40)),
        mergeSha: sha(m.inducing),
      },
    ],
    expected: {
      paymentsInducingSha: sha(m.inducing),
      paymentsFixSha: sha(m.fix),
      paymentsIncidentIds,
      revertedSha: sha(m.cursor),
      rolledBackDeployIndex: rolledBack,
    },
  };
}
