/**
 * The catalog as an Excel workbook, both ways, in the national field layout: the first header
 * row holds the exchange field names (the ItemElements property names), the second their
 * Chinese names, one record a row from the third.
 *
 *   事项      one row per published item: scalar elements, lists joined with 「；」, the flow as
 *             numbered lines, plus the implementing department (deptName, deptCode) and version
 *   材料      one row per material, keyed by catalogCode + materialCode
 *   收费      one row per fee, keyed by catalogCode
 *   常见问题  one row per question, keyed by catalogCode
 *   说明      what every column means
 *
 * Files (blank forms, samples) are referenced by sha256 and file name, never embedded.
 *
 * Import is checked before anything is written: every row becomes an ItemInput (through the
 * editor's reading of form fields, so both read values alike), is validated with every rule,
 * and is compared with the published version. The plan lists per item 新建 / 修改 / 无变化 and
 * every problem with sheet, row and field; writing it (importItemChanges) is all or nothing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import ExcelJS from 'exceljs'
import { Value } from 'typebox/value'
import type { Principal } from '../../platform/auth/principal.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'
import { type DepartmentInfo, listDepartmentInfos } from '../identity/index.js'
import {
  type Change,
  canonicalJson,
  diffElements,
  ELEMENT_LABELS,
  FAQ_LABELS,
  FEE_LABELS,
  fieldLabel,
  MATERIAL_LABELS,
} from './catalog.diff.js'
import {
  cleanText,
  type EditorValues,
  FileRefs,
  fenToYuan,
  inputFromValues,
  mergeProblems,
  readInteger,
} from './catalog.editor.js'
import {
  ENTERPRISE_TOPICS,
  type Fee,
  ItemElements,
  type ItemFile,
  type Material,
  ONLINE_DEPTHS,
  PERSON_TOPICS,
  TASK_TYPES,
} from './catalog.model.js'
import {
  findItemForImport,
  type ImportChange,
  type ItemInput,
  importItemChanges,
  listPublishedElements,
  validateItem,
} from './catalog.service.js'
import type { ItemVersionTable } from './catalog.tables.js'

export const SHEETS = { items: '事项', materials: '材料', fees: '收费', faqs: '常见问题', about: '说明' } as const
/** Largest workbook accepted for import. */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024
/** Values of a list in one cell are separated by this. */
const LIST_SEPARATOR = '；'

type Cell = string | number

interface ColumnSpec {
  key: string
  label: string
  width: number
  /** What to write in it, for the 说明 sheet. */
  note: string
  /** Must be present in an imported sheet. */
  required: boolean
  /** Kept as text in Excel (codes with leading zeros). */
  text?: boolean
}

const col = (key: string, label: string, width: number, note: string, options: Partial<ColumnSpec> = {}) => ({
  key,
  label,
  width,
  note,
  required: true,
  ...options,
})
const yesNoNote = '填「是」或「否」'
const listNote = (values: readonly string[]) => `可多选，用「；」分隔：${values.join('、')}`

