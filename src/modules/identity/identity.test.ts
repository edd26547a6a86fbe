import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, cookiesOf, form, formSession, type TestApp } from '../../../test/helpers.js'
import { enrolledSecret, loginAs } from '../../../test/login.js'
import { listAudit, verifyAuditChain } from '../../platform/audit/audit.js'
import type { DevSmsGateway } from '../../platform/sms.js'
import { runSeed } from '../../seed.js'
import { totpCode } from './identity.factors.js'
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

async function postForm(url: string, cookie: string, fields: Record<string, string>, ip = '10.5.0.1') {
  const session = await formSession(t.app, '/login', cookie)
  const res = await t.app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
    payload: form({ _csrf: session.token, ...fields }),
  })
  return { res, cookie: cookiesOf(res, session.cookie) }
}

const page = (url: string, cookie: string) => t.app.inject({ method: 'GET', url, headers: { cookie } })

async function latestSms(): Promise<string> {
  const [message] = await (t.deps.sms as DevSmsGateway).recent(1)
  const code = message ? /(\d{6})/.exec(message.body)?.[1] : undefined
  if (!code) throw new Error('no SMS code sent')
  return code
}

describe('POST /login', () => {
  it('logs a citizen in with the ID number and shows the masked account', async () => {
    const { res, cookie } = await login('445103198503120029', DEMO_PASSWORD)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/my/account')
    const session = res.cookies.find((c) => c.name === 'yw_session')
    expect(session?.httpOnly).toBe(true)
    expect(session?.sameSite).toBe('Lax')
    const account = await page('/my/account', cookie)
    expect(account.statusCode).toBe(200)
    expect(account.body).toContain('陈晓燕')
    expect(account.body).toContain('445103********0029')
    expect(account.body).not.toContain('445103198503120029')
    expect(account.body).toContain('138****0001')
  })

  it('logs a citizen in with the mobile number, typed with spaces and +86', async () => {
    const { res } = await login('+86 138 0000 0002', DEMO_PASSWORD)
    expect(res.statusCode).toBe(303)
  })

  it('gives the same answer for an unknown account and a wrong password', async () => {
    const unknown = await login('nobody-here', 'Whatever@2026x', '10.0.1.1')
    const wrong = await login('review01', 'Whatever@2026x', '10.0.1.2')
    expect(unknown.res.statusCode).toBe(401)
    expect(wrong.res.statusCode).toBe(401)
    const message = (body: string) => /<a href="#f-account">([^<]+)<\/a>/.exec(body)?.[1]
    expect(message(unknown.res.body)).toBeDefined()
    expect(message(unknown.res.body)).toBe(message(wrong.res.body))
    expect(wrong.res.body).toContain('value="review01"')
    expect(wrong.res.body).not.toContain('Whatever@2026x')
  })

  it('locks the account for 30 minutes after 5 failures, with the same answer, and audits it', async () => {
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

describe('TOTP for staff', () => {
  it('a staff password alone does not log in: the first login enrols an authenticator', async () => {
    const first = await login('window01', DEMO_PASSWORD, '10.3.0.1')
    expect(first.res.statusCode).toBe(303)
    expect(first.res.headers.location).toBe('/login/totp-setup')
    // not logged in yet
    expect((await page('/my/account', first.cookie)).statusCode).toBe(303)
    const setup = await page('/login/totp-setup', first.cookie)
    expect(setup.statusCode).toBe(200)
    expect(setup.body).toContain('<svg')
    const secret = /<span class="secret">([A-Z2-7]+)<\/span>/.exec(setup.body)?.[1]
    expect(secret).toBeDefined()
    const wrong = await postForm('/login/totp-setup', first.cookie, { code: '000000' })
    expect(wrong.res.statusCode).toBe(422)
    const done = await postForm('/login/totp-setup', first.cookie, { code: totpCode(secret!, t.clock.now()) })
    expect(done.res.statusCode).toBe(200)
    const codes = [...done.res.body.matchAll(/<li>([A-Z2-9]{5}-[A-Z2-9]{5})<\/li>/g)].map((m) => m[1])
    expect(codes).toHaveLength(10)
    const account = await page('/my/account', done.cookie)
    expect(account.statusCode).toBe(200)
    expect(account.body).toContain('潮州市潮安区市场监督管理局')
    expect(account.body).toContain('窗口受理人员')
  })

  it('later logins need the current code; a used or wrong code is refused', async () => {
    const helper = await loginAs(t.app, t.clock, 'review01')
    expect(helper.status).toBe(200) // recovery codes page after enrolment
    const secret = enrolledSecret('review01')!

    t.clock.advance(60_000)
    const again = await login('review01', DEMO_PASSWORD, '10.3.0.2')
    expect(again.res.headers.location).toBe('/login/second-factor')
    const code = totpCode(secret, t.clock.now())
    const ok = await postForm('/login/second-factor', again.cookie, { code })
    expect(ok.res.statusCode).toBe(303)
    expect((await page('/my/account', ok.cookie)).statusCode).toBe(200)

    // the same code again (replay) in another login is refused
    const third = await login('review01', DEMO_PASSWORD, '10.3.0.3')
    const replay = await postForm('/login/second-factor', third.cookie, { code })
    expect(replay.res.statusCode).toBe(422)
    expect(replay.res.body).toContain('动态验证码不正确或已使用')
  })

  it('a recovery code works once instead of the authenticator', async () => {
    const first = await login('items01', DEMO_PASSWORD, '10.3.1.1')
    const setup = await page('/login/totp-setup', first.cookie)
    const secret = /<span class="secret">([A-Z2-7]+)<\/span>/.exec(setup.body)![1]!
    const done = await postForm('/login/totp-setup', first.cookie, { code: totpCode(secret, t.clock.now()) })
    const recovery = /<li>([A-Z2-9]{5}-[A-Z2-9]{5})<\/li>/.exec(done.res.body)![1]!

    const second = await login('items01', DEMO_PASSWORD, '10.3.1.2')
    const used = await postForm('/login/second-factor', second.cookie, {
      mode: 'recovery',
      recoveryCode: recovery.toLowerCase(),
    })
    expect(used.res.statusCode).toBe(303)
    const third = await login('items01', DEMO_PASSWORD, '10.3.1.3')
    const reused = await postForm('/login/second-factor', third.cookie, { mode: 'recovery', recoveryCode: recovery })
    expect(reused.res.statusCode).toBe(422)
  })

  it('the JSON login says a second factor is needed and gives no principal yet', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      remoteAddress: '10.3.2.1',
      payload: { account: 'supervise01', password: DEMO_PASSWORD },
    })
    expect(res.json()).toEqual({ kind: 'staff', secondFactor: 'enrol' })
    const cookie = cookiesOf(res)
    const me = await t.app.inject({ method: 'GET', url: '/api/my/messages', headers: { cookie } })
    expect(me.statusCode).toBe(401)
  })
})

describe('SMS code login', () => {
  it('sends a code to a registered number and logs in with it', async () => {
    const sent = await postForm('/login/sms', '', { mobile: '13800000001', step: 'send' }, '10.4.0.1')
    expect(sent.res.statusCode).toBe(200)
    expect(sent.res.body).toContain('验证码已经发出')
    const code = await latestSms()
    const done = await postForm(
      '/login/sms',
      '',
      { mobile: '138 0000 0001', code, step: 'login', next: '/my/security' },
      '10.4.0.1',
    )
    expect(done.res.statusCode).toBe(303)
    expect(done.res.headers.location).toBe('/my/security')
    expect((await page('/my/security', done.cookie)).body).toContain('本设备')
  })

  it('answers an unregistered number the same way, without sending anything', async () => {
    const before = (await (t.deps.sms as DevSmsGateway).recent(100)).length
    const sent = await postForm('/login/sms', '', { mobile: '13912345678', step: 'send' }, '10.4.0.2')
    expect(sent.res.statusCode).toBe(200)
    expect(sent.res.body).toContain('验证码已经发出')
    expect((await (t.deps.sms as DevSmsGateway).recent(100)).length).toBe(before)
  })

  it('refuses a wrong code, a second request within a minute, and a code after five wrong tries', async () => {
    t.clock.advance(2 * 60_000)
    await postForm('/login/sms', '', { mobile: '13800000002', step: 'send' }, '10.4.0.3')
    const soon = await postForm('/login/sms', '', { mobile: '13800000002', step: 'send' }, '10.4.0.3')
    expect(soon.res.statusCode).toBe(429)
    expect(soon.res.body).toContain('秒后再重新获取')
    const code = await latestSms()
    for (let i = 0; i < 5; i++) {
      const wrong = await postForm(
        '/login/sms',
        '',
        { mobile: '13800000002', code: code === '000000' ? '111111' : '000000', step: 'login' },
        '10.4.0.4',
      )
      expect(wrong.res.statusCode).toBe(401)
    }
    const late = await postForm('/login/sms', '', { mobile: '13800000002', code, step: 'login' }, '10.4.0.5')
    expect(late.res.statusCode).toBe(401)
  })

  it('a code expires after 5 minutes', async () => {
    t.clock.advance(2 * 60_000)
    await postForm('/login/sms', '', { mobile: '13800000001', step: 'send' }, '10.4.0.6')
    const code = await latestSms()
    t.clock.advance(5 * 60_000 + 1000)
    const res = await postForm('/login/sms', '', { mobile: '13800000001', code, step: 'login' }, '10.4.0.6')
    expect(res.res.statusCode).toBe(401)
  })
})

describe('registration', () => {
  const person = { name: '郑晓丹', idNumber: '445103199207180021', mobile: '13700000009' }

  it('validates every field at once and keeps what was typed', async () => {
    const res = await postForm('/register', '', {
      name: '郑晓丹',
      idNumber: '445103199207180026',
      mobile: '12345',
      smsCode: '',
      password: 'short',
      passwordAgain: 'other',
      step: 'register',
    })
    expect(res.res.statusCode).toBe(422)
    const summary = [...res.res.body.matchAll(/<a href="#f-(\w+)">/g)].map((m) => m[1])
    expect(summary).toEqual(
      expect.arrayContaining(['idNumber', 'mobile', 'smsCode', 'password', 'passwordAgain', 'agree']),
    )
    expect(res.res.body).toContain('value="郑晓丹"')
    expect(res.res.body).not.toContain('value="short"')
  })

  it('refuses common passwords', async () => {
    const res = await postForm('/register', '', {
      ...person,
      smsCode: '123456',
      password: 'password1234',
      passwordAgain: 'password1234',
      agree: '1',
      step: 'register',
    })
    expect(res.res.body).toContain('太常见或太容易被猜到')
  })

  it('registers with an SMS code, at assurance level 1, and logs in', async () => {
    const sent = await postForm('/register', '', { ...person, step: 'send' }, '10.6.0.1')
    expect(sent.res.statusCode).toBe(200)
    expect(sent.res.body).toContain('value="445103199207180021"')
    const code = await latestSms()
    const done = await postForm(
      '/register',
      '',
      {
        ...person,
        smsCode: code,
        password: 'Chao-an river 2026!',
        passwordAgain: 'Chao-an river 2026!',
        agree: '1',
        step: 'register',
      },
      '10.6.0.1',
    )
    expect(done.res.statusCode).toBe(303)
    const account = await page('/my/account', done.cookie)
    expect(account.body).toContain('郑晓丹')
    expect(account.body).toContain('一级（本人注册）')
    const again = await login('13700000009', 'Chao-an river 2026!', '10.6.0.2')
    expect(again.res.statusCode).toBe(303)
  })

  it('refuses a second registration of the same ID number', async () => {
    t.clock.advance(2 * 60_000)
    await postForm('/register', '', { ...person, mobile: '13700000010', step: 'send' }, '10.6.0.3')
    const code = await latestSms()
    const res = await postForm(
      '/register',
      '',
      {
        ...person,
        mobile: '13700000010',
        smsCode: code,
        password: 'Chao-an river 2026!',
        passwordAgain: 'Chao-an river 2026!',
        agree: '1',
        step: 'register',
      },
      '10.6.0.3',
    )
    expect(res.res.statusCode).toBe(409)
    expect(res.res.body).toContain('已经注册')
  })
})

describe('sessions', () => {
  it('a citizen session ends after 30 idle minutes', async () => {
    const { cookie } = await login('445103196208150031', DEMO_PASSWORD, '10.1.0.1')
    t.clock.advance(29 * 60_000)
    expect((await page('/my/account', cookie)).statusCode).toBe(200)
    t.clock.advance(29 * 60_000)
    expect((await page('/my/account', cookie)).statusCode).toBe(200)
    t.clock.advance(31 * 60_000)
    const expired = await page('/my/account', cookie)
    expect(expired.statusCode).toBe(303)
    expect(expired.headers.location).toBe('/login?next=%2Fmy%2Faccount')
  })

  it('a staff session ends after 15 idle minutes', async () => {
    const { cookie } = await loginAs(t.app, t.clock, 'catalog01')
    t.clock.advance(16 * 60_000)
    expect((await page('/my/account', cookie)).statusCode).toBe(303)
  })

  it('a staff session ends after 8 hours however active', async () => {
    const { cookie } = await loginAs(t.app, t.clock, 'agent01')
    for (let i = 0; i < 8 * 6; i++) {
      t.clock.advance(10 * 60_000)
      const res = await page('/my/account', cookie)
      if (i < 47) expect(res.statusCode).toBe(200)
      else expect(res.statusCode).toBe(303)
    }
  })

  it('lists my devices; I can end another one, or all of them', async () => {
    const a = await login('445103198503120029', DEMO_PASSWORD, '10.7.0.1')
    const b = await login('13800000001', DEMO_PASSWORD, '10.7.0.2')
    const security = await page('/my/security', a.cookie)
    const ids = [...security.body.matchAll(/action="\/my\/sessions\/([0-9a-f]{64})\/end"/g)].map((m) => m[1]!)
    expect(ids.length).toBeGreaterThanOrEqual(1)
    for (const id of ids) await postForm(`/my/sessions/${id}/end`, a.cookie, {})
    expect((await page('/my/account', b.cookie)).statusCode).toBe(303) // the other device is out
    expect((await page('/my/account', a.cookie)).statusCode).toBe(200) // this one is not

    const c = await login('13800000001', DEMO_PASSWORD, '10.7.0.3')
    const all = await postForm('/my/sessions/end-all', a.cookie, {})
    expect(all.res.statusCode).toBe(200)
    expect((await page('/my/account', a.cookie)).statusCode).toBe(303)
    expect((await page('/my/account', c.cookie)).statusCode).toBe(303)
  })

  it('ending a session that is not mine is refused', async () => {
    const mine = await login('445103196208150031', DEMO_PASSWORD, '10.7.1.1')
    const other = await login('445103198503120029', DEMO_PASSWORD, '10.7.1.2')
    const security = await page('/my/security', other.cookie)
    expect(security.statusCode).toBe(200)
    const otherSession = await t.db
      .selectFrom('sessions')
      .innerJoin('accounts', 'accounts.id', 'sessions.accountId')
      .innerJoin('persons', 'persons.id', 'accounts.personId')
      .select('sessions.id')
      .where('persons.name', '=', '陈晓燕')
      .where('sessions.endedAt', 'is', null)
      .executeTakeFirstOrThrow()
    const res = await postForm(`/my/sessions/${otherSession.id}/end`, mine.cookie, {})
    expect(res.res.statusCode).toBe(404)
    expect((await page('/my/account', other.cookie)).statusCode).toBe(200)
  })

  it('logout ends the session on the server', async () => {
    const { cookie } = await login('445103196208150031', DEMO_PASSWORD, '10.1.0.4')
    const out = await postForm('/logout', cookie, {})
    expect(out.res.statusCode).toBe(303)
    expect((await page('/my/account', cookie)).statusCode).toBe(303)
  })
})

describe('passwords', () => {
  it('staff must change a password older than 90 days before doing anything else', async () => {
    const { cookie } = await loginAs(t.app, t.clock, 'window02')
    await t.db
      .updateTable('accounts')
      .set({ passwordChangedAt: new Date(t.clock.now().getTime() - 91 * 24 * 3600_000).toISOString() })
      .where('loginName', '=', 'window02')
      .execute()
    const blocked = await page('/my/account', cookie)
    expect(blocked.statusCode).toBe(303)
    expect(blocked.headers.location).toBe('/my/password')
    const api = await t.app.inject({ method: 'GET', url: '/api/my/messages', headers: { cookie } })
    expect(api.statusCode).toBe(403)
    expect(api.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED')
    expect((await page('/my/password', cookie)).body).toContain('超过 90 天')

    const weak = await postForm('/my/password', cookie, {
      current: DEMO_PASSWORD,
      next: 'alllowercaseletters',
      nextAgain: 'alllowercaseletters',
    })
    expect(weak.res.body).toContain('至少 3 类')
    const done = await postForm('/my/password', cookie, {
      current: DEMO_PASSWORD,
      next: 'Window-02 new key!',
      nextAgain: 'Window-02 new key!',
    })
    expect(done.res.statusCode).toBe(200)
    expect((await page('/my/account', cookie)).statusCode).toBe(200)
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
