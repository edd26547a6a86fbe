/**
 * The license types the demo catalog names (materials' licenseTypeCode, items'
 * resultLicenseTypeCode), as demo data an administrator can edit later.
 *
 * 证照类型代码: the national license catalog (全国一体化政务服务平台电子证照目录) assigns each type
 * a code under the USCC of the ministry that defines it. Those codes are not confirmed here, so
 * the types issued in the district carry DEMO codes under the issuing department's own credit
 * code (department USCC + 3 digits). Replace them with the catalog's codes before going live:
 * identifiers already issued keep the code they were signed with.
 * Types issued elsewhere (居民身份证 by the Ministry of Public Security's system, 出生医学证明 by
 * hospitals) have no issuing department and no code: the library knows them but never issues them.
 */
import type { LicenseField } from './licenses.fields.js'
import type { HolderKind } from './licenses.tables.js'

export interface DemoLicenseType {
  code: string
  name: string
  /** The issuing department's code (identity seed), or null for types issued elsewhere. */
  departmentCode: string | null
  /** Suffix of the demo type code under the department's credit code. */
  typeSuffix: string | null
  holderKind: HolderKind
  validityYears: number | null
  renewalItemCode: string | null
  fields: LicenseField[]
}

const text = (key: string, label: string, required = true): LicenseField => ({ key, label, type: 'text', required })
const longtext = (key: string, label: string, required = true): LicenseField => ({
  key,
  label,
  type: 'longtext',
  required,
})
const date = (key: string, label: string, required = true): LicenseField => ({ key, label, type: 'date', required })

export const DEMO_LICENSE_TYPES: DemoLicenseType[] = [
  {
    code: 'business_license',
    name: '营业执照',
    departmentCode: 'scj',
    typeSuffix: '001',
    holderKind: 'enterprise',
    validityYears: null,
    renewalItemCode: '01SCJ0000004',
    fields: [
      text('entity_type', '类型'),
      text('legal_representative', '法定代表人（负责人、经营者）'),
      text('registered_capital', '注册资本', false),
      date('established_on', '成立日期'),
      text('business_term', '营业期限', false),
      text('address', '住所（经营场所）'),
      longtext('business_scope', '经营范围'),
    ],
  },
  {
    code: 'food_license',
    name: '食品经营许可证',
    departmentCode: 'scj',
    typeSuffix: '002',
    holderKind: 'enterprise',
    // 《食品经营许可和备案管理办法》: valid for five years.
    validityYears: 5,
    renewalItemCode: '01SCJ0000007',
    fields: [
      text('legal_representative', '法定代表人（负责人）'),
      text('address', '住所'),
      text('premises', '经营场所'),
      text('main_business', '主体业态'),
      longtext('business_items', '经营项目'),
      { ...text('license_no', '许可证编号'), generated: { prefix: 'JY' } },
      text('supervising_authority', '日常监督管理机构', false),
    ],
  },
  {
    code: 'marriage_cert',
    name: '结婚证',
    departmentCode: 'mzj',
    typeSuffix: '001',
    holderKind: 'person',
    validityYears: null,
    renewalItemCode: null,
    fields: [
      date('registered_on', '登记日期'),
      { ...text('certificate_no', '结婚证字号'), generated: { prefix: 'J445103-' } },
      text('spouse_name', '配偶姓名'),
    ],
  },
  {
    code: 'household_register',
    name: '居民户口簿',
    departmentCode: 'gaj',
    typeSuffix: '001',
    holderKind: 'person',
    validityYears: null,
    renewalItemCode: '06GAJ0000002',
    fields: [
      text('household_no', '户号'),
      text('household_type', '户别'),
      text('head_name', '户主姓名'),
      text('relation', '与户主关系'),
      text('address', '住址'),
    ],
  },
  {
    code: 'real_estate_cert',
    name: '不动产权证书',
    departmentCode: 'zrzy',
    typeSuffix: '001',
    holderKind: 'person',
    validityYears: null,
    renewalItemCode: '06ZRZY000001',
    fields: [
      { ...text('certificate_no', '证号'), generated: { prefix: '粤（2026）潮安区不动产权第' } },
      text('ownership', '共有情况'),
      text('location', '坐落'),
      text('unit_no', '不动产单元号'),
      text('right_type', '权利类型'),
      text('right_nature', '权利性质'),
      text('usage', '用途'),
      text('area', '面积'),
    ],
  },
  {
    code: 'disability_cert',
    name: '残疾人证',
    departmentCode: 'cl',
    typeSuffix: '001',
    holderKind: 'person',
    // 第二代残疾人证: valid for ten years.
    validityYears: 10,
    renewalItemCode: '20CL00000001',
    fields: [text('category', '残疾类别'), text('grade', '残疾等级')],
  },
  {
    code: 'social_security_card',
    name: '社会保障卡',
    departmentCode: 'sbj',
    typeSuffix: '001',
    holderKind: 'person',
    validityYears: 10,
    renewalItemCode: '20SBJ0000002',
    fields: [{ ...text('card_no', '社会保障卡卡号'), generated: { prefix: 'E' } }, text('bank', '服务银行', false)],
  },
  {
    code: 'resident_id',
    name: '居民身份证',
    departmentCode: null,
    typeSuffix: null,
    holderKind: 'person',
    validityYears: null,
    renewalItemCode: '06GAJ0000001',
    fields: [
      text('sex', '性别'),
      text('ethnicity', '民族'),
      date('birth_date', '出生日期'),
      text('address', '住址'),
      text('issuing_authority', '签发机关'),
    ],
  },
  {
    code: 'birth_cert',
    name: '出生医学证明',
    departmentCode: null,
    typeSuffix: null,
    holderKind: 'person',
    validityYears: null,
    renewalItemCode: null,
    fields: [
      text('sex', '性别'),
      date('birth_date', '出生日期'),
      text('birthplace', '出生地点'),
      text('certificate_no', '出生医学证明编号'),
    ],
  },
]
