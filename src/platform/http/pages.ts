/**
 * `reply.page(<SomePage …/>)` renders a server-side page with everything the shell needs
 * from the request: 长者模式, CSRF token, navigation, the logged-in person, asset URLs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { VNode } from 'preact'
import type { KioskContext, NavItem, PageContext, PageUser } from '../ui/context.js'
import { renderPage } from '../ui/render.js'
import type { AssetManifest } from './assets.js'

export const ELDER_COOKIE = 'yw_elder'

export interface PagesOptions {
  assets: AssetManifest
  siteName: string
  /** The navigation for this request (it may depend on who is logged in). */
  nav: (request: FastifyRequest) => NavItem[]
  /** The person shown in the header, when logged in. */
  user: (request: FastifyRequest) => PageUser | undefined
  /** The kiosk terminal the request comes from, if any (自助终端). */
  kiosk?: (request: FastifyRequest) => KioskContext | undefined
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page component as a full HTML document and sends it. */
    page(vnode: VNode, status?: number): FastifyReply
    /** The page context of this request (built once). */
    pageContext(): PageContext
  }
  interface FastifyRequest {
    /** true when the person chose 长者模式 (cookie, or their account preference). */
    elderMode(): boolean
  }
}

export function registerPages(app: FastifyInstance, options: PagesOptions): void {
  const contexts = new WeakMap<FastifyReply, PageContext>()

  app.decorateRequest('elderMode', function (this: FastifyRequest) {
    return this.cookies?.[ELDER_COOKIE] === '1'
  })

  app.decorateReply('pageContext', function (this: FastifyReply) {
    const cached = contexts.get(this)
    if (cached) return cached
    const request = this.request
    let csrfToken = ''
    try {
      csrfToken = this.generateCsrf()
    } catch {
      // Without a CSRF secret the page still renders; posting it will ask for a refresh.
    }
    const ctx: PageContext = {
      path: request.url.split('?')[0] ?? '/',
      elder: request.elderMode(),
      csrfToken,
      nav: options.nav(request),
      user: options.user(request),
      kiosk: options.kiosk?.(request),
      asset: options.assets.url,
      siteName: options.siteName,
    }
    contexts.set(this, ctx)
    return ctx
  })

  app.decorateReply('page', function (this: FastifyReply, vnode: VNode, status = 200) {
    const html = renderPage(this.pageContext(), vnode)
    this.header('cache-control', 'no-store')
    return this.code(status).type('text/html; charset=utf-8').send(html)
  })
}
