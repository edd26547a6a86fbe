import { createHash } from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { FileTypeParser } from 'file-type'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/helpers.js'
import { TestClock } from '../clock.js'
import { DomainError } from '../http/errors.js'
import {
  contentDisposition,
  documentTypes,
  imageTypes,
  LocalFileStore,
  SNIFF_IN_MEMORY_BYTES,
  safeFileName,
  spreadsheetTypes,
} from './files.js'

// ----- tiny but valid files, built from bytes ---------------------------------------------------

/** A one-page PDF with a correct cross-reference table. */
function tinyPdf(text = 'Hello'): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>',
  ]
  const stream = `BT /F1 12 Tf 20 50 Td (${text}) Tj ET`
  objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`)
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out))
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = Buffer.byteLength(out)
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(zlib.crc32(typeAndData))
  return Buffer.concat([length, typeAndData, crc])
}

/** A 1×1 red PNG. */
function tinyPng(): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(1, 0)
  ihdr.writeUInt32BE(1, 4)
  ihdr.writeUInt8(8, 8) // bit depth
  ihdr.writeUInt8(2, 9) // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(Buffer.from([0, 255, 0, 0]))),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

/** A ZIP with stored (uncompressed) entries, as OFD writers make. */
function tinyZip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text, 'utf8')
    const nameBytes = Buffer.from(name, 'utf8')
    const crc = zlib.crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(data.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(nameBytes.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, nameBytes, data)
    centrals.push(central, nameBytes)
    offset += local.length + nameBytes.length + data.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(Object.keys(entries).length, 8)
  end.writeUInt16LE(Object.keys(entries).length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Every regular file under a folder, relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof DomainError) return error
    throw error
  }
  throw new Error('expected a DomainError')
}

// ----- the store ---------------------------------------------------------------------------------

let database: TestDatabase
let parent: string
let root: string
let store: LocalFileStore

beforeAll(async () => {
  database = await createTestDatabase()
  parent = await fsp.mkdtemp(path.join(os.tmpdir(), 'yiwang-files-'))
  root = path.join(parent, 'files')
  store = new LocalFileStore({ root, db: database.db, clock: new TestClock() })
})
afterAll(async () => {
  await database.drop()
  await fsp.rm(parent, { recursive: true, force: true })
})
afterEach(() => {
  vi.restoreAllMocks()
})

const rowCount = async () =>
  Number(
    (
      await database.db
        .selectFrom('storedFiles')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

describe('LocalFileStore.put and get', () => {
  it('stores a real PDF and gives the same bytes and hash back', async () => {
    const pdf = tinyPdf()
    const stored = await store.put(pdf, { maxBytes: 1024 * 1024, allowedTypes: documentTypes })
    expect(stored).toEqual({ sha256: sha256(pdf), size: pdf.length, mime: 'application/pdf' })
    expect(fs.existsSync(path.join(root, stored.sha256.slice(0, 2), stored.sha256.slice(2, 4), stored.sha256))).toBe(
      true,
    )

    const back = await store.get(stored.sha256)
    expect(back.mime).toBe('application/pdf')
    expect(back.size).toBe(pdf.length)
    const bytes = await readAll(back.stream)
    expect(sha256(bytes)).toBe(stored.sha256)
    expect(await store.exists(stored.sha256)).toBe(true)
    expect(await store.verify(stored.sha256)).toBe(true)
  })

  it('stores a PNG arriving as a stream in several chunks', async () => {
    const png = tinyPng()
    const source = Readable.from([png.subarray(0, 10), png.subarray(10, 30), png.subarray(30)])
    const stored = await store.put(source, { maxBytes: 1024, allowedTypes: imageTypes })
    expect(stored).toEqual({ sha256: sha256(png), size: png.length, mime: 'image/png' })
    expect(await readAll((await store.get(stored.sha256)).stream)).toEqual(png)
  })

  it('recognises an OFD document by its OFD.xml entry, and refuses a plain ZIP', async () => {
    const ofd = tinyZip({ 'OFD.xml': '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>' })
    const stored = await store.put(ofd, { maxBytes: 1024 * 1024, allowedTypes: documentTypes })
    expect(stored.mime).toBe('application/ofd')

    const zip = tinyZip({ 'readme.txt': 'not an OFD' })
    const error = await rejection(store.put(zip, { maxBytes: 1024 * 1024, allowedTypes: documentTypes }))
    expect(error.kind).toBe('unsupported')
    const notSpreadsheet = await rejection(store.put(ofd, { maxBytes: 1024 * 1024, allowedTypes: spreadsheetTypes }))
    expect(notSpreadsheet.status).toBe(415)
  })

  it('checks a small upload’s type from the bytes kept, a large one’s from the file written: the same answers', async () => {
    const fromBuffer = vi.spyOn(FileTypeParser.prototype, 'fromBuffer')
    const fromFile = vi.spyOn(FileTypeParser.prototype, 'fromFile')
    try {
      const padding = Buffer.alloc(SNIFF_IN_MEMORY_BYTES, 0x20)
      const ofdEntry = '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>'
      const cases = [
        { name: 'PDF', bytes: tinyPdf('size'), types: documentTypes, mime: 'application/pdf' },
        { name: 'OFD', bytes: tinyZip({ 'OFD.xml': ofdEntry }), types: documentTypes, mime: 'application/ofd' },
        { name: 'HTML', bytes: Buffer.from('<!doctype html><html></html>'), types: documentTypes, mime: undefined },
      ]
      for (const { name, bytes, types, mime } of cases) {
        for (const large of [false, true]) {
          fromBuffer.mockClear()
          fromFile.mockClear()
          const upload = large ? Buffer.concat([bytes, padding]) : bytes
          // In chunks, as an upload arrives.
          const source = Readable.from([upload.subarray(0, 7), upload.subarray(7, 4000), upload.subarray(4000)])
          const result = await store.put(source, { maxBytes: 1024 * 1024, allowedTypes: types }).then(
            (stored) => stored.mime,
            (error: DomainError) => error.code,
          )
          expect(result, `${name}, ${large ? 'large' : 'small'}`).toBe(mime ?? 'FILE_TYPE_NOT_ALLOWED')
          expect([fromBuffer.mock.calls.length, fromFile.mock.calls.length], name).toEqual(large ? [0, 1] : [1, 0])
        }
      }
      expect(await filesUnder(path.join(root, 'tmp'))).toEqual([])
    } finally {
      fromBuffer.mockRestore()
      fromFile.mockRestore()
    }
  })

  it('makes its temp folder again should it be removed while running', async () => {
    await store.put(tinyPdf('before'), { maxBytes: 1024 * 1024, allowedTypes: documentTypes })
    await fsp.rm(path.join(root, 'tmp'), { recursive: true, force: true })
    const stored = await store.put(tinyPdf('after'), { maxBytes: 1024 * 1024, allowedTypes: documentTypes })
    expect(stored.mime).toBe('application/pdf')
    expect(await filesUnder(path.join(root, 'tmp'))).toEqual([])
  })

  it('keeps one file and one row when the same content is stored twice', async () => {
    const pdf = tinyPdf('twice')
    const before = await rowCount()
    const first = await store.put(pdf, { maxBytes: 1024 * 1024, allowedTypes: documentTypes })
    const second = await store.put(Readable.from([pdf]), { maxBytes: 1024 * 1024, allowedTypes: documentTypes })
    expect(second).toEqual(first)
    expect(await rowCount()).toBe(before + 1)
    const copies = (await filesUnder(root)).filter((f) => f.endsWith(first.sha256))
    expect(copies).toHaveLength(1)
    expect(await filesUnder(path.join(root, 'tmp'))).toEqual([])
  })

  it('writes a small upload to disk only when its bytes are new, and a refused one not at all', async () => {
    const open = vi.spyOn(fs, 'open')
    const temps = () => open.mock.calls.filter(([file]) => String(file).startsWith(path.join(root, 'tmp')))
    const pdf = tinyPdf('written once')
    const first = await store.put(Readable.from([pdf.subarray(0, 5), pdf.subarray(5)]), {
      maxBytes: 1024 * 1024,
      allowedTypes: documentTypes,
    })
    expect(temps()).toHaveLength(1)
    const again = await store.put(Readable.from([pdf]), { maxBytes: 1024 * 1024, allowedTypes: documentTypes })
    expect(again).toEqual(first)
    expect(temps()).toHaveLength(1)
    const html = Buffer.from('<!doctype html><html></html>')
    expect((await rejection(store.put(html, { maxBytes: 1024 * 1024, allowedTypes: documentTypes }))).status).toBe(415)
    expect(temps()).toHaveLength(1)
    // The stored bytes are the upload's, and no temp file stays.
    expect(await readAll((await store.get(first.sha256)).stream)).toEqual(pdf)
    expect(await filesUnder(path.join(root, 'tmp'))).toEqual([])
  })

  it('writes every byte when the disk takes fewer at a time than asked', async () => {
    const write = fs.write as (...args: unknown[]) => void
    // 4,099 bytes a call at most: short writes, as a full disk or a signal can give.
    const short = (fd: number, bytes: Uint8Array, at: number, length: number, pos: null, done: () => void) =>
      write(fd, bytes, at, Math.min(length, 4099), pos, done)
    const calls = vi.spyOn(fs, 'write').mockImplementation(short as unknown as typeof fs.write)
    for (const padding of [10_000, SNIFF_IN_MEMORY_BYTES + 10_000]) {
      const bytes = Buffer.concat([tinyPdf(`short writes ${padding}`), Buffer.alloc(padding, 0x20)])
      calls.mockClear()
      const stored = await store.put(Readable.from([bytes.subarray(0, 5000), bytes.subarray(5000)]), {
        maxBytes: 1024 * 1024,
        allowedTypes: documentTypes,
      })
      expect(calls.mock.calls.length).toBeGreaterThan(bytes.length / 4099)
      expect(stored).toEqual({ sha256: sha256(bytes), size: bytes.length, mime: 'application/pdf' })
      expect(await readAll((await store.get(stored.sha256)).stream)).toEqual(bytes)
    }
  })

  it('stops reading a source it refuses part-way, small or large', async () => {
    for (const firstChunk of [1024, SNIFF_IN_MEMORY_BYTES + 1024]) {
      let produced = 0
      const source = new Readable({
        read() {
          produced += 1
          this.push(
            produced === 1 ? Buffer.concat([tinyPdf(), Buffer.alloc(firstChunk, 0x20)]) : Buffer.alloc(1024, 0x20),
          )
        },
      })
      const error = await rejection(
        store.put(source, { maxBytes: firstChunk + 64 * 1024, allowedTypes: documentTypes }),
      )
      expect(error.status).toBe(413)
      expect(source.destroyed).toBe(true)
      expect(await filesUnder(path.join(root, 'tmp'))).toEqual([])
    }
  })
})

describe('LocalFileStore refuses', () => {
  it('an HTML page named .pdf, by its content', async () => {
    const before = await filesUnder(root)
    const rows = await rowCount()
    const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')
    const error = await rejection(store.put(html, { maxBytes: 1024 * 1024, allowedTypes: documentTypes }))
    expect(error.status).toBe(415)
    expect(error.code).toBe('FILE_TYPE_NOT_ALLOWED')
    expect(error.message).toContain('PDF、JPG、PNG、OFD')
    expect(await filesUnder(root)).toEqual(before)
    expect(await rowCount()).toBe(rows)
  })

  it('a Windows executable named .pdf, by its content', async () => {
    const exe = Buffer.alloc(512)
    exe.write('MZ', 0, 'latin1')
    exe.writeUInt32LE(0x80, 0x3c)
    exe.write('PE\0\0', 0x80, 'latin1')
    const error = await rejection(store.put(exe, { maxBytes: 1024 * 1024, allowedTypes: documentTypes }))
    expect(error.kind).toBe('unsupported')
    expect(await filesUnder(path.join(root, 'tmp'))).toEqual([])
  })

  it('an upload over the limit, leaving nothing on disk', async () => {
    const before = await filesUnder(root)
    const rows = await rowCount()
    const chunk = Buffer.concat([tinyPdf(), Buffer.alloc(64 * 1024, 0x20)])
    const source = Readable.from([chunk, chunk, chunk])
    const error = await rejection(store.put(source, { maxBytes: 100 * 1024, allowedTypes: documentTypes }))
    expect(error.status).toBe(413)
    expect(error.message).toBe('文件不能超过 100 KB，请压缩或拆分后重新上传。')
    expect(await filesUnder(root)).toEqual(before)
    expect(await rowCount()).toBe(rows)

    const whole = await rejection(store.put(chunk, { maxBytes: 1024, allowedTypes: documentTypes }))
    expect(whole.kind).toBe('too_large')
  })

  it('an upload whose stream breaks, leaving nothing on disk', async () => {
    const before = await filesUnder(root)
    const broken = new Readable({
      read() {
        this.destroy(new Error('connection reset'))
      },
    })
    await expect(store.put(broken, { maxBytes: 1024, allowedTypes: documentTypes })).rejects.toThrow('connection reset')
    expect(await filesUnder(root)).toEqual(before)
  })

  it('an upload that would pass the owner’s quota', async () => {
    const pdf = tinyPdf('quota')
    const error = await rejection(
      store.put(pdf, {
        maxBytes: 1024 * 1024,
        allowedTypes: documentTypes,
        quota: { usedBytes: 10 * 1024 * 1024 - 100, limitBytes: 10 * 1024 * 1024 },
      }),
    )
    expect(error.code).toBe('FILE_QUOTA_EXCEEDED')
    expect(error.status).toBe(413)
    expect(error.message).toContain('上限 10 MB')
  })

  it('an empty file', async () => {
    const error = await rejection(store.put(Buffer.alloc(0), { maxBytes: 1024, allowedTypes: documentTypes }))
    expect(error.status).toBe(422)
  })
})

describe('LocalFileStore.get with a bad hash', () => {
  it('answers NotFound for malformed hashes without opening anything', async () => {
    await fsp.writeFile(path.join(parent, 'secret.txt'), 'outside the store')
    const open = vi.spyOn(fsp, 'open')
    const stat = vi.spyOn(fsp, 'stat')
    for (const bad of [
      '../secret.txt',
      '../../etc/passwd',
      `${'a'.repeat(62)}/..`,
      `${'g'.repeat(64)}`,
      `${'a'.repeat(63)}`,
      `${'a'.repeat(64)}\0`,
      '',
    ]) {
      const error = await rejection(store.get(bad))
      expect(error.status).toBe(404)
      expect(await store.exists(bad)).toBe(false)
      await expect(store.verify(bad)).rejects.toThrow('找不到这个文件')
    }
    expect(open).not.toHaveBeenCalled()
    expect(stat).not.toHaveBeenCalled()
  })

  it('answers NotFound for a well-formed hash that is not stored', async () => {
    const error = await rejection(store.get('0'.repeat(64)))
    expect(error.code).toBe('FILE_NOT_FOUND')
  })

  it('notices stored bytes that were changed', async () => {
    const png = tinyPng()
    const stored = await store.put(Buffer.concat([png, Buffer.from('tail')]), {
      maxBytes: 1024,
      allowedTypes: imageTypes,
    })
    const file = path.join(root, stored.sha256.slice(0, 2), stored.sha256.slice(2, 4), stored.sha256)
    await fsp.appendFile(file, 'x')
    expect(await store.verify(stored.sha256)).toBe(false)
  })
})

describe('safeFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system32\\cmd.exe', 'cmd.exe'],
    ['C:\\Users\\张三\\Desktop\\营业执照.pdf', '营业执照.pdf'],
    ['身份证\r\n正面.jpg', '身份证正面.jpg'],
    ['report\u202Efdp.exe', 'reportfdp.exe'],
    ['a<b>c:d"e|f?g*h.pdf', 'a_b_c_d_e_f_g_h.pdf'],
    ['...hidden', 'hidden'],
    ['name. . .', 'name'],
    ['CON.txt', '_CON.txt'],
    ['\r\n', '文件'],
    ['', '文件'],
  ])('%j → %j', (input, expected) => {
    expect(safeFileName(input)).toBe(expected)
  })

  it('shortens very long Chinese names, keeping whole characters and the extension', () => {
    const long = `${'潮安区市场监督管理局营业执照申请材料'.repeat(20)}.pdf`
    const name = safeFileName(long)
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(180)
    expect(name.endsWith('.pdf')).toBe(true)
    expect(name.startsWith('潮安区市场监督管理局')).toBe(true)
    expect(name).not.toContain('\uFFFD')
  })
})

describe('contentDisposition', () => {
  it('gives a UTF-8 name and an ASCII fallback', () => {
    expect(contentDisposition('营业执照 (副本).pdf')).toBe(
      `attachment; filename="____ (__).pdf"; filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%20%28%E5%89%AF%E6%9C%AC%29.pdf`,
    )
  })

  it('cannot be broken out of by quotes or line breaks', () => {
    const value = contentDisposition('a"; filename=evil.exe\r\nX-Injected: 1.pdf', 'inline')
    expect(value).not.toMatch(/[\r\n]/)
    expect(value.startsWith('inline; filename="a_; filename=evil.exeX-Injected_ 1.pdf"')).toBe(true)
  })
})
