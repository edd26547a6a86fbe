/**
 * The settings page (/supervision/settings): for supervisors only; shows the values in force with
 * their defaults; a valid save is stored through the service with an audit entry and used by the
 * next sweep, the reports and the dashboard; invalid or hostile input is answered 4xx with nothing
 * saved; the reset goes back to the documented defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal, staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, form, formSession, type TestApp } from '../../../test/helpers.js'
import { loginAs } from '../../../test/login.js'
import { pendingApplication } from '../../../test/ratings.js'
import { runSeed } from '../../seed.js'
import { performanceReport } from './supervision.report.js'
import { DEFAULT_SETTINGS, loadSettings } from './supervision.settings.js'
import { runWarningSweep } from './supervision.sweep.js'

let t: TestApp
let supervisor: string
let review01: string
let citizen: string
let supervisorStaffId: string
let pendingId: string

const URL = '/supervision/settings'
const get = (url: string, cookie?: string) => t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} })

/** The defaults as the form posts them. */
const DEFAULT_FORM: Record<string, string> = {
  yellowBeforeDays: '1',
  preReviewYellowBeforeDays: '0',
  lookbackDays: '90',
  'weights.onTime': '30',
  'weights.online': '25',
  'weights.satisfaction': '25',
  'weights.rectification': '10',
  'weights.firstTime': '10',
  redCardPenalty: '1',
  penaltyCap: '20',
  'onlineTargets[0].by': '2017-12-31',
  'onlineTargets[0].percent': '70',
  'onlineTargets[1].by': '2020-12-31',
  'onlineTargets[1].percent': '80',
}

/** The value of the input with this name as the page renders it ('' when empty); undefined without the input. */
function inputValue(html: string, name: string): string | undefined {
  const input = new RegExp(`<input[^>]*\\bname="${name.replace(/[.[\]]/g, '\\$&')}"[^>]*>`).exec(html)?.[0]
  return input === undefined ? undefined : (/\bvalue="([^"]*)"/.exec(input)?.[1] ?? '')
}

async function post(url: string, cookie: string, fields: Record<string, string | string[]>) {
  const session = await formSession(t.app, URL, cookie)
  return t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ _csrf: session.token, ...fields }),
  })
}

const settingsAudit = () =>
  t.db
    .selectFrom('auditLog')
    .select(['action', 'actorId', 'details'])
    .where('action', 'in', ['supervision.settings_change', 'supervision.settings_reset'])
    .orderBy('seq')
    .execute()

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-04-30T02:00:00.000Z')
  await runSeed(t.modules, { print: false })
  // Received Thursday 04-30 (区市场监管局): §32's fifth working day is Monday 05-11.
  pendingId = (await pendingApplication(t.deps, await citizenPrincipal(t.db, '陈晓燕'))).id
  t.clock.set('2026-05-08T02:00:00.000Z') // Friday 10:00, three working days before 05-11
  supervisor = (await loginAs(t.app, t.clock, 'supervise01')).cookie
  review01 = (await loginAs(t.app, t.clock, 'review01')).cookie
  citizen = (await loginAs(t.app, t.clock, '445103198503120029')).cookie
  supervisorStaffId = (await staffPrincipal(t.db, 'supervise01')).staffId!
})
afterAll(async () => t?.close())

