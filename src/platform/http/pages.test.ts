import { randomBytes } from 'node:crypto'
import Fastify from 'fastify'
import { h } from 'preact'
import { afterAll, describe, expect, it } from 'vitest'
import { Form } from '../ui/form.js'
import type { AssetManifest } from './assets.js'
import { registerPages } from './pages.js'

// A page of ~6 KB that does not compress (so the cache's size grows by about that much a page).
const page = (text: string) => async () => ({
  vnode: h('main', null, h('p', null, text, randomBytes(4500).toString('base64'))),
})

/** An app with pages and an anonymous page cache of `cacheBytes`. */
function pagesApp(cacheBytes: number) {
  const app = Fastify()
  registerPages(app, {
    assets: { url: (name: string) => `/assets/${name}` } as unknown as AssetManifest,
    siteName: '测试',
    nav: () => [],
    user: () => undefined,
    cacheBytes,
  })
  return app
}

const app = pagesApp(30_000)
afterAll(() => app.close())

const withForm = () => h('main', null, h(Form, { action: '/x' }, h('button', null, '发送')))

describe('rendering pages ahead into the anonymous page cache', () => {
  it('renders a page once per version, and keeps it fresh until its version changes', async () => {
    let renders = 0
    const counted = async () => {
      renders++
      return page('一')()
    }
    expect(await app.keepPublicPage('/a', 'k', 'v1', counted, 1000)).toBe('rendered')
    expect(app.keptPublicPage('/a', 'k', 'v1')).toBe(true)
    expect(await app.keepPublicPage('/a', 'k', 'v1', counted, 1000)).toBe('fresh')
    expect(renders).toBe(1)
    expect(app.keptPublicPage('/a', 'k', 'v2')).toBe(false)
    expect(await app.keepPublicPage('/a', 'k', 'v2', counted, 1000)).toBe('rendered')
    expect(renders).toBe(2)
    // Asked to stay fresh longer than a page lives: rendered anew.
    expect(await app.keepPublicPage('/a', 'k', 'v2', counted, 24 * 3600_000)).toBe('rendered')
    expect(renders).toBe(3)
  })

  it('stops at 80% of the cache bound instead of pushing out pages people visit', async () => {
    const answers: string[] = []
    for (let i = 0; i < 8; i++) answers.push(await app.keepPublicPage(`/p${i}`, 'k', 'v1', page(`第${i}页`), 1000))
    expect(answers).toContain('full')
    const kept = answers.filter((a) => a === 'rendered').length
    expect(kept).toBeGreaterThan(0)
    expect(answers.slice(answers.indexOf('full')).every((a) => a === 'full')).toBe(true)
    // What was kept before it stopped is all still there.
    expect(app.keptPublicPage('/a', 'k', 'v2')).toBe(true)
    for (let i = 0; i < kept; i++) expect(app.keptPublicPage(`/p${i}`, 'k', 'v1')).toBe(true)
  })
})

describe('a public page that carries a visitor’s own CSRF token', () => {
  it('is never kept: rendered for each request', async () => {
    const formApp = pagesApp(1_000_000)
    let renders = 0
    const counted = async () => {
      renders++
      return { vnode: withForm() }
    }
    formApp.get('/form', (_request, reply) => reply.publicPage('k', 'v1', counted))
    try {
      expect(await formApp.keepPublicPage('/form', 'k', 'v1', counted, 1000)).toBe('personal')
      expect(formApp.keptPublicPage('/form', 'k', 'v1')).toBe(false)
      expect(renders).toBe(1)
      const first = await formApp.inject({ method: 'GET', url: '/form' })
      const second = await formApp.inject({ method: 'GET', url: '/form' })
      expect(renders).toBe(3)
      for (const res of [first, second]) {
        expect(res.headers['cache-control']).toBe('no-store')
        expect(res.headers.etag).toBeUndefined()
        expect(res.body).toContain('<form action="/x" method="post"')
        expect(res.body).not.toContain('ywcsrf')
      }
      // A page without such a form is kept.
      expect(await formApp.keepPublicPage('/plain', 'k', 'v1', page('二'), 1000)).toBe('rendered')
    } finally {
      await formApp.close()
    }
  })
})
