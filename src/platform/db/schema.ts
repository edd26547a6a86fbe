/**
 * The database's TypeScript shape. It starts empty: each module adds the tables it owns by
 * declaration merging in its own `<name>.tables.ts`, so `platform/` never imports a module:
 *
 *   declare module '../../platform/db/schema.js' {
 *     interface Database { notifications: NotificationTable }
 *   }
 *
 * Conventions shared by both dialects (see migrations/_columns.ts):
 * - ids are text (UUIDv7); times are ISO-8601 UTC text (`2026-11-27T03:04:05.678Z`);
 *   calendar dates are `YYYY-MM-DD`; JSON is serialised text; flags are 0/1 integers;
 *   money is integer fen.
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by modules
export interface Database {}

/** 0 or 1: a boolean stored the same way on SQLite and PostgreSQL. */
export type Flag = 0 | 1
