/**
 * The daily summary of the statistics (migration 0019). A year of the district is a million
 * applications with several million events, notices and ratings; counting them afresh for every
 * request took tens of seconds. So the statistics of past days are kept per Asia/Shanghai day and
 * cell (department × item × service point × channel): what happened that day (received, accepted,
 * rejected, refused, withdrawn, completed and how), the days used by the cases completed that day,
 * the ratings given that day and the materials named in that day's correction notices.
 *
 * The summary is never counted up or down as things happen: a day's rows are rebuilt from the
 * records, by the same counting functions the statistics use on the records (applications'
 * `applicationCounts` … with the `cell` grouping), whenever something that day's figures depend
 * on may have changed. The refresh (a sweep, every five minutes, one node at a time under a lease)
 * rebuilds
 * - the days that have ended since the last refresh, and
 * - the days of the applications changed since the last refresh began (every change moves an
 *   application's `updated_at`; its submission, acceptance, decision, withdrawal, completion and
 *   the change's own day), and of the ratings recorded or whose rectification changed since then.
 * "Since" reaches five minutes further back than the last refresh began, so a change whose
 * transaction committed while that refresh was reading is still seen.
 *
 * The statistics (supervision.stats.ts) read the summary for the days up to `builtThrough` and
 * count the later days (today, or everything before the first refresh) from the records; the
 * state of open cases on `asOf` is always read from the records. A past day's figures are thus as
 * fresh as the last refresh (five minutes at most) and today's are live. `computeStatistics(…,
 * { source: 'records' })` counts everything from the records, and the tests hold the two equal.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { type RawBuilder, type Selectable, sql } from 'kysely'
import { addCalendarDays, todayInShanghai } from '../../platform/calendar/index.js'
import { type Db, type DbOrTrx, offThreadReads, type Trx, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { newId } from '../../platform/ids.js'
import {
  type ApplicationCountsRow,
  applicationCounts,
  applicationDaysChangedSince,
  applicationDimensions,
  applicationDurations,
  type CorrectionMaterialRow,
  cellOf,
  correctionMaterialCells,
  firstSubmissionDay,
  type SupervisionDimension,
  type SupervisionFilter,
} from '../applications/index.js'
import { isExcluded, type RatingFact, type RatingsFacts } from './supervision.ratings.js'
import type {
  SupervisionDayCountsTable,
  SupervisionDayDurationsTable,
  SupervisionDayMaterialsTable,
  SupervisionDayRatingsTable,
  SupervisionSummaryStateTable,
} from './supervision.tables.js'

const STATE_ID = 'statistics'
/** How much further back than the last refresh's start changes are looked for. */
export const CHANGE_MARGIN_MS = 5 * 60_000
/** How long a refresh may hold the summary before another node may take over. */
const LEASE_MS = 10 * 60_000
const INSERT_CHUNK = 500

/** The counts of `supervision_*_counts`. */
const COUNT_COLUMN_NAMES = [
  'received',
  'accepted',
  'deemed_accepted',
  'not_accepted',
  'refused',
  'withdrawn',
  'completed',
  'approved',
  'online_full',
  'overdue_completed',
  'promised_overdue_completed',
  'corrected',
] as const

/**
 * Cases completed with the same days used, in one value of a dimension: how many, how many of
 * them within their promised limit, and the sum of their promised days. (The daily summary keeps
 * this form; the records' buckets per promised limit convert to it with `usedBucketOf` of
 * supervision.stats.ts.)
 */
export interface UsedBucket {
  key: string | null
  used: number
  count: number
  within: number
  promisedSum: number
}

/** A range of days, both included. */
export interface DayRange {
  from: string
  to: string
}

export async function summaryState(db: DbOrTrx): Promise<Selectable<SupervisionSummaryStateTable> | undefined> {
  return db.selectFrom('supervisionSummaryState').selectAll().where('id', '=', STATE_ID).executeTakeFirst()
}

/**
 * The part of a period the summary answers and the part counted from the records: the days up
 * to `builtThrough` and the days after it.
 */
export function splitPeriod(
  period: DayRange,
  builtThrough: string | null | undefined,
): { summary?: DayRange; records?: DayRange } {
  if (!builtThrough || builtThrough < period.from) return { records: period }
  if (builtThrough >= period.to) return { summary: period }
  return {
    summary: { from: period.from, to: builtThrough },
    records: { from: addCalendarDays(builtThrough, 1), to: period.to },
  }
}

// ----- building ---------------------------------------------------------------------------------

const cellColumns = (day: string, key: string) => {
  const c = cellOf(key)
  return {
    day,
    departmentId: c.departmentId,
    itemId: c.itemId,
    servicePointId: c.servicePointId,
    channel: c.channel,
  }
}

/**
 * Lets the event loop serve what has come in. On SQLite every statement runs on the event loop's
 * thread and a chain of them awaits only promises already settled, so a refresh's day or month
 * (at 1M applications 50 statements and 1–3 s) held every request of the process until it was
 * done (docs/performance.md, finding 25). The refresh breathes after each statement: no request
 * waits for more than one statement; writes still wait for the refresh's open transaction.
 */
const breathe = () => yieldToEventLoop()

/**
 * A day's summary rows, counted from the records. The counting reads are the refresh's long ones
 * (a day of a million applications: a second at most); on SQLite they run on a worker thread
 * (`offThreadReads`), where they hold neither requests nor writes (docs/performance.md, finding 26).
 */
