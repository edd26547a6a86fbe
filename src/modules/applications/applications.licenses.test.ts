/**
 * Applications with the license library (through licenses/index.ts): an enterprise's e-license
 * prefills the form (naming itself) and stands for a material with the holder's consent (a use,
 * visible to the holder); on approval the item's result license is issued in the same flow and
 * the application shows it; when the library cannot sign it, the approval still completes and
 * says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal, sampleFormData, sampleMaterials, staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, formSession, type TestApp } from '../../../test/helpers.js'
import { loginAs } from '../../../test/login.js'
import { listAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { documentTypes } from '../../platform/files/files.js'
import { runSeed } from '../../seed.js'
import { getVersion, type ItemElements } from '../catalog/index.js'
import { getLicense, listHolderLicenses } from '../licenses/index.js'
import { type FormData, prefillFormData, type SectionValues } from './applications.forms.js'
import { formFor } from './applications.forms.registry.js'
import { prefillContextFor } from './applications.read.js'
import { listTasks } from './applications.repository.js'
import { acceptApplication, completeTask, getApplication, submitApplication } from './applications.service.js'
import type { MaterialInput } from './applications.types.js'

let t: TestApp
let chen: Principal
let chenForRestaurant: Principal
let restaurant: string
let businessLicense: string
let window01: Principal
let review01: Principal
let review02: Principal
let approve01: Principal

async function itemNamed(name: string) {
  const row = await t.db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.id as versionId'])
    .where('itemVersions.taskName', '=', name)
    .executeTakeFirstOrThrow()
  const version = await getVersion(t.db, row.versionId)
  return { itemId: row.id, version, elements: JSON.parse(version.elements) as ItemElements }
}

let keys = 0
const key = () => `lic-key-${Date.now()}-${++keys}`

/** 食品经营许可 for 陈记潮州菜馆 with its 营业执照 given as the e-license instead of a file. */
async function applyForFood(who: Principal, licenseId = businessLicense) {
  const { itemId, version, elements } = await itemNamed('食品经营许可')
  const form = formFor(version)
  const context = await prefillContextFor(t.deps, who)
  const data = sampleFormData(form)
  const prefilled = prefillFormData(form, context, {}).data
  const merged: FormData = {
    ...data,
    subject: { ...(data.subject as SectionValues), ...(prefilled.subject as SectionValues) },
  }
  ;(merged.business as SectionValues).premises_address = '潮州市潮安区庵埠镇文里路 12 号首层'
  ;(merged.business as SectionValues).subject_type = 'catering'
  ;(merged.business as SectionValues).items = ['hot_food', 'cold_food']
  const files = await sampleMaterials(t.deps.files, elements, documentTypes)
  const materials: MaterialInput[] = [
    ...files.filter((m) => m.materialCode !== 'business_license'),
    { materialCode: 'business_license', kind: 'license', licenseId, consent: true },
  ]
  return submitApplication(t.deps, who, { itemId, idempotencyKey: key(), formData: merged, materials })
}

async function approveFood(applicationId: string) {
  await acceptApplication(t.deps, window01, applicationId)
  const open = async (taskKey: string) =>
    (await listTasks(t.db, applicationId)).find((x) => x.taskKey === taskKey && ['open', 'claimed'].includes(x.state))!
  await completeTask(t.deps, review01, (await open('review_scj')).id, { outcome: 'agree', opinion: '' })
  await completeTask(t.deps, review02, (await open('review_wjj')).id, { outcome: 'agree', opinion: '' })
  return completeTask(t.deps, approve01, (await open('decision')).id, { outcome: 'agree', opinion: '同意' })
}

