import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp, testPrincipal } from '../../../test/helpers.js'
import { listAudit } from '../../platform/audit/audit.js'
import { runSeed } from '../../seed.js'
import { lookUpPerson } from '../identity/index.js'
import { canonicalBytes, decodePayload, encodePayload } from './licenses.canonical.js'
import { validateIdentifier } from './licenses.identifier.js'
import { generateSealKey, listSealKeyViews, retireSealKey, rotateSealKey } from './licenses.keys.js'
import {
  getLicense,
  issueLicense,
  LICENSES_ISSUE,
  LICENSES_REVOKE,
  type LicenseView,
  licensePayload,
  listHolderLicenses,
  recordUse,
  reissueLicense,
  revokeLicense,
  verifyLicense,
  verifyPayload,
} from './licenses.service.js'
import { sm2Sign } from './licenses.sm2.js'

let t: TestApp
let chen: string // 陈晓燕, 445103198503120029
let restaurant: string // 潮安区庵埠镇陈记潮州菜馆, 92445103MA5CN7QH4E
const departments: Record<string, string> = {}
const system = { system: 'test' }

const securityAdmin = () =>
  testPrincipal({
    personId: undefined,
    staffId: 'staff-sec',
    roles: ['security_admin'],
    permissions: new Set(['security.keys']),
  })

function officer(department: string, permissions = [LICENSES_ISSUE, LICENSES_REVOKE]) {
  return testPrincipal({
    personId: undefined,
    staffId: `staff-${department}`,
    departmentId: departments[department],
    permissions: new Set(permissions),
  })
}

const FOOD = {
  legal_representative: '陈晓燕',
  address: '潮州市潮安区庵埠镇文里路 12 号',
  premises: '潮州市潮安区庵埠镇文里路 12 号首层',
  main_business: '餐饮服务经营者（小型餐馆）',
  business_items: '热食类食品制售；冷食类食品制售（不含生食）',
  license_no: 'JY24451030000001',
}

function issueFood(actor: Parameters<typeof issueLicense>[1] = system) {
  return issueLicense(t.deps, actor, { typeCode: 'food_license', holder: { enterpriseId: restaurant }, data: FOOD })
}

function issueCard() {
  return issueLicense(t.deps, system, {
    typeCode: 'social_security_card',
    holder: { personId: chen },
    data: { card_no: 'E00000002', bank: '中国农业银行潮州分行' },
  })
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    return error as { code: string; kind: string; message: string; details: { field: string; message: string }[] }
  }
  throw new Error('expected a failure')
}

beforeAll(async () => {
  t = await buildTestApp()
  await runSeed(
    t.modules.filter((m) => ['platform', 'identity', 'licenses'].includes(m.name)),
    { print: false },
  )
  chen = (await lookUpPerson(t.deps, '445103198503120029')).id
  restaurant = (
    await t.db
      .selectFrom('enterprises')
      .select('id')
      .where('creditCode', '=', '92445103MA5CN7QH4E')
      .executeTakeFirstOrThrow()
  ).id
  for (const d of await t.db.selectFrom('departments').select(['id', 'code']).execute()) departments[d.code] = d.id
})
afterAll(async () => t.close())

describe('the demo seed', () => {
  it('gives every department that issues a demo license type one active seal key', async () => {
    const keys = await listSealKeyViews(t.deps)
    const active = keys.filter((k) => k.state === 'active').map((k) => k.departmentCode)
    expect(active.sort()).toEqual(['cl', 'gaj', 'mzj', 'sbj', 'scj', 'zrzy'])
    for (const k of keys)
      expect(
        t.deps.fieldCrypto.decrypt(
          (await t.db.selectFrom('sealKeys').select('privateKeyEnc').where('id', '=', k.id).executeTakeFirstOrThrow())
            .privateKeyEnc,
        ),
      ).toMatch(/^[0-9a-f]{64}$/)
  })

  it('is idempotent', async () => {
    const before = await t.db.selectFrom('sealKeys').select('id').execute()
    await runSeed(
      t.modules.filter((m) => m.name === 'licenses'),
      { print: false },
    )
    expect(await t.db.selectFrom('sealKeys').select('id').execute()).toHaveLength(before.length)
  })
})

