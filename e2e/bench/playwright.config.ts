import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../support/chromium';

// Own ports, so the benchmark can run while a dev or e2e server is up.
process.env.LOUPE_E2E_HTTP_PORT ??= '23200';
process.env.LOUPE_E2E_OTLP_HTTP_PORT ??= '24318';
process.env.LOUPE_E2E_OTLP_GRPC_PORT ??= '24317';

/** `npm run bench:ui`: the UI benchmark against the real server (not part of `npm test`). */
export default defineConfig({
  testDir: '.',
  testMatch: '*.bench.ts',
  outputDir: '../../test-results/bench',
  workers: 1,
  timeout: 15 * 60_000,
  reporter: 'list',
  use: {
    baseURL: `http://127.0.0.1:${process.env.LOUPE_E2E_HTTP_PORT}`,
    launchOptions: chromiumLaunchOptions,
    viewport: { width: 1440, height: 900 },
  },
  webServer: {
    command: 'npx vite build --logLevel warn && npx tsx e2e/support/serve.ts',
    cwd: '../..',
    env: { LOUPE_E2E_PROFILE: 'bench' },
    url: `http://127.0.0.1:${process.env.LOUPE_E2E_HTTP_PORT}/ready`,
    reuseExistingServer: false,
    timeout: 180_000,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
  },
});
