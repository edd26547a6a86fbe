import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, createTestDatabase, form, formSession, type TestApp, testConfig } from '../../../test/helpers.js'
import { buildApp } from '../../app.js'
import { createDeps, createModules } from '../../composition.js'
import { transaction } from '../db/database.js'
import { DomainError } from './errors.js'
import { newCsrfSecret } from './security.js'

let t: TestApp

/** A module with routes that exercise the error handling, registered only in this test. */
function probeModule() {
  return {
    name: 'probe',
    register: (app: FastifyInstance) => {
      app.post(
        '/api/probe',
        {
          schema: {
            body: Type.Object({
              name: Type.String({ minLength: 2, maxLength: 10 }),
              age: Type.Integer({ minimum: 0 }),
              kind: Type.Union([Type.Literal('a'), Type.Literal('b')]),
            }),
          },
          config: { policy: { public: true } },
        },
        async () => ({ ok: true }),
      )
      app.post('/api/probe/half-write', { config: { policy: { public: true } } }, async () => {
        await transaction(t.db, async (trx) => {
          await trx
            .insertInto('areas')
            .values({
              id: 'probe',
              name: '半截写入',
              level: 'town',
              codeConfirmed: 0,
              sortOrder: 0,
              updatedAt: '2026-01-01T00:00:00.000Z',
            } as never)
            .execute()
          throw new Error('boom after the first write')
        })
      })
      app.get('/api/probe/domain', { config: { policy: { public: true } } }, async () => {
        throw new DomainError('PROBE_CONFLICT', 'conflict', '办件 X 当前状态为「已办结」，不能提交')
      })
      app.get('/probe/page-error', { config: { policy: { public: true } } }, async () => {
        throw new DomainError('PROBE_CONFLICT', 'conflict', '当前状态不允许')
      })
      app.get('/api/probe/crash', { config: { policy: { public: true } } }, async () => {
        throw new Error('secret internal detail at /srv/app.ts:42')
      })
    },
  }
}

beforeAll(async () => {
  t = await buildTestApp()
  // rebuild with the probe module added
  await t.app.close()
  t.modules.push(probeModule())
  t.app = await buildApp(t.deps, t.modules)
})
afterAll(async () => t.close())

describe('GET /', () => {
  it('serves the home page in the page shell', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/html')
    expect(res.body).toContain('<html lang="zh-CN"')
    expect(res.body).toContain('潮安区网上办事大厅')
    expect(res.body).toContain('href="#main"')
    expect(res.body).toContain('主办单位')
    expect(res.body).toContain('无障碍声明')
  })

  it('sends security headers with a strict CSP and a request id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' })
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).toContain("frame-ancestors 'none'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('sends the same security headers on error pages and JSON errors', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/no/such/page' })
    const api = await t.app.inject({ method: 'GET', url: '/api/no-such-thing' })
    for (const res of [page, api]) {
      expect(res.statusCode).toBe(404)
      expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'")
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
      expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin')
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin')
      // Plain HTTP here (SECURE_COOKIES off): no HSTS, no upgrade of insecure requests.
      expect(res.headers['strict-transport-security']).toBeUndefined()
      expect(String(res.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests')
    }
  })

  it('links hashed assets that are served with a one-year immutable cache', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' })
    const href = /href="(\/assets\/css\/site\.[0-9a-f]{10}\.css)"/.exec(res.body)?.[1]
    expect(href).toBeDefined()
    const css = await t.app.inject({ method: 'GET', url: href!, headers: { 'accept-encoding': 'gzip' } })
    expect(css.statusCode).toBe(200)
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(css.headers['content-encoding']).toBe('gzip')
    const stale = await t.app.inject({ method: 'GET', url: '/assets/css/site.0000000000.css' })
    expect(stale.statusCode).toBe(404)
  })

  it('sends text assets brotli- or gzip-encoded as the browser asks, each the same bytes decoded', async () => {
    await t.deps.assets.ready
    const url = t.deps.assets.url('css/site.css')
    const get = (accept?: string) =>
      t.app.inject({ method: 'GET', url, headers: accept === undefined ? {} : { 'accept-encoding': accept } })
    const plain = await get()
    expect(plain.headers['content-encoding']).toBeUndefined()
    const brotli = await get('gzip, deflate, br, zstd')
    expect(brotli.headers['content-encoding']).toBe('br')
    expect(brotliDecompressSync(brotli.rawPayload).equals(plain.rawPayload)).toBe(true)
    const zipped = await get('gzip, deflate')
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(zipped.rawPayload).equals(plain.rawPayload)).toBe(true)
    expect(brotli.rawPayload.length).toBeLessThan(zipped.rawPayload.length)
    expect((await get('br;q=0, gzip;q=0')).headers['content-encoding']).toBeUndefined()
    // An image is sent as it is, whatever is asked.
    const png = await t.app.inject({
      method: 'GET',
      url: t.deps.assets.url('img/icon-192.png'),
      headers: { 'accept-encoding': 'gzip, br' },
    })
    expect(png.statusCode).toBe(200)
    expect(png.headers['content-encoding']).toBeUndefined()
  })
})

