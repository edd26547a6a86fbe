import { type Kysely, sql } from 'kysely'
import { columnTypes, oneOf } from './_columns.js'

/**
 * 政务服务"好差评" (modules/ratings; DOMAIN.md §3): ratings of applications (一事一评, one per
 * application; 一次一评 at the window, one per visit), the handling of bad ratings (差评整改) with
 * its event log, the settings the district may change (default level, deadlines), and the
 * position of the 7-day default sweep.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)

  await db.schema
    .createTable('ratings')
    .addColumn('id', t.id, (c) => c.notNull())
    .addColumn('application_id', t.id, (c) => c.notNull().references('applications.id'))
    // 一次一评: the counter visit this rating is of (null for the 一事一评 of the application).
    .addColumn('visit_id', t.id)
    .addColumn('department_id', t.id, (c) => c.notNull().references('departments.id'))
    .addColumn('item_id', t.id, (c) => c.notNull().references('items.id'))
    .addColumn('channel', 'text', (c) => c.notNull().check(oneOf('channel', ['online', 'window', 'kiosk', 'phone'])))
    .addColumn('level', 'integer', (c) => c.notNull().check(sql`level between 1 and 5`))
    // {"efficiency": 4, …}: the channel's indicators (1–5 each); may be empty.
    .addColumn('indicators', t.json, (c) => c.notNull())
    // ["repeated_trips", …]: reason codes (ratings.codes.ts).
    .addColumn('reasons', t.json, (c) => c.notNull())
    .addColumn('text', 'text')
    // 1 when the 7-day default gave it (nobody rated).
    .addColumn('is_default', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('supplement_text', 'text')
    .addColumn('supplemented_at', t.timestamp)
    .addColumn('rated_by_person_id', t.id, (c) => c.references('persons.id'))
    .addColumn('recorded_by_staff_id', t.id, (c) => c.references('staff.id'))
    .addColumn('rated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('ratings_pk', ['id'])
    .addCheckConstraint('ratings_window_visit_check', sql`(channel = 'window') = (visit_id is not null)`)
    .execute()
  // 一事一评: one rating of each application (the default sweep inserts if absent on this key).
  await db.schema
    .createIndex('ratings_application_once_idx')
    .on('ratings')
    .column('application_id')
    .unique()
    .where(sql.ref('visit_id'), 'is', null)
    .execute()
  // 一次一评: one rating per counter visit (a double tap gives one rating).
  await db.schema.createIndex('ratings_visit_idx').on('ratings').column('visit_id').unique().execute()
  await db.schema.createIndex('ratings_rated_at_idx').on('ratings').columns(['rated_at', 'id']).execute()
  await db.schema.createIndex('ratings_department_idx').on('ratings').columns(['department_id', 'rated_at']).execute()
  await db.schema.createIndex('ratings_application_idx').on('ratings').column('application_id').execute()

  await db.schema
    .createTable('rectifications')
    .addColumn('id', t.id, (c) => c.notNull())
    .addColumn('rating_id', t.id, (c) => c.notNull().references('ratings.id'))
    .addColumn('application_id', t.id, (c) => c.notNull().references('applications.id'))
    // 谁办理谁负责: the department that handled the application.
    .addColumn('department_id', t.id, (c) => c.notNull().references('departments.id'))
    .addColumn('item_id', t.id, (c) => c.notNull().references('items.id'))
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .check(oneOf('state', ['open', 'verified', 'rectifying', 'replied', 'closed', 'explained', 'appealed'])),
    )
    .addColumn('outcome', 'text', (c) => c.check(oneOf('outcome', ['valid', 'explained', 'mistaken', 'malicious'])))
    .addColumn('severity', 'text', (c) => c.check(oneOf('severity', ['minor', 'moderate', 'major'])))
    // 回访核实
    .addColumn('callback_at', t.timestamp)
    .addColumn('callback_method', 'text')
    .addColumn('callback_by_staff_id', t.id, (c) => c.references('staff.id'))
    .addColumn('callback_note', 'text')
    // 整改: the deadline in working days from the classification (or the rejected appeal).
    .addColumn('term_days', 'integer')
    .addColumn('deadline_on', t.date)
    .addColumn('overdue_at', t.timestamp)
    // Published (好差评公示): the reply of a valid rating, or the explanation.
    .addColumn('reply_text', 'text')
    .addColumn('replied_at', t.timestamp)
    .addColumn('replied_by_staff_id', t.id, (c) => c.references('staff.id'))
    .addColumn('explanation', 'text')
    .addColumn('explained_at', t.timestamp)
    // 申诉 against a mistaken or malicious rating, decided by a supervisor.
    .addColumn('appeal_reason', 'text')
    .addColumn('appealed_at', t.timestamp)
    .addColumn('appeal_decision', 'text', (c) => c.check(oneOf('appeal_decision', ['upheld', 'rejected'])))
    .addColumn('appeal_note', 'text')
    .addColumn('appeal_decided_at', t.timestamp)
    .addColumn('appeal_decided_by_staff_id', t.id, (c) => c.references('staff.id'))
    // 1 when an upheld appeal takes the rating out of the statistics.
    .addColumn('excluded', t.flag, (c) => c.notNull().defaultTo(0))
    // The applicant's rating of the reply (对整改结果评价).
    .addColumn('reply_level', 'integer', (c) => c.check(sql`reply_level between 1 and 5`))
    .addColumn('reply_comment', 'text')
    .addColumn('reply_rated_at', t.timestamp)
    .addColumn('closed_at', t.timestamp)
    .addColumn('closed_reason', 'text', (c) =>
      c.check(oneOf('closed_reason', ['applicant_rated', 'no_answer', 'appeal_upheld'])),
    )
    .addColumn('opened_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('lock_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('rectifications_pk', ['id'])
    .addUniqueConstraint('rectifications_rating_key', ['rating_id'])
    .execute()
  // The department's list, by state and deadline; the supervisor's list by state.
  await db.schema
    .createIndex('rectifications_department_idx')
    .on('rectifications')
    .columns(['department_id', 'state', 'deadline_on'])
    .execute()
  await db.schema
    .createIndex('rectifications_state_idx')
    .on('rectifications')
    .columns(['state', 'deadline_on'])
    .execute()
  await db.schema.createIndex('rectifications_opened_idx').on('rectifications').columns(['opened_at', 'id']).execute()
  await db.schema.createIndex('rectifications_application_idx').on('rectifications').column('application_id').execute()

  await db.schema
    .createTable('rectification_events')
    .addColumn('id', t.id, (c) => c.notNull())
    .addColumn('rectification_id', t.id, (c) => c.notNull().references('rectifications.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('note', 'text')
    // 1 for the steps the applicant sees (opened, explanation, reply, closing).
    .addColumn('for_applicant', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('rectification_events_pk', ['id'])
    .addUniqueConstraint('rectification_events_seq_key', ['rectification_id', 'seq'])
    .execute()

  // Overrides of the documented defaults (ratings.settings.ts); a missing key means the default.
  await db.schema
    .createTable('rating_settings')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rating_settings_pk', ['key'])
    .execute()

  // How far the 7-day default sweep has got through the finished applications (a keyset position).
  await db.schema
    .createTable('rating_sweep_positions')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('application_id', t.id, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('rating_sweep_positions_pk', ['name'])
    .execute()
}
