import { describe, expect, it } from 'vitest';
import { suggestCategory } from '../../src/triage/categorize.js';
import { stem } from '../../src/triage/stem.js';
import { words } from '../../src/triage/terms.js';

describe('category suggestion', () => {
  const cases: [string, string][] = [
    ["I didn't know where the payment retry policy is documented", 'missing_context'],
    ['Where is the list of supported currencies kept? Which convention do we use?', 'missing_context'],
    ['Undocumented decision: why do we pin the Postgres client?', 'missing_context'],
    ['Agent is not allowed to run migrations against prod data without approval', 'policy_gap'],
    ['Committed a secret to the repository; policy says must not', 'policy_gap'],
    ['npm run e2e timed out again, the suite is flaky', 'tool_failure'],
    ['The build script crashed with exit code 137', 'tool_failure'],
    ['The linter produced wrong output for the generated files', 'tool_failure'],
    ['The ticket is ambiguous: which of the two layouts should ship?', 'ambiguous_spec'],
    ['Unclear acceptance criteria for the export button', 'ambiguous_spec'],
    ['Refactored the logger as asked', 'other'],
  ];
  for (const [text, category] of cases) {
    it(`${category}: ${text}`, () => {
      const s = suggestCategory(text);
      expect(s.category).toBe(category);
      if (category !== 'other') expect(s.matched.length).toBeGreaterThan(0);
    });
  }
});

describe('terms', () => {
  it('stems like Porter (the FTS5 porter tokenizer)', () => {
    const pairs: [string, string][] = [
      ['caresses', 'caress'],
      ['ponies', 'poni'],
      ['agreed', 'agre'],
      ['motoring', 'motor'],
      ['hopping', 'hop'],
      ['relational', 'relat'],
      ['generalizations', 'gener'],
      ['adjustment', 'adjust'],
      ['controll', 'control'],
      ['retries', 'retri'],
      ['retrying', 'retri'],
      ['idempotency', 'idempot'],
      ['migrations', 'migrat'],
    ];
    for (const [w, s] of pairs) expect(stem(w), w).toBe(s);
  });

  it('folds abbreviations and phrases, drops stop-words and apostrophes', () => {
    expect(words("The agent didn't know the prod DB migration needs sign-off; e2e timed out end-to-end")).toEqual([
      'production',
      'database',
      'migration',
      'approval',
      'e2e',
      'timeout',
      'e2e',
    ]);
  });
});
