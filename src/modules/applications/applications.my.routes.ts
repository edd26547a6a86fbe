/**
 * The applicant's side after submitting: 我的办件 (/my/applications, with drafts), the case page,
 * 撤回, the one-notice correction (补正), the printable notices and the material files; and the
 * public progress query (/progress). Thin: the rules live in applications.service.ts and
 * applications.read.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Principal } from '../../platform/auth/principal.js'
import { todayInShanghai } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import { contentDisposition } from '../../platform/files/files.js'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'
import type { ItemElements } from '../catalog/index.js'
import { listActingOptions } from '../identity/index.js'
import type { MaterialState } from './applications.apply.pages.js'
import {
  effectiveMaterials,
  MAX_MATERIAL_FILE_BYTES,
  materialStates,
  materialsAfterPost,
  readMaterialsForm,
} from './applications.apply.routes.js'
import {
  type FormData,
  type FormDefinition,
  type FormField,
  type FormSection,
  isFieldRequired,
  parseFormBody,
  rowLabel,
  rowsOf,
  type SectionValues,
} from './applications.forms.js'
import { formFor } from './applications.forms.registry.js'
import {
  CasePage,
  type CasePageProps,
  type CorrectionGroup,
  CorrectionPage,
  MyApplicationsPage,
  ProgressPage,
  SwitchIdentityPage,
  WithdrawPage,
} from './applications.my.pages.js'
import { NoticePage, noticeView, problemTarget } from './applications.notices.pages.js'
import { renderNoticePdf } from './applications.notices.pdf.js'
import { formatApplicationNo } from './applications.numbers.js'
import { caseView, listMyApplications, listMyDrafts, materialForDownload, publicProgress } from './applications.read.js'
import {
  type CorrectionProblem,
  discardDraft,
  getApplication,
  type MaterialInput,
  openCorrectionProblems,
  resubmitCorrection,
  withdrawApplication,
} from './applications.service.js'
import { canTransition } from './applications.states.js'
import type { ApplicationMaterialTable } from './applications.tables.js'

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
const Id = (description: string) => Type.String({ pattern: UUID, description })
const ApplicationParams = Type.Object({ id: Id('办件编号（内部）') })
const NoticeParams = Type.Object({ id: Id('办件编号（内部）'), noticeId: Id('文书编号（内部）') })
const MaterialParams = Type.Object({ id: Id('办件编号（内部）'), materialId: Id('材料编号（内部）') })
const ItemParams = Type.Object({ itemId: Id('事项编号') })
const ListQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  done: Type.Optional(Type.String({ maxLength: 20 })),
})
const DoneQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) })
const Csrf = Type.Optional(Type.String({ maxLength: 200 }))
const EmptyBody = Type.Object({ _csrf: Csrf })
const WithdrawBody = Type.Object({ _csrf: Csrf, reason: Type.Optional(Type.String({ maxLength: 2000 })) })
const MultipartQuery = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) })
const ProgressBody = Type.Object({
  _csrf: Csrf,
  applicationNo: Type.Optional(Type.String({ maxLength: 100 })),
  nameOrMobile: Type.Optional(Type.String({ maxLength: 100 })),
})

const CITIZEN = { policy: { citizen: true } } as const
/** The applicant, or staff of the owning department (caseView decides which). */
const APPLICANT_OR_STAFF = { policy: { authenticated: true } } as const
/** The progress query answers anyone, so it is what someone guessing numbers would hammer. */
const PROGRESS_LIMIT = { max: 10, timeWindow: 60_000 }
const PAGE_SIZE = 20

// ---------------------------------------------------------------------------------------------
// The correction form: only what the notice names

interface CorrectionTarget {
  /** The key of the mini section: `business`, or `safety_staff[1]` for a row. */
  groupKey: string
  section: FormSection
  row?: number
  field: FormField
  message: string
}

const PROBLEM_KEY = /^([a-z][a-z0-9_]*)(?:\[(\d{1,3})\])?\.([a-z][a-z0-9_]*)$/

