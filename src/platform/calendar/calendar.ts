/**
 * Working-day arithmetic (行政许可法 §82: time limits count working days, statutory holidays
 * excluded). Pure functions over a `WorkingCalendar` built from the `calendar_days` rows: no
 * database, no clock.
 *
 * A day is a plain `YYYY-MM-DD` string. All arithmetic is on whole days counted from 1970-01-01
 * in UTC, so the host's time zone never shifts a date.
 *
 * The rule: Saturday and Sunday are not working days unless listed as 'workday' (调休上班);
 * Monday to Friday are working days unless listed as 'holiday'. A year whose official schedule
 * is not loaded is still counted, by weekends alone, but the answer may be wrong (元旦 and the
 * other statutory holidays are missing): callers check `cal.coversYear(y)`, `missingYears()`, or
 * use `addWorkingDaysWithCoverage()` / `assertCovers()`.
 */
import { DomainError } from '../http/errors.js'

export type CalendarDayKind = 'holiday' | 'workday'

export const CALENDAR_DAY_KINDS: readonly CalendarDayKind[] = ['holiday', 'workday']

/** One exception to the weekly rhythm: a holiday (放假) or a make-up working day (调休上班). */
export interface CalendarEntry {
  day: string
  kind: CalendarDayKind
  /** The festival, e.g. '春节'. */
  name: string
  /** Where the day comes from, e.g. '国办发明电〔2025〕7号'. */
  source?: string | null
}

export interface WorkingCalendar {
  /** The recorded holiday or make-up working day on `day`, if any. */
  entry(day: string): CalendarEntry | undefined
  /** Every recorded entry, by day. */
  entries(): readonly CalendarEntry[]
  /**
   * True when the holiday schedule of `year` is loaded, so counting through that year is exact.
   * Without it the calendar falls back to weekends only.
   */
  coversYear(year: number): boolean
  /** The years with a loaded schedule, ascending. */
  readonly coveredYears: readonly number[]
}

const MS_PER_DAY = 86_400_000
/** 1970-01-05, the first Monday on or after the epoch. */
const EPOCH_MONDAY = 4
/** Bounds of `addWorkingDays`: ten years of working days is far beyond any legal time limit. */
export const MAX_WORKING_DAYS = 2500
/** A longer stretch with no working day means the calendar data is broken, not a real schedule. */
const MAX_NON_WORKING_STRETCH = 366

// ---------------------------------------------------------------------------------------------
// Days

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/

export const invalidDay = (value: unknown) =>
  new DomainError(
    'CALENDAR_INVALID_DATE',
    'invalid',
    `日期「${String(value).slice(0, 40)}」不正确，请填写 YYYY-MM-DD 格式的有效日期，例如 2026-02-12`,
  )

/** Days since 1970-01-01 of a valid `YYYY-MM-DD`, or undefined (wrong form, 02-30, month 13…). */
function toEpochDayOrUndefined(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const match = DAY_PATTERN.exec(value)
  if (!match) return undefined
  const year = Number(match[1])
  const month = Number(match[2])
  const dayOfMonth = Number(match[3])
  if (year < 1000 || month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > 31) return undefined
  const date = new Date(0)
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, dayOfMonth)
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== dayOfMonth) {
    return undefined
  }
  return Math.round(date.getTime() / MS_PER_DAY)
}

function toEpochDay(value: unknown): number {
  const epochDay = toEpochDayOrUndefined(value)
  if (epochDay === undefined) throw invalidDay(value)
  return epochDay
}

function fromEpochDay(epochDay: number): string {
  const text = new Date(epochDay * MS_PER_DAY).toISOString()
  if (!/^[1-9]\d{3}-/.test(text)) throw invalidDay(text)
  return text.slice(0, 10)
}

/** True for a real calendar date written `YYYY-MM-DD` (years 1000–9999). */
export function isValidDay(value: unknown): value is string {
  return toEpochDayOrUndefined(value) !== undefined
}

/**
 * Checks a day and returns it unchanged.
 * @throws DomainError CALENDAR_INVALID_DATE (invalid) when it is not a real `YYYY-MM-DD` date.
 */
export function parseDay(value: unknown): string {
  toEpochDay(value)
  return value as string
}

/** The year of a valid day. */
export function yearOf(day: string): number {
  toEpochDay(day)
  return Number(day.slice(0, 4))
}

/** 0 Sunday, 1 Monday … 6 Saturday. */
export function dayOfWeek(day: string): number {
  return weekdayOfEpochDay(toEpochDay(day))
}

function weekdayOfEpochDay(epochDay: number): number {
  // 1970-01-01 was a Thursday (4).
  return (((epochDay + 4) % 7) + 7) % 7
}

