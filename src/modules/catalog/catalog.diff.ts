/**
 * What changed between two versions of an item, element by element, for reviewers and the
 * version history: the Chinese name of every element (also used by the editor and the Excel
 * layout), the value as people read it, and for the repeating parts — materials matched by
 * their stable materialCode, fees by name, questions by wording, flow steps by position —
 * which entries were added, removed or changed.
 */
import {
  ENTERPRISE_TOPICS,
  type Fee,
  type ItemElements,
  type ItemFile,
  type Material,
  ONLINE_DEPTHS,
  PERSON_TOPICS,
  TASK_TYPES,
} from './catalog.model.js'

/** The Chinese name of every element of ItemElements (the national exchange names as keys). */
export const ELEMENT_LABELS: Record<keyof ItemElements, string> = {
  catalogCode: '基本编码',
  taskCode: '实施编码',
  taskHandleItem: '业务办理项编码',
  taskName: '事项名称',
  taskType: '事项类型',
  byLaw: '设定依据',
  powerSource: '权力来源',
  useLevel: '行使层级',
  entrustName: '受委托部门',
  otherDept: '联办机构',
  serverType: '服务对象',
  acceptCondition: '受理条件',
  handleFlow: '办理流程',
  handleType: '办理形式',
  anticipateDay: '法定办结时限',
  anticipateType: '法定办结时限单位',
  anticipateExplain: '法定办结时限说明',
  promiseDay: '承诺办结时限',
  promiseType: '承诺办结时限单位',
  promiseExplain: '承诺办结时限说明',
  projectType: '办件类型',
  isFee: '是否收费',
  feeBasis: '收费依据',
  fees: '收费项目',
  limitSceneNum: '到办事现场次数',
  transactAddr: '办理地点',
  transactTime: '办理时间',
  linkWay: '咨询方式',
  superviseWay: '监督投诉方式',
  isOnline: '是否网上办理',
  onlineHandleDepth: '网上办理深度',
  isSchedule: '是否支持预约办理',
  isExpress: '是否支持物流快递',
  isPayOnline: '是否支持网上支付',
  isServiceTerminals: '是否进驻自助终端',
  assuranceLevel: '网上申请所需实名等级',
  resultType: '办理结果类型',
  resultName: '办理结果名称',
  resultLicenseTypeCode: '结果电子证照类型代码',
  resultSample: '办理结果样本',
  materials: '申请材料',
  faqs: '常见问题',
  topics: '主题分类',
  keywords: '搜索关键词',
  summary: '事项简介',
}

export const MATERIAL_LABELS: Record<keyof Material, string> = {
  materialCode: '材料编码',
  materialName: '材料名称',
  materialFormat: '材料形式',
  isNeed: '是否必需',
  needCondition: '需要提交的情形',
  pageNum: '份数',
  pageFormat: '纸张规格',
  sourceType: '来源渠道',
  sourceExplain: '来源渠道说明',
  acceptStand: '受理标准',
  byLaw: '材料依据',
  fillExplain: '填报须知',
  licenseTypeCode: '可代替的电子证照类型代码',
  allowDefer: '是否可容缺后补',
  blankForm: '空白表格',
  sampleFile: '示例样表',
}

export const FEE_LABELS: Record<keyof Fee, string> = {
  feeName: '收费项目名称',
  feeStand: '收费标准',
  amountFen: '固定金额',
  byLaw: '收费依据',
  isDesc: '是否可减免',
  descExplain: '减免说明',
}

export const FLOW_LABELS = { name: '环节名称', description: '环节说明' } as const
export const FAQ_LABELS = { question: '问题', answer: '解答' } as const
export const FILE_LABELS = { sha256: 'SHA-256 摘要', fileName: '文件名', mime: '文件类型', size: '大小' } as const

const ROW_GROUPS = {
  materials: { label: '申请材料', fields: MATERIAL_LABELS as Record<string, string> },
  fees: { label: '收费项目', fields: FEE_LABELS as Record<string, string> },
  handleFlow: { label: '办理流程', fields: FLOW_LABELS as Record<string, string> },
  faqs: { label: '常见问题', fields: FAQ_LABELS as Record<string, string> },
} as const

/**
 * The Chinese name of a field path as problems and changes name it:
 * `promiseDay` → 承诺办结时限, `materials[2].materialName` → 申请材料第 3 项的材料名称,
 * `otherDept[0]` → 联办机构.
 */
