import { type Static, Type } from 'typebox'

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

export const MessageIdParams = Type.Object({
  id: Type.String({ pattern: UUID, description: '消息编号' }),
})
export type MessageIdParams = Static<typeof MessageIdParams>

export const MessagesQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1, description: '页码，从 1 开始' })),
  unreadOnly: Type.Optional(Type.Boolean({ default: false, description: '只看未读' })),
})
export type MessagesQuery = Static<typeof MessagesQuery>

export const MessagesPageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
})
export type MessagesPageQuery = Static<typeof MessagesPageQuery>

/** The form of 「标为已读」 on the messages page. */
export const MarkReadForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
})
export type MarkReadForm = Static<typeof MarkReadForm>

export const Message = Type.Object({
  id: Type.String({ description: '消息编号' }),
  subject: Type.String({ description: '标题' }),
  body: Type.String({ description: '内容' }),
  link: Type.Union([Type.String(), Type.Null()], { description: '相关页面（本站路径），没有时为 null' }),
  category: Type.String({ description: '类别，如 application（办件）、license（证照）、system（系统）' }),
  createdAt: Type.String({ format: 'date-time', description: '发出时间（UTC）' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: '阅读时间，未读为 null' }),
})

export const MessageList = Type.Object({
  items: Type.Array(Message),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  total: Type.Integer({ description: '符合条件的消息总数' }),
  pageCount: Type.Integer(),
  unread: Type.Integer({ description: '未读消息数' }),
})
