#!/usr/bin/env node
/**
 * The `yiwang` command: serve, migrate, seed, backup, restore, verify-audit, import-licenses,
 * rebuild-statistics.
 * Run it with `npm run yiwang -- <command>` or `npx yiwang <command>`.
 */
import cluster from 'node:cluster'
import fs from 'node:fs'
import { Command } from 'commander'
import { VERSION } from './app.js'
import { createDeps, createModules } from './composition.js'
import { exitOnSignals, serve } from './main.js'
import { importLicensesCommand } from './modules/licenses/index.js'
import { ratingsModuleFacts, refreshSummary } from './modules/supervision/index.js'
import { verifyAuditChain } from './platform/audit/audit.js'
import { type BackupProgress, createBackup, restoreBackup } from './platform/backup/backup.js'
import { type Config, ConfigError, loadConfig, redactUrl } from './platform/config.js'
import { createDatabase, type Db, isDatabaseUnavailable } from './platform/db/database.js'
import { migrateToLatest } from './platform/db/migrate.js'
import { runSeed } from './seed.js'

function config() {
  try {
    return loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(2)
    }
    throw error
  }
}

/** Runs a command's body and turns failure into a clear message and a non-zero exit. */
async function run(body: () => Promise<unknown>): Promise<void> {
  try {
    const code = await body()
    process.exitCode = typeof code === 'number' ? code : 0
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const reach = isDatabaseUnavailable(error) ? '无法连接数据库 / cannot reach the database: ' : ''
    console.error(`[yiwang] 失败 / failed: ${reach}${message}`)
    process.exitCode = 1
  }
}

const program = new Command()
program.name('yiwang').description('潮安区网上办事大厅 / Yiwang government-service platform').version(VERSION)

program
  .command('serve')
  .description('启动服务（迁移数据库，空库时写入演示数据） / start the server')
  .action(async () => {
    const cfg = config()
    try {
      const server = serve(cfg)
      exitOnSignals(server)
      await server
      if (!cluster.isWorker) console.log(`[yiwang] 潮安区网上办事大厅已启动 / serving at ${cfg.baseUrl}`)
    } catch (error) {
      console.error(`[yiwang] 启动失败 / failed to start: ${error instanceof Error ? error.message : String(error)}`)
      process.exit(1)
    }
  })

program
  .command('migrate')
  .description('把数据库结构迁移到最新版本 / migrate the database to the latest schema')
  .action(() =>
    run(async () => {
      const deps = createDeps(config())
      try {
        const result = await migrateToLatest(deps.db)
        const applied = result.results?.filter((r) => r.status === 'Success') ?? []
        for (const r of applied) console.log(`[migrate] ✓ ${r.migrationName}`)
        console.log(
          applied.length
            ? `[migrate] 完成 ${applied.length} 项 / ${applied.length} applied`
            : '[migrate] 已是最新 / up to date',
        )
      } finally {
        await deps.db.destroy()
      }
    }),
  )

program
  .command('seed')
  .description('写入演示数据（可重复执行） / load demo data (idempotent)')
  .action(() =>
    run(async () => {
      const deps = createDeps(config())
      try {
        await migrateToLatest(deps.db)
        await runSeed(createModules(deps), { print: true })
      } finally {
        await deps.db.destroy()
      }
    }),
  )

/** Where the configured database is, for messages (the password hidden). */
function databaseLabel(cfg: Config): string {
  return cfg.database.dialect === 'sqlite' ? `SQLite ${cfg.database.file}` : `PostgreSQL ${redactUrl(cfg.database.url)}`
}

/**
 * Opens the configured database for a command that only reads it. Unlike createDeps, it creates
 * nothing: no SQLite file where there was none (a wrong DATA_DIR should fail, not start afresh),
 * no key file.
 */
