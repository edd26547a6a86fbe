/** Queries on the tables the identity module owns. */
import type { DbOrTrx } from '../../platform/db/database.js'
import { type Placeholders, prepared } from '../../platform/db/prepared.js'
import type { AccountTable, SessionTable } from './identity.tables.js'

export function findPersonByIdNumberIndex(db: DbOrTrx, index: string) {
  return db.selectFrom('persons').selectAll().where('idNumberIndex', '=', index).executeTakeFirst()
}

export function findPersonByMobileIndex(db: DbOrTrx, index: string) {
  return db.selectFrom('persons').selectAll().where('mobileIndex', '=', index).orderBy('createdAt').executeTakeFirst()
}

export function findPerson(db: DbOrTrx, id: string) {
  return db.selectFrom('persons').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findAccount(db: DbOrTrx, id: string) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findAccountByLoginName(db: DbOrTrx, loginName: string) {
  return db.selectFrom('accounts').selectAll().where('loginName', '=', loginName).executeTakeFirst()
}

export function findPersonAccount(db: DbOrTrx, personId: string) {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('personId', '=', personId)
    .where('kind', '=', 'person')
    .executeTakeFirst()
}

export function updateAccount(db: DbOrTrx, id: string, changes: Partial<Omit<AccountTable, 'id'>>) {
  return db.updateTable('accounts').set(changes).where('id', '=', id).execute()
}

/** Adds one failure and returns the new count (one statement, so concurrent failures all count). */
export function incrementFailedLogins(db: DbOrTrx, id: string) {
  return db
    .updateTable('accounts')
    .set((eb) => ({ failedLogins: eb('failedLogins', '+', 1) }))
    .where('id', '=', id)
    .returning('failedLogins')
    .executeTakeFirstOrThrow()
}

export function findStaffByAccount(db: DbOrTrx, accountId: string) {
  return db.selectFrom('staff').selectAll().where('accountId', '=', accountId).executeTakeFirst()
}

export async function listStaffRoles(db: DbOrTrx, staffId: string): Promise<string[]> {
  const rows = await db.selectFrom('staffRoles').select('role').where('staffId', '=', staffId).orderBy('role').execute()
  return rows.map((r) => r.role)
}

export function insertSession(db: DbOrTrx, session: SessionTable) {
  return db.insertInto('sessions').values(session).execute()
}

/**
 * A live session with its account and the account's holder (staff member or person), in one
 * query: every logged-in request reads it (on PostgreSQL four round trips were ~3 ms of the SQL of
 * a workbench page).
 */
const liveSessionWithHolder = prepared((db, p: Placeholders<{ id: string }>) =>
  db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.accountId')
    .leftJoin('staff', 'staff.accountId', 'accounts.id')
    .leftJoin('persons', 'persons.id', 'accounts.personId')
    .selectAll('sessions')
    .select([
      'accounts.status as accountStatus',
      'accounts.kind as accountKind',
      'accounts.personId as accountPersonId',
      'accounts.passwordChangedAt as accountPasswordChangedAt',
      'staff.id as staffId',
      'staff.active as staffActive',
      'staff.departmentId as staffDepartmentId',
      'staff.servicePointId as staffServicePointId',
      'staff.name as staffName',
      'persons.id as holderPersonId',
      'persons.name as personName',
      'persons.assuranceLevel as personAssuranceLevel',
    ])
    .where('sessions.id', '=', p.id)
    .where('sessions.endedAt', 'is', null),
)

export async function findLiveSessionWithHolder(db: DbOrTrx, id: string) {
  return liveSessionWithHolder.executeTakeFirst(db, { id })
}

export function findLiveSession(db: DbOrTrx, id: string) {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).where('endedAt', 'is', null).executeTakeFirst()
}

export function touchSession(db: DbOrTrx, id: string, lastSeenAt: string, idleExpiresAt: string) {
  return db.updateTable('sessions').set({ lastSeenAt, idleExpiresAt }).where('id', '=', id).execute()
}

export function endSession(db: DbOrTrx, id: string, at: string, reason: string) {
  return db
    .updateTable('sessions')
    .set({ endedAt: at, endReason: reason })
    .where('id', '=', id)
    .where('endedAt', 'is', null)
    .executeTakeFirst()
}

export function markSecondFactor(db: DbOrTrx, id: string, at: string) {
  return db.updateTable('sessions').set({ secondFactorAt: at }).where('id', '=', id).execute()
}

export function listLiveSessions(db: DbOrTrx, accountId: string, now: string) {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('accountId', '=', accountId)
    .where('endedAt', 'is', null)
    .where('idleExpiresAt', '>', now)
    .where('absoluteExpiresAt', '>', now)
    .orderBy('lastSeenAt', 'desc')
    .execute()
}

/** Ends every live session of an account; returns how many. */
export async function endAllSessions(db: DbOrTrx, accountId: string, at: string, reason: string): Promise<number> {
  const result = await db
    .updateTable('sessions')
    .set({ endedAt: at, endReason: reason })
    .where('accountId', '=', accountId)
    .where('endedAt', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export function endOtherSessions(db: DbOrTrx, accountId: string, keepId: string, at: string, reason: string) {
  return db
    .updateTable('sessions')
    .set({ endedAt: at, endReason: reason })
    .where('accountId', '=', accountId)
    .where('id', '!=', keepId)
    .where('endedAt', 'is', null)
    .execute()
}

export function findDepartmentByCode(db: DbOrTrx, code: string) {
  return db.selectFrom('departments').selectAll().where('code', '=', code).executeTakeFirst()
}

export function findDepartment(db: DbOrTrx, id: string) {
  return db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst()
}

export function listDepartments(db: DbOrTrx) {
  return db.selectFrom('departments').selectAll().where('active', '=', 1).orderBy('sortOrder').orderBy('name').execute()
}

export function listAreas(db: DbOrTrx, parentId: string) {
  return db.selectFrom('areas').selectAll().where('parentId', '=', parentId).orderBy('sortOrder').execute()
}
