/**
 * Supervision routes: supervisors (supervision.read) see the dashboard, statistics, warning board,
 * cases and reports, and (supervision.handle) change the settings; department staff see their own
 * department's cards and acknowledge them.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { type Static, Type } from 'typebox'
import { addCalendarDays, todayInShanghai } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import { contentDisposition } from '../../platform/files/files.js'
import { DomainError, invalidInput } from '../../platform/http/errors.js'
import type { FieldError } from '../../platform/ui/index.js'
import { type SupervisionDimension, supervisionCaseView } from '../applications/index.js'
import { departmentChoices, departmentNames, staffNames } from '../identity/index.js'
import { barChart, lineChart, pieChart } from './supervision.charts.js'
import {
  BoardPage,
  boardRows,
  CardPage,
  CasePage,
  DashboardPage,
  ReportsPage,
  SAT_LEVELS,
  SettingsPage,
  StatisticsPage,
} from './supervision.pages.js'
import type { RatingsFacts } from './supervision.ratings.js'
import {
  assessPeriod,
  parseReportPeriod,
  performanceReport,
  previousMonth,
  reportPdf,
  reportWorkbook,
  statisticsWorkbook,
} from './supervision.report.js'
import { cardCounts, listCards } from './supervision.repository.js'
import { acknowledgeCard, CARD_HANDLERS, canSeeAllCards, getCardFor, isCardHandler } from './supervision.service.js'
import {
  lastSettingsChange,
  loadSettings,
  MAX_TARGETS,
  NUMBER_SETTINGS,
  type NumberSettingKey,
  resetSettings,
  type ScoreWeights,
  type SettingsDraft,
  type SupervisionSettings,
  saveSettings,
  WEIGHT_NAMES,
} from './supervision.settings.js'
import { computeStatistics, DIMENSION_NAMES, topCorrectedMaterials, weeklyTrend } from './supervision.stats.js'

const SUPERVISORS = { policy: { permission: 'supervision.read' } } as const
const CARD_VIEWERS = { policy: { anyPermission: ['supervision.read', ...CARD_HANDLERS] } } as const
/** The settings: supervisors who may act (supervision.handle, the 督查人员 role). */
const SETTINGS_EDITORS = { policy: { permission: 'supervision.handle' } } as const

const Id = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' })
const Day = Type.Optional(Type.String({ maxLength: 20 }))
const IdOpt = Type.Optional(Type.Union([Type.Literal(''), Id]))
const isDay = (d: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return false
  const noon = new Date(`${d}T12:00:00+08:00`)
  return !Number.isNaN(noon.getTime()) && todayInShanghai(noon) === d
}
const MAX_DAYS = 731

/** Reads a period from the query, with defaults; problems as field errors (shown, not thrown). */
export function readPeriod(
  today: string,
  query: { from?: string; to?: string },
  defaultFrom: string,
): { from: string; to: string; errors: FieldError[] } {
  const errors: FieldError[] = []
  let from = query.from || defaultFrom
  let to = query.to || today
  if (!isDay(from)) {
    errors.push({ field: 'from', message: '起始日期应为 YYYY-MM-DD 格式的有效日期' })
    from = defaultFrom
  }
  if (!isDay(to)) {
    errors.push({ field: 'to', message: '截止日期应为 YYYY-MM-DD 格式的有效日期' })
    to = today
  }
  if (to < from) {
    errors.push({ field: 'to', message: '截止日期不能早于起始日期' })
    from = defaultFrom
    to = today
  } else if (Date.parse(to) - Date.parse(from) > MAX_DAYS * 86_400_000) {
    errors.push({ field: 'from', message: '统计期间最长两年' })
    from = addCalendarDays(to, -MAX_DAYS)
  }
  return { from, to, errors }
}

// ----- the settings form ---------------------------------------------------------------------------------

