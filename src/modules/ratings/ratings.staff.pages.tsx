/**
 * Staff pages of 差评整改: the department's list (/ratings/rectifications), the case page with the
 * department's and the supervisor's actions, the supervisors' list (/supervision/ratings) and the
 * settings. Pages take plain data and render; the routes load and act.
 */
import {
  Button,
  type Column,
  ErrorSummary,
  errorMap,
  type FieldError,
  Form,
  formatDateTime,
  Layout,
  Notice,
  Pagination,
  Radios,
  Select,
  SummaryList,
  Table,
  Tag,
  type TagTone,
  Textarea,
  TextInput,
} from '../../platform/ui/index.js'
import { formatApplicationNo } from '../applications/index.js'
import {
  CALLBACK_METHODS,
  OUTCOME_NAMES,
  type RectificationState,
  SEVERITY_NAMES,
  type Severity,
} from './ratings.codes.js'
import { RatingSummary, RectificationTimeline } from './ratings.my.pages.js'
import {
  DEPARTMENT_TABS,
  type DepartmentTab,
  type RectificationCaseView,
  type RectificationRow,
  SUPERVISOR_TABS,
  type SupervisorTab,
} from './ratings.read.js'
import { RATING_SETTING_DEFAULTS, SETTING_FIELDS, type SettingKey, settingValues } from './ratings.settings.js'

const STATE_TONES: Record<RectificationState, TagTone> = {
  open: 'red',
  verified: 'yellow',
  rectifying: 'blue',
  replied: 'purple',
  closed: 'green',
  explained: 'green',
  appealed: 'yellow',
}

export function RectificationStateTag({ state, name }: { state: RectificationState; name: string }) {
  return <Tag tone={STATE_TONES[state]}>{name}</Tag>
}

const SEVERITY_OPTIONS = (termDays: Record<Severity, number>) =>
  (Object.keys(SEVERITY_NAMES) as Severity[]).map((s) => ({
    value: s,
    label: `${SEVERITY_NAMES[s]}：${termDays[s]} 个工作日内整改`,
  }))

