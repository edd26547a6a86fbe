/**
 * The item editor's form fields and ItemInput, both ways. The form is flat and keeps exactly
 * what the person typed (so a page with problems comes back as it was sent): every input is
 * named after the element's path (`promiseDay`, `materials[2].materialName`), check-box groups
 * repeat their name, and a file already uploaded travels as a signed reference so it is kept
 * when the draft is saved again.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { Value } from 'typebox/value'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'
import { Faq, Fee, FlowStep, ItemElements, ItemFile, Material } from './catalog.model.js'
import type { ItemInput } from './catalog.service.js'

/** Raw form fields: one string per input, an array for a check-box group. */
export type EditorValues = Record<string, string | string[] | undefined>

/** The repeating parts of the editor, their fields and the word used in button values. */
export const EDITOR_ROWS = {
  handleFlow: { slug: 'flow', max: 20, fields: ['name', 'description'] },
  fees: { slug: 'fee', max: 20, fields: ['feeName', 'feeStand', 'amountFen', 'byLaw', 'isDesc', 'descExplain'] },
  materials: {
    slug: 'material',
    max: 60,
    fields: [
      'materialCode',
      'materialName',
      'materialFormat',
      'isNeed',
      'needCondition',
      'pageNum',
      'pageFormat',
      'sourceType',
      'sourceExplain',
      'acceptStand',
      'byLaw',
      'fillExplain',
      'licenseTypeCode',
      'allowDefer',
      'blankForm',
      'sampleFile',
    ],
  },
  faqs: { slug: 'faq', max: 50, fields: ['question', 'answer'] },
} as const
export type EditorRowGroup = keyof typeof EDITOR_ROWS

/** Check-box groups (several values under one name). */
export const MULTI_FIELDS = ['otherDept', 'serverType', 'handleType', 'topics'] as const

/** Elements typed as text (kept as typed, trimmed when read). */
const TEXT_FIELDS = [
  'catalogCode',
  'taskName',
  'byLaw',
  'acceptCondition',
  'anticipateExplain',
  'promiseExplain',
  'feeBasis',
  'transactAddr',
  'transactTime',
  'linkWay',
  'superviseWay',
  'resultName',
  'summary',
  // chosen from a fixed list (radios), read as text
  'taskType',
  'powerSource',
  'useLevel',
  'anticipateType',
  'promiseType',
  'projectType',
  'resultType',
] as const
const CHOICE_FIELDS = [
  'taskType',
  'powerSource',
  'useLevel',
  'anticipateType',
  'promiseType',
  'projectType',
  'resultType',
] as const
const OPTIONAL_TEXT_FIELDS = ['taskHandleItem', 'entrustName', 'resultLicenseTypeCode'] as const
const INTEGER_FIELDS = ['anticipateDay', 'promiseDay', 'limitSceneNum', 'onlineHandleDepth', 'assuranceLevel'] as const
const BOOLEAN_FIELDS = ['isFee', 'isOnline', 'isSchedule', 'isExpress', 'isPayOnline', 'isServiceTerminals'] as const

export type EditorAction =
  | { kind: 'save' }
  | { kind: 'submit' }
  | { kind: 'add'; group: EditorRowGroup }
  | { kind: 'remove'; group: EditorRowGroup; index: number }

const badAction = () => new DomainError('ITEM_EDITOR_ACTION', 'bad_request', '无法识别要进行的操作，请刷新页面后重试。')

/** `save`, `submit`, `add-material`, `remove-fee-2` … from the button that was pressed. */
export function parseAction(raw: string | undefined): EditorAction {
  if (!raw || raw === 'save') return { kind: 'save' }
  if (raw === 'submit') return { kind: 'submit' }
  const match = /^(add|remove)-([a-z]+)(?:-(\d{1,3}))?$/.exec(raw)
  const group = (Object.keys(EDITOR_ROWS) as EditorRowGroup[]).find((g) => EDITOR_ROWS[g].slug === match?.[2])
  if (!match || !group) throw badAction()
  if (match[1] === 'add' && match[3] === undefined) return { kind: 'add', group }
  if (match[1] === 'remove' && match[3] !== undefined) return { kind: 'remove', group, index: Number(match[3]) }
  throw badAction()
}

