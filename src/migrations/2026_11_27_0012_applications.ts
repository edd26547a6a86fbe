import type { Kysely } from 'kysely'
import { columnTypes, oneOf } from './_columns.js'

const STATES = [
  'draft',
  'submitted',
  'correction_requested',
  'not_accepted',
  'accepted',
  'in_process',
  'approved',
  'refused',
  'completed',
  'withdrawn',
] as const
const CHANNELS = ['online', 'window', 'proxy', 'kiosk', 'phone'] as const

/**
 * Applications (办件) and everything that happens to them: events, materials, clock pauses,
 * notices, processing tasks, "一件事" cases, and the daily counter behind 办件编号.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)

  await db.schema
    .createTable('theme_cases')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('theme_code', 'text', (c) => c.notNull())
    .addColumn('applicant_person_id', t.id, (c) => c.notNull())
    .addColumn('applicant_enterprise_id', t.id)
    .addColumn('answers', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('applications')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('application_no', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('item_id', t.id, (c) => c.notNull().references('items.id'))
    .addColumn('item_version_id', t.id, (c) => c.notNull().references('item_versions.id'))
    .addColumn('department_id', t.id, (c) => c.notNull().references('departments.id'))
    .addColumn('theme_case_id', t.id, (c) => c.references('theme_cases.id'))
    .addColumn('applicant_person_id', t.id, (c) => c.notNull().references('persons.id'))
    .addColumn('applicant_enterprise_id', t.id)
    .addColumn('filed_by_person_id', t.id)
    .addColumn('filed_by_staff_id', t.id)
    .addColumn('service_point_id', t.id)
    .addColumn('channel', 'text', (c) => c.notNull().check(oneOf('channel', CHANNELS)))
    .addColumn('proxy_consent', t.json)
    .addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', STATES)))
    .addColumn('form_data', t.json, (c) => c.notNull())
    .addColumn('project_type', 'text', (c) => c.notNull())
    .addColumn('legal_unit', 'text', (c) => c.notNull())
    .addColumn('legal_days', 'integer', (c) => c.notNull())
    .addColumn('promised_unit', 'text', (c) => c.notNull())
    .addColumn('promised_days', 'integer', (c) => c.notNull())
    .addColumn('extension_days', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('correction_rounds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('submitted_at', t.timestamp)
    .addColumn('received_on', t.date) // the day the complete submission arrived (§32 deemed acceptance)
    .addColumn('accepted_at', t.timestamp)
    .addColumn('accepted_on', t.date) // the trigger of the legal clock
    .addColumn('deemed_accepted', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('due_on', t.date) // legal deadline (with extensions and pauses), kept in step by the service
    .addColumn('promised_due_on', t.date)
    .addColumn('paused', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('decided_at', t.timestamp)
    .addColumn('decision', 'text', (c) => c.check(oneOf('decision', ['approved', 'refused'])))
    .addColumn('decided_by_rule', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('result_kind', 'text')
    .addColumn('result_ref', 'text')
    .addColumn('delivery_note', 'text')
    .addColumn('completed_at', t.timestamp)
    .addColumn('withdrawn_at', t.timestamp)
    .addColumn('online_full', t.flag, (c) => c.notNull().defaultTo(0)) // 网上全流程办理 (statistics)
    .addColumn('lock_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('applications_no_key', ['application_no'])
    .addUniqueConstraint('applications_idempotency_key', ['applicant_person_id', 'idempotency_key'])
    .execute()
  // The workbench: a department's cases by state, most urgent first.
  await db.schema
    .createIndex('applications_dept_state_due_idx')
    .on('applications')
    .columns(['department_id', 'state', 'due_on'])
    .execute()
  // My applications.
  await db.schema
    .createIndex('applications_person_idx')
    .on('applications')
    .columns(['applicant_person_id', 'created_at'])
    .execute()
  await db.schema
    .createIndex('applications_enterprise_idx')
    .on('applications')
    .columns(['applicant_enterprise_id', 'created_at'])
    .execute()
  // Sweeps (deemed acceptance, warnings) and statistics by period.
  await db.schema.createIndex('applications_state_due_idx').on('applications').columns(['state', 'due_on']).execute()
  await db.schema.createIndex('applications_submitted_idx').on('applications').columns(['submitted_at']).execute()
  await db.schema.createIndex('applications_item_idx').on('applications').columns(['item_id', 'submitted_at']).execute()
  await db.schema
    .createIndex('applications_point_idx')
    .on('applications')
    .columns(['service_point_id', 'state'])
    .execute()
  await db.schema.createIndex('applications_theme_idx').on('applications').column('theme_case_id').execute()

  await db.schema
    .createTable('application_events')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('application_id', t.id, (c) => c.notNull().references('applications.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', t.id)
    .addColumn('actor_role', 'text')
    .addColumn('enterprise_id', t.id)
    .addColumn('channel', 'text')
    .addColumn('reason', 'text')
    .addColumn('notice_id', t.id)
    .addColumn('task_id', t.id)
    .addColumn('details', t.json)
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('application_events_seq_key', ['application_id', 'seq'])
    .execute()
  await db.schema
    .createIndex('application_events_event_idx')
    .on('application_events')
    .columns(['event', 'at'])
    .execute()

  await db.schema
    .createTable('application_materials')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('application_id', t.id, (c) => c.notNull().references('applications.id'))
    .addColumn('material_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', ['file', 'license', 'deferred'])))
    .addColumn('file_sha256', 'text')
    .addColumn('file_name', 'text')
    .addColumn('file_mime', 'text')
    .addColumn('file_size', 'integer')
    .addColumn('license_id', t.id)
    .addColumn('consent_at', t.timestamp)
    .addColumn('deferred_until', t.date)
    .addColumn('trust_grade', 'text', (c) => c.notNull().check(oneOf('trust_grade', ['a', 'b', 'c', 'd'])))
    .addColumn('current', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('round', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('application_materials_app_idx')
    .on('application_materials')
    .columns(['application_id', 'material_code', 'current'])
    .execute()

  await db.schema
    .createTable('notices')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('application_id', t.id, (c) => c.notNull().references('applications.id'))
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .check(oneOf('kind', ['accept', 'reject', 'correction', 'extension', 'special_procedure', 'decision'])),
    )
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('content', t.json, (c) => c.notNull())
    .addColumn('department_id', t.id, (c) => c.notNull())
    .addColumn('issued_by', t.id)
    .addColumn('issued_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('notices_number_key', ['number'])
    .execute()
  await db.schema
    .createIndex('notices_application_idx')
    .on('notices')
    .columns(['application_id', 'issued_at'])
    .execute()

  await db.schema
    .createTable('application_pauses')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('application_id', t.id, (c) => c.notNull().references('applications.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('from_at', t.timestamp, (c) => c.notNull())
    .addColumn('to_at', t.timestamp)
    .addColumn('notice_id', t.id)
    .addColumn('created_by', t.id)
    .execute()
  await db.schema
    .createIndex('application_pauses_app_idx')
    .on('application_pauses')
    .columns(['application_id', 'from_at'])
    .execute()

  await db.schema
    .createTable('tasks')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('application_id', t.id, (c) => c.notNull().references('applications.id'))
    .addColumn('stage', 'integer', (c) => c.notNull())
    .addColumn('task_key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('department_id', t.id, (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(oneOf('state', ['waiting', 'open', 'claimed', 'done', 'returned', 'cancelled'])),
    )
    .addColumn('assignee_staff_id', t.id)
    .addColumn('outcome', 'text', (c) => c.check(oneOf('outcome', ['agree', 'disagree'])))
    .addColumn('opinion', 'text')
    .addColumn('budget_days', 'integer', (c) => c.notNull())
    .addColumn('started_at', t.timestamp)
    .addColumn('due_on', t.date)
    .addColumn('done_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('tasks_inbox_idx')
    .on('tasks')
    .columns(['department_id', 'role', 'state', 'due_on'])
    .execute()
  await db.schema.createIndex('tasks_application_idx').on('tasks').columns(['application_id', 'stage']).execute()

  await db.schema
    .createTable('application_counters')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .execute()

  // Form and process definitions per item version (data, not code), when not the defaults.
  await db.schema.alterTable('item_versions').addColumn('form_definition', t.json).execute()
  await db.schema.alterTable('item_versions').addColumn('process_definition', t.json).execute()
}
