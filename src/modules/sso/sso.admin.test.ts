import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, form, formSession, type TestApp, testPrincipal } from '../../../test/helpers.js'
import { listAudit } from '../../platform/audit/audit.js'
import { runSeed } from '../../seed.js'
import { permissionsOf } from '../identity/index.js'

/** Who is calling, chosen by the test through a cookie (so form sessions keep it). */
function principalFrom(request: FastifyRequest) {
  const who = /(?:^|;\s*)test_as=(\w+)/.exec(String(request.headers.cookie ?? ''))?.[1]
  if (who === 'admin') {
    return testPrincipal({
      personId: undefined,
      staffId: 'staff-admin',
      departmentId: 'dept-zwfw',
      displayName: '黄海涛',
      roles: ['sys_admin'],
      permissions: permissionsOf(['sys_admin']),
      assuranceLevel: 3,
    })
  }
  if (who === 'clerk') {
    return testPrincipal({
      personId: undefined,
      staffId: 'staff-clerk',
      roles: ['window_clerk'],
      permissions: permissionsOf(['window_clerk']),
    })
  }
  if (who === 'citizen') return testPrincipal()
  return undefined
}

const as = (who: string) => `test_as=${who}`

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp({ principal: principalFrom })
  await runSeed(t.modules, { print: false })
})
afterAll(async () => t.close())

async function post(
  url: string,
  fields: Record<string, string | string[]>,
  who = 'admin',
  page = '/admin/clients/new',
) {
  const session = await formSession(t.app, page, as(who))
  return t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ _csrf: session.token, ...fields }),
  })
}

const valid = {
  name: '区卫健委预约挂号系统',
  clientId: 'wjj-booking',
  departmentId: '',
  authMethod: 'client_secret_basic',
  grantTypes: ['authorization_code', 'refresh_token'],
  scopes: ['openid', 'profile', 'offline_access'],
  redirectUris: 'https://booking.wjj.example.gov.cn/callback\nhttp://127.0.0.1:9000/cb',
  postLogoutRedirectUris: 'https://booking.wjj.example.gov.cn/',
}

describe('who may manage the register of department systems', () => {
  it('sends a visitor without a login to log in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/admin/clients' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/login?next=%2Fadmin%2Fclients')
  })

  it.each(['citizen', 'clerk'])('refuses a %s', async (who) => {
    for (const url of ['/admin/clients', '/admin/clients/new', '/admin/clients/demo-department-system']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: as(who) } })
      expect(res.statusCode).toBe(403)
    }
  })

  it('refuses a window clerk’s post', async () => {
    const session = await formSession(t.app, '/', as('clerk'))
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/clients/demo-department-system/deactivate',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: session.token }),
    })
    expect(res.statusCode).toBe(403)
  })

  it('shows 接入系统 in the navigation to the system administrator only', async () => {
    const admin = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: as('admin') } })
    expect(admin.body).toContain('href="/admin/clients">接入系统</a>')
    const clerk = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: as('clerk') } })
    expect(clerk.body).not.toContain('href="/admin/clients"')
  })
})

