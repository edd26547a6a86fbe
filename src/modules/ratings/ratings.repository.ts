/** Every query on the tables of 好差评: ratings, rectifications and their events, the sweep position. */
import type { DbOrTrx } from '../../platform/db/database.js'
import type { RectificationState } from './ratings.codes.js'
import type { RatingTable, RectificationEventTable, RectificationTable } from './ratings.tables.js'

// ----- ratings ---------------------------------------------------------------------------------

/**
 * Inserts a rating unless its key is taken: the application's (一事一评, visit_id null) or the
 * visit's (一次一评). Safe when several processes insert at once: the unique indexes decide.
 * @returns true when this call inserted it
 */
export async function insertRatingIfAbsent(db: DbOrTrx, row: RatingTable): Promise<boolean> {
  const insert = db.insertInto('ratings').values(row)
  const result = await (row.visitId
    ? insert.onConflict((oc) => oc.column('visitId').doNothing())
    : insert.onConflict((oc) => oc.column('applicationId').where('visitId', 'is', null).doNothing())
  ).executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
}

/** The 一事一评 rating of an application (not the window ratings of its visits). */
export function findCaseRating(db: DbOrTrx, applicationId: string) {
  return db
    .selectFrom('ratings')
    .selectAll()
    .where('applicationId', '=', applicationId)
    .where('visitId', 'is', null)
    .executeTakeFirst()
}

