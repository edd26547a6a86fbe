/**
 * Applying online in chromium, on a desktop and on a phone: a citizen logs in with her password,
 * opens the guide of 食品经营许可, follows 在线办理, fills in what the profile did not, uploads a
 * PDF for each required material, checks her answers, submits, gets the 办件编号 and finds the
 * application with its timeline under 我的办件. No console errors (the strict CSP reports there).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_PASSWORD } from '../../src/modules/identity/identity.seed-data.js'
import { contextAt, type Site, shot, startSite, VIEWPORTS, watchConsole } from './browser.js'

let site: Site
let pdf: string
let tmp: string

beforeAll(async () => {
  site = await startSite()
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-apply-'))
  pdf = path.join(tmp, '申请材料.pdf')
  fs.writeFileSync(
    pdf,
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  )
})
afterAll(async () => {
  await site?.close()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe.each(VIEWPORTS)('applying online, in chromium ($name)', (vp) => {
  const name = vp.name
  it(`a citizen applies for 食品经营许可 from its guide and finds it under 我的办件 (${name})`, async () => {
    const search = await site.app.inject({ method: 'GET', url: encodeURI('/api/search?q=食品经营许可') })
    const itemId = search.json().hits[0].item.itemId as string
    const context = await contextAt(site.browser, vp)
    const page = await context.newPage()
    const problems = watchConsole(page)

    // log in with the password
    await page.goto(`${site.baseUrl}/login`)
    await page.getByLabel('账号').fill('445103198503120029')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${site.baseUrl}/my/account`)

    // the guide → 在线办理
    await page.goto(`${site.baseUrl}/services/${itemId}`)
    await page.getByRole('link', { name: '在线办理' }).click()
    await page.waitForURL(`${site.baseUrl}/apply/${itemId}`)
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('食品经营许可')
    // prefilled from her real-name record, with the source shown
    await expect(page.locator('[name="contact.name"]').inputValue()).resolves.toBe('陈晓燕')
    await expect(page.locator('[name="contact.mobile"]').inputValue()).resolves.toBe('13800000001')
    await expect(page.locator('.field__source').first().textContent()).resolves.toBe('来自实名信息')
    // the conditional part stays hidden until 网络经营 is answered 是
    await expect(page.locator('#f-online_business').isHidden()).resolves.toBe(true)

    // fill in what is missing
    const fill = (input: string, value: string) => page.locator(`[name="${input}"]`).fill(value)
    await fill('subject.credit_code', '91445103MA4WJK8R2K')
    await fill('subject.name', '潮安区庵埠镇陈记潮州菜馆')
    await fill('subject.legal_rep', '陈晓燕')
    await fill('subject.legal_rep_id_number', '445103198503120029')
    await fill('subject.address', '潮州市潮安区庵埠镇开濠村 12 号')
    await page.getByLabel('餐饮服务经营者').check()
    await page.getByLabel('热食类食品制售').check()
    await fill('business.premises_address', '潮州市潮安区庵埠镇开濠村 12 号')
    await fill('business.area', '85')
    await fill('business.staff_count', '6')
    await page.locator('[name="business.online"][value="no"]').check()
    await page.locator('[name="business.has_warehouse"][value="no"]').check()
    await fill('safety_staff[0].name', '陈晓燕')
    await fill('safety_staff[0].id_number', '445103198503120029')
    await fill('safety_staff[0].mobile', '13800000001')
    await page.locator('[name="safety_staff[0].role"]').selectOption('director')
    // the draft saves itself while she types
    await page.locator('[data-autosave-status]', { hasText: '已自动保存' }).waitFor({ timeout: 10_000 })

    // a PDF for each required material
    const required = await page.locator('.material-upload:has(.tag--red) input[type="file"]').all()
    expect(required.length).toBeGreaterThan(3)
    for (const input of required) await input.setInputFiles(pdf)
    await shot(page, `apply-form-${name}`)

    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '下一步：核对信息' }).last().click()])
    const refused = await page.locator('.error-summary').count()
    expect(refused ? await page.locator('.error-summary').textContent() : '').toBe('')
    expect(page.url()).toBe(`${site.baseUrl}/apply/${itemId}/check`)
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('核对填写的信息')
    await expect(page.locator('main').textContent()).resolves.toContain('申请材料.pdf')
    await shot(page, `apply-check-${name}`)

    await page.getByLabel('本人承诺所填内容和所交材料真实有效').check()
    await page.getByRole('button', { name: '提交申请' }).click()
    await page.waitForURL(/\/my\/applications\/[0-9a-f-]{36}\/submitted$/)
    await expect(page.locator('.panel__title').textContent()).resolves.toBe('申请已提交')
    const number = (await page.locator('.panel__reference').textContent())?.trim() ?? ''
    expect(number).toMatch(/^445103-\d{8}-\d{6}$/)
    await shot(page, `apply-submitted-${name}`)

    // 我的办件 lists it; its page shows the timeline
    await page.goto(`${site.baseUrl}/my/applications`)
    await expect(page.locator('main').textContent()).resolves.toContain(number)
    await shot(page, `apply-my-applications-${name}`)
    await page.getByRole('link', { name: number }).click()
    await page.waitForURL(/\/my\/applications\/[0-9a-f-]{36}$/)
    const timeline = page.locator('.timeline')
    await expect(timeline.textContent()).resolves.toContain('提交申请')
    await expect(timeline.textContent()).resolves.toContain('申请人')
    await expect(page.locator('main').textContent()).resolves.toContain('已提交，待受理')
    await shot(page, `apply-case-${name}`)

    expect(problems).toEqual([])
    await context.close()
  })
})
