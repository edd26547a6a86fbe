/**
 * 我的证照 over HTTP as the holder's browser sees it: the list for the person and for the
 * enterprise they act for, the face with the signed QR code, the PDF (text and an embedded font
 * subset, checked with poppler's pdftotext and pdffonts), one-use share links (single use,
 * expiry, revocation) and 「谁用了我的证照」 listing every use.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, cookiesOf, form, formSession, type TestApp } from '../../../test/helpers.js'
import { loginAs } from '../../../test/login.js'
import { listAudit } from '../../platform/audit/audit.js'
import { runSeed } from '../../seed.js'
import { lookUpPerson } from '../identity/index.js'
import { decodePayload } from './licenses.canonical.js'
import {
  issueLicense,
  type LicenseView,
  licensePayload,
  listHolderLicenses,
  recordUse,
  revokeLicense,
  verifyPayload,
} from './licenses.service.js'

let t: TestApp
let chenId: string
let card: LicenseView
let restaurant: string
let scj: string
let sbj: string

/** A logged-in browser: cookies kept between requests. */
async function browser(account: string) {
  const login = await loginAs(t.app, t.clock, account)
  expect(login.status, login.body).toBe(303)
  let cookie = login.cookie
  return {
    get: (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } }),
    async post(page: string, url: string, fields: Record<string, string>) {
      const session = await formSession(t.app, page, cookie)
      cookie = session.cookie
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: form({ _csrf: session.token, ...fields }),
      })
      cookie = cookiesOf(res, cookie)
      return res
    },
  }
}

const anonymous = (url: string) =>
  t.app.inject({ method: 'GET', url, remoteAddress: `10.7.${Math.floor(Math.random() * 250)}.9` })

function main(html: string): string {
  return /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html
}

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z')
  await runSeed(
    t.modules.filter((m) => ['platform', 'identity', 'licenses'].includes(m.name)),
    { print: false },
  )
  chenId = (await lookUpPerson(t.deps, '445103198503120029')).id
  card = (await listHolderLicenses(t.deps, { personId: chenId })).find((l) => l.typeCode === 'social_security_card')!
  restaurant = (
    await t.db
      .selectFrom('enterprises')
      .select('id')
      .where('creditCode', '=', '92445103MA5CN7QH4E')
      .executeTakeFirstOrThrow()
  ).id
  for (const d of await t.db.selectFrom('departments').select(['id', 'code']).execute()) {
    if (d.code === 'scj') scj = d.id
    if (d.code === 'sbj') sbj = d.id
  }
})
afterAll(async () => t?.close())

