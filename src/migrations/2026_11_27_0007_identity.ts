import { type Kysely, sql } from 'kysely'
import { columnTypes, nowDefault, oneOf } from './_columns.js'

/**
 * People, accounts, staff and sessions. ID numbers, phones and addresses are stored encrypted
 * (`*_enc`) with a blind index (`*_index`) for exact lookup; never in plain text.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)

  await db.schema
    .createTable('persons')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('id_number_enc', 'text', (c) => c.notNull())
    .addColumn('id_number_index', 'text', (c) => c.notNull())
    .addColumn('id_number_masked', 'text', (c) => c.notNull())
    .addColumn('mobile_enc', 'text')
    .addColumn('mobile_index', 'text')
    .addColumn('mobile_masked', 'text')
    .addColumn('address_enc', 'text')
    .addColumn('birth_date', t.date)
    .addColumn('sex', 'text', (c) => c.check(oneOf('sex', ['male', 'female'])))
    .addColumn('assurance_level', 'integer', (c) => c.notNull().defaultTo(1).check(sql`assurance_level in (1, 2, 3)`))
    .addColumn('assurance_source', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addColumn('updated_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addUniqueConstraint('persons_id_number_key', ['id_number_index'])
    .execute()
  await db.schema.createIndex('persons_mobile_idx').on('persons').column('mobile_index').execute()

  await db.schema
    .createTable('accounts')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', ['person', 'staff'])))
    // Staff log in with a user name; persons with their ID number or mobile (via persons).
    .addColumn('login_name', 'text')
    .addColumn('person_id', t.id, (c) => c.references('persons.id'))
    .addColumn('password_hash', 'text')
    .addColumn('password_changed_at', t.timestamp)
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('active')
        .check(oneOf('status', ['active', 'disabled'])),
    )
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', t.timestamp)
    .addColumn('totp_secret_enc', 'text')
    .addColumn('totp_enabled_at', t.timestamp)
    .addColumn('elder_mode', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('last_login_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addUniqueConstraint('accounts_login_name_key', ['login_name'])
    .execute()
  await db.schema.createIndex('accounts_person_idx').on('accounts').column('person_id').execute()

  await db.schema
    .createTable('staff')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('account_id', t.id, (c) => c.notNull().references('accounts.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('employee_no', 'text', (c) => c.notNull())
    .addColumn('department_id', t.id, (c) => c.notNull().references('departments.id'))
    .addColumn('service_point_id', t.id, (c) => c.references('service_points.id'))
    .addColumn('position', 'text')
    .addColumn('active', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addUniqueConstraint('staff_account_key', ['account_id'])
    .addUniqueConstraint('staff_employee_no_key', ['employee_no'])
    .execute()
  await db.schema.createIndex('staff_department_idx').on('staff').columns(['department_id', 'active']).execute()

  await db.schema
    .createTable('staff_roles')
    .addColumn('staff_id', t.id, (c) => c.notNull().references('staff.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('granted_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addColumn('granted_by', t.id)
    .addPrimaryKeyConstraint('staff_roles_pk', ['staff_id', 'role'])
    .execute()

  await db.schema
    .createTable('sessions')
    // The cookie holds a random token; only its SHA-256 is stored, so a database leak gives no sessions.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', t.id, (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', ['person', 'staff'])))
    .addColumn('acting_enterprise_id', t.id)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
    .addColumn('idle_expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('absolute_expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('second_factor_at', t.timestamp)
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('ended_at', t.timestamp)
    .addColumn('end_reason', 'text')
    .execute()
  await db.schema.createIndex('sessions_account_idx').on('sessions').columns(['account_id', 'ended_at']).execute()
}
