import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal, staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, type TestApp } from '../../../test/helpers.js'
import { codeOf, finishedApplication } from '../../../test/ratings.js'
import { listAudit, verifyAuditChain } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { addWorkingDays, todayInShanghai } from '../../platform/calendar/index.js'
import { runSeed } from '../../seed.js'
import {
  applicantRatingView,
  departmentRectifications,
  publicSummary,
  ratingFacts,
  rectificationCase,
  rectificationFacts,
  supervisorRectifications,
} from './ratings.read.js'
import {
  classifyRectification,
  closeUnansweredReplies,
  decideAppeal,
  escalateOverdue,
  rateReply,
  recordCallback,
  replyRectification,
} from './ratings.rectification.service.js'
import { findCaseRating, findRectificationOfRating, listRectificationEvents } from './ratings.repository.js'
import { rateApplication, supplementRating } from './ratings.service.js'

let t: TestApp
let citizen: Principal
let window01: Principal
let window02: Principal
let supervisor: Principal

const DAY = 24 * 60 * 60 * 1000

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z') // Monday 09:00 in Shanghai
  await runSeed(t.modules, { print: false })
  citizen = await citizenPrincipal(t.db, '陈晓燕')
  window01 = await staffPrincipal(t.db, 'window01') // 区市场监管局
  window02 = await staffPrincipal(t.db, 'window02') // 区社保局, handles 社会保障卡申领
  supervisor = await staffPrincipal(t.db, 'supervise01')
})
afterAll(async () => t.close())

/** A finished application rated 非常不满意: its rectification. */
async function badlyRated(reasons: string[] = ['repeated_trips'], text = '来回跑了三趟') {
  const app = await finishedApplication(t.deps, citizen)
  const rating = await rateApplication(t.deps, citizen, app.id, { level: 1, reasons, text })
  const rect = await findRectificationOfRating(t.db, rating.id)
  if (!rect) throw new Error('no rectification opened')
  return { app, rating, rect }
}

const eventsOf = async (id: string) => (await listRectificationEvents(t.db, id)).map((e) => e.event)
const messagesTo = async (personId: string) =>
  (
    await t.db
      .selectFrom('notifications')
      .select(['subject', 'body', 'link'])
      .where('recipientPersonId', '=', personId)
      .where('category', '=', 'rating')
      .orderBy('createdAt')
      .execute()
  ).map((m) => m.subject)

describe('a bad rating opens a rectification ("谁办理谁负责")', () => {
  it('for the department that handled the application, with an event, an audit entry and a message', async () => {
    const before = (await messagesTo(citizen.personId!)).length
    const { app, rect } = await badlyRated()
    expect(rect).toMatchObject({ state: 'open', departmentId: window02.departmentId, applicationId: app.id })
    expect(await eventsOf(rect.id)).toEqual(['open'])
    const audit = await listAudit(t.db, { objectType: 'rectification', objectId: rect.id })
    expect(audit.entries.map((e) => e.action)).toEqual(['rectification.open'])
    const messages = await messagesTo(citizen.personId!)
    expect(messages.length).toBe(before + 1)
    expect(messages.at(-1)).toContain('评价已收到')
  })

  it('a good or 基本满意 rating opens none', async () => {
    const app = await finishedApplication(t.deps, citizen)
    const rating = await rateApplication(t.deps, citizen, app.id, { level: 3 })
    expect(await findRectificationOfRating(t.db, rating.id)).toBeUndefined()
  })
})

