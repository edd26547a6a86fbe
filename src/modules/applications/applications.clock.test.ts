import { describe, expect, it } from 'vitest'
import {
  addCalendarDays,
  addWorkingDays,
  createWorkingCalendar,
  dayOfWeek,
  isWorkingDay,
  officialCalendarEntries,
  workingDayOnOrAfter,
  workingDaysBetween,
} from '../../platform/calendar/index.js'
import { DomainError } from '../../platform/http/errors.js'
import {
  type ClockSpec,
  type ClockUnit,
  clockCoverage,
  clockState,
  clockSummary,
  daysLeft,
  daysUsed,
  deemedAcceptanceDue,
  dueOn,
  isDeemedAccepted,
  isPaused,
  type Pause,
  STATUTORY_LIMITS,
  validateClockSpec,
} from './applications.clock.js'

/** The official schedules 2024–2026 (holidays.ts), as the seed loads them. */
const cal = createWorkingCalendar(officialCalendarEntries())

/** An instant at `time` (Beijing time) on `day`. */
const at = (day: string, time = '10:00:00') => `${day}T${time}+08:00`
/** `now` at `time` (Beijing time) on `day`; the default is the last second of the day. */
const on = (day: string, time = '23:59:59') => new Date(at(day, time))

function clock(trigger: string, budgetDays: number, extra: Partial<ClockSpec> = {}): ClockSpec {
  return { trigger, unit: '工作日', budgetDays, extensionDays: 0, pauses: [], ...extra }
}

/** Calendar days from `from` to `to`. */
const calendarDaysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)

function thrown(work: () => unknown): DomainError {
  try {
    work()
  } catch (error) {
    if (error instanceof DomainError) return error
    throw error
  }
  throw new Error('expected a DomainError')
}

describe('dueOn: working days from the day after the trigger (民法典 §201, 行政许可法 §82)', () => {
  it('ends 20 working days from acceptance on Thursday 2026-02-12 on 2026-03-18 (DOMAIN.md §2)', () => {
    expect(dayOfWeek('2026-02-12')).toBe(4)
    const spec = clock(at('2026-02-12'), 20)
    expect(dueOn(cal, spec)).toBe('2026-03-18')
    expect(clockSummary(cal, spec, on('2026-02-12')).startsOn).toBe('2026-02-13')
  })

  it('takes the day of the trigger in Beijing time, not in UTC', () => {
    // 2026-02-12 23:30 in Beijing is 15:30 UTC; 2026-02-12 16:30 UTC is already 02-13 in Beijing.
    expect(dueOn(cal, clock('2026-02-12T15:30:00Z', 20))).toBe('2026-03-18')
    expect(dueOn(cal, clock('2026-02-12T16:30:00Z', 20))).toBe('2026-03-19')
  })

  it('counts the make-up Saturdays 02-14 and 02-28 for an acceptance just before the 2026 Spring Festival', () => {
    const spec = clock(at('2026-02-13'), 20)
    expect(dueOn(cal, spec)).toBe('2026-03-19')
    expect(clockSummary(cal, spec, on('2026-02-13')).startsOn).toBe('2026-02-14')
    expect(daysUsed(cal, spec, on('2026-02-14'))).toBe(1)
    // 02-15 to 02-23 is the holiday: nothing is used.
    expect(daysUsed(cal, spec, on('2026-02-23'))).toBe(1)
    expect(daysUsed(cal, spec, on('2026-02-27'))).toBe(5)
    expect(daysUsed(cal, spec, on('2026-02-28'))).toBe(6)
    expect(daysUsed(cal, spec, on('2026-03-01'))).toBe(6)
    expect(daysLeft(cal, spec, on('2026-02-28'))).toBe(14)
  })

  it('counts the make-up days 09-20 and 10-10 for an acceptance just before National Day 2026', () => {
    const spec = clock(at('2026-09-18'), 20)
    expect(dueOn(cal, spec)).toBe('2026-10-22')
    expect(dueOn(cal, clock(at('2026-09-18'), 10))).toBe('2026-10-09')
    expect(dueOn(cal, clock(at('2026-09-18'), 11))).toBe('2026-10-10')
    expect(daysUsed(cal, spec, on('2026-09-19'))).toBe(0)
    expect(daysUsed(cal, spec, on('2026-09-20'))).toBe(1)
    // Mid-Autumn (09-25–09-27) and National Day (10-01–10-07) are not counted.
    expect(daysUsed(cal, spec, on('2026-10-07'))).toBe(8)
    expect(daysUsed(cal, spec, on('2026-10-10'))).toBe(11)
    expect(daysUsed(cal, spec, on('2026-10-11'))).toBe(11)
  })

  it('makes a 0-day item (即办件) due on the day of the trigger, or the next working day', () => {
    expect(dueOn(cal, clock(at('2026-03-04'), 0))).toBe('2026-03-04')
    // Submitted online on Saturday 2026-03-07.
    expect(dueOn(cal, clock(at('2026-03-07'), 0))).toBe('2026-03-09')
  })
})

