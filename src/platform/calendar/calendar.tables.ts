import type { ColumnType } from 'kysely'
import type { CalendarDayKind } from './calendar.js'

/** One holiday or make-up working day (migration 2026_11_27_0002_calendar). */
export interface CalendarDayTable {
  /** `YYYY-MM-DD`; the primary key. */
  day: string
  kind: CalendarDayKind
  name: string
  /** The notice or decision behind the day, e.g. '国办发明电〔2025〕7号'. */
  source: string | null
  updatedAt: ColumnType<string, string | undefined, string>
  /** Who last set the day: a staff id, or 'system' for the official schedules the seed inserts. */
  updatedBy: string
}

declare module '../db/schema.js' {
  interface Database {
    calendarDays: CalendarDayTable
  }
}
