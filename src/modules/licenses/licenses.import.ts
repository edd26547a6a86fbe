/**
 * Import of existing licenses (存量证照导入) from a spreadsheet (.xlsx, or .csv in UTF-8 or GB18030)
 * for one license type, by staff of the issuing department with licenses.issue.
 *
 * Policy — check everything first, then import everything in one transaction, or nothing:
 * 1. check: every row is read and checked (holder registered on the platform and named as
 *    registered, the type's fields, dates, no duplicate in the file or in the library). The job is
 *    stored as `checked` (every row passed) or `rejected` (the per-row report lists every problem;
 *    a rejected job can never run — fix the file and upload it again).
 * 2. confirm (确认导入): `checked` → `queued`.
 * 3. run: a worker claims the job (`running`, with a lease), signs and stores every row in ONE
 *    transaction, and marks the job `done` in the same transaction. Any error (a seal key retired
 *    meanwhile, a holder gone, the database) rolls the whole import back: the job is `failed` with
 *    the reason and not one license of it exists. A node that dies mid-run leaves the lease to
 *    expire; the sweep runs the job again from the start (its transaction never committed).
 *
 * Progress: the check writes nothing until it is done; while the import runs, the rows done so far
 * are counted in the memory of the process running it (its transaction is not visible to others
 * until it commits), and the status endpoint of that process reports them. Another node, or
 * SQLite (one connection, busy with the transaction), reports 「正在导入」 without a count until
 * the job is done.
 */
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import ExcelJS from 'exceljs'
import { appendAudit, auditActorOf, systemActor } from '../../platform/audit/audit.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { todayInShanghai } from '../../platform/calendar/index.js'
import { transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import { validateCitizenId, validateCreditCode } from '../../platform/validators/index.js'
import {
  enterpriseByCreditCode,
  findDepartmentInfo,
  personByIdNumberIndex,
  sameDepartmentOrParent,
} from '../identity/index.js'
import { checkLicenseData, isDay } from './licenses.fields.js'
import type { RequestContext } from './licenses.keys.js'
import { listLicenseTypes } from './licenses.repository.js'
import {
  getLicenseType,
  issueLicenseIn,
  LICENSES_ISSUE,
  type LicenseHolderRef,
  type LicenseTypeView,
  licenseTypeView,
  listHolderLicenses,
  validToFor,
} from './licenses.service.js'
import type { ImportJobState, LicenseImportJobTable } from './licenses.tables.js'

export const IMPORT_MAX_BYTES = 10 * 1024 * 1024
export const IMPORT_MAX_ROWS = 5000
/** How long a worker may hold a running job before another may take it over. */
const LEASE_MS = 15 * 60_000

export const IMPORT_STATE_LABELS: Record<ImportJobState, string> = {
  checked: '检查通过，待确认',
  rejected: '检查未通过',
  queued: '排队中',
  running: '正在导入',
  done: '已完成',
  failed: '导入失败（未导入任何证照）',
}

export interface ImportColumn {
  key: string
  label: string
  required: boolean
  hint: string
}

export interface ImportProblem {
  /** The spreadsheet's row number (1 is the header); 0 for the file as a whole. */
  row: number
  /** The column's label, or '' for the whole row. */
  column: string
  message: string
}

/** A checked row, ready to issue. */
interface CheckedRow {
  row: number
  holder: LicenseHolderRef
  data: Record<string, string>
  validFrom: string
  validTo: string | null
}

export interface ImportJobView {
  id: string
  typeCode: string
  typeName: string
  fileName: string
  state: ImportJobState
  stateLabel: string
  totalRows: number
  processedRows: number
  importedRows: number
  problems: ImportProblem[]
  error: string | null
  createdAt: string
  finishedAt: string | null
  /** 0–100, for the progress bar. */
  percent: number
}

const LONG_TERM = new Set(['长期', '长期有效', '永久'])

// ----- columns and template -----------------------------------------------------------------------

/** The columns of the import file of a type: the holder, the type's fields, the validity. */
export function importColumns(type: LicenseTypeView): ImportColumn[] {
  const person = type.holderKind === 'person'
  return [
    {
      key: 'holder_key',
      label: person ? '持证人公民身份号码' : '持证主体统一社会信用代码',
      required: true,
      hint: person ? '18 位，须已在本平台实名注册' : '18 位，企业须已在本平台登记',
    },
    {
      key: 'holder_name',
      label: person ? '持证人姓名' : '持证主体名称',
      required: true,
      hint: '须与平台登记的一致',
    },
    ...type.fields.map((f) => ({
      key: f.key,
      label: f.label,
      required: f.required && !f.generated,
      hint: f.generated
        ? '原证照编号；留空则按本平台规则编号'
        : f.type === 'date'
          ? '日期，如 2024-03-05'
          : f.required
            ? '必填'
            : '选填',
    })),
    {
      key: 'valid_from',
      label: '有效期起始日期',
      required: true,
      hint: '日期，如 2024-03-05（原证照的发证或生效日期）',
    },
    {
      key: 'valid_to',
      label: '有效期截止日期',
      required: false,
      hint: `最后一个有效日；留空按类型规定${type.validityYears ? `（${type.validityYears} 年）` : '（长期）'}；长期有效填「长期」`,
    },
  ]
}

/** A blank workbook with the type's columns (row 1) and what each takes (row 2, a note). */
export async function importTemplate(type: LicenseTypeView): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = '潮安区一体化网上政务服务平台'
  const ws = wb.addWorksheet(type.name.slice(0, 31))
  const columns = importColumns(type)
  ws.columns = columns.map((c) => ({ header: c.label, key: c.key, width: Math.max(16, c.label.length * 2 + 4) }))
  ws.getRow(1).font = { bold: true }
  columns.forEach((c, i) => {
    ws.getRow(1).getCell(i + 1).note = `${c.required ? '必填' : '选填'}：${c.hint}`
  })
  // Text columns: Excel must not turn 18-digit numbers into 4.45103E+17.
  for (let i = 1; i <= columns.length; i++) ws.getColumn(i).numFmt = '@'
  return Buffer.from(await wb.xlsx.writeBuffer())
}