describe('extensions (行政许可法 §42)', () => {
  it('adds 10 working days with the head’s approval', () => {
    const spec = clock(at('2026-02-12'), STATUTORY_LIMITS.decision.budgetDays, {
      extensionDays: STATUTORY_LIMITS.decision.extensionDays,
    })
    expect(dueOn(cal, spec)).toBe('2026-04-01')
    expect(dueOn(cal, spec)).toBe(addWorkingDays(cal, '2026-03-18', 10))
    expect(daysLeft(cal, spec, on('2026-03-18'))).toBe(10)
    expect(clockState(cal, spec, on('2026-03-19'))).toBe('running')
  })

  it('adds 15 working days to the 45 of joint handling, across 清明 and 劳动节', () => {
    const joint = STATUTORY_LIMITS.jointDecision
    expect(dueOn(cal, clock(at('2026-02-12'), joint.budgetDays))).toBe('2026-04-23')
    const extended = clock(at('2026-02-12'), joint.budgetDays, { extensionDays: joint.extensionDays })
    // 05-01–05-05 off, Saturday 05-09 a make-up working day.
    expect(dueOn(cal, extended)).toBe('2026-05-18')
    expect(daysUsed(cal, extended, on('2026-05-18'))).toBe(60)
  })
})

describe('pauses (行政许可法 §45): the start day counts, the end day does not', () => {
  const correction = (from: string, to?: string): Pause => ({ from, to, reason: 'correction' })

  it('moves the due day by exactly the working days of a correction spanning the Spring Festival', () => {
    const plain = clock(at('2026-02-05'), 20)
    expect(dueOn(cal, plain)).toBe('2026-03-11')
    // Correction notice on 02-11, corrected materials in on 02-26 at 16:00.
    const pause = correction(at('2026-02-11', '08:00:00'), at('2026-02-26', '16:00:00'))
    const paused = { ...plain, pauses: [pause] }
    // Not counted: 02-12, 02-13, the make-up Saturday 02-14, 02-24, 02-25 and 02-26.
    expect(workingDaysBetween(cal, '2026-02-11', '2026-02-26')).toBe(6)
    expect(dueOn(cal, paused)).toBe('2026-03-19')
    expect(dueOn(cal, paused)).toBe(addWorkingDays(cal, '2026-03-11', 6))

    expect(daysUsed(cal, paused, on('2026-02-11'))).toBe(4)
    expect(daysUsed(cal, paused, on('2026-02-20'))).toBe(4)
    expect(daysUsed(cal, paused, on('2026-02-26'))).toBe(4)
    expect(daysUsed(cal, paused, on('2026-02-27'))).toBe(5)
    const summary = clockSummary(cal, paused, on('2026-03-02'))
    // 02-27, the make-up Saturday 02-28 and 03-02 count again.
    expect(summary).toMatchObject({ state: 'running', used: 7, left: 13, excludedDays: 6, dueOn: '2026-03-19' })
    expect(summary.text).toBe('已用 7 个工作日，剩余 13 个工作日，截止 2026-03-19')
  })

  it('takes nothing out for a pause that starts and ends on the same day', () => {
    const spec = clock(at('2026-02-12'), 20, {
      pauses: [correction(at('2026-02-24', '09:00:00'), at('2026-02-24', '17:00:00'))],
    })
    expect(dueOn(cal, spec)).toBe('2026-03-18')
  })

  it('gives the same due day for one pause as for the same time split in two', () => {
    const one = clock(at('2026-03-02'), 20, { pauses: [correction(at('2026-03-04'), at('2026-03-13'))] })
    const two = clock(at('2026-03-02'), 20, {
      pauses: [correction(at('2026-03-04'), at('2026-03-09')), correction(at('2026-03-09'), at('2026-03-13'))],
    })
    expect(dueOn(cal, one)).toBe(dueOn(cal, two))
    expect(dueOn(cal, one)).toBe(addWorkingDays(cal, '2026-03-30', 7))
  })

  it('adds up two pauses, and the due day crosses 清明', () => {
    const plain = clock(at('2026-03-02'), 20)
    expect(dueOn(cal, plain)).toBe('2026-03-30')
    const spec = {
      ...plain,
      pauses: [
        // Hearing: 03-05, 03-06, 03-09 not counted.
        { from: at('2026-03-04', '15:00:00'), to: at('2026-03-09', '11:00:00'), reason: 'hearing' as const },
        // Testing: 03-17 to 03-20 not counted.
        { from: at('2026-03-16', '09:00:00'), to: at('2026-03-20', '17:00:00'), reason: 'testing' as const },
      ],
    }
    expect(dueOn(cal, spec)).toBe('2026-04-09')
    expect(dueOn(cal, spec)).toBe(addWorkingDays(cal, '2026-03-30', 3 + 4))
    // 03-03 and 03-04, then 03-10 to 03-13; then 03-16, the day the testing started.
    expect(daysUsed(cal, spec, on('2026-03-09'))).toBe(2)
    expect(daysUsed(cal, spec, on('2026-03-13'))).toBe(6)
    expect(daysUsed(cal, spec, on('2026-03-20'))).toBe(7)
    expect(daysUsed(cal, spec, on('2026-03-23'))).toBe(8)
    expect(clockSummary(cal, spec, on('2026-04-01')).excludedDays).toBe(7)
  })

  it('accepts the pauses in any order', () => {
    const a = correction(at('2026-03-04'), at('2026-03-09'))
    const b = correction(at('2026-03-16'), at('2026-03-20'))
    expect(dueOn(cal, clock(at('2026-03-02'), 20, { pauses: [b, a] }))).toBe('2026-04-09')
  })

  it('freezes days used and left while a pause is open', () => {
    const spec = clock(at('2026-02-12'), 20, {
      pauses: [{ from: at('2026-02-25', '09:00:00'), reason: 'expert_review' }],
    })
    expect(dueOn(cal, spec)).toBeUndefined()
    expect(isPaused(spec, on('2026-02-25', '08:59:59'))).toBe(false)
    // Counted: 02-13, the make-up 02-14, 02-24 and the day the pause started.
    expect(daysUsed(cal, spec, on('2026-02-25', '08:00:00'))).toBe(4)
    for (const day of ['2026-02-25', '2026-03-02', '2026-03-20', '2026-05-06', '2026-12-31']) {
      expect(isPaused(spec, on(day)), day).toBe(true)
      expect(daysUsed(cal, spec, on(day)), day).toBe(4)
      expect(daysLeft(cal, spec, on(day)), day).toBe(16)
      expect(clockState(cal, spec, on(day)), day).toBe('paused')
    }
    const summary = clockSummary(cal, spec, on('2026-03-02'))
    expect(summary).toMatchObject({ dueOn: undefined, pausedSince: '2026-02-25', pauseReason: 'expert_review' })
    expect(summary.text).toBe(
      '计时暂停中（专家评审，自 2026-02-25 起），已用 4 个工作日，剩余 16 个工作日，恢复计时后重新计算截止日期',
    )

    // The expert report arrives on 03-10: 16 working days are left from 03-11.
    const resumed = { ...spec, pauses: [{ ...spec.pauses[0]!, to: at('2026-03-10', '15:00:00') }] }
    expect(dueOn(cal, resumed)).toBe(addWorkingDays(cal, '2026-03-10', 16))
    expect(isPaused(resumed, on('2026-03-10', '15:00:00'))).toBe(false)
    expect(daysUsed(cal, resumed, on('2026-03-11'))).toBe(5)
  })

  it('reads the spec as it stood at `now`: a pause ending later is still open then', () => {
    const spec = clock(at('2026-02-05'), 20, { pauses: [correction(at('2026-02-11'), at('2026-02-26'))] })
    expect(clockState(cal, spec, on('2026-02-24'))).toBe('paused')
    expect(clockState(cal, spec, on('2026-02-10'))).toBe('running')
    expect(clockSummary(cal, spec, on('2026-02-10')).dueOn).toBe('2026-03-11')
  })

  it('does not revive a period that has already run out', () => {
    const spec = clock(at('2026-02-12'), 20, {
      pauses: [{ from: at('2026-03-20'), to: at('2026-04-10'), reason: 'expert_review' }],
    })
    expect(dueOn(cal, spec)).toBe('2026-03-18')
    expect(clockState(cal, spec, on('2026-03-25'))).toBe('red')
    expect(daysLeft(cal, spec, on('2026-03-25'))).toBe(-5)
    const open = clock(at('2026-02-12'), 20, { pauses: [{ from: at('2026-03-20'), reason: 'hearing' }] })
    expect(isPaused(open, on('2026-03-25'))).toBe(true)
    expect(clockState(cal, open, on('2026-03-25'))).toBe('red')
  })

  it('makes a pause started on the due day due on the day it ends', () => {
    const ending = (to: string) =>
      clock(at('2026-02-12'), 20, { pauses: [{ from: at('2026-03-18', '16:00:00'), to, reason: 'hearing' }] })
    expect(dueOn(cal, ending(at('2026-03-25')))).toBe('2026-03-25')
    // Ending on Saturday 03-21: the next working day (民法典 §203).
    expect(dueOn(cal, ending(at('2026-03-21')))).toBe('2026-03-23')
  })
})

