/**
 * The statistics of efficiency supervision (效能监管统计), per department, item, service point or
 * channel, for a period of Asia/Shanghai days. Computed from the records — applications, their
 * events and notices (through the applications module's read functions) and the ratings
 * module's facts — never from counters kept beside them (MODEL.md).
 *
 * Definitions (a period P = [from, to], both days included):
 * - 收件 received: submitted in P. 受理 accepted: accepted (or deemed accepted, §32) on a day of P.
 *   不予受理: rejected in P. 不予许可 refused: decided so in P. 撤回 withdrawn in P.
 * - 办结 completed: concluded in P — delivered, or refused and closed (the decision's time then).
 * - 网上全流程办理率 = completed with 网上全流程 / completed (the plan's targets: 70%, then 80%).
 * - 超期率 overdue rate = (completed after the legal due day + open cases past it on `asOf`)
 *   / (completed + open cases accepted by the end of P). `asOf` = the end of P, or today if earlier.
 * - 补正率 correction rate = received in P with at least one correction notice / received.
 * - 用时 days used: the promised clock's `daysUsed` at completion (from the day after acceptance,
 *   pauses taken out, in the item's unit), for completed cases; average, and the 90th percentile
 *   by nearest rank (the smallest value at or below which at least 90% of the cases lie).
 * - 满意度: ratings given in P (appeal-upheld ones left out): count per level (5 非常满意 … 1 非常
 *   不满意); score = average level × 20 (100 when everybody is very satisfied); 满意率 = share of
 *   levels 3–5; 差评 = levels 1–2.
 * - 差评整改率 = rectifications opened in P that the department has answered (reply or
 *   explanation) / rectifications opened in P; 整改及时率 = answered by the deadline / answered.
 */
import { addCalendarDays, dayOfWeek, todayInShanghai } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import {
  type ApplicationCountsRow,
  applicationCounts,
  applicationDailyCounts,
  applicationDimensions,
  applicationDurations,
  type CorrectionMaterialCount,
  type CorrectionMaterialRow,
  correctionMaterialCells,
  correctionMaterialCounts,
  type DurationBucket,
  nameCorrectionMaterials,
  type SupervisionDimension,
  type SupervisionFilter,
} from '../applications/index.js'
import { departmentNames, servicePointNames } from '../identity/index.js'
import {
  answeredAt,
  isExcluded,
  type RatingFact,
  type RatingsFacts,
  type RectificationFact,
} from './supervision.ratings.js'
import {
  type DayRange,
  splitPeriod,
  summaryCounts,
  summaryDaily,
  summaryDurations,
  summaryMaterials,
  summaryRatings,
  summaryState,
  type UsedBucket,
} from './supervision.summary.js'

export const CHANNEL_NAMES: Record<string, string> = {
  online: '网上申请',
  window: '窗口收件',
  proxy: '村居代办',
  kiosk: '自助终端',
  phone: '电话申请',
}

export const DIMENSION_NAMES: Record<SupervisionDimension, string> = {
  all: '全区',
  department: '部门',
  item: '事项',
  servicePoint: '服务点',
  channel: '渠道',
}

export interface DurationStats {
  /** Completed cases with an acceptance (the clock ran). */
  count: number
  averageUsed: number | null
  p90Used: number | null
  averagePromised: number | null
  /** Share completed within the promised limit (days used ≤ promised days). */
  withinPromisedRate: number | null
}

export interface RectificationStats {
  opened: number
  answered: number
  answeredInTime: number
  /** Still owed an answer, and of those past their deadline on `asOf`. */
  open: number
  openOverdue: number
  rate: number | null
  timelinessRate: number | null
}

export interface SatisfactionStats {
  total: number
  /** Ratings per level, index 0 = level 1 (非常不满意) … index 4 = level 5 (非常满意). */
  byLevel: [number, number, number, number, number]
  /** Given by the 7-day default. */
  defaults: number
  bad: number
  score: number | null
  satisfiedRate: number | null
  rectification: RectificationStats
}

