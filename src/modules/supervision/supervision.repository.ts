/** Queries on the warning cards (supervision owns `warning_cards`). */
import { sql } from 'kysely'
import type { DbOrTrx } from '../../platform/db/database.js'
import type { CardLevel, CardSubjectType, WarningCardTable } from './supervision.tables.js'

/** Inserts a card unless one exists for its subject, rule and level; true when this call inserted it. */
export async function insertCardIfAbsent(db: DbOrTrx, row: WarningCardTable): Promise<boolean> {
  const result = await db
    .insertInto('warningCards')
    .values(row)
    .onConflict((oc) => oc.columns(['subjectType', 'subjectId', 'rule', 'level']).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
}

export const cardKey = (c: { subjectType: string; subjectId: string; rule: string; level: string }) =>
  `${c.subjectType}|${c.subjectId}|${c.rule}|${c.level}`

/** Keys (cardKey) of the cards that exist for these subjects. */
export async function existingCardKeys(db: DbOrTrx, subjectIds: string[]): Promise<Set<string>> {
  const out = new Set<string>()
  const unique = [...new Set(subjectIds)]
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('warningCards')
      .select(['subjectType', 'subjectId', 'rule', 'level'])
      .where('subjectId', 'in', unique.slice(i, i + 500))
      .execute()
    for (const r of rows) out.add(cardKey(r))
  }
  return out
}

/** Cards not yet resolved, in id order after `afterId`. */
export function listUnresolvedCards(db: DbOrTrx, afterId: string | undefined, limit: number) {
  return db
    .selectFrom('warningCards')
    .select(['id', 'subjectType', 'subjectId', 'rule', 'level', 'applicationId'])
    .where('resolvedAt', 'is', null)
    .$if(Boolean(afterId), (q) => q.where('id', '>', afterId!))
    .orderBy('id')
    .limit(limit)
    .execute()
}

/** Marks a card resolved unless someone did already; true when this call did. */
export async function markCardResolved(db: DbOrTrx, id: string, at: string, resolution: string): Promise<boolean> {
  const result = await db
    .updateTable('warningCards')
    .set({ resolvedAt: at, resolution })
    .where('id', '=', id)
    .where('resolvedAt', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export function findCard(db: DbOrTrx, id: string) {
  return db.selectFrom('warningCards').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Records the department's acknowledgement once; false when it was already acknowledged. */
export async function markCardAcknowledged(
  db: DbOrTrx,
  id: string,
  staffId: string,
  at: string,
  explanation: string,
): Promise<boolean> {
  const result = await db
    .updateTable('warningCards')
    .set({ acknowledgedBy: staffId, acknowledgedAt: at, explanation })
    .where('id', '=', id)
    .where('acknowledgedAt', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * - open: not resolved, or resolved but a red card the department has not explained yet;
 * - unacknowledged / acknowledged: by the department's explanation;
 * - resolved: the subject finished; all: everything.
 */
export type CardStatusFilter = 'open' | 'unacknowledged' | 'acknowledged' | 'resolved' | 'all'

export interface CardFilters {
  departmentId?: string
  itemId?: string
  applicationId?: string
  level?: CardLevel
  rule?: string
  subjectType?: CardSubjectType
  status: CardStatusFilter
  /** Raised on or after / before these instants. */
  raisedFrom?: string
  raisedBefore?: string
  page: number
  pageSize?: number
}

export async function listCards(
  db: DbOrTrx,
  filters: CardFilters,
): Promise<{ rows: WarningCardTable[]; total: number }> {
  const pageSize = filters.pageSize ?? 30
  let base = db.selectFrom('warningCards')
  if (filters.departmentId) base = base.where('departmentId', '=', filters.departmentId)
  if (filters.itemId) base = base.where('itemId', '=', filters.itemId)
  if (filters.applicationId) base = base.where('applicationId', '=', filters.applicationId)
  if (filters.level) base = base.where('level', '=', filters.level)
  if (filters.rule) base = base.where('rule', '=', filters.rule)
  if (filters.subjectType) base = base.where('subjectType', '=', filters.subjectType)
  if (filters.raisedFrom) base = base.where('raisedAt', '>=', filters.raisedFrom)
  if (filters.raisedBefore) base = base.where('raisedAt', '<', filters.raisedBefore)
  switch (filters.status) {
    case 'open':
      base = base.where((eb) =>
        eb.or([eb('resolvedAt', 'is', null), eb.and([eb('level', '=', 'red'), eb('acknowledgedAt', 'is', null)])]),
      )
      break
    case 'unacknowledged':
      base = base.where('acknowledgedAt', 'is', null)
      break
    case 'acknowledged':
      base = base.where('acknowledgedAt', 'is not', null)
      break
    case 'resolved':
      base = base.where('resolvedAt', 'is not', null)
      break
    default:
      break
  }
  const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const rows = await base
    .selectAll()
    .orderBy(sql`case when level = 'red' then 0 else 1 end`)
    .orderBy('raisedAt', 'desc')
    .orderBy('id', 'desc')
    .limit(pageSize)
    .offset((Math.max(1, filters.page) - 1) * pageSize)
    .execute()
  return { rows, total }
}

export interface CardCountsRow {
  departmentId: string
  itemId: string | null
  itemName: string | null
  level: CardLevel
  /** Raised in the period. */
  raised: number
  /** … of which the department has not explained. */
  unacknowledged: number
  /** … of which still unresolved. */
  active: number
}

/** Cards raised in a period, per department (and item) and level. */
export async function cardCounts(
  db: DbOrTrx,
  options: { raisedFrom: string; raisedBefore: string; departmentId?: string; byItem?: boolean },
): Promise<CardCountsRow[]> {
  let query = db
    .selectFrom('warningCards')
    .select((eb) => [
      'departmentId',
      'level',
      eb.fn.countAll().as('raised'),
      eb.fn.sum(eb.case().when('acknowledgedAt', 'is', null).then(1).else(0).end()).as('unacknowledged'),
      eb.fn.sum(eb.case().when('resolvedAt', 'is', null).then(1).else(0).end()).as('active'),
    ])
    .where('raisedAt', '>=', options.raisedFrom)
    .where('raisedAt', '<', options.raisedBefore)
    .groupBy(['departmentId', 'level'])
  if (options.departmentId) query = query.where('departmentId', '=', options.departmentId)
  if (options.byItem) {
    const rows = await query
      .select((eb) => ['itemId', eb.fn.max('itemName').as('itemName')])
      .groupBy('itemId')
      .execute()
    return rows.map((r) => ({
      departmentId: r.departmentId,
      itemId: r.itemId,
      itemName: (r.itemName as string | null) ?? null,
      level: r.level,
      raised: Number(r.raised),
      unacknowledged: Number(r.unacknowledged ?? 0),
      active: Number(r.active ?? 0),
    }))
  }
  const rows = await query.execute()
  return rows.map((r) => ({
    departmentId: r.departmentId,
    itemId: null,
    itemName: null,
    level: r.level,
    raised: Number(r.raised),
    unacknowledged: Number(r.unacknowledged ?? 0),
    active: Number(r.active ?? 0),
  }))
}
