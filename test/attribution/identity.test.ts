import { describe, expect, it } from 'vitest';
import {
  agentForClientName,
  detectAuthorship,
  parseIdentity,
  parseTrailers,
  type AuthorshipInput,
} from '../../src/attribution/identity.js';

/** Builds the detector input from an author line and a full commit message, the way ingest does. */
function commit(author: string, message: string): AuthorshipInput {
  const { name, email } = parseIdentity(author);
  return { authorName: name, authorEmail: email, body: message, trailers: parseTrailers(message) };
}

const HUMAN = 'Ada Lovelace <ada@example.com>';

describe('parseTrailers', () => {
  it('reads the last paragraph, lower-cases keys and unfolds continuation lines', () => {
    const msg = [
      'fix: retry charge',
      '',
      'Body text: with a colon that is not a trailer',
      'and a second line.',
      '',
      'Signed-off-by: Ada <ada@example.com>',
      'Co-Authored-By: Claude <noreply@anthropic.com>',
      'Link: https://example.com/a',
      '  /continued',
    ].join('\n');
    expect(parseTrailers(msg)).toEqual([
      { key: 'signed-off-by', value: 'Ada <ada@example.com>' },
      { key: 'co-authored-by', value: 'Claude <noreply@anthropic.com>' },
      { key: 'link', value: 'https://example.com/a /continued' },
    ]);
  });

  it('never takes the subject as a trailer block', () => {
    expect(parseTrailers('Fixes: abc1234 looks like a trailer')).toEqual([]);
    expect(parseTrailers('Subject\n')).toEqual([]);
  });

  it('rejects a last paragraph of prose, and accepts a mixed one only with a git-generated trailer (25% rule)', () => {
    expect(parseTrailers('subject\n\nThis is prose.\nReviewed-by: Bob <b@x>')).toEqual([]);
    expect(parseTrailers('subject\n\nsome note\nSigned-off-by: Bob <b@x>')).toEqual([
      { key: 'signed-off-by', value: 'Bob <b@x>' },
    ]);
  });

  it('ignores text after a --- divider and trailing blank lines', () => {
    expect(parseTrailers('subject\n\nAcked-by: A <a@x>\n\n\n')).toEqual([{ key: 'acked-by', value: 'A <a@x>' }]);
    expect(parseTrailers('subject\n\nAcked-by: A <a@x>\n---\nnotes: not a trailer\n')).toEqual([
      { key: 'acked-by', value: 'A <a@x>' },
    ]);
  });
});

