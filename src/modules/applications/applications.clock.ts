/**
 * The legal clock (MODEL.md "The clock"): how many days of a time limit are used, how many are
 * left, and the last day on which a decision is in time. Pure functions over a `WorkingCalendar`
 * and a `ClockSpec`: no database, no system clock (callers pass `now`, e.g. `deps.clock.now()`).
 *
 * A clock belongs to an application (its legal limit and its promised limit) or to a processing
 * task (its own budget). Days used and left are always derived from the spec, never stored.
 *
 * The rules, and where they come from:
 *
 * 1. Days are Asia/Shanghai calendar days. An instant (acceptance, a pause starting or ending)
 *    falls on the day `todayInShanghai` gives for it; the time within the day does not matter.
 *
 * 2. 民法典 §201 (开始的当日不计入): the day of the trigger (acceptance, receipt…) is not counted;
 *    counting starts the day after. "20 working days from acceptance on Thursday 2026-02-12" ends
 *    on 2026-03-18 (DOMAIN.md §2).
 *
 * 3. 行政许可法 §82: a limit in 工作日 counts working days only (statutory holidays excluded,
 *    make-up working days 调休上班 included) — `isWorkingDay` of the calendar. Some items and tasks
 *    have limits in 自然日: every calendar day counts, and 民法典 §203 applies to the last day: when
 *    it is a 法定休假日 (a holiday or an ordinary weekend), the period ends on the first working day
 *    after it. A make-up Saturday is a working day, so a period may end on it.
 *
 * 4. 行政许可法 §42: the budget may be extended (+10 working days with the agency head's approval;
 *    +15 for joint or centralized handling on a 45-day budget). The clock counts
 *    `budgetDays + extensionDays`; the approval itself is the caller's business.
 *
 * 5. 行政许可法 §45 (hearings, tenders, auctions, inspection, testing, quarantine, appraisal and
 *    expert review are not counted), and correction during review (补正告知 → 补正受理, Guangdong's
 *    stages): a pause. Which days a pause takes out of the count:
 *
 *    - The day the pause starts COUNTS (the agency had that day to work, and the notice is issued
 *      within the period); the day it ends (the corrected materials arrive, the expert report comes
 *      in) does NOT count: counting resumes the day after, exactly as after any trigger (民法典
 *      §201). So a pause from day A to day B takes out the days in the half-open interval (A, B]:
 *      `workingDaysBetween(cal, A, B)` working days, the same half-open convention as the whole
 *      calendar module.
 *    - Why this rule: the agency never gains the part-day on which it issued the notice (fair to
 *      the applicant), it is never charged for the rest of a day on which materials arrived late in
 *      the afternoon, a pause that starts and ends on the same day takes out nothing, and pauses
 *      compose: a pause A→B followed by B→C takes out exactly what A→C does, so splitting a pause
 *      into two records never changes the due day. A rule of "only whole days inside the pause"
 *      would break that (two adjacent pauses would take out one day less than one long pause).
 *    - Hence `dueOn` moves later by exactly the working days in (A, B] (MODEL.md: due_on =
 *      addWorkingDays(starts_on − 1, budget + extension + working days inside closed pauses)).
 *    - An open pause (no `to` yet) freezes the count: days used and left stay as they were at the
 *      end of day A, and the due day is unknown until the pause ends.
 *    - A pause only counts when it starts on or before the due day as it stood then. A period that
 *      has already run out is not revived by a hearing or an expert review ordered afterwards:
 *      such a pause (and any later one) leaves the due day alone and the clock keeps counting
 *      overdue days. When a pause starts ON the due day, the due day is used up; after the pause
 *      the decision is due on the day it ends (or, that day being a holiday, the next working day,
 *      民法典 §203) — one working day more than "exactly" only in that corner.
 *
 * 6. A budget of 0 (即办件, decided on the spot) is due on the day of the trigger, or the next
 *    working day when the trigger falls on a holiday (an online submission on a Saturday).
 *
 * 7. Evaluating at `now` (days used, left, the state, the summary) uses the spec as it stood at
 *    `now`: pauses that started later are ignored, and a pause that ended later is still open.
 *    So a clock evaluated at the decision time says whether the decision was in time.
 *
 * 8. Years without an official holiday schedule: the calendar counts them by weekends alone, and
 *    a due day in or after such a year may be too early. The results do not throw — a page must
 *    still show the application — but carry `calendarIncomplete` and `missingYears` (see
 *    `clockCoverage`, `clockSummary`, `deemedAcceptanceDue`) so the page shows a warning. A
 *    service that must refuse instead calls `assertCovers` of the calendar module.
 */
