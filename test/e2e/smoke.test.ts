import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contextAt, DESKTOP_VIEWPORT, type Site, shot, startSite, VIEWPORTS, watchConsole } from './browser.js'

let site: Site
beforeAll(async () => {
  site = await startSite()
})
afterAll(async () => site?.close())

describe.each(VIEWPORTS)('home page in chromium ($name)', (vp) => {
  it('opens, toggles 长者模式 (kept after reload) and logs no console errors', async () => {
    const context = await contextAt(site.browser, vp)
    const page = await context.newPage()
    const problems = watchConsole(page)
    await page.goto(site.baseUrl)
    await expect(page.title()).resolves.toContain('潮安区网上办事大厅')
    expect(await page.locator('html').getAttribute('class')).toBeNull()
    await shot(page, `smoke-home-${vp.name}`)

    await page.getByRole('button', { name: '长者模式' }).click()
    await page.waitForFunction(() => document.documentElement.classList.contains('elder'))
    const fontSize = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize)
    expect(fontSize).toBe('20px')
    await shot(page, `smoke-home-elder-${vp.name}`)

    await page.reload()
    expect(await page.locator('html').getAttribute('class')).toBe('elder')
    await page.getByRole('button', { name: '退出长者模式' }).click()
    await page.waitForFunction(() => !document.documentElement.classList.contains('elder'))

    expect(problems).toEqual([])
    await context.close()
  })

  it('works without JavaScript: the toggle asks once to confirm, posts the form and comes back', async () => {
    const context = await contextAt(site.browser, vp, { javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(`${site.baseUrl}/accessibility`)
    await page.getByRole('button', { name: '长者模式' }).click()
    await page.waitForURL(/\/preferences\/elder-mode\?/)
    await page.getByRole('button', { name: '确认开启' }).click()
    await page.waitForURL(`${site.baseUrl}/accessibility`)
    expect(await page.locator('html').getAttribute('class')).toBe('elder')
    // axe needs JavaScript; the page is in the a11y suite
    await shot(page, `smoke-accessibility-elder-${vp.name}`, { axe: false })
    await context.close()
  })
})

// Desktop only: the API documentation is for developers at a desk, and Swagger UI's page is
// third-party markup without a mobile viewport (a phone lays it out 980 px wide and zooms out), not
// ours to restyle. Our own pages are checked at both sizes above and in the a11y suite.
describe('API documentation in chromium (desktop)', () => {
  it('renders Swagger UI under the strict CSP without console errors', async () => {
    const context = await contextAt(site.browser, DESKTOP_VIEWPORT)
    const page = await context.newPage()
    const problems = watchConsole(page)
    await page.goto(`${site.baseUrl}/api/docs`)
    await page.waitForSelector('.swagger-ui .info .title', { timeout: 30_000 })
    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('潮安区网上办事大厅')
    // Swagger UI's own colours (a developers' page, third-party CSS) miss AA contrast in places;
    // axe covers our pages, not this one.
    await shot(page, 'smoke-api-docs', { axe: false })
    expect(problems).toEqual([])
    await context.close()
  })
})
