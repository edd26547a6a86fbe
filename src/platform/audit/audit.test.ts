import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../test/helpers.js'
import { type Db, type Trx, transaction } from '../db/database.js'
import {
  type AuditChainResult,
  type AuditEntryInput,
  appendAudit,
  auditActorOf,
  GENESIS_HASH,
  getAuditHead,
  hashEntry,
  listAudit,
  systemActor,
  verifyAuditChain,
} from './audit.js'
import type { AuditLogTable } from './audit.tables.js'

const T0 = Date.parse('2026-03-02T02:00:00.000Z')

function entry(i: number, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    at: new Date(T0 + i * 1000),
    actor: i % 3 === 0 ? systemActor('sweep:test') : { type: 'staff', id: `staff-${i % 5}`, role: 'reviewer' },
    action: i % 2 ? 'application.accept' : 'application.submit',
    object: { type: 'application', id: `app-${i % 7}` },
    outcome: 'success',
    sourceIp: '10.0.0.1',
    requestId: `req-${i}`,
    details: { n: i, from: 'submitted', to: 'accepted', nested: { z: 1, a: [3, { y: 'ü', b: null }] } },
    ...overrides,
  }
}

/** Appends `count` entries, `perTransaction` at a time. */
async function appendMany(db: Db, count: number, perTransaction = 50, start = 0): Promise<void> {
  for (let done = 0; done < count; done += perTransaction) {
    await transaction(db, async (trx) => {
      for (let i = done; i < Math.min(count, done + perTransaction); i++) await appendAudit(trx, entry(start + i))
    })
  }
}

/** The append-only triggers stand in the way of a tamper test; an attacker with DDL rights drops them too. */
async function allowTampering(trx: Trx): Promise<void> {
  if (onPostgres) {
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx)
  } else {
    await sql`drop trigger audit_log_no_update`.execute(trx)
    await sql`drop trigger audit_log_no_delete`.execute(trx)
  }
}

class Rollback extends Error {}

/** Tampers inside a transaction, verifies there, and rolls everything back. */
async function verifyTampered(db: Db, tamper: (trx: Trx) => Promise<void>, pageSize = 64): Promise<AuditChainResult> {
  let result: AuditChainResult | undefined
  try {
    await transaction(db, async (trx) => {
      await allowTampering(trx)
      await tamper(trx)
      result = await verifyAuditChain(trx, { pageSize })
      throw new Rollback()
    })
  } catch (error) {
    if (!(error instanceof Rollback)) throw error
  }
  if (!result) throw new Error('no result')
  return result
}

async function rowAt(db: Db | Trx, seq: number): Promise<AuditLogTable> {
  return db.selectFrom('auditLog').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow()
}

async function setField(trx: Trx, seq: number, values: Partial<AuditLogTable>): Promise<void> {
  await trx.updateTable('auditLog').set(values).where('seq', '=', seq).execute()
}

async function swapContents(trx: Trx, a: number, b: number): Promise<void> {
  const [ra, rb] = [await rowAt(trx, a), await rowAt(trx, b)]
  await trx.deleteFrom('auditLog').where('seq', 'in', [a, b]).execute()
  await trx
    .insertInto('auditLog')
    .values([
      { ...rb, seq: a },
      { ...ra, seq: b },
    ])
    .execute()
}

/** Makes room at `seq` by renumbering the entries from it on, and puts a well-formed forged entry there. */
async function insertForged(trx: Trx, seq: number): Promise<void> {
  await trx
    .updateTable('auditLog')
    .set((eb) => ({ seq: eb('seq', '+', 1_000_000) }))
    .where('seq', '>=', seq)
    .execute()
  await trx
    .updateTable('auditLog')
    .set((eb) => ({ seq: eb('seq', '-', 999_999) }))
    .where('seq', '>=', 1_000_000)
    .execute()
  const before = seq > 1 ? await rowAt(trx, seq - 1) : undefined
  const forged = {
    seq,
    id: `forged-${seq}`,
    at: new Date(T0).toISOString(),
    actorType: 'staff' as const,
    actorId: 'intruder',
    enterpriseId: null,
    role: null,
    action: 'application.accept',
    objectType: 'application',
    objectId: 'app-x',
    outcome: 'success' as const,
    sourceIp: null,
    requestId: null,
    details: {},
    prevHash: before?.hash ?? GENESIS_HASH,
  }
  await trx
    .insertInto('auditLog')
    .values({ ...forged, details: '{}', hash: hashEntry(forged) })
    .execute()
}

