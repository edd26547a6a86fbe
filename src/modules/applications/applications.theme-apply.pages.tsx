/**
 * "一件事" one-form application (一表申请): the combined form of a theme's items for the answers
 * given — the items with their departments, the union form, each material once with the items
 * that use it, the declaration — and the confirmation listing the application made for each item.
 * Pages take plain data and never query; applications.theme-apply.routes.ts feeds them.
 */
import type { FieldProblem } from '../../platform/http/errors.js'
import {
  Button,
  ButtonLink,
  Checkbox,
  ErrorSummary,
  errorMap,
  Layout,
  Notice,
  Panel,
  Table,
} from '../../platform/ui/index.js'
import type { Material } from '../catalog/index.js'
import {
  DECLARATION,
  guideHref,
  MaterialFieldset,
  type MaterialState,
  MultipartForm,
  sizeText,
  uniqueProblems,
} from './applications.apply.pages.js'
import type { FormData, FormDefinition, PrefillNotes } from './applications.forms.js'
import { FormSections, ImplicitSubmit } from './applications.forms.render.js'
import { StateTag } from './applications.my.pages.js'
import { formatApplicationNo } from './applications.numbers.js'
import type { ApplicationState } from './applications.tables.js'

// ---------------------------------------------------------------------------------------------
// Links

/** The answers as a query string, in the theme's question order as given. */
export function answersQuery(answers: Record<string, string>): string {
  return new URLSearchParams(answers).toString()
}

/** The theme page with these answers (where the questions are asked and can be changed). */
export const themeHref = (themeCode: string, answers: Record<string, string>) => {
  const query = answersQuery(answers)
  return `/themes/${themeCode}${query ? `?${query}` : ''}`
}

/** The one-form application of a theme for these answers. */
export const themeApplyPath = (themeCode: string, answers: Record<string, string>) => {
  const query = answersQuery(answers)
  return `/apply/themes/${themeCode}${query ? `?${query}` : ''}`
}

/** The confirmation of a submitted theme case. */
export const themeCaseHref = (themeCaseId: string) => `/my/theme-cases/${themeCaseId}`

const themeCrumbs = (themeCode: string, themeName: string, answers: Record<string, string>, last: string) => [
  { href: '/', label: '首页' },
  { href: '/themes', label: '一件事' },
  { href: themeHref(themeCode, answers), label: themeName },
  { label: last },
]

// ---------------------------------------------------------------------------------------------
// The combined form

export interface ThemeApplyItem {
  itemId: string
  taskName: string
  departmentName: string
  note?: string
}

/** One material of the combined form: asked once, with the items that need it. */
export interface ThemeApplyMaterial {
  material: Material
  /** The item whose guide offers the blank form and sample (the first that needs it). */
  itemId: string
  itemNames: string[]
  state: MaterialState
}

export interface ThemeApplyPageProps {
  themeCode: string
  themeName: string
  answers: Record<string, string>
  items: ThemeApplyItem[]
  form: FormDefinition
  data: FormData
  sources: PrefillNotes
  materials: ThemeApplyMaterial[]
  /** Signed references to files already given on this page (kept across a failed post). */
  carried: string[]
  /** The idempotency key of the submission: the same token twice gives the same theme case. */
  token: string
  declared: boolean
  errors?: FieldProblem[]
  /** The enterprise the person applies for, if any. */
  actingFor?: string
  maxFileBytes: number
}

