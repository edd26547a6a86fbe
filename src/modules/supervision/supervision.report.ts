/**
 * 绩效考核: the monthly or quarterly assessment of each department, from the statistics (never
 * from figures kept beside them) and the warning cards of the period, with a score out of 100:
 *
 *   score = Σ weight × indicator (weights of supervision.settings.ts, renormalised over the
 *           indicators the department has figures for) − min(cap, red cards × penalty)
 *
 * Indicators (0–1): 按时办结率 = 1 − 超期率; 网上全流程办理率; 满意度 = 满意度得分 ÷ 100; 差评整改率;
 * 一次办成率 = 1 − 补正率. Exported as an Excel workbook and as a PDF (the platform's PDF path with
 * the embedded Noto Sans SC).
 */
import ExcelJS from 'exceljs'
import { addCalendarDays } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import { newDocument, toBuffer } from '../../platform/pdf/pdf.js'
import { invalidPeriod } from './supervision.errors.js'
import type { RatingsFacts } from './supervision.ratings.js'
import { cardCounts } from './supervision.repository.js'
import { loadSettings, type ScoreWeights, type SupervisionSettings, WEIGHT_NAMES } from './supervision.settings.js'
import {
  CHANNEL_NAMES,
  computeStatistics,
  DIMENSION_NAMES,
  type GroupStatistics,
  type Statistics,
  topCorrectedMaterials,
} from './supervision.stats.js'

export interface ReportPeriod {
  /** 2026-05 (a month) or 2026-Q2 (a quarter). */
  code: string
  kind: 'month' | 'quarter'
  from: string
  to: string
  /** 2026年5月, 2026年第二季度. */
  label: string
}

const QUARTER_NAMES = ['一', '二', '三', '四']

