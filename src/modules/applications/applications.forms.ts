/**
 * Application forms (在线填报) as data: one definition per item version says which sections and
 * fields an application has, when parts of it apply, where values may be prefilled from, and what
 * a valid answer is. The same definition parses the posted form, validates it on the server,
 * prefills it and renders it (applications.forms.render.tsx), so the page and the rules cannot
 * drift apart.
 *
 * Input names are key paths: `applicant.name` for a field of a section, `staff[0].name` for a field
 * of a repeating section, `applicant.birth_date.year|month|day` for the parts of a date. Errors use
 * the same names, so the error summary links to the input (`fieldId` of platform/ui).
 */
import { type Static, Type } from 'typebox'
import { Value } from 'typebox/value'
import { isValidDay, todayInShanghai } from '../../platform/calendar/calendar.js'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'
import { fieldId } from '../../platform/ui/form.js'
import { validateCitizenId, validateCreditCode, validateMobile } from '../../platform/validators/index.js'

// ---------------------------------------------------------------------------------------------
// The definition model

export const FIELD_TYPES = [
  'text',
  'textarea',
  'number',
  'date',
  'select',
  'radios',
  'checkboxes',
  'yesno',
  'idNumber',
  'mobile',
  'creditCode',
  'email',
  'address',
  'money',
] as const
export type FieldType = (typeof FIELD_TYPES)[number]

/** Types whose answer is one of `options` (or 是/否). */
const CHOICE_TYPES: ReadonlySet<FieldType> = new Set(['select', 'radios', 'checkboxes', 'yesno'])
const NEEDS_OPTIONS: ReadonlySet<FieldType> = new Set(['select', 'radios', 'checkboxes'])
/** Free text, checked for length and pattern. */
const TEXT_TYPES: ReadonlySet<FieldType> = new Set([
  'text',
  'textarea',
  'address',
  'idNumber',
  'mobile',
  'creditCode',
  'email',
])
/** Server-side length limits when a definition sets none, so no field takes a novel. */
const DEFAULT_MAX_LENGTH: Partial<Record<FieldType, number>> = { text: 200, address: 200, textarea: 2000, email: 254 }

export const PERSON_PATHS = ['name', 'idNumber', 'mobile', 'address', 'birthDate', 'sex'] as const
export const ENTERPRISE_PATHS = ['name', 'creditCode', 'legalRepName', 'address'] as const

const KEY = '[a-z][a-z0-9_]{0,39}'
const Key = Type.String({ pattern: `^${KEY}$` })
const Label = (max: number) => Type.String({ minLength: 1, maxLength: max })

/**
 * One test of a condition. `field` is `section.field` for a field of another (non-repeating)
 * section, or a bare `field` for a field of the same section (the same row in a repeating one).
 * `equals` holds when the answer is (or, for checkboxes, includes) one of the values — option
 * values, `yes`/`no` for 是/否; `notEmpty` when anything is answered. With neither, `notEmpty`.
 */
export const ConditionTest = Type.Object(
  {
    field: Type.String({ pattern: `^${KEY}(\\.${KEY})?$` }),
    equals: Type.Optional(Type.Union([Label(100), Type.Array(Label(100), { minItems: 1, maxItems: 50 })])),
    notEmpty: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false },
)
export type ConditionTest = Static<typeof ConditionTest>

/** A test, or all / any of several tests (one level: forms that need more should be split). */
export const FormCondition = Type.Union([
  ConditionTest,
  Type.Object({ all: Type.Array(ConditionTest, { minItems: 1, maxItems: 10 }) }, { additionalProperties: false }),
  Type.Object({ any: Type.Array(ConditionTest, { minItems: 1, maxItems: 10 }) }, { additionalProperties: false }),
])
export type FormCondition = Static<typeof FormCondition>

/** Where a value may be prefilled from: the person's real-name record, the acting enterprise, or an e-license they hold. */
export const PrefillSource = Type.Union([
  Type.Object({ from: Type.Literal('person'), path: Type.Enum([...PERSON_PATHS]) }, { additionalProperties: false }),
  Type.Object(
    { from: Type.Literal('enterprise'), path: Type.Enum([...ENTERPRISE_PATHS]) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      from: Type.Literal('license'),
      licenseType: Type.String({ pattern: `^${KEY}$` }),
      /**
       * A key of the license's data (its type's field key, e.g. `legal_representative`), or
       * `holder_name` / `holder_key` (the name and the credit code or masked ID number on it).
       */
      path: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,39}$' }),
    },
    { additionalProperties: false },
  ),
])
export type PrefillSource = Static<typeof PrefillSource>

export const FormOption = Type.Object(
  {
    /** Stored in the data: a stable code, not the wording. */
    value: Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' }),
    label: Label(200),
  },
  { additionalProperties: false },
)
export type FormOption = Static<typeof FormOption>

export const FormField = Type.Object(
  {
    key: Key,
    label: Label(100),
    hint: Type.Optional(Label(500)),
    type: Type.Enum([...FIELD_TYPES]),
    /** `true`, or a condition under which the field must be answered. */
    required: Type.Optional(Type.Union([Type.Boolean(), FormCondition])),
    options: Type.Optional(Type.Array(FormOption, { minItems: 1, maxItems: 100 })),
    /**
     * Bounds: numbers for `number`, yuan for `money`, and for `date` either `today` or a
     * `YYYY-MM-DD` day.
     */
    min: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 10 })])),
    max: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 10 })])),
    /** For `number`: whole numbers only (人数, 年限). */
    integer: Type.Optional(Type.Boolean()),
    minLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    /** A regular expression the whole answer must match (anchored for you). */
    pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    patternMessage: Type.Optional(Label(200)),
    /** Unit shown after the input, e.g. ㎡, 人, 年 (money always shows 元). */
    suffix: Type.Optional(Label(10)),
    showIf: Type.Optional(FormCondition),
    /** One source, or up to three tried in order. */
    prefill: Type.Optional(Type.Union([PrefillSource, Type.Array(PrefillSource, { minItems: 1, maxItems: 3 })])),
    width: Type.Optional(Type.Enum(['short', 'medium', 'long'])),
  },
  { additionalProperties: false },
)
export type FormField = Static<typeof FormField>

