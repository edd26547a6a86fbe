/**
 * One Kysely instance over either SQLite (better-sqlite3, WAL, every acknowledged commit synced) or
 * PostgreSQL (pg).
 * Both are made to return the same JavaScript values: times as ISO strings, dates as
 * `YYYY-MM-DD`, JSON as text, bigints and numerics as numbers.
 */
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { CamelCasePlugin, Kysely, type KyselyConfig, PostgresAdapter, PostgresDialect, type Transaction } from 'kysely'
import pg from 'pg'
import type { DatabaseConfig } from '../config.js'
import type { Database } from './schema.js'
import { GroupCommitSqliteDialect, type GroupOptions } from './sqlite-driver.js'
import { OffThreadReader, offThreadDialect } from './sqlite-off-thread.js'

export { SQLITE_CONNECTION_WAIT_MS } from './sqlite-driver.js'

export type Db = Kysely<Database>
export type Trx = Transaction<Database>
/** A database handle or an open transaction: repositories accept either. */
export type DbOrTrx = Kysely<Database> | Transaction<Database>
export type Dialect = 'sqlite' | 'postgres'

export function openSqlite(file: string): SQLite.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true })
  const sqlite = new SQLite(file)
  if (file !== ':memory:') sqlite.pragma('journal_mode = WAL')
  // Business writes must survive a power cut once acknowledged (SECURITY.md, durability).
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 10000')
  return sqlite
}

/**
 * Kysely prepares every query anew, and better-sqlite3 compiles the SQL on each prepare: about a
 * tenth of a busy server's time (docs/performance.md). Statements are kept by their SQL text (the
 * most recently used few hundred); one still being iterated (`busy`, a streamed query) is not
 * handed out twice. SQLite re-prepares a kept statement by itself when the schema changes.
 */
export function withStatementCache(sqlite: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>()
  const prepare = (source: string) => {
    const kept = cache.get(source)
    if (kept && !kept.busy) {
      cache.delete(source)
      cache.set(source, kept)
      return kept
    }
    const statement = sqlite.prepare(source)
    if (!kept) {
      cache.set(source, statement)
      if (cache.size > max) cache.delete(cache.keys().next().value!)
    }
    return statement
  }
  return new Proxy(sqlite, {
    get(target, property) {
      if (property === 'prepare') return prepare
      const value = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

const PG_TYPES = {
  INT8: 20,
  NUMERIC: 1700,
  DATE: 1082,
  TIMESTAMP: 1114,
  TIMESTAMPTZ: 1184,
  JSON: 114,
  JSONB: 3802,
} as const

function pgTypeParser(oid: number): ((value: string) => unknown) | undefined {
  switch (oid) {
    case PG_TYPES.INT8:
    case PG_TYPES.NUMERIC:
      return Number
    case PG_TYPES.DATE:
    case PG_TYPES.JSON:
    case PG_TYPES.JSONB:
      return (value) => value
    case PG_TYPES.TIMESTAMPTZ:
      return (value) => new Date(value).toISOString()
    case PG_TYPES.TIMESTAMP:
      return (value) => new Date(`${value}Z`).toISOString()
    default:
      return undefined
  }
}

export function createPgPool(url: string, max = 10): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5000,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        pgTypeParser(oid) ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  })
}

/**
 * The SQLite dialect the server runs on: durable WAL, kept statements, immediate transactions
 * committed in groups, and reads outside a transaction on a second connection (sqlite-driver.ts).
 */
export function createSqliteDialect(file: string, options: GroupOptions = {}): GroupCommitSqliteDialect {
  const writer = withStatementCache(openSqlite(file))
  const reader = file === ':memory:' ? undefined : withStatementCache(openReader(file))
  if (file !== ':memory:') options = { ...options, offThread: options.offThread ?? new OffThreadReader(file) }
  if (!options.walSync && writer.pragma('journal_mode', { simple: true }) === 'wal') {
    // COMMIT no longer waits for the disk on the event loop's thread: the driver syncs the WAL on
    // the thread pool before answering (sqlite-driver.ts, "The disk wait off the event loop").
    writer.pragma('synchronous = NORMAL')
    const wal = new SyncedFile(`${fs.realpathSync(file)}-wal`) // where SQLite keeps it: beside the file
    return new GroupCommitSqliteDialect(writer, reader, {
      ...options,
      walSync: () => wal.sync(),
      walClose: () => wal.close(),
    })
  }
  return new GroupCommitSqliteDialect(writer, reader, options)
}

/**
 * A file synced (`fdatasync`, on the thread pool) through one handle, opened at the first sync and
 * kept until closed: one trip to the thread pool a sync instead of three. For SQLite's WAL, which
 * stays the same file (truncated or written again from its start, never replaced) while any
 * connection to the database is open — and the writer's is, until after the last sync.
 */
export class SyncedFile {
  #handle: Promise<fsp.FileHandle> | undefined
  readonly #syncing = new Set<Promise<void>>()

  constructor(readonly path: string) {}

  async sync(): Promise<void> {
    this.#handle ??= fsp.open(this.path, 'r')
    const opening = this.#handle
    let handle: fsp.FileHandle
    try {
      handle = await opening
    } catch (error) {
      if (this.#handle === opening) this.#handle = undefined // try again next time
      throw error
    }
    // The callback call on the handle's descriptor: half the main thread's cost of handle.datasync().
    const fd = handle.fd
    const syncing = new Promise<void>((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())))
    this.#syncing.add(syncing)
    try {
      await syncing
    } finally {
      this.#syncing.delete(syncing)
    }
  }

  async close(): Promise<void> {
    const opening = this.#handle
    this.#handle = undefined
    const handle = await opening?.catch(() => undefined)
    // The descriptor stays open until the syncs on it are done.
    await Promise.allSettled(this.#syncing)
    await handle?.close()
  }
}

/** A second connection to the file, for reading only (it sees committed transactions only). */
function openReader(file: string): SQLite.Database {
  const reader = new SQLite(file, { readonly: true, fileMustExist: true })
  reader.pragma('busy_timeout = 10000')
  return reader
}

/** The database of a configuration; `gate`: SQLite's write gate when several processes share the file. */
export function createDatabase(config: DatabaseConfig, options: Pick<GroupOptions, 'gate'> = {}): Db {
  if (config.dialect === 'sqlite') return sqliteDatabase(config.file, options)
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createPgPool(config.url, config.poolSize) }),
    plugins: [new CamelCasePlugin()],
  })
}

