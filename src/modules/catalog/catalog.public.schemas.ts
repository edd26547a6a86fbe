/**
 * Request and response schemas of the public catalog (guide pages and /api/items, /api/search,
 * /api/themes), and the presenters that turn read models into responses, naming every field
 * that leaves the server.
 */
import { type Static, Type } from 'typebox'
import type { ItemFile } from './catalog.model.js'
import type {
  DepartmentRef,
  Guide,
  ItemHit,
  ItemSearchResult,
  ItemSummary,
  ThemeOutcome,
  ThemeSummary,
  VersionHistory,
  VersionInfo,
} from './catalog.read.js'

// ---------------------------------------------------------------------------------------------
// Links

export const guideHref = (itemId: string) => `/services/${itemId}`
export const fileHref = (itemId: string, sha256: string) => `/services/${itemId}/files/${sha256}`
export const versionHref = (itemId: string, version: number) => `/services/${itemId}/versions/${version}`

/**
 * Where 「在线办理」 leads: the applications module's form (`/apply/:itemId`). Pages call it for
 * items offered online (isOnline) only; undefined would show the button as 「即将开通」.
 */
export function applyHref(itemId: string): string | undefined {
  return `/apply/${itemId}`
}

/**
 * Where 「一次申请」 of a "一件事" theme leads: the applications module's combined form for these
 * answers (`/apply/themes/:code?<answers>`); undefined would show the button as 「即将开通」.
 */
export function themeApplyHref(themeCode: string, answers: Record<string, string>): string | undefined {
  return `/apply/themes/${themeCode}?${new URLSearchParams(answers).toString()}`
}

/** Where 「预约到现场」 leads; there is no appointment service yet (same pattern as applyHref). */
export function scheduleHref(_itemId: string): string | undefined {
  // TODO(appointments): return the booking page of the item once appointments exist.
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Requests

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
const DEPARTMENT_CODE = '^[a-z0-9_]{1,20}$'
const TOPIC_CODE = '^[a-z_]{2,30}$'
const THEME_CODE = '^[a-z0-9_]{1,40}$'

const ItemId = Type.String({ pattern: UUID, description: '事项编号（UUID）' })
const Page = Type.Integer({ minimum: 1, maximum: 10000, description: '页码，从 1 开始' })
const AudienceParam = Type.Enum(['person', 'enterprise'], { description: '办事对象：person 个人，enterprise 法人' })
const DepartmentParam = Type.String({ pattern: DEPARTMENT_CODE, description: '部门代码，如 scj（区市场监督管理局）' })
const TopicParam = Type.String({
  pattern: TOPIC_CODE,
  description: '主题代码，如 birth（生育收养）、license（准营准办）',
})

export const ItemParams = Type.Object({ itemId: ItemId })
export type ItemParams = Static<typeof ItemParams>

export const VersionParams = Type.Object({
  itemId: ItemId,
  version: Type.Integer({ minimum: 1, maximum: 100000, description: '版本号' }),
})
export type VersionParams = Static<typeof VersionParams>

/** Any text: a hash that is not one of the item's files answers 404, like any other unknown file. */
export const FileParams = Type.Object({
  itemId: ItemId,
  sha256: Type.String({ maxLength: 200, description: '文件的 SHA-256（小写十六进制）' }),
})
export type FileParams = Static<typeof FileParams>

export const ThemeParams = Type.Object({
  code: Type.String({ pattern: THEME_CODE, description: '主题代码，如 open_restaurant（开办餐饮店）' }),
})
export type ThemeParams = Static<typeof ThemeParams>

export const BrowseQuery = Type.Object({
  audience: Type.Optional(AudienceParam),
  department: Type.Optional(DepartmentParam),
  topic: Type.Optional(TopicParam),
  page: Type.Optional(Page),
})
export type BrowseQuery = Static<typeof BrowseQuery>

export const SearchQuery = Type.Object({
  q: Type.Optional(
    Type.String({
      maxLength: 1000,
      description: '要找的事情，用平常的话说即可，如「开饭店」「身份证」「社保卡丢了」，也可以用拼音首字母（spjy）',
    }),
  ),
  audience: Type.Optional(AudienceParam),
  department: Type.Optional(DepartmentParam),
  topic: Type.Optional(TopicParam),
  page: Type.Optional(Page),
})
export type SearchQuery = Static<typeof SearchQuery>

export const SuggestQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: '已输入的文字（前缀），可以是拼音首字母' })),
})
export type SuggestQuery = Static<typeof SuggestQuery>

