import type { FastifyRequest, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multipart, type Upload } from '../../../test/applications.js'
import { buildTestApp, cookiesOf, type TestApp, testPrincipal } from '../../../test/helpers.js'
import { listAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { runSeed } from '../../seed.js'
import { permissionsOf } from '../identity/index.js'
import { ELEMENT_LABELS } from './catalog.diff.js'
import { type EditorValues, FileRefs, valuesFromElements } from './catalog.editor.js'
import { sampleItem } from './catalog.fixtures.js'
import type { ItemElements } from './catalog.model.js'
import { listVersions } from './catalog.repository.js'
import {
  createItem,
  getVersion,
  type ItemInput,
  reviewVersion,
  startNewVersion,
  submitForReview,
} from './catalog.service.js'

type Who = 'scj' | 'wjj' | 'reviewer' | 'citizen' | 'anonymous'

let t: TestApp
const principals = new Map<Who, Principal>()
let refs: FileRefs
const staffNames: Record<string, string> = {}

function principalFrom(request: FastifyRequest): Principal | undefined {
  return principals.get(request.headers['x-as'] as Who)
}

beforeAll(async () => {
  t = await buildTestApp({ principal: principalFrom, env: { RATE_LIMIT_PER_MINUTE: '100000' } })
  await runSeed(t.modules, { print: false })
  refs = new FileRefs(t.deps.config.sessionSecret)
  const dept = async (code: string) =>
    (await t.db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id
  const staffId = async (login: string) => {
    const row = await t.db
      .selectFrom('staff')
      .innerJoin('accounts', 'accounts.id', 'staff.accountId')
      .select(['staff.id', 'staff.name'])
      .where('accounts.loginName', '=', login)
      .executeTakeFirstOrThrow()
    staffNames[login] = row.name
    return row.id
  }
  const staff = (who: Who, id: string, departmentId: string, role: string, name: string) =>
    principals.set(
      who,
      testPrincipal({
        staffId: id,
        personId: undefined,
        departmentId,
        displayName: name,
        roles: [role],
        permissions: permissionsOf([role]),
        assuranceLevel: 3,
      }),
    )
  staff('scj', await staffId('items01'), await dept('scj'), 'item_admin', '市场监管局事项管理员')
  staff('wjj', 'staff-items-wjj', await dept('wjj'), 'item_admin', '卫健局事项管理员')
  staff('reviewer', await staffId('catalog01'), await dept('zwfw'), 'catalog_reviewer', '事项审核人员')
  principals.set('citizen', testPrincipal({ personId: 'citizen-1', assuranceLevel: 2 }))
})
afterAll(async () => t?.close())

const as = (who: Who) => principals.get(who)!

// ---------------------------------------------------------------------------------------------
// A browser, as far as these pages need one

async function get(who: Who, url: string) {
  return t.app.inject({ method: 'GET', url, headers: { 'x-as': who } })
}

/** The page's CSRF token and cookies, to post its form as a browser would. */
async function session(who: Who, url: string) {
  const page = await get(who, url)
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1]
  if (!token) throw new Error(`no CSRF token on ${url} (${page.statusCode})`)
  return { token, cookie: cookiesOf(page) }
}

/** Posts the editor form (multipart, CSRF token in the query string as the page's form does). */
async function postEditor(who: Who, pageUrl: string, postUrl: string, fields: [string, string][], files?: Upload[]) {
  const { token, cookie } = await session(who, pageUrl)
  const body = multipart(fields, files)
  return t.app.inject({
    method: 'POST',
    url: `${postUrl}?_csrf=${encodeURIComponent(token)}`,
    headers: { 'x-as': who, cookie, 'content-type': body.contentType },
    payload: body.payload,
  })
}

async function postForm(who: Who, pageUrl: string, postUrl: string, fields: Record<string, string>) {
  const { token, cookie } = await session(who, pageUrl)
  return t.app.inject({
    method: 'POST',
    url: postUrl,
    headers: { 'x-as': who, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...fields, _csrf: token }).toString(),
  })
}

/** The fields a browser posts for these values (check-box groups repeat their name). */
function fieldsOf(values: EditorValues, action = 'save'): [string, string][] {
  const out: [string, string][] = []
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, v])
  }
  out.push(['action', action])
  return out
}