async function dayRows(deps: Deps, day: string, ratings: RatingsFacts | undefined) {
  const cal = await deps.calendar.load()
  const filter: SupervisionFilter = { from: day, to: day }
  const db = offThreadReads(deps.db)
  // One read after another, letting requests in between (see `breathe`).
  const counts = await applicationCounts(db, filter, 'cell', day, 'events', deps.clock.now())
  await breathe()
  const durations = await applicationDurations(db, cal, filter, 'cell')
  await breathe()
  const materials = await correctionMaterialCells(db, filter)
  await breathe()
  const rated = ratings ? await ratings.ratingFacts(db, filter) : ([] as RatingFact[])
  await breathe()
  const countRows: SupervisionDayCountsTable[] = counts.map((c) => ({
    ...cellColumns(day, c.key ?? ''),
    itemName: c.label ?? '',
    received: c.received,
    accepted: c.accepted,
    deemedAccepted: c.deemedAccepted,
    notAccepted: c.notAccepted,
    refused: c.refused,
    withdrawn: c.withdrawn,
    completed: c.completed,
    approved: c.approved,
    onlineFull: c.onlineFull,
    overdueCompleted: c.overdueCompleted,
    promisedOverdueCompleted: c.promisedOverdueCompleted,
    corrected: c.corrected,
  }))
  // Per cell and days used: the promised limits folded into a count within them and their sum.
  const durationCells = new Map<string, SupervisionDayDurationsTable>()
  for (const b of durations) {
    const id = JSON.stringify([b.key, b.used])
    const row = durationCells.get(id) ?? {
      ...cellColumns(day, b.key ?? ''),
      used: b.used,
      count: 0,
      within: 0,
      promisedSum: 0,
    }
    row.count += b.count
    if (b.used <= b.promisedDays) row.within += b.count
    row.promisedSum += b.promisedDays * b.count
    durationCells.set(id, row)
  }
  const durationRows = [...durationCells.values()]
  const materialRows: SupervisionDayMaterialsTable[] = materials.map((m) => ({
    ...cellColumns(day, m.key),
    materialCode: m.materialCode,
    itemVersionId: m.itemVersionId,
    itemName: m.itemName,
    count: m.count,
  }))
  // A rating's service point and channel are its application's.
  const kept = rated.filter((r) => !isExcluded(r) && todayInShanghai(new Date(r.ratedAt)) === day)
  const dims = await applicationDimensions(
    db,
    kept.map((r) => r.applicationId),
  )
  const ratingCells = new Map<string, SupervisionDayRatingsTable>()
  for (const r of kept) {
    const d = dims.get(r.applicationId)
    const row: SupervisionDayRatingsTable = {
      day,
      departmentId: r.departmentId,
      itemId: r.itemId ?? d?.itemId ?? '',
      servicePointId: d?.servicePointId ?? '',
      channel: d?.channel ?? '',
      level: Math.min(5, Math.max(1, Math.round(r.level))),
      isDefault: r.isDefault === true || r.isDefault === 1 ? 1 : 0,
      count: 0,
    }
    const id = JSON.stringify([row.departmentId, row.itemId, row.servicePointId, row.channel, row.level, row.isDefault])
    const found = ratingCells.get(id)
    if (found) found.count += r.count ?? 1
    else ratingCells.set(id, { ...row, count: r.count ?? 1 })
  }
  return { countRows, durationRows, materialRows, ratingRows: [...ratingCells.values()] }
}

/**
 * Rebuilds one day of the summary from the records, in one transaction that writes only the rows
 * that differ from what the day holds: after a few changed cases a few dozen of a day's thousands
 * (the day's first build writes them all). The day's rows are counted and its old rows read
 * before the transaction, off the event loop on SQLite (`offThreadReads`); the coarser levels are
 * rolled up again only for the departments, items, service points and channels whose cells
 * changed (docs/performance.md, finding 26) — all of them with `whole` (a full rebuild, which
 * mends whatever the day holds). When nothing differs nothing is written, and the summary's
 * generation stays (the statistics kept for it stay valid).
 */
export async function rebuildDay(
  deps: Deps,
  day: string,
  ratings?: RatingsFacts,
  options: { whole?: boolean } = {},
): Promise<void> {
  const rows = await dayRows(deps, day, ratings)
  const built: Record<Stem, readonly object[]> = {
    counts: rows.countRows,
    durations: rows.durationRows,
    ratings: rows.ratingRows,
    materials: rows.materialRows,
  }
  const reads = offThreadReads(deps.db)
  const changes: TableChange[] = []
  for (const stem of STEMS) {
    const { keys, values } = cellColumnsOf(stem)
    const columns = [...keys, ...values]
    const held = await sql<Record<string, unknown>>`select ${sql.join(
      columns.map((c, i) => positional(sql.ref(c), i)),
    )} from ${sql.table(`supervision_day_${stem}`)} where day = ${day}`.execute(reads)
    await breathe()
    const heldRows = new Map(held.rows.map((r) => [JSON.stringify(atPositions(r, keys.length)), r] as const))
    const puts: unknown[][] = []
    for (const row of built[stem]) {
      const at = columns.map((c) => (row as Record<string, unknown>)[camel(c)])
      const key = JSON.stringify(at.slice(0, keys.length))
      const old = heldRows.get(key)
      heldRows.delete(key)
      if (!old || JSON.stringify(atPositions(old, columns.length)) !== JSON.stringify(at)) puts.push(at)
    }
    const drops = [...heldRows.values()].map((r) => atPositions(r, keys.length))
    changes.push({ target: sql.table(`supervision_day_${stem}`), keys, values, puts, drops })
  }
  // Nothing differs (most changes to a case count on the day they happen: today, read live):
  // nothing is written, and the statistics kept for the summary's generation stay.
  if (!options.whole && changes.every(unchanged)) return
  await transaction(deps.db, async (trx) => {
    for (const [i, stem] of STEMS.entries()) {
      const change = changes[i]!
      await applyChange(trx, 'day', day, change)
      await coarsen(trx, stem, day, options.whole ? undefined : [...change.puts, ...change.drops])
    }
    await nextGeneration(trx)
  })
}