describe('department isolation', () => {
  it('another department can neither see nor act; supervisors see but do not act for the department', async () => {
    const { rect } = await badlyRated()
    expect(await codeOf(rectificationCase(t.deps, window01, rect.id))).toBe('RECTIFICATION_OTHER_DEPARTMENT')
    expect(await codeOf(recordCallback(t.deps, window01, rect.id, { method: 'phone', note: 'x' }))).toBe(
      'RECTIFICATION_OTHER_DEPARTMENT',
    )
    expect(
      await codeOf(classifyRectification(t.deps, window01, rect.id, { outcome: 'valid', severity: 'minor' })),
    ).toBe('RECTIFICATION_OTHER_DEPARTMENT')
    expect(await codeOf(replyRectification(t.deps, window01, rect.id, { reply: 'x' }))).toBe(
      'RECTIFICATION_OTHER_DEPARTMENT',
    )
    const theirs = await departmentRectifications(t.deps, window01, { tab: 'all', page: 1, pageSize: 100 })
    expect(theirs.rows.map((r) => r.id)).not.toContain(rect.id)
    const ours = await departmentRectifications(t.deps, window02, { tab: 'todo', page: 1, pageSize: 100 })
    expect(ours.rows.map((r) => r.id)).toContain(rect.id)
    expect(ours.rows.every((r) => r.departmentName === '潮州市潮安区社会保险基金管理局')).toBe(true)
    // a supervisor reads the case (no applicant's contact: that is for the handling department)
    const view = await rectificationCase(t.deps, supervisor, rect.id)
    expect(view.applicant).toBeNull()
    expect(view.can).toEqual({ callback: false, classify: false, reply: false, decideAppeal: false })
    expect((await rectificationCase(t.deps, window02, rect.id)).applicant?.name).toBe('陈晓燕')
    expect(await codeOf(recordCallback(t.deps, supervisor, rect.id, { method: 'phone', note: 'x' }))).toBe(
      'RECTIFICATION_OTHER_DEPARTMENT',
    )
  })
})

describe('the life of a valid bad rating', () => {
  it('callback → valid with a deadline in working days → reply → the applicant rates the reply → closed', async () => {
    const { app, rating, rect } = await badlyRated()
    expect(await codeOf(replyRectification(t.deps, window02, rect.id, { reply: '太早了' }))).toBe(
      'RECTIFICATION_INVALID_TRANSITION',
    )
    expect(await codeOf(recordCallback(t.deps, window02, rect.id, {}))).toBe('VALIDATION_FAILED')
    await recordCallback(t.deps, window02, rect.id, { method: 'phone', note: '评价人反映需要多次到窗口补交复印件' })
    expect(await codeOf(classifyRectification(t.deps, window02, rect.id, { outcome: 'valid' }))).toBe(
      'VALIDATION_FAILED',
    )
    const rectifying = await classifyRectification(t.deps, window02, rect.id, {
      outcome: 'valid',
      severity: 'moderate',
    })
    const cal = await t.deps.calendar.load()
    const today = todayInShanghai(t.clock.now())
    expect(rectifying).toMatchObject({
      state: 'rectifying',
      outcome: 'valid',
      termDays: 7,
      deadlineOn: addWorkingDays(cal, today, 7),
    })
    // the applicant supplements meanwhile: the department sees it in the log
    await supplementRating(t.deps, citizen, app.id, '希望能一次告知')
    await replyRectification(t.deps, window02, rect.id, {
      reply: '已在办事指南中明确复印件要求，并对窗口人员进行了培训。',
    })
    expect(await messagesTo(citizen.personId!)).toContain('您的差评已整改，请对整改结果评价')

    const view = await applicantRatingView(t.deps, citizen, app.id)
    expect(view.rectification).toMatchObject({ state: 'replied', canRateReply: true })
    // the applicant sees the steps meant for them, not the department's callback note
    expect(view.rectification?.events.map((e) => e.event)).toEqual(['open', 'classify_valid', 'reply'])

    expect(await codeOf(rateReply(t.deps, window02, app.id, { level: 5 }))).toBe('RATING_APPLICATION_NOT_FOUND')
    expect(await codeOf(rateReply(t.deps, citizen, app.id, { level: 9 }))).toBe('VALIDATION_FAILED')
    const closed = await rateReply(t.deps, citizen, app.id, { level: 4, comment: '改进了' })
    expect(closed).toMatchObject({ state: 'closed', replyLevel: 4, closedReason: 'applicant_rated' })
    expect(await codeOf(rateReply(t.deps, citizen, app.id, { level: 5 }))).toBe('RECTIFICATION_INVALID_TRANSITION')

    expect(await eventsOf(rect.id)).toEqual(['open', 'callback', 'classify_valid', 'supplement', 'reply', 'rate_reply'])
    const audit = await listAudit(t.db, { objectType: 'rectification', objectId: rect.id })
    expect(audit.entries).toHaveLength(6)
    const facts = await rectificationFacts(t.db, {
      from: rect.openedAt,
      to: new Date(new Date(rect.openedAt).getTime() + 1).toISOString(),
      now: t.clock.now(),
    })
    expect(facts.find((f) => f.rectificationId === rect.id)).toMatchObject({
      state: 'closed',
      onTime: true,
      excluded: false,
    })
    expect((await findCaseRating(t.db, app.id))?.id).toBe(rating.id)
  })

  it('an explained rating is published and sent to the applicant', async () => {
    const { app, rect } = await badlyRated(['conditions_beyond_guide'], '')
    await recordCallback(t.deps, window02, rect.id, { method: 'in_person', note: '评价人认为不应要求户口簿' })
    expect(await codeOf(classifyRectification(t.deps, window02, rect.id, { outcome: 'explained' }))).toBe(
      'VALIDATION_FAILED',
    )
    const explained = await classifyRectification(t.deps, window02, rect.id, {
      outcome: 'explained',
      explanation: '户口簿是《社会保障卡管理办法》规定的申领材料，已在办事指南中列明。',
    })
    expect(explained.state).toBe('explained')
    expect(await messagesTo(citizen.personId!)).toContain('您的评价已有解释说明')
    const view = await applicantRatingView(t.deps, citizen, app.id)
    expect(view.rectification?.explanation).toContain('社会保障卡管理办法')
    const published = (await publicSummary(t.deps)).published
    expect(published.find((p) => p.text.includes('社会保障卡管理办法'))).toMatchObject({
      kind: 'explanation',
      reasonNames: ['要求指南以外的条件'],
      itemName: '社会保障卡申领',
    })
  })

  it('closes a reply the applicant does not rate after 7 days', async () => {
    const { rect } = await badlyRated()
    await recordCallback(t.deps, window02, rect.id, { method: 'phone', note: '已联系' })
    await classifyRectification(t.deps, window02, rect.id, { outcome: 'valid', severity: 'minor' })
    await replyRectification(t.deps, window02, rect.id, { reply: '已整改。' })
    t.clock.advance(6 * DAY)
    await closeUnansweredReplies(t.deps)
    expect((await findRectificationOfRating(t.db, rect.ratingId))?.state).toBe('replied')
    t.clock.advance(1 * DAY + 1000)
    const [a, b] = await Promise.all([closeUnansweredReplies(t.deps), closeUnansweredReplies(t.deps)])
    expect(a + b).toBeGreaterThanOrEqual(1)
    expect(await findRectificationOfRating(t.db, rect.ratingId)).toMatchObject({
      state: 'closed',
      closedReason: 'no_answer',
    })
    expect((await eventsOf(rect.id)).filter((e) => e === 'auto_close')).toHaveLength(1)
  })
})

