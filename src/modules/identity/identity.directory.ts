/**
 * Looking people, enterprises and staff up by id, for other modules (applications, catalog,
 * licenses): names and masked identifiers only — never the encrypted columns.
 */

import type { DbOrTrx } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'

export interface PersonSummary {
  id: string
  name: string
  idNumberMasked: string
  mobileMasked: string | null
  assuranceLevel: 1 | 2 | 3
}

export async function personSummaries(db: DbOrTrx, ids: string[]): Promise<Map<string, PersonSummary>> {
  const unique = [...new Set(ids)].filter(Boolean)
  if (unique.length === 0) return new Map()
  const rows = await db
    .selectFrom('persons')
    .select(['id', 'name', 'idNumberMasked', 'mobileMasked', 'assuranceLevel'])
    .where('id', 'in', unique)
    .execute()
  return new Map(rows.map((r) => [r.id, r]))
}

export async function personSummary(db: DbOrTrx, id: string): Promise<PersonSummary | undefined> {
  return (await personSummaries(db, [id])).get(id)
}

/** True when the mobile number given is the person's (exact match through the blind index). */
export async function personHasMobile(
  deps: Pick<Deps, 'db' | 'fieldCrypto'>,
  personId: string,
  mobile: string,
): Promise<boolean> {
  if (!/^1\d{10}$/.test(mobile)) return false
  const row = await deps.db.selectFrom('persons').select('mobileIndex').where('id', '=', personId).executeTakeFirst()
  return Boolean(row?.mobileIndex) && row?.mobileIndex === deps.fieldCrypto.blindIndex(mobile)
}

export async function enterpriseNames(db: DbOrTrx, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter(Boolean)
  if (unique.length === 0) return new Map()
  const rows = await db.selectFrom('enterprises').select(['id', 'name']).where('id', 'in', unique).execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

export async function staffNames(db: DbOrTrx, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter(Boolean)
  if (unique.length === 0) return new Map()
  const rows = await db.selectFrom('staff').select(['id', 'name']).where('id', 'in', unique).execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

/** Active staff of a department holding a role (e.g. colleagues to hand a task to). */
export function staffWithRole(db: DbOrTrx, departmentId: string, role: string) {
  return db
    .selectFrom('staff')
    .innerJoin('staffRoles', 'staffRoles.staffId', 'staff.id')
    .select(['staff.id', 'staff.name'])
    .where('staff.departmentId', '=', departmentId)
    .where('staff.active', '=', 1)
    .where('staffRoles.role', '=', role)
    .orderBy('staff.name')
    .execute()
}

export async function departmentIdOfCode(db: DbOrTrx, code: string): Promise<string | undefined> {
  const row = await db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirst()
  return row?.id
}
