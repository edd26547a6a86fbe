/**
 * HTTP for single sign-on:
 * - everything under /oidc is oidc-provider's (discovery, authorization, token, userinfo, JWKS,
 *   logout…), except the interaction pages, which are ours;
 * - /admin/clients: the register of department systems (接入系统).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import type { Interaction, Provider } from 'oidc-provider'
import { auditActorOf } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { actorOf } from '../../platform/auth/principal.js'
import type { Deps } from '../../platform/deps.js'
import { toErrorAnswer } from '../../platform/http/error-handler.js'
import { DomainError } from '../../platform/http/errors.js'
import { ErrorPage } from '../../platform/ui/error-page.js'
import { departmentChoices, departmentName } from '../identity/index.js'
import { interactionExpired } from './sso.errors.js'
import { approve, DENIED, type InteractionPlan, planInteraction } from './sso.interactions.js'
import {
  ClientFormPage,
  type ClientFormValues,
  ClientPage,
  ClientsPage,
  ConsentPage,
  ContinuePage,
  emptyClientForm,
  type ScopeLine,
  SecretPage,
} from './sso.pages.js'
import { allowFormAction, bindRequest, MOUNT, type SsoProvider } from './sso.provider.js'
import {
  ClientForm,
  ClientIdParams,
  ClientPageQuery,
  ConsentForm,
  CsrfOnlyForm,
  InteractionParams,
} from './sso.schemas.js'
import { SCOPES, type ScopeName } from './sso.scopes.js'
import {
  clientView,
  deactivateClient,
  listClientViews,
  recordSsoEvent,
  registerClient,
  rotateClientSecret,
} from './sso.service.js'

export const ADMIN_CLIENTS = 'admin.clients'

const OIDC_METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']

type MountedRequest = FastifyRequest['raw'] & { originalUrl?: string }

/** Errors of our pages under /oidc are pages too (the platform answers /oidc… in JSON). */
function htmlErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const answer = toErrorAnswer(error)
  if (answer.status >= 500) request.log.error({ err: error }, 'sso page failed')
  reply.header('cache-control', 'no-store')
  return reply.page(
    ErrorPage({ status: answer.status, message: answer.message, details: answer.details, requestId: request.id }),
    answer.status,
  )
}

function scopeLines(names: readonly ScopeName[]): ScopeLine[] {
  return names.map((name) => ({ name, label: SCOPES[name].label, description: SCOPES[name].description }))
}

/**
 * `loadSso` gives the provider, created on first use (it needs the database for its keys, and the
 * app must start while the database is down: /readyz says so).
 */
