/**
 * Import of existing licenses: every row checked first with a per-row report; a file with any
 * bad row imports nothing; a confirmed job signs all its rows in one transaction, or none when
 * one fails; the staff pages (upload, report, status for the progress bar, problems as CSV).
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, type TestApp } from '../../../test/helpers.js'
import { loginAs } from '../../../test/login.js'
import { listAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { runSeed } from '../../seed.js'
import {
  checkImport,
  confirmImport,
  dayOf,
  importJob,
  importTemplate,
  parseCsv,
  problemsCsv,
  runImportJob,
} from './licenses.import.js'
import { getLicenseType, listHolderLicenses } from './licenses.service.js'

let t: TestApp
let approver: Principal // approve01, 区市场监督管理局, licenses.issue
let clerk: Principal // window01, same department, no licenses.issue
let jinji: string
let restaurant: string

const HEADER = [
  '持证主体统一社会信用代码',
  '持证主体名称',
  '类型',
  '法定代表人（负责人、经营者）',
  '注册资本',
  '成立日期',
  '营业期限',
  '住所（经营场所）',
  '经营范围',
  '有效期起始日期',
  '有效期截止日期',
]
const JINJI = [
  '91445103MA4WJK8R2K',
  '潮州市潮安区彩塘镇金记不锈钢制品有限公司',
  '有限责任公司（自然人投资或控股）',
  '黄丽娜',
  '200万元人民币',
  '2016/4/18',
  '长期',
  '潮州市潮安区彩塘镇工业区金记路 8 号',
  '不锈钢制品制造、销售，"厨具"加工',
  '2016-04-18',
  '',
]
const CHENJI = [
  '92445103MA5CN7QH4E',
  '潮安区庵埠镇陈记潮州菜馆',
  '个体工商户',
  '陈晓燕',
  '',
  '2019年9月2日',
  '',
  '潮州市潮安区庵埠镇文里路 12 号之一',
  '餐饮服务',
  '2019-09-02',
  '长期',
]

function csv(rows: string[][]): Buffer {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
  return Buffer.from(`\ufeff${rows.map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`, 'utf8')
}

const licensesOf = async (enterpriseId: string) =>
  (await listHolderLicenses(t.deps, { enterpriseId })).filter((l) => l.typeCode === 'business_license')

async function failure(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    return error as { code: string; message: string }
  }
  throw new Error('expected a failure')
}

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z')
  await runSeed(
    t.modules.filter((m) => ['platform', 'identity', 'licenses'].includes(m.name)),
    { print: false },
  )
  approver = await staffPrincipal(t.db, 'approve01')
  clerk = await staffPrincipal(t.db, 'window01')
  const ids = await t.db.selectFrom('enterprises').select(['id', 'creditCode']).execute()
  jinji = ids.find((e) => e.creditCode === '91445103MA4WJK8R2K')!.id
  restaurant = ids.find((e) => e.creditCode === '92445103MA5CN7QH4E')!.id
})
afterAll(async () => t?.close())

describe('reading files', () => {
  it('parses CSV with quotes, doubled quotes, commas and line breaks inside cells', () => {
    expect(parseCsv('a,"b,c","d ""e""",\r\n"x\ny",z\n')).toEqual([
      ['a', 'b,c', 'd "e"', ''],
      ['x\ny', 'z'],
    ])
  })

  it('reads dates as people type them', () => {
    expect(dayOf('2024/3/5')).toBe('2024-03-05')
    expect(dayOf('2024年3月5日')).toBe('2024-03-05')
    expect(dayOf('2024.03.05')).toBe('2024-03-05')
    expect(dayOf('2024-02-30')).toBeUndefined()
    expect(dayOf('明年')).toBeUndefined()
    // Excel's serial day numbers (a date cell in a text column)
    expect(dayOf('43710')).toBe('2019-09-02')
  })
})

describe('checking and importing', () => {
  it('checks every row, then imports all of them in one go once confirmed', async () => {
    const job = await checkImport(t.deps, approver, 'business_license', {
      buffer: csv([HEADER, JINJI, CHENJI]),
      fileName: '存量营业执照.csv',
    })
    expect(job.problems).toEqual([])
    expect(job.state).toBe('checked')
    expect(job.totalRows).toBe(2)
    expect(await licensesOf(jinji)).toHaveLength(0)
    await confirmImport(t.deps, approver, job.id)
    expect((await importJob(t.deps, approver, job.id)).state).toBe('queued')
    const seen: number[] = []
    expect(await runImportJob(t.deps, job.id, { onRow: (n) => seen.push(n) })).toBe('done')
    expect(seen).toEqual([1, 2])
    const done = await importJob(t.deps, approver, job.id)
    expect(done).toMatchObject({ state: 'done', importedRows: 2, percent: 100 })
    const [imported] = await licensesOf(jinji)
    expect(imported).toMatchObject({
      state: 'valid',
      validFrom: '2016-04-18',
      validTo: null,
      holder: { name: '潮州市潮安区彩塘镇金记不锈钢制品有限公司', key: '91445103MA4WJK8R2K' },
    })
    expect(imported?.data).toMatchObject({
      established_on: '2016-04-18',
      business_scope: '不锈钢制品制造、销售，"厨具"加工',
    })
    expect(await licensesOf(restaurant)).toHaveLength(2) // the seeded one and the imported one
    // a second run does nothing; the audit has the check, the confirmation and the import
    expect(await runImportJob(t.deps, job.id)).toBeUndefined()
    const audit = await listAudit(t.db, { objectType: 'license_import_job', objectId: job.id })
    expect(audit.entries.map((e) => e.action).reverse()).toEqual([
      'license.import_check',
      'license.import_confirm',
      'license.import',
    ])
  })

  it('reports every problem by row and column, imports nothing, and cannot be confirmed', async () => {
    const before = await t.db.selectFrom('licenses').select('id').execute()
    const rows = [
      HEADER,
      ['91445103MA4WJK8R2X', ...JINJI.slice(1)], // wrong check character
      [JINJI[0]!, '金记公司', ...JINJI.slice(2)], // not the registered name
      ['91445103MA4WJK8R2K', ...JINJI.slice(1, 3), '', ...JINJI.slice(4)], // legal representative missing
      [...JINJI.slice(0, 5), '去年', ...JINJI.slice(6)], // not a date
      ['91445103MA4WJK8R2K', ...JINJI.slice(1)], // already in the library (imported above)
      [...CHENJI.slice(0, 9), '2030-01-01', ''], // valid from in the future
      ['91445103MAA0000000', '未登记的公司', ...JINJI.slice(2)], // unknown
    ]
    const job = await checkImport(t.deps, approver, 'business_license', { buffer: csv(rows), fileName: 'bad.csv' })
    expect(job.state).toBe('rejected')
    const byRow = new Map<number, string[]>()
    for (const p of job.problems) byRow.set(p.row, [...(byRow.get(p.row) ?? []), `${p.column}：${p.message}`])
    expect([...byRow.keys()]).toEqual([2, 3, 4, 5, 6, 7, 8])
    expect(byRow.get(3)?.[0]).toContain(
      '持证主体名称：名称与平台登记的「潮州市潮安区彩塘镇金记不锈钢制品有限公司」不一致',
    )
    expect(byRow.get(4)).toContain('法定代表人（负责人、经营者）：请填写「法定代表人（负责人、经营者）」')
    expect(byRow.get(5)?.[0]).toContain('成立日期：')
    expect(byRow.get(6)?.[0]).toContain('电子证照库中已有这份证照')
    expect(byRow.get(7)).toContain('有效期起始日期：不能晚于今天')
    expect(byRow.get(8)?.[0]).toContain('尚未在本平台登记')
    expect(await t.db.selectFrom('licenses').select('id').execute()).toHaveLength(before.length)
    expect((await failure(confirmImport(t.deps, approver, job.id))).code).toBe('LICENSE_IMPORT_STATE')
    expect(await runImportJob(t.deps, job.id)).toBeUndefined()
    const report = problemsCsv(job)
    expect(report.startsWith('\ufeff"行号","列","问题"')).toBe(true)
    expect(report).toContain('"3","持证主体名称"')
  })

  it('rolls the whole import back when a row fails while signing: nothing of the job stays', async () => {
    const other = [...CHENJI.slice(0, 7), '潮州市潮安区庵埠镇文里路 12 号之二', ...CHENJI.slice(8)]
    const job = await checkImport(t.deps, approver, 'business_license', {
      buffer: csv([HEADER, JINJI.map((c, i) => (i === 7 ? '潮州市潮安区彩塘镇工业区金记路 9 号' : c)), other]),
      fileName: 'fatal.csv',
    })
    expect(job.state).toBe('checked')
    await confirmImport(t.deps, approver, job.id)
    // Something changes between the check and the run: the second row's data is no longer valid
    // for the type (as if the type's fields had been edited), so its signing fails.
    const stored = await t.db
      .selectFrom('licenseImportJobs')
      .select('rows')
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow()
    const rows = JSON.parse(stored.rows) as { data: Record<string, string> }[]
    rows[1]!.data.colour = '红'
    await t.db
      .updateTable('licenseImportJobs')
      .set({ rows: JSON.stringify(rows) })
      .where('id', '=', job.id)
      .execute()
    const before = await t.db.selectFrom('licenses').select('id').execute()
    const rowsSeen: number[] = []
    expect(await runImportJob(t.deps, job.id, { onRow: (n) => rowsSeen.push(n) })).toBe('failed')
    expect(rowsSeen).toEqual([1]) // the first row was signed …
    expect(await t.db.selectFrom('licenses').select('id').execute()).toHaveLength(before.length) // … and rolled back
    const failed = await importJob(t.deps, approver, job.id)
    expect(failed.state).toBe('failed')
    expect(failed.error).toContain('第 3 行')
    expect(failed.error).toContain('未导入任何证照')
    expect(failed.importedRows).toBe(0)
  })

  it('reads the .xlsx template filled in, with Excel dates', async () => {
    const type = await getLicenseType(t.deps, 'business_license')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await importTemplate(type)) as unknown as ArrayBuffer)
    const ws = wb.worksheets[0]!
    expect(ws.getRow(1).values).toEqual([undefined, ...HEADER])
    ws.addRow([
      ...CHENJI.slice(0, 5),
      new Date(Date.UTC(2019, 8, 2)),
      '',
      '潮州市潮安区庵埠镇文里路 12 号之三',
      '餐饮服务',
      new Date(Date.UTC(2019, 8, 2)),
      '长期',
    ])
    const job = await checkImport(t.deps, approver, 'business_license', {
      buffer: Buffer.from(await wb.xlsx.writeBuffer()),
      fileName: '模板.xlsx',
    })
    expect(job.problems).toEqual([])
    expect(job.state).toBe('checked')
  })

  it('refuses staff without licenses.issue, a file with missing columns, and a file that is no spreadsheet', async () => {
    const good = { buffer: csv([HEADER, CHENJI]), fileName: 'x.csv' }
    expect((await failure(checkImport(t.deps, clerk, 'business_license', good))).code).toBe('LICENSE_ISSUE_FORBIDDEN')
    const missing = await checkImport(t.deps, approver, 'business_license', {
      buffer: csv([HEADER.slice(2), CHENJI.slice(2)]),
      fileName: 'x.csv',
    })
    expect(missing.state).toBe('rejected')
    expect(missing.problems[0]?.message).toContain('表头缺少以下列：持证主体统一社会信用代码、持证主体名称')
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40)])
    expect(
      (await failure(checkImport(t.deps, approver, 'business_license', { buffer: zip, fileName: 'x.xlsx' }))).code,
    ).toBe('LICENSE_IMPORT_UNREADABLE')
  })
})

describe('the staff pages', () => {
  it('uploads a file, shows the per-row report, and answers the progress status as JSON', async () => {
    // (a first staff login enrols TOTP and shows the recovery codes: logged in either way)
    const cookie = (await loginAs(t.app, t.clock, 'approve01')).cookie
    const start = await t.app.inject({ method: 'GET', url: '/staff/licenses/import', headers: { cookie } })
    expect(start.statusCode, start.body.slice(-3000)).toBe(200)
    expect(start.body).toContain('下载导入模板')
    const token = /name="_csrf" value="([^"]+)"/.exec(start.body)?.[1] ?? ''
    const boundary = '----licenseimport'
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\nbusiness_license\r\n`),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bad.csv"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      csv([HEADER, ['91445103MA4WJK8R2X', ...JINJI.slice(1)]]),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const posted = await t.app.inject({
      method: 'POST',
      url: `/staff/licenses/import?_csrf=${encodeURIComponent(token)}`,
      headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    })
    expect(posted.statusCode).toBe(303)
    const jobUrl = posted.headers.location as string
    const page = await t.app.inject({ method: 'GET', url: jobUrl, headers: { cookie } })
    expect(page.statusCode).toBe(422)
    expect(page.body).toContain('整个文件未导入')
    expect(page.body).toContain('持证主体统一社会信用代码')
    const status = await t.app.inject({ method: 'GET', url: `${jobUrl}/status`, headers: { cookie } })
    expect(status.json()).toMatchObject({ state: 'rejected', totalRows: 1 })
    const report = await t.app.inject({ method: 'GET', url: `${jobUrl}/problems.csv`, headers: { cookie } })
    expect(report.headers['content-type']).toContain('text/csv')
    expect(report.body).toContain('"2","持证主体统一社会信用代码"')
    // another department's staff cannot see the job
    const other = await loginAs(t.app, t.clock, 'approve02')
    expect((await t.app.inject({ method: 'GET', url: jobUrl, headers: { cookie: other.cookie } })).statusCode).toBe(404)
  })
})
