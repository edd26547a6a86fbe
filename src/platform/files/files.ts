/**
 * The file store: materials, license files, sample forms. Content-addressed by sha256, so the
 * same bytes are kept once and a stored file can always be checked against its name.
 *
 * SECURITY.md (input and files): a size limit (413 with a message), the type from the content
 * (magic bytes, never the extension or the client's Content-Type), a generated name outside any
 * served folder, the sha256 recorded, a per-user quota (see QuotaCheck).
 *
 * The local implementation keeps the bytes under `config.filesDir` (DATA_DIR/files):
 *
 *   files/ab/cd/abcd…(64 hex)   one file per distinct content, written once, never changed
 *   files/tmp/                  uploads in progress (same file system, so the rename is atomic)
 *
 * and one row per content in `stored_files`. Which record uses which file (an application's
 * materials, a license's PDF) is kept by the module that owns the record.
 */
import { createHash, randomBytes } from 'node:crypto'
import fs, { type ReadStream } from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { type Detector, FileTypeParser } from 'file-type'
import type { Clock } from '../clock.js'
import { type Db, type DbOrTrx, type Trx, transaction } from '../db/database.js'
import { DomainError } from '../http/errors.js'
import './files.tables.js'

/** A kind of file people may upload: its detected MIME type and the name people know it by. */
export interface FileKind {
  readonly mime: string
  /** As shown in messages: 「PDF」「JPG」. */
  readonly label: string
}

export const fileKinds = {
  pdf: { mime: 'application/pdf', label: 'PDF' },
  jpeg: { mime: 'image/jpeg', label: 'JPG' },
  png: { mime: 'image/png', label: 'PNG' },
  /** 版式文档 OFD (GB/T 33190-2016): a ZIP package whose root holds OFD.xml. */
  ofd: { mime: 'application/ofd', label: 'OFD' },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Excel（XLSX）' },
} as const satisfies Record<string, FileKind>

/** Application materials: scans and electronic documents. */
export const documentTypes: readonly FileKind[] = [fileKinds.pdf, fileKinds.jpeg, fileKinds.png, fileKinds.ofd]
/** Photos and scans only. */
export const imageTypes: readonly FileKind[] = [fileKinds.jpeg, fileKinds.png]
/** Imports from Excel. */
export const spreadsheetTypes: readonly FileKind[] = [fileKinds.xlsx]

/**
 * What a module knows of an owner's storage: the module keeps the references (which record
 * uses which file), so it counts the owner's usage and passes it with the upload. The store
 * then stops the upload as soon as it would pass the limit, with a 413 that says so.
 *
 *   const used = await uploadedOn(db, personId, day)         // the module's own count
 *   await files.put(stream, { maxBytes, allowedTypes: documentTypes,
 *                             quota: { usedBytes: used, limitBytes: 500 * MB, perDay: true },
 *                             recordWith: (trx, file) => countUploaded(trx, personId, day, file.size) })
 *
 * Two uploads racing may both pass; the limit is a guard against abuse, not an exact ledger.
 */
export interface QuotaCheck {
  usedBytes: number
  limitBytes: number
  /** The limit is the owner's for the day (the message says so), not their storage's. */
  perDay?: boolean
}

export interface PutOptions {
  /** Largest accepted size in bytes. */
  maxBytes: number
  /** The kinds accepted, detected from the content. */
  allowedTypes: readonly FileKind[]
  quota?: QuotaCheck
  /**
   * The caller records the file (`record`) in its own transaction, with what uses it — one
   * commit instead of two. Until then `get` and `exists` do not know it; bytes nobody recorded
   * (the caller refused the request) stay on disk unknown, as a refused upload's never do.
   */
  recordLater?: boolean
  /**
   * More to write in the transaction that records the file (the owner's usage, say): one commit
   * for both. Not called with `recordLater`, where the caller writes it with its own record.
   */
  recordWith?: (trx: Trx, file: StoredFile) => Promise<void>
}

export interface StoredFile {
  /** Lower-case hex sha256 of the content: the file's name in the store. */
  sha256: string
  size: number
  /** Detected from the content. */
  mime: string
}