const NUMBER_KEYS = Object.keys(NUMBER_SETTINGS) as NumberSettingKey[]
const WEIGHT_KEYS = Object.keys(WEIGHT_NAMES) as (keyof ScoreWeights)[]
const targetField = (i: number, part: 'by' | 'percent') => `onlineTargets[${i}].${part}`

/** Every field of the settings form, by name. */
export const SETTINGS_FORM_FIELDS: string[] = [
  ...NUMBER_KEYS,
  ...WEIGHT_KEYS.map((k) => `weights.${k}`),
  ...Array.from({ length: MAX_TARGETS }, (_, i) => [targetField(i, 'by'), targetField(i, 'percent')]).flat(),
]

/** The form's fields for settings in force. */
export function settingsFormValues(settings: SupervisionSettings): Record<string, string> {
  const values: Record<string, string> = {}
  for (const key of NUMBER_KEYS) values[key] = String(settings[key])
  for (const key of WEIGHT_KEYS) values[`weights.${key}`] = String(settings.weights[key])
  settings.onlineTargets.forEach((t, i) => {
    values[targetField(i, 'by')] = t.by
    values[targetField(i, 'percent')] = String(t.percent)
  })
  return values
}

/**
 * Reads the posted form: whole numbers (full-width digits allowed; empty → missing, anything else
 * not a whole number → NaN, which the check names), and the targets without their empty rows.
 * `values` is what to show again: as typed, the targets moved up over empty rows so the problems'
 * row numbers match.
 */
export function readSettingsForm(body: Record<string, string | undefined>): {
  values: Record<string, string>
  draft: SettingsDraft
} {
  const text = (name: string) => (body[name] ?? '').normalize('NFKC').trim()
  const whole = (value: string) => (value === '' ? undefined : /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN)
  const values: Record<string, string> = {}
  const draft: SettingsDraft = { weights: {}, onlineTargets: [] }
  for (const key of NUMBER_KEYS) {
    const value = text(key)
    values[key] = value
    draft[key] = whole(value)
  }
  for (const key of WEIGHT_KEYS) {
    const value = text(`weights.${key}`)
    values[`weights.${key}`] = value
    draft.weights![key] = whole(value)
  }
  for (let i = 0; i < MAX_TARGETS; i++) {
    const by = text(targetField(i, 'by'))
    const percent = text(targetField(i, 'percent'))
    if (by === '' && percent === '') continue
    const row = draft.onlineTargets!.length
    values[targetField(row, 'by')] = by
    values[targetField(row, 'percent')] = percent
    draft.onlineTargets!.push({ by: by === '' ? undefined : by, percent: whole(percent) })
  }
  return { values, draft }
}

/** The report periods offered: the last 12 months and the last 4 quarters. */
function reportPeriods(today: string): { value: string; label: string }[] {
  const out: { value: string; label: string }[] = []
  let month = today.slice(0, 7)
  for (let i = 0; i < 12; i++) {
    out.push({ value: month, label: parseReportPeriod(month).label })
    month = previousMonth(`${month}-01`)
  }
  let y = Number(today.slice(0, 4))
  let q = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1
  for (let i = 0; i < 4; i++) {
    const code = `${y}-Q${q}`
    out.push({ value: code, label: parseReportPeriod(code).label })
    q--
    if (q === 0) {
      q = 4
      y--
    }
  }
  return out
}

