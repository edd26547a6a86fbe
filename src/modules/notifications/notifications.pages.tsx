import { Button, Form, formatDateTime, Layout, Notice, Pagination, Tag } from '../../platform/ui/index.js'
import type { MessageList, MessageView } from './notifications.service.js'

export function messagesHref(page: number): string {
  return page > 1 ? `/my/messages?page=${page}` : '/my/messages'
}

/** 我的消息: a person's in-site messages, newest first. */
export function MessagesPage({ list, unread }: { list: MessageList; unread: number }) {
  return (
    <Layout title="我的消息" breadcrumbs={[{ href: '/', label: '首页' }, { label: '我的消息' }]}>
      <h1 class="heading-xl">我的消息</h1>
      <p class="lead">{unread > 0 ? `您有 ${unread} 条未读消息。` : '没有未读消息。'}</p>
      {list.total === 0 ? (
        <Notice title="暂无消息">办件进度、补正通知、证照到期提醒都会发到这里。</Notice>
      ) : list.items.length === 0 ? (
        <Notice title="这一页没有消息">
          <a href={messagesHref(1)}>回到第一页</a>
        </Notice>
      ) : (
        <ul class="list" aria-label="消息列表">
          {list.items.map((m) => (
            <MessageItem key={m.id} message={m} page={list.page} />
          ))}
        </ul>
      )}
      <Pagination page={list.page} pageCount={list.pageCount} href={messagesHref} />
    </Layout>
  )
}

function MessageItem({ message, page }: { message: MessageView; page: number }) {
  const unread = !message.readAt
  return (
    <li class="card" id={`message-${message.id}`}>
      <h2 class="heading-s">
        {unread ? (
          <>
            <Tag tone="blue">未读</Tag>{' '}
          </>
        ) : null}
        {message.subject}
      </h2>
      <p class="hint">
        <time dateTime={message.createdAt}>{formatDateTime(message.createdAt)}</time>
      </p>
      {message.body.split(/\r?\n/).map((line, i) => (line ? <p key={i}>{line}</p> : null))}
      {message.link ? (
        <p>
          <a href={message.link}>
            查看详情<span class="visually-hidden">：{message.subject}</span>
          </a>
        </p>
      ) : null}
      {unread ? (
        <Form action={`/my/messages/${message.id}/read`}>
          <input type="hidden" name="page" value={String(page)} />
          <Button variant="secondary">
            标为已读<span class="visually-hidden">：{message.subject}</span>
          </Button>
        </Form>
      ) : null}
    </li>
  )
}