describe('health', () => {
  it('GET /healthz and /readyz answer 200 when the database is reachable', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' })
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ok', database: 'ok' })
  })
})

describe('API documentation', () => {
  it('GET /api/openapi.json is an OpenAPI 3 document listing the routes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toContain('/healthz')
    expect(Object.keys(doc.paths)).toContain('/api/session')
  })

  it('GET /api/docs serves the human documentation page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs/' })
    expect([200, 302]).toContain(res.statusCode)
    const page = res.statusCode === 302 ? await t.app.inject({ method: 'GET', url: String(res.headers.location) }) : res
    expect(page.body).toContain('swagger')
  })
})

describe('errors', () => {
  it('malformed JSON → 400 with a Chinese message and no stack trace', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "张三", ',
    })
    expect(res.statusCode).toBe(400)
    const body = res.json()
    expect(body.error.code).toBe('FST_ERR_CTP_INVALID_JSON_BODY')
    expect(body.error.message).toContain('JSON')
    expect(res.body).not.toMatch(/at .*\.(js|ts):\d+/)
  })

  it('wrong types → 422 with one Chinese message per field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      payload: { name: 'x', age: 'old', kind: 'c' },
    })
    expect(res.statusCode).toBe(422)
    const { error } = res.json()
    expect(error.code).toBe('VALIDATION_FAILED')
    const byField = Object.fromEntries(
      error.details.map((d: { field: string; message: string }) => [d.field, d.message]),
    )
    expect(byField.name).toBe('「name」至少需要 2 个字符')
    expect(byField.age).toBe('「age」应为整数')
    expect(byField.kind).toBeDefined()
  })

  it('a missing required field is named', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/probe', payload: { name: '张三' } })
    expect(res.statusCode).toBe(422)
    const fields = res.json().error.details.map((d: { field: string }) => d.field)
    expect(fields).toEqual(expect.arrayContaining(['age', 'kind']))
  })

  it('an oversized body → 413 with a message', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    })
    expect(res.statusCode).toBe(413)
    expect(res.json().error.message).toContain('太大')
  })

  it('an unsupported content type → 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    })
    expect(res.statusCode).toBe(415)
  })

  it('a DomainError maps its kind to the status and keeps its message', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/probe/domain' })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toEqual({
      error: { code: 'PROBE_CONFLICT', message: '办件 X 当前状态为「已办结」，不能提交', details: [] },
    })
  })

  it('a DomainError on a page renders the error page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/probe/page-error' })
    expect(res.statusCode).toBe(409)
    expect(res.headers['content-type']).toContain('text/html')
    expect(res.body).toContain('当前状态不允许')
    expect(res.body).toContain('<main')
  })

  it('an unexpected error → 500 without internal details', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/probe/crash' })
    expect(res.statusCode).toBe(500)
    expect(res.body).not.toContain('secret internal detail')
    expect(res.json().error.message).toContain('系统出了点问题')
  })

  it('a failure inside a transaction leaves no partial write', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/probe/half-write', payload: {} })
    expect(res.statusCode).toBe(500)
    const row = await t.db.selectFrom('areas').select('id').where('id', '=', 'probe').executeTakeFirst()
    expect(row).toBeUndefined()
  })

  it('an unknown page → 404 page; an unknown API route → 404 JSON', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/no/such/page' })
    expect(page.statusCode).toBe(404)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.body).toContain('找不到这个页面')
    const api = await t.app.inject({ method: 'GET', url: '/api/no-such-thing' })
    expect(api.statusCode).toBe(404)
    expect(api.json().error.code).toBe('NOT_FOUND')
  })

  it('a form post without a CSRF token → 403 and nothing changes', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/preferences/elder-mode',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ on: '1' }),
    })
    expect(res.statusCode).toBe(403)
    expect(res.cookies.find((c) => c.name === 'yw_elder')).toBeUndefined()
  })
})

