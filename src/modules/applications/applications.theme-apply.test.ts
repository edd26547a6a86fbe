/**
 * The "一件事" one-form application (一表申请) as a citizen uses it in a browser without
 * JavaScript: the theme's answers decide the items; one form, each material once; a post with
 * problems comes back with everything typed and uploaded; a good post makes one linked
 * application per item, once however often it is sent; the confirmation is the applicant's only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formFields, multipart, sampleFormData, type Upload } from '../../../test/applications.js'
import { buildTestApp, formSession, type TestApp } from '../../../test/helpers.js'
import { loginAs } from '../../../test/login.js'
import { runSeed } from '../../seed.js'
import { formatApplicationNo } from './applications.numbers.js'
import { type CombinedApplication, combinedApplication } from './applications.themes.js'

let t: TestApp

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
)
const CHEN = '445103198503120029' // 陈晓燕, 实名二级
const HUANG = '445103199001010043' // 黄丽娜
const WU = '445103195511200068' // 吴秀英, 实名一级

const ALL = { register_here: 'yes', mother_insured: 'yes' }
const FEW = { register_here: 'no', mother_insured: 'no' }
const query = (answers: Record<string, string>) => new URLSearchParams(answers).toString()
const pathFor = (answers: Record<string, string>) => `/apply/themes/newborn?${query(answers)}`

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z') // Monday 09:00 in Shanghai
  await runSeed(t.modules, { print: false })
})
afterAll(async () => t?.close())

// ---------------------------------------------------------------------------------------------
// Helpers: a browser without JavaScript

/** A logged-in citizen's browser: cookies kept, the page's CSRF token used as the form does. */
async function citizen(account = CHEN) {
  const login = await loginAs(t.app, t.clock, account)
  expect(login.status, login.body).toBe(303)
  let cookie = login.cookie
  return {
    get: (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } }),
    /** Posts the combined form of `page` as the page's own form does (multipart, token in the query). */
    async postTheme(page: string, fields: [string, string][], files: Upload[] = []) {
      const session = await formSession(t.app, page, cookie)
      cookie = session.cookie
      const action = /<form action="([^"]+)" method="post" enctype="multipart\/form-data"/.exec(
        (await t.app.inject({ method: 'GET', url: page, headers: { cookie } })).body,
      )?.[1]
      expect(action).toBeDefined()
      const body = multipart(fields, files)
      return t.app.inject({
        method: 'POST',
        url: action!.replace(/&amp;/g, '&'),
        headers: { cookie, 'content-type': body.contentType },
        payload: body.payload,
      })
    },
  }
}

const mainOf = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>'))
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
const tokenOf = (html: string) => /name="token" value="([^"]+)"/.exec(html)?.[1] ?? ''
const carriedOf = (html: string) => [...html.matchAll(/name="carried" value="([^"]+)"/g)].map((m) => m[1]!)
const pdfFor = (code: string, filename = `${code}.pdf`): Upload => ({
  name: `materials.${code}`,
  filename,
  content: PDF,
  type: 'application/pdf',
})

/** Everything the combined form asks, filled in, and a PDF for every required material. */
function completeForm(combined: CombinedApplication) {
  const fields = formFields(combined.form, sampleFormData(combined.form))
  const files = combined.materials.filter((m) => m.material.isNeed).map((m) => pdfFor(m.material.materialCode))
  return { fields, files }
}

async function themeCaseApplications(themeCaseId: string) {
  return t.db.selectFrom('applications').selectAll().where('themeCaseId', '=', themeCaseId).execute()
}

// ---------------------------------------------------------------------------------------------

