import { randomBytes } from 'node:crypto'
import { crc32, gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { acceptsGzip, crc32Combine, gzipWith, plainWith, spliceable } from './gzip-splice.js'

const text = (n: number, seed: string) =>
  Buffer.from(Array.from({ length: n }, (_, i) => `${seed}办事指南第${i}行 <p class="x">材料</p>\n`).join(''), 'utf8')

describe('a document kept compressed, sent with bytes put in', () => {
  it('is a valid gzip member (CRC and length checked) equal to the parts joined by the insert', () => {
    const cases: Buffer[][] = [
      [text(400, 'a')],
      [text(300, 'a'), text(500, 'b')],
      [text(10, 'a'), Buffer.alloc(0), text(700, 'c')],
      [Buffer.alloc(0), randomBytes(70_000), Buffer.from('尾')],
    ]
    for (const parts of cases) {
      const doc = spliceable(parts)
      for (const insert of [Buffer.from('tok-123_abcDEF'), Buffer.alloc(0), randomBytes(300)]) {
        const expected = Buffer.concat(parts.flatMap((part, i) => (i > 0 ? [insert, part] : [part])))
        expect(gunzipSync(gzipWith(doc, insert)).equals(expected)).toBe(true)
        expect(plainWith(doc, insert).equals(expected)).toBe(true)
      }
    }
  })

  it('keeps a page of text in a fraction of its size', () => {
    const parts = [text(200, 'a'), text(300, 'b')]
    const doc = spliceable(parts)
    expect(doc.bytes).toBeLessThan((parts[0]!.length + parts[1]!.length) / 4)
  })

  it('combines CRC-32s as zlib does', () => {
    for (const [m, n] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [17, 5],
      [1000, 65_537],
      [3, 1 << 20],
    ] as const) {
      const a = randomBytes(m)
      const b = randomBytes(n)
      expect(crc32Combine(crc32(a), crc32(b), n)).toBe(crc32(Buffer.concat([a, b])))
    }
  })
})

describe('Accept-Encoding', () => {
  it('allows gzip only when the client names it (or *) without q=0', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true)
    expect(acceptsGzip('br;q=1.0, GZIP;q=0.5')).toBe(true)
    expect(acceptsGzip('*')).toBe(true)
    expect(acceptsGzip(undefined)).toBe(false)
    expect(acceptsGzip('')).toBe(false)
    expect(acceptsGzip('identity')).toBe(false)
    expect(acceptsGzip('br, deflate')).toBe(false)
    expect(acceptsGzip('gzip;q=0')).toBe(false)
    expect(acceptsGzip('gzip;q=0, *')).toBe(false)
    expect(acceptsGzip('*;q=0')).toBe(false)
  })
})