const ITEM_COLUMNS: ColumnSpec[] = [
  col('catalogCode', ELEMENT_LABELS.catalogCode, 16, '12 位数字或大写字母；同一部门内唯一，导入时据此对应已有事项', {
    text: true,
  }),
  col('taskCode', ELEMENT_LABELS.taskCode, 34, '实施主体统一社会信用代码 + 基本编码；可留空，导入时自动生成', {
    text: true,
    required: false,
  }),
  col('taskHandleItem', ELEMENT_LABELS.taskHandleItem, 14, '选填，1–10 位数字或大写字母', {
    text: true,
    required: false,
  }),
  col('taskName', ELEMENT_LABELS.taskName, 30, '2–100 字'),
  col(
    'taskType',
    ELEMENT_LABELS.taskType,
    12,
    `填代码或名称：${Object.entries(TASK_TYPES)
      .map(([k, v]) => `${k} ${v}`)
      .join('、')}`,
    { text: true },
  ),
  col('taskVersion', '版本号', 8, '导出时的已发布版本号，仅供核对；导入时若事项已发布了更新的版本，会提示重新导出', {
    required: false,
  }),
  col('deptName', '实施主体', 24, '导出时填写，仅供核对', { required: false }),
  col('deptCode', '实施主体统一社会信用代码', 22, '只能导入本部门的事项；留空视为本部门', {
    text: true,
    required: false,
  }),
  col('byLaw', ELEMENT_LABELS.byLaw, 40, '法律、法规、规章名称及条款'),
  col('powerSource', ELEMENT_LABELS.powerSource, 14, '法定本级行使、上级下放、上级委托、其他'),
  col('useLevel', ELEMENT_LABELS.useLevel, 10, '区级、镇级、村级'),
  col('entrustName', ELEMENT_LABELS.entrustName, 20, '选填', { required: false }),
  col('otherDept', ELEMENT_LABELS.otherDept, 16, '选填，本平台部门代码（如 wjj）或部门名称，用「；」分隔'),
  col('serverType', ELEMENT_LABELS.serverType, 12, listNote(['自然人', '法人'])),
  col('acceptCondition', ELEMENT_LABELS.acceptCondition, 40, '可换行'),
  col('handleFlow', ELEMENT_LABELS.handleFlow, 40, '每步一行：「1. 环节名称：环节说明」'),
  col(
    'handleType',
    ELEMENT_LABELS.handleType,
    24,
    listNote(['窗口办理', '网上办理', '快递申请', '自助终端', '村居代办']),
  ),
  col('anticipateDay', ELEMENT_LABELS.anticipateDay, 10, '整数，0–365'),
  col('anticipateType', ELEMENT_LABELS.anticipateType, 10, '工作日 或 自然日'),
  col('anticipateExplain', ELEMENT_LABELS.anticipateExplain, 20, '可留空'),
  col('promiseDay', ELEMENT_LABELS.promiseDay, 10, '整数，0 表示即办'),
  col('promiseType', ELEMENT_LABELS.promiseType, 10, '工作日 或 自然日'),
  col('promiseExplain', ELEMENT_LABELS.promiseExplain, 20, '可留空'),
  col('projectType', ELEMENT_LABELS.projectType, 10, '即办件、承诺件、上报件、联办件'),
  col('isFee', ELEMENT_LABELS.isFee, 8, yesNoNote),
  col('feeBasis', ELEMENT_LABELS.feeBasis, 24, '收费的事项必填'),
  col('limitSceneNum', ELEMENT_LABELS.limitSceneNum, 10, '整数，0–9'),
  col('transactAddr', ELEMENT_LABELS.transactAddr, 30, ''),
  col('transactTime', ELEMENT_LABELS.transactTime, 30, ''),
  col('linkWay', ELEMENT_LABELS.linkWay, 20, ''),
  col('superviseWay', ELEMENT_LABELS.superviseWay, 20, ''),
  col('isOnline', ELEMENT_LABELS.isOnline, 8, yesNoNote),
  col(
    'onlineHandleDepth',
    ELEMENT_LABELS.onlineHandleDepth,
    12,
    `填 1–4：${Object.entries(ONLINE_DEPTHS)
      .map(([k, v]) => `${k} ${v}`)
      .join('、')}`,
  ),
  col('isSchedule', ELEMENT_LABELS.isSchedule, 8, yesNoNote),
  col('isExpress', ELEMENT_LABELS.isExpress, 8, yesNoNote),
  col('isPayOnline', ELEMENT_LABELS.isPayOnline, 8, yesNoNote),
  col('isServiceTerminals', ELEMENT_LABELS.isServiceTerminals, 8, yesNoNote),
  col('assuranceLevel', ELEMENT_LABELS.assuranceLevel, 10, '1、2 或 3'),
  col('resultType', ELEMENT_LABELS.resultType, 10, '出证、审批文书、备案回执、其他'),
  col('resultName', ELEMENT_LABELS.resultName, 20, ''),
  col('resultLicenseTypeCode', ELEMENT_LABELS.resultLicenseTypeCode, 16, '选填', { required: false, text: true }),
  col('resultSample.sha256', '办理结果样本 SHA-256', 20, '选填；只能引用该事项已有的文件（新文件请在编辑页上传）', {
    required: false,
    text: true,
  }),
  col('resultSample.fileName', '办理结果样本文件名', 20, '选填', { required: false }),
  col(
    'topics',
    ELEMENT_LABELS.topics,
    20,
    `选填，主题代码或名称，用「；」分隔：${Object.values({ ...PERSON_TOPICS, ...ENTERPRISE_TOPICS }).join('、')}`,
  ),
  col('keywords', ELEMENT_LABELS.keywords, 20, '选填，用「；」分隔'),
  col('summary', ELEMENT_LABELS.summary, 30, '500 字以内'),
  col('changeNote', '变更说明', 20, '导入时填写本次修改的原因，可留空', { required: false }),
]

const MATERIAL_COLUMNS: ColumnSpec[] = [
  col('catalogCode', ELEMENT_LABELS.catalogCode, 16, '所属事项的基本编码', { text: true }),
  col('materialCode', MATERIAL_LABELS.materialCode, 18, '小写字母、数字或下划线；同一事项内唯一，各版本保持不变', {
    text: true,
  }),
  col('materialName', MATERIAL_LABELS.materialName, 30, ''),
  col('materialFormat', MATERIAL_LABELS.materialFormat, 10, '纸质、电子、纸质或电子'),
  col('isNeed', MATERIAL_LABELS.isNeed, 8, yesNoNote),
  col('needCondition', MATERIAL_LABELS.needCondition, 20, '非必需材料须填写', { required: false }),
  col('pageNum', MATERIAL_LABELS.pageNum, 6, '整数'),
  col('pageFormat', MATERIAL_LABELS.pageFormat, 10, '如 A4'),
  col('sourceType', MATERIAL_LABELS.sourceType, 12, '申请人自备、政府部门核发、其他'),
  col('sourceExplain', MATERIAL_LABELS.sourceExplain, 20, ''),
  col('acceptStand', MATERIAL_LABELS.acceptStand, 24, ''),
  col('byLaw', MATERIAL_LABELS.byLaw, 20, ''),
  col('fillExplain', MATERIAL_LABELS.fillExplain, 20, ''),
  col('licenseTypeCode', MATERIAL_LABELS.licenseTypeCode, 16, '选填', { required: false, text: true }),
  col('allowDefer', MATERIAL_LABELS.allowDefer, 8, yesNoNote),
  col('blankForm.sha256', '空白表格 SHA-256', 20, '选填；只能引用该事项已有的文件', { required: false, text: true }),
  col('blankForm.fileName', '空白表格文件名', 20, '选填', { required: false }),
  col('sampleFile.sha256', '示例样表 SHA-256', 20, '选填；只能引用该事项已有的文件', { required: false, text: true }),
  col('sampleFile.fileName', '示例样表文件名', 20, '选填', { required: false }),
]

