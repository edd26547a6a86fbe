/**
 * How SMS and e-mail leave the platform. A sender only sends: the notifications table is the
 * outbox, and deliverPending decides when to try and what to record. A sender that throws makes
 * the message wait and be tried again.
 */
import type { NotificationChannel } from './notifications.tables.js'

export type DeliveryChannel = Exclude<NotificationChannel, 'site'>

/** A message on its way out through SMS or e-mail. */
export interface OutgoingMessage {
  id: string
  channel: DeliveryChannel
  recipientPersonId: string
  /** Phone number or e-mail address. */
  address: string
  subject: string
  body: string
  /** A path on this site; senders prefix the site's address when they include it. */
  link: string | null
  category: string
}

export interface MessageSender {
  /** Resolves when the gateway accepted the message; throws to have it tried again later. */
  send(message: OutgoingMessage): Promise<void>
}

export type Senders = Partial<Record<DeliveryChannel, MessageSender>>

/**
 * Development and test sender: accepts every message and keeps the latest ones in memory, so a
 * developer or a test can read what would have gone out. It writes nothing to logs: addresses
 * are personal data (SECURITY.md).
 */
export class DevOutboxSender implements MessageSender {
  readonly sent: OutgoingMessage[] = []

  constructor(private readonly keep = 1000) {}

  async send(message: OutgoingMessage): Promise<void> {
    this.sent.push(message)
    if (this.sent.length > this.keep) this.sent.splice(0, this.sent.length - this.keep)
  }
}

/** The senders used when none are given: the development outbox for both channels. */
export function devSenders(): Required<Senders> {
  return { sms: new DevOutboxSender(), email: new DevOutboxSender() }
}