const itemFields = (input: Partial<ItemInput>, action = 'save', extra: Record<string, string> = {}) =>
  fieldsOf({ ...valuesFromElements(input, refs), ...extra }, action)

/** The value attribute of the input with this name. */
function inputValue(html: string, name: string): string | undefined {
  const escaped = name.replace(/[[\].]/g, '\\$&')
  const tag = new RegExp(`<input[^>]*name="${escaped}"[^>]*>`).exec(html)?.[0]
  if (!tag) return undefined
  const value = /\svalue(?:="([^"]*)")?[\s/>]/.exec(tag)
  return value ? (value[1] ?? '') : undefined
}

const locationOf = (res: LightMyRequestResponse) => String(res.headers.location ?? '')

async function versionsOfCode(catalogCode: string) {
  const item = await t.db.selectFrom('items').selectAll().where('catalogCode', '=', catalogCode).executeTakeFirst()
  return item ? listVersions(t.db, item.id) : []
}

/** An item of 区市场监督管理局 published through the service (draft → review → published). */
async function publishedItem(catalogCode: string, overrides: Partial<ItemInput> = {}) {
  const { itemId, versionId } = await createItem(t.deps, as('scj'), sampleItem({ catalogCode, ...overrides }))
  await submitForReview(t.deps, as('scj'), versionId)
  await reviewVersion(t.deps, as('reviewer'), versionId, { approve: true })
  return { itemId, versionId }
}

// ---------------------------------------------------------------------------------------------

describe('GET /admin/items', () => {
  it('lists the department’s items with their newest version’s state', async () => {
    const res = await get('scj', '/admin/items')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('食品经营许可')
    expect(res.body).toContain('已发布')
    expect(res.body).toContain('新建事项')
    // 区卫生健康局's items are not among them
    expect(res.body).not.toContain('医师执业注册')
  })

  it('is refused to a reviewer, a citizen and an anonymous visitor', async () => {
    expect((await get('reviewer', '/admin/items')).statusCode).toBe(403)
    expect((await get('citizen', '/admin/items')).statusCode).toBe(403)
    const anonymous = await get('anonymous', '/admin/items')
    expect(anonymous.statusCode).toBe(303)
    expect(locationOf(anonymous)).toMatch(/^\/login\?next=/)
  })
})

