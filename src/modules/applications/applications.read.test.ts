import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal, sampleFormData, sampleMaterials, staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, type TestApp } from '../../../test/helpers.js'
import type { Principal } from '../../platform/auth/principal.js'
import { addCalendarDays, addWorkingDays, nextWorkingDay } from '../../platform/calendar/index.js'
import { documentTypes } from '../../platform/files/files.js'
import { runSeed } from '../../seed.js'
import { getVersion, type ItemElements } from '../catalog/index.js'
import { formFor } from './applications.forms.registry.js'
import { chosenItemName, inboxItemChoices as itemChoicesOf } from './applications.inbox-items.js'
import {
  deadlineColour,
  inbox,
  inboxCounts,
  listColleagues,
  preReviewColourBounds,
  workbenchCase,
  workbenchInbox,
} from './applications.read.js'
import { listEvents, listNotices, listTasks } from './applications.repository.js'
import {
  acceptApplication,
  claimTask,
  deemAcceptOverdue,
  getApplication,
  submitApplication,
} from './applications.service.js'

let t: TestApp
let citizen: Principal
let window01: Principal
let window02: Principal
let review01: Principal
let review02: Principal

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z') // Monday 09:00 in Shanghai
  await runSeed(t.modules, { print: false })
  citizen = await citizenPrincipal(t.db, '陈晓燕')
  window01 = await staffPrincipal(t.db, 'window01')
  window02 = await staffPrincipal(t.db, 'window02')
  review01 = await staffPrincipal(t.db, 'review01')
  review02 = await staffPrincipal(t.db, 'review02')
})
afterAll(async () => t.close())

let keys = 0
const key = () => `read-key-${Date.now()}-${++keys}`

async function itemNamed(name: string) {
  const row = await t.db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.id as versionId'])
    .where('itemVersions.taskName', '=', name)
    .executeTakeFirstOrThrow()
  const version = await getVersion(t.db, row.versionId)
  return { itemId: row.id, version, elements: JSON.parse(version.elements) as ItemElements }
}

async function applyOn(instant: string, name: string) {
  t.clock.set(instant)
  const { itemId, version, elements } = await itemNamed(name)
  return submitApplication(t.deps, citizen, {
    itemId,
    idempotencyKey: key(),
    formData: sampleFormData(formFor(version)),
    materials: await sampleMaterials(t.deps.files, elements, documentTypes),
  })
}

/** The item filter's choices of an inbox view. */
const inboxItemChoices = (p: Principal, view: 'pre_review' | 'tasks') => itemChoicesOf(t.deps, p, view)

describe('preReviewColourBounds', () => {
  it('gives the same colour as the §32 deadline of every receipt day, across holidays and make-up days', async () => {
    const cal = await t.deps.calendar.load()
    for (const today of ['2026-03-09', '2026-02-24', '2026-02-28', '2026-10-09', '2026-05-06', '2026-01-05']) {
      const tomorrow = nextWorkingDay(cal, today)
      const { redBefore, greenFrom } = preReviewColourBounds(cal, today, tomorrow)
      for (let day = addCalendarDays(today, -40); day <= today; day = addCalendarDays(day, 1)) {
        const expected = deadlineColour(addWorkingDays(cal, day, 5), today, tomorrow)
        const byBounds = day < redBefore ? 'red' : day < greenFrom ? 'yellow' : 'green'
        expect(byBounds, `received ${day}, today ${today}`).toBe(expected)
      }
    }
  })

  it('on Monday 2026-03-09: received by 03-01 is overdue, 03-02 and 03-03 are due now, from 03-04 in time', async () => {
    const cal = await t.deps.calendar.load()
    expect(preReviewColourBounds(cal, '2026-03-09', '2026-03-10')).toEqual({
      redBefore: '2026-03-02',
      greenFrom: '2026-03-04',
    })
  })
})

