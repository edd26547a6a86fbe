/**
 * Statistics consistency: a generated data set (300 applications across departments, channels,
 * service points and states, from a seeded PRNG) and every statistic compared with an
 * independent computation, in this file, from the raw rows.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/helpers.js'
import { generateBatch, insertBatch, loadWorld, prng } from '../../../test/supervision-data.js'
import { addCalendarDays, todayInShanghai, type WorkingCalendar } from '../../platform/calendar/index.js'
import { offThreadReads, sqliteDatabase } from '../../platform/db/database.js'
import { OffThreadReader } from '../../platform/db/sqlite-off-thread.js'
import { runSeed } from '../../seed.js'
import { daysUsed } from '../applications/applications.clock.js'
import type {
  ApplicationEventTable,
  ApplicationPauseTable,
  ApplicationTable,
  NoticeTable,
} from '../applications/applications.tables.js'
import { applicationCounts, type SupervisionDimension, type SupervisionFilter } from '../applications/index.js'
import type { RatingFact, RatingsFacts, RectificationFact } from './supervision.ratings.js'
import { computeStatistics, topCorrectedMaterials, weeklyTrend } from './supervision.stats.js'
import { rebuildDay, refreshSummary, rollUpMonth } from './supervision.summary.js'

let t: TestApp
let cal: WorkingCalendar
let apps: ApplicationTable[]
let events: ApplicationEventTable[]
let notices: NoticeTable[]
let pauses: ApplicationPauseTable[]
let ratingFacts: RatingFact[]
let rectificationFacts: RectificationFact[]
const TODAY = '2026-06-30'

/** Stand-in for the ratings module's facts: generated ratings of the completed cases. */
const ratings: RatingsFacts = {
  ratingFacts: async (_db, q) => ratingFacts.filter((r) => !q.departmentId || r.departmentId === q.departmentId),
  rectificationFacts: async (_db, q) =>
    rectificationFacts.filter((r) => !q.departmentId || r.departmentId === q.departmentId),
}

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set(`${TODAY}T04:00:00.000Z`)
  await runSeed(t.modules, { print: false })
  cal = await t.deps.calendar.load()
  const world = await loadWorld(t.db, cal)
  const batch = generateBatch(world, {
    rand: prng(20260627),
    count: 300,
    from: '2026-01-05',
    to: TODAY,
    today: TODAY,
    serial: 1,
  })
  await insertBatch(t.db, batch)
  // Read back what the database holds: the independent computation starts from the raw rows.
  apps = await t.db.selectFrom('applications').selectAll().execute()
  events = await t.db.selectFrom('applicationEvents').selectAll().execute()
  notices = await t.db.selectFrom('notices').selectAll().execute()
  pauses = await t.db.selectFrom('applicationPauses').selectAll().execute()
  const rand = prng(7)
  ratingFacts = []
  rectificationFacts = []
  for (const a of apps.filter((x) => x.state === 'completed')) {
    const ratedAt = new Date(Date.parse(a.completedAt ?? a.decidedAt!) + rand() * 5 * 86_400_000).toISOString()
    const level = 1 + Math.floor(rand() * 5)
    const id = `r-${a.id}`
    ratingFacts.push({
      id,
      applicationId: a.id,
      departmentId: a.departmentId,
      itemId: a.itemId,
      level,
      ratedAt,
      isDefault: rand() < 0.2 ? 1 : 0,
      excluded: rand() < 0.05,
    })
    if (level <= 2) {
      const deadlineOn = addCalendarDays(todayInShanghai(new Date(ratedAt)), 7)
      const answered = rand() < 0.7 ? new Date(Date.parse(ratedAt) + rand() * 12 * 86_400_000).toISOString() : null
      rectificationFacts.push({
        id: `x-${a.id}`,
        ratingId: id,
        applicationId: a.id,
        departmentId: a.departmentId,
        itemId: a.itemId,
        state: answered ? 'replied' : 'rectifying',
        openedAt: ratedAt,
        deadlineOn,
        repliedAt: answered,
      })
    }
  }
})
afterAll(async () => t?.close())

// ---------------------------------------------------------------------------------------------
// The independent computation, straight from the definitions (supervision.stats.ts header).

const startOf = (day: string) => new Date(`${day}T00:00:00+08:00`).getTime()
const inPeriod = (iso: string | null | undefined, f: SupervisionFilter) =>
  Boolean(iso) && Date.parse(iso!) >= startOf(f.from) && Date.parse(iso!) < startOf(addCalendarDays(f.to, 1))
const dayIn = (day: string | null, f: SupervisionFilter) => Boolean(day) && day! >= f.from && day! <= f.to
const shanghai = (iso: string) => todayInShanghai(new Date(iso))
const completion = (a: ApplicationTable) => a.completedAt ?? a.decidedAt

function keyOf(a: ApplicationTable, by: SupervisionDimension): string | null {
  if (by === 'department') return a.departmentId
  if (by === 'item') return a.itemId
  if (by === 'servicePoint') return a.servicePointId
  if (by === 'channel') return a.channel
  return 'all'
}

function matches(a: ApplicationTable, f: SupervisionFilter) {
  if (a.state === 'draft') return false
  if (f.departmentId && a.departmentId !== f.departmentId) return false
  if (f.itemId && a.itemId !== f.itemId) return false
  if (f.channel && a.channel !== f.channel) return false
  if (f.servicePointId && (a.servicePointId ?? 'none') !== f.servicePointId) return false
  return true
}

