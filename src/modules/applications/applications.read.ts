/**
 * The read side: what applicants, the public and staff see. Writes stay in
 * applications.service.ts. Every list is backed by an index (see the migration).
 */
import { type RawBuilder, sql } from 'kysely'
import type { Principal } from '../../platform/auth/principal.js'
import {
  addCalendarDays,
  addWorkingDays,
  isWorkingDay,
  nextWorkingDay,
  todayInShanghai,
  type WorkingCalendar,
} from '../../platform/calendar/index.js'
import { type DbOrTrx, dialectOf } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { maskName } from '../../platform/validators/index.js'
import { getVersion, type ItemElements } from '../catalog/index.js'
import {
  departmentNames,
  findDepartmentInfo,
  personHasMobile,
  personSummary,
  prefillProfile,
  roleName,
  type StaffRef,
  staffRefs,
  staffWithRole,
} from '../identity/index.js'
import { type HeldLicenseData, heldLicenses } from '../licenses/index.js'
import { clockSummary, daysUsed } from './applications.clock.js'
import { applicationNotFound, otherDepartment } from './applications.errors.js'
import type { PrefillContext } from './applications.forms.js'
import { normaliseApplicationNo } from './applications.numbers.js'
import { processFor } from './applications.process.js'
import {
  findApplicationByNo,
  listAllMaterials,
  listCurrentMaterials,
  listEvents,
  listNotices,
  listTasks,
} from './applications.repository.js'
import { clockOf, clockSpecOf, getApplication, isApplicantOf } from './applications.service.js'
import { STATE_NAMES } from './applications.states.js'
import type { ApplicationState, ApplicationTable } from './applications.tables.js'

export interface ApplicationListRow {
  id: string
  applicationNo: string | null
  itemId: string
  itemName: string
  departmentName: string
  state: ApplicationState
  stateName: string
  channel: string
  submittedAt: string | null
  updatedAt: string
  dueOn: string | null
  promisedDueOn: string | null
}

function listQuery(db: DbOrTrx) {
  return db
    .selectFrom('applications')
    .select([
      'applications.id',
      'applications.applicationNo',
      'applications.itemId',
      'applications.itemName',
      'applications.departmentId',
      'applications.state',
      'applications.channel',
      'applications.submittedAt',
      'applications.updatedAt',
      'applications.dueOn',
      'applications.promisedDueOn',
    ])
}

/** Adds department names (from the identity module) to rows that carry a department id. */
async function withDepartmentNames<T extends { departmentId: string; itemName: string | null }>(
  db: DbOrTrx,
  rows: T[],
) {
  const names = rows.length > 0 ? await departmentNames(db) : new Map<string, string>()
  return rows.map(({ departmentId, ...r }) => ({
    ...r,
    itemName: r.itemName ?? '',
    departmentName: names.get(departmentId) ?? '',
  }))
}

const withStateName = <T extends { state: ApplicationState }>(rows: T[]) =>
  rows.map((r) => ({ ...r, stateName: STATE_NAMES[r.state] }))

/** "My applications": the person's own (or the enterprise's they act for), newest first. */
export async function listMyApplications(
  deps: Deps,
  principal: Principal,
  options: { page: number; pageSize?: number; includeDrafts?: boolean },
): Promise<{ rows: ApplicationListRow[]; total: number }> {
  if (!principal.personId) return { rows: [], total: 0 }
  const pageSize = options.pageSize ?? 20
  let query = listQuery(deps.db)
  let count = deps.db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n'))
  if (principal.enterpriseId) {
    query = query.where('applications.applicantEnterpriseId', '=', principal.enterpriseId)
    count = count.where('applicantEnterpriseId', '=', principal.enterpriseId)
  } else {
    query = query
      .where('applications.applicantPersonId', '=', principal.personId)
      .where('applications.applicantEnterpriseId', 'is', null)
    count = count.where('applicantPersonId', '=', principal.personId).where('applicantEnterpriseId', 'is', null)
  }
  if (!options.includeDrafts) {
    query = query.where('applications.state', '!=', 'draft')
    count = count.where('state', '!=', 'draft')
  }
  const rows = await query
    .orderBy('applications.createdAt', 'desc')
    .orderBy('applications.id', 'desc')
    .limit(pageSize)
    .offset((Math.max(1, options.page) - 1) * pageSize)
    .execute()
  const total = Number((await count.executeTakeFirstOrThrow()).n)
  return { rows: withStateName(await withDepartmentNames(deps.db, rows)), total }
}

export interface TimelineEntry {
  at: string
  event: string
  label: string
  stateName: string | null
  actor: string
  reason: string | null
  noticeId: string | null
}

const EVENT_LABELS: Record<string, string> = {
  submit: '提交申请',
  request_correction: '一次性告知补正',
  resubmit: '提交补正材料',
  reject: '不予受理',
  accept: '受理',
  deem_accept: '视为受理（5 个工作日内未告知补正）',
  start: '开始办理',
  stage_open: '进入办理环节',
  task_claim: '签收',
  task_complete: '完成审查',
  task_transfer: '转办',
  task_return: '退回',
  clock_pause: '启动特别程序（暂停计时）',
  clock_resume: '恢复计时',
  clock_extend: '延长办理期限',
  approve: '作出准予决定',
  refuse: '作出不予许可决定',
  deliver: '送达并办结',
  close: '办结',
  withdraw: '申请人撤回',
}

/** Who did it, as the applicant may see it: a role and department, never a staff member's name. */
function actorLabel(actorType: string, actorRole: string | null, departmentName: string): string {
  if (actorType === 'person') return '申请人'
  if (actorType === 'system') return '系统'
  const roles: Record<string, string> = {
    window_clerk: '窗口受理人员',
    reviewer: '审核人员',
    approver: '审批负责人',
    village_agent: '村居代办员',
    window: '窗口工作人员',
    proxy: '代办员',
  }
  return `${departmentName}${roles[actorRole ?? ''] ?? '工作人员'}`
}

/** The whole case: for the applicant (their own) or staff of the owning department. */
export async function caseView(deps: Deps, principal: Principal, applicationId: string) {
  const app = await getApplication(deps.db, applicationId)
  // Staff of the owning department, or of a department with a task on the case (并联审批).
  if (principal.staffId) await assertStaffOfCase(deps, principal, app)
  else if (!isApplicantOf(principal, app)) throw applicationNotFound()
  return describeCase(deps, app, { forStaff: Boolean(principal.staffId) })
}

export async function describeCase(deps: Deps, app: ApplicationTable, options: { forStaff: boolean }) {
  const db = deps.db
  const version = await getVersion(db, app.itemVersionId)
  const elements = JSON.parse(version.elements) as ItemElements
  const department = await findDepartmentInfo(db, app.departmentId)
  const events = await listEvents(db, app.id)
  // In 并联审批 other departments act on the case too: each step is named by the actor's department.
  const actors = await staffRefs(
    db,
    events.filter((e) => e.actorType === 'staff').map((e) => e.actorId),
  )
  const deptNames = actors.size > 0 ? await departmentNames(db) : new Map<string, string>()
  const actorDepartment = (actorId: string | null) => {
    const ref = actorId ? actors.get(actorId) : undefined
    return (ref && deptNames.get(ref.departmentId)) ?? department?.name ?? ''
  }
  const timeline: TimelineEntry[] = events.map((e) => ({
    at: e.at,
    event: e.event,
    label: EVENT_LABELS[e.event] ?? e.event,
    stateName: e.toState && e.toState !== e.fromState ? STATE_NAMES[e.toState as ApplicationState] : null,
    actor: actorLabel(e.actorType, e.actorRole, actorDepartment(e.actorId)),
    reason: e.reason,
    noticeId: e.noticeId,
  }))
  const person = await personSummary(db, app.applicantPersonId)
  return {
    app,
    stateName: STATE_NAMES[app.state],
    version,
    elements,
    departmentName: department?.name ?? '',
    applicant: {
      name: person?.name ?? '',
      idNumberMasked: person?.idNumberMasked ?? '',
      mobileMasked: person?.mobileMasked ?? null,
    },
    timeline: options.forStaff ? timeline : timeline.filter((t) => !['task_claim', 'task_transfer'].includes(t.event)),
    notices: await listNotices(db, app.id),
    materials: await listCurrentMaterials(db, app.id),
    materialHistory: options.forStaff ? await listAllMaterials(db, app.id) : [],
    tasks: options.forStaff ? await listTasks(db, app.id) : [],
    clock: await clockOf(deps, app),
  }
}

/**
 * The public progress query (办件进度查询): by 办件编号 plus the applicant's name or mobile, so a
 * number alone reveals nothing. The answer is masked. Rate-limited at the route.
 */