export function fieldLabel(path: string): string {
  const row = /^(materials|fees|handleFlow|faqs)\[(\d+)\](?:\.(\w+))?/.exec(path)
  if (row) {
    const group = ROW_GROUPS[row[1] as keyof typeof ROW_GROUPS]
    const at = `${group.label}第 ${Number(row[2]) + 1} 项`
    return row[3] ? `${at}的${group.fields[row[3]] ?? row[3]}` : at
  }
  const head = /^(\w+)/.exec(path)?.[1] ?? path
  if (head === 'changeNote') return '变更说明'
  if (head === 'comment') return '审核意见'
  return (ELEMENT_LABELS as Record<string, string>)[head] ?? path
}

// ---------------------------------------------------------------------------------------------
// Values as people read them

const topicNames: Record<string, string> = { ...PERSON_TOPICS, ...ENTERPRISE_TOPICS }
const ASSURANCE_NAMES: Record<number, string> = {
  1: '一级（自行注册）',
  2: '二级（经权威数据核验）',
  3: '三级（现场或人脸核验）',
}

/** Options for showing values: department codes → names for 联办机构. */
export interface ShowOptions {
  departmentName?: (code: string) => string | undefined
}

const yesNo = (v: unknown) => (v === true ? '是' : v === false ? '否' : '')
const fileText = (f: ItemFile | undefined) => (f ? `${f.fileName}（SHA-256 ${f.sha256.slice(0, 12)}…）` : '')

/** One element's value as text (empty string for nothing). */
export function showValue(key: string, value: unknown, options: ShowOptions = {}): string {
  if (value === undefined || value === null) return ''
  switch (key) {
    case 'taskType':
      return TASK_TYPES[value as keyof typeof TASK_TYPES] ?? String(value)
    case 'onlineHandleDepth':
      return ONLINE_DEPTHS[value as keyof typeof ONLINE_DEPTHS] ?? String(value)
    case 'assuranceLevel':
      return ASSURANCE_NAMES[value as number] ?? String(value)
    case 'topics':
      return (value as string[]).map((t) => topicNames[t] ?? t).join('、')
    case 'otherDept':
      return (value as string[]).map((c) => options.departmentName?.(c) ?? c).join('、')
    case 'anticipateDay':
    case 'promiseDay':
      return value === 0 ? '0（即办）' : String(value)
    case 'amountFen':
      return `${((value as number) / 100).toFixed(2)} 元`
    case 'resultSample':
    case 'blankForm':
    case 'sampleFile':
      return fileText(value as ItemFile)
    case 'handleFlow':
      return (value as { name: string; description: string }[])
        .map((s, i) => `${i + 1}. ${s.name}${s.description ? `：${s.description}` : ''}`)
        .join('\n')
    default:
      if (typeof value === 'boolean') return yesNo(value)
      if (Array.isArray(value)) return value.map(String).join('、')
      return String(value)
  }
}

// ---------------------------------------------------------------------------------------------
// Differences

export type ChangeKind = 'added' | 'removed' | 'changed'

export interface Change {
  /** Field path (`promiseDay`, `materials[id_card].materialName`, `fees[工本费]`). */
  path: string
  /** What changed, in Chinese: 承诺办结时限, 申请材料「身份证」的份数. */
  label: string
  kind: ChangeKind
  before: string
  after: string
}

/** Canonical JSON: keys sorted at every depth, undefined members left out. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k]
      if (v !== undefined) out[k] = sortKeys(v)
    }
    return out
  }
  return value
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null)

/** Repeating parts, handled entry by entry below. */
const LIST_KEYS = new Set(['materials', 'fees', 'faqs', 'handleFlow'])

/**
 * The changes from `before` to `after`, in the order of the elements. Without `before` (a new
 * item) every element that has a value counts as added.
 */