import {
  addCalendarDays,
  addWorkingDays,
  isValidDay,
  MAX_WORKING_DAYS,
  missingYears,
  todayInShanghai,
  type WorkingCalendar,
  workingDayOnOrAfter,
  workingDaysBetween,
} from '../../platform/calendar/index.js'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'

// ---------------------------------------------------------------------------------------------
// Types

/** 工作日: working days (行政许可法 §82); 自然日: calendar days, last day moved off a holiday (民法典 §203). */
export type ClockUnit = '工作日' | '自然日'

export const CLOCK_UNITS: readonly ClockUnit[] = ['工作日', '自然日']

/** Why the count stops (行政许可法 §45, plus correction during review). */
export type PauseReason =
  | 'correction'
  | 'hearing'
  | 'testing'
  | 'inspection'
  | 'quarantine'
  | 'appraisal'
  | 'expert_review'
  | 'tender'
  | 'auction'
  | 'other'

/** The words of 行政许可法 §45 (and 补正) for each reason, for notices and pages. */
export const PAUSE_REASON_LABELS: Readonly<Record<PauseReason, string>> = {
  correction: '补正材料',
  hearing: '听证',
  testing: '检测',
  inspection: '检验',
  quarantine: '检疫',
  appraisal: '鉴定',
  expert_review: '专家评审',
  tender: '招标',
  auction: '拍卖',
  other: '其他特别程序',
}

export const PAUSE_REASONS = Object.keys(PAUSE_REASON_LABELS) as readonly PauseReason[]

/** A stretch of time not counted. `from` and `to` are ISO-8601 instants with a zone. */
export interface Pause {
  from: string
  /** Absent (or null) while the pause is still open: the count is frozen. */
  to?: string | null
  reason: PauseReason
}

export interface ClockSpec {
  /** The triggering instant (acceptance, receipt, task creation), ISO-8601 with a zone. */
  trigger: string
  unit: ClockUnit
  /** The time limit, ≥ 0 (0: 即办件). */
  budgetDays: number
  /** Approved extension, ≥ 0 (行政许可法 §42: +10, or +15 for joint handling). */
  extensionDays: number
  pauses: readonly Pause[]
}

/**
 * - running: in time, more than `yellowBeforeDays` working days before the due day;
 * - paused: an open pause freezes the count;
 * - yellow: from `yellowBeforeDays` working days before the due day through the due day itself
 *   (DOMAIN.md §4: a reminder one working day before the deadline; the due day is still in time);
 * - red: after the due day (overdue).
 */
export type ClockState = 'running' | 'paused' | 'yellow' | 'red'

export interface ClockStateOptions {
  /** Working days before the due day from which the clock is yellow; default 1, 0 = only the due day. */
  yellowBeforeDays?: number
}

export interface CalendarCoverage {
  /** True when the count passes through a year whose official holiday schedule is not loaded. */
  calendarIncomplete: boolean
  missingYears: number[]
}

/** The limits of 行政许可法, as defaults for the callers that set up clocks. */
export const STATUTORY_LIMITS = {
  /** §32: tell the applicant what to correct within 5 (working) days of receipt. */
  correctionNoticeDays: 5,
  /** §42: decide within 20 working days of acceptance, +10 with the head's approval. */
  decision: { budgetDays: 20, extensionDays: 10 },
  /** §42: joint or centralized handling (联合/集中办理): 45 working days, +15. */
  jointDecision: { budgetDays: 45, extensionDays: 15 },
  /** §44: issue and deliver the license within 10 working days of the decision. */
  delivery: { budgetDays: 10, extensionDays: 0 },
} as const

// ---------------------------------------------------------------------------------------------
// Validation

const INSTANT_PATTERN = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/

/** Milliseconds of an ISO-8601 instant with a zone (Z or ±hh:mm), or undefined. */
function parseInstant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const match = INSTANT_PATTERN.exec(value)
  if (!match) return undefined
  // Date.parse rolls 02-30 over to 03-02 and accepts 24:00: check the parts first.
  if (!isValidDay(match[1])) return undefined
  if (Number(match[2]) > 23 || Number(match[3]) > 59 || Number(match[4] ?? 0) > 59) return undefined
  if (match[5] !== undefined && (Number(match[5]) > 14 || Number(match[6]) > 59)) return undefined
  const ms = Date.parse(value)
  return Number.isFinite(ms) ? ms : undefined
}