export async function publicProgress(deps: Deps, rawNo: string, nameOrMobile: string) {
  const no = normaliseApplicationNo(rawNo)
  const notFound = () =>
    new DomainError('PROGRESS_NOT_FOUND', 'not_found', '没有找到这个办件，请核对办件编号和申请人姓名（或手机号码）。')
  if (!no) throw notFound()
  const app = await findApplicationByNo(deps.db, no)
  if (!app || app.state === 'draft') throw notFound()
  const person = await personSummary(deps.db, app.applicantPersonId)
  const given = nameOrMobile.normalize('NFKC').replace(/\s/g, '')
  const mobileMatches = await personHasMobile(deps, app.applicantPersonId, given)
  if (!person || (person.name !== given && !mobileMatches)) throw notFound()
  const version = await getVersion(deps.db, app.itemVersionId)
  const department = await findDepartmentInfo(deps.db, app.departmentId)
  const events = await listEvents(deps.db, app.id)
  return {
    applicationNo: no,
    itemName: version.taskName,
    departmentName: department?.name ?? '',
    applicantMasked: maskName(person.name),
    state: app.state,
    stateName: STATE_NAMES[app.state],
    submittedAt: app.submittedAt,
    promisedDueOn: app.promisedDueOn,
    steps: events
      .filter((e) => e.toState && e.toState !== e.fromState && e.event !== 'start')
      .map((e) => ({ at: e.at, label: EVENT_LABELS[e.event] ?? e.event })),
  }
}

// ---------------------------------------------------------------------------------------------
// The staff workbench

export type InboxColour = 'red' | 'yellow' | 'green' | 'none'

export interface InboxRow {
  kind: 'pre_review' | 'task'
  applicationId: string
  applicationNo: string | null
  itemName: string
  applicantName: string
  state: ApplicationState
  stateName: string
  taskId: string | null
  taskName: string | null
  taskState: string | null
  assigneeStaffId: string | null
  receivedOn: string | null
  dueOn: string | null
  colour: InboxColour
  channel: string
}

export interface InboxFilters {
  /** pre_review: submissions waiting to be accepted; tasks: processing tasks for my roles. */
  view: 'pre_review' | 'tasks'
  itemId?: string
  colour?: InboxColour
  mine?: boolean
  page: number
  pageSize?: number
  /**
   * The count of the whole list (the tab's count) when the caller already has it: used only
   * without filters (then it is the list's total), so the list is not counted twice.
   */
  unfilteredTotal?: number
}

/** The list's total: the one given for the unfiltered list, or counted. */
async function totalOf(filters: InboxFilters, count: () => Promise<number>): Promise<number> {
  const unfiltered = !filters.itemId && !filters.colour && !filters.mine
  return unfiltered && filters.unfilteredTotal !== undefined ? filters.unfilteredTotal : count()
}

/**
 * The two lists of the inbox, as literal SQL: each is the condition of a partial index (see
 * docs/performance.md, finding 3), and SQLite uses a partial index only for a query that repeats
 * its condition with the same constants (not with bound parameters).
 * - SUBMITTED (待受理): `applications_pre_review_idx` on (department_id, received_on, id, item_id);
 * - OPEN_TASK (待办理): `tasks_open_inbox_idx` on (department_id, due_on, id, role,
 *   assignee_staff_id, application_id).
 */
export const SUBMITTED = sql<boolean>`${sql.ref('applications.state')} = 'submitted'`
export const OPEN_TASK = sql<boolean>`${sql.ref('tasks.state')} in ('open', 'claimed')`

/** The roles whose tasks a staff member's inbox lists. */
export function inboxRoles(principal: Principal): string[] {
  return principal.roles.filter((r) => ['window_clerk', 'reviewer', 'approver'].includes(r))
}

/** Colour of a deadline for the inbox: red overdue, yellow due by the next working day. */
export function deadlineColour(dueOn: string | null, today: string, tomorrowWorking: string): InboxColour {
  if (!dueOn) return 'none'
  if (dueOn < today) return 'red'
  if (dueOn <= tomorrowWorking) return 'yellow'
  return 'green'
}

/**
 * A department's inbox, most urgent first: pre-review (window clerks: submissions received, oldest
 * first, coloured by the §32 five-day limit) or tasks (reviewers and approvers: open or claimed
 * tasks of their roles, by due day).
 */
export async function inbox(
  deps: Deps,
  principal: Principal,
  filters: InboxFilters,
): Promise<{ rows: InboxRow[]; total: number }> {
  if (!principal.staffId || !principal.departmentId) return { rows: [], total: 0 }
  const pageSize = filters.pageSize ?? 30
  const offset = (Math.max(1, filters.page) - 1) * pageSize
  const cal = await deps.calendar.load()
  const today = todayInShanghai(deps.clock.now())
  const tomorrow = nextWorkingDay(cal, today)
  if (filters.view === 'pre_review') {
    // §32: the last day to answer is the 5th working day after receipt; received on or before
    // this day means the limit is today or already past.
    const base = deps.db
      .selectFrom('applications')
      .where('applications.departmentId', '=', principal.departmentId)
      .where(SUBMITTED)
      .$if(Boolean(filters.itemId), (q) => q.where('applications.itemId', '=', filters.itemId!))
    const total = await totalOf(filters, async () =>
      Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    )
    const rows = await base
      .select([
        'applications.id',
        'applications.applicationNo',
        'applications.itemName as taskName',
        'applications.applicantName',
        'applications.state',
        'applications.receivedOn',
        'applications.channel',
      ])
      .orderBy('applications.receivedOn')
      .orderBy('applications.id')
      .limit(pageSize)
      .offset(offset)
      .execute()
    return {
      total,
      rows: rows.map((r) => {
        const due = r.receivedOn ? addWorkingDays(cal, r.receivedOn, 5) : null
        return {
          kind: 'pre_review',
          applicationId: r.id,
          applicationNo: r.applicationNo,
          itemName: r.taskName ?? '',
          applicantName: r.applicantName ?? '',
          state: r.state,
          stateName: STATE_NAMES[r.state],
          taskId: null,
          taskName: null,
          taskState: null,
          assigneeStaffId: null,
          receivedOn: r.receivedOn,
          dueOn: due,
          colour: deadlineColour(due, today, tomorrow),
          channel: r.channel,
        }
      }),
    }
  }
  const roles = inboxRoles(principal)
  if (roles.length === 0) return { rows: [], total: 0 }
  // The page of tasks first, from the tasks alone (the partial index of open tasks gives them in
  // due order), then the page's applications by id: joining first made the database read the
  // application of every open task of the department before it could sort (3,400 at a million).
  let base = deps.db
    .selectFrom('tasks')
    .where('tasks.departmentId', '=', principal.departmentId)
    .where(OPEN_TASK)
    .where('tasks.role', 'in', roles)
  if (filters.mine) base = base.where('tasks.assigneeStaffId', '=', principal.staffId)
  if (filters.colour === 'red') base = base.where('tasks.dueOn', '<', today)
  if (filters.colour === 'yellow') base = base.where('tasks.dueOn', '>=', today).where('tasks.dueOn', '<=', tomorrow)
  if (filters.colour === 'green') base = base.where('tasks.dueOn', '>', tomorrow)
  if (filters.itemId) {
    const itemId = filters.itemId
    base = base.where('tasks.applicationId', 'in', (eb) =>
      eb.selectFrom('applications').select('applications.id').where('applications.itemId', '=', itemId),
    )
  }
  const total = await totalOf(filters, async () =>
    Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  )
  const tasks = await base
    .select(['tasks.id', 'tasks.applicationId', 'tasks.name', 'tasks.state', 'tasks.assigneeStaffId', 'tasks.dueOn'])
    .orderBy('tasks.dueOn')
    .orderBy('tasks.id')
    .limit(pageSize)
    .offset(offset)
    .execute()
  const appIds = [...new Set(tasks.map((r) => r.applicationId))]
  const apps = new Map(
    (appIds.length === 0
      ? []
      : await deps.db
          .selectFrom('applications')
          .select(['id', 'applicationNo', 'itemName', 'applicantName', 'state', 'receivedOn', 'channel', 'dueOn'])
          .where('id', 'in', appIds)
          .execute()
    ).map((a) => [a.id, a]),
  )
  return {
    total,
    rows: tasks.flatMap((t) => {
      const app = apps.get(t.applicationId)
      if (!app) return [] // every task has its application (foreign key)
      const dueOn = t.dueOn ?? app.dueOn
      return [
        {
          kind: 'task' as const,
          applicationId: app.id,
          applicationNo: app.applicationNo,
          itemName: app.itemName ?? '',
          applicantName: app.applicantName ?? '',
          state: app.state,
          stateName: STATE_NAMES[app.state],
          taskId: t.id,
          taskName: t.name,
          taskState: t.state,
          assigneeStaffId: t.assigneeStaffId,
          receivedOn: app.receivedOn,
          dueOn,
          colour: deadlineColour(dueOn, today, tomorrow),
          channel: app.channel,
        },
      ]
    }),
  }
}