export function registerSupervisionRoutes(scope: FastifyInstance, deps: Deps, ratings: RatingsFacts | undefined): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const today = () => todayInShanghai(deps.clock.now())
  const yearStart = () => `${today().slice(0, 4)}-01-01`
  const context = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })

  /** The online target in force on a day (the plan's latest target already due, else the first). */
  const onlineTarget = (targets: { by: string; percent: number }[], day: string) =>
    [...targets].reverse().find((t) => t.by <= day) ?? targets[0]!

  // ----- the dashboard ---------------------------------------------------------------------------------

  app.get(
    '/supervision',
    { schema: { hide: true, querystring: Type.Object({ from: Day, to: Day }) }, config: SUPERVISORS },
    async (request, reply) => {
      const { from, to, errors } = readPeriod(today(), request.query, yearStart())
      const [stats, weeks, report, cards, settings] = await Promise.all([
        computeStatistics(deps, { from, to, by: 'department' }, { ratings }),
        weeklyTrend(deps, { from, to }),
        assessPeriod(deps, { from, to }, { ratings }),
        // Open cards whenever raised: what is still waiting today.
        cardCounts(deps.db, { raisedFrom: '2000-01-01T00:00:00.000Z', raisedBefore: '2100-01-01T00:00:00.000Z' }),
        loadSettings(deps.db),
      ])
      const target = onlineTarget(settings.onlineTargets, to)
      const openCards = {
        red: cards.filter((c) => c.level === 'red').reduce((s, c) => s + c.active, 0),
        yellow: cards.filter((c) => c.level === 'yellow').reduce((s, c) => s + c.active, 0),
        unexplained: cards.reduce((s, c) => s + c.unacknowledged, 0),
      }
      const sat = stats.total.satisfaction
      const charts = {
        trend: lineChart(
          `${from} 至 ${to} 每周收件与办结`,
          weeks.map((w) => w.week.slice(5)),
          [
            { name: '收件', values: weeks.map((w) => w.received) },
            { name: '办结', values: weeks.map((w) => w.completed) },
          ],
        ),
        ranking: barChart(
          '部门综合得分排名',
          report.departments.map((d) => ({ label: d.departmentName, value: d.score })),
          { unit: '分', max: 100 },
        ),
        online: barChart(
          '各部门网上全流程办理率（%）',
          [...stats.groups]
            .sort((a, b) => (b.onlineRate ?? -1) - (a.onlineRate ?? -1))
            .map((g) => ({
              label: g.label,
              value: g.onlineRate === null ? null : Math.round(g.onlineRate * 1000) / 10,
            })),
          { unit: '%', max: 100, target: target.percent },
        ),
        satisfaction:
          sat && sat.total > 0
            ? pieChart(
                '评价等级分布',
                SAT_LEVELS.map((label, i) => ({ label, value: sat.byLevel[4 - i] ?? 0 })),
              )
            : null,
      }
      return reply.page(
        DashboardPage({
          from,
          to,
          errors,
          stats,
          weeks,
          ranking: report.departments,
          openCards,
          onlineTarget: target,
          charts,
          canEditSettings: request.principal!.permissions.has('supervision.handle'),
        }),
        errors.length > 0 ? 422 : 200,
      )
    },
  )

  // ----- statistics ------------------------------------------------------------------------------------

  /** Groups on a page of the statistics. */
  const STATISTICS_PAGE_SIZE = 50
  const StatisticsQuery = Type.Object({
    from: Day,
    to: Day,
    by: Type.Optional(Type.Union(['all', 'department', 'item', 'servicePoint', 'channel'].map((v) => Type.Literal(v)))),
    departmentId: IdOpt,
    channel: Type.Optional(Type.Union(['', 'online', 'window', 'proxy', 'kiosk', 'phone'].map((v) => Type.Literal(v)))),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  })
  const statisticsFilter = (query: Static<typeof StatisticsQuery>) => {
    const { from, to, errors } = readPeriod(today(), query, yearStart())
    const filter = { from, to, departmentId: query.departmentId || undefined, channel: query.channel || undefined }
    return { filter, errors, by: (query.by ?? 'department') as SupervisionDimension }
  }

  app.get(
    '/supervision/statistics',
    { schema: { hide: true, querystring: StatisticsQuery }, config: SUPERVISORS },
    async (request, reply) => {
      const { filter, errors, by } = statisticsFilter(request.query)
      // By item a year holds thousands of groups: fifty a page (the workbook has them all).
      const page = { number: request.query.page ?? 1, size: STATISTICS_PAGE_SIZE }
      const [stats, corrections, departments] = await Promise.all([
        computeStatistics(deps, { ...filter, by }, { ratings, page }),
        topCorrectedMaterials(deps, filter, 10),
        departmentChoices(deps).then((list) => list.map((d) => ({ value: d.id, label: d.name }))),
      ])
      return reply.page(StatisticsPage({ stats, errors, departments, corrections }), errors.length > 0 ? 422 : 200)
    },
  )

  app.get(
    '/supervision/statistics.xlsx',
    { schema: { hide: true, querystring: StatisticsQuery }, config: SUPERVISORS },
    async (request, reply) => {
      const { filter, errors, by } = statisticsFilter(request.query)
      if (errors.length > 0) throw invalidInput(errors, errors[0]!.message)
      const stats = await computeStatistics(deps, { ...filter, by }, { ratings })
      const departmentName = filter.departmentId ? (await departmentNames(deps.db)).get(filter.departmentId) : undefined
      const bytes = await statisticsWorkbook(stats, { departmentName, generatedAt: deps.clock.now().toISOString() })
      const title = `${departmentName ?? '潮安区'}政务服务统计明细（按${DIMENSION_NAMES[by]}，${filter.from}至${filter.to}）`
      reply.header('content-disposition', contentDisposition(`${title}.xlsx`))
      reply.header('cache-control', 'no-store')
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(bytes)
    },
  )

  // ----- the warning board -----------------------------------------------------------------------------

  app.get(
    '/supervision/cards',
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          from: Day,
          to: Day,
          departmentId: IdOpt,
          itemId: IdOpt,
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
        }),
      },
      config: CARD_VIEWERS,
    },
    async (request, reply) => {
      const principal = request.principal!
      const all = canSeeAllCards(principal)
      if (!all && !isCardHandler(principal)) throw new DomainError('FORBIDDEN', 'forbidden', '没有权限查看预警牌。')
      const defaultFrom = addCalendarDays(today(), -90)
      const { from, to, errors } = readPeriod(today(), request.query, defaultFrom)
      const raisedFrom = new Date(`${from}T00:00:00+08:00`).toISOString()
      const raisedBefore = new Date(`${addCalendarDays(to, 1)}T00:00:00+08:00`).toISOString()
      const departmentId = all ? request.query.departmentId || undefined : principal.departmentId!
      const itemId = request.query.itemId || undefined
      const names = await departmentNames(deps.db)
      const base = `/supervision/cards?from=${from}&to=${to}`
      const department = departmentId ? { id: departmentId, name: names.get(departmentId) ?? '' } : undefined
      if (departmentId && itemId) {
        const page = request.query.page ?? 1
        const result = await listCards(deps.db, { departmentId, itemId, status: 'all', raisedFrom, raisedBefore, page })
        const itemName = result.rows[0]?.itemName ?? ''
        return reply.page(
          BoardPage({
            from,
            to,
            errors,
            department,
            item: { id: itemId, name: itemName || '事项' },
            rows: [],
            cards: { ...result, page, pageSize: 30 },
            ownDepartmentOnly: !all,
          }),
          errors.length > 0 ? 422 : 200,
        )
      }
      const counts = await cardCounts(deps.db, {
        raisedFrom,
        raisedBefore,
        departmentId,
        byItem: Boolean(departmentId),
      })
      const rows = departmentId
        ? boardRows(
            counts,
            (r) => r.itemId ?? 'none',
            (r) => r.itemName ?? '（差评整改等，不属于具体事项）',
            (key) => `${base}&departmentId=${departmentId}&itemId=${key === 'none' ? '' : key}`,
          )
        : boardRows(
            counts,
            (r) => r.departmentId,
            (r) => names.get(r.departmentId) ?? r.departmentId,
            (key) => `${base}&departmentId=${key}`,
          )
      const chart =
        rows.length > 0
          ? barChart(
              departmentId ? `${department?.name ?? ''}各事项红牌数` : '各部门红牌数',
              rows.slice(0, 15).map((r) => ({ label: r.label, value: r.red })),
              { unit: '张' },
            )
          : undefined
      return reply.page(
        BoardPage({ from, to, errors, department, rows, ownDepartmentOnly: !all, chart }),
        errors.length > 0 ? 422 : 200,
      )
    },
  )

  async function renderCard(
    request: FastifyRequest,
    id: string,
    extra: { errors?: FieldError[]; values?: { explanation?: string }; done?: boolean } = {},
  ) {
    const principal = request.principal!
    const card = await getCardFor(deps, principal, id)
    const [names, staff] = await Promise.all([
      departmentNames(deps.db),
      card.acknowledgedBy ? staffNames(deps.db, [card.acknowledgedBy]) : Promise.resolve(new Map<string, string>()),
    ])
    return CardPage({
      card,
      departmentName: names.get(card.departmentId) ?? '',
      acknowledgedByName: card.acknowledgedBy ? (staff.get(card.acknowledgedBy) ?? null) : null,
      canAcknowledge: isCardHandler(principal) && principal.departmentId === card.departmentId && !card.acknowledgedAt,
      canSeeCase: canSeeAllCards(principal),
      backHref: '/supervision/cards',
      ...extra,
    })
  }

  app.get(
    '/supervision/cards/:id',
    {
      schema: {
        hide: true,
        params: Type.Object({ id: Id }),
        querystring: Type.Object({ done: Type.Optional(Type.Literal('1')) }),
      },
      config: CARD_VIEWERS,
    },
    async (request, reply) =>
      reply.page(await renderCard(request, request.params.id, { done: request.query.done === '1' })),
  )

  app.post(
    '/supervision/cards/:id/acknowledge',
    {
      schema: {
        hide: true,
        params: Type.Object({ id: Id }),
        body: Type.Object({
          _csrf: Type.Optional(Type.String()),
          explanation: Type.Optional(Type.String({ maxLength: 4000 })),
        }),
      },
      config: { policy: { anyPermission: CARD_HANDLERS } },
    },
    async (request, reply) => {
      const { id } = request.params
      const explanation = request.body.explanation ?? ''
      try {
        await acknowledgeCard(deps, request.principal!, id, explanation, context(request))
        return reply.redirect(`/supervision/cards/${id}?done=1`, 303)
      } catch (error) {
        if (!(error instanceof DomainError) || !['invalid', 'conflict'].includes(error.kind)) throw error
        const errors = error.details.length > 0 ? error.details : [{ field: 'explanation', message: error.message }]
        return reply.page(await renderCard(request, id, { errors, values: { explanation } }), error.status)
      }
    },
  )

  // ----- a case (read-only) ---------------------------------------------------------------------------

  app.get(
    '/supervision/cases/:id',
    { schema: { hide: true, params: Type.Object({ id: Id }) }, config: SUPERVISORS },
    async (request, reply) => {
      const view = await supervisionCaseView(deps, request.params.id)
      const cards = await listCards(deps.db, {
        applicationId: request.params.id,
        status: 'all',
        page: 1,
        pageSize: 100,
      })
      return reply.page(
        CasePage({
          app: view.app,
          stateName: view.stateName,
          departmentName: view.departmentName,
          applicantName: view.applicant.name,
          timeline: view.timeline,
          cards: cards.rows,
        }),
      )
    },
  )

  // ----- performance reports --------------------------------------------------------------------------

  const ReportQuery = Type.Object({
    period: Type.Optional(Type.String({ maxLength: 10 })),
    departmentId: IdOpt,
  })

  app.get(
    '/supervision/reports',
    { schema: { hide: true, querystring: ReportQuery }, config: SUPERVISORS },
    async (request, reply) => {
      const periods = reportPeriods(today())
      const periodCode = request.query.period || previousMonth(today())
      const departmentId = request.query.departmentId || undefined
      const departments = await departmentChoices(deps).then((list) =>
        list.map((d) => ({ value: d.id, label: d.name })),
      )
      try {
        const report = await performanceReport(deps, periodCode, { departmentId, ratings })
        const chart =
          report.departments.length > 0
            ? barChart(
                `${report.period.label}部门综合得分`,
                report.departments.map((d) => ({ label: d.departmentName, value: d.score })),
                { unit: '分', max: 100 },
              )
            : undefined
        return reply.page(ReportsPage({ report, periodCode, periods, departments, departmentId, chart }))
      } catch (error) {
        if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error
        return reply.page(
          ReportsPage({
            periodCode,
            periods,
            departments,
            departmentId,
            errors: error.details.length > 0 ? error.details : [{ field: 'period', message: error.message }],
          }),
          422,
        )
      }
    },
  )

  for (const format of ['xlsx', 'pdf'] as const) {
    app.get(
      `/supervision/reports/export.${format}`,
      { schema: { hide: true, querystring: ReportQuery }, config: SUPERVISORS },
      async (request, reply) => {
        const departmentId = request.query.departmentId || undefined
        const report = await performanceReport(deps, request.query.period || previousMonth(today()), {
          departmentId,
          ratings,
        })
        const who = departmentId ? ((await departmentNames(deps.db)).get(departmentId) ?? '') : '潮安区各部门'
        const title = `${who}政务服务绩效考核报告（${report.period.label}）`
        if (format === 'xlsx') {
          const bytes = await reportWorkbook(report)
          reply.header('content-disposition', contentDisposition(`${title}.xlsx`))
          return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(bytes)
        }
        const bytes = await reportPdf(report, title)
        reply.header('content-disposition', contentDisposition(`${title}.pdf`))
        return reply.type('application/pdf').send(bytes)
      },
    )
  }

  // ----- settings ---------------------------------------------------------------------------------------

  async function renderSettings(
    values: Record<string, string>,
    extra: { errors?: FieldError[]; done?: 'saved' | 'reset' } = {},
  ) {
    const change = await lastSettingsChange(deps.db)
    const names = change?.staffId ? await staffNames(deps.db, [change.staffId]) : new Map<string, string>()
    return SettingsPage({
      values,
      lastChange: change
        ? { at: change.at, by: (change.staffId && names.get(change.staffId)) || '（未知工作人员）' }
        : undefined,
      ...extra,
    })
  }

  app.get(
    '/supervision/settings',
    {
      schema: { hide: true, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 10 })) }) },
      config: SETTINGS_EDITORS,
    },
    async (request, reply) => {
      const done = request.query.done === 'saved' || request.query.done === 'reset' ? request.query.done : undefined
      return reply.page(await renderSettings(settingsFormValues(await loadSettings(deps.db)), { done }))
    },
  )

  app.post(
    '/supervision/settings',
    {
      schema: {
        hide: true,
        body: Type.Object({
          _csrf: Type.Optional(Type.String({ maxLength: 200 })),
          ...Object.fromEntries(
            SETTINGS_FORM_FIELDS.map((name) => [name, Type.Optional(Type.String({ maxLength: 100 }))]),
          ),
        }),
      },
      config: SETTINGS_EDITORS,
    },
    async (request, reply) => {
      const { values, draft } = readSettingsForm(request.body as Record<string, string | undefined>)
      try {
        await saveSettings(deps, request.principal!, draft, context(request))
        return reply.redirect('/supervision/settings?done=saved', 303)
      } catch (error) {
        if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error
        // The form again with what was typed; 400: nothing was saved.
        return reply.page(await renderSettings(values, { errors: error.details }), 400)
      }
    },
  )

  app.post(
    '/supervision/settings/reset',
    {
      schema: { hide: true, body: Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) }) },
      config: SETTINGS_EDITORS,
    },
    async (request, reply) => {
      await resetSettings(deps, request.principal!, context(request))
      return reply.redirect('/supervision/settings?done=reset', 303)
    },
  )
}
