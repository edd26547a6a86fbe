import type { FastifyRequest, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal, sampleFormData, sampleMaterials, staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, cookiesOf, form, type TestApp } from '../../../test/helpers.js'
import type { Principal } from '../../platform/auth/principal.js'
import { documentTypes, imageTypes } from '../../platform/files/files.js'
import { runSeed } from '../../seed.js'
import { getVersion, type ItemElements } from '../catalog/index.js'
import { createStaff } from '../identity/identity.admin.js'
import { formFor } from './applications.forms.registry.js'
import { listNotices, listPauses, listTasks } from './applications.repository.js'
import {
  acceptApplication,
  completeTask,
  getApplication,
  type MaterialInput,
  resubmitCorrection,
  submitApplication,
} from './applications.service.js'

let t: TestApp
const principals = new Map<string, Principal>()
let citizen: Principal
let window01: Principal

beforeAll(async () => {
  t = await buildTestApp({
    principal: (request: FastifyRequest) => {
      const login = request.headers['x-test-login']
      return typeof login === 'string' ? principals.get(login) : undefined
    },
    env: { RATE_LIMIT_PER_MINUTE: '100000' },
  })
  t.clock.set('2026-03-02T01:00:00.000Z') // Monday 09:00 in Shanghai
  await runSeed(t.modules, { print: false })
  for (const login of ['window01', 'window02', 'review01', 'review02', 'approve01', 'approve02', 'sysadmin']) {
    principals.set(login, await staffPrincipal(t.db, login))
  }
  citizen = await citizenPrincipal(t.db, '陈晓燕')
  window01 = principals.get('window01')!
  // A second reviewer of 市场监管 so that a task can be transferred (转办).
  await createStaff(t.deps, principals.get('sysadmin')!, {
    name: '邱志明',
    employeeNo: 'CA0901',
    loginName: 'review03',
    departmentId: window01.departmentId!,
    roles: ['reviewer'],
    passwordMode: 'generate',
  })
  principals.set('review03', await staffPrincipal(t.db, 'review03'))
})
afterAll(async () => t.close())

let keys = 0
const key = () => `wb-key-${Date.now()}-${++keys}`

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

/** A tiny valid PNG (1×1), so the preview shows an image. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

async function apply(name = '食品经营许可', extra: { materials?: MaterialInput[] } = {}) {
  const { itemId, version, elements } = await itemNamed(name)
  return submitApplication(t.deps, citizen, {
    itemId,
    idempotencyKey: key(),
    formData: sampleFormData(formFor(version)),
    materials: extra.materials ?? (await sampleMaterials(t.deps.files, elements, documentTypes)),
  })
}

function get(login: string, url: string) {
  return t.app.inject({ method: 'GET', url, headers: { 'x-test-login': login } })
}

/**
 * Posts a form as the browser would: the CSRF token and cookie of the page it is on; a redirect
 * (after a successful action) is followed, as the browser does.
 */
async function post(login: string, page: string, url: string, fields: Record<string, string | string[]>) {
  const res = await postOnly(login, page, url, fields)
  if (res.statusCode !== 303) return res
  return get(login, String(res.headers.location))
}

async function postOnly(login: string, page: string, url: string, fields: Record<string, string | string[]>) {
  const shown = await get(login, page)
  const token = /name="_csrf" value="([^"]+)"/.exec(shown.body)?.[1]
  if (!token) throw new Error(`no CSRF token on ${page} (${shown.statusCode})`)
  return t.app.inject({
    method: 'POST',
    url,
    headers: {
      'x-test-login': login,
      'content-type': 'application/x-www-form-urlencoded',
      cookie: cookiesOf(shown),
    },
    payload: form({ _csrf: token, ...fields }),
  })
}

/** The visible text of a page, tags removed, spaces squeezed. */
function text(res: LightMyRequestResponse): string {
  return res.body
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
}

const caseUrl = (id: string) => `/workbench/cases/${id}`

async function openTask(applicationId: string, taskKey: string) {
  const task = (await listTasks(t.db, applicationId)).find(
    (x) => x.taskKey === taskKey && ['open', 'claimed'].includes(x.state),
  )
  if (!task) throw new Error(`no open task ${taskKey}`)
  return task
}