/** A cell table's key columns (its primary key after the day or month) and value columns. */
function cellColumnsOf(stem: Stem): { keys: string[]; values: string[] } {
  const spec = ROLL_UP[stem]
  return { keys: [...CELL_KEYS, ...spec.keys], values: [...spec.sums, ...spec.max] }
}

const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** `expression as cI`: rows read with positional names are written back as they are read. */
const positional = (expression: unknown, i: number) => sql`${expression} as ${sql.ref(`c${i}`)}`
const atPositions = (row: Record<string, unknown>, n: number) => Array.from({ length: n }, (_, i) => row[`c${i}`])

/** Moves the summary's generation on, in the transaction that changes its tables (see `cachedRows`). */
async function nextGeneration(trx: Trx): Promise<void> {
  await trx
    .updateTable('supervisionSummaryState')
    .set((eb) => ({ generation: eb('generation', '+', 1) }))
    .where('id', '=', STATE_ID)
    .execute()
}

const STEMS = ['counts', 'durations', 'ratings', 'materials'] as const

/**
 * Keeps a day at each coarser level (`supervision_day_<level>_<stem>`, see LEVELS) from its cell
 * rows, in the caller's transaction. With `touched` (cells written, as positional rows starting
 * with CELL_KEYS' columns), only the coarser rows those cells fall in are rolled up again — all of
 * them when many are. (A month's levels are summed from the days' levels: `rollUpMonth`.)
 */
async function coarsen(trx: Trx, stem: Stem, day: string, touched?: readonly (readonly unknown[])[]): Promise<void> {
  const spec = ROLL_UP[stem]
  for (const level of LEVELS) {
    const coarse = level.keys[stem]
    if (!coarse) continue
    let only = sql`true`
    if (touched) {
      const at = coarse.map((c) => CELL_KEYS.indexOf(c as (typeof CELL_KEYS)[number]))
      const groups = [...new Map(touched.map((t) => at.map((i) => t[i])).map((g) => [JSON.stringify(g), g])).values()]
      if (groups.length === 0) continue
      if (groups.length <= TOUCHED_MAX) {
        only = sql`(${sql.join(
          groups.map(
            (g) =>
              sql`(${sql.join(
                coarse.map((c, i) => sql`${sql.ref(c)} = ${g[i]}`),
                sql` and `,
              )})`,
          ),
          sql` or `,
        )})`
      }
    }
    const keys = [...coarse, ...spec.keys]
    const select = [
      ...keys.map((k) => sql.ref(k)),
      ...spec.sums.map((c) => sql`sum(${sql.ref(c)})`),
      ...spec.max.map((c) => sql`max(${sql.ref(c)})`),
    ]
    const names = [...keys, ...spec.sums, ...spec.max]
    const target = sql.table(`supervision_day_${level.name}_${stem}`)
    await sql`delete from ${target} where day = ${day} and ${only}`.execute(trx)
    await breathe()
    await sql`insert into ${target} (day, ${sql.join(names.map((c) => sql.ref(c)))})
      select ${day}, ${sql.join(select)} from ${sql.table(`supervision_day_${stem}`)}
      where day = ${day} and ${only}
      group by ${sql.join(keys.map((k) => sql.ref(k)))}`.execute(trx)
    await breathe()
  }
}

/** More coarser rows touched than this, and a day's level is rolled up whole. */
const TOUCHED_MAX = 64

const ROLL_UP: Record<Stem, { keys: string[]; sums: string[]; max: string[] }> = {
  counts: { keys: [], sums: [...COUNT_COLUMN_NAMES], max: ['item_name'] },
  durations: { keys: ['used'], sums: ['count', 'within', 'promised_sum'], max: [] },
  ratings: { keys: ['level', 'is_default'], sums: ['count'], max: [] },
  materials: { keys: ['material_code'], sums: ['count'], max: ['item_version_id', 'item_name'] },
}

/**
 * Rolls a month's days up to `through` (the last day the refresh doing it summarises; the whole
 * month once it is over) into its monthly rows, and records how far they reach (migration 0027).
 * Days after `through` are left out even when built (by a full rebuild done a few days at a time,
 * or a refresh that stopped before moving `builtThrough` on): the statistics count those days from
 * the records, and read a month to date from its roll-up only when it reaches exactly their day.
 *
 * Each monthly table (the cells and every coarser level) is rolled up from the daily table of its
 * own level — sums of sums and the greatest of the greatest, the same rows as from the month's
 * cells — and only the rows that differ from what it holds are written. Finding them is reading,
 * done before the transaction (off the event loop on SQLite: `offThreadReads`); the transaction
 * writes what differs, a few dozen rows after a few changed cases instead of a month's tens of
 * thousands, which held every write for 2–3 s at a million applications (docs/performance.md,
 * finding 26); nothing at all when nothing differs and the month reaches the same day. Nothing
 * else writes the summary meanwhile: the refresh holds its lease.
 */
