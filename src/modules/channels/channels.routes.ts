/**
 * Channels (issue 8): the installable web app (manifest, service worker, offline page) and the
 * hall kiosk (自助终端): its start page, registering a terminal, ending a kiosk session with its
 * data cleared, and the inactivity logout on the server side.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { appendAudit, auditActorOf } from '../../platform/audit/audit.js'
import { actorOf } from '../../platform/auth/principal.js'
import type { Deps } from '../../platform/deps.js'
import {
  clearKioskTerminal,
  KIOSK_SEEN_COOKIE_BASE,
  kioskLastSeen,
  kioskTerminal,
  markKioskSeen,
  setKioskTerminal,
  validTerminalName,
} from '../../platform/http/kiosk.js'
import { ELDER_COOKIE } from '../../platform/http/pages.js'
import { cookieName } from '../../platform/http/security.js'
import { instantRuleFor } from '../applications/index.js'
import { listPublishedSummaries } from '../catalog/index.js'
import { endPlatformSession, sessionCookieName } from '../identity/index.js'
import { KioskHomePage, KioskSetupPage, type KioskTile, OfflinePage } from './channels.pages.js'

const PUBLIC = { policy: { public: true } } as const
const SETUP = { policy: { permission: 'security.settings' } } as const
const CSRF_FIELD = Type.Optional(Type.String({ maxLength: 200 }))

/** The web app manifest: Chinese names, the platform's colours, PNG icons (and a maskable one). */
export function webManifest(asset: (name: string) => string) {
  return {
    name: '潮安区网上办事大厅',
    short_name: '潮安办事',
    description: '潮州市潮安区一体化网上政务服务平台：办事指南、网上申办、进度查询、电子证照、好差评。',
    lang: 'zh-CN',
    dir: 'ltr',
    id: '/',
    start_url: '/?source=app',
    scope: '/',
    display: 'standalone',
    orientation: 'any',
    background_color: '#ffffff',
    theme_color: '#9f1c1c',
    categories: ['government', 'utilities'],
    icons: [
      { src: asset('img/icon-192.png'), sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: asset('img/icon-512.png'), sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: asset('img/icon-maskable-512.png'), sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  }
}

export function registerChannelRoutes(app: FastifyInstance, deps: Deps): void {
  const secure = deps.config.secureCookies
  const context = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })

  // ----- installable web app -------------------------------------------------------------------

  app.get('/manifest.webmanifest', { schema: { hide: true }, config: PUBLIC }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=3600')
    reply.type('application/manifest+json; charset=utf-8')
    return reply.send(JSON.stringify(webManifest(deps.assets.url)))
  })

  // The service worker must be served from the root to control the whole site. It is public/js/sw.js
  // with the URLs it may keep offline written in front: the offline page and hashed static assets.
  app.get('/sw.js', { schema: { hide: true }, config: PUBLIC }, async (_request, reply) => {
    const source = deps.assets.find(deps.assets.url('js/sw.js'))
    if (!source) return reply.callNotFound()
    const precache = [
      '/offline',
      deps.assets.url('css/site.css'),
      deps.assets.url('js/site.js'),
      deps.assets.url('img/emblem.svg'),
      deps.assets.url('img/icon-192.png'),
    ]
    const version = source.etag.replace(/"/g, '')
    reply.header('cache-control', 'no-cache')
    reply.header('service-worker-allowed', '/')
    reply.type('text/javascript; charset=utf-8')
    return reply.send(
      `const CACHE = 'yiwang-${version}-${deps.assets.url('css/site.css').split('.').at(-2)}'\nconst PRECACHE = ${JSON.stringify(precache)}\n${source.body.toString('utf8')}`,
    )
  })

  app.get('/offline', { schema: { hide: true }, config: PUBLIC }, async (_request, reply) => reply.page(OfflinePage()))

  // ----- kiosk -----------------------------------------------------------------------------------

  async function kioskTiles(loggedIn: boolean): Promise<{ instant: KioskTile[]; others: KioskTile[] }> {
    const items = await listPublishedSummaries(deps.db)
    const viaLogin = (href: string) => (loggedIn ? href : `/login?next=${encodeURIComponent(href)}`)
    const instant = items
      .filter((i) => i.forPersons && i.onlineDepth >= 3 && instantRuleFor(i) !== undefined)
      .map((i) => ({
        href: viaLogin(`/apply/${i.itemId}`),
        title: i.taskName,
        text: `${i.department.shortName} · 材料齐全当场办结`,
      }))
    const others: KioskTile[] = [
      { href: '/progress', title: '查询办件进度', text: '输入办件编号和姓名或手机号码' },
      { href: viaLogin('/my/applications'), title: '我的办件', text: '查看进度、打印受理通知书和决定书' },
      { href: '/services', title: '办事指南', text: '按部门、主题查找事项，打印办事指南' },
      { href: '/themes', title: '一件事 一次办', text: '新生儿出生、开办餐饮店等' },
    ]
    return { instant, others }
  }

  app.get(
    '/kiosk',
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          ended: Type.Optional(Type.Union([Type.Literal('idle'), Type.Literal('done')])),
          registered: Type.Optional(Type.Literal('1')),
        }),
      },
      config: PUBLIC,
    },
    async (request, reply) => {
      const { ended, registered } = request.query as { ended?: 'idle' | 'done'; registered?: '1' }
      const loggedIn = Boolean(request.principal?.personId && !request.principal.staffId)
      return reply.page(
        KioskHomePage({
          terminal: kioskTerminal(request, secure),
          ...(await kioskTiles(loggedIn)),
          loggedIn,
          ended,
          registered: registered === '1',
        }),
      )
    },
  )

  /**
   * Ends the kiosk session: the platform session ends on the server, the session and 长者模式
   * cookies go, and the browser is told to clear its storage and caches (Clear-Site-Data; site.js
   * clears localStorage and sessionStorage too). The terminal's own registration stays.
   */
  app.post(
    '/kiosk/end',
    {
      schema: {
        hide: true,
        body: Type.Object({ _csrf: CSRF_FIELD, reason: Type.Optional(Type.Literal('idle')) }),
      },
      config: PUBLIC,
    },
    async (request, reply) => {
      const { reason } = (request.body ?? {}) as { reason?: 'idle' }
      await endKioskSession(request, reply)
      const ended = reason === 'idle' ? 'idle' : 'done'
      if (String(request.headers.accept ?? '').includes('application/json')) return reply.send({ ended })
      return reply.redirect(`/kiosk?ended=${ended}`, 303)
    },
  )

  // The kiosk page pings this while someone is using it, so the server knows they are still there.
  app.post(
    '/kiosk/alive',
    {
      schema: { hide: true, body: Type.Optional(Type.Object({})) },
      config: PUBLIC,
    },
    async (request, reply) => reply.send({ kiosk: Boolean(kioskTerminal(request, secure)) }),
  )

  async function endKioskSession(request: FastifyRequest, reply: FastifyReply) {
    if (request.principal) await endPlatformSession(deps, request.principal, context(request))
    request.principal = undefined
    reply.clearCookie(sessionCookieName(secure), { path: '/' })
    reply.clearCookie(ELDER_COOKIE, { path: '/' })
    reply.clearCookie(cookieName(KIOSK_SEEN_COOKIE_BASE, secure), { path: '/' })
    reply.header('clear-site-data', '"cache", "storage"')
  }

  app.get('/kiosk/setup', { schema: { hide: true }, config: SETUP }, async (request, reply) =>
    reply.page(KioskSetupPage({ current: kioskTerminal(request, secure) })),
  )

  app.post(
    '/kiosk/setup',
    {
      schema: { hide: true, body: Type.Object({ _csrf: CSRF_FIELD, terminal: Type.String({ maxLength: 200 }) }) },
      config: SETUP,
    },
    async (request, reply) => {
      const name = (request.body as { terminal: string }).terminal.trim()
      if (!validTerminalName(name)) {
        return reply.page(
          KioskSetupPage({
            current: kioskTerminal(request, secure),
            name,
            errors: [
              {
                field: 'terminal',
                message: '终端名称请用 1 到 40 个汉字、字母、数字或空格、括号、横线',
              },
            ],
          }),
          422,
        )
      }
      const principal = request.principal!
      await deps.db.transaction().execute(async (trx) => {
        await appendAudit(trx, {
          at: deps.clock.now(),
          actor: auditActorOf(actorOf(principal)),
          action: 'kiosk.register',
          object: { type: 'kiosk_terminal', id: name },
          sourceIp: request.ip,
          requestId: request.id,
        })
      })
      setKioskTerminal(reply, name, secure)
      // The person who set it up is logged out: the terminal must not keep a staff session.
      await endKioskSession(request, reply)
      return reply.redirect('/kiosk?registered=1', 303)
    },
  )

  app.post(
    '/kiosk/setup/remove',
    { schema: { hide: true, body: Type.Object({ _csrf: CSRF_FIELD }) }, config: SETUP },
    async (request, reply) => {
      const current = kioskTerminal(request, secure)
      if (current) {
        await deps.db.transaction().execute(async (trx) => {
          await appendAudit(trx, {
            at: deps.clock.now(),
            actor: auditActorOf(actorOf(request.principal)),
            action: 'kiosk.unregister',
            object: { type: 'kiosk_terminal', id: current },
            sourceIp: request.ip,
            requestId: request.id,
          })
        })
      }
      clearKioskTerminal(reply, secure)
      return reply.redirect('/kiosk/setup', 303)
    },
  )
}