export async function registerSsoRoutes(
  scope: FastifyInstance,
  deps: Deps,
  loadSso: () => Promise<SsoProvider>,
): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const where = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })

  // ----- oidc-provider, mounted at /oidc ------------------------------------------------------
  // In a plugin of its own whose body parsers read nothing: oidc-provider reads the body itself.
  // Fastify's hooks (request id, principal, security headers, rate limit, logging) still run.
  await app.register(async (oidc) => {
    oidc.removeAllContentTypeParsers()
    oidc.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined))
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const sso = await loadSso()
      bindRequest(request, reply)
      const raw = request.raw as MountedRequest
      const res = reply.raw
      // Headers set by the platform's hooks (CSP and other security headers, x-request-id,
      // rate-limit counters) travel with oidc-provider's answer.
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) res.setHeader(name, value as string | number | string[])
      }
      reply.hijack()
      const url = raw.url ?? MOUNT
      raw.originalUrl = url
      // oidc-provider sees paths relative to its mount (/oidc/token → /token) and finds the mount
      // path again from originalUrl when it builds its URLs.
      raw.url = `/${url.slice(MOUNT.length).replace(/^\//, '')}`
      try {
        await sso.callback(raw, res)
      } finally {
        raw.url = url
      }
    }
    const options = {
      schema: { hide: true },
      config: {
        policy: { public: true } as const,
        // Clients authenticate themselves at the token endpoint; OIDC forms carry their own state.
        csrf: false,
        // Department systems call from a few server addresses on behalf of many people.
        rateLimit: { max: 1200, timeWindow: 60_000 },
      },
      handler,
    }
    oidc.route({ method: OIDC_METHODS, url: MOUNT, ...options })
    oidc.route({ method: OIDC_METHODS, url: `${MOUNT}/*`, ...options })
  })

  // ----- interactions: login through the platform, consent -----------------------------------

  const interactionPath = (uid: string) => `${MOUNT}/interaction/${uid}`
  const loginRedirect = (reply: FastifyReply, uid: string) =>
    reply.redirect(`/login?next=${encodeURIComponent(interactionPath(uid))}`, 303)

  async function interactionOf(
    provider: Provider,
    request: FastifyRequest,
    reply: FastifyReply,
    uid: string,
  ): Promise<Interaction> {
    let details: Interaction
    try {
      details = await provider.interactionDetails(request.raw, reply.raw)
    } catch {
      throw interactionExpired()
    }
    if (details.uid !== uid) throw interactionExpired()
    return details
  }

  async function finish(
    provider: Provider,
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    details: Interaction,
    plan: InteractionPlan,
  ): Promise<string> {
    const result = await approve(provider, principal, details, plan)
    const returnTo = await provider.interactionResult(request.raw, reply.raw, result)
    await recordSsoEvent(deps, {
      actor: auditActorOf(actorOf(principal)),
      action: plan.login ? 'sso.login' : 'sso.consent',
      object: { type: 'oidc_client', id: plan.client.clientId },
      details: { scopes: plan.requested, asked: plan.ask },
      sourceIp: request.ip,
      requestId: request.id,
    })
    return returnTo
  }

  async function renderConsent(reply: FastifyReply, uid: string, details: Interaction, plan: InteractionPlan) {
    // After 同意 the browser is redirected on to the system: the page's CSP must allow that.
    const origin = URL.canParse(String(details.params.redirect_uri))
      ? new URL(String(details.params.redirect_uri)).origin
      : undefined
    if (origin) {
      reply.header(
        'content-security-policy',
        allowFormAction(String(reply.getHeader('content-security-policy') ?? ''), [origin]),
      )
    }
    const given = plan.requested.filter((s) => s !== 'openid' && !plan.ask.includes(s))
    return reply.page(
      ConsentPage({
        action: `${interactionPath(uid)}/confirm`,
        clientName: plan.client.clientName ?? plan.client.clientId,
        departmentName:
          typeof plan.client.department_id === 'string'
            ? await departmentName(deps, plan.client.department_id)
            : undefined,
        personName: reply.request.principal?.displayName ?? '',
        ask: scopeLines(plan.ask),
        alsoGiven: scopeLines(given),
      }),
    )
  }

  app.get(
    `${MOUNT}/interaction/:uid`,
    {
      schema: { hide: true, params: InteractionParams },
      config: { policy: { public: true } },
      errorHandler: htmlErrors,
    },
    async (request, reply) => {
      const { uid } = request.params
      const { provider } = await loadSso()
      const details = await interactionOf(provider, request, reply, uid)
      const principal = request.principal
      if (!principal) return loginRedirect(reply, uid)
      // Staff whose password has expired may do nothing else until they change it.
      if (principal.mustChangePassword) return reply.redirect('/my/password', 303)
      const plan = await planInteraction(deps, provider, principal, details)
      if (!plan) throw interactionExpired()
      if (plan.needsLogin) return loginRedirect(reply, uid)
      if (plan.ask.length > 0) return renderConsent(reply, uid, details, plan)
      const returnTo = await finish(provider, request, reply, principal, details, plan)
      // Arriving from another site (the department system) the redirect chain may go on to it.
      // Arriving from our own login form, a form's CSP (form-action 'self') would stop the chain
      // at the department system's address, so the way back starts afresh from a page.
      const site = request.headers['sec-fetch-site']
      if (site === 'cross-site' || site === 'same-site' || site === 'none') return reply.redirect(returnTo, 303)
      reply.header('refresh', `0;url=${returnTo}`)
      return reply.page(ContinuePage({ clientName: plan.client.clientName ?? plan.client.clientId, href: returnTo }))
    },
  )

  app.post(
    `${MOUNT}/interaction/:uid/confirm`,
    {
      schema: { hide: true, params: InteractionParams, body: ConsentForm },
      config: { policy: { public: true } },
      errorHandler: htmlErrors,
    },
    async (request, reply) => {
      const { uid } = request.params
      const { provider } = await loadSso()
      const details = await interactionOf(provider, request, reply, uid)
      const principal = request.principal
      if (!principal) return loginRedirect(reply, uid)
      // Staff whose password has expired may do nothing else until they change it.
      if (principal.mustChangePassword) return reply.redirect('/my/password', 303)
      const plan = await planInteraction(deps, provider, principal, details)
      if (!plan) throw interactionExpired()
      if (plan.needsLogin) return loginRedirect(reply, uid)
      if (request.body.decision === 'deny') {
        const returnTo = await provider.interactionResult(request.raw, reply.raw, DENIED)
        await recordSsoEvent(deps, {
          actor: auditActorOf(actorOf(principal)),
          action: 'sso.consent',
          object: { type: 'oidc_client', id: plan.client.clientId },
          outcome: 'denied',
          details: { scopes: plan.requested, asked: plan.ask },
          sourceIp: request.ip,
          requestId: request.id,
        })
        return reply.redirect(returnTo, 303)
      }
      return reply.redirect(await finish(provider, request, reply, principal, details, plan), 303)
    },
  )

  // ----- administration: 接入系统 ----------------------------------------------------------------

  const admin = { policy: { permission: ADMIN_CLIENTS } } as const

  app.get('/admin/clients', { schema: { hide: true }, config: admin }, async (_request, reply) =>
    reply.page(ClientsPage({ clients: await listClientViews(deps) })),
  )

  app.get('/admin/clients/new', { schema: { hide: true }, config: admin }, async (_request, reply) =>
    reply.page(ClientFormPage({ values: emptyClientForm, departments: await departmentChoices(deps) })),
  )

  app.post('/admin/clients', { schema: { hide: true, body: ClientForm }, config: admin }, async (request, reply) => {
    const body = request.body
    const values: ClientFormValues = {
      name: body.name,
      clientId: body.clientId,
      departmentId: body.departmentId ?? '',
      authMethod: body.authMethod ?? '',
      redirectUris: body.redirectUris ?? '',
      postLogoutRedirectUris: body.postLogoutRedirectUris ?? '',
      scopes: body.scopes ?? [],
      grantTypes: body.grantTypes ?? [],
      fullIdNumberAllowed: (body.fullIdNumberAllowed ?? []).includes('1'),
    }
    try {
      const created = await registerClient(deps, request.principal, values, where(request))
      const client = await clientView(deps, created.clientId)
      if (!created.secret) return reply.redirect(`/admin/clients/${created.clientId}`, 303)
      return reply.page(SecretPage({ client, secret: created.secret, rotated: false }))
    } catch (error) {
      if (error instanceof DomainError && error.code === 'VALIDATION_FAILED') {
        return reply.page(
          ClientFormPage({ values, errors: error.details, departments: await departmentChoices(deps) }),
          422,
        )
      }
      throw error
    }
  })

  app.get(
    '/admin/clients/:clientId',
    { schema: { hide: true, params: ClientIdParams, querystring: ClientPageQuery }, config: admin },
    async (request, reply) =>
      reply.page(
        ClientPage({
          client: await clientView(deps, request.params.clientId),
          notice: request.query.done === 'deactivated' ? '已停用。该系统不能再通过本平台登录。' : undefined,
        }),
      ),
  )

  app.post(
    '/admin/clients/:clientId/secret',
    { schema: { hide: true, params: ClientIdParams, body: CsrfOnlyForm }, config: admin },
    async (request, reply) => {
      const secret = await rotateClientSecret(deps, request.principal!, request.params.clientId, where(request))
      const client = await clientView(deps, request.params.clientId)
      return reply.page(SecretPage({ client, secret, rotated: true }))
    },
  )

  app.post(
    '/admin/clients/:clientId/deactivate',
    { schema: { hide: true, params: ClientIdParams, body: CsrfOnlyForm }, config: admin },
    async (request, reply) => {
      await deactivateClient(deps, request.principal!, request.params.clientId, where(request))
      return reply.redirect(`/admin/clients/${request.params.clientId}?done=deactivated`, 303)
    },
  )
}