// ---------------------------------------------------------------------------------------------
// The workbench and the counter (applications.workbench.* and applications.counter.*)

/** States in which a case is still open (not yet decided and delivered, refused, or withdrawn). */
export const OPEN_STATES: readonly ApplicationState[] = [
  'submitted',
  'correction_requested',
  'accepted',
  'in_process',
  'approved',
  'refused',
]

/**
 * The receipt days that give each colour of the §32 five-working-day limit on `today`: a
 * submission received before `redBefore` is overdue (red), before `greenFrom` due today or on the
 * next working day (yellow), from `greenFrom` on in time (green). The limit only moves later as
 * the receipt day does, so the colours are ranges of days and the inbox filters by an index.
 */
export function preReviewColourBounds(
  cal: WorkingCalendar,
  today: string,
  tomorrowWorking: string,
): { redBefore: string; greenFrom: string } {
  const firstDayWithDueAfter = (limit: string) => {
    let day = today
    // At most a few weeks back, even across the Spring Festival.
    for (let i = 0; i < 60 && addWorkingDays(cal, addCalendarDays(day, -1), 5) > limit; i++) {
      day = addCalendarDays(day, -1)
    }
    return day
  }
  // due(r) >= today ⟺ r >= redBefore;  due(r) > tomorrow ⟺ r >= greenFrom
  return {
    redBefore: firstDayWithDueAfter(addCalendarDays(today, -1)),
    greenFrom: firstDayWithDueAfter(tomorrowWorking),
  }
}

/**
 * The workbench inbox: `inbox`, and for pre-review also the deadline colour filter (by the
 * receipt day, so still one indexed query per page).
 */
export async function workbenchInbox(
  deps: Deps,
  principal: Principal,
  filters: InboxFilters,
): Promise<{ rows: InboxRow[]; total: number }> {
  if (filters.view !== 'pre_review' || !filters.colour || filters.colour === 'none') {
    return inbox(deps, principal, filters)
  }
  if (!principal.staffId || !principal.departmentId) return { rows: [], total: 0 }
  const pageSize = filters.pageSize ?? 30
  const cal = await deps.calendar.load()
  const today = todayInShanghai(deps.clock.now())
  const tomorrow = nextWorkingDay(cal, today)
  const { redBefore, greenFrom } = preReviewColourBounds(cal, today, tomorrow)
  let base = deps.db
    .selectFrom('applications')
    .where('applications.departmentId', '=', principal.departmentId)
    .where(SUBMITTED)
  if (filters.itemId) base = base.where('applications.itemId', '=', filters.itemId)
  if (filters.colour === 'red') base = base.where('applications.receivedOn', '<', redBefore)
  if (filters.colour === 'yellow')
    base = base.where('applications.receivedOn', '>=', redBefore).where('applications.receivedOn', '<', greenFrom)
  if (filters.colour === 'green') base = base.where('applications.receivedOn', '>=', greenFrom)
  const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const rows = await base
    .select([
      'applications.id',
      'applications.applicationNo',
      'applications.itemName as taskName',
      'applications.applicantName',
      'applications.state',
      'applications.receivedOn',
      'applications.channel',
    ])
    .orderBy('applications.receivedOn')
    .orderBy('applications.id')
    .limit(pageSize)
    .offset((Math.max(1, filters.page) - 1) * pageSize)
    .execute()
  return {
    total,
    rows: rows.map((r) => {
      const due = r.receivedOn ? addWorkingDays(cal, r.receivedOn, 5) : null
      return {
        kind: 'pre_review',
        applicationId: r.id,
        applicationNo: r.applicationNo,
        itemName: r.taskName ?? '',
        applicantName: r.applicantName ?? '',
        state: r.state,
        stateName: STATE_NAMES[r.state],
        taskId: null,
        taskName: null,
        taskState: null,
        assigneeStaffId: null,
        receivedOn: r.receivedOn,
        dueOn: due,
        colour: deadlineColour(due, today, tomorrow),
        channel: r.channel,
      }
    }),
  }
}

/** How many rows each tab of the inbox has (before filters): two counts on the inbox indexes. */
export async function inboxCounts(
  deps: Deps,
  principal: Principal,
): Promise<{ preReview: number; tasks: number; mine: number }> {
  if (!principal.staffId || !principal.departmentId) return { preReview: 0, tasks: 0, mine: 0 }
  return { preReview: await preReviewCount(deps, principal), ...(await openTaskCounts(deps, principal)) }
}