describe('detectAuthorship: agents as they sign their work', () => {
  it('Claude Code: human author + Co-Authored-By trailer and Generated-with line → pair', () => {
    const msg =
      'feat(payments): retry failed charges\n\nAdds backoff.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n';
    expect(detectAuthorship(commit(HUMAN, msg), [])).toEqual({
      kind: 'pair',
      agent: 'claude',
      evidence: 'Co-authored-by: Claude <noreply@anthropic.com>',
    });
  });

  it('Claude with a model name in the trailer is still claude', () => {
    const msg = 'chore: bump\n\nCo-Authored-By: Claude Opus 4.1 <noreply@anthropic.com>';
    expect(detectAuthorship(commit(HUMAN, msg), [])).toMatchObject({ kind: 'pair', agent: 'claude' });
  });

  it('the Generated-with body line alone marks a pair', () => {
    const msg = 'fix: x\n\n🤖 Generated with [Claude Code](https://claude.ai/code)';
    expect(detectAuthorship(commit(HUMAN, msg), [])).toEqual({
      kind: 'pair',
      agent: 'claude',
      evidence: '🤖 Generated with [Claude Code](https://claude.ai/code)',
    });
  });

  it('a human named Claude is a human', () => {
    expect(detectAuthorship(commit('Claude Monet <claude@example.fr>', 'paint'), [])).toEqual({
      kind: 'human',
      agent: null,
      evidence: null,
    });
  });

  it('Cursor background agent as author → agent; Cursor trailer on a human commit → pair', () => {
    expect(detectAuthorship(commit('Cursor Agent <cursoragent@cursor.com>', 'Refactor search index'), [])).toEqual({
      kind: 'agent',
      agent: 'cursor',
      evidence: 'author email cursoragent@cursor.com',
    });
    expect(detectAuthorship(commit(HUMAN, 'fix\n\nCo-authored-by: Cursor <cursoragent@cursor.com>'), [])).toMatchObject(
      { kind: 'pair', agent: 'cursor' },
    );
  });

  it('GitHub Copilot coding agent: bot author with the human as co-author → pair; alone → agent', () => {
    const msg = 'Add rate limit to login\n\nCo-authored-by: octocat <583231+octocat@users.noreply.github.com>';
    expect(
      detectAuthorship(commit('copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>', msg), []),
    ).toMatchObject({
      kind: 'pair',
      agent: 'copilot',
    });
    expect(
      detectAuthorship(commit('Copilot <198982749+Copilot@users.noreply.github.com>', 'Initial plan'), []),
    ).toEqual({
      kind: 'agent',
      agent: 'copilot',
      evidence: 'author email 198982749+Copilot@users.noreply.github.com',
    });
    expect(detectAuthorship(commit('github-copilot[bot] <x@users.noreply.github.com>', 'x'), [])).toMatchObject({
      kind: 'agent',
      agent: 'copilot',
    });
    expect(
      detectAuthorship(commit(HUMAN, 'x\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>'), []),
    ).toMatchObject({ kind: 'pair', agent: 'copilot' });
  });

  it('Codex: connector bot, Codex trailer, codex names', () => {
    expect(
      detectAuthorship(
        commit('chatgpt-codex-connector[bot] <199175422+chatgpt-codex-connector[bot]@users.noreply.github.com>', 'x'),
        [],
      ),
    ).toMatchObject({ kind: 'agent', agent: 'codex' });
    expect(detectAuthorship(commit(HUMAN, 'x\n\nCo-authored-by: Codex <noreply@openai.com>'), [])).toMatchObject({
      kind: 'pair',
      agent: 'codex',
    });
    expect(detectAuthorship(commit('codex <codex@example.com>', 'x'), [])).toMatchObject({
      kind: 'agent',
      agent: 'codex',
    });
  });

  it('Devin: integration bot author, Devin AI name, and its Co-Authored-By trailer', () => {
    expect(
      detectAuthorship(
        commit('devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>', 'x'),
        [],
      ),
    ).toEqual({
      kind: 'agent',
      agent: 'devin',
      evidence: 'author devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>',
    });
    expect(detectAuthorship(commit('Devin AI <devin@example.com>', 'x'), [])).toMatchObject({ agent: 'devin' });
    const msg =
      'refactor: split\n\nGenerated with [Devin](https://devin.ai)\n\nCo-Authored-By: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>';
    expect(detectAuthorship(commit(HUMAN, msg), [])).toMatchObject({ kind: 'pair', agent: 'devin' });
    // A person called Devin stays human.
    expect(detectAuthorship(commit('Devin Smith <devin@example.com>', 'x'), []).kind).toBe('human');
  });

  it('Aider: " (aider)" author suffix → agent; aider co-author trailer → pair', () => {
    expect(detectAuthorship(commit('Ada Lovelace (aider) <ada@example.com>', 'feat: x'), [])).toEqual({
      kind: 'agent',
      agent: 'aider',
      evidence: 'author name Ada Lovelace (aider)',
    });
    expect(
      detectAuthorship(commit(HUMAN, 'feat: x\n\nCo-authored-by: aider (openai/gpt-4o) <noreply@aider.chat>'), []),
    ).toEqual({
      kind: 'pair',
      agent: 'aider',
      evidence: 'Co-authored-by: aider (openai/gpt-4o) <noreply@aider.chat>',
    });
  });

  it('any other [bot] is an agent named by its login', () => {
    expect(
      detectAuthorship(commit('dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>', 'Bump x'), []),
    ).toMatchObject({ kind: 'agent', agent: 'dependabot' });
    expect(detectAuthorship(commit('Renovate <bot@x.io>', 'x'), []).kind).toBe('human');
    expect(detectAuthorship(commit('renovate[bot] <bot@renovateapp.com>', 'x'), [])).toMatchObject({
      agent: 'renovate',
    });
  });

  it('an agent author co-signed only by agents stays agent; a human co-author that is the author is not a pair', () => {
    expect(
      detectAuthorship(
        commit('Cursor Agent <cursoragent@cursor.com>', 'x\n\nCo-authored-by: Claude <noreply@anthropic.com>'),
        [],
      ).kind,
    ).toBe('agent');
    expect(detectAuthorship(commit(HUMAN, `x\n\nCo-authored-by: ${HUMAN}`), []).kind).toBe('human');
  });
});

describe('detectAuthorship: config rules win over built-ins', () => {
  it('maps an unknown identity to an agent, by email glob, case-insensitively', () => {
    const rules = [{ match: '*@agents.acme.dev', agent: 'AcmeBot' }];
    expect(detectAuthorship(commit('Acme Runner <RUN-7@agents.acme.dev>', 'x'), rules)).toEqual({
      kind: 'agent',
      agent: 'acmebot',
      evidence: "author email RUN-7@agents.acme.dev matches identities rule '*@agents.acme.dev'",
    });
  });

  it('can declare a built-in agent identity human, and rename an agent', () => {
    const human = [{ match: 'cursoragent@cursor.com', kind: 'human' as const }];
    expect(detectAuthorship(commit('Cursor Agent <cursoragent@cursor.com>', 'x'), human).kind).toBe('human');
    const renamed = [{ match: 'Claude*', agent: 'claude-internal' }];
    expect(
      detectAuthorship(commit(HUMAN, 'x\n\nCo-authored-by: Claude <noreply@anthropic.com>'), renamed),
    ).toMatchObject({ kind: 'pair', agent: 'claude-internal' });
  });

  it('matches by name too, and kind agent without a name uses the built-in or the identity name', () => {
    const rules = [{ match: 'release robot', kind: 'agent' as const }];
    expect(detectAuthorship(commit('Release Robot <ci@acme.dev>', 'x'), rules)).toMatchObject({
      kind: 'agent',
      agent: 'release robot',
    });
  });
});

describe('agentForClientName', () => {
  it.each([
    ['claude-code', 'claude'],
    ['claude-ai', 'claude'],
    ['Claude Desktop', 'claude'],
    ['cursor-vscode', 'cursor'],
    ['Cursor', 'cursor'],
    ['codex-mcp-client', 'codex'],
    ['copilot', 'copilot'],
    ['Visual Studio Code', 'copilot'],
    ['Visual Studio Code - Insiders', 'copilot'],
    ['windsurf-client', 'windsurf'],
    ['gemini-cli-mcp-client', 'gemini'],
  ])('%s → %s', (name, agent) => {
    expect(agentForClientName(name)).toBe(agent);
  });

  it('unknown clients → undefined', () => {
    expect(agentForClientName('mcp-inspector')).toBeUndefined();
    expect(agentForClientName('')).toBeUndefined();
    expect(agentForClientName('claudette')).toBeUndefined();
  });
});
