import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp, testPrincipal } from '../../../test/helpers.js'

let t: TestApp
let who: 'nobody' | 'citizen' = 'nobody'

beforeAll(async () => {
  t = await buildTestApp({
    env: { KIOSK_IDLE_SECONDS: '6' },
    principal: () => (who === 'citizen' ? testPrincipal({ personId: 'p1', displayName: '陈晓燕' }) : undefined),
  })
})
afterAll(async () => {
  await t?.close()
})

const terminalCookie = (name: string) => `yw_kiosk=${encodeURIComponent(t.app.signCookie(encodeURIComponent(name)))}`

describe('kiosk terminals', () => {
  it('only a browser with the signed terminal cookie is in kiosk mode', async () => {
    const preview = await t.app.inject({ url: '/kiosk' })
    expect(preview.statusCode).toBe(200)
    expect(preview.body).toContain('本页仅供预览')
    expect(preview.body).not.toContain('data-kiosk-idle-ms')

    const forged = await t.app.inject({ url: '/kiosk', headers: { cookie: 'yw_kiosk=%E5%A4%A7%E5%8E%85.forged' } })
    expect(forged.body).not.toContain('data-kiosk-idle-ms')

    const real = await t.app.inject({ url: '/kiosk', headers: { cookie: terminalCookie('大厅 1 号自助终端') } })
    expect(real.body).toContain('data-kiosk-idle-ms="6000"')
    expect(real.body).toContain('data-kiosk-warn-ms="3000"')
    expect(real.body).toMatch(/<html lang="zh-CN" class="kiosk">/)
    expect(real.body).toContain('（大厅 1 号自助终端）')
    expect(real.body).not.toContain('本页仅供预览')
  })

  it('registering a terminal needs the security administrator', async () => {
    who = 'citizen'
    try {
      const page = await t.app.inject({ url: '/kiosk/setup' })
      expect(page.statusCode).toBe(403)
    } finally {
      who = 'nobody'
    }
    const anonymous = await t.app.inject({ url: '/kiosk/setup' })
    expect([302, 303, 401]).toContain(anonymous.statusCode)
  })

  it('serves the manifest, the worker from the root and the offline page', async () => {
    const manifest = await t.app.inject({ url: '/manifest.webmanifest' })
    expect(manifest.headers['content-type']).toContain('application/manifest+json')
    expect(manifest.json()).toMatchObject({ name: '潮安区网上办事大厅', lang: 'zh-CN' })
    const sw = await t.app.inject({ url: '/sw.js' })
    expect(sw.headers['service-worker-allowed']).toBe('/')
    expect(sw.body).toMatch(/^const CACHE = 'yiwang-/)
    expect(sw.body).toContain('"/offline"')
    const offline = await t.app.inject({ url: '/offline' })
    expect(offline.body).toContain('网络未连接')
  })
})
