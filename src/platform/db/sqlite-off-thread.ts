/**
 * **Long reads off the event loop.** better-sqlite3 runs a statement on the thread that calls it,
 * and the server's connections are on the event loop's thread (sqlite-driver.ts): a read of a
 * second — the statistics summary's refresh counting a day of a million applications — holds
 * every request of the process meanwhile, and a write's few turns of the loop (BEGIN, its
 * statements, COMMIT, the answer once synced) each come only after such a read
 * (docs/performance.md, finding 26).
 *
 * So a database file also has a read connection on a worker thread of its own, for the reads
 * that are long and not in a hurry. They are asked for through a second Kysely handle over the
 * same file (`offThreadReads(db)`, database.ts), which takes no transaction and writes nothing:
 * what it reads is what was committed, as on the main reader connection. The worker is started at
 * the first such read and ended with the database.
 *
 * The worker's code is kept as text (`eval`), so that it runs the same under tsx, the test runner
 * and the compiled build: it needs nothing but better-sqlite3, whose path it is given.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Kysely,
  type Dialect as KyselyDialect,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely'

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const SQLite = require(workerData.driver)
const db = new SQLite(workerData.file, { readonly: true, fileMustExist: true })
db.pragma('busy_timeout = 10000')
const kept = new Map()
const bytes = (v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v)
parentPort.on('message', ({ id, sql, parameters }) => {
  try {
    let statement = kept.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      kept.set(sql, statement)
      if (kept.size > 200) kept.delete(kept.keys().next().value)
    }
    if (!statement.reader) {
      throw Object.assign(new Error('off-thread reads only: ' + sql.slice(0, 60)), { code: 'SQLITE_READONLY' })
    }
    parentPort.postMessage({ id, rows: statement.all(parameters.map(bytes)) })
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } })
  }
})
`

interface Pending {
  resolve: (rows: unknown[]) => void
  reject: (error: unknown) => void
}

/** What the reader has done (for the tests and the benchmarks). */
export interface OffThreadStats {
  /** Statements answered by the worker. */
  statements: number
  /** Workers started (one, unless one died). */
  workers: number
}

/** A read connection to `file` on a worker thread: one statement at a time, in order of asking. */
export class OffThreadReader {
  #worker: Worker | undefined
  #next = 0
  readonly #pending = new Map<number, Pending>()
  #closed = false
  readonly stats: OffThreadStats = { statements: 0, workers: 0 }

  constructor(readonly file: string) {}

  read<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#closed) return Promise.reject(new Error('driver has already been destroyed'))
    const worker = this.#start()
    const id = this.#next++
    return new Promise<QueryResult<R>>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (rows) => {
          this.stats.statements++
          resolve({ rows: rows.map(withBuffers) as R[] })
        },
        reject,
      })
      // Held in the process only while a read waits (an idle worker keeps nobody running).
      if (this.#pending.size === 1) worker.ref()
      worker.postMessage({ id, sql: query.sql, parameters: query.parameters })
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    const worker = this.#worker
    this.#worker = undefined
    this.#fail(new Error('driver has already been destroyed'))
    await worker?.terminate()
  }

  #start(): Worker {
    if (this.#worker) return this.#worker
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: this.file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    })
    this.stats.workers++
    worker.unref()
    worker.on('message', (message: { id: number; rows?: unknown[]; error?: { message: string; code?: string } }) => {
      const pending = this.#pending.get(message.id)
      if (!pending) return
      this.#pending.delete(message.id)
      if (this.#pending.size === 0) worker.unref()
      if (message.error) pending.reject(Object.assign(new Error(message.error.message), { code: message.error.code }))
      else pending.resolve(message.rows ?? [])
    })
    const died = (error: unknown) => {
      if (this.#worker !== worker) return
      // The next read starts another; the reads it had fail (a 503 where a request waited).
      this.#worker = undefined
      this.#fail(Object.assign(new Error(`SQLite's read worker stopped: ${String(error)}`), { code: 'SQLITE_IOERR' }))
    }
    worker.on('error', died)
    worker.on('exit', (code) => died(`exit ${code}`))
    this.#worker = worker
    return worker
  }

  #fail(error: unknown): void {
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    for (const p of pending) p.reject(error)
  }
}

/** A row as the main connections give it: blobs cross the thread as plain Uint8Arrays. */
function withBuffers(row: unknown): unknown {
  const values = row as Record<string, unknown>
  for (const key in values) {
    const value = values[key]
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
      values[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    }
  }
  return row
}

/** A Kysely dialect whose every statement is read by `reader` (no transactions, no writes). */
export function offThreadDialect(reader: OffThreadReader): KyselyDialect {
  const connection: DatabaseConnection = {
    executeQuery: (query) => reader.read(query),
    streamQuery: () => {
      throw new Error('off-thread reads are not streamed')
    },
  }
  const refuse = async () => {
    throw new Error('off-thread reads take no transaction')
  }
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => connection,
    beginTransaction: refuse,
    commitTransaction: refuse,
    rollbackTransaction: refuse,
    releaseConnection: async () => {},
    // The reader is the main database's, and closed with it.
    destroy: async () => {},
  }
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => driver,
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  }
}
