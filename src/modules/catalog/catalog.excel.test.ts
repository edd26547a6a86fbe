import ExcelJS from 'exceljs'
import type { FastifyRequest, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, cookiesOf, type TestApp, testPrincipal } from '../../../test/helpers.js'
import { listAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { runSeed } from '../../seed.js'
import { permissionsOf } from '../identity/index.js'
import { DEMO_ITEMS } from './catalog.demo-items.js'
import { ELEMENT_LABELS } from './catalog.diff.js'
import { formatFlow, parseFlow, planImport, SHEETS } from './catalog.excel.js'
import type { ItemElements } from './catalog.model.js'
import { listVersions } from './catalog.repository.js'

type Who = 'scj' | 'wjj' | 'reviewer' | 'citizen'

let t: TestApp
const principals = new Map<Who, Principal>()
const SCJ_ITEMS = DEMO_ITEMS.filter((d) => d.departmentCode === 'scj').length

beforeAll(async () => {
  t = await buildTestApp({
    principal: (request: FastifyRequest) => principals.get(request.headers['x-as'] as Who),
    env: { RATE_LIMIT_PER_MINUTE: '100000' },
  })
  await runSeed(t.modules, { print: false })
  const dept = async (code: string) =>
    (await t.db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id
  const staff = (who: Who, staffId: string, departmentId: string, role: string) =>
    principals.set(
      who,
      testPrincipal({
        staffId,
        personId: undefined,
        departmentId,
        roles: [role],
        permissions: permissionsOf([role]),
        assuranceLevel: 3,
      }),
    )
  staff('scj', 'staff-excel-scj', await dept('scj'), 'item_admin')
  staff('wjj', 'staff-excel-wjj', await dept('wjj'), 'item_admin')
  staff('reviewer', 'staff-excel-review', await dept('zwfw'), 'catalog_reviewer')
  principals.set('citizen', testPrincipal({ personId: 'citizen-1' }))
})
afterAll(async () => t?.close())

// ---------------------------------------------------------------------------------------------

async function exportAs(who: Who): Promise<Buffer> {
  const res = await t.app.inject({ method: 'GET', url: '/admin/items/export.xlsx', headers: { 'x-as': who } })
  expect(res.statusCode).toBe(200)
  expect(res.headers['content-type']).toContain('spreadsheetml')
  return res.rawPayload
}

async function load(buffer: Buffer) {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buffer as unknown as ArrayBuffer)
  return wb
}

/** Changes one cell of the row whose catalogCode is given, by column name. */
async function editCell(buffer: Buffer, sheet: string, catalogCode: string, column: string, value: string | number) {
  const wb = await load(buffer)
  const ws = wb.getWorksheet(sheet)!
  const header = (ws.getRow(1).values as unknown[]).map(String)
  const codeCol = header.indexOf('catalogCode')
  const col = header.indexOf(column)
  let rowNumber = 0
  ws.eachRow((row, n) => {
    if (!rowNumber && row.getCell(codeCol).value === catalogCode) rowNumber = n
  })
  expect(rowNumber, `${catalogCode} in ${sheet}`).toBeGreaterThan(2)
  ws.getRow(rowNumber).getCell(col).value = value
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), row: rowNumber }
}

