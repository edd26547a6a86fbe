import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../test/helpers.js'
import { TestClock } from '../../platform/clock.js'
import { transaction } from '../../platform/db/database.js'
import { DomainError } from '../../platform/http/errors.js'
import { claimDueNotifications } from './notifications.repository.js'
import type { MessageSender, OutgoingMessage } from './notifications.senders.js'
import {
  deliverPending,
  listMessages,
  markRead,
  type NotificationInput,
  queueNotification,
  unreadCount,
} from './notifications.service.js'

let database: TestDatabase
const clock = new TestClock()
const MINUTE = 60_000

beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => database.drop())
beforeEach(async () => {
  await database.db.deleteFrom('notifications').execute()
  clock.set('2026-03-02T02:00:00.000Z')
})

const sms = (overrides: Partial<NotificationInput> = {}): NotificationInput => ({
  recipientPersonId: 'person-a',
  channel: 'sms',
  address: '13800138000',
  subject: '办件已受理',
  body: '您的办件已受理，请留意后续通知。',
  link: '/my/applications/1',
  category: 'application',
  ...overrides,
})

const site = (overrides: Partial<NotificationInput> = {}): NotificationInput =>
  sms({ channel: 'site', address: null, ...overrides })

const rowOf = (id: string) =>
  database.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

/** Records what it sends; fails the first `failures` calls. */
class RecordingSender implements MessageSender {
  readonly sent: OutgoingMessage[] = []
  calls = 0
  constructor(
    private failures = 0,
    private readonly delayMs = 0,
  ) {}
  async send(message: OutgoingMessage): Promise<void> {
    this.calls++
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs))
    if (this.failures > 0) {
      this.failures--
      throw new Error('短信网关超时')
    }
    this.sent.push(message)
  }
}

describe('queueNotification', () => {
  it('leaves no message when the caller’s transaction rolls back', async () => {
    await expect(
      transaction(database.db, async (trx) => {
        await queueNotification(trx, site(), clock)
        await queueNotification(trx, sms(), clock)
        throw new Error('business rule failed')
      }),
    ).rejects.toThrow('business rule failed')
    const count = await database.db.selectFrom('notifications').select('id').execute()
    expect(count).toHaveLength(0)
  })

  it('delivers a site message at once and keeps SMS pending for the sweep', async () => {
    const { siteId, smsId } = await transaction(database.db, async (trx) => ({
      siteId: (await queueNotification(trx, site(), clock)).id,
      smsId: (await queueNotification(trx, sms(), clock)).id,
    }))
    expect(await rowOf(siteId)).toMatchObject({ state: 'sent', sentAt: '2026-03-02T02:00:00.000Z', address: null })
    expect(await rowOf(smsId)).toMatchObject({ state: 'pending', attempts: 0, address: '13800138000' })
    expect(await unreadCount(database.db, 'person-a')).toBe(1)
  })

  it('refuses a message without a subject, an SMS without a number and a link off the site', async () => {
    const error = await queueNotification(
      database.db,
      sms({ subject: ' ', address: '', link: '//evil.example/x' }),
      clock,
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DomainError)
    expect((error as DomainError).status).toBe(422)
    expect((error as DomainError).details.map((d) => d.field).sort()).toEqual(['address', 'link', 'subject'])
    await expect(queueNotification(database.db, site({ body: 'x'.repeat(2001) }), clock)).rejects.toThrow(
      '消息内容有误',
    )
    await expect(queueNotification(database.db, site({ channel: 'fax' as never }), clock)).rejects.toBeInstanceOf(
      DomainError,
    )
  })
})

