/**
 * Demo data of the license library, idempotent: the license types the demo catalog names, a seal
 * key for every department that issues one of them, and two licenses of the demo citizen 陈晓燕
 * so that /verify has something to show.
 */
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import type { SeedReport } from '../../platform/module.js'
import { enterpriseByCreditCode, findDepartmentInfoByCode, lookUpPerson } from '../identity/index.js'
import { DEMO_LICENSE_TYPES } from './licenses.demo-types.js'
import { fieldsProblem } from './licenses.fields.js'
import { ensureSealKey } from './licenses.keys.js'
import { insertLicenseTypeIfAbsent } from './licenses.repository.js'
import { issueLicense, type LicenseHolderRef, licensePayload, listHolderLicenses } from './licenses.service.js'

const SEED = 'seed:licenses'

/** 陈晓燕 (identity demo data). */
const DEMO_HOLDER_ID_NUMBER = '445103198503120029'
/** 潮安区庵埠镇陈记潮州菜馆, her 个体工商户 (identity demo data). */
const DEMO_RESTAURANT_CREDIT_CODE = '92445103MA5CN7QH4E'

export async function seedLicenses(deps: Deps, report: SeedReport, progress: (message: string) => void): Promise<void> {
  const now = deps.clock.now().toISOString()
  let types = 0
  let keys = 0
  for (const t of DEMO_LICENSE_TYPES) {
    const problem = fieldsProblem(t.fields)
    if (problem) throw new Error(`demo license type ${t.code}: ${problem}`)
    const department = t.departmentCode ? await findDepartmentInfoByCode(deps.db, t.departmentCode) : undefined
    if (t.departmentCode && !department)
      throw new Error(`demo license type ${t.code}: no department ${t.departmentCode}`)
    const typeCode = department?.creditCode && t.typeSuffix ? `${department.creditCode}${t.typeSuffix}` : null
    const inserted = await insertLicenseTypeIfAbsent(deps.db, {
      code: t.code,
      name: t.name,
      typeCode,
      issuingDepartmentId: department?.id ?? null,
      holderKind: t.holderKind,
      fields: JSON.stringify(t.fields),
      validityYears: t.validityYears,
      faceTemplate: t.code,
      renewalItemCode: t.renewalItemCode,
      active: 1,
      createdAt: now,
      updatedAt: now,
    })
    if (inserted) types++
    if (department && (await ensureSealKey(deps, department.id, SEED))) keys++
  }
  progress(`电子证照：${types} 个证照类型、${keys} 把印章密钥`)

  let holder: string
  try {
    holder = (await lookUpPerson(deps, DEMO_HOLDER_ID_NUMBER)).id
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'not_found') return
    throw error
  }
  const held = new Set((await listHolderLicenses(deps, { personId: holder })).map((l) => l.typeCode))
  const demos: { typeCode: string; data: Record<string, string> }[] = [
    {
      typeCode: 'household_register',
      data: {
        household_no: '445103019876',
        household_type: '家庭户',
        head_name: '陈晓燕',
        relation: '户主',
        address: '广东省潮州市潮安区庵埠镇示例路1号',
      },
    },
    { typeCode: 'social_security_card', data: { card_no: 'E00000001', bank: '中国工商银行潮州分行' } },
  ]
  const all: { typeCode: string; data: Record<string, string>; holder: LicenseHolderRef; validFrom?: string }[] = demos
    .filter((d) => !held.has(d.typeCode))
    .map((d) => ({ ...d, holder: { personId: holder } }))
  // 陈晓燕's restaurant (identity demo data): its 营业执照, used by 食品经营许可 for prefill and as a material.
  const restaurant = await enterpriseByCreditCode(deps.db, DEMO_RESTAURANT_CREDIT_CODE)
  if (restaurant && (await listHolderLicenses(deps, { enterpriseId: restaurant.id })).length === 0) {
    all.push({
      typeCode: 'business_license',
      holder: { enterpriseId: restaurant.id },
      validFrom: '2019-09-02',
      data: {
        entity_type: '个体工商户',
        legal_representative: '陈晓燕',
        established_on: '2019-09-02',
        address: '潮州市潮安区庵埠镇文里路 12 号',
        business_scope:
          '餐饮服务；食品销售（仅销售预包装食品）。（依法须经批准的项目，经相关部门批准后方可开展经营活动）',
      },
    })
  }
  for (const demo of all) {
    const license = await issueLicense(deps, { system: SEED }, demo)
    report.announcements.push(
      `电子证照（${license.typeName}）：${license.identifier}`,
      `  核验：${deps.config.baseUrl}/verify?q=${encodeURIComponent(license.identifier)}`,
      `  二维码内容（${(await licensePayload(deps, license.id)).length} 个字符）可粘贴到 ${deps.config.baseUrl}/verify`,
    )
  }
}