export async function rollUpMonth(db: Db, month: string, through: string): Promise<void> {
  const from = firstOfMonth(month)
  const to = through < lastOfMonth(month) ? through : lastOfMonth(month)
  const reads = offThreadReads(db)
  const changes: TableChange[] = []
  for (const [stem, spec] of Object.entries(ROLL_UP) as [Stem, (typeof ROLL_UP)[Stem]][]) {
    for (const level of [undefined, ...LEVELS.filter((l) => l.keys[stem])]) {
      const name = level ? `${level.name}_${stem}` : stem
      const keys = [...(level?.keys[stem] ?? CELL_KEYS), ...spec.keys]
      const values = [...spec.sums, ...spec.max]
      const columns = [...keys, ...values]
      const source = sql.table(`supervision_day_${name}`)
      const target = sql.table(`supervision_month_${name}`)
      const inMonth = sql`day >= ${from} and day <= ${to}`
      const want = sql`select ${sql.join(
        [
          ...keys.map((k) => sql.ref(k)),
          ...spec.sums.map((c) => sql`sum(${sql.ref(c)})`),
          ...spec.max.map((c) => sql`max(${sql.ref(c)})`),
        ].map((e, i) => positional(e, i)),
      )}
        from ${source} where ${inMonth} group by ${sql.join(keys.map((k) => sql.ref(k)))}`
      const puts = await sql<Record<string, unknown>>`${want} except
        select ${sql.join(columns.map((c) => sql.ref(c)))} from ${target} where month = ${month}`.execute(reads)
      await breathe()
      const drops = await sql<Record<string, unknown>>`
        select ${sql.join(keys.map((k, i) => positional(sql.ref(k), i)))} from ${target} where month = ${month}
        except select ${sql.join(keys.map((k) => sql.ref(k)))} from ${source} where ${inMonth}`.execute(reads)
      await breathe()
      changes.push({
        target,
        keys,
        values,
        puts: puts.rows.map((r) => atPositions(r, columns.length)),
        drops: drops.rows.map((r) => atPositions(r, keys.length)),
      })
    }
  }
  const held = await reads
    .selectFrom('supervisionMonthThrough')
    .select('through')
    .where('month', '=', month)
    .executeTakeFirst()
  if (held && String(held.through) === to && changes.every(unchanged)) return
  await transaction(db, async (trx) => {
    await trx.deleteFrom('supervisionMonthThrough').where('month', '=', month).execute()
    await trx.insertInto('supervisionMonthThrough').values({ month, through: to }).execute()
    for (const change of changes) await applyChange(trx, 'month', month, change)
    await nextGeneration(trx)
  })
}

/** The cell columns, the finest level. */
const CELL_KEYS = ['department_id', 'item_id', 'service_point_id', 'channel'] as const

/** What a summary table's rows of a day or month are to become: rows put (new or changed), keys dropped. */
interface TableChange {
  target: ReturnType<typeof sql.table>
  keys: readonly string[]
  values: readonly string[]
  puts: unknown[][]
  drops: unknown[][]
}

const unchanged = (change: TableChange) => change.puts.length === 0 && change.drops.length === 0