describe('natural-day clocks (自然日, 民法典 §203)', () => {
  const natural = (trigger: string, budgetDays: number): ClockSpec => ({
    ...clock(trigger, budgetDays),
    unit: '自然日',
  })

  it('moves a last day on National Day to the first working day after it', () => {
    const spec = natural(at('2026-09-21'), 10)
    expect(addCalendarDays('2026-09-21', 10)).toBe('2026-10-01')
    expect(dueOn(cal, spec)).toBe('2026-10-08')
    expect(daysUsed(cal, spec, on('2026-09-30'))).toBe(9)
    // In the days §203 adds, the budget is used up but the clock is in time.
    expect(daysLeft(cal, spec, on('2026-10-05'))).toBe(0)
    expect(clockState(cal, spec, on('2026-10-05'))).toBe('yellow')
    expect(clockState(cal, spec, on('2026-10-08'))).toBe('yellow')
    expect(clockState(cal, spec, on('2026-10-09'))).toBe('red')
    expect(daysLeft(cal, spec, on('2026-10-09'))).toBe(-1)
    expect(clockSummary(cal, spec, on('2026-10-03')).text).toBe('已用 10 个自然日，剩余 0 个自然日，截止 2026-10-08')
  })

  it('moves a last day in the Spring Festival and on an ordinary Sunday', () => {
    expect(dueOn(cal, natural(at('2026-02-10'), 10))).toBe('2026-02-24')
    expect(dueOn(cal, natural(at('2026-03-05'), 10))).toBe('2026-03-16')
  })

  it('keeps a last day on a make-up Saturday, a working day', () => {
    expect(dueOn(cal, natural(at('2026-09-30'), 10))).toBe('2026-10-10')
  })

  it('counts the holidays inside the period and takes calendar days out for a pause', () => {
    const spec = natural(at('2026-02-10'), 30)
    expect(dueOn(cal, spec)).toBe('2026-03-12')
    const paused = { ...spec, pauses: [{ from: at('2026-02-12'), to: at('2026-02-20'), reason: 'testing' as const }] }
    expect(dueOn(cal, paused)).toBe('2026-03-20')
    expect(daysUsed(cal, paused, on('2026-02-20'))).toBe(2)
  })
})

