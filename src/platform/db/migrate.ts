import { type Kysely, type MigrationResultSet, Migrator } from 'kysely'
import { migrations } from '../../migrations/index.js'

/** Brings the schema to the latest migration; throws with the failing migration's name. */
// biome-ignore lint/suspicious/noExplicitAny: migrations work on the untyped schema
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    // Parallel work may add a migration numbered before one already applied in a developer's database.
    allowUnorderedMigrations: true,
  })
  const result = await migrator.migrateToLatest()
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')
    const cause = result.error instanceof Error ? result.error.message : String(result.error)
    throw new Error(`数据库迁移失败 / migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${cause}`, {
      cause: result.error,
    })
  }
  return result
}
