/**
 * Expiry reminders: 30 days before a license's last valid day its holder gets one message with a
 * link to the renewal item — once per license version, however often and on however many nodes
 * the sweep runs; none for licenses further off, already expired or revoked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/helpers.js'
import { listAudit } from '../../platform/audit/audit.js'
import { runSeed } from '../../seed.js'
import { findGuideByCatalogCode } from '../catalog/index.js'
import { lookUpPerson } from '../identity/index.js'
import { sendExpiryReminders } from './licenses.expiry.js'
import { issueLicense, reissueLicense, revokeLicense } from './licenses.service.js'

let t: TestApp
let chen: string
let restaurant: string
let huang: string // 黄丽娜, legal representative of 金记
let jinji: string
const system = { system: 'test' }

const messagesTo = (personId: string, subjectLike: string) =>
  t.db
    .selectFrom('notifications')
    .select(['subject', 'body', 'link'])
    .where('recipientPersonId', '=', personId)
    .where('subject', 'like', `%${subjectLike}%`)
    .execute()

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z')
  await runSeed(t.modules, { print: false })
  chen = (await lookUpPerson(t.deps, '445103198503120029')).id
  huang = (await lookUpPerson(t.deps, '445103199001010043')).id
  const ids = await t.db.selectFrom('enterprises').select(['id', 'creditCode']).execute()
  jinji = ids.find((e) => e.creditCode === '91445103MA4WJK8R2K')!.id
  restaurant = ids.find((e) => e.creditCode === '92445103MA5CN7QH4E')!.id
  // The seed's licenses run for years; nothing is due yet.
  expect(await sendExpiryReminders(t.deps)).toEqual({ sent: 0, unreachable: 0 })
})
afterAll(async () => t?.close())

describe('expiry reminders', () => {
  it('reminds the holder once, 30 days ahead, with a link to the renewal item', async () => {
    const card = await issueLicense(t.deps, system, {
      typeCode: 'social_security_card',
      holder: { personId: chen },
      data: { card_no: 'E10000001', bank: '中国银行潮州分行' },
      validFrom: '2016-04-01',
      validTo: '2026-03-31', // 29 days from today
    })
    const later = await issueLicense(t.deps, system, {
      typeCode: 'disability_cert',
      holder: { personId: chen },
      data: { category: '听力残疾', grade: '三级' },
      validFrom: '2016-04-10',
      validTo: '2026-04-09', // 38 days: not yet
    })
    expect(await sendExpiryReminders(t.deps)).toEqual({ sent: 1, unreachable: 0 })
    expect(await sendExpiryReminders(t.deps)).toEqual({ sent: 0, unreachable: 0 })
    const messages = await messagesTo(chen, '将于')
    expect(messages).toHaveLength(1)
    const guide = await findGuideByCatalogCode(t.db, '20SBJ0000002')
    expect(messages[0]).toMatchObject({
      subject: '您的社会保障卡将于 2026-03-31 到期',
      link: guide!.href,
    })
    expect(messages[0]?.body).toContain(card.identifier)
    expect(messages[0]?.body).toContain(`「${guide!.taskName}」`)
    const audit = await listAudit(t.db, { objectType: 'license', objectId: card.id })
    expect(audit.entries.map((e) => e.action)).toContain('license.expiry_reminder')
    // nine days later the second one falls due, once
    t.clock.advance(9 * 86_400_000)
    expect(await sendExpiryReminders(t.deps)).toEqual({ sent: 1, unreachable: 0 })
    expect(await messagesTo(chen, '残疾人证')).toHaveLength(1)
    expect(later.validTo).toBe('2026-04-09')
    t.clock.set('2026-03-02T01:00:00.000Z')
  })

  it('sends one reminder when several nodes sweep at the same moment', async () => {
    const license = await issueLicense(t.deps, system, {
      typeCode: 'food_license',
      holder: { enterpriseId: restaurant },
      data: {
        legal_representative: '陈晓燕',
        address: '潮州市潮安区庵埠镇文里路 12 号',
        premises: '潮州市潮安区庵埠镇文里路 12 号首层',
        main_business: '餐饮服务经营者',
        business_items: '热食类食品制售',
      },
      validFrom: '2021-03-20',
      validTo: '2026-03-19',
    })
    const rounds = await Promise.all(Array.from({ length: 5 }, () => sendExpiryReminders(t.deps)))
    expect(rounds.reduce((n, r) => n + r.sent, 0)).toBe(1)
    // an enterprise's reminder goes to its legal representative
    const messages = await messagesTo(chen, '食品经营许可证')
    expect(messages).toHaveLength(1)
    expect(messages[0]?.body).toContain('潮安区庵埠镇陈记潮州菜馆')
    expect(
      await t.db.selectFrom('licenseExpiryReminders').selectAll().where('licenseId', '=', license.id).execute(),
    ).toHaveLength(1)
  })

  it('skips revoked and expired licenses, and reminds a re-issued version before its own end', async () => {
    const revoked = await issueLicense(t.deps, system, {
      typeCode: 'disability_cert',
      holder: { personId: huang },
      data: { category: '肢体残疾', grade: '四级' },
      validFrom: '2016-03-10',
      validTo: '2026-03-09',
    })
    await revokeLicense(t.deps, system, revoked.id, { reason: '持证人申请注销' })
    await issueLicense(t.deps, system, {
      typeCode: 'disability_cert',
      holder: { personId: huang },
      data: { category: '视力残疾', grade: '二级' },
      validFrom: '2016-03-01',
      validTo: '2026-03-01', // yesterday
    })
    expect(await sendExpiryReminders(t.deps)).toEqual({ sent: 0, unreachable: 0 })
    const food = await issueLicense(t.deps, system, {
      typeCode: 'business_license',
      holder: { enterpriseId: jinji },
      data: {
        entity_type: '有限责任公司',
        legal_representative: '黄丽娜',
        established_on: '2016-04-18',
        address: '潮州市潮安区彩塘镇工业区金记路 8 号',
        business_scope: '不锈钢制品制造',
      },
      validFrom: '2016-04-18',
      validTo: '2026-03-20',
    })
    expect((await sendExpiryReminders(t.deps)).sent).toBe(1)
    const renewed = await reissueLicense(t.deps, system, food.id, { validFrom: '2026-03-02', validTo: '2026-03-25' })
    expect((await sendExpiryReminders(t.deps)).sent).toBe(1)
    expect(renewed.version).toBe(2)
    expect(await messagesTo(huang, '营业执照')).toHaveLength(2)
  })
})
