/**
 * The warning sweep against the calendar (2026: 05-01–05-05 holiday, 05-09 a make-up workday),
 * who is told, cards acknowledged and kept, and two sweeps at once on two connections.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal, staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, createTestDatabase, onPostgres, type TestApp, testConfig } from '../../../test/helpers.js'
import { codeOf, finishedApplication, pendingApplication } from '../../../test/ratings.js'
import { generateBatch, insertBatch, loadWorld, prng } from '../../../test/supervision-data.js'
import { createDeps, createModules } from '../../composition.js'
import type { Principal } from '../../platform/auth/principal.js'
import { addWorkingDays } from '../../platform/calendar/index.js'
import { TestClock } from '../../platform/clock.js'
import { createDatabase, type Db } from '../../platform/db/database.js'
import { migrateToLatest } from '../../platform/db/migrate.js'
import { runSeed } from '../../seed.js'
import {
  acceptApplication,
  getApplication,
  rejectApplication,
  withdrawApplication,
} from '../applications/applications.service.js'
import { classifyRectification, recordCallback } from '../ratings/ratings.rectification.service.js'
import { rateApplication } from '../ratings/ratings.service.js'
import { ratingsModuleFacts } from './supervision.ratings.js'
import { insertCardIfAbsent } from './supervision.repository.js'
import { acknowledgeCard } from './supervision.service.js'
import { deadlineLevel, preReviewDue, runWarningSweep } from './supervision.sweep.js'
import type { CardRecipient, WarningCardTable } from './supervision.tables.js'

let t: TestApp
let citizen: Principal
let window01: Principal
let review01: Principal
let window02: Principal
let supervisor: Principal

/** 10:00 in Shanghai on a day. */
const at = (day: string, hour = 10) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00+08:00`).toISOString()

const auditOf = (db: Db, action: string) =>
  db.selectFrom('auditLog').select(['objectId']).where('action', '=', action).execute()

const cardsOf = (subjectId: string) =>
  t.db
    .selectFrom('warningCards')
    .selectAll()
    .where('subjectId', '=', subjectId)
    .orderBy('rule')
    .orderBy('level')
    .execute()

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set(at('2026-04-30'))
  await runSeed(t.modules, { print: false })
  citizen = await citizenPrincipal(t.db, '陈晓燕')
  window01 = await staffPrincipal(t.db, 'window01') // 区市场监管局 window
  review01 = await staffPrincipal(t.db, 'review01') // 区市场监管局 reviewer
  window02 = await staffPrincipal(t.db, 'window02') // 区社保局
  supervisor = await staffPrincipal(t.db, 'supervise01')
  // The department head and the supervisor also have a person account: their messages arrive.
  const persons = await t.db.selectFrom('persons').select('id').orderBy('id').limit(2).execute()
  const approve01 = await staffPrincipal(t.db, 'approve01')
  await t.db.updateTable('accounts').set({ personId: persons[0]!.id }).where('id', '=', approve01.accountId).execute()
  await t.db.updateTable('accounts').set({ personId: persons[1]!.id }).where('id', '=', supervisor.accountId).execute()
})
afterAll(async () => t?.close())

describe('thresholds against the working calendar', () => {
  it('yellow from one working day before the due day (through the holiday), red after it', async () => {
    const cal = await t.deps.calendar.load()
    // Due Wednesday 2026-05-06, the first working day after the May Day holiday: the working day
    // before is Thursday 04-30, so the holiday is yellow too.
    expect(deadlineLevel(cal, '2026-05-06', '2026-04-29', 1)).toBeUndefined()
    expect(deadlineLevel(cal, '2026-05-06', '2026-04-30', 1)).toBe('yellow')
    expect(deadlineLevel(cal, '2026-05-06', '2026-05-03', 1)).toBe('yellow')
    expect(deadlineLevel(cal, '2026-05-06', '2026-05-06', 1)).toBe('yellow')
    expect(deadlineLevel(cal, '2026-05-06', '2026-05-07', 1)).toBe('red')
    expect(deadlineLevel(cal, '2026-05-06', '2026-05-05', 0)).toBeUndefined()
    expect(deadlineLevel(cal, null, '2026-05-07', 1)).toBeUndefined()
    // §32: received Thursday 04-30 → 05-06, 05-07, 05-08, Saturday 05-09 (make-up day), 05-11.
    expect(preReviewDue(cal, '2026-04-30')).toBe('2026-05-11')
  })

  it('a submission unanswered: yellow on the fifth working day, red after it, told to window, head and supervisor', async () => {
    t.clock.set(at('2026-04-30'))
    const app = await pendingApplication(t.deps, citizen) // 食品经营许可, 区市场监管局
    t.clock.set(at('2026-05-08'))
    await runWarningSweep(t.deps, { ratings: ratingsModuleFacts })
    expect(await cardsOf(app.id)).toEqual([])

    t.clock.set(at('2026-05-11'))
    const first = await runWarningSweep(t.deps, { ratings: ratingsModuleFacts })
    expect(first.raised).toBeGreaterThanOrEqual(1)
    let cards = await cardsOf(app.id)
    expect(cards.map((c) => [c.rule, c.level, c.dueOn])).toEqual([['pre_review', 'yellow', '2026-05-11']])
    const card = cards[0]!
    expect(card.departmentId).toBe(window01.departmentId)
    const notified = JSON.parse(card.notified) as CardRecipient[]
    const roles = notified.map((n) => n.role).join(',')
    expect(roles).toContain('window_clerk')
    expect(roles).toContain('approver')
    expect(roles).toContain('supervisor')
    // Only those with a person account are delivered to; their messages are queued.
    const delivered = notified.filter((n) => n.delivered)
    expect(delivered.length).toBe(2)
    const messages = await t.db
      .selectFrom('notifications')
      .selectAll()
      .where('category', '=', 'supervision')
      .where('subject', 'like', '%受理审查%')
      .execute()
    expect(messages).toHaveLength(2)
    expect(messages[0]!.subject).toContain('黄牌')
    const audit = await auditOf(t.db, 'supervision.card_raise')
    expect(audit.some((a) => a.objectId === card.id)).toBe(true)

    // The same day again: nothing new.
    await runWarningSweep(t.deps, { ratings: ratingsModuleFacts })
    expect(await cardsOf(app.id)).toHaveLength(1)

    t.clock.set(at('2026-05-12'))
    await runWarningSweep(t.deps, { ratings: ratingsModuleFacts })
    cards = await cardsOf(app.id)
    expect(cards.map((c) => [c.rule, c.level])).toEqual([
      ['pre_review', 'red'],
      ['pre_review', 'yellow'],
    ])

    // Accepted: both cards are resolved, not removed.
    await acceptApplication(t.deps, window01, app.id)
    await runWarningSweep(t.deps, { ratings: ratingsModuleFacts })
    cards = await cardsOf(app.id)
    expect(cards).toHaveLength(2)
    expect(cards.every((c) => c.resolution === 'pre_review_done' && c.resolvedAt)).toBe(true)
  })

  it('an accepted case: yellow the working day before its promised day, red after, resolved when withdrawn', async () => {
    t.clock.set(at('2026-06-01'))
    const app = await pendingApplication(t.deps, citizen)
    await acceptApplication(t.deps, window01, app.id)
    const accepted = await getApplication(t.db, app.id)
    const cal = await t.deps.calendar.load()
    const promised = accepted.promisedDueOn!
    expect(promised).toBeTruthy()
    t.clock.set(at(addWorkingDays(cal, promised, -2)))
    await runWarningSweep(t.deps)
    expect((await cardsOf(app.id)).filter((c) => c.rule === 'promised_deadline')).toEqual([])
    t.clock.set(at(addWorkingDays(cal, promised, -1)))
    await runWarningSweep(t.deps)
    expect((await cardsOf(app.id)).filter((c) => c.rule === 'promised_deadline').map((c) => c.level)).toEqual([
      'yellow',
    ])
    // The review task is due with its own limit: watched too (the reviewer's role is told).
    t.clock.set(at(addWorkingDays(cal, promised, 1)))
    await runWarningSweep(t.deps)
    const cards = await cardsOf(app.id)
    expect(cards.filter((c) => c.rule === 'promised_deadline').map((c) => c.level)).toEqual(['red', 'yellow'])

    await withdrawApplication(t.deps, citizen, app.id, '不需要了')
    await runWarningSweep(t.deps)
    const after = await cardsOf(app.id)
    expect(after.length).toBe(cards.length)
    expect(after.every((c) => c.resolution === 'withdrawn')).toBe(true)
  })

  it('a refusal recorded without reasons gets a red card; one with reasons does not', async () => {
    t.clock.set(at('2026-06-15'))
    const withReason = await pendingApplication(t.deps, citizen)
    await rejectApplication(t.deps, window01, withReason.id, { reason: '不属于本机关职权范围' })
    const without = await pendingApplication(t.deps, citizen)
    await rejectApplication(t.deps, window01, without.id, { reason: '不属于本机关职权范围' })
    // As a department system might have recorded it: the reason missing.
    await t.db
      .updateTable('applicationEvents')
      .set({ reason: null })
      .where('applicationId', '=', without.id)
      .where('event', '=', 'reject')
      .execute()
    await runWarningSweep(t.deps)
    expect((await cardsOf(withReason.id)).filter((c) => c.rule === 'refusal_without_reason')).toEqual([])
    const red = (await cardsOf(without.id)).filter((c) => c.rule === 'refusal_without_reason')
    expect(red.map((c) => c.level)).toEqual(['red'])
  })

  it('a bad rating not rectified by its deadline gets yellow, then red', async () => {
    t.clock.set(at('2026-07-01'))
    const app = await finishedApplication(t.deps, citizen) // 区社保局
    await rateApplication(t.deps, citizen, app.id, { level: 1, reasons: ['overdue_without_reason'] })
    const opened = await t.db
      .selectFrom('rectifications')
      .selectAll()
      .where('applicationId', '=', app.id)
      .executeTakeFirstOrThrow()
    await recordCallback(t.deps, window02, opened.id, { method: 'phone', note: '评价人反映等待时间长' })
    const rect = await classifyRectification(t.deps, window02, opened.id, { outcome: 'valid', severity: 'minor' })
    expect(rect.deadlineOn).toBeTruthy()
    const cal = await t.deps.calendar.load()
    t.clock.set(at(addWorkingDays(cal, rect.deadlineOn!, 1)))
    await runWarningSweep(t.deps, { ratings: ratingsModuleFacts })
    const cards = await cardsOf(rect.id)
    expect(cards.map((c) => [c.subjectType, c.rule, c.level])).toEqual([
      ['rectification', 'rectification_deadline', 'red'],
      ['rectification', 'rectification_deadline', 'yellow'],
    ])
    expect(cards[0]!.departmentId).toBe(window02.departmentId)
  })
})

describe('acknowledging a card', () => {
  it('the department explains once; others cannot; the card stays', async () => {
    const card = await t.db
      .selectFrom('warningCards')
      .selectAll()
      .where('departmentId', '=', window01.departmentId!)
      .where('acknowledgedAt', 'is', null)
      .orderBy('raisedAt')
      .executeTakeFirstOrThrow()
    expect(await codeOf(acknowledgeCard(t.deps, review01, card.id, '  '))).toBe('VALIDATION_FAILED')
    expect(await codeOf(acknowledgeCard(t.deps, window02, card.id, '已处理完毕，特此说明'))).toBe(
      'WARNING_CARD_OTHER_DEPARTMENT',
    )
    expect(await codeOf(acknowledgeCard(t.deps, supervisor, card.id, '已处理完毕，特此说明'))).toBe(
      'WARNING_CARD_OTHER_DEPARTMENT',
    )
    expect(await codeOf(acknowledgeCard(t.deps, citizen, card.id, '已处理完毕，特此说明'))).toBe(
      'WARNING_CARD_NOT_FOUND',
    )
    const done = await acknowledgeCard(t.deps, review01, card.id, '申请人补充材料延误，已于次日办结。')
    expect(done.explanation).toBe('申请人补充材料延误，已于次日办结。')
    expect(await codeOf(acknowledgeCard(t.deps, window01, card.id, '改一下说明'))).toBe('WARNING_CARD_ACKNOWLEDGED')
    const stored = await t.db.selectFrom('warningCards').selectAll().where('id', '=', card.id).executeTakeFirstOrThrow()
    expect(stored.acknowledgedBy).toBe(review01.staffId)
    expect(stored.explanation).toBe('申请人补充材料延误，已于次日办结。')
    const audit = await auditOf(t.db, 'supervision.card_acknowledge')
    expect(audit.filter((a) => a.objectId === card.id)).toHaveLength(1)
  })
})

/**
 * Sweeps in child processes (test/supervision-sweep-worker.ts) on a SQLite file, started together:
 * each says `ready` once loaded, and all are told `go` at once.
 */
async function sweepsInProcesses(file: string, n: number): Promise<{ raised: number; resolved: number }[]> {
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, ['--import', 'tsx', 'test/supervision-sweep-worker.ts', file, at('2026-06-30')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  )
  const outputs = children.map(() => ({ out: '', err: '' }))
  let ready = 0
  let go: () => void = () => {}
  const allReady = new Promise<void>((resolve) => {
    go = resolve
  })
  const done = children.map(
    (child, i) =>
      new Promise<{ raised: number; resolved: number }>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          outputs[i]!.out += d
          if (String(d).includes('ready') && ++ready === n) go()
        })
        child.stderr.on('data', (d) => {
          outputs[i]!.err += d
        })
        child.on('error', reject)
        child.on('close', (code) => {
          const line = outputs[i]!.out.trim().split('\n').pop() ?? ''
          if (code !== 0 || !line.startsWith('{')) {
            reject(new Error(`sweep process failed (${code}): ${outputs[i]!.err || outputs[i]!.out}`))
          } else resolve(JSON.parse(line) as { raised: number; resolved: number })
        })
      }),
  )
  // A child that fails before it is ready fails the test instead of leaving it waiting.
  await Promise.race([
    allReady,
    Promise.all(done).then(() => Promise.reject(new Error('a sweep process ended before go'))),
  ])
  for (const child of children) child.stdin.end('go\n')
  return Promise.all(done)
}

describe('two sweeps at once, on two connections', () => {
  it('a sweep with a stale view cannot insert a second card for the same subject, rule and level', async () => {
    // The guard that makes concurrent sweeps safe, deterministically: the second insert of the same
    // key (as a sweep that read before the first committed would try) inserts nothing.
    const t = await buildTestApp()
    try {
      const row = {
        id: 'card-1',
        subjectType: 'application',
        subjectId: 'app-1',
        rule: 'legal_deadline',
        level: 'red',
        departmentId: 'dep-1',
        applicationId: null,
        applicationNo: null,
        itemId: null,
        itemName: null,
        subjectLabel: '测试',
        raisedAt: '2026-06-30T01:00:00.000Z',
        dueOn: null,
        notified: '[]',
        acknowledgedBy: null,
        acknowledgedAt: null,
        explanation: null,
        resolvedAt: null,
        resolution: null,
      } as unknown as WarningCardTable
      expect(await insertCardIfAbsent(t.deps.db, row)).toBe(true)
      expect(await insertCardIfAbsent(t.deps.db, { ...row, id: 'card-2' })).toBe(false)
      expect(await insertCardIfAbsent(t.deps.db, { ...row, id: 'card-3', level: 'yellow' } as WarningCardTable)).toBe(
        true,
      )
      const rows = await t.deps.db.selectFrom('warningCards').select('id').orderBy('id').execute()
      expect(rows.map((r) => r.id)).toEqual(['card-1', 'card-3'])
    } finally {
      await t.close()
    }
  })

  it('raise each card once, notify and audit once', { timeout: 120_000 }, async () => {
    // Two connections to one database: a PostgreSQL scratch database, or a SQLite file.
    let dbA: Db
    let dbB: Db
    let cleanup: () => Promise<void>
    let sqliteFile: string | undefined
    if (onPostgres) {
      const database = await createTestDatabase()
      dbA = database.db
      dbB = createDatabase(database.config)
      cleanup = async () => {
        await dbB.destroy()
        await database.drop()
      }
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-sweep-'))
      const file = path.join(dir, 'sweep.sqlite')
      dbA = createDatabase({ dialect: 'sqlite', file })
      await migrateToLatest(dbA)
      // better-sqlite3 waits for a lock synchronously: two connections in one thread would wait on
      // each other. SQLite nodes are processes, so the second sweep runs in one.
      dbB = dbA
      sqliteFile = file
      cleanup = async () => {
        await dbA.destroy()
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }
    try {
      const clock = new TestClock()
      clock.set(at('2026-06-30'))
      const config = testConfig(
        onPostgres ? { dialect: 'postgres', url: '', poolSize: 5 } : { dialect: 'sqlite', file: ':memory:' },
      )
      const depsA = createDeps(config, { db: dbA, clock })
      const depsB = createDeps(config, { db: dbB, clock })
      await runSeed(createModules(depsA), { print: false })
      const world = await loadWorld(dbA, await depsA.calendar.load())
      await insertBatch(
        dbA,
        generateBatch(world, {
          rand: prng(99),
          count: 250,
          from: '2026-04-01',
          to: '2026-06-30',
          today: '2026-06-30',
          serial: 3,
        }),
      )
      let a: { raised: number }
      let b: { raised: number }
      if (sqliteFile) {
        // Both in their own process, started together.
        ;[a, b] = (await sweepsInProcesses(sqliteFile, 2)) as [{ raised: number }, { raised: number }] & unknown[]
      } else {
        ;[a, b] = await Promise.all([runWarningSweep(depsA), runWarningSweep(depsB)])
      }
      // Which sweep raises which card depends on timing (under load one may finish before the other
      // starts); what must hold is that together they raised each card once.
      expect(a.raised + b.raised).toBeGreaterThan(0)
      const cards = await dbA
        .selectFrom('warningCards')
        .select(['id', 'subjectType', 'subjectId', 'rule', 'level'])
        .execute()
      expect(cards.length).toBeGreaterThan(20)
      expect(a.raised + b.raised).toBe(cards.length)
      const keys = new Set(cards.map((c) => `${c.subjectType}|${c.subjectId}|${c.rule}|${c.level}`))
      expect(keys.size).toBe(cards.length)
      const audit = await auditOf(dbA, 'supervision.card_raise')
      expect(audit).toHaveLength(cards.length)
      // A third sweep finds nothing to raise.
      expect((await runWarningSweep(depsB)).raised).toBe(0)
    } finally {
      await cleanup()
    }
  })
})
