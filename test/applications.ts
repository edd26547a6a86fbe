/**
 * Test helpers for applications: principals of the seeded demo accounts, valid form data for
 * any form definition, and materials for any item.
 */

import {
  type FormData,
  type FormDefinition,
  type FormField,
  inputName,
  type SectionValues,
} from '../src/modules/applications/applications.forms.js'
import { formFor } from '../src/modules/applications/applications.forms.registry.js'
import type { MaterialInput } from '../src/modules/applications/applications.service.js'
import { getVersion, type ItemElements } from '../src/modules/catalog/index.js'
import { permissionsOf } from '../src/modules/identity/index.js'
import type { Principal } from '../src/platform/auth/principal.js'
import type { Db } from '../src/platform/db/database.js'

export async function staffPrincipal(db: Db, loginName: string): Promise<Principal> {
  const row = await db
    .selectFrom('accounts')
    .innerJoin('staff', 'staff.accountId', 'accounts.id')
    .select([
      'accounts.id as accountId',
      'staff.id as staffId',
      'staff.name',
      'staff.departmentId',
      'staff.servicePointId',
    ])
    .where('accounts.loginName', '=', loginName)
    .executeTakeFirstOrThrow()
  const roles = (await db.selectFrom('staffRoles').select('role').where('staffId', '=', row.staffId).execute()).map(
    (r) => r.role,
  )
  return {
    sessionId: `test-${loginName}`,
    accountId: row.accountId,
    staffId: row.staffId,
    departmentId: row.departmentId,
    servicePointId: row.servicePointId ?? undefined,
    displayName: row.name,
    roles,
    permissions: permissionsOf(roles),
    assuranceLevel: 3,
  }
}

export async function citizenPrincipal(db: Db, name: string): Promise<Principal> {
  const row = await db
    .selectFrom('persons')
    .innerJoin('accounts', 'accounts.personId', 'persons.id')
    .select(['persons.id as personId', 'accounts.id as accountId', 'persons.assuranceLevel'])
    .where('persons.name', '=', name)
    .executeTakeFirstOrThrow()
  return {
    sessionId: `test-${name}`,
    accountId: row.accountId,
    personId: row.personId,
    displayName: name,
    roles: [],
    permissions: new Set(),
    assuranceLevel: row.assuranceLevel,
  }
}

function sampleValue(field: FormField): SectionValues[string] {
  const first = field.options?.[0]?.value ?? ''
  switch (field.type) {
    case 'number':
      return typeof field.min === 'number' ? Math.max(field.min, 1) : 10
    case 'money':
      return 10000
    case 'date':
      return '2026-03-01'
    case 'select':
    case 'radios':
      return first
    case 'checkboxes':
      return [first]
    case 'yesno':
      return false
    case 'idNumber':
      return '445103198503120029'
    case 'mobile':
      return '13800000001'
    case 'creditCode':
      return '91445103MA4WJK8R2K'
    case 'email':
      return 'test@example.cn'
    case 'address':
      return '潮州市潮安区庵埠镇开濠村 12 号'
    case 'textarea':
      return '情况说明（测试）'
    default:
      return field.pattern ? 'A1' : '测试内容'
  }
}

/** Form data that fills every field of every section (yes/no answered 否, so optional parts stay hidden). */
export function sampleFormData(def: FormDefinition): FormData {
  const data: FormData = {}
  for (const section of def.sections) {
    const row: SectionValues = {}
    for (const field of section.fields) row[field.key] = sampleValue(field)
    data[section.key] = section.repeat
      ? [row, ...(section.repeat.min > 1 ? Array(section.repeat.min - 1).fill(row) : [])]
      : row
  }
  return data
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')

/** Stores a tiny PDF and returns a file material input for every required material of an item. */
export async function sampleMaterials(
  files: {
    put(
      content: Uint8Array,
      options: { maxBytes: number; allowedTypes: readonly unknown[] },
    ): Promise<{ sha256: string; size: number; mime: string }>
  },
  elements: ItemElements,
  allowedTypes: readonly unknown[],
): Promise<MaterialInput[]> {
  const stored = await files.put(PDF, { maxBytes: 1024 * 1024, allowedTypes })
  return elements.materials
    .filter((m) => m.isNeed)
    .map((m) => ({
      materialCode: m.materialCode,
      kind: 'file' as const,
      sha256: stored.sha256,
      fileName: `${m.materialName}.pdf`,
      mime: stored.mime,
      size: stored.size,
    }))
}

/** The inputs a browser posts for these answers (the names the form renders). */
export function formFields(def: FormDefinition, data: FormData): [string, string][] {
  const out: [string, string][] = []
  for (const section of def.sections) {
    const raw = data[section.key]
    const rows = section.repeat ? ((raw as SectionValues[] | undefined) ?? []) : [(raw as SectionValues) ?? {}]
    rows.forEach((values, i) => {
      const row = section.repeat ? i : undefined
      if (section.repeat) out.push([`${section.key}[${i}]._row`, '1'])
      for (const field of section.fields) {
        const name = inputName(section.key, field.key, row)
        const value = values[field.key]
        if (value === undefined) continue
        if (field.type === 'date') {
          const [y, m, d] = String(value).split('-')
          out.push([`${name}.year`, y!], [`${name}.month`, m!], [`${name}.day`, d!])
        } else if (Array.isArray(value)) for (const v of value) out.push([name, v])
        else if (typeof value === 'boolean') out.push([name, value ? 'yes' : 'no'])
        else if (field.type === 'money') out.push([name, String(Number(value) / 100)])
        else out.push([name, String(value)])
      }
    })
  }
  return out
}

export interface Upload {
  name: string
  filename: string
  content: Buffer
  type: string
}

/** A multipart body as a browser posts a form with files. */
export function multipart(fields: [string, string][], files: Upload[] = []) {
  const boundary = `----yiwang${Math.random().toString(16).slice(2)}`
  const chunks: Buffer[] = []
  for (const [name, value] of fields) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`,
      ),
      f.content,
      Buffer.from('\r\n'),
    )
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** The current version of the item of this name: its id, form and elements. */
export async function itemNamed(db: Db, name: string) {
  const row = await db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.id as versionId'])
    .where('itemVersions.taskName', '=', name)
    .executeTakeFirstOrThrow()
  const version = await getVersion(db, row.versionId)
  return { itemId: row.id, form: formFor(version), elements: JSON.parse(version.elements) as ItemElements }
}
