/**
 * The read side of 好差评: the applicant's rating page, the department's and the supervisors'
 * lists of rectifications, the case page, and the public page (好差评公示). Writes stay in the
 * services. Lists are backed by the indexes of the migration.
 */
import type { Principal } from '../../platform/auth/principal.js'
import { todayInShanghai } from '../../platform/calendar/index.js'
import type { DbOrTrx } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { applicationFactsByIds, findApplicationFacts, isApplicantOfFacts } from '../applications/index.js'
import {
  departmentNames,
  findDepartmentInfo,
  listDepartmentInfos,
  personSummary,
  staffRefs,
} from '../identity/index.js'
import {
  CALLBACK_METHODS,
  CHANNEL_NAMES,
  INDICATOR_NAMES,
  type IndicatorCode,
  isBadLevel,
  isSatisfiedLevel,
  LEVEL_NAMES,
  LEVELS,
  OUTCOME_NAMES,
  type RatingChannel,
  type RatingLevel,
  REASONS,
  RECTIFICATION_STATE_NAMES,
  type ReasonCode,
  type RectificationState,
  SEVERITY_NAMES,
} from './ratings.codes.js'
import { ratingApplicationNotFound } from './ratings.errors.js'
import { getRectificationForStaff, isOfDepartment } from './ratings.rectification.service.js'
import {
  countRectifications,
  findRating,
  findRectificationOfRating,
  listRatingsOfApplication,
  listRectificationEvents,
  listRectificationRows,
} from './ratings.repository.js'
import { isRatable } from './ratings.service.js'
import { loadRatingSettings } from './ratings.settings.js'
import { canTake, EVENT_LABELS } from './ratings.states.js'
import type { RatingTable, RectificationTable } from './ratings.tables.js'

const DAY_MS = 24 * 60 * 60 * 1000

// ---------------------------------------------------------------------------------------------
// Presenting a rating

export interface RatingView {
  id: string
  channel: RatingChannel
  channelName: string
  level: RatingLevel
  levelName: string
  bad: boolean
  indicators: { code: string; name: string; score: number }[]
  reasons: { code: ReasonCode; name: string }[]
  text: string | null
  isDefault: boolean
  ratedAt: string
  supplementText: string | null
  supplementedAt: string | null
}

export function parseJson<T>(value: string | null | undefined, fallback: T): T {
  if (!value) return fallback
  try {
    return JSON.parse(value) as T
  } catch {
    return fallback
  }
}

export const reasonsOf = (row: Pick<RatingTable, 'reasons'>): ReasonCode[] =>
  parseJson<string[]>(row.reasons, []).filter((c): c is ReasonCode => Object.hasOwn(REASONS, c))

export function ratingView(row: RatingTable): RatingView {
  const level = row.level as RatingLevel
  return {
    id: row.id,
    channel: row.channel,
    channelName: CHANNEL_NAMES[row.channel],
    level,
    levelName: LEVEL_NAMES[level],
    bad: isBadLevel(level),
    indicators: Object.entries(parseJson<Record<string, number>>(row.indicators, {})).map(([code, score]) => ({
      code,
      name: INDICATOR_NAMES[code as IndicatorCode] ?? code,
      score,
    })),
    reasons: reasonsOf(row).map((code) => ({ code, name: REASONS[code] })),
    text: row.text,
    isDefault: row.isDefault === 1,
    ratedAt: row.ratedAt,
    supplementText: row.supplementText,
    supplementedAt: row.supplementedAt,
  }
}

export interface EventView {
  at: string
  event: string
  label: string
  note: string | null
  actor: string
}

// ---------------------------------------------------------------------------------------------
// The applicant's page

export interface ApplicantRectificationView {
  state: RectificationState
  stateName: string
  deadlineOn: string | null
  replyText: string | null
  repliedAt: string | null
  explanation: string | null
  replyLevel: number | null
  replyComment: string | null
  canRateReply: boolean
  events: EventView[]
}

export interface ApplicantRatingView {
  applicationId: string
  applicationNo: string
  itemName: string
  departmentName: string
  stateName: string
  finishedAt: string | null
  /** Finished: the applicant may rate (unless rated already). */
  ratable: boolean
  /** When the 7-day default gives its level, while not yet rated. */
  defaultOn: string | null
  defaultLevelName: string
  rating?: RatingView
  canSupplement: boolean
  rectification?: ApplicantRectificationView
  /** 一次一评 ratings of counter visits. */
  windowRatings: RatingView[]
}

