/**
 * The read side: what applicants, the public and staff see. Writes stay in
 * applications.service.ts. Every list is backed by an index (see the migration).
 */
import { sql } from 'kysely'
import type { Principal } from '../../platform/auth/principal.js'
import { addWorkingDays, nextWorkingDay, todayInShanghai } from '../../platform/calendar/index.js'
import type { DbOrTrx } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { maskName } from '../../platform/validators/index.js'
import { getVersion, type ItemElements } from '../catalog/index.js'
import { applicationNotFound } from './applications.errors.js'
import { normaliseApplicationNo } from './applications.numbers.js'
import {
  findApplicationByNo,
  listAllMaterials,
  listCurrentMaterials,
  listEvents,
  listNotices,
  listTasks,
} from './applications.repository.js'
import { assertStaffOfDepartment, clockOf, getApplication, isApplicantOf } from './applications.service.js'
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
    .innerJoin('itemVersions', 'itemVersions.id', 'applications.itemVersionId')
    .innerJoin('departments', 'departments.id', 'applications.departmentId')
    .select([
      'applications.id',
      'applications.applicationNo',
      'applications.itemId',
      'itemVersions.taskName as itemName',
      'departments.name as departmentName',
      'applications.state',
      'applications.channel',
      'applications.submittedAt',
      'applications.updatedAt',
      'applications.dueOn',
      'applications.promisedDueOn',
    ])
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
  return { rows: withStateName(rows), total }
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
  if (principal.staffId) assertStaffOfDepartment(principal, app.departmentId)
  else if (!isApplicantOf(principal, app)) throw applicationNotFound()
  return describeCase(deps, app, { forStaff: Boolean(principal.staffId) })
}

export async function describeCase(deps: Deps, app: ApplicationTable, options: { forStaff: boolean }) {
  const db = deps.db
  const version = await getVersion(db, app.itemVersionId)
  const elements = JSON.parse(version.elements) as ItemElements
  const department = await db
    .selectFrom('departments')
    .select(['name', 'code'])
    .where('id', '=', app.departmentId)
    .executeTakeFirst()
  const events = await listEvents(db, app.id)
  const timeline: TimelineEntry[] = events.map((e) => ({
    at: e.at,
    event: e.event,
    label: EVENT_LABELS[e.event] ?? e.event,
    stateName: e.toState && e.toState !== e.fromState ? STATE_NAMES[e.toState as ApplicationState] : null,
    actor: actorLabel(e.actorType, e.actorRole, department?.name ?? ''),
    reason: e.reason,
    noticeId: e.noticeId,
  }))
  const person = await db
    .selectFrom('persons')
    .select(['name', 'idNumberMasked', 'mobileMasked'])
    .where('id', '=', app.applicantPersonId)
    .executeTakeFirst()
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
  const person = await deps.db
    .selectFrom('persons')
    .select(['name', 'mobileIndex'])
    .where('id', '=', app.applicantPersonId)
    .executeTakeFirst()
  const given = nameOrMobile.normalize('NFKC').replace(/\s/g, '')
  const mobileMatches = /^1\d{10}$/.test(given) && person?.mobileIndex === deps.fieldCrypto.blindIndex(given)
  if (!person || (person.name !== given && !mobileMatches)) throw notFound()
  const version = await getVersion(deps.db, app.itemVersionId)
  const department = await deps.db
    .selectFrom('departments')
    .select('name')
    .where('id', '=', app.departmentId)
    .executeTakeFirst()
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
      .where('applications.state', '=', 'submitted')
      .$if(Boolean(filters.itemId), (q) => q.where('applications.itemId', '=', filters.itemId!))
    const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    const rows = await base
      .innerJoin('itemVersions', 'itemVersions.id', 'applications.itemVersionId')
      .innerJoin('persons', 'persons.id', 'applications.applicantPersonId')
      .select([
        'applications.id',
        'applications.applicationNo',
        'itemVersions.taskName',
        'persons.name as applicantName',
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
          itemName: r.taskName,
          applicantName: r.applicantName,
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
  const roles = principal.roles.filter((r) => ['window_clerk', 'reviewer', 'approver'].includes(r))
  if (roles.length === 0) return { rows: [], total: 0 }
  let base = deps.db
    .selectFrom('tasks')
    .where('tasks.departmentId', '=', principal.departmentId)
    .where('tasks.role', 'in', roles)
    .where('tasks.state', 'in', ['open', 'claimed'])
  if (filters.mine) base = base.where('tasks.assigneeStaffId', '=', principal.staffId)
  if (filters.colour === 'red') base = base.where('tasks.dueOn', '<', today)
  if (filters.colour === 'yellow') base = base.where('tasks.dueOn', '>=', today).where('tasks.dueOn', '<=', tomorrow)
  if (filters.colour === 'green') base = base.where('tasks.dueOn', '>', tomorrow)
  const withApp = base.innerJoin('applications', 'applications.id', 'tasks.applicationId')
  const scoped = filters.itemId ? withApp.where('applications.itemId', '=', filters.itemId) : withApp
  const total = Number((await scoped.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const rows = await scoped
    .innerJoin('itemVersions', 'itemVersions.id', 'applications.itemVersionId')
    .innerJoin('persons', 'persons.id', 'applications.applicantPersonId')
    .select([
      'applications.id as applicationId',
      'applications.applicationNo',
      'itemVersions.taskName',
      'persons.name as applicantName',
      'applications.state',
      'applications.receivedOn',
      'applications.channel',
      'tasks.id as taskId',
      'tasks.name as taskName',
      'tasks.state as taskState',
      'tasks.assigneeStaffId',
      sql<string>`coalesce(${sql.ref('tasks.dueOn')}, ${sql.ref('applications.dueOn')})`.as('dueOn'),
    ])
    .orderBy('tasks.dueOn')
    .orderBy('tasks.id')
    .limit(pageSize)
    .offset(offset)
    .execute()
  return {
    total,
    rows: rows.map((r) => ({
      kind: 'task',
      applicationId: r.applicationId,
      applicationNo: r.applicationNo,
      itemName: r.taskName,
      applicantName: r.applicantName,
      state: r.state,
      stateName: STATE_NAMES[r.state],
      taskId: r.taskId,
      taskName: r.taskName,
      taskState: r.taskState,
      assigneeStaffId: r.assigneeStaffId,
      receivedOn: r.receivedOn,
      dueOn: r.dueOn,
      colour: deadlineColour(r.dueOn, today, tomorrow),
      channel: r.channel,
    })),
  }
}