describe('GET /workbench', () => {
  it('sends someone not logged in to the login page and refuses a citizen', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/workbench' })
    expect(anonymous.statusCode).toBe(303)
    expect(anonymous.headers.location).toBe('/login?next=%2Fworkbench')
    principals.set('citizen', citizen)
    expect((await get('citizen', '/workbench')).statusCode).toBe(403)
  })

  it('shows the window its department’s submissions, oldest first, each with its §32 deadline as words and colour', async () => {
    t.clock.set('2026-02-26T01:00:00.000Z') // Thursday
    const oldest = await apply('食品小作坊登记')
    t.clock.set('2026-03-02T01:00:00.000Z') // Monday
    const middle = await apply('食品小作坊登记')
    t.clock.set('2026-03-04T01:00:00.000Z') // Wednesday
    const newest = await apply('食品小作坊登记')
    t.clock.set('2026-03-04T03:00:00.000Z')
    const { itemId } = await itemNamed('食品小作坊登记')
    const res = await get('window01', `/workbench?view=pre_review&item=${itemId}`)
    expect(res.statusCode).toBe(200)
    const page = text(res)
    expect(page).toContain('待受理')
    const order = [oldest, middle, newest].map((a) => page.indexOf(a.applicationNo!))
    expect(order.every((i) => i > 0)).toBe(true)
    expect(order).toEqual([...order].sort((a, b) => a - b))
    // received 02-26: due 03-04 (today; 02-28 is a make-up working Saturday) → 即将到期;
    // 03-02 → 03-09 正常; the applicant's name shows
    const rowOf = (no: string) => page.slice(page.indexOf(no), page.indexOf(no) + 160)
    expect(rowOf(oldest.applicationNo!)).toContain('即将到期')
    expect(rowOf(middle.applicationNo!)).toContain('正常')
    expect(rowOf(oldest.applicationNo!)).toContain('陈晓燕')
    expect(res.body).toMatch(/class="tag tag--yellow">即将到期/)
    // the filter names the chosen item, keeps it when filtering further, and links to the items
    expect(page).toMatch(/事项 食品小作坊登记 更换事项/)
    expect(res.body).toContain(`<input type="hidden" name="item" value="${itemId}"/>`)
    expect(res.body).toContain('href="/workbench/items?view=pre_review"')
    expect(text(await get('window01', '/workbench?view=pre_review'))).toMatch(/事项 全部事项 按事项筛选/)

    // colour filter: 黄 lists only the oldest
    const yellow = text(await get('window01', `/workbench?view=pre_review&item=${itemId}&colour=yellow`))
    expect(yellow).toContain(oldest.applicationNo!)
    expect(yellow).not.toContain(middle.applicationNo!)
    // the next Monday the oldest is past its limit: 超期, and first
    t.clock.set('2026-03-09T01:00:00.000Z')
    const red = text(await get('window01', `/workbench?view=pre_review&item=${itemId}&colour=red`))
    expect(red).toContain(oldest.applicationNo!)
    expect(red).toContain('超期')
    expect(red).not.toContain(newest.applicationNo!)

    // another department's window never sees these rows
    const other = text(await get('window02', `/workbench?view=pre_review`))
    for (const a of [oldest, middle, newest]) expect(other).not.toContain(a.applicationNo!)
    t.clock.set('2026-03-02T01:00:00.000Z')
  })

  it('按事项筛选 lists the items with cases in the list, with their counts, each linking to the list filtered by it', async () => {
    await apply('食品小作坊登记')
    const { itemId } = await itemNamed('食品小作坊登记')
    const res = await get('window01', '/workbench/items?view=pre_review&colour=red')
    expect(res.statusCode).toBe(200)
    const page = text(res)
    expect(page).toContain('按事项筛选')
    expect(page).toContain('“待受理”列表中有办件的事项')
    const count = Number(/食品小作坊登记 （(\d+) 件）/.exec(page)?.[1])
    expect(count).toBeGreaterThan(0)
    // the link keeps the view and the colour filter
    expect(res.body).toContain(`href="/workbench?view=pre_review&amp;item=${itemId}&amp;colour=red"`)
    const filtered = await get('window01', `/workbench?view=pre_review&item=${itemId}&colour=`)
    expect(text(filtered)).toContain(`符合条件的 ${count} 件`)
    // an item of the department without cases is not offered; another department's is not either
    expect(page).not.toContain('药品零售经营许可')
    expect(text(await get('window02', '/workbench/items?view=pre_review'))).not.toContain('食品小作坊登记')

    // searching by part of the name (full-width letters and case do not matter)
    const found = text(await get('window01', `/workbench/items?view=pre_review&q=${encodeURIComponent(' 作坊 ')}`))
    expect(found).toContain('名称含“作坊”的事项：1 个')
    expect(found).toContain('食品小作坊登记')
    expect(found).not.toContain('食品经营许可 （')
    // what was typed comes back escaped
    const none = await get('window01', `/workbench/items?view=pre_review&q=${encodeURIComponent('<户口>')}`)
    expect(none.body).toContain('没有名称含“&lt;户口>”的事项。')
    expect(none.body).not.toContain('<户口>')

    // 待办理 for a reviewer; a reviewer asking for 待受理 gets 待办理 (as on the inbox)
    expect(text(await get('review01', '/workbench/items?view=pre_review'))).toContain('“待办理”列表中有办件的事项')
    expect((await get('window01', `/workbench/items?view=tasks&q=${'长'.repeat(51)}`)).statusCode).toBe(400)
    expect((await t.app.inject({ method: 'GET', url: '/workbench/items' })).statusCode).toBe(303)
  })

  it('refuses a malformed filter with a 400 page, not a server error', async () => {
    expect((await get('window01', '/workbench?colour=purple')).statusCode).toBe(400)
    expect((await get('window01', '/workbench?page=0')).statusCode).toBe(400)
  })
})

