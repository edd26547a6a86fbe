/**
 * The public catalog API: /api/items, /api/search, /api/themes — open to anyone, every field
 * named by a presenter, TypeBox schemas in the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp, testPrincipal } from '../../../test/helpers.js'
import { runSeed } from '../../seed.js'
import { permissionsOf } from '../identity/index.js'
import { DEMO_ITEMS } from './catalog.demo-items.js'
import { withdrawItem } from './catalog.service.js'

let t: TestApp
const ids = new Map<string, string>()
const get = (url: string) => t.app.inject({ method: 'GET', url: encodeURI(url) })
const idOf = (name: string) => ids.get(name) ?? ''

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } })
  await runSeed(t.modules, { print: false })
  const rows = await t.db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.taskName'])
    .execute()
  for (const r of rows) ids.set(r.taskName, r.id)
})
afterAll(async () => t.close())

const SUMMARY_KEYS = [
  'department',
  'forEnterprises',
  'forPersons',
  'isFee',
  'itemId',
  'onlineHandleDepth',
  'projectType',
  'promiseDay',
  'promiseType',
  'summary',
  'taskName',
  'topics',
  'url',
  'version',
]

describe('GET /api/items', () => {
  it('lists published items 20 a page, each with exactly the summary fields', async () => {
    const res = await get('/api/items')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({ total: DEMO_ITEMS.length, page: 1, pageSize: 20, pageCount: 4 })
    expect(body.items).toHaveLength(20)
    expect(Object.keys(body.items[0]).sort()).toEqual(SUMMARY_KEYS)
    expect(Object.keys(body.items[0].department).sort()).toEqual(['code', 'name', 'shortName'])
    const last = (await get('/api/items?page=4')).json()
    expect(last.items).toHaveLength(DEMO_ITEMS.length - 60)
    expect((await get('/api/items?page=5')).json().items).toEqual([])
  })

  it('filters by department, audience and topic', async () => {
    const scj = (await get('/api/items?department=scj')).json()
    expect(scj.total).toBe(DEMO_ITEMS.filter((d) => d.departmentCode === 'scj').length)
    for (const item of scj.items) expect(item.department.code).toBe('scj')
    const enterprise = (await get('/api/items?audience=enterprise')).json()
    expect(enterprise.total).toBe(DEMO_ITEMS.filter((d) => d.elements.serverType.includes('法人')).length)
    const birth = (await get('/api/items?topic=birth')).json()
    expect(birth.items.map((i: { taskName: string }) => i.taskName).sort()).toEqual(
      DEMO_ITEMS.filter((d) => d.elements.topics.includes('birth'))
        .map((d) => d.elements.taskName)
        .sort(),
    )
  })

  it('refuses malformed filters with 400 and a Chinese message', async () => {
    for (const url of ['/api/items?audience=alien', '/api/items?page=0', '/api/items?department=SCJ!']) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(400)
      expect(res.json().error.code).toBe('VALIDATION_FAILED')
    }
  })
})

describe('GET /api/items/:itemId', () => {
  it('gives the published elements under their national names, with department and version', async () => {
    const res = await get(`/api/items/${idOf('食品经营许可')}`)
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(Object.keys(body).sort()).toEqual(['department', 'elements', 'itemId', 'url', 'version'])
    expect(body.department).toEqual({
      code: 'scj',
      name: '潮州市潮安区市场监督管理局',
      shortName: '区市场监督管理局',
      creditCode: '11445103005126091E',
    })
    expect(body.version).toMatchObject({
      version: 1,
      state: 'published',
      effectiveFrom: '2026-03-02',
      publishedAt: '2026-03-02T02:00:00.000Z',
      changeNote: '初始发布',
    })
    const e = body.elements
    const demo = DEMO_ITEMS.find((d) => d.elements.taskName === '食品经营许可')!.elements
    expect(e).toMatchObject({
      catalogCode: '01SCJ0000006',
      taskCode: '11445103005126091E01SCJ0000006',
      taskName: '食品经营许可',
      taskType: '1',
      taskTypeName: '行政许可',
      taskVersion: 1,
      deptName: '潮州市潮安区市场监督管理局',
      deptCode: '11445103005126091E',
      promiseDay: demo.promiseDay,
      anticipateDay: demo.anticipateDay,
      onlineHandleDepth: 4,
      acceptCondition: demo.acceptCondition,
      keywords: demo.keywords,
    })
    expect(e.materials).toHaveLength(demo.materials.length)
    const form = e.materials[0].blankForm
    expect(form).toMatchObject({
      fileName: '食品经营许可申请书（空白表）.xlsx',
      mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    })
    expect(form.url).toBe(`/services/${idOf('食品经营许可')}/files/${form.sha256}`)
    expect(e.materials[1]).toMatchObject({ licenseTypeCode: 'business_license', blankForm: null })
    const download = await t.app.inject({ method: 'GET', url: form.url })
    expect(download.statusCode).toBe(200)
  })

  it('answers 404 in JSON for an unknown item and 400 for a malformed id', async () => {
    const unknown = await get('/api/items/01890000-0000-7000-8000-000000000000')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toEqual({ error: { code: 'ITEM_NOT_FOUND', message: '找不到这个事项。', details: [] } })
    const bad = await get('/api/items/not-a-uuid')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.details[0].field).toBe('itemId')
  })

  it('answers 410 for a withdrawn item', async () => {
    const reviewer = testPrincipal({
      staffId: 'staff-review',
      roles: ['catalog_reviewer'],
      permissions: permissionsOf(['catalog_reviewer']),
    })
    const itemId = idOf('渔业捕捞许可')
    await withdrawItem(t.deps, reviewer, itemId, '职能划转市级')
    const res = await get(`/api/items/${itemId}`)
    expect(res.statusCode).toBe(410)
    expect(res.json().error.code).toBe('ITEM_WITHDRAWN')
    const versions = (await get(`/api/items/${itemId}/versions`)).json()
    expect(versions).toMatchObject({ withdrawn: true, publishedVersion: null })
    expect(versions.versions[0]).toMatchObject({ version: 1, state: 'withdrawn', withdrawnReason: '职能划转市级' })
  })
})

describe('GET /api/items/:itemId/versions', () => {
  it('lists the published versions', async () => {
    const body = (await get(`/api/items/${idOf('出生登记')}/versions`)).json()
    expect(body).toMatchObject({ taskName: '出生登记', publishedVersion: 1, withdrawn: false })
    expect(body.versions).toEqual([
      {
        version: 1,
        state: 'published',
        changeNote: '初始发布',
        publishedAt: '2026-03-02T02:00:00.000Z',
        effectiveFrom: '2026-03-02',
        supersededAt: null,
        withdrawnAt: null,
        withdrawnReason: null,
        url: `/services/${idOf('出生登记')}/versions/1`,
      },
    ])
  })
})

describe('GET /api/search', () => {
  it('finds items with everyday words and marks the matched text', async () => {
    const body = (await get('/api/search?q=开饭店')).json()
    expect(body).toMatchObject({ query: '开饭店', matched: 'all', page: 1, pageSize: 10, truncated: false })
    expect(body.hits[0].item.taskName).toBe('食品经营许可')
    expect(Object.keys(body.hits[0].item).sort()).toEqual(SUMMARY_KEYS)
    expect(body.hits[0].title.some((s: { match: boolean }) => s.match)).toBe(true)
    expect(body.facets.department[0]).toMatchObject({ value: 'scj', label: '区市场监督管理局' })
  })

  it('returns the same ordered hits on both databases', async () => {
    const names = async (q: string) =>
      (await get(`/api/search?q=${q}`)).json().hits.map((h: { item: { taskName: string } }) => h.item.taskName)
    expect(await names('社保卡')).toEqual([
      '社会保障卡申领',
      '职工参保登记',
      '灵活就业人员参保登记',
      '失业保险金申领',
      '高龄津贴发放',
      '城乡居民基本养老保险待遇申领',
      '异地就医备案',
      '基本养老金申领',
      '生育津贴申领',
      '困难残疾人生活补贴和重度残疾人护理补贴',
    ])
    expect(await names('spjy')).toEqual(['食品经营许可', '食品经营许可变更'])
  })

  it('answers an empty or hostile query with no hits, never an error', async () => {
    expect((await get('/api/search')).json()).toMatchObject({ total: 0, matched: 'none', hits: [] })
    const res = await t.app.inject({ method: 'GET', url: `/api/search?q=${encodeURIComponent('" OR 1=1; --<b>')}` })
    expect(res.statusCode).toBe(200)
  })
})

describe('GET /api/search/suggest', () => {
  it('suggests names by prefix, by pinyin initials and by everyday words, cacheable', async () => {
    const titles = async (q: string) =>
      (await get(`/api/search/suggest?q=${q}`)).json().suggestions.map((s: { title: string }) => s.title)
    expect((await titles('spj'))[0]).toBe('食品经营许可')
    expect(await titles('身份')).toContain('居民身份证换领')
    expect(await titles('社保')).toContain('社会保障卡申领')
    expect(await titles('')).toEqual([])
    const res = await get('/api/search/suggest?q=出生')
    expect(res.headers['cache-control']).toBe('public, max-age=300')
    expect(res.json().suggestions[0]).toEqual({
      itemId: idOf('出生登记'),
      title: '出生登记',
      url: `/services/${idOf('出生登记')}`,
    })
    expect((await get(`/api/search/suggest?q=${'a'.repeat(201)}`)).statusCode).toBe(400)
  })
})

describe('GET /api/themes and /api/themes/:code', () => {
  it('lists the themes', async () => {
    const body = (await get('/api/themes')).json()
    expect(body.themes.map((t: { code: string }) => t.code)).toEqual([
      'open_restaurant',
      'newborn',
      'retirement',
      'marriage',
      'disability',
    ])
    expect(body.themes[0]).toMatchObject({ name: '开办餐饮店', serverType: '法人', url: '/themes/open_restaurant' })
  })

  it('resolves the items for the answers given', async () => {
    const body = (await get('/api/themes/open_restaurant?subject=individual&food_prep=yes')).json()
    expect(body.complete).toBe(false)
    expect(body.unanswered).toEqual(['extra_business', 'signboard', 'drainage', 'staff'])
    expect(body.questions[0]).toMatchObject({ code: 'subject', answer: 'individual' })
    expect(body.items.map((i: { item: { taskName: string } }) => i.item.taskName)).toEqual([
      '个体工商户设立登记',
      '食品经营许可',
    ])
    expect(body.items[1].note).toContain('营业执照办结后即可申请')
    const married = (await get('/api/themes/marriage?move_household=no&plan_child=yes')).json()
    expect(married.complete).toBe(true)
    expect(married.items.map((i: { item: { taskName: string } }) => i.item.taskName)).toEqual(['结婚登记', '生育登记'])
    expect((await get('/api/themes/nosuch')).json().error.code).toBe('THEME_NOT_FOUND')
  })
})

describe('OpenAPI document', () => {
  it('documents every catalog endpoint under the catalog tag, and no page', async () => {
    const doc = (await get('/api/openapi.json')).json()
    for (const path of [
      '/api/items',
      '/api/items/{itemId}',
      '/api/items/{itemId}/versions',
      '/api/search',
      '/api/search/suggest',
      '/api/themes',
      '/api/themes/{code}',
    ]) {
      expect(doc.paths[path]?.get?.tags, path).toEqual(['catalog'])
      expect(doc.paths[path].get.responses['200'], path).toBeDefined()
    }
    expect(doc.paths['/services/{itemId}']).toBeUndefined()
    expect(doc.paths['/api/items/{itemId}'].get.responses['404']).toBeDefined()
  })

  it('needs no login', async () => {
    const routes = t.app.policyRegistry.entries.filter(
      (e) => e.url.startsWith('/api/items') || e.url.startsWith('/api/search') || e.url.startsWith('/api/themes'),
    )
    expect(routes.length).toBeGreaterThanOrEqual(7)
    for (const route of routes) expect(route.policy).toEqual({ public: true })
  })
})