// ---------------------------------------------------------------------------------------------
// Reading single values

export function one(values: EditorValues, name: string): string {
  const v = values[name]
  if (Array.isArray(v)) return v[v.length - 1] ?? ''
  return v ?? ''
}

export function many(values: EditorValues, name: string): string[] {
  const v = values[name]
  if (v === undefined || v === '') return []
  return Array.isArray(v) ? v : [v]
}

/** Line breaks as one \n (browsers send \r\n from text areas), no space at either end. */
export function cleanText(s: string): string {
  return s.replace(/\r\n?/g, '\n').trim()
}

/** Full-width digits (typed with a Chinese input method) as ASCII. */
function asciiDigits(s: string): string {
  return s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/．/g, '.')
}

/** A whole number, undefined when blank; `invalid` when it is not one. */
export function readInteger(raw: string): number | undefined | 'invalid' {
  const s = asciiDigits(raw.trim())
  if (s === '') return undefined
  return /^\d{1,6}$/.test(s) ? Number(s) : 'invalid'
}

/** 是/否 from a radio (also 是/否, 1/0 as an import writes them). */
export function readBoolean(raw: string): boolean | undefined | 'invalid' {
  const s = raw.trim().toLowerCase()
  if (s === '') return undefined
  if (['true', '是', '1', 'y', 'yes'].includes(s)) return true
  if (['false', '否', '0', 'n', 'no'].includes(s)) return false
  return 'invalid'
}

/** An amount in yuan (12 or 12.50) as fen. */
export function readYuan(raw: string): number | undefined | 'invalid' {
  const s = asciiDigits(raw.trim()).replace(/元$/, '').trim()
  if (s === '') return undefined
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(s)) return 'invalid'
  return Math.round(Number(s) * 100)
}

export const fenToYuan = (fen: number) => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2))

/** Keywords separated by commas, 、, semicolons or new lines. */
export function splitKeywords(raw: string): string[] {
  return raw
    .split(/[,，、;；\n\r]+/)
    .map((k) => k.trim())
    .filter(Boolean)
}

// ---------------------------------------------------------------------------------------------
// Files already uploaded

/**
 * Signed references to files in the store, carried by the editor form: only a file this
 * platform stored for an editor (or one already in the item) can be attached to an item.
 */