describe('batch claim (批量签收)', () => {
  it('claims each selected task and reports every row, including one the reviewer may not take', async () => {
    const a = await apply()
    const b = await apply()
    await acceptApplication(t.deps, window01, a.id)
    await acceptApplication(t.deps, window01, b.id)
    const mineA = await openTask(a.id, 'review_scj')
    const mineB = await openTask(b.id, 'review_scj')
    const notMine = await openTask(a.id, 'review_wjj')
    const inbox = await get('review01', '/workbench?view=tasks')
    expect(inbox.statusCode).toBe(200)
    expect(inbox.body).toContain(`value="${mineA.id}"`)
    expect(inbox.body).not.toContain(`value="${notMine.id}"`)
    expect(text(inbox)).toContain('批量签收')

    const res = await post('review01', '/workbench?view=tasks', '/workbench/claim', {
      taskIds: [mineA.id, mineB.id, notMine.id],
    })
    expect(res.statusCode).toBe(200)
    const page = text(res)
    expect(page).toContain('已签收 2 件，1 件未能签收')
    expect(page).toContain('不属于您的部门或岗位')
    const tasks = [...(await listTasks(t.db, a.id)), ...(await listTasks(t.db, b.id))]
    expect(tasks.find((x) => x.id === mineA.id)?.state).toBe('claimed')
    expect(tasks.find((x) => x.id === mineB.id)?.assigneeStaffId).toBe(principals.get('review01')!.staffId)
    expect(tasks.find((x) => x.id === notMine.id)?.state).toBe('open')

    // 只看我签收的
    const mine = text(await get('review01', '/workbench?view=tasks&mine=1'))
    expect(mine).toContain(a.applicationNo!)
    expect(mine).toContain('（我）')
  })

  it('asks for at least one selection', async () => {
    const res = await post('review01', '/workbench?view=tasks', '/workbench/claim', {})
    expect(res.statusCode).toBe(422)
    expect(text(res)).toContain('请至少勾选一个待签收的办理环节')
  })
})

