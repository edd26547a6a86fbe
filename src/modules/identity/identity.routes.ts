import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { safeLocalPath } from '../../platform/http/redirects.js'
import { cookieName } from '../../platform/http/security.js'
import type { DevSmsGateway } from '../../platform/sms.js'
import { totpQrSvg, totpUri, unusedRecoveryCodes } from './identity.factors.js'
import {
  beginTotpEnrolment,
  changePassword,
  confirmTotpEnrolment,
  endMySession,
  type LoginResult,
  listMySessions,
  loginWithPassword,
  loginWithSmsCode,
  logoutEverywhere,
  pendingSecondFactor,
  type RequestContext,
  registerPerson,
  sendLoginCode,
  sendRegistrationCode,
  verifySecondFactor,
} from './identity.login.js'
import {
  AccountPage,
  DevSmsPage,
  LoginPage,
  PasswordPage,
  RecoveryCodesPage,
  RegisterPage,
  SecondFactorPage,
  SecurityPage,
  SmsLoginPage,
  TotpEnrolPage,
} from './identity.pages.js'
import { accountView, keepAlive, logout } from './identity.service.js'

export const SESSION_COOKIE_BASE = 'yw_session'
/** Where a staff login goes after its second factor (kept in a short cookie between steps). */
const NEXT_COOKIE_BASE = 'yw_next'

const form = <T extends Record<string, ReturnType<typeof Type.String> | ReturnType<typeof Type.Optional>>>(fields: T) =>
  Type.Object({ _csrf: Type.Optional(Type.String()), ...fields })

const Str = (max = 200) => Type.String({ maxLength: max })
const OptStr = (max = 200) => Type.Optional(Type.String({ maxLength: max }))

/** Login attempts: 20 a minute from one address (SECURITY.md); per-account lockout is separate. */
const LOGIN_RATE = { max: 20, timeWindow: 60_000 }

