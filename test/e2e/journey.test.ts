/**
 * The whole journey in chromium, every step through the pages as people use them: 陈晓燕 applies
 * for 食品经营许可 with her uploads; the window clerk sends one correction notice naming a field and
 * a material; she corrects only those and resubmits; the clerk accepts; the reviewers of 市场监管
 * and 卫生健康 agree, each in their own session (并联审批); the leader decides; she finds the case
 * 已办结 with its whole timeline, opens each notice and downloads one as PDF. Then the "一件事"
 * 新生儿出生: she answers the questions and submits one combined form, getting several 办件编号.
 * All of it at desktop size and again on a phone (375×667), where everyone uses a phone. A
 * screenshot of each step (named after the size); no console errors.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FormDefinition, SectionValues } from '../../src/modules/applications/applications.forms.js'
import { combinedApplication } from '../../src/modules/applications/applications.themes.js'
import { sampleFormData } from '../applications.js'
import {
  contextAt,
  loginCitizen,
  loginStaffFirstTime,
  type Site,
  shot,
  startSite,
  VIEWPORTS,
  type Viewport,
  watchConsole,
} from './browser.js'

const CHEN = '445103198503120029' // 陈晓燕
const NUMBER = /445103-\d{8}-\d{6}/g

interface Session {
  context: BrowserContext
  page: Page
  problems: string[]
}

const mainText = async (page: Page) => (await page.locator('main').textContent()) ?? ''

/**
 * Fills in every field of a form definition the page shows and the profile did not fill: the
 * values of sampleFormData, entered as a person would (radios clicked, dates in three boxes).
 */
async function fillShownFields(page: Page, def: FormDefinition): Promise<[string, string][]> {
  const typed: [string, string][] = []
  const data = sampleFormData(def)
  for (const section of def.sections) {
    if (section.repeat) continue
    const values = data[section.key] as SectionValues
    for (const field of section.fields) {
      const name = `${section.key}.${field.key}`
      const value = values[field.key]
      if (value === undefined) continue
      if (field.type === 'radios' || field.type === 'yesno') {
        const group = page.locator(`input[name="${name}"]`)
        if (!(await group.first().isVisible())) continue
        if ((await page.locator(`input[name="${name}"]:checked`).count()) > 0) continue
        const v = typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value)
        await page.locator(`input[name="${name}"][value="${v}"]`).check()
      } else if (field.type === 'checkboxes') {
        const first = page.locator(`input[name="${name}"]`).first()
        if (!(await first.isVisible())) continue
        for (const v of value as string[]) await page.locator(`input[name="${name}"][value="${v}"]`).check()
      } else if (field.type === 'select') {
        const select = page.locator(`select[name="${name}"]`)
        if (!(await select.isVisible()) || (await select.inputValue()) !== '') continue
        await select.selectOption(String(value))
      } else if (field.type === 'date') {
        const year = page.locator(`input[name="${name}.year"]`)
        if (!(await year.isVisible()) || (await year.inputValue()) !== '') continue
        const [y, m, d] = String(value).split('-')
        await year.fill(y!)
        await page.locator(`input[name="${name}.month"]`).fill(m!)
        await page.locator(`input[name="${name}.day"]`).fill(d!)
      } else {
        const input = page.locator(`[name="${name}"]`)
        if (!(await input.isVisible()) || (await input.inputValue()) !== '') continue
        const text = field.type === 'money' ? String(Number(value) / 100) : String(value)
        await input.fill(text)
        typed.push([name, text])
      }
    }
  }
  return typed
}

/** The blank PDF the citizen uploads for each material, in the site's scratch directory. */
const pdfIn = (site: Site) => path.join(site.dataDir, '申请材料.pdf')

