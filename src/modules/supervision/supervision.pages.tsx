/**
 * The supervision pages (效能监管): the dashboard with charts (trend, department ranking,
 * satisfaction), the statistics table, the warning board with its drill-down department → item
 * → case, a card with the department's explanation, a case (read-only), the performance
 * reports and the settings form. Charts are server-rendered SVG (supervision.charts.ts), each followed by its figures
 * as a table. Pages take plain data and render; the routes load.
 */
import type { ComponentChildren } from 'preact'
import {
  Button,
  ButtonLink,
  type Column,
  ErrorSummary,
  errorMap,
  type FieldError,
  Form,
  fieldId,
  formatDateTime,
  Layout,
  Notice,
  Pagination,
  Select,
  SummaryList,
  Table,
  Tag,
  Textarea,
  TextInput,
} from '../../platform/ui/index.js'
import { formatApplicationNo, type SupervisionCaseRow } from '../applications/index.js'
import {
  type DepartmentAssessment,
  num,
  type PerformanceReport,
  pct,
  REPORT_COLUMNS,
  STATISTICS_COLUMNS,
} from './supervision.report.js'
import type { CardCountsRow } from './supervision.repository.js'
import { LEVEL_NAMES, RESOLUTIONS, RULES, ruleName } from './supervision.rules.js'
import {
  DEFAULT_SETTINGS,
  MAX_TARGETS,
  NUMBER_SETTINGS,
  type NumberSettingKey,
  type ScoreWeights,
  WEIGHT_NAMES,
} from './supervision.settings.js'
import {
  CHANNEL_NAMES,
  DIMENSION_NAMES,
  type GroupStatistics,
  type Statistics,
  type WeekPoint,
} from './supervision.stats.js'
import type { CardRecipient, WarningCardTable } from './supervision.tables.js'

const HOME = { href: '/supervision', label: '效能监管' }

/** An inline server-rendered chart and, below it, its figures as a table. */
export function Chart({ svg, children }: { svg: string; children?: ComponentChildren }) {
  return (
    <figure class="chart">
      <div class="chart__image" dangerouslySetInnerHTML={{ __html: svg }} />
      {children ? (
        <details class="chart__data">
          <summary>查看图表数据（表格）</summary>
          {children}
        </details>
      ) : null}
    </figure>
  )
}

function Kpi({ label, value, note }: { label: string; value: ComponentChildren; note?: ComponentChildren }) {
  return (
    <div class="kpi">
      <p class="kpi__label">{label}</p>
      <p class="kpi__value">{value}</p>
      {note ? <p class="kpi__note">{note}</p> : null}
    </div>
  )
}

function PeriodForm({
  action,
  from,
  to,
  errors,
  children,
}: {
  action: string
  from: string
  to: string
  errors?: FieldError[]
  children?: ComponentChildren
}) {
  const e = errorMap(errors)
  return (
    <Form action={action} method="get" class="wb-filters" aria-label="统计期间">
      <div class="wb-filters__row">
        <TextInput name="from" label="从" type="date" class="input--medium" value={from} error={e.from} />
        <TextInput name="to" label="到" type="date" class="input--medium" value={to} hint="含当天" error={e.to} />
        {children}
        <div class="wb-filters__actions">
          <Button variant="secondary">查看</Button>
        </div>
      </div>
    </Form>
  )
}

export interface DashboardProps {
  from: string
  to: string
  errors?: FieldError[]
  stats: Statistics
  weeks: WeekPoint[]
  ranking: DepartmentAssessment[]
  openCards: { red: number; yellow: number; unexplained: number }
  onlineTarget: { by: string; percent: number }
  charts: { trend: string; ranking: string; online: string; satisfaction: string | null }
  /** Supervisors who may change the settings (supervision.handle) get the link. */
  canEditSettings?: boolean
}

