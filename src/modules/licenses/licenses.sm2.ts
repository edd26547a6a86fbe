/**
 * SM2 signatures (GB/T 32918) with SM3 (GB/T 32905) and the default distinguishing ID
 * `1234567812345678` (GB/T 35276), through sm-crypto. node:crypto cannot set that ID (DOMAIN.md
 * §5), so its SM2 signatures do not verify elsewhere; sm-crypto's do (OpenSSL 3 checks them in
 * licenses.openssl.test.ts).
 *
 * sm-crypto with `hash: true` computes e = SM3(Z ‖ M), Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA),
 * and its ID defaults to '1234567812345678' (node_modules/sm-crypto/src/sm2/index.js, getHash);
 * we pass it explicitly all the same, so a change of default upstream changes nothing here.
 *
 * Randomness: sm-crypto draws keys and per-signature nonces from an RC4 stream seeded once per
 * process. The state's seals deserve the operating system's generator, so keys and nonces here
 * come from node:crypto (`randomBytes`), handed to sm-crypto as the key seed and the `pointPool`.
 */
import { createHash, randomBytes } from 'node:crypto'
import { sm2 } from 'sm-crypto'

export const SM2_USER_ID = '1234567812345678'
/** The OpenSSL 3 command line that verifies our signatures (DOMAIN.md §5). */
export const OPENSSL_VERIFY_COMMAND =
  'openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in data -sigfile sig.der -digest sm3 -pkeyopt distid:1234567812345678'

/**
 * SubjectPublicKeyInfo up to the point: SEQUENCE { SEQUENCE { id-ecPublicKey 1.2.840.10045.2.1,
 * sm2 1.2.156.10197.1.301 }, BIT STRING (0 unused bits) … }, for a 65-byte uncompressed point.
 */
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex')
const POINT_HEX = /^04[0-9a-f]{128}$/
const PRIVATE_HEX = /^[0-9a-f]{64}$/

export interface Sm2KeyPair {
  /** 64 hex digits. */
  privateKeyHex: string
  /** Uncompressed point 04‖x‖y, 130 hex digits. */
  publicKeyHex: string
}

// sm-crypto 0.5 takes a seed for the key (passed to jsbn's BigInteger(hex, 16)); its types predate it.
const generateKeyPairHex = sm2.generateKeyPairHex as (seedHex?: string, radix?: number) => sm2KeyPairHex
type sm2KeyPairHex = { privateKey: string; publicKey: string }

/** 320 random bits, reduced mod n−1 by sm-crypto: the bias is below 2⁻⁶⁴. */
function seedHex(): string {
  return randomBytes(40).toString('hex')
}

export function generateSm2KeyPair(): Sm2KeyPair {
  const pair = generateKeyPairHex(seedHex(), 16)
  return { privateKeyHex: pair.privateKey, publicKeyHex: pair.publicKey.toLowerCase() }
}

type Point = ReturnType<typeof sm2.getPoint>
let BigIntegerOfSmCrypto: (new (value: string, radix: number) => Point['k']) | undefined

/**
 * A signature nonce k with x1 = (k·G).x, from the operating system's generator, in the form
 * sm-crypto's `pointPool` takes. (sm-crypto's BigInteger class is taken from one of its own
 * points, so no second copy of jsbn is needed.)
 */
function noncePoint(): Point {
  BigIntegerOfSmCrypto ??= sm2.getPoint().k.constructor as new (value: string, radix: number) => Point['k']
  const pair = generateKeyPairHex(seedHex(), 16)
  return {
    ...pair,
    k: new BigIntegerOfSmCrypto(pair.privateKey, 16),
    x1: new BigIntegerOfSmCrypto(pair.publicKey.slice(2, 66), 16),
  }
}

/** Signs the bytes; returns the DER signature (SEQUENCE { r, s }) in hex. */
export function sm2Sign(message: Uint8Array, key: Sm2KeyPair): string {
  if (!PRIVATE_HEX.test(key.privateKeyHex)) throw new Error('SM2 private key must be 64 hex digits')
  return sm2.doSignature(Array.from(message), key.privateKeyHex, {
    hash: true,
    der: true,
    userId: SM2_USER_ID,
    publicKey: key.publicKeyHex,
    pointPool: [noncePoint()],
  })
}

/** True only for a DER signature of these exact bytes by this public key. */
export function sm2Verify(message: Uint8Array, signatureDerHex: string, publicKeyHex: string): boolean {
  if (!POINT_HEX.test(publicKeyHex) || !/^30[0-9a-f]{10,200}$/.test(signatureDerHex)) return false
  try {
    return sm2.doVerifySignature(Array.from(message), signatureDerHex, publicKeyHex, {
      hash: true,
      der: true,
      userId: SM2_USER_ID,
    })
  } catch {
    return false
  }
}

/** SubjectPublicKeyInfo (DER) of an uncompressed SM2 point. */
export function spkiDer(publicKeyHex: string): Buffer {
  if (!POINT_HEX.test(publicKeyHex)) throw new Error('SM2 public key must be an uncompressed point (04 + 128 hex)')
  return Buffer.concat([SPKI_PREFIX, Buffer.from(publicKeyHex, 'hex')])
}

export function spkiPem(publicKeyHex: string): string {
  const lines =
    spkiDer(publicKeyHex)
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`
}

/** The point of an SM2 public key in SPKI PEM form, or undefined when it is not one. */
export function publicKeyHexFromPem(pem: string): string | undefined {
  const body = /-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/.exec(pem)?.[1]
  if (!body) return undefined
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64')
  if (der.length !== SPKI_PREFIX.length + 65 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX))
    return undefined
  const hex = der.subarray(SPKI_PREFIX.length).toString('hex')
  return POINT_HEX.test(hex) ? hex : undefined
}

/** SM3 of the SPKI DER, lower-case hex: the key's fingerprint. Its first 16 digits are the key id. */
export function keyFingerprint(publicKeyHex: string): string {
  return createHash('sm3').update(spkiDer(publicKeyHex)).digest('hex')
}

export function keyIdOf(publicKeyHex: string): string {
  return keyFingerprint(publicKeyHex).slice(0, 16)
}

export function sm3Hex(bytes: Uint8Array): string {
  return createHash('sm3').update(bytes).digest('hex')
}
