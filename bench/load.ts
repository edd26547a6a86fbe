/**
 * Load scenarios with autocannon against running servers that this script starts (the real
 * `yiwang serve` as `npm start` runs it, plus the bare comparison server of bench/bare-server.ts):
 *
 *   npx tsx bench/load.ts --db bench/data/district-10k.sqlite [--duration 10] [--connections 10]
 *   npx tsx bench/load.ts --db postgres://postgres@127.0.0.1:5432/yiwang_bench --nodes 2
 *   npx tsx bench/load.ts --db bench/data/district-10k.sqlite --workers 2   (WORKERS=2: two processes on one port)
 *
 * The submission scenarios upload a PDF of bytes never uploaded before, each time, as people do;
 * `--same-upload` sends the same PDF every time (the rounds before the eleventh did: the store
 * then already holds the bytes and writes nothing to disk for them).
 *
 * Scenarios: bare-const, bare-indexed, guide, search, my-applications, inbox-pre-review,
 * inbox-tasks, submission (one upload, check page, submit: three requests per submission, as the
 * web form), submission-api (the same in one request: POST /api/applications/submissions/:itemId), statistics (when the supervision module serves it). Each reports throughput, p50/p95/p99
 * latency (from every response's time) and errors. After the run: every acknowledged submission
 * is in the database exactly once, nothing was created unacknowledged, and the background
 * sweeps (run by every node) did no work twice.
 *
 * People and staff get sessions the way the identity module makes them (a random token whose
 * SHA-256 is the session row's id; staff with their second factor done), written directly:
 * logging in a thousand people through argon2 would measure argon2.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import autocannon from 'autocannon'
import { sql } from 'kysely'
import { formFor } from '../src/modules/applications/applications.forms.registry.js'
import { getVersion, type ItemElements } from '../src/modules/catalog/index.js'
import { addCalendarDays, todayInShanghai } from '../src/platform/calendar/index.js'
import { createDatabase, type Db } from '../src/platform/db/database.js'
import { formFields, sampleFormData } from '../test/applications.js'
import {
  BENCH_DIR,
  BENCH_ENV,
  databaseUrlOf,
  dataDirOf,
  label,
  PROJECT_ROOT,
  parseArgs,
  parseTarget,
  type Target,
  writeJson,
} from './common.js'

export interface ScenarioResult {
  scenario: string
  database: 'sqlite' | 'postgres'
  nodes: number
  connections: number
  seconds: number
  requests: number
  /** Requests per second (for submission: complete submissions per second in `perSecond`). */
  throughput: number
  perSecond?: number
  latency: { p50: number; p95: number; p99: number; max: number; mean: number }
  errors: number
  statusCodes: Record<string, number>
  note?: string
}

export interface SubmissionCheck {
  acknowledged: number
  inDatabase: number
  lost: number
  duplicated: number
  unacknowledged: number
}

export interface LoadReport {
  target: string
  nodes: number
  workers: number
  scenarios: ScenarioResult[]
  skipped: { scenario: string; reason: string }[]
  /** What the submission scenarios upload: a PDF never seen before each time, or the same one. */
  uploads?: 'distinct' | 'same'
  submissions?: SubmissionCheck
  /** The same check for the one-request channel (submission-api). */
  apiSubmissions?: SubmissionCheck
  /** Work of the background sweeps: totals before and after the run, and rows doubled. */
  sweeps?: { checks: { name: string; duplicates: number; total: number; before: number }[] }
  ratios?: Record<string, number>
}

const ALL = [
  'bare-const',
  'bare-indexed',
  'bare-page',
  'guide',
  'search',
  'my-applications',
  'inbox-pre-review',
  'inbox-tasks',
  'submission',
  'submission-api',
  'statistics',
] as const
export type ScenarioName = (typeof ALL)[number]

const SEARCH_WORDS = [
  '营业执照',
  '食品经营许可',
  '社保',
  '户口',
  '结婚登记',
  '残疾人证',
  '医师执业',
  '建设工程',
  '个体工商户',
  '退休',
  'yyzz',
  '不动产',
]

// ---------------------------------------------------------------------------------------------
// Processes

interface Proc {
  name: string
  child: ChildProcess
  port: number
  log: string[]
}

