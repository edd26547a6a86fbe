/**
 * The applicant's rating pages under their case: /my/applications/:id/rating (view and rate),
 * …/supplement (one supplement) and …/reply (rate the rectification's reply). Thin: ownership and
 * the rules live in the services (through the applications module's index).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import type { FieldError } from '../../platform/ui/index.js'
import { ONLINE_INDICATORS } from './ratings.codes.js'
import { indicatorInput, type RatingFormValues, RatingPage } from './ratings.my.pages.js'
import { applicantRatingView } from './ratings.read.js'
import { rateReply } from './ratings.rectification.service.js'
import { rateApplication, supplementRating } from './ratings.service.js'

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
const Params = Type.Object({ id: Type.String({ pattern: UUID }) })
const Text = (max: number) => Type.Optional(Type.String({ maxLength: max }))
const Csrf = { _csrf: Text(200) }
const Score = Type.Optional(Type.Union([Type.Literal(''), Type.String({ pattern: '^[1-5]$' })]))

const RateBody = Type.Object({
  ...Csrf,
  level: Text(2),
  reasons: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 })),
  text: Text(2000),
  ...Object.fromEntries(Object.keys(ONLINE_INDICATORS).map((code) => [indicatorInput(code), Score])),
})
type RateBodyType = {
  level?: string
  reasons?: string[]
  text?: string
} & Record<string, string | string[] | undefined>

const CITIZEN = { policy: { citizen: true } } as const
const DONE = Type.Optional(
  Type.Union([Type.Literal('rated'), Type.Literal('supplemented'), Type.Literal('reply_rated')]),
)

export function registerRatingMyRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const context = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { errors?: FieldError[]; form?: 'rate' | 'supplement' | 'reply'; values?: RatingFormValues; done?: string },
    status = 200,
  ) {
    const view = await applicantRatingView(deps, request.principal!, id)
    return reply.page(RatingPage({ view, ...extra }), status)
  }

  /** Runs a post; success → back to the page (PRG); a broken rule → the page again, with the errors. */
  async function act(
    request: FastifyRequest,
    reply: FastifyReply,
    form: 'rate' | 'supplement' | 'reply',
    values: RatingFormValues,
    rename: (field: string) => string,
    run: () => Promise<unknown>,
    done: string,
  ) {
    const { id } = request.params as { id: string }
    try {
      await run()
      return reply.redirect(`/my/applications/${id}/rating?done=${done}`, 303)
    } catch (error) {
      if (!(error instanceof DomainError) || !['invalid', 'conflict'].includes(error.kind)) throw error
      const errors: FieldError[] =
        error.details.length > 0
          ? error.details.map((d) => ({ field: rename(d.field), message: d.message }))
          : [
              {
                field: form === 'rate' ? 'level' : form === 'reply' ? 'replyLevel' : 'supplement',
                message: error.message,
              },
            ]
      return render(request, reply, id, { errors, form, values }, error.status)
    }
  }

  app.get(
    '/my/applications/:id/rating',
    { schema: { hide: true, params: Params, querystring: Type.Object({ done: DONE }) }, config: CITIZEN },
    async (request, reply) => render(request, reply, request.params.id, { done: request.query.done }),
  )

  app.post(
    '/my/applications/:id/rating',
    { schema: { hide: true, params: Params, body: RateBody }, config: CITIZEN },
    async (request, reply) => {
      const body = request.body as RateBodyType
      const indicators: Record<string, string | undefined> = {}
      for (const code of Object.keys(ONLINE_INDICATORS)) {
        const v = body[indicatorInput(code)]
        if (typeof v === 'string' && v) indicators[code] = v
      }
      const values: RatingFormValues = { level: body.level, indicators, reasons: body.reasons, text: body.text }
      return act(
        request,
        reply,
        'rate',
        values,
        (f) => (f.startsWith('indicators.') ? indicatorInput(f.slice('indicators.'.length)) : f),
        () =>
          rateApplication(
            deps,
            request.principal!,
            request.params.id,
            { level: body.level, indicators, reasons: body.reasons ?? [], text: body.text },
            context(request),
          ),
        'rated',
      )
    },
  )

  app.post(
    '/my/applications/:id/rating/supplement',
    {
      schema: { hide: true, params: Params, body: Type.Object({ ...Csrf, supplement: Text(2000) }) },
      config: CITIZEN,
    },
    async (request, reply) =>
      act(
        request,
        reply,
        'supplement',
        { supplement: request.body.supplement },
        (f) => f,
        () => supplementRating(deps, request.principal!, request.params.id, request.body.supplement, context(request)),
        'supplemented',
      ),
  )

  app.post(
    '/my/applications/:id/rating/reply',
    {
      schema: {
        hide: true,
        params: Params,
        body: Type.Object({ ...Csrf, replyLevel: Text(2), replyComment: Text(2000) }),
      },
      config: CITIZEN,
    },
    async (request, reply) =>
      act(
        request,
        reply,
        'reply',
        { replyLevel: request.body.replyLevel, replyComment: request.body.replyComment },
        (f) => f,
        () =>
          rateReply(
            deps,
            request.principal!,
            request.params.id,
            { level: request.body.replyLevel, comment: request.body.replyComment },
            context(request),
          ),
        'reply_rated',
      ),
  )
}
