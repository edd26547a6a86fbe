/**
 * What the benchmark scripts share: command-line options, the fixed bench keys (so the generator
 * and the servers it feeds encrypt and index alike), database targets, bulk writers and progress.
 *
 * Bench code, not application code: it may write the modules' tables directly (like the tests'
 * generators) because it builds a district in minutes instead of a year.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type SQLite from 'better-sqlite3'
import pg from 'pg'
import { openSqlite } from '../src/platform/db/database.js'

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
export const PROJECT_ROOT = path.resolve(BENCH_DIR, '..')
export const RESULTS_DIR = path.join(BENCH_DIR, 'results')

/**
 * Field-crypto keys of the bench district (never used anywhere else). The generator, the app
 * processes and the bare server all get them, so encrypted columns and blind indexes agree.
 */
export const BENCH_ENV = {
  DATA_KEYS: 'bench1:YmVuY2gta2V5LW9mLXRoZS15aXdhbmctYmVuY2htayE=',
  DATA_INDEX_KEY: 'YmVuY2gtaW5kZXgta2V5LW9mLXRoZS15aXdhbmctYmNo',
  SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789',
  // One load generator stands for thousands of people: the per-address limit would answer 429.
  RATE_LIMIT_PER_MINUTE: '1000000',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'development',
} as const

export type Target = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string }

/** `--db bench/data/x.sqlite` or `--db postgres://…` (default: DATABASE_URL, else a bench SQLite file). */
export function parseTarget(value: string | undefined, fallbackName: string): Target {
  const raw = value ?? process.env.DATABASE_URL
  if (raw && /^postgres(ql)?:\/\//.test(raw)) return { kind: 'postgres', url: raw }
  const file = raw ? raw.replace(/^sqlite:(\/\/)?/, '') : path.join(BENCH_DIR, 'data', `${fallbackName}.sqlite`)
  return { kind: 'sqlite', file: path.resolve(file) }
}

export function databaseUrlOf(target: Target): string {
  return target.kind === 'postgres' ? target.url : `sqlite:${target.file}`
}

/** The data directory (file store, keys) that goes with a target. */
export function dataDirOf(target: Target): string {
  if (target.kind === 'sqlite')
    return path.join(path.dirname(target.file), `${path.basename(target.file, '.sqlite')}-files`)
  const db = new URL(target.url).pathname.replace(/^\//, '') || 'postgres'
  return path.join(BENCH_DIR, 'data', `pg-${db}-files`)
}

export function label(target: Target): string {
  return target.kind === 'sqlite'
    ? `SQLite ${path.relative(PROJECT_ROOT, target.file)}`
    : `PostgreSQL ${redact(target.url)}`
}

const redact = (url: string) => url.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@')

/** `--name value` and `--flag` from argv. */
export function parseArgs(argv = process.argv.slice(2)): Map<string, string> {
  const out = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (!a.startsWith('--')) continue
    const [k, v] = a.slice(2).split('=', 2) as [string, string | undefined]
    if (v !== undefined) out.set(k, v)
    else if (argv[i + 1] && !argv[i + 1]!.startsWith('--')) out.set(k, argv[++i]!)
    else out.set(k, 'true')
  }
  return out
}

/** 10k | 100k | 1m | a factor of the full district (1 = a million applications). */
export function parseScale(value: string | undefined): number {
  const v = (value ?? '10k').toLowerCase()
  const m = /^(\d+(?:\.\d+)?)(k|m)?$/.exec(v)
  if (!m) throw new Error(`--scale must be 10k, 100k, 1m or a factor (got ${value})`)
  const n = Number(m[1])
  if (m[2] === 'k') return (n * 1000) / 1_000_000
  if (m[2] === 'm') return n
  return n
}

export function scaleName(factor: number): string {
  const apps = Math.round(factor * 1_000_000)
  return apps >= 1_000_000 ? `${apps / 1_000_000}m` : `${apps / 1000}k`
}

// ---------------------------------------------------------------------------------------------
// Progress

export class Progress {
  private done = 0
  private readonly started = performance.now()
  private last = 0

  constructor(
    private readonly name: string,
    private readonly total: number,
  ) {}

  add(n: number): void {
    this.done += n
    const now = performance.now()
    if (now - this.last < 1000 && this.done < this.total) return
    this.last = now
    const secs = (now - this.started) / 1000
    const rate = this.done / Math.max(secs, 1e-3)
    const eta = rate > 0 ? Math.max(0, (this.total - this.done) / rate) : 0
    const pct = this.total ? ((100 * this.done) / this.total).toFixed(1) : '100'
    process.stdout.write(
      `[generate] ${this.name.padEnd(14)} ${String(this.done).padStart(9)}/${this.total} (${pct}%)  ${Math.round(rate).toLocaleString('en')} rows/s  ETA ${eta.toFixed(0)} s\n`,
    )
  }

  finish(): { rows: number; seconds: number } {
    const seconds = (performance.now() - this.started) / 1000
    return { rows: this.done, seconds }
  }
}

// ---------------------------------------------------------------------------------------------
// Bulk writers: prepared statements in big transactions (SQLite), multi-row INSERT (PostgreSQL).

export type Row = Record<string, unknown>

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

export interface BulkWriter {
  /** Writes rows (camelCase or snake_case keys; all rows of a call have the same keys). */
  insert(table: string, rows: Row[]): Promise<void>
  /** Runs a statement (no parameters). */
  exec(sql: string): Promise<void>
  query<T>(sql: string, params?: unknown[]): Promise<T[]>
  close(): Promise<void>
}

export function openWriter(target: Target): BulkWriter {
  return target.kind === 'sqlite' ? new SqliteWriter(target.file) : new PgWriter(target.url)
}

class SqliteWriter implements BulkWriter {
  private readonly db: SQLite.Database
  private readonly statements = new Map<string, SQLite.Statement>()

  constructor(file: string) {
    this.db = openSqlite(file)
    // Bulk loading: the district is rebuilt from its seed if the machine fails mid-way.
    this.db.pragma('synchronous = OFF')
    this.db.pragma('cache_size = -262144')
  }

  async insert(table: string, rows: Row[]): Promise<void> {
    if (rows.length === 0) return
    const keys = Object.keys(rows[0]!)
    const sig = `${table}:${keys.join(',')}`
    let stmt = this.statements.get(sig)
    if (!stmt) {
      stmt = this.db.prepare(
        `insert into ${table} (${keys.map(snake).join(', ')}) values (${keys.map(() => '?').join(', ')})`,
      )
      this.statements.set(sig, stmt)
    }
    const s = stmt
    this.db.transaction(() => {
      for (const row of rows) s.run(keys.map((k) => row[k] ?? null))
    })()
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql)
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.prepare(sql).all(...params) as T[]
  }

  async close(): Promise<void> {
    this.db.pragma('synchronous = FULL')
    this.db.close()
  }
}

