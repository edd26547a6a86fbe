/** Queries on the tables the sso module owns: oidc_models, oidc_clients, oidc_keys. */
import type { DbOrTrx } from '../../platform/db/database.js'
import type { OidcClientTable, OidcKeyTable, OidcModelTable } from './sso.tables.js'

// ----- oidc-provider models ----------------------------------------------------------------------

export function upsertModel(db: DbOrTrx, row: OidcModelTable) {
  const { kind, id, ...rest } = row
  return db
    .insertInto('oidcModels')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['kind', 'id']).doUpdateSet({
        payload: rest.payload,
        grantId: rest.grantId,
        userCode: rest.userCode,
        uid: rest.uid,
        expiresAt: rest.expiresAt,
      }),
    )
    .execute()
}

/** A live (not expired) model row by id. */
export function findModel(db: DbOrTrx, kind: string, id: string, now: string) {
  return db
    .selectFrom('oidcModels')
    .select(['payload', 'consumedAt'])
    .where('kind', '=', kind)
    .where('id', '=', id)
    .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
    .executeTakeFirst()
}

export function findModelBy(db: DbOrTrx, kind: string, column: 'uid' | 'userCode', value: string, now: string) {
  return db
    .selectFrom('oidcModels')
    .select(['payload', 'consumedAt'])
    .where('kind', '=', kind)
    .where(column, '=', value)
    .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
    .executeTakeFirst()
}

export function consumeModel(db: DbOrTrx, kind: string, id: string, at: string) {
  return db.updateTable('oidcModels').set({ consumedAt: at }).where('kind', '=', kind).where('id', '=', id).execute()
}

export function destroyModel(db: DbOrTrx, kind: string, id: string) {
  return db.deleteFrom('oidcModels').where('kind', '=', kind).where('id', '=', id).execute()
}

export function destroyModelsOfGrant(db: DbOrTrx, kind: string, grantId: string) {
  return db.deleteFrom('oidcModels').where('kind', '=', kind).where('grantId', '=', grantId).execute()
}

/** Removes expired rows; returns how many. */
export async function purgeExpiredModels(db: DbOrTrx, now: string): Promise<number> {
  const result = await db.deleteFrom('oidcModels').where('expiresAt', '<=', now).executeTakeFirst()
  return Number(result.numDeletedRows)
}

// ----- clients -----------------------------------------------------------------------------------

export function findClient(db: DbOrTrx, clientId: string) {
  return db.selectFrom('oidcClients').selectAll().where('clientId', '=', clientId).executeTakeFirst()
}

export function listClients(db: DbOrTrx) {
  return db.selectFrom('oidcClients').selectAll().orderBy('active', 'desc').orderBy('name').execute()
}

export function insertClient(db: DbOrTrx, row: OidcClientTable) {
  return db.insertInto('oidcClients').values(row).execute()
}

export function updateClient(
  db: DbOrTrx,
  clientId: string,
  changes: Partial<Omit<OidcClientTable, 'clientId' | 'createdAt'>>,
) {
  return db.updateTable('oidcClients').set(changes).where('clientId', '=', clientId).executeTakeFirst()
}

// ----- signing keys ------------------------------------------------------------------------------

export function listActiveKeys(db: DbOrTrx) {
  return db.selectFrom('oidcKeys').selectAll().where('active', '=', 1).orderBy('slot').execute()
}

/** Inserts the key unless its slot is taken (another node was first); the stored one wins. */
export function insertKeyIfAbsent(db: DbOrTrx, row: OidcKeyTable) {
  return db
    .insertInto('oidcKeys')
    .values(row)
    .onConflict((oc) => oc.column('slot').doNothing())
    .execute()
}
