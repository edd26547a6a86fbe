/**
 * Every query on `calendar_days`. The table is small (a few dozen rows a year), so the calendar
 * is read whole.
 */
import type { Selectable } from 'kysely'
import type { DbOrTrx } from '../db/database.js'
import { notFound } from '../http/errors.js'
import type { CalendarDayTable } from './calendar.tables.js'

export type CalendarDayRow = Selectable<CalendarDayTable>

/** Every recorded day, ordered by day. */
export function listCalendarDays(db: DbOrTrx): Promise<CalendarDayRow[]> {
  return db.selectFrom('calendarDays').selectAll().orderBy('day').execute()
}

export function findCalendarDay(db: DbOrTrx, day: string): Promise<CalendarDayRow | undefined> {
  return db.selectFrom('calendarDays').selectAll().where('day', '=', day).executeTakeFirst()
}

export async function getCalendarDay(db: DbOrTrx, day: string): Promise<CalendarDayRow> {
  const row = await findCalendarDay(db, day)
  if (!row) throw notFound(`${day} 的节假日设置`)
  return row
}

/** Inserts the day, or replaces what is recorded for it. */
export async function upsertCalendarDay(db: DbOrTrx, row: CalendarDayRow): Promise<CalendarDayRow> {
  const { day: _day, ...changes } = row
  await db
    .insertInto('calendarDays')
    .values(row)
    .onConflict((oc) => oc.column('day').doUpdateSet(changes))
    .execute()
  return getCalendarDay(db, row.day)
}

/** Inserts the days not yet recorded and leaves the others as they are; returns the days inserted. */
export async function insertMissingCalendarDays(db: DbOrTrx, rows: readonly CalendarDayRow[]): Promise<string[]> {
  if (rows.length === 0) return []
  const inserted = await db
    .insertInto('calendarDays')
    .values([...rows])
    .onConflict((oc) => oc.column('day').doNothing())
    .returning('day')
    .execute()
  return inserted.map((r) => r.day).sort()
}

/** Deletes the day's row; false when there was none. */
export async function deleteCalendarDay(db: DbOrTrx, day: string): Promise<boolean> {
  const result = await db.deleteFrom('calendarDays').where('day', '=', day).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}
