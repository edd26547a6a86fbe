/**
 * Builds the Fastify application from its dependencies and modules, without listening,
 * so tests can `inject()` into it and main.ts can serve it.
 */
import { randomUUID } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { PolicyRegistry, registerPolicies } from './platform/auth/policy.js'
import type { Deps } from './platform/deps.js'
import { registerAssets } from './platform/http/assets.js'
import { registerErrorHandling } from './platform/http/error-handler.js'
import { registerHealth } from './platform/http/health.js'
import { kioskContext } from './platform/http/kiosk.js'
import { DOCS_PREFIX, registerOpenApi } from './platform/http/openapi.js'
import { registerPages } from './platform/http/pages.js'
import { registerSecurity } from './platform/http/security.js'
import type { AppModule } from './platform/module.js'
import { ErrorPage } from './platform/ui/error-page.js'
import { renderPage } from './platform/ui/render.js'

export const SITE_NAME = '潮安区网上办事大厅'
export const VERSION = '0.1.0'

declare module 'fastify' {
  interface FastifyInstance {
    policyRegistry: PolicyRegistry
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/

export async function buildApp(deps: Deps, modules: AppModule[]): Promise<FastifyInstance> {
  const { config } = deps
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers.cookie',
                'res.headers["set-cookie"]',
                '*.password',
                '*.idNumber',
                '*.mobile',
              ],
              censor: '[已隐藏]',
            },
            serializers: {
              // The query string may hold personal data (ID numbers, phones): log the path only.
              req: (req: FastifyRequest) => ({ method: req.method, url: req.url.split('?')[0], id: req.id }),
            },
          },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: true, useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })
  // Only JSON and forms are accepted: a text/plain body is how cross-site posts slip past CORS.
  app.removeContentTypeParser('text/plain')

  const registry = new PolicyRegistry()
  app.decorate('policyRegistry', registry)
  registerPolicies(app, registry, [DOCS_PREFIX])

  await registerSecurity(app, {
    secureCookies: config.secureCookies,
    sessionSecret: config.sessionSecret,
    rateLimitPerMinute: config.rateLimitPerMinute,
    uploadLimit: config.uploadLimit,
  })

  const identity = modules.find((m) => m.resolvePrincipal)
  if (identity?.resolvePrincipal) {
    const resolve = identity.resolvePrincipal.bind(identity)
    app.addHook('onRequest', async (request) => {
      request.principal = await resolve(request)
    })
  }

  const navEntries = modules.flatMap((m) => m.nav ?? []).sort((a, b) => a.order - b.order)
  registerPages(app, {
    assets: deps.assets,
    siteName: SITE_NAME,
    nav: (request) =>
      navEntries.filter((e) => !e.visible || e.visible(request.principal)).map(({ href, label }) => ({ href, label })),
    user: (request) =>
      request.principal
        ? {
            displayName: request.principal.displayName,
            isStaff: Boolean(request.principal.staffId),
            actingAs: request.principal.enterpriseName ? `代表 ${request.principal.enterpriseName}` : undefined,
            idleTimeoutMs: request.principal.sessionIdleMs,
          }
        : undefined,
    kiosk: (request) => kioskContext(request, config.secureCookies, config.kioskIdleSeconds),
    cacheBytes: config.pageCacheMb * 1024 * 1024,
  })
  // Hooks a module asks to run on every request (after the principal is known), e.g. the kiosk's
  // inactivity logout.
  for (const module of modules) {
    if (module.onRequest) app.addHook('onRequest', module.onRequest.bind(module))
  }

  registerErrorHandling(app, {
    renderErrorPage: (request, reply, answer) =>
      renderPage(
        reply.pageContext(),
        ErrorPage({ status: answer.status, message: answer.message, details: answer.details, requestId: request.id }),
      ),
  })

  await registerOpenApi(app, config.baseUrl, VERSION)
  registerAssets(app, deps.assets)
  registerHealth(app, deps.db)

  for (const module of modules) {
    await app.register(async (scope) => module.register(scope), { name: module.name } as never)
  }

  await app.ready()
  return app
}
