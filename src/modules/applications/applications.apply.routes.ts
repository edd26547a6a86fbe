/**
 * Applying online (网上申办), the applicant's side: the form with its materials
 * (GET/POST /apply/:itemId, multipart, saved as a draft on every post and autosaved while typing
 * through POST /api/applications/drafts/:itemId), 核对信息 (GET /apply/:itemId/check), the
 * submission (POST /apply/:itemId/submit, idempotent by the page's form token) and the
 * confirmation (GET /my/applications/:id/submitted). Thin: the rules live in
 * applications.service.ts and applications.forms.ts.
 */
import { randomBytes } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Principal } from '../../platform/auth/principal.js'
import { isValidDay, todayInShanghai } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import { documentTypes, type StoredFile, safeFileName } from '../../platform/files/files.js'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'
import { fieldId, formatDateTime } from '../../platform/ui/index.js'
import { getItem, getVersion, type ItemElements } from '../catalog/index.js'
import { findDepartmentInfo } from '../identity/index.js'
import { actingRefusal } from './applications.acting.js'
import {
  ApplyPage,
  type ApplyPageProps,
  ApplyRefusedPage,
  CheckPage,
  DECLARATION,
  type LicenseOffer,
  licenseInputs,
  type MaterialState,
  SubmittedPage,
} from './applications.apply.pages.js'
import {
  applyFormAction,
  checkFormData,
  DATE_PARTS,
  type FormData,
  type FormDefinition,
  type PrefillNotes,
  parseFormAction,
  parseFormBody,
  prefillFormData,
  type SectionValues,
  splitDate,
} from './applications.forms.js'
import { caseView, heldLicensesFor, prefillContextFor } from './applications.read.js'
import {
  autosaveDraftForm,
  draftMaterials,
  findDraft,
  itemForApplying,
  type MaterialInput,
  materialProblems,
  saveApplicationDraft,
  submitApplication,
} from './applications.service.js'
import { countUploaded, MATERIAL_DAILY_QUOTA_BYTES, uploadedOn } from './applications.uploads.js'

const MB = 1024 * 1024
/** Each material file (SECURITY.md: a size limit, 413 with a message). */
export const MAX_MATERIAL_FILE_BYTES = 10 * MB

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
export const ItemParams = Type.Object({ itemId: Type.String({ pattern: UUID, description: '事项编号' }) })
const ApplicationParams = Type.Object({ id: Type.String({ pattern: UUID, description: '办件编号（内部）' }) })
/** Multipart forms carry their CSRF token in the query string (the body is streamed). */
const MultipartQuery = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) })
const ApplyQuery = Type.Object({ saved: Type.Optional(Type.String({ maxLength: 5 })) })
const SubmitBody = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
  token: Type.Optional(Type.String({ maxLength: 100 })),
  declaration: Type.Optional(Type.String({ maxLength: 10 })),
})
const AutosaveBody = Type.Object({
  /** The form's inputs by name, as the page posts them (repeated names as arrays). */
  fields: Type.Record(
    Type.String({ maxLength: 200 }),
    Type.Array(Type.String({ maxLength: 10000 }), { maxItems: 100 }),
    {
      maxProperties: 3000,
    },
  ),
})
const AutosaveOut = Type.Object({
  savedAt: Type.String({ description: '保存时间（UTC）' }),
  savedAtText: Type.String({ description: '保存时间（北京时间，时:分）' }),
  problems: Type.Integer({ description: '已填内容中格式有误的项数（草稿照样保存）' }),
})

const CITIZEN = { policy: { citizen: true } } as const

// ---------------------------------------------------------------------------------------------
// Reading a multipart form with material files (shared with the correction page)

/** A material file stored from this post. */
export interface Upload {
  materialCode: string
  stored: StoredFile
  fileName: string
}

/** A posted multipart form: its fields by name, the files stored, and what was refused. */
export interface PostedForm {
  fields: Record<string, string[]>
  uploads: Upload[]
  problems: FieldProblem[]
  /** 413 when a file was too large, 415 when of a type not allowed; 200 otherwise. */
  status: number
  /** The day (Asia/Shanghai) the files were stored: the one their bytes count against. */
  day: string
}

