import { type Kysely, sql } from 'kysely'
import { columnTypes, isPostgres } from './_columns.js'

/** SM3 of nothing yet: the `prev_hash` of the first entry (64 zeros). */
const GENESIS_HASH = '0'.repeat(64)

/**
 * The audit trail (SECURITY.md, audit trail): an append-only, hash-chained log, and the single
 * row that records the chain's head. Entries are written by platform/audit `appendAudit`, which
 * takes `seq` = head.last_seq + 1 itself while holding the head row, so `seq` has no gaps
 * (a PostgreSQL sequence would leave gaps on rollback, and a gap here means a deleted entry).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)
  const pg = isPostgres(db)

  await db.schema
    .createTable('audit_log')
    .addColumn('seq', pg ? 'bigserial' : 'integer', (c) => {
      const named = c.notNull().modifyFront(sql`constraint audit_log_pk`).primaryKey()
      return pg ? named : named.autoIncrement()
    })
    .addColumn('id', t.id, (c) => c.notNull())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('enterprise_id', 'text')
    .addColumn('role', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text')
    .addColumn('object_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('source_ip', 'text')
    .addColumn('request_id', 'text')
    .addColumn('details', t.json, (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('audit_log_id_uq', ['id'])
    .addCheckConstraint('audit_log_actor_type_ck', sql`actor_type in ('person', 'staff', 'system', 'anonymous')`)
    .addCheckConstraint('audit_log_outcome_ck', sql`outcome in ('success', 'failure', 'denied')`)
    .execute()

  await db.schema.createIndex('audit_log_object_idx').on('audit_log').columns(['object_type', 'object_id']).execute()
  await db.schema.createIndex('audit_log_actor_at_idx').on('audit_log').columns(['actor_id', 'at']).execute()
  await db.schema.createIndex('audit_log_action_at_idx').on('audit_log').columns(['action', 'at']).execute()
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute()

  await db.schema
    .createTable('audit_chain_head')
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('last_seq', t.bigint, (c) => c.notNull())
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_chain_head_pk', ['id'])
    .addCheckConstraint('audit_chain_head_single_ck', sql`id = 1`)
    .execute()
  await db.insertInto('audit_chain_head').values({ id: 1, last_seq: 0, last_hash: GENESIS_HASH }).execute()

  // Append-only at the database too, so neither a bug nor the application's own account can
  // rewrite history (等保: the system administrator cannot alter audit records). Whoever can
  // drop these triggers can still tamper; the hash chain is what detects that.
  if (pg) {
    await sql`
      create function audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception '审计日志只能追加，不能修改或删除 / audit_log is append-only';
      end
      $$`.execute(db)
    await sql`
      create trigger audit_log_append_only before update or delete or truncate on audit_log
      for each statement execute function audit_log_append_only()`.execute(db)
  } else {
    await sql`
      create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, '审计日志只能追加，不能修改或删除 / audit_log is append-only'); end`.execute(db)
    await sql`
      create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, '审计日志只能追加，不能修改或删除 / audit_log is append-only'); end`.execute(db)
  }
}
