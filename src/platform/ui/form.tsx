/**
 * Form pieces in the GOV.UK pattern: every input has a visible label, an optional hint and,
 * after a failed submission, its error message beside it and in a summary at the top that links
 * to the field. Values typed by the person are given back so nothing has to be typed twice.
 */
import type { ComponentChildren, JSX } from 'preact'
import { usePage } from './context.js'

export interface FieldError {
  field: string
  message: string
}

/** Errors keyed by field name, as the summary and the fields both need them. */
export type ErrorMap = Record<string, string | undefined>

export function errorMap(errors: FieldError[] | undefined): ErrorMap {
  const map: ErrorMap = {}
  for (const e of errors ?? []) map[e.field] ??= e.message
  return map
}

/** id of the input for a field name: `a.b[0]` → `f-a-b-0` */
export function fieldId(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-+$/, '')}`
}

export function ErrorSummary({ errors, title = '提交的内容有问题' }: { errors?: FieldError[]; title?: string }) {
  if (!errors || errors.length === 0) return null
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} data-autofocus>
      <h2 class="error-summary__title" id="error-summary-title">
        {title}
      </h2>
      <ul class="error-summary__list">
        {errors.map((e) => (
          <li key={e.field}>
            <a href={`#${fieldId(e.field)}`}>{e.message}</a>
          </li>
        ))}
      </ul>
    </div>
  )
}

interface FieldShellProps {
  name: string
  label: ComponentChildren
  hint?: ComponentChildren
  error?: string
  required?: boolean
  children: (aria: { id: string; describedBy?: string; invalid: boolean }) => ComponentChildren
}

/** Label, hint and error around one input; the input gets aria-describedby for both. */
export function Field({ name, label, hint, error, required, children }: FieldShellProps) {
  const id = fieldId(name)
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <label class="field__label" for={id}>
        {label}
        {required ? null : <span class="field__optional">（选填）</span>}
      </label>
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
      {children({ id, describedBy, invalid: Boolean(error) })}
    </div>
  )
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'label' | 'name' | 'value'> & {
  name: string
  label: ComponentChildren
  hint?: ComponentChildren
  error?: string
  value?: string | number | null
  required?: boolean
}

export function TextInput({ name, label, hint, error, value, required, class: cls, ...rest }: InputProps) {
  return (
    <Field name={name} label={label} hint={hint} error={error} required={required}>
      {({ id, describedBy, invalid }) => (
        <input
          class={`input${invalid ? ' input--error' : ''}${cls ? ` ${cls}` : ''}`}
          id={id}
          name={name}
          type="text"
          value={value ?? ''}
          required={required}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          {...rest}
        />
      )}
    </Field>
  )
}

type TextareaProps = Omit<JSX.TextareaHTMLAttributes<HTMLTextAreaElement>, 'label' | 'name' | 'value'> & {
  name: string
  label: ComponentChildren
  hint?: ComponentChildren
  error?: string
  value?: string | null
  required?: boolean
}

export function Textarea({ name, label, hint, error, value, required, ...rest }: TextareaProps) {
  return (
    <Field name={name} label={label} hint={hint} error={error} required={required}>
      {({ id, describedBy, invalid }) => (
        <textarea
          class={`textarea${invalid ? ' input--error' : ''}`}
          id={id}
          name={name}
          rows={5}
          required={required}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          {...rest}
        >
          {value ?? ''}
        </textarea>
      )}
    </Field>
  )
}

export interface Option {
  value: string
  label: string
}

