/**
 * Publishing service items to one standard (同一事项、同一标准、同一编码): drafts by the owning
 * department's 事项管理员, review by 区编办 / 区政务服务中心, published versions kept for ever,
 * each state change in one transaction with one audit entry, and the search index kept in step.
 */
import { Value } from 'typebox/value'
import { type AuditActor, appendAudit, auditActorOf } from '../../platform/audit/audit.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { todayInShanghai } from '../../platform/calendar/index.js'
import { type DbOrTrx, type Trx, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { pointerToField } from '../../platform/http/validation-messages.js'
import { newId } from '../../platform/ids.js'
import { indexDocument, removeDocument } from '../../platform/search/index.js'
import { type DepartmentInfo, findDepartmentInfo, listDepartmentInfos, staffNames } from '../identity/index.js'
import {
  codesChanged,
  itemNotFound,
  notOwnDepartment,
  openVersionExists,
  taskCodeTaken,
  versionNotFound,
  wrongState,
} from './catalog.errors.js'
import { catalogChanged } from './catalog.freshness.js'
import { ENTERPRISE_TOPICS, ItemElements, PERSON_TOPICS } from './catalog.model.js'
import {
  findItem,
  findItemByTaskCode,
  findOpenVersion,
  findVersion,
  findVersionByNumber,
  insertItem,
  insertVersion,
  listDepartmentItems,
  listInReview,
  listPublishedForExport,
  listVersions,
  maxVersion,
  updateItem,
  updateVersion,
} from './catalog.repository.js'
import { checkItemRules } from './catalog.rules.js'
import { canMove, ITEM_TRANSITIONS, type ItemEvent } from './catalog.states.js'
import type { ItemTable, ItemVersionTable } from './catalog.tables.js'

/** Elements as an editor or an import gives them: the implementation code may be left to us. */
export type ItemInput = Omit<ItemElements, 'taskCode'> & { taskCode?: string }

export const SEARCH_KIND = 'item'

// ---------------------------------------------------------------------------------------------
// Validation

/** Schema problems of raw input, one per field, in Chinese. */
export function schemaProblems(raw: unknown): FieldProblem[] {
  const problems: FieldProblem[] = []
  const seen = new Set<string>()
  for (const error of Value.Errors(ItemElements, raw)) {
    const params = (error.params ?? {}) as Record<string, unknown>
    const field =
      error.keyword === 'required'
        ? pointerToField(
            `${error.instancePath}/${String((params.requiredProperties as string[] | undefined)?.[0] ?? '')}`,
          )
        : pointerToField(error.instancePath)
    if (seen.has(field)) continue
    seen.add(field)
    problems.push({ field: field || '(root)', message: schemaMessage(error.keyword, params) })
  }
  return problems
}

function schemaMessage(keyword: string, params: Record<string, unknown>): string {
  switch (keyword) {
    case 'required':
      return '必须填写'
    case 'minLength':
      return Number(params.limit) === 1 ? '不能为空' : `至少 ${params.limit} 个字符`
    case 'maxLength':
      return `不能超过 ${params.limit} 个字符`
    case 'pattern':
      return '格式不正确'
    case 'minimum':
      return `不能小于 ${params.limit}`
    case 'maximum':
      return `不能大于 ${params.limit}`
    case 'minItems':
      return `至少需要 ${params.limit} 项`
    case 'maxItems':
      return `最多 ${params.limit} 项`
    case 'enum':
    case 'const':
    case 'anyOf':
      return '不是可选的值'
    case 'type':
      return '类型不正确'
    case 'additionalProperties':
      return '含有不认识的字段'
    default:
      return '不符合要求'
  }
}

async function departmentContext(db: DbOrTrx, departmentId: string) {
  const departments = await listDepartmentInfos(db)
  const department = departments.find((d) => d.id === departmentId)
  if (!department) throw itemNotFound()
  return { department, knownDepartments: new Set(departments.map((d) => d.code)) }
}

/** The implementation code: the department's credit code + basic code (+ handling-item code). */
export function implementationCode(
  department: Pick<DepartmentInfo, 'creditCode' | 'code'>,
  e: Pick<ItemElements, 'catalogCode' | 'taskHandleItem'>,
) {
  if (!department.creditCode) return ''
  return `${department.creditCode}${e.catalogCode}`
}

/**
 * Completes and checks input against the schema and the consistency rules.
 * @throws VALIDATION_FAILED listing every problem with its field
 */
export async function validateItem(db: DbOrTrx, departmentId: string, input: ItemInput, options: { rules: boolean }) {
  const { department, knownDepartments } = await departmentContext(db, departmentId)
  const elements = { ...input, taskCode: input.taskCode || implementationCode(department, input) } as ItemElements
  const problems = schemaProblems(elements)
  if (problems.length === 0 && options.rules) {
    problems.push(...checkItemRules(elements, { deptCreditCode: department.creditCode, knownDepartments }))
  }
  if (problems.length > 0) throw invalidInput(problems, `事项内容有 ${problems.length} 处需要修改`)
  return { elements: Value.Clean(ItemElements, structuredClone(elements)) as ItemElements, department }
}

// ---------------------------------------------------------------------------------------------
// Permissions

/** 事项管理员 edit only their own department's items (reviewers act across departments). */
function assertOwnDepartment(principal: Principal, departmentId: string): void {
  if (principal.departmentId !== departmentId) throw notOwnDepartment()
}

function assertState(version: ItemVersionTable, event: ItemEvent): void {
  if (!canMove(version.state, event)) throw wrongState(ITEM_TRANSITIONS[event].verb, version.state)
}

// ---------------------------------------------------------------------------------------------
// Life cycle

function versionRow(
  itemId: string,
  version: number,
  elements: ItemElements,
  by: string | null,
  now: string,
  changeNote: string | null,
): ItemVersionTable {
  return {
    id: newId(),
    itemId,
    version,
    state: 'draft',
    elements: JSON.stringify(elements),
    taskName: elements.taskName,
    taskType: elements.taskType,
    projectType: elements.projectType,
    onlineDepth: elements.onlineHandleDepth,
    forPersons: elements.serverType.includes('自然人') ? 1 : 0,
    forEnterprises: elements.serverType.includes('法人') ? 1 : 0,
    changeNote,
    effectiveFrom: null,
    createdBy: by,
    createdAt: now,
    updatedAt: now,
    submittedBy: null,
    submittedAt: null,
    reviewedBy: null,
    reviewedAt: null,
    reviewComment: null,
    publishedAt: null,
    supersededAt: null,
    withdrawnAt: null,
    withdrawnReason: null,
    formDefinition: null,
    processDefinition: null,
  }
}

function auditActor(principal: Principal, role: string): AuditActor {
  return auditActorOf(actorOf(principal), role)
}

/**
 * Creates a new item of the actor's department as a draft (version 1).
 * @throws VALIDATION_FAILED; ITEM_TASK_CODE_TAKEN
 */
export async function createItem(deps: Deps, principal: Principal, input: ItemInput, changeNote = '新建事项') {
  const departmentId = principal.departmentId ?? ''
  const { elements } = await validateItem(deps.db, departmentId, input, { rules: false })
  const now = deps.clock.now().toISOString()
  return transaction(deps.db, async (trx) => {
    if (await findItemByTaskCode(trx, elements.taskCode)) throw taskCodeTaken(elements.taskCode)
    const item: ItemTable = {
      id: newId(),
      departmentId,
      catalogCode: elements.catalogCode,
      taskCode: elements.taskCode,
      taskHandleItem: elements.taskHandleItem ?? null,
      currentVersionId: null,
      withdrawnAt: null,
      createdBy: principal.staffId ?? null,
      createdAt: now,
      updatedAt: now,
    }
    await insertItem(trx, item)
    const version = versionRow(item.id, 1, elements, principal.staffId ?? null, now, changeNote)
    await insertVersion(trx, version)
    await appendAudit(trx, {
      at: deps.clock.now(),
      actor: auditActor(principal, 'item_admin'),
      action: 'catalog.item_create',
      object: { type: 'item', id: item.id },
      details: { versionId: version.id, catalogCode: elements.catalogCode },
    })
    return { itemId: item.id, versionId: version.id }
  })
}

/**
 * Saves a draft. Codes cannot change between versions (a different code is a different item).
 * @throws ITEM_INVALID_TRANSITION unless draft; VALIDATION_FAILED; ITEM_CODES_CHANGED
 */
export async function saveDraft(
  deps: Deps,
  principal: Principal,
  versionId: string,
  input: ItemInput,
  changeNote?: string,
) {
  const version = await getVersion(deps.db, versionId)
  const item = await getItem(deps.db, version.itemId)
  assertOwnDepartment(principal, item.departmentId)
  assertState(version, 'edit')
  const { elements } = await validateItem(deps.db, item.departmentId, input, { rules: false })
  if (elements.taskCode !== item.taskCode || elements.catalogCode !== item.catalogCode) throw codesChanged()
  const now = deps.clock.now().toISOString()
  await transaction(deps.db, async (trx) => {
    const fresh = await getVersion(trx, versionId)
    assertState(fresh, 'edit')
    const row = versionRow(
      item.id,
      fresh.version,
      elements,
      fresh.createdBy,
      fresh.createdAt,
      changeNote ?? fresh.changeNote,
    )
    await updateVersion(trx, versionId, {
      elements: row.elements,
      taskName: row.taskName,
      taskType: row.taskType,
      projectType: row.projectType,
      onlineDepth: row.onlineDepth,
      forPersons: row.forPersons,
      forEnterprises: row.forEnterprises,
      changeNote: row.changeNote,
      updatedAt: now,
    })
    await appendAudit(trx, {
      at: deps.clock.now(),
      actor: auditActor(principal, 'item_admin'),
      action: 'catalog.draft_save',
      object: { type: 'item_version', id: versionId },
      details: { itemId: item.id, version: fresh.version },
    })
  })
}

/**
 * Submits a draft for review after checking every consistency rule.
 * @throws ITEM_INVALID_TRANSITION; VALIDATION_FAILED
 */
export async function submitForReview(deps: Deps, principal: Principal, versionId: string) {
  const version = await getVersion(deps.db, versionId)
  const item = await getItem(deps.db, version.itemId)
  assertOwnDepartment(principal, item.departmentId)
  assertState(version, 'submit')
  await validateItem(deps.db, item.departmentId, JSON.parse(version.elements) as ItemInput, { rules: true })
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    const fresh = await getVersion(trx, versionId)
    assertState(fresh, 'submit')
    await updateVersion(trx, versionId, {
      state: 'in_review',
      submittedBy: principal.staffId ?? null,
      submittedAt: now.toISOString(),
      updatedAt: now.toISOString(),
    })
    await appendAudit(trx, {
      at: now,
      actor: auditActor(principal, 'item_admin'),
      action: 'catalog.submit',
      object: { type: 'item_version', id: versionId },
      details: { itemId: item.id, version: fresh.version, from: 'draft', to: 'in_review' },
    })
  })
}