/**
 * The applicant's view of their application's rating: whether they may rate, their rating, the
 * rectification of a bad one (the steps meant for them: opened, explanation, reply, closing).
 * @throws RATING_APPLICATION_NOT_FOUND when not theirs (or a draft)
 */
export async function applicantRatingView(
  deps: Deps,
  principal: Principal,
  applicationId: string,
): Promise<ApplicantRatingView> {
  const app = await findApplicationFacts(deps.db, applicationId)
  if (!app || app.state === 'draft' || !app.applicationNo || !isApplicantOfFacts(principal, app)) {
    throw ratingApplicationNotFound()
  }
  const [department, settings, all] = await Promise.all([
    findDepartmentInfo(deps.db, app.departmentId),
    loadRatingSettings(deps.db),
    listRatingsOfApplication(deps.db, app.id),
  ])
  const caseRating = all.find((r) => r.visitId === null)
  const rect = caseRating ? await findRectificationOfRating(deps.db, caseRating.id) : undefined
  let rectification: ApplicantRectificationView | undefined
  if (rect) {
    const events = (await listRectificationEvents(deps.db, rect.id)).filter((e) => e.forApplicant === 1)
    rectification = {
      state: rect.state,
      stateName: RECTIFICATION_STATE_NAMES[rect.state],
      deadlineOn: rect.deadlineOn,
      replyText: rect.replyText,
      repliedAt: rect.repliedAt,
      explanation: rect.explanation,
      replyLevel: rect.replyLevel,
      replyComment: rect.replyComment,
      canRateReply: canTake(rect.state, 'rate_reply'),
      events: events.map((e) => ({
        at: e.at,
        event: e.event,
        label: EVENT_LABELS[e.event] ?? e.event,
        // The callback and appeal notes are the department's; the applicant sees replies and explanations.
        note: ['classify_explained', 'reply', 'rate_reply'].includes(e.event) ? e.note : null,
        actor: e.actorType === 'person' ? '您' : e.actorType === 'system' ? '系统' : (department?.name ?? '办理部门'),
      })),
    }
  }
  const ratable = isRatable(app)
  return {
    applicationId: app.id,
    applicationNo: app.applicationNo,
    itemName: app.itemName,
    departmentName: department?.name ?? '',
    stateName: app.stateName,
    finishedAt: app.finishedAt,
    ratable,
    defaultOn:
      ratable && !caseRating && app.finishedAt
        ? new Date(new Date(app.finishedAt).getTime() + settings.defaultAfterDays * DAY_MS).toISOString()
        : null,
    defaultLevelName: LEVEL_NAMES[settings.defaultLevel],
    rating: caseRating ? ratingView(caseRating) : undefined,
    canSupplement: Boolean(caseRating && !caseRating.supplementedAt),
    rectification,
    windowRatings: all.filter((r) => r.visitId !== null).map(ratingView),
  }
}

// ---------------------------------------------------------------------------------------------
// Lists for staff

export type DepartmentTab = 'todo' | 'appealed' | 'replied' | 'finished' | 'all'
export const DEPARTMENT_TABS: Record<DepartmentTab, { label: string; states?: RectificationState[] }> = {
  todo: { label: '待处理', states: ['open', 'verified', 'rectifying'] },
  appealed: { label: '申诉中', states: ['appealed'] },
  replied: { label: '已答复待评价', states: ['replied'] },
  finished: { label: '已办结', states: ['closed', 'explained'] },
  all: { label: '全部' },
}

export type SupervisorTab = 'appeals' | 'overdue' | 'open' | 'all'
export const SUPERVISOR_TABS: Record<
  SupervisorTab,
  { label: string; states?: RectificationState[]; overdue?: boolean }
> = {
  appeals: { label: '待裁定申诉', states: ['appealed'] },
  overdue: { label: '超期未整改', overdue: true },
  open: { label: '办理中', states: ['open', 'verified', 'rectifying', 'replied'] },
  all: { label: '全部' },
}

