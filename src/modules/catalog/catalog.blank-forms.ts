/**
 * Blank application forms (空白表格) of service items as printable .xlsx files: an A4 sheet with
 * the title, labelled empty cells with borders, the applicant's declaration and signature lines,
 * fitted to one page wide. A form is plain data (BlankFormSpec) so that it can be reviewed and
 * edited like the rest of the catalog; renderBlankForm turns it into the file a guide links to.
 */
import ExcelJS from 'exceljs'

export interface BlankFormField {
  label: string
  /** A short note printed under the label (e.g. 「按营业执照填写」). */
  hint?: string
  /** Takes the whole row (addresses, business scope, reasons). */
  wide?: boolean
}

export interface BlankFormSection {
  heading: string
  fields: BlankFormField[]
}

export interface BlankFormSpec {
  title: string
  sections: BlankFormSection[]
  /** The applicant's declaration (申请人声明), printed above the signature lines. */
  declaration?: string
}

/** Four columns: label | value | label | value; a wide field's value spans the last three. */
const COLUMN_WIDTHS = [18, 27, 18, 27]
const LAST_COLUMN = COLUMN_WIDTHS.length
const FONT = '宋体'
const THIN = { style: 'thin' as const, color: { argb: 'FF000000' } }
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN }
/** Fixed workbook dates keep the output stable for the same spec (files are stored by hash). */
const FIXED_DATE = new Date(Date.UTC(2026, 0, 1))

const DEFAULT_DECLARATION =
  '本人（单位）郑重承诺：所填写的内容和提交的材料真实、准确、完整、有效，复印件与原件一致；如有虚假，愿意承担相应的法律责任。'

function labelValue(field: BlankFormField): ExcelJS.CellValue {
  if (!field.hint) return field.label
  return {
    richText: [
      { text: field.label, font: { name: FONT, size: 10.5, bold: true } },
      { text: `\n${field.hint}`, font: { name: FONT, size: 8, color: { argb: 'FF595959' } } },
    ],
  }
}

function styleLabel(cell: ExcelJS.Cell): void {
  cell.font = { name: FONT, size: 10.5, bold: true }
  cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true }
  cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } }
  cell.border = BORDER
}

function styleValue(cell: ExcelJS.Cell): void {
  cell.font = { name: FONT, size: 10.5 }
  cell.alignment = { vertical: 'top', horizontal: 'left', wrapText: true }
  cell.border = BORDER
}

/** Borders every cell of a merged range (Excel draws a merged cell's border from its parts). */
function borderRange(ws: ExcelJS.Worksheet, row: number, from: number, to: number): void {
  for (let col = from; col <= to; col++) ws.getCell(row, col).border = BORDER
}

/**
 * Renders a blank form as an .xlsx file (one worksheet, A4 portrait, one page wide). The cells
 * are left unprotected so that applicants may also fill the form in on a computer.
 */