export function registerIdentityRoutes(app: FastifyInstance, deps: Deps): void {
  const secure = deps.config.secureCookies
  const sessionCookie = cookieName(SESSION_COOKIE_BASE, secure)
  const nextCookie = cookieName(NEXT_COOKIE_BASE, secure)
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure }
  const context = (request: FastifyRequest): RequestContext => ({
    ip: request.ip,
    userAgent: request.headers['user-agent'],
    requestId: request.id,
  })

  /** After a successful first step: citizens are in; staff go on to their second factor. */
  const afterLogin = (reply: FastifyReply, result: LoginResult, next: string | undefined) => {
    reply.setCookie(sessionCookie, result.token, cookieOptions)
    const target = safeLocalPath(next, '/my/account')
    if (result.secondFactor === 'none') return reply.redirect(target, 303)
    reply.setCookie(nextCookie, target, { ...cookieOptions, maxAge: 15 * 60 })
    return reply.redirect(result.secondFactor === 'enrol' ? '/login/totp-setup' : '/login/second-factor', 303)
  }

  const pending = async (request: FastifyRequest) => {
    const token = request.cookies?.[sessionCookie]
    const login = token ? await pendingSecondFactor(deps, token) : undefined
    if (!login) throw new DomainError('NO_PENDING_LOGIN', 'unauthenticated', '登录已过期，请重新登录。')
    return login
  }

  const fieldErrors = (error: unknown) =>
    error instanceof DomainError && error.details.length > 0 ? error.details : undefined

  // --- password login -------------------------------------------------------------------------

  app.get(
    '/login',
    { schema: { hide: true, querystring: Type.Object({ next: OptStr(2000) }) }, config: { policy: { public: true } } },
    async (request, reply) => {
      const { next } = request.query as { next?: string }
      return reply.page(LoginPage({ next: next ?? '' }))
    },
  )

  app.post(
    '/login',
    {
      schema: { hide: true, body: form({ account: Str(100), password: Str(200), next: OptStr(2000) }) },
      config: { policy: { public: true }, rateLimit: LOGIN_RATE },
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
          ...context(request),
        })
        return afterLogin(reply, result, body.next)
      } catch (error) {
        if (error instanceof DomainError && error.code === 'LOGIN_FAILED') {
          const errors = [{ field: 'account', message: error.message }]
          return reply.page(LoginPage({ account: body.account, next: body.next, errors }), 401)
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
        summary: '用账号密码登录，得到会话 Cookie（工作人员还需完成动态验证码）',
        body: Type.Object({
          account: Type.String({ minLength: 1, maxLength: 100 }),
          password: Type.String({ minLength: 1, maxLength: 200 }),
        }),
        response: { 200: Type.Object({ kind: Type.String(), secondFactor: Type.String() }) },
      },
      config: { policy: { public: true }, rateLimit: LOGIN_RATE },
    },
    async (request, reply) => {
      const body = request.body as { account: string; password: string }
      const result = await loginWithPassword(deps, { ...body, ...context(request) })
      reply.setCookie(sessionCookie, result.token, cookieOptions)
      return { kind: result.kind, secondFactor: result.secondFactor }
    },
  )

  // --- second factor (staff) -----------------------------------------------------------------

  app.get(
    '/login/second-factor',
    {
      schema: { hide: true, querystring: Type.Object({ recovery: OptStr(2) }) },
      config: { policy: { public: true } },
    },
    async (request, reply) => {
      const login = await pending(request)
      if (!login.enrolled) return reply.redirect('/login/totp-setup', 303)
      const { recovery } = request.query as { recovery?: string }
      return reply.page(SecondFactorPage({ name: login.staffName, recovery: recovery === '1' }))
    },
  )

  app.post(
    '/login/second-factor',
    {
      schema: { hide: true, body: form({ code: OptStr(20), recoveryCode: OptStr(40), mode: OptStr(20) }) },
      config: { policy: { public: true }, rateLimit: LOGIN_RATE },
    },
    async (request, reply) => {
      const login = await pending(request)
      const body = request.body as { code?: string; recoveryCode?: string; mode?: string }
      const recovery = body.mode === 'recovery'
      try {
        await verifySecondFactor(
          deps,
          login,
          recovery ? { recoveryCode: body.recoveryCode ?? '' } : { code: body.code ?? '' },
          context(request),
        )
      } catch (error) {
        const errors = fieldErrors(error)
        if (errors) return reply.page(SecondFactorPage({ name: login.staffName, errors, recovery }), 422)
        throw error
      }
      const next = safeLocalPath(request.cookies?.[nextCookie], '/my/account')
      reply.clearCookie(nextCookie, { path: '/' })
      return reply.redirect(next, 303)
    },
  )

  app.get(
    '/login/totp-setup',
    { schema: { hide: true }, config: { policy: { public: true } } },
    async (request, reply) => {
      const login = await pending(request)
      if (login.enrolled) return reply.redirect('/login/second-factor', 303)
      const secret = await beginTotpEnrolment(deps, login)
      const qrSvg = await totpQrSvg(totpUri(secret, login.loginName))
      return reply.page(TotpEnrolPage({ name: login.staffName, qrSvg, secret }))
    },
  )

  app.post(
    '/login/totp-setup',
    {
      schema: { hide: true, body: form({ code: Str(20) }) },
      config: { policy: { public: true }, rateLimit: LOGIN_RATE },
    },
    async (request, reply) => {
      const login = await pending(request)
      const { code } = request.body as { code: string }
      try {
        const codes = await confirmTotpEnrolment(deps, login, code, context(request))
        const next = safeLocalPath(request.cookies?.[nextCookie], '/my/account')
        reply.clearCookie(nextCookie, { path: '/' })
        reply.header('cache-control', 'no-store')
        return reply.page(RecoveryCodesPage({ codes, next }))
      } catch (error) {
        const errors = fieldErrors(error)
        if (!errors || !login.pendingSecret) throw error
        const qrSvg = await totpQrSvg(totpUri(login.pendingSecret, login.loginName))
        return reply.page(TotpEnrolPage({ name: login.staffName, qrSvg, secret: login.pendingSecret, errors }), 422)
      }
    },
  )

  // --- SMS code login (citizens) --------------------------------------------------------------

  app.get(
    '/login/sms',
    { schema: { hide: true, querystring: Type.Object({ next: OptStr(2000) }) }, config: { policy: { public: true } } },
    async (request, reply) => reply.page(SmsLoginPage({ next: (request.query as { next?: string }).next ?? '' })),
  )

  app.post(
    '/login/sms',
    {
      schema: { hide: true, body: form({ mobile: Str(30), code: OptStr(20), step: OptStr(10), next: OptStr(2000) }) },
      config: { policy: { public: true }, rateLimit: LOGIN_RATE },
    },
    async (request, reply) => {
      const body = request.body as { mobile: string; code?: string; step?: string; next?: string }
      const again = (errors?: { field: string; message: string }[], sent?: boolean, status = 200) =>
        reply.page(SmsLoginPage({ mobile: body.mobile, next: body.next, errors, sent }), status)
      try {
        if (body.step === 'send') {
          await sendLoginCode(deps, body.mobile, context(request))
          return again(undefined, true)
        }
        if (!body.code?.trim()) return again([{ field: 'code', message: '请填写短信验证码' }], false, 422)
        const result = await loginWithSmsCode(deps, { mobile: body.mobile, code: body.code, ...context(request) })
        return afterLogin(reply, result, body.next)
      } catch (error) {
        if (error instanceof DomainError && error.code === 'LOGIN_FAILED') {
          return again([{ field: 'code', message: '验证码不正确或已过期，请重新获取' }], false, 401)
        }
        if (error instanceof DomainError && (error.kind === 'rate_limited' || error.details.length > 0)) {
          const errors = error.details.length > 0 ? error.details : [{ field: 'mobile', message: error.message }]
          return again(errors, false, error.status)
        }
        throw error
      }
    },
  )

  // --- registration ---------------------------------------------------------------------------

  app.get('/register', { schema: { hide: true }, config: { policy: { public: true } } }, async (_request, reply) =>
    reply.page(RegisterPage({})),
  )

  app.post(
    '/register',
    {
      schema: {
        hide: true,
        body: form({
          name: Str(60),
          idNumber: Str(40),
          mobile: Str(30),
          smsCode: OptStr(20),
          password: OptStr(200),
          passwordAgain: OptStr(200),
          agree: OptStr(5),
          step: OptStr(10),
        }),
      },
      config: { policy: { public: true }, rateLimit: LOGIN_RATE },
    },
    async (request, reply) => {
      const body = request.body as Record<string, string | undefined>
      const values = { name: body.name, idNumber: body.idNumber, mobile: body.mobile, agree: body.agree === '1' }
      try {
        if (body.step === 'send') {
          await sendRegistrationCode(deps, body.mobile ?? '', context(request))
          return reply.page(RegisterPage({ values, sent: true }))
        }
        const result = await registerPerson(
          deps,
          {
            name: body.name ?? '',
            idNumber: body.idNumber ?? '',
            mobile: body.mobile ?? '',
            smsCode: body.smsCode ?? '',
            password: body.password ?? '',
            passwordAgain: body.passwordAgain ?? '',
            agree: values.agree,
          },
          context(request),
        )
        return afterLogin(reply, result, '/my/account')
      } catch (error) {
        if (error instanceof DomainError && ['invalid', 'conflict', 'rate_limited'].includes(error.kind)) {
          const field = error.code === 'PERSON_EXISTS' ? 'idNumber' : 'mobile'
          const errors = error.details.length > 0 ? error.details : [{ field, message: error.message }]
          return reply.page(RegisterPage({ values, errors }), error.status)
        }
        throw error
      }
    },
  )

  // --- logout, account, security --------------------------------------------------------------

  app.post('/logout', { schema: { hide: true }, config: { policy: { public: true } } }, async (request, reply) => {
    if (request.principal) await logout(deps, request.principal, context(request))
    reply.clearCookie(sessionCookie, { path: '/' })
    return reply.redirect('/', 303)
  })

  app.get(
    '/my/account',
    { schema: { hide: true }, config: { policy: { authenticated: true } } },
    async (request, reply) => reply.page(AccountPage({ view: await accountView(deps, request.principal!) })),
  )

  const securityPage = async (request: FastifyRequest, reply: FastifyReply, notice?: string) => {
    const principal = request.principal!
    const sessions = await listMySessions(deps, principal)
    const recoveryCodesLeft = principal.staffId ? await unusedRecoveryCodes(deps.db, principal.accountId) : undefined
    return reply.page(SecurityPage({ sessions, staff: Boolean(principal.staffId), recoveryCodesLeft, notice }))
  }

  app.get(
    '/my/security',
    { schema: { hide: true }, config: { policy: { authenticated: true } } },
    async (request, reply) => securityPage(request, reply),
  )

  app.post(
    '/my/sessions/:id/end',
    {
      schema: { hide: true, params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{64}$' }) }) },
      config: { policy: { authenticated: true } },
    },
    async (request, reply) => {
      await endMySession(deps, request.principal!, (request.params as { id: string }).id, context(request))
      return securityPage(request, reply, '已退出该设备上的登录。')
    },
  )

  app.post(
    '/my/sessions/end-all',
    { schema: { hide: true }, config: { policy: { authenticated: true }, whilePasswordExpired: true } },
    async (request, reply) => {
      await logoutEverywhere(deps, request.principal!, context(request))
      reply.clearCookie(sessionCookie, { path: '/' })
      return reply.page(LoginPage({ notice: '已退出所有设备上的登录。' }))
    },
  )

  app.get(
    '/my/password',
    { schema: { hide: true }, config: { policy: { authenticated: true }, whilePasswordExpired: true } },
    async (request, reply) => reply.page(PasswordPage({ expired: request.principal?.mustChangePassword })),
  )

  app.post(
    '/my/password',
    {
      schema: { hide: true, body: form({ current: Str(200), next: Str(200), nextAgain: Str(200) }) },
      config: { policy: { authenticated: true }, whilePasswordExpired: true, rateLimit: LOGIN_RATE },
    },
    async (request, reply) => {
      const body = request.body as { current: string; next: string; nextAgain: string }
      try {
        await changePassword(deps, request.principal!, body, context(request))
      } catch (error) {
        const errors = fieldErrors(error)
        if (errors) return reply.page(PasswordPage({ errors, expired: request.principal?.mustChangePassword }), 422)
        throw error
      }
      return securityPage(request, reply, '密码已修改，其他设备上的登录已退出。')
    },
  )

  // Pages call this (site.js) when the person chooses to stay logged in after the idle warning.
  app.post(
    '/api/session/keepalive',
    {
      schema: {
        tags: ['identity'],
        summary: '保持登录（空闲超时提醒后继续使用）',
        response: { 200: Type.Object({ idleExpiresAt: Type.String() }) },
      },
      config: { policy: { authenticated: true }, whilePasswordExpired: true },
    },
    async (request) => ({ idleExpiresAt: await keepAlive(deps, request.principal!) }),
  )

  // --- development SMS outbox -----------------------------------------------------------------

  if (deps.config.env !== 'production' && deps.sms.development) {
    app.get('/dev/sms', { schema: { hide: true }, config: { policy: { public: true } } }, async (_request, reply) =>
      reply.page(DevSmsPage({ messages: await (deps.sms as DevSmsGateway).recent(50) })),
    )
  }
}