export interface GroupStatistics extends Omit<ApplicationCountsRow, 'label'> {
  label: string
  onlineRate: number | null
  overdueRate: number | null
  correctionRate: number | null
  duration: DurationStats
  /** Null when the ratings module is not wired. */
  satisfaction: SatisfactionStats | null
}

export interface StatisticsQuery extends SupervisionFilter {
  by: SupervisionDimension
}

/** A page of the groups: the `number`th (from 1) of `size` groups. */
export interface StatisticsPageRequest {
  number: number
  size: number
}

export interface Statistics {
  query: StatisticsQuery
  /** The day open cases are judged past due on. */
  asOf: string
  total: GroupStatistics
  /** The groups, in order (received, most first; then by name) — only the page asked for, if any. */
  groups: GroupStatistics[]
  /** How many groups there are in all (on every page). */
  groupCount: number
  /** The page of the groups shown (null: all of them). */
  page: StatisticsPageRequest | null
  ratingsAvailable: boolean
  /** The last day of the period read from the daily summary (null: all counted from the records). */
  summarisedThrough: string | null
  /** When the summary was last refreshed. */
  summaryRefreshedAt: string | null
}

export const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null)

const COUNT_FIELDS = [
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
] as const satisfies readonly (keyof ApplicationCountsRow)[]

type Counts = Pick<ApplicationCountsRow, (typeof COUNT_FIELDS)[number]>

const zeroCounts = (): Counts => Object.fromEntries(COUNT_FIELDS.map((f) => [f, 0])) as unknown as Counts

export type { UsedBucket }

export function usedBucketOf(b: DurationBucket): UsedBucket {
  return {
    key: b.key,
    used: b.used,
    count: b.count,
    within: b.used <= b.promisedDays ? b.count : 0,
    promisedSum: b.promisedDays * b.count,
  }
}

/** Average, 90th percentile (nearest rank) and promised-limit figures of a set of buckets. */
export function durationStats(buckets: readonly Omit<UsedBucket, 'key'>[]): DurationStats {
  const count = buckets.reduce((s, b) => s + b.count, 0)
  if (count === 0) {
    return { count: 0, averageUsed: null, p90Used: null, averagePromised: null, withinPromisedRate: null }
  }
  const sorted = [...buckets].sort((a, b) => a.used - b.used)
  const rank = Math.ceil(0.9 * count)
  let seen = 0
  let p90 = sorted[sorted.length - 1]!.used
  for (const b of sorted) {
    seen += b.count
    if (seen >= rank) {
      p90 = b.used
      break
    }
  }
  return {
    count,
    averageUsed: buckets.reduce((s, b) => s + b.used * b.count, 0) / count,
    p90Used: p90,
    averagePromised: buckets.reduce((s, b) => s + b.promisedSum, 0) / count,
    withinPromisedRate: buckets.reduce((s, b) => s + b.within, 0) / count,
  }
}

/** The Asia/Shanghai day of an instant. */
const dayOf = (iso: string) => todayInShanghai(new Date(iso))

function satisfactionOf(ratings: RatingFact[], rectifications: RectificationFact[], asOf: string): SatisfactionStats {
  const byLevel: [number, number, number, number, number] = [0, 0, 0, 0, 0]
  let defaults = 0
  let total = 0
  for (const r of ratings) {
    const level = Math.min(5, Math.max(1, Math.round(r.level)))
    const n = r.count ?? 1
    byLevel[level - 1]! += n
    total += n
    if (r.isDefault === true || r.isDefault === 1) defaults += n
  }
  const sum = byLevel.reduce((s, n, i) => s + n * (i + 1), 0)
  let answered = 0
  let answeredInTime = 0
  let open = 0
  let openOverdue = 0
  for (const f of rectifications) {
    const at = answeredAt(f)
    if (at) {
      answered++
      if (!f.deadlineOn || dayOf(at) <= f.deadlineOn) answeredInTime++
    } else if (['open', 'verified', 'rectifying'].includes(f.state)) {
      open++
      if (f.deadlineOn && f.deadlineOn < asOf) openOverdue++
    }
  }
  return {
    total,
    byLevel,
    defaults,
    bad: byLevel[0] + byLevel[1],
    score: total > 0 ? (sum / total) * 20 : null,
    satisfiedRate: rate(byLevel[2] + byLevel[3] + byLevel[4], total),
    rectification: {
      opened: rectifications.length,
      answered,
      answeredInTime,
      open,
      openOverdue,
      rate: rate(answered, rectifications.length),
      timelinessRate: rate(answeredInTime, answered),
    },
  }
}