const dayOfMs = (ms: number) => todayInShanghai(new Date(ms))

const shown = (value: unknown) => String(value).slice(0, 40)

const invalidClock = (problems: FieldProblem[]) =>
  new DomainError(
    'CLOCK_INVALID_SPEC',
    'invalid',
    `办理时限设置有误：${problems.map((p) => p.message).join('；')}`,
    problems,
  )

const invalidTime = (what: string, value: unknown) =>
  `${what}「${shown(value)}」不是有效的时间，应为带时区的时间，例如 2026-02-12T10:30:00+08:00`

function checkDays(problems: FieldProblem[], field: string, what: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    problems.push({ field, message: `${what}「${shown(value)}」应为整数天数` })
  } else if (value < 0) {
    problems.push({ field, message: `${what}不能为负数（现为 ${value} 天）` })
  } else if (value > MAX_WORKING_DAYS) {
    problems.push({ field, message: `${what}不能超过 ${MAX_WORKING_DAYS} 天` })
  }
}

/** A pause as the clock uses it: instants in ms, days in Asia/Shanghai. */
interface DayPause {
  fromMs: number
  toMs?: number
  startDay: string
  endDay?: string
  reason: PauseReason
}

/** A checked spec: pauses in time order. */
interface CheckedSpec {
  unit: ClockUnit
  total: number
  budgetDays: number
  extensionDays: number
  triggerMs: number
  triggerDay: string
  pauses: DayPause[]
}

function checkSpec(spec: ClockSpec): CheckedSpec {
  const problems: FieldProblem[] = []
  if (typeof spec !== 'object' || spec === null) {
    throw invalidClock([{ field: 'clock', message: '缺少办理时限设置' }])
  }
  const triggerMs = parseInstant(spec.trigger)
  if (triggerMs === undefined) problems.push({ field: 'trigger', message: invalidTime('计时起点', spec.trigger) })
  if (!CLOCK_UNITS.includes(spec.unit)) {
    problems.push({ field: 'unit', message: `计时单位「${shown(spec.unit)}」不正确，应为「工作日」或「自然日」` })
  }
  checkDays(problems, 'budgetDays', '办理时限', spec.budgetDays)
  checkDays(problems, 'extensionDays', '延长期限', spec.extensionDays)
  if (
    problems.length === 0 &&
    Number.isInteger(spec.budgetDays + spec.extensionDays) &&
    spec.budgetDays + spec.extensionDays > MAX_WORKING_DAYS
  ) {
    problems.push({ field: 'extensionDays', message: `办理时限与延长期限合计不能超过 ${MAX_WORKING_DAYS} 天` })
  }

  const pauses: (DayPause & { index: number })[] = []
  if (!Array.isArray(spec.pauses)) {
    problems.push({ field: 'pauses', message: '暂停记录应为列表' })
  } else {
    spec.pauses.forEach((pause, index) => {
      const name = `第 ${index + 1} 次暂停`
      const field = `pauses[${index}]`
      if (typeof pause !== 'object' || pause === null) {
        problems.push({ field, message: `${name}的内容不正确` })
        return
      }
      const fromMs = parseInstant(pause.from)
      const open = pause.to === undefined || pause.to === null
      const toMs = open ? undefined : parseInstant(pause.to)
      if (fromMs === undefined)
        problems.push({ field: `${field}.from`, message: invalidTime(`${name}的开始时间`, pause.from) })
      if (!open && toMs === undefined) {
        problems.push({ field: `${field}.to`, message: invalidTime(`${name}的结束时间`, pause.to) })
      }
      if (!PAUSE_REASONS.includes(pause.reason)) {
        problems.push({ field: `${field}.reason`, message: `${name}的原因「${shown(pause.reason)}」不正确` })
      }
      if (fromMs === undefined || (!open && toMs === undefined)) return
      if (toMs !== undefined && toMs < fromMs) {
        problems.push({ field: `${field}.to`, message: `${name}的结束时间早于开始时间` })
        return
      }
      if (triggerMs !== undefined && fromMs < triggerMs) {
        problems.push({ field: `${field}.from`, message: `${name}的开始时间早于计时起点，计时开始前不能暂停` })
        return
      }
      pauses.push({
        index,
        fromMs,
        toMs,
        startDay: dayOfMs(fromMs),
        endDay: toMs === undefined ? undefined : dayOfMs(toMs),
        reason: pause.reason,
      })
    })
  }

  // Pauses may be listed in any order; in time order they must not overlap, and only the last may
  // still be open (an open pause runs on indefinitely, so anything after it would overlap it).
  pauses.sort((a, b) => a.fromMs - b.fromMs || a.index - b.index)
  for (let i = 1; i < pauses.length; i++) {
    const before = pauses[i - 1]!
    const after = pauses[i]!
    if (before.toMs === undefined) {
      problems.push({
        field: `pauses[${before.index}].to`,
        message: `第 ${before.index + 1} 次暂停尚未结束，之后不能再有第 ${after.index + 1} 次暂停；只有最后一次暂停可以未结束`,
      })
    } else if (after.fromMs < before.toMs) {
      problems.push({
        field: `pauses[${after.index}].from`,
        message: `第 ${after.index + 1} 次暂停与第 ${before.index + 1} 次暂停的时间重叠`,
      })
    }
  }

  if (problems.length > 0) throw invalidClock(problems)
  return {
    unit: spec.unit,
    budgetDays: spec.budgetDays,
    extensionDays: spec.extensionDays,
    total: spec.budgetDays + spec.extensionDays,
    triggerMs: triggerMs!,
    triggerDay: dayOfMs(triggerMs!),
    pauses: pauses.map(({ index: _index, ...pause }) => pause),
  }
}

