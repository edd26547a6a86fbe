import { type Kysely, sql } from 'kysely'
import { columnTypes } from './_columns.js'

/**
 * The statistics of a year by item or by service point at a million applications (docs/
 * performance.md, finding 11): read from the cell rows of 0019 (department × item × service point
 * × channel) they summed over a million rows of a year (2.5–2.9 s on SQLite). Like the tables per
 * department of 0021, these keep the same days and months per department and item, and per
 * department and service point (counts, days used, ratings; the materials are already kept per
 * department and item), rolled up from the cell rows with them. Filled here from what is built.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)
  for (const grain of ['day', 'month'] as const) {
    for (const [level, key] of LEVELS) {
      const name = (stem: string) => `supervision_${grain}_${level}_${stem}`
      const cell = (stem: string) =>
        db.schema
          .createTable(name(stem))
          .addColumn(grain, grain === 'day' ? t.date : 'text', (c) => c.notNull())
          .addColumn('department_id', 'text', (c) => c.notNull())
          .addColumn(key, 'text', (c) => c.notNull())

      let counts = cell('counts').addColumn('item_name', 'text', (c) => c.notNull())
      for (const column of COUNT_COLUMNS) counts = counts.addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      await counts.addPrimaryKeyConstraint(`${name('counts')}_pk`, [grain, 'department_id', key]).execute()

      await cell('durations')
        .addColumn('used', 'integer', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('within', 'integer', (c) => c.notNull())
        .addColumn('promised_sum', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${name('durations')}_pk`, [grain, 'department_id', key, 'used'])
        .execute()

      await cell('ratings')
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('is_default', t.flag, (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${name('ratings')}_pk`, [grain, 'department_id', key, 'level', 'is_default'])
        .execute()

      // The days and months built so far (the same statements as `coarsen` in supervision.summary.ts).
      const g = sql.ref(grain)
      const k = sql.ref(key)
      const from = (stem: string) => sql.table(`supervision_${grain}_${stem}`)
      const sums = (columns: readonly string[]) => sql.join(columns.map((c) => sql`sum(${sql.ref(c)})`))
      const refs = (columns: readonly string[]) => sql.join(columns.map((c) => sql.ref(c)))
      await sql`insert into ${sql.table(name('counts'))} (${g}, department_id, ${k}, item_name, ${refs(COUNT_COLUMNS)})
        select ${g}, department_id, ${k}, max(item_name), ${sums(COUNT_COLUMNS)}
        from ${from('counts')} group by ${g}, department_id, ${k}`.execute(db)
      await sql`insert into ${sql.table(name('durations'))} (${g}, department_id, ${k}, used, count, within, promised_sum)
        select ${g}, department_id, ${k}, used, sum(count), sum(within), sum(promised_sum)
        from ${from('durations')} group by ${g}, department_id, ${k}, used`.execute(db)
      await sql`insert into ${sql.table(name('ratings'))} (${g}, department_id, ${k}, level, is_default, count)
        select ${g}, department_id, ${k}, level, is_default, sum(count)
        from ${from('ratings')} group by ${g}, department_id, ${k}, level, is_default`.execute(db)
    }
  }
}

const LEVELS = [
  ['item', 'item_id'],
  ['point', 'service_point_id'],
] as const

const COUNT_COLUMNS = [
  'received',
  'accepted',
  'deemed_accepted',
  'not_accepted',
  'refused',
  'withdrawn',
  'completed',
  'approved',
  'online_full',
  'overdue_completed',
  'promised_overdue_completed',
  'corrected',
] as const
