import { createHash } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basisFiles, refreshModuleRollups } from '../src/store/commits.js';
import { DEPLOY_FAILURE_BACKFILL } from '../src/store/deploys.js';
import { rebuildImpactSummaries } from '../src/store/impact-summaries.js';
import { rebuildTriageRollups } from '../src/store/interrupts.js';
import { deferIndexes, getMeta, openStore, restoreDeferredIndexes, setMeta, type Db } from '../src/store/open.js';
import { pick, rng, skewed } from './stats.js';

/** Bump when the generated data changes, so a cached database is rebuilt. */
const GENERATOR_VERSION = 4;
const DAY = 86_400_000;
/** The clock the server runs with (HINDSIGHT_NOW), so windows such as "90 days" hit the generated data. */
export const ORG_NOW = '2026-03-01T00:00:00.000Z';

export interface OrgScale {
  commits: number;
  deploys: number;
  incidents: number;
  interrupts: number;
  /**
   * Histories as dense and wordy as a real repository's (test/mcp/token-budget-large.test.ts): 24 commit links per
   * incident instead of 3–8, so a bad deploy's commits each carry many incidents, and every incident has its URL.
   */
  dense?: boolean;
}

export const FULL_SCALE: OrgScale = { commits: 1_000_000, deploys: 100_000, incidents: 50_000, interrupts: 500_000 };
/** A 45k-commit repository's history, denser than the org (an incident per 5 commits): the answer-size budget's. */
export const DENSE_45K: OrgScale = {
  commits: 45_000,
  deploys: 4_500,
  incidents: 9_000,
  interrupts: 20_000,
  dense: true,
};

export const AGENTS = ['claude', 'cursor', 'copilot', 'codex', 'devin', 'aider'];
const AGENT_EMAIL: Record<string, string> = {
  claude: 'noreply@anthropic.com',
  cursor: 'cursoragent@cursor.com',
  copilot: '198982749+Copilot@users.noreply.github.com',
  codex: 'codex@openai.com',
  devin: 'devin-ai-integration[bot]@users.noreply.github.com',
  aider: 'aider@aider.chat',
};
const WORDS = 'timeout retry cache gateway session token limit parser queue index schema webhook billing refund'.split(
  ' ',
);
const CATEGORIES = ['missing_context', 'policy_gap', 'tool_failure', 'ambiguous_spec', 'other'];

/** What the latency benchmark needs to vary its arguments: names that exist in the generated data. */
export interface OrgCatalog {
  modules: string[];
  paths: string[];
  authors: string[];
  incidents: string[];
  shas: string[];
  interruptIds: number;
}

/**
 * A deterministic org-scale database written straight into SQLite (prepared statements, big transactions,
 * secondary indexes built once at the end): repos of very different sizes, Zipf-skewed module activity,
 * agent and pair commits, reverts, deploys to two environments with failures and rollbacks, incidents in
 * bursts after bad deploys with suspect links, and interrupts from many agents and sessions in clusters.
 * Cached at `path` while the generator version and schema version match.
 */
export function orgDatabase(path: string, scale: OrgScale, log: (m: string) => void): OrgCatalog {
  // Schema changes need no rebuild: opening the cached file runs the new migrations on it.
  const stamp = `${GENERATOR_VERSION}:${JSON.stringify(scale)}`;
  if (existsSync(path)) {
    const db = openStore(path);
    const ok = getMeta(db, 'bench_generator') === stamp;
    const catalog = ok ? (JSON.parse(getMeta(db, 'bench_catalog')!) as OrgCatalog) : undefined;
    db.close();
    if (catalog) return catalog;
  }
  const tmp = `${path}.tmp`;
  for (const s of ['', '-wal', '-shm']) rmSync(tmp + s, { force: true });
  const started = performance.now();
  log(`generating the org-scale database (${JSON.stringify(scale)}) …`);
  const db = openStore(tmp);
  db.pragma('foreign_keys = OFF'); // rows are written parents first by construction; checks only cost time here
  db.pragma('cache_size = -262144');
  db.pragma('synchronous = OFF');
  const tables = ['commits', 'commit_files', 'commit_trailers', 'deploys', 'deploy_commits', 'incidents'];
  deferIndexes(db, [...tables, 'incident_files', 'incident_links', 'interrupts', 'clusters', 'tasks', 'fixes']);
  // The full-text triggers would index each interrupt twice (insert, then rebuild), and the deploy-failure and
  // impact-summary ones would scan every link or deploy row per row while the indexes are deferred (hours at 100k
  // incidents): off while generating, their tables rebuilt once at the end.
  const triggers = db
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'trigger'
       AND (tbl_name = 'interrupts' OR name LIKE 'deploys_linked_failure_%' OR name LIKE 'impact_%')`,
    )
    .all() as { name: string; sql: string }[];
  for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
  const catalog = generate(db, scale, log);
  log('  building indexes …');
  restoreDeferredIndexes(db);
  // The per-module rollups, by the statements ingest uses (module_incidents followed the links through triggers).
  refreshModuleRollups(db);
  for (const t of triggers) db.exec(t.sql);
  db.exec(DEPLOY_FAILURE_BACKFILL);
  rebuildImpactSummaries(db);
  db.exec("INSERT INTO interrupts_fts(interrupts_fts) VALUES ('rebuild')");
  rebuildTriageRollups(db); // the rollup triggers were off while generating
  setMeta(db, 'bench_catalog', JSON.stringify(catalog));
  setMeta(db, 'bench_generator', stamp);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  renameSync(tmp, path);
  log(`  generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return catalog;
}

