/**
 * The window's 评价器 (/ratings/window, 一次一评): window staff choose the case just handled (by its
 * 办件编号), the applicant taps one of five buttons; a bad rating asks for the reason. Each screen
 * carries a new visit id, so a double tap records one rating.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import { findApplicationFacts, findApplicationFactsByNo } from '../applications/index.js'
import { findDepartmentInfo } from '../identity/index.js'
import { isBadLevel } from './ratings.codes.js'
import { windowOtherDepartment } from './ratings.errors.js'
import { rateAtWindow } from './ratings.service.js'
import { type PadProps, WindowPadPage, WindowPickPage, WindowReasonPage } from './ratings.window.pages.js'

/** Window staff: the clerks who receive and accept at the counter. */
export const WINDOW_STAFF = ['applications.receive', 'applications.accept'] as const
const WINDOW = { policy: { anyPermission: WINDOW_STAFF } } as const
const Id = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' })

export function registerRatingWindowRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()

  async function padProps(applicationId: string, visitId: string): Promise<PadProps | undefined> {
    const facts = await findApplicationFacts(deps.db, applicationId)
    if (!facts?.applicationNo) return undefined
    const department = await findDepartmentInfo(deps.db, facts.departmentId)
    return {
      applicationId: facts.id,
      applicationNo: facts.applicationNo,
      itemName: facts.itemName,
      departmentName: department?.name ?? '',
      visitId,
    }
  }

  app.get(
    '/ratings/window',
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          no: Type.Optional(Type.String({ maxLength: 40 })),
          done: Type.Optional(Type.String({ maxLength: 4 })),
        }),
      },
      config: WINDOW,
    },
    async (request, reply) => {
      const principal = request.principal!
      const raw = request.query.no?.trim()
      if (!raw) return reply.page(WindowPickPage({ done: request.query.done === '1' }))
      const facts = await findApplicationFactsByNo(deps.db, raw)
      if (!facts || facts.state === 'draft') {
        return reply.page(
          WindowPickPage({ value: raw, errors: [{ field: 'no', message: '找不到这个办件编号，请核对后重新输入' }] }),
          404,
        )
      }
      if (facts.departmentId !== principal.departmentId) throw windowOtherDepartment()
      const props = await padProps(facts.id, newId())
      if (!props) throw windowOtherDepartment()
      return reply.page(WindowPadPage(props))
    },
  )

  app.post(
    '/ratings/window',
    {
      schema: {
        hide: true,
        body: Type.Object({
          _csrf: Type.Optional(Type.String({ maxLength: 200 })),
          applicationId: Id,
          visitId: Id,
          level: Type.Optional(Type.String({ maxLength: 2 })),
          reasons: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 })),
          text: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
      },
      config: WINDOW,
    },
    async (request, reply) => {
      const body = request.body
      try {
        await rateAtWindow(
          deps,
          request.principal!,
          {
            applicationId: body.applicationId,
            visitId: body.visitId,
            level: body.level,
            reasons: body.reasons ?? [],
            text: body.text,
          },
          { ip: request.ip, requestId: request.id },
        )
        return reply.redirect('/ratings/window?done=1', 303)
      } catch (error) {
        if (!(error instanceof DomainError)) throw error
        if (error.code === 'RATING_VISIT_ALREADY_GIVEN') return reply.redirect('/ratings/window?done=1', 303)
        const level = Number(body.level)
        if (error.kind !== 'invalid' || !Number.isInteger(level) || !isBadLevel(level) || level < 1) throw error
        // 不满意 / 非常不满意 without a reason: the second screen asks for it (not an error the first time).
        const props = await padProps(body.applicationId, body.visitId)
        if (!props) throw error
        const firstTime = body.reasons === undefined && body.text === undefined
        return reply.page(
          WindowReasonPage({
            ...props,
            level,
            text: body.text,
            errors: firstTime ? undefined : error.details.map((d) => ({ field: d.field, message: d.message })),
          }),
          firstTime ? 200 : 422,
        )
      }
    },
  )
}