/**
 * Approves (publishes at once, superseding the previous version) or rejects (back to draft with
 * the reviewer's comment) a version in review.
 * @throws ITEM_INVALID_TRANSITION; VALIDATION_FAILED (reject without a comment, or rules broken)
 */
export async function reviewVersion(
  deps: Deps,
  principal: Principal,
  versionId: string,
  decision: { approve: boolean; comment?: string },
) {
  const comment = decision.comment?.trim() ?? ''
  if (!decision.approve && !comment)
    throw invalidInput([{ field: 'comment', message: '退回修改时请写明需要修改的地方' }])
  const version = await getVersion(deps.db, versionId)
  const item = await getItem(deps.db, version.itemId)
  assertState(version, decision.approve ? 'approve' : 'reject')
  if (decision.approve) {
    await validateItem(deps.db, item.departmentId, JSON.parse(version.elements) as ItemInput, { rules: true })
  }
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    const fresh = await getVersion(trx, versionId)
    assertState(fresh, decision.approve ? 'approve' : 'reject')
    if (decision.approve) {
      await publish(trx, item, fresh, principal.staffId ?? null, now, comment || null)
    } else {
      await updateVersion(trx, versionId, {
        state: 'draft',
        reviewedBy: principal.staffId ?? null,
        reviewedAt: now.toISOString(),
        reviewComment: comment,
        updatedAt: now.toISOString(),
      })
    }
    await appendAudit(trx, {
      at: now,
      actor: auditActor(principal, 'catalog_reviewer'),
      action: decision.approve ? 'catalog.approve' : 'catalog.reject',
      object: { type: 'item_version', id: versionId },
      details: {
        itemId: item.id,
        version: fresh.version,
        from: 'in_review',
        to: decision.approve ? 'published' : 'draft',
      },
    })
  })
  if (decision.approve) catalogChanged(deps.db)
}

