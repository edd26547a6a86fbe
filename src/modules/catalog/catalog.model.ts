/**
 * The elements of a service item's implementation list (实施清单), named after the national
 * exchange fields (DOMAIN.md §1, camelCased) so that exports map one to one. One TypeBox schema
 * gives the TypeScript type, the API schema and the validation of imports.
 */
import { type Static, Type } from 'typebox'

/** 事项类型: items handled on application (依申请), with the national numeric codes where known. */
export const TASK_TYPES = {
  '1': '行政许可',
  '5': '行政给付',
  '6': '行政确认',
  '7': '行政奖励',
  '8': '行政裁决',
  '10': '其他行政权力',
  '20': '公共服务',
} as const
export type TaskTypeCode = keyof typeof TASK_TYPES

export const PROJECT_TYPES = ['即办件', '承诺件', '上报件', '联办件'] as const
export const TIME_UNITS = ['工作日', '自然日'] as const
export const SERVER_TYPES = ['自然人', '法人'] as const
export const POWER_SOURCES = ['法定本级行使', '上级下放', '上级委托', '其他'] as const
export const USE_LEVELS = ['区级', '镇级', '村级'] as const
/** 网上办理深度 Ⅰ–Ⅳ. */
export const ONLINE_DEPTHS = {
  1: 'Ⅰ级 事项公开',
  2: 'Ⅱ级 在线预审',
  3: 'Ⅲ级 在线办理',
  4: 'Ⅳ级 全程网办',
} as const
export const HANDLE_TYPES = ['窗口办理', '网上办理', '快递申请', '自助终端', '村居代办'] as const
export const RESULT_TYPES = ['出证', '审批文书', '备案回执', '其他'] as const
export const MATERIAL_FORMATS = ['纸质', '电子', '纸质或电子'] as const
export const SOURCE_TYPES = ['申请人自备', '政府部门核发', '其他'] as const

/**
 * Life events and business topics for browsing (场景分类). Codes are stable; names may change.
 */
export const PERSON_TOPICS = {
  birth: '生育收养',
  household: '户籍办理',
  education: '教育入学',
  employment: '就业创业',
  marriage: '婚姻登记',
  social_security: '社会保障',
  medical: '医疗卫生',
  housing: '住房保障',
  travel: '交通出行',
  retirement: '退休养老',
  disability: '残疾人服务',
  assistance: '社会救助',
  rural: '农村农业',
  documents: '证件办理',
} as const
export const ENTERPRISE_TOPICS = {
  establish: '设立变更',
  license: '准营准办',
  investment: '投资审批',
  construction: '工程建设',
  tax: '税费办理',
  employment_ent: '人力社保',
  environment: '环境保护',
  safety: '安全生产',
  transport: '交通运输',
  deregister: '注销退出',
} as const
export type TopicCode = keyof typeof PERSON_TOPICS | keyof typeof ENTERPRISE_TOPICS

const Text = (max: number) => Type.String({ maxLength: max })
const Enum = <const T extends readonly string[]>(values: T) => Type.Enum([...values] as T[number][])

/** A file of the item (blank form, sample, result sample): by content hash in the file store. */
export const ItemFile = Type.Object({
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  fileName: Text(200),
  mime: Text(100),
  size: Type.Integer({ minimum: 0 }),
})
export type ItemFile = Static<typeof ItemFile>

export const Material = Type.Object({
  /** Stable within the item across versions (used by forms, corrections and statistics). */
  materialCode: Type.String({ pattern: '^[a-z0-9_]{1,40}$' }),
  materialName: Type.String({ minLength: 1, maxLength: 200 }),
  materialFormat: Enum(MATERIAL_FORMATS),
  isNeed: Type.Boolean(),
  /** Required only in some situations: when, in words (e.g. 「委托他人办理的」). */
  needCondition: Type.Optional(Text(300)),
  pageNum: Type.Integer({ minimum: 0, maximum: 99 }),
  pageFormat: Text(100),
  sourceType: Enum(SOURCE_TYPES),
  sourceExplain: Text(500),
  acceptStand: Text(1000),
  byLaw: Text(500),
  fillExplain: Text(1000),
  /** The e-license type that can stand in for this material (不再提交: the government holds it). */
  licenseTypeCode: Type.Optional(Text(40)),
  /** May be supplied after acceptance under a commitment (容缺受理). */
  allowDefer: Type.Boolean(),
  blankForm: Type.Optional(ItemFile),
  sampleFile: Type.Optional(ItemFile),
})
export type Material = Static<typeof Material>