const FEE_COLUMNS: ColumnSpec[] = [
  col('catalogCode', ELEMENT_LABELS.catalogCode, 16, '所属事项的基本编码', { text: true }),
  col('feeName', FEE_LABELS.feeName, 20, ''),
  col('feeStand', FEE_LABELS.feeStand, 24, '文字说明，如「每本 120 元」'),
  col('amountFen', '固定金额（分）', 12, '选填，整数，单位为分（120 元填 12000）', { required: false }),
  col('byLaw', FEE_LABELS.byLaw, 24, ''),
  col('isDesc', FEE_LABELS.isDesc, 8, yesNoNote),
  col('descExplain', FEE_LABELS.descExplain, 24, '可减免的须填写'),
]

const FAQ_COLUMNS: ColumnSpec[] = [
  col('catalogCode', ELEMENT_LABELS.catalogCode, 16, '所属事项的基本编码', { text: true }),
  col('question', FAQ_LABELS.question, 30, ''),
  col('answer', FAQ_LABELS.answer, 50, ''),
]

// ---------------------------------------------------------------------------------------------
// Values in cells

const yesNo = (b: boolean) => (b ? '是' : '否')
const joinList = (values: readonly string[]) => values.join(LIST_SEPARATOR)

/** The flow as numbered lines: 「1. 申请：网上提交申请和材料」. */
export function formatFlow(steps: readonly { name: string; description: string }[]): string {
  return steps.map((s, i) => `${i + 1}. ${s.name}${s.description ? `：${s.description}` : ''}`).join('\n')
}

/** Numbered lines back into steps; a line without a number continues the step before it. */
export function parseFlow(text: string): { name: string; description: string }[] {
  const steps: { name: string; description: string }[] = []
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const numbered = /^\s*\d{1,2}\s*[.．、]\s*(.*)$/.exec(line)
    const last = steps[steps.length - 1]
    if (!numbered && last) {
      last.description = `${last.description}\n${line}`
      continue
    }
    const rest = numbered ? (numbered[1] ?? '') : line
    if (!numbered && !rest.trim()) continue
    const colon = rest.search(/[：:]/)
    steps.push(
      colon >= 0
        ? { name: rest.slice(0, colon).trim(), description: rest.slice(colon + 1) }
        : { name: rest.trim(), description: '' },
    )
  }
  return steps.map((s) => ({ name: s.name, description: cleanText(s.description) }))
}

function itemCells(e: ItemElements, department: DepartmentInfo | undefined, version: number): Record<string, Cell> {
  return {
    catalogCode: e.catalogCode,
    taskCode: e.taskCode,
    taskHandleItem: e.taskHandleItem ?? '',
    taskName: e.taskName,
    taskType: e.taskType,
    taskVersion: version,
    deptName: department?.name ?? '',
    deptCode: department?.creditCode ?? '',
    byLaw: e.byLaw,
    powerSource: e.powerSource,
    useLevel: e.useLevel,
    entrustName: e.entrustName ?? '',
    otherDept: joinList(e.otherDept),
    serverType: joinList(e.serverType),
    acceptCondition: e.acceptCondition,
    handleFlow: formatFlow(e.handleFlow),
    handleType: joinList(e.handleType),
    anticipateDay: e.anticipateDay,
    anticipateType: e.anticipateType,
    anticipateExplain: e.anticipateExplain,
    promiseDay: e.promiseDay,
    promiseType: e.promiseType,
    promiseExplain: e.promiseExplain,
    projectType: e.projectType,
    isFee: yesNo(e.isFee),
    feeBasis: e.feeBasis,
    limitSceneNum: e.limitSceneNum,
    transactAddr: e.transactAddr,
    transactTime: e.transactTime,
    linkWay: e.linkWay,
    superviseWay: e.superviseWay,
    isOnline: yesNo(e.isOnline),
    onlineHandleDepth: e.onlineHandleDepth,
    isSchedule: yesNo(e.isSchedule),
    isExpress: yesNo(e.isExpress),
    isPayOnline: yesNo(e.isPayOnline),
    isServiceTerminals: yesNo(e.isServiceTerminals),
    assuranceLevel: e.assuranceLevel,
    resultType: e.resultType,
    resultName: e.resultName,
    resultLicenseTypeCode: e.resultLicenseTypeCode ?? '',
    'resultSample.sha256': e.resultSample?.sha256 ?? '',
    'resultSample.fileName': e.resultSample?.fileName ?? '',
    topics: joinList(e.topics),
    keywords: joinList(e.keywords),
    summary: e.summary,
    changeNote: '',
  }
}