export function DashboardPage(p: DashboardProps) {
  const t = p.stats.total
  const sat = t.satisfaction
  return (
    <Layout title="效能监管" wide breadcrumbs={[{ href: '/', label: '首页' }, { label: '效能监管' }]}>
      <ErrorSummary errors={p.errors} />
      <h1 class="heading-xl">效能监管</h1>
      <p class="lead">
        全区政务服务办件的实时监管：办件量、网上全流程办理率、时限、补正、满意度和预警情况。数据直接由办件、评价和预警记录计算。
      </p>
      <nav class="sv-links" aria-label="效能监管功能">
        <a href="/supervision/cards">预警牌看板</a>
        <a href={`/supervision/statistics?from=${p.from}&to=${p.to}`}>统计明细</a>
        <a href="/supervision/reports">绩效考核报告</a>
        <a href="/supervision/ratings">好差评督办</a>
        <a href={`/api/ratings/export?from=${p.from}&to=${p.to}`}>导出好差评数据（JSON）</a>
        {p.canEditSettings ? <a href="/supervision/settings">效能监管设置</a> : null}
      </nav>
      <PeriodForm action="/supervision" from={p.from} to={p.to} errors={p.errors} />
      <section class="kpis" aria-label="主要指标">
        <Kpi label="收件" value={t.received} />
        <Kpi label="受理" value={t.accepted} note={`其中视为受理 ${t.deemedAccepted}`} />
        <Kpi label="办结" value={t.completed} />
        <Kpi
          label="网上全流程办理率"
          value={pct(t.onlineRate)}
          note={`目标 ≥${p.onlineTarget.percent}%（${p.onlineTarget.by.slice(0, 4)} 年底）`}
        />
        <Kpi label="超期率" value={pct(t.overdueRate)} note={`统计截止 ${p.stats.asOf}`} />
        <Kpi
          label="平均用时"
          value={t.duration.averageUsed === null ? '—' : `${num(t.duration.averageUsed)} 天`}
          note={`承诺平均 ${num(t.duration.averagePromised)} 天，90% 在 ${num(t.duration.p90Used, 0)} 天内`}
        />
        <Kpi label="补正率" value={pct(t.correctionRate)} />
        <Kpi
          label="满意度得分"
          value={sat ? num(sat.score) : '—'}
          note={sat ? `评价 ${sat.total} 条，差评 ${sat.bad} 条` : '未接入好差评'}
        />
        <Kpi
          label="差评整改率"
          value={pct(sat?.rectification.rate)}
          note={sat ? `按时 ${pct(sat.rectification.timelinessRate)}` : undefined}
        />
        <Kpi
          label="未结预警"
          value={
            <a href="/supervision/cards">
              红牌 {p.openCards.red} · 黄牌 {p.openCards.yellow}
            </a>
          }
          note={`待部门说明 ${p.openCards.unexplained} 张`}
        />
      </section>

      <h2 class="heading-l">收件与办结趋势（按周）</h2>
      <Chart svg={p.charts.trend}>
        <Table
          caption="每周收件与办结"
          columns={[
            { header: '周（周一）', cell: (w: WeekPoint) => w.week },
            { header: '收件', numeric: true, cell: (w) => w.received },
            { header: '办结', numeric: true, cell: (w) => w.completed },
          ]}
          rows={p.weeks}
          rowKey={(w) => w.week}
        />
      </Chart>

      <h2 class="heading-l">部门排名（综合得分）</h2>
      <Chart svg={p.charts.ranking}>
        <RankingTable rows={p.ranking} />
      </Chart>

      <h2 class="heading-l">各部门网上全流程办理率</h2>
      <Chart svg={p.charts.online}>
        <Table
          caption="各部门网上全流程办理率"
          columns={[
            { header: '部门', cell: (g: GroupStatistics) => g.label },
            { header: '办结', numeric: true, cell: (g) => g.completed },
            { header: '网上全流程办结', numeric: true, cell: (g) => g.onlineFull },
            { header: '网上全流程办理率', numeric: true, cell: (g) => pct(g.onlineRate) },
          ]}
          rows={p.stats.groups}
          rowKey={(g) => g.key ?? '-'}
        />
      </Chart>

      {sat && p.charts.satisfaction ? (
        <>
          <h2 class="heading-l">满意度分布</h2>
          <Chart svg={p.charts.satisfaction}>
            <Table
              caption="各等级评价数"
              columns={[
                { header: '等级', cell: (r: { label: string; n: number }) => r.label },
                { header: '评价数', numeric: true, cell: (r) => r.n },
              ]}
              rows={SAT_LEVELS.map((label, i) => ({ label, n: sat.byLevel[4 - i] ?? 0 }))}
              rowKey={(r) => r.label}
            />
          </Chart>
        </>
      ) : null}
    </Layout>
  )
}

export const SAT_LEVELS = ['非常满意', '满意', '基本满意', '不满意', '非常不满意']

function RankingTable({ rows }: { rows: DepartmentAssessment[] }) {
  return (
    <Table
      caption="部门综合得分"
      columns={REPORT_COLUMNS.map((c) => ({
        header: c.header,
        numeric: typeof c.value === 'function' && c.header !== '部门',
        cell: (d: DepartmentAssessment) => c.value(d),
      }))}
      rows={rows}
      rowKey={(d) => d.departmentId}
      empty="统计期间内没有办件。"
    />
  )
}

// ----- statistics ------------------------------------------------------------------------------------

export interface StatisticsPageProps {
  stats: Statistics
  errors?: FieldError[]
  departments: { value: string; label: string }[]
  corrections: { itemName: string; materialName: string; count: number }[]
}

