import { type Kysely, sql } from 'kysely'
import { columnTypes, nowDefault } from './_columns.js'

/**
 * The working-day calendar (platform/calendar): the days that break the weekly rhythm, i.e.
 * statutory holidays (放假) and make-up working days on a weekend (调休上班). Every other weekday
 * is a working day and every other Saturday and Sunday is not. The official schedules are
 * inserted by the seed, not here: they are data that admins may correct.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('calendar_days')
    .addColumn('day', t.date, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('updated_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('calendar_days_pk', ['day'])
    .addCheckConstraint('calendar_days_kind_ck', sql`kind in ('holiday', 'workday')`)
    .execute()
}
