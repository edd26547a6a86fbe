/**
 * Security headers (helmet, strict CSP), cookies, form parsing, CSRF for form posts and
 * per-address rate limiting. See SECURITY.md.
 */
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import helmet, { type HelmetOptions } from 'helmet'

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

/** The cookie holding a visitor's CSRF secret. */
export function csrfCookieName(secure: boolean): string {
  return cookieName('yw_csrf', secure)
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

/**
 * The headers helmet sets, worked out once. They do not depend on the request, and
 * @fastify/helmet rebuilt helmet (parsing the CSP directives) for every response: an eighth of
 * the CPU of a small page (docs/performance.md).
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): [string, string][] {
  const headers = new Map<string, string>()
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers.set(name, Array.isArray(value) ? value.join(', ') : String(value))
    },
    removeHeader: (name: string) => {
      headers.delete(name)
    },
  }
  let failure: unknown
  helmet(options)({} as never, recorder as never, (error?: unknown) => {
    failure = error
  })
  if (failure) throw failure
  return [...headers]
}

export async function registerSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  const headers = helmetHeaders({
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
  // On the raw response, as helmet itself does: they stay on errors and on hijacked replies.
  headers.push(['permissions-policy', 'camera=(self), microphone=(), geolocation=(), payment=()'])
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value)
    done()
  })

  await app.register(cookie, { secret: options.sessionSecret })
  await app.register(formbody, { bodyLimit: 1024 * 1024 })
  await app.register(multipart, {
    limits: { fileSize: options.uploadLimit, files: 20, fields: 200, parts: 220, fieldSize: 1024 * 1024 },
    throwFileSizeLimit: true,
  })
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: csrfCookieName(options.secureCookies),
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
    // The limit headers only on the 429 itself (with Retry-After): on every other response they
    // were ~80 bytes that no browser reads.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'FST_ERR_RATE_LIMITED',
      message: `访问过于频繁，请 ${Math.ceil(context.ttl / 1000)} 秒后再试。`,
    }),
  })
}
