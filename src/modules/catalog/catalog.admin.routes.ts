/**
 * 事项管理 (/admin/items…): the department's items and the editor for item administrators
 * (catalog.edit, own department), review, withdrawal and version history for 区编办 / 区政务服务中心
 * reviewers (catalog.review, every department), Excel export and import. Thin: the rules live
 * in catalog.service.ts, reading the form in catalog.editor.ts, the workbook in catalog.excel.ts.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Principal } from '../../platform/auth/principal.js'
import type { Deps } from '../../platform/deps.js'
import {
  contentDisposition,
  documentTypes,
  formatBytes,
  safeFileName,
  spreadsheetTypes,
} from '../../platform/files/files.js'
import { DomainError, type FieldProblem, notFound } from '../../platform/http/errors.js'
import { type DepartmentInfo, listDepartmentInfos } from '../identity/index.js'
import {
  ChangesPage,
  EditorPage,
  HistoryPage,
  ImportDonePage,
  ImportPage,
  ImportReportPage,
  ItemsListPage,
  ReviewPage,
  ReviewQueuePage,
  VersionPage,
} from './catalog.admin.pages.js'
import { diffElements, type ShowOptions } from './catalog.diff.js'
import {
  addRow,
  EDITOR_ROWS,
  type EditorValues,
  FileRefs,
  inputFromValues,
  mergeProblems,
  one,
  parseAction,
  removeRow,
  sortProblems,
  valuesFromElements,
} from './catalog.editor.js'
import { applyImport, exportWorkbook, IMPORT_MAX_BYTES, ImportTickets, planImport } from './catalog.excel.js'
import type { ItemElements, ItemFile } from './catalog.model.js'
import {
  createItem,
  findPreviousVersion,
  findPublishedVersion,
  getEditableVersion,
  getReadableVersion,
  type ItemInput,
  itemHistory,
  listOwnDepartmentItems,
  listReviewQueue,
  reviewVersion,
  saveDraft,
  startNewVersion,
  submitForReview,
  validateItem,
  withdrawItem,
} from './catalog.service.js'
import type { ItemTable, ItemVersionTable } from './catalog.tables.js'

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
const ItemParams = Type.Object({ itemId: Type.String({ pattern: UUID, description: '事项编号' }) })
const VersionParams = Type.Object({ versionId: Type.String({ pattern: UUID, description: '事项版本编号' }) })
const DoneQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) })
/** Multipart forms carry their CSRF token in the query string (the body is streamed). */
const MultipartQuery = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) })
const Csrf = Type.Optional(Type.String({ maxLength: 200 }))
const ReviewBody = Type.Object({
  _csrf: Csrf,
  decision: Type.Optional(Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('')])),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
})
const WithdrawBody = Type.Object({ _csrf: Csrf, reason: Type.Optional(Type.String({ maxLength: 500 })) })
const EmptyBody = Type.Object({ _csrf: Csrf })
const ConfirmBody = Type.Object({ _csrf: Csrf, ticket: Type.Optional(Type.String({ maxLength: 300 })) })
const DoneCounts = Type.Object({
  created: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  updated: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  unchanged: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
})

/** Blank forms and samples: documents and spreadsheets, 5 MB each. */
const ITEM_FILE_MAX_BYTES = 5 * 1024 * 1024
const itemFileTypes = [...documentTypes, ...spreadsheetTypes]
const FILE_FIELD = /^(resultSample|materials\[\d{1,2}\]\.(blankForm|sampleFile))$/

/** Refusals a person can act on (a rule, a wrong value, a state) come back on the same page. */
const isShownOnPage = (error: unknown): error is DomainError =>
  error instanceof DomainError && (error.kind === 'invalid' || error.kind === 'conflict')

const problemsOf = (error: DomainError, field: string): FieldProblem[] =>
  error.details.length > 0 ? error.details : [{ field, message: error.message }]

const invalidTicket = () =>
  new DomainError('CATALOG_IMPORT_TICKET', 'bad_request', '导入确认已失效（或不是您上传的文件），请重新上传文件。')

