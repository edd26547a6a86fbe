import { type Kysely, sql } from 'kysely'

/**
 * One autosaved draft per person, identity (self or enterprise) and item, kept by the database:
 * two tabs saving at the same moment on PostgreSQL could both find no draft and both create one
 * (CI found it). The saving code retries when this index refuses the second draft.
 *
 * Only autosaved drafts are covered (no 办件编号 yet): a submission is inserted as a draft with its
 * number and moves on within its own transaction, and must never wait on a draft being saved.
 *
 * Drafts doubled before this migration are merged first: the most recently saved one is kept,
 * the others and their material rows removed (drafts are never seen by staff; nothing was submitted).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const doubled = await sql<{ id: string }>`
    select d.id from applications d
    where d.state = 'draft' and d.application_no is null
      and exists (
        select 1 from applications n
        where n.state = 'draft' and n.application_no is null
          and n.applicant_person_id = d.applicant_person_id
          and n.item_id = d.item_id
          and coalesce(n.applicant_enterprise_id, '') = coalesce(d.applicant_enterprise_id, '')
          and (n.updated_at > d.updated_at or (n.updated_at = d.updated_at and n.id > d.id))
      )`.execute(db)
  const ids = doubled.rows.map((r) => r.id)
  for (let at = 0; at < ids.length; at += 500) {
    const slice = ids.slice(at, at + 500)
    await db.deleteFrom('application_materials').where('application_id', 'in', slice).execute()
    await db.deleteFrom('applications').where('id', 'in', slice).execute()
  }
  await sql`
    create unique index applications_one_draft_idx
    on applications (applicant_person_id, item_id, (coalesce(applicant_enterprise_id, '')))
    where state = 'draft' and application_no is null`.execute(db)
}
