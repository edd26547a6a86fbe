/**
 * Which SQL a page spends its time in: renders pages in-process (app.inject) over a database
 * whose every query is timed, and prints the costliest statements per request.
 *
 *   WHO=window01 N=20 npx tsx bench/query-profile.ts bench/data/district-100k.sqlite "/workbench?view=pre_review" "/search?q=社保"
 *
 * WHO: the login name of the staff member (or none: anonymous) whose session the requests carry.
 *
 *   SUBMIT=1 N=50 npx tsx bench/query-profile.ts bench/data/district-10k.sqlite
 *
 * COLD=1: nothing kept from the statistics summary between requests (see `cachedRows` in
 * supervision.summary.ts): each request costs what the first one after a refresh does.
 *
 * SUBMIT=1: a person's whole submission instead (the three requests of the load scenario:
 * multipart upload, check page, submit), N times, each step timed with its SQL; with API=1 the
 * one-request channel (POST /api/applications/submissions/:itemId) instead.
 */
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely'
import { buildApp } from '../src/app.js'
import { createDeps, createModules } from '../src/composition.js'
import { formFor } from '../src/modules/applications/applications.forms.registry.js'
import { getVersion, type ItemElements } from '../src/modules/catalog/index.js'
import { loadConfig } from '../src/platform/config.js'
import { createPgPool, createSqliteDialect, type Db } from '../src/platform/db/database.js'
import { sampleFormData } from '../test/applications.js'
import { BENCH_ENV, dataDirOf, parseTarget } from './common.js'
import { createSessions, formFields, freshApplicants, multipart, PDF } from './load.js'

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
      : // the server's own connection: WAL flushed on every commit, statements kept
        createSqliteDialect(target.file)
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
  const who = process.env.WHO
  const account = who
    ? await db.selectFrom('accounts').select(['id', 'kind']).where('loginName', '=', who).executeTakeFirst()
    : undefined
  const [token = ''] = account ? await createSessions(db, [{ accountId: account.id, kind: account.kind }]) : []
  const n = Number(process.env.N ?? 20)
  if (process.env.SUBMIT) {
    await profileSubmission(db, app, n, stats)
    urls.length = 0
  }
  // COLD=1: the statistics summary's generation moved on before every request, so nothing the
  // statistics read from it is kept (what the first request after a refresh costs).
  const cold = Boolean(process.env.COLD)
  const forget = () => sql`update supervision_summary_state set generation = generation + 1`.execute(db)
  for (const url of urls) {
    const first = performance.now()
    await app.inject({ method: 'GET', url, headers: { cookie: `yw_session=${token}` } })
    const firstMs = performance.now() - first
    stats.clear()
    let status = 0
    let forgetting = 0
    const started = performance.now()
    for (let i = 0; i < n; i++) {
      if (cold) {
        const t = performance.now()
        await forget()
        forgetting += performance.now() - t
      }
      status = (await app.inject({ method: 'GET', url, headers: { cookie: `yw_session=${token}` } })).statusCode
    }
    const perRequest = (performance.now() - started - forgetting) / n
    const sqlMs = [...stats.values()].reduce((a, s) => a + s.ms, 0) / n
    console.log(
      `\n== ${url} → ${status}: ${perRequest.toFixed(1)} ms a request${cold ? ' (cold)' : ''}, of which SQL ${sqlMs.toFixed(1)} ms; the first ${firstMs.toFixed(1)} ms`,
    )
    for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)) {
      console.log(`${(s.ms / n).toFixed(2).padStart(8)} ms  ×${(s.n / n).toFixed(1).padEnd(4)} ${k}`)
    }
  }
  await app.close()
  await db.destroy()
}

type Stats = Map<string, { n: number; ms: number }>

