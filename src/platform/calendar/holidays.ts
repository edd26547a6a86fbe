/**
 * The State Council's official holiday schedules (国务院办公厅关于 X 年部分节假日安排的通知), as
 * data. Each November the schedule of the next year is published: add it here as one more entry,
 * written exactly as the notice lists it, and the next `seed` inserts its days (DOMAIN.md §2).
 *
 * Only schedules checked against the notice text are listed:
 * - 2024: 国办发明电〔2023〕7号 (2023-10-25), checked against the text in 国务院公报 2023 第31号
 *   and 人民日报 2023-10-26 p. 6.
 * - 2025: 国办发明电〔2024〕12号 (2024-11-12), as in DOMAIN.md §2 [C].
 * - 2026: 国办发明电〔2025〕7号 (2025-11-04), as in DOMAIN.md §2 [C].
 *
 * Days of a holiday that fall on a weekend are listed too: the notice gives the span, and an
 * explicit row says why the office is closed. The weekend days that adjoin a one-day holiday
 * (与周末连休) are not: they are ordinary weekends.
 */
import { addCalendarDays, type CalendarEntry, parseDay } from './calendar.js'

export interface OfficialHoliday {
  /** As the notice names it: '春节', '国庆节、中秋节'. */
  name: string
  /** First and last day off (放假), inclusive. */
  from: string
  to: string
  /** The make-up working days that go with it (调休上班), always on a weekend. */
  workdays: readonly string[]
}

export interface OfficialSchedule {
  year: number
  /** The notice's document number. */
  source: string
  /** The day the notice was issued. */
  issued: string
  holidays: readonly OfficialHoliday[]
}

export const OFFICIAL_SCHEDULES: readonly OfficialSchedule[] = [
  {
    year: 2024,
    source: '国办发明电〔2023〕7号',
    issued: '2023-10-25',
    holidays: [
      // 1月1日放假，与周末连休。
      { name: '元旦', from: '2024-01-01', to: '2024-01-01', workdays: [] },
      // 2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。(除夕 2月9日 is only
      // "encouraged" as a day off, not a holiday.)
      { name: '春节', from: '2024-02-10', to: '2024-02-17', workdays: ['2024-02-04', '2024-02-18'] },
      // 4月4日至6日放假调休，共3天。4月7日（星期日）上班。
      { name: '清明节', from: '2024-04-04', to: '2024-04-06', workdays: ['2024-04-07'] },
      // 5月1日至5日放假调休，共5天。4月28日（星期日）、5月11日（星期六）上班。
      { name: '劳动节', from: '2024-05-01', to: '2024-05-05', workdays: ['2024-04-28', '2024-05-11'] },
      // 6月10日放假，与周末连休。
      { name: '端午节', from: '2024-06-10', to: '2024-06-10', workdays: [] },
      // 9月15日至17日放假调休，共3天。9月14日（星期六）上班。
      { name: '中秋节', from: '2024-09-15', to: '2024-09-17', workdays: ['2024-09-14'] },
      // 10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。
      { name: '国庆节', from: '2024-10-01', to: '2024-10-07', workdays: ['2024-09-29', '2024-10-12'] },
    ],
  },
  {
    year: 2025,
    source: '国办发明电〔2024〕12号',
    issued: '2024-11-12',
    holidays: [
      { name: '元旦', from: '2025-01-01', to: '2025-01-01', workdays: [] },
      { name: '春节', from: '2025-01-28', to: '2025-02-04', workdays: ['2025-01-26', '2025-02-08'] },
      { name: '清明节', from: '2025-04-04', to: '2025-04-06', workdays: [] },
      { name: '劳动节', from: '2025-05-01', to: '2025-05-05', workdays: ['2025-04-27'] },
      { name: '端午节', from: '2025-05-31', to: '2025-06-02', workdays: [] },
      { name: '国庆节、中秋节', from: '2025-10-01', to: '2025-10-08', workdays: ['2025-09-28', '2025-10-11'] },
    ],
  },
  {
    year: 2026,
    source: '国办发明电〔2025〕7号',
    issued: '2025-11-04',
    holidays: [
      { name: '元旦', from: '2026-01-01', to: '2026-01-03', workdays: ['2026-01-04'] },
      { name: '春节', from: '2026-02-15', to: '2026-02-23', workdays: ['2026-02-14', '2026-02-28'] },
      { name: '清明节', from: '2026-04-04', to: '2026-04-06', workdays: [] },
      { name: '劳动节', from: '2026-05-01', to: '2026-05-05', workdays: ['2026-05-09'] },
      { name: '端午节', from: '2026-06-19', to: '2026-06-21', workdays: [] },
      { name: '中秋节', from: '2026-09-25', to: '2026-09-27', workdays: [] },
      { name: '国庆节', from: '2026-10-01', to: '2026-10-07', workdays: ['2026-09-20', '2026-10-10'] },
    ],
  },
]

/** Every day of the official schedules, one entry per day, ordered by day. */
export function officialCalendarEntries(schedules: readonly OfficialSchedule[] = OFFICIAL_SCHEDULES): CalendarEntry[] {
  const entries: CalendarEntry[] = []
  for (const schedule of schedules) {
    for (const holiday of schedule.holidays) {
      for (let day = parseDay(holiday.from); day <= holiday.to; day = addCalendarDays(day, 1)) {
        entries.push({ day, kind: 'holiday', name: holiday.name, source: schedule.source })
      }
      for (const day of holiday.workdays) {
        entries.push({ day: parseDay(day), kind: 'workday', name: holiday.name, source: schedule.source })
      }
    }
  }
  return entries.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
}

/** The years with an official schedule in this file. */
export function officialYears(schedules: readonly OfficialSchedule[] = OFFICIAL_SCHEDULES): number[] {
  return schedules.map((s) => s.year).sort((a, b) => a - b)
}
