/**
 * 好差评公示 (GET /ratings/public, anyone) and the data exchange in the national payload's fields
 * (GET /api/ratings/export, staff with statistics.read).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { ComponentChildren } from 'preact'
import { Type } from 'typebox'
import type { Deps } from '../../platform/deps.js'
import { ExchangePage, exportRatings } from './ratings.exchange.js'
import { PublicRatingsPage } from './ratings.public.pages.js'
import { publicSummary } from './ratings.read.js'

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: '日期（北京时间），YYYY-MM-DD' })
const OptionalDay = Type.Optional(Type.Union([Type.Literal(''), Day]))
const ErrorAnswer = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
  }),
})

/** A further section of the public page for the period (supervision's public figures). */
export type PublicExtra = (period: { from?: string; to?: string }) => Promise<ComponentChildren>

export function registerRatingPublicRoutes(scope: FastifyInstance, deps: Deps, publicExtra?: PublicExtra): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/ratings/public',
    {
      schema: { hide: true, querystring: Type.Object({ from: OptionalDay, to: OptionalDay }) },
      config: { policy: { public: true } },
    },
    async (request, reply) => {
      const from = request.query.from || undefined
      const to = request.query.to || undefined
      if (from && to && to < from) {
        return reply.page(
          PublicRatingsPage({
            summary: await publicSummary(deps),
            from,
            to,
            errors: [{ field: 'to', message: '截止日期不能早于起始日期' }],
          }),
          422,
        )
      }
      const [summary, extra] = await Promise.all([
        publicSummary(deps, { from, to }),
        publicExtra ? publicExtra({ from, to }) : undefined,
      ])
      return reply.page(PublicRatingsPage({ summary, from, to, extra }))
    },
  )

  app.get(
    '/api/ratings/export',
    {
      schema: {
        tags: ['好差评'],
        summary: '导出好差评数据（国家好差评数据交换字段）',
        description:
          '按评价时间（北京时间，起止日期均含）导出评价，按评价时间排序、分页。字段名为全国好差评系统的数据交换字段（实践中的通行写法，见 DOMAIN.md §3）；评价人姓名已脱敏。需要 statistics.read 权限。',
        querystring: Type.Object({
          from: Day,
          to: Day,
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500 })),
        }),
        response: { 200: ExchangePage, 400: ErrorAnswer, 401: ErrorAnswer, 403: ErrorAnswer, 422: ErrorAnswer },
      },
      config: { policy: { permission: 'statistics.read' } },
    },
    async (request) => {
      const { from, to, page, pageSize } = request.query
      return exportRatings(deps, { from, to, page: page ?? 1, pageSize: pageSize ?? 500 })
    },
  )
}