const statColumns = (by: string): Column<GroupStatistics>[] => [
  { header: DIMENSION_NAMES[by as keyof typeof DIMENSION_NAMES] ?? '分组', cell: (g) => g.label },
  ...STATISTICS_COLUMNS.map((c) => ({ header: c.header, numeric: true, cell: c.value })),
]

/** The query string of the statistics shown (and of one of their pages). */
function statisticsQuery(stats: Statistics, page?: number): string {
  const q = stats.query
  const params = new URLSearchParams({ from: q.from, to: q.to, by: q.by })
  if (q.departmentId) params.set('departmentId', q.departmentId)
  if (q.channel) params.set('channel', q.channel)
  if (page !== undefined) params.set('page', String(page))
  return params.toString()
}

/** "：共 N 个，第 a–b 个" when the groups fill more than a page. */
function statisticsRange(stats: Statistics): string {
  const page = stats.page
  if (!page || (stats.groupCount <= page.size && page.number === 1)) return ''
  const first = (page.number - 1) * page.size + 1
  const shown = stats.groups.length
  const name = DIMENSION_NAMES[stats.query.by]
  return shown === 0
    ? `：共 ${stats.groupCount} 个${name}，没有第 ${page.number} 页`
    : `：共 ${stats.groupCount} 个${name}，本页第 ${first}–${first + shown - 1} 个，按收件数从多到少排列`
}

export function StatisticsPage({ stats, errors, departments, corrections }: StatisticsPageProps) {
  const q = stats.query
  return (
    <Layout title="统计明细" wide breadcrumbs={[{ href: '/', label: '首页' }, HOME, { label: '统计明细' }]}>
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">统计明细</h1>
      <PeriodForm action="/supervision/statistics" from={q.from} to={q.to} errors={errors}>
        <Select
          name="by"
          label="分组"
          value={q.by}
          placeholder=""
          options={Object.entries(DIMENSION_NAMES).map(([value, label]) => ({ value, label }))}
        />
        <Select
          name="departmentId"
          label="部门"
          value={q.departmentId ?? ''}
          placeholder="全部部门"
          options={departments}
        />
        <Select
          name="channel"
          label="渠道"
          value={q.channel ?? ''}
          placeholder="全部渠道"
          options={Object.entries(CHANNEL_NAMES).map(([value, label]) => ({ value, label }))}
        />
      </PeriodForm>
      <p class="hint">
        统计截止 {stats.asOf}。在办件是否超期按统计截止日判断。定义见「效能监管统计口径」（docs/supervision.md）。
      </p>
      {stats.summarisedThrough ? (
        <p class="hint">
          {stats.summarisedThrough} 及以前的数据取自每日汇总
          {stats.summaryRefreshedAt ? `（更新于 ${formatDateTime(stats.summaryRefreshedAt)}，每 5 分钟更新）` : ''}
          {stats.summarisedThrough < stats.query.to ? '，其后的数据为实时统计' : ''}。
        </p>
      ) : null}
      <Table
        caption={`按${DIMENSION_NAMES[q.by]}统计（${q.from} 至 ${q.to}）${statisticsRange(stats)}`}
        columns={statColumns(q.by)}
        rows={[...stats.groups, stats.total]}
        rowKey={(g) => `${g.key ?? '-'}|${g.label}`}
        empty="统计期间内没有办件。"
      />
      {stats.page ? (
        <Pagination
          page={stats.page.number}
          pageCount={Math.ceil(stats.groupCount / stats.page.size)}
          href={(n) => `/supervision/statistics?${statisticsQuery(stats, n)}`}
        />
      ) : null}
      <p>
        <ButtonLink href={`/supervision/statistics.xlsx?${statisticsQuery(stats)}`} variant="secondary">
          导出 Excel
          {stats.groupCount > stats.groups.length ? `（全部 ${stats.groupCount} 个${DIMENSION_NAMES[q.by]}）` : ''}
        </ButtonLink>
      </p>
      <h2 class="heading-l">最常被要求补正的材料</h2>
      <Table
        caption="补正材料排行"
        columns={[
          { header: '事项', cell: (c: StatisticsPageProps['corrections'][number]) => c.itemName },
          { header: '材料', cell: (c) => c.materialName },
          { header: '次数', numeric: true, cell: (c) => c.count },
        ]}
        rows={corrections}
        rowKey={(c) => `${c.itemName}|${c.materialName}`}
        empty="统计期间内没有补正。"
      />
    </Layout>
  )
}

// ----- the warning board -------------------------------------------------------------------------------

export const LevelTag = ({ level }: { level: 'yellow' | 'red' }) => (
  <Tag tone={level === 'red' ? 'red' : 'yellow'}>{LEVEL_NAMES[level]}</Tag>
)

export interface BoardRow {
  key: string
  label: string
  href: string
  red: number
  yellow: number
  active: number
  unexplained: number
}