describe('GET /apply/themes/:code', () => {
  it('sends a visitor to log in, answers and all, and refuses staff', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: pathFor(ALL) })
    expect(anonymous.statusCode).toBe(303)
    expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent(pathFor(ALL))}`)
    const staff = await loginAs(t.app, t.clock, 'window01')
    const refused = await t.app.inject({ method: 'GET', url: pathFor(ALL), headers: { cookie: staff.cookie } })
    expect(refused.statusCode).toBe(403)
  })

  it('is where 「一次申请」 of the theme page leads, with the answers given', async () => {
    const theme = mainOf((await t.app.inject({ method: 'GET', url: `/themes/newborn?${query(ALL)}` })).body)
    expect(theme).toContain(`href="/apply/themes/newborn?register_here=yes&amp;mother_insured=yes">一次申请</a>`)
  })

  it('shows the items the answers select, one form, each material once with the items that use it', async () => {
    const browser = await citizen()
    const combined = await combinedApplication(t.deps, 'newborn', ALL)
    const res = await browser.get(pathFor(ALL))
    expect(res.statusCode).toBe(200)
    const main = mainOf(res.body)
    const text = textOf(main)
    expect(text).toContain('新生儿出生')
    expect(text).toContain('一次填写，分别送达各部门办理')
    expect(text).toContain(`将要申请的事项（${combined.items.length} 个）`)
    for (const item of combined.items) {
      expect(main).toContain(`<a href="/services/${item.itemId}">${item.taskName}</a>`)
      expect(text).toContain(`办理部门：${item.departmentName}`)
    }
    expect(text).toContain('出生登记')
    expect(new Set(combined.items.map((i) => i.departmentName)).size).toBeGreaterThan(1)
    // the union form: a shared section once; prefilled from the real-name record, with the source
    for (const section of combined.form.sections) {
      expect(main.split(`id="f-${section.key}"`).length - 1, section.key).toBe(1)
    }
    expect(main).toMatch(/name="declarant\.name"[^>]*value="陈晓燕"/)
    expect(text).toContain('来自实名信息')
    // each material once (one file picker; photos add a camera input), named with the items it is for
    for (const { material, itemNames } of combined.materials) {
      expect(main.split(`name="materials.${material.materialCode}" type="file" multiple`).length - 1).toBe(1)
      expect(text).toContain(`用于：${itemNames.join('、')}`)
    }
    expect(combined.materials.some((m) => m.itemNames.length > 1)).toBe(true)
    // the declaration, the form token, the answers in the action with the CSRF token
    expect(text).toContain('本人承诺所填内容和所交材料真实有效')
    expect(tokenOf(main)).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    expect(main).toMatch(
      /<form action="\/apply\/themes\/newborn\?register_here=yes&amp;mother_insured=yes&amp;_csrf=[^"]+" method="post" enctype="multipart\/form-data"/,
    )
    expect(text).toContain('提交申请')
  })

  it('asks for fewer items when the answers need fewer', async () => {
    const browser = await citizen()
    const few = await combinedApplication(t.deps, 'newborn', FEW)
    const text = textOf(mainOf((await browser.get(pathFor(FEW))).body))
    expect(text).toContain(`将要申请的事项（${few.items.length} 个）`)
    expect(text).not.toContain('出生登记')
  })

  it('sends the person back to the theme page while a question is unanswered', async () => {
    const browser = await citizen()
    const res = await browser.get('/apply/themes/newborn?register_here=yes')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/themes/newborn?register_here=yes&submitted=1')
    const back = textOf(mainOf((await browser.get(res.headers.location as string)).body))
    expect(back).toContain('还有问题没有回答')
    const none = await browser.get('/apply/themes/newborn?register_here=maybe&mother_insured=no')
    expect(none.headers.location).toBe('/themes/newborn?mother_insured=no&submitted=1')
  })

  it('says why a person whose identity is not checked well enough cannot apply (403)', async () => {
    const elder = await citizen(WU)
    const res = await elder.get(pathFor(ALL))
    expect(res.statusCode).toBe(403)
    const text = textOf(mainOf(res.body))
    expect(text).toContain('需要更高级别的实名认证')
    expect(text).toContain('我的账号')
  })

  it('answers 404 for an unknown theme', async () => {
    const browser = await citizen()
    expect((await browser.get('/apply/themes/nosuch?a=b')).statusCode).toBe(404)
  })
})

describe('POST /apply/themes/:code', () => {
  it('comes back with every problem, keeping what was typed and the files uploaded, which then count', async () => {
    const browser = await citizen()
    const combined = await combinedApplication(t.deps, 'newborn', ALL)
    const required = combined.materials.filter((m) => m.material.isNeed)
    const first = required[0]!.material
    const res = await browser.postTheme(
      pathFor(ALL),
      [
        ['token', 'theme-test-keep-0001'],
        ['baby.name', '陈小宝'],
        ['baby.birth_date.year', '2026'],
        ['baby.birth_date.month', '2'],
        ['baby.birth_date.day', '31'], // not a day
      ],
      [pdfFor(first.materialCode, '出生医学证明.pdf')],
    )
    expect(res.statusCode).toBe(422)
    const main = mainOf(res.body)
    const text = textOf(main)
    expect(text).toMatch(/有 \d+ 处需要修改/)
    expect(text).toContain('请勾选承诺：本人承诺所填内容和所交材料真实有效')
    expect(main).toContain('href="#f-baby-birth_date"')
    expect(main).toContain(`href="#f-materials-${required[1]!.material.materialCode}"`)
    expect(main).not.toContain(`href="#f-materials-${first.materialCode}"`)
    // what was typed, as typed; the upload listed and carried in a signed reference; the same token
    expect(main).toMatch(/name="baby\.name"[^>]*value="陈小宝"/)
    expect(main).toMatch(/name="baby\.birth_date\.day"[^>]*value="31"/)
    expect(text).toMatch(/已上传：出生医学证明\.pdf（\d+ 字节）/)
    expect(carriedOf(main)).toHaveLength(1)
    expect(tokenOf(main)).toBe('theme-test-keep-0001')

    // a forged reference is ignored
    const forged = `${carriedOf(main)[0]!.split('.')[0]}.AAAA`
    // everything else given now, without the first file again: the carried one counts
    const { fields, files } = completeForm(combined)
    const done = await browser.postTheme(
      pathFor(ALL),
      [
        ['token', tokenOf(main)],
        ...carriedOf(main).map((c): [string, string] => ['carried', c]),
        ['carried', forged],
        ...fields,
        ['declaration', 'yes'],
      ],
      files.filter((f) => f.name !== `materials.${first.materialCode}`),
    )
    expect(done.statusCode, textOf(mainOf(done.body)).slice(0, 1500)).toBe(303)
    const themeCaseId = /^\/my\/theme-cases\/([0-9a-f-]{36})$/.exec(String(done.headers.location))?.[1]
    expect(themeCaseId).toBeDefined()
    const apps = await themeCaseApplications(themeCaseId!)
    const given = await t.db
      .selectFrom('applicationMaterials')
      .select(['applicationId', 'materialCode', 'fileName'])
      .where(
        'applicationId',
        'in',
        apps.map((a) => a.id),
      )
      .where('materialCode', '=', first.materialCode)
      .execute()
    expect(given.length).toBe(required[0]!.itemNames.length)
    expect(new Set(given.map((g) => g.fileName))).toEqual(new Set(['出生医学证明.pdf']))
  })

  it('removes an uploaded file with its 删除 button and submits nothing', async () => {
    const browser = await citizen()
    const combined = await combinedApplication(t.deps, 'newborn', FEW)
    const code = combined.materials[0]!.material.materialCode
    const uploaded = await browser.postTheme(
      pathFor(FEW),
      [['token', 'theme-test-remove-01']],
      [pdfFor(code, '甲.pdf'), { ...pdfFor(code, '乙.pdf'), content: Buffer.concat([PDF, Buffer.from('\n')]) }],
    )
    const page = mainOf(uploaded.body)
    expect(textOf(page).match(/已上传：/g)).toHaveLength(2)
    const remove = new RegExp(`name="_action" value="(remove-file:${code}:[0-9a-f]{64})"`).exec(page)?.[1]
    const removed = await browser.postTheme(pathFor(FEW), [
      ['token', tokenOf(page)],
      ...carriedOf(page).map((c): [string, string] => ['carried', c]),
      ['_action', remove!],
    ])
    expect(removed.statusCode).toBe(200)
    const after = mainOf(removed.body)
    expect(textOf(after).match(/已上传：/g)).toHaveLength(1)
    expect(carriedOf(after)).toHaveLength(1)
    expect(after).not.toContain('error-summary')
  })

  it('makes one linked application per item, each with its department; the same token again finds the same case', async () => {
    const browser = await citizen()
    const combined = await combinedApplication(t.deps, 'newborn', ALL)
    const { fields, files } = completeForm(combined)
    const page = mainOf((await browser.get(pathFor(ALL))).body)
    const token = tokenOf(page)
    const post = () => browser.postTheme(pathFor(ALL), [['token', token], ...fields, ['declaration', 'yes']], files)
    const first = await post()
    expect(first.statusCode, textOf(mainOf(first.body)).slice(0, 1500)).toBe(303)
    const location = String(first.headers.location)
    const themeCaseId = /^\/my\/theme-cases\/([0-9a-f-]{36})$/.exec(location)?.[1]
    const apps = await themeCaseApplications(themeCaseId!)
    expect(apps).toHaveLength(combined.items.length)
    expect(new Set(apps.map((a) => a.itemId))).toEqual(new Set(combined.items.map((i) => i.itemId)))
    expect(new Set(apps.map((a) => a.departmentId)).size).toBeGreaterThan(1)
    for (const a of apps) expect(a.applicationNo).toMatch(/^\d{20}$/)

    // the confirmation: every 办件编号 with its item, department and a link to its case
    const confirmation = await browser.get(location)
    expect(confirmation.statusCode).toBe(200)
    const main = mainOf(confirmation.body)
    const text = textOf(main)
    expect(text).toContain('申请已提交')
    expect(text).toContain(`「新生儿出生」共 ${combined.items.length} 个办件`)
    for (const a of apps) {
      expect(main).toContain(
        `<a class="nowrap" href="/my/applications/${a.id}">${formatApplicationNo(a.applicationNo!)}</a>`,
      )
    }
    for (const item of combined.items) {
      expect(text).toContain(item.taskName)
      expect(text).toContain(item.departmentName)
    }
    expect(main).toContain('<a class="button button--primary" href="/my/applications">在我的办件中查看</a>')
    // each case is the applicant's: it opens
    expect((await browser.get(`/my/applications/${apps[0]!.id}`)).statusCode).toBe(200)

    // a double click or a retry with the same token: the same theme case, nothing more made
    const again = await post()
    expect(again.statusCode).toBe(303)
    expect(again.headers.location).toBe(location)
    expect(await themeCaseApplications(themeCaseId!)).toHaveLength(combined.items.length)

    // another person does not see it at all
    const other = await citizen(HUANG)
    const stranger = await other.get(location)
    expect(stranger.statusCode).toBe(404)
    expect(textOf(mainOf(stranger.body))).not.toContain(formatApplicationNo(apps[0]!.applicationNo!))
    const anonymous = await t.app.inject({ method: 'GET', url: location })
    expect(anonymous.statusCode).toBe(303)
    expect(String(anonymous.headers.location)).toMatch(/^\/login\?next=/)
  })

  it('refuses a post without the page’s CSRF token', async () => {
    const browser = await citizen()
    await browser.get(pathFor(FEW))
    const body = multipart([['token', 'theme-test-csrf-0001']])
    const res = await t.app.inject({
      method: 'POST',
      url: pathFor(FEW),
      headers: { 'content-type': body.contentType },
      payload: body.payload,
    })
    expect([401, 403]).toContain(res.statusCode)
  })
})