/** Publishes a version inside the caller's transaction: the old one is superseded, search updated. */
async function publish(
  trx: Trx,
  item: ItemTable,
  version: ItemVersionTable,
  reviewer: string | null,
  now: Date,
  comment: string | null,
) {
  const nowIso = now.toISOString()
  if (item.currentVersionId && item.currentVersionId !== version.id) {
    const previous = await getVersion(trx, item.currentVersionId)
    if (canMove(previous.state, 'supersede')) {
      await updateVersion(trx, previous.id, { state: 'superseded', supersededAt: nowIso, updatedAt: nowIso })
    }
  }
  await updateVersion(trx, version.id, {
    state: 'published',
    reviewedBy: reviewer,
    reviewedAt: nowIso,
    reviewComment: comment,
    publishedAt: nowIso,
    effectiveFrom: todayInShanghai(now),
    updatedAt: nowIso,
  })
  await updateItem(trx, item.id, { currentVersionId: version.id, withdrawnAt: null, updatedAt: nowIso })
  const department = await findDepartmentInfo(trx, item.departmentId)
  await indexItem(trx, item.id, JSON.parse(version.elements) as ItemElements, department, nowIso)
}

/**
 * Starts a new version from the published one (only one unpublished version at a time).
 * @throws ITEM_OPEN_VERSION_EXISTS; ITEM_NOT_FOUND
 */