/** Writes a day's or month's `change` in the caller's transaction (a statement a few hundred rows). */
async function applyChange(trx: Trx, grain: 'day' | 'month', value: string, change: TableChange): Promise<void> {
  const { target, keys, values } = change
  for (const key of change.drops) {
    await sql`delete from ${target} where ${sql.ref(grain)} = ${value}
      and ${sql.join(
        keys.map((k, i) => sql`${sql.ref(k)} = ${key[i]}`),
        sql` and `,
      )}`.execute(trx)
  }
  if (change.drops.length > 0) await breathe()
  const columns = [grain, ...keys, ...values]
  for (let i = 0; i < change.puts.length; i += INSERT_CHUNK) {
    const rows = change.puts.slice(i, i + INSERT_CHUNK)
    await sql`insert into ${target} (${sql.join(columns.map((c) => sql.ref(c)))})
      values ${sql.join(rows.map((row) => sql`(${sql.join([value, ...row])})`))}
      on conflict (${sql.join([grain, ...keys].map((c) => sql.ref(c)))})
      do update set ${sql.join(values.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`))}`.execute(trx)
    await breathe()
  }
}

/**
 * The coarser levels a day or month is also kept at, smallest first, with the cell columns each
 * keeps per stem (migrations 0021 and 0023): with thousands of items a month of cells is tens of
 * thousands of rows, and most statistics need only one of the cell's dimensions. A query reads the
 * first level that keeps every column it groups or filters by, else the cells.
 */
const LEVELS: readonly { name: string; keys: Partial<Record<Stem, readonly string[]>> }[] = [
  {
    name: 'dept',
    keys: {
      counts: ['department_id', 'channel'],
      durations: ['department_id', 'channel'],
      ratings: ['department_id', 'channel'],
      materials: ['department_id', 'item_id'],
    },
  },
  {
    name: 'point',
    keys: {
      counts: ['department_id', 'service_point_id'],
      durations: ['department_id', 'service_point_id'],
      ratings: ['department_id', 'service_point_id'],
    },
  },
  {
    name: 'item',
    keys: {
      counts: ['department_id', 'item_id'],
      durations: ['department_id', 'item_id'],
      ratings: ['department_id', 'item_id'],
    },
  },
]

/** The table of `grain` and `stem` to read for a query grouping or filtering by `columns`. */
function summaryTable(grain: 'day' | 'month', stem: Stem, columns: readonly string[]) {
  const level = LEVELS.find((l) => columns.every((c) => l.keys[stem]?.includes(c)))
  return sql.table(level ? `supervision_${grain}_${level.name}_${stem}` : `supervision_${grain}_${stem}`)
}

/** The cell columns a filter reads. */
function filterColumns(filter: SupervisionFilter): string[] {
  return [
    ...(filter.departmentId ? ['department_id'] : []),
    ...(filter.itemId ? ['item_id'] : []),
    ...(filter.servicePointId ? ['service_point_id'] : []),
    ...(filter.channel ? ['channel'] : []),
  ]
}

/** Takes the refresh lease (or renews it); false when another node holds it. */
async function takeLease(db: Db, holder: string, now: Date): Promise<boolean> {
  await db
    .insertInto('supervisionSummaryState')
    .values({
      id: STATE_ID,
      builtThrough: null,
      firstDay: null,
      changesSince: null,
      refreshedAt: null,
      leaseHolder: null,
      leaseUntil: null,
      daysRebuilt: 0,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
  const taken = await db
    .updateTable('supervisionSummaryState')
    .set({ leaseHolder: holder, leaseUntil: new Date(now.getTime() + LEASE_MS).toISOString() })
    .where('id', '=', STATE_ID)
    .where((eb) =>
      eb.or([eb('leaseHolder', 'is', null), eb('leaseUntil', '<', now.toISOString()), eb('leaseHolder', '=', holder)]),
    )
    .executeTakeFirst()
  return Number(taken.numUpdatedRows) === 1
}

async function releaseLease(db: Db, holder: string): Promise<void> {
  await db
    .updateTable('supervisionSummaryState')
    .set({ leaseHolder: null, leaseUntil: null })
    .where('id', '=', STATE_ID)
    .where('leaseHolder', '=', holder)
    .execute()
}

export interface RefreshProgress {
  done: number
  total: number
  day: string
}

export interface RefreshResult {
  /** False when another node was refreshing (nothing done here). */
  ran: boolean
  days: string[]
  builtThrough: string | null
  /** Days still to build in later rounds (`maxDays`). */
  pending: number
}

/**
 * Brings the summary up to yesterday and rebuilds the days changed since the last refresh (see
 * the top of this file). Safe on several nodes at once: one holds the lease, the others return
 * `ran: false`. `full` rebuilds every day from the first submission.
 */
export async function refreshSummary(
  deps: Deps,
  options: {
    ratings?: RatingsFacts
    full?: boolean
    /** At most this many days not built before (the rest in later rounds); all when absent. */
    maxDays?: number
    onProgress?: (p: RefreshProgress) => void
  } = {},
): Promise<RefreshResult> {
  const db = deps.db
  const holder = newId()
  const started = deps.clock.now()
  if (!(await takeLease(db, holder, started))) return { ran: false, days: [], builtThrough: null, pending: 0 }
  try {
    const state = await summaryState(db)
    const yesterday = addCalendarDays(todayInShanghai(started), -1)
    const first = await firstSubmissionDay(db)
    // Days never built yet (after `builtThrough`, or all on the first refresh), and days already
    // built whose records changed since the last refresh.
    const fresh: string[] = []
    const changed = new Set<string>()
    const built = options.full ? null : (state?.builtThrough ?? null)
    if (first) {
      const from = built && built >= first ? addCalendarDays(built, 1) : first
      for (let d = from; d <= yesterday; d = addCalendarDays(d, 1)) fresh.push(d)
      if (built) {
        // Days before the first day once summarised (records loaded with earlier dates).
        if (state?.firstDay && first < state.firstDay) {
          for (let d = first; d < state.firstDay; d = addCalendarDays(d, 1)) changed.add(d)
        }
        if (state?.changesSince) {
          for (const d of await applicationDaysChangedSince(db, state.changesSince)) changed.add(d)
          if (options.ratings?.changedSince) {
            for (const at of await options.ratings.changedSince(db, state.changesSince)) {
              changed.add(todayInShanghai(new Date(at)))
            }
          }
        }
      }
    }
    // Every changed day is rebuilt; of the backlog of fresh days at most `maxDays` a round (the
    // first build of a year of history is spread over several rounds of the sweep, so that a web
    // process on SQLite is never held for minutes), oldest first.
    const freshNow = fresh.slice(0, options.maxDays ?? fresh.length)
    const todo = [
      ...new Set([
        ...[...changed].filter((d) => first !== undefined && d >= first && (!built || d <= built)),
        ...freshNow,
      ]),
    ].sort()
    // Where the summary will reach when this refresh is done (every day up to it is then built).
    const builtThrough = freshNow.length === fresh.length ? yesterday : (freshNow[freshNow.length - 1] ?? built ?? null)
    for (const [i, day] of todo.entries()) {
      await rebuildDay(deps, day, options.ratings, { whole: options.full })
      // A month is rolled up once its last day to rebuild is done; it then holds its days up to
      // `builtThrough` (its earlier days were built before, or in this round before this one).
      const month = monthOf(day)
      if (todo[i + 1] === undefined || monthOf(todo[i + 1]!) !== month) {
        await rollUpMonth(db, month, builtThrough ?? day)
      }
      options.onProgress?.({ done: i + 1, total: todo.length, day })
      // Renew the lease now and then (a first build of a year takes minutes), and let requests in.
      if (i % 20 === 19 && !(await takeLease(db, holder, deps.clock.now()))) {
        throw new Error('the statistics summary lease was lost during a refresh')
      }
      await yieldToEventLoop()
    }
    await db
      .updateTable('supervisionSummaryState')
      .set((eb) => ({
        builtThrough,
        firstDay: first ?? null,
        changesSince: new Date(started.getTime() - CHANGE_MARGIN_MS).toISOString(),
        refreshedAt: deps.clock.now().toISOString(),
        daysRebuilt: eb('daysRebuilt', '+', todo.length),
      }))
      .where('id', '=', STATE_ID)
      .where('leaseHolder', '=', holder)
      .execute()
    return { ran: true, days: todo, builtThrough, pending: fresh.length - freshNow.length }
  } finally {
    await releaseLease(db, holder)
  }
}

// ----- reading ----------------------------------------------------------------------------------

/** What the summary keeps, by table stem (`supervision_day_<stem>`, `supervision_month_<stem>`). */
type Stem = 'counts' | 'durations' | 'ratings' | 'materials'

/** A month (YYYY-MM) range, both included. */
interface MonthRange {
  from: string
  to: string
}

const monthOf = (day: string) => day.slice(0, 7)
const firstOfMonth = (month: string) => `${month}-01`
const lastOfMonth = (month: string) => addCalendarDays(firstOfMonth(nextMonth(month)), -1)
function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

/**
 * A summarised range as whole months (read from the monthly roll-up: a tenth of the rows) and the
 * days before and after them (read day by day).
 */
export function decompose(range: DayRange): { months?: MonthRange; days: DayRange[] } {
  let first = monthOf(range.from)
  if (firstOfMonth(first) < range.from) first = nextMonth(first)
  let last = monthOf(range.to)
  if (lastOfMonth(last) > range.to) last = monthOf(addCalendarDays(firstOfMonth(last), -1))
  if (first > last) return { days: [range] }
  const days: DayRange[] = []
  if (range.from < firstOfMonth(first)) days.push({ from: range.from, to: addCalendarDays(firstOfMonth(first), -1) })
  if (lastOfMonth(last) < range.to) days.push({ from: addCalendarDays(lastOfMonth(last), 1), to: range.to })
  return { months: { from: first, to: last }, days }
}

/**
 * The month whose first days `days` are, when it does not reach the month's end: a month to date
 * (a year to yesterday ends with one), which its roll-up holds as well once a refresh is done.
 */
export function monthToDate(days: DayRange): string | undefined {
  const month = monthOf(days.to)
  return days.from === firstOfMonth(month) && days.to < lastOfMonth(month) ? month : undefined
}

/**
 * Whether `month`'s roll-up holds exactly its days up to `through` (migration 0027). Read in the
 * same statement as the rows it chooses between, so that a roll-up committing meanwhile can make
 * neither part count twice or not at all.
 */
const rolledThrough = (month: string, through: string) =>
  sql`exists (select 1 from supervision_month_through where month = ${month} and through = ${through})`

/**
 * Where to read the days of `days`: their daily rows — or, for a month to date that its roll-up
 * holds to the same day, that roll-up (a month's row per item instead of a row per item and day).
 * Both parts are to be read in one statement (`union all`): each holds the condition of the other.
 */
function dayParts(days: DayRange): { grain: 'day' | 'month'; when: RawBuilder<unknown> }[] {
  const byDay = sql`day >= ${days.from} and day <= ${days.to}`
  const month = monthToDate(days)
  if (!month) return [{ grain: 'day', when: byDay }]
  const rolled = rolledThrough(month, days.to)
  return [
    { grain: 'month', when: sql`month = ${month} and ${rolled}` },
    { grain: 'day', when: sql`${byDay} and not ${rolled}` },
  ]
}

/** The cell column a dimension groups by (none for all). */
const groupColumnName = (by: SupervisionDimension): string[] =>
  by === 'department'
    ? ['department_id']
    : by === 'item'
      ? ['item_id']
      : by === 'servicePoint'
        ? ['service_point_id']
        : by === 'channel'
          ? ['channel']
          : []

/** The column a dimension groups by; its '' reads as "none" (null). */
function groupColumn(by: SupervisionDimension) {
  switch (by) {
    case 'department':
      return sql`department_id`
    case 'item':
      return sql`item_id`
    case 'servicePoint':
      return sql`service_point_id`
    case 'channel':
      return sql`channel`
    default:
      return sql`'all'`
  }
}

const keyOf = (by: SupervisionDimension, value: unknown): string | null => {
  const v = value === null || value === undefined ? '' : String(value)
  if (by === 'all') return 'all'
  return v === '' ? null : v
}

function filterSql(filter: SupervisionFilter) {
  const parts: RawBuilder<unknown>[] = []
  if (filter.departmentId) parts.push(sql`department_id = ${filter.departmentId}`)
  if (filter.itemId) parts.push(sql`item_id = ${filter.itemId}`)
  if (filter.servicePointId) {
    parts.push(sql`service_point_id = ${filter.servicePointId === 'none' ? '' : filter.servicePointId}`)
  }
  if (filter.channel) parts.push(sql`channel = ${filter.channel}`)
  return parts.length > 0 ? sql` and ${sql.join(parts, sql` and `)}` : sql``
}

// ----- what was read, kept while the generation stands ---------------------------------------------

/** Rows of the summary kept per database handle, at most (the least recently read go first). */
const KEPT_ROWS = 250_000

interface Kept {
  generation: number
  entries: Map<string, { rows: Promise<readonly unknown[]>; size: number }>
}
const keptByDb = new WeakMap<object, Kept>()

const generationReads = new WeakMap<object, Promise<number | undefined>>()

/**
 * The summary's generation, read now or by a read still under way (the parts of one statistics
 * request start together and share one read; each then reads its rows after it).
 */
function generationOf(db: DbOrTrx): Promise<number | undefined> {
  let read = generationReads.get(db)
  if (!read) {
    read = db
      .selectFrom('supervisionSummaryState')
      .select('generation')
      .where('id', '=', STATE_ID)
      .executeTakeFirst()
      .then((row) => (row === undefined ? undefined : Number(row.generation)))
      .finally(() => generationReads.delete(db))
    generationReads.set(db, read)
  }
  return read
}

/**
 * Runs a read of the summary's tables, or answers it from what this process read under the same
 * generation: `supervision_summary_state.generation` moves on in every transaction that changes
 * those tables, so while it stands they hold the same rows. A read is kept under the generation
 * read before it (its rows are at least that fresh: a change committed in between only makes
 * them fresher); a new generation drops everything kept. Paging
 * through a year by item, the workbook after the page and the other supervisors' views then sum
 * the year's rows once per refresh (every five minutes) instead of once per request. Callers
 * must not change the rows.
 */
async function cachedRows<R>(db: DbOrTrx, query: RawBuilder<R>): Promise<readonly R[]> {
  const generation = db.isTransaction ? undefined : await generationOf(db)
  if (generation === undefined) return (await query.execute(db)).rows
  let kept = keptByDb.get(db)
  if (!kept || kept.generation < generation) {
    kept = { generation, entries: new Map() }
    keptByDb.set(db, kept)
  }
  if (kept.generation !== generation) return (await query.execute(db)).rows
  const compiled = query.compile(db)
  const key = `${compiled.sql}\n${JSON.stringify(compiled.parameters)}`
  const entries = kept.entries
  const found = entries.get(key)
  if (found) {
    entries.delete(key)
    entries.set(key, found)
    return found.rows as Promise<readonly R[]>
  }
  const entry = { rows: query.execute(db).then((r) => r.rows as readonly unknown[]), size: 0 }
  entries.set(key, entry)
  try {
    const rows = (await entry.rows) as readonly R[]
    entry.size = rows.length
    let total = 0
    for (const e of entries.values()) total += e.size
    for (const [k, e] of entries) {
      if (total <= KEPT_ROWS) break
      entries.delete(k)
      total -= e.size
    }
    return rows
  } catch (error) {
    if (entries.get(key) === entry) entries.delete(key)
    throw error
  }
}

/** `and <by's column> in (…)` for some of its values (none meaning ''); nothing is chosen by none. */
function onlySql(by: SupervisionDimension, keys: readonly (string | null)[]) {
  if (by === 'all') return sql``
  if (keys.length === 0) return sql` and 1 = 0`
  return sql` and ${groupColumn(by)} in (${sql.join(keys.map((k) => k ?? ''))})`
}

