/**
 * Which SQL a page spends its time in: renders pages in-process (app.inject) over a database
 * whose every query is timed, and prints the costliest statements per request.
 *
 *   WHO=window01 N=20 npx tsx bench/query-profile.ts bench/data/district-100k.sqlite "/workbench?view=pre_review" "/search?q=社保"
 *
 * WHO: the login name of the staff member (or none: anonymous) whose session the requests carry.
 */
import { createHash, randomBytes } from 'node:crypto'
import SQLite from 'better-sqlite3'
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import { buildApp } from '../src/app.js'
import { createDeps, createModules } from '../src/composition.js'
import { loadConfig } from '../src/platform/config.js'
import { createPgPool, type Db } from '../src/platform/db/database.js'
import { BENCH_ENV, dataDirOf, parseTarget } from './common.js'

async function main() {
  const [where, ...urls] = process.argv.slice(2)
  const target = parseTarget(where, 'district-10k')
  Object.assign(process.env, BENCH_ENV, {
    DATABASE_URL: target.kind === 'postgres' ? target.url : `sqlite:${target.file}`,
    DATA_DIR: dataDirOf(target),
    RUN_SWEEPS: 'false',
    LOG_LEVEL: 'silent',
  })
  const stats = new Map<string, { n: number; ms: number }>()
  const dialect =
    target.kind === 'postgres'
      ? new PostgresDialect({ pool: createPgPool(target.url, 4) })
      : new SqliteDialect({ database: new SQLite(target.file) })
  const db = new Kysely({
    dialect,
    plugins: [new CamelCasePlugin()],
    log: (e) => {
      const key = e.query.sql.replace(/\s+/g, ' ').slice(0, 240)
      const s = stats.get(key) ?? { n: 0, ms: 0 }
      s.n++
      s.ms += e.queryDurationMillis
      stats.set(key, s)
    },
  }) as unknown as Db
  const deps = createDeps(loadConfig(), { db })
  const app = await buildApp(deps, createModules(deps))
  const token = randomBytes(32).toString('base64url')
  const who = process.env.WHO
  const account = who
    ? await db.selectFrom('accounts').select(['id', 'kind']).where('loginName', '=', who).executeTakeFirst()
    : undefined
  if (account) {
    const now = new Date().toISOString()
    const later = new Date(Date.now() + 3600_000).toISOString()
    await db
      .insertInto('sessions')
      .values({
        id: createHash('sha256').update(token).digest('hex'),
        accountId: account.id,
        kind: account.kind,
        actingEnterpriseId: null,
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: later,
        absoluteExpiresAt: later,
        secondFactorAt: now,
        ip: null,
        userAgent: 'query-profile',
        endedAt: null,
        endReason: null,
      })
      .execute()
  }
  const n = Number(process.env.N ?? 20)
  for (const url of urls) {
    await app.inject({ method: 'GET', url, headers: { cookie: `yw_session=${token}` } })
    stats.clear()
    let status = 0
    const started = performance.now()
    for (let i = 0; i < n; i++) {
      status = (await app.inject({ method: 'GET', url, headers: { cookie: `yw_session=${token}` } })).statusCode
    }
    const perRequest = (performance.now() - started) / n
    const sqlMs = [...stats.values()].reduce((a, s) => a + s.ms, 0) / n
    console.log(`\n== ${url} → ${status}: ${perRequest.toFixed(1)} ms a request, of which SQL ${sqlMs.toFixed(1)} ms`)
    for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)) {
      console.log(`${(s.ms / n).toFixed(2).padStart(8)} ms  ×${(s.n / n).toFixed(1).padEnd(4)} ${k}`)
    }
  }
  await app.close()
  await db.destroy()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