/** `day` moved by `n` calendar days (negative moves back). */
export function addCalendarDays(day: string, n: number): string {
  if (!Number.isSafeInteger(n)) throw invalidCount(n)
  return fromEpochDay(toEpochDay(day) + n)
}

/**
 * Today's date in Asia/Shanghai (UTC+8) for the instant `now`. China Standard Time has had a
 * fixed offset and no daylight saving since 1991, so adding eight hours is exact.
 */
export function todayInShanghai(now: Date): string {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw invalidDay(now)
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
}

// ---------------------------------------------------------------------------------------------
// The calendar

class MapCalendar implements WorkingCalendar {
  private readonly byDay = new Map<string, CalendarEntry>()
  private readonly years: ReadonlySet<number>
  readonly coveredYears: readonly number[]

  constructor(entries: Iterable<CalendarEntry>, coveredYears: Iterable<number> | undefined) {
    for (const entry of entries) {
      parseDay(entry.day)
      if (!CALENDAR_DAY_KINDS.includes(entry.kind)) {
        throw new DomainError('CALENDAR_INVALID_KIND', 'invalid', `${entry.day} 的类型「${entry.kind}」不正确`)
      }
      if (this.byDay.has(entry.day)) {
        throw new DomainError('CALENDAR_DUPLICATE_DAY', 'invalid', `日历中 ${entry.day} 出现了不止一次`)
      }
      this.byDay.set(entry.day, { ...entry })
    }
    const years = new Set<number>()
    if (coveredYears) {
      for (const year of coveredYears) years.add(year)
    } else {
      // The State Council publishes a whole year at once and every schedule has holidays (元旦 at
      // least), so a year with a holiday recorded has its schedule loaded.
      for (const entry of this.byDay.values()) if (entry.kind === 'holiday') years.add(Number(entry.day.slice(0, 4)))
    }
    this.years = years
    this.coveredYears = [...years].sort((a, b) => a - b)
  }

  entry(day: string): CalendarEntry | undefined {
    return this.byDay.get(day)
  }