function materialCells(catalogCode: string, m: Material): Record<string, Cell> {
  return {
    catalogCode,
    materialCode: m.materialCode,
    materialName: m.materialName,
    materialFormat: m.materialFormat,
    isNeed: yesNo(m.isNeed),
    needCondition: m.needCondition ?? '',
    pageNum: m.pageNum,
    pageFormat: m.pageFormat,
    sourceType: m.sourceType,
    sourceExplain: m.sourceExplain,
    acceptStand: m.acceptStand,
    byLaw: m.byLaw,
    fillExplain: m.fillExplain,
    licenseTypeCode: m.licenseTypeCode ?? '',
    allowDefer: yesNo(m.allowDefer),
    'blankForm.sha256': m.blankForm?.sha256 ?? '',
    'blankForm.fileName': m.blankForm?.fileName ?? '',
    'sampleFile.sha256': m.sampleFile?.sha256 ?? '',
    'sampleFile.fileName': m.sampleFile?.fileName ?? '',
  }
}

function feeCells(catalogCode: string, f: Fee): Record<string, Cell> {
  return {
    catalogCode,
    feeName: f.feeName,
    feeStand: f.feeStand,
    amountFen: f.amountFen ?? '',
    byLaw: f.byLaw,
    isDesc: yesNo(f.isDesc),
    descExplain: f.descExplain,
  }
}

// ---------------------------------------------------------------------------------------------
// Export

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } }
const LABEL_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } }

function addDataSheet(wb: ExcelJS.Workbook, name: string, columns: ColumnSpec[], rows: Record<string, Cell>[]) {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 2, xSplit: 1 }] })
  ws.columns = columns.map((c) => ({
    key: c.key,
    width: c.width,
    style: c.text ? { numFmt: '@' } : {},
  }))
  const names = ws.addRow(columns.map((c) => c.key))
  names.font = { bold: true }
  names.eachCell((cell) => {
    cell.fill = HEADER_FILL
  })
  const labels = ws.addRow(columns.map((c) => c.label))
  labels.font = { bold: true }
  labels.eachCell((cell) => {
    cell.fill = LABEL_FILL
  })
  for (const row of rows) {
    const added = ws.addRow(columns.map((c) => row[c.key] ?? ''))
    added.alignment = { vertical: 'top', wrapText: true }
  }
}

function addAboutSheet(wb: ExcelJS.Workbook, exportedAt: string, scope: string) {
  const ws = wb.addWorksheet(SHEETS.about)
  ws.columns = [{ width: 12 }, { width: 24 }, { width: 26 }, { width: 80 }]
  const intro = [
    `潮安区一网通办 · 政务服务事项实施清单导出（${scope}，导出时间 ${exportedAt} 北京时间）`,
    '各工作表第 1 行为字段名（国家政务服务事项交换字段名），第 2 行为中文名称，从第 3 行起每行一条记录。请勿修改前两行。',
    '「事项」每行一个事项；「材料」「收费」「常见问题」每行一条，用基本编码（catalogCode）对应到事项，材料另用材料编码（materialCode）区分。',
    '多个值写在同一格时用「；」分隔；办理流程每步一行，写成「1. 环节名称：环节说明」。',
    '空白表格、样表等文件不放在工作簿里，只用 SHA-256 摘要和文件名引用；新文件请在事项编辑页上传。',
    '导入：只能导入本部门的事项。先检查全部内容并列出问题，确认后才写入；与已发布版本相同的事项「无变化」，新事项和有改动的事项生成新版本并提交审核。有任何问题时不写入任何内容。',
  ]
  for (const line of intro) ws.addRow([line]).font = { bold: line === intro[0] }
  ws.addRow([])
  const header = ws.addRow(['工作表', '字段名', '中文名称', '填写说明'])
  header.font = { bold: true }
  header.eachCell((cell) => {
    cell.fill = HEADER_FILL
  })
  const sheets: [string, ColumnSpec[]][] = [
    [SHEETS.items, ITEM_COLUMNS],
    [SHEETS.materials, MATERIAL_COLUMNS],
    [SHEETS.fees, FEE_COLUMNS],
    [SHEETS.faqs, FAQ_COLUMNS],
  ]
  for (const [sheet, columns] of sheets) {
    for (const c of columns) {
      ws.addRow([sheet, c.key, c.label, `${c.required ? '' : '（可无此列）'}${c.note}`]).alignment = {
        vertical: 'top',
        wrapText: true,
      }
    }
  }
}

/**
 * The published items as a workbook: every department's for a reviewer, the own department's
 * for an item administrator.
 */