// ----- reading the file ---------------------------------------------------------------------------

interface Sheet {
  header: string[]
  rows: { row: number; cells: string[] }[]
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (typeof value === 'boolean') return value ? '是' : '否'
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'object' && 'richText' in value) return value.richText.map((r) => r.text).join('')
  if (typeof value === 'object' && 'hyperlink' in value) return String(value.text ?? '')
  if (typeof value === 'object' && 'result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue)
  return ''
}

const unreadable = (what: string) =>
  new DomainError('LICENSE_IMPORT_UNREADABLE', 'invalid', `无法读取文件：${what}。请使用导入模板（.xlsx）或 CSV 文件。`)

async function readXlsx(buffer: Buffer): Promise<Sheet> {
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer)
  } catch {
    throw unreadable('不是有效的 Excel 文件')
  }
  const ws = wb.worksheets[0]
  if (!ws) throw unreadable('文件中没有工作表')
  const header: string[] = []
  ws.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => {
    header[col - 1] = cellText(cell.value).trim()
  })
  const rows: Sheet['rows'] = []
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1) return
    const cells = header.map((_, i) => cellText(row.getCell(i + 1).value))
    rows.push({ row: rowNumber, cells })
  })
  return { header, rows }
}

/** UTF-8 (with or without BOM); otherwise GB18030, as Excel for Chinese Windows saves CSV. */
function decodeCsv(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buffer)
  } catch {
    return new TextDecoder('gb18030').decode(buffer)
  }
}