export function findRating(db: DbOrTrx, id: string) {
  return db.selectFrom('ratings').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findRatingByVisit(db: DbOrTrx, visitId: string) {
  return db.selectFrom('ratings').selectAll().where('visitId', '=', visitId).executeTakeFirst()
}

/** Every rating of an application (the 一事一评 and the window visits), oldest first. */
export function listRatingsOfApplication(db: DbOrTrx, applicationId: string) {
  return db
    .selectFrom('ratings')
    .selectAll()
    .where('applicationId', '=', applicationId)
    .orderBy('ratedAt')
    .orderBy('id')
    .execute()
}

/** Adds the one supplement; false when it already has one. */
export async function setSupplement(db: DbOrTrx, id: string, text: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('ratings')
    .set({ supplementText: text, supplementedAt: at })
    .where('id', '=', id)
    .where('supplementedAt', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

// ----- rectifications --------------------------------------------------------------------------

export function insertRectification(db: DbOrTrx, row: RectificationTable) {
  return db.insertInto('rectifications').values(row).execute()
}

export function findRectification(db: DbOrTrx, id: string) {
  return db.selectFrom('rectifications').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findRectificationOfRating(db: DbOrTrx, ratingId: string) {
  return db.selectFrom('rectifications').selectAll().where('ratingId', '=', ratingId).executeTakeFirst()
}

/** Changes a rectification only if nobody changed it since it was read (optimistic lock). */
export async function updateRectification(
  db: DbOrTrx,
  row: Pick<RectificationTable, 'id' | 'lockVersion'>,
  changes: Partial<Omit<RectificationTable, 'id' | 'lockVersion'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('rectifications')
    .set({ ...changes, lockVersion: row.lockVersion + 1 })
    .where('id', '=', row.id)
    .where('lockVersion', '=', row.lockVersion)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function insertRectificationEvent(db: DbOrTrx, row: Omit<RectificationEventTable, 'seq'>) {
  const last = await db
    .selectFrom('rectificationEvents')
    .select((eb) => eb.fn.max('seq').as('m'))
    .where('rectificationId', '=', row.rectificationId)
    .executeTakeFirst()
  await db
    .insertInto('rectificationEvents')
    .values({ ...row, seq: Number(last?.m ?? 0) + 1 })
    .execute()
}

export function listRectificationEvents(db: DbOrTrx, rectificationId: string) {
  return db
    .selectFrom('rectificationEvents')
    .selectAll()
    .where('rectificationId', '=', rectificationId)
    .orderBy('seq')
    .execute()
}

export interface RectificationFilter {
  departmentId?: string
  states?: readonly RectificationState[]
  /** Only those marked overdue (escalated) and not yet replied. */
  overdue?: boolean
  page: number
  pageSize: number
}

/** A page of rectifications joined with their ratings: by deadline (none last), then oldest first. */
export async function listRectificationRows(db: DbOrTrx, filter: RectificationFilter) {
  let query = db
    .selectFrom('rectifications')
    .innerJoin('ratings', 'ratings.id', 'rectifications.ratingId')
    .selectAll('rectifications')
    .select(['ratings.level', 'ratings.reasons', 'ratings.channel', 'ratings.ratedAt'])
  let count = db.selectFrom('rectifications').select((eb) => eb.fn.countAll().as('n'))
  if (filter.departmentId) {
    query = query.where('rectifications.departmentId', '=', filter.departmentId)
    count = count.where('departmentId', '=', filter.departmentId)
  }
  if (filter.states && filter.states.length > 0) {
    query = query.where('rectifications.state', 'in', filter.states)
    count = count.where('state', 'in', filter.states)
  }
  if (filter.overdue) {
    query = query.where('rectifications.overdueAt', 'is not', null).where('rectifications.state', '=', 'rectifying')
    count = count.where('overdueAt', 'is not', null).where('state', '=', 'rectifying')
  }
  const rows = await query
    .orderBy((eb) => eb.case().when('rectifications.deadlineOn', 'is', null).then(1).else(0).end())
    .orderBy('rectifications.deadlineOn')
    .orderBy('rectifications.openedAt')
    .orderBy('rectifications.id')
    .limit(filter.pageSize)
    .offset((Math.max(1, filter.page) - 1) * filter.pageSize)
    .execute()
  const total = Number((await count.executeTakeFirstOrThrow()).n)
  return { rows, total }
}

/** How many rectifications are in each state (optionally of one department), plus the overdue ones. */
export async function countRectifications(db: DbOrTrx, departmentId?: string) {
  let query = db
    .selectFrom('rectifications')
    .select(['state', (eb) => eb.fn.countAll().as('n')])
    .groupBy('state')
  let overdue = db
    .selectFrom('rectifications')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('state', '=', 'rectifying')
    .where('overdueAt', 'is not', null)
  if (departmentId) {
    query = query.where('departmentId', '=', departmentId)
    overdue = overdue.where('departmentId', '=', departmentId)
  }
  const byState: Partial<Record<RectificationState, number>> = {}
  for (const r of await query.execute()) byState[r.state] = Number(r.n)
  return { byState, overdue: Number((await overdue.executeTakeFirstOrThrow()).n) }
}

/** Rectifications still rectifying past their deadline and not yet escalated (the overdue sweep). */
export function listNewlyOverdue(db: DbOrTrx, today: string, limit: number) {
  return db
    .selectFrom('rectifications')
    .selectAll()
    .where('state', '=', 'rectifying')
    .where('deadlineOn', '<', today)
    .where('overdueAt', 'is', null)
    .orderBy('deadlineOn')
    .orderBy('id')
    .limit(limit)
    .execute()
}

/** Replies older than `repliedBefore` that the applicant never rated (the closing sweep). */
export function listUnansweredReplies(db: DbOrTrx, repliedBefore: string, limit: number) {
  return db
    .selectFrom('rectifications')
    .selectAll()
    .where('state', '=', 'replied')
    .where('repliedAt', '<=', repliedBefore)
    .orderBy('repliedAt')
    .orderBy('id')
    .limit(limit)
    .execute()
}

// ----- the default sweep's position -------------------------------------------------------------

export function findSweepPosition(db: DbOrTrx, name: string) {
  return db
    .selectFrom('ratingSweepPositions')
    .select(['at', 'applicationId'])
    .where('name', '=', name)
    .executeTakeFirst()
}

/**
 * Moves the position forward only: a slower process that read an older position never moves
 * it back (several nodes run the same sweep).
 */
export async function advanceSweepPosition(
  db: DbOrTrx,
  name: string,
  to: { at: string; applicationId: string },
  now: string,
): Promise<void> {
  await db
    .insertInto('ratingSweepPositions')
    .values({ name, at: to.at, applicationId: to.applicationId, updatedAt: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  await db
    .updateTable('ratingSweepPositions')
    .set({ at: to.at, applicationId: to.applicationId, updatedAt: now })
    .where('name', '=', name)
    .where((eb) =>
      eb.or([eb('at', '<', to.at), eb.and([eb('at', '=', to.at), eb('applicationId', '<', to.applicationId)])]),
    )
    .execute()
}