function startProcess(
  name: string,
  script: string,
  env: Record<string, string>,
  port: number,
  nodeArgs: string[] = [],
): Proc {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', script, ...(script.endsWith('cli.ts') ? ['serve'] : [])],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const log: string[] = []
  const keep = (b: Buffer) => {
    log.push(b.toString())
    if (log.length > 200) log.shift()
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  return { name, child, port, log }
}

async function waitReady(proc: Proc, urlPath = '/healthz', timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited: ${proc.log.join('').slice(-2000)}`)
    try {
      const res = await fetch(`http://127.0.0.1:${proc.port}${urlPath}`)
      if (res.ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`${proc.name} not ready after ${timeoutMs} ms: ${proc.log.join('').slice(-2000)}`)
}

/** CPU seconds a process and its children (a cluster's workers) have used (Linux /proc; undefined elsewhere). */
function cpuSeconds(pid: number | undefined): number | undefined {
  const statOf = (p: number | string) => fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')
  try {
    const own = statOf(pid!)
    let seconds = (Number(own[11]) + Number(own[12])) / 100 // utime + stime, in clock ticks of 1/100 s
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      try {
        const fields = statOf(entry)
        if (Number(fields[1]) === pid) seconds += (Number(fields[11]) + Number(fields[12])) / 100
      } catch {
        // gone meanwhile
      }
    }
    return seconds
  } catch {
    return undefined
  }
}

/**
 * Waits until a server has finished its start-up work (rendering the guides ahead, the first
 * sweeps): under 10% of a core for two seconds running, at most `timeoutMs`.
 */
async function waitIdle(proc: Proc, timeoutMs = 300_000): Promise<number> {
  const started = Date.now()
  let quiet = 0
  const first = cpuSeconds(proc.child.pid)
  if (first === undefined) return 0
  let last: number = first
  while (Date.now() - started < timeoutMs && quiet < 4) {
    await new Promise((r) => setTimeout(r, 500))
    const now: number = cpuSeconds(proc.child.pid) ?? last
    quiet = now - last < 0.05 ? quiet + 1 : 0
    last = now
  }
  return (Date.now() - started) / 1000
}

async function stopProcess(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null) return
  const exited = new Promise<void>((resolve) => proc.child.once('exit', () => resolve()))
  proc.child.kill('SIGTERM')
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20_000)
  await exited
  clearTimeout(timer)
}

// ---------------------------------------------------------------------------------------------
// Measuring

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** What one request of a scenario's sequence does (autocannon keeps a context per connection). */
type Context = { who?: Applicant; token?: string }
interface Request {
  method: 'GET' | 'POST'
  path?: string
  headers?: Record<string, string>
  setupRequest?: (req: { path?: string; headers?: Record<string, string> }, context: Context) => object
  onResponse?: (status: number, body: string, context: Context, headers: Record<string, string>) => void
}

/**
 * autocannon keeps every response's body as a string (`req.body += chunk`: a UTF-8 decode of each
 * chunk) so that a request's `onResponse` can read it — for every request, read or not. Decoding a
 * gzip-encoded page took most of the load generator's core in the guide and search scenarios
 * (docs/performance.md, finding 17), so bodies are kept only while a scenario has a request that
 * reads them; bytes are counted either way.
 */
const PipelinedRequestsQueue = createRequire(import.meta.url)('autocannon/lib/pipelinedRequestsQueue.js') as {
  prototype: { addBody(data: Buffer): void }
}
const addBody = PipelinedRequestsQueue.prototype.addBody
let keepBodies = true
PipelinedRequestsQueue.prototype.addBody = function (this: unknown, data: Buffer) {
  if (keepBodies) addBody.call(this, data)
}

/** What every scenario asks for, as a browser does over HTTPS. */
const ACCEPT_ENCODING = 'gzip, deflate, br'

