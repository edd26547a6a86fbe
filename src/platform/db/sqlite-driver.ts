/**
 * The SQLite driver the server runs on: one writer connection and, for a database file, one
 * reader connection.
 *
 * **Group commit.** With `synchronous = FULL` every COMMIT waits for the disk (an fsync of the
 * WAL), and better-sqlite3 waits on the event loop's own thread: under a load of submissions the
 * process spent a fifth of its time in COMMIT (docs/performance.md, finding 14). So transactions
 * that follow one another share one commit: the first opens the write transaction (BEGIN
 * IMMEDIATE) and each runs in a savepoint of it. The group commits when no transaction waits for
 * the writer any more — after one more turn of the event loop, so that requests the loop has
 * already received can join — or once it holds `GROUP_MAX_TRANSACTIONS` transactions or has been
 * open `GROUP_MAX_MS`. A transaction's promise resolves only when its group's COMMIT is on disk;
 * should that COMMIT fail, every transaction of the group fails (none of them was acknowledged).
 * A transaction that fails rolls back to its savepoint and leaves the others of its group be.
 * A transaction that waits for something else while open (a file, the network) holds back the
 * answers of the transactions before it in its group, as it holds back every other write.
 *
 * **The disk wait off the event loop** (`walSync`, set for every database file: database.ts).
 * With `synchronous = FULL` SQLite waits for the fsync of the WAL inside COMMIT, on the event
 * loop's thread: a sixth of a busy server's time went to that wait even with group commit
 * (docs/performance.md, finding 20). So the writer runs with `synchronous = NORMAL` — COMMIT
 * writes the group's frames to the WAL and returns; SQLite still syncs the WAL before every
 * checkpoint and the WAL header on every restart of the log, which is all NORMAL leaves out of
 * FULL but the fsync after each commit — and the driver does that fsync itself (`fdatasync` of
 * the WAL file, on libuv's thread pool) before the group's transactions are answered. Syncs are
 * batched as COMMITs are: groups committed while one sync runs wait for the next, which covers
 * all of them. Meanwhile the loop serves other requests and the next group may open. What is
 * answered is on disk, as before; what changes is that a read may see a group's work during the
 * millisecond between its COMMIT and its sync, before its own transactions are answered (a power
 * cut in that moment loses work nobody was told was done, and that a reader may have glimpsed).
 * Should the sync fail, every transaction waiting for it fails (a 503: the client does not know
 * whether it was kept, as with a lost answer; an idempotency key tells on retry).
 *
 * **Reads.** A read outside a transaction runs on the reader connection: it never waits for the
 * writer and never sees a group's work before that is committed. Long reads that are in no hurry
 * may run on a third connection, on a worker thread (sqlite-off-thread.ts). A write outside a transaction
 * (and every statement of an in-memory database, which cannot have a second connection) first
 * commits the open group, then runs on the writer in its own implicit transaction, as before.
 *
 * **Waiting for the writer is bounded**: code that wrote through the database handle inside its
 * own transaction would wait for itself for ever; it fails with SQLITE_BUSY (a 503) instead.
 *
 * **Several processes on one file** (`WORKERS` > 1, main.ts): SQLite lets one of them write at a
 * time and makes the others wait by sleeping in the busy handler — on the event loop's thread,
 * which then serves nobody. With a `gate` (a lock held across the processes, cluster.ts), a group
 * first waits for the gate without blocking its thread, then opens its write transaction, and
 * gives the gate back once committed: the processes take turns, one group each, in order of
 * asking.
 *
 * Not for `db.connection()`: its statements are not kept together (nothing in the platform uses
 * it; Kysely's migrator does, on a process that runs nothing else).
 */
import type SQLite from 'better-sqlite3'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
  SqliteDialect,
} from 'kysely'
import type { OffThreadReader } from './sqlite-off-thread.js'

/** How long a statement or transaction waits for the writer before giving up with SQLITE_BUSY (→ 503). */
export const SQLITE_CONNECTION_WAIT_MS = 15_000
/** A group commits once it holds this many transactions, waiting or not. */
export const GROUP_MAX_TRANSACTIONS = 64
/** A group commits once it has been open this long, waiting or not (the latency it may add). */
export const GROUP_MAX_MS = 20

