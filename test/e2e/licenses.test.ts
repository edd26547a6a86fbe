/**
 * 电子证照 in chromium: 陈晓燕 opens 我的证照, switches to her restaurant and shows its 营业执照 with
 * the QR code; the public verification page, given the QR's content, reports it valid (有效) with
 * a good SM2 signature; the 区市场监督管理局 approver finds the license at the staff desk and
 * revokes it with a reason; the same QR content then verifies as 已注销, and the holder's wallet
 * says so too. At desktop size and again on a phone (375×667).
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

const mainText = async (page: Page) => ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ')

async function verifyAnonymously(site: Site, context: BrowserContext, payload: string, name: string): Promise<string> {
  const page = await context.newPage()
  await page.goto(`${site.baseUrl}/verify`)
  await page.getByLabel('电子证照标识或二维码内容').fill(payload)
  await page.getByRole('button', { name: '核验' }).click()
  await page.waitForURL(/\/verify\?q=/)
  await shot(page, name)
  const text = await mainText(page)
  await page.close()
  return text
}

// Each size gets its own site: the license revoked in one run is valid again in the next, and the
// approver enrols the authenticator on the first login. Everyone uses a phone on the phone run: the
// holder showing the QR, whoever checks it, the approver away from the desk.
describe.each(VIEWPORTS)('电子证照: wallet, QR, verification, revocation ($name)', (vp) => {
  let site: Site
  beforeAll(async () => {
    site = await startSite()
  })
  afterAll(async () => site?.close())

  it(`shows the QR, verifies it as valid, and as revoked after the department revokes it (${vp.name})`, async () => {
    const citizen = await contextAt(site.browser, vp)
    const page = await citizen.newPage()
    const problems = watchConsole(page)
    await loginCitizen(page, site.baseUrl, '445103198503120029')

    // 我的证照 as herself: her 社会保障卡 and 居民户口簿
    await page.goto(`${site.baseUrl}/my/licenses`)
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('我的证照')
    const own = await mainText(page)
    expect(own).toContain('社会保障卡')
    expect(own).toContain('居民户口簿')
    await shot(page, `licenses-01-wallet-person-${vp.name}`)

    // switch to 潮安区庵埠镇陈记潮州菜馆: its 营业执照
    await page.goto(`${site.baseUrl}/my/enterprises`)
    await page.getByRole('button', { name: /切换.*陈记潮州菜馆/ }).click()
    await page.waitForLoadState('networkidle')
    await page.goto(`${site.baseUrl}/my/licenses`)
    expect(await mainText(page)).toContain('代表 潮安区庵埠镇陈记潮州菜馆')
    await page.getByRole('link', { name: /照面和二维码.*营业执照/ }).click()
    await page.waitForURL(/\/my\/licenses\/[0-9a-f-]{36}$/)
    const qr = page.locator('.license-qr')
    await expect(qr.locator('svg').isVisible()).resolves.toBe(true)
    const box = await qr.boundingBox()
    expect(box?.width ?? 0).toBeGreaterThan(150) // large enough to scan from a phone screen
    const payload = (await qr.getAttribute('data-payload')) ?? ''
    expect(payload).toMatch(/^YWL1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    const face = await mainText(page)
    expect(face).toContain('营业执照')
    expect(face).toContain('92445103MA5CN7QH4E')
    expect(face).toContain('此件由潮州市潮安区市场监督管理局提供，仅供办理政务服务事项时使用')
    const identifier = ((await page.locator('.license-face__identifier code').textContent()) ?? '').trim()
    expect(identifier).toMatch(/^1\.2\.156\.3005\.2\./)
    await shot(page, `licenses-02-face-qr-${vp.name}`)

    // anyone verifies the QR's content on the public page: valid, signature good
    const visitor = await contextAt(site.browser, vp)
    const valid = await verifyAnonymously(site, visitor, payload, `licenses-03-verify-valid-${vp.name}`)
    expect(valid).toContain('核验结果有效')
    expect(valid).toContain('电子签名有效（SM2')
    expect(valid).toContain(identifier)

    // the approver of 区市场监督管理局 revokes it at the staff desk, with a reason
    const staff = await contextAt(site.browser, vp)
    const desk = await staff.newPage()
    const staffProblems = watchConsole(desk)
    await loginStaffFirstTime(desk, site.baseUrl, 'approve01')
    await desk.getByRole('link', { name: '电子证照管理' }).click()
    await desk.waitForURL(`${site.baseUrl}/staff/licenses`)
    await desk.getByLabel('电子证照标识').fill(identifier)
    await desk.getByRole('button', { name: '查找' }).click()
    await desk.waitForURL(/\/staff\/licenses\?q=/)
    expect(await mainText(desk)).toContain('潮安区庵埠镇陈记潮州菜馆')
    await desk.getByLabel('注销原因').fill('个体工商户申请注销登记')
    await shot(desk, `licenses-04-staff-revoke-${vp.name}`)
    await desk.getByRole('button', { name: /注销这份证照/ }).click()
    await desk.waitForURL(/done=revoked/)
    expect(await mainText(desk)).toContain('证照已注销')

    // the same QR content now verifies as revoked
    const revoked = await verifyAnonymously(site, visitor, payload, `licenses-05-verify-revoked-${vp.name}`)
    expect(revoked).toContain('核验结果已注销')
    expect(revoked).toContain('注销时间')

    // and the holder's wallet says so
    await page.reload()
    const after = await mainText(page)
    expect(after).toContain('已注销')
    expect(after).toContain('个体工商户申请注销登记')
    await shot(page, `licenses-06-face-revoked-${vp.name}`)

    expect(problems).toEqual([])
    expect(staffProblems).toEqual([])
    await citizen.close()
    await visitor.close()
    await staff.close()
  })
})
