import type { AppContext } from '../context.js';
import { rulesApplyingTo } from '../decisions/rules-applying.js';
import { normalisePath, ROOT_MODULE } from '../modules.js';
import { clustersOnPaths } from '../store/clusters.js';
import { clusterMembers, lastClusterAnswer } from '../store/interrupts.js';

/** The clusters named per answer: change_risk stays compact (one line each, plus one for the rules). */
const CLUSTERS_SHOWN = 2;
const TEXT_MAX = 100;
const RULES_SHOWN = 4;

/**
 * What the triage loop knows about files about to change, as change_risk's reason lines: the corrections and
 * interrupts logged on them or their modules (the largest clusters, the latest entry and the answer it got),
 * then the rule files that apply. At most three lines; none when nothing is known.
 */
export function pathNotes(ctx: AppContext, rawPaths: readonly string[]): string[] {
  const paths = [...new Set(rawPaths.map(normalisePath).filter((p) => p !== ''))];
  const modules = [...new Set(paths.map((p) => ctx.modules.moduleOf(p)))].filter((m) => m !== ROOT_MODULE);
  const lines: string[] = [];
  for (const c of clustersOnPaths(ctx.store, { paths, modules, limit: CLUSTERS_SHOWN })) {
    const latest = clusterMembers(ctx.store, c.id, 1)[0];
    const answer = lastClusterAnswer(ctx.store, c.id, -1);
    const where = c.paths.find((p) => paths.includes(p)) ?? (c.module ? `module ${c.module}` : 'these paths');
    lines.push(
      `${c.size} ${c.category} entr${c.size === 1 ? 'y' : 'ies'} logged on ${where} (cluster #${c.id} "${c.label}")` +
        (latest ? `, latest "${trim(latest.summary)}"` : '') +
        (answer ? ` → answer "${trim(answer.response)}"` : ', unanswered'),
    );
  }
  const rules = rulesApplyingTo(ctx.config.repoPath, paths, modules);
  if (rules.length > 0) {
    lines.push(
      `rules that apply: ${rules
        .slice(0, RULES_SHOWN)
        .map((r) => `${r.path} (${r.why})`)
        .join(', ')}${rules.length > RULES_SHOWN ? ', …' : ''}`,
    );
  }
  return lines;
}

function trim(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > TEXT_MAX ? `${one.slice(0, TEXT_MAX - 1)}…` : one;
}
