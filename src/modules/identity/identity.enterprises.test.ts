import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, cookiesOf, form, formSession, type TestApp, testPrincipal } from '../../../test/helpers.js'
import { loginAs } from '../../../test/login.js'
import { listAudit, verifyAuditChain } from '../../platform/audit/audit.js'
import { transaction } from '../../platform/db/database.js'
import { creditCodeCheckCharacter, validateCreditCode } from '../../platform/validators/index.js'
import { runSeed } from '../../seed.js'
import {
  addYears,
  canActFor,
  DEMO_ENTERPRISES,
  ENTERPRISES_VERIFY,
  grantAgent,
  listActingOptions,
  registerEnterprise,
  revokeAgent,
  switchActingEnterprise,
  validateActingEnterprise,
} from './identity.enterprises.js'
import { DEMO_PASSWORD } from './identity.seed-data.js'
import { createPerson } from './identity.service.js'
import { hashToken } from './identity.sessions.js'

let t: TestApp

/** A valid credit code in 潮安区 for an organisation code (9 characters of the alphabet). */
const creditCode = (org: string, category = '91') => {
  const first17 = `${category}445103${org}`
  return first17 + creditCodeCheckCharacter(first17)
}
/** The same code with a wrong check character (as some early pilot codes have). */
const failingCheck = (code: string) => code.slice(0, 17) + (code[17] === '0' ? '1' : '0')

interface TestPerson {
  personId: string
  accountId: string
  name: string
  idNumber: string
}

const people: Record<string, TestPerson> = {}

async function person(key: string, name: string, idNumber: string, assuranceLevel: 1 | 2 | 3 = 2) {
  const created = await transaction(t.db, (trx) =>
    createPerson(t.deps, trx, {
      name,
      idNumber,
      assuranceLevel,
      assuranceSource: 'test',
      password: DEMO_PASSWORD,
    }),
  )
  people[key] = { ...created, name, idNumber }
  return people[key]
}

/** A logged-in browser for a person (a real session through the login form). */
async function browserOf(key: string): Promise<string> {
  const login = await loginAs(t.app, t.clock, people[key]!.idNumber)
  if (login.status !== 303) throw new Error(`login of ${key} failed: ${login.status}`)
  return login.cookie
}

async function post(cookie: string, url: string, fields: Record<string, string>) {
  const session = await formSession(t.app, '/', cookie)
  const res = await t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
    payload: form({ _csrf: session.token, ...fields }),
  })
  return Object.assign(res, { cookie: cookiesOf(res, session.cookie) })
}

const get = (cookie: string, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } })

/** The principal of a person for service calls, as the identity module builds it. */
const principalOf = (key: string, extra: Partial<ReturnType<typeof testPrincipal>> = {}) =>
  testPrincipal({ personId: people[key]!.personId, accountId: people[key]!.accountId, assuranceLevel: 2, ...extra })

/** The session row behind a browser's cookie. */
const sessionOf = async (cookie: string) => {
  const token = /(?:^|;\s*)yw_session=([^;]+)/.exec(cookie)?.[1]
  if (!token) throw new Error('no session cookie')
  return t.db
    .selectFrom('sessions')
    .select(['id', 'actingEnterpriseId', 'endedAt'])
    .where('id', '=', hashToken(token))
    .executeTakeFirstOrThrow()
}

let jinji: string // an enterprise whose legal representative is 黄丽娜
const JINJI_CODE = creditCode('MA4TEXT01')

beforeAll(async () => {
  t = await buildTestApp()
  await person('huang', '黄丽娜', '445103199001010043')
  await person('cai', '蔡锦荣', '445103197805230050')
  await person('chen', '陈晓燕', '445103198503120029')
  await person('wu', '吴秀英', '445103195511200068', 1)
  await person('lin', '林振华', '445103196208150031')
  jinji = (
    await registerEnterprise(t.deps, principalOf('huang'), {
      creditCode: JINJI_CODE,
      name: '潮州市潮安区彩塘镇金记不锈钢制品有限公司',
      kind: 'company',
      address: '潮安区彩塘镇工业区',
    })
  ).id
})
afterAll(async () => t.close())

