import type { Kysely } from 'kysely'
import { columnTypes, oneOf } from './_columns.js'

/**
 * Service items (政务服务事项) and their versions: an application always points at the exact
 * version it was made under, so a new version never changes open cases. "一件事" themes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)

  await db.schema
    .createTable('items')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('department_id', t.id, (c) => c.notNull().references('departments.id'))
    .addColumn('catalog_code', 'text', (c) => c.notNull())
    .addColumn('task_code', 'text', (c) => c.notNull())
    .addColumn('task_handle_item', 'text')
    .addColumn('current_version_id', t.id)
    .addColumn('withdrawn_at', t.timestamp)
    .addColumn('created_by', t.id)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('items_task_code_key', ['task_code'])
    .execute()
  await db.schema.createIndex('items_department_idx').on('items').columns(['department_id', 'catalog_code']).execute()
  await db.schema.createIndex('items_catalog_code_idx').on('items').column('catalog_code').execute()

  await db.schema
    .createTable('item_versions')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('item_id', t.id, (c) => c.notNull().references('items.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(oneOf('state', ['draft', 'in_review', 'published', 'superseded', 'withdrawn'])),
    )
    .addColumn('elements', t.json, (c) => c.notNull())
    // Copied out of the elements for lists and filters.
    .addColumn('task_name', 'text', (c) => c.notNull())
    .addColumn('task_type', 'text', (c) => c.notNull())
    .addColumn('project_type', 'text', (c) => c.notNull())
    .addColumn('online_depth', 'integer', (c) => c.notNull())
    .addColumn('for_persons', t.flag, (c) => c.notNull())
    .addColumn('for_enterprises', t.flag, (c) => c.notNull())
    .addColumn('change_note', 'text')
    .addColumn('effective_from', t.date)
    .addColumn('created_by', t.id)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('submitted_by', t.id)
    .addColumn('submitted_at', t.timestamp)
    .addColumn('reviewed_by', t.id)
    .addColumn('reviewed_at', t.timestamp)
    .addColumn('review_comment', 'text')
    .addColumn('published_at', t.timestamp)
    .addColumn('superseded_at', t.timestamp)
    .addColumn('withdrawn_at', t.timestamp)
    .addColumn('withdrawn_reason', 'text')
    .addUniqueConstraint('item_versions_item_version_key', ['item_id', 'version'])
    .execute()
  await db.schema.createIndex('item_versions_state_idx').on('item_versions').columns(['state', 'task_name']).execute()
  await db.schema
    .createIndex('item_versions_item_state_idx')
    .on('item_versions')
    .columns(['item_id', 'state'])
    .execute()

  await db.schema
    .createTable('themes')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('definition', t.json, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', ['draft', 'published', 'withdrawn'])))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_by', t.id)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('themes_code_key', ['code'])
    .execute()
}