function p90(values: number[]) {
  if (values.length === 0) return null
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.ceil(0.9 * sorted.length) - 1]!
}

const COUNTED = [
  'received',
  'accepted',
  'deemedAccepted',
  'notAccepted',
  'refused',
  'withdrawn',
  'completed',
  'approved',
  'onlineFull',
  'overdueCompleted',
  'promisedOverdueCompleted',
  'open',
  'openPastDue',
  'corrected',
] as const
type ExpectedGroup = Record<(typeof COUNTED)[number], number> & { used: number[]; promised: number[] }

/**
 * The expected groups: one per value of the dimension with anything to show in the period (a
 * count, a completed case's duration, a rating or a rectification) — a value whose applications
 * did nothing in the period is no group.
 */
function expectedGroups(f: SupervisionFilter, by: SupervisionDimension, asOf: string) {
  const groups = new Map<string | null, ExpectedGroup>()
  const g = (key: string | null) => {
    let found = groups.get(key)
    if (!found) {
      found = {
        ...(Object.fromEntries(COUNTED.map((c) => [c, 0])) as Record<(typeof COUNTED)[number], number>),
        used: [],
        promised: [],
      }
      groups.set(key, found)
    }
    return found
  }
  for (const a of apps.filter((x) => matches(x, f))) {
    const own = events.filter((e) => e.applicationId === a.id)
    const row = g(keyOf(a, by))
    const received = inPeriod(a.submittedAt, f)
    if (received) row.received++
    if (dayIn(a.acceptedOn, f)) {
      row.accepted++
      if (a.deemedAccepted === 1) row.deemedAccepted++
    }
    if (a.state === 'not_accepted' && own.some((e) => e.event === 'reject' && inPeriod(e.at, f))) row.notAccepted++
    if (a.decision === 'refused' && inPeriod(a.decidedAt, f)) row.refused++
    if (inPeriod(a.withdrawnAt, f)) row.withdrawn++
    if (a.state === 'completed' && inPeriod(completion(a), f)) {
      row.completed++
      if (a.decision === 'approved') row.approved++
      if (a.onlineFull === 1) row.onlineFull++
      const day = shanghai(completion(a)!)
      if (a.dueOn && day > a.dueOn) row.overdueCompleted++
      if (a.promisedDueOn && day > a.promisedDueOn) row.promisedOverdueCompleted++
      if (a.acceptedAt) {
        const own = pauses.filter((p) => p.applicationId === a.id)
        const spec = {
          trigger: a.acceptedAt,
          unit: a.promisedUnit,
          budgetDays: a.promisedDays,
          extensionDays: 0,
          pauses: own.map((p) => ({ from: p.fromAt, to: p.toAt, reason: p.reason as 'hearing' })),
        }
        row.used.push(daysUsed(cal, spec, new Date(completion(a)!)))
        row.promised.push(a.promisedDays)
      }
    }
    if (['accepted', 'in_process', 'approved'].includes(a.state) && a.acceptedOn! <= f.to) {
      row.open++
      if (a.paused === 0 && a.dueOn! < asOf) row.openPastDue++
    }
    if (received && own.some((e) => e.event === 'request_correction')) row.corrected++
  }
  // Values with ratings or rectifications in the period only (the case finished before it).
  for (const r of [...ratingFacts, ...rectificationFacts]) {
    const a = apps.find((x) => x.id === r.applicationId)!
    if (!matches(a, f) || !inPeriod('ratedAt' in r ? r.ratedAt : r.openedAt, f)) continue
    if ('ratedAt' in r && r.excluded) continue
    g(keyOf(a, by))
  }
  for (const [key, row] of groups) {
    const active = COUNTED.some((c) => row[c] > 0) || row.used.length > 0
    const rated = expectedSatisfaction(f, by, key, asOf)
    if (!active && rated.total === 0 && rated.rectification.opened === 0) groups.delete(key)
  }
  return groups
}

const rateOf = (part: number, whole: number) => (whole > 0 ? part / whole : null)

function expectedSatisfaction(f: SupervisionFilter, by: SupervisionDimension, key: string | null, asOf: string) {
  const appOf = new Map(apps.map((a) => [a.id, a]))
  const ok = (applicationId: string) => {
    const a = appOf.get(applicationId)!
    return matches(a, f) && keyOf(a, by) === key
  }
  const rated = ratingFacts.filter((r) => !r.excluded && inPeriod(r.ratedAt, f) && ok(r.applicationId))
  const byLevel = [1, 2, 3, 4, 5].map((l) => rated.filter((r) => r.level === l).length)
  const opened = rectificationFacts.filter((r) => inPeriod(r.openedAt, f) && ok(r.applicationId!))
  const answered = opened.filter((r) => r.repliedAt)
  return {
    total: rated.length,
    byLevel,
    defaults: rated.filter((r) => r.isDefault === 1).length,
    bad: byLevel[0]! + byLevel[1]!,
    score: rated.length ? (rated.reduce((s, r) => s + r.level, 0) / rated.length) * 20 : null,
    satisfiedRate: rateOf(byLevel[2]! + byLevel[3]! + byLevel[4]!, rated.length),
    rectification: {
      opened: opened.length,
      answered: answered.length,
      answeredInTime: answered.filter((r) => shanghai(r.repliedAt!) <= r.deadlineOn!).length,
      open: opened.length - answered.length,
      openOverdue: opened.filter((r) => !r.repliedAt && r.deadlineOn! < asOf).length,
    },
  }
}

// ---------------------------------------------------------------------------------------------