export async function startNewVersion(deps: Deps, principal: Principal, itemId: string) {
  const item = await getItem(deps.db, itemId)
  assertOwnDepartment(principal, item.departmentId)
  if (!item.currentVersionId) throw wrongState('建立新版本', 'draft')
  const now = deps.clock.now()
  return transaction(deps.db, async (trx) => {
    if (await findOpenVersion(trx, itemId)) throw openVersionExists()
    const current = await getVersion(trx, item.currentVersionId!)
    const next = (await maxVersion(trx, itemId)) + 1
    const row = versionRow(
      itemId,
      next,
      JSON.parse(current.elements) as ItemElements,
      principal.staffId ?? null,
      now.toISOString(),
      null,
    )
    await insertVersion(trx, row)
    await appendAudit(trx, {
      at: now,
      actor: auditActor(principal, 'item_admin'),
      action: 'catalog.version_start',
      object: { type: 'item_version', id: row.id },
      details: { itemId, version: next, basedOn: current.version },
    })
    return { versionId: row.id, version: next }
  })
}

/**
 * Withdraws a published item: it is no longer offered or found; its versions stay viewable.
 * @throws ITEM_INVALID_TRANSITION; VALIDATION_FAILED without a reason
 */
export async function withdrawItem(deps: Deps, principal: Principal, itemId: string, reason: string) {
  if (!reason.trim()) throw invalidInput([{ field: 'reason', message: '请写明撤销的理由（如法律修改、职能调整）' }])
  const item = await getItem(deps.db, itemId)
  if (!item.currentVersionId) throw wrongState('撤销', 'draft')
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    const current = await getVersion(trx, item.currentVersionId!)
    assertState(current, 'withdraw')
    await updateVersion(trx, current.id, {
      state: 'withdrawn',
      withdrawnAt: now.toISOString(),
      withdrawnReason: reason.trim(),
      updatedAt: now.toISOString(),
    })
    await updateItem(trx, itemId, { withdrawnAt: now.toISOString(), updatedAt: now.toISOString() })
    await removeDocument(trx, SEARCH_KIND, itemId)
    await appendAudit(trx, {
      at: now,
      actor: auditActor(principal, 'catalog_reviewer'),
      action: 'catalog.withdraw',
      object: { type: 'item', id: itemId },
      details: { versionId: current.id, from: 'published', to: 'withdrawn' },
    })
  })
  catalogChanged(deps.db)
}

