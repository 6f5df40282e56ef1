// Issue 6's token budget at bench/tokens.ts's 3.5 bytes per token: clients load tools/list into the model's
// context every session, and an agent reads each answer. Sizes do not depend on the machine, so unlike the
// timings this budget is enforced in the tests (test/mcp/token-budget*.test.ts).
export const LIST_BYTES = 14_000; // 4,000 tokens
export const ANSWER_BYTES = 7_000; // 2,000 tokens

export const bytes = (x: unknown) => Buffer.byteLength(typeof x === 'string' ? x : JSON.stringify(x ?? null));