describe('issuing', () => {
  it('signs version 001 with a checked identifier under the issuer’s credit code, year and sequence', async () => {
    const license = await issueFood()
    const id = validateIdentifier(license.identifier)
    expect(id.ok).toBe(true)
    if (!id.ok) return
    expect(id.parts.typeCode).toBe('11445103005126091E002')
    expect(id.parts.issuerCode).toBe('11445103005126091E')
    expect(id.parts.serial).toMatch(/^2026\d{7}$/)
    expect(id.parts.version).toBe(1)
    expect(license).toMatchObject({
      typeName: '食品经营许可证',
      holder: { kind: 'enterprise', name: '潮安区庵埠镇陈记潮州菜馆', key: '92445103MA5CN7QH4E' },
      issuer: { name: '潮州市潮安区市场监督管理局' },
      validFrom: '2026-03-02',
      validTo: '2031-03-01', // five years, the last valid day
      state: 'valid',
      stateLabel: '有效',
      trustGrade: 'a',
      data: FOOD,
    })
    const audit = await listAudit(t.db, { action: 'license.issue', objectId: license.id })
    expect(audit.entries).toHaveLength(1)
    expect(audit.entries[0]?.details.identifier).toBe(license.identifier)
  })

  it('numbers licenses of one department, type and year without gaps or repeats, also when issued at once', async () => {
    const licenses = await Promise.all(Array.from({ length: 6 }, () => issueFood()))
    const serials = licenses.map((l) => l.serial).sort()
    expect(new Set(serials).size).toBe(6)
    const numbers = serials.map((s) => Number(s.slice(4)))
    expect(numbers[5]! - numbers[0]!).toBe(5)
  })

  it('lets an officer of the issuing department with licenses.issue sign, and nobody else', async () => {
    expect((await issueFood(officer('scj'))).state).toBe('valid')
    expect(await failure(issueFood(officer('mzj')))).toMatchObject({
      code: 'LICENSE_ISSUE_FORBIDDEN',
      kind: 'forbidden',
    })
    expect(await failure(issueFood(officer('scj', [])))).toMatchObject({ code: 'LICENSE_ISSUE_FORBIDDEN' })
  })

  it('names every missing or unknown field at once', async () => {
    const error = await failure(
      issueLicense(t.deps, system, {
        typeCode: 'food_license',
        holder: { enterpriseId: restaurant },
        data: { ...FOOD, premises: ' ', license_no: undefined, colour: '红' },
      }),
    )
    expect(error.code).toBe('VALIDATION_FAILED')
    // 许可证编号 is not missing: the library numbers it when none is given (generated field).
    expect(error.details.map((d) => d.field).sort()).toEqual(['data.colour', 'data.premises'])
    expect(error.details.find((d) => d.field === 'data.premises')?.message).toBe('请填写「经营场所」')
  })

  it('numbers a generated field (许可证编号) from the serial when none is given, and keeps one given', async () => {
    const numbered = await issueLicense(t.deps, system, {
      typeCode: 'food_license',
      holder: { enterpriseId: restaurant },
      data: { ...FOOD, license_no: undefined },
    })
    expect(numbered.data.license_no).toBe(`JY${numbered.serial}`)
    const kept = await issueLicense(t.deps, system, {
      typeCode: 'food_license',
      holder: { enterpriseId: restaurant },
      data: { ...FOOD, license_no: 'JY14451030000001' },
    })
    expect(kept.data.license_no).toBe('JY14451030000001')
  })

  it('refuses a holder of the wrong kind, a type issued elsewhere, and bad dates', async () => {
    expect(
      await failure(issueLicense(t.deps, system, { typeCode: 'food_license', holder: { personId: chen }, data: FOOD })),
    ).toMatchObject({ code: 'LICENSE_HOLDER_KIND' })
    expect(
      await failure(issueLicense(t.deps, system, { typeCode: 'resident_id', holder: { personId: chen }, data: {} })),
    ).toMatchObject({ code: 'LICENSE_TYPE_NOT_ISSUED_HERE' })
    expect(
      await failure(
        issueLicense(t.deps, system, {
          typeCode: 'food_license',
          holder: { enterpriseId: restaurant },
          data: FOOD,
          validFrom: '2026-03-02',
          validTo: '2026-03-01',
        }),
      ),
    ).toMatchObject({ code: 'VALIDATION_FAILED' })
  })

  it('files a person’s license under them, found also by their ID number', async () => {
    const card = await issueCard()
    expect(card.holder).toMatchObject({ kind: 'person', personId: chen, name: '陈晓燕', key: '445103********0029' })
    const byPerson = await listHolderLicenses(t.deps, { personId: chen })
    const byNumber = await listHolderLicenses(t.deps, { idNumber: '445103198503120029' })
    expect(byPerson.map((l) => l.id)).toContain(card.id)
    expect(byNumber.map((l) => l.id)).toEqual(byPerson.map((l) => l.id))
    expect(await listHolderLicenses(t.deps, { creditCode: '92445103MA5CN7QH4E' })).not.toHaveLength(0)
  })
})