const MATERIAL_FIELD = /^materials\.([a-z0-9_]{1,40})$/

/**
 * Reads a multipart form: fields as typed, and each file given for `materials.<code>` (several
 * per material) stored in the file store — type by content, size and quota checked there. A file
 * refused becomes a message beside its material, never the end of the form: the rest of the post
 * is still read and kept.
 */
export async function readMaterialsForm(
  request: FastifyRequest,
  deps: Deps,
  personId: string,
  knownCodes: ReadonlySet<string>,
  /** The caller records the stored files in its own transaction (FileStore `recordLater`). */
  options: { recordLater?: boolean } = {},
): Promise<PostedForm> {
  const fields: Record<string, string[]> = {}
  const uploads: Upload[] = []
  const problems: FieldProblem[] = []
  const refused = new Set<string>()
  const day = todayInShanghai(deps.clock.now())
  let used = await uploadedOn(deps.db, personId, day)
  const parts = request.parts({
    limits: { fields: 3000, parts: 3100, files: 60, fileSize: MAX_MATERIAL_FILE_BYTES + 1 },
    // Too large a file is stopped by the store (one byte over the limit) and reported beside its
    // material, not thrown: the rest of the form still counts.
    throwFileSizeLimit: false,
  } as Parameters<FastifyRequest['parts']>[0])
  for await (const part of parts) {
    if (part.type !== 'file') {
      const value = typeof part.value === 'string' ? part.value : String(part.value ?? '')
      const name = part.fieldname
      // Names are input names; nothing else reaches the form parser.
      if (name.length <= 200) fields[name] = [...(fields[name] ?? []), value]
      continue
    }
    const code = MATERIAL_FIELD.exec(part.fieldname)?.[1]
    if (!part.filename || !code || !knownCodes.has(code)) {
      part.file.resume()
      await new Promise((resolve) => part.file.once('end', resolve).once('close', resolve))
      continue
    }
    const fileName = safeFileName(part.filename, '材料')
    try {
      const stored = await deps.files.put(part.file, {
        maxBytes: MAX_MATERIAL_FILE_BYTES,
        allowedTypes: documentTypes,
        quota: { usedBytes: used, limitBytes: MATERIAL_DAILY_QUOTA_BYTES, perDay: true },
        recordLater: options.recordLater,
        // Counted in the transaction recording the file (with recordLater: the caller's,
        // recordUploads).
        recordWith: (trx, file) => countUploaded(trx, personId, day, file.size),
      })
      used += stored.size
      uploads.push({ materialCode: code, stored, fileName })
    } catch (error) {
      if (!(error instanceof DomainError) || error.status >= 500) throw error
      problems.push({ field: `materials.${code}`, message: `「${fileName}」未能上传：${error.message}` })
      refused.add(error.kind)
    }
  }
  // One status for the page: too large (or over the quota) first, then a type not allowed.
  const status = refused.has('too_large') ? 413 : refused.has('unsupported') ? 415 : refused.size > 0 ? 422 : 200
  return { fields, uploads, problems, status, day }
}

// ---------------------------------------------------------------------------------------------
// Materials as the form shows them

const emptyState = (): MaterialState => ({ files: [], defer: false, until: ['', '', ''] })

/** The state of each material of the item from what is stored. */
export function materialStates(elements: ItemElements, inputs: MaterialInput[]): Record<string, MaterialState> {
  const out: Record<string, MaterialState> = {}
  for (const m of elements.materials) out[m.materialCode] = emptyState()
  for (const input of inputs) {
    const state = out[input.materialCode]
    if (!state) continue
    if (input.kind === 'file') {
      state.files.push({ sha256: input.sha256, fileName: input.fileName, size: input.size, mime: input.mime })
    } else if (input.kind === 'deferred') {
      state.defer = true
      state.until = splitDate(input.until)
    } else if (input.kind === 'license') {
      state.license = input.licenseId
    }
  }
  return out
}

