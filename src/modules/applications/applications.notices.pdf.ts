/**
 * Notices (受理通知书, 不予受理通知书, 补正材料通知书, 特别程序告知书, 延期通知书, 决定书) as PDF:
 * A4, the notice number, the applicant, the body, every correction problem numbered, the issuing
 * department with its seal image, and the date in Chinese.
 */
import { chineseDate, drawSeal, newDocument, toBuffer } from '../../platform/pdf/pdf.js'
import type { CorrectionProblem, NoticeContent } from './applications.service.js'
import type { NoticeTable } from './applications.tables.js'

export async function renderNoticePdf(
  notice: Pick<NoticeTable, 'number' | 'title'>,
  content: NoticeContent,
): Promise<Buffer> {
  const doc = newDocument({ title: `${content.title} ${notice.number}`, author: content.departmentName })
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right
  doc.font('cn-bold').fontSize(22).text(content.departmentName, { align: 'center' })
  doc.moveDown(0.3).fontSize(24).text(content.title, { align: 'center', characterSpacing: 4 })
  doc.moveDown(0.4).font('cn').fontSize(11).text(notice.number, { align: 'center' })
  doc.moveDown(1.2).fontSize(14).text(`${content.applicantName}：`)
  doc.moveDown(0.4).fontSize(12)
  doc.text(`办件编号：${content.applicationNo}　　申请事项：${content.itemName}`, { width })
  doc.moveDown(0.6)
  for (const paragraph of content.paragraphs) {
    doc.fontSize(13).text(paragraph, { width, indent: 26, lineGap: 6, align: 'justify' })
    doc.moveDown(0.5)
  }
  const problems: CorrectionProblem[] = content.problems ?? []
  if (problems.length > 0) {
    doc.moveDown(0.2).font('cn-bold').fontSize(13).text('需要补正的内容：')
    doc.font('cn')
    problems.forEach((p, i) => {
      const what = p.target === 'material' ? '材料' : '填写内容'
      doc.fontSize(12).text(`${i + 1}. 【${what}】${p.message}`, { width, indent: 12, lineGap: 4 })
    })
    doc.moveDown(0.5)
  }
  // Signature block at the lower right, with the seal over the name and date.
  const blockX = doc.page.margins.left + width - 230
  const y = Math.max(doc.y + 40, doc.page.height - doc.page.margins.bottom - 160)
  doc.fontSize(13).text(content.departmentName, blockX, y, { width: 230, align: 'center' })
  doc.text(chineseDate(content.issuedOn), blockX, y + 26, { width: 230, align: 'center' })
  drawSeal(doc, blockX + 115, y + 20, content.departmentName)
  doc
    .fontSize(9)
    .fillColor('#505a5f')
    .text(
      '本文书由潮安区网上办事大厅生成，可在「我的办件」中查看和下载。',
      doc.page.margins.left,
      doc.page.height - doc.page.margins.bottom + 20,
      {
        width,
        align: 'center',
      },
    )
  return toBuffer(doc)
}
