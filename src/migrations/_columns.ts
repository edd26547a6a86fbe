/**
 * Column types that read the same on SQLite and PostgreSQL. Frozen with the migrations that use
 * them: change a type here only by adding a new helper, never by editing one in use.
 */
import { type ColumnDataType, type Kysely, PostgresAdapter, sql } from 'kysely'

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

export function columnTypes(db: Kysely<any>) {
  const pg = isPostgres(db)
  return {
    /** Row identifier (UUIDv7 text). */
    id: 'text' as ColumnDataType,
    /** A point in time, UTC. */
    timestamp: (pg ? 'timestamptz' : 'text') as ColumnDataType,
    /** A calendar date YYYY-MM-DD (Asia/Shanghai). */
    date: (pg ? 'date' : 'text') as ColumnDataType,
    /** A JSON document (jsonb on PostgreSQL, text on SQLite). */
    json: (pg ? 'jsonb' : 'text') as ColumnDataType,
    /** 0/1 flag. */
    flag: 'integer' as ColumnDataType,
    bigint: 'bigint' as ColumnDataType,
    /** Binary data. */
    bytes: (pg ? 'bytea' : 'blob') as ColumnDataType,
  }
}

/** The current time as the column default, in the same text form on both databases. */
export function nowDefault(db: Kysely<any>) {
  return isPostgres(db) ? sql`now()` : sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`
}

/** A CHECK that a text column holds one of fixed values (constants of the migration, never input). */
export function oneOf(column: string, values: readonly string[]) {
  for (const v of values) if (!/^[a-z0-9_]+$/.test(v)) throw new Error(`bad enum value ${v}`)
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`)
}
