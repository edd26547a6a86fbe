/**
 * The provider's signing keys (JWKS): RS256 (every relying party supports it) and ES256.
 * Generated once by whichever node starts first and stored in `oidc_keys`, the private half
 * encrypted with the platform's field encryption, so every node signs with the same keys and
 * publishes the same JWKS. Rotation: add a key in a new slot (e.g. RS256#2), publish it for a
 * while, then retire the old one (active = 0).
 */
import { createHash, generateKeyPairSync, type JsonWebKey } from 'node:crypto'
import type { JWK } from 'oidc-provider'
import type { Deps } from '../../platform/deps.js'
import { insertKeyIfAbsent, listActiveKeys } from './sso.repository.js'

const SLOTS = [
  { slot: 'RS256#1', alg: 'RS256' },
  { slot: 'ES256#1', alg: 'ES256' },
] as const

/** RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url')
}

function generate(alg: 'RS256' | 'ES256'): { privateJwk: JsonWebKey; publicJwk: JsonWebKey } {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { privateJwk: pair.privateKey.export({ format: 'jwk' }), publicJwk: pair.publicKey.export({ format: 'jwk' }) }
}

/** The private JWKS for oidc-provider, creating the keys on first use. */
export async function loadSigningKeys(deps: Deps): Promise<{ keys: JWK[] }> {
  let rows = await listActiveKeys(deps.db)
  const missing = SLOTS.filter((s) => !rows.some((r) => r.slot === s.slot))
  if (missing.length > 0) {
    for (const { slot, alg } of missing) {
      const { privateJwk, publicJwk } = generate(alg)
      const kid = jwkThumbprint(publicJwk)
      const meta = { kid, alg, use: 'sig' }
      await insertKeyIfAbsent(deps.db, {
        slot,
        kid,
        alg,
        publicJwk: JSON.stringify({ ...publicJwk, ...meta }),
        privateJwkEnc: deps.fieldCrypto.encrypt(JSON.stringify({ ...privateJwk, ...meta })),
        active: 1,
        createdAt: deps.clock.now().toISOString(),
      })
    }
    rows = await listActiveKeys(deps.db)
  }
  // RS256 first: oidc-provider signs with the first key that fits the algorithm.
  const order = (alg: string) => (alg === 'RS256' ? 0 : 1)
  return {
    keys: rows
      .sort((a, b) => order(a.alg) - order(b.alg) || a.slot.localeCompare(b.slot))
      .map((r) => JSON.parse(deps.fieldCrypto.decrypt(r.privateJwkEnc)) as JWK),
  }
}
