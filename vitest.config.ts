import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: true,
    // Vitest's default is one worker per core less one: a single file at a time on a 2-core
    // machine, while most integration files spend their time waiting on child processes, ports
    // and fsync. Two at a time overlaps those waits.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'server',
          globals: true,
          include: ['server/**/*.test.ts'],
          exclude: ['server/**/*.timing.test.ts', '**/node_modules/**'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
          globalSetup: ['server/testing/s3-global-setup.ts'],
        },
      },
      {
        // Latency comparisons: run alone, after the rest (`npm run test:unit`), so other test
        // files' bursts on a 2-core machine are not what they measure.
        test: {
          name: 'timing',
          globals: true,
          include: ['server/**/*.timing.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'web',
          globals: true,
          include: ['web/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['web/test/setup.ts'],
          // The default 5 s is short for a component test on a loaded 2-core machine.
          testTimeout: 15_000,
        },
      },
    ],
  },
});
