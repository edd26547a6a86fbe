/**
 * The audit trail (SECURITY.md, audit trail; GB/T 22239-2019 安全审计): an append-only log whose
 * entries form a hash chain, written in the same transaction as the change they record.
 *
 * ## Canonical form (version 1)
 *
 * Each entry's `hash` is the lower-case hex SM3 (GB/T 32905-2016) of the UTF-8 bytes of
 *
 *     prev_hash + canonical
 *
 * where `prev_hash` is the previous entry's `hash` (64 zeros for the first entry) and
 * `canonical` is this JSON array, written without any whitespace:
 *
 *     ["yiwang-audit-v1", seq, id, at, actor_type, actor_id, enterprise_id, role, action,
 *      object_type, object_id, outcome, source_ip, request_id, details]
 *
 * - `seq` is a JSON number (1, 2, 3, … with no gaps); every other field is a JSON string or
 *   `null` when absent (never omitted, never an empty string standing for "none");
 * - `at` is the UTC time as `Date#toISOString()` writes it: `2026-11-27T03:04:05.678Z`;
 * - `details` is a JSON object whose keys are sorted (JavaScript's default sort, i.e. by UTF-16
 *   code units) at every depth, with members whose value is `undefined` left out;
 * - strings and numbers are written as `JSON.stringify` writes them.
 *
 * The `details` column stores this same canonical JSON text. The verifier re-reads it with
 * `JSON.parse` and writes it canonically again, so PostgreSQL's jsonb (which reorders keys) reads
 * back to the same bytes.
 *
 * Concurrency: the chain's head is one row (`audit_chain_head`). appendAudit reads it with
 * `SELECT … FOR UPDATE` on PostgreSQL, so concurrent transactions append one after another and
 * commit in `seq` order; on SQLite every write transaction already holds the database's write
 * lock from its start (BEGIN IMMEDIATE, see db/database.ts).
 */
import { createHash } from 'node:crypto'
import type { Actor } from '../auth/principal.js'
import { type DbOrTrx, dialectOf, type Trx } from '../db/database.js'
import { insertRow, type Placeholders, prepared } from '../db/prepared.js'
import { newId } from '../ids.js'
import type { AuditActorType, AuditLogTable, AuditOutcome } from './audit.tables.js'

export type { AuditActorType, AuditOutcome } from './audit.tables.js'

/** `prev_hash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64)
/** The first element of the canonical array: names the serialisation, so it can evolve. */
export const CANONICAL_VERSION = 'yiwang-audit-v1'

/**
 * Who acted. `id` is the person id for a person, the staff id for staff, the component for
 * `system` (e.g. `sweep:deadlines`) and null for an anonymous request.
 */
export interface AuditActor {
  type: AuditActorType
  id?: string | null
  enterpriseId?: string | null
  /** The role the actor acted in (e.g. `reviewer`), when it matters for the action. */
  role?: string | null
}

export interface AuditEntryInput {
  /** When it happened: `deps.clock.now()`. */
  at: Date
  actor: AuditActor
  /** `<object>.<verb>` in lower case, e.g. `application.accept`, `identity.login_failed`. */
  action: string
  /** The record acted on, when there is one. */
  object?: { type: string; id: string } | null
  /** Defaults to `success`. */
  outcome?: AuditOutcome
  sourceIp?: string | null
  requestId?: string | null
  /**
   * What else an auditor needs (state from → to, reason code, counts). Never personal data:
   * keys such as idNumber, mobile, password are refused (see FORBIDDEN_DETAIL_KEYS).
   */
  details?: Record<string, unknown>
}

/** A stored entry, as read back. */
export interface AuditRecord {
  seq: number
  id: string
  at: string
  actorType: AuditActorType
  actorId: string | null
  enterpriseId: string | null
  role: string | null
  action: string
  objectType: string | null
  objectId: string | null
  outcome: AuditOutcome
  sourceIp: string | null
  requestId: string | null
  details: Record<string, unknown>
  prevHash: string
  hash: string
}

/** The actor of a business action (principal.ts `Actor`) as the audit trail records it. */
export function auditActorOf(actor: Actor | undefined, role?: string | null): AuditActor {
  if (actor?.staffId) return { type: 'staff', id: actor.staffId, enterpriseId: actor.enterpriseId, role }
  if (actor?.personId) return { type: 'person', id: actor.personId, enterpriseId: actor.enterpriseId, role }
  return { type: 'anonymous', id: null, role }
}

/** The platform itself acting (a sweep, a migration, a command), named by component. */
export function systemActor(component: string): AuditActor {
  return { type: 'system', id: component }
}

