/**
 * Before and after on the same machine, in the same hour: runs load scenarios alternately against
 * another revision (checked out in a git worktree) and this checkout, run after run, and prints
 * each side's throughput and p99 with the median and the change. On a shared machine whose speed
 * moves by half from hour to hour, this is the comparison that means something (docs/performance.md,
 * ninth round).
 *
 *   npx tsx bench/compare.ts --rev 1873a95 --db bench/data/district-10k.sqlite \
 *     --scenarios bare-const,submission-api --runs 3 --fresh 10k [--workers 2] [--duration 20] [--same-upload]
 *
 * `--fresh <scale>` generates the district again (with this checkout's generator) before every
 * run: the submission scenarios need people who have never applied. The other revision runs with
 * this checkout's node_modules. Writes bench/results/compare-<rev>.json.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { BENCH_DIR, PROJECT_ROOT, parseArgs, writeJson } from './common.js'
import type { LoadReport } from './load.js'

interface Side {
  name: string
  root: string
  runs: LoadReport[]
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim()
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function main(): void {
  const args = parseArgs()
  const rev = args.get('rev')
  if (!rev) throw new Error('--rev <git revision> is required (the "before" side)')
  const db = args.get('db') ?? path.join(BENCH_DIR, 'data', 'district-10k.sqlite')
  const dbArg = /^postgres/.test(db) ? db : path.resolve(db)
  const runs = Number(args.get('runs') ?? 3)
  const fresh = args.get('fresh')
  const sha = git('rev-parse', '--short', rev)
  const head = git('rev-parse', '--short', 'HEAD')
  if (git('diff', '--name-only', sha, 'HEAD', '--', 'package-lock.json')) {
    console.warn(`[compare] package-lock.json differs between ${sha} and HEAD: ${sha} runs with HEAD's node_modules`)
  }

  const tree = path.join(BENCH_DIR, 'tmp', `compare-${sha}`)
  if (existsSync(tree)) git('worktree', 'remove', '--force', tree)
  mkdirSync(path.dirname(tree), { recursive: true })
  git('worktree', 'add', '--detach', tree, sha)
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(tree, 'node_modules'))

  const load = ['bench/load.ts', '--db', dbArg, '--duration', args.get('duration') ?? '20']
  for (const key of ['scenarios', 'workers', 'nodes', 'connections', 'same-upload']) {
    const value = args.get(key)
    if (value) load.push(`--${key}`, value)
  }
  const sides: Side[] = [
    { name: `${sha} (before)`, root: tree, runs: [] },
    { name: `${head} (HEAD)`, root: PROJECT_ROOT, runs: [] },
  ]
  try {
    for (let run = 1; run <= runs; run++) {
      // Alternate which side goes first, so that neither always follows the other.
      const order = run % 2 ? sides : [...sides].reverse()
      for (const side of order) {
        if (fresh) {
          console.log(`[compare] run ${run}/${runs}: generating the district (${fresh})`)
          const made = spawnSync('npx', ['tsx', 'bench/generate.ts', '--scale', fresh, '--db', dbArg], {
            cwd: PROJECT_ROOT,
            stdio: ['ignore', 'ignore', 'inherit'],
          })
          if (made.status !== 0) throw new Error('generating the district failed')
        }
        console.log(`[compare] run ${run}/${runs}: ${side.name}`)
        const before = Date.now()
        const ran = spawnSync('npx', ['tsx', ...load], { cwd: side.root, encoding: 'utf8' })
        if (ran.status !== 0) throw new Error(`${side.name}: bench/load.ts failed\n${ran.stderr}`)
        const out = /\[load\] report: (\S+)/.exec(ran.stdout)?.[1]
        if (!out) throw new Error(`${side.name}: no report in the output of bench/load.ts`)
        const report = JSON.parse(readFileSync(path.join(side.root, out), 'utf8')) as LoadReport
        side.runs.push(report)
        for (const s of report.scenarios) {
          console.log(
            `[compare]   ${s.scenario.padEnd(17)} ${String(s.perSecond ?? s.throughput).padStart(9)}/s  p99 ${s.latency.p99} ms  errors ${s.errors}`,
          )
        }
        console.log(`[compare]   (${((Date.now() - before) / 1000).toFixed(0)} s)`)
      }
    }
  } finally {
    git('worktree', 'remove', '--force', tree)
  }

  const names = [...new Set(sides.flatMap((side) => side.runs.flatMap((r) => r.scenarios.map((s) => s.scenario))))]
  const rows = names.map((scenario) => {
    const [before, after] = sides.map((side) =>
      side.runs.flatMap((r) => r.scenarios.filter((s) => s.scenario === scenario)),
    ) as [LoadReport['scenarios'], LoadReport['scenarios']]
    const rate = (list: LoadReport['scenarios']) => list.map((s) => s.perSecond ?? s.throughput)
    const m0 = median(rate(before))
    const m1 = median(rate(after))
    return {
      scenario,
      before: rate(before),
      after: rate(after),
      p99Before: before.map((s) => s.latency.p99),
      p99After: after.map((s) => s.latency.p99),
      errors: [...before, ...after].reduce((n, s) => n + s.errors, 0),
      change: m0 > 0 ? (m1 - m0) / m0 : 0,
    }
  })
  const list = (values: number[]) => values.map((v) => v.toLocaleString('en-US')).join(', ')
  console.log(`\n| scenario (a second) | ${sides[0]!.name} | ${sides[1]!.name} | change of the medians | errors |`)
  console.log('|---|---|---|---|---|')
  for (const r of rows) {
    console.log(
      `| ${r.scenario} | ${list(r.before)}; p99 ${r.p99Before.join(', ')} ms | ${list(r.after)}; p99 ${r.p99After.join(', ')} ms | ${(r.change * 100).toFixed(1)}% | ${r.errors} |`,
    )
  }
  const file = path.join(BENCH_DIR, 'results', `compare-${sha}.json`)
  writeJson(file, { rev: sha, head, db: dbArg, runs, fresh: fresh ?? null, rows, reports: sides })
  console.log(`\n[compare] ${path.relative(PROJECT_ROOT, file)}`)
}

try {
  main()
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
