/**
 * Renders a form definition (applications.forms.ts) with the shared form pieces of platform/ui:
 * every field with its label, hint, error and, for prefilled answers, where the value came from.
 *
 * Conditional parts are always in the page, marked `data-show-if` with their condition, and open
 * with a sentence saying when they apply; public/js/site.js hides them while they do not. Without
 * the script nothing required is ever hidden, and the server drops answers to parts that do not
 * apply. Rows of a repeating section are added and removed by submit buttons (`_action`), so that
 * works without the script too.
 */
import type { ComponentChildren } from 'preact'
import type { FieldProblem } from '../../platform/http/errors.js'
import { SummaryList } from '../../platform/ui/display.js'
import { Button, Choices, DateInput, type ErrorMap, errorMap, Field, fieldId } from '../../platform/ui/form.js'
import {
  conditionForScript,
  describeCondition,
  type FieldType,
  type FieldValue,
  FORM_ACTION_NAME,
  type FormData,
  type FormDefinition,
  type FormField,
  type FormRepeat,
  type FormSection,
  fenToYuanText,
  formatFieldValue,
  inputName,
  isFieldRequired,
  isFieldShown,
  isSectionShown,
  type PrefillNote,
  type PrefillNotes,
  ROW_MARKER,
  rowLabel,
  rowsOf,
  type SectionValues,
  splitDate,
  valuesOf,
} from './applications.forms.js'

export interface FormSectionsProps {
  def: FormDefinition
  data: FormData
  /** Problems from validateFormData / checkFormData / applyFormAction. */
  errors?: FieldProblem[]
  /** From prefillFormData: where prefilled answers came from. */
  sources?: PrefillNotes
  /** Show the answers instead of inputs (same as FormSummary without 修改 links). */
  readOnly?: boolean
}

interface Ctx {
  def: FormDefinition
  data: FormData
  errors: ErrorMap
  sources: PrefillNotes
}

/**
 * The sections of a form, to be placed inside a <Form> of platform/ui (which adds the CSRF token)
 * after an <ErrorSummary> and before the page's own buttons. Put <ImplicitSubmit> first in the form
 * when a section repeats, so that Enter in a text box does not press 「添加」.
 */
export function FormSections({ def, data, errors, sources, readOnly }: FormSectionsProps) {
  if (readOnly) return <FormSummary def={def} data={data} sources={sources} />
  const ctx: Ctx = { def, data, errors: errorMap(errors), sources: sources ?? {} }
  return (
    <div class="form-sections">
      {def.sections.map((section) => (
        <SectionView key={section.key} ctx={ctx} section={section} />
      ))}
    </div>
  )
}

/**
 * A hidden copy of the main submit button, to put first in a form: browsers press the first submit
 * button when Enter is typed in a text box, which would otherwise be a row's 「删除此行」.
 */
export function ImplicitSubmit({ name, value, label = '提交' }: { name?: string; value?: string; label?: string }) {
  return (
    <button type="submit" class="visually-hidden" tabIndex={-1} aria-hidden="true" name={name} value={value}>
      {label}
    </button>
  )
}

function SectionView({ ctx, section }: { ctx: Ctx; section: FormSection }) {
  // `--` never occurs in a field's id, so a field keyed `title` or `error` cannot clash.
  const id = fieldId(section.key)
  const error = ctx.errors[section.key]
  const script = section.showIf
    ? JSON.stringify(conditionForScript(ctx.def, section.showIf, { section: section.key }))
    : undefined
  return (
    <section
      class={`form-section${section.showIf ? ' form-section--conditional' : ''}${error ? ' field--error' : ''}`}
      id={id}
      aria-labelledby={`${id}--title`}
      data-show-if={script}
      tabIndex={-1}
    >
      <h2 class="heading-m form-section__title" id={`${id}--title`}>
        {section.title}
      </h2>
      {section.showIf ? (
        <p class="form-conditional__note">
          如{describeCondition(ctx.def, section.showIf, section.key)}，请填写以下内容。
        </p>
      ) : null}
      {section.hint ? <p class="hint">{section.hint}</p> : null}
      {error ? (
        <p class="field__error" id={`${id}--error`}>
          <span class="visually-hidden">错误：</span>
          {error}
        </p>
      ) : null}
      {section.repeat ? (
        <RepeatRows ctx={ctx} section={section} repeat={section.repeat} />
      ) : (
        section.fields.map((field) => (
          <FieldView key={field.key} ctx={ctx} section={section} field={field} values={valuesOf(ctx.data, section)} />
        ))
      )}
    </section>
  )
}

