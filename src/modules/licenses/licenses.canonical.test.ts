import { describe, expect, it } from 'vitest'
import {
  canonicalBytes,
  canonicalJson,
  decodeBase64url,
  decodePayload,
  encodePayload,
  parseCanonical,
  type SignedLicense,
} from './licenses.canonical.js'
import { formatIdentifier } from './licenses.identifier.js'
import {
  generateSm2KeyPair,
  keyFingerprint,
  keyIdOf,
  publicKeyHexFromPem,
  sm2Sign,
  sm2Verify,
  spkiPem,
} from './licenses.sm2.js'
import { tamperCampaign, UNIT_TEST_MUTATIONS } from './licenses.tamper.js'
import { checkPayload, type PublicSealKey, stateOn, TAMPER_REASONS } from './licenses.verify.js'

const SCJ = '11445103005126091E'
const pair = generateSm2KeyPair()
const key: PublicSealKey = {
  keyId: keyIdOf(pair.publicKeyHex),
  publicKeyHex: pair.publicKeyHex,
  issuerCreditCode: SCJ,
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: null,
}

function sample(overrides: Partial<SignedLicense> = {}): SignedLicense {
  return {
    identifier: formatIdentifier({ typeCode: `${SCJ}002`, issuerCode: SCJ, serial: '20260000001', version: 1 }),
    typeName: '食品经营许可证',
    holder: { kind: 'enterprise', name: '潮州市潮安区庵埠镇示例餐饮店', key: '92445103MA4XXXXX1R' },
    data: {
      legal_representative: '陈晓燕',
      address: '广东省潮州市潮安区庵埠镇示例路1号',
      premises: '广东省潮州市潮安区庵埠镇示例路1号首层',
      main_business: '餐饮服务经营者（小型餐馆）',
      business_items: '热食类食品制售；冷食类食品制售（不含生食）',
      license_no: 'JY24451030000001',
    },
    validFrom: '2026-03-02',
    validTo: '2031-03-01',
    issuedAt: '2026-03-02T02:00:00.000Z',
    keyId: key.keyId,
    ...overrides,
  }
}

