/** Every query on the tables of the license library (and the two holder look-ups, see below). */
import type { Insertable, Selectable } from 'kysely'
import { type DbOrTrx, dialectOf } from '../../platform/db/database.js'
import type {
  LicenseSignatureTable,
  LicenseTable,
  LicenseTypeTable,
  LicenseUseTable,
  SealKeyTable,
} from './licenses.tables.js'

export type LicenseRow = Selectable<LicenseTable>
export type LicenseTypeRow = Selectable<LicenseTypeTable>
export type SealKeyRow = Selectable<SealKeyTable>

// ----- license types ----------------------------------------------------------------------------

export function findLicenseType(db: DbOrTrx, code: string): Promise<LicenseTypeRow | undefined> {
  return db.selectFrom('licenseTypes').selectAll().where('code', '=', code).executeTakeFirst()
}

export function listLicenseTypes(db: DbOrTrx): Promise<LicenseTypeRow[]> {
  return db.selectFrom('licenseTypes').selectAll().orderBy('code').execute()
}

/** Inserts a type unless one with its code exists (an administrator's edits are kept). */
export async function insertLicenseTypeIfAbsent(db: DbOrTrx, row: Insertable<LicenseTypeTable>): Promise<boolean> {
  const result = await db
    .insertInto('licenseTypes')
    .values(row)
    .onConflict((oc) => oc.column('code').doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

// ----- licenses ---------------------------------------------------------------------------------

export function findLicense(db: DbOrTrx, id: string): Promise<LicenseRow | undefined> {
  return db.selectFrom('licenses').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findLicenseByIdentifier(db: DbOrTrx, identifier: string): Promise<LicenseRow | undefined> {
  return db.selectFrom('licenses').selectAll().where('identifier', '=', identifier).executeTakeFirst()
}

/** The version that replaced this one, if any. */
export function findSuccessor(db: DbOrTrx, id: string): Promise<LicenseRow | undefined> {
  return db.selectFrom('licenses').selectAll().where('supersedesId', '=', id).executeTakeFirst()
}

export async function insertLicense(db: DbOrTrx, row: Insertable<LicenseTable>): Promise<void> {
  await db.insertInto('licenses').values(row).execute()
}

/** active → superseded; false when the row was no longer active (someone else got there first). */
export async function markSuperseded(db: DbOrTrx, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('licenses')
    .set({ status: 'superseded', supersededAt: at })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** active → revoked; false when the row was no longer active. */
export async function markRevoked(
  db: DbOrTrx,
  id: string,
  change: { at: string; by: string; reason: string },
): Promise<boolean> {
  const result = await db
    .updateTable('licenses')
    .set({ status: 'revoked', revokedAt: change.at, revokedBy: change.by, revokeReason: change.reason })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export type HolderFilter = { personId: string } | { enterpriseId: string } | { keyIndex: string }

/** A holder's licenses, newest first; by default only the current versions (not superseded). */
export function listLicensesOfHolder(
  db: DbOrTrx,
  holder: HolderFilter,
  options: { includeSuperseded?: boolean } = {},
): Promise<LicenseRow[]> {
  let query = db.selectFrom('licenses').selectAll()
  if ('personId' in holder) query = query.where('holderPersonId', '=', holder.personId)
  else if ('enterpriseId' in holder) query = query.where('holderEnterpriseId', '=', holder.enterpriseId)
  else query = query.where('holderKeyIndex', '=', holder.keyIndex)
  if (!options.includeSuperseded) query = query.where('status', 'in', ['active', 'revoked'])
  return query.orderBy('issuedAt', 'desc').orderBy('id', 'desc').execute()
}

// ----- signatures -------------------------------------------------------------------------------

export async function insertSignature(db: DbOrTrx, row: Insertable<LicenseSignatureTable>): Promise<void> {
  await db.insertInto('licenseSignatures').values(row).execute()
}

/** The latest signature of a license version with its key. */
export function findSignatureWithKey(db: DbOrTrx, licenseId: string) {
  return db
    .selectFrom('licenseSignatures')
    .innerJoin('sealKeys', 'sealKeys.id', 'licenseSignatures.keyId')
    .select([
      'licenseSignatures.signedSm3',
      'licenseSignatures.signature',
      'licenseSignatures.signedAt',
      'sealKeys.id as keyId',
      'sealKeys.kid',
      'sealKeys.departmentId',
      'sealKeys.issuerCreditCode',
      'sealKeys.publicKeyHex',
      'sealKeys.validFrom',
      'sealKeys.validTo',
    ])
    .where('licenseSignatures.licenseId', '=', licenseId)
    .orderBy('licenseSignatures.signedAt', 'desc')
    .executeTakeFirst()
}

// ----- seal keys --------------------------------------------------------------------------------

/**
 * `lock: 'update'` locks the row until commit on PostgreSQL (SQLite's writers are serialised
 * already): rotation and retirement take it, so they wait for issues still signing with the key.
 */
export function findSealKey(
  db: DbOrTrx,
  id: string,
  options: { lock?: 'update' } = {},
): Promise<SealKeyRow | undefined> {
  const query = db.selectFrom('sealKeys').selectAll().where('id', '=', id)
  return (options.lock && dialectOf(db) === 'postgres' ? query.forUpdate() : query).executeTakeFirst()
}

export function findSealKeyByKid(db: DbOrTrx, kid: string): Promise<SealKeyRow | undefined> {
  return db.selectFrom('sealKeys').selectAll().where('kid', '=', kid).executeTakeFirst()
}

/**
 * `lock: 'share'` takes a shared lock on PostgreSQL: issues do not wait for one another, but a
 * rotation (an update of the row) waits until every issue signing with the key has committed.
 */
export function findActiveSealKey(
  db: DbOrTrx,
  departmentId: string,
  options: { lock?: 'share' } = {},
): Promise<SealKeyRow | undefined> {
  const query = db
    .selectFrom('sealKeys')
    .selectAll()
    .where('departmentId', '=', departmentId)
    .where('state', '=', 'active')
  return (options.lock && dialectOf(db) === 'postgres' ? query.forShare() : query).executeTakeFirst()
}

/** When the key last signed, or undefined. */
export async function lastSignedAt(db: DbOrTrx, keyId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('licenseSignatures')
    .select((eb) => eb.fn.max('signedAt').as('last'))
    .where('keyId', '=', keyId)
    .executeTakeFirst()
  return row?.last ?? undefined
}

/** Every key, current and retired, newest first within each department. */
export function listSealKeys(db: DbOrTrx): Promise<SealKeyRow[]> {
  return db.selectFrom('sealKeys').selectAll().orderBy('departmentId').orderBy('validFrom', 'desc').execute()
}

export async function insertSealKey(db: DbOrTrx, row: Insertable<SealKeyTable>): Promise<void> {
  await db.insertInto('sealKeys').values(row).execute()
}

/** active → retired; false when it was not active. */
export async function markSealKeyRetired(db: DbOrTrx, id: string, at: string, by: string): Promise<boolean> {
  const result = await db
    .updateTable('sealKeys')
    .set({ state: 'retired', validTo: at, retiredAt: at, retiredBy: by })
    .where('id', '=', id)
    .where('state', '=', 'active')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

// ----- uses -------------------------------------------------------------------------------------

export async function insertUse(db: DbOrTrx, row: Insertable<LicenseUseTable>): Promise<void> {
  await db.insertInto('licenseUses').values(row).execute()
}

export function listUses(db: DbOrTrx, licenseId: string) {
  return db
    .selectFrom('licenseUses')
    .selectAll()
    .where('licenseId', '=', licenseId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

/** The latest versions a department signed, newest first. */
export function listLicensesOfDepartment(db: DbOrTrx, departmentId: string, limit: number): Promise<LicenseRow[]> {
  return db
    .selectFrom('licenses')
    .selectAll()
    .where('issuerDepartmentId', '=', departmentId)
    .orderBy('issuedAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}