class PgWriter implements BulkWriter {
  private readonly pool: pg.Pool

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 2 })
  }

  async insert(table: string, rows: Row[]): Promise<void> {
    if (rows.length === 0) return
    const keys = Object.keys(rows[0]!)
    const cols = keys.map(snake).join(', ')
    // PostgreSQL takes at most 65535 parameters a statement.
    const per = Math.max(1, Math.floor(60_000 / keys.length))
    const client = await this.pool.connect()
    try {
      await client.query('begin')
      await client.query('set local synchronous_commit = off')
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per)
        const params: unknown[] = []
        const tuples = chunk.map((row) => {
          const marks = keys.map((k) => {
            params.push(row[k] ?? null)
            return `$${params.length}`
          })
          return `(${marks.join(',')})`
        })
        await client.query(`insert into ${table} (${cols}) values ${tuples.join(',')}`, params)
      }
      await client.query('commit')
    } catch (error) {
      await client.query('rollback').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql)
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const pgSql = sql.replace(
      /\?/g,
      (() => {
        let n = 0
        return () => `$${++n}`
      })(),
    )
    return (await this.pool.query(pgSql, params)).rows as T[]
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}

/** Recreates a PostgreSQL database from the maintenance database (`postgres`) of the same server. */
export async function recreatePgDatabase(url: string): Promise<void> {
  const u = new URL(url)
  const name = u.pathname.replace(/^\//, '')
  if (!/^[a-z_][a-z0-9_]*$/.test(name) || name === 'postgres') {
    throw new Error(`refusing to recreate database "${name}": use a scratch database such as yiwang_bench`)
  }
  u.pathname = '/postgres'
  const client = new pg.Client({ connectionString: u.toString() })
  await client.connect()
  try {
    await client.query(`drop database if exists ${name} with (force)`)
    await client.query(`create database ${name}`)
  } finally {
    await client.end()
  }
}

export function removeSqlite(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true })
}

/** Writes a JSON file with a trailing newline. */
export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}
