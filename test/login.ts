/**
 * Logging in from tests as a browser would. Staff logins go through TOTP enrolment (the first
 * time in a test process) or verification.
 */
import type { FastifyInstance } from 'fastify'
import { totpCode } from '../src/modules/identity/identity.factors.js'
import { DEMO_PASSWORD } from '../src/modules/identity/identity.seed-data.js'
import type { TestClock } from '../src/platform/clock.js'
import { cookiesOf, form, formSession } from './helpers.js'

/** TOTP secrets the tests enrolled, by login name, so later logins can compute codes. */
const secrets = new Map<string, string>()

export interface TestLogin {
  cookie: string
  status: number
  location?: string
  body: string
}

async function post(app: FastifyInstance, url: string, cookie: string, fields: Record<string, string>, ip: string) {
  const { token, cookie: withCsrf } = await formSession(app, '/login', cookie)
  const res = await app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: withCsrf },
    payload: form({ _csrf: token, ...fields }),
  })
  return { res, cookie: cookiesOf(res, withCsrf) }
}

/** Password login; for staff also enrols or verifies TOTP. Returns the session cookie header. */
export async function loginAs(
  app: FastifyInstance,
  clock: TestClock,
  account: string,
  options: { password?: string; ip?: string; next?: string } = {},
): Promise<TestLogin> {
  const ip = options.ip ?? `10.${Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 200)}.1`
  const first = await post(
    app,
    '/login',
    '',
    { account, password: options.password ?? DEMO_PASSWORD, next: options.next ?? '' },
    ip,
  )
  const location = first.res.headers.location as string | undefined
  if (first.res.statusCode !== 303 || !location?.startsWith('/login/')) {
    return { cookie: first.cookie, status: first.res.statusCode, location, body: first.res.body }
  }
  let cookie = first.cookie
  if (location === '/login/totp-setup') {
    const setup = await app.inject({ method: 'GET', url: '/login/totp-setup', headers: { cookie } })
    const secret = /<span class="secret">([A-Z2-7]+)<\/span>/.exec(setup.body)?.[1]
    if (!secret) throw new Error(`no TOTP secret on the enrolment page (status ${setup.statusCode})`)
    secrets.set(account, secret)
    const done = await post(app, '/login/totp-setup', cookie, { code: totpCode(secret, clock.now()) }, ip)
    return { cookie: done.cookie, status: done.res.statusCode, body: done.res.body }
  }
  const secret = secrets.get(account)
  if (!secret) throw new Error(`${account} has TOTP but this test process never enrolled it`)
  // A code works once (replay protection): step the test clock to the next 30-second window,
  // as a person would wait for the next code.
  clock.advance(30_000)
  const code = totpCode(secret, clock.now())
  const done = await post(app, '/login/second-factor', cookie, { code }, ip)
  cookie = done.cookie
  return {
    cookie,
    status: done.res.statusCode,
    location: done.res.headers.location as string | undefined,
    body: done.res.body,
  }
}

export function enrolledSecret(account: string): string | undefined {
  return secrets.get(account)
}
