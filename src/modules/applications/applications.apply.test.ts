/**
 * Applying online as a citizen does in a browser without JavaScript: the form with its prefilled
 * answers and materials, drafts saved by 保存草稿 (and by the autosave endpoint) and resumed in a
 * new session, uploads checked by content and size, 核对信息, and one application per form token
 * however often it is posted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formFields, itemNamed, multipart, sampleFormData, type Upload } from '../../../test/applications.js'
import { buildTestApp, formSession, type TestApp } from '../../../test/helpers.js'
import { loginAs } from '../../../test/login.js'
import { runSeed } from '../../seed.js'
import type { ItemElements } from '../catalog/index.js'
import type { FormDefinition } from './applications.forms.js'

let t: TestApp
let food: { itemId: string; form: FormDefinition; elements: ItemElements }

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
)
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z') // Monday 09:00 in Shanghai
  await runSeed(t.modules, { print: false })
  food = await itemNamed(t.db, '食品经营许可')
})
afterAll(async () => t?.close())

// ---------------------------------------------------------------------------------------------
// Helpers: a browser without JavaScript

/** A logged-in citizen's browser: cookies kept, the page's CSRF token used as the form does. */
async function citizen(account = '445103198503120029') {
  const login = await loginAs(t.app, t.clock, account)
  expect(login.status, login.body).toBe(303)
  let cookie = login.cookie
  return {
    get cookie() {
      return cookie
    },
    get: (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } }),
    /** Posts the apply form (multipart, token in the query string). */
    async postApply(itemId: string, fields: [string, string][], files: Upload[] = []) {
      const session = await formSession(t.app, `/apply/${itemId}`, cookie)
      cookie = session.cookie
      const body = multipart([['_csrf', session.token], ...fields], files)
      return t.app.inject({
        method: 'POST',
        url: `/apply/${itemId}?_csrf=${encodeURIComponent(session.token)}`,
        headers: { cookie, 'content-type': body.contentType },
        payload: body.payload,
      })
    },
    /** Posts a urlencoded form with the token of `pageUrl`. */
    async post(pageUrl: string, url: string, fields: Record<string, string>) {
      const session = await formSession(t.app, pageUrl, cookie)
      cookie = session.cookie
      return t.app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: session.token, ...fields }).toString(),
      })
    },
  }
}

type Browser = Awaited<ReturnType<typeof citizen>>

const mainOf = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>'))
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
const requiredMaterials = () => food.elements.materials.filter((m) => m.isNeed)
const pdfFor = (code: string, filename = `${code}.pdf`): Upload => ({
  name: `materials.${code}`,
  filename,
  content: PDF,
  type: 'application/pdf',
})

async function applicationCount(personName = '陈晓燕') {
  const row = await t.db
    .selectFrom('applications')
    .innerJoin('persons', 'persons.id', 'applications.applicantPersonId')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('persons.name', '=', personName)
    .where('applications.state', '!=', 'draft')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

async function discard(browser: Browser, itemId: string) {
  await browser.post('/my/applications', `/my/applications/drafts/${itemId}/delete`, {})
}

/** Fills in the whole form and uploads a PDF for every required material; returns the check page. */
async function completeDraft(browser: Browser, item = food) {
  const fields = formFields(item.form, sampleFormData(item.form))
  const files = item.elements.materials.filter((m) => m.isNeed).map((m) => pdfFor(m.materialCode))
  const res = await browser.postApply(item.itemId, [...fields, ['_action', 'next']], files)
  expect(res.statusCode, textOf(mainOf(res.body)).slice(0, 2000)).toBe(303)
  expect(res.headers.location).toBe(`/apply/${item.itemId}/check`)
  return browser.get(`/apply/${item.itemId}/check`)
}

const tokenOf = (html: string) => /name="token" value="([^"]+)"/.exec(html)?.[1] ?? ''

// ---------------------------------------------------------------------------------------------

