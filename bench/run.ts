/**
 * The benchmark suite (issue 9): generate districts, run the load scenarios on SQLite and on
 * PostgreSQL (one node, then two behind the round-robin proxy), measure the scale curve, and write
 * bench/results/latest.json and bench/results/latest.md.
 *
 *   npm run bench        short: a 10k district, 4 s a scenario (under 5 minutes); the SQLite
 *                        submissions also with WORKERS=2
 *   npm run bench:full   the 1M district, 20 s a scenario, curve at 10k / 100k / 1M (about an hour)
 *
 * Options: --reuse (keep districts already generated at the same scale), --pg-scale 100k (a smaller
 * PostgreSQL district), --no-pg, --duration s, --connections n.
 *
 * PostgreSQL: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/yiwang_bench, a scratch
 * database this script drops and recreates); skipped with a note when the server is not reachable.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { BENCH_DIR, parseArgs, parseScale, RESULTS_DIR, scaleName, type Target, writeJson } from './common.js'
import { type CurvePoint, measureCurve } from './curve.js'
import { type GenerateSummary, generateDistrict } from './generate.js'
import { type LoadReport, runLoad } from './load.js'

interface Suite {
  kind: 'short' | 'full'
  startedAt: string
  finishedAt?: string
  seconds?: number
  machine: {
    cpus: number
    cpuModel: string
    memoryGb: number
    node: string
    platform: string
    loadAverageAtStart: number[]
    loadAverageAtEnd?: number[]
    note: string
  }
  generation: GenerateSummary[]
  load: LoadReport[]
  curve: CurvePoint[]
  notes: string[]
}

const PG_DEFAULT = 'postgres://postgres@127.0.0.1:5432/yiwang_bench'

async function pgReachable(url: string): Promise<boolean> {
  const u = new URL(url)
  u.pathname = '/postgres'
  const client = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.end()
    return true
  } catch {
    return false
  }
}

/** How many applications a PostgreSQL bench database holds (0 when it does not exist). */
async function pgApplications(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    const r = await client.query('select count(*)::int as n from applications')
    return r.rows[0]?.n ?? 0
  } catch {
    return 0
  } finally {
    await client.end().catch(() => {})
  }
}

