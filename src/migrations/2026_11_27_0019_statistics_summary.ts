import type { CreateTableBuilder, Kysely } from 'kysely'
import { columnTypes } from './_columns.js'

/**
 * The daily summary of the supervision statistics (modules/supervision, supervision.summary.ts):
 * per Asia/Shanghai day and cell — department × item × service point × channel — the counts of
 * what happened that day, the days used by the cases completed that day, the ratings given that
 * day and the materials named in that day's correction notices. Rebuilt from the records, a day at
 * a time, for the days that changed; never edited otherwise. A year of a million applications
 * then reads some hundred thousand summary rows instead of several million records.
 *
 * Whole months are also kept rolled up from their days (`supervision_month_*`, rebuilt with them).
 *
 * The service point of a cell is '' when none (filed online), and a rating's service point and
 * channel are its application's; ids are text on both databases.
 *
 * Also the indexes that let a day be rebuilt from its own cases only (an index on each instant a
 * count is attributed to), and find what changed since the last refresh.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)
  // The same tables twice: per day, and per month (YYYY-MM) rolled up from the days, so that a
  // year reads twelve months' rows instead of 365 days'.
  for (const grain of ['day', 'month'] as const) {
    const cell = (table: CreateTableBuilder<string, string>): CreateTableBuilder<string, string> =>
      table
        .addColumn(grain, grain === 'day' ? t.date : 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('service_point_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
    const dims = [grain, 'department_id', 'item_id', 'service_point_id', 'channel']

    let counts = cell(db.schema.createTable(`supervision_${grain}_counts`)).addColumn('item_name', 'text', (c) =>
      c.notNull(),
    )
    for (const column of [
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
    ]) {
      counts = counts.addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
    }
    await counts.addPrimaryKeyConstraint(`supervision_${grain}_counts_pk`, dims).execute()

    // Cases completed with the same days used (promised clock): how many, how many within their
    // promised limit, and the sum of their promised days — enough for the average, the 90th
    // percentile and the share within the limit.
    await cell(db.schema.createTable(`supervision_${grain}_durations`))
      .addColumn('used', 'integer', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('within', 'integer', (c) => c.notNull())
      .addColumn('promised_sum', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`supervision_${grain}_durations_pk`, [...dims, 'used'])
      .execute()

    // Ratings left out of the statistics by an upheld appeal are not counted here.
    await cell(db.schema.createTable(`supervision_${grain}_ratings`))
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('is_default', t.flag, (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`supervision_${grain}_ratings_pk`, [...dims, 'level', 'is_default'])
      .execute()

    await cell(db.schema.createTable(`supervision_${grain}_materials`))
      .addColumn('material_code', 'text', (c) => c.notNull())
      .addColumn('item_version_id', 'text', (c) => c.notNull())
      .addColumn('item_name', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`supervision_${grain}_materials_pk`, [...dims, 'material_code'])
      .execute()
  }

  // One row: how far the summary is built, from when changes are looked for, and who refreshes
  // it now (a lease, so that of several nodes one refreshes at a time).
  await db.schema
    .createTable('supervision_summary_state')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('built_through', t.date)
    .addColumn('first_day', t.date)
    .addColumn('changes_since', t.timestamp)
    .addColumn('refreshed_at', t.timestamp)
    .addColumn('lease_holder', 'text')
    .addColumn('lease_until', t.timestamp)
    .addColumn('days_rebuilt', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()

  // (accepted_on and decided_at have theirs since 0016.)
  for (const column of ['completed_at', 'withdrawn_at', 'updated_at']) {
    await db.schema.createIndex(`applications_${column}_idx`).on('applications').column(column).execute()
  }
  await db.schema.createIndex('rectifications_updated_idx').on('rectifications').column('updated_at').execute()
}
