/**
 * Shared set-up for browser journeys: the real app on a local port (SQLite file or the
 * PostgreSQL of DATABASE_URL), seeded with the demo data, and Debian's chromium.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import axe from 'axe-core'
import type { FastifyInstance } from 'fastify'
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core'
import { buildApp } from '../../src/app.js'
import { createDeps, createModules } from '../../src/composition.js'
import { totpCode } from '../../src/modules/identity/identity.factors.js'
import { DEMO_PASSWORD } from '../../src/modules/identity/identity.seed-data.js'
import { migrateToLatest } from '../../src/platform/db/migrate.js'
import type { Deps } from '../../src/platform/deps.js'
import { runSeed } from '../../src/seed.js'
import { createTestDatabase, testConfig } from '../helpers.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const SCREENSHOTS = path.resolve('test-results/screenshots')

export interface Site {
  app: FastifyInstance
  deps: Deps
  baseUrl: string
  browser: Browser
  dataDir: string
  close(): Promise<void>
}

/** env: extra configuration variables (e.g. a short KIOSK_IDLE_SECONDS for a test). */
export async function startSite(env: Record<string, string> = {}): Promise<Site> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-e2e-'))
  const database = process.env.DATABASE_URL ? await createTestDatabase() : undefined
  const dbConfig = database?.config ?? { dialect: 'sqlite' as const, file: path.join(dataDir, 'e2e.sqlite') }
  const config = { ...testConfig(dbConfig, { DATA_DIR: dataDir, ...env }), port: 0 }
  const deps = createDeps(config, database ? { db: database.db } : {})
  if (!database) await migrateToLatest(deps.db)
  const modules = createModules(deps)
  await runSeed(modules, { print: false })
  const app = await buildApp(deps, modules)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  fs.mkdirSync(SCREENSHOTS, { recursive: true })
  return {
    app,
    deps,
    baseUrl: address,
    browser,
    dataDir,
    close: async () => {
      await browser.close()
      await app.close()
      if (database) await database.drop()
      else await deps.db.destroy()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Collects console errors and failed requests of a page, so a journey can assert there were none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`)
  })
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
  page.on('requestfailed', (req) => {
    const error = req.failure()?.errorText ?? ''
    // A request cut short because the page moved on (e.g. the kiosk's idle logout navigating while an
    // image loads, or a download) is not a fault; refused connections, DNS and CSP blocks are.
    if (error === 'net::ERR_ABORTED') return
    problems.push(`requestfailed: ${req.url()} ${error}`)
  })
  return problems
}

/**
 * Saves a full-page screenshot of a journey step (the CI artefact), checks that nothing on the page
 * needs horizontal scrolling, and runs axe-core on the page: every page a journey visits must have
 * no serious or critical violation (issue 8). The a11y suite, which collects violations itself,
 * passes `{ axe: false }`; so do steps with JavaScript turned off (axe needs it).
 */
export async function shot(page: Page, name: string, options: { axe?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
  const contentType = await page.evaluate(() => document.contentType)
  if (contentType !== 'text/html') return
  await expectNoHorizontalScroll(page, name)
  if (options.axe === false) return
  const problems = await axeProblems(page, name)
  if (problems.length > 0) {
    throw new Error(`axe: serious or critical violations on ${name}:\n${JSON.stringify(problems, null, 2)}`)
  }
}

/**
 * Fails when the page is wider than the screen (it would need horizontal scrolling), naming the
 * outermost elements that stick out.
 *
 * `document.documentElement.scrollWidth <= window.innerWidth` alone cannot fail on an emulated phone:
 * with `isMobile` chromium zooms a too-wide page out and widens `innerWidth` to the content (a 600 px
 * box on a 375 px screen gives innerWidth 608). So the width the page must fit is the smaller of
 * `innerWidth` and the layout viewport, `documentElement.clientWidth`.
 */
export async function expectNoHorizontalScroll(page: Page, label: string): Promise<void> {
  const found = await page.evaluate(() => {
    const root = document.documentElement
    const width = Math.min(window.innerWidth, root.clientWidth)
    if (root.scrollWidth <= width) return null
    const wide: string[] = []
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      const rect = el.getBoundingClientRect()
      if (rect.right <= width + 0.5 || rect.width === 0) continue
      // only the outermost element that sticks out: its children stick out because of it
      if (el.parentElement && el.parentElement.getBoundingClientRect().right > width + 0.5) continue
      wide.push(`${el.tagName.toLowerCase()}.${el.className} (right edge ${Math.round(rect.right)} px)`)
      if (wide.length === 5) break
    }
    return `scrollWidth ${root.scrollWidth} > ${width} px; ${wide.join('; ')}`
  })
  if (found) throw new Error(`${label}: the page needs horizontal scrolling: ${found}`)
}

export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 375, height: 667 }

/**
 * The sizes every browser journey runs at (issue 8: every channel and every person): a desktop, and
 * a phone of iPhone SE size — 375×667 CSS px at twice the pixels, touch screen, mobile viewport
 * (so `@media (pointer: coarse)` and `(hover: none)` hold and the photo materials offer the camera).
 * A journey loops over these (`describe.each(VIEWPORTS)`); its screenshot names end in `name`.
 * The header's navigation wraps onto more lines on a phone rather than hiding behind a menu
 * button, so a phone run follows the same links.
 */
export interface Viewport {
  name: 'desktop' | 'phone'
  /** true on the phone: a journey taps where a phone user would. */
  touch: boolean
  options: BrowserContextOptions
}
export const DESKTOP_VIEWPORT: Viewport = { name: 'desktop', touch: false, options: { viewport: DESKTOP } }
export const PHONE_VIEWPORT: Viewport = {
  name: 'phone',
  touch: true,
  options: { viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
}
export const VIEWPORTS: readonly Viewport[] = [DESKTOP_VIEWPORT, PHONE_VIEWPORT]

/** A new browser context (a person's browser) at the size of `viewport`, with further options. */
export function contextAt(
  browser: Browser,
  viewport: Viewport,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  return browser.newContext({ ...viewport.options, ...options })
}

/** A resident logs in with ID number (or mobile) and password; the page ends on /my/account. */
export async function loginCitizen(page: Page, baseUrl: string, account: string): Promise<void> {
  await page.goto(`${baseUrl}/login`)
  await page.getByLabel('账号').fill(account)
  await page.getByLabel('密码').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(`${baseUrl}/my/account`)
  await page.waitForLoadState('networkidle')
}

/** A member of staff logs in for the first time: password, then enrols the authenticator (TOTP). */
export async function loginStaffFirstTime(page: Page, baseUrl: string, account: string): Promise<void> {
  await page.goto(`${baseUrl}/login`)
  await page.getByLabel('账号').fill(account)
  await page.getByLabel('密码').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(`${baseUrl}/login/totp-setup`)
  const secret = (await page.locator('.secret').textContent())?.trim() ?? ''
  await page.getByLabel('验证器上显示的 6 位数字').fill(totpCode(secret, new Date()))
  await page.getByRole('button', { name: '完成绑定' }).click()
  await page.getByRole('link', { name: '我已保存，继续' }).click()
  await page.waitForURL(`${baseUrl}/my/account`)
  await page.waitForLoadState('networkidle')
}

/** A context in 长者模式 (the cookie the header's toggle sets) or not. */
export async function setElderMode(context: BrowserContext, baseUrl: string, on: boolean): Promise<void> {
  await context.addCookies([{ name: 'yw_elder', value: on ? '1' : '0', url: baseUrl }])
}

export interface AxeProblem {
  page: string
  rule: string
  impact: string
  help: string
  targets: string[]
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page and returns its serious and critical
 * violations. axe's source is evaluated through the DevTools protocol, which the strict CSP
 * (no inline scripts) does not apply to.
 */
export async function axeProblems(page: Page, label: string): Promise<AxeProblem[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object')
  if (!loaded) await page.evaluate(axe.source)
  const results = await page.evaluate(async () => {
    const runner = (window as unknown as { axe: typeof axe }).axe
    const out = await runner.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    })
    if (out.passes.length === 0) throw new Error('axe did not run')
    return out.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`.slice(0, 300)),
    }))
  })
  return results.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ page: label, ...v }))
}