describe('verifying by identifier', () => {
  it('says valid, with the holder masked', async () => {
    const card = await issueCard()
    const result = await verifyLicense(t.deps, card.identifier)
    expect(result).toMatchObject({
      state: 'valid',
      label: '有效',
      identifier: card.identifier,
      license: { typeName: '社会保障卡', holderName: '陈**', holderKey: '445103********0029', version: 1 },
      signature: { algorithm: 'SM2', valid: true },
    })
    expect(JSON.stringify(result)).not.toContain('陈晓燕')
  })

  it('says unknown for a well-formed identifier that is not in the library, and refuses a bad check character', async () => {
    const card = await issueCard()
    const id = validateIdentifier(card.identifier)
    if (!id.ok) throw new Error('bad identifier')
    const other = (await import('./licenses.identifier.js')).formatIdentifier({ ...id.parts, serial: '20269999999' })
    expect(await verifyLicense(t.deps, other)).toMatchObject({ state: 'unknown', label: '未找到' })
    const wrong = card.identifier.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
    expect(await failure(verifyLicense(t.deps, wrong))).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: '校验位不正确，请核对电子证照标识是否抄写有误',
    })
  })

  it('says expired after the last valid day', async () => {
    const food = await issueFood()
    t.clock.set('2031-03-01T15:00:00.000Z') // 23:00 on 2031-03-01 in Shanghai: still valid
    try {
      expect((await verifyLicense(t.deps, food.identifier)).state).toBe('valid')
      t.clock.set('2031-03-01T16:00:00.000Z') // 00:00 on 2031-03-02
      const result = await verifyLicense(t.deps, food.identifier)
      expect(result).toMatchObject({ state: 'expired', label: '已过期' })
      expect(result.message).toContain('2031-03-01')
      expect((await getLicense(t.deps, food.id)).state).toBe('expired')
    } finally {
      t.clock.set('2026-03-02T02:00:00.000Z')
    }
  })

  it('says revoked after a revocation, which needs a reason and is audited', async () => {
    const food = await issueFood()
    expect(await failure(revokeLicense(t.deps, officer('scj'), food.id, { reason: ' ' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
    })
    expect(await failure(revokeLicense(t.deps, officer('mzj'), food.id, { reason: '申请人申请注销' }))).toMatchObject({
      code: 'LICENSE_ISSUE_FORBIDDEN',
    })
    const revoked = await revokeLicense(t.deps, officer('scj'), food.id, { reason: '经营者申请注销' })
    expect(revoked).toMatchObject({ status: 'revoked', state: 'revoked', revokeReason: '经营者申请注销' })
    expect(await verifyLicense(t.deps, food.identifier)).toMatchObject({ state: 'revoked', label: '已注销' })
    expect(await failure(revokeLicense(t.deps, system, food.id, { reason: '重复注销' }))).toMatchObject({
      code: 'LICENSE_NOT_ACTIVE',
    })
    const audit = await listAudit(t.db, { action: 'license.revoke', objectId: food.id })
    expect(audit.entries).toHaveLength(1)
  })

  it('says tampered when the stored data, the holder or the signature was changed in the database', async () => {
    for (const change of [
      { data: JSON.stringify({ ...FOOD, business_items: `${FOOD.business_items}；生食类食品制售` }) },
      { holderName: '潮安区庵埠镇李记潮州菜馆' },
      { validTo: '2099-12-31' },
    ]) {
      const food = await issueFood()
      expect((await verifyLicense(t.deps, food.identifier)).state).toBe('valid')
      await t.db.updateTable('licenses').set(change).where('id', '=', food.id).execute()
      const result = await verifyLicense(t.deps, food.identifier)
      expect(result).toMatchObject({ state: 'tampered', label: '被篡改' })
      expect(result.license).toBeUndefined()
      expect(await failure(licensePayload(t.deps, food.id))).toMatchObject({ code: 'LICENSE_TAMPERED' })
    }
    const food = await issueFood()
    const other = await issueFood()
    const sig = await t.db
      .selectFrom('licenseSignatures')
      .selectAll()
      .where('licenseId', '=', other.id)
      .executeTakeFirstOrThrow()
    await t.db
      .updateTable('licenseSignatures')
      .set({ signature: sig.signature })
      .where('licenseId', '=', food.id)
      .execute()
    expect((await verifyLicense(t.deps, food.identifier)).state).toBe('tampered')
  })
})

