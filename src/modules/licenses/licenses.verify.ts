/**
 * Verification without the database: what an offline verifier with the published seal keys
 * (/.well-known/seal-keys.json) does with a scanned payload. The service adds the library's
 * view (revoked, superseded) on top.
 */
import { type DecodedPayload, decodePayload, type SignedLicense } from './licenses.canonical.js'
import { validateIdentifier } from './licenses.identifier.js'
import { sm2Verify } from './licenses.sm2.js'
import type { LicenseStatus } from './licenses.tables.js'

/** A published seal key, as a verifier holds it. */
export interface PublicSealKey {
  keyId: string
  publicKeyHex: string
  /** The issuing department's unified social credit code. */
  issuerCreditCode: string
  /** ISO instants; validTo null while the key is in use. */
  validFrom: string
  validTo: string | null
}

export type VerificationState = 'valid' | 'expired' | 'revoked' | 'superseded' | 'unknown' | 'tampered'

export const STATE_LABELS: Record<VerificationState, string> = {
  valid: '有效',
  expired: '已过期',
  revoked: '已注销',
  superseded: '已被新版本替代',
  unknown: '未找到',
  tampered: '被篡改',
}

export const TAMPER_REASONS = {
  signature: '电子签名验证失败：证照内容已被改动，或不是本平台签发的。',
  unknownKey: '签名所用的印章密钥不在本平台公布的印章密钥中。',
  otherIssuer: '签名所用的印章密钥不属于证照上的颁发机构。',
  outsideKeyValidity: '签发时间不在该印章密钥的使用期内。',
  identifierMismatch: '证照标识的格式或校验位不正确。',
  recordMismatch: '电子签名有效，但与电子证照库中的记录不一致。',
  recordChanged: '电子证照库中的记录与签名时的内容不一致，记录已被改动。',
  missingSignature: '电子证照库中没有这份证照的有效签名。',
} as const

/**
 * Checks everything the signed bytes promise about themselves and their key: the identifier is
 * well formed (check character); the key is the one named, belongs to the issuer the identifier
 * names and was in use at issuedAt; the SM2 signature. Returns the reason it fails, or undefined.
 */
export function signatureProblem(
  bytes: Uint8Array,
  signatureHex: string,
  license: SignedLicense,
  key: PublicSealKey | undefined,
): string | undefined {
  const id = validateIdentifier(license.identifier)
  if (!id.ok || id.value !== license.identifier) return TAMPER_REASONS.identifierMismatch
  if (!key || key.keyId !== license.keyId) return TAMPER_REASONS.unknownKey
  if (key.issuerCreditCode !== id.parts.issuerCode) return TAMPER_REASONS.otherIssuer
  if (license.issuedAt < key.validFrom || (key.validTo !== null && license.issuedAt >= key.validTo)) {
    return TAMPER_REASONS.outsideKeyValidity
  }
  return sm2Verify(bytes, signatureHex, key.publicKeyHex) ? undefined : TAMPER_REASONS.signature
}

export type OfflineCheck =
  | { ok: true; license: SignedLicense; bytes: Buffer; key: PublicSealKey }
  | { ok: false; message: string; license?: SignedLicense }

/** Decodes a QR payload and checks its signature against the published keys. */
export function checkPayload(payload: string, keys: readonly PublicSealKey[]): OfflineCheck {
  const decoded: DecodedPayload = decodePayload(payload)
  if (!decoded.ok) return decoded
  const key = keys.find((k) => k.keyId === decoded.license.keyId)
  const problem = signatureProblem(decoded.bytes, decoded.signatureHex, decoded.license, key)
  if (problem || !key) return { ok: false, message: problem ?? TAMPER_REASONS.unknownKey, license: decoded.license }
  return { ok: true, license: decoded.license, bytes: decoded.bytes, key }
}

/**
 * The state of a stored license on a day: revoked and superseded are stored; expired follows
 * from valid_to (the last day it is valid) and today in Asia/Shanghai.
 */
export function stateOn(status: LicenseStatus, validTo: string | null, today: string): VerificationState {
  if (status === 'revoked') return 'revoked'
  if (status === 'superseded') return 'superseded'
  return validTo !== null && validTo < today ? 'expired' : 'valid'
}