export const FormRepeat = Type.Object(
  {
    min: Type.Integer({ minimum: 0, maximum: 50 }),
    max: Type.Integer({ minimum: 1, maximum: 50 }),
    /** The button, e.g. 「添加一名管理人员」. */
    addLabel: Label(30),
    /** One row, e.g. 「食品安全管理人员」, shown as 「食品安全管理人员（2）」. */
    itemLabel: Label(30),
  },
  { additionalProperties: false },
)
export type FormRepeat = Static<typeof FormRepeat>

export const FormSection = Type.Object(
  {
    key: Key,
    title: Label(100),
    hint: Type.Optional(Label(500)),
    /** Conditions of a section refer to other sections (`section.field`). */
    showIf: Type.Optional(FormCondition),
    repeat: Type.Optional(FormRepeat),
    fields: Type.Array(FormField, { minItems: 1, maxItems: 60 }),
  },
  { additionalProperties: false },
)
export type FormSection = Static<typeof FormSection>

export const FormDefinition = Type.Object(
  {
    version: Type.Literal(1),
    sections: Type.Array(FormSection, { minItems: 1, maxItems: 30 }),
    /**
     * Which answer fills each field of the e-license the item gives on approval (its
     * resultLicenseTypeCode): license field key → `section.field`. A license field not named here
     * takes the answer of a field with the same key, if any (applications.delivery.ts).
     */
    resultLicense: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.String({ pattern: `^${KEY}\\.${KEY}$` }), {
        maxProperties: 40,
      }),
    ),
  },
  { additionalProperties: false },
)
export type FormDefinition = Static<typeof FormDefinition>

// ---------------------------------------------------------------------------------------------
// The data

/** string (text, choices, dates `YYYY-MM-DD`), number, integer fen (money), boolean (是/否), string[] (checkboxes). */
export type FieldValue = string | number | boolean | string[]
export type SectionValues = Record<string, FieldValue>
/** `{ section: { field: value } }`; a repeating section holds an array of rows. */
export type FormData = Record<string, SectionValues | SectionValues[]>

const FieldValueSchema = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String())])
const SectionValuesSchema = Type.Record(Type.String({ pattern: `^${KEY}$` }), FieldValueSchema)
/** The stored shape of form data (the definition still decides what is valid). */
export const FormDataSchema = Type.Record(
  Type.String({ pattern: `^${KEY}$` }),
  Type.Union([SectionValuesSchema, Type.Array(SectionValuesSchema, { maxItems: 50 })]),
)

/** The name of the submit buttons that add or remove rows: `add:staff`, `remove:staff:1`. */
export const FORM_ACTION_NAME = '_action'
/** A hidden input per row, so a row whose answers are all unticked boxes still comes back. */
export const ROW_MARKER = '_row'
export const DATE_PARTS = ['year', 'month', 'day'] as const

/** `applicant.name`, or `staff[0].name` in a repeating section. */
export function inputName(sectionKey: string, fieldKey: string, row?: number): string {
  return row === undefined ? `${sectionKey}.${fieldKey}` : `${sectionKey}[${row}].${fieldKey}`
}

// ---------------------------------------------------------------------------------------------
// Checking a definition

/**
 * Everything wrong with a definition, in words for the catalog editor: the schema, then the rules
 * a schema cannot say (unique keys, options where needed, conditions pointing at real earlier
 * questions, bounds of the right kind, patterns that compile, no prefill in repeating sections).
 */
export function formDefinitionProblems(raw: unknown): string[] {
  if (!Value.Check(FormDefinition, raw)) {
    const out: string[] = []
    for (const e of Value.Errors(FormDefinition, raw)) {
      if (e.keyword === 'anyOf' || e.keyword === 'boolean') continue
      out.push(`${e.instancePath || '/'}：${e.message}`)
      if (out.length >= 20) break
    }
    return out.length > 0 ? out : ['表单定义的结构不正确']
  }
  const def = raw
  const problems: string[] = []
  const sectionKeys = new Set<string>()
  for (const section of def.sections) {
    const where = `「${section.title}」`
    if (sectionKeys.has(section.key)) problems.push(`分节 ${section.key} 重复`)
    sectionKeys.add(section.key)
    if (section.repeat && section.repeat.min > section.repeat.max) {
      problems.push(`${where}可重复的行数下限大于上限`)
    }
    if (section.showIf) {
      for (const test of conditionTests(section.showIf)) {
        if (!test.field.includes('.')) {
          problems.push(`${where}的显示条件应写成“分节.字段”`)
          continue
        }
        if (test.field.startsWith(`${section.key}.`)) problems.push(`${where}的显示条件不能取决于本节的字段`)
      }
      problems.push(...conditionProblems(def, section.showIf, section, where))
    }
    const fieldKeys = new Set<string>()
    for (const field of section.fields) {
      const at = `${where}的「${field.label}」`
      if (fieldKeys.has(field.key)) problems.push(`${where}中字段 ${field.key} 重复`)
      fieldKeys.add(field.key)
      problems.push(...fieldProblems(def, section, field, at))
    }
  }
  if (problems.length === 0) problems.push(...cycleProblems(def))
  return problems
}

/**
 * The definition, checked.
 * @throws DomainError FORM_DEFINITION_INVALID (invalid) listing the problems.
 */
export function parseFormDefinition(raw: unknown): FormDefinition {
  const problems = formDefinitionProblems(raw)
  if (problems.length > 0) {
    throw new DomainError(
      'FORM_DEFINITION_INVALID',
      'invalid',
      '表单定义有误，请按提示修改',
      problems.map((message) => ({ field: 'formDefinition', message })),
    )
  }
  return raw as FormDefinition
}