describe('deliverPending', () => {
  it('sends a pending SMS once and records it sent', async () => {
    const { id } = await queueNotification(database.db, sms(), clock)
    const sender = new RecordingSender()
    const report = await deliverPending(database.db, { sms: sender }, clock, { workerId: 'w1' })
    expect(report).toEqual({ claimed: 1, sent: 1, retrying: 0, failed: 0 })
    expect(sender.sent.map((m) => [m.id, m.address, m.subject])).toEqual([[id, '13800138000', '办件已受理']])
    expect(await rowOf(id)).toMatchObject({
      state: 'sent',
      attempts: 1,
      claimedBy: null,
      sentAt: clock.now().toISOString(),
    })
    expect((await deliverPending(database.db, { sms: sender }, clock, { workerId: 'w1' })).claimed).toBe(0)
  })

  it('retries after a failing sender with growing waits, then succeeds', async () => {
    const { id } = await queueNotification(database.db, sms(), clock)
    const sender = new RecordingSender(2)
    const senders = { sms: sender }

    expect(await deliverPending(database.db, senders, clock, { workerId: 'w1' })).toMatchObject({ retrying: 1 })
    expect(await rowOf(id)).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: '短信网关超时',
      nextAttemptAt: '2026-03-02T02:01:00.000Z',
      claimedBy: null,
    })
    // Not due yet: nothing is tried before the wait is over.
    clock.advance(59_000)
    expect((await deliverPending(database.db, senders, clock, { workerId: 'w1' })).claimed).toBe(0)

    clock.advance(1_000)
    expect(await deliverPending(database.db, senders, clock, { workerId: 'w1' })).toMatchObject({ retrying: 1 })
    expect(await rowOf(id)).toMatchObject({ attempts: 2, nextAttemptAt: '2026-03-02T02:06:00.000Z' })

    clock.advance(5 * MINUTE)
    expect(await deliverPending(database.db, senders, clock, { workerId: 'w1' })).toMatchObject({ sent: 1 })
    expect(await rowOf(id)).toMatchObject({ state: 'sent', attempts: 3, lastError: null })
    expect(sender.calls).toBe(3)
    expect(sender.sent).toHaveLength(1)
  })

  it('gives up after the last attempt and marks the message failed', async () => {
    const { id } = await queueNotification(database.db, sms({ channel: 'email', address: 'a@example.cn' }), clock)
    const sender = new RecordingSender(Number.POSITIVE_INFINITY)
    const options = { workerId: 'w1', maxAttempts: 3 }
    const reports = []
    for (let i = 0; i < 5; i++) {
      reports.push(await deliverPending(database.db, { email: sender }, clock, options))
      clock.advance(24 * 60 * MINUTE)
    }
    expect(reports.map((r) => [r.retrying, r.failed])).toEqual([
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 0],
      [0, 0],
    ])
    expect(sender.calls).toBe(3)
    expect(await rowOf(id)).toMatchObject({ state: 'failed', attempts: 3, lastError: '短信网关超时', claimedBy: null })
  })

  it('treats a channel without a sender as a failed try', async () => {
    const { id } = await queueNotification(database.db, sms(), clock)
    expect(await deliverPending(database.db, {}, clock, { workerId: 'w1' })).toMatchObject({ retrying: 1 })
    expect((await rowOf(id)).lastError).toContain('sms')
  })

  it('takes over a message whose claim ran out (a process that stopped mid-round)', async () => {
    const { id } = await queueNotification(database.db, sms(), clock)
    const now = clock.now().toISOString()
    const until = new Date(clock.now().getTime() + 5 * MINUTE).toISOString()
    // A worker claims it, then dies before sending.
    expect(await claimDueNotifications(database.db, { workerId: 'dead', now, until, batch: 10 })).toHaveLength(1)

    const sender = new RecordingSender()
    expect((await deliverPending(database.db, { sms: sender }, clock, { workerId: 'w2' })).claimed).toBe(0)
    clock.advance(5 * MINUTE + 1)
    expect(await deliverPending(database.db, { sms: sender }, clock, { workerId: 'w2' })).toMatchObject({ sent: 1 })
    expect(await rowOf(id)).toMatchObject({ state: 'sent', attempts: 2 })
  })

  it(`never sends one message twice when several processes deliver at once${onPostgres ? ' (PostgreSQL)' : ''}`, async () => {
    const ids = new Set<string>()
    for (let i = 0; i < 60; i++) {
      ids.add((await queueNotification(database.db, sms({ subject: `消息 ${i}` }), clock)).id)
    }
    const sender = new RecordingSender(0, 2)
    const worker = async (workerId: string) => {
      let total = 0
      for (;;) {
        const report = await deliverPending(database.db, { sms: sender }, clock, { workerId, batch: 7 })
        total += report.sent
        if (report.claimed === 0) return total
      }
    }
    const totals = await Promise.all(['w1', 'w2', 'w3', 'w4'].map(worker))

    const sentIds = sender.sent.map((m) => m.id)
    expect(sentIds).toHaveLength(60)
    expect(new Set(sentIds)).toEqual(ids)
    expect(totals.reduce((a, b) => a + b, 0)).toBe(60)
    const states = await database.db.selectFrom('notifications').select(['state', 'attempts']).execute()
    expect(states.every((s) => s.state === 'sent' && s.attempts === 1)).toBe(true)
  })

  it('gives each due row to one claimant only, even when the claims start together', async () => {
    for (let i = 0; i < 40; i++) await queueNotification(database.db, sms(), clock)
    const now = clock.now().toISOString()
    const until = new Date(clock.now().getTime() + MINUTE).toISOString()
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        claimDueNotifications(database.db, { workerId: `w${i}`, now, until, batch: 40 }),
      ),
    )
    const claimed = claims.flat().map((r) => r.id)
    expect(claimed).toHaveLength(40)
    expect(new Set(claimed).size).toBe(40)
  })
})

describe('the inbox', () => {
  it('lists only the person’s own site messages, newest first, a page at a time', async () => {
    for (let i = 1; i <= 23; i++) {
      await queueNotification(database.db, site({ subject: `第 ${i} 条` }), clock)
      clock.advance(MINUTE)
    }
    await queueNotification(database.db, site({ recipientPersonId: 'person-b', subject: '别人的' }), clock)
    await queueNotification(database.db, sms({ subject: '短信不进收件箱' }), clock)

    const first = await listMessages(database.db, 'person-a', { page: 1 })
    expect(first).toMatchObject({ total: 23, pageCount: 2, page: 1 })
    expect(first.items).toHaveLength(20)
    expect(first.items[0]?.subject).toBe('第 23 条')
    const second = await listMessages(database.db, 'person-a', { page: 2 })
    expect(second.items.map((m) => m.subject)).toEqual(['第 3 条', '第 2 条', '第 1 条'])
    expect((await listMessages(database.db, 'person-b')).items.map((m) => m.subject)).toEqual(['别人的'])
  })

  it('marks a message read for its owner only', async () => {
    const { id } = await queueNotification(database.db, site(), clock)
    await expect(markRead(database.db, 'person-b', id, clock)).rejects.toMatchObject({ kind: 'not_found' })
    expect(await unreadCount(database.db, 'person-a')).toBe(1)

    clock.advance(MINUTE)
    const read = await markRead(database.db, 'person-a', id, clock)
    expect(read.readAt).toBe('2026-03-02T02:01:00.000Z')
    expect(await unreadCount(database.db, 'person-a')).toBe(0)
    clock.advance(MINUTE)
    expect((await markRead(database.db, 'person-a', id, clock)).readAt).toBe('2026-03-02T02:01:00.000Z')
    expect((await listMessages(database.db, 'person-a', { unreadOnly: true })).total).toBe(0)
  })
})
