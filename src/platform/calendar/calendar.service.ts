/**
 * The working calendar as the rest of the platform uses it: loaded from `calendar_days`, cached
 * in the process, edited by admins, seeded with the State Council's schedules.
 *
 * The cache lives for at most `maxAgeMs` (60 s by default) so that an edit made on another node
 * is seen within a minute; an edit made through this process clears it at once.
 */
import { appendAudit, auditActorOf, systemActor } from '../audit/audit.js'
import type { Actor } from '../auth/principal.js'
import { type Clock, systemClock } from '../clock.js'
import { type Db, type DbOrTrx, transaction } from '../db/database.js'
import { DomainError, type FieldProblem, invalidInput } from '../http/errors.js'
import {
  CALENDAR_DAY_KINDS,
  type CalendarDayKind,
  createWorkingCalendar,
  isValidDay,
  type WorkingCalendar,
} from './calendar.js'
import {
  type CalendarDayRow,
  deleteCalendarDay,
  findCalendarDay,
  getCalendarDay,
  insertMissingCalendarDays,
  listCalendarDays,
  upsertCalendarDay,
} from './calendar.repository.js'
import { officialCalendarEntries } from './holidays.js'

/** `updated_by` of the days the seed inserts from the official schedules. */
export const SYSTEM_UPDATER = 'system'
export const DEFAULT_CALENDAR_MAX_AGE_MS = 60_000
const MAX_NAME_LENGTH = 30
const MAX_SOURCE_LENGTH = 100

export interface CalendarDayInput {
  day: string
  kind: CalendarDayKind
  /** The festival or reason, e.g. '春节'. */
  name: string
  /** The notice or decision, e.g. '国办发明电〔2025〕7号'. */
  source?: string | null
}

/** The request an edit comes from, for the audit trail. */
export interface CalendarRequestContext {
  requestId?: string | null
  sourceIp?: string | null
}

/** Who edits (staff only), when, and from which request. */
export interface CalendarEditOptions extends CalendarRequestContext {
  actor: Actor
  clock?: Clock
}

export interface CalendarOptions {
  /** Measures the cache's age (the system clock by default). */
  clock?: Clock
  maxAgeMs?: number
}

// ---------------------------------------------------------------------------------------------
// Cache: one per database handle

interface CalendarCache {
  /** Bumped by every invalidation, so a read that started before an edit is not kept. */
  generation: number
  value?: { calendar: WorkingCalendar; loadedAt: number }
  pending?: { generation: number; promise: Promise<WorkingCalendar> }
}

const caches = new WeakMap<DbOrTrx, CalendarCache>()

function cacheOf(db: DbOrTrx): CalendarCache {
  let cache = caches.get(db)
  if (!cache) {
    cache = { generation: 0 }
    caches.set(db, cache)
  }
  return cache
}

/** Forgets the cached calendar of `db`: the next load reads the table. */
export function invalidateCalendar(db: DbOrTrx): void {
  const cache = cacheOf(db)
  cache.generation += 1
  cache.value = undefined
  cache.pending = undefined
}

async function readCalendar(db: DbOrTrx): Promise<WorkingCalendar> {
  const rows = await listCalendarDays(db)
  return createWorkingCalendar(rows)
}

/**
 * The working calendar, read from `calendar_days` at most once per `maxAgeMs` per database
 * handle (a transaction always reads afresh). Years count as covered when they have a holiday
 * recorded (see `createWorkingCalendar`).
 */
export async function loadCalendar(db: DbOrTrx, options: CalendarOptions = {}): Promise<WorkingCalendar> {
  if (db.isTransaction) return readCalendar(db)
  const clock = options.clock ?? systemClock
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_CALENDAR_MAX_AGE_MS
  const cache = cacheOf(db)
  const now = clock.now().getTime()
  if (cache.value && now >= cache.value.loadedAt && now - cache.value.loadedAt < maxAgeMs) {
    return cache.value.calendar
  }
  if (cache.pending && cache.pending.generation === cache.generation) return cache.pending.promise
  const generation = cache.generation
  const promise = readCalendar(db).then(
    (calendar) => {
      if (cache.generation === generation) cache.value = { calendar, loadedAt: now }
      if (cache.pending?.promise === promise) cache.pending = undefined
      return calendar
    },
    (error: unknown) => {
      if (cache.pending?.promise === promise) cache.pending = undefined
      throw error
    },
  )
  cache.pending = { generation, promise }
  return promise
}

