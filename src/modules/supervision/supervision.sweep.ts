/**
 * The warning sweep (电子监察, DOMAIN.md §4): every few minutes, on every node, it raises yellow and
 * red cards and resolves the cards whose subject has finished.
 *
 * - Open cases (accepted / in process, clock running): yellow from `yellowBeforeDays` working days
 *   before the promised and the legal due day (default one), red after it — the same rule as the
 *   clock's `clockState` (applications.clock.ts), on the due days the service keeps in step.
 * - Open tasks: the same against the task's own due day.
 * - Pre-review (行政许可法 §32): a submission unanswered on the fifth working day after receipt
 *   gets a yellow card; after it, the deemed acceptance follows and a red card records the lapse
 *   (raised from the submission still waiting, or from the deemed-acceptance event).
 * - A refusal without reasons (不予受理 / 不予许可 whose event records no reason, or no notice): red.
 * - Overdue rectifications of bad ratings (from the ratings module, when wired): yellow / red.
 *
 * Each card is inserted with ON CONFLICT DO NOTHING on (subject, rule, level): sweeps running at
 * once on several nodes never duplicate a card, and only the one that inserted it notifies and
 * audits, in the same transaction (one card per transaction, so no two sweeps ever wait on each
 * other in a cycle). A card is never deleted: it is acknowledged and explained by the department,
 * and resolved (resolved_at set, the card kept) when its subject finishes.
 */
