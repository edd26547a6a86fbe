import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { totpCode } from '../../src/modules/identity/identity.factors.js'
import { DEMO_PASSWORD } from '../../src/modules/identity/identity.seed-data.js'
import { contextAt, type Site, shot, startSite, VIEWPORTS, watchConsole } from './browser.js'

// Each size gets its own site: staff enrol their authenticator on their first login there.
describe.each(VIEWPORTS)('logging in, in chromium ($name)', (vp) => {
  let site: Site
  beforeAll(async () => {
    site = await startSite()
  })
  afterAll(async () => site?.close())

  it('a citizen logs in with the ID number and sees the masked account', async () => {
    const context = await contextAt(site.browser, vp)
    const page = await context.newPage()
    const problems = watchConsole(page)
    await page.goto(`${site.baseUrl}/login`)
    await page.getByLabel('账号').fill('445103198503120029')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await shot(page, `login-citizen-${vp.name}`)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${site.baseUrl}/my/account`)
    await expect(page.locator('main').textContent()).resolves.toContain('445103********0029')
    await expect(page.locator('.site-header__user').textContent()).resolves.toContain('陈晓燕')
    await shot(page, `login-citizen-account-${vp.name}`)
    expect(problems).toEqual([])
    await context.close()
  })

  it('staff enrol an authenticator on first login, then log in with the code', async () => {
    const context = await contextAt(site.browser, vp)
    const page = await context.newPage()
    const problems = watchConsole(page)
    await page.goto(`${site.baseUrl}/login`)
    await page.getByLabel('账号').fill('window01')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${site.baseUrl}/login/totp-setup`)
    await expect(page.locator('.qr svg').count()).resolves.toBe(1)
    // The key is shown as text too: on a phone, whose own camera cannot scan its own screen, it is
    // typed into the authenticator app; the test reads it the same way at both sizes.
    const secret = (await page.locator('.secret').textContent())?.trim() ?? ''
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    await shot(page, `login-staff-totp-setup-${vp.name}`)
    await page.getByLabel('验证器上显示的 6 位数字').fill(totpCode(secret, new Date()))
    await page.getByRole('button', { name: '完成绑定' }).click()
    await expect(page.locator('.code-list li').count()).resolves.toBe(10)
    await shot(page, `login-staff-recovery-codes-${vp.name}`)
    await page.getByRole('link', { name: '我已保存，继续' }).click()
    await page.waitForURL(`${site.baseUrl}/my/account`)
    await expect(page.locator('main').textContent()).resolves.toContain('窗口受理人员')

    // log out and in again: now the code is asked for
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.waitForURL(`${site.baseUrl}/`)
    await page.getByRole('link', { name: '登录' }).first().click()
    await page.waitForURL(`${site.baseUrl}/login`)
    await page.getByLabel('账号').fill('window01')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${site.baseUrl}/login/second-factor`)
    // the enrolment code was used in this 30-second step: wait for the next code
    const step = 30_000
    await page.waitForTimeout(step - (Date.now() % step) + 500)
    await page.getByLabel('身份验证器上的 6 位数字').fill(totpCode(secret, new Date()))
    await page.getByRole('button', { name: '验证并登录' }).click()
    await page.waitForURL(`${site.baseUrl}/my/account`)
    await expect(page.locator('main').textContent()).resolves.toContain('郑晓玲')
    await shot(page, `login-staff-account-${vp.name}`)
    expect(problems).toEqual([])
    await context.close()
  })
})