describe('GET /apply/:itemId', () => {
  it('sends a visitor to log in and refuses staff', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: `/apply/${food.itemId}` })
    expect(anonymous.statusCode).toBe(303)
    expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent(`/apply/${food.itemId}`)}`)
    const staff = await loginAs(t.app, t.clock, 'window01')
    const refused = await t.app.inject({
      method: 'GET',
      url: `/apply/${food.itemId}`,
      headers: { cookie: staff.cookie },
    })
    expect(refused.statusCode).toBe(403)
  })

  it('shows the form with 办理须知, prefilled answers and their source, and every material', async () => {
    const browser = await citizen()
    const res = await browser.get(`/apply/${food.itemId}`)
    expect(res.statusCode).toBe(200)
    const main = mainOf(res.body)
    const text = textOf(main)
    expect(text).toContain('食品经营许可')
    expect(text).toContain('办理须知')
    expect(text).toContain('承诺 3 个工作日')
    expect(text).toContain('0 次（全程网上办理）')
    expect(main).toContain(`href="/services/${food.itemId}"`)
    // contact prefilled from the real-name record, with the source beside it
    expect(main).toMatch(/name="contact\.name"[^>]*value="陈晓燕"/)
    expect(main).toMatch(/name="contact\.mobile"[^>]*value="13800000001"/)
    expect(text).toContain('来自实名信息')
    // multipart, CSRF token in the action; the buttons
    expect(main).toMatch(/<form action="\/apply\/[^"?]+\?_csrf=[^"]+" method="post" enctype="multipart\/form-data"/)
    expect(text).toContain('保存草稿')
    expect(text).toContain('下一步：核对信息')
    // materials: required tags, file inputs, blank form, e-license note, 容缺
    for (const m of food.elements.materials) {
      expect(main).toContain(`id="f-materials-${m.materialCode}"`)
      expect(main).toContain(`name="materials.${m.materialCode}" type="file" multiple`)
    }
    expect(main).toMatch(new RegExp(`href="/services/${food.itemId}/files/[0-9a-f]{64}"[^>]*>下载空白表格`))
    expect(text).toContain('可调用电子证照，无需上传')
    expect(main).toContain('name="materials.safety_rules_list.defer"')
    expect(main).toContain('name="materials.safety_rules_list.until.year"')
  })

  it('tells a person whose identity is not checked well enough how to get there (403)', async () => {
    const elder = await citizen('445103195511200068') // 吴秀英, 实名一级
    const res = await elder.get(`/apply/${food.itemId}`)
    expect(res.statusCode).toBe(403)
    const text = textOf(mainOf(res.body))
    expect(text).toContain('需要更高级别的实名认证')
    expect(text).toContain('二级')
    expect(text).toContain('返回办事指南')
  })

  it('prefills from the enterprise a person acts for, and asks for the right identity where the item needs it', async () => {
    const huang = await citizen('445103199001010043') // 黄丽娜, legal representative of 金记
    const person = await t.db.selectFrom('persons').select('id').where('name', '=', '黄丽娜').executeTakeFirstOrThrow()
    const enterprise = await t.db
      .selectFrom('enterprises')
      .select(['id', 'name', 'creditCode'])
      .where('legalRepPersonId', '=', person.id)
      .executeTakeFirstOrThrow()
    // as herself, an item for enterprises only says how to switch
    const drugs = await itemNamed(t.db, '药品零售经营许可')
    const asPerson = await huang.get(`/apply/${drugs.itemId}`)
    expect(asPerson.statusCode).toBe(403)
    expect(textOf(mainOf(asPerson.body))).toContain('请以企业身份申请')
    expect(mainOf(asPerson.body)).toContain('href="/my/enterprises"')
    // switched to the enterprise: its name, code and legal representative come prefilled
    const switched = await huang.post('/my/enterprises', '/my/acting-as', { enterpriseId: enterprise.id })
    expect(switched.statusCode).toBe(303)
    const page = await huang.get(`/apply/${food.itemId}`)
    expect(page.statusCode).toBe(200)
    const main = mainOf(page.body)
    expect(main).toMatch(new RegExp(`name="subject\\.name"[^>]*value="${enterprise.name}"`))
    expect(main).toMatch(new RegExp(`name="subject\\.credit_code"[^>]*value="${enterprise.creditCode}"`))
    expect(main).toMatch(/name="subject\.legal_rep"[^>]*value="黄丽娜"/)
    expect(textOf(main)).toContain('来自企业实名信息')
    expect(textOf(main)).toContain(`在线办理（代表 ${enterprise.name}）`)
    // an item for persons only is refused while acting for the enterprise
    const card = await itemNamed(t.db, '社会保障卡申领')
    const refused = await huang.get(`/apply/${card.itemId}`)
    expect(refused.statusCode).toBe(403)
    expect(textOf(mainOf(refused.body))).toContain('请以个人身份申请')
  })

  it('answers 404 for an unknown item', async () => {
    const browser = await citizen()
    const res = await browser.get('/apply/01890000-0000-7000-8000-000000000000')
    expect(res.statusCode).toBe(404)
  })
})

describe('drafts', () => {
  it('保存草稿 without JavaScript keeps everything typed, and a new session opens it again', async () => {
    const browser = await citizen()
    const res = await browser.postApply(
      food.itemId,
      [
        ['business.premises_address', '潮州市潮安区庵埠镇开濠村 99 号'],
        ['business.area', '85.5'],
        ['business.items', 'hot_food'],
        ['business.items', 'drinks'],
        ['contact.mobile', '1380000'], // not a mobile number yet: kept, and said so
        ['materials.safety_rules_list.defer', 'yes'],
        ['materials.safety_rules_list.until.year', '2026'],
        ['materials.safety_rules_list.until.month', '3'],
        ['materials.safety_rules_list.until.day', '20'],
        ['_action', 'save'],
      ],
      [pdfFor('application_form', '申请书.pdf')],
    )
    expect(res.statusCode).toBe(422)
    const main = mainOf(res.body)
    expect(textOf(main)).toContain('草稿已保存，但以下内容需要修改')
    expect(main).toMatch(/href="#f-contact-mobile"/)
    expect(main).toMatch(/name="contact\.mobile"[^>]*value="1380000"/)

    // a new session (another device): the draft with its answers, file and 容缺
    const other = await citizen()
    const again = await other.get(`/apply/${food.itemId}`)
    expect(again.statusCode).toBe(200)
    const page = mainOf(again.body)
    expect(textOf(page)).toContain('已为您打开上次保存的草稿')
    expect(page).toMatch(/name="business\.premises_address"[^>]*value="潮州市潮安区庵埠镇开濠村 99 号"/)
    expect(page).toMatch(/name="business\.area"[^>]*value="85.5"/)
    expect(page).toMatch(/value="hot_food" checked/)
    expect(page).toMatch(/value="drinks" checked/)
    expect(page).toMatch(/name="contact\.mobile"[^>]*value="1380000"/)
    expect(textOf(page)).toMatch(/已上传：申请书\.pdf（\d+ 字节）/)
    expect(page).toMatch(/name="materials\.safety_rules_list\.defer" value="yes" checked/)
    expect(page).toMatch(/name="materials\.safety_rules_list\.until\.day"[^>]*value="20"/)
    // and it is listed under 我的办件 with 继续填写
    const list = textOf(mainOf((await other.get('/my/applications')).body))
    expect(list).toContain('未提交的草稿')
    expect(list).toContain('继续填写')
    await discard(other, food.itemId)
  })

  it('a clean 保存草稿 goes back to the form (post / redirect / get) with 草稿已保存', async () => {
    const browser = await citizen()
    const res = await browser.postApply(food.itemId, [
      ['business.area', '40'],
      ['_action', 'save'],
    ])
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`/apply/${food.itemId}?saved=1`)
    const page = await browser.get(res.headers.location as string)
    expect(textOf(mainOf(page.body))).toContain('草稿已保存')
    await discard(browser, food.itemId)
  })

  it('autosaves the typed answers as JSON and leaves the uploaded files alone', async () => {
    const browser = await citizen()
    await browser.postApply(food.itemId, [['_action', 'save']], [pdfFor('application_form')])
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/applications/drafts/${food.itemId}`,
      headers: { cookie: browser.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({
        fields: { 'business.premises_address': ['庵埠镇文里路 8 号'], 'business.staff_count': ['abc'] },
      }),
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ savedAt: '2026-03-02T01:00:00.000Z', savedAtText: '09:00', problems: 1 })
    const page = mainOf((await browser.get(`/apply/${food.itemId}`)).body)
    expect(page).toMatch(/name="business\.premises_address"[^>]*value="庵埠镇文里路 8 号"/)
    expect(page).toMatch(/name="business\.staff_count"[^>]*value="abc"/)
    expect(textOf(page)).toContain('已上传：application_form.pdf')
    // only for the person's own draft: anonymous callers are refused
    const anonymous = await t.app.inject({
      method: 'POST',
      url: `/api/applications/drafts/${food.itemId}`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ fields: {} }),
    })
    expect(anonymous.statusCode).toBe(401)
    await discard(browser, food.itemId)
  })

  it('adds and removes rows of a repeating section without JavaScript', async () => {
    const browser = await citizen()
    const added = await browser.postApply(food.itemId, [
      ['safety_staff[0]._row', '1'],
      ['safety_staff[0].name', '陈一'],
      ['_action', 'add:safety_staff'],
    ])
    expect(added.statusCode).toBe(200)
    const main = mainOf(added.body)
    expect(main).toMatch(/name="safety_staff\[0\]\.name"[^>]*value="陈一"/)
    expect(main).toContain('name="safety_staff[1].name"')
    const removed = await browser.postApply(food.itemId, [
      ['safety_staff[0]._row', '1'],
      ['safety_staff[0].name', '陈一'],
      ['safety_staff[1]._row', '1'],
      ['safety_staff[1].name', '陈二'],
      ['_action', 'remove:safety_staff:0'],
    ])
    expect(removed.statusCode).toBe(200)
    const after = mainOf(removed.body)
    expect(after).toMatch(/name="safety_staff\[0\]\.name"[^>]*value="陈二"/)
    expect(after).not.toContain('name="safety_staff[1].name"')
    await discard(browser, food.itemId)
  })
})