describe('appeals against mistaken or malicious ratings', () => {
  it('upheld: closed and left out of the statistics and the public page', async () => {
    const { rating, rect } = await badlyRated(['other'], '乱评的')
    await recordCallback(t.deps, window02, rect.id, { method: 'phone', note: '评价人表示点错了' })
    expect(await codeOf(classifyRectification(t.deps, window02, rect.id, { outcome: 'mistaken' }))).toBe(
      'VALIDATION_FAILED',
    )
    await classifyRectification(t.deps, window02, rect.id, {
      outcome: 'mistaken',
      appealReason: '评价人电话中确认误操作，办件当场办结。',
    })
    const appeals = await supervisorRectifications(t.deps, { tab: 'appeals', page: 1, pageSize: 100 })
    expect(appeals.rows.map((r) => r.id)).toContain(rect.id)
    expect(await codeOf(decideAppeal(t.deps, window02, rect.id, { decision: 'upheld', note: '自己裁定' }))).toBe(
      'FORBIDDEN',
    )
    expect(await codeOf(decideAppeal(t.deps, supervisor, rect.id, { decision: 'upheld' }))).toBe('VALIDATION_FAILED')
    const before = await publicSummary(t.deps)
    const closed = await decideAppeal(t.deps, supervisor, rect.id, { decision: 'upheld', note: '录音证实为误评' })
    expect(closed).toMatchObject({
      state: 'closed',
      excluded: 1,
      appealDecision: 'upheld',
      closedReason: 'appeal_upheld',
    })
    const facts = await ratingFacts(t.db, {
      from: rating.ratedAt,
      to: new Date(new Date(rating.ratedAt).getTime() + 1).toISOString(),
    })
    expect(facts.find((f) => f.ratingId === rating.id)).toMatchObject({ excluded: true, bad: true, level: 1 })
    const after = await publicSummary(t.deps)
    const dept = (s: typeof after) => s.departments.find((d) => d.departmentId === window02.departmentId)!
    expect(dept(after).total).toBe(dept(before).total - 1)
    expect(dept(after).bad).toBe(dept(before).bad - 1)
    expect(await codeOf(decideAppeal(t.deps, supervisor, rect.id, { decision: 'rejected', note: 'x' }))).toBe(
      'VALIDATION_FAILED',
    )
  })

  it('rejected: back to the department to rectify by a new deadline', async () => {
    const { rect } = await badlyRated(['poor_attitude'], '态度差')
    await recordCallback(t.deps, window02, rect.id, { method: 'phone', note: '评价人反映窗口人员不耐烦' })
    await classifyRectification(t.deps, window02, rect.id, { outcome: 'malicious', appealReason: '评价人多次恶意差评' })
    expect(
      await codeOf(decideAppeal(t.deps, supervisor, rect.id, { decision: 'rejected', note: '录音显示态度确有问题' })),
    ).toBe('VALIDATION_FAILED')
    const back = await decideAppeal(t.deps, supervisor, rect.id, {
      decision: 'rejected',
      note: '录音显示态度确有问题',
      severity: 'major',
    })
    const cal = await t.deps.calendar.load()
    expect(back).toMatchObject({
      state: 'rectifying',
      appealDecision: 'rejected',
      termDays: 15,
      deadlineOn: addWorkingDays(cal, todayInShanghai(t.clock.now()), 15),
      excluded: 0,
    })
    await replyRectification(t.deps, window02, rect.id, { reply: '已对窗口人员批评教育。' })
    expect(await eventsOf(rect.id)).toEqual(['open', 'callback', 'appeal', 'reject_appeal', 'reply'])
  })
})