/** The answers to a theme's questions: question code → option value. */
export const ThemeQuery = Type.Record(
  Type.String({ pattern: '^[a-z0-9_]{1,40}$' }),
  Type.String({ maxLength: 100, description: '问题代码 = 所选答案' }),
)
export type ThemeQuery = Static<typeof ThemeQuery>

// ---------------------------------------------------------------------------------------------
// Responses

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: '错误代码，如 ITEM_NOT_FOUND' }),
    message: Type.String({ description: '中文说明' }),
    details: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
  }),
})

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])
const DateTime = (description: string) => Type.String({ format: 'date-time', description })
const DateOnly = (description: string) => Type.String({ format: 'date', description })

const Department = Type.Object({
  code: Type.String({ description: '部门代码' }),
  name: Type.String({ description: '部门全称' }),
  shortName: Type.String({ description: '部门简称' }),
})

const Depth = Type.Integer({
  minimum: 1,
  maximum: 4,
  description: '网上办理深度：1 事项公开，2 在线预审，3 在线办理，4 全程网办',
})

export const ItemSummaryOut = Type.Object({
  itemId: Type.String({ description: '事项编号' }),
  taskName: Type.String({ description: '事项名称' }),
  department: Department,
  onlineHandleDepth: Depth,
  forPersons: Type.Boolean({ description: '面向自然人' }),
  forEnterprises: Type.Boolean({ description: '面向法人' }),
  topics: Type.Array(Type.String(), { description: '主题代码' }),
  promiseDay: Type.Integer({ description: '承诺办结时限（天），0 为即办' }),
  promiseType: Type.String({ description: '时限单位：工作日 / 自然日' }),
  projectType: Type.String({ description: '办件类型：即办件 / 承诺件 / 上报件 / 联办件' }),
  isFee: Type.Boolean({ description: '是否收费' }),
  summary: Type.String({ description: '一句话说明' }),
  version: Type.Integer({ description: '现行版本号' }),
  url: Type.String({ description: '办事指南页面（本站路径）' }),
})