/**
 * Runs `select <columns> … group by <groupBy>` over the summary of `range` — the monthly roll-up
 * for its whole months, the daily rows for the rest — and returns the rows of every part (the
 * caller adds up rows of the same group).
 */
async function summarySelect<R>(
  db: DbOrTrx,
  stem: Stem,
  filter: SupervisionFilter,
  range: DayRange,
  columns: RawBuilder<unknown>,
  groupBy: RawBuilder<unknown>,
  /** The cell columns `columns` and `groupBy` read. */
  uses: readonly string[],
  /** Only these values of the group column (`by`'s, none meaning ''), when given. */
  only?: { by: SupervisionDimension; keys: readonly (string | null)[] },
): Promise<R[]> {
  const { months, days } = decompose(range)
  const parts: Promise<readonly R[]>[] = []
  const needs = [...uses, ...filterColumns(filter)]
  const where = only ? sql`${filterSql(filter)}${onlySql(only.by, only.keys)}` : filterSql(filter)
  if (months) {
    parts.push(
      cachedRows(
        db,
        sql<R>`select ${columns} from ${summaryTable('month', stem, needs)}
          where month >= ${months.from} and month <= ${months.to}${where}
          group by ${groupBy}`,
      ),
    )
  }
  for (const d of days) {
    const arms = dayParts(d).map(
      (p) => sql`select ${columns} from ${summaryTable(p.grain, stem, needs)}
        where ${p.when}${where}
        group by ${groupBy}`,
    )
    parts.push(cachedRows(db, sql<R>`${sql.join(arms, sql` union all `)}`))
  }
  return (await Promise.all(parts)).flat()
}