describe('registering an enterprise (POST /my/enterprises)', () => {
  it('registers an enterprise with a valid credit code, for the person as legal representative', async () => {
    const cookie = await browserOf('chen')
    const code = creditCode('MA5CN7QH4', '92')
    const res = await post(cookie, '/my/enterprises', {
      creditCode: code.toLowerCase(),
      name: '潮安区庵埠镇陈记潮州菜馆',
      kind: 'individual',
      address: '潮安区庵埠镇文里路 12 号',
      registeredAt: '2019-09-02',
    })
    expect(res.statusCode).toBe(303)
    const id = /^\/my\/enterprises\/([0-9a-f-]{36})\?done=registered$/.exec(String(res.headers.location))?.[1]
    expect(id).toBeDefined()
    const page = await get(cookie, `/my/enterprises/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('潮安区庵埠镇陈记潮州菜馆')
    expect(page.body).toContain(code)
    expect(page.body).toContain('个体工商户')
    expect(page.body).toContain('法定代表人（经营者）')

    const row = await t.db.selectFrom('enterprises').selectAll().where('id', '=', id!).executeTakeFirstOrThrow()
    expect(row.legalRepPersonId).toBe(people.chen!.personId)
    expect(row.creditCodeOverrideAt).toBeNull()
    // The address is stored only encrypted.
    expect(row.addressEnc).not.toContain('文里路')
    expect(t.deps.fieldCrypto.decrypt(row.addressEnc!)).toBe('潮安区庵埠镇文里路 12 号')

    const [entry] = (await listAudit(t.db, { objectType: 'enterprise', objectId: id })).entries
    expect(entry).toMatchObject({
      action: 'enterprise.register',
      actorType: 'person',
      actorId: people.chen!.personId,
      enterpriseId: id,
      details: { creditCode: code, creditCodeOverride: false },
    })
  })

  it('refuses a code of the wrong length with the validator’s message, storing nothing', async () => {
    const cookie = await browserOf('lin')
    const res = await post(cookie, '/my/enterprises', { creditCode: '91445103MA4', name: '某公司', kind: 'company' })
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('统一社会信用代码应为18位，现在是11位')
    expect(res.body).toContain('value="某公司"')
    const count = await t.db
      .selectFrom('enterprises')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('legalRepPersonId', '=', people.lin!.personId)
      .executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(0)
  })

  it('refuses a citizen a code whose check character fails, and sends them to the window', async () => {
    const cookie = await browserOf('lin')
    const code = failingCheck(creditCode('MA4LN0001'))
    expect(validateCreditCode(code)).toMatchObject({ ok: false, overridable: true })
    const res = await post(cookie, '/my/enterprises', { creditCode: code, name: '潮安区某某商行', kind: 'company' })
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('校验位不正确')
    expect(res.body).toContain('政务服务中心窗口')
    expect(await t.db.selectFrom('enterprises').select('id').where('creditCode', '=', code).execute()).toEqual([])
  })

  it('refuses a second registration of the same code', async () => {
    const cookie = await browserOf('lin')
    const res = await post(cookie, '/my/enterprises', { creditCode: JINJI_CODE, name: '冒名公司', kind: 'company' })
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('已经登记')
  })

  it('requires an identity checked at least 二级', async () => {
    const cookie = await browserOf('wu')
    const res = await post(cookie, '/my/enterprises', {
      creditCode: creditCode('MA4WU0001'),
      name: '吴记杂货店',
      kind: 'individual',
    })
    expect(res.statusCode).toBe(403)
    expect(res.body).toContain('二级以上实名认证')
  })

  it('lets an officer with enterprises.verify accept a failing check character with a reason, audited', async () => {
    const officer = testPrincipal({
      personId: undefined,
      staffId: 'staff-window-1',
      permissions: new Set([ENTERPRISES_VERIFY]),
    })
    const code = failingCheck(creditCode('MA4PLT001'))
    const input = {
      creditCode: code,
      name: '潮安区试点时期登记的公司',
      kind: 'company',
      legalRepIdNumber: people.lin!.idNumber,
      legalRepName: '林振华',
    }
    await expect(registerEnterprise(t.deps, officer, input)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: expect.arrayContaining([expect.objectContaining({ field: 'overrideReason' })]),
    })
    // A wrong name for the legal representative is refused.
    await expect(
      registerEnterprise(t.deps, officer, { ...input, legalRepName: '林某', overrideReason: '已核对营业执照原件' }),
    ).rejects.toMatchObject({ details: [expect.objectContaining({ field: 'legalRepIdNumber' })] })

    const done = await registerEnterprise(t.deps, officer, { ...input, overrideReason: '已核对营业执照原件，代码无误' })
    expect(done).toMatchObject({ creditCode: code, overridden: true })
    const row = await t.db.selectFrom('enterprises').selectAll().where('id', '=', done.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      legalRepPersonId: people.lin!.personId,
      creditCodeOverrideBy: 'staff-window-1',
      creditCodeOverrideReason: '已核对营业执照原件，代码无误',
    })
    expect(row.creditCodeOverrideAt).toBe(t.clock.now().toISOString())
    const [entry] = (await listAudit(t.db, { objectType: 'enterprise', objectId: done.id })).entries
    expect(entry).toMatchObject({
      actorType: 'staff',
      actorId: 'staff-window-1',
      enterpriseId: done.id,
      details: { creditCodeOverride: true, overrideReason: '已核对营业执照原件，代码无误' },
    })
  })

  it('refuses the override to staff without enterprises.verify and to citizens', async () => {
    const clerk = testPrincipal({ personId: undefined, staffId: 'staff-2', permissions: new Set(['persons.lookup']) })
    const code = failingCheck(creditCode('MA4PLT002'))
    await expect(
      registerEnterprise(t.deps, clerk, {
        creditCode: code,
        name: '某公司',
        kind: 'company',
        legalRepIdNumber: people.lin!.idNumber,
        legalRepName: '林振华',
        overrideReason: '已核对营业执照原件',
      }),
    ).rejects.toMatchObject({ kind: 'forbidden' })
    await expect(
      registerEnterprise(t.deps, principalOf('lin'), {
        creditCode: code,
        name: '某公司',
        kind: 'company',
        overrideReason: '我确认无误',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
  })
})

describe('the window registers an enterprise (POST /staff/enterprises)', () => {
  it('shows the override field and accepts a failing check character only with a reason', async () => {
    const officer = testPrincipal({
      personId: undefined,
      staffId: 'staff-window-9',
      permissions: new Set([ENTERPRISES_VERIFY]),
    })
    const w = await buildTestApp({
      principal: (request) => (String(request.headers.cookie ?? '').includes('officer=1') ? officer : undefined),
    })
    try {
      await transaction(w.db, (trx) =>
        createPerson(w.deps, trx, {
          name: '林振华',
          idNumber: '445103196208150031',
          assuranceLevel: 3,
          assuranceSource: 'test',
        }),
      )
      const page = await w.app.inject({
        method: 'GET',
        url: '/staff/enterprises/new',
        headers: { cookie: 'officer=1' },
      })
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('校验位不符时的确认理由')
      const submit = async (fields: Record<string, string>) => {
        const session = await formSession(w.app, '/staff/enterprises/new', 'officer=1')
        return w.app.inject({
          method: 'POST',
          url: '/staff/enterprises',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
          payload: form({ _csrf: session.token, ...fields }),
        })
      }
      const fields = {
        legalRepIdNumber: '445103196208150031',
        legalRepName: '林振华',
        creditCode: failingCheck(creditCode('MA4PLT009')),
        name: '潮安区试点商行',
        kind: 'company',
      }
      const refused = await submit(fields)
      expect(refused.statusCode).toBe(422)
      expect(refused.body).toContain('<a href="#f-overrideReason">')
      expect(refused.body).toContain('value="潮安区试点商行"')
      const accepted = await submit({ ...fields, overrideReason: '已核对营业执照原件' })
      expect(accepted.statusCode).toBe(200)
      expect(accepted.body).toContain('企业已登记')
      expect(accepted.body).toContain('已按确认理由接受校验位不符的代码')
      // Without the permission: refused by the route's policy.
      expect((await w.app.inject({ method: 'GET', url: '/staff/enterprises/new' })).statusCode).toBe(303)
    } finally {
      await w.close()
    }
  })
})

describe('granting agents', () => {
  it('only the legal representative may grant', async () => {
    const input = {
      enterpriseId: jinji,
      agentIdNumber: people.chen!.idNumber,
      agentName: '陈晓燕',
      scope: 'all',
      validUntil: '2026-12-31',
    }
    await expect(grantAgent(t.deps, principalOf('lin'), input)).rejects.toMatchObject({
      code: 'ENTERPRISE_LEGAL_REP_ONLY',
      kind: 'forbidden',
    })
    const cookie = await browserOf('lin')
    const res = await post(cookie, `/my/enterprises/${jinji}/agents`, {
      agentIdNumber: people.chen!.idNumber,
      agentName: '陈晓燕',
      scope: 'all',
      validUntil: '2026-12-31',
    })
    expect(res.statusCode).toBe(403)
  })

  it('checks the agent’s name and gives one answer for a wrong name and an unknown person', async () => {
    const cookie = await browserOf('huang')
    const wrongName = await post(cookie, `/my/enterprises/${jinji}/agents`, {
      agentIdNumber: people.cai!.idNumber,
      agentName: '蔡某',
      scope: 'all',
      validUntil: '2026-12-31',
    })
    const unknown = await post(cookie, `/my/enterprises/${jinji}/agents`, {
      agentIdNumber: '11010519491231002X',
      agentName: '张三',
      scope: 'all',
      validUntil: '2026-12-31',
    })
    expect(wrongName.statusCode).toBe(422)
    expect(unknown.statusCode).toBe(422)
    const message = (body: string) => /<a href="#f-agentIdNumber">([^<]+)<\/a>/.exec(body)?.[1]
    expect(message(wrongName.body)).toContain('身份证号码与姓名不一致')
    expect(message(wrongName.body)).toBe(message(unknown.body))
    // What was typed comes back.
    expect(wrongName.body).toContain('value="蔡某"')
  })

  it('refuses a grant longer than three years or ending in the past, and bad item codes', async () => {
    const base = { enterpriseId: jinji, agentIdNumber: people.cai!.idNumber, agentName: '蔡锦荣' }
    const today = '2026-03-02'
    expect(addYears(today, 3)).toBe('2029-03-02')
    expect(addYears('2028-02-29', 1)).toBe('2029-02-28')
    await expect(
      grantAgent(t.deps, principalOf('huang'), { ...base, scope: 'all', validUntil: '2029-03-03' }),
    ).rejects.toMatchObject({ details: [{ field: 'validUntil', message: expect.stringContaining('最长 3 年') }] })
    await expect(
      grantAgent(t.deps, principalOf('huang'), { ...base, scope: 'all', validUntil: '2026-03-01' }),
    ).rejects.toMatchObject({ details: [{ field: 'validUntil' }] })
    await expect(
      grantAgent(t.deps, principalOf('huang'), { ...base, scope: 'items', itemCodes: [], validUntil: today }),
    ).rejects.toMatchObject({ details: [{ field: 'itemCodes' }] })
    await expect(
      grantAgent(t.deps, principalOf('huang'), {
        ...base,
        scope: 'items',
        itemCodes: ['<script>'],
        validUntil: today,
      }),
    ).rejects.toMatchObject({ details: [{ field: 'itemCodes', message: expect.stringContaining('格式不正确') }] })
  })

  it('grants for chosen items: canActFor allows those items only; a new grant replaces the old', async () => {
    const cookie = await browserOf('huang')
    const res = await post(cookie, `/my/enterprises/${jinji}/agents`, {
      agentIdNumber: people.cai!.idNumber,
      agentName: '蔡锦荣',
      scope: 'items',
      itemCodes: '11445103MB2C34560R4442011001000\n4451030010001、  4451030010001',
      validUntil: '2026-06-30',
    })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`/my/enterprises/${jinji}?done=granted#agents`)
    const now = t.clock.now()
    const cai = people.cai!.personId
    expect(await canActFor(t.db, cai, jinji, '4451030010001', now)).toBe(true)
    expect(await canActFor(t.db, cai, jinji, '11445103MB2C34560R4442011001000', now)).toBe(true)
    expect(await canActFor(t.db, cai, jinji, '4451030099999', now)).toBe(false)
    // Without an item: may act for the enterprise at all (switching).
    expect(await canActFor(t.db, cai, jinji, undefined, now)).toBe(true)
    // Others may not.
    expect(await canActFor(t.db, people.lin!.personId, jinji, undefined, now)).toBe(false)
    // The legal representative may always, for any item.
    expect(await canActFor(t.db, people.huang!.personId, jinji, '4451030099999', now)).toBe(true)

    const grants = await t.db.selectFrom('agentGrants').selectAll().where('personId', '=', cai).execute()
    expect(grants).toHaveLength(1)
    expect(JSON.parse(grants[0]!.itemCodes)).toEqual(['11445103MB2C34560R4442011001000', '4451030010001'])

    // Granting again (all items, longer) supersedes the first grant in one step.
    const again = await grantAgent(t.deps, principalOf('huang'), {
      enterpriseId: jinji,
      agentIdNumber: people.cai!.idNumber,
      agentName: '蔡锦荣',
      scope: 'all',
      validUntil: '2027-03-01',
    })
    expect(again.supersedes).toBe(grants[0]!.id)
    expect(await canActFor(t.db, cai, jinji, '4451030099999', now)).toBe(true)
    const live = await t.db
      .selectFrom('agentGrants')
      .select('id')
      .where('personId', '=', cai)
      .where('revokedAt', 'is', null)
      .execute()
    expect(live.map((g) => g.id)).toEqual([again.id])

    const [entry] = (await listAudit(t.db, { objectType: 'agent_grant', objectId: again.id })).entries
    expect(entry).toMatchObject({
      action: 'enterprise.agent_grant',
      actorType: 'person',
      actorId: people.huang!.personId,
      enterpriseId: jinji,
      details: { agentPersonId: cai, scope: 'all', validUntil: '2027-03-01', supersedes: grants[0]!.id },
    })
  })

  it('shows the legal representative the agents with masked ID numbers', async () => {
    const cookie = await browserOf('huang')
    const page = await get(cookie, `/my/enterprises/${jinji}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('蔡锦荣')
    expect(page.body).toContain('445103********0050')
    expect(page.body).not.toContain('445103197805230050')
    expect(page.body).toContain('已撤销') // the superseded grant, in the history
    expect(page.body).toContain('撤销<span class="visually-hidden">蔡锦荣的授权</span>')
  })

  it('shows an agent the enterprise but not its agents', async () => {
    const cookie = await browserOf('cai')
    const page = await get(cookie, `/my/enterprises/${jinji}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('经办人（全部事项，授权至 2027-03-01）')
    expect(page.body).not.toContain('授权经办人')
    // A stranger gets 404.
    const stranger = await get(await browserOf('lin'), `/my/enterprises/${jinji}`)
    expect(stranger.statusCode).toBe(404)
  })
})

describe('switching identity (POST /my/acting-as)', () => {
  it('lists 个人, own enterprises and live grants, and switches with an audit entry naming both', async () => {
    const cookie = await browserOf('cai')
    const list = await get(cookie, '/my/enterprises')
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain('您现在以<strong>个人</strong>身份办事')
    expect(list.body).toContain('潮州市潮安区彩塘镇金记不锈钢制品有限公司')
    expect(list.body).toContain('经办人（全部事项）')

    const res = await post(cookie, '/my/acting-as', { enterpriseId: jinji })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/my/enterprises?done=switched')
    expect((await sessionOf(cookie)).actingEnterpriseId).toBe(jinji)
    const after = await get(cookie, '/my/enterprises')
    expect(after.body).toContain('代表「潮州市潮安区彩塘镇金记不锈钢制品有限公司」')

    const entries = (await listAudit(t.db, { action: 'identity.act_as', actorId: people.cai!.personId })).entries
    expect(entries[0]).toMatchObject({ outcome: 'success', enterpriseId: jinji, details: { to: jinji } })

    const back = await post(cookie, '/my/acting-as', { enterpriseId: '' })
    expect(back.statusCode).toBe(303)
    expect((await sessionOf(cookie)).actingEnterpriseId).toBeNull()
  })

  it('refuses to switch to an enterprise without a grant, and audits the attempt', async () => {
    const cookie = await browserOf('lin')
    const res = await post(cookie, '/my/acting-as', { enterpriseId: jinji })
    expect(res.statusCode).toBe(403)
    expect(res.body).toContain('没有这家企业的有效授权')
    expect((await sessionOf(cookie)).actingEnterpriseId).toBeNull()
    const [entry] = (await listAudit(t.db, { action: 'identity.act_as', actorId: people.lin!.personId })).entries
    expect(entry).toMatchObject({ outcome: 'denied', objectId: jinji, details: { reason: 'no_valid_grant' } })
  })

  it('refuses staff accounts', async () => {
    const staff = testPrincipal({ personId: undefined, staffId: 'staff-1' })
    await expect(switchActingEnterprise(t.deps, staff, jinji)).rejects.toMatchObject({
      code: 'ENTERPRISE_PERSON_ONLY',
    })
  })
})

describe('expiry and revocation take effect at once', () => {
  it('an expired grant stops working: no option, no switching, the acting session falls back to 个人', async () => {
    const agent = await person('zheng', '郑少华', '445103198807070016')
    const granted = await grantAgent(t.deps, principalOf('huang'), {
      enterpriseId: jinji,
      agentIdNumber: agent.idNumber,
      agentName: '郑少华',
      scope: 'all',
      validUntil: '2026-03-03',
    })
    const cookie = await browserOf('zheng')
    expect((await post(cookie, '/my/acting-as', { enterpriseId: jinji })).statusCode).toBe(303)
    expect(await validateActingEnterprise(t.db, agent.personId, jinji, t.clock.now())).toEqual({
      id: jinji,
      name: '潮州市潮安区彩塘镇金记不锈钢制品有限公司',
    })

    // 2026-03-03 23:59 in Shanghai: still valid (the last day counts).
    t.clock.set('2026-03-03T15:59:00.000Z')
    expect(await canActFor(t.db, agent.personId, jinji, undefined, t.clock.now())).toBe(true)
    // 2026-03-04 00:00 in Shanghai: expired.
    t.clock.set('2026-03-03T16:00:00.000Z')
    const now = t.clock.now()
    expect(await canActFor(t.db, agent.personId, jinji, undefined, now)).toBe(false)
    expect(await validateActingEnterprise(t.db, agent.personId, jinji, now)).toBeUndefined()
    expect((await listActingOptions(t.db, agent.personId, now)).map((o) => o.role)).toEqual(['self'])

    const fresh = await browserOf('zheng')
    const page = await get(fresh, '/my/enterprises')
    expect(page.body).toContain('您现在以<strong>个人</strong>身份办事')
    expect(page.body).not.toContain('金记')
    expect((await post(fresh, '/my/acting-as', { enterpriseId: jinji })).statusCode).toBe(403)

    const huang = await get(await browserOf('huang'), `/my/enterprises/${jinji}`)
    expect(huang.body).toContain('已过期')
    expect(granted.id).toBeDefined()
  })

  it('a revoked grant stops working at once, and the agent’s acting session goes back to 个人', async () => {
    const agent = await person('xie', '谢美华', '445103199202020029')
    const grant = await grantAgent(t.deps, principalOf('huang'), {
      enterpriseId: jinji,
      agentIdNumber: agent.idNumber,
      agentName: '谢美华',
      scope: 'all',
      validUntil: '2027-01-31',
    })
    const agentCookie = await browserOf('xie')
    expect((await post(agentCookie, '/my/acting-as', { enterpriseId: jinji })).statusCode).toBe(303)
    expect((await sessionOf(agentCookie)).actingEnterpriseId).toBe(jinji)

    // Only the legal representative may revoke; the agent is told so, a stranger learns nothing.
    await expect(revokeAgent(t.deps, principalOf('xie'), grant.id)).rejects.toMatchObject({
      code: 'ENTERPRISE_LEGAL_REP_ONLY',
    })
    await expect(revokeAgent(t.deps, principalOf('lin'), grant.id)).rejects.toMatchObject({ kind: 'not_found' })

    const huang = await browserOf('huang')
    const res = await post(huang, `/my/enterprises/${jinji}/agents/${grant.id}/revoke`, {})
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`/my/enterprises/${jinji}?done=revoked#agents`)

    expect((await sessionOf(agentCookie)).actingEnterpriseId).toBeNull()
    expect(await canActFor(t.db, agent.personId, jinji, undefined, t.clock.now())).toBe(false)
    expect((await get(agentCookie, `/my/enterprises/${jinji}`)).statusCode).toBe(404)
    expect((await post(agentCookie, '/my/acting-as', { enterpriseId: jinji })).statusCode).toBe(403)

    const again = await post(huang, `/my/enterprises/${jinji}/agents/${grant.id}/revoke`, {})
    expect(again.statusCode).toBe(409)

    const [entry] = (await listAudit(t.db, { objectType: 'agent_grant', objectId: grant.id })).entries
    expect(entry).toMatchObject({
      action: 'enterprise.agent_revoke',
      actorId: people.huang!.personId,
      enterpriseId: jinji,
      details: { agentPersonId: agent.personId, actingSessionsReset: 1 },
    })
    expect((await verifyAuditChain(t.db)).ok).toBe(true)
  })
})

describe('demo data', () => {
  it('seeds the demo enterprises with valid credit codes, once', async () => {
    for (const e of DEMO_ENTERPRISES) {
      expect(validateCreditCode(e.creditCode)).toMatchObject({ ok: true, info: { areaCode: '445103' } })
    }
    const s = await buildTestApp()
    try {
      const first = await runSeed(s.modules, { print: false })
      const text = first.announcements.join('\n')
      expect(text).toContain('黄丽娜')
      expect(text).toContain('吴秀英')
      expect(text).toContain('潮州市潮安区彩塘镇金记不锈钢制品有限公司')
      expect(text).toContain(DEMO_PASSWORD)
      const rows = await s.db.selectFrom('enterprises').select(['creditCode', 'kind']).orderBy('creditCode').execute()
      expect(rows).toEqual([
        { creditCode: '91445103MA4WJK8R2K', kind: 'company' },
        { creditCode: '92445103MA5CN7QH4E', kind: 'individual' },
      ])
      const grants = await s.db.selectFrom('agentGrants').selectAll().execute()
      expect(grants).toHaveLength(1)
      expect(grants[0]).toMatchObject({ scope: 'all', validFrom: '2026-03-02', validUntil: '2027-03-01' })

      const second = await runSeed(s.modules, { print: false })
      expect(second.announcements).toEqual([])
      expect(await s.db.selectFrom('enterprises').select('id').execute()).toHaveLength(2)
      expect(await s.db.selectFrom('agentGrants').select('id').execute()).toHaveLength(1)
    } finally {
      await s.close()
    }
  })
})