function RepeatRows({ ctx, section, repeat }: { ctx: Ctx; section: FormSection; repeat: FormRepeat }) {
  const { min, max, addLabel, itemLabel } = repeat
  const rows = rowsOf(ctx.data, section).slice(0, max)
  const count = Math.max(rows.length, min)
  const shown: SectionValues[] = Array.from({ length: count }, (_, i) => rows[i] ?? {})
  return (
    <>
      {shown.length === 0 ? <p class="form-repeat__empty">尚未添加{itemLabel}。</p> : null}
      {shown.map((values, row) => (
        <fieldset class="form-repeat__item" id={fieldId(`${section.key}[${row}]`)} key={row}>
          <legend class="form-repeat__legend">{rowLabel(section, row)}</legend>
          <input type="hidden" name={`${section.key}[${row}].${ROW_MARKER}`} value="1" />
          {section.fields.map((field) => (
            <FieldView key={field.key} ctx={ctx} section={section} field={field} values={values} row={row} />
          ))}
          {count > min ? (
            <div class="form-repeat__actions">
              <Button variant="secondary" name={FORM_ACTION_NAME} value={`remove:${section.key}:${row}`}>
                删除此行<span class="visually-hidden">：{rowLabel(section, row)}</span>
              </Button>
            </div>
          ) : null}
        </fieldset>
      ))}
      {count < max ? (
        <Button variant="secondary" name={FORM_ACTION_NAME} value={`add:${section.key}`}>
          {addLabel}
        </Button>
      ) : (
        <p class="hint">
          最多可填写{max}项{itemLabel}。
        </p>
      )}
    </>
  )
}

const WIDTH_CLASS = { short: 'input--short', medium: 'input--medium', long: 'input--long' } as const

const DEFAULT_WIDTH: Partial<Record<FieldType, keyof typeof WIDTH_CLASS>> = {
  number: 'short',
  money: 'short',
  mobile: 'short',
  idNumber: 'medium',
  creditCode: 'medium',
  email: 'medium',
  address: 'long',
}

/** Browser hints per type: keyboards on phones, no spell-checking of identifiers. */
function inputAttributes(field: FormField): Record<string, string | boolean> {
  switch (field.type) {
    case 'number':
      return { inputMode: field.integer ? 'numeric' : 'decimal' }
    case 'money':
      return { inputMode: 'decimal' }
    case 'mobile':
      return { type: 'tel', autoComplete: 'tel' }
    case 'email':
      return { type: 'email', autoComplete: 'email', spellcheck: false }
    case 'idNumber':
    case 'creditCode':
      return { autoComplete: 'off', spellcheck: false }
    default:
      return {}
  }
}

/** The person's own data gets the browser's autofill names. */
function personAutocomplete(field: FormField): string | undefined {
  const sources = field.prefill === undefined ? [] : Array.isArray(field.prefill) ? field.prefill : [field.prefill]
  const person = sources.find((s) => s.from === 'person')
  if (!person) return undefined
  return { name: 'name', mobile: 'tel', address: 'street-address' }[person.path as string]
}

/** What goes back into a text box: money in yuan, numbers as digits, anything unparsed as typed. */
function inputText(field: FormField, value: FieldValue | undefined): string {
  if (value === undefined) return ''
  if (field.type === 'money' && typeof value === 'number') return fenToYuanText(value)
  if (Array.isArray(value)) return value.join('，')
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  return String(value)
}

function chosenValues(value: FieldValue | undefined): string[] {
  if (value === undefined) return []
  if (typeof value === 'boolean') return [value ? 'yes' : 'no']
  return Array.isArray(value) ? value : [String(value)]
}

