/**
 * Long reads off the event loop (sqlite-off-thread.ts) on a real database file, whatever database
 * the suite runs on: the same rows as the main connections, committed work only, no writes, and
 * the event loop free while a read runs.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { type Kysely, sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { offThreadReads, sqliteDatabase } from './database.js'
import { OffThreadReader } from './sqlite-off-thread.js'

interface Tables {
  items: { id: number; name: string; data: Buffer | null }
}

const opened: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of opened.splice(0)) await close()
})

function openFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yw-off-thread-'))
  const file = path.join(dir, 'db.sqlite')
  const boot = new SQLite(file)
  boot.pragma('journal_mode = WAL')
  boot.exec('create table items (id integer primary key, name text not null, data blob)')
  boot.close()
  opened.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
  return file
}

function openDatabase(): { db: Kysely<Tables>; reader: OffThreadReader } {
  const file = openFile()
  const reader = new OffThreadReader(file)
  const db = sqliteDatabase<Tables>(file, { offThread: reader })
  opened.unshift(() => db.destroy())
  return { db, reader }
}

/** How many turns of a 1 ms timer the event loop ran while `read` ran. */
async function turnsDuring(read: () => Promise<unknown>): Promise<number> {
  let turns = 0
  const timer = setInterval(() => turns++, 1)
  try {
    await read()
  } finally {
    clearInterval(timer)
  }
  return turns
}

/** A read of a few hundred milliseconds that touches no table. */
const slowCount = sql<{ n: number }>`with recursive c(x) as (select 1 union all select x + 1 from c where x < 1500000)
  select count(*) as n from c`

describe('reads off the event loop (SQLite file)', () => {
  it('reads what the main connections read, parameters and blobs included', async () => {
    const { db, reader } = openDatabase()
    await db
      .insertInto('items')
      .values([
        { id: 1, name: '营业执照', data: Buffer.from([1, 2, 3]) },
        { id: 2, name: '身份证', data: null },
        { id: 3, name: '户口簿', data: null },
      ])
      .execute()
    const query = (d: Kysely<Tables>) =>
      d
        .selectFrom('items')
        .select(['id', 'name', 'data'])
        .where('id', '>=', 1)
        .where('name', '!=', '身份证')
        .orderBy('id')
        .execute()
    const off = offThreadReads(db)
    expect(off).not.toBe(db)
    const rows = await query(off)
    expect(rows).toEqual(await query(db))
    expect(rows.map((r) => r.name)).toEqual(['营业执照', '户口簿'])
    expect(Buffer.isBuffer(rows[0]!.data)).toBe(true)
    // Blobs go in as parameters too.
    const byData = await off
      .selectFrom('items')
      .select('id')
      .where('data', '=', Buffer.from([1, 2, 3]))
      .execute()
    expect(byData).toEqual([{ id: 1 }])
    expect(reader.stats).toEqual({ statements: 2, workers: 1 })
  })

  it('sees committed work only, and writes nothing', async () => {
    const { db } = openDatabase()
    const off = offThreadReads(db)
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 7, name: '未提交', data: null }).execute()
      expect(await off.selectFrom('items').selectAll().execute()).toEqual([])
    })
    expect(await off.selectFrom('items').select('id').execute()).toEqual([{ id: 7 }])
    await expect(off.insertInto('items').values({ id: 8, name: '写入', data: null }).execute()).rejects.toMatchObject({
      code: 'SQLITE_READONLY',
    })
    await expect(off.transaction().execute(async () => {})).rejects.toThrow(/no transaction/)
    expect(await db.selectFrom('items').select('id').execute()).toEqual([{ id: 7 }])
    // A statement that fails leaves the reader working.
    await expect(sql`select * from no_such_table`.execute(off)).rejects.toThrow(/no such table/)
    expect(await off.selectFrom('items').select('id').execute()).toEqual([{ id: 7 }])
  })

  it('leaves the event loop free while it reads, where the main reader holds it', async () => {
    const { db } = openDatabase()
    const off = offThreadReads(db)
    await slowCount.execute(off) // the worker started and the statement prepared
    let n = 0
    const offTurns = await turnsDuring(async () => {
      n = (await slowCount.execute(off)).rows[0]!.n
    })
    expect(n).toBe(1_500_000)
    const mainTurns = await turnsDuring(() => slowCount.execute(db))
    expect(mainTurns).toBeLessThanOrEqual(1)
    expect(offTurns).toBeGreaterThanOrEqual(5)
  })

  it('ends its worker with the database', async () => {
    const db = sqliteDatabase<Tables>(openFile())
    const off = offThreadReads(db)
    await off.selectFrom('items').selectAll().execute()
    await db.selectFrom('items').selectAll().execute()
    await db.destroy()
    await expect(off.selectFrom('items').selectAll().execute()).rejects.toThrow(/destroyed/)
  })

  it('is the database itself in memory', async () => {
    const db = sqliteDatabase<Tables>(':memory:')
    opened.push(() => db.destroy())
    expect(offThreadReads(db)).toBe(db)
  })
})