export function Select({
  name,
  label,
  hint,
  error,
  value,
  required,
  options,
  placeholder = '请选择',
}: {
  name: string
  label: ComponentChildren
  hint?: ComponentChildren
  error?: string
  value?: string | null
  required?: boolean
  options: Option[]
  placeholder?: string
}) {
  return (
    <Field name={name} label={label} hint={hint} error={error} required={required}>
      {({ id, describedBy, invalid }) => (
        <select
          class={`select${invalid ? ' input--error' : ''}`}
          id={id}
          name={name}
          required={required}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
        >
          <option value="">{placeholder}</option>
          {options.map((o) => (
            <option key={o.value} value={o.value} selected={o.value === value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  )
}

/** A group of radio buttons in a fieldset with a legend (a label for the whole question). */
export function Radios({
  name,
  legend,
  hint,
  error,
  value,
  options,
  inline,
}: {
  name: string
  legend: ComponentChildren
  hint?: ComponentChildren
  error?: string
  value?: string | null
  options: Option[]
  inline?: boolean
}) {
  const id = fieldId(name)
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
        <div class={`radios${inline ? ' radios--inline' : ''}`}>
          {options.map((o, i) => (
            <div class="radios__item" key={o.value}>
              <input
                class="radios__input"
                type="radio"
                id={i === 0 ? id : `${id}-${i}`}
                name={name}
                value={o.value}
                checked={o.value === value}
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

/** One checkbox with its label (e.g. 「我已阅读并同意」), with hint and error like other fields. */
export function Checkbox({
  name,
  label,
  hint,
  error,
  checked,
  value = '1',
}: {
  name: string
  label: ComponentChildren
  hint?: ComponentChildren
  error?: string
  checked?: boolean
  value?: string
}) {
  const id = fieldId(name)
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      {error ? (
        <p class="field__error" id={errorId}>
          <span class="visually-hidden">错误：</span>
          {error}
        </p>
      ) : null}
      <div class="radios__item">
        <input
          class="radios__input"
          type="checkbox"
          id={id}
          name={name}
          value={value}
          checked={checked}
          aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
          aria-invalid={error ? true : undefined}
        />
        <label class="radios__label" for={id}>
          {label}
        </label>
      </div>
      {hint ? (
        <div class="field__hint" id={hintId}>
          {hint}
        </div>
      ) : null}
    </div>
  )
}

/** A form that always carries the CSRF token of the page. */
export function Form({
  action,
  method = 'post',
  children,
  multipart,
  ...rest
}: Omit<JSX.HTMLAttributes<HTMLFormElement>, 'action' | 'method'> & {
  action: string
  method?: 'post' | 'get'
  multipart?: boolean
}) {
  const page = usePage()
  return (
    <form action={action} method={method} enctype={multipart ? 'multipart/form-data' : undefined} novalidate {...rest}>
      {method === 'post' ? <input type="hidden" name="_csrf" value={page.csrfToken} /> : null}
      {children}
    </form>
  )
}

type ButtonVariant = 'primary' | 'secondary' | 'warning' | 'link'

export function Button({
  children,
  variant = 'primary',
  type = 'submit',
  ...rest
}: Omit<JSX.ButtonHTMLAttributes<HTMLButtonElement>, 'type'> & {
  variant?: ButtonVariant
  type?: 'submit' | 'button'
}) {
  return (
    <button class={`button button--${variant}`} type={type} {...rest}>
      {children}
    </button>
  )
}

export function ButtonLink({
  href,
  children,
  variant = 'primary',
  ...rest
}: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; variant?: ButtonVariant }) {
  return (
    <a class={`button button--${variant}`} href={href} {...rest}>
      {children}
    </a>
  )
}

/**
 * A group of radio buttons or checkboxes in a fieldset whose legend asks the question, with hint,
 * error and an optional note after the options (e.g. where a prefilled answer came from, given
 * `afterId` so the group is described by it). Checkboxes share one name and post every ticked value.
 */
export function Choices({
  type,
  name,
  legend,
  hint,
  error,
  values,
  options,
  inline,
  required,
  after,
  afterId,
}: {
  type: 'radio' | 'checkbox'
  name: string
  legend: ComponentChildren
  hint?: ComponentChildren
  error?: string
  /** The chosen value(s). */
  values?: readonly string[]
  options: Option[]
  inline?: boolean
  /** When false, the legend says （选填）; leave undefined to say nothing. */
  required?: boolean
  after?: ComponentChildren
  afterId?: string
}) {
  const id = fieldId(name)
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  const chosen = new Set(values ?? [])
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <fieldset
        class="fieldset"
        aria-describedby={[hintId, errorId, after ? afterId : undefined].filter(Boolean).join(' ') || undefined}
      >
        <legend class="field__label">
          {legend}
          {required === false ? <span class="field__optional">（选填）</span> : null}
        </legend>
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
        <div class={`radios${inline ? ' radios--inline' : ''}`}>
          {options.map((o, i) => (
            <div class="radios__item" key={o.value}>
              <input
                class="radios__input"
                type={type}
                id={i === 0 ? id : `${id}-${i}`}
                name={name}
                value={o.value}
                checked={chosen.has(o.value)}
              />
              <label class="radios__label" for={i === 0 ? id : `${id}-${i}`}>
                {o.label}
              </label>
            </div>
          ))}
        </div>
        {after}
      </fieldset>
    </div>
  )
}

/** Several checkboxes answering one question (可多选): see Choices. */
export function Checkboxes(props: Omit<Parameters<typeof Choices>[0], 'type'>) {
  return <Choices type="checkbox" {...props} />
}

/**
 * A date as three boxes, 年 月 日 (the GOV.UK date pattern: no picker to fight with, works on
 * every phone). Posts `name.year`, `name.month` and `name.day`; the year box carries the id of
 * `name`, so an error summary link lands on it.
 */
export function DateInput({
  name,
  legend,
  hint,
  error,
  value,
  required,
  after,
  afterId,
}: {
  name: string
  legend: ComponentChildren
  hint?: ComponentChildren
  error?: string
  /** [year, month, day] as typed. */
  value?: readonly [string, string, string]
  required?: boolean
  after?: ComponentChildren
  afterId?: string
}) {
  const id = fieldId(name)
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  const [year = '', month = '', day = ''] = value ?? []
  const parts = [
    { part: 'year', label: '年', value: year, cls: 'input--year', inputId: id },
    { part: 'month', label: '月', value: month, cls: 'input--two', inputId: `${id}-month` },
    { part: 'day', label: '日', value: day, cls: 'input--two', inputId: `${id}-day` },
  ]
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <fieldset
        class="fieldset"
        aria-describedby={[hintId, errorId, after ? afterId : undefined].filter(Boolean).join(' ') || undefined}
      >
        <legend class="field__label">
          {legend}
          {required === false ? <span class="field__optional">（选填）</span> : null}
        </legend>
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
        <div class="date-input">
          {parts.map((p) => (
            <div class="date-input__item" key={p.part}>
              <input
                class={`input ${p.cls}${error ? ' input--error' : ''}`}
                id={p.inputId}
                name={`${name}.${p.part}`}
                type="text"
                inputMode="numeric"
                autoComplete="off"
                value={p.value}
                aria-invalid={error ? true : undefined}
              />
              <label class="date-input__label" for={p.inputId}>
                {p.label}
              </label>
            </div>
          ))}
        </div>
        {after}
      </fieldset>
    </div>
  )
}
