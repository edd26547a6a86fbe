/**
 * Backup and restore (SECURITY.md, durability and recovery): one archive holds the database and
 * the file store, with a manifest that lets a restore prove it got everything back.
 *
 * The archive is a gzip-compressed tar (`.tar.gz`) whose entries are, in this order:
 *
 *   manifest.json            format, version, time, dialect, row counts of every table, the
 *                            sha256 and size of every other entry, the audit chain's head
 *   database/yiwang.sqlite   SQLite: a copy made with SQLite's online backup API
 *   database/yiwang.pgdump   PostgreSQL: `pg_dump -Fc`, from the same snapshot as the row counts
 *   dev-keys.json            development only: the generated field-encryption keys (production
 *                            keys come from DATA_KEYS and are never put in a backup)
 *   files/…                  the file store (config.filesDir), without uploads in progress (tmp/)
 *
 * A backup is written under a temporary name, read back and checked against its manifest, and
 * only then renamed to the requested name: a file with that name is always a complete backup.
 * A restore checks every entry against the manifest before it touches the target, then checks the
 * restored database and files again (row counts, sha256 of each file, the audit chain).
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import SQLite from 'better-sqlite3'
import { CamelCasePlugin, Kysely, SqliteDialect, sql } from 'kysely'
import { Pack, Parser, type ReadEntry } from 'tar'
import { getAuditHead, verifyAuditChain } from '../audit/audit.js'
import { type Config, redactUrl } from '../config.js'
import { createDatabase, type Db, type Dialect } from '../db/database.js'
import type { Database } from '../db/schema.js'

export const BACKUP_FORMAT = 'yiwang-backup'
export const BACKUP_FORMAT_VERSION = 1

const MANIFEST = 'manifest.json'
const DEV_KEYS = 'dev-keys.json'
const DATABASE_ENTRY: Record<Dialect, string> = {
  sqlite: 'database/yiwang.sqlite',
  postgres: 'database/yiwang.pgdump',
}
/** Tables that hold no business data: a target with rows only in these counts as empty. */
const BOOKKEEPING_TABLES = new Set(['schema_migrations', 'schema_migrations_lock', 'audit_chain_head'])

export interface StoredEntry {
  /** Path inside the archive, `/`-separated. */
  path: string
  bytes: number
  sha256: string
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT
  formatVersion: number
  createdAt: string
  dialect: Dialect
  database: StoredEntry
  /** Rows of every table at the moment of the backup (the same snapshot as the database copy). */
  tables: Record<string, number>
  fileCount: number
  fileBytes: number
  files: StoredEntry[]
  devKeys: StoredEntry | null
  /** The audit chain's last entry when the backup was made; null before the audit tables exist. */
  auditHead: { seq: number; hash: string } | null
}

export type BackupPhase =
  | 'database' // copying the database
  | 'files' // reading and hashing the file store
  | 'archive' // writing the archive
  | 'check' // reading an archive back against its manifest
  | 'restore-database'
  | 'restore-files'
  | 'verify' // checking what was restored

export interface BackupProgress {
  phase: BackupPhase
  files?: number
  totalFiles?: number
  bytes?: number
  totalBytes?: number
  auditEntries?: number
  totalAuditEntries?: number
}

export type ProgressListener = (progress: BackupProgress) => void

/** A failure of backup or restore, with a message for the operator (中文 / English). */
export class BackupError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'BackupError'
  }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

async function sha256File(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return { sha256: hash.digest('hex'), bytes }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file)
    return true
  } catch {
    return false
  }
}

async function fsyncPath(file: string): Promise<void> {
  let handle: fsp.FileHandle | undefined
  try {
    handle = await fsp.open(file, 'r')
    await handle.sync()
  } catch {
    // Some platforms cannot open a directory; the rename is still atomic there.
  } finally {
    await handle?.close()
  }
}

/**
 * Regular files under the file store, as `/`-separated paths relative to it, in a stable order.
 * Uploads in progress (`tmp/` at the top) are not part of the store yet and are left out.
 */
