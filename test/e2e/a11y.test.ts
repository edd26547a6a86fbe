/**
 * Accessibility of every channel (issue 8): the main pages of the journeys of every issue so far —
 * public hall, login and registration, the application form and its check page, my applications,
 * a case and its notice, messages, the staff workbench and a case there, the counter (window and
 * village service point), the catalog editor, license verification, public ratings and the kiosk —
 * each at desktop (1280×800) and phone (375×667) size, in normal and in 长者模式. axe-core runs on
 * every page (WCAG 2.0/2.1 A and AA plus best practice); any serious or critical violation fails.
 * On the phone nothing may be wider than the screen. A screenshot of every page is kept.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formFor } from '../../src/modules/applications/applications.forms.registry.js'
import { type MaterialInput, submitApplication } from '../../src/modules/applications/applications.service.js'
import { getVersion, type ItemElements } from '../../src/modules/catalog/index.js'
import { documentTypes } from '../../src/platform/files/files.js'
import { citizenPrincipal, sampleFormData, sampleMaterials } from '../applications.js'
import {
  type AxeProblem,
  axeProblems,
  DESKTOP,
  loginCitizen,
  loginStaffFirstTime,
  PHONE,
  type Site,
  setElderMode,
  shot,
  smallTargets,
  startSite,
  watchConsole,
} from './browser.js'

let site: Site
let photo: string
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)
const CHEN = '445103198503120029' // 陈晓燕

type Who = 'anonymous' | 'terminal' | 'citizen' | 'window01' | 'agent01' | 'items01' | 'supervise01'
interface Visit {
  name: string
  who: Who
  path: () => string
}

const states = new Map<Who, Awaited<ReturnType<BrowserContext['storageState']>>>()
const ids = { food: '', card: '', caseId: '', noticeId: '' }

async function itemId(taskName: string): Promise<string> {
  const row = await site.deps.db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id'])
    .where('itemVersions.taskName', '=', taskName)
    .executeTakeFirstOrThrow()
  return row.id
}

beforeAll(async () => {
  site = await startSite()
  ids.food = await itemId('食品经营许可')
  ids.card = await itemId('社会保障卡申领')
  photo = path.join(site.dataDir, '证件照片.png')
  fs.writeFileSync(photo, PNG)

  // 陈晓燕's application for 食品经营许可 (through the service), for the case pages.
  const { deps } = site
  const citizen = await citizenPrincipal(deps.db, '陈晓燕')
  const item = await deps.db
    .selectFrom('items')
    .select(['currentVersionId'])
    .where('id', '=', ids.food)
    .executeTakeFirstOrThrow()
  const version = await getVersion(deps.db, item.currentVersionId!)
  const elements = JSON.parse(version.elements) as ItemElements
  const materials: MaterialInput[] = await sampleMaterials(deps.files, elements, documentTypes)
  const submitted = await submitApplication(deps, citizen, {
    itemId: ids.food,
    idempotencyKey: `e2e-a11y-${Date.now()}`,
    formData: sampleFormData(formFor(version)),
    materials,
  })
  ids.caseId = submitted.id

  // Log everybody in once; each page visit starts a fresh context from their saved cookies.
  for (const who of ['citizen', 'window01', 'agent01', 'items01', 'supervise01'] as const) {
    const context = await site.browser.newContext({ viewport: DESKTOP })
    const page = await context.newPage()
    if (who === 'citizen') {
      await loginCitizen(page, site.baseUrl, CHEN)
      // a draft of 社会保障卡申领 up to its check page
      await page.goto(`${site.baseUrl}/apply/${ids.card}`)
      await page.getByLabel('为本人申领').check()
      await page.getByLabel('首次申领').check()
      await page.getByLabel('到窗口领取').check()
      await page.getByLabel('领取地点').selectOption('center')
      for (const input of await page
        .locator('.material-upload:has(.tag--red) input[type="file"]:not([capture])')
        .all()) {
        await input.setInputFiles(photo)
      }
      await page.getByRole('button', { name: '下一步：核对信息' }).last().click()
      await page.waitForURL(/\/check$/)
    } else {
      await loginStaffFirstTime(page, site.baseUrl, who)
    }
    states.set(who, await context.storageState())
    await context.close()
  }
})

afterAll(async () => {
  await site?.close()
})

const visits: Visit[] = [
  { name: 'home', who: 'anonymous', path: () => '/' },
  { name: 'search', who: 'anonymous', path: () => `/search?q=${encodeURIComponent('社保卡')}` },
  { name: 'services', who: 'anonymous', path: () => '/services' },
  { name: 'guide', who: 'anonymous', path: () => `/services/${ids.food}` },
  { name: 'themes', who: 'anonymous', path: () => '/themes' },
  { name: 'theme-newborn', who: 'anonymous', path: () => '/themes/newborn' },
  { name: 'login', who: 'anonymous', path: () => '/login' },
  { name: 'register', who: 'anonymous', path: () => '/register' },
  { name: 'progress', who: 'anonymous', path: () => '/progress' },
  { name: 'verify', who: 'anonymous', path: () => '/verify' },
  { name: 'ratings-public', who: 'anonymous', path: () => '/ratings/public' },
  { name: 'accessibility', who: 'anonymous', path: () => '/accessibility' },
  { name: 'elder-mode-confirm', who: 'anonymous', path: () => '/preferences/elder-mode?on=1&return=/accessibility' },
  { name: 'kiosk', who: 'terminal', path: () => '/kiosk' },
  { name: 'kiosk-progress', who: 'terminal', path: () => '/progress' },
  { name: 'offline', who: 'anonymous', path: () => '/offline' },
  { name: 'apply-form', who: 'citizen', path: () => `/apply/${ids.food}` },
  { name: 'apply-check', who: 'citizen', path: () => `/apply/${ids.card}/check` },
  { name: 'theme-apply', who: 'citizen', path: () => '/apply/themes/newborn?register_here=yes&mother_insured=yes' },
  { name: 'my-applications', who: 'citizen', path: () => '/my/applications' },
  { name: 'my-application', who: 'citizen', path: () => `/my/applications/${ids.caseId}` },
  { name: 'my-messages', who: 'citizen', path: () => '/my/messages' },
  { name: 'my-account', who: 'citizen', path: () => '/my/account' },
  { name: 'my-licenses', who: 'citizen', path: () => '/my/licenses' },
  { name: 'rectifications', who: 'window01', path: () => '/ratings/rectifications' },
  { name: 'supervision', who: 'supervise01', path: () => '/supervision' },
  { name: 'supervision-cards', who: 'supervise01', path: () => '/supervision/cards' },
  { name: 'supervision-settings', who: 'supervise01', path: () => '/supervision/settings' },
  { name: 'workbench', who: 'window01', path: () => '/workbench' },
  { name: 'workbench-items', who: 'window01', path: () => '/workbench/items?view=pre_review' },
  { name: 'workbench-case', who: 'window01', path: () => `/workbench/cases/${ids.caseId}` },
  { name: 'counter-window', who: 'window01', path: () => '/counter' },
  { name: 'counter-village', who: 'agent01', path: () => '/counter' },
  { name: 'catalog-list', who: 'items01', path: () => '/admin/items' },
  { name: 'catalog-editor', who: 'items01', path: () => '/admin/items/new' },
]

/** The narrowest phones (320 px): the public and citizen pages. */
const NARROW = { width: 320, height: 640 }

