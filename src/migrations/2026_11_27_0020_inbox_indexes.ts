import { type Kysely, sql } from 'kysely'

/**
 * The workbench inbox at a million applications (docs/performance.md, finding 3): the open tasks
 * of a department and the submissions waiting for pre-review, each read in the list's order
 * (due day; day received) with LIMIT and no sort, and counted from the index alone. Partial
 * indexes: only the rows the inbox can show (the queries repeat the same conditions literally,
 * which SQLite needs to use a partial index).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('tasks_open_inbox_idx')
    .on('tasks')
    .columns(['department_id', 'due_on', 'id', 'role', 'state', 'assignee_staff_id', 'application_id'])
    .where(sql.ref('state'), 'in', ['open', 'claimed'])
    .execute()
  await db.schema
    .createIndex('applications_pre_review_idx')
    .on('applications')
    .columns(['department_id', 'received_on', 'id', 'item_id', 'state'])
    .where(sql.ref('state'), '=', 'submitted')
    .execute()
}