/** The 待受理 tab's count: the department's submissions (0 for staff who do not pre-review). */
async function preReviewCount(deps: Deps, principal: Principal): Promise<number> {
  if (!principal.departmentId || !principal.permissions.has('applications.accept')) return 0
  const row = await deps.db
    .selectFrom('applications')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('applications.departmentId', '=', principal.departmentId)
    .where(SUBMITTED)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** The 待办理 tab's counts: the open tasks of the staff member's roles, and those they claimed. */
async function openTaskCounts(deps: Deps, principal: Principal): Promise<{ tasks: number; mine: number }> {
  const roles = inboxRoles(principal)
  if (!principal.departmentId || !principal.staffId || roles.length === 0) return { tasks: 0, mine: 0 }
  const counts = await deps.db
    .selectFrom('tasks')
    .select([
      (eb) => eb.fn.countAll().as('n'),
      (eb) =>
        eb.fn.sum(eb.case().when('tasks.assigneeStaffId', '=', principal.staffId!).then(1).else(0).end()).as('mine'),
    ])
    .where('tasks.departmentId', '=', principal.departmentId)
    .where(OPEN_TASK)
    .where('tasks.role', 'in', roles)
    .executeTakeFirstOrThrow()
  return { tasks: Number(counts.n), mine: Number(counts.mine ?? 0) }
}

/**
 * Whether a staff member may see a case: staff of the department that owns it, and staff of a
 * department with a task on it (并联审批: the other department reviews the same case).
 * @throws APPLICATION_OTHER_DEPARTMENT (403) otherwise
 */
export async function assertStaffOfCase(deps: Deps, principal: Principal, app: ApplicationTable): Promise<void> {
  if (!principal.staffId || !principal.departmentId) throw otherDepartment()
  if (principal.departmentId === app.departmentId) return
  const task = await deps.db
    .selectFrom('tasks')
    .select('id')
    .where('applicationId', '=', app.id)
    .where('departmentId', '=', principal.departmentId)
    .executeTakeFirst()
  if (!task) throw otherDepartment()
}

/** Staff by id, for showing who did what to other staff (names are never shown to applicants). */
export function staffNames(deps: Deps, ids: (string | null | undefined)[]): Promise<Map<string, StaffRef>> {
  return staffRefs(deps.db, ids)
}

/**
 * The whole case for the workbench: what `describeCase` gives staff, plus who did each step (the
 * staff member's department, role and name: staff may see each other's names), the staff
 * assigned, the departments of the tasks, the stages of the process, and the clocks as they stood
 * when the case was decided or withdrawn (a finished case's clock no longer runs).
 * @throws APPLICATION_NOT_FOUND; APPLICATION_OTHER_DEPARTMENT (403)
 */
export async function workbenchCase(deps: Deps, principal: Principal, applicationId: string) {
  const app = await getApplication(deps.db, applicationId)
  await assertStaffOfCase(deps, principal, app)
  const view = await describeCase(deps, app, { forStaff: true })
  const events = await listEvents(deps.db, app.id)
  const staff = await staffNames(deps, [
    ...events.filter((e) => e.actorType === 'staff').map((e) => e.actorId),
    ...view.tasks.map((t) => t.assigneeStaffId),
    app.filedByStaffId,
  ])
  const departmentIds = [
    app.departmentId,
    ...view.tasks.map((t) => t.departmentId),
    ...[...staff.values()].map((s) => s.departmentId),
  ]
  const allNames = await departmentNames(deps.db)
  const deptNames = new Map([...new Set(departmentIds)].map((id) => [id, allNames.get(id) ?? '']))
  const process = processFor(view.elements, view.version.processDefinition)
  // In 并联审批 another department's staff act on the case too: name their own department.
  const timelineActors = events.map((e, i) => {
    const person = e.actorType === 'staff' && e.actorId ? staff.get(e.actorId) : undefined
    if (!person) return view.timeline[i]?.actor ?? ''
    const role = e.actorRole && ROLE_CODES.has(e.actorRole) ? roleName(e.actorRole) : '工作人员'
    return `${deptNames.get(person.departmentId) ?? ''}${role} ${person.name}`
  })
  const stoppedAt = app.decidedAt ?? app.withdrawnAt
  let clock = view.clock
  if (clock && stoppedAt) {
    const cal = await deps.calendar.load()
    const at = new Date(stoppedAt)
    clock = {
      ...clock,
      legal: clockSummary(cal, clockSpecOf(app, clock.pauses, 'legal'), at),
      promised: clockSummary(cal, clockSpecOf(app, clock.pauses, 'promised'), at),
    }
  }
  return {
    ...view,
    clock,
    /** When the clocks stopped (decision or withdrawal); they are shown as they stood then. */
    clockStoppedAt: clock ? (stoppedAt ?? null) : null,
    /** Who did each step of `timeline` (same order). */
    timelineActors,
    staff,
    departmentNames: deptNames,
    stages: process.stages.map((s) => ({ key: s.key, name: s.name })),
    ownDepartment: principal.departmentId === app.departmentId,
  }
}

const ROLE_CODES = new Set(['window_clerk', 'reviewer', 'approver', 'village_agent'])

/**
 * A file of a case's materials (any round), for the staff preview: only a sha256 the case holds.
 * @throws APPLICATION_NOT_FOUND; APPLICATION_OTHER_DEPARTMENT; FILE_NOT_FOUND when the case has no such file
 */
export async function caseMaterialFile(
  deps: Deps,
  principal: Principal,
  applicationId: string,
  sha256: string,
): Promise<{ fileName: string; mime: string | null }> {
  const app = await getApplication(deps.db, applicationId)
  await assertStaffOfCase(deps, principal, app)
  const row = await deps.db
    .selectFrom('applicationMaterials')
    .select(['fileName', 'fileMime'])
    .where('applicationId', '=', app.id)
    .where('kind', '=', 'file')
    .where('fileSha256', '=', sha256)
    .orderBy('createdAt', 'desc')
    .executeTakeFirst()
  if (!row) throw new DomainError('FILE_NOT_FOUND', 'not_found', '这个办件没有这份材料。')
  return { fileName: row.fileName ?? '材料', mime: row.fileMime }
}

/** Colleagues to whom a task of this role may be transferred (转办): same department and role, active. */
export async function listColleagues(
  deps: Deps,
  principal: Principal,
  role: string,
): Promise<{ id: string; name: string }[]> {
  if (!principal.departmentId) return []
  const colleagues = await staffWithRole(deps.db, principal.departmentId, role)
  return colleagues.filter((c) => c.id !== principal.staffId)
}

export interface ServicePointCaseRow {
  id: string
  applicationNo: string | null
  itemName: string
  applicantMasked: string
  state: ApplicationState
  stateName: string
  channel: string
  submittedAt: string | null
  promisedDueOn: string | null
}

/**
 * 「本服务点的办件」: the open cases filed at the caller's service point (村居代办), newest first.
 * Names are masked: the service point files the case, the department handles it.
 */
export async function listServicePointCases(
  deps: Deps,
  principal: Principal,
  options: { page: number; pageSize?: number },
): Promise<{ rows: ServicePointCaseRow[]; total: number }> {
  if (!principal.staffId || !principal.servicePointId) return { rows: [], total: 0 }
  const pageSize = options.pageSize ?? 20
  const base = deps.db
    .selectFrom('applications')
    .where('applications.servicePointId', '=', principal.servicePointId)
    .where('applications.state', 'in', OPEN_STATES)
  const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const rows = await base
    .select([
      'applications.id',
      'applications.applicationNo',
      'applications.itemName as taskName',
      'applications.applicantName as name',
      'applications.state',
      'applications.channel',
      'applications.submittedAt',
      'applications.promisedDueOn',
    ])
    .orderBy('applications.submittedAt', 'desc')
    .orderBy('applications.id', 'desc')
    .limit(pageSize)
    .offset((Math.max(1, options.page) - 1) * pageSize)
    .execute()
  return {
    total,
    rows: rows.map((r) => ({
      id: r.id,
      applicationNo: r.applicationNo,
      itemName: r.taskName ?? '',
      applicantMasked: maskName(r.name ?? ''),
      state: r.state,
      stateName: STATE_NAMES[r.state],
      channel: r.channel,
      submittedAt: r.submittedAt,
      promisedDueOn: r.promisedDueOn,
    })),
  }
}

// ---------------------------------------------------------------------------------------------
// The applicant's pages (applications.apply.routes.ts, applications.my.routes.ts)

export interface DraftRow {
  id: string
  itemId: string
  itemName: string
  departmentName: string
  updatedAt: string
}

/** The person's drafts (or the acting enterprise's), most recently saved first. */
export async function listMyDrafts(deps: Deps, principal: Principal): Promise<DraftRow[]> {
  if (!principal.personId) return []
  let query = listQuery(deps.db).where('applications.state', '=', 'draft')
  query = principal.enterpriseId
    ? query.where('applications.applicantEnterpriseId', '=', principal.enterpriseId)
    : query
        .where('applications.applicantPersonId', '=', principal.personId)
        .where('applications.applicantEnterpriseId', 'is', null)
  const rows = await withDepartmentNames(
    deps.db,
    await query.orderBy('applications.updatedAt', 'desc').limit(100).execute(),
  )
  return rows.map((r) => ({
    id: r.id,
    itemId: r.itemId,
    itemName: r.itemName,
    departmentName: r.departmentName,
    updatedAt: r.updatedAt,
  }))
}

/** Whose e-licenses an application of this principal may use: the acting enterprise's, else their own. */
export function licenseHolderOf(principal: Principal): { personId: string } | { enterpriseId: string } | undefined {
  if (principal.enterpriseId) return { enterpriseId: principal.enterpriseId }
  return principal.personId ? { personId: principal.personId } : undefined
}

/** The valid e-licenses the applicant (or the enterprise they act for) holds, from the license library. */
export async function heldLicensesFor(deps: Deps, principal: Principal): Promise<HeldLicenseData[]> {
  const holder = licenseHolderOf(principal)
  return holder ? heldLicenses(deps, holder) : []
}

/**
 * What the person's form may be prefilled from (applications.forms.ts prefillFormData): their
 * real-name record, when acting for one the enterprise's, and the e-licenses they (or it) hold —
 * each value prefilled from a license names it. Only ever for the person themself, so the full
 * ID number and phone are decrypted here.
 */
export async function prefillContextFor(deps: Deps, principal: Principal): Promise<PrefillContext> {
  const [profile, held] = await Promise.all([
    prefillProfile(deps, principal.personId, principal.enterpriseId),
    heldLicensesFor(deps, principal),
  ])
  return {
    ...profile,
    licenses: held.map((l) => ({
      licenseType: l.typeCode,
      licenseId: l.licenseId,
      name: l.typeName,
      fields: l.fields,
    })),
  }
}

/**
 * One material file of an application or draft, for its applicant (or staff of the owning
 * department): the row when the caller may see it.
 * @throws APPLICATION_NOT_FOUND (also for someone else's application or an unknown material)
 */
export async function materialForDownload(deps: Deps, principal: Principal, applicationId: string, materialId: string) {
  const app = await getApplication(deps.db, applicationId)
  const allowed = principal.staffId
    ? principal.departmentId === app.departmentId && app.state !== 'draft'
    : isApplicantOf(principal, app)
  if (!allowed) throw applicationNotFound()
  const row = await deps.db
    .selectFrom('applicationMaterials')
    .selectAll()
    .where('id', '=', materialId)
    .where('applicationId', '=', app.id)
    .where('kind', '=', 'file')
    .executeTakeFirst()
  if (!row?.fileSha256) throw applicationNotFound()
  return row
}

/** The resident a counter filing is for, as the counter shows them: name and ID number masked. */
export async function counterPerson(
  deps: Deps,
  personId: string,
): Promise<{ id: string; nameMasked: string; idNumberMasked: string; assuranceLevel: number } | undefined> {
  const person = await personSummary(deps.db, personId)
  if (!person) return undefined
  return {
    id: person.id,
    nameMasked: maskName(person.name),
    idNumberMasked: person.idNumberMasked,
    assuranceLevel: person.assuranceLevel,
  }
}

// ---------------------------------------------------------------------------------------------
// Supervision (效能监管, modules/supervision): what the warning sweep watches, the state of what it
// warned about, a read-only case view, and the facts its statistics are computed from. The
// statistics aggregate in SQL (a year of the district is about a million applications); only the
// counting rules live here — rates, percentiles and scores are the supervision module's.

/** A period of Asia/Shanghai days, both ends included, with optional filters. */
export interface SupervisionFilter {
  from: string
  to: string
  departmentId?: string
  itemId?: string
  /** A service point id, or `none` for applications filed at none (online). */
  servicePointId?: string
  channel?: string
}

/** The dimension statistics are grouped by. */
export type SupervisionDimension = 'all' | 'department' | 'item' | 'servicePoint' | 'channel'

/**
 * What the facts are grouped by: a dimension, or `cell` — department, item, service point and
 * channel together (the grain of the supervision module's daily summary), keyed as
 * `department|item|servicePoint|channel` with an empty service point for none (`cellOf` splits it).
 */
export type SupervisionGrouping = SupervisionDimension | 'cell'

export interface SupervisionCell {
  departmentId: string
  itemId: string
  /** Empty when filed at no service point (online). */
  servicePointId: string
  channel: string
}

/** The parts of a `cell` key. */
export function cellOf(key: string): SupervisionCell {
  const [departmentId = '', itemId = '', servicePointId = '', channel = ''] = key.split('|')
  return { departmentId, itemId, servicePointId, channel }
}

/** The instants of a period of Asia/Shanghai days: [start, end). */
export function periodInstants(from: string, to: string): { start: string; end: string } {
  return {
    start: new Date(`${from}T00:00:00+08:00`).toISOString(),
    end: new Date(`${addCalendarDays(to, 1)}T00:00:00+08:00`).toISOString(),
  }
}

/** The Asia/Shanghai day of an instant column (the dialects differ only here). */
function shanghaiDay(db: DbOrTrx, instant: RawBuilder<unknown>) {
  return dialectOf(db) === 'postgres'
    ? sql`((${instant}) at time zone 'Asia/Shanghai')::date`
    : sql`date(${instant}, '+8 hours')`
}

function dimensionKey(by: SupervisionGrouping) {
  switch (by) {
    case 'cell':
      return sql`a.department_id || '|' || a.item_id || '|' || coalesce(a.service_point_id, '') || '|' || a.channel`
    // `|| ''`: an expression, not the bare column, so that SQLite's planner does not read the whole
    // table along an index on the grouping column (to skip a sort) instead of the period's indexes.
    // A null stays null.
    case 'department':
      return sql`a.department_id || ''`
    case 'item':
      return sql`a.item_id || ''`
    case 'servicePoint':
      return sql`a.service_point_id || ''`
    case 'channel':
      return sql`a.channel || ''`
    default:
      return sql`'all'`
  }
}

function filterSql(filter: SupervisionFilter) {
  const parts = [sql`a.state <> 'draft'`]
  if (filter.departmentId) parts.push(sql`a.department_id = ${filter.departmentId}`)
  if (filter.itemId) parts.push(sql`a.item_id = ${filter.itemId}`)
  if (filter.servicePointId === 'none') parts.push(sql`a.service_point_id is null`)
  else if (filter.servicePointId) parts.push(sql`a.service_point_id = ${filter.servicePointId}`)
  if (filter.channel) parts.push(sql`a.channel = ${filter.channel}`)
  return sql.join(parts, sql` and `)
}

/** When a completed case was concluded: delivered, or (refused, then closed) decided. */
const COMPLETION = sql`coalesce(a.completed_at, a.decided_at)`

/**
 * Completed in [start, end): the conclusion instant in the period, with the two indexed instants
 * it comes from tested first, so that a short period reads only its own cases.
 */
function completedIn(start: string, end: string) {
  return sql`(a.completed_at >= ${start} and a.completed_at < ${end} or a.decided_at >= ${start} and a.decided_at < ${end})
    and a.state = 'completed' and ${COMPLETION} >= ${start} and ${COMPLETION} < ${end}`
}

export interface ApplicationCountsRow {
  /** The dimension's value: department, item or service point id, channel, or 'all'; null: none. */
  key: string | null
  /** The item's name (dimension item). */
  label: string | null
  /** 收件: submitted in the period. */
  received: number
  /** 受理 (including 视为受理): accepted on a day of the period. */
  accepted: number
  deemedAccepted: number
  /** 不予受理: rejected in the period. */
  notAccepted: number
  /** 不予许可: decided so in the period. */
  refused: number
  /** 撤回 in the period. */
  withdrawn: number
  /** 办结: completed (delivered, or refused and closed) in the period. */
  completed: number
  /** … of which approved. */
  approved: number
  /** … of which 网上全流程办理. */
  onlineFull: number
  /** … of which concluded after the legal due day (超期办结). */
  overdueCompleted: number
  /** … of which concluded after the promised due day (超承诺时限). */
  promisedOverdueCompleted: number
  /** Accepted by the end of the period and still open (accepted, in process, approved). */
  open: number
  /** … of which past the legal due day on `asOf` (clock running). */
  openPastDue: number
  /** Received in the period with at least one correction notice (补正). */
  corrected: number
}

/**
 * The ids of the cases received in [start, end) that were asked for a correction (补正), found
 * from whichever side is smaller (the answer is the same). A period that began lately (today, the
 * last days, a year to today): from the correction requests since it began, each to its case —
 * a day of 15,000 cases read the other way took 95–230 ms, this way 7–13 ms. A short period long
 * ago (a past day the statistics summary rebuilds): from its cases, each to its events — the
 * requests since a day in March are a hundred thousand at 1M applications, 0.6 s with the pages
 * cached and 5 s without, against 30–50 ms (docs/performance.md, finding 25). The period's own
 * cases are read first once it began more than ten times its length ago (at a day's ~410
 * requests to ~2,700 cases of ~5 events each at 1M, the two cost the same at about ten days).
 * CROSS JOIN keeps the chosen order on SQLite; PostgreSQL plans either as an inner join.
 */
function correctedCases(start: string, end: string, now: Date): RawBuilder<unknown> {
  const length = Date.parse(end) - Date.parse(start)
  const age = now.getTime() - Date.parse(start)
  if (age > 10 * length) {
    return sql`select distinct e.application_id from applications r
      cross join application_events e
      where r.submitted_at >= ${start} and r.submitted_at < ${end}
        and e.application_id = r.id and e.event = 'request_correction'`
  }
  return sql`select distinct e.application_id from application_events e
      cross join applications r
      where r.id = e.application_id and r.submitted_at >= ${start} and r.submitted_at < ${end}
        and e.event = 'request_correction' and e.at >= ${start}`
}

/**
 * The counts of the statistics per value of a dimension, in one pass over the applications (plus
 * the reject and correction events as sets). Computed from the records — states, dates and
 * events — never from counters. `asOf` is the day on which open cases are judged past due
 * (the end of the period, or today when earlier).
 *
 * `parts`: `events` counts only what happened on the days of the period (everything but `open`
 * and `openPastDue`, which are the state of the cases on `asOf`; a sum over days of these is the
 * figure of the days together, which the daily summary relies on), `open` only those two, `all`
 * both. Every row the `events` part reads is found through an index on one of the period's
 * instants (submitted, accepted, decided, completed, withdrawn, rejected), so a day costs the
 * day's cases, not the table.
 */
export async function applicationCounts(
  db: DbOrTrx,
  filter: SupervisionFilter,
  by: SupervisionGrouping,
  asOf: string,
  parts: 'all' | 'events' | 'open' = 'all',
  /** The present: how old the period is chooses how its corrected cases are found (not what). */
  now: Date = new Date(),
): Promise<ApplicationCountsRow[]> {
  const { start, end } = periodInstants(filter.from, filter.to)
  const key = dimensionKey(by)
  const done = sql`a.state = 'completed' and ${COMPLETION} >= ${start} and ${COMPLETION} < ${end}`
  const doneDay = shanghaiDay(db, COMPLETION)
  const received = sql`a.submitted_at >= ${start} and a.submitted_at < ${end}`
  // Literally the condition of the partial index of the open cases (migration 0025): SQLite uses
  // a partial index only for a query that repeats its condition.
  const open = sql`a.state in ('accepted', 'in_process', 'approved') and a.accepted_on <= ${filter.to}`
  const events = parts !== 'open'
  const rejected = sql`select e.application_id from application_events e
      where e.event = 'reject' and e.at >= ${start} and e.at < ${end}`
  // The cases something happened to in the period, as one set of ids from an index per instant
  // (a union: PostgreSQL cannot combine an OR of indexes with an IN (subquery) and would scan).
  const inPeriod = sql`a.id in (
      select x.id from applications x where x.submitted_at >= ${start} and x.submitted_at < ${end}
      union select x.id from applications x where x.accepted_on >= ${filter.from} and x.accepted_on <= ${filter.to}
      union select x.id from applications x where x.decided_at >= ${start} and x.decided_at < ${end}
      union select x.id from applications x where x.completed_at >= ${start} and x.completed_at < ${end}
      union select x.id from applications x where x.withdrawn_at >= ${start} and x.withdrawn_at < ${end}
      union ${rejected})`
  const rows = parts === 'all' ? sql`(${inPeriod} or ${open})` : parts === 'events' ? inPeriod : open
  // Each count is a sum of a condition; the part left out reads 0.
  const count = (counted: boolean, condition: RawBuilder<unknown>) =>
    counted ? sql`sum(case when ${condition} then 1 else 0 end)` : sql`0`
  const acceptedIn = sql`a.accepted_on >= ${filter.from} and a.accepted_on <= ${filter.to}`
  const result = await sql<Record<string, number | string | null>>`
    select ${key} as k, max(a.item_name) as label,
      ${count(events, received)} as received,
      ${count(events, acceptedIn)} as accepted,
      ${count(events, sql`${acceptedIn} and a.deemed_accepted = 1`)} as deemed,
      ${count(events, sql`a.state = 'not_accepted' and rj.application_id is not null`)} as not_accepted,
      ${count(events, sql`a.decision = 'refused' and a.decided_at >= ${start} and a.decided_at < ${end}`)} as refused,
      ${count(events, sql`a.withdrawn_at >= ${start} and a.withdrawn_at < ${end}`)} as withdrawn,
      ${count(events, done)} as completed,
      ${count(events, sql`${done} and a.decision = 'approved'`)} as approved,
      ${count(events, sql`${done} and a.online_full = 1`)} as online_full,
      ${count(events, sql`${done} and a.due_on is not null and ${doneDay} > a.due_on`)} as overdue,
      ${count(events, sql`${done} and a.promised_due_on is not null and ${doneDay} > a.promised_due_on`)} as promised_overdue,
      ${count(parts !== 'events', open)} as open,
      ${count(parts !== 'events', sql`${open} and a.paused = 0 and a.due_on < ${asOf}`)} as open_past_due,
      ${count(events, sql`${received} and rc.application_id is not null`)} as corrected
    from applications a
    -- The events as joined sets, not IN (subquery) per row: PostgreSQL runs an IN inside CASE as a
    -- subplan, hashed only while it fits work_mem — at a million cases it scanned the set per row.
    ${
      events
        ? sql`left join (select distinct e.application_id from application_events e
      where e.event = 'reject' and e.at >= ${start} and e.at < ${end}) rj on rj.application_id = a.id
    -- Corrected: received in the period with a correction request since (see correctedCases).
    left join (${correctedCases(start, end, now)}) rc on rc.application_id = a.id`
        : sql``
    }
    where ${filterSql(filter)} and ${rows}
    group by 1`.execute(db)
  const n = (v: unknown) => Number(v ?? 0)
  return result.rows.map((r) => ({
    key: r.k === null || r.k === undefined ? null : String(r.k),
    label: r.label === null || r.label === undefined ? null : String(r.label),
    received: n(r.received),
    accepted: n(r.accepted),
    deemedAccepted: n(r.deemed),
    notAccepted: n(r.notAccepted),
    refused: n(r.refused),
    withdrawn: n(r.withdrawn),
    completed: n(r.completed),
    approved: n(r.approved),
    onlineFull: n(r.onlineFull),
    overdueCompleted: n(r.overdue),
    promisedOverdueCompleted: n(r.promisedOverdue),
    open: n(r.open),
    openPastDue: n(r.openPastDue),
    corrected: n(r.corrected),
  }))
}

export interface DailyCountsRow {
  day: string
  received: number
  completed: number
}

/** Received and completed per Asia/Shanghai day of the period (for the weekly trend). */
export async function applicationDailyCounts(db: DbOrTrx, filter: SupervisionFilter): Promise<DailyCountsRow[]> {
  const { start, end } = periodInstants(filter.from, filter.to)
  const text = (day: RawBuilder<unknown>) => (dialectOf(db) === 'postgres' ? sql`to_char(${day}, 'YYYY-MM-DD')` : day)
  const receivedDay = text(shanghaiDay(db, sql`a.submitted_at`))
  const doneDay = text(shanghaiDay(db, COMPLETION))
  const [received, completed] = await Promise.all([
    sql<{ d: string; n: number }>`
      select ${receivedDay} as d, count(*) as n from applications a
      where ${filterSql(filter)} and a.submitted_at >= ${start} and a.submitted_at < ${end}
      group by 1`.execute(db),
    sql<{ d: string; n: number }>`
      select ${doneDay} as d, count(*) as n from applications a
      where ${filterSql(filter)} and ${completedIn(start, end)}
      group by 1`.execute(db),
  ])
  const byDay = new Map<string, DailyCountsRow>()
  const row = (day: string) => {
    let r = byDay.get(day)
    if (!r) {
      r = { day, received: 0, completed: 0 }
      byDay.set(day, r)
    }
    return r
  }
  for (const r of received.rows) row(String(r.d)).received = Number(r.n)
  for (const r of completed.rows) row(String(r.d)).completed = Number(r.n)
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1))
}

