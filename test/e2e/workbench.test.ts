/**
 * The staff workbench in chromium, end to end: a window clerk logs in with TOTP, sends one
 * correction notice with two problems, accepts the corrected application; the reviewers of two
 * departments agree in parallel (并联审批) in their own sessions; the leader decides; the case shows
 * 已办结. The application and its correction are made through the service, as a citizen would.
 * At desktop size and again on a phone (375×667).
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formFor } from '../../src/modules/applications/applications.forms.registry.js'
import {
  type MaterialInput,
  resubmitCorrection,
  submitApplication,
} from '../../src/modules/applications/applications.service.js'
import { getVersion, type ItemElements } from '../../src/modules/catalog/index.js'
import { documentTypes, imageTypes } from '../../src/platform/files/files.js'
import { citizenPrincipal, sampleFormData, sampleMaterials } from '../applications.js'
import { contextAt, loginStaffFirstTime, type Site, shot, startSite, VIEWPORTS, watchConsole } from './browser.js'

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

// Each size gets its own site, so each run starts from the seeded data (staff enrol their
// authenticator on their first login). On the phone the staff use a phone: a reviewer or leader
// away from the desk, a village agent visiting an elder at home.
describe.each(VIEWPORTS)('the workbench, in chromium ($name)', (vp) => {
  let site: Site
  beforeAll(async () => {
    site = await startSite()
  })
  afterAll(async () => site?.close())

  /** A member of staff in their own browser at this size, logged in with TOTP for the first time. */
  async function staffSession(account: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await contextAt(site.browser, vp)
    const page = await context.newPage()
    const problems = watchConsole(page)
    await loginStaffFirstTime(page, site.baseUrl, account)
    return { context, page, problems }
  }

  it(`correction → acceptance → parallel review by two departments → decision → 已办结 (${vp.name})`, async () => {
    const { baseUrl, deps } = site
    // The citizen applies for 食品经营许可 (through the service), with a photo among the materials.
    const citizen = await citizenPrincipal(deps.db, '陈晓燕')
    const item = await deps.db
      .selectFrom('items')
      .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
      .select(['items.id', 'itemVersions.id as versionId'])
      .where('itemVersions.taskName', '=', '食品经营许可')
      .executeTakeFirstOrThrow()
    const version = await getVersion(deps.db, item.versionId)
    const elements = JSON.parse(version.elements) as ItemElements
    const def = formFor(version)
    const photo = await deps.files.put(PNG, { maxBytes: 1024 * 1024, allowedTypes: imageTypes })
    const materials: MaterialInput[] = (await sampleMaterials(deps.files, elements, documentTypes)).map((m, i) =>
      i === 0 && m.kind === 'file'
        ? { ...m, sha256: photo.sha256, mime: photo.mime, size: photo.size, fileName: '经营场所照片.png' }
        : m,
    )
    const submitted = await submitApplication(deps, citizen, {
      itemId: item.id,
      idempotencyKey: `e2e-workbench-${Date.now()}`,
      formData: sampleFormData(def),
      materials,
    })
    const no = submitted.applicationNo!
    const section = def.sections.find((s) => !s.repeat && !s.showIf)!
    const field = section.fields.find((f) => f.type === 'text')!
    const material = elements.materials.find((m) => m.isNeed && m.materialCode !== materials[0]?.materialCode)!

    // ----- window01: the inbox, the case, one correction notice with two problems
    const window = await staffSession('window01')
    await window.page.getByRole('link', { name: '工作台' }).click()
    await window.page.waitForURL(`${baseUrl}/workbench`)
    await expect(window.page.locator('.wb-tabs__link--current').textContent()).resolves.toContain('待受理')
    const row = window.page.locator('tr', { hasText: no })
    await expect(row.textContent()).resolves.toContain('陈晓燕')
    await expect(row.locator('.tag').textContent()).resolves.toBe('正常')
    await shot(window.page, `workbench-inbox-${vp.name}`)
    await window.page.getByRole('link', { name: no }).click()
    await window.page.waitForURL(`${baseUrl}/workbench/cases/${submitted.id}`)
    await expect(window.page.locator('h1').textContent()).resolves.toContain(no)
    // the photo previews inline from the case's own download route
    const preview = window.page.locator('img.wb-file__preview')
    await expect(preview.count()).resolves.toBe(1)
    await preview.scrollIntoViewIfNeeded()
    await window.page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('img.wb-file__preview')
      return Boolean(img?.complete && img.naturalWidth === 1)
    })
    await shot(window.page, `workbench-case-submitted-${vp.name}`)

    await window.page.getByText('列出需要补正的全部内容').click()
    await window.page.locator(`input[name="pick.field:${section.key}.${field.key}"]`).check()
    await window.page
      .locator(`textarea[name="message.field:${section.key}.${field.key}"]`)
      .fill(`${field.label}与营业执照不一致，请按营业执照填写`)
    await window.page.locator(`input[name="pick.material:${material.materialCode}"]`).check()
    await window.page
      .locator(`textarea[name="message.material:${material.materialCode}"]`)
      .fill(`${material.materialName}缺少法定代表人签名`)
    await shot(window.page, `workbench-correction-builder-${vp.name}`)
    await window.page.getByRole('button', { name: '发出补正材料通知书' }).click()
    await expect(window.page.locator('.notice--success').textContent()).resolves.toContain('一次性告知了 2 项')
    await expect(window.page.locator('main').textContent()).resolves.toContain('待补正材料')
    await shot(window.page, `workbench-correction-sent-${vp.name}`)

    // ----- the applicant corrects exactly what the notice names
    const data = JSON.parse(
      (
        await deps.db
          .selectFrom('applications')
          .select('formData')
          .where('id', '=', submitted.id)
          .executeTakeFirstOrThrow()
      ).formData,
    )
    const fixed = (await sampleMaterials(deps.files, elements, documentTypes)).find(
      (m) => m.materialCode === material.materialCode,
    )!
    await resubmitCorrection(deps, citizen, submitted.id, {
      formData: { ...data, [section.key]: { ...data[section.key], [field.key]: '潮安区食品测试店' } },
      materials: [fixed],
    })

    // ----- window01 accepts
    await window.page.reload()
    await expect(window.page.locator('main').textContent()).resolves.toContain('已提交，待受理')
    await window.page.getByRole('button', { name: '受理', exact: true }).click()
    await expect(window.page.locator('.notice--success').textContent()).resolves.toContain(`已受理办件 ${no}`)
    await expect(window.page.locator('main').textContent()).resolves.toContain('法定时限')
    await shot(window.page, `workbench-case-accepted-${vp.name}`)

    // ----- the reviewers of 市场监管 and 卫生健康 agree, each in their own session
    for (const [account, taskName] of [
      ['review01', '经营条件审查'],
      ['review02', '卫生条件审查'],
    ] as const) {
      const reviewer = await staffSession(account)
      await reviewer.page.getByRole('link', { name: '工作台' }).click()
      await expect(reviewer.page.locator('.wb-tabs__link--current').textContent()).resolves.toContain('待办理')
      await expect(reviewer.page.locator('tr', { hasText: no }).textContent()).resolves.toContain(taskName)
      await reviewer.page.getByRole('link', { name: no }).click()
      await reviewer.page.getByRole('button', { name: '签收' }).click()
      await expect(reviewer.page.locator('.notice--success').textContent()).resolves.toContain('已签收')
      await reviewer.page.getByLabel('同意', { exact: true }).check()
      await reviewer.page.getByLabel('意见').fill(`${taskName}：符合要求`)
      await shot(reviewer.page, `workbench-${account}-review-${vp.name}`)
      await reviewer.page.getByRole('button', { name: '提交审查意见' }).click()
      await expect(reviewer.page.locator('.notice--success').textContent()).resolves.toContain('已提交审查意见：同意')
      expect(reviewer.problems).toEqual([])
      await reviewer.context.close()
    }

    // ----- approve01 decides
    const approver = await staffSession('approve01')
    await approver.page.goto(`${baseUrl}/workbench`)
    await approver.page.getByRole('link', { name: no }).click()
    await approver.page.getByLabel('同意（准予许可）').check()
    await approver.page.getByLabel('意见').fill('同意准予许可')
    await approver.page.getByRole('button', { name: '作出决定' }).click()
    await expect(approver.page.locator('.notice--success').textContent()).resolves.toContain('已作出准予决定')
    const summary = (await approver.page.locator('main').textContent()) ?? ''
    expect(summary).toContain('已办结')
    expect(summary).toContain('准予行政许可决定书')
    await shot(approver.page, `workbench-case-completed-${vp.name}`)
    expect(approver.problems).toEqual([])
    await approver.context.close()

    expect(window.problems).toEqual([])
    await window.context.close()
  })

  it(`a village agent files for an elder at the service point, with the elder’s consent (代办) (${vp.name})`, async () => {
    const { baseUrl, deps } = site
    const item = await deps.db
      .selectFrom('items')
      .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
      .select(['items.id', 'itemVersions.id as versionId'])
      .where('itemVersions.taskName', '=', '高龄津贴发放')
      .executeTakeFirstOrThrow()
    const version = await getVersion(deps.db, item.versionId)
    const elements = JSON.parse(version.elements) as ItemElements
    const def = formFor(version)
    const data = sampleFormData(def)

    const agent = await staffSession('agent01')
    const { page } = agent
    await page.getByRole('link', { name: '代办' }).click()
    await page.waitForURL(`${baseUrl}/counter`)
    await page.getByLabel('群众的身份证号码').fill('445103195511200068')
    await page.getByRole('button', { name: '查找' }).click()
    await page.waitForURL(/\/counter\/items\?person=/)
    await expect(page.locator('main').textContent()).resolves.toContain('吴**')
    await page.getByLabel('要办理的事项').selectOption(item.id)
    await page.getByRole('button', { name: '下一步：填写申请' }).click()
    await page.waitForURL(/\/counter\/file\?/)

    // fill in the form with the elder: every shown field of every section
    for (const section of def.sections) {
      if (section.repeat || section.showIf) continue
      for (const field of section.fields) {
        const value = (data[section.key] as Record<string, unknown>)[field.key]
        const name = `${section.key}.${field.key}`
        if (['radios', 'yesno'].includes(field.type)) {
          const v = typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value)
          await page.locator(`input[name="${name}"][value="${v}"]`).check()
        } else if (field.type === 'select') {
          await page.locator(`select[name="${name}"]`).selectOption(String(value))
        } else if (typeof value === 'string' || typeof value === 'number') {
          await page.locator(`[name="${name}"]`).fill(String(value))
        }
      }
    }
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')
    for (const m of elements.materials.filter((x) => x.isNeed)) {
      await page
        .locator(`input[name="file.${m.materialCode}"]`)
        .setInputFiles({ name: `${m.materialName}.pdf`, mimeType: 'application/pdf', buffer: pdf })
    }
    // without the consent the form comes back, every problem listed, the scans kept
    await page.getByRole('button', { name: '提交申请' }).last().click()
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('请选择群众本人同意代办的方式')
    await expect(page.locator('.file-current').first().textContent()).resolves.toContain('已收取')
    await page.getByLabel('本人签字授权书').check()
    await page.getByLabel('凭证说明').fill('授权书存档编号 SK-2026-118')
    await shot(page, `counter-proxy-form-${vp.name}`)
    await page.getByRole('button', { name: '提交申请' }).last().click()
    await expect(page.locator('.panel__title').textContent()).resolves.toContain('已代为提交申请')
    const no = /办件编号\s*(\d{20})/.exec((await page.locator('main').textContent()) ?? '')?.[1]
    expect(no).toMatch(/^\d{20}$/)
    await shot(page, `counter-proxy-done-${vp.name}`)
    await page.getByRole('link', { name: '为其他群众办理' }).click()
    await expect(page.locator('main').textContent()).resolves.toContain(no!)
    await shot(page, `counter-service-point-${vp.name}`)
    // The one refused post answers 422 on purpose (the form again, with its errors): chromium logs
    // that status; nothing else may appear.
    expect(agent.problems.filter((p) => !p.includes('status of 422'))).toEqual([])
    expect(agent.problems.length).toBeLessThanOrEqual(1)
    await agent.context.close()
  })
})