function fieldProblems(def: FormDefinition, section: FormSection, field: FormField, at: string): string[] {
  const out: string[] = []
  if (NEEDS_OPTIONS.has(field.type)) {
    if (!field.options || field.options.length === 0) out.push(`${at}需要列出选项`)
    else if (new Set(field.options.map((o) => o.value)).size !== field.options.length) out.push(`${at}的选项值重复`)
  } else if (field.options) {
    out.push(`${at}不是选择题，不应列出选项`)
  }
  for (const bound of [field.min, field.max]) {
    if (bound === undefined) continue
    if (field.type === 'number' || field.type === 'money') {
      if (typeof bound !== 'number') out.push(`${at}的上下限应为数字`)
    } else if (field.type === 'date') {
      if (bound !== 'today' && !isValidDay(bound)) out.push(`${at}的日期上下限应为 today 或 YYYY-MM-DD`)
    } else {
      out.push(`${at}不支持上下限（请用 minLength / maxLength）`)
    }
  }
  if (typeof field.min === 'number' && typeof field.max === 'number' && field.min > field.max) {
    out.push(`${at}的下限大于上限`)
  }
  if (field.minLength !== undefined && field.maxLength !== undefined && field.minLength > field.maxLength) {
    out.push(`${at}的最少字数大于最多字数`)
  }
  if (
    (field.minLength !== undefined || field.maxLength !== undefined || field.pattern) &&
    !TEXT_TYPES.has(field.type)
  ) {
    out.push(`${at}不是文字题，不支持字数或格式要求`)
  }
  if (field.pattern !== undefined) {
    try {
      new RegExp(field.pattern, 'u')
    } catch {
      out.push(`${at}的格式（正则表达式）无法解析`)
    }
  }
  if (field.integer && field.type !== 'number') out.push(`${at}不是数字题，不能要求整数`)
  if (field.prefill) {
    if (section.repeat) out.push(`${at}在可重复的分节中，不能预填`)
    for (const source of prefillSources(field)) {
      if (source.from === 'person' && source.path === 'birthDate' && field.type !== 'date' && field.type !== 'text') {
        out.push(`${at}预填出生日期，应为日期题`)
      }
      if (source.from === 'person' && source.path === 'sex' && !['radios', 'select', 'text'].includes(field.type)) {
        out.push(`${at}预填性别，应为单选、下拉或文字题`)
      }
      if (field.type === 'checkboxes' || field.type === 'yesno') out.push(`${at}是多选或是否题，不能预填`)
    }
  }
  if (field.showIf) out.push(...conditionProblems(def, field.showIf, section, `${at}的显示条件`))
  if (typeof field.required === 'object')
    out.push(...conditionProblems(def, field.required, section, `${at}的必填条件`))
  return out
}

function conditionProblems(def: FormDefinition, condition: FormCondition, here: FormSection, at: string): string[] {
  const out: string[] = []
  for (const test of conditionTests(condition)) {
    const target = resolveTest(def, test, here.key)
    if (!target) {
      out.push(`${at}引用的字段 ${test.field} 不存在，或在可重复的其他分节中`)
      continue
    }
    const { field } = target
    if (field.type === 'date') out.push(`${at}不能取决于日期题「${field.label}」`)
    if (test.equals !== undefined) {
      if (field.type === 'number' || field.type === 'money') {
        out.push(`${at}对数字题「${field.label}」只能用 notEmpty`)
      }
      const allowed =
        field.type === 'yesno' ? ['yes', 'no'] : NEEDS_OPTIONS.has(field.type) ? field.options?.map((o) => o.value) : []
      if (allowed && allowed.length > 0) {
        for (const v of asArray(test.equals)) {
          if (!allowed.includes(v)) out.push(`${at}中的“${v}”不是「${field.label}」的选项`)
        }
      }
    }
  }
  return out
}

/** A field whose visibility depends, through other conditions, on itself would never settle. */
function cycleProblems(def: FormDefinition): string[] {
  const edges = new Map<string, string[]>()
  const add = (from: string, condition: FormCondition | undefined, sectionKey: string) => {
    if (!condition) return
    for (const test of conditionTests(condition)) {
      const target = resolveTest(def, test, sectionKey)
      if (target) edges.set(from, [...(edges.get(from) ?? []), `${target.section.key}.${target.field.key}`])
    }
  }
  for (const section of def.sections) {
    for (const field of section.fields) {
      const id = `${section.key}.${field.key}`
      add(id, field.showIf, section.key)
      add(id, section.showIf, section.key)
    }
  }
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (node: string): boolean => {
    if (state.get(node) === 'done') return false
    if (state.get(node) === 'visiting') return true
    state.set(node, 'visiting')
    const cyclic = (edges.get(node) ?? []).some(visit)
    state.set(node, 'done')
    return cyclic
  }
  for (const node of edges.keys()) if (visit(node)) return [`显示条件循环引用（涉及 ${node}）`]
  return []
}

// ---------------------------------------------------------------------------------------------
// Conditions

function conditionTests(condition: FormCondition): ConditionTest[] {
  if ('all' in condition) return condition.all
  if ('any' in condition) return condition.any
  return [condition]
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value]
}

interface Target {
  section: FormSection
  field: FormField
  /** The same row is meant: the test is relative and the section repeats. */
  sameRow: boolean
}

function resolveTest(def: FormDefinition, test: ConditionTest, hereKey: string): Target | undefined {
  const dot = test.field.indexOf('.')
  const sectionKey = dot < 0 ? hereKey : test.field.slice(0, dot)
  const fieldKey = dot < 0 ? test.field : test.field.slice(dot + 1)
  const section = def.sections.find((s) => s.key === sectionKey)
  const field = section?.fields.find((f) => f.key === fieldKey)
  if (!section || !field) return undefined
  if (dot < 0) return { section, field, sameRow: Boolean(section.repeat) }
  // An absolute reference into a repeating section would not say which row.
  if (section.repeat) return undefined
  return { section, field, sameRow: false }
}

