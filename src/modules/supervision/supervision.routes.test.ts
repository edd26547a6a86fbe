/**
 * The supervision pages over HTTP: who may see what, charts as inline SVG the CSP allows, the
 * warning board drill-down and a department's explanation, the reports as Excel and PDF, the
 * ratings exchange for supervisors, and the public figures on 好差评公示.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal } from '../../../test/applications.js'
import { buildTestApp, form, formSession, type TestApp } from '../../../test/helpers.js'
import { loginAs } from '../../../test/login.js'
import { finishedApplication, pendingApplication } from '../../../test/ratings.js'
import { runSeed } from '../../seed.js'
import { rateApplication } from '../ratings/ratings.service.js'
import { ratingsModuleFacts } from './supervision.ratings.js'
import { computeStatistics } from './supervision.stats.js'
import { refreshSummary } from './supervision.summary.js'
import { runWarningSweep } from './supervision.sweep.js'

let t: TestApp
let supervisor: string
let review01: string
let review02: string
let citizen: string

const get = (url: string, cookie?: string) => t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} })

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-04-30T02:00:00.000Z')
  await runSeed(t.modules, { print: false })
  const person = await citizenPrincipal(t.db, '陈晓燕')
  // A case left waiting past §32's five working days (区市场监管局), one finished and badly rated.
  await pendingApplication(t.deps, person)
  const done = await finishedApplication(t.deps, person)
  await rateApplication(t.deps, person, done.id, { level: 1, reasons: ['materials_beyond_guide'] })
  t.clock.set('2026-05-12T02:00:00.000Z')
  await runWarningSweep(t.deps, { ratings: ratingsModuleFacts })
  supervisor = (await loginAs(t.app, t.clock, 'supervise01')).cookie
  review01 = (await loginAs(t.app, t.clock, 'review01')).cookie
  review02 = (await loginAs(t.app, t.clock, 'review02')).cookie
  citizen = (await loginAs(t.app, t.clock, '445103198503120029')).cookie
})
afterAll(async () => t?.close())

describe('access', () => {
  it('the dashboard, statistics, reports and cases are for supervisors', async () => {
    for (const url of ['/supervision', '/supervision/statistics', '/supervision/reports']) {
      expect((await get(url)).statusCode, url).toBe(303)
      expect((await get(url, citizen)).statusCode, url).toBe(403)
      expect((await get(url, review01)).statusCode, url).toBe(403)
      expect((await get(url, supervisor)).statusCode, url).toBe(200)
    }
  })

  it('the ratings exchange answers supervisors in the national fields, and nobody else', async () => {
    const url = '/api/ratings/export?from=2026-04-01&to=2026-05-31'
    expect((await get(url)).statusCode).toBe(401)
    expect((await get(url, citizen)).statusCode).toBe(403)
    expect((await get(url, review02)).statusCode).toBe(403)
    const res = await get(url, supervisor)
    expect(res.statusCode).toBe(200)
    const body = res.json() as { total: number; records: Record<string, unknown>[] }
    expect(body.total).toBe(1)
    const record = body.records[0]!
    expect(Object.keys(record).sort()).toEqual(
      [
        'projectNo',
        'taskCode',
        'taskName',
        'deptCode',
        'deptName',
        'userName',
        'satisfaction',
        'evalDetail',
        'evalReasonCodes',
        'evalText',
        'evalChannel',
        'evalTime',
        'isDefault',
        'rectifyStatus',
      ].sort(),
    )
    expect(record.satisfaction).toBe(1)
    expect(record.evalReasonCodes).toEqual(['materials_beyond_guide'])
    expect(record.userName).not.toBe('陈晓燕')
    expect(record.rectifyStatus).toBe('open')
    expect((await get('/api/ratings/export?from=2026-05-31&to=2026-04-01', supervisor)).statusCode).toBe(422)
    expect((await get('/api/ratings/export?from=x&to=2026-04-01', supervisor)).statusCode).toBe(400)
  })
})

describe('the dashboard', () => {
  it('draws its charts as inline SVG with a Chinese title, no style or script, and gives the figures as tables', async () => {
    const res = await get('/supervision?from=2026-04-01&to=2026-05-12', supervisor)
    expect(res.statusCode).toBe(200)
    const svgs = res.body.match(/<svg[\s\S]*?<\/svg>/g) ?? []
    expect(svgs.length).toBeGreaterThanOrEqual(3)
    for (const svg of svgs) {
      expect(svg).toMatch(/^<svg role="img" aria-label="[^"]+"/)
      expect(svg).toMatch(/<title>[^<]*[\u4e00-\u9fa5][^<]*<\/title>/)
      expect(svg).not.toMatch(/style=|<style|<script|\son[a-z]+=/i)
    }
    expect(res.body).toContain('每周收件与办结')
    expect(res.body).toContain('查看图表数据（表格）')
    expect(res.body).toContain('网上全流程办理率')
    expect(res.headers['content-security-policy']).toContain("style-src 'self'")
  })

  it("counts the ratings module's ratings, in SQL and row by row alike", async () => {
    const period = { from: '2026-04-01', to: '2026-05-31' }
    for (const by of ['department', 'channel'] as const) {
      const stats = await computeStatistics(t.deps, { ...period, by }, { ratings: ratingsModuleFacts })
      expect(stats.total.satisfaction).toMatchObject({ total: 1, bad: 1, byLevel: [1, 0, 0, 0, 0], score: 20 })
      expect(stats.total.satisfaction?.rectification.opened).toBe(1)
    }
  })

  it('says so when the period is malformed', async () => {
    const res = await get('/supervision?from=2026-13-01&to=2026-05-12', supervisor)
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('起始日期应为 YYYY-MM-DD')
  })

  it('statistics by channel list the channels', async () => {
    const res = await get('/supervision/statistics?from=2026-04-01&to=2026-05-12&by=channel', supervisor)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('按渠道统计')
    expect(res.body).toContain('网上申请')
    expect((await get('/supervision/statistics?by=nonsense', supervisor)).statusCode).toBe(400)
  })

  it('export every group to Excel with the same figures as the page, and refuse a bad period in Chinese', async () => {
    const query = 'from=2026-04-01&to=2026-05-12&by=item'
    const page = await get(`/supervision/statistics?${query}`, supervisor)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`/supervision/statistics.xlsx?${query.replaceAll('&', '&amp;')}`)
    const stats = await computeStatistics(t.deps, { from: '2026-04-01', to: '2026-05-12', by: 'item' })
    expect(stats.groups.length).toBeGreaterThan(0)
    const xlsx = await get(`/supervision/statistics.xlsx?${query}`, supervisor)
    expect(xlsx.statusCode).toBe(200)
    expect(xlsx.headers['content-type']).toContain('spreadsheetml')
    expect(decodeURIComponent(String(xlsx.headers['content-disposition']))).toContain(
      '统计明细（按事项，2026-04-01至2026-05-12）',
    )
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    const sheet = wb.getWorksheet('统计明细')!
    expect(sheet.getRow(3).getCell(1).value).toBe('事项')
    const rows = [...Array(sheet.rowCount - 3).keys()].map((i) => sheet.getRow(i + 4))
    expect(rows.map((r) => r.getCell(1).value)).toEqual([...stats.groups.map((g) => g.label), '合计'])
    expect(rows.map((r) => r.getCell(2).value)).toEqual([...stats.groups.map((g) => g.received), stats.total.received])
    // Past the last page: the total, and a word on why the table is empty.
    const beyond = await get(`/supervision/statistics?${query}&page=9`, supervisor)
    expect(beyond.statusCode).toBe(200)
    expect(beyond.body).toContain(`共 ${stats.groupCount} 个事项，没有第 9 页`)
    expect((await get(`/supervision/statistics?${query}&page=0`, supervisor)).statusCode).toBe(400)
    const bad = await get('/supervision/statistics.xlsx?from=2026-05-12&to=2026-04-01', supervisor)
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('截止日期不能早于起始日期')
    expect((await get(`/supervision/statistics.xlsx?${query}`, citizen)).statusCode).toBe(403)
  })

  it('say which days come from the daily summary, and count the same with it', async () => {
    const url = '/supervision/statistics?from=2026-04-01&to=2026-05-12&by=department'
    const before = await get(url, supervisor)
    expect(before.body).not.toContain('取自每日汇总')
    const built = await refreshSummary(t.deps, { ratings: ratingsModuleFacts })
    expect(built.builtThrough).toBe('2026-05-11')
    const after = await get(url, supervisor)
    expect(after.statusCode).toBe(200)
    expect(after.body).toContain('2026-05-11 及以前的数据取自每日汇总（更新于 2026-05-12 10:00')
    expect(after.body).toContain('其后的数据为实时统计')
    // The table itself is unchanged.
    const table = (html: string) => html.slice(html.indexOf('<table'), html.indexOf('</table>'))
    expect(table(after.body)).toBe(table(before.body))
  })
})

describe('the warning board', () => {
  it('drills down from department to item to case', async () => {
    const board = await get('/supervision/cards?from=2026-04-01&to=2026-05-12', supervisor)
    expect(board.statusCode).toBe(200)
    expect(board.body).toContain('潮州市潮安区市场监督管理局')
    const deptLink = /href="(\/supervision\/cards\?[^"]*departmentId=[^"&]+)"/.exec(board.body)?.[1]
    expect(deptLink).toBeTruthy()
    const dept = await get(deptLink!.replaceAll('&amp;', '&'), supervisor)
    expect(dept.statusCode).toBe(200)
    const itemLink = /href="(\/supervision\/cards\?[^"]*itemId=[^"]+)"/.exec(dept.body)?.[1]
    expect(itemLink).toBeTruthy()
    const item = await get(itemLink!.replaceAll('&amp;', '&'), supervisor)
    expect(item.statusCode).toBe(200)
    const cardLink = /href="(\/supervision\/cards\/[0-9a-f-]{36})"/.exec(item.body)?.[1]
    expect(cardLink).toBeTruthy()
    const card = await get(cardLink!, supervisor)
    expect(card.statusCode).toBe(200)
    expect(card.body).toContain('受理审查时限')
    const caseLink = /href="(\/supervision\/cases\/[0-9a-f-]{36})"/.exec(card.body)?.[1]
    const view = await get(caseLink!, supervisor)
    expect(view.statusCode).toBe(200)
    expect(view.body).toContain('办理过程')
    expect(view.body).not.toContain('陈晓燕') // the applicant's name is masked
  })

  it('department staff see their own cards and explain them; others cannot', async () => {
    const card = await t.db
      .selectFrom('warningCards')
      .selectAll()
      .where('rule', '=', 'pre_review')
      .where('level', '=', 'red')
      .executeTakeFirstOrThrow()
    const own = await get('/supervision/cards', review01)
    expect(own.statusCode).toBe(200)
    expect(own.body).toContain('预警牌看板')
    // Another department's card is not found for them.
    expect((await get(`/supervision/cards/${card.id}`, review02)).statusCode).toBe(404)
    const { token, cookie } = await formSession(t.app, `/supervision/cards/${card.id}`, review01)
    const post = (fields: Record<string, string>, c = cookie) =>
      t.app.inject({
        method: 'POST',
        url: `/supervision/cards/${card.id}/acknowledge`,
        headers: { cookie: c, 'content-type': 'application/x-www-form-urlencoded' },
        payload: form({ _csrf: token, ...fields }),
      })
    const empty = await post({ explanation: ' ' })
    expect(empty.statusCode).toBe(422)
    expect(empty.body).toContain('请说明原因和处理情况')
    const ok = await post({ explanation: '窗口人员休假，已安排专人补办并受理。' })
    expect(ok.statusCode).toBe(303)
    const shown = await get(`/supervision/cards/${card.id}`, supervisor)
    expect(shown.body).toContain('窗口人员休假，已安排专人补办并受理。')
    const again = await post({ explanation: '再说明一次' })
    expect(again.statusCode).toBe(409)
    // A supervisor reads but does not explain for the department.
    const sup = await formSession(t.app, `/supervision/cards/${card.id}`, supervisor)
    const bySupervisor = await t.app.inject({
      method: 'POST',
      url: `/supervision/cards/${card.id}/acknowledge`,
      headers: { cookie: sup.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: sup.token, explanation: '督查代为说明' }),
    })
    expect(bySupervisor.statusCode).toBe(403)
  })
})

describe('performance reports', () => {
  it('list the departments with a score, and export Excel and PDF', async () => {
    const page = await get('/supervision/reports?period=2026-Q2', supervisor)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('2026年第二季度')
    expect(page.body).toContain('综合得分')
    const xlsx = await get('/supervision/reports/export.xlsx?period=2026-05', supervisor)
    expect(xlsx.statusCode).toBe(200)
    expect(xlsx.headers['content-disposition']).toContain('.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['绩效考核', '指标说明', '常见补正材料'])
    expect(String(wb.getWorksheet('绩效考核')!.getCell('A1').value)).toContain('2026年5月')
    expect(wb.getWorksheet('绩效考核')!.getRow(3).values).toContain('网上全流程办理率')
    const pdf = await get('/supervision/reports/export.pdf?period=2026-05', supervisor)
    expect(pdf.statusCode).toBe(200)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-')
    const bad = await get('/supervision/reports?period=2026-13', supervisor)
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('考核期间应为月份')
    expect((await get('/supervision/reports/export.pdf?period=2026-05', review01)).statusCode).toBe(403)
  })
})

describe('the public page', () => {
  it('shows the public efficiency figures beside the ratings, without complaint details', async () => {
    const res = await get('/ratings/public?from=2026-04-01&to=2026-05-31')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('政务服务好差评公示')
    expect(res.body).toContain('政务服务效能公示')
    expect(res.body).toContain('各部门办件效能')
    expect(res.body).not.toContain('陈晓燕')
  })
})
