import { describe, expect, it } from 'vitest'
import { DomainError } from '../http/errors.js'
import {
  addCalendarDays,
  addWorkingDays,
  addWorkingDaysWithCoverage,
  assertCovers,
  type CalendarEntry,
  createWorkingCalendar,
  dayOfWeek,
  isValidDay,
  isWorkingDay,
  missingYears,
  nextWorkingDay,
  previousWorkingDay,
  todayInShanghai,
  workingDayOnOrAfter,
  workingDaysBetween,
} from './calendar.js'
import { OFFICIAL_SCHEDULES, officialCalendarEntries } from './holidays.js'

const cal = createWorkingCalendar(officialCalendarEntries())

function thrown(work: () => unknown): DomainError {
  try {
    work()
  } catch (error) {
    if (error instanceof DomainError) return error
    throw error
  }
  throw new Error('expected a DomainError')
}

/** Days from `from` to `to` inclusive. */
function daysFrom(from: string, to: string): string[] {
  const days: string[] = []
  for (let day = from; day <= to; day = addCalendarDays(day, 1)) days.push(day)
  return days
}

describe('the 2026 Spring Festival (02-15–02-23, make-up 02-14 and 02-28)', () => {
  it('closes the office from Sunday 02-15 to Monday 02-23', () => {
    for (const day of daysFrom('2026-02-15', '2026-02-23')) expect(isWorkingDay(cal, day), day).toBe(false)
  })

  it('opens it on the make-up Saturdays 02-14 and 02-28, and on the weekdays around', () => {
    expect(isWorkingDay(cal, '2026-02-13')).toBe(true)
    expect(isWorkingDay(cal, '2026-02-14')).toBe(true)
    expect(isWorkingDay(cal, '2026-02-24')).toBe(true)
    expect(isWorkingDay(cal, '2026-02-28')).toBe(true)
    expect(isWorkingDay(cal, '2026-03-01')).toBe(false)
  })

  it('ends 20 working days from acceptance on Thursday 2026-02-12 on 2026-03-18 (DOMAIN.md §2)', () => {
    expect(dayOfWeek('2026-02-12')).toBe(4)
    expect(addWorkingDays(cal, '2026-02-12', 20)).toBe('2026-03-18')
    expect(workingDaysBetween(cal, '2026-02-12', '2026-03-18')).toBe(20)
  })

  it('counts the day after the event as the first day (民法典 §201)', () => {
    expect(addWorkingDays(cal, '2026-02-12', 1)).toBe('2026-02-13')
    expect(addWorkingDays(cal, '2026-02-12', 2)).toBe('2026-02-14')
    expect(addWorkingDays(cal, '2026-02-12', 3)).toBe('2026-02-24')
  })

  it('returns the day itself for zero working days, even a holiday', () => {
    expect(addWorkingDays(cal, '2026-02-16', 0)).toBe('2026-02-16')
  })
})

describe('the 2026 National Day (10-01–10-07, make-up 09-20 and 10-10)', () => {
  it('works on Sunday 09-20 and Saturday 10-10 and not from 10-01 to 10-07', () => {
    expect(isWorkingDay(cal, '2026-09-20')).toBe(true)
    expect(isWorkingDay(cal, '2026-10-10')).toBe(true)
    for (const day of daysFrom('2026-10-01', '2026-10-07')) expect(isWorkingDay(cal, day), day).toBe(false)
    expect(isWorkingDay(cal, '2026-10-11')).toBe(false)
  })

  it('leaves the Mid-Autumn Festival (09-25–09-27) out as well', () => {
    expect(isWorkingDay(cal, '2026-09-25')).toBe(false)
    expect(workingDaysBetween(cal, '2026-09-18', '2026-10-12')).toBe(12)
  })

  it('takes the next working day after 09-30 to be 10-08', () => {
    expect(nextWorkingDay(cal, '2026-09-30')).toBe('2026-10-08')
    expect(previousWorkingDay(cal, '2026-10-08')).toBe('2026-09-30')
    expect(workingDayOnOrAfter(cal, '2026-10-03')).toBe('2026-10-08')
    expect(workingDayOnOrAfter(cal, '2026-10-08')).toBe('2026-10-08')
  })
})

