import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: true,
    projects: [
      {
        test: {
          name: 'server',
          globals: true,
          include: ['server/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
          globalSetup: ['server/testing/s3-global-setup.ts'],
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
