/**
 * Single sign-on end to end: the app listens on a real port and the test plays a department
 * system (openid-client) and a person's browser (fetch with a cookie jar, redirects by hand).
 */
import { createHash } from 'node:crypto'
import net from 'node:net'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp, testConfig } from '../../../test/helpers.js'
import { buildApp } from '../../app.js'
import { createDeps, createModules } from '../../composition.js'
import { listAudit, verifyAuditChain } from '../../platform/audit/audit.js'
import { systemClock } from '../../platform/clock.js'
import { runSeed } from '../../seed.js'
import { DEMO_PASSWORD } from '../identity/identity.seed-data.js'
import { accountClaims } from '../identity/index.js'
import { DEMO_CLIENT_ID, DEMO_PUBLIC_CLIENT_ID, DEMO_REDIRECT_URI } from './index.js'
import { registerClient } from './sso.service.js'

const CITIZEN = '445103198503120029'
const RP = 'http://127.0.0.1:8765'

/** A browser: keeps cookies, never follows redirects by itself. */
class Browser {
  private readonly jar = new Map<string, string>()
  constructor(private readonly base: string) {}

  async go(
    url: string,
    init: { method?: 'GET' | 'POST'; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ) {
    const res = await fetch(new URL(url, this.base), {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    })
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const name = pair.slice(0, pair.indexOf('=')).trim()
      const value = pair.slice(pair.indexOf('=') + 1).trim()
      const gone = value === '' || attributes.some((a) => /^\s*(max-age=0|expires=Thu, 01 Jan 1970)/i.test(a))
      if (gone) this.jar.delete(name)
      else this.jar.set(name, value)
    }
    return {
      status: res.status,
      location: res.headers.get('location') ?? undefined,
      body: await res.text(),
      headers: res.headers,
    }
  }
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''
const decode = (html: string) => html.replaceAll('&amp;', '&')

interface Journey {
  /** Where the browser was finally sent (the department system's callback), or undefined. */
  callback?: string
  consentPage?: string
  pages: string[]
}

/**
 * Follows an authorization request the way a browser would: logs in when sent to /login,
 * answers the consent page with `decision`, follows the continue page.
 */
async function authorize(browser: Browser, url: string, decision: 'approve' | 'deny' = 'approve'): Promise<Journey> {
  const journey: Journey = { pages: [] }
  let next: { url: string; form?: Record<string, string> } | undefined = { url }
  for (let step = 0; next && step < 20; step++) {
    const res = await browser.go(next.url, next.form ? { form: next.form } : {})
    next = undefined
    if (res.location?.startsWith(RP)) {
      journey.callback = res.location
      break
    }
    if (res.status === 303 || res.status === 302) {
      next = { url: res.location! }
      continue
    }
    if (res.status !== 200) throw new Error(`unexpected ${res.status} at step ${step}: ${res.body.slice(0, 300)}`)
    journey.pages.push(res.body)
    const action = [...res.body.matchAll(/<form action="([^"]+)" method="post"/g)]
      .map((m) => m[1])
      .find((a) => a?.endsWith('/confirm'))
    if (/name="password"/.test(res.body)) {
      const nextField = decode(/name="next" value="([^"]*)"/.exec(res.body)?.[1] ?? '')
      next = {
        url: '/login',
        form: { _csrf: csrfOf(res.body), account: CITIZEN, password: DEMO_PASSWORD, next: nextField },
      }
    } else if (action?.endsWith('/confirm')) {
      journey.consentPage = res.body
      next = { url: action, form: { _csrf: csrfOf(res.body), decision } }
    } else if (res.headers.get('refresh')) {
      next = { url: res.headers.get('refresh')!.replace(/^0;url=/, '') }
    } else {
      throw new Error(`a page the journey does not know: ${res.body.slice(0, 300)}`)
    }
  }
  return journey
}

let t: TestApp
let base: string
let issuer: URL
let demoSecret: string

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