describe('我的证照', () => {
  it('lists the person’s own licenses with their state, and the enterprise’s while acting for it', async () => {
    const chen = await browser('445103198503120029')
    const list = await chen.get('/my/licenses')
    expect(list.statusCode).toBe(200)
    const text = main(list.body)
    expect(text).toContain('社会保障卡')
    expect(text).toContain('居民户口簿')
    expect(text).toContain(card.identifier)
    expect(text).not.toContain('营业执照')
    const switched = await chen.post('/my/enterprises', '/my/acting-as', { enterpriseId: restaurant })
    expect(switched.statusCode).toBe(303)
    const acting = main((await chen.get('/my/licenses')).body)
    expect(acting).toContain('营业执照')
    expect(acting).toContain('代表 潮安区庵埠镇陈记潮州菜馆')
    expect(acting).not.toContain('社会保障卡')
  })

  it('shows the face with the signed QR payload, the seal and the trust-grade watermark; another holder gets 404', async () => {
    const chen = await browser('445103198503120029')
    const page = await chen.get(`/my/licenses/${card.id}`)
    expect(page.statusCode).toBe(200)
    expect(page.headers['cache-control']).toContain('no-store')
    const html = main(page.body)
    const payload = /data-payload="([^"]+)"/.exec(html)?.[1] ?? ''
    expect(payload).toBe(await licensePayload(t.deps, card.id))
    expect((await verifyPayload(t.deps, payload)).state).toBe('valid')
    expect(html).toContain('<svg') // the QR code and the seal
    expect(html).toContain('电子证照专用章')
    expect(html).toContain(`此件由${card.issuer.name}提供，仅供办理政务服务事项时使用`)
    expect(html).toContain('可信等级 A 部门核发')
    // 黄丽娜 is somebody else
    const huang = await browser('445103199001010043')
    expect((await huang.get(`/my/licenses/${card.id}`)).statusCode).toBe(404)
    expect((await huang.get(`/my/licenses/${card.id}/pdf`)).statusCode).toBe(404)
    expect((await anonymous(`/my/licenses/${card.id}`)).statusCode).toBe(303)
  })

  it('gives the face as a PDF with its text and an embedded subset of the Chinese font', async () => {
    const chen = await browser('445103198503120029')
    const res = await chen.get(`/my/licenses/${card.id}/pdf`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/pdf')
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'license-pdf-'))
    try {
      const file = path.join(dir, 'face.pdf')
      fs.writeFileSync(file, res.rawPayload)
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '')
      for (const expected of [
        '社会保障卡',
        '陈晓燕',
        card.data.card_no!,
        '电子证照标识',
        card.identifier,
        '可信等级',
      ]) {
        expect(text).toContain(expected.replace(/\s+/g, ''))
      }
      expect(text).toContain(`此件由${card.issuer.name}提供`)
      const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean)
      expect(fonts.length).toBeGreaterThan(0)
      // name starts with a subset tag (ABCDEF+), embedded yes, subset yes
      for (const line of fonts) expect(line).toMatch(/^[A-Z]{6}\+NotoSansSC\S*\s.*\byes\s+yes\s/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('谁用了我的证照', () => {
  it('lists every use of the license by any department, newest first', async () => {
    await recordUse(t.deps, card.id, { departmentId: sbj, purpose: '城乡居民养老保险参保登记' })
    t.clock.advance(60_000)
    await recordUse(t.deps, card.id, { departmentId: scj, purpose: '食品经营许可申请材料' })
    const chen = await browser('445103198503120029')
    const html = main((await chen.get(`/my/licenses/${card.id}`)).body)
    const uses = html.slice(html.indexOf('id="uses"'), html.indexOf('id="share"'))
    expect(uses).toContain('使用记录（共 2 次）')
    expect(uses).toContain('潮州市潮安区社会保险基金管理局')
    expect(uses).toContain('潮州市潮安区市场监督管理局')
    expect(uses.indexOf('食品经营许可申请材料')).toBeLessThan(uses.indexOf('城乡居民养老保险参保登记'))
  })
})

describe('sharing for one use', () => {
  async function share(fields: Record<string, string>) {
    const chen = await browser('445103198503120029')
    const res = await chen.post(`/my/licenses/${card.id}`, `/my/licenses/${card.id}/shares`, fields)
    return { chen, res, link: /value="https?:\/\/[^"]*(\/licenses\/shared\/[A-Za-z0-9_-]{43})"/.exec(res.body)?.[1] }
  }

  it('opens once: the first open shows the masked face and records a use; the second answers 410', async () => {
    const { res, link, chen } = await share({ audience: '中国工商银行潮安支行', purpose: '开立个人账户', days: '3' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(link).toBeDefined()
    const first = await anonymous(link!)
    expect(first.statusCode).toBe(200)
    const face = main(first.body)
    expect(face).toContain('陈**')
    expect(face).not.toContain('陈晓燕')
    expect(face).toContain('仅供中国工商银行潮安支行用于开立个人账户')
    expect(face).not.toContain('data-payload=')
    const second = await anonymous(link!)
    expect(second.statusCode).toBe(410)
    expect(main(second.body)).toContain('只能查看一次')
    // the holder sees the opening among the uses, and the share as 已查看
    const page = main((await chen.get(`/my/licenses/${card.id}`)).body)
    expect(page).toContain('通过分享链接查看：中国工商银行潮安支行，开立个人账户')
    expect(page).toContain('已查看')
  })

  it('opens many racing requests only once', async () => {
    const { link } = await share({ audience: '房东林先生', purpose: '租房登记', days: '1' })
    const answers = await Promise.all(Array.from({ length: 6 }, () => anonymous(link!)))
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 410, 410, 410, 410, 410])
  })

  it('expires: after its days the link answers 410 and records nothing', async () => {
    const { link } = await share({ audience: '潮安区某物业公司', purpose: '入住登记', days: '1' })
    const before = (await t.db.selectFrom('licenseUses').select('id').where('licenseId', '=', card.id).execute()).length
    t.clock.advance(24 * 3_600_000 + 1000)
    const late = await anonymous(link!)
    expect(late.statusCode).toBe(410)
    expect(main(late.body)).toContain('已过期')
    expect(await t.db.selectFrom('licenseUses').select('id').where('licenseId', '=', card.id).execute()).toHaveLength(
      before,
    )
  })

  it('can be revoked by the holder before it is opened', async () => {
    const { chen, link } = await share({ audience: '潮安区某幼儿园', purpose: '入园材料', days: '7' })
    const shareId = (
      await t.db
        .selectFrom('licenseShares')
        .select('id')
        .where('audience', '=', '潮安区某幼儿园')
        .executeTakeFirstOrThrow()
    ).id
    const revoked = await chen.post(`/my/licenses/${card.id}`, `/my/licenses/${card.id}/shares/${shareId}/revoke`, {})
    expect(revoked.statusCode).toBe(303)
    const res = await anonymous(link!)
    expect(res.statusCode).toBe(410)
    expect(main(res.body)).toContain('持证人已撤销')
    const audit = await listAudit(t.db, { objectType: 'license_share', objectId: shareId })
    expect(audit.entries.map((e) => e.action).sort()).toEqual(['license.share_create', 'license.share_revoke'])
  })

  it('refuses bad input with the reasons (422) and a share of a revoked license (409)', async () => {
    const bad = await share({ audience: 'x', purpose: '', days: '30' })
    expect(bad.res.statusCode).toBe(422)
    expect(bad.res.body).toContain('请用2至60个字写明分享给谁')
    expect(bad.res.body).toContain('有效期最长 7 天')
    const other = await issueLicense(
      t.deps,
      { system: 'test' },
      { typeCode: 'disability_cert', holder: { personId: chenId }, data: { category: '视力残疾', grade: '四级' } },
    )
    await revokeLicense(t.deps, { system: 'test' }, other.id, { reason: '测试注销' })
    const chen = await browser('445103198503120029')
    const res = await chen.post(`/my/licenses/${other.id}`, `/my/licenses/${other.id}/shares`, {
      audience: '某单位',
      purpose: '某用途',
      days: '1',
    })
    expect(res.statusCode).toBe(409)
    expect(main(res.body)).toContain('已注销')
    // a link to an unknown token is 404, not 500
    expect((await anonymous(`/licenses/shared/${'A'.repeat(43)}`)).statusCode).toBe(404)
    expect((await anonymous('/licenses/shared/not-a-token')).statusCode).toBe(404)
  })

  it('puts the signed payload of the card in its QR code, decodable offline', async () => {
    const decoded = decodePayload(await licensePayload(t.deps, card.id))
    expect(decoded.ok && decoded.license.identifier).toBe(card.identifier)
  })
})
