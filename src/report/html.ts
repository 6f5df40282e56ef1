import { duration, type KpiLine } from '../triage/report.js';
import type { DashboardData, DoraPoint } from './data.js';
import { COLORS, barChart, esc, fmt, heatmap, lineChart, type Series } from './svg.js';

/**
 * The dashboard as one self-contained HTML page: inline CSS and SVG, no script, no external request (its
 * Content-Security-Policy forbids them), every stored text escaped.
 */
export function renderDashboard(d: DashboardData): string {
  const body = [header(d), dora(d), incidents(d), hotspotSection(d), triage(d), suspects(d), footer(d)].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>hindsight — ${esc(repoName(d.repository))}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** No scripts, no fetches, no frames: only the inline styles and data: images the page itself carries. */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function header(d: DashboardData): string {
  const c = d.counts;
  const chip = (n: number, what: string) => `<span class="chip"><b>${fmt(n)}</b> ${what}</span>`;
  return `<header>
<div><h1>hindsight <span class="muted">· production outcomes</span></h1>
<p class="muted">${esc(d.repository)} · ${d.window.since.slice(0, 10)} → ${d.window.until.slice(0, 10)} (${d.window.days} days)</p></div>
<div class="chips">${chip(c.commits, 'commits')}${chip(c.deploys, 'deploys')}${chip(c.incidents, 'incidents')}${chip(c.links, 'attribution links')}</div>
</header>`;
}

function section(id: string, title: string, lead: string, content: string): string {
  return `<section id="${id}"><h2>${title}</h2><p class="lead">${lead}</p>${content}</section>`;
}

function empty(text: string): string {
  return `<p class="empty">${text}</p>`;
}

function dora(d: DashboardData): string {
  const pts = d.dora.points;
  const lead = `Per ${d.dora.bucketDays}-day window, deploys whose changes were made by people vs by coding agents.`;
  if (pts.every((p) => p.human === null && p.agent === null))
    return section(
      'dora',
      'Delivery — human vs agent',
      lead,
      empty(
        'No deploys in this span. Record them from your CD step with <code>hindsight deploy record</code>, or ' +
          'read them from tags or GitHub with <code>hindsight ingest deploys</code> / <code>hindsight ingest github</code>.',
      ),
    );
  const labels = pts.map((p) => p.until.slice(5, 10));
  const chart = (
    id: string,
    title: string,
    unit: string,
    pick: (p: DoraPoint, k: 'human' | 'agent') => number | null,
  ) =>
    `<figure><figcaption>${esc(title)}</figcaption>${lineChart({
      id,
      title,
      labels,
      unit,
      series: [
        { name: 'human', color: COLORS.human, shape: 'circle', values: pts.map((p) => pick(p, 'human')) },
        { name: 'agent', color: COLORS.agent, shape: 'square', dashed: true, values: pts.map((p) => pick(p, 'agent')) },
      ] satisfies Series[],
    })}</figure>`;
  const legend = `<p class="legend"><span class="key human"></span>human <span class="key agent"></span>agent (dashed, squares)</p>`;
  return section(
    'dora',
    'Delivery — human vs agent',
    lead,
    doraTable(d) +
      legend +
      `<div class="grid quad">${[
        chart('dora-frequency', 'Deploys per week', 'deploys/week', (p, k) => p[k]?.perWeek ?? null),
        chart('dora-lead', 'Lead time, median (hours)', 'h', (p, k) => p[k]?.leadMedianH ?? null),
        chart('dora-cfr', 'Change failure rate (%)', '%', (p, k) => pct(p[k]?.failRate)),
        chart('dora-recovery', 'Recovery time, median (hours)', 'h', (p, k) => p[k]?.recoveryMedianH ?? null),
      ].join('')}</div>`,
  );
}

/** Each author kind over the whole span, with the change against the span before. */
function doraTable(d: DashboardData): string {
  const hours = (v: number | null) => (v === null ? '–' : `${fmt(v, 1)} h`);
  const rate = (v: number | null) => (v === null ? '–' : `${fmt(v * 100)}%`);
  const change = (v: number | null, show: (x: number) => string) =>
    v === null || v === 0 ? '' : ` <span class="muted small">${v > 0 ? '+' : '−'}${show(Math.abs(v))}</span>`;
  const rows = d.dora.span
    .map((g) => {
      const c = g.current;
      return (
        `<tr><td><span class="tag ${esc(g.key)}">${esc(g.key)}</span></td>` +
        `<td class="n">${c.deploys}${change(g.delta.deploys, (x) => fmt(x))}</td>` +
        `<td class="n">${fmt(c.perWeek, 1)}</td>` +
        `<td class="n">${hours(c.leadMedianH)}${change(g.delta.leadMedianH, (x) => `${fmt(x, 1)} h`)}</td>` +
        `<td class="n">${c.failed} · ${rate(c.failRate)}${change(g.delta.failRate, (x) => `${fmt(x * 100)} pts`)}</td>` +
        `<td class="n">${hours(c.recoveryMedianH)}</td><td class="n">${rate(c.reworkRate)}</td></tr>`
      );
    })
    .join('');
  return (
    `<table class="dora"><thead><tr><th>${d.window.days} days</th><th class="n">deploys</th><th class="n">per week</th>` +
    `<th class="n">lead time (median)</th><th class="n">failed · rate</th><th class="n">recovery (median)</th>` +
    `<th class="n">rework</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function incidents(d: DashboardData): string {
  const i = d.incidents;
  const lead = `${fmt(i.total)} incident${i.total === 1 ? '' : 's'} started in the span, per module and week.`;
  if (i.total === 0)
    return section(
      'incidents',
      'Incidents per module',
      lead,
      empty(
        'No incidents in this span. Import them with <code>hindsight ingest incidents FILE</code>, or send them ' +
          'to the team server’s <code>/webhooks/incident</code>, GitHub or PagerDuty webhooks.',
      ),
    );
  return section(
    'incidents',
    'Incidents per module',
    lead,
    `<figure class="wide">${heatmap({
      id: 'incidents-heatmap',
      title: 'Incidents per module per week',
      rows: i.modules.map((m) => m.module),
      columns: i.weeks,
      values: i.modules.map((m) => m.counts),
    })}</figure>`,
  );
}

function hotspotSection(d: DashboardData): string {
  const { files, modules } = d.hotspots;
  const lead =
    'Change frequency × size (code-maat): revisions in the span × lines at HEAD. Big files that keep changing ' +
    'are where defects and review cost concentrate.';
  const ranked = files.items.filter((h) => h.score !== null);
  if (ranked.length === 0)
    return section(
      'hotspots',
      'Hotspots',
      lead,
      empty(
        files.changed === 0
          ? 'No commits in this span. Ingest the repository with <code>hindsight ingest git</code>.'
          : 'The changed files have no size at HEAD (the repository has no HEAD commit, or they were deleted).',
      ),
    );
  const bars = barChart({
    id: 'hotspots-files',
    title: 'File hotspots: revisions × lines',
    color: '#CC79A7',
    rows: ranked.map((h) => ({
      label: h.name,
      value: h.score!,
      note: `${h.revisions} rev × ${fmt(h.lines!)} lines`,
      tip: `#${h.rank} ${h.name}: ${h.revisions} revisions × ${fmt(h.lines!)} lines = ${fmt(h.score!)}; ${h.authors} authors, +${fmt(h.added)} −${fmt(h.deleted)}`,
    })),
  });
  const moduleRows = modules.items
    .map(
      (m) =>
        `<tr><td>${m.rank ?? '–'}</td><td>${esc(m.name)}</td><td class="n">${m.revisions}</td><td class="n">${m.authors}</td>` +
        `<td class="n">${m.lines === null ? '–' : fmt(m.lines)}</td><td class="n">+${fmt(m.added)} −${fmt(m.deleted)}</td></tr>`,
    )
    .join('');
  const couples = [...modules.coupling.items.slice(0, 4), ...files.coupling.items.slice(0, 6)]
    .map(
      (c) =>
        `<li><b>${c.degree}%</b> ${esc(c.entity)} ↔ ${esc(c.coupled)} <span class="muted">(${c.sharedRevs} shared of ~${c.averageRevs} revisions)</span></li>`,
    )
    .join('');
  const t = files.coupling.thresholds;
  return section(
    'hotspots',
    'Hotspots',
    lead,
    `<p class="muted">${fmt(files.ranked)} files ranked of ${fmt(files.changed)} changed${files.head ? ` · sizes at ${esc(files.head.slice(0, 10))}` : ''}</p>
<figure class="wide">${bars}</figure>
<div class="grid two">
<div><h3>Modules</h3><table><thead><tr><th>#</th><th>module</th><th class="n">revisions</th><th class="n">authors</th><th class="n">lines</th><th class="n">churn</th></tr></thead><tbody>${moduleRows}</tbody></table></div>
<div><h3>Change coupling</h3>${couples ? `<ul class="couples">${couples}</ul>` : empty('No pair above the thresholds.')}
<p class="muted small">degree = shared revisions ÷ average revisions; pairs need ≥ ${t.minRevs} revisions each, ≥ ${t.minSharedRevs} shared, ≥ ${t.minCoupling}%; commits of more than ${t.maxChangesetSize} files left out.</p></div>
</div>`,
  );
}

