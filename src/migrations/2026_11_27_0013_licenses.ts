import { type Kysely, sql } from 'kysely'
import { columnTypes, oneOf } from './_columns.js'

/**
 * The electronic license library (电子证照库, modules/licenses): license types, issued licenses
 * (one row per version), the departments' SM2 seal keys, the signature of each version, uses of a
 * license by departments, share links, and the counter behind license serial numbers.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)

  await db.schema
    .createTable('license_types')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // GB/T 36902 证照类型代码: the defining agency's USCC + 3 digits (21 characters).
    .addColumn('type_code', 'text')
    // Null for types issued elsewhere (居民身份证, 出生医学证明): known here, never issued here.
    .addColumn('issuing_department_id', t.id, (c) => c.references('departments.id'))
    .addColumn('holder_kind', 'text', (c) => c.notNull().check(oneOf('holder_kind', ['person', 'enterprise'])))
    .addColumn('fields', t.json, (c) => c.notNull())
    // Null: valid until revoked (长期有效).
    .addColumn('validity_years', 'integer')
    .addColumn('face_template', 'text')
    .addColumn('renewal_item_code', 'text')
    .addColumn('active', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('license_types_pk', ['code'])
    .execute()

  await db.schema
    .createTable('seal_keys')
    .addColumn('id', t.id, (c) => c.notNull())
    // First 16 hex digits of SM3 over the SPKI DER: the key id written into every signed license.
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('department_id', t.id, (c) => c.notNull().references('departments.id'))
    // The department's credit code when the key was made: the issuer code its licenses carry.
    .addColumn('issuer_credit_code', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull().check(sql`algorithm = 'SM2'`))
    .addColumn('public_key_pem', 'text', (c) => c.notNull())
    .addColumn('public_key_hex', 'text', (c) => c.notNull())
    .addColumn('private_key_enc', 'text', (c) => c.notNull())
    .addColumn('valid_from', t.timestamp, (c) => c.notNull())
    .addColumn('valid_to', t.timestamp)
    .addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', ['active', 'retired'])))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('retired_at', t.timestamp)
    .addColumn('retired_by', 'text')
    .addPrimaryKeyConstraint('seal_keys_pk', ['id'])
    .addUniqueConstraint('seal_keys_kid_key', ['kid'])
    .execute()
  // At most one signing key per department: two security administrators generating at once
  // cannot both succeed.
  await db.schema
    .createIndex('seal_keys_one_active_idx')
    .on('seal_keys')
    .column('department_id')
    .unique()
    .where(sql.ref('state'), '=', 'active')
    .execute()
  await db.schema
    .createIndex('seal_keys_department_idx')
    .on('seal_keys')
    .columns(['department_id', 'valid_from'])
    .execute()

  await db.schema
    .createTable('licenses')
    .addColumn('id', t.id, (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('license_type', 'text', (c) => c.notNull().references('license_types.code'))
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('supersedes_id', t.id, (c) => c.references('licenses.id'))
    .addColumn('holder_kind', 'text', (c) => c.notNull().check(oneOf('holder_kind', ['person', 'enterprise'])))
    .addColumn('holder_person_id', t.id, (c) => c.references('persons.id'))
    .addColumn('holder_enterprise_id', t.id, (c) => c.references('enterprises.id'))
    // HMAC-SM3 blind index of the ID number / credit code (the platform's field crypto).
    .addColumn('holder_key_index', 'text', (c) => c.notNull())
    // As signed (snapshots, so renaming a department or a person later does not break signatures).
    .addColumn('holder_name', 'text', (c) => c.notNull())
    .addColumn('holder_key_display', 'text', (c) => c.notNull())
    .addColumn('type_name', 'text', (c) => c.notNull())
    .addColumn('issuer_department_id', t.id, (c) => c.notNull().references('departments.id'))
    .addColumn('issuer_name', 'text', (c) => c.notNull())
    .addColumn('issuer_credit_code', 'text', (c) => c.notNull())
    .addColumn('data', t.json, (c) => c.notNull())
    .addColumn('issued_at', t.timestamp, (c) => c.notNull())
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('valid_from', t.date, (c) => c.notNull())
    .addColumn('valid_to', t.date)
    // 'expired' is not stored: it follows from valid_to and today (Asia/Shanghai).
    .addColumn('status', 'text', (c) => c.notNull().check(oneOf('status', ['active', 'revoked', 'superseded'])))
    .addColumn('revoked_at', t.timestamp)
    .addColumn('revoked_by', 'text')
    .addColumn('revoke_reason', 'text')
    .addColumn('superseded_at', t.timestamp)
    .addColumn('application_id', t.id, (c) => c.references('applications.id'))
    .addColumn('trust_grade', 'text', (c) => c.notNull().check(oneOf('trust_grade', ['a', 'b', 'c', 'd'])))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('licenses_pk', ['id'])
    .addUniqueConstraint('licenses_identifier_key', ['identifier'])
    // One row per version of a license: two re-issues racing cannot both make version n+1.
    .addUniqueConstraint('licenses_version_key', ['license_type', 'issuer_department_id', 'serial', 'version'])
    .execute()
  // The holder's wallet: by ID number / credit code, by person, by enterprise.
  await db.schema
    .createIndex('licenses_holder_key_idx')
    .on('licenses')
    .columns(['holder_key_index', 'status'])
    .execute()
  await db.schema.createIndex('licenses_person_idx').on('licenses').columns(['holder_person_id', 'status']).execute()
  await db.schema
    .createIndex('licenses_enterprise_idx')
    .on('licenses')
    .columns(['holder_enterprise_id', 'status'])
    .execute()
  // Expiry reminders and sweeps: active licenses by end of validity.
  await db.schema.createIndex('licenses_expiry_idx').on('licenses').columns(['status', 'valid_to']).execute()
  await db.schema.createIndex('licenses_supersedes_idx').on('licenses').column('supersedes_id').execute()
  await db.schema.createIndex('licenses_application_idx').on('licenses').column('application_id').execute()

  await db.schema
    .createTable('license_signatures')
    .addColumn('license_id', t.id, (c) => c.notNull().references('licenses.id'))
    .addColumn('key_id', t.id, (c) => c.notNull().references('seal_keys.id'))
    // SM3 of the canonical bytes that were signed, lower-case hex.
    .addColumn('signed_sm3', 'text', (c) => c.notNull())
    // SM2 signature, DER (SEQUENCE { r, s }), lower-case hex.
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('signed_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('license_signatures_pk', ['license_id', 'key_id'])
    .execute()
  await db.schema.createIndex('license_signatures_key_idx').on('license_signatures').column('key_id').execute()

  await db.schema
    .createTable('license_uses')
    .addColumn('id', t.id, (c) => c.notNull())
    .addColumn('license_id', t.id, (c) => c.notNull().references('licenses.id'))
    .addColumn('used_by_department_id', t.id, (c) => c.references('departments.id'))
    .addColumn('used_by_person_id', t.id, (c) => c.references('persons.id'))
    .addColumn('used_by_staff_id', t.id, (c) => c.references('staff.id'))
    .addColumn('application_id', t.id, (c) => c.references('applications.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('license_uses_pk', ['id'])
    .execute()
  await db.schema.createIndex('license_uses_license_idx').on('license_uses').columns(['license_id', 'at']).execute()
  await db.schema
    .createIndex('license_uses_department_idx')
    .on('license_uses')
    .columns(['used_by_department_id', 'at'])
    .execute()

  await db.schema
    .createTable('license_shares')
    .addColumn('id', t.id, (c) => c.notNull())
    .addColumn('license_id', t.id, (c) => c.notNull().references('licenses.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_by_person_id', t.id, (c) => c.references('persons.id'))
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .addColumn('revoked_at', t.timestamp)
    .addPrimaryKeyConstraint('license_shares_pk', ['id'])
    .addUniqueConstraint('license_shares_token_key', ['token_hash'])
    .execute()
  await db.schema
    .createIndex('license_shares_license_idx')
    .on('license_shares')
    .columns(['license_id', 'created_at'])
    .execute()

  // Serial numbers: one row per issuing department, license type and year (see licenses.identifier.ts).
  await db.schema
    .createTable('license_counters')
    .addColumn('counter_key', 'text', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('license_counters_pk', ['counter_key'])
    .execute()
}
