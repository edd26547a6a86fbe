/**
 * Interoperability with OpenSSL 3 (the acceptance of DOMAIN.md §5): what we sign, OpenSSL verifies
 * with the published SPKI key and the default distinguishing ID; what OpenSSL signs, we verify;
 * and the recipe in docs/licenses.md works as written.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { canonicalBytes, encodePayload, type SignedLicense } from './licenses.canonical.js'
import { formatIdentifier } from './licenses.identifier.js'
import type { SealKeyView } from './licenses.keys.js'
import { sealKeysDocument } from './licenses.routes.js'
import {
  generateSm2KeyPair,
  keyFingerprint,
  keyIdOf,
  OPENSSL_VERIFY_COMMAND,
  publicKeyHexFromPem,
  sm2Sign,
  sm2Verify,
  spkiPem,
} from './licenses.sm2.js'

const OPENSSL = '/usr/bin/openssl'
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-sm2-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function run(command: string, args: string[], cwd = dir) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' })
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` }
}

/** The documented command, split into its arguments. */
const verifyArgs = OPENSSL_VERIFY_COMMAND.split(' ').slice(1)

const MZJ = '11445103070367211C'
const pair = generateSm2KeyPair()
const license: SignedLicense = {
  identifier: formatIdentifier({ typeCode: `${MZJ}001`, issuerCode: MZJ, serial: '20260000042', version: 1 }),
  typeName: '结婚证',
  holder: { kind: 'person', name: '陈晓燕', key: '445103********0029' },
  data: { registered_on: '2026-05-20', certificate_no: 'J445103-2026-000042', spouse_name: '林振华' },
  validFrom: '2026-05-20',
  validTo: null,
  issuedAt: '2026-05-20T01:30:00.000Z',
  keyId: keyIdOf(pair.publicKeyHex),
}
const bytes = canonicalBytes(license)
const signature = sm2Sign(bytes, pair)

describe('OpenSSL 3 and our SM2 seals', () => {
  it('reads the published SPKI PEM as an SM2 public key with the same point', () => {
    fs.writeFileSync(path.join(dir, 'pub.pem'), spkiPem(pair.publicKeyHex))
    const { status, output } = run(OPENSSL, ['pkey', '-pubin', '-in', 'pub.pem', '-text', '-noout'])
    expect(status).toBe(0)
    expect(output).toContain('ASN1 OID: SM2')
    expect(output).toContain('Public-Key: (256 bit)')
    const point = /pub:\s*([0-9a-f:\s]+?)\s*ASN1/.exec(output)?.[1]?.replace(/[:\s]/g, '')
    expect(point).toBe(pair.publicKeyHex)
  })

  it('verifies our signature over the canonical bytes (Chinese text included), with distid 1234567812345678', () => {
    fs.writeFileSync(path.join(dir, 'pub.pem'), spkiPem(pair.publicKeyHex))
    fs.writeFileSync(path.join(dir, 'data'), bytes)
    fs.writeFileSync(path.join(dir, 'sig.der'), Buffer.from(signature, 'hex'))
    const { status, output } = run(OPENSSL, verifyArgs)
    expect(output).toContain('Signature Verified Successfully')
    expect(status).toBe(0)
  })

  it('refuses the same signature when one byte of the data changed', () => {
    const changed = Buffer.from(bytes)
    const at = changed.indexOf('2026-05-20')
    changed[at + 3] = '7'.charCodeAt(0) // 2026 → 2027
    fs.writeFileSync(path.join(dir, 'data'), changed)
    fs.writeFileSync(path.join(dir, 'sig.der'), Buffer.from(signature, 'hex'))
    const { status, output } = run(OPENSSL, verifyArgs)
    expect(output).toContain('Signature Verification Failure')
    expect(status).not.toBe(0)
    expect(sm2Verify(changed, signature, pair.publicKeyHex)).toBe(false)
  })

  it('refuses it under another distinguishing ID (the ID is really part of the signature)', () => {
    fs.writeFileSync(path.join(dir, 'data'), bytes)
    const args = verifyArgs.map((a) => (a === 'distid:1234567812345678' ? 'distid:1234567812345679' : a))
    expect(run(OPENSSL, args).output).toContain('Signature Verification Failure')
  })

  it('and we verify what OpenSSL signs with an SM2 key of its own', () => {
    expect(
      run(OPENSSL, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'own.pem']).status,
    ).toBe(0)
    expect(run(OPENSSL, ['pkey', '-in', 'own.pem', '-pubout', '-out', 'own.pub.pem']).status).toBe(0)
    fs.writeFileSync(path.join(dir, 'data'), bytes)
    const signed = run(OPENSSL, [
      'pkeyutl',
      '-sign',
      '-inkey',
      'own.pem',
      '-rawin',
      '-in',
      'data',
      '-out',
      'own.sig',
      '-digest',
      'sm3',
      '-pkeyopt',
      'distid:1234567812345678',
    ])
    expect(signed.status).toBe(0)
    const publicKeyHex = publicKeyHexFromPem(fs.readFileSync(path.join(dir, 'own.pub.pem'), 'utf8'))
    expect(publicKeyHex).toMatch(/^04[0-9a-f]{128}$/)
    const theirs = fs.readFileSync(path.join(dir, 'own.sig')).toString('hex')
    expect(sm2Verify(bytes, theirs, publicKeyHex!)).toBe(true)
    expect(sm2Verify(Buffer.concat([bytes, Buffer.from(' ')]), theirs, publicKeyHex!)).toBe(false)
  })
})

function tool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0
}

describe('the offline recipe of docs/licenses.md', () => {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/licenses.md'), 'utf8')
  const block = /<!-- verify-recipe -->\s*```bash\n([\s\S]+?)```\s*<!-- \/verify-recipe -->/.exec(doc)?.[1]

  const view: SealKeyView = {
    id: '01890000-0000-7000-8000-000000000001',
    keyId: license.keyId,
    fingerprint: keyFingerprint(pair.publicKeyHex),
    departmentId: 'dept',
    departmentCode: 'mzj',
    departmentName: '潮州市潮安区民政局',
    issuerCreditCode: MZJ,
    algorithm: 'SM2',
    publicKeyPem: spkiPem(pair.publicKeyHex),
    publicKeyHex: pair.publicKeyHex,
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: null,
    state: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    retiredAt: null,
  }

  function runRecipe(payload: string) {
    const work = fs.mkdtempSync(path.join(dir, 'recipe-'))
    fs.writeFileSync(path.join(work, 'seal-keys.json'), JSON.stringify(sealKeysDocument([view], new Date())))
    const script = block!.replace(/^P='YWL1\.…'$/m, `P='${payload}'`)
    expect(script).toContain(payload)
    return run('bash', ['-c', script], work)
  }

  it('is in the document, between its markers', () => {
    expect(block).toContain(OPENSSL_VERIFY_COMMAND)
  })

  it.skipIf(!tool('jq') || !tool('basenc'))('verifies a payload as documented, and refuses a changed one', () => {
    const payload = encodePayload(bytes, signature)
    const good = runRecipe(payload)
    expect(good.output).toContain('Signature Verified Successfully')
    expect(good.output).toContain(license.identifier)
    expect(good.output).toContain(MZJ)
    expect(good.status).toBe(0)

    // One character of the data part changed to another base64url character.
    const at = 'YWL1.'.length + 40
    const changed = payload.slice(0, at) + (payload[at] === 'A' ? 'B' : 'A') + payload.slice(at + 1)
    const bad = runRecipe(changed)
    expect(bad.output).not.toContain('Signature Verified Successfully')
    expect(bad.status).not.toBe(0)
  })
})
