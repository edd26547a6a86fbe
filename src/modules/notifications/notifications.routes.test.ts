import type { FastifyRequest } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, form, formSession, type TestApp, testPrincipal } from '../../../test/helpers.js'
import { type NotificationInput, queueNotification } from './index.js'

/** Who is calling, chosen by the test through a cookie (so form sessions keep it). */
function principalFrom(request: FastifyRequest) {
  const cookie = String(request.headers.cookie ?? '')
  const person = /(?:^|;\s*)test_person=([\w-]+)/.exec(cookie)?.[1]
  if (person === 'staff-only') return testPrincipal({ personId: undefined, staffId: 'staff-1' })
  return person ? testPrincipal({ personId: person, accountId: `account-${person}` }) : undefined
}

const as = (person: string) => `test_person=${person}`

let t: TestApp
const ids: Record<string, string> = {}

const message = (overrides: Partial<NotificationInput>): NotificationInput => ({
  recipientPersonId: 'person-a',
  channel: 'site',
  subject: '办件已受理',
  body: '您的办件已受理。',
  link: null,
  category: 'application',
  ...overrides,
})

beforeAll(async () => {
  t = await buildTestApp({ principal: principalFrom })
  // The test clock stands at 2026-03-02T02:00:00Z, which is 10:00 in Shanghai.
  ids.a1 = (
    await queueNotification(
      t.db,
      message({ subject: '营业执照申请已受理', link: '/my/applications/A-1', body: '第一行\n第二行' }),
      t.clock,
    )
  ).id
  t.clock.advance(90 * 60_000)
  ids.a2 = (await queueNotification(t.db, message({ subject: '请补正材料', category: 'application' }), t.clock)).id
  ids.b1 = (
    await queueNotification(t.db, message({ recipientPersonId: 'person-b', subject: '别人的消息' }), t.clock)
  ).id
  for (let i = 1; i <= 22; i++) {
    await queueNotification(t.db, message({ recipientPersonId: 'person-many', subject: `通知 ${i}` }), t.clock)
    t.clock.advance(1000)
  }
})
afterAll(async () => t.close())

describe('GET /api/my/messages', () => {
  it('answers 401 in JSON without a login', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/my/messages' })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED', message: '请先登录后再继续。' } })
  })

  it('refuses an account that is not a person', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/my/messages', headers: { cookie: as('staff-only') } })
    expect(res.statusCode).toBe(403)
  })

  it('lists only the person’s own messages, newest first', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/my/messages', headers: { cookie: as('person-a') } })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({ total: 2, unread: 2, page: 1, pageCount: 1 })
    expect(body.items.map((m: { subject: string }) => m.subject)).toEqual(['请补正材料', '营业执照申请已受理'])
    expect(Object.keys(body.items[1]).sort()).toEqual([
      'body',
      'category',
      'createdAt',
      'id',
      'link',
      'readAt',
      'subject',
    ])
    expect(JSON.stringify(body)).not.toContain('别人的消息')
  })

  it('pages with ?page= and refuses page 0', async () => {
    const page2 = await t.app.inject({
      method: 'GET',
      url: '/api/my/messages?page=2',
      headers: { cookie: as('person-many') },
    })
    expect(page2.json()).toMatchObject({ total: 22, pageCount: 2, page: 2 })
    expect(page2.json().items.map((m: { subject: string }) => m.subject)).toEqual(['通知 2', '通知 1'])
    const zero = await t.app.inject({
      method: 'GET',
      url: '/api/my/messages?page=0',
      headers: { cookie: as('person-a') },
    })
    expect(zero.statusCode).toBe(400)
  })
})

