import { type Kysely, sql } from 'kysely'
import { columnTypes } from './_columns.js'

/**
 * The statistics of a year at a million applications (docs/performance.md, finding 8): the summary
 * of 0019 keeps every cell (department × item × service point × channel), and with 5,000 items a
 * month still held ~34,000 count rows, ~53,000 duration rows and ~39,000 rating rows (a day ~5,700
 * count rows), so a year by department read over a million summary rows (2.4 s on SQLite). These
 * tables keep the same days and months per department and channel only (materials: per department
 * and item), rolled up from the cell rows with them; the statistics by department, by channel and
 * of all read them when no item or service point is asked for. Filled here from what is built.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)
  for (const grain of ['day', 'month'] as const) {
    const cell = (name: string) =>
      db.schema
        .createTable(name)
        .addColumn(grain, grain === 'day' ? t.date : 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())

    let counts = cell(`supervision_${grain}_dept_counts`)
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('item_name', 'text', (c) => c.notNull())
    for (const column of COUNT_COLUMNS) counts = counts.addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
    await counts
      .addPrimaryKeyConstraint(`supervision_${grain}_dept_counts_pk`, [grain, 'department_id', 'channel'])
      .execute()

    await cell(`supervision_${grain}_dept_durations`)
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('used', 'integer', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('within', 'integer', (c) => c.notNull())
      .addColumn('promised_sum', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`supervision_${grain}_dept_durations_pk`, [grain, 'department_id', 'channel', 'used'])
      .execute()

    await cell(`supervision_${grain}_dept_ratings`)
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('is_default', t.flag, (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`supervision_${grain}_dept_ratings_pk`, [
        grain,
        'department_id',
        'channel',
        'level',
        'is_default',
      ])
      .execute()

    await cell(`supervision_${grain}_dept_materials`)
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('material_code', 'text', (c) => c.notNull())
      .addColumn('item_version_id', 'text', (c) => c.notNull())
      .addColumn('item_name', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`supervision_${grain}_dept_materials_pk`, [
        grain,
        'department_id',
        'item_id',
        'material_code',
      ])
      .execute()

    // The days and months built so far (the same statements as `coarsen` in supervision.summary.ts).
    const g = sql.ref(grain)
    const table = (stem: string, dept = false) => sql.table(`supervision_${grain}_${dept ? 'dept_' : ''}${stem}`)
    const sums = (columns: readonly string[]) => sql.join(columns.map((c) => sql`sum(${sql.ref(c)})`))
    const refs = (columns: readonly string[]) => sql.join(columns.map((c) => sql.ref(c)))
    await sql`insert into ${table('counts', true)} (${g}, department_id, channel, item_name, ${refs(COUNT_COLUMNS)})
      select ${g}, department_id, channel, max(item_name), ${sums(COUNT_COLUMNS)}
      from ${table('counts')} group by ${g}, department_id, channel`.execute(db)
    await sql`insert into ${table('durations', true)} (${g}, department_id, channel, used, count, within, promised_sum)
      select ${g}, department_id, channel, used, sum(count), sum(within), sum(promised_sum)
      from ${table('durations')} group by ${g}, department_id, channel, used`.execute(db)
    await sql`insert into ${table('ratings', true)} (${g}, department_id, channel, level, is_default, count)
      select ${g}, department_id, channel, level, is_default, sum(count)
      from ${table('ratings')} group by ${g}, department_id, channel, level, is_default`.execute(db)
    await sql`insert into ${table('materials', true)} (${g}, department_id, item_id, material_code, item_version_id, item_name, count)
      select ${g}, department_id, item_id, material_code, max(item_version_id), max(item_name), sum(count)
      from ${table('materials')} group by ${g}, department_id, item_id, material_code`.execute(db)
  }
}

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
