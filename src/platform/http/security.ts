/**
 * Security headers (helmet, strict CSP), cookies, form parsing, CSRF for form posts and
 * per-address rate limiting. See SECURITY.md.
 */
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import helmet from '@fastify/helmet'
import multipart from '@fastify/multipart'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'

export interface SecurityOptions {
  secureCookies: boolean
  sessionSecret: string
  rateLimitPerMinute: number
  uploadLimit: number
}

/** Cookie names get the __Host- prefix behind TLS (bound to this host, path /, Secure). */
export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Form posts can be sent cross-site by any page, so they carry a token; JSON cannot without CORS. */
export function needsCsrfCheck(request: FastifyRequest): boolean {
  if (!unsafeMethods.has(request.method)) return false
  if (request.routeOptions.config?.csrf === false) return false
  if (/^Bearer /i.test(String(request.headers.authorization ?? ''))) return false
  const type = String(request.headers['content-type'] ?? '').toLowerCase()
  return !type.startsWith('application/json')
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false for routes that authenticate by other means (OIDC token endpoint, bearer APIs). */
    csrf?: boolean
  }
}

export async function registerSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: options.secureCookies ? [] : null,
      },
    },
    strictTransportSecurity: options.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
  })
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('permissions-policy', 'camera=(self), microphone=(), geolocation=(), payment=()')
    return payload
  })

  await app.register(cookie, { secret: options.sessionSecret })
  await app.register(formbody, { bodyLimit: 1024 * 1024 })
  await app.register(multipart, {
    limits: { fileSize: options.uploadLimit, files: 20, fields: 200, parts: 220, fieldSize: 1024 * 1024 },
    throwFileSizeLimit: true,
  })
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: cookieName('yw_csrf', options.secureCookies),
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: options.secureCookies, signed: false },
    getToken: (req: FastifyRequest) => {
      const body = req.body as Record<string, unknown> | undefined
      const query = req.query as Record<string, unknown> | undefined
      const fromBody = typeof body?._csrf === 'string' ? body._csrf : undefined
      // Multipart forms are streamed, so their token travels in the query string.
      const fromQuery = typeof query?._csrf === 'string' ? query._csrf : undefined
      const header = req.headers['x-csrf-token']
      return fromBody ?? fromQuery ?? (typeof header === 'string' ? header : '')
    },
  })
  app.addHook('preValidation', (request, reply, done) => {
    if (!needsCsrfCheck(request)) return done()
    app.csrfProtection(request, reply, done)
  })

  await app.register(rateLimit, {
    global: true,
    max: options.rateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz',
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'FST_ERR_RATE_LIMITED',
      message: `访问过于频繁，请 ${Math.ceil(context.ttl / 1000)} 秒后再试。`,
    }),
  })
}
