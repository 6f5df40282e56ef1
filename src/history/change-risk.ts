import type { AppContext } from '../context.js';
import { findDecisionRecords, type DecisionLookup } from '../decisions/records.js';
import { UserInputError } from '../errors.js';
import { revertsTouchingPaths } from '../store/change-stats.js';
import { incidentExternalIds } from '../store/incidents.js';
import type { Db } from '../store/open.js';
import { DAY_MS } from './change-stats.js';
import { coChangedFiles, type FileCoupling } from './coupling.js';
import { countedModuleIncidents, moduleIncidentPlaces, recordedPaths } from '../store/module-incident-basis.js';
import { moduleRecurrence } from './incident-history.js';
import { moduleOfInput, toRepoPath } from './resolve-module.js';
import { unknownPathsReason } from '../setup-hints.js';
import { productionShare } from './signal-share.js';

export const MAX_PATHS = 50;
const CO_CHANGED_FILES = 5;
const EVIDENCE_PER_MODULE = 3;
const EVIDENCE_PER_ANSWER = 6;
/** Modules an answer details (the riskiest, in input order); a reason names the others. */
const MODULES_LISTED = 4;
const SIGNAL_REASONS = 5;
const MEDIUM_REASONS = 3;

export interface PathRevert {
  /** The reverted commit (short sha) and its subject. */
  sha: string;
  subject: string;
  revertSha: string;
  revertedAt: string;
  /** Which of the input paths it touched. */
  paths: string[];
}

export interface ModuleRisk {
  module: string;
  /** The input paths in this module. */
  paths: string[];
  incidents90d: number;
  incidentsAllTime: number;
  lastIncident: { id: string; title: string; startedAt: string } | null;
  architecturalSignal: boolean;
  /** Incidents in 90 days tied to the module by an unconfirmed suspect only (not in incidents90d). */
  suspects90d: number;
  /** The places behind incidents90d: the files and lines the incidents name here, the files their causes changed. */
  evidence: string[];
  /** Commits touching these paths that were reverted in the last 90 days, newest revert first. */
  reverts90d: PathRevert[];
}

export type RiskLevel = 'low' | 'medium' | 'high' | 'unknown';

export interface ChangeRisk {
  paths: string[];
  /** Paths no commit or incident names (misspelt, not ingested yet, or new): not assessed. */
  unknownPaths: string[];
  /** The riskiest modules touched, at most 4, in input order; a reason names the others. */
  modules: ModuleRisk[];
  coChangedFiles: FileCoupling;
  decisionRecords: DecisionLookup;
  risk: RiskLevel;
  reasons: string[];
}