async function* storeFiles(root: string, relative = ''): AsyncGenerator<string> {
  let entries: fs.Dirent[]
  try {
    entries = await fsp.readdir(path.join(root, relative), { withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && relative === '') return
    throw error
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const rel = relative ? `${relative}/${entry.name}` : entry.name
    if (entry.isDirectory()) {
      if (rel === 'tmp') continue
      yield* storeFiles(root, rel)
    } else if (entry.isFile()) {
      yield rel
    }
  }
}

/**
 * Row counts of every table of the current schema, by name. `withShadow: false` leaves out
 * SQLite's shadow tables (the FTS5 index's own storage), which hold rows even when empty.
 */
export async function tableRowCounts(
  db: Kysely<Database>,
  dialect: Dialect,
  { withShadow = true } = {},
): Promise<Record<string, number>> {
  const raw = db.withoutPlugins()
  const names =
    dialect === 'postgres'
      ? await sql<{ name: string }>`
          select tablename as name from pg_catalog.pg_tables
          where schemaname = current_schema() order by tablename`.execute(raw)
      : await sql<{ name: string }>`
          select name from pragma_table_list
          where schema = 'main' and type in ('table', 'virtual', ${withShadow ? 'shadow' : 'table'})
            and substr(name, 1, 7) <> 'sqlite_'
          order by name`.execute(raw)
  const counts: Record<string, number> = {}
  for (const { name } of names.rows) {
    const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.id(name)}`.execute(raw)
    counts[name] = Number(result.rows[0]?.n ?? 0)
  }
  return counts
}

async function auditHeadOf(db: Kysely<Database>, tables: Record<string, number>) {
  return 'audit_chain_head' in tables ? ((await getAuditHead(db)) ?? null) : null
}

/** A Kysely handle over a SQLite file that is not the live database (a copy being made or restored). */
function openSqliteCopy(file: string): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: new SQLite(file, { fileMustExist: true }) }),
    plugins: [new CamelCasePlugin()],
  })
}

/**
 * libpq arguments for a connection URL, with the password moved to PGPASSWORD so it never shows
 * in the process list.
 */
function libpqTarget(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url)
  const env: NodeJS.ProcessEnv = { ...process.env }
  if (parsed.password) {
    env.PGPASSWORD = decodeURIComponent(parsed.password)
    parsed.password = ''
  }
  return { dbname: parsed.toString(), env }
}

/** Runs a PostgreSQL client tool; throws a BackupError with the end of its stderr. */
function runPgTool(tool: 'pg_dump' | 'pg_restore', args: string[], env: NodeJS.ProcessEnv, url: string) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000)
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new BackupError(
              'PG_TOOL_MISSING',
              `未找到 ${tool}，请安装与服务器同一主版本的 PostgreSQL 客户端 / ${tool} not found: install the PostgreSQL client tools (same major version as the server)`,
            )
          : error,
      )
    })
    child.on('close', (code, signal) => {
      if (code === 0) return resolve()
      const detail = stderr.trim().replaceAll(url, redactUrl(url))
      reject(
        new BackupError(
          tool === 'pg_dump' ? 'PG_DUMP_FAILED' : 'PG_RESTORE_FAILED',
          `${tool} 失败 / ${tool} failed (${signal ?? `exit ${code}`}): ${detail || '(no output)'}`,
        ),
      )
    })
  })
}

/** Polls a growing file's size while `work` runs, for progress of tools that print none. */
async function watchSize<T>(file: string, report: (bytes: number) => void, work: Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    fs.stat(file, (error, stat) => {
      if (!error) report(stat.size)
    })
  }, 1000)
  try {
    return await work
  } finally {
    clearInterval(timer)
  }
}

// ---------------------------------------------------------------------------------------------
// Reading an archive

function corrupt(detail: string): BackupError {
  return new BackupError(
    'BACKUP_CORRUPT',
    `备份文件已损坏或不是本系统的备份 / the archive is damaged or is not a Yiwang backup: ${detail}`,
  )
}

function isSafeArchivePath(p: string): boolean {
  if (p.length === 0 || p.length > 1000 || p.startsWith('/')) return false
  return p
    .split('/')
    .every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !/[\\\0]/.test(segment))
}

function isEntry(value: unknown, expectedPath?: (p: string) => boolean): value is StoredEntry {
  const v = value as StoredEntry
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.path === 'string' &&
    isSafeArchivePath(v.path) &&
    (expectedPath ? expectedPath(v.path) : true) &&
    Number.isSafeInteger(v.bytes) &&
    v.bytes >= 0 &&
    typeof v.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(v.sha256)
  )
}

/** Checks a parsed manifest's shape; throws BACKUP_CORRUPT or BACKUP_VERSION. */
function validateManifest(value: unknown): BackupManifest {
  const m = value as BackupManifest
  if (typeof m !== 'object' || m === null || m.format !== BACKUP_FORMAT)
    throw corrupt('manifest.json 格式不符 / bad manifest')
  if (m.formatVersion !== BACKUP_FORMAT_VERSION) {
    throw new BackupError(
      'BACKUP_VERSION',
      `备份格式版本 ${String(m.formatVersion)} 不受支持（本程序支持版本 ${BACKUP_FORMAT_VERSION}） / backup format version ${String(m.formatVersion)} is not supported (this program reads version ${BACKUP_FORMAT_VERSION})`,
    )
  }
  const problems: string[] = []
  if (m.dialect !== 'sqlite' && m.dialect !== 'postgres') problems.push('dialect')
  if (typeof m.createdAt !== 'string') problems.push('createdAt')
  if (!isEntry(m.database, (p) => p === DATABASE_ENTRY[m.dialect])) problems.push('database')
  if (
    typeof m.tables !== 'object' ||
    m.tables === null ||
    !Object.values(m.tables).every((n) => Number.isSafeInteger(n) && n >= 0)
  ) {
    problems.push('tables')
  }
  if (!Array.isArray(m.files) || !m.files.every((f) => isEntry(f, (p) => p.startsWith('files/')))) {
    problems.push('files')
  } else if (m.fileCount !== m.files.length || new Set(m.files.map((f) => f.path)).size !== m.files.length) {
    problems.push('fileCount')
  }
  if (m.devKeys !== null && !isEntry(m.devKeys, (p) => p === DEV_KEYS)) problems.push('devKeys')
  if (
    m.auditHead !== null &&
    (typeof m.auditHead !== 'object' || !Number.isSafeInteger(m.auditHead.seq) || typeof m.auditHead.hash !== 'string')
  ) {
    problems.push('auditHead')
  }
  if (problems.length > 0) throw corrupt(`manifest.json 字段有误 / bad manifest fields: ${problems.join(', ')}`)
  return m
}

function entriesOf(manifest: BackupManifest): Map<string, StoredEntry> {
  const all = [manifest.database, ...(manifest.devKeys ? [manifest.devKeys] : []), ...manifest.files]
  return new Map(all.map((e) => [e.path, e]))
}

interface ReadOptions {
  /** Stop after the manifest (a quick look before deciding anything). */
  manifestOnly?: boolean
  /** Checks the manifest before any other entry is read (dialect, version); throw to stop. */
  onManifest?: (manifest: BackupManifest) => void
  /** Where to write each entry; entries are only hashed when not given. */
  extractTo?: string
  onProgress?: ProgressListener
  phase?: BackupPhase
}

/**
 * Reads an archive from start to end: the manifest must come first; every other entry must be a
 * regular file the manifest lists, of the listed size and sha256; every listed entry must be
 * there. Paths are checked before anything is written, so a hostile archive cannot write outside
 * `extractTo`.
 */
async function readArchive(file: string, options: ReadOptions = {}): Promise<BackupManifest> {
  let manifest: BackupManifest | undefined
  let expected = new Map<string, StoredEntry>()
  const seen = new Set<string>()
  const writes: Promise<void>[] = []
  const outputs: fs.WriteStream[] = []
  const totalBytes = (await fsp.stat(file)).size
  let readBytes = 0
  let lastReport = 0

  await new Promise<void>((resolve, reject) => {
    const input = fs.createReadStream(file)
    const parser = new Parser({ strict: true })
    let settled = false
    const finish = (error?: unknown) => {
      if (settled) return
      settled = true
      input.unpipe()
      input.destroy()
      if (error) {
        for (const out of outputs) out.destroy()
        reject(error instanceof BackupError ? error : corrupt(error instanceof Error ? error.message : String(error)))
      } else {
        resolve()
      }
    }
    input.on('data', (chunk) => {
      readBytes += chunk.length
      const now = Date.now()
      if (options.onProgress && now - lastReport > 500) {
        lastReport = now
        options.onProgress({ phase: options.phase ?? 'check', bytes: readBytes, totalBytes })
      }
    })
    input.on('error', finish)
    parser.on('error', finish)
    parser.on('end', () => finish())

    parser.on('entry', (entry: ReadEntry) => {
      if (settled) return entry.resume()
      const name = entry.path
      if (!manifest) {
        if (name !== MANIFEST || entry.type !== 'File' || entry.size > 512 * 1024 * 1024) {
          entry.resume()
          return finish(corrupt('第一项不是 manifest.json / the first entry is not manifest.json'))
        }
        const chunks: Buffer[] = []
        entry.on('data', (c: Buffer) => chunks.push(c))
        entry.on('end', () => {
          try {
            manifest = validateManifest(JSON.parse(Buffer.concat(chunks).toString('utf8')))
            expected = entriesOf(manifest)
            options.onManifest?.(manifest)
            if (options.manifestOnly) finish()
          } catch (error) {
            finish(
              error instanceof SyntaxError ? corrupt('manifest.json 不是 JSON / manifest.json is not JSON') : error,
            )
          }
        })
        return
      }
      const listed = expected.get(name)
      if (!listed || entry.type !== 'File' || seen.has(name)) {
        entry.resume()
        return finish(corrupt(`多余或重复的条目 / unexpected entry "${name}"`))
      }
      if (entry.size !== listed.bytes) {
        entry.resume()
        return finish(corrupt(`条目大小与清单不符 / size of "${name}" differs from the manifest`))
      }
      seen.add(name)
      const hash = createHash('sha256')
      let out: fs.WriteStream | undefined
      let written: Promise<void> = Promise.resolve()
      if (options.extractTo) {
        const target = path.join(options.extractTo, ...name.split('/'))
        fs.mkdirSync(path.dirname(target), { recursive: true })
        const stream = fs.createWriteStream(target, { flags: 'wx', mode: 0o600 })
        outputs.push(stream)
        written = new Promise<void>((ok, fail) => {
          stream.on('close', ok)
          stream.on('error', fail)
        })
        out = stream
      }
      // One consumer for both the hash and the file, with backpressure from the file.
      entry.on('data', (chunk: Buffer) => {
        hash.update(chunk)
        if (out && !out.write(chunk)) {
          entry.pause()
          out.once('drain', () => entry.resume())
        }
      })
      const checked = new Promise<void>((ok, fail) => {
        entry.on('end', () => {
          out?.end()
          if (hash.digest('hex') === listed.sha256) ok()
          else fail(corrupt(`sha256 与清单不符 / sha256 of "${name}" differs from the manifest`))
        })
      })
      const both = Promise.all([checked, written]).then(() => undefined)
      both.catch(finish)
      writes.push(both)
    })

    input.pipe(parser as unknown as NodeJS.WritableStream)
  })

  if (!manifest) throw corrupt('没有 manifest.json / no manifest.json')
  if (options.manifestOnly) return manifest
  await Promise.all(writes)
  const missing = [...expected.keys()].filter((p) => !seen.has(p))
  if (missing.length > 0) {
    throw corrupt(
      `缺少 ${missing.length} 个条目，如 "${missing[0]}" / ${missing.length} entries missing, e.g. "${missing[0]}"`,
    )
  }
  options.onProgress?.({ phase: options.phase ?? 'check', bytes: totalBytes, totalBytes })
  return manifest
}

/** The manifest of a backup archive, read without unpacking the rest. */
export async function readBackupManifest(file: string): Promise<BackupManifest> {
  await assertReadableArchive(file)
  return readArchive(file, { manifestOnly: true })
}

async function assertReadableArchive(file: string): Promise<void> {
  let stat: fs.Stats
  try {
    stat = await fsp.stat(file)
  } catch {
    throw new BackupError('BACKUP_NOT_FOUND', `备份文件不存在 / backup file not found: ${file}`)
  }
  if (!stat.isFile()) throw new BackupError('BACKUP_NOT_FOUND', `不是文件 / not a file: ${file}`)
}

// ---------------------------------------------------------------------------------------------
// Backup

export interface BackupSummary {
  file: string
  bytes: number
  manifest: BackupManifest
}

/** Copies the live SQLite database with the online backup API (safe while the server runs). */
async function copySqlite(source: string, target: string, onProgress?: ProgressListener): Promise<void> {
  if (source === ':memory:') {
    throw new BackupError('BACKUP_MEMORY_DB', '内存数据库无法备份 / an in-memory database cannot be backed up')
  }
  if (!(await exists(source))) {
    throw new BackupError('DATABASE_NOT_FOUND', `数据库文件不存在 / database file not found: ${source}`)
  }
  const live = new SQLite(source, { readonly: true, fileMustExist: true })
  try {
    live.pragma('busy_timeout = 10000')
    const pageSize = Number(live.pragma('page_size', { simple: true }))
    await live.backup(target, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.({
          phase: 'database',
          bytes: (totalPages - remainingPages) * pageSize,
          totalBytes: totalPages * pageSize,
        })
        return 256
      },
    })
  } finally {
    live.close()
  }
  // A self-contained file: no -wal beside it.
  const copy = new SQLite(target)
  try {
    copy.pragma('journal_mode = DELETE')
  } finally {
    copy.close()
  }
}

/**
 * Writes a backup of the configured database and file store to `file` (which must not exist).
 * SQLite is copied with the online backup API, PostgreSQL with `pg_dump -Fc` from an exported
 * snapshot, so the row counts in the manifest are those of the copy even while the server runs.
 * The file store is read after the database: every file a backed-up row refers to is already
 * there (files are written before the rows that use them, and never changed).
 * `db` serves PostgreSQL (the exported snapshot); SQLite is read through a separate read-only
 * connection to `config.database.file`.
 *
 * Throws BackupError: BACKUP_EXISTS, DATABASE_NOT_FOUND, BACKUP_MEMORY_DB, PG_TOOL_MISSING,
 * PG_DUMP_FAILED, BACKUP_CORRUPT (the written archive did not read back).
 */
export async function createBackup(
  config: Config,
  db: Db,
  file: string,
  onProgress?: ProgressListener,
): Promise<BackupSummary> {
  const out = path.resolve(file)
  if (await exists(out)) {
    throw new BackupError(
      'BACKUP_EXISTS',
      `目标文件已存在，请换一个文件名 / ${out} already exists; choose another name`,
    )
  }
  const dir = path.dirname(out)
  if (!(await exists(dir))) throw new BackupError('BACKUP_DIR_MISSING', `目录不存在 / directory not found: ${dir}`)

  const dialect = config.database.dialect
  const work = await fsp.mkdtemp(path.join(dir, '.yiwang-backup-'))
  const partial = `${out}.partial-${randomBytes(6).toString('hex')}`
  try {
    // 1. The database, and the row counts and audit head of that same copy.
    const dbEntry = DATABASE_ENTRY[dialect]
    const dbCopy = path.join(work, ...dbEntry.split('/'))
    await fsp.mkdir(path.dirname(dbCopy), { recursive: true })
    let tables: Record<string, number>
    let auditHead: BackupManifest['auditHead']
    if (config.database.dialect === 'sqlite') {
      await copySqlite(config.database.file, dbCopy, onProgress)
      const copy = openSqliteCopy(dbCopy)
      try {
        tables = await tableRowCounts(copy, 'sqlite')
        auditHead = await auditHeadOf(copy, tables)
      } finally {
        await copy.destroy()
      }
    } else {
      const url = config.database.url
      ;({ tables, auditHead } = await db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const snapshot = await sql<{ id: string }>`select pg_export_snapshot() as id`.execute(trx)
          const counts = await tableRowCounts(trx, 'postgres')
          const head = await auditHeadOf(trx, counts)
          const { dbname, env } = libpqTarget(url)
          await watchSize(
            dbCopy,
            (bytes) => onProgress?.({ phase: 'database', bytes }),
            runPgTool(
              'pg_dump',
              ['--format=custom', `--snapshot=${snapshot.rows[0]!.id}`, `--file=${dbCopy}`, `--dbname=${dbname}`],
              env,
              url,
            ),
          )
          return { tables: counts, auditHead: head }
        }))
    }
    const database = { path: dbEntry, ...(await sha256File(dbCopy)) }
    onProgress?.({ phase: 'database', bytes: database.bytes, totalBytes: database.bytes })

    // 2. The file store, hashed.
    const files: StoredEntry[] = []
    let fileBytes = 0
    for await (const rel of storeFiles(config.filesDir)) {
      const { sha256, bytes } = await sha256File(path.join(config.filesDir, ...rel.split('/')))
      files.push({ path: `files/${rel}`, bytes, sha256 })
      fileBytes += bytes
      onProgress?.({ phase: 'files', files: files.length, bytes: fileBytes })
    }
    if (files.length > 0) await fsp.symlink(path.resolve(config.filesDir), path.join(work, 'files'), 'dir')

    let devKeys: StoredEntry | null = null
    const devKeyFile = path.join(config.dataDir, DEV_KEYS)
    if (config.env !== 'production' && (await exists(devKeyFile))) {
      await fsp.copyFile(devKeyFile, path.join(work, DEV_KEYS))
      devKeys = { path: DEV_KEYS, ...(await sha256File(path.join(work, DEV_KEYS))) }
    }

    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      dialect,
      database,
      tables,
      fileCount: files.length,
      fileBytes,
      files,
      devKeys,
      auditHead,
    }
    await fsp.writeFile(path.join(work, MANIFEST), JSON.stringify(manifest, null, 2), { mode: 0o600 })

    // 3. The archive, under a temporary name. Progress counts the tar stream before compression,
    // so it can be compared with the size of what is being stored.
    const totalBytes = database.bytes + fileBytes
    let packed = 0
    let lastReport = 0
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done: TransformCallback) {
        packed += chunk.length
        const now = Date.now()
        try {
          if (now - lastReport > 500) {
            lastReport = now
            onProgress?.({ phase: 'archive', bytes: Math.min(packed, totalBytes), totalBytes })
          }
        } catch (error) {
          return done(error as Error)
        }
        done(null, chunk)
      },
    })
    const pack = new Pack({ cwd: work, portable: true, strict: true })
    const writing = pipeline(
      pack as unknown as NodeJS.ReadableStream,
      counter,
      zlib.createGzip(),
      fs.createWriteStream(partial, { flags: 'wx', mode: 0o600 }),
    )
    pack.add(MANIFEST)
    pack.add(dbEntry)
    if (devKeys) pack.add(DEV_KEYS)
    for (const f of files) pack.add(f.path)
    pack.end()
    await writing
    await fsyncPath(partial)
    onProgress?.({ phase: 'archive', bytes: totalBytes, totalBytes })

    // 4. Read it back against the manifest, then give it its name.
    await readArchive(partial, { onProgress, phase: 'check' })
    const { size } = await fsp.stat(partial)
    await fsp.rename(partial, out)
    await fsyncPath(dir)
    return { file: out, bytes: size, manifest }
  } catch (error) {
    await fsp.rm(partial, { force: true })
    throw error
  } finally {
    await fsp.rm(work, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------
// Restore

export interface RestoreOptions {
  /** Restore over a database (and file store) that already holds data. */
  force?: boolean
  onProgress?: ProgressListener
}

export interface RestoreSummary {
  manifest: BackupManifest
  tables: number
  rows: number
  files: number
  auditEntries: number
  /** Where the file store (or key file) that was replaced was moved, if there was one. */
  movedAside: string[]
}

async function nonEmptyTables(db: Db, dialect: Dialect): Promise<string[]> {
  const counts = await tableRowCounts(db, dialect, { withShadow: false })
  const head = 'audit_chain_head' in counts ? await getAuditHead(db) : undefined
  return Object.entries(counts)
    .filter(([name, n]) => n > 0 && !(BOOKKEEPING_TABLES.has(name) && (name !== 'audit_chain_head' || !head?.seq)))
    .map(([name, n]) => `${name} (${n})`)
}

async function storeHasFiles(filesDir: string): Promise<boolean> {
  for await (const _ of storeFiles(filesDir)) return true
  return false
}

function timestampSuffix(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')
}

/** Moves a file or directory aside (never deletes what was there); returns the new name. */
async function moveAside(target: string): Promise<string | undefined> {
  if (!(await exists(target))) return undefined
  const aside = `${target}.replaced-${timestampSuffix()}-${randomBytes(3).toString('hex')}`
  await fsp.rename(target, aside)
  return aside
}

/**
 * Restores a backup into the configured database and file store. The server must be stopped
 * (SQLite and PostgreSQL alike): a running server would keep serving the old data from memory.
 *
 * Refuses a target that holds data unless `force` is given; refuses a backup of the other
 * dialect or of an unknown format version; checks every entry of the archive against its
 * manifest before touching anything. After restoring, checks the row count of every table, the
 * sha256 of every file and the audit chain; any difference throws RESTORE_MISMATCH.
 * A replaced file store is moved aside (`files.replaced-<time>`), never deleted.
 *
 * Throws BackupError: BACKUP_NOT_FOUND, BACKUP_CORRUPT, BACKUP_VERSION, BACKUP_DIALECT,
 * TARGET_NOT_EMPTY, PG_TOOL_MISSING, PG_RESTORE_FAILED, RESTORE_MISMATCH.
 */
export async function restoreBackup(
  config: Config,
  file: string,
  options: RestoreOptions = {},
): Promise<RestoreSummary> {
  const source = path.resolve(file)
  await assertReadableArchive(source)
  const dialect = config.database.dialect
  const dialectName = (d: Dialect) => (d === 'sqlite' ? 'SQLite' : 'PostgreSQL')
  const checkManifest = (m: BackupManifest) => {
    if (m.dialect !== dialect) {
      throw new BackupError(
        'BACKUP_DIALECT',
        `备份来自 ${dialectName(m.dialect)}，当前配置的数据库是 ${dialectName(dialect)}（见 DATABASE_URL） / the backup is of a ${dialectName(m.dialect)} database but ${dialectName(dialect)} is configured (see DATABASE_URL)`,
      )
    }
  }
  checkManifest(await readArchive(source, { manifestOnly: true }))
  if (config.database.dialect === 'sqlite' && config.database.file === ':memory:') {
    throw new BackupError('BACKUP_MEMORY_DB', '不能恢复到内存数据库 / cannot restore into an in-memory database')
  }

  // The target must be empty unless forced.
  const targetExists = config.database.dialect === 'postgres' || (await exists(config.database.file))
  if (!options.force) {
    const problems: string[] = []
    if (targetExists) {
      const db = createDatabase(config.database)
      try {
        problems.push(...(await nonEmptyTables(db, dialect)))
      } finally {
        await db.destroy()
      }
    }
    if (await storeHasFiles(config.filesDir)) problems.push(`${config.filesDir} (文件 / files)`)
    if (problems.length > 0) {
      throw new BackupError(
        'TARGET_NOT_EMPTY',
        `目标已有数据，未恢复；确认要覆盖请加 --force / the target already holds data, nothing was restored; add --force to overwrite: ${problems.slice(0, 8).join(', ')}${problems.length > 8 ? ', …' : ''}`,
      )
    }
  }

  await fsp.mkdir(config.dataDir, { recursive: true })
  const staging = await fsp.mkdtemp(path.join(config.dataDir, '.restore-'))
  const movedAside: string[] = []
  try {
    // 1. Unpack into staging, every entry checked against the manifest.
    const manifest = await readArchive(source, {
      extractTo: staging,
      onManifest: checkManifest,
      onProgress: options.onProgress,
      phase: 'check',
    })

    // 2. The database.
    const staged = path.join(staging, ...manifest.database.path.split('/'))
    options.onProgress?.({ phase: 'restore-database', bytes: 0, totalBytes: manifest.database.bytes })
    if (config.database.dialect === 'sqlite') {
      const target = config.database.file
      await fsp.mkdir(path.dirname(target), { recursive: true })
      // The backup API writes through SQLite's own locking, page by page, into the target.
      const copy = new SQLite(staged, { readonly: true, fileMustExist: true })
      try {
        await copy.backup(target)
      } finally {
        copy.close()
      }
    } else {
      const url = config.database.url
      const { dbname, env } = libpqTarget(url)
      await runPgTool(
        'pg_restore',
        ['--clean', '--if-exists', '--no-owner', '--no-acl', '--single-transaction', `--dbname=${dbname}`, staged],
        env,
        url,
      )
    }
    options.onProgress?.({
      phase: 'restore-database',
      bytes: manifest.database.bytes,
      totalBytes: manifest.database.bytes,
    })

    // 3. The file store (and development keys).
    options.onProgress?.({ phase: 'restore-files', files: 0, totalFiles: manifest.fileCount })
    // An empty folder goes quietly; one with anything in it (only possible with --force, or
    // uploads left in tmp/) is kept beside the restored one.
    await fsp.rmdir(config.filesDir).catch(() => {})
    const aside = await moveAside(config.filesDir)
    if (aside) movedAside.push(aside)
    const stagedFiles = path.join(staging, 'files')
    if (await exists(stagedFiles)) await fsp.rename(stagedFiles, config.filesDir)
    else await fsp.mkdir(config.filesDir, { recursive: true })
    await fsyncPath(config.dataDir)
    if (manifest.devKeys) {
      const keyFile = path.join(config.dataDir, DEV_KEYS)
      const current = (await exists(keyFile)) ? await sha256File(keyFile) : undefined
      if (current?.sha256 !== manifest.devKeys.sha256) {
        const keysAside = await moveAside(keyFile)
        if (keysAside) movedAside.push(keysAside)
        await fsp.rename(path.join(staging, DEV_KEYS), keyFile)
      }
    }
    options.onProgress?.({ phase: 'restore-files', files: manifest.fileCount, totalFiles: manifest.fileCount })

    // 4. Check what is now in place.
    const mismatches: string[] = []
    const db = createDatabase(config.database)
    let auditEntries = 0
    try {
      const counts = await tableRowCounts(db, dialect)
      for (const [table, rows] of Object.entries(manifest.tables)) {
        if (counts[table] !== rows) {
          mismatches.push(
            `表 ${table} 行数 ${counts[table] ?? '缺失'}，应为 ${rows} / table ${table}: ${counts[table] ?? 'missing'} rows, expected ${rows}`,
          )
        }
      }
      if (manifest.auditHead) {
        const audit = await verifyAuditChain(db, {
          onProgress: (checked, total) =>
            options.onProgress?.({ phase: 'verify', auditEntries: checked, totalAuditEntries: total }),
        })
        if (!audit.ok) {
          mismatches.push(
            `审计链损坏 / audit chain broken at seq ${audit.firstBroken.seq} (${audit.firstBroken.id ?? '-'}): ${audit.firstBroken.reason}`,
          )
        } else {
          auditEntries = audit.count
          if (audit.head.seq !== manifest.auditHead.seq || audit.head.hash !== manifest.auditHead.hash) {
            mismatches.push('审计链头与备份清单不符 / audit head differs from the manifest')
          }
        }
      }
    } finally {
      await db.destroy()
    }
    let checkedFiles = 0
    for (const f of manifest.files) {
      const at = path.join(config.filesDir, ...f.path.slice('files/'.length).split('/'))
      const actual = (await exists(at)) ? await sha256File(at) : undefined
      if (actual?.sha256 !== f.sha256) {
        mismatches.push(
          `文件 ${f.path} ${actual ? '内容不符' : '缺失'} / file ${f.path} ${actual ? 'differs' : 'missing'}`,
        )
      }
      checkedFiles++
      if (checkedFiles % 100 === 0) {
        options.onProgress?.({ phase: 'verify', files: checkedFiles, totalFiles: manifest.fileCount })
      }
    }
    if (mismatches.length > 0) {
      throw new BackupError(
        'RESTORE_MISMATCH',
        `已恢复，但校验未通过 / restored, but the check failed:\n  - ${mismatches.slice(0, 20).join('\n  - ')}${mismatches.length > 20 ? `\n  - …(${mismatches.length - 20} more)` : ''}`,
      )
    }
    return {
      manifest,
      tables: Object.keys(manifest.tables).length,
      rows: Object.values(manifest.tables).reduce((a, b) => a + b, 0),
      files: manifest.fileCount,
      auditEntries,
      movedAside,
    }
  } finally {
    await fsp.rm(staging, { recursive: true, force: true })
  }
}
