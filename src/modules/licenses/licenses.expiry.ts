/**
 * Expiry reminders (到期提醒): 30 days before the last valid day of a license, its holder (the
 * person, or an enterprise's legal representative) gets a message with a link to the item that
 * renews it (license_types.renewal_item_code → the catalog's guide).
 *
 * Once per license version: the marker row (license_expiry_reminders, primary key license_id) is
 * inserted in the same transaction as the message, `on conflict do nothing` — a second node, or a
 * second round, inserting it again writes nothing and sends nothing. A re-issued license is a new
 * version and is reminded of again before its own end. Licenses already expired, revoked or
 * superseded are not reminded of.
 */
import { appendAudit, systemActor } from '../../platform/audit/audit.js'
import { addCalendarDays, todayInShanghai } from '../../platform/calendar/index.js'
import { transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { findGuideByCatalogCode } from '../catalog/index.js'
import { holderContact } from '../identity/index.js'
import { queueNotification } from '../notifications/index.js'
import { EXPIRING_DAYS } from './licenses.wallet.js'

export interface ReminderRound {
  /** Reminders sent in this round. */
  sent: number
  /** Licenses whose holder could not be told (no person to send to); marked, not retried. */
  unreachable: number
}

/** One round of the sweep: up to `batch` licenses ending within 30 days and not yet reminded of. */
export async function sendExpiryReminders(deps: Deps, options: { batch?: number } = {}): Promise<ReminderRound> {
  const now = deps.clock.now()
  const today = todayInShanghai(now)
  const horizon = addCalendarDays(today, EXPIRING_DAYS)
  const due = await deps.db
    .selectFrom('licenses')
    .leftJoin('licenseExpiryReminders', 'licenseExpiryReminders.licenseId', 'licenses.id')
    .leftJoin('licenseTypes', 'licenseTypes.code', 'licenses.licenseType')
    .select([
      'licenses.id',
      'licenses.identifier',
      'licenses.typeName',
      'licenses.validTo',
      'licenses.holderPersonId',
      'licenses.holderEnterpriseId',
      'licenses.holderName',
      'licenseTypes.renewalItemCode',
    ])
    .where('licenses.status', '=', 'active')
    .where('licenses.validTo', 'is not', null)
    .where('licenses.validTo', '>=', today)
    .where('licenses.validTo', '<=', horizon)
    .where('licenseExpiryReminders.licenseId', 'is', null)
    .orderBy('licenses.validTo')
    .orderBy('licenses.id')
    .limit(options.batch ?? 100)
    .execute()
  const round: ReminderRound = { sent: 0, unreachable: 0 }
  const guides = new Map<string, Awaited<ReturnType<typeof findGuideByCatalogCode>>>()
  for (const license of due) {
    const validTo = license.validTo as string
    // Read before the transaction (SQLite has one connection).
    const holder = license.holderEnterpriseId
      ? { enterpriseId: license.holderEnterpriseId }
      : license.holderPersonId
        ? { personId: license.holderPersonId }
        : undefined
    const contact = holder ? await holderContact(deps, holder) : undefined
    const code = license.renewalItemCode
    if (code && !guides.has(code)) guides.set(code, await findGuideByCatalogCode(deps.db, code))
    const guide = code ? guides.get(code) : undefined
    const sent = await transaction(deps.db, async (trx) => {
      const marked = await trx
        .insertInto('licenseExpiryReminders')
        .values({
          licenseId: license.id,
          validTo,
          recipientPersonId: contact?.personId ?? null,
          sentAt: now.toISOString(),
        })
        .onConflict((oc) => oc.column('licenseId').doNothing())
        .executeTakeFirst()
      if (Number(marked.numInsertedOrUpdatedRows ?? 0) !== 1) return false
      if (contact) {
        const renew = guide
          ? `请在到期前通过「${guide.taskName}」办理延续或换证。`
          : '请在到期前向颁发机构办理延续或换证。'
        await queueNotification(
          trx,
          {
            recipientPersonId: contact.personId,
            channel: 'site',
            subject: `您的${license.typeName}将于 ${validTo} 到期`,
            body: `${license.holderName}的${license.typeName}（电子证照标识 ${license.identifier}）有效期至 ${validTo}。${renew}到期后该证照将不能再用于办事。`,
            link: guide?.href ?? `/my/licenses/${license.id}`,
            category: 'license',
          },
          deps.clock,
        )
      }
      await appendAudit(trx, {
        at: now,
        actor: systemActor('licenses.expiry'),
        action: 'license.expiry_reminder',
        object: { type: 'license', id: license.id },
        details: {
          identifier: license.identifier,
          validTo,
          recipientPersonId: contact?.personId ?? null,
          renewalItem: guide?.itemId ?? null,
        },
      })
      return true
    })
    if (sent && contact) round.sent++
    else if (sent) round.unreachable++
  }
  return round
}