export async function renderBlankForm(spec: BlankFormSpec): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = '潮安区一网通办'
  wb.created = FIXED_DATE
  wb.modified = FIXED_DATE
  const ws = wb.addWorksheet('申请表', {
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'portrait',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.6, right: 0.6, top: 0.7, bottom: 0.7, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: '&C第 &P 页，共 &N 页' },
    views: [{ showGridLines: false }],
  })
  ws.columns = COLUMN_WIDTHS.map((width) => ({ width }))

  // Title
  let row = 1
  ws.mergeCells(row, 1, row, LAST_COLUMN)
  const title = ws.getCell(row, 1)
  title.value = spec.title
  title.font = { name: FONT, size: 18, bold: true }
  title.alignment = { vertical: 'middle', horizontal: 'center' }
  ws.getRow(row).height = 36
  row++

  // Office use line (编号 / 收件日期): filled in by the window.
  ws.mergeCells(row, 1, row, LAST_COLUMN)
  const office = ws.getCell(row, 1)
  office.value = '受理编号：__________________　　　　收件日期：______年____月____日'
  office.font = { name: FONT, size: 9 }
  office.alignment = { vertical: 'middle', horizontal: 'right' }
  ws.getRow(row).height = 20
  row++

  for (const section of spec.sections) {
    ws.mergeCells(row, 1, row, LAST_COLUMN)
    const heading = ws.getCell(row, 1)
    heading.value = section.heading
    heading.font = { name: FONT, size: 11, bold: true }
    heading.alignment = { vertical: 'middle', horizontal: 'left', indent: 1 }
    heading.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } }
    borderRange(ws, row, 1, LAST_COLUMN)
    ws.getRow(row).height = 22
    row++

    // Pair narrow fields two to a row; a wide field takes a row of its own.
    let pending: BlankFormField | undefined
    const flushPair = (left: BlankFormField, right?: BlankFormField) => {
      ws.getCell(row, 1).value = labelValue(left)
      styleLabel(ws.getCell(row, 1))
      styleValue(ws.getCell(row, 2))
      if (right) {
        ws.getCell(row, 3).value = labelValue(right)
        styleLabel(ws.getCell(row, 3))
        styleValue(ws.getCell(row, 4))
      } else {
        ws.mergeCells(row, 2, row, LAST_COLUMN)
        borderRange(ws, row, 2, LAST_COLUMN)
      }
      ws.getRow(row).height = left.hint || right?.hint ? 34 : 26
      row++
    }
    for (const field of section.fields) {
      if (field.wide) {
        if (pending) {
          flushPair(pending)
          pending = undefined
        }
        ws.getCell(row, 1).value = labelValue(field)
        styleLabel(ws.getCell(row, 1))
        ws.mergeCells(row, 2, row, LAST_COLUMN)
        styleValue(ws.getCell(row, 2))
        borderRange(ws, row, 2, LAST_COLUMN)
        ws.getRow(row).height = 48
        row++
      } else if (pending) {
        flushPair(pending, field)
        pending = undefined
      } else {
        pending = field
      }
    }
    if (pending) flushPair(pending)
  }

  // Declaration and signature lines
  ws.mergeCells(row, 1, row, LAST_COLUMN)
  const declaration = ws.getCell(row, 1)
  declaration.value = `申请人声明：${spec.declaration ?? DEFAULT_DECLARATION}`
  declaration.font = { name: FONT, size: 10.5 }
  declaration.alignment = { vertical: 'top', horizontal: 'left', wrapText: true }
  borderRange(ws, row, 1, LAST_COLUMN)
  ws.getRow(row).height = 54
  row++

  ws.mergeCells(row, 1, row, 2)
  ws.getCell(row, 1).value = '申请人（签名/盖章）：'
  ws.mergeCells(row, 3, row, LAST_COLUMN)
  ws.getCell(row, 3).value = '日期：　　　　年　　月　　日'
  for (const col of [1, 3]) {
    const cell = ws.getCell(row, col)
    cell.font = { name: FONT, size: 10.5 }
    cell.alignment = { vertical: 'bottom', horizontal: 'left', indent: 1 }
  }
  borderRange(ws, row, 1, LAST_COLUMN)
  ws.getRow(row).height = 40
  row++

  ws.mergeCells(row, 1, row, 2)
  ws.getCell(row, 1).value = '代理人（签名）：'
  ws.mergeCells(row, 3, row, LAST_COLUMN)
  ws.getCell(row, 3).value = '日期：　　　　年　　月　　日'
  for (const col of [1, 3]) {
    const cell = ws.getCell(row, col)
    cell.font = { name: FONT, size: 10.5 }
    cell.alignment = { vertical: 'bottom', horizontal: 'left', indent: 1 }
  }
  borderRange(ws, row, 1, LAST_COLUMN)
  ws.getRow(row).height = 32
  row++

  ws.mergeCells(row, 1, row, LAST_COLUMN)
  const note = ws.getCell(row, 1)
  note.value = '填表说明：请用黑色钢笔或签字笔填写，字迹清楚；不适用的栏目填“无”；本表可在“一网通办”网上填写后打印。'
  note.font = { name: FONT, size: 9, color: { argb: 'FF595959' } }
  note.alignment = { vertical: 'top', horizontal: 'left', wrapText: true }
  ws.getRow(row).height = 30

  ws.pageSetup.printArea = `A1:D${row}`
  const data = await wb.xlsx.writeBuffer()
  return Buffer.from(data)
}
