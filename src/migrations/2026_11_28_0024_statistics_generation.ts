import type { Kysely } from 'kysely'

/**
 * The statistics summary's generation, and indexes for a page of the statistics by item
 * (docs/performance.md, finding 13).
 *
 * - `supervision_summary_state.generation` moves on in the transaction of every change to the
 *   summary's tables (a day rebuilt, a month rolled up). The statistics keep what they read from
 *   the summary per process under the generation they read it at: while it stands, the summary
 *   holds the same rows, and a page of items, the next page, the workbook and the other
 *   supervisors' views read them again from memory instead of summing a year of rows.
 * - The days used per department and item, and the materials per department and item, by item
 *   and day or month: a page of fifty items reads its own rows instead of a year of every item's.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('supervision_summary_state')
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  for (const grain of ['day', 'month'] as const) {
    for (const table of [`supervision_${grain}_item_durations`, `supervision_${grain}_dept_materials`]) {
      await db.schema.createIndex(`${table}_item_idx`).on(table).columns(['item_id', grain]).execute()
    }
  }
}
