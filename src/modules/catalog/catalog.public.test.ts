/**
 * The public pages of the catalog, read as a citizen reads them: the guide, its print version,
 * downloads, versions, a withdrawn item, 办事服务, search, the themes and the home page.
 * The demo catalog is seeded once; tests that change items come last.
 */
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, onPostgres, type TestApp, testPrincipal } from '../../../test/helpers.js'
import type { Principal } from '../../platform/auth/principal.js'
import { runSeed } from '../../seed.js'
import { permissionsOf } from '../identity/index.js'
import { DEMO_ITEMS } from './catalog.demo-items.js'
import { sampleItem } from './catalog.fixtures.js'
import { ENTERPRISE_TOPICS, type ItemElements, PERSON_TOPICS } from './catalog.model.js'
import {
  createItem,
  getItem,
  getVersion,
  type ItemInput,
  reviewVersion,
  saveDraft,
  startNewVersion,
  submitForReview,
  withdrawItem,
} from './catalog.service.js'

let t: TestApp
let scj: string
let itemAdmin: Principal
let reviewer: Principal
/** item ids by name */
const ids = new Map<string, string>()

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: encodeURI(url), headers })

/** The visible text of some HTML, tags removed and entities of the renderer decoded. */
function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** The <main> of a page. */
function mainOf(html: string): string {
  return /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? ''
}

/** Names of the results on a search page, in order. */
function hitNames(html: string): string[] {
  return [
    ...html.matchAll(/<li class="item-list__item search-hit">\s*<h3[^>]*>\s*<a href="[^"]+">([\s\S]*?)<\/a>/g),
  ].map((m) => textOf(m[1] ?? ''))
}

function idOf(name: string): string {
  const id = ids.get(name)
  if (!id) throw new Error(`no item ${name}`)
  return id
}

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } })
  await runSeed(t.modules, { print: false })
  const rows = await t.db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.taskName'])
    .execute()
  for (const r of rows) ids.set(r.taskName, r.id)
  scj = (await t.db.selectFrom('departments').select('id').where('code', '=', 'scj').executeTakeFirstOrThrow()).id
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
})
afterAll(async () => t.close())