describe('the 2025 Spring Festival (01-28–02-04, make-up 01-26 and 02-08)', () => {
  it('counts Sunday 01-26 and Saturday 02-08 and skips the holiday', () => {
    expect(isWorkingDay(cal, '2025-01-26')).toBe(true)
    expect(isWorkingDay(cal, '2025-02-08')).toBe(true)
    expect(isWorkingDay(cal, '2025-01-28')).toBe(false)
    expect(isWorkingDay(cal, '2025-02-04')).toBe(false)
    expect(addWorkingDays(cal, '2025-01-24', 3)).toBe('2025-02-05')
    expect(addWorkingDays(cal, '2025-02-05', 3)).toBe('2025-02-08')
  })
})

describe('isWorkingDay', () => {
  it('counts a make-up Saturday', () => {
    expect(dayOfWeek('2026-02-14')).toBe(6)
    expect(isWorkingDay(cal, '2026-02-14')).toBe(true)
    expect(workingDaysBetween(cal, '2026-02-13', '2026-02-14')).toBe(1)
  })

  it('does not count a holiday Monday', () => {
    expect(dayOfWeek('2026-04-06')).toBe(1)
    expect(isWorkingDay(cal, '2026-04-06')).toBe(false)
    expect(dayOfWeek('2025-05-05')).toBe(1)
    expect(isWorkingDay(cal, '2025-05-05')).toBe(false)
    expect(workingDaysBetween(cal, '2026-04-03', '2026-04-07')).toBe(1)
  })

  it('counts an ordinary weekday and not an ordinary weekend', () => {
    expect(isWorkingDay(cal, '2026-03-04')).toBe(true)
    expect(isWorkingDay(cal, '2026-03-07')).toBe(false)
    expect(isWorkingDay(cal, '2026-03-08')).toBe(false)
  })
})

describe('workingDaysBetween', () => {
  it('counts the days after `from` up to and including `to`', () => {
    // Thursday → next Monday: Friday and Monday.
    expect(workingDaysBetween(cal, '2026-03-05', '2026-03-09')).toBe(2)
    expect(workingDaysBetween(cal, '2026-03-05', '2026-03-05')).toBe(0)
    expect(workingDaysBetween(cal, '2026-03-07', '2026-03-08')).toBe(0)
  })

  it('is negative when `to` is before `from`, with the same size', () => {
    const pairs: [string, string][] = [
      ['2026-02-12', '2026-03-18'],
      ['2026-09-18', '2026-10-12'],
      ['2025-01-24', '2025-02-10'],
      ['2026-03-07', '2026-03-08'],
      ['2024-12-30', '2026-01-05'],
    ]
    for (const [a, b] of pairs) {
      expect(workingDaysBetween(cal, b, a), `${b} → ${a}`).toBe(-workingDaysBetween(cal, a, b))
    }
    expect(workingDaysBetween(cal, '2026-03-18', '2026-02-12')).toBe(-20)
  })

  it('undoes addWorkingDays from any day, for n ≥ 0', () => {
    for (const start of daysFrom('2026-01-25', '2026-03-05')) {
      for (let n = 0; n <= 30; n++) {
        expect(workingDaysBetween(cal, start, addWorkingDays(cal, start, n)), `${start} + ${n}`).toBe(n)
      }
    }
  })

  it('undoes addWorkingDays from a working day, for n < 0', () => {
    for (const start of daysFrom('2026-09-15', '2026-10-20').filter((d) => isWorkingDay(cal, d))) {
      for (let n = -25; n < 0; n++) {
        expect(workingDaysBetween(cal, start, addWorkingDays(cal, start, n)), `${start} ${n}`).toBe(n)
      }
    }
  })

  it('agrees with counting day by day, across years and before 1970', () => {
    const count = (from: string, to: string) =>
      daysFrom(addCalendarDays(from, 1), to).filter((d) => isWorkingDay(cal, d)).length
    const starts = ['1969-12-25', '2023-12-28', '2024-02-01', '2025-09-26', '2026-02-14', '2026-12-31']
    for (const start of starts) {
      for (const span of [1, 2, 5, 6, 7, 8, 13, 40, 120, 400]) {
        const end = addCalendarDays(start, span)
        expect(workingDaysBetween(cal, start, end), `${start} → ${end}`).toBe(count(start, end))
      }
    }
  })
})