describe('the case page', () => {
  it('shows the summary, the form, the materials with previews, the clocks, tasks and history', async () => {
    const { elements } = await itemNamed('食品经营许可')
    const stored = await t.deps.files.put(PNG, { maxBytes: 1024 * 1024, allowedTypes: imageTypes })
    const materials = (await sampleMaterials(t.deps.files, elements, documentTypes)).map((m, i) =>
      i === 0 && m.kind === 'file'
        ? { ...m, sha256: stored.sha256, mime: stored.mime, size: stored.size, fileName: '营业场所照片.png' }
        : m,
    )
    const app = await apply('食品经营许可', { materials })
    const res = await get('window01', caseUrl(app.id))
    expect(res.statusCode).toBe(200)
    const page = text(res)
    expect(page).toContain(app.applicationNo!)
    expect(page).toContain('食品经营许可（第 1 版）')
    expect(page).toContain('陈晓燕')
    expect(page).toContain('445103********0029')
    // the applicant's own record stays masked in the summary (unmasking is at /staff/persons, with a reason)
    expect(page.slice(page.indexOf('概要'), page.indexOf('办理操作'))).not.toContain('445103198503120029')
    expect(res.body).toContain('href="/staff/persons"')
    expect(page).toContain('C 申请人上传')
    expect(res.body).toContain(
      `<img class="wb-file__preview" src="/workbench/cases/${app.id}/materials/${stored.sha256}"`,
    )
    expect(page).toContain('受理期限')
    expect(page).toContain('一次性告知补正')
    expect(page).toContain('依据《行政许可法》第三十二条，应一次性告知需要补正的全部内容')
    expect(page).toContain('提交申请')

    // a reviewer sees no pre-review actions; once accepted both clocks show
    expect(text(await get('review01', caseUrl(app.id)))).not.toContain('发出补正材料通知书')
    await acceptApplication(t.deps, window01, app.id)
    const accepted = text(await get('review01', caseUrl(app.id)))
    expect(accepted).toContain('法定时限')
    expect(accepted).toContain('承诺时限')
    expect(accepted).toMatch(/已用 0 个工作日，剩余 10 个工作日，截止 \d{4}-\d{2}-\d{2}/)
    expect(accepted).toContain('经营条件审查')
    expect(accepted).toContain('卫生条件审查')
    expect(accepted).toContain('区卫生健康局'.slice(1)) // department names of both branches
    expect(accepted).toContain('窗口受理人员 郑晓玲') // staff see who acted
  })

  it('streams a material of the case inline, and refuses a file that is not the case’s', async () => {
    const stored = await t.deps.files.put(PNG, { maxBytes: 1024 * 1024, allowedTypes: imageTypes })
    const { elements } = await itemNamed('食品经营许可')
    const materials = (await sampleMaterials(t.deps.files, elements, documentTypes)).map((m, i) =>
      i === 0 && m.kind === 'file'
        ? { ...m, sha256: stored.sha256, mime: stored.mime, size: stored.size, fileName: '照片.png' }
        : m,
    )
    const withImage = await apply('食品经营许可', { materials })
    const without = await apply('食品经营许可')
    const image = await get('window01', `${caseUrl(withImage.id)}/materials/${stored.sha256}`)
    expect(image.statusCode).toBe(200)
    expect(image.headers['content-type']).toBe('image/png')
    expect(image.headers['content-disposition']).toBe(`inline; filename*=UTF-8''${encodeURIComponent('照片.png')}`)
    expect(image.rawPayload.equals(PNG)).toBe(true)
    const pdfSha = (materials.find((m, i) => i > 0 && m.kind === 'file') as { sha256: string }).sha256
    const pdf = await get('window01', `${caseUrl(withImage.id)}/materials/${pdfSha}`)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    expect(pdf.headers['content-disposition']).toMatch(/^inline;/)
    // the image exists in the store but belongs to another case
    const foreign = await get('window01', `${caseUrl(without.id)}/materials/${stored.sha256}`)
    expect(foreign.statusCode).toBe(404)
    // and another department may not read the case's files at all
    expect((await get('window02', `${caseUrl(withImage.id)}/materials/${stored.sha256}`)).statusCode).toBe(403)
  })

  it('refuses staff of another department: 403 on the page and on every action', async () => {
    const app = await apply()
    const page = await get('window02', caseUrl(app.id))
    expect(page.statusCode).toBe(403)
    expect(text(page)).toContain('不属于您所在的部门')
    // the parallel department may not see a case before it has a task on it
    expect((await get('review02', caseUrl(app.id))).statusCode).toBe(403)
    const accept = await post('window02', '/workbench', `${caseUrl(app.id)}/accept`, {})
    expect(accept.statusCode).toBe(403)
    const correction = await post('window02', '/workbench', `${caseUrl(app.id)}/correction`, {
      'pick.material:x': '1',
      'message.material:x': 'x',
    })
    expect(correction.statusCode).toBe(403)
    const reject = await post('window02', '/workbench', `${caseUrl(app.id)}/reject`, { rejectReason: '越权' })
    expect(reject.statusCode).toBe(403)
    expect((await getApplication(t.db, app.id)).state).toBe('submitted')
    // an unknown case is 404
    expect((await get('window01', caseUrl('01890000-0000-7000-8000-000000000000'))).statusCode).toBe(404)
  })
})

