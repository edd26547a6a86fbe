#!/usr/bin/env node
/**
 * The `yiwang` command: serve, migrate, seed, backup, restore, verify-audit.
 * Run it with `npm run yiwang -- <command>` or `npx yiwang <command>`.
 */
import { Command } from 'commander'
import { VERSION } from './app.js'
import { createDeps, createModules } from './composition.js'
import { exitOnSignals, startServer } from './main.js'
import { ConfigError, loadConfig } from './platform/config.js'
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
    console.error(`[yiwang] 失败 / failed: ${error instanceof Error ? error.message : String(error)}`)
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
      const server = await startServer(cfg)
      exitOnSignals(server.close)
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

await program.parseAsync(process.argv)
