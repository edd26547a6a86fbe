import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Deps } from '../../platform/deps.js'
import { notAPerson } from './notifications.errors.js'
import { MessagesPage, messagesHref } from './notifications.pages.js'
import {
  MarkReadForm,
  Message,
  MessageIdParams,
  MessageList,
  MessagesPageQuery,
  MessagesQuery,
} from './notifications.schemas.js'
import { listMessages, markRead, unreadCount } from './notifications.service.js'

/** Messages belong to a natural person; an account without one has none. */
function personOf(request: FastifyRequest): string {
  const personId = request.principal?.personId
  if (!personId) throw notAPerson()
  return personId
}

export function registerNotificationRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const { db, clock } = deps

  // ----- pages ---------------------------------------------------------------------------------

  app.get(
    '/my/messages',
    {
      schema: { hide: true, querystring: MessagesPageQuery },
      config: { policy: { authenticated: true } },
    },
    async (request, reply) => {
      const personId = personOf(request)
      const [list, unread] = await Promise.all([
        listMessages(db, personId, { page: request.query.page }),
        unreadCount(db, personId),
      ])
      return reply.page(MessagesPage({ list, unread }))
    },
  )

  app.post(
    '/my/messages/:id/read',
    {
      schema: { hide: true, params: MessageIdParams, body: MarkReadForm },
      config: { policy: { authenticated: true } },
    },
    async (request, reply) => {
      await markRead(db, personOf(request), request.params.id, clock)
      return reply.redirect(`${messagesHref(request.body.page ?? 1)}#message-${request.params.id}`, 303)
    },
  )

  // ----- JSON API ------------------------------------------------------------------------------

  app.get(
    '/api/my/messages',
    {
      schema: {
        tags: ['notifications'],
        summary: '我的站内消息',
        description: '当前登录个人的站内消息，按时间从新到旧，每页 20 条。',
        querystring: MessagesQuery,
        response: { 200: MessageList },
      },
      config: { policy: { authenticated: true } },
    },
    async (request) => {
      const personId = personOf(request)
      const [list, unread] = await Promise.all([
        listMessages(db, personId, { page: request.query.page, unreadOnly: request.query.unreadOnly }),
        unreadCount(db, personId),
      ])
      return { ...list, unread }
    },
  )

  app.post(
    '/api/my/messages/:id/read',
    {
      schema: {
        tags: ['notifications'],
        summary: '把一条消息标为已读',
        description: '以 JSON 提交（请求体可为 `{}`），或带 `x-csrf-token` 请求头。已读的消息再标一次不变。',
        params: MessageIdParams,
        response: { 200: Message },
      },
      config: { policy: { authenticated: true } },
    },
    async (request) => markRead(db, personOf(request), request.params.id, clock),
  )
}
