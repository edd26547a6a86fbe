/**
 * Staff pages of 差评整改: the department's list and case page with its actions (回访核实, 核实结论,
 * 整改答复), the supervisors' list, the appeal decision and the settings. Thin: who may act on
 * which record is decided in the services (own department; supervisors see all).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import type { FieldError } from '../../platform/ui/index.js'
import {
  DEPARTMENT_TABS,
  type DepartmentTab,
  departmentRectifications,
  rectificationCase,
  SUPERVISOR_TABS,
  type SupervisorTab,
  supervisorRectifications,
} from './ratings.read.js'
import {
  classifyRectification,
  decideAppeal,
  recordCallback,
  replyRectification,
} from './ratings.rectification.service.js'
import { loadRatingSettings, SETTING_FIELDS, saveRatingSettings, settingValues } from './ratings.settings.js'
import {
  CASE_DONE,
  type CaseDone,
  type CaseForm,
  DepartmentListPage,
  RectificationCasePage,
  SettingsPage,
  SupervisorListPage,
} from './ratings.staff.pages.js'

/** Department staff who handle cases ("谁办理谁负责": the department that handled it answers). */
export const DEPARTMENT_STAFF = ['applications.accept', 'tasks.handle'] as const
const DEPARTMENT = { policy: { anyPermission: DEPARTMENT_STAFF } } as const
const CASE_VIEWERS = { policy: { anyPermission: [...DEPARTMENT_STAFF, 'supervision.read'] } } as const
const SUPERVISION = { policy: { permission: 'supervision.read' } } as const
const APPEALS = { policy: { permission: 'ratings.appeal_decide' } } as const
const SETTINGS = { policy: { permission: 'supervision.handle' } } as const

const PAGE_SIZE = 30
const Id = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' })
const Params = Type.Object({ id: Id })
const Text = (max: number) => Type.Optional(Type.String({ maxLength: max }))
const Csrf = { _csrf: Text(200) }
const Page = Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 }))
const enumOf = (values: readonly string[]) => Type.Optional(Type.Union(values.map((v) => Type.Literal(v))))