const PERIODS: { name: string; filter: SupervisionFilter }[] = [
  { name: 'the half year', filter: { from: '2026-01-01', to: TODAY } },
  { name: 'a month and a half', filter: { from: '2026-03-01', to: '2026-04-15' } },
  { name: 'a period running past today', filter: { from: '2026-06-01', to: '2026-07-31' } },
]
const DIMENSIONS: SupervisionDimension[] = ['all', 'department', 'item', 'servicePoint', 'channel']

describe('the generated data set', () => {
  it('spans departments, channels, service points and every state', () => {
    expect(apps.length).toBeGreaterThan(250)
    expect(new Set(apps.map((a) => a.departmentId)).size).toBeGreaterThan(3)
    expect(new Set(apps.map((a) => a.channel)).size).toBeGreaterThanOrEqual(4)
    expect(new Set(apps.map((a) => a.servicePointId)).size).toBeGreaterThan(2)
    expect(new Set(apps.map((a) => a.state))).toEqual(
      new Set([
        'submitted',
        'correction_requested',
        'not_accepted',
        'in_process',
        'approved',
        'completed',
        'withdrawn',
      ]),
    )
    expect(apps.some((a) => a.deemedAccepted === 1)).toBe(true)
    expect(apps.some((a) => a.promisedUnit === '自然日' && a.state === 'completed')).toBe(true)
    expect(pauses.length).toBeGreaterThan(3)
    expect(notices.filter((n) => n.kind === 'correction').length).toBeGreaterThan(10)
  })
})