/**
 * The fields a correction notice names, with the officer's message. A repeating section named
 * without a row stands for each of its rows.
 */
export function correctionTargets(form: FormDefinition, problems: CorrectionProblem[], data: FormData) {
  const targets: CorrectionTarget[] = []
  for (const p of problems) {
    if (p.target !== 'field') continue
    const match = PROBLEM_KEY.exec(p.key)
    const section = match ? form.sections.find((s) => s.key === match[1]) : undefined
    const field = section?.fields.find((f) => f.key === match?.[3])
    if (!match || !section || !field) continue
    const rows =
      match[2] !== undefined
        ? [Number(match[2])]
        : section.repeat
          ? rowsOf(data, section).map((_, i) => i)
          : [undefined]
    for (const row of rows) {
      targets.push({
        groupKey: row === undefined ? section.key : `${section.key}[${row}]`,
        section,
        row,
        field,
        message: p.message,
      })
    }
  }
  return targets
}

/**
 * The named fields as small forms of their own: one section per section (or row) of the real
 * form, holding only the named fields, keyed so that the input names are the real ones
 * (`business.area`, `safety_staff[1].name`) and errors land beside them.
 */
function correctionGroups(
  form: FormDefinition,
  targets: CorrectionTarget[],
  stored: FormData,
  shown: FormData,
): CorrectionGroup[] {
  const groups = new Map<
    string,
    { sections: FormSection; data: SectionValues; messages: CorrectionGroup['messages'] }
  >()
  for (const t of targets) {
    let group = groups.get(t.groupKey)
    if (!group) {
      group = {
        sections: {
          key: t.groupKey,
          title: t.row === undefined ? t.section.title : rowLabel(t.section, t.row),
          fields: [],
        },
        data: {},
        messages: [],
      }
      groups.set(t.groupKey, group)
    }
    if (!group.sections.fields.some((f) => f.key === t.field.key)) {
      const { showIf: _showIf, prefill: _prefill, required: _required, ...rest } = t.field
      const required = isFieldRequired(form, stored, t.section, t.field, t.row)
      group.sections.fields.push({ ...rest, required })
      const value = valueAt(shown, t.section.key, t.field.key, t.row)
      if (value !== undefined) group.data[t.field.key] = value
    }
    group.messages.push({ label: t.field.label, message: t.message })
  }
  return [...groups.values()].map((g) => ({
    def: { version: 1, sections: [g.sections] },
    data: { [g.sections.key]: g.data },
    messages: g.messages,
  }))
}

function valueAt(data: FormData, section: string, field: string, row?: number) {
  const values = data[section]
  if (row === undefined) return Array.isArray(values) ? undefined : values?.[field]
  return Array.isArray(values) ? values[row]?.[field] : undefined
}