export interface RectificationRow {
  id: string
  applicationId: string
  applicationNo: string
  itemName: string
  departmentName: string
  levelName: string
  reasonNames: string[]
  state: RectificationState
  stateName: string
  deadlineOn: string | null
  overdue: boolean
  openedAt: string
}

async function presentRows(
  db: DbOrTrx,
  rows: Awaited<ReturnType<typeof listRectificationRows>>['rows'],
  today: string,
): Promise<RectificationRow[]> {
  const [apps, names] = await Promise.all([
    applicationFactsByIds(
      db,
      rows.map((r) => r.applicationId),
    ),
    rows.length > 0 ? departmentNames(db) : Promise.resolve(new Map<string, string>()),
  ])
  return rows.map((r) => {
    const app = apps.get(r.applicationId)
    return {
      id: r.id,
      applicationId: r.applicationId,
      applicationNo: app?.applicationNo ?? '',
      itemName: app?.itemName ?? '',
      departmentName: names.get(r.departmentId) ?? '',
      levelName: LEVEL_NAMES[r.level as RatingLevel],
      reasonNames: reasonsOf(r).map((c) => REASONS[c]),
      state: r.state,
      stateName: RECTIFICATION_STATE_NAMES[r.state],
      deadlineOn: r.deadlineOn,
      overdue: Boolean(r.overdueAt) || (r.state === 'rectifying' && Boolean(r.deadlineOn) && r.deadlineOn! < today),
      openedAt: r.openedAt,
    }
  })
}

/** 本部门的差评整改 ("谁办理谁负责"): the caller's department only, by deadline. */
export async function departmentRectifications(
  deps: Deps,
  principal: Principal,
  options: { tab: DepartmentTab; page: number; pageSize: number },
) {
  const departmentId = principal.departmentId ?? '-'
  const [list, counts] = await Promise.all([
    listRectificationRows(deps.db, {
      departmentId,
      states: DEPARTMENT_TABS[options.tab].states,
      page: options.page,
      pageSize: options.pageSize,
    }),
    countRectifications(deps.db, departmentId),
  ])
  const today = todayInShanghai(deps.clock.now())
  return { rows: await presentRows(deps.db, list.rows, today), total: list.total, counts }
}

/** Every department's rectifications, for supervisors: appeals to decide, overdue ones, all. */
export async function supervisorRectifications(
  deps: Deps,
  options: { tab: SupervisorTab; departmentId?: string; page: number; pageSize: number },
) {
  const tab = SUPERVISOR_TABS[options.tab]
  const [list, counts, departments] = await Promise.all([
    listRectificationRows(deps.db, {
      departmentId: options.departmentId,
      states: tab.states,
      overdue: tab.overdue,
      page: options.page,
      pageSize: options.pageSize,
    }),
    countRectifications(deps.db, options.departmentId),
    listDepartmentInfos(deps.db),
  ])
  const today = todayInShanghai(deps.clock.now())
  return {
    rows: await presentRows(deps.db, list.rows, today),
    total: list.total,
    counts,
    departments: departments.map((d) => ({ value: d.id, label: d.name })),
  }
}

// ---------------------------------------------------------------------------------------------
// The case page

export interface RectificationCaseView {
  rect: RectificationTable
  stateName: string
  outcomeName: string | null
  severityName: string | null
  callbackMethodName: string | null
  rating: RatingView
  applicationId: string
  applicationNo: string
  itemName: string
  departmentName: string
  /** The applicant, for the callback (staff of the handling department only; masked phone). */
  applicant: { name: string; mobileMasked: string | null } | null
  overdue: boolean
  events: EventView[]
  /** What this viewer may do now. */
  can: {
    callback: boolean
    classify: boolean
    reply: boolean
    decideAppeal: boolean
  }
  viewerIsDepartment: boolean
}

/**
 * The whole rectification for staff: the handling department's, or any for a supervisor. Staff
 * see who did each step (names of staff); the applicant's name and masked phone go only to the
 * handling department, which calls them back.
 * @throws RECTIFICATION_NOT_FOUND; RECTIFICATION_OTHER_DEPARTMENT (403)
 */
