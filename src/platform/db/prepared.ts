/**
 * Statements built by Kysely once and run again with new values.
 *
 * Kysely builds every query anew: the builder's immutable nodes, the CamelCase plugin's copy of
 * them, then the SQL. For the two dozen statements of a submission that was ~30% of the server's
 * CPU, more than SQLite spent running them (docs/performance.md, finding 19). A prepared statement
 * is built and compiled on its first run for each database (dialect and plugins); later runs only
 * put their values into the compiled statement's parameters. Results go through the plugins as
 * for any query (row keys in camelCase).
 *
 *   const byKey = prepared((db, p: Placeholders<{ personId: string; key: string }>) =>
 *     db.selectFrom('applications').selectAll().where('applicantPersonId', '=', p.personId)
 *       .where('idempotencyKey', '=', p.key))
 *   const row = await byKey.executeTakeFirst(trx, { personId, key })
 *
 * A placeholder stands for a value only (`where(column, '=', p.x)`, `set({ column: p.x })`,
 * `values({ column: p.x })`); the statement's shape (columns, operators, `in` lists) is fixed
 * when it is built. `insertRow` and `updateRow` prepare one statement per shape of the row.
 */
import type { Compilable, CompiledQuery, DialectAdapter, Insertable, Kysely, KyselyPlugin, QueryResult } from 'kysely'
import { createQueryId } from 'kysely'
import type { DbOrTrx } from './database.js'
import type { Database } from './schema.js'

/** What stands for a value in a prepared statement until it runs. */
class Placeholder {
  constructor(readonly name: string) {}
}

/** The placeholders of a prepared statement's values: `p.id` stands for `values.id`. */
export type Placeholders<V> = { readonly [K in keyof V]: V[K] }

export interface Prepared<V, R> {
  /** Runs the statement with these values, on a database or in a transaction. */
  execute(db: DbOrTrx, values: V): Promise<QueryResult<R>>
  /** The first row the statement gives with these values, if any. */
  executeTakeFirst(db: DbOrTrx, values: V): Promise<R | undefined>
}

interface Built<R> {
  query: CompiledQuery<R>
  /** For each parameter, the name of the value that goes there (undefined: fixed when built). */
  slots: (string | undefined)[]
  plugins: readonly KyselyPlugin[]
}

const placeholders = new Proxy({} as Record<string, Placeholder>, {
  get: (_target, name) => (typeof name === 'string' ? new Placeholder(name) : undefined),
})

export function prepared<V extends object, R>(
  build: (db: DbOrTrx, p: Placeholders<V>) => Compilable<R>,
): Prepared<V, R> {
  // By the database's adapter: a transaction shares its database's (and its plugins).
  const built = new WeakMap<DialectAdapter, Built<R>>()
  const self: Prepared<V, R> = {
    async execute(db, values) {
      const executor = db.getExecutor()
      let statement = built.get(executor.adapter)
      if (!statement || !samePlugins(statement.plugins, executor.plugins)) {
        const query = build(db, placeholders as Placeholders<V>).compile()
        const slots = query.parameters.map((value) => (value instanceof Placeholder ? value.name : undefined))
        const fresh = { query, slots, plugins: executor.plugins }
        // A handle with other plugins (none in this code base) builds anew each time.
        if (!statement) built.set(executor.adapter, fresh)
        statement = fresh
      }
      const { query, slots } = statement
      const source = values as Record<string, unknown>
      const parameters = query.parameters.map((fixed, i) => {
        const name = slots[i]
        if (name === undefined) return fixed
        const value = source[name]
        if (value === undefined) throw new TypeError(`prepared statement: no value for "${name}"`)
        return value
      })
      return db.executeQuery<R>({ ...query, parameters, queryId: createQueryId() })
    },
    async executeTakeFirst(db, values) {
      return (await self.execute(db, values)).rows[0]
    },
  }
  return self
}

function samePlugins(a: readonly KyselyPlugin[], b: readonly KyselyPlugin[]): boolean {
  return a.length === b.length && a.every((plugin, i) => plugin === b[i])
}