// ---------------------------------------------------------------------------------------------
// Admin edits

function updaterOf(actor: Actor): string {
  if (!actor.staffId) {
    throw new DomainError('CALENDAR_STAFF_ONLY', 'forbidden', '只有工作人员可以修改节假日设置')
  }
  return actor.staffId
}

function checkDayInput(input: CalendarDayInput): Omit<CalendarDayRow, 'updatedAt' | 'updatedBy'> {
  const problems: FieldProblem[] = []
  if (!isValidDay(input.day)) {
    problems.push({ field: 'day', message: '请填写 YYYY-MM-DD 格式的有效日期，例如 2026-02-15' })
  }
  if (!CALENDAR_DAY_KINDS.includes(input.kind)) {
    problems.push({ field: 'kind', message: '请选择「放假」或「调休上班」' })
  }
  const name = typeof input.name === 'string' ? input.name.trim() : ''
  if (name === '') problems.push({ field: 'name', message: '请填写节日名称，例如 春节' })
  else if ([...name].length > MAX_NAME_LENGTH) {
    problems.push({ field: 'name', message: `节日名称不能超过${MAX_NAME_LENGTH}个字` })
  }
  const source = typeof input.source === 'string' ? input.source.trim() : ''
  if ([...source].length > MAX_SOURCE_LENGTH) {
    problems.push({ field: 'source', message: `依据不能超过${MAX_SOURCE_LENGTH}个字` })
  }
  if (problems.length > 0) throw invalidInput(problems)
  return { day: input.day, kind: input.kind, name, source: source === '' ? null : source }
}

/**
 * Records a holiday or a working day on `input.day`, replacing what was recorded for it, and
 * clears the cached calendar. Use it to add a local closure, or to correct a day. 'workday' on a
 * weekend is a make-up working day (调休上班); on a weekday it changes nothing in the count but
 * overrides the official schedule for that day (the way to cancel a holiday, since the seed never
 * overwrites an existing row).
 * @throws DomainError VALIDATION_FAILED (invalid) with a problem per field;
 *   CALENDAR_STAFF_ONLY (forbidden) when the actor is not staff.
 */
export async function setCalendarDay(
  db: Db,
  input: CalendarDayInput,
  options: CalendarEditOptions,
): Promise<CalendarDayRow> {
  const updatedBy = updaterOf(options.actor)
  const values = checkDayInput(input)
  const now = (options.clock ?? systemClock).now()
  try {
    return await transaction(db, async (trx) => {
      const previous = await findCalendarDay(trx, values.day)
      const row = await upsertCalendarDay(trx, { ...values, updatedAt: now.toISOString(), updatedBy })
      await appendAudit(trx, {
        at: now,
        actor: auditActorOf(options.actor),
        action: 'calendar_day.set',
        object: { type: 'calendar_day', id: row.day },
        requestId: options.requestId,
        sourceIp: options.sourceIp,
        details: {
          kind: row.kind,
          name: row.name,
          source: row.source,
          previous: previous ? { kind: previous.kind, name: previous.name, source: previous.source } : null,
        },
      })
      return row
    })
  } finally {
    invalidateCalendar(db)
  }
}

/**
 * Deletes what is recorded for `day` (a local closure added by mistake, say) and clears the
 * cached calendar. Days of an official schedule are refused: the seed would put them back; set
 * them to another kind instead.
 * @throws DomainError CALENDAR_INVALID_DATE (invalid); NOT_FOUND when nothing is recorded;
 *   CALENDAR_OFFICIAL_DAY (conflict); CALENDAR_STAFF_ONLY (forbidden).
 */