describe('clockState: yellow and red cards (DOMAIN.md §4)', () => {
  const spec = clock(at('2026-02-12'), 20)

  it('is yellow from the working day before the due day through the due day, red the day after', () => {
    expect(clockState(cal, spec, on('2026-03-16'))).toBe('running')
    expect(clockState(cal, spec, on('2026-03-17', '00:00:00'))).toBe('yellow')
    expect(clockState(cal, spec, on('2026-03-18'))).toBe('yellow')
    expect(clockState(cal, spec, on('2026-03-18', '23:59:59'))).toBe('yellow')
    expect(clockState(cal, spec, on('2026-03-19', '00:00:00'))).toBe('red')
    expect(daysLeft(cal, spec, on('2026-03-17'))).toBe(1)
    expect(daysLeft(cal, spec, on('2026-03-18'))).toBe(0)
    expect(daysLeft(cal, spec, on('2026-03-19'))).toBe(-1)
  })

  it('stays yellow over the weekend before a Monday due day, and red over the weekend after it', () => {
    const monday = clock(at('2026-03-09'), 10)
    expect(dueOn(cal, monday)).toBe('2026-03-23')
    expect(clockState(cal, monday, on('2026-03-19'))).toBe('running')
    for (const day of ['2026-03-20', '2026-03-21', '2026-03-22', '2026-03-23']) {
      expect(clockState(cal, monday, on(day)), day).toBe('yellow')
    }
    const friday = clock(at('2026-03-06'), 10)
    expect(dueOn(cal, friday)).toBe('2026-03-20')
    expect(clockState(cal, friday, on('2026-03-21'))).toBe('red')
    // No working day is overdue yet on the Saturday, but the page says it is overdue.
    expect(daysLeft(cal, friday, on('2026-03-21'))).toBe(0)
    expect(clockSummary(cal, friday, on('2026-03-21')).text).toBe('已用 10 个工作日，已超期，截止 2026-03-20')
  })

  it('takes the number of working days before the due day from the configuration', () => {
    expect(clockState(cal, spec, on('2026-03-17'), { yellowBeforeDays: 0 })).toBe('running')
    expect(clockState(cal, spec, on('2026-03-18'), { yellowBeforeDays: 0 })).toBe('yellow')
    expect(clockState(cal, spec, on('2026-03-12'), { yellowBeforeDays: 3 })).toBe('running')
    expect(clockState(cal, spec, on('2026-03-13'), { yellowBeforeDays: 3 })).toBe('yellow')
  })

  it('refuses a negative or fractional threshold', () => {
    for (const yellowBeforeDays of [-1, 1.5]) {
      const error = thrown(() => clockState(cal, spec, on('2026-03-12'), { yellowBeforeDays }))
      expect(error.kind).toBe('invalid')
      expect(error.message).toContain('黄牌提前天数')
    }
  })
})

