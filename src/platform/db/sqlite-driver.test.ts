/**
 * The SQLite driver's group commit on a real database file (whatever database the suite runs
 * on: this is the SQLite driver's own behaviour). What is acknowledged is on disk and seen by
 * others only then; a failing transaction takes nobody else with it; a failing COMMIT takes its
 * whole group, and nothing of it stays.
 */
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { CamelCasePlugin, Kysely, sql } from 'kysely'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { localWriteGate, WriteGateKeeper } from '../cluster.js'
import { createSqliteDialect, isDatabaseUnavailable, openSqlite, SyncedFile, withStatementCache } from './database.js'
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

/** A WAL sync the test finishes by hand (the order of answers is what is tested here). */
function heldSyncs() {
  const pending: { finish: () => void; fail: (error: Error) => void }[] = []
  const walSync = () =>
    new Promise<void>((resolve, reject) => {
      pending.push({ finish: resolve, fail: reject })
    })
  return { walSync, pending }
}

describe('the disk wait off the event loop: the driver syncs the WAL before answering', () => {
  it('a database file’s writer commits without waiting for the disk, and the driver syncs the real WAL', async () => {
    const { db, driver, count } = openDatabase({ maxMs: 0 })
    for (let i = 1; i <= 5; i++) {
      await db.transaction().execute((trx) => trx.insertInto('items').values({ id: i, v: 'x' }).execute())
    }
    expect(count()).toBe(5)
    // One sync for each group here (each was answered before the next began).
    expect(driver.stats).toMatchObject({ transactions: 5, groups: 5, syncs: 5, failedSyncs: 0 })
  })

  it('a group is answered only once a sync begun after its COMMIT is done; the next group need not wait', async () => {
    const { walSync, pending } = heldSyncs()
    const { db, driver, count } = openDatabase({ maxMs: 0, walSync })
    let answeredA = false
    const a = db
      .transaction()
      .execute((trx) => trx.insertInto('items').values({ id: 1, v: 'a' }).execute())
      .then(() => {
        answeredA = true
      })
    // A is committed (another connection sees it) and its sync runs, but A is not answered yet.
    await vi.waitFor(() => expect(pending).toHaveLength(1))
    expect(count()).toBe(1)
    expect(answeredA).toBe(false)
    // Meanwhile B opens its own group and commits: it waits for a sync begun after its COMMIT.
    let answeredB = false
    const b = db
      .transaction()
      .execute((trx) => trx.insertInto('items').values({ id: 2, v: 'b' }).execute())
      .then(() => {
        answeredB = true
      })
    await vi.waitFor(() => expect(count()).toBe(2))
    await sleep(5)
    expect(pending).toHaveLength(1) // one sync at a time
    pending[0]!.finish()
    await a
    expect(answeredB).toBe(false)
    // The first sync began before B's COMMIT: B needs the second, which starts by itself.
    await vi.waitFor(() => expect(pending).toHaveLength(2))
    expect(answeredB).toBe(false)
    pending[1]!.finish()
    await b
    expect(driver.stats).toMatchObject({ groups: 2, syncs: 2, failedSyncs: 0 })
  })

  it('groups committed during one sync share the next', async () => {
    const { walSync, pending } = heldSyncs()
    const { db, driver } = openDatabase({ maxMs: 0, walSync })
    const first = db.transaction().execute((trx) => trx.insertInto('items').values({ id: 1, v: 'x' }).execute())
    await vi.waitFor(() => expect(pending).toHaveLength(1))
    const more = Array.from({ length: 6 }, (_, i) =>
      db.transaction().execute((trx) =>
        trx
          .insertInto('items')
          .values({ id: i + 2, v: 'y' })
          .execute(),
      ),
    )
    await vi.waitFor(() => expect(driver.stats.groups).toBe(7))
    pending[0]!.finish()
    await first
    await vi.waitFor(() => expect(pending).toHaveLength(2))
    pending[1]!.finish()
    await Promise.all(more)
    expect(driver.stats).toMatchObject({ transactions: 7, groups: 7, syncs: 2 })
  })

  it('when the sync fails, every transaction waiting for it fails as disk trouble (503); later ones are answered', async () => {
    const { walSync, pending } = heldSyncs()
    const { db, driver } = openDatabase({ maxMs: 0, walSync })
    const doomed = db.transaction().execute((trx) => trx.insertInto('items').values({ id: 1, v: 'x' }).execute())
    await vi.waitFor(() => expect(pending).toHaveLength(1))
    pending[0]!.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
    const error = await doomed.catch((e) => e)
    expect(isDatabaseUnavailable(error)).toBe(true)
    expect(String(error)).toContain('EIO')
    expect(driver.stats).toMatchObject({ syncs: 0, failedSyncs: 1 })
    const later = db.transaction().execute((trx) => trx.insertInto('items').values({ id: 2, v: 'y' }).execute())
    await vi.waitFor(() => expect(pending).toHaveLength(2))
    pending[1]!.finish()
    await expect(later).resolves.toBeDefined()
  })

  it('a write outside a transaction is answered after a sync too', async () => {
    const { walSync, pending } = heldSyncs()
    const { db, count } = openDatabase({ maxMs: 0, walSync })
    let answered = false
    const write = db
      .insertInto('items')
      .values({ id: 1, v: 'alone' })
      .execute()
      .then(() => {
        answered = true
      })
    await vi.waitFor(() => expect(pending).toHaveLength(1))
    expect(count()).toBe(1)
    await sleep(5)
    expect(answered).toBe(false)
    pending[0]!.finish()
    await write
    expect(answered).toBe(true)
  })

  it('closing the database waits for the sync under way', async () => {
    const { walSync, pending } = heldSyncs()
    const { dir, file } = makeFile()
    const dialect = createSqliteDialect(file, { maxMs: 0, walSync })
    const db = new Kysely<Tables>({ dialect, plugins: [new CamelCasePlugin()] })
    const write = db.transaction().execute((trx) => trx.insertInto('items').values({ id: 1, v: 'x' }).execute())
    await vi.waitFor(() => expect(pending).toHaveLength(1))
    let closed = false
    const closing = db.destroy().then(() => {
      closed = true
    })
    await sleep(10)
    expect(closed).toBe(false)
    pending[0]!.finish()
    await Promise.all([write, closing])
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('a database in memory has no WAL: nothing to sync', async () => {
    const dialect = createSqliteDialect(':memory:')
    const db = new Kysely<Tables>({ dialect, plugins: [new CamelCasePlugin()] })
    try {
      await sql`create table items (id integer primary key, v text not null)`.execute(db)
      await db.transaction().execute((trx) => trx.insertInto('items').values({ id: 1, v: 'x' }).execute())
      expect(dialect.driver.stats).toMatchObject({ transactions: 1, syncs: 0 })
    } finally {
      await db.destroy()
    }
  })

  it('SyncedFile syncs through one handle until closed, and refuses a missing file until it exists', async () => {
    const { dir, file } = makeFile()
    const open = vi.spyOn(fsp, 'open')
    try {
      const synced = new SyncedFile(file)
      await Promise.all([synced.sync(), synced.sync()])
      await synced.sync()
      expect(open).toHaveBeenCalledTimes(1)
      // Closed while a sync runs: the sync ends on the open descriptor, then the handle closes.
      const datasync = vi.spyOn(fs, 'fdatasync')
      await Promise.all([synced.sync(), synced.close()])
      expect(datasync).toHaveBeenCalledTimes(1)
      datasync.mockRestore()
      await synced.close() // twice is harmless

      const later = new SyncedFile(`${file}-later`)
      await expect(later.sync()).rejects.toMatchObject({ code: 'ENOENT' })
      fs.writeFileSync(`${file}-later`, 'now it exists')
      await expect(later.sync()).resolves.toBeUndefined()
      await later.close()
    } finally {
      open.mockRestore()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('several writers on one file (WORKERS > 1): the write gate', () => {
  /**
   * Two drivers on one file stand for two worker processes (SQLite locks connections of one
   * process against each other as it locks processes). Their writers do not wait in SQLite's busy
   * handler at all, so any meeting at SQLite's write lock shows as SQLITE_BUSY.
   */
  function twoWriters(gates: [GroupOptions['gate'], GroupOptions['gate']], { walSynced = false } = {}) {
    const { dir, file } = makeFile()
    const dbs = gates.map((gate) => {
      const writer = withStatementCache(openSqlite(file))
      writer.pragma('busy_timeout = 0')
      // As the server runs (database.ts): COMMIT without the disk wait, the driver syncing the WAL.
      if (walSynced) writer.pragma('synchronous = NORMAL')
      const wal = walSynced ? new SyncedFile(`${file}-wal`) : undefined
      const dialect = new GroupCommitSqliteDialect(writer, undefined, {
        gate,
        walSync: wal && (() => wal.sync()),
        walClose: wal && (() => wal.close()),
      })
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

  it.each([
    ['COMMIT waiting for the disk', false],
    ['the WAL synced by the drivers', true],
  ])(
    'with the gate the writers take turns (%s): every transaction commits, none meets the lock',
    async (_, walSynced) => {
      const keeper = new WriteGateKeeper<object>()
      const { dbs, count } = twoWriters([localWriteGate(keeper), localWriteGate(keeper)], { walSynced })
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
    },
  )

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
