/**
 * Guide and search pages are kept for anonymous visitors (reply.publicPage, docs/performance.md).
 * What must hold: a publication or withdrawal shows at once in the process that made it and
 * within STAMP_MAX_AGE_MS in another process on the same database; a logged-in person never gets
 * a kept page and never fills one; a kept page holds nothing of its visitor (no CSRF token, no
 * cookie set) and is the page rendered anew, to the byte.
 *
 * Two app instances with their own database handles on one database stand for two processes
 * (SQLite: a file; PostgreSQL: a scratch database).
 */
import fs from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, form, onPostgres, testConfig, testPrincipal } from '../../../test/helpers.js'
import { buildApp } from '../../app.js'
import { createDeps, createModules } from '../../composition.js'
import type { Principal } from '../../platform/auth/principal.js'
import { TestClock } from '../../platform/clock.js'
import type { DatabaseConfig } from '../../platform/config.js'
import { createDatabase, type Db } from '../../platform/db/database.js'
import { migrateToLatest } from '../../platform/db/migrate.js'
import type { Deps } from '../../platform/deps.js'
import { runSeed } from '../../seed.js'
import { permissionsOf } from '../identity/index.js'
import { STAMP_MAX_AGE_MS } from './catalog.freshness.js'
import type { ItemElements } from './catalog.model.js'
import { catalogVersion, publishedItemIds } from './catalog.read.js'
import {
  getVersion,
  type ItemInput,
  reviewVersion,
  saveDraft,
  startNewVersion,
  submitForReview,
  withdrawItem,
} from './catalog.service.js'

interface Node {
  app: FastifyInstance
  deps: Deps
  db: Db
}

const clock = new TestClock()
let database: DatabaseConfig
let dropDatabase: () => Promise<void>
/** "Process" A (changes are made here) and B (another process on the same database). */
let a: Node
let b: Node
/** A third app on A's database handle that keeps no pages: what a page looks like rendered anew. */
let fresh: Node
/** An app that listens (rendering ahead starts when the server listens). */
let listening: Node | undefined
let itemAdmin: Principal
let reviewer: Principal
const ids = new Map<string, string>()

async function node(env: Record<string, string> = {}, db?: Db): Promise<Node> {
  const handle = db ?? createDatabase(database)
  const deps = createDeps(testConfig(database, { RATE_LIMIT_PER_MINUTE: '100000', ...env }), { db: handle, clock })
  const modules = createModules(deps)
  // Stands in for login: a request with this header is 张三's.
  modules.unshift({
    name: 'test-principal',
    register: () => {},
    resolvePrincipal: async (request) =>
      request.headers['x-test-person'] ? testPrincipal({ displayName: '张三（已登录）' }) : undefined,
  })
  const app = await buildApp(deps, modules)
  return { app, deps, db: handle }
}