async function measure(
  name: ScenarioName,
  url: string,
  options: {
    connections: number
    duration: number
    requests: Request[]
    ok?: (status: number) => boolean
    /**
     * One autocannon instance of one connection each, with this context: autocannon clears a
     * connection's context at the end of every sequence, so a person kept per connection (one
     * browser each) needs an instance of its own.
     */
    perConnection?: Context[]
  },
  meta: { database: 'sqlite' | 'postgres'; nodes: number },
): Promise<ScenarioResult> {
  const times: number[] = []
  const statusCodes: Record<string, number> = {}
  const ok = options.ok ?? ((s: number) => s >= 200 && s < 400)
  let bad = 0
  keepBodies = options.requests.some((r) => typeof r.onResponse === 'function')
  const contexts = options.perConnection ?? [undefined]
  const instances = contexts.map((initialContext) => {
    const instance = autocannon({
      url,
      connections: initialContext ? 1 : options.connections,
      duration: options.duration,
      requests: options.requests as unknown as autocannon.Request[],
      // As a browser asks: pages kept for anonymous visitors are sent brotli-encoded (about a
      // quarter of the bytes); pages rendered per request are sent as they are.
      headers: { 'accept-encoding': ACCEPT_ENCODING },
      timeout: 30,
      ...(initialContext ? { initialContext } : {}),
    }) as unknown as autocannon.Instance & Promise<autocannon.Result>
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      times.push(responseTime)
      statusCodes[status] = (statusCodes[status] ?? 0) + 1
      if (!ok(status)) bad++
    })
    return instance
  })
  const results = await Promise.all(instances)
  const result = {
    duration: Math.max(...results.map((r) => r.duration)),
    errors: results.reduce((a, r) => a + r.errors, 0),
    timeouts: results.reduce((a, r) => a + r.timeouts, 0),
  }
  times.sort((a, b) => a - b)
  const seconds = result.duration
  const mean = times.length ? times.reduce((a, b) => a + b, 0) / times.length : 0
  const r2 = (x: number) => Math.round(x * 100) / 100
  return {
    scenario: name,
    database: meta.database,
    nodes: meta.nodes,
    connections: options.connections,
    seconds: r2(seconds),
    requests: times.length,
    throughput: r2(times.length / seconds),
    latency: {
      p50: r2(percentile(times, 50)),
      p95: r2(percentile(times, 95)),
      p99: r2(percentile(times, 99)),
      max: r2(times[times.length - 1] ?? 0),
      mean: r2(mean),
    },
    errors: bad + result.errors + result.timeouts,
    statusCodes,
  }
}

// ---------------------------------------------------------------------------------------------
// Sessions and fixtures

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

export async function createSessions(
  db: Db,
  accounts: { accountId: string; kind: 'person' | 'staff' }[],
): Promise<string[]> {
  const now = new Date()
  const tokens: string[] = []
  const rows = accounts.map((a) => {
    const token = randomBytes(32).toString('base64url')
    tokens.push(token)
    return {
      id: hashToken(token),
      accountId: a.accountId,
      kind: a.kind,
      actingEnterpriseId: null,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      // The server slides the idle deadline as the session is used (at most once a minute).
      idleExpiresAt: new Date(now.getTime() + (a.kind === 'staff' ? 15 : 30) * 60_000).toISOString(),
      absoluteExpiresAt: new Date(now.getTime() + 8 * 3600_000).toISOString(),
      secondFactorAt: a.kind === 'staff' ? now.toISOString() : null,
      ip: '127.0.0.1',
      userAgent: 'yiwang-bench',
      endedAt: null,
      endReason: null,
    }
  })
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto('sessions')
      .values(rows.slice(i, i + 200))
      .execute()
  return tokens
}

async function staffAccount(db: Db, loginName: string) {
  const row = await db.selectFrom('accounts').select('id').where('loginName', '=', loginName).executeTakeFirst()
  return row?.id
}

/** The inputs a browser posts for these answers (shared with the apply test). */
export { formFields }

export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
)

export function multipart(fields: [string, string][], file: { name: string; filename: string; content: Buffer }) {
  const boundary = `----yiwangbench${randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const [name, value] of fields) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: application/pdf\r\n\r\n`,
    ),
    file.content,
    Buffer.from('\r\n'),
  )
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

interface Applicant {
  cookie: string
  csrf: string
  personId: string
}

interface SubmitItem {
  itemId: string
  fields: [string, string][]
  materialCode: string
}

/**
 * Generated people with real-name assurance who have applied for nothing yet: on a district reused
 * run after run, the same few people would otherwise carry hundreds of earlier runs' applications
 * each (their quota sums and lists grow), and each run would measure slower than the last.
 */
export function freshApplicants(db: Db, n: number) {
  return db
    .selectFrom('persons')
    .innerJoin('accounts', 'accounts.personId', 'persons.id')
    .select(['persons.id as personId', 'accounts.id as accountId'])
    .where('persons.assuranceLevel', '=', 3)
    .where('persons.id', 'like', '01800000-%')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('applications')
            .select('applications.id')
            .whereRef('applications.applicantPersonId', '=', 'persons.id'),
        ),
      ),
    )
    .orderBy('persons.id', 'desc')
    .limit(n)
    .execute()
}