export function boardRows(
  rows: CardCountsRow[],
  keyOf: (r: CardCountsRow) => string,
  label: (r: CardCountsRow) => string,
  href: (key: string) => string,
): BoardRow[] {
  const out = new Map<string, BoardRow>()
  for (const r of rows) {
    const key = keyOf(r)
    let b = out.get(key)
    if (!b) {
      b = { key, label: label(r), href: href(key), red: 0, yellow: 0, active: 0, unexplained: 0 }
      out.set(key, b)
    }
    if (r.level === 'red') b.red += r.raised
    else b.yellow += r.raised
    b.active += r.active
    b.unexplained += r.unacknowledged
  }
  return [...out.values()].sort(
    (a, b) => b.red - a.red || b.yellow - a.yellow || a.label.localeCompare(b.label, 'zh-Hans-CN'),
  )
}

export interface BoardPageProps {
  from: string
  to: string
  errors?: FieldError[]
  /** Where in the drill-down: the district, a department, an item of it. */
  department?: { id: string; name: string }
  item?: { id: string; name: string }
  rows: BoardRow[]
  cards?: { rows: WarningCardTable[]; total: number; page: number; pageSize: number }
  /** Department staff see only their department. */
  ownDepartmentOnly: boolean
  chart?: string
}

export function BoardPage(p: BoardPageProps) {
  const base = `/supervision/cards?from=${p.from}&to=${p.to}`
  const crumbs = [
    { href: '/', label: '首页' },
    ...(p.ownDepartmentOnly ? [] : [HOME]),
    ...(p.department ? [{ href: p.ownDepartmentOnly ? base : base, label: '预警牌看板' }] : []),
    ...(p.item && p.department ? [{ href: `${base}&departmentId=${p.department.id}`, label: p.department.name }] : []),
    { label: p.item?.name ?? p.department?.name ?? '预警牌看板' },
  ]
  const level = p.item ? '案件' : p.department ? '事项' : '部门'
  return (
    <Layout title="预警牌看板" wide breadcrumbs={crumbs}>
      <ErrorSummary errors={p.errors} />
      <h1 class="heading-xl">
        预警牌看板{p.department ? `：${p.department.name}` : ''}
        {p.item ? ` · ${p.item.name}` : ''}
      </h1>
      <p class="lead">
        电子监察：办件和办理环节到期前一个工作日亮黄牌，超过时限亮红牌；不予受理、不予许可未说明理由，以及差评整改超期也会亮牌。预警牌不会被删除或清除，由责任部门签收并说明。
      </p>
      <Form action="/supervision/cards" method="get" class="wb-filters" aria-label="统计期间">
        <div class="wb-filters__row">
          {p.department && !p.ownDepartmentOnly ? (
            <input type="hidden" name="departmentId" value={p.department.id} />
          ) : null}
          {p.item ? <input type="hidden" name="itemId" value={p.item.id} /> : null}
          <TextInput
            name="from"
            label="亮牌日期从"
            type="date"
            class="input--medium"
            value={p.from}
            error={errorMap(p.errors).from}
          />
          <TextInput
            name="to"
            label="到"
            type="date"
            class="input--medium"
            value={p.to}
            error={errorMap(p.errors).to}
          />
          <div class="wb-filters__actions">
            <Button variant="secondary">查看</Button>
          </div>
        </div>
      </Form>
      {p.chart ? <Chart svg={p.chart} /> : null}
      {p.cards ? null : (
        <Table
          caption={`按${level}统计的预警牌`}
          columns={[
            { header: level, cell: (r: BoardRow) => <a href={r.href}>{r.label}</a> },
            { header: '红牌', numeric: true, cell: (r) => r.red },
            { header: '黄牌', numeric: true, cell: (r) => r.yellow },
            { header: '未结', numeric: true, cell: (r) => r.active },
            { header: '待说明', numeric: true, cell: (r) => r.unexplained },
          ]}
          rows={p.rows}
          rowKey={(r) => r.key}
          empty="统计期间内没有预警牌。"
        />
      )}
      {p.cards ? (
        <>
          <CardTable rows={p.cards.rows} caption={`预警牌（共 ${p.cards.total} 张）`} />
          <Pagination
            page={p.cards.page}
            pageCount={Math.ceil(p.cards.total / p.cards.pageSize)}
            href={(n) =>
              `${base}${p.department ? `&departmentId=${p.department.id}` : ''}${p.item ? `&itemId=${p.item.id}` : ''}&page=${n}`
            }
          />
        </>
      ) : null}
    </Layout>
  )
}

