// Timeouts only catch a hang: they never judge speed. A loaded machine (the CI runner, or
// `npm run test:loaded`) can be several times slower than a developer's laptop, so they are generous.

/** For tests that start the built CLI or child processes several times, or replay big stores. */
export const HEAVY_TEST_TIMEOUT = 600_000
