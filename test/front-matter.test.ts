import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDecisionRecord } from '../src/decisions/records.js';
import { ImportRejectedError } from '../src/errors.js';
import { hasFrontMatter, parseFrontMatter } from '../src/front-matter.js';
import { importIncidents } from '../src/ingest/incidents.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/gitdir.js';

// gray-matter's defaults would `eval` these blocks: a file in a cloned repository must never run code here.
const RUNS_CODE = (lang: string) =>
  `---${lang}\n{ title: (globalThis.__hindsightRan = 'yes') }\n---\n# 7. Use queues\n`;
const ran = () => (globalThis as { __hindsightRan?: string }).__hindsightRan;

afterEach(() => {
  delete (globalThis as { __hindsightRan?: string }).__hindsightRan;
});

describe('front matter from repository files', () => {
  it('reads YAML front matter', () => {
    const parsed = parseFrontMatter('---\nstatus: accepted\ntags: [a, b]\n---\nBody\n');
    expect(parsed.data).toEqual({ status: 'accepted', tags: ['a', 'b'] });
    expect(parsed.content.trim()).toBe('Body');
    expect(hasFrontMatter('# no front matter')).toBe(false);
  });

  it.each(['js', 'javascript'])('refuses ---%s front matter without running it', (lang) => {
    expect(() => parseFrontMatter(RUNS_CODE(lang))).toThrow(/JavaScript front matter is not read/);
    expect(ran()).toBeUndefined();
  });

  it('an ADR with JavaScript front matter is read as plain markdown, and its code never runs', () => {
    const record = parseDecisionRecord(RUNS_CODE('js'), 'docs/adr/0007-use-queues.md');
    expect(ran()).toBeUndefined();
    expect(record.title).toBe('Use queues');
  });

  it('a post-mortem with JavaScript front matter is rejected with its file, and its code never runs', () => {
    const ctx = testContext(tempDir('hindsight-repo-'));
    const dir = tempDir('hindsight-pm-');
    writeFileSync(join(dir, 'inc-9.md'), RUNS_CODE('js'));
    let err: unknown;
    try {
      importIncidents(ctx, dir);
    } catch (e) {
      err = e;
    }
    expect(ran()).toBeUndefined();
    expect(err).toBeInstanceOf(ImportRejectedError);
    expect((err as ImportRejectedError).problems[0]).toMatchObject({
      file: join(dir, 'inc-9.md'),
      field: '(front matter)',
    });
  });
});