/** By material code: the applicant's valid e-licenses of the type each material accepts. */
export async function licenseOffersFor(
  deps: Deps,
  principal: Principal,
  elements: ItemElements,
): Promise<Record<string, LicenseOffer[]>> {
  if (!elements.materials.some((m) => m.licenseTypeCode)) return {}
  const held = await heldLicensesFor(deps, principal)
  const out: Record<string, LicenseOffer[]> = {}
  for (const m of elements.materials) {
    if (!m.licenseTypeCode) continue
    out[m.materialCode] = held
      .filter((l) => l.typeCode === m.licenseTypeCode)
      .map((l) => ({
        licenseId: l.licenseId,
        typeName: l.typeName,
        identifier: l.identifier,
        issuerName: l.issuerName,
        validTo: l.validTo,
      }))
  }
  return out
}

/** `remove-file:<code>:<sha256>` → the file to take away. */
function removeFileTarget(action: string): { code: string; sha256: string } | undefined {
  const match = /^remove-file:([a-z0-9_]{1,40}):([0-9a-f]{64})$/.exec(action)
  return match ? { code: match[1]!, sha256: match[2]! } : undefined
}

/**
 * The materials after a post: the files already given (minus one removed by its 删除 button),
 * the files of this post, and 容缺 as ticked with its promised day. A day that is no day is a
 * problem and is not kept; the day as typed is shown again.
 */
export function materialsAfterPost(
  elements: ItemElements,
  before: MaterialInput[],
  posted: Pick<PostedForm, 'fields' | 'uploads'>,
  action: string,
  today: string,
  options: { codes?: ReadonlySet<string> } = {},
): { inputs: MaterialInput[]; states: Record<string, MaterialState>; problems: FieldProblem[] } {
  const onPage = (code: string) => !options.codes || options.codes.has(code)
  // An e-license chosen stays unless its choice was on this page (then the post says what is chosen).
  const files = before.filter(
    (i) =>
      i.kind === 'file' ||
      (i.kind === 'license' && !(onPage(i.materialCode) && posted.fields[licenseInputs(i.materialCode).offered])),
  )
  const licenseProblems: FieldProblem[] = []
  for (const m of elements.materials) {
    const names = licenseInputs(m.materialCode)
    if (!m.licenseTypeCode || !onPage(m.materialCode) || !posted.fields[names.offered]) continue
    const chosen = (posted.fields[names.license] ?? [])[0]?.trim()
    if (!chosen) continue
    if (!/^[0-9a-f-]{36}$/.test(chosen)) continue
    if (!(posted.fields[names.consent] ?? []).includes('yes')) {
      licenseProblems.push({
        field: `materials.${m.materialCode}`,
        message: `使用电子证照作为「${m.materialName}」须勾选同意调用；不同意的，请上传文件`,
      })
      continue
    }
    files.push({ materialCode: m.materialCode, kind: 'license', licenseId: chosen, consent: true })
  }
  const remove = removeFileTarget(action)
  if (remove) {
    const at = files.findIndex((f) => f.kind === 'file' && f.materialCode === remove.code && f.sha256 === remove.sha256)
    if (at >= 0) files.splice(at, 1)
  }
  for (const u of posted.uploads) {
    const known = files.some(
      (f) => f.kind === 'file' && f.materialCode === u.materialCode && f.sha256 === u.stored.sha256,
    )
    if (known) continue
    files.push({
      materialCode: u.materialCode,
      kind: 'file',
      sha256: u.stored.sha256,
      fileName: u.fileName,
      mime: u.stored.mime,
      size: u.stored.size,
    })
  }
  const deferred: MaterialInput[] = []
  const problems: FieldProblem[] = [...licenseProblems]
  for (const m of elements.materials) {
    if (options.codes && !options.codes.has(m.materialCode)) continue
    if (!m.allowDefer) continue
    const name = `materials.${m.materialCode}`
    if (!(posted.fields[`${name}.defer`] ?? []).includes('yes')) continue
    const parts = DATE_PARTS.map((p) => (posted.fields[`${name}.until.${p}`]?.[0] ?? '').normalize('NFKC').trim())
    const [year, month, day] = parts
    const until =
      /^\d{4}$/.test(year!) && /^\d{1,2}$/.test(month!) && /^\d{1,2}$/.test(day!)
        ? `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`
        : undefined
    if (parts.every((p) => p === '')) {
      problems.push({ field: `${name}.until`, message: `请填写「${m.materialName}」承诺补交的日期` })
    } else if (!until || !isValidDay(until)) {
      problems.push({ field: `${name}.until`, message: '承诺补交日期不是有效的日期，请按年、月、日填写数字' })
    } else {
      if (until <= today) problems.push({ field: `${name}.until`, message: '承诺补交日期须在今天之后' })
      deferred.push({ materialCode: m.materialCode, kind: 'deferred', until })
    }
  }
  const inputs = [...files, ...deferred]
  const states = materialStates(elements, inputs)
  for (const m of elements.materials) {
    const name = `materials.${m.materialCode}`
    const ticked = (posted.fields[`${name}.defer`] ?? []).includes('yes')
    const state = states[m.materialCode]!
    if (m.allowDefer && ticked) {
      state.defer = true
      state.until = DATE_PARTS.map((p) => posted.fields[`${name}.until.${p}`]?.[0] ?? '') as [string, string, string]
    }
  }
  return { inputs, states, problems }
}