function expectBrokenAt(result: AuditChainResult, seq: number, code?: string): void {
  expect(result.ok).toBe(false)
  if (result.ok) return
  expect(result.firstBroken.seq).toBe(seq)
  if (code) expect(result.firstBroken.code).toBe(code)
  expect(result.firstBroken.reason).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/)
}

describe('appendAudit', () => {
  let tdb: TestDatabase
  beforeAll(async () => {
    tdb = await createTestDatabase()
  })
  afterAll(() => tdb.drop())

  it('starts from the genesis hash and keeps a valid chain over many appends', async () => {
    expect(await verifyAuditChain(tdb.db)).toEqual({ ok: true, count: 0, head: { seq: 0, hash: GENESIS_HASH } })
    await appendMany(tdb.db, 120, 7)
    const result = await verifyAuditChain(tdb.db, { pageSize: 25 })
    expect(result).toMatchObject({ ok: true, count: 120 })
    const first = await rowAt(tdb.db, 1)
    expect(first.prevHash).toBe(GENESIS_HASH)
    const head = await getAuditHead(tdb.db)
    expect(head).toEqual({ seq: 120, hash: (await rowAt(tdb.db, 120)).hash })
  })

  it('hashes the documented canonical form with SM3', async () => {
    const stored = await transaction(tdb.db, (trx) =>
      appendAudit(trx, {
        at: new Date('2026-11-27T03:04:05.678Z'),
        actor: { type: 'person', id: 'p-1', enterpriseId: 'e-1' },
        action: 'application.submit',
        object: { type: 'application', id: 'a-1' },
        requestId: 'r-1',
        details: { to: 'submitted', from: 'draft', list: [{ b: 2, a: 1 }] },
      }),
    )
    const canonical =
      `["yiwang-audit-v1",${stored.seq},"${stored.id}","2026-11-27T03:04:05.678Z","person","p-1","e-1",null,` +
      '"application.submit","application","a-1","success",null,"r-1",' +
      '{"from":"draft","list":[{"a":1,"b":2}],"to":"submitted"}]'
    const expected = createHash('sm3').update(`${stored.prevHash}${canonical}`, 'utf8').digest('hex')
    expect(stored.hash).toBe(expected)
    expect((await rowAt(tdb.db, stored.seq)).hash).toBe(expected)
  })

  it('leaves no entry when the transaction rolls back, and the chain stays whole', async () => {
    const before = await getAuditHead(tdb.db)
    await expect(
      transaction(tdb.db, async (trx) => {
        await appendAudit(trx, entry(1000))
        throw new Error('business rule failed')
      }),
    ).rejects.toThrow('business rule failed')
    expect(await getAuditHead(tdb.db)).toEqual(before)
    const after = await transaction(tdb.db, (trx) => appendAudit(trx, entry(1001)))
    expect(after.seq).toBe(before!.seq + 1)
    expect(await verifyAuditChain(tdb.db)).toMatchObject({ ok: true, count: after.seq })
  })

  it('keeps one unbroken chain when many transactions append at once', async () => {
    const before = (await getAuditHead(tdb.db))!.seq
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        transaction(tdb.db, async (trx) => {
          // Some work in the transaction before and after, so they really overlap on PostgreSQL.
          if (onPostgres) await sql`select pg_sleep(0.01)`.execute(trx)
          await appendAudit(trx, entry(2000 + i))
          await appendAudit(trx, entry(3000 + i))
          if (onPostgres) await sql`select pg_sleep(0.005)`.execute(trx)
        }),
      ),
    )
    const result = await verifyAuditChain(tdb.db, { pageSize: 16 })
    expect(result).toMatchObject({ ok: true, count: before + 40 })
    const ids = await tdb.db.selectFrom('auditLog').select('requestId').where('seq', '>', before).execute()
    expect(new Set(ids.map((r) => r.requestId)).size).toBe(40)
  })

  it('refuses to write outside a transaction', async () => {
    await expect(appendAudit(tdb.db as unknown as Trx, entry(1))).rejects.toThrow(/transaction/)
  })

  it('refuses personal data and secrets in details', async () => {
    for (const details of [
      { idNumber: '445103199001011234' },
      { applicant: { mobile: '13800138000' } },
      { list: [{ new_password: 'x' }] },
      { ID_CARD: 'x' },
    ]) {
      await expect(transaction(tdb.db, (trx) => appendAudit(trx, entry(1, { details })))).rejects.toThrow(
        /个人信息.*personal data/,
      )
    }
  })

  it('refuses a malformed action', async () => {
    await expect(transaction(tdb.db, (trx) => appendAudit(trx, entry(1, { action: 'Accept!' })))).rejects.toThrow(
      /action/,
    )
  })

  it('stores text both databases keep unchanged, so odd input cannot break the chain', async () => {
    await transaction(tdb.db, (trx) =>
      appendAudit(trx, {
        ...entry(1),
        object: { type: 'application', id: 'a\u0000b\uD800' },
        details: { note: 'x\u0000\uDC00y', when: new Date(T0), skip: undefined, n: 1.5e300 },
      }),
    )
    expect(await verifyAuditChain(tdb.db)).toMatchObject({ ok: true })
  })

  it('refuses UPDATE and DELETE on stored entries (append-only)', async () => {
    await expect(tdb.db.updateTable('auditLog').set({ action: 'x.y' }).where('seq', '=', 1).execute()).rejects.toThrow(
      /append-only/,
    )
    await expect(tdb.db.deleteFrom('auditLog').where('seq', '=', 1).execute()).rejects.toThrow(/append-only/)
  })

  it('lists entries by object, actor, action and time, newest first, a page at a time', async () => {
    const staff = auditActorOf({ staffId: 'staff-list', channel: 'window' }, 'reviewer')
    await transaction(tdb.db, async (trx) => {
      for (let i = 0; i < 5; i++) {
        await appendAudit(trx, entry(5000 + i, { actor: staff, object: { type: 'license', id: 'lic-1' } }))
      }
    })
    const first = await listAudit(tdb.db, { objectType: 'license', objectId: 'lic-1', limit: 2 })
    expect(first.entries.map((e) => e.requestId)).toEqual(['req-5004', 'req-5003'])
    expect(first.entries[0]).toMatchObject({ actorType: 'staff', actorId: 'staff-list', role: 'reviewer' })
    expect(first.entries[0]!.details).toMatchObject({ n: 5004 })
    const second = await listAudit(tdb.db, {
      objectType: 'license',
      objectId: 'lic-1',
      limit: 2,
      cursor: first.nextCursor,
    })
    expect(second.entries.map((e) => e.requestId)).toEqual(['req-5002', 'req-5001'])
    const third = await listAudit(tdb.db, {
      objectType: 'license',
      objectId: 'lic-1',
      limit: 2,
      cursor: second.nextCursor,
    })
    expect(third.entries.map((e) => e.requestId)).toEqual(['req-5000'])
    expect(third.nextCursor).toBeNull()

    const byActor = await listAudit(tdb.db, { actorId: 'staff-list', action: 'application.submit' })
    expect(byActor.entries.map((e) => e.requestId)).toEqual(['req-5004', 'req-5002', 'req-5000'])
    const byTime = await listAudit(tdb.db, {
      actorId: 'staff-list',
      from: new Date(T0 + 5001 * 1000),
      to: new Date(T0 + 5003 * 1000).toISOString(),
    })
    expect(byTime.entries.map((e) => e.requestId)).toEqual(['req-5002', 'req-5001'])
  })
})

