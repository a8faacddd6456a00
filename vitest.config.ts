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
          // The slow aarch64 suite is its own target (make test-aarch64).
          exclude: ['test/aarch64-e2e/**'],
          // Builds the OPTIMIZE=0 artifacts all suites share (x86_64 3.13 and 3.11, aarch64 3.13), once per run.
          globalSetup: ['test/fixtures/src/global-setup.ts'],
          // Real compiles and containers: minutes, one suite at a time on 2 cores.
          testTimeout: 30 * 60_000,
          hookTimeout: 30 * 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'aarch64',
          include: ['test/aarch64-e2e/src/**/*.test.ts'],
          // The e2e fixtures (the aarch64 one included); its checks run arm64 containers under
          // qemu-user-static.
          globalSetup: ['test/fixtures/src/global-setup.ts'],
          testTimeout: 60 * 60_000,
          hookTimeout: 90 * 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