const MEMBER = 'yw_group_member'

/** A lock shared by the processes writing to one file: held from a group's BEGIN to its COMMIT. */
export interface WriteGate {
  /** Resolves once this process holds the gate; rejects after `timeoutMs`. */
  acquire(timeoutMs: number): Promise<void>
  release(): void
}

/** The bounds of a group (the defaults above; tests set their own), and the gate, if any. */
export interface GroupOptions {
  maxTransactions?: number
  maxMs?: number
  gate?: WriteGate
  /**
   * Makes what the writer has committed durable (fdatasync of the WAL file), for a writer running
   * with `synchronous = NORMAL`: transactions are answered once a sync begun after their COMMIT
   * has finished. Without it, COMMIT itself must wait for the disk (`synchronous = FULL`).
   */
  walSync?: () => Promise<void>
  /** Called once the database is closed and no sync runs any more (the WAL file's handle). */
  walClose?: () => Promise<void>
  /** The file's read connection on a worker thread (sqlite-off-thread.ts), closed with the database. */
  offThread?: OffThreadReader
}

/** What the driver has done since it started (for the benchmarks and the tests). */
export interface GroupCommitStats {
  /** Transactions committed (each in some group). */
  transactions: number
  /** COMMITs of groups (each one wait for the disk). */
  groups: number
  /** Groups whose COMMIT failed, and the transactions they took with them. */
  failedGroups: number
  /** Statements outside a transaction answered by the reader connection. */
  readerStatements: number
  /** Statements outside a transaction that wrote (each its own commit). */
  autocommitWrites: number
  /** Syncs of the WAL the driver made (`walSync`), each covering every COMMIT before it. */
  syncs: number
  /** Syncs that failed, failing every transaction that waited for them. */
  failedSyncs: number
}

/** A COMMIT done whose transactions wait to be answered until the disk has it. */
interface Unsynced {
  resolve: () => void
  reject: (error: unknown) => void
}

/** The writer, one holder at a time, waiters in order of arrival (so a group sees who waits). */
class WriterLock {
  #held = false
  readonly #waiters: Array<() => void> = []

  get held(): boolean {
    return this.#held
  }

  get waiting(): number {
    return this.#waiters.length
  }

  async lock(timeoutMs: number): Promise<void> {
    if (!this.#held) {
      this.#held = true
      return
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(grant)
        if (at >= 0) this.#waiters.splice(at, 1)
        reject(Object.assign(new Error('SQLite connection wait timed out'), { code: 'SQLITE_BUSY' }))
      }, timeoutMs)
      timer.unref()
      this.#waiters.push(grant)
    })
  }

  /** Hands the writer to the first waiter (it stays held), or frees it. */
  unlock(): void {
    const next = this.#waiters.shift()
    if (next) next()
    else this.#held = false
  }
}

interface Group {
  openedAt: number
  transactions: number
  committed: Promise<void>
  resolve: () => void
  reject: (error: unknown) => void
}

/** What Kysely holds for a query or a transaction; the connection is chosen per statement. */
class Handle implements DatabaseConnection {
  /** Holds the writer (from beginTransaction until its commit, rollback or release). */
  locked = false
  /** Inside its own savepoint of the open group. */
  member = false

  constructor(private readonly driver: GroupCommitSqliteDriver) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute<R>(this, query)
  }

  streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    return this.driver.stream<R>(this, query)
  }
}

function run<R>(statement: SQLite.Statement, parameters: readonly unknown[]): QueryResult<R> {
  if (statement.reader) return { rows: statement.all(parameters) as R[] }
  const { changes, lastInsertRowid } = statement.run(parameters)
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] }
}

export class GroupCommitSqliteDriver implements Driver {
  readonly #lock = new WriterLock()
  #group: Group | undefined
  #flushQueued = false
  readonly stats: GroupCommitStats = {
    transactions: 0,
    groups: 0,
    failedGroups: 0,
    readerStatements: 0,
    autocommitWrites: 0,
    syncs: 0,
    failedSyncs: 0,
  }