describe('verifyAuditChain', () => {
  let tdb: TestDatabase
  const N = 30
  beforeAll(async () => {
    tdb = await createTestDatabase()
    await appendMany(tdb.db, N, 10)
  })
  afterAll(() => tdb.drop())

  it('reports progress page by page and accepts a matching anchor', async () => {
    const progress: number[] = []
    const anchor = { seq: 12, hash: (await rowAt(tdb.db, 12)).hash }
    const result = await verifyAuditChain(tdb.db, { pageSize: 7, anchor, onProgress: (n) => progress.push(n) })
    expect(result).toMatchObject({ ok: true, count: N })
    expect(progress).toEqual([7, 14, 21, 28, 30])
  })

  it('names a modified entry', async () => {
    const result = await verifyTampered(tdb.db, (trx) => setField(trx, 11, { details: '{"n":999}' }))
    expectBrokenAt(result, 11, 'hash_mismatch')
    if (!result.ok) expect(result.firstBroken.id).toBe((await rowAt(tdb.db, 11)).id)
    expect(result.count).toBe(10)
  })

  it('names the entry after one modified with its own hash recomputed', async () => {
    const result = await verifyTampered(tdb.db, async (trx) => {
      const row = await rowAt(trx, 5)
      const changed = { ...row, actorId: 'someone-else', details: JSON.parse(row.details) }
      await setField(trx, 5, { actorId: 'someone-else', hash: hashEntry(changed) })
    })
    expectBrokenAt(result, 6, 'prev_hash_mismatch')
  })

  it('names the entry after a deleted one', async () => {
    expectBrokenAt(
      await verifyTampered(tdb.db, (trx) => trx.deleteFrom('auditLog').where('seq', '=', 9).execute().then()),
      10,
      'seq_gap',
    )
    expectBrokenAt(
      await verifyTampered(tdb.db, (trx) => trx.deleteFrom('auditLog').where('seq', '=', 1).execute().then()),
      2,
      'seq_gap',
    )
  })

  it('names the first of two entries whose contents were swapped', async () => {
    expectBrokenAt(await verifyTampered(tdb.db, (trx) => swapContents(trx, 4, 17)), 4, 'prev_hash_mismatch')
    expectBrokenAt(await verifyTampered(tdb.db, (trx) => swapContents(trx, 20, 21)), 20, 'prev_hash_mismatch')
  })

  it('names an inserted entry, even a well-formed one', async () => {
    // A forged entry with a correct hash links to its predecessor; the next one no longer does.
    expectBrokenAt(await verifyTampered(tdb.db, (trx) => insertForged(trx, 8)), 9, 'prev_hash_mismatch')
    expectBrokenAt(
      await verifyTampered(tdb.db, async (trx) => {
        await insertForged(trx, 8)
        await setField(trx, 8, { prevHash: 'f'.repeat(64) })
      }),
      8,
      'prev_hash_mismatch',
    )
    expectBrokenAt(
      await verifyTampered(tdb.db, async (trx) => {
        const row = await rowAt(trx, 3)
        await trx
          .insertInto('auditLog')
          .values({ ...row, seq: 0, id: 'forged-0' })
          .execute()
      }),
      0,
      'unexpected_seq',
    )
  })

  it('names entries appended around appendAudit (after the head)', async () => {
    const result = await verifyTampered(tdb.db, async (trx) => {
      const last = await rowAt(trx, N)
      const forged = { ...last, seq: N + 1, id: 'forged-tail', prevHash: last.hash, details: {} }
      await trx
        .insertInto('auditLog')
        .values({ ...forged, details: '{}', hash: hashEntry(forged) })
        .execute()
    })
    expectBrokenAt(result, N + 1, 'beyond_head')
    if (!result.ok) expect(result.firstBroken.id).toBe('forged-tail')
  })

  it('names a deleted tail, and a head rewound without its hash', async () => {
    const result = await verifyTampered(tdb.db, (trx) =>
      trx
        .deleteFrom('auditLog')
        .where('seq', '>', N - 3)
        .execute()
        .then(),
    )
    expectBrokenAt(result, N - 2, 'tail_missing')
    if (!result.ok) expect(result.firstBroken.id).toBeNull()

    expectBrokenAt(
      await verifyTampered(tdb.db, async (trx) => {
        await trx
          .deleteFrom('auditLog')
          .where('seq', '>', N - 3)
          .execute()
        await trx
          .updateTable('auditChainHead')
          .set({ lastSeq: N - 3 })
          .execute()
      }),
      N - 3,
      'head_mismatch',
    )
    expectBrokenAt(
      await verifyTampered(tdb.db, (trx) => trx.deleteFrom('auditChainHead').execute().then()),
      0,
      'head_missing',
    )
  })

  it('names the entry where a rewritten chain departs from an anchor', async () => {
    const anchor = { seq: 12, hash: 'a'.repeat(64) }
    const result = await verifyAuditChain(tdb.db, { anchor })
    expectBrokenAt(result, 12, 'anchor_mismatch')
  })
})