beforeAll(async () => {
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  issuer = new URL(`${base}/oidc`)
  // oidc-provider keeps time with the system clock; the platform's sessions must agree with it.
  t = await buildTestApp({ env: { BASE_URL: base }, deps: { clock: systemClock } })
  const report = await runSeed(t.modules, { print: false })
  demoSecret = /demo-department-system（机密客户端）密钥：(\S+)/.exec(report.announcements.join('\n'))?.[1] ?? ''
  await t.app.listen({ port, host: '127.0.0.1' })
})
afterAll(async () => t?.close())

const insecure = { execute: [oidc.allowInsecureRequests] }

async function demoConfig(secret = demoSecret) {
  return oidc.discovery(issuer, DEMO_CLIENT_ID, secret, oidc.ClientSecretBasic(secret), insecure)
}

async function startLogin(config: oidc.Configuration, scope: string, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: DEMO_REDIRECT_URI,
    scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  })
  return { url: url.href, verifier, state }
}

describe('discovery', () => {
  it('publishes the issuer <BASE_URL>/oidc with its endpoints and keys', async () => {
    const res = await fetch(`${base}/oidc/.well-known/openid-configuration`)
    expect(res.status).toBe(200)
    const doc = await res.json()
    expect(doc.issuer).toBe(`${base}/oidc`)
    expect(doc.token_endpoint).toBe(`${base}/oidc/token`)
    expect(doc.end_session_endpoint).toBe(`${base}/oidc/session/end`)
    expect(doc.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'idnumber', 'phone', 'department']),
    )
    expect(doc.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'none'])
    const jwks = await (await fetch(doc.jwks_uri)).json()
    expect(jwks.keys.map((k: { alg: string }) => k.alg).sort()).toEqual(['ES256', 'RS256'])
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/)
    // the private halves are stored encrypted
    const stored = await t.db.selectFrom('oidcKeys').selectAll().execute()
    expect(stored).toHaveLength(2)
    for (const key of stored) expect(key.privateJwkEnc).not.toContain('"d"')
  })
})

