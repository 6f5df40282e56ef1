import { describe, expect, it } from 'vitest';
import { buildDemoDatabase } from '../../src/cli/commands/demo.js';
import { openStore } from '../../src/store/open.js';
import { testDbTarget } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';

describe('demo production signals', () => {
  it('raises the suspect score of the deploy that shipped the payments timeout, saying it is the error-rate step', async () => {
    const { scenario, dbPath } = await buildDemoDatabase(tempDir(), () => {}, testDbTarget());
    const db = openStore(dbPath);
    const rows = db
      .prepare(
        `SELECT l.target, l.score, l.evidence FROM incident_links l JOIN incidents i ON i.id = l.incident_id
         WHERE i.external_id = ? AND l.kind = 'deploy' ORDER BY l.score DESC`,
      )
      .all(scenario.expected.paymentsIncidentIds[0]) as { target: string; score: number; evidence: string }[];
    const shipped = db
      .prepare(
        `SELECT d.id FROM deploy_commits dc JOIN deploys d ON d.id = dc.deploy_id
         WHERE dc.sha = ? AND d.env = 'production' ORDER BY d.finished_at LIMIT 1`,
      )
      .get(scenario.expected.paymentsInducingSha) as { id: number };
    db.close();
    const top = rows[0]!;
    expect(top.target).toBe(String(shipped.id));
    const evidence = JSON.parse(top.evidence) as { reasons: string[]; factors: Record<string, number> };
    expect(evidence.factors['errorStep']).toBeGreaterThan(0.3);
    expect(evidence.reasons.join('\n')).toMatch(/error rate of payments rose from 0\.4 % to 3\.\d %/);
    // No other deploy of the incident shows a step: the demo's other windows are flat.
    for (const r of rows.slice(1)) expect(JSON.parse(r.evidence).factors['errorStep']).toBeUndefined();
  }, 60_000);
});
