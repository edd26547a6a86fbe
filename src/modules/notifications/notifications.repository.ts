/** Every query on the notifications table. */
import type { ExpressionBuilder, Insertable, Selectable } from 'kysely'
import { type Db, type DbOrTrx, dialectOf } from '../../platform/db/database.js'
import { insertRow } from '../../platform/db/prepared.js'
import type { Database } from '../../platform/db/schema.js'
import type { NotificationTable } from './notifications.tables.js'

export type NotificationRow = Selectable<NotificationTable>

export async function insertNotification(db: DbOrTrx, row: Insertable<NotificationTable>): Promise<void> {
  await insertRow(db, 'notifications', row)
}

/**
 * Rows the sweep may take now: pending and due, or left in 'sending' by a process whose claim
 * ran out (it stopped or crashed).
 */
function claimable(now: string) {
  return (eb: ExpressionBuilder<Database, 'notifications'>) =>
    eb.and([
      eb('state', 'in', ['pending', 'sending']),
      eb('nextAttemptAt', '<=', now),
      eb.or([eb('claimedUntil', 'is', null), eb('claimedUntil', '<', now)]),
    ])
}

/**
 * Claims up to `batch` due messages for `workerId` until `until`, in one UPDATE, and counts the
 * attempt. The condition is checked again on each row as it is updated, so two processes
 * claiming at once never get the same row; on PostgreSQL SKIP LOCKED lets the second one take
 * other rows instead of waiting. SQLite runs one writer at a time.
 */
export async function claimDueNotifications(
  db: Db,
  claim: { workerId: string; now: string; until: string; batch: number },
): Promise<NotificationRow[]> {
  const due = db
    .selectFrom('notifications')
    .select('id')
    .where(claimable(claim.now))
    .orderBy('nextAttemptAt')
    .limit(claim.batch)
  const candidates = dialectOf(db) === 'postgres' ? due.forUpdate().skipLocked() : due
  return db
    .updateTable('notifications')
    .set((eb) => ({
      state: 'sending',
      claimedBy: claim.workerId,
      claimedUntil: claim.until,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', candidates)
    .where(claimable(claim.now))
    .returningAll()
    .execute()
}

/** Records a delivery; false when this worker no longer holds the claim. */
export async function markNotificationSent(db: Db, id: string, workerId: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('notifications')
    .set({ state: 'sent', sentAt: now, claimedBy: null, claimedUntil: null, lastError: null })
    .where('id', '=', id)
    .where('claimedBy', '=', workerId)
    .where('state', '=', 'sending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Records a failed try: back to 'pending' with the next time, or 'failed' for good. */
export async function markNotificationFailed(
  db: Db,
  id: string,
  workerId: string,
  outcome: { error: string; retryAt: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('notifications')
    .set({
      state: outcome.retryAt ? 'pending' : 'failed',
      nextAttemptAt: (eb) => (outcome.retryAt ? eb.val(outcome.retryAt) : eb.ref('nextAttemptAt')),
      claimedBy: null,
      claimedUntil: null,
      lastError: outcome.error,
    })
    .where('id', '=', id)
    .where('claimedBy', '=', workerId)
    .where('state', '=', 'sending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** A person's in-site messages, newest first. */
export async function listSiteMessages(
  db: DbOrTrx,
  personId: string,
  options: { limit: number; offset: number; unreadOnly: boolean },
): Promise<NotificationRow[]> {
  let query = db
    .selectFrom('notifications')
    .selectAll()
    .where('recipientPersonId', '=', personId)
    .where('channel', '=', 'site')
  if (options.unreadOnly) query = query.where('readAt', 'is', null)
  return query.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(options.limit).offset(options.offset).execute()
}

export async function countSiteMessages(
  db: DbOrTrx,
  personId: string,
  options: { unreadOnly: boolean },
): Promise<number> {
  let query = db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('recipientPersonId', '=', personId)
    .where('channel', '=', 'site')
  if (options.unreadOnly) query = query.where('readAt', 'is', null)
  const row = await query.executeTakeFirstOrThrow()
  return Number(row.count)
}

/** One of this person's in-site messages, or undefined (also when it is someone else's). */
export async function findSiteMessage(db: DbOrTrx, personId: string, id: string): Promise<NotificationRow | undefined> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('id', '=', id)
    .where('recipientPersonId', '=', personId)
    .where('channel', '=', 'site')
    .executeTakeFirst()
}

export async function setMessageRead(db: DbOrTrx, personId: string, id: string, now: string): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ readAt: now })
    .where('id', '=', id)
    .where('recipientPersonId', '=', personId)
    .where('channel', '=', 'site')
    .where('readAt', 'is', null)
    .execute()
}