export function registerRatingStaffRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const context = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })

  // ----- the department's list ----------------------------------------------------------------------

  app.get(
    '/ratings/rectifications',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ tab: enumOf(Object.keys(DEPARTMENT_TABS)), page: Page }),
      },
      config: DEPARTMENT,
    },
    async (request, reply) => {
      const tab = (request.query.tab ?? 'todo') as DepartmentTab
      const page = request.query.page ?? 1
      const result = await departmentRectifications(deps, request.principal!, { tab, page, pageSize: PAGE_SIZE })
      return reply.page(DepartmentListPage({ tab, page, pageSize: PAGE_SIZE, ...result }))
    },
  )

  // ----- the case page -------------------------------------------------------------------------------

  async function renderCase(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { errors?: FieldError[]; form?: CaseForm; values?: Record<string, string | undefined>; done?: CaseDone },
    status = 200,
  ) {
    const principal = request.principal!
    const [view, settings] = await Promise.all([rectificationCase(deps, principal, id), loadRatingSettings(deps.db)])
    const back = view.viewerIsDepartment
      ? { backHref: '/ratings/rectifications', backLabel: '差评整改' }
      : { backHref: '/supervision/ratings', backLabel: '好差评督办' }
    return reply.page(RectificationCasePage({ view, termDays: settings.termDays, ...back, ...extra }), status)
  }

  app.get(
    '/ratings/rectifications/:id',
    {
      schema: {
        hide: true,
        params: Params,
        querystring: Type.Object({ done: enumOf(Object.keys(CASE_DONE)) }),
      },
      config: CASE_VIEWERS,
    },
    async (request, reply) =>
      renderCase(request, reply, request.params.id, { done: request.query.done as CaseDone | undefined }),
  )

  /** Runs an action; success → the case again (PRG) saying what was done; a broken rule → the form with errors. */
  async function act(
    request: FastifyRequest,
    reply: FastifyReply,
    form: CaseForm,
    rename: Record<string, string>,
    run: () => Promise<{ done: CaseDone }>,
  ) {
    const { id } = request.params as { id: string }
    try {
      const { done } = await run()
      return reply.redirect(`/ratings/rectifications/${id}?done=${done}`, 303)
    } catch (error) {
      if (!(error instanceof DomainError) || !['invalid', 'conflict'].includes(error.kind)) throw error
      const errors: FieldError[] =
        error.details.length > 0
          ? error.details.map((d) => ({ field: rename[d.field] ?? d.field, message: d.message }))
          : [{ field: form, message: error.message }]
      const values = Object.fromEntries(
        Object.entries((request.body ?? {}) as Record<string, unknown>)
          .filter(([k, v]) => k !== '_csrf' && typeof v === 'string')
          .map(([k, v]) => [k, v as string]),
      )
      return renderCase(request, reply, id, { errors, form, values }, error.status)
    }
  }

  app.post(
    '/ratings/rectifications/:id/callback',
    {
      schema: { hide: true, params: Params, body: Type.Object({ ...Csrf, method: Text(40), note: Text(4000) }) },
      config: DEPARTMENT,
    },
    async (request, reply) =>
      act(request, reply, 'callback', {}, async () => {
        await recordCallback(deps, request.principal!, request.params.id, request.body, context(request))
        return { done: 'callback' }
      }),
  )

  app.post(
    '/ratings/rectifications/:id/classify',
    {
      schema: {
        hide: true,
        params: Params,
        body: Type.Object({
          ...Csrf,
          outcome: Text(40),
          severity: Text(40),
          explanation: Text(4000),
          appealReason: Text(4000),
        }),
      },
      config: DEPARTMENT,
    },
    async (request, reply) =>
      act(request, reply, 'classify', {}, async () => {
        const done = await classifyRectification(
          deps,
          request.principal!,
          request.params.id,
          request.body,
          context(request),
        )
        return {
          done:
            done.state === 'rectifying'
              ? 'classify_valid'
              : done.state === 'explained'
                ? 'classify_explained'
                : 'appeal',
        }
      }),
  )

  app.post(
    '/ratings/rectifications/:id/reply',
    {
      schema: { hide: true, params: Params, body: Type.Object({ ...Csrf, reply: Text(4000) }) },
      config: DEPARTMENT,
    },
    async (request, reply) =>
      act(request, reply, 'reply', {}, async () => {
        await replyRectification(deps, request.principal!, request.params.id, request.body, context(request))
        return { done: 'reply' }
      }),
  )

  app.post(
    '/ratings/rectifications/:id/appeal-decision',
    {
      schema: {
        hide: true,
        params: Params,
        body: Type.Object({ ...Csrf, decision: Text(20), appealSeverity: Text(40), appealNote: Text(4000) }),
      },
      config: APPEALS,
    },
    async (request, reply) =>
      act(request, reply, 'decide', {}, async () => {
        const { decision, appealSeverity, appealNote } = request.body
        const done = await decideAppeal(
          deps,
          request.principal!,
          request.params.id,
          { decision, severity: appealSeverity, note: appealNote },
          context(request),
        )
        return { done: done.state === 'closed' ? 'upheld' : 'rejected' }
      }),
  )

  // ----- the supervisors' list -------------------------------------------------------------------------

  app.get(
    '/supervision/ratings',
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          tab: enumOf(Object.keys(SUPERVISOR_TABS)),
          department: Type.Optional(Type.Union([Type.Literal(''), Id])),
          page: Page,
        }),
      },
      config: SUPERVISION,
    },
    async (request, reply) => {
      const tab = (request.query.tab ?? 'appeals') as SupervisorTab
      const page = request.query.page ?? 1
      const departmentId = request.query.department || undefined
      const result = await supervisorRectifications(deps, { tab, departmentId, page, pageSize: PAGE_SIZE })
      return reply.page(
        SupervisorListPage({
          tab,
          departmentId,
          page,
          pageSize: PAGE_SIZE,
          ...result,
          canEditSettings: request.principal!.permissions.has('supervision.handle'),
        }),
      )
    },
  )

  // ----- settings ----------------------------------------------------------------------------------------

  app.get(
    '/supervision/ratings/settings',
    { schema: { hide: true, querystring: Type.Object({ done: Text(10) }) }, config: SUPERVISION },
    async (request, reply) =>
      reply.page(
        SettingsPage({
          values: settingValues(await loadRatingSettings(deps.db)),
          canEdit: request.principal!.permissions.has('supervision.handle'),
          done: request.query.done === '1',
        }),
      ),
  )

  app.post(
    '/supervision/ratings/settings',
    {
      schema: {
        hide: true,
        body: Type.Object({ ...Csrf, ...Object.fromEntries(SETTING_FIELDS.map((f) => [f.key, Text(10)])) }),
      },
      config: SETTINGS,
    },
    async (request, reply) => {
      const body = request.body as Record<string, string | undefined>
      try {
        await saveRatingSettings(deps, request.principal!, body, context(request))
        return reply.redirect('/supervision/ratings/settings?done=1', 303)
      } catch (error) {
        if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error
        const current = settingValues(await loadRatingSettings(deps.db))
        const values = Object.fromEntries(SETTING_FIELDS.map((f) => [f.key, body[f.key] ?? current[f.key]])) as Record<
          (typeof SETTING_FIELDS)[number]['key'],
          string | number
        >
        return reply.page(SettingsPage({ values, canEdit: true, errors: error.details }), 422)
      }
    },
  )
}