describe('uploads', () => {
  it('answers a form cut off in the middle of a file with 400 and a message, keeping nothing', async () => {
    const browser = await citizen()
    const session = await formSession(t.app, `/apply/${food.itemId}`, browser.cookie)
    const before = await applicationCount()
    const res = await t.app.inject({
      method: 'POST',
      url: `/apply/${food.itemId}?_csrf=${encodeURIComponent(session.token)}`,
      headers: { cookie: session.cookie, 'content-type': 'multipart/form-data; boundary=cut' },
      payload:
        '--cut\r\nContent-Disposition: form-data; name="_action"\r\n\r\nnext\r\n--cut\r\nContent-Disposition: form-data; name="materials.layout_and_process"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n1 0 obj',
    })
    expect(res.statusCode).toBe(400)
    expect(textOf(mainOf(res.body))).toContain('表单内容不完整或格式不正确')
    expect(await applicationCount()).toBe(before)
  })

  it('stores a real PDF and PNG, lists them with their size, and 删除 takes one away', async () => {
    const browser = await citizen()
    const res = await browser.postApply(
      food.itemId,
      [['_action', 'save']],
      [
        pdfFor('layout_and_process', '平面图.pdf'),
        { ...pdfFor('layout_and_process'), filename: '现场照片.png', content: PNG, type: 'image/png' },
      ],
    )
    expect(res.statusCode).toBe(303)
    const page = mainOf((await browser.get(`/apply/${food.itemId}`)).body)
    expect(textOf(page)).toMatch(/已上传：平面图\.pdf（\d+ 字节）/)
    expect(textOf(page)).toMatch(/已上传：现场照片\.png（\d+ 字节）/)
    const remove = /name="_action" value="(remove-file:layout_and_process:[0-9a-f]{64})"/.exec(page)?.[1]
    expect(remove).toBeDefined()
    const removed = await browser.postApply(food.itemId, [['_action', remove!]])
    expect(removed.statusCode).toBe(303)
    expect(removed.headers.location).toBe(`/apply/${food.itemId}#f-materials-layout_and_process`)
    const after = textOf(mainOf((await browser.get(`/apply/${food.itemId}`)).body))
    expect(after.match(/已上传：/g)).toHaveLength(1)
    await discard(browser, food.itemId)
  })

  it('refuses a text file named .pdf with a clear message (by content, not the name)', async () => {
    const browser = await citizen()
    const res = await browser.postApply(
      food.itemId,
      [
        ['business.area', '60'],
        ['_action', 'save'],
      ],
      [
        {
          name: 'materials.application_form',
          filename: '申请书.pdf',
          content: Buffer.from('这不是 PDF'),
          type: 'application/pdf',
        },
      ],
    )
    expect(res.statusCode).toBe(415)
    const main = mainOf(res.body)
    expect(textOf(main)).toContain('「申请书.pdf」未能上传：只能上传 PDF、JPG、PNG、OFD 格式的文件')
    expect(textOf(main)).toContain('修改文件扩展名不起作用')
    expect(main).toContain('href="#f-materials-application_form"')
    // what was typed is kept (and saved)
    expect(main).toMatch(/name="business\.area"[^>]*value="60"/)
    await discard(browser, food.itemId)
  })

  it('answers 413 with a message for a file over 10 MB, and keeps the rest of the post', async () => {
    const browser = await citizen()
    const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024, 0x20)])
    const res = await browser.postApply(
      food.itemId,
      [
        ['business.area', '70'],
        ['_action', 'save'],
      ],
      [
        { name: 'materials.layout_and_process', filename: '扫描件.pdf', content: big, type: 'application/pdf' },
        pdfFor('application_form', '申请书.pdf'),
      ],
    )
    expect(res.statusCode).toBe(413)
    const text = textOf(mainOf(res.body))
    expect(text).toContain('「扫描件.pdf」未能上传：文件不能超过 10 MB')
    expect(text).toMatch(/已上传：申请书\.pdf/)
    expect(mainOf(res.body)).toMatch(/name="business\.area"[^>]*value="70"/)
    await discard(browser, food.itemId)
  })
})