describe('addWorkingDays', () => {
  it('counts back with a negative n', () => {
    expect(addWorkingDays(cal, '2026-02-24', -1)).toBe('2026-02-14')
    expect(addWorkingDays(cal, '2026-02-24', -2)).toBe('2026-02-13')
  })

  it('refuses a count that is not a whole number', () => {
    for (const n of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 100_000]) {
      const error = thrown(() => addWorkingDays(cal, '2026-02-12', n))
      expect(error.kind).toBe('invalid')
      expect(error.message).toMatch(/工作日数/)
    }
  })

  it('reports broken data instead of searching forever', () => {
    const closed: CalendarEntry[] = daysFrom('2030-01-01', '2031-03-01').map((day) => ({
      day,
      kind: 'holiday',
      name: '测试',
    }))
    const error = thrown(() => addWorkingDays(createWorkingCalendar(closed), '2030-01-01', 1))
    expect(error.code).toBe('CALENDAR_NO_WORKING_DAY')
  })
})

describe('years without a loaded schedule', () => {
  it('are reported by coversYear', () => {
    expect(cal.coversYear(2024)).toBe(true)
    expect(cal.coversYear(2025)).toBe(true)
    expect(cal.coversYear(2026)).toBe(true)
    expect(cal.coversYear(2027)).toBe(false)
    expect(cal.coveredYears).toEqual([2024, 2025, 2026])
  })

  it('are still counted, by weekends only, and named by addWorkingDaysWithCoverage', () => {
    const result = addWorkingDaysWithCoverage(cal, '2026-12-24', 10)
    // 2027-01-01 (元旦) is counted as a working day because 2027 is not loaded.
    expect(result).toEqual({ day: '2027-01-07', missingYears: [2027] })
    expect(addWorkingDaysWithCoverage(cal, '2026-02-12', 20)).toEqual({ day: '2026-03-18', missingYears: [] })
  })

  it('are named only for the days a count looks at (after `from`)', () => {
    expect(missingYears(cal, '2023-12-31', '2024-01-05')).toEqual([])
    expect(missingYears(cal, '2024-01-05', '2023-12-31')).toEqual([])
    expect(missingYears(cal, '2023-12-30', '2024-01-05')).toEqual([2023])
    expect(missingYears(cal, '2026-06-01', '2028-02-01')).toEqual([2027, 2028])
    expect(missingYears(cal, '2027-06-01', '2027-06-01')).toEqual([])
  })

  it('make assertCovers throw a message that says which year to load', () => {
    const error = thrown(() => assertCovers(cal, '2026-12-24', '2027-01-07'))
    expect(error.code).toBe('CALENDAR_YEAR_NOT_LOADED')
    expect(error.kind).toBe('unavailable')
    expect(error.message).toContain('2027年')
    expect(() => assertCovers(cal, '2026-02-12', '2026-03-18')).not.toThrow()
  })

  it('can be declared explicitly', () => {
    const weekendsOnly = createWorkingCalendar([], { coveredYears: [2031] })
    expect(weekendsOnly.coversYear(2031)).toBe(true)
    expect(addWorkingDays(weekendsOnly, '2031-01-03', 1)).toBe('2031-01-06')
  })
})