describe('a department system signs a citizen in (authorization code + PKCE)', () => {
  it('logs in through the platform, gets tokens and masked claims, refreshes, and logs out everywhere', async () => {
    const config = await demoConfig()
    const browser = new Browser(base)
    // offline_access (a refresh token) needs prompt=consent (OpenID Connect Core §11)
    const login = await startLogin(config, 'openid profile department offline_access', { prompt: 'consent' })
    const journey = await authorize(browser, login.url)
    expect(journey.consentPage).toContain('保持授权')
    expect(journey.callback).toMatch(/^http:\/\/127\.0\.0\.1:8765\/callback\?code=/)

    const tokens = await oidc.authorizationCodeGrant(config, new URL(journey.callback!), {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
    })
    const idToken = tokens.claims()!
    const account = await t.db
      .selectFrom('accounts')
      .innerJoin('persons', 'persons.id', 'accounts.personId')
      .select(['accounts.id'])
      .where('persons.name', '=', '陈晓燕')
      .executeTakeFirstOrThrow()
    expect(idToken.sub).toBe(account.id)
    expect(idToken.iss).toBe(`${base}/oidc`)
    expect(tokens.refresh_token).toBeTruthy()

    const info = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)
    expect(info).toMatchObject({
      sub: account.id,
      name: '陈晓燕',
      account_type: 'person',
      assurance_level: 2,
      id_number_masked: '445103********0029',
    })
    expect(info.id_number).toBeUndefined()
    expect(info.phone_number_masked).toBeUndefined() // the phone scope was not asked for
    expect(JSON.stringify(info)).not.toContain(CITIZEN)

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    expect(refreshed.access_token).not.toBe(tokens.access_token)
    expect((await oidc.fetchUserInfo(config, refreshed.access_token, idToken.sub)).name).toBe('陈晓燕')

    // The platform session is live...
    expect((await browser.go('/my/account')).status).toBe(200)
    // ...until the department system logs the person out (RP-initiated logout).
    const endUrl = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: `${RP}/`,
      state: 'bye',
    })
    const confirm = await browser.go(endUrl.href)
    expect(confirm.status).toBe(200)
    expect(confirm.body).toContain('「区市场监管业务系统（演示）」请求退出登录')
    // the confirmation form may send the browser on to the system's return address
    expect(confirm.headers.get('content-security-policy')).toContain(`form-action 'self' ${RP}`)
    const action = decode(/<form method="post" action="([^"]+)"/.exec(confirm.body)?.[1] ?? '')
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)?.[1] ?? ''
    const done = await browser.go(action, { form: { xsrf, logout: 'yes' } })
    expect(done.status).toBe(303)
    expect(done.location).toBe(`${RP}/?state=bye`)

    const account2 = await browser.go('/my/account')
    expect(account2.status).toBe(303)
    expect(account2.location).toMatch(/^\/login\?next=/)

    // The tokens of that login no longer work (offline_access keeps only the refresh token's grant).
    const audit = await listAudit(t.db, { actorId: undefined, limit: 50 })
    const actions = audit.entries.map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['sso.login', 'sso.logout', 'identity.logout']))
    const ssoLogin = audit.entries.find((e) => e.action === 'sso.login')
    expect(ssoLogin?.objectId).toBe(DEMO_CLIENT_ID)
    expect((await verifyAuditChain(t.db)).ok).toBe(true)
  })

  it('asks for a login again once the platform session has ended (prompt=none says login_required)', async () => {
    const config = await demoConfig()
    const browser = new Browser(base)
    const first = await startLogin(config, 'openid profile')
    const journey = await authorize(browser, first.url)
    // the district's own department system asks no consent for these scopes; after the login
    // form the way back starts from a page (see sso.routes.ts)
    expect(journey.consentPage).toBeUndefined()
    expect(journey.pages.some((p) => p.includes('正在返回「区市场监管业务系统（演示）」'))).toBe(true)
    expect(journey.callback).toContain('code=')
    // a second system signs the person in without a login form: the SSO session is there
    const browserCookiesAlreadyThere = await browser.go((await startLogin(config, 'openid')).url, {
      headers: { 'sec-fetch-site': 'cross-site' },
    })
    expect(browserCookiesAlreadyThere.location).toMatch(/^http:\/\/127\.0\.0\.1:8765\/callback\?code=/)
    // response_mode=form_post: the auto-posting page may post to the system (and run its one script)
    const posted = await browser.go((await startLogin(config, 'openid', { response_mode: 'form_post' })).url)
    expect(posted.status).toBe(200)
    expect(posted.body).toContain(`action="${DEMO_REDIRECT_URI}"`)
    const csp = posted.headers.get('content-security-policy') ?? ''
    expect(csp).toContain(`form-action 'self' ${RP}`)
    expect(csp).toMatch(/script-src 'self' 'sha256-/)
    // log out of the platform itself
    const account = await browser.go('/my/account')
    await browser.go('/logout', { form: { _csrf: csrfOf(account.body) } })
    const silent = await startLogin(config, 'openid profile', { prompt: 'none' })
    const res = await browser.go(silent.url)
    expect(res.status).toBe(303)
    expect(res.location).toContain('error=login_required')
  })
})

