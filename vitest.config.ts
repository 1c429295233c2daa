import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Timeouts only catch hangs, never judge speed: the suite must pass on a fully loaded machine
    // (`npm run test:loaded`). Tests that start the CLI or child processes use HEAVY_TEST_TIMEOUT.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    setupFiles: ['test/helpers/fast-check-seed.ts'],
    // Two cores on CI machines: more workers only add contention.
    poolOptions: {threads: {maxThreads: 2}, forks: {maxForks: 2}},
  },
})