function triage(d: DashboardData): string {
  const t = d.triage;
  const lead = `The agent feedback loop, ${t.window.since.slice(0, 10)} → ${t.window.until.slice(0, 10)}, against the week before.`;
  const cards = t.kpis.map(kpiCard).join('');
  const loops = t.loops
    .map(
      (l) =>
        `<li class="loop ${l.state.toLowerCase()}"><span class="state">${esc(l.state)}</span> <b>${esc(l.loop)}</b> <span class="muted">${esc(l.covers)}</span><br><span class="small">${esc(l.reason)}</span></li>`,
    )
    .join('');
  const noData = t.kpis.every((k) => k.current === null && k.previous === null);
  return section(
    'triage',
    'Triage loop',
    lead,
    (noData
      ? empty(
          'No agent tasks or interrupts yet. Agents log them with the <code>record_task</code> and ' +
            '<code>log_interrupt</code> tools; import history with <code>hindsight interrupts import FILE</code>.',
        )
      : '') +
      `<div class="kpis">${cards}</div><ul class="loops">${loops}</ul>` +
      `<p class="intervention"><b>Next:</b> ${esc(t.intervention)}</p>`,
  );
}

function kpiCard(k: KpiLine): string {
  const show = (v: number | null) => (v === null ? '–' : k.unit === 'ratio' ? `${fmt(v * 100)}%` : duration(v));
  const delta =
    k.delta === null
      ? 'no change to compare'
      : `${k.delta > 0 ? '▲' : k.delta < 0 ? '▼' : '='} ${k.unit === 'ratio' ? `${fmt(Math.abs(k.delta) * 100)} pts` : duration(Math.abs(k.delta))}`;
  return `<div class="kpi ${k.trend}"><div class="kpi-title" title="${esc(k.definition)}">${esc(k.title)}</div>
<div class="kpi-value">${show(k.current)}</div><div class="kpi-delta">${delta} <span class="muted">(${esc(k.trend)}; was ${show(k.previous)}; ${k.better} is better)</span></div></div>`;
}