function sectionValues(data: FormData, section: FormSection, row?: number): SectionValues | undefined {
  const raw = data[section.key] as unknown
  if (section.repeat) {
    if (!Array.isArray(raw) || row === undefined) return undefined
    const values = raw[row] as unknown
    return isPlainObject(values) ? (values as SectionValues) : undefined
  }
  return isPlainObject(raw) ? (raw as SectionValues) : undefined
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The answers as strings, for comparing with `equals`: 是/否 as yes/no. */
function comparable(value: FieldValue | undefined): string[] {
  if (value === undefined) return []
  if (typeof value === 'boolean') return [value ? 'yes' : 'no']
  if (typeof value === 'number') return Number.isFinite(value) ? [String(value)] : []
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string' && v.trim() !== '')
  return typeof value === 'string' && value.trim() !== '' ? [value.trim()] : []
}

const MAX_CONDITION_DEPTH = 8

/** Whether the condition holds, asked from a place in the form (section, and row when it repeats). */
export function conditionHolds(
  def: FormDefinition,
  data: FormData,
  condition: FormCondition,
  here: { section: string; row?: number },
  depth = 0,
): boolean {
  if (depth > MAX_CONDITION_DEPTH) return false
  const test = (t: ConditionTest): boolean => {
    const target = resolveTest(def, t, here.section)
    if (!target) return false
    const row = target.sameRow ? here.row : undefined
    if (!isFieldShown(def, data, target.section.key, target.field.key, row, depth + 1)) return false
    const answers = comparable(sectionValues(data, target.section, row)?.[target.field.key])
    if (t.equals !== undefined) {
      const wanted = asArray(t.equals)
      return answers.some((a) => wanted.includes(a))
    }
    return answers.length > 0
  }
  if ('all' in condition) return condition.all.every(test)
  if ('any' in condition) return condition.any.some(test)
  return test(condition)
}

/** Whether a section applies to these answers. */
export function isSectionShown(def: FormDefinition, data: FormData, sectionKey: string, depth = 0): boolean {
  const section = def.sections.find((s) => s.key === sectionKey)
  if (!section) return false
  return !section.showIf || conditionHolds(def, data, section.showIf, { section: section.key }, depth)
}

/** Whether a field applies to these answers: its section is shown and its own condition holds. */
export function isFieldShown(
  def: FormDefinition,
  data: FormData,
  sectionKey: string,
  fieldKey: string,
  row?: number,
  depth = 0,
): boolean {
  const section = def.sections.find((s) => s.key === sectionKey)
  const field = section?.fields.find((f) => f.key === fieldKey)
  if (!section || !field) return false
  if (!isSectionShown(def, data, sectionKey, depth)) return false
  return !field.showIf || conditionHolds(def, data, field.showIf, { section: sectionKey, row }, depth)
}

/** Whether the field must be answered (when it is shown). */
export function isFieldRequired(
  def: FormDefinition,
  data: FormData,
  section: FormSection,
  field: FormField,
  row?: number,
) {
  if (field.required === undefined || field.required === false) return false
  if (field.required === true) return true
  return conditionHolds(def, data, field.required, { section: section.key, row })
}

/**
 * The condition in words, for people who see every part of the form (no script): 「“是否网络经营”
 * 选择“是”」. Used in 「如…，请填写以下内容」.
 */
export function describeCondition(def: FormDefinition, condition: FormCondition, sectionKey: string): string {
  const one = (t: ConditionTest): string => {
    const target = resolveTest(def, t, sectionKey)
    if (!target) return t.field
    const { field } = target
    const name = `“${field.label}”`
    if (t.equals === undefined) return CHOICE_TYPES.has(field.type) ? `已选择${name}` : `已填写${name}`
    const labels = asArray(t.equals).map((v) => `“${optionLabel(field, v)}”`)
    if (field.type === 'checkboxes') return `${name}勾选了${labels.join('或')}`
    if (CHOICE_TYPES.has(field.type)) return `${name}选择${labels.join('或')}`
    return `${name}填写${labels.join('或')}`
  }
  if ('all' in condition) return condition.all.map(one).join('，且')
  if ('any' in condition) return condition.any.map(one).join('，或')
  return one(condition)
}

/** The label of an option value (是/否 for yes/no), or the value itself. */
export function optionLabel(field: FormField, value: string): string {
  if (field.type === 'yesno') return value === 'yes' ? '是' : value === 'no' ? '否' : value
  return field.options?.find((o) => o.value === value)?.label ?? value
}

/**
 * The condition with input names resolved for a place in the form, for the script that shows and
 * hides conditional parts: `{ any: [{ name: 'business.online', equals: ['yes'] }] }`.
 */
export function conditionForScript(
  def: FormDefinition,
  condition: FormCondition,
  here: { section: string; row?: number },
): { all?: ScriptTest[]; any?: ScriptTest[] } {
  const one = (t: ConditionTest): ScriptTest => {
    const target = resolveTest(def, t, here.section)
    const name = target
      ? inputName(target.section.key, target.field.key, target.sameRow ? here.row : undefined)
      : t.field
    return t.equals === undefined ? { name } : { name, equals: asArray(t.equals) }
  }
  if ('any' in condition) return { any: condition.any.map(one) }
  if ('all' in condition) return { all: condition.all.map(one) }
  return { all: [one(condition)] }
}

export interface ScriptTest {
  name: string
  equals?: string[]
}

// ---------------------------------------------------------------------------------------------
// Parsing a posted form

/** A urlencoded body as @fastify/formbody gives it (repeated names become arrays), or URLSearchParams. */
export type FormBody = Record<string, unknown> | URLSearchParams

function collect(body: FormBody): Map<string, string[]> {
  const map = new Map<string, string[]>()
  const add = (rawName: string, value: unknown) => {
    const name = rawName.endsWith('[]') ? rawName.slice(0, -2) : rawName
    const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string')
    if (values.length === 0) return
    map.set(name, [...(map.get(name) ?? []), ...values])
  }
  if (body instanceof URLSearchParams) for (const [name, value] of body) add(name, value)
  else for (const [name, value] of Object.entries(body)) add(name, value)
  return map
}

/**
 * Reads a posted form into data shaped by the definition: every section present (rows in order),
 * unknown names ignored, text trimmed, answers converted to their type. What cannot be converted
 * (「abc」 in a number field) is kept as typed, so the page can show it again with the error.
 */
export function parseFormBody(def: FormDefinition, body: FormBody): FormData {
  const map = collect(body)
  const data: FormData = {}
  for (const section of def.sections) {
    if (!section.repeat) {
      data[section.key] = readValues(section, map, (key) => inputName(section.key, key))
      continue
    }
    const rowPattern = new RegExp(`^${section.key}\\[(\\d{1,3})\\]\\.`)
    const indexes = new Set<number>()
    for (const name of map.keys()) {
      const match = rowPattern.exec(name)
      if (match && Number(match[1]) < section.repeat.max) indexes.add(Number(match[1]))
    }
    data[section.key] = [...indexes]
      .sort((a, b) => a - b)
      .map((row) => readValues(section, map, (key) => inputName(section.key, key, row)))
  }
  return data
}

function readValues(section: FormSection, map: Map<string, string[]>, nameOf: (key: string) => string): SectionValues {
  const values: SectionValues = {}
  for (const field of section.fields) {
    const name = nameOf(field.key)
    let raw: string[] | undefined
    if (field.type === 'date' && DATE_PARTS.some((p) => map.has(`${name}.${p}`))) {
      const [year, month, day] = DATE_PARTS.map((p) => map.get(`${name}.${p}`)?.[0] ?? '')
      raw = [joinDate(year!, month!, day!)]
    } else {
      raw = map.get(name)
    }
    const value = raw === undefined ? undefined : coerceInput(field, raw)
    if (value !== undefined) values[field.key] = value
  }
  return values
}

function joinDate(year: string, month: string, day: string): string {
  const part = (s: string, pad: number) => {
    const clean = s.normalize('NFKC').trim().replace(/-/g, '')
    return /^\d+$/.test(clean) && clean.length < pad ? clean.padStart(pad, '0') : clean
  }
  const parts = [part(year, 4), part(month, 2), part(day, 2)]
  return parts.every((p) => p === '') ? '' : parts.join('-')
}

/** The parts of a stored date for the three inputs: `2024-03-05` → ['2024', '03', '05']. */
export function splitDate(value: FieldValue | undefined): [string, string, string] {
  if (typeof value !== 'string' || value === '') return ['', '', '']
  const [year = '', month = '', day = ''] = value.split('-')
  return [year, month, day]
}

/**
 * Converts what was typed (one or more strings) to the field's type; `undefined` when nothing was
 * answered. Full-width digits and letters (common with Chinese input methods) are folded for the
 * structured types; free text keeps its Chinese punctuation.
 */
export function coerceInput(field: FormField, raw: string[]): FieldValue | undefined {
  if (field.type === 'checkboxes') {
    const picked = [...new Set(raw.map((v) => v.trim()).filter((v) => v !== ''))]
    return picked.length > 0 ? picked : undefined
  }
  const first = raw[0]
  if (first === undefined) return undefined
  const text = first.replace(/\r\n?/g, '\n').trim()
  const folded = text.normalize('NFKC').trim()
  if (text === '') return undefined
  switch (field.type) {
    case 'textarea':
      return text
    case 'text':
    case 'address':
      return text.replace(/\s*\n\s*/g, ' ')
    case 'yesno':
      return folded === 'yes' ? true : folded === 'no' ? false : folded
    case 'number': {
      const n = folded.replace(/[,\s]/g, '')
      return /^-?\d+(\.\d+)?$/.test(n) && n.length <= 20 ? Number(n) : folded
    }
    case 'money': {
      const fen = yuanToFen(folded)
      return fen === undefined ? folded : fen
    }
    case 'date':
      return normaliseDateText(folded)
    case 'idNumber':
    case 'creditCode':
      return folded.toUpperCase()
    default:
      return folded
  }
}

/** 「1,500.5」 → 150050; undefined when it is not an amount of yuan with at most two decimals. */
export function yuanToFen(text: string): number | undefined {
  const clean = text.replace(/[¥￥元,\s]/g, '')
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(clean)
  if (!match) return undefined
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
}

/** 150050 → 「1500.50」, 150000 → 「1500」: how an amount is put back into the input. */
export function fenToYuanText(fen: number): string {
  const yuan = Math.floor(fen / 100)
  const cents = fen % 100
  return cents === 0 ? String(yuan) : `${yuan}.${String(cents).padStart(2, '0')}`
}

/** 2024/3/5, 2024.3.5 and 2024年3月5日 → 2024-03-05; anything else as written. */
function normaliseDateText(text: string): string {
  const match = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text)
  if (!match) return text
  return `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}`
}

