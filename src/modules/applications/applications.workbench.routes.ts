/**
 * The staff workbench (工作台), HTML: the inbox at /workbench and the case page with its actions
 * at /workbench/cases/:id. Thin: parse, call the service, render the page again with a success
 * notice or the errors beside the form that failed (the case page keeps what was typed).
 *
 * Record-level rules stay in the service and read functions: staff see a case of their own
 * department (or one on which their department has a task); the other department's staff get 403.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Principal } from '../../platform/auth/principal.js'
import { addWorkingDays } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'
import type { FieldError } from '../../platform/ui/index.js'
import type { FormData } from './applications.forms.js'
import { formFor } from './applications.forms.registry.js'
import { chosenItemName, inboxItemChoices } from './applications.inbox-items.js'
import {
  caseMaterialFile,
  inboxCounts,
  listColleagues,
  staffNames,
  workbenchCase,
  workbenchInbox,
} from './applications.read.js'
import {
  acceptApplication,
  claimTask,
  completeTask,
  extendClock,
  pauseClock,
  rejectApplication,
  requestCorrection,
  resumeClock,
  returnTask,
  transferTask,
} from './applications.service.js'
import {
  type CaseFormState,
  CasePage,
  type ClaimResult,
  correctionCandidates,
  DONE_KEYS,
  type Done,
  type DoneKey,
  InboxPage,
  type InboxQuery,
  type InboxView,
  ItemsPage,
  readCorrection,
  type Viewer,
} from './applications.workbench.pages.js'

const STAFF = { policy: { anyPermission: ['applications.accept', 'tasks.handle'] } } as const
const PRE_REVIEW = { policy: { permission: 'applications.accept' } } as const
/** Window clerks handle 即办件 tasks of their role; the service checks department and role. */
const TASKS = { policy: { anyPermission: ['tasks.handle', 'applications.accept'] } } as const
const CLOCK = { policy: { permission: 'tasks.handle' } } as const
const EXTEND = { policy: { permission: 'clock.extend' } } as const

const PAGE_SIZE = 30
const Id = Type.String({ pattern: '^[0-9a-f-]{36}$' })
const CaseParams = Type.Object({ id: Id })
const TaskParams = Type.Object({ id: Id, taskId: Id })
const Text = (max: number) => Type.Optional(Type.String({ maxLength: max }))
const Csrf = { _csrf: Text(200) }

const InboxFilters = {
  view: Type.Optional(Type.Union([Type.Literal('pre_review'), Type.Literal('tasks')])),
  item: Type.Optional(Type.Union([Id, Type.Literal('')])),
  colour: Type.Optional(
    Type.Union([Type.Literal('red'), Type.Literal('yellow'), Type.Literal('green'), Type.Literal('')]),
  ),
  mine: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('')])),
}

interface InboxInput {
  view?: InboxView
  item?: string
  colour?: '' | 'red' | 'yellow' | 'green'
  mine?: '' | '1'
  page?: number
}

