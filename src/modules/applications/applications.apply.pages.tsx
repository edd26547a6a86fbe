/**
 * The applicant's pages for applying online (GOV.UK pattern: question pages → check your
 * answers → confirmation): the form with its materials, 核对信息 with the declaration, the
 * confirmation with the 办件编号, and the page that says why someone cannot apply (yet).
 * Pages take plain data and never query; applications.apply.routes.ts feeds them.
 */
import type { ComponentChildren, JSX } from 'preact'
import type { FieldProblem } from '../../platform/http/errors.js'
import {
  Button,
  ButtonLink,
  Checkbox,
  DateInput,
  ErrorSummary,
  errorMap,
  Form,
  fieldId,
  formatDateTime,
  Layout,
  Notice,
  Panel,
  SummaryList,
  Tag,
  usePage,
} from '../../platform/ui/index.js'
import type { ItemElements, Material } from '../catalog/index.js'
import type { FormData, FormDefinition, PrefillNotes } from './applications.forms.js'
import { FormSections, FormSummary, ImplicitSubmit } from './applications.forms.render.js'
import { formatApplicationNo } from './applications.numbers.js'

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** The item as the pages show it. */
export interface ApplyItem {
  itemId: string
  departmentName: string
  elements: ItemElements
}

/** A material file the person has given (stored; named as their device named it). */
export interface GivenFile {
  sha256: string
  fileName: string
  size: number
  mime: string
  /** A download link, where there is one (submitted applications). */
  href?: string
}

/** One material's state on the form: the files given, and 容缺 with the promised day as typed. */
export interface MaterialState {
  files: GivenFile[]
  defer: boolean
  until: [string, string, string]
  /** The e-license given instead of files (its version id), with the holder's consent. */
  license?: string
}

/** An e-license the applicant holds that may stand for a material (license library). */
export interface LicenseOffer {
  licenseId: string
  typeName: string
  identifier: string
  issuerName: string
  validTo: string | null
}

/** Input names of the e-license choice of a material. */
export const licenseInputs = (code: string) => ({
  license: `materials.${code}.license`,
  consent: `materials.${code}.consent`,
  /** Present when the choice was on the page: only then does a post change the license given. */
  offered: `materials.${code}.license_offered`,
})

/**
 * A multipart form: its body is streamed, so its CSRF token travels in the query string of the
 * action (platform/http/security.ts). A component, so the token is read while rendering.
 */
export function MultipartForm({
  action,
  children,
  ...rest
}: Omit<JSX.HTMLAttributes<HTMLFormElement>, 'action' | 'method'> & { action: string }) {
  const page = usePage()
  const separator = action.includes('?') ? '&' : '?'
  return (
    <Form action={`${action}${separator}_csrf=${encodeURIComponent(page.csrfToken)}`} multipart {...rest}>
      {children}
    </Form>
  )
}

/** The value of the button that removes a file: `remove-file:<material code>:<sha256>`. */
export const removeFileAction = (code: string, sha256: string) => `remove-file:${code}:${sha256}`

/** Accepted uploads, as the file picker filters them (the server decides by content). */
const ACCEPT = '.pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png'
/** Materials that are photographs: offered a camera upload (capture) on phones and kiosks. */
const PHOTO = /照片/

export const guideHref = (itemId: string) => `/services/${itemId}`
/** The guide's download route for a blank form or sample of the published version. */
export const itemFileHref = (itemId: string, sha256: string) => `/services/${itemId}/files/${sha256}`

