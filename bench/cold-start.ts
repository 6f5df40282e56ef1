import { connectStdio, type ServerCommand } from './mcp-client.js';
import { distribution, type Distribution } from './stats.js';

export interface ColdStartTarget {
  name: string;
  server: ServerCommand;
}

/** Spawn → initialize → first tools/list answered, per target, runs interleaved so load drifts hit all alike. */
export async function measureColdStart(
  targets: readonly ColdStartTarget[],
  runs: number,
): Promise<Map<string, Distribution & { tools: number }>> {
  const times = new Map(targets.map((t) => [t.name, [] as number[]]));
  const tools = new Map<string, number>();
  for (let i = 0; i < runs + 1; i++) {
    for (const t of targets) {
      const started = performance.now();
      const { client } = await connectStdio(t.server);
      const listed = await client.listTools();
      const elapsed = performance.now() - started;
      await client.close();
      tools.set(t.name, listed.tools.length);
      if (i > 0) times.get(t.name)!.push(elapsed); // the first round warms the file cache
    }
  }
  return new Map(targets.map((t) => [t.name, { ...distribution(times.get(t.name)!), tools: tools.get(t.name)! }]));
}