export interface DurationBucket {
  key: string | null
  /** The unit of the promised limit: 工作日 or 自然日. */
  unit: string
  promisedDays: number
  /** Days used of the promised clock, from acceptance to completion, pauses taken out. */
  used: number
  count: number
}

/**
 * How long the cases completed in the period took, against their promised limit: the days the
 * promised clock had used at completion (`daysUsed` of the clock: from the day after acceptance,
 * pauses taken out; past the due day the budget plus the days overdue), as a histogram per value
 * of the dimension, so averages and percentiles come out exact without a million rows.
 *
 * Cases without pauses are counted in SQL over a table of working-day ordinals built from the
 * calendar (the same rules as the clock, using the stored promised due day the service keeps in
 * step); the few with pauses are counted by the clock functions themselves.
 */
export async function applicationDurations(
  db: DbOrTrx,
  cal: WorkingCalendar,
  filter: SupervisionFilter,
  by: SupervisionGrouping,
): Promise<DurationBucket[]> {
  const { start, end } = periodInstants(filter.from, filter.to)
  const key = dimensionKey(by)
  const done = sql`a.accepted_at is not null and ${completedIn(start, end)}`
  // Working-day ordinals from the first submission (nothing is accepted earlier) to the period's end.
  const first = await sql<{ m: string | null }>`select min(a.submitted_at) as m from applications a`.execute(db)
  const firstAt = first.rows[0]?.m
  const buckets = new Map<string, DurationBucket>()
  const add = (b: Omit<DurationBucket, 'count'>, count: number) => {
    const id = JSON.stringify([b.key, b.unit, b.promisedDays, b.used])
    const found = buckets.get(id)
    if (found) found.count += count
    else buckets.set(id, { ...b, count })
  }
  if (firstAt) {
    const firstDay = addCalendarDays(todayInShanghai(new Date(firstAt)), -1)
    const lastDay = filter.to
    const days: string[] = []
    const ords: number[] = []
    const epochs: number[] = []
    let ord = 0
    for (let day = firstDay; day <= lastDay; day = addCalendarDays(day, 1)) {
      if (isWorkingDay(cal, day)) ord++
      days.push(day)
      ords.push(ord)
      epochs.push(Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000))
    }
    const pg = dialectOf(db) === 'postgres'
    const calTable = pg
      ? sql`select * from unnest(cast(${days} as date[]), cast(${ords} as integer[]), cast(${epochs} as integer[]))
          as c(day, ord, n)`
      : sql`select json_extract(value, '$[0]') as day, json_extract(value, '$[1]') as ord,
          json_extract(value, '$[2]') as n from json_each(${JSON.stringify(days.map((d, i) => [d, ords[i], epochs[i]]))})`
    const triggerDay = shanghaiDay(db, sql`a.accepted_at`)
    const doneDay = shanghaiDay(db, COMPLETION)
    const natural = sql`a.promised_unit = '自然日'`
    const units = (from: string, to: string) =>
      sql`(case when ${natural} then ${sql.raw(to)}.n - ${sql.raw(from)}.n else ${sql.raw(to)}.ord - ${sql.raw(from)}.ord end)`
    // The clock (applications.clock.ts evaluate): in time, min(budget, units from the trigger);
    // overdue, the budget plus the units after the due day.
    // The due day is looked up only when overdue, and then it lies before the completion day,
    // inside the table; clamping it to the table's last day keeps the join an inner one (an
    // indexed lookup on SQLite, where a left join on the CTE scans it for every row).
    const used = sql`case when ${doneDay} <= a.promised_due_on
        then case when ${units('ct', 'cc')} > a.promised_days then a.promised_days else ${units('ct', 'cc')} end
        else a.promised_days + ${units('cd', 'cc')} end`
    const result = await sql<{ k: string | null; unit: string; promised: number; used: number; cnt: number }>`
      with cal as materialized (${calTable})
      select ${key} as k, a.promised_unit as unit, a.promised_days as promised, ${used} as used, count(*) as cnt
      from applications a
      join cal ct on ct.day = ${triggerDay}
      join cal cc on cc.day = ${doneDay}
      join cal cd on cd.day = ${pg ? sql`least(a.promised_due_on, cast(${lastDay} as date))` : sql`min(a.promised_due_on, ${lastDay})`}
      where ${filterSql(filter)} and ${done} and a.promised_due_on is not null
        and a.id not in (select p.application_id from application_pauses p)
      group by 1, 2, 3, 4`.execute(db)
    for (const r of result.rows) {
      add(
        {
          key: r.k === null ? null : String(r.k),
          unit: r.unit,
          promisedDays: Number(r.promised),
          used: Number(r.used),
        },
        Number(r.cnt),
      )
    }
  }
  // The rest — cases with pauses, or without a stored due day — by the clock itself.
  const rest = await sql<
    Pick<
      ApplicationTable,
      'id' | 'acceptedAt' | 'legalUnit' | 'legalDays' | 'promisedUnit' | 'promisedDays' | 'extensionDays'
    > & { k: string | null; doneAt: string }
  >`
    select ${key} as k, a.id, a.accepted_at, a.legal_unit, a.legal_days, a.promised_unit, a.promised_days,
      a.extension_days, ${COMPLETION} as done_at
    from applications a
    where ${filterSql(filter)} and ${done}
      and (a.promised_due_on is null or a.id in (select p.application_id from application_pauses p))`.execute(db)
  for (let i = 0; i < rest.rows.length; i += 500) {
    const chunk = rest.rows.slice(i, i + 500)
    const pauses = await db
      .selectFrom('applicationPauses')
      .select(['applicationId', 'fromAt', 'toAt', 'reason'])
      .where(
        'applicationId',
        'in',
        chunk.map((r) => r.id),
      )
      .orderBy('fromAt')
      .execute()
    for (const r of chunk) {
      const own = pauses.filter((p) => p.applicationId === r.id)
      const spec = clockSpecOf(r, own, 'promised')
      add(
        {
          key: r.k === null ? null : String(r.k),
          unit: r.promisedUnit,
          promisedDays: r.promisedDays,
          used: daysUsed(cal, spec, new Date(r.doneAt)),
        },
        1,
      )
    }
  }
  return [...buckets.values()]
}

