/**
 * The dashboard's charts as inline SVG strings: no library, no script. Every data point is an element of class
 * `mark` carrying its value in `data-value` and a `<title>` (the browser's tooltip); every text is escaped.
 */

/** Escapes text for HTML/SVG content and quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const fmt = (v: number, digits = 0): string =>
  v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const COLORS = { human: '#0072B2', agent: '#D55E00', pair: '#009E73', grid: '#e3e6ea', axis: '#6b7280' };

export interface Series {
  name: string;
  color: string;
  /** null: nothing to measure at that point (the line breaks there). */
  values: (number | null)[];
  /** Marker shape, so series differ by more than colour. */
  shape: 'circle' | 'square';
  dashed?: boolean;
}

/** Rounds up to 1, 2, 2.5 or 5 × 10^n, so axis ticks land on round numbers. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/** A small multi-series line chart over shared x labels. */
export function lineChart(o: {
  id: string;
  title: string;
  labels: string[];
  series: Series[];
  unit: string;
  digits?: number;
}): string {
  const W = 520;
  const H = 210;
  const pad = { l: 46, r: 24, t: 12, b: 28 };
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const all = o.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceMax(Math.max(0, ...all));
  const x = (i: number) => pad.l + (o.labels.length <= 1 ? iw / 2 : (i * iw) / (o.labels.length - 1));
  const y = (v: number) => pad.t + ih - (v / max) * ih;
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(
      `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="${COLORS.grid}"/>`,
      `<text x="${pad.l - 6}" y="${y(v) + 4}" text-anchor="end" class="tick">${esc(fmt(v, 2))}</text>`,
    );
  }
  o.labels.forEach((l, i) => {
    if (o.labels.length > 7 && i % 2 === 1) return;
    const anchor = i === o.labels.length - 1 && i > 0 ? 'end' : 'middle';
    parts.push(`<text x="${x(i)}" y="${H - 8}" text-anchor="${anchor}" class="tick">${esc(l)}</text>`);
  });
  for (const s of o.series) {
    let d = '';
    s.values.forEach((v, i) => {
      d += v === null ? '' : `${d === '' || s.values[i - 1] === null ? 'M' : 'L'}${x(i)},${y(v)} `;
    });
    if (d)
      parts.push(
        `<path d="${d.trim()}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      );
    s.values.forEach((v, i) => {
      if (v === null) return;
      const tip = `<title>${esc(`${s.name}, ${o.labels[i] ?? ''}: ${fmt(v, o.digits ?? 1)} ${o.unit}`)}</title>`;
      const data = `class="mark" data-series="${esc(s.name)}" data-value="${v}"`;
      parts.push(
        s.shape === 'square'
          ? `<rect ${data} x="${x(i) - 4}" y="${y(v) - 4}" width="8" height="8" fill="${s.color}">${tip}</rect>`
          : `<circle ${data} cx="${x(i)}" cy="${y(v)}" r="4.5" fill="${s.color}">${tip}</circle>`,
      );
    });
  }
  return svg(o.id, o.title, W, H, parts);
}

/** Horizontal bars, one per row, longest first as given; `note` is printed after the bar. */
export function barChart(o: {
  id: string;
  title: string;
  rows: { label: string; value: number; note: string; tip: string }[];
  color: string;
}): string {
  const W = 720;
  const row = 26;
  const labelW = 260;
  const noteW = 170;
  const H = o.rows.length * row + 8;
  const max = Math.max(1, ...o.rows.map((r) => r.value));
  const bw = W - labelW - noteW - 16;
  const parts = o.rows.map((r, i) => {
    const yy = 4 + i * row;
    const w = Math.max(2, (r.value / max) * bw);
    return (
      `<text x="${labelW - 8}" y="${yy + 16}" text-anchor="end" class="label">${esc(clip(r.label, 38))}</text>` +
      `<rect class="mark" data-value="${r.value}" x="${labelW}" y="${yy + 3}" width="${w}" height="${row - 8}" rx="3" fill="${o.color}"><title>${esc(r.tip)}</title></rect>` +
      `<text x="${labelW + w + 8}" y="${yy + 16}" class="note">${esc(r.note)}</text>`
    );
  });
  return svg(o.id, o.title, W, H, parts);
}

/** A grid of counts (rows × columns), darker for more; each non-empty cell is a mark and shows its number. */
export function heatmap(o: {
  id: string;
  title: string;
  rows: string[];
  columns: string[];
  values: number[][];
}): string {
  const cell = { w: 46, h: 26 };
  const labelW = 150;
  const W = labelW + o.columns.length * cell.w + 8;
  const H = o.rows.length * cell.h + 34;
  const max = Math.max(1, ...o.values.flat());
  const ramp = ['#f1f5f9', '#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];
  const parts: string[] = [];
  o.rows.forEach((r, i) => {
    const yy = i * cell.h;
    parts.push(`<text x="${labelW - 8}" y="${yy + 17}" text-anchor="end" class="label">${esc(clip(r, 22))}</text>`);
    o.columns.forEach((c, j) => {
      const v = o.values[i]?.[j] ?? 0;
      const level = v === 0 ? 0 : Math.min(ramp.length - 1, 1 + Math.floor(((v - 1) / max) * (ramp.length - 1)));
      const xx = labelW + j * cell.w;
      const tip = `<title>${esc(`${r}, week of ${c}: ${v} incident${v === 1 ? '' : 's'}`)}</title>`;
      parts.push(
        `<rect ${v > 0 ? `class="mark" data-value="${v}"` : 'class="cell"'} x="${xx + 1}" y="${yy + 1}" width="${cell.w - 2}" height="${cell.h - 2}" rx="3" fill="${ramp[level]}">${tip}</rect>`,
      );
      if (v > 0)
        parts.push(
          `<text x="${xx + cell.w / 2}" y="${yy + 17}" text-anchor="middle" class="count" fill="${level >= 4 ? '#fff' : '#0f172a'}">${v}</text>`,
        );
    });
  });
  o.columns.forEach((c, j) => {
    if (j % 2 === 0)
      parts.push(
        `<text x="${labelW + j * cell.w + cell.w / 2}" y="${o.rows.length * cell.h + 18}" text-anchor="middle" class="tick">${esc(c.slice(5))}</text>`,
      );
  });
  return svg(o.id, o.title, W, H, parts);
}

function svg(id: string, title: string, w: number, h: number, parts: string[]): string {
  return (
    `<svg id="${esc(id)}" class="chart" role="img" aria-labelledby="${esc(id)}-t" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}">` +
    `<title id="${esc(id)}-t">${esc(title)}</title>${parts.join('')}</svg>`
  );
}

/** Shortens a label to `max` characters, keeping its end (a path's file name matters most). */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}