describe('核对信息 and submitting', () => {
  it('下一步 with gaps re-renders the form listing every problem, fields and materials, keeping what was typed', async () => {
    const browser = await citizen()
    const res = await browser.postApply(food.itemId, [
      ['business.area', '88'],
      ['contact.mobile', '12345'],
      ['_action', 'next'],
    ])
    expect(res.statusCode).toBe(422)
    const main = mainOf(res.body)
    const summary = main.slice(main.indexOf('error-summary'), main.indexOf('</ul>', main.indexOf('error-summary')))
    expect(summary).toContain('href="#f-business-subject_type"')
    expect(summary).toContain('href="#f-contact-mobile"')
    for (const m of requiredMaterials()) {
      expect(summary).toContain(`href="#f-materials-${m.materialCode}"`)
      expect(textOf(summary)).toContain(`请提供「${m.materialName}」`)
    }
    expect(main).toMatch(/name="business\.area"[^>]*value="88"/)
    expect(main).toMatch(/name="contact\.mobile"[^>]*value="12345"/)
    await discard(browser, food.itemId)
  })

  it('shows the answers with 修改 links, the materials and the declaration', async () => {
    const browser = await citizen()
    const check = await completeDraft(browser)
    expect(check.statusCode).toBe(200)
    const main = mainOf(check.body)
    const text = textOf(main)
    expect(text).toContain('核对填写的信息')
    expect(main).toContain(`href="/apply/${food.itemId}#f-business"`)
    expect(main).toContain(`href="/apply/${food.itemId}#materials"`)
    expect(text).toContain('application_form.pdf')
    expect(text).toContain('本人承诺所填内容和所交材料真实有效')
    expect(tokenOf(main)).toMatch(/^[A-Za-z0-9_-]{32}$/)
    // a fresh token each time the page is shown
    expect(tokenOf(mainOf((await browser.get(`/apply/${food.itemId}/check`)).body))).not.toBe(tokenOf(main))
    await discard(browser, food.itemId)
  })

  it('needs the declaration ticked', async () => {
    const browser = await citizen()
    const check = await completeDraft(browser)
    const res = await browser.post(`/apply/${food.itemId}/check`, `/apply/${food.itemId}/submit`, {
      token: tokenOf(check.body),
    })
    expect(res.statusCode).toBe(422)
    expect(textOf(mainOf(res.body))).toContain('请勾选承诺：本人承诺所填内容和所交材料真实有效')
    expect(mainOf(res.body)).toContain('href="#f-declaration"')
    await discard(browser, food.itemId)
  })

  it('submits once: the same token posted twice, then five times at once, gives one application', async () => {
    const browser = await citizen()
    const before = await applicationCount()
    const check = await completeDraft(browser)
    const token = tokenOf(check.body)
    // one page, its form posted again and again (double click, reload, retry after a lost answer)
    const session = await formSession(t.app, `/apply/${food.itemId}/check`, browser.cookie)
    const submit = () =>
      t.app.inject({
        method: 'POST',
        url: `/apply/${food.itemId}/submit`,
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: session.token, token, declaration: 'yes' }).toString(),
      })
    const first = await submit()
    expect(first.statusCode).toBe(303)
    const location = first.headers.location as string
    expect(location).toMatch(/^\/my\/applications\/[0-9a-f-]{36}\/submitted$/)
    const second = await submit()
    expect(second.headers.location).toBe(location)
    const many = await Promise.all(Array.from({ length: 5 }, submit))
    expect(many.map((r) => r.headers.location)).toEqual(Array(5).fill(location))
    expect(await applicationCount()).toBe(before + 1)

    // the confirmation: the number grouped, what happens next, the way on
    const done = await browser.get(location)
    const text = textOf(mainOf(done.body))
    expect(text).toContain('申请已提交')
    expect(text).toMatch(/445103-20260302-\d{6}/)
    expect(text).toContain('5 个工作日内')
    expect(text).toContain('受理后 3 个工作日')
    expect(mainOf(done.body)).toContain('href="/my/applications"')
    expect(mainOf(done.body)).toContain('href="/progress"')
    // the draft became the application
    expect(textOf(mainOf((await browser.get('/my/applications')).body))).not.toContain('未提交的草稿')
  })

  it('each check page has its own token, so each form submitted is its own application; 容缺 goes with it', async () => {
    const browser = await citizen()
    const before = await applicationCount()
    // 容缺 for the rules list instead of a file
    const deferred = await browser.postApply(
      food.itemId,
      [
        ...formFields(food.form, sampleFormData(food.form)),
        ['materials.safety_rules_list.defer', 'yes'],
        ['materials.safety_rules_list.until.year', '2026'],
        ['materials.safety_rules_list.until.month', '03'],
        ['materials.safety_rules_list.until.day', '20'],
        ['_action', 'next'],
      ],
      requiredMaterials()
        .filter((m) => m.materialCode !== 'safety_rules_list')
        .map((m) => pdfFor(m.materialCode)),
    )
    expect(deferred.statusCode).toBe(303)
    const check = await browser.get(`/apply/${food.itemId}/check`)
    expect(textOf(mainOf(check.body))).toContain('容缺：承诺于 2026年3月20日 前补交')
    const res = await browser.post(`/apply/${food.itemId}/check`, `/apply/${food.itemId}/submit`, {
      token: tokenOf(check.body),
      declaration: 'yes',
    })
    expect(res.statusCode).toBe(303)
    expect(await applicationCount()).toBe(before + 1)
    const id = /\/my\/applications\/([0-9a-f-]{36})\//.exec(res.headers.location as string)![1]!
    const materials = await t.db
      .selectFrom('applicationMaterials')
      .select(['kind', 'deferredUntil', 'trustGrade'])
      .where('applicationId', '=', id)
      .where('materialCode', '=', 'safety_rules_list')
      .execute()
    expect(materials).toEqual([{ kind: 'deferred', deferredUntil: '2026-03-20', trustGrade: 'd' }])

    // five check pages (five tokens), each submitted: five applications
    const pages = []
    for (let i = 0; i < 5; i++) {
      await completeDraft(browser)
      const session = await formSession(t.app, `/apply/${food.itemId}/check`, browser.cookie)
      pages.push({ session, token: tokenOf((await browser.get(`/apply/${food.itemId}/check`)).body) })
      const sent = await t.app.inject({
        method: 'POST',
        url: `/apply/${food.itemId}/submit`,
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: session.token, token: pages[i]!.token, declaration: 'yes' }).toString(),
      })
      expect(sent.statusCode).toBe(303)
    }
    expect(new Set(pages.map((p) => p.token)).size).toBe(5)
    expect(await applicationCount()).toBe(before + 6)
  })

  it('an 即办件 decided by rule says 已即时办结', async () => {
    const card = await itemNamed(t.db, '社会保障卡申领')
    const browser = await citizen()
    await completeDraft(browser, card)
    const check = await browser.get(`/apply/${card.itemId}/check`)
    const res = await browser.post(`/apply/${card.itemId}/check`, `/apply/${card.itemId}/submit`, {
      token: tokenOf(check.body),
      declaration: 'yes',
    })
    expect(res.statusCode).toBe(303)
    const done = textOf(mainOf((await browser.get(res.headers.location as string)).body))
    expect(done).toContain('已即时办结')
    expect(done).toContain('系统已按规则即时作出准予决定')
  })

  it('with no draft and an unknown token, nothing is submitted and the form says what is missing', async () => {
    const browser = await citizen()
    await discard(browser, food.itemId)
    const res = await browser.post(`/apply/${food.itemId}`, `/apply/${food.itemId}/submit`, {
      token: 'never-used-token-123',
      declaration: 'yes',
    })
    // no draft and an unknown token: nothing to submit, so the form lists what is needed
    expect(res.statusCode).toBe(422)
    expect(textOf(mainOf(res.body))).toContain('请提供「食品经营许可申请书」')
  })
})
