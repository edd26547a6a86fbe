/**
 * A person's messages: in-site, SMS and e-mail.
 *
 * Other modules call queueNotification inside their own transaction, so a message exists exactly
 * when the business change it reports was committed. In-site messages are delivered at once (the
 * row is the message). SMS and e-mail rows wait as 'pending' in the same table, which is the
 * outbox: the delivery sweep (deliverPending) claims them, sends them outside any transaction and
 * records the outcome, so a slow or broken gateway never blocks or undoes the business change.
 * Delivery is at least once: a process that dies between sending and recording sends again
 * after its claim runs out.
 */
import { type Clock, systemClock } from '../../platform/clock.js'
import type { Db, DbOrTrx } from '../../platform/db/database.js'
import { type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import { messageNotFound } from './notifications.errors.js'
import {
  claimDueNotifications,
  countSiteMessages,
  findSiteMessage,
  insertNotification,
  listSiteMessages,
  markNotificationFailed,
  markNotificationSent,
  type NotificationRow,
  setMessageRead,
} from './notifications.repository.js'
import type { DeliveryChannel, OutgoingMessage, Senders } from './notifications.senders.js'
import type { NotificationChannel } from './notifications.tables.js'

export const SUBJECT_MAX = 100
export const BODY_MAX = 2000
const CHANNELS: readonly NotificationChannel[] = ['site', 'sms', 'email']
const CATEGORY = /^[a-z][a-z0-9_]{0,39}$/
/** A path on this site: "/x…", never "//host" or "/\host" (open redirects) or a scheme. */
const SITE_PATH = /^\/(?![/\\])[^\s\\]*$/

export interface NotificationInput {
  recipientPersonId: string
  channel: NotificationChannel
  /** Phone number (sms) or e-mail address (email); not used for site messages. */
  address?: string | null
  subject: string
  body: string
  /** A path on this site, e.g. `/my/applications/…`. */
  link?: string | null
  /** e.g. 'application', 'license', 'system'. */
  category: string
}

function problemsOf(input: NotificationInput): FieldProblem[] {
  const problems: FieldProblem[] = []
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')
  if (!text(input.recipientPersonId) || input.recipientPersonId.length > 64) {
    problems.push({ field: 'recipientPersonId', message: '缺少消息接收人' })
  }
  if (!CHANNELS.includes(input.channel)) {
    problems.push({ field: 'channel', message: '消息渠道只能是站内消息、短信或电子邮件' })
  }
  if (input.channel === 'sms' || input.channel === 'email') {
    const address = text(input.address)
    if (!address || address.length > 254) {
      problems.push({
        field: 'address',
        message: input.channel === 'sms' ? '发送短信需要手机号码' : '发送电子邮件需要邮箱地址',
      })
    }
  }
  const subject = text(input.subject)
  if (!subject || subject.length > SUBJECT_MAX) {
    problems.push({ field: 'subject', message: `消息标题不能为空，最多 ${SUBJECT_MAX} 个字` })
  }
  const body = text(input.body)
  if (!body || body.length > BODY_MAX) {
    problems.push({ field: 'body', message: `消息内容不能为空，最多 ${BODY_MAX} 个字` })
  }
  if (input.link != null && (input.link.length > 500 || !SITE_PATH.test(input.link))) {
    problems.push({ field: 'link', message: '消息链接只能指向本站页面（以 / 开头）' })
  }
  if (!CATEGORY.test(input.category ?? '')) {
    problems.push({ field: 'category', message: '消息类别格式不正确' })
  }
  return problems
}

/**
 * Queues a message in the caller's transaction: it exists only if that transaction commits.
 * In-site messages are 'sent' at once; SMS and e-mail wait as 'pending' for the delivery sweep.
 * Pass `deps.clock`.
 * @throws DomainError invalid (422) when a field breaks a rule (lengths, channel, address, link).
 */
export async function queueNotification(
  trx: DbOrTrx,
  input: NotificationInput,
  clock: Clock = systemClock,
): Promise<{ id: string }> {
  const problems = problemsOf(input)
  if (problems.length > 0) throw invalidInput(problems, '消息内容有误')
  const now = clock.now().toISOString()
  const id = newId()
  const site = input.channel === 'site'
  await insertNotification(trx, {
    id,
    recipientPersonId: input.recipientPersonId,
    channel: input.channel,
    address: site ? null : (input.address?.trim() ?? null),
    subject: input.subject.trim(),
    body: input.body.trim(),
    link: input.link ?? null,
    category: input.category,
    state: site ? 'sent' : 'pending',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    sentAt: site ? now : null,
  })
  return { id }
}

// ---------------------------------------------------------------------------------------------
// Delivery
// ---------------------------------------------------------------------------------------------

const MINUTE = 60_000
/** Waits before the 2nd, 3rd, … try: 1 min, 5 min, 30 min, 2 h, then every 6 h. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [1 * MINUTE, 5 * MINUTE, 30 * MINUTE, 120 * MINUTE, 360 * MINUTE]
export const DEFAULT_MAX_ATTEMPTS = 6

export interface DeliveryOptions {
  /** Names this process in claims (host, pid, random). */
  workerId: string
  /** Most messages claimed in one round. */
  batch?: number
  /** Tries before a message is 'failed' for good. */
  maxAttempts?: number
  /** How long a claim holds; a claim older than this is taken over by another process. */
  leaseMs?: number
  backoffMs?: readonly number[]
}