describe('the editor', () => {
  it('renders every section and an input or group for every element', async () => {
    const res = await get('scj', '/admin/items/new')
    expect(res.statusCode).toBe(200)
    for (const section of [
      '基本信息与编码',
      '设定依据',
      '服务对象与受理条件',
      '办理流程',
      '时限',
      '收费',
      '地点与咨询',
      '网上办理',
      '办理结果',
      '申请材料',
      '常见问题',
      '分类与关键词',
      '变更说明',
    ]) {
      expect(res.body).toContain(`>${section}</h2>`)
    }
    for (const [key, label] of Object.entries(ELEMENT_LABELS)) {
      expect(res.body, key).toContain(label)
      if (['taskCode', 'fees', 'materials', 'faqs', 'handleFlow'].includes(key)) continue
      expect(res.body, key).toMatch(new RegExp(`name="${key}(\\.upload)?"`))
    }
    expect(res.body).toContain('name="materials[0].materialName"')
    expect(res.body).toContain('name="handleFlow[0].name"')
    // radios in fieldsets with legends; multipart form with the token in its action
    expect(res.body).toMatch(/<legend class="field__label">事项类型<\/legend>/)
    expect(res.body).toMatch(/enctype="multipart\/form-data"/)
    expect(res.body).toMatch(/action="\/admin\/items\/new\?_csrf=[^"]+"/)
    // the implementation code is shown as computed from the department's credit code
    expect(res.body).toContain('11445103005126091E')
    expect(res.body).not.toMatch(/<script>|style="/)
  })

  it('keeps everything typed when the draft has problems, with messages beside the fields', async () => {
    const fields = itemFields(sampleItem({ catalogCode: '1SCJ00009001', taskName: '保留输入测试事项' }), 'save', {
      promiseDay: '三天',
      'materials[0].materialName': '',
    })
    const res = await postEditor('scj', '/admin/items/new', '/admin/items/new', fields)
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('error-summary')
    expect(res.body).toContain('href="#f-promiseDay"')
    expect(res.body).toContain('承诺办结时限：请填写整数')
    expect(res.body).toContain('href="#f-materials-0-materialName"')
    expect(inputValue(res.body, 'taskName')).toBe('保留输入测试事项')
    expect(inputValue(res.body, 'promiseDay')).toBe('三天')
    expect(inputValue(res.body, 'catalogCode')).toBe('1SCJ00009001')
    expect(res.body).toMatch(/name="serverType" value="法人" checked/)
    expect(await versionsOfCode('1SCJ00009001')).toEqual([])
  })

  it('adds and removes material rows without JavaScript, keeping the other rows', async () => {
    const base = itemFields(sampleItem({ catalogCode: '1SCJ00009002' }), 'add-material')
    const added = await postEditor('scj', '/admin/items/new', '/admin/items/new', base)
    expect(added.statusCode).toBe(200)
    expect(inputValue(added.body, 'materials[0].materialName')).toBe('食品经营许可申请书')
    expect(inputValue(added.body, 'materials[1].materialName')).toBe('')
    expect(inputValue(added.body, 'materials[1].materialCode')).toMatch(/^material_\d+$/)
    expect(added.body).toContain('value="remove-material-1"')

    const twoRows = itemFields(sampleItem({ catalogCode: '1SCJ00009002' }), 'remove-material-0', {
      'materials[1].materialCode': 'business_license',
      'materials[1].materialName': '营业执照',
      'materials[1].materialFormat': '纸质',
      'materials[1].isNeed': 'true',
      'materials[1].pageNum': '1',
      'materials[1].sourceType': '申请人自备',
      'materials[1].allowDefer': 'false',
    })
    const removed = await postEditor('scj', '/admin/items/new', '/admin/items/new', twoRows)
    expect(removed.statusCode).toBe(200)
    expect(inputValue(removed.body, 'materials[0].materialName')).toBe('营业执照')
    expect(inputValue(removed.body, 'materials[1].materialName')).toBeUndefined()
    expect(await versionsOfCode('1SCJ00009002')).toEqual([])
  })

  it('saves a new item as a draft, then edits it; codes are read-only once it exists', async () => {
    const res = await postEditor(
      'scj',
      '/admin/items/new',
      '/admin/items/new',
      itemFields(sampleItem({ catalogCode: '1SCJ00009003', taskName: '新建保存测试事项' })),
    )
    expect(res.statusCode).toBe(303)
    expect(locationOf(res)).toMatch(/^\/admin\/items\/versions\/[0-9a-f-]+\/edit\?done=created$/)
    const [v1] = await versionsOfCode('1SCJ00009003')
    expect(v1?.state).toBe('draft')
    const elements = JSON.parse(v1!.elements) as ItemElements
    expect(elements.taskCode).toBe('11445103005126091E1SCJ00009003')
    expect(elements.taskName).toBe('新建保存测试事项')

    const editUrl = `/admin/items/versions/${v1!.id}/edit`
    const page = await get('scj', editUrl)
    expect(page.statusCode).toBe(200)
    expect(inputValue(page.body, 'catalogCode')).toBeUndefined()
    expect(page.body).toContain('<code>1SCJ00009003</code>')

    const edited = await postEditor(
      'scj',
      editUrl,
      editUrl,
      itemFields(sampleItem({ catalogCode: 'ZZZZ00000000', promiseDay: 4 }), 'save', { changeNote: '缩短时限' }),
    )
    expect(edited.statusCode).toBe(303)
    const fresh = await getVersion(t.db, v1!.id)
    expect(JSON.parse(fresh.elements).promiseDay).toBe(4)
    // a code typed into the form is ignored: codes belong to the item
    expect(JSON.parse(fresh.elements).catalogCode).toBe('1SCJ00009003')
    expect(fresh.changeNote).toBe('缩短时限')
  })

  it('lists every broken consistency rule per field on submission, and keeps the draft', async () => {
    const res = await postEditor(
      'scj',
      '/admin/items/new',
      '/admin/items/new',
      itemFields(sampleItem({ catalogCode: '1SCJ00009004', promiseDay: 0, limitSceneNum: 2 }), 'submit'),
    )
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('href="#f-projectType"')
    expect(res.body).toContain('href="#f-limitSceneNum"')
    expect(res.body).toContain('办件类型：承诺时限为即办')
    expect(res.body).toContain('暂时不能提交审核')
    // the message is also beside the field
    expect(res.body).toMatch(/id="f-limitSceneNum-error">[\s\S]*?到办事现场次数应为 0/)
    const [draft] = await versionsOfCode('1SCJ00009004')
    expect(draft?.state).toBe('draft')
    // the form now posts to the saved draft
    expect(res.body).toContain(`action="/admin/items/versions/${draft!.id}/edit?_csrf=`)
  })

  it('submits a consistent item for review', async () => {
    const res = await postEditor(
      'scj',
      '/admin/items/new',
      '/admin/items/new',
      itemFields(sampleItem({ catalogCode: '1SCJ00009005' }), 'submit'),
    )
    expect(res.statusCode).toBe(303)
    expect(locationOf(res)).toBe('/admin/items?done=submitted')
    expect((await versionsOfCode('1SCJ00009005'))[0]?.state).toBe('in_review')
  })

  it('uploads a blank form for a material and keeps it when the draft is saved again', async () => {
    const { versionId } = await createItem(t.deps, as('scj'), sampleItem({ catalogCode: '1SCJ00009006' }))
    const url = `/admin/items/versions/${versionId}/edit`
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
    const first = await postEditor('scj', url, url, itemFields(sampleItem()), [
      { name: 'materials[0].blankForm.upload', filename: '申请书空白表.pdf', content: pdf, type: 'application/pdf' },
    ])
    expect(first.statusCode).toBe(303)
    const saved = JSON.parse((await getVersion(t.db, versionId)).elements) as ItemElements
    expect(saved.materials[0]?.blankForm).toMatchObject({ fileName: '申请书空白表.pdf', mime: 'application/pdf' })

    const page = await get('scj', url)
    expect(page.body).toContain('已上传：申请书空白表.pdf')
    const token = inputValue(page.body, 'materials[0].blankForm')
    expect(token).toBeTruthy()
    // saved again with the page's hidden reference (no new upload): the file stays
    const again = await postEditor(
      'scj',
      url,
      url,
      itemFields(sampleItem({ taskName: '再次保存' }), 'save', { 'materials[0].blankForm': token! }),
    )
    expect(again.statusCode).toBe(303)
    const kept = JSON.parse((await getVersion(t.db, versionId)).elements) as ItemElements
    expect(kept.materials[0]?.blankForm?.sha256).toBe(saved.materials[0]?.blankForm?.sha256)

    // a forged reference is refused; a file of another type is refused beside its field
    const forged = await postEditor('scj', url, url, itemFields(sampleItem(), 'save', { resultSample: 'abc.def' }))
    expect(forged.statusCode).toBe(422)
    expect(forged.body).toContain('已上传文件的信息无效')
    const text = await postEditor('scj', url, url, itemFields(sampleItem()), [
      { name: 'resultSample.upload', filename: 'a.pdf', content: Buffer.from('just text'), type: 'application/pdf' },
    ])
    expect(text.statusCode).toBe(422)
    expect(text.body).toContain('href="#f-resultSample"')
  })

  it('lets only the owning department edit (403), and only drafts (409)', async () => {
    const { versionId } = await createItem(t.deps, as('scj'), sampleItem({ catalogCode: '1SCJ00009007' }))
    const url = `/admin/items/versions/${versionId}/edit`
    expect((await get('wjj', url)).statusCode).toBe(403)
    const { token, cookie } = await session('scj', url)
    const body = multipart(itemFields(sampleItem({ taskName: '越权修改' })))
    const post = await t.app.inject({
      method: 'POST',
      url: `${url}?_csrf=${encodeURIComponent(token)}`,
      headers: { 'x-as': 'wjj', cookie, 'content-type': body.contentType },
      payload: body.payload,
    })
    expect(post.statusCode).toBe(403)
    expect(post.body).toContain('只能编辑本部门的事项')
    expect(JSON.parse((await getVersion(t.db, versionId)).elements).taskName).not.toBe('越权修改')
    await submitForReview(t.deps, as('scj'), versionId)
    const inReview = await get('scj', url)
    expect(inReview.statusCode).toBe(409)
    expect(inReview.body).toContain('待审核')
    // nor may another department start a new version of it, or read its history
    const { itemId } = await publishedItem('1SCJ00009008')
    const other = await postForm('wjj', '/admin/items', `/admin/items/${itemId}/new-version`, {})
    expect(other.statusCode).toBe(403)
    expect((await get('wjj', `/admin/items/${itemId}/versions`)).statusCode).toBe(403)
  })
})

describe('review', () => {
  let itemId: string
  let v2: string

  beforeAll(async () => {
    ;({ itemId } = await publishedItem('1SCJ00009101', { taskName: '审核流程测试事项' }))
    const started = await postForm('scj', '/admin/items', `/admin/items/${itemId}/new-version`, {})
    expect(started.statusCode).toBe(303)
    v2 = /versions\/([0-9a-f-]+)\/edit/.exec(locationOf(started))![1]!
    const item = sampleItem({ catalogCode: '1SCJ00009101', taskName: '审核流程测试事项', promiseDay: 3 })
    const values = valuesFromElements(
      {
        ...item,
        materials: [
          ...item.materials,
          {
            materialCode: 'health_cert',
            materialName: '从业人员健康证明',
            materialFormat: '纸质或电子',
            isNeed: true,
            pageNum: 1,
            pageFormat: 'A4',
            sourceType: '其他',
            sourceExplain: '医疗机构出具',
            acceptStand: '在有效期内',
            byLaw: '',
            fillExplain: '',
            allowDefer: false,
          },
        ],
      },
      refs,
    )
    const url = `/admin/items/versions/${v2}/edit`
    const res = await postEditor(
      'scj',
      url,
      url,
      fieldsOf({ ...values, changeNote: '承诺时限缩短；增加健康证明' }, 'submit'),
    )
    expect(res.statusCode).toBe(303)
  })

  it('shows the queue oldest first, with department and submitted time', async () => {
    const res = await get('reviewer', '/admin/items/review')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('审核流程测试事项')
    expect(res.body).toContain('区市场监督管理局')
    expect(res.body).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/)
    expect((await get('scj', '/admin/items/review')).statusCode).toBe(403)
  })

  it('shows what changed against the published version: the promise and the added material', async () => {
    const res = await get('reviewer', `/admin/items/review/${v2}`)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('与已发布的第 1 版相比')
    expect(res.body).toMatch(/承诺办结时限<\/td>[\s\S]*?修改[\s\S]*?>5<[\s\S]*?>3</)
    expect(res.body).toMatch(/申请材料「从业人员健康证明」<\/td>[\s\S]*?新增/)
    expect(res.body).toContain('承诺时限缩短；增加健康证明')
    expect(res.body).toContain('第 2 版')
  })

  it('requires a comment to reject, then sends the draft back with it', async () => {
    const url = `/admin/items/review/${v2}`
    const blank = await postForm('reviewer', url, url, { decision: 'reject', comment: ' ' })
    expect(blank.statusCode).toBe(422)
    expect(blank.body).toContain('退回修改时请写明需要修改的地方')
    expect((await getVersion(t.db, v2)).state).toBe('in_review')

    const rejected = await postForm('reviewer', url, url, { decision: 'reject', comment: '健康证明的来源渠道请写明' })
    expect(rejected.statusCode).toBe(303)
    expect((await getVersion(t.db, v2)).state).toBe('draft')
    const editor = await get('scj', `/admin/items/versions/${v2}/edit`)
    expect(editor.body).toContain('审核退回意见')
    expect(editor.body).toContain('健康证明的来源渠道请写明')
    const history = await get('scj', `/admin/items/${itemId}/versions`)
    expect(history.body).toContain('意见：健康证明的来源渠道请写明')
  })

  it('approves: the version is published at once and the old one superseded', async () => {
    await submitForReview(t.deps, as('scj'), v2)
    const url = `/admin/items/review/${v2}`
    const approved = await postForm('reviewer', url, url, { decision: 'approve', comment: '' })
    expect(approved.statusCode).toBe(303)
    expect(locationOf(approved)).toBe('/admin/items/review?done=approved')
    const versions = await listVersions(t.db, itemId)
    expect(versions.map((v) => [v.version, v.state])).toEqual([
      [2, 'published'],
      [1, 'superseded'],
    ])
    const audit = await listAudit(t.db, { objectType: 'item_version', objectId: v2 })
    expect(audit.entries.map((e) => e.action)).toContain('catalog.approve')
  })

  it('lists every version with state, times, who and the link to the differences', async () => {
    const res = await get('reviewer', `/admin/items/${itemId}/versions`)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('第 2 版')
    expect(res.body).toContain('已被新版本替代')
    expect(res.body).toContain('已发布')
    expect(res.body).toContain('承诺时限缩短；增加健康证明')
    // who acted: the item administrator (items01) and the reviewer (catalog01), by name
    expect(res.body).toContain(`<br/>${staffNames.items01}`)
    expect(res.body).toContain(`<br/>${staffNames.catalog01}`)
    expect(res.body).toContain(`/admin/items/versions/${v2}/changes`)
    const own = await get('scj', `/admin/items/${itemId}/versions`)
    expect(own.statusCode).toBe(200)
    expect(own.body).toContain('建立新版本')

    const changes = await get('scj', `/admin/items/versions/${v2}/changes`)
    expect(changes.statusCode).toBe(200)
    expect(changes.body).toContain('第 1 版 → 第 2 版')
    expect(changes.body).toContain('从业人员健康证明')
    const version = await get('scj', `/admin/items/versions/${v2}`)
    expect(version.statusCode).toBe(200)
    expect(version.body).toContain('从业人员健康证明')
  })

  it('withdraws a published item only with a reason', async () => {
    const url = `/admin/items/${itemId}/versions`
    const blank = await postForm('reviewer', url, `/admin/items/${itemId}/withdraw`, { reason: '' })
    expect(blank.statusCode).toBe(422)
    expect(blank.body).toContain('请写明撤销的理由')
    const done = await postForm('reviewer', url, `/admin/items/${itemId}/withdraw`, { reason: '职能调整' })
    expect(done.statusCode).toBe(303)
    expect((await listVersions(t.db, itemId))[0]?.state).toBe('withdrawn')
    const page = await get('reviewer', url)
    expect(page.body).toContain('职能调整')
    // an item administrator cannot withdraw
    const refused = await postForm('scj', '/admin/items', `/admin/items/${itemId}/withdraw`, { reason: 'x' })
    expect(refused.statusCode).toBe(403)
  })

  it('refuses to start a second open version', async () => {
    const { itemId: other } = await publishedItem('1SCJ00009102')
    await startNewVersion(t.deps, as('scj'), other)
    const res = await postForm('scj', '/admin/items', `/admin/items/${other}/new-version`, {})
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain('未发布的新版本')
  })
})