  readonly #maxTransactions: number
  readonly #maxMs: number
  readonly #gate: WriteGate | undefined
  /** This process holds the gate (from before its group's BEGIN until after its COMMIT). */
  #gated = false
  readonly #walSync: (() => Promise<void>) | undefined
  readonly #walClose: (() => Promise<void>) | undefined
  readonly offThread: OffThreadReader | undefined
  /** Committed, waiting for the next sync. */
  #unsynced: Unsynced[] = []
  /** The sync running now, if any. */
  #syncing: Promise<void> | undefined

  constructor(
    private readonly writer: SQLite.Database,
    private readonly reader: SQLite.Database | undefined,
    options: GroupOptions = {},
  ) {
    this.#maxTransactions = options.maxTransactions ?? GROUP_MAX_TRANSACTIONS
    this.#maxMs = options.maxMs ?? GROUP_MAX_MS
    this.#gate = options.gate
    this.#walSync = options.walSync
    this.#walClose = options.walClose
    this.offThread = options.offThread
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Handle(this)
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle
    await this.#lock.lock(SQLITE_CONNECTION_WAIT_MS)
    handle.locked = true
    if (!this.#group) await this.#open()
    this.writer.exec(`savepoint ${MEMBER}`)
    handle.member = true
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle
    const group = this.#group
    if (!group || !this.writer.inTransaction) {
      // An error inside the transaction ended the whole write transaction (SQLITE_FULL, IOERR…).
      throw this.#lost(new Error('SQLite rolled the transaction back'))
    }
    this.writer.exec(`release ${MEMBER}`)
    handle.member = false
    group.transactions++
    handle.locked = false
    this.#handOver()
    await group.committed
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle
    if (!handle.member) return
    handle.member = false
    if (!this.#group || !this.writer.inTransaction) {
      this.#lost(new Error('SQLite rolled the transaction back'))
      return
    }
    try {
      this.writer.exec(`rollback to ${MEMBER}; release ${MEMBER}`)
    } catch (error) {
      this.#lost(error)
    }
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoted(name)}`))
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoted(name)}`))
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoted(name)}`))
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle
    if (!handle.locked) return
    handle.locked = false
    handle.member = false
    this.#handOver()
  }

  async destroy(): Promise<void> {
    // A transaction still running keeps its group from being committed half-way: it is undone.
    if (this.#lock.held) this.#lost(new Error('SQLite closed during a transaction'))
    else this.#commit()
    while (this.#syncing) await this.#syncing
    await this.offThread?.close()
    this.reader?.close()
    this.writer.close()
    await this.#walClose?.()
  }

  async execute<R>(handle: Handle, query: CompiledQuery): Promise<QueryResult<R>> {
    if (handle.member) return run<R>(this.writer.prepare(query.sql), query.parameters)
    if (this.reader) {
      const statement = this.reader.prepare(query.sql)
      if (statement.readonly) {
        this.stats.readerStatements++
        return run<R>(statement, query.parameters)
      }
    }
    await this.#lock.lock(SQLITE_CONNECTION_WAIT_MS)
    let result: QueryResult<R>
    try {
      // This statement commits on its own, so the group before it goes to disk first.
      this.#commit()
      const statement = this.writer.prepare(query.sql)
      if (statement.readonly) return run<R>(statement, query.parameters)
      this.stats.autocommitWrites++
      await this.#enterGate()
      try {
        result = run<R>(statement, query.parameters)
      } finally {
        this.#leaveGate()
      }
    } finally {
      this.#handOver()
    }
    // Answered once on disk, as a transaction is.
    if (this.#walSync) await new Promise<void>((resolve, reject) => this.#awaitSync({ resolve, reject }))
    return result
  }

  async *stream<R>(handle: Handle, query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error('Sqlite driver only supports streaming of select queries')
    // An iteration keeps its connection busy until it ends: the writer's, held throughout.
    const locked = !handle.member
    if (locked) {
      await this.#lock.lock(SQLITE_CONNECTION_WAIT_MS)
      this.#commit()
    }
    try {
      for (const row of this.writer.prepare(query.sql).iterate(query.parameters)) yield { rows: [row as R] }
    } finally {
      if (locked) this.#handOver()
    }
  }

  async #open(): Promise<void> {
    await this.#enterGate()
    try {
      this.writer.exec('begin immediate')
    } catch (error) {
      this.#leaveGate()
      throw error
    }
    let resolve!: () => void
    let reject!: (error: unknown) => void
    const committed = new Promise<void>((ok, fail) => {
      resolve = ok
      reject = fail
    })
    // A group whose transactions all rolled back has nobody waiting on it.
    committed.catch(() => {})
    this.#group = { openedAt: performance.now(), transactions: 0, committed, resolve, reject }
  }

  /** The holder of the writer is done: the next waiter gets it (joining the group), or the group commits. */
  #handOver(): void {
    const group = this.#group
    if (group && (group.transactions >= this.#maxTransactions || performance.now() - group.openedAt >= this.#maxMs)) {
      this.#commit()
    }
    if (this.#lock.waiting > 0) {
      this.#lock.unlock()
      return
    }
    this.#lock.unlock()
    if (this.#group && !this.#flushQueued) {
      // One more turn of the event loop: requests already received may bring transactions.
      this.#flushQueued = true
      setImmediate(() => {
        this.#flushQueued = false
        if (!this.#lock.held) this.#commit()
      })
    }
  }

  /** Commits the open group (only ever between transactions: no member's savepoint is open). */
  #commit(): void {
    const group = this.#group
    if (!group) return
    this.#group = undefined
    try {
      this.writer.exec('commit')
    } catch (error) {
      this.#rollBack()
      this.#leaveGate()
      this.stats.failedGroups++
      group.reject(error)
      return
    }
    this.#leaveGate()
    this.stats.groups++
    this.stats.transactions += group.transactions
    if (this.#walSync) this.#awaitSync(group)
    else group.resolve()
  }

  /** `done` is settled once a sync begun after now has finished (or failed). */
  #awaitSync(done: Unsynced): void {
    this.#unsynced.push(done)
    if (!this.#syncing) this.#sync()
  }

  /** Syncs the WAL for everything committed so far; then again, if more was committed meanwhile. */
  #sync(): void {
    const batch = this.#unsynced
    if (batch.length === 0) return
    this.#unsynced = []
    this.#syncing = this.#walSync!().then(
      () => {
        this.stats.syncs++
        for (const waiting of batch) waiting.resolve()
      },
      (error: unknown) => {
        this.stats.failedSyncs++
        // As SQLite's own failing fsync in COMMIT would be: disk trouble (a 503).
        const failure = Object.assign(new Error(`SQLite's WAL could not be synced: ${String(error)}`), {
          code: 'SQLITE_IOERR_FSYNC',
          cause: error,
        })
        for (const waiting of batch) waiting.reject(failure)
      },
    )
    void this.#syncing.then(() => {
      this.#syncing = undefined
      this.#sync()
    })
  }

  /** The open group's work is gone (or must go): every transaction of it fails. */
  #lost(error: unknown): unknown {
    const group = this.#group
    this.#group = undefined
    this.#rollBack()
    this.#leaveGate()
    if (group) {
      this.stats.failedGroups++
      group.reject(error)
    }
    return error
  }

  async #enterGate(): Promise<void> {
    if (!this.#gate) return
    await this.#gate.acquire(SQLITE_CONNECTION_WAIT_MS)
    this.#gated = true
  }

  #leaveGate(): void {
    if (!this.#gated) return
    this.#gated = false
    this.#gate!.release()
  }

  #rollBack(): void {
    if (!this.writer.inTransaction) return
    try {
      this.writer.exec('rollback')
    } catch {
      // nothing more to undo: SQLite ended the transaction itself
    }
  }
}

function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** Kysely's SQLite dialect with the driver above. */
export class GroupCommitSqliteDialect extends SqliteDialect {
  readonly driver: GroupCommitSqliteDriver

  constructor(writer: SQLite.Database, reader: SQLite.Database | undefined, options: GroupOptions = {}) {
    super({ database: writer })
    this.driver = new GroupCommitSqliteDriver(writer, reader, options)
  }

  override createDriver(): Driver {
    return this.driver
  }
}
