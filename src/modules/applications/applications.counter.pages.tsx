/**
 * Filing for a resident at the counter (线下受理 at a window, 村居代办 at a village service point):
 * find the resident by ID number, choose the item, fill in the form with them, record the
 * materials received (scans) and, for a village agent, how the resident consented. The result is
 * the resident's own application, in their 我的办件.
 */
import type { ComponentChildren } from 'preact'
import {
  Button,
  ButtonLink,
  Checkbox,
  DateInput,
  ErrorSummary,
  errorMap,
  type FieldError,
  Form,
  fieldId,
  formatDateTime,
  Layout,
  Notice,
  Pagination,
  Panel,
  Radios,
  Select,
  SummaryList,
  Table,
  Tag,
  TextInput,
  usePage,
} from '../../platform/ui/index.js'
import type { Material } from '../catalog/index.js'
import type { FormData, FormDefinition } from './applications.forms.js'
import { FormSections, ImplicitSubmit } from './applications.forms.render.js'
import type { ServicePointCaseRow } from './applications.read.js'
import { CHANNEL_NAMES } from './applications.workbench.pages.js'

export type CounterChannel = 'window' | 'proxy'

export const CONSENT_METHOD_CHOICES = [
  { value: 'signed_form', label: '本人签字授权书' },
  { value: 'recorded_oral', label: '本人现场口头同意（录音）' },
  { value: 'video', label: '视频确认' },
]

const CHANNEL_TITLES: Record<CounterChannel, string> = {
  window: '窗口代为申请（线下受理）',
  proxy: '村居代办',
}

export interface ResidentCard {
  id: string
  nameMasked: string
  idNumberMasked: string
  assuranceLevel: number
}

const crumbs = (label?: string) => [
  { href: '/', label: '首页' },
  ...(label ? [{ href: '/counter', label: '代办' }, { label }] : [{ label: '代办' }]),
]

function ResidentSummary({ person }: { person: ResidentCard }) {
  return (
    <SummaryList
      rows={[
        { key: '群众姓名', value: person.nameMasked },
        { key: '身份证号码', value: person.idNumberMasked },
      ]}
    />
  )
}

// ---------------------------------------------------------------------------------------------
// Start: find the resident; the service point's open cases

