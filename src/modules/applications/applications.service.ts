/**
 * The spine of the platform (ARCHITECTURE.md §5): apply → pre-review → accept / refuse / one
 * correction notice → processing by one or more departments under the legal clock → decision →
 * delivery → completed. Every state change is one transition of the table in
 * applications.states.ts, in one transaction, with one application event, one audit entry and a
 * message to the applicant.
 */
import { sql } from 'kysely'
import { type AuditActor, appendAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { addWorkingDays, todayInShanghai, type WorkingCalendar } from '../../platform/calendar/index.js'
import { type DbOrTrx, isUniqueViolation, type Trx, transaction } from '../../platform/db/database.js'
import { type Placeholders, prepared } from '../../platform/db/prepared.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import { getItem, getVersion, type ItemElements, type ItemTable, type ItemVersionTable } from '../catalog/index.js'
import {
  applicantDisplayName,
  departmentIdOfCode,
  findDepartmentInfo,
  personSummary,
  requireAssurance,
  staffWithRole,
} from '../identity/index.js'
import { issueResultLicenseIn, licenseUseProblem, useLicenseForApplicationIn } from '../licenses/index.js'
import { queueNotification } from '../notifications/index.js'
import { type ClockSpec, clockSummary, deemedAcceptanceDue, dueOn, type PauseReason } from './applications.clock.js'
import { resultLicenseValues } from './applications.delivery.js'
import {
  applicationNotFound,
  changedMeanwhile,
  invalidTransition,
  itemNotOffered,
  notOnline,
  otherDepartment,
  taskNotFound,
  taskNotYours,
  taskWrongState,
} from './applications.errors.js'
import { checkFormData, type FormData } from './applications.forms.js'
import { formFor } from './applications.forms.registry.js'
import { instantRuleFor } from './applications.instant.js'
import { nextApplicationNo, nextNoticeNo } from './applications.numbers.js'
import { type ProcessDefinition, processFor, stageVerdict } from './applications.process.js'
import {
  closeOpenPause,
  findApplication,
  findByIdempotencyKey,
  findTask,
  insertApplication,
  insertEvent,
  insertMaterial,
  insertNotice,
  insertPause,
  insertTask,
  listCurrentMaterials,
  listPauses,
  listTasks,
  nextEventSeq,
  retireMaterials,
  updateApplication,
  updateTask,
} from './applications.repository.js'
import { APPLICATION_TRANSITIONS, type ApplicationEvent, canTransition, STATE_NAMES } from './applications.states.js'
import type {
  ApplicationChannel,
  ApplicationMaterialTable,
  ApplicationTable,
  NoticeKind,
  TaskTable,
} from './applications.tables.js'
import type { MaterialInput } from './applications.types.js'
import { recordUploads, type UnrecordedUploads } from './applications.uploads.js'

// ---------------------------------------------------------------------------------------------
// Inputs

export type { MaterialInput } from './applications.types.js'

export interface SubmitInput {
  itemId: string
  /** The form token of the page: the same key twice gives the same application (SECURITY.md). */
  idempotencyKey: string
  formData: FormData
  materials: MaterialInput[]
  channel?: ApplicationChannel
  /** Window or proxy filing for a resident: whose application it is, and how they consented. */
  onBehalfOf?: { personId: string; consent?: { method: string; note: string } }
  /** Files stored for this submission with `recordLater`: recorded (and counted) in its transaction. */
  uploads?: UnrecordedUploads
}

export interface CorrectionProblem {
  target: 'field' | 'material'
  /** The form input name (e.g. `business.address`) or the material code. */
  key: string
  message: string
}

export interface NoticeContent {
  title: string
  applicationNo: string
  applicantName: string
  itemName: string
  departmentName: string
  paragraphs: string[]
  problems?: CorrectionProblem[]
  issuedOn: string
}

interface RequestContext {
  ip?: string
  requestId?: string
}

// ---------------------------------------------------------------------------------------------
// Helpers

export async function getApplication(db: DbOrTrx, id: string): Promise<ApplicationTable> {
  const app = await findApplication(db, id)
  if (!app) throw applicationNotFound()
  return app
}

/**
 * The parsed elements of the last versions read, by their JSON text (a version's row may change
 * while it is a draft, its text then with it): parsing them was ~1.5% of a submission's CPU.
 * Frozen, since every reader shares them.
 */
const parsedElements = new Map<string, ItemElements>()
const PARSED_ELEMENTS_KEPT = 256

function elementsOf(version: { elements: string }): ItemElements {
  const text = version.elements
  const kept = parsedElements.get(text)
  if (kept) return kept
  const parsed = deepFreeze(JSON.parse(text) as ItemElements)
  // The oldest goes first (insertion order): enough for the items people are applying for now.
  if (parsedElements.size >= PARSED_ELEMENTS_KEPT) parsedElements.delete(parsedElements.keys().next().value!)
  parsedElements.set(text, parsed)
  return parsed
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}

/** The actor of a principal as the event log and the audit trail record it. */
function actorOfPrincipal(principal: Principal | undefined, role: string | null = null): AuditActor {
  if (!principal) return { type: 'system', id: 'applications' }
  if (principal.staffId) return { type: 'staff', id: principal.staffId, role }
  return { type: 'person', id: principal.personId ?? null, enterpriseId: principal.enterpriseId ?? null, role }
}

/** Staff may see and act on a case of their own department only (SECURITY.md, access control). */
export function assertStaffOfDepartment(principal: Principal, departmentId: string): void {
  if (!principal.staffId || principal.departmentId !== departmentId) throw otherDepartment()
}

/** The applicant (or the enterprise they act for) sees their own applications only. */
export function isApplicantOf(principal: Principal, app: ApplicationTable): boolean {
  if (principal.staffId || !principal.personId) return false
  if (app.applicantEnterpriseId) return principal.enterpriseId === app.applicantEnterpriseId
  return app.applicantPersonId === principal.personId && !principal.enterpriseId
}

interface TransitionOptions {
  event: ApplicationEvent
  actor: AuditActor
  changes?: Partial<ApplicationTable>
  reason?: string | null
  noticeId?: string | null
  taskId?: string | null
  details?: Record<string, unknown>
  /** The message to the applicant; the default one when omitted, none when null. */
  message?: { subject: string; body: string } | null
  context?: RequestContext
  /**
   * The application is not stored yet (a submission): it is inserted in the state the transition
   * leads to, as its first event, instead of being inserted and then updated (docs/performance.md,
   * finding 22).
   */
  insert?: boolean
}

/**
 * Moves an application along one transition of the table: checks it is allowed from the current
 * state, updates the row (optimistic lock), records the event and the audit entry, and queues the
 * message to the applicant — all in the caller's transaction.
 */
async function transition(
  deps: Deps,
  trx: Trx,
  app: ApplicationTable,
  options: TransitionOptions,
): Promise<ApplicationTable> {
  const rule = APPLICATION_TRANSITIONS[options.event]
  if (!canTransition(app.state, options.event)) throw invalidTransition(app.applicationNo, app.state, rule.verb)
  const now = deps.clock.now()
  const nowIso = now.toISOString()
  const changes: Partial<ApplicationTable> = { ...options.changes, state: rule.to, updatedAt: nowIso }
  let updated: ApplicationTable
  if (options.insert) {
    updated = { ...app, ...changes }
    await insertApplication(trx, updated)
  } else {
    if (!(await updateApplication(trx, app, changes))) throw changedMeanwhile()
    updated = { ...app, ...changes, lockVersion: app.lockVersion + 1 }
  }
  await insertEvent(trx, {
    id: newId(),
    applicationId: app.id,
    seq: options.insert ? 1 : await nextEventSeq(trx, app.id),
    event: options.event,
    fromState: app.state,
    toState: rule.to,
    actorType: options.actor.type,
    actorId: options.actor.id ?? null,
    actorRole: options.actor.role ?? null,
    enterpriseId: options.actor.enterpriseId ?? null,
    channel: app.channel,
    reason: options.reason ?? null,
    noticeId: options.noticeId ?? null,
    taskId: options.taskId ?? null,
    details: options.details ? JSON.stringify(options.details) : null,
    at: nowIso,
  })
  await appendAudit(trx, {
    at: now,
    actor: options.actor,
    action: `application.${options.event}`,
    object: { type: 'application', id: app.id },
    details: { from: app.state, to: rule.to, ...(options.noticeId ? { noticeId: options.noticeId } : {}) },
    sourceIp: options.context?.ip ?? null,
    requestId: options.context?.requestId ?? null,
  })
  const message = options.message === null ? undefined : (options.message ?? defaultMessage(updated))
  if (message) {
    await queueNotification(
      trx,
      {
        recipientPersonId: app.applicantPersonId,
        channel: 'site',
        subject: message.subject,
        body: message.body,
        link: `/my/applications/${app.id}`,
        category: 'application',
      },
      deps.clock,
    )
  }
  return updated
}

function defaultMessage(app: ApplicationTable): { subject: string; body: string } | undefined {
  const no = app.applicationNo ?? ''
  return {
    subject: `办件 ${no} ${STATE_NAMES[app.state]}`,
    body: `您的办件 ${no} 状态已更新为「${STATE_NAMES[app.state]}」。`,
  }
}

/** A step of a task or the process that is not a state change of the application. */
async function recordEvent(
  deps: Deps,
  trx: Trx,
  app: ApplicationTable,
  event: string,
  actor: AuditActor,
  extra: {
    reason?: string | null
    taskId?: string | null
    noticeId?: string | null
    details?: Record<string, unknown>
  } = {},
  context: RequestContext = {},
): Promise<void> {
  const now = deps.clock.now()
  await insertEvent(trx, {
    id: newId(),
    applicationId: app.id,
    seq: await nextEventSeq(trx, app.id),
    event,
    fromState: app.state,
    toState: app.state,
    actorType: actor.type,
    actorId: actor.id ?? null,
    actorRole: actor.role ?? null,
    enterpriseId: actor.enterpriseId ?? null,
    channel: app.channel,
    reason: extra.reason ?? null,
    noticeId: extra.noticeId ?? null,
    taskId: extra.taskId ?? null,
    details: extra.details ? JSON.stringify(extra.details) : null,
    at: now.toISOString(),
  })
  await appendAudit(trx, {
    at: now,
    actor,
    action: `application.${event}`,
    object: { type: 'application', id: app.id },
    details: { ...(extra.details ?? {}), ...(extra.taskId ? { taskId: extra.taskId } : {}) },
    sourceIp: context.ip ?? null,
    requestId: context.requestId ?? null,
  })
}

async function issueNotice(
  deps: Deps,
  trx: Trx,
  app: ApplicationTable,
  kind: NoticeKind,
  issuedBy: string | null,
  content: Omit<NoticeContent, 'applicationNo' | 'applicantName' | 'itemName' | 'departmentName' | 'issuedOn'>,
): Promise<string> {
  const now = deps.clock.now()
  const department = await findDepartmentInfo(trx, app.departmentId)
  const version = await getVersion(trx, app.itemVersionId)
  const applicantName =
    app.applicantName ?? (await applicantDisplayName(trx, app.applicantPersonId, app.applicantEnterpriseId))
  const id = newId()
  const full: NoticeContent = {
    ...content,
    applicationNo: app.applicationNo ?? '',
    applicantName,
    itemName: version.taskName,
    departmentName: department?.name ?? '',
    issuedOn: todayInShanghai(now),
  }
  await insertNotice(trx, {
    id,
    applicationId: app.id,
    kind,
    number: await nextNoticeNo(trx, department?.code ?? 'x', kind, now),
    title: content.title,
    content: JSON.stringify(full),
    departmentId: app.departmentId,
    issuedBy,
    issuedAt: now.toISOString(),
  })
  return id
}

// ---------------------------------------------------------------------------------------------
// Applying

async function offeredVersion(db: DbOrTrx, itemId: string) {
  const item = await getItem(db, itemId)
  if (!item.currentVersionId || item.withdrawnAt) throw itemNotOffered()
  const version = await getVersion(db, item.currentVersionId)
  if (version.state !== 'published') throw itemNotOffered()
  return { item, version, elements: elementsOf(version) }
}

/** Checks the materials against the item: every required one present, each kind allowed. */
export function materialProblems(elements: ItemElements, materials: MaterialInput[], today: string): FieldProblem[] {
  const problems: FieldProblem[] = []
  const byCode = new Map<string, MaterialInput[]>()
  for (const m of materials) byCode.set(m.materialCode, [...(byCode.get(m.materialCode) ?? []), m])
  for (const code of byCode.keys()) {
    if (!elements.materials.some((m) => m.materialCode === code)) {
      problems.push({ field: `materials.${code}`, message: '这不是本事项要求的材料' })
    }
  }
  for (const m of elements.materials) {
    const given = byCode.get(m.materialCode) ?? []
    const field = `materials.${m.materialCode}`
    if (given.length === 0) {
      if (m.isNeed) problems.push({ field, message: `请提供「${m.materialName}」` })
      continue
    }
    for (const g of given) {
      if (g.kind === 'deferred') {
        if (!m.allowDefer) problems.push({ field, message: `「${m.materialName}」不能容缺，必须现在提供` })
        else if (!/^\d{4}-\d{2}-\d{2}$/.test(g.until) || g.until <= today) {
          problems.push({ field, message: '请选择今天之后的补交日期' })
        }
      }
      if (g.kind === 'license' && !m.licenseTypeCode) {
        problems.push({ field, message: `「${m.materialName}」不能用电子证照代替，请上传文件` })
      }
    }
  }
  return problems
}

/** Whose e-licenses the application may use: the enterprise applied for, else the applicant. */
function applicantLicenseHolder(
  principal: Principal,
  applicantPersonId: string,
  onBehalf: boolean,
): { personId: string } | { enterpriseId: string } {
  return !onBehalf && principal.enterpriseId
    ? { enterpriseId: principal.enterpriseId }
    : { personId: applicantPersonId }
}

/** E-licenses given as materials: the applicant's own, of the material's type, valid (license library). */
async function licenseMaterialProblems(
  deps: Deps,
  elements: ItemElements,
  materials: MaterialInput[],
  holder: { personId: string } | { enterpriseId: string },
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = []
  for (const m of materials) {
    if (m.kind !== 'license') continue
    const material = elements.materials.find((x) => x.materialCode === m.materialCode)
    if (!material?.licenseTypeCode) continue
    const problem = await licenseUseProblem(deps, m.licenseId, holder, material.licenseTypeCode)
    if (problem) problems.push({ field: `materials.${m.materialCode}`, message: problem })
  }
  return problems
}

/**
 * Records in the application's transaction each use of an e-license given as a material: the
 * holder sees it under 「谁用了我的证照」 (license library, audited there as license.use).
 */
async function recordLicenseUses(
  deps: Deps,
  trx: Trx,
  app: ApplicationTable,
  elements: ItemElements,
  materials: MaterialInput[],
  consentBy: string | null,
  context: RequestContext,
): Promise<void> {
  for (const m of materials) {
    if (m.kind !== 'license') continue
    const material = elements.materials.find((x) => x.materialCode === m.materialCode)
    if (!material?.licenseTypeCode) continue
    await useLicenseForApplicationIn(
      deps,
      trx,
      {
        licenseId: m.licenseId,
        holder: app.applicantEnterpriseId
          ? { enterpriseId: app.applicantEnterpriseId }
          : { personId: app.applicantPersonId },
        typeCode: material.licenseTypeCode,
        departmentId: app.departmentId,
        personId: consentBy,
        applicationId: app.id,
        purpose: `${elements.taskName} 申请材料：${material.materialName}`,
      },
      { ip: context.ip, requestId: context.requestId },
    )
  }
}

function materialRow(applicationId: string, m: MaterialInput, round: number, now: string): ApplicationMaterialTable {
  return {
    id: newId(),
    applicationId,
    materialCode: m.materialCode,
    kind: m.kind,
    fileSha256: m.kind === 'file' ? m.sha256 : null,
    fileName: m.kind === 'file' ? m.fileName : null,
    fileMime: m.kind === 'file' ? m.mime : null,
    fileSize: m.kind === 'file' ? m.size : null,
    licenseId: m.kind === 'license' ? m.licenseId : null,
    consentAt: m.kind === 'license' ? now : null,
    deferredUntil: m.kind === 'deferred' ? m.until : null,
    // DOMAIN.md §5: A issued by an agency (e-license), C uploaded by the user, D a commitment.
    trustGrade: m.kind === 'license' ? 'a' : m.kind === 'deferred' ? 'd' : 'c',
    current: 1,
    round,
    createdAt: now,
  }
}

/**
 * Submits an application: checks the form and the materials against the item, gives the 办件编号
 * at once and, for an instant item (即办件) whose rule passes, decides it on the spot.
 * Idempotent: the same applicant and key give the same application, however often it is sent.
 * @throws VALIDATION_FAILED (every problem at once); ITEM_NOT_OFFERED; ASSURANCE_TOO_LOW
 */
interface PreparedSubmission {
  principal: Principal
  applicantPersonId: string
  channel: ApplicationChannel
  idempotencyKey: string
  onBehalfOf?: SubmitInput['onBehalfOf']
  item: ItemTable
  version: ItemVersionTable
  elements: ItemElements
  formData: FormData
  materials: MaterialInput[]
  themeCaseId: string | null
}

/**
 * Checks a submission against its item: channel, assurance, form and materials.
 * @throws VALIDATION_FAILED (every problem at once, materials named `materials.<code>`)
 */
async function prepareSubmission(deps: Deps, principal: Principal, input: SubmitInput, applicantPersonId: string) {
  const channel: ApplicationChannel = input.channel ?? 'online'
  const { item, version, elements } = await offeredVersion(deps.db, input.itemId)
  if (channel === 'online' && !elements.isOnline) throw notOnline()
  if (channel === 'online') requireAssurance(principal, elements.assuranceLevel)
  const today = todayInShanghai(deps.clock.now())
  const checked = checkFormData(formFor(version), input.formData, { today })
  const holder = applicantLicenseHolder(principal, applicantPersonId, Boolean(input.onBehalfOf))
  const problems = [
    ...checked.problems,
    ...materialProblems(elements, input.materials, today),
    ...(await licenseMaterialProblems(deps, elements, input.materials, holder)),
  ]
  return {
    problems,
    prepared: {
      principal,
      applicantPersonId,
      channel,
      idempotencyKey: input.idempotencyKey,
      onBehalfOf: input.onBehalfOf,
      item,
      version,
      elements,
      formData: checked.data,
      materials: input.materials,
      themeCaseId: null,
    } as PreparedSubmission,
  }
}

function checkKey(key: string): void {
  if (!/^[A-Za-z0-9_-]{8,80}$/.test(key)) {
    throw invalidInput([{ field: 'idempotencyKey', message: '表单已过期，请刷新页面后重新提交' }])
  }
}

/**
 * Submits an application: checks the form and the materials against the item, gives the 办件编号
 * at once and, for an instant item (即办件) whose rule passes, decides it on the spot.
 * Idempotent: the same applicant and key give the same application, however often it is sent.
 * @throws VALIDATION_FAILED (every problem at once); ITEM_NOT_OFFERED; ASSURANCE_TOO_LOW
 */
export async function submitApplication(
  deps: Deps,
  principal: Principal,
  input: SubmitInput,
  context: RequestContext = {},
): Promise<ApplicationTable> {
  const applicantPersonId = input.onBehalfOf?.personId ?? principal.personId
  if (!applicantPersonId) throw new DomainError('APPLICANT_REQUIRED', 'forbidden', '请以居民或企业身份登录后申请。')
  checkKey(input.idempotencyKey)
  const existing = await findByIdempotencyKey(deps.db, applicantPersonId, input.idempotencyKey)
  if (existing) return existing
  const { problems, prepared } = await prepareSubmission(deps, principal, input, applicantPersonId)
  if (problems.length > 0) throw invalidInput(problems, `申请内容有 ${problems.length} 处需要修改`)
  const cal = await deps.calendar.load()
  try {
    return await transaction(deps.db, async (trx) => {
      const again = await findByIdempotencyKey(trx, applicantPersonId, input.idempotencyKey)
      if (again) return again
      if (input.uploads) await recordUploads(deps, trx, input.uploads)
      return insertSubmitted(deps, trx, prepared, cal, context)
    })
  } catch (error) {
    // Two identical submissions racing: the loser finds the winner's application.
    const raced = await findByIdempotencyKey(deps.db, applicantPersonId, input.idempotencyKey)
    if (raced) return raced
    throw error
  }
}

/** Creates the submitted application (and decides an instant one) in the caller's transaction. */
async function insertSubmitted(
  deps: Deps,
  trx: Trx,
  p: PreparedSubmission,
  cal: WorkingCalendar,
  context: RequestContext,
): Promise<ApplicationTable> {
  const { principal, elements, item, version, channel } = p
  const now = deps.clock.now()
  const nowIso = now.toISOString()
  const today = todayInShanghai(now)
  const app: ApplicationTable = {
    id: newId(),
    applicationNo: await nextApplicationNo(trx, now),
    idempotencyKey: p.idempotencyKey,
    itemId: item.id,
    itemVersionId: version.id,
    departmentId: item.departmentId,
    themeCaseId: p.themeCaseId,
    applicantPersonId: p.applicantPersonId,
    applicantEnterpriseId: p.onBehalfOf ? null : (principal.enterpriseId ?? null),
    filedByPersonId: p.onBehalfOf ? null : (principal.personId ?? null),
    filedByStaffId: principal.staffId ?? null,
    servicePointId: principal.servicePointId ?? null,
    channel,
    proxyConsent: p.onBehalfOf?.consent ? JSON.stringify(p.onBehalfOf.consent) : null,
    state: 'draft',
    formData: JSON.stringify(p.formData),
    projectType: elements.projectType,
    legalUnit: elements.anticipateType,
    legalDays: elements.anticipateDay,
    promisedUnit: elements.promiseType,
    promisedDays: elements.promiseDay,
    extensionDays: 0,
    correctionRounds: 0,
    submittedAt: null,
    receivedOn: null,
    acceptedAt: null,
    acceptedOn: null,
    deemedAccepted: 0,
    dueOn: null,
    promisedDueOn: null,
    paused: 0,
    decidedAt: null,
    decision: null,
    decidedByRule: 0,
    resultKind: null,
    resultRef: null,
    deliveryNote: null,
    completedAt: null,
    withdrawnAt: null,
    onlineFull: channel === 'online' && elements.onlineHandleDepth === 4 ? 1 : 0,
    lockVersion: 0,
    createdAt: nowIso,
    updatedAt: nowIso,
    itemName: elements.taskName,
    applicantName: await applicantDisplayName(
      trx,
      p.applicantPersonId,
      p.onBehalfOf ? null : (principal.enterpriseId ?? null),
    ),
  }
  // The draft (autosaved while filling in) becomes this application.
  await deleteDrafts(trx, p.applicantPersonId, app.applicantEnterpriseId, item.id)
  const actor = actorOfPrincipal(principal, channel === 'online' ? 'applicant' : channel)
  // Stored as submitted, with its first event; then its materials.
  let current = await transition(deps, trx, app, {
    event: 'submit',
    insert: true,
    actor,
    changes: { submittedAt: nowIso, receivedOn: today },
    details: { channel, itemVersion: version.version, ...(p.themeCaseId ? { themeCaseId: p.themeCaseId } : {}) },
    message: {
      subject: `办件 ${app.applicationNo} 已提交`,
      body: `您申请的「${elements.taskName}」已提交，办件编号 ${app.applicationNo}。受理部门将在 5 个工作日内告知是否受理或需要补正的材料。`,
    },
    context,
  })
  for (const m of p.materials) await insertMaterial(trx, materialRow(app.id, m, 0, nowIso))
  await recordLicenseUses(deps, trx, current, elements, p.materials, p.applicantPersonId, context)
  const rule = instantRuleFor(elements)
  if (rule && elements.projectType === '即办件') {
    const verdict = rule.check({ formData: p.formData, materials: p.materials, elements })
    if (verdict.ok) current = await decideInstantly(deps, trx, current, elements, cal, rule.name)
  }
  return current
}

/** 即办件 decided by rule: accepted, processed and approved in one step, recorded as by rule. */
async function decideInstantly(
  deps: Deps,
  trx: Trx,
  app: ApplicationTable,
  elements: ItemElements,
  cal: WorkingCalendar,
  ruleName: string,
): Promise<ApplicationTable> {
  const now = deps.clock.now()
  const nowIso = now.toISOString()
  const system: AuditActor = { type: 'system', id: `rule:${ruleName}` }
  const acceptNotice = await issueNotice(deps, trx, app, 'accept', null, {
    title: '受理通知书',
    paragraphs: [
      `你（单位）提交的「${elements.taskName}」申请材料齐全、符合法定形式，本机关决定予以受理，并当场办结。`,
    ],
  })
  let current = await transition(deps, trx, app, {
    event: 'accept',
    actor: system,
    noticeId: acceptNotice,
    changes: {
      acceptedAt: nowIso,
      acceptedOn: todayInShanghai(now),
      dueOn: todayInShanghai(now),
      promisedDueOn: todayInShanghai(now),
    },
    message: {
      subject: `办件 ${app.applicationNo} 已受理`,
      body: `您的办件 ${app.applicationNo} 已受理，正在即时办理。`,
    },
  })
  current = await transition(deps, trx, current, { event: 'start', actor: system, message: null })
  const decisionNotice = await issueNotice(deps, trx, current, 'decision', null, {
    title: '准予决定书',
    paragraphs: [
      `经审查，你（单位）的「${elements.taskName}」申请符合规定条件，决定予以准予。`,
      `本决定由系统按「${ruleName}」规则自动作出。`,
    ],
  })
  current = await transition(deps, trx, current, {
    event: 'approve',
    actor: system,
    noticeId: decisionNotice,
    reason: ruleName,
    changes: { decidedAt: nowIso, decision: 'approved', decidedByRule: 1 },
    details: { rule: ruleName },
    message: {
      subject: `办件 ${app.applicationNo} 已办结`,
      body: `您申请的「${elements.taskName}」已按规则即时办结。`,
    },
  })
  void cal
  return deliverResult(deps, trx, current, elements, system)
}

// ---------------------------------------------------------------------------------------------
// Pre-review at the window (行政许可法 §32)

async function forStaff(deps: Deps, principal: Principal, applicationId: string) {
  const app = await getApplication(deps.db, applicationId)
  assertStaffOfDepartment(principal, app.departmentId)
  const version = await getVersion(deps.db, app.itemVersionId)
  return { app, version, elements: elementsOf(version) }
}

/**
 * One notice listing every problem (一次性告知): the applicant then fixes only what it names.
 * The correction time is not counted against the agency's 5-day pre-review (§32).
 * @throws VALIDATION_FAILED without problems or with problems naming nothing in the application
 */
export async function requestCorrection(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  problems: CorrectionProblem[],
  context: RequestContext = {},
): Promise<ApplicationTable> {
  const { app, version, elements } = await forStaff(deps, principal, applicationId)
  if (problems.length === 0) throw invalidInput([{ field: 'problems', message: '请至少列出一项需要补正的内容' }])
  const form = formFor(version)
  const fieldNames = new Set(form.sections.flatMap((s) => s.fields.map((f) => `${s.key}.${f.key}`)))
  const bad: FieldProblem[] = []
  problems.forEach((p, i) => {
    if (!p.message.trim()) bad.push({ field: `problems[${i}].message`, message: '请写明需要怎样补正' })
    if (p.target === 'material' && !elements.materials.some((m) => m.materialCode === p.key)) {
      bad.push({ field: `problems[${i}].key`, message: '没有这项材料' })
    }
    if (p.target === 'field' && !fieldNames.has(p.key.replace(/\[\d+\]/g, ''))) {
      bad.push({ field: `problems[${i}].key`, message: '表单中没有这一项' })
    }
  })
  if (bad.length > 0) throw invalidInput(bad)
  return transaction(deps.db, async (trx) => {
    const fresh = await getApplication(trx, applicationId)
    if (fresh.lockVersion !== app.lockVersion) throw changedMeanwhile()
    const noticeId = await issueNotice(deps, trx, fresh, 'correction', principal.staffId ?? null, {
      title: '补正材料通知书',
      paragraphs: [
        `你（单位）提交的「${elements.taskName}」申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条，现一次性告知需要补正的全部内容如下：`,
        '请按要求补正后重新提交。补正材料提交之日起，本机关将重新审查。',
      ],
      problems,
    })
    const names = problems.map((p) => p.message).join('；')
    return transition(deps, trx, fresh, {
      event: 'request_correction',
      actor: actorOfPrincipal(principal, 'window_clerk'),
      noticeId,
      changes: { correctionRounds: fresh.correctionRounds + 1 },
      details: { problems: problems.map((p) => ({ target: p.target, key: p.key })) },
      message: {
        subject: `办件 ${fresh.applicationNo} 需要补正`,
        body: `您的办件 ${fresh.applicationNo} 需要补正以下内容：${names}。请查看补正材料通知书，只需修改通知中列出的内容。`,
      },
      context,
    })
  })
}

/**
 * The applicant fixes what the correction notice names — and only that — and resubmits.
 * @throws APPLICATION_CORRECTION_SCOPE when something not named in the notice was changed
 */
export async function resubmitCorrection(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  input: { formData: FormData; materials: MaterialInput[] },
  context: RequestContext = {},
): Promise<ApplicationTable> {
  const app = await getApplication(deps.db, applicationId)
  if (!isApplicantOf(principal, app) && !(principal.staffId && principal.departmentId === app.departmentId)) {
    throw applicationNotFound()
  }
  if (!canTransition(app.state, 'resubmit')) throw invalidTransition(app.applicationNo, app.state, '提交补正材料')
  const version = await getVersion(deps.db, app.itemVersionId)
  const elements = elementsOf(version)
  const problems = await openCorrectionProblems(deps.db, app.id)
  const allowedFields = new Set(problems.filter((p) => p.target === 'field').map((p) => p.key))
  const allowedMaterials = new Set(problems.filter((p) => p.target === 'material').map((p) => p.key))
  const form = formFor(version)
  const today = todayInShanghai(deps.clock.now())
  const checked = checkFormData(form, input.formData, { today })
  const before = JSON.parse(app.formData) as FormData
  const changedOutside = changedInputs(before, checked.data).filter((name) => !allowedFields.has(name))
  const outsideMaterials = input.materials.filter((m) => !allowedMaterials.has(m.materialCode))
  const scope: FieldProblem[] = [
    ...changedOutside.map((name) => ({ field: name, message: '补正通知没有要求修改这一项，请保持原样' })),
    ...outsideMaterials.map((m) => ({ field: `materials.${m.materialCode}`, message: '补正通知没有要求更换这份材料' })),
  ]
  const current = await listCurrentMaterials(deps.db, app.id)
  const merged: MaterialInput[] = [
    ...current
      .filter((m) => !input.materials.some((n) => n.materialCode === m.materialCode))
      .map((m) => storedToInput(m)),
    ...input.materials,
  ]
  const missing = [...allowedMaterials].filter((code) => !input.materials.some((m) => m.materialCode === code))
  const allProblems = [
    ...checked.problems,
    ...scope,
    ...missing.map((code) => ({ field: `materials.${code}`, message: '请按补正通知重新提供这份材料' })),
    ...materialProblems(elements, merged, today),
  ]
  if (allProblems.length > 0) {
    throw new DomainError(
      'APPLICATION_CORRECTION_INVALID',
      'invalid',
      `补正内容有 ${allProblems.length} 处需要修改`,
      allProblems,
    )
  }
  return transaction(deps.db, async (trx) => {
    const fresh = await getApplication(trx, applicationId)
    if (fresh.lockVersion !== app.lockVersion) throw changedMeanwhile()
    const now = deps.clock.now().toISOString()
    await retireMaterials(
      trx,
      app.id,
      input.materials.map((m) => m.materialCode),
    )
    for (const m of input.materials) await insertMaterial(trx, materialRow(app.id, m, fresh.correctionRounds, now))
    await recordLicenseUses(deps, trx, fresh, elements, input.materials, principal.personId ?? null, context)
    return transition(deps, trx, fresh, {
      event: 'resubmit',
      actor: actorOfPrincipal(principal, 'applicant'),
      // §32: the 5-day pre-review starts again from the day the corrected materials arrive.
      changes: { formData: JSON.stringify(checked.data), receivedOn: today },
      details: { fields: [...allowedFields], materials: [...allowedMaterials] },
      message: {
        subject: `办件 ${fresh.applicationNo} 补正材料已提交`,
        body: `您已提交办件 ${fresh.applicationNo} 的补正材料，受理部门将尽快审查。`,
      },
      context,
    })
  })
}

function storedToInput(m: ApplicationMaterialTable): MaterialInput {
  if (m.kind === 'license')
    return { materialCode: m.materialCode, kind: 'license', licenseId: m.licenseId ?? '', consent: true }
  if (m.kind === 'deferred') return { materialCode: m.materialCode, kind: 'deferred', until: m.deferredUntil ?? '' }
  return {
    materialCode: m.materialCode,
    kind: 'file',
    sha256: m.fileSha256 ?? '',
    fileName: m.fileName ?? '',
    mime: m.fileMime ?? '',
    size: m.fileSize ?? 0,
  }
}

/** Input names whose value differs between two versions of the form data. */
export function changedInputs(before: FormData, after: FormData): string[] {
  const flat = (data: FormData): Map<string, string> => {
    const out = new Map<string, string>()
    for (const [section, value] of Object.entries(data)) {
      if (Array.isArray(value)) {
        value.forEach((row, i) => {
          for (const [k, v] of Object.entries(row)) out.set(`${section}[${i}].${k}`, JSON.stringify(v))
        })
      } else {
        for (const [k, v] of Object.entries(value)) out.set(`${section}.${k}`, JSON.stringify(v))
      }
    }
    return out
  }
  const a = flat(before)
  const b = flat(after)
  const names = new Set([...a.keys(), ...b.keys()])
  return [...names].filter((n) => a.get(n) !== b.get(n)).sort()
}

/** The problems of the latest correction notice of an application. */
export async function openCorrectionProblems(db: DbOrTrx, applicationId: string): Promise<CorrectionProblem[]> {
  const notice = await db
    .selectFrom('notices')
    .select(['content'])
    .where('applicationId', '=', applicationId)
    .where('kind', '=', 'correction')
    .orderBy('issuedAt', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!notice) return []
  return (JSON.parse(notice.content) as NoticeContent).problems ?? []
}

/**
 * 不予受理: not within the agency's remit or not meeting the law's conditions; the notice gives
 * the reasons and, where it is someone else's matter, where to apply (§32).
 */
export async function rejectApplication(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  input: { reason: string; whereToApply?: string },
  context: RequestContext = {},
): Promise<ApplicationTable> {
  const { app, elements } = await forStaff(deps, principal, applicationId)
  const reason = input.reason.trim()
  if (!reason) throw invalidInput([{ field: 'reason', message: '不予受理必须写明理由' }])
  return transaction(deps.db, async (trx) => {
    const fresh = await getApplication(trx, applicationId)
    if (fresh.lockVersion !== app.lockVersion) throw changedMeanwhile()
    const noticeId = await issueNotice(deps, trx, fresh, 'reject', principal.staffId ?? null, {
      title: '不予受理通知书',
      paragraphs: [
        `你（单位）提交的「${elements.taskName}」申请，经审查，决定不予受理。理由：${reason}`,
        ...(input.whereToApply?.trim() ? [`请向${input.whereToApply.trim()}申请。`] : []),
        '如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。',
      ],
    })
    return transition(deps, trx, fresh, {
      event: 'reject',
      actor: actorOfPrincipal(principal, 'window_clerk'),
      reason,
      noticeId,
      message: {
        subject: `办件 ${fresh.applicationNo} 不予受理`,
        body: `您的办件 ${fresh.applicationNo} 不予受理。理由：${reason}`,
      },
      context,
    })
  })
}

/** Accepts an application (受理通知书); the legal clock starts the next day; processing begins. */
export async function acceptApplication(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  context: RequestContext = {},
): Promise<ApplicationTable> {
  const { app, elements } = await forStaff(deps, principal, applicationId)
  const cal = await deps.calendar.load()
  return transaction(deps.db, async (trx) => {
    const fresh = await getApplication(trx, applicationId)
    if (fresh.lockVersion !== app.lockVersion) throw changedMeanwhile()
    return acceptAndStart(
      deps,
      trx,
      fresh,
      elements,
      cal,
      actorOfPrincipal(principal, 'window_clerk'),
      principal.staffId ?? null,
      false,
      context,
    )
  })
}

async function acceptAndStart(
  deps: Deps,
  trx: Trx,
  app: ApplicationTable,
  elements: ItemElements,
  cal: WorkingCalendar,
  actor: AuditActor,
  staffId: string | null,
  deemed: boolean,
  context: RequestContext = {},
): Promise<ApplicationTable> {
  const now = deps.clock.now()
  // Deemed acceptance counts from the day the complete submission arrived (§32).
  const trigger = deemed ? (app.submittedAt ?? now.toISOString()) : now.toISOString()
  const acceptedOn = deemed ? (app.receivedOn ?? todayInShanghai(now)) : todayInShanghai(now)
  const legal = clockSpecOf({ ...app, acceptedAt: trigger }, [], 'legal')
  const promised = clockSpecOf({ ...app, acceptedAt: trigger }, [], 'promised')
  const noticeId = await issueNotice(deps, trx, app, 'accept', staffId, {
    title: '受理通知书',
    paragraphs: [
      deemed
        ? `你（单位）于 ${acceptedOn} 提交的「${elements.taskName}」申请，本机关未在五日内告知补正，根据《中华人民共和国行政许可法》第三十二条，自收到申请材料之日起即为受理。`
        : `你（单位）提交的「${elements.taskName}」申请材料齐全、符合法定形式，本机关决定予以受理。`,
      `本机关将在 ${dueOn(cal, promised) ?? '—'} 前办结（承诺时限 ${elements.promiseDay} 个${elements.promiseType}；法定时限截止 ${dueOn(cal, legal) ?? '—'}）。`,
    ],
  })
  const accepted = await transition(deps, trx, app, {
    event: deemed ? 'deem_accept' : 'accept',
    actor,
    noticeId,
    changes: {
      acceptedAt: trigger,
      acceptedOn,
      deemedAccepted: deemed ? 1 : 0,
      dueOn: dueOn(cal, legal) ?? null,
      promisedDueOn: dueOn(cal, promised) ?? null,
    },
    message: {
      subject: `办件 ${app.applicationNo} 已受理`,
      body: `您的办件 ${app.applicationNo} 已受理，承诺 ${dueOn(cal, promised) ?? ''} 前办结。`,
    },
    context,
  })
  const started = await transition(deps, trx, accepted, {
    event: 'start',
    actor: { type: 'system', id: 'process' },
    message: null,
  })
  const version = await getVersion(trx, app.itemVersionId)
  await openStage(deps, trx, started, processOf(elements, version.processDefinition), 0, cal)
  return started
}

/**
 * §32 sweep: a submission nobody answered within 5 working days counts as accepted on the day it
 * arrived. Safe to run on several nodes at once (optimistic lock on each application).
 */
export async function deemAcceptOverdue(deps: Deps, options: { limit?: number } = {}): Promise<number> {
  const cal = await deps.calendar.load()
  const now = deps.clock.now()
  // Anything received before this day has had its five working days.
  const candidates = await deps.db
    .selectFrom('applications')
    .selectAll()
    .where('state', '=', 'submitted')
    .orderBy('receivedOn')
    .limit(options.limit ?? 200)
    .execute()
  let accepted = 0
  for (const app of candidates) {
    if (!app.submittedAt) continue
    const { correctionDueOn } = deemedAcceptanceDue(cal, app.submittedAt)
    const receivedDue = app.receivedOn ? addWorkingDays(cal, app.receivedOn, 5) : correctionDueOn
    if (todayInShanghai(now) <= receivedDue) continue
    const version = await getVersion(deps.db, app.itemVersionId)
    try {
      await transaction(deps.db, (trx) =>
        acceptAndStart(
          deps,
          trx,
          app,
          elementsOf(version),
          cal,
          { type: 'system', id: 'sweep:deemed_acceptance' },
          null,
          true,
        ),
      )
      accepted++
    } catch (error) {
      if (error instanceof DomainError && error.code === 'APPLICATION_CHANGED') continue
      throw error
    }
  }
  return accepted
}

// ---------------------------------------------------------------------------------------------
// Processing: stages and tasks (并联审批)

function processOf(elements: ItemElements, stored?: string | null): ProcessDefinition {
  return processFor(elements, stored)
}

async function departmentIdOf(trx: Trx, app: ApplicationTable, code: string): Promise<string> {
  if (code === 'owner') return app.departmentId
  const id = await departmentIdOfCode(trx, code)
  if (!id)
    throw new DomainError(
      'PROCESS_DEPARTMENT_MISSING',
      'conflict',
      `办理流程中的部门「${code}」不存在，请联系事项管理员。`,
    )
  return id
}

async function openStage(
  deps: Deps,
  trx: Trx,
  app: ApplicationTable,
  process: ProcessDefinition,
  stage: number,
  cal: WorkingCalendar,
) {
  const def = process.stages[stage]
  if (!def) return
  const now = deps.clock.now()
  const start = todayInShanghai(now)
  for (const task of def.tasks) {
    const row: TaskTable = {
      id: newId(),
      applicationId: app.id,
      stage,
      taskKey: task.key,
      name: task.name,
      departmentId: await departmentIdOf(trx, app, task.department),
      role: task.role,
      state: 'open',
      assigneeStaffId: null,
      outcome: null,
      opinion: null,
      budgetDays: task.budgetDays,
      startedAt: now.toISOString(),
      dueOn: addWorkingDays(cal, start, task.budgetDays),
      doneAt: null,
      createdAt: now.toISOString(),
    }
    await insertTask(trx, row)
  }
  await recordEvent(
    deps,
    trx,
    app,
    'stage_open',
    { type: 'system', id: 'process' },
    { details: { stage, name: def.name, tasks: def.tasks.length } },
  )
}

async function taskFor(deps: Deps, principal: Principal, taskId: string) {
  const task = await findTask(deps.db, taskId)
  if (!task) throw taskNotFound()
  if (!principal.staffId || principal.departmentId !== task.departmentId || !principal.roles.includes(task.role)) {
    throw taskNotYours()
  }
  const app = await getApplication(deps.db, task.applicationId)
  return { task, app }
}

/** Takes a task (签收): it is then the assignee's to handle. */
export async function claimTask(deps: Deps, principal: Principal, taskId: string, context: RequestContext = {}) {
  const { task, app } = await taskFor(deps, principal, taskId)
  if (task.state !== 'open') throw taskWrongState('签收')
  await transaction(deps.db, async (trx) => {
    if (!(await updateTask(trx, task, { state: 'claimed', assigneeStaffId: principal.staffId ?? null })))
      throw taskWrongState('签收')
    await recordEvent(deps, trx, app, 'task_claim', actorOfPrincipal(principal, task.role), { taskId }, context)
  })
}

/** Hands a task to a colleague of the same department and role (转办). */
export async function transferTask(
  deps: Deps,
  principal: Principal,
  taskId: string,
  toStaffId: string,
  reason: string,
  context: RequestContext = {},
) {
  const { task, app } = await taskFor(deps, principal, taskId)
  if (!['open', 'claimed'].includes(task.state)) throw taskWrongState('转办')
  const colleague = (await staffWithRole(deps.db, task.departmentId, task.role)).find((st) => st.id === toStaffId)
  if (!colleague) throw invalidInput([{ field: 'toStaffId', message: '只能转给本部门同一岗位的同事' }])
  await transaction(deps.db, async (trx) => {
    if (!(await updateTask(trx, task, { state: 'claimed', assigneeStaffId: toStaffId }))) throw taskWrongState('转办')
    await recordEvent(
      deps,
      trx,
      app,
      'task_transfer',
      actorOfPrincipal(principal, task.role),
      { taskId, reason, details: { to: toStaffId } },
      context,
    )
  })
}

/**
 * Completes a task with an outcome and an opinion. When the stage's join rule is met the next
 * stage opens; the last stage's outcome is the decision (准予 / 不予许可, with reasons).
 * @throws VALIDATION_FAILED (a disagreement needs reasons)
 */
export async function completeTask(
  deps: Deps,
  principal: Principal,
  taskId: string,
  input: { outcome: 'agree' | 'disagree'; opinion: string },
  context: RequestContext = {},
): Promise<ApplicationTable> {
  const { task, app } = await taskFor(deps, principal, taskId)
  if (!['open', 'claimed'].includes(task.state)) throw taskWrongState('办理')
  if (task.state === 'claimed' && task.assigneeStaffId !== principal.staffId) throw taskNotYours()
  const opinion = input.opinion.trim()
  if (input.outcome === 'disagree' && !opinion) {
    throw invalidInput([{ field: 'opinion', message: '不同意时必须写明理由（不予许可须说明理由）' }])
  }
  const version = await getVersion(deps.db, app.itemVersionId)
  const elements = elementsOf(version)
  const process = processOf(elements, version.processDefinition)
  const cal = await deps.calendar.load()
  return transaction(deps.db, async (trx) => {
    const now = deps.clock.now().toISOString()
    if (
      !(await updateTask(trx, task, {
        state: 'done',
        outcome: input.outcome,
        opinion: opinion || null,
        doneAt: now,
        assigneeStaffId: principal.staffId ?? null,
      }))
    ) {
      throw taskWrongState('办理')
    }
    let current = await getApplication(trx, app.id)
    if (current.state !== 'in_process') throw invalidTransition(current.applicationNo, current.state, '办理')
    await recordEvent(
      deps,
      trx,
      current,
      'task_complete',
      actorOfPrincipal(principal, task.role),
      {
        taskId,
        reason: opinion || null,
        details: { outcome: input.outcome, stage: task.stage, task: task.taskKey },
      },
      context,
    )
    const stageTasks = (await listTasks(trx, app.id)).filter((t) => t.stage === task.stage && t.state !== 'cancelled')
    const stageDef = process.stages[task.stage]
    const verdict = stageVerdict(
      stageDef?.join ?? 'all',
      stageTasks.map((t) => t.outcome),
    )
    if (verdict === 'pending') return current
    // The stage is decided: tasks still open are no longer needed (k of n, any).
    for (const t of stageTasks.filter((x) => x.state === 'open' || x.state === 'claimed')) {
      await updateTask(trx, t, { state: 'cancelled', doneAt: now })
    }
    const isLast = task.stage === process.stages.length - 1
    if (verdict === 'passed' && !isLast) {
      await openStage(deps, trx, current, process, task.stage + 1, cal)
      return current
    }
    const actor = actorOfPrincipal(principal, task.role)
    const reasons = stageTasks
      .filter((t) => t.outcome === 'disagree')
      .map((t) => t.opinion)
      .filter(Boolean) as string[]
    const approve = verdict === 'passed'
    const noticeId = await issueNotice(deps, trx, current, 'decision', principal.staffId ?? null, {
      title: approve ? '准予行政许可决定书' : '不予行政许可决定书',
      paragraphs: approve
        ? [
            `经审查，你（单位）的「${elements.taskName}」申请符合法定条件、标准，根据${elements.byLaw.split('\n')[0]}，决定准予。`,
          ]
        : [
            `经审查，你（单位）的「${elements.taskName}」申请不符合法定条件、标准，决定不予许可。理由：${reasons.join('；')}`,
            '如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。',
          ],
    })
    current = await transition(deps, trx, current, {
      event: approve ? 'approve' : 'refuse',
      actor,
      noticeId,
      reason: approve ? null : reasons.join('；'),
      changes: { decidedAt: now, decision: approve ? 'approved' : 'refused' },
      message: approve
        ? {
            subject: `办件 ${current.applicationNo} 已准予`,
            body: `您申请的「${elements.taskName}」已准予，结果将按您选择的方式送达。`,
          }
        : {
            subject: `办件 ${current.applicationNo} 不予许可`,
            body: `您申请的「${elements.taskName}」不予许可。理由：${reasons.join('；')}`,
          },
      context,
    })
    if (approve) return deliverResult(deps, trx, current, elements, { type: 'system', id: 'delivery' })
    return transition(deps, trx, current, { event: 'close', actor: { type: 'system', id: 'process' }, message: null })
  })
}

/**
 * Sends a task back to an earlier stage (退回): that stage's tasks open again; the current stage's
 * other tasks are cancelled.
 */
export async function returnTask(
  deps: Deps,
  principal: Principal,
  taskId: string,
  input: { toStage: number; reason: string },
  context: RequestContext = {},
) {
  const { task, app } = await taskFor(deps, principal, taskId)
  if (!['open', 'claimed'].includes(task.state)) throw taskWrongState('退回')
  if (!input.reason.trim()) throw invalidInput([{ field: 'reason', message: '退回时请写明理由' }])
  if (!(input.toStage >= 0 && input.toStage < task.stage))
    throw invalidInput([{ field: 'toStage', message: '只能退回到之前的环节' }])
  const version = await getVersion(deps.db, app.itemVersionId)
  const process = processOf(elementsOf(version), version.processDefinition)
  const cal = await deps.calendar.load()
  await transaction(deps.db, async (trx) => {
    const now = deps.clock.now().toISOString()
    for (const t of (await listTasks(trx, app.id)).filter(
      (x) => x.stage >= input.toStage && ['open', 'claimed', 'waiting'].includes(x.state),
    )) {
      await updateTask(trx, t, {
        state: t.id === task.id ? 'returned' : 'cancelled',
        doneAt: now,
        opinion: t.id === task.id ? input.reason.trim() : t.opinion,
      })
    }
    await recordEvent(
      deps,
      trx,
      app,
      'task_return',
      actorOfPrincipal(principal, task.role),
      { taskId, reason: input.reason.trim(), details: { toStage: input.toStage } },
      context,
    )
    await openStage(deps, trx, app, process, input.toStage, cal)
  })
}

// ---------------------------------------------------------------------------------------------
// The clock: pauses (§45) and extensions (§42)

export function clockSpecOf(
  app: Pick<
    ApplicationTable,
    'acceptedAt' | 'legalUnit' | 'legalDays' | 'promisedUnit' | 'promisedDays' | 'extensionDays'
  >,
  pauses: { fromAt: string; toAt: string | null; reason: string }[],
  which: 'legal' | 'promised',
): ClockSpec {
  return {
    trigger: app.acceptedAt ?? new Date(0).toISOString(),
    unit: which === 'legal' ? app.legalUnit : app.promisedUnit,
    budgetDays: which === 'legal' ? app.legalDays : app.promisedDays,
    extensionDays: which === 'legal' ? app.extensionDays : 0,
    pauses: pauses.map((p) => ({ from: p.fromAt, to: p.toAt ?? undefined, reason: p.reason as PauseReason })),
  }
}

/** Recomputes the stored deadlines after a clock change (they drive the inbox order and warnings). */
async function refreshDeadlines(
  deps: Deps,
  trx: Trx,
  app: ApplicationTable,
  cal: WorkingCalendar,
  changes: Partial<ApplicationTable> = {},
) {
  const merged = { ...app, ...changes }
  const pauses = await listPauses(trx, app.id)
  const open = pauses.some((p) => !p.toAt)
  const legal = dueOn(cal, clockSpecOf(merged, pauses, 'legal'))
  const promised = dueOn(cal, clockSpecOf(merged, pauses, 'promised'))
  if (
    !(await updateApplication(trx, app, {
      ...changes,
      paused: open ? 1 : 0,
      dueOn: legal ?? app.dueOn,
      promisedDueOn: promised ?? app.promisedDueOn,
      updatedAt: deps.clock.now().toISOString(),
    }))
  ) {
    throw changedMeanwhile()
  }
}

const SPECIAL_PROCEDURES: Record<string, string> = {
  hearing: '听证',
  testing: '检测',
  inspection: '检验',
  quarantine: '检疫',
  appraisal: '鉴定',
  expert_review: '专家评审',
  tender: '招标',
  auction: '拍卖',
  correction: '补正材料',
}

/**
 * Stops the clock for a special procedure (§45: hearing, testing, expert review … are not
 * counted) and tells the applicant in writing how long it is expected to take.
 */
export async function pauseClock(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  input: { reason: string; expectedDays: number; note: string },
  context: RequestContext = {},
) {
  const { app, elements } = await forStaff(deps, principal, applicationId)
  if (app.state !== 'in_process') throw invalidTransition(app.applicationNo, app.state, '启动特别程序')
  if (!SPECIAL_PROCEDURES[input.reason]) throw invalidInput([{ field: 'reason', message: '请选择特别程序的种类' }])
  if (!(input.expectedDays >= 1 && input.expectedDays <= 365))
    throw invalidInput([{ field: 'expectedDays', message: '请填写预计需要的天数（1–365）' }])
  const cal = await deps.calendar.load()
  await transaction(deps.db, async (trx) => {
    const fresh = await getApplication(trx, applicationId)
    if ((await listPauses(trx, app.id)).some((p) => !p.toAt)) {
      throw new DomainError('CLOCK_ALREADY_PAUSED', 'conflict', '计时已暂停，请先结束正在进行的特别程序。')
    }
    const name = SPECIAL_PROCEDURES[input.reason]!
    const noticeId = await issueNotice(deps, trx, fresh, 'special_procedure', principal.staffId ?? null, {
      title: '特别程序告知书',
      paragraphs: [
        `你（单位）申请的「${elements.taskName}」需要进行${name}，预计需要 ${input.expectedDays} 日。根据《中华人民共和国行政许可法》第四十五条，${name}所需时间不计算在办理期限内。`,
        ...(input.note.trim() ? [input.note.trim()] : []),
      ],
    })
    await insertPause(trx, {
      id: newId(),
      applicationId: app.id,
      reason: input.reason,
      fromAt: deps.clock.now().toISOString(),
      toAt: null,
      noticeId,
      createdBy: principal.staffId ?? null,
    })
    await refreshDeadlines(deps, trx, fresh, cal)
    await recordEvent(
      deps,
      trx,
      fresh,
      'clock_pause',
      actorOfPrincipal(principal, 'reviewer'),
      { noticeId, reason: name, details: { reason: input.reason, expectedDays: input.expectedDays } },
      context,
    )
    await queueNotification(
      trx,
      {
        recipientPersonId: app.applicantPersonId,
        channel: 'site',
        subject: `办件 ${app.applicationNo} 进入${name}程序`,
        body: `您的办件需要进行${name}，预计 ${input.expectedDays} 日，期间不计入办理时限。`,
        link: `/my/applications/${app.id}`,
        category: 'application',
      },
      deps.clock,
    )
  })
}

/** Restarts the clock after the special procedure. */
export async function resumeClock(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  context: RequestContext = {},
) {
  const { app } = await forStaff(deps, principal, applicationId)
  const cal = await deps.calendar.load()
  await transaction(deps.db, async (trx) => {
    const fresh = await getApplication(trx, applicationId)
    if (!(await listPauses(trx, app.id)).some((p) => !p.toAt)) {
      throw new DomainError('CLOCK_NOT_PAUSED', 'conflict', '计时没有暂停。')
    }
    await closeOpenPause(trx, app.id, deps.clock.now().toISOString())
    await refreshDeadlines(deps, trx, fresh, cal)
    await recordEvent(deps, trx, fresh, 'clock_resume', actorOfPrincipal(principal, 'reviewer'), {}, context)
  })
}

/**
 * Extends the legal limit (§42: +10 days, or +15 for joint handling) with the approval of the
 * agency's head (permission clock.extend) and a notice to the applicant giving the reason.
 */
export async function extendClock(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  input: { reason: string },
  context: RequestContext = {},
) {
  const { app, elements } = await forStaff(deps, principal, applicationId)
  if (!principal.permissions.has('clock.extend'))
    throw new DomainError('FORBIDDEN', 'forbidden', '延长办理期限须经本机关负责人批准。')
  if (app.state !== 'in_process') throw invalidTransition(app.applicationNo, app.state, '延长期限')
  if (app.extensionDays > 0)
    throw new DomainError('CLOCK_ALREADY_EXTENDED', 'conflict', '这个办件已经延长过一次期限，依法不能再延长。')
  const reason = input.reason.trim()
  if (!reason) throw invalidInput([{ field: 'reason', message: '延长期限必须写明理由，并告知申请人' }])
  const days = elements.projectType === '联办件' ? 15 : 10
  const cal = await deps.calendar.load()
  await transaction(deps.db, async (trx) => {
    const fresh = await getApplication(trx, applicationId)
    const noticeId = await issueNotice(deps, trx, fresh, 'extension', principal.staffId ?? null, {
      title: '延长办理期限通知书',
      paragraphs: [
        `你（单位）申请的「${elements.taskName}」因${reason}，不能在法定期限内作出决定。经本机关负责人批准，根据《中华人民共和国行政许可法》第四十二条，办理期限延长 ${days} 日。`,
      ],
    })
    await refreshDeadlines(deps, trx, fresh, cal, { extensionDays: days })
    const after = await getApplication(trx, applicationId)
    await recordEvent(
      deps,
      trx,
      after,
      'clock_extend',
      actorOfPrincipal(principal, 'approver'),
      { noticeId, reason, details: { days } },
      context,
    )
    await queueNotification(
      trx,
      {
        recipientPersonId: app.applicantPersonId,
        channel: 'site',
        subject: `办件 ${app.applicationNo} 办理期限延长`,
        body: `因${reason}，您的办件办理期限延长 ${days} 日，新的截止日期为 ${after.dueOn}。`,
        link: `/my/applications/${app.id}`,
        category: 'application',
      },
      deps.clock,
    )
  })
}

/** Working days used and left, and the state of the clock, for pages. */
export async function clockOf(deps: Deps, app: ApplicationTable) {
  if (!app.acceptedAt) return undefined
  const cal = await deps.calendar.load()
  const pauses = await listPauses(deps.db, app.id)
  const now = deps.clock.now()
  return {
    legal: clockSummary(cal, clockSpecOf(app, pauses, 'legal'), now),
    promised: clockSummary(cal, clockSpecOf(app, pauses, 'promised'), now),
    pauses,
  }
}

// ---------------------------------------------------------------------------------------------
// Delivery and completion

/**
 * Delivers the result: an electronic result (e-license or e-document) completes the application
 * at once. Where the item's result is an e-license, the license library signs it in this same
 * transaction (licenses issueResultLicenseIn, audited there as license.issue) and the application
 * points at it (result_kind 'license', result_ref the license version's id). When the library
 * cannot sign it (type not issued here, no seal key, the form lacks data the license needs) the
 * approval still completes, with result_kind 'license_pending' and the reason in the delivery
 * note and the event, for the issuing department to sign it (licenses desk).
 */
async function deliverResult(
  deps: Deps,
  trx: Trx,
  app: ApplicationTable,
  elements: ItemElements,
  actor: AuditActor,
): Promise<ApplicationTable> {
  const decision = await trx
    .selectFrom('notices')
    .select('id')
    .where('applicationId', '=', app.id)
    .where('kind', '=', 'decision')
    .orderBy('issuedAt', 'desc')
    .executeTakeFirst()
  let resultKind = 'document'
  let resultRef: string | null = decision?.id ?? null
  let deliveryNote = '电子送达：决定书已发送至「我的办件」'
  let body = `您的办件 ${app.applicationNo} 已办结，可在「我的办件」下载${elements.resultName}相关文书。`
  let details: Record<string, unknown> | undefined
  if (elements.resultLicenseTypeCode) {
    const version = await getVersion(trx, app.itemVersionId)
    const outcome = await issueResultLicenseIn(deps, trx, {
      typeCode: elements.resultLicenseTypeCode,
      holder: app.applicantEnterpriseId
        ? { enterpriseId: app.applicantEnterpriseId }
        : { personId: app.applicantPersonId },
      values: resultLicenseValues(formFor(version), JSON.parse(app.formData) as FormData),
      applicationId: app.id,
    })
    if ('issued' in outcome) {
      const license = outcome.issued
      resultKind = 'license'
      resultRef = license.id
      deliveryNote = `电子证照已签发：${license.typeName}（电子证照标识 ${license.identifier}），可在「我的证照」查看和下载`
      body = `您的办件 ${app.applicationNo} 已办结，${license.typeName}电子证照已签发，可在「我的证照」查看、出示和下载。`
      details = { licenseId: license.id, identifier: license.identifier }
    } else {
      resultKind = 'license_pending'
      deliveryNote = `电子证照待颁发部门签发（${outcome.pending}）；决定书已发送至「我的办件」`
      details = { licensePending: outcome.pending }
    }
  }
  return transition(deps, trx, app, {
    event: 'deliver',
    actor,
    details,
    changes: {
      resultKind,
      resultRef,
      completedAt: deps.clock.now().toISOString(),
      deliveryNote: deliveryNote.slice(0, 500),
    },
    message: { subject: `办件 ${app.applicationNo} 已办结`, body },
  })
}

/**
 * The applicant withdraws an application not yet decided (撤回).
 */
export async function withdrawApplication(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  reason: string,
  context: RequestContext = {},
) {
  const app = await getApplication(deps.db, applicationId)
  if (!isApplicantOf(principal, app)) throw applicationNotFound()
  return transaction(deps.db, async (trx) => {
    const fresh = await getApplication(trx, applicationId)
    if (fresh.lockVersion !== app.lockVersion) throw changedMeanwhile()
    const now = deps.clock.now().toISOString()
    const updated = await transition(deps, trx, fresh, {
      event: 'withdraw',
      actor: actorOfPrincipal(principal, 'applicant'),
      reason: reason.trim() || null,
      changes: { withdrawnAt: now },
      context,
    })
    for (const t of (await listTasks(trx, app.id)).filter((x) => ['open', 'claimed', 'waiting'].includes(x.state))) {
      await updateTask(trx, t, { state: 'cancelled', doneAt: now })
    }
    return updated
  })
}

// ---------------------------------------------------------------------------------------------
// Drafts: saved automatically while the person fills in the form, resumable on any device

export function draftsOf(db: DbOrTrx, personId: string, enterpriseId: string | null, itemId: string) {
  // Exactly the terms of the one-draft index (migration 0022), the state a literal: both databases
  // find the draft through it, in one step however many applications the person has (an agent
  // filing for an enterprise may have thousands; through the person's index this read grew with
  // every one of them).
  return db
    .selectFrom('applications')
    .where('applicantPersonId', '=', personId)
    .where('itemId', '=', itemId)
    .where(sql`coalesce(applicant_enterprise_id, '')`, '=', enterpriseId ?? '')
    .where('state', '=', sql.lit('draft'))
    .where('applicationNo', 'is', null)
}

// Every submission looks for the drafts it replaces: built once (docs/performance.md, finding 19).
const draftIds = prepared((db, p: Placeholders<{ personId: string; enterpriseId: string; itemId: string }>) =>
  draftsOf(db, p.personId, p.enterpriseId, p.itemId).select('id'),
)

async function deleteDrafts(trx: DbOrTrx, personId: string, enterpriseId: string | null, itemId: string) {
  const found = await draftIds.execute(trx, { personId, enterpriseId: enterpriseId ?? '', itemId })
  const ids = found.rows.map((d) => d.id)
  if (ids.length === 0) return
  // Lock the drafts first (PostgreSQL: a draft being saved at this moment in another tab finishes,
  // materials and all, before they are deleted below; on SQLite transactions are serial anyway).
  await trx
    .updateTable('applications')
    .set((eb) => ({ lockVersion: eb('lockVersion', '+', 1) }))
    .where('id', 'in', ids)
    .where('state', '=', 'draft')
    .execute()
  await trx.deleteFrom('applicationMaterials').where('applicationId', 'in', ids).execute()
  await trx.deleteFrom('applications').where('id', 'in', ids).execute()
}

/** The person's draft for an item (one per item and identity), if any. */
export async function findDraft(
  deps: Deps,
  principal: Principal,
  itemId: string,
): Promise<ApplicationTable | undefined> {
  if (!principal.personId) return undefined
  return draftsOf(deps.db, principal.personId, principal.enterpriseId ?? null, itemId)
    .selectAll()
    .executeTakeFirst()
}

/**
 * Saves what the person has typed so far (nothing is required yet; only what is there is checked)
 * and the materials chosen so far. Returns the problems of what is there, for showing, but saves
 * regardless: a draft never loses what was typed.
 */
export async function saveApplicationDraft(
  deps: Deps,
  principal: Principal,
  input: { itemId: string; formData: FormData; materials: MaterialInput[] },
): Promise<{ draft: ApplicationTable; problems: FieldProblem[] }> {
  if (!principal.personId) throw new DomainError('APPLICANT_REQUIRED', 'forbidden', '请以居民或企业身份登录后申请。')
  const { item, version, elements } = await offeredVersion(deps.db, input.itemId)
  const form = formFor(version)
  const checked = checkFormData(form, input.formData, { partial: true, today: todayInShanghai(deps.clock.now()) })
  const known = input.materials.filter((m) => elements.materials.some((x) => x.materialCode === m.materialCode))
  // Two tabs saving at once when there is no draft (PostgreSQL): both would create one. The index
  // of migration 0022 refuses the second, which then saves again into the first one's draft.
  for (let attempt = 1; ; attempt++) {
    try {
      const draft = await saveDraftOnce(deps, principal, input.itemId, { item, version, elements }, checked.data, known)
      return { draft, problems: checked.problems }
    } catch (error) {
      if (attempt >= 3 || !isUniqueViolation(error, ONE_DRAFT_INDEX)) throw error
    }
  }
}

/** The index keeping one autosaved draft per person, identity and item (migration 0022). */
const ONE_DRAFT_INDEX = 'applications_one_draft_idx'

async function saveDraftOnce(
  deps: Deps,
  principal: Principal,
  itemId: string,
  { item, version, elements }: Awaited<ReturnType<typeof offeredVersion>>,
  formData: FormData,
  known: MaterialInput[],
): Promise<ApplicationTable> {
  return transaction(deps.db, async (trx) => {
    const now = deps.clock.now().toISOString()
    let existing = await draftsOf(trx, principal.personId!, principal.enterpriseId ?? null, itemId)
      .selectAll()
      .executeTakeFirst()
    if (existing) {
      // Take the draft's row lock before touching its materials. Submitted or thrown away in another
      // tab meanwhile (nothing updated): this save starts a new draft instead of writing materials
      // for an application that is gone (a foreign-key error, a 500, on PostgreSQL).
      const updated = await trx
        .updateTable('applications')
        .set({
          formData: JSON.stringify(formData),
          itemVersionId: version.id,
          updatedAt: now,
          lockVersion: existing.lockVersion + 1,
        })
        .where('id', '=', existing.id)
        .where('state', '=', 'draft')
        .executeTakeFirst()
      if (Number(updated.numUpdatedRows) !== 1) existing = undefined
    }
    const id = existing?.id ?? newId()
    const row: ApplicationTable = {
      id,
      applicationNo: null,
      idempotencyKey: null,
      itemId: item.id,
      itemVersionId: version.id,
      departmentId: item.departmentId,
      themeCaseId: null,
      applicantPersonId: principal.personId!,
      applicantEnterpriseId: principal.enterpriseId ?? null,
      filedByPersonId: principal.personId ?? null,
      filedByStaffId: null,
      servicePointId: null,
      channel: 'online',
      proxyConsent: null,
      state: 'draft',
      formData: JSON.stringify(formData),
      projectType: elements.projectType,
      legalUnit: elements.anticipateType,
      legalDays: elements.anticipateDay,
      promisedUnit: elements.promiseType,
      promisedDays: elements.promiseDay,
      extensionDays: 0,
      correctionRounds: 0,
      submittedAt: null,
      receivedOn: null,
      acceptedAt: null,
      acceptedOn: null,
      deemedAccepted: 0,
      dueOn: null,
      promisedDueOn: null,
      paused: 0,
      decidedAt: null,
      decision: null,
      decidedByRule: 0,
      resultKind: null,
      resultRef: null,
      deliveryNote: null,
      completedAt: null,
      withdrawnAt: null,
      onlineFull: 0,
      lockVersion: existing?.lockVersion ?? 0,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      itemName: elements.taskName,
      applicantName: await applicantDisplayName(trx, principal.personId!, principal.enterpriseId ?? null),
    }
    if (existing) {
      await trx.deleteFrom('applicationMaterials').where('applicationId', '=', id).execute()
    } else {
      await insertApplication(trx, row)
    }
    for (const m of known) await insertMaterial(trx, materialRow(id, m, 0, now))
    return row
  })
}

/** Throws the draft away. */
export async function discardDraft(deps: Deps, principal: Principal, itemId: string): Promise<void> {
  if (!principal.personId) return
  await transaction(deps.db, (trx) => deleteDrafts(trx, principal.personId!, principal.enterpriseId ?? null, itemId))
}

/** The materials saved with a draft, as inputs for the next submission. */
export async function draftMaterials(deps: Deps, draftId: string): Promise<MaterialInput[]> {
  return (await listCurrentMaterials(deps.db, draftId)).map(storedToInput)
}

// ---------------------------------------------------------------------------------------------
// For combined ("一件事") submissions: check each item, then create them in one transaction

/** Checks one item's part of a combined submission (no writes). */
export async function prepareSubmissionFor(deps: Deps, principal: Principal, input: SubmitInput) {
  if (!principal.personId) throw new DomainError('APPLICANT_REQUIRED', 'forbidden', '请以居民或企业身份登录后申请。')
  checkKey(input.idempotencyKey)
  return prepareSubmission(deps, principal, input, principal.personId)
}

/**
 * Creates a prepared submission in the caller's transaction. The calendar is loaded by the caller
 * before the transaction: on SQLite the transaction holds the one connection.
 */
export async function submitPrepared(
  deps: Deps,
  trx: Trx,
  prepared: Awaited<ReturnType<typeof prepareSubmissionFor>>['prepared'],
  cal: WorkingCalendar,
  context: RequestContext = {},
): Promise<ApplicationTable> {
  return insertSubmitted(deps, trx, prepared, cal, context)
}

// ---------------------------------------------------------------------------------------------
// Filing at the counter for a resident (线下受理 and 村居代办)

/** How a resident agreed that a village agent files for them (代办 needs the resident's consent). */
export const PROXY_CONSENT_METHODS = {
  signed_form: '本人签字授权书',
  recorded_oral: '本人现场口头同意（录音）',
  video: '视频确认',
} as const
export type ProxyConsentMethod = keyof typeof PROXY_CONSENT_METHODS

export interface CounterFilingInput {
  /** window: window staff for a walk-in resident; proxy: a 村居代办员 with the resident's consent. */
  channel: 'window' | 'proxy'
  personId: string
  itemId: string
  idempotencyKey: string
  formData: FormData
  materials: MaterialInput[]
  consent?: { method: string; note: string }
}

/**
 * Files an application for a resident at the counter. The application is the resident's (it
 * shows in their 我的办件); the filer, channel and service point are recorded with it.
 * - window (applications.file_for_walk_in): the clerk scanned the originals the resident brought,
 *   so the scans are trust grade B, verified against the original (DOMAIN.md §5).
 * - proxy (applications.file_by_proxy): the resident's consent (how, and its evidence) is required
 *   and kept with the application; the uploads stay grade C.
 * @throws FORBIDDEN without the channel's permission; PERSON_NOT_FOUND; VALIDATION_FAILED (consent,
 *   form and materials, every problem at once); what submitApplication throws
 */
export async function fileForResident(
  deps: Deps,
  principal: Principal,
  input: CounterFilingInput,
  context: RequestContext = {},
): Promise<ApplicationTable> {
  const permission = input.channel === 'window' ? 'applications.file_for_walk_in' : 'applications.file_by_proxy'
  if (!principal.staffId || !principal.permissions.has(permission)) {
    throw new DomainError(
      'FORBIDDEN',
      'forbidden',
      input.channel === 'window' ? '只有窗口受理人员可以为来办群众代为申请。' : '只有村居代办员可以代办。',
    )
  }
  const person = await personSummary(deps.db, input.personId)
  if (!person) throw new DomainError('PERSON_NOT_FOUND', 'not_found', '找不到这位群众的实名信息，请重新查找。')
  let consent: { method: string; note: string } | undefined
  if (input.channel === 'proxy') {
    const method = input.consent?.method ?? ''
    const note = (input.consent?.note ?? '').trim().slice(0, 200)
    const problems: FieldProblem[] = []
    if (!Object.hasOwn(PROXY_CONSENT_METHODS, method)) {
      problems.push({ field: 'consent.method', message: '请选择群众本人同意代办的方式（代办必须取得本人同意）' })
    }
    if (!note) problems.push({ field: 'consent.note', message: '请写明同意的凭证，例如授权书存档编号或录音编号' })
    if (problems.length > 0) {
      // Everything at once: the form and the materials are checked too.
      const { version, elements } = await offeredVersion(deps.db, input.itemId)
      const today = todayInShanghai(deps.clock.now())
      const checked = checkFormData(formFor(version), input.formData, { today })
      const all = [...problems, ...checked.problems, ...materialProblems(elements, input.materials, today)]
      throw invalidInput(all, `申请内容有 ${all.length} 处需要修改`)
    }
    consent = { method, note }
  }
  const app = await submitApplication(
    deps,
    principal,
    {
      itemId: input.itemId,
      idempotencyKey: input.idempotencyKey,
      formData: input.formData,
      materials: input.materials,
      channel: input.channel,
      onBehalfOf: { personId: person.id, ...(consent ? { consent } : {}) },
    },
    context,
  )
  if (input.channel === 'window' && app.channel === 'window' && app.filedByStaffId === principal.staffId) {
    await transaction(deps.db, async (trx) => {
      const result = await trx
        .updateTable('applicationMaterials')
        .set({ trustGrade: 'b' })
        .where('applicationId', '=', app.id)
        .where('kind', '=', 'file')
        .where('round', '=', 0)
        .where('trustGrade', '=', 'c')
        .executeTakeFirst()
      const verified = Number(result.numUpdatedRows)
      // The same form posted twice finds the application and nothing left to verify.
      if (verified === 0) return
      await appendAudit(trx, {
        at: deps.clock.now(),
        actor: actorOfPrincipal(principal, 'window_clerk'),
        action: 'application.materials_verify',
        object: { type: 'application', id: app.id },
        details: { materials: verified, trustGrade: 'b' },
        sourceIp: context.ip ?? null,
        requestId: context.requestId ?? null,
      })
    })
  }
  return app
}

// ---------------------------------------------------------------------------------------------
// Applying online: what the apply pages (applications.apply.routes.ts) need beyond the above

/**
 * The item as the apply pages need it: published, offered online, and the person's identity
 * checked well enough for it (the same checks submitApplication makes, asked before the form is
 * shown so nobody fills in a form they cannot submit).
 * @throws APPLICANT_REQUIRED; ITEM_NOT_FOUND; ITEM_NOT_OFFERED; ITEM_NOT_ONLINE; ASSURANCE_TOO_LOW
 */
export async function itemForApplying(deps: Deps, principal: Principal, itemId: string) {
  if (!principal.personId || principal.staffId) {
    throw new DomainError('APPLICANT_REQUIRED', 'forbidden', '请以居民或企业身份登录后申请。')
  }
  const { item, version, elements } = await offeredVersion(deps.db, itemId)
  if (!elements.isOnline) throw notOnline()
  requireAssurance(principal, elements.assuranceLevel)
  return { item, version, elements, form: formFor(version) }
}

/**
 * Autosave while typing: saves the form data of the person's draft for an item and leaves its
 * materials alone (uploads are saved by the form's own posts, which may run at the same time).
 * Creates the draft when there is none. Like saveApplicationDraft, it never refuses what was
 * typed: the problems of the answers given are returned for showing.
 * @throws APPLICANT_REQUIRED; ITEM_NOT_OFFERED
 */
export async function autosaveDraftForm(
  deps: Deps,
  principal: Principal,
  input: { itemId: string; formData: FormData },
): Promise<{ draft: ApplicationTable; problems: FieldProblem[] }> {
  if (!principal.personId) throw new DomainError('APPLICANT_REQUIRED', 'forbidden', '请以居民或企业身份登录后申请。')
  const existing = await findDraft(deps, principal, input.itemId)
  if (!existing) return saveApplicationDraft(deps, principal, { ...input, materials: [] })
  const { version } = await offeredVersion(deps.db, input.itemId)
  const checked = checkFormData(formFor(version), input.formData, {
    partial: true,
    today: todayInShanghai(deps.clock.now()),
  })
  const now = deps.clock.now().toISOString()
  const formData = JSON.stringify(checked.data)
  const result = await deps.db
    .updateTable('applications')
    .set({ formData, itemVersionId: version.id, updatedAt: now, lockVersion: existing.lockVersion + 1 })
    .where('id', '=', existing.id)
    .where('state', '=', 'draft')
    .executeTakeFirst()
  // Submitted (or thrown away) meanwhile: start a new draft rather than touch the application.
  if (Number(result.numUpdatedRows) !== 1) return saveApplicationDraft(deps, principal, { ...input, materials: [] })
  return {
    draft: { ...existing, formData, itemVersionId: version.id, updatedAt: now, lockVersion: existing.lockVersion + 1 },
    problems: checked.problems,
  }
}
