import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contextAt, type Site, shot, startSite, VIEWPORTS, watchConsole } from './browser.js'

let site: Site
beforeAll(async () => {
  site = await startSite()
})
afterAll(async () => site?.close())

describe.each(VIEWPORTS)('finding a service and reading its guide, in chromium ($name)', (vp) => {
  const name = vp.name
  it(`searches 开饭店 from the home page, opens 食品经营许可 and downloads its blank form (${name})`, async () => {
    const context = await contextAt(site.browser, vp, { acceptDownloads: true })
    const page = await context.newPage()
    const problems = watchConsole(page)
    await page.goto(site.baseUrl)
    await shot(page, `catalog-home-${name}`)

    const box = page.getByRole('combobox', { name: '搜索办事事项' })
    await box.fill('开饭店')
    // as a person does: the suggestions show up while they reach for the button
    await page.getByRole('listbox', { name: '搜索提示' }).waitFor({ state: 'visible' })
    await page.getByRole('button', { name: '搜索', exact: true }).click()
    await page.waitForURL(/\/search\?q=/)
    const first = page.locator('.search-hit').first()
    await expect(first.locator('h3').textContent()).resolves.toBe('食品经营许可')
    await expect(first.locator('mark').count()).resolves.toBeGreaterThan(0)
    await shot(page, `catalog-search-${name}`)

    await first.getByRole('link', { name: '食品经营许可' }).click()
    await page.waitForURL(/\/services\/[0-9a-f-]{36}$/)
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('食品经营许可')
    await expect(page.getByRole('link', { name: '在线办理', exact: true }).getAttribute('href')).resolves.toMatch(
      /^\/apply\/[0-9a-f-]{36}$/,
    )
    await shot(page, `catalog-guide-${name}`)

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /空白表格\s*：食品经营许可申请书/ }).click(),
    ])
    expect(download.suggestedFilename()).toBe('食品经营许可申请书（空白表）.xlsx')
    const file = await download.path()
    expect(fs.readFileSync(file).subarray(0, 2).toString('latin1')).toBe('PK')

    // the FAQ opens without script of ours
    const question = page.locator('.faq__question').first()
    await question.click()
    await expect(page.locator('.faq__item').first().getAttribute('open')).resolves.toBe('')

    expect(problems).toEqual([])
    await context.close()
  })

  it(`picks a type-ahead suggestion for 社保 with the keyboard${vp.touch ? ', then by a tap' : ''} (${name})`, async () => {
    const context = await contextAt(site.browser, vp)
    const page = await context.newPage()
    const problems = watchConsole(page)
    await page.goto(site.baseUrl)
    const box = page.getByRole('combobox', { name: '搜索办事事项' })
    await box.pressSequentially('社保', { delay: 40 })
    const listbox = page.getByRole('listbox', { name: '搜索提示' })
    await listbox.waitFor({ state: 'visible' })
    await expect(box.getAttribute('aria-expanded')).resolves.toBe('true')
    const options = await listbox.getByRole('option').allTextContents()
    expect(options).toContain('社会保障卡申领')

    const target = options.indexOf('社会保障卡申领')
    for (let i = 0; i <= target; i++) await page.keyboard.press('ArrowDown')
    const activeId = await box.getAttribute('aria-activedescendant')
    await expect(page.locator(`#${activeId}`).getAttribute('aria-selected')).resolves.toBe('true')
    await expect(page.locator(`#${activeId}`).textContent()).resolves.toBe('社会保障卡申领')
    await shot(page, `catalog-suggest-${name}`)

    // Escape closes, ArrowDown opens again; Enter opens the chosen guide
    await page.keyboard.press('Escape')
    await expect(listbox.isHidden()).resolves.toBe(true)
    await expect(box.getAttribute('aria-expanded')).resolves.toBe('false')
    for (let i = 0; i <= target; i++) await page.keyboard.press('ArrowDown')
    // a phone user taps the suggestion; at a desk Enter opens the chosen one
    if (vp.touch) await listbox.getByRole('option', { name: '社会保障卡申领' }).tap()
    else await page.keyboard.press('Enter')
    await page.waitForURL(/\/services\/[0-9a-f-]{36}$/)
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('社会保障卡申领')
    expect(problems).toEqual([])
    await context.close()
  })

  it('works without JavaScript: search, browse and a theme’s questions', async () => {
    const context = await contextAt(site.browser, vp, { javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(site.baseUrl)
    await page.getByLabel('搜索办事事项').fill('身份证')
    await page.getByRole('button', { name: '搜索', exact: true }).click()
    await page.waitForURL(/\/search\?q=/)
    const names = await page.locator('.search-hit h3').allTextContents()
    expect(names.slice(0, 3)).toContain('居民身份证换领')

    await page.goto(`${site.baseUrl}/themes/open_restaurant`)
    await page.getByRole('group', { name: '您打算以什么身份经营？' }).getByLabel('个体工商户').check()
    await page.getByRole('group', { name: '店里是否现场制作食品或饮品？' }).getByLabel('是').check()
    await page.getByRole('button', { name: '查看需要办理的事项' }).click()
    await expect(page.locator('.error-summary').textContent()).resolves.toContain(
      '请回答：除餐饮外，是否还经营下列项目？',
    )
    await page.getByRole('group', { name: '除餐饮外，是否还经营下列项目？' }).getByLabel('没有').check()
    for (const question of ['是否在户外设置招牌或广告牌？', '是否向市政排水管网排放污水？', '是否招用员工？']) {
      await page.getByRole('group', { name: question }).getByLabel('否').check()
    }
    await page.getByRole('button', { name: '查看需要办理的事项' }).click()
    const items = await page.locator('.theme-items__item h3').allTextContents()
    expect(items).toEqual(['个体工商户设立登记', '食品经营许可'])
    await shot(page, `catalog-theme-nojs-${name}`, { axe: false }) // axe needs JavaScript; the page is in the a11y suite
    await context.close()
  })
})
