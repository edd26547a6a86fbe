import type { ColumnType, Generated } from 'kysely'

export type NotificationChannel = 'site' | 'sms' | 'email'
export type NotificationState = 'pending' | 'sending' | 'sent' | 'failed'

/** A message to a person; for SMS and e-mail also the outbox entry the delivery sweep works on. */
export interface NotificationTable {
  id: string
  recipientPersonId: string
  channel: NotificationChannel
  /** Phone number or e-mail address for sms/email, as the caller gave it; null for site messages. */
  address: string | null
  subject: string
  body: string
  /** A path on this site (e.g. the case), or null. */
  link: string | null
  /** e.g. 'application', 'license', 'system'. */
  category: string
  state: NotificationState
  attempts: Generated<number>
  nextAttemptAt: string
  claimedBy: string | null
  claimedUntil: string | null
  lastError: string | null
  createdAt: ColumnType<string, string | undefined, never>
  sentAt: string | null
  readAt: string | null
}

declare module '../../platform/db/schema.js' {
  interface Database {
    notifications: NotificationTable
  }
}