describe('clockSummary', () => {
  it('says what a page shows', () => {
    const spec = clock(at('2026-02-12'), 20)
    expect(clockSummary(cal, spec, on('2026-02-25'))).toMatchObject({
      state: 'running',
      unit: '工作日',
      used: 4,
      left: 16,
      overdue: 0,
      dueOn: '2026-03-18',
      calendarIncomplete: false,
      missingYears: [],
      warning: undefined,
      text: '已用 4 个工作日，剩余 16 个工作日，截止 2026-03-18',
    })
    expect(clockSummary(cal, spec, on('2026-03-20'))).toMatchObject({
      state: 'red',
      used: 22,
      left: -2,
      overdue: 2,
      text: '已用 22 个工作日，已超期 2 个工作日，截止 2026-03-18',
    })
  })
})

describe('years without an official schedule', () => {
  it('are flagged, not refused, so the page can warn', () => {
    const spec = clock(at('2026-12-20'), 20)
    // Counted by weekends alone: 2027-01-01 (元旦) is taken for a working day.
    expect(dueOn(cal, spec)).toBe('2027-01-15')
    expect(clockCoverage(cal, spec)).toEqual({ calendarIncomplete: true, missingYears: [2027] })
    const summary = clockSummary(cal, spec, on('2026-12-21'))
    expect(summary).toMatchObject({ calendarIncomplete: true, missingYears: [2027] })
    expect(summary.warning).toContain('2027年的法定节假日安排')
    expect(clockCoverage(cal, clock(at('2026-02-12'), 20))).toEqual({ calendarIncomplete: false, missingYears: [] })
  })

  it('are flagged when only `now` reaches into them', () => {
    const spec = clock(at('2026-11-02'), 20)
    expect(clockCoverage(cal, spec, on('2026-12-01')).calendarIncomplete).toBe(false)
    expect(clockCoverage(cal, spec, on('2027-01-04')).missingYears).toEqual([2027])
  })

  it('are flagged for a deemed acceptance', () => {
    expect(deemedAcceptanceDue(cal, at('2026-12-29')).missingYears).toEqual([2027])
  })
})

