import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../launcher/children';
import { sleep } from '../random';
import { descendantsOf, isAlive, killQuietly, type ProcessEntry } from './process-tree';

/**
 * `npm run demo` for real, as the demo's tests run it (`server/integration/demo.test.ts`, the e2e
 * walk `e2e/demo.spec.ts`): `demo/run.ts` with every port free (`0`), so it clashes with nothing,
 * and a temporary data folder; stopped with Ctrl-C as a user would, then checked for processes
 * left behind.
 */

const BANNER = /Loupe demo running: open http:\/\/localhost:(\d+)/;
/** The launcher stops the load, the services (10 s each at most), then Loupe (30 s at most). */
const STOP_TIMEOUT_MS = 50_000;
/** After the launcher's exit, how long its children may take to follow it. */
const CHILDREN_GONE_MS = 5_000;

export interface DemoLaunchOptions {
  /** `--rate`: requests per second. */
  rate: number;
  /** `--duration`: should the test runner die without stopping it, the demo still stops by itself. */
  durationS: number;
  /** How long Loupe and the six services may take to answer (the launcher prints its banner then). */
  startupTimeoutMs: number;
}

export interface DemoStop {
  /** The launcher's exit code; `timed out` if it had not exited 50 s after Ctrl-C (then killed). */
  code: number | null | 'timed out';
  /** Every process below the launcher just before Ctrl-C. */
  started: ProcessEntry[];
  /** Those of `started` still running 5 s after the launcher exited (killed since). */
  leftBehind: ProcessEntry[];
}

export interface LaunchedDemo {
  /** Loupe's UI and APIs, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** When it printed its banner: the load starts then. */
  startedAtMs: number;
  /** What the launcher printed so far (its banner, its errors). */
  output(): string;
  /** Throws, with the launcher's output, if the demo has stopped (a child died, say). */
  assertRunning(): void;
  /**
   * Ctrl-C (SIGINT); kills whatever is left should that fail, and removes the data folder. Once
   * only: later calls answer the first one's outcome.
   */
  stop(): Promise<DemoStop>;
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> =>
  Promise.race([promise, sleep(ms).then(() => 'timed out' as const)]);

/** Starts the demo and waits for its banner; stops it again if it does not get there. */
export async function launchDemo(options: DemoLaunchOptions): Promise<LaunchedDemo> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-demo-test-'));
  const args = [
    '--rate',
    String(options.rate),
    '--data-dir',
    dataDir,
    '--duration',
    String(options.durationS),
  ];
  for (const flag of ['--http-port', '--otlp-port', '--grpc-port', '--port-base']) args.push(flag, '0');
  const launcher = spawn(process.execPath, ['--import', 'tsx', 'demo/run.ts', ...args], {
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

  const stopOnce = async (): Promise<DemoStop> => {
    // Taken before the stop: once the launcher has exited, its children are no longer below it.
    const started = launcher.exitCode === null ? descendantsOf(launcher.pid!) : [];
    launcher.kill('SIGINT');
    const code = await within(exited, STOP_TIMEOUT_MS);
    if (code === 'timed out') {
      killQuietly(-launcher.pid!, 'SIGKILL');
      await exited;
    }
    const left = () => started.filter((p) => isAlive(p.pid));
    for (const until = Date.now() + CHILDREN_GONE_MS; left().length > 0 && Date.now() < until; ) {
      await sleep(100);
    }
    const leftBehind = left();
    for (const { pid } of leftBehind) killQuietly(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    return { code, started, leftBehind };
  };
  let stopping: Promise<DemoStop> | undefined;
  const stop = () => {
    stopping ??= stopOnce();
    return stopping;
  };

  const deadline = Date.now() + options.startupTimeoutMs;
  for (;;) {
    const port = BANNER.exec(output)?.[1];
    if (port) {
      return {
        url: `http://127.0.0.1:${port}`,
        startedAtMs: Date.now(),
        output: () => output,
        assertRunning: () => {
          if (launcher.exitCode !== null)
            throw new Error(`the demo stopped (${launcher.exitCode}):\n${output}`);
        },
        stop,
      };
    }
    const exitedEarly = launcher.exitCode !== null;
    if (exitedEarly || Date.now() > deadline) {
      await stop();
      const why = exitedEarly
        ? 'exited while starting'
        : `printed no banner within ${options.startupTimeoutMs / 1000} s`;
      throw new Error(`the demo ${why}:\n${output}`);
    }
    await sleep(250);
  }
}
