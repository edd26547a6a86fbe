/** Departments as other modules see them (the catalog, applications, supervision). */
import type { DbOrTrx } from '../../platform/db/database.js'

export interface DepartmentInfo {
  id: string
  code: string
  creditCode: string | null
  name: string
  shortName: string
  parentId: string | null
  kind: 'department' | 'sub_unit' | 'town'
  phone: string | null
  address: string | null
}

const columns = ['id', 'code', 'creditCode', 'name', 'shortName', 'parentId', 'kind', 'phone', 'address'] as const

/** Active departments in display order. */
export function listDepartmentInfos(db: DbOrTrx): Promise<DepartmentInfo[]> {
  return db
    .selectFrom('departments')
    .select(columns)
    .where('active', '=', 1)
    .orderBy('sortOrder')
    .orderBy('name')
    .execute()
}

export function findDepartmentInfo(db: DbOrTrx, id: string): Promise<DepartmentInfo | undefined> {
  return db.selectFrom('departments').select(columns).where('id', '=', id).executeTakeFirst()
}

export function findDepartmentInfoByCode(db: DbOrTrx, code: string): Promise<DepartmentInfo | undefined> {
  return db.selectFrom('departments').select(columns).where('code', '=', code).executeTakeFirst()
}
