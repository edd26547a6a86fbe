import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, cookiesOf, form, formSession, type TestApp } from '../../../test/helpers.js'
import { listAudit, verifyAuditChain } from '../../platform/audit/audit.js'
import { runSeed } from '../../seed.js'
import { DEMO_PASSWORD } from './identity.seed-data.js'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp()
  await runSeed(t.modules, { print: false })
})
afterAll(async () => t.close())

async function login(account: string, password: string, ip = '10.0.0.1') {
  const { token, cookie } = await formSession(t.app, '/login')
  const res = await t.app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    payload: form({ _csrf: token, account, password, next: '/my/account' }),
  })
  return { res, cookie: cookiesOf(res, cookie) }
}

describe('POST /login', () => {
  it('logs a citizen in with the ID number and shows the masked account', async () => {
    const { res, cookie } = await login('445103198503120029', DEMO_PASSWORD)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/my/account')
    const session = res.cookies.find((c) => c.name === 'yw_session')
    expect(session?.httpOnly).toBe(true)
    expect(session?.sameSite).toBe('Lax')
    const page = await t.app.inject({ method: 'GET', url: '/my/account', headers: { cookie } })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('陈晓燕')
    expect(page.body).toContain('445103********0029')
    expect(page.body).not.toContain('445103198503120029')
    expect(page.body).toContain('138****0001')
  })

  it('logs a citizen in with the mobile number, typed with spaces and +86', async () => {
    const { res } = await login('+86 138 0000 0002', DEMO_PASSWORD)
    expect(res.statusCode).toBe(303)
  })

  it('logs staff in with their user name and shows department and roles', async () => {
    const { res, cookie } = await login('window01', DEMO_PASSWORD)
    expect(res.statusCode).toBe(303)
    const page = await t.app.inject({ method: 'GET', url: '/my/account', headers: { cookie } })
    expect(page.body).toContain('潮州市潮安区市场监督管理局')
    expect(page.body).toContain('窗口受理人员')
  })

  it('gives the same answer for an unknown account and a wrong password', async () => {
    const unknown = await login('nobody-here', 'Whatever@2026x', '10.0.1.1')
    const wrong = await login('review01', 'Whatever@2026x', '10.0.1.2')
    expect(unknown.res.statusCode).toBe(401)
    expect(wrong.res.statusCode).toBe(401)
    const message = (body: string) => /<a href="#f-account">([^<]+)<\/a>/.exec(body)?.[1]
    expect(message(unknown.res.body)).toBeDefined()
    expect(message(unknown.res.body)).toBe(message(wrong.res.body))
    // what was typed is kept, the password is not
    expect(wrong.res.body).toContain('value="review01"')
    expect(wrong.res.body).not.toContain('Whatever@2026x')
  })

  it('locks the account for 30 minutes after 5 failures, with the same answer', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await login('approve02', 'Wrong-password-1', `10.0.2.${i}`)
      expect(r.res.statusCode).toBe(401)
    }
    const locked = await login('approve02', DEMO_PASSWORD, '10.0.2.9')
    expect(locked.res.statusCode).toBe(401)
    t.clock.advance(31 * 60_000)
    const later = await login('approve02', DEMO_PASSWORD, '10.0.2.10')
    expect(later.res.statusCode).toBe(303)

    const account = await t.db
      .selectFrom('accounts')
      .select('id')
      .where('loginName', '=', 'approve02')
      .executeTakeFirstOrThrow()
    const audit = await listAudit(t.db, { objectType: 'account', objectId: account.id })
    const actions = audit.entries.map((e) => `${e.action}:${e.outcome}`).reverse()
    expect(actions).toEqual([
      ...Array(5).fill('identity.login:failure'),
      'identity.lock:success',
      'identity.login:failure',
      'identity.login:success',
    ])
    expect((await verifyAuditChain(t.db)).ok).toBe(true)
  })

  it('answers 429 to more than 20 attempts a minute from one address', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 22; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/session',
        remoteAddress: '10.9.9.9',
        payload: { account: 'nobody', password: 'x' },
      })
      statuses.push(res.statusCode)
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true)
    expect(statuses.at(-1)).toBe(429)
  })
})

describe('sessions', () => {
  it('a citizen session ends after 30 idle minutes', async () => {
    const { cookie } = await login('445103196208150031', DEMO_PASSWORD, '10.1.0.1')
    t.clock.advance(29 * 60_000)
    expect((await t.app.inject({ method: 'GET', url: '/my/account', headers: { cookie } })).statusCode).toBe(200)
    t.clock.advance(29 * 60_000) // active 29 min ago: still alive
    expect((await t.app.inject({ method: 'GET', url: '/my/account', headers: { cookie } })).statusCode).toBe(200)
    t.clock.advance(31 * 60_000)
    const expired = await t.app.inject({ method: 'GET', url: '/my/account', headers: { cookie } })
    expect(expired.statusCode).toBe(303)
    expect(expired.headers.location).toBe('/login?next=%2Fmy%2Faccount')
  })

  it('a staff session ends after 15 idle minutes', async () => {
    const { cookie } = await login('review01', DEMO_PASSWORD, '10.1.0.2')
    t.clock.advance(16 * 60_000)
    const res = await t.app.inject({ method: 'GET', url: '/my/account', headers: { cookie } })
    expect(res.statusCode).toBe(303)
  })

  it('a staff session ends after 8 hours however active', async () => {
    const { cookie } = await login('items01', DEMO_PASSWORD, '10.1.0.3')
    for (let i = 0; i < 8 * 6; i++) {
      t.clock.advance(10 * 60_000)
      const res = await t.app.inject({ method: 'GET', url: '/my/account', headers: { cookie } })
      if (i < 47) expect(res.statusCode).toBe(200)
      else expect(res.statusCode).toBe(303)
    }
  })

  it('logout ends the session on the server', async () => {
    const { cookie } = await login('catalog01', DEMO_PASSWORD, '10.1.0.4')
    const { token } = await formSession(t.app, '/my/account', cookie)
    const out = await t.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      payload: form({ _csrf: token }),
    })
    expect(out.statusCode).toBe(303)
    // the old cookie no longer works even if the browser kept it
    const res = await t.app.inject({ method: 'GET', url: '/my/account', headers: { cookie } })
    expect(res.statusCode).toBe(303)
  })
})

describe('seed', () => {
  it('is idempotent', async () => {
    const count = async () =>
      Promise.all(
        (['areas', 'departments', 'servicePoints', 'persons', 'accounts', 'staff', 'staffRoles'] as const).map(
          async (table) =>
            Number(
              (
                await t.db
                  .selectFrom(table)
                  .select((eb) => eb.fn.countAll().as('n'))
                  .executeTakeFirstOrThrow()
              ).n,
            ),
        ),
      )
    const before = await count()
    const report = await runSeed(t.modules, { print: false })
    expect(await count()).toEqual(before)
    expect(report.announcements).toEqual([])
    expect(before[1]).toBeGreaterThanOrEqual(20)
  })

  it('stores ID numbers and phones only encrypted', async () => {
    const person = await t.db.selectFrom('persons').selectAll().executeTakeFirstOrThrow()
    expect(person.idNumberEnc).not.toContain('4451031')
    expect(person.idNumberEnc).toMatch(/^[\w-]+:[A-Za-z0-9+/=]+$/)
    expect(t.deps.fieldCrypto.decrypt(person.idNumberEnc)).toMatch(/^445103\d{11}[\dX]$/)
  })
})