describe('deemed acceptance (行政许可法 §32)', () => {
  it('leaves 5 working days for the correction notice after a Friday receipt before the Spring Festival', () => {
    const result = deemedAcceptanceDue(cal, at('2026-02-13', '16:30:00'))
    // 02-14 (make-up Saturday), 02-24, 02-25, 02-26, 02-27.
    expect(result).toEqual({
      receivedOn: '2026-02-13',
      correctionDueOn: '2026-02-27',
      deemedFrom: '2026-02-28',
      acceptedOn: '2026-02-13',
      calendarIncomplete: false,
      missingYears: [],
    })
    expect(isDeemedAccepted(cal, at('2026-02-13'), on('2026-02-27'))).toBe(false)
    expect(isDeemedAccepted(cal, at('2026-02-13'), on('2026-02-28', '00:00:00'))).toBe(true)
  })

  it('skips National Day 2025 after a Friday receipt', () => {
    // 09-28 (make-up Sunday), 09-29, 09-30, then 10-09, 10-10.
    expect(deemedAcceptanceDue(cal, at('2025-09-26')).correctionDueOn).toBe('2025-10-10')
  })

  it('dates the acceptance on the day of receipt, so the decision clock runs from receipt', () => {
    const { acceptedOn } = deemedAcceptanceDue(cal, at('2026-02-12'))
    expect(acceptedOn).toBe('2026-02-12')
    expect(dueOn(cal, clock(at('2026-02-12'), 20))).toBe('2026-03-18')
  })

  it('refuses a malformed receipt time or a negative number of days', () => {
    expect(thrown(() => deemedAcceptanceDue(cal, '2026-02-13')).message).toContain('收件时间')
    expect(thrown(() => deemedAcceptanceDue(cal, at('2026-02-13'), -1)).message).toContain('不能为负数')
  })
})