export function CardTable({ rows, caption }: { rows: WarningCardTable[]; caption: string }) {
  return (
    <Table
      caption={caption}
      columns={[
        { header: '预警', cell: (c: WarningCardTable) => <LevelTag level={c.level} /> },
        { header: '规则', cell: (c) => <a href={`/supervision/cards/${c.id}`}>{ruleName(c.rule)}</a> },
        { header: '对象', cell: (c) => c.subjectLabel },
        { header: '期限', cell: (c) => c.dueOn ?? '—' },
        { header: '亮牌时间', cell: (c) => formatDateTime(c.raisedAt) },
        {
          header: '状态',
          cell: (c) => (
            <>
              {c.acknowledgedAt ? <Tag tone="green">已签收说明</Tag> : <Tag tone="red">待说明</Tag>}{' '}
              {c.resolvedAt ? <Tag tone="grey">{RESOLUTIONS[c.resolution ?? ''] ?? '已结束'}</Tag> : null}
            </>
          ),
        },
      ]}
      rows={rows}
      rowKey={(c) => c.id}
      empty="没有预警牌。"
    />
  )
}

export interface CardPageProps {
  card: WarningCardTable
  departmentName: string
  acknowledgedByName: string | null
  canAcknowledge: boolean
  canSeeCase: boolean
  errors?: FieldError[]
  values?: { explanation?: string }
  done?: boolean
  backHref: string
}

export function CardPage(p: CardPageProps) {
  const c = p.card
  const rule = RULES[c.rule as keyof typeof RULES]
  const notified = JSON.parse(c.notified) as CardRecipient[]
  return (
    <Layout
      title={`${LEVEL_NAMES[c.level]}：${ruleName(c.rule)}`}
      breadcrumbs={[{ href: '/', label: '首页' }, { href: p.backHref, label: '预警牌看板' }, { label: '预警牌' }]}
    >
      <ErrorSummary errors={p.errors} />
      {p.done ? (
        <Notice tone="success" title="已签收并说明">
          说明已记录在预警牌上，督查人员可以看到。
        </Notice>
      ) : null}
      <h1 class="heading-xl">
        <LevelTag level={c.level} /> {ruleName(c.rule)}
      </h1>
      <SummaryList
        rows={[
          { key: '对象', value: c.subjectLabel },
          {
            key: '办件',
            value:
              c.applicationId && p.canSeeCase ? (
                <a href={`/supervision/cases/${c.applicationId}`}>
                  {c.applicationNo ? formatApplicationNo(c.applicationNo) : '查看办件'}
                </a>
              ) : (
                ((c.applicationNo && formatApplicationNo(c.applicationNo)) ?? '—')
              ),
          },
          { key: '责任部门', value: p.departmentName },
          { key: '事项', value: c.itemName ?? '—' },
          { key: '期限', value: c.dueOn ?? '—' },
          { key: '依据', value: rule?.basis ?? '—' },
          { key: '亮牌时间', value: formatDateTime(c.raisedAt) },
          {
            key: '已通知',
            value:
              notified.length === 0
                ? '（该部门没有可接收消息的工作人员）'
                : notified.map((n) => `${n.name}${n.delivered ? '' : '（无个人账号，未送达）'}`).join('、'),
          },
          {
            key: '状态',
            value: c.resolvedAt
              ? `${RESOLUTIONS[c.resolution ?? ''] ?? '已结束'}（${formatDateTime(c.resolvedAt)}），预警牌保留备查`
              : '未结',
          },
        ]}
      />
      <h2 class="heading-l">部门签收说明</h2>
      {c.acknowledgedAt ? (
        <>
          <p>
            {p.acknowledgedByName ?? '工作人员'} 于 {formatDateTime(c.acknowledgedAt)} 签收：
          </p>
          <p class="pre-line sv-explanation">{c.explanation}</p>
        </>
      ) : p.canAcknowledge ? (
        <Form action={`/supervision/cards/${c.id}/acknowledge`}>
          <Textarea
            name="explanation"
            label="说明原因和处理情况"
            hint="例如：申请人补充检验报告，已于当日办结。说明提交后不能修改。"
            value={p.values?.explanation}
            error={errorMap(p.errors).explanation}
            required
          />
          <Button>签收并说明</Button>
        </Form>
      ) : (
        <p>责任部门尚未签收说明。</p>
      )}
    </Layout>
  )
}

// ----- a case, read-only ---------------------------------------------------------------------------------

export interface CasePageProps {
  app: {
    id: string
    applicationNo: string | null
    itemName: string | null
    channel: string
    dueOn: string | null
    promisedDueOn: string | null
  }
  stateName: string
  departmentName: string
  applicantName: string
  timeline: { at: string; label: string; actor: string; reason: string | null }[]
  cards: WarningCardTable[]
}

