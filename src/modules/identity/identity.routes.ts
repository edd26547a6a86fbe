import type { FastifyInstance, FastifyReply } from 'fastify'
import { Type } from 'typebox'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { safeLocalPath } from '../../platform/http/redirects.js'
import { cookieName } from '../../platform/http/security.js'
import { AccountPage, LoginPage } from './identity.pages.js'
import { accountView, loginWithPassword, logout } from './identity.service.js'

export const SESSION_COOKIE_BASE = 'yw_session'

const LoginBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  account: Type.String({ maxLength: 100 }),
  password: Type.String({ maxLength: 200 }),
  next: Type.Optional(Type.String({ maxLength: 2000 })),
})

const LoginJson = Type.Object({
  account: Type.String({ minLength: 1, maxLength: 100 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
})

export function registerIdentityRoutes(app: FastifyInstance, deps: Deps): void {
  const sessionCookie = cookieName(SESSION_COOKIE_BASE, deps.config.secureCookies)
  const setSession = (reply: FastifyReply, token: string) =>
    reply.setCookie(sessionCookie, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.secureCookies,
    })

  app.get(
    '/login',
    {
      schema: { hide: true, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) },
      config: { policy: { public: true } },
    },
    async (request, reply) => {
      const { next } = request.query as { next?: string }
      return reply.page(LoginPage({ next: next ?? '' }))
    },
  )

  app.post(
    '/login',
    {
      schema: { hide: true, body: LoginBody },
      // 20 attempts a minute from one address (SECURITY.md); lockout per account is separate.
      config: { policy: { public: true }, rateLimit: { max: 20, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const body = request.body as { account: string; password: string; next?: string }
      const errors = []
      if (!body.account.trim()) errors.push({ field: 'account', message: '请填写账号' })
      if (!body.password) errors.push({ field: 'password', message: '请填写密码' })
      if (errors.length > 0) return reply.page(LoginPage({ account: body.account, next: body.next, errors }), 422)
      try {
        const result = await loginWithPassword(deps, {
          account: body.account,
          password: body.password,
          ip: request.ip,
          userAgent: request.headers['user-agent'],
          requestId: request.id,
        })
        setSession(reply, result.token)
        return reply.redirect(safeLocalPath(body.next, '/my/account'), 303)
      } catch (error) {
        if (error instanceof DomainError && error.code === 'LOGIN_FAILED') {
          return reply.page(
            LoginPage({
              account: body.account,
              next: body.next,
              errors: [{ field: 'account', message: error.message }],
            }),
            401,
          )
        }
        throw error
      }
    },
  )

  app.post(
    '/api/session',
    {
      schema: {
        tags: ['identity'],
        summary: '用账号密码登录，得到会话 Cookie',
        body: LoginJson,
        response: { 200: Type.Object({ kind: Type.String() }) },
      },
      config: { policy: { public: true }, rateLimit: { max: 20, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const body = request.body as { account: string; password: string }
      const result = await loginWithPassword(deps, {
        ...body,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        requestId: request.id,
      })
      setSession(reply, result.token)
      return { kind: result.kind }
    },
  )

  app.post('/logout', { schema: { hide: true }, config: { policy: { public: true } } }, async (request, reply) => {
    if (request.principal) await logout(deps, request.principal, { ip: request.ip, requestId: request.id })
    reply.clearCookie(sessionCookie, { path: '/' })
    return reply.redirect('/', 303)
  })

  app.get(
    '/my/account',
    { schema: { hide: true }, config: { policy: { authenticated: true } } },
    async (request, reply) => reply.page(AccountPage({ view: await accountView(deps, request.principal!) })),
  )
}
