/**
 * Whether the calling identity may apply for an item: whom the item is for (persons, enterprises)
 * and, acting for an enterprise, whether the legal representative's grant covers the item. Used by
 * the single-item form (/apply/:itemId) and the "一件事" combined form for each of its items.
 */
import type { Principal } from '../../platform/auth/principal.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import type { ItemElements } from '../catalog/index.js'
import { canActFor } from '../identity/index.js'

export async function actingRefusal(
  deps: Deps,
  principal: Principal,
  elements: ItemElements,
): Promise<DomainError | undefined> {
  if (principal.enterpriseId) {
    if (!elements.serverType.includes('法人')) {
      return new DomainError(
        'ITEM_FOR_PERSONS',
        'forbidden',
        `「${elements.taskName}」由个人办理。请在「我的企业」切换回个人身份后再申请。`,
      )
    }
    const now = deps.clock.now()
    const covered =
      (await canActFor(deps.db, principal.personId!, principal.enterpriseId, elements.catalogCode, now)) ||
      (await canActFor(deps.db, principal.personId!, principal.enterpriseId, elements.taskCode, now))
    if (!covered) {
      return new DomainError(
        'ACTING_NOT_COVERED',
        'forbidden',
        `您代表「${principal.enterpriseName ?? '企业'}」的授权不包括「${elements.taskName}」。请联系企业法定代表人在「我的企业」中授权，或切换为个人身份办理。`,
      )
    }
  } else if (!elements.serverType.includes('自然人')) {
    return new DomainError(
      'ITEM_FOR_ENTERPRISES',
      'forbidden',
      `「${elements.taskName}」由企业（法人）办理。请在「我的企业」切换为代表企业后再申请。`,
    )
  }
  return undefined
}