export function registerCatalogAdminRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const { db } = deps
  const refs = new FileRefs(deps.config.sessionSecret)
  const tickets = new ImportTickets(deps.config.sessionSecret)
  const EDIT = { policy: { permission: 'catalog.edit' } } as const
  const REVIEW = { policy: { permission: 'catalog.review' } } as const
  const EITHER = { policy: { anyPermission: ['catalog.edit', 'catalog.review'] } } as const

  const departments = () => listDepartmentInfos(db)
  const showOptions = (list: DepartmentInfo[]): ShowOptions => ({
    departmentName: (code) => list.find((d) => d.code === code)?.name,
  })
  const departmentName = (list: DepartmentInfo[], id: string) => list.find((d) => d.id === id)?.name ?? ''
  const principalOf = (request: FastifyRequest): Principal => request.principal!

  // ----- the editor -------------------------------------------------------------------------------

  /** Reads the editor's multipart form: fields as typed, uploads stored and kept by reference. */
  async function readEditorForm(request: FastifyRequest): Promise<{ values: EditorValues; problems: FieldProblem[] }> {
    const values: EditorValues = {}
    const uploads: Record<string, string> = {}
    const problems: FieldProblem[] = []
    const parts = request.parts({
      limits: { fields: 3000, parts: 3300, files: 130, fileSize: ITEM_FILE_MAX_BYTES + 1 },
      // Too large a file becomes a message beside its field, not the end of the form.
      throwFileSizeLimit: false,
    } as Parameters<FastifyRequest['parts']>[0])
    for await (const part of parts) {
      if (part.type === 'file') {
        const target = part.fieldname.replace(/\.upload$/, '')
        const buffer = await part.toBuffer()
        if (!part.filename || buffer.length === 0 || !FILE_FIELD.test(target)) continue
        if (part.file.truncated) {
          problems.push({ field: target, message: `文件不能超过 ${formatBytes(ITEM_FILE_MAX_BYTES)}` })
          continue
        }
        try {
          const stored = await deps.files.put(buffer, { maxBytes: ITEM_FILE_MAX_BYTES, allowedTypes: itemFileTypes })
          const file: ItemFile = { ...stored, fileName: safeFileName(part.filename, '文件') }
          uploads[target] = refs.sign(file)
        } catch (error) {
          if (!(error instanceof DomainError)) throw error
          problems.push({ field: target, message: error.message })
        }
        continue
      }
      const name = part.fieldname
      const value = String(part.value ?? '')
      const existing = values[name]
      values[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value]
    }
    for (const [target, token] of Object.entries(uploads)) {
      values[target] = token
      delete values[`${target}.remove`]
    }
    return { values, problems }
  }

  const filesOf = (values: EditorValues): Record<string, ItemFile | undefined> => {
    const files: Record<string, ItemFile | undefined> = {}
    for (const key of Object.keys(values)) {
      if (FILE_FIELD.test(key)) {
        const token = one(values, key)
        if (token) files[key] = refs.read(token)
      }
    }
    return files
  }

  interface EditorContext {
    item?: ItemTable
    version?: ItemVersionTable
  }

  async function renderEditor(
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: EditorContext,
    values: EditorValues,
    options: { errors?: FieldProblem[]; done?: string; focus?: string; status?: number } = {},
  ) {
    const list = await departments()
    const departmentId = ctx.item?.departmentId ?? principalOf(request).departmentId
    const department = list.find((d) => d.id === departmentId)
    const chosen = new Set(values.otherDept === undefined ? [] : [values.otherDept].flat())
    // one problem per field as the form shows it (`topics[1]` at its group), top to bottom; the
    // implementation code follows from the basic code, so its problem then adds nothing
    const problems = mergeProblems(options.errors ?? [])
    const codeProblem = problems.some((p) => p.field === 'catalogCode')
    const errors = sortProblems(problems.filter((p) => !(codeProblem && !ctx.item && p.field === 'taskCode')))
    return reply.page(
      EditorPage({
        mode: ctx.item ? 'edit' : 'new',
        action: ctx.version ? `/admin/items/versions/${ctx.version.id}/edit` : '/admin/items/new',
        values,
        errors,
        department: { name: department?.name ?? '', creditCode: department?.creditCode ?? null },
        departments: list
          .filter((d) => (d.kind === 'department' && d.id !== departmentId) || chosen.has(d.code))
          .map((d) => ({ value: d.code, label: d.shortName || d.name })),
        files: filesOf(values),
        codes: ctx.item
          ? { catalogCode: ctx.item.catalogCode, taskCode: ctx.item.taskCode, taskHandleItem: ctx.item.taskHandleItem }
          : undefined,
        version: ctx.version,
        itemId: ctx.item?.id,
        done: options.done,
        focus: options.focus,
      }),
      options.status ?? 200,
    )
  }

  /** A new item starts with the usual choices made and one empty flow step and material. */
  function newItemValues(): EditorValues {
    let values = valuesFromElements(
      {
        powerSource: '法定本级行使',
        useLevel: '区级',
        anticipateType: '工作日',
        promiseType: '工作日',
        isFee: false,
        isSchedule: false,
        isExpress: false,
        isPayOnline: false,
        isServiceTerminals: false,
        assuranceLevel: 2,
      },
      refs,
    )
    values = addRow(values, 'handleFlow').values
    values = addRow(values, 'materials').values
    values.changeNote = '新建事项'
    return values
  }

  /** Checks what the form can be read as, without saving: problems of reading, then of the schema. */
  async function formProblems(departmentId: string, input: ItemInput, reading: FieldProblem[]) {
    try {
      await validateItem(db, departmentId, input, { rules: false })
      return reading
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'VALIDATION_FAILED') throw error
      return mergeProblems(reading, error.details)
    }
  }

  /** 保存草稿 / 提交审核 / 添加一行 / 删除此行, for a new item or a draft. */
  async function editorPost(request: FastifyRequest, reply: FastifyReply, ctx: EditorContext) {
    const principal = principalOf(request)
    const form = await readEditorForm(request)
    const action = parseAction(one(form.values, 'action'))
    const { action: _action, _csrf, ...values } = form.values
    if (action.kind === 'add') {
      const added = addRow(values, action.group)
      const first = EDITOR_ROWS[action.group].fields[action.group === 'materials' ? 1 : 0]
      return renderEditor(request, reply, ctx, added.values, {
        errors: form.problems,
        focus: `${action.group}[${added.index}].${first}`,
      })
    }
    if (action.kind === 'remove') {
      return renderEditor(request, reply, ctx, removeRow(values, action.group, action.index), { errors: form.problems })
    }

    const read = inputFromValues(values, refs)
    const input: ItemInput = ctx.item
      ? {
          ...read.input,
          catalogCode: ctx.item.catalogCode,
          taskCode: ctx.item.taskCode,
          taskHandleItem: ctx.item.taskHandleItem ?? undefined,
        }
      : read.input
    const reading = [...form.problems, ...read.problems]
    const departmentId = ctx.item?.departmentId ?? principal.departmentId ?? ''
    if (reading.length > 0) {
      const errors = await formProblems(departmentId, input, reading)
      return renderEditor(request, reply, ctx, values, { errors, status: 422 })
    }
    const changeNote = one(values, 'changeNote').trim()
    let versionId = ctx.version?.id
    try {
      if (ctx.version) {
        await saveDraft(deps, principal, ctx.version.id, input, changeNote || undefined)
      } else {
        versionId = (await createItem(deps, principal, input, changeNote || '新建事项')).versionId
      }
    } catch (error) {
      if (!isShownOnPage(error)) throw error
      return renderEditor(request, reply, ctx, values, {
        errors: problemsOf(error, 'catalogCode'),
        status: error.status,
      })
    }
    const editHref = `/admin/items/versions/${versionId}/edit`
    if (action.kind === 'save') return reply.redirect(`${editHref}?done=${ctx.version ? 'saved' : 'created'}`, 303)
    try {
      await submitForReview(deps, principal, versionId!)
    } catch (error) {
      if (!isShownOnPage(error)) throw error
      // The draft is saved; show it (now with its own address) with what stops the submission.
      const saved = await getEditableVersion(db, principal, versionId!)
      return renderEditor(request, reply, saved, values, {
        errors: problemsOf(error, 'catalogCode'),
        done: 'saved_not_submitted',
        status: error.status,
      })
    }
    return reply.redirect('/admin/items?done=submitted', 303)
  }

  app.get('/admin/items', { schema: { hide: true, querystring: DoneQuery }, config: EDIT }, async (request, reply) => {
    const principal = principalOf(request)
    const [items, list] = await Promise.all([listOwnDepartmentItems(db, principal), departments()])
    return reply.page(
      ItemsListPage({
        items,
        departmentName: departmentName(list, principal.departmentId ?? ''),
        done: request.query.done,
      }),
    )
  })

  app.get('/admin/items/new', { schema: { hide: true }, config: EDIT }, async (request, reply) =>
    renderEditor(request, reply, {}, newItemValues()),
  )

  app.post(
    '/admin/items/new',
    { schema: { hide: true, querystring: MultipartQuery }, config: EDIT },
    async (request, reply) => editorPost(request, reply, {}),
  )

  app.get(
    '/admin/items/versions/:versionId/edit',
    { schema: { hide: true, params: VersionParams, querystring: DoneQuery }, config: EDIT },
    async (request, reply) => {
      const ctx = await getEditableVersion(db, principalOf(request), request.params.versionId)
      const elements = JSON.parse(ctx.version.elements) as ItemElements
      const values = { ...valuesFromElements(elements, refs), changeNote: ctx.version.changeNote ?? '' }
      return renderEditor(request, reply, ctx, values, { done: request.query.done })
    },
  )

  app.post(
    '/admin/items/versions/:versionId/edit',
    { schema: { hide: true, params: VersionParams, querystring: MultipartQuery }, config: EDIT },
    async (request, reply) => {
      const ctx = await getEditableVersion(db, principalOf(request), request.params.versionId)
      return editorPost(request, reply, ctx)
    },
  )

  app.post(
    '/admin/items/:itemId/new-version',
    { schema: { hide: true, params: ItemParams, body: EmptyBody }, config: EDIT },
    async (request, reply) => {
      const { versionId } = await startNewVersion(deps, principalOf(request), request.params.itemId)
      return reply.redirect(`/admin/items/versions/${versionId}/edit?done=version`, 303)
    },
  )

  // ----- versions ---------------------------------------------------------------------------------

  async function renderHistory(
    request: FastifyRequest,
    reply: FastifyReply,
    itemId: string,
    options: { errors?: FieldProblem[]; reason?: string; done?: string; status?: number } = {},
  ) {
    const principal = principalOf(request)
    const [{ item, versions, staffNames }, list] = await Promise.all([
      itemHistory(db, principal, itemId),
      departments(),
    ])
    const newest = versions[0]
    return reply.page(
      HistoryPage({
        itemId: item.id,
        taskName: newest?.taskName ?? item.catalogCode,
        catalogCode: item.catalogCode,
        departmentName: departmentName(list, item.departmentId),
        versions,
        staffNames,
        canEdit: principal.permissions.has('catalog.edit') && principal.departmentId === item.departmentId,
        canWithdraw: principal.permissions.has('catalog.review'),
        errors: options.errors,
        reason: options.reason,
        done: options.done,
      }),
      options.status ?? 200,
    )
  }

  app.get(
    '/admin/items/:itemId/versions',
    { schema: { hide: true, params: ItemParams, querystring: DoneQuery }, config: EITHER },
    async (request, reply) => renderHistory(request, reply, request.params.itemId, { done: request.query.done }),
  )

  const headerOf = async (item: ItemTable, version: ItemVersionTable, list: DepartmentInfo[]) => ({
    itemId: item.id,
    departmentName: departmentName(list, item.departmentId),
    version,
  })

  app.get(
    '/admin/items/versions/:versionId',
    { schema: { hide: true, params: VersionParams }, config: EITHER },
    async (request, reply) => {
      const { item, version } = await getReadableVersion(db, principalOf(request), request.params.versionId)
      const list = await departments()
      return reply.page(
        VersionPage({
          header: await headerOf(item, version, list),
          elements: JSON.parse(version.elements) as ItemElements,
          show: showOptions(list),
        }),
      )
    },
  )

  app.get(
    '/admin/items/versions/:versionId/changes',
    { schema: { hide: true, params: VersionParams }, config: EITHER },
    async (request, reply) => {
      const { item, version } = await getReadableVersion(db, principalOf(request), request.params.versionId)
      const previous = await findPreviousVersion(db, version)
      if (!previous) throw notFound('上一个版本：这是第 1 版')
      const list = await departments()
      const changes = diffElements(
        JSON.parse(previous.elements) as ItemElements,
        JSON.parse(version.elements) as ItemElements,
        showOptions(list),
      )
      return reply.page(ChangesPage({ header: await headerOf(item, version, list), previous, changes }))
    },
  )

  app.post(
    '/admin/items/:itemId/withdraw',
    { schema: { hide: true, params: ItemParams, body: WithdrawBody }, config: REVIEW },
    async (request, reply) => {
      const reason = request.body.reason ?? ''
      try {
        await withdrawItem(deps, principalOf(request), request.params.itemId, reason)
      } catch (error) {
        if (!isShownOnPage(error)) throw error
        return renderHistory(request, reply, request.params.itemId, {
          errors: problemsOf(error, 'reason'),
          reason,
          status: error.status,
        })
      }
      return reply.redirect(`/admin/items/${request.params.itemId}/versions?done=withdrawn`, 303)
    },
  )

  // ----- review -----------------------------------------------------------------------------------

  app.get(
    '/admin/items/review',
    { schema: { hide: true, querystring: DoneQuery }, config: REVIEW },
    async (request, reply) =>
      reply.page(ReviewQueuePage({ rows: await listReviewQueue(db), done: request.query.done })),
  )

  async function renderReview(
    request: FastifyRequest,
    reply: FastifyReply,
    versionId: string,
    options: { errors?: FieldProblem[]; comment?: string; status?: number } = {},
  ) {
    const principal = principalOf(request)
    const { item, version } = await getReadableVersion(db, principal, versionId)
    const [list, published, history] = await Promise.all([
      departments(),
      findPublishedVersion(db, item),
      itemHistory(db, principal, item.id),
    ])
    const elements = JSON.parse(version.elements) as ItemElements
    const show = showOptions(list)
    const changes = published ? diffElements(JSON.parse(published.elements) as ItemElements, elements, show) : []
    return reply.page(
      ReviewPage({
        header: {
          ...(await headerOf(item, version, list)),
          submittedByName: version.submittedBy
            ? (history.staffNames.get(version.submittedBy) ?? version.submittedBy)
            : undefined,
        },
        elements,
        changes,
        published: published ? { version: published.version } : undefined,
        errors: options.errors,
        comment: options.comment,
        show,
      }),
      options.status ?? 200,
    )
  }

  app.get(
    '/admin/items/review/:versionId',
    { schema: { hide: true, params: VersionParams }, config: REVIEW },
    async (request, reply) => renderReview(request, reply, request.params.versionId),
  )

  app.post(
    '/admin/items/review/:versionId',
    { schema: { hide: true, params: VersionParams, body: ReviewBody }, config: REVIEW },
    async (request, reply) => {
      const { decision, comment = '' } = request.body
      const { versionId } = request.params
      if (decision !== 'approve' && decision !== 'reject') {
        return renderReview(request, reply, versionId, {
          errors: [{ field: 'comment', message: '请选择「审核通过并发布」或「退回修改」' }],
          comment,
          status: 422,
        })
      }
      try {
        await reviewVersion(deps, principalOf(request), versionId, { approve: decision === 'approve', comment })
      } catch (error) {
        if (!isShownOnPage(error)) throw error
        return renderReview(request, reply, versionId, {
          errors: problemsOf(error, 'comment'),
          comment,
          status: error.status,
        })
      }
      return reply.redirect(`/admin/items/review?done=${decision === 'approve' ? 'approved' : 'rejected'}`, 303)
    },
  )

  // ----- Excel ------------------------------------------------------------------------------------

  app.get('/admin/items/export.xlsx', { schema: { hide: true }, config: EITHER }, async (request, reply) => {
    const buffer = await exportWorkbook(deps, principalOf(request))
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(deps.clock.now())
    return reply
      .type(spreadsheetTypes[0]!.mime)
      .header('content-disposition', contentDisposition(`政务服务事项实施清单-${day}.xlsx`))
      .header('cache-control', 'no-store')
      .send(buffer)
  })

  app.get('/admin/items/import', { schema: { hide: true }, config: EDIT }, async (_request, reply) =>
    reply.page(ImportPage({})),
  )

  const importRefused = (reply: FastifyReply, message: string, status: number) =>
    reply.page(ImportPage({ errors: [{ field: 'file', message }] }), status)

  app.post(
    '/admin/items/import',
    { schema: { hide: true, querystring: MultipartQuery }, config: EDIT },
    async (request, reply) => {
      const principal = principalOf(request)
      const part = await request.file({
        limits: { fileSize: IMPORT_MAX_BYTES + 1, files: 1, fields: 10 },
        throwFileSizeLimit: false,
      } as Parameters<FastifyRequest['file']>[0])
      const buffer = part ? await part.toBuffer() : undefined
      if (!part || !buffer || !part.filename || buffer.length === 0) {
        return importRefused(reply, '请选择要导入的 Excel 文件（.xlsx）', 422)
      }
      if (part.file.truncated) {
        return importRefused(reply, `文件不能超过 ${formatBytes(IMPORT_MAX_BYTES)}，请拆分后分次导入`, 413)
      }
      let sha256: string
      let plan: Awaited<ReturnType<typeof planImport>>
      try {
        sha256 = (await deps.files.put(buffer, { maxBytes: IMPORT_MAX_BYTES, allowedTypes: spreadsheetTypes })).sha256
        plan = await planImport(deps, principal, buffer)
      } catch (error) {
        if (!(error instanceof DomainError) || error.status >= 500) throw error
        return importRefused(reply, error.message, error.status)
      }
      const ticket = tickets.issue(principal.staffId ?? principal.accountId, sha256)
      return reply.page(ImportReportPage({ plan, ticket }), plan.problems.length > 0 ? 422 : 200)
    },
  )

  app.post(
    '/admin/items/import/confirm',
    { schema: { hide: true, body: ConfirmBody }, config: EDIT },
    async (request, reply) => {
      const principal = principalOf(request)
      const sha256 = tickets.read(principal.staffId ?? principal.accountId, request.body.ticket ?? '')
      if (!sha256) throw invalidTicket()
      const content = await deps.files.get(sha256)
      const chunks: Buffer[] = []
      for await (const chunk of content.stream) chunks.push(chunk as Buffer)
      const result = await applyImport(deps, principal, Buffer.concat(chunks), sha256)
      if (!result.written) {
        return reply.page(
          ImportReportPage({ plan: result.plan, confirmed: true }),
          result.plan.problems.length > 0 ? 422 : 200,
        )
      }
      const query = new URLSearchParams({
        created: String(result.created),
        updated: String(result.updated),
        unchanged: String(result.plan.counts.unchanged),
      })
      return reply.redirect(`/admin/items/import/done?${query}`, 303)
    },
  )

  app.get(
    '/admin/items/import/done',
    { schema: { hide: true, querystring: DoneCounts }, config: EDIT },
    async (request, reply) => {
      const { created = 0, updated = 0, unchanged = 0 } = request.query
      return reply.page(ImportDonePage({ created, updated, unchanged }))
    },
  )
}