describe('consent, sensitive data and public clients', () => {
  it('a public client must use PKCE', async () => {
    const res = await fetch(
      `${base}/oidc/auth?client_id=${DEMO_PUBLIC_CLIENT_ID}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(DEMO_REDIRECT_URI)}&state=s1`,
      { redirect: 'manual' },
    )
    expect(res.status).toBe(303)
    const location = new URL(res.headers.get('location')!)
    expect(location.origin + location.pathname).toBe(DEMO_REDIRECT_URI)
    expect(location.searchParams.get('error')).toBe('invalid_request')
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/)
  })

  it('a public client asks the person’s consent, and a refusal goes back as access_denied', async () => {
    const config = await oidc.discovery(issuer, DEMO_PUBLIC_CLIENT_ID, undefined, oidc.None(), insecure)
    const browser = new Browser(base)
    const refused = await authorize(browser, (await startLogin(config, 'openid profile phone')).url, 'deny')
    expect(refused.consentPage).toContain('「掌上办事演示应用（公开客户端）」请求使用您的信息')
    expect(refused.consentPage).toContain('手机号码')
    expect(new URL(refused.callback!).searchParams.get('error')).toBe('access_denied')

    const login = await startLogin(config, 'openid profile phone')
    const journey = await authorize(browser, login.url, 'approve')
    expect(journey.consentPage).toBeDefined()
    const tokens = await oidc.authorizationCodeGrant(config, new URL(journey.callback!), {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
    })
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)
    expect(info.phone_number_masked).toBe('138****0001')
    expect(info.id_number_masked).toBe('445103********0029')

    // the consent is remembered: the next login asks nothing
    const again = await authorize(browser, (await startLogin(config, 'openid profile phone')).url)
    expect(again.consentPage).toBeUndefined()
    expect(again.callback).toContain('code=')

    // acting for an enterprise on the platform, the person signs in for it: the system learns which
    const enterprise = await t.db
      .selectFrom('enterprises')
      .select('id')
      .where('creditCode', '=', '92445103MA5CN7QH4E')
      .executeTakeFirstOrThrow()
    await t.db
      .updateTable('sessions')
      .set({ actingEnterpriseId: enterprise.id })
      .where('accountId', '=', tokens.claims()!.sub)
      .where('endedAt', 'is', null)
      .execute()
    const acting = await startLogin(config, 'openid profile')
    const actingJourney = await authorize(browser, acting.url)
    const actingTokens = await oidc.authorizationCodeGrant(config, new URL(actingJourney.callback!), {
      pkceCodeVerifier: acting.verifier,
      expectedState: acting.state,
    })
    const actingInfo = await oidc.fetchUserInfo(config, actingTokens.access_token, tokens.claims()!.sub)
    expect(actingInfo.enterprise_id).toBe(enterprise.id)
    expect(info.enterprise_id).toBeUndefined()

    const consents = await listAudit(t.db, { action: 'sso.consent' })
    expect(consents.entries.map((e) => e.outcome)).toContain('denied')
  })

  it('releases the full ID number only to a system allowed it, with consent, and audits it', async () => {
    const { secret } = await registerClient(t.deps, undefined, {
      clientId: 'gaj-household',
      name: '户政业务系统',
      departmentId: '',
      authMethod: 'client_secret_post',
      redirectUris: DEMO_REDIRECT_URI,
      postLogoutRedirectUris: '',
      scopes: ['openid', 'profile', 'idnumber'],
      grantTypes: ['authorization_code'],
      fullIdNumberAllowed: true,
    })
    const config = await oidc.discovery(issuer, 'gaj-household', secret!, oidc.ClientSecretPost(secret!), insecure)
    const browser = new Browser(base)
    const login = await startLogin(config, 'openid profile idnumber')
    const journey = await authorize(browser, login.url)
    expect(journey.consentPage).toContain('身份证号码')
    const tokens = await oidc.authorizationCodeGrant(config, new URL(journey.callback!), {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
    })
    expect(JSON.stringify(tokens.claims())).not.toContain(CITIZEN) // never inside the ID token
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)
    expect(info.id_number).toBe(CITIZEN)
    const released = await listAudit(t.db, { action: 'sso.id_number_release' })
    expect(released.entries[0]?.objectId).toBe('gaj-household')
    expect(JSON.stringify(released.entries)).not.toContain(CITIZEN)
  })
})