export async function exportWorkbook(deps: Deps, principal: Principal): Promise<Buffer> {
  const allDepartments = principal.permissions.has('catalog.review')
  const rows = await listPublishedElements(deps.db, allDepartments ? undefined : (principal.departmentId ?? ''))
  const departments = new Map((await listDepartmentInfos(deps.db)).map((d) => [d.id, d]))
  const items: Record<string, Cell>[] = []
  const materials: Record<string, Cell>[] = []
  const fees: Record<string, Cell>[] = []
  const faqs: Record<string, Cell>[] = []
  const sorted = rows
    .map((r) => ({ ...r, e: JSON.parse(r.elements) as ItemElements, department: departments.get(r.departmentId) }))
    .sort(
      (a, b) =>
        (a.department?.code ?? '').localeCompare(b.department?.code ?? '') ||
        a.e.catalogCode.localeCompare(b.e.catalogCode),
    )
  for (const { e, department, version } of sorted) {
    items.push(itemCells(e, department, version))
    for (const m of e.materials) materials.push(materialCells(e.catalogCode, m))
    for (const f of e.fees) fees.push(feeCells(e.catalogCode, f))
    for (const q of e.faqs) faqs.push({ catalogCode: e.catalogCode, question: q.question, answer: q.answer })
  }
  const wb = new ExcelJS.Workbook()
  wb.creator = '潮安区一网通办'
  const now = deps.clock.now()
  wb.created = now
  wb.modified = now
  addDataSheet(wb, SHEETS.items, ITEM_COLUMNS, items)
  addDataSheet(wb, SHEETS.materials, MATERIAL_COLUMNS, materials)
  addDataSheet(wb, SHEETS.fees, FEE_COLUMNS, fees)
  addDataSheet(wb, SHEETS.faqs, FAQ_COLUMNS, faqs)
  const scope = allDepartments ? '全部部门' : (departments.get(principal.departmentId ?? '')?.name ?? '本部门')
  addAboutSheet(wb, formatShanghai(now), scope)
  return Buffer.from(await wb.xlsx.writeBuffer())
}

function formatShanghai(d: Date): string {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d)
}

// ---------------------------------------------------------------------------------------------
// Reading a workbook

const unreadable = () =>
  new DomainError(
    'CATALOG_IMPORT_UNREADABLE',
    'invalid',
    '无法读取这个 Excel 文件。请上传本平台「导出 Excel」得到的 .xlsx 文件（修改后另存为 Excel 工作簿格式）。',
  )

const missingSheet = (name: string) =>
  new DomainError(
    'CATALOG_IMPORT_LAYOUT',
    'invalid',
    `工作簿中没有「${name}」工作表。请使用本平台「导出 Excel」得到的文件，保留全部工作表后再导入。`,
  )

const missingColumns = (sheet: string, keys: string[]) =>
  new DomainError(
    'CATALOG_IMPORT_LAYOUT',
    'invalid',
    `「${sheet}」工作表第 1 行缺少以下字段名：${keys.join('、')}。请不要修改或删除表头。`,
  )

interface SheetRow {
  row: number
  cells: Record<string, string>
}

/** A cell as text, whatever Excel stored (rich text, formulas, links, numbers). */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (typeof value === 'boolean') return value ? '是' : '否'
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if ('richText' in value) return value.richText.map((r) => r.text).join('')
  if ('hyperlink' in value) return String(value.text ?? '')
  if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue)
  if ('formula' in value || 'sharedFormula' in value) return ''
  return ''
}

function readSheet(ws: ExcelJS.Worksheet, columns: ColumnSpec[]): SheetRow[] {
  const header = new Map<string, number>()
  ws.getRow(1).eachCell((cell, colNumber) => {
    const name = cellText(cell.value).trim()
    if (name) header.set(name, colNumber)
  })
  const missing = columns.filter((c) => c.required && !header.has(c.key)).map((c) => c.key)
  if (missing.length > 0) throw missingColumns(ws.name, missing)
  const rows: SheetRow[] = []
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1) return
    const cells: Record<string, string> = {}
    let filled = false
    for (const c of columns) {
      const at = header.get(c.key)
      const text = at ? cellText(row.getCell(at).value) : ''
      cells[c.key] = text
      if (text.trim()) filled = true
    }
    if (!filled) return
    // The second header row holds the Chinese names.
    if (cells.catalogCode?.trim() === ELEMENT_LABELS.catalogCode) return
    rows.push({ row: rowNumber, cells })
  })
  return rows
}

async function readWorkbook(buffer: Buffer) {
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer)
  } catch {
    throw unreadable()
  }
  const sheet = (name: string) => {
    const ws = wb.getWorksheet(name)
    if (!ws) throw missingSheet(name)
    return ws
  }
  return {
    items: readSheet(sheet(SHEETS.items), ITEM_COLUMNS),
    materials: readSheet(sheet(SHEETS.materials), MATERIAL_COLUMNS),
    fees: readSheet(sheet(SHEETS.fees), FEE_COLUMNS),
    faqs: readSheet(sheet(SHEETS.faqs), FAQ_COLUMNS),
  }
}

// ---------------------------------------------------------------------------------------------
// Rows → ItemInput

const taskTypeCodes = new Map<string, string>(Object.entries(TASK_TYPES).map(([code, name]) => [name, code]))
const topicCodes = new Map<string, string>(
  Object.entries({ ...PERSON_TOPICS, ...ENTERPRISE_TOPICS }).map(([code, name]) => [name, code]),
)

const splitList = (s: string) =>
  s
    .split(/[；;,，、\n]+/)
    .map((v) => v.trim())
    .filter(Boolean)

/** 「Ⅳ级 全程网办」, 「全程网办」 or 4 → '4'. */
function depthCode(raw: string): string {
  const s = raw.trim()
  for (const [code, label] of Object.entries(ONLINE_DEPTHS)) {
    if (s === label || (s.length >= 2 && label.includes(s))) return code
  }
  return s
}

interface ItemRows {
  main: SheetRow
  materials: SheetRow[]
  fees: SheetRow[]
  faqs: SheetRow[]
}