export async function rectificationCase(deps: Deps, principal: Principal, id: string): Promise<RectificationCaseView> {
  const rect = await getRectificationForStaff(deps.db, principal, id)
  const rating = await findRating(deps.db, rect.ratingId)
  if (!rating) throw ratingApplicationNotFound()
  const [app, department, events] = await Promise.all([
    findApplicationFacts(deps.db, rect.applicationId),
    findDepartmentInfo(deps.db, rect.departmentId),
    listRectificationEvents(deps.db, rect.id),
  ])
  const ofDepartment = isOfDepartment(principal, rect)
  const staff = await staffRefs(
    deps.db,
    events.filter((e) => e.actorType === 'staff').map((e) => e.actorId),
  )
  const names = staff.size > 0 ? await departmentNames(deps.db) : new Map<string, string>()
  const person = ofDepartment && app ? await personSummary(deps.db, app.applicantPersonId) : undefined
  const today = todayInShanghai(deps.clock.now())
  return {
    rect,
    stateName: RECTIFICATION_STATE_NAMES[rect.state],
    outcomeName: rect.outcome ? OUTCOME_NAMES[rect.outcome] : null,
    severityName: rect.severity ? SEVERITY_NAMES[rect.severity] : null,
    callbackMethodName: rect.callbackMethod
      ? (CALLBACK_METHODS[rect.callbackMethod as keyof typeof CALLBACK_METHODS] ?? rect.callbackMethod)
      : null,
    rating: ratingView(rating),
    applicationId: rect.applicationId,
    applicationNo: app?.applicationNo ?? '',
    itemName: app?.itemName ?? '',
    departmentName: department?.name ?? '',
    applicant: person ? { name: app?.applicantName || person.name, mobileMasked: person.mobileMasked } : null,
    overdue:
      Boolean(rect.overdueAt) || (rect.state === 'rectifying' && Boolean(rect.deadlineOn) && rect.deadlineOn! < today),
    events: events.map((e) => {
      let actor = '系统'
      if (e.actorType === 'person') actor = '评价人'
      else if (e.actorType === 'staff') {
        const ref = e.actorId ? staff.get(e.actorId) : undefined
        actor = ref ? `${names.get(ref.departmentId) ?? ''} ${ref.name}`.trim() : '工作人员'
      }
      return { at: e.at, event: e.event, label: EVENT_LABELS[e.event] ?? e.event, note: e.note, actor }
    }),
    can: {
      callback: ofDepartment && canTake(rect.state, 'callback'),
      classify: ofDepartment && canTake(rect.state, 'classify_valid'),
      reply: ofDepartment && canTake(rect.state, 'reply'),
      decideAppeal: principal.permissions.has('ratings.appeal_decide') && canTake(rect.state, 'uphold_appeal'),
    },
    viewerIsDepartment: ofDepartment,
  }
}

// ---------------------------------------------------------------------------------------------
// Facts for supervision and statistics

export interface RatingFact {
  ratingId: string
  applicationId: string
  level: RatingLevel
  bad: boolean
  isDefault: boolean
  channel: RatingChannel
  departmentId: string
  itemId: string
  ratedAt: string
  /** Left out of statistics (an appeal against a mistaken or malicious rating was upheld). */
  excluded: boolean
}

export interface FactPeriod {
  /** ISO instant, inclusive. */
  from: string
  /** ISO instant, exclusive. */
  to: string
  departmentId?: string
}

/**
 * Raw rating rows rated in [from, to), for statistics (supervision computes its figures from
 * these, never from counters). Backed by ratings (rated_at, id) / (department_id, rated_at).
 */
export async function ratingFacts(db: DbOrTrx, period: FactPeriod): Promise<RatingFact[]> {
  let query = db
    .selectFrom('ratings')
    .leftJoin('rectifications', 'rectifications.ratingId', 'ratings.id')
    .select([
      'ratings.id',
      'ratings.applicationId',
      'ratings.level',
      'ratings.isDefault',
      'ratings.channel',
      'ratings.departmentId',
      'ratings.itemId',
      'ratings.ratedAt',
      'rectifications.excluded',
    ])
    .where('ratings.ratedAt', '>=', period.from)
    .where('ratings.ratedAt', '<', period.to)
  if (period.departmentId) query = query.where('ratings.departmentId', '=', period.departmentId)
  const rows = await query.orderBy('ratings.ratedAt').orderBy('ratings.id').execute()
  return rows.map((r) => ({
    ratingId: r.id,
    applicationId: r.applicationId,
    level: r.level as RatingLevel,
    bad: isBadLevel(r.level),
    isDefault: r.isDefault === 1,
    channel: r.channel,
    departmentId: r.departmentId,
    itemId: r.itemId,
    ratedAt: r.ratedAt,
    excluded: r.excluded === 1,
  }))
}