function groupOf(
  key: string | null,
  label: string,
  counts: Counts,
  buckets: UsedBucket[],
  satisfaction: SatisfactionStats | null,
): GroupStatistics {
  return {
    key,
    label,
    ...counts,
    onlineRate: rate(counts.onlineFull, counts.completed),
    overdueRate: rate(counts.overdueCompleted + counts.openPastDue, counts.completed + counts.open),
    correctionRate: rate(counts.corrected, counts.received),
    duration: durationStats(buckets),
    satisfaction,
  }
}

/** Ratings and rectifications of the period matching the filter, keyed by the dimension's value. */
async function ratingFactsByKey(
  deps: Deps,
  ratings: RatingsFacts,
  query: StatisticsQuery,
  /** The days whose ratings to read (the whole period unless given; null: none). */
  ratingDays?: DayRange | null,
): Promise<{ ratings: Map<string | null, RatingFact[]>; rectifications: Map<string | null, RectificationFact[]> }> {
  const instants = (range: DayRange) => ({
    start: new Date(`${range.from}T00:00:00+08:00`).toISOString(),
    end: new Date(`${addCalendarDays(range.to, 1)}T00:00:00+08:00`).toISOString(),
  })
  const { start, end } = instants(query)
  const rangeOfRatings = ratingDays === undefined ? { from: query.from, to: query.to } : ratingDays
  const factsQuery = { from: query.from, to: query.to, departmentId: query.departmentId }
  const needDims = Boolean(
    query.servicePointId || query.channel || query.by === 'servicePoint' || query.by === 'channel',
  )
  // By department, item or in all, ratings are counted in SQL (a year holds about as many ratings
  // as applications); by service point or channel each rating needs its application's.
  const counted = !needDims && ratings.ratingCounts !== undefined
  const ratingsQuery = rangeOfRatings && { ...rangeOfRatings, departmentId: query.departmentId }
  const [ratingRows, rectificationRows] = await Promise.all([
    !ratingsQuery
      ? Promise.resolve([] as RatingFact[])
      : counted
        ? ratings.ratingCounts!(deps.db, ratingsQuery)
        : ratings.ratingFacts(deps.db, ratingsQuery),
    ratings.rectificationFacts(deps.db, factsQuery),
  ])
  const ratedIn = rangeOfRatings ? instants(rangeOfRatings) : { start: '', end: '' }
  const inPeriod = (at: string) => at >= start && at < end
  const ratedInRange = (at: string) => {
    const iso = new Date(at).toISOString()
    return iso >= ratedIn.start && iso < ratedIn.end
  }
  const rated = ratingRows.filter((r) => !isExcluded(r) && (counted || ratedInRange(r.ratedAt)))
  const opened = rectificationRows.filter((r) => !isExcluded(r) && inPeriod(new Date(r.openedAt).toISOString()))
  const needItems = Boolean(query.itemId || query.by === 'item')
  const ids = [...rated, ...opened]
    .filter((f) => needDims || (needItems && !f.itemId))
    .map((f) => f.applicationId)
    .filter((id): id is string => Boolean(id))
  const dims = ids.length > 0 ? await applicationDimensions(deps.db, ids) : new Map()
  const keyOf = (f: { applicationId?: string | null; departmentId: string; itemId?: string | null }) => {
    const d = f.applicationId ? dims.get(f.applicationId) : undefined
    const itemId = f.itemId ?? d?.itemId ?? null
    if (query.departmentId && f.departmentId !== query.departmentId) return undefined
    if (query.itemId && itemId !== query.itemId) return undefined
    if (query.servicePointId && (d?.servicePointId ?? 'none') !== query.servicePointId) return undefined
    if (query.channel && d?.channel !== query.channel) return undefined
    switch (query.by) {
      case 'department':
        return { key: f.departmentId }
      case 'item':
        return { key: itemId }
      case 'servicePoint':
        return { key: d?.servicePointId ?? null }
      case 'channel':
        return { key: d?.channel ?? null }
      default:
        return { key: 'all' as string | null }
    }
  }
  const group = <T extends { applicationId?: string | null; departmentId: string; itemId?: string | null }>(
    rows: T[],
  ) => {
    const out = new Map<string | null, T[]>()
    for (const row of rows) {
      const k = keyOf(row)
      if (!k) continue
      const list = out.get(k.key) ?? []
      list.push(row)
      out.set(k.key, list)
    }
    return out
  }
  return { ratings: group(rated), rectifications: group(opened) }
}