beforeAll(async () => {
  let first: Db
  if (onPostgres) {
    const scratch = await createTestDatabase()
    database = scratch.config
    first = scratch.db
    dropDatabase = scratch.drop
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-page-cache-'))
    database = { dialect: 'sqlite', file: path.join(dir, 'yiwang.sqlite') }
    first = createDatabase(database)
    await migrateToLatest(first)
    dropDatabase = async () => {
      await first.destroy()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  a = await node({}, first)
  await runSeed(createModules(a.deps), { print: false })
  b = await node()
  fresh = await node({ PAGE_CACHE_MB: '0' }, a.db)
  const rows = await a.db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.taskName'])
    .execute()
  for (const r of rows) ids.set(r.taskName, r.id)
  const scj = (await a.db.selectFrom('departments').select('id').where('code', '=', 'scj').executeTakeFirstOrThrow()).id
  itemAdmin = testPrincipal({
    staffId: 'staff-items',
    departmentId: scj,
    roles: ['item_admin'],
    permissions: permissionsOf(['item_admin']),
  })
  reviewer = testPrincipal({
    staffId: 'staff-review',
    roles: ['catalog_reviewer'],
    permissions: permissionsOf(['catalog_reviewer']),
  })
}, 120_000)

afterAll(async () => {
  for (const n of [listening, fresh, b, a]) await n?.app.close()
  await b?.db.destroy()
  await dropDatabase?.()
})

const idOf = (name: string) => {
  const id = ids.get(name)
  if (!id) throw new Error(`no item ${name}`)
  return id
}

const get = (n: Node, url: string, headers: Record<string, string> = {}) =>
  n.app.inject({ method: 'GET', url: encodeURI(url), headers })

const h1Of = (html: string) => /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? ''
const tokenOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
const hitNames = (html: string) =>
  [...html.matchAll(/<li class="item-list__item search-hit">\s*<h3[^>]*>\s*<a href="[^"]+">([\s\S]*?)<\/a>/g)].map(
    (m) => (m[1] ?? '').replace(/<[^>]+>/g, ''),
  )

/** Publishes a new version of an item with another name, as the catalog's staff do, on node `n`. */
async function rename(n: Node, itemId: string, taskName: string) {
  clock.advance(60_000)
  const { versionId } = await startNewVersion(n.deps, itemAdmin, itemId)
  const current = JSON.parse((await getVersion(n.db, versionId)).elements) as ItemElements
  await saveDraft(n.deps, itemAdmin, versionId, { ...current, taskName } as ItemInput, '改名')
  await submitForReview(n.deps, itemAdmin, versionId)
  await reviewVersion(n.deps, reviewer, versionId, { approve: true })
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('a kept page is the page rendered anew', () => {
  it('for a guide and for search results, to the byte', async () => {
    for (const url of [`/services/${idOf('食品经营许可')}`, '/search?q=开饭店', '/search?q=身份证&audience=person']) {
      await get(a, url) // kept
      const kept = await get(a, url)
      const rendered = await get(fresh, url)
      expect(kept.statusCode).toBe(rendered.statusCode)
      expect(kept.headers['cache-control']).toBe('private, no-cache')
      expect(rendered.headers['cache-control']).toBe('no-store')
      expect(kept.body).toBe(rendered.body)
      if (url.startsWith('/search')) expect(hitNames(kept.body).length).toBeGreaterThan(0)
    }
  })

  it('sends the kept page brotli- or gzip-encoded as the browser asks', async () => {
    const url = `/services/${idOf('食品经营许可')}`
    const plain = await get(a, url)
    const brotli = await get(a, url, { 'accept-encoding': 'gzip, deflate, br, zstd' })
    expect(brotli.headers['content-encoding']).toBe('br')
    expect(String(brotli.headers.vary)).toContain('Accept-Encoding')
    expect(brotliDecompressSync(brotli.rawPayload).toString('utf8')).toBe(plain.body)
    // Over plain HTTP browsers do not offer brotli; a lower weight for it is respected.
    for (const accept of ['gzip, deflate', 'br;q=0.5, gzip', '*;q=0.1, gzip;q=0.9']) {
      const zipped = await get(a, url, { 'accept-encoding': accept })
      expect(zipped.headers['content-encoding'], accept).toBe('gzip')
      // gunzipSync checks the CRC-32 and the length in the trailer.
      expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(plain.body)
      expect(brotli.rawPayload.length).toBeLessThan(zipped.rawPayload.length)
      expect(zipped.rawPayload.length).toBeLessThan(Buffer.byteLength(plain.body) / 3)
    }
    // A client that refuses both gets the document as it is.
    for (const accept of ['gzip;q=0, br;q=0, identity', 'deflate', '']) {
      const refused = await get(a, url, accept ? { 'accept-encoding': accept } : {})
      expect(refused.headers['content-encoding'], accept).toBeUndefined()
      expect(refused.body).toBe(plain.body)
    }
  })

  it('keeps 长者模式 and the plain page apart', async () => {
    const url = `/services/${idOf('居民身份证换领')}`
    expect((await get(a, url)).body).not.toContain('class="elder"')
    const elder = await get(a, url, { cookie: 'yw_elder=1' })
    expect(elder.body).toContain('<html lang="zh-CN" class="elder"')
    expect(elder.body).toContain('退出长者模式')
    expect((await get(a, url)).body).not.toContain('class="elder"')
  })
})

describe('guides rendered ahead', () => {
  it('keeps every published guide once the server listens, as a first visitor would get it', async () => {
    const c = await node({}, a.db)
    listening = c
    await c.app.listen({ port: 0, host: '127.0.0.1' })
    const port = (c.app.server.address() as AddressInfo).port
    const version = await catalogVersion(c.db)
    const published = await publishedItemIds(c.db)
    expect(published.length).toBeGreaterThan(50)
    const kept = () => published.filter((id) => c.app.keptPublicPage(`/services/${id}`, `guide ${id}`, version))
    const deadline = Date.now() + 30_000
    while (kept().length < published.length && Date.now() < deadline) await later(50)
    expect(kept().length).toBe(published.length)
    // The page kept ahead is the page rendered anew (fetch asks for it compressed and decodes
    // it), kept for the current version only.
    const url = `/services/${idOf('食品经营许可')}`
    const res = await fetch(`http://127.0.0.1:${port}${encodeURI(url)}`)
    expect(['br', 'gzip']).toContain(res.headers.get('content-encoding'))
    expect(await res.text()).toBe((await get(fresh, url)).body)
    const elderKey = `guide ${idOf('食品经营许可')}`
    expect(c.app.keptPublicPage(url, elderKey, version)).toBe(true)
    expect(c.app.keptPublicPage(url, elderKey, `${version}x`)).toBe(false)
  })
})

describe('anonymous and logged-in requests never share a page', () => {
  it('shows a logged-in person their own page, never kept, whichever came first', async () => {
    const guide = `/services/${idOf('食品经营许可')}`
    const search = '/search?q=营业执照'
    const anonymous = await get(a, guide)
    const person = await get(a, guide, { 'x-test-person': '1' })
    expect(person.body).toContain('张三（已登录）')
    expect(person.headers['cache-control']).toBe('no-store')
    expect(person.headers.etag).toBeUndefined()
    expect(anonymous.body).not.toContain('张三（已登录）')
    // The person's 长者模式 switch posts with their own token; the anonymous page's asks by GET.
    expect(tokenOf(person.body)).toBeTruthy()
    expect(person.body).toContain('<form action="/preferences/elder-mode" method="post"')
    // The person first: what they got is not kept for the next anonymous visitor.
    expect((await get(a, search, { 'x-test-person': '1' })).body).toContain('张三（已登录）')
    const after = await get(a, search)
    expect(after.body).not.toContain('张三（已登录）')
    expect(after.body).toContain('登录')
  })

  it('answers a logged-in request carrying an anonymous ETag with the whole page', async () => {
    const url = `/services/${idOf('食品经营许可')}`
    const etag = String((await get(a, url)).headers.etag)
    expect(etag).toMatch(/^W\/".+"$/)
    expect((await get(a, url, { 'if-none-match': etag })).statusCode).toBe(304)
    const person = await get(a, url, { 'if-none-match': etag, 'x-test-person': '1' })
    expect(person.statusCode).toBe(200)
    expect(person.body).toContain('张三（已登录）')
  })
})

describe('nothing of the visitor in a kept page', () => {
  it('sets no cookie and holds no CSRF token; 长者模式 is switched through a page that has one', async () => {
    const url = `/services/${idOf('食品经营许可')}`
    for (const accept of ['gzip, deflate, br', '']) {
      const first = await get(a, url, accept ? { 'accept-encoding': accept } : {})
      expect(first.statusCode).toBe(200)
      expect(first.headers['set-cookie']).toBeUndefined()
    }
    const page = (await get(a, url)).body
    expect(tokenOf(page)).toBeUndefined()
    expect(page).toContain('<form action="/preferences/elder-mode" method="get"')
    // Without JavaScript the switch opens a page that confirms it, with a token and its cookie.
    const confirm = await get(a, `/preferences/elder-mode?return=${encodeURIComponent(url)}&on=1`)
    expect(confirm.statusCode).toBe(200)
    expect(confirm.body).toContain('开启长者模式')
    const token = tokenOf(confirm.body)
    const cookie = confirm.cookies.find((c) => c.name === 'yw_csrf')?.value
    expect(token && cookie).toBeTruthy()
    const post = (payload: Record<string, string>, secret: string) =>
      a.app.inject({
        method: 'POST',
        url: '/preferences/elder-mode',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `yw_csrf=${secret}` },
        payload: form(payload),
      })
    const switched = await post({ _csrf: token!, on: '1', return: url }, cookie!)
    expect(switched.statusCode).toBe(303)
    expect(switched.headers.location).toBe(url)
    expect(switched.cookies.find((c) => c.name === 'yw_elder')?.value).toBe('1')
    // Without the token, or with another visitor's secret, the form post is refused.
    expect((await post({ on: '1', return: url }, cookie!)).statusCode).toBe(403)
    expect((await post({ _csrf: token!, on: '1' }, 'someoneelsessecret')).statusCode).toBe(403)
    // site.js posts JSON, which no other site can send here without CORS: no token needed.
    const json = await a.app.inject({
      method: 'POST',
      url: '/preferences/elder-mode',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: { on: '0' },
    })
    expect(json.statusCode).toBe(200)
    expect(json.json()).toEqual({ elder: false })
    expect(json.cookies.find((c) => c.name === 'yw_elder')?.value).toBe('0')
    // The confirming page never sends anyone off the site.
    const away = await get(a, '/preferences/elder-mode?on=0&return=//evil.example/x')
    expect(away.body).toContain('退出长者模式')
    expect(away.body).not.toContain('evil.example')
    expect((await get(a, '/preferences/elder-mode?on=2')).statusCode).toBe(400)
  })

  it('answers 304 for the same page while it is unchanged, to any visitor', async () => {
    const url = '/search?q=社保卡'
    const etag = String((await get(a, url)).headers.etag)
    const notModified = await get(a, url, { 'if-none-match': etag })
    expect(notModified.statusCode).toBe(304)
    expect(notModified.body).toBe('')
    expect((await get(a, url, { 'if-none-match': `W/"x${etag.slice(3)}` })).statusCode).toBe(200)
    expect((await get(a, '/search?q=社保', { 'if-none-match': etag })).statusCode).toBe(200)
  })
})

describe('publications and withdrawals', () => {
  it('shows a new version in the guide and search at once in the process that published it', async () => {
    const itemId = idOf('个体工商户注销登记')
    const guide = `/services/${itemId}`
    const before = await get(a, guide)
    expect(h1Of(before.body)).toBe('个体工商户注销登记')
    expect(hitNames((await get(a, '/search?q=个体工商户注销')).body)).toContain('个体工商户注销登记')

    await rename(a, itemId, '个体工商户注销登记（简易程序）')

    const after = await get(a, guide, { 'if-none-match': String(before.headers.etag) })
    expect(after.statusCode).toBe(200)
    expect(h1Of(after.body)).toBe('个体工商户注销登记（简易程序）')
    expect(after.body).toContain('第 2 版')
    expect(hitNames((await get(a, '/search?q=个体工商户注销')).body)).toContain('个体工商户注销登记（简易程序）')
  })

  it(`shows it in another process within ${STAMP_MAX_AGE_MS} ms`, async () => {
    const itemId = idOf('企业注销登记')
    expect(h1Of((await get(b, `/services/${itemId}`)).body)).toBe('企业注销登记')
    expect(hitNames((await get(b, '/search?q=企业注销')).body)).toContain('企业注销登记')

    await rename(a, itemId, '企业注销登记（新版）')
    const published = Date.now()
    expect(h1Of((await get(a, `/services/${itemId}`)).body)).toBe('企业注销登记（新版）')

    // B may show the old page until its stamp is older than STAMP_MAX_AGE_MS, never longer.
    await later(STAMP_MAX_AGE_MS + 50 - (Date.now() - published))
    expect(h1Of((await get(b, `/services/${itemId}`)).body)).toBe('企业注销登记（新版）')
    expect(hitNames((await get(b, '/search?q=企业注销')).body)).toContain('企业注销登记（新版）')
  })

  it('takes a withdrawn item out of the guide and search: at once here, within the bound there', async () => {
    const itemId = idOf('食品小作坊登记')
    for (const n of [a, b]) {
      expect((await get(n, `/services/${itemId}`)).statusCode).toBe(200)
      expect(hitNames((await get(n, '/search?q=食品小作坊登记')).body)).toContain('食品小作坊登记')
    }
    clock.advance(60_000)
    await withdrawItem(a.deps, reviewer, itemId, '职能调整')
    const withdrawn = Date.now()
    expect((await get(a, `/services/${itemId}`)).statusCode).toBe(410)
    expect(hitNames((await get(a, '/search?q=食品小作坊登记')).body)).not.toContain('食品小作坊登记')

    await later(STAMP_MAX_AGE_MS + 50 - (Date.now() - withdrawn))
    const there = await get(b, `/services/${itemId}`)
    expect(there.statusCode).toBe(410)
    expect(there.body).toContain('已停止办理')
    expect(hitNames((await get(b, '/search?q=食品小作坊登记')).body)).not.toContain('食品小作坊登记')
  })

  it('shows a department’s new name within the bound (the stamp covers departments)', async () => {
    const url = '/search?q=食品经营许可'
    expect((await get(b, url)).body).not.toContain('区市场监督管理局（新）')
    await a.db
      .updateTable('departments')
      .set({ shortName: '区市场监督管理局（新）' })
      .where('code', '=', 'scj')
      .execute()
    await later(STAMP_MAX_AGE_MS + 50)
    expect((await get(b, url)).body).toContain('区市场监督管理局（新）')
  })
})