// ---------------------------------------------------------------------------------------------
// Adding and removing rows without a script

export type FormAction = { kind: 'add'; section: string } | { kind: 'remove'; section: string; row: number }

/** `add:staff` or `remove:staff:1` (the value of the `_action` button); anything else is undefined. */
export function parseFormAction(raw: unknown): FormAction | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw
  if (typeof value !== 'string') return undefined
  const add = new RegExp(`^add:(${KEY})$`).exec(value)
  if (add) return { kind: 'add', section: add[1]! }
  const remove = new RegExp(`^remove:(${KEY}):(\\d{1,3})$`).exec(value)
  if (remove) return { kind: 'remove', section: remove[1]!, row: Number(remove[2]) }
  return undefined
}

export interface FormActionResult {
  data: FormData
  /** The id to return to (the new row, or the section after a removal), for `#anchor`. */
  anchor: string
  /** Why nothing changed, to show like any other error. */
  problem?: FieldProblem
}

/**
 * 「添加一行」/「删除此行」 of a repeating section, as a pure function of the posted data, so the
 * buttons work without a script: the page re-renders the result.
 */
export function applyFormAction(def: FormDefinition, data: FormData, action: FormAction | string): FormActionResult {
  const parsed = typeof action === 'string' ? parseFormAction(action) : action
  const section = parsed ? def.sections.find((s) => s.key === parsed.section) : undefined
  if (!parsed || !section?.repeat) {
    return { data, anchor: 'main', problem: { field: FORM_ACTION_NAME, message: '无法识别的操作，请重试' } }
  }
  const { min, max, itemLabel } = section.repeat
  const rows = rowsOf(data, section)
  while (rows.length < min) rows.push({})
  const anchor = fieldId(section.key)
  if (parsed.kind === 'add') {
    if (rows.length >= max) {
      return { data, anchor, problem: { field: section.key, message: `${itemLabel}最多填写${max}项` } }
    }
    rows.push({})
    return { data: { ...data, [section.key]: rows }, anchor: fieldId(`${section.key}[${rows.length - 1}]`) }
  }
  if (parsed.row >= rows.length) return { data, anchor }
  if (rows.length <= min) {
    return { data, anchor, problem: { field: section.key, message: `${itemLabel}至少填写${min}项` } }
  }
  rows.splice(parsed.row, 1)
  return { data: { ...data, [section.key]: rows }, anchor }
}

