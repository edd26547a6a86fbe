/**
 * 我的办件 (the applicant's applications and drafts), the case page with its timeline, notices,
 * materials and answers, 撤回 with its confirmation, the one-notice correction (补正) and the
 * public progress query (办件进度查询). Pages take plain data; applications.my.routes.ts feeds them.
 */
import type { FieldProblem } from '../../platform/http/errors.js'
import {
  Button,
  ButtonLink,
  type Column,
  ErrorSummary,
  errorMap,
  Form,
  formatDateTime,
  Layout,
  Notice,
  Pagination,
  SummaryList,
  Table,
  Tag,
  type TagTone,
  Textarea,
  TextInput,
} from '../../platform/ui/index.js'
import type { ItemElements, Material } from '../catalog/index.js'
import {
  dayText,
  guideHref,
  MaterialFieldset,
  type MaterialState,
  MaterialsSummary,
  MultipartForm,
  uniqueProblems,
} from './applications.apply.pages.js'
import type { FormData, FormDefinition } from './applications.forms.js'
import { FormSections, FormSummary, ImplicitSubmit } from './applications.forms.render.js'
import { NOTICE_KIND_NAMES } from './applications.notices.pages.js'
import { formatApplicationNo } from './applications.numbers.js'
import type { ApplicationListRow, DraftRow, TimelineEntry } from './applications.read.js'
import type { ApplicationState, NoticeKind } from './applications.tables.js'

/** The colour of each state's tag (the words say it; the colour repeats it). */
export const STATE_TONES: Record<ApplicationState, TagTone> = {
  draft: 'grey',
  submitted: 'blue',
  correction_requested: 'yellow',
  not_accepted: 'red',
  accepted: 'blue',
  in_process: 'purple',
  approved: 'green',
  refused: 'red',
  completed: 'green',
  withdrawn: 'grey',
}

export function StateTag({ state, name }: { state: ApplicationState; name: string }) {
  return <Tag tone={STATE_TONES[state]}>{name}</Tag>
}

const myCrumbs = (last?: string) => [
  { href: '/', label: '首页' },
  ...(last ? [{ href: '/my/applications', label: '我的办件' }, { label: last }] : [{ label: '我的办件' }]),
]

const DONE_MESSAGES: Record<string, { title: string; text: string }> = {
  withdrawn: { title: '办件已撤回', text: '受理部门已停止办理。需要时可以重新申请。' },
  corrected: {
    title: '补正材料已提交',
    text: '受理部门将重新审查，并在 5 个工作日内告知是否受理。',
  },
  'draft-deleted': { title: '草稿已删除', text: '' },
}

// ---------------------------------------------------------------------------------------------
// 我的办件

