// Fake but well-formed secrets of the formats agents and people paste into interrupts, tasks and incidents:
// one per rule of src/redact.ts (and the seven formats issue 13 found stored). Deterministic, so failures repeat.

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const URLSAFE = `${ALNUM}_-`;

let seed = 0x2f6b_1d3c;
function rand(alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    s += alphabet[((t ^ (t >>> 14)) >>> 0) % alphabet.length];
  }
  return s;
}
const uuid = () => [8, 4, 4, 4, 12].map((n) => rand(HEX, n)).join('-');

export interface SecretSample {
  name: string;
  /** the text as pasted */
  text: string;
  /** what must never be stored */
  secret: string;
  /** ordinary words of the text that must be kept */
  keep: string;
  /** detected whatever the case (agent names are lower-cased before they are stored) */
  anyCase?: boolean;
}

const sample = (name: string, secret: string, template: string, keep: string, anyCase = false): SecretSample => ({
  name,
  text: template.replace('{s}', secret),
  secret,
  keep,
  anyCase,
});

export const SECRET_SAMPLES: SecretSample[] = [
  sample('github-pat', `ghp_${rand(ALNUM, 36)}`, 'push rejected: I used {s} for the remote', 'push rejected', true),
  sample('github-oauth', `gho_${rand(ALNUM, 36)}`, 'the OAuth callback returned {s} to us', 'OAuth callback', true),
  sample('github-fine-grained', `github_pat_${rand(ALNUM, 22)}_${rand(ALNUM, 59)}`, 'export GH={s}', 'export'),
  sample('gitlab-pat', `glpat-${rand(URLSAFE, 20)}`, 'gitlab clone failed with {s} today', 'clone failed', true),
  sample('slack-bot', `xoxb-${rand(HEX, 10)}-${rand(HEX, 13)}-${rand(ALNUM, 24)}`, 'the bot posts as {s}', 'bot posts'),
  sample(
    'slack-webhook',
    `T0${rand(ALNUM, 8)}/B0${rand(ALNUM, 8)}/${rand(ALNUM, 24)}`,
    'alerts go to https://hooks.slack.com/services/{s} now',
    'alerts go to',
  ),
  sample('stripe-live', `sk_live_${rand(ALNUM, 24)}`, 'Stripe charges use {s} in prod', 'Stripe charges', true),
  sample('stripe-restricted', `rk_test_${rand(ALNUM, 24)}`, 'the sandbox has {s} only', 'sandbox has'),
  sample(
    'aws-access-key',
    `AKIA${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
    'AWS_ACCESS_KEY_ID={s}',
    'AWS_ACCESS',
  ),
  sample('aws-secret-assigned', rand(B64, 40), 'aws_secret_access_key = {s}', 'aws_secret_access_key'),
  sample('aws-secret-prose', rand(B64, 40), 'the AWS secret key is {s}, rotate it', 'rotate it'),
  sample('google-api-key', `AIza${rand(URLSAFE, 35)}`, 'maps widget: key={s} returns 403', 'returns 403'),
  sample('sendgrid', `SG.${rand(URLSAFE, 22)}.${rand(URLSAFE, 43)}`, 'mail fails with {s} as sender', 'mail fails'),
  sample('twilio-api-key', `SK${rand(HEX, 32)}`, 'twilio sms uses {s}', 'twilio sms'),
  sample('twilio-account-sid', `AC${rand(HEX, 32)}`, 'Twilio account {s} is suspended', 'is suspended'),
  sample(
    'azure-storage',
    `${rand(B64, 86)}==`,
    'DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey={s};EndpointSuffix=core.windows.net',
    'EndpointSuffix',
  ),
  sample(
    'postgres-url',
    `S3cr3t-${rand(ALNUM, 8)}!`,
    'migration failed on postgres://deploy:{s}@db.internal/shop',
    'db.internal',
  ),
  sample('mongodb-url', rand(ALNUM, 14), 'mongodb+srv://app:{s}@cluster0.mongodb.net/test times out', 'times out'),
  sample('heroku-prose', uuid(), 'the heroku api key is {s} for staging', 'for staging'),
  sample('heroku-assigned', uuid(), 'HEROKU_API_KEY={s}', 'HEROKU_API'),
  sample('npm-token', `npm_${rand(ALNUM, 36)}`, '.npmrc has _authToken={s} in it', '.npmrc has', true),
  sample('openai', `sk-proj-${rand(URLSAFE, 48)}`, 'the eval script reads {s} from env', 'eval script', true),
  sample('anthropic', `sk-ant-api03-${rand(URLSAFE, 93)}AA`, 'set {s} for the agent', 'for the agent', true),
  sample(
    'jwt',
    `eyJhbGciOiJIUzI1NiJ9.eyJ${rand(URLSAFE, 40)}.${rand(URLSAFE, 43)}`,
    'curl -H "Authorization: Bearer {s}" failed',
    'curl -H',
  ),
  sample(
    'private-key',
    rand(B64, 64),
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA{s}\n-----END RSA PRIVATE KEY-----\nis this the deploy key?',
    'deploy key?',
  ),
  sample('password-colon', 'correcthorse', 'staging db password: {s}', 'staging db', true),
  sample('passwd-assigned', `Hunter2!${rand(ALNUM, 4)}`, 'the mysql passwd={s} worked', 'mysql'),
  sample('secret-env', `Zx9-Yw8_${rand(ALNUM, 6)}`, 'CLIENT_SECRET={s}', 'CLIENT_SECRET'),
  sample('token-in-url', rand(ALNUM, 12), 'GET /v1/export?token={s}&format=csv gave 500', 'format=csv'),
  sample('api-key-json', `k3y-${rand(ALNUM, 10)}`, 'config {"api_key": "{s}", "region": "eu"}', 'region'),
  sample('bearer-opaque', rand(ALNUM, 40), 'Authorization: Bearer {s} was rejected', 'was rejected'),
  sample(
    'basic-auth',
    Buffer.from(`deploy:${rand(ALNUM, 10)}`).toString('base64'),
    'Authorization: Basic {s}',
    'Basic',
  ),
  sample(
    'high-entropy-prose',
    `whsec_${rand(ALNUM, 32)}`,
    'the webhook signing secret is {s} (test mode)',
    'test mode',
  ),
  sample('high-entropy-weak-name', rand(ALNUM, 40), 'DD_APP_KEY={s}', 'DD_APP_KEY'),
];
