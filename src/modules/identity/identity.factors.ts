/**
 * Second factors and one-time codes:
 * - TOTP (RFC 6238, 6 digits, 30 s) for every staff and administrator login (SECURITY.md),
 *   with replay protection (a code's time step is used once) and ten single-use recovery codes;
 * - SMS one-time codes for citizens' login and registration: 6 digits, valid 5 minutes, 5 tries,
 *   at most one a minute and ten a day per number, twenty an hour per address.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import * as OTPAuth from 'otpauth'
import QRCode from 'qrcode'
import type { Clock } from '../../platform/clock.js'
import type { DbOrTrx } from '../../platform/db/database.js'
import { DomainError } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'

export const TOTP_ISSUER = '潮安区网上办事大厅'

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32
}

function totpFor(secret: string, label = 'account'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  })
}

export function totpUri(secret: string, label: string): string {
  return totpFor(secret, label).toString()
}

/** The QR code of the enrolment URI as inline SVG markup (no script, allowed by the CSP). */
export function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
}

/** The current code (tests and the enrolment check use it). */
export function totpCode(secret: string, at: Date): string {
  return totpFor(secret).generate({ timestamp: at.getTime() })
}

/**
 * Checks a TOTP code at `now` with one step of clock drift either way. Returns the time step
 * the code belongs to, or null. A step at or before `lastStep` is refused: a code works once.
 */
export function verifyTotp(secret: string, code: string, now: Date, lastStep: number | null): number | null {
  const clean = code.replace(/\s/g, '')
  if (!/^\d{6}$/.test(clean)) return null
  const totp = totpFor(secret)
  const delta = totp.validate({ token: clean, timestamp: now.getTime(), window: 1 })
  if (delta === null) return null
  const step = totp.counter({ timestamp: now.getTime() }) + delta
  if (lastStep !== null && step <= lastStep) return null
  return step
}

// ---------------------------------------------------------------------------------------------
// Recovery codes

const RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789' // no 0/O, 1/I

export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('')
    return `${chars.slice(0, 5)}-${chars.slice(5)}`
  })
}

function hashCode(code: string): string {
  return createHash('sha256')
    .update(code.toUpperCase().replace(/[^A-Z0-9]/g, ''))
    .digest('hex')
}

export async function replaceRecoveryCodes(
  trx: DbOrTrx,
  accountId: string,
  codes: string[],
  now: string,
): Promise<void> {
  await trx.deleteFrom('recoveryCodes').where('accountId', '=', accountId).execute()
  for (const code of codes) {
    await trx
      .insertInto('recoveryCodes')
      .values({ id: newId(), accountId, codeHash: hashCode(code), createdAt: now, usedAt: null })
      .execute()
  }
}

/** Uses a recovery code once; true when it was valid and unused. */
export async function useRecoveryCode(trx: DbOrTrx, accountId: string, code: string, now: string): Promise<boolean> {
  const result = await trx
    .updateTable('recoveryCodes')
    .set({ usedAt: now })
    .where('accountId', '=', accountId)
    .where('codeHash', '=', hashCode(code))
    .where('usedAt', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function unusedRecoveryCodes(db: DbOrTrx, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('recoveryCodes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('accountId', '=', accountId)
    .where('usedAt', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

// ---------------------------------------------------------------------------------------------
// SMS one-time codes

export const SMS_CODE_RULES = {
  ttlMs: 5 * 60_000,
  maxAttempts: 5,
  resendAfterMs: 60_000,
  perNumberPerDay: 10,
  perAddressPerHour: 20,
} as const

export type SmsPurpose = 'login' | 'register' | 'reset'

function hashSmsCode(id: string, code: string): string {
  return createHash('sha256').update(`${id}:${code}`).digest('hex')
}

const tooSoon = (seconds: number) =>
  new DomainError('SMS_TOO_SOON', 'rate_limited', `验证码已发送，请 ${seconds} 秒后再重新获取。`)
const tooMany = () =>
  new DomainError('SMS_TOO_MANY', 'rate_limited', '今天获取验证码的次数太多了，请明天再试，或拨打 12345 求助。')

/**
 * Creates a code for a number (by its blind index) and returns it for sending. Enforces the
 * resend interval and the daily and per-address limits.
 * @throws SMS_TOO_SOON, SMS_TOO_MANY (429)
 */
export async function issueSmsCode(
  trx: DbOrTrx,
  clock: Clock,
  input: { mobileIndex: string; purpose: SmsPurpose; ip?: string },
): Promise<string> {
  const now = clock.now()
  const dayAgo = new Date(now.getTime() - 24 * 3600_000).toISOString()
  const recent = await trx
    .selectFrom('smsCodes')
    .select(['createdAt'])
    .where('mobileIndex', '=', input.mobileIndex)
    .where('createdAt', '>', dayAgo)
    .orderBy('createdAt', 'desc')
    .execute()
  const last = recent[0]
  if (last) {
    const waitMs = SMS_CODE_RULES.resendAfterMs - (now.getTime() - new Date(last.createdAt).getTime())
    if (waitMs > 0) throw tooSoon(Math.ceil(waitMs / 1000))
  }
  if (recent.length >= SMS_CODE_RULES.perNumberPerDay) throw tooMany()
  if (input.ip) {
    const hourAgo = new Date(now.getTime() - 3600_000).toISOString()
    const fromIp = await trx
      .selectFrom('smsCodes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ip', '=', input.ip)
      .where('createdAt', '>', hourAgo)
      .executeTakeFirstOrThrow()
    if (Number(fromIp.n) >= SMS_CODE_RULES.perAddressPerHour) throw tooMany()
  }
  const id = newId()
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
  await trx
    .insertInto('smsCodes')
    .values({
      id,
      purpose: input.purpose,
      mobileIndex: input.mobileIndex,
      codeHash: hashSmsCode(id, code),
      attempts: 0,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SMS_CODE_RULES.ttlMs).toISOString(),
      consumedAt: null,
      ip: input.ip ?? null,
    })
    .execute()
  return code
}

/**
 * Checks and consumes the latest live code of a number for a purpose. Every wrong try counts;
 * after five the code is dead. Returns false for no code, expired, used up or wrong.
 */
export async function consumeSmsCode(
  trx: DbOrTrx,
  clock: Clock,
  input: { mobileIndex: string; purpose: SmsPurpose; code: string },
): Promise<boolean> {
  const now = clock.now().toISOString()
  const row = await trx
    .selectFrom('smsCodes')
    .selectAll()
    .where('mobileIndex', '=', input.mobileIndex)
    .where('purpose', '=', input.purpose)
    .where('consumedAt', 'is', null)
    .where('expiresAt', '>', now)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!row || row.attempts >= SMS_CODE_RULES.maxAttempts) return false
  const given = Buffer.from(hashSmsCode(row.id, input.code.replace(/\s/g, '')))
  const ok = timingSafeEqual(given, Buffer.from(row.codeHash))
  await trx
    .updateTable('smsCodes')
    .set(ok ? { consumedAt: now, attempts: row.attempts + 1 } : { attempts: row.attempts + 1 })
    .where('id', '=', row.id)
    .execute()
  return ok
}

/** A random token for a page that continues a flow (e.g. registration after the SMS step). */
export function randomToken(): string {
  return randomBytes(24).toString('base64url')
}
