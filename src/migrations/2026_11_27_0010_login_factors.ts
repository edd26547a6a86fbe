import type { Kysely } from 'kysely'
import { columnTypes, nowDefault, oneOf } from './_columns.js'

/** SMS one-time codes, TOTP replay protection, recovery codes and the development SMS outbox. */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)

  await db.schema.alterTable('accounts').addColumn('totp_last_step', 'integer').execute()

  await db.schema
    .createTable('sms_codes')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull().check(oneOf('purpose', ['login', 'register', 'reset'])))
    .addColumn('mobile_index', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('consumed_at', t.timestamp)
    .addColumn('ip', 'text')
    .execute()
  await db.schema
    .createIndex('sms_codes_mobile_idx')
    .on('sms_codes')
    .columns(['mobile_index', 'purpose', 'created_at'])
    .execute()
  await db.schema.createIndex('sms_codes_ip_idx').on('sms_codes').columns(['ip', 'created_at']).execute()

  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('account_id', t.id, (c) => c.notNull().references('accounts.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addColumn('used_at', t.timestamp)
    .execute()
  await db.schema
    .createIndex('recovery_codes_account_idx')
    .on('recovery_codes')
    .columns(['account_id', 'used_at'])
    .execute()

  // Development only: what the development SMS gateway "sent", so the demo can show it.
  await db.schema
    .createTable('dev_sms_outbox')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('mobile_masked', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('dev_sms_outbox_created_idx').on('dev_sms_outbox').column('created_at').execute()
}
