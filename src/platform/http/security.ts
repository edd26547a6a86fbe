/**
 * Security headers (helmet, strict CSP), cookies, form parsing, CSRF for form posts and
 * per-address rate limiting. See SECURITY.md.
 */
import { randomFillSync } from 'node:crypto'
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
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

/** Bytes of a CSRF secret: as @fastify/csrf makes them (its `secretLength`). */
const CSRF_SECRET_BYTES = 18
const pool = Buffer.alloc(CSRF_SECRET_BYTES * 256)
let poolUsed = pool.length

/**
 * A new visitor's CSRF secret (base64url, 24 characters). The same random generator as
 * `randomBytes(18)`, drawn from a pool filled 4.6 KB at a time (as node's randomUUID does): each
 * call of the generator has a fixed cost of ~2 µs, and every first-time anonymous visitor needs a
 * secret for the 长者模式 form of the page they land on (docs/performance.md, finding 18). Bytes
 * handed out are never handed out again.
 */
export function newCsrfSecret(): string {
  if (poolUsed + CSRF_SECRET_BYTES > pool.length) {
    randomFillSync(pool)
    poolUsed = 0
  }
  const secret = pool.toString('base64url', poolUsed, poolUsed + CSRF_SECRET_BYTES)
  poolUsed += CSRF_SECRET_BYTES
  return secret
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
  interface FastifyReply {
    /**
     * The CSRF token for this visitor's forms; a visitor without a CSRF secret gets one (in its
     * cookie) first.
     */
    csrfToken(): string
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
  const csrfCookie = csrfCookieName(options.secureCookies)
  const csrfCookieOptions = {
    path: '/',
    sameSite: 'lax',
    httpOnly: true,
    secure: options.secureCookies,
    signed: false,
  } as const
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: csrfCookie,
    cookieOpts: csrfCookieOptions,
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
  app.decorateReply('csrfToken', function (this: FastifyReply) {
    const cookies = this.request.cookies
    if (!cookies[csrfCookie]) {
      // What generateCsrf would do for a visitor without a secret, with the pool's bytes.
      const secret = newCsrfSecret()
      this.setCookie(csrfCookie, secret, csrfCookieOptions)
      cookies[csrfCookie] = secret
    }
    return this.generateCsrf()
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