export interface CorrectionMaterialCount {
  itemId: string
  itemName: string
  materialCode: string
  materialName: string
  /** How many correction notices of the period named it. */
  count: number
}

/** Correction-notice problems of target `material`, counted per group and material (unnamed). */
export interface CorrectionMaterialRow {
  /** The grouping's key (the item id, or a `cell` key). */
  key: string
  itemId: string
  /** The newest version of the item the notices were issued under (for the material's name). */
  itemVersionId: string
  itemName: string
  materialCode: string
  count: number
}

async function correctionMaterialRows(
  db: DbOrTrx,
  filter: SupervisionFilter,
  by: 'item' | 'cell',
  limit?: number,
): Promise<CorrectionMaterialRow[]> {
  const { start, end } = periodInstants(filter.from, filter.to)
  const pg = dialectOf(db) === 'postgres'
  const problems = pg
    ? sql`cross join lateral jsonb_array_elements(case when jsonb_typeof(nt.content -> 'problems') = 'array'
        then nt.content -> 'problems' else '[]'::jsonb end) as p(value)`
    : sql`cross join json_each(nt.content, '$.problems') as p`
  const target = pg ? sql`p.value ->> 'target'` : sql`json_extract(p.value, '$.target')`
  const code = pg ? sql`p.value ->> 'key'` : sql`json_extract(p.value, '$.key')`
  const key = dimensionKey(by)
  const result = await sql<{
    k: string
    item: string
    version: string
    name: string | null
    code: string
    cnt: number
  }>`
    select ${key} as k, max(a.item_id) as item, max(a.item_version_id) as version, max(a.item_name) as name,
      ${code} as code, count(*) as cnt
    from notices nt
    join applications a on a.id = nt.application_id
    ${problems}
    where nt.kind = 'correction' and nt.issued_at >= ${start} and nt.issued_at < ${end}
      and ${filterSql(filter)} and ${target} = 'material'
    group by 1, ${code}
    order by cnt desc, k, code
    ${limit === undefined ? sql`` : sql`limit ${limit}`}`.execute(db)
  return result.rows.map((r) => ({
    key: String(r.k),
    itemId: r.item,
    itemVersionId: r.version,
    itemName: r.name ?? '',
    materialCode: r.code,
    count: Number(r.cnt),
  }))
}

