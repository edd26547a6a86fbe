import type { Kysely } from 'kysely'
import { columnTypes } from './_columns.js'

/**
 * How far each month's roll-up reaches (docs/performance.md, finding 25). The month a period ends
 * in is seldom over: a year to yesterday read its last month's 28 days row by row — as many rows
 * per item as the eleven whole months before them. The roll-up of that month already holds
 * exactly those days once a refresh has finished, so the statistics read it from there when
 * `through` is the period's last summarised day.
 *
 * One row a month: the last day its roll-up holds (written in the roll-up's transaction). Months
 * rolled up before this migration have none and are read day by day until their next roll-up.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('supervision_month_through')
    .addColumn('month', 'text', (c) => c.primaryKey())
    .addColumn('through', t.date, (c) => c.notNull())
    .execute()
}
