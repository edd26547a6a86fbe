import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal, staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, type TestApp } from '../../../test/helpers.js'
import { codeOf, finishedApplication, pendingApplication } from '../../../test/ratings.js'
import { listAudit, verifyAuditChain } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { newId } from '../../platform/ids.js'
import { runSeed } from '../../seed.js'
import { rejectApplication } from '../applications/applications.service.js'
import { findCaseRating, listRatingsOfApplication } from './ratings.repository.js'
import { applyDefaultRatings, checkRating, rateApplication, rateAtWindow, supplementRating } from './ratings.service.js'
import { loadRatingSettings, RATING_SETTING_DEFAULTS, saveRatingSettings } from './ratings.settings.js'

let t: TestApp
let citizen: Principal
let other: Principal
let window01: Principal
let window02: Principal
let supervisor: Principal

const DAY = 24 * 60 * 60 * 1000

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z') // Monday 09:00 in Shanghai
  await runSeed(t.modules, { print: false })
  citizen = await citizenPrincipal(t.db, '陈晓燕')
  other = await citizenPrincipal(t.db, '黄丽娜')
  window01 = await staffPrincipal(t.db, 'window01') // 区市场监管局
  window02 = await staffPrincipal(t.db, 'window02') // 区社保局
  supervisor = await staffPrincipal(t.db, 'supervise01')
})
afterAll(async () => t.close())

describe('the rules of a rating', () => {
  it('needs a level 1–5, the channel’s indicators only, reasons from the list, at most 500 characters', () => {
    const fields = (input: Parameters<typeof checkRating>[1]) => {
      try {
        checkRating('online', input)
        return []
      } catch (error) {
        return ((error as { details: { field: string }[] }).details ?? []).map((d) => d.field)
      }
    }
    expect(fields({ level: 6 })).toEqual(['level'])
    expect(fields({ level: '' })).toEqual(['level'])
    expect(fields({ level: 5, indicators: { service_attitude: 5 } })).toEqual(['indicators.service_attitude'])
    expect(fields({ level: 5, indicators: { efficiency: 9 } })).toEqual(['indicators.efficiency'])
    expect(fields({ level: 4, reasons: ['rude'] })).toEqual(['reasons'])
    expect(fields({ level: 4, text: '好'.repeat(501) })).toEqual(['text'])
    expect(fields({ level: 5, indicators: { efficiency: '5', usability: 4 } })).toEqual([])
  })

  it('a bad rating (1–2) needs at least one reason or a text', () => {
    expect(() => checkRating('online', { level: 2 })).toThrow('请至少选择一项原因或写明情况')
    expect(() => checkRating('online', { level: 1, text: '   ' })).toThrow('请至少选择一项原因')
    expect(checkRating('online', { level: 1, reasons: ['repeated_trips'] }).reasons).toEqual(['repeated_trips'])
    expect(checkRating('online', { level: 2, text: '等了很久' }).text).toBe('等了很久')
    expect(checkRating('online', { level: 3 }).level).toBe(3)
  })
})

