import { describe, expect, it } from 'vitest';
import { getInterrupt } from '../src/store/interrupts.js';
import { logInterrupt } from '../src/triage/interrupts.js';
import { redactSecrets } from '../src/redact.js';
import { gitdir } from './helpers/gitdir.js';
import { testContext } from './helpers/context.js';

// Realistic pastes: what agents and people put in interrupt text. Each secret below is fake but well-formed.
const SAMPLES: { text: string; secrets: string[]; kinds: string[] }[] = [
  {
    text: 'aws s3 ls failed with AccessDenied; env had AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE and aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    secrets: ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    kinds: ['aws-access-key', 'aws-secret-key'],
  },
  {
    text: 'git push failed: remote: Invalid username or token. I used ghp_R2d2C3poBb8aLuke5kYwalkerHanSolo1234 and github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRS',
    secrets: ['ghp_R2d2C3poBb8aLuke5kYwalkerHanSolo1234', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'],
    kinds: ['github-token'],
  },
  {
    text: 'The webhook posts with xoxb-2048-1024-AbCdEfGhIjKlMnOpQrStUvWx and Stripe sk_live_51HqLyjWDarjtT1zdp7dc and rk_live_51HqLyjWDarjtT1zdp7dcXYZ',
    secrets: [
      'xoxb-2048-1024-AbCdEfGhIjKlMnOpQrStUvWx',
      'sk_live_51HqLyjWDarjtT1zdp7dc',
      'rk_live_51HqLyjWDarjtT1zdp7dcXYZ',
    ],
    kinds: ['slack-token', 'stripe-key'],
  },
  {
    text: 'maps widget: key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI returns 403',
    secrets: ['AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI'],
    kinds: ['google-api-key'],
  },
  {
    text: 'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c" https://api.acme.dev/v1/charges',
    secrets: ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'],
    kinds: ['jwt'],
  },
  {
    text: 'deploy key below, is it the right one?\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDxEXAMPLEEXAMPLE\n-----END OPENSSH PRIVATE KEY-----\nthanks',
    secrets: ['b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ', 'QyNTUxOQAAACDxEXAMPLEEXAMPLE'],
    kinds: ['private-key'],
  },
  {
    text: 'migration failed against postgres://deploy:S3cr3t-Pr0d!@db.prod.internal:5432/storefront (timeout)',
    secrets: ['S3cr3t-Pr0d!'],
    kinds: ['url-password'],
  },
  {
    text: 'config had password=hunter2 and "api_key": "a1b2c3d4e5f6" plus token: 9f8e7d6c5b4a and client_secret:\'Zx9-Yw8_Vu7\'',
    secrets: ['hunter2', 'a1b2c3d4e5f6', '9f8e7d6c5b4a', 'Zx9-Yw8_Vu7'],
    kinds: ['assignment'],
  },
  {
    text: 'Authorization: Basic ZGVwbG95OnMzY3IzdC1wcm9kLXBhc3M= was rejected',
    secrets: ['ZGVwbG95OnMzY3IzdC1wcm9kLXBhc3M='],
    kinds: ['bearer-token'],
  },
];

describe('secret redaction', () => {
  for (const [i, s] of SAMPLES.entries()) {
    it(`sample ${i + 1}: ${s.kinds.join(', ')}`, () => {
      const r = redactSecrets(s.text);
      for (const secret of s.secrets) expect(r.text).not.toContain(secret);
      expect(r.kinds).toEqual(s.kinds);
      expect(r.count).toBeGreaterThanOrEqual(1);
    });
  }

  it('counts each secret once', () => {
    expect(redactSecrets(SAMPLES[2]!.text).count).toBe(3);
    expect(redactSecrets(SAMPLES[7]!.text).count).toBe(4);
    expect(redactSecrets(SAMPLES[5]!.text).count).toBe(1);
  });

  it('keeps what is not a secret: prose, placeholders, env references, the text around secrets', () => {
    const plain = [
      'the token: expired after the password reset flow',
      'set DB_PASSWORD=$DB_PASSWORD in CI and password: ${PASSWORD}',
      'the api key is read from ACME_PAY_API_KEY; never log it',
      'see https://docs.acme.dev/api and postgres://localhost:5432/dev',
      'sk_live keys live in the vault; Bearer tokens expire after 1 h',
      // Commit SHAs, UUIDs and paths near secret words; counts; status messages; identifiers.
      'the token refresh broke in a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      'secret scanning flagged commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
      'request id 123e4567-e89b-12d3-a456-426614174000 failed with the api key',
      'secret rotation lives in src/auth/SecretRotator2.ts and packages/api-keys/index.ts',
      'see src/auth/token-store.ts:42 and src/auth/tokenStore.test.ts',
      'credentials: ~/.aws/credentials and password_file=/run/secrets/db_password',
      'max_tokens=4096, token_type=bearer, tokens used: 15234 of 200000',
      'password: required',
      'token: invalid',
      'primary key = id; cache key: users:1234; apiVersion: v1',
      'key=value pairs are parsed by parseKeyValue2',
      'access denied for role arn:aws:iam::123456789012:role/deploy',
      'uses accessKeyId from the AWS SDK v3 credential provider chain',
      'the auth service returned 401 for /api/v2/sessions/8841',
      'interface Keys { secret: Buffer; token: string }; def login(password: str)',
    ];
    for (const t of plain) expect(redactSecrets(t)).toEqual({ text: t, count: 0, kinds: [] });
    const r = redactSecrets(SAMPLES[6]!.text);
    expect(r.text).toBe(
      'migration failed against postgres://deploy:[REDACTED:password]@db.prod.internal:5432/storefront (timeout)',
    );
  });

  it('never stores a secret: summary, detail and response are redacted before the insert', () => {
    const ctx = testContext(gitdir().path);
    const res = logInterrupt(ctx, {
      kind: 'interrupt',
      summary: `push rejected with ghp_R2d2C3poBb8aLuke5kYwalkerHanSolo1234`,
      detail: SAMPLES[6]!.text,
      source: 'agent',
      createdAt: Date.parse('2026-03-01T10:00:00Z'),
    });
    expect(res.redactions).toBe(2);
    const row = getInterrupt(ctx.store, res.id)!;
    expect(row.summary).toBe('push rejected with [REDACTED:github-token]');
    expect(row.detail).not.toContain('S3cr3t');
    const fts = ctx.store
      .prepare(
        "SELECT count(*) AS n FROM interrupts_fts WHERE interrupts_fts MATCH 'ghp_R2d2C3poBb8aLuke5kYwalkerHanSolo1234'",
      )
      .get() as { n: number };
    expect(fts.n).toBe(0);
  });
});