// Twice: counted from the records alone, and with the days up to yesterday read from the daily
// summary (supervision.summary.ts), built from the same records.
for (const source of ['records', 'summary'] as const) {
  describe(`every statistic equals the independent computation from the raw rows (${source})`, () => {
    beforeAll(async () => {
      if (source === 'summary') {
        const built = await refreshSummary(t.deps, { ratings, full: true })
        expect(built.ran).toBe(true)
        expect(built.builtThrough).toBe(addCalendarDays(TODAY, -1))
      }
    })

    for (const { name, filter } of PERIODS) {
      for (const by of DIMENSIONS) {
        it(`${name}, by ${by}`, async () => {
          const stats = await computeStatistics(t.deps, { ...filter, by }, { ratings, source })
          const asOf = filter.to < TODAY ? filter.to : TODAY
          expect(stats.asOf).toBe(asOf)
          expect(stats.summarisedThrough).toBe(
            source === 'records' ? null : filter.to < TODAY ? filter.to : addCalendarDays(TODAY, -1),
          )
          const expected = expectedGroups(filter, by, asOf)
          const got = new Map(stats.groups.map((g) => [g.key, g]))
          expect(new Set(got.keys())).toEqual(new Set(expected.keys()))
          for (const [key, e] of expected) {
            const actual = got.get(key)!
            const { used, promised, ...counts } = e
            for (const [field, value] of Object.entries(counts)) {
              expect(actual[field as keyof typeof actual], `${key} ${field}`).toBe(value)
            }
            expect(actual.onlineRate).toEqual(rateOf(counts.onlineFull, counts.completed))
            expect(actual.overdueRate).toEqual(
              rateOf(counts.overdueCompleted + counts.openPastDue, counts.completed + counts.open),
            )
            expect(actual.correctionRate).toEqual(rateOf(counts.corrected, counts.received))
            expect(actual.duration.count, `${key} durations`).toBe(used.length)
            if (used.length > 0) {
              expect(actual.duration.averageUsed).toBeCloseTo(used.reduce((s, x) => s + x, 0) / used.length, 9)
              expect(actual.duration.p90Used).toBe(p90(used))
              expect(actual.duration.averagePromised).toBeCloseTo(
                promised.reduce((s, x) => s + x, 0) / promised.length,
                9,
              )
              expect(actual.duration.withinPromisedRate).toBeCloseTo(
                used.filter((u, i) => u <= promised[i]!).length / used.length,
                9,
              )
            }
            const sat = expectedSatisfaction(filter, by, key, asOf)
            expect(actual.satisfaction, `${key} satisfaction`).toMatchObject({
              total: sat.total,
              byLevel: sat.byLevel,
              defaults: sat.defaults,
              bad: sat.bad,
              rectification: sat.rectification,
            })
            if (sat.score === null) expect(actual.satisfaction?.score).toBeNull()
            else expect(actual.satisfaction?.score).toBeCloseTo(sat.score, 9)
          }
          // The total is the sum over the partition.
          const sum = (field: 'received' | 'completed' | 'corrected') =>
            [...expected.values()].reduce((s, e) => s + e[field], 0)
          expect(stats.total.received).toBe(sum('received'))
          expect(stats.total.completed).toBe(sum('completed'))
          expect(stats.total.corrected).toBe(sum('corrected'))
          expect(stats.total.duration.count).toBe([...expected.values()].reduce((s, e) => s + e.used.length, 0))
        })
      }
    }

    it('gives the groups a page at a time: the pages in turn are the whole list, with the same total', async () => {
      for (const { filter } of PERIODS) {
        for (const by of ['department', 'item', 'servicePoint', 'channel'] as const) {
          const whole = await computeStatistics(t.deps, { ...filter, by }, { ratings, source })
          expect(whole.page).toBeNull()
          expect(whole.groupCount).toBe(whole.groups.length)
          const size = 3
          const pageCount = Math.ceil(whole.groupCount / size)
          const paged = []
          for (let number = 1; number <= pageCount + 1; number++) {
            const page = await computeStatistics(t.deps, { ...filter, by }, { ratings, source, page: { number, size } })
            expect(page.groupCount, `${by} page ${number}`).toBe(whole.groupCount)
            expect(page.page).toEqual({ number, size })
            expect(page.groups.length).toBe(
              number <= pageCount ? Math.min(size, whole.groupCount - (number - 1) * size) : 0,
            )
            expect(page.total, `${by} page ${number} total`).toEqual(whole.total)
            paged.push(...page.groups)
          }
          expect(paged, `${filter.from}–${filter.to} by ${by}`).toEqual(whole.groups)
        }
      }
      // Enough groups to fill several pages.
      const byItem = await computeStatistics(t.deps, { ...PERIODS[0]!.filter, by: 'item' }, { ratings, source })
      expect(byItem.groupCount).toBeGreaterThan(6)
    })

    it('filters by department and channel together', async () => {
      const departmentId = apps[0]!.departmentId
      const filter = { from: '2026-01-01', to: TODAY, departmentId, channel: 'online' }
      const stats = await computeStatistics(t.deps, { ...filter, by: 'item' }, { ratings, source })
      const expected = expectedGroups(filter, 'item', TODAY)
      expect(stats.groups.map((g) => g.key).sort()).toEqual([...expected.keys()].sort())
      for (const [key, e] of expected) {
        const actual = stats.groups.find((g) => g.key === key)!
        expect(actual.received).toBe(e.received)
        expect(actual.completed).toBe(e.completed)
        expect(actual.duration.count).toBe(e.used.length)
      }
    })

    it('ratings counted in SQL-style groups give the same figures as the rows', async () => {
      // The stand-in's counts: the rows of the period grouped as the ratings module's ratingCounts does.
      const counted: RatingsFacts = {
        ...ratings,
        ratingCounts: async (_db, q) => {
          const groups = new Map<string, RatingFact>()
          for (const r of ratingFacts.filter((x) => inPeriod(x.ratedAt, q))) {
            const key = [r.departmentId, r.itemId, r.level, r.isDefault, r.excluded].join('|')
            const g = groups.get(key) ?? { ...r, id: '', applicationId: '', ratedAt: '', count: 0 }
            g.count = (g.count ?? 0) + 1
            groups.set(key, g)
          }
          return [...groups.values()].filter((r) => !q.departmentId || r.departmentId === q.departmentId)
        },
      }
      for (const by of ['all', 'department', 'item'] as const) {
        const filter = { from: '2026-02-01', to: '2026-05-31', by }
        const rows = await computeStatistics(t.deps, filter, { ratings, source })
        const sums = await computeStatistics(t.deps, filter, { ratings: counted, source })
        expect(sums.groups.map((g) => [g.key, g.satisfaction])).toEqual(rows.groups.map((g) => [g.key, g.satisfaction]))
        expect(sums.total.satisfaction).toEqual(rows.total.satisfaction)
      }
    })

    it('filters by the applications filed at no service point', async () => {
      const filter = { from: '2026-01-01', to: TODAY, servicePointId: 'none' }
      const stats = await computeStatistics(t.deps, { ...filter, by: 'channel' }, { source })
      const expected = expectedGroups(filter, 'channel', TODAY)
      for (const [key, e] of expected) expect(stats.groups.find((g) => g.key === key)?.received).toBe(e.received)
      expect(stats.ratingsAvailable).toBe(false)
      expect(stats.total.satisfaction).toBeNull()
    })

    it('counts the materials named in the correction notices of the period', async () => {
      const filter = { from: '2026-02-01', to: '2026-05-31' }
      const got = await topCorrectedMaterials(t.deps, filter, 1000, { source })
      const expected = new Map<string, number>()
      const appOf = new Map(apps.map((a) => [a.id, a]))
      for (const n of notices.filter((x) => x.kind === 'correction' && inPeriod(x.issuedAt, filter))) {
        const problems = (JSON.parse(n.content) as { problems?: { target: string; key: string }[] }).problems ?? []
        for (const p of problems.filter((x) => x.target === 'material')) {
          const k = `${appOf.get(n.applicationId)!.itemId}|${p.key}`
          expected.set(k, (expected.get(k) ?? 0) + 1)
        }
      }
      expect(new Map(got.map((g) => [`${g.itemId}|${g.materialCode}`, g.count]))).toEqual(expected)
      expect(got.every((g) => g.materialName.length > 0)).toBe(true)
      // Most often named first.
      expect(got.map((g) => g.count)).toEqual([...got.map((g) => g.count)].sort((a, b) => b - a))
    })

    it('gives the weekly trend from Monday to Sunday', async () => {
      const filter = { from: '2026-03-02', to: '2026-04-26' }
      const weeks = await weeklyTrend(t.deps, filter, { source })
      expect(weeks).toHaveLength(8)
      expect(weeks[0]!.week).toBe('2026-03-02')
      for (const w of weeks) {
        const end = addCalendarDays(w.week, 6)
        const inWeek = (iso: string | null) => Boolean(iso) && shanghai(iso!) >= w.week && shanghai(iso!) <= end
        expect(w.received).toBe(apps.filter((a) => inWeek(a.submittedAt)).length)
        expect(w.completed).toBe(apps.filter((a) => a.state === 'completed' && inWeek(completion(a))).length)
      }
    })
  })
}