  entries(): readonly CalendarEntry[] {
    return [...this.byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
  }

  coversYear(year: number): boolean {
    return this.years.has(year)
  }
}

/**
 * Builds a calendar from its holidays and make-up working days.
 * `coveredYears` says which years have a complete schedule; by default, every year with at least
 * one holiday recorded.
 * @throws DomainError (invalid) on a malformed day, an unknown kind, or a day listed twice.
 */
export function createWorkingCalendar(
  entries: Iterable<CalendarEntry>,
  options: { coveredYears?: Iterable<number> } = {},
): WorkingCalendar {
  return new MapCalendar(entries, options.coveredYears)
}

// ---------------------------------------------------------------------------------------------
// Working days

function isWorkingEpochDay(cal: WorkingCalendar, epochDay: number): boolean {
  const entry = cal.entry(fromEpochDay(epochDay))
  if (entry) return entry.kind === 'workday'
  const weekday = weekdayOfEpochDay(epochDay)
  return weekday !== 0 && weekday !== 6
}

/** True when `day` is a working day: a weekday that is not a holiday, or a make-up working day. */
export function isWorkingDay(cal: WorkingCalendar, day: string): boolean {
  return isWorkingEpochDay(cal, toEpochDay(day))
}

const invalidCount = (n: unknown) =>
  new DomainError(
    'CALENDAR_INVALID_COUNT',
    'invalid',
    `工作日数「${String(n).slice(0, 20)}」不正确，应为 -${MAX_WORKING_DAYS} 到 ${MAX_WORKING_DAYS} 之间的整数`,
  )

const brokenCalendar = (from: string) =>
  new DomainError(
    'CALENDAR_NO_WORKING_DAY',
    'unavailable',
    `工作日历数据异常：${from} 前后连续一年以上没有工作日，请管理员检查节假日设置`,
  )

/**
 * The day `n` working days after `day` (民法典 §201: the day of the event is not counted, so
 * counting starts the day after). `n = 0` returns `day` itself, even if it is not a working day;
 * for `n ≥ 1` the result is always a working day. A negative `n` counts back: `-1` is the last
 * working day before `day`.
 *
 * E.g. 20 working days from acceptance on Thursday 2026-02-12 ends on 2026-03-18.
 * @throws DomainError (invalid) on a malformed day or `n` not an integer within ±MAX_WORKING_DAYS.
 */
export function addWorkingDays(cal: WorkingCalendar, day: string, n: number): string {
  let current = toEpochDay(day)
  if (!Number.isInteger(n) || Math.abs(n) > MAX_WORKING_DAYS) throw invalidCount(n)
  if (n === 0) return day
  const step = n > 0 ? 1 : -1
  let remaining = Math.abs(n)
  let stretch = 0
  while (remaining > 0) {
    current += step
    if (isWorkingEpochDay(cal, current)) {
      remaining -= 1
      stretch = 0
    } else if (++stretch > MAX_NON_WORKING_STRETCH) {
      throw brokenCalendar(day)
    }
  }
  return fromEpochDay(current)
}

/** The first working day after `day` (`day` itself is never the answer). */
export function nextWorkingDay(cal: WorkingCalendar, day: string): string {
  return addWorkingDays(cal, day, 1)
}

/** The last working day before `day` (`day` itself is never the answer). */
export function previousWorkingDay(cal: WorkingCalendar, day: string): string {
  return addWorkingDays(cal, day, -1)
}

/**
 * `day` if it is a working day, else the next one (民法典 §203: a period whose last day is a
 * holiday ends on the first day after the holiday).
 */
export function workingDayOnOrAfter(cal: WorkingCalendar, day: string): string {
  return isWorkingDay(cal, day) ? day : nextWorkingDay(cal, day)
}

/** Weekdays (Monday–Friday) among the epoch days before `epochDay`, counted from EPOCH_MONDAY. */
function weekdaysBefore(epochDay: number): number {
  const offset = epochDay - EPOCH_MONDAY
  const weeks = Math.floor(offset / 7)
  return weeks * 5 + Math.min(offset - weeks * 7, 5)
}

/**
 * Working days from `from` to `to`, counted as the law counts a period: the working days after
 * `from` up to and including `to`, i.e. in the half-open interval (from, to].
 *
 * - `to` after `from`: a count ≥ 0 (e.g. Thursday → next Monday, no holidays: 2).
 * - `to` equal to `from`: 0.
 * - `to` before `from`: minus the working days in (to, from], so the function is antisymmetric:
 *   `workingDaysBetween(cal, a, b) === -workingDaysBetween(cal, b, a)`.
 *
 * It is the inverse of `addWorkingDays` for n ≥ 0: `workingDaysBetween(cal, d, addWorkingDays(cal,
 * d, n)) === n`; for n < 0 the same holds when `d` is itself a working day. The count is exact in
 * O(holidays), however far apart the days are.
 * @throws DomainError (invalid) on a malformed day.
 */
export function workingDaysBetween(cal: WorkingCalendar, from: string, to: string): number {
  const a = toEpochDay(from)
  const b = toEpochDay(to)
  if (a === b) return 0
  const [low, high, sign] = a < b ? [a, b, 1] : [b, a, -1]
  const lowDay = fromEpochDay(low)
  const highDay = fromEpochDay(high)
  let count = weekdaysBefore(high + 1) - weekdaysBefore(low + 1)
  for (const entry of cal.entries()) {
    if (entry.day <= lowDay || entry.day > highDay) continue
    const weekday = dayOfWeek(entry.day)
    const weekend = weekday === 0 || weekday === 6
    if (entry.kind === 'holiday' && !weekend) count -= 1
    if (entry.kind === 'workday' && weekend) count += 1
  }
  return sign * count
}

// ---------------------------------------------------------------------------------------------
// Coverage: is the official schedule loaded for the days a count looks at?

/**
 * The years without a loaded schedule among the days a count from `from` to `to` looks at: the
 * days after the earlier one up to and including the later one. Empty when they are equal.
 */
export function missingYears(cal: WorkingCalendar, from: string, to: string): number[] {
  const a = toEpochDay(from)
  const b = toEpochDay(to)
  if (a === b) return []
  const first = Number(fromEpochDay(Math.min(a, b) + 1).slice(0, 4))
  const last = Number(fromEpochDay(Math.max(a, b)).slice(0, 4))
  const missing: number[] = []
  for (let year = first; year <= last; year++) if (!cal.coversYear(year)) missing.push(year)
  return missing
}

export const calendarNotLoaded = (years: readonly number[]) =>
  new DomainError(
    'CALENDAR_YEAR_NOT_LOADED',
    'unavailable',
    `尚未录入${years.join('、')}年的法定节假日安排，工作日无法准确计算。请管理员按国务院办公厅公布的放假安排录入后再试`,
  )

/**
 * Throws when a count from `from` to `to` would pass through a year whose schedule is not loaded.
 * @throws DomainError CALENDAR_YEAR_NOT_LOADED (unavailable)
 */
export function assertCovers(cal: WorkingCalendar, from: string, to: string): void {
  const missing = missingYears(cal, from, to)
  if (missing.length > 0) throw calendarNotLoaded(missing)
}

/**
 * `addWorkingDays`, also saying which years of the count have no schedule loaded: when
 * `missingYears` is not empty the day was counted on weekends alone and may be too early.
 */
export function addWorkingDaysWithCoverage(
  cal: WorkingCalendar,
  day: string,
  n: number,
): { day: string; missingYears: number[] } {
  const result = addWorkingDays(cal, day, n)
  return { day: result, missingYears: missingYears(cal, day, result) }
}