export function diffElements(
  before: ItemElements | undefined,
  after: ItemElements,
  options: ShowOptions = {},
): Change[] {
  const changes: Change[] = []
  for (const key of Object.keys(ELEMENT_LABELS) as (keyof ItemElements)[]) {
    const a = before?.[key]
    const b = after[key]
    if (LIST_KEYS.has(key)) continue
    if (same(a, b)) continue
    const beforeText = before ? showValue(key, a, options) : ''
    const afterText = showValue(key, b, options)
    if (beforeText === afterText) continue
    changes.push({
      path: key,
      label: ELEMENT_LABELS[key],
      kind:
        !before || a === undefined || beforeText === ''
          ? 'added'
          : b === undefined || afterText === ''
            ? 'removed'
            : 'changed',
      before: beforeText,
      after: afterText,
    })
  }
  changes.push(...diffFlow(before?.handleFlow ?? [], after.handleFlow))
  changes.push(
    ...diffRows({
      group: 'materials',
      before: before?.materials ?? [],
      after: after.materials,
      key: (m) => m.materialCode,
      name: (m) => m.materialName,
      labels: MATERIAL_LABELS,
      summary: (m) =>
        [
          m.materialName,
          `${m.isNeed ? '必需' : '非必需'}`,
          m.materialFormat,
          `${m.pageNum} 份`,
          m.sourceType,
          m.blankForm ? `附空白表格 ${m.blankForm.fileName}` : '',
          m.sampleFile ? `附示例样表 ${m.sampleFile.fileName}` : '',
        ]
          .filter(Boolean)
          .join('；'),
    }),
  )
  changes.push(
    ...diffRows({
      group: 'fees',
      before: before?.fees ?? [],
      after: after.fees,
      key: (f) => f.feeName,
      name: (f) => f.feeName,
      labels: FEE_LABELS,
      summary: (f) => `${f.feeName}：${f.feeStand}`,
    }),
  )
  changes.push(
    ...diffRows({
      group: 'faqs',
      before: before?.faqs ?? [],
      after: after.faqs,
      key: (q) => q.question,
      name: (q) => q.question,
      labels: FAQ_LABELS,
      summary: (q) => `问：${q.question}\n答：${q.answer}`,
    }),
  )
  return changes
}

/** Flow steps are compared by position: their order is their meaning. */
function diffFlow(before: ItemElements['handleFlow'], after: ItemElements['handleFlow']): Change[] {
  const changes: Change[] = []
  const step = (s: { name: string; description: string } | undefined) =>
    s ? `${s.name}${s.description ? `：${s.description}` : ''}` : ''
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const a = before[i]
    const b = after[i]
    if (same(a, b)) continue
    changes.push({
      path: `handleFlow[${i}]`,
      label: `办理流程第 ${i + 1} 步`,
      kind: !a ? 'added' : !b ? 'removed' : 'changed',
      before: step(a),
      after: step(b),
    })
  }
  return changes
}

/**
 * Entries matched by key (materialCode, fee name, question). Entries left over on both sides
 * are paired in order as the same entry reworded; the rest were added or removed.
 */
function diffRows<Row extends object>(spec: {
  group: 'materials' | 'fees' | 'faqs'
  before: Row[]
  after: Row[]
  key: (row: Row) => string
  name: (row: Row) => string
  labels: Record<string, string>
  summary: (row: Row) => string
}): Change[] {
  const { group, before, after, key, name, labels, summary } = spec
  const groupLabel = ROW_GROUPS[group].label
  const pairs: { a?: Row; b?: Row }[] = []
  const leftBefore = [...before]
  const unmatchedAfter: Row[] = []
  for (const b of after) {
    const at = leftBefore.findIndex((a) => key(a) === key(b))
    if (at >= 0) {
      pairs.push({ a: leftBefore[at], b })
      leftBefore.splice(at, 1)
    } else {
      unmatchedAfter.push(b)
    }
  }
  // Materials keep their code across versions, so an unmatched code is a new material.
  if (group !== 'materials') {
    while (leftBefore.length > 0 && unmatchedAfter.length > 0) {
      pairs.push({ a: leftBefore.shift(), b: unmatchedAfter.shift() })
    }
  }
  for (const b of unmatchedAfter) pairs.push({ b })
  for (const a of leftBefore) pairs.push({ a })

  const changes: Change[] = []
  for (const { a, b } of pairs) {
    if (a && b) {
      if (same(a, b)) continue
      const id = key(b)
      for (const field of Object.keys(labels)) {
        const va = (a as Record<string, unknown>)[field]
        const vb = (b as Record<string, unknown>)[field]
        if (same(va, vb)) continue
        changes.push({
          path: `${group}[${id}].${field}`,
          label: `${groupLabel}「${name(b)}」的${labels[field]}`,
          kind: va === undefined || va === '' ? 'added' : vb === undefined || vb === '' ? 'removed' : 'changed',
          before: showValue(field, va),
          after: showValue(field, vb),
        })
      }
    } else if (b) {
      changes.push({
        path: `${group}[${key(b)}]`,
        label: `${groupLabel}「${name(b)}」`,
        kind: 'added',
        before: '',
        after: summary(b),
      })
    } else if (a) {
      changes.push({
        path: `${group}[${key(a)}]`,
        label: `${groupLabel}「${name(a)}」`,
        kind: 'removed',
        before: summary(a),
        after: '',
      })
    }
  }
  return changes
}

export const CHANGE_KIND_NAMES: Record<ChangeKind, string> = { added: '新增', removed: '删除', changed: '修改' }