describe('pre-review actions', () => {
  it('the correction builder sends ONE notice listing every ticked problem', async () => {
    const app = await apply()
    const { version, elements } = await itemNamed('食品经营许可')
    const def = formFor(version)
    const section = def.sections.find((s) => !s.repeat && !s.showIf)!
    const field = section.fields[0]!
    const material = elements.materials.find((m) => m.isNeed)!
    const fieldId = `field:${section.key}.${field.key}`
    const materialId = `material:${material.materialCode}`
    const page = await get('window01', caseUrl(app.id))
    // every field (by section) and every material has a box and a message
    expect(page.body).toContain(`name="pick.${fieldId}"`)
    expect(page.body).toContain(`name="message.${fieldId}"`)
    for (const m of elements.materials) expect(page.body).toContain(`name="pick.material:${m.materialCode}"`)

    // nothing ticked
    const none = await post('window01', caseUrl(app.id), `${caseUrl(app.id)}/correction`, {})
    expect(none.statusCode).toBe(422)
    expect(text(none)).toContain('请至少勾选一项需要补正的内容')
    // ticked without a message, and a message without a tick
    const half = await post('window01', caseUrl(app.id), `${caseUrl(app.id)}/correction`, {
      [`pick.${fieldId}`]: '1',
      [`message.${materialId}`]: '缺少签名',
    })
    expect(half.statusCode).toBe(422)
    expect(text(half)).toContain(`请写明「${field.label}」需要怎样补正`)
    expect(text(half)).toContain(`已写明「${material.materialName}」的补正要求，请勾选此项`)
    expect(half.body).toContain('缺少签名') // what was typed is kept
    expect(await listNotices(t.db, app.id)).toHaveLength(0)

    const done = await post('window01', caseUrl(app.id), `${caseUrl(app.id)}/correction`, {
      [`pick.${fieldId}`]: '1',
      [`message.${fieldId}`]: `${field.label}与营业执照不一致`,
      [`pick.${materialId}`]: '1',
      [`message.${materialId}`]: `${material.materialName}缺少法定代表人签名`,
    })
    expect(done.statusCode).toBe(200)
    expect(text(done)).toContain('一次性告知了 2 项需要补正的内容')
    const notices = await listNotices(t.db, app.id)
    expect(notices.map((n) => n.kind)).toEqual(['correction'])
    expect(JSON.parse(notices[0]!.content).problems).toEqual([
      { target: 'field', key: `${section.key}.${field.key}`, message: `${field.label}与营业执照不一致` },
      { target: 'material', key: material.materialCode, message: `${material.materialName}缺少法定代表人签名` },
    ])
    expect((await getApplication(t.db, app.id)).state).toBe('correction_requested')
    expect(text(done)).toContain('补正材料通知书')
    expect(done.body).toContain(`/my/applications/${app.id}/notices/${notices[0]!.id}`)
  })

  it('不予受理 needs reasons; the form keeps what was typed', async () => {
    const app = await apply()
    const empty = await post('window01', caseUrl(app.id), `${caseUrl(app.id)}/reject`, { whereToApply: '区卫生健康局' })
    expect(empty.statusCode).toBe(422)
    expect(text(empty)).toContain('不予受理必须写明理由')
    expect(empty.body).toContain('value="区卫生健康局"')
    const done = await post('window01', caseUrl(app.id), `${caseUrl(app.id)}/reject`, {
      rejectReason: '经营场所位于居民住宅楼内',
      whereToApply: '',
    })
    expect(done.statusCode).toBe(200)
    expect(text(done)).toContain('已作出不予受理决定')
    expect((await getApplication(t.db, app.id)).state).toBe('not_accepted')
  })

  it('受理 opens the parallel tasks: each department’s reviewers see theirs', async () => {
    const app = await apply()
    const redirect = await postOnly('window01', caseUrl(app.id), `${caseUrl(app.id)}/accept`, {})
    expect(redirect.statusCode).toBe(303) // Post/Redirect/Get: reloading the page repeats nothing
    expect(redirect.headers.location).toBe(`${caseUrl(app.id)}?done=accepted`)
    const res = await get('window01', String(redirect.headers.location))
    expect(res.statusCode).toBe(200)
    expect(text(res)).toContain(`已受理办件 ${app.applicationNo}`)
    // accepting twice: the state moved on, said beside the form (409), not a crash
    const again = await post('window01', '/workbench', `${caseUrl(app.id)}/accept`, {})
    expect(again.statusCode).toBe(409)
    expect(text(again)).toContain('不能受理')
    const scj = text(await get('review01', '/workbench?view=tasks'))
    const wjj = text(await get('review02', '/workbench?view=tasks'))
    expect(scj).toContain(app.applicationNo!)
    expect(wjj).toContain(app.applicationNo!)
    expect(scj).toContain('经营条件审查')
    expect(wjj).toContain('卫生条件审查')
    // the parallel department now sees the case (it has a task on it)
    expect((await get('review02', caseUrl(app.id))).statusCode).toBe(200)
  })
})

