// A commit link marks the deploys carrying its commit for my_deploy_impact's summaries (0016) only when it is shown
// there (score ≥ 0.3, not rejected; failure-grade links are a subset): a summary counts, weighs and lists shown
// links only, so writing or deleting any other changes nothing. An attribution run rewrites every link of an
// incident, and ~60 % of commit links are below that score (bench 6: 18,625 shown of 47,554); their marks made
// the end-of-run refresh recompute deploys no answer could tell apart. Same triggers as 0016 with a narrower WHEN:
// their bodies are taken from 0016's text, which never changes.
import { sql as impactSummaries } from './0016-impact-summaries.js';

/** A link row (`new` / `old`) shown in my_deploy_impact (impact-sql.ts SHOWN, written out). */
const shown = (r: string): string => `${r}.status <> 'rejected' AND (${r}.status = 'confirmed' OR ${r}.score >= 0.3)`;

/** 0016's trigger `name` with `when` as its condition. */
function narrowed(name: string, when: string): string {
  const start = impactSummaries.indexOf(`CREATE TRIGGER ${name} `);
  const begin = impactSummaries.indexOf(' BEGIN\n', start);
  const end = impactSummaries.indexOf('\nEND;', begin);
  if (start < 0 || begin < 0 || end < 0) throw new Error(`migration 0019: trigger ${name} not found in 0016`);
  const head = impactSummaries.slice(start, begin).replace(/ WHEN .*$/s, '');
  return `DROP TRIGGER ${name};\n${head} WHEN ${when}${impactSummaries.slice(begin, end)}\nEND;`;
}

export const sql = [
  narrowed('impact_links_ai', `new.kind = 'commit' AND ${shown('new')}`),
  narrowed('impact_links_au', `old.kind = 'commit' AND ${shown('old')} OR new.kind = 'commit' AND ${shown('new')}`),
  narrowed('impact_links_ad', `old.kind = 'commit' AND ${shown('old')}`),
].join('\n');