describe('inbox: pre-review', () => {
  it('lists the department’s submissions oldest first, coloured by the five-working-day limit, filtered by colour', async () => {
    const item = '食品小作坊登记'
    const a = await applyOn('2026-02-27T02:00:00.000Z', item) // due 03-05 (02-28 is a make-up working Saturday)
    const b = await applyOn('2026-03-02T02:00:00.000Z', item) // due 03-09
    const c = await applyOn('2026-03-04T02:00:00.000Z', item) // due 03-11
    const { itemId } = await itemNamed(item)
    t.clock.set('2026-03-09T02:00:00.000Z')
    const all = await workbenchInbox(t.deps, window01, { view: 'pre_review', itemId, page: 1 })
    expect(all.total).toBe(3)
    expect(all.rows.map((r) => [r.applicationNo, r.receivedOn, r.dueOn, r.colour])).toEqual([
      [a.applicationNo, '2026-02-27', '2026-03-05', 'red'],
      [b.applicationNo, '2026-03-02', '2026-03-09', 'yellow'],
      [c.applicationNo, '2026-03-04', '2026-03-11', 'green'],
    ])
    expect(all.rows[0]?.applicantName).toBe('陈晓燕')
    // the plain inbox gives the same rows in the same order
    expect((await inbox(t.deps, window01, { view: 'pre_review', itemId, page: 1 })).rows).toEqual(all.rows)
    for (const colour of ['red', 'yellow', 'green'] as const) {
      const only = await workbenchInbox(t.deps, window01, { view: 'pre_review', itemId, colour, page: 1 })
      expect(only.total).toBe(1)
      expect(only.rows.map((r) => r.colour)).toEqual([colour])
    }
    // pages of two
    const first = await workbenchInbox(t.deps, window01, { view: 'pre_review', itemId, page: 1, pageSize: 2 })
    const second = await workbenchInbox(t.deps, window01, { view: 'pre_review', itemId, page: 2, pageSize: 2 })
    expect([...first.rows, ...second.rows].map((r) => r.applicationId)).toEqual([a.id, b.id, c.id])
    expect(second.total).toBe(3)
    // another department sees none of them; nor does a citizen
    const other = await workbenchInbox(t.deps, window02, { view: 'pre_review', page: 1, pageSize: 100 })
    expect(other.rows.some((r) => [a.id, b.id, c.id].includes(r.applicationId))).toBe(false)
    expect((await workbenchInbox(t.deps, citizen, { view: 'pre_review', page: 1 })).total).toBe(0)
    expect((await inboxItemChoices(window01, 'pre_review')).map((i) => i.value)).toContain(itemId)
  })
})

