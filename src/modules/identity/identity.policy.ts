/**
 * Record-level access rules (SECURITY.md, access control): the route policy says who may call a
 * route at all; these say whose records they may touch. Small functions, so every module asks
 * the same question the same way:
 *
 * - staff see their own department's records (and a sub-unit's, for its parent department);
 * - 代办 staff see their own service point's;
 * - a person sees their own records;
 * - a person acting for an enterprise sees the enterprise's records, within the grant's scope.
 *
 * The pure functions trust `principal.enterpriseId`; the identity module re-checks the grant
 * behind it on every request (validateActingEnterprise), so an expired or revoked grant stops
 * working at once.
 */
import type { Principal } from '../../platform/auth/principal.js'
import { todayInShanghai } from '../../platform/calendar/calendar.js'
import type { DbOrTrx } from '../../platform/db/database.js'
import { DomainError } from '../../platform/http/errors.js'

/** A staff member of this department. False for citizens and for a missing department. */
export function sameDepartment(principal: Principal | undefined, departmentId: string | null | undefined): boolean {
  return Boolean(
    principal?.staffId && principal.departmentId && departmentId && principal.departmentId === departmentId,
  )
}

/**
 * A staff member of this department or of its parent: the staff of a department may see the
 * records of its sub-units (科室), not the other way round.
 */
export function sameDepartmentOrParent(
  principal: Principal | undefined,
  department: { id: string; parentId: string | null } | null | undefined,
): boolean {
  if (!department) return false
  return sameDepartment(principal, department.id) || sameDepartment(principal, department.parentId)
}

/** A staff member posted at this service point (窗口, 镇服务站, 村便民服务点). */
export function sameServicePoint(principal: Principal | undefined, servicePointId: string | null | undefined): boolean {
  return Boolean(
    principal?.staffId && principal.servicePointId && servicePointId && principal.servicePointId === servicePointId,
  )
}

/** The natural person themself (whatever enterprise they are acting for at the moment). */
export function ownPerson(principal: Principal | undefined, personId: string | null | undefined): boolean {
  return Boolean(principal?.personId && personId && principal.personId === personId)
}

/** The person is acting for this enterprise now (switched to it; the grant was checked this request). */
export function actingFor(principal: Principal | undefined, enterpriseId: string | null | undefined): boolean {
  return Boolean(
    principal?.personId && principal.enterpriseId && enterpriseId && principal.enterpriseId === enterpriseId,
  )
}

// ---------------------------------------------------------------------------------------------
// Acting for an enterprise (database)

/** How a person may act for an enterprise. */
export type ActingRight =
  | { role: 'legal_rep' }
  | { role: 'agent'; grantId: string; scope: 'all' | 'items'; itemCodes: readonly string[]; validUntil: string }

/** Parses the stored item code list; anything unreadable counts as no items. */
export function parseItemCodes(stored: string | null | undefined): string[] {
  try {
    const value: unknown = JSON.parse(stored ?? '[]')
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
  } catch {
    return []
  }
}

async function lookUpRight(
  db: DbOrTrx,
  personId: string,
  enterpriseId: string,
  now: Date,
): Promise<{ right: ActingRight; name: string } | undefined> {
  const enterprise = await db
    .selectFrom('enterprises')
    .select(['name', 'legalRepPersonId'])
    .where('id', '=', enterpriseId)
    .executeTakeFirst()
  if (!enterprise) return undefined
  if (enterprise.legalRepPersonId === personId) return { right: { role: 'legal_rep' }, name: enterprise.name }
  const today = todayInShanghai(now)
  const grant = await db
    .selectFrom('agentGrants')
    .select(['id', 'scope', 'itemCodes', 'validUntil'])
    .where('personId', '=', personId)
    .where('enterpriseId', '=', enterpriseId)
    .where('revokedAt', 'is', null)
    .where('validFrom', '<=', today)
    .where('validUntil', '>=', today)
    .executeTakeFirst()
  if (!grant) return undefined
  return {
    right: {
      role: 'agent',
      grantId: grant.id,
      scope: grant.scope,
      itemCodes: grant.scope === 'items' ? parseItemCodes(grant.itemCodes) : [],
      validUntil: grant.validUntil,
    },
    name: enterprise.name,
  }
}

/**
 * Why a person may act for the enterprise today, or undefined: the legal representative always
 * may; an agent (经办人) while a grant is unrevoked and `now` falls between its valid_from and
 * valid_until (calendar days in Asia/Shanghai, both inclusive).
 */
export async function actingRight(
  db: DbOrTrx,
  personId: string,
  enterpriseId: string,
  now: Date,
): Promise<ActingRight | undefined> {
  return (await lookUpRight(db, personId, enterpriseId, now))?.right
}

/** True when the right covers the service item (any item when none is named). */
export function rightCovers(right: ActingRight | undefined, itemCode?: string): boolean {
  if (!right) return false
  if (right.role === 'legal_rep' || right.scope === 'all' || itemCode === undefined) return true
  return right.itemCodes.includes(itemCode)
}

/**
 * May this person act for this enterprise now, for this service item? Without `itemCode`: for
 * anything at all (an agent limited to some items may still switch to the enterprise; each item's
 * application must then ask again with its code).
 */
export async function canActFor(
  db: DbOrTrx,
  personId: string,
  enterpriseId: string,
  itemCode: string | undefined,
  now: Date,
): Promise<boolean> {
  return rightCovers(await actingRight(db, personId, enterpriseId, now), itemCode)
}

/**
 * The enterprise a session acts for, re-checked on each request: the enterprise id and name
 * when the person may still act for it, undefined when the grant expired or was revoked (the
 * request then runs as the person alone). Call it where the principal is built.
 */
export async function validateActingEnterprise(
  db: DbOrTrx,
  personId: string,
  enterpriseId: string | null | undefined,
  now: Date,
): Promise<{ id: string; name: string } | undefined> {
  if (!enterpriseId) return undefined
  const found = await lookUpRight(db, personId, enterpriseId, now)
  return found && { id: enterpriseId, name: found.name }
}

/** What the page header shows after the person's name: 陈晓燕（代表 ××有限公司）. */
export function actingAsLabel(enterpriseName: string | undefined): string | undefined {
  return enterpriseName ? `代表 ${enterpriseName}` : undefined
}

const assuranceWords: Record<number, string> = { 1: '一级（本人注册）', 2: '二级（已核验身份）', 3: '三级（现场核验）' }

/**
 * A service may require an identity assurance level (L1 self-registered, L2 checked, L3 in person).
 * @throws ASSURANCE_TOO_LOW (403) naming the level needed and how to get it
 */
export function requireAssurance(principal: Pick<Principal, 'assuranceLevel'>, needed: 1 | 2 | 3): void {
  if (principal.assuranceLevel >= needed) return
  throw new DomainError(
    'ASSURANCE_TOO_LOW',
    'forbidden',
    `办理这个事项需要实名${assuranceWords[needed]}，您的账号目前是${assuranceWords[principal.assuranceLevel]}。请携带身份证到任一政务服务中心窗口或镇（场）政务服务站核验身份后再办理。`,
  )
}