function multipart(name: string, filename: string, content: Buffer, type: string) {
  const boundary = `----yiwang${Math.random().toString(16).slice(2)}`
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` }
}

async function upload(who: Who, content: Buffer, filename = '事项.xlsx', type = 'application/octet-stream') {
  const page = await t.app.inject({ method: 'GET', url: '/admin/items/import', headers: { 'x-as': who } })
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
  const action = /action="(\/admin\/items\/import\?_csrf=[^"]+)"/.exec(page.body)?.[1]
  expect(action).toBeDefined()
  const body = multipart('file', filename, content, type)
  const res = await t.app.inject({
    method: 'POST',
    url: `/admin/items/import?_csrf=${encodeURIComponent(token)}`,
    headers: { 'x-as': who, cookie: cookiesOf(page), 'content-type': body.contentType },
    payload: body.payload,
  })
  return { res, cookie: cookiesOf(page), token }
}

async function confirm(who: Who, report: LightMyRequestResponse, session: { cookie: string; token: string }) {
  const ticket = /name="ticket" value="([^"]+)"/.exec(report.body)?.[1]
  return t.app.inject({
    method: 'POST',
    url: '/admin/items/import/confirm',
    headers: { 'x-as': who, cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: session.token, ticket: ticket ?? '' }).toString(),
  })
}

async function versionCount(): Promise<number> {
  const row = await t.db
    .selectFrom('itemVersions')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

async function itemByName(name: string) {
  return t.db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'items.catalogCode', 'itemVersions.elements'])
    .where('itemVersions.taskName', '=', name)
    .executeTakeFirstOrThrow()
}

// ---------------------------------------------------------------------------------------------

describe('GET /admin/items/export.xlsx', () => {
  it('writes the national layout: field names, Chinese names, one row per published item', async () => {
    const wb = await load(await exportAs('scj'))
    expect(wb.worksheets.map((w) => w.name)).toEqual(['事项', '材料', '收费', '常见问题', '说明'])
    const items = wb.getWorksheet(SHEETS.items)!
    const names = (items.getRow(1).values as unknown[]).slice(1)
    const labels = (items.getRow(2).values as unknown[]).slice(1)
    for (const key of Object.keys(ELEMENT_LABELS)) {
      if (['materials', 'fees', 'faqs'].includes(key)) continue
      if (key === 'resultSample') expect(names).toContain('resultSample.sha256')
      else expect(names, key).toContain(key)
    }
    expect(names).toEqual(expect.arrayContaining(['deptCode', 'deptName', 'taskVersion']))
    expect(labels[names.indexOf('promiseDay')]).toBe('承诺办结时限')
    expect(items.actualRowCount).toBe(2 + SCJ_ITEMS)

    const food = await itemByName('食品经营许可')
    const e = JSON.parse(food.elements) as ItemElements
    let row: ExcelJS.Row | undefined
    items.eachRow((r) => {
      if (r.getCell(1).value === e.catalogCode) row = r
    })
    const cell = (name: string) => row!.getCell(names.indexOf(name) + 1).value
    expect(cell('taskName')).toBe('食品经营许可')
    expect(cell('serverType')).toBe(e.serverType.join('；'))
    expect(cell('handleFlow')).toBe(formatFlow(e.handleFlow))
    expect(cell('deptCode')).toBe('11445103005126091E')
    expect(cell('taskVersion')).toBe(1)

    const materials = wb.getWorksheet(SHEETS.materials)!
    const materialRows: unknown[] = []
    materials.eachRow((r, n) => {
      if (n > 2 && r.getCell(1).value === e.catalogCode) materialRows.push(r.getCell(2).value)
    })
    expect(materialRows).toEqual(e.materials.map((m) => m.materialCode))
    const blank = e.materials.find((m) => m.blankForm)
    expect(blank).toBeDefined()
    if (blank) {
      const header = (materials.getRow(1).values as unknown[]).map(String)
      let sha: unknown
      materials.eachRow((r) => {
        if (r.getCell(1).value === e.catalogCode && r.getCell(2).value === blank.materialCode) {
          sha = r.getCell(header.indexOf('blankForm.sha256')).value
        }
      })
      expect(sha).toBe(blank.blankForm?.sha256)
    }
    expect(wb.getWorksheet(SHEETS.about)!.actualRowCount).toBeGreaterThan(60)
  })

  it('gives reviewers every department and item administrators their own', async () => {
    const all = await load(await exportAs('reviewer'))
    expect(all.getWorksheet(SHEETS.items)!.actualRowCount).toBe(2 + DEMO_ITEMS.length)
    const wjj = await load(await exportAs('wjj'))
    expect(wjj.getWorksheet(SHEETS.items)!.actualRowCount).toBe(
      2 + DEMO_ITEMS.filter((d) => d.departmentCode === 'wjj').length,
    )
    const citizen = await t.app.inject({
      method: 'GET',
      url: '/admin/items/export.xlsx',
      headers: { 'x-as': 'citizen' },
    })
    expect(citizen.statusCode).toBe(403)
  })
})

describe('POST /admin/items/import', () => {
  it('round trip: importing an export unchanged reports every row 「无变化」 and writes nothing', async () => {
    const before = await versionCount()
    const { res } = await upload('scj', await exportAs('scj'))
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('无需导入')
    expect(res.body).not.toContain('确认导入')
    expect(res.body.match(/>无变化</g)?.length).toBe(SCJ_ITEMS + 1) // every row, and the count
    // the same through the service, for every department's export by its own administrator
    const plan = await planImport(t.deps, principals.get('wjj')!, await exportAs('wjj'))
    expect(plan.problems).toEqual([])
    expect(plan.counts).toMatchObject({ create: 0, update: 0, problem: 0 })
    expect(plan.counts.unchanged).toBe(DEMO_ITEMS.filter((d) => d.departmentCode === 'wjj').length)
    expect(await versionCount()).toBe(before)
  })

  it('an edited cell makes exactly one new version of that item, after confirmation', async () => {
    const food = await itemByName('食品经营许可')
    const e = JSON.parse(food.elements) as ItemElements
    const { buffer } = await editCell(
      await exportAs('scj'),
      SHEETS.items,
      food.catalogCode,
      'promiseDay',
      e.promiseDay - 1,
    )
    const before = await versionCount()
    const session = await upload('scj', buffer)
    expect(session.res.statusCode).toBe(200)
    expect(session.res.body).toContain('检查通过，尚未导入')
    expect(session.res.body).toContain('生成第 2 版：承诺办结时限')
    expect(await versionCount()).toBe(before) // nothing written before the confirmation

    const done = await confirm('scj', session.res, session)
    expect(done.statusCode).toBe(303)
    expect(String(done.headers.location)).toBe(
      `/admin/items/import/done?created=0&updated=1&unchanged=${SCJ_ITEMS - 1}`,
    )
    expect(await versionCount()).toBe(before + 1)
    const versions = await listVersions(t.db, food.id)
    expect(versions.map((v) => [v.version, v.state])).toEqual([
      [2, 'in_review'],
      [1, 'published'],
    ])
    expect(JSON.parse(versions[0]!.elements).promiseDay).toBe(e.promiseDay - 1)
    expect(versions[0]?.changeNote).toBe('通过 Excel 导入修改')
    const audit = await listAudit(t.db, { objectType: 'item_version', objectId: versions[0]!.id })
    expect(audit.entries.map((a) => a.action).sort()).toEqual(['catalog.submit', 'catalog.version_start'])

    // the same file again: that item now has an open version, which is a problem; nothing is written
    const again = await upload('scj', buffer)
    expect(again.res.statusCode).toBe(422)
    expect(again.res.body).toContain('未发布的第 2 版（待审核）')
    expect((await confirm('scj', again.res, again)).statusCode).toBe(400) // no ticket on a report with problems
    expect(await versionCount()).toBe(before + 1)
  })

  it('a row breaking a consistency rule shows with sheet, row and field, and nothing is written', async () => {
    const item = await itemByName('食品小作坊登记')
    const { buffer, row } = await editCell(await exportAs('scj'), SHEETS.items, item.catalogCode, 'promiseDay', 0)
    const before = await versionCount()
    const session = await upload('scj', buffer)
    expect(session.res.statusCode).toBe(422)
    const body = session.res.body
    expect(body).toContain('发现 1 个问题')
    expect(body).toMatch(
      new RegExp(
        `<td[^>]*>事项</td><td[^>]*>${row}</td><td[^>]*>食品小作坊登记</td><td[^>]*>projectType（办件类型）</td>`,
      ),
    )
    expect(body).toContain('承诺时限为即办（0 天）的事项，办件类型应为「即办件」')
    expect(body).not.toContain('name="ticket"')
    expect(await versionCount()).toBe(before)
  })

  it('reports a material problem on the 材料 sheet, and rows of another department', async () => {
    const item = await itemByName('药品零售经营许可')
    const exported = await exportAs('scj')
    const { buffer, row } = await editCell(exported, SHEETS.materials, item.catalogCode, 'materialName', '')
    const plan = await planImport(t.deps, principals.get('scj')!, buffer)
    expect(plan.problems).toEqual([
      { sheet: '材料', row, itemName: '药品零售经营许可', field: 'materialName（材料名称）', message: '不能为空' },
    ])
    const other = await planImport(t.deps, principals.get('wjj')!, exported)
    expect(other.counts.problem).toBe(SCJ_ITEMS)
    expect(other.problems[0]?.message).toContain('只能导入本部门')
  })

  it('creates a new item from a new row, as a draft submitted for review', async () => {
    const wb = await load(await exportAs('scj'))
    const items = wb.getWorksheet(SHEETS.items)!
    const header = (items.getRow(1).values as unknown[]).map(String)
    const source = items.getRow(3)
    const copy = items.addRow([])
    header.forEach((_name, i) => {
      if (i > 0) copy.getCell(i).value = source.getCell(i).value
    })
    const code = String(source.getCell(header.indexOf('catalogCode')).value)
    copy.getCell(header.indexOf('catalogCode')).value = '01SCJ0000999'
    copy.getCell(header.indexOf('taskCode')).value = ''
    copy.getCell(header.indexOf('taskName')).value = '导入新建测试事项'
    // blank forms of another item cannot be borrowed by a new one
    copy.getCell(header.indexOf('resultSample.sha256')).value = ''
    const materials = wb.getWorksheet(SHEETS.materials)!
    const mHeader = (materials.getRow(1).values as unknown[]).map(String)
    const rows: ExcelJS.CellValue[][] = []
    materials.eachRow((r, n) => {
      if (n > 2 && r.getCell(1).value === code) rows.push((r.values as ExcelJS.CellValue[]).slice(1))
    })
    for (const values of rows) {
      const added = materials.addRow(values)
      added.getCell(1).value = '01SCJ0000999'
      added.getCell(mHeader.indexOf('blankForm.sha256')).value = ''
      added.getCell(mHeader.indexOf('sampleFile.sha256')).value = ''
    }
    const session = await upload('scj', Buffer.from(await wb.xlsx.writeBuffer()))
    expect(session.res.statusCode, session.res.body.match(/问题清单[\s\S]{0,2000}/)?.[0]).toBe(200)
    expect(session.res.body).toContain('新事项，生成第 1 版')
    const done = await confirm('scj', session.res, session)
    expect(done.statusCode).toBe(303)
    const created = await t.db
      .selectFrom('items')
      .selectAll()
      .where('catalogCode', '=', '01SCJ0000999')
      .executeTakeFirst()
    expect(created?.taskCode).toBe('11445103005126091E01SCJ0000999')
    const [v1] = await listVersions(t.db, created!.id)
    expect(v1?.state).toBe('in_review')
    expect(JSON.parse(v1!.elements).materials.length).toBe(rows.length)
  })

  it('refuses garbage with a clear message in Chinese', async () => {
    const text = await upload('scj', Buffer.from('这不是 Excel 文件'), '事项.xlsx')
    expect(text.res.statusCode).toBe(415)
    expect(text.res.body).toContain('只能上传 Excel（XLSX） 格式的文件')

    const wb = new ExcelJS.Workbook()
    wb.addWorksheet('Sheet1').addRow(['hello'])
    const other = await upload('scj', Buffer.from(await wb.xlsx.writeBuffer()))
    expect(other.res.statusCode).toBe(422)
    expect(other.res.body).toContain('工作簿中没有「事项」工作表')

    const page = await t.app.inject({ method: 'GET', url: '/admin/items/import', headers: { 'x-as': 'scj' } })
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
    const empty = multipart('file', '', Buffer.alloc(0), 'application/octet-stream')
    const none = await t.app.inject({
      method: 'POST',
      url: `/admin/items/import?_csrf=${encodeURIComponent(token)}`,
      headers: { 'x-as': 'scj', cookie: cookiesOf(page), 'content-type': empty.contentType },
      payload: empty.payload,
    })
    expect(none.statusCode).toBe(422)
    expect(none.body).toContain('请选择要导入的 Excel 文件')

    // without the CSRF token in the query string the upload is refused
    const body = multipart('file', 'a.xlsx', await exportAs('scj'), 'application/octet-stream')
    const forged = await t.app.inject({
      method: 'POST',
      url: '/admin/items/import',
      headers: { 'x-as': 'scj', cookie: cookiesOf(page), 'content-type': body.contentType },
      payload: body.payload,
    })
    expect(forged.statusCode).toBe(403)
  })

  it('accepts a confirmation only from whoever uploaded the file', async () => {
    const food = await itemByName('企业设立登记')
    const e = JSON.parse(food.elements) as ItemElements
    const { buffer } = await editCell(
      await exportAs('scj'),
      SHEETS.items,
      food.catalogCode,
      'summary',
      `${e.summary}（修订）`,
    )
    const session = await upload('scj', buffer)
    expect(session.res.statusCode).toBe(200)
    const page = await t.app.inject({ method: 'GET', url: '/admin/items/import', headers: { 'x-as': 'wjj' } })
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
    const stolen = await confirm('wjj', session.res, { cookie: cookiesOf(page), token })
    expect(stolen.statusCode).toBe(400)
    expect(stolen.body).toContain('导入确认已失效')
  })
})

describe('the flow column', () => {
  it('reads numbered lines back into steps, a line without a number continuing the step before', () => {
    const steps = [
      { name: '申请', description: '网上提交' },
      { name: '受理', description: '' },
      { name: '决定', description: '第一行\n第二行' },
    ]
    expect(parseFlow(formatFlow(steps))).toEqual(steps)
    expect(parseFlow('1、申请：网上提交\r\n2. 受理')).toEqual(steps.slice(0, 2))
  })
})