const n = (v: unknown) => Number(v ?? 0)

/** The counts of the days of `range` (everything but the open cases), per value of `by`. */
export async function summaryCounts(
  db: DbOrTrx,
  filter: SupervisionFilter,
  by: SupervisionDimension,
  range: DayRange,
): Promise<ApplicationCountsRow[]> {
  const sums = sql.join(COUNT_COLUMN_NAMES.map((c) => sql`sum(${sql.ref(c)}) as ${sql.ref(c)}`))
  const rows = await summarySelect<Record<string, unknown>>(
    db,
    'counts',
    filter,
    range,
    sql`${groupColumn(by)} as k, max(item_name) as label, ${sums}`,
    sql`1`,
    groupColumnName(by),
  )
  const out = new Map<string | null, ApplicationCountsRow>()
  for (const r of rows) {
    const key = keyOf(by, r.k)
    const row = out.get(key) ?? {
      key,
      label: null,
      received: 0,
      accepted: 0,
      deemedAccepted: 0,
      notAccepted: 0,
      refused: 0,
      withdrawn: 0,
      completed: 0,
      approved: 0,
      onlineFull: 0,
      overdueCompleted: 0,
      promisedOverdueCompleted: 0,
      open: 0,
      openPastDue: 0,
      corrected: 0,
    }
    if (by === 'item' && typeof r.label === 'string' && (row.label === null || r.label > row.label)) row.label = r.label
    row.received += n(r.received)
    row.accepted += n(r.accepted)
    row.deemedAccepted += n(r.deemedAccepted)
    row.notAccepted += n(r.notAccepted)
    row.refused += n(r.refused)
    row.withdrawn += n(r.withdrawn)
    row.completed += n(r.completed)
    row.approved += n(r.approved)
    row.onlineFull += n(r.onlineFull)
    row.overdueCompleted += n(r.overdueCompleted)
    row.promisedOverdueCompleted += n(r.promisedOverdueCompleted)
    row.corrected += n(r.corrected)
    out.set(key, row)
  }
  return [...out.values()]
}

