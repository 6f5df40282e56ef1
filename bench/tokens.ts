import type { OrgCatalog } from './gen-org.js';
import { argumentMakers } from './latency.js';
import { connectStdio, type ServerCommand } from './mcp-client.js';
import { rng } from './stats.js';
import { tokens } from './stats.js';

export interface ToolSize {
  tool: string;
  /** this tool's entry in tools/list */
  listBytes: number;
  inputSchemaBytes: number;
  outputSchemaBytes: number;
  descriptionBytes: number;
  /** the default answer: text content, structured content, the whole result */
  textBytes?: number;
  structuredBytes?: number;
  resultBytes?: number;
  error?: string;
}

export interface TokenReport {
  listBytes: number;
  listTokens: number;
  tools: ToolSize[];
}

const bytes = (x: unknown) => Buffer.byteLength(typeof x === 'string' ? x : JSON.stringify(x ?? null));

/** Default calls on the demo scenario; `previous` gives a later call ids an earlier answer returned. */
export function defaultCalls(
  paymentsIncident: string,
): Record<string, (previous: Map<string, unknown>) => Record<string, unknown>> {
  const interruptId = (p: Map<string, unknown>) => (p.get('log_interrupt') as { id?: number } | undefined)?.id ?? 1;
  return {
    my_deploy_impact: () => ({}),
    change_risk: () => ({ paths: ['src/payments/gateway.ts'] }),
    module_incident_history: () => ({ module: 'payments' }),
    incident_suspects: () => ({ incident: paymentsIncident }),
    log_interrupt: () => ({
      summary: 'Needed the retry policy for payment gateway timeouts before changing src/payments/gateway.ts',
      paths: ['src/payments/gateway.ts'],
    }),
    resolve_interrupt: (p) => ({
      id: interruptId(p),
      response: 'Use the shared retry helper with the idempotency key.',
    }),
    record_task: () => ({ action: 'start', id: 'bench-task-1', title: 'Tune gateway retries' }),
    triage_report: () => ({}),
    delivery_metrics: () => ({}),
    release_review: () => ({}),
    propose_adr: (p) => ({
      title: 'Use idempotency keys for payment retries',
      context: 'Gateway timeouts were retried without keys and charged twice.',
      decision: 'Every payment retry reuses the idempotency key of the first attempt.',
      interrupt_ids: [interruptId(p)],
      dry_run: true,
    }),
    propose_rule: (p) => ({
      rule: 'Payment retries MUST reuse the idempotency key.',
      interrupt_ids: [interruptId(p)],
      dry_run: true,
    }),
    propose_skill: (p) => ({
      name: 'payment-retries',
      description: 'How to retry a payment call safely; use when changing gateway retry or timeout code.',
      body: '1. Reuse the idempotency key.\n2. Back off exponentially.\n',
      interrupt_ids: [interruptId(p)],
      dry_run: true,
    }),
  };
}

/** Size of tools/list (whole and per tool) and of each tool's default answer, over stdio against the built server. */
export async function measureTokens(server: ServerCommand, paymentsIncident: string): Promise<TokenReport> {
  const { client } = await connectStdio(server);
  try {
    const list = await client.listTools();
    const listBytes = bytes(list);
    const calls = defaultCalls(paymentsIncident);
    const previous = new Map<string, unknown>();
    const out: ToolSize[] = [];
    for (const t of list.tools) {
      const size: ToolSize = {
        tool: t.name,
        listBytes: bytes(t),
        inputSchemaBytes: bytes(t.inputSchema),
        outputSchemaBytes: bytes(t.outputSchema),
        descriptionBytes: bytes(t.description ?? ''),
      };
      const make = calls[t.name];
      if (make) {
        const res = await client.callTool({ name: t.name, arguments: make(previous) });
        const text = (res.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');
        previous.set(t.name, res.structuredContent);
        Object.assign(size, {
          textBytes: bytes(text),
          structuredBytes: res.structuredContent ? bytes(res.structuredContent) : 0,
          resultBytes: bytes(res),
        });
        if (res.isError) size.error = text.slice(0, 200);
      }
      out.push(size);
    }
    return { listBytes, listTokens: tokens(listBytes), tools: out };
  } finally {
    await client.close();
  }
}

export interface LargeAnswers {
  tool: string;
  calls: number;
  /** the largest answer (text or structured content, whichever is larger), bytes */
  largest: number;
  /** calls whose answer was over `budgetBytes` */
  over: number;
}

/**
 * Answer sizes on a generated history (bench/gen-org.ts) over `calls` varied calls per tool, with bench/latency.ts's
 * arguments: the demo is small whatever the code does, real repositories are not.
 */
export async function measureLargeAnswers(
  server: ServerCommand,
  catalog: OrgCatalog,
  calls: number,
  budgetBytes: number,
): Promise<LargeAnswers[]> {
  const { client } = await connectStdio(server);
  try {
    const makers = argumentMakers(catalog, rng(11));
    const { tools } = await client.listTools();
    const out: LargeAnswers[] = [];
    for (const t of tools.filter((t) => t.annotations?.readOnlyHint && makers[t.name])) {
      const row = { tool: t.name, calls, largest: 0, over: 0 };
      for (let i = 0; i < calls; i++) {
        const res = await client.callTool({ name: t.name, arguments: makers[t.name]!(i) });
        const text = (res.content as { text?: string }[]).map((c) => c.text ?? '').join('\n');
        const size = Math.max(bytes(text), bytes(res.structuredContent ?? ''));
        row.largest = Math.max(row.largest, size);
        if (size > budgetBytes) row.over++;
      }
      out.push(row);
    }
    return out;
  } finally {
    await client.close();
  }
}
