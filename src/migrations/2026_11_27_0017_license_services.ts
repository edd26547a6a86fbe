import type { Kysely } from 'kysely'
import { columnTypes, oneOf } from './_columns.js'

/**
 * Services around the license library (modules/licenses): the import of existing licenses from a
 * spreadsheet as a job that is checked, confirmed and then run in one transaction (its progress
 * polled by the page), and the marker that an expiry reminder was sent for a license version
 * (unique, so sweeps on several nodes remind once).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)

  await db.schema
    .createTable('license_import_jobs')
    .addColumn('id', t.id, (c) => c.notNull())
    .addColumn('license_type', 'text', (c) => c.notNull().references('license_types.code'))
    .addColumn('department_id', t.id, (c) => c.notNull().references('departments.id'))
    .addColumn('created_by_staff_id', t.id, (c) => c.notNull().references('staff.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    // checked: every row passed, waiting for 确认导入; rejected: rows with problems, never runs;
    // queued → running → done, or failed (rolled back: nothing of it was imported).
    .addColumn('state', 'text', (c) =>
      c.notNull().check(oneOf('state', ['checked', 'rejected', 'queued', 'running', 'done', 'failed'])),
    )
    .addColumn('total_rows', 'integer', (c) => c.notNull())
    .addColumn('processed_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('imported_rows', 'integer', (c) => c.notNull().defaultTo(0))
    // The checked rows (holder, data, validity), ready to issue; emptied once the job is done.
    .addColumn('rows', t.json, (c) => c.notNull())
    // Every problem found by the check: [{ row, field, message }].
    .addColumn('problems', t.json, (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('confirmed_by_staff_id', t.id, (c) => c.references('staff.id'))
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('confirmed_at', t.timestamp)
    .addColumn('started_at', t.timestamp)
    .addColumn('finished_at', t.timestamp)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('license_import_jobs_pk', ['id'])
    .execute()
  // The sweep looks for jobs to run; a department lists its recent jobs.
  await db.schema
    .createIndex('license_import_jobs_state_idx')
    .on('license_import_jobs')
    .columns(['state', 'claimed_until'])
    .execute()
  await db.schema
    .createIndex('license_import_jobs_department_idx')
    .on('license_import_jobs')
    .columns(['department_id', 'created_at'])
    .execute()

  await db.schema
    .createTable('license_expiry_reminders')
    .addColumn('license_id', t.id, (c) => c.notNull().references('licenses.id'))
    .addColumn('valid_to', t.date, (c) => c.notNull())
    .addColumn('recipient_person_id', t.id, (c) => c.references('persons.id'))
    .addColumn('sent_at', t.timestamp, (c) => c.notNull())
    // One reminder per license version, however many nodes run the sweep.
    .addPrimaryKeyConstraint('license_expiry_reminders_pk', ['license_id'])
    .execute()
}
