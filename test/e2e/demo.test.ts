import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/gitdir.js';
import { runCli } from './cli.js';

/** The environment a user's shell has: the real clock, whatever the test runner set. */
function realClockEnv(): Record<string, string> {
  const env = { ...(process.env as Record<string, string>) };
  delete env['HINDSIGHT_NOW'];
  return env;
}

/** Runs the demo's printed "try it" lines as a user pastes them into a shell. */
async function runTryIt(lines: string[]) {
  const serve = lines.find((l) => l.endsWith(' serve'))!;
  const loop = lines.find((l) => l.endsWith(' loop --dry-run'))!;
  const transport = new StdioClientTransport({
    command: 'sh',
    args: ['-c', serve],
    env: realClockEnv(),
    stderr: 'ignore',
  });
  const client = new Client({ name: 'claude-code', version: '1.0.0' });
  await client.connect(transport);
  try {
    const impact = await client.callTool({ name: 'my_deploy_impact', arguments: {} });
    const loopOut = execFileSync('sh', ['-c', loop], { encoding: 'utf8', env: realClockEnv(), timeout: 60_000 });
    return { impact, loopOut };
  } finally {
    await client.close();
  }
}

describe('hindsight demo', () => {
  it('builds the scenario, serves it over stdio, and traces the recurring payments timeouts to their cause', async () => {
    const dir = join(tempDir(), 'demo');
    const res = runCli(['demo', '--dir', dir, '--json'], { cwd: tempDir() });
    expect(res.stderr).not.toMatch(/unexpected error/);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as {
      traced: boolean;
      tryIt: string[];
      toolsListBytes: number;
      answers: Record<string, Record<string, unknown>>;
    };
    expect(report.traced).toBe(true);
    expect(Object.keys(report.answers).sort()).toEqual(
      [
        'change_risk',
        'delivery_metrics',
        'incident_suspects',
        'log_interrupt',
        'module_incident_history',
        'my_deploy_impact',
        'propose_rule',
        'release_review',
        'triage_report',
      ].sort(),
    );
    // Production outcomes (issue 14): the release review reads the demo's CI runs and approval waits, and change_risk
    // carries the payments module's share of production.
    const review = report.answers['release_review'] as {
      findings: { topic: string; text: string }[];
      suggestion: { rule: string } | null;
    };
    expect(review.findings.find((f) => f.topic === 'builds')!.text).toMatch(/job 'test' failed at step 'Run vitest'/);
    expect(review.findings.find((f) => f.topic === 'quiet_checks')!.text).toMatch(/CI › lint/);
    expect(review.suggestion?.rule).toMatch(/^repeated-failure/);
    expect((report.answers['change_risk'] as { reasons: string[] }).reasons).toContain(
      'production: payments: 9 % of requests, 41 % of cost (last 30 days of signals)',
    );
    const impact = report.answers['my_deploy_impact'] as {
      identity: { value: string };
      deploys: { incidents: { id: string; linkStatus: string }[] }[];
    };
    expect(impact.identity.value).toBe('claude');
    // all three occurrences of the payments timeout are tied to Claude's change
    const confirmed = new Set(
      impact.deploys.flatMap((d) => d.incidents.filter((i) => i.linkStatus === 'confirmed').map((i) => i.id)),
    );
    expect(confirmed.size).toBeGreaterThanOrEqual(3);
    const suspects = report.answers['incident_suspects'] as {
      commits: { status: string; reasons: string[]; blamed?: string[] }[];
    };
    expect(suspects.commits[0]!.status).toBe('confirmed');
    expect(suspects.commits[0]!.blamed!.length).toBeGreaterThan(0);

    // DORA by author kind: the payments timeouts make one agent deploy (confirmed cause of three incidents) failed,
    // counted once; the incidents no deploy caused are reported apart
    const dora = report.answers['delivery_metrics'] as {
      byKind: { key: string; current: { deploys: number; failed: number } }[];
      incidents: { causedByDeploy: number; notCausedByDeploy: number };
    };
    const agent = dora.byKind.find((k) => k.key === 'agent')!.current;
    expect(agent.failed).toBeGreaterThanOrEqual(1);
    expect(agent.failed).toBeLessThan(agent.deploys);
    expect(dora.incidents.causedByDeploy).toBeGreaterThanOrEqual(3);
    expect(dora.incidents.notCausedByDeploy).toBeGreaterThanOrEqual(1);

    // telling the author: the causing PR's comment (dry run) and the incident as a regression-test spec
    const told = report as unknown as {
      notify: { counts: { create: number }; actions: { kind: string; repo: string; number: number; body: string }[] };
      regressionSpec: { path: string; written: boolean; content: string };
    };
    expect(told.notify.counts.create).toBe(1);
    expect(told.notify.actions[0]).toMatchObject({ kind: 'create', repo: 'acme/shop', number: 212 });
    expect(told.notify.actions[0]!.body).toContain('<!-- hindsight:incident=INC-1071 -->');
    expect(told.notify.actions[0]!.body).toMatch(/confirmed cause \(fix-blame\)[\s\S]*GATEWAY_TIMEOUT_MS = 2_000/);
    expect(told.regressionSpec).toMatchObject({ path: 'test/regressions/INC-1071.md', written: false });
    expect(told.regressionSpec.content).toMatch(/src\/payments\/gateway\.ts:41/);

    // the triage loop: the correction joins the recurring cluster and is pointed at the ADR that covers it
    expect(JSON.stringify(report.answers['log_interrupt'])).toMatch(/ADR-0002/);
    const triage = report.answers['triage_report'] as { kpis: Record<string, unknown>; topClusters: unknown[] };
    expect(Object.keys(triage.kpis)).toHaveLength(5);
    expect(triage.topClusters.length).toBeGreaterThanOrEqual(3);
    const rule = report.answers['propose_rule'] as { path: string; written: boolean; content: string };
    expect(rule).toMatchObject({ path: 'AGENTS.md', written: true });
    expect(readFileSync(join(dir, 'scenario/repo/AGENTS.md'), 'utf8')).toContain(
      'Agents MUST NOT run database migrations against production',
    );

    // the printed "try it" lines work as copied, on the real clock: the agent's deploys and a loop plan
    const tried = await runTryIt(report.tryIt);
    expect(tried.impact.isError).toBeFalsy();
    expect(tried.impact.structuredContent).toMatchObject({ identity: { value: 'claude' } });
    expect((tried.impact.structuredContent as { myCommits: number }).myCommits).toBeGreaterThan(0);
    expect(tried.loopOut).not.toMatch(/nothing to do/i);
  }, 120_000);
});