/** The rows of a repeating section (a fresh array; non-objects become empty rows). */
export function rowsOf(data: FormData, section: FormSection): SectionValues[] {
  const raw = data[section.key] as unknown
  if (!Array.isArray(raw)) return []
  return raw.map((row: unknown) => (isPlainObject(row) ? ({ ...row } as SectionValues) : {}))
}

// ---------------------------------------------------------------------------------------------
// Validation

export interface ValidateOptions {
  /** A draft: only answers given are checked (type, range, format); nothing is required. */
  partial?: boolean
  /** Today in Asia/Shanghai, `YYYY-MM-DD` (from the service clock); for `today` bounds and ID numbers. */
  today?: string
}

function isEmpty(value: FieldValue | undefined): boolean {
  if (value === undefined) return true
  if (typeof value === 'string') return value.trim() === ''
  if (Array.isArray(value)) return value.length === 0
  return false
}

/** 「联系电话」, or 「食品安全管理人员（2）的手机号码」 in a repeating section. */
function subjectOf(section: FormSection, field: FormField, row?: number): string {
  return row === undefined || !section.repeat ? field.label : `${rowLabel(section, row)}的${field.label}`
}

/** 「食品安全管理人员（2）」 */
export function rowLabel(section: FormSection, row: number): string {
  return `${section.repeat?.itemLabel ?? section.title}（${row + 1}）`
}

function requiredMessage(field: FormField, subject: string): string {
  if (field.type === 'checkboxes') return `请选择${subject}，至少选一项`
  if (CHOICE_TYPES.has(field.type)) return `请选择${subject}`
  return `请填写${subject}`
}

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/

function dayBound(bound: number | string | undefined, today: string): string | undefined {
  if (bound === 'today') return today
  return typeof bound === 'string' && isValidDay(bound) ? bound : undefined
}