describe('the corrected cases (补正) of a period', () => {
  it('are the same whether found from the requests since it began or from its own cases', async () => {
    const corrected = new Set(events.filter((e) => e.event === 'request_correction').map((e) => e.applicationId))
    // Every week of the data, and its first day, counted both ways: the present a day after the
    // period (from the requests since) and a year after it (from its cases).
    for (let from = '2026-01-05'; from <= TODAY; from = addCalendarDays(from, 7)) {
      for (const to of [from, addCalendarDays(from, 6)]) {
        const expected = apps.filter(
          (a) =>
            a.submittedAt && shanghai(a.submittedAt) >= from && shanghai(a.submittedAt) <= to && corrected.has(a.id),
        ).length
        const counted = async (now: string) => {
          const rows = await applicationCounts(t.db, { from, to }, 'all', to, 'events', new Date(now))
          return rows.reduce((sum, r) => sum + r.corrected, 0)
        }
        expect(await counted(`${addCalendarDays(to, 1)}T12:00:00+08:00`), `${from}…${to}`).toBe(expected)
        expect(await counted(`${addCalendarDays(to, 365)}T12:00:00+08:00`), `${from}…${to}`).toBe(expected)
      }
    }
    expect(corrected.size).toBeGreaterThan(10)
  })
})