function suspects(d: DashboardData): string {
  const s = d.suspects;
  const title = s.open > 0 ? 'Top suspects of open incidents' : 'Top suspects of the latest incidents';
  const lead =
    s.open > 0
      ? `${s.open} incident${s.open === 1 ? '' : 's'} open; the changes that most likely caused each.`
      : 'No incident is open; the latest ones, with the changes that most likely caused them.';
  if (s.items.length === 0)
    return section(
      'suspects',
      'Top suspects of open incidents',
      lead,
      empty('No incidents recorded. Import them with <code>hindsight ingest incidents FILE</code>.'),
    );
  const cards = s.items
    .map((i) => {
      const rows = i.suspects
        .map(
          (c) =>
            `<tr><td><code>${esc(c.sha)}</code></td><td>${esc(c.subject)}</td><td>${esc(c.agent ?? c.author)} <span class="tag ${esc(c.authorKind)}">${esc(c.authorKind)}</span></td>` +
            `<td class="n">${fmt(c.score, 2)}</td><td><span class="tag ${esc(c.status)}">${esc(c.status)}</span></td></tr>`,
        )
        .join('');
      return `<article class="incident"><h3><span class="tag ${esc(i.status)}">${esc(i.status)}</span> ${esc(i.ref)} ${esc(i.title)}</h3>
<p class="muted small">${esc(i.startedAt.slice(0, 16).replace('T', ' '))} UTC${i.severity ? ` · ${esc(i.severity)}` : ''}${i.module ? ` · ${esc(i.module)}` : ''}</p>
${rows ? `<table><thead><tr><th>commit</th><th>subject</th><th>by</th><th class="n">score</th><th>status</th></tr></thead><tbody>${rows}</tbody></table>` : empty('No suspect: no shipped change matches this incident yet.')}</article>`;
    })
    .join('');
  return section('suspects', title, lead, cards);
}

