import { type Kysely, sql } from 'kysely'
import { columnTypes, nowDefault, oneOf } from './_columns.js'

/**
 * Single sign-on (modules/sso): the OpenID Provider's state, the department systems that may use
 * it, and its signing keys. Everything lives in the database so that several app nodes share it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)

  // Every oidc-provider model (Session, AccessToken, AuthorizationCode, RefreshToken, Grant,
  // Interaction, ClientCredentials, ReplayDetection, PushedAuthorizationRequest, …) in one table.
  // Ids are random per model, so the key is (kind, id).
  await db.schema
    .createTable('oidc_models')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', t.timestamp)
    .addColumn('consumed_at', t.timestamp)
    .addPrimaryKeyConstraint('oidc_models_pk', ['kind', 'id'])
    .execute()
  // Revoking a grant removes its tokens; sessions are found by uid; the purge sweep by expiry.
  await db.schema.createIndex('oidc_models_grant_idx').on('oidc_models').columns(['kind', 'grant_id']).execute()
  await db.schema.createIndex('oidc_models_uid_idx').on('oidc_models').columns(['kind', 'uid']).execute()
  await db.schema.createIndex('oidc_models_user_code_idx').on('oidc_models').columns(['kind', 'user_code']).execute()
  await db.schema.createIndex('oidc_models_expires_idx').on('oidc_models').column('expires_at').execute()

  // Department systems (relying parties). The client secret is stored encrypted (SM4, the data
  // keys of DATA_KEYS) because oidc-provider compares the presented secret with the plain one;
  // its SHA-256 is kept as a fingerprint administrators can compare.
  await db.schema
    .createTable('oidc_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('department_id', t.id, (c) => c.references('departments.id'))
    .addColumn('token_endpoint_auth_method', 'text', (c) =>
      c.notNull().check(oneOf('token_endpoint_auth_method', ['client_secret_basic', 'client_secret_post', 'none'])),
    )
    .addColumn('secret_enc', 'text')
    .addColumn('secret_sha256', 'text')
    .addColumn('redirect_uris', t.json, (c) => c.notNull())
    .addColumn('post_logout_redirect_uris', t.json, (c) => c.notNull())
    .addColumn('scopes', t.json, (c) => c.notNull())
    .addColumn('grant_types', t.json, (c) => c.notNull())
    .addColumn('full_id_number_allowed', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('active', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addColumn('created_by', t.id)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addColumn('updated_by', t.id)
    .addColumn('secret_rotated_at', t.timestamp)
    .addCheckConstraint('oidc_clients_secret_check', sql`(token_endpoint_auth_method = 'none') = (secret_enc is null)`)
    .execute()
  await db.schema.createIndex('oidc_clients_list_idx').on('oidc_clients').columns(['active', 'name']).execute()

  // Signing keys (JWKS), generated once by the first node and shared by all. One row per slot
  // (e.g. RS256#1), so two nodes starting together cannot create two different keys.
  await db.schema
    .createTable('oidc_keys')
    .addColumn('slot', 'text', (c) => c.primaryKey())
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', t.json, (c) => c.notNull())
    .addColumn('private_jwk_enc', 'text', (c) => c.notNull())
    .addColumn('active', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addUniqueConstraint('oidc_keys_kid_key', ['kid'])
    .execute()
}
