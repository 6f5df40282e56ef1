import { Worker } from 'node:worker_threads';
import { UpstreamError } from './errors.js';

/** Bytes read ahead of the consumer before git is paused, and the level at which it resumes. */
const AHEAD_MAX = 16 << 20;
const AHEAD_RESUME = 4 << 20;

/**
 * The reader thread: spawns git, forwards its stdout, and ends with its exit. It pauses git when the consumer is
 * AHEAD_MAX bytes behind, so a log of a million commits never sits in memory whole.
 */
const READER = `
const { parentPort, workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const { cwd, args, input, aheadMax, aheadResume } = workerData;
const child = spawn('git', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
const stderr = [];
let ahead = 0;
child.stderr.on('data', (b) => stderr.push(b));
child.stdin.on('error', () => {}); // git may exit before reading all of stdin; its exit tells the story
child.stdin.end(input);
child.stdout.on('data', (b) => {
  ahead += b.length;
  parentPort.postMessage(b);
  if (ahead > aheadMax) child.stdout.pause();
});
parentPort.on('message', (m) => {
  if (m === 'kill') return void child.kill();
  ahead -= m;
  if (ahead < aheadResume) child.stdout.resume();
});
child.on('error', (err) => parentPort.postMessage({ error: err.message }));
child.on('close', (code, signal) =>
  parentPort.postMessage({ code, signal, stderr: Buffer.concat(stderr).toString('utf8').trim() }),
);
`;

type End = { error: string } | { code: number | null; signal: string | null; stderr: string };

/**
 * A git command's stdout, read on its own thread. The ingest writes its chunks synchronously on this thread,
 * and git would stall on a full pipe meanwhile (64 KB, ~20 ms of git's output): read from another thread it
 * keeps running, so git's work and ours overlap as they did when each commit was written as it was read.
 */
export async function* gitStdout(cwd: string, label: string, args: string[], input: string): AsyncGenerator<Buffer> {
  const worker = new Worker(READER, {
    eval: true,
    workerData: { cwd, args, input, aheadMax: AHEAD_MAX, aheadResume: AHEAD_RESUME },
  });
  const queue: (Uint8Array | End)[] = [];
  let wake = () => {};
  const push = (m: Uint8Array | End) => {
    queue.push(m);
    wake();
  };
  let exited = () => {};
  const gitExited = new Promise<void>((resolve) => (exited = resolve));
  const end = (m: End) => {
    exited();
    push(m);
  };
  worker.on('message', (m: Uint8Array | End) => (m instanceof Uint8Array ? push(m) : end(m)));
  worker.on('error', (err) => end({ error: err.message }));
  worker.on('exit', () => end({ error: 'the reader thread stopped' })); // read only if nothing else ended it
  let ended = false;
  try {
    for (;;) {
      // at most AHEAD_MAX bytes are queued, a few hundred chunks: shift() stays cheap
      const m = queue.shift();
      if (m === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (m instanceof Uint8Array) {
        worker.postMessage(m.byteLength);
        yield Buffer.from(m.buffer, m.byteOffset, m.byteLength);
        continue;
      }
      ended = true;
      if ('error' in m) throw new UpstreamError(label, m.error, false);
      if (m.code !== 0) throw new UpstreamError(label, m.stderr || `exited with ${m.code ?? m.signal}`, false);
      return;
    }
  } finally {
    // The consumer stopped early (a parse error): stop git before the thread that holds it.
    if (!ended) {
      worker.postMessage('kill');
      await gitExited;
    }
    await worker.terminate();
  }
}