describe('task actions', () => {
  it('claim, complete (disagree needs reasons), return and transfer from the page', async () => {
    const app = await apply()
    await acceptApplication(t.deps, window01, app.id)
    const scj = await openTask(app.id, 'review_scj')
    const base = `${caseUrl(app.id)}/tasks/${scj.id}`
    const claimed = await post('review01', caseUrl(app.id), `${base}/claim`, {})
    expect(claimed.statusCode).toBe(200)
    expect(text(claimed)).toContain('已签收')

    const noReason = await post('review01', caseUrl(app.id), `${base}/complete`, { outcome: 'disagree', opinion: '' })
    expect(noReason.statusCode).toBe(422)
    expect(text(noReason)).toContain('不同意时必须写明理由')
    const noOutcome = await post('review01', caseUrl(app.id), `${base}/complete`, { opinion: '好' })
    expect(noOutcome.statusCode).toBe(422)
    expect(text(noOutcome)).toContain('请选择同意或不同意')

    // 转办 to the other reviewer of the department, then that reviewer agrees
    const page = await get('review01', caseUrl(app.id))
    expect(text(page)).toContain('邱志明')
    const review03 = principals.get('review03')!
    const transferred = await post('review01', caseUrl(app.id), `${base}/transfer`, {
      toStaffId: review03.staffId!,
      transferReason: '休假',
    })
    expect(transferred.statusCode).toBe(200)
    expect(text(transferred)).toContain('已转给 邱志明 办理')
    expect((await listTasks(t.db, app.id)).find((x) => x.id === scj.id)?.assigneeStaffId).toBe(review03.staffId)
    const agreed = await post('review03', caseUrl(app.id), `${base}/complete`, {
      outcome: 'agree',
      opinion: '经营条件符合要求',
    })
    expect(agreed.statusCode).toBe(200)
    await completeTask(t.deps, principals.get('review02')!, (await openTask(app.id, 'review_wjj')).id, {
      outcome: 'agree',
      opinion: '',
    })

    // the leader sends it back to the parallel review
    const decision = await openTask(app.id, 'decision')
    const returned = await post('approve01', caseUrl(app.id), `${caseUrl(app.id)}/tasks/${decision.id}/return`, {
      toStage: '0',
      returnReason: '请核实仓库地址',
    })
    expect(returned.statusCode).toBe(200)
    const tasks = await listTasks(t.db, app.id)
    expect(tasks.filter((x) => x.stage === 0 && x.state === 'open').map((x) => x.taskKey)).toEqual([
      'review_scj',
      'review_wjj',
    ])
    expect(tasks.find((x) => x.id === decision.id)?.state).toBe('returned')
    const history = text(await get('approve01', caseUrl(app.id)))
    expect(history).toContain('退回')
    expect(history).toContain('请核实仓库地址')
    expect(history).toContain('转办')
  })

  it('a reviewer of another department cannot act on this department’s task (403)', async () => {
    const app = await apply()
    await acceptApplication(t.deps, window01, app.id)
    const scj = await openTask(app.id, 'review_scj')
    const res = await post('review02', caseUrl(app.id), `${caseUrl(app.id)}/tasks/${scj.id}/complete`, {
      outcome: 'agree',
      opinion: '',
    })
    expect(res.statusCode).toBe(403)
    expect((await listTasks(t.db, app.id)).find((x) => x.id === scj.id)?.state).toBe('open')
  })
})