/** N whole submissions of a person item with one required material, each step timed. */
async function profileSubmission(db: Db, app: Awaited<ReturnType<typeof buildApp>>, n: number, stats: Stats) {
  const oneRequest = Boolean(process.env.API)
  const rows = await db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.id as versionId', 'itemVersions.elements'])
    .where('itemVersions.forPersons', '=', 1)
    .where('itemVersions.forEnterprises', '=', 0)
    .orderBy('itemVersions.taskName')
    .execute()
  const persons = await freshApplicants(db, n + 1)
  const session = async (accountId: string) => {
    const [token] = await createSessions(db, [{ accountId, kind: 'person' }])
    const page = await app.inject({ method: 'GET', url: '/my', headers: { cookie: `yw_session=${token}` } })
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? ''
    const set = page.cookies.map((c) => `${c.name}=${c.value}`)
    return { cookie: [`yw_session=${token}`, ...set].join('; '), csrf }
  }
  const submit = async (
    who: { cookie: string; csrf: string },
    item: { id: string; fields: [string, string][]; code: string },
    timed?: (step: string, ms: number) => void,
  ) => {
    if (oneRequest) {
      const m = multipart([...item.fields, ['declaration', 'yes']], {
        name: `materials.${item.code}`,
        filename: '申请材料.pdf',
        content: PDF,
      })
      const t = performance.now()
      const done = await app.inject({
        method: 'POST',
        url: `/api/applications/submissions/${item.id}?_csrf=${encodeURIComponent(who.csrf)}`,
        headers: { cookie: who.cookie, 'content-type': m.contentType, 'idempotency-key': crypto.randomUUID() },
        payload: m.body,
      })
      timed?.('one request', performance.now() - t)
      return done.statusCode === 201 ? undefined : `api ${done.statusCode} ${done.body}`
    }
    const m = multipart([['_csrf', who.csrf], ...item.fields, ['_action', 'next']], {
      name: `materials.${item.code}`,
      filename: '申请材料.pdf',
      content: PDF,
    })
    let t = performance.now()
    const posted = await app.inject({
      method: 'POST',
      url: `/apply/${item.id}?_csrf=${encodeURIComponent(who.csrf)}`,
      headers: { cookie: who.cookie, 'content-type': m.contentType },
      payload: m.body,
    })
    timed?.('1 upload', performance.now() - t)
    if (posted.statusCode !== 303) return `apply ${posted.statusCode}`
    t = performance.now()
    const check = await app.inject({ method: 'GET', url: `/apply/${item.id}/check`, headers: { cookie: who.cookie } })
    timed?.('2 check', performance.now() - t)
    const token = /name="token" value="([^"]+)"/.exec(check.body)?.[1]
    if (!token) return `check ${check.statusCode}`
    t = performance.now()
    const done = await app.inject({
      method: 'POST',
      url: `/apply/${item.id}/submit`,
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: who.csrf, token, declaration: 'yes' }).toString(),
    })
    timed?.('3 submit', performance.now() - t)
    return done.statusCode === 303 ? undefined : `submit ${done.statusCode}`
  }
  let item: { id: string; fields: [string, string][]; code: string } | undefined
  const probe = await session(persons[0]!.accountId)
  for (const r of rows) {
    const needed = (JSON.parse(r.elements) as ItemElements).materials.filter((m) => m.isNeed)
    if (needed.length !== 1) continue
    const form = formFor(await getVersion(db, r.versionId))
    const candidate = { id: r.id, fields: formFields(form, sampleFormData(form)), code: needed[0]!.materialCode }
    if ((await submit(probe, candidate)) === undefined) {
      item = candidate
      break
    }
  }
  if (!item) throw new Error('no person item with one required material could be submitted')
  const people = await Promise.all(persons.slice(1).map((p) => session(p.accountId)))
  const steps = new Map<string, number>()
  stats.clear()
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (const who of people) {
    const failed = await submit(who, item, (step, ms) => steps.set(step, (steps.get(step) ?? 0) + ms))
    if (failed) throw new Error(failed)
  }
  const wall = (performance.now() - started) / people.length
  const used = process.cpuUsage(cpu)
  const sqlMs = [...stats.values()].reduce((a, s) => a + s.ms, 0) / people.length
  console.log(
    `\n== submission × ${people.length}: ${wall.toFixed(1)} ms a submission (CPU ${((used.user + used.system) / 1000 / people.length).toFixed(1)} ms), of which SQL ${sqlMs.toFixed(1)} ms`,
  )
  for (const [step, ms] of steps) console.log(`   ${step}: ${(ms / people.length).toFixed(2)} ms`)
  for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
    console.log(
      `${(s.ms / people.length).toFixed(2).padStart(8)} ms  ×${(s.n / people.length).toFixed(1).padEnd(4)} ${k}`,
    )
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
