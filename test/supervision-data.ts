/**
 * Generated applications for the supervision statistics: the consistency test (a few hundred
 * rows, checked against an independent computation) and the benchmark (a million rows for a
 * year). Rows are written straight into the applications module's tables, with the events,
 * notices and pauses the service would have written, and deadlines from the same clock
 * functions the service uses — test and bench data, not a way the application writes.
 *
 * Deterministic: the same seed gives the same rows.
 */
import { dueOn } from '../src/modules/applications/applications.clock.js'
import type {
  ApplicationEventTable,
  ApplicationPauseTable,
  ApplicationState,
  ApplicationTable,
  NoticeTable,
  TaskTable,
} from '../src/modules/applications/applications.tables.js'
import type { ItemElements } from '../src/modules/catalog/index.js'
import {
  addCalendarDays,
  addWorkingDays,
  todayInShanghai,
  type WorkingCalendar,
} from '../src/platform/calendar/index.js'
import type { Db } from '../src/platform/db/database.js'

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface CatalogItem {
  itemId: string
  versionId: string
  departmentId: string
  name: string
  materialCodes: string[]
}

export interface GeneratorWorld {
  items: CatalogItem[]
  personId: string
  servicePointIds: string[]
  cal: WorkingCalendar
}

/** What the generator needs from a seeded database: published items, a person, service points. */
export async function loadWorld(db: Db, cal: WorkingCalendar): Promise<GeneratorWorld> {
  const rows = await db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'items.departmentId', 'itemVersions.id as versionId', 'itemVersions.elements'])
    .orderBy('items.id')
    .execute()
  const items = rows.map((r) => {
    const elements = JSON.parse(r.elements) as ItemElements
    return {
      itemId: r.id,
      versionId: r.versionId,
      departmentId: r.departmentId,
      name: elements.taskName,
      materialCodes: elements.materials.map((m) => m.materialCode),
    }
  })
  const person = await db.selectFrom('persons').select('id').orderBy('id').executeTakeFirstOrThrow()
  const points = await db.selectFrom('servicePoints').select('id').orderBy('id').execute()
  return { items, personId: person.id, servicePointIds: points.map((p) => p.id), cal }
}

export interface GeneratedBatch {
  applications: ApplicationTable[]
  events: ApplicationEventTable[]
  notices: NoticeTable[]
  pauses: ApplicationPauseTable[]
  tasks: TaskTable[]
}

const HOUR = 3_600_000

/** An instant on a Shanghai day at a given hour (fractional hours allowed). */
const at = (day: string, hour: number) =>
  new Date(Date.parse(`${day}T00:00:00+08:00`) + Math.floor(hour * HOUR)).toISOString()

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!
}

function weighted<T extends string>(rand: () => number, weights: Record<T, number>): T {
  const total = Object.values<number>(weights).reduce((a, b) => a + b, 0)
  let x = rand() * total
  for (const [k, w] of Object.entries<number>(weights)) {
    x -= w
    if (x < 0) return k as T
  }
  return Object.keys(weights)[0] as T
}

/**
 * Generates `count` applications submitted between `from` and `to` (Shanghai days), as seen on
 * `today`: cases submitted late in the period are still open more often.
 */
