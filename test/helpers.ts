/**
 * Test harness: a migrated, empty database per test file (SQLite in memory by default, a
 * scratch PostgreSQL database when DATABASE_URL is set) and an app to inject() into.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance, FastifyRequest, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { buildApp } from '../src/app.js'
import { createDeps, createModules } from '../src/composition.js'
import type { Principal } from '../src/platform/auth/principal.js'
import { TestClock } from '../src/platform/clock.js'
import { type Config, type DatabaseConfig, loadConfig } from '../src/platform/config.js'
import { createDatabase, createPgPool, type Db } from '../src/platform/db/database.js'
import { migrateToLatest } from '../src/platform/db/migrate.js'
import type { Deps } from '../src/platform/deps.js'
import type { AppModule } from '../src/platform/module.js'

export const onPostgres = /^postgres/.test(process.env.DATABASE_URL ?? '')

export interface TestDatabase {
  db: Db
  config: DatabaseConfig
  drop(): Promise<void>
}

/** A fresh, empty database: SQLite in memory, or a new PostgreSQL database dropped afterwards. */
/** A principal for tests, with the given permissions. */
export function testPrincipal(overrides: Partial<Principal> = {}): Principal {
  return {
    sessionId: 'test-session',
    accountId: 'test-account',
    personId: 'test-person',
    displayName: '测试用户',
    roles: [],
    permissions: new Set(),
    assuranceLevel: 1,
    ...overrides,
  }
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL
  let config: DatabaseConfig
  let dropDatabase = async () => {}
  if (url && /^postgres/.test(url)) {
    const name = `yiwang_t_${process.pid}_${randomBytes(4).toString('hex')}`
    const admin = createPgPool(url, 1)
    await admin.query(`create database ${name}`)
    await admin.end()
    const scratch = new URL(url)
    scratch.pathname = `/${name}`
    config = { dialect: 'postgres', url: scratch.toString(), poolSize: 5 }
    dropDatabase = async () => {
      const again = createPgPool(url, 1)
      try {
        // pool.end() resolves before its connections have said goodbye; `with (force)` would cut
        // them off mid-close and their error escapes as an uncaught exception. Wait for them.
        for (let i = 0; i < 100; i++) {
          const open = await again.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name])
          if (open.rows[0]?.n === 0) break
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        await again.query(`drop database if exists ${name} with (force)`)
      } finally {
        await again.end()
      }
    }
  } else {
    config = { dialect: 'sqlite', file: ':memory:' }
  }
  const db = createDatabase(config)
  if (options.migrate !== false) await migrateToLatest(db)
  let dropped = false
  return {
    db,
    config,
    drop: async () => {
      if (dropped) return
      dropped = true
      await db.destroy()
      await dropDatabase()
    },
  }
}

let scratchDataDir: string | undefined
/** One scratch DATA_DIR per test process (file store, keys), removed when the process exits. */
function testDataDir(): string {
  if (!scratchDataDir) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-test-'))
    scratchDataDir = dir
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  }
  return scratchDataDir
}

export function testConfig(database: DatabaseConfig, env: Record<string, string> = {}): Config {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: testDataDir(),
    ...env,
  })
  return { ...config, database }
}

export interface TestApp {
  app: FastifyInstance
  deps: Deps
  db: Db
  clock: TestClock
  modules: AppModule[]
  close(): Promise<void>
}

export async function buildTestApp(
  options: {
    env?: Record<string, string>
    clock?: TestClock
    deps?: Partial<Deps>
    /**
     * Stands in for login in tests of pages that need a person: the principal returned here
     * is used instead of the identity module's session lookup.
     */
    principal?: (request: FastifyRequest) => Principal | undefined
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase()
  const clock = options.clock ?? new TestClock()
  const deps = createDeps(testConfig(database.config, options.env), { db: database.db, clock, ...options.deps })
  const modules = createModules(deps)
  if (options.principal) {
    const resolve = options.principal
    modules.unshift({ name: 'test-principal', register: () => {}, resolvePrincipal: async (r) => resolve(r) })
  }
  const app = await buildApp(deps, modules)
  return {
    app,
    deps,
    db: database.db,
    clock,
    modules,
    close: async () => {
      await app.close()
      await database.drop()
    },
  }
}

/** Cookies set by a response, as a header value for the next request. */
export function cookiesOf(response: LightMyRequestResponse, previous = ''): string {
  const jar = new Map<string, string>()
  for (const part of previous.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k) jar.set(k, v.join('='))
  }
  for (const c of response.cookies) {
    if (c.maxAge === 0 || c.value === '') jar.delete(c.name)
    else jar.set(c.name, c.value)
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
}

/**
 * Gets a page and returns its CSRF token and cookies, to post a form as a browser would. The
 * default page has a form with a token for anyone (an anonymous page's own 长者模式 switch has none).
 */
export async function formSession(
  app: FastifyInstance,
  path = '/preferences/elder-mode',
  cookie = '',
): Promise<{ token: string; cookie: string }> {
  const page = await app.inject({ method: 'GET', url: path, headers: cookie ? { cookie } : {} })
  const match = /name="_csrf" value="([^"]+)"/.exec(page.body)
  if (!match?.[1]) throw new Error(`no CSRF token on ${path} (status ${page.statusCode})`)
  return { token: match[1], cookie: cookiesOf(page, cookie) }
}

/** Encodes a form body as a browser does. */
export function form(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) {
    for (const value of Array.isArray(v) ? v : [v]) params.append(k, value)
  }
  return params.toString()
}

export { sql }
