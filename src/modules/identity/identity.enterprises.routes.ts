/**
 * 我的企业 (/my/enterprises), switching the acting identity (/my/acting-as) and the window's
 * registration of an enterprise (/staff/enterprises). Thin: the rules live in
 * identity.enterprises.ts.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { safeLocalPath } from '../../platform/http/redirects.js'
import {
  ENTERPRISES_VERIFY,
  enterpriseView,
  grantAgent,
  myEnterprisesView,
  type RequestContext,
  registerEnterprise,
  revokeAgent,
  switchActingEnterprise,
} from './identity.enterprises.js'
import {
  EnterprisePage,
  MyEnterprisesPage,
  RegisterEnterprisePage,
  StaffRegisterEnterprisePage,
  StaffRegisteredPage,
} from './identity.enterprises.pages.js'

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

const EnterpriseParams = Type.Object({ id: Type.String({ pattern: `^${UUID}$`, description: '企业编号' }) })
const GrantParams = Type.Object({
  id: Type.String({ pattern: `^${UUID}$`, description: '企业编号' }),
  grantId: Type.String({ pattern: `^${UUID}$`, description: '授权编号' }),
})
const DoneQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) })

const ActingAsBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  /** '' switches back to 个人. */
  enterpriseId: Type.String({ pattern: `^(${UUID})?$` }),
  return: Type.Optional(Type.String({ maxLength: 2000 })),
})

const optionalText = (maxLength: number) => Type.Optional(Type.String({ maxLength }))

const EnterpriseBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  creditCode: optionalText(40),
  name: optionalText(200),
  kind: optionalText(20),
  address: optionalText(400),
  registeredAt: optionalText(20),
})

const StaffEnterpriseBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  creditCode: optionalText(40),
  name: optionalText(200),
  kind: optionalText(20),
  address: optionalText(400),
  registeredAt: optionalText(20),
  legalRepIdNumber: optionalText(40),
  legalRepName: optionalText(60),
  overrideReason: optionalText(400),
})

const GrantBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  agentIdNumber: optionalText(40),
  agentName: optionalText(60),
  scope: optionalText(10),
  itemCodes: optionalText(4000),
  validUntil: optionalText(20),
})

const RevokeBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  reason: optionalText(200),
})

const contextOf = (request: FastifyRequest): RequestContext => ({ ip: request.ip, requestId: request.id })

const isInvalid = (error: unknown): error is DomainError =>
  error instanceof DomainError && error.code === 'VALIDATION_FAILED'

export function registerEnterpriseRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const citizen = { policy: { citizen: true } } as const

  app.get(
    '/my/enterprises',
    { schema: { hide: true, querystring: DoneQuery }, config: citizen },
    async (request, reply) =>
      reply.page(
        MyEnterprisesPage({ view: await myEnterprisesView(deps, request.principal!), done: request.query.done }),
      ),
  )

  app.post('/my/acting-as', { schema: { hide: true, body: ActingAsBody }, config: citizen }, async (request, reply) => {
    const target = request.body.enterpriseId || null
    await switchActingEnterprise(deps, request.principal!, target, contextOf(request))
    return reply.redirect(safeLocalPath(request.body.return, '/my/enterprises?done=switched'), 303)
  })

  app.get('/my/enterprises/new', { schema: { hide: true }, config: citizen }, async (_request, reply) =>
    reply.page(RegisterEnterprisePage({})),
  )

  app.post(
    '/my/enterprises',
    { schema: { hide: true, body: EnterpriseBody }, config: citizen },
    async (request, reply) => {
      const { _csrf, ...values } = request.body
      try {
        const { id } = await registerEnterprise(
          deps,
          request.principal!,
          {
            creditCode: values.creditCode ?? '',
            name: values.name ?? '',
            kind: values.kind ?? '',
            address: values.address,
            registeredAt: values.registeredAt,
          },
          contextOf(request),
        )
        return reply.redirect(`/my/enterprises/${id}?done=registered`, 303)
      } catch (error) {
        if (isInvalid(error)) return reply.page(RegisterEnterprisePage({ values, errors: error.details }), 422)
        throw error
      }
    },
  )

  app.get(
    '/my/enterprises/:id',
    { schema: { hide: true, params: EnterpriseParams, querystring: DoneQuery }, config: citizen },
    async (request, reply) =>
      reply.page(
        EnterprisePage({
          view: await enterpriseView(deps, request.principal!, request.params.id),
          done: request.query.done,
        }),
      ),
  )

  app.post(
    '/my/enterprises/:id/agents',
    { schema: { hide: true, params: EnterpriseParams, body: GrantBody }, config: citizen },
    async (request, reply) => {
      const { _csrf, ...values } = request.body
      try {
        await grantAgent(
          deps,
          request.principal!,
          {
            enterpriseId: request.params.id,
            agentIdNumber: values.agentIdNumber ?? '',
            agentName: values.agentName ?? '',
            scope: values.scope ?? '',
            itemCodes: values.itemCodes ? [values.itemCodes] : [],
            validUntil: values.validUntil ?? '',
          },
          contextOf(request),
        )
        return reply.redirect(`/my/enterprises/${request.params.id}?done=granted#agents`, 303)
      } catch (error) {
        if (!isInvalid(error)) throw error
        const view = await enterpriseView(deps, request.principal!, request.params.id)
        return reply.page(EnterprisePage({ view, values, errors: error.details }), 422)
      }
    },
  )

  app.post(
    '/my/enterprises/:id/agents/:grantId/revoke',
    { schema: { hide: true, params: GrantParams, body: RevokeBody }, config: citizen },
    async (request, reply) => {
      await revokeAgent(
        deps,
        request.principal!,
        request.params.grantId,
        { reason: request.body.reason },
        contextOf(request),
      )
      return reply.redirect(`/my/enterprises/${request.params.id}?done=revoked#agents`, 303)
    },
  )

  // ----- the window ----------------------------------------------------------------------------

  const verify = { policy: { permission: ENTERPRISES_VERIFY } } as const

  app.get('/staff/enterprises/new', { schema: { hide: true }, config: verify }, async (_request, reply) =>
    reply.page(StaffRegisterEnterprisePage({})),
  )

  app.post(
    '/staff/enterprises',
    { schema: { hide: true, body: StaffEnterpriseBody }, config: verify },
    async (request, reply) => {
      const { _csrf, ...values } = request.body
      try {
        const result = await registerEnterprise(
          deps,
          request.principal!,
          {
            creditCode: values.creditCode ?? '',
            name: values.name ?? '',
            kind: values.kind ?? '',
            address: values.address,
            registeredAt: values.registeredAt,
            legalRepIdNumber: values.legalRepIdNumber,
            legalRepName: values.legalRepName,
            overrideReason: values.overrideReason,
          },
          contextOf(request),
        )
        return reply.page(
          StaffRegisteredPage({
            name: values.name?.trim() ?? '',
            creditCode: result.creditCode,
            overridden: result.overridden,
          }),
        )
      } catch (error) {
        if (isInvalid(error)) return reply.page(StaffRegisterEnterprisePage({ values, errors: error.details }), 422)
        throw error
      }
    },
  )
}
