import { type Kysely, sql } from 'kysely'
import { columnTypes, nowDefault } from './_columns.js'

/**
 * A person's messages (modules/notifications). The table is also the outbox: SMS and e-mail
 * rows are written in the business transaction as 'pending' and sent later by a sweep that
 * claims them (claimed_by / claimed_until), so several processes can deliver at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('notifications')
    .addColumn('id', t.id, (c) => c.notNull())
    .addColumn('recipient_person_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', t.timestamp, (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', t.timestamp)
    .addColumn('last_error', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addColumn('sent_at', t.timestamp)
    .addColumn('read_at', t.timestamp)
    .addPrimaryKeyConstraint('notifications_pk', ['id'])
    .addCheckConstraint('notifications_channel_check', sql`channel in ('site', 'sms', 'email')`)
    .addCheckConstraint('notifications_state_check', sql`state in ('pending', 'sending', 'sent', 'failed')`)
    .execute()

  // The delivery sweep: due pending (or abandoned sending) rows, oldest first.
  await db.schema
    .createIndex('notifications_due_idx')
    .on('notifications')
    .columns(['state', 'next_attempt_at'])
    .execute()
  // A person's inbox, newest first.
  await db.schema
    .createIndex('notifications_inbox_idx')
    .on('notifications')
    .columns(['recipient_person_id', 'channel', 'created_at desc'])
    .execute()
}