/** The day open cases are judged on: the end of the period, or today when that is earlier. */
export function asOfDay(deps: Pick<Deps, 'clock'>, to: string): string {
  const today = todayInShanghai(deps.clock.now())
  return to < today ? to : today
}

/** Sums count rows of the same key (from the summary and from the records). */
function mergeCounts(lists: ApplicationCountsRow[][]): ApplicationCountsRow[] {
  const out = new Map<string | null, ApplicationCountsRow>()
  for (const list of lists) {
    for (const row of list) {
      const found = out.get(row.key)
      if (!found) {
        out.set(row.key, { ...row })
        continue
      }
      for (const f of COUNT_FIELDS) found[f] += row[f]
      found.label = found.label ?? row.label
    }
  }
  return [...out.values()]
}

/** Where the statistics come from: the daily summary where built (default), or the records only. */
export type StatisticsSource = 'summary' | 'records'

/**
 * The statistics of a period, per value of `query.by` and in total (the groups partition the
 * applications, so the total is their sum). The days the daily summary holds are read from it,
 * the later ones and the open cases from the records (supervision.summary.ts).
 */
/** Labels in pinyin order (one collator: `localeCompare` with a locale builds one per call). */
const LABEL_ORDER = new Intl.Collator('zh-Hans-CN')

