/**
 * Starts the server: reads the configuration, migrates, seeds demo data on an empty database,
 * serves, runs the background sweeps, and shuts down gracefully on SIGTERM / SIGINT.
 */
import { buildApp } from './app.js'
import { createDeps, createModules } from './composition.js'
import { type Config, redactUrl } from './platform/config.js'
import { migrateToLatest } from './platform/db/migrate.js'
import { seedReference } from './platform/platform.module.js'
import { SweepRunner } from './platform/sweeps.js'
import { runSeed } from './seed.js'

export async function startServer(config: Config): Promise<{ close: () => Promise<void>; url: string }> {
  const deps = createDeps(config)
  const where = config.database.dialect === 'sqlite' ? config.database.file : redactUrl(config.database.url)
  console.log(`[yiwang] 数据库 / database: ${config.database.dialect} ${where}`)
  await migrateToLatest(deps.db)
  const modules = createModules(deps)
  if (config.seedDemo) {
    await runSeed(modules, { print: true })
  } else {
    await seedReference(deps, (m) => console.log(`[seed] ${m}`))
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
  let signalled = false
  const onSignal = (signal: string) => {
    if (signalled) {
      console.error(`[yiwang] 再次收到 ${signal}，立即退出 / second ${signal}, exiting now`)
      process.exit(1)
    }
    signalled = true
    console.log(`[yiwang] 收到 ${signal}，正在停止 / ${signal} received, shutting down`)
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
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  process.on('SIGINT', () => onSignal('SIGINT'))
}
