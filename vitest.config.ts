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
          name: 'fixtures',
          include: ['test/fixtures/src/**/*.test.ts'],
          // Builds the OPTIMIZE=0 artifacts all suites share (x86_64 3.13 and 3.11, aarch64 3.13), once
          // per set of inputs: scripts/run-tests.sh runs this project before the two lanes below.
          globalSetup: ['test/fixtures/src/global-setup.ts'],
          testTimeout: 30 * 60_000,
          hookTimeout: 60 * 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e-builds',
          // The lane of compiles (Docker, the Vagrant VM; measure compiles CPython in the pilot's image):
          // scripts/run-tests.sh runs it beside `e2e`.
          include: ['test/builder-e2e/src/**/*.test.ts', 'test/release-e2e/src/measure.test.ts'],
          globalSetup: ['test/fixtures/src/global-setup.ts'],
          testTimeout: 30 * 60_000,
          hookTimeout: 60 * 60_000,
          // One suite at a time in each lane: two lanes on 2 cores.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          // The lane of dev containers, registries and releases. The slow aarch64 suite is its own
          // target (make test-aarch64).
          include: ['test/feature-e2e/src/**/*.test.ts', 'test/release-e2e/src/**/*.test.ts'],
          exclude: ['test/release-e2e/src/measure.test.ts'],
          globalSetup: ['test/fixtures/src/global-setup.ts'],
          testTimeout: 30 * 60_000,
          hookTimeout: 60 * 60_000,
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
