import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createTestDatabase, onPostgres } from '../../../test/helpers.js'
import { migrations } from '../../migrations/index.js'
import { migrateToLatest } from './migrate.js'

async function tableNames(db: Parameters<typeof migrateToLatest>[0]): Promise<string[]> {
  const rows = onPostgres
    ? await sql<{
        name: string
      }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(db)
    : await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
  return rows.rows.map((r) => r.name).sort()
}

describe('migrations', () => {
  it('run from an empty database to the latest, and a second run changes nothing', async () => {
    const database = await createTestDatabase({ migrate: false })
    try {
      expect(await tableNames(database.db)).toEqual([])
      const first = await migrateToLatest(database.db)
      expect(first.results?.map((r) => r.migrationName)).toEqual(Object.keys(migrations))
      expect(first.results?.every((r) => r.status === 'Success')).toBe(true)
      const tables = await tableNames(database.db)
      for (const t of [
        'audit_log',
        'calendar_days',
        'stored_files',
        'notifications',
        'search_documents',
        'departments',
        'persons',
        'sessions',
      ]) {
        expect(tables).toContain(t)
      }
      const second = await migrateToLatest(database.db)
      expect(second.results).toEqual([])
      expect(await tableNames(database.db)).toEqual(tables)
    } finally {
      await database.drop()
    }
  })

  it('are listed in order and named by date and sequence', () => {
    const names = Object.keys(migrations)
    expect(names).toEqual([...names].sort())
    for (const name of names) expect(name).toMatch(/^\d{4}_\d{2}_\d{2}_\d{4}_[a-z_]+$/)
  })
})
