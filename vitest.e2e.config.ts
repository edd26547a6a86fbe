import { defineConfig } from 'vitest/config'

/** Browser journeys: playwright-core driving Debian's chromium against the app on a local port. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