async function main() {
  const args = parseArgs()
  if (args.has('summary-only')) {
    // Rewrites latest.md from latest.json (after a change of this summary).
    const suite = JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, 'latest.json'), 'utf8')) as Suite
    fs.writeFileSync(path.join(RESULTS_DIR, 'latest.md'), summary(suite))
    return
  }
  const full = args.has('full')
  if (args.has('curve-only')) {
    // Measures the scale curve again into latest.json, keeping the load figures of the run.
    const suite = JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, 'latest.json'), 'utf8')) as Suite
    const points: CurvePoint[] = []
    for (const scale of full ? [0.01, 0.1, 1] : [0.01]) {
      const file = path.join(BENCH_DIR, 'data', `district-${scaleName(scale)}.sqlite`)
      if (fs.existsSync(file)) points.push(await measureCurve({ kind: 'sqlite', file }, { runs: full ? 20 : 8 }))
    }
    const pgUrl = process.env.BENCH_PG_URL ?? PG_DEFAULT
    if (!args.has('no-pg') && (await pgReachable(pgUrl))) {
      points.push(await measureCurve({ kind: 'postgres', url: pgUrl }, { runs: full ? 20 : 8 }))
    }
    suite.curve = points
    suite.notes.push(`scale curve measured again on ${new Date().toISOString()} (--curve-only), without the page cache`)
    writeJson(path.join(RESULTS_DIR, 'latest.json'), suite)
    fs.writeFileSync(path.join(RESULTS_DIR, 'latest.md'), summary(suite))
    return
  }
  const started = performance.now()
  const suite: Suite = {
    kind: full ? 'full' : 'short',
    startedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 1024 ** 3),
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
      loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
      note: 'server, load generator and databases on the same machine; other work may be running (see load averages)',
    },
    generation: [],
    load: [],
    curve: [],
    notes: [],
  }
  const duration = Number(args.get('duration') ?? (full ? 20 : 4))
  const connections = Number(args.get('connections') ?? 10)
  const dataDir = path.join(BENCH_DIR, 'data')
  const sqliteAt = (scale: number) => ({
    kind: 'sqlite' as const,
    file: path.join(dataDir, `district-${scaleName(scale)}.sqlite`),
  })
  const pgUrl = process.env.BENCH_PG_URL ?? PG_DEFAULT
  const havePg = !args.has('no-pg') && (await pgReachable(pgUrl))
  if (!havePg) suite.notes.push(`PostgreSQL not reachable at ${pgUrl} (or --no-pg): PostgreSQL runs skipped`)
  const save = () => {
    suite.finishedAt = new Date().toISOString()
    suite.seconds = Math.round((performance.now() - started) / 1000)
    suite.machine.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100)
    writeJson(path.join(RESULTS_DIR, 'latest.json'), suite)
    fs.writeFileSync(path.join(RESULTS_DIR, 'latest.md'), summary(suite))
    writeJson(path.join(RESULTS_DIR, `${suite.kind}-${suite.startedAt.replace(/[:.]/g, '-')}.json`), suite)
  }

  const main = full ? 1 : 0.01
  const reuse = args.has('reuse')
  const generate = async (target: Target, factor: number) => {
    if (reuse && target.kind === 'sqlite' && fs.existsSync(target.file)) {
      suite.notes.push(`reused ${path.basename(target.file)} (--reuse)`)
      // The summary generate.ts wrote when it made that district, if kept.
      const made = path.join(path.dirname(target.file), `generate-${scaleName(factor)}-sqlite.json`)
      if (fs.existsSync(made)) suite.generation.push(JSON.parse(fs.readFileSync(made, 'utf8')) as GenerateSummary)
      return
    }
    if (reuse && target.kind === 'postgres' && (await pgApplications(target.url)) >= 0.99 * factor * 1_000_000) {
      suite.notes.push(`reused the PostgreSQL district at ${new URL(target.url).pathname} (--reuse)`)
      const made = path.join(dataDir, `generate-${scaleName(factor)}-postgres.json`)
      if (fs.existsSync(made)) suite.generation.push(JSON.parse(fs.readFileSync(made, 'utf8')) as GenerateSummary)
      return
    }
    suite.generation.push(await generateDistrict({ target, factor }))
  }

  // ----- SQLite -----------------------------------------------------------------------------------
  const sqliteMain = sqliteAt(main)
  await generate(sqliteMain, main)
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work()
    } catch (error) {
      suite.notes.push(`${what} failed: ${error instanceof Error ? error.message : String(error)}`)
      console.error(error)
    }
    save()
  }
  await attempt('SQLite load', async () => {
    suite.load.push(await runLoad({ target: sqliteMain, nodes: 1, duration, connections }))
  })
  // Submissions with WORKERS=2: two processes on the one SQLite file, taking turns at its write gate.
  await attempt('SQLite load, 2 worker processes', async () => {
    suite.load.push(
      await runLoad({
        target: sqliteMain,
        nodes: 1,
        workers: 2,
        duration,
        connections,
        scenarios: ['bare-const', 'submission', 'submission-api'],
      }),
    )
  })

  // ----- PostgreSQL: one node, then two behind the round-robin proxy --------------------------------
  const pgMain: Target = { kind: 'postgres', url: pgUrl }
  // --pg-scale 100k: a smaller PostgreSQL district when the machine cannot load a million in time.
  const pgScale = args.has('pg-scale') ? parseScale(args.get('pg-scale')) : main
  if (pgScale !== main) suite.notes.push(`PostgreSQL district at scale ${scaleName(pgScale)} (--pg-scale)`)
  if (havePg) {
    await generate(pgMain, pgScale)
    await attempt('PostgreSQL load, 1 node', async () => {
      suite.load.push(await runLoad({ target: pgMain, nodes: 1, duration, connections }))
    })
    await attempt('PostgreSQL load, 2 nodes', async () => {
      suite.load.push(await runLoad({ target: pgMain, nodes: 2, duration, connections }))
    })
  }

  // ----- the scale curve ------------------------------------------------------------------------------
  const scales = full ? [0.01, 0.1, 1] : [0.01]
  for (const scale of scales) {
    const t = sqliteAt(scale)
    if (!fs.existsSync(t.file)) await generate(t, scale)
    // The generator builds the statistics' daily summary, so a year at 1M is measured too.
    await attempt(`curve at ${scaleName(scale)}`, async () => {
      suite.curve.push(await measureCurve(t, { runs: full ? 20 : 8 }))
    })
  }
  if (havePg) {
    await attempt('PostgreSQL curve', async () => {
      suite.curve.push(await measureCurve(pgMain, { runs: full ? 20 : 8 }))
    })
  }
  save()
  console.log(`[bench] ${suite.kind} run done in ${suite.seconds} s: bench/results/latest.md`)
}

// ---------------------------------------------------------------------------------------------
// The readable summary

const TARGETS = `Targets (issue 9, on this 2-core machine): guide page and search ≥ 40% of the bare constant route's
throughput with p99 < 50 ms; "my applications" and the inbox at 1M applications p99 < 100 ms; ≥ 300
submissions/s on SQLite, none lost or duplicated; statistics of a year of 1M applications < 1 s.`