export interface CorrectionMaterialCount {
  itemId: string
  itemName: string
  materialCode: string
  materialName: string
  /** How many correction notices of the period named it. */
  count: number
}

/**
 * The materials most often named in the correction notices (补正材料通知书) issued in the period:
 * the notices' problems of target `material`, counted per item and material.
 */
export async function correctionMaterialCounts(
  db: DbOrTrx,
  filter: SupervisionFilter,
  limit = 10,
): Promise<CorrectionMaterialCount[]> {
  return nameCorrectionMaterials(db, await correctionMaterialRows(db, filter, 'item', limit))
}

/** The same counts per `cell` and material, every one (for the daily summary). */
export function correctionMaterialCells(db: DbOrTrx, filter: SupervisionFilter): Promise<CorrectionMaterialRow[]> {
  return correctionMaterialRows(db, filter, 'cell')
}

/** Counted materials with their names, from the item version the notices were issued under. */
export async function nameCorrectionMaterials(
  db: DbOrTrx,
  rows: readonly Omit<CorrectionMaterialRow, 'key'>[],
): Promise<CorrectionMaterialCount[]> {
  const out: CorrectionMaterialCount[] = []
  const versions = new Map<string, ItemElements | undefined>()
  for (const r of rows) {
    if (!versions.has(r.itemVersionId)) {
      const version = await getVersion(db, r.itemVersionId).catch(() => undefined)
      versions.set(r.itemVersionId, version ? (JSON.parse(version.elements) as ItemElements) : undefined)
    }
    const material = versions.get(r.itemVersionId)?.materials.find((m) => m.materialCode === r.materialCode)
    out.push({
      itemId: r.itemId,
      itemName: r.itemName,
      materialCode: r.materialCode,
      materialName: material?.materialName ?? r.materialCode,
      count: r.count,
    })
  }
  return out
}

/**
 * The days whose statistics the applications changed since an instant may have altered: for
 * every application updated since then (every change of an application moves `updated_at`), the
 * Asia/Shanghai days of its submission, acceptance, decision, withdrawal, completion and of the
 * change itself (a rejection or a correction notice counts on the day it happened). Sorted.
 */
export async function applicationDaysChangedSince(db: DbOrTrx, since: string): Promise<string[]> {
  const day = (instant: RawBuilder<unknown>) => {
    const d = shanghaiDay(db, instant)
    return dialectOf(db) === 'postgres' ? sql`to_char(${d}, 'YYYY-MM-DD')` : d
  }
  const onText = (column: RawBuilder<unknown>) =>
    dialectOf(db) === 'postgres' ? sql`to_char(${column}, 'YYYY-MM-DD')` : column
  const result = await sql<{ d: string | null }>`
    with changed as (select * from applications a where a.updated_at >= ${since} and a.state <> 'draft')
    select ${day(sql`a.submitted_at`)} as d from changed a
    union select ${onText(sql`a.accepted_on`)} from changed a
    union select ${day(sql`a.decided_at`)} from changed a
    union select ${day(sql`a.withdrawn_at`)} from changed a
    union select ${day(sql`a.completed_at`)} from changed a
    union select ${day(sql`a.updated_at`)} from changed a`.execute(db)
  return result.rows
    .map((r) => r.d)
    .filter((d): d is string => typeof d === 'string' && d.length === 10)
    .sort()
}

/** The Asia/Shanghai day of the first submission, if any. */
export async function firstSubmissionDay(db: DbOrTrx): Promise<string | undefined> {
  const first = await sql<{ m: string | null }>`
    select min(a.submitted_at) as m from applications a where a.submitted_at is not null`.execute(db)
  const at = first.rows[0]?.m
  return at ? todayInShanghai(new Date(at)) : undefined
}

export interface ApplicationDimensions {
  id: string
  departmentId: string
  itemId: string
  servicePointId: string | null
  channel: string
}

/** The dimensions of applications by id (to group facts of other modules, e.g. ratings). */
export async function applicationDimensions(db: DbOrTrx, ids: string[]): Promise<Map<string, ApplicationDimensions>> {
  const out = new Map<string, ApplicationDimensions>()
  const unique = [...new Set(ids)]
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('applications')
      .select(['id', 'departmentId', 'itemId', 'servicePointId', 'channel'])
      .where('id', 'in', unique.slice(i, i + 500))
      .execute()
    for (const r of rows) out.set(r.id, r)
  }
  return out
}

// ----- the warning sweep ------------------------------------------------------------------------