export function MyApplicationsPage({
  rows,
  total,
  page,
  pageCount,
  drafts,
  done,
  actingFor,
}: {
  rows: ApplicationListRow[]
  total: number
  page: number
  pageCount: number
  drafts: DraftRow[]
  done?: string
  actingFor?: string
}) {
  const columns: Column<ApplicationListRow>[] = [
    {
      header: '办件编号',
      cell: (r) => (
        <a href={`/my/applications/${r.id}`} class="nowrap">
          {r.applicationNo ? formatApplicationNo(r.applicationNo) : '—'}
        </a>
      ),
    },
    { header: '事项', cell: (r) => r.itemName },
    { header: '部门', cell: (r) => r.departmentName },
    { header: '状态', cell: (r) => <StateTag state={r.state} name={r.stateName} /> },
    { header: '提交时间', cell: (r) => (r.submittedAt ? formatDateTime(r.submittedAt) : '—') },
    { header: '承诺办结日期', cell: (r) => (r.promisedDueOn ? dayText(r.promisedDueOn) : '—') },
  ]
  const draftColumns: Column<DraftRow>[] = [
    { header: '事项', cell: (d) => d.itemName },
    { header: '部门', cell: (d) => d.departmentName },
    { header: '最后保存', cell: (d) => formatDateTime(d.updatedAt) },
    {
      header: '操作',
      cell: (d) => (
        <div class="table-actions">
          <a href={`/apply/${d.itemId}`}>
            继续填写<span class="visually-hidden">：{d.itemName}</span>
          </a>
          <Form action={`/my/applications/drafts/${d.itemId}/delete`} class="inline-form">
            <Button variant="secondary">
              删除<span class="visually-hidden">草稿：{d.itemName}</span>
            </Button>
          </Form>
        </div>
      ),
    },
  ]
  const message = done ? DONE_MESSAGES[done] : undefined
  return (
    <Layout title="我的办件" breadcrumbs={myCrumbs()} wide>
      <h1 class="heading-xl">我的办件{actingFor ? `（${actingFor}）` : ''}</h1>
      {message ? (
        <Notice tone="success" title={message.title}>
          {message.text ? <p>{message.text}</p> : null}
        </Notice>
      ) : null}
      {drafts.length > 0 ? (
        <section aria-labelledby="drafts-title">
          <h2 class="heading-m" id="drafts-title">
            未提交的草稿
          </h2>
          <Table caption="草稿（尚未提交，受理部门看不到）" columns={draftColumns} rows={drafts} rowKey={(d) => d.id} />
        </section>
      ) : null}
      <section aria-labelledby="applications-title">
        <h2 class="heading-m" id="applications-title">
          已提交的办件
        </h2>
        {total === 0 ? (
          <Notice title="还没有提交过申请">
            <p>
              在<a href="/services">「办事服务」</a>找到要办的事项，点「在线办理」即可申请。
            </p>
          </Notice>
        ) : (
          <>
            <Table caption={`共 ${total} 件，最新的在前`} columns={columns} rows={rows} rowKey={(r) => r.id} />
            <Pagination
              page={page}
              pageCount={pageCount}
              href={(p) => (p > 1 ? `/my/applications?page=${p}` : '/my/applications')}
            />
          </>
        )}
      </section>
      <p>
        办件编号和申请人姓名也可以在<a href="/progress">「办件进度查询」</a>查询，不需要登录。
      </p>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// The case page

export interface NoticeLink {
  id: string
  kind: NoticeKind
  title: string
  number: string
  issuedAt: string
}

export interface CasePageProps {
  id: string
  applicationNo: string
  itemId: string
  itemName: string
  departmentName: string
  state: ApplicationState
  stateName: string
  applicantName: string
  enterpriseName?: string
  submittedAt: string | null
  promisedDueOn: string | null
  /** 已用 3 个工作日，剩余 17 个工作日… (accepted cases). */
  clockText?: string
  deliveryNote: string | null
  /** The e-license the approval issued (its version id), shown with a link to 我的证照. */
  resultLicenseId?: string
  timeline: TimelineEntry[]
  notices: NoticeLink[]
  elements: ItemElements
  materials: Record<string, MaterialState>
  form: FormDefinition
  data: FormData
  canWithdraw: boolean
  /** The open correction notice's problems, in words. */
  correction?: { noticeId: string | null; problems: { label: string; message: string }[] }
  done?: string
}

export function CasePage(props: CasePageProps) {
  const no = formatApplicationNo(props.applicationNo)
  const message = props.done ? DONE_MESSAGES[props.done] : undefined
  const base = `/my/applications/${props.id}`
  return (
    <Layout title={`办件 ${no}`} breadcrumbs={myCrumbs(no)}>
      <span class="caption">办件编号 {no}</span>
      <h1 class="heading-xl">{props.itemName}</h1>
      {message ? (
        <Notice tone="success" title={message.title}>
          {message.text ? <p>{message.text}</p> : null}
        </Notice>
      ) : null}
      {props.correction ? (
        <section class="correction-notice" aria-labelledby="correction-title">
          <h2 class="heading-m" id="correction-title">
            需要补正材料
          </h2>
          <p>受理部门一次性告知您需要补正以下内容。只需修改这些内容，其余不用改动：</p>
          <ol class="list list--number">
            {props.correction.problems.map((p, i) => (
              <li key={i}>
                <strong>{p.label}：</strong>
                {p.message}
              </li>
            ))}
          </ol>
          <div class="button-row">
            <ButtonLink href={`${base}/correct`}>按通知补正</ButtonLink>
            {props.correction.noticeId ? (
              <a href={`${base}/notices/${props.correction.noticeId}`}>查看补正材料通知书</a>
            ) : null}
          </div>
        </section>
      ) : null}
      <SummaryList
        rows={[
          { key: '办件编号', value: no },
          {
            key: '申请事项',
            value: <a href={guideHref(props.itemId)}>{props.itemName}</a>,
          },
          { key: '受理部门', value: props.departmentName },
          {
            key: '申请人',
            value: props.enterpriseName
              ? `${props.enterpriseName}（经办人 ${props.applicantName}）`
              : props.applicantName,
          },
          { key: '当前状态', value: <StateTag state={props.state} name={props.stateName} /> },
          { key: '提交时间', value: props.submittedAt ? formatDateTime(props.submittedAt) : '—' },
          {
            key: '承诺办结日期',
            value: props.promisedDueOn ? dayText(props.promisedDueOn) : '受理后确定',
          },
          ...(props.clockText ? [{ key: '办理用时', value: props.clockText }] : []),
          ...(props.deliveryNote ? [{ key: '送达', value: props.deliveryNote }] : []),
          ...(props.resultLicenseId
            ? [
                {
                  key: '电子证照',
                  value: <a href={`/my/licenses/${props.resultLicenseId}`}>查看电子证照（照面、二维码、PDF）</a>,
                },
              ]
            : []),
        ]}
      />
      <section class="case-part" aria-labelledby="timeline-title">
        <h2 class="heading-l" id="timeline-title">
          办理进度
        </h2>
        <Timeline entries={props.timeline} noticeHref={(id) => `${base}/notices/${id}`} />
      </section>
      {props.notices.length > 0 ? (
        <section class="case-part" aria-labelledby="notices-title">
          <h2 class="heading-l" id="notices-title">
            文书
          </h2>
          <ul class="list notice-list">
            {props.notices.map((n) => (
              <li key={n.id}>
                <a href={`${base}/notices/${n.id}`}>{n.title}</a>
                <span class="hint">
                  {' '}
                  {NOTICE_KIND_NAMES[n.kind] === n.title ? '' : `${NOTICE_KIND_NAMES[n.kind]}，`}
                  {n.number}，{formatDateTime(n.issuedAt)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section class="case-part" aria-labelledby="answers-title">
        <h2 class="heading-l" id="answers-title">
          申请内容
        </h2>
        <MaterialsSummary elements={props.elements} materials={props.materials} headingLevel={3} />
        <FormSummary def={props.form} data={props.data} headingLevel={3} />
      </section>
      {props.canWithdraw ? (
        <section class="case-part" aria-labelledby="withdraw-title">
          <h2 class="heading-m" id="withdraw-title">
            撤回申请
          </h2>
          <p>办结之前可以撤回申请。撤回后受理部门停止办理，需要时可以重新申请。</p>
          <ButtonLink variant="warning" href={`${base}/withdraw`}>
            撤回申请
          </ButtonLink>
        </section>
      ) : null}
    </Layout>
  )
}

/** Every step, oldest first: when (Beijing time), what, who (a role, never a name), why. */
export function Timeline({ entries, noticeHref }: { entries: TimelineEntry[]; noticeHref: (id: string) => string }) {
  if (entries.length === 0) return <p>还没有办理记录。</p>
  return (
    <ol class="timeline">
      {entries.map((e, i) => (
        <li class="timeline__item" key={i}>
          <p class="timeline__when">
            <time dateTime={e.at}>{formatDateTime(e.at)}</time>
          </p>
          <p class="timeline__what">
            <strong>{e.label}</strong>
            {e.stateName ? (
              <>
                {' '}
                <span class="hint">→ {e.stateName}</span>
              </>
            ) : null}
          </p>
          <p class="timeline__who">{e.actor}</p>
          {e.reason ? <p class="timeline__reason">理由：{e.reason}</p> : null}
          {e.noticeId ? (
            <p>
              <a href={noticeHref(e.noticeId)}>
                查看文书<span class="visually-hidden">：{e.label}</span>
              </a>
            </p>
          ) : null}
        </li>
      ))}
    </ol>
  )
}

// ---------------------------------------------------------------------------------------------
// 撤回

export function WithdrawPage({
  id,
  applicationNo,
  itemName,
  reason,
  errors,
}: {
  id: string
  applicationNo: string
  itemName: string
  reason?: string
  errors?: FieldProblem[]
}) {
  const map = errorMap(errors)
  const no = formatApplicationNo(applicationNo)
  return (
    <Layout title={`撤回办件 ${no}`} breadcrumbs={myCrumbs(no)}>
      <ErrorSummary errors={errors} />
      <span class="caption">办件编号 {no}</span>
      <h1 class="heading-xl">确定要撤回「{itemName}」的申请吗？</h1>
      <p class="lead">撤回后受理部门将停止办理，不能恢复。需要时可以重新申请。</p>
      <Form action={`/my/applications/${id}/withdraw`} class="narrow">
        <Textarea
          name="reason"
          label="撤回原因"
          hint="例如：材料准备不全，准备好后重新申请。原因会记录在办理进度中。"
          value={reason}
          error={map.reason}
          required
          maxLength={500}
        />
        <div class="button-row">
          <Button variant="warning">确认撤回</Button>
          <a href={`/my/applications/${id}`}>不撤回，返回办件</a>
        </div>
      </Form>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// 补正

/** One part of the form the correction notice names, with the officer's messages. */
export interface CorrectionGroup {
  /** The mini definition to render (only the named fields). */
  def: FormDefinition
  data: FormData
  messages: { label: string; message: string }[]
}

export interface CorrectionPageProps {
  id: string
  applicationNo: string
  itemId: string
  itemName: string
  groups: CorrectionGroup[]
  materials: { material: Material; message: string; state: MaterialState }[]
  /** Signed references to files already given on this page (kept across a failed post). */
  carried: string[]
  /** What stays as it is. */
  elements: ItemElements
  form: FormDefinition
  data: FormData
  currentMaterials: Record<string, MaterialState>
  noticeId: string | null
  errors?: FieldProblem[]
  maxFileBytes: number
}

export function CorrectionPage(props: CorrectionPageProps) {
  const errors = uniqueProblems(props.errors ?? [])
  const map = errorMap(errors)
  const no = formatApplicationNo(props.applicationNo)
  const base = `/my/applications/${props.id}`
  return (
    <Layout title={`补正材料：办件 ${no}`} breadcrumbs={myCrumbs(no)}>
      <ErrorSummary errors={errors} />
      <span class="caption">办件编号 {no}</span>
      <h1 class="heading-xl">按通知补正</h1>
      <p class="lead">
        「{props.itemName}
        」的受理部门一次性告知了需要补正的内容。下面只能修改通知中列出的内容，每项旁边是审查意见；其余内容保持不变。
      </p>
      {props.noticeId ? (
        <p>
          <a href={`${base}/notices/${props.noticeId}`}>查看补正材料通知书</a>
        </p>
      ) : null}
      <MultipartForm action={`${base}/correct`} class="correction-form">
        <ImplicitSubmit name="_action" value="submit" label="提交补正材料" />
        {props.carried.map((token) => (
          <input type="hidden" name="carried" value={token} key={token} />
        ))}
        {props.groups.map((group, i) => (
          <div class="correction-item" key={i}>
            <ul class="correction-message list">
              {group.messages.map((m, j) => (
                <li key={j}>
                  <strong>审查意见（{m.label}）：</strong>
                  {m.message}
                </li>
              ))}
            </ul>
            <FormSections def={group.def} data={group.data} errors={errors} />
          </div>
        ))}
        {props.materials.length > 0 ? (
          <section class="form-section" id="materials" aria-labelledby="materials-title">
            <h2 class="heading-m form-section__title" id="materials-title">
              需要重新提供的材料
            </h2>
            <p class="hint">
              上传的文件将替换原来的文件。支持 PDF、JPG、PNG、OFD，每个文件不超过{' '}
              {Math.round(props.maxFileBytes / 1024 / 1024)} MB。
            </p>
            {props.materials.map((m) => (
              <MaterialFieldset
                key={m.material.materialCode}
                itemId={props.itemId}
                material={m.material}
                state={m.state}
                errors={map}
                officerMessage={m.message}
              />
            ))}
          </section>
        ) : null}
        <div class="button-row">
          <Button name="_action" value="submit">
            提交补正材料
          </Button>
          <a href={base}>返回办件</a>
        </div>
      </MultipartForm>
      <section class="case-part" aria-labelledby="unchanged-title">
        <h2 class="heading-l" id="unchanged-title">
          其余内容（无需修改）
        </h2>
        <MaterialsSummary elements={props.elements} materials={props.currentMaterials} headingLevel={3} />
        <FormSummary def={props.form} data={props.data} headingLevel={3} />
      </section>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// 办件进度查询

export interface ProgressAnswer {
  applicationNo: string
  itemName: string
  departmentName: string
  applicantMasked: string
  state: ApplicationState
  stateName: string
  submittedAt: string | null
  promisedDueOn: string | null
  steps: { at: string; label: string }[]
}

export function ProgressPage({
  values,
  errors,
  notFound,
  answer,
}: {
  values?: { applicationNo?: string; nameOrMobile?: string }
  errors?: FieldProblem[]
  notFound?: string
  answer?: ProgressAnswer
}) {
  const map = errorMap(errors)
  return (
    <Layout title="办件进度查询" breadcrumbs={[{ href: '/', label: '首页' }, { label: '办件进度查询' }]}>
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">办件进度查询</h1>
      {answer ? (
        <section class="progress-answer" aria-labelledby="progress-answer-title">
          <h2 class="heading-l" id="progress-answer-title">
            办件 {formatApplicationNo(answer.applicationNo)}
          </h2>
          <SummaryList
            rows={[
              { key: '申请事项', value: answer.itemName },
              { key: '受理部门', value: answer.departmentName },
              { key: '申请人', value: answer.applicantMasked },
              { key: '当前状态', value: <StateTag state={answer.state} name={answer.stateName} /> },
              { key: '提交时间', value: answer.submittedAt ? formatDateTime(answer.submittedAt) : '—' },
              {
                key: '承诺办结日期',
                value: answer.promisedDueOn ? dayText(answer.promisedDueOn) : '受理后确定',
              },
            ]}
          />
          <h3 class="heading-m">办理过程</h3>
          <ol class="timeline">
            {answer.steps.map((s, i) => (
              <li class="timeline__item" key={i}>
                <p class="timeline__when">
                  <time dateTime={s.at}>{formatDateTime(s.at)}</time>
                </p>
                <p class="timeline__what">
                  <strong>{s.label}</strong>
                </p>
              </li>
            ))}
          </ol>
          <p>
            申请人本人可登录后在<a href="/my/applications">「我的办件」</a>查看文书和详细信息。
          </p>
          <h2 class="heading-m">查询其他办件</h2>
        </section>
      ) : (
        <p class="lead">输入办件编号和申请人姓名（或申请时登记的手机号码），不需要登录。</p>
      )}
      {notFound ? (
        <Notice tone="warning" title="没有查到">
          <p>{notFound}</p>
        </Notice>
      ) : null}
      <Form action="/progress" class="narrow">
        <TextInput
          name="applicationNo"
          label="办件编号"
          hint="20 位数字，例如 445103-20260302-000123（可以不输入横线）"
          value={values?.applicationNo}
          error={map.applicationNo}
          required
          autoComplete="off"
          inputMode="numeric"
          spellcheck={false}
          class="input--medium"
        />
        <TextInput
          name="nameOrMobile"
          label="申请人姓名或手机号码"
          value={values?.nameOrMobile}
          error={map.nameOrMobile}
          required
          autoComplete="off"
          class="input--medium"
        />
        <Button>查询</Button>
      </Form>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// The case of another of the person's identities

/**
 * The person followed a link to a case filed under another of their identities (the enterprise
 * they may act for, or themself): offer the switch instead of a bare 「找不到」.
 */
export function SwitchIdentityPage({
  enterpriseId,
  name,
  returnTo,
}: {
  /** null: switch back to 个人. */
  enterpriseId: string | null
  name: string
  returnTo: string
}) {
  const target = enterpriseId ? `代表「${name}」` : '个人身份'
  return (
    <Layout title="请切换办事身份" breadcrumbs={myCrumbs('切换身份')}>
      <h1 class="heading-xl">请切换为{target}后查看</h1>
      <p class="lead">
        这个办件是以{enterpriseId ? `「${name}」的名义` : '您个人的名义'}申请的，您现在的办事身份看不到它。
      </p>
      <Form action="/my/acting-as">
        <input type="hidden" name="enterpriseId" value={enterpriseId ?? ''} />
        <input type="hidden" name="return" value={returnTo} />
        <div class="button-row">
          <Button>切换为{target}</Button>
          <a href="/my/applications">返回我的办件</a>
        </div>
      </Form>
    </Layout>
  )
}