import { appendAudit } from '../../platform/audit/audit.js'
import {
  addCalendarDays,
  addWorkingDays,
  todayInShanghai,
  type WorkingCalendar,
} from '../../platform/calendar/index.js'
import { transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { newId } from '../../platform/ids.js'
import {
  listCaseEventsSince,
  listOpenDeadlines,
  listOpenTaskDeadlines,
  listPendingPreReviews,
  subjectProgress,
  type WatchedApplication,
} from '../applications/index.js'
import { departmentNames, staffRecipients } from '../identity/index.js'
import { queueNotification } from '../notifications/index.js'
import { isExcluded, OPEN_RECTIFICATION_STATES, type RatingsFacts } from './supervision.ratings.js'
import {
  cardKey,
  existingCardKeys,
  insertCardIfAbsent,
  listUnresolvedCards,
  markCardResolved,
} from './supervision.repository.js'
import { LEVEL_NAMES, RULES, type RuleCode } from './supervision.rules.js'
import { loadSettings, type SupervisionSettings } from './supervision.settings.js'
import type { CardLevel, CardRecipient, CardSubjectType, WarningCardTable } from './supervision.tables.js'

const BATCH = 500
const SWEEP_ACTOR = { type: 'system' as const, id: 'sweep:supervision' }

/** A card the sweep wants to exist. */
interface CardDraft {
  subjectType: CardSubjectType
  subjectId: string
  rule: RuleCode
  level: CardLevel
  departmentId: string
  applicationId: string | null
  applicationNo: string | null
  itemId: string | null
  itemName: string | null
  subjectLabel: string
  dueOn: string | null
  /** Roles of the answerable department told besides its head (approver) and the supervisors. */
  roles: string[]
}

/** The colour of a deadline today: the clock's rule (yellow through the due day, red after it). */
export function deadlineLevel(
  cal: WorkingCalendar,
  dueOn: string | null | undefined,
  today: string,
  yellowBeforeDays: number,
): CardLevel | undefined {
  if (!dueOn) return undefined
  if (today > dueOn) return 'red'
  if (today >= addWorkingDays(cal, dueOn, -yellowBeforeDays)) return 'yellow'
  return undefined
}

/** The latest due day that may be yellow or red today (a bound for the candidate queries). */
function dueBound(cal: WorkingCalendar, today: string, yellowBeforeDays: number): string {
  return addCalendarDays(addWorkingDays(cal, today, yellowBeforeDays + 1), -1)
}

/** 行政许可法 §32: the last day to answer a submission, the fifth working day after receipt. */
export function preReviewDue(cal: WorkingCalendar, receivedOn: string): string {
  return addWorkingDays(cal, receivedOn, 5)
}

/** Both levels up to the one reached: a case that is red at the first sweep also had its yellow. */
const levelsUpTo = (level: CardLevel | undefined): CardLevel[] =>
  level === 'red' ? ['yellow', 'red'] : level === 'yellow' ? ['yellow'] : []

const caseLabel = (a: Pick<WatchedApplication, 'applicationNo' | 'itemName'>) =>
  `办件 ${a.applicationNo ?? ''}「${a.itemName}」`

function applicationDraft(
  a: WatchedApplication,
  rule: RuleCode,
  level: CardLevel,
  label: string,
  dueOn: string | null,
  roles: string[],
): CardDraft {
  return {
    subjectType: 'application',
    subjectId: a.applicationId,
    rule,
    level,
    departmentId: a.departmentId,
    applicationId: a.applicationId,
    applicationNo: a.applicationNo,
    itemId: a.itemId,
    itemName: a.itemName,
    subjectLabel: label,
    dueOn,
    roles,
  }
}

/** Every card the records call for today (before looking at which exist already). */
async function wantedCards(
  deps: Deps,
  cal: WorkingCalendar,
  settings: SupervisionSettings,
  today: string,
  ratings: RatingsFacts | undefined,
): Promise<CardDraft[]> {
  const out: CardDraft[] = []
  const n = settings.yellowBeforeDays
  const dueBy = dueBound(cal, today, n)

  // Open cases: the promised and the legal due day.
  for (let afterId: string | undefined; ; ) {
    const rows = await listOpenDeadlines(deps.db, { dueBy, afterId, limit: BATCH })
    for (const a of rows) {
      for (const level of levelsUpTo(deadlineLevel(cal, a.promisedDueOn, today, n))) {
        out.push(
          applicationDraft(
            a,
            'promised_deadline',
            level,
            `${caseLabel(a)}承诺办结期限 ${a.promisedDueOn}`,
            a.promisedDueOn,
            ['reviewer'],
          ),
        )
      }
      for (const level of levelsUpTo(deadlineLevel(cal, a.dueOn, today, n))) {
        out.push(
          applicationDraft(a, 'legal_deadline', level, `${caseLabel(a)}法定办结期限 ${a.dueOn}`, a.dueOn, ['reviewer']),
        )
      }
    }
    if (rows.length < BATCH) break
    afterId = rows[rows.length - 1]!.applicationId
  }

  // Open tasks: their own due day.
  for (let afterId: string | undefined; ; ) {
    const rows = await listOpenTaskDeadlines(deps.db, { dueBy, afterId, limit: BATCH })
    for (const t of rows) {
      for (const level of levelsUpTo(deadlineLevel(cal, t.taskDueOn, today, n))) {
        out.push({
          subjectType: 'task',
          subjectId: t.taskId,
          rule: 'task_deadline',
          level,
          departmentId: t.taskDepartmentId,
          applicationId: t.applicationId,
          applicationNo: t.applicationNo,
          itemId: t.itemId,
          itemName: t.itemName,
          subjectLabel: `${caseLabel(t)}的「${t.taskName}」环节，期限 ${t.taskDueOn}`,
          dueOn: t.taskDueOn,
          roles: [t.taskRole],
        })
      }
    }
    if (rows.length < BATCH) break
    afterId = rows[rows.length - 1]!.taskId
  }

  // Pre-review (§32): waiting submissions, yellow on the fifth working day, red after it.
  for (let afterId: string | undefined; ; ) {
    const rows = await listPendingPreReviews(deps.db, { receivedBy: today, afterId, limit: BATCH })
    for (const a of rows) {
      if (!a.receivedOn) continue
      const due = preReviewDue(cal, a.receivedOn)
      for (const level of levelsUpTo(deadlineLevel(cal, due, today, settings.preReviewYellowBeforeDays))) {
        out.push(
          applicationDraft(
            a,
            'pre_review',
            level,
            `${caseLabel(a)}受理审查，收件 ${a.receivedOn}，应在 ${due} 前受理或一次性告知补正`,
            due,
            ['window_clerk'],
          ),
        )
      }
    }
    if (rows.length < BATCH) break
    afterId = rows[rows.length - 1]!.applicationId
  }

  // Deemed acceptances and refusals of the last weeks: the lapse and the missing reasons.
  const since = new Date(`${addCalendarDays(today, -settings.lookbackDays)}T00:00:00+08:00`).toISOString()
  for (let afterId: string | undefined; ; ) {
    const rows = await listCaseEventsSince(deps.db, {
      events: ['deem_accept', 'reject', 'refuse'],
      since,
      afterId,
      limit: BATCH,
    })
    for (const e of rows) {
      if (e.event === 'deem_accept') {
        const due = e.receivedOn ? preReviewDue(cal, e.receivedOn) : null
        for (const level of ['yellow', 'red'] as const) {
          out.push(
            applicationDraft(
              e,
              'pre_review',
              level,
              `${caseLabel(e)}未在五个工作日内受理或告知补正${due ? `（期限 ${due}）` : ''}，已视为受理`,
              due,
              ['window_clerk'],
            ),
          )
        }
      } else if (!e.reason?.trim() || !e.noticeId) {
        const what = e.event === 'reject' ? '不予受理' : '不予许可'
        out.push(
          applicationDraft(
            e,
            'refusal_without_reason',
            'red',
            `${caseLabel(e)}${what}${e.noticeId ? '，通知书未说明理由' : '，没有书面通知书'}`,
            null,
            e.event === 'reject' ? ['window_clerk'] : [],
          ),
        )
      }
    }
    if (rows.length < BATCH) break
    afterId = rows[rows.length - 1]!.eventId
  }

  // Rectifications of bad ratings (the ratings module's facts, when wired).
  if (ratings) {
    const facts = await ratings.rectificationFacts(deps.db, {
      from: addCalendarDays(today, -settings.lookbackDays),
      to: today,
    })
    for (const f of facts) {
      if (!OPEN_RECTIFICATION_STATES.has(f.state) || isExcluded(f) || !f.deadlineOn) continue
      for (const level of levelsUpTo(deadlineLevel(cal, f.deadlineOn, today, n))) {
        out.push({
          subjectType: 'rectification',
          subjectId: f.id,
          rule: 'rectification_deadline',
          level,
          departmentId: f.departmentId,
          applicationId: f.applicationId ?? null,
          applicationNo: null,
          itemId: f.itemId ?? null,
          itemName: null,
          subjectLabel: `差评整改，整改期限 ${f.deadlineOn}`,
          dueOn: f.deadlineOn,
          roles: [],
        })
      }
    }
  }
  return out
}

/** Recipients of a department's cards and the supervisors, looked up once per sweep. */
class Recipients {
  private readonly byKey = new Map<string, { recipient: CardRecipient; personId: string | null }[]>()
  private supervisorRows?: ReturnType<typeof staffRecipients>

  constructor(private readonly deps: Deps) {}

  /** The department's staff of `roles`, its head (approver) and every supervisor, once each. */
  async of(departmentId: string, roles: string[]): Promise<{ recipient: CardRecipient; personId: string | null }[]> {
    const wanted = [...new Set([...roles, 'approver'])].sort()
    const key = `${departmentId}|${wanted.join(',')}`
    let found = this.byKey.get(key)
    if (!found) {
      this.supervisorRows ??= staffRecipients(this.deps.db, { roles: ['supervisor'] })
      const [department, supervisors] = await Promise.all([
        staffRecipients(this.deps.db, { roles: wanted, departmentId }),
        this.supervisorRows,
      ])
      const byStaff = new Map<string, { recipient: CardRecipient; personId: string | null }>()
      for (const s of [...department, ...supervisors]) {
        const seen = byStaff.get(s.id)
        if (seen) seen.recipient.role = `${seen.recipient.role},${s.role}`
        else
          byStaff.set(s.id, {
            recipient: { staffId: s.id, name: s.name, role: s.role, departmentId: s.departmentId, delivered: false },
            personId: s.personId,
          })
      }
      found = [...byStaff.values()]
      this.byKey.set(key, found)
    }
    return found.map((r) => ({ recipient: { ...r.recipient }, personId: r.personId }))
  }
}

function messageOf(draft: CardDraft, departmentName: string) {
  const rule = RULES[draft.rule]
  const level = LEVEL_NAMES[draft.level]
  const urge =
    draft.level === 'yellow' ? '即将到期，请抓紧办理。' : '已超过时限或违反规定，请尽快处理，并由部门签收说明原因。'
  return {
    subject:
      `【${level}】${rule.name}：${draft.applicationNo ? `办件 ${draft.applicationNo}` : draft.subjectLabel}`.slice(
        0,
        100,
      ),
    body: `${departmentName}：${draft.subjectLabel}。${urge}依据：${rule.basis}。`.slice(0, 2000),
  }
}

async function raiseCard(deps: Deps, draft: CardDraft, recipients: Recipients, names: Map<string, string>) {
  const now = deps.clock.now()
  const id = newId()
  const targets = await recipients.of(draft.departmentId, draft.roles)
  return transaction(deps.db, async (trx) => {
    const row: WarningCardTable = {
      id,
      subjectType: draft.subjectType,
      subjectId: draft.subjectId,
      rule: draft.rule,
      level: draft.level,
      departmentId: draft.departmentId,
      applicationId: draft.applicationId,
      applicationNo: draft.applicationNo,
      itemId: draft.itemId,
      itemName: draft.itemName,
      subjectLabel: draft.subjectLabel,
      raisedAt: now.toISOString(),
      dueOn: draft.dueOn,
      notified: '[]',
      acknowledgedBy: null,
      acknowledgedAt: null,
      explanation: null,
      resolvedAt: null,
      resolution: null,
    }
    // Decide who is told before inserting: the list is part of the card.
    const message = messageOf(draft, names.get(draft.departmentId) ?? '')
    const notified: CardRecipient[] = targets.map(({ recipient, personId }) => ({
      ...recipient,
      delivered: Boolean(personId),
    }))
    row.notified = JSON.stringify(notified)
    if (!(await insertCardIfAbsent(trx, row))) return false
    for (const { recipient, personId } of targets) {
      if (!personId) continue // no person account: the board shows whom to tell instead
      const handler = !recipient.role.split(',').some((r) => r === 'supervisor' || r === 'approver')
      await queueNotification(
        trx,
        {
          recipientPersonId: personId,
          channel: 'site',
          subject: message.subject,
          body: message.body,
          link: handler && draft.applicationId ? `/workbench/cases/${draft.applicationId}` : `/supervision/cards/${id}`,
          category: 'supervision',
        },
        deps.clock,
      )
    }
    await appendAudit(trx, {
      at: now,
      actor: SWEEP_ACTOR,
      action: 'supervision.card_raise',
      object: { type: 'warning_card', id },
      details: {
        rule: draft.rule,
        level: draft.level,
        subjectType: draft.subjectType,
        subjectId: draft.subjectId,
        departmentId: draft.departmentId,
        notified: notified.length,
        delivered: notified.filter((n) => n.delivered).length,
      },
    })
    return true
  })
}

/** Why a card's subject is finished now, or undefined while it is not. */
function finishedBecause(
  card: { subjectType: CardSubjectType; subjectId: string; rule: string },
  progress: Awaited<ReturnType<typeof subjectProgress>>,
  rectifications: Map<string, { state: string }> | undefined,
): string | undefined {
  if (card.subjectType === 'task') {
    const t = progress.tasks.get(card.subjectId)
    if (!t) return undefined
    if (t.state === 'done') return 'task_done'
    if (t.state === 'returned' || t.state === 'cancelled') return 'task_closed'
    if (t.applicationState === 'withdrawn') return 'withdrawn'
    return undefined
  }
  if (card.subjectType === 'rectification') {
    const r = rectifications?.get(card.subjectId)
    return r && !OPEN_RECTIFICATION_STATES.has(r.state) ? 'rectified' : undefined
  }
  const a = progress.applications.get(card.subjectId)
  if (!a) return undefined
  if (a.state === 'withdrawn') return 'withdrawn'
  if (a.state === 'not_accepted') return 'not_accepted'
  if (card.rule === 'pre_review') return a.state === 'submitted' ? undefined : 'pre_review_done'
  if (['approved', 'refused', 'completed'].includes(a.state)) return a.state === 'completed' ? 'concluded' : 'decided'
  return undefined
}

async function resolveFinished(deps: Deps, ratings: RatingsFacts | undefined, lookbackDays: number): Promise<number> {
  let resolved = 0
  let rectifications: Map<string, { state: string }> | undefined
  for (let afterId: string | undefined; ; ) {
    const cards = await listUnresolvedCards(deps.db, afterId, BATCH)
    if (cards.length === 0) break
    const progress = await subjectProgress(deps.db, {
      applicationIds: cards.filter((c) => c.subjectType === 'application').map((c) => c.subjectId),
      taskIds: cards.filter((c) => c.subjectType === 'task').map((c) => c.subjectId),
    })
    if (ratings && !rectifications && cards.some((c) => c.subjectType === 'rectification')) {
      const today = todayInShanghai(deps.clock.now())
      const facts = await ratings.rectificationFacts(deps.db, {
        from: addCalendarDays(today, -Math.max(lookbackDays, 400)),
        to: today,
      })
      rectifications = new Map(facts.map((f) => [f.id, f]))
    }
    for (const card of cards) {
      const because = finishedBecause(card, progress, rectifications)
      if (!because) continue
      const now = deps.clock.now()
      const done = await transaction(deps.db, async (trx) => {
        if (!(await markCardResolved(trx, card.id, now.toISOString(), because))) return false
        await appendAudit(trx, {
          at: now,
          actor: SWEEP_ACTOR,
          action: 'supervision.card_resolve',
          object: { type: 'warning_card', id: card.id },
          details: { rule: card.rule, level: card.level, resolution: because },
        })
        return true
      })
      if (done) resolved++
    }
    if (cards.length < BATCH) break
    afterId = cards[cards.length - 1]!.id
  }
  return resolved
}

export interface SweepResult {
  raised: number
  resolved: number
}

/**
 * One round of the warning sweep: raises the cards the records call for and resolves those whose
 * subject finished. Safe to run on several nodes at once.
 */
export async function runWarningSweep(deps: Deps, options: { ratings?: RatingsFacts } = {}): Promise<SweepResult> {
  const [cal, settings] = await Promise.all([deps.calendar.load(), loadSettings(deps.db)])
  const today = todayInShanghai(deps.clock.now())
  const wanted = await wantedCards(deps, cal, settings, today, options.ratings)
  const existing = await existingCardKeys(
    deps.db,
    wanted.map((w) => w.subjectId),
  )
  const recipients = new Recipients(deps)
  const names = wanted.length > 0 ? await departmentNames(deps.db) : new Map<string, string>()
  let raised = 0
  const seen = new Set<string>()
  for (const draft of wanted) {
    const key = cardKey(draft)
    if (existing.has(key) || seen.has(key)) continue
    seen.add(key)
    if (await raiseCard(deps, draft, recipients, names)) raised++
  }
  const resolved = await resolveFinished(deps, options.ratings, settings.lookbackDays)
  return { raised, resolved }
}