export interface RatingCount {
  departmentId: string
  itemId: string
  level: RatingLevel
  isDefault: boolean
  excluded: boolean
  count: number
}

/**
 * The ratings rated in [from, to) counted per department, item, level, default and exclusion —
 * the same rows as `ratingFacts`, aggregated in SQL (a year holds about a million ratings).
 */
export async function ratingCounts(db: DbOrTrx, period: FactPeriod): Promise<RatingCount[]> {
  let query = db
    .selectFrom('ratings')
    .leftJoin('rectifications', 'rectifications.ratingId', 'ratings.id')
    .select([
      'ratings.departmentId',
      'ratings.itemId',
      'ratings.level',
      'ratings.isDefault',
      'rectifications.excluded',
      (eb) => eb.fn.countAll().as('n'),
    ])
    .where('ratings.ratedAt', '>=', period.from)
    .where('ratings.ratedAt', '<', period.to)
    .groupBy([
      'ratings.departmentId',
      'ratings.itemId',
      'ratings.level',
      'ratings.isDefault',
      'rectifications.excluded',
    ])
  if (period.departmentId) query = query.where('ratings.departmentId', '=', period.departmentId)
  const rows = await query.execute()
  return rows.map((r) => ({
    departmentId: r.departmentId,
    itemId: r.itemId,
    level: r.level as RatingLevel,
    isDefault: r.isDefault === 1,
    excluded: r.excluded === 1,
    count: Number(r.n),
  }))
}

export interface RectificationFact {
  rectificationId: string
  ratingId: string
  applicationId: string
  departmentId: string
  itemId: string
  state: RectificationState
  outcome: RectificationTable['outcome']
  severity: RectificationTable['severity']
  openedAt: string
  deadlineOn: string | null
  repliedAt: string | null
  explainedAt: string | null
  closedAt: string | null
  /** When the overdue sweep escalated it. */
  overdueAt: string | null
  /**
   * Replied by the deadline (Asia/Shanghai day): true / false; false too when unreplied past the
   * deadline; null while it may still be on time or has no deadline (explained, appealed).
   */
  onTime: boolean | null
  excluded: boolean
}

export function onTimeOf(rect: Pick<RectificationTable, 'deadlineOn' | 'repliedAt'>, today: string): boolean | null {
  if (!rect.deadlineOn) return null
  if (rect.repliedAt) return todayInShanghai(new Date(rect.repliedAt)) <= rect.deadlineOn
  return today > rect.deadlineOn ? false : null
}

/** Raw rectification rows opened in [from, to), for statistics and supervision's warning cards. */
export async function rectificationFacts(
  db: DbOrTrx,
  period: FactPeriod & { now?: Date },
): Promise<RectificationFact[]> {
  let query = db
    .selectFrom('rectifications')
    .selectAll()
    .where('openedAt', '>=', period.from)
    .where('openedAt', '<', period.to)
  if (period.departmentId) query = query.where('departmentId', '=', period.departmentId)
  const today = todayInShanghai(period.now ?? new Date())
  const rows = await query.orderBy('openedAt').orderBy('id').execute()
  return rows.map((r) => ({
    rectificationId: r.id,
    ratingId: r.ratingId,
    applicationId: r.applicationId,
    departmentId: r.departmentId,
    itemId: r.itemId,
    state: r.state,
    outcome: r.outcome,
    severity: r.severity,
    openedAt: r.openedAt,
    deadlineOn: r.deadlineOn,
    repliedAt: r.repliedAt,
    explainedAt: r.explainedAt,
    closedAt: r.closedAt,
    overdueAt: r.overdueAt,
    onTime: onTimeOf(r, today),
    excluded: r.excluded === 1,
  }))
}

// ---------------------------------------------------------------------------------------------
// 好差评公示

