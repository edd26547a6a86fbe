/**
 * Bad-rating handling (差评整改, DOMAIN.md §3; "谁办理谁负责"): every bad rating opens a
 * rectification for the department that handled the application. The department calls the
 * applicant back (回访核实), then decides: the rating is valid (rectify within a deadline in working
 * days, then reply), there is a reasonable explanation (published), or it is mistaken or malicious
 * (an appeal a supervisor decides). The applicant rates the reply, or it closes after some days.
 * Overdue rectifications are escalated to the supervisors once.
 *
 * Each step is one transition of ratings.states.ts in one transaction, with one event, one audit
 * entry and — where the applicant should know — a message.
 */
import { type AuditActor, appendAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { addWorkingDays, todayInShanghai } from '../../platform/calendar/index.js'
import { type DbOrTrx, type Trx, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import { type ApplicationFacts, findApplicationFacts, isApplicantOfFacts } from '../applications/index.js'
import { findDepartmentInfo } from '../identity/index.js'
import { queueNotification } from '../notifications/index.js'
import {
  CALLBACK_METHODS,
  type CallbackMethod,
  LEVEL_NAMES,
  type RatingLevel,
  RECTIFICATION_STATE_NAMES,
  SEVERITY_NAMES,
  type Severity,
} from './ratings.codes.js'
import {
  changedMeanwhile,
  otherDepartment,
  ratingApplicationNotFound,
  rectificationNotFound,
  wrongState,
} from './ratings.errors.js'
import {
  findCaseRating,
  findRectification,
  findRectificationOfRating,
  insertRectification,
  insertRectificationEvent,
  listNewlyOverdue,
  listUnansweredReplies,
  updateRectification,
} from './ratings.repository.js'
import { loadRatingSettings } from './ratings.settings.js'
import { canTake, RECTIFICATION_TRANSITIONS, type RectificationStep } from './ratings.states.js'
import type { RatingTable, RectificationTable } from './ratings.tables.js'

export const NOTE_MAX = 1000
const DAY_MS = 24 * 60 * 60 * 1000

interface RequestContext {
  ip?: string
  requestId?: string
}

const ratingLink = (applicationId: string) => `/my/applications/${applicationId}/rating`

function staffActor(principal: Principal, role: string): AuditActor {
  return { type: 'staff', id: principal.staffId ?? null, role }
}

/** A message to the applicant about their rating, in the caller's transaction. */
async function tellApplicant(
  deps: Deps,
  trx: Trx,
  applicationId: string,
  message: { subject: string; body: string },
): Promise<void> {
  const app = await findApplicationFacts(trx, applicationId)
  if (!app) return
  await queueNotification(
    trx,
    {
      recipientPersonId: app.applicantPersonId,
      channel: 'site',
      subject: message.subject,
      body: message.body,
      link: ratingLink(applicationId),
      category: 'rating',
    },
    deps.clock,
  )
}

async function addEvent(
  deps: Deps,
  trx: Trx,
  rect: RectificationTable,
  event: string,
  actor: AuditActor,
  extra: { to?: RectificationTable['state']; note?: string | null; forApplicant?: boolean },
  context: RequestContext = {},
): Promise<void> {
  const now = deps.clock.now()
  await insertRectificationEvent(trx, {
    id: newId(),
    rectificationId: rect.id,
    event,
    fromState: rect.state,
    toState: extra.to ?? rect.state,
    actorType: actor.type,
    actorId: actor.id ?? null,
    note: extra.note ?? null,
    forApplicant: extra.forApplicant ? 1 : 0,
    at: now.toISOString(),
  })
  await appendAudit(trx, {
    at: now,
    actor,
    action: `rectification.${event}`,
    object: { type: 'rectification', id: rect.id },
    details: { from: rect.state, to: extra.to ?? rect.state, ratingId: rect.ratingId },
    sourceIp: context.ip ?? null,
    requestId: context.requestId ?? null,
  })
}

/**
 * Takes one step of the table: checks it is allowed from the current state, updates the row
 * (optimistic lock), records the event and the audit entry — in the caller's transaction.
 */
async function take(
  deps: Deps,
  trx: Trx,
  rect: RectificationTable,
  step: RectificationStep,
  actor: AuditActor,
  changes: Partial<RectificationTable>,
  note: string | null,
  context: RequestContext = {},
): Promise<RectificationTable> {
  const rule = RECTIFICATION_TRANSITIONS[step]
  if (!canTake(rect.state, step)) throw wrongState(RECTIFICATION_STATE_NAMES[rect.state], rule.verb)
  const all: Partial<RectificationTable> = { ...changes, state: rule.to, updatedAt: deps.clock.now().toISOString() }
  if (!(await updateRectification(trx, rect, all))) throw changedMeanwhile()
  await addEvent(deps, trx, rect, step, actor, { to: rule.to, note, forApplicant: rule.forApplicant }, context)
  return { ...rect, ...all, lockVersion: rect.lockVersion + 1 } as RectificationTable
}

/**
 * Opens the rectification of a bad rating (called in the rating's transaction) and tells the
 * applicant who will call them back.
 */
export async function openRectification(
  deps: Deps,
  trx: Trx,
  rating: RatingTable,
  app: ApplicationFacts,
  actor: AuditActor,
): Promise<RectificationTable> {
  const now = deps.clock.now().toISOString()
  const row: RectificationTable = {
    id: newId(),
    ratingId: rating.id,
    applicationId: rating.applicationId,
    departmentId: rating.departmentId,
    itemId: rating.itemId,
    state: 'open',
    outcome: null,
    severity: null,
    callbackAt: null,
    callbackMethod: null,
    callbackByStaffId: null,
    callbackNote: null,
    termDays: null,
    deadlineOn: null,
    overdueAt: null,
    replyText: null,
    repliedAt: null,
    repliedByStaffId: null,
    explanation: null,
    explainedAt: null,
    appealReason: null,
    appealedAt: null,
    appealDecision: null,
    appealNote: null,
    appealDecidedAt: null,
    appealDecidedByStaffId: null,
    excluded: 0,
    replyLevel: null,
    replyComment: null,
    replyRatedAt: null,
    closedAt: null,
    closedReason: null,
    openedAt: now,
    updatedAt: now,
    lockVersion: 0,
  }
  await insertRectification(trx, row)
  await addEvent(deps, trx, { ...row, state: 'open' }, 'open', actor, { forApplicant: true })
  const department = await findDepartmentInfo(trx, rating.departmentId)
  await queueNotification(
    trx,
    {
      recipientPersonId: app.applicantPersonId,
      channel: 'site',
      subject: `您对办件 ${app.applicationNo ?? ''} 的评价已收到`,
      body: `您对「${app.itemName}」的评价为「${LEVEL_NAMES[rating.level as RatingLevel]}」。按照"谁办理谁负责"，${department?.name ?? '办理部门'}将回访核实，并在规定时限内整改和答复。`,
      link: ratingLink(app.id),
      category: 'rating',
    },
    deps.clock,
  )
  return row
}

/** Records the applicant's supplement in the log of a rectification in progress. */
export async function noteSupplement(
  deps: Deps,
  trx: Trx,
  rect: RectificationTable,
  actor: AuditActor,
  text: string,
): Promise<void> {
  await addEvent(deps, trx, rect, 'supplement', actor, { note: text })
}

// ---------------------------------------------------------------------------------------------
// Access

/** Staff of the handling department ("谁办理谁负责"). */
export function isOfDepartment(principal: Principal, rect: Pick<RectificationTable, 'departmentId'>): boolean {
  return Boolean(principal.staffId && principal.departmentId === rect.departmentId)
}

/** Supervisors see every department's rectifications. */
export const isSupervisor = (principal: Principal): boolean =>
  Boolean(principal.staffId && principal.permissions.has('supervision.read'))

/**
 * A rectification for staff: the handling department's, or any for a supervisor.
 * @throws RECTIFICATION_NOT_FOUND; RECTIFICATION_OTHER_DEPARTMENT (403)
 */
export async function getRectificationForStaff(
  db: DbOrTrx,
  principal: Principal,
  id: string,
): Promise<RectificationTable> {
  const rect = await findRectification(db, id)
  if (!rect) throw rectificationNotFound()
  if (!isOfDepartment(principal, rect) && !isSupervisor(principal)) throw otherDepartment()
  return rect
}

async function forDepartment(deps: Deps, principal: Principal, id: string): Promise<RectificationTable> {
  const rect = await findRectification(deps.db, id)
  if (!rect) throw rectificationNotFound()
  if (!isOfDepartment(principal, rect)) throw otherDepartment()
  return rect
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : ''
}

function required(problems: FieldProblem[], field: string, value: string, what: string, max = NOTE_MAX) {
  if (!value) problems.push({ field, message: `请填写${what}` })
  else if (value.length > max) problems.push({ field, message: `${what}不能超过 ${max} 个字` })
}

const SEVERITIES: readonly Severity[] = ['minor', 'moderate', 'major']
const isSeverity = (value: unknown): value is Severity => SEVERITIES.includes(value as Severity)

async function deadlineFor(deps: Deps, severity: Severity) {
  const settings = await loadRatingSettings(deps.db)
  const cal = await deps.calendar.load()
  const termDays = settings.termDays[severity]
  return { termDays, deadlineOn: addWorkingDays(cal, todayInShanghai(deps.clock.now()), termDays) }
}

// ---------------------------------------------------------------------------------------------
// The department's steps

/**
 * 回访核实: the department records the callback — how, and what the applicant said.
 * @throws RECTIFICATION_NOT_FOUND, RECTIFICATION_OTHER_DEPARTMENT, RECTIFICATION_INVALID_TRANSITION,
 *   VALIDATION_FAILED (method, note)
 */
export async function recordCallback(
  deps: Deps,
  principal: Principal,
  id: string,
  input: { method?: unknown; note?: unknown },
  context: RequestContext = {},
): Promise<RectificationTable> {
  const rect = await forDepartment(deps, principal, id)
  const problems: FieldProblem[] = []
  const method = text(input.method)
  if (!Object.hasOwn(CALLBACK_METHODS, method)) problems.push({ field: 'method', message: '请选择回访方式' })
  const note = text(input.note)
  required(problems, 'note', note, '回访情况（评价人反映的问题和诉求）')
  if (problems.length > 0) throw invalidInput(problems)
  const now = deps.clock.now().toISOString()
  return transaction(deps.db, async (trx) =>
    take(
      deps,
      trx,
      rect,
      'callback',
      staffActor(principal, 'department'),
      {
        callbackAt: now,
        callbackMethod: method as CallbackMethod,
        callbackByStaffId: principal.staffId ?? null,
        callbackNote: note,
      },
      `${CALLBACK_METHODS[method as CallbackMethod]}：${note}`,
      context,
    ),
  )
}

export interface ClassifyInput {
  outcome?: unknown
  severity?: unknown
  explanation?: unknown
  appealReason?: unknown
}

/**
 * After the callback the department decides what the rating is:
 * - valid (属实): rectify by a deadline of 5 / 7 / 15 working days by severity (settings);
 * - explained (有合理解释): the explanation is published and sent to the applicant;
 * - mistaken / malicious (误评 / 恶意差评): an appeal with reasons, for a supervisor to decide.
 * @throws RECTIFICATION_*, VALIDATION_FAILED
 */
export async function classifyRectification(
  deps: Deps,
  principal: Principal,
  id: string,
  input: ClassifyInput,
  context: RequestContext = {},
): Promise<RectificationTable> {
  const rect = await forDepartment(deps, principal, id)
  const outcome = text(input.outcome)
  const problems: FieldProblem[] = []
  const actor = staffActor(principal, 'department')
  const now = deps.clock.now().toISOString()
  if (outcome === 'valid') {
    if (!isSeverity(input.severity))
      problems.push({ field: 'severity', message: '请选择问题的复杂程度（决定整改时限）' })
    if (problems.length > 0) throw invalidInput(problems)
    const severity = input.severity as Severity
    const { termDays, deadlineOn } = await deadlineFor(deps, severity)
    return transaction(deps.db, (trx) =>
      take(
        deps,
        trx,
        rect,
        'classify_valid',
        actor,
        { outcome: 'valid', severity, termDays, deadlineOn },
        `${SEVERITY_NAMES[severity]}，整改时限 ${termDays} 个工作日，${deadlineOn} 前完成`,
        context,
      ),
    )
  }
  if (outcome === 'explained') {
    const explanation = text(input.explanation)
    required(problems, 'explanation', explanation, '解释说明')
    if (problems.length > 0) throw invalidInput(problems)
    return transaction(deps.db, async (trx) => {
      const done = await take(
        deps,
        trx,
        rect,
        'classify_explained',
        actor,
        { outcome: 'explained', explanation, explainedAt: now },
        explanation,
        context,
      )
      await tellApplicant(deps, trx, rect.applicationId, {
        subject: '您的评价已有解释说明',
        body: `办理部门经回访核实，对您反映的问题作出如下说明：${explanation}`,
      })
      return done
    })
  }
  if (outcome === 'mistaken' || outcome === 'malicious') {
    const reason = text(input.appealReason)
    required(problems, 'appealReason', reason, '申诉理由和依据')
    if (problems.length > 0) throw invalidInput(problems)
    return transaction(deps.db, (trx) =>
      take(deps, trx, rect, 'appeal', actor, { outcome, appealReason: reason, appealedAt: now }, reason, context),
    )
  }
  throw invalidInput([{ field: 'outcome', message: '请选择核实结论' }])
}

/**
 * The department replies to the applicant with what was done (published with the category of the
 * rating on the 好差评公示 page; no names). On time when replied by the deadline.
 * @throws RECTIFICATION_*, VALIDATION_FAILED
 */
export async function replyRectification(
  deps: Deps,
  principal: Principal,
  id: string,
  input: { reply?: unknown },
  context: RequestContext = {},
): Promise<RectificationTable> {
  const rect = await forDepartment(deps, principal, id)
  const reply = text(input.reply)
  const problems: FieldProblem[] = []
  required(problems, 'reply', reply, '整改情况和答复')
  if (problems.length > 0) throw invalidInput(problems)
  const now = deps.clock.now().toISOString()
  return transaction(deps.db, async (trx) => {
    const done = await take(
      deps,
      trx,
      rect,
      'reply',
      staffActor(principal, 'department'),
      { replyText: reply, repliedAt: now, repliedByStaffId: principal.staffId ?? null },
      reply,
      context,
    )
    await tellApplicant(deps, trx, rect.applicationId, {
      subject: '您的差评已整改，请对整改结果评价',
      body: `办理部门答复：${reply}。请在「我的办件」中对整改结果作出评价。`,
    })
    return done
  })
}

// ---------------------------------------------------------------------------------------------
// The applicant's step

/**
 * 对整改结果评价: the applicant rates the reply (1–5, optional comment); the rectification closes.
 * @throws RATING_APPLICATION_NOT_FOUND, RECTIFICATION_NOT_FOUND, RECTIFICATION_INVALID_TRANSITION,
 *   VALIDATION_FAILED
 */
export async function rateReply(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  input: { level?: unknown; comment?: unknown },
  context: RequestContext = {},
): Promise<RectificationTable> {
  const app = await findApplicationFacts(deps.db, applicationId)
  if (!app || !isApplicantOfFacts(principal, app)) throw ratingApplicationNotFound()
  const rating = await findCaseRating(deps.db, app.id)
  const rect = rating ? await findRectificationOfRating(deps.db, rating.id) : undefined
  if (!rect) throw rectificationNotFound()
  const problems: FieldProblem[] = []
  const level = Number(typeof input.level === 'string' ? input.level.trim() || Number.NaN : input.level)
  if (!Number.isInteger(level) || level < 1 || level > 5) {
    problems.push({ field: 'replyLevel', message: '请选择您对整改结果的满意程度' })
  }
  const comment = text(input.comment)
  if (comment.length > 500) problems.push({ field: 'replyComment', message: '意见不能超过 500 个字' })
  if (problems.length > 0) throw invalidInput(problems)
  const now = deps.clock.now().toISOString()
  const actor: AuditActor = {
    type: 'person',
    id: principal.personId ?? null,
    enterpriseId: principal.enterpriseId ?? null,
    role: 'applicant',
  }
  return transaction(deps.db, (trx) =>
    take(
      deps,
      trx,
      rect,
      'rate_reply',
      actor,
      {
        replyLevel: level,
        replyComment: comment || null,
        replyRatedAt: now,
        closedAt: now,
        closedReason: 'applicant_rated',
      },
      `${LEVEL_NAMES[level as RatingLevel]}${comment ? `：${comment}` : ''}`,
      context,
    ),
  )
}

// ---------------------------------------------------------------------------------------------
// The supervisor's step

/**
 * A supervisor decides an appeal against a mistaken or malicious rating: upheld → closed and left
 * out of the statistics; rejected → back to the department to rectify, with a new deadline.
 * @throws FORBIDDEN without ratings.appeal_decide; RECTIFICATION_*; VALIDATION_FAILED
 */
export async function decideAppeal(
  deps: Deps,
  principal: Principal,
  id: string,
  input: { decision?: unknown; note?: unknown; severity?: unknown },
  context: RequestContext = {},
): Promise<RectificationTable> {
  if (!principal.staffId || !principal.permissions.has('ratings.appeal_decide')) {
    throw new DomainError('FORBIDDEN', 'forbidden', '只有督查人员可以裁定申诉。')
  }
  const rect = await findRectification(deps.db, id)
  if (!rect) throw rectificationNotFound()
  const problems: FieldProblem[] = []
  const decision = text(input.decision)
  if (decision !== 'upheld' && decision !== 'rejected') problems.push({ field: 'decision', message: '请选择裁定结果' })
  const note = text(input.note)
  required(problems, 'appealNote', note, '裁定理由')
  if (decision === 'rejected' && !isSeverity(input.severity)) {
    problems.push({ field: 'appealSeverity', message: '退回整改时请选择问题的复杂程度（决定整改时限）' })
  }
  if (problems.length > 0) throw invalidInput(problems)
  const now = deps.clock.now().toISOString()
  const actor = staffActor(principal, 'supervisor')
  const decided = {
    appealNote: note,
    appealDecidedAt: now,
    appealDecidedByStaffId: principal.staffId,
  }
  if (decision === 'upheld') {
    return transaction(deps.db, (trx) =>
      take(
        deps,
        trx,
        rect,
        'uphold_appeal',
        actor,
        { ...decided, appealDecision: 'upheld', excluded: 1, closedAt: now, closedReason: 'appeal_upheld' },
        note,
        context,
      ),
    )
  }
  const severity = input.severity as Severity
  const { termDays, deadlineOn } = await deadlineFor(deps, severity)
  return transaction(deps.db, (trx) =>
    take(
      deps,
      trx,
      rect,
      'reject_appeal',
      actor,
      { ...decided, appealDecision: 'rejected', outcome: 'valid', severity, termDays, deadlineOn },
      `${note}（${SEVERITY_NAMES[severity]}，${deadlineOn} 前完成整改）`,
      context,
    ),
  )
}

// ---------------------------------------------------------------------------------------------
// Sweeps

/**
 * Escalates rectifications still rectifying after their deadline to the supervisors, once each:
 * marks them overdue (the supervisors' list of overdue cases) with an event and an audit entry.
 * The conditional update makes a second run, or a second process, do nothing.
 * @returns how many this call escalated
 */
export async function escalateOverdue(deps: Deps, options: { limit?: number } = {}): Promise<number> {
  const now = deps.clock.now()
  const today = todayInShanghai(now)
  const actor: AuditActor = { type: 'system', id: 'sweep:ratings.overdue' }
  let escalated = 0
  for (const rect of await listNewlyOverdue(deps.db, today, options.limit ?? 200)) {
    const done = await transaction(deps.db, async (trx) => {
      const result = await trx
        .updateTable('rectifications')
        .set({ overdueAt: now.toISOString(), lockVersion: rect.lockVersion + 1 })
        .where('id', '=', rect.id)
        .where('overdueAt', 'is', null)
        .where('state', '=', 'rectifying')
        .where('lockVersion', '=', rect.lockVersion)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) !== 1) return false
      await addEvent(deps, trx, rect, 'escalate', actor, {
        note: `整改期限 ${rect.deadlineOn} 已过，尚未答复`,
      })
      return true
    })
    if (done) escalated++
  }
  return escalated
}

/**
 * Closes replies the applicant has not rated within the configured days (default 7 natural days).
 * @returns how many this call closed
 */
export async function closeUnansweredReplies(deps: Deps, options: { limit?: number } = {}): Promise<number> {
  const settings = await loadRatingSettings(deps.db)
  const now = deps.clock.now()
  const before = new Date(now.getTime() - settings.replyCloseDays * DAY_MS).toISOString()
  const actor: AuditActor = { type: 'system', id: 'sweep:ratings.close' }
  let closed = 0
  for (const rect of await listUnansweredReplies(deps.db, before, options.limit ?? 200)) {
    try {
      await transaction(deps.db, (trx) =>
        take(
          deps,
          trx,
          rect,
          'auto_close',
          actor,
          { closedAt: now.toISOString(), closedReason: 'no_answer' },
          `答复后 ${settings.replyCloseDays} 日内未评价`,
        ),
      )
      closed++
    } catch (error) {
      // Another process (or the applicant) got there first.
      if (error instanceof DomainError && error.kind === 'conflict') continue
      throw error
    }
  }
  return closed
}
