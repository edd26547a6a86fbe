/**
 * Benchmark of the supervision statistics (issue 7): a year of a district with 1,000,000
 * applications (seeded, the generator of test/supervision-data.ts), then the statistics of the
 * year timed per dimension, on SQLite or PostgreSQL. Target: under one second per query.
 *
 *   npm run bench:stats -- [--count 1000000] [--db sqlite:bench/data/stats.sqlite | postgres://…]
 *                          [--reuse] [--runs 3] [--seed 20260627] [--rebuild] [--records]
 *
 * After generating, the daily summary is built as the refresh sweep would (timed; with --reuse
 * only when missing or with --rebuild); the statistics then read it for the year. --records
 * counts everything from the records instead (the path before the summary).
 *
 * Without --db: DATABASE_URL, else bench/data/stats.sqlite. A PostgreSQL URL names a server: the
 * bench creates its own scratch database there (yiwang_bench_stats) and leaves it for --reuse.
 * Self-contained on purpose (bench/ is shared with other benchmarks).
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { createDeps, createModules } from '../src/composition.js'
import type { SupervisionDimension } from '../src/modules/applications/index.js'
import { ratingsModuleFacts } from '../src/modules/supervision/supervision.ratings.js'
import { computeStatistics, topCorrectedMaterials, weeklyTrend } from '../src/modules/supervision/supervision.stats.js'
import { refreshSummary, summaryState } from '../src/modules/supervision/supervision.summary.js'
import { TestClock } from '../src/platform/clock.js'
import { type DatabaseConfig, loadConfig } from '../src/platform/config.js'
import { createDatabase, createPgPool } from '../src/platform/db/database.js'
import { migrateToLatest } from '../src/platform/db/migrate.js'
import { runSeed } from '../src/seed.js'
import { generateBatch, insertBatch, loadWorld, prng } from '../test/supervision-data.js'

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const flag = (name: string) => process.argv.includes(`--${name}`)

const COUNT = Number(arg('count') ?? 1_000_000)
const RUNS = Number(arg('runs') ?? 3)
const SEED = Number(arg('seed') ?? 20260627)
const REUSE = flag('reuse')
/** Count everything from the records, as before the daily summary (minutes a query at 1M on SQLite). */
const RECORDS = flag('records')
let summaryBuild: number | undefined
const BATCH = 10_000
const FROM = '2025-01-01'
const TO = '2025-12-31'
const TODAY = '2026-01-15'

async function target(): Promise<{ database: DatabaseConfig; label: string }> {
  const raw = arg('db') ?? process.env.DATABASE_URL ?? `sqlite:${path.join(BENCH_DIR, 'data', 'stats.sqlite')}`
  if (/^postgres(ql)?:\/\//.test(raw)) {
    const name = 'yiwang_bench_stats'
    const admin = createPgPool(raw, 1)
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name])
    if (exists.rowCount && !REUSE) await admin.query(`drop database ${name} with (force)`)
    if (!exists.rowCount || !REUSE) await admin.query(`create database ${name}`)
    await admin.end()
    const url = new URL(raw)
    url.pathname = `/${name}`
    return { database: { dialect: 'postgres', url: url.toString(), poolSize: 4 }, label: `PostgreSQL ${name}` }
  }
  const file = path.resolve(raw.replace(/^sqlite:(\/\/)?/, ''))
  if (!REUSE) for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true })
  return { database: { dialect: 'sqlite', file }, label: `SQLite ${path.relative(process.cwd(), file)}` }
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6