describe('GET /services/:itemId (办事指南)', () => {
  it('shows every element group of 食品经营许可 in order, with the key facts first', async () => {
    const res = await get(`/services/${idOf('食品经营许可')}`)
    expect(res.statusCode).toBe(200)
    const main = mainOf(res.body)
    const text = textOf(main)
    const h2s = [...main.matchAll(/<h2[^>]*>([\s\S]*?)<\/h2>/g)].map((m) => textOf(m[1] ?? ''))
    expect(h2s).toEqual([
      '办事要点',
      '开始办理',
      '本页内容',
      '受理条件',
      '申请材料',
      '办理流程',
      '办理时限',
      '收费标准',
      '办理地点、时间和咨询',
      '设定依据',
      '办理结果',
      '常见问题',
      '事项信息',
    ])
    expect(/<h1[^>]*>食品经营许可<\/h1>/.test(main)).toBe(true)
    const demo = DEMO_ITEMS.find((d) => d.elements.taskName === '食品经营许可')!.elements
    // key facts
    expect(text).toContain('承诺 3 个工作日办结（法定 10 个工作日）')
    expect(text).toContain('不收费')
    expect(text).toContain('0 次（全程网上办理，不用跑）')
    expect(text).toContain('Ⅳ级 全程网办')
    expect(text).toContain('个人（自然人）、法人（企业、社会组织等）')
    // conditions, materials, steps, FAQ, codes
    for (const line of demo.acceptCondition.split('\n')) expect(text).toContain(line)
    for (const m of demo.materials) expect(text).toContain(m.materialName)
    for (const step of demo.handleFlow) expect(main).toContain(`<h3 class="heading-s steps__name">${step.name}</h3>`)
    expect(main).toMatch(/<ol class="steps">/)
    for (const f of demo.faqs) expect(main).toContain(`<summary class="faq__question">${f.question}</summary>`)
    expect(text).toContain(demo.promiseExplain)
    expect(text).toContain('01SCJ0000006')
    expect(text).toContain('11445103005126091E01SCJ0000006')
    expect(text).toContain('潮州市潮安区市场监督管理局')
    // 营业执照 and identity cards are held by the government; one material may follow later
    expect(text).toContain('免提交：可调用电子证照')
    expect(text).toContain('可容缺受理')
    expect(main).toMatch(
      /<caption class="table__caption">共 7 项材料：必交 5 项（其中 2 项政府已有，免提交）<\/caption>/,
    )
    expect(main).toContain('<th scope="col">材料名称</th>')
    expect(main).toMatch(/<a class="file-link" href="\/services\/[^/]+\/files\/[0-9a-f]{64}" download="[^"]+">空白表格/)
    // version and dates in Beijing time (the test clock stands at 2026-03-02T02:00Z)
    expect(text).toContain('第 1 版')
    expect(text).toContain('2026-03-02')
    expect(text).toContain('2026-03-02 10:00')
  })

  it('offers 在线办理, 预约 (not yet open) and 打印 for an item done wholly online', async () => {
    const itemId = idOf('食品经营许可')
    const main = mainOf((await get(`/services/${itemId}`)).body)
    expect(main).toContain(`<a class="button button--primary button--start" href="/apply/${itemId}">在线办理</a>`)
    expect(textOf(main)).toContain('在线办理需要登录，并完成实名认证二级及以上')
    expect(main).toMatch(
      /<button class="button button--secondary" type="button" disabled[^>]*>预约到现场（即将开通）<\/button>/,
    )
    expect(textOf(main)).toContain('网上预约即将在本平台开通')
    expect(main).toContain(`href="/services/${itemId}/print">打印指南</a>`)
  })

  it('offers 网上预审 for a depth-2 item and shows its fees in yuan', async () => {
    const main = mainOf((await get(`/services/${idOf('居民身份证换领')}`)).body)
    const text = textOf(main)
    expect(main).toContain(`href="/apply/${idOf('居民身份证换领')}">网上预审</a>`)
    expect(text).not.toContain('在线办理')
    expect(text).toContain('最多 1 次')
    expect(text).toContain('¥20.00')
    expect(text).toContain('¥40.00')
    expect(text).toContain('可减免：城市中领取最低生活保障金的居民')
    expect(main).toContain('<caption class="table__caption">收费项目</caption>')
  })

  it('names the joint departments (联办机构)', async () => {
    const text = textOf(mainOf((await get(`/services/${idOf('困难残疾人生活补贴和重度残疾人护理补贴')}`)).body))
    expect(text).toContain('联办机构潮州市潮安区残疾人联合会')
  })

  it('answers 404 for an unknown item and 400 for a malformed id, as pages', async () => {
    const unknown = await get('/services/01890000-0000-7000-8000-000000000000')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.body).toContain('找不到这个事项')
    const malformed = await get('/services/not-an-id')
    expect(malformed.statusCode).toBe(400)
    expect(malformed.headers['content-type']).toContain('text/html')
  })
})