describe('invalid specs', () => {
  const good = clock(at('2026-02-12'), 20)
  const pause = (from: string, to?: string): Pause => ({ from, to, reason: 'correction' })
  const cases: [string, Partial<ClockSpec> & Record<string, unknown>, string, string][] = [
    ['a negative budget', { budgetDays: -1 }, 'budgetDays', '办理时限不能为负数'],
    ['a fractional budget', { budgetDays: 1.5 }, 'budgetDays', '应为整数天数'],
    ['a negative extension', { extensionDays: -10 }, 'extensionDays', '延长期限不能为负数'],
    ['an unknown unit', { unit: 'days' as ClockUnit }, 'unit', '应为「工作日」或「自然日」'],
    ['a trigger without a time', { trigger: '2026-02-12' }, 'trigger', '不是有效的时间'],
    ['a trigger without a zone', { trigger: '2026-02-12T10:00:00' }, 'trigger', '不是有效的时间'],
    ['a trigger on 02-30', { trigger: at('2026-02-30') }, 'trigger', '不是有效的时间'],
    [
      'a pause ending before it starts',
      { pauses: [pause(at('2026-02-20'), at('2026-02-19'))] },
      'pauses[0].to',
      '第 1 次暂停的结束时间早于开始时间',
    ],
    [
      'a pause starting before the trigger',
      { pauses: [pause(at('2026-02-11'), at('2026-02-19'))] },
      'pauses[0].from',
      '早于计时起点',
    ],
    [
      'overlapping pauses',
      { pauses: [pause(at('2026-02-24'), at('2026-03-02')), pause(at('2026-02-27'), at('2026-03-05'))] },
      'pauses[1].from',
      '第 2 次暂停与第 1 次暂停的时间重叠',
    ],
    [
      'an open pause that is not the last',
      { pauses: [pause(at('2026-02-24')), pause(at('2026-03-02'), at('2026-03-05'))] },
      'pauses[0].to',
      '只有最后一次暂停可以未结束',
    ],
    [
      'an unknown reason',
      { pauses: [{ from: at('2026-02-24'), reason: 'holiday' as Pause['reason'] }] },
      'pauses[0].reason',
      '原因「holiday」不正确',
    ],
  ]

  it.each(cases)('refuses %s with a Chinese message', (_name, change, field, message) => {
    const spec = { ...good, ...change } as ClockSpec
    const error = thrown(() => validateClockSpec(spec))
    expect(error.code).toBe('CLOCK_INVALID_SPEC')
    expect(error.kind).toBe('invalid')
    expect(error.status).toBe(422)
    expect(error.message).toContain(message)
    expect(error.details.map((d) => d.field)).toContain(field)
    // Every computation checks the spec first.
    expect(() => dueOn(cal, spec)).toThrow(DomainError)
    expect(() => clockSummary(cal, spec, on('2026-03-01'))).toThrow(DomainError)
  })

  it('lists every problem at once', () => {
    const error = thrown(() =>
      validateClockSpec({ ...good, budgetDays: -1, extensionDays: -1, unit: 'x' as ClockUnit }),
    )
    expect(error.details).toHaveLength(3)
  })

  it('accepts adjacent pauses and an open pause at the end', () => {
    const spec = { ...good, pauses: [pause(at('2026-02-24'), at('2026-03-02')), pause(at('2026-03-02'))] }
    expect(validateClockSpec(spec)).toBe(spec)
  })

  it('refuses an invalid `now`', () => {
    expect(() => daysUsed(cal, good, new Date('nonsense'))).toThrow(DomainError)
  })
})