describe('system-to-system calls and refusals', () => {
  it('issues a client-credentials token with the allowed scope, visible to introspection', async () => {
    const config = await demoConfig()
    const token = await oidc.clientCredentialsGrant(config, { scope: 'api:data-exchange api:not-a-scope' })
    expect(token.scope).toBe('api:data-exchange')
    const introspected = await oidc.tokenIntrospection(config, token.access_token)
    expect(introspected).toMatchObject({ active: true, client_id: DEMO_CLIENT_ID, scope: 'api:data-exchange' })
    const audit = await listAudit(t.db, { action: 'sso.client_token' })
    expect(audit.entries[0]?.details).toMatchObject({ scope: 'api:data-exchange' })
  })

  it('refuses a wrong client secret', async () => {
    const config = await demoConfig('not-the-secret')
    const refused = await oidc.clientCredentialsGrant(config, { scope: 'api:data-exchange' }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ status: 401, cause: [{ parameters: { error: 'invalid_client' } }] })
  })

  it('refuses a scope the system is not allowed', async () => {
    const config = await oidc.discovery(issuer, DEMO_PUBLIC_CLIENT_ID, undefined, oidc.None(), insecure)
    const res = await fetch(
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: DEMO_REDIRECT_URI,
        scope: 'openid idnumber',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      }),
      { redirect: 'manual' },
    )
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_scope')
  })

  it('refuses an unregistered redirect_uri with a page, not a redirect', async () => {
    const res = await fetch(
      `${base}/oidc/auth?client_id=${DEMO_CLIENT_ID}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
      { redirect: 'manual' },
    )
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    const html = await res.text()
    expect(html).toContain('回调地址没有登记')
    expect(html).toContain('<html lang="zh-CN"')
  })

  it('answers an unknown or expired interaction with a page', async () => {
    const res = await fetch(`${base}/oidc/interaction/abcdefghijklmnop`, { redirect: 'manual' })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(await res.text()).toContain('这次登录请求已经过期或无效')
  })
})

describe('claims of staff', () => {
  it('give the department, its name and the role codes', async () => {
    const account = await t.db
      .selectFrom('accounts')
      .select('id')
      .where('loginName', '=', 'window01')
      .executeTakeFirstOrThrow()
    const claims = await accountClaims(t.deps, account.id, { fullIdNumber: false })
    expect(claims).toMatchObject({
      sub: account.id,
      account_type: 'staff',
      name: '郑晓玲',
      assurance_level: 3,
      department_name: '潮州市潮安区市场监督管理局',
      roles: ['window_clerk'],
    })
    expect(claims?.department_id).toBeTruthy()
  })
})

describe('while the database is down', () => {
  it('the app still starts, and the provider answers 503 until the database is back', async () => {
    const config = testConfig({ dialect: 'postgres', url: 'postgres://postgres@127.0.0.1:1/nowhere', poolSize: 1 })
    const deps = createDeps(config)
    const app = await buildApp(deps, createModules(deps))
    try {
      const res = await app.inject({ method: 'GET', url: '/oidc/.well-known/openid-configuration' })
      expect(res.statusCode).toBe(503)
      expect(res.json().error.code).toBe('SERVICE_UNAVAILABLE')
    } finally {
      await app.close()
      await deps.db.destroy()
    }
  })
})

describe('storage', () => {
  it('keeps the client secret encrypted, with its SHA-256 as fingerprint', async () => {
    const row = await t.db
      .selectFrom('oidcClients')
      .selectAll()
      .where('clientId', '=', DEMO_CLIENT_ID)
      .executeTakeFirstOrThrow()
    expect(row.secretEnc).not.toContain(demoSecret)
    expect(t.deps.fieldCrypto.decrypt(row.secretEnc!)).toBe(demoSecret)
    expect(row.secretSha256).toBe(createHash('sha256').update(demoSecret).digest('hex'))
  })

  it('keeps oidc-provider state in oidc_models', async () => {
    const kinds = await t.db.selectFrom('oidcModels').select('kind').distinct().execute()
    expect(kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(['Session', 'Grant', 'RefreshToken']))
  })
})