/**
 * Checks a clock spec and returns it unchanged.
 * @throws DomainError CLOCK_INVALID_SPEC (invalid), each problem in `details`: a malformed
 * instant, an unknown unit or reason, a negative or fractional budget or extension, a pause that
 * ends before it starts or starts before the trigger, overlapping pauses, an open pause that is
 * not the last.
 */
export function validateClockSpec(spec: ClockSpec): ClockSpec {
  checkSpec(spec)
  return spec
}

function checkNow(now: Date): number {
  // todayInShanghai throws CALENDAR_INVALID_DATE (invalid) on an invalid Date.
  todayInShanghai(now)
  return now.getTime()
}

function checkYellow(options: ClockStateOptions): number {
  const days = options.yellowBeforeDays ?? 1
  if (!Number.isInteger(days) || days < 0 || days > MAX_WORKING_DAYS) {
    throw invalidClock([
      { field: 'yellowBeforeDays', message: `黄牌提前天数「${shown(days)}」应为 0 到 ${MAX_WORKING_DAYS} 之间的整数` },
    ])
  }
  return days
}

// ---------------------------------------------------------------------------------------------
// Counting

/** Units of the clock in the half-open interval (from, to]; 0 when `to` is not after `from`. */
function unitsBetween(cal: WorkingCalendar, unit: ClockUnit, from: string, to: string): number {
  if (to <= from) return 0
  if (unit === '工作日') return workingDaysBetween(cal, from, to)
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

/**
 * The last day of a period that resumes counting after `cursor` with `remaining` units left.
 * 工作日: the `remaining`-th working day after `cursor`; with nothing left, `cursor` itself or,
 * being a holiday, the next working day. 自然日: `remaining` calendar days on, then off a holiday
 * onto the next working day (民法典 §203).
 */
function periodEnd(cal: WorkingCalendar, unit: ClockUnit, cursor: string, remaining: number): string {
  if (unit === '自然日') return workingDayOnOrAfter(cal, addCalendarDays(cursor, remaining))
  return remaining === 0 ? workingDayOnOrAfter(cal, cursor) : addWorkingDays(cal, cursor, remaining)
}

/** A pause that counts, with the units it took out of the count (up to its end). */
interface CountedPause extends DayPause {
  excluded: number
}

interface Plan {
  spec: CheckedSpec
  /** The pauses that count, in order; the last may be open. */
  counted: CountedPause[]
  /** The open pause that freezes the count, with the units left when it started. */
  frozen?: { pause: DayPause; remaining: number }
  /** Undefined while frozen. */
  dueOn?: string
}

function plan(cal: WorkingCalendar, spec: CheckedSpec): Plan {
  const { unit } = spec
  const counted: CountedPause[] = []
  let cursor = spec.triggerDay
  let remaining = spec.total
  for (const pause of spec.pauses) {
    // Rule 5: a pause that starts after the due day (as it stands) does not revive the period;
    // later pauses start later still, so the loop ends.
    if (pause.startDay > periodEnd(cal, unit, cursor, remaining)) break
    // The start day counts; min(): a 自然日 pause may start after the last natural day but on or
    // before the working day §203 moved the end to, with nothing left.
    remaining -= Math.min(remaining, unitsBetween(cal, unit, cursor, pause.startDay))
    if (pause.endDay === undefined) {
      counted.push({ ...pause, excluded: 0 })
      return { spec, counted, frozen: { pause, remaining } }
    }
    counted.push({ ...pause, excluded: unitsBetween(cal, unit, pause.startDay, pause.endDay) })
    // The end day does not count: counting resumes the day after (民法典 §201).
    cursor = pause.endDay
  }
  return { spec, counted, dueOn: periodEnd(cal, unit, cursor, remaining) }
}

/** Units counted from the trigger through the end of `day`, at most the budget. */
function usedThrough(cal: WorkingCalendar, p: Plan, day: string): number {
  const { unit, total } = p.spec
  let cursor = p.spec.triggerDay
  let used = 0
  for (const pause of p.counted) {
    if (day <= pause.startDay) break
    used = Math.min(total, used + unitsBetween(cal, unit, cursor, pause.startDay))
    if (pause.endDay === undefined || day <= pause.endDay) return used
    cursor = pause.endDay
  }
  return Math.min(total, used + unitsBetween(cal, unit, cursor, day))
}

/** The spec as it stood at `nowMs` (rule 7): later pauses dropped, a pause ending later still open. */
function asOf(spec: CheckedSpec, nowMs: number): CheckedSpec {
  const pauses = spec.pauses
    .filter((pause) => pause.fromMs <= nowMs)
    .map((pause) =>
      pause.toMs !== undefined && pause.toMs > nowMs ? { ...pause, toMs: undefined, endDay: undefined } : pause,
    )
  return { ...spec, pauses }
}

interface Evaluation {
  plan: Plan
  today: string
  used: number
  left: number
}

function evaluate(cal: WorkingCalendar, spec: ClockSpec, now: Date): Evaluation {
  const nowMs = checkNow(now)
  const p = plan(cal, asOf(checkSpec(spec), nowMs))
  const today = dayOfMs(nowMs)
  const { total, unit } = p.spec
  // In time (or frozen): the units counted so far. Overdue: the whole budget plus the units after
  // the due day, so that used + left = budget + extension always, and left < 0 exactly when the
  // due day is past (a 自然日 clock in the days §203 added has used its budget and has 0 left).
  const used =
    p.dueOn === undefined || today <= p.dueOn
      ? usedThrough(cal, p, today)
      : total + unitsBetween(cal, unit, p.dueOn, today)
  return { plan: p, today, used, left: total - used }
}

// ---------------------------------------------------------------------------------------------
// The clock

/**
 * The last day on which a decision is in time (YYYY-MM-DD), or undefined while an open pause
 * freezes the count (the day depends on when it ends). Uses every pause of the spec.
 * E.g. accepted Thursday 2026-02-12, 20 工作日 → '2026-03-18'.
 * @throws DomainError CLOCK_INVALID_SPEC (invalid)
 */
export function dueOn(cal: WorkingCalendar, spec: ClockSpec): string | undefined {
  return plan(cal, checkSpec(spec)).dueOn
}

/**
 * Units (working or calendar days, per `spec.unit`) used by the end of the day of `now`; past
 * the due day, the budget plus the overdue days. Frozen by an open pause.
 * @throws DomainError CLOCK_INVALID_SPEC (invalid)
 */
export function daysUsed(cal: WorkingCalendar, spec: ClockSpec, now: Date): number {
  return evaluate(cal, spec, now).used
}

/**
 * Units left after the day of `now` through the due day: 0 on the due day, negative when overdue
 * (−1 the first working day after it). `daysUsed + daysLeft = budgetDays + extensionDays`.
 * @throws DomainError CLOCK_INVALID_SPEC (invalid)
 */
export function daysLeft(cal: WorkingCalendar, spec: ClockSpec, now: Date): number {
  return evaluate(cal, spec, now).left
}

/**
 * True when a pause of the spec has started at `now` and not yet ended (instants, not days).
 * @throws DomainError CLOCK_INVALID_SPEC (invalid)
 */
export function isPaused(spec: ClockSpec, now: Date): boolean {
  const nowMs = checkNow(now)
  return checkSpec(spec).pauses.some((p) => p.fromMs <= nowMs && (p.toMs === undefined || nowMs < p.toMs))
}

function stateOf(cal: WorkingCalendar, e: Evaluation, yellowBeforeDays: number): ClockState {
  const due = e.plan.dueOn
  if (due === undefined) return 'paused'
  if (e.today > due) return 'red'
  // Yellow from the n-th working day before the due day (the weekend in between included) through
  // the due day: DOMAIN.md §4, "a reminder one working day before the deadline, red when overdue".
  if (e.today >= addWorkingDays(cal, due, -yellowBeforeDays)) return 'yellow'
  return 'running'
}

/**
 * The card colour of the clock at `now` (DOMAIN.md §4, thresholds configurable): 'paused' while an
 * open pause freezes the count, 'red' after the due day, 'yellow' from `yellowBeforeDays` (default
 * 1) working days before the due day through the due day, else 'running'. A pause that started
 * after the due day does not stop a red clock.
 * @throws DomainError CLOCK_INVALID_SPEC (invalid)
 */
export function clockState(
  cal: WorkingCalendar,
  spec: ClockSpec,
  now: Date,
  options: ClockStateOptions = {},
): ClockState {
  const yellowBeforeDays = checkYellow(options)
  return stateOf(cal, evaluate(cal, spec, now), yellowBeforeDays)
}

function coverageOf(cal: WorkingCalendar, triggerDay: string, lastDay: string): CalendarCoverage {
  const missing = missingYears(cal, triggerDay, lastDay)
  return { calendarIncomplete: missing.length > 0, missingYears: missing }
}

/**
 * Whether the official holiday schedules cover the days the clock looks at: from the trigger to
 * the due day (while frozen, to the day the pause started), and to the day of `now` if later.
 * @throws DomainError CLOCK_INVALID_SPEC (invalid)
 */
export function clockCoverage(cal: WorkingCalendar, spec: ClockSpec, now?: Date): CalendarCoverage {
  const checked = checkSpec(spec)
  const p = now === undefined ? plan(cal, checked) : plan(cal, asOf(checked, checkNow(now)))
  let last = p.dueOn ?? p.frozen!.pause.startDay
  if (now !== undefined) {
    const today = todayInShanghai(now)
    if (today > last) last = today
  }
  return coverageOf(cal, checked.triggerDay, last)
}

export interface ClockSummary extends CalendarCoverage {
  state: ClockState
  unit: ClockUnit
  budgetDays: number
  extensionDays: number
  /** The first day that counts: the working day (工作日) or the day (自然日) after the trigger. */
  startsOn: string
  used: number
  /** Negative when overdue. */
  left: number
  /**
   * Units past the due day, 0 when in time — and on the weekend right after a 工作日 due day,
   * when no working day is overdue yet: `state` is 'red' all the same.
   */
  overdue: number
  /** Undefined while paused. */
  dueOn?: string
  /** While paused: the day the pause started and why. */
  pausedSince?: string
  pauseReason?: PauseReason
  /** Units taken out of the count by pauses so far (an open one up to today). */
  excludedDays: number
  /** For the page, e.g. '已用 3 个工作日，剩余 17 个工作日，截止 2026-03-18'. */
  text: string
  /** Shown beside the text when the holiday schedule of a year is missing. */
  warning?: string
}

/**
 * Everything a page shows about a clock at `now`, computed once: state, days used and left, the
 * due day, the pause, the calendar coverage and a sentence in Chinese.
 * @throws DomainError CLOCK_INVALID_SPEC (invalid)
 */
export function clockSummary(
  cal: WorkingCalendar,
  spec: ClockSpec,
  now: Date,
  options: ClockStateOptions = {},
): ClockSummary {
  const yellowBeforeDays = checkYellow(options)
  const e = evaluate(cal, spec, now)
  const { plan: p, today, used, left } = e
  const { unit, triggerDay } = p.spec
  const state = stateOf(cal, e, yellowBeforeDays)
  const frozen = p.frozen?.pause
  const excludedDays = p.counted.reduce(
    (sum, pause) =>
      sum + (pause.endDay === undefined ? unitsBetween(cal, unit, pause.startDay, today) : pause.excluded),
    0,
  )
  const coverage = coverageOf(cal, triggerDay, p.dueOn !== undefined && p.dueOn > today ? p.dueOn : today)

  const usedText = `已用 ${used} 个${unit}`
  let text: string
  if (frozen) {
    text = `计时暂停中（${PAUSE_REASON_LABELS[frozen.reason]}，自 ${frozen.startDay} 起），${usedText}，剩余 ${left} 个${unit}，恢复计时后重新计算截止日期`
  } else if (today > p.dueOn!) {
    // On a weekend right after a 工作日 due day no working day is overdue yet, but the clock is.
    text = `${usedText}，${left < 0 ? `已超期 ${-left} 个${unit}` : '已超期'}，截止 ${p.dueOn}`
  } else {
    text = `${usedText}，剩余 ${left} 个${unit}，截止 ${p.dueOn}`
  }

  return {
    state,
    unit,
    budgetDays: p.spec.budgetDays,
    extensionDays: p.spec.extensionDays,
    startsOn: unit === '工作日' ? addWorkingDays(cal, triggerDay, 1) : addCalendarDays(triggerDay, 1),
    used,
    left,
    overdue: Math.max(0, -left),
    dueOn: p.dueOn,
    pausedSince: frozen?.startDay,
    pauseReason: frozen?.reason,
    excludedDays,
    text,
    warning: coverage.calendarIncomplete
      ? `尚未录入${coverage.missingYears.join('、')}年的法定节假日安排，以上天数按周末推算，可能不准确`
      : undefined,
    ...coverage,
  }
}

// ---------------------------------------------------------------------------------------------
// Deemed acceptance (行政许可法 §32)

export interface DeemedAcceptance extends CalendarCoverage {
  /** The Asia/Shanghai day the application was received. */
  receivedOn: string
  /** The last working day on which the agency may still send the one correction notice. */
  correctionDueOn: string
  /** The first day on which silence means acceptance (the day after `correctionDueOn`). */
  deemedFrom: string
  /**
   * The acceptance date when no notice came in time: the day of receipt itself (§32), so the
   * decision clock then runs from receipt (trigger = `receivedAt`).
   */
  acceptedOn: string
}

/**
 * 行政许可法 §32: materials incomplete ⇒ the agency tells the applicant, on the spot or within 5
 * days (working days, §82; counted from the day after receipt, 民法典 §201), in one notice; if it
 * does not, the application counts as accepted on the day of receipt.
 * E.g. received Friday 2026-02-13 (before the Spring Festival): notice due 2026-02-27.
 * @throws DomainError CLOCK_INVALID_SPEC (invalid) on a malformed instant or day count.
 */
export function deemedAcceptanceDue(
  cal: WorkingCalendar,
  receivedAt: string,
  days: number = STATUTORY_LIMITS.correctionNoticeDays,
): DeemedAcceptance {
  const problems: FieldProblem[] = []
  const receivedMs = parseInstant(receivedAt)
  if (receivedMs === undefined) problems.push({ field: 'receivedAt', message: invalidTime('收件时间', receivedAt) })
  checkDays(problems, 'days', '补正告知期限', days)
  if (problems.length > 0) throw invalidClock(problems)
  const receivedOn = dayOfMs(receivedMs!)
  const correctionDueOn = days === 0 ? workingDayOnOrAfter(cal, receivedOn) : addWorkingDays(cal, receivedOn, days)
  return {
    receivedOn,
    correctionDueOn,
    deemedFrom: addCalendarDays(correctionDueOn, 1),
    acceptedOn: receivedOn,
    ...coverageOf(cal, receivedOn, correctionDueOn),
  }
}

/**
 * True when, at `now`, the time for a correction notice has passed (§32): the application then
 * counts as accepted on the day of receipt, unless a notice was sent in time (the caller's record).
 */
export function isDeemedAccepted(
  cal: WorkingCalendar,
  receivedAt: string,
  now: Date,
  days: number = STATUTORY_LIMITS.correctionNoticeDays,
): boolean {
  checkNow(now)
  return todayInShanghai(now) >= deemedAcceptanceDue(cal, receivedAt, days).deemedFrom
}