describe('access', () => {
  it('is for supervisors: anonymous goes to the login, other staff and citizens get 403', async () => {
    const anonymous = await get(URL)
    expect(anonymous.statusCode).toBe(303)
    expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent(URL)}`)
    expect((await get(URL, citizen)).statusCode).toBe(403)
    expect((await get(URL, review01)).statusCode).toBe(403)
    expect((await get(URL, supervisor)).statusCode).toBe(200)

    // A reviewer's form posts (with a valid CSRF token of their own session) are refused too.
    for (const url of [URL, `${URL}/reset`]) {
      const session = await formSession(t.app, '/', review01)
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: form({ _csrf: session.token, ...DEFAULT_FORM, lookbackDays: '30' }),
      })
      expect(res.statusCode, url).toBe(403)
    }
    expect(await settingsAudit()).toEqual([])
    expect(await t.db.selectFrom('supervisionSettings').selectAll().execute()).toEqual([])
  })

  it('is linked from the supervisors’ dashboard', async () => {
    const dashboard = await get('/supervision', supervisor)
    expect(dashboard.statusCode).toBe(200)
    expect(dashboard.body).toContain('<a href="/supervision/settings">效能监管设置</a>')
  })
})

describe('the form', () => {
  it('shows every value in force, with a Chinese label, a hint and the default', async () => {
    const res = await get(URL, supervisor)
    expect(res.statusCode).toBe(200)
    for (const [name, value] of Object.entries(DEFAULT_FORM)) expect(inputValue(res.body, name), name).toBe(value)
    expect(inputValue(res.body, 'onlineTargets[2].by')).toBe('')
    for (const text of [
      '黄牌提前天数',
      '到期前几个工作日亮黄牌',
      '受理审查黄牌提前天数',
      '预警扫描回溯天数',
      '按时办结率权重',
      '五项合计必须等于',
      '每张红牌扣分',
      '红牌扣分上限',
      '网上全流程办理率目标',
      '范围 0–10 个工作日，默认 1。',
      '范围 7–400 个自然日，默认 90。',
      '默认 30。',
      '默认：2017-12-31 达到 70%，2020-12-31 达到 80%',
      '尚未修改过',
      '恢复默认值',
    ]) {
      expect(res.body, text).toContain(text)
    }
  })
})

describe('saving', () => {
  it('refuses weights not adding up to 100 with the message at the top and at the field; nothing saved', async () => {
    const res = await post(URL, supervisor, { ...DEFAULT_FORM, 'weights.onTime': '25', lookbackDays: '60' })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('class="error-summary"')
    expect(res.body).toContain('<a href="#f-weights">各项权重合计应为 100，现在合计为 95</a>')
    expect(res.body).toMatch(/class="field__error" id="f-weights-error">.*各项权重合计应为 100，现在合计为 95/)
    // What was typed is given back.
    expect(inputValue(res.body, 'weights.onTime')).toBe('25')
    expect(inputValue(res.body, 'lookbackDays')).toBe('60')
    expect(await loadSettings(t.db)).toEqual(DEFAULT_SETTINGS)
    expect(await settingsAudit()).toEqual([])
  })

  it('names each field that is missing, not a whole number, out of range, or a target out of order', async () => {
    const res = await post(URL, supervisor, {
      ...DEFAULT_FORM,
      yellowBeforeDays: '',
      preReviewYellowBeforeDays: '1.5',
      lookbackDays: '3',
      redCardPenalty: '一',
      'weights.online': '-5',
      'onlineTargets[0].by': '2021-02-30',
      'onlineTargets[1].by': '',
      'onlineTargets[1].percent': '',
      'onlineTargets[2].by': '2019-12-31',
      'onlineTargets[2].percent': '101',
      'onlineTargets[3].by': '2018-06-30',
      'onlineTargets[3].percent': '75',
    })
    expect(res.statusCode).toBe(400)
    for (const message of [
      '请填写黄牌提前天数',
      '受理审查黄牌提前天数应为 0 到 4 之间的整数',
      '预警扫描回溯天数应为 7 到 400 之间的整数',
      '每张红牌扣分应为 0 到 20 之间的整数',
      '「网上全流程办理率」权重应为 0 到 100 之间的整数',
      '第 1 个目标的期限应为有效日期，格式如 2020-12-31',
      // the empty second row is dropped: 2019-12-31 is the second target, 2018-06-30 the third
      '第 2 个目标的办理率应为 0 到 100 之间的整数',
      '第 3 个目标的期限应晚于前一个目标的期限（2019-12-31），请按时间先后填写',
    ]) {
      expect(res.body, message).toContain(message)
    }
    expect(res.body).not.toContain('各项权重合计') // the sum is checked once every weight is valid
    expect(inputValue(res.body, 'onlineTargets[1].by')).toBe('2019-12-31')
    expect(inputValue(res.body, 'redCardPenalty')).toBe('一')
    expect(await loadSettings(t.db)).toEqual(DEFAULT_SETTINGS)

    const none = await post(URL, supervisor, {
      ...DEFAULT_FORM,
      'onlineTargets[0].by': '',
      'onlineTargets[0].percent': '',
      'onlineTargets[1].by': '',
      'onlineTargets[1].percent': '',
    })
    expect(none.statusCode).toBe(400)
    expect(none.body).toContain('请至少填写一个网上全流程办理率目标')
    expect(await settingsAudit()).toEqual([])
  })

  it('answers hostile bodies with 4xx, never 5xx, and saves nothing', async () => {
    const session = await formSession(t.app, URL, supervisor)
    const asForm = (fields: Record<string, string | string[]>) => ({
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: session.token, ...fields }),
    })
    const asJson = (body: unknown) => ({
      headers: { cookie: session.cookie, 'content-type': 'application/json' },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    })
    const attempts = [
      asForm({}),
      asForm({ ...DEFAULT_FORM, lookbackDays: '9'.repeat(60) }),
      asForm({ ...DEFAULT_FORM, lookbackDays: '9'.repeat(5000) }),
      asForm({ ...DEFAULT_FORM, lookbackDays: '1e400' }),
      asForm({ ...DEFAULT_FORM, lookbackDays: '0x5A' }),
      asForm({ ...DEFAULT_FORM, lookbackDays: 'Infinity' }),
      asForm({ ...DEFAULT_FORM, lookbackDays: ['90', '91'] }),
      asForm({ ...DEFAULT_FORM, 'weights.onTime': ['30', '0'] }),
      asForm({ ...DEFAULT_FORM, 'onlineTargets[0].by': '<script>alert(1)</script>' }),
      asForm({ ...DEFAULT_FORM, 'onlineTargets[0].by': '99999-12-31' }),
      asForm({ ...DEFAULT_FORM, 'onlineTargets[0].by': '1900-12-31' }),
      asForm({ ...DEFAULT_FORM, 'onlineTargets[0].percent': '-0.5' }),
      asForm({ ...DEFAULT_FORM, 'weights.onTime': '100', 'weights.online': '0', 'weights.satisfaction': '0' }),
      asJson({}),
      asJson([1, 2, 3]),
      asJson('null'),
      asJson('{"lookbackDays": '),
      asJson({ ...DEFAULT_FORM, lookbackDays: 1e300 }),
      asJson({ ...DEFAULT_FORM, lookbackDays: { $gt: 1 } }),
      asJson(JSON.stringify({ ...DEFAULT_FORM, lookbackDays: '30' }).replace(/^\{/, '{"__proto__":{"x":1},')),
      asJson({ ...DEFAULT_FORM, 'onlineTargets[0].by': ['2017-12-31', '2018-12-31'] }),
      asJson({ ...DEFAULT_FORM, lookbackDays: null }),
      { headers: { cookie: session.cookie, 'content-type': 'text/plain' }, payload: 'lookbackDays=30' },
    ]
    for (const [i, attempt] of attempts.entries()) {
      const res = await t.app.inject({ method: 'POST', url: URL, ...attempt })
      expect(res.statusCode, `attempt ${i}: ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400)
      expect(res.statusCode, `attempt ${i}`).toBeLessThan(500)
    }
    // Without the CSRF token a form post is refused.
    const noToken = await t.app.inject({
      method: 'POST',
      url: URL,
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ ...DEFAULT_FORM, lookbackDays: '30' }),
    })
    expect(noToken.statusCode).toBe(403)
    expect(await loadSettings(t.db)).toEqual(DEFAULT_SETTINGS)
    expect(await settingsAudit()).toEqual([])
  })

  it('saves valid settings with an audit entry; the page, the service, the sweep, the reports and the dashboard use them', async () => {
    // With the default (yellow on the fifth working day itself) the waiting case has no card yet.
    await runWarningSweep(t.deps)
    const cards = () => t.db.selectFrom('warningCards').select(['rule', 'level']).where('subjectId', '=', pendingId)
    expect(await cards().execute()).toEqual([])

    const res = await post(URL, supervisor, {
      ...DEFAULT_FORM,
      yellowBeforeDays: '２', // full-width digits, as a Chinese input method may type them
      preReviewYellowBeforeDays: '2',
      lookbackDays: ' 120 ',
      'weights.onTime': '40',
      'weights.online': '20',
      'weights.satisfaction': '20',
      redCardPenalty: '2',
      penaltyCap: '30',
      'onlineTargets[0].by': '',
      'onlineTargets[0].percent': '',
      'onlineTargets[2].by': '2026-12-31',
      'onlineTargets[2].percent': '90',
    })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`${URL}?done=saved`)

    const expected = {
      yellowBeforeDays: 2,
      preReviewYellowBeforeDays: 2,
      lookbackDays: 120,
      weights: { onTime: 40, online: 20, satisfaction: 20, rectification: 10, firstTime: 10 },
      redCardPenalty: 2,
      penaltyCap: 30,
      onlineTargets: [
        { by: '2020-12-31', percent: 80 },
        { by: '2026-12-31', percent: 90 },
      ],
    }
    expect(await loadSettings(t.db)).toEqual(expected)

    const page = await get(res.headers.location as string, supervisor)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('设置已保存')
    expect(page.body).toContain('最近一次修改：谢文彬，2026-05-08 10:00（北京时间）')
    expect(inputValue(page.body, 'yellowBeforeDays')).toBe('2')
    expect(inputValue(page.body, 'lookbackDays')).toBe('120')
    expect(inputValue(page.body, 'weights.onTime')).toBe('40')
    expect(inputValue(page.body, 'onlineTargets[0].by')).toBe('2020-12-31')
    expect(inputValue(page.body, 'onlineTargets[1].percent')).toBe('90')
    expect(inputValue(page.body, 'onlineTargets[2].by')).toBe('')

    const audit = await settingsAudit()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'supervision.settings_change', actorId: supervisorStaffId })
    const details = JSON.parse(audit[0]!.details) as { from: unknown; to: unknown }
    expect(details.from).toEqual(DEFAULT_SETTINGS)
    expect(details.to).toEqual(expected)

    // The sweep: yellow now from two working days before §32's fifth working day (05-11).
    await runWarningSweep(t.deps)
    expect(await cards().execute()).toEqual([{ rule: 'pre_review', level: 'yellow' }])

    // The reports: the weights and the penalty.
    const report = await performanceReport(t.deps, '2026-05')
    expect(report.settings).toEqual(expected)
    const reportPage = await get('/supervision/reports?period=2026-05', supervisor)
    expect(reportPage.body).toContain('按时办结率 40')
    expect(reportPage.body).toContain('红牌每张扣 2 分，最多扣 30')

    // The dashboard: the target in force on 2026-05-08 is the one due 2020-12-31.
    const dashboard = await get('/supervision?from=2026-04-01&to=2026-05-08', supervisor)
    expect(dashboard.body).toContain('目标 ≥80%（2020 年底）')
  })

  it('goes back to the documented defaults on 恢复默认值, audited', async () => {
    const res = await post(`${URL}/reset`, supervisor, {})
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`${URL}?done=reset`)
    expect(await loadSettings(t.db)).toEqual(DEFAULT_SETTINGS)
    const audit = await settingsAudit()
    expect(audit.map((a) => a.action)).toEqual(['supervision.settings_change', 'supervision.settings_reset'])
    expect(audit[1]!.actorId).toBe(supervisorStaffId)
    expect((JSON.parse(audit[1]!.details) as { to: unknown }).to).toEqual(DEFAULT_SETTINGS)
    const page = await get(res.headers.location as string, supervisor)
    expect(page.body).toContain('已恢复默认值')
    expect(page.body).toContain('最近一次修改：谢文彬')
    for (const [name, value] of Object.entries(DEFAULT_FORM)) expect(inputValue(page.body, name), name).toBe(value)
  })
})