describe('inbox: tasks', () => {
  it('lists the tasks of my department and roles by due day, most urgent first, with colours and filters', async () => {
    const item = '食品经营许可'
    const { itemId } = await itemNamed(item)
    const accepted: string[] = []
    for (const day of ['2026-03-02', '2026-03-04', '2026-03-06']) {
      const app = await applyOn(`${day}T01:00:00.000Z`, item)
      await acceptApplication(t.deps, window01, app.id)
      accepted.push(app.id)
    }
    const [a, b, c] = accepted as [string, string, string]
    // review_scj has a budget of 3 working days from acceptance: 03-05, 03-09, 03-11
    t.clock.set('2026-03-06T08:00:00.000Z') // Friday; the next working day is Monday 03-09
    const result = await inbox(t.deps, review01, { view: 'tasks', itemId, page: 1 })
    const ours = result.rows.filter((r) => accepted.includes(r.applicationId))
    expect(ours.map((r) => [r.applicationId, r.taskName, r.dueOn, r.colour])).toEqual([
      [a, '经营条件审查', '2026-03-05', 'red'],
      [b, '经营条件审查', '2026-03-09', 'yellow'],
      [c, '经营条件审查', '2026-03-11', 'green'],
    ])
    // the 事项 column names the item, the 环节 column the task
    expect(ours.map((r) => r.itemName)).toEqual([item, item, item])
    expect(result.total).toBe(
      (await inbox(t.deps, review01, { view: 'tasks', itemId, page: 1, pageSize: 100 })).rows.length,
    )
    // 并联: the other department's reviewers see their own branch of the same cases, and only that
    const wjj = await inbox(t.deps, review02, { view: 'tasks', itemId, page: 1 })
    expect(wjj.rows.filter((r) => accepted.includes(r.applicationId)).map((r) => r.taskName)).toEqual([
      '卫生条件审查',
      '卫生条件审查',
      '卫生条件审查',
    ])
    // the window has no review tasks; another department's window sees nothing of them
    expect(
      (await inbox(t.deps, window02, { view: 'tasks', page: 1 })).rows.some((r) => accepted.includes(r.applicationId)),
    ).toBe(false)

    expect(
      (await inbox(t.deps, review01, { view: 'tasks', itemId, colour: 'red', page: 1 })).rows.map(
        (r) => r.applicationId,
      ),
    ).toEqual([a])
    expect(
      (await workbenchInbox(t.deps, review01, { view: 'tasks', itemId, colour: 'yellow', page: 1 })).rows.map(
        (r) => r.applicationId,
      ),
    ).toEqual([b])

    // 只看我签收的
    const taskOfB = (await listTasks(t.db, b)).find((x) => x.taskKey === 'review_scj')!
    await claimTask(t.deps, review01, taskOfB.id)
    const mine = await inbox(t.deps, review01, { view: 'tasks', itemId, mine: true, page: 1 })
    expect(mine.rows.map((r) => [r.applicationId, r.taskState, r.assigneeStaffId])).toEqual([
      [b, 'claimed', review01.staffId],
    ])
    const counts = await inboxCounts(t.deps, review01)
    expect(counts.mine).toBe(1)
    expect(counts.tasks).toBeGreaterThanOrEqual(3)
    expect(counts.preReview).toBe(0) // reviewers do not pre-review
    expect((await inboxCounts(t.deps, window01)).preReview).toBeGreaterThan(0)
    t.clock.set('2026-03-02T01:00:00.000Z')
  })
})

