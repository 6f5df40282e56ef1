import { describe, expect, it } from 'vitest';
import { isVendorFrame, parseFrame, parseFrames } from '../../src/ingest/frames.js';

describe('parseFrame', () => {
  it.each([
    // JS / TS (V8)
    ['at chargeCard (src/payments/charge.ts:88:12)', 'src/payments/charge.ts', 88],
    ['    at async Object.run (file:///home/ci/app/src/x.ts:3:9)', 'home/ci/app/src/x.ts', 3],
    ['at /app/src/payments/charge.ts:88:12', 'app/src/payments/charge.ts', 88],
    ['at new Charge (C:\\work\\app\\src\\charge.js:7:1)', 'work/app/src/charge.js', 7],
    ['at Object.<anonymous> (webpack://shop/./src/cart.tsx:12:4)', 'src/cart.tsx', 12],
    ['at x (https://cdn.example.com/assets/app.js:1:900)', 'assets/app.js', 1],
    ['at processTicksAndRejections (node:internal/process/task_queues:95:5)', 'node:internal/process/task_queues', 95],
    // Python
    ['File "app/payments/charge.py", line 88, in charge', 'app/payments/charge.py', 88],
    ['  File "/srv/app/search/query.py", line 41', 'srv/app/search/query.py', 41],
    // Java / Kotlin
    ['com.acme.payments.Charge.run(Charge.java:88)', 'com/acme/payments/Charge.java', 88],
    ['\tat com.acme.payments.Charge$Retry.lambda$run$0(Charge.java:120)', 'com/acme/payments/Charge.java', 120],
    ['at java.base/java.lang.Thread.run(Thread.java:833)', 'java/lang/Thread.java', 833],
    ['at com.acme.billing.InvoiceService.issue(InvoiceService.kt:42)', 'InvoiceService.kt', 42],
    ['at kotlin.collections.CollectionsKt.first(Collections.kt:10)', 'kotlin/collections/Collections.kt', 10],
    // Go
    ['\t/app/payments/charge.go:88 +0x1d', 'app/payments/charge.go', 88],
    ['/usr/local/go/src/runtime/panic.go:1038 +0x215', 'usr/local/go/src/runtime/panic.go', 1038],
    // Ruby
    ["app/models/charge.rb:12:in 'charge'", 'app/models/charge.rb', 12],
    ["from /srv/app/lib/billing.rb:3:in `block in run'", 'srv/app/lib/billing.rb', 3],
    // .NET
    ['at Acme.Payments.Charge.Run() in C:\\src\\Payments\\Charge.cs:line 88', 'src/Payments/Charge.cs', 88],
    // plain
    ['src/payments/charge.ts:88', 'src/payments/charge.ts', 88],
    ['src/payments/charge.ts:88:3', 'src/payments/charge.ts', 88],
  ])('%s', (text, path, line) => {
    expect(parseFrame(text)).toEqual({ path, line });
  });

  it('reads a bare path as a frame without line', () => {
    expect(parseFrame('src/payments/charge.ts')).toEqual({ path: 'src/payments/charge.ts', line: null });
  });

  it.each([
    '',
    'TypeError: Cannot read properties of undefined',
    'java.lang.NullPointerException',
    'at foo (native)',
    'at async Promise.all (index 0)',
    'at com.acme.Native.call(Native Method)',
    'File "<frozen importlib._bootstrap>", line 1, in _find',
    'goroutine 1 [running]:',
    'main.charge(0xc000010000, 0x1)',
    'Traceback (most recent call last):',
  ])('is not a frame: %s', (text) => {
    expect(parseFrame(text)).toBeNull();
  });
});

describe('parseFrames', () => {
  it('takes the frames out of a pasted Go trace and skips the rest', () => {
    const trace = [
      'panic: runtime error: invalid memory address',
      '',
      'goroutine 1 [running]:',
      'main.(*Worker).charge(0x0)',
      '\t/app/services/billing/worker.go:88 +0x1d',
      'main.main()',
      '\t/app/cmd/worker/main.go:12 +0x25',
      'exit status 2',
    ].join('\n');
    expect(parseFrames(trace)).toEqual([
      { path: 'app/services/billing/worker.go', line: 88 },
      { path: 'app/cmd/worker/main.go', line: 12 },
    ]);
  });
});

describe('isVendorFrame', () => {
  it.each([
    'app/node_modules/express/lib/router/layer.js',
    'node:internal/process/task_queues',
    'internal/process/task_queues.js',
    'usr/lib/python3.11/json/decoder.py',
    'venv/lib/python3.12/site-packages/django/core/handlers.py',
    'usr/local/go/src/runtime/panic.go',
    'root/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go',
    'usr/local/bundle/gems/rack-2.2.3/lib/rack.rb',
    'usr/local/lib/ruby/3.2.0/net/http.rb',
    'vendor/github.com/acme/lib/x.go',
    'java/lang/Thread.java',
    'kotlin/collections/Collections.kt',
  ])('vendor: %s', (path) => {
    expect(isVendorFrame(path)).toBe(true);
  });

  it.each([
    'src/payments/charge.ts',
    'app/payments/charge.py',
    'com/acme/payments/Charge.java',
    'go/src/github.com/acme/shop/charge.go',
    'services/internal/api.go',
  ])('application: %s', (path) => {
    expect(isVendorFrame(path)).toBe(false);
  });
});