/**
 * Controls smaller than 44×44 CSS pixels (WCAG 2.5.5 target size, as the plan asks for phones):
 * buttons, fields, navigation and pagination links; a checkbox or radio counts with its label.
 * Links inside running text are exempt (2.5.5's inline exception).
 */
export async function smallTargets(page: Page, label: string): Promise<string[]> {
  const found = await page.evaluate(() => {
    const selector = [
      'button',
      '.button',
      'select',
      'textarea',
      'input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])',
      'input[type=checkbox]',
      'input[type=radio]',
      'nav a',
      '.pagination a',
      '.tile__link',
    ].join(',')
    const out: string[] = []
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      const style = getComputedStyle(el)
      if (style.visibility === 'hidden' || style.display === 'none') continue
      if (el.closest('.visually-hidden, .skip-link, [hidden]')) continue
      let rect = el.getBoundingClientRect()
      if (rect.width === 0 && rect.height === 0) continue
      const input = el as HTMLInputElement
      if (input.type === 'checkbox' || input.type === 'radio') {
        const lab = input.labels?.[0]
        if (lab) {
          const l = lab.getBoundingClientRect()
          const top = Math.min(rect.top, l.top)
          const bottom = Math.max(rect.bottom, l.bottom)
          const left = Math.min(rect.left, l.left)
          const right = Math.max(rect.right, l.right)
          rect = new DOMRect(left, top, right - left, bottom - top)
        }
      }
      if (rect.height < 43.5 || rect.width < 43.5) {
        const name = (el.getAttribute('name') ?? el.textContent ?? '').trim().slice(0, 30)
        out.push(
          `${el.tagName.toLowerCase()}.${el.className} «${name}» ${Math.round(rect.width)}×${Math.round(rect.height)}`,
        )
      }
    }
    return out
  })
  return found.map((f) => `${label}: ${f}`)
}