export const ItemListOut = Type.Object({
  items: Type.Array(ItemSummaryOut),
  total: Type.Integer({ description: '符合条件的事项总数' }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  pageCount: Type.Integer(),
})

const FileOut = Type.Object({
  fileName: Type.String({ description: '文件名' }),
  mime: Type.String({ description: '文件类型' }),
  size: Type.Integer({ description: '字节数' }),
  sha256: Type.String({ description: 'SHA-256' }),
  url: Type.String({ description: '下载地址（本站路径）' }),
})

const MaterialOut = Type.Object({
  materialCode: Type.String(),
  materialName: Type.String({ description: '材料名称' }),
  materialFormat: Type.String({ description: '材料形式：纸质 / 电子 / 纸质或电子' }),
  isNeed: Type.Boolean({ description: '是否必需' }),
  needCondition: Nullable(Type.String({ description: '需要提交的情形' })),
  pageNum: Type.Integer({ description: '份数' }),
  pageFormat: Type.String({ description: '材料规格' }),
  sourceType: Type.String({ description: '来源渠道' }),
  sourceExplain: Type.String({ description: '来源渠道说明' }),
  acceptStand: Type.String({ description: '受理标准' }),
  byLaw: Type.String({ description: '设定依据' }),
  fillExplain: Type.String({ description: '填报须知' }),
  licenseTypeCode: Nullable(Type.String({ description: '可替代本材料的电子证照类型（政府已有，免提交）' })),
  allowDefer: Type.Boolean({ description: '可容缺受理' }),
  blankForm: Type.Union([FileOut, Type.Null()], { description: '空白表格' }),
  sampleFile: Type.Union([FileOut, Type.Null()], { description: '示例样表' }),
})

const FeeOut = Type.Object({
  feeName: Type.String({ description: '收费项目' }),
  feeStand: Type.String({ description: '收费标准' }),
  amountFen: Type.Union([Type.Integer(), Type.Null()], { description: '固定金额（分），视情况而定时为 null' }),
  byLaw: Type.String({ description: '收费依据' }),
  isDesc: Type.Boolean({ description: '是否可减免' }),
  descExplain: Type.String({ description: '减免说明' }),
})

/** The elements of the version under their national exchange names (DOMAIN.md §1). */
const ElementsOut = Type.Object({
  catalogCode: Type.String({ description: '基本编码' }),
  taskCode: Type.String({ description: '实施编码' }),
  taskHandleItem: Nullable(Type.String({ description: '业务办理项编码' })),
  taskName: Type.String({ description: '事项名称' }),
  taskType: Type.String({ description: '事项类型代码' }),
  taskTypeName: Type.String({ description: '事项类型' }),
  taskVersion: Type.Integer({ description: '版本号' }),
  byLaw: Type.String({ description: '设定依据' }),
  powerSource: Type.String({ description: '权力来源' }),
  useLevel: Type.String({ description: '行使层级' }),
  deptName: Type.String({ description: '实施主体' }),
  deptCode: Nullable(Type.String({ description: '实施主体统一社会信用代码' })),
  entrustName: Nullable(Type.String({ description: '委托部门' })),
  otherDept: Type.Array(Department, { description: '联办机构' }),
  serverType: Type.Array(Type.String(), { description: '服务对象' }),
  acceptCondition: Type.String({ description: '受理条件' }),
  handleFlow: Type.Array(Type.Object({ name: Type.String(), description: Type.String() }), { description: '办理流程' }),
  handleType: Type.Array(Type.String(), { description: '办理形式' }),
  anticipateDay: Type.Integer({ description: '法定办结时限' }),
  anticipateType: Type.String({ description: '法定办结时限单位' }),
  anticipateExplain: Type.String({ description: '法定办结时限说明' }),
  promiseDay: Type.Integer({ description: '承诺办结时限，0 为即办' }),
  promiseType: Type.String({ description: '承诺办结时限单位' }),
  promiseExplain: Type.String({ description: '承诺办结时限说明' }),
  projectType: Type.String({ description: '办件类型' }),
  isFee: Type.Boolean({ description: '是否收费' }),
  feeBasis: Type.String({ description: '收费依据' }),
  fees: Type.Array(FeeOut, { description: '收费项目' }),
  limitSceneNum: Type.Integer({ description: '到办事现场次数' }),
  transactAddr: Type.String({ description: '办理地点' }),
  transactTime: Type.String({ description: '办理时间' }),
  linkWay: Type.String({ description: '咨询方式' }),
  superviseWay: Type.String({ description: '监督投诉方式' }),
  isOnline: Type.Boolean({ description: '是否网上办理' }),
  onlineHandleDepth: Depth,
  isSchedule: Type.Boolean({ description: '是否支持预约' }),
  isExpress: Type.Boolean({ description: '是否支持物流快递' }),
  isPayOnline: Type.Boolean({ description: '是否支持网上支付' }),
  isServiceTerminals: Type.Boolean({ description: '是否进驻自助终端' }),
  assuranceLevel: Type.Integer({ description: '网上申请所需的实名认证等级（1–3）' }),
  resultType: Type.String({ description: '审批结果类型' }),
  resultName: Type.String({ description: '审批结果名称' }),
  resultLicenseTypeCode: Nullable(Type.String({ description: '结果电子证照类型' })),
  resultSample: Type.Union([FileOut, Type.Null()], { description: '审批结果样本' }),
  materials: Type.Array(MaterialOut, { description: '申请材料' }),
  faqs: Type.Array(Type.Object({ question: Type.String(), answer: Type.String() }), { description: '常见问题' }),
  topics: Type.Array(Type.String(), { description: '主题代码' }),
  keywords: Type.Array(Type.String(), { description: '俗称、关键词' }),
  summary: Type.String({ description: '一句话说明' }),
})

const VersionOut = Type.Object({
  version: Type.Integer({ description: '版本号' }),
  state: Type.Enum(['published', 'superseded', 'withdrawn'], {
    description: 'published 现行，superseded 已被新版本替代，withdrawn 已撤销',
  }),
  changeNote: Nullable(Type.String({ description: '修改说明' })),
  publishedAt: Nullable(DateTime('发布时间（UTC）')),
  effectiveFrom: Nullable(DateOnly('生效日期（北京时间）')),
  supersededAt: Nullable(DateTime('被替代时间（UTC）')),
  withdrawnAt: Nullable(DateTime('撤销时间（UTC）')),
  withdrawnReason: Nullable(Type.String({ description: '撤销理由' })),
  url: Type.String({ description: '该版本的办事指南（本站路径）' }),
})

export const ItemDetailOut = Type.Object({
  itemId: Type.String({ description: '事项编号' }),
  url: Type.String({ description: '办事指南页面（本站路径）' }),
  department: Type.Object({
    code: Type.String({ description: '部门代码' }),
    name: Type.String({ description: '部门全称' }),
    shortName: Type.String({ description: '部门简称' }),
    creditCode: Nullable(Type.String({ description: '统一社会信用代码' })),
  }),
  version: VersionOut,
  elements: ElementsOut,
})

export const VersionListOut = Type.Object({
  itemId: Type.String(),
  taskName: Type.String(),
  publishedVersion: Type.Union([Type.Integer(), Type.Null()], { description: '现行版本号；已撤销的事项为 null' }),
  withdrawn: Type.Boolean({ description: '事项已撤销' }),
  versions: Type.Array(VersionOut),
})

const Segment = Type.Object({ text: Type.String(), match: Type.Boolean({ description: '是否命中（显示为高亮）' }) })
const FacetOut = Type.Array(Type.Object({ value: Type.String(), label: Type.String(), count: Type.Integer() }))

export const SearchOut = Type.Object({
  query: Type.String({ description: '实际搜索的文字（去掉多余空白，最多 100 字）' }),
  total: Type.Integer({ description: '匹配的事项数' }),
  matched: Type.Enum(['all', 'any', 'none'], {
    description: 'all 包含全部词语；any 没有同时包含全部词语的事项，结果只包含部分词语；none 没有结果',
  }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  pageCount: Type.Integer(),
  truncated: Type.Boolean({ description: '结果太多，只能翻看最相关的 100 个' }),
  hits: Type.Array(
    Type.Object({
      item: ItemSummaryOut,
      title: Type.Array(Segment, { description: '标题，分段标出命中的词' }),
      snippet: Type.Array(Segment, { description: '摘要，分段标出命中的词' }),
    }),
  ),
  facets: Type.Object(
    { audience: FacetOut, department: FacetOut, topic: FacetOut },
    { description: '可用于缩小范围的筛选项及数量' },
  ),
})

export const SuggestOut = Type.Object({
  suggestions: Type.Array(
    Type.Object({
      itemId: Type.String(),
      title: Type.String({ description: '事项名称' }),
      url: Type.String({ description: '办事指南页面（本站路径）' }),
    }),
  ),
})

const ThemeSummaryOut = Type.Object({
  code: Type.String({ description: '主题代码' }),
  name: Type.String({ description: '主题名称' }),
  summary: Type.String(),
  serverType: Type.String({ description: '服务对象：自然人 / 法人' }),
  questionCount: Type.Integer(),
  itemCount: Type.Integer({ description: '主题包含的事项数（按回答筛选前）' }),
  url: Type.String({ description: '主题页面（本站路径）' }),
})

export const ThemeListOut = Type.Object({ themes: Type.Array(ThemeSummaryOut) })

export const ThemeDetailOut = Type.Object({
  code: Type.String(),
  name: Type.String(),
  summary: Type.String(),
  serverType: Type.String(),
  questions: Type.Array(
    Type.Object({
      code: Type.String({ description: '问题代码（作为查询参数名）' }),
      text: Type.String(),
      hint: Nullable(Type.String()),
      options: Type.Array(Type.Object({ value: Type.String(), label: Type.String() })),
      answer: Nullable(Type.String({ description: '已给出的回答' })),
    }),
  ),
  complete: Type.Boolean({ description: '所有问题都已回答' }),
  unanswered: Type.Array(Type.String(), { description: '尚未回答的问题代码' }),
  items: Type.Array(Type.Object({ item: ItemSummaryOut, note: Nullable(Type.String({ description: '办理提示' })) }), {
    description: '按已给出的回答需要办理的事项；依赖未回答问题的事项不在其中',
  }),
})

// ---------------------------------------------------------------------------------------------
// Presenters

function presentDepartment(d: DepartmentRef) {
  return { code: d.code, name: d.name, shortName: d.shortName }
}

export function presentSummary(s: ItemSummary): Static<typeof ItemSummaryOut> {
  return {
    itemId: s.itemId,
    taskName: s.taskName,
    department: presentDepartment(s.department),
    onlineHandleDepth: s.onlineDepth,
    forPersons: s.forPersons,
    forEnterprises: s.forEnterprises,
    topics: s.topics,
    promiseDay: s.promiseDay,
    promiseType: s.promiseType,
    projectType: s.projectType,
    isFee: s.isFee,
    summary: s.summary,
    version: s.version,
    url: guideHref(s.itemId),
  }
}

function presentFile(itemId: string, file: ItemFile | undefined, downloadable: boolean) {
  if (!file || !downloadable) return null
  return {
    fileName: file.fileName,
    mime: file.mime,
    size: file.size,
    sha256: file.sha256,
    url: fileHref(itemId, file.sha256),
  }
}

export function presentVersion(itemId: string, v: VersionInfo): Static<typeof VersionOut> {
  return {
    version: v.version,
    state: v.state,
    changeNote: v.changeNote,
    publishedAt: v.publishedAt,
    effectiveFrom: v.effectiveFrom,
    supersededAt: v.supersededAt,
    withdrawnAt: v.withdrawnAt,
    withdrawnReason: v.withdrawnReason,
    url: versionHref(itemId, v.version),
  }
}

/** The guide of a published version, every field named. Files link to the download route. */
export function presentItemDetail(guide: Guide, taskTypeName: string): Static<typeof ItemDetailOut> {
  const e = guide.elements
  const file = (f: ItemFile | undefined) => presentFile(guide.itemId, f, guide.state === 'published')
  return {
    itemId: guide.itemId,
    url: guideHref(guide.itemId),
    department: { ...presentDepartment(guide.department), creditCode: guide.department.creditCode },
    version: presentVersion(guide.itemId, guide),
    elements: {
      catalogCode: e.catalogCode,
      taskCode: e.taskCode,
      taskHandleItem: e.taskHandleItem ?? null,
      taskName: e.taskName,
      taskType: e.taskType,
      taskTypeName,
      taskVersion: guide.version,
      byLaw: e.byLaw,
      powerSource: e.powerSource,
      useLevel: e.useLevel,
      deptName: guide.department.name,
      deptCode: guide.department.creditCode,
      entrustName: e.entrustName ?? null,
      otherDept: guide.jointDepartments.map(presentDepartment),
      serverType: e.serverType,
      acceptCondition: e.acceptCondition,
      handleFlow: e.handleFlow.map((s) => ({ name: s.name, description: s.description })),
      handleType: e.handleType,
      anticipateDay: e.anticipateDay,
      anticipateType: e.anticipateType,
      anticipateExplain: e.anticipateExplain,
      promiseDay: e.promiseDay,
      promiseType: e.promiseType,
      promiseExplain: e.promiseExplain,
      projectType: e.projectType,
      isFee: e.isFee,
      feeBasis: e.feeBasis,
      fees: e.fees.map((f) => ({
        feeName: f.feeName,
        feeStand: f.feeStand,
        amountFen: f.amountFen ?? null,
        byLaw: f.byLaw,
        isDesc: f.isDesc,
        descExplain: f.descExplain,
      })),
      limitSceneNum: e.limitSceneNum,
      transactAddr: e.transactAddr,
      transactTime: e.transactTime,
      linkWay: e.linkWay,
      superviseWay: e.superviseWay,
      isOnline: e.isOnline,
      onlineHandleDepth: e.onlineHandleDepth,
      isSchedule: e.isSchedule,
      isExpress: e.isExpress,
      isPayOnline: e.isPayOnline,
      isServiceTerminals: e.isServiceTerminals,
      assuranceLevel: e.assuranceLevel,
      resultType: e.resultType,
      resultName: e.resultName,
      resultLicenseTypeCode: e.resultLicenseTypeCode ?? null,
      resultSample: file(e.resultSample),
      materials: e.materials.map((m) => ({
        materialCode: m.materialCode,
        materialName: m.materialName,
        materialFormat: m.materialFormat,
        isNeed: m.isNeed,
        needCondition: m.needCondition ?? null,
        pageNum: m.pageNum,
        pageFormat: m.pageFormat,
        sourceType: m.sourceType,
        sourceExplain: m.sourceExplain,
        acceptStand: m.acceptStand,
        byLaw: m.byLaw,
        fillExplain: m.fillExplain,
        licenseTypeCode: m.licenseTypeCode ?? null,
        allowDefer: m.allowDefer,
        blankForm: file(m.blankForm),
        sampleFile: file(m.sampleFile),
      })),
      faqs: e.faqs.map((f) => ({ question: f.question, answer: f.answer })),
      topics: e.topics,
      keywords: e.keywords,
      summary: e.summary,
    },
  }
}

export function presentVersionList(history: VersionHistory): Static<typeof VersionListOut> {
  return {
    itemId: history.itemId,
    taskName: history.taskName,
    publishedVersion: history.publishedVersion ?? null,
    withdrawn: history.withdrawn,
    versions: history.versions.map((v) => presentVersion(history.itemId, v)),
  }
}

function presentHit(hit: ItemHit) {
  return {
    item: presentSummary(hit.item),
    title: hit.title.map((s) => ({ text: s.text, match: s.match })),
    snippet: hit.snippet.map((s) => ({ text: s.text, match: s.match })),
  }
}

export function presentSearch(result: ItemSearchResult): Static<typeof SearchOut> {
  const facet = (list: ItemSearchResult['facets']['audience']) =>
    list.map((f) => ({ value: f.value, label: f.label, count: f.count }))
  return {
    query: result.query,
    total: result.total,
    matched: result.matched,
    page: result.page,
    pageSize: result.pageSize,
    pageCount: result.pageCount,
    truncated: result.truncated,
    hits: result.hits.map(presentHit),
    facets: {
      audience: facet(result.facets.audience),
      department: facet(result.facets.department),
      topic: facet(result.facets.topic),
    },
  }
}

export function presentThemeSummary(t: ThemeSummary): Static<typeof ThemeSummaryOut> {
  return {
    code: t.code,
    name: t.name,
    summary: t.summary,
    serverType: t.serverType,
    questionCount: t.questionCount,
    itemCount: t.itemCount,
    url: `/themes/${t.code}`,
  }
}

export function presentThemeOutcome(outcome: ThemeOutcome): Static<typeof ThemeDetailOut> {
  const { theme } = outcome
  return {
    code: theme.code,
    name: theme.name,
    summary: theme.summary,
    serverType: theme.serverType,
    questions: theme.questions.map((q) => ({
      code: q.code,
      text: q.text,
      hint: q.hint ?? null,
      options: q.options.map((o) => ({ value: o.value, label: o.label })),
      answer: outcome.answers[q.code] ?? null,
    })),
    complete: outcome.complete,
    unanswered: outcome.unanswered.map((q) => q.code),
    items: outcome.items.map(({ ref, item }) => ({ item: presentSummary(item), note: ref.note ?? null })),
  }
}