export interface DeliveryReport {
  claimed: number
  sent: number
  retrying: number
  failed: number
}

/** The wait after the `attempt`-th failed try (1-based). */
export function backoffAfter(attempt: number, backoffMs: readonly number[] = DEFAULT_BACKOFF_MS): number {
  return backoffMs[Math.min(Math.max(attempt, 1), backoffMs.length) - 1] ?? 60 * MINUTE
}

function outgoing(row: NotificationRow): OutgoingMessage {
  return {
    id: row.id,
    channel: row.channel as DeliveryChannel,
    recipientPersonId: row.recipientPersonId,
    address: row.address ?? '',
    subject: row.subject,
    body: row.body,
    link: row.link,
    category: row.category,
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return (text || '发送失败').slice(0, 500)
}

/**
 * One round of the delivery sweep: claims due SMS and e-mail messages, sends each through its
 * channel's sender (outside any transaction), then records 'sent', or a retry after the backoff,
 * or 'failed' after `maxAttempts` tries. Safe to run in several processes at once: a message is
 * claimed by one of them only.
 */
export async function deliverPending(
  db: Db,
  senders: Senders,
  clock: Clock,
  options: DeliveryOptions,
): Promise<DeliveryReport> {
  const { workerId, batch = 20, maxAttempts = DEFAULT_MAX_ATTEMPTS, leaseMs = 5 * MINUTE } = options
  const started = clock.now()
  const claimed = await claimDueNotifications(db, {
    workerId,
    now: started.toISOString(),
    until: new Date(started.getTime() + leaseMs).toISOString(),
    batch,
  })
  const report: DeliveryReport = { claimed: claimed.length, sent: 0, retrying: 0, failed: 0 }
  for (const row of claimed) {
    const sender = row.channel === 'site' ? undefined : senders[row.channel]
    try {
      if (!sender) throw new Error(`没有配置「${row.channel}」渠道的发送方式`)
      await sender.send(outgoing(row))
    } catch (error) {
      const giveUp = row.attempts >= maxAttempts
      const retryAt = giveUp
        ? null
        : new Date(clock.now().getTime() + backoffAfter(row.attempts, options.backoffMs)).toISOString()
      await markNotificationFailed(db, row.id, workerId, { error: errorText(error), retryAt })
      if (giveUp) report.failed++
      else report.retrying++
      continue
    }
    await markNotificationSent(db, row.id, workerId, clock.now().toISOString())
    report.sent++
  }
  return report
}

// ---------------------------------------------------------------------------------------------
// The inbox
// ---------------------------------------------------------------------------------------------

/** What a person sees of one of their messages. */
export interface MessageView {
  id: string
  subject: string
  body: string
  link: string | null
  category: string
  createdAt: string
  readAt: string | null
}

export interface MessageList {
  items: MessageView[]
  page: number
  pageSize: number
  total: number
  pageCount: number
}

export function presentMessage(row: NotificationRow): MessageView {
  return {
    id: row.id,
    subject: row.subject,
    body: row.body,
    link: row.link,
    category: row.category,
    createdAt: row.createdAt,
    readAt: row.readAt,
  }
}

export const PAGE_SIZE = 20

/** A person's in-site messages, newest first, a page at a time. Only their own. */
export async function listMessages(
  db: DbOrTrx,
  personId: string,
  options: { page?: number; unreadOnly?: boolean; pageSize?: number } = {},
): Promise<MessageList> {
  const pageSize = options.pageSize ?? PAGE_SIZE
  const page = Math.max(1, Math.floor(options.page ?? 1))
  const unreadOnly = options.unreadOnly ?? false
  const [total, rows] = await Promise.all([
    countSiteMessages(db, personId, { unreadOnly }),
    listSiteMessages(db, personId, { limit: pageSize, offset: (page - 1) * pageSize, unreadOnly }),
  ])
  return { items: rows.map(presentMessage), page, pageSize, total, pageCount: Math.ceil(total / pageSize) }
}

/** How many of a person's in-site messages are unread. */
export function unreadCount(db: DbOrTrx, personId: string): Promise<number> {
  return countSiteMessages(db, personId, { unreadOnly: true })
}

/**
 * Marks one of the person's in-site messages read (again: no change). Pass `deps.clock`.
 * @throws DomainError not_found when there is no such message or it is someone else's.
 */
export async function markRead(
  db: DbOrTrx,
  personId: string,
  id: string,
  clock: Clock = systemClock,
): Promise<MessageView> {
  const found = await findSiteMessage(db, personId, id)
  if (!found) throw messageNotFound()
  if (found.readAt) return presentMessage(found)
  const now = clock.now().toISOString()
  await setMessageRead(db, personId, id, now)
  return presentMessage((await findSiteMessage(db, personId, id)) ?? { ...found, readAt: now })
}