function lastDayOfMonth(year: number, month: number): string {
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`
  return addCalendarDays(next, -1)
}

/**
 * Reads a report period code.
 * @throws SUPERVISION_INVALID_PERIOD for anything but YYYY-MM or YYYY-Qn (years 2000–2099)
 */
export function parseReportPeriod(code: string): ReportPeriod {
  const month = /^(20\d\d)-(0[1-9]|1[0-2])$/.exec(code)
  if (month) {
    const y = Number(month[1])
    const m = Number(month[2])
    return { code, kind: 'month', from: `${month[1]}-${month[2]}-01`, to: lastDayOfMonth(y, m), label: `${y}年${m}月` }
  }
  const quarter = /^(20\d\d)-Q([1-4])$/.exec(code)
  if (quarter) {
    const y = Number(quarter[1])
    const q = Number(quarter[2])
    const first = (q - 1) * 3 + 1
    return {
      code,
      kind: 'quarter',
      from: `${y}-${String(first).padStart(2, '0')}-01`,
      to: lastDayOfMonth(y, first + 2),
      label: `${y}年第${QUARTER_NAMES[q - 1]}季度`,
    }
  }
  throw invalidPeriod('考核期间应为月份（如 2026-05）或季度（如 2026-Q2）')
}

/** The month before the one containing `today` (the usual report). */
export function previousMonth(today: string): string {
  return addCalendarDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7)
}

export interface Indicator {
  key: keyof ScoreWeights
  name: string
  weight: number
  /** 0–1, or null without figures. */
  value: number | null
}

export interface DepartmentAssessment {
  departmentId: string
  departmentName: string
  stats: GroupStatistics
  indicators: Indicator[]
  redCards: number
  yellowCards: number
  /** Red and yellow cards still not explained by the department. */
  unexplained: number
  penalty: number
  /** Out of 100, one decimal; null when no indicator has figures. */
  score: number | null
  rank: number | null
}

export interface PerformanceReport {
  period: ReportPeriod
  settings: SupervisionSettings
  total: GroupStatistics
  departments: DepartmentAssessment[]
  /** The materials most often asked for in corrections, district-wide or of the department. */
  topCorrections: Awaited<ReturnType<typeof topCorrectedMaterials>>
  generatedAt: string
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v))

export function indicatorsOf(g: GroupStatistics, weights: ScoreWeights): Indicator[] {
  const values: Record<keyof ScoreWeights, number | null> = {
    onTime: g.overdueRate === null ? null : clamp01(1 - g.overdueRate),
    online: g.onlineRate,
    satisfaction: g.satisfaction?.score == null ? null : clamp01(g.satisfaction.score / 100),
    rectification: g.satisfaction?.rectification.rate ?? null,
    firstTime: g.correctionRate === null ? null : clamp01(1 - g.correctionRate),
  }
  return (Object.keys(WEIGHT_NAMES) as (keyof ScoreWeights)[]).map((key) => ({
    key,
    name: WEIGHT_NAMES[key],
    weight: weights[key],
    value: values[key],
  }))
}

/** The score: weights renormalised over indicators with figures, minus the red-card penalty. */
export function scoreOf(indicators: Indicator[], penalty: number): number | null {
  const counted = indicators.filter((i) => i.value !== null && i.weight > 0)
  const weight = counted.reduce((s, i) => s + i.weight, 0)
  if (weight === 0) return null
  const raw = (counted.reduce((s, i) => s + i.weight * (i.value ?? 0), 0) / weight) * 100
  return Math.round(Math.max(0, raw - penalty) * 10) / 10
}

/** The assessment of every department with anything in [from, to] (or of one). */
export async function assessPeriod(
  deps: Deps,
  period: { from: string; to: string },
  options: { departmentId?: string; ratings?: RatingsFacts } = {},
): Promise<{ settings: SupervisionSettings; total: GroupStatistics; departments: DepartmentAssessment[] }> {
  const settings = await loadSettings(deps.db)
  const start = new Date(`${period.from}T00:00:00+08:00`).toISOString()
  const end = new Date(`${addCalendarDays(period.to, 1)}T00:00:00+08:00`).toISOString()
  const [stats, cards] = await Promise.all([
    computeStatistics(
      deps,
      { from: period.from, to: period.to, departmentId: options.departmentId, by: 'department' },
      { ratings: options.ratings },
    ),
    cardCounts(deps.db, { raisedFrom: start, raisedBefore: end, departmentId: options.departmentId }),
  ])
  const departments: DepartmentAssessment[] = stats.groups
    .filter((g) => g.key !== null)
    .map((g) => {
      const own = cards.filter((c) => c.departmentId === g.key)
      const redCards = own.filter((c) => c.level === 'red').reduce((s, c) => s + c.raised, 0)
      const yellowCards = own.filter((c) => c.level === 'yellow').reduce((s, c) => s + c.raised, 0)
      const penalty = Math.min(settings.penaltyCap, redCards * settings.redCardPenalty)
      const indicators = indicatorsOf(g, settings.weights)
      return {
        departmentId: g.key!,
        departmentName: g.label,
        stats: g,
        indicators,
        redCards,
        yellowCards,
        unexplained: own.reduce((s, c) => s + c.unacknowledged, 0),
        penalty,
        score: scoreOf(indicators, penalty),
        rank: null,
      }
    })
  departments.sort(
    (a, b) => (b.score ?? -1) - (a.score ?? -1) || a.departmentName.localeCompare(b.departmentName, 'zh-Hans-CN'),
  )
  // Equal scores share a rank (1, 2, 2, 4).
  let rank = 0
  let previous: number | null | undefined
  departments.forEach((d, i) => {
    if (d.score === null) return
    if (d.score !== previous) rank = i + 1
    previous = d.score
    d.rank = rank
  })
  return { settings, total: stats.total, departments }
}

/** The monthly or quarterly report (绩效考核). */
export async function performanceReport(
  deps: Deps,
  periodCode: string,
  options: { departmentId?: string; ratings?: RatingsFacts } = {},
): Promise<PerformanceReport> {
  const period = parseReportPeriod(periodCode)
  const [assessed, topCorrections] = await Promise.all([
    assessPeriod(deps, period, options),
    topCorrectedMaterials(deps, { from: period.from, to: period.to, departmentId: options.departmentId }, 10),
  ])
  return { period, ...assessed, topCorrections, generatedAt: deps.clock.now().toISOString() }
}

export const pct = (v: number | null | undefined, digits = 1) => (v == null ? '—' : `${(v * 100).toFixed(digits)}%`)
export const num = (v: number | null | undefined, digits = 1) => (v == null ? '—' : v.toFixed(digits))

/** The columns of the report, shared by the page, the workbook and the PDF. */
export const REPORT_COLUMNS: { header: string; value: (d: DepartmentAssessment) => string | number }[] = [
  { header: '排名', value: (d) => d.rank ?? '—' },
  { header: '部门', value: (d) => d.departmentName },
  { header: '综合得分', value: (d) => num(d.score) },
  { header: '收件', value: (d) => d.stats.received },
  { header: '受理', value: (d) => d.stats.accepted },
  { header: '办结', value: (d) => d.stats.completed },
  { header: '按时办结率', value: (d) => pct(d.indicators.find((i) => i.key === 'onTime')?.value) },
  { header: '网上全流程办理率', value: (d) => pct(d.stats.onlineRate) },
  { header: '平均用时（天）', value: (d) => num(d.stats.duration.averageUsed) },
  { header: '90%用时（天）', value: (d) => num(d.stats.duration.p90Used, 0) },
  { header: '平均承诺（天）', value: (d) => num(d.stats.duration.averagePromised) },
  { header: '补正率', value: (d) => pct(d.stats.correctionRate) },
  { header: '满意度得分', value: (d) => num(d.stats.satisfaction?.score) },
  { header: '差评', value: (d) => d.stats.satisfaction?.bad ?? '—' },
  { header: '差评整改率', value: (d) => pct(d.stats.satisfaction?.rectification.rate) },
  { header: '红牌', value: (d) => d.redCards },
  { header: '黄牌', value: (d) => d.yellowCards },
  { header: '扣分', value: (d) => d.penalty },
]

/** The figures of a group in the statistics (统计明细), shared by the page and the workbook. */
export const STATISTICS_COLUMNS: { header: string; value: (g: GroupStatistics) => string | number }[] = [
  { header: '收件', value: (g) => g.received },
  { header: '受理', value: (g) => g.accepted },
  { header: '不予受理', value: (g) => g.notAccepted },
  { header: '办结', value: (g) => g.completed },
  { header: '不予许可', value: (g) => g.refused },
  { header: '撤回', value: (g) => g.withdrawn },
  { header: '网上全流程办理率', value: (g) => pct(g.onlineRate) },
  { header: '平均用时', value: (g) => num(g.duration.averageUsed) },
  { header: '90%用时', value: (g) => num(g.duration.p90Used, 0) },
  { header: '平均承诺', value: (g) => num(g.duration.averagePromised) },
  { header: '承诺内办结', value: (g) => pct(g.duration.withinPromisedRate) },
  { header: '超期率', value: (g) => pct(g.overdueRate) },
  { header: '补正率', value: (g) => pct(g.correctionRate) },
  { header: '评价', value: (g) => g.satisfaction?.total ?? '—' },
  { header: '满意度得分', value: (g) => num(g.satisfaction?.score) },
  { header: '差评', value: (g) => g.satisfaction?.bad ?? '—' },
  { header: '整改率', value: (g) => pct(g.satisfaction?.rectification.rate) },
  { header: '整改及时率', value: (g) => pct(g.satisfaction?.rectification.timelinessRate) },
]

/**
 * The statistics as an Excel workbook: every group (the page shows them fifty at a time) and the
 * total, under the period, the filters and the day open cases were judged on.
 */
export async function statisticsWorkbook(
  stats: Statistics,
  options: { departmentName?: string; generatedAt: string },
): Promise<Buffer> {
  const q = stats.query
  const wb = new ExcelJS.Workbook()
  wb.creator = '潮安区网上办事大厅'
  wb.created = new Date(options.generatedAt)
  const sheet = wb.addWorksheet('统计明细')
  sheet.addRow([`潮安区政务服务统计明细（按${DIMENSION_NAMES[q.by]}）`])
  sheet.getRow(1).font = { bold: true, size: 14 }
  const filters = [
    `统计期间：${q.from} 至 ${q.to}`,
    `部门：${options.departmentName ?? '全部部门'}`,
    `渠道：${q.channel ? (CHANNEL_NAMES[q.channel] ?? q.channel) : '全部渠道'}`,
    `统计截止：${stats.asOf}（在办件是否超期按此日判断）`,
  ]
  sheet.addRow([filters.join('　')])
  const header = [DIMENSION_NAMES[q.by], ...STATISTICS_COLUMNS.map((c) => c.header)]
  sheet.addRow(header)
  sheet.getRow(3).font = { bold: true }
  for (const g of [...stats.groups, stats.total]) sheet.addRow([g.label, ...STATISTICS_COLUMNS.map((c) => c.value(g))])
  sheet.getRow(sheet.rowCount).font = { bold: true }
  sheet.columns.forEach((col, i) => {
    col.width = i === 0 ? 36 : 12
  })
  sheet.views = [{ state: 'frozen', ySplit: 3, xSplit: 1 }]
  return Buffer.from(await wb.xlsx.writeBuffer())
}

const DEFINITIONS: [string, string][] = [
  ['收件', '统计期间内提交的申请'],
  ['受理', '统计期间内受理（含《行政许可法》第三十二条视为受理）的申请'],
  ['办结', '统计期间内送达办结，或作出不予许可决定并办结的申请'],
  ['按时办结率', '1 −（超法定期限办结 + 统计截止日仍在办且已超期）÷（办结 + 在办）'],
  ['网上全流程办理率', '办结件中网上全流程办理（零跑动）的比例；区目标 2017 年底 ≥70%，2020 年底 ≥80%'],
  ['用时', '承诺时限计时：自受理次日起，扣除特别程序时间，按事项的计时单位（工作日或自然日）'],
  ['补正率', '统计期间收件中被一次性告知补正的比例'],
  ['满意度得分', '统计期间评价的平均等级 × 20（非常满意 = 100）；申诉成立的差评不计入'],
  ['差评整改率', '统计期间产生的差评中已整改答复或解释说明的比例'],
  ['综合得分', '各项指标按权重加权（无数据的指标不计入，权重按比例折算），减去红牌扣分（有上限）'],
]

/** The report as an Excel workbook: 绩效考核, 指标说明, 常见补正材料. */
export async function reportWorkbook(report: PerformanceReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = '潮安区网上办事大厅'
  wb.created = new Date(report.generatedAt)
  const sheet = wb.addWorksheet('绩效考核')
  sheet.addRow([`潮安区政务服务绩效考核（${report.period.label}）`])
  sheet.getRow(1).font = { bold: true, size: 14 }
  sheet.addRow([`统计期间：${report.period.from} 至 ${report.period.to}`])
  sheet.addRow(REPORT_COLUMNS.map((c) => c.header))
  sheet.getRow(3).font = { bold: true }
  for (const d of report.departments) sheet.addRow(REPORT_COLUMNS.map((c) => c.value(d)))
  const t = report.total
  sheet.addRow([
    '',
    '全区合计',
    '',
    t.received,
    t.accepted,
    t.completed,
    pct(t.overdueRate === null ? null : 1 - t.overdueRate),
    pct(t.onlineRate),
    num(t.duration.averageUsed),
    num(t.duration.p90Used, 0),
    num(t.duration.averagePromised),
    pct(t.correctionRate),
    num(t.satisfaction?.score),
    t.satisfaction?.bad ?? '—',
    pct(t.satisfaction?.rectification.rate),
  ])
  sheet.columns.forEach((col, i) => {
    col.width = i === 1 ? 24 : 12
  })
  sheet.views = [{ state: 'frozen', ySplit: 3 }]

  const weights = wb.addWorksheet('指标说明')
  weights.addRow(['指标', '权重', '说明'])
  weights.getRow(1).font = { bold: true }
  for (const [key, name] of Object.entries(WEIGHT_NAMES)) {
    weights.addRow([name, report.settings.weights[key as keyof ScoreWeights], ''])
  }
  weights.addRow(['红牌扣分', `每张 ${report.settings.redCardPenalty} 分，最多 ${report.settings.penaltyCap} 分`, ''])
  for (const [name, text] of DEFINITIONS) weights.addRow([name, '', text])
  weights.getColumn(1).width = 20
  weights.getColumn(2).width = 24
  weights.getColumn(3).width = 80

  const corrections = wb.addWorksheet('常见补正材料')
  corrections.addRow(['事项', '材料', '被要求补正次数'])
  corrections.getRow(1).font = { bold: true }
  for (const c of report.topCorrections) corrections.addRow([c.itemName, c.materialName, c.count])
  corrections.getColumn(1).width = 36
  corrections.getColumn(2).width = 36
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** The report as a PDF (A4 landscape pages of the table, then the definitions). */
export async function reportPdf(report: PerformanceReport, title: string): Promise<Buffer> {
  const doc = newDocument({ title, author: '潮安区政务服务数据管理局', subject: '政务服务绩效考核' })
  doc.fontSize(18).font('cn-bold').text(title, { align: 'center' })
  doc.moveDown(0.3)
  doc.font('cn').fontSize(10).text(`统计期间：${report.period.from} 至 ${report.period.to}`, { align: 'center' })
  doc.moveDown(1)
  const left = doc.page.margins.left
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right
  const rows = report.departments
  // One block per department: the table is too wide for A4 portrait.
  for (const d of rows) {
    if (doc.y > doc.page.height - doc.page.margins.bottom - 150) doc.addPage()
    doc
      .font('cn-bold')
      .fontSize(12)
      .text(`${d.rank ? `第 ${d.rank} 名　` : ''}${d.departmentName}　综合得分 ${num(d.score)}`, left, doc.y, { width })
    doc.font('cn').fontSize(9.5)
    const pairs = REPORT_COLUMNS.slice(3).map((c) => `${c.header}：${c.value(d)}`)
    for (let i = 0; i < pairs.length; i += 3) {
      const y = doc.y
      pairs.slice(i, i + 3).forEach((p, j) => {
        doc.text(p, left + (j * width) / 3, y, { width: width / 3 - 6, lineBreak: false })
      })
      doc.moveDown(0.2)
    }
    doc.moveDown(0.6)
  }
  if (rows.length === 0) doc.fontSize(11).text('统计期间内没有办件。')
  doc.addPage()
  doc.font('cn-bold').fontSize(13).text('指标与权重')
  doc.font('cn').fontSize(9.5).moveDown(0.3)
  for (const [key, name] of Object.entries(WEIGHT_NAMES)) {
    doc.text(`${name}：权重 ${report.settings.weights[key as keyof ScoreWeights]}`)
  }
  doc.text(`红牌扣分：每张 ${report.settings.redCardPenalty} 分，最多 ${report.settings.penaltyCap} 分`)
  doc.moveDown(0.5)
  for (const [name, text] of DEFINITIONS) doc.text(`${name}：${text}`)
  if (report.topCorrections.length > 0) {
    doc.moveDown(0.8)
    doc.font('cn-bold').fontSize(13).text('最常被要求补正的材料')
    doc.font('cn').fontSize(9.5).moveDown(0.3)
    for (const c of report.topCorrections) doc.text(`${c.itemName}　${c.materialName}　${c.count} 次`)
  }
  doc.moveDown(1)
  doc.fontSize(8).fillColor('#555').text(`生成时间：${report.generatedAt}（数据来自办件、评价和预警记录）`)
  return toBuffer(doc)
}