/** What an agent should know before editing `paths`: incidents and reverts per module, coupled files, decisions. */
export function assessChangeRisk(ctx: AppContext, rawPaths: readonly string[]): ChangeRisk {
  const all = cleanPaths(ctx, rawPaths);
  const recorded = recordedPaths(
    ctx.store,
    all.map((c) => c.path),
  );
  const cleaned = all.filter((c) => recorded.has(c.path));
  const unknownPaths = all.filter((c) => !recorded.has(c.path)).map((c) => c.path);
  const paths = cleaned.map((c) => c.path);
  const now = ctx.clock();
  const byModule = new Map<string, string[]>();
  for (const { path, module } of cleaned) byModule.set(module, [...(byModule.get(module) ?? []), path]);
  const reverts = pathReverts(ctx.store, paths, now - 90 * DAY_MS, now);
  // The places behind each module's incidents, fewer per module as more are touched: an answer naming six busy
  // modules with three each outgrew the 2k-token budget (token-budget-large.test.ts).
  const perModule = Math.max(1, Math.min(EVIDENCE_PER_MODULE, Math.floor(EVIDENCE_PER_ANSWER / byModule.size)));
  const modules: ModuleRisk[] = [...byModule].map(([module, own]) => {
    const r = moduleRecurrence(ctx.store, module, now);
    return {
      module,
      paths: own,
      incidents90d: r.last90d,
      incidentsAllTime: r.allTime,
      lastIncident: r.last ?? null,
      architecturalSignal: r.architecturalSignal,
      suspects90d: r.suspects90d,
      evidence: incidentEvidence(ctx.store, module, now, perModule),
      reverts90d: reverts
        .map((rv) => ({ ...rv, paths: rv.paths.filter((p) => own.includes(p)) }))
        .filter((rv) => rv.paths.length > 0),
    };
  });
  const level =
    paths.length > 0
      ? riskLevel(modules, reverts)
      : {
          risk: 'unknown' as const,
          reasons: [unknownPathsReason(ctx, unknownPaths)],
        };
  // How much production a module carries is part of the risk of changing it (its blast radius), so it is told here.
  for (const module of byModule.keys()) {
    const share = productionShare(ctx.store, module, now);
    if (share) level.reasons.push(`production: ${share}`);
  }
  if (paths.length > 0 && unknownPaths.length > 0) {
    level.reasons.push(`not assessed: ${unknownPathsReason(ctx, unknownPaths)}`);
  }
  // A reason line, not a field: tools/list carries each answer's top-level fields and is at its byte budget.
  const listed = riskiest(modules, MODULES_LISTED);
  const more = modules.filter((m) => !listed.has(m)).map((m) => m.module);
  if (more.length > 0) level.reasons.push(`also touched, not detailed (lower risk, counted above): ${more.join(', ')}`);
  return {
    paths,
    unknownPaths,
    modules: modules.filter((m) => listed.has(m)),
    // Five: the answer also carries every module touched, and has a 2k-token budget (token-budget-large.test.ts).
    coChangedFiles: coChangedFiles(ctx.store, paths, { now, limit: CO_CHANGED_FILES }),
    decisionRecords: findDecisionRecords(ctx.config.repoPath, ctx.config.decisionDirs, {
      paths,
      modules: [...byModule.keys()],
    }),
    ...level,
  };
}

/**
 * The rule, deliberately simple so an agent can repeat it:
 * - high: a touched module has ≥ 2 incidents in 90 days (architectural signal), or these paths were
 *   reverted ≥ 2× in 90 days, or a touched module had an incident in 90 days and these paths a revert;
 * - medium: a touched module had an incident in 90 days, or ≥ 3 incidents all time, or these paths
 *   were reverted once in 90 days;
 * - low: none of that.
 * Incidents count when they name the module or their confirmed cause changed it (not on suspicion alone); the
 * module's `evidence` names the places behind a high reason. `reverts` are distinct reverted commits across all paths.
 */
export function riskLevel(
  modules: readonly ModuleRisk[],
  revertList: readonly PathRevert[],
): { risk: RiskLevel; reasons: string[] } {
  const high: string[] = [];
  const medium: string[] = [];
  const signals: ModuleRisk[] = [];
  const reverts = revertList.length;
  for (const m of modules) {
    // The places behind it are the module's `evidence`, told once (the text prints them on the module's line).
    if (m.architecturalSignal) signals.push(m);
    else if (m.incidents90d > 0) medium.push(`${m.incidents90d} incident in 90 days in ${m.module}`);
    else if (m.incidentsAllTime >= 3) medium.push(`${m.incidentsAllTime} incidents all time in ${m.module}`);
  }
  // One reason per signalling module up to a few, then their names in one: a change across many busy modules
  // must still fit the answer's budget.
  signals.sort((a, b) => b.incidents90d - a.incidents90d);
  for (const m of signals.slice(0, SIGNAL_REASONS))
    high.push(`${m.incidents90d} incidents in 90 days in ${m.module} (architectural signal)`);
  if (signals.length > SIGNAL_REASONS)
    high.push(`${signals.length - SIGNAL_REASONS} more modules touched with ≥ 2 incidents in 90 days`);
  if (medium.length > MEDIUM_REASONS) {
    const folded = medium.length - MEDIUM_REASONS;
    medium.splice(MEDIUM_REASONS, folded, `${folded} more modules touched with an incident in 90 days or ≥ 3 all time`);
  }
  const anyRecent = modules.some((m) => m.incidents90d > 0);
  const revertPlaces = revertList
    .slice(0, 3)
    .map((r) => `${r.sha} (${r.paths.join(', ')})`)
    .join('; ');
  if (reverts >= 2) high.push(`reverted ${reverts}× in 90 days: ${revertPlaces}${reverts > 3 ? '; …' : ''}`);
  else if (reverts === 1 && anyRecent)
    high.push(`reverted once in 90 days, in a module with a recent incident: ${revertPlaces}`);
  else if (reverts === 1) medium.push('reverted once in 90 days');
  if (high.length > 0) return { risk: 'high', reasons: [...high, ...medium] };
  if (medium.length > 0) return { risk: 'medium', reasons: medium };
  return {
    risk: 'low',
    reasons: [`no incidents or reverts in 90 days in ${modules.map((m) => m.module).join(', ')}`],
  };
}

