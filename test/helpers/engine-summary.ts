// A closing line per engine after vitest's own summary: how many tests ran on SQLite and how many on PostgreSQL
// (the vitest project each ran in), so a run that silently dropped one engine shows it.
import type { Reporter, TestModule } from 'vitest/node';

export default class EngineSummary implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = new Map<string, Record<'passed' | 'failed' | 'skipped', number>>();
    for (const m of modules) {
      const name = m.project.name || 'default';
      let c = counts.get(name);
      if (!c) counts.set(name, (c = { passed: 0, failed: 0, skipped: 0 }));
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed' || state === 'failed') c[state]++;
        else c.skipped++;
      }
    }
    const lines = [...counts].map(
      ([name, c]) =>
        `   ${name.padEnd(8)} ${c.passed + c.failed} tests ran: ${c.passed} passed, ${c.failed} failed` +
        (c.skipped ? `, ${c.skipped} skipped` : ''),
    );
    process.stdout.write(`\n Tests per engine\n${lines.join('\n')}\n`);
  }
}
