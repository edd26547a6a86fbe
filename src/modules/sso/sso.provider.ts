/**
 * The OpenID Provider (统一身份认证、单点登录): oidc-provider configured for the platform.
 *
 * - Issuer `<BASE_URL>/oidc`; state in the database (sso.adapter.ts), keys in the database
 *   (sso.keys.ts), clients from the register administrators keep (sso.service.ts).
 * - Login is the platform's own: an interaction sends a person without a platform session to
 *   /login and completes with the platform account (sso.routes.ts). An SSO session is valid only
 *   while the platform session of the same account is (the `platform_session` check below), so
 *   logging out of the platform ends single sign-on too.
 * - Pages oidc-provider renders itself (errors, logout confirmation) use the platform's layout.
 */
import { createHmac } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  type Account,
  type BaseTokenLike,
  type ErrorOut,
  interactionPolicy,
  type KoaContextWithOIDC,
  Provider,
} from 'oidc-provider'
import type { VNode } from 'preact'
import { auditActorOf } from '../../platform/audit/audit.js'
import { actorOf } from '../../platform/auth/principal.js'
import type { Deps } from '../../platform/deps.js'
import { ErrorPage } from '../../platform/ui/error-page.js'
import { renderPage } from '../../platform/ui/render.js'
import { accountClaims, endPlatformSession } from '../identity/index.js'
import { adapterFactory } from './sso.adapter.js'
import { loadSigningKeys } from './sso.keys.js'
import { LoggedOutPage, LogoutConfirmPage } from './sso.pages.js'
import { findModel, upsertModel } from './sso.repository.js'
import { claimsConfiguration, SCOPE_NAMES } from './sso.scopes.js'
import { recordSsoEvent } from './sso.service.js'

/** Where the provider is mounted in the Fastify app. */
export const MOUNT = '/oidc'

export const TTL = {
  AccessToken: 15 * 60,
  AuthorizationCode: 60,
  ClientCredentials: 10 * 60,
  IdToken: 60 * 60,
  Interaction: 30 * 60,
  /** As long as the longest platform session (citizens: 12 h absolute). */
  Session: 12 * 3600,
  Grant: 30 * 24 * 3600,
  RefreshToken: 14 * 24 * 3600,
} as const

/** The Fastify request and reply behind a raw request that oidc-provider handles. */
interface Binding {
  request: FastifyRequest
  reply: FastifyReply
}

const bindings = new WeakMap<IncomingMessage, Binding>()

/** Lets oidc-provider's hooks find the Fastify request (principal, logger, page context). */
export function bindRequest(request: FastifyRequest, reply: FastifyReply): void {
  bindings.set(request.raw, { request, reply })
}

function bindingOf(ctx: KoaContextWithOIDC): Binding | undefined {
  return bindings.get(ctx.req)
}

type MountedRequest = IncomingMessage & { originalUrl?: string }

/**
 * Renders a platform page as oidc-provider's response. The request's URL is the mounted one
 * (without /oidc) while oidc-provider runs; the page context wants the real one.
 */
function renderInKoa(ctx: KoaContextWithOIDC, vnode: VNode): void {
  const binding = bindingOf(ctx)
  ctx.type = 'text/html; charset=utf-8'
  if (!binding) {
    ctx.body = '请稍后再试。'
    return
  }
  const raw = ctx.req as MountedRequest
  const mounted = raw.url
  if (raw.originalUrl) raw.url = raw.originalUrl
  try {
    // The CSRF cookie of a first visit is not sent from here (the reply is hijacked); only the
    // header's 长者模式 switch needs it, and a person reaching these pages has logged in before.
    ctx.body = renderPage(binding.reply.pageContext(), vnode)
  } finally {
    raw.url = mounted
  }
}

/** Adds origins to the form-action directive of a Content-Security-Policy header value. */
export function allowFormAction(csp: string, origins: readonly string[]): string {
  if (!csp || origins.length === 0) return csp
  return csp
    .split(';')
    .map((directive) => {
      const trimmed = directive.trim()
      return trimmed.startsWith('form-action') ? `${trimmed} ${origins.join(' ')}` : trimmed
    })
    .join(';')
}

function originOf(uri: unknown): string | undefined {
  if (typeof uri !== 'string') return undefined
  try {
    return new URL(uri).origin
  } catch {
    return undefined
  }
}

const errorMessages: Record<string, string> = {
  invalid_request: '登录请求的参数有误，请回到原系统重新登录；如仍有问题，请联系该系统的管理员。',
  invalid_client: '发起登录的系统没有在本平台登记或已停用，请联系该系统的管理员。',
  invalid_redirect_uri: '发起登录的系统提供的回调地址没有登记，为保护您的账号，本次登录已停止。',
  unauthorized_client: '发起登录的系统无权使用这种登录方式。',
  invalid_scope: '发起登录的系统申请了未经批准的信息范围。',
  access_denied: '您已拒绝授权。',
  login_required: '请先登录。',
  session_not_found: '登录请求已经过期，请回到原系统重新登录。',
  server_error: '系统出了点问题，请稍后再试。',
}