describe('properties over random clocks in 2025–2026', () => {
  /** mulberry32: a small seeded generator, so a failure can be replayed. */
  function random(seed: number) {
    let state = seed >>> 0
    const next = () => {
      state = (state + 0x6d2b79f5) >>> 0
      let t = state
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
    }
    const int = (low: number, high: number) => low + Math.floor(next() * (high - low + 1))
    const time = () => `${String(int(0, 23)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}:00`
    const day = (from: string, maxDays: number) => addCalendarDays(from, int(0, maxDays))
    return { int, time, day }
  }

  const CASES = 300
  const rnd = random(20260212)
  const specs = Array.from({ length: CASES }, () => {
    const triggerDay = rnd.day('2025-01-01', 660)
    return clock(at(triggerDay, rnd.time()), rnd.int(0, 60), { extensionDays: rnd.int(0, 2) * rnd.int(0, 15) })
  })

  it('ends working-day clocks on a working day, with the whole budget used at the end of it', () => {
    for (const spec of specs) {
      const due = dueOn(cal, spec)!
      const label = `${spec.trigger} + ${spec.budgetDays} + ${spec.extensionDays}`
      const total = spec.budgetDays + spec.extensionDays
      expect(isWorkingDay(cal, due), label).toBe(true)
      expect(daysUsed(cal, spec, on(due)), label).toBe(total)
      expect(daysLeft(cal, spec, on(due)), label).toBe(0)
      expect(clockState(cal, spec, on(due)), label).toBe('yellow')
      expect(clockState(cal, spec, on(addCalendarDays(due, 1), '00:00:00')), label).toBe('red')
      expect(daysLeft(cal, spec, on(addWorkingDays(cal, due, 1))), label).toBe(-1)
      if (total > 0) expect(workingDaysBetween(cal, spec.trigger.slice(0, 10), due), label).toBe(total)
    }
  })

  it('keeps used + left equal to the budget, and used never falls', () => {
    for (const spec of specs.slice(0, 60)) {
      const total = spec.budgetDays + spec.extensionDays
      let before = 0
      for (let offset = 0; offset < 120; offset += 3) {
        const now = on(addCalendarDays(spec.trigger.slice(0, 10), offset))
        const used = daysUsed(cal, spec, now)
        expect(used + daysLeft(cal, spec, now)).toBe(total)
        expect(used).toBeGreaterThanOrEqual(before)
        before = used
      }
    }
  })

  it('never makes the due day earlier when a pause is added, and moves it by exactly the days taken out', () => {
    const seen = { after: 0, before: 0, onDue: 0, split: 0 }
    for (const spec of specs) {
      const due = dueOn(cal, spec)!
      const total = spec.budgetDays + spec.extensionDays
      const triggerDay = spec.trigger.slice(0, 10)
      const startDay = rnd.day(triggerDay, calendarDaysBetween(triggerDay, due) + 15)
      const endDay = rnd.day(startDay, 40)
      // Late in the day, so that a pause on the day of the trigger starts after it.
      const pause = (from: string, to: string): Pause => ({
        from: at(from, '23:59:30'),
        to: at(to, '23:59:50'),
        reason: 'testing',
      })
      const newDue = dueOn(cal, { ...spec, pauses: [pause(startDay, endDay)] })!
      const label = `${spec.trigger} + ${total}, pause ${startDay} → ${endDay}`
      expect(newDue >= due, label).toBe(true)
      if (startDay > due) {
        // The period had run out: nothing changes.
        expect(newDue, label).toBe(due)
        seen.after++
      } else if (startDay < due && total > 0) {
        expect(newDue, label).toBe(addWorkingDays(cal, due, workingDaysBetween(cal, startDay, endDay)))
        seen.before++
      } else {
        // Nothing was left when the pause started: due on the day it ends (民法典 §203).
        expect(newDue, label).toBe(workingDayOnOrAfter(cal, endDay))
        seen.onDue++
      }
      // The same time split in two at a day in between: the same due day.
      const middle = rnd.day(startDay, calendarDaysBetween(startDay, endDay))
      if (middle < endDay) {
        const split = {
          ...spec,
          pauses: [
            { ...pause(startDay, middle), to: at(middle, '23:59:40') },
            { ...pause(middle, endDay), from: at(middle, '23:59:40') },
          ],
        }
        expect(dueOn(cal, split), label).toBe(newDue)
        seen.split++
      }
    }
    // Each case was met, so none of the checks above is vacuous.
    for (const [branch, count] of Object.entries(seen)) expect(count, branch).toBeGreaterThan(0)
  })

  it('freezes an open pause whatever the day', () => {
    for (const spec of specs.slice(0, 80)) {
      const due = dueOn(cal, spec)!
      const startDay = rnd.day(spec.trigger.slice(0, 10), workingDaysBetween(cal, spec.trigger.slice(0, 10), due))
      if (startDay > due) continue
      const open = { ...spec, pauses: [{ from: at(startDay, '23:59:30'), reason: 'appraisal' as const }] }
      const used = daysUsed(cal, open, on(startDay))
      for (const later of [1, 7, 30, 200]) {
        const now = on(addCalendarDays(startDay, later))
        expect(daysUsed(cal, open, now)).toBe(used)
        expect(clockState(cal, open, now)).toBe('paused')
      }
    }
  })

  it('ends natural-day clocks on the first working day on or after the last natural day', () => {
    for (const spec of specs) {
      const natural = { ...spec, unit: '自然日' as const }
      const total = spec.budgetDays + spec.extensionDays
      const lastNaturalDay = addCalendarDays(spec.trigger.slice(0, 10), total)
      const due = dueOn(cal, natural)!
      expect(due).toBe(workingDayOnOrAfter(cal, lastNaturalDay))
      expect(isWorkingDay(cal, due)).toBe(true)
      expect(daysLeft(cal, natural, on(due))).toBe(0)
      if (due === lastNaturalDay) expect(daysUsed(cal, natural, on(due))).toBe(total)
    }
  })
})
