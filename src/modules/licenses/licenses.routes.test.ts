import type { FastifyRequest } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, form, formSession, type TestApp, testPrincipal } from '../../../test/helpers.js'
import { listAudit } from '../../platform/audit/audit.js'
import { runSeed } from '../../seed.js'
import { lookUpPerson, permissionsOf } from '../identity/index.js'
import { VERIFY_LIMIT } from './licenses.routes.js'
import { issueLicense, type LicenseView, licensePayload, revokeLicense } from './licenses.service.js'
import { OPENSSL_VERIFY_COMMAND } from './licenses.sm2.js'

/** Who is calling, chosen by the test through a cookie (so form sessions keep it). */
function principalFrom(request: FastifyRequest) {
  const who = /(?:^|;\s*)test_as=(\w+)/.exec(String(request.headers.cookie ?? ''))?.[1]
  if (who === 'secadmin') {
    return testPrincipal({
      personId: undefined,
      staffId: 'staff-secadmin',
      displayName: '林国栋',
      roles: ['security_admin'],
      permissions: permissionsOf(['security_admin']),
      assuranceLevel: 3,
    })
  }
  if (who === 'sysadmin') {
    return testPrincipal({
      personId: undefined,
      staffId: 'staff-sysadmin',
      roles: ['sys_admin'],
      permissions: permissionsOf(['sys_admin']),
    })
  }
  if (who === 'citizen') return testPrincipal()
  return undefined
}
const as = (who: string) => `test_as=${who}`

let t: TestApp
let card: LicenseView
let address = 0
/** Each request from its own address unless a test wants the rate limit. */
const nextAddress = () => `10.9.${(++address >> 8) & 255}.${address & 255}`

beforeAll(async () => {
  t = await buildTestApp({ principal: principalFrom })
  await runSeed(
    t.modules.filter((m) => ['platform', 'identity', 'licenses'].includes(m.name)),
    { print: false },
  )
  const chen = (await lookUpPerson(t.deps, '445103198503120029')).id
  card = await issueLicense(
    t.deps,
    { system: 'test' },
    {
      typeCode: 'social_security_card',
      holder: { personId: chen },
      data: { card_no: 'E00000003', bank: '中国建设银行潮州分行' },
    },
  )
})
afterAll(async () => t.close())