/**
 * Publishes an item directly, without review: for the demo seed and trusted bulk loads run by
 * the platform itself (recorded as a system action). Unchanged elements publish nothing.
 * Returns what happened.
 */
export async function publishAsSystem(
  deps: Deps,
  component: string,
  departmentId: string,
  input: ItemInput,
  changeNote: string,
): Promise<'created' | 'updated' | 'unchanged'> {
  const { elements } = await validateItem(deps.db, departmentId, input, { rules: true })
  const now = deps.clock.now()
  const nowIso = now.toISOString()
  const outcome = await transaction(deps.db, async (trx) => {
    let item = await findItemByTaskCode(trx, elements.taskCode)
    let outcome: 'created' | 'updated' = 'updated'
    if (!item) {
      item = {
        id: newId(),
        departmentId,
        catalogCode: elements.catalogCode,
        taskCode: elements.taskCode,
        taskHandleItem: elements.taskHandleItem ?? null,
        currentVersionId: null,
        withdrawnAt: null,
        createdBy: null,
        createdAt: nowIso,
        updatedAt: nowIso,
      }
      await insertItem(trx, item)
      outcome = 'created'
    } else if (item.currentVersionId) {
      const current = await getVersion(trx, item.currentVersionId)
      if (current.state === 'published' && current.elements === JSON.stringify(elements)) return 'unchanged'
    }
    const version = versionRow(item.id, (await maxVersion(trx, item.id)) + 1, elements, null, nowIso, changeNote)
    await insertVersion(trx, version)
    await publish(trx, item, version, null, now, null)
    await appendAudit(trx, {
      at: now,
      actor: { type: 'system', id: component },
      action: 'catalog.publish_system',
      object: { type: 'item_version', id: version.id },
      details: { itemId: item.id, version: version.version, outcome },
    })
    return outcome
  })
  if (outcome !== 'unchanged') catalogChanged(deps.db)
  return outcome
}

// ---------------------------------------------------------------------------------------------
// Search

const topicNames: Record<string, string> = { ...PERSON_TOPICS, ...ENTERPRISE_TOPICS }

