/**
 * 电子证照标识 (GB/T 36904-2018), as DOMAIN.md §5 describes it:
 *
 *     1.2.156.3005.2.<证照类型代码 21>.<颁发机构代码 18>.<流水号>.<版本号 3>.<校验位>
 *
 * - 证照类型代码: the defining agency's unified social credit code (18) + 3 digits;
 * - 颁发机构代码: the issuing agency's unified social credit code;
 * - 流水号 (serial): for licenses issued here, the year of first issue (Asia/Shanghai) and a
 *   7-digit sequence per issuing department, license type and year: `2026` + `0000123` →
 *   `20260000123` (11 digits, as in the published examples). Identifiers from elsewhere may use
 *   other serials (1–32 characters of 0-9 A-Z);
 * - 版本号: 001 for the first issue, 002 for the first re-issue, …; the serial stays;
 * - 校验位: ISO/IEC 7064 MOD 37,36 (hybrid system, alphabet 0-9 A-Z) over type code + issuer
 *   code + serial + version, concatenated without the dots.
 */
import { sql } from 'kysely'
import type { DbOrTrx } from '../../platform/db/database.js'

export const IDENTIFIER_PREFIX = '1.2.156.3005.2.'
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
/** Digits of the sequence part of a serial issued here. */
export const SERIAL_SEQUENCE_DIGITS = 7

export interface IdentifierParts {
  typeCode: string
  issuerCode: string
  serial: string
  /** 1–999 */
  version: number
}

export type IdentifierCheck = { ok: true; value: string; parts: IdentifierParts } | { ok: false; message: string }

/**
 * ISO/IEC 7064 MOD 37,36: P starts at 36; for each character, S = (P + value) mod 36 (0 → 36),
 * P = 2·S mod 37; the check character c makes (P + c) mod 36 = 1.
 * @throws Error when the text holds a character outside 0-9 A-Z
 */
export function mod3736CheckCharacter(text: string): string {
  let p = 36
  for (const character of text) {
    const value = ALPHABET.indexOf(character)
    if (value < 0) throw new Error(`character ${character} is not in 0-9 A-Z`)
    let s = (p + value) % 36
    if (s === 0) s = 36
    p = (s * 2) % 37
  }
  return ALPHABET[(37 - p) % 36]!
}

const TYPE_CODE = /^[0-9A-Z]{18}\d{3}$/
const ISSUER_CODE = /^[0-9A-Z]{18}$/
const SERIAL = /^[0-9A-Z]{1,32}$/

/** The identifier of a license version, with its check character. */
export function formatIdentifier(parts: IdentifierParts): string {
  if (!TYPE_CODE.test(parts.typeCode)) throw new Error(`license type code must be 18 + 3 characters: ${parts.typeCode}`)
  if (!ISSUER_CODE.test(parts.issuerCode)) throw new Error(`issuer code must be 18 characters: ${parts.issuerCode}`)
  if (!SERIAL.test(parts.serial)) throw new Error(`serial must be 1-32 of 0-9 A-Z: ${parts.serial}`)
  if (!Number.isInteger(parts.version) || parts.version < 1 || parts.version > 999) {
    throw new Error(`version must be 1-999: ${parts.version}`)
  }
  const version = String(parts.version).padStart(3, '0')
  const check = mod3736CheckCharacter(`${parts.typeCode}${parts.issuerCode}${parts.serial}${version}`)
  return `${IDENTIFIER_PREFIX}${parts.typeCode}.${parts.issuerCode}.${parts.serial}.${version}.${check}`
}

/** What people paste: full-width characters, spaces, lower case. */
export function normaliseIdentifier(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase()
}

/** Checks an identifier's form and check character; messages for people, in Chinese. */
export function validateIdentifier(raw: string): IdentifierCheck {
  const value = normaliseIdentifier(raw)
  if (value === '') return { ok: false, message: '请填写电子证照标识' }
  if (!value.startsWith(IDENTIFIER_PREFIX)) {
    return { ok: false, message: `电子证照标识应以「${IDENTIFIER_PREFIX}」开头` }
  }
  const segments = value.slice(IDENTIFIER_PREFIX.length).split('.')
  if (segments.length !== 5) {
    return {
      ok: false,
      message:
        '电子证照标识格式不正确：前缀之后应依次为证照类型代码、颁发机构代码、流水号、版本号和校验位，用「.」分隔',
    }
  }
  const [typeCode, issuerCode, serial, version, check] = segments as [string, string, string, string, string]
  if (!TYPE_CODE.test(typeCode)) {
    return { ok: false, message: '证照类型代码应为21位：18位统一社会信用代码加3位数字' }
  }
  if (!ISSUER_CODE.test(issuerCode)) {
    return { ok: false, message: '颁发机构代码应为18位统一社会信用代码（数字或大写字母）' }
  }
  if (!SERIAL.test(serial)) return { ok: false, message: '流水号应为1至32位数字或大写字母' }
  if (!/^\d{3}$/.test(version) || version === '000') return { ok: false, message: '版本号应为3位数字（001至999）' }
  if (!/^[0-9A-Z]$/.test(check)) return { ok: false, message: '校验位应为1位数字或大写字母' }
  if (mod3736CheckCharacter(`${typeCode}${issuerCode}${serial}${version}`) !== check) {
    return { ok: false, message: '校验位不正确，请核对电子证照标识是否抄写有误' }
  }
  return { ok: true, value, parts: { typeCode, issuerCode, serial, version: Number(version) } }
}

/**
 * The next serial for a department, license type and year, taken in the caller's transaction:
 * one upsert on the counter row, which PostgreSQL locks until commit (SQLite serialises writers),
 * so two issues never share a serial and a rolled-back issue gives its number back.
 * @throws Error after 9,999,999 licenses of one type from one department in one year
 */
export async function nextSerial(trx: DbOrTrx, issuerCode: string, licenseType: string, year: string): Promise<string> {
  const key = `${issuerCode}:${licenseType}:${year}`
  const row = await sql<{ lastSeq: number }>`
    insert into license_counters (counter_key, last_seq) values (${key}, 1)
    on conflict (counter_key) do update set last_seq = license_counters.last_seq + 1
    returning last_seq`.execute(trx)
  const seq = Number(row.rows[0]!.lastSeq)
  if (seq >= 10 ** SERIAL_SEQUENCE_DIGITS) throw new Error(`license serials of ${key} are used up`)
  return `${year}${String(seq).padStart(SERIAL_SEQUENCE_DIGITS, '0')}`
}