describe('malformed dates', () => {
  it.each([
    '2026-02-30',
    '2026-13-01',
    '2026-00-10',
    '2026-2-3',
    '20260212',
    '2026/02/12',
    ' 2026-02-12',
    '2026-02-12T00:00:00Z',
    '0999-01-01',
    '',
  ])('rejects %j with a Chinese message', (bad) => {
    expect(isValidDay(bad)).toBe(false)
    const error = thrown(() => isWorkingDay(cal, bad))
    expect(error.kind).toBe('invalid')
    expect(error.code).toBe('CALENDAR_INVALID_DATE')
    expect(error.message).toContain('YYYY-MM-DD')
    expect(() => addWorkingDays(cal, bad, 1)).toThrow(DomainError)
    expect(() => workingDaysBetween(cal, '2026-02-12', bad)).toThrow(DomainError)
  })

  it('accepts 29 February only in a leap year', () => {
    expect(isValidDay('2024-02-29')).toBe(true)
    expect(isValidDay('2026-02-29')).toBe(false)
    expect(isValidDay('2000-02-29')).toBe(true)
    expect(isValidDay('1900-02-29')).toBe(false)
  })

  it('rejects a calendar with a day listed twice', () => {
    const entry: CalendarEntry = { day: '2026-02-16', kind: 'holiday', name: '春节' }
    expect(thrown(() => createWorkingCalendar([entry, entry])).code).toBe('CALENDAR_DUPLICATE_DAY')
  })
})

describe('todayInShanghai', () => {
  it('turns to the next day at 16:00 UTC', () => {
    expect(todayInShanghai(new Date('2026-02-11T15:59:59.999Z'))).toBe('2026-02-11')
    expect(todayInShanghai(new Date('2026-02-11T16:00:00.000Z'))).toBe('2026-02-12')
    expect(todayInShanghai(new Date('2026-12-31T20:00:00.000Z'))).toBe('2027-01-01')
  })

  it('rejects an invalid date', () => {
    expect(() => todayInShanghai(new Date('nonsense'))).toThrow(DomainError)
  })
})

describe('the official schedules', () => {
  const entries = officialCalendarEntries()

  it('put every make-up working day on a Saturday or Sunday', () => {
    for (const entry of entries.filter((e) => e.kind === 'workday')) {
      expect([0, 6], entry.day).toContain(dayOfWeek(entry.day))
    }
  })

  it('have the number of days the notices give', () => {
    const count = (year: number, kind: string) =>
      entries.filter((e) => e.day.startsWith(`${year}-`) && e.kind === kind).length
    expect([count(2024, 'holiday'), count(2024, 'workday')]).toEqual([28, 8])
    expect([count(2025, 'holiday'), count(2025, 'workday')]).toEqual([28, 5])
    expect([count(2026, 'holiday'), count(2026, 'workday')]).toEqual([33, 6])
  })

  it('match DOMAIN.md §2 for 2025 and 2026', () => {
    const workdays = (year: number) =>
      entries.filter((e) => e.day.startsWith(`${year}-`) && e.kind === 'workday').map((e) => e.day.slice(5))
    expect(workdays(2025)).toEqual(['01-26', '02-08', '04-27', '09-28', '10-11'])
    expect(workdays(2026)).toEqual(['01-04', '02-14', '02-28', '05-09', '09-20', '10-10'])
  })

  it('name each day and its notice', () => {
    for (const entry of entries) {
      expect(entry.name).not.toBe('')
      expect(entry.source).toMatch(/^国办发明电〔\d{4}〕\d+号$/)
    }
    expect(OFFICIAL_SCHEDULES.find((s) => s.year === 2026)?.source).toBe('国办发明电〔2025〕7号')
    expect(cal.entry('2026-02-17')).toMatchObject({ kind: 'holiday', name: '春节', source: '国办发明电〔2025〕7号' })
  })
})
