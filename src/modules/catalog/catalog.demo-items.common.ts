/**
 * Shared pieces of the demo catalog (catalog.demo-items.*.ts): the item type, the defaults every
 * 潮安区 guide repeats (hours, addresses, contact and complaint channels) and the materials most
 * items ask for (identity card, business licence, power of attorney).
 *
 * Basic codes (catalogCode, 12 characters) of the demo items follow one documented pattern:
 *   2 digits  事项类型 code from TASK_TYPES, zero-padded (01 许可, 05 给付, 06 确认, 10 其他, 20 公共服务)
 *   4 chars   department code upper-cased, right-padded with 0 (SCJ0, GAJ0, ZRZY, CL00 …)
 *   6 digits  sequence within the department, never reused
 * e.g. 01SCJ0000003 = 区市场监督管理局's third item, a 行政许可. The real national codes differ
 * (DOMAIN.md §1: the segment layout is unconfirmed); these only have the right shape.
 *
 * Addresses, window numbers and telephone numbers are invented (0768-58000xx range).
 */

import type { BlankFormSpec } from './catalog.blank-forms.js'
import type { ItemElements, Material } from './catalog.model.js'

export interface DemoItem {
  departmentCode: string
  elements: Omit<ItemElements, 'taskCode'>
  /** Blank application forms, keyed by materialCode. */
  blankForms?: Record<string, BlankFormSpec>
}

/** Fields that most demo items share; an item may still set any of them. */
type Defaulted =
  | 'powerSource'
  | 'useLevel'
  | 'otherDept'
  | 'isFee'
  | 'feeBasis'
  | 'fees'
  | 'transactTime'
  | 'linkWay'
  | 'superviseWay'
  | 'isSchedule'
  | 'isExpress'
  | 'isPayOnline'
  | 'isServiceTerminals'
  | 'anticipateType'
  | 'promiseType'

export type ItemDraft = Omit<ItemElements, 'taskCode' | Defaulted> & Partial<Pick<ItemElements, Defaulted>>

export const TRANSACT_TIME = '工作日 上午 8:30-12:00，下午 14:30-17:30（法定节假日除外；网上申请全天 24 小时可提交）'

export const CENTER = '潮州市潮安区庵埠镇安南路潮安区政务服务中心'

/** 「潮安区政务服务中心 X 号窗口」 with the building's address. */
export function centerWindow(windows: string): string {
  return `潮安区政务服务中心 ${windows}号窗口（${CENTER}一楼）`
}

/** The town service stations: items applied for where the applicant lives. */
export const TOWN_STATIONS =
  '户籍所在地（或居住地）镇政务服务站（庵埠、彩塘、金石、沙溪、浮洋、龙湖等 16 个镇及万峰林场）'

interface DeptContact {
  shortName: string
  phone: string
  supervisePhone: string
}

/** Consultation and supervision telephone numbers of each department (fictitious). */
const CONTACTS: Record<string, DeptContact> = {
  zwfw: { shortName: '区政务服务中心', phone: '0768-5800001', supervisePhone: '0768-5800010' },
  fgj: { shortName: '区发改局', phone: '0768-5800201', supervisePhone: '0768-5800202' },
  jyj: { shortName: '区教育局', phone: '0768-5800141', supervisePhone: '0768-5800142' },
  gaj: { shortName: '公安分局', phone: '0768-5800111', supervisePhone: '0768-5800119' },
  mzj: { shortName: '区民政局', phone: '0768-5800121', supervisePhone: '0768-5800129' },
  sfj: { shortName: '区司法局', phone: '0768-5800251', supervisePhone: '0768-5800259' },
  rsj: { shortName: '区人社局', phone: '0768-5800151', supervisePhone: '0768-5800159' },
  sbj: { shortName: '区社保局', phone: '0768-5800108', supervisePhone: '0768-5800158' },
  zrzy: { shortName: '区自然资源局', phone: '0768-5800181', supervisePhone: '0768-5800189' },
  sthj: { shortName: '区生态环境分局', phone: '0768-5800191', supervisePhone: '0768-5800199' },
  zjj: { shortName: '区住建局', phone: '0768-5800171', supervisePhone: '0768-5800179' },
  jtj: { shortName: '区交通运输局', phone: '0768-5800211', supervisePhone: '0768-5800219' },
  nyj: { shortName: '区农业农村局', phone: '0768-5800221', supervisePhone: '0768-5800229' },
  wgl: { shortName: '区文广旅体局', phone: '0768-5800231', supervisePhone: '0768-5800239' },
  wjj: { shortName: '区卫生健康局', phone: '0768-5800131', supervisePhone: '0768-5800139' },
  yjj: { shortName: '区应急管理局', phone: '0768-5800241', supervisePhone: '0768-5800249' },
  scj: { shortName: '区市场监督管理局', phone: '0768-5800105', supervisePhone: '0768-5800106' },
  ybj: { shortName: '区医疗保障局', phone: '0768-5800109', supervisePhone: '0768-5800168' },
  tyjr: { shortName: '区退役军人事务局', phone: '0768-5800261', supervisePhone: '0768-5800269' },
  cl: { shortName: '区残联', phone: '0768-5800161', supervisePhone: '0768-5800169' },
}

