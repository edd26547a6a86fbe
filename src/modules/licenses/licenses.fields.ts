/**
 * What a license type carries (license_types.fields) and the check of the values given when a
 * license is issued. Values are always strings (dates as YYYY-MM-DD), so the signed form never
 * depends on how a number is written.
 */
import type { FieldProblem } from '../../platform/http/errors.js'
import { FIELD_KEY } from './licenses.canonical.js'

export type LicenseFieldType = 'text' | 'longtext' | 'date'

export interface LicenseField {
  /** snake_case, 1–40 characters; the key in the signed data. */
  key: string
  label: string
  type: LicenseFieldType
  required: boolean
  /**
   * A number the library gives at issuance when none is given (许可证编号, 证号): `prefix` followed
   * by the license's serial, e.g. JY + 20260000001. A value given (an import of existing
   * licenses) is kept.
   */
  generated?: { prefix: string }
}

const MAX_LENGTH: Record<LicenseFieldType, number> = { text: 200, longtext: 2000, date: 10 }
/**
 * Control characters (tab and line breaks only in long text) and lone surrogates: they would be
 * escaped differently by other JSON writers, or not stored by PostgreSQL (NUL).
 */
function hasUnprintable(value: string, lineBreaks: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 0x09 || c === 0x0a || c === 0x0d) {
      if (!lineBreaks) return true
    } else if (c < 0x20 || c === 0x7f) {
      return true
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true
    }
  }
  return false
}

function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const d = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value
}

export function parseFields(json: string): LicenseField[] {
  return JSON.parse(json) as LicenseField[]
}

/** The fields' values, trimmed; problems keyed `data.<key>`. Unknown keys are refused. */
export function checkLicenseData(
  fields: readonly LicenseField[],
  input: Record<string, unknown>,
  options: { serial?: string } = {},
): { data: Record<string, string>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  const data: Record<string, string> = {}
  const known = new Set(fields.map((f) => f.key))
  for (const key of Object.keys(input)) {
    if (!known.has(key)) problems.push({ field: `data.${key}`, message: `证照类型中没有「${key}」这一项` })
  }
  for (const field of fields) {
    const raw = input[field.key]
    if (raw !== undefined && raw !== null && typeof raw !== 'string') {
      problems.push({ field: `data.${field.key}`, message: `「${field.label}」应为文字` })
      continue
    }
    const value = (raw ?? '').normalize('NFC').trim()
    if (value === '' && field.generated) {
      // Filled once the serial is known; before that (a check ahead of issuing) never missing.
      if (options.serial) data[field.key] = `${field.generated.prefix}${options.serial}`
      continue
    }
    if (value === '') {
      if (field.required) problems.push({ field: `data.${field.key}`, message: `请填写「${field.label}」` })
      continue
    }
    if (value.length > MAX_LENGTH[field.type]) {
      problems.push({ field: `data.${field.key}`, message: `「${field.label}」不能超过${MAX_LENGTH[field.type]}个字` })
    } else if (hasUnprintable(value, field.type === 'longtext')) {
      problems.push({ field: `data.${field.key}`, message: `「${field.label}」含有不能使用的字符` })
    } else if (field.type === 'date' && !isDay(value)) {
      problems.push({ field: `data.${field.key}`, message: `「${field.label}」应为日期，如 2026-03-02` })
    } else {
      data[field.key] = value
    }
  }
  return { data, problems }
}

/** A definition's own sanity: keys usable in the signed form, no duplicates. */
export function fieldsProblem(fields: readonly LicenseField[]): string | undefined {
  const seen = new Set<string>()
  for (const f of fields) {
    if (!FIELD_KEY.test(f.key)) return `field key ${f.key} must be snake_case (a-z, 0-9, _), 1-40 characters`
    if (seen.has(f.key)) return `field key ${f.key} appears twice`
    if (f.generated && !/^[\p{L}\p{N}()（）-]{0,20}$/u.test(f.generated.prefix)) {
      return `field ${f.key}: generated prefix must be up to 20 letters or digits`
    }
    seen.add(f.key)
  }
  return undefined
}

export { isDay }
