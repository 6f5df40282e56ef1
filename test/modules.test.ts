import { describe, expect, it } from 'vitest';
import { ModuleMapper, ROOT_MODULE, directoryModule, normalisePath } from '../src/modules.js';

describe('directory modules', () => {
  it.each([
    ['src/payments/x.ts', 'payments'],
    ['packages/api/src/a.ts', 'api'],
    ['services/billing/handlers/charge.go', 'billing'],
    ['README.md', ROOT_MODULE],
    ['docs/guide.md', 'docs'],
    ['src/index.ts', 'src'],
  ])('%s → %s', (path, module) => {
    expect(directoryModule(path)).toBe(module);
    expect(new ModuleMapper({}).moduleOf(path)).toBe(module);
  });

  it('normalises ./, leading slashes and backslashes', () => {
    expect(normalisePath('./src\\payments\\x.ts')).toBe('src/payments/x.ts');
    expect(new ModuleMapper({}).moduleOf('/src/payments/x.ts')).toBe('payments');
  });
});

describe('config globs', () => {
  it('win over CODEOWNERS and directories, first match in file order', () => {
    const m = new ModuleMapper(
      { checkout: ['src/payments/checkout/**'], billing: ['src/payments/**', 'lib/invoice*.ts'] },
      'src/payments/ @acme/payments-team\n',
    );
    expect(m.moduleOf('src/payments/checkout/cart.ts')).toBe('checkout');
    expect(m.moduleOf('src/payments/refund.ts')).toBe('billing');
    expect(m.moduleOf('lib/invoice-pdf.ts')).toBe('billing');
    expect(m.moduleOf('src/search/index.ts')).toBe('search');
  });

  it('accept paths written with ./ or a leading slash, and plain folders', () => {
    const m = new ModuleMapper({ pay: ['./src/pay/**'], auth: ['/src/auth/**'], web: ['frontend'] });
    expect(m.moduleOf('src/pay/a.ts')).toBe('pay');
    expect(m.moduleOf('src/auth/a.ts')).toBe('auth');
    expect(m.moduleOf('frontend/app/page.tsx')).toBe('web');
    expect(m.moduleOf('frontendish/x.ts')).toBe('frontendish');
  });

  it('match dot files', () => {
    expect(new ModuleMapper({ ci: ['**/.github/**'] }).moduleOf('.github/workflows/ci.yml')).toBe('ci');
  });
});

describe('CODEOWNERS', () => {
  it('uses the owning team name, with the last matching pattern winning', () => {
    const owners = [
      '# comment',
      '*.md @acme/docs',
      '/src/billing/ @acme/billing-team @bob',
      'src/billing/legacy/ @acme/legacy',
    ].join('\n');
    const m = new ModuleMapper({}, owners);
    expect(m.moduleOf('src/billing/charge.ts')).toBe('billing-team');
    expect(m.moduleOf('src/billing/legacy/old.ts')).toBe('legacy');
    expect(m.moduleOf('src/billing/README.md')).toBe('billing-team');
    expect(m.moduleOf('README.md')).toBe('docs');
    expect(m.moduleOf('docs/x/guide.md')).toBe('docs');
    expect(m.moduleOf('src/search/a.ts')).toBe('search');
  });

  it('names modules after GitLab sections, including optional and approval-count sections', () => {
    const owners = [
      '[Payments] @acme/pay',
      'src/pay/',
      'lib/money.ts @alice',
      '^[Docs][2] @acme/writers',
      '/docs/',
    ].join('\n');
    const m = new ModuleMapper({}, owners);
    expect(m.moduleOf('src/pay/charge.ts')).toBe('Payments');
    expect(m.moduleOf('lib/money.ts')).toBe('Payments');
    expect(m.moduleOf('docs/adr/0001.md')).toBe('Docs');
    expect(m.moduleOf('src/other/x.ts')).toBe('other');
  });

  it('a later pattern without owners un-owns the path (falls back to its directory)', () => {
    const m = new ModuleMapper({}, 'src/ @acme/core\nsrc/vendor/\n');
    expect(m.moduleOf('src/app/a.ts')).toBe('core');
    expect(m.moduleOf('src/vendor/lib.js')).toBe('vendor');
  });

  it('a catch-all names the default reviewers, not a module: its paths keep their directory modules', () => {
    // gitleaks' CODEOWNERS (2026-07): one catch-all of four people, then release-critical paths
    const owners = [
      '*                          @bryanbeverly @dustin-decker @dxa4481 @zricethezav',
      '/.github/                  @bryanbeverly @dustin-decker @dxa4481 @zricethezav',
      '/go.mod                    @bryanbeverly @dustin-decker @dxa4481 @zricethezav',
    ].join('\n');
    const m = new ModuleMapper({}, owners);
    expect(m.moduleOf('detect/detect.go')).toBe('detect');
    expect(m.moduleOf('cmd/generate/config/main.go')).toBe('generate');
    expect(m.moduleOf('main.go')).toBe('(root)');
    expect(m.moduleOf('.github/workflows/test.yml')).toBe('bryanbeverly');
    for (const all of ['/*', '**', '/**', '**/*', '/**/*']) {
      expect(new ModuleMapper({}, `${all} @acme/core`).moduleOf('src/app/a.ts')).toBe('app');
    }
    expect(new ModuleMapper({}, '*.go @acme/go').moduleOf('src/app/a.go')).toBe('go');
  });

  it('unanchored single names match at any depth; anchored ones only at the root', () => {
    const m = new ModuleMapper({}, 'build/ @acme/build\n/config/ @acme/ops\n');
    expect(m.moduleOf('packages/web/build/out.js')).toBe('build');
    expect(m.moduleOf('config/app.yml')).toBe('ops');
    expect(m.moduleOf('src/config/app.ts')).toBe('config');
  });
});

describe('fingerprint', () => {
  it('changes when globs or CODEOWNERS change, and is stable otherwise', () => {
    const a = ModuleMapper.fingerprint({ pay: ['src/pay/**'] }, '* @x');
    expect(ModuleMapper.fingerprint({ pay: ['src/pay/**'] }, '* @x')).toBe(a);
    expect(ModuleMapper.fingerprint({ pay: ['src/payments/**'] }, '* @x')).not.toBe(a);
    expect(ModuleMapper.fingerprint({ pay: ['src/pay/**'] }, '* @y')).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(32);
  });
});