export interface DepartmentSummary {
  departmentId: string
  departmentName: string
  total: number
  byLevel: Record<RatingLevel, number>
  /** (非常满意 + 满意 + 基本满意) / total, 0–1; null without ratings. */
  satisfactionRate: number | null
  bad: number
  /** Bad ratings handled (replied, closed or explained) / bad ratings; null without bad ratings. */
  rectificationRate: number | null
  /** Replied by the deadline / replied with a deadline; null when none replied. */
  onTimeRate: number | null
  defaults: number
}

export interface PublishedRectification {
  itemName: string
  departmentName: string
  reasonNames: string[]
  kind: 'reply' | 'explanation'
  text: string
  on: string
}

/** The Shanghai day as the instant it starts. */
export const dayStart = (day: string): string => new Date(`${day}T00:00:00+08:00`).toISOString()

/**
 * 政务服务好差评公示: per department, the ratings of the period (appeals upheld left out), their
 * levels, the satisfaction rate, the bad ratings and how many were rectified, on time; and the
 * latest published rectifications (item, reason categories, the reply or explanation, the day —
 * no names and nothing of the complaint beyond its category).
 */
export async function publicSummary(deps: Deps, period: { from?: string; to?: string } = {}) {
  const db = deps.db
  const from = period.from ? dayStart(period.from) : '1970-01-01T00:00:00.000Z'
  const to = period.to
    ? new Date(new Date(dayStart(period.to)).getTime() + DAY_MS).toISOString()
    : '9999-12-31T00:00:00.000Z'
  const today = todayInShanghai(deps.clock.now())
  const counts = await db
    .selectFrom('ratings')
    .leftJoin('rectifications', 'rectifications.ratingId', 'ratings.id')
    .select(['ratings.departmentId', 'ratings.level', 'ratings.isDefault', (eb) => eb.fn.countAll().as('n')])
    .where('ratings.ratedAt', '>=', from)
    .where('ratings.ratedAt', '<', to)
    .where((eb) => eb.or([eb('rectifications.excluded', 'is', null), eb('rectifications.excluded', '=', 0)]))
    .groupBy(['ratings.departmentId', 'ratings.level', 'ratings.isDefault'])
    .execute()
  const rects = await db
    .selectFrom('rectifications')
    .innerJoin('ratings', 'ratings.id', 'rectifications.ratingId')
    .select([
      'rectifications.departmentId',
      'rectifications.state',
      'rectifications.deadlineOn',
      'rectifications.repliedAt',
    ])
    .where('ratings.ratedAt', '>=', from)
    .where('ratings.ratedAt', '<', to)
    .where('rectifications.excluded', '=', 0)
    .execute()
  const departments = await listDepartmentInfos(db)
  const names = await departmentNames(db)
  const summaries = new Map<string, DepartmentSummary>()
  const summaryOf = (departmentId: string) => {
    let s = summaries.get(departmentId)
    if (!s) {
      s = {
        departmentId,
        departmentName: names.get(departmentId) ?? '',
        total: 0,
        byLevel: { 5: 0, 4: 0, 3: 0, 2: 0, 1: 0 },
        satisfactionRate: null,
        bad: 0,
        rectificationRate: null,
        onTimeRate: null,
        defaults: 0,
      }
      summaries.set(departmentId, s)
    }
    return s
  }
  for (const c of counts) {
    const s = summaryOf(c.departmentId)
    const n = Number(c.n)
    s.total += n
    s.byLevel[c.level as RatingLevel] += n
    if (isBadLevel(c.level)) s.bad += n
    if (c.isDefault === 1) s.defaults += n
  }
  const handled = new Map<string, number>()
  const replied = new Map<string, { all: number; onTime: number }>()
  for (const r of rects) {
    if (['replied', 'closed', 'explained'].includes(r.state))
      handled.set(r.departmentId, (handled.get(r.departmentId) ?? 0) + 1)
    if (r.repliedAt && r.deadlineOn) {
      const x = replied.get(r.departmentId) ?? { all: 0, onTime: 0 }
      x.all++
      if (onTimeOf(r, today)) x.onTime++
      replied.set(r.departmentId, x)
    }
  }
  for (const s of summaries.values()) {
    const satisfied = LEVELS.filter(isSatisfiedLevel).reduce((sum, l) => sum + s.byLevel[l], 0)
    s.satisfactionRate = s.total > 0 ? satisfied / s.total : null
    s.rectificationRate = s.bad > 0 ? Math.min(1, (handled.get(s.departmentId) ?? 0) / s.bad) : null
    const r = replied.get(s.departmentId)
    s.onTimeRate = r && r.all > 0 ? r.onTime / r.all : null
  }
  const order = new Map(departments.map((d, i) => [d.id, i]))
  const rows = [...summaries.values()].sort(
    (a, b) => (order.get(a.departmentId) ?? 1e9) - (order.get(b.departmentId) ?? 1e9),
  )
  const totals = rows.reduce(
    (t, s) => {
      t.total += s.total
      t.bad += s.bad
      t.satisfied += LEVELS.filter(isSatisfiedLevel).reduce((sum, l) => sum + s.byLevel[l], 0)
      return t
    },
    { total: 0, bad: 0, satisfied: 0 },
  )
  return {
    departments: rows,
    totals: { ...totals, satisfactionRate: totals.total > 0 ? totals.satisfied / totals.total : null },
    published: await publishedRectifications(db, 20),
  }
}

