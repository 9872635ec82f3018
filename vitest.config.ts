import { configDefaults, defineConfig } from 'vitest/config';

// One run, four projects: unit tests beside the code, integration tests against the real
// local stack (`npm run stack -- up`), conformance suites running the real Canal, Flink and
// Avro (Java programs built by Maven in their global setup), browser tests driving Chromium
// against the console.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/*/src/**/*.test.ts',
            'apps/web/lib/**/*.test.ts',
            'bench/**/*.test.ts',
            'deploy/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['packages/*/test/**/*.test.ts', 'apps/worker/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'packages/conformance/**'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'conformance',
          // After the integration tests: its JVMs and tasks would compete with them for the CPU.
          sequence: { groupOrder: 2 },
          include: ['packages/conformance/test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['packages/conformance/test/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          // Each suite runs JVMs beside the stack: one file at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 3 },
          include: ['apps/web/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['apps/web/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
