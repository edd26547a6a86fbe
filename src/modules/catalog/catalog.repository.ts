/** Queries on items, item versions and themes. */
import type { DbOrTrx } from '../../platform/db/database.js'
import { type Placeholders, prepared } from '../../platform/db/prepared.js'
import type { ItemTable, ItemVersionState, ItemVersionTable, ThemeTable } from './catalog.tables.js'

export function insertItem(db: DbOrTrx, item: ItemTable) {
  return db.insertInto('items').values(item).execute()
}

const itemById = prepared((db, p: Placeholders<{ id: string }>) =>
  db.selectFrom('items').selectAll().where('id', '=', p.id),
)

export async function findItem(db: DbOrTrx, id: string) {
  return itemById.executeTakeFirst(db, { id })
}

export function findItemByTaskCode(db: DbOrTrx, taskCode: string) {
  return db.selectFrom('items').selectAll().where('taskCode', '=', taskCode).executeTakeFirst()
}

export function findItemsByCatalogCodes(db: DbOrTrx, catalogCodes: string[]) {
  if (catalogCodes.length === 0) return Promise.resolve([])
  return db.selectFrom('items').selectAll().where('catalogCode', 'in', catalogCodes).execute()
}

export function updateItem(db: DbOrTrx, id: string, changes: Partial<Omit<ItemTable, 'id'>>) {
  return db.updateTable('items').set(changes).where('id', '=', id).execute()
}

export function insertVersion(db: DbOrTrx, version: ItemVersionTable) {
  return db.insertInto('itemVersions').values(version).execute()
}

const versionById = prepared((db, p: Placeholders<{ id: string }>) =>
  db.selectFrom('itemVersions').selectAll().where('id', '=', p.id),
)

export async function findVersion(db: DbOrTrx, id: string) {
  return versionById.executeTakeFirst(db, { id })
}

export function updateVersion(db: DbOrTrx, id: string, changes: Partial<Omit<ItemVersionTable, 'id' | 'itemId'>>) {
  return db.updateTable('itemVersions').set(changes).where('id', '=', id).execute()
}

/** Versions of an item, newest first. */
export function listVersions(db: DbOrTrx, itemId: string) {
  return db.selectFrom('itemVersions').selectAll().where('itemId', '=', itemId).orderBy('version', 'desc').execute()
}

export function findOpenVersion(db: DbOrTrx, itemId: string) {
  return db
    .selectFrom('itemVersions')
    .selectAll()
    .where('itemId', '=', itemId)
    .where('state', 'in', ['draft', 'in_review'] satisfies ItemVersionState[])
    .executeTakeFirst()
}

export async function maxVersion(db: DbOrTrx, itemId: string): Promise<number> {
  const row = await db
    .selectFrom('itemVersions')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('itemId', '=', itemId)
    .executeTakeFirst()
  return Number(row?.v ?? 0)
}

export interface ItemListFilters {
  departmentId?: string
  state?: ItemVersionState
  forPersons?: boolean
  forEnterprises?: boolean
  limit: number
  offset: number
}

/** The published (current) version of every live item, by name. */
export function listPublished(db: DbOrTrx, filters: ItemListFilters) {
  let query = db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .where('itemVersions.state', '=', 'published')
  if (filters.departmentId) query = query.where('items.departmentId', '=', filters.departmentId)
  if (filters.forPersons) query = query.where('itemVersions.forPersons', '=', 1)
  if (filters.forEnterprises) query = query.where('itemVersions.forEnterprises', '=', 1)
  return query
    .select([
      'items.id as itemId',
      'items.departmentId',
      'items.catalogCode',
      'items.taskCode',
      'itemVersions.id as versionId',
      'itemVersions.version',
      'itemVersions.taskName',
      'itemVersions.taskType',
      'itemVersions.projectType',
      'itemVersions.onlineDepth',
      'itemVersions.elements',
      'itemVersions.publishedAt',
      'itemVersions.effectiveFrom',
    ])
    .orderBy('itemVersions.taskName')
    .orderBy('items.id')
    .limit(filters.limit)
    .offset(filters.offset)
    .execute()
}

export async function countPublished(db: DbOrTrx, filters: Omit<ItemListFilters, 'limit' | 'offset'>): Promise<number> {
  let query = db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .where('itemVersions.state', '=', 'published')
  if (filters.departmentId) query = query.where('items.departmentId', '=', filters.departmentId)
  if (filters.forPersons) query = query.where('itemVersions.forPersons', '=', 1)
  if (filters.forEnterprises) query = query.where('itemVersions.forEnterprises', '=', 1)
  const row = await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Items of a department with their newest version, for the item administrators' list. */
export function listDepartmentItems(db: DbOrTrx, departmentId: string) {
  return db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.itemId', 'items.id')
    .where('items.departmentId', '=', departmentId)
    .where(({ eb, selectFrom }) =>
      eb(
        'itemVersions.version',
        '=',
        selectFrom('itemVersions as v2')
          .select((e) => e.fn.max('v2.version').as('m'))
          .whereRef('v2.itemId', '=', 'items.id'),
      ),
    )
    .select([
      'items.id as itemId',
      'items.catalogCode',
      'items.currentVersionId',
      'itemVersions.id as versionId',
      'itemVersions.version',
      'itemVersions.state',
      'itemVersions.taskName',
      'itemVersions.updatedAt',
    ])
    .orderBy('itemVersions.taskName')
    .execute()
}

/** Versions waiting for review, oldest first. */
export function listInReview(db: DbOrTrx) {
  return db
    .selectFrom('itemVersions')
    .innerJoin('items', 'items.id', 'itemVersions.itemId')
    .where('itemVersions.state', '=', 'in_review')
    .select([
      'itemVersions.id as versionId',
      'itemVersions.itemId',
      'itemVersions.version',
      'itemVersions.taskName',
      'itemVersions.submittedAt',
      'items.departmentId',
    ])
    .orderBy('itemVersions.submittedAt')
    .execute()
}

export function findThemeByCode(db: DbOrTrx, code: string) {
  return db.selectFrom('themes').selectAll().where('code', '=', code).executeTakeFirst()
}

export function listThemes(db: DbOrTrx) {
  return db
    .selectFrom('themes')
    .selectAll()
    .where('state', '=', 'published')
    .orderBy('sortOrder')
    .orderBy('name')
    .execute()
}

export function insertTheme(db: DbOrTrx, theme: ThemeTable) {
  return db.insertInto('themes').values(theme).execute()
}

// ---------------------------------------------------------------------------------------------
// Administration (事项管理, review, Excel export)

/** The published version of each live item, of one department (when given) or all, by basic code. */
export function listPublishedForExport(db: DbOrTrx, departmentId: string | undefined) {
  let query = db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .where('itemVersions.state', '=', 'published')
  if (departmentId !== undefined) query = query.where('items.departmentId', '=', departmentId)
  return query
    .select([
      'items.id as itemId',
      'items.departmentId',
      'itemVersions.id as versionId',
      'itemVersions.version',
      'itemVersions.elements',
    ])
    .orderBy('items.catalogCode')
    .execute()
}

/** The version of an item with a given number (the one before another, for differences). */
export function findVersionByNumber(db: DbOrTrx, itemId: string, version: number) {
  return db
    .selectFrom('itemVersions')
    .selectAll()
    .where('itemId', '=', itemId)
    .where('version', '=', version)
    .executeTakeFirst()
}