describe('inbox: the item filter', () => {
  const PINYIN = new Intl.Collator('zh-Hans-CN-u-co-pinyin')
  /** The items of the rows, counted, named as in their latest application, in pinyin order. */
  const counted = (rows: { id: string; itemId: string; itemName: string | null }[]) => {
    const byItem = new Map<string, { value: string; label: string; count: number; latest: string }>()
    for (const r of rows) {
      const entry = byItem.get(r.itemId) ?? { value: r.itemId, label: '', count: 0, latest: '' }
      entry.count += 1
      if (r.id > entry.latest) Object.assign(entry, { label: r.itemName ?? '', latest: r.id })
      byItem.set(r.itemId, entry)
    }
    return [...byItem.values()]
      .map(({ latest: _, ...choice }) => choice)
      .sort((a, b) => PINYIN.compare(a.label, b.label) || (a.value < b.value ? -1 : 1))
  }
  /** Straight from the tables: the department's submissions, and the open tasks of the roles. */
  const submittedOf = async (p: Principal) =>
    counted(
      await t.db
        .selectFrom('applications')
        .select(['id', 'itemId', 'itemName'])
        .where('departmentId', '=', p.departmentId!)
        .where('state', '=', 'submitted')
        .execute(),
    )
  const openTasksOf = async (p: Principal) =>
    counted(
      await t.db
        .selectFrom('tasks')
        .innerJoin('applications', 'applications.id', 'tasks.applicationId')
        .select(['applications.id', 'applications.itemId', 'applications.itemName'])
        .where('tasks.departmentId', '=', p.departmentId!)
        .where('tasks.state', 'in', ['open', 'claimed'])
        .where('tasks.role', 'in', ['window_clerk', 'reviewer', 'approver'])
        .where('tasks.role', 'in', [...p.roles, 'none'])
        .execute(),
    )

  it('lists exactly the items with rows in the list, each with its count, in pinyin order', async () => {
    const workshop = await itemNamed('食品小作坊登记')
    const food = await itemNamed('食品经营许可')
    const before = (await inboxItemChoices(window01, 'pre_review')).find((i) => i.value === workshop.itemId)
    await applyOn('2026-03-02T01:00:00.000Z', '食品小作坊登记')
    await applyOn('2026-03-02T02:00:00.000Z', '食品小作坊登记')
    const accepted = await applyOn('2026-03-02T03:00:00.000Z', '食品经营许可')

    const pre = await inboxItemChoices(window01, 'pre_review')
    expect(pre).toEqual(await submittedOf(window01))
    expect(pre.find((i) => i.value === workshop.itemId)?.count).toBe((before?.count ?? 0) + 2)
    // jīng before xiǎo
    const labels = pre.map((i) => i.label)
    expect(labels.indexOf('食品经营许可')).toBeGreaterThanOrEqual(0)
    expect(labels.indexOf('食品经营许可')).toBeLessThan(labels.indexOf('食品小作坊登记'))
    // none of the department's items without submissions
    expect(labels).not.toContain('药品零售经营许可')
    // another department's window: only its own submissions
    expect(await inboxItemChoices(window02, 'pre_review')).toEqual(await submittedOf(window02))

    // accepted: the case leaves 待受理 and its tasks enter 待办理 — of 市场监管 and of 卫健 (并联审批:
    // an item of another department in 卫健's filter)
    const foodBefore = pre.find((i) => i.value === food.itemId)!.count
    await acceptApplication(t.deps, window01, accepted.id)
    expect((await inboxItemChoices(window01, 'pre_review')).find((i) => i.value === food.itemId)?.count).toBe(
      foodBefore - 1 || undefined,
    )
    for (const reviewer of [review01, review02]) {
      const tasks = await inboxItemChoices(reviewer, 'tasks')
      expect(tasks).toEqual(await openTasksOf(reviewer))
      expect(tasks.map((i) => i.value)).toContain(food.itemId)
    }
    expect(food.elements.taskName).toBe('食品经营许可')
    expect(review02.departmentId).not.toBe(window01.departmentId)
    // the window has no review tasks
    expect(await inboxItemChoices(window02, 'tasks')).toEqual(await openTasksOf(window02))
    // nobody's inbox: no choices
    expect(await inboxItemChoices(citizen, 'pre_review')).toEqual([])

    // the counts add up to the tabs' counts (a claimed task still counts)
    await claimTask(t.deps, review01, (await listTasks(t.db, accepted.id)).find((x) => x.taskKey === 'review_scj')!.id)
    for (const p of [window01, window02, review01, review02]) {
      const expected = await inboxCounts(t.deps, p)
      for (const view of ['pre_review', 'tasks'] as const) {
        const choices = await inboxItemChoices(p, view)
        expect(choices.reduce((sum, i) => sum + i.count, 0)).toBe(
          view === 'tasks' ? expected.tasks : expected.preReview,
        )
      }
    }
    expect((await inboxCounts(t.deps, review01)).mine).toBeGreaterThan(0)
    const list = await inbox(t.deps, review01, { view: 'tasks', page: 1, pageSize: 1000 })
    expect(list.total).toBe((await inboxCounts(t.deps, review01)).tasks)
    expect(list.rows).toHaveLength(list.total)
  })

  it('names an item renamed between its applications by the latest application', async () => {
    const { itemId } = await itemNamed('食品小作坊登记')
    const before = (await inboxItemChoices(window01, 'pre_review')).find((i) => i.value === itemId)!
    expect(before.label).toBe('食品小作坊登记')
    // a submission under a later version of the item, whose name changed meanwhile
    const renamed = await applyOn('2026-03-03T01:00:00.000Z', '食品小作坊登记')
    await t.db
      .updateTable('applications')
      .set({ itemName: '食品小作坊登记（更名）' })
      .where('id', '=', renamed.id)
      .execute()
    const after = (await inboxItemChoices(window01, 'pre_review')).filter((i) => i.value === itemId)
    expect(after).toEqual([{ value: itemId, label: '食品小作坊登记（更名）', count: before.count + 1 }])
    t.clock.set('2026-03-02T01:00:00.000Z')
  })

  it('names the chosen item as in the list, else as in the catalog, else neutrally', async () => {
    const { itemId } = await itemNamed('药品零售经营许可')
    expect(await chosenItemName(t.deps, itemId, ['药品零售经营许可（旧名）'])).toBe('药品零售经营许可（旧名）')
    expect(await chosenItemName(t.deps, itemId, [])).toBe('药品零售经营许可')
    expect(await chosenItemName(t.deps, '01900000-0000-7000-8000-000000000000', [])).toBe('所选事项')
  })
})

