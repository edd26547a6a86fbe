/**
 * Starts the server: reads the configuration, migrates, seeds demo data on an empty database,
 * serves, runs the background sweeps, and shuts down gracefully on SIGTERM / SIGINT. With
 * `WORKERS` > 1, several processes serve the port (platform/cluster.ts).
 */
import cluster from 'node:cluster'
import { buildApp } from './app.js'
import { createDeps, createModules } from './composition.js'
import { ipcWriteGate, isStopMessage, runPrimary } from './platform/cluster.js'
import { type Config, redactUrl } from './platform/config.js'
import { createDatabase } from './platform/db/database.js'
import { migrateToLatest } from './platform/db/migrate.js'
import { seedReference } from './platform/platform.module.js'
import { SweepRunner } from './platform/sweeps.js'
import { runSeed } from './seed.js'

type Server = { close: () => Promise<void>; url: string }

/**
 * `yiwang serve`: one process, or (WORKERS > 1) a primary that prepares the database once and
 * forks the workers, and each worker.
 */
export async function serve(config: Config): Promise<Server> {
  if (config.workers <= 1) return startServer(config)
  if (cluster.isWorker) return startServer(config, { worker: true })
  const deps = createDeps(config)
  logDatabase(config)
  await prepareDatabase(config, deps)
  await deps.db.destroy()
  console.log(`[yiwang] 启动 ${config.workers} 个工作进程 / starting ${config.workers} workers`)
  const workers = await runPrimary({
    workers: config.workers,
    // Every worker signs cookies and forms with the same secret (one made up here if none is set).
    env: { SESSION_SECRET: config.sessionSecret },
    log: (message) => console.error(message),
  })
  return { close: workers.close, url: config.baseUrl }
}

function logDatabase(config: Config): void {
  const where = config.database.dialect === 'sqlite' ? config.database.file : redactUrl(config.database.url)
  console.log(`[yiwang] 数据库 / database: ${config.database.dialect} ${where}`)
}

/** Migrates, then seeds the demo data on an empty database (or only the reference data). */
async function prepareDatabase(config: Config, deps: ReturnType<typeof createDeps>) {
  await migrateToLatest(deps.db)
  const modules = createModules(deps)
  if (config.seedDemo) {
    await runSeed(modules, { print: true })
  } else {
    await seedReference(deps, (m) => console.log(`[seed] ${m}`))
  }
  return modules
}

/**
 * One server process. A cluster's worker (`worker`) finds the database prepared by the primary
 * and writes to SQLite through the primary's write gate.
 */
export async function startServer(config: Config, options: { worker?: boolean } = {}): Promise<Server> {
  const gate = options.worker && config.database.dialect === 'sqlite' ? ipcWriteGate() : undefined
  const deps = createDeps(config, gate ? { db: createDatabase(config.database, { gate }) } : {})
  let modules: ReturnType<typeof createModules>
  if (options.worker) {
    modules = createModules(deps)
  } else {
    logDatabase(config)
    modules = await prepareDatabase(config, deps)
  }
  const app = await buildApp(deps, modules)
  const sweeps = new SweepRunner(
    modules.flatMap((m) => m.sweeps ?? []),
    app.log,
  )
  await app.listen({ port: config.port, host: config.host })
  if (config.runSweeps) sweeps.start()

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      await sweeps.stop()
      await app.close()
      await deps.db.destroy()
    })()
    return closing
  }
  return { close, url: config.baseUrl }
}

/**
 * SIGTERM / SIGINT: stop taking requests, finish those in flight, close the database, exit.
 * Installed before start-up, so a signal during start-up stops the server as soon as it is up.
 */
export function exitOnSignals(ready: Promise<{ close: () => Promise<void> }>): void {
  const close = async () => (await ready).close()
  let stopping = false
  const stop = (why: string, again: 'exit now' | 'ignore') => {
    if (stopping) {
      if (again === 'ignore') return
      console.error(`[yiwang] 再次收到 ${why}，立即退出 / second ${why}, exiting now`)
      process.exit(1)
    }
    stopping = true
    console.log(`[yiwang] 收到 ${why}，正在停止 / ${why} received, shutting down`)
    const force = setTimeout(() => {
      console.error('[yiwang] 停止超时，强制退出 / shutdown timed out, exiting')
      process.exit(1)
    }, 15_000)
    force.unref()
    close().then(
      () => process.exit(0),
      (err) => {
        console.error(err)
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM', 'exit now'))
  process.on('SIGINT', () => stop('SIGINT', 'exit now'))
  if (cluster.isWorker) {
    // The primary asks (or has gone: nobody would restart this worker or keep the write gate).
    process.on('message', (message) => {
      if (isStopMessage(message)) stop('停止请求 / stop request', 'ignore')
    })
    process.on('disconnect', () => stop('主进程断开 / primary gone', 'ignore'))
  }
}
