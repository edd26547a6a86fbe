/**
 * The staff workbench (工作台): the inbox of a department — submissions waiting for pre-review
 * (待受理) and processing tasks (待办理) — and the case page with every action a member of staff
 * may take on it. Pages take plain data and render; the routes load and act.
 */
import type { ComponentChildren } from 'preact'
import {
  Button,
  Checkbox,
  type Column,
  ErrorSummary,
  errorMap,
  Field,
  type FieldError,
  Form,
  fieldId,
  formatDate,
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
import type { Material } from '../catalog/index.js'
import { roleName } from '../identity/index.js'
import type { ClockSummary } from './applications.clock.js'
import {
  type FormData,
  type FormDefinition,
  formatFieldValue,
  inputName,
  isFieldShown,
  isSectionShown,
  rowLabel,
  rowsOf,
  valuesOf,
} from './applications.forms.js'
import { FormSummary } from './applications.forms.render.js'
import { problemTarget } from './applications.notices.pages.js'
import type { InboxColour, InboxRow, workbenchCase } from './applications.read.js'
import type { ApplicationMaterialTable, ApplicationState, TaskTable } from './applications.tables.js'

// ---------------------------------------------------------------------------------------------
// Words

export const CHANNEL_NAMES: Record<string, string> = {
  online: '网上申请',
  window: '窗口收件',
  proxy: '村居代办',
  kiosk: '自助终端',
  phone: '电话申请',
}

const COLOUR_TAGS: Record<InboxColour, { tone: TagTone; text: string }> = {
  red: { tone: 'red', text: '超期' },
  yellow: { tone: 'yellow', text: '即将到期' },
  green: { tone: 'green', text: '正常' },
  none: { tone: 'grey', text: '无期限' },
}

export const COLOUR_FILTERS: { value: Exclude<InboxColour, 'none'>; label: string }[] = [
  { value: 'red', label: '红：已超期' },
  { value: 'yellow', label: '黄：今天或下一个工作日到期' },
  { value: 'green', label: '绿：期限内' },
]

const STATE_TONES: Record<ApplicationState, TagTone> = {
  draft: 'grey',
  submitted: 'blue',
  correction_requested: 'yellow',
  not_accepted: 'red',
  accepted: 'blue',
  in_process: 'blue',
  approved: 'green',
  refused: 'red',
  completed: 'green',
  withdrawn: 'grey',
}

export const TASK_STATE_NAMES: Record<string, string> = {
  waiting: '未开始',
  open: '待签收',
  claimed: '已签收',
  done: '已办理',
  returned: '已退回',
  cancelled: '已取消',
}

const CLOCK_TAGS: Record<ClockSummary['state'], { tone: TagTone; text: string }> = {
  running: { tone: 'green', text: '正常' },
  yellow: { tone: 'yellow', text: '即将到期' },
  red: { tone: 'red', text: '超期' },
  paused: { tone: 'purple', text: '暂停计时' },
}

export const TRUST_GRADES: Record<ApplicationMaterialTable['trustGrade'], string> = {
  a: 'A 部门核发',
  b: 'B 窗口核验原件',
  c: 'C 申请人上传',
  d: 'D 承诺容缺',
}

/** 行政许可法 §45: the procedures whose time is not counted. */
export const SPECIAL_PROCEDURE_CHOICES = [
  { value: 'hearing', label: '听证' },
  { value: 'tender', label: '招标' },
  { value: 'auction', label: '拍卖' },
  { value: 'inspection', label: '检验' },
  { value: 'testing', label: '检测' },
  { value: 'quarantine', label: '检疫' },
  { value: 'appraisal', label: '鉴定' },
  { value: 'expert_review', label: '专家评审' },
]

export const LAW = {
  accept:
    '依据《行政许可法》第三十二条，申请材料齐全、符合法定形式的，应当受理，并出具加盖本机关专用印章和注明日期的书面凭证（受理通知书）。',
  reject:
    '依据《行政许可法》第三十二条，申请事项依法不属于本机关职权范围的，应当即时作出不予受理的决定，并告知申请人向有关行政机关申请。',
  correction:
    '依据《行政许可法》第三十二条，应一次性告知需要补正的全部内容；逾期不告知的，自收到申请材料之日起即为受理。',
  refuse:
    '依据《行政许可法》第三十八条，作出不予行政许可决定的，应当说明理由，并告知申请人享有申请行政复议或者提起行政诉讼的权利。',
  pause:
    '依据《行政许可法》第四十五条，听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审所需时间不计算在办理期限内，并应将所需时间书面告知申请人。',
  extend: (days: number) =>
    `依据《行政许可法》第四十二条，不能在法定期限内作出决定的，经本机关负责人批准，可以延长 ${days} 日，并应当将延长期限的理由告知申请人。`,
}

function LawLine({ children }: { children: ComponentChildren }) {
  return <p class="law hint">{children}</p>
}

export function ColourTag({ colour }: { colour: InboxColour }) {
  const tag = COLOUR_TAGS[colour]
  return <Tag tone={tag.tone}>{tag.text}</Tag>
}

// ---------------------------------------------------------------------------------------------
// The inbox

export type InboxView = 'pre_review' | 'tasks'

export interface InboxQuery {
  view: InboxView
  item?: string
  colour?: Exclude<InboxColour, 'none'>
  mine?: boolean
  page: number
}

/** The query string of an inbox view, keeping the filters. */
export function inboxHref(query: InboxQuery, changes: Partial<InboxQuery> = {}): string {
  const q = { ...query, ...changes }
  const params = new URLSearchParams({ view: q.view })
  if (q.item) params.set('item', q.item)
  if (q.colour) params.set('colour', q.colour)
  if (q.mine && q.view === 'tasks') params.set('mine', '1')
  if (q.page > 1) params.set('page', String(q.page))
  return `/workbench?${params.toString()}`
}

export interface ClaimResult {
  taskId: string
  ok: boolean
  message: string
}

export interface InboxPageProps {
  query: InboxQuery
  tabs: { view: InboxView; label: string; count: number }[]
  rows: InboxRow[]
  total: number
  pageSize: number
  /** The item the list is filtered by, with its name. */
  chosenItem?: { value: string; label: string }
  /** Names of the staff who claimed tasks, by staff id. */
  assignees: Record<string, string>
  myStaffId: string
  claimResults?: ClaimResult[]
  errors?: FieldError[]
}

export function InboxPage(props: InboxPageProps) {
  const { query, tabs, rows, total, pageSize, chosenItem, claimResults, errors } = props
  const pageCount = Math.max(1, Math.ceil(total / pageSize))
  const tab = tabs.find((t) => t.view === query.view)
  const claimable = query.view === 'tasks' && rows.some((r) => r.taskState === 'open')
  const filtered = Boolean(query.item || query.colour || query.mine)
  return (
    <Layout title="工作台" wide breadcrumbs={[{ href: '/', label: '首页' }, { label: '工作台' }]}>
      <ErrorSummary errors={errors} />
      {claimResults && claimResults.length > 0 ? <ClaimReport results={claimResults} rows={rows} /> : null}
      <h1 class="heading-xl">工作台</h1>
      <nav class="wb-tabs" aria-label="办件分类">
        <ul class="wb-tabs__list">
          {tabs.map((t) => (
            <li class="wb-tabs__item" key={t.view}>
              <a
                class={`wb-tabs__link${t.view === query.view ? ' wb-tabs__link--current' : ''}`}
                href={inboxHref({ view: t.view, page: 1 })}
                aria-current={t.view === query.view ? 'page' : undefined}
              >
                {t.label}
                <span class="wb-tabs__count">（{t.count} 件）</span>
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p class="hint">
        {query.view === 'pre_review'
          ? '本部门收到、等待受理的申请，最早收到的排在前面。依据《行政许可法》第三十二条，应在收到申请之日起 5 个工作日内受理或一次性告知补正，逾期视为受理。'
          : '本部门您所在岗位的办理环节，最早到期的排在前面。签收后由您办理；也可以选择多件批量签收。'}
      </p>
      <Form action="/workbench" method="get" class="wb-filters" aria-label="筛选">
        <input type="hidden" name="view" value={query.view} />
        {query.item ? <input type="hidden" name="item" value={query.item} /> : null}
        <div class="wb-filters__row">
          <ItemFilter query={query} chosen={chosenItem} />
          <Select name="colour" label="期限" value={query.colour ?? ''} placeholder="全部" options={COLOUR_FILTERS} />
          {query.view === 'tasks' ? <Checkbox name="mine" label="只看我签收的" checked={query.mine} /> : null}
          <div class="wb-filters__actions">
            <Button variant="secondary">筛选</Button>
            {filtered ? <a href={inboxHref({ view: query.view, page: 1 })}>清除筛选</a> : null}
          </div>
        </div>
      </Form>
      <Form action="/workbench/claim" id="batch-claim">
        <input type="hidden" name="view" value={query.view} />
        {query.item ? <input type="hidden" name="item" value={query.item} /> : null}
        {query.colour ? <input type="hidden" name="colour" value={query.colour} /> : null}
        {query.mine ? <input type="hidden" name="mine" value="1" /> : null}
        <input type="hidden" name="page" value={String(query.page)} />
        <div id={fieldId('taskIds')} tabIndex={-1}>
          <Table
            caption={
              <>
                {tab?.label ?? ''}：{filtered ? `符合条件的 ${total} 件` : `共 ${total} 件`}
                {pageCount > 1 ? `，第 ${query.page} / ${pageCount} 页` : ''}
              </>
            }
            columns={inboxColumns(props)}
            rows={rows}
            rowKey={(r) => r.taskId ?? r.applicationId}
            empty={filtered ? '没有符合条件的办件。' : '暂无待处理的办件。'}
          />
        </div>
        {claimable ? (
          <div class="button-row">
            <Button name="batch" value="claim">
              批量签收
            </Button>
            <span class="hint">勾选“待签收”的办理环节后签收，签收结果逐件列出。</span>
          </div>
        ) : null}
      </Form>
      <Pagination page={query.page} pageCount={pageCount} href={(p) => inboxHref(query, { page: p })} />
    </Layout>
  )
}

/** The page of the items to filter the inbox by, keeping the view and the other filters. */
export function inboxItemsHref(query: InboxQuery, q?: string): string {
  const params = new URLSearchParams({ view: query.view })
  if (query.colour) params.set('colour', query.colour)
  if (query.mine && query.view === 'tasks') params.set('mine', '1')
  if (q) params.set('q', q)
  return `/workbench/items?${params.toString()}`
}

/**
 * The item filter of the inbox: the chosen item (or all) and a link to the page listing the items
 * of the list (`ItemsPage`). A list can hold a thousand items; offering them all on every inbox
 * page cost more than the page's own list (docs/performance.md, finding 3).
 */
function ItemFilter({ query, chosen }: { query: InboxQuery; chosen?: { value: string; label: string } }) {
  return (
    <div class="field wb-filters__item">
      <p class="field__label" id="item-filter-label">
        事项
      </p>
      <div class="wb-filters__item-row">
        <span class="wb-filters__item-name">{chosen ? chosen.label : '全部事项'}</span>
        <a class="wb-filters__item-link" href={inboxItemsHref(query)} aria-describedby="item-filter-label">
          {chosen ? '更换事项' : '按事项筛选'}
        </a>
      </div>
    </div>
  )
}

export interface ItemsPageProps {
  query: InboxQuery
  /** The tab's name (待受理, 待办理). */
  listLabel: string
  /** The items with rows in the list, with their counts, in pinyin order. */
  choices: { value: string; label: string; count: number }[]
  /** What was searched for (part of a name), if anything. */
  q: string
}

/**
 * 按事项筛选: the items that have rows in the inbox list, each a link to the list filtered by it,
 * with a search by part of the name (a plain form: works without scripts).
 */
export function ItemsPage({ query, listLabel, choices, q }: ItemsPageProps) {
  const wanted = q.normalize('NFKC').trim().toLowerCase()
  const shown = wanted ? choices.filter((c) => c.label.normalize('NFKC').toLowerCase().includes(wanted)) : choices
  const back = inboxHref({ ...query, item: undefined, page: 1 })
  return (
    <Layout
      title="按事项筛选"
      wide
      breadcrumbs={[{ href: '/', label: '首页' }, { href: back, label: '工作台' }, { label: '按事项筛选' }]}
    >
      <h1 class="heading-xl">按事项筛选</h1>
      <p>
        “{listLabel}”列表中有办件的事项共 {choices.length}{' '}
        个，括号中是各事项在该列表中的办件数。选择一个事项，列表只显示该事项的办件。
      </p>
      <Form action="/workbench/items" method="get" class="wb-filters" aria-label="查找事项">
        <input type="hidden" name="view" value={query.view} />
        {query.colour ? <input type="hidden" name="colour" value={query.colour} /> : null}
        {query.mine ? <input type="hidden" name="mine" value="1" /> : null}
        <div class="wb-filters__row">
          <TextInput name="q" label="事项名称" hint="输入名称中的字词，例如“食品”" value={q} maxLength={50} />
          <div class="wb-filters__actions">
            <Button variant="secondary">查找</Button>
            {q ? <a href={inboxItemsHref(query)}>显示全部事项</a> : null}
          </div>
        </div>
      </Form>
      {q ? (
        <p>
          名称含“{q}”的事项：{shown.length} 个
        </p>
      ) : null}
      {shown.length > 0 ? (
        <ul class="wb-items" aria-label="事项">
          {shown.map((c) => (
            <li class="wb-items__item" key={c.value}>
              <a class="wb-items__link" href={inboxHref({ ...query, item: c.value, page: 1 })}>
                {c.label}
                <span class="wb-items__count">（{c.count} 件）</span>
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <p>{q ? `没有名称含“${q}”的事项。` : '列表中暂无办件。'}</p>
      )}
      <p>
        <a href={back}>不按事项筛选，返回工作台</a>
      </p>
    </Layout>
  )
}

function inboxColumns({ query, assignees, myStaffId, claimResults }: InboxPageProps): Column<InboxRow>[] {
  const results = new Map((claimResults ?? []).map((r) => [r.taskId, r]))
  const columns: Column<InboxRow>[] = []
  if (query.view === 'tasks') {
    columns.push({
      header: <span class="visually-hidden">选择</span>,
      cell: (r) =>
        r.taskId && r.taskState === 'open' ? (
          <div class="radios__item wb-select">
            <input class="radios__input" type="checkbox" id={`select-${r.taskId}`} name="taskIds" value={r.taskId} />
            <label class="radios__label" for={`select-${r.taskId}`}>
              <span class="visually-hidden">
                选择 {r.applicationNo} {r.taskName}
              </span>
            </label>
          </div>
        ) : null,
    })
  }
  columns.push(
    {
      header: '办件编号',
      cell: (r) => <a href={`/workbench/cases/${r.applicationId}`}>{r.applicationNo ?? '—'}</a>,
    },
    { header: '事项', cell: (r) => r.itemName },
    { header: '申请人', cell: (r) => r.applicantName },
    { header: '渠道', cell: (r) => CHANNEL_NAMES[r.channel] ?? r.channel },
    {
      header: '环节',
      cell: (r) => {
        if (r.kind === 'pre_review') return '预审受理'
        const result = r.taskId ? results.get(r.taskId) : undefined
        const who =
          r.taskState === 'claimed' && r.assigneeStaffId
            ? r.assigneeStaffId === myStaffId
              ? '（我）'
              : `（${assignees[r.assigneeStaffId] ?? '同事'}）`
            : ''
        return (
          <>
            {r.taskName}
            <br />
            <span class="hint">
              {TASK_STATE_NAMES[r.taskState ?? ''] ?? r.taskState}
              {who}
            </span>
            {result ? (
              <span class={`wb-claim-result wb-claim-result--${result.ok ? 'ok' : 'failed'}`}>{result.message}</span>
            ) : null}
          </>
        )
      },
    },
    {
      header: query.view === 'pre_review' ? '收件 / 受理期限' : '到期日',
      cell: (r) =>
        query.view === 'pre_review' ? (
          <>
            {r.receivedOn ?? '—'}
            <br />
            <span class="hint">{r.dueOn ? `${r.dueOn} 前` : ''}</span>
          </>
        ) : (
          (r.dueOn ?? '—')
        ),
    },
    { header: '期限状态', cell: (r) => <ColourTag colour={r.colour} /> },
  )
  return columns
}

function ClaimReport({ results, rows }: { results: ClaimResult[]; rows: InboxRow[] }) {
  const done = results.filter((r) => r.ok).length
  const failed = results.filter((r) => !r.ok)
  const label = (taskId: string) => {
    const row = rows.find((r) => r.taskId === taskId)
    return row ? `办件 ${row.applicationNo ?? ''}（${row.taskName ?? ''}）` : '一个办理环节'
  }
  return (
    <Notice
      tone={failed.length > 0 ? 'warning' : 'success'}
      title={`已签收 ${done} 件${failed.length > 0 ? `，${failed.length} 件未能签收` : ''}`}
    >
      <ul class="list">
        {results.map((r) => (
          <li key={r.taskId}>
            {label(r.taskId)}：{r.message}
          </li>
        ))}
      </ul>
    </Notice>
  )
}

// ---------------------------------------------------------------------------------------------
// The one-notice correction builder (行政许可法 §32)

export interface CorrectionCandidate {
  /** `field:business.address`, `field:staff[0].name` or `material:licence`. */
  id: string
  target: 'field' | 'material'
  key: string
  label: string
  /** The answer or what was provided, in words. */
  current: string
}

export interface CorrectionGroup {
  title: string
  items: CorrectionCandidate[]
}

/** Every field shown in the form (by section, each row of a repeating one) and every material. */
export function correctionCandidates(
  def: FormDefinition,
  data: FormData,
  materials: Material[],
  provided: ApplicationMaterialTable[],
): CorrectionGroup[] {
  const groups: CorrectionGroup[] = []
  for (const section of def.sections) {
    if (!isSectionShown(def, data, section.key)) continue
    const rows = section.repeat ? rowsOf(data, section).map((_, i) => i) : [undefined]
    for (const row of rows) {
      const values = valuesOf(data, section, row)
      const items = section.fields
        .filter((f) => isFieldShown(def, data, section.key, f.key, row))
        .map((f) => {
          const key = inputName(section.key, f.key, row)
          return {
            id: `field:${key}`,
            target: 'field' as const,
            key,
            label: f.label,
            current: formatFieldValue(f, values[f.key]) || '未填写',
          }
        })
      if (items.length > 0) {
        groups.push({
          title: row === undefined ? section.title : `${section.title} · ${rowLabel(section, row)}`,
          items,
        })
      }
    }
  }
  groups.push({
    title: '申请材料',
    items: materials.map((m) => ({
      id: `material:${m.materialCode}`,
      target: 'material' as const,
      key: m.materialCode,
      label: m.materialName,
      current: describeProvided(provided.filter((p) => p.materialCode === m.materialCode)),
    })),
  })
  return groups
}

function describeProvided(rows: ApplicationMaterialTable[]): string {
  if (rows.length === 0) return '未提供'
  return rows
    .map((r) =>
      r.kind === 'file'
        ? (r.fileName ?? '文件')
        : r.kind === 'license'
          ? '电子证照'
          : `容缺，承诺 ${r.deferredUntil ?? ''} 前补交`,
    )
    .join('、')
}

const pickName = (id: string) => `pick.${id}`
const messageName = (id: string) => `message.${id}`

/**
 * Reads the builder's post: every ticked problem with its message. Problems are the clerk's
 * own words; a ticked one without words, or words without a tick, is pointed out.
 */
export function readCorrection(
  groups: CorrectionGroup[],
  body: Record<string, unknown>,
): {
  problems: { target: 'field' | 'material'; key: string; message: string; id: string }[]
  errors: FieldError[]
} {
  const problems: { target: 'field' | 'material'; key: string; message: string; id: string }[] = []
  const errors: FieldError[] = []
  for (const item of groups.flatMap((g) => g.items)) {
    const picked = one(body[pickName(item.id)]) === '1'
    const message = (one(body[messageName(item.id)]) ?? '').trim()
    if (picked && !message) errors.push({ field: messageName(item.id), message: `请写明「${item.label}」需要怎样补正` })
    else if (!picked && message)
      errors.push({ field: pickName(item.id), message: `已写明「${item.label}」的补正要求，请勾选此项，或清空说明` })
    else if (picked && message.length > 500)
      errors.push({ field: messageName(item.id), message: `「${item.label}」的补正要求不能超过 500 字` })
    else if (picked) problems.push({ target: item.target, key: item.key, message, id: item.id })
  }
  if (problems.length === 0 && errors.length === 0) {
    errors.push({ field: 'problems', message: '请至少勾选一项需要补正的内容，并写明怎样补正' })
  }
  return { problems, errors }
}

function one(value: unknown): string | undefined {
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined
  return typeof value === 'string' ? value : undefined
}

// ---------------------------------------------------------------------------------------------
// The case page

export type CaseData = Awaited<ReturnType<typeof workbenchCase>>

export interface Viewer {
  staffId: string
  departmentId: string
  roles: readonly string[]
  canAccept: boolean
  canHandleTasks: boolean
  canExtend: boolean
  canLookUpPersons: boolean
}

/** What an action did, carried by the redirect after it (Post/Redirect/Get). */
export const DONE_KEYS = [
  'accepted',
  'rejected',
  'correction',
  'claimed',
  'agreed',
  'disagreed',
  'decided',
  'returned',
  'transferred',
  'paused',
  'resumed',
  'extended',
] as const
export type DoneKey = (typeof DONE_KEYS)[number]
export interface Done {
  done: DoneKey
  /** The task acted on, when it matters for the message. */
  task?: string
}

/** The success message of an action, from the case as it now is. */
export function doneMessage({ done, task }: Done, data: CaseData): string {
  const { app } = data
  const taskRow = task ? data.tasks.find((t) => t.id === task) : undefined
  switch (done) {
    case 'accepted':
      return `已受理办件 ${app.applicationNo ?? ''}，受理通知书已发送申请人，法定时限截止 ${app.dueOn ?? '—'}。`
    case 'rejected':
      return '已作出不予受理决定，不予受理通知书已发送申请人。'
    case 'correction': {
      const latest = [...data.notices].reverse().find((n) => n.kind === 'correction')
      const count = latest ? ((JSON.parse(latest.content) as { problems?: unknown[] }).problems?.length ?? 0) : 0
      return `补正材料通知书已发送申请人，一次性告知了 ${count} 项需要补正的内容。`
    }
    case 'claimed':
      return '已签收，这个办理环节由您办理。'
    case 'agreed':
      return '已提交审查意见：同意。'
    case 'disagreed':
      return '已提交审查意见：不同意。'
    case 'decided':
      return app.decision === 'refused'
        ? `已作出不予许可决定，办件 ${app.applicationNo ?? ''} 已办结，决定书已送达申请人。`
        : `已作出准予决定，办件 ${app.applicationNo ?? ''} 已办结，决定书已送达申请人。`
    case 'returned':
      return '已退回，所退回环节重新开始办理。'
    case 'transferred':
      return `已转给 ${data.staff.get(taskRow?.assigneeStaffId ?? '')?.name ?? '同事'} 办理。`
    case 'paused':
      return '已启动特别程序，计时暂停；特别程序告知书已发送申请人。'
    case 'resumed':
      return '特别程序已结束，恢复计时，截止日期已相应顺延。'
    case 'extended':
      return `已延长办理期限 ${app.extensionDays} 日，延长办理期限通知书已发送申请人，新的截止日期为 ${app.dueOn ?? '—'}。`
  }
}

/** What the last post left: what was done, or errors with what was typed in one form. */
export interface CaseFormState {
  done?: Done
  errors?: FieldError[]
  /** The form the errors belong to (its anchor), opened and refilled. */
  form?: string
  values?: Record<string, unknown>
}

export interface CasePageProps {
  data: CaseData
  viewer: Viewer
  form: FormDefinition
  /** For pre-review: the last day to accept or send the correction notice (§32). */
  preReviewDue?: string
  colleagues: Record<string, { id: string; name: string }[]>
  state?: CaseFormState
}

export function CasePage(props: CasePageProps) {
  const { data, state } = props
  const { app } = data
  const title = `办件 ${app.applicationNo ?? ''}`
  return (
    <Layout
      title={title}
      wide
      breadcrumbs={[{ href: '/', label: '首页' }, { href: '/workbench', label: '工作台' }, { label: title }]}
    >
      <ErrorSummary errors={state?.errors} />
      {state?.done ? <Notice tone="success">{doneMessage(state.done, data)}</Notice> : null}
      <p class="caption">{data.elements.taskName}</p>
      <h1 class="heading-xl">{title}</h1>
      <CaseSummary {...props} />
      <Actions {...props} />
      <section class="wb-section" aria-labelledby="case-form">
        <h2 class="heading-l" id="case-form">
          申请内容
        </h2>
        <FormSummary def={props.form} data={JSON.parse(app.formData) as FormData} headingLevel={3} />
      </section>
      <MaterialsSection data={data} />
      <TasksSection data={data} />
      <NoticesSection data={data} form={props.form} />
      <TimelineSection data={data} />
    </Layout>
  )
}

function CaseSummary({ data, viewer, preReviewDue }: CasePageProps) {
  const { app, applicant, clock } = data
  const filer = app.filedByStaffId ? data.staff.get(app.filedByStaffId)?.name : undefined
  const consent = app.proxyConsent ? (JSON.parse(app.proxyConsent) as { method?: string; note?: string }) : undefined
  return (
    <section class="wb-section" aria-labelledby="case-summary">
      <h2 class="heading-l" id="case-summary">
        概要
      </h2>
      <SummaryList
        rows={[
          { key: '办件编号', value: app.applicationNo ?? '—' },
          { key: '事项', value: `${data.elements.taskName}（第 ${data.version.version} 版）` },
          { key: '受理部门', value: data.departmentName },
          {
            key: '申请人',
            value: (
              <>
                {applicant.name}
                <span class="hint"> 身份证号码 {applicant.idNumberMasked || '—'}</span>
                {applicant.mobileMasked ? <span class="hint"> 手机 {applicant.mobileMasked}</span> : null}
                {viewer.canLookUpPersons ? (
                  <>
                    {' '}
                    <a href="/staff/persons">
                      查看完整信息<span class="visually-hidden">（{applicant.name}，须说明理由，系统留痕）</span>
                    </a>
                  </>
                ) : null}
              </>
            ),
          },
          {
            key: '渠道',
            value: (
              <>
                {CHANNEL_NAMES[app.channel] ?? app.channel}
                {filer ? <span class="hint">（由 {filer} 代为提交）</span> : null}
                {consent ? (
                  <span class="hint">
                    {' '}
                    群众同意方式：{CONSENT_LABELS[consent.method ?? ''] ?? consent.method}
                    {consent.note ? `，${consent.note}` : ''}
                  </span>
                ) : null}
              </>
            ),
          },
          { key: '状态', value: <Tag tone={STATE_TONES[app.state]}>{data.stateName}</Tag> },
          { key: '收件日期', value: app.receivedOn ?? '—' },
          ...(app.state === 'submitted' && preReviewDue
            ? [{ key: '受理期限', value: `${preReviewDue} 前受理或一次性告知补正（逾期视为受理）` }]
            : []),
          ...(app.acceptedOn
            ? [{ key: '受理日期', value: `${app.acceptedOn}${app.deemedAccepted ? '（逾期未告知，视为受理）' : ''}` }]
            : []),
        ]}
      />
      {clock ? (
        <Table
          caption={data.clockStoppedAt ? `办理时限（已于 ${formatDate(data.clockStoppedAt)} 停止计时）` : '办理时限'}
          columns={[
            { header: '时限', cell: (r) => r.label },
            {
              header: '期限',
              cell: (r) =>
                `${r.summary.budgetDays} 个${r.summary.unit}${r.summary.extensionDays ? `（已延长 ${r.summary.extensionDays} 个${r.summary.unit}）` : ''}`,
            },
            { header: '已用 / 剩余 / 截止', cell: (r) => r.summary.text },
            {
              header: '状态',
              cell: (r) => (
                <>
                  {data.clockStoppedAt ? (
                    <Tag tone={r.summary.state === 'red' ? 'red' : 'green'}>
                      {r.summary.state === 'red' ? '超期办结' : '按时办结'}
                    </Tag>
                  ) : (
                    <Tag tone={CLOCK_TAGS[r.summary.state].tone}>{CLOCK_TAGS[r.summary.state].text}</Tag>
                  )}
                  {r.summary.warning ? <p class="hint">{r.summary.warning}</p> : null}
                </>
              ),
            },
          ]}
          rows={[
            { label: '法定时限', summary: clock.legal },
            { label: '承诺时限', summary: clock.promised },
          ]}
          rowKey={(r) => r.label}
        />
      ) : null}
    </section>
  )
}

const CONSENT_LABELS: Record<string, string> = {
  signed_form: '本人签字授权书',
  recorded_oral: '本人现场口头同意（录音）',
  video: '视频确认',
}

// ----- actions -----------------------------------------------------------------------------------

function Actions(props: CasePageProps) {
  const { data, viewer } = props
  const { app } = data
  const preReview = app.state === 'submitted' && data.ownDepartment && viewer.canAccept
  const myTasks = data.tasks.filter(
    (t) =>
      ['open', 'claimed'].includes(t.state) && t.departmentId === viewer.departmentId && viewer.roles.includes(t.role),
  )
  const clock = app.state === 'in_process' && data.ownDepartment && viewer.canHandleTasks
  if (!preReview && myTasks.length === 0 && !clock) return null
  return (
    <section class="wb-section wb-actions" aria-labelledby="case-actions">
      <h2 class="heading-l" id="case-actions">
        办理操作
      </h2>
      {preReview ? <PreReviewActions {...props} /> : null}
      {myTasks.map((task) => (
        <TaskActions key={task.id} {...props} task={task} />
      ))}
      {clock ? <ClockActions {...props} /> : null}
    </section>
  )
}

/** Values of the form that failed (kept as typed), or nothing for the other forms. */
function valuesFor(state: CaseFormState | undefined, form: string): Record<string, unknown> {
  return state?.form === form ? (state.values ?? {}) : {}
}

function ActionBox({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <div class="wb-action" id={fieldId(id)} tabIndex={-1}>
      <h3 class="heading-m">{title}</h3>
      {children}
    </div>
  )
}

function PreReviewActions({ data, form, state, preReviewDue }: CasePageProps) {
  const { app } = data
  const base = `/workbench/cases/${app.id}`
  const e = errorMap(state?.errors)
  const rejectValues = valuesFor(state, 'reject')
  const correctionValues = valuesFor(state, 'correction')
  const groups = correctionCandidates(
    form,
    JSON.parse(app.formData) as FormData,
    data.elements.materials,
    data.materials,
  )
  const correctionOpen = state?.form === 'correction'
  return (
    <>
      <ActionBox id="accept" title="受理">
        <LawLine>{LAW.accept}</LawLine>
        <Form action={`${base}/accept`}>
          <Button>受理</Button>
        </Form>
      </ActionBox>
      <ActionBox id="correction" title="一次性告知补正">
        <LawLine>{LAW.correction}</LawLine>
        {preReviewDue ? <p>本件应在 {preReviewDue} 前告知。</p> : null}
        <details class="wb-correction" open={correctionOpen || undefined}>
          <summary>列出需要补正的全部内容</summary>
          <Form action={`${base}/correction`}>
            <p class="hint">
              勾选每一项需要补正的内容，并写明怎样补正。所有问题将写入同一份《补正材料通知书》，申请人只需修改通知中列出的内容。
            </p>
            <div id={fieldId('problems')} tabIndex={-1} class={e.problems ? 'field field--error' : undefined}>
              {e.problems ? (
                <p class="field__error">
                  <span class="visually-hidden">错误：</span>
                  {e.problems}
                </p>
              ) : null}
              {groups.map((group) => (
                <fieldset class="fieldset wb-correction__group" key={group.title}>
                  <legend class="field__label">{group.title}</legend>
                  {group.items.map((item) => (
                    <div class="wb-correction__item" key={item.id}>
                      <Checkbox
                        name={pickName(item.id)}
                        label={
                          <>
                            {item.label}
                            <span class="hint">：{item.current}</span>
                          </>
                        }
                        checked={one(correctionValues[pickName(item.id)]) === '1'}
                        error={e[pickName(item.id)]}
                      />
                      <Field
                        name={messageName(item.id)}
                        label={
                          <>
                            补正要求<span class="visually-hidden">：「{item.label}」</span>
                          </>
                        }
                        error={e[messageName(item.id)]}
                        required
                      >
                        {({ id, describedBy, invalid }) => (
                          <textarea
                            class={`textarea${invalid ? ' input--error' : ''}`}
                            id={id}
                            name={messageName(item.id)}
                            rows={2}
                            maxLength={500}
                            aria-describedby={describedBy}
                            aria-invalid={invalid || undefined}
                          >
                            {one(correctionValues[messageName(item.id)]) ?? ''}
                          </textarea>
                        )}
                      </Field>
                    </div>
                  ))}
                </fieldset>
              ))}
            </div>
            <Button variant="secondary">发出补正材料通知书</Button>
          </Form>
        </details>
      </ActionBox>
      <ActionBox id="reject" title="不予受理">
        <LawLine>{LAW.reject}</LawLine>
        <Form action={`${base}/reject`}>
          <Textarea
            name="rejectReason"
            label="不予受理的理由"
            rows={3}
            required
            value={one(rejectValues.rejectReason) ?? ''}
            error={e.rejectReason}
            maxLength={1000}
          />
          <TextInput
            name="whereToApply"
            label="应向哪个机关申请"
            hint="不属于本机关职权范围的，写明有权受理的机关"
            value={one(rejectValues.whereToApply) ?? ''}
            error={e.whereToApply}
            maxLength={200}
          />
          <Button variant="warning">不予受理</Button>
        </Form>
      </ActionBox>
    </>
  )
}

function TaskActions({ data, viewer, colleagues, state, task }: CasePageProps & { task: TaskTable }) {
  const base = `/workbench/cases/${data.app.id}/tasks/${task.id}`
  const e = errorMap(state?.errors)
  const stage = data.stages[task.stage]
  const isLast = task.stage === data.stages.length - 1
  const mine = task.state === 'claimed' && task.assigneeStaffId === viewer.staffId
  const someoneElse = task.state === 'claimed' && !mine
  const completeValues = valuesFor(state, `complete-${task.id}`)
  const returnValues = valuesFor(state, `return-${task.id}`)
  const transferValues = valuesFor(state, `transfer-${task.id}`)
  const people = colleagues[task.role] ?? []
  const title = `${stage?.name ?? `第 ${task.stage + 1} 环节`}：${task.name}`
  if (someoneElse) {
    return (
      <ActionBox id={`task-${task.id}`} title={title}>
        <p>已由 {data.staff.get(task.assigneeStaffId ?? '')?.name ?? '同事'} 签收办理。</p>
      </ActionBox>
    )
  }
  return (
    <ActionBox id={`task-${task.id}`} title={title}>
      <p class="hint">
        {TASK_STATE_NAMES[task.state]}
        {task.dueOn ? `，本环节 ${task.dueOn} 前办结` : ''}
      </p>
      {task.state === 'open' ? (
        <Form action={`${base}/claim`} id={fieldId(`claim-${task.id}`)}>
          <Button variant="secondary">签收</Button>
        </Form>
      ) : null}
      <Form action={`${base}/complete`} id={fieldId(`complete-${task.id}`)}>
        <h4 class="heading-s">{isLast ? '审批决定' : '审查意见'}</h4>
        <Radios
          name="outcome"
          legend={isLast ? '决定' : '审查结果'}
          inline
          value={one(completeValues.outcome) ?? ''}
          error={e.outcome}
          options={
            isLast
              ? [
                  { value: 'agree', label: '同意（准予许可）' },
                  { value: 'disagree', label: '不同意（不予许可）' },
                ]
              : [
                  { value: 'agree', label: '同意' },
                  { value: 'disagree', label: '不同意' },
                ]
          }
        />
        <Textarea
          name="opinion"
          label="意见"
          hint="不同意时必须写明理由"
          rows={3}
          value={one(completeValues.opinion) ?? ''}
          error={e.opinion}
          maxLength={2000}
        />
        <LawLine>{LAW.refuse}</LawLine>
        <Button>{isLast ? '作出决定' : '提交审查意见'}</Button>
      </Form>
      {task.stage > 0 ? (
        <Form action={`${base}/return`} id={fieldId(`return-${task.id}`)}>
          <h4 class="heading-s">退回</h4>
          <Select
            name="toStage"
            label="退回到"
            required
            value={one(returnValues.toStage) ?? ''}
            error={e.toStage}
            options={data.stages.slice(0, task.stage).map((s, i) => ({ value: String(i), label: s.name }))}
          />
          <Textarea
            name="returnReason"
            label="退回理由"
            rows={2}
            required
            value={one(returnValues.returnReason) ?? ''}
            error={e.returnReason}
            maxLength={1000}
          />
          <Button variant="secondary">退回</Button>
        </Form>
      ) : null}
      <Form action={`${base}/transfer`} id={fieldId(`transfer-${task.id}`)}>
        <h4 class="heading-s">转办</h4>
        {people.length === 0 ? (
          <p class="hint">本部门没有同一岗位的其他同事，不能转办。</p>
        ) : (
          <>
            <Select
              name="toStaffId"
              label={`转给本部门的${roleName(task.role)}`}
              required
              value={one(transferValues.toStaffId) ?? ''}
              error={e.toStaffId}
              options={people.map((p) => ({ value: p.id, label: p.name }))}
            />
            <TextInput
              name="transferReason"
              label="转办说明"
              value={one(transferValues.transferReason) ?? ''}
              error={e.transferReason}
              maxLength={200}
            />
            <Button variant="secondary">转办</Button>
          </>
        )}
      </Form>
    </ActionBox>
  )
}

function ClockActions({ data, viewer, state }: CasePageProps) {
  const { app, clock } = data
  const base = `/workbench/cases/${app.id}/clock`
  const e = errorMap(state?.errors)
  const paused = Boolean(app.paused)
  const pauseValues = valuesFor(state, 'pause')
  const extendValues = valuesFor(state, 'extend')
  const joint = data.elements.projectType === '联办件'
  const open = clock?.pauses.find((p) => !p.toAt)
  return (
    <>
      <ActionBox id="pause" title={paused ? '结束特别程序' : '启动特别程序'}>
        <LawLine>{LAW.pause}</LawLine>
        {paused ? (
          <Form action={`${base}/resume`}>
            <p>
              计时自 {open ? formatDate(open.fromAt) : ''} 起暂停
              {open
                ? `（${SPECIAL_PROCEDURE_CHOICES.find((c) => c.value === open.reason)?.label ?? open.reason}）`
                : ''}
              。特别程序结束后恢复计时，截止日期相应顺延。
            </p>
            <Button variant="secondary">结束特别程序，恢复计时</Button>
          </Form>
        ) : (
          <Form action={`${base}/pause`}>
            <Select
              name="procedure"
              label="特别程序"
              required
              value={one(pauseValues.procedure) ?? ''}
              error={e.procedure}
              options={SPECIAL_PROCEDURE_CHOICES}
            />
            <TextInput
              name="expectedDays"
              label="预计需要的天数"
              hint="将书面告知申请人"
              inputMode="numeric"
              class="input--short"
              required
              value={one(pauseValues.expectedDays) ?? ''}
              error={e.expectedDays}
              maxLength={3}
            />
            <Textarea
              name="procedureNote"
              label="告知申请人的说明"
              rows={2}
              value={one(pauseValues.procedureNote) ?? ''}
              error={e.procedureNote}
              maxLength={500}
            />
            <Button variant="secondary">启动特别程序，暂停计时</Button>
          </Form>
        )}
      </ActionBox>
      {viewer.canExtend ? (
        <ActionBox id="extend" title="延长办理期限">
          <LawLine>{LAW.extend(joint ? 15 : 10)}</LawLine>
          {app.extensionDays > 0 ? (
            <p>已延长 {app.extensionDays} 日，依法不能再次延长。</p>
          ) : (
            <Form action={`${base}/extend`}>
              <Textarea
                name="extendReason"
                label="延长理由"
                hint="将写入《延长办理期限通知书》告知申请人"
                rows={2}
                required
                value={one(extendValues.extendReason) ?? ''}
                error={e.extendReason}
                maxLength={500}
              />
              <Button variant="secondary">{`批准延长 ${joint ? 15 : 10} 日`}</Button>
            </Form>
          )}
        </ActionBox>
      ) : null}
    </>
  )
}

// ----- the record ------------------------------------------------------------------------------

function MaterialsSection({ data }: { data: CaseData }) {
  const { app, elements } = data
  const retired = data.materialHistory.filter((m) => !m.current)
  return (
    <section class="wb-section" aria-labelledby="case-materials">
      <h2 class="heading-l" id="case-materials">
        申请材料
      </h2>
      <ul class="wb-materials">
        {elements.materials.map((m) => {
          const provided = data.materials.filter((p) => p.materialCode === m.materialCode)
          return (
            <li class="wb-materials__item" key={m.materialCode}>
              <h3 class="heading-s wb-materials__name">
                {m.materialName}
                {m.isNeed ? null : <span class="hint">（选交）</span>}
              </h3>
              {provided.length === 0 ? (
                <p class="hint">未提供</p>
              ) : (
                provided.map((p) => <ProvidedMaterial key={p.id} applicationId={app.id} material={p} />)
              )}
            </li>
          )
        })}
      </ul>
      {retired.length > 0 ? (
        <details class="wb-material-history">
          <summary>补正前提交的材料（{retired.length} 份）</summary>
          <ul class="list">
            {retired.map((m) => (
              <li key={m.id}>
                {elements.materials.find((x) => x.materialCode === m.materialCode)?.materialName ?? m.materialCode}：
                {m.kind === 'file' && m.fileSha256 ? (
                  <a href={`/workbench/cases/${app.id}/materials/${m.fileSha256}`}>{m.fileName ?? '文件'}</a>
                ) : (
                  describeProvided([m])
                )}
                <span class="hint">（{formatDateTime(m.createdAt)} 提交）</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  )
}

function ProvidedMaterial({
  applicationId,
  material: p,
}: {
  applicationId: string
  material: ApplicationMaterialTable
}) {
  const grade = (
    <Tag tone={p.trustGrade === 'd' ? 'yellow' : p.trustGrade === 'c' ? 'grey' : 'green'}>
      {TRUST_GRADES[p.trustGrade]}
    </Tag>
  )
  if (p.kind === 'deferred') {
    return (
      <p>
        {grade} 容缺受理，申请人承诺 <strong>{p.deferredUntil}</strong> 前补交。
      </p>
    )
  }
  if (p.kind === 'license') {
    return (
      <p>
        {grade} 以电子证照代替（证照标识 <span class="code">{p.licenseId}</span>，申请人已授权使用）
      </p>
    )
  }
  const href = `/workbench/cases/${applicationId}/materials/${p.fileSha256}`
  const image = p.fileMime === 'image/jpeg' || p.fileMime === 'image/png'
  return (
    <div class="wb-file">
      <p>
        {grade}{' '}
        <a href={href} target="_blank" rel="noopener">
          {p.fileName ?? '文件'}
          <span class="visually-hidden">（在新窗口打开）</span>
        </a>
        <span class="hint">
          {' '}
          {p.fileMime === 'application/pdf' ? 'PDF' : image ? '图片' : (p.fileMime ?? '')}
          {p.fileSize ? `，${formatSize(p.fileSize)}` : ''}
        </span>
      </p>
      {image ? (
        <a href={href} target="_blank" rel="noopener" class="wb-file__link">
          <img class="wb-file__preview" src={href} alt={`材料预览：${p.fileName ?? ''}`} loading="lazy" />
        </a>
      ) : null}
    </div>
  )
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`
  return `${bytes} 字节`
}

function TasksSection({ data }: { data: CaseData }) {
  if (data.tasks.length === 0) return null
  return (
    <section class="wb-section" aria-labelledby="case-tasks">
      <h2 class="heading-l" id="case-tasks">
        办理环节
      </h2>
      <Table
        caption={<span class="visually-hidden">各环节的办理情况</span>}
        columns={[
          { header: '环节', cell: (t) => data.stages[t.stage]?.name ?? `第 ${t.stage + 1} 环节` },
          { header: '任务', cell: (t) => t.name },
          { header: '部门', cell: (t) => data.departmentNames.get(t.departmentId) ?? '' },
          { header: '岗位', cell: (t) => roleName(t.role) },
          { header: '状态', cell: (t) => TASK_STATE_NAMES[t.state] ?? t.state },
          {
            header: '承办人',
            cell: (t) => (t.assigneeStaffId ? (data.staff.get(t.assigneeStaffId)?.name ?? '') : '—'),
          },
          {
            header: '结果',
            cell: (t) =>
              t.outcome === 'agree' ? (
                <Tag tone="green">同意</Tag>
              ) : t.outcome === 'disagree' ? (
                <Tag tone="red">不同意</Tag>
              ) : (
                '—'
              ),
          },
          { header: '意见', cell: (t) => t.opinion ?? '—' },
          { header: '到期日', cell: (t) => t.dueOn ?? '—' },
        ]}
        rows={data.tasks}
        rowKey={(t) => t.id}
      />
    </section>
  )
}

function NoticesSection({ data, form }: { data: CaseData; form: FormDefinition }) {
  if (data.notices.length === 0) return null
  return (
    <section class="wb-section" aria-labelledby="case-notices">
      <h2 class="heading-l" id="case-notices">
        文书
      </h2>
      <ul class="wb-notices">
        {data.notices.map((n) => {
          const content = JSON.parse(n.content) as {
            paragraphs?: string[]
            problems?: { target: 'field' | 'material'; key: string; message: string }[]
          }
          return (
            <li class="wb-notices__item" key={n.id}>
              <a href={`/my/applications/${data.app.id}/notices/${n.id}`}>{n.title}</a>
              <span class="hint">
                {' '}
                {n.number}，{formatDate(n.issuedAt)}
              </span>
              <details>
                <summary>
                  内容<span class="visually-hidden">：{n.title}</span>
                </summary>
                {(content.paragraphs ?? []).map((p, i) => (
                  <p key={i}>{p}</p>
                ))}
                {content.problems && content.problems.length > 0 ? (
                  <ol class="list list--number">
                    {content.problems.map((p, i) => (
                      <li key={i}>
                        <strong>{problemTarget(p, form, data.elements)}：</strong>
                        {p.message}
                      </li>
                    ))}
                  </ol>
                ) : null}
              </details>
            </li>
          )
        })}
      </ul>
    </section>
  )
}

function TimelineSection({ data }: { data: CaseData }) {
  const rows = data.timeline.map((entry, i) => ({ entry, actor: data.timelineActors[i] ?? entry.actor, i }))
  return (
    <section class="wb-section" aria-labelledby="case-timeline">
      <h2 class="heading-l" id="case-timeline">
        办理记录
      </h2>
      <Table
        caption={<span class="visually-hidden">办理记录，按时间先后</span>}
        columns={[
          { header: '时间', cell: (r) => formatDateTime(r.entry.at) },
          {
            header: '事项',
            cell: (r) => (
              <>
                {r.entry.label}
                {r.entry.stateName ? <span class="hint">（{r.entry.stateName}）</span> : null}
              </>
            ),
          },
          { header: '办理人', cell: (r) => r.actor },
          { header: '说明', cell: (r) => r.entry.reason ?? '' },
        ]}
        rows={rows}
        rowKey={(r) => String(r.i)}
      />
    </section>
  )
}
