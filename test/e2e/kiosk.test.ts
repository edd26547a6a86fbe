/**
 * The hall kiosk (自助终端) in chromium, with a short inactivity timeout (KIOSK_IDLE_SECONDS=6):
 * IT staff register the terminal (and are logged out); a resident applies for the instant item
 * 社会保障卡申领 on screen, photo by camera upload, gets 已即时办结 and a printable receipt; left
 * alone, the terminal counts down, ends the session on the server, clears the browser's storage
 * and returns to /kiosk; touching the screen during the countdown keeps the session; and without
 * the page's script the server itself ends a stale session.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  contextAt,
  DESKTOP_VIEWPORT,
  loginCitizen,
  loginStaffFirstTime,
  type Site,
  shot,
  startSite,
  watchConsole,
} from './browser.js'

const IDLE_SECONDS = 6
const CHEN = '445103198503120029' // 陈晓燕
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)
let site: Site
let photo: string

beforeAll(async () => {
  site = await startSite({ KIOSK_IDLE_SECONDS: String(IDLE_SECONDS) })
  photo = path.join(site.dataDir, '证件照片.png')
  fs.writeFileSync(photo, PNG)
})
afterAll(async () => {
  await site?.close()
})

/** Live sessions of an account (the identity module's table, read by the test only). */
async function liveSessions(loginName: string): Promise<number> {
  const rows = await site.deps.db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.accountId')
    .leftJoin('persons', 'persons.id', 'accounts.personId')
    .select(['sessions.id'])
    .where((eb) => eb.or([eb('accounts.loginName', '=', loginName), eb('persons.name', '=', loginName)]))
    .where('sessions.endedAt', 'is', null)
    .execute()
  return rows.length
}

async function storageCount(page: Page): Promise<number> {
  return page.evaluate(() => localStorage.length + sessionStorage.length)
}