/** The handles whose reads run on a worker thread, by the database they read (see `offThreadReads`). */
const offThreadTwins = new WeakMap<object, object>()

/** A SQLite database on `file` (see `createSqliteDialect`), with its reads off the event loop registered. */
export function sqliteDatabase<DB = Database>(
  file: string,
  options: GroupOptions & Pick<KyselyConfig, 'log'> & { offThreadLog?: KyselyConfig['log'] } = {},
): Kysely<DB> {
  const { log, offThreadLog = log, ...group } = options
  const dialect = createSqliteDialect(file, group)
  const db = new Kysely<DB>({ dialect, plugins: [new CamelCasePlugin()], log })
  const reader = dialect.driver.offThread
  if (reader) {
    offThreadTwins.set(
      db,
      new Kysely<DB>({ dialect: offThreadDialect(reader), plugins: [new CamelCasePlugin()], log: offThreadLog }),
    )
  }
  return db
}

/**
 * A handle for long reads that are in no hurry (the statistics summary's refresh): on a SQLite
 * file they run on a worker thread with a read connection of its own, so that the event loop
 * serves requests and writes meanwhile (sqlite-off-thread.ts); otherwise (PostgreSQL, whose
 * queries never held the loop, or SQLite in memory) it is `db` itself. It reads committed data
 * only, takes no transaction and writes nothing.
 */
export function offThreadReads<DB>(db: Kysely<DB>): Kysely<DB> {
  return (offThreadTwins.get(db) as Kysely<DB> | undefined) ?? db
}

export function dialectOf(db: DbOrTrx): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

/**
 * Runs `work` in one transaction: committed when it returns, rolled back when it throws.
 * Services own their transactions; repositories take the `trx` they are given.
 */
export function transaction<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work)
}

/**
 * True for a unique-constraint refusal (PostgreSQL 23505, SQLite CONSTRAINT_UNIQUE); with `index`,
 * only when that index refused (PostgreSQL names it in `constraint`, SQLite in the message).
 */
export function isUniqueViolation(error: unknown, index?: string): boolean {
  if (!error || typeof error !== 'object') return false
  const { code, constraint } = error as { code?: unknown; constraint?: unknown }
  if (code !== '23505' && code !== 'SQLITE_CONSTRAINT_UNIQUE') return false
  if (!index) return true
  return constraint === index || (error instanceof Error && error.message.includes(`index '${index}'`))
}

/** True for errors that mean "the database is not reachable now" (answered with 503). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string') return false
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE'].includes(code)) return true
  // PostgreSQL SQLSTATE classes 08 (connection), 53 (resources), 57P (operator intervention)
  if (/^08/.test(code) || /^53/.test(code) || /^57P/.test(code)) return true
  // SQLite: locked too long, disk trouble, file gone
  return /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|CORRUPT|NOTADB)/.test(code)
}

/** Text of an error raised by a connection that is gone (Kysely/pg/better-sqlite3 variants). */
export function isConnectionClosed(error: unknown): boolean {
  const message = error instanceof Error ? error.message : ''
  return /Connection terminated|connection is closed|Cannot use a pool after calling end|driver has already been destroyed|database connection is not open|timeout exceeded when trying to connect/i.test(
    message,
  )
}