describe('GET /verify', () => {
  it('shows the form to anyone', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/verify', remoteAddress: nextAddress() })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<h1 class="heading-xl">电子证照核验</h1>')
    expect(res.body).toContain('name="q"')
  })

  it('verifies an identifier: 有效, with the holder masked', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/verify?q=${encodeURIComponent(card.identifier)}`,
      remoteAddress: nextAddress(),
    })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<strong class="tag tag--green">有效</strong>')
    expect(res.body).toContain('陈**（445103********0029）')
    expect(res.body).toContain('潮州市潮安区社会保险基金管理局')
    expect(res.body).not.toContain('陈晓燕')
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('verifies a pasted QR payload and shows its signed fields', async () => {
    const payload = await licensePayload(t.deps, card.id)
    const res = await t.app.inject({
      method: 'GET',
      url: `/verify?q=${encodeURIComponent(payload)}`,
      remoteAddress: nextAddress(),
    })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('tag--green">有效<')
    expect(res.body).toContain('中国建设银行潮州分行')
  })

  it('says 未找到, 被篡改 and explains a mistyped identifier in place', async () => {
    const unknown = card.identifier.replace(/\.(\d{11})\./, '.20269999999.').replace(/.$/, '0')
    const { validateIdentifier, formatIdentifier } = await import('./licenses.identifier.js')
    const parts = validateIdentifier(card.identifier)
    if (!parts.ok) throw new Error('bad identifier')
    const missing = formatIdentifier({ ...parts.parts, serial: '20269999999' })
    const notFound = await t.app.inject({
      method: 'GET',
      url: `/verify?q=${encodeURIComponent(missing)}`,
      remoteAddress: nextAddress(),
    })
    expect(notFound.body).toContain('tag--grey">未找到<')

    const typo = await t.app.inject({
      method: 'GET',
      url: `/verify?q=${encodeURIComponent(unknown)}`,
      remoteAddress: nextAddress(),
    })
    expect(typo.statusCode).toBe(422)
    expect(typo.body).toContain('class="error-summary"')
    expect(typo.body).toContain('校验位不正确')

    const payload = await licensePayload(t.deps, card.id)
    const at = payload.indexOf('.') + 20
    const changed = payload.slice(0, at) + (payload[at] === 'A' ? 'B' : 'A') + payload.slice(at + 1)
    const forged = await t.app.inject({
      method: 'GET',
      url: `/verify?q=${encodeURIComponent(changed)}`,
      remoteAddress: nextAddress(),
    })
    expect(forged.body).toContain('tag--red">被篡改<')
  })
})

describe('the verification API', () => {
  it('GET /api/licenses/verify answers anyone in JSON', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/licenses/verify?identifier=${encodeURIComponent(card.identifier)}`,
      remoteAddress: nextAddress(),
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      state: 'valid',
      label: '有效',
      identifier: card.identifier,
      license: { holderName: '陈**', holderKey: '445103********0029', validTo: '2036-03-01', version: 1 },
      signature: { algorithm: 'SM2', valid: true },
    })
  })

  it('answers 422 with a Chinese message for a malformed identifier', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/licenses/verify?identifier=1.2.3',
      remoteAddress: nextAddress(),
    })
    expect(res.statusCode).toBe(422)
    expect(res.json().error.message).toContain('1.2.156.3005.2.')
  })

  it('POST /api/licenses/verify-payload checks the QR content, and follows revocation', async () => {
    const chen = (await lookUpPerson(t.deps, '445103198503120029')).id
    const other = await issueLicense(
      t.deps,
      { system: 'test' },
      {
        typeCode: 'social_security_card',
        holder: { personId: chen },
        data: { card_no: 'E00000004' },
      },
    )
    const payload = await licensePayload(t.deps, other.id)
    const post = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/licenses/verify-payload',
        payload: { payload },
        remoteAddress: nextAddress(),
      })
    const valid = await post()
    expect(valid.statusCode).toBe(200)
    expect(valid.json()).toMatchObject({
      state: 'valid',
      license: { data: [{ key: 'card_no', label: '社会保障卡卡号', value: 'E00000004' }] },
    })
    await revokeLicense(t.deps, { system: 'test' }, other.id, { reason: '卡片损坏换发' })
    expect((await post()).json()).toMatchObject({ state: 'revoked', label: '已注销' })
    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/licenses/verify-payload',
      payload: {},
      remoteAddress: nextAddress(),
    })
    expect(empty.statusCode).toBe(422)
  })

  it(`limits one address to ${VERIFY_LIMIT.max} verifications a minute`, async () => {
    const remoteAddress = '10.8.0.1'
    const url = `/api/licenses/verify?identifier=${encodeURIComponent(card.identifier)}`
    for (let i = 0; i < VERIFY_LIMIT.max; i++) {
      expect((await t.app.inject({ method: 'GET', url, remoteAddress })).statusCode).toBe(200)
    }
    const limited = await t.app.inject({ method: 'GET', url, remoteAddress })
    expect(limited.statusCode).toBe(429)
  })
})

describe('the published seal keys', () => {
  it('GET /.well-known/seal-keys.json lists every key with its department, PEM, validity and the recipe', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/seal-keys.json' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('application/json')
    expect(res.headers['cache-control']).toBe('public, max-age=300')
    const doc = res.json()
    expect(doc.format).toBe('yiwang-seal-keys-v1')
    expect(doc.distinguishingId).toBe('1234567812345678')
    expect(doc.verification.opensslCommand).toBe(OPENSSL_VERIFY_COMMAND)
    const sbj = doc.keys.find((k: { department: { code: string } }) => k.department.code === 'sbj')
    expect(sbj).toMatchObject({
      algorithm: 'SM2',
      state: 'active',
      validTo: null,
      department: { name: '潮州市潮安区社会保险基金管理局', creditCode: '114451030497879084' },
    })
    expect(sbj.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
    expect(sbj.keyId).toMatch(/^[0-9a-f]{16}$/)
    expect(JSON.stringify(doc)).not.toMatch(/private/i)
  })

  it('GET /licenses/keys shows them to people', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/licenses/keys' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('电子印章公钥')
    expect(res.body).toContain('潮州市潮安区市场监督管理局')
    expect(res.body).toContain('-----BEGIN PUBLIC KEY-----')
  })
})

