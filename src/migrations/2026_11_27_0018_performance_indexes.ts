import type { Kysely } from 'kysely'

/**
 * Indexes found by the benchmarks (docs/performance.md):
 * - the workbench's item filter lists the items of the cases on which a department has open
 *   tasks: read the open tasks of a department and their applications without the task rows;
 * - the catalog checks on every list of published items whether its kept copy is still current
 *   (count and latest change of the published versions): answered from the index alone, without
 *   reading 5,000 versions' elements.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('item_versions_published_changes_idx')
    .on('item_versions')
    .columns(['state', 'published_at', 'updated_at'])
    .execute()
  await db.schema
    .createIndex('tasks_department_state_application_idx')
    .on('tasks')
    .columns(['department_id', 'state', 'application_id'])
    .execute()
}