async function openExistingDatabase(cfg: Config): Promise<Db> {
  if (cfg.database.dialect === 'sqlite' && cfg.database.file !== ':memory:' && !fs.existsSync(cfg.database.file)) {
    throw new Error(
      `数据库文件不存在（检查 DATA_DIR / DATABASE_URL） / database file not found (check DATA_DIR / DATABASE_URL): ${cfg.database.file}`,
    )
  }
  const db = createDatabase(cfg.database)
  try {
    const tables = await db.introspection.getTables()
    if (!tables.some((t) => t.name === 'audit_log')) {
      throw new Error('数据库尚未初始化，请先运行 migrate / the database has no schema yet: run migrate first')
    }
  } catch (error) {
    await db.destroy()
    throw error
  }
  return db
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

const PHASE_LABELS: Record<BackupProgress['phase'], string> = {
  database: '数据库 / database',
  files: '文件库 / file store',
  archive: '写入归档 / writing archive',
  check: '校验归档 / checking archive',
  'restore-database': '恢复数据库 / restoring database',
  'restore-files': '恢复文件 / restoring files',
  verify: '核对恢复结果 / verifying',
}

/** Prints progress: each new phase at once, then at most once a second. */
function progressPrinter(prefix: string): (p: BackupProgress) => void {
  let phase: string | undefined
  let last = 0
  return (p) => {
    const now = Date.now()
    if (p.phase === phase && now - last < 1000) return
    phase = p.phase
    last = now
    const parts: string[] = []
    if (p.files !== undefined) parts.push(p.totalFiles !== undefined ? `${p.files}/${p.totalFiles}` : `${p.files}`)
    if (p.auditEntries !== undefined) parts.push(`审计 / audit ${p.auditEntries}/${p.totalAuditEntries ?? '?'}`)
    if (p.bytes !== undefined) {
      parts.push(p.totalBytes ? `${formatBytes(p.bytes)} / ${formatBytes(p.totalBytes)}` : formatBytes(p.bytes))
    }
    console.log(`[${prefix}] ${PHASE_LABELS[p.phase]}${parts.length ? `: ${parts.join(', ')}` : ''}`)
  }
}

program
  .command('verify-audit')
  .description('校验审计日志的哈希链，指出第一条被篡改的记录 / verify the audit trail hash chain')
  .option('--anchor <seq:hash>', '与此前记下的链头比对（如 1200:ab12…） / compare with a head recorded earlier')
  .action((options: { anchor?: string }) =>
    run(async () => {
      const cfg = config()
      let anchor: { seq: number; hash: string } | undefined
      if (options.anchor) {
        const match = /^(\d+):([0-9a-f]{64})$/.exec(options.anchor.trim())
        if (!match) throw new Error('--anchor 应为 序号:哈希（64 位十六进制） / --anchor must be <seq>:<64 hex digits>')
        anchor = { seq: Number(match[1]), hash: match[2]! }
      }
      const db = await openExistingDatabase(cfg)
      try {
        console.log(`[verify-audit] 数据库 / database: ${databaseLabel(cfg)}`)
        let last = Date.now()
        const result = await verifyAuditChain(db, {
          anchor,
          pageSize: 2000,
          onProgress: (checked, total) => {
            const now = Date.now()
            if (now - last < 1000) return
            last = now
            console.log(`[verify-audit] 已校验 / checked ${checked} / ${total}`)
          },
        })
        if (result.ok) {
          console.log(
            `[verify-audit] ✓ 审计链完整，共 ${result.count} 条 / audit chain intact: ${result.count} entries`,
          )
          console.log(`[verify-audit] 链头 / head: ${result.head.seq}:${result.head.hash}`)
          return 0
        }
        const broken = result.firstBroken
        console.error('[verify-audit] ✗ 审计链已损坏 / audit chain BROKEN')
        console.error(
          `  第一条问题记录 / first broken entry: seq ${broken.seq}, id ${broken.id ?? '（缺失 / missing）'}`,
        )
        console.error(`  原因 / reason: ${broken.reason}`)
        console.error(`  此前完好的记录 / intact entries before it: ${result.count}`)
        return 1
      } finally {
        await db.destroy()
      }
    }),
  )

program
  .command('backup <file>')
  .description('把数据库和文件库备份到一个归档文件（服务运行时也可执行） / back up the database and file store')
  .action((file: string) =>
    run(async () => {
      const cfg = config()
      const db = await openExistingDatabase(cfg)
      try {
        console.log(`[backup] 数据库 / database: ${databaseLabel(cfg)}`)
        console.log(`[backup] 文件库 / file store: ${cfg.filesDir}`)
        const { file: written, bytes, manifest } = await createBackup(cfg, db, file, progressPrinter('backup'))
        const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0)
        console.log(`[backup] ✓ 完成 / done: ${written} (${formatBytes(bytes)})`)
        console.log(`  表 / tables: ${Object.keys(manifest.tables).length}, 行 / rows: ${rows}`)
        console.log(`  文件 / files: ${manifest.fileCount} (${formatBytes(manifest.fileBytes)})`)
        if (manifest.auditHead) {
          console.log(`  审计链头 / audit head: ${manifest.auditHead.seq}:${manifest.auditHead.hash}`)
        }
        if (cfg.env === 'production') {
          console.log(
            '  注意：DATA_KEYS / DATA_INDEX_KEY 不在备份中，请另行保管 / keep DATA_KEYS and DATA_INDEX_KEY apart from backups',
          )
        }
      } finally {
        await db.destroy()
      }
    }),
  )