describe('rating a finished application (一事一评)', () => {
  it('is refused before the application finished', async () => {
    const app = await pendingApplication(t.deps, citizen)
    expect(await codeOf(rateApplication(t.deps, citizen, app.id, { level: 5 }))).toBe('RATING_NOT_YET')
    expect(await findCaseRating(t.db, app.id)).toBeUndefined()
  })

  it('is only for the applicant: anyone else is told it does not exist', async () => {
    const app = await finishedApplication(t.deps, citizen)
    expect(await codeOf(rateApplication(t.deps, other, app.id, { level: 1, text: '捣乱' }))).toBe(
      'RATING_APPLICATION_NOT_FOUND',
    )
    expect(await codeOf(rateApplication(t.deps, window02, app.id, { level: 5 }))).toBe('RATING_APPLICATION_NOT_FOUND')
  })

  it('rates once; a second rating is refused, also when two race', async () => {
    const app = await finishedApplication(t.deps, citizen)
    const rating = await rateApplication(t.deps, citizen, app.id, {
      level: 5,
      indicators: { efficiency: 5, guide_accuracy: 4 },
      text: '一次办好',
    })
    expect(rating).toMatchObject({ level: 5, channel: 'online', isDefault: 0, ratedByPersonId: citizen.personId })
    expect(JSON.parse(rating.indicators)).toEqual({ efficiency: 5, guide_accuracy: 4 })
    expect(await codeOf(rateApplication(t.deps, citizen, app.id, { level: 4 }))).toBe('RATING_ALREADY_GIVEN')
    const audit = await listAudit(t.db, { objectType: 'rating', objectId: rating.id })
    expect(audit.entries.map((e) => e.action)).toEqual(['rating.create'])

    const raced = await finishedApplication(t.deps, citizen)
    const results = await Promise.allSettled([
      rateApplication(t.deps, citizen, raced.id, { level: 5 }),
      rateApplication(t.deps, citizen, raced.id, { level: 4 }),
      rateApplication(t.deps, citizen, raced.id, { level: 3 }),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(
      results
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => (r.reason as { code: string }).code),
    ).toEqual(['RATING_ALREADY_GIVEN', 'RATING_ALREADY_GIVEN'])
    expect(await listRatingsOfApplication(t.db, raced.id)).toHaveLength(1)
  })

  it('may rate an application that was not accepted (不予受理)', async () => {
    const app = await pendingApplication(t.deps, citizen)
    await rejectApplication(t.deps, window01, app.id, { reason: '不属于本机关职权范围' })
    const rating = await rateApplication(t.deps, citizen, app.id, { level: 3 })
    expect(rating.departmentId).toBe(window01.departmentId)
  })

  it('takes one supplement, not two, and not from someone else', async () => {
    const app = await finishedApplication(t.deps, citizen)
    expect(await codeOf(supplementRating(t.deps, citizen, app.id, '补充'))).toBe('RATING_NOT_FOUND')
    await rateApplication(t.deps, citizen, app.id, { level: 4 })
    expect(await codeOf(supplementRating(t.deps, citizen, app.id, '  '))).toBe('VALIDATION_FAILED')
    expect(await codeOf(supplementRating(t.deps, other, app.id, '别人的'))).toBe('RATING_APPLICATION_NOT_FOUND')
    const done = await supplementRating(t.deps, citizen, app.id, '证件已寄到，很快')
    expect(done.supplementText).toBe('证件已寄到，很快')
    expect(await codeOf(supplementRating(t.deps, citizen, app.id, '再补一次'))).toBe('RATING_ALREADY_SUPPLEMENTED')
    expect((await findCaseRating(t.db, app.id))?.supplementText).toBe('证件已寄到，很快')
  })
})

describe('the window’s 评价器 (一次一评)', () => {
  it('records one rating per visit, for the case of the staff member’s department only', async () => {
    const app = await finishedApplication(t.deps, citizen)
    const visit = newId()
    const rating = await rateAtWindow(t.deps, window02, { applicationId: app.id, visitId: visit, level: 4 })
    expect(rating).toMatchObject({
      channel: 'window',
      visitId: visit,
      ratedByPersonId: citizen.personId,
      recordedByStaffId: window02.staffId,
    })
    expect(
      await codeOf(rateAtWindow(t.deps, window02, { applicationId: app.id, visitId: visit, level: 1, text: 'x' })),
    ).toBe('RATING_VISIT_ALREADY_GIVEN')
    await rateAtWindow(t.deps, window02, { applicationId: app.id, visitId: newId(), level: 5 })
    expect(await codeOf(rateAtWindow(t.deps, window01, { applicationId: app.id, visitId: newId(), level: 5 }))).toBe(
      'RATING_WINDOW_OTHER_DEPARTMENT',
    )
    // The window's ratings do not take the place of the applicant's 一事一评.
    expect(await findCaseRating(t.db, app.id)).toBeUndefined()
    await rateApplication(t.deps, citizen, app.id, { level: 5 })
    expect(await listRatingsOfApplication(t.db, app.id)).toHaveLength(3)
  })
})

describe('the 7-day default (基本满意)', () => {
  it('rates an application nobody rated 7 natural days after it finished, once, however often the sweep runs', async () => {
    t.clock.set('2026-04-01T02:00:00.000Z')
    const finished = await finishedApplication(t.deps, citizen)
    const rated = await finishedApplication(t.deps, citizen)
    await rateApplication(t.deps, citizen, rated.id, { level: 5 })

    t.clock.advance(6 * DAY)
    await applyDefaultRatings(t.deps)
    expect(await findCaseRating(t.db, finished.id)).toBeUndefined()

    t.clock.advance(1 * DAY)
    const first = await applyDefaultRatings(t.deps)
    expect(first).toBeGreaterThanOrEqual(1)
    const rating = await findCaseRating(t.db, finished.id)
    expect(rating).toMatchObject({
      level: RATING_SETTING_DEFAULTS.defaultLevel,
      isDefault: 1,
      channel: 'online',
      ratedByPersonId: null,
      ratedAt: '2026-04-08T02:00:00.000Z',
    })
    // again, and concurrently (several nodes): nothing more
    expect(await applyDefaultRatings(t.deps)).toBe(0)
    const concurrent = await Promise.all([applyDefaultRatings(t.deps), applyDefaultRatings(t.deps)])
    expect(concurrent).toEqual([0, 0])
    expect(await listRatingsOfApplication(t.db, finished.id)).toHaveLength(1)
    // the applicant's own rating stands
    expect((await listRatingsOfApplication(t.db, rated.id)).map((r) => [r.level, r.isDefault])).toEqual([[5, 0]])
    // too late to rate; a supplement is still possible
    expect(await codeOf(rateApplication(t.deps, citizen, finished.id, { level: 1, text: '晚了' }))).toBe(
      'RATING_ALREADY_GIVEN',
    )
    await supplementRating(t.deps, citizen, finished.id, '其实很满意')
    const audit = await listAudit(t.db, { objectType: 'rating', objectId: rating!.id })
    expect(audit.entries.map((e) => e.action).sort()).toEqual(['rating.default', 'rating.supplement'])
  })

  it('gives one rating each when sweeps race from the start (fresh position)', async () => {
    t.clock.set('2026-05-04T02:00:00.000Z')
    const apps = [await finishedApplication(t.deps, citizen), await finishedApplication(t.deps, other)]
    t.clock.advance(8 * DAY)
    const given = await Promise.all([
      applyDefaultRatings(t.deps, { batch: 1 }),
      applyDefaultRatings(t.deps, { batch: 1 }),
      applyDefaultRatings(t.deps, { batch: 2 }),
    ])
    expect(given.reduce((a, b) => a + b, 0)).toBe(2)
    for (const app of apps) expect(await listRatingsOfApplication(t.db, app.id)).toHaveLength(1)
  })

  it('uses the configured level and days (e.g. Guangxi: 非常满意)', async () => {
    await saveRatingSettings(t.deps, supervisor, { default_level: '5', default_after_days: '3' })
    expect((await loadRatingSettings(t.db)).defaultLevel).toBe(5)
    t.clock.set('2026-06-01T02:00:00.000Z')
    const app = await finishedApplication(t.deps, citizen)
    t.clock.advance(3 * DAY + 1000)
    await applyDefaultRatings(t.deps)
    expect(await findCaseRating(t.db, app.id)).toMatchObject({ level: 5, isDefault: 1 })
    expect(await codeOf(saveRatingSettings(t.deps, supervisor, { default_level: '2' }))).toBe('VALIDATION_FAILED')
    await saveRatingSettings(t.deps, supervisor, { default_level: '3', default_after_days: '7' })
    const audit = await listAudit(t.db, { action: 'rating_settings.update' })
    expect(audit.entries).toHaveLength(2)
  })

  it('keeps the audit chain whole', async () => {
    expect((await verifyAuditChain(t.db)).ok).toBe(true)
  })
})