describe('the case for staff', () => {
  it('is open to the owning department and to a department with a task on it, to nobody else', async () => {
    const app = await applyOn('2026-03-02T01:00:00.000Z', '食品经营许可')
    await expect(workbenchCase(t.deps, review02, app.id)).rejects.toThrow('不属于您所在的部门')
    await acceptApplication(t.deps, window01, app.id)
    const forWjj = await workbenchCase(t.deps, review02, app.id)
    expect(forWjj.ownDepartment).toBe(false)
    expect(forWjj.stages.map((s) => s.name)).toEqual(['并联审查', '审批决定'])
    const forOwner = await workbenchCase(t.deps, window01, app.id)
    expect(forOwner.timelineActors[forOwner.timeline.findIndex((e) => e.event === 'accept')]).toBe(
      '潮州市潮安区市场监督管理局窗口受理人员 郑晓玲',
    )
    await expect(workbenchCase(t.deps, window02, app.id)).rejects.toThrow('不属于您所在的部门')
    await expect(workbenchCase(t.deps, citizen, app.id)).rejects.toThrow('不属于您所在的部门')
  })

  it('offers colleagues of the same department and role for 转办, never oneself', async () => {
    expect(await listColleagues(t.deps, review01, 'reviewer')).toEqual([])
    expect((await listColleagues(t.deps, window02, 'reviewer')).map((s) => s.name)).not.toContain('陈少芬')
  })
})

describe('the deemed-acceptance sweep (行政许可法 §32)', () => {
  it('run twice at once, as on two nodes, accepts each overdue case exactly once', async () => {
    const apps = []
    for (let i = 0; i < 4; i++) apps.push(await applyOn('2026-03-02T01:00:00.000Z', '食品经营许可'))
    t.clock.set('2026-03-10T01:00:00.000Z') // the sixth working day after receipt
    const counts = await Promise.all([deemAcceptOverdue(t.deps), deemAcceptOverdue(t.deps), deemAcceptOverdue(t.deps)])
    for (const app of apps) {
      const after = await getApplication(t.db, app.id)
      expect(after.state).toBe('in_process')
      expect(after.deemedAccepted).toBe(1)
      expect(after.acceptedOn).toBe('2026-03-02')
      const events = (await listEvents(t.db, app.id)).map((e) => e.event)
      expect(events.filter((e) => e === 'deem_accept')).toHaveLength(1)
      expect(events.filter((e) => e === 'stage_open')).toHaveLength(1)
      expect((await listNotices(t.db, app.id)).filter((n) => n.kind === 'accept')).toHaveLength(1)
      expect(await listTasks(t.db, app.id)).toHaveLength(2)
    }
    expect(counts.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(apps.length)
    // and once more changes nothing
    await deemAcceptOverdue(t.deps)
    for (const app of apps) expect(await listEvents(t.db, app.id)).toHaveLength(4)
    t.clock.set('2026-03-02T01:00:00.000Z')
  })

  it('racing a clerk who accepts at the same moment, the case is accepted once', async () => {
    const app = await applyOn('2026-03-02T01:00:00.000Z', '食品经营许可')
    t.clock.set('2026-03-10T01:00:00.000Z')
    const results = await Promise.allSettled([acceptApplication(t.deps, window01, app.id), deemAcceptOverdue(t.deps)])
    for (const r of results) {
      if (r.status === 'rejected')
        expect((r.reason as { code?: string }).code).toMatch(/APPLICATION_CHANGED|APPLICATION_INVALID_TRANSITION/)
    }
    const events = (await listEvents(t.db, app.id)).map((e) => e.event)
    expect(events.filter((e) => e === 'accept' || e === 'deem_accept')).toHaveLength(1)
    expect(await listTasks(t.db, app.id)).toHaveLength(2)
    t.clock.set('2026-03-02T01:00:00.000Z')
  })
})
