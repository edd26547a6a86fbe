/**
 * What a refresh of the statistics summary costs after a busy few minutes: N cases that are still
 * open are changed now, then one refresh runs (`refreshSummary`, as the sweep runs it) while a
 * timer measures how long the event loop was held at a time.
 *
 *   N=60 npx tsx bench/refresh-cost.ts bench/data/district-1m.sqlite
 *
 * CHANGE=correction (the default): N open cases picked at random, not asked for a correction
 * before, are asked for one now (an event, and their `updated_at` moved, as the service does):
 * the `corrected` figure of each one's day of submission changes, so the refresh has rows to
 * write. CHANGE=touch: the N newest open cases only marked changed (`updated_at` moved); their
 * days are rebuilt to the same rows (finding 25's runs). BREAKDOWN=1 also prints the time on the
 * event loop by kind of statement.
 *
 * Meanwhile a small write transaction is tried every 20 ms (one at a time; it changes no row),
 * as a submission would be: how long it waited is what people submitting would wait.
 *
 * It changes the district as such work would (CHANGE=correction adds N correction requests a run;
 * CHANGE=touch changes no figure). Prints the days rebuilt, the time, the longest
 * block of the event loop, the longest wait of a write and the longest statement
 * (docs/performance.md, findings 25 and 26).
 */
import { CamelCasePlugin, Kysely, type LogEvent, PostgresDialect, sql } from 'kysely'
import { createDeps } from '../src/composition.js'
import { ratingsModuleFacts, refreshSummary } from '../src/modules/supervision/index.js'
import { loadConfig } from '../src/platform/config.js'
import { createPgPool, type Db, sqliteDatabase, transaction } from '../src/platform/db/database.js'
import { BENCH_ENV, dataDirOf, parseTarget } from './common.js'

async function main() {
  const target = parseTarget(process.argv[2], 'district-10k')
  const n = Number(process.env.N ?? 60)
  Object.assign(process.env, BENCH_ENV, {
    DATABASE_URL: target.kind === 'postgres' ? target.url : `sqlite:${target.file}`,
    DATA_DIR: dataDirOf(target),
    RUN_SWEEPS: 'false',
    LOG_LEVEL: 'silent',
  })
  let longest = { ms: 0, sql: '' }
  let longestOff = 0
  // Time on the event loop by the statement's first words (BREAKDOWN=1 prints the largest).
  const byKind = new Map<string, { ms: number; n: number }>()
  const log = (e: LogEvent) => {
    const kind = e.query.sql.replace(/\s+/g, ' ').match(/^(\w+ (?:into |from )?"?\w+"?)/)?.[1]
    if (kind) {
      const k = byKind.get(kind) ?? { ms: 0, n: 0 }
      k.ms += e.queryDurationMillis
      k.n++
      byKind.set(kind, k)
    }
    if (e.queryDurationMillis > longest.ms) {
      longest = { ms: e.queryDurationMillis, sql: e.query.sql.replace(/\s+/g, ' ').slice(0, 100) }
    }
  }
  const offThreadLog = (e: LogEvent) => {
    longestOff = Math.max(longestOff, e.queryDurationMillis)
  }
  // As the server opens it (long reads of the refresh on a worker thread, on SQLite).
  const db =
    target.kind === 'postgres'
      ? (new Kysely({
          dialect: new PostgresDialect({ pool: createPgPool(target.url, 4) }),
          plugins: [new CamelCasePlugin()],
          log,
        }) as unknown as Db)
      : sqliteDatabase(target.file, { log, offThreadLog })
  const deps = createDeps(loadConfig(), { db })
  const now = deps.clock.now()
  // Changes from now on only: what the last refresh saw is not looked at again.
  await db
    .updateTable('supervisionSummaryState')
    .set({ changesSince: new Date(now.getTime() - 60_000).toISOString() })
    .execute()
  const at = now.toISOString()
  if (process.env.CHANGE === 'touch') {
    await sql`update applications set updated_at = ${at} where id in (
      select id from applications where state in ('submitted', 'accepted', 'in_process') order by id desc limit ${n})`.execute(
      db,
    )
  } else {
    const picked = await sql<{ id: string; state: string }>`select a.id, a.state from applications a
      where a.state in ('submitted', 'accepted', 'in_process') and not exists (select 1 from application_events e
        where e.application_id = a.id and e.event = 'request_correction')
      order by random() limit ${n}`.execute(db)
    await transaction(db, async (trx) => {
      for (const a of picked.rows) {
        await sql`insert into application_events (id, application_id, seq, event, from_state, to_state, actor_type, at)
          values (${`bench-correction-${a.id}`}, ${a.id},
            (select coalesce(max(seq), 0) + 1 from application_events where application_id = ${a.id}),
            'request_correction', ${a.state}, ${a.state}, 'staff', ${at})`.execute(trx)
        await sql`update applications set updated_at = ${at} where id = ${a.id}`.execute(trx)
      }
    })
  }
  longest = { ms: 0, sql: '' }
  longestOff = 0
  byKind.clear()
  let blocked = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const t = performance.now()
    blocked = Math.max(blocked, t - last - 10)
    last = t
  }, 10)
  // The writer probe: a transaction that changes nothing, as often as one is done.
  let writeWait = 0
  let writes = 0
  let probing = true
  const probe = (async () => {
    while (probing) {
      const t = performance.now()
      await transaction(db, (trx) =>
        trx.updateTable('supervisionSummaryState').set({ daysRebuilt: 0 }).where('id', '=', 'no-such-row').execute(),
      )
      writeWait = Math.max(writeWait, performance.now() - t)
      writes++
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  const generation = async () =>
    (await db.selectFrom('supervisionSummaryState').select('generation').executeTakeFirst())?.generation ?? 0
  const generationBefore = await generation()
  const started = performance.now()
  const result = await refreshSummary(deps, { ratings: ratingsModuleFacts })
  probing = false
  await probe
  clearInterval(timer)
  const seconds = (performance.now() - started) / 1000
  console.log(
    `${n} open cases ${process.env.CHANGE === 'touch' ? 'marked changed' : 'asked for a correction'} → ${result.days.length} days rebuilt in ${seconds.toFixed(1)} s; ` +
      `the event loop held for at most ${blocked.toFixed(0)} ms at a time; ` +
      `a write waited at most ${writeWait.toFixed(0)} ms (${writes} tried); ` +
      // (PostgreSQL's statements wait off the loop: there it is just the longest statement.)
      `longest statement${target.kind === 'postgres' ? '' : ' on the event loop'} ${longest.ms.toFixed(0)} ms (${longest.sql} …)` +
      (longestOff > 0 ? `; longest read off it ${longestOff.toFixed(0)} ms` : '') +
      // Each transaction that wrote to the summary moved its generation (and dropped the statistics kept).
      `; the summary written by ${(await generation()) - generationBefore} transactions`,
  )
  if (process.env.BREAKDOWN) {
    const top = [...byKind].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)
    for (const [kind, k] of top)
      console.log(`  ${k.ms.toFixed(0).padStart(7)} ms  ${String(k.n).padStart(5)}×  ${kind}`)
  }
  await db.destroy()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