export function CounterHomePage({
  channel,
  idNumber = '',
  errors,
  cases,
  page = 1,
  pageSize = 20,
}: {
  channel: CounterChannel
  idNumber?: string
  errors?: FieldError[]
  cases?: { rows: ServicePointCaseRow[]; total: number }
  page?: number
  pageSize?: number
}) {
  const e = errorMap(errors)
  const pageCount = cases ? Math.max(1, Math.ceil(cases.total / pageSize)) : 1
  return (
    <Layout title={CHANNEL_TITLES[channel]} breadcrumbs={crumbs()} wide>
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">{CHANNEL_TITLES[channel]}</h1>
      <p class="lead">
        {channel === 'window'
          ? '为到窗口办事的群众代为填写和提交申请：核验身份证件原件，扫描群众带来的材料原件，提交后办件记在群众本人名下，群众可在「我的办件」查看进度。'
          : '为本村（社区）群众代办事项：须取得群众本人同意并记录同意方式，提交后办件记在群众本人名下，群众可在「我的办件」查看进度。'}
      </p>
      <section aria-labelledby="find-title">
        <h2 class="heading-l" id="find-title">
          第一步：查找群众
        </h2>
        <Form action="/counter/find">
          <TextInput
            name="idNumber"
            label="群众的身份证号码"
            hint="须与群众出示的身份证原件一致"
            value={idNumber}
            error={e.idNumber}
            required
            spellcheck={false}
            autoComplete="off"
            class="input--medium"
          />
          <Button>查找</Button>
        </Form>
      </section>
      {cases ? (
        <section aria-labelledby="point-cases">
          <h2 class="heading-l" id="point-cases">
            本服务点的办件
          </h2>
          <Table
            caption={`在办 ${cases.total} 件${pageCount > 1 ? `，第 ${page} / ${pageCount} 页` : ''}`}
            columns={[
              { header: '办件编号', cell: (r) => r.applicationNo ?? '—' },
              { header: '事项', cell: (r) => r.itemName },
              { header: '申请人', cell: (r) => r.applicantMasked },
              { header: '渠道', cell: (r) => CHANNEL_NAMES[r.channel] ?? r.channel },
              { header: '提交时间', cell: (r) => (r.submittedAt ? formatDateTime(r.submittedAt) : '—') },
              { header: '状态', cell: (r) => <Tag tone="blue">{r.stateName}</Tag> },
              { header: '承诺办结', cell: (r) => r.promisedDueOn ?? '—' },
            ]}
            rows={cases.rows}
            rowKey={(r) => r.id}
            empty="本服务点暂无在办的办件。"
          />
          <Pagination page={page} pageCount={pageCount} href={(p) => `/counter?page=${p}`} />
        </section>
      ) : null}
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// Second: choose the item

export function CounterItemsPage({
  channel,
  person,
  items,
  item = '',
  errors,
}: {
  channel: CounterChannel
  person: ResidentCard
  items: { value: string; label: string }[]
  item?: string
  errors?: FieldError[]
}) {
  const e = errorMap(errors)
  return (
    <Layout title="选择事项" breadcrumbs={crumbs('选择事项')}>
      <ErrorSummary errors={errors} />
      <p class="caption">{CHANNEL_TITLES[channel]}</p>
      <h1 class="heading-xl">第二步：选择事项</h1>
      <ResidentSummary person={person} />
      <p>
        <a href="/counter">不是这位群众？重新查找</a>
      </p>
      <Form action="/counter/file" method="get">
        <input type="hidden" name="person" value={person.id} />
        <Select
          name="item"
          label="要办理的事项"
          hint="列出可以网上办理的事项；按事项名称拼音排序"
          required
          value={item}
          error={e.item}
          options={items}
        />
        <Button>下一步：填写申请</Button>
      </Form>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// Third: the form, the materials and (for 代办) the consent

/** A material already received in an earlier attempt of this form (kept by a signed reference). */
export interface KeptFile {
  token: string
  fileName: string
}

export interface CounterFormValues {
  data: FormData
  kept: Record<string, KeptFile>
  deferred: Record<string, { on: boolean; until: [string, string, string] }>
  consentMethod?: string
  consentNote?: string
}

export function CounterFilePage({
  channel,
  person,
  itemId,
  itemName,
  departmentName,
  form,
  materials,
  values,
  idempotencyKey,
  errors,
  uploadLimitText,
}: {
  channel: CounterChannel
  person: ResidentCard
  itemId: string
  itemName: string
  departmentName: string
  form: FormDefinition
  materials: Material[]
  values: CounterFormValues
  idempotencyKey: string
  errors?: FieldError[]
  uploadLimitText: string
}) {
  const e = errorMap(errors)
  const action = `/counter/file?person=${encodeURIComponent(person.id)}&item=${encodeURIComponent(itemId)}`
  return (
    <Layout title={`代为申请：${itemName}`} breadcrumbs={crumbs(itemName)}>
      <ErrorSummary errors={errors} />
      <p class="caption">{CHANNEL_TITLES[channel]}</p>
      <h1 class="heading-xl">{itemName}</h1>
      <ResidentSummary person={person} />
      <p class="hint">受理部门：{departmentName}。请与群众逐项核对后提交；申请将以群众本人的名义提交。</p>
      <UploadForm action={action}>
        <ImplicitSubmit label="提交申请" />
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
        <FormSections def={form} data={values.data} errors={errors} />
        <section class="form-section" aria-labelledby="counter-materials">
          <h2 class="heading-m" id="counter-materials">
            收取的材料
          </h2>
          <p class="hint">
            {channel === 'window'
              ? '上传群众带来的材料原件的扫描件（PDF、JPG、PNG 或 OFD），窗口已核验原件的，材料可信等级记为 B。'
              : '上传群众材料的扫描件或照片（PDF、JPG、PNG 或 OFD）。'}
            每个文件不超过 {uploadLimitText}。
          </p>
          {materials.map((m) => (
            <CounterMaterial
              key={m.materialCode}
              material={m}
              values={values}
              error={e[`materials.${m.materialCode}`]}
            />
          ))}
        </section>
        {channel === 'proxy' ? (
          <section class="form-section" aria-labelledby="counter-consent">
            <h2 class="heading-m" id="counter-consent">
              群众本人同意代办
            </h2>
            <p class="hint">代办须取得群众本人同意。请选择同意的方式，并写明凭证（如授权书存档编号、录音编号）。</p>
            <Radios
              name="consent.method"
              legend="同意方式"
              value={values.consentMethod ?? ''}
              error={e['consent.method']}
              options={CONSENT_METHOD_CHOICES}
            />
            <TextInput
              name="consent.note"
              label="凭证说明"
              value={values.consentNote ?? ''}
              error={e['consent.note']}
              required
              maxLength={200}
            />
          </section>
        ) : null}
        <Button>提交申请</Button>
      </UploadForm>
    </Layout>
  )
}

/** A form posted as multipart/form-data: its CSRF token travels in the query string. */
function UploadForm({ action, children }: { action: string; children: ComponentChildren }) {
  const page = usePage()
  return (
    <Form action={`${action}&_csrf=${encodeURIComponent(page.csrfToken)}`} multipart>
      {children}
    </Form>
  )
}

function CounterMaterial({
  material: m,
  values,
  error,
}: {
  material: Material
  values: CounterFormValues
  error?: string
}) {
  const name = `materials.${m.materialCode}`
  const id = fieldId(name)
  const kept = values.kept[m.materialCode]
  const deferred = values.deferred[m.materialCode]
  const hintId = `${id}-hint`
  const errorId = error ? `${id}-error` : undefined
  return (
    <div class={`field counter-material${error ? ' field--error' : ''}`}>
      <label class="field__label" for={id}>
        {m.materialName}
        {m.isNeed ? null : <span class="field__optional">（选交）</span>}
      </label>
      <div class="field__hint" id={hintId}>
        {m.acceptStand || m.pageFormat}
      </div>
      {error ? (
        <p class="field__error" id={errorId}>
          <span class="visually-hidden">错误：</span>
          {error}
        </p>
      ) : null}
      {kept ? (
        <p class="file-current">
          已收取：{kept.fileName}
          <input type="hidden" name={`kept.${m.materialCode}`} value={kept.token} />
          <span class="hint">（如需更换，重新选择文件）</span>
        </p>
      ) : null}
      <input
        class="file-upload"
        type="file"
        id={id}
        name={`file.${m.materialCode}`}
        accept=".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png"
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ')}
        aria-invalid={error ? true : undefined}
      />
      {m.allowDefer ? (
        <div class="counter-material__defer">
          <Checkbox
            name={`defer.${m.materialCode}`}
            label="容缺受理：群众暂未带齐，承诺在以下日期前补交"
            checked={deferred?.on}
          />
          <DateInput
            name={`deferUntil.${m.materialCode}`}
            legend="承诺补交日期"
            value={deferred?.until}
            required={false}
          />
        </div>
      ) : null}
    </div>
  )
}

// ---------------------------------------------------------------------------------------------
// Done

export function CounterDonePage({
  channel,
  applicationNo,
  itemName,
  stateName,
  person,
}: {
  channel: CounterChannel
  applicationNo: string
  itemName: string
  stateName: string
  person: ResidentCard
}) {
  return (
    <Layout title="已代为提交申请" breadcrumbs={crumbs('已提交')}>
      <Panel title="已代为提交申请">
        <p>
          办件编号 <strong>{applicationNo}</strong>
        </p>
      </Panel>
      <SummaryList
        rows={[
          { key: '事项', value: itemName },
          { key: '申请人', value: `${person.nameMasked}（${person.idNumberMasked}）` },
          { key: '渠道', value: CHANNEL_NAMES[channel] },
          { key: '状态', value: stateName },
        ]}
      />
      <Notice>请将办件编号告知群众。群众登录后可在「我的办件」查看进度，也可凭办件编号和姓名查询。</Notice>
      <div class="button-row">
        <ButtonLink href={`/counter/items?person=${person.id}`}>为这位群众办理其他事项</ButtonLink>
        <ButtonLink href="/counter" variant="secondary">
          为其他群众办理
        </ButtonLink>
      </div>
    </Layout>
  )
}