program
  .command('restore <file>')
  .description('从备份恢复数据库和文件库（须先停止服务） / restore a backup (stop the server first)')
  .option('--force', '目标已有数据时也覆盖 / overwrite a target that already holds data')
  .action((file: string, options: { force?: boolean }) =>
    run(async () => {
      const cfg = config()
      console.log(`[restore] 目标数据库 / target database: ${databaseLabel(cfg)}`)
      console.log(`[restore] 目标文件库 / target file store: ${cfg.filesDir}`)
      const summary = await restoreBackup(cfg, file, { force: options.force, onProgress: progressPrinter('restore') })
      console.log(
        `[restore] ✓ 恢复完成并已核对 / restored and verified (备份时间 / backup of ${summary.manifest.createdAt})`,
      )
      console.log(`  表 / tables: ${summary.tables}, 行 / rows: ${summary.rows}（行数一致 / counts match）`)
      console.log(`  文件 / files: ${summary.files}（sha256 一致 / hashes match）`)
      console.log(`  审计链 / audit chain: ${summary.auditEntries} 条完整 / entries intact`)
      for (const aside of summary.movedAside) console.log(`  原有内容已移至 / previous content moved to: ${aside}`)
    }),
  )

program
  .command('import-licenses <type> <file>')
  .description(
    '导入存量电子证照（.xlsx 或 .csv，先逐行检查，全部通过才在一个事务中全部导入） / import existing licenses of a type',
  )
  .requiredOption(
    '--staff <login>',
    '以哪位工作人员的名义导入（须有签发电子证照权限） / the staff login the import is recorded under',
  )
  .action((type: string, file: string, options: { staff: string }) =>
    run(async () => {
      const deps = createDeps(config())
      try {
        return await importLicensesCommand(
          deps,
          { typeCode: type, file, staff: options.staff },
          {
            line: (text) => console.log(text),
            progress: (text) => process.stdout.write(process.stdout.isTTY ? `\r${text}` : `${text}\n`),
          },
        )
      } finally {
        await deps.db.destroy()
      }
    }),
  )

program
  .command('rebuild-statistics')
  .description(
    '重建效能监管统计的每日汇总（从办件、评价等原始记录逐日重算） / rebuild the daily summary of the supervision statistics from the records',
  )
  .option('--changed', '只重算上次以来有变化的日期（与后台任务相同） / only the days changed since the last refresh')
  .action((options: { changed?: boolean }) =>
    run(async () => {
      const deps = createDeps(config())
      const started = Date.now()
      try {
        const result = await refreshSummary(deps, {
          ratings: ratingsModuleFacts,
          full: !options.changed,
          onProgress: ({ done, total, day }) => {
            const text = `重算 / rebuilt ${done}/${total} 天 (${day})，${((Date.now() - started) / 1000).toFixed(0)} s`
            process.stdout.write(process.stdout.isTTY ? `\r${text}   ` : `${text}\n`)
          },
        })
        if (process.stdout.isTTY) process.stdout.write('\n')
        if (!result.ran) {
          console.error(
            '[yiwang] 另一进程正在重算汇总，请稍后再试 / another process is refreshing the summary; try again later',
          )
          return 3
        }
        console.log(
          `[yiwang] 汇总已更新至 / summary built through ${result.builtThrough ?? '—'}：${result.days.length} 天 / days，${((Date.now() - started) / 1000).toFixed(1)} s`,
        )
        return 0
      } finally {
        await deps.db.destroy()
      }
    }),
  )

await program.parseAsync(process.argv)