function generate(db: Db, scale: OrgScale, log: (m: string) => void): OrgCatalog {
  const random = rng(7);
  const now = Date.parse(ORG_NOW);
  const start = now - 3 * 365 * DAY;

  // 12 repositories, one monorepo with ~40% of the commits; 240 modules with Zipf-skewed activity.
  const repos = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, name: i === 0 ? 'monorepo' : `service-${i}` }));
  const modules = Array.from({ length: 240 }, (_, i) => {
    const name = `${pick(random, WORDS)}-${i}`;
    const files = Array.from(
      { length: 5 + skewed(random, 150) },
      (_, j) => `src/${name}/${j % 7 ? 'lib' : 'api'}/f${j}.ts`,
    );
    return { name, files, repo: i < 60 ? 1 : 2 + (i % 11) };
  });
  const humans = Array.from({ length: 2000 }, (_, i) => ({ name: `Dev ${i}`, email: `dev${i}@acme.dev` }));

  const insRepo = db.prepare('INSERT INTO repos(id, path, name, last_ingested_at) VALUES (?, ?, ?, ?)');
  for (const r of repos) insRepo.run(r.id, `/org/${r.name}`, r.name, now);

  // --- commits, files, trailers
  const insCommit = db.prepare(`INSERT INTO commits(sha, repo_id, author_name, author_email, authored_at, committed_at,
    subject, body, parents, is_merge, author_kind, agent, agent_evidence, reverts_sha, added, deleted, files_changed)
    VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insFile = db.prepare(
    `INSERT OR IGNORE INTO commit_files(sha, path, old_path, module, added, deleted, committed_at, basis_files)
     VALUES (?, ?, NULL, ?, ?, ?, ?, ?)`,
  );
  const insTrailer = db.prepare('INSERT INTO commit_trailers(sha, key, value) VALUES (?, ?, ?)');
  const shaOf = (i: number) => createHash('sha1').update(`commit ${i}`).digest('hex');
  const commitRepo = new Uint8Array(scale.commits);
  const commitAt = new Float64Array(scale.commits);
  const commitModule = new Uint16Array(scale.commits);
  const step = (now - start) / scale.commits;
  const authors = new Set<string>();
  const sampleShas: string[] = [];
  const writeCommits = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const sha = shaOf(i);
      const m = skewed(random, modules.length);
      const mod = modules[m]!;
      const at = Math.round(start + i * step + random() * step);
      commitRepo[i] = mod.repo;
      commitAt[i] = at;
      commitModule[i] = m;
      const roll = random();
      const agent = roll < 0.3 ? AGENTS[skewed(random, AGENTS.length)]! : null;
      const kind = agent === null ? 'human' : roll < 0.15 ? 'agent' : 'pair';
      const human = humans[skewed(random, humans.length, 0.6)]!;
      const author = kind === 'agent' ? { name: agent!, email: AGENT_EMAIL[agent!]! } : human;
      if (i % 97 === 0) authors.add(author.email);
      const merge = random() < 0.05;
      const revert = !merge && i > 1000 && random() < 0.005;
      const reverted = revert ? shaOf(i - 1 - Math.floor(random() * 1000)) : null;
      const files: { path: string; module: string; added: number; deleted: number }[] = [];
      if (!merge) {
        const n = random() < 0.003 ? 60 + Math.floor(random() * 140) : 1 + skewed(random, 8);
        for (let f = 0; f < n; f++) {
          const fm = f === 0 || random() < 0.7 ? mod : modules[skewed(random, modules.length)]!;
          const path = fm.files[skewed(random, fm.files.length, 0.8)]!;
          files.push({ path, module: fm.name, added: 1 + skewed(random, 200), deleted: skewed(random, 100) });
        }
      }
      const subject = revert
        ? `Revert "${pick(random, WORDS)} change"`
        : `${pick(random, ['fix', 'feat', 'refactor', 'perf', 'chore'])}(${mod.name}): ${pick(random, WORDS)} ${pick(random, WORDS)}`;
      insCommit.run(
        sha,
        mod.repo,
        author.name,
        author.email,
        at,
        at,
        subject,
        merge ? `${shaOf(i - 1)} ${shaOf(Math.max(0, i - 7))}` : i > 0 ? shaOf(i - 1) : '',
        merge ? 1 : 0,
        kind,
        agent,
        agent ? `${kind === 'agent' ? 'author' : 'Co-authored-by'} ${agent}` : null,
        reverted,
        files.reduce((s, f) => s + f.added, 0),
        files.reduce((s, f) => s + f.deleted, 0),
        files.length,
      );
      const basis = basisFiles(merge, files.length);
      for (const f of files) insFile.run(sha, f.path, f.module, f.added, f.deleted, at, basis);
      if (kind === 'pair') insTrailer.run(sha, 'co-authored-by', `${agent} <${AGENT_EMAIL[agent!]}>`);
      if (i % 4999 === 0) sampleShas.push(sha);
    }
  });
  for (let i = 0; i < scale.commits; i += 50_000) {
    writeCommits(i, Math.min(scale.commits, i + 50_000));
    if ((i / 50_000) % 4 === 3) log(`  ${i + 50_000} commits`);
  }

  // --- deploys: per repository, production and staging, each carrying the repo's commits since its previous one.
  const insDeploy = db.prepare(`INSERT INTO deploys(id, repo_id, env, service, sha, started_at, finished_at, status,
    source, external_id, prev_deploy_id, rollback_to_deploy_id, rolled_back_by_deploy_id)
    VALUES (?, ?, ?, '', ?, ?, ?, ?, 'bench', ?, ?, NULL, NULL)`);
  const insDeployCommit = db.prepare('INSERT OR IGNORE INTO deploy_commits(deploy_id, sha) VALUES (?, ?)');
  const byRepo = new Map<number, number[]>();
  for (let i = 0; i < scale.commits; i++) {
    const list = byRepo.get(commitRepo[i]!) ?? [];
    list.push(i);
    byRepo.set(commitRepo[i]!, list);
  }
  const productionDeploys: { id: number; repo: number; at: number; first: number; last: number; bad: boolean }[] = [];
  let deployId = 0;
  db.transaction(() => {
    for (const env of ['production', 'staging']) {
      const share = env === 'production' ? 0.6 : 0.4;
      for (const [repo, list] of byRepo) {
        const count = Math.max(1, Math.round((scale.deploys * share * list.length) / scale.commits));
        const per = list.length / count;
        let prev: number | null = null;
        for (let d = 0; d < count; d++) {
          const first = Math.floor(d * per);
          const last = Math.min(list.length - 1, Math.floor((d + 1) * per) - 1);
          if (last < first) continue;
          const tip = list[last]!;
          const at = commitAt[tip]! + 30 * 60_000 + Math.floor(random() * 3 * 3_600_000);
          const roll = random();
          const status = roll < 0.05 ? 'failure' : roll < 0.07 ? 'rolled_back' : 'success';
          deployId++;
          insDeploy.run(deployId, repo, env, shaOf(tip), at - 600_000, at, status, `d${deployId}`, prev);
          if (status !== 'failure') {
            for (let k = first; k <= last; k++) insDeployCommit.run(deployId, shaOf(list[k]!));
            prev = deployId;
          }
          if (env === 'production')
            productionDeploys.push({ id: deployId, repo, at, first, last, bad: status !== 'success' || roll > 0.97 });
        }
      }
    }
  })();
  log(`  ${deployId} deploys`);

  // --- incidents in bursts after bad deploys, with files, frames and suspect links.
  const insIncident = db.prepare(`INSERT INTO incidents(id, source, external_id, title, severity, started_at,
    resolved_at, env, service, module, status, url, summary, fix_sha, root_cause_sha, postmortem_path, updated_at)
    VALUES (?, 'bench', ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, ?, NULL, NULL, ?)`);
  const insIncidentFile = db.prepare(
    'INSERT INTO incident_files(incident_id, path, line, kind, module) VALUES (?, ?, ?, ?, ?)',
  );
  const insLink = db.prepare(`INSERT OR IGNORE INTO incident_links(incident_id, kind, target, score, status, method,
    evidence, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const incidentIds: string[] = [];
  db.transaction(() => {
    const flagged = productionDeploys.filter((d) => d.bad);
    const bad = flagged.length > 0 ? flagged : productionDeploys;
    let id = 0;
    while (id < scale.incidents) {
      const d = random() < 0.7 ? pick(random, bad) : pick(random, productionDeploys);
      const burst = random() < 0.3 ? 2 + Math.floor(random() * 8) : 1;
      const list = byRepo.get(d.repo)!;
      for (let b = 0; b < burst && id < scale.incidents; b++) {
        id++;
        const started = d.at + Math.floor(random() * 36 * 3_600_000);
        const commit = list[d.first + Math.floor(random() * (d.last - d.first + 1))]!;
        const mod = modules[commitModule[commit]!]!;
        const external = `INC-${100_000 + id}`;
        if (id % 50 === 0) incidentIds.push(external);
        const resolved = random() < 0.95 ? started + Math.floor(random() * 8 * 3_600_000) : null;
        const fix = random() < 0.2 ? shaOf(Math.min(scale.commits - 1, list[d.last]! + 1)) : null;
        insIncident.run(
          id,
          external,
          `${mod.name} ${pick(random, WORDS)} errors ${pick(random, ['spike', 'timeout', 'outage', '5xx'])}`,
          pick(random, ['SEV1', 'SEV2', 'SEV3', 'SEV3', 'SEV4']),
          started,
          resolved,
          random() < 0.9 ? 'production' : 'staging',
          random() < 0.7 ? mod.name : null,
          resolved ? 'resolved' : 'open',
          scale.dense ? `https://github.com/acme/${repos[d.repo - 1]!.name}/issues/${10_000 + id}` : null,
          fix,
          started,
        );
        const nFiles = 1 + Math.floor(random() * 3);
        for (let f = 0; f < nFiles; f++) {
          const path = mod.files[skewed(random, mod.files.length)]!;
          const kind = f === 0 ? 'file' : 'frame';
          insIncidentFile.run(id, path, kind === 'frame' ? 10 + Math.floor(random() * 300) : null, kind, mod.name);
        }
        const nLinks = scale.dense ? 24 : 3 + Math.floor(random() * 6);
        for (let l = 0; l < nLinks; l++) {
          const c = list[d.first + Math.floor(random() * (d.last - d.first + 1))]!;
          const confirmed = l === 0 && random() < 0.15;
          const score = confirmed ? 0.95 : Math.round(random() * random() * 90 + 5) / 100;
          const evidence = JSON.stringify({
            reasons: [
              `shipped in deploy #${d.id} ${Math.round((started - d.at) / 3_600_000)} h before the incident`,
              `touched ${mod.files[0]} named by the incident`,
              `changed ${1 + Math.floor(random() * 300)} lines`,
            ],
            factors: { time: Math.round(random() * 100) / 100, files: Math.round(random() * 100) / 100 },
            ...(confirmed ? { blamed: [`${mod.files[0]}:42  await gateway.charge(order)`] } : {}),
          });
          insLink.run(
            id,
            'commit',
            shaOf(c),
            score,
            confirmed ? 'confirmed' : 'suspect',
            confirmed ? 'fix-blame' : 'heuristic',
            evidence,
            started,
          );
        }
        insLink.run(
          id,
          'deploy',
          String(d.id),
          Math.round(random() * 80 + 10) / 100,
          'suspect',
          'heuristic',
          '{"reasons":["deployed before the incident"],"factors":{}}',
          started,
        );
      }
    }
  })();
  log(`  ${scale.incidents} incidents`);

  // --- tasks, clusters, fixes and interrupts from many agents and sessions over the last year.
  const insTask = db.prepare(`INSERT INTO tasks(id, agent, title, session_id, started_at, finished_at, outcome,
    updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const insCluster = db.prepare(`INSERT INTO clusters(id, category, module, label, terms, paths, size, first_at,
    last_at, fix_id, covered_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`);
  const insFix = db.prepare(`INSERT INTO fixes(id, type, title, path, status, cluster_id, evidence, created_at,
    merged_at) VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?)`);
  const insInterrupt = db.prepare(`INSERT INTO interrupts(id, kind, category, category_source, summary, detail,
    paths, module, agent, task_id, session_id, source, created_at, responded_at, resolved_at, response, cluster_id,
    fix_id, redactions) VALUES (?, ?, ?, 'given', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`);
  const tasks = Math.round(scale.interrupts / 5);
  const clusters = Math.max(10, Math.round(scale.interrupts / 60));
  const yearAgo = now - 365 * DAY;
  db.transaction(() => {
    for (let t = 1; t <= tasks; t++) {
      const at = yearAgo + Math.floor(random() * 365 * DAY);
      const done = random() < 0.9;
      insTask.run(
        `task-${t}`,
        pick(random, AGENTS),
        `task ${t}`,
        `s-${t % 50_000}`,
        at,
        done ? at + 3_600_000 : null,
        done ? pick(random, ['completed', 'completed', 'failed', 'abandoned']) : null,
        at,
      );
    }
    const clusterInfo: { category: string; module: string; path: string; fix: number | null }[] = [];
    const size = new Int32Array(clusters + 1);
    const first = new Float64Array(clusters + 1).fill(Number.MAX_SAFE_INTEGER);
    const last = new Float64Array(clusters + 1);
    for (let c = 1; c <= clusters; c++) {
      const category = pick(random, CATEGORIES);
      const mod = modules[skewed(random, modules.length)]!;
      const fix = random() < 0.2 ? c : null;
      if (fix) {
        const type = category === 'tool_failure' ? 'skill' : category === 'policy_gap' ? 'rule' : 'adr';
        insFix.run(
          fix,
          type,
          `${type} for ${mod.name}`,
          `docs/${type}/${fix}.md`,
          pick(random, ['proposed', 'open_pr', 'merged']),
          c,
          yearAgo,
          null,
        );
      }
      const words = [pick(random, WORDS), pick(random, WORDS), mod.name];
      insCluster.run(
        c,
        category,
        mod.name,
        words.join(' '),
        JSON.stringify(words),
        JSON.stringify([mod.files[0]]),
        yearAgo,
        now,
        fix,
        fix ? now : null,
      );
      clusterInfo.push({ category, module: mod.name, path: mod.files[0]!, fix });
    }
    for (let i = 1; i <= scale.interrupts; i++) {
      const c = 1 + skewed(random, clusters, 0.8);
      const info = clusterInfo[c - 1]!;
      const at = yearAgo + Math.floor((i / scale.interrupts) * 365 * DAY);
      const answered = random() < 0.6;
      const path = info.path;
      size[c]!++;
      first[c] = Math.min(first[c]!, at);
      last[c] = Math.max(last[c]!, at);
      insInterrupt.run(
        i,
        random() < 0.8 ? 'interrupt' : 'correction',
        info.category,
        `needed ${pick(random, WORDS)} ${pick(random, WORDS)} context for ${info.module} ${path}`,
        random() < 0.3
          ? `asked which ${pick(random, WORDS)} policy applies; the ${pick(random, WORDS)} doc was missing`
          : null,
        JSON.stringify([path]),
        info.module,
        `${pick(random, AGENTS)}`,
        `task-${1 + Math.floor(random() * tasks)}`,
        `s-${Math.floor(random() * 50_000)}`,
        pick(random, ['agent', 'agent', 'agent', 'human', 'rubric']),
        at,
        answered ? at + 600_000 : null,
        answered && random() < 0.8 ? at + 3_600_000 : null,
        answered ? `use the ${pick(random, WORDS)} helper` : null,
        c,
        info.fix,
      );
    }
    const grow = db.prepare('UPDATE clusters SET size = ?, first_at = ?, last_at = ? WHERE id = ?');
    for (let c = 1; c <= clusters; c++) if (size[c]) grow.run(size[c], first[c], last[c], c);
  })();
  log(`  ${scale.interrupts} interrupts, ${clusters} clusters, ${tasks} tasks`);

  return {
    modules: modules.map((m) => m.name),
    paths: modules.flatMap((m) => m.files.slice(0, 3)),
    authors: [...authors].slice(0, 200),
    incidents: incidentIds,
    shas: sampleShas,
    interruptIds: scale.interrupts,
  };
}