export async function computeStatistics(
  deps: Deps,
  query: StatisticsQuery,
  options: { ratings?: RatingsFacts; source?: StatisticsSource; page?: StatisticsPageRequest } = {},
): Promise<Statistics> {
  const cal = await deps.calendar.load()
  const asOf = asOfDay(deps, query.to)
  const state = options.source === 'records' ? undefined : await summaryState(deps.db)
  const split = splitPeriod(query, state?.builtThrough)
  const summarised = split.summary
  const records = split.records
  // A page of the groups (by item, a year holds thousands): the days used are read for the page's
  // groups only, and for the total in all (supervision.summary.ts keeps them per department).
  const paged = options.page && query.by !== 'all' ? options.page : undefined
  const liveBuckets = records
    ? applicationDurations(deps.db, cal, { ...query, ...records }, query.by).then((list) => list.map(usedBucketOf))
    : Promise.resolve([] as UsedBucket[])
  // Awaited below, perhaps after another read failed: never an unhandled rejection meanwhile.
  liveBuckets.catch(() => undefined)
  const [counts, buckets, facts] = summarised
    ? await Promise.all([
        Promise.all([
          summaryCounts(deps.db, query, query.by, summarised),
          records
            ? applicationCounts(deps.db, { ...query, ...records }, query.by, asOf, 'events', deps.clock.now())
            : [],
          applicationCounts(deps.db, query, query.by, asOf, 'open', deps.clock.now()),
        ]).then(mergeCounts),
        paged
          ? undefined
          : Promise.all([summaryDurations(deps.db, query, query.by, summarised), liveBuckets]).then((lists) =>
              lists.flat(),
            ),
        options.ratings
          ? Promise.all([
              summaryRatings(deps.db, query, query.by, summarised),
              ratingFactsByKey(deps, options.ratings, query, records ?? null),
            ]).then(([fromSummary, live]) => {
              for (const [key, list] of fromSummary) live.ratings.set(key, [...(live.ratings.get(key) ?? []), ...list])
              return live
            })
          : undefined,
      ])
    : await Promise.all([
        applicationCounts(deps.db, query, query.by, asOf, 'all', deps.clock.now()),
        liveBuckets,
        options.ratings ? ratingFactsByKey(deps, options.ratings, query) : undefined,
      ])
  const labels = await labelsFor(deps, query.by)
  // Buckets by key at once (with thousands of items, filtering them per key was quadratic).
  const byKey = (list: readonly UsedBucket[]) => {
    const out = new Map<string | null, UsedBucket[]>()
    for (const b of list) {
      const found = out.get(b.key)
      if (found) found.push(b)
      else out.set(b.key, [b])
    }
    return out
  }
  const bucketsByKey = buckets ? byKey(buckets) : undefined
  const keys = new Set<string | null>([...counts.map((c) => c.key), ...(bucketsByKey?.keys() ?? [])])
  if (facts) for (const k of [...facts.ratings.keys(), ...facts.rectifications.keys()]) keys.add(k)
  const countsByKey = new Map(counts.map((c) => [c.key, c]))
  const candidates: { key: string | null; label: string; counted: Counts; satisfaction: SatisfactionStats | null }[] =
    []
  for (const key of keys) {
    const c = countsByKey.get(key)
    const satisfaction = facts
      ? satisfactionOf(facts.ratings.get(key) ?? [], facts.rectifications.get(key) ?? [], asOf)
      : null
    const counted = c ? (Object.fromEntries(COUNT_FIELDS.map((f) => [f, c[f]])) as unknown as Counts) : zeroCounts()
    // A value whose applications did nothing in the period (say, rejected before it) is no group.
    // (Days used are of cases completed in the period: a value with any has `completed` > 0.)
    const idle =
      COUNT_FIELDS.every((f) => counted[f] === 0) &&
      !bucketsByKey?.has(key) &&
      (!satisfaction || (satisfaction.total === 0 && satisfaction.rectification.opened === 0))
    if (!idle) candidates.push({ key, label: labels(key, c?.label ?? null), counted, satisfaction })
  }
  candidates.sort((a, b) => b.counted.received - a.counted.received || LABEL_ORDER.compare(a.label, b.label))
  const shown = paged ? candidates.slice((paged.number - 1) * paged.size, paged.number * paged.size) : candidates
  let pageBuckets = bucketsByKey
  let totalBuckets = buckets ?? []
  if (!pageBuckets) {
    // Paged, with a summary: the page's buckets, and the total's in all.
    const live = await liveBuckets
    const shownKeys = shown.map((g) => g.key)
    const [own, all] = await Promise.all([
      summaryDurations(deps.db, query, query.by, summarised!, shownKeys),
      summaryDurations(deps.db, query, 'all', summarised!),
    ])
    pageBuckets = byKey([...own, ...live])
    totalBuckets = [...all, ...live]
  }
  const groups = shown.map((g) => groupOf(g.key, g.label, g.counted, pageBuckets.get(g.key) ?? [], g.satisfaction))
  const totalCounts = zeroCounts()
  for (const g of candidates) for (const f of COUNT_FIELDS) totalCounts[f] += g.counted[f]
  const allRatings = facts ? [...facts.ratings.values()].flat() : []
  const allRectifications = facts ? [...facts.rectifications.values()].flat() : []
  const total = groupOf(
    null,
    '合计',
    totalCounts,
    totalBuckets,
    facts ? satisfactionOf(allRatings, allRectifications, asOf) : null,
  )
  return {
    query,
    asOf,
    total,
    groups,
    groupCount: candidates.length,
    page: paged ? { number: paged.number, size: paged.size } : null,
    ratingsAvailable: Boolean(options.ratings),
    summarisedThrough: summarised?.to ?? null,
    summaryRefreshedAt: summarised ? (state?.refreshedAt ?? null) : null,
  }
}