const YES_NO = [
  { value: 'yes', label: '是' },
  { value: 'no', label: '否' },
]

function FieldView({
  ctx,
  section,
  field,
  values,
  row,
}: {
  ctx: Ctx
  section: FormSection
  field: FormField
  values: SectionValues
  row?: number
}) {
  const name = inputName(section.key, field.key, row)
  const id = fieldId(name)
  const error = ctx.errors[name]
  const source = ctx.sources[name]
  const value = values[field.key]
  const conditionalRequired = typeof field.required === 'object'
  const requiredNow = isFieldRequired(ctx.def, ctx.data, section, field, row)
  const hint = hintOf(ctx, section, field)
  const sourceId = source ? `${id}-source` : undefined
  const sourceNote = source ? <SourceNote id={sourceId!} note={source} /> : null
  // The label says （选填） only for questions that are never required.
  const labelRequired = requiredNow || conditionalRequired

  let control: ComponentChildren
  switch (field.type) {
    case 'radios':
    case 'yesno':
    case 'checkboxes':
      control = (
        <Choices
          type={field.type === 'checkboxes' ? 'checkbox' : 'radio'}
          name={name}
          legend={field.label}
          hint={hint}
          error={error}
          values={chosenValues(value)}
          options={field.type === 'yesno' ? YES_NO : (field.options ?? [])}
          inline={field.type === 'yesno'}
          required={labelRequired}
          after={sourceNote}
          afterId={sourceId}
        />
      )
      break
    case 'date':
      control = (
        <DateInput
          name={name}
          legend={field.label}
          hint={hint ?? '例如：1990 年 3 月 15 日'}
          error={error}
          value={splitDate(value)}
          required={labelRequired}
          after={sourceNote}
          afterId={sourceId}
        />
      )
      break
    case 'select':
      control = (
        <Field name={name} label={field.label} hint={hint} error={error} required={labelRequired}>
          {({ id: inputId, describedBy, invalid }) => (
            <>
              <select
                class={`select${invalid ? ' input--error' : ''}`}
                id={inputId}
                name={name}
                required={requiredNow}
                aria-describedby={joinIds(describedBy, sourceId)}
                aria-invalid={invalid || undefined}
              >
                <option value="">请选择</option>
                {(field.options ?? []).map((o) => (
                  <option key={o.value} value={o.value} selected={o.value === value}>
                    {o.label}
                  </option>
                ))}
              </select>
              {sourceNote}
            </>
          )}
        </Field>
      )
      break
    case 'textarea':
      control = (
        <Field name={name} label={field.label} hint={hint} error={error} required={labelRequired}>
          {({ id: inputId, describedBy, invalid }) => (
            <>
              <textarea
                class={`textarea${invalid ? ' input--error' : ''}`}
                id={inputId}
                name={name}
                rows={5}
                required={requiredNow}
                aria-describedby={joinIds(describedBy, sourceId)}
                aria-invalid={invalid || undefined}
              >
                {inputText(field, value)}
              </textarea>
              {sourceNote}
            </>
          )}
        </Field>
      )
      break
    default: {
      const suffix = field.type === 'money' ? '元' : field.suffix
      const width = field.width ?? DEFAULT_WIDTH[field.type]
      const label = (
        <>
          {field.label}
          {suffix ? <span class="visually-hidden">（单位：{suffix}）</span> : null}
        </>
      )
      control = (
        <Field name={name} label={label} hint={hint} error={error} required={labelRequired}>
          {({ id: inputId, describedBy, invalid }) => {
            const input = (
              <input
                class={`input${width ? ` ${WIDTH_CLASS[width]}` : ''}${invalid ? ' input--error' : ''}`}
                id={inputId}
                name={name}
                type="text"
                value={inputText(field, value)}
                required={requiredNow}
                autoComplete={personAutocomplete(field)}
                aria-describedby={joinIds(describedBy, sourceId)}
                aria-invalid={invalid || undefined}
                {...inputAttributes(field)}
              />
            )
            return (
              <>
                {suffix ? (
                  <div class="input-wrapper">
                    {input}
                    <span class="input__suffix" aria-hidden="true">
                      {suffix}
                    </span>
                  </div>
                ) : (
                  input
                )}
                {sourceNote}
              </>
            )
          }}
        </Field>
      )
    }
  }

  if (!field.showIf) return <>{control}</>
  return (
    <div
      class="form-conditional"
      data-show-if={JSON.stringify(conditionForScript(ctx.def, field.showIf, { section: section.key, row }))}
    >
      <p class="form-conditional__note">如{describeCondition(ctx.def, field.showIf, section.key)}，请填写以下内容。</p>
      {control}
    </div>
  )
}