describe('re-issuing', () => {
  it('makes version 002 with the same serial and marks 001 superseded, never overwriting it', async () => {
    const first = await issueFood()
    const second = await reissueLicense(t.deps, officer('scj'), first.id, {
      data: { premises: '潮州市潮安区庵埠镇文里路 12 号首层及二层' },
    })
    const a = validateIdentifier(first.identifier)
    const b = validateIdentifier(second.identifier)
    if (!a.ok || !b.ok) throw new Error('bad identifiers')
    expect(b.parts).toEqual({ ...a.parts, version: 2 })
    expect(second).toMatchObject({ version: 2, supersedesId: first.id, state: 'valid' })
    expect(second.data).toEqual({ ...FOOD, premises: '潮州市潮安区庵埠镇文里路 12 号首层及二层' })
    const old = await getLicense(t.deps, first.id)
    expect(old).toMatchObject({ status: 'superseded', data: FOOD })

    const verdict = await verifyLicense(t.deps, first.identifier)
    expect(verdict).toMatchObject({ state: 'superseded', label: '已被新版本替代' })
    expect(verdict.license?.currentIdentifier).toBe(second.identifier)
    expect((await verifyLicense(t.deps, second.identifier)).state).toBe('valid')
    expect(await failure(reissueLicense(t.deps, system, first.id, {}))).toMatchObject({ code: 'LICENSE_NOT_ACTIVE' })

    const third = await reissueLicense(t.deps, system, second.id, {})
    expect((await verifyLicense(t.deps, first.identifier)).license?.currentIdentifier).toBe(third.identifier)
    const holder = await listHolderLicenses(t.deps, { enterpriseId: restaurant })
    expect(holder.map((l) => l.id)).toContain(third.id)
    expect(holder.map((l) => l.id)).not.toContain(first.id)
    expect(
      (await listHolderLicenses(t.deps, { enterpriseId: restaurant }, { includeSuperseded: true })).map((l) => l.id),
    ).toContain(first.id)
  })

  it('lets only one of two simultaneous re-issues through', async () => {
    const first = await issueFood()
    const results = await Promise.allSettled([
      reissueLicense(t.deps, system, first.id, {}),
      reissueLicense(t.deps, system, first.id, {}),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const versions = await t.db
      .selectFrom('licenses')
      .select('version')
      .where('serial', '=', first.serial)
      .where('licenseType', '=', 'food_license')
      .execute()
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2])
  })
})

describe('seal keys', () => {
  it('rotation signs new licenses with the new key and keeps the old ones verifiable', async () => {
    const before = await issueCard()
    const old = (await listSealKeyViews(t.deps)).find((k) => k.departmentCode === 'sbj' && k.state === 'active')!
    t.clock.advance(60_000)
    const fresh = await rotateSealKey(t.deps, securityAdmin(), old.id)
    expect(fresh.keyId).not.toBe(old.keyId)
    const after = await issueCard()
    const [v1, v2] = [await verifyLicense(t.deps, before.identifier), await verifyLicense(t.deps, after.identifier)]
    expect(v1).toMatchObject({ state: 'valid', signature: { keyId: old.keyId } })
    expect(v2).toMatchObject({ state: 'valid', signature: { keyId: fresh.keyId } })
    const keys = await listSealKeyViews(t.deps)
    expect(keys.find((k) => k.id === old.id)).toMatchObject({ state: 'retired', validTo: fresh.validFrom })
    expect(await failure(rotateSealKey(t.deps, securityAdmin(), old.id))).toMatchObject({ code: 'SEAL_KEY_RETIRED' })
    expect((await listAudit(t.db, { action: 'seal_key.rotate', objectId: old.id })).entries).toHaveLength(1)
  })

  it('keeps every license issued while its key rotates verifiable, whichever key signed it', async () => {
    const key = (await listSealKeyViews(t.deps)).find((k) => k.departmentCode === 'scj' && k.state === 'active')!
    const issues = Array.from({ length: 4 }, () => issueFood())
    const [rotation, ...issued] = await Promise.all([rotateSealKey(t.deps, securityAdmin(), key.id), ...issues])
    const keys = new Set<string>()
    for (const license of issued) {
      const result = await verifyLicense(t.deps, license.identifier)
      expect(result.state, license.identifier).toBe('valid')
      keys.add(result.signature!.keyId)
    }
    expect([...keys].every((k) => k === key.keyId || k === rotation.keyId)).toBe(true)
    expect((await verifyLicense(t.deps, (await issueFood()).identifier)).signature?.keyId).toBe(rotation.keyId)
  })

  it('retirement stops the department from signing until a new key is generated', async () => {
    const key = (await listSealKeyViews(t.deps)).find((k) => k.departmentCode === 'cl' && k.state === 'active')!
    await retireSealKey(t.deps, securityAdmin(), key.id)
    const data = { category: '肢体残疾', grade: '三级' }
    const attempt = issueLicense(t.deps, system, { typeCode: 'disability_cert', holder: { personId: chen }, data })
    expect(await failure(attempt)).toMatchObject({ code: 'SEAL_KEY_MISSING' })
    await generateSealKey(t.deps, securityAdmin(), departments.cl!)
    expect(await failure(generateSealKey(t.deps, securityAdmin(), departments.cl!))).toMatchObject({
      code: 'SEAL_KEY_EXISTS',
    })
    const cert = await issueLicense(t.deps, system, { typeCode: 'disability_cert', holder: { personId: chen }, data })
    expect(cert.validTo).toBe('2036-03-01')
  })

  it('are managed by the security administrator only', async () => {
    const key = (await listSealKeyViews(t.deps)).find((k) => k.state === 'active')!
    expect(await failure(rotateSealKey(t.deps, officer('scj'), key.id))).toMatchObject({ code: 'FORBIDDEN' })
  })
})

