/**
 * The license face as a PDF (A4): the same card as the page (licenses.face.tsx) — title, holder,
 * fields, validity, issuer with the seal image (drawSeal), identifier, issue date — with the QR
 * code drawn as vector squares (so it scans at any zoom) and the trust-grade watermark set
 * diagonally across the page. Noto Sans SC is embedded as a subset of the characters used.
 *
 * The QR code holds the signed payload (YWL1.…): the PDF is the holder's copy. The PDF itself is
 * not signed (no PAdES/OFD seal yet); its authenticity is the payload's SM2 signature.
 */
import QRCode from 'qrcode'
import { chineseDate, drawSeal, newDocument, toBuffer } from '../../platform/pdf/pdf.js'
import { type FaceModel, TRUST_GRADE_LABELS, validityText } from './licenses.face.js'
import { WALLET_STATE_LABELS } from './licenses.wallet.js'

const THEME_COLOURS: Record<FaceModel['template']['theme'], string> = {
  red: '#9f1c1c',
  green: '#1d6b3a',
  blue: '#1d4f91',
  brown: '#7a4a1d',
  purple: '#5b2a86',
}

/** Draws a QR code of `text` as filled squares with its top-left corner at (x, y), `size` wide. */
export function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const n = qr.modules.size
  const quiet = 2
  const cell = size / (n + quiet * 2)
  doc.save()
  doc.rect(x, y, size, size).fill('#ffffff')
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (qr.modules.get(row, col)) doc.rect(x + (col + quiet) * cell, y + (row + quiet) * cell, cell, cell)
    }
  }
  doc.fill('#000000')
  doc.restore()
}

/** The watermark lines repeated diagonally over the whole page, light enough to read through. */
function drawWatermark(doc: PDFKit.PDFDocument, lines: string[]): void {
  const { width, height } = doc.page
  doc.save()
  doc.fillColor('#9f1c1c').opacity(0.1).font('cn').fontSize(13)
  doc.rotate(-30, { origin: [width / 2, height / 2] })
  let i = 0
  for (let y = -height * 0.4; y < height * 1.4; y += 70) {
    const line = lines[i++ % lines.length]!
    doc.text(`${line}　　${line}`, -width * 0.3, y, { lineBreak: false })
  }
  doc.restore()
  doc.opacity(1).fillColor('black')
}

export async function renderLicensePdf(face: FaceModel, payload: string, verifyUrl: string): Promise<Buffer> {
  const doc = newDocument({
    title: `${face.typeName}（电子证照）${face.identifier}`,
    author: face.issuerName,
    subject: `${face.typeName} ${face.holder.name}`,
  })
  const colour = THEME_COLOURS[face.template.theme]
  const left = 56
  const top = 56
  const width = doc.page.width - left * 2
  const height = doc.page.height - top * 2

  drawWatermark(doc, face.watermark)

  // The card's double frame.
  doc.save().lineWidth(2.5).strokeColor(colour).rect(left, top, width, height).stroke()
  doc
    .lineWidth(0.8)
    .rect(left + 6, top + 6, width - 12, height - 12)
    .stroke()
    .restore()

  let y = top + 30
  if (face.template.header) {
    doc.font('cn').fontSize(12).fillColor(colour).text(face.template.header, left, y, { width, align: 'center' })
    y += 22
  }
  doc
    .font('cn-bold')
    .fontSize(30)
    .fillColor(colour)
    .text(face.typeName, left, y, { width, align: 'center', characterSpacing: 6 })
  y += 44
  doc
    .font('cn')
    .fontSize(11)
    .fillColor('#505a5f')
    .text(`电子证照${face.version > 1 ? `（第 ${face.version} 版）` : ''}`, left, y, { width, align: 'center' })
  y += 30
  if (face.walletState !== 'valid' && face.walletState !== 'expiring') {
    doc
      .font('cn-bold')
      .fontSize(16)
      .fillColor('#b3261e')
      .text(`【${WALLET_STATE_LABELS[face.walletState]}】`, left, y, { width, align: 'center' })
    y += 28
  }

  // Fields on the left, the QR code on the right.
  const qrSize = 150
  const qrX = left + width - qrSize - 24
  drawQr(doc, payload, qrX, y, qrSize)
  doc
    .font('cn')
    .fontSize(8)
    .fillColor('#505a5f')
    .text('扫码核验：内含带电子签名的证照信息', qrX - 10, y + qrSize + 6, { width: qrSize + 20, align: 'center' })

  const labelX = left + 28
  const labelWidth = 110
  const valueX = labelX + labelWidth + 8
  const valueWidth = qrX - valueX - 20
  const rows: [string, string][] = [
    [face.holder.nameLabel, face.holder.name],
    [face.holder.keyLabel, face.holder.key],
    ...face.fields.map((f): [string, string] => [f.label, f.value]),
    ['有效期', validityText(face.validFrom, face.validTo)],
  ]
  for (const [label, value] of rows) {
    doc.font('cn').fontSize(10.5).fillColor('#505a5f').text(label, labelX, y, { width: labelWidth })
    doc.font('cn').fontSize(12).fillColor('#1b1b1b').text(value, valueX, y, { width: valueWidth, lineGap: 2 })
    y = Math.max(doc.y, y + 16) + 10
  }

  // Issuer, date and identifier at the foot, the seal over the issuer's name.
  const footY = Math.max(y + 30, top + height - 190)
  doc.font('cn').fontSize(11).fillColor('#505a5f').text('颁发机构', labelX, footY)
  doc
    .fontSize(13)
    .fillColor('#1b1b1b')
    .text(face.issuerName, valueX, footY - 1, { width: 260 })
  doc
    .fontSize(11)
    .fillColor('#505a5f')
    .text('签发日期', labelX, footY + 26)
  doc
    .fontSize(13)
    .fillColor('#1b1b1b')
    .text(chineseDate(face.issuedOn), valueX, footY + 25)
  doc
    .fontSize(11)
    .fillColor('#505a5f')
    .text('电子证照标识', labelX, footY + 52)
  doc
    .fontSize(9)
    .fillColor('#1b1b1b')
    .text(face.identifier, valueX, footY + 54, { width: width - valueX + left - 28 })
  drawSeal(doc, valueX + 200, footY + 30, face.issuerName, 52)

  doc
    .font('cn')
    .fontSize(9)
    .fillColor('#00703c')
    .text(`可信等级 ${TRUST_GRADE_LABELS[face.trustGrade]}：${face.watermark.join('；')}`, labelX, top + height - 70, {
      width: width - 56,
    })
  doc
    .fontSize(8)
    .fillColor('#505a5f')
    .text(
      `本文件由潮安区一体化网上政务服务平台生成。证照真伪以二维码中的电子签名为准；是否已注销请在线核验：${verifyUrl}`,
      labelX,
      top + height - 46,
      { width: width - 56 },
    )
  return toBuffer(doc)
}
