/**
 * Accounts, login and the principal of a request.
 */
import { hash as argonHash } from '@node-rs/argon2'
import { appendAudit, auditActorOf } from '../../platform/audit/audit.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { type DbOrTrx, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { invalidInput } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import { maskCitizenId, maskMobile, validateCitizenId, validateMobile } from '../../platform/validators/index.js'
import { personExists } from './identity.errors.js'
import { staffPasswordExpired } from './identity.password.js'
import { validateActingEnterprise } from './identity.policy.js'
import {
  endSession,
  findDepartment,
  findLiveSession,
  findLiveSessionWithHolder,
  findPerson,
  findPersonByIdNumberIndex,
  listStaffRoles,
  touchSession,
} from './identity.repository.js'
import { permissionsOf, roleName } from './identity.roles.js'
import { checkSession, SESSION_LIMITS } from './identity.sessions.js'

/** What the owner sees on 我的账号. */
export interface AccountView {
  displayName: string
  kind: 'person' | 'staff'
  idNumberMasked?: string
  mobileMasked?: string
  assuranceLevel: number
  department?: string
  roles: string[]
  sessionStartedAt: string
  sessionExpiresAt: string
}

/** argon2id with the library's defaults (m=19 MiB, t=2, p=1: OWASP's recommendation). */
export function hashPassword(password: string): Promise<string> {
  return argonHash(password)
}

/** Normalises what people type as an account: full-width digits, spaces, lower-case x. */
export function normaliseAccountInput(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\s-]/g, '')
    .replace(/^(\+?86)(1\d{10})$/, '$2')
    .replace(/x$/, 'X')
}

/** The principal for a session cookie token, or undefined when there is no live session. */
export async function principalForToken(deps: Deps, token: string): Promise<Principal | undefined> {
  const { db, clock } = deps
  const check = await checkSession(db, clock, token, findLiveSessionWithHolder)
  if (check.state !== 'live') return undefined
  const row = check.session
  if (row.accountStatus !== 'active') return undefined
  if (row.accountKind === 'staff') {
    // A staff login counts only after its second factor (SECURITY.md: TOTP on every login).
    if (!row.secondFactorAt) return undefined
    if (!row.staffId || !row.staffActive) return undefined
    const roles = await listStaffRoles(db, row.staffId)
    return {
      sessionId: row.id,
      accountId: row.accountId,
      personId: row.accountPersonId ?? undefined,
      staffId: row.staffId,
      departmentId: row.staffDepartmentId ?? undefined,
      servicePointId: row.staffServicePointId ?? undefined,
      displayName: row.staffName ?? '',
      roles,
      permissions: permissionsOf(roles),
      assuranceLevel: 3,
      sessionIdleMs: SESSION_LIMITS.staff.idleMs,
      mustChangePassword: staffPasswordExpired(row.accountPasswordChangedAt, clock.now()),
    }
  }
  if (!row.holderPersonId || row.personAssuranceLevel == null) return undefined
  // Acting for an enterprise is re-checked on every request: an expired or revoked grant stops at once.
  const acting = await validateActingEnterprise(db, row.holderPersonId, row.actingEnterpriseId, clock.now())
  return {
    sessionId: row.id,
    accountId: row.accountId,
    personId: row.holderPersonId,
    enterpriseId: acting?.id,
    enterpriseName: acting?.name,
    displayName: row.personName ?? '',
    roles: [],
    permissions: new Set(),
    assuranceLevel: row.personAssuranceLevel,
    sessionIdleMs: SESSION_LIMITS.person.idleMs,
  }
}

/** Ends the request's session server-side. */
export async function logout(
  deps: Deps,
  principal: Principal,
  context: { ip?: string; requestId?: string } = {},
): Promise<void> {
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    await endSession(trx, principal.sessionId, now.toISOString(), 'logout')
    await appendAudit(trx, {
      at: now,
      actor: auditActorOf(actorOf(principal)),
      action: 'identity.logout',
      object: { type: 'account', id: principal.accountId },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
  })
}