export interface FileContent extends StoredFile {
  stream: Readable
}

export interface FileStore {
  /**
   * Stores content and returns its hash, size and detected type. The same content twice is
   * stored once. Throws DomainError too_large (413, over `maxBytes` or the quota),
   * unsupported (415, a type not allowed or not recognised) or invalid (422, empty).
   */
  put(content: Readable | Uint8Array, options: PutOptions): Promise<StoredFile>
  /** Records files stored with `recordLater`, in the caller's transaction (again: nothing happens). */
  record(trx: DbOrTrx, files: readonly StoredFile[]): Promise<void>
  /** The content and what is known of it; NotFound for an unknown or malformed hash. */
  get(sha256: string): Promise<FileContent>
  /** true when the content is recorded and its bytes are on disk. */
  exists(sha256: string): Promise<boolean>
  /** Recomputes the hash of the stored bytes: true when they are intact. NotFound when missing. */
  verify(sha256: string): Promise<boolean>
}

const SHA256_HEX = /^[0-9a-f]{64}$/

export const fileNotFound = () =>
  new DomainError('FILE_NOT_FOUND', 'not_found', '找不到这个文件，可能链接有误或文件已被删除。')

/** "PDF、JPG、PNG" for messages. */
export function describeKinds(kinds: readonly FileKind[]): string {
  return kinds.map((k) => k.label).join('、')
}

