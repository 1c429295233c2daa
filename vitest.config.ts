import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI machines: more workers only add contention.
    poolOptions: {threads: {maxThreads: 2}, forks: {maxForks: 2}},
  },
})