type Table = keyof Database & string

/** Shapes of rows seen; bounded, since a shape comes from code, not from input. */
const MAX_SHAPES = 2000
const inserts = new Map<string, Prepared<Record<string, unknown>, unknown>>()
const updates = new Map<string, Prepared<Record<string, unknown>, unknown>>()

/**
 * `insert into <table>` of one row, as `db.insertInto(table).values(row).execute()` would: keys
 * whose value is undefined are left out (the column's default applies). Values must be plain
 * (strings, numbers, null, bytes); a row holding anything else (an SQL expression) is built the
 * ordinary way.
 */
export async function insertRow<T extends Table>(db: DbOrTrx, table: T, row: Insertable<Database[T]>): Promise<void> {
  const source = row as Record<string, unknown>
  const columns = definedKeys(source)
  if (!columns) {
    await db
      .insertInto(table)
      .values(row as never)
      .execute()
    return
  }
  const shape = `${table}\n${columns.join(',')}`
  let statement = inserts.get(shape)
  if (!statement) {
    statement = prepared((trx, p) =>
      loose(trx)
        .insertInto(table as string)
        .values(Object.fromEntries(columns.map((c) => [c, p[c]]))),
    )
    if (inserts.size < MAX_SHAPES) inserts.set(shape, statement)
  }
  await statement.execute(db, source)
}

/**
 * `update <table> set … where id = ? [and lock_version = ?]`, as the same Kysely update would
 * (keys whose value is undefined are not set; changes holding an SQL expression are built the
 * ordinary way). Answers the number of rows changed.
 */
export async function updateRow<T extends Table>(
  db: DbOrTrx,
  table: T,
  changes: Partial<Database[T]>,
  where: { id: string; lockVersion?: number },
): Promise<number> {
  const source = changes as Record<string, unknown>
  const columns = definedKeys(source)
  const guarded = where.lockVersion !== undefined
  if (!columns) {
    let query = loose(db)
      .updateTable(table as string)
      .set(source)
      .where('id', '=', where.id)
    if (guarded) query = query.where('lockVersion', '=', where.lockVersion)
    const result = await query.executeTakeFirst()
    return Number(result.numUpdatedRows)
  }
  if (columns.length === 0) throw new TypeError('updateRow: nothing to set')
  const shape = `${table}\n${guarded ? 'locked' : 'id'}\n${columns.join(',')}`
  let statement = updates.get(shape)
  if (!statement) {
    statement = prepared((trx, p) => {
      let query = loose(trx)
        .updateTable(table as string)
        .set(Object.fromEntries(columns.map((c) => [c, p[`set.${c}`]])))
        .where('id', '=', p['where.id'])
      if (guarded) query = query.where('lockVersion', '=', p['where.lockVersion'])
      return query
    })
    if (updates.size < MAX_SHAPES) updates.set(shape, statement)
  }
  const values: Record<string, unknown> = { 'where.id': where.id }
  if (guarded) values['where.lockVersion'] = where.lockVersion
  for (const c of columns) values[`set.${c}`] = source[c]
  const result = await statement.execute(db, values)
  return Number(result.numAffectedRows ?? 0n)
}

/** A table named at run time: its columns are checked by the caller's row type instead. */
function loose(db: DbOrTrx): Kysely<Record<string, Record<string, unknown>>> {
  return db as unknown as Kysely<Record<string, Record<string, unknown>>>
}

/** The keys holding a value, sorted; undefined when a value is not plain. */
function definedKeys(row: Record<string, unknown>): string[] | undefined {
  const keys: string[] = []
  for (const key of Object.keys(row)) {
    const value = row[key]
    if (value === undefined) continue
    if (!isPlain(value)) return undefined
    keys.push(key)
  }
  return keys.sort()
}

function isPlain(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return true
    case 'object':
      return value === null || value instanceof Uint8Array
    default:
      return false
  }
}