const combos = [
  { label: 'desktop', viewport: DESKTOP, elder: false },
  { label: 'desktop-elder', viewport: DESKTOP, elder: true },
  { label: 'phone', viewport: PHONE, elder: false },
  { label: 'phone-elder', viewport: PHONE, elder: true },
  { label: 'narrow', viewport: NARROW, elder: false },
  { label: 'narrow-elder', viewport: NARROW, elder: true },
] as const

describe('every page passes axe at desktop and phone size, normal and 长者模式', () => {
  for (const combo of combos) {
    it(`${combo.label}`, async () => {
      const problems: AxeProblem[] = []
      const wide: string[] = []
      const small: string[] = []
      const errors: string[] = []
      for (const visit of visits) {
        if (combo.viewport === NARROW && !['anonymous', 'terminal', 'citizen'].includes(visit.who)) continue
        const state = ['anonymous', 'terminal'].includes(visit.who) ? undefined : states.get(visit.who)
        const context = await site.browser.newContext({ viewport: combo.viewport, storageState: state })
        await setElderMode(context, site.baseUrl, combo.elder)
        if (visit.who === 'terminal') {
          // a registered hall terminal: the signed cookie IT staff leave (see kiosk.test.ts)
          const value = site.app.signCookie(encodeURIComponent('区政务服务中心 1 号自助终端'))
          await context.addCookies([{ name: 'yw_kiosk', value: encodeURIComponent(value), url: site.baseUrl }])
        }
        const page = await context.newPage()
        const consoleProblems = watchConsole(page)
        const response = await page.goto(`${site.baseUrl}${visit.path()}`)
        await page.waitForLoadState('networkidle')
        const label = `${visit.name}@${combo.label}`
        if (!response || response.status() >= 400) errors.push(`${label}: HTTP ${response?.status()}`)
        // the page is the one asked for (not the login page after a lost session)
        if (!['anonymous', 'terminal'].includes(visit.who) && page.url().includes('/login')) {
          errors.push(`${label}: sent to login`)
        }
        if (visit.who === 'terminal' && !(await page.locator('html.kiosk').count()))
          errors.push(`${label}: no kiosk mode`)
        expect(
          await page
            .locator('html')
            .getAttribute('class')
            .then((c) => (c ?? '').includes('elder')),
        ).toBe(combo.elder)
        await shot(page, `a11y-${visit.name}-${combo.label}`, { axe: false })
        problems.push(...(await axeProblems(page, label)))
        if (combo.viewport.width <= PHONE.width) {
          small.push(...(await smallTargets(page, label)))
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
          if (overflow > 0) wide.push(`${label}: ${overflow}px wider than the screen`)
        }
        errors.push(...consoleProblems.map((p) => `${label}: ${p}`))
        await context.close()
      }
      expect({ errors, problems, wide, small }).toEqual({ errors: [], problems: [], wide: [], small: [] })
    }, 300_000) // some thirty pages with axe each: ~110 s on a slow day, against the suite's 120 s
  }
})