describe('authorization', () => {
  const routes = [
    ['GET', '/admin/items'],
    ['GET', '/admin/items/new'],
    ['POST', '/admin/items/new'],
    ['GET', '/admin/items/review'],
    ['GET', '/admin/items/export.xlsx'],
    ['GET', '/admin/items/import'],
    ['POST', '/admin/items/import'],
    ['POST', '/admin/items/import/confirm'],
  ] as const

  it('refuses citizens (403) and anonymous visitors (login) on every admin route', async () => {
    for (const [method, url] of routes) {
      const citizen = await t.app.inject({
        method,
        url,
        headers: { 'x-as': 'citizen', 'content-type': 'application/json' },
        ...(method === 'POST' ? { payload: '{}' } : {}),
      })
      expect(citizen.statusCode, `${method} ${url}`).toBe(403)
      const anonymous = await t.app.inject({
        method,
        url,
        headers: { 'content-type': 'application/json' },
        ...(method === 'POST' ? { payload: '{}' } : {}),
      })
      expect(anonymous.statusCode, `${method} ${url}`).toBe(method === 'GET' ? 303 : 401)
    }
  })

  it('shows the 事项管理 entry only to item administrators and 事项审核 only to reviewers', async () => {
    const admin = await get('scj', '/admin/items')
    expect(admin.body).toContain('>事项管理</a>')
    expect(admin.body).not.toContain('>事项审核</a>')
    const reviewer = await get('reviewer', '/admin/items/review')
    expect(reviewer.body).toContain('>事项审核</a>')
    expect(reviewer.body).not.toContain('>事项管理</a>')
  })
})