export const Fee = Type.Object({
  feeName: Type.String({ minLength: 1, maxLength: 200 }),
  /** 收费标准 in words, e.g. 「每本 120 元」. */
  feeStand: Type.String({ minLength: 1, maxLength: 500 }),
  /** The amount in fen when it is fixed; omitted when it depends on the case. */
  amountFen: Type.Optional(Type.Integer({ minimum: 0 })),
  byLaw: Type.String({ minLength: 1, maxLength: 500 }),
  isDesc: Type.Boolean(),
  descExplain: Text(500),
})
export type Fee = Static<typeof Fee>

export const FlowStep = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 50 }),
  description: Text(500),
})

export const Faq = Type.Object({
  question: Type.String({ minLength: 1, maxLength: 300 }),
  answer: Type.String({ minLength: 1, maxLength: 2000 }),
})

/** Everything a guide shows and an export carries, for one version of an item. */
export const ItemElements = Type.Object({
  // identity
  catalogCode: Type.String({ pattern: '^[0-9A-Z]{12}$' }),
  taskCode: Type.String({ pattern: '^[0-9A-HJ-NPQRTUWXY]{18}[0-9A-Z]{12}$' }),
  taskHandleItem: Type.Optional(Type.String({ pattern: '^[0-9A-Z]{1,10}$' })),
  taskName: Type.String({ minLength: 2, maxLength: 100 }),
  taskType: Type.Enum(Object.keys(TASK_TYPES) as TaskTypeCode[]),
  // basis
  byLaw: Type.String({ minLength: 1, maxLength: 5000 }),
  powerSource: Enum(POWER_SOURCES),
  useLevel: Enum(USE_LEVELS),
  // implementer (deptName / deptCode are derived from the owning department when exported)
  entrustName: Type.Optional(Text(100)),
  /** 联办机构: department codes of this platform (e.g. 'wjj'). */
  otherDept: Type.Array(Type.String({ pattern: '^[a-z0-9_]{1,20}$' }), { maxItems: 20 }),
  serverType: Type.Array(Enum(SERVER_TYPES), { minItems: 1, maxItems: 2 }),
  acceptCondition: Type.String({ minLength: 1, maxLength: 5000 }),
  handleFlow: Type.Array(FlowStep, { minItems: 1, maxItems: 20 }),
  handleType: Type.Array(Enum(HANDLE_TYPES), { minItems: 1 }),
  // time limits
  anticipateDay: Type.Integer({ minimum: 0, maximum: 365 }),
  anticipateType: Enum(TIME_UNITS),
  anticipateExplain: Text(1000),
  /** 0 means 即办 (finished on the spot or the same day). */
  promiseDay: Type.Integer({ minimum: 0, maximum: 365 }),
  promiseType: Enum(TIME_UNITS),
  promiseExplain: Text(1000),
  projectType: Enum(PROJECT_TYPES),
  // fees
  isFee: Type.Boolean(),
  feeBasis: Text(1000),
  fees: Type.Array(Fee, { maxItems: 20 }),
  // where and how
  limitSceneNum: Type.Integer({ minimum: 0, maximum: 9 }),
  transactAddr: Text(500),
  transactTime: Text(500),
  linkWay: Text(300),
  superviseWay: Text(300),
  // online
  isOnline: Type.Boolean(),
  onlineHandleDepth: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)]),
  isSchedule: Type.Boolean(),
  isExpress: Type.Boolean(),
  isPayOnline: Type.Boolean(),
  isServiceTerminals: Type.Boolean(),
  /** Lowest identity assurance level needed to apply online (统一身份认证 L1–L3). */
  assuranceLevel: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]),
  // result
  resultType: Enum(RESULT_TYPES),
  resultName: Type.String({ minLength: 1, maxLength: 100 }),
  /** The e-license type issued as the result, when the result is a license. */
  resultLicenseTypeCode: Type.Optional(Text(40)),
  resultSample: Type.Optional(ItemFile),
  materials: Type.Array(Material, { maxItems: 60 }),
  faqs: Type.Array(Faq, { maxItems: 50 }),
  // finding it
  topics: Type.Array(Type.String({ pattern: '^[a-z_]{2,30}$' }), { maxItems: 10 }),
  /** Words people use for it (开饭店, 办证…), added to the search index. */
  keywords: Type.Array(Type.String({ minLength: 1, maxLength: 30 }), { maxItems: 30 }),
  summary: Text(500),
})
export type ItemElements = Static<typeof ItemElements>