/** Days used by the cases completed on the days of `range`, as buckets per value of `by`. */
export async function summaryDurations(
  db: DbOrTrx,
  filter: SupervisionFilter,
  by: SupervisionDimension,
  range: DayRange,
  /** Only the buckets of these values of `by` (a page of the groups), when given. */
  keys?: readonly (string | null)[],
): Promise<UsedBucket[]> {
  const rows = await summarySelect<{ k: unknown; used: number; count: number; within: number; promisedSum: number }>(
    db,
    'durations',
    filter,
    range,
    sql`${groupColumn(by)} as k, used, sum(count) as count, sum(within) as within, sum(promised_sum) as promised_sum`,
    sql`1, used`,
    groupColumnName(by),
    keys && { by, keys },
  )
  return rows.map((r) => ({
    key: keyOf(by, r.k),
    used: n(r.used),
    count: n(r.count),
    within: n(r.within),
    promisedSum: n(r.promisedSum),
  }))
}

/** Ratings given on the days of `range` (appeal-upheld ones left out), counted per value of `by`. */
export async function summaryRatings(
  db: DbOrTrx,
  filter: SupervisionFilter,
  by: SupervisionDimension,
  range: DayRange,
): Promise<Map<string | null, RatingFact[]>> {
  const rows = await summarySelect<{ k: unknown; level: number; isDefault: number; count: number }>(
    db,
    'ratings',
    filter,
    range,
    sql`${groupColumn(by)} as k, level, is_default, sum(count) as count`,
    sql`1, level, is_default`,
    groupColumnName(by),
  )
  const out = new Map<string | null, RatingFact[]>()
  for (const r of rows) {
    const key = keyOf(by, r.k)
    const list = out.get(key) ?? []
    list.push({
      id: '',
      applicationId: '',
      departmentId: '',
      level: n(r.level),
      ratedAt: '',
      isDefault: n(r.isDefault),
      count: n(r.count),
    })
    out.set(key, list)
  }
  return out
}

/** Received and completed per day of `range` (from the daily rows: the trend needs days). */
export async function summaryDaily(
  db: DbOrTrx,
  filter: SupervisionFilter,
  range: DayRange,
): Promise<{ day: string; received: number; completed: number }[]> {
  const rows = await cachedRows(
    db,
    sql<{ day: string; received: number; completed: number }>`
      select day, sum(received) as received, sum(completed) as completed
      from ${summaryTable('day', 'counts', filterColumns(filter))}
      where day >= ${range.from} and day <= ${range.to}${filterSql(filter)}
      group by day`,
  )
  return rows.map((r) => ({ day: String(r.day), received: n(r.received), completed: n(r.completed) }))
}

/**
 * Materials named in the correction notices of the days of `range`, per item and material: every
 * material of the items among the `top` most named (most first, then by item and code) and of the
 * items in `also`, in no order, summed over the parts of the range (a year of a district names
 * tens of thousands of item materials; only the top few are shown).
 */
export async function summaryMaterials(
  db: DbOrTrx,
  filter: SupervisionFilter,
  range: DayRange,
  options: { top: number; also: readonly string[] },
): Promise<Omit<CorrectionMaterialRow, 'key'>[]> {
  const { months, days } = decompose(range)
  const table = (grain: 'day' | 'month') => summaryTable(grain, 'materials', ['item_id', ...filterColumns(filter)])
  /** The parts of the range, as one union of `columns`. */
  const union = (columns: RawBuilder<unknown>) => {
    const parts: RawBuilder<unknown>[] = []
    if (months) {
      parts.push(sql`select ${columns} from ${table('month')}
        where month >= ${months.from} and month <= ${months.to}${filterSql(filter)}`)
    }
    for (const d of days) {
      for (const p of dayParts(d))
        parts.push(sql`select ${columns} from ${table(p.grain)} where ${p.when}${filterSql(filter)}`)
    }
    return sql.join(parts, sql` union all `)
  }
  // The top without the names first (the names' max() over a year of rows cost a third of the
  // time), then every column for the top's items and those in `also` (read by item: migration 0024).
  const ranked = await cachedRows(
    db,
    sql<{ itemId: string }>`select item_id, sum(count) as count from (${union(sql`item_id, material_code, count`)}) x
      group by item_id, material_code order by sum(count) desc, item_id, material_code limit ${options.top}`,
  )
  const items = [...new Set([...ranked.map((r) => r.itemId), ...options.also])]
  if (items.length === 0) return []
  const rows = await cachedRows(
    db,
    sql<{ itemId: string; materialCode: string; itemVersionId: string; itemName: string; count: number }>`
      select item_id, material_code, max(item_version_id) as item_version_id, max(item_name) as item_name,
        sum(count) as count
      from (${union(sql`item_id, material_code, item_version_id, item_name, count`)}) x
      where item_id in (${sql.join(items)})
      group by item_id, material_code`,
  )
  return rows.map((r) => ({
    itemId: r.itemId,
    materialCode: r.materialCode,
    itemVersionId: r.itemVersionId,
    itemName: r.itemName,
    count: n(r.count),
  }))
}