function hintOf(ctx: Ctx, section: FormSection, field: FormField): ComponentChildren {
  const when =
    typeof field.required === 'object'
      ? `如${describeCondition(ctx.def, field.required, section.key)}，此项必填。`
      : undefined
  if (!when) return field.hint
  if (!field.hint) return when
  return (
    <>
      {field.hint}
      <br />
      {when}
    </>
  )
}

function joinIds(...ids: (string | undefined)[]): string | undefined {
  return ids.filter(Boolean).join(' ') || undefined
}

function SourceNote({ id, note }: { id: string; note: PrefillNote }) {
  return (
    <p class="field__source" id={id}>
      {note.label}
    </p>
  )
}

// ---------------------------------------------------------------------------------------------
// Read-only

/**
 * The answers as a list per section (GOV.UK 「核对填写内容」): only the parts that apply, each
 * prefilled answer with its source. With `changeHref` (the form page) each section gets a 修改
 * link to its anchor; without it (the staff case page) the list is read-only.
 */
export function FormSummary({
  def,
  data,
  sources,
  changeHref,
  headingLevel = 2,
}: {
  def: FormDefinition
  data: FormData
  sources?: PrefillNotes
  changeHref?: string
  /** 2 on a page of its own, 3 inside a page section. */
  headingLevel?: 2 | 3
}) {
  const Heading = headingLevel === 3 ? 'h3' : 'h2'
  const RowHeading = headingLevel === 3 ? 'h4' : 'h3'
  const notes = sources ?? {}
  return (
    <div class="form-summary">
      {def.sections
        .filter((section) => isSectionShown(def, data, section.key))
        .map((section) => (
          <div class="form-summary__section" key={section.key}>
            <div class="form-summary__header">
              <Heading class="heading-m form-summary__title">{section.title}</Heading>
              {changeHref ? (
                <a class="form-summary__change" href={`${changeHref}#${fieldId(section.key)}`}>
                  修改<span class="visually-hidden">“{section.title}”</span>
                </a>
              ) : null}
            </div>
            {section.repeat ? (
              rowsOf(data, section).length === 0 ? (
                <p class="form-summary__empty">未填写</p>
              ) : (
                rowsOf(data, section).map((values, row) => (
                  <div class="form-summary__row" key={row}>
                    <RowHeading class="heading-s">{rowLabel(section, row)}</RowHeading>
                    <SummaryList rows={answerRows(def, data, section, values, notes, row)} />
                  </div>
                ))
              )
            ) : (
              <SummaryList rows={answerRows(def, data, section, valuesOf(data, section), notes)} />
            )}
          </div>
        ))}
    </div>
  )
}

function answerRows(
  def: FormDefinition,
  data: FormData,
  section: FormSection,
  values: SectionValues,
  notes: PrefillNotes,
  row?: number,
): { key: ComponentChildren; value: ComponentChildren }[] {
  return section.fields
    .filter((field) => isFieldShown(def, data, section.key, field.key, row))
    .map((field) => {
      const text = formatFieldValue(field, values[field.key])
      const note = notes[inputName(section.key, field.key, row)]
      return {
        key: field.label,
        value: (
          <>
            {text === '' ? (
              <span class="form-summary__empty">未填写</span>
            ) : (
              <span class={field.type === 'textarea' ? 'form-summary__text' : undefined}>{text}</span>
            )}
            {note && text !== '' ? <span class="form-summary__source">{note.label}</span> : null}
          </>
        ),
      }
    })
}
