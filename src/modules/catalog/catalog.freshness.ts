/**
 * The version of what the public catalog pages show, for the pages kept for anonymous visitors
 * (`reply.publicPage`, docs/performance.md): a guide or a search page is rendered again when
 * it changes. `catalogVersion` (catalog.read.ts) gives it; it has two parts:
 *
 * - a generation per database handle (one per process), moved on by this process right after
 *   it commits a publication or withdrawal (`catalogChanged`): its next request sees the change;
 * - a stamp read from the database, the same for every process (what it covers is in
 *   catalog.read.ts). It is read at most once every STAMP_MAX_AGE_MS per process, so another
 *   process's publication or withdrawal shows here within that time (plus the read itself).
 */
import type { Db } from '../../platform/db/database.js'

/** How old the database stamp may be: the longest another process's change stays unseen here. */
export const STAMP_MAX_AGE_MS = 1000

interface Freshness {
  generation: number
  stamp?: string
  checkedAt: number
  reading?: Promise<string>
}

const byDatabase = new WeakMap<Db, Freshness>()

function freshnessOf(db: Db): Freshness {
  let found = byDatabase.get(db)
  if (!found) {
    found = { generation: 0, checkedAt: 0 }
    byDatabase.set(db, found)
  }
  return found
}

/** Called by the service after it committed a change the public sees (publication, withdrawal). */
export function catalogChanged(db: Db): void {
  freshnessOf(db).generation += 1
}

/** The stamp (read by `read` when older than STAMP_MAX_AGE_MS) and this process's generation. */
export async function freshVersion(db: Db, read: (db: Db) => Promise<string>): Promise<string> {
  const freshness = freshnessOf(db)
  if (freshness.stamp === undefined || performance.now() - freshness.checkedAt >= STAMP_MAX_AGE_MS) {
    // One read at a time: requests arriving meanwhile wait for it.
    freshness.reading ??= read(db)
      .then((stamp) => {
        freshness.stamp = stamp
        freshness.checkedAt = performance.now()
        return stamp
      })
      .finally(() => {
        freshness.reading = undefined
      })
    await freshness.reading
  }
  return `${freshness.stamp}#${freshness.generation}`
}
