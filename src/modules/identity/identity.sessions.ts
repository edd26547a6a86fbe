/**
 * Sessions live in the database (SECURITY.md): the cookie holds a random token, the table its
 * SHA-256. Idle timeout 30 min for citizens and 15 min for staff; absolute 12 h / 8 h.
 * Logout ends the session server-side.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Clock } from '../../platform/clock.js'
import type { DbOrTrx } from '../../platform/db/database.js'
import { endSession, findLiveSession, insertSession, touchSession } from './identity.repository.js'
import type { SessionTable } from './identity.tables.js'

export const SESSION_LIMITS = {
  person: { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000 },
  staff: { idleMs: 15 * 60_000, absoluteMs: 8 * 3600_000 },
} as const

/** Sliding the idle deadline costs a write, so it is refreshed at most once a minute. */
const TOUCH_EVERY_MS = 60_000

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export async function startSession(
  db: DbOrTrx,
  clock: Clock,
  input: { accountId: string; kind: 'person' | 'staff'; ip?: string; userAgent?: string },
): Promise<{ token: string; session: SessionTable }> {
  const token = randomBytes(32).toString('base64url')
  const now = clock.now()
  const limits = SESSION_LIMITS[input.kind]
  const session: SessionTable = {
    id: hashToken(token),
    accountId: input.accountId,
    kind: input.kind,
    actingEnterpriseId: null,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    idleExpiresAt: new Date(now.getTime() + limits.idleMs).toISOString(),
    absoluteExpiresAt: new Date(now.getTime() + limits.absoluteMs).toISOString(),
    secondFactorAt: null,
    ip: input.ip ?? null,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
    endedAt: null,
    endReason: null,
  }
  await insertSession(db, session)
  return { token, session }
}

export type SessionCheck<S extends SessionTable = SessionTable> =
  | { state: 'live'; session: S }
  | { state: 'expired'; reason: 'idle' | 'absolute' }
  | { state: 'none' }

/**
 * Finds the live session for a cookie token, ending it when it has expired. `find` reads the
 * session row by its id (the token's hash); the principal lookup reads the account and its holder
 * in the same query.
 */
export async function checkSession<S extends SessionTable = SessionTable>(
  db: DbOrTrx,
  clock: Clock,
  token: string,
  find: (db: DbOrTrx, id: string) => Promise<S | undefined> = findLiveSession as never,
): Promise<SessionCheck<S>> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { state: 'none' }
  const id = hashToken(token)
  const session = await find(db, id)
  if (!session) return { state: 'none' }
  const now = clock.now()
  const nowIso = now.toISOString()
  if (nowIso >= session.absoluteExpiresAt) {
    await endSession(db, id, nowIso, 'absolute_timeout')
    return { state: 'expired', reason: 'absolute' }
  }
  if (nowIso >= session.idleExpiresAt) {
    await endSession(db, id, nowIso, 'idle_timeout')
    return { state: 'expired', reason: 'idle' }
  }
  if (now.getTime() - new Date(session.lastSeenAt).getTime() >= TOUCH_EVERY_MS) {
    const idle = new Date(now.getTime() + SESSION_LIMITS[session.kind].idleMs).toISOString()
    await touchSession(db, id, nowIso, idle)
    return { state: 'live', session: { ...session, lastSeenAt: nowIso, idleExpiresAt: idle } }
  }
  return { state: 'live', session }
}
