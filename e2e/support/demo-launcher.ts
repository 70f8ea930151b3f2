import { type LaunchedDemo, launchDemo } from '../../demo/testing/launch-demo';

/**
 * `npm run demo` for real, beside the e2e server (`demo/testing/launch-demo.ts`: every port free,
 * a temporary data folder). Its Loupe serves the UI the Playwright web server has just built into
 * `dist/web`.
 */

/** Loupe and the six services; the launcher prints its banner once all answer (10-20 s here). */
const STARTUP_TIMEOUT_MS = 120_000;
/** Should the test runner die without stopping it, the demo still stops by itself. */
const SAFETY_DURATION_S = 900;

export interface RunningDemo extends Omit<LaunchedDemo, 'stop'> {
  /**
   * Ctrl-C, as a user would stop it; kills whatever is left should that fail, removes the data
   * folder, then throws if the stop was not clean (exit code, processes left behind).
   */
  stop(): Promise<void>;
}

/** Starts the demo at `rate` requests per second and waits for its banner. */
export async function startDemo(rate: number): Promise<RunningDemo> {
  const demo = await launchDemo({ rate, durationS: SAFETY_DURATION_S, startupTimeoutMs: STARTUP_TIMEOUT_MS });
  return {
    ...demo,
    stop: async () => {
      const { code, leftBehind } = await demo.stop();
      if (code !== 0 || leftBehind.length > 0) {
        const stragglers = leftBehind.map((p) => `${p.pid} ${p.command}`).join('\n');
        throw new Error(
          `Ctrl-C did not stop the demo cleanly (exit: ${code}; left running, now killed: ${stragglers || 'none'}):\n${demo.output()}`,
        );
      }
    },
  };
}