/** Puts the published version of an item into the shared search index. */
export async function indexItem(
  db: DbOrTrx,
  itemId: string,
  e: ItemElements,
  department: DepartmentInfo | undefined,
  updatedAt: string,
) {
  const body = [
    e.summary,
    e.keywords.join(' '),
    e.acceptCondition,
    e.materials.map((m) => m.materialName).join(' '),
    e.resultName,
    e.topics.map((t) => topicNames[t] ?? '').join(' '),
    department?.shortName ?? '',
  ]
    .filter(Boolean)
    .join('\n')
  await indexDocument(db, {
    kind: SEARCH_KIND,
    refId: itemId,
    title: e.taskName,
    body,
    // Items that can be done wholly online come first among near-equals.
    boost: e.onlineHandleDepth,
    facets: {
      department: department?.code ?? '',
      audience: e.serverType.map((s) => (s === '自然人' ? 'person' : 'enterprise')),
      topic: e.topics,
      depth: String(e.onlineHandleDepth),
    },
    updatedAt,
  })
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function getItem(db: DbOrTrx, id: string): Promise<ItemTable> {
  const item = await findItem(db, id)
  if (!item) throw itemNotFound()
  return item
}

export async function getVersion(db: DbOrTrx, id: string): Promise<ItemVersionTable> {
  const version = await findVersion(db, id)
  if (!version) throw versionNotFound()
  return version
}

// ---------------------------------------------------------------------------------------------
// Administration: what the 事项管理 and review pages read, and the Excel import

const notReadable = () => new DomainError('ITEM_OTHER_DEPARTMENT', 'forbidden', '只能查看本部门的事项。')

/** Reviewers read every department's items; item administrators only their own department's. */
export function assertCanReadItem(principal: Principal, item: Pick<ItemTable, 'departmentId'>): void {
  if (principal.permissions.has('catalog.review')) return
  if (principal.permissions.has('catalog.edit') && principal.departmentId === item.departmentId) return
  throw notReadable()
}

/** @throws ITEM_NOT_FOUND; ITEM_OTHER_DEPARTMENT */
export async function getReadableItem(db: DbOrTrx, principal: Principal, itemId: string): Promise<ItemTable> {
  const item = await getItem(db, itemId)
  assertCanReadItem(principal, item)
  return item
}

/** @throws ITEM_VERSION_NOT_FOUND; ITEM_OTHER_DEPARTMENT */
export async function getReadableVersion(db: DbOrTrx, principal: Principal, versionId: string) {
  const version = await getVersion(db, versionId)
  const item = await getItem(db, version.itemId)
  assertCanReadItem(principal, item)
  return { item, version }
}

/**
 * A draft that the principal, an item administrator of the owning department, may edit.
 * @throws ITEM_VERSION_NOT_FOUND; ITEM_OTHER_DEPARTMENT; ITEM_INVALID_TRANSITION unless a draft
 */
export async function getEditableVersion(db: DbOrTrx, principal: Principal, versionId: string) {
  const version = await getVersion(db, versionId)
  const item = await getItem(db, version.itemId)
  assertOwnDepartment(principal, item.departmentId)
  assertState(version, 'edit')
  return { item, version }
}

/** The principal's department's items with their newest version (事项管理 list). */
export function listOwnDepartmentItems(db: DbOrTrx, principal: Principal) {
  return listDepartmentItems(db, principal.departmentId ?? '')
}

/** Versions waiting for review, oldest first, with the owning department's name. */
export async function listReviewQueue(db: DbOrTrx) {
  const [rows, departments] = await Promise.all([listInReview(db), listDepartmentInfos(db)])
  const names = new Map(departments.map((d) => [d.id, d.name]))
  return rows.map((r) => ({ ...r, departmentName: names.get(r.departmentId) ?? '' }))
}

/** Every version of an item, newest first, with the names of the staff who acted on each. */
export async function itemHistory(db: DbOrTrx, principal: Principal, itemId: string) {
  const item = await getReadableItem(db, principal, itemId)
  const versions = await listVersions(db, itemId)
  const names = await staffNames(
    db,
    versions.flatMap((v) => [v.createdBy, v.submittedBy, v.reviewedBy]).filter((id): id is string => Boolean(id)),
  )
  return { item, versions, staffNames: names }
}

/** The version numbered one below, when there is one (for "what changed" between versions). */
export function findPreviousVersion(db: DbOrTrx, version: Pick<ItemVersionTable, 'itemId' | 'version'>) {
  return findVersionByNumber(db, version.itemId, version.version - 1)
}

/** The item's published version, when it has one now. */
export async function findPublishedVersion(db: DbOrTrx, item: Pick<ItemTable, 'currentVersionId'>) {
  if (!item.currentVersionId) return undefined
  const current = await findVersion(db, item.currentVersionId)
  return current?.state === 'published' ? current : undefined
}

/** The published version of every live item (of one department, or all when undefined) for the export. */
export function listPublishedElements(db: DbOrTrx, departmentId: string | undefined) {
  return listPublishedForExport(db, departmentId)
}

/** An item as an import finds it: the item, its current version, an open version, all versions. */
export async function findItemForImport(db: DbOrTrx, taskCode: string) {
  const item = await findItemByTaskCode(db, taskCode)
  if (!item) return undefined
  const versions = await listVersions(db, item.id)
  return {
    item,
    versions,
    current: versions.find((v) => v.id === item.currentVersionId),
    open: versions.find((v) => v.state === 'draft' || v.state === 'in_review'),
  }
}

export interface ImportChange {
  kind: 'create' | 'update'
  elements: ItemInput
  changeNote: string
}

/**
 * Writes an Excel import of the principal's department in ONE transaction: each new item as
 * version 1 and each changed item as a new version, both submitted for review at once (so two
 * audit entries each: created / version started, then submitted). Every item is checked against
 * every rule first; when any item fails, nothing is written.
 * @throws VALIDATION_FAILED; ITEM_TASK_CODE_TAKEN; ITEM_OPEN_VERSION_EXISTS; ITEM_OTHER_DEPARTMENT
 */
export async function importItemChanges(
  deps: Deps,
  principal: Principal,
  changes: ImportChange[],
  source: { sha256: string },
): Promise<{ created: number; updated: number }> {
  const departmentId = principal.departmentId ?? ''
  const checked: { change: ImportChange; elements: ItemElements }[] = []
  for (const change of changes) {
    const { elements } = await validateItem(deps.db, departmentId, change.elements, { rules: true })
    checked.push({ change, elements })
  }
  const now = deps.clock.now()
  const nowIso = now.toISOString()
  const staffId = principal.staffId ?? null
  const actor = auditActor(principal, 'item_admin')
  return transaction(deps.db, async (trx) => {
    let created = 0
    let updated = 0
    for (const { change, elements } of checked) {
      let item = await findItemByTaskCode(trx, elements.taskCode)
      let number = 1
      if (change.kind === 'create') {
        if (item) throw taskCodeTaken(elements.taskCode)
        item = {
          id: newId(),
          departmentId,
          catalogCode: elements.catalogCode,
          taskCode: elements.taskCode,
          taskHandleItem: elements.taskHandleItem ?? null,
          currentVersionId: null,
          withdrawnAt: null,
          createdBy: staffId,
          createdAt: nowIso,
          updatedAt: nowIso,
        }
        await insertItem(trx, item)
      } else {
        if (!item) throw itemNotFound()
        assertOwnDepartment(principal, item.departmentId)
        if (await findOpenVersion(trx, item.id)) throw openVersionExists()
        number = (await maxVersion(trx, item.id)) + 1
      }
      const version: ItemVersionTable = {
        ...versionRow(item.id, number, elements, staffId, nowIso, change.changeNote),
        state: 'in_review',
        submittedBy: staffId,
        submittedAt: nowIso,
      }
      await insertVersion(trx, version)
      await appendAudit(trx, {
        at: now,
        actor,
        action: change.kind === 'create' ? 'catalog.item_create' : 'catalog.version_start',
        object: change.kind === 'create' ? { type: 'item', id: item.id } : { type: 'item_version', id: version.id },
        details: {
          itemId: item.id,
          versionId: version.id,
          version: number,
          catalogCode: elements.catalogCode,
          source: 'excel_import',
          file: source.sha256,
        },
      })
      await appendAudit(trx, {
        at: now,
        actor,
        action: 'catalog.submit',
        object: { type: 'item_version', id: version.id },
        details: { itemId: item.id, version: number, from: 'draft', to: 'in_review', source: 'excel_import' },
      })
      if (change.kind === 'create') created++
      else updated++
    }
    return { created, updated }
  })
}