export function ThemeApplyPage(props: ThemeApplyPageProps) {
  const { themeCode, themeName, answers, items, form, data, sources, materials, token, declared } = props
  const errors = uniqueProblems(props.errors ?? [])
  const map = errorMap(errors)
  const departments = new Set(items.map((i) => i.departmentName)).size
  return (
    <Layout
      title={`${errors.length > 0 ? '错误：' : ''}一次申请：${themeName}`}
      breadcrumbs={themeCrumbs(themeCode, themeName, answers, '一次申请')}
    >
      <ErrorSummary errors={errors} title={`有 ${errors.length} 处需要修改`} />
      <span class="caption">一件事 一次办{props.actingFor ? `（代表 ${props.actingFor}）` : ''}</span>
      <h1 class="heading-xl">{themeName}</h1>
      <Notice title="一次填写，分别送达各部门办理">
        <p>
          下面 {items.length}{' '}
          个事项共用这一张申请表：相同的内容只填一次，同一份材料只上传一次。提交后，系统为每个事项各生成一个办件，
          分别送达 {departments} 个部门办理，每个办件都有自己的办件编号和办理结果。
        </p>
      </Notice>
      <section class="theme-apply-items" aria-labelledby="theme-apply-items-title">
        <h2 class="heading-m" id="theme-apply-items-title">
          将要申请的事项（{items.length} 个）
        </h2>
        <ol class="theme-items">
          {items.map((item) => (
            <li class="theme-items__item" key={item.itemId}>
              <h3 class="heading-s item-list__title">
                <a href={guideHref(item.itemId)}>{item.taskName}</a>
              </h3>
              <p class="theme-items__department">办理部门：{item.departmentName}</p>
              {item.note ? <p class="theme-items__note">{item.note}</p> : null}
            </li>
          ))}
        </ol>
        <p>
          需要办理的事项由您的回答决定。<a href={themeHref(themeCode, answers)}>修改回答</a>
        </p>
      </section>
      {/* The answers travel in the action, as on the page's own address: the body is streamed,
          and which materials to accept must be known before the files arrive. */}
      <MultipartForm action={themeApplyPath(themeCode, answers)} class="apply-form theme-apply-form">
        <ImplicitSubmit name="_action" value="submit" label="提交申请" />
        <input type="hidden" name="token" value={token} />
        {props.carried.map((reference) => (
          <input type="hidden" name="carried" value={reference} key={reference} />
        ))}
        <p class="hint">带「（选填）」的可以不填，其余都要填写。能从实名信息带出的内容已经填好，请核对。</p>
        <FormSections def={form} data={data} errors={errors} sources={sources} />
        <section class="form-section apply-materials" id="materials" aria-labelledby="materials-title" tabIndex={-1}>
          <h2 class="heading-m form-section__title" id="materials-title">
            申请材料
          </h2>
          {materials.length === 0 ? (
            <p>这些事项不需要提交材料。</p>
          ) : (
            <p class="hint">
              几个事项都要的材料只需上传一次，会提供给需要它的每个部门。每份材料可以上传多个文件，支持
              PDF、JPG、PNG、OFD 格式，每个文件不超过 {sizeText(props.maxFileBytes)}；系统按文件内容识别格式。
            </p>
          )}
          {materials.map((m) => (
            <div class="theme-material" key={m.material.materialCode}>
              <p class="theme-material__for">用于：{m.itemNames.join('、')}</p>
              <MaterialFieldset itemId={m.itemId} material={m.material} state={m.state} errors={map} />
            </div>
          ))}
        </section>
        <section class="apply-declaration" aria-labelledby="declaration-title">
          <h2 class="heading-m" id="declaration-title">
            承诺并提交
          </h2>
          <p>
            提交后，各部门在 5
            个工作日内分别审查自己的事项，告知是否受理；需要补正的，由该部门一次性告知全部需要补正的内容。
          </p>
          <Checkbox name="declaration" value="yes" label={DECLARATION} checked={declared} error={map.declaration} />
          <div class="button-row">
            <Button name="_action" value="submit" data-prevent-double-click>
              提交申请
            </Button>
            <a href={themeHref(themeCode, answers)}>返回修改回答</a>
          </div>
        </section>
      </MultipartForm>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// Confirmation

export interface ThemeCaseApplication {
  id: string
  applicationNo: string
  itemName: string
  departmentName: string
  state: ApplicationState
  stateName: string
}

export interface ThemeSubmittedPageProps {
  themeName: string
  applications: ThemeCaseApplication[]
}

export function ThemeSubmittedPage({ themeName, applications }: ThemeSubmittedPageProps) {
  const departments = new Set(applications.map((a) => a.departmentName)).size
  // 即办件 decided on the spot by rule.
  const instant = applications.find((a) => a.state === 'approved' || a.state === 'completed')
  return (
    <Layout title="申请已提交" breadcrumbs={[{ href: '/', label: '首页' }, { label: '一件事：申请已提交' }]}>
      <Panel title="申请已提交">
        「{themeName}」共 {applications.length} 个办件
        <br />
        已分别送达 {departments} 个部门办理
      </Panel>
      <p class="lead">每个事项都有自己的办件编号，请记下。查询进度、咨询和补正材料时都会用到。</p>
      <Table
        caption="您的办件"
        rowKey={(a) => a.id}
        rows={applications}
        columns={[
          {
            header: '办件编号',
            cell: (a) => (
              <a class="nowrap" href={`/my/applications/${a.id}`}>
                {formatApplicationNo(a.applicationNo)}
              </a>
            ),
          },
          { header: '事项', cell: (a) => a.itemName },
          { header: '办理部门', cell: (a) => a.departmentName },
          { header: '状态', cell: (a) => <StateTag state={a.state} name={a.stateName} /> },
        ]}
      />
      <h2 class="heading-m">接下来会怎样</h2>
      {instant ? (
        <p>
          标为「{instant.stateName}
          」的是即办件：材料齐全、符合条件，系统已按规则当场办结，结果在「我的办件」中可以查看。
        </p>
      ) : null}
      <ol class="list list--number">
        <li>{instant ? '其余事项由' : ''}各部门在 5 个工作日内分别审查自己的事项（预审）。</li>
        <li>
          材料齐全、符合要求的予以受理，并发出受理通知书；需要补正的，由该部门一次性告知全部需要补正的内容，您在「我的办件」打开该办件按通知补正即可。
        </li>
        <li>各办件按各自的承诺时限办结，每一步都会通过「我的消息」通知您。</li>
      </ol>
      <div class="button-row">
        <ButtonLink href="/my/applications">在我的办件中查看</ButtonLink>
        <a href="/progress">办件进度查询</a>
      </div>
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// Why someone cannot apply for the theme at once

export function ThemeApplyRefusedPage({
  themeCode,
  themeName,
  answers,
  title,
  message,
  more,
}: {
  themeCode: string
  themeName: string
  answers: Record<string, string>
  title: string
  message: string
  /** A way forward: 「切换办事身份：我的企业」. */
  more?: { text: string; href: string; label: string }
}) {
  return (
    <Layout title={title} breadcrumbs={themeCrumbs(themeCode, themeName, answers, '一次申请')}>
      <h1 class="heading-xl">{title}</h1>
      <p class="lead">{message}</p>
      {more ? (
        <p>
          {more.text}
          <a href={more.href}>{more.label}</a>
        </p>
      ) : null}
      <p>
        也可以回到<a href={themeHref(themeCode, answers)}>「{themeName}」</a>，按各事项的办事指南逐项办理。
      </p>
    </Layout>
  )
}