export function CasePage(p: CasePageProps) {
  return (
    <Layout
      title="办件监管"
      wide
      breadcrumbs={[
        { href: '/', label: '首页' },
        HOME,
        { href: '/supervision/cards', label: '预警牌看板' },
        { label: '办件' },
      ]}
    >
      <h1 class="heading-xl">办件 {p.app.applicationNo ? formatApplicationNo(p.app.applicationNo) : ''}</h1>
      <SummaryList
        rows={[
          { key: '事项', value: p.app.itemName ?? '' },
          { key: '办理部门', value: p.departmentName },
          { key: '申请人', value: p.applicantName },
          { key: '渠道', value: CHANNEL_NAMES[p.app.channel] ?? p.app.channel },
          { key: '状态', value: p.stateName },
          { key: '承诺办结期限', value: p.app.promisedDueOn ?? '—' },
          { key: '法定办结期限', value: p.app.dueOn ?? '—' },
        ]}
      />
      <CardTable rows={p.cards} caption="本办件的预警牌" />
      <Table
        caption="办理过程"
        columns={[
          { header: '时间', cell: (t: CasePageProps['timeline'][number]) => formatDateTime(t.at) },
          { header: '环节', cell: (t) => t.label },
          { header: '办理人', cell: (t) => t.actor },
          { header: '理由', cell: (t) => t.reason ?? '' },
        ]}
        rows={p.timeline}
        rowKey={(t) => `${t.at}|${t.label}`}
      />
    </Layout>
  )
}

export function CaseListTable({ rows }: { rows: SupervisionCaseRow[] }) {
  return (
    <Table
      caption="办件"
      columns={[
        {
          header: '办件编号',
          cell: (r: SupervisionCaseRow) => (
            <a href={`/supervision/cases/${r.id}`}>{formatApplicationNo(r.applicationNo ?? '')}</a>
          ),
        },
        { header: '状态', cell: (r) => r.stateName },
        { header: '期限', cell: (r) => r.dueOn ?? '—' },
      ]}
      rows={rows}
      rowKey={(r) => r.id}
    />
  )
}

// ----- performance reports ----------------------------------------------------------------------------

export interface ReportsPageProps {
  report?: PerformanceReport
  periodCode: string
  periods: { value: string; label: string }[]
  departments: { value: string; label: string }[]
  departmentId?: string
  errors?: FieldError[]
  chart?: string
}

export function ReportsPage(p: ReportsPageProps) {
  const q = `period=${encodeURIComponent(p.periodCode)}${p.departmentId ? `&departmentId=${p.departmentId}` : ''}`
  return (
    <Layout title="绩效考核报告" wide breadcrumbs={[{ href: '/', label: '首页' }, HOME, { label: '绩效考核报告' }]}>
      <ErrorSummary errors={p.errors} />
      <h1 class="heading-xl">绩效考核报告</h1>
      <p class="lead">
        按月或按季度对各部门进行绩效考核：按时办结、网上全流程办理、满意度、差评整改和一次办成，扣除红牌分。
      </p>
      <Form action="/supervision/reports" method="get" class="wb-filters" aria-label="考核期间">
        <div class="wb-filters__row">
          <Select
            name="period"
            label="考核期间"
            value={p.periodCode}
            placeholder=""
            options={p.periods}
            error={errorMap(p.errors).period}
          />
          <Select
            name="departmentId"
            label="部门"
            value={p.departmentId ?? ''}
            placeholder="全部部门"
            options={p.departments}
          />
          <div class="wb-filters__actions">
            <Button variant="secondary">查看</Button>
          </div>
        </div>
      </Form>
      {p.report ? (
        <>
          <p class="sv-downloads">
            <ButtonLink href={`/supervision/reports/export.xlsx?${q}`} variant="secondary">
              下载 Excel
            </ButtonLink>{' '}
            <ButtonLink href={`/supervision/reports/export.pdf?${q}`} variant="secondary">
              下载 PDF
            </ButtonLink>
          </p>
          <h2 class="heading-l">
            {p.report.period.label}（{p.report.period.from} 至 {p.report.period.to}）
          </h2>
          {p.chart ? <Chart svg={p.chart} /> : null}
          <RankingTable rows={p.report.departments} />
          <p class="hint">
            权重：
            {(Object.keys(WEIGHT_NAMES) as (keyof ScoreWeights)[])
              .map((key) => `${WEIGHT_NAMES[key]} ${p.report?.settings.weights[key]}`)
              .join('，')}
            ；红牌每张扣 {p.report.settings.redCardPenalty} 分，最多扣 {p.report.settings.penaltyCap}{' '}
            分。无数据的指标不计入，权重按比例折算。
          </p>
        </>
      ) : null}
    </Layout>
  )
}

// ----- the public section on 好差评公示 ------------------------------------------------------------------

