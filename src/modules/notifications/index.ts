/**
 * Notifications: a person's messages (in-site, SMS, e-mail). Other modules call
 * `queueNotification(trx, input, deps.clock)` inside their own transaction; delivery happens in
 * the background sweep.
 */
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import type { Deps } from '../../platform/deps.js'
import type { AppModule } from '../../platform/module.js'
import { registerNotificationRoutes } from './notifications.routes.js'
import { devSenders, type Senders } from './notifications.senders.js'
import { deliverPending } from './notifications.service.js'

export type { MessageSender, OutgoingMessage, Senders } from './notifications.senders.js'
export { DevOutboxSender } from './notifications.senders.js'
export {
  type MessageView,
  type NotificationInput,
  queueNotification,
  unreadCount,
} from './notifications.service.js'
export type { NotificationChannel } from './notifications.tables.js'

export interface NotificationsModuleOptions {
  /** Gateways for SMS and e-mail; the development outbox (in memory) when not given. */
  senders?: Senders
}

export function createNotificationsModule(deps: Deps, options: NotificationsModuleOptions = {}): AppModule {
  const senders = options.senders ?? devSenders()
  const workerId = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
  return {
    name: 'notifications',
    nav: [{ href: '/my/messages', label: '我的消息', order: 80, visible: (p) => Boolean(p?.personId) }],
    register: (app) => registerNotificationRoutes(app, deps),
    sweeps: [
      {
        name: 'notifications.deliver',
        everyMs: 5000,
        run: async () => {
          await deliverPending(deps.db, senders, deps.clock, { workerId, batch: 50 })
        },
      },
    ],
  }
}
