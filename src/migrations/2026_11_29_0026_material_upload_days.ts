import type { Kysely } from 'kysely'
import { columnTypes } from './_columns.js'

/**
 * The upload quota counts what a person uploads a day, kept as it happens (docs/performance.md,
 * finding 16): before, every upload summed the material files of all the person's applications
 * ever made — a read that grew with each application (an agent filing for an enterprise has
 * thousands), and a lifetime limit a heavy filer would reach for good, told to "delete files" they
 * could not delete (materials of submitted applications belong to the case file).
 *
 * One row a person and Shanghai day, the bytes of the material files they stored that day.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('material_upload_days')
    .addColumn('person_id', t.id, (c) => c.notNull().references('persons.id'))
    .addColumn('day', t.date, (c) => c.notNull())
    .addColumn('bytes', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('material_upload_days_pk', ['person_id', 'day'])
    .execute()
}