export class FileRefs {
  private readonly key: Buffer

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('yiwang catalog editor file reference').digest()
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url')
  }

  sign(file: ItemFile): string {
    const payload = Buffer.from(JSON.stringify([file.sha256, file.fileName, file.mime, file.size]), 'utf8').toString(
      'base64url',
    )
    return `${payload}.${this.mac(payload)}`
  }

  /** The file of a reference, or undefined when it was not signed here or is malformed. */
  read(token: string): ItemFile | undefined {
    const [payload, mac] = token.split('.')
    if (!payload || !mac) return undefined
    const expected = Buffer.from(this.mac(payload))
    const given = Buffer.from(mac)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined
    try {
      const [sha256, fileName, mime, size] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
      const file = { sha256, fileName, mime, size }
      return Value.Check(ItemFile, file) ? file : undefined
    } catch {
      return undefined
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rows

/** Rows of a repeating part present in the form (the highest index + 1, within the group's limit). */
export function rowCount(values: EditorValues, group: EditorRowGroup): number {
  const pattern = new RegExp(`^${group}\\[(\\d{1,3})\\]`)
  let count = 0
  for (const key of Object.keys(values)) {
    const m = pattern.exec(key)
    if (m) count = Math.max(count, Number(m[1]) + 1)
  }
  return Math.min(count, EDITOR_ROWS[group].max)
}

/** A new, empty row at the end, with the usual choices made (必需, 1 份 …). */
export function addRow(values: EditorValues, group: EditorRowGroup): { values: EditorValues; index: number } {
  const index = rowCount(values, group)
  if (index >= EDITOR_ROWS[group].max) {
    throw new DomainError('ITEM_EDITOR_ROWS', 'invalid', `最多只能有 ${EDITOR_ROWS[group].max} 行。`)
  }
  const next: EditorValues = { ...values }
  const set = (field: string, value: string) => {
    next[`${group}[${index}].${field}`] = value
  }
  for (const field of EDITOR_ROWS[group].fields) set(field, '')
  if (group === 'materials') {
    const used = new Set(Array.from({ length: index }, (_, i) => one(values, `materials[${i}].materialCode`)))
    let n = index + 1
    while (used.has(`material_${n}`)) n++
    set('materialCode', `material_${n}`)
    set('materialFormat', '纸质')
    set('isNeed', 'true')
    set('pageNum', '1')
    set('sourceType', '申请人自备')
    set('allowDefer', 'false')
  }
  if (group === 'fees') set('isDesc', 'false')
  return { values: next, index }
}

/** Removes one row; the rows after it move up. */
export function removeRow(values: EditorValues, group: EditorRowGroup, index: number): EditorValues {
  const pattern = new RegExp(`^${group}\\[(\\d{1,3})\\](.*)$`)
  const next: EditorValues = {}
  for (const [key, value] of Object.entries(values)) {
    const m = pattern.exec(key)
    if (!m) {
      next[key] = value
      continue
    }
    const at = Number(m[1])
    if (at === index) continue
    next[at > index ? `${group}[${at - 1}]${m[2]}` : key] = value
  }
  return next
}

// ---------------------------------------------------------------------------------------------
// Elements → form

/** The form fields showing an item's elements (files as signed references). */
export function valuesFromElements(e: Partial<ItemInput>, refs: FileRefs): EditorValues {
  const v: EditorValues = {}
  for (const f of [...TEXT_FIELDS, ...OPTIONAL_TEXT_FIELDS]) v[f] = (e[f] as string | undefined) ?? ''
  for (const f of INTEGER_FIELDS) v[f] = e[f] === undefined ? '' : String(e[f])
  for (const f of BOOLEAN_FIELDS) v[f] = e[f] === undefined ? '' : String(e[f])
  for (const f of MULTI_FIELDS) v[f] = [...((e[f] as string[] | undefined) ?? [])]
  v.keywords = (e.keywords ?? []).join('，')
  v.resultSample = e.resultSample ? refs.sign(e.resultSample) : ''
  ;(e.handleFlow ?? []).forEach((s, i) => {
    v[`handleFlow[${i}].name`] = s.name
    v[`handleFlow[${i}].description`] = s.description
  })
  ;(e.fees ?? []).forEach((fee, i) => {
    const p = `fees[${i}]`
    v[`${p}.feeName`] = fee.feeName
    v[`${p}.feeStand`] = fee.feeStand
    v[`${p}.amountFen`] = fee.amountFen === undefined ? '' : fenToYuan(fee.amountFen)
    v[`${p}.byLaw`] = fee.byLaw
    v[`${p}.isDesc`] = String(fee.isDesc)
    v[`${p}.descExplain`] = fee.descExplain
  })
  ;(e.materials ?? []).forEach((m, i) => {
    const p = `materials[${i}]`
    for (const f of [
      'materialCode',
      'materialName',
      'materialFormat',
      'needCondition',
      'pageFormat',
      'sourceType',
      'sourceExplain',
      'acceptStand',
      'byLaw',
      'fillExplain',
      'licenseTypeCode',
    ] as const) {
      v[`${p}.${f}`] = m[f] ?? ''
    }
    v[`${p}.isNeed`] = String(m.isNeed)
    v[`${p}.allowDefer`] = String(m.allowDefer)
    v[`${p}.pageNum`] = String(m.pageNum)
    v[`${p}.blankForm`] = m.blankForm ? refs.sign(m.blankForm) : ''
    v[`${p}.sampleFile`] = m.sampleFile ? refs.sign(m.sampleFile) : ''
  })
  ;(e.faqs ?? []).forEach((q, i) => {
    v[`faqs[${i}].question`] = q.question
    v[`faqs[${i}].answer`] = q.answer
  })
  return v
}

// ---------------------------------------------------------------------------------------------
// Form → elements

const INTEGER_MESSAGE = '请填写整数，如 5'

/**
 * The ItemInput the form describes, and the problems found reading it (a number that is not
 * one, a file reference that is not valid). Schema and rule checks are the service's.
 */
export function inputFromValues(values: EditorValues, refs: FileRefs): { input: ItemInput; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  const out: Record<string, unknown> = {}
  const text = (name: string) => cleanText(one(values, name))
  const optionalText = (name: string) => text(name) || undefined
  const integer = (name: string) => {
    const n = readInteger(one(values, name))
    if (n === 'invalid') {
      problems.push({ field: name, message: INTEGER_MESSAGE })
      return undefined
    }
    return n
  }
  const boolean = (name: string) => {
    const b = readBoolean(one(values, name))
    if (b === 'invalid') {
      problems.push({ field: name, message: '请选择「是」或「否」' })
      return undefined
    }
    return b
  }
  const file = (name: string): ItemFile | undefined => {
    if (one(values, `${name}.remove`) === '1') return undefined
    const token = one(values, name)
    if (!token) return undefined
    const found = refs.read(token)
    if (!found) problems.push({ field: name, message: '已上传文件的信息无效，请重新上传' })
    return found
  }

  for (const f of TEXT_FIELDS) out[f] = text(f)
  // A choice not made is missing (「必须填写」), not an empty value that is 「not one of the choices」.
  for (const f of CHOICE_FIELDS) out[f] = text(f) || undefined
  for (const f of OPTIONAL_TEXT_FIELDS) out[f] = optionalText(f)
  out.catalogCode = text('catalogCode').toUpperCase()
  for (const f of INTEGER_FIELDS) out[f] = integer(f)
  for (const f of BOOLEAN_FIELDS) out[f] = boolean(f)
  for (const f of MULTI_FIELDS)
    out[f] = [
      ...new Set(
        many(values, f)
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ]
  out.keywords = splitKeywords(one(values, 'keywords'))
  out.resultSample = file('resultSample')

  out.handleFlow = Array.from({ length: rowCount(values, 'handleFlow') }, (_, i) => ({
    name: text(`handleFlow[${i}].name`),
    description: text(`handleFlow[${i}].description`),
  }))
  out.fees = Array.from({ length: rowCount(values, 'fees') }, (_, i) => {
    const p = `fees[${i}]`
    const amount = readYuan(one(values, `${p}.amountFen`))
    if (amount === 'invalid') {
      problems.push({ field: `${p}.amountFen`, message: '金额请填写数字，最多两位小数，如 120 或 12.50' })
    }
    return {
      feeName: text(`${p}.feeName`),
      feeStand: text(`${p}.feeStand`),
      amountFen: amount === 'invalid' ? undefined : amount,
      byLaw: text(`${p}.byLaw`),
      isDesc: boolean(`${p}.isDesc`),
      descExplain: text(`${p}.descExplain`),
    }
  })
  out.materials = Array.from({ length: rowCount(values, 'materials') }, (_, i) => {
    const p = `materials[${i}]`
    return {
      materialCode: text(`${p}.materialCode`),
      materialName: text(`${p}.materialName`),
      materialFormat: text(`${p}.materialFormat`) || undefined,
      isNeed: boolean(`${p}.isNeed`),
      needCondition: optionalText(`${p}.needCondition`),
      pageNum: integer(`${p}.pageNum`),
      pageFormat: text(`${p}.pageFormat`),
      sourceType: text(`${p}.sourceType`) || undefined,
      sourceExplain: text(`${p}.sourceExplain`),
      acceptStand: text(`${p}.acceptStand`),
      byLaw: text(`${p}.byLaw`),
      fillExplain: text(`${p}.fillExplain`),
      licenseTypeCode: optionalText(`${p}.licenseTypeCode`),
      allowDefer: boolean(`${p}.allowDefer`),
      blankForm: file(`${p}.blankForm`),
      sampleFile: file(`${p}.sampleFile`),
    }
  })
  out.faqs = Array.from({ length: rowCount(values, 'faqs') }, (_, i) => ({
    question: text(`faqs[${i}].question`),
    answer: text(`faqs[${i}].answer`),
  }))
  const input = dropUndefined(out) as ItemInput
  return { input, problems: [...problems, ...missingProblems(input, problems)] }
}

/**
 * Every required element left empty, each named (the schema check names only the first missing
 * member of an object). Fields that already have a reading problem are left to it.
 */
function missingProblems(input: ItemInput, known: FieldProblem[]): FieldProblem[] {
  const out: FieldProblem[] = []
  const missing = (value: object, required: readonly string[] | undefined, prefix: string) => {
    for (const key of required ?? []) {
      const field = `${prefix}${key}`
      if ((value as Record<string, unknown>)[key] === undefined && !known.some((p) => p.field === field)) {
        out.push({ field, message: '必须填写' })
      }
    }
  }
  missing(
    input,
    ItemElements.required?.filter((k) => k !== 'taskCode'),
    '',
  )
  const rows: [EditorRowGroup, readonly string[] | undefined][] = [
    ['handleFlow', FlowStep.required],
    ['fees', Fee.required],
    ['materials', Material.required],
    ['faqs', Faq.required],
  ]
  for (const [group, required] of rows) {
    ;((input[group] as object[] | undefined) ?? []).forEach((row, i) => {
      missing(row, required, `${group}[${i}].`)
    })
  }
  return out
}

/** Members left undefined are left out, so the schema reports them as missing. */
function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = dropUndefined(v)
    return out
  }
  return value
}

/**
 * Problems as the form shows them: one per field, the editor's own reading problems first, a
 * problem of one value in a check-box group (`topics[1]`) shown at the group.
 */
export function mergeProblems(...lists: FieldProblem[][]): FieldProblem[] {
  const out: FieldProblem[] = []
  const reportedEarlier = new Set<string>()
  for (const list of lists) {
    const reportedHere = new Set<string>()
    for (const p of list) {
      const field = p.field.replace(/^(otherDept|serverType|handleType|topics|keywords)\[\d+\]$/, '$1')
      if (reportedEarlier.has(field)) continue
      if (out.some((o) => o.field === field && o.message === p.message)) continue
      out.push({ field, message: p.message })
      reportedHere.add(field)
    }
    for (const field of reportedHere) reportedEarlier.add(field)
  }
  return out
}

/** The elements in the order the editor shows them, for listing problems top to bottom. */
const FORM_ORDER = [
  'catalogCode',
  'taskHandleItem',
  'taskCode',
  'taskName',
  'taskType',
  'summary',
  'byLaw',
  'powerSource',
  'useLevel',
  'entrustName',
  'serverType',
  'acceptCondition',
  'handleType',
  'handleFlow',
  'otherDept',
  'anticipateDay',
  'anticipateType',
  'anticipateExplain',
  'promiseDay',
  'promiseType',
  'promiseExplain',
  'projectType',
  'isFee',
  'feeBasis',
  'fees',
  'limitSceneNum',
  'transactAddr',
  'transactTime',
  'linkWay',
  'superviseWay',
  'isOnline',
  'onlineHandleDepth',
  'isSchedule',
  'isExpress',
  'isPayOnline',
  'isServiceTerminals',
  'assuranceLevel',
  'resultType',
  'resultName',
  'resultLicenseTypeCode',
  'resultSample',
  'materials',
  'faqs',
  'topics',
  'keywords',
  'changeNote',
]

/** Problems in the order of the fields on the page (rows in order, fields in row order). */
export function sortProblems(problems: FieldProblem[]): FieldProblem[] {
  const key = (field: string): number[] => {
    const m = /^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?/.exec(field)
    const head = m?.[1] ?? field
    const group = EDITOR_ROWS[head as EditorRowGroup]
    const at = FORM_ORDER.indexOf(head)
    return [
      at < 0 ? FORM_ORDER.length : at,
      m?.[2] === undefined ? -1 : Number(m[2]),
      group && m?.[3] ? (group.fields as readonly string[]).indexOf(m[3]) : -1,
    ]
  }
  return problems
    .map((p, i) => ({ p, i, k: key(p.field) }))
    .sort((a, b) => a.k[0]! - b.k[0]! || a.k[1]! - b.k[1]! || a.k[2]! - b.k[2]! || a.i - b.i)
    .map((x) => x.p)
}