/** What is wrong with one non-empty answer, or undefined. */
function valueProblem(field: FormField, value: FieldValue, subject: string, today: string): string | undefined {
  switch (field.type) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${subject}只能填写数字`
      if (field.integer && !Number.isInteger(value)) return `${subject}应为整数`
      if (typeof field.min === 'number' && value < field.min) return `${subject}不能小于${field.min}`
      if (typeof field.max === 'number' && value > field.max) return `${subject}不能大于${field.max}`
      return undefined
    }
    case 'money': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        return `${subject}请填写以元为单位的金额，如 1500 或 1500.50，最多两位小数`
      }
      if (typeof field.min === 'number' && value < Math.round(field.min * 100))
        return `${subject}不能少于${field.min}元`
      if (typeof field.max === 'number' && value > Math.round(field.max * 100))
        return `${subject}不能超过${field.max}元`
      return undefined
    }
    case 'date': {
      if (typeof value !== 'string' || !isValidDay(value)) return `${subject}不是有效的日期，请按年、月、日填写`
      const min = dayBound(field.min, today)
      const max = dayBound(field.max, today)
      if (min && value < min) return `${subject}不能早于${field.min === 'today' ? '今天' : formatDay(min)}`
      if (max && value > max) return `${subject}不能晚于${field.max === 'today' ? '今天' : formatDay(max)}`
      return undefined
    }
    case 'select':
    case 'radios':
      if (typeof value !== 'string' || !field.options?.some((o) => o.value === value)) {
        return `请从列出的选项中选择${subject}`
      }
      return undefined
    case 'checkboxes':
      if (!Array.isArray(value) || value.some((v) => !field.options?.some((o) => o.value === v))) {
        return `请从列出的选项中选择${subject}`
      }
      return undefined
    case 'yesno':
      return typeof value === 'boolean' ? undefined : `${subject}请选择“是”或“否”`
    default:
      return typeof value === 'string' ? textProblem(field, value, subject, today) : `${subject}的格式不正确`
  }
}

function textProblem(field: FormField, value: string, subject: string, today: string): string | undefined {
  const length = [...value].length
  const maxLength = field.maxLength ?? DEFAULT_MAX_LENGTH[field.type]
  if (maxLength !== undefined && length > maxLength) return `${subject}不能超过${maxLength}个字，现在是${length}个字`
  if (field.minLength !== undefined && length < field.minLength) return `${subject}不能少于${field.minLength}个字`
  switch (field.type) {
    case 'idNumber': {
      const result = validateCitizenId(value, { today })
      if (!result.ok) return result.message.replaceAll('公民身份号码', subject)
      break
    }
    case 'mobile': {
      const result = validateMobile(value)
      if (!result.ok) return result.message.replaceAll('手机号码', subject)
      break
    }
    case 'creditCode': {
      // A wrong check character may be an early pilot code (DOMAIN.md §6): only a window officer,
      // looking at the licence, may accept it, so online it is an error like the others.
      const result = validateCreditCode(value)
      if (!result.ok) return result.message.replaceAll('统一社会信用代码', subject)
      break
    }
    case 'email':
      if (!EMAIL.test(value)) return `${subject}的格式不正确，应如 name@example.com`
      break
  }
  if (field.pattern !== undefined && !new RegExp(`^(?:${field.pattern})$`, 'u').test(value)) {
    return field.patternMessage ?? `${subject}的格式不正确`
  }
  return undefined
}

/** 2024-03-05 → 2024年3月5日 */
export function formatDay(day: string): string {
  if (!isValidDay(day)) return day
  const [y, m, d] = day.split('-')
  return `${y}年${Number(m)}月${Number(d)}日`
}

/**
 * The problems of the data against the definition, in the order of the form, each named by its
 * input name with a message in Chinese. Hidden parts (a condition that does not hold) are neither
 * required nor checked. With `partial` (drafts) only the answers given are checked.
 */
export function validateFormData(def: FormDefinition, data: FormData, options: ValidateOptions = {}): FieldProblem[] {
  const today = options.today ?? todayInShanghai(new Date())
  const problems: FieldProblem[] = []
  for (const section of def.sections) {
    if (!isSectionShown(def, data, section.key)) continue
    if (section.repeat) {
      const rows = rowsOf(data, section)
      const { min, max, itemLabel } = section.repeat
      if (rows.length > max) {
        problems.push({ field: section.key, message: `${itemLabel}最多填写${max}项` })
        continue
      }
      // Rows missing below the minimum are the empty rows the page shows: ask for their answers,
      // which link to inputs; only when none of them is required does the section itself complain.
      const missing = options.partial ? 0 : Math.max(0, min - rows.length)
      const before = problems.length
      for (let row = 0; row < rows.length + missing; row++) {
        checkValues(def, data, section, rows[row] ?? {}, row, options, today, problems)
      }
      if (missing > 0 && !problems.slice(before).some((p) => rowOfName(p.field, section.key) >= rows.length)) {
        problems.push({ field: section.key, message: `${itemLabel}至少填写${min}项` })
      }
    } else {
      checkValues(def, data, section, sectionValues(data, section) ?? {}, undefined, options, today, problems)
    }
  }
  return problems
}

function rowOfName(name: string, sectionKey: string): number {
  const match = new RegExp(`^${sectionKey}\\[(\\d+)\\]`).exec(name)
  return match ? Number(match[1]) : -1
}

function checkValues(
  def: FormDefinition,
  data: FormData,
  section: FormSection,
  values: SectionValues,
  row: number | undefined,
  options: ValidateOptions,
  today: string,
  problems: FieldProblem[],
): void {
  for (const field of section.fields) {
    if (!isFieldShown(def, data, section.key, field.key, row)) continue
    const name = inputName(section.key, field.key, row)
    const subject = subjectOf(section, field, row)
    const value = values[field.key]
    if (value === undefined || isEmpty(value)) {
      if (!options.partial && isFieldRequired(def, data, section, field, row)) {
        problems.push({ field: name, message: requiredMessage(field, subject) })
      }
      continue
    }
    const problem = valueProblem(field, value, subject, today)
    if (problem) problems.push({ field: name, message: problem })
  }
}

/**
 * The data as it should be stored: only the definition's sections and fields, no empty answers,
 * hidden parts removed (unless `keepHidden`, for drafts, so nothing typed is lost while the person
 * is still deciding), identifiers in their normal form (upper-case ID, bare mobile digits), and
 * blank rows of a repeating section dropped while more than the minimum remain.
 */
export function normaliseFormData(
  def: FormDefinition,
  data: FormData,
  options: { keepHidden?: boolean } = {},
): FormData {
  const out: FormData = {}
  const keep = (section: FormSection, field: FormField, row?: number) =>
    options.keepHidden || isFieldShown(def, data, section.key, field.key, row)
  for (const section of def.sections) {
    if (!options.keepHidden && !isSectionShown(def, data, section.key)) continue
    if (section.repeat) {
      const rows = rowsOf(data, section).map((values, row) =>
        cleanValues(section, values, (f) => keep(section, f, row)),
      )
      const { min } = section.repeat
      const kept: SectionValues[] = []
      let blanksToDrop = rows.length - min
      for (const values of rows) {
        if (Object.keys(values).length === 0 && blanksToDrop > 0) {
          blanksToDrop--
          continue
        }
        kept.push(values)
      }
      out[section.key] = kept
    } else {
      out[section.key] = cleanValues(section, sectionValues(data, section) ?? {}, (f) => keep(section, f))
    }
  }
  return out
}

function cleanValues(section: FormSection, values: SectionValues, keep: (field: FormField) => boolean): SectionValues {
  const out: SectionValues = {}
  for (const field of section.fields) {
    const value = values[field.key]
    if (value === undefined || isEmpty(value) || !keep(field)) continue
    out[field.key] = normaliseValue(field, value)
  }
  return out
}

function normaliseValue(field: FormField, value: FieldValue): FieldValue {
  if (typeof value === 'string') {
    const text = value.trim()
    if (field.type === 'idNumber') {
      const result = validateCitizenId(text, { today: '9999-12-31' })
      return result.ok ? result.value : text
    }
    if (field.type === 'mobile') {
      const result = validateMobile(text)
      return result.ok ? result.value : text
    }
    if (field.type === 'creditCode') {
      const result = validateCreditCode(text)
      return result.ok || result.overridable ? result.value : text
    }
    return text
  }
  if (Array.isArray(value)) return [...new Set(value)]
  return value
}

/**
 * Normalise, then validate: what a service calls with the parsed body. The problems name the
 * inputs of the returned data (rows may have moved up when blank ones were dropped), so re-render
 * that data with them.
 */
export function checkFormData(
  def: FormDefinition,
  data: FormData,
  options: ValidateOptions = {},
): { data: FormData; problems: FieldProblem[] } {
  const clean = normaliseFormData(def, data, { keepHidden: options.partial })
  return { data: clean, problems: validateFormData(def, clean, options) }
}

// ---------------------------------------------------------------------------------------------
// Prefill

export interface PrefillPerson {
  name?: string
  idNumber?: string
  mobile?: string
  address?: string
  /** YYYY-MM-DD */
  birthDate?: string
  sex?: 'male' | 'female'
}

export interface PrefillEnterprise {
  name?: string
  creditCode?: string
  legalRepName?: string
  address?: string
}

/** An e-license the applicant (or the acting enterprise) holds, with its data. */
export interface HeldLicense {
  licenseType: string
  licenseId: string
  /** The license type's name, e.g. 营业执照. */
  name: string
  fields: Record<string, string>
}

export interface PrefillContext {
  person?: PrefillPerson
  /** The enterprise the person acts for, if any. */
  enterprise?: PrefillEnterprise
  /** Licenses of the applicant, most relevant first: the first of a type with the value wins. */
  licenses?: HeldLicense[]
}

/** Where a prefilled value came from, shown under the field: 「来自电子证照：营业执照」. */
export interface PrefillNote {
  kind: 'person' | 'enterprise' | 'license'
  label: string
  licenseId?: string
}

/** Keyed by input name. */
export type PrefillNotes = Record<string, PrefillNote>

function prefillSources(field: FormField): PrefillSource[] {
  return field.prefill === undefined ? [] : asArray(field.prefill)
}

function lookup(source: PrefillSource, context: PrefillContext): { raw: string; note: PrefillNote } | undefined {
  if (source.from === 'person') {
    const raw = context.person?.[source.path]
    return raw ? { raw, note: { kind: 'person', label: '来自实名信息' } } : undefined
  }
  if (source.from === 'enterprise') {
    const raw = context.enterprise?.[source.path]
    return raw ? { raw, note: { kind: 'enterprise', label: '来自企业实名信息' } } : undefined
  }
  for (const license of context.licenses ?? []) {
    if (license.licenseType !== source.licenseType) continue
    const raw = source.path === 'licenseId' ? license.licenseId : license.fields[source.path]
    if (raw?.trim()) {
      return {
        raw,
        note: { kind: 'license', label: `来自电子证照：${license.name}`, licenseId: license.licenseId },
      }
    }
  }
  return undefined
}

function prefillValue(field: FormField, source: PrefillSource, raw: string): FieldValue | undefined {
  if (source.from === 'person' && source.path === 'sex') {
    const word = raw === 'male' ? '男' : raw === 'female' ? '女' : raw
    if (field.type === 'text') return word
    return field.options?.find((o) => o.value === raw || o.label === word)?.value
  }
  const value = coerceInput(field, [raw])
  if (value === undefined) return undefined
  // Only a value of the right kind is offered; a wrong one is left for the person to type.
  return valueProblem(field, value, field.label, '9999-12-31') === undefined ? value : undefined
}

function sameValue(field: FormField, a: FieldValue, b: FieldValue): boolean {
  if (typeof a === 'string' && typeof b === 'string') {
    const caseless = field.type === 'idNumber' || field.type === 'creditCode'
    return caseless ? a.trim().toUpperCase() === b.trim().toUpperCase() : a.trim() === b.trim()
  }
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * Fills empty fields from the person's real-name record, the acting enterprise and their
 * e-licenses, and says where each prefilled value came from. A value already there is never
 * replaced; when it equals what the source holds, the source is still named. Repeating sections
 * are not prefilled.
 */
export function prefillFormData(
  def: FormDefinition,
  context: PrefillContext,
  existing: FormData = {},
): { data: FormData; sources: PrefillNotes } {
  const data: FormData = {}
  const sources: PrefillNotes = {}
  for (const section of def.sections) {
    if (section.repeat) {
      data[section.key] = rowsOf(existing, section)
      continue
    }
    const values: SectionValues = { ...(sectionValues(existing, section) ?? {}) }
    for (const field of section.fields) {
      for (const source of prefillSources(field)) {
        const found = lookup(source, context)
        const value = found ? prefillValue(field, source, found.raw) : undefined
        if (!found || value === undefined) continue
        const current = values[field.key]
        const name = inputName(section.key, field.key)
        if (current === undefined || isEmpty(current)) {
          values[field.key] = value
          sources[name] = found.note
        } else if (sameValue(field, current, value)) {
          sources[name] = found.note
        }
        break
      }
    }
    data[section.key] = values
  }
  return { data, sources }
}

// ---------------------------------------------------------------------------------------------
// Display

/** An answer in words for summaries: option labels, 是/否, ¥1,500.00, 2024年3月5日. Empty → ''. */
export function formatFieldValue(field: FormField, value: FieldValue | undefined): string {
  if (value === undefined || isEmpty(value)) return ''
  switch (field.type) {
    case 'yesno':
      return value === true ? '是' : value === false ? '否' : String(value)
    case 'checkboxes':
      return asArray(value as string | string[])
        .map((v) => optionLabel(field, String(v)))
        .join('、')
    case 'select':
    case 'radios':
      return optionLabel(field, String(value))
    case 'money':
      return typeof value === 'number' ? `${fenToYuanText(value)} 元` : String(value)
    case 'date':
      return typeof value === 'string' ? formatDay(value) : String(value)
    case 'number':
      return field.suffix && typeof value === 'number' ? `${value} ${field.suffix}` : String(value)
    default:
      return String(value)
  }
}

/** The values of one section (or one row) of the data, for renderers. */
export function valuesOf(data: FormData, section: FormSection, row?: number): SectionValues {
  return sectionValues(data, section, row) ?? {}
}
