import { type Kysely, sql } from 'kysely'

/**
 * The item's name and the applicant's name as they were when the application was made, kept on
 * the application: lists (inbox, my applications, service point) then need no joins into the
 * catalog's and identity's tables, and a later rename does not rewrite history.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('applications').addColumn('item_name', 'text').execute()
  await db.schema.alterTable('applications').addColumn('applicant_name', 'text').execute()
  await sql`update applications set item_name = (select task_name from item_versions where item_versions.id = applications.item_version_id)`.execute(
    db,
  )
  await sql`update applications set applicant_name = coalesce(
      (select name from enterprises where enterprises.id = applications.applicant_enterprise_id),
      (select name from persons where persons.id = applications.applicant_person_id))`.execute(db)
}