// ---------------------------------------------------------------------------------------------
// Personal-data guard

/**
 * Detail keys that name personal data or secrets (PIPL; SECURITY.md: never written to logs).
 * Compared in lower case with `_` and `-` removed, at any depth of `details`.
 */
export const FORBIDDEN_DETAIL_KEYS: ReadonlySet<string> = new Set([
  'idnumber',
  'idno',
  'idcard',
  'idcardno',
  'identitynumber',
  'citizenid',
  'passport',
  'passportnumber',
  'mobile',
  'mobileno',
  'phone',
  'phonenumber',
  'telephone',
  'tel',
  'email',
  'address',
  'realname',
  'fullname',
  'birthdate',
  'bankaccount',
  'bankcard',
  'password',
  'passwordhash',
  'oldpassword',
  'newpassword',
  'secret',
  'totpsecret',
  'otp',
  'smscode',
  'token',
  'accesstoken',
  'refreshtoken',
  'sessionid',
  'cookie',
])

const REMOVED = '[已移除 / removed]'

/**
 * Finds forbidden keys in `details`. In development and test a forbidden key is a bug and
 * throws; in production the value is replaced, so the entry (and the change) is still recorded
 * without the data.
 */
function guardDetails(value: unknown, pathSoFar: string, production: boolean): unknown {
  if (Array.isArray(value)) return value.map((v, i) => guardDetails(v, `${pathSoFar}[${i}]`, production))
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    const where = pathSoFar ? `${pathSoFar}.${key}` : key
    if (FORBIDDEN_DETAIL_KEYS.has(key.toLowerCase().replace(/[_-]/g, ''))) {
      if (!production) {
        throw new Error(
          `审计详情不得包含个人信息或密钥（字段 ${where}） / audit details must not carry personal data or secrets (key "${where}")`,
        )
      }
      out[key] = REMOVED
    } else {
      out[key] = guardDetails(v, where, production)
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Canonical serialisation and hashing

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Text both databases store unchanged: lone UTF-16 surrogates (not encodable in UTF-8) and NUL
 * (refused by PostgreSQL) become U+FFFD. Otherwise the stored text would differ from the text
 * that was hashed.
 */
function storable(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD')
}

function storableOrNull(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : storable(String(text))
}

/** Plain JSON value with every string (and key) storable. */
function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storable(value)
  if (Array.isArray(value)) return value.map(storableJson)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storableJson(v)]))
  }
  return value
}