/** The person items a citizen can submit with exactly one upload, checked by one real submission. */
async function findSubmitItem(db: Db, base: string, probe: Applicant): Promise<SubmitItem | undefined> {
  const rows = await db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.id as versionId', 'itemVersions.elements'])
    .where('itemVersions.forPersons', '=', 1)
    .where('itemVersions.forEnterprises', '=', 0)
    .orderBy('itemVersions.taskName')
    .execute()
  for (const r of rows) {
    const elements = JSON.parse(r.elements) as ItemElements
    const needed = elements.materials.filter((m) => m.isNeed)
    if (needed.length !== 1) continue
    const form = formFor(await getVersion(db, r.versionId))
    const item = { itemId: r.id, fields: formFields(form, sampleFormData(form)), materialCode: needed[0]!.materialCode }
    const done = await submitOnce(base, probe, item)
    if (done.ok) return item
  }
  return undefined
}

/**
 * The PDF with a comment line of random bytes after its header: still a PDF, and bytes the store
 * has never seen, as every real upload is (docs/performance.md, finding 22).
 */
export function distinctPdf(): Buffer {
  const head = '%PDF-1.4\n'
  return Buffer.concat([Buffer.from(`${head}%${randomBytes(12).toString('hex')}\n`), PDF.subarray(head.length)])
}

/**
 * A multipart body of these fields with the item's one material: a PDF of bytes never uploaded
 * before, or with `same` the one PDF every time (as before the eleventh round: the store then
 * finds the bytes it already holds and writes nothing).
 */
function withUpload(item: SubmitItem, fields: [string, string][], same = false) {
  const content = same ? PDF : distinctPdf()
  return multipart(fields, { name: `materials.${item.materialCode}`, filename: '申请材料.pdf', content })
}

/** One whole submission with fetch (for the probe and to check the flow). */
async function submitOnce(
  base: string,
  who: Applicant,
  item: SubmitItem,
): Promise<{ ok: boolean; id?: string; why?: string }> {
  const m = withUpload(item, [['_csrf', who.csrf], ...item.fields, ['_action', 'next']])
  const posted = await fetch(`${base}/apply/${item.itemId}?_csrf=${encodeURIComponent(who.csrf)}`, {
    method: 'POST',
    headers: { cookie: who.cookie, 'content-type': m.contentType },
    body: m.body,
    redirect: 'manual',
  })
  if (posted.status !== 303) return { ok: false, why: `apply ${posted.status}` }
  const check = await fetch(`${base}/apply/${item.itemId}/check`, {
    headers: { cookie: who.cookie },
    redirect: 'manual',
  })
  const token = /name="token" value="([^"]+)"/.exec(await check.text())?.[1]
  if (!token) return { ok: false, why: `check ${check.status}` }
  const submitted = await fetch(`${base}/apply/${item.itemId}/submit`, {
    method: 'POST',
    headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: who.csrf, token, declaration: 'yes' }).toString(),
    redirect: 'manual',
  })
  const id = /\/my\/applications\/([0-9a-f-]{36})\/submitted/.exec(submitted.headers.get('location') ?? '')?.[1]
  return id ? { ok: true, id } : { ok: false, why: `submit ${submitted.status}` }
}

/** A page's CSRF token and the cookie that goes with it. */
async function csrfFor(base: string, cookie: string, page: string): Promise<{ csrf: string; cookie: string }> {
  const res = await fetch(`${base}${page}`, { headers: { cookie }, redirect: 'manual' })
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1]
  if (!csrf) throw new Error(`no CSRF token on ${page} (${res.status})`)
  const set = res.headers.getSetCookie().map((c) => c.split(';')[0]!)
  return { csrf, cookie: [cookie, ...set].join('; ') }
}

// ---------------------------------------------------------------------------------------------
// The run