export function summary(s: Suite): string {
  const lines: string[] = []
  lines.push(`# Benchmark results (${s.kind} run)`, '')
  lines.push(
    `${s.startedAt} – ${s.finishedAt ?? '…'} (${s.seconds ?? '?'} s). Machine: ${s.machine.cpus} × ${s.machine.cpuModel}, ${s.machine.memoryGb} GB, Node ${s.machine.node}, ${s.machine.platform}.`,
    `Load average at start ${s.machine.loadAverageAtStart.join(' / ')}, at end ${s.machine.loadAverageAtEnd?.join(' / ') ?? '?'} (above 2 means other work shared the two cores).`,
    '',
    TARGETS,
    '',
  )
  for (const n of s.notes) lines.push(`- ${n}`)
  if (s.notes.length) lines.push('')
  if (s.generation.length) {
    lines.push(
      '## Generated districts',
      '',
      '| target | scale | applications | persons | events | licenses | ratings | seconds | slowest phase |',
      '|---|---|---|---|---|---|---|---|---|',
    )
    for (const g of s.generation) {
      const slow = Object.entries(g.phases).sort((a, b) => b[1].seconds - a[1].seconds)[0]
      lines.push(
        `| ${g.target} | ${g.scale} | ${g.counts.applications} | ${g.counts.persons} | ${g.counts.events} | ${g.counts.licenses} | ${g.counts.ratings} | ${g.seconds.toFixed(0)} | ${slow?.[0]} ${slow?.[1].seconds.toFixed(0)} s (${slow?.[1].rowsPerSecond} ${slow?.[1].unit ?? 'rows'}/s) |`,
      )
    }
    lines.push('')
  }
  for (const l of s.load) {
    const workers = (l.workers ?? 1) > 1 ? ` of ${l.workers} worker processes (WORKERS=${l.workers})` : ''
    lines.push(`## Load: ${l.target}, ${l.nodes} node${l.nodes > 1 ? 's (round-robin proxy)' : ''}${workers}`, '')
    lines.push(
      '| scenario | req/s | of bare const | p50 ms | p95 ms | p99 ms | errors | status codes |',
      '|---|---|---|---|---|---|---|---|',
    )
    for (const r of l.scenarios) {
      if (r.requests === 0) {
        lines.push(
          `| ${r.scenario} | no answer within the ${r.seconds} s of the run (every request took longer) | | | | | | |`,
        )
        continue
      }
      const ratio = l.ratios?.[r.scenario]
      const thr = r.perSecond !== undefined ? `${r.throughput} (${r.perSecond} submissions/s)` : `${r.throughput}`
      // Guide and search also against the bare route sending a page of the guide's size.
      const page = l.scenarios.find((x) => x.scenario === 'bare-page')
      const ofPage =
        page && (r.scenario === 'guide' || r.scenario === 'search')
          ? ` (${((100 * r.throughput) / page.throughput).toFixed(1)}% of bare-page)`
          : ''
      lines.push(
        `| ${r.scenario} | ${thr} | ${ratio !== undefined ? `${(ratio * 100).toFixed(1)}%` : ''}${ofPage} | ${r.latency.p50} | ${r.latency.p95} | ${r.latency.p99} | ${r.errors} | ${Object.entries(
          r.statusCodes,
        )
          .map(([k, v]) => `${k}×${v}`)
          .join(' ')} |`,
      )
    }
    for (const k of l.skipped) lines.push(`| ${k.scenario} | skipped: ${k.reason} | | | | | | |`)
    lines.push('')
    for (const [label, x] of [
      ['Submissions (web form, three requests)', l.submissions],
      ['Submissions (one request, POST /api/applications/submissions/:itemId)', l.apiSubmissions],
    ] as const) {
      if (!x) continue
      lines.push(
        `${label}: ${x.acknowledged} acknowledged, ${x.inDatabase} in the database; lost ${x.lost}, duplicated ${x.duplicated}, created without acknowledgement ${x.unacknowledged}.`,
        '',
      )
    }
    if (l.sweeps) {
      lines.push(
        `Background sweeps (every node runs them): ${l.sweeps.checks.map((c) => `${c.name}: ${c.before} → ${c.total}, doubled ${c.duplicates}`).join('; ')}.`,
        '',
      )
    }
  }
  if (s.curve.length) {
    const names = [...new Set(s.curve.flatMap((p) => p.timings.map((t) => t.name)))]
    lines.push('## Scale curve (in-process, one request at a time; wall median / p95 ms, and CPU ms a request)', '')
    lines.push(
      `| district | applications | items | ${names.join(' | ')} |`,
      `|---|---|---|${names.map(() => '---').join('|')}|`,
    )
    for (const p of s.curve) {
      const cell = (n: string) => {
        const t = p.timings.find((x) => x.name === n)
        return t ? `${t.medianMs} / ${t.p95Ms} (CPU ${t.cpuMs})` : '–'
      }
      lines.push(`| ${p.target} | ${p.applications} | ${p.items} | ${names.map(cell).join(' | ')} |`)
    }
    lines.push('')
  }
  return `${lines.join('\n')}\n`
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