/** Small, seedable PRNG (mulberry32), so a failing run can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('verifyAuditChain against random tampering', () => {
  let tdb: TestDatabase
  const N = 300
  beforeAll(async () => {
    tdb = await createTestDatabase()
    await appendMany(tdb.db, N, 100)
  })
  afterAll(() => tdb.drop())

  it('detects each of 200 random tamperings of a 300-entry chain and names where it starts', async () => {
    const seed = Number(process.env.AUDIT_TAMPER_SEED ?? Date.now() % 1_000_000)
    const random = prng(seed)
    const pick = (from: number, to: number) => from + Math.floor(random() * (to - from + 1))
    const fields: (keyof AuditLogTable)[] = [
      'id',
      'at',
      'actorType',
      'actorId',
      'enterpriseId',
      'role',
      'action',
      'objectType',
      'objectId',
      'outcome',
      'sourceIp',
      'requestId',
      'details',
      'prevHash',
      'hash',
    ]
    const modified = (row: AuditLogTable, field: keyof AuditLogTable): Partial<AuditLogTable> => {
      switch (field) {
        case 'at':
          return { at: new Date(Date.parse(row.at) + 1).toISOString() }
        case 'actorType':
          return { actorType: row.actorType === 'staff' ? 'person' : 'staff' }
        case 'outcome':
          return { outcome: row.outcome === 'success' ? 'denied' : 'success' }
        case 'details':
          return { details: JSON.stringify({ ...JSON.parse(row.details), n: -1 }) }
        case 'prevHash':
        case 'hash':
          return { [field]: row[field].replace(/^./, (c) => (c === '0' ? '1' : '0')) }
        default:
          return { [field]: `${row[field] ?? ''}x` }
      }
    }

    const kinds = ['modify', 'modify-rehash', 'delete', 'swap', 'insert', 'truncate', 'several'] as const
    for (let round = 0; round < 200; round++) {
      const kind = kinds[round % kinds.length]!
      let expected: number[] = []
      const label = () => `seed ${seed}, round ${round}, ${kind}, expected at ${expected.join(' or ')}`
      const result = await verifyTampered(
        tdb.db,
        async (trx) => {
          switch (kind) {
            case 'modify': {
              const k = pick(1, N)
              const field = fields[pick(0, fields.length - 1)]!
              await setField(trx, k, modified(await rowAt(trx, k), field))
              expected = [k]
              break
            }
            case 'modify-rehash': {
              const k = pick(1, N)
              const row = await rowAt(trx, k)
              const change = modified(row, fields[pick(2, 12)]!)
              const next = { ...row, ...change }
              await setField(trx, k, { ...change, hash: hashEntry({ ...next, details: JSON.parse(next.details) }) })
              expected = k < N ? [k + 1] : [k]
              break
            }
            case 'delete': {
              const k = pick(1, N)
              await trx.deleteFrom('auditLog').where('seq', '=', k).execute()
              expected = [k < N ? k + 1 : k]
              break
            }
            case 'swap': {
              const a = pick(1, N - 1)
              const b = pick(a + 1, N)
              await swapContents(trx, a, b)
              expected = [a]
              break
            }
            case 'insert': {
              const k = pick(1, N)
              await insertForged(trx, k)
              expected = [k + 1]
              break
            }
            case 'truncate': {
              const m = pick(1, 20)
              await trx
                .deleteFrom('auditLog')
                .where('seq', '>', N - m)
                .execute()
              expected = [N - m + 1]
              break
            }
            case 'several': {
              const ks = [pick(1, N), pick(1, N), pick(1, N)]
              for (const k of ks) await setField(trx, k, { details: `{"tampered":${k}}` })
              expected = [Math.min(...ks)]
              break
            }
          }
        },
        128,
      )
      expect(result.ok, label()).toBe(false)
      if (!result.ok) expect(expected, label()).toContain(result.firstBroken.seq)
    }
    // And all of it was rolled back.
    expect(await verifyAuditChain(tdb.db)).toMatchObject({ ok: true, count: N })
  })
})