/** Files an imported row may name: those already in some version of the item. */
type KnownFiles = Map<string, ItemFile>

function knownFilesOf(versions: ItemVersionTable[] | undefined): KnownFiles {
  const known: KnownFiles = new Map()
  for (const v of versions ?? []) {
    const e = JSON.parse(v.elements) as ItemElements
    for (const f of [e.resultSample, ...e.materials.flatMap((m) => [m.blankForm, m.sampleFile])]) {
      if (f && !known.has(f.sha256)) known.set(f.sha256, f)
    }
  }
  return known
}

/**
 * One item's rows as the editor's form fields, then as ItemInput (both read values alike), with
 * the problems of reading them.
 */
function inputFromRows(
  rows: ItemRows,
  departments: DepartmentInfo[],
  known: KnownFiles,
  refs: FileRefs,
): { input: ItemInput; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  const c = rows.main.cells
  const v: EditorValues = {}
  for (const key of [
    'catalogCode',
    'taskHandleItem',
    'taskName',
    'byLaw',
    'powerSource',
    'useLevel',
    'entrustName',
    'acceptCondition',
    'anticipateDay',
    'anticipateType',
    'anticipateExplain',
    'promiseDay',
    'promiseType',
    'promiseExplain',
    'projectType',
    'isFee',
    'feeBasis',
    'limitSceneNum',
    'transactAddr',
    'transactTime',
    'linkWay',
    'superviseWay',
    'isOnline',
    'isSchedule',
    'isExpress',
    'isPayOnline',
    'isServiceTerminals',
    'assuranceLevel',
    'resultType',
    'resultName',
    'resultLicenseTypeCode',
    'summary',
    'keywords',
  ]) {
    v[key] = c[key] ?? ''
  }
  const taskType = (c.taskType ?? '').trim()
  v.taskType = taskTypeCodes.get(taskType) ?? taskType
  v.onlineHandleDepth = depthCode(c.onlineHandleDepth ?? '')
  v.assuranceLevel = (c.assuranceLevel ?? '').trim().replace(/^L/i, '')
  v.serverType = splitList(c.serverType ?? '')
  v.handleType = splitList(c.handleType ?? '')
  v.topics = splitList(c.topics ?? '').map((t) => topicCodes.get(t) ?? t)
  v.otherDept = splitList(c.otherDept ?? '').map(
    (d) => departments.find((x) => x.code === d || x.name === d || x.shortName === d)?.code ?? d,
  )
  parseFlow(c.handleFlow ?? '').forEach((step, i) => {
    v[`handleFlow[${i}].name`] = step.name
    v[`handleFlow[${i}].description`] = step.description
  })

  const fileRef = (path: string, shaCell: string | undefined, nameCell: string | undefined) => {
    const sha256 = (shaCell ?? '').trim().toLowerCase()
    if (!sha256) return
    const file = known.get(sha256)
    if (!file) {
      problems.push({
        field: path,
        message: `文件（SHA-256 ${sha256.slice(0, 12)}…）不是这个事项已有的文件；新的文件请在事项编辑页上传`,
      })
      return
    }
    v[path] = refs.sign({ ...file, fileName: cleanText(nameCell ?? '') || file.fileName })
  }
  fileRef('resultSample', c['resultSample.sha256'], c['resultSample.fileName'])

  rows.materials.forEach((m, i) => {
    for (const column of MATERIAL_COLUMNS) {
      if (column.key === 'catalogCode' || column.key.includes('.')) continue
      v[`materials[${i}].${column.key}`] = m.cells[column.key] ?? ''
    }
    fileRef(`materials[${i}].blankForm`, m.cells['blankForm.sha256'], m.cells['blankForm.fileName'])
    fileRef(`materials[${i}].sampleFile`, m.cells['sampleFile.sha256'], m.cells['sampleFile.fileName'])
  })
  rows.fees.forEach((f, i) => {
    for (const key of ['feeName', 'feeStand', 'byLaw', 'isDesc', 'descExplain']) {
      v[`fees[${i}].${key}`] = f.cells[key] ?? ''
    }
    // The sheet holds fen (the national field), the editor's field yuan.
    const fen = readInteger(f.cells.amountFen ?? '')
    if (fen === 'invalid') problems.push({ field: `fees[${i}].amountFen`, message: '请填写整数金额，单位为分' })
    v[`fees[${i}].amountFen`] = typeof fen === 'number' ? fenToYuan(fen) : ''
  })
  rows.faqs.forEach((q, i) => {
    v[`faqs[${i}].question`] = q.cells.question ?? ''
    v[`faqs[${i}].answer`] = q.cells.answer ?? ''
  })

  const read = inputFromValues(v, refs)
  const taskCode = (c.taskCode ?? '').trim().toUpperCase()
  const input: ItemInput = taskCode ? { ...read.input, taskCode } : read.input
  return { input, problems: mergeProblems(problems, read.problems) }
}

// ---------------------------------------------------------------------------------------------
// The plan

export type ImportOutcome = 'create' | 'update' | 'unchanged' | 'problem'

export interface ImportProblem {
  sheet: string
  /** The row number as Excel shows it; null for a problem of the whole item. */
  row: number | null
  itemName: string
  /** Field name and its Chinese name: 「promiseDay（承诺办结时限）」. */
  field: string
  message: string
}