describe('GET /services/:itemId/print', () => {
  it('has the same content without the site navigation, FAQ answers written out', async () => {
    const res = await get(`/services/${idOf('食品经营许可')}/print`)
    expect(res.statusCode).toBe(200)
    expect(res.body).not.toContain('class="site-nav"')
    expect(res.body).not.toContain('<details')
    expect(res.body).toContain('<body class="print-page">')
    const text = textOf(res.body)
    for (const title of ['受理条件', '申请材料', '办理流程', '收费标准', '常见问题', '事项信息'])
      expect(text).toContain(title)
    const demo = DEMO_ITEMS.find((d) => d.elements.taskName === '食品经营许可')!.elements
    expect(text).toContain(`答：${demo.faqs[0]!.answer}`)
    expect(res.body).toContain('data-print')
    expect(res.body).not.toMatch(/<script>|style="/)
  })
})

describe('GET /services/:itemId/files/:sha256', () => {
  it('downloads the blank form of the item as an xlsx with its name, cacheable', async () => {
    const guide = (await get(`/services/${idOf('食品经营许可')}`)).body
    const href = /href="(\/services\/[^/]+\/files\/([0-9a-f]{64}))"/.exec(guide)
    expect(href).not.toBeNull()
    const res = await t.app.inject({ method: 'GET', url: href![1]! })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(res.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK')
    expect(String(res.headers['content-disposition'])).toMatch(
      /^attachment; filename="[^"]+\.xlsx"; filename\*=UTF-8''/,
    )
    expect(decodeURIComponent(String(res.headers['content-disposition']).split("''")[1]!)).toBe(
      '食品经营许可申请书（空白表）.xlsx',
    )
    expect(res.headers.etag).toBe(`"${href![2]}"`)
    expect(res.headers['cache-control']).toBe('public, max-age=3600')
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length)
    const again = await t.app.inject({ method: 'GET', url: href![1]!, headers: { 'if-none-match': `"${href![2]}"` } })
    expect(again.statusCode).toBe(304)
    const head = await t.app.inject({ method: 'HEAD', url: href![1]! })
    expect(head.statusCode).toBe(200)
  })

  it('refuses a file of another item, garbage and unknown hashes with 404', async () => {
    const other = (await get(`/services/${idOf('企业设立登记')}`)).body
    const otherHash = /\/files\/([0-9a-f]{64})"/.exec(other)![1]!
    const food = idOf('食品经营许可')
    for (const sha of [otherHash, 'garbage', '0'.repeat(64), '..%2F..%2Fetc%2Fpasswd']) {
      const res = await t.app.inject({ method: 'GET', url: `/services/${food}/files/${sha}` })
      expect(res.statusCode, sha).toBe(404)
      expect(res.body).toContain('找不到这个文件')
    }
    // the hash itself exists in the store, under the item it belongs to
    expect(
      (await t.app.inject({ method: 'GET', url: `/services/${idOf('企业设立登记')}/files/${otherHash}` })).statusCode,
    ).toBe(200)
  })
})