describe('/admin/seal-keys', () => {
  async function post(url: string, fields: Record<string, string> = {}, who = 'secadmin') {
    const session = await formSession(t.app, '/verify', as(who))
    return t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: session.token, ...fields }),
    })
  }

  it('sends a visitor to log in and refuses citizens and the system administrator', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/admin/seal-keys' })
    expect(anonymous.statusCode).toBe(303)
    expect(anonymous.headers.location).toBe('/login?next=%2Fadmin%2Fseal-keys')
    for (const who of ['citizen', 'sysadmin']) {
      const res = await t.app.inject({ method: 'GET', url: '/admin/seal-keys', headers: { cookie: as(who) } })
      expect(res.statusCode).toBe(403)
    }
    const keys = await t.db.selectFrom('sealKeys').select('id').where('state', '=', 'active').execute()
    expect((await post(`/admin/seal-keys/${keys[0]!.id}/retire`, {}, 'sysadmin')).statusCode).toBe(403)
  })

  it('shows 印章密钥 in the navigation to the security administrator only', async () => {
    const admin = await t.app.inject({ method: 'GET', url: '/licenses/keys', headers: { cookie: as('secadmin') } })
    expect(admin.body).toContain('href="/admin/seal-keys">印章密钥</a>')
    const citizen = await t.app.inject({ method: 'GET', url: '/licenses/keys', headers: { cookie: as('citizen') } })
    expect(citizen.body).not.toContain('href="/admin/seal-keys"')
    expect(citizen.body).toContain('href="/verify">证照核验</a>')
  })

  it('lets the security administrator generate, rotate and retire keys, each audited', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/admin/seal-keys', headers: { cookie: as('secadmin') } })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('印章密钥管理')
    expect(page.body).toContain('潮州市潮安区民政局')

    const jyj = (await t.db.selectFrom('departments').select('id').where('code', '=', 'jyj').executeTakeFirstOrThrow())
      .id
    const generated = await post('/admin/seal-keys', { departmentId: jyj })
    expect(generated.statusCode).toBe(303)
    expect(generated.headers.location).toBe('/admin/seal-keys?done=generated')
    const key = await t.db.selectFrom('sealKeys').selectAll().where('departmentId', '=', jyj).executeTakeFirstOrThrow()
    expect(key.state).toBe('active')

    const again = await post('/admin/seal-keys', { departmentId: jyj })
    expect(again.statusCode).toBe(409)
    expect(again.body).toContain('已有在用的印章密钥')

    const rotated = await post(`/admin/seal-keys/${key.id}/rotate`)
    expect(rotated.headers.location).toBe('/admin/seal-keys?done=rotated')
    const keys = await t.db.selectFrom('sealKeys').select(['id', 'state']).where('departmentId', '=', jyj).execute()
    expect(keys.map((k) => k.state).sort()).toEqual(['active', 'retired'])
    const fresh = keys.find((k) => k.state === 'active')!

    const retired = await post(`/admin/seal-keys/${fresh.id}/retire`)
    expect(retired.headers.location).toBe('/admin/seal-keys?done=retired')
    const done = await t.app.inject({
      method: 'GET',
      url: '/admin/seal-keys?done=retired',
      headers: { cookie: as('secadmin') },
    })
    expect(done.body).toContain('已停用。该部门在生成新密钥之前不能签发电子证照。')

    for (const [action, id] of [
      ['seal_key.generate', key.id],
      ['seal_key.rotate', key.id],
      ['seal_key.retire', fresh.id],
    ] as const) {
      const audit = await listAudit(t.db, { action, objectId: id })
      expect(audit.entries, action).toHaveLength(1)
      expect(audit.entries[0]?.actorId).toBe('staff-secadmin')
    }

    // Retired keys stay published.
    const published = (await t.app.inject({ method: 'GET', url: '/.well-known/seal-keys.json' })).json()
    const ofJyj = published.keys.filter((k: { department: { code: string } }) => k.department.code === 'jyj')
    expect(ofJyj.map((k: { state: string }) => k.state)).toEqual(['retired', 'retired'])
    expect(ofJyj.every((k: { validTo: string | null }) => k.validTo !== null)).toBe(true)
  })

  it('asks for a department when none was chosen', async () => {
    const res = await post('/admin/seal-keys', {})
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('请选择部门')
  })
})
