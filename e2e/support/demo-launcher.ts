import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';
import { descendantsOf, isAlive, type ProcessEntry } from '../../server/testing/process-tree';

/**
 * `npm run demo` for real, beside the e2e server: `demo/run.ts` with every port free (`0`), so it
 * clashes with nothing, and a temporary data folder. Its Loupe serves the UI the Playwright web
 * server has just built into `dist/web`.
 */

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BANNER = /Loupe demo running: open http:\/\/localhost:(\d+)/;
/** Loupe and the six services; the launcher prints its banner once all answer (10-20 s here). */
const STARTUP_TIMEOUT_MS = 120_000;
/** The launcher stops the load, the services (10 s each at most), then Loupe (30 s at most). */
const STOP_TIMEOUT_MS = 50_000;
/** Should the test runner die without stopping it, the demo still stops by itself. */
const SAFETY_DURATION_S = 900;

export interface RunningDemo {
  /** Loupe's UI and APIs, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** When it printed its banner: the load starts then. */
  startedAtMs: number;
  /** What the launcher printed so far (its banner, its errors). */
  output(): string;
  /** Throws, with the launcher's output, if the demo has stopped (a child died, say). */
  assertRunning(): void;
  /**
   * Ctrl-C, as a user would stop it; kills whatever is left should that fail, removes the data
   * folder, then throws if the stop was not clean (exit code, processes left behind).
   */
  stop(): Promise<void>;
}

function killQuietly(pid: number, signal: NodeJS.Signals | number): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> =>
  Promise.race([promise, new Promise<'timed out'>((done) => setTimeout(() => done('timed out'), ms))]);

/** Starts the demo at `rate` requests per second and waits for its banner. */
export async function startDemo(rate: number): Promise<RunningDemo> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'loupe-demo-e2e-'));
  const args = ['--rate', String(rate), '--data-dir', dataDir, '--duration', String(SAFETY_DURATION_S)];
  for (const flag of ['--http-port', '--otlp-port', '--grpc-port', '--port-base']) args.push(flag, '0');
  const launcher: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'demo/run.ts', ...args], {
    cwd: REPO_ROOT,
    // A process group of its own: the fallback kill reaches it without touching the test runner.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => launcher.once('exit', (code) => done(code)));
  let output = '';
  for (const stream of [launcher.stdout!, launcher.stderr!]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
  }

  let started: ProcessEntry[] = [];
  const stopOnce = async () => {
    // Taken before the stop: once the launcher has exited, its children are no longer below it.
    if (launcher.exitCode === null) started = descendantsOf(launcher.pid!);
    launcher.kill('SIGINT');
    const code = await within(exited, STOP_TIMEOUT_MS);
    if (code === 'timed out') {
      killQuietly(-launcher.pid!, 'SIGKILL');
      await exited;
    }
    const left = () => started.filter((p) => isAlive(p.pid));
    await expect
      .poll(() => left().length, { timeout: 5_000, intervals: [100, 250, 500] })
      .toBe(0)
      .catch(() => {});
    const leftBehind = left();
    for (const { pid } of leftBehind) killQuietly(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    if (code !== 0 || leftBehind.length > 0) {
      const stragglers = leftBehind.map((p) => `${p.pid} ${p.command}`).join('\n');
      throw new Error(
        `Ctrl-C did not stop the demo cleanly (exit: ${code}; left running, now killed: ${stragglers || 'none'}):\n${output}`,
      );
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stopOnce();
    return stopping;
  };

  try {
    await expect
      .poll(
        () => {
          if (launcher.exitCode !== null) throw new Error(`the demo exited while starting:\n${output}`);
          return BANNER.test(output);
        },
        { timeout: STARTUP_TIMEOUT_MS, intervals: [250, 500], message: 'the demo prints its banner' },
      )
      .toBe(true);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return {
    url: `http://127.0.0.1:${BANNER.exec(output)![1]}`,
    startedAtMs: Date.now(),
    output: () => output,
    assertRunning: () => {
      if (launcher.exitCode !== null) throw new Error(`the demo stopped (${launcher.exitCode}):\n${output}`);
    },
    stop,
  };
}