describe('GET /services (办事服务)', () => {
  const departmentCounts = () => {
    const counts = new Map<string, number>()
    for (const d of DEMO_ITEMS) counts.set(d.departmentCode, (counts.get(d.departmentCode) ?? 0) + 1)
    return counts
  }

  it('lists departments with the number of published items of each', async () => {
    const main = mainOf((await get('/services')).body)
    const shown = new Map(
      [
        ...main.matchAll(
          /<a href="\/services\?department=([a-z0-9_]+)">[^<]+<\/a><span class="department-list__count">（(\d+) 个事项）<\/span>/g,
        ),
      ].map((m) => [m[1]!, Number(m[2])]),
    )
    expect(shown).toEqual(departmentCounts())
  })

  it('shows topic tiles with the number of items of each topic', async () => {
    const main = mainOf((await get('/services')).body)
    const shown = new Map(
      [
        ...main.matchAll(
          /href="\/services\?topic=([a-z_]+)"><span class="tile__name">[^<]+<\/span><span class="tile__count">(\d+) 个事项/g,
        ),
      ].map((m) => [m[1]!, Number(m[2])]),
    )
    const expected = new Map<string, number>()
    for (const d of DEMO_ITEMS)
      for (const topic of new Set(d.elements.topics)) expected.set(topic, (expected.get(topic) ?? 0) + 1)
    expect(shown).toEqual(expected)
    // every code shown is a known topic, named as in the model
    const names: Record<string, string> = { ...PERSON_TOPICS, ...ENTERPRISE_TOPICS }
    for (const code of shown.keys()) expect(main).toContain(`<span class="tile__name">${names[code]}</span>`)
  })

  it('counts items per audience and filters by it', async () => {
    const persons = DEMO_ITEMS.filter((d) => d.elements.serverType.includes('自然人')).length
    const enterprises = DEMO_ITEMS.filter((d) => d.elements.serverType.includes('法人')).length
    const main = mainOf((await get('/services')).body)
    expect(textOf(main)).toContain(`全部事项（${DEMO_ITEMS.length}）`)
    expect(textOf(main)).toContain(`个人办事（${persons}）`)
    expect(textOf(main)).toContain(`法人办事（${enterprises}）`)
    const scjForEnterprises = DEMO_ITEMS.filter(
      (d) => d.departmentCode === 'scj' && d.elements.serverType.includes('法人'),
    ).length
    const filtered = textOf(mainOf((await get('/services?audience=enterprise&department=scj')).body))
    expect(filtered).toContain(`共 ${scjForEnterprises} 个事项（法人办事）`)
  })

  it('lists a department’s items with depth, promised time and fee, and a topic’s items', async () => {
    const main = mainOf((await get('/services?department=scj')).body)
    expect(main).toContain('<h1 class="heading-xl">区市场监督管理局的办事事项</h1>')
    const names = [...main.matchAll(/<h3 class="heading-s item-list__title"><a href="[^"]+">([^<]+)<\/a>/g)].map(
      (m) => m[1],
    )
    const expected = DEMO_ITEMS.filter((d) => d.departmentCode === 'scj').map((d) => d.elements.taskName)
    expect(names.sort()).toEqual(expected.sort())
    expect(textOf(main)).toContain('全程网办')
    expect(textOf(main)).toContain('承诺时限：3 个工作日')
    const birth = DEMO_ITEMS.filter((d) => d.elements.topics.includes('birth')).length
    expect(textOf(mainOf((await get('/services?topic=birth')).body))).toContain(`共 ${birth} 个事项`)
  })

  it('pages the full list, 20 a page, in the same order on both databases', async () => {
    const page4 = mainOf((await get('/services?page=4')).body)
    const count = (html: string) => (html.match(/<li class="item-list__item">/g) ?? []).length
    expect(count(page4)).toBe(DEMO_ITEMS.length - 60)
    expect(page4).toContain('aria-current="page"><span class="visually-hidden">第</span>4')
    const first = mainOf((await get('/services')).body)
    const names = [...first.matchAll(/<h3 class="heading-s item-list__title"><a href="[^"]+">([^<]+)<\/a>/g)]
      .map((m) => m[1])
      .slice(0, 5)
    // pinyin order: 不动产…, 残疾人…, 出版物…
    expect(names).toEqual([
      '不动产登记',
      '残疾人证办理',
      '城乡居民基本养老保险参保登记',
      '城乡居民基本养老保险待遇申领',
      '城乡居民基本医疗保险参保登记',
    ])
  })

  it('says so for a page past the end, in lists and in search results', async () => {
    expect(textOf(mainOf((await get('/services?page=99')).body))).toContain('这一页没有内容')
    const search = textOf(mainOf((await get('/search?q=开饭店&page=9')).body))
    expect(search).toContain('这一页没有内容')
    expect(search).not.toContain('没有找到')
  })

  it('answers 404 with help for an unknown department or topic, 400 for a malformed one', async () => {
    const unknown = await get('/services?department=nosuch')
    expect(unknown.statusCode).toBe(404)
    expect(textOf(unknown.body)).toContain('没有找到这个部门的事项')
    expect((await get('/services?topic=nosuch')).statusCode).toBe(404)
    expect((await get('/services?department=DROP%20TABLE')).statusCode).toBe(400)
  })
})

describe('GET /search', () => {
  it('finds 食品经营许可 first for 开饭店, with the words marked', async () => {
    const res = await get('/search?q=开饭店')
    expect(res.statusCode).toBe(200)
    expect(hitNames(res.body)[0]).toBe('食品经营许可')
    expect(res.body).toContain('<mark>')
    expect(textOf(res.body)).toContain('与「开饭店」有关的事项')
  })

  it('finds 居民身份证换领 in the top three for 身份证, and by pinyin initials spjy 食品经营许可 first', async () => {
    expect(hitNames((await get('/search?q=身份证')).body).slice(0, 3)).toContain('居民身份证换领')
    expect(hitNames((await get('/search?q=spjy')).body)[0]).toBe('食品经营许可')
    expect(hitNames((await get('/search?q=社保卡丢了')).body)[0]).toBe('社会保障卡申领')
  })

  it('gives the same ordered results on both databases', async () => {
    expect(hitNames((await get('/search?q=开饭店')).body)).toEqual([
      '食品经营许可',
      '食品经营许可变更',
      '仅销售预包装食品备案',
      '城镇污水排入排水管网许可',
      '个体工商户设立登记',
      '民办幼儿园设立审批',
    ])
    expect(hitNames((await get('/search?q=生孩子')).body)).toEqual([
      '生育登记',
      '出生登记',
      '城乡居民基本医疗保险参保登记',
      '生育津贴申领',
    ])
    expect(hitNames((await get('/search?q=营业执照')).body).slice(0, 5)).toEqual([
      '企业设立登记',
      '个体工商户设立登记',
      '互联网上网服务营业场所经营许可',
      '仅销售预包装食品备案',
      '个体工商户注销登记',
    ])
  })

  it('says so when no item has all the words', async () => {
    const text = textOf((await get('/search?q=护照 宅基地')).body)
    expect(text).toContain('没有同时包含所有词语的事项，以下是部分匹配的结果')
  })

  it('narrows by audience, topic and department with links, and clears them', async () => {
    const all = (await get('/search?q=社保')).body
    expect(all).toContain('href="/search?q=%E7%A4%BE%E4%BF%9D&amp;audience=enterprise"')
    const res = await get('/search?q=社保&audience=enterprise')
    const names = hitNames(res.body)
    expect(names.length).toBeGreaterThan(0)
    const forEnterprises = new Set(
      DEMO_ITEMS.filter((d) => d.elements.serverType.includes('法人')).map((d) => d.elements.taskName),
    )
    for (const name of names) expect(forEnterprises, name).toContain(name)
    expect(res.body).toContain('aria-current="true"')
    expect(textOf(res.body)).toContain('清除全部筛选')
    const scjOnly = hitNames((await get('/search?q=许可&department=scj')).body)
    const scjNames = new Set(DEMO_ITEMS.filter((d) => d.departmentCode === 'scj').map((d) => d.elements.taskName))
    for (const name of scjOnly) expect(scjNames, name).toContain(name)
  })

  it('pages through many results', async () => {
    const first = await get('/search?q=登记')
    const total = Number(/找到 (\d+) 个/.exec(textOf(first.body))?.[1])
    expect(total).toBeGreaterThan(10)
    expect(hitNames(first.body)).toHaveLength(10)
    const second = await get('/search?q=登记&page=2')
    expect(second.body).toMatch(/<ol class="item-list search-results" start="11"/)
    expect(hitNames(second.body).some((n) => hitNames(first.body).includes(n))).toBe(false)
  })

  it('helps when nothing is found, and answers an empty query with examples', async () => {
    const none = textOf((await get('/search?q=火星移民')).body)
    expect(none).toContain('没有找到与「火星移民」有关的事项')
    expect(none).toContain('浏览全部办事服务')
    expect(none).toContain('12345')
    const empty = await get('/search')
    expect(empty.statusCode).toBe(200)
    expect(textOf(empty.body)).toContain('大家常搜')
    expect((await get('/search?q=')).statusCode).toBe(200)
  })

  it('never fails on hostile queries', async () => {
    const hostile = [
      '<script>alert(1)</script>',
      "' OR 1=1 --",
      '"unclosed',
      'NEAR(a b) AND OR NOT *',
      '身份证'.repeat(300),
      '\u0000\u202e👍🏽',
      '%',
      '\\',
    ]
    for (const q of hostile) {
      const res = await t.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent(q)}` })
      expect(res.statusCode, q).toBe(200)
      expect(res.body).not.toContain('<script>alert(1)</script>')
    }
    const tooLong = await t.app.inject({ method: 'GET', url: `/search?q=${'a'.repeat(1001)}` })
    expect(tooLong.statusCode).toBe(400)
    expect(tooLong.headers['content-type']).toContain('text/html')
    const twice = await t.app.inject({ method: 'GET', url: '/search?q=a&q=b' })
    expect(twice.statusCode).toBeLessThan(500)
  })
})

describe('GET /themes and /themes/:code (一件事)', () => {
  const names = (html: string) =>
    [...mainOf(html).matchAll(/<li class="theme-items__item"[^>]*>\s*<h3[^>]*><a href="[^"]+">([^<]+)<\/a>/g)].map(
      (m) => m[1],
    )
  const allAnswers = 'food_prep=yes&extra_business=none&signboard=no&drainage=yes&staff=yes'

  it('lists the published themes', async () => {
    const text = textOf(mainOf((await get('/themes')).body))
    for (const name of ['开办餐饮店', '新生儿出生', '退休', '结婚', '残疾人服务']) expect(text).toContain(name)
  })

  it('asks the questions as a GET form that works without JavaScript', async () => {
    const main = mainOf((await get('/themes/open_restaurant')).body)
    expect(main).toContain('<form action="/themes/open_restaurant" method="get"')
    expect(main).toContain('<legend class="field__label">您打算以什么身份经营？</legend>')
    expect(main).not.toContain('error-summary')
    expect(names(main)).toEqual([])
  })

  it('lists different items for 个体工商户 and for 公司', async () => {
    const individual = names((await get(`/themes/open_restaurant?subject=individual&${allAnswers}`)).body)
    const company = names((await get(`/themes/open_restaurant?subject=company&${allAnswers}`)).body)
    expect(individual).toContain('个体工商户设立登记')
    expect(individual).not.toContain('企业设立登记')
    expect(company).toContain('企业设立登记')
    expect(company).not.toContain('个体工商户设立登记')
    for (const list of [individual, company]) {
      expect(list).toContain('食品经营许可')
      expect(list).toContain('城镇污水排入排水管网许可')
      expect(list).toContain('职工参保登记')
    }
    const page = (await get(`/themes/open_restaurant?subject=company&${allAnswers}`)).body
    // 「一次申请」 opens the combined form with the answers given
    expect(page).toMatch(
      /<a class="button button--primary" href="\/apply\/themes\/open_restaurant\?subject=company&amp;[^"]+">一次申请<\/a>/,
    )
    expect(page).toContain('checked')
  })

  it('lists the questions still unanswered in an error summary', async () => {
    const res = await get('/themes/open_restaurant?submitted=1&subject=company')
    const main = mainOf(res.body)
    expect(main).toContain('还有问题没有回答')
    expect(main).toContain('<a href="#f-food_prep">请回答：店里是否现场制作食品或饮品？</a>')
    expect(res.body).toContain('<title>错误：开办餐饮店')
    expect(names(main)).toEqual([])
  })

  it('answers 404 for an unknown theme', async () => {
    expect((await get('/themes/nosuch')).statusCode).toBe(404)
  })
})

describe('GET / (home page)', () => {
  it('puts the search box first, then topics, themes and the most asked-for items', async () => {
    const res = await get('/')
    const main = mainOf(res.body)
    expect(main).toContain('<label class="field__label search-box__label" for="home-search-q">搜索办事事项</label>')
    expect(textOf(main)).toContain('如：开饭店、办身份证、社保卡')
    expect(main).toContain('<form action="/search" method="get"')
    expect(main).toContain('href="/services?topic=birth"')
    expect(main).toContain('href="/services?topic=establish"')
    expect(main).toContain('href="/themes/open_restaurant"')
    expect(textOf(main)).toContain('热门事项')
    expect(main).toContain(`href="/services/${idOf('居民身份证换领')}"`)
    // the platform's cards stay, lower on the page
    expect(main.indexOf('热门事项')).toBeLessThan(main.indexOf('我的消息'))
    expect(res.body).toContain('<a class="site-nav__link" href="/services">办事服务</a>')
    expect(res.body).toContain('<a class="site-nav__link" href="/themes">一件事</a>')
    expect(res.body).not.toMatch(/<script>|style="/)
  })
})

describe('versions and withdrawal', () => {
  it('keeps the old version readable after a new one is published', async () => {
    const itemId = idOf('企业注销登记')
    t.clock.advance(24 * 3600_000)
    const { versionId } = await startNewVersion(t.deps, itemAdmin, itemId)
    const current = JSON.parse((await getVersion(t.db, versionId)).elements) as ItemElements
    const changed: ItemInput = { ...current, promiseExplain: '自受理之日起 1 个工作日内办结（新版说明）' }
    await saveDraft(t.deps, itemAdmin, versionId, changed, '承诺时限说明更新')
    await submitForReview(t.deps, itemAdmin, versionId)
    await reviewVersion(t.deps, reviewer, versionId, { approve: true })
    expect((await getItem(t.db, itemId)).currentVersionId).toBe(versionId)

    const guide = textOf(mainOf((await get(`/services/${itemId}`)).body))
    expect(guide).toContain('新版说明')
    expect(guide).toContain('第 2 版')
    expect(guide).toContain('2026-03-03 10:00')

    const versions = mainOf((await get(`/services/${itemId}/versions`)).body)
    expect(textOf(versions)).toMatch(/第 2 版现行2026-03-03[\s\S]*承诺时限说明更新/)
    expect(textOf(versions)).toContain('第 1 版已被替代2026-03-02')

    const old = await get(`/services/${itemId}/versions/1`)
    expect(old.statusCode).toBe(200)
    const oldText = textOf(mainOf(old.body))
    expect(oldText).toContain('这是历史版本')
    expect(oldText).toContain('现行版本是第 2 版')
    expect(oldText).not.toContain('新版说明')
    expect(mainOf(old.body)).not.toContain('href="/apply/')
    // the blank form did not change, so the old page may still link it
    expect(old.body).toMatch(/\/files\/[0-9a-f]{64}/)

    const newest = await get(`/services/${itemId}/versions/2`)
    expect(newest.statusCode).toBe(303)
    expect(newest.headers.location).toBe(`/services/${itemId}`)
    expect((await get(`/services/${itemId}/versions/3`)).statusCode).toBe(404)
  })

  it('never shows a draft', async () => {
    const itemId = idOf('个体工商户变更登记')
    await startNewVersion(t.deps, itemAdmin, itemId)
    expect((await get(`/services/${itemId}/versions/2`)).statusCode).toBe(404)
    expect(textOf(mainOf((await get(`/services/${itemId}/versions`)).body))).not.toContain('第 2 版')
  })

  it('shows an item handled only on site without an online button', async () => {
    const { itemId, versionId } = await createItem(
      t.deps,
      itemAdmin,
      sampleItem({
        catalogCode: '1SCJ00000991',
        taskName: '到现场办理的测试事项',
        onlineHandleDepth: 1,
        isOnline: false,
        limitSceneNum: 1,
        handleType: ['窗口办理'],
        isSchedule: false,
      }),
    )
    await submitForReview(t.deps, itemAdmin, versionId)
    await reviewVersion(t.deps, reviewer, versionId, { approve: true })
    const main = mainOf((await get(`/services/${itemId}`)).body)
    expect(textOf(main)).toContain('本事项需要到现场办理')
    expect(textOf(main)).toContain('需到现场办理')
    expect(main).not.toContain('在线办理')
    expect(main).not.toContain('预约到现场')
  })

  it('explains a withdrawn item with 410, keeps its history, and stops serving its files', async () => {
    const itemId = idOf('食品小作坊登记')
    const before = (await get(`/services/${itemId}`)).body
    const file = /href="(\/services\/[^"]+\/files\/[0-9a-f]{64})"/.exec(before)![1]!
    await withdrawItem(t.deps, reviewer, itemId, '职能调整，并入食品经营许可')
    const res = await get(`/services/${itemId}`)
    expect(res.statusCode).toBe(410)
    const text = textOf(mainOf(res.body))
    expect(text).toContain('「食品小作坊登记」已停止办理')
    expect(text).toContain('撤销原因：职能调整，并入食品经营许可')
    expect(text).toContain('12345')
    expect(text).toContain('0768-5800105')
    expect((await get(`/services/${itemId}/print`)).statusCode).toBe(410)
    expect((await t.app.inject({ method: 'GET', url: file })).statusCode).toBe(404)
    const history = await get(`/services/${itemId}/versions`)
    expect(history.statusCode).toBe(200)
    expect(textOf(history.body)).toContain('该事项已撤销')
    expect(hitNames((await get('/search?q=食品小作坊登记')).body)).not.toContain('食品小作坊登记')
    expect(mainOf((await get('/services?department=scj')).body)).not.toContain('食品小作坊登记')
  })
})

describe('latency (measured and reported, not asserted)', () => {
  it('answers search and guide pages quickly on the demo catalog', async () => {
    const median = async (url: string, runs = 50) => {
      const times: number[] = []
      for (let i = 0; i < runs; i++) {
        const started = performance.now()
        const res = await get(url)
        times.push(performance.now() - started)
        expect(res.statusCode).toBeLessThan(500)
      }
      times.sort((a, b) => a - b)
      return Math.round(times[Math.floor(times.length / 2)]! * 10) / 10
    }
    const results = {
      database: onPostgres ? 'postgres' : 'sqlite',
      'GET /search?q=开饭店': await median('/search?q=开饭店'),
      'GET /search?q=身份证': await median('/search?q=身份证'),
      'GET /api/search?q=社保卡丢了': await median('/api/search?q=社保卡丢了'),
      'GET /api/search/suggest?q=社保': await median('/api/search/suggest?q=社保'),
      'GET /services/:id (食品经营许可)': await median(`/services/${idOf('食品经营许可')}`),
      'GET /services': await median('/services'),
      'GET /': await median('/'),
    }
    console.log('median latency in ms (50 sequential injects):', results)
  })
})