export async function runLoad(options: {
  target: Target
  nodes?: number
  /** Server processes of each node (WORKERS: node:cluster on one port). */
  workers?: number
  duration?: number
  connections?: number
  scenarios?: ScenarioName[]
  basePort?: number
  cpuProf?: string
  /** false: the app processes run no background sweeps (to see what the sweeps cost the pages). */
  sweeps?: boolean
  /** Every submission uploads the same PDF (default: bytes never uploaded before, each time). */
  sameUpload?: boolean
  log?: (line: string) => void
}): Promise<LoadReport> {
  const { target } = options
  const nodes = options.nodes ?? 1
  const workers = options.workers ?? 1
  const duration = options.duration ?? 10
  const connections = options.connections ?? 10
  const log = options.log ?? ((l: string) => console.log(l))
  const wanted = new Set(options.scenarios ?? ALL)
  const port0 = options.basePort ?? 4100
  const database = target.kind
  const env: Record<string, string> = {
    ...BENCH_ENV,
    DATABASE_URL: databaseUrlOf(target),
    DATA_DIR: dataDirOf(target),
    SEED_DEMO: 'false',
    RUN_SWEEPS: options.sweeps === false ? 'false' : 'true',
    HOST: '127.0.0.1',
    WORKERS: String(workers),
  }
  const report: LoadReport = {
    target: label(target),
    nodes,
    workers,
    scenarios: [],
    skipped: [],
    uploads: options.sameUpload ? 'same' : 'distinct',
  }
  const procs: Proc[] = []
  const runStart = new Date().toISOString()
  const db = createDatabase(
    target.kind === 'sqlite'
      ? { dialect: 'sqlite', file: target.file }
      : { dialect: 'postgres', url: target.url, poolSize: 2 },
  )
  try {
    const before = await sweepChecks(db, runStart)
    // ----- servers ------------------------------------------------------------------------------
    const appPorts = Array.from({ length: nodes }, (_, i) => port0 + 1 + i)
    const profArgs = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`] : []
    for (const p of appPorts) procs.push(startProcess(`app:${p}`, 'src/cli.ts', env, p, profArgs))
    procs.push(startProcess('bare', 'bench/bare-server.ts', env, port0 + 9))
    if (nodes > 1) {
      procs.push(
        startProcess('proxy', 'bench/proxy.ts', { UPSTREAMS: appPorts.map((p) => `127.0.0.1:${p}`).join(',') }, port0),
      )
    }
    for (const p of procs) await waitReady(p, p.name.startsWith('app') ? '/readyz' : '/healthz')
    for (const p of procs.filter((q) => q.name.startsWith('app'))) {
      const seconds = await waitIdle(p)
      log(`[load] ${p.name}: start-up work (guides rendered ahead, first sweeps) done after ${seconds.toFixed(0)} s`)
    }
    const base = `http://127.0.0.1:${nodes > 1 ? port0 : appPorts[0]}`
    const bare = `http://127.0.0.1:${port0 + 9}`
    const each = workers > 1 ? ` of ${workers} worker processes each` : ''
    log(`[load] ${label(target)}: ${nodes} node(s)${each} ready at ${base}; bare server at ${bare}`)
    const meta = { database, nodes } as const
    const run = async (
      name: ScenarioName,
      url: string,
      requests: Request[],
      ok?: (s: number) => boolean,
      conns = connections,
      perConnection?: Context[],
    ) => {
      if (!wanted.has(name)) return undefined
      const r = await measure(name, url, { connections: conns, duration, requests, ok, perConnection }, meta)
      report.scenarios.push(r)
      log(
        `[load] ${name.padEnd(17)} ${String(r.throughput).padStart(8)} req/s  p50 ${r.latency.p50} ms  p95 ${r.latency.p95} ms  p99 ${r.latency.p99} ms  errors ${r.errors}`,
      )
      return r
    }
    const cycle = <T>(list: T[]) => {
      let i = 0
      return () => list[i++ % list.length]!
    }

    // ----- comparison: the bare server ----------------------------------------------------------
    const sampleIds = (
      await db.selectFrom('applications').select('id').where('applicationNo', 'is not', null).limit(2000).execute()
    ).map((r) => r.id)
    await run('bare-const', bare, [{ method: 'GET', path: '/const' }])
    const nextId = cycle(sampleIds)
    await run('bare-indexed', bare, [
      { method: 'GET', setupRequest: (req) => ({ ...req, path: `/indexed?id=${nextId()}` }) },
    ])

    // ----- anonymous: guide pages and search ----------------------------------------------------
    const itemIds = (await db.selectFrom('items').select('id').where('withdrawnAt', 'is', null).execute()).map(
      (r) => r.id,
    )
    const nextItem = cycle(itemIds)
    // The bare server sending what a guide weighs on the wire (encoded as the scenarios ask: brotli
    // since finding 23), with as many headers: the most this load generator can read of such pages
    // on this machine.
    if (wanted.has('bare-page') && itemIds.length > 0) {
      const sample = await fetch(`${base}/services/${itemIds[0]}`, { headers: { 'accept-encoding': ACCEPT_ENCODING } })
      const wire = Number(sample.headers.get('content-length') ?? 0) || (await sample.arrayBuffer()).byteLength
      let count = 0
      let headerBytes = 0
      sample.headers.forEach((value, name) => {
        count++
        headerBytes += name.length + value.length + 4
      })
      await run('bare-page', bare, [
        { method: 'GET', path: `/page?bytes=${wire}&headers=${count}&headerBytes=${headerBytes}` },
      ])
    }
    await run('guide', base, [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/services/${nextItem()}` }) }])
    const nextWord = cycle(SEARCH_WORDS)
    await run('search', base, [
      { method: 'GET', setupRequest: (req) => ({ ...req, path: `/search?q=${encodeURIComponent(nextWord())}` }) },
    ])

    // ----- logged in: my applications -----------------------------------------------------------
    if (wanted.has('my-applications')) {
      // People with applications of their own (a few apply often).
      const people = await db
        .selectFrom('applications')
        .innerJoin('accounts', 'accounts.personId', 'applications.applicantPersonId')
        .select(['accounts.id as accountId'])
        .where('applications.applicantEnterpriseId', 'is', null)
        .where('applications.applicantPersonId', 'like', '01800000-%')
        .orderBy('applications.id')
        .limit(500)
        .execute()
      const tokens = await createSessions(
        db,
        [...new Set(people.map((p) => p.accountId))].map((accountId) => ({ accountId, kind: 'person' })),
      )
      const nextToken = cycle(tokens)
      await run('my-applications', base, [
        {
          method: 'GET',
          setupRequest: (req) => ({
            ...req,
            path: '/my/applications',
            headers: { cookie: `yw_session=${nextToken()}` },
          }),
        },
      ])
    }

    // ----- staff: the workbench inbox -----------------------------------------------------------
    for (const [scenario, login, view] of [
      ['inbox-pre-review', 'window01', 'pre_review'],
      ['inbox-tasks', 'review01', 'tasks'],
    ] as const) {
      if (!wanted.has(scenario)) continue
      const accountId = await staffAccount(db, login)
      if (!accountId) {
        report.skipped.push({ scenario, reason: `no staff account ${login}` })
        continue
      }
      const [token] = await createSessions(db, [{ accountId, kind: 'staff' }])
      await run(scenario, base, [
        { method: 'GET', path: `/workbench?view=${view}`, headers: { cookie: `yw_session=${token}` } },
      ])
    }

    // ----- submissions ------------------------------------------------------------------------
    /** Zero lost, zero duplicated: the database holds exactly the acknowledged submissions. */
    const checkSubmissions = async (applicants: Applicant[], acknowledged: Set<string>, started: string) => {
      const made = await db
        .selectFrom('applications')
        .select(['id', 'idempotencyKey'])
        .where(
          'applicantPersonId',
          'in',
          applicants.map((a) => a.personId),
        )
        .where('state', '!=', 'draft')
        .where('submittedAt', '>=', started)
        .execute()
      const inDb = new Set(made.map((m) => m.id))
      const keys = new Set(made.map((m) => m.idempotencyKey))
      const ids = [...acknowledged]
      return {
        acknowledged: ids.length,
        inDatabase: made.length,
        lost: ids.filter((id) => !inDb.has(id)).length,
        duplicated: made.length - keys.size,
        unacknowledged: made.filter((m) => !acknowledged.has(m.id)).length,
      }
    }
    /** People who have applied for nothing yet, each with a session and a CSRF token, and the item they submit. */
    const submitters = async (scenario: ScenarioName) => {
      const people = await freshApplicants(db, connections + 1)
      const tokens = await createSessions(
        db,
        people.map((p) => ({ accountId: p.accountId, kind: 'person' })),
      )
      const applicants: Applicant[] = []
      for (let i = 0; i < people.length; i++) {
        const c = await csrfFor(base, `yw_session=${tokens[i]}`, '/my/applications')
        applicants.push({ ...c, personId: people[i]!.personId })
      }
      const probe = applicants.shift()!
      const item = await findSubmitItem(db, base, probe)
      if (!item) {
        report.skipped.push({ scenario, reason: 'no person item with one required material could be submitted' })
      }
      return { applicants, item }
    }
    if (wanted.has('submission')) {
      const started = new Date().toISOString()
      const { applicants, item } = await submitters('submission')
      if (item) {
        const acknowledged = new Set<string>()
        const submit: Request[] = [
          {
            method: 'POST',
            setupRequest: (req, context) => {
              const who = context.who!
              const m = withUpload(item, [['_csrf', who.csrf], ...item.fields, ['_action', 'next']], options.sameUpload)
              return {
                ...req,
                path: `/apply/${item.itemId}?_csrf=${encodeURIComponent(who.csrf)}`,
                headers: { cookie: who.cookie, 'content-type': m.contentType },
                body: m.body,
              }
            },
          },
          {
            method: 'GET',
            setupRequest: (req, context) => ({
              ...req,
              path: `/apply/${item.itemId}/check`,
              headers: { cookie: context.who!.cookie },
            }),
            onResponse: (_status, body, context) => {
              context.token = /name="token" value="([^"]+)"/.exec(body)?.[1]
            },
          },
          {
            method: 'POST',
            setupRequest: (req, context) => {
              const who = context.who!
              return {
                ...req,
                path: `/apply/${item.itemId}/submit`,
                headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
                body: new URLSearchParams({
                  _csrf: who.csrf,
                  token: String(context.token ?? ''),
                  declaration: 'yes',
                }).toString(),
              }
            },
            onResponse: (_status, _body, _context, headers) => {
              const id = /\/my\/applications\/([0-9a-f-]{36})\/submitted/.exec(headers.location ?? '')?.[1]
              if (id) acknowledged.add(id)
            },
          },
        ]
        // One person per connection, as one browser each (see measure).
        const r = await run(
          'submission',
          base,
          submit,
          (s) => s === 303 || s === 200,
          connections,
          applicants.map((who) => ({ who })),
        )
        if (r) {
          r.perSecond = Math.round((acknowledged.size / r.seconds) * 100) / 100
          r.note =
            'one submission = upload (multipart POST) + check page (GET, form token) + submit (POST); perSecond counts acknowledged submissions'
          log(`[load] submission        ${r.perSecond} submissions/s acknowledged (${acknowledged.size})`)
          report.submissions = await checkSubmissions(applicants, acknowledged, started)
          log(`[load] submissions check: ${JSON.stringify(report.submissions)}`)
        }
      }
    }

    if (wanted.has('submission-api')) {
      const started = new Date().toISOString()
      const { applicants, item } = await submitters('submission-api')
      if (item) {
        const acknowledged = new Set<string>()
        const submit: Request[] = [
          {
            method: 'POST',
            setupRequest: (req, context) => {
              const who = context.who!
              const m = withUpload(item, [...item.fields, ['declaration', 'yes']], options.sameUpload)
              return {
                ...req,
                path: `/api/applications/submissions/${item.itemId}?_csrf=${encodeURIComponent(who.csrf)}`,
                headers: {
                  cookie: who.cookie,
                  'content-type': m.contentType,
                  'idempotency-key': randomBytes(18).toString('base64url'),
                },
                body: m.body,
              }
            },
            onResponse: (status, body) => {
              if (status === 201) acknowledged.add((JSON.parse(body) as { id: string }).id)
            },
          },
        ]
        const r = await run(
          'submission-api',
          base,
          submit,
          (s) => s === 201,
          connections,
          applicants.map((who) => ({ who })),
        )
        if (r) {
          r.perSecond = Math.round((acknowledged.size / r.seconds) * 100) / 100
          r.note = 'one submission = one request (multipart form, file and declaration; Idempotency-Key)'
          log(`[load] submission-api    ${r.perSecond} submissions/s acknowledged (${acknowledged.size})`)
          report.apiSubmissions = await checkSubmissions(applicants, acknowledged, started)
          log(`[load] api submissions check: ${JSON.stringify(report.apiSubmissions)}`)
        }
      }
    }

    // ----- statistics (supervision), when it is served; last: on SQLite a slow statistics request
    // holds the event loop (better-sqlite3 is synchronous) and would stall what comes after it.
    if (wanted.has('statistics')) {
      const accountId = await staffAccount(db, 'supervise01')
      const [token] = accountId ? await createSessions(db, [{ accountId, kind: 'staff' }]) : []
      // The statistics of a year (the target: under a second at a million applications).
      const today = todayInShanghai(new Date())
      const candidates = [`/supervision/statistics?from=${addCalendarDays(today, -364)}&to=${today}&by=department`]
      let found: string | undefined
      for (const c of candidates) {
        const res = token
          ? await fetch(`${base}${c}`, { headers: { cookie: `yw_session=${token}` }, redirect: 'manual' })
          : undefined
        if (res?.status === 200) {
          found = c
          break
        }
      }
      if (found && token) {
        await run(
          'statistics',
          base,
          [{ method: 'GET', path: found, headers: { cookie: `yw_session=${token}` } }],
          undefined,
          Math.min(connections, 2),
        )
      } else {
        report.skipped.push({
          scenario: 'statistics',
          reason: `${candidates.join(', ')} did not answer 200: the supervision module does not serve it (yet)`,
        })
      }
    }

    // Give the sweeps of every node a few rounds, then look for work done twice.
    await new Promise((r) => setTimeout(r, 3000))
    const after = await sweepChecks(db, runStart)
    report.sweeps = { checks: after.map((c, i) => ({ ...c, before: before[i]?.total ?? 0 })) }
    log(`[load] sweeps: ${JSON.stringify(report.sweeps.checks)}`)
    const thr = (n: string) => report.scenarios.find((s) => s.scenario === n)?.throughput
    const c = thr('bare-const')
    if (c) {
      report.ratios = {}
      for (const s of report.scenarios) report.ratios[s.scenario] = Math.round((1000 * s.throughput) / c) / 1000
    }
    return report
  } finally {
    for (const p of procs.reverse()) await stopProcess(p)
    await db.destroy()
    // What the servers logged at warn level and above (errors behind any 5xx), kept for reading.
    const logFile = path.join(BENCH_DIR, 'results', `server-log-${target.kind}-${nodes}node.txt`)
    fs.mkdirSync(path.dirname(logFile), { recursive: true })
    fs.writeFileSync(logFile, procs.map((p) => `===== ${p.name}\n${p.log.join('')}`).join('\n'))
  }
}

/** Work the background sweeps do, counted for doubles (every node runs every sweep). */
async function sweepChecks(db: Db, since: string): Promise<{ name: string; duplicates: number; total: number }[]> {
  const count = async (name: string, total: string, dup: string) => {
    const t = await sql<{ n: number }>`${sql.raw(total)}`.execute(db)
    const d = await sql<{ n: number }>`${sql.raw(dup)}`.execute(db)
    return { name, total: Number(t.rows[0]?.n ?? 0), duplicates: Number(d.rows[0]?.n ?? 0) }
  }
  return [
    await count(
      'deemed acceptance events (one per application)',
      "select count(*) as n from application_events where event = 'deem_accept'",
      "select count(*) as n from (select application_id from application_events where event = 'deem_accept' group by application_id having count(*) > 1) x",
    ),
    await count(
      'default ratings (one per application)',
      'select count(*) as n from ratings where is_default = 1',
      'select count(*) as n from (select application_id from ratings where visit_id is null group by application_id having count(*) > 1) x',
    ),
    await count(
      'notifications sent (one per message)',
      `select count(*) as n from notifications where state = 'sent' and created_at >= '${since}'`,
      `select count(*) as n from (select recipient_person_id, channel, subject, body from notifications where created_at >= '${since}' group by recipient_person_id, channel, subject, body having count(*) > 1) x`,
    ),
    await count(
      'audit chain (no gap, no double seq)',
      'select count(*) as n from audit_log',
      'select (select max(seq) from audit_log) - (select count(*) from audit_log) as n',
    ),
  ]
}

if (process.argv[1]?.endsWith('bench/load.ts')) {
  const args = parseArgs()
  const target = parseTarget(args.get('db'), 'district-10k')
  const scenarios = args.get('scenarios')?.split(',') as ScenarioName[] | undefined
  runLoad({
    target,
    nodes: Number(args.get('nodes') ?? 1),
    workers: Number(args.get('workers') ?? 1),
    duration: Number(args.get('duration') ?? 10),
    connections: Number(args.get('connections') ?? 10),
    scenarios,
    cpuProf: args.get('cpu-prof') ? path.resolve(args.get('cpu-prof')!) : undefined,
    sweeps: !args.has('no-sweeps'),
    sameUpload: args.has('same-upload'),
  })
    .then((report) => {
      const workers = report.workers > 1 ? `-${report.workers}workers` : ''
      const out = path.join(BENCH_DIR, 'results', `load-${target.kind}-${report.nodes}node${workers}.json`)
      writeJson(out, report)
      console.log(`[load] report: ${path.relative(PROJECT_ROOT, out)}`)
    })
    .catch((error) => {
      console.error(error)
      process.exit(1)
    })
}