export function PublicStatisticsSection({
  stats,
  target,
}: {
  stats: Statistics
  target: { by: string; percent: number }
}) {
  return (
    <section class="case-part" aria-labelledby="efficiency-title">
      <h2 class="heading-l" id="efficiency-title">
        政务服务效能公示
      </h2>
      <p>
        统计期间 {stats.query.from} 至 {stats.query.to}：全区收件 <strong>{stats.total.received}</strong> 件，办结{' '}
        <strong>{stats.total.completed}</strong> 件，网上全流程办理率 <strong>{pct(stats.total.onlineRate)}</strong>
        （目标 ≥{target.percent}%），超期率 <strong>{pct(stats.total.overdueRate)}</strong>。
      </p>
      <Table
        caption="各部门办件效能"
        columns={[
          { header: '部门', cell: (g: GroupStatistics) => g.label },
          { header: '收件', numeric: true, cell: (g) => g.received },
          { header: '办结', numeric: true, cell: (g) => g.completed },
          { header: '网上全流程办理率', numeric: true, cell: (g) => pct(g.onlineRate) },
          { header: '平均用时（天）', numeric: true, cell: (g) => num(g.duration.averageUsed) },
          { header: '承诺时限（天）', numeric: true, cell: (g) => num(g.duration.averagePromised) },
          { header: '超期率', numeric: true, cell: (g) => pct(g.overdueRate) },
          { header: '补正率', numeric: true, cell: (g) => pct(g.correctionRate) },
        ]}
        rows={stats.groups}
        rowKey={(g) => g.key ?? '-'}
        empty="统计期间内没有办件。"
      />
      <p class="hint">
        依据区"互联网+政务服务"实施方案，在线监管全流程公开（投诉举报办理除外）。网上全流程办理率 = 网上全流程办结件 ÷
        办结件；超期率 =（超法定期限办结 + 在办已超期）÷（办结 + 在办）。
      </p>
    </section>
  )
}

// ----- settings ------------------------------------------------------------------------------------------

/** What each whole-number setting is called on the form and what it does. */
const NUMBER_SETTING_TEXT: Record<NumberSettingKey, { label: string; unit: string; hint: string }> = {
  yellowBeforeDays: {
    label: '黄牌提前天数',
    unit: '个工作日',
    hint: '办件的承诺和法定办结期限、办理环节期限、差评整改期限到期前几个工作日亮黄牌；0 表示到期当天才亮黄牌。超过期限的次日亮红牌，不受此项影响。',
  },
  preReviewYellowBeforeDays: {
    label: '受理审查黄牌提前天数',
    unit: '个工作日',
    hint: '行政许可法第三十二条：收件后五个工作日内应受理或一次性告知补正。在第五个工作日前几个工作日亮黄牌；0 表示第五个工作日当天亮黄牌。',
  },
  lookbackDays: {
    label: '预警扫描回溯天数',
    unit: '个自然日',
    hint: '预警扫描（每 5 分钟一次）检查最近多少天内的视为受理、不予受理和不予许可（是否说明理由）和差评整改，并为其中已办结的预警牌记录结束。天数越多，扫描越慢。',
  },
  redCardPenalty: {
    label: '每张红牌扣分',
    unit: '分',
    hint: '绩效考核中，部门在考核期间内每亮一张红牌，从综合得分中扣除的分数；0 表示红牌不扣分。',
  },
  penaltyCap: {
    label: '红牌扣分上限',
    unit: '分',
    hint: '一个部门在一个考核期间内因红牌最多扣除的分数。',
  },
}

/** What each indicator measures (the weights' hints). */
const WEIGHT_HINTS: Record<keyof ScoreWeights, string> = {
  onTime: '按时办结率 = 1 − 超期率。',
  online: '网上全流程办结件 ÷ 办结件。',
  satisfaction: '好差评满意度得分 ÷ 100。',
  rectification: '已答复的差评整改 ÷ 考核期间新开的差评整改。',
  firstTime: '1 − 补正率（收件中被要求补正的比例）。',
}

export interface SettingsPageProps {
  /** The form's fields as typed (or as stored), by field name. */
  values: Record<string, string>
  errors?: FieldError[]
  done?: 'saved' | 'reset'
  /** When the settings were last saved or reset, and by whom. */
  lastChange?: { at: string; by: string }
}

