/** Statements built once (prepared.ts), on the real database of the run (SQLite or PostgreSQL). */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/helpers.js'
import type { AreaTable } from '../../modules/identity/identity.tables.js'
import { transaction } from './database.js'
import { insertRow, type Placeholders, prepared, updateRow } from './prepared.js'

let t: TestDatabase

beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  await t.drop()
})

const area = (id: string, extra: Partial<AreaTable> = {}) =>
  ({ id, code: null, name: `测试${id}`, level: 'town', parentId: null, kind: null, ...extra }) as AreaTable

const areaByName = prepared((db, p: Placeholders<{ name: string; level: AreaTable['level'] }>) =>
  db
    .selectFrom('areas')
    .select(['id', 'sortOrder', 'codeConfirmed'])
    .where('name', '=', p.name)
    .where('level', '=', p.level),
)

describe('prepared', () => {
  it('runs with each call’s values, builds once, and gives rows in camelCase', async () => {
    await insertRow(t.db, 'areas', area('p-a', { sortOrder: 7 }))
    await insertRow(t.db, 'areas', area('p-b', { sortOrder: 8 }))
    const built: string[] = []
    const byId = prepared((db, p: Placeholders<{ id: string }>) => {
      built.push('once')
      return db.selectFrom('areas').select(['id', 'sortOrder']).where('id', '=', p.id)
    })
    expect((await byId.execute(t.db, { id: 'p-a' })).rows).toEqual([{ id: 'p-a', sortOrder: 7 }])
    expect((await byId.execute(t.db, { id: 'p-b' })).rows).toEqual([{ id: 'p-b', sortOrder: 8 }])
    expect((await byId.execute(t.db, { id: 'none' })).rows).toEqual([])
    // In a transaction: the same statement, the transaction's connection.
    await transaction(t.db, async (trx) => {
      await insertRow(trx, 'areas', area('p-c', { sortOrder: 9 }))
      expect((await byId.execute(trx, { id: 'p-c' })).rows).toEqual([{ id: 'p-c', sortOrder: 9 }])
    })
    expect(built).toEqual(['once'])
    // Values fixed when built stay; two placeholders each get theirs.
    expect((await areaByName.execute(t.db, { name: '测试p-b', level: 'town' })).rows).toEqual([
      { id: 'p-b', sortOrder: 8, codeConfirmed: 0 },
    ])
    expect((await areaByName.execute(t.db, { name: '测试p-b', level: 'village' })).rows).toEqual([])
  })

  it('refuses a missing value instead of binding something else', async () => {
    await expect(areaByName.execute(t.db, { name: '测试p-a' } as never)).rejects.toThrow(/no value for "level"/)
  })

  it('a value is only ever a value: SQL in it is stored as text', async () => {
    const hostile = "x'); drop table areas; --"
    await insertRow(t.db, 'areas', area('p-sql', { name: hostile }))
    expect((await areaByName.execute(t.db, { name: hostile, level: 'town' })).rows.map((r) => r.id)).toEqual(['p-sql'])
  })
})

describe('insertRow', () => {
  it('leaves out undefined values, so the column default applies, as Kysely would', async () => {
    await insertRow(t.db, 'areas', area('p-default', { sortOrder: undefined }))
    await insertRow(t.db, 'areas', area('p-given', { sortOrder: 3, codeConfirmed: 1 }))
    const rows = await t.db
      .selectFrom('areas')
      .select(['id', 'sortOrder', 'codeConfirmed', 'updatedAt'])
      .where('id', 'in', ['p-default', 'p-given'])
      .orderBy('id')
      .execute()
    expect(rows.map((r) => [r.id, r.sortOrder, r.codeConfirmed])).toEqual([
      ['p-default', 0, 0],
      ['p-given', 3, 1],
    ])
    for (const r of rows) expect(r.updatedAt).toBeTruthy()
  })

  it('builds a row holding an SQL expression the ordinary way', async () => {
    await insertRow(t.db, 'areas', { ...area('p-expr'), name: sql<string>`'表达式'` } as never)
    const row = await t.db.selectFrom('areas').select('name').where('id', '=', 'p-expr').executeTakeFirstOrThrow()
    expect(row.name).toBe('表达式')
  })

  it('a failing insert fails as before (primary key) and writes nothing', async () => {
    await expect(insertRow(t.db, 'areas', area('p-a', { name: '重复' }))).rejects.toThrow()
    const row = await t.db.selectFrom('areas').select('name').where('id', '=', 'p-a').executeTakeFirstOrThrow()
    expect(row.name).toBe('测试p-a')
  })
})

describe('updateRow', () => {
  it('sets only the given columns, and with a lock version changes only the row still at it', async () => {
    await insertRow(t.db, 'areas', area('p-up', { sortOrder: 1 }))
    expect(await updateRow(t.db, 'areas', { sortOrder: 2, kind: undefined }, { id: 'p-up' })).toBe(1)
    expect(await updateRow(t.db, 'areas', { sortOrder: 5 }, { id: 'no-such-area' })).toBe(0)
    const row = await t.db.selectFrom('areas').select(['sortOrder', 'name']).where('id', '=', 'p-up').executeTakeFirst()
    expect(row).toEqual({ sortOrder: 2, name: '测试p-up' })
  })

  it('builds changes holding an SQL expression the ordinary way', async () => {
    expect(await updateRow(t.db, 'areas', { sortOrder: sql<number>`sort_order + 10` } as never, { id: 'p-up' })).toBe(1)
    const row = await t.db.selectFrom('areas').select('sortOrder').where('id', '=', 'p-up').executeTakeFirstOrThrow()
    expect(row.sortOrder).toBe(12)
  })

  it('the lock version guard is in the statement; nothing to set is refused', async () => {
    // areas has no lock_version, so the guarded statement fails naming it (applications have one:
    // updateApplication's conflicts are tested in the applications suites).
    await expect(updateRow(t.db, 'areas', { sortOrder: 4 }, { id: 'p-up', lockVersion: 1 })).rejects.toThrow(
      /lock_version/,
    )
    await expect(updateRow(t.db, 'areas', {}, { id: 'p-up' })).rejects.toThrow(/nothing to set/)
  })
})