export interface WatchedApplication {
  applicationId: string
  applicationNo: string | null
  itemId: string
  itemName: string
  departmentId: string
  state: ApplicationState
  receivedOn: string | null
  dueOn: string | null
  promisedDueOn: string | null
}

const watchedColumns = [
  'applications.id as applicationId',
  'applications.applicationNo',
  'applications.itemId',
  'applications.itemName',
  'applications.departmentId',
  'applications.state',
  'applications.receivedOn',
  'applications.dueOn',
  'applications.promisedDueOn',
] as const

const watched = <T extends { itemName: string | null }>(rows: T[]) =>
  rows.map((r) => ({ ...r, itemName: r.itemName ?? '' }))

/**
 * Open cases whose clock runs (accepted or in process, not paused) and whose legal or promised
 * due day is on or before `dueBy`, in id order from after `afterId`.
 */
export async function listOpenDeadlines(
  db: DbOrTrx,
  options: { dueBy: string; afterId?: string; limit: number },
): Promise<WatchedApplication[]> {
  const rows = await db
    .selectFrom('applications')
    .select(watchedColumns)
    .where('applications.state', 'in', ['accepted', 'in_process'])
    .where('applications.paused', '=', 0)
    .where((eb) =>
      eb.or([eb('applications.dueOn', '<=', options.dueBy), eb('applications.promisedDueOn', '<=', options.dueBy)]),
    )
    .$if(Boolean(options.afterId), (q) => q.where('applications.id', '>', options.afterId!))
    .orderBy('applications.id')
    .limit(options.limit)
    .execute()
  return watched(rows)
}

/** Submissions waiting for pre-review (行政许可法 §32) received on or before `receivedBy`. */
export async function listPendingPreReviews(
  db: DbOrTrx,
  options: { receivedBy: string; afterId?: string; limit: number },
): Promise<WatchedApplication[]> {
  const rows = await db
    .selectFrom('applications')
    .select(watchedColumns)
    .where('applications.state', '=', 'submitted')
    .where('applications.receivedOn', '<=', options.receivedBy)
    .$if(Boolean(options.afterId), (q) => q.where('applications.id', '>', options.afterId!))
    .orderBy('applications.id')
    .limit(options.limit)
    .execute()
  return watched(rows)
}

export interface WatchedTask extends WatchedApplication {
  taskId: string
  taskName: string
  taskRole: string
  taskDepartmentId: string
  taskDueOn: string | null
}

/** Open tasks (待签收 / 已签收) of cases in process with a running clock, due on or before `dueBy`. */
export async function listOpenTaskDeadlines(
  db: DbOrTrx,
  options: { dueBy: string; afterId?: string; limit: number },
): Promise<WatchedTask[]> {
  const rows = await db
    .selectFrom('tasks')
    .innerJoin('applications', 'applications.id', 'tasks.applicationId')
    .select([
      ...watchedColumns,
      'tasks.id as taskId',
      'tasks.name as taskName',
      'tasks.role as taskRole',
      'tasks.departmentId as taskDepartmentId',
      'tasks.dueOn as taskDueOn',
    ])
    .where('tasks.state', 'in', ['open', 'claimed'])
    .where('tasks.dueOn', '<=', options.dueBy)
    .where('applications.state', '=', 'in_process')
    .where('applications.paused', '=', 0)
    .$if(Boolean(options.afterId), (q) => q.where('tasks.id', '>', options.afterId!))
    .orderBy('tasks.id')
    .limit(options.limit)
    .execute()
  return watched(rows)
}

export interface WatchedEvent extends WatchedApplication {
  eventId: string
  event: string
  reason: string | null
  noticeId: string | null
  at: string
}

/** Events of the given kinds since an instant, with their cases (e.g. deemed acceptances, refusals). */
export async function listCaseEventsSince(
  db: DbOrTrx,
  options: { events: string[]; since: string; afterId?: string; limit: number },
): Promise<WatchedEvent[]> {
  const rows = await db
    .selectFrom('applicationEvents')
    .innerJoin('applications', 'applications.id', 'applicationEvents.applicationId')
    .select([
      ...watchedColumns,
      'applicationEvents.id as eventId',
      'applicationEvents.event',
      'applicationEvents.reason',
      'applicationEvents.noticeId',
      'applicationEvents.at',
    ])
    .where('applicationEvents.event', 'in', options.events)
    .where('applicationEvents.at', '>=', options.since)
    .$if(Boolean(options.afterId), (q) => q.where('applicationEvents.id', '>', options.afterId!))
    .orderBy('applicationEvents.id')
    .limit(options.limit)
    .execute()
  return watched(rows)
}

export interface SubjectProgress {
  applications: Map<string, { state: ApplicationState; paused: boolean; decidedAt: string | null }>
  tasks: Map<string, { state: string; applicationState: ApplicationState }>
}

/** Where cases and tasks stand now (the sweep resolves the cards of those that finished). */
export async function subjectProgress(
  db: DbOrTrx,
  ids: { applicationIds: string[]; taskIds: string[] },
): Promise<SubjectProgress> {
  const out: SubjectProgress = { applications: new Map(), tasks: new Map() }
  const apps = [...new Set(ids.applicationIds)]
  for (let i = 0; i < apps.length; i += 500) {
    const rows = await db
      .selectFrom('applications')
      .select(['id', 'state', 'paused', 'decidedAt'])
      .where('id', 'in', apps.slice(i, i + 500))
      .execute()
    for (const r of rows) out.applications.set(r.id, { state: r.state, paused: r.paused === 1, decidedAt: r.decidedAt })
  }
  const tasks = [...new Set(ids.taskIds)]
  for (let i = 0; i < tasks.length; i += 500) {
    const rows = await db
      .selectFrom('tasks')
      .innerJoin('applications', 'applications.id', 'tasks.applicationId')
      .select(['tasks.id', 'tasks.state', 'applications.state as applicationState'])
      .where('tasks.id', 'in', tasks.slice(i, i + 500))
      .execute()
    for (const r of rows) out.tasks.set(r.id, { state: r.state, applicationState: r.applicationState })
  }
  return out
}

// ----- the supervisors' read-only views ----------------------------------------------------------

/**
 * A case as supervisors (督查人员) see it: what staff see, for any department, read-only (the
 * caller's route holds supervision.read). Drafts are nobody's business but the applicant's.
 * @throws APPLICATION_NOT_FOUND
 */
export async function supervisionCaseView(deps: Deps, applicationId: string) {
  const app = await getApplication(deps.db, applicationId)
  if (app.state === 'draft') throw applicationNotFound()
  const view = await describeCase(deps, app, { forStaff: true })
  return { ...view, applicant: { ...view.applicant, name: maskName(view.applicant.name) } }
}

export interface SupervisionCaseRow {
  id: string
  applicationNo: string | null
  itemId: string
  itemName: string
  state: ApplicationState
  stateName: string
  channel: string
  submittedAt: string | null
  dueOn: string | null
  promisedDueOn: string | null
  concludedAt: string | null
}

/** A department's cases received in a period (optionally of one item), newest first. */
export async function listSupervisionCases(
  db: DbOrTrx,
  filter: SupervisionFilter & { page: number; pageSize?: number },
): Promise<{ rows: SupervisionCaseRow[]; total: number }> {
  const { start, end } = periodInstants(filter.from, filter.to)
  const pageSize = filter.pageSize ?? 30
  let base = db
    .selectFrom('applications')
    .where('applications.state', '!=', 'draft')
    .where('applications.submittedAt', '>=', start)
    .where('applications.submittedAt', '<', end)
  if (filter.departmentId) base = base.where('applications.departmentId', '=', filter.departmentId)
  if (filter.itemId) base = base.where('applications.itemId', '=', filter.itemId)
  const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const rows = await base
    .select([
      'applications.id',
      'applications.applicationNo',
      'applications.itemId',
      'applications.itemName',
      'applications.state',
      'applications.channel',
      'applications.submittedAt',
      'applications.dueOn',
      'applications.promisedDueOn',
      'applications.completedAt',
      'applications.decidedAt',
      'applications.withdrawnAt',
    ])
    .orderBy('applications.submittedAt', 'desc')
    .orderBy('applications.id', 'desc')
    .limit(pageSize)
    .offset((Math.max(1, filter.page) - 1) * pageSize)
    .execute()
  return {
    total,
    rows: rows.map((r) => ({
      id: r.id,
      applicationNo: r.applicationNo,
      itemId: r.itemId,
      itemName: r.itemName ?? '',
      state: r.state,
      stateName: STATE_NAMES[r.state],
      channel: r.channel,
      submittedAt: r.submittedAt,
      dueOn: r.dueOn,
      promisedDueOn: r.promisedDueOn,
      concludedAt: r.completedAt ?? r.decidedAt ?? r.withdrawnAt,
    })),
  }
}