/** 陈晓燕's browser session, switched to act for her restaurant. */
async function actingForRestaurant(): Promise<string> {
  const login = await loginAs(t.app, t.clock, '445103198503120029')
  const session = await formSession(t.app, '/my/enterprises', login.cookie)
  const switched = await t.app.inject({
    method: 'POST',
    url: '/my/acting-as',
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: session.token, enterpriseId: restaurant }).toString(),
  })
  expect(switched.statusCode).toBe(303)
  return session.cookie
}

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z') // Monday 09:00 in Shanghai
  await runSeed(t.modules, { print: false })
  chen = await citizenPrincipal(t.db, '陈晓燕')
  restaurant = (
    await t.db
      .selectFrom('enterprises')
      .select('id')
      .where('creditCode', '=', '92445103MA5CN7QH4E')
      .executeTakeFirstOrThrow()
  ).id
  chenForRestaurant = { ...chen, enterpriseId: restaurant, enterpriseName: '潮安区庵埠镇陈记潮州菜馆' }
  businessLicense = (await listHolderLicenses(t.deps, { enterpriseId: restaurant })).find(
    (l) => l.typeCode === 'business_license',
  )!.id
  window01 = await staffPrincipal(t.db, 'window01')
  review01 = await staffPrincipal(t.db, 'review01')
  review02 = await staffPrincipal(t.db, 'review02')
  approve01 = await staffPrincipal(t.db, 'approve01')
})
afterAll(async () => t?.close())

describe('prefill and materials from held e-licenses', () => {
  it('prefills the enterprise’s details from its 营业执照 and names the license as the source', async () => {
    const { version } = await itemNamed('食品经营许可')
    const { data, sources } = prefillFormData(formFor(version), await prefillContextFor(t.deps, chenForRestaurant))
    expect(data.subject).toMatchObject({
      credit_code: '92445103MA5CN7QH4E',
      name: '潮安区庵埠镇陈记潮州菜馆',
      legal_rep: '陈晓燕',
      address: '潮州市潮安区庵埠镇文里路 12 号',
    })
    expect(sources['subject.credit_code']).toEqual({
      kind: 'license',
      label: '来自电子证照：营业执照',
      licenseId: businessLicense,
    })
    // as herself (not acting for the restaurant) its license is not hers to use
    const own = await prefillContextFor(t.deps, chen)
    expect(own.licenses?.map((l) => l.licenseType).sort()).toEqual(['household_register', 'social_security_card'])
  })

  it('offers the license on the form instead of an upload, with the consent to its use', async () => {
    const cookie = await actingForRestaurant()
    const { itemId } = await itemNamed('食品经营许可')
    const page = await t.app.inject({ method: 'GET', url: `/apply/${itemId}`, headers: { cookie } })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`name="materials.business_license.license" value="${businessLicense}"`)
    expect(page.body).toContain('name="materials.business_license.consent"')
    expect(page.body).toContain('使用我的电子证照：营业执照')
    expect(page.body).toContain('来自电子证照：营业执照')
  })

  it('records the use of the license when the application is submitted; the holder sees who used it', async () => {
    const app = await applyForFood(chenForRestaurant)
    expect(app.state).toBe('submitted')
    const uses = await t.db.selectFrom('licenseUses').selectAll().where('applicationId', '=', app.id).execute()
    expect(uses).toHaveLength(1)
    expect(uses[0]).toMatchObject({
      licenseId: businessLicense,
      usedByDepartmentId: window01.departmentId,
      usedByPersonId: chen.personId,
    })
    expect(uses[0]?.purpose).toContain('食品经营许可')
    const material = await t.db
      .selectFrom('applicationMaterials')
      .selectAll()
      .where('applicationId', '=', app.id)
      .where('materialCode', '=', 'business_license')
      .executeTakeFirstOrThrow()
    expect(material).toMatchObject({ kind: 'license', licenseId: businessLicense, trustGrade: 'a' })
    expect(material.consentAt).not.toBeNull()
    const audit = await listAudit(t.db, { objectType: 'license', objectId: businessLicense })
    expect(audit.entries.map((e) => e.action)).toContain('license.use')
  })

  it('refuses a license that is not the applicant’s, naming the material; nothing is used', async () => {
    const household = (await listHolderLicenses(t.deps, { personId: chen.personId! })).find(
      (l) => l.typeCode === 'household_register',
    )!
    const before = await t.db.selectFrom('licenseUses').select('id').execute()
    const error = await applyForFood(chenForRestaurant, household.id).catch((e) => e)
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.details).toContainEqual({
      field: 'materials.business_license',
      message: '找不到所选的电子证照，请重新选择或上传文件',
    })
    expect(await t.db.selectFrom('licenseUses').select('id').execute()).toHaveLength(before.length)
  })
})

