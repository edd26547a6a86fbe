/**
 * 事项管理 pages: the department's items, the editor (every element, repeating rows that work
 * without JavaScript), review with what changed, version history, Excel import and export.
 * Components take plain data and return markup; they do not query.
 */
import type { ComponentChildren } from 'preact'
import {
  Button,
  ButtonLink,
  type Column,
  ErrorSummary,
  errorMap,
  Field,
  type FieldError,
  Form,
  fieldId,
  formatDateTime,
  Layout,
  Notice,
  type Option,
  Panel,
  Radios,
  SummaryList,
  Table,
  Tag,
  type TagTone,
  Textarea,
  TextInput,
  usePage,
} from '../../platform/ui/index.js'
import {
  CHANGE_KIND_NAMES,
  type Change,
  ELEMENT_LABELS,
  FEE_LABELS,
  fieldLabel,
  MATERIAL_LABELS,
  type ShowOptions,
  showValue,
} from './catalog.diff.js'
import { EDITOR_ROWS, type EditorRowGroup, type EditorValues, many, one, rowCount } from './catalog.editor.js'
import type { ImportOutcome, ImportPlan } from './catalog.excel.js'
import {
  ENTERPRISE_TOPICS,
  HANDLE_TYPES,
  type ItemElements,
  type ItemFile,
  MATERIAL_FORMATS,
  ONLINE_DEPTHS,
  PERSON_TOPICS,
  POWER_SOURCES,
  PROJECT_TYPES,
  RESULT_TYPES,
  SERVER_TYPES,
  SOURCE_TYPES,
  TASK_TYPES,
  TIME_UNITS,
  USE_LEVELS,
} from './catalog.model.js'
import type { ItemVersionState, ItemVersionTable } from './catalog.tables.js'

// ---------------------------------------------------------------------------------------------
// Shared pieces

const STATE_TAGS: Record<ItemVersionState, { tone: TagTone; label: string }> = {
  draft: { tone: 'grey', label: '草稿' },
  in_review: { tone: 'blue', label: '待审核' },
  published: { tone: 'green', label: '已发布' },
  superseded: { tone: 'purple', label: '已被新版本替代' },
  withdrawn: { tone: 'red', label: '已撤销' },
}

export function StateTag({ state }: { state: ItemVersionState }) {
  const tag = STATE_TAGS[state]
  return <Tag tone={tag.tone}>{tag.label}</Tag>
}

const CHANGE_TONES: Record<Change['kind'], TagTone> = { added: 'green', removed: 'red', changed: 'yellow' }

type Crumb = { href?: string; label: string }
const itemsCrumbs = (...rest: Crumb[]): Crumb[] => [
  { href: '/', label: '首页' },
  { href: '/admin/items', label: '事项管理' },
  ...rest,
]
const reviewCrumbs = (...rest: Crumb[]): Crumb[] => [
  { href: '/', label: '首页' },
  { href: '/admin/items/review', label: '事项审核' },
  ...rest,
]

const when = (iso: string | null | undefined) => (iso ? formatDateTime(iso) : '—')

/** Text that may hold line breaks, shown with them. */
const Lines = ({ text }: { text: string }) => (text ? <span class="pre-line">{text}</span> : <span>—</span>)

/** Summary entries for the error summary: 「承诺办结时限：不能大于 365」, linking to the field. */
function summaryOf(errors: FieldError[]): FieldError[] {
  return errors.map((e) => ({ field: e.field, message: `${fieldLabel(e.field)}：${e.message}` }))
}

/** A form posted as multipart/form-data: its CSRF token travels in the query string. */
function MultipartForm({ action, children, id }: { action: string; children: ComponentChildren; id?: string }) {
  const page = usePage()
  const sep = action.includes('?') ? '&' : '?'
  return (
    <Form action={`${action}${sep}_csrf=${encodeURIComponent(page.csrfToken)}`} multipart id={id}>
      {children}
    </Form>
  )
}