/** Requests that are not someone using the kiosk (static files, the worker, health checks). */
const PASSIVE = /^\/(assets\/|sw\.js|manifest\.webmanifest|healthz|readyz|favicon)/

/**
 * The server's half of the kiosk inactivity logout (the page's countdown is the other): on a
 * registered terminal, a request that comes longer than KIOSK_IDLE_SECONDS after the previous one
 * finds the session ended — even when the page's script never ran (closed tab, script blocked).
 */
export function kioskInactivityGuard(deps: Deps) {
  const secure = deps.config.secureCookies
  const graceMs = 5_000
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (PASSIVE.test(request.url)) return
    if (!kioskTerminal(request, secure)) return
    const now = deps.clock.now().getTime()
    const seen = kioskLastSeen(request, secure)
    const idleMs = deps.config.kioskIdleSeconds * 1000
    if (request.principal && seen !== undefined && now - seen > idleMs + graceMs) {
      await endPlatformSession(deps, request.principal, { ip: request.ip, requestId: request.id })
      request.principal = undefined
      reply.clearCookie(sessionCookieName(secure), { path: '/' })
      reply.clearCookie(ELDER_COOKIE, { path: '/' })
      reply.header('clear-site-data', '"cache", "storage"')
      markKioskSeen(reply, now, secure)
      // whatever was asked (a page, a post), the start page says why the session ended
      return reply.redirect('/kiosk?ended=idle', 303)
    }
    markKioskSeen(reply, now, secure)
  }
}
