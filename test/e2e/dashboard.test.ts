import chromium from '@sparticuz/chromium';
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/gitdir.js';
import { MAIN_JS, runCli } from './cli.js';

/** Where the screenshot and the measured figures go (gitignored). */
const OUTPUT = join(import.meta.dirname, '../../test-output');
const NOW = '2026-08-31T12:00:00Z'; // the demo scenario's clock
const EVIL_TITLE = `<img src=x onerror="alert(1)"><script>alert(2)</script> checkout & "quotes" fail`;
const EVIL_MODULE = '<svg onload=alert(3)>';
const EVIL_SUBJECT = 'fix: <b onmouseover=alert(4)>bold</b> retry';
const CHARTS = ['dora-frequency', 'dora-lead', 'dora-cfr', 'incidents-heatmap', 'hotspots-files'];

let browser: Browser;
let dir: string;
let db: string;
let repo: string;
let report: string;
const env = { HINDSIGHT_NOW: NOW };

beforeAll(async () => {
  dir = join(tempDir('hindsight-dash-'), 'demo');
  const demo = runCli(['demo', '--dir', dir, '--json'], { cwd: tempDir() });
  expect(demo.code, demo.stderr).toBe(0);
  const out = JSON.parse(demo.stdout) as { database: string; scenario: string; dashboard: string };
  ({ database: db, scenario: repo } = out);
  expect(demo.stderr).toContain(`dashboard written to ${out.dashboard}`);

  // Hostile text in every place stored text reaches the page: an incident's title and module, a commit subject.
  const at = '2026-08-30T09:00:00Z';
  writeFileSync(join(repo, 'src/payments/evil.ts'), 'export const x = 1;\n');
  execFileSync('git', ['add', '-A'], { cwd: repo });
  execFileSync('git', ['commit', '-q', '-m', EVIL_SUBJECT], {
    cwd: repo,
    env: {
      ...process.env,
      GIT_AUTHOR_DATE: at,
      GIT_COMMITTER_DATE: at,
      GIT_AUTHOR_NAME: 'Eve',
      GIT_AUTHOR_EMAIL: 'eve@example.com',
      GIT_COMMITTER_NAME: 'Eve',
      GIT_COMMITTER_EMAIL: 'eve@example.com',
    },
  });
  const cli = (...args: string[]) => {
    const r = runCli(['--db', db, '--repo', repo, ...args], { cwd: repo, env });
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  cli('ingest', 'git');
  cli('deploy', 'record', '--sha', 'HEAD', '--status', 'success', '--at', '2026-08-30T10:00:00Z', '--id', 'evil-1');
  const incidents = join(dir, 'evil-incidents.json');
  writeFileSync(
    incidents,
    JSON.stringify([
      {
        id: 'INC-666',
        title: EVIL_TITLE,
        module: EVIL_MODULE,
        started_at: '2026-08-30T11:00:00Z',
        files: ['src/payments/evil.ts'],
      },
    ]),
  );
  cli('ingest', 'incidents', incidents);
  report = join(dir, 'report.html');
  const written = cli('report', '--html', report);
  expect(written.stderr).toMatch(/dashboard written to .*report\.html \([\d,]+ bytes\)/);

  // A Chromium shipped in an npm package: if it cannot start, this fails (no skip).
  browser = await puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: [
      ...chromium.args,
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    headless: 'shell',
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

/** Opens `url`, failing on any console error, page error, dialog (a script ran) or request off the page's origin. */
async function open(url: string, headers: Record<string, string> = {}) {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`request: ${r.url()}`);
  });
  await page.setExtraHTTPHeaders(headers);
  await page.setViewport({ width: 1280, height: 900 });
  const res = await page.goto(url, { waitUntil: 'load' });
  // The test runs without the DOM's types: page code goes as text.
  const loadMs = (await page.evaluate(
    "(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; })()",
  )) as number;
  return { page, problems, status: res?.status(), loadMs };
}

/** data-value of each mark in a chart, by series when it has them. */
async function marks(page: Page, chart: string): Promise<{ series: string | null; value: number }[]> {
  return page.$$eval(`svg#${chart} .mark`, (els) =>
    els.map((e) => ({ series: e.getAttribute('data-series'), value: Number(e.getAttribute('data-value')) })),
  );
}

async function checkPage(page: Page) {
  for (const chart of CHARTS) expect((await marks(page, chart)).length, chart).toBeGreaterThan(0);
  // The hostile texts are text, not markup: no script element, no injected image/svg/b element.
  expect(await page.$$eval('script, img, b[onmouseover], svg[onload]', (els) => els.length)).toBe(0);
  const text = (await page.evaluate('document.body.innerText')) as string;
  expect(text).toContain(EVIL_TITLE);
  expect(text).toContain(EVIL_SUBJECT);
  const rows = await page.$$eval('svg#incidents-heatmap text.label', (els) => els.map((e) => e.textContent));
  expect(rows).toContain(EVIL_MODULE);
}

describe('the HTML dashboard in a real headless Chromium', () => {
  it('renders the written report from file:// with data that matches the store, and no errors', async () => {
    const { page, problems, loadMs } = await open(`file://${report}`);
    try {
      expect(problems).toEqual([]);
      await checkPage(page);

      // DORA: the last point of each series is `hindsight metrics` over the last bucket (90 days / 6).
      const metrics = JSON.parse(
        runCli(['--db', db, '--repo', repo, 'metrics', '--json', '--window-days', '15'], { cwd: repo, env }).stdout,
      ) as { byKind: { key: string; current: { perWeek: number } }[] };
      const freq = await marks(page, 'dora-frequency');
      for (const kind of ['human', 'agent']) {
        const expected = metrics.byKind.find((g) => g.key === kind)!.current.perWeek;
        expect(freq.filter((m) => m.series === kind).at(-1)?.value, kind).toBe(expected);
      }
      // The span table: each author kind's deploys over the 90 days, as `hindsight metrics` counts them.
      const span = JSON.parse(
        runCli(['--db', db, '--repo', repo, 'metrics', '--json', '--window-days', '90'], { cwd: repo, env }).stdout,
      ) as { byKind: { key: string; current: { deploys: number } }[] };
      const table = await page.$$eval('table.dora tbody tr', (rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
      expect(table.map((cells) => [cells[0], Number.parseInt(cells[1]!, 10)])).toEqual(
        span.byKind.map((g) => [g.key, g.current.deploys]),
      );
      // Incidents: the heatmap's cells add up to the incidents the store holds in its 13 weeks.
      const store = new Database(db, { readonly: true });
      const until = Date.parse(NOW);
      const started = store
        .prepare('SELECT COUNT(*) AS n FROM incidents WHERE started_at >= ? AND started_at <= ?')
        .get(until - 13 * 7 * 86_400_000, until) as { n: number };
      store.close();
      const cells = await marks(page, 'incidents-heatmap');
      expect(cells.reduce((s, c) => s + c.value, 0)).toBe(started.n);
      // Hotspots: the bars are `hindsight hotspots`' scores, in rank order.
      const hot = JSON.parse(
        runCli(['--db', db, '--repo', repo, 'hotspots', '--json', '--limit', '10'], { cwd: repo, env }).stdout,
      ) as { items: { score: number | null }[] };
      expect((await marks(page, 'hotspots-files')).map((m) => m.value)).toEqual(
        hot.items.flatMap((i) => (i.score === null ? [] : [i.score])),
      );
      // The open incident leads the suspects, with the hostile commit among its suspects.
      expect(await page.$eval('#suspects h2', (e) => e.textContent)).toBe('Top suspects of open incidents');

      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, 'dashboard.png') as `${string}.png`, fullPage: true });
      const figures = { reportBytes: statSync(report).size, fileLoadMs: Math.round(loadMs) };
      writeFileSync(join(OUTPUT, 'dashboard.json'), JSON.stringify(figures, null, 2));
      console.log(`dashboard: ${figures.reportBytes} bytes, load event after ${figures.fileLoadMs} ms (file://)`);
      expect(readFileSync(report, 'utf8')).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('is served at /dashboard by the team server to a token with read, and to nobody else', async () => {
    const token = runCli(['--db', db, 'token', 'create', '--agent', 'viewer', '--scope', 'read'], { cwd: repo, env })
      .stdout.trim()
      .split('\n')
      .at(-1)!;
    const logOnly = runCli(['--db', db, 'token', 'create', '--agent', 'logger', '--scope', 'log'], { cwd: repo, env })
      .stdout.trim()
      .split('\n')
      .at(-1)!;
    const child = spawn(
      process.execPath,
      [MAIN_JS, '--db', db, '--repo', repo, 'serve', '--http', '--host', '127.0.0.1', '--port', '0', '--no-ingest'],
      { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          const m = /receiver on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      expect(stderr).toContain(`GET  ${url}/dashboard`);
      expect((await fetch(`${url}/dashboard`)).status).toBe(401);
      expect((await fetch(`${url}/dashboard`, { headers: { authorization: `Bearer ${logOnly}` } })).status).toBe(403);

      const { page, problems, status } = await open(`${url}/dashboard`, { authorization: `Bearer ${token}` });
      try {
        expect(status).toBe(200);
        expect(problems).toEqual([]);
        await checkPage(page);
        expect(await page.title()).toBe('hindsight — repo');
      } finally {
        await page.close();
      }
      expect(stderr).toMatch(/GET \/dashboard 200 \d+ms agent=viewer/);
      expect(stderr).not.toContain(token);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 120_000);
});
