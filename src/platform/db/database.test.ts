import { describe, expect, it } from 'vitest'
import { createTestDatabase, onPostgres } from '../../../test/helpers.js'
import { isDatabaseUnavailable, transaction } from './database.js'

// SQLite has one connection per process (PostgreSQL has a pool), so this only concerns SQLite;
// on PostgreSQL the suite reports it as skipped.
describe.skipIf(onPostgres)('SQLite connection waits', () => {
  it('a query on the handle inside its own transaction fails with SQLITE_BUSY instead of hanging', async () => {
    const database = await createTestDatabase()
    const { vi } = await import('vitest')
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const attempt = transaction(database.db, async () => {
        const inner = database.db.selectFrom('areas').select('id').execute()
        inner.catch(() => {}) // observed below, after the clock moves
        await vi.advanceTimersByTimeAsync(16_000)
        return inner
      })
      const error = await attempt.catch((e) => e)
      expect(isDatabaseUnavailable(error)).toBe(true)
    } finally {
      vi.useRealTimers()
    }
    // the connection is usable again afterwards
    expect(await database.db.selectFrom('areas').select('id').execute()).toEqual([])
    await database.drop()
  })
})
