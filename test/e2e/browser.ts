/**
 * Shared set-up for browser journeys: the real app on a local port (SQLite file or the
 * PostgreSQL of DATABASE_URL), seeded with the demo data, and Debian's chromium.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { type Browser, chromium, type Page } from 'playwright-core'
import { buildApp } from '../../src/app.js'
import { createDeps, createModules } from '../../src/composition.js'
import { migrateToLatest } from '../../src/platform/db/migrate.js'
import { runSeed } from '../../src/seed.js'
import { createTestDatabase, testConfig } from '../helpers.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const SCREENSHOTS = path.resolve('test-results/screenshots')

export interface Site {
  app: FastifyInstance
  baseUrl: string
  browser: Browser
  close(): Promise<void>
}

export async function startSite(): Promise<Site> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-e2e-'))
  const database = process.env.DATABASE_URL ? await createTestDatabase() : undefined
  const dbConfig = database?.config ?? { dialect: 'sqlite' as const, file: path.join(dataDir, 'e2e.sqlite') }
  const config = { ...testConfig(dbConfig, { DATA_DIR: dataDir }), port: 0 }
  const deps = createDeps(config, database ? { db: database.db } : {})
  if (!database) await migrateToLatest(deps.db)
  const modules = createModules(deps)
  await runSeed(modules, { print: false })
  const app = await buildApp(deps, modules)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  fs.mkdirSync(SCREENSHOTS, { recursive: true })
  return {
    app,
    baseUrl: address,
    browser,
    close: async () => {
      await browser.close()
      await app.close()
      if (database) await database.drop()
      else await deps.db.destroy()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Collects console errors and failed requests of a page, so a journey can assert there were none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`)
  })
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
  page.on('requestfailed', (req) => problems.push(`requestfailed: ${req.url()} ${req.failure()?.errorText}`))
  return problems
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
}
