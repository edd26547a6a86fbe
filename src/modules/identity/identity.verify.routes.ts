import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { lookUpPerson, raiseAssurance, viewPersonFull } from './identity.verify.js'
import { PersonLookupPage } from './identity.verify.pages.js'

const LOOKUP = { permission: 'persons.lookup' } as const
const Id = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) })

export function registerVerifyRoutes(app: FastifyInstance, deps: Deps): void {
  const context = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })
  const refused = (error: unknown) => error instanceof DomainError && ['invalid', 'not_found'].includes(error.kind)
  const errorsOf = (error: DomainError) =>
    error.details.length > 0 ? error.details : [{ field: 'idNumber', message: error.message }]

  app.get('/staff/persons', { schema: { hide: true }, config: { policy: LOOKUP } }, async (_request, reply) =>
    reply.page(PersonLookupPage({})),
  )

  app.post(
    '/staff/persons/lookup',
    {
      schema: {
        hide: true,
        body: Type.Object({ _csrf: Type.Optional(Type.String()), idNumber: Type.String({ maxLength: 40 }) }),
      },
      config: { policy: LOOKUP },
    },
    async (request, reply) => {
      const { idNumber } = request.body as { idNumber: string }
      try {
        return reply.page(PersonLookupPage({ idNumber, person: await lookUpPerson(deps, idNumber) }))
      } catch (error) {
        if (refused(error))
          return reply.page(
            PersonLookupPage({ idNumber, errors: errorsOf(error as DomainError) }),
            (error as DomainError).status,
          )
        throw error
      }
    },
  )

  app.post(
    '/staff/persons/:id/full',
    {
      schema: {
        hide: true,
        params: Id,
        body: Type.Object({
          _csrf: Type.Optional(Type.String()),
          idNumber: Type.String({ maxLength: 40 }),
          reason: Type.Optional(Type.String({ maxLength: 40 })),
          note: Type.Optional(Type.String({ maxLength: 200 })),
        }),
      },
      config: { policy: LOOKUP },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      const body = request.body as { idNumber: string; reason?: string; note?: string }
      const person = await lookUpPerson(deps, body.idNumber)
      if (person.id !== id) throw new DomainError('PERSON_MISMATCH', 'bad_request', '请重新查找后再查看。')
      try {
        const full = await viewPersonFull(
          deps,
          request.principal!,
          id,
          { reason: body.reason ?? '', note: body.note },
          context(request),
        )
        reply.header('cache-control', 'no-store')
        return reply.page(PersonLookupPage({ idNumber: body.idNumber, person, full }))
      } catch (error) {
        if (refused(error))
          return reply.page(
            PersonLookupPage({ idNumber: body.idNumber, person, errors: errorsOf(error as DomainError) }),
            422,
          )
        throw error
      }
    },
  )

  app.post(
    '/staff/persons/:id/assurance',
    {
      schema: {
        hide: true,
        params: Id,
        body: Type.Object({
          _csrf: Type.Optional(Type.String()),
          idNumber: Type.String({ maxLength: 40 }),
          method: Type.Optional(Type.String({ maxLength: 40 })),
        }),
      },
      config: { policy: LOOKUP },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      const body = request.body as { idNumber: string; method?: string }
      try {
        const person = await raiseAssurance(deps, request.principal!, id, body.method ?? '', context(request))
        return reply.page(
          PersonLookupPage({ idNumber: body.idNumber, person, notice: '已完成身份核验，实名等级已更新。' }),
        )
      } catch (error) {
        if (refused(error)) {
          const person = await lookUpPerson(deps, body.idNumber)
          return reply.page(
            PersonLookupPage({ idNumber: body.idNumber, person, errors: errorsOf(error as DomainError) }),
            422,
          )
        }
        throw error
      }
    },
  )
}