/** The `n` riskiest modules: architectural signal, then incidents in 90 days, reverts, incidents all time. */
function riskiest(modules: readonly ModuleRisk[], n: number): Set<ModuleRisk> {
  const score = (m: ModuleRisk) => [+m.architecturalSignal, m.incidents90d, m.reverts90d.length, m.incidentsAllTime];
  const order = [...modules].sort((a, b) => {
    const [x, y] = [score(a), score(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
    return 0;
  });
  return new Set(order.slice(0, n));
}

function cleanPaths(ctx: AppContext, raw: readonly string[]): { path: string; module: string }[] {
  if (raw.length === 0 || raw.length > MAX_PATHS) {
    throw new UserInputError(
      `paths must list 1 to ${MAX_PATHS} repository paths (got ${raw.length}); pass the files you are about to edit`,
      'paths',
    );
  }
  const out: { path: string; module: string }[] = [];
  raw.forEach((p, i) => {
    if (typeof p !== 'string') throw new UserInputError(`paths[${i}] must be a string`, 'paths');
    const path = toRepoPath(ctx.config.repoPath, p, `paths[${i}]`);
    if (!out.some((o) => o.path === path)) out.push({ path, module: moduleOfInput(ctx.modules, path, p) });
  });
  return out;
}

/** Commits touching `paths` that were reverted in [since, now], grouped per reverted commit, newest revert first. */
function pathReverts(db: Db, paths: readonly string[], since: number, now: number): PathRevert[] {
  const rows = revertsTouchingPaths(db, paths, since, now);
  const out = new Map<string, PathRevert>();
  for (const r of rows) {
    const hit = out.get(r.sha);
    if (hit) {
      if (!hit.paths.includes(r.path)) hit.paths.push(r.path);
      continue;
    }
    out.set(r.sha, {
      sha: r.sha.slice(0, 7),
      subject: r.subject,
      revertSha: r.revertSha.slice(0, 7),
      revertedAt: new Date(r.revertedAt).toISOString(),
      paths: [r.path],
    });
  }
  return [...out.values()];
}

/** The places behind a module's counted incidents in 90 days (newest `limit`): "INC-2 names src/x.ts:88", "INC-4 cause …". */
function incidentEvidence(db: Db, module: string, now: number, limit: number): string[] {
  const ids = countedModuleIncidents(db, module, now - 90 * DAY_MS, now, limit);
  if (ids.length === 0) return [];
  const places = moduleIncidentPlaces(db, module, ids);
  const names = incidentExternalIds(db, ids);
  return ids.map((id) => {
    const own = places.filter((p) => p.id === id);
    const named = own.filter((p) => p.via === 'names').map((p) => p.place);
    const caused = own.filter((p) => p.via === 'cause');
    const parts = [
      ...(named.length ? [`names ${short(named)}`] : []),
      ...(caused.length
        ? [`confirmed cause ${caused[0]!.sha!.slice(0, 7)} changed ${short(caused.map((p) => p.place))}`]
        : []),
    ];
    return `${names.get(id) ?? id} ${parts.length ? parts.join(', ') : `has module ${module}`}`;
  });
}

const short = (places: string[]): string =>
  places.slice(0, 3).join(', ') + (places.length > 3 ? ` +${places.length - 3} more` : '');