/** The stored answers with the posted values of the named fields (and of any other field posted). */
function mergeCorrection(
  form: FormDefinition,
  stored: FormData,
  targets: CorrectionTarget[],
  fields: Record<string, string[]>,
): { merged: FormData; shown: FormData } {
  const merged = structuredClone(stored)
  const shown = structuredClone(stored)
  const set = (data: FormData, section: string, field: string, row: number | undefined, value: unknown) => {
    if (row === undefined) {
      const values = { ...((Array.isArray(data[section]) ? {} : data[section]) as SectionValues | undefined) }
      if (value === undefined) delete values[field]
      else values[field] = value as SectionValues[string]
      data[section] = values
      return
    }
    const rows = Array.isArray(data[section]) ? [...(data[section] as SectionValues[])] : []
    while (rows.length <= row) rows.push({})
    const values = { ...rows[row] }
    if (value === undefined) delete values[field]
    else values[field] = value as SectionValues[string]
    rows[row] = values
    data[section] = rows
  }
  // The named fields, read with the small forms' definitions (same input names).
  const miniDef: FormDefinition = {
    version: 1,
    sections: [...new Set(targets.map((t) => t.groupKey))].map((key) => ({
      key,
      title: key,
      fields: targets.filter((t) => t.groupKey === key).map((t) => t.field),
    })),
  }
  const parsed = miniDef.sections.length > 0 ? parseFormBody(miniDef, fields) : {}
  for (const t of targets) {
    const value = (parsed[t.groupKey] as SectionValues | undefined)?.[t.field.key]
    set(merged, t.section.key, t.field.key, t.row, value)
    set(shown, t.section.key, t.field.key, t.row, value)
  }
  // Anything else posted goes to the service as posted, which refuses it (only the named may change).
  const named = new Set(targets.map((t) => `${t.groupKey}.${t.field.key}`))
  const postedNames = new Set(Object.keys(fields).map((n) => n.replace(/\.(year|month|day)$/, '')))
  const full = parseFormBody(form, fields)
  for (const section of form.sections) {
    if (section.repeat) continue
    for (const field of section.fields) {
      const name = `${section.key}.${field.key}`
      if (named.has(name) || !postedNames.has(name)) continue
      set(merged, section.key, field.key, undefined, (full[section.key] as SectionValues | undefined)?.[field.key])
    }
  }
  return { merged, shown }
}

/**
 * Files given on the correction page travel between posts as signed references (a failed post
 * must not lose an upload), bound to the person so nobody can attach a file they never uploaded.
 */
class CarriedFiles {
  constructor(private readonly secret: string) {}

  private mac(personId: string, payload: string): Buffer {
    return createHmac('sha256', `${this.secret}:applications.correction-files`)
      .update(`${personId}\n${payload}`)
      .digest()
  }

  sign(personId: string, file: Extract<MaterialInput, { kind: 'file' }>): string {
    const payload = Buffer.from(
      JSON.stringify([file.materialCode, file.sha256, file.fileName, file.mime, file.size]),
    ).toString('base64url')
    return `${payload}.${this.mac(personId, payload).toString('base64url')}`
  }