describe('the daily summary', () => {
  const year = { from: '2026-01-01', to: TODAY }

  it('is what the statistics read for the days it holds: whole months rolled up, other days by day', async () => {
    await refreshSummary(t.deps, { ratings, full: true })
    // June is not over (today is its last day). A period to yesterday reads June's roll-up, which
    // holds its days up to yesterday; a period ending earlier in June reads those days day by day.
    const toJune28 = { from: year.from, to: '2026-06-28' }
    const before = await computeStatistics(t.deps, { ...year, by: 'all' })
    const beforeJune28 = await computeStatistics(t.deps, { ...toJune28, by: 'all' })
    expect(
      (await t.db.selectFrom('supervisionMonthThrough').selectAll().where('month', '=', '2026-06').execute()).map((r) =>
        String(r.through),
      ),
    ).toEqual([addCalendarDays(TODAY, -1)])
    const day = await t.db
      .selectFrom('supervisionDayCounts')
      .selectAll()
      .where('received', '>', 0)
      .where('day', '>=', '2026-06-01')
      .where('day', '<=', toJune28.to)
      .executeTakeFirstOrThrow()
    await t.db
      .updateTable('supervisionDayCounts')
      .set({ received: day.received + 1000 })
      .where('day', '=', day.day)
      .where('departmentId', '=', day.departmentId)
      .where('itemId', '=', day.itemId)
      .where('servicePointId', '=', day.servicePointId)
      .where('channel', '=', day.channel)
      .execute()
    // … and in its rows per department and channel, per item and per service point.
    for (const [level, key, value] of [
      ['dept', 'channel', day.channel],
      ['item', 'item_id', day.itemId],
      ['point', 'service_point_id', day.servicePointId],
    ] as const) {
      await sql`update ${sql.table(`supervision_day_${level}_counts`)} set received = received + 1000
        where day = ${day.day} and department_id = ${day.departmentId} and ${sql.ref(key)} = ${value}`.execute(t.db)
    }
    // March is whole: it is read from its monthly roll-up — per department and channel for the
    // statistics of all, by department or by channel; per item by item; per service point by
    // service point; per cell when items of one channel are asked for.
    const march = (
      await sql<{ departmentId: string; itemId: string; channel: string }>`
        select department_id, item_id, channel from supervision_month_counts
        where month = '2026-03' and received > 0 order by department_id, item_id, channel limit 1`.execute(t.db)
    ).rows[0]!
    const rowsOf = async (table: string, where: ReturnType<typeof sql>) =>
      Number(
        (
          await sql<{
            n: number
          }>`select count(*) as n from ${sql.table(table)} where month = '2026-03' and ${where}`.execute(t.db)
        ).rows[0]!.n,
      )
    const tamper = async (table: string, where: ReturnType<typeof sql>, add: number) => {
      const rows = await rowsOf(table, where)
      expect(rows, table).toBeGreaterThan(0)
      await sql`update ${sql.table(table)} set received = received + ${add} where month = '2026-03' and ${where}`.execute(
        t.db,
      )
      return rows * add
    }
    const ofDepartment = sql`department_id = ${march.departmentId}`
    const channel = march.channel
    const oneChannel = { ...year, channel }
    const beforeOneChannel = await computeStatistics(t.deps, { ...oneChannel, by: 'item' })
    const cellAdded = await tamper(
      'supervision_month_counts',
      sql`${ofDepartment} and item_id = ${march.itemId} and channel = ${channel}`,
      70,
    )
    const deptAdded = await tamper('supervision_month_dept_counts', ofDepartment, 500)
    const itemAdded = await tamper(
      'supervision_month_item_counts',
      sql`${ofDepartment} and item_id = ${march.itemId}`,
      30,
    )
    const pointAdded = await tamper('supervision_month_point_counts', ofDepartment, 20)
    // What was read from the summary is kept while its generation stands (every writer of the
    // summary moves it on in the same transaction); these changes went behind the writers' back.
    const kept = await computeStatistics(t.deps, { ...year, by: 'all' })
    expect(kept.total.received).toBe(before.total.received)
    await sql`update supervision_summary_state set generation = generation + 1`.execute(t.db)
    const tampered = await computeStatistics(t.deps, { ...year, by: 'all' })
    // (the June day's change is not seen to yesterday: June is read from its roll-up)
    expect(tampered.total.received).toBe(before.total.received + deptAdded)
    const byChannel = await computeStatistics(t.deps, { ...year, by: 'channel' })
    expect(byChannel.total.received).toBe(before.total.received + deptAdded)
    const byItem = await computeStatistics(t.deps, { ...year, by: 'item' })
    expect(byItem.total.received).toBe(before.total.received + itemAdded)
    const byPoint = await computeStatistics(t.deps, { ...year, by: 'servicePoint' })
    expect(byPoint.total.received).toBe(before.total.received + pointAdded)
    const byItemOfChannel = await computeStatistics(t.deps, { ...oneChannel, by: 'item' })
    expect(byItemOfChannel.total.received).toBe(beforeOneChannel.total.received + cellAdded)
    // To June 28, June's days are read day by day: the day's change is seen.
    for (const [by, added] of [
      ['all', deptAdded],
      ['item', itemAdded],
      ['servicePoint', pointAdded],
    ] as const) {
      const june28 = await computeStatistics(t.deps, { ...toJune28, by })
      expect(june28.total.received, by).toBe(beforeJune28.total.received + 1000 + added)
    }
    // June's roll-up is read only while it holds exactly the period's days: changed behind its
    // back, it is seen; said to reach another day, June is read day by day again.
    const juneAdded = await (async () => {
      const where = sql`department_id = ${day.departmentId}`
      const rows = Number(
        (
          await sql<{ n: number }>`select count(*) as n from supervision_month_dept_counts
            where month = '2026-06' and ${where}`.execute(t.db)
        ).rows[0]!.n,
      )
      expect(rows).toBeGreaterThan(0)
      await sql`update supervision_month_dept_counts set received = received + 3 where month = '2026-06' and ${where}`.execute(
        t.db,
      )
      return rows * 3
    })()
    await sql`update supervision_summary_state set generation = generation + 1`.execute(t.db)
    expect((await computeStatistics(t.deps, { ...year, by: 'all' })).total.received).toBe(
      before.total.received + deptAdded + juneAdded,
    )
    await t.db
      .updateTable('supervisionMonthThrough')
      .set({ through: toJune28.to })
      .where('month', '=', '2026-06')
      .execute()
    await sql`update supervision_summary_state set generation = generation + 1`.execute(t.db)
    expect((await computeStatistics(t.deps, { ...year, by: 'all' })).total.received).toBe(
      before.total.received + 1000 + deptAdded,
    )
    // A full rebuild counts the days again from the records.
    await refreshSummary(t.deps, { ratings, full: true })
    const rebuilt = await computeStatistics(t.deps, { ...year, by: 'all' })
    expect(rebuilt.total.received).toBe(before.total.received)
  })

  it('picks up a change to the records of a past day at the next refresh, rebuilding only the days it touches', async () => {
    await refreshSummary(t.deps, { ratings, full: true })
    const corrected = new Set(events.filter((e) => e.event === 'request_correction').map((e) => e.applicationId))
    const app = apps.find(
      (a) =>
        a.submittedAt &&
        !corrected.has(a.id) &&
        a.state !== 'draft' &&
        shanghai(a.submittedAt) < addCalendarDays(TODAY, -20),
    )!
    expect(app).toBeDefined()
    const now = t.clock.now().toISOString()
    // What the service does when it asks for a correction: an event, and the case changes.
    await t.db
      .insertInto('applicationEvents')
      .values({
        id: `ev-${app.id}`,
        applicationId: app.id,
        seq: 99,
        event: 'request_correction',
        fromState: app.state,
        toState: app.state,
        actorType: 'staff',
        actorId: null,
        actorRole: null,
        enterpriseId: null,
        channel: null,
        reason: null,
        noticeId: null,
        taskId: null,
        details: null,
        at: now,
      })
      .execute()
    await t.db.updateTable('applications').set({ updatedAt: now }).where('id', '=', app.id).execute()

    const records = await computeStatistics(t.deps, { ...year, by: 'department' }, { source: 'records' })
    const stale = await computeStatistics(t.deps, { ...year, by: 'department' })
    expect(stale.total.corrected).toBe(records.total.corrected - 1)

    const refreshed = await refreshSummary(t.deps, { ratings })
    expect(refreshed.ran).toBe(true)
    expect(refreshed.days).toContain(shanghai(app.submittedAt!))
    expect(refreshed.days.length).toBeLessThan(10)
    const fresh = await computeStatistics(t.deps, { ...year, by: 'department' })
    expect(fresh.total.corrected).toBe(records.total.corrected)
    expect(fresh.groups.map((g) => [g.key, g.corrected])).toEqual(records.groups.map((g) => [g.key, g.corrected]))
  })

  it('writes nothing when a refresh finds no figure changed, so the statistics kept stay', async () => {
    await refreshSummary(t.deps, { ratings, full: true })
    const generation = async () =>
      (await t.db.selectFrom('supervisionSummaryState').select('generation').executeTakeFirstOrThrow()).generation
    const before = await generation()
    // A case changed in a way no past day's figure depends on (its updated_at moved, nothing else).
    const app = apps.find((a) => a.submittedAt && shanghai(a.submittedAt) < addCalendarDays(TODAY, -20))!
    await t.db
      .updateTable('applications')
      .set({ updatedAt: t.clock.now().toISOString() })
      .where('id', '=', app.id)
      .execute()
    const refreshed = await refreshSummary(t.deps, { ratings })
    expect(refreshed.days).toContain(shanghai(app.submittedAt!))
    expect(await generation()).toBe(before)
    // A full rebuild writes every day again.
    await refreshSummary(t.deps, { ratings, full: true })
    expect(await generation()).toBeGreaterThan(before)
  })

  it('is refreshed by one process at a time, and never holds a day twice', async () => {
    const [a, b] = await Promise.all([
      refreshSummary(t.deps, { ratings, full: true }),
      refreshSummary(t.deps, { ratings, full: true }),
    ])
    expect([a.ran, b.ran].filter(Boolean)).toHaveLength(1)
    const doubled = await t.db
      .selectFrom('supervisionDayCounts')
      .select(['day', 'departmentId', 'itemId', 'servicePointId', 'channel', (eb) => eb.fn.countAll().as('n')])
      .groupBy(['day', 'departmentId', 'itemId', 'servicePointId', 'channel'])
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute()
    expect(doubled).toEqual([])
    const records = await computeStatistics(t.deps, { ...year, by: 'item' }, { ratings, source: 'records' })
    const summary = await computeStatistics(t.deps, { ...year, by: 'item' }, { ratings })
    expect(summary.summarisedThrough).toBe(addCalendarDays(TODAY, -1))
    expect(summary.groups).toEqual(records.groups)
    expect(summary.total).toEqual(records.total)
  })

  it('builds a long history over several rounds, right in between', async () => {
    const first = await refreshSummary(t.deps, { ratings, full: true, maxDays: 60 })
    expect(first.days).toHaveLength(60)
    expect(first.pending).toBeGreaterThan(0)
    const through = first.builtThrough!
    expect(through < addCalendarDays(TODAY, -1)).toBe(true)
    const halfway = await computeStatistics(t.deps, { ...year, by: 'department' }, { ratings })
    expect(halfway.summarisedThrough).toBe(through)
    const records = await computeStatistics(t.deps, { ...year, by: 'department' }, { ratings, source: 'records' })
    expect(halfway.groups).toEqual(records.groups)
    expect(halfway.total).toEqual(records.total)
    let rounds = 1
    for (let last = first; last.pending > 0; rounds++) {
      const before = last.builtThrough!
      last = await refreshSummary(t.deps, { ratings, maxDays: 60 })
      expect(last.builtThrough! > before).toBe(true)
    }
    expect(rounds).toBeGreaterThan(2)
    expect((await t.db.selectFrom('supervisionSummaryState').selectAll().executeTakeFirstOrThrow()).builtThrough).toBe(
      addCalendarDays(TODAY, -1),
    )
    const done = await computeStatistics(t.deps, { ...year, by: 'department' }, { ratings })
    expect(done.groups).toEqual(records.groups)
  })

  it('lets requests in while it rebuilds a day or rolls up a month', async () => {
    // On SQLite the statements run on the event loop's thread: a turn of the loop between them.
    let turns = 0
    let running = true
    const spin = () => {
      if (!running) return
      turns++
      setImmediate(spin)
    }
    const during = async (work: () => Promise<void>) => {
      turns = 0
      running = true
      setImmediate(spin)
      try {
        await work()
      } finally {
        running = false
      }
      return turns
    }
    expect(await during(() => rebuildDay(t.deps, '2026-05-12', ratings, { whole: true }))).toBeGreaterThanOrEqual(10)
    expect(await during(() => rollUpMonth(t.db, '2026-05', '2026-05-31'))).toBeGreaterThanOrEqual(10)
  })

  /** The summary's tables of a grain, cells and every coarser level. */
  const summaryTables = (grain: 'day' | 'month') =>
    ['counts', 'durations', 'ratings', 'materials'].flatMap((stem) =>
      (stem === 'materials' ? ['', 'dept_'] : ['', 'dept_', 'point_', 'item_']).map(
        (l) => `supervision_${grain}_${l}${stem}`,
      ),
    )
  /** Each row of a day or month, by where it is stored: a row written again (even the same) is stored anew. */
  const stored = async (grain: 'day' | 'month', value: string) => {
    const rowId = t.deps.dialect === 'postgres' ? sql`ctid::text` : sql`rowid`
    const rows = new Map<string, string>()
    for (const table of summaryTables(grain)) {
      const found = await sql<Record<string, unknown>>`select *, ${rowId} as yw_row_id from ${sql.table(table)}
        where ${sql.ref(grain)} = ${value}`.execute(t.db)
      for (const { ywRowId, ...row } of found.rows)
        rows.set(`${table} ${String(ywRowId)}`, JSON.stringify([table, row]))
    }
    return rows
  }
  /** How many rows of `after` were written (not where they were with the same content), and how many of `before` went. */
  const writtenBetween = (before: Map<string, string>, after: Map<string, string>) => ({
    written: [...after].filter(([at, row]) => before.get(at) !== row).length,
    gone: [...before.keys()].filter((at) => !after.has(at)).length,
  })

  it('rebuilds a day by writing only the rows that differ, the same rows as a rebuild afresh', async () => {
    await refreshSummary(t.deps, { ratings, full: true })
    // The busiest day, and one of its cases moved to another service point.
    const perDay = new Map<string, number>()
    for (const a of apps)
      if (a.submittedAt) perDay.set(shanghai(a.submittedAt), (perDay.get(shanghai(a.submittedAt)) ?? 0) + 1)
    const day = [...perDay].filter(([d]) => d < addCalendarDays(TODAY, -1)).sort((a, b) => b[1] - a[1])[0]![0]
    const app = apps.find((a) => a.servicePointId && a.submittedAt && shanghai(a.submittedAt) === day)!
    const other = apps.find((a) => a.servicePointId && a.servicePointId !== app.servicePointId)!.servicePointId!
    const setPoint = (point: string) =>
      t.db.updateTable('applications').set({ servicePointId: point }).where('id', '=', app.id).execute()
    try {
      await setPoint(other)
      const before = await stored('day', day)
      await rebuildDay(t.deps, day, ratings)
      const after = await stored('day', day)
      const { written } = writtenBetween(before, after)
      expect(written).toBeGreaterThan(0)
      expect(written).toBeLessThan(after.size / 4)
      // The same rows as a rebuild into empty tables.
      for (const table of summaryTables('day'))
        await sql`delete from ${sql.table(table)} where day = ${day}`.execute(t.db)
      await rebuildDay(t.deps, day, ratings)
      const afresh = await stored('day', day)
      expect([...afresh.values()].sort()).toEqual([...after.values()].sort())
    } finally {
      await setPoint(app.servicePointId!)
      await rebuildDay(t.deps, day, ratings)
    }
    const records = await computeStatistics(t.deps, { ...year, by: 'servicePoint' }, { ratings, source: 'records' })
    const summary = await computeStatistics(t.deps, { ...year, by: 'servicePoint' }, { ratings })
    expect(summary.groups).toEqual(records.groups)
  })

  it('rolls a month up by writing only the rows that differ, the same rows as a roll-up afresh', async () => {
    await refreshSummary(t.deps, { ratings, full: true })
    const month = '2026-05'
    // The May cases of an item at a service point move to another point: their cells go (and
    // others change); May's days are rebuilt, as the refresh would rebuild the days they touch.
    const app = apps.find((a) => a.servicePointId && a.submittedAt && shanghai(a.submittedAt).startsWith(month))!
    const other = apps.find((a) => a.servicePointId && a.servicePointId !== app.servicePointId)!.servicePointId!
    const moved = apps.filter(
      (a) =>
        a.servicePointId === app.servicePointId &&
        a.itemId === app.itemId &&
        a.submittedAt &&
        shanghai(a.submittedAt).startsWith(month),
    )
    const days = Array.from({ length: 31 }, (_, i) => addCalendarDays(`${month}-01`, i))
    const setPoint = async (point: string) => {
      await t.db
        .updateTable('applications')
        .set({ servicePointId: point })
        .where(
          'id',
          'in',
          moved.map((a) => a.id),
        )
        .execute()
      for (const day of days) await rebuildDay(t.deps, day, ratings)
    }
    try {
      await setPoint(other)
      const before = await stored('month', month)
      await rollUpMonth(t.db, month, '2026-05-31')
      const after = await stored('month', month)
      // Rows the roll-up left as they were are where they were: only the ones that differ were written.
      const { written, gone } = writtenBetween(before, after)
      expect(written).toBeGreaterThan(0)
      expect(gone).toBeGreaterThan(0)
      expect(written).toBeLessThan(after.size / 10)
      // The same rows as a roll-up into empty tables.
      for (const table of summaryTables('month')) {
        await sql`delete from ${sql.table(table)} where month = ${month}`.execute(t.db)
      }
      await rollUpMonth(t.db, month, '2026-05-31')
      const afresh = await stored('month', month)
      expect([...afresh.values()].sort()).toEqual([...after.values()].sort())
    } finally {
      await setPoint(app.servicePointId!)
      await rollUpMonth(t.db, month, '2026-05-31')
    }
    const records = await computeStatistics(t.deps, { ...year, by: 'servicePoint' }, { ratings, source: 'records' })
    const summary = await computeStatistics(t.deps, { ...year, by: 'servicePoint' }, { ratings })
    expect(summary.groups).toEqual(records.groups)
  })

  it('counts its days off the event loop on a SQLite file, to the same figures', async () => {
    if (t.deps.dialect === 'postgres') {
      // PostgreSQL's queries never hold the loop: the refresh reads through the database itself.
      expect(offThreadReads(t.db)).toBe(t.db)
      return
    }
    // The test database is in memory (no second connection there): a copy of it on a file.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yw-summary-file-'))
    const file = path.join(dir, 'copy.sqlite')
    await sql`vacuum into ${file}`.execute(t.db)
    const reader = new OffThreadReader(file)
    const db = sqliteDatabase(file, { offThread: reader })
    try {
      const deps = { ...t.deps, db }
      const result = await refreshSummary(deps, { ratings, full: true })
      expect(result.days.length).toBeGreaterThan(100)
      // Every day's counting reads ran there (five a day), and the month roll-ups' (36 a month).
      expect(reader.stats.statements).toBeGreaterThanOrEqual(result.days.length * 5)
      const records = await computeStatistics(deps, { ...year, by: 'item' }, { ratings, source: 'records' })
      const summary = await computeStatistics(deps, { ...year, by: 'item' }, { ratings })
      expect(summary.summarisedThrough).toBe(addCalendarDays(TODAY, -1))
      expect(summary.groups).toEqual(records.groups)
      expect(summary.total).toEqual(records.total)
    } finally {
      await db.destroy()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('adds each day once it has ended', async () => {
    try {
      t.clock.set(`${addCalendarDays(TODAY, 1)}T01:00:00.000Z`)
      const result = await refreshSummary(t.deps, { ratings })
      expect(result.builtThrough).toBe(TODAY)
      expect(result.days).toContain(TODAY)
      const state = await t.db.selectFrom('supervisionSummaryState').selectAll().executeTakeFirstOrThrow()
      expect(state.builtThrough).toBe(TODAY)
      expect(state.leaseHolder).toBeNull()
    } finally {
      t.clock.set(`${TODAY}T04:00:00.000Z`)
    }
  })
})