describe('delivery', () => {
  it('issues the 食品经营许可证 on approval in the same flow, then 办结; the application shows it', async () => {
    const app = await applyForFood(chenForRestaurant)
    const done = await approveFood(app.id)
    expect(done.state).toBe('completed')
    expect(done.resultKind).toBe('license')
    const license = await getLicense(t.deps, done.resultRef!)
    expect(license).toMatchObject({
      typeCode: 'food_license',
      applicationId: app.id,
      state: 'valid',
      holder: { kind: 'enterprise', enterpriseId: restaurant, name: '潮安区庵埠镇陈记潮州菜馆' },
      validFrom: '2026-03-02',
      validTo: '2031-03-01',
    })
    expect(license.data).toMatchObject({
      legal_representative: '陈晓燕',
      premises: '潮州市潮安区庵埠镇文里路 12 号首层',
      main_business: '餐饮服务经营者',
      business_items: '热食类食品制售、冷食类食品制售',
      license_no: `JY${license.serial}`,
    })
    expect(done.deliveryNote).toContain(license.identifier)
    const audit = await listAudit(t.db, { objectType: 'license', objectId: license.id })
    expect(audit.entries.map((e) => e.action)).toEqual(['license.issue'])
    expect(audit.entries[0]?.details).toMatchObject({ applicationId: app.id })
    // the applicant's case page links to it; the message says it was issued
    const message = await t.db
      .selectFrom('notifications')
      .select('body')
      .where('recipientPersonId', '=', chen.personId!)
      .where('subject', '=', `办件 ${done.applicationNo} 已办结`)
      .executeTakeFirstOrThrow()
    expect(message.body).toContain('食品经营许可证电子证照已签发')
    expect((await listHolderLicenses(t.deps, { enterpriseId: restaurant })).map((l) => l.id)).toContain(license.id)
    // the case page shows it, linked to 我的证照; the license page opens for the restaurant
    const cookie = await actingForRestaurant()
    const page = await t.app.inject({ method: 'GET', url: `/my/applications/${app.id}`, headers: { cookie } })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`href="/my/licenses/${license.id}"`)
    expect(page.body).toContain(license.identifier)
    const face = await t.app.inject({ method: 'GET', url: `/my/licenses/${license.id}`, headers: { cookie } })
    expect(face.statusCode).toBe(200)
    expect(face.body).toContain('食品经营许可证')
  })

  it('completes the approval as license_pending with the reason when the license cannot be issued', async () => {
    // 陈晓燕 as herself: a 食品经营许可证 is held by an enterprise, never a person
    const { itemId, version, elements } = await itemNamed('食品经营许可')
    const app = await submitApplication(t.deps, chen, {
      itemId,
      idempotencyKey: key(),
      formData: sampleFormData(formFor(version)),
      materials: await sampleMaterials(t.deps.files, elements, documentTypes),
    })
    const done = await approveFood(app.id)
    expect(done.state).toBe('completed')
    expect(done.resultKind).toBe('license_pending')
    expect(done.deliveryNote).toContain('持证人应为企业')
    expect(await t.db.selectFrom('licenses').select('id').where('applicationId', '=', app.id).execute()).toEqual([])
    expect((await getApplication(t.db, app.id)).completedAt).not.toBeNull()
  })
})