/** The latest replies and explanations, newest first (appeals upheld are not published). */
export async function publishedRectifications(db: DbOrTrx, limit: number): Promise<PublishedRectification[]> {
  const rows = await db
    .selectFrom('rectifications')
    .innerJoin('ratings', 'ratings.id', 'rectifications.ratingId')
    .select([
      'rectifications.id',
      'rectifications.applicationId',
      'rectifications.departmentId',
      'rectifications.replyText',
      'rectifications.repliedAt',
      'rectifications.explanation',
      'rectifications.explainedAt',
      'ratings.reasons',
    ])
    .where('rectifications.excluded', '=', 0)
    .where((eb) =>
      eb.or([eb('rectifications.repliedAt', 'is not', null), eb('rectifications.explainedAt', 'is not', null)]),
    )
    .orderBy((eb) => eb.fn.coalesce('rectifications.repliedAt', 'rectifications.explainedAt'), 'desc')
    .orderBy('rectifications.id', 'desc')
    .limit(limit)
    .execute()
  const [apps, names] = await Promise.all([
    applicationFactsByIds(
      db,
      rows.map((r) => r.applicationId),
    ),
    rows.length > 0 ? departmentNames(db) : Promise.resolve(new Map<string, string>()),
  ])
  return rows.map((r) => {
    const reasons = reasonsOf(r).map((c) => REASONS[c])
    const reply = Boolean(r.repliedAt)
    return {
      itemName: apps.get(r.applicationId)?.itemName ?? '',
      departmentName: names.get(r.departmentId) ?? '',
      reasonNames: reasons.length > 0 ? reasons : [REASONS.other],
      kind: reply ? 'reply' : 'explanation',
      text: (reply ? r.replyText : r.explanation) ?? '',
      on: todayInShanghai(new Date((reply ? r.repliedAt : r.explainedAt) ?? 0)),
    }
  })
}

/** The lowest UUIDv7 text created at or after an instant (row ids are UUIDv7: they sort by creation). */
function firstIdAt(instant: string): string {
  const hex = Math.max(0, Date.parse(instant)).toString(16).padStart(12, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`
}

/**
 * The instants at which the ratings that changed since an instant were given: ratings recorded
 * since then (by id, whatever their `rated_at` — the 7-day default dates its rating on the
 * seventh day, possibly in the past), and ratings whose rectification changed since then (an
 * upheld appeal takes a rating out of the statistics). For the daily summary's refresh.
 */
export async function ratingTimesChangedSince(db: DbOrTrx, since: string): Promise<string[]> {
  const [created, rectified] = await Promise.all([
    db.selectFrom('ratings').select('ratedAt').where('id', '>=', firstIdAt(since)).execute(),
    db
      .selectFrom('rectifications')
      .innerJoin('ratings', 'ratings.id', 'rectifications.ratingId')
      .select('ratings.ratedAt')
      .where('rectifications.updatedAt', '>=', since)
      .execute(),
  ])
  return [...created, ...rectified].map((r) => new Date(r.ratedAt).toISOString())
}
