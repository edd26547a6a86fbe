/**
 * Tamper campaigns (SECURITY.md target: "single-byte changes to signed licenses: all rejected"):
 * change one byte at a random place of a signed license and check that verification refuses it.
 * Half of the changes hit the canonical bytes and go straight to the SM2 verification; the other
 * half hit the QR payload text and go through the whole offline check (decoding, canonical form,
 * key, signature). Deterministic for a seed, so a failure can be replayed.
 * The unit test runs UNIT_TEST_MUTATIONS; a benchmark can run more (10,000 in the hardening round).
 */
import { encodePayload } from './licenses.canonical.js'
import { sm2Verify } from './licenses.sm2.js'
import { checkPayload, type PublicSealKey } from './licenses.verify.js'

export const UNIT_TEST_MUTATIONS = 2000

/** mulberry32: a small seeded generator, enough to pick places and bytes. */
function generator(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface TamperReport {
  tried: number
  /** Changes that verification accepted (must stay empty), described for replay. */
  accepted: string[]
}

export function tamperCampaign(input: {
  bytes: Uint8Array
  signatureHex: string
  key: PublicSealKey
  count: number
  seed: number
}): TamperReport {
  const random = generator(input.seed)
  const pick = (n: number) => Math.floor(random() * n)
  const payload = encodePayload(input.bytes, input.signatureHex)
  const accepted: string[] = []
  for (let i = 0; i < input.count; i++) {
    if (i % 2 === 0) {
      const bytes = Buffer.from(input.bytes)
      const at = pick(bytes.length)
      const old = bytes[at]!
      bytes[at] = (old + 1 + pick(255)) % 256
      if (sm2Verify(bytes, input.signatureHex, input.key.publicKeyHex)) {
        accepted.push(`canonical byte ${at}: ${old} → ${bytes[at]}`)
      }
    } else {
      const at = pick(payload.length)
      const old = payload.charCodeAt(at)
      const replacement = String.fromCharCode((old + 1 + pick(255)) % 256)
      const changed = payload.slice(0, at) + replacement + payload.slice(at + 1)
      if (checkPayload(changed, [input.key]).ok) {
        accepted.push(`payload character ${at}: ${old} → ${replacement.charCodeAt(0)}`)
      }
    }
  }
  return { tried: input.count, accepted }
}
