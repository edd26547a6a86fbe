/**
 * What single sign-on (modules/sso) needs from identity: the claims released about an account to
 * a department system, the platform session behind an SSO login, the department list for the
 * client register, and ending the platform session when a department system logs the person out.
 *
 * Personal data rules (SECURITY.md, PIPL): the ID number and phone go out masked; the full ID
 * number only when the caller says the client is allowed it (and the person consented to the
 * `idnumber` scope). Nothing here is logged.
 */
import type { Principal } from '../../platform/auth/principal.js'
import type { Deps } from '../../platform/deps.js'
import {
  findAccount,
  findDepartment,
  findDepartmentByCode,
  findLiveSession,
  findPerson,
  findStaffByAccount,
  listDepartments,
  listStaffRoles,
} from './identity.repository.js'
import { logout } from './identity.service.js'

/** Claims about one account, named as OpenID Connect releases them (snake_case). */
export interface AccountClaims {
  /** The account id (stable, not personal data). */
  sub: string
  account_type: 'person' | 'staff'
  name: string
  /** 1 self-registered, 2 checked against a trusted source, 3 checked in person (staff: 3). */
  assurance_level: 1 | 2 | 3
  /** 445103********0029 */
  id_number_masked?: string
  /** Only when `fullIdNumber` was asked for. */
  id_number?: string
  /** 138****0001 */
  phone_number_masked?: string
  department_id?: string
  department_name?: string
  /** Role codes, e.g. `reviewer`. */
  roles?: string[]
}

/**
 * The claims of an active account, or undefined when it does not exist, is disabled, or is a
 * staff account whose staff record is inactive.
 */
export async function accountClaims(
  deps: Deps,
  accountId: string,
  options: { fullIdNumber: boolean },
): Promise<AccountClaims | undefined> {
  const { db, fieldCrypto } = deps
  const account = await findAccount(db, accountId)
  if (account?.status !== 'active') return undefined
  const person = account.personId ? await findPerson(db, account.personId) : undefined
  const personClaims = person
    ? {
        id_number_masked: person.idNumberMasked,
        ...(options.fullIdNumber ? { id_number: fieldCrypto.decrypt(person.idNumberEnc) } : {}),
        ...(person.mobileMasked ? { phone_number_masked: person.mobileMasked } : {}),
      }
    : {}
  if (account.kind === 'staff') {
    const staff = await findStaffByAccount(db, account.id)
    if (!staff?.active) return undefined
    const department = await findDepartment(db, staff.departmentId)
    return {
      sub: account.id,
      account_type: 'staff',
      name: staff.name,
      assurance_level: 3,
      ...personClaims,
      department_id: staff.departmentId,
      ...(department ? { department_name: department.name } : {}),
      roles: await listStaffRoles(db, staff.id),
    }
  }
  if (!person) return undefined
  return {
    sub: account.id,
    account_type: 'person',
    name: person.name,
    assurance_level: person.assuranceLevel,
    ...personClaims,
  }
}

/** When the platform session behind a principal began, and whether a second factor was used. */
export async function platformSessionInfo(
  deps: Deps,
  sessionId: string,
): Promise<{ startedAt: string; secondFactorAt: string | null } | undefined> {
  const session = await findLiveSession(deps.db, sessionId)
  return session ? { startedAt: session.createdAt, secondFactorAt: session.secondFactorAt } : undefined
}

/**
 * Ends the person's platform session (logout started by a department system through SSO). The
 * identity module writes its `identity.logout` audit entry as for any logout.
 */
export function endPlatformSession(
  deps: Deps,
  principal: Principal,
  context: { ip?: string; requestId?: string } = {},
): Promise<void> {
  return logout(deps, principal, context)
}

/** Active departments for a choice list (client register): id and full name, in display order. */
export async function departmentChoices(deps: Deps): Promise<{ id: string; name: string }[]> {
  const rows = await listDepartments(deps.db)
  return rows.map((d) => ({ id: d.id, name: d.name }))
}

/** The id of a department by its short code (e.g. `scj`), when it exists (demo data). */
export async function departmentIdByCode(deps: Deps, code: string): Promise<string | undefined> {
  return (await findDepartmentByCode(deps.db, code))?.id
}

/** The name of a department, when it exists. */
export async function departmentName(deps: Deps, id: string): Promise<string | undefined> {
  return (await findDepartment(deps.db, id))?.name
}
