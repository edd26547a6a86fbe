/**
 * Test helpers for applications: principals of the seeded demo accounts, valid form data for
 * any form definition, and materials for any item.
 */

import type {
  FormData,
  FormDefinition,
  FormField,
  SectionValues,
} from '../src/modules/applications/applications.forms.js'
import type { MaterialInput } from '../src/modules/applications/applications.service.js'
import type { ItemElements } from '../src/modules/catalog/index.js'
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