/** A group of check boxes in a fieldset; the first box carries the group's id (for error links). */
function CheckboxGroup({
  name,
  legend,
  hint,
  error,
  values,
  options,
  idSuffix = '',
}: {
  name: string
  legend: string
  hint?: string
  error?: string
  values: readonly string[]
  options: Option[]
  idSuffix?: string
}) {
  const id = `${fieldId(name)}${idSuffix}`
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <fieldset class="fieldset" aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}>
        <legend class="field__label">{legend}</legend>
        {hint ? (
          <div class="field__hint" id={hintId}>
            {hint}
          </div>
        ) : null}
        {error ? (
          <p class="field__error" id={errorId}>
            <span class="visually-hidden">错误：</span>
            {error}
          </p>
        ) : null}
        <div class="radios radios--inline">
          {options.map((o, i) => (
            <div class="radios__item" key={o.value}>
              <input
                class="radios__input"
                type="checkbox"
                id={i === 0 ? id : `${id}-${i}`}
                name={name}
                value={o.value}
                checked={values.includes(o.value)}
              />
              <label class="radios__label" for={i === 0 ? id : `${id}-${i}`}>
                {o.label}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  )
}

const options = (values: readonly string[]): Option[] => values.map((v) => ({ value: v, label: v }))
const YES_NO: Option[] = [
  { value: 'true', label: '是' },
  { value: 'false', label: '否' },
]

// ---------------------------------------------------------------------------------------------
// 事项管理: the department's items

export interface DepartmentItemRow {
  itemId: string
  catalogCode: string
  currentVersionId: string | null
  versionId: string
  version: number
  state: ItemVersionState
  taskName: string
  updatedAt: string
}

const doneMessages: Record<string, string> = {
  created: '事项已新建并保存为草稿。',
  saved: '草稿已保存。',
  saved_not_submitted: '草稿已保存，但还有需要修改的地方，暂时不能提交审核。',
  submitted: '已提交审核。审核通过后立即发布。',
  version: '已建立新版本草稿，发布前原版本继续有效。',
  approved: '已审核通过并发布。',
  rejected: '已退回修改，事项管理员会看到您的意见。',
  withdrawn: '事项已撤销，公众不再看到它；各版本仍可查看。',
}

export function DoneNotice({ done }: { done?: string }) {
  const message = done ? doneMessages[done] : undefined
  return message ? <Notice tone="success">{message}</Notice> : null
}

export function ItemsListPage({
  items,
  departmentName,
  done,
}: {
  items: DepartmentItemRow[]
  departmentName: string
  done?: string
}) {
  const columns: Column<DepartmentItemRow>[] = [
    { header: '事项名称', cell: (r) => <a href={`/admin/items/${r.itemId}/versions`}>{r.taskName}</a> },
    { header: '基本编码', cell: (r) => <code>{r.catalogCode}</code> },
    { header: '最新版本', cell: (r) => `第 ${r.version} 版`, numeric: true },
    { header: '状态', cell: (r) => <StateTag state={r.state} /> },
    { header: '更新时间', cell: (r) => when(r.updatedAt) },
    {
      header: '操作',
      cell: (r) =>
        r.state === 'draft' ? (
          <a href={`/admin/items/versions/${r.versionId}/edit`}>
            编辑<span class="visually-hidden">「{r.taskName}」</span>
          </a>
        ) : r.state === 'published' || r.state === 'withdrawn' ? (
          <Form action={`/admin/items/${r.itemId}/new-version`} class="inline-form">
            <Button variant="secondary">
              建立新版本<span class="visually-hidden">（{r.taskName}）</span>
            </Button>
          </Form>
        ) : (
          <a href={`/admin/items/versions/${r.versionId}`}>
            查看<span class="visually-hidden">「{r.taskName}」</span>
          </a>
        ),
    },
  ]
  return (
    <Layout title="事项管理" breadcrumbs={itemsCrumbs({ label: '本部门事项' })} wide>
      <h1 class="heading-xl">事项管理</h1>
      <p class="lead">
        {departmentName ? `${departmentName}的政务服务事项实施清单。` : '本部门的政务服务事项实施清单。'}
      </p>
      <DoneNotice done={done} />
      <div class="button-row">
        <ButtonLink href="/admin/items/new">新建事项</ButtonLink>
        <ButtonLink href="/admin/items/export.xlsx" variant="secondary">
          导出 Excel
        </ButtonLink>
        <ButtonLink href="/admin/items/import" variant="secondary">
          从 Excel 导入
        </ButtonLink>
      </div>
      <Table
        caption={`共 ${items.length} 个事项`}
        columns={columns}
        rows={items}
        rowKey={(r) => r.itemId}
        empty="本部门还没有事项。点「新建事项」开始编写。"
      />
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// The editor

export interface EditorPageProps {
  mode: 'new' | 'edit'
  /** Where the form posts (without the CSRF query). */
  action: string
  values: EditorValues
  errors: FieldError[]
  /** The department the item belongs to. */
  department: { name: string; creditCode: string | null }
  /** Departments that may be named as 联办机构. */
  departments: Option[]
  /** Files the form refers to, by field name (resolved from their signed references). */
  files: Record<string, ItemFile | undefined>
  /** The item's codes once it exists: they cannot change. */
  codes?: { catalogCode: string; taskCode: string; taskHandleItem: string | null }
  version?: Pick<ItemVersionTable, 'version' | 'state' | 'reviewComment' | 'reviewedAt'>
  itemId?: string
  done?: string
  /** A field to put the cursor in (the first field of a row just added). */
  focus?: string
}

const SECTIONS = [
  ['basic', '基本信息与编码'],
  ['basis', '设定依据'],
  ['audience', '服务对象与受理条件'],
  ['flow', '办理流程'],
  ['time', '时限'],
  ['fees', '收费'],
  ['place', '地点与咨询'],
  ['online', '网上办理'],
  ['result', '办理结果'],
  ['materials', '申请材料'],
  ['faqs', '常见问题'],
  ['topics', '分类与关键词'],
  ['note', '变更说明'],
] as const

function EditorSection({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="editor-section" id={`section-${id}`} aria-labelledby={`section-${id}-title`}>
      <h2 class="heading-l" id={`section-${id}-title`}>
        {title}
      </h2>
      {children}
    </section>
  )
}

/** The inputs of one editor page: values kept as typed, errors beside each. */
class EditorInputs {
  readonly err: Record<string, string | undefined>

  constructor(
    readonly props: EditorPageProps,
    errors: FieldError[],
  ) {
    this.err = errorMap(errors)
  }

  v(name: string) {
    return one(this.props.values, name)
  }

  text(name: string, label: string, opts: { hint?: string; required?: boolean; short?: boolean } = {}) {
    return (
      <TextInput
        name={name}
        label={label}
        hint={opts.hint}
        value={this.v(name)}
        error={this.err[name]}
        required={opts.required ?? true}
        class={opts.short ? 'input--short' : undefined}
        autofocus={this.props.focus === name || undefined}
      />
    )
  }

  number(name: string, label: string, hint?: string) {
    return (
      <TextInput
        name={name}
        label={label}
        hint={hint}
        value={this.v(name)}
        error={this.err[name]}
        required
        class="input--short"
        inputMode="numeric"
        autofocus={this.props.focus === name || undefined}
      />
    )
  }

  area(name: string, label: string, opts: { hint?: string; required?: boolean; rows?: number } = {}) {
    return (
      <Textarea
        name={name}
        label={label}
        hint={opts.hint}
        value={this.v(name)}
        error={this.err[name]}
        required={opts.required ?? true}
        rows={opts.rows ?? 4}
        autofocus={this.props.focus === name || undefined}
      />
    )
  }

  radios(name: string, legend: string, choices: Option[], hint?: string) {
    return (
      <Radios
        name={name}
        legend={legend}
        hint={hint}
        value={this.v(name)}
        error={this.err[name]}
        options={choices}
        inline={choices.length <= 4}
      />
    )
  }

  checkboxes(name: string, legend: string, choices: Option[], hint?: string) {
    return (
      <CheckboxGroup
        name={name}
        legend={legend}
        hint={hint}
        error={this.err[name]}
        values={many(this.props.values, name)}
        options={choices}
      />
    )
  }

  /** A file already attached (kept by its signed reference), a box to remove it, and an upload. */
  file(name: string, label: string) {
    const current = this.props.files[name]
    const token = this.v(name)
    const error = this.err[name] ?? this.err[`${name}.upload`]
    return (
      <div class={`field${error ? ' field--error' : ''}`}>
        <fieldset class="fieldset" id={fieldId(name)}>
          <legend class="field__label">
            {label}
            <span class="field__optional">（选填）</span>
          </legend>
          {error ? (
            <p class="field__error">
              <span class="visually-hidden">错误：</span>
              {error}
            </p>
          ) : null}
          {current ? (
            <>
              <input type="hidden" name={name} value={token} />
              <p class="file-current">
                已上传：{current.fileName}（{Math.max(1, Math.round(current.size / 1024))} KB）
              </p>
              <div class="radios__item">
                <input
                  class="radios__input"
                  type="checkbox"
                  id={fieldId(`${name}.remove`)}
                  name={`${name}.remove`}
                  value="1"
                  checked={this.v(`${name}.remove`) === '1'}
                />
                <label class="radios__label" for={fieldId(`${name}.remove`)}>
                  删除这个文件
                </label>
              </div>
            </>
          ) : null}
          <label class="field__label" for={fieldId(`${name}.upload`)}>
            {current ? '换一个文件' : '上传文件'}
          </label>
          <div class="field__hint" id={`${fieldId(`${name}.upload`)}-hint`}>
            PDF、JPG、PNG、OFD 或 Excel（XLSX），5 MB 以内；保存草稿时上传。
          </div>
          <input
            class="file-upload"
            type="file"
            id={fieldId(`${name}.upload`)}
            name={`${name}.upload`}
            accept=".pdf,.jpg,.jpeg,.png,.ofd,.xlsx"
            aria-describedby={`${fieldId(`${name}.upload`)}-hint`}
          />
        </fieldset>
      </div>
    )
  }

  /** A repeating part: its rows, each removable, and a button to add one. */
  rows(
    group: EditorRowGroup,
    title: string,
    rowTitle: string,
    body: (i: number) => ComponentChildren,
    /** When the section's heading already says it. */
    hideLegend = false,
  ) {
    const count = rowCount(this.props.values, group)
    const slug = EDITOR_ROWS[group].slug
    const error = this.err[group]
    return (
      <div class={`field${error ? ' field--error' : ''}`}>
        <fieldset class="fieldset editor-rows" id={fieldId(group)}>
          <legend class={hideLegend ? 'visually-hidden' : 'heading-m'}>{title}</legend>
          {error ? (
            <p class="field__error">
              <span class="visually-hidden">错误：</span>
              {error}
            </p>
          ) : null}
          {count === 0 ? <p class="hint">还没有{title}。</p> : null}
          {Array.from({ length: count }, (_, i) => (
            <fieldset class="fieldset editor-row" key={i} id={fieldId(`${group}[${i}]`)}>
              <legend class="heading-s">
                {rowTitle} {i + 1}
              </legend>
              {this.err[`${group}[${i}]`] ? <p class="field__error">{this.err[`${group}[${i}]`]}</p> : null}
              {body(i)}
              <Button variant="secondary" name="action" value={`remove-${slug}-${i}`}>
                删除此行<span class="visually-hidden">（{`${rowTitle} ${i + 1}`}）</span>
              </Button>
            </fieldset>
          ))}
          <Button variant="secondary" name="action" value={`add-${slug}`}>
            添加一行<span class="visually-hidden">（{rowTitle}）</span>
          </Button>
        </fieldset>
      </div>
    )
  }
}

export function EditorPage(props: EditorPageProps) {
  const { mode, errors, department, codes, version } = props
  const f = new EditorInputs(props, errors)
  const title = mode === 'new' ? '新建事项' : `编辑事项：${one(props.values, 'taskName') || codes?.catalogCode || ''}`
  const typedCode = one(props.values, 'catalogCode').trim().toUpperCase()
  const taskCode = codes?.taskCode ?? (department.creditCode && typedCode ? `${department.creditCode}${typedCode}` : '')
  const topicsPerson = Object.entries(PERSON_TOPICS).map(([value, label]) => ({ value, label }))
  const topicsEnterprise = Object.entries(ENTERPRISE_TOPICS).map(([value, label]) => ({ value, label }))
  const chosenTopics = many(props.values, 'topics')
  return (
    <Layout
      title={title}
      breadcrumbs={itemsCrumbs(
        ...(props.itemId ? [{ href: `/admin/items/${props.itemId}/versions`, label: '版本记录' }] : []),
        { label: mode === 'new' ? '新建事项' : '编辑' },
      )}
      wide
    >
      <ErrorSummary errors={summaryOf(errors)} title={`有 ${errors.length} 处需要修改`} />
      <h1 class="heading-xl">{title}</h1>
      <DoneNotice done={props.done} />
      {version ? (
        <p class="lead">
          第 {version.version} 版 <StateTag state={version.state} />
        </p>
      ) : null}
      {version?.reviewComment && version.state === 'draft' ? (
        <Notice tone="warning" title="审核退回意见">
          <p class="pre-line">{version.reviewComment}</p>
          {version.reviewedAt ? <p class="hint">退回时间：{when(version.reviewedAt)}</p> : null}
        </Notice>
      ) : null}
      <nav class="editor-toc" aria-label="本页内容">
        <ul class="list">
          {SECTIONS.map(([id, label]) => (
            <li key={id}>
              <a href={`#section-${id}`}>{label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <MultipartForm action={props.action} id="item-editor">
        {/* Pressing Enter in a field saves the draft (the first submit button of a form is its default). */}
        <button type="submit" name="action" value="save" class="visually-hidden" tabIndex={-1} aria-hidden="true">
          保存草稿
        </button>

        <EditorSection id="basic" title="基本信息与编码">
          {codes ? (
            <SummaryList
              rows={[
                { key: ELEMENT_LABELS.catalogCode, value: <code>{codes.catalogCode}</code> },
                { key: ELEMENT_LABELS.taskHandleItem, value: codes.taskHandleItem ?? '—' },
                { key: ELEMENT_LABELS.taskCode, value: <code>{codes.taskCode}</code> },
              ]}
            />
          ) : (
            <>
              {f.text('catalogCode', ELEMENT_LABELS.catalogCode, {
                hint: '12 位数字或大写字母，按国家事项目录编码；保存后不能修改。',
                short: true,
              })}
              {f.text('taskHandleItem', ELEMENT_LABELS.taskHandleItem, {
                hint: '同一事项按情形分为几个办理项时填写，1–10 位数字或大写字母。',
                required: false,
                short: true,
              })}
              <SummaryList
                rows={[
                  {
                    key: `${ELEMENT_LABELS.taskCode}（自动生成）`,
                    value: taskCode ? <code>{taskCode}</code> : '填写基本编码后生成',
                  },
                ]}
              />
            </>
          )}
          {f.err.taskCode ? (
            <p class="field__error" id={fieldId('taskCode')} tabIndex={-1}>
              <span class="visually-hidden">错误：</span>
              {f.err.taskCode}
            </p>
          ) : null}
          {codes ? (
            <p class="hint">编码确定事项的身份，新版本不能修改；实施编码 = 实施部门统一社会信用代码 + 基本编码。</p>
          ) : (
            <p class="hint">
              实施编码 = {department.name}的统一社会信用代码 {department.creditCode ?? '（未登记）'} + 基本编码。
            </p>
          )}
          {f.text('taskName', ELEMENT_LABELS.taskName, { hint: '2–100 字，用群众熟悉的说法。' })}
          {f.radios(
            'taskType',
            ELEMENT_LABELS.taskType,
            Object.entries(TASK_TYPES).map(([value, label]) => ({ value, label })),
          )}
          {f.area('summary', ELEMENT_LABELS.summary, {
            hint: '一两句话说明谁、在什么情况下需要办理，500 字以内。',
            rows: 3,
          })}
        </EditorSection>

        <EditorSection id="basis" title="设定依据">
          {f.area('byLaw', ELEMENT_LABELS.byLaw, { hint: '法律、法规、规章的名称和条款。', rows: 5 })}
          {f.radios('powerSource', ELEMENT_LABELS.powerSource, options(POWER_SOURCES))}
          {f.radios('useLevel', ELEMENT_LABELS.useLevel, options(USE_LEVELS))}
          {f.text('entrustName', ELEMENT_LABELS.entrustName, { hint: '受委托实施时填写。', required: false })}
        </EditorSection>

        <EditorSection id="audience" title="服务对象与受理条件">
          {f.checkboxes('serverType', ELEMENT_LABELS.serverType, options(SERVER_TYPES), '可多选。')}
          {f.area('acceptCondition', ELEMENT_LABELS.acceptCondition, { hint: '逐条列出，可换行。', rows: 6 })}
        </EditorSection>

        <EditorSection id="flow" title="办理流程">
          {f.checkboxes('handleType', ELEMENT_LABELS.handleType, options(HANDLE_TYPES), '可多选。')}
          {f.rows('handleFlow', '办理环节', '环节', (i) => (
            <>
              {f.text(`handleFlow[${i}].name`, '环节名称', { short: true })}
              {f.area(`handleFlow[${i}].description`, '环节说明', { required: false, rows: 2 })}
            </>
          ))}
          {f.checkboxes(
            'otherDept',
            ELEMENT_LABELS.otherDept,
            props.departments,
            '联办件须选择共同办理的部门，其他事项可不选。',
          )}
        </EditorSection>

        <EditorSection id="time" title="时限">
          {f.number('anticipateDay', ELEMENT_LABELS.anticipateDay, '法律规定的办结时限，0–365。')}
          {f.radios('anticipateType', ELEMENT_LABELS.anticipateType, options(TIME_UNITS))}
          {f.area('anticipateExplain', ELEMENT_LABELS.anticipateExplain, { required: false, rows: 2 })}
          {f.number('promiseDay', ELEMENT_LABELS.promiseDay, '对群众承诺的办结时限；0 表示即办（当场或当天办结）。')}
          {f.radios('promiseType', ELEMENT_LABELS.promiseType, options(TIME_UNITS))}
          {f.area('promiseExplain', ELEMENT_LABELS.promiseExplain, {
            required: false,
            rows: 2,
            hint: '如「自材料齐全之日起计算」。',
          })}
          {f.radios('projectType', ELEMENT_LABELS.projectType, options(PROJECT_TYPES), '承诺时限为 0 的是即办件。')}
        </EditorSection>

        <EditorSection id="fees" title="收费">
          {f.radios('isFee', ELEMENT_LABELS.isFee, YES_NO)}
          {f.area('feeBasis', ELEMENT_LABELS.feeBasis, { required: false, rows: 3, hint: '收费的事项必填。' })}
          {f.rows('fees', '收费项目', '收费项目', (i) => (
            <>
              {f.text(`fees[${i}].feeName`, FEE_LABELS.feeName)}
              {f.text(`fees[${i}].feeStand`, FEE_LABELS.feeStand, { hint: '如「每本 120 元」。' })}
              {f.text(`fees[${i}].amountFen`, '固定金额（元）', {
                hint: '金额固定时填写，如 120 或 12.50；视情况而定的留空。',
                required: false,
                short: true,
              })}
              {f.area(`fees[${i}].byLaw`, FEE_LABELS.byLaw, { rows: 2 })}
              {f.radios(`fees[${i}].isDesc`, FEE_LABELS.isDesc, YES_NO)}
              {f.area(`fees[${i}].descExplain`, FEE_LABELS.descExplain, {
                required: false,
                rows: 2,
                hint: '可减免的须说明条件。',
              })}
            </>
          ))}
        </EditorSection>

        <EditorSection id="place" title="地点与咨询">
          {f.number('limitSceneNum', ELEMENT_LABELS.limitSceneNum, '0–9；全程网办的为 0。')}
          {f.area('transactAddr', ELEMENT_LABELS.transactAddr, { rows: 2 })}
          {f.area('transactTime', ELEMENT_LABELS.transactTime, { rows: 2 })}
          {f.text('linkWay', ELEMENT_LABELS.linkWay, { hint: '咨询电话或地址。' })}
          {f.text('superviseWay', ELEMENT_LABELS.superviseWay)}
        </EditorSection>

        <EditorSection id="online" title="网上办理">
          {f.radios('isOnline', ELEMENT_LABELS.isOnline, YES_NO)}
          {f.radios(
            'onlineHandleDepth',
            ELEMENT_LABELS.onlineHandleDepth,
            Object.entries(ONLINE_DEPTHS).map(([value, label]) => ({ value, label })),
            '全程网办：申请、受理、审查、决定、送达全部在网上完成，不用到现场。',
          )}
          {f.radios('isSchedule', ELEMENT_LABELS.isSchedule, YES_NO)}
          {f.radios('isExpress', ELEMENT_LABELS.isExpress, YES_NO)}
          {f.radios('isPayOnline', ELEMENT_LABELS.isPayOnline, YES_NO)}
          {f.radios('isServiceTerminals', ELEMENT_LABELS.isServiceTerminals, YES_NO)}
          {f.radios('assuranceLevel', ELEMENT_LABELS.assuranceLevel, [
            { value: '1', label: showValue('assuranceLevel', 1) },
            { value: '2', label: showValue('assuranceLevel', 2) },
            { value: '3', label: showValue('assuranceLevel', 3) },
          ])}
        </EditorSection>

        <EditorSection id="result" title="办理结果">
          {f.radios(
            'resultType',
            ELEMENT_LABELS.resultType,
            options(RESULT_TYPES),
            '结果名称以「证」结尾的，类型为「出证」。',
          )}
          {f.text('resultName', ELEMENT_LABELS.resultName)}
          {f.text('resultLicenseTypeCode', ELEMENT_LABELS.resultLicenseTypeCode, {
            hint: '结果为电子证照时填写证照类型代码。',
            required: false,
            short: true,
          })}
          {f.file('resultSample', ELEMENT_LABELS.resultSample)}
        </EditorSection>

        <EditorSection id="materials" title="申请材料">
          {f.rows(
            'materials',
            '申请材料',
            '材料',
            (i) => {
              const p = `materials[${i}]`
              return (
                <>
                  {f.text(`${p}.materialName`, MATERIAL_LABELS.materialName)}
                  {f.text(`${p}.materialCode`, MATERIAL_LABELS.materialCode, {
                    hint: '小写字母、数字或下划线，如 id_card；新版本中保持不变。',
                    short: true,
                  })}
                  {f.radios(`${p}.materialFormat`, MATERIAL_LABELS.materialFormat, options(MATERIAL_FORMATS))}
                  {f.radios(`${p}.isNeed`, MATERIAL_LABELS.isNeed, YES_NO)}
                  {f.text(`${p}.needCondition`, MATERIAL_LABELS.needCondition, {
                    hint: '非必需材料须说明，如「委托他人办理的」。',
                    required: false,
                  })}
                  {f.number(`${p}.pageNum`, MATERIAL_LABELS.pageNum)}
                  {f.text(`${p}.pageFormat`, MATERIAL_LABELS.pageFormat, {
                    required: false,
                    short: true,
                    hint: '如 A4。',
                  })}
                  {f.radios(`${p}.sourceType`, MATERIAL_LABELS.sourceType, options(SOURCE_TYPES))}
                  {f.text(`${p}.sourceExplain`, MATERIAL_LABELS.sourceExplain, { required: false })}
                  {f.area(`${p}.acceptStand`, MATERIAL_LABELS.acceptStand, { required: false, rows: 2 })}
                  {f.text(`${p}.byLaw`, MATERIAL_LABELS.byLaw, { required: false })}
                  {f.area(`${p}.fillExplain`, MATERIAL_LABELS.fillExplain, { required: false, rows: 2 })}
                  {f.text(`${p}.licenseTypeCode`, MATERIAL_LABELS.licenseTypeCode, {
                    hint: '政府已有电子证照可代替时填写，申请人就不必再提交。',
                    required: false,
                    short: true,
                  })}
                  {f.radios(
                    `${p}.allowDefer`,
                    MATERIAL_LABELS.allowDefer,
                    YES_NO,
                    '容缺受理：可先受理，承诺期限内补交。',
                  )}
                  {f.file(`${p}.blankForm`, MATERIAL_LABELS.blankForm)}
                  {f.file(`${p}.sampleFile`, MATERIAL_LABELS.sampleFile)}
                </>
              )
            },
            true,
          )}
        </EditorSection>

        <EditorSection id="faqs" title="常见问题">
          {f.rows(
            'faqs',
            '常见问题',
            '问题',
            (i) => (
              <>
                {f.text(`faqs[${i}].question`, '问题')}
                {f.area(`faqs[${i}].answer`, '解答', { rows: 3 })}
              </>
            ),
            true,
          )}
        </EditorSection>

        <EditorSection id="topics" title="分类与关键词">
          <CheckboxGroup
            name="topics"
            legend={`${ELEMENT_LABELS.topics}（个人）`}
            hint="服务对象含自然人时可选。"
            error={f.err.topics}
            values={chosenTopics}
            options={topicsPerson}
          />
          <CheckboxGroup
            name="topics"
            legend={`${ELEMENT_LABELS.topics}（法人）`}
            hint="服务对象含法人时可选。"
            values={chosenTopics}
            options={topicsEnterprise}
            idSuffix="-enterprise"
          />
          {f.text('keywords', ELEMENT_LABELS.keywords, {
            hint: '群众会搜的说法，用逗号分隔，如：开饭店，办证。',
            required: false,
          })}
        </EditorSection>

        <EditorSection id="note" title="变更说明">
          {f.area('changeNote', '变更说明', {
            hint: '这一版改了什么、为什么改（如「依据新修订的条例缩短承诺时限」），审核人员会看到。',
            required: false,
            rows: 3,
          })}
        </EditorSection>

        <div class="button-row">
          <Button name="action" value="save" variant="secondary">
            保存草稿
          </Button>
          <Button name="action" value="submit">
            提交审核
          </Button>
        </div>
        <p class="hint">保存草稿只检查格式；提交审核时检查全部一致性规则，审核通过后立即发布。</p>
      </MultipartForm>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// A version, readably

export function VersionContent({ e, show = {} }: { e: ItemElements; show?: ShowOptions }) {
  const row = (key: keyof ItemElements) => ({
    key: ELEMENT_LABELS[key],
    value: <Lines text={showValue(key, e[key], show)} />,
  })
  const group = (title: string, keys: (keyof ItemElements)[]) => (
    <section class="version-section">
      <h3 class="heading-m">{title}</h3>
      <SummaryList rows={keys.map(row)} />
    </section>
  )
  return (
    <div class="version-content">
      {group('基本信息与编码', ['catalogCode', 'taskHandleItem', 'taskCode', 'taskName', 'taskType', 'summary'])}
      {group('设定依据', ['byLaw', 'powerSource', 'useLevel', 'entrustName'])}
      {group('服务对象与受理条件', ['serverType', 'acceptCondition'])}
      <section class="version-section">
        <h3 class="heading-m">办理流程</h3>
        <SummaryList rows={[row('handleType'), row('otherDept')]} />
        <ol class="list list--number">
          {e.handleFlow.map((s, i) => (
            <li key={i}>
              <strong>{s.name}</strong>
              {s.description ? <span class="pre-line">：{s.description}</span> : null}
            </li>
          ))}
        </ol>
      </section>
      {group('时限', [
        'anticipateDay',
        'anticipateType',
        'anticipateExplain',
        'promiseDay',
        'promiseType',
        'promiseExplain',
        'projectType',
      ])}
      <section class="version-section">
        <h3 class="heading-m">收费</h3>
        <SummaryList rows={[row('isFee'), row('feeBasis')]} />
        {e.fees.length > 0 ? (
          <Table
            caption="收费项目"
            rowKey={(f) => f.feeName}
            rows={e.fees}
            columns={[
              { header: FEE_LABELS.feeName, cell: (f) => f.feeName },
              { header: FEE_LABELS.feeStand, cell: (f) => f.feeStand },
              { header: FEE_LABELS.amountFen, cell: (f) => showValue('amountFen', f.amountFen) || '—' },
              { header: FEE_LABELS.byLaw, cell: (f) => f.byLaw },
              { header: FEE_LABELS.isDesc, cell: (f) => (f.isDesc ? `是：${f.descExplain}` : '否') },
            ]}
          />
        ) : null}
      </section>
      {group('地点与咨询', ['limitSceneNum', 'transactAddr', 'transactTime', 'linkWay', 'superviseWay'])}
      {group('网上办理', [
        'isOnline',
        'onlineHandleDepth',
        'isSchedule',
        'isExpress',
        'isPayOnline',
        'isServiceTerminals',
        'assuranceLevel',
      ])}
      {group('办理结果', ['resultType', 'resultName', 'resultLicenseTypeCode', 'resultSample'])}
      <section class="version-section">
        <h3 class="heading-m">申请材料</h3>
        <Table
          caption={`共 ${e.materials.length} 项`}
          rowKey={(m) => m.materialCode}
          rows={e.materials}
          empty="无需提交材料"
          columns={[
            {
              header: MATERIAL_LABELS.materialName,
              cell: (m) => (
                <>
                  {m.materialName}
                  <br />
                  <code class="hint">{m.materialCode}</code>
                </>
              ),
            },
            {
              header: MATERIAL_LABELS.isNeed,
              cell: (m) => (m.isNeed ? '必需' : `非必需：${m.needCondition ?? ''}`),
            },
            { header: MATERIAL_LABELS.materialFormat, cell: (m) => m.materialFormat },
            { header: MATERIAL_LABELS.pageNum, cell: (m) => m.pageNum, numeric: true },
            { header: MATERIAL_LABELS.sourceType, cell: (m) => m.sourceType },
            { header: MATERIAL_LABELS.acceptStand, cell: (m) => <Lines text={m.acceptStand} /> },
            {
              header: '文件',
              cell: (m) =>
                [
                  m.blankForm ? `空白表格：${m.blankForm.fileName}` : '',
                  m.sampleFile ? `样表：${m.sampleFile.fileName}` : '',
                ]
                  .filter(Boolean)
                  .join('；') || '—',
            },
          ]}
        />
      </section>
      <section class="version-section">
        <h3 class="heading-m">常见问题</h3>
        {e.faqs.length === 0 ? (
          <p>—</p>
        ) : (
          <dl class="faq-list">
            {e.faqs.map((q, i) => (
              <div key={i}>
                <dt>{q.question}</dt>
                <dd class="pre-line">{q.answer}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      {group('分类与关键词', ['topics', 'keywords'])}
    </div>
  )
}

/** What changed, field by field. */
export function ChangesTable({ changes, caption }: { changes: Change[]; caption: string }) {
  return (
    <Table
      caption={caption}
      rowKey={(c) => c.path}
      rows={changes}
      empty="没有变化"
      columns={[
        { header: '项目', cell: (c) => c.label },
        { header: '变化', cell: (c) => <Tag tone={CHANGE_TONES[c.kind]}>{CHANGE_KIND_NAMES[c.kind]}</Tag> },
        { header: '原内容', cell: (c) => <Lines text={c.before} /> },
        { header: '新内容', cell: (c) => <Lines text={c.after} /> },
      ]}
    />
  )
}

// ---------------------------------------------------------------------------------------------
// Review

export interface ReviewQueueRow {
  versionId: string
  itemId: string
  version: number
  taskName: string
  submittedAt: string | null
  departmentName: string
}

export function ReviewQueuePage({ rows, done }: { rows: ReviewQueueRow[]; done?: string }) {
  return (
    <Layout title="事项审核" breadcrumbs={reviewCrumbs({ label: '待审核' })} wide>
      <h1 class="heading-xl">事项审核</h1>
      <p class="lead">各部门提交的事项版本，按提交时间先后排列。审核通过后立即发布。</p>
      <DoneNotice done={done} />
      <p>
        <ButtonLink href="/admin/items/export.xlsx" variant="secondary">
          导出全部已发布事项（Excel）
        </ButtonLink>
      </p>
      <Table
        caption={`待审核 ${rows.length} 个`}
        rowKey={(r) => r.versionId}
        rows={rows}
        empty="没有待审核的事项。"
        columns={[
          { header: '事项名称', cell: (r) => r.taskName },
          { header: '部门', cell: (r) => r.departmentName },
          { header: '版本', cell: (r) => `第 ${r.version} 版`, numeric: true },
          { header: '提交时间', cell: (r) => when(r.submittedAt) },
          {
            header: '操作',
            cell: (r) => (
              <a href={`/admin/items/review/${r.versionId}`}>
                审核<span class="visually-hidden">「{r.taskName}」</span>
              </a>
            ),
          },
        ]}
      />
    </Layout>
  )
}

export interface VersionHeader {
  itemId: string
  departmentName: string
  version: Pick<
    ItemVersionTable,
    'id' | 'version' | 'state' | 'changeNote' | 'submittedAt' | 'createdAt' | 'reviewComment' | 'taskName'
  >
  submittedByName?: string
}

export function ReviewPage({
  header,
  elements,
  changes,
  published,
  errors = [],
  comment = '',
  show,
}: {
  header: VersionHeader
  elements: ItemElements
  changes: Change[]
  published?: { version: number }
  errors?: FieldError[]
  comment?: string
  show?: ShowOptions
}) {
  const { version } = header
  const title = `审核：${version.taskName}`
  return (
    <Layout title={title} breadcrumbs={reviewCrumbs({ label: version.taskName })} wide>
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">{title}</h1>
      <SummaryList
        rows={[
          { key: '部门', value: header.departmentName },
          {
            key: '版本',
            value: (
              <>
                第 {version.version} 版 <StateTag state={version.state} />
              </>
            ),
          },
          { key: '提交时间', value: when(version.submittedAt) },
          { key: '提交人', value: header.submittedByName ?? '—' },
          { key: '变更说明', value: <Lines text={version.changeNote ?? ''} /> },
        ]}
      />
      <p>
        <a href={`/admin/items/${header.itemId}/versions`}>查看全部版本</a>
      </p>
      <h2 class="heading-l">有哪些变化</h2>
      {published ? (
        <ChangesTable
          changes={changes}
          caption={`与已发布的第 ${published.version} 版相比，共 ${changes.length} 处变化`}
        />
      ) : (
        <p>这是一个新事项，还没有已发布的版本，下面是它的全部内容。</p>
      )}
      {version.state === 'in_review' ? (
        <section aria-labelledby="decision-title">
          <h2 class="heading-l" id="decision-title">
            审核意见
          </h2>
          <Form action={`/admin/items/review/${version.id}`}>
            <Textarea
              name="comment"
              label="审核意见"
              hint="退回修改时必须写明需要修改的地方；审核通过时可以不填。"
              value={comment}
              error={errorMap(errors).comment}
              rows={4}
            />
            <div class="button-row">
              <Button name="decision" value="approve">
                审核通过并发布
              </Button>
              <Button name="decision" value="reject" variant="warning">
                退回修改
              </Button>
            </div>
          </Form>
        </section>
      ) : (
        <Notice>这个版本当前为「{STATE_TAGS[version.state].label}」，不在审核中。</Notice>
      )}
      <h2 class="heading-l">第 {version.version} 版的内容</h2>
      <VersionContent e={elements} show={show} />
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// Versions

export function HistoryPage({
  itemId,
  taskName,
  catalogCode,
  departmentName,
  versions,
  staffNames,
  canEdit,
  canWithdraw,
  errors = [],
  reason = '',
  done,
}: {
  itemId: string
  taskName: string
  catalogCode: string
  departmentName: string
  versions: ItemVersionTable[]
  staffNames: Map<string, string>
  canEdit: boolean
  canWithdraw: boolean
  errors?: FieldError[]
  reason?: string
  done?: string
}) {
  const who = (id: string | null) => (id ? (staffNames.get(id) ?? id) : '')
  const at = (iso: string | null, by: string | null) =>
    iso ? (
      <>
        {formatDateTime(iso)}
        {by ? (
          <>
            <br />
            {who(by)}
          </>
        ) : null}
      </>
    ) : (
      '—'
    )
  const newest = versions[0]
  const published = versions.find((v) => v.state === 'published')
  const open = versions.find((v) => v.state === 'draft' || v.state === 'in_review')
  return (
    <Layout title={`版本记录：${taskName}`} breadcrumbs={itemsCrumbs({ label: taskName })} wide>
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">{taskName}</h1>
      <DoneNotice done={done} />
      <SummaryList
        rows={[
          { key: '基本编码', value: <code>{catalogCode}</code> },
          { key: '部门', value: departmentName },
          { key: '当前发布', value: published ? `第 ${published.version} 版` : '无' },
        ]}
      />
      {canEdit ? (
        <div class="button-row">
          {open?.state === 'draft' ? (
            <ButtonLink href={`/admin/items/versions/${open.id}/edit`}>编辑第 {open.version} 版草稿</ButtonLink>
          ) : null}
          {!open && newest && (newest.state === 'published' || newest.state === 'withdrawn') ? (
            <Form action={`/admin/items/${itemId}/new-version`} class="inline-form">
              <Button>建立新版本</Button>
            </Form>
          ) : null}
        </div>
      ) : null}
      <h2 class="heading-l">版本记录</h2>
      <Table
        caption={`共 ${versions.length} 个版本（时间为北京时间）`}
        rowKey={(v) => v.id}
        rows={versions}
        columns={[
          {
            header: '版本',
            cell: (v) => <a href={`/admin/items/versions/${v.id}`}>第 {v.version} 版</a>,
          },
          { header: '状态', cell: (v) => <StateTag state={v.state} /> },
          { header: '建立', cell: (v) => at(v.createdAt, v.createdBy) },
          { header: '提交审核', cell: (v) => at(v.submittedAt, v.submittedBy) },
          {
            header: '审核',
            cell: (v) =>
              v.reviewedAt ? (
                <>
                  {at(v.reviewedAt, v.reviewedBy)}
                  {v.reviewComment ? <p class="pre-line">意见：{v.reviewComment}</p> : null}
                </>
              ) : (
                '—'
              ),
          },
          {
            header: '发布 / 撤销',
            cell: (v) => (
              <>
                {v.publishedAt ? <span>发布：{formatDateTime(v.publishedAt)}</span> : null}
                {v.withdrawnAt ? (
                  <p>
                    撤销：{formatDateTime(v.withdrawnAt)}
                    {v.withdrawnReason ? `（${v.withdrawnReason}）` : ''}
                  </p>
                ) : null}
                {!v.publishedAt && !v.withdrawnAt ? '—' : null}
              </>
            ),
          },
          { header: '变更说明', cell: (v) => <Lines text={v.changeNote ?? ''} /> },
          {
            header: '比较',
            cell: (v) =>
              v.version > 1 ? <a href={`/admin/items/versions/${v.id}/changes`}>与第 {v.version - 1} 版的差异</a> : '—',
          },
        ]}
      />
      {canWithdraw && published ? (
        <section aria-labelledby="withdraw-title">
          <h2 class="heading-l" id="withdraw-title">
            撤销事项
          </h2>
          <p>撤销后公众不再看到这个事项，也不能再申请；已受理的办件不受影响，各版本仍可查看。</p>
          <Form action={`/admin/items/${itemId}/withdraw`}>
            <Textarea
              name="reason"
              label="撤销理由"
              hint="如法律修改、职能调整、事项合并。"
              value={reason}
              error={errorMap(errors).reason}
              required
              rows={3}
            />
            <Button variant="warning">撤销事项</Button>
          </Form>
        </section>
      ) : null}
    </Layout>
  )
}

export function VersionPage({
  header,
  elements,
  show,
}: {
  header: VersionHeader
  elements: ItemElements
  show?: ShowOptions
}) {
  const { version } = header
  return (
    <Layout
      title={`${version.taskName}（第 ${version.version} 版）`}
      breadcrumbs={itemsCrumbs(
        { href: `/admin/items/${header.itemId}/versions`, label: version.taskName },
        { label: `第 ${version.version} 版` },
      )}
      wide
    >
      <h1 class="heading-xl">
        {version.taskName}（第 {version.version} 版）
      </h1>
      <p class="lead">
        <StateTag state={version.state} /> {header.departmentName}
      </p>
      {version.version > 1 ? (
        <p>
          <a href={`/admin/items/versions/${version.id}/changes`}>与第 {version.version - 1} 版的差异</a>
        </p>
      ) : null}
      <h2 class="heading-l">事项内容</h2>
      <VersionContent e={elements} show={show} />
    </Layout>
  )
}

export function ChangesPage({
  header,
  previous,
  changes,
}: {
  header: VersionHeader
  previous: { id: string; version: number }
  changes: Change[]
}) {
  const { version } = header
  const title = `${version.taskName}：第 ${previous.version} 版 → 第 ${version.version} 版`
  return (
    <Layout
      title={title}
      breadcrumbs={itemsCrumbs(
        { href: `/admin/items/${header.itemId}/versions`, label: version.taskName },
        { label: '版本差异' },
      )}
      wide
    >
      <h1 class="heading-xl">{title}</h1>
      <p>
        <a href={`/admin/items/versions/${previous.id}`}>查看第 {previous.version} 版</a>　
        <a href={`/admin/items/versions/${version.id}`}>查看第 {version.version} 版</a>
      </p>
      {version.changeNote ? (
        <SummaryList rows={[{ key: '变更说明', value: <Lines text={version.changeNote} /> }]} />
      ) : null}
      <ChangesTable changes={changes} caption={`共 ${changes.length} 处变化`} />
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// Excel import

export function ImportPage({ errors = [] }: { errors?: FieldError[] }) {
  const err = errorMap(errors)
  return (
    <Layout title="从 Excel 导入事项" breadcrumbs={itemsCrumbs({ label: '从 Excel 导入' })}>
      <ErrorSummary errors={errors} title="这个文件不能导入" />
      <h1 class="heading-xl">从 Excel 导入事项</h1>
      <ol class="list list--number">
        <li>
          在「事项管理」点 <a href="/admin/items/export.xlsx">导出 Excel</a>，得到本部门已发布事项的工作簿。
        </li>
        <li>在工作簿中修改或新增事项（每个工作表的前两行是表头，请勿修改；「说明」工作表解释每一列）。</li>
        <li>在这里上传。系统先检查全部内容，列出每个问题和每个事项将发生的变化，此时还没有写入任何内容。</li>
        <li>确认后，新事项和有改动的事项各生成一个新版本并提交审核；没有改动的事项不受影响。</li>
      </ol>
      <MultipartForm action="/admin/items/import">
        <Field name="file" label="Excel 工作簿" hint="只接受 .xlsx 文件，10 MB 以内。" error={err.file} required>
          {({ id, describedBy, invalid }) => (
            <input
              class={`file-upload${invalid ? ' input--error' : ''}`}
              type="file"
              id={id}
              name="file"
              accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
            />
          )}
        </Field>
        <Button>上传并检查</Button>
      </MultipartForm>
    </Layout>
  )
}

const OUTCOMES: Record<ImportOutcome, { tone: TagTone; label: string }> = {
  create: { tone: 'green', label: '新建' },
  update: { tone: 'yellow', label: '修改' },
  unchanged: { tone: 'grey', label: '无变化' },
  problem: { tone: 'red', label: '有问题' },
}

export function ImportReportPage({
  plan,
  ticket,
  confirmed,
}: {
  plan: ImportPlan
  /** The ticket for 「确认导入」; absent when there is nothing to confirm. */
  ticket?: string
  /** Shown after a confirmation that found problems (nothing was written). */
  confirmed?: boolean
}) {
  const { counts, problems } = plan
  const changing = counts.create + counts.update
  return (
    <Layout
      title="导入检查结果"
      breadcrumbs={itemsCrumbs({ href: '/admin/items/import', label: '从 Excel 导入' }, { label: '检查结果' })}
      wide
    >
      <h1 class="heading-xl">导入检查结果</h1>
      {problems.length > 0 ? (
        <Notice tone="warning" title={`发现 ${problems.length} 个问题，${confirmed ? '没有导入任何内容' : '不能导入'}`}>
          <p>请按下表在 Excel 中修改后重新上传。有任何问题时，整个文件都不会导入。</p>
        </Notice>
      ) : changing === 0 ? (
        <Notice title="无需导入">
          <p>文件中的事项与已发布的版本完全一致，没有需要导入的内容。</p>
        </Notice>
      ) : (
        <Notice title="检查通过，尚未导入">
          <p>确认后，下表中「新建」和「修改」的事项各生成一个新版本并提交审核。</p>
        </Notice>
      )}
      <SummaryList
        rows={(Object.keys(OUTCOMES) as ImportOutcome[]).map((o) => ({
          key: OUTCOMES[o].label,
          value: `${counts[o]} 个事项`,
        }))}
      />
      {problems.length > 0 ? (
        <Table
          caption="问题清单"
          rowKey={(p) => `${p.sheet}-${p.row}-${p.field}-${p.message}`}
          rows={problems}
          columns={[
            { header: '工作表', cell: (p) => p.sheet },
            { header: '行号', cell: (p) => (p.row === null ? '—' : p.row), numeric: true },
            { header: '事项', cell: (p) => p.itemName || '—' },
            { header: '字段', cell: (p) => p.field || '—' },
            { header: '问题', cell: (p) => p.message },
          ]}
        />
      ) : null}
      {ticket && problems.length === 0 && changing > 0 ? (
        <Form action="/admin/items/import/confirm">
          <input type="hidden" name="ticket" value={ticket} />
          <Button>
            确认导入（新建 {counts.create} 个，修改 {counts.update} 个）
          </Button>
        </Form>
      ) : (
        <p>
          <ButtonLink href="/admin/items/import" variant="secondary">
            重新上传
          </ButtonLink>
        </p>
      )}
      <Table
        caption="逐个事项"
        rowKey={(i) => `${i.row}-${i.catalogCode}`}
        rows={plan.items}
        columns={[
          { header: '行号', cell: (i) => i.row, numeric: true },
          { header: '基本编码', cell: (i) => <code>{i.catalogCode}</code> },
          { header: '事项名称', cell: (i) => i.taskName },
          { header: '结果', cell: (i) => <Tag tone={OUTCOMES[i.outcome].tone}>{OUTCOMES[i.outcome].label}</Tag> },
          {
            header: '变化',
            cell: (i) =>
              i.outcome === 'update'
                ? `生成第 ${i.version} 版：${i.changes
                    .slice(0, 6)
                    .map((c) => c.label)
                    .join('、')}${i.changes.length > 6 ? ` 等 ${i.changes.length} 处` : ''}`
                : i.outcome === 'create'
                  ? '新事项，生成第 1 版'
                  : i.outcome === 'unchanged'
                    ? `与已发布的第 ${i.version} 版相同`
                    : '见问题清单',
          },
        ]}
      />
    </Layout>
  )
}

export function ImportDonePage({
  created,
  updated,
  unchanged,
}: {
  created: number
  updated: number
  unchanged: number
}) {
  return (
    <Layout title="导入完成" breadcrumbs={itemsCrumbs({ label: '导入完成' })}>
      <Panel title="导入完成">
        <p>
          新建 {created} 个事项，修改 {updated} 个事项，均已提交审核；{unchanged} 个事项无变化。
        </p>
      </Panel>
      <p>审核通过后立即发布。每个事项的版本记录中都可以看到这次导入。</p>
      <p>
        <a href="/admin/items">返回事项管理</a>
      </p>
    </Layout>
  )
}