/** What the owner sees on 我的账号: masked identifiers, assurance, roles, session times. */
export async function accountView(deps: Deps, principal: Principal): Promise<AccountView> {
  const { db } = deps
  const session = await findLiveSession(db, principal.sessionId)
  const person = principal.personId ? await findPerson(db, principal.personId) : undefined
  const department = principal.departmentId ? await findDepartment(db, principal.departmentId) : undefined
  return {
    displayName: principal.displayName,
    kind: principal.staffId ? 'staff' : 'person',
    idNumberMasked: person?.idNumberMasked,
    mobileMasked: person?.mobileMasked ?? undefined,
    assuranceLevel: principal.assuranceLevel,
    department: department?.name,
    roles: principal.roles.map(roleName),
    sessionStartedAt: session?.createdAt ?? deps.clock.now().toISOString(),
    sessionExpiresAt: session?.absoluteExpiresAt ?? deps.clock.now().toISOString(),
  }
}

export interface NewPerson {
  name: string
  idNumber: string
  mobile?: string
  assuranceLevel: 1 | 2 | 3
  assuranceSource: string
  password?: string
  /** A precomputed hash (the seed hashes its one demo password once). */
  passwordHash?: string
}

/** Looks a person up by ID number through the blind index. */
export function findPersonByIdNumber(deps: Deps, db: DbOrTrx, idNumber: string) {
  return findPersonByIdNumberIndex(db, deps.fieldCrypto.blindIndex(normaliseAccountInput(idNumber)))
}

/**
 * Creates a natural person and their account. The ID number is the person's one key
 * (一号申请): stored encrypted, found by its blind index, shown masked.
 * @throws VALIDATION_FAILED for an invalid ID number or mobile; PERSON_EXISTS when registered
 */
export async function createPerson(
  deps: Deps,
  trx: DbOrTrx,
  input: NewPerson,
): Promise<{ personId: string; accountId: string }> {
  const { fieldCrypto } = deps
  const id = validateCitizenId(input.idNumber)
  const problems = []
  if (!id.ok) problems.push({ field: 'idNumber', message: id.message })
  const name = input.name.normalize('NFKC').trim()
  if (!/^[\p{Script=Han}·•A-Za-z ]{2,30}$/u.test(name)) {
    problems.push({ field: 'name', message: '请填写与身份证一致的姓名（2 到 30 个字）' })
  }
  const mobile = input.mobile ? validateMobile(input.mobile) : undefined
  if (mobile && !mobile.ok) problems.push({ field: 'mobile', message: mobile.message })
  if (problems.length > 0 || !id.ok || (mobile && !mobile.ok)) throw invalidInput(problems)
  if (await findPersonByIdNumberIndex(trx, fieldCrypto.blindIndex(id.value))) throw personExists()

  const now = deps.clock.now().toISOString()
  const personId = newId()
  await trx
    .insertInto('persons')
    .values({
      id: personId,
      name,
      idNumberEnc: fieldCrypto.encrypt(id.value),
      idNumberIndex: fieldCrypto.blindIndex(id.value),
      idNumberMasked: maskCitizenId(id.value),
      mobileEnc: mobile?.ok ? fieldCrypto.encrypt(mobile.value) : null,
      mobileIndex: mobile?.ok ? fieldCrypto.blindIndex(mobile.value) : null,
      mobileMasked: mobile?.ok ? maskMobile(mobile.value) : null,
      addressEnc: null,
      birthDate: id.info.birthDate,
      sex: id.info.sex,
      assuranceLevel: input.assuranceLevel,
      assuranceSource: input.assuranceSource,
      createdAt: now,
      updatedAt: now,
    })
    .execute()
  const accountId = newId()
  const passwordHash = input.passwordHash ?? (input.password ? await hashPassword(input.password) : null)
  await trx
    .insertInto('accounts')
    .values({
      id: accountId,
      kind: 'person',
      loginName: null,
      personId,
      passwordHash,
      passwordChangedAt: passwordHash ? now : null,
      status: 'active',
      failedLogins: 0,
      lockedUntil: null,
      totpSecretEnc: null,
      totpEnabledAt: null,
      elderMode: 0,
      lastLoginAt: null,
      createdAt: now,
    })
    .execute()
  return { personId, accountId }
}

/** Slides the idle deadline of the request's session now; returns the new deadline. */
export async function keepAlive(deps: Deps, principal: Principal): Promise<string> {
  const now = deps.clock.now()
  const session = await findLiveSession(deps.db, principal.sessionId)
  const idleMs = SESSION_LIMITS[session?.kind ?? 'person'].idleMs
  const idleExpiresAt = new Date(now.getTime() + idleMs).toISOString()
  await touchSession(deps.db, principal.sessionId, now.toISOString(), idleExpiresAt)
  return idleExpiresAt
}
