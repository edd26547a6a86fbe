/**
 * The SQLite driver's group commit on a real database file (whatever database the suite runs
 * on: this is the SQLite driver's own behaviour). What is acknowledged is on disk and seen by
 * others only then; a failing transaction takes nobody else with it; a failing COMMIT takes its
 * whole group, and nothing of it stays.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { CamelCasePlugin, Kysely } from 'kysely'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { localWriteGate, WriteGateKeeper } from '../cluster.js'
import { createSqliteDialect, isDatabaseUnavailable, openSqlite, withStatementCache } from './database.js'
import { GroupCommitSqliteDialect, type GroupOptions } from './sqlite-driver.js'

interface Tables {
  items: { id: number; v: string }
  parents: { id: number }
  children: { id: number; parentId: number }
}

const opened: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of opened.splice(0)) await close()
})

function makeFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yw-group-commit-'))
  const file = path.join(dir, 'db.sqlite')
  const boot = new SQLite(file)
  boot.pragma('journal_mode = WAL')
  boot.exec(`
    create table items (id integer primary key, v text not null);
    create table parents (id integer primary key);
    create table children (
      id integer primary key,
      parent_id integer not null references parents (id) deferrable initially deferred
    );`)
  boot.close()
  return { dir, file }
}

function openDatabase(options: GroupOptions = { maxMs: 60_000 }) {
  const { dir, file } = makeFile()
  const dialect = createSqliteDialect(file, options)
  const db = new Kysely<Tables>({ dialect, plugins: [new CamelCasePlugin()] })
  // Another process's view of the file: it sees what is committed, nothing else.
  const outside = new SQLite(file, { readonly: true })
  const count = (table = 'items') => (outside.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n
  opened.push(async () => {
    outside.close()
    await db.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  return { db, driver: dialect.driver, count }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('SQLite group commit', () => {
  it('transactions that follow one another share one COMMIT, and each is answered', async () => {
    const { db, driver, count } = openDatabase()
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('items')
            .values({ id: i + 1, v: `v${i}` })
            .execute()
          return i
        }),
      ),
    )
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(count()).toBe(20)
    expect(driver.stats.transactions).toBe(20)
    expect(driver.stats.groups).toBeLessThan(5)
  })

  it('answers a transaction only when its group is on disk; until then nobody sees it', async () => {
    const { db, driver, count } = openDatabase()
    let answeredA = false
    const a = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 1, v: 'a' }).execute()
      await sleep(20) // B waits for the writer meanwhile, so A's group stays open for it
    })
    void a.then(() => {
      answeredA = true
    })
    await sleep(5)
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let insertedB = false
    const b = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 2, v: 'b' }).execute()
      insertedB = true
      await gate
    })
    await vi.waitFor(() => expect(insertedB).toBe(true))
    // A's transaction is done but its group is not committed: not answered, not seen.
    expect(answeredA).toBe(false)
    expect(count()).toBe(0)
    // A read outside a transaction does not wait for the writer, and sees only what is committed.
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([])
    expect(driver.stats.readerStatements).toBeGreaterThan(0)
    release()
    await Promise.all([a, b])
    expect(count()).toBe(2)
    expect(driver.stats).toMatchObject({ transactions: 2, groups: 1, failedGroups: 0 })
  })

  it('a transaction that fails rolls back alone; the others of its group commit', async () => {
    const { db, count } = openDatabase()
    const first = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 1, v: 'kept' }).execute()
      await sleep(20)
    })
    await sleep(5)
    const failing = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 2, v: 'undone' }).execute()
      throw new Error('a rule refused it')
    })
    const duplicate = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 3, v: 'kept too' }).execute()
      await trx.insertInto('items').values({ id: 1, v: 'same key' }).execute() // unique violation
    })
    const last = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 4, v: 'kept' }).execute()
    })
    const settled = await Promise.allSettled([first, failing, duplicate, last])
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled'])
    expect(String((settled[1] as PromiseRejectedResult).reason)).toContain('a rule refused it')
    expect(count()).toBe(2)
    expect((await db.selectFrom('items').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual([1, 4])
  })

  it('when the COMMIT fails, every transaction of the group fails and nothing of it stays', async () => {
    const { db, driver, count } = openDatabase()
    const good = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 1, v: 'good' }).execute()
      await sleep(20)
    })
    await sleep(5)
    // A deferred foreign key is checked at COMMIT: this one fails the group's COMMIT.
    const orphan = db.transaction().execute(async (trx) => {
      await trx.insertInto('children').values({ id: 1, parentId: 999 }).execute()
    })
    const settled = await Promise.allSettled([good, orphan])
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected'])
    expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/i)
    expect(count('items')).toBe(0)
    expect(count('children')).toBe(0)
    expect(driver.stats.failedGroups).toBe(1)
    // The writer is usable again.
    await db.transaction().execute((trx) => trx.insertInto('items').values({ id: 2, v: 'after' }).execute())
    expect(count('items')).toBe(1)
  })

  it('a group commits once it is full or old enough, even with transactions waiting', async () => {
    const full = openDatabase({ maxTransactions: 5, maxMs: 60_000 })
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        full.db.transaction().execute((trx) => trx.insertInto('items').values({ id: i, v: 'x' }).execute()),
      ),
    )
    expect(full.driver.stats).toMatchObject({ transactions: 20, groups: 4 })

    const old = openDatabase({ maxMs: 0 })
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        old.db.transaction().execute((trx) => trx.insertInto('items').values({ id: i, v: 'x' }).execute()),
      ),
    )
    expect(old.driver.stats).toMatchObject({ transactions: 5, groups: 5 })
  })

  it('a write outside a transaction first commits the open group, then commits on its own', async () => {
    const { db, driver, count } = openDatabase()
    const inGroup = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 1, v: 'group' }).execute()
      await sleep(20)
    })
    await sleep(5)
    await db.insertInto('items').values({ id: 2, v: 'alone' }).execute()
    expect(count()).toBe(2)
    await inGroup
    expect(driver.stats).toMatchObject({ transactions: 1, groups: 1, autocommitWrites: 1 })
  })

  it('a write through the handle inside its own transaction fails with SQLITE_BUSY instead of hanging', async () => {
    const { db, count } = openDatabase()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const attempt = db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 1, v: 'mine' }).execute()
        // A read through the handle does not need the writer: it answers (without this transaction's row).
        expect(await db.selectFrom('items').selectAll().execute()).toEqual([])
        const inner = db.insertInto('items').values({ id: 2, v: 'waits for itself' }).execute()
        inner.catch(() => {}) // observed below, after the clock moves
        await vi.advanceTimersByTimeAsync(16_000)
        return inner
      })
      const error = await attempt.catch((e) => e)
      expect(isDatabaseUnavailable(error)).toBe(true)
    } finally {
      vi.useRealTimers()
    }
    expect(count()).toBe(0)
    await db.insertInto('items').values({ id: 3, v: 'later' }).execute()
    expect(count()).toBe(1)
  })
})

describe('several writers on one file (WORKERS > 1): the write gate', () => {
  /**
   * Two drivers on one file stand for two worker processes (SQLite locks connections of one
   * process against each other as it locks processes). Their writers do not wait in SQLite's busy
   * handler at all, so any meeting at SQLite's write lock shows as SQLITE_BUSY.
   */
  function twoWriters(gates: [GroupOptions['gate'], GroupOptions['gate']]) {
    const { dir, file } = makeFile()
    const dbs = gates.map((gate) => {
      const writer = withStatementCache(openSqlite(file))
      writer.pragma('busy_timeout = 0')
      const dialect = new GroupCommitSqliteDialect(writer, undefined, { gate })
      return { db: new Kysely<Tables>({ dialect, plugins: [new CamelCasePlugin()] }), driver: dialect.driver }
    })
    const outside = new SQLite(file, { readonly: true })
    opened.push(async () => {
      outside.close()
      for (const { db } of dbs) await db.destroy()
      fs.rmSync(dir, { recursive: true, force: true })
    })
    const count = () => (outside.prepare('select count(*) as n from items').get() as { n: number }).n
    return { dbs, count }
  }

  /** 40 transactions, alternating between the writers, each waiting a moment while it is open. */
  function race(dbs: { db: Kysely<Tables> }[]) {
    return Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        dbs[i % 2]!.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('items')
            .values({ id: i + 1, v: `w${i % 2}` })
            .execute()
          await sleep(1)
          await trx
            .updateTable('items')
            .set({ v: `w${i % 2}!` })
            .where('id', '=', i + 1)
            .execute()
        }),
      ),
    )
  }

  it('with the gate the writers take turns: every transaction commits, none meets the lock', async () => {
    const keeper = new WriteGateKeeper<object>()
    const { dbs, count } = twoWriters([localWriteGate(keeper), localWriteGate(keeper)])
    const results = await race(dbs)
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
    expect(count()).toBe(40)
    // Both wrote, in groups; each group held the gate once.
    const groups = dbs.map(({ driver }) => driver.stats.groups)
    expect(groups.every((g) => g > 0)).toBe(true)
    expect(keeper.grants).toBe(groups[0]! + groups[1]!)
    expect(dbs[0]!.driver.stats.transactions + dbs[1]!.driver.stats.transactions).toBe(40)
    // Writes outside a transaction go through the gate too.
    await Promise.all([
      dbs[0]!.db.insertInto('items').values({ id: 100, v: 'a' }).execute(),
      dbs[1]!.db.insertInto('items').values({ id: 101, v: 'b' }).execute(),
    ])
    expect(count()).toBe(42)
  })

  it('without the gate the same writers meet SQLite’s lock (what the gate is for)', async () => {
    const { dbs, count } = twoWriters([undefined, undefined])
    const results = await race(dbs)
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.every((r) => (r.reason as { code?: string }).code === 'SQLITE_BUSY')).toBe(true)
    expect(count()).toBe(40 - refused.length)
  })

  it('a wait for the gate is bounded (SQLITE_BUSY, a 503) and gives up its place', async () => {
    const keeper = new WriteGateKeeper<object>()
    const first = localWriteGate(keeper)
    const second = localWriteGate(keeper)
    await first.acquire(1000)
    const late = await second.acquire(20).catch((e) => e)
    expect((late as { code?: string }).code).toBe('SQLITE_BUSY')
    first.release()
    // The gate is free again (the timed-out wait did not keep it).
    await expect(second.acquire(1000)).resolves.toBeUndefined()
    second.release()
    await expect(first.acquire(1000)).resolves.toBeUndefined()
  })
})
