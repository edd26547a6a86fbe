/**
 * What fills the e-license an approved application gives (its item's resultLicenseTypeCode): the
 * form's `resultLicense` map (license field key → `section.field`), and otherwise the answer of a
 * field with the same key as the license field. Choices are written as their labels, check boxes
 * joined with 「、」, dates as YYYY-MM-DD (as the license library stores dates). The library keeps
 * only the keys its type has and says what is missing (licenses issueResultLicenseIn).
 */
import {
  type FieldValue,
  type FormData,
  type FormDefinition,
  type FormField,
  formatFieldValue,
  type SectionValues,
} from './applications.forms.js'

function valueText(field: FormField, value: FieldValue | undefined): string {
  if (value === undefined) return ''
  if (field.type === 'date' && typeof value === 'string') return value
  return formatFieldValue(field, value).trim()
}

export function resultLicenseValues(form: FormDefinition, data: FormData): Record<string, string> {
  const out: Record<string, string> = {}
  const sectionValues = (key: string) => {
    const v = data[key]
    return v && !Array.isArray(v) ? (v as SectionValues) : undefined
  }
  for (const section of form.sections) {
    if (section.repeat) continue
    const values = sectionValues(section.key)
    for (const field of section.fields) {
      const text = valueText(field, values?.[field.key])
      if (text && !(field.key in out)) out[field.key] = text
    }
  }
  for (const [licenseKey, path] of Object.entries(form.resultLicense ?? {})) {
    const [sectionKey, fieldKey] = path.split('.')
    const section = form.sections.find((s) => s.key === sectionKey && !s.repeat)
    const field = section?.fields.find((f) => f.key === fieldKey)
    if (!section || !field) continue
    const text = valueText(field, sectionValues(section.key)?.[field.key])
    if (text) out[licenseKey] = text
    else delete out[licenseKey]
  }
  return out
}