describe('the canonical form', () => {
  it('writes sorted members without whitespace, whatever order the object was built in', () => {
    const a = sample()
    const reversed = (o: object) => Object.fromEntries(Object.entries(o).reverse())
    const b = { ...reversed(a), holder: reversed(a.holder), data: reversed(a.data) } as SignedLicense
    expect(Object.keys(b)[0]).not.toBe(Object.keys(a)[0])
    expect(canonicalBytes(b).equals(canonicalBytes(a))).toBe(true)
    const text = canonicalBytes(a).toString('utf8')
    expect(text).not.toMatch(/\s(?=["{}[\],:])|[:,]\s/)
    expect(text.startsWith('{"data":{"address":')).toBe(true)
    expect(text).toContain('"holder":{"key":"92445103MA4XXXXX1R","kind":"enterprise","name":')
    expect(text.endsWith(`"typeName":"食品经营许可证","validFrom":"2026-03-02","validTo":"2031-03-01"}`)).toBe(true)
  })

  it('writes non-ASCII characters as UTF-8 and escapes quotes and control characters as JSON does', () => {
    expect(canonicalJson({ b: '潮"\n', a: null })).toBe('{"a":null,"b":"潮\\"\\n"}')
    expect(() => canonicalJson({ a: 1 })).toThrow()
    expect(() => canonicalJson({ a: [1] })).toThrow()
  })

  it('reads its own bytes back, and refuses any other spelling of the same document', () => {
    const bytes = canonicalBytes(sample())
    expect(parseCanonical(bytes)).toEqual(sample())
    const text = bytes.toString('utf8')
    const variants = [
      JSON.stringify(sample(), null, 1), // whitespace
      JSON.stringify(sample()), // members in insertion order
      text.replace('"validTo":"2031-03-01"}', '"validTo":"2031-03-01","validTo":"2031-03-01"}'),
      text.replace('"validTo":"2031-03-01"}', '"validTo":"2031-03-01","version":1}'),
      text.replace('{"data":{', '{"extra":"x","data":{'),
      text.replace('"kind":"enterprise"', '"kind":"company"'),
      text.replace('"validTo":"2031-03-01"', '"validTo":"2031-3-1"'),
    ]
    for (const v of variants) expect(parseCanonical(Buffer.from(v, 'utf8')), v.slice(0, 60)).toBeUndefined()
    expect(parseCanonical(Buffer.from([0xff, 0xfe, 0x7b]))).toBeUndefined()
  })

  it('decodes base64url strictly: no padding, no stray characters, no unused bits', () => {
    expect(decodeBase64url('YWJj')?.toString()).toBe('abc')
    expect(decodeBase64url('YWJjZA')?.toString()).toBe('abcd')
    for (const bad of ['YWJjZA==', 'YWJj ZA', 'YWJj+A', 'YWJjZB', 'Y', ''])
      expect(decodeBase64url(bad), bad).toBeUndefined()
  })
})

describe('SM2 signatures over the canonical bytes', () => {
  const bytes = canonicalBytes(sample())
  const signature = sm2Sign(bytes, pair)

  it('verifies with the signer’s public key only', () => {
    expect(signature).toMatch(/^30[0-9a-f]+$/)
    expect(sm2Verify(bytes, signature, pair.publicKeyHex)).toBe(true)
    expect(sm2Verify(bytes, signature, generateSm2KeyPair().publicKeyHex)).toBe(false)
    expect(sm2Verify(bytes, 'zz', pair.publicKeyHex)).toBe(false)
  })

  it('signs with a fresh nonce every time (two signatures of the same bytes differ, both verify)', () => {
    const again = sm2Sign(bytes, pair)
    expect(again).not.toBe(signature)
    expect(sm2Verify(bytes, again, pair.publicKeyHex)).toBe(true)
  })

  it('round-trips the public key through SPKI PEM and names it by its SM3 fingerprint', () => {
    const pem = spkiPem(pair.publicKeyHex)
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE/)
    expect(publicKeyHexFromPem(pem)).toBe(pair.publicKeyHex)
    expect(keyFingerprint(pair.publicKeyHex)).toMatch(/^[0-9a-f]{64}$/)
    expect(keyIdOf(pair.publicKeyHex)).toBe(keyFingerprint(pair.publicKeyHex).slice(0, 16))
    expect(publicKeyHexFromPem(pem.replace('MFkw', 'MFkx'))).toBeUndefined()
  })
})

describe('the QR payload, checked offline with the published keys', () => {
  const bytes = canonicalBytes(sample())
  const payload = encodePayload(bytes, sm2Sign(bytes, pair))

  it('accepts the payload as signed and gives back what it says', () => {
    const check = checkPayload(payload, [key])
    expect(check.ok).toBe(true)
    if (check.ok) expect(check.license).toEqual(sample())
    expect(decodePayload(payload)).toMatchObject({ ok: true })
  })

  it('stays small enough for a QR code at error correction level M', async () => {
    const QRCode = await import('qrcode')
    const qr = QRCode.create(payload, { errorCorrectionLevel: 'M' })
    // A data-heavy license (a food license with two addresses and its business items): about
    // 1,030 characters, QR version 26 (121×121 modules) at level M; printed at 3.5 cm a module is
    // 0.29 mm. Short licenses (a social security card) need version 20. See docs/licenses.md.
    expect(payload.length).toBeLessThan(1100)
    expect(qr.version).toBeLessThanOrEqual(26)
  })

  it('refuses a key that is unknown, of another issuer, or not in use at the time of issue', () => {
    expect(checkPayload(payload, [])).toMatchObject({ ok: false, message: TAMPER_REASONS.unknownKey })
    expect(checkPayload(payload, [{ ...key, issuerCreditCode: '11445103070367211C' }])).toMatchObject({
      ok: false,
      message: TAMPER_REASONS.otherIssuer,
    })
    expect(checkPayload(payload, [{ ...key, validFrom: '2026-03-03T00:00:00.000Z' }])).toMatchObject({
      ok: false,
      message: TAMPER_REASONS.outsideKeyValidity,
    })
    expect(checkPayload(payload, [{ ...key, validTo: '2026-03-02T02:00:00.000Z' }])).toMatchObject({
      ok: false,
      message: TAMPER_REASONS.outsideKeyValidity,
    })
    // A key retired later still verifies what it signed while in use.
    expect(checkPayload(payload, [{ ...key, validTo: '2027-01-01T00:00:00.000Z' }]).ok).toBe(true)
  })

  it('refuses a signed document whose identifier does not check, or names another issuer than the key’s', () => {
    const badCheck = sample({ identifier: sample().identifier.replace(/.$/, (c) => (c === '0' ? '1' : '0')) })
    const bytes1 = canonicalBytes(badCheck)
    expect(checkPayload(encodePayload(bytes1, sm2Sign(bytes1, pair)), [key])).toMatchObject({
      ok: false,
      message: TAMPER_REASONS.identifierMismatch,
    })
    const MZJ = '11445103070367211C'
    const otherIssuer = sample({
      identifier: formatIdentifier({ typeCode: `${MZJ}001`, issuerCode: MZJ, serial: '20260000001', version: 1 }),
    })
    const bytes2 = canonicalBytes(otherIssuer)
    expect(checkPayload(encodePayload(bytes2, sm2Sign(bytes2, pair)), [key])).toMatchObject({
      ok: false,
      message: TAMPER_REASONS.otherIssuer,
    })
  })

  it(`rejects every one of ${UNIT_TEST_MUTATIONS} random single-byte changes of a signed license`, () => {
    const seed = 20261127
    const report = tamperCampaign({ bytes, signatureHex: sm2Sign(bytes, pair), key, count: UNIT_TEST_MUTATIONS, seed })
    expect(report.tried).toBe(UNIT_TEST_MUTATIONS)
    expect(report.accepted).toEqual([])
  }, 180_000)
})

describe('the state of a stored license on a day', () => {
  it('derives expired from the last valid day, and keeps revoked and superseded', () => {
    expect(stateOn('active', null, '2099-01-01')).toBe('valid')
    expect(stateOn('active', '2031-03-01', '2031-03-01')).toBe('valid')
    expect(stateOn('active', '2031-03-01', '2031-03-02')).toBe('expired')
    expect(stateOn('revoked', '2031-03-01', '2031-03-02')).toBe('revoked')
    expect(stateOn('superseded', null, '2026-01-01')).toBe('superseded')
  })
})