describe('escalation of overdue rectifications', () => {
  it('marks an overdue rectification and tells the supervisors exactly once', async () => {
    t.clock.set('2026-07-06T01:00:00.000Z') // Monday
    const { rect } = await badlyRated()
    await recordCallback(t.deps, window02, rect.id, { method: 'phone', note: '已联系' })
    const rectifying = await classifyRectification(t.deps, window02, rect.id, { outcome: 'valid', severity: 'minor' })
    // on the deadline day itself it is not overdue
    t.clock.set(`${rectifying.deadlineOn}T08:00:00.000Z`)
    await escalateOverdue(t.deps)
    expect((await findRectificationOfRating(t.db, rect.ratingId))?.overdueAt).toBeNull()
    // the day after
    t.clock.advance(DAY)
    const runs = await Promise.all([escalateOverdue(t.deps), escalateOverdue(t.deps), escalateOverdue(t.deps)])
    const again = await escalateOverdue(t.deps)
    expect(runs.reduce((a, b) => a + b, 0) + again).toBe(1)
    expect((await eventsOf(rect.id)).filter((e) => e === 'escalate')).toHaveLength(1)
    const audit = await listAudit(t.db, {
      objectType: 'rectification',
      objectId: rect.id,
      action: 'rectification.escalate',
    })
    expect(audit.entries).toHaveLength(1)
    const overdue = await supervisorRectifications(t.deps, { tab: 'overdue', page: 1, pageSize: 100 })
    expect(overdue.rows.find((r) => r.id === rect.id)).toMatchObject({ overdue: true, state: 'rectifying' })
    expect(overdue.counts.overdue).toBeGreaterThanOrEqual(1)
    // a late reply is recorded as not on time
    await replyRectification(t.deps, window02, rect.id, { reply: '已整改（逾期）。' })
    const facts = await rectificationFacts(t.db, {
      from: rect.openedAt,
      to: new Date(new Date(rect.openedAt).getTime() + 1).toISOString(),
      departmentId: window02.departmentId,
    })
    expect(facts.find((f) => f.rectificationId === rect.id)).toMatchObject({ onTime: false })
    expect((await verifyAuditChain(t.db)).ok).toBe(true)
  })
})
