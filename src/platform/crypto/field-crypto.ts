/**
 * Encryption of the most sensitive columns (ID number, phone, address) at rest, and blind
 * indexes for exact lookup (SECURITY.md, personal data):
 *
 *   ciphertext = "<keyId>:" + base64( iv(16) ‖ SM4-CTR(encKey, iv, plaintext) ‖ HMAC-SM3(macKey, keyId ‖ iv ‖ ct)(32) )
 *   blind index = hex( HMAC-SM3(indexKey, normalised value) )
 *
 * Encrypt-then-MAC, because node:crypto has SM4-CTR but no SM4-GCM. Each 32-byte key is split:
 * bytes 0–15 encrypt, 16–31 authenticate. Keys rotate: new values use the first key of the ring,
 * old values still decrypt with the key their prefix names. The blind-index key never rotates
 * without a re-index (it must stay stable for lookups).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

export interface DataKey {
  id: string
  /** 32 bytes: 16 for SM4, 16 for HMAC-SM3. */
  key: Buffer
}

export class FieldCrypto {
  private readonly byId: Map<string, DataKey>
  private readonly current: DataKey

  constructor(
    keys: DataKey[],
    private readonly indexKey: Buffer,
  ) {
    if (keys.length === 0) throw new Error('FieldCrypto needs at least one key')
    for (const k of keys) {
      if (k.key.length !== 32) throw new Error(`data key ${k.id} must be 32 bytes`)
      if (!/^[A-Za-z0-9_-]{1,16}$/.test(k.id)) throw new Error(`data key id ${k.id} must be 1-16 of A-Z a-z 0-9 _ -`)
    }
    this.current = keys[0]!
    this.byId = new Map(keys.map((k) => [k.id, k]))
  }

  encrypt(plaintext: string): string {
    const { id, key } = this.current
    const iv = randomBytes(16)
    const cipher = createCipheriv('sm4-ctr', key.subarray(0, 16), iv)
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    const mac = this.mac(key, id, iv, ct)
    return `${id}:${Buffer.concat([iv, ct, mac]).toString('base64')}`
  }

  decrypt(value: string): string {
    const colon = value.indexOf(':')
    const id = value.slice(0, colon)
    const key = this.byId.get(id)
    if (colon < 1 || !key) throw new Error('encrypted value names an unknown key')
    const raw = Buffer.from(value.slice(colon + 1), 'base64')
    if (raw.length < 48) throw new Error('encrypted value is too short')
    const iv = raw.subarray(0, 16)
    const ct = raw.subarray(16, raw.length - 32)
    const mac = raw.subarray(raw.length - 32)
    if (!timingSafeEqual(mac, this.mac(key.key, id, iv, ct))) throw new Error('encrypted value failed authentication')
    const decipher = createDecipheriv('sm4-ctr', key.key.subarray(0, 16), iv)
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8')
  }

  /** Deterministic keyed hash for exact-match lookup; the caller normalises first. */
  blindIndex(value: string): string {
    return createHmac('sm3', this.indexKey).update(value, 'utf8').digest('hex')
  }

  /** True when the value was encrypted with an older key and should be re-encrypted. */
  needsRotation(value: string): boolean {
    return !value.startsWith(`${this.current.id}:`)
  }

  private mac(key: Buffer, id: string, iv: Buffer, ct: Buffer): Buffer {
    return createHmac('sm3', key.subarray(16)).update(id).update(iv).update(ct).digest()
  }
}

/**
 * Reads `DATA_KEYS` ("id:base64,id:base64", first is current) and `DATA_INDEX_KEY` (base64);
 * without them (development), creates and keeps a key file in DATA_DIR so data stays readable
 * across restarts. Production refuses to start without configured keys (see config.ts).
 */
export function loadFieldCrypto(
  env: Record<string, string | undefined>,
  dataDir: string,
  inMemory: boolean,
): FieldCrypto {
  const configured = env.DATA_KEYS?.trim()
  if (configured) {
    const keys = configured.split(',').map((part) => {
      const [id, b64] = part.trim().split(':')
      return { id: id ?? '', key: Buffer.from(b64 ?? '', 'base64') }
    })
    const indexKey = Buffer.from(env.DATA_INDEX_KEY ?? '', 'base64')
    if (indexKey.length < 16) throw new Error('DATA_INDEX_KEY must be at least 16 bytes (base64)')
    return new FieldCrypto(keys, indexKey)
  }
  if (inMemory) return new FieldCrypto([{ id: 'test', key: randomBytes(32) }], randomBytes(32))
  const file = path.join(dataDir, 'dev-keys.json')
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true })
    const fresh = {
      keys: [{ id: 'dev1', key: randomBytes(32).toString('base64') }],
      indexKey: randomBytes(32).toString('base64'),
    }
    fs.writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600 })
  }
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { keys: { id: string; key: string }[]; indexKey: string }
  return new FieldCrypto(
    stored.keys.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') })),
    Buffer.from(stored.indexKey, 'base64'),
  )
}