export async function removeCalendarDay(db: Db, day: string, options: CalendarEditOptions): Promise<void> {
  updaterOf(options.actor)
  if (!isValidDay(day)) throw invalidInput([{ field: 'day', message: '请填写 YYYY-MM-DD 格式的有效日期' }])
  const official = officialCalendarEntries().find((e) => e.day === day)
  const now = (options.clock ?? systemClock).now()
  try {
    await transaction(db, async (trx) => {
      const row = await getCalendarDay(trx, day)
      if (official) {
        throw new DomainError(
          'CALENDAR_OFFICIAL_DAY',
          'conflict',
          `${day} 属于国务院办公厅公布的放假安排（${official.source}），删除后会在下次初始化数据时恢复。如需调整，请修改该日的类型`,
        )
      }
      await deleteCalendarDay(trx, day)
      await appendAudit(trx, {
        at: now,
        actor: auditActorOf(options.actor),
        action: 'calendar_day.remove',
        object: { type: 'calendar_day', id: day },
        requestId: options.requestId,
        sourceIp: options.sourceIp,
        details: { kind: row.kind, name: row.name, source: row.source },
      })
    })
  } finally {
    invalidateCalendar(db)
  }
}

// ---------------------------------------------------------------------------------------------
// Seed

export interface SeedCalendarResult {
  /** The days inserted by this run, ordered; empty when everything was already there. */
  inserted: string[]
}

/**
 * Inserts the days of the official schedules (holidays.ts) that are not recorded yet. A day
 * already recorded is left as it is, whoever set it, so an admin's correction survives every
 * later seed; running it twice changes nothing. A run that inserts days writes one audit entry.
 */
export async function seedOfficialCalendar(db: Db, options: { clock?: Clock } = {}): Promise<SeedCalendarResult> {
  const now = (options.clock ?? systemClock).now()
  const updatedAt = now.toISOString()
  const rows: CalendarDayRow[] = officialCalendarEntries().map((e) => ({
    day: e.day,
    kind: e.kind,
    name: e.name,
    source: e.source ?? null,
    updatedAt,
    updatedBy: SYSTEM_UPDATER,
  }))
  const inserted = await transaction(db, async (trx) => {
    const days = await insertMissingCalendarDays(trx, rows)
    if (days.length > 0) {
      await appendAudit(trx, {
        at: now,
        actor: systemActor('seed:calendar'),
        action: 'calendar.seed_official',
        details: { inserted: days.length, first: days[0], last: days[days.length - 1] },
      })
    }
    return days
  })
  if (inserted.length > 0) invalidateCalendar(db)
  return { inserted }
}

// ---------------------------------------------------------------------------------------------
// The service in Deps

export interface CalendarService {
  /** The working calendar, cached for up to a minute (see `loadCalendar`). */
  load(): Promise<WorkingCalendar>
  /** See `setCalendarDay`. */
  setDay(input: CalendarDayInput, actor: Actor, request?: CalendarRequestContext): Promise<CalendarDayRow>
  /** See `removeCalendarDay`. */
  removeDay(day: string, actor: Actor, request?: CalendarRequestContext): Promise<void>
  /** See `seedOfficialCalendar`. */
  seedOfficial(): Promise<SeedCalendarResult>
}

export function createCalendarService(
  deps: { db: Db; clock: Clock },
  options: { maxAgeMs?: number } = {},
): CalendarService {
  const { db, clock } = deps
  return {
    load: () => loadCalendar(db, { clock, maxAgeMs: options.maxAgeMs }),
    setDay: (input, actor, request) => setCalendarDay(db, input, { ...request, actor, clock }),
    removeDay: (day, actor, request) => removeCalendarDay(db, day, { ...request, actor, clock }),
    seedOfficial: () => seedOfficialCalendar(db, { clock }),
  }
}
