/**
 * Every migration, in order. Migrations are frozen in time: they never import application
 * code, and a migration that has shipped is never edited (add a new one instead). Each runs
 * on SQLite and on PostgreSQL (see _columns.ts for the shared column types).
 */
import type { Migration } from 'kysely'

export const migrations: Record<string, Migration> = {}