function contactOf(departmentCode: string): DeptContact {
  const contact = CONTACTS[departmentCode]
  if (!contact) throw new Error(`demo catalog: no contact data for department ${departmentCode}`)
  return contact
}

export function linkWayOf(departmentCode: string): string {
  const c = contactOf(departmentCode)
  return `${c.shortName}咨询电话 ${c.phone}；也可拨打 12345 政务服务便民热线，或在“粤省事”“粤商通”在线咨询`
}

export function superviseWayOf(departmentCode: string): string {
  const c = contactOf(departmentCode)
  return `12345 政务服务便民热线；潮安区政务服务中心督查科 0768-5800010；${c.shortName}监督电话 ${c.supervisePhone}；也可在办事大厅“好差评”评价器或网上评价`
}

/** Builds a demo item, filling the shared defaults. */
export function demoItem(
  departmentCode: string,
  draft: ItemDraft,
  blankForms?: Record<string, BlankFormSpec>,
): DemoItem {
  const fees = draft.fees ?? []
  const elements: Omit<ItemElements, 'taskCode'> = {
    ...draft,
    powerSource: draft.powerSource ?? '法定本级行使',
    useLevel: draft.useLevel ?? '区级',
    otherDept: draft.otherDept ?? [],
    isFee: draft.isFee ?? fees.length > 0,
    feeBasis: draft.feeBasis ?? '',
    fees,
    transactTime: draft.transactTime ?? TRANSACT_TIME,
    linkWay: draft.linkWay ?? linkWayOf(departmentCode),
    superviseWay: draft.superviseWay ?? superviseWayOf(departmentCode),
    isSchedule: draft.isSchedule ?? true,
    isExpress: draft.isExpress ?? false,
    isPayOnline: draft.isPayOnline ?? false,
    isServiceTerminals: draft.isServiceTerminals ?? false,
    anticipateType: draft.anticipateType ?? '工作日',
    promiseType: draft.promiseType ?? '工作日',
  }
  return blankForms ? { departmentCode, elements, blankForms } : { departmentCode, elements }
}

/** Steps from [name, description] pairs. */
export function steps(...pairs: [string, string][]): ItemElements['handleFlow'] {
  return pairs.map(([name, description]) => ({ name, description }))
}

/** FAQ rows from [question, answer] pairs. */
export function faqs(...pairs: [string, string][]): ItemElements['faqs'] {
  return pairs.map(([question, answer]) => ({ question, answer }))
}

type MaterialOverrides = Partial<Material>

/** A material the applicant brings (申请人自备), with the usual defaults. */
export function own(
  materialCode: string,
  materialName: string,
  acceptStand: string,
  more: MaterialOverrides = {},
): Material {
  return {
    materialCode,
    materialName,
    materialFormat: '纸质或电子',
    isNeed: true,
    pageNum: 1,
    pageFormat: '原件',
    sourceType: '申请人自备',
    sourceExplain: '申请人自备',
    acceptStand,
    byLaw: '',
    fillExplain: '',
    allowDefer: false,
    ...more,
  }
}

/** 居民身份证: held by the public security organs, replaced by the e-licence when online. */
export function residentId(
  materialCode = 'applicant_id_card',
  materialName = '申请人居民身份证',
  more: MaterialOverrides = {},
): Material {
  return {
    materialCode,
    materialName,
    materialFormat: '纸质或电子',
    isNeed: true,
    pageNum: 1,
    pageFormat: '原件核验；网上申请的通过电子证照或人脸识别核验，无需上传',
    sourceType: '政府部门核发',
    sourceExplain: '公安机关核发；已关联电子证照的免提交',
    acceptStand: '在有效期内，与申请人本人一致；临时居民身份证亦可',
    byLaw: '《中华人民共和国居民身份证法》第十四条',
    fillExplain: '窗口办理出示原件，工作人员现场核验，不再收取复印件',
    licenseTypeCode: 'resident_id',
    allowDefer: false,
    ...more,
  }
}

