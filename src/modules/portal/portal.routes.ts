import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Deps } from '../../platform/deps.js'
import { ELDER_COOKIE } from '../../platform/http/pages.js'
import { safeLocalPath } from '../../platform/http/redirects.js'
import { homeCatalog } from '../catalog/index.js'
import { AccessibilityPage, ElderModePage, HomePage, PrivacyPage } from './portal.pages.js'

const ElderModeBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  on: Type.Union([Type.Literal('0'), Type.Literal('1')]),
  return: Type.Optional(Type.String({ maxLength: 2000 })),
})

const ElderModeQuery = Type.Object({
  on: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')])),
  return: Type.Optional(Type.String({ maxLength: 2000 })),
})

export function registerPortalRoutes(app: FastifyInstance, deps: Deps): void {
  const { secureCookies } = deps.config
  app.get('/', { schema: { hide: true }, config: { policy: { public: true } } }, async (_request, reply) =>
    reply.page(HomePage({ catalog: await homeCatalog(deps.db) })),
  )
  app.get('/accessibility', { schema: { hide: true }, config: { policy: { public: true } } }, async (_request, reply) =>
    reply.page(AccessibilityPage()),
  )
  app.get('/privacy', { schema: { hide: true }, config: { policy: { public: true } } }, async (_request, reply) =>
    reply.page(PrivacyPage()),
  )

  // An anonymous page's 长者模式 switch asks here by GET: it confirms the choice and posts it.
  app.get(
    '/preferences/elder-mode',
    {
      schema: { hide: true, querystring: ElderModeQuery },
      config: { policy: { public: true } },
    },
    async (request, reply) => {
      const query = request.query as { on?: '0' | '1'; return?: string }
      return reply.page(ElderModePage({ on: query.on !== '0', returnTo: safeLocalPath(query.return) }))
    },
  )

  // 长者模式 persists in a cookie for a year, so it survives closing the browser (and works
  // before logging in). Without JavaScript a form posts here (with its CSRF token); with it,
  // site.js posts the same as JSON.
  app.post(
    '/preferences/elder-mode',
    {
      schema: {
        tags: ['platform'],
        summary: '切换长者模式',
        body: ElderModeBody,
      },
      config: { policy: { public: true } },
    },
    async (request, reply) => {
      const body = request.body as { on: '0' | '1'; return?: string }
      reply.setCookie(ELDER_COOKIE, body.on, {
        path: '/',
        maxAge: 365 * 24 * 3600,
        sameSite: 'lax',
        secure: secureCookies,
        httpOnly: false,
      })
      if (String(request.headers.accept ?? '').includes('application/json')) {
        return reply.send({ elder: body.on === '1' })
      }
      return reply.redirect(safeLocalPath(body.return), 303)
    },
  )
}
