/**
 * A document kept compressed once and sent with a few bytes put in per request (the anonymous page
 * cache puts each visitor's CSRF token into a kept page) without compressing anything per request.
 *
 * The document is kept as its parts around the places where the bytes go, each part compressed on
 * its own as raw deflate (RFC 1951). All parts but the last end with a sync flush, which ends them
 * on a byte boundary without a final block, so deflate data can follow. A response is a gzip member
 * (RFC 1952): header, the parts' deflate data with the inserted bytes between them as stored
 * blocks (§3.2.4), then the CRC-32 and the length of the whole document. The CRC is combined from
 * the parts' CRCs and the inserted bytes (zlib's crc32_combine: multiplication modulo the CRC
 * polynomial by x^(8·length), the operator worked out once per part), so a response costs the CRC
 * of the inserted bytes and a copy.
 */
import { constants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib'

export interface SplicedDocument {
  /** Each part's raw deflate data. */
  deflated: Buffer[]
  /** Each part's uncompressed length. */
  lengths: number[]
  /** Each part's CRC-32. */
  crcs: number[]
  /** For each part, the operator that shifts a CRC over that part's length (x^(8·length) mod P). */
  shifts: number[]
  /** Bytes kept (the compressed parts). */
  bytes: number
}

export function spliceable(parts: Buffer[]): SplicedDocument {
  const deflated = parts.map((part, i) =>
    deflateRawSync(part, { finishFlush: i < parts.length - 1 ? constants.Z_SYNC_FLUSH : constants.Z_FINISH }),
  )
  return {
    deflated,
    lengths: parts.map((part) => part.length),
    crcs: parts.map((part) => crc32(part)),
    shifts: parts.map((part) => x2nmodp(part.length, 3)),
    bytes: deflated.reduce((n, part) => n + part.length, 0),
  }
}

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])

/** The document as one gzip member, `insert` put between every two parts. */
export function gzipWith(doc: SplicedDocument, insert: Buffer): Buffer {
  const pieces: Buffer[] = [GZIP_HEADER, doc.deflated[0]!]
  let crc = doc.crcs[0]!
  let length = doc.lengths[0]!
  const stored = insert.length > 0 ? storedBlock(insert) : undefined
  for (let i = 1; i < doc.deflated.length; i++) {
    if (stored) {
      pieces.push(stored)
      crc = crc32(insert, crc)
      length += insert.length
    }
    pieces.push(doc.deflated[i]!)
    crc = (multmodp(doc.shifts[i]!, crc) ^ doc.crcs[i]!) >>> 0
    length += doc.lengths[i]!
  }
  const trailer = Buffer.alloc(8)
  trailer.writeUInt32LE(crc >>> 0, 0)
  trailer.writeUInt32LE(length >>> 0, 4)
  pieces.push(trailer)
  return Buffer.concat(pieces)
}

/** The document uncompressed, `insert` put between every two parts (for clients without gzip). */
export function plainWith(doc: SplicedDocument, insert: Buffer): Buffer {
  const pieces: Buffer[] = []
  doc.deflated.forEach((part, i) => {
    if (i > 0) pieces.push(insert)
    pieces.push(inflateRawSync(part, { finishFlush: constants.Z_SYNC_FLUSH }))
  })
  return Buffer.concat(pieces)
}

/** A stored (uncompressed) deflate block, not final, starting on a byte boundary. */
function storedBlock(data: Buffer): Buffer {
  if (data.length > 0xffff) throw new RangeError('stored block longer than 65535 bytes')
  const head = Buffer.alloc(5)
  head[0] = 0 // BFINAL 0, BTYPE 00, padding to the byte boundary
  head.writeUInt16LE(data.length, 1)
  head.writeUInt16LE(~data.length & 0xffff, 3)
  return Buffer.concat([head, data])
}

/** Whether an Accept-Encoding header allows gzip (RFC 9110 §12.5.3; `gzip;q=0` refuses it). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false
  let star: boolean | undefined
  for (const entry of header.split(',')) {
    const [name = '', ...params] = entry.trim().toLowerCase().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const allowed = q === undefined || Number(q.slice(2)) > 0
    if (name === 'gzip' || name === 'x-gzip') return allowed
    if (name === '*') star = allowed
  }
  return star ?? false
}

// ----- CRC-32 combination (after zlib's crc32.c) ---------------------------------------------------

const POLY = 0xedb88320

/** a·b modulo the CRC-32 polynomial (reflected bit order). */
function multmodp(a: number, b: number): number {
  let m = 0x80000000
  let p = 0
  for (;;) {
    if (a & m) {
      p ^= b
      if ((a & (m - 1)) === 0) break
    }
    m >>>= 1
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1
  }
  return p >>> 0
}

const X2N: number[] = (() => {
  const table: number[] = []
  let p = 1 << 30 // x^1
  table.push(p >>> 0)
  for (let n = 1; n < 32; n++) {
    p = multmodp(p, p)
    table.push(p)
  }
  return table
})()

/** x^(n·2^k) modulo the CRC-32 polynomial. */
function x2nmodp(n: number, k: number): number {
  let p = 0x80000000 // x^0
  while (n > 0) {
    if (n & 1) p = multmodp(X2N[k & 31]!, p)
    n = Math.floor(n / 2)
    k++
  }
  return p >>> 0
}

/** crc32(a ‖ b) from crc32(a), crc32(b) and b's length (exported for the tests). */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multmodp(x2nmodp(lengthB, 3), crcA) ^ crcB) >>> 0
}
