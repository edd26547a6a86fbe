/**
 * After submitting, as the applicant sees it: 我的办件 with drafts, the case page (timeline,
 * notices, materials, answers), the printable notices, the one-notice correction, 撤回, messages
 * that lead to the case, and the public progress query. Staff act through the service, as the
 * window would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal, sampleFormData, sampleMaterials, staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, formSession, type TestApp } from '../../../test/helpers.js'
import { loginAs } from '../../../test/login.js'
import type { Principal } from '../../platform/auth/principal.js'
import { documentTypes } from '../../platform/files/files.js'
import { runSeed } from '../../seed.js'
import { getVersion, type ItemElements } from '../catalog/index.js'
import { formFor } from './applications.forms.registry.js'
import {
  acceptApplication,
  getApplication,
  requestCorrection,
  saveApplicationDraft,
  submitApplication,
} from './applications.service.js'

let t: TestApp
let chen: Principal
let window01: Principal
let keys = 0
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n%corrected\n')

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } })
  t.clock.set('2026-03-02T01:00:00.000Z') // Monday 09:00 in Shanghai
  await runSeed(t.modules, { print: false })
  chen = await citizenPrincipal(t.db, '陈晓燕')
  window01 = await staffPrincipal(t.db, 'window01')
})
afterAll(async () => t?.close())

async function itemNamed(name: string) {
  const row = await t.db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.id as versionId'])
    .where('itemVersions.taskName', '=', name)
    .executeTakeFirstOrThrow()
  const version = await getVersion(t.db, row.versionId)
  return { itemId: row.id, version, elements: JSON.parse(version.elements) as ItemElements }
}

async function apply(who: Principal = chen, name = '食品经营许可') {
  const { itemId, version, elements } = await itemNamed(name)
  return submitApplication(t.deps, who, {
    itemId,
    idempotencyKey: `my-test-${++keys}-key`,
    formData: sampleFormData(formFor(version)),
    materials: await sampleMaterials(t.deps.files, elements, documentTypes),
  })
}

const mainOf = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>'))
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
const grouped = (no: string) => `${no.slice(0, 6)}-${no.slice(6, 14)}-${no.slice(14)}`

async function browser(account: string) {
  const login = await loginAs(t.app, t.clock, account)
  // 303 onwards; staff enrolling their authenticator first see their recovery codes (200)
  expect([200, 303], login.body.slice(0, 300)).toContain(login.status)
  let cookie = login.cookie
  return {
    get: (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } }),
    async post(pageUrl: string, url: string, fields: Record<string, string | string[]>) {
      const session = await formSession(t.app, pageUrl, cookie)
      cookie = session.cookie
      const body = new URLSearchParams({ _csrf: session.token })
      for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x)
      return t.app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      })
    },
    async postMultipart(
      pageUrl: string,
      url: string,
      fields: [string, string][],
      files: { name: string; filename: string; content: Buffer }[] = [],
    ) {
      const session = await formSession(t.app, pageUrl, cookie)
      cookie = session.cookie
      const boundary = `----yiwang${Math.random().toString(16).slice(2)}`
      const chunks: Buffer[] = []
      for (const [name, value] of [['_csrf', session.token], ...fields]) {
        chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
      }
      for (const f of files) {
        chunks.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: application/pdf\r\n\r\n`,
          ),
          f.content,
          Buffer.from('\r\n'),
        )
      }
      chunks.push(Buffer.from(`--${boundary}--\r\n`))
      return t.app.inject({
        method: 'POST',
        url: `${url}?_csrf=${encodeURIComponent(session.token)}`,
        headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: Buffer.concat(chunks),
      })
    },
  }
}

const CHEN = '445103198503120029'
const LIN = '445103196208150031'

describe('GET /my/applications', () => {
  it('lists the person’s applications newest first with coloured state tags, and drafts apart with 继续填写 and 删除', async () => {
    const first = await apply()
    const second = await apply(chen, '社会保障卡申领')
    const card = await itemNamed('个体工商户设立登记')
    await saveApplicationDraft(t.deps, chen, { itemId: card.itemId, formData: {}, materials: [] })
    const chenBrowser = await browser(CHEN)
    const res = await chenBrowser.get('/my/applications')
    expect(res.statusCode).toBe(200)
    const main = mainOf(res.body)
    const text = textOf(main)
    expect(text.indexOf(grouped(second.applicationNo!))).toBeLessThan(text.indexOf(grouped(first.applicationNo!)))
    expect(main).toContain(`href="/my/applications/${first.id}"`)
    expect(main).toContain('<strong class="tag tag--blue">已提交，待受理</strong>')
    expect(main).toContain('<strong class="tag tag--green">已办结</strong>') // 即办件 decided by rule
    expect(text).toContain('未提交的草稿')
    expect(main).toContain(`href="/apply/${card.itemId}"`)
    expect(text).toContain('个体工商户设立登记')

    const deleted = await chenBrowser.post('/my/applications', `/my/applications/drafts/${card.itemId}/delete`, {})
    expect(deleted.statusCode).toBe(303)
    const after = textOf(mainOf((await chenBrowser.get(deleted.headers.location as string)).body))
    expect(after).toContain('草稿已删除')
    expect(after).not.toContain('未提交的草稿')

    // another person sees none of them
    const lin = await browser(LIN)
    const theirs = mainOf((await lin.get('/my/applications')).body)
    expect(theirs).not.toContain(first.id)
    expect(textOf(theirs)).toContain('还没有提交过申请')
  })

  it('pages through many applications', async () => {
    const lin = await citizenPrincipal(t.db, '林振华')
    for (let i = 0; i < 21; i++) await apply(lin)
    const linBrowser = await browser(LIN)
    const page1 = mainOf((await linBrowser.get('/my/applications')).body)
    expect(textOf(page1)).toContain('共 21 件')
    expect(page1).toContain('href="/my/applications?page=2"')
    const page2 = mainOf((await linBrowser.get('/my/applications?page=2')).body)
    expect(page2.match(/<tr>/g)?.length).toBe(2) // the header row and one application
  })
})

describe('the case page', () => {
  it('shows the summary, the timeline (Beijing time, roles not names), the notices and the materials', async () => {
    const app = await apply()
    await acceptApplication(t.deps, window01, app.id)
    const chenBrowser = await browser(CHEN)
    const res = await chenBrowser.get(`/my/applications/${app.id}`)
    expect(res.statusCode).toBe(200)
    const main = mainOf(res.body)
    const text = textOf(main)
    expect(text).toContain(grouped(app.applicationNo!))
    expect(text).toContain('潮州市潮安区市场监督管理局')
    expect(text).toContain('办理中')
    expect(text).toContain('2026-03-02 09:00')
    expect(text).toMatch(/承诺办结日期2026年3月\d+日/)
    expect(text).toContain('承诺时限：已用 0 个工作日')
    // timeline: every step, who as a role
    expect(text).toContain('提交申请')
    expect(text).toContain('申请人')
    expect(text).toMatch(/受理.*潮州市潮安区市场监督管理局窗口受理人员/)
    expect(text).not.toContain('郑晓玲') // window01's name is never shown to the applicant
    // notices link to their printable page
    const notice = await t.db
      .selectFrom('notices')
      .select(['id', 'number'])
      .where('applicationId', '=', app.id)
      .executeTakeFirstOrThrow()
    expect(main).toContain(`href="/my/applications/${app.id}/notices/${notice.id}"`)
    expect(text).toContain(notice.number)
    // materials with download links; the answers read-only
    const material = /href="(\/my\/applications\/[^"]+\/materials\/[^"]+)"/.exec(main)?.[1]
    expect(material).toBeDefined()
    const file = await chenBrowser.get(material!)
    expect(file.statusCode).toBe(200)
    expect(file.headers['content-type']).toBe('application/pdf')
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename=/)
    expect(text).toContain('经营信息')
    expect(main).not.toContain('修改<span') // no 修改 links: read-only
    expect(text).toContain('撤回申请')
  })

  it('gives another citizen 404 for someone else’s case, its notices and its files', async () => {
    const app = await apply()
    await acceptApplication(t.deps, window01, app.id)
    const notice = await t.db
      .selectFrom('notices')
      .select('id')
      .where('applicationId', '=', app.id)
      .executeTakeFirstOrThrow()
    const material = await t.db
      .selectFrom('applicationMaterials')
      .select('id')
      .where('applicationId', '=', app.id)
      .executeTakeFirstOrThrow()
    const lin = await browser(LIN)
    for (const url of [
      `/my/applications/${app.id}`,
      `/my/applications/${app.id}/notices/${notice.id}`,
      `/my/applications/${app.id}/materials/${material.id}`,
      `/my/applications/${app.id}/withdraw`,
      `/my/applications/${app.id}/submitted`,
    ]) {
      const res = await lin.get(url)
      expect(res.statusCode, url).toBe(404)
      expect(res.body).not.toContain(app.applicationNo!)
    }
  })

  it('offers an enterprise’s case to its legal representative after switching identity', async () => {
    const huang = await citizenPrincipal(t.db, '黄丽娜')
    const enterprise = await t.db
      .selectFrom('enterprises')
      .select(['id', 'name'])
      .where('legalRepPersonId', '=', huang.personId!)
      .executeTakeFirstOrThrow()
    const app = await apply({ ...huang, enterpriseId: enterprise.id, enterpriseName: enterprise.name })
    const huangBrowser = await browser('445103199001010043')
    const asPerson = await huangBrowser.get(`/my/applications/${app.id}`)
    expect(asPerson.statusCode).toBe(404)
    expect(textOf(mainOf(asPerson.body))).toContain(`请切换为代表「${enterprise.name}」后查看`)
    const switched = await huangBrowser.post(`/my/applications/${app.id}`, '/my/acting-as', {
      enterpriseId: enterprise.id,
      return: `/my/applications/${app.id}`,
    })
    expect(switched.statusCode).toBe(303)
    expect(switched.headers.location).toBe(`/my/applications/${app.id}`)
    const asEnterprise = await huangBrowser.get(`/my/applications/${app.id}`)
    expect(asEnterprise.statusCode).toBe(200)
    expect(textOf(mainOf(asEnterprise.body))).toContain(`${enterprise.name}（经办人 黄丽娜）`)
  })
})

describe('notices', () => {
  it('prints as a document: title, number, applicant, body, department, seal and the date in Chinese', async () => {
    const app = await apply()
    await acceptApplication(t.deps, window01, app.id)
    const notice = await t.db
      .selectFrom('notices')
      .select(['id', 'number'])
      .where('applicationId', '=', app.id)
      .executeTakeFirstOrThrow()
    const url = `/my/applications/${app.id}/notices/${notice.id}`
    const chenBrowser = await browser(CHEN)
    const res = await chenBrowser.get(url)
    expect(res.statusCode).toBe(200)
    const main = mainOf(res.body)
    const text = textOf(main)
    expect(main).toMatch(/<h1 class="notice-doc__title"[^>]*>受理通知书<\/h1>/)
    expect(notice.number).toMatch(/^潮安SCJ〔2026〕受字第\d{6}号$/)
    expect(text).toContain(notice.number)
    expect(text).toContain('陈晓燕：')
    expect(text).toContain(grouped(app.applicationNo!))
    expect(text).toContain('予以受理')
    expect(text).toContain('2026年3月2日')
    // the seal: inline SVG with the department's name on an arc and a star, no inline styles
    expect(main).toMatch(/<svg class="seal"[^>]*role="img" aria-label="潮州市潮安区市场监督管理局（印章）"/)
    expect(main).toContain('<textPath')
    expect(main).toContain('<polygon')
    expect(res.body).not.toMatch(/\sstyle="/)
    expect(main).toMatch(/<button class="button button--secondary" type="button" data-print[^>]*hidden/)
    expect(main).toContain(`href="${url}/pdf"`)
    const pdf = await chenBrowser.get(`${url}/pdf`)
    expect(pdf.statusCode).toBe(200)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    expect(String(pdf.headers['content-disposition'])).toContain("filename*=UTF-8''")
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdf.rawPayload.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC/)

    // staff of the department may open it, and so may the joint department reviewing in parallel;
    // staff of an uninvolved department may not; nor another citizen
    const staff = await browser('window01')
    expect((await staff.get(url)).statusCode).toBe(200)
    expect((await (await browser('review02')).get(url)).statusCode).toBe(200)
    const other = await browser('window02')
    expect((await other.get(url)).statusCode).toBe(403)
    expect((await other.get(`${url}/pdf`)).statusCode).toBe(403)
    expect((await (await browser(LIN)).get(url)).statusCode).toBe(404)
  })
})

describe('补正 (one notice, 行政许可法 §32)', () => {
  it('runs end to end: notice and message, only the named parts editable, anything else refused, resubmitted', async () => {
    const app = await apply()
    await requestCorrection(t.deps, window01, app.id, [
      { target: 'field', key: 'business.area', message: '经营场所面积与房产证不符，请按房产证填写' },
      { target: 'field', key: 'safety_staff[0].mobile', message: '手机号码无法接通，请核实' },
      { target: 'material', key: 'layout_and_process', message: '平面图未标明功能分区' },
    ])
    const chenBrowser = await browser(CHEN)

    // the message leads to the case page
    const messages = mainOf((await chenBrowser.get('/my/messages')).body)
    expect(messages).toContain(`href="/my/applications/${app.id}"`)
    expect(textOf(messages)).toContain(`办件 ${app.applicationNo} 需要补正`)

    // the case page: a prominent notice with every problem and the button
    const casePage = mainOf((await chenBrowser.get(`/my/applications/${app.id}`)).body)
    expect(textOf(casePage)).toContain('需要补正材料')
    expect(textOf(casePage)).toContain('经营信息 — 经营场所面积：经营场所面积与房产证不符，请按房产证填写')
    expect(textOf(casePage)).toContain('食品安全管理人员（1） — 手机号码：手机号码无法接通，请核实')
    expect(casePage).toContain(`href="/my/applications/${app.id}/correct"`)
    expect(textOf(casePage)).toContain('补正材料通知书')

    // the correction page: inputs only for what the notice names, each with the officer's message
    const url = `/my/applications/${app.id}/correct`
    const page = mainOf((await chenBrowser.get(url)).body)
    expect(page).toMatch(/name="business\.area"[^>]*value="1"/)
    expect(page).toContain('name="safety_staff[0].mobile"')
    expect(page).toContain('name="materials.layout_and_process" type="file"')
    expect(page).not.toContain('name="business.premises_address"')
    expect(page).not.toContain('name="contact.name"')
    expect(page).not.toContain('name="materials.application_form"')
    expect(textOf(page)).toContain('审查意见（经营场所面积）：经营场所面积与房产证不符，请按房产证填写')
    expect(textOf(page)).toContain('审查意见：平面图未标明功能分区')
    expect(textOf(page)).toContain('其余内容（无需修改）')

    // changing something else, and forgetting the file: refused with the service's messages
    const refused = await chenBrowser.postMultipart(url, url, [
      ['business.area', '120'],
      ['safety_staff[0].mobile', '13800000009'],
      ['business.premises_address', '别的地址'],
      ['_action', 'submit'],
    ])
    expect(refused.statusCode).toBe(422)
    const refusedText = textOf(mainOf(refused.body))
    expect(refusedText).toContain('补正通知没有要求修改这一项，请保持原样')
    expect(refusedText).toContain('请按补正通知重新提供这份材料')
    expect(mainOf(refused.body)).toMatch(/name="business\.area"[^>]*value="120"/)

    // the file given, a named field left empty: the file is kept for the next try
    const partly = await chenBrowser.postMultipart(
      url,
      url,
      [
        ['safety_staff[0].mobile', '13800000009'],
        ['_action', 'submit'],
      ],
      [{ name: 'materials.layout_and_process', filename: '新平面图.pdf', content: PDF }],
    )
    expect(partly.statusCode).toBe(422)
    expect(textOf(mainOf(partly.body))).toContain('请填写经营场所面积')
    expect(textOf(mainOf(partly.body))).toContain('已上传：新平面图.pdf')
    const carried = [...mainOf(partly.body).matchAll(/name="carried" value="([^"]+)"/g)].map((m) => m[1]!)
    expect(carried).toHaveLength(1)

    // a forged reference is ignored
    const forged = `${carried[0]!.split('.')[0]}.AAAA`
    const done = await chenBrowser.postMultipart(url, url, [
      ['carried', carried[0]!],
      ['carried', forged],
      ['business.area', '120'],
      ['safety_staff[0].mobile', '13800000009'],
      ['_action', 'submit'],
    ])
    expect(done.statusCode, textOf(mainOf(done.body)).slice(0, 500)).toBe(303)
    expect(done.headers.location).toBe(`/my/applications/${app.id}?done=corrected`)
    const after = await getApplication(t.db, app.id)
    expect(after.state).toBe('submitted')
    expect(JSON.parse(after.formData).business.area).toBe(120)
    const current = await t.db
      .selectFrom('applicationMaterials')
      .select(['fileName', 'current'])
      .where('applicationId', '=', app.id)
      .where('materialCode', '=', 'layout_and_process')
      .execute()
    expect(current.filter((m) => m.current === 1).map((m) => m.fileName)).toEqual(['新平面图.pdf'])
    const shown = textOf(mainOf((await chenBrowser.get(done.headers.location as string)).body))
    expect(shown).toContain('补正材料已提交')
    expect(shown).toContain('提交补正材料')
    // nothing more to correct: the page goes back to the case
    expect((await chenBrowser.get(url)).statusCode).toBe(303)
  })
})

describe('撤回', () => {
  it('asks for a reason on a confirmation page, then withdraws', async () => {
    const app = await apply()
    const chenBrowser = await browser(CHEN)
    const url = `/my/applications/${app.id}/withdraw`
    const confirm = await chenBrowser.get(url)
    expect(confirm.statusCode).toBe(200)
    expect(textOf(mainOf(confirm.body))).toContain('确定要撤回「食品经营许可」的申请吗？')
    const missing = await chenBrowser.post(url, url, { reason: ' ' })
    expect(missing.statusCode).toBe(422)
    expect(textOf(mainOf(missing.body))).toContain('请填写撤回原因')
    const done = await chenBrowser.post(url, url, { reason: '材料准备不全，准备好后重新申请' })
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe(`/my/applications/${app.id}?done=withdrawn`)
    const after = mainOf((await chenBrowser.get(done.headers.location as string)).body)
    const page = textOf(after)
    expect(page).toContain('办件已撤回')
    expect(page).toContain('已撤回')
    expect(page).toContain('申请人撤回')
    expect(page).toContain('理由：材料准备不全，准备好后重新申请')
    expect(after).not.toContain(`href="${url}"`)
    expect((await getApplication(t.db, app.id)).state).toBe('withdrawn')
    // no second time
    expect((await chenBrowser.get(url)).statusCode).toBe(409)
  })
})

describe('办件进度查询 /progress', () => {
  const ask = (fields: Record<string, string>, ip: string) =>
    formSession(t.app, '/progress').then(({ token, cookie }) =>
      t.app.inject({
        method: 'POST',
        url: '/progress',
        remoteAddress: ip,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: token, ...fields }).toString(),
      }),
    )

  it('answers with the masked progress for the number and the applicant’s name or mobile', async () => {
    const app = await apply()
    const form = await t.app.inject({ method: 'GET', url: '/progress' })
    expect(form.statusCode).toBe(200)
    expect(mainOf(form.body)).toContain('<label class="field__label" for="f-applicationNo">办件编号')
    const byName = await ask({ applicationNo: grouped(app.applicationNo!), nameOrMobile: '陈晓燕' }, '10.9.0.1')
    expect(byName.statusCode).toBe(200)
    const text = textOf(mainOf(byName.body))
    expect(text).toContain('已提交，待受理')
    expect(text).toContain('陈**')
    expect(text).not.toContain('陈晓燕')
    expect(text).toContain('提交申请')
    expect(text).toContain('食品经营许可')
    const byMobile = await ask({ applicationNo: app.applicationNo!, nameOrMobile: '138 0000 0001' }, '10.9.0.1')
    expect(byMobile.statusCode).toBe(200)
  })

  it('says the same for a wrong name and a wrong number, and needs both', async () => {
    const app = await apply()
    const wrongName = await ask({ applicationNo: app.applicationNo!, nameOrMobile: '林振华' }, '10.9.0.2')
    const wrongNo = await ask({ applicationNo: '44510320990101000001', nameOrMobile: '陈晓燕' }, '10.9.0.2')
    expect(wrongName.statusCode).toBe(404)
    expect(wrongNo.statusCode).toBe(404)
    const notice = (html: string) => /<div class="notice notice--warning"[\s\S]*?<\/div>/.exec(mainOf(html))?.[0]
    expect(notice(wrongName.body)).toBeDefined()
    expect(notice(wrongName.body)).toBe(notice(wrongNo.body))
    expect(textOf(notice(wrongName.body)!)).toContain('没有找到这个办件，请核对办件编号和申请人姓名（或手机号码）。')
    const empty = await ask({ applicationNo: '', nameOrMobile: '' }, '10.9.0.2')
    expect(empty.statusCode).toBe(422)
    expect(textOf(mainOf(empty.body))).toContain('请填写办件编号')
  })

  it('answers at most 10 questions a minute from one address (429)', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) {
      statuses.push((await ask({ applicationNo: '44510320990101000001', nameOrMobile: '某某' }, '10.9.0.3')).statusCode)
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404))
    expect(statuses[10]).toBe(429)
    // another address is not affected
    expect((await ask({ applicationNo: '44510320990101000001', nameOrMobile: '某某' }, '10.9.0.4')).statusCode).toBe(
      404,
    )
  })
})
