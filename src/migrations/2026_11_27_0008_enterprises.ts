import { type Kysely, sql } from 'kysely'
import { columnTypes, nowDefault, oneOf } from './_columns.js'

/**
 * Legal persons (法人: enterprises, 个体工商户, 事业单位, 社会组织) and the people who may act for
 * them (经办人授权). The address is stored encrypted; the credit code is public (公示) and plain.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)

  await db.schema
    .createTable('enterprises')
    .addColumn('id', t.id, (c) => c.primaryKey())
    // 统一社会信用代码 (GB 32100-2015), upper case.
    .addColumn('credit_code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // 企业 / 个体工商户 / 事业单位 / 社会组织 / 其他
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(oneOf('kind', ['company', 'individual', 'institution', 'social_org', 'other'])),
    )
    .addColumn('legal_rep_person_id', t.id, (c) => c.notNull().references('persons.id'))
    .addColumn('address_enc', 'text')
    // 成立日期 as on the business licence, when given.
    .addColumn('registered_at', t.date)
    // Set when an officer accepted a code whose check character fails (DOMAIN.md §6).
    .addColumn('credit_code_override_by', t.id)
    .addColumn('credit_code_override_at', t.timestamp)
    .addColumn('credit_code_override_reason', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addColumn('updated_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addUniqueConstraint('enterprises_credit_code_key', ['credit_code'])
    .execute()
  await db.schema.createIndex('enterprises_legal_rep_idx').on('enterprises').column('legal_rep_person_id').execute()

  await db.schema
    .createTable('agent_grants')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('enterprise_id', t.id, (c) => c.notNull().references('enterprises.id'))
    // 经办人
    .addColumn('person_id', t.id, (c) => c.notNull().references('persons.id'))
    .addColumn('scope', 'text', (c) => c.notNull().check(oneOf('scope', ['all', 'items'])))
    // Service item codes (a JSON array of strings); empty for scope 'all'.
    .addColumn('item_codes', t.json, (c) => c.notNull())
    // Calendar days (Asia/Shanghai), both inclusive.
    .addColumn('valid_from', t.date, (c) => c.notNull())
    .addColumn('valid_until', t.date, (c) => c.notNull())
    .addColumn('granted_by_person_id', t.id, (c) => c.notNull().references('persons.id'))
    .addColumn('granted_at', t.timestamp, (c) => c.notNull())
    .addColumn('revoked_at', t.timestamp)
    // A person id or a staff id, as the audit entry of the revocation tells.
    .addColumn('revoked_by', t.id)
    .addColumn('revoke_reason', 'text')
    .addCheckConstraint('agent_grants_validity_check', sql`valid_from <= valid_until`)
    .execute()
  // "Enterprises I may act for": a person's unrevoked grants.
  await db.schema
    .createIndex('agent_grants_person_idx')
    .on('agent_grants')
    .columns(['person_id', 'revoked_at', 'valid_until'])
    .execute()
  // "Agents of an enterprise".
  await db.schema
    .createIndex('agent_grants_enterprise_idx')
    .on('agent_grants')
    .columns(['enterprise_id', 'revoked_at'])
    .execute()
  // At most one unrevoked grant per enterprise and person: a new grant supersedes the old one.
  await db.schema
    .createIndex('agent_grants_live_key')
    .on('agent_grants')
    .columns(['enterprise_id', 'person_id'])
    .unique()
    .where(sql.ref('revoked_at'), 'is', null)
    .execute()
}
