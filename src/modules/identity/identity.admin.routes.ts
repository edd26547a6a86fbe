/**
 * 系统管理 pages (/admin/staff, /admin/departments, /admin/service-points) for the system
 * administrator. Thin: the rules (三员分立, department scope) live in identity.admin.ts.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'
import {
  activeServicePoints,
  assignableDepartments,
  createStaff,
  createSubUnit,
  deactivateStaff,
  grantRole,
  listDepartmentTree,
  listServicePoints,
  listStaff,
  type RequestContext,
  revokeRole,
  type StaffFilters,
  staffDetail,
} from './identity.admin.js'
import {
  DepartmentsPage,
  ServicePointsPage,
  StaffCreatedPage,
  StaffFormPage,
  type StaffFormValues,
  StaffListPage,
  StaffPage,
} from './identity.admin.pages.js'

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
const StaffParams = Type.Object({ id: Type.String({ pattern: UUID, description: '工作人员编号' }) })
const optionalText = (maxLength: number) => Type.Optional(Type.String({ maxLength }))

const StaffListQuery = Type.Object({
  department: Type.Optional(Type.String({ maxLength: 40 })),
  q: optionalText(50),
  role: optionalText(40),
  status: Type.Optional(
    Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('all'), Type.Literal('')]),
  ),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
})

const StaffBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  name: optionalText(60),
  employeeNo: optionalText(40),
  loginName: optionalText(64),
  departmentId: optionalText(40),
  servicePointId: optionalText(40),
  position: optionalText(100),
  roles: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
  passwordMode: optionalText(10),
  password: optionalText(200),
})

const RoleBody = Type.Object({ _csrf: Type.Optional(Type.String()), role: optionalText(40) })
const DeactivateBody = Type.Object({ _csrf: Type.Optional(Type.String()), reason: optionalText(200) })
const DoneQuery = Type.Object({ done: optionalText(20) })
const SubUnitBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  parentId: optionalText(40),
  code: optionalText(64),
  name: optionalText(120),
  shortName: optionalText(60),
})

const contextOf = (request: FastifyRequest): RequestContext => ({ ip: request.ip, requestId: request.id })

/** Refusals a person can act on (a rule, a wrong value) come back on the same page. */
const isShownOnPage = (error: unknown): error is DomainError =>
  error instanceof DomainError && (error.kind === 'invalid' || error.kind === 'conflict')

const problemsOf = (error: DomainError, field: string) =>
  error.details.length > 0 ? error.details : [{ field, message: error.message }]

