/**
 * PDF documents with Chinese text (notices, license faces): pdfkit, with Noto Sans SC (SIL Open
 * Font License) embedded as a subset of the characters used. The font ships in an npm package so
 * that every machine renders the same documents without system fonts.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import PDFDocument from 'pdfkit'

const require = createRequire(import.meta.url)
const fontDir = path.dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'))
export const FONT_REGULAR = path.join(fontDir, '400Regular', 'NotoSansSC_400Regular.ttf')
export const FONT_BOLD = path.join(fontDir, '700Bold', 'NotoSansSC_700Bold.ttf')

export const SEAL_RED = '#d7000f'

/** A new A4 document with the Chinese fonts registered as 'cn' and 'cn-bold'. */
export function newDocument(info: { title: string; author: string; subject?: string }): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 72, bottom: 72, left: 80, right: 80 },
    info: {
      Title: info.title,
      Author: info.author,
      Subject: info.subject ?? info.title,
      Creator: '潮安区网上办事大厅',
    },
    // Fixed dates keep the bytes reproducible for the same content.
    compress: true,
  })
  doc.registerFont('cn', FONT_REGULAR)
  doc.registerFont('cn-bold', FONT_BOLD)
  doc.font('cn')
  return doc
}

/** Collects a finished document into a Buffer. */
export function toBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    doc.on('data', (chunk: Buffer) => chunks.push(chunk))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
    doc.end()
  })
}

/**
 * Draws an official seal (公章 style): a red ring, a five-pointed star and the unit's name along the
 * upper arc. This is the image of the seal on a printed page; the legal force of an electronic
 * document comes from its SM2 signature (GB/T 38540), not from this drawing.
 */
export function drawSeal(doc: PDFKit.PDFDocument, centreX: number, centreY: number, name: string, radius = 56): void {
  doc.save()
  doc.lineWidth(3).strokeColor(SEAL_RED).opacity(0.85)
  doc.circle(centreX, centreY, radius).stroke()
  // five-pointed star
  const star = (r: number) =>
    Array.from({ length: 10 }, (_, i) => {
      const angle = -Math.PI / 2 + (i * Math.PI) / 5
      const rr = i % 2 === 0 ? r : r * 0.4
      return [centreX + rr * Math.cos(angle), centreY + rr * Math.sin(angle)] as [number, number]
    })
  const points = star(radius * 0.3)
  doc.moveTo(points[0]![0], points[0]![1])
  for (const [x, y] of points.slice(1)) doc.lineTo(x, y)
  doc.closePath().fillColor(SEAL_RED).fill()
  // the name along the upper arc, from lower-left round to lower-right
  const chars = [...name]
  const span = Math.min(Math.PI * 1.4, chars.length * 0.32)
  // Characters share the arc evenly; long names get smaller characters.
  const textRadius = radius * 0.78
  const size = Math.min(radius * 0.26, ((textRadius * span) / Math.max(1, chars.length)) * 0.92)
  doc.font('cn-bold').fontSize(size).fillColor(SEAL_RED)
  chars.forEach((ch, i) => {
    const angle = -Math.PI / 2 - span / 2 + (chars.length === 1 ? span / 2 : (i * span) / (chars.length - 1))
    const r = textRadius
    const x = centreX + r * Math.cos(angle)
    const y = centreY + r * Math.sin(angle)
    doc.save()
    doc.translate(x, y).rotate(((angle + Math.PI / 2) * 180) / Math.PI)
    doc.text(ch, -size / 2, -size / 2, { lineBreak: false })
    doc.restore()
  })
  doc.restore()
  doc.font('cn').fillColor('black').opacity(1)
}

/** 2026-03-02 → 2026年3月2日 */
export function chineseDate(day: string): string {
  const [y, m, d] = day.split('-')
  return `${y}年${Number(m)}月${Number(d)}日`
}