/** 20971520 → 「20 MB」, 524288 → 「512 KB」. */
export function sizeText(bytes: number): string {
  const mb = 1024 * 1024
  if (bytes >= mb) return `${Number((bytes / mb).toFixed(1))} MB`
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`
  return `${bytes} 字节`
}

export function promiseText(days: number, unit: string): string {
  return days === 0 ? '即办（当场或当天办结）' : `${days} 个${unit}`
}

/** 2026-03-20 → 2026年3月20日 */
export function dayText(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : day
}

/** Problems without repeats (the same field and message from two checks), in order. */
export function uniqueProblems(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** 办理须知: the facts a person wants before starting, with the way to the full guide. */
function ApplyFacts({ item }: { item: ApplyItem }) {
  const e = item.elements
  const fees = e.isFee ? e.fees.map((f) => `${f.feeName}：${f.feeStand}`).join('；') || '收费' : '不收费'
  return (
    <section class="apply-facts" aria-labelledby="apply-facts-title">
      <h2 class="heading-m" id="apply-facts-title">
        办理须知
      </h2>
      <SummaryList
        rows={[
          {
            key: '办理时限',
            value: `承诺 ${promiseText(e.promiseDay, e.promiseType)}${e.anticipateDay > 0 ? `（法定 ${e.anticipateDay} 个${e.anticipateType}）` : ''}，自受理之日起计算`,
          },
          { key: '收费', value: fees },
          {
            key: '到现场次数',
            value: e.limitSceneNum === 0 ? '0 次（全程网上办理）' : `${e.limitSceneNum} 次`,
          },
          { key: '实施部门', value: item.departmentName },
          { key: '办理结果', value: e.resultName },
        ]}
      />
      <p>
        <a href={guideHref(item.itemId)}>查看完整办事指南</a>（受理条件、办理流程、材料要求）
      </p>
    </section>
  )
}

/** One material: what is asked, the blank form, the files given, a file picker and 容缺. */
export function MaterialFieldset({
  itemId,
  material,
  state,
  errors,
  officerMessage,
  offers,
  departmentName,
}: {
  itemId: string
  material: Material
  state: MaterialState
  /** By field name: `materials.<code>` and `materials.<code>.until`. */
  errors: Record<string, string | undefined>
  /** On the correction page: what the officer asked for. */
  officerMessage?: string
  /**
   * The applicant's e-licenses of the material's type; given (even empty), the form offers them
   * instead of an upload, with the consent to their use by the department.
   */
  offers?: LicenseOffer[]
  departmentName?: string
}) {
  const code = material.materialCode
  const name = `materials.${code}`
  const id = fieldId(name)
  const error = errors[name]
  const untilName = `${name}.until`
  const hintId = `${id}-hint`
  const deferCondition = JSON.stringify({ all: [{ name: `${name}.defer`, equals: ['yes'] }] })
  return (
    <fieldset
      class={`material-upload${error ? ' field--error' : ''}`}
      id={id}
      tabIndex={-1}
      aria-describedby={[hintId, error ? `${id}-error` : undefined].filter(Boolean).join(' ')}
    >
      <legend class="material-upload__legend">
        {material.materialName}{' '}
        {material.isNeed ? (
          <Tag tone="red">必需</Tag>
        ) : (
          <Tag tone="grey">{material.needCondition ? '视情况' : '选交'}</Tag>
        )}
      </legend>
      {officerMessage ? (
        <p class="correction-message">
          <strong>审查意见：</strong>
          {officerMessage}
        </p>
      ) : null}
      <div class="field__hint" id={hintId}>
        <p class="material-upload__meta">
          {material.materialFormat}
          {material.pageNum > 0 ? `，${material.pageNum} 份` : ''}
          {material.pageFormat ? `，${material.pageFormat}` : ''}
          {material.needCondition ? `；${material.needCondition}需要提供` : ''}
        </p>
        {material.fillExplain ? <p class="material-upload__meta">{material.fillExplain}</p> : null}
      </div>
      {material.blankForm || material.sampleFile ? (
        <p class="material-upload__files">
          {material.blankForm ? (
            <a href={itemFileHref(itemId, material.blankForm.sha256)} download>
              下载空白表格<span class="visually-hidden">：{material.materialName}</span>
            </a>
          ) : null}
          {material.blankForm && material.sampleFile ? '　' : null}
          {material.sampleFile ? (
            <a href={itemFileHref(itemId, material.sampleFile.sha256)} download>
              下载示例样表<span class="visually-hidden">：{material.materialName}</span>
            </a>
          ) : null}
        </p>
      ) : null}
      {material.licenseTypeCode && offers ? (
        <LicenseChoice
          code={code}
          material={material}
          offers={offers}
          chosen={state.license}
          departmentName={departmentName ?? '受理部门'}
        />
      ) : material.licenseTypeCode ? (
        <p class="material-upload__license">
          <Tag tone="green">可调用电子证照，无需上传</Tag>
        </p>
      ) : null}
      {error ? (
        <p class="field__error" id={`${id}-error`}>
          <span class="visually-hidden">错误：</span>
          {error}
        </p>
      ) : null}
      {state.files.length > 0 ? (
        <ul class="material-upload__list" aria-label={`已上传的${material.materialName}`}>
          {state.files.map((f) => (
            <li class="material-upload__file" key={f.sha256}>
              <span>
                已上传：{f.href ? <a href={f.href}>{f.fileName}</a> : f.fileName}（{sizeText(f.size)}）
              </span>
              <Button variant="secondary" name="_action" value={removeFileAction(code, f.sha256)}>
                删除<span class="visually-hidden">：{f.fileName}</span>
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      <div class="field">
        <label class="field__label" for={`${id}-upload`}>
          {state.files.length > 0 ? '继续上传文件' : '上传文件'}
          <span class="visually-hidden">：{material.materialName}</span>
        </label>
        <input
          class="file-upload"
          id={`${id}-upload`}
          name={name}
          type="file"
          multiple
          accept={ACCEPT}
          aria-describedby={hintId}
        />
      </div>
      {PHOTO.test(material.materialName) ? (
        // On a phone or a kiosk with a camera: take the photo directly (hidden where there is a mouse).
        <div class="field camera-upload">
          <label class="field__label" for={`${id}-camera`}>
            用摄像头拍照上传<span class="visually-hidden">：{material.materialName}</span>
          </label>
          <input
            class="file-upload"
            id={`${id}-camera`}
            name={name}
            type="file"
            accept="image/jpeg,image/png"
            capture="environment"
            aria-describedby={hintId}
          />
        </div>
      ) : null}
      {material.allowDefer ? (
        <div class="material-defer">
          <Checkbox
            name={`${name}.defer`}
            value="yes"
            checked={state.defer}
            label="容缺：暂不提供，承诺在下面的日期前补交"
            hint="本材料允许容缺受理。已上传文件的，以上传的文件为准。"
          />
          <div class="material-defer__until" data-show-if={deferCondition}>
            <DateInput
              name={untilName}
              legend="承诺补交日期"
              hint="须在今天之后，例如：2026 年 3 月 20 日"
              error={errors[untilName]}
              value={state.until}
            />
          </div>
        </div>
      ) : null}
    </fieldset>
  )
}

/**
 * The e-licenses of the material's type the applicant holds, each to tick instead of an upload,
 * and the consent to their use (recorded as a use of the license, visible to the holder).
 */
function LicenseChoice({
  code,
  material,
  offers,
  chosen,
  departmentName,
}: {
  code: string
  material: Material
  offers: LicenseOffer[]
  chosen?: string
  departmentName: string
}) {
  const names = licenseInputs(code)
  if (offers.length === 0) {
    return (
      <p class="material-upload__license">
        <Tag tone="green">可调用电子证照，无需上传</Tag>
        <span class="hint"> 持有有效电子证照的可直接调用；您（或您代表的企业）目前没有这类电子证照，请上传文件。</span>
      </p>
    )
  }
  return (
    <div class="material-license">
      <input type="hidden" name={names.offered} value="yes" />
      <p class="material-upload__license">
        <Tag tone="green">可调用电子证照，无需上传</Tag>
      </p>
      {/* The newest valid license of the type (a holder has one of most types). */}
      {offers.slice(0, 1).map((o) => (
        <Checkbox
          key={o.licenseId}
          name={names.license}
          value={o.licenseId}
          checked={chosen === o.licenseId}
          label={`使用我的电子证照：${o.typeName}`}
          hint={`${o.issuerName}签发，电子证照标识 ${o.identifier}，${o.validTo ? `有效期至 ${dayText(o.validTo)}` : '长期有效'}`}
        />
      ))}
      <Checkbox
        name={names.consent}
        value="yes"
        checked={Boolean(chosen)}
        label={`本人同意${departmentName}调用上述电子证照作为「${material.materialName}」`}
        hint="调用会记入证照的使用记录，您可以在「我的证照」的「谁用了我的证照」中查看。"
      />
    </div>
  )
}

/** The materials in words for the summary: files, 容缺 or nothing. */
function materialSummary(material: Material, state: MaterialState | undefined): ComponentChildren {
  if (state?.license) {
    return `以电子证照代替（已授权调用）${state.files.length > 0 ? `，另附 ${state.files.length} 个文件` : ''}`
  }
  if (state && state.files.length > 0) {
    return (
      <ul class="list">
        {state.files.map((f) => (
          <li key={f.sha256}>
            {f.href ? <a href={f.href}>{f.fileName}</a> : f.fileName}（{sizeText(f.size)}）
          </li>
        ))}
      </ul>
    )
  }
  if (state?.defer) {
    const day = state.until.every((p) => p !== '') ? dayText(state.until.join('-')) : '（未填写日期）'
    return `容缺：承诺于 ${day} 前补交`
  }
  return <span class="form-summary__empty">{material.isNeed ? '未提供' : '未提供（选交）'}</span>
}

export function MaterialsSummary({
  elements,
  materials,
  changeHref,
  headingLevel = 2,
}: {
  elements: ItemElements
  materials: Record<string, MaterialState>
  changeHref?: string
  headingLevel?: 2 | 3
}) {
  const Heading = headingLevel === 3 ? 'h3' : 'h2'
  return (
    <div class="form-summary__section">
      <div class="form-summary__header">
        <Heading class="heading-m form-summary__title">申请材料</Heading>
        {changeHref ? (
          <a class="form-summary__change" href={`${changeHref}#materials`}>
            修改<span class="visually-hidden">“申请材料”</span>
          </a>
        ) : null}
      </div>
      {elements.materials.length === 0 ? (
        <p>本事项不需要提交材料。</p>
      ) : (
        <SummaryList
          rows={elements.materials.map((m) => ({
            key: m.materialName,
            value: materialSummary(m, materials[m.materialCode]),
          }))}
        />
      )}
    </div>
  )
}

