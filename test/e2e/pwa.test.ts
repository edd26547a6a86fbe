/**
 * The installable web app in chromium: the manifest (Chinese names, PNG icons 192/512 and a
 * maskable one), the service worker under a CSP that allows it, the offline page when the network
 * is gone — and no personal page kept on the device.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loginCitizen, PHONE, type Site, shot, startSite } from './browser.js'

let site: Site
beforeAll(async () => {
  site = await startSite()
})
afterAll(async () => {
  await site?.close()
})

describe('the web app, in chromium', () => {
  it('manifest and icons', async () => {
    const response = await fetch(`${site.baseUrl}/manifest.webmanifest`)
    expect(response.headers.get('content-type')).toContain('application/manifest+json')
    const manifest = (await response.json()) as {
      name: string
      short_name: string
      lang: string
      start_url: string
      display: string
      icons: { src: string; sizes: string; type: string; purpose: string }[]
    }
    expect(manifest).toMatchObject({
      name: '潮安区网上办事大厅',
      short_name: '潮安办事',
      lang: 'zh-CN',
      display: 'standalone',
    })
    expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual([
      '192x192 any',
      '512x512 any',
      '512x512 maskable',
    ])
    for (const icon of manifest.icons) {
      const png = Buffer.from(await (await fetch(`${site.baseUrl}${icon.src}`)).arrayBuffer())
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
      const size = `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`
      expect(size).toBe(icon.sizes)
    }
    const home = await fetch(`${site.baseUrl}/`)
    expect(home.headers.get('content-security-policy')).toContain("worker-src 'self'")
    expect(await home.text()).toContain('<link rel="manifest" href="/manifest.webmanifest"/>')
  })

  it('offline: the offline page for any page, personal pages never stored', async () => {
    const context = await site.browser.newContext({ viewport: PHONE })
    const page = await context.newPage()
    await loginCitizen(page, site.baseUrl, '445103198503120029')
    await page.goto(`${site.baseUrl}/my/applications`)
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    // the worker controls the page after a reload
    await page.reload()
    expect(await page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true)
    await context.setOffline(true)
    await page.goto(`${site.baseUrl}/services`)
    await expect(page.locator('h1').textContent()).resolves.toBe('网络未连接')
    await shot(page, 'pwa-offline')
    await page.goto(`${site.baseUrl}/my/applications`)
    await expect(page.locator('h1').textContent()).resolves.toBe('网络未连接')
    // what the worker keeps: the offline page and static files, nobody's name
    const stored = await page.evaluate(async () => {
      const out: { url: string; text: string }[] = []
      for (const key of await caches.keys()) {
        const cache = await caches.open(key)
        for (const request of await cache.keys()) {
          const response = await cache.match(request)
          out.push({ url: new URL(request.url).pathname, text: response ? await response.text() : '' })
        }
      }
      return out
    })
    expect(stored.map((s) => s.url)).toContain('/offline')
    expect(stored.filter((s) => s.url.startsWith('/my/'))).toEqual([])
    for (const s of stored) expect(s.text).not.toContain('陈晓燕')
    await context.setOffline(false)
    await context.close()
  })
})