function footer(d: DashboardData): string {
  return `<footer>Generated by hindsight at ${esc(d.generatedAt)} · DORA keys as in <code>hindsight metrics</code>, hotspots as in <code>hindsight hotspots</code>, KPIs as in <code>hindsight triage</code>.</footer>`;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
const repoName = (p: string) => p.split(/[\\/]/).filter(Boolean).at(-1) ?? p;

const STYLE = `
:root{--fg:#0f172a;--muted:#5b6474;--line:#e3e6ea;--bg:#f7f8fa;--card:#fff;--human:${COLORS.human};--agent:${COLORS.agent}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:flex-end;gap:12px;padding:28px 40px 20px;background:#0f172a;color:#f8fafc}
header .muted{color:#a5b4c8}
h1{margin:0;font-size:24px;font-weight:650;letter-spacing:-.01em}
h2{margin:0 0 4px;font-size:19px}
h3{margin:8px 0;font-size:15px}
section{max-width:1180px;margin:20px auto;padding:22px 26px;background:var(--card);border:1px solid var(--line);border-radius:12px}
.lead{margin:0 0 14px;color:var(--muted)}
.muted{color:var(--muted)}
.small{font-size:13px}
.chips{display:flex;gap:8px;flex-wrap:wrap}
.chip{background:#1e293b;border:1px solid #334155;border-radius:999px;padding:4px 12px;font-size:13px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:14px}
.grid.quad{grid-template-columns:repeat(2,minmax(0,1fr))}
@media (max-width:760px){.grid.quad{grid-template-columns:1fr}}
.grid.two{grid-template-columns:repeat(auto-fit,minmax(420px,1fr));margin-top:10px}
figure{margin:0;padding:10px;border:1px solid var(--line);border-radius:10px;overflow-x:auto}
figure.wide{border:none;padding:0}
figcaption{font-weight:600;font-size:14px;margin-bottom:4px}
svg.chart{display:block;max-width:100%;height:auto}
svg .tick{font-size:11px;fill:#6b7280}
svg .label{font-size:12px;fill:#1f2937}
svg .note{font-size:12px;fill:#4b5563}
svg .count{font-size:12px;font-weight:600}
.legend{margin:0 0 10px;font-size:13px;color:var(--muted)}
.key{display:inline-block;width:14px;height:4px;border-radius:2px;margin:0 6px 3px 10px;vertical-align:middle}
.key.human{background:var(--human)}.key.agent{background:var(--agent)}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600}
.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f5f9;padding:1px 5px;border-radius:4px}
table.dora{margin:0 0 16px}
.couples{margin:0;padding-left:18px}
.couples li{margin:4px 0}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px}
.kpi{border:1px solid var(--line);border-left:4px solid #94a3b8;border-radius:10px;padding:12px 14px}
.kpi.better{border-left-color:#009E73}.kpi.worse{border-left-color:#D55E00}
.kpi-title{font-size:13px;color:var(--muted);cursor:help}
.kpi-value{font-size:26px;font-weight:650;font-variant-numeric:tabular-nums}
.kpi-delta{font-size:13px}
.loops{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:10px;margin:14px 0}
.loop{border:1px solid var(--line);border-radius:10px;padding:10px 12px}
.state{display:inline-block;font-size:12px;font-weight:700;padding:1px 8px;border-radius:999px;background:#e2e8f0}
.loop.present .state{background:#d1fae5;color:#065f46}.loop.throttled .state{background:#fef3c7;color:#92400e}.loop.absent .state{background:#fee2e2;color:#991b1b}
.intervention{background:#f1f5f9;border-radius:8px;padding:10px 12px;margin:0}
.incident{border-top:1px solid var(--line);padding-top:6px;margin-top:6px}
.tag{display:inline-block;font-size:12px;font-weight:600;padding:0 7px;border-radius:999px;background:#e2e8f0;color:#1f2937}
.tag.open{background:#fee2e2;color:#991b1b}.tag.resolved{background:#d1fae5;color:#065f46}
.tag.confirmed{background:#ede9fe;color:#5b21b6}.tag.agent{background:#ffedd5;color:#9a3412}.tag.human{background:#dbeafe;color:#1e40af}.tag.pair{background:#d1fae5;color:#065f46}
.empty{padding:14px;border:1px dashed #cbd5e1;border-radius:10px;color:var(--muted);background:#fbfcfd}
footer{max-width:1180px;margin:10px auto 30px;padding:0 26px;font-size:13px;color:var(--muted)}
`;