export function SettingsPage(p: SettingsPageProps) {
  const e = errorMap(p.errors)
  const v = (name: string) => p.values[name] ?? ''
  const numberInput = (key: NumberSettingKey) => {
    const text = NUMBER_SETTING_TEXT[key]
    const range = NUMBER_SETTINGS[key]
    return (
      <TextInput
        key={key}
        name={key}
        label={text.label}
        hint={`${text.hint}范围 ${range.min}–${range.max} ${text.unit}，默认 ${DEFAULT_SETTINGS[key]}。`}
        inputMode="numeric"
        class="input--short"
        value={v(key)}
        error={e[key]}
        required
      />
    )
  }
  const defaultTargets = DEFAULT_SETTINGS.onlineTargets.map((t) => `${t.by} 达到 ${t.percent}%`).join('，')
  const weightsId = fieldId('weights')
  return (
    <Layout title="效能监管设置" breadcrumbs={[{ href: '/', label: '首页' }, HOME, { label: '效能监管设置' }]}>
      <ErrorSummary errors={p.errors} />
      {p.done === 'saved' ? (
        <Notice tone="success" title="设置已保存">
          <p>
            新设置立即生效：下一次预警扫描（每 5
            分钟一次）按新的天数亮牌，此后查看或导出的绩效考核报告按新的权重和扣分计算，看板和公示页使用新的办理率目标。已经亮出的预警牌不变。
          </p>
        </Notice>
      ) : null}
      {p.done === 'reset' ? (
        <Notice tone="success" title="已恢复默认值">
          <p>各项设置已恢复为默认值，立即生效。</p>
        </Notice>
      ) : null}
      <h1 class="heading-xl">效能监管设置</h1>
      <p class="lead">
        预警牌何时亮、预警扫描回溯多久、绩效考核各项指标的权重和红牌扣分，以及网上全流程办理率的目标。每次修改都记入审计日志。
      </p>
      <p>
        {p.lastChange
          ? `最近一次修改：${p.lastChange.by}，${formatDateTime(p.lastChange.at)}（北京时间）。`
          : '尚未修改过，以下均为默认值。'}
      </p>
      <Form action="/supervision/settings">
        <h2 class="heading-l">预警牌（电子监察）</h2>
        {numberInput('yellowBeforeDays')}
        {numberInput('preReviewYellowBeforeDays')}
        {numberInput('lookbackDays')}
        <h2 class="heading-l">绩效考核</h2>
        <div class={`field${e.weights ? ' field--error' : ''}`}>
          <fieldset
            class="fieldset"
            id={weightsId}
            tabIndex={-1}
            aria-describedby={[`${weightsId}-hint`, e.weights ? `${weightsId}-error` : ''].filter(Boolean).join(' ')}
          >
            <legend class="heading-m">各项指标的权重</legend>
            <div class="field__hint" id={`${weightsId}-hint`}>
              综合得分 = Σ 权重 × 指标 − 红牌扣分。每项权重为 0–100 的整数，五项合计必须等于
              100。某项指标在考核期间没有数据时不计入，其余权重按比例折算。
            </div>
            {e.weights ? (
              <p class="field__error" id={`${weightsId}-error`}>
                <span class="visually-hidden">错误：</span>
                {e.weights}
              </p>
            ) : null}
            {(Object.keys(WEIGHT_NAMES) as (keyof ScoreWeights)[]).map((key) => (
              <TextInput
                key={key}
                name={`weights.${key}`}
                label={`${WEIGHT_NAMES[key]}权重`}
                hint={`${WEIGHT_HINTS[key]}默认 ${DEFAULT_SETTINGS.weights[key]}。`}
                inputMode="numeric"
                class="input--short"
                value={v(`weights.${key}`)}
                error={e[`weights.${key}`]}
                required
              />
            ))}
          </fieldset>
        </div>
        {numberInput('redCardPenalty')}
        {numberInput('penaltyCap')}
        <h2 class="heading-l">网上全流程办理率目标</h2>
        <p class="hint">
          区实施方案规定到各期限应达到的网上全流程办理率。看板和公示页按统计截止日，使用已到期的最近一个目标（都未到期时用第一个）。按期限从早到晚填写，最多{' '}
          {MAX_TARGETS} 个；清空一行的期限和办理率即删除该目标。默认：{defaultTargets}。
        </p>
        <div class="editor-rows">
          {Array.from({ length: MAX_TARGETS }, (_, i) => (
            <fieldset class="fieldset editor-row" key={i} id={fieldId(`onlineTargets[${i}]`)}>
              <legend class="heading-s">目标 {i + 1}</legend>
              <TextInput
                name={`onlineTargets[${i}].by`}
                label="期限"
                hint="到该日（含）为止"
                type="date"
                class="input--medium"
                value={v(`onlineTargets[${i}].by`)}
                error={e[`onlineTargets[${i}].by`]}
                required={i === 0}
              />
              <TextInput
                name={`onlineTargets[${i}].percent`}
                label="应达到的办理率（%）"
                hint="0–100 的整数"
                inputMode="numeric"
                class="input--short"
                value={v(`onlineTargets[${i}].percent`)}
                error={e[`onlineTargets[${i}].percent`]}
                required={i === 0}
              />
            </fieldset>
          ))}
        </div>
        <Button>保存设置</Button>
      </Form>
      <h2 class="heading-l">恢复默认值</h2>
      <p>把以上各项全部恢复为提示中的默认值。恢复也记入审计日志。</p>
      <Form action="/supervision/settings/reset">
        <Button variant="warning">恢复默认值</Button>
      </Form>
    </Layout>
  )
}
