/**
 * 自助终端 (hall kiosks): a browser becomes a kiosk terminal when IT staff register it, which
 * leaves a signed, long-lived cookie naming the terminal. Pages from such a browser use the kiosk
 * layout and end the session after a short inactivity (KIOSK_IDLE_SECONDS). The cookie is signed
 * with SESSION_SECRET, so nobody can make their own browser a terminal.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { KioskContext } from '../ui/context.js'
import { cookieName } from './security.js'

export const KIOSK_COOKIE_BASE = 'yw_kiosk'
/** Last activity of the kiosk's current user (signed epoch milliseconds). */
export const KIOSK_SEEN_COOKIE_BASE = 'yw_kiosk_seen'
const FIVE_YEARS = 5 * 365 * 24 * 3600
const TERMINAL = /^[\p{Script=Han}A-Za-z0-9 _.()（）·-]{1,40}$/u

export function validTerminalName(name: string): boolean {
  return TERMINAL.test(name)
}

/** The registered terminal this request comes from, or undefined. */
export function kioskTerminal(request: FastifyRequest, secure: boolean): string | undefined {
  const raw = request.cookies?.[cookieName(KIOSK_COOKIE_BASE, secure)]
  if (!raw) return undefined
  const unsigned = request.unsignCookie(raw)
  if (!unsigned.valid || !unsigned.value) return undefined
  const name = decodeURIComponent(unsigned.value)
  return validTerminalName(name) ? name : undefined
}

export function kioskContext(request: FastifyRequest, secure: boolean, idleSeconds: number): KioskContext | undefined {
  const terminal = kioskTerminal(request, secure)
  if (!terminal) return undefined
  const idleMs = idleSeconds * 1000
  return { terminal, idleMs, warnMs: Math.min(30_000, Math.floor(idleMs / 2)) }
}

export function setKioskTerminal(reply: FastifyReply, name: string, secure: boolean): void {
  reply.setCookie(cookieName(KIOSK_COOKIE_BASE, secure), encodeURIComponent(name), {
    path: '/',
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: FIVE_YEARS,
  })
}

export function clearKioskTerminal(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(cookieName(KIOSK_COOKIE_BASE, secure), { path: '/' })
  reply.clearCookie(cookieName(KIOSK_SEEN_COOKIE_BASE, secure), { path: '/' })
}

/** When the current kiosk user was last active (undefined when not known). */
export function kioskLastSeen(request: FastifyRequest, secure: boolean): number | undefined {
  const raw = request.cookies?.[cookieName(KIOSK_SEEN_COOKIE_BASE, secure)]
  if (!raw) return undefined
  const unsigned = request.unsignCookie(raw)
  const n = Number(unsigned.value)
  return unsigned.valid && Number.isFinite(n) ? n : undefined
}

export function markKioskSeen(reply: FastifyReply, at: number, secure: boolean): void {
  reply.setCookie(cookieName(KIOSK_SEEN_COOKIE_BASE, secure), String(at), {
    path: '/',
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
  })
}