/** The citizen answers 新生儿出生's questions, opens 一次申请, fills in and submits the one form. */
async function applyForNewborn(site: Site, page: Page, label: string, answers: Record<string, string>) {
  const { baseUrl, deps } = site
  await page.goto(`${baseUrl}/themes`)
  await page.getByRole('link', { name: '新生儿出生' }).first().click()
  await page.waitForURL(`${baseUrl}/themes/newborn`)
  for (const [question, value] of Object.entries(answers)) {
    await page.locator(`input[name="${question}"][value="${value}"]`).check()
  }
  await page.getByRole('button', { name: '查看需要办理的事项' }).click()
  await page.waitForURL(/\/themes\/newborn\?/)
  await shot(page, `journey-newborn-items-${label}`)
  await page.getByRole('link', { name: '一次申请', exact: true }).click()
  await page.waitForURL(/\/apply\/themes\/newborn\?/)

  const combined = await combinedApplication(deps, 'newborn', answers)
  expect(combined.items.length).toBeGreaterThan(1)
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('新生儿出生')
  const text = await mainText(page)
  expect(text).toContain('一次填写，分别送达各部门办理')
  for (const item of combined.items) expect(text).toContain(item.taskName)
  // the applicant's own details come from her real-name record, with the source beside them
  await expect(page.locator('input[value="陈晓燕"]').count()).resolves.toBeGreaterThan(0)
  await expect(page.locator('.field__source').first().textContent()).resolves.toBe('来自实名信息')
  const typed = await fillShownFields(page, combined.form)
  expect(typed.length).toBeGreaterThan(0)
  // one ordinary upload per required material (photo materials also offer a camera upload)
  const required = await page.locator('.material-upload:has(.tag--red) input[type="file"]:not([capture])').all()
  expect(required.length).toBe(combined.materials.filter((m) => m.material.isNeed).length)
  for (const input of required) await input.setInputFiles(pdfIn(site))
  await shot(page, `journey-newborn-form-${label}`)

  // forgot the declaration: everything comes back, the files kept
  await page.getByRole('button', { name: '提交申请' }).last().click()
  await page.waitForURL(/\/apply\/themes\/newborn\?/)
  await expect(page.locator('.error-summary').textContent()).resolves.toContain('请勾选承诺')
  for (const [name, value] of typed) await expect(page.locator(`[name="${name}"]`).inputValue()).resolves.toBe(value)
  await expect(page.locator('input[name="carried"]').count()).resolves.toBe(required.length)
  await shot(page, `journey-newborn-declaration-missing-${label}`)
  await page.getByLabel('本人承诺所填内容和所交材料真实有效').check()
  await page.getByRole('button', { name: '提交申请' }).last().click()
  await page.waitForURL(/\/my\/theme-cases\/[0-9a-f-]{36}$/)
  await expect(page.locator('.panel__title').textContent()).resolves.toBe('申请已提交')
  const numbers = (await mainText(page)).match(NUMBER) ?? []
  expect(new Set(numbers).size).toBe(combined.items.length)
  await shot(page, `journey-newborn-submitted-${label}`)

  // 在我的办件中查看: each of them listed
  await page.getByRole('link', { name: '在我的办件中查看' }).click()
  await page.waitForURL(`${baseUrl}/my/applications`)
  const list = await mainText(page)
  for (const no of numbers) expect(list).toContain(no)
  return numbers
}

/**
 * The two runs answer 新生儿出生's questions differently (the birth registered here or elsewhere), so
 * both ways through them are walked.
 */
const NEWBORN: Record<Viewport['name'], { answers: Record<string, string>; atLeast: number }> = {
  desktop: { answers: { register_here: 'yes', mother_insured: 'yes' }, atLeast: 3 },
  phone: { answers: { register_here: 'no', mother_insured: 'yes' }, atLeast: 2 },
}

