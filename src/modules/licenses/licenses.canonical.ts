/**
 * The signed form of a license version and the compact payload of its QR code (docs/licenses.md).
 *
 * ## Canonical form (version 1)
 *
 * The bytes that are signed are the UTF-8 encoding of one JSON object, written with no whitespace
 * and with the members of every object sorted by key (UTF-16 code units; every key is ASCII):
 *
 *     { "data": { <field>: <string>, … },          the face's fields, values always strings
 *       "holder": { "key", "kind", "name" },        key: a person's masked ID number
 *                                                   (445103********0029) or an enterprise's credit code
 *       "identifier": "1.2.156.3005.2.….001.X",      carries the type code, the issuer's credit code,
 *                                                   the serial and the version
 *       "issuedAt": "2026-11-27T03:04:05.678Z",      UTC, as Date#toISOString writes it
 *       "keyId": "<16 hex>",                        the seal key (first 16 hex of SM3 over its SPKI)
 *       "typeName": "食品经营许可证",
 *       "validFrom": "YYYY-MM-DD", "validTo": "YYYY-MM-DD" | null }
 *
 * Nothing the identifier or the published key already says is repeated, because QR codes are
 * small: the identifier carries the license type code, the issuer's credit code, the serial and
 * the version; the key list (/.well-known/seal-keys.json) gives the issuing department's name.
 * Version 1 has no format member; a later version of this form will add one, so the two can never
 * be confused.
 *
 * Strings are written as JSON.stringify writes them (non-ASCII characters as themselves; `"`,
 * `\` and control characters escaped). For these values (strings, small integers, null, objects
 * with ASCII keys) that is exactly RFC 8785 (JCS), so other languages can reproduce it. A verifier
 * of a QR payload does not have to: it checks the signature over the bytes it was given.
 *
 * ## QR payload (YWL1)
 *
 *     YWL1.<base64url(canonical bytes)>.<base64url(DER signature)>
 *
 * base64url without padding (RFC 4648 §5). Every part is checked strictly: a character outside
 * the alphabet, padding, unused bits set, or bytes that are not in canonical form are refused
 * before the signature is even looked at.
 */
import type { HolderKind } from './licenses.tables.js'

/** The QR payload's prefix, which also names the canonical form (version 1). */
export const PAYLOAD_PREFIX = 'YWL1'

/** What a license version says, as signed. */
export interface SignedLicense {
  identifier: string
  typeName: string
  holder: { kind: HolderKind; name: string; key: string }
  data: Record<string, string>
  validFrom: string
  validTo: string | null
  issuedAt: string
  keyId: string
}

export const FIELD_KEY = /^[a-z][a-z0-9_]{0,39}$/
const DAY = /^\d{4}-\d{2}-\d{2}$/
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** JSON with object members sorted by key at every depth and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) throw new Error('arrays are not part of the signed form')
      const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
    }
    default:
      throw new Error(`not part of the signed form: ${typeof value}`)
  }
}

export function canonicalBytes(license: SignedLicense): Buffer {
  return Buffer.from(canonicalJson(license), 'utf8')
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function hasExactly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(value)
  return own.length === keys.length && keys.every((k) => Object.hasOwn(value, k))
}

const isString = (v: unknown): v is string => typeof v === 'string'

/** The shape of a signed license, checked member by member (no extra members anywhere). */
export function isSignedLicense(value: unknown): value is SignedLicense {
  if (!isPlainObject(value)) return false
  const keys = ['data', 'holder', 'identifier', 'issuedAt', 'keyId', 'typeName', 'validFrom', 'validTo']
  if (!hasExactly(value, keys)) return false
  const { data, holder } = value
  if (!isString(value.identifier) || !isString(value.typeName)) return false
  if (!isString(value.keyId) || !/^[0-9a-f]{16}$/.test(value.keyId)) return false
  if (!isString(value.issuedAt) || !INSTANT.test(value.issuedAt)) return false
  if (!isString(value.validFrom) || !DAY.test(value.validFrom)) return false
  if (value.validTo !== null && (!isString(value.validTo) || !DAY.test(value.validTo))) return false
  if (!isPlainObject(holder) || !hasExactly(holder, ['key', 'kind', 'name'])) return false
  if (holder.kind !== 'person' && holder.kind !== 'enterprise') return false
  if (!isString(holder.key) || !isString(holder.name)) return false
  if (!isPlainObject(data)) return false
  return Object.entries(data).every(([k, v]) => FIELD_KEY.test(k) && isString(v))
}

/**
 * Reads canonical bytes back. Undefined unless the bytes are valid UTF-8, a signed license by
 * shape, and exactly the canonical form of what they say (one document has one byte form).
 */
export function parseCanonical(bytes: Uint8Array): SignedLicense | undefined {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isSignedLicense(value)) return undefined
  return canonicalJson(value) === text ? value : undefined
}

const BASE64URL = /^[A-Za-z0-9_-]+$/

/** Strict base64url: the alphabet only, no padding, no stray bits (it must encode back the same). */
export function decodeBase64url(text: string): Buffer | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined
  const bytes = Buffer.from(text, 'base64url')
  return bytes.toString('base64url') === text ? bytes : undefined
}

export function encodePayload(canonical: Uint8Array, signatureDerHex: string): string {
  return `${PAYLOAD_PREFIX}.${Buffer.from(canonical).toString('base64url')}.${Buffer.from(signatureDerHex, 'hex').toString('base64url')}`
}

export type DecodedPayload =
  | { ok: true; bytes: Buffer; license: SignedLicense; signatureHex: string }
  | { ok: false; message: string }

/** Splits and decodes a payload; nothing here trusts it yet (the signature is checked by the caller). */
export function decodePayload(payload: string): DecodedPayload {
  const parts = payload.split('.')
  if (parts.length !== 3 || parts[0] !== PAYLOAD_PREFIX) {
    return { ok: false, message: `二维码内容不是本平台的电子证照（应以「${PAYLOAD_PREFIX}.」开头，由三段组成）` }
  }
  const bytes = decodeBase64url(parts[1]!)
  const signature = decodeBase64url(parts[2]!)
  if (!bytes || !signature) return { ok: false, message: '二维码内容已损坏：编码不正确' }
  const license = parseCanonical(bytes)
  if (!license) return { ok: false, message: '二维码内容已损坏：证照信息格式不正确' }
  return { ok: true, bytes, license, signatureHex: signature.toString('hex') }
}
