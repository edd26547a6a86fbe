/**
 * Staff of issuing departments:
 * - GET /staff/licenses (?q=identifier) — the license desk: recent licenses of the department, one
 *   found by its identifier; POST /staff/licenses/:id/revoke — 注销 with a reason (licenses.revoke);
 * - /staff/licenses/import… — the import of existing licenses (licenses.issue): template, upload
 *   and check, the job page with its report or progress, confirm, status (JSON, polled by
 *   public/js/site.js), the problems as CSV.
 * Thin: the rules live in licenses.service.ts and licenses.import.ts.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { todayInShanghai } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import { contentDisposition } from '../../platform/files/files.js'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'
import { findDepartmentInfo, sameDepartmentOrParent } from '../identity/index.js'
import {
  checkImport,
  confirmImport,
  IMPORT_MAX_BYTES,
  importableTypes,
  importColumns,
  importJob,
  importTemplate,
  problemsCsv,
  recentImportJobs,
  runImportJob,
} from './licenses.import.js'
import {
  findLicenseView,
  getLicense,
  getLicenseType,
  LICENSES_ISSUE,
  LICENSES_REVOKE,
  type LicenseView,
  listDepartmentLicenses,
  revokeLicense,
} from './licenses.service.js'
import { ImportJobPage, ImportStartPage, StaffLicensesPage } from './licenses.staff.pages.js'
import { walletStateOf } from './licenses.wallet.js'

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
const IdParams = Type.Object({ id: Type.String({ pattern: UUID }) })
const DeskQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  done: Type.Optional(Type.Literal('revoked')),
})
const RevokeBody = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
})
const CsrfOnly = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) })
const TypeParams = Type.Object({ type: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }) })
const StartQuery = Type.Object({ type: Type.Optional(Type.String({ maxLength: 40 })) })
const MultipartQuery = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) })
const JobQuery = Type.Object({ done: Type.Optional(Type.Literal('confirmed')) })
const JobStatus = Type.Object({
  state: Type.String({ description: 'checked / rejected / queued / running / done / failed' }),
  label: Type.String(),
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
  processedRows: Type.Integer(),
  totalRows: Type.Integer(),
  importedRows: Type.Integer(),
})

const REVOKE = { policy: { permission: LICENSES_REVOKE } } as const
const IMPORT = { policy: { permission: LICENSES_ISSUE } } as const

export function registerStaffLicenseRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const where = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })

  /** A license of the caller's department, or undefined (another department's is not shown). */
  async function ownLicense(request: FastifyRequest, identifier: string): Promise<LicenseView | undefined> {
    const license = await findLicenseView(deps, identifier.trim())
    if (!license) return undefined
    const department = await findDepartmentInfo(deps.db, license.issuer.departmentId)
    return sameDepartmentOrParent(request.principal, department) ? license : undefined
  }

  async function desk(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { q?: string; license?: LicenseView; errors?: FieldProblem[]; done?: string; status?: number },
  ) {
    const principal = request.principal!
    const recent = principal.departmentId ? await listDepartmentLicenses(deps, principal.departmentId) : []
    const today = todayInShanghai(deps.clock.now())
    reply.header('cache-control', 'private, no-store')
    return reply.page(
      StaffLicensesPage({
        q: options.q,
        license: options.license,
        walletState: options.license ? walletStateOf(options.license, today) : undefined,
        recent,
        errors: options.errors,
        done: options.done,
        canImport: principal.permissions.has(LICENSES_ISSUE),
      }),
      options.status ?? 200,
    )
  }

  app.get(
    '/staff/licenses',
    { schema: { hide: true, querystring: DeskQuery }, config: REVOKE },
    async (request, reply) => {
      const q = request.query.q?.trim() ?? ''
      const done = request.query.done === 'revoked' ? '证照已注销。持证人和核验页面现在都显示「已注销」。' : undefined
      if (!q) return desk(request, reply, { done })
      const license = await ownLicense(request, q)
      if (!license) {
        return desk(request, reply, {
          q,
          errors: [{ field: 'q', message: '本部门签发的证照中没有这个标识，请核对' }],
          status: 404,
        })
      }
      return desk(request, reply, { q, license, done })
    },
  )

  app.post(
    '/staff/licenses/:id/revoke',
    { schema: { hide: true, params: IdParams, body: RevokeBody }, config: REVOKE },
    async (request, reply) => {
      try {
        const revoked = await revokeLicense(
          deps,
          request.principal!,
          request.params.id,
          { reason: request.body.reason ?? '' },
          where(request),
        )
        return reply.redirect(`/staff/licenses?q=${encodeURIComponent(revoked.identifier)}&done=revoked`, 303)
      } catch (error) {
        if (!(error instanceof DomainError) || !['invalid', 'conflict'].includes(error.kind)) throw error
        const license = await getLicense(deps, request.params.id)
        const errors = error.details.length > 0 ? error.details : [{ field: 'reason', message: error.message }]
        return desk(request, reply, {
          q: license.identifier,
          license,
          errors,
          status: error.kind === 'invalid' ? 422 : 409,
        })
      }
    },
  )

  // ----- import -------------------------------------------------------------------------------------

  async function startPage(
    request: FastifyRequest,
    reply: FastifyReply,
    errors?: FieldProblem[],
    type?: string,
    status = 200,
  ) {
    const principal = request.principal!
    const types = await importableTypes(deps, principal)
    return reply.page(
      ImportStartPage({
        types: types.map((t) => ({ ...t, columns: importColumns(t) })),
        jobs: await recentImportJobs(deps, principal),
        errors,
        type,
      }),
      status,
    )
  }

  app.get(
    '/staff/licenses/import',
    { schema: { hide: true, querystring: StartQuery }, config: IMPORT },
    async (request, reply) => startPage(request, reply, undefined, request.query.type),
  )

  app.get(
    '/staff/licenses/import/template/:type',
    { schema: { hide: true, params: TypeParams }, config: IMPORT },
    async (request, reply) => {
      const type = await getLicenseType(deps, request.params.type)
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', contentDisposition(`${type.name}-导入模板.xlsx`))
        .header('cache-control', 'no-store')
        .send(await importTemplate(type))
    },
  )

  app.post(
    '/staff/licenses/import',
    { schema: { hide: true, querystring: MultipartQuery }, config: IMPORT },
    async (request, reply) => {
      const part = await request.file({
        limits: { fileSize: IMPORT_MAX_BYTES + 1, files: 1, fields: 10 },
        throwFileSizeLimit: false,
      } as Parameters<FastifyRequest['file']>[0])
      const typeField = part?.fields.type as { value?: unknown } | undefined
      const type = typeof typeField?.value === 'string' ? typeField.value : ''
      const buffer = part ? await part.toBuffer() : undefined
      if (!type) return startPage(request, reply, [{ field: 'type', message: '请选择证照类型' }], undefined, 422)
      if (!part || !buffer || buffer.length === 0 || !part.filename) {
        return startPage(request, reply, [{ field: 'file', message: '请选择要导入的文件（.xlsx 或 .csv）' }], type, 422)
      }
      if (part.file.truncated) {
        return startPage(
          request,
          reply,
          [{ field: 'file', message: '文件不能超过 10 MB，请拆分后分次导入' }],
          type,
          413,
        )
      }
      try {
        const job = await checkImport(
          deps,
          request.principal!,
          type,
          { buffer, fileName: part.filename },
          where(request),
        )
        return reply.redirect(`/staff/licenses/import/${job.id}`, 303)
      } catch (error) {
        if (!(error instanceof DomainError) || error.status >= 500 || error.kind === 'forbidden') throw error
        return startPage(
          request,
          reply,
          [{ field: error.code === 'LICENSE_TYPE_NOT_FOUND' ? 'type' : 'file', message: error.message }],
          type,
          error.status,
        )
      }
    },
  )

  app.get(
    '/staff/licenses/import/:id',
    { schema: { hide: true, params: IdParams, querystring: JobQuery }, config: IMPORT },
    async (request, reply) => {
      const job = await importJob(deps, request.principal!, request.params.id)
      reply.header('cache-control', 'no-store')
      return reply.page(
        ImportJobPage({ job, done: request.query.done ? '已确认，正在导入。' : undefined }),
        job.state === 'rejected' ? 422 : 200,
      )
    },
  )

  app.get(
    '/staff/licenses/import/:id/status',
    {
      schema: { hide: true, params: IdParams, response: { 200: JobStatus } },
      config: IMPORT,
    },
    async (request, reply) => {
      const job = await importJob(deps, request.principal!, request.params.id)
      reply.header('cache-control', 'no-store')
      return {
        state: job.state,
        label: job.stateLabel,
        percent: job.percent,
        processedRows: job.processedRows,
        totalRows: job.totalRows,
        importedRows: job.importedRows,
      }
    },
  )

  app.get(
    '/staff/licenses/import/:id/problems.csv',
    { schema: { hide: true, params: IdParams }, config: IMPORT },
    async (request, reply) => {
      const job = await importJob(deps, request.principal!, request.params.id)
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', contentDisposition(`导入问题清单-${job.fileName}.csv`))
        .header('cache-control', 'no-store')
        .send(problemsCsv(job))
    },
  )

  app.post(
    '/staff/licenses/import/:id/confirm',
    { schema: { hide: true, params: IdParams, body: CsrfOnly }, config: IMPORT },
    async (request, reply) => {
      await confirmImport(deps, request.principal!, request.params.id, where(request))
      // Started here at once; the sweep picks it up too if this process stops.
      setImmediate(() => {
        runImportJob(deps, request.params.id).catch((err) => request.log.error({ err }, 'license import failed'))
      })
      return reply.redirect(`/staff/licenses/import/${request.params.id}?done=confirmed`, 303)
    },
  )
}