/** 营业执照: held by the market regulator, shared as an e-licence. */
export function businessLicense(
  materialCode = 'business_license',
  materialName = '营业执照',
  more: MaterialOverrides = {},
): Material {
  return {
    materialCode,
    materialName,
    materialFormat: '纸质或电子',
    isNeed: true,
    pageNum: 1,
    pageFormat: '原件核验；已关联电子营业执照的免提交',
    sourceType: '政府部门核发',
    sourceExplain: '市场监督管理部门核发；通过电子证照库共享获取',
    acceptStand: '在有效期内，登记状态为“存续（在营）”，经营范围与申请事项相符',
    byLaw: '《中华人民共和国市场主体登记管理条例》第二十二条',
    fillExplain: '无需提交复印件，窗口通过电子营业执照核验',
    licenseTypeCode: 'business_license',
    allowDefer: false,
    ...more,
  }
}

/** 户口簿: held by the public security organs. */
export function householdRegister(
  materialCode = 'household_register',
  materialName = '居民户口簿',
  more: MaterialOverrides = {},
): Material {
  return {
    materialCode,
    materialName,
    materialFormat: '纸质或电子',
    isNeed: true,
    pageNum: 1,
    pageFormat: '原件核验（户主页及本人页）',
    sourceType: '政府部门核发',
    sourceExplain: '公安机关核发；可通过电子证照库共享获取',
    acceptStand: '户主页及本人页齐全，信息与身份证一致',
    byLaw: '《中华人民共和国户口登记条例》',
    fillExplain: '已关联电子户口簿的免提交',
    licenseTypeCode: 'household_register',
    allowDefer: false,
    ...more,
  }
}

/** 授权委托书 and the agent's identity card, needed only when someone else applies. */
export function powerOfAttorney(principal = '申请人'): Material[] {
  return [
    {
      materialCode: 'power_of_attorney',
      materialName: '授权委托书',
      materialFormat: '纸质或电子',
      isNeed: false,
      needCondition: '委托他人代为办理的',
      pageNum: 1,
      pageFormat: '原件',
      sourceType: '申请人自备',
      sourceExplain: `由${principal}签名（单位加盖公章）出具`,
      acceptStand: '写明委托事项、权限和期限，委托人签名或盖章',
      byLaw: '《中华人民共和国民法典》第一百六十五条',
      fillExplain: '可使用本事项提供的委托书样本；网上申请可在线签署',
      allowDefer: false,
    },
    residentId('agent_id_card', '受托人居民身份证', {
      isNeed: false,
      needCondition: '委托他人代为办理的',
      acceptStand: '在有效期内，与授权委托书所列受托人一致',
    }),
  ]
}

/* ---- blank form building blocks ---- */

/** 申请人（自然人） section of a blank form. */
export function personSection(heading = '申请人信息', extra: BlankFormSpec['sections'][number]['fields'] = []) {
  return {
    heading,
    fields: [
      { label: '姓名' },
      { label: '性别' },
      { label: '公民身份号码' },
      { label: '联系电话' },
      { label: '户籍地址', wide: true },
      { label: '现居住地址', hint: '与户籍地不一致的填写', wide: true },
      ...extra,
    ],
  }
}

/** 申请单位（法人） section of a blank form. */
export function orgSection(heading = '申请单位信息', extra: BlankFormSpec['sections'][number]['fields'] = []) {
  return {
    heading,
    fields: [
      { label: '单位名称', hint: '与营业执照或登记证书一致', wide: true },
      { label: '统一社会信用代码' },
      { label: '法定代表人（负责人）' },
      { label: '联系人' },
      { label: '联系电话' },
      { label: '住所', wide: true },
      ...extra,
    ],
  }
}

/** 代理人 section, filled in only when someone applies on the applicant's behalf. */
export const AGENT_SECTION = {
  heading: '代理人信息（委托他人办理时填写）',
  fields: [{ label: '代理人姓名' }, { label: '公民身份号码' }, { label: '联系电话' }, { label: '与申请人关系' }],
}

/** Another licence or certificate the government issued, replaceable by its e-licence. */
export function issued(
  materialCode: string,
  materialName: string,
  licenseTypeCode: string,
  sourceExplain: string,
  acceptStand: string,
  more: MaterialOverrides = {},
): Material {
  return {
    materialCode,
    materialName,
    materialFormat: '纸质或电子',
    isNeed: true,
    pageNum: 1,
    pageFormat: '原件核验；已关联电子证照的免提交',
    sourceType: '政府部门核发',
    sourceExplain,
    acceptStand,
    byLaw: '',
    fillExplain: '窗口通过电子证照库核验，不再收取复印件',
    licenseTypeCode,
    allowDefer: false,
    ...more,
  }
}