async function main() {
  const { database, label } = await target()
  const config = {
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: path.join(BENCH_DIR, 'data', 'stats-files') }),
    database,
  }
  const db = createDatabase(database)
  const clock = new TestClock()
  clock.set(`${TODAY}T04:00:00.000Z`)
  const deps = createDeps(config, { db, clock })
  console.log(`[bench:stats] ${label}, ${COUNT.toLocaleString()} applications in ${FROM} … ${TO}`)
  await migrateToLatest(db)
  const have = Number(
    (
      await db
        .selectFrom('applications')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )
  if (have < COUNT) {
    if (have > 0) throw new Error(`the database holds ${have} applications; run without --reuse to start afresh`)
    await runSeed(createModules(deps), { print: false })
    const cal = await deps.calendar.load()
    const world = await loadWorld(db, cal)
    const rand = prng(SEED)
    const t0 = process.hrtime.bigint()
    let written = 0
    for (let serial = 0; written < COUNT; serial++) {
      const batch = generateBatch(world, {
        rand,
        count: Math.min(BATCH, COUNT - written),
        from: FROM,
        to: TO,
        today: TODAY,
        serial,
      })
      await insertBatch(db, batch, 500)
      written += Math.min(BATCH, COUNT - written)
      if (serial % 5 === 4 || written >= COUNT) {
        const secs = ms(t0) / 1000
        process.stdout.write(
          `\r[bench:stats] generated ${written.toLocaleString()} / ${COUNT.toLocaleString()} (${Math.round(written / secs).toLocaleString()}/s)   `,
        )
      }
    }
    process.stdout.write('\n')
    console.log(`[bench:stats] generation took ${(ms(t0) / 1000).toFixed(0)} s; analysing`)
    await sql`analyze`.execute(db)
  } else {
    console.log(`[bench:stats] reusing ${have.toLocaleString()} applications`)
  }

  // Ratings of the completed cases (about one per case, as with the 7-day default), written in
  // one statement: levels from the id's last hex digit (0–7 非常满意, 8–b 满意, c–d 基本满意,
  // e 不满意, f 非常不满意), rated a day after completion.
  const rated = Number(
    (
      await db
        .selectFrom('ratings')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )
  if (rated === 0) {
    const t0 = process.hrtime.bigint()
    const pg = database.dialect === 'postgres'
    const idText = pg ? sql`cast(a.id as text)` : sql`a.id`
    const last = pg ? sql`right(cast(a.id as text), 1)` : sql`substr(a.id, 36, 1)`
    const newId = pg
      ? sql`cast(overlay(${idText} placing '0195' from 1 for 4) as uuid)`
      : sql`'0195' || substr(a.id, 5)`
    const ratedAt = pg
      ? sql`coalesce(a.completed_at, a.decided_at) + interval '1 day'`
      : sql`strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(a.completed_at, a.decided_at), '+1 day')`
    await sql`
      insert into ratings (id, application_id, department_id, item_id, channel, level, indicators, reasons,
        is_default, rated_at)
      select ${newId}, a.id, a.department_id, a.item_id, 'online',
        case when ${last} in ('0','1','2','3','4','5','6','7') then 5 when ${last} in ('8','9','a','b') then 4
          when ${last} in ('c','d') then 3 when ${last} = 'e' then 2 else 1 end,
        ${pg ? sql`'{}'::jsonb` : sql`'{}'`},
        ${pg ? sql`case when ${last} in ('e','f') then '["materials_beyond_guide"]'::jsonb else '[]'::jsonb end` : sql`case when ${last} in ('e','f') then '["materials_beyond_guide"]' else '[]' end`},
        case when ${last} in ('3','7','b') then 1 else 0 end, ${ratedAt}
      from applications a where a.state = 'completed'`.execute(db)
    await sql`analyze`.execute(db)
    const n = Number(
      (
        await db
          .selectFrom('ratings')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
    console.log(`[bench:stats] wrote ${n.toLocaleString()} ratings in ${(ms(t0) / 1000).toFixed(0)} s`)
  }

  // The daily summary (supervision.summary.ts), as the sweep keeps it: built through yesterday.
  const summary = await summaryState(db)
  if (!REUSE || !summary?.builtThrough || flag('rebuild')) {
    const t0 = process.hrtime.bigint()
    const built = await refreshSummary(deps, {
      ratings: ratingsModuleFacts,
      full: true,
      onProgress: ({ done, total }) => {
        if (done % 10 === 0 || done === total) {
          process.stdout.write(`\r[bench:stats] building the daily summary: ${done} / ${total} days   `)
        }
      },
    })
    process.stdout.write('\n')
    summaryBuild = ms(t0)
    console.log(
      `[bench:stats] daily summary of ${built.days.length} days built in ${(summaryBuild / 1000).toFixed(1)} s (${(summaryBuild / Math.max(1, built.days.length)).toFixed(0)} ms a day)`,
    )
  }
  const source = RECORDS ? ('records' as const) : undefined
  const year = { from: FROM, to: TO }
  const cases: { name: string; run: () => Promise<unknown> }[] = [
    ...(['all', 'department', 'item', 'servicePoint', 'channel'] as SupervisionDimension[]).map((by) => ({
      name: `statistics of the year by ${by}`,
      run: () => computeStatistics(deps, { ...year, by }, { ratings: ratingsModuleFacts, source }),
    })),
    {
      // The year and the days since, up to today: today is counted from the records.
      name: 'statistics up to today by department',
      run: () =>
        computeStatistics(deps, { from: FROM, to: TODAY, by: 'department' }, { ratings: ratingsModuleFacts, source }),
    },
    {
      name: 'statistics of a quarter by item, one department',
      run: async () => {
        // The department with the most applications.
        const d = await db
          .selectFrom('applications')
          .select(['departmentId as id', (eb) => eb.fn.countAll().as('n')])
          .groupBy('departmentId')
          .orderBy('n', 'desc')
          .executeTakeFirstOrThrow()
        return computeStatistics(
          deps,
          { from: '2025-04-01', to: '2025-06-30', departmentId: d.id, by: 'item' },
          { ratings: ratingsModuleFacts, source },
        )
      },
    },
    { name: 'weekly trend of the year', run: () => weeklyTrend(deps, year, { source }) },
    { name: 'most corrected materials of the year', run: () => topCorrectedMaterials(deps, year, 10, { source }) },
  ]
  const results: { name: string; best: number; median: number }[] = []
  for (const c of cases) {
    const times: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const t0 = process.hrtime.bigint()
      await c.run()
      times.push(ms(t0))
    }
    times.sort((a, b) => a - b)
    const r = { name: c.name, best: times[0]!, median: times[Math.floor(times.length / 2)]! }
    results.push(r)
    console.log(
      `[bench:stats] ${r.name.padEnd(52)} best ${r.best.toFixed(0).padStart(6)} ms, median ${r.median.toFixed(0).padStart(6)} ms${r.median < 1000 ? '' : '  ✗ over 1 s'}`,
    )
  }
  const check = await computeStatistics(deps, { ...year, by: 'all' })
  console.log(
    `[bench:stats] year: received ${check.total.received.toLocaleString()}, completed ${check.total.completed.toLocaleString()}, online rate ${((check.total.onlineRate ?? 0) * 100).toFixed(1)}%`,
  )
  await db.destroy()
  const worst = Math.max(...results.map((r) => r.median))
  console.log(
    `[bench:stats] slowest median ${worst.toFixed(0)} ms — ${worst < 1000 ? 'within' : 'OVER'} the 1 s target`,
  )
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