function applyCrumbs(item: ApplyItem, last: string) {
  return [
    { href: '/', label: '首页' },
    { href: '/services', label: '办事服务' },
    { href: guideHref(item.itemId), label: item.elements.taskName },
    { label: last },
  ]
}

// ---------------------------------------------------------------------------------------------
// The form

export interface ApplyPageProps {
  item: ApplyItem
  form: FormDefinition
  data: FormData
  sources: PrefillNotes
  materials: Record<string, MaterialState>
  errors?: FieldProblem[]
  /** When the draft was last saved (ISO), if there is one. */
  savedAt?: string
  /** Just saved by 保存草稿. */
  saved?: boolean
  /** Opened with a draft from an earlier visit (any device). */
  resumed?: boolean
  /** The enterprise the person applies for, if any. */
  actingFor?: string
  maxFileBytes: number
  /** By material code: the applicant's e-licenses of the type the material accepts. */
  licenseOffers?: Record<string, LicenseOffer[]>
}

export function ApplyPage(props: ApplyPageProps) {
  const { item, form, data, sources, materials, savedAt, saved, resumed, actingFor, maxFileBytes } = props
  const errors = uniqueProblems(props.errors ?? [])
  const map = errorMap(errors)
  const e = item.elements
  const savedTime = savedAt ? formatDateTime(savedAt) : undefined
  return (
    <Layout title={`在线办理：${e.taskName}`} breadcrumbs={applyCrumbs(item, '在线办理')}>
      <ErrorSummary
        errors={errors}
        title={saved ? '草稿已保存，但以下内容需要修改' : `有 ${errors.length} 处需要修改`}
      />
      <span class="caption">在线办理{actingFor ? `（代表 ${actingFor}）` : ''}</span>
      <h1 class="heading-xl">{e.taskName}</h1>
      {saved && errors.length === 0 ? (
        <Notice tone="success" title="草稿已保存">
          <p>保存于 {savedTime}。您可以随时回来继续填写，在电脑和手机上都可以。</p>
        </Notice>
      ) : null}
      {resumed && !saved && errors.length === 0 ? (
        <Notice title="已为您打开上次保存的草稿">
          <p>
            草稿保存于 {savedTime}。不想继续的，可以在<a href="/my/applications">「我的办件」</a>删除草稿。
          </p>
        </Notice>
      ) : null}
      <ApplyFacts item={item} />
      <MultipartForm
        action={`/apply/${item.itemId}`}
        class="apply-form"
        data-autosave={`/api/applications/drafts/${item.itemId}`}
      >
        <ImplicitSubmit name="_action" value="next" label="下一步：核对信息" />
        <p class="hint">
          带「（选填）」的可以不填，其余都要填写。填写过程中会自动保存草稿；没有自动保存时，请点页面底部的「保存草稿」。
        </p>
        <FormSections def={form} data={data} errors={errors} sources={sources} />
        <section class="form-section apply-materials" id="materials" aria-labelledby="materials-title" tabIndex={-1}>
          <h2 class="heading-m form-section__title" id="materials-title">
            申请材料
          </h2>
          {e.materials.length === 0 ? (
            <p>本事项不需要提交材料。</p>
          ) : (
            <p class="hint">
              每份材料可以上传多个文件。支持 PDF、JPG、PNG、OFD 格式，每个文件不超过 {sizeText(maxFileBytes)}
              ；系统按文件内容识别格式，修改扩展名不起作用。选好文件后点「保存草稿」或「下一步」即上传。
            </p>
          )}
          {e.materials.map((m) => (
            <MaterialFieldset
              key={m.materialCode}
              itemId={item.itemId}
              material={m}
              state={materials[m.materialCode] ?? { files: [], defer: false, until: ['', '', ''] }}
              errors={map}
              offers={m.licenseTypeCode ? (props.licenseOffers?.[m.materialCode] ?? []) : undefined}
              departmentName={item.departmentName}
            />
          ))}
        </section>
        <div class="button-row apply-form__buttons">
          <Button name="_action" value="next">
            下一步：核对信息
          </Button>
          <Button variant="secondary" name="_action" value="save">
            保存草稿
          </Button>
          <p class="autosave-status hint" role="status" aria-live="polite" data-autosave-status>
            {savedTime && !saved ? `草稿保存于 ${savedTime}` : ''}
          </p>
        </div>
      </MultipartForm>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// Check your answers

export interface CheckPageProps {
  item: ApplyItem
  form: FormDefinition
  data: FormData
  sources: PrefillNotes
  materials: Record<string, MaterialState>
  /** A fresh idempotency key: the same key twice gives the same application. */
  token: string
  errors?: FieldProblem[]
  actingFor?: string
}

export const DECLARATION = '本人承诺所填内容和所交材料真实有效'

export function CheckPage({ item, form, data, sources, materials, token, errors, actingFor }: CheckPageProps) {
  const map = errorMap(errors)
  const change = `/apply/${item.itemId}`
  return (
    <Layout title={`核对信息：${item.elements.taskName}`} breadcrumbs={applyCrumbs(item, '核对信息')}>
      <ErrorSummary errors={errors} />
      <span class="caption">
        {item.elements.taskName}
        {actingFor ? `（代表 ${actingFor}）` : ''}
      </span>
      <h1 class="heading-xl">核对填写的信息</h1>
      <p class="lead">提交前请逐项核对。需要修改的，点该部分的「修改」，改好后会回到这里。</p>
      <FormSummary def={form} data={data} sources={sources} changeHref={change} />
      <MaterialsSummary elements={item.elements} materials={materials} changeHref={change} />
      <Form action={`/apply/${item.itemId}/submit`} class="apply-declaration">
        <input type="hidden" name="token" value={token} />
        <h2 class="heading-m">承诺并提交</h2>
        <p>
          提交后，{item.departmentName}将在 5
          个工作日内审查材料，告知是否受理；需要补正的，会一次性告知全部需要补正的内容。
        </p>
        <Checkbox name="declaration" value="yes" label={DECLARATION} error={map.declaration} />
        <div class="button-row">
          <Button data-prevent-double-click>提交申请</Button>
          <a href={change}>返回修改</a>
        </div>
      </Form>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// Confirmation

export interface SubmittedPageProps {
  applicationId: string
  applicationNo: string
  itemName: string
  departmentName: string
  /** 即办件 approved on the spot by rule. */
  decidedInstantly: boolean
  promisedDays: number
  promisedUnit: string
}

export function SubmittedPage(props: SubmittedPageProps) {
  const no = formatApplicationNo(props.applicationNo)
  return (
    <Layout title={props.decidedInstantly ? '已即时办结' : '申请已提交'}>
      <Panel title={props.decidedInstantly ? '已即时办结' : '申请已提交'}>
        您的办件编号
        <br />
        <strong class="panel__reference">{no}</strong>
      </Panel>
      <p class="lead">
        {props.itemName}（{props.departmentName}）
      </p>
      <p>请记下办件编号。查询进度、咨询和补正材料时都会用到。我们也已通过「我的消息」通知您。</p>
      <h2 class="heading-m">接下来会怎样</h2>
      {props.decidedInstantly ? (
        <p>
          您的申请材料齐全、符合条件，系统已按规则即时作出准予决定并办结。决定书已发送到「我的办件」，可以查看和打印。
        </p>
      ) : (
        <ol class="list list--number">
          <li>{props.departmentName}在 5 个工作日内审查您的申请（预审）。</li>
          <li>
            材料齐全、符合要求的予以受理，并发出受理通知书；需要补正的，会一次性告知全部需要补正的内容，您在「我的办件」按通知补正即可。
          </li>
          <li>
            受理后 {promiseText(props.promisedDays, props.promisedUnit)}
            内办结（承诺时限，不含依法不计算在内的时间）。每一步都会通知您。
          </li>
        </ol>
      )}
      <div class="button-row">
        <ButtonLink href={`/my/applications/${props.applicationId}`}>查看办件</ButtonLink>
        <button class="button button--secondary" type="button" data-print hidden>
          打印回执
        </button>
        <a href="/my/applications">我的办件</a>
        <a href="/progress">办件进度查询</a>
      </div>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// Why someone cannot apply

export function ApplyRefusedPage({
  itemId,
  itemName,
  title,
  message,
  more,
}: {
  itemId?: string
  itemName?: string
  title: string
  message: string
  /** A way forward: 「切换办事身份：我的企业」. */
  more?: { text: string; href: string; label: string }
}) {
  return (
    <Layout
      title={title}
      breadcrumbs={[
        { href: '/', label: '首页' },
        { href: '/services', label: '办事服务' },
        ...(itemId && itemName ? [{ href: guideHref(itemId), label: itemName }] : []),
        { label: '在线办理' },
      ]}
    >
      <h1 class="heading-xl">{title}</h1>
      <p class="lead">{message}</p>
      {more ? (
        <p>
          {more.text}
          <a href={more.href}>{more.label}</a>
        </p>
      ) : null}
      {itemId ? (
        <p>
          <a href={guideHref(itemId)}>返回办事指南</a>
        </p>
      ) : null}
    </Layout>
  )
}