describe('the clock from the page', () => {
  it('pauses for a §45 procedure, resumes, and the approver extends (+10)', async () => {
    const app = await apply()
    await acceptApplication(t.deps, window01, app.id)
    const before = await getApplication(t.db, app.id)
    const bad = await post('review01', caseUrl(app.id), `${caseUrl(app.id)}/clock/pause`, {
      procedure: '',
      expectedDays: 'abc',
    })
    expect(bad.statusCode).toBe(422)
    expect(text(bad)).toContain('请选择特别程序的种类')
    const paused = await post('review01', caseUrl(app.id), `${caseUrl(app.id)}/clock/pause`, {
      procedure: 'expert_review',
      expectedDays: '10',
      procedureNote: '聘请食品安全专家现场评审',
    })
    expect(paused.statusCode).toBe(200)
    expect(text(paused)).toContain('暂停计时')
    expect(text(paused)).toContain('计时暂停中（专家评审')
    expect((await getApplication(t.db, app.id)).paused).toBe(1)

    t.clock.advance(3 * 24 * 3600_000)
    const resumed = await post('review01', caseUrl(app.id), `${caseUrl(app.id)}/clock/resume`, {})
    expect(resumed.statusCode).toBe(200)
    expect((await getApplication(t.db, app.id)).paused).toBe(0)
    expect((await listPauses(t.db, app.id))[0]?.toAt).not.toBeNull()

    // only an approver (clock.extend) may extend: a reviewer gets 403 from the policy
    const refused = await post('review01', caseUrl(app.id), `${caseUrl(app.id)}/clock/extend`, {
      extendReason: '需要现场核查',
    })
    expect(refused.statusCode).toBe(403)
    const noReason = await post('approve01', caseUrl(app.id), `${caseUrl(app.id)}/clock/extend`, { extendReason: ' ' })
    expect(noReason.statusCode).toBe(422)
    const extended = await post('approve01', caseUrl(app.id), `${caseUrl(app.id)}/clock/extend`, {
      extendReason: '需要现场核查',
    })
    expect(extended.statusCode).toBe(200)
    expect(text(extended)).toContain('已延长 10 日')
    const after = await getApplication(t.db, app.id)
    expect(after.extensionDays).toBe(10)
    expect(after.dueOn! > before.dueOn!).toBe(true)
    expect((await listNotices(t.db, app.id)).map((n) => n.kind)).toEqual(['accept', 'special_procedure', 'extension'])
    t.clock.set('2026-03-02T01:00:00.000Z')
  })
})

describe('after a correction', () => {
  it('the resubmitted case is back in the window’s inbox', async () => {
    const app = await apply()
    const { version } = await itemNamed('食品经营许可')
    const section = formFor(version).sections.find((s) => !s.repeat && !s.showIf)!
    const field = section.fields.find((f) => f.type === 'text')!
    await post('window01', caseUrl(app.id), `${caseUrl(app.id)}/correction`, {
      [`pick.field:${section.key}.${field.key}`]: '1',
      [`message.field:${section.key}.${field.key}`]: '请填写全称',
    })
    const data = JSON.parse((await getApplication(t.db, app.id)).formData)
    await resubmitCorrection(t.deps, citizen, app.id, {
      formData: { ...data, [section.key]: { ...data[section.key], [field.key]: '全称' } },
      materials: [],
    })
    expect(text(await get('window01', '/workbench?view=pre_review'))).toContain(app.applicationNo!)
  })
})