export interface ImportItemPlan {
  row: number
  catalogCode: string
  taskName: string
  outcome: ImportOutcome
  /** The version the import makes (create: 1, update: next), or the current one when unchanged. */
  version: number | null
  changes: Change[]
  input?: ItemInput
  changeNote: string
}

export interface ImportPlan {
  items: ImportItemPlan[]
  problems: ImportProblem[]
  counts: Record<ImportOutcome, number>
}

/** Leaves out optional elements that are empty, so 「absent」 and 「empty」 compare equal. */
function comparable(e: unknown): string {
  const clean = Value.Clean(ItemElements, structuredClone(e)) as Record<string, unknown>
  const strip = (o: Record<string, unknown>, keys: string[]) => {
    for (const k of keys) if (o[k] === '' || o[k] === undefined) delete o[k]
  }
  strip(clean, ['taskHandleItem', 'entrustName', 'resultLicenseTypeCode'])
  for (const m of (clean.materials as Record<string, unknown>[] | undefined) ?? []) {
    strip(m, ['needCondition', 'licenseTypeCode'])
  }
  return canonicalJson(clean)
}

function locate(field: string, rows: ItemRows): { sheet: string; row: number; field: string } {
  const m = /^(materials|fees|faqs)\[(\d+)\](?:\.(\w+))?/.exec(field)
  if (m) {
    const list = rows[m[1] as 'materials' | 'fees' | 'faqs']
    const sheet = { materials: SHEETS.materials, fees: SHEETS.fees, faqs: SHEETS.faqs }[m[1] as 'materials']
    const key = m[3] ?? ''
    const labels = { materials: MATERIAL_LABELS, fees: FEE_LABELS, faqs: FAQ_LABELS }[m[1] as 'materials'] as Record<
      string,
      string
    >
    return {
      sheet,
      row: list[Number(m[2])]?.row ?? rows.main.row,
      field: key ? `${key}（${labels[key] ?? key}）` : fieldLabel(field),
    }
  }
  const head = /^[A-Za-z]+/.exec(field)?.[0] ?? field
  return { sheet: SHEETS.items, row: rows.main.row, field: `${head}（${fieldLabel(field)}）` }
}

/**
 * Reads a workbook and works out, for the principal's department, what importing it would do,
 * without writing anything.
 * @throws CATALOG_IMPORT_UNREADABLE, CATALOG_IMPORT_LAYOUT (422) for a file that is not such a
 *   workbook; FORBIDDEN without a department
 */
export async function planImport(deps: Deps, principal: Principal, buffer: Buffer): Promise<ImportPlan> {
  const departments = await listDepartmentInfos(deps.db)
  const department = departments.find((d) => d.id === principal.departmentId)
  if (!department) {
    throw new DomainError('CATALOG_IMPORT_NO_DEPARTMENT', 'forbidden', '只有部门的事项管理员可以导入本部门的事项。')
  }
  const sheets = await readWorkbook(buffer)
  const refs = new FileRefs(deps.config.sessionSecret)
  const problems: ImportProblem[] = []
  const items: ImportItemPlan[] = []
  const byCode = new Map<string, ItemRows>()
  const codeOf = (r: SheetRow) => (r.cells.catalogCode ?? '').trim().toUpperCase()

  for (const main of sheets.items) {
    const code = codeOf(main)
    const taskName = cleanText(main.cells.taskName ?? '')
    if (byCode.has(code)) {
      problems.push({
        sheet: SHEETS.items,
        row: main.row,
        itemName: taskName,
        field: 'catalogCode（基本编码）',
        message: `基本编码 ${code} 在第 ${byCode.get(code)?.main.row} 行已经出现过，一个事项只能有一行`,
      })
      continue
    }
    byCode.set(code, { main, materials: [], fees: [], faqs: [] })
  }
  const attach = (list: SheetRow[], sheet: string, into: 'materials' | 'fees' | 'faqs') => {
    for (const r of list) {
      const rows = byCode.get(codeOf(r))
      if (rows) rows[into].push(r)
      else
        problems.push({
          sheet,
          row: r.row,
          itemName: '',
          field: 'catalogCode（基本编码）',
          message: `「事项」工作表中没有基本编码为「${codeOf(r)}」的事项`,
        })
    }
  }
  attach(sheets.materials, SHEETS.materials, 'materials')
  attach(sheets.fees, SHEETS.fees, 'fees')
  attach(sheets.faqs, SHEETS.faqs, 'faqs')

  const departmentName = (code: string) => departments.find((d) => d.code === code)?.shortName
  for (const [code, rows] of byCode) {
    const c = rows.main.cells
    const taskName = cleanText(c.taskName ?? '')
    const plan: ImportItemPlan = {
      row: rows.main.row,
      catalogCode: code,
      taskName,
      outcome: 'problem',
      version: null,
      changes: [],
      changeNote: cleanText(c.changeNote ?? ''),
    }
    items.push(plan)
    const itemProblems: FieldProblem[] = []
    const report = (list: FieldProblem[]) => {
      for (const p of list) {
        const at = locate(p.field, rows)
        problems.push({ ...at, itemName: taskName, message: p.message })
      }
      itemProblems.push(...list)
    }

    const deptCode = (c.deptCode ?? '').trim().toUpperCase()
    if (deptCode && deptCode !== department.creditCode) {
      report([{ field: 'deptCode', message: `只能导入本部门（${department.name}）的事项，这一行属于其他实施主体` }])
      continue
    }
    const taskCode = (c.taskCode ?? '').trim().toUpperCase() || `${department.creditCode ?? ''}${code}`
    const found = /^[0-9A-Z]+$/.test(taskCode) ? await findItemForImport(deps.db, taskCode) : undefined
    if (found && found.item.departmentId !== department.id) {
      report([{ field: 'taskCode', message: '实施编码属于其他部门的事项，只能导入本部门的事项' }])
      continue
    }

    const read = inputFromRows(rows, departments, knownFilesOf(found?.versions), refs)
    let ruleProblems: FieldProblem[] = []
    let elements: ItemElements | undefined
    try {
      elements = (await validateItem(deps.db, department.id, read.input, { rules: true })).elements
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'VALIDATION_FAILED') throw error
      ruleProblems = error.details
    }
    report(mergeProblems(read.problems, ruleProblems))
    if (itemProblems.length > 0 || !elements) continue

    plan.input = read.input
    if (!found) {
      plan.outcome = 'create'
      plan.version = 1
      plan.changes = diffElements(undefined, elements, { departmentName })
      continue
    }
    const current = found.current
    const currentElements = current ? (JSON.parse(current.elements) as ItemElements) : undefined
    if (current && comparable(currentElements) === comparable(elements)) {
      plan.outcome = 'unchanged'
      plan.version = current.version
      continue
    }
    plan.changes = diffElements(currentElements, elements, { departmentName })
    if (found.open) {
      const state = found.open.state === 'draft' ? '草稿' : '待审核'
      report([
        {
          field: 'catalogCode',
          message: `该事项已有一个未发布的第 ${found.open.version} 版（${state}），一个事项同一时间只能有一个未发布的版本；请先在「事项管理」中处理它`,
        },
      ])
      continue
    }
    const exported = readInteger(c.taskVersion ?? '')
    if (current && typeof exported === 'number' && exported < current.version) {
      report([
        {
          field: 'taskVersion',
          message: `导出后该事项已发布了第 ${current.version} 版，请重新导出后再修改，以免覆盖新的内容`,
        },
      ])
      continue
    }
    plan.outcome = 'update'
    plan.version = Math.max(...found.versions.map((x) => x.version)) + 1
  }

  const counts: Record<ImportOutcome, number> = { create: 0, update: 0, unchanged: 0, problem: 0 }
  for (const item of items) counts[item.outcome]++
  return { items, problems, counts }
}