/** RFC 4180: commas, double quotes ("" inside quotes), CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const out: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') {
        quoted = false
      } else {
        cell += c
      }
    } else if (c === '"' && cell === '') {
      quoted = true
    } else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(cell)
      out.push(row)
      row = []
      cell = ''
    } else {
      cell += c
    }
  }
  if (quoted) throw unreadable('CSV 文件中有未闭合的引号')
  if (cell !== '' || row.length > 0) {
    row.push(cell)
    out.push(row)
  }
  return out
}

function readCsv(buffer: Buffer): Sheet {
  const lines = parseCsv(decodeCsv(buffer))
  const [head, ...rest] = lines
  if (!head) throw unreadable('文件是空的')
  return {
    header: head.map((h) => h.trim()),
    rows: rest.map((cells, i) => ({ row: i + 2, cells })).filter((r) => r.cells.some((c) => c.trim() !== '')),
  }
}

export async function readSpreadsheet(buffer: Buffer): Promise<Sheet> {
  if (buffer.length === 0) throw unreadable('文件是空的')
  // .xlsx is a ZIP archive.
  const isZip = buffer.length > 4 && buffer.readUInt32LE(0) === 0x04034b50
  return isZip ? readXlsx(buffer) : readCsv(buffer)
}

// ----- checking -------------------------------------------------------------------------------------

/** 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, Excel serial 45356 → 2024-03-05; else undefined. */
export function dayOf(raw: string): string | undefined {
  const s = raw.normalize('NFKC').trim()
  // Excel's serial day number (days since 1899-12-30), as a date typed into a text column reads.
  if (/^\d{5}$/.test(s) && Number(s) > 3000 && Number(s) < 80000) {
    return new Date(Date.UTC(1899, 11, 30) + Number(s) * 86_400_000).toISOString().slice(0, 10)
  }
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(s)
  if (!m) return undefined
  const day = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`
  return isDay(day) ? day : undefined
}

async function staffDepartmentCheck(deps: Deps, principal: Principal, departmentId: string | null) {
  const department = departmentId ? await findDepartmentInfo(deps.db, departmentId) : undefined
  if (
    !principal.staffId ||
    !principal.permissions.has(LICENSES_ISSUE) ||
    !sameDepartmentOrParent(principal, department)
  ) {
    throw new DomainError(
      'LICENSE_ISSUE_FORBIDDEN',
      'forbidden',
      '只有颁发部门中具有“签发电子证照”权限的工作人员才能导入这类证照。',
    )
  }
  return department!
}

/** The license types a member of staff may import (their department's, issued here). */
export async function importableTypes(deps: Deps, principal: Principal): Promise<LicenseTypeView[]> {
  if (!principal.staffId || !principal.permissions.has(LICENSES_ISSUE)) return []
  const out: LicenseTypeView[] = []
  for (const row of await listLicenseTypes(deps.db)) {
    const type = licenseTypeView(row)
    if (!type.issuedHere) continue
    const department = await findDepartmentInfo(deps.db, type.issuingDepartmentId!)
    if (sameDepartmentOrParent(principal, department)) out.push(type)
  }
  return out
}

/**
 * Reads and checks a file, and stores the job (checked or rejected) with every problem found.
 * @throws LICENSE_ISSUE_FORBIDDEN; LICENSE_TYPE_NOT_FOUND; LICENSE_IMPORT_UNREADABLE (not a
 *   spreadsheet at all)
 */
export async function checkImport(
  deps: Deps,
  principal: Principal,
  typeCode: string,
  file: { buffer: Buffer; fileName: string },
  ctx: RequestContext = {},
): Promise<ImportJobView> {
  const type = await getLicenseType(deps, typeCode)
  if (!type.issuedHere)
    throw new DomainError('LICENSE_TYPE_NOT_ISSUED_HERE', 'conflict', `「${type.name}」不由本平台签发，不能导入。`)
  const department = await staffDepartmentCheck(deps, principal, type.issuingDepartmentId)
  const sheet = await readSpreadsheet(file.buffer)
  const columns = importColumns(type)
  const problems: ImportProblem[] = []
  const at = new Map<string, number>()
  sheet.header.forEach((h, i) => {
    const col = columns.find((c) => c.label === h || c.key === h)
    if (col && !at.has(col.key)) at.set(col.key, i)
  })
  const missing = columns.filter((c) => c.required && !at.has(c.key)).map((c) => c.label)
  if (missing.length > 0) {
    problems.push({ row: 1, column: '', message: `表头缺少以下列：${missing.join('、')}。请使用导入模板。` })
  }
  if (sheet.rows.length === 0) problems.push({ row: 0, column: '', message: '文件中没有数据行' })
  if (sheet.rows.length > IMPORT_MAX_ROWS) {
    problems.push({
      row: 0,
      column: '',
      message: `一次最多导入 ${IMPORT_MAX_ROWS} 行，本文件有 ${sheet.rows.length} 行，请拆分`,
    })
  }
  const rows: CheckedRow[] = []
  if (problems.length === 0) {
    const today = todayInShanghai(deps.clock.now())
    const seen = new Map<string, number>()
    for (const r of sheet.rows) {
      const cell = (key: string) => {
        const i = at.get(key)
        return i === undefined ? '' : (r.cells[i] ?? '').normalize('NFC').trim()
      }
      const label = (key: string) => columns.find((c) => c.key === key)?.label ?? key
      const before = problems.length
      const add = (key: string, message: string) =>
        problems.push({ row: r.row, column: key ? label(key) : '', message })

      // The holder.
      let holder: LicenseHolderRef | undefined
      const key = cell('holder_key').toUpperCase()
      const name = cell('holder_name')
      if (type.holderKind === 'person') {
        const id = validateCitizenId(key)
        if (!id.ok) add('holder_key', id.message)
        else {
          const person = await personByIdNumberIndex(deps.db, deps.fieldCrypto.blindIndex(id.value))
          if (!person) add('holder_key', '该公民身份号码的持证人尚未在本平台实名注册')
          else if (person.name !== name) add('holder_name', `姓名与平台实名信息不一致`)
          else holder = { personId: person.id }
        }
      } else {
        const code = validateCreditCode(key)
        if (!code.ok && !code.overridable) add('holder_key', code.message)
        else {
          const enterprise = await enterpriseByCreditCode(deps.db, code.value)
          if (!enterprise) add('holder_key', '该统一社会信用代码的企业尚未在本平台登记')
          else if (enterprise.name !== name) add('holder_name', `名称与平台登记的「${enterprise.name}」不一致`)
          else holder = { enterpriseId: enterprise.id }
        }
      }
      if (!name) add('holder_name', '请填写')

      // The fields.
      const input: Record<string, string> = {}
      for (const f of type.fields) {
        let value = cell(f.key)
        if (f.type === 'date' && value) value = dayOf(value) ?? value
        if (value) input[f.key] = value
      }
      const checked = checkLicenseData(type.fields, input)
      for (const p of checked.problems) add(p.field.replace(/^data\./, ''), p.message)

      // The validity.
      const validFrom = dayOf(cell('valid_from'))
      if (!cell('valid_from')) add('valid_from', '请填写')
      else if (!validFrom) add('valid_from', '应为日期，如 2024-03-05')
      else if (validFrom > today) add('valid_from', '不能晚于今天')
      const rawTo = cell('valid_to')
      let validTo: string | null = null
      if (LONG_TERM.has(rawTo)) validTo = null
      else if (rawTo) {
        const d = dayOf(rawTo)
        if (!d) add('valid_to', '应为日期，如 2029-03-04，或填「长期」')
        else if (validFrom && d < validFrom) add('valid_to', '不能早于有效期起始日期')
        else if (d < today) add('valid_to', '证照已过期，无需导入')
        else validTo = d
      } else if (validFrom) {
        validTo = validToFor(validFrom, type.validityYears)
        if (validTo && validTo < today) add('valid_to', `按 ${type.validityYears} 年有效期计算已过期，无需导入`)
      }

      if (problems.length > before || !holder || !validFrom) continue
      // Duplicates: in this file, and in the library.
      const fingerprint = JSON.stringify([holder, checked.data])
      const first = seen.get(fingerprint)
      if (first) {
        add('', `与第 ${first} 行重复`)
        continue
      }
      seen.set(fingerprint, r.row)
      const held = await listHolderLicenses(deps, holder)
      const same = held.find(
        (l) =>
          l.typeCode === type.code &&
          l.status === 'active' &&
          Object.entries(checked.data).every(([k, v]) => l.data[k] === v),
      )
      if (same) {
        add('', `电子证照库中已有这份证照（${same.identifier}）`)
        continue
      }
      rows.push({ row: r.row, holder, data: checked.data, validFrom, validTo })
    }
  }
  const now = deps.clock.now().toISOString()
  const job: LicenseImportJobTable = {
    id: newId(),
    licenseType: type.code,
    departmentId: department.id,
    createdByStaffId: principal.staffId!,
    fileName: file.fileName.slice(0, 200),
    state: problems.length > 0 ? 'rejected' : 'checked',
    totalRows: sheet.rows.length,
    processedRows: 0,
    importedRows: 0,
    rows: problems.length > 0 ? '[]' : JSON.stringify(rows),
    problems: JSON.stringify(problems.slice(0, 10_000)),
    error: null,
    confirmedByStaffId: null,
    claimedBy: null,
    claimedUntil: null,
    createdAt: now,
    confirmedAt: null,
    startedAt: null,
    finishedAt: problems.length > 0 ? now : null,
    updatedAt: now,
  }
  await transaction(deps.db, async (trx) => {
    await trx.insertInto('licenseImportJobs').values(job).execute()
    await appendAudit(trx, {
      at: deps.clock.now(),
      actor: auditActorOf(actorOf(principal, 'window')),
      action: 'license.import_check',
      object: { type: 'license_import_job', id: job.id },
      details: {
        licenseType: type.code,
        fileName: job.fileName,
        rows: job.totalRows,
        problems: problems.length,
        state: job.state,
      },
      sourceIp: ctx.ip ?? null,
      requestId: ctx.requestId ?? null,
    })
  })
  return viewOf(job, type.name)
}

// ----- the job ----------------------------------------------------------------------------------------

/** Rows done so far by jobs running in this process (see the module comment). */
const progress = new Map<string, number>()

function viewOf(job: LicenseImportJobTable, typeName: string): ImportJobView {
  const processed = job.state === 'running' ? (progress.get(job.id) ?? job.processedRows) : job.processedRows
  const total = job.state === 'rejected' ? job.totalRows : (JSON.parse(job.rows) as unknown[]).length || job.totalRows
  return {
    id: job.id,
    typeCode: job.licenseType,
    typeName,
    fileName: job.fileName,
    state: job.state,
    stateLabel: IMPORT_STATE_LABELS[job.state],
    totalRows: job.totalRows,
    processedRows: processed,
    importedRows: job.importedRows,
    problems: JSON.parse(job.problems) as ImportProblem[],
    error: job.error,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    percent: job.state === 'done' ? 100 : total > 0 ? Math.min(99, Math.floor((processed / total) * 100)) : 0,
  }
}

const jobNotFound = () => new DomainError('LICENSE_IMPORT_NOT_FOUND', 'not_found', '找不到这次导入。')

async function loadJob(deps: Deps, principal: Principal, jobId: string) {
  const job = await deps.db.selectFrom('licenseImportJobs').selectAll().where('id', '=', jobId).executeTakeFirst()
  if (!job) throw jobNotFound()
  const department = await findDepartmentInfo(deps.db, job.departmentId)
  if (!principal.staffId || !sameDepartmentOrParent(principal, department)) throw jobNotFound()
  return job
}

/** A job of the staff member's department, with its progress. @throws LICENSE_IMPORT_NOT_FOUND */
export async function importJob(deps: Deps, principal: Principal, jobId: string): Promise<ImportJobView> {
  const job = await loadJob(deps, principal, jobId)
  const type = await getLicenseType(deps, job.licenseType)
  return viewOf(job, type.name)
}

/** The department's 20 latest jobs. */
export async function recentImportJobs(deps: Deps, principal: Principal): Promise<ImportJobView[]> {
  if (!principal.departmentId) return []
  const rows = await deps.db
    .selectFrom('licenseImportJobs')
    .selectAll()
    .where('departmentId', '=', principal.departmentId)
    .orderBy('createdAt', 'desc')
    .limit(20)
    .execute()
  const names = new Map<string, string>()
  for (const r of rows) {
    if (!names.has(r.licenseType)) names.set(r.licenseType, (await getLicenseType(deps, r.licenseType)).name)
  }
  return rows.map((r) => viewOf(r, names.get(r.licenseType) ?? r.licenseType))
}

/**
 * 确认导入: a checked job is queued for the worker.
 * @throws LICENSE_IMPORT_NOT_FOUND; LICENSE_ISSUE_FORBIDDEN; LICENSE_IMPORT_STATE (not checked)
 */
export async function confirmImport(
  deps: Deps,
  principal: Principal,
  jobId: string,
  ctx: RequestContext = {},
): Promise<void> {
  const job = await loadJob(deps, principal, jobId)
  await staffDepartmentCheck(deps, principal, job.departmentId)
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    const result = await trx
      .updateTable('licenseImportJobs')
      .set({
        state: 'queued',
        confirmedByStaffId: principal.staffId!,
        confirmedAt: now.toISOString(),
        updatedAt: now.toISOString(),
      })
      .where('id', '=', job.id)
      .where('state', '=', 'checked')
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) !== 1) {
      throw new DomainError(
        'LICENSE_IMPORT_STATE',
        'conflict',
        `这次导入当前为「${IMPORT_STATE_LABELS[job.state]}」，不能再确认。`,
      )
    }
    await appendAudit(trx, {
      at: now,
      actor: auditActorOf(actorOf(principal, 'window')),
      action: 'license.import_confirm',
      object: { type: 'license_import_job', id: job.id },
      details: { licenseType: job.licenseType, rows: (JSON.parse(job.rows) as unknown[]).length },
      sourceIp: ctx.ip ?? null,
      requestId: ctx.requestId ?? null,
    })
  })
}

export const WORKER_ID = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`

/**
 * Runs one job if it can be claimed (queued, or running with an expired lease): every row issued
 * in one transaction, the job marked done in it; on any error the job is marked failed with the
 * reason and nothing of it stays. Returns the job's final state, or undefined when not claimed.
 */
export async function runImportJob(
  deps: Deps,
  jobId: string,
  options: { workerId?: string; onRow?: (done: number) => void } = {},
): Promise<ImportJobState | undefined> {
  const workerId = options.workerId ?? WORKER_ID
  const start = deps.clock.now()
  const claim = await deps.db
    .updateTable('licenseImportJobs')
    .set({
      state: 'running',
      claimedBy: workerId,
      claimedUntil: new Date(start.getTime() + LEASE_MS).toISOString(),
      startedAt: start.toISOString(),
      updatedAt: start.toISOString(),
    })
    .where('id', '=', jobId)
    .where((eb) =>
      eb.or([
        eb('state', '=', 'queued'),
        eb.and([eb('state', '=', 'running'), eb('claimedUntil', '<', start.toISOString())]),
      ]),
    )
    .executeTakeFirst()
  if (Number(claim.numUpdatedRows) !== 1) return undefined
  const job = await deps.db
    .selectFrom('licenseImportJobs')
    .selectAll()
    .where('id', '=', jobId)
    .executeTakeFirstOrThrow()
  const rows = JSON.parse(job.rows) as CheckedRow[]
  progress.set(job.id, 0)
  try {
    await transaction(deps.db, async (trx) => {
      let done = 0
      for (const row of rows) {
        await issueLicenseIn(
          deps,
          trx,
          { system: 'licenses.import' },
          {
            typeCode: job.licenseType,
            holder: row.holder,
            data: row.data,
            validFrom: row.validFrom,
            validTo: row.validTo,
          },
        )
        done++
        progress.set(job.id, done)
        options.onRow?.(done)
        // Let the status requests of this process be answered between rows.
        if (done % 20 === 0) await new Promise((resolve) => setImmediate(resolve))
      }
      const now = deps.clock.now().toISOString()
      const finished = await trx
        .updateTable('licenseImportJobs')
        .set({ state: 'done', processedRows: done, importedRows: done, rows: '[]', finishedAt: now, updatedAt: now })
        .where('id', '=', job.id)
        .where('claimedBy', '=', workerId)
        .where('state', '=', 'running')
        .executeTakeFirst()
      // Another worker took the job over (our lease ran out): give way, keep nothing.
      if (Number(finished.numUpdatedRows) !== 1)
        throw new DomainError('LICENSE_IMPORT_LEASE', 'conflict', '导入超时，已由其他节点接手')
      await appendAudit(trx, {
        at: deps.clock.now(),
        actor: systemActor('licenses.import'),
        action: 'license.import',
        object: { type: 'license_import_job', id: job.id },
        details: { licenseType: job.licenseType, imported: done, confirmedBy: job.confirmedByStaffId },
      })
    })
    return 'done'
  } catch (error) {
    if (error instanceof DomainError && error.code === 'LICENSE_IMPORT_LEASE') return undefined
    const row = rows[progress.get(job.id) ?? 0]
    const reason = error instanceof DomainError ? error.message : '数据库或系统错误'
    const message = `${row ? `第 ${row.row} 行：` : ''}${reason}。本次导入已全部撤销，未导入任何证照。`
    const now = deps.clock.now()
    await transaction(deps.db, async (trx) => {
      await trx
        .updateTable('licenseImportJobs')
        .set({
          state: 'failed',
          error: message.slice(0, 1000),
          processedRows: 0,
          finishedAt: now.toISOString(),
          updatedAt: now.toISOString(),
        })
        .where('id', '=', job.id)
        .where('claimedBy', '=', workerId)
        .execute()
      await appendAudit(trx, {
        at: now,
        actor: systemActor('licenses.import'),
        action: 'license.import_fail',
        object: { type: 'license_import_job', id: job.id },
        details: { licenseType: job.licenseType, error: message.slice(0, 500) },
      })
    })
    return 'failed'
  } finally {
    progress.delete(job.id)
  }
}

/** The sweep: runs queued jobs, and jobs whose worker's lease ran out. */
export async function runPendingImports(deps: Deps): Promise<number> {
  const now = deps.clock.now().toISOString()
  const jobs = await deps.db
    .selectFrom('licenseImportJobs')
    .select('id')
    .where((eb) =>
      eb.or([eb('state', '=', 'queued'), eb.and([eb('state', '=', 'running'), eb('claimedUntil', '<', now)])]),
    )
    .orderBy('createdAt')
    .limit(5)
    .execute()
  let ran = 0
  for (const j of jobs) if (await runImportJob(deps, j.id)) ran++
  return ran
}

/** The problems as CSV (UTF-8 with BOM, so Excel opens it in Chinese). */
export function problemsCsv(job: ImportJobView): string {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`
  const lines = [['行号', '列', '问题'].map(quote).join(',')]
  for (const p of job.problems)
    lines.push([p.row === 0 ? '整个文件' : String(p.row), p.column, p.message].map(quote).join(','))
  return `\ufeff${lines.join('\r\n')}\r\n`
}