export function registerAdminRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const { db } = deps
  const staffPolicy = { policy: { permission: 'admin.staff' } } as const
  const departmentsPolicy = { policy: { permission: 'admin.departments' } } as const

  const departmentOptions = async (request: FastifyRequest) =>
    (await assignableDepartments(db, request.principal!)).map((d) => ({
      value: d.id,
      label: d.parentId ? `└ ${d.name}` : d.name,
    }))

  app.get(
    '/admin/staff',
    { schema: { hide: true, querystring: StaffListQuery }, config: staffPolicy },
    async (request, reply) => {
      const q = request.query
      const filters: StaffFilters = {
        departmentId: q.department || undefined,
        q: q.q || undefined,
        role: q.role || undefined,
        status: q.status || 'active',
        page: q.page,
      }
      const [list, departments] = await Promise.all([
        listStaff(db, request.principal!, filters),
        departmentOptions(request),
      ])
      return reply.page(StaffListPage({ list, filters, departments }))
    },
  )

  const staffForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: StaffFormValues = {},
    errors: FieldProblem[] = [],
    status = 200,
  ) => {
    const [departments, points] = await Promise.all([departmentOptions(request), activeServicePoints(db)])
    return reply.page(
      StaffFormPage({
        values,
        errors,
        departments,
        servicePoints: points.map((p) => ({ value: p.id, label: p.name })),
      }),
      status,
    )
  }

  app.get('/admin/staff/new', { schema: { hide: true }, config: staffPolicy }, async (request, reply) =>
    staffForm(request, reply),
  )

  app.post('/admin/staff', { schema: { hide: true, body: StaffBody }, config: staffPolicy }, async (request, reply) => {
    const { _csrf, password, ...values } = request.body
    try {
      const result = await createStaff(
        deps,
        request.principal!,
        {
          name: values.name ?? '',
          employeeNo: values.employeeNo ?? '',
          loginName: values.loginName ?? '',
          departmentId: values.departmentId ?? '',
          servicePointId: values.servicePointId || undefined,
          position: values.position,
          roles: values.roles ?? [],
          passwordMode: values.passwordMode === 'set' ? 'set' : 'generate',
          password,
        },
        contextOf(request),
      )
      return reply.page(
        StaffCreatedPage({
          staffId: result.staffId,
          name: values.name?.trim() ?? '',
          loginName: values.loginName?.trim().toLowerCase() ?? '',
          initialPassword: result.initialPassword,
        }),
      )
    } catch (error) {
      if (!isShownOnPage(error)) throw error
      return staffForm(request, reply, values, problemsOf(error, 'roles'), error.status)
    }
  })

  app.get(
    '/admin/staff/:id',
    { schema: { hide: true, params: StaffParams, querystring: DoneQuery }, config: staffPolicy },
    async (request, reply) =>
      reply.page(
        StaffPage({ detail: await staffDetail(db, request.principal!, request.params.id), done: request.query.done }),
      ),
  )

  const staffAction = (
    path: string,
    body: typeof RoleBody | typeof DeactivateBody,
    field: string,
    done: string,
    run: (
      request: FastifyRequest<{ Params: { id: string }; Body: { role?: string; reason?: string } }>,
    ) => Promise<void>,
  ) =>
    app.post(
      path,
      { schema: { hide: true, params: StaffParams, body }, config: staffPolicy },
      async (request, reply) => {
        const typed = request as FastifyRequest<{ Params: { id: string }; Body: { role?: string; reason?: string } }>
        try {
          await run(typed)
        } catch (error) {
          if (!isShownOnPage(error)) throw error
          const detail = await staffDetail(db, request.principal!, typed.params.id)
          return reply.page(StaffPage({ detail, errors: problemsOf(error, field) }), error.status)
        }
        return reply.redirect(`/admin/staff/${typed.params.id}?done=${done}`, 303)
      },
    )

  staffAction('/admin/staff/:id/roles/grant', RoleBody, 'role', 'granted', (request) =>
    grantRole(deps, request.principal!, request.params.id, request.body.role ?? '', contextOf(request)),
  )
  staffAction('/admin/staff/:id/roles/revoke', RoleBody, 'role', 'revoked', (request) =>
    revokeRole(deps, request.principal!, request.params.id, request.body.role ?? '', contextOf(request)),
  )
  staffAction('/admin/staff/:id/deactivate', DeactivateBody, 'reason', 'deactivated', (request) =>
    deactivateStaff(deps, request.principal!, request.params.id, { reason: request.body.reason }, contextOf(request)),
  )

  app.get(
    '/admin/departments',
    { schema: { hide: true, querystring: DoneQuery }, config: departmentsPolicy },
    async (request, reply) =>
      reply.page(DepartmentsPage({ tree: await listDepartmentTree(db, request.principal!), done: request.query.done })),
  )

  app.post(
    '/admin/departments/sub-units',
    { schema: { hide: true, body: SubUnitBody }, config: departmentsPolicy },
    async (request, reply) => {
      const { _csrf, ...values } = request.body
      try {
        await createSubUnit(
          deps,
          request.principal!,
          values.parentId ?? '',
          { code: values.code ?? '', name: values.name ?? '', shortName: values.shortName ?? '' },
          contextOf(request),
        )
      } catch (error) {
        if (!isShownOnPage(error)) throw error
        const tree = await listDepartmentTree(db, request.principal!)
        return reply.page(DepartmentsPage({ tree, values, errors: problemsOf(error, 'code') }), error.status)
      }
      return reply.redirect('/admin/departments?done=created', 303)
    },
  )

  app.get(
    '/admin/service-points',
    { schema: { hide: true }, config: { policy: { anyPermission: ['admin.staff', 'admin.departments'] } } },
    async (request, reply) =>
      reply.page(ServicePointsPage({ points: await listServicePoints(db, request.principal!) })),
  )
}