export function registerWorkbenchRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const context = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })
  const principalOf = (request: FastifyRequest): Principal => request.principal!

  // ----- the inbox -------------------------------------------------------------------------------

  function queryOf(principal: Principal, input: InboxInput): InboxQuery {
    const canPreReview = principal.permissions.has('applications.accept')
    const view: InboxView = input.view === 'tasks' || !canPreReview ? 'tasks' : (input.view ?? 'pre_review')
    return {
      view,
      item: input.item || undefined,
      colour: input.colour || undefined,
      mine: view === 'tasks' && input.mine === '1',
      page: Math.max(1, input.page ?? 1),
    }
  }

  async function renderInbox(
    request: FastifyRequest,
    reply: FastifyReply,
    query: InboxQuery,
    extra: { claimResults?: ClaimResult[]; errors?: FieldError[] } = {},
    status = 200,
  ) {
    const principal = principalOf(request)
    // The counts first: without filters the tab's count is the list's total.
    const counts = await inboxCounts(deps, principal)
    const result = await workbenchInbox(deps, principal, {
      view: query.view,
      itemId: query.item,
      colour: query.colour,
      mine: query.mine,
      page: query.page,
      pageSize: PAGE_SIZE,
      unfilteredTotal: query.view === 'pre_review' ? counts.preReview : counts.tasks,
    })
    const chosenItem = query.item
      ? {
          value: query.item,
          label: await chosenItemName(
            deps,
            query.item,
            result.rows.map((r) => r.itemName),
          ),
        }
      : undefined
    const names = await staffNames(
      deps,
      result.rows.map((r) => r.assigneeStaffId),
    )
    const tabs = [
      ...(principal.permissions.has('applications.accept')
        ? [{ view: 'pre_review' as const, label: '待受理', count: counts.preReview }]
        : []),
      { view: 'tasks' as const, label: '待办理', count: counts.tasks },
    ]
    return reply.page(
      InboxPage({
        query,
        tabs,
        rows: result.rows,
        total: result.total,
        pageSize: PAGE_SIZE,
        chosenItem,
        assignees: Object.fromEntries([...names].map(([id, s]) => [id, s.name])),
        myStaffId: principal.staffId ?? '',
        ...extra,
      }),
      status,
    )
  }

  app.get(
    '/workbench',
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          ...InboxFilters,
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
        }),
      },
      config: STAFF,
    },
    async (request, reply) => renderInbox(request, reply, queryOf(principalOf(request), request.query as InboxInput)),
  )

  // The items of the list, to filter it by one (linked from the inbox's filter).
  app.get(
    '/workbench/items',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ ...InboxFilters, q: Text(50) }),
      },
      config: STAFF,
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const input = request.query as InboxInput & { q?: string }
      const query = queryOf(principal, { ...input, item: undefined })
      return reply.page(
        ItemsPage({
          query,
          listLabel: query.view === 'pre_review' ? '待受理' : '待办理',
          choices: await inboxItemChoices(deps, principal, query.view),
          q: (input.q ?? '').trim(),
        }),
      )
    },
  )

  app.post(
    '/workbench/claim',
    {
      schema: {
        hide: true,
        body: Type.Object({
          ...Csrf,
          ...InboxFilters,
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
          taskIds: Type.Optional(Type.Array(Id, { maxItems: 100 })),
          batch: Text(20),
        }),
      },
      config: STAFF,
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const body = request.body as InboxInput & { taskIds?: string[] }
      const query = { ...queryOf(principal, { ...body, view: 'tasks' }) }
      const ids = [...new Set(body.taskIds ?? [])]
      if (ids.length === 0) {
        return renderInbox(
          request,
          reply,
          query,
          { errors: [{ field: 'taskIds', message: '请至少勾选一个待签收的办理环节' }] },
          422,
        )
      }
      // One by one: a task someone else took meanwhile is reported, the others are still claimed.
      const claimResults: ClaimResult[] = []
      for (const taskId of ids) {
        try {
          await claimTask(deps, principal, taskId, context(request))
          claimResults.push({ taskId, ok: true, message: '已签收' })
        } catch (error) {
          if (!(error instanceof DomainError) || error.status >= 500) throw error
          claimResults.push({ taskId, ok: false, message: error.message })
        }
      }
      return renderInbox(request, reply, query, { claimResults })
    },
  )

  // ----- the case page ---------------------------------------------------------------------------

  function viewerOf(principal: Principal): Viewer {
    return {
      staffId: principal.staffId ?? '',
      departmentId: principal.departmentId ?? '',
      roles: principal.roles,
      canAccept: principal.permissions.has('applications.accept'),
      canHandleTasks: principal.permissions.has('tasks.handle'),
      canExtend: principal.permissions.has('clock.extend'),
      canLookUpPersons: principal.permissions.has('persons.lookup'),
    }
  }

  async function renderCase(
    request: FastifyRequest,
    reply: FastifyReply,
    applicationId: string,
    state: CaseFormState = {},
    status = 200,
  ) {
    const principal = principalOf(request)
    const data = await workbenchCase(deps, principal, applicationId)
    const roles = new Set(
      data.tasks
        .filter(
          (t) =>
            ['open', 'claimed'].includes(t.state) &&
            t.departmentId === principal.departmentId &&
            principal.roles.includes(t.role),
        )
        .map((t) => t.role),
    )
    const colleagues: Record<string, { id: string; name: string }[]> = {}
    for (const role of roles) colleagues[role] = await listColleagues(deps, principal, role)
    const cal = await deps.calendar.load()
    return reply.page(
      CasePage({
        data,
        viewer: viewerOf(principal),
        form: formFor(data.version),
        preReviewDue:
          data.app.state === 'submitted' && data.app.receivedOn
            ? addWorkingDays(cal, data.app.receivedOn, 5)
            : undefined,
        colleagues,
        state,
      }),
      status,
    )
  }

  /**
   * Runs an action, then shows the case again: after success (a redirect, so a reload repeats
   * nothing) with what was done; for a rule the input broke or a state that moved on, at once with
   * the errors at the form (`form` is its anchor), keeping what was typed. Other refusals
   * (another department: 403) become the error page.
   */
  async function act(
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      form: string
      /** Service field names → the names of this page's inputs. */
      fields?: (field: string) => string
      run: () => Promise<Done>
    },
  ) {
    const { id } = request.params as { id: string }
    try {
      const done = await options.run()
      // Post/Redirect/Get: the page then says what was done, and reloading it repeats nothing.
      const task = done.task ? `&task=${done.task}` : ''
      return reply.redirect(`/workbench/cases/${id}?done=${done.done}${task}`, 303)
    } catch (error) {
      if (!(error instanceof DomainError) || !['invalid', 'conflict'].includes(error.kind)) throw error
      const errors: FieldError[] =
        error.details.length > 0
          ? error.details.map((d: FieldProblem) => ({
              field: options.fields?.(d.field) ?? d.field,
              message: d.message,
            }))
          : [{ field: options.form, message: error.message }]
      return renderCase(
        request,
        reply,
        id,
        { errors, form: options.form, values: (request.body ?? {}) as Record<string, unknown> },
        error.status,
      )
    }
  }

  const rename =
    (map: Record<string, string>) =>
    (field: string): string =>
      map[field] ?? field

  app.get(
    '/workbench/cases/:id',
    {
      schema: {
        hide: true,
        params: CaseParams,
        querystring: Type.Object({
          done: Type.Optional(Type.Enum([...DONE_KEYS])),
          task: Type.Optional(Id),
        }),
      },
      config: STAFF,
    },
    async (request, reply) => {
      const { done, task } = request.query as { done?: DoneKey; task?: string }
      return renderCase(request, reply, (request.params as { id: string }).id, done ? { done: { done, task } } : {})
    },
  )

  app.get(
    '/workbench/cases/:id/materials/:sha256',
    {
      schema: { hide: true, params: Type.Object({ id: Id, sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) }) },
      config: STAFF,
    },
    async (request, reply) => {
      const { id, sha256 } = request.params as { id: string; sha256: string }
      const file = await caseMaterialFile(deps, principalOf(request), id, sha256)
      const content = await deps.files.get(sha256)
      // Shown in the browser: images and PDFs (same origin, no plug-ins); anything else is saved.
      const inline = ['application/pdf', 'image/jpeg', 'image/png'].includes(content.mime)
      return reply
        .header('content-type', content.mime)
        .header('content-length', String(content.size))
        .header(
          'content-disposition',
          `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
        )
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .send(content.stream)
    },
  )

  // ----- pre-review (行政许可法 §32) ---------------------------------------------------------------

  app.post(
    '/workbench/cases/:id/accept',
    { schema: { hide: true, params: CaseParams, body: Type.Object({ ...Csrf }) }, config: PRE_REVIEW },
    async (request, reply) =>
      act(request, reply, {
        form: 'accept',
        run: async () => {
          await acceptApplication(deps, principalOf(request), (request.params as { id: string }).id, context(request))
          return { done: 'accepted' }
        },
      }),
  )

  app.post(
    '/workbench/cases/:id/reject',
    {
      schema: {
        hide: true,
        params: CaseParams,
        body: Type.Object({ ...Csrf, rejectReason: Text(1000), whereToApply: Text(200) }),
      },
      config: PRE_REVIEW,
    },
    async (request, reply) => {
      const body = request.body as { rejectReason?: string; whereToApply?: string }
      return act(request, reply, {
        form: 'reject',
        fields: rename({ reason: 'rejectReason' }),
        run: async () => {
          await rejectApplication(
            deps,
            principalOf(request),
            (request.params as { id: string }).id,
            { reason: body.rejectReason ?? '', whereToApply: body.whereToApply },
            context(request),
          )
          return { done: 'rejected' }
        },
      })
    },
  )

  app.post(
    '/workbench/cases/:id/correction',
    {
      schema: {
        hide: true,
        params: CaseParams,
        body: Type.Record(
          Type.String({ maxLength: 200 }),
          Type.Union([Type.String({ maxLength: 2000 }), Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 5 })]),
        ),
      },
      config: PRE_REVIEW,
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { id } = request.params as { id: string }
      const body = request.body as Record<string, unknown>
      // The candidates come from the case itself: a posted key names nothing else.
      const data = await workbenchCase(deps, principal, id)
      const groups = correctionCandidates(
        formFor(data.version),
        JSON.parse(data.app.formData) as FormData,
        data.elements.materials,
        data.materials,
      )
      const { problems, errors } = readCorrection(groups, body)
      if (errors.length > 0) {
        return renderCase(request, reply, id, { errors, form: 'correction', values: body }, 422)
      }
      return act(request, reply, {
        form: 'correction',
        fields: (field) => {
          const match = /^problems\[(\d+)\]\.(message|key)$/.exec(field)
          const problem = match ? problems[Number(match[1])] : undefined
          if (!problem) return field === 'problems' ? 'problems' : 'correction'
          return match?.[2] === 'message' ? `message.${problem.id}` : `pick.${problem.id}`
        },
        run: async () => {
          await requestCorrection(
            deps,
            principal,
            id,
            problems.map(({ target, key, message }) => ({ target, key, message })),
            context(request),
          )
          return { done: 'correction' }
        },
      })
    },
  )

  // ----- tasks -----------------------------------------------------------------------------------

  const taskIdOf = (request: FastifyRequest) => (request.params as { taskId: string }).taskId

  app.post(
    '/workbench/cases/:id/tasks/:taskId/claim',
    { schema: { hide: true, params: TaskParams, body: Type.Object({ ...Csrf }) }, config: TASKS },
    async (request, reply) =>
      act(request, reply, {
        form: `claim-${taskIdOf(request)}`,
        run: async () => {
          await claimTask(deps, principalOf(request), taskIdOf(request), context(request))
          return { done: 'claimed', task: taskIdOf(request) }
        },
      }),
  )

  app.post(
    '/workbench/cases/:id/tasks/:taskId/complete',
    {
      schema: {
        hide: true,
        params: TaskParams,
        body: Type.Object({ ...Csrf, outcome: Text(20), opinion: Text(2000) }),
      },
      config: TASKS,
    },
    async (request, reply) => {
      const body = request.body as { outcome?: string; opinion?: string }
      return act(request, reply, {
        form: `complete-${taskIdOf(request)}`,
        run: async () => {
          if (body.outcome !== 'agree' && body.outcome !== 'disagree') {
            throw new DomainError('VALIDATION_FAILED', 'invalid', '请选择同意或不同意', [
              { field: 'outcome', message: '请选择同意或不同意' },
            ])
          }
          const after = await completeTask(
            deps,
            principalOf(request),
            taskIdOf(request),
            { outcome: body.outcome, opinion: body.opinion ?? '' },
            context(request),
          )
          if (after.state === 'completed') return { done: 'decided' }
          return { done: body.outcome === 'agree' ? 'agreed' : 'disagreed', task: taskIdOf(request) }
        },
      })
    },
  )

  app.post(
    '/workbench/cases/:id/tasks/:taskId/return',
    {
      schema: {
        hide: true,
        params: TaskParams,
        body: Type.Object({ ...Csrf, toStage: Text(3), returnReason: Text(1000) }),
      },
      config: TASKS,
    },
    async (request, reply) => {
      const body = request.body as { toStage?: string; returnReason?: string }
      const toStage = /^\d{1,2}$/.test(body.toStage ?? '') ? Number(body.toStage) : -1
      return act(request, reply, {
        form: `return-${taskIdOf(request)}`,
        fields: rename({ reason: 'returnReason' }),
        run: async () => {
          await returnTask(
            deps,
            principalOf(request),
            taskIdOf(request),
            { toStage, reason: body.returnReason ?? '' },
            context(request),
          )
          return { done: 'returned' }
        },
      })
    },
  )

  app.post(
    '/workbench/cases/:id/tasks/:taskId/transfer',
    {
      schema: {
        hide: true,
        params: TaskParams,
        body: Type.Object({ ...Csrf, toStaffId: Text(40), transferReason: Text(200) }),
      },
      config: TASKS,
    },
    async (request, reply) => {
      const body = request.body as { toStaffId?: string; transferReason?: string }
      return act(request, reply, {
        form: `transfer-${taskIdOf(request)}`,
        run: async () => {
          const principal = principalOf(request)
          if (!body.toStaffId) {
            throw new DomainError('VALIDATION_FAILED', 'invalid', '请选择转给哪位同事', [
              { field: 'toStaffId', message: '请选择转给哪位同事' },
            ])
          }
          await transferTask(
            deps,
            principal,
            taskIdOf(request),
            body.toStaffId,
            (body.transferReason ?? '').trim(),
            context(request),
          )
          return { done: 'transferred', task: taskIdOf(request) }
        },
      })
    },
  )

  // ----- the clock (行政许可法 §42, §45) -----------------------------------------------------------

  app.post(
    '/workbench/cases/:id/clock/pause',
    {
      schema: {
        hide: true,
        params: CaseParams,
        body: Type.Object({ ...Csrf, procedure: Text(40), expectedDays: Text(10), procedureNote: Text(500) }),
      },
      config: CLOCK,
    },
    async (request, reply) => {
      const body = request.body as { procedure?: string; expectedDays?: string; procedureNote?: string }
      const days = (body.expectedDays ?? '').normalize('NFKC').trim()
      return act(request, reply, {
        form: 'pause',
        fields: rename({ reason: 'procedure' }),
        run: async () => {
          await pauseClock(
            deps,
            principalOf(request),
            (request.params as { id: string }).id,
            {
              reason: body.procedure ?? '',
              expectedDays: /^\d{1,3}$/.test(days) ? Number(days) : 0,
              note: body.procedureNote ?? '',
            },
            context(request),
          )
          return { done: 'paused' }
        },
      })
    },
  )

  app.post(
    '/workbench/cases/:id/clock/resume',
    { schema: { hide: true, params: CaseParams, body: Type.Object({ ...Csrf }) }, config: CLOCK },
    async (request, reply) =>
      act(request, reply, {
        form: 'pause',
        run: async () => {
          await resumeClock(deps, principalOf(request), (request.params as { id: string }).id, context(request))
          return { done: 'resumed' }
        },
      }),
  )

  app.post(
    '/workbench/cases/:id/clock/extend',
    {
      schema: { hide: true, params: CaseParams, body: Type.Object({ ...Csrf, extendReason: Text(500) }) },
      config: EXTEND,
    },
    async (request, reply) => {
      const body = request.body as { extendReason?: string }
      return act(request, reply, {
        form: 'extend',
        fields: rename({ reason: 'extendReason' }),
        run: async () => {
          await extendClock(
            deps,
            principalOf(request),
            (request.params as { id: string }).id,
            { reason: body.extendReason ?? '' },
            context(request),
          )
          return { done: 'extended' }
        },
      })
    },
  )
}