const SESSION_CONTEXT = 'YiwangSessionContext'

export interface SsoProvider {
  provider: Provider
  /** Node-style handler for requests under MOUNT (the URL already stripped of it). */
  callback: ReturnType<Provider['callback']>
}

/** The platform's key for oidc-provider's signed cookies, derived from SESSION_SECRET. */
function cookieKey(secret: string): string {
  return createHmac('sha256', secret).update('yiwang:oidc-cookies').digest('base64url')
}

export async function createSsoProvider(deps: Deps): Promise<SsoProvider> {
  const { config } = deps
  const jwks = await loadSigningKeys(deps)

  // The enterprise a person acts for is part of their platform session; it is kept per SSO
  // session (by its uid) so tokens issued in that session report it.
  const rememberContext = async (sessionUid: string, enterpriseId: string | undefined) => {
    await upsertModel(deps.db, {
      kind: SESSION_CONTEXT,
      id: sessionUid,
      payload: JSON.stringify({ enterpriseId: enterpriseId ?? null }),
      grantId: null,
      userCode: null,
      uid: null,
      expiresAt: new Date(Date.now() + TTL.Grant * 1000).toISOString(),
      consumedAt: null,
    })
  }
  const enterpriseOf = async (sessionUid: string | undefined): Promise<string | undefined> => {
    if (!sessionUid) return undefined
    const row = await findModel(deps.db, SESSION_CONTEXT, sessionUid, new Date().toISOString())
    if (!row) return undefined
    const value = (JSON.parse(row.payload) as { enterpriseId?: string | null }).enterpriseId
    return value ?? undefined
  }

  const policy = interactionPolicy.base()
  // SSO follows the platform session: when the person logged out of the platform, or someone
  // else logged in on this browser, the department system's login asks again.
  policy.get('login')?.checks.add(
    new interactionPolicy.Check(
      'platform_session',
      'the platform session has ended or belongs to another account',
      'login_required',
      (ctx) => {
        const accountId = ctx.oidc.session?.accountId
        if (!accountId) return false
        return bindingOf(ctx)?.request.principal?.accountId !== accountId
      },
    ),
  )

  const provider = new Provider(`${config.baseUrl}${MOUNT}`, {
    adapter: adapterFactory(deps),
    clients: [],
    jwks,
    findAccount: async (ctx: KoaContextWithOIDC, sub: string, token?: BaseTokenLike): Promise<Account | undefined> => {
      const base = await accountClaims(deps, sub, { fullIdNumber: false })
      if (!base) return undefined
      return {
        accountId: sub,
        claims: async (use: string, scope: string) => {
          const client = ctx.oidc.client
          const scopes = new Set(scope.split(' '))
          // The full ID number goes only to a system allowed it, with the person's consent to the
          // idnumber scope, and only by userinfo (never inside an ID token); each release is audited.
          const full = use === 'userinfo' && scopes.has('idnumber') && client?.full_id_number_allowed === true
          const claims = full ? ((await accountClaims(deps, sub, { fullIdNumber: true })) ?? base) : base
          if (full && client) {
            const binding = bindingOf(ctx)
            await recordSsoEvent(deps, {
              actor: { type: 'system', id: `oidc_client:${client.clientId}` },
              action: 'sso.id_number_release',
              object: { type: 'oidc_client', id: client.clientId },
              details: { accountId: sub },
              sourceIp: binding?.request.ip ?? null,
              requestId: binding?.request.id ?? null,
            })
          }
          const enterpriseId = await enterpriseOf(token?.sessionUid ?? ctx.oidc.session?.uid)
          return { ...claims, ...(enterpriseId ? { enterprise_id: enterpriseId } : {}) }
        },
      }
    },
    claims: claimsConfiguration(),
    scopes: SCOPE_NAMES,
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    extraClientMetadata: { properties: ['full_id_number_allowed', 'department_id'] },
    cookies: {
      keys: [cookieKey(config.sessionSecret)],
      names: { session: 'yw_oidc_session', interaction: 'yw_oidc_interaction', resume: 'yw_oidc_resume' },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    interactions: {
      policy,
      url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `${MOUNT}/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // A system may introspect or revoke only the tokens issued to it. The platform's own APIs check
      // tokens in-process; other resource servers would be registered with a policy of their own.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx: KoaContextWithOIDC, client: { clientId: string }, token: { clientId?: string }) =>
          token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: KoaContextWithOIDC, client: { clientId: string }, token: { clientId?: string }) =>
          token.clientId === client.clientId,
      },
      // No resource servers yet: access tokens are opaque and checked by introspection or userinfo.
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC) => {
          const state = ctx.oidc.session?.state
          const origin = originOf(state?.postLogoutRedirectUri)
          // The confirmation form posts here and is redirected to the system's return address.
          const csp = ctx.response.get('content-security-policy')
          if (origin && csp) ctx.set('content-security-policy', allowFormAction(csp, [origin]))
          renderInKoa(
            ctx,
            LogoutConfirmPage({
              action: ctx.oidc.urlFor('end_session_confirm'),
              xsrf: String(state?.secret ?? ''),
              clientName: ctx.oidc.client?.clientName,
            }),
          )
        },
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => {
          renderInKoa(ctx, LoggedOutPage({ clientName: ctx.oidc.client?.clientName }))
        },
      },
    },
    pkce: {
      // S256 only (oidc-provider v9); required for public clients, optional for confidential ones.
      required: (_ctx: KoaContextWithOIDC, client: { clientAuthMethod: string }) => client.clientAuthMethod === 'none',
    },
    clientBasedCORS: (ctx: KoaContextWithOIDC, origin: string, client: { redirectUris?: string[] }) =>
      origin !== 'null' &&
      ctx.oidc.route !== 'token' &&
      (client.redirectUris ?? []).some((uri) => originOf(uri) === origin),
    ttl: { ...TTL },
    renderError: async (ctx: KoaContextWithOIDC, out: ErrorOut) => {
      const binding = bindingOf(ctx)
      renderInKoa(
        ctx,
        ErrorPage({
          status: ctx.status,
          message: errorMessages[out.error] ?? '登录请求无法完成，请回到原系统重新登录。',
          details: [
            {
              field: 'oidc',
              message: `技术信息（供系统管理员排查）：${out.error}${out.error_description ? ` — ${out.error_description}` : ''}`,
            },
          ],
          requestId: binding?.request.id,
        }),
      )
    },
  })
  provider.proxy = config.trustProxy

  provider.on('server_error', (ctx: KoaContextWithOIDC, err: unknown) => {
    bindingOf(ctx)?.request.log.error({ err }, 'oidc-provider server error')
  })
  // Koa reports errors it could not answer; without a listener it would print to stderr.
  provider.on('error', (err: unknown, ctx?: KoaContextWithOIDC) => {
    if (ctx) bindingOf(ctx)?.request.log.error({ err }, 'oidc request failed')
  })

  // Book-keeping after oidc-provider has answered (but before the answer is sent).
  provider.use(async (ctx, next) => {
    await next()
    const binding = bindingOf(ctx)
    const route = ctx.oidc?.route
    if (!binding || !route) return
    const principal = binding.request.principal
    const where = { sourceIp: binding.request.ip, requestId: binding.request.id }

    if ((route === 'authorization' || route === 'resume') && ctx.status === 200) {
      // response_mode=form_post: the page posts to the system's redirect URI, which the CSP must allow.
      const origin = originOf(ctx.oidc.params?.redirect_uri)
      const csp = ctx.response.get('content-security-policy')
      if (origin && csp) ctx.set('content-security-policy', allowFormAction(csp, [origin]))
      return
    }

    if ((route === 'authorization' || route === 'resume') && ctx.status === 303) {
      const session = ctx.oidc.session
      if (session?.uid && principal && session.accountId === principal.accountId) {
        await rememberContext(session.uid, principal.enterpriseId)
      }
      return
    }

    if (route === 'end_session_confirm' && ctx.status === 303 && ctx.oidc.session?.destroyed) {
      const accountId = ctx.oidc.session.accountId
      const clientId = ctx.oidc.client?.clientId
      // End the platform session too, but only when it is the same account's: oidc-provider also
      // ends a stale SSO session this way when another person has logged in on the browser.
      if (principal && accountId === principal.accountId) {
        await endPlatformSession(deps, principal, { ip: where.sourceIp, requestId: where.requestId })
      }
      if (accountId) {
        await recordSsoEvent(deps, {
          actor:
            principal && accountId === principal.accountId ? auditActorOf(actorOf(principal)) : { type: 'anonymous' },
          action: 'sso.logout',
          object: clientId ? { type: 'oidc_client', id: clientId } : null,
          details: { accountId, platformSession: principal?.accountId === accountId ? 'ended' : 'kept' },
          ...where,
        })
      }
      return
    }

    if (route === 'token' && ctx.status === 200 && ctx.oidc.entities.ClientCredentials) {
      const token = ctx.oidc.entities.ClientCredentials as { clientId?: string; scope?: string }
      await recordSsoEvent(deps, {
        actor: { type: 'system', id: `oidc_client:${token.clientId}` },
        action: 'sso.client_token',
        object: token.clientId ? { type: 'oidc_client', id: token.clientId } : null,
        details: { grantType: 'client_credentials', scope: token.scope ?? '' },
        ...where,
      })
    }
  })

  return { provider, callback: provider.callback() }
}