/** JSON with object keys sorted at every depth and no whitespace (see the canonical form above). */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`)
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
    }
    default:
      throw new Error(`not a JSON value: ${typeof value}`)
  }
}

type HashedFields = Omit<AuditLogTable, 'hash' | 'details'> & { details: unknown }

/** The canonical text of an entry (everything but prev_hash and hash). */
export function canonicalEntry(entry: HashedFields): string {
  return canonicalJson([
    CANONICAL_VERSION,
    entry.seq,
    entry.id,
    entry.at,
    entry.actorType,
    entry.actorId,
    entry.enterpriseId,
    entry.role,
    entry.action,
    entry.objectType,
    entry.objectId,
    entry.outcome,
    entry.sourceIp,
    entry.requestId,
    entry.details,
  ])
}

/** SM3(prev_hash + canonical), lower-case hex. */
export function hashEntry(entry: HashedFields): string {
  return createHash('sm3').update(entry.prevHash, 'utf8').update(canonicalEntry(entry), 'utf8').digest('hex')
}

// ---------------------------------------------------------------------------------------------
// Appending

const ACTOR_TYPES: readonly AuditActorType[] = ['person', 'staff', 'system', 'anonymous']
const OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'denied']
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/

function isProduction(): boolean {
  return process.env.NODE_ENV === 'production'
}

// The chain head's statements, built once (docs/performance.md, finding 19).
const chainHead = prepared((db, _p: Placeholders<Record<string, never>>) =>
  db.selectFrom('auditChainHead').select(['lastSeq', 'lastHash']).where('id', '=', 1),
)
const chainHeadForUpdate = prepared((db, _p: Placeholders<Record<string, never>>) =>
  db.selectFrom('auditChainHead').select(['lastSeq', 'lastHash']).where('id', '=', 1).forUpdate(),
)
const moveChainHead = prepared((db, p: Placeholders<{ seq: number; hash: string; previousSeq: number }>) =>
  db
    .updateTable('auditChainHead')
    .set({ lastSeq: p.seq, lastHash: p.hash })
    .where('id', '=', 1)
    .where('lastSeq', '=', p.previousSeq),
)

/**
 * Appends one entry to the audit trail, inside the caller's transaction: the entry exists if and
 * only if the change it records is committed. Returns the stored entry.
 *
 * Throws (a programming error, not a user's) when called outside a transaction, when the action,
 * actor type, outcome or time is malformed, or — outside production — when `details` carries a
 * personal-data key.
 */
export async function appendAudit(trx: Trx, input: AuditEntryInput): Promise<AuditRecord> {
  if (!trx.isTransaction) {
    throw new Error('appendAudit 必须在业务事务内调用 / appendAudit must run inside the caller’s transaction')
  }
  if (!ACTION.test(input.action) || input.action.length > 100) {
    throw new Error(`审计动作名称不合规 / bad audit action "${input.action}" (expected e.g. application.accept)`)
  }
  if (!ACTOR_TYPES.includes(input.actor.type)) throw new Error(`bad audit actor type "${input.actor.type}"`)
  const outcome = input.outcome ?? 'success'
  if (!OUTCOMES.includes(outcome)) throw new Error(`bad audit outcome "${outcome}"`)
  if (!(input.at instanceof Date) || Number.isNaN(input.at.getTime())) throw new Error('bad audit time')

  // JSON round trip first: what toJSON gives is what is stored (Dates become strings, undefined goes).
  const plain = JSON.parse(JSON.stringify(input.details ?? {})) as unknown
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new Error('审计详情必须是对象 / audit details must be an object')
  }
  const details = storableJson(guardDetails(plain, '', isProduction())) as Record<string, unknown>

  const head = await (dialectOf(trx) === 'postgres' ? chainHeadForUpdate : chainHead).executeTakeFirst(trx, {})
  if (!head) throw new Error('审计链头缺失（请先运行 migrate） / audit chain head missing (run migrate)')

  const fields: HashedFields = {
    seq: Number(head.lastSeq) + 1,
    id: newId(),
    at: input.at.toISOString(),
    actorType: input.actor.type,
    actorId: storableOrNull(input.actor.id),
    enterpriseId: storableOrNull(input.actor.enterpriseId),
    role: storableOrNull(input.actor.role),
    action: input.action,
    objectType: storableOrNull(input.object?.type),
    objectId: storableOrNull(input.object?.id),
    outcome,
    sourceIp: storableOrNull(input.sourceIp),
    requestId: storableOrNull(input.requestId),
    details,
    prevHash: head.lastHash,
  }
  const hash = hashEntry(fields)
  await insertRow(trx, 'auditLog', { ...fields, details: canonicalJson(details), hash })
  // Guarded by last_seq as well: should two writers ever read the same head, one fails here.
  const moved = await moveChainHead.execute(trx, { seq: fields.seq, hash, previousSeq: head.lastSeq })
  if (Number(moved.numAffectedRows) !== 1) {
    throw new Error('审计链头被并发修改 / audit chain head changed concurrently')
  }
  return { ...fields, details, hash }
}

// ---------------------------------------------------------------------------------------------
// Verifying

export type AuditBreak =
  /** The entry's content does not give its stored hash: it was modified. */
  | 'hash_mismatch'
  /** The entry does not link to the one before it: something before it was changed, removed or moved. */
  | 'prev_hash_mismatch'
  /** Entries are missing before this one (deleted). */
  | 'seq_gap'
  /** An entry whose seq is out of order (inserted). */
  | 'unexpected_seq'
  /** The head records more entries than exist: the tail was deleted. */
  | 'tail_missing'
  /** Entries exist after the one the head records: appended by going around appendAudit. */
  | 'beyond_head'
  /** The head's hash is not the last entry's hash. */
  | 'head_mismatch'
  /** The head row is gone. */
  | 'head_missing'
  /** The entry's hash differs from a value recorded elsewhere (an anchor). */
  | 'anchor_mismatch'

export interface AuditChainBroken {
  /** seq of the first entry that fails (for a deleted tail: the first missing seq). */
  seq: number
  /** Its id; null when the entry itself is missing. */
  id: string | null
  code: AuditBreak
  /** 中文 / English. */
  reason: string
}

export type AuditChainResult =
  | { ok: true; count: number; head: { seq: number; hash: string } }
  | { ok: false; count: number; firstBroken: AuditChainBroken }

export interface VerifyAuditOptions {
  /** Called after each page with the entries checked so far and the head's count at the start. */
  onProgress?: (checked: number, total: number) => void
  /** Entries read per query (default 1000): memory stays flat however long the chain. */
  pageSize?: number
  /**
   * A head recorded earlier (printed by verify-audit, kept in each backup's manifest). Whoever
   * can write the database could recompute the whole chain; comparing with a copy kept elsewhere
   * detects that.
   */
  anchor?: { seq: number; hash: string }
}

async function readHead(db: DbOrTrx) {
  return db.selectFrom('auditChainHead').select(['lastSeq', 'lastHash']).where('id', '=', 1).executeTakeFirst()
}

/** The chain's head: the last entry's seq and hash (0 and 64 zeros when empty). */
export async function getAuditHead(db: DbOrTrx): Promise<{ seq: number; hash: string } | undefined> {
  const head = await readHead(db)
  return head && { seq: Number(head.lastSeq), hash: head.lastHash }
}

function recomputedHash(row: AuditLogTable): string | undefined {
  try {
    return hashEntry({ ...row, seq: Number(row.seq), details: JSON.parse(row.details) })
  } catch {
    return undefined
  }
}

/**
 * Walks the whole chain in seq order, one page at a time, and names the first entry that breaks
 * it: a modified entry (its hash), a deleted one (a gap in seq, or a prev_hash that no longer
 * links), a reordered or inserted one (seq or prev_hash out of place), a deleted tail (the head
 * records more), and entries slipped in after the head. Entries appended while it runs are
 * checked too.
 */
export async function verifyAuditChain(db: DbOrTrx, options: VerifyAuditOptions = {}): Promise<AuditChainResult> {
  const pageSize = options.pageSize ?? 1000
  const startHead = await readHead(db)
  if (!startHead) {
    return {
      ok: false,
      count: 0,
      firstBroken: {
        seq: 0,
        id: null,
        code: 'head_missing',
        reason: '审计链头记录缺失 / the audit chain head row is missing',
      },
    }
  }
  const total = Number(startHead.lastSeq)
  let count = 0
  let lastSeq = 0
  let lastId: string | null = null
  let prevHash = GENESIS_HASH
  const broken = (seq: number, id: string | null, code: AuditBreak, reason: string): AuditChainResult => ({
    ok: false,
    count,
    firstBroken: { seq, id, code, reason },
  })

  for (;;) {
    let page = db.selectFrom('auditLog').selectAll().orderBy('seq').limit(pageSize)
    if (count > 0) page = page.where('seq', '>', lastSeq)
    const rows = await page.execute()
    for (const row of rows) {
      const seq = Number(row.seq)
      const expected = lastSeq + 1
      if (seq > expected) {
        return broken(
          seq,
          row.id,
          'seq_gap',
          `第 ${expected}${seq - 1 > expected ? `–${seq - 1}` : ''} 条缺失（被删除） / entries ${expected}${seq - 1 > expected ? `–${seq - 1}` : ''} are missing (deleted) before this entry`,
        )
      }
      if (seq < expected) {
        return broken(
          seq,
          row.id,
          'unexpected_seq',
          `序号 ${seq} 不在应有位置（被插入） / seq ${seq} is out of place (inserted entry)`,
        )
      }
      if (row.prevHash !== prevHash) {
        return broken(
          seq,
          row.id,
          'prev_hash_mismatch',
          `本条记录的前一哈希与上一条${lastSeq ? `（第 ${lastSeq} 条）` : '（链首）'}不符：其前的条目被修改、删除、插入或调换 / prev_hash does not match ${lastSeq ? `entry ${lastSeq}` : 'the genesis hash'}: an entry before it was modified, deleted, inserted or reordered`,
        )
      }
      if (recomputedHash(row) !== row.hash) {
        return broken(
          seq,
          row.id,
          'hash_mismatch',
          '本条记录内容与其哈希不符（被修改） / the entry’s content does not match its hash (modified)',
        )
      }
      if (options.anchor && options.anchor.seq === seq && options.anchor.hash !== row.hash) {
        return broken(
          seq,
          row.id,
          'anchor_mismatch',
          '本条哈希与此前记录的锚点不符（整条链可能被重算） / the hash differs from the anchor recorded earlier (the chain may have been rewritten)',
        )
      }
      prevHash = row.hash
      lastSeq = seq
      lastId = row.id
      count++
    }
    if (rows.length > 0) options.onProgress?.(count, Math.max(total, count))
    if (rows.length === pageSize) continue

    // The end of what we can see. The head is written in the same transaction as each entry,
    // so a head read now covers every entry read so far.
    const head = await readHead(db)
    if (!head) return broken(lastSeq, lastId, 'head_missing', '审计链头记录缺失 / the audit chain head row is missing')
    const headSeq = Number(head.lastSeq)
    if (headSeq > lastSeq) {
      // Entries committed since the last page, or a deleted tail: look once more.
      const more = await db.selectFrom('auditLog').select('seq').where('seq', '>', lastSeq).limit(1).execute()
      if (more.length > 0) continue
      return broken(
        lastSeq + 1,
        null,
        'tail_missing',
        `链头记录共 ${headSeq} 条，但第 ${lastSeq + 1}${headSeq > lastSeq + 1 ? `–${headSeq}` : ''} 条不存在（末尾被删除） / the head records ${headSeq} entries but entries ${lastSeq + 1}${headSeq > lastSeq + 1 ? `–${headSeq}` : ''} are missing (tail deleted)`,
      )
    }
    if (headSeq < lastSeq) {
      const first = await db
        .selectFrom('auditLog')
        .select('id')
        .where('seq', '=', headSeq + 1)
        .executeTakeFirst()
      return broken(
        headSeq + 1,
        first?.id ?? null,
        'beyond_head',
        `链头只记录到第 ${headSeq} 条，其后的条目未经正常途径写入 / the head ends at entry ${headSeq}; entries after it were not written through the audit trail`,
      )
    }
    if (head.lastHash !== prevHash) {
      return broken(
        lastSeq,
        lastId,
        'head_mismatch',
        '链头记录的哈希与最后一条不符 / the head’s hash does not match the last entry',
      )
    }
    if (options.anchor && options.anchor.seq > lastSeq) {
      return broken(
        options.anchor.seq,
        null,
        'anchor_mismatch',
        `锚点第 ${options.anchor.seq} 条不存在（末尾被删除？） / the anchor’s entry ${options.anchor.seq} does not exist (tail deleted?)`,
      )
    }
    return { ok: true, count, head: { seq: lastSeq, hash: prevHash } }
  }
}

// ---------------------------------------------------------------------------------------------
// Listing

export interface AuditFilters {
  objectType?: string
  objectId?: string
  actorId?: string
  action?: string
  outcome?: AuditOutcome
  /** From this time (inclusive). */
  from?: Date | string
  /** Up to this time (exclusive). */
  to?: Date | string
  /** Page size, 1–500 (default 50). */
  limit?: number
  /** `nextCursor` of the previous page. */
  cursor?: string | null
}

export interface AuditPage {
  entries: AuditRecord[]
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null
}

function isoOf(value: Date | string, name: string): string {
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) throw new Error(`bad ${name} time`)
  return date.toISOString()
}

function encodeCursor(at: string, seq: number): string {
  return Buffer.from(`${at}|${seq}`, 'utf8').toString('base64url')
}

function decodeCursor(cursor: string): { at: string; seq: number } | undefined {
  const [at, seq] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  const n = Number(seq)
  if (!at || !Number.isSafeInteger(n) || Number.isNaN(new Date(at).getTime())) return undefined
  return { at: new Date(at).toISOString(), seq: n }
}

function toRecord(row: AuditLogTable): AuditRecord {
  let details: Record<string, unknown>
  try {
    details = JSON.parse(row.details) as Record<string, unknown>
  } catch {
    details = {}
  }
  return { ...row, seq: Number(row.seq), details }
}

/**
 * Entries matching every given filter, newest first (by time, then seq), a page at a time.
 * Each filter is backed by an index: (object_type, object_id), (actor_id, at), (action, at), (at).
 * An unreadable cursor starts from the newest entry.
 */
export async function listAudit(db: DbOrTrx, filters: AuditFilters = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(Math.trunc(filters.limit ?? 50), 1), 500)
  let query = db.selectFrom('auditLog').selectAll()
  if (filters.objectType !== undefined) query = query.where('objectType', '=', filters.objectType)
  if (filters.objectId !== undefined) query = query.where('objectId', '=', filters.objectId)
  if (filters.actorId !== undefined) query = query.where('actorId', '=', filters.actorId)
  if (filters.action !== undefined) query = query.where('action', '=', filters.action)
  if (filters.outcome !== undefined) query = query.where('outcome', '=', filters.outcome)
  if (filters.from !== undefined) query = query.where('at', '>=', isoOf(filters.from, 'from'))
  if (filters.to !== undefined) query = query.where('at', '<', isoOf(filters.to, 'to'))
  const cursor = filters.cursor ? decodeCursor(filters.cursor) : undefined
  if (cursor) {
    query = query.where((eb) =>
      eb.or([eb('at', '<', cursor.at), eb.and([eb('at', '=', cursor.at), eb('seq', '<', cursor.seq)])]),
    )
  }
  const rows = await query
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .limit(limit + 1)
    .execute()
  const entries = rows.slice(0, limit).map(toRecord)
  const last = entries.at(-1)
  return { entries, nextCursor: rows.length > limit && last ? encodeCursor(last.at, last.seq) : null }
}
