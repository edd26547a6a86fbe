/**
 * What staff do with warning cards: the answerable department acknowledges a card and explains
 * it (签收说明) — once; the explanation is kept with the card, which is never deleted or cleared.
 */
import { appendAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { invalidInput } from '../../platform/http/errors.js'
import { cardAlreadyAcknowledged, cardNotFound, cardOtherDepartment } from './supervision.errors.js'
import { findCard, markCardAcknowledged } from './supervision.repository.js'
import type { WarningCardTable } from './supervision.tables.js'

/** Department staff who answer for their department's cards. */
export const CARD_HANDLERS = ['applications.accept', 'tasks.handle', 'applications.decide'] as const

export const canSeeAllCards = (p: Principal) => p.permissions.has('supervision.read')

export const isCardHandler = (p: Principal) =>
  Boolean(p.staffId && p.departmentId && CARD_HANDLERS.some((x) => p.permissions.has(x)))

/**
 * A card as the caller may see it: supervisors any card, department staff their department's.
 * @throws WARNING_CARD_NOT_FOUND (also for another department's card: its existence is not told)
 */
export async function getCardFor(deps: Deps, principal: Principal, id: string): Promise<WarningCardTable> {
  const card = await findCard(deps.db, id)
  if (!card) throw cardNotFound()
  if (canSeeAllCards(principal)) return card
  if (isCardHandler(principal) && principal.departmentId === card.departmentId) return card
  throw cardNotFound()
}

export const EXPLANATION_MIN = 4
export const EXPLANATION_MAX = 2000

/**
 * The department acknowledges a card and explains it (why the deadline was or will be missed,
 * what is done about it). Once: the explanation cannot be changed afterwards. Audited.
 * @throws WARNING_CARD_NOT_FOUND, WARNING_CARD_OTHER_DEPARTMENT, WARNING_CARD_ACKNOWLEDGED,
 *   VALIDATION_FAILED (explanation missing, too short or too long)
 */
export async function acknowledgeCard(
  deps: Deps,
  principal: Principal,
  id: string,
  rawExplanation: string,
  context: { ip?: string; requestId?: string } = {},
): Promise<WarningCardTable> {
  const card = await findCard(deps.db, id)
  if (!card) throw cardNotFound()
  if (!isCardHandler(principal) || principal.departmentId !== card.departmentId) {
    if (canSeeAllCards(principal) || isCardHandler(principal)) throw cardOtherDepartment()
    throw cardNotFound()
  }
  const explanation = rawExplanation.replace(/\r\n/g, '\n').trim()
  if ([...explanation].length < EXPLANATION_MIN) {
    throw invalidInput([{ field: 'explanation', message: `请说明原因和处理情况（至少 ${EXPLANATION_MIN} 个字）` }])
  }
  if ([...explanation].length > EXPLANATION_MAX) {
    throw invalidInput([{ field: 'explanation', message: `说明不能超过 ${EXPLANATION_MAX} 个字` }])
  }
  if (card.acknowledgedAt) throw cardAlreadyAcknowledged()
  const now = deps.clock.now()
  const done = await transaction(deps.db, async (trx) => {
    if (!(await markCardAcknowledged(trx, id, principal.staffId!, now.toISOString(), explanation))) return false
    await appendAudit(trx, {
      at: now,
      actor: { type: 'staff', id: principal.staffId ?? null, role: 'department' },
      action: 'supervision.card_acknowledge',
      object: { type: 'warning_card', id },
      details: { rule: card.rule, level: card.level, departmentId: card.departmentId, length: explanation.length },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
    return true
  })
  if (!done) throw cardAlreadyAcknowledged()
  return { ...card, acknowledgedBy: principal.staffId!, acknowledgedAt: now.toISOString(), explanation }
}