/**
 * The materials most often named in the correction notices of the period (补正材料), per item:
 * from the daily summary where built, the later days from the records.
 */
export async function topCorrectedMaterials(
  deps: Deps,
  filter: SupervisionFilter,
  limit = 10,
  options: { source?: StatisticsSource } = {},
): Promise<CorrectionMaterialCount[]> {
  const built = options.source === 'records' ? null : (await summaryState(deps.db))?.builtThrough
  const split = splitPeriod(filter, built)
  if (!split.summary) return correctionMaterialCounts(deps.db, filter, limit)
  // The days after the summary first (a day or two, from the records), then from the summary the
  // `limit` most named and the items named in those days: a material outside the summary's top
  // `limit` that is not named in those days cannot be among the `limit` most named of the period.
  const live = split.records ? await correctionMaterialCells(deps.db, { ...filter, ...split.records }) : []
  const summarised = await summaryMaterials(deps.db, filter, split.summary, {
    top: limit,
    also: live.map((row) => row.itemId),
  })
  const merged = new Map<string, Omit<CorrectionMaterialRow, 'key'>>()
  for (const row of [...summarised, ...live]) {
    const id = JSON.stringify([row.itemId, row.materialCode])
    const found = merged.get(id)
    if (!found) {
      merged.set(id, {
        itemId: row.itemId,
        itemVersionId: row.itemVersionId,
        itemName: row.itemName,
        materialCode: row.materialCode,
        count: row.count,
      })
      continue
    }
    found.count += row.count
    if (row.itemVersionId > found.itemVersionId) found.itemVersionId = row.itemVersionId
    if (row.itemName > found.itemName) found.itemName = row.itemName
  }
  const top = [...merged.values()]
    .sort(
      (a, b) =>
        b.count - a.count ||
        (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0) ||
        (a.materialCode < b.materialCode ? -1 : a.materialCode > b.materialCode ? 1 : 0),
    )
    .slice(0, limit)
  return nameCorrectionMaterials(deps.db, top)
}

/** Names for the values of a dimension. */
async function labelsFor(
  deps: Deps,
  by: SupervisionDimension,
): Promise<(key: string | null, label: string | null) => string> {
  switch (by) {
    case 'department': {
      const names = await departmentNames(deps.db)
      return (key) => (key ? (names.get(key) ?? key) : '（无部门）')
    }
    case 'servicePoint': {
      const names = await servicePointNames(deps.db)
      return (key) => (key ? (names.get(key) ?? key) : '网上办理（无服务点）')
    }
    case 'channel':
      return (key) => (key ? (CHANNEL_NAMES[key] ?? key) : '其他')
    case 'item':
      return (key, label) => label ?? key ?? '（无事项）'
    default:
      return () => '全区'
  }
}

export interface WeekPoint {
  /** The Monday the week starts on. */
  week: string
  received: number
  completed: number
}

/** Received and completed per week (Monday to Sunday) of the period. */
export async function weeklyTrend(
  deps: Deps,
  filter: SupervisionFilter,
  options: { source?: StatisticsSource } = {},
): Promise<WeekPoint[]> {
  const built = options.source === 'records' ? null : (await summaryState(deps.db))?.builtThrough
  const split = splitPeriod(filter, built)
  const days = (
    await Promise.all([
      split.summary ? summaryDaily(deps.db, filter, split.summary) : [],
      split.records ? applicationDailyCounts(deps.db, { ...filter, ...split.records }) : [],
    ])
  ).flat()
  const weeks = new Map<string, WeekPoint>()
  const mondayOf = (day: string) => addCalendarDays(day, -((dayOfWeek(day) + 6) % 7))
  for (let week = mondayOf(filter.from); week <= filter.to; week = addCalendarDays(week, 7)) {
    weeks.set(week, { week, received: 0, completed: 0 })
  }
  for (const d of days) {
    const w = weeks.get(mondayOf(d.day))
    if (!w) continue
    w.received += d.received
    w.completed += d.completed
  }
  return [...weeks.values()]
}