function Tabs<T extends string>({
  tabs,
  current,
  href,
  counts,
}: {
  tabs: Record<T, { label: string }>
  current: T
  href: (tab: T) => string
  counts: Partial<Record<T, number>>
}) {
  return (
    <nav class="wb-tabs" aria-label="分类">
      <ul class="wb-tabs__list">
        {(Object.keys(tabs) as T[]).map((t) => (
          <li class="wb-tabs__item" key={t}>
            <a
              class={`wb-tabs__link${t === current ? ' wb-tabs__link--current' : ''}`}
              href={href(t)}
              aria-current={t === current ? 'page' : undefined}
            >
              {tabs[t].label}
              {counts[t] !== undefined ? <span class="wb-tabs__count">（{counts[t]} 件）</span> : null}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  )
}

function rowColumns(withDepartment: boolean): Column<RectificationRow>[] {
  return [
    {
      header: '办件编号',
      cell: (r) => <a href={`/ratings/rectifications/${r.id}`}>{formatApplicationNo(r.applicationNo)}</a>,
    },
    { header: '事项', cell: (r) => r.itemName },
    ...(withDepartment ? [{ header: '办理部门', cell: (r: RectificationRow) => r.departmentName }] : []),
    {
      header: '评价',
      cell: (r) => (
        <>
          {r.levelName}
          {r.reasonNames.length > 0 ? (
            <>
              <br />
              <span class="hint">{r.reasonNames.join('；')}</span>
            </>
          ) : null}
        </>
      ),
    },
    { header: '状态', cell: (r) => <RectificationStateTag state={r.state} name={r.stateName} /> },
    {
      header: '整改期限',
      cell: (r) =>
        r.deadlineOn ? (
          <>
            {r.deadlineOn}
            {r.overdue ? (
              <>
                {' '}
                <Tag tone="red">超期</Tag>
              </>
            ) : null}
          </>
        ) : (
          '—'
        ),
    },
    { header: '收到差评', cell: (r) => formatDateTime(r.openedAt) },
  ]
}

// ---------------------------------------------------------------------------------------------
// The department's list

export interface DepartmentListProps {
  tab: DepartmentTab
  page: number
  pageSize: number
  rows: RectificationRow[]
  total: number
  counts: { byState: Partial<Record<RectificationState, number>>; overdue: number }
}

const sumStates = (byState: Partial<Record<RectificationState, number>>, states?: RectificationState[]) =>
  states
    ? states.reduce((n, s) => n + (byState[s] ?? 0), 0)
    : Object.values(byState).reduce((n: number, v) => n + (v ?? 0), 0)

export function DepartmentListPage({ tab, page, pageSize, rows, total, counts }: DepartmentListProps) {
  const pageCount = Math.max(1, Math.ceil(total / pageSize))
  const href = (t: DepartmentTab, p = 1) => `/ratings/rectifications?tab=${t}${p > 1 ? `&page=${p}` : ''}`
  const tabCounts = Object.fromEntries(
    (Object.keys(DEPARTMENT_TABS) as DepartmentTab[]).map((t) => [
      t,
      sumStates(counts.byState, DEPARTMENT_TABS[t].states),
    ]),
  ) as Record<DepartmentTab, number>
  return (
    <Layout title="差评整改" wide breadcrumbs={[{ href: '/', label: '首页' }, { label: '差评整改' }]}>
      <h1 class="heading-xl">差评整改</h1>
      <p class="lead">
        按照"谁办理谁负责"，本部门办理的办件收到的差评在这里回访核实、整改和答复。整改期限最早的排在前面。
      </p>
      {counts.overdue > 0 ? (
        <Notice tone="warning" title={`有 ${counts.overdue} 件整改已超期`}>
          <p>超期未答复的差评整改已上报督查人员，请尽快整改并答复评价人。</p>
        </Notice>
      ) : null}
      <Tabs tabs={DEPARTMENT_TABS} current={tab} href={(t) => href(t)} counts={tabCounts} />
      <Table
        caption={`${DEPARTMENT_TABS[tab].label}：共 ${total} 件${pageCount > 1 ? `，第 ${page} / ${pageCount} 页` : ''}`}
        columns={rowColumns(false)}
        rows={rows}
        rowKey={(r) => r.id}
        empty="暂无差评整改。"
      />
      <Pagination page={page} pageCount={pageCount} href={(p) => href(tab, p)} />
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// The supervisors' list

export interface SupervisorListProps {
  tab: SupervisorTab
  departmentId?: string
  page: number
  pageSize: number
  rows: RectificationRow[]
  total: number
  counts: { byState: Partial<Record<RectificationState, number>>; overdue: number }
  departments: { value: string; label: string }[]
  canEditSettings: boolean
}

export function SupervisorListPage(props: SupervisorListProps) {
  const { tab, departmentId, page, pageSize, rows, total, counts, departments } = props
  const pageCount = Math.max(1, Math.ceil(total / pageSize))
  const href = (t: SupervisorTab, p = 1) => {
    const q = new URLSearchParams({ tab: t })
    if (departmentId) q.set('department', departmentId)
    if (p > 1) q.set('page', String(p))
    return `/supervision/ratings?${q.toString()}`
  }
  const tabCounts: Record<SupervisorTab, number> = {
    appeals: counts.byState.appealed ?? 0,
    overdue: counts.overdue,
    open: sumStates(counts.byState, SUPERVISOR_TABS.open.states),
    all: sumStates(counts.byState),
  }
  return (
    <Layout title="好差评督办" wide breadcrumbs={[{ href: '/', label: '首页' }, { label: '好差评督办' }]}>
      <h1 class="heading-xl">好差评督办</h1>
      <p class="lead">
        各部门的差评整改：裁定误评、恶意差评的申诉，督促超期未整改的差评。
        <a href="/ratings/public">查看好差评公示</a>
        {props.canEditSettings ? (
          <>
            　<a href="/supervision/ratings/settings">默认评价和整改时限设置</a>
          </>
        ) : null}
      </p>
      {counts.overdue > 0 ? (
        <Notice tone="warning" title={`${counts.overdue} 件差评整改已超期未答复`}>
          <p>超期的差评整改由系统自动上报，见「超期未整改」。</p>
        </Notice>
      ) : null}
      <Form action="/supervision/ratings" method="get" class="wb-filters" aria-label="筛选">
        <input type="hidden" name="tab" value={tab} />
        <div class="wb-filters__row">
          <Select
            name="department"
            label="办理部门"
            value={departmentId ?? ''}
            placeholder="全部部门"
            options={departments}
          />
          <div class="wb-filters__actions">
            <Button variant="secondary">筛选</Button>
          </div>
        </div>
      </Form>
      <Tabs tabs={SUPERVISOR_TABS} current={tab} href={(t) => href(t)} counts={tabCounts} />
      <Table
        caption={`${SUPERVISOR_TABS[tab].label}：共 ${total} 件${pageCount > 1 ? `，第 ${page} / ${pageCount} 页` : ''}`}
        columns={rowColumns(true)}
        rows={rows}
        rowKey={(r) => r.id}
        empty="暂无记录。"
      />
      <Pagination page={page} pageCount={pageCount} href={(p) => href(tab, p)} />
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// The case page

export type CaseForm = 'callback' | 'classify' | 'reply' | 'decide'

export const CASE_DONE = {
  callback: '回访核实已登记。',
  classify_valid: '已认定差评属实，请在整改期限内整改并答复评价人。',
  classify_explained: '解释说明已发送给评价人，并在好差评公示中公开。',
  appeal: '申诉已提交，等待督查人员裁定。',
  reply: '整改答复已发送给评价人，并在好差评公示中公开。',
  upheld: '已裁定申诉成立：该差评不计入统计。',
  rejected: '已裁定申诉不成立：退回办理部门整改。',
} as const
export type CaseDone = keyof typeof CASE_DONE

export interface CasePageProps {
  view: RectificationCaseView
  termDays: Record<Severity, number>
  errors?: FieldError[]
  form?: CaseForm
  values?: Record<string, string | undefined>
  done?: CaseDone
  backHref: string
  backLabel: string
}

export function RectificationCasePage(props: CasePageProps) {
  const { view, errors, form, values = {}, done, termDays } = props
  const r = view.rect
  const err = errorMap(errors)
  const v = (name: string, f: CaseForm) => (form === f ? values[name] : undefined)
  const e = (name: string, f: CaseForm) => (form === f ? err[name] : undefined)
  const no = formatApplicationNo(view.applicationNo)
  return (
    <Layout
      title={`差评整改 ${no}`}
      wide
      breadcrumbs={[{ href: '/', label: '首页' }, { href: props.backHref, label: props.backLabel }, { label: no }]}
    >
      <ErrorSummary errors={errors} />
      <span class="caption">办件编号 {no}</span>
      <h1 class="heading-xl">差评整改：{view.itemName}</h1>
      {done ? <Notice tone="success" title={CASE_DONE[done]} /> : null}
      {view.overdue ? (
        <Notice tone="warning" title="整改已超期">
          <p>整改期限 {r.deadlineOn} 已过，尚未答复评价人；已上报督查人员。</p>
        </Notice>
      ) : null}
      <div class="wb-section">
        <SummaryList
          rows={[
            { key: '状态', value: <RectificationStateTag state={r.state} name={view.stateName} /> },
            {
              key: '办件',
              value: view.viewerIsDepartment ? <a href={`/workbench/cases/${view.applicationId}`}>{no}</a> : no,
            },
            { key: '办理部门', value: view.departmentName },
            ...(view.applicant
              ? [
                  {
                    key: '评价人',
                    value: `${view.applicant.name}${view.applicant.mobileMasked ? `，联系电话 ${view.applicant.mobileMasked}` : ''}`,
                  },
                ]
              : []),
            ...(view.outcomeName ? [{ key: '核实结论', value: view.outcomeName }] : []),
            ...(view.severityName
              ? [{ key: '问题复杂程度', value: `${view.severityName}（${r.termDays} 个工作日）` }]
              : []),
            ...(r.deadlineOn ? [{ key: '整改期限', value: r.deadlineOn }] : []),
            { key: '收到差评', value: formatDateTime(r.openedAt) },
          ]}
        />
      </div>
      <section class="wb-section" aria-labelledby="rating-title">
        <h2 class="heading-l" id="rating-title">
          评价内容
        </h2>
        <RatingSummary rating={view.rating} />
      </section>
      {r.callbackNote ? (
        <section class="wb-section" aria-labelledby="callback-title">
          <h2 class="heading-l" id="callback-title">
            回访核实记录
          </h2>
          <SummaryList
            rows={[
              { key: '回访时间', value: r.callbackAt ? formatDateTime(r.callbackAt) : '—' },
              { key: '回访方式', value: view.callbackMethodName ?? '—' },
              { key: '评价人反映', value: <p class="pre-line">{r.callbackNote}</p> },
            ]}
          />
        </section>
      ) : null}
      {r.explanation ? (
        <Notice title="解释说明（已公开）">
          <p class="pre-line">{r.explanation}</p>
        </Notice>
      ) : null}
      {r.appealReason ? (
        <Notice title={`申诉理由（${r.outcome ? OUTCOME_NAMES[r.outcome] : ''}）`}>
          <p class="pre-line">{r.appealReason}</p>
          {r.appealDecision ? (
            <p>
              裁定：{r.appealDecision === 'upheld' ? '申诉成立，不计入统计' : '申诉不成立，退回整改'}。{r.appealNote}
            </p>
          ) : null}
        </Notice>
      ) : null}
      {r.replyText ? (
        <Notice title="整改答复（已公开）">
          <p class="pre-line">{r.replyText}</p>
          {r.replyLevel ? (
            <p>
              评价人对整改结果的评价：{r.replyLevel} 分{r.replyComment ? `，${r.replyComment}` : ''}
            </p>
          ) : null}
        </Notice>
      ) : null}

      {view.can.callback || view.can.classify || view.can.reply || view.can.decideAppeal ? (
        <section class="wb-section wb-actions" aria-labelledby="actions-title">
          <h2 class="heading-l" id="actions-title">
            办理
          </h2>
          {view.can.callback ? (
            <div class="wb-action" id="callback" tabIndex={-1}>
              <Form action={`/ratings/rectifications/${r.id}/callback`}>
                <h3 class="heading-m">回访核实</h3>
                <p class="hint">先与评价人联系，核实反映的问题和诉求，再登记回访情况。</p>
                <Radios
                  name="method"
                  legend="回访方式"
                  inline
                  options={Object.entries(CALLBACK_METHODS).map(([value, label]) => ({ value, label }))}
                  value={v('method', 'callback')}
                  error={e('method', 'callback')}
                />
                <Textarea
                  name="note"
                  label="回访情况"
                  hint="评价人反映的问题和诉求。最多 1000 个字。"
                  required
                  maxLength={1000}
                  value={v('note', 'callback')}
                  error={e('note', 'callback')}
                />
                <Button>登记回访核实</Button>
              </Form>
            </div>
          ) : null}
          {view.can.classify ? (
            <div class="wb-action" id="classify" tabIndex={-1}>
              <Form action={`/ratings/rectifications/${r.id}/classify`}>
                <h3 class="heading-m">核实结论</h3>
                <Radios
                  name="outcome"
                  legend="经回访核实，这条差评："
                  options={[
                    { value: 'valid', label: `${OUTCOME_NAMES.valid}：立即整改，按期限答复` },
                    { value: 'explained', label: `${OUTCOME_NAMES.explained}：没有法定依据或属政策规定，作出解释说明` },
                    { value: 'mistaken', label: `${OUTCOME_NAMES.mistaken}：向督查人员申诉` },
                    { value: 'malicious', label: `${OUTCOME_NAMES.malicious}：向督查人员申诉` },
                  ]}
                  value={v('outcome', 'classify')}
                  error={e('outcome', 'classify')}
                />
                <Radios
                  name="severity"
                  legend="差评属实时：问题的复杂程度"
                  hint="决定整改时限（工作日，按工作日历计算）。"
                  options={SEVERITY_OPTIONS(termDays)}
                  value={v('severity', 'classify')}
                  error={e('severity', 'classify')}
                />
                <Textarea
                  name="explanation"
                  label="有合理解释时：解释说明"
                  hint="将发送给评价人，并在好差评公示中公开。请勿填写姓名、电话等个人信息。"
                  maxLength={1000}
                  value={v('explanation', 'classify')}
                  error={e('explanation', 'classify')}
                />
                <Textarea
                  name="appealReason"
                  label="误评或恶意差评时：申诉理由和依据"
                  hint="由督查人员裁定；申诉成立的差评不计入统计。"
                  maxLength={1000}
                  value={v('appealReason', 'classify')}
                  error={e('appealReason', 'classify')}
                />
                <Button>提交核实结论</Button>
              </Form>
            </div>
          ) : null}
          {view.can.reply ? (
            <div class="wb-action" id="reply" tabIndex={-1}>
              <Form action={`/ratings/rectifications/${r.id}/reply`}>
                <h3 class="heading-m">整改答复</h3>
                <Textarea
                  name="reply"
                  label="整改情况和答复"
                  hint="说明已采取的整改措施。将发送给评价人，并在好差评公示中公开；请勿填写姓名、电话等个人信息。最多 1000 个字。"
                  required
                  maxLength={1000}
                  value={v('reply', 'reply')}
                  error={e('reply', 'reply')}
                />
                <Button>答复评价人</Button>
              </Form>
            </div>
          ) : null}
          {view.can.decideAppeal ? (
            <div class="wb-action" id="decide" tabIndex={-1}>
              <Form action={`/ratings/rectifications/${r.id}/appeal-decision`}>
                <h3 class="heading-m">裁定申诉</h3>
                <Radios
                  name="decision"
                  legend="裁定结果"
                  options={[
                    { value: 'upheld', label: '申诉成立：该差评不计入统计，本件办结' },
                    { value: 'rejected', label: '申诉不成立：退回办理部门限期整改' },
                  ]}
                  value={v('decision', 'decide')}
                  error={e('decision', 'decide')}
                />
                <Radios
                  name="appealSeverity"
                  legend="申诉不成立时：问题的复杂程度"
                  options={SEVERITY_OPTIONS(termDays)}
                  value={v('appealSeverity', 'decide')}
                  error={e('appealSeverity', 'decide')}
                />
                <Textarea
                  name="appealNote"
                  label="裁定理由"
                  required
                  maxLength={1000}
                  value={v('appealNote', 'decide')}
                  error={e('appealNote', 'decide')}
                />
                <Button>提交裁定</Button>
              </Form>
            </div>
          ) : null}
        </section>
      ) : null}
      <section class="wb-section" aria-labelledby="events-title">
        <h2 class="heading-l" id="events-title">
          处理过程
        </h2>
        <RectificationTimeline events={view.events} />
      </section>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// Settings

export function SettingsPage({
  values,
  canEdit,
  errors,
  done,
}: {
  values: Record<SettingKey, number | string>
  canEdit: boolean
  errors?: FieldError[]
  done?: boolean
}) {
  const err = errorMap(errors)
  const defaults = settingValues(RATING_SETTING_DEFAULTS)
  return (
    <Layout
      title="好差评设置"
      breadcrumbs={[
        { href: '/', label: '首页' },
        { href: '/supervision/ratings', label: '好差评督办' },
        { label: '设置' },
      ]}
    >
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">默认评价和整改时限</h1>
      {done ? <Notice tone="success" title="设置已保存，此后新产生的默认评价和整改按新设置执行。" /> : null}
      <p>
        广东省规定：办结后 7 个自然日内未评价的，视为「基本满意」（等级 3）；整改时限按问题的复杂程度为 5、7 或 15
        个工作日。各项可按本地规定调整。
      </p>
      <Form action="/supervision/ratings/settings">
        {SETTING_FIELDS.map((f) => (
          <TextInput
            key={f.key}
            name={f.key}
            label={f.name}
            hint={`${f.min}–${f.max}${f.unit ? ` ${f.unit}` : ''}，默认 ${defaults[f.key]}${f.key === 'default_level' ? '（3 基本满意，4 满意，5 非常满意）' : ''}`}
            inputMode="numeric"
            class="input--short"
            value={String(values[f.key])}
            error={err[f.key]}
            required
            disabled={!canEdit}
          />
        ))}
        {canEdit ? <Button>保存设置</Button> : <p class="hint">您可以查看设置；修改需要督查处理权限。</p>}
      </Form>
    </Layout>
  )
}