/** What is submitted: a material with files counts as given, so a 容缺 also ticked for it is dropped. */
export function effectiveMaterials(inputs: MaterialInput[]): MaterialInput[] {
  const withFiles = new Set(inputs.filter((i) => i.kind !== 'deferred').map((i) => i.materialCode))
  return inputs.filter((i) => i.kind !== 'deferred' || !withFiles.has(i.materialCode))
}

/** Only the sources of values still as prefilled (a value the person changed names no source). */
export function sourcesFor(
  form: FormDefinition,
  context: Parameters<typeof prefillFormData>[1],
  data: FormData,
): PrefillNotes {
  const prefilled = prefillFormData(form, context, data)
  const out: PrefillNotes = {}
  for (const [name, note] of Object.entries(prefilled.sources)) {
    const [section, field] = name.split('.')
    const values = data[section ?? ''] as SectionValues | SectionValues[] | undefined
    const value = values && !Array.isArray(values) ? values[field ?? ''] : undefined
    if (value !== undefined && value !== '') out[name] = note
  }
  return out
}

/** A fresh form token for the submission (SECURITY.md, durability: idempotency). */
export const newFormToken = () => randomBytes(24).toString('base64url')

// ---------------------------------------------------------------------------------------------
// Routes

export function registerApplyRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const contextOf = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })
  const today = () => todayInShanghai(deps.clock.now())

  const REFUSALS: Record<string, { title: string; status: number; enterprises?: boolean; account?: boolean }> = {
    ASSURANCE_TOO_LOW: { title: '需要更高级别的实名认证', status: 403, account: true },
    ITEM_NOT_ONLINE: { title: '这个事项暂不能网上申请', status: 409 },
    ITEM_NOT_OFFERED: { title: '这个事项目前不能申请', status: 409 },
    ITEM_FOR_PERSONS: { title: '请以个人身份申请', status: 403, enterprises: true },
    ITEM_FOR_ENTERPRISES: { title: '请以企业身份申请', status: 403, enterprises: true },
    ACTING_NOT_COVERED: { title: '授权不包括这个事项', status: 403, enterprises: true },
  }

  /** The name of an item for a refusal page, when it can be read. */
  async function itemName(itemId: string): Promise<string | undefined> {
    try {
      const item = await getItem(deps.db, itemId)
      return item.currentVersionId ? (await getVersion(deps.db, item.currentVersionId)).taskName : undefined
    } catch {
      return undefined
    }
  }

  /**
   * The item when this person may apply for it now; otherwise the page saying why (too low an
   * identity level, not online, the wrong identity) is sent and undefined returned.
   */
  async function eligible(request: FastifyRequest, reply: FastifyReply, itemId: string) {
    const principal = request.principal!
    try {
      const found = await itemForApplying(deps, principal, itemId)
      const refusal = await actingRefusal(deps, principal, found.elements)
      if (refusal) throw refusal
      const department = await findDepartmentInfo(deps.db, found.item.departmentId)
      return { ...found, principal, departmentName: department?.name ?? '' }
    } catch (error) {
      const known = error instanceof DomainError ? REFUSALS[error.code] : undefined
      if (!known || !(error instanceof DomainError)) throw error
      reply.page(
        ApplyRefusedPage({
          itemId,
          itemName: await itemName(itemId),
          title: known.title,
          message: error.message,
          more: known.account
            ? { text: '查看账号的实名级别：', href: '/my/account', label: '我的账号' }
            : known.enterprises
              ? { text: '切换办事身份：', href: '/my/enterprises', label: '我的企业' }
              : undefined,
        }),
        known.status,
      )
      return undefined
    }
  }

  type Eligible = NonNullable<Awaited<ReturnType<typeof eligible>>>

  const applyItem = (found: Eligible, itemId: string) => ({
    itemId,
    departmentName: found.departmentName,
    elements: found.elements,
  })

  /** Renders the form page, with the e-licenses the applicant may give instead of uploads. */
  async function formPage(
    reply: FastifyReply,
    found: Eligible,
    itemId: string,
    props: Omit<ApplyPageProps, 'item' | 'form' | 'maxFileBytes' | 'actingFor' | 'licenseOffers'>,
    status = 200,
  ) {
    return reply.page(
      ApplyPage({
        item: applyItem(found, itemId),
        form: found.form,
        maxFileBytes: MAX_MATERIAL_FILE_BYTES,
        actingFor: found.principal.enterpriseName,
        licenseOffers: await licenseOffersFor(deps, found.principal, found.elements),
        ...props,
      }),
      status,
    )
  }

  /** Every problem of the draft against the item, as a submission would find them. */
  function fullCheck(found: Eligible, data: FormData, inputs: MaterialInput[]) {
    const day = today()
    const checked = checkFormData(found.form, data, { today: day })
    return {
      data: checked.data,
      problems: [...checked.problems, ...materialProblems(found.elements, effectiveMaterials(inputs), day)],
    }
  }

  // ----- the form ---------------------------------------------------------------------------------

  app.get(
    '/apply/:itemId',
    { schema: { hide: true, params: ItemParams, querystring: ApplyQuery }, config: CITIZEN },
    async (request, reply) => {
      const { itemId } = request.params
      const found = await eligible(request, reply, itemId)
      if (!found) return reply
      const draft = await findDraft(deps, found.principal, itemId)
      const stored = draft ? (JSON.parse(draft.formData) as FormData) : {}
      const prefilled = prefillFormData(found.form, await prefillContextFor(deps, found.principal), stored)
      const inputs = draft ? await draftMaterials(deps, draft.id) : []
      return formPage(reply, found, itemId, {
        data: prefilled.data,
        sources: prefilled.sources,
        materials: materialStates(found.elements, inputs),
        savedAt: draft?.updatedAt,
        saved: request.query.saved === '1',
        resumed: Boolean(draft),
      })
    },
  )

  /**
   * Every post of the form saves the draft first (what was typed is never lost), then does what
   * the button asked: 保存草稿, 下一步 (check everything, then 核对信息), add or remove a row,
   * remove a file.
   */
  app.post(
    '/apply/:itemId',
    { schema: { hide: true, params: ItemParams, querystring: MultipartQuery }, config: CITIZEN },
    async (request, reply) => {
      const { itemId } = request.params
      const found = await eligible(request, reply, itemId)
      if (!found) return reply
      const { principal, elements, form } = found
      const codes = new Set(elements.materials.map((m) => m.materialCode))
      const posted = await readMaterialsForm(request, deps, principal.personId!, codes)
      const action = posted.fields._action?.[0] ?? 'save'
      const draft = await findDraft(deps, principal, itemId)
      const before = draft ? await draftMaterials(deps, draft.id) : []
      const day = today()

      let data = parseFormBody(form, posted.fields)
      const problems: FieldProblem[] = [...posted.problems]
      const rowAction = parseFormAction(action)
      if (rowAction) {
        const result = applyFormAction(form, data, rowAction)
        data = result.data
        if (result.problem) problems.push(result.problem)
      }
      const materials = materialsAfterPost(elements, before, posted, action, day)
      problems.push(...materials.problems)
      const saved = await saveApplicationDraft(deps, principal, { itemId, formData: data, materials: materials.inputs })
      // The form shown again (not needed when the answer is a redirect: the prefill context reads
      // and decrypts the person's profile and licenses). A new row is blank, and drafts drop blank
      // rows: show the rows as the button left them.
      const page = async () => {
        const shown = rowAction ? data : (JSON.parse(saved.draft.formData) as FormData)
        return {
          data: shown,
          sources: sourcesFor(form, await prefillContextFor(deps, principal), shown),
          materials: materials.states,
          savedAt: saved.draft.updatedAt,
        }
      }

      if (action === 'next' && problems.length === 0) {
        const checked = fullCheck(found, data, materials.inputs)
        if (checked.problems.length === 0) return reply.redirect(`/apply/${itemId}/check`, 303)
        return formPage(reply, found, itemId, { ...(await page()), errors: checked.problems }, 422)
      }
      const all = [...problems, ...saved.problems]
      if (all.length > 0) {
        const status = posted.status !== 200 ? posted.status : 422
        return formPage(reply, found, itemId, { ...(await page()), errors: all, saved: action === 'save' }, status)
      }
      if (rowAction) return formPage(reply, found, itemId, await page())
      const removed = removeFileTarget(action)
      if (removed) return reply.redirect(`/apply/${itemId}#${fieldId(`materials.${removed.code}`)}`, 303)
      return reply.redirect(`/apply/${itemId}?saved=1`, 303)
    },
  )

  // ----- check your answers -----------------------------------------------------------------------

  /** The check page for the draft, or the form with every problem when it is not complete yet. */
  async function checkPage(
    request: FastifyRequest,
    reply: FastifyReply,
    found: Eligible,
    itemId: string,
    options: { errors?: FieldProblem[]; token?: string; status?: number } = {},
  ) {
    const draft = await findDraft(deps, found.principal, itemId)
    if (!draft) return reply.redirect(`/apply/${itemId}`, 303)
    const stored = JSON.parse(draft.formData) as FormData
    const inputs = await draftMaterials(deps, draft.id)
    const checked = fullCheck(found, stored, inputs)
    const context = await prefillContextFor(deps, found.principal)
    if (checked.problems.length > 0) {
      return formPage(
        reply,
        found,
        itemId,
        {
          data: stored,
          sources: sourcesFor(found.form, context, stored),
          materials: materialStates(found.elements, inputs),
          savedAt: draft.updatedAt,
          errors: checked.problems,
        },
        request.method === 'GET' ? 200 : 422,
      )
    }
    return reply.page(
      CheckPage({
        item: applyItem(found, itemId),
        form: found.form,
        data: checked.data,
        sources: sourcesFor(found.form, context, checked.data),
        materials: materialStates(found.elements, effectiveMaterials(inputs)),
        token: options.token ?? newFormToken(),
        errors: options.errors,
        actingFor: found.principal.enterpriseName,
      }),
      options.status ?? 200,
    )
  }

  app.get(
    '/apply/:itemId/check',
    { schema: { hide: true, params: ItemParams }, config: CITIZEN },
    async (request, reply) => {
      const { itemId } = request.params
      const found = await eligible(request, reply, itemId)
      if (!found) return reply
      return checkPage(request, reply, found, itemId)
    },
  )

  /**
   * Submits the draft. The page's form token is the idempotency key: a double click, a reload of
   * the answer or a retry after a lost answer all find the application the first post made.
   */
  app.post(
    '/apply/:itemId/submit',
    { schema: { hide: true, params: ItemParams, body: SubmitBody }, config: CITIZEN },
    async (request, reply) => {
      const { itemId } = request.params
      const found = await eligible(request, reply, itemId)
      if (!found) return reply
      const token = request.body.token ?? ''
      const validToken = /^[A-Za-z0-9_-]{8,80}$/.test(token)
      if (request.body.declaration !== 'yes') {
        return checkPage(request, reply, found, itemId, {
          token: validToken ? token : undefined,
          errors: [{ field: 'declaration', message: `请勾选承诺：${DECLARATION}` }],
          status: 422,
        })
      }
      if (!validToken) {
        return checkPage(request, reply, found, itemId, {
          errors: [{ field: 'declaration', message: '页面已过期，请核对后重新提交' }],
          status: 422,
        })
      }
      const draft = await findDraft(deps, found.principal, itemId)
      // Without a draft (already submitted by an earlier post of this form) the key alone finds it.
      const formData = draft ? (JSON.parse(draft.formData) as FormData) : {}
      const materials = draft ? effectiveMaterials(await draftMaterials(deps, draft.id)) : []
      try {
        const submitted = await submitApplication(
          deps,
          found.principal,
          { itemId, idempotencyKey: token, formData, materials },
          contextOf(request),
        )
        return reply.redirect(`/my/applications/${submitted.id}/submitted`, 303)
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'VALIDATION_FAILED') throw error
        const context = await prefillContextFor(deps, found.principal)
        return formPage(
          reply,
          found,
          itemId,
          {
            data: formData,
            sources: sourcesFor(found.form, context, formData),
            materials: materialStates(found.elements, materials),
            savedAt: draft?.updatedAt,
            errors: error.details.length > 0 ? error.details : [{ field: 'main', message: error.message }],
          },
          422,
        )
      }
    },
  )

  // ----- confirmation -------------------------------------------------------------------------------

  app.get(
    '/my/applications/:id/submitted',
    { schema: { hide: true, params: ApplicationParams }, config: CITIZEN },
    async (request, reply) => {
      const view = await caseView(deps, request.principal!, request.params.id)
      if (view.app.state === 'draft' || !view.app.applicationNo) {
        return reply.redirect(`/apply/${view.app.itemId}`, 303)
      }
      return reply.page(
        SubmittedPage({
          applicationId: view.app.id,
          applicationNo: view.app.applicationNo,
          itemName: view.version.taskName,
          departmentName: view.departmentName,
          decidedInstantly: view.app.decidedByRule === 1 && ['approved', 'completed'].includes(view.app.state),
          promisedDays: view.app.promisedDays,
          promisedUnit: view.app.promisedUnit,
        }),
      )
    },
  )

  // ----- autosave -----------------------------------------------------------------------------------

  app.post(
    '/api/applications/drafts/:itemId',
    {
      schema: {
        tags: ['applications'],
        summary: '自动保存申请草稿',
        description:
          '填写申请表时由页面在后台调用：保存已填写的内容（不含材料文件），不检查必填项。只保存本人（或当前代表的企业）的草稿。',
        params: ItemParams,
        body: AutosaveBody,
        response: { 200: AutosaveOut },
      },
      config: CITIZEN,
    },
    async (request) => {
      const principal = request.principal!
      const { itemId } = request.params
      const found = await itemForApplying(deps, principal, itemId)
      const refusal = await actingRefusal(deps, principal, found.elements)
      if (refusal) throw refusal
      const formData = parseFormBody(found.form, request.body.fields)
      const { draft, problems } = await autosaveDraftForm(deps, principal, { itemId, formData })
      return {
        savedAt: draft.updatedAt,
        savedAtText: formatDateTime(draft.updatedAt).slice(11),
        problems: problems.length,
      }
    },
  )
}
