/**
 * 好差评 in chromium, end to end: the citizen rates a finished application 非常不满意 with a reason;
 * the department that handled it (区社保局) sees the rectification case, calls back, finds it
 * valid and replies; the public page (好差评公示) shows the rectification; a supervisor sees the
 * dashboard with its charts. The application is made through the service, as a citizen would.
 * At desktop size and again on a phone (375×667).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal } from '../applications.js'
import { finishedApplication } from '../ratings.js'
import {
  contextAt,
  loginCitizen,
  loginStaffFirstTime,
  type Site,
  shot,
  startSite,
  VIEWPORTS,
  watchConsole,
} from './browser.js'

const REPLY = '已取消窗口额外要求的户口本复印件，并对窗口人员进行了办事指南培训。'

// Each size gets its own site: one rating per finished application, and staff enrol their
// authenticator on the first login. Everyone uses a phone on the phone run: the citizen rating,
// the department answering, the public reading, the supervisor looking at the dashboard.
describe.each(VIEWPORTS)('好差评, in chromium ($name)', (vp) => {
  let site: Site
  beforeAll(async () => {
    site = await startSite()
  })
  afterAll(async () => site?.close())

  it(`bad rating → the department replies → the public page shows the rectification (${vp.name})`, async () => {
    const { browser, baseUrl, deps } = site
    const app = await finishedApplication(deps, await citizenPrincipal(deps.db, '陈晓燕')) // 区社保局

    // ----- the citizen rates 非常不满意 with a reason
    const citizenContext = await contextAt(browser, vp)
    const page = await citizenContext.newPage()
    const problems = watchConsole(page)
    await loginCitizen(page, baseUrl, '445103198503120029')
    await page.goto(`${baseUrl}/my/applications/${app.id}/rating`)
    await expect(page.getByRole('heading', { name: '评价本次服务' })).toBeTruthy()
    await page.getByLabel('非常不满意').check()
    // A bad rating without a reason is refused with a clear message.
    await page.getByRole('button', { name: '提交评价' }).click()
    await page.waitForLoadState('networkidle')
    expect(await page.locator('.error-summary').textContent()).toContain('请至少选择一项原因')
    await page.getByLabel('非常不满意').check()
    await page.getByLabel('要求指南以外的材料').check()
    await page.getByLabel('评价内容').fill('窗口要求提供户口本复印件，指南里没有。')
    await shot(page, `ratings-01-citizen-rates-${vp.name}`)
    await page.getByRole('button', { name: '提交评价' }).click()
    await page.waitForLoadState('networkidle')
    const rated = (await page.locator('main').textContent()) ?? ''
    expect(rated).toContain('非常不满意')
    expect(rated).toContain('要求指南以外的材料')
    await shot(page, `ratings-02-citizen-rated-${vp.name}`)

    // ----- the department (区社保局 window02) sees the case, calls back, finds it valid, replies
    const staffContext = await contextAt(browser, vp)
    const staff = await staffContext.newPage()
    const staffProblems = watchConsole(staff)
    await loginStaffFirstTime(staff, baseUrl, 'window02')
    await staff.getByRole('link', { name: '差评整改' }).click()
    await staff.waitForURL(`${baseUrl}/ratings/rectifications`)
    await shot(staff, `ratings-03-department-list-${vp.name}`)
    await staff
      .locator('table a', { hasText: app.applicationNo!.slice(-6) })
      .first()
      .click()
    await staff.waitForLoadState('networkidle')
    expect(await staff.locator('main').textContent()).toContain('要求指南以外的材料')
    await staff.getByLabel('电话回访').check()
    await staff.getByLabel('回访情况').fill('评价人反映窗口要求提供指南以外的户口本复印件，情况属实。')
    await staff.getByRole('button', { name: '登记回访核实' }).click()
    await staff.waitForLoadState('networkidle')
    await staff.getByLabel(/差评属实：立即整改/).check()
    await staff.getByLabel(/一般问题/).check()
    await staff.getByRole('button', { name: '提交核实结论' }).click()
    await staff.waitForLoadState('networkidle')
    await staff.getByLabel('整改情况和答复').fill(REPLY)
    await staff.getByRole('button', { name: '答复评价人' }).click()
    await staff.waitForLoadState('networkidle')
    expect(await staff.locator('main').textContent()).toContain(REPLY)
    await shot(staff, `ratings-04-department-replied-${vp.name}`)

    // ----- the public page shows the rectification (no names)
    const publicContext = await contextAt(browser, vp)
    const pub = await publicContext.newPage()
    const publicProblems = watchConsole(pub)
    await pub.goto(`${baseUrl}/ratings/public`)
    const text = (await pub.locator('main').textContent()) ?? ''
    expect(text).toContain('差评整改公示')
    expect(text).toContain(REPLY)
    expect(text).toContain('要求指南以外的材料')
    expect(text).toContain('政务服务效能公示')
    expect(text).not.toContain('陈晓燕')
    await shot(pub, `ratings-05-public-page-${vp.name}`)

    // ----- a supervisor's dashboard: charts as inline SVG, no CSP violation
    const supContext = await contextAt(browser, vp)
    const sup = await supContext.newPage()
    const supProblems = watchConsole(sup)
    await loginStaffFirstTime(sup, baseUrl, 'supervise01')
    await sup.getByRole('link', { name: '效能监管' }).click()
    await sup.waitForURL(`${baseUrl}/supervision`)
    expect(await sup.locator('svg[role="img"]').count()).toBeGreaterThanOrEqual(3)
    await shot(sup, `ratings-06-supervision-dashboard-${vp.name}`)

    // The one 422 is the refused rating without a reason, above.
    expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([])
    for (const list of [staffProblems, publicProblems, supProblems]) expect(list).toEqual([])
    for (const c of [citizenContext, staffContext, publicContext, supContext]) await c.close()
  }, 180_000)
})
