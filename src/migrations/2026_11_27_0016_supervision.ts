import type { Kysely } from 'kysely'
import { columnTypes, oneOf } from './_columns.js'

/**
 * Efficiency supervision (效能监管, 电子监察): yellow and red warning cards and the settings the
 * sweep and the performance reports read (thresholds, score weights), plus the indexes the
 * statistics need to answer a year of a million applications quickly.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)

  await db.schema
    .createTable('warning_cards')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('subject_type', 'text', (c) =>
      c.notNull().check(oneOf('subject_type', ['application', 'task', 'rectification'])),
    )
    .addColumn('subject_id', t.id, (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(oneOf('level', ['yellow', 'red'])))
    .addColumn('department_id', t.id, (c) => c.notNull())
    // What the card is about, as it was when raised (for the board and the drill-down).
    .addColumn('application_id', t.id)
    .addColumn('application_no', 'text')
    .addColumn('item_id', t.id)
    .addColumn('item_name', 'text')
    .addColumn('subject_label', 'text', (c) => c.notNull())
    .addColumn('raised_at', t.timestamp, (c) => c.notNull())
    // The deadline the card is about (the due day, the §32 fifth working day, …).
    .addColumn('due_on', t.date)
    // Who was told: [{ staffId, name, role, departmentId, delivered }] (staff without a person
    // account cannot receive a message; the board shows them instead).
    .addColumn('notified', t.json, (c) => c.notNull())
    .addColumn('acknowledged_by', t.id)
    .addColumn('acknowledged_at', t.timestamp)
    .addColumn('explanation', 'text')
    .addColumn('resolved_at', t.timestamp)
    .addColumn('resolution', 'text')
    // Sweeps run on every node: one card per subject, rule and level, whoever raises it first.
    .addUniqueConstraint('warning_cards_subject_key', ['subject_type', 'subject_id', 'rule', 'level'])
    .execute()
  await db.schema
    .createIndex('warning_cards_department_idx')
    .on('warning_cards')
    .columns(['department_id', 'raised_at'])
    .execute()
  await db.schema.createIndex('warning_cards_raised_idx').on('warning_cards').column('raised_at').execute()
  // The resolution pass looks at cards not yet resolved.
  await db.schema.createIndex('warning_cards_open_idx').on('warning_cards').columns(['resolved_at', 'id']).execute()
  await db.schema
    .createIndex('warning_cards_application_idx')
    .on('warning_cards')
    .columns(['application_id', 'raised_at'])
    .execute()

  await db.schema
    .createTable('supervision_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', t.json, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_by', t.id)
    .execute()

  // Statistics by period: what was decided, completed or withdrawn in a period, and the
  // correction notices of a period (the materials most often named).
  await db.schema.createIndex('applications_decided_idx').on('applications').column('decided_at').execute()
  await db.schema.createIndex('applications_accepted_on_idx').on('applications').column('accepted_on').execute()
  await db.schema.createIndex('notices_kind_issued_idx').on('notices').columns(['kind', 'issued_at']).execute()
  // The rejections and correction requests of a period, as sets of applications: answered from
  // the index alone (the events table holds five or six rows per application).
  await db.schema
    .createIndex('application_events_event_app_idx')
    .on('application_events')
    .columns(['event', 'at', 'application_id'])
    .execute()
}