  read(personId: string, token: string): MaterialInput | undefined {
    const [payload, mac] = token.split('.')
    if (!payload || !mac) return undefined
    const expected = this.mac(personId, payload)
    const given = Buffer.from(mac, 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
    try {
      const [materialCode, sha256, fileName, mime, size] = JSON.parse(Buffer.from(payload, 'base64url').toString())
      return { materialCode, kind: 'file', sha256, fileName, mime, size }
    } catch {
      return undefined
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Presenting stored materials

function storedStates(elements: ItemElements, rows: ApplicationMaterialTable[], applicationId: string) {
  const out: Record<string, MaterialState> = materialStates(elements, [])
  for (const row of rows) {
    const state = out[row.materialCode]
    if (!state) continue
    if (row.kind === 'file' && row.fileSha256) {
      state.files.push({
        sha256: row.fileSha256,
        fileName: row.fileName ?? '文件',
        size: Number(row.fileSize ?? 0),
        mime: row.fileMime ?? '',
        href: `/my/applications/${applicationId}/materials/${row.id}`,
      })
    } else if (row.kind === 'deferred' && row.deferredUntil) {
      state.defer = true
      state.until = row.deferredUntil.split('-') as [string, string, string]
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Routes

export function registerMyRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const contextOf = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })
  const carried = new CarriedFiles(deps.config.sessionSecret)

  // ----- 我的办件 ---------------------------------------------------------------------------------

  app.get(
    '/my/applications',
    { schema: { hide: true, querystring: ListQuery }, config: CITIZEN },
    async (request, reply) => {
      const principal = request.principal!
      const page = request.query.page ?? 1
      const list = await listMyApplications(deps, principal, { page, pageSize: PAGE_SIZE })
      return reply.page(
        MyApplicationsPage({
          rows: list.rows,
          total: list.total,
          page,
          pageCount: Math.max(1, Math.ceil(list.total / PAGE_SIZE)),
          drafts: page === 1 ? await listMyDrafts(deps, principal) : [],
          done: request.query.done,
          actingFor: principal.enterpriseName,
        }),
      )
    },
  )

  app.post(
    '/my/applications/drafts/:itemId/delete',
    { schema: { hide: true, params: ItemParams, body: EmptyBody }, config: CITIZEN },
    async (request, reply) => {
      await discardDraft(deps, request.principal!, request.params.itemId)
      return reply.redirect('/my/applications?done=draft-deleted', 303)
    },
  )

  // ----- the case page ------------------------------------------------------------------------------

  /**
   * Someone else's case is not found (404) — unless it is the person's own under another of their
   * identities (the enterprise they act for, or themself while acting for one): then they are
   * offered the switch, as a message link may lead them here under either.
   */
  async function otherIdentity(request: FastifyRequest, reply: FastifyReply, id: string): Promise<boolean> {
    const principal = request.principal!
    if (!principal.personId || principal.staffId) return false
    const found = await getApplication(deps.db, id).catch(() => undefined)
    if (!found || found.state === 'draft') return false
    const wanted = found.applicantEnterpriseId
    let name = '个人'
    if (wanted) {
      // The enterprise's case: offered when the person may act for that enterprise today.
      const options = await listActingOptions(deps.db, principal.personId, deps.clock.now())
      const option = options.find((o) => o.enterpriseId === wanted)
      if (!option || principal.enterpriseId === wanted) return false
      name = option.name
    } else if (found.applicantPersonId !== principal.personId || !principal.enterpriseId) {
      // Their own personal case while acting for an enterprise; anyone else's stays not found.
      return false
    }
    reply.page(SwitchIdentityPage({ enterpriseId: wanted, name, returnTo: `/my/applications/${id}` }), 404)
    return true
  }

  /** The case as the applicant sees it (staff use the workbench). */
  async function casePageProps(principal: Principal, id: string): Promise<CasePageProps | undefined> {
    const view = await caseView(deps, principal, id)
    const { app: a, elements } = view
    if (a.state === 'draft' || !a.applicationNo) return undefined
    const form = formFor(view.version)
    const correctionNotice = [...view.notices].reverse().find((n) => n.kind === 'correction')
    const problems = a.state === 'correction_requested' ? await openCorrectionProblems(deps.db, a.id) : []
    return {
      id: a.id,
      applicationNo: a.applicationNo,
      itemId: a.itemId,
      itemName: view.version.taskName,
      departmentName: view.departmentName,
      state: a.state,
      stateName: view.stateName,
      applicantName: view.applicant.name,
      enterpriseName: a.applicantEnterpriseId ? principal.enterpriseName : undefined,
      submittedAt: a.submittedAt,
      promisedDueOn: a.promisedDueOn,
      clockText:
        view.clock && ['accepted', 'in_process'].includes(a.state)
          ? `承诺时限：${view.clock.promised.text}`
          : undefined,
      deliveryNote: a.deliveryNote,
      resultLicenseId: a.resultKind === 'license' ? (a.resultRef ?? undefined) : undefined,
      timeline: view.timeline,
      notices: view.notices.map((n) => ({
        id: n.id,
        kind: n.kind,
        title: n.title,
        number: n.number,
        issuedAt: n.issuedAt,
      })),
      elements,
      materials: storedStates(elements, view.materials, a.id),
      form,
      data: JSON.parse(a.formData) as FormData,
      canWithdraw: canTransition(a.state, 'withdraw'),
      correction:
        a.state === 'correction_requested'
          ? {
              noticeId: correctionNotice?.id ?? null,
              problems: problems.map((p) => ({ label: problemTarget(p, form, elements), message: p.message })),
            }
          : undefined,
    }
  }

  app.get(
    '/my/applications/:id',
    { schema: { hide: true, params: ApplicationParams, querystring: DoneQuery }, config: CITIZEN },
    async (request, reply) => {
      const { id } = request.params
      let props: CasePageProps | undefined
      try {
        props = await casePageProps(request.principal!, id)
      } catch (error) {
        if (
          error instanceof DomainError &&
          error.code === 'APPLICATION_NOT_FOUND' &&
          (await otherIdentity(request, reply, id))
        ) {
          return reply
        }
        throw error
      }
      if (!props) {
        // A draft has no case page: it is continued on the form.
        const found = await getApplication(deps.db, id)
        return reply.redirect(`/apply/${found.itemId}`, 303)
      }
      return reply.page(CasePage({ ...props, done: request.query.done }))
    },
  )

  // ----- 撤回 ----------------------------------------------------------------------------------------

  async function withdrawable(principal: Principal, id: string) {
    const props = await casePageProps(principal, id)
    if (!props) throw new DomainError('APPLICATION_NOT_FOUND', 'not_found', '找不到这个办件。')
    if (!props.canWithdraw) {
      throw new DomainError(
        'APPLICATION_INVALID_TRANSITION',
        'conflict',
        `办件当前状态为「${props.stateName}」，不能撤回。`,
      )
    }
    return props
  }

  app.get(
    '/my/applications/:id/withdraw',
    { schema: { hide: true, params: ApplicationParams }, config: CITIZEN },
    async (request, reply) => {
      const props = await withdrawable(request.principal!, request.params.id)
      return reply.page(WithdrawPage({ id: props.id, applicationNo: props.applicationNo, itemName: props.itemName }))
    },
  )

  app.post(
    '/my/applications/:id/withdraw',
    { schema: { hide: true, params: ApplicationParams, body: WithdrawBody }, config: CITIZEN },
    async (request, reply) => {
      const principal = request.principal!
      const props = await withdrawable(principal, request.params.id)
      const reason = (request.body.reason ?? '').trim()
      const problems: FieldProblem[] = []
      if (!reason) problems.push({ field: 'reason', message: '请填写撤回原因' })
      else if (reason.length > 500) problems.push({ field: 'reason', message: '撤回原因不能超过 500 个字' })
      if (problems.length > 0) {
        return reply.page(
          WithdrawPage({
            id: props.id,
            applicationNo: props.applicationNo,
            itemName: props.itemName,
            reason,
            errors: problems,
          }),
          422,
        )
      }
      await withdrawApplication(deps, principal, props.id, reason, contextOf(request))
      return reply.redirect(`/my/applications/${props.id}?done=withdrawn`, 303)
    },
  )

  // ----- 补正 ----------------------------------------------------------------------------------------

  async function correctionCase(principal: Principal, id: string) {
    const view = await caseView(deps, principal, id)
    if (view.app.state !== 'correction_requested' || !view.app.applicationNo) return { view, open: false as const }
    const form = formFor(view.version)
    const problems = await openCorrectionProblems(deps.db, id)
    const stored = JSON.parse(view.app.formData) as FormData
    const notice = [...view.notices].reverse().find((n) => n.kind === 'correction')
    return { view, open: true as const, form, problems, stored, noticeId: notice?.id ?? null }
  }

  type OpenCorrection = Extract<Awaited<ReturnType<typeof correctionCase>>, { open: true }>

  function correctionPage(
    reply: FastifyReply,
    c: OpenCorrection,
    options: {
      shown?: FormData
      given?: MaterialInput[]
      states?: Record<string, MaterialState>
      errors?: FieldProblem[]
      personId: string
      status?: number
    },
  ) {
    const { view, form, problems, stored } = c
    const elements = view.elements
    const targets = correctionTargets(form, problems, stored)
    const materialProblems = problems.filter((p) => p.target === 'material')
    const given = options.given ?? []
    const states = options.states ?? materialStates(elements, given)
    return reply.page(
      CorrectionPage({
        id: view.app.id,
        applicationNo: view.app.applicationNo!,
        itemId: view.app.itemId,
        itemName: view.version.taskName,
        groups: correctionGroups(form, targets, stored, options.shown ?? stored),
        materials: materialProblems.flatMap((p) => {
          const material = elements.materials.find((m) => m.materialCode === p.key)
          return material
            ? [{ material, message: p.message, state: states[p.key] ?? materialStates(elements, [])[p.key]! }]
            : []
        }),
        carried: given
          .filter((g): g is Extract<MaterialInput, { kind: 'file' }> => g.kind === 'file')
          .map((g) => carried.sign(options.personId, g)),
        elements,
        form,
        data: stored,
        currentMaterials: storedStates(elements, view.materials, view.app.id),
        noticeId: c.noticeId,
        errors: options.errors,
        maxFileBytes: MAX_MATERIAL_FILE_BYTES,
      }),
      options.status ?? 200,
    )
  }

  app.get(
    '/my/applications/:id/correct',
    { schema: { hide: true, params: ApplicationParams }, config: CITIZEN },
    async (request, reply) => {
      const principal = request.principal!
      const c = await correctionCase(principal, request.params.id)
      if (!c.open) return reply.redirect(`/my/applications/${request.params.id}`, 303)
      return correctionPage(reply, c, { personId: principal.personId! })
    },
  )

  /**
   * Resubmits after a correction notice: the named fields as posted, the other answers as stored,
   * the new files of the named materials. The service refuses anything the notice did not name.
   */
  app.post(
    '/my/applications/:id/correct',
    { schema: { hide: true, params: ApplicationParams, querystring: MultipartQuery }, config: CITIZEN },
    async (request, reply) => {
      const principal = request.principal!
      const personId = principal.personId!
      const c = await correctionCase(principal, request.params.id)
      if (!c.open) return reply.redirect(`/my/applications/${request.params.id}`, 303)
      const { view, form, problems, stored } = c
      const elements = view.elements
      const codes = new Set(elements.materials.map((m) => m.materialCode))
      const posted = await readMaterialsForm(request, deps, personId, codes)
      const action = posted.fields._action?.[0] ?? 'submit'
      const named = new Set(problems.filter((p) => p.target === 'material').map((p) => p.key))
      const before = (posted.fields.carried ?? [])
        .map((token) => carried.read(personId, token))
        .filter((m): m is MaterialInput => m !== undefined && named.has(m.materialCode))
      const today = todayInShanghai(deps.clock.now())
      const materials = materialsAfterPost(elements, before, posted, action, today, { codes: named })
      const targets = correctionTargets(form, problems, stored)
      const { merged, shown } = mergeCorrection(form, stored, targets, posted.fields)
      const keep = materials.inputs.filter((m) => named.has(m.materialCode))
      const again = (errors: FieldProblem[], status: number) =>
        correctionPage(reply, c, { shown, given: keep, states: materials.states, errors, personId, status })

      const uploadProblems = [...posted.problems, ...materials.problems]
      if (action.startsWith('remove-file:')) return again(uploadProblems, uploadProblems.length > 0 ? 422 : 200)
      if (uploadProblems.length > 0) return again(uploadProblems, posted.status !== 200 ? posted.status : 422)
      try {
        await resubmitCorrection(
          deps,
          principal,
          view.app.id,
          { formData: merged, materials: effectiveMaterials(materials.inputs) },
          contextOf(request),
        )
      } catch (error) {
        if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error
        return again(error.details.length > 0 ? error.details : [{ field: 'main', message: error.message }], 422)
      }
      return reply.redirect(`/my/applications/${view.app.id}?done=corrected`, 303)
    },
  )

  // ----- notices and files -----------------------------------------------------------------------------

  app.get(
    '/my/applications/:id/notices/:noticeId/pdf',
    { schema: { hide: true, params: NoticeParams }, config: APPLICANT_OR_STAFF },
    async (request, reply) => {
      const view = await caseView(deps, request.principal!, request.params.id)
      const row = view.notices.find((n) => n.id === request.params.noticeId)
      if (!row) throw new DomainError('NOTICE_NOT_FOUND', 'not_found', '找不到这份文书。')
      const pdf = await renderNoticePdf(row, noticeView(row).content)
      reply.header('cache-control', 'private, no-store')
      reply.header('content-disposition', contentDisposition(`${row.title}（${row.number}）.pdf`))
      return reply.type('application/pdf').send(pdf)
    },
  )

  app.get(
    '/my/applications/:id/notices/:noticeId',
    { schema: { hide: true, params: NoticeParams }, config: APPLICANT_OR_STAFF },
    async (request, reply) => {
      const principal = request.principal!
      const view = await caseView(deps, principal, request.params.id)
      const row = view.notices.find((n) => n.id === request.params.noticeId)
      if (!row) throw new DomainError('NOTICE_NOT_FOUND', 'not_found', '找不到这份文书。')
      const notice = noticeView(row)
      const form = formFor(view.version)
      const labels: Record<string, string> = {}
      for (const p of notice.content.problems ?? []) labels[p.key] = problemTarget(p, form, view.elements)
      const staff = Boolean(principal.staffId)
      const caseHref = staff ? `/workbench/cases/${view.app.id}` : `/my/applications/${view.app.id}`
      const no = formatApplicationNo(view.app.applicationNo ?? '')
      return reply.page(
        NoticePage({
          notice,
          problemLabels: labels,
          backHref: caseHref,
          backLabel: '返回办件',
          breadcrumbs: staff
            ? [
                { href: '/workbench', label: '工作台' },
                { href: caseHref, label: `办件 ${no}` },
                { label: notice.title },
              ]
            : [
                { href: '/', label: '首页' },
                { href: '/my/applications', label: '我的办件' },
                { href: caseHref, label: `办件 ${no}` },
                { label: notice.title },
              ],
        }),
      )
    },
  )

  app.get(
    '/my/applications/:id/materials/:materialId',
    { schema: { hide: true, params: MaterialParams }, config: APPLICANT_OR_STAFF },
    async (request, reply) => {
      const row = await materialForDownload(deps, request.principal!, request.params.id, request.params.materialId)
      const content = await deps.files.get(row.fileSha256!)
      reply
        .type(content.mime)
        .header('content-length', String(content.size))
        .header('content-disposition', contentDisposition(row.fileName ?? '材料'))
        .header('cache-control', 'private, no-store')
      if (request.method === 'HEAD') {
        content.stream.destroy()
        return reply.send()
      }
      return reply.send(content.stream)
    },
  )

  // ----- 办件进度查询 ------------------------------------------------------------------------------------

  app.get('/progress', { schema: { hide: true }, config: { policy: { public: true } } }, async (_request, reply) =>
    reply.page(ProgressPage({})),
  )

  /**
   * Answers by 办件编号 plus the applicant's name or mobile: the same 404 for a wrong number and a
   * wrong name (nothing tells which was wrong), and at most 10 questions a minute per address.
   */
  app.post(
    '/progress',
    {
      schema: { hide: true, body: ProgressBody },
      config: { policy: { public: true }, rateLimit: PROGRESS_LIMIT },
    },
    async (request, reply) => {
      const applicationNo = (request.body.applicationNo ?? '').trim()
      const nameOrMobile = (request.body.nameOrMobile ?? '').trim()
      const values = { applicationNo, nameOrMobile }
      const errors: FieldProblem[] = []
      if (!applicationNo) errors.push({ field: 'applicationNo', message: '请填写办件编号' })
      if (!nameOrMobile) errors.push({ field: 'nameOrMobile', message: '请填写申请人姓名或手机号码' })
      if (errors.length > 0) return reply.page(ProgressPage({ values, errors }), 422)
      try {
        const answer = await publicProgress(deps, applicationNo, nameOrMobile)
        return reply.page(ProgressPage({ values: {}, answer }))
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'PROGRESS_NOT_FOUND') throw error
        return reply.page(ProgressPage({ values, notFound: error.message }), 404)
      }
    },
  )
}
