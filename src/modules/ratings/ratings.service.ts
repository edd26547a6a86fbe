/**
 * Ratings (政务服务"好差评", DOMAIN.md §3): the applicant rates a finished application once
 * (一事一评), the applicant at the counter rates each visit (一次一评, the window's 评价器), one
 * supplement, and the 7-day default (基本满意 unless configured otherwise). A bad rating (levels
 * 1–2) needs a reason or a text and opens a rectification for the department that handled it
 * (ratings.rectification.service.ts), in the same transaction.
 */
import { type AuditActor, appendAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { type Trx, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import {
  type ApplicationFacts,
  applicationFactsByIds,
  FINISHED_STATES,
  findApplicationFacts,
  isApplicantOfFacts,
  listFinishedApplications,
} from '../applications/index.js'
import {
  indicatorsOf,
  isBadLevel,
  isReasonCode,
  LEVEL_NAMES,
  type RatingChannel,
  type RatingLevel,
  type ReasonCode,
} from './ratings.codes.js'
import {
  alreadyRated,
  alreadySupplemented,
  notYetRatable,
  ratingApplicationNotFound,
  ratingNotFound,
  visitAlreadyRated,
  windowOtherDepartment,
} from './ratings.errors.js'
import { noteSupplement, openRectification } from './ratings.rectification.service.js'
import {
  advanceSweepPosition,
  findCaseRating,
  findRectificationOfRating,
  findSweepPosition,
  insertRatingIfAbsent,
  setSupplement,
} from './ratings.repository.js'
import { loadRatingSettings } from './ratings.settings.js'
import type { RatingTable } from './ratings.tables.js'

export const TEXT_MAX = 500
const DAY_MS = 24 * 60 * 60 * 1000

export interface RatingInput {
  level: unknown
  /** Indicator code → 1–5 (the channel's indicators; each optional). */
  indicators?: Record<string, unknown>
  reasons?: readonly unknown[]
  text?: unknown
}

export interface CheckedRating {
  level: RatingLevel
  indicators: Record<string, number>
  reasons: ReasonCode[]
  text: string | null
}

interface RequestContext {
  ip?: string
  requestId?: string
}

const asScore = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : Number.NaN
  return Number.isInteger(n) && n >= 1 && n <= 5 ? n : undefined
}

/**
 * Checks a rating against the rules: a level 1–5; the channel's indicators 1–5 each; reasons from
 * the list; a text of at most 500 characters; a bad rating (1–2) names at least one reason or says
 * something (DOMAIN.md §3: a score below 3 needs a reason or text).
 * @throws VALIDATION_FAILED with one problem per field
 */
export function checkRating(channel: RatingChannel, input: RatingInput): CheckedRating {
  const problems: FieldProblem[] = []
  const level = asScore(input.level)
  if (level === undefined) problems.push({ field: 'level', message: '请选择满意程度（非常满意到非常不满意）' })
  const allowed = indicatorsOf(channel)
  const indicators: Record<string, number> = {}
  for (const [code, raw] of Object.entries(input.indicators ?? {})) {
    if (raw === undefined || raw === null || raw === '') continue
    if (!Object.hasOwn(allowed, code)) {
      problems.push({ field: `indicators.${code}`, message: '没有这项评价指标' })
      continue
    }
    const score = asScore(raw)
    if (score === undefined)
      problems.push({ field: `indicators.${code}`, message: `「${allowed[code]}」请选 1 到 5 分` })
    else indicators[code] = score
  }
  const reasons: ReasonCode[] = []
  for (const raw of input.reasons ?? []) {
    const code = String(raw)
    if (!isReasonCode(code)) {
      problems.push({ field: 'reasons', message: '请从列出的原因中选择' })
      break
    }
    if (!reasons.includes(code)) reasons.push(code)
  }
  const text = typeof input.text === 'string' ? input.text.trim() : ''
  if (text.length > TEXT_MAX) problems.push({ field: 'text', message: `评价内容不能超过 ${TEXT_MAX} 个字` })
  if (level !== undefined && isBadLevel(level) && reasons.length === 0 && !text) {
    problems.push({ field: 'reasons', message: '评价为「不满意」或「非常不满意」时，请至少选择一项原因或写明情况' })
  }
  if (problems.length > 0) {
    throw invalidInput(
      problems,
      problems.length === 1 ? problems[0]!.message : `评价内容有 ${problems.length} 处需要修改`,
    )
  }
  return { level: level as RatingLevel, indicators, reasons, text: text || null }
}

/**
 * Writes a rating, its audit entry and — for a bad rating — the rectification, in the caller's
 * transaction. Returns undefined when the key (application or visit) already has a rating.
 */
async function recordRating(
  deps: Deps,
  trx: Trx,
  app: ApplicationFacts,
  row: RatingTable,
  actor: AuditActor,
  context: RequestContext,
): Promise<RatingTable | undefined> {
  if (!(await insertRatingIfAbsent(trx, row))) return undefined
  await appendAudit(trx, {
    at: deps.clock.now(),
    actor,
    action: row.isDefault ? 'rating.default' : 'rating.create',
    object: { type: 'rating', id: row.id },
    details: {
      applicationId: app.id,
      channel: row.channel,
      level: row.level,
      ...(row.visitId ? { visitId: row.visitId } : {}),
    },
    sourceIp: context.ip ?? null,
    requestId: context.requestId ?? null,
  })
  if (isBadLevel(row.level)) await openRectification(deps, trx, row, app, actor)
  return row
}

async function applicantsApplication(deps: Deps, principal: Principal, applicationId: string) {
  const app = await findApplicationFacts(deps.db, applicationId)
  if (!app || app.state === 'draft' || !isApplicantOfFacts(principal, app)) throw ratingApplicationNotFound()
  return app
}

/** Whether an application's applicant may rate it now (一事一评: once it finished). */
export const isRatable = (app: Pick<ApplicationFacts, 'state'>): boolean => FINISHED_STATES.includes(app.state)

/**
 * The applicant rates their finished application (一事一评): after 办结 (approved or refused)
 * or 不予受理, once.
 * @throws RATING_APPLICATION_NOT_FOUND (not theirs), RATING_NOT_YET (not finished),
 *   RATING_ALREADY_GIVEN (rated, also by the 7-day default), VALIDATION_FAILED
 */
export async function rateApplication(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  input: RatingInput,
  context: RequestContext = {},
  channel: Exclude<RatingChannel, 'window'> = 'online',
): Promise<RatingTable> {
  const app = await applicantsApplication(deps, principal, applicationId)
  if (!isRatable(app)) throw notYetRatable(app.stateName)
  if (await findCaseRating(deps.db, app.id)) throw alreadyRated()
  const checked = checkRating(channel, input)
  const row: RatingTable = {
    id: newId(),
    applicationId: app.id,
    visitId: null,
    departmentId: app.departmentId,
    itemId: app.itemId,
    channel,
    level: checked.level,
    indicators: JSON.stringify(checked.indicators),
    reasons: JSON.stringify(checked.reasons),
    text: checked.text,
    isDefault: 0,
    supplementText: null,
    supplementedAt: null,
    ratedByPersonId: principal.personId ?? null,
    recordedByStaffId: null,
    ratedAt: deps.clock.now().toISOString(),
  }
  const actor: AuditActor = {
    type: 'person',
    id: principal.personId ?? null,
    enterpriseId: principal.enterpriseId ?? null,
    role: 'applicant',
  }
  const saved = await transaction(deps.db, (trx) => recordRating(deps, trx, app, row, actor, context))
  if (!saved) throw alreadyRated()
  return saved
}

export interface WindowRatingInput extends RatingInput {
  applicationId: string
  /** One per visit: the id the screen was shown with (a double tap gives one rating). */
  visitId: string
}

/**
 * 一次一评 at the counter: the applicant taps the 评价器 the window staff handed over, for the case
 * just handled by the staff member's department. Rated by the applicant, recorded by the staff.
 * @throws RATING_APPLICATION_NOT_FOUND, RATING_WINDOW_OTHER_DEPARTMENT (403),
 *   RATING_VISIT_ALREADY_GIVEN, VALIDATION_FAILED
 */
export async function rateAtWindow(
  deps: Deps,
  principal: Principal,
  input: WindowRatingInput,
  context: RequestContext = {},
): Promise<RatingTable> {
  const app = await findApplicationFacts(deps.db, input.applicationId)
  if (!app || app.state === 'draft') throw ratingApplicationNotFound()
  if (!principal.staffId || principal.departmentId !== app.departmentId) throw windowOtherDepartment()
  const checked = checkRating('window', input)
  const row: RatingTable = {
    id: newId(),
    applicationId: app.id,
    visitId: input.visitId,
    departmentId: app.departmentId,
    itemId: app.itemId,
    channel: 'window',
    level: checked.level,
    indicators: JSON.stringify(checked.indicators),
    reasons: JSON.stringify(checked.reasons),
    text: checked.text,
    isDefault: 0,
    supplementText: null,
    supplementedAt: null,
    ratedByPersonId: app.applicantPersonId,
    recordedByStaffId: principal.staffId,
    ratedAt: deps.clock.now().toISOString(),
  }
  const actor: AuditActor = { type: 'staff', id: principal.staffId, role: 'window' }
  const saved = await transaction(deps.db, (trx) => recordRating(deps, trx, app, row, actor, context))
  if (!saved) throw visitAlreadyRated()
  return saved
}

/**
 * One supplement to the application's rating (追加评价), also to a default one: text only, the
 * level stays. A rectification in progress gets it as an event.
 * @throws RATING_APPLICATION_NOT_FOUND, RATING_NOT_FOUND, RATING_ALREADY_SUPPLEMENTED, VALIDATION_FAILED
 */
export async function supplementRating(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  rawText: unknown,
  context: RequestContext = {},
): Promise<RatingTable> {
  const app = await applicantsApplication(deps, principal, applicationId)
  const rating = await findCaseRating(deps.db, app.id)
  if (!rating) throw ratingNotFound()
  if (rating.supplementedAt) throw alreadySupplemented()
  const text = typeof rawText === 'string' ? rawText.trim() : ''
  if (!text) throw invalidInput([{ field: 'supplement', message: '请填写补充评价的内容' }])
  if (text.length > TEXT_MAX) {
    throw invalidInput([{ field: 'supplement', message: `补充评价不能超过 ${TEXT_MAX} 个字` }])
  }
  const now = deps.clock.now()
  return transaction(deps.db, async (trx) => {
    if (!(await setSupplement(trx, rating.id, text, now.toISOString()))) throw alreadySupplemented()
    const actor: AuditActor = {
      type: 'person',
      id: principal.personId ?? null,
      enterpriseId: principal.enterpriseId ?? null,
      role: 'applicant',
    }
    await appendAudit(trx, {
      at: now,
      actor,
      action: 'rating.supplement',
      object: { type: 'rating', id: rating.id },
      details: { applicationId: app.id },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
    const rectification = await findRectificationOfRating(trx, rating.id)
    if (rectification) await noteSupplement(deps, trx, rectification, actor, text)
    return { ...rating, supplementText: text, supplementedAt: now.toISOString() }
  })
}

const DEFAULT_SWEEP = 'default_rating'

/**
 * The 7-day default (Guangdong: no rating within 7 natural days counts as 基本满意; level and days
 * in ratings.settings.ts): gives the default rating to every application that finished at least
 * that long ago without a 一事一评 rating. Walks the finished applications by a saved keyset
 * position; each rating is an insert-if-absent on the application's unique key, so several
 * processes running it at once give one rating each. The rating is dated when the default
 * applied (finish + days), not when the sweep happened to run.
 * @returns how many default ratings this call gave
 */
export async function applyDefaultRatings(deps: Deps, options: { batch?: number; maxBatches?: number } = {}) {
  const batch = options.batch ?? 200
  const settings = await loadRatingSettings(deps.db)
  const now = deps.clock.now()
  const until = new Date(now.getTime() - settings.defaultAfterDays * DAY_MS).toISOString()
  const actor: AuditActor = { type: 'system', id: 'sweep:ratings.default' }
  let given = 0
  let position = await findSweepPosition(deps.db, DEFAULT_SWEEP)
  for (let round = 0; round < (options.maxBatches ?? 20); round++) {
    const finished = await listFinishedApplications(deps.db, { after: position, until, limit: batch })
    if (finished.length === 0) break
    const facts = await applicationFactsByIds(
      deps.db,
      finished.map((f) => f.applicationId),
    )
    for (const f of finished) {
      const app = facts.get(f.applicationId)
      if (!app || !isRatable(app)) continue
      const row: RatingTable = {
        id: newId(),
        applicationId: app.id,
        visitId: null,
        departmentId: app.departmentId,
        itemId: app.itemId,
        channel: 'online',
        level: settings.defaultLevel,
        indicators: '{}',
        reasons: '[]',
        text: null,
        isDefault: 1,
        supplementText: null,
        supplementedAt: null,
        ratedByPersonId: null,
        recordedByStaffId: null,
        ratedAt: new Date(new Date(f.finishedAt).getTime() + settings.defaultAfterDays * DAY_MS).toISOString(),
      }
      if (await transaction(deps.db, (trx) => recordRating(deps, trx, app, row, actor, {}))) given++
    }
    const last = finished[finished.length - 1]!
    position = { at: last.finishedAt, applicationId: last.applicationId }
    await advanceSweepPosition(deps.db, DEFAULT_SWEEP, position, now.toISOString())
    if (finished.length < batch) break
  }
  return given
}

/** The level's name: 5 → 非常满意. */
export const levelName = (level: number): string => LEVEL_NAMES[level as RatingLevel] ?? String(level)
