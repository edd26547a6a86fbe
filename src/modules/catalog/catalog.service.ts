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
import { type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { pointerToField } from '../../platform/http/validation-messages.js'
import { newId } from '../../platform/ids.js'
import { indexDocument, removeDocument } from '../../platform/search/index.js'
import { type DepartmentInfo, findDepartmentInfo, listDepartmentInfos } from '../identity/index.js'
import {
  codesChanged,
  itemNotFound,
  notOwnDepartment,
  openVersionExists,
  taskCodeTaken,
  versionNotFound,
  wrongState,
} from './catalog.errors.js'
import { ENTERPRISE_TOPICS, ItemElements, PERSON_TOPICS } from './catalog.model.js'
import {
  findItem,
  findItemByTaskCode,
  findOpenVersion,
  findVersion,
  insertItem,
  insertVersion,
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
  return transaction(deps.db, async (trx) => {
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
