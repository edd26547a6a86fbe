import type { Kysely } from 'kysely'

// Placeholder: filled in by the work on calendar.
export async function up(_db: Kysely<any>): Promise<void> {}
