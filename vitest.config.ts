import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/*/src/**/*.test.ts'],
          // Builds the OPTIMIZE=0 artifacts all suites share, once per run.
          globalSetup: ['test/fixtures/src/global-setup.ts'],
          // Real compiles and containers: minutes, one suite at a time on 2 cores.
          testTimeout: 30 * 60_000,
          hookTimeout: 30 * 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
