import { createHash } from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import * as tar from 'tar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, onPostgres, testConfig } from '../../../test/helpers.js'
import { appendAudit, getAuditHead, verifyAuditChain } from '../audit/audit.js'
import type { Config } from '../config.js'
import { createDatabase, type Db, transaction } from '../db/database.js'
import { migrateToLatest } from '../db/migrate.js'
import {
  BACKUP_FORMAT,
  type BackupManifest,
  type BackupProgress,
  createBackup,
  readBackupManifest,
  restoreBackup,
  tableRowCounts,
} from './backup.js'

const dialect = onPostgres ? 'postgres' : 'sqlite'

interface Site {
  config: Config
  /** Opens (once) the site's database. */
  db(): Db
  close(): Promise<void>
}

let root: string
const sites: Site[] = []

/**
 * A data directory and a database: a real SQLite file under os.tmpdir() (never :memory:), or a
 * scratch PostgreSQL database. `migrate: false` leaves the database empty (for SQLite: absent).
 */
async function makeSite(name: string, { migrate = true } = {}): Promise<Site> {
  const dataDir = path.join(root, name)
  let site: Site
  if (onPostgres) {
    const scratch = await createTestDatabase({ migrate })
    site = { config: testConfig(scratch.config, { DATA_DIR: dataDir }), db: () => scratch.db, close: scratch.drop }
  } else {
    const config = testConfig({ dialect: 'sqlite', file: path.join(dataDir, 'yiwang.sqlite') }, { DATA_DIR: dataDir })
    let db: Db | undefined
    site = {
      config,
      db: () => {
        db ??= createDatabase(config.database)
        return db
      },
      close: async () => {
        await db?.destroy()
        db = undefined
      },
    }
    if (migrate) await migrateToLatest(site.db())
  }
  sites.push(site)
  return site
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Puts bytes in the file store the way the store names them (ab/cd/abcd…). */
async function storeFile(config: Config, content: string): Promise<string> {
  const hash = sha256(content)
  const dir = path.join(config.filesDir, hash.slice(0, 2), hash.slice(2, 4))
  await fsp.mkdir(dir, { recursive: true })
  await fsp.writeFile(path.join(dir, hash), content)
  return hash
}

async function filesUnder(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (rel: string) => {
    let entries: fs.Dirent[]
    try {
      entries = await fsp.readdir(path.join(dir, rel), { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) await walk(r)
      else out[r] = sha256(await fsp.readFile(path.join(dir, r)))
    }
  }
  await walk('')
  return out
}

async function addAuditEntries(db: Db, count: number, from = 0): Promise<void> {
  await transaction(db, async (trx) => {
    for (let i = from; i < from + count; i++) {
      await appendAudit(trx, {
        at: new Date(Date.UTC(2026, 2, 2, 2, 0, i)),
        actor: { type: 'staff', id: `staff-${i % 3}`, role: 'reviewer' },
        action: 'application.accept',
        object: { type: 'application', id: `app-${i}` },
        details: { i, from: 'submitted', to: 'accepted' },
      })
    }
  })
}

async function expectBackupError(work: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected ${code}`).toBeInstanceOf(Error)
  expect((error as { code?: string }).code).toBe(code)
  expect((error as Error).message).toMatch(message)
}

async function leftovers(dir: string): Promise<string[]> {
  return (await fsp.readdir(dir)).filter((n) => /\.partial-|^\.yiwang-backup-|^\.restore-/.test(n))
}

describe(`backup and restore (${dialect})`, () => {
  let source: Site
  let archive: string
  let manifest: BackupManifest
  const progress: BackupProgress[] = []

  beforeAll(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'yiwang-backup-test-'))
    source = await makeSite('source')
    const db = source.db()
    // Several tables with rows: the audit trail and a table of the test's own.
    await addAuditEntries(db, 25)
    await db.schema
      .createTable('backup_probe')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('label', 'text', (c) => c.notNull())
      .execute()
    await sql`insert into backup_probe (id, label) values (1, '潮安'), (2, 'Chao''an'), (3, '')`.execute(db)
    await storeFile(source.config, 'first file')
    await storeFile(source.config, '第二个文件 — second file')
    await fsp.mkdir(path.join(source.config.filesDir, 'tmp'), { recursive: true })
    await fsp.writeFile(path.join(source.config.filesDir, 'tmp', 'upload.part'), 'half an upload')
    await fsp.writeFile(path.join(source.config.dataDir, 'dev-keys.json'), '{"keys":[],"indexKey":"x"}')

    archive = path.join(root, 'backup.tar.gz')
    const summary = await createBackup(source.config, db, archive, (p) => progress.push(p))
    manifest = summary.manifest
  })

  afterAll(async () => {
    for (const site of sites.splice(0)) await site.close()
    await fsp.rm(root, { recursive: true, force: true })
  })

  it('writes one archive with a manifest of tables, files and the audit head', async () => {
    expect(fs.existsSync(archive)).toBe(true)
    expect(await leftovers(root)).toEqual([])
    const read = await readBackupManifest(archive)
    expect(read).toEqual(manifest)
    expect(read).toMatchObject({ format: BACKUP_FORMAT, formatVersion: 1, dialect, fileCount: 2 })
    expect(read.tables).toMatchObject({ audit_log: 25, audit_chain_head: 1, backup_probe: 3 })
    expect(read.auditHead).toEqual(await getAuditHead(source.db()))
    expect(read.files.map((f) => f.path).sort()).toEqual(
      [sha256('first file'), sha256('第二个文件 — second file')]
        .map((h) => `files/${h.slice(0, 2)}/${h.slice(2, 4)}/${h}`)
        .sort(),
    )
    expect(read.devKeys).toMatchObject({ path: 'dev-keys.json' })
    expect(new Set(progress.map((p) => p.phase))).toEqual(new Set(['database', 'files', 'archive', 'check']))
  })

  it('restores into an empty target: the same rows in every table, the same files, a whole audit chain', async () => {
    const target = await makeSite('target', { migrate: false })
    const seen: string[] = []
    const summary = await restoreBackup(target.config, archive, { onProgress: (p) => seen.push(p.phase) })
    expect(summary).toMatchObject({ files: 2, auditEntries: 25, movedAside: [] })
    expect(seen).toEqual(expect.arrayContaining(['check', 'restore-database', 'restore-files', 'verify']))

    expect(await tableRowCounts(target.db(), dialect)).toEqual(await tableRowCounts(source.db(), dialect))
    const files = await filesUnder(target.config.filesDir)
    const sourceFiles = Object.fromEntries(
      Object.entries(await filesUnder(source.config.filesDir)).filter(([name]) => !name.startsWith('tmp/')),
    )
    expect(files).toEqual(sourceFiles)
    expect(Object.keys(files)).toHaveLength(2)
    expect(await fsp.readFile(path.join(target.config.dataDir, 'dev-keys.json'), 'utf8')).toBe(
      '{"keys":[],"indexKey":"x"}',
    )
    const chain = await verifyAuditChain(target.db())
    expect(chain).toMatchObject({ ok: true, count: 25, head: manifest.auditHead })
    const labels = await sql<{ label: string }>`select label from backup_probe order by id`.execute(target.db())
    expect(labels.rows.map((r) => r.label)).toEqual(['潮安', "Chao'an", ''])
    expect(await leftovers(target.config.dataDir)).toEqual([])
  })

  it('refuses a target that holds data, and restores over it with force', async () => {
    const db = source.db()
    await addAuditEntries(db, 3, 100)
    await storeFile(source.config, 'added after the backup')
    await expectBackupError(restoreBackup(source.config, archive), 'TARGET_NOT_EMPTY', /--force/)
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 28 })

    const summary = await restoreBackup(source.config, archive, { force: true })
    expect(summary.auditEntries).toBe(25)
    expect(summary.movedAside).toHaveLength(1)
    expect(summary.movedAside[0]).toMatch(/files\.replaced-/)
    expect(Object.keys(await filesUnder(source.config.filesDir))).toHaveLength(2)
    // What was there before is kept aside, not deleted.
    expect(Object.keys(await filesUnder(summary.movedAside[0]!))).toHaveLength(4)
    expect(await tableRowCounts(db, dialect)).toEqual(manifest.tables)
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 25 })
  })

  it('rejects a damaged, truncated, empty or foreign archive with a clear message, touching nothing', async () => {
    const target = await makeSite('damaged', { migrate: false })
    const bytes = await fsp.readFile(archive)
    const flipped = Buffer.from(bytes)
    for (let i = Math.floor(bytes.length / 2); i < bytes.length / 2 + 16; i++) flipped[i] = flipped[i]! ^ 0xff
    const cases: [string, Buffer][] = [
      ['flipped.tar.gz', flipped],
      ['truncated.tar.gz', bytes.subarray(0, Math.floor(bytes.length * 0.6))],
      ['empty.tar.gz', Buffer.alloc(0)],
      ['garbage.tar.gz', Buffer.from('这不是备份文件 / not a backup '.repeat(100))],
      ['random.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ]
    for (const [name, content] of cases) {
      const file = path.join(root, name)
      await fsp.writeFile(file, content)
      await expectBackupError(restoreBackup(target.config, file), 'BACKUP_CORRUPT', /损坏.*damaged/)
    }
    await expectBackupError(
      restoreBackup(target.config, path.join(root, 'no-such-file.tar.gz')),
      'BACKUP_NOT_FOUND',
      /不存在.*not found/,
    )
    if (!onPostgres) expect(fs.existsSync((target.config.database as { file: string }).file)).toBe(false)
    else expect(await tableRowCounts(target.db(), dialect)).toEqual({})
    expect(fs.existsSync(target.config.filesDir)).toBe(false)
    expect(await leftovers(target.config.dataDir).catch(() => [])).toEqual([])
  })

  it('refuses a backup of the other database kind or of an unknown format version', async () => {
    const target = await makeSite('foreign', { migrate: false })
    const craft = async (name: string, change: Partial<BackupManifest>) => {
      const dir = await fsp.mkdtemp(path.join(root, 'craft-'))
      await fsp.writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, ...change }))
      const file = path.join(root, name)
      await tar.c({ file, cwd: dir, gzip: true }, ['manifest.json'])
      return file
    }
    const other = dialect === 'sqlite' ? 'postgres' : 'sqlite'
    await expectBackupError(
      restoreBackup(
        target.config,
        await craft('other.tar.gz', {
          dialect: other,
          database: { ...manifest.database, path: `database/yiwang.${other === 'sqlite' ? 'sqlite' : 'pgdump'}` },
        }),
      ),
      'BACKUP_DIALECT',
      /DATABASE_URL/,
    )
    await expectBackupError(
      restoreBackup(target.config, await craft('future.tar.gz', { formatVersion: 99 })),
      'BACKUP_VERSION',
      /版本 99.*version 99/,
    )
    // A manifest that names a path outside the archive's folders is not believed.
    await expectBackupError(
      restoreBackup(
        target.config,
        await craft('escape.tar.gz', {
          files: [{ path: 'files/../../escape', bytes: 1, sha256: '0'.repeat(64) }],
          fileCount: 1,
        }),
      ),
      'BACKUP_CORRUPT',
      /files/,
    )
  })

  it('never leaves a half-written archive under the requested name', async () => {
    await expectBackupError(createBackup(source.config, source.db(), archive), 'BACKUP_EXISTS', /已存在.*exists/)
    const failed = path.join(root, 'failed.tar.gz')
    await expect(
      createBackup(source.config, source.db(), failed, (p) => {
        if (p.phase === 'archive') throw new Error('disk full (simulated)')
      }),
    ).rejects.toThrow('disk full')
    expect(fs.existsSync(failed)).toBe(false)
    expect(await leftovers(root)).toEqual([])
  })
})
