import type { Kysely } from 'kysely'
import { columnTypes, nowDefault } from './_columns.js'

/**
 * The file store's record of every stored content (platform/files): one row per distinct
 * content, keyed by its sha256. The bytes live in the file store folder, not in the database.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('stored_files')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', t.bigint, (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addPrimaryKeyConstraint('stored_files_pk', ['sha256'])
    .execute()
}