/** 20971520 → "20 MB", 524288 → "512 KB". */
export function formatBytes(bytes: number): string {
  const mb = 1024 * 1024
  if (bytes >= mb) return `${Number((bytes / mb).toFixed(1))} MB`
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`
  return `${bytes} 字节`
}

const tooLarge = (maxBytes: number) =>
  new DomainError('FILE_TOO_LARGE', 'too_large', `文件不能超过 ${formatBytes(maxBytes)}，请压缩或拆分后重新上传。`)

const quotaExceeded = (quota: QuotaCheck) =>
  new DomainError(
    'FILE_QUOTA_EXCEEDED',
    'too_large',
    quota.perDay
      ? `今天上传的文件已达上限（今天已上传 ${formatBytes(quota.usedBytes)}，每天最多 ${formatBytes(quota.limitBytes)}），请明天再上传。已上传和已提交的材料不受影响。`
      : `您的存储空间不足（已用 ${formatBytes(quota.usedBytes)}，上限 ${formatBytes(quota.limitBytes)}），请删除不需要的文件后再上传。`,
  )

const unsupportedType = (allowed: readonly FileKind[]) =>
  new DomainError(
    'FILE_TYPE_NOT_ALLOWED',
    'unsupported',
    `只能上传 ${describeKinds(allowed)} 格式的文件。系统按文件内容识别格式，修改文件扩展名不起作用。`,
  )

const emptyFile = () => new DomainError('FILE_EMPTY', 'invalid', '文件是空的，请重新选择要上传的文件。')

/**
 * file-type has no OFD detector. An OFD package is a ZIP whose root holds OFD.xml
 * (GB/T 33190-2016 §7.3), so look for that entry's local header near the start. Writers put
 * OFD.xml first in practice; one further than 64 KiB in is detected as a plain ZIP and refused.
 */
const OFD_SCAN_BYTES = 64 * 1024
const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04])

const ofdDetector: Detector = {
  id: 'yiwang:ofd',
  async detect(tokenizer) {
    const head = new Uint8Array(OFD_SCAN_BYTES)
    const length = await tokenizer.peekBuffer(head, { length: head.length, mayBeLess: true })
    const bytes = Buffer.from(head.buffer, 0, length)
    if (length < 30 || !bytes.subarray(0, 4).equals(ZIP_LOCAL_HEADER)) return undefined
    for (let at = 0; at !== -1 && at + 37 <= length; at = bytes.indexOf(ZIP_LOCAL_HEADER, at + 4)) {
      const nameLength = bytes.readUInt16LE(at + 26)
      if (nameLength === 7 && bytes.toString('latin1', at + 30, at + 37) === 'OFD.xml') {
        return { ext: 'ofd', mime: fileKinds.ofd.mime }
      }
    }
    return undefined
  },
}

/**
 * The type of the bytes of a file (by its name) or of the whole of a file's bytes, from their
 * magic numbers; undefined when not recognised.
 */
export async function detectFileType(file: string | Uint8Array): Promise<string | undefined> {
  const parser = new FileTypeParser({ customDetectors: [ofdDetector] })
  return (typeof file === 'string' ? await parser.fromFile(file) : await parser.fromBuffer(file))?.mime
}

/** The type of an upload (its bytes, or the file holding them) when it is one of those allowed. */
async function checkType(file: string | Uint8Array, allowed: PutOptions['allowedTypes']): Promise<string> {
  const mime = await detectFileType(file)
  if (!mime || !allowed.some((k) => k.mime === mime)) throw unsupportedType(allowed)
  return mime
}

/**
 * Uploads up to this size are read into memory first: their type is checked from those bytes,
 * and they are written to disk only when the store does not hold them yet (docs/performance.md,
 * findings 21 and 22). Larger ones flow to a temporary file and are checked from it.
 */
export const SNIFF_IN_MEMORY_BYTES = 256 * 1024

export interface LocalFileStoreOptions {
  /** The store's folder (config.filesDir); created on the first upload. */
  root: string
  db: Db
  clock: Clock
}

/** The file store on a local (or shared, mounted) folder. */
export class LocalFileStore implements FileStore {
  readonly root: string
  private readonly tmpDir: string
  /** The temp folder has been made (by this process). */
  private tmpReady = false
  private readonly db: Db
  private readonly clock: Clock

  constructor(options: LocalFileStoreOptions) {
    this.root = path.resolve(options.root)
    this.tmpDir = path.join(this.root, 'tmp')
    this.db = options.db
    this.clock = options.clock
  }

  /** Where the bytes of a (validated) hash live: root/ab/cd/abcd…. */
  private pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256)
  }

  async put(content: Readable | Uint8Array, options: PutOptions): Promise<StoredFile> {
    const { maxBytes, allowedTypes, quota } = options
    const quotaLeft = quota ? Math.max(0, quota.limitBytes - quota.usedBytes) : Number.POSITIVE_INFINITY
    const limit = Math.min(maxBytes, quotaLeft)
    const overLimit = () => (quota && quotaLeft < maxBytes ? quotaExceeded(quota) : tooLarge(maxBytes))
    if (content instanceof Uint8Array && content.byteLength > limit) throw overLimit()

    const chunks: AsyncIterator<Uint8Array> = (content instanceof Uint8Array ? Readable.from([content]) : content)[
      Symbol.asyncIterator
    ]()
    const hash = createHash('sha256')
    let size = 0
    /** The next chunk, counted against the limit and hashed; undefined at the end. */
    const next = async (): Promise<Uint8Array | undefined> => {
      const read = await chunks.next()
      if (read.done) return undefined
      size += read.value.length
      if (size > limit) throw overLimit()
      hash.update(read.value)
      return read.value
    }
    let tmp: string | undefined
    let moved = false
    try {
      // Up to SNIFF_IN_MEMORY_BYTES (and a chunk) is read into memory first: most uploads end there.
      const head: Uint8Array[] = []
      let ended = false
      while (!ended && size <= SNIFF_IN_MEMORY_BYTES) {
        const chunk = await next()
        if (chunk) head.push(chunk)
        else ended = true
      }
      if (size === 0) throw emptyFile()
      let whole: Buffer | undefined
      let mime: string
      if (ended) {
        // Checked before anything touches the disk; written below only when the store lacks it.
        whole = Buffer.concat(head, size)
        mime = await checkType(whole, allowedTypes)
      } else {
        // Larger: the rest flows to a temporary file, whose type is then read back.
        tmp = await this.writeTemp(async (fd) => {
          await disk.writeAll(fd, Buffer.concat(head))
          for (let chunk = await next(); chunk; chunk = await next()) await disk.writeAll(fd, chunk)
        })
        mime = await checkType(tmp, allowedTypes)
      }

      const sha256 = hash.digest('hex')
      const target = this.pathOf(sha256)
      if (!(await fileExists(target))) {
        if (whole) {
          const bytes = whole
          tmp = await this.writeTemp((fd) => disk.writeAll(fd, bytes))
        }
        await disk.mkdirs(path.dirname(target))
        // Same content, same name: when two uploads race, either rename leaves the same bytes.
        await disk.rename(tmp!, target)
        moved = true
        await syncDirectory(path.dirname(target))
      }
      const stored = { sha256, size, mime }
      // In a transaction: on SQLite it then shares its commit with others (group commit).
      if (!options.recordLater) {
        await transaction(this.db, async (trx) => {
          await this.record(trx, [stored])
          await options.recordWith?.(trx, stored)
        })
      }
      return stored
    } finally {
      // A source not read to its end (refused, too large) is stopped and released; a failure to
      // stop it must not hide the answer already on its way.
      await Promise.resolve(chunks.return?.()).catch(() => undefined)
      // Nothing of a refused upload (or of bytes the store already had) stays.
      if (tmp && !moved) await disk.unlink(tmp).catch((error) => (isMissing(error) ? undefined : Promise.reject(error)))
    }
  }

  /**
   * Writes a new temporary file and syncs it (the bytes are durable before the upload is
   * acknowledged: SECURITY.md, durability); returns its path. Its folder is made on the first
   * upload, and again should it be removed.
   */
  private async writeTemp(fill: (fd: number) => Promise<unknown>): Promise<string> {
    const tmp = path.join(this.tmpDir, `${randomBytes(12).toString('hex')}.part`)
    if (!this.tmpReady) {
      await disk.mkdirs(this.tmpDir)
      this.tmpReady = true
    }
    let fd: number
    try {
      fd = await disk.open(tmp, 'wx', 0o640)
    } catch (error) {
      if (!isMissing(error)) throw error
      await disk.mkdirs(this.tmpDir)
      fd = await disk.open(tmp, 'wx', 0o640)
    }
    try {
      await fill(fd)
      await disk.fsync(fd)
    } catch (error) {
      await disk.close(fd).catch(() => undefined)
      await disk.unlink(tmp).catch(() => undefined)
      throw error
    }
    await disk.close(fd)
    return tmp
  }

  async record(trx: DbOrTrx, files: readonly StoredFile[]): Promise<void> {
    const createdAt = this.clock.now().toISOString()
    for (const { sha256, size, mime } of files) {
      await trx
        .insertInto('storedFiles')
        .values({ sha256, size, mime, createdAt })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute()
    }
  }

  async get(sha256: string): Promise<FileContent> {
    const hash = validHash(sha256)
    if (!hash) throw fileNotFound()
    const row = await this.db
      .selectFrom('storedFiles')
      .select(['sha256', 'size', 'mime'])
      .where('sha256', '=', hash)
      .executeTakeFirst()
    if (!row) throw fileNotFound()
    let stream: ReadStream
    try {
      const handle = await fsp.open(this.pathOf(hash), 'r')
      stream = handle.createReadStream()
    } catch (error) {
      if (isMissing(error)) throw fileNotFound()
      throw error
    }
    return { sha256: row.sha256, size: Number(row.size), mime: row.mime, stream }
  }

  async exists(sha256: string): Promise<boolean> {
    const hash = validHash(sha256)
    if (!hash) return false
    const row = await this.db.selectFrom('storedFiles').select('sha256').where('sha256', '=', hash).executeTakeFirst()
    return Boolean(row) && (await fileExists(this.pathOf(hash)))
  }

  async verify(sha256: string): Promise<boolean> {
    const hash = validHash(sha256)
    if (!hash) throw fileNotFound()
    let handle: fsp.FileHandle
    try {
      handle = await fsp.open(this.pathOf(hash), 'r')
    } catch (error) {
      if (isMissing(error)) throw fileNotFound()
      throw error
    }
    const digest = createHash('sha256')
    for await (const chunk of handle.createReadStream()) digest.update(chunk as Buffer)
    return digest.digest('hex') === hash
  }
}

/** The hash in lower case when it is 64 hex digits, else undefined: nothing else reaches a path. */
function validHash(value: string): string | undefined {
  if (typeof value !== 'string') return undefined
  const lower = value.toLowerCase()
  return SHA256_HEX.test(lower) ? lower : undefined
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

async function fileExists(file: string): Promise<boolean> {
  try {
    return (await disk.stat(file)).isFile()
  } catch (error) {
    if (isMissing(error)) return false
    throw error
  }
}

/** Makes a rename durable (the directory entry); not every platform can open a directory. */
async function syncDirectory(dir: string): Promise<void> {
  let fd: number | undefined
  try {
    fd = await disk.open(dir, 'r', 0)
    await disk.fsync(fd)
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) await disk.close(fd)
  }
}

/**
 * What an upload does on disk, with node:fs's callback calls: each costs the main thread about
 * half what the same call through a FileHandle does (no handle object made and tracked; measured
 * in docs/performance.md, finding 22). Looked up on `fs` at each call, so tests can watch them.
 */
const disk = {
  open: (file: string, flags: string, mode: number) =>
    new Promise<number>((resolve, reject) => fs.open(file, flags, mode, (e, fd) => (e ? reject(e) : resolve(fd)))),
  close: (fd: number) => new Promise<void>((resolve, reject) => fs.close(fd, (e) => (e ? reject(e) : resolve()))),
  fsync: (fd: number) => new Promise<void>((resolve, reject) => fs.fsync(fd, (e) => (e ? reject(e) : resolve()))),
  stat: (file: string) =>
    new Promise<fs.Stats>((resolve, reject) => fs.stat(file, (e, stats) => (e ? reject(e) : resolve(stats)))),
  rename: (from: string, to: string) =>
    new Promise<void>((resolve, reject) => fs.rename(from, to, (e) => (e ? reject(e) : resolve()))),
  unlink: (file: string) => new Promise<void>((resolve, reject) => fs.unlink(file, (e) => (e ? reject(e) : resolve()))),
  mkdirs: (dir: string) =>
    new Promise<void>((resolve, reject) =>
      fs.mkdir(dir, { recursive: true, mode: 0o750 }, (e) => (e ? reject(e) : resolve())),
    ),
  /** Writes every byte (a write may take fewer than asked). */
  async writeAll(fd: number, bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; ) {
      at += await new Promise<number>((resolve, reject) =>
        fs.write(fd, bytes, at, bytes.length - at, null, (e, written) => (e ? reject(e) : resolve(written))),
      )
    }
  },
}

// ---------------------------------------------------------------------------------------------
// Download names
// ---------------------------------------------------------------------------------------------

/** Longest name kept, in UTF-8 bytes (file systems allow 255; leave room for a suffix). */
const MAX_NAME_BYTES = 180
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i

/**
 * A name for showing and downloading a file, from whatever name the person's device sent:
 * the last path segment only, without control or bidirectional-override characters, without
 * characters file systems reserve (<>:"/\|?*), not starting with a dot, at most 180 UTF-8
 * bytes with the extension kept. Chinese is kept. Empty results become `fallback`.
 */
export function safeFileName(original: string, fallback = '文件'): string {
  let name = String(original ?? '').normalize('NFC')
  name = name.split(/[/\\]/).pop() ?? ''
  name = name
    // Controls (\r\n\t…, Cc) and format characters (Cf: bidi overrides, zero-width) that disguise names
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '')
  if (!name) return fallback
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`
  return truncateName(name, MAX_NAME_BYTES)
}

function truncateName(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : ''
  const chars = Array.from(ext ? name.slice(0, dot) : name)
  const budget = maxBytes - Buffer.byteLength(ext)
  while (chars.length > 0 && Buffer.byteLength(chars.join('')) > budget) chars.pop()
  return `${chars.join('').replace(/[\s.]+$/, '')}${ext}`
}

/**
 * A Content-Disposition header value (RFC 6266) with the name in UTF-8 (RFC 5987
 * `filename*=UTF-8''…`) and an ASCII fallback for old clients.
 */
export function contentDisposition(name: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const safe = safeFileName(name)
  const ascii = safe.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_')
  const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
