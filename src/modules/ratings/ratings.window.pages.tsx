/**
 * The window's 评价器 (一次一评): the member of staff chooses the case just handled, then hands the
 * screen to the applicant, who taps one of five large buttons. A bad rating asks for a reason on a
 * second screen. Plain forms: it works on a kiosk browser without JavaScript.
 */
import { Button, ErrorSummary, type FieldError, Form, Layout, TextInput } from '../../platform/ui/index.js'
import { formatApplicationNo } from '../applications/index.js'
import { LEVEL_NAMES, LEVELS, REASONS } from './ratings.codes.js'

const crumbs = [{ href: '/', label: '首页' }, { label: '窗口评价器' }]

export function WindowPickPage({ errors, value, done }: { errors?: FieldError[]; value?: string; done?: boolean }) {
  return (
    <Layout title="窗口评价器" breadcrumbs={crumbs}>
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">窗口评价器</h1>
      {done ? (
        <p class="rating-thanks" role="status">
          已收到评价，谢谢！
        </p>
      ) : null}
      <p class="lead">办理完一位办事群众的业务后，输入刚办理的办件编号，然后把屏幕交给办事群众评价（一次一评）。</p>
      <Form action="/ratings/window" method="get">
        <TextInput
          name="no"
          label="办件编号"
          hint="20 位数字，可带短横线，例如 445103-20260302-000123。"
          inputMode="numeric"
          autoComplete="off"
          required
          value={value}
          error={errors?.find((e) => e.field === 'no')?.message}
        />
        <Button>显示评价器</Button>
      </Form>
    </Layout>
  )
}

export interface PadProps {
  applicationId: string
  applicationNo: string
  itemName: string
  departmentName: string
  visitId: string
}

/** The five-button screen: each button submits its level. */
export function WindowPadPage(props: PadProps) {
  return (
    <Layout title="请您评价" wide breadcrumbs={crumbs}>
      <div class="rating-kiosk">
        <h1 class="heading-xl rating-kiosk__title">请您对本次窗口服务评价</h1>
        <p class="rating-kiosk__case">
          {props.departmentName} · {props.itemName}
          <span class="hint">（办件编号 {formatApplicationNo(props.applicationNo)}）</span>
        </p>
        <Form action="/ratings/window">
          <input type="hidden" name="applicationId" value={props.applicationId} />
          <input type="hidden" name="visitId" value={props.visitId} />
          <fieldset class="fieldset">
            <legend class="visually-hidden">满意程度</legend>
            <div class="rating-pad">
              {LEVELS.map((level) => (
                <button
                  key={level}
                  type="submit"
                  name="level"
                  value={String(level)}
                  class={`rating-pad__button rating-pad__button--${level}`}
                >
                  <span class="rating-pad__stars" aria-hidden="true">
                    {'★'.repeat(level)}
                  </span>
                  <span class="rating-pad__label">{LEVEL_NAMES[level]}</span>
                </button>
              ))}
            </div>
          </fieldset>
        </Form>
      </div>
    </Layout>
  )
}

/** After 不满意 / 非常不满意: what went wrong (large checkboxes), then submit. */
export function WindowReasonPage(props: PadProps & { level: number; errors?: FieldError[]; text?: string }) {
  return (
    <Layout title="请告诉我们原因" wide breadcrumbs={crumbs}>
      <ErrorSummary errors={props.errors} title="请选择原因" />
      <div class="rating-kiosk">
        <h1 class="heading-xl rating-kiosk__title">您选择了「{LEVEL_NAMES[props.level as 1 | 2]}」，请告诉我们原因</h1>
        <Form action="/ratings/window">
          <input type="hidden" name="applicationId" value={props.applicationId} />
          <input type="hidden" name="visitId" value={props.visitId} />
          <input type="hidden" name="level" value={String(props.level)} />
          <fieldset class="fieldset" id="f-reasons" tabIndex={-1}>
            <legend class="field__label">不满意的原因（可多选）</legend>
            <div class="rating-reasons">
              {Object.entries(REASONS).map(([code, name], i) => (
                <div class="rating-reasons__item" key={code}>
                  <input class="radios__input" type="checkbox" id={`reason-${i}`} name="reasons" value={code} />
                  <label class="rating-reasons__label" for={`reason-${i}`}>
                    {name}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
          <TextInput name="text" label="还想说的（选填）" maxLength={500} value={props.text} class="input--long" />
          <div class="button-row">
            <Button>提交评价</Button>
          </div>
        </Form>
        <Form action="/ratings/window" method="get">
          <input type="hidden" name="no" value={props.applicationNo} />
          <Button variant="secondary">重新选择满意程度</Button>
        </Form>
      </div>
    </Layout>
  )
}
