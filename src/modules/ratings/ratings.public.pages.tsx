/**
 * 政务服务好差评公示 (/ratings/public): per department the ratings of the period, their levels, the
 * satisfaction rate, the bad ratings and how they were rectified; and the latest published
 * rectifications — item, reason category, reply or explanation, day. No names.
 */
import type { ComponentChildren } from 'preact'
import {
  Button,
  type Column,
  ErrorSummary,
  type FieldError,
  Form,
  Layout,
  Table,
  TextInput,
} from '../../platform/ui/index.js'
import { LEVEL_NAMES, LEVELS } from './ratings.codes.js'
import type { DepartmentSummary, publicSummary } from './ratings.read.js'

export const percent = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`)

export interface PublicPageProps {
  summary: Awaited<ReturnType<typeof publicSummary>>
  from?: string
  to?: string
  errors?: FieldError[]
  /** Further public figures (supervision's efficiency figures). */
  extra?: ComponentChildren
}

export function PublicRatingsPage({ summary, from, to, errors, extra }: PublicPageProps) {
  const columns: Column<DepartmentSummary>[] = [
    { header: '部门', cell: (d) => d.departmentName },
    { header: '评价数', numeric: true, cell: (d) => d.total },
    ...LEVELS.map((l) => ({ header: LEVEL_NAMES[l], numeric: true, cell: (d: DepartmentSummary) => d.byLevel[l] })),
    { header: '满意率', numeric: true, cell: (d) => percent(d.satisfactionRate) },
    { header: '差评数', numeric: true, cell: (d) => d.bad },
    { header: '整改率', numeric: true, cell: (d) => percent(d.rectificationRate) },
    { header: '按时整改率', numeric: true, cell: (d) => percent(d.onTimeRate) },
  ]
  const period = from || to ? `${from ?? '开始'} 至 ${to ?? '今天'}` : '全部时间'
  return (
    <Layout title="政务服务好差评公示" wide breadcrumbs={[{ href: '/', label: '首页' }, { label: '好差评公示' }]}>
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">政务服务好差评公示</h1>
      <p class="lead">
        依据《国务院办公厅关于建立政务服务"好差评"制度提高政务服务水平的意见》（国办发〔2019〕51号），公开各部门的评价情况和差评整改情况。
      </p>
      <Form action="/ratings/public" method="get" class="wb-filters" aria-label="统计期间">
        <div class="wb-filters__row">
          <TextInput name="from" label="从" type="date" class="input--medium" value={from} hint="格式：2026-03-01" />
          <TextInput name="to" label="到" type="date" class="input--medium" value={to} hint="含当天" />
          <div class="wb-filters__actions">
            <Button variant="secondary">查看</Button>
            {from || to ? <a href="/ratings/public">全部时间</a> : null}
          </div>
        </div>
      </Form>
      <p>
        统计期间：{period}。共收到评价 <strong>{summary.totals.total}</strong> 条，满意率{' '}
        <strong>{percent(summary.totals.satisfactionRate)}</strong>，差评 <strong>{summary.totals.bad}</strong> 条。
      </p>
      <Table
        caption="各部门评价情况"
        columns={columns}
        rows={summary.departments}
        rowKey={(d) => d.departmentId}
        empty="统计期间内暂无评价。"
      />
      <p class="hint">
        满意率 =（非常满意 + 满意 + 基本满意）÷ 评价数；办结后 7 日内未评价的按默认评价计入。整改率 =
        已答复或已解释说明的差评 ÷ 差评数；按时整改率 = 在整改期限内答复的 ÷
        已答复的。经督查人员裁定为误评或恶意差评的不计入。
      </p>
      <section class="case-part" aria-labelledby="published-title">
        <h2 class="heading-l" id="published-title">
          差评整改公示
        </h2>
        {summary.published.length === 0 ? (
          <p>暂无整改公示。</p>
        ) : (
          <ul class="list rating-published">
            {summary.published.map((p, i) => (
              <li class="rating-published__item" key={i}>
                <p class="rating-published__head">
                  <strong>{p.itemName}</strong>　{p.departmentName}　<time dateTime={p.on}>{p.on}</time>
                </p>
                <p>差评原因：{p.reasonNames.join('；')}</p>
                <p class="pre-line">
                  {p.kind === 'reply' ? '整改情况：' : '解释说明：'}
                  {p.text}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
      {extra}
    </Layout>
  )
}
