import { describe, expect, it } from 'vitest'
import { chineseDate, drawSeal, newDocument, toBuffer } from './pdf.js'

describe('PDF documents', () => {
  it('renders Chinese text with the font embedded as a subset', async () => {
    const doc = newDocument({ title: '受理通知书', author: '潮州市潮安区市场监督管理局' })
    doc.fontSize(20).text('受理通知书', { align: 'center' })
    doc.fontSize(12).text('你（单位）提交的「食品经营许可」申请材料齐全、符合法定形式，本机关决定予以受理。')
    drawSeal(doc, 400, 400, '潮州市潮安区市场监督管理局')
    const pdf = await toBuffer(doc)
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    const text = pdf.toString('latin1')
    // the font is embedded as a subset: pdfkit names subsets with a six-letter tag
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC/)
    expect(text).toContain('/FontFile2')
    // a subset, not the whole 10 MB font
    expect(pdf.length).toBeLessThan(400_000)
  })

  it('writes dates the Chinese way', () => {
    expect(chineseDate('2026-03-02')).toBe('2026年3月2日')
  })
})
