/**
 * The working-day calendar: holidays and make-up working days as data, and the working-day
 * arithmetic of 行政许可法 §82 over them. Modules use `deps.calendar.load()` and the pure
 * functions below; the seed calls `seedOfficialCalendar(db)`.
 */
export {
  addCalendarDays,
  addWorkingDays,
  addWorkingDaysWithCoverage,
  assertCovers,
  CALENDAR_DAY_KINDS,
  type CalendarDayKind,
  type CalendarEntry,
  calendarNotLoaded,
  createWorkingCalendar,
  dayOfWeek,
  isValidDay,
  isWorkingDay,
  MAX_WORKING_DAYS,
  missingYears,
  nextWorkingDay,
  parseDay,
  previousWorkingDay,
  todayInShanghai,
  type WorkingCalendar,
  workingDayOnOrAfter,
  workingDaysBetween,
  yearOf,
} from './calendar.js'
export type { CalendarDayRow } from './calendar.repository.js'
export {
  type CalendarDayInput,
  type CalendarEditOptions,
  type CalendarRequestContext,
  type CalendarService,
  createCalendarService,
  DEFAULT_CALENDAR_MAX_AGE_MS,
  invalidateCalendar,
  loadCalendar,
  removeCalendarDay,
  type SeedCalendarResult,
  SYSTEM_UPDATER,
  seedOfficialCalendar,
  setCalendarDay,
} from './calendar.service.js'
export type { CalendarDayTable } from './calendar.tables.js'
export {
  OFFICIAL_SCHEDULES,
  type OfficialHoliday,
  type OfficialSchedule,
  officialCalendarEntries,
  officialYears,
} from './holidays.js'