/**
 * Imports a workbook: plans it again (the catalog may have changed since the report) and, when
 * there is no problem at all, writes every new and changed item in one transaction.
 */
export async function applyImport(
  deps: Deps,
  principal: Principal,
  buffer: Buffer,
  sha256: string,
): Promise<{ plan: ImportPlan; written: boolean; created: number; updated: number }> {
  const plan = await planImport(deps, principal, buffer)
  if (plan.problems.length > 0) return { plan, written: false, created: 0, updated: 0 }
  const changes: ImportChange[] = plan.items
    .filter((i) => (i.outcome === 'create' || i.outcome === 'update') && i.input)
    .map((i) => ({
      kind: i.outcome === 'create' ? 'create' : 'update',
      elements: i.input!,
      changeNote: i.changeNote || (i.outcome === 'create' ? '通过 Excel 导入新建' : '通过 Excel 导入修改'),
    }))
  if (changes.length === 0) return { plan, written: false, created: 0, updated: 0 }
  try {
    const result = await importItemChanges(deps, principal, changes, { sha256 })
    return { plan, written: true, ...result }
  } catch (error) {
    if (!(error instanceof DomainError) || !['invalid', 'conflict', 'forbidden'].includes(error.kind)) throw error
    plan.problems.push({ sheet: SHEETS.items, row: null, itemName: '', field: '', message: error.message })
    return { plan, written: false, created: 0, updated: 0 }
  }
}

// ---------------------------------------------------------------------------------------------
// The uploaded file between the report and the confirmation

/**
 * A ticket naming the uploaded workbook (kept in the file store by sha256) for the one staff
 * member who uploaded it, so that 「确认导入」 cannot be pointed at another file.
 */
export class ImportTickets {
  private readonly key: Buffer

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('yiwang catalog import ticket').digest()
  }

  private mac(staffId: string, sha256: string): string {
    return createHmac('sha256', this.key).update(`${staffId}\n${sha256}`).digest('base64url')
  }

  issue(staffId: string, sha256: string): string {
    return `${sha256}.${this.mac(staffId, sha256)}`
  }

  /** The sha256 of the ticket's file, or undefined when the ticket is not this person's. */
  read(staffId: string, ticket: string): string | undefined {
    const [sha256, mac] = ticket.split('.')
    if (!sha256 || !mac || !/^[0-9a-f]{64}$/.test(sha256)) return undefined
    const expected = Buffer.from(this.mac(staffId, sha256))
    const given = Buffer.from(mac)
    return expected.length === given.length && timingSafeEqual(expected, given) ? sha256 : undefined
  }
}