describe('verifying a QR payload', () => {
  let food: LicenseView
  let payload: string
  beforeAll(async () => {
    food = await issueFood()
    payload = await licensePayload(t.deps, food.id)
  })

  it('checks the signature and shows the signed fields with their labels', async () => {
    const result = await verifyPayload(t.deps, `  ${payload}\n`)
    expect(result).toMatchObject({
      state: 'valid',
      identifier: food.identifier,
      license: {
        typeName: '食品经营许可证',
        holderName: '潮安区庵埠镇陈记潮州菜馆',
        issuerName: '潮州市潮安区市场监督管理局',
      },
    })
    expect(result.license?.data).toContainEqual({ key: 'premises', label: '经营场所', value: FOOD.premises })
  })

  it('says tampered for a changed character, a foreign key or a valid signature the library never made', async () => {
    const at = payload.indexOf('.') + 30
    const changed = payload.slice(0, at) + (payload[at] === 'A' ? 'B' : 'A') + payload.slice(at + 1)
    expect((await verifyPayload(t.deps, changed)).state).toBe('tampered')

    const decoded = decodePayload(payload)
    if (!decoded.ok) throw new Error('bad payload')
    // Same content, signed by a key that is not published.
    const { generateSm2KeyPair } = await import('./licenses.sm2.js')
    const foreign = encodePayload(decoded.bytes, sm2Sign(decoded.bytes, generateSm2KeyPair()))
    expect(await verifyPayload(t.deps, foreign)).toMatchObject({
      state: 'tampered',
      message: expect.stringContaining('电子签名验证失败'),
    })
  })

  it('tells the library’s state: revoked after revocation', async () => {
    await revokeLicense(t.deps, system, food.id, { reason: '测试注销' })
    expect((await verifyPayload(t.deps, payload)).state).toBe('revoked')
  })

  it('refuses text that is not a payload of this platform', async () => {
    expect(await failure(verifyPayload(t.deps, 'https://example.com/x'))).toMatchObject({ code: 'VALIDATION_FAILED' })
  })

  it('rebuilds exactly the signed bytes from the stored row', async () => {
    const card = await issueCard()
    const p = await licensePayload(t.deps, card.id)
    const decoded = decodePayload(p)
    if (!decoded.ok) throw new Error('bad payload')
    expect(canonicalBytes(decoded.license).equals(decoded.bytes)).toBe(true)
    expect(decoded.license.holder).toEqual({ kind: 'person', name: '陈晓燕', key: '445103********0029' })
  })
})

describe('uses', () => {
  it('records a use by a department, audited, and refuses a revoked license', async () => {
    const card = await issueCard()
    const use = await recordUse(t.deps, card.id, {
      departmentId: departments.mzj,
      personId: chen,
      purpose: '结婚登记申请材料',
    })
    const stored = await t.db.selectFrom('licenseUses').selectAll().where('id', '=', use.id).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({
      licenseId: card.id,
      usedByDepartmentId: departments.mzj,
      purpose: '结婚登记申请材料',
    })
    expect((await listAudit(t.db, { action: 'license.use', objectId: card.id })).entries).toHaveLength(1)
    await revokeLicense(t.deps, system, card.id, { reason: '卡片挂失' })
    expect(await failure(recordUse(t.deps, card.id, { purpose: '再次使用' }))).toMatchObject({
      code: 'LICENSE_NOT_ACTIVE',
    })
  })
})