describe('CSRF secrets', () => {
  it('a new visitor gets a secret of 18 random bytes, never one given before (across pool refills)', () => {
    const secrets = Array.from({ length: 2000 }, () => newCsrfSecret())
    for (const secret of secrets) expect(secret).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(new Set(secrets).size).toBe(secrets.length)
    // Random bytes, not a counter: every character of base64url turns up across 2,000 secrets.
    expect(new Set(secrets.join('')).size).toBe(64)
  })

  it('a page without a form posting here sets no cookie for a visitor who has none', async () => {
    for (const url of ['/accessibility', '/', '/no/such/page']) {
      const res = await t.app.inject({ method: 'GET', url })
      expect(res.headers['set-cookie'], url).toBeUndefined()
      expect(res.body).not.toContain('name="_csrf"')
    }
  })

  it('a first visit to a page with a form sets one CSRF cookie, and its page token is accepted with it', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/preferences/elder-mode' })
    const set = first.cookies.filter((c) => c.name === 'yw_csrf')
    expect(set).toHaveLength(1)
    expect(set[0]!.value).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(set[0]!.httpOnly).toBe(true)
    expect(set[0]!.sameSite).toBe('Lax')
    expect(set[0]!.path).toBe('/')
    const token = /name="_csrf" value="([^"]+)"/.exec(first.body)?.[1]
    expect(token).toBeTruthy()
    const posted = await t.app.inject({
      method: 'POST',
      url: '/preferences/elder-mode',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `yw_csrf=${set[0]!.value}` },
      payload: form({ _csrf: token!, on: '1' }),
    })
    expect(posted.statusCode).toBe(303)
    // Another visitor's secret does not go with this token.
    const other = await t.app.inject({ method: 'GET', url: '/preferences/elder-mode' })
    const otherSecret = other.cookies.find((c) => c.name === 'yw_csrf')!.value
    expect(otherSecret).not.toBe(set[0]!.value)
    const refused = await t.app.inject({
      method: 'POST',
      url: '/preferences/elder-mode',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `yw_csrf=${otherSecret}` },
      payload: form({ _csrf: token!, on: '1' }),
    })
    expect(refused.statusCode).toBe(403)
    // A returning visitor keeps the secret they have: no new cookie.
    const again = await t.app.inject({
      method: 'GET',
      url: '/preferences/elder-mode',
      headers: { cookie: `yw_csrf=${set[0]!.value}` },
    })
    expect(again.cookies.filter((c) => c.name === 'yw_csrf')).toHaveLength(0)
  })
})

describe('长者模式', () => {
  it('POST /preferences/elder-mode with the form token persists the choice in a cookie', async () => {
    const { token, cookie } = await formSession(t.app)
    const res = await t.app.inject({
      method: 'POST',
      url: '/preferences/elder-mode',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      payload: form({ _csrf: token, on: '1', return: '/accessibility' }),
    })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/accessibility')
    const elder = res.cookies.find((c) => c.name === 'yw_elder')
    expect(elder?.value).toBe('1')
    expect(elder?.maxAge).toBeGreaterThan(300 * 24 * 3600)
    const page = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `${cookie}; yw_elder=1` } })
    expect(page.body).toContain('<html lang="zh-CN" class="elder"')
    expect(page.body).toContain('退出长者模式')
  })

  it('refuses to redirect off the site', async () => {
    const { token, cookie } = await formSession(t.app)
    const res = await t.app.inject({
      method: 'POST',
      url: '/preferences/elder-mode',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      payload: form({ _csrf: token, on: '1', return: '//evil.example/x' }),
    })
    expect(res.headers.location).toBe('/')
  })
})

describe('database down', () => {
  it('answers 503 on /readyz and on routes that need the database', async () => {
    const database = await createTestDatabase()
    const deps = createDeps(testConfig(database.config), { db: database.db })
    const app = await buildApp(deps, createModules(deps))
    await database.drop() // the database goes away under the running app
    const ready = await app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(503)
    const login = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { account: 'window01', password: 'x' },
    })
    expect(login.statusCode).toBe(503)
    expect(login.json().error.message).toContain('暂时不可用')
    await app.close()
  })

  it('answers 503 when PostgreSQL refuses connections', async () => {
    const config = testConfig({ dialect: 'postgres', url: 'postgres://postgres@127.0.0.1:1/nowhere', poolSize: 1 })
    const deps = createDeps(config)
    const app = await buildApp(deps, createModules(deps))
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503)
    const login = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { account: 'window01', password: 'x' },
    })
    expect(login.statusCode).toBe(503)
    const page = await app.inject({ method: 'GET', url: '/login' })
    expect(page.statusCode).toBe(200) // pages that need no database still work
    await app.close()
    await deps.db.destroy()
  })
})