export function generateBatch(
  world: GeneratorWorld,
  options: { rand: () => number; count: number; from: string; to: string; today: string; serial: number },
): GeneratedBatch {
  const { rand, cal } = { rand: options.rand, cal: world.cal }
  const out: GeneratedBatch = { applications: [], events: [], notices: [], pauses: [], tasks: [] }
  const spanDays = Math.round((Date.parse(options.to) - Date.parse(options.from)) / 86_400_000) + 1
  const nowIso = at(options.today, 23.99)
  for (let i = 0; i < options.count; i++) {
    const h = (options.serial * 10_000_000 + i).toString(16).padStart(12, '0')
    const id = `01900000-0000-7000-8000-${h}`
    const n = h
    const item = pick(rand, world.items)
    const channel = weighted(rand, { online: 55, window: 30, proxy: 8, kiosk: 5, phone: 2 })
    const servicePointId =
      channel === 'online' || channel === 'phone' || world.servicePointIds.length === 0
        ? null
        : pick(rand, world.servicePointIds)
    const submitDay = addCalendarDays(options.from, Math.floor(rand() * spanDays))
    // Mostly office hours; some near midnight to test the day boundary in Asia/Shanghai.
    const submittedAt = at(submitDay, rand() < 0.1 ? 23.5 + rand() * 0.49 : 8 + rand() * 10)
    if (submittedAt > nowIso) continue
    const promisedUnit = rand() < 0.12 ? '自然日' : '工作日'
    const promisedDays = pick(rand, [0, 3, 5, 5, 10, 15])
    const legalUnit = rand() < 0.2 ? '自然日' : '工作日'
    const legalDays = Math.max(promisedDays, pick(rand, [20, 20, 30]))
    const app: ApplicationTable = {
      id,
      // Unique while batches hold at most 10,000 and serials stay below 100 (the bench's million).
      applicationNo: `445103${submitDay.replaceAll('-', '')}${String(((options.serial % 100) * 10_000 + i) % 1_000_000).padStart(6, '0')}`,
      idempotencyKey: `gen-${n}`,
      itemId: item.itemId,
      itemVersionId: item.versionId,
      departmentId: item.departmentId,
      themeCaseId: null,
      applicantPersonId: world.personId,
      applicantEnterpriseId: null,
      filedByPersonId: null,
      filedByStaffId: null,
      servicePointId,
      channel,
      proxyConsent: null,
      state: 'submitted',
      formData: '{}',
      projectType: promisedDays === 0 ? '即办件' : '承诺件',
      legalUnit,
      legalDays,
      promisedUnit,
      promisedDays,
      extensionDays: 0,
      correctionRounds: 0,
      submittedAt,
      receivedOn: todayInShanghai(new Date(submittedAt)),
      acceptedAt: null,
      acceptedOn: null,
      deemedAccepted: 0,
      dueOn: null,
      promisedDueOn: null,
      paused: 0,
      decidedAt: null,
      decision: null,
      decidedByRule: 0,
      resultKind: null,
      resultRef: null,
      deliveryNote: null,
      completedAt: null,
      withdrawnAt: null,
      onlineFull: channel === 'online' && rand() < 0.75 ? 1 : 0,
      lockVersion: 0,
      createdAt: submittedAt,
      updatedAt: submittedAt,
      itemName: item.name,
      applicantName: '测试申请人',
    }
    let seq = 0
    const event = (
      name: string,
      when: string,
      from: ApplicationState | null,
      to: ApplicationState | null,
      extra: Partial<ApplicationEventTable> = {},
    ) => {
      out.events.push({
        id: `01910000-${(++seq).toString(16).padStart(4, '0')}-7000-8000-${h}`,
        applicationId: id,
        seq,
        event: name,
        fromState: from,
        toState: to,
        actorType: 'system',
        actorId: null,
        actorRole: null,
        enterpriseId: null,
        channel,
        reason: null,
        noticeId: null,
        taskId: null,
        details: null,
        at: when,
        ...extra,
      })
    }
    const notice = (kind: NoticeTable['kind'], when: string, content: Record<string, unknown>) => {
      const noticeId = `01920000-${(seq + 1).toString(16).padStart(4, '0')}-7000-8000-${h}`
      out.notices.push({
        id: noticeId,
        applicationId: id,
        kind,
        number: `${kind}-${id}-${seq}`,
        title: kind,
        content: JSON.stringify(content),
        departmentId: app.departmentId,
        issuedBy: null,
        issuedAt: when,
      })
      return noticeId
    }
    /** An instant `days` (may be fractional) after another, not after "now". */
    const later = (iso: string, hours: number) => {
      const t = new Date(Date.parse(iso) + hours * HOUR).toISOString()
      return t > nowIso ? undefined : t
    }
    event('submit', submittedAt, 'draft', 'submitted')
    out.applications.push(app)

    let cursor = submittedAt
    // Corrections (补正): one notice naming one to three materials and maybe a field.
    if (rand() < 0.15) {
      const when = later(cursor, 2 + rand() * 60)
      if (!when) continue
      const problems = [
        ...Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({
          target: 'material',
          key: item.materialCodes.length > 0 ? pick(rand, item.materialCodes) : 'm1',
          message: '请补充清晰的材料',
        })),
        ...(rand() < 0.4 ? [{ target: 'field', key: 'applicant.address', message: '地址不完整' }] : []),
      ]
      const noticeId = notice('correction', when, { title: '补正材料通知书', problems })
      event('request_correction', when, 'submitted', 'correction_requested', { noticeId })
      app.correctionRounds = 1
      app.state = 'correction_requested'
      const back = later(when, 20 + rand() * 100)
      if (!back || rand() < 0.1) {
        if (back && rand() < 0.5) {
          event('withdraw', back, 'correction_requested', 'withdrawn')
          app.state = 'withdrawn'
          app.withdrawnAt = back
        }
        continue
      }
      event('resubmit', back, 'correction_requested', 'submitted')
      app.state = 'submitted'
      app.receivedOn = todayInShanghai(new Date(back))
      cursor = back
    }
    // Pre-review: rejected, withdrawn, deemed accepted, accepted, or still waiting.
    const fate = weighted(rand, { reject: 5, withdraw: 2, deemed: 3, accept: 90 })
    if (fate === 'reject') {
      const when = later(cursor, 4 + rand() * 70)
      if (!when) continue
      const reason = rand() < 0.1 ? null : '不属于本机关职权范围'
      const noticeId = notice('reject', when, { title: '不予受理通知书', paragraphs: [reason ?? ''] })
      event('reject', when, 'submitted', 'not_accepted', { reason, noticeId })
      app.state = 'not_accepted'
      continue
    }
    if (fate === 'withdraw') {
      const when = later(cursor, 1 + rand() * 48)
      if (!when) continue
      event('withdraw', when, 'submitted', 'withdrawn')
      app.state = 'withdrawn'
      app.withdrawnAt = when
      continue
    }
    let acceptedAt: string | undefined
    let acceptedOn: string
    if (fate === 'deemed') {
      // §32: silence for five working days; accepted on the day of receipt, the clock from submission.
      const deemedDay = addCalendarDays(addWorkingDays(cal, app.receivedOn!, 5), 1)
      const when = later(at(deemedDay, 1), 0)
      if (!when) continue
      acceptedAt = app.submittedAt!
      acceptedOn = app.receivedOn!
      app.deemedAccepted = 1
      event('deem_accept', when, 'submitted', 'accepted')
    } else {
      acceptedAt = later(cursor, rand() < 0.3 ? 0.5 : 2 + rand() * 70)
      if (!acceptedAt) continue
      acceptedOn = todayInShanghai(new Date(acceptedAt))
      event('accept', acceptedAt, 'submitted', 'accepted')
    }
    event('start', out.events[out.events.length - 1]!.at, 'accepted', 'in_process')
    app.acceptedAt = acceptedAt
    app.acceptedOn = acceptedOn
    app.state = 'in_process'
    // A pause (§45) for some: closed, or still open.
    const pauses: ApplicationPauseTable[] = []
    if (rand() < 0.06) {
      const fromAt = later(acceptedAt, 24 + rand() * 24 * 6)
      if (fromAt) {
        const toAt = later(fromAt, 24 + rand() * 24 * 12) ?? null
        pauses.push({
          id: `01930000-0000-7000-8000-${h}`,
          applicationId: id,
          reason: pick(rand, ['expert_review', 'hearing', 'testing']),
          fromAt,
          toAt: rand() < 0.2 ? null : toAt,
          noticeId: null,
          createdBy: null,
        })
      }
    }
    out.pauses.push(...pauses)
    const spec = (unit: string, budget: number) => ({
      trigger: acceptedAt!,
      unit: unit as '工作日' | '自然日',
      budgetDays: budget,
      extensionDays: 0,
      pauses: pauses.map((p) => ({ from: p.fromAt, to: p.toAt, reason: p.reason as 'hearing' })),
    })
    const legalSpec = spec(legalUnit, legalDays)
    const promisedSpec = spec(promisedUnit, promisedDays)
    const legalDue = dueOn(cal, legalSpec)
    const promisedDue = dueOn(cal, promisedSpec)
    const open = pauses.some((p) => !p.toAt)
    // Due days as the service stores them: while paused the last known ones (before the pause).
    const noPause = { ...legalSpec, pauses: [] }
    app.dueOn = legalDue ?? dueOn(cal, noPause) ?? null
    app.promisedDueOn = promisedDue ?? dueOn(cal, { ...promisedSpec, pauses: [] }) ?? null
    app.paused = open ? 1 : 0
    // A processing task for the sweep to watch, due with the promised day.
    out.tasks.push({
      id: `01940000-0000-7000-8000-${h}`,
      applicationId: id,
      stage: 0,
      taskKey: 'review',
      name: '审查',
      departmentId: app.departmentId,
      role: 'reviewer',
      state: 'open',
      assigneeStaffId: null,
      outcome: null,
      opinion: null,
      budgetDays: promisedDays,
      startedAt: acceptedAt,
      dueOn: app.promisedDueOn,
      doneAt: null,
      createdAt: acceptedAt,
    })
    if (rand() < 0.03) {
      const when = later(acceptedAt, 24 + rand() * 48)
      if (when && !open) {
        event('withdraw', when, 'in_process', 'withdrawn')
        app.state = 'withdrawn'
        app.withdrawnAt = when
        out.tasks[out.tasks.length - 1]!.state = 'cancelled'
        continue
      }
    }
    if (open) continue
    // Decision: most in time, some late (working days after the promised due day).
    const base = app.promisedDueOn ?? acceptedOn
    const lateness = rand()
    const decideDay =
      lateness < 0.7
        ? addCalendarDays(acceptedOn, Math.floor(rand() * (Math.max(1, promisedDays) + 1)))
        : lateness < 0.9
          ? base
          : addWorkingDays(cal, base, 1 + Math.floor(rand() * 12))
    let decidedAt = at(decideDay < acceptedOn ? acceptedOn : decideDay, rand() < 0.08 ? 23.7 : 9 + rand() * 8)
    if (decidedAt < acceptedAt) decidedAt = new Date(Date.parse(acceptedAt) + HOUR).toISOString()
    const lastPause = pauses[pauses.length - 1]
    if (lastPause?.toAt && decidedAt < lastPause.toAt)
      decidedAt = new Date(Date.parse(lastPause.toAt) + HOUR).toISOString()
    if (decidedAt > nowIso) continue
    const refuse = rand() < 0.1
    const task = out.tasks[out.tasks.length - 1]!
    task.state = 'done'
    task.outcome = refuse ? 'disagree' : 'agree'
    task.doneAt = decidedAt
    app.decidedAt = decidedAt
    app.decision = refuse ? 'refused' : 'approved'
    const decisionNotice = notice('decision', decidedAt, {
      title: refuse ? '不予行政许可决定书' : '准予行政许可决定书',
    })
    if (refuse) {
      event('refuse', decidedAt, 'in_process', 'refused', {
        reason: rand() < 0.1 ? '' : '不符合法定条件',
        noticeId: decisionNotice,
      })
      event('close', decidedAt, 'refused', 'completed')
      app.state = 'completed'
      continue
    }
    event('approve', decidedAt, 'in_process', 'approved', { noticeId: decisionNotice })
    app.state = 'approved'
    // Paper results wait for delivery; electronic ones complete at once.
    const deliveredAt = rand() < 0.8 ? decidedAt : later(decidedAt, 24 + rand() * 24 * 5)
    if (!deliveredAt) continue
    event('deliver', deliveredAt, 'approved', 'completed')
    app.state = 'completed'
    app.completedAt = deliveredAt
  }
  return out
}

/** Writes a batch (chunked multi-row inserts, in one transaction). */
export async function insertBatch(db: Db, batch: GeneratedBatch, chunk = 200): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const put = async <T>(
      table: 'applications' | 'applicationEvents' | 'notices' | 'applicationPauses' | 'tasks',
      rows: T[],
      size: number,
    ) => {
      for (let i = 0; i < rows.length; i += size) {
        await trx
          .insertInto(table)
          // biome-ignore lint/suspicious/noExplicitAny: one helper for five tables of generated rows
          .values(rows.slice(i, i + size) as any)
          .execute()
      }
    }
    await put('applications', batch.applications, Math.max(1, Math.floor(chunk / 3)))
    await put('applicationEvents', batch.events, chunk)
    await put('notices', batch.notices, chunk)
    await put('applicationPauses', batch.pauses, chunk)
    await put('tasks', batch.tasks, chunk)
  })
}