// Each size gets its own site, so each run starts from the seeded data (staff enrol their
// authenticator on their first login). On the phone every person uses a phone: the citizen, and
// the clerk, reviewers and leader who deal with a case away from their desk.
describe.each(VIEWPORTS)('the whole journey, in chromium ($name)', (vp) => {
  let site: Site
  beforeAll(async () => {
    site = await startSite()
    fs.writeFileSync(
      pdfIn(site),
      '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
    )
  })
  afterAll(async () => site?.close())

  /** A person's own browser at this size, logged in: the citizen with her password, staff with TOTP. */
  async function session(account: string): Promise<Session> {
    const context = await contextAt(site.browser, vp)
    const page = await context.newPage()
    const problems = watchConsole(page)
    if (account === CHEN) await loginCitizen(page, site.baseUrl, account)
    else await loginStaffFirstTime(page, site.baseUrl, account)
    return { context, page, problems }
  }

  it(`apply → one correction notice → correct → accept → parallel review → decide → 已办结 → notices → 一件事 (${vp.name})`, async () => {
    const { baseUrl } = site
    const pdf = pdfIn(site)
    const v = vp.name
    const citizen = await session(CHEN)
    const { page } = citizen

    // ----- 陈晓燕 applies for 食品经营许可 from its guide, with her uploads
    await page.goto(`${baseUrl}/search?q=${encodeURIComponent('食品经营许可')}`)
    await page.getByRole('link', { name: '食品经营许可', exact: true }).first().click()
    await page.waitForURL(/\/services\/[0-9a-f-]{36}$/)
    await page.getByRole('link', { name: '在线办理' }).click()
    await page.waitForURL(/\/apply\/[0-9a-f-]{36}$/)
    const fill = (input: string, value: string) => page.locator(`[name="${input}"]`).fill(value)
    await fill('subject.credit_code', '91445103MA4WJK8R2K')
    await fill('subject.name', '潮安区庵埠镇陈记潮州菜馆')
    await fill('subject.legal_rep', '陈晓燕')
    await fill('subject.legal_rep_id_number', CHEN)
    await fill('subject.address', '潮州市潮安区庵埠镇开濠村 12 号')
    await page.getByLabel('餐饮服务经营者').check()
    await page.getByLabel('热食类食品制售').check()
    await fill('business.premises_address', '潮州市潮安区庵埠镇开濠村 12 号')
    await fill('business.area', '85')
    await fill('business.staff_count', '6')
    await page.locator('[name="business.online"][value="no"]').check()
    await page.locator('[name="business.has_warehouse"][value="no"]').check()
    await fill('safety_staff[0].name', '陈晓燕')
    await fill('safety_staff[0].id_number', CHEN)
    await fill('safety_staff[0].mobile', '13800000001')
    await page.locator('[name="safety_staff[0].role"]').selectOption('director')
    // the draft saves itself while she types (waited for, so no request is cut off by leaving)
    await page.locator('[data-autosave-status]', { hasText: '已自动保存' }).waitFor({ timeout: 10_000 })
    for (const input of await page.locator('.material-upload:has(.tag--red) input[type="file"]').all()) {
      await input.setInputFiles(pdf)
    }
    await shot(page, `journey-01-apply-form-${v}`)
    await page.getByRole('button', { name: '下一步：核对信息' }).last().click()
    await page.waitForURL(/\/apply\/[0-9a-f-]{36}\/check$/)
    await shot(page, `journey-02-apply-check-${v}`)
    await page.getByLabel('本人承诺所填内容和所交材料真实有效').check()
    await page.getByRole('button', { name: '提交申请' }).click()
    await page.waitForURL(/\/my\/applications\/[0-9a-f-]{36}\/submitted$/)
    const caseId = /\/my\/applications\/([0-9a-f-]{36})\/submitted$/.exec(page.url())![1]!
    const number = (await page.locator('.panel__reference').textContent())?.trim() ?? ''
    expect(number).toMatch(/^445103-\d{8}-\d{6}$/)
    const no = number.replace(/-/g, '')
    await shot(page, `journey-03-apply-submitted-${v}`)

    // ----- window01 opens the case and sends ONE correction notice: a field and a material
    const window = await session('window01')
    await window.page.getByRole('link', { name: '工作台' }).click()
    await window.page.waitForURL(`${baseUrl}/workbench`)
    await expect(window.page.locator('tr', { hasText: no }).textContent()).resolves.toContain('陈晓燕')
    await shot(window.page, `journey-04-window-inbox-${v}`)
    await window.page.getByRole('link', { name: no }).click()
    await window.page.waitForURL(`${baseUrl}/workbench/cases/${caseId}`)
    await window.page.getByText('列出需要补正的全部内容').click()
    await window.page.locator('input[name="pick.field:subject.name"]').check()
    await window.page
      .locator('textarea[name="message.field:subject.name"]')
      .fill('名称与营业执照不一致，请按营业执照填写')
    await window.page.locator('input[name="pick.material:application_form"]').check()
    await window.page.locator('textarea[name="message.material:application_form"]').fill('申请书缺少法定代表人签名')
    await shot(window.page, `journey-05-window-correction-${v}`)
    await window.page.getByRole('button', { name: '发出补正材料通知书' }).click()
    await expect(window.page.locator('.notice--success').textContent()).resolves.toContain('一次性告知了 2 项')
    await shot(window.page, `journey-06-window-correction-sent-${v}`)

    // ----- the citizen finds the notice in 我的办件 and corrects only what it names
    await page.goto(`${baseUrl}/my/applications`)
    await expect(page.locator('tr', { hasText: number }).textContent()).resolves.toContain('待补正')
    await page.getByRole('link', { name: number }).click()
    await page.waitForURL(`${baseUrl}/my/applications/${caseId}`)
    const notice = await page.locator('.correction-notice').textContent()
    expect(notice).toContain('名称与营业执照不一致，请按营业执照填写')
    expect(notice).toContain('申请书缺少法定代表人签名')
    await shot(page, `journey-07-citizen-correction-notice-${v}`)
    await page.getByRole('link', { name: '按通知补正' }).click()
    await page.waitForURL(`${baseUrl}/my/applications/${caseId}/correct`)
    // only the named field and material can be changed
    await expect(page.locator('.correction-form input[type="file"]').count()).resolves.toBe(1)
    await expect(page.locator('.correction-form input[type="text"], .correction-form textarea').count()).resolves.toBe(
      1,
    )
    await page.locator('[name="subject.name"]').fill('潮安区庵埠镇陈记潮州菜馆有限公司')
    await page.locator('input[name="materials.application_form"]').setInputFiles(pdf)
    await shot(page, `journey-08-citizen-correction-form-${v}`)
    await page.getByRole('button', { name: '提交补正材料' }).last().click()
    await page.waitForURL(`${baseUrl}/my/applications/${caseId}?done=corrected`)
    await expect(page.locator('.notice--success').textContent()).resolves.toContain('补正材料已提交')
    await shot(page, `journey-09-citizen-corrected-${v}`)

    // ----- window01 accepts
    await window.page.reload()
    await expect(mainText(window.page)).resolves.toContain('潮安区庵埠镇陈记潮州菜馆有限公司')
    await window.page.getByRole('button', { name: '受理', exact: true }).click()
    await expect(window.page.locator('.notice--success').textContent()).resolves.toContain(`已受理办件 ${no}`)
    await shot(window.page, `journey-10-window-accepted-${v}`)
    expect(window.problems).toEqual([])
    await window.context.close()

    // ----- review01 (市场监管) and review02 (卫生健康) agree, each in their own session
    for (const [account, taskName] of [
      ['review01', '经营条件审查'],
      ['review02', '卫生条件审查'],
    ] as const) {
      const reviewer = await session(account)
      await reviewer.page.getByRole('link', { name: '工作台' }).click()
      await expect(reviewer.page.locator('tr', { hasText: no }).textContent()).resolves.toContain(taskName)
      await reviewer.page.getByRole('link', { name: no }).click()
      await reviewer.page.getByRole('button', { name: '签收' }).click()
      await expect(reviewer.page.locator('.notice--success').textContent()).resolves.toContain('已签收')
      await reviewer.page.getByLabel('同意', { exact: true }).check()
      await reviewer.page.getByLabel('意见').fill(`${taskName}：符合要求`)
      await reviewer.page.getByRole('button', { name: '提交审查意见' }).click()
      await expect(reviewer.page.locator('.notice--success').textContent()).resolves.toContain('已提交审查意见：同意')
      await shot(reviewer.page, `journey-11-${account}-agreed-${v}`)
      expect(reviewer.problems).toEqual([])
      await reviewer.context.close()
    }

    // ----- approve01 decides
    const approver = await session('approve01')
    await approver.page.goto(`${baseUrl}/workbench`)
    await approver.page.getByRole('link', { name: no }).click()
    await approver.page.getByLabel('同意（准予许可）').check()
    await approver.page.getByLabel('意见').fill('同意准予许可')
    await approver.page.getByRole('button', { name: '作出决定' }).click()
    await expect(approver.page.locator('.notice--success').textContent()).resolves.toContain('已作出准予决定')
    await shot(approver.page, `journey-12-approver-decided-${v}`)
    expect(approver.problems).toEqual([])
    await approver.context.close()

    // ----- the citizen: 已办结 with the whole timeline; every notice opens; one as PDF
    await page.goto(`${baseUrl}/my/applications/${caseId}`)
    await expect(mainText(page)).resolves.toContain('已办结')
    const timeline = (await page.locator('.timeline').textContent()) ?? ''
    for (const step of ['提交申请', '一次性告知补正', '提交补正材料', '受理', '完成审查', '作出准予决定']) {
      expect(timeline, step).toContain(step)
    }
    expect(timeline).toContain('申请人')
    expect(timeline).not.toContain('review01')
    await shot(page, `journey-13-citizen-completed-${v}`)
    for (const [kind, title] of [
      ['accept', '受理通知书'],
      ['correction', '补正材料通知书'],
      ['decision', '决定书'],
    ] as const) {
      await page.goto(`${baseUrl}/my/applications/${caseId}`)
      await page.locator('.notice-list a', { hasText: title }).first().click()
      await page.waitForURL(/\/notices\/[0-9a-f-]{36}$/)
      await expect(page.locator('.notice-doc__title').textContent()).resolves.toContain(title)
      await expect(page.locator('.notice-doc').textContent()).resolves.toContain(number)
      await shot(page, `journey-14-notice-${kind}-${v}`)
    }
    // the decision (the page last opened) as a PDF
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '下载 PDF 版' }).click(),
    ])
    const saved = path.join(site.dataDir, `decision-${v}.pdf`)
    await download.saveAs(saved)
    expect(fs.readFileSync(saved).subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(download.suggestedFilename()).toMatch(/\.pdf$/)

    // ----- 一件事: 新生儿出生, one form, several 办件编号
    const numbers = await applyForNewborn(site, page, v, NEWBORN[v].answers)
    expect(numbers.length).toBeGreaterThanOrEqual(NEWBORN[v].atLeast)

    // The one refused post (declaration missing) answers 422 on purpose: chromium logs that status.
    expect(citizen.problems.filter((p) => !p.includes('status of 422'))).toEqual([])
    expect(citizen.problems.length).toBeLessThanOrEqual(1)
    await citizen.context.close()
  })
})
