/**
 * The upload quota for material files (SECURITY.md: a per-user quota): what a person may store a
 * day, Asia/Shanghai. A guard against filling the disk, not a ledger: the same file stored twice
 * counts twice, and two uploads racing may both pass.
 *
 * Counted as it happens, one row a person and day (migration 0026): reading it is one lookup
 * however many applications the person has made. It used to be the sum of every material file
 * of every application the person ever made — a read that grew with each of them, and a lifetime
 * limit that a heavy filer (an agent for an enterprise) reached for good, told to delete files
 * that belonged to submitted case files (docs/performance.md, finding 16).
 *
 * The bytes are counted in the transaction that records the file: the file store's own
 * (`recordWith`), or the application's (`recordUploads`) for the one-request channel. Bytes a
 * refused request left on disk are counted too (`countUploaded` on its own).
 */
import { addCalendarDays, todayInShanghai } from '../../platform/calendar/index.js'
import type { DbOrTrx, Trx } from '../../platform/db/database.js'
import { type Placeholders, prepared } from '../../platform/db/prepared.js'
import type { Deps } from '../../platform/deps.js'
import type { StoredFile } from '../../platform/files/files.js'

/** What one person may store a day (SECURITY.md: a per-user quota). */
export const MATERIAL_DAILY_QUOTA_BYTES = 500 * 1024 * 1024
/** Days of counts kept (today and the 7 before): enough to look into abuse, no longer. */
export const UPLOAD_DAYS_KEPT = 8

/** Files stored with `recordLater` by this person on this day, recorded with what uses them. */
export interface UnrecordedUploads {
  files: readonly StoredFile[]
  personId: string
  /** YYYY-MM-DD, Asia/Shanghai: the day they were stored. */
  day: string
}

// Every submission reads and adds to the day's count: built once (docs/performance.md, finding 19).
const uploadedBytes = prepared((db, p: Placeholders<{ personId: string; day: string }>) =>
  db.selectFrom('materialUploadDays').select('bytes').where('personId', '=', p.personId).where('day', '=', p.day),
)
const addUploaded = prepared((db, p: Placeholders<{ personId: string; day: string; bytes: number }>) =>
  db
    .insertInto('materialUploadDays')
    .values({ personId: p.personId, day: p.day, bytes: p.bytes })
    .onConflict((oc) =>
      oc
        .columns(['personId', 'day'])
        .doUpdateSet((eb) => ({ bytes: eb('materialUploadDays.bytes', '+', eb.ref('excluded.bytes')) })),
    ),
)

/** Bytes of material files the person stored on the day. */
export async function uploadedOn(db: DbOrTrx, personId: string, day: string): Promise<number> {
  const row = await uploadedBytes.executeTakeFirst(db, { personId, day })
  return Number(row?.bytes ?? 0)
}

/** Adds bytes to the person's day. */
export async function countUploaded(db: DbOrTrx, personId: string, day: string, bytes: number): Promise<void> {
  if (bytes <= 0) return
  await addUploaded.execute(db, { personId, day, bytes })
}

/** Records files stored with `recordLater`, and counts them, in the caller's transaction. */
export async function recordUploads(deps: Deps, trx: Trx, uploads: UnrecordedUploads): Promise<void> {
  if (uploads.files.length === 0) return
  await deps.files.record(trx, uploads.files)
  await countUploaded(trx, uploads.personId, uploads.day, bytesOf(uploads.files))
}

export function bytesOf(files: readonly StoredFile[]): number {
  return files.reduce((sum, f) => sum + f.size, 0)
}

/**
 * Forgets the counts of days past `UPLOAD_DAYS_KEPT` (a sweep): the quota needs only today's, and
 * who uploaded how much on which day is not kept longer than it is of use. Safe on several
 * processes at once. Returns the rows removed.
 */
export async function pruneUploadDays(deps: Deps): Promise<number> {
  const oldest = addCalendarDays(todayInShanghai(deps.clock.now()), 1 - UPLOAD_DAYS_KEPT)
  const result = await deps.db.deleteFrom('materialUploadDays').where('day', '<', oldest).executeTakeFirst()
  return Number(result.numDeletedRows)
}