// Desktop size only, unlike the other journeys (which also run at 375×667): a kiosk is a fixed
// large screen in the service hall, registered by IT staff; nobody carries one. Phones reach the
// same apply pages in apply.test.ts and journey.test.ts, and /kiosk's pages are checked at phone
// size in the a11y suite.
describe('the kiosk, in chromium (desktop)', () => {
  it('register → instant item on screen → receipt → idle countdown → logged out, data cleared', async () => {
    const context = await contextAt(site.browser, DESKTOP_VIEWPORT)
    const page = await context.newPage()
    const problems = watchConsole(page)

    // ----- IT staff (secadmin) register this browser as a terminal; they are logged out by it
    await loginStaffFirstTime(page, site.baseUrl, 'secadmin')
    await page.goto(`${site.baseUrl}/kiosk/setup`)
    await page.getByLabel('终端名称').fill('区政务服务中心 1 号自助终端')
    await page.getByRole('button', { name: '登记为自助终端' }).click()
    await page.waitForURL(`${site.baseUrl}/kiosk?registered=1`)
    await expect(page.locator('.notice--success').textContent()).resolves.toContain('本机已登记为自助终端')
    await expect(page.locator('html').getAttribute('class')).resolves.toContain('kiosk')
    expect(await liveSessions('secadmin')).toBe(0)
    await shot(page, 'kiosk-01-start')

    // ----- a resident taps 社会保障卡申领, logs in and applies on screen
    await page.getByRole('link', { name: /社会保障卡申领/ }).click()
    await page.waitForURL(/\/login\?next=/)
    await page.getByLabel('账号').fill(CHEN)
    await page.getByLabel('密码').fill('Yiwang@2026demo')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(/\/apply\/[0-9a-f-]{36}$/)
    await page.getByLabel('为本人申领').check()
    await page.getByLabel('首次申领').check()
    await page.getByLabel('到窗口领取').check()
    await page.getByLabel('领取地点').selectOption('center')
    // the photo straight from the terminal's camera
    const camera = page.locator('.camera-upload input[type="file"]')
    await expect(camera.getAttribute('capture')).resolves.toBe('environment')
    await expect(camera.getAttribute('accept')).resolves.toContain('image/jpeg')
    await camera.setInputFiles(photo)
    // the ID card (scanned on the terminal) as an ordinary upload
    const idCard = page.locator('.material-upload:has(.tag--red)', { hasText: '居民身份证' })
    await idCard.locator('input[type="file"]').first().setInputFiles(photo)
    await shot(page, 'kiosk-02-apply')
    await page.getByRole('button', { name: '下一步：核对信息' }).last().click()
    await page.waitForURL(/\/check$/)
    await page.getByLabel('本人承诺所填内容和所交材料真实有效').check()
    await page.getByRole('button', { name: '提交申请' }).click()
    await page.waitForURL(/\/submitted$/)
    await expect(page.locator('.panel__title').textContent()).resolves.toBe('已即时办结')
    // the receipt prints: 打印回执 calls the browser's print, the print style shows the receipt only
    await page.evaluate(() => {
      ;(window as unknown as { printed: number }).printed = 0
      window.print = () => {
        ;(window as unknown as { printed: number }).printed++
      }
    })
    await page.getByRole('button', { name: '打印回执' }).click()
    await expect(page.evaluate(() => (window as unknown as { printed: number }).printed)).resolves.toBe(1)
    await page.emulateMedia({ media: 'print' })
    await expect(page.locator('.site-header').isVisible()).resolves.toBe(false)
    await expect(page.locator('.kiosk-end').isVisible()).resolves.toBe(false)
    await expect(page.locator('.panel__reference').isVisible()).resolves.toBe(true)
    await shot(page, 'kiosk-03-receipt-print')
    await page.emulateMedia({ media: 'screen' })
    expect(await liveSessions('陈晓燕')).toBe(1)

    // ----- touching the screen during the countdown keeps the session
    await page.evaluate(() => {
      localStorage.setItem('left-behind', '陈晓燕的草稿')
      sessionStorage.setItem('left-behind', '1')
    })
    await page.locator('.kiosk-warning').waitFor({ timeout: IDLE_SECONDS * 1000 })
    await expect(page.locator('#kiosk-warning-title').textContent()).resolves.toMatch(/^\d 秒后将自动退出$/)
    await shot(page, 'kiosk-04-countdown')
    await page.keyboard.press('Shift')
    await page.locator('.kiosk-warning').waitFor({ state: 'detached', timeout: 2000 })
    expect(page.url()).toMatch(/\/submitted$/)

    // ----- left alone: warning, then logged out on the server, storage cleared, back to /kiosk
    await page.locator('.kiosk-warning').waitFor({ timeout: IDLE_SECONDS * 1000 })
    await page.waitForURL(`${site.baseUrl}/kiosk?ended=idle`, { timeout: IDLE_SECONDS * 1000 })
    await expect(page.locator('.notice--success').textContent()).resolves.toContain('已自动退出')
    expect(await storageCount(page)).toBe(0)
    expect(await liveSessions('陈晓燕')).toBe(0)
    const cookies = (await context.cookies()).map((c) => c.name)
    expect(cookies).not.toContain('yw_session')
    expect(cookies).toContain('yw_kiosk') // the terminal stays registered
    await shot(page, 'kiosk-05-ended')
    // nothing of hers is reachable any more
    await page.goto(`${site.baseUrl}/my/applications`)
    await page.waitForURL(/\/login/)

    // ----- 结束使用 does the same at once
    await page.goto(`${site.baseUrl}/kiosk`)
    await page.getByRole('link', { name: /登录/ }).first().click()
    await page.getByLabel('账号').fill(CHEN)
    await page.getByLabel('密码').fill('Yiwang@2026demo')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${site.baseUrl}/kiosk`)
    await page.evaluate(() => localStorage.setItem('left-behind', '1'))
    await page.getByRole('button', { name: '结束使用并退出' }).click()
    await page.waitForURL(`${site.baseUrl}/kiosk?ended=done`)
    expect(await storageCount(page)).toBe(0)
    expect(await liveSessions('陈晓燕')).toBe(0)

    expect(problems).toEqual([])
    await context.close()
  })

  it('without the page’s script, the server ends a stale kiosk session by itself', async () => {
    const context = await contextAt(site.browser, DESKTOP_VIEWPORT, { javaScriptEnabled: false })
    const value = site.app.signCookie(encodeURIComponent('区政务服务中心 2 号自助终端'))
    await context.addCookies([{ name: 'yw_kiosk', value: encodeURIComponent(value), url: site.baseUrl }])
    const page = await context.newPage()
    await loginCitizen(page, site.baseUrl, CHEN)
    await page.goto(`${site.baseUrl}/my/applications`)
    expect(page.url()).toBe(`${site.baseUrl}/my/applications`)
    expect(await liveSessions('陈晓燕')).toBe(1)
    // nobody there for longer than the timeout (plus the server's 5 s of grace)
    await new Promise((resolve) => setTimeout(resolve, (IDLE_SECONDS + 6) * 1000))
    await page.goto(`${site.baseUrl}/my/applications`)
    await page.waitForURL(`${site.baseUrl}/kiosk?ended=idle`)
    expect(await liveSessions('陈晓燕')).toBe(0)
    await context.close()
  })
})