describe('the system administrator', () => {
  it('lists the registered systems', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/admin/clients', headers: { cookie: as('admin') } })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('区市场监管业务系统（演示）')
    expect(res.body).toContain('demo-public-app')
  })

  it('gets every problem of a registration at once, with what was typed kept', async () => {
    const res = await post('/admin/clients', {
      ...valid,
      clientId: 'Bad ID',
      redirectUris: 'http://booking.example.com/cb',
      scopes: ['profile', 'offline_access'],
      grantTypes: ['authorization_code'],
    })
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('class="error-summary"')
    expect(res.body).toContain('客户端标识以小写字母开头')
    expect(res.body).toContain('必须以 https:// 开头')
    expect(res.body).toContain('必须包含“登录身份”')
    expect(res.body).toContain('需要同时选择刷新令牌方式')
    expect(res.body).toContain('value="区卫健委预约挂号系统"')
    expect(res.body).toContain('http://booking.example.com/cb</textarea>')
    expect(await t.db.selectFrom('oidcClients').select('clientId').where('name', '=', valid.name).execute()).toEqual([])
  })

  it('registers a system, shows its secret once, stores it encrypted and audits the change', async () => {
    const res = await post('/admin/clients', valid)
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const secret = /id="f-secret" type="text" value="([A-Za-z0-9_-]{43})"/.exec(res.body)?.[1]
    expect(secret).toBeDefined()
    expect(res.body).toContain('密钥只显示这一次')

    const row = await t.db
      .selectFrom('oidcClients')
      .selectAll()
      .where('clientId', '=', 'wjj-booking')
      .executeTakeFirstOrThrow()
    expect(row.secretEnc).not.toContain(secret)
    expect(t.deps.fieldCrypto.decrypt(row.secretEnc!)).toBe(secret)
    expect(row.secretSha256).toBe(createHash('sha256').update(secret!).digest('hex'))
    expect(JSON.parse(row.redirectUris)).toEqual([
      'https://booking.wjj.example.gov.cn/callback',
      'http://127.0.0.1:9000/cb',
    ])
    expect(row.createdBy).toBe('staff-admin')

    const audit = await listAudit(t.db, { objectType: 'oidc_client', objectId: 'wjj-booking' })
    expect(audit.entries.map((e) => e.action)).toEqual(['sso.client_register'])
    expect(audit.entries[0]).toMatchObject({ actorType: 'staff', actorId: 'staff-admin', role: 'sys_admin' })
    expect(JSON.stringify(audit.entries)).not.toContain(secret)

    // the client's page never shows the secret again, only its fingerprint
    const page = await t.app.inject({
      method: 'GET',
      url: '/admin/clients/wjj-booking',
      headers: { cookie: as('admin') },
    })
    expect(page.body).not.toContain(secret)
    expect(page.body).toContain(row.secretSha256!.slice(0, 16))

    // the same client id again is refused, not duplicated
    const again = await post('/admin/clients', valid)
    expect(again.statusCode).toBe(422)
    expect(again.body).toContain('已被使用')
  })

  it('rotates the secret: the old one stops working at once', async () => {
    const basic = (secret: string) => `Basic ${Buffer.from(`demo-department-system:${secret}`).toString('base64')}`
    const before = await t.db
      .selectFrom('oidcClients')
      .select('secretEnc')
      .where('clientId', '=', 'demo-department-system')
      .executeTakeFirstOrThrow()
    const oldSecret = t.deps.fieldCrypto.decrypt(before.secretEnc!)
    const res = await post(
      '/admin/clients/demo-department-system/secret',
      {},
      'admin',
      '/admin/clients/demo-department-system',
    )
    expect(res.statusCode).toBe(200)
    const secret = /id="f-secret" type="text" value="([A-Za-z0-9_-]{43})"/.exec(res.body)?.[1]
    expect(secret).toBeDefined()
    expect(secret).not.toBe(oldSecret)
    const token = (s: string) =>
      t.app.inject({
        method: 'POST',
        url: '/oidc/token',
        headers: { authorization: basic(s), 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=client_credentials&scope=api%3Adata-exchange',
      })
    expect((await token(oldSecret)).statusCode).toBe(401)
    expect((await token(secret!)).statusCode).toBe(200)
    const audit = await listAudit(t.db, { objectType: 'oidc_client', objectId: 'demo-department-system' })
    expect(audit.entries.map((e) => e.action)).toContain('sso.client_rotate_secret')
  })

  it('deactivates a system: it can no longer get tokens', async () => {
    const res = await post('/admin/clients/wjj-booking/deactivate', {}, 'admin', '/admin/clients/wjj-booking')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/admin/clients/wjj-booking?done=deactivated')
    const page = await t.app.inject({
      method: 'GET',
      url: res.headers.location as string,
      headers: { cookie: as('admin') },
    })
    expect(page.body).toContain('已停用')
    expect(page.body).not.toContain('生成新密钥')
    const discovery = await t.app.inject({
      method: 'GET',
      url: '/oidc/auth?client_id=wjj-booking&response_type=code&scope=openid',
    })
    expect(discovery.statusCode).toBe(400)
    const audit = await listAudit(t.db, { objectType: 'oidc_client', objectId: 'wjj-booking' })
    expect(audit.entries.map((e) => e.action)).toEqual(['sso.client_deactivate', 'sso.client_register'])
  })

  it('answers 404 for a system that does not exist', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/admin/clients/no-such-system',
      headers: { cookie: as('admin') },
    })
    expect(res.statusCode).toBe(404)
  })
})