describe('POST /api/my/messages/:id/read', () => {
  it('answers 401 without a login', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/api/my/messages/${ids.a1}/read`, payload: {} })
    expect(res.statusCode).toBe(401)
  })

  it('answers 404 for another person’s message, and leaves it unread', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/my/messages/${ids.b1}/read`,
      headers: { cookie: as('person-a') },
      payload: {},
    })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('MESSAGE_NOT_FOUND')
    const b = await t.app.inject({ method: 'GET', url: '/api/my/messages', headers: { cookie: as('person-b') } })
    expect(b.json().unread).toBe(1)
  })

  it('answers 400 for an id that is not a message id', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/my/messages/..%2F..%2Fetc/read',
      headers: { cookie: as('person-a') },
      payload: {},
    })
    expect(res.statusCode).toBe(400)
  })

  it('marks the person’s message read', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/my/messages/${ids.a2}/read`,
      headers: { cookie: as('person-a') },
      payload: {},
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ id: ids.a2, subject: '请补正材料', readAt: t.clock.now().toISOString() })
    const list = await t.app.inject({ method: 'GET', url: '/api/my/messages', headers: { cookie: as('person-a') } })
    expect(list.json().unread).toBe(1)
    const unread = await t.app.inject({
      method: 'GET',
      url: '/api/my/messages?unreadOnly=true',
      headers: { cookie: as('person-a') },
    })
    expect(unread.json().items.map((m: { subject: string }) => m.subject)).toEqual(['营业执照申请已受理'])
  })
})

describe('GET /my/messages', () => {
  it('sends a visitor without a login to log in, and back here afterwards', async () => {
    // The platform answers a page's 401 with the way to the login page (error-handler.ts).
    const res = await t.app.inject({ method: 'GET', url: '/my/messages?page=2' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent('/my/messages?page=2')}`)
  })

  it('shows the person’s messages with Shanghai times, unread tags and a link to the case', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/my/messages', headers: { cookie: as('person-a') } })
    expect(res.statusCode).toBe(200)
    const html = res.body
    expect(html).toContain('<h1 class="heading-xl">我的消息</h1>')
    expect(html).toContain('营业执照申请已受理')
    // 02:00 UTC and 03:30 UTC are 10:00 and 11:30 in Shanghai.
    expect(html).toContain('>2026-03-02 10:00</time>')
    expect(html).toContain('>2026-03-02 11:30</time>')
    expect(html).toContain('href="/my/applications/A-1"')
    expect(html).toContain('<p>第一行</p><p>第二行</p>')
    expect(html).not.toContain('别人的消息')
    // 请补正材料 was read above (API test): one unread tag, one button.
    expect(html.match(/class="tag tag--blue">未读</g)).toHaveLength(1)
    expect(html.match(/标为已读/g)).toHaveLength(1)
    expect(html).toContain(`action="/my/messages/${ids.a1}/read"`)
    expect(html).toContain('您有 1 条未读消息')
    expect(html).toContain('href="/my/messages"')
  })

  it('shows the empty state to a person without messages', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/my/messages', headers: { cookie: as('person-none') } })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('暂无消息')
  })

  it('pages through many messages', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/my/messages', headers: { cookie: as('person-many') } })
    expect(res.body).toContain('通知 22')
    expect(res.body).not.toContain('通知 2<')
    expect(res.body).toContain('href="/my/messages?page=2"')
    const page2 = await t.app.inject({
      method: 'GET',
      url: '/my/messages?page=2',
      headers: { cookie: as('person-many') },
    })
    expect(page2.body).toContain('通知 1<')
    expect(page2.body).toContain('aria-current="page"')
  })
})

describe('POST /my/messages/:id/read (form)', () => {
  it('refuses a post without the CSRF token', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/my/messages/${ids.a1}/read`,
      headers: { cookie: as('person-a'), 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ page: '1' }),
    })
    expect(res.statusCode).toBe(403)
    const list = await t.app.inject({ method: 'GET', url: '/api/my/messages', headers: { cookie: as('person-a') } })
    expect(list.json().unread).toBe(1)
  })

  it('answers 404 for another person’s message', async () => {
    const session = await formSession(t.app, '/my/messages', as('person-a'))
    const res = await t.app.inject({
      method: 'POST',
      url: `/my/messages/${ids.b1}/read`,
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: session.token }),
    })
    expect(res.statusCode).toBe(404)
    expect(res.body).toContain('找不到这条消息')
  })

  it('marks the message read and returns to the list', async () => {
    const session = await formSession(t.app, '/my/messages', as('person-a'))
    const res = await t.app.inject({
      method: 'POST',
      url: `/my/messages/${ids.a1}/read`,
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: session.token, page: '1' }),
    })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`/my/messages#message-${ids.a1}`)
    const page = await t.app.inject({ method: 'GET', url: '/my/messages', headers: { cookie: as('person-a') } })
    expect(page.body).not.toContain('标为已读')
    expect(page.body).toContain('没有未读消息')
  })
})

describe('navigation and API documentation', () => {
  it('shows 我的消息 in the navigation to a person only', async () => {
    const person = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: as('person-a') } })
    expect(person.body).toContain('href="/my/messages">我的消息</a>')
    const anonymous = await t.app.inject({ method: 'GET', url: '/' })
    expect(anonymous.body).not.toContain('class="site-nav__link" href="/my/messages"')
  })

  it('documents the JSON API under the notifications tag', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' })
    const doc = res.json()
    expect(doc.paths['/api/my/messages'].get.tags).toEqual(['notifications'])
    expect(doc.paths['/api/my/messages/{id}/read'].post.tags).toEqual(['notifications'])
    expect(doc.paths['/my/messages']).toBeUndefined()
  })
})
