/**
 * Sending a text message now (one-time codes cannot wait for the outbox sweep). Production
 * plugs in the government SMS platform's gateway; development uses `DevSmsGateway`, which
 * keeps the messages in a table the demo shows at /dev/sms (never in production).
 */
import type { Clock } from './clock.js'
import type { Db } from './db/database.js'
import { newId } from './ids.js'
import { maskMobile } from './validators/index.js'

export interface SmsGateway {
  /** Resolves when the gateway accepted the message; throws when it could not be sent. */
  send(mobile: string, text: string): Promise<void>
  /** True for the development gateway, whose messages nobody receives. */
  readonly development: boolean
}

export interface DevSmsTable {
  id: string
  mobileMasked: string
  body: string
  createdAt: string
}

declare module './db/schema.js' {
  interface Database {
    devSmsOutbox: DevSmsTable
  }
}

export class DevSmsGateway implements SmsGateway {
  readonly development = true
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async send(mobile: string, text: string): Promise<void> {
    await this.db
      .insertInto('devSmsOutbox')
      .values({ id: newId(), mobileMasked: maskMobile(mobile), body: text, createdAt: this.clock.now().toISOString() })
      .execute()
  }

  recent(limit = 50) {
    return this.db
      .selectFrom('devSmsOutbox')
      .selectAll()
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
  }
}
