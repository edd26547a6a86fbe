/**
 * The scale curve: the same pages on districts of different sizes, rendered in-process (no HTTP,
 * one request at a time), so the time that grows with the data shows apart from load:
 *
 *   npx tsx bench/curve.ts --db bench/data/district-10k.sqlite --db bench/data/district-100k.sqlite …
 *
 * Per district: the workbench inbox (pre-review and tasks), "my applications" of the person with
 * the most applications, the search, and the statistics of a year (supervision).
 */
import { createHash, randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { buildApp } from '../src/app.js'
import { createDeps, createModules } from '../src/composition.js'
import { addCalendarDays, todayInShanghai } from '../src/platform/calendar/index.js'
import { loadConfig } from '../src/platform/config.js'
import { migrateToLatest } from '../src/platform/db/migrate.js'
import { BENCH_DIR, BENCH_ENV, databaseUrlOf, dataDirOf, label, parseTarget, type Target, writeJson } from './common.js'

export interface CurvePoint {
  target: string
  database: 'sqlite' | 'postgres'
  applications: number
  items: number
  /** Wall time (median, p95, max) and the process's CPU time a request (mean): on a shared machine the CPU time is the steadier figure. */
  timings: {
    name: string
    url: string
    status: number
    runs: number
    medianMs: number
    p95Ms: number
    maxMs: number
    cpuMs: number
  }[]
}

export async function measureCurve(
  target: Target,
  options: { runs?: number; skip?: string[]; log?: (l: string) => void } = {},
): Promise<CurvePoint> {
  const runs = options.runs ?? 15
  const log = options.log ?? ((l: string) => console.log(l))
  Object.assign(process.env, BENCH_ENV, {
    DATABASE_URL: databaseUrlOf(target),
    DATA_DIR: dataDirOf(target),
    RUN_SWEEPS: 'false',
    LOG_LEVEL: 'silent',
    // The curve measures the queries and the rendering; the page cache for anonymous visitors
    // (which would answer every search after the first from memory) is measured by the load.
    PAGE_CACHE_MB: '0',
  })
  const deps = createDeps(loadConfig())
  // A district made before the latest migrations is brought up to date first, as `serve` does.
  await migrateToLatest(deps.db)
  const app = await buildApp(deps, createModules(deps))
  try {
    const db = deps.db
    const now = new Date().toISOString()
    const later = new Date(Date.now() + 3600_000).toISOString()
    const session = async (accountId: string | undefined, kind: 'person' | 'staff') => {
      if (!accountId) return ''
      const token = randomBytes(32).toString('base64url')
      await db
        .insertInto('sessions')
        .values({
          id: createHash('sha256').update(token).digest('hex'),
          accountId,
          kind,
          actingEnterpriseId: null,
          createdAt: now,
          lastSeenAt: now,
          idleExpiresAt: later,
          absoluteExpiresAt: later,
          secondFactorAt: kind === 'staff' ? now : null,
          ip: null,
          userAgent: 'yiwang-bench-curve',
          endedAt: null,
          endReason: null,
        })
        .execute()
      return `yw_session=${token}`
    }
    const staff = async (login: string) =>
      session(
        (await db.selectFrom('accounts').select('id').where('loginName', '=', login).executeTakeFirst())?.id,
        'staff',
      )
    // The person with the most applications of their own (the longest "my applications").
    const busiest = await db
      .selectFrom('applications')
      .innerJoin('accounts', 'accounts.personId', 'applications.applicantPersonId')
      .select(['accounts.id', (eb) => eb.fn.countAll().as('n')])
      .where('applications.applicantEnterpriseId', 'is', null)
      .groupBy('accounts.id')
      .orderBy('n', 'desc')
      .limit(1)
      .executeTakeFirst()
    const today = todayInShanghai(new Date())
    const cookies = {
      clerk: await staff('window01'),
      reviewer: await staff('review01'),
      supervisor: await staff('supervise01'),
      person: await session(busiest?.id, 'person'),
    }
    const count = async (table: 'applications' | 'items') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const point: CurvePoint = {
      target: label(target),
      database: target.kind,
      applications: await count('applications'),
      items: await count('items'),
      timings: [],
    }
    const pages = [
      { name: 'inbox pre-review', url: '/workbench?view=pre_review', cookie: cookies.clerk },
      { name: 'inbox tasks', url: '/workbench?view=tasks', cookie: cookies.reviewer },
      { name: 'my applications', url: '/my/applications', cookie: cookies.person },
      { name: 'search', url: `/search?q=${encodeURIComponent('营业执照')}`, cookie: '' },
      { name: 'search (2 words)', url: `/search?q=${encodeURIComponent('食品 许可')}`, cookie: '' },
      {
        name: 'statistics (a year)',
        url: `/supervision/statistics?from=${addCalendarDays(today, -364)}&to=${today}&by=department`,
        cookie: cookies.supervisor,
        runs: 2,
      },
      // Cold: nothing kept from the summary (its generation moved on before each request), what
      // the first request after a refresh of the summary costs; the rows above are kept reads.
      {
        name: 'statistics (a year, cold)',
        url: `/supervision/statistics?from=${addCalendarDays(today, -364)}&to=${today}&by=department`,
        cookie: cookies.supervisor,
        runs: 2,
        cold: true,
      },
      {
        name: 'statistics by item (a year, cold)',
        url: `/supervision/statistics?from=${addCalendarDays(today, -364)}&to=${today}&by=item`,
        cookie: cookies.supervisor,
        runs: 2,
        cold: true,
      },
    ]
    const forget = () => sql`update supervision_summary_state set generation = generation + 1`.execute(db)
    // BENCH_CURVE_SKIP=statistics leaves pages out (a year of statistics at 1M takes minutes on SQLite).
    const skip = new Set([...(options.skip ?? []), ...(process.env.BENCH_CURVE_SKIP ?? '').split(',').filter(Boolean)])
    for (const page of pages) {
      if ([...skip].some((s) => page.name.startsWith(s))) {
        log(`[curve] ${page.name}: skipped (BENCH_CURVE_SKIP)`)
        continue
      }
      const headers = page.cookie ? { cookie: page.cookie } : {}
      const first = await app.inject({ method: 'GET', url: page.url, headers })
      if (first.statusCode === 404) {
        log(`[curve] ${page.name}: 404, skipped (not served)`)
        continue
      }
      const times: number[] = []
      let status = first.statusCode
      const cpu0 = process.cpuUsage()
      for (let i = 0; i < (page.runs ?? runs); i++) {
        if (page.cold) await forget()
        const t0 = performance.now()
        status = (await app.inject({ method: 'GET', url: page.url, headers })).statusCode
        times.push(performance.now() - t0)
      }
      const cpu = process.cpuUsage(cpu0)
      const cpuMs = Math.round(((cpu.user + cpu.system) / 1000 / times.length) * 10) / 10
      times.sort((a, b) => a - b)
      const at = (p: number) =>
        Math.round(times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]! * 10) / 10
      const timing = {
        name: page.name,
        url: page.url,
        status,
        runs: times.length,
        medianMs: at(0.5),
        p95Ms: at(0.95),
        maxMs: at(1),
        cpuMs,
      }
      point.timings.push(timing)
      log(
        `[curve] ${point.applications} applications, ${page.name.padEnd(20)} median ${timing.medianMs} ms  p95 ${timing.p95Ms} ms  CPU ${cpuMs} ms  (${status})`,
      )
    }
    return point
  } finally {
    await app.close()
    await deps.db.destroy()
  }
}

if (process.argv[1]?.endsWith('bench/curve.ts')) {
  const argv = process.argv.slice(2)
  const targets: Target[] = []
  for (let i = 0; i < argv.length; i++) if (argv[i] === '--db' && argv[i + 1]) targets.push(parseTarget(argv[++i], ''))
  ;(async () => {
    const points: CurvePoint[] = []
    for (const t of targets) points.push(await measureCurve(t))
    writeJson(`${BENCH_DIR}/results/curve.json`, points)
  })().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
