/**
 * Accounts, login and the principal of a request.
 */
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2'
import { appendAudit, auditActorOf } from '../../platform/audit/audit.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { type DbOrTrx, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { invalidInput } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import { maskCitizenId, maskMobile, validateCitizenId, validateMobile } from '../../platform/validators/index.js'
import { loginFailed, personExists } from './identity.errors.js'
import {
  endSession,
  findAccount,
  findAccountByLoginName,
  findDepartment,
  findLiveSession,
  findPerson,
  findPersonAccount,
  findPersonByIdNumberIndex,
  findPersonByMobileIndex,
  findStaffByAccount,
  incrementFailedLogins,
  listStaffRoles,
  updateAccount,
} from './identity.repository.js'
import { permissionsOf, roleName } from './identity.roles.js'
import { checkSession, startSession } from './identity.sessions.js'
import type { AccountTable } from './identity.tables.js'

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

export const LOCKOUT = { maxFailures: 5, lockMs: 30 * 60_000 } as const

/** argon2id with the library's defaults (m=19 MiB, t=2, p=1: OWASP's recommendation). */
export function hashPassword(password: string): Promise<string> {
  return argonHash(password)
}

// Verifying against this when the account does not exist keeps the answer time the same.
let dummyHash: Promise<string> | undefined

export interface LoginInput {
  /** 身份证号码, 手机号码 or a staff user name. */
  account: string
  password: string
  ip?: string
  userAgent?: string
  requestId?: string
}

export interface LoginResult {
  token: string
  accountId: string
  kind: 'person' | 'staff'
}

/** Normalises what people type as an account: full-width digits, spaces, lower-case x. */
export function normaliseAccountInput(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\s-]/g, '')
    .replace(/^(\+?86)(1\d{10})$/, '$2')
    .replace(/x$/, 'X')
}

async function findLoginAccount(deps: Deps, raw: string): Promise<AccountTable | undefined> {
  const { db, fieldCrypto } = deps
  const account = normaliseAccountInput(raw)
  if (/^\d{17}[\dX]$/.test(account)) {
    const person = await findPersonByIdNumberIndex(db, fieldCrypto.blindIndex(account))
    return person ? findPersonAccount(db, person.id) : undefined
  }
  if (/^1\d{10}$/.test(account)) {
    const person = await findPersonByMobileIndex(db, fieldCrypto.blindIndex(account))
    return person ? findPersonAccount(db, person.id) : undefined
  }
  const byName = await findAccountByLoginName(db, account.toLowerCase())
  return byName?.kind === 'staff' ? byName : undefined
}

/**
 * Password login. Five failures lock the account for 30 minutes; the answer is the same for an
 * unknown account, a wrong password and a locked account (SECURITY.md).
 * @throws LOGIN_FAILED (401)
 */
export async function loginWithPassword(deps: Deps, input: LoginInput): Promise<LoginResult> {
  const { db, clock } = deps
  const account = await findLoginAccount(deps, input.account)
  const now = clock.now()
  const context = { sourceIp: input.ip ?? null, requestId: input.requestId ?? null }
  if (!account?.passwordHash || account.status !== 'active') {
    dummyHash ??= argonHash('not-a-real-password-at-all')
    await argonVerify(await dummyHash, input.password).catch(() => false)
    await transaction(db, (trx) =>
      appendAudit(trx, {
        at: now,
        actor: { type: 'anonymous' },
        action: 'identity.login',
        object: account ? { type: 'account', id: account.id } : null,
        outcome: 'failure',
        details: { reason: account ? 'account_disabled' : 'unknown_account' },
        ...context,
      }),
    )
    throw loginFailed()
  }
  const locked = account.lockedUntil !== null && account.lockedUntil > now.toISOString()
  const passwordOk = await argonVerify(account.passwordHash, input.password).catch(() => false)
  if (locked || !passwordOk) {
    await transaction(db, async (trx) => {
      let lockedNow = false
      if (!locked) {
        // Counted in the database, so concurrent attempts cannot undercount.
        const row = await incrementFailedLogins(trx, account.id)
        if (row.failedLogins >= LOCKOUT.maxFailures) {
          lockedNow = true
          await updateAccount(trx, account.id, {
            failedLogins: 0,
            lockedUntil: new Date(now.getTime() + LOCKOUT.lockMs).toISOString(),
          })
        }
      }
      await appendAudit(trx, {
        at: now,
        actor: { type: 'anonymous' },
        action: 'identity.login',
        object: { type: 'account', id: account.id },
        outcome: 'failure',
        details: { reason: locked ? 'locked' : 'bad_password' },
        ...context,
      })
      if (lockedNow) {
        await appendAudit(trx, {
          at: now,
          actor: { type: 'system', id: 'identity:lockout' },
          action: 'identity.lock',
          object: { type: 'account', id: account.id },
          details: { failures: LOCKOUT.maxFailures, minutes: LOCKOUT.lockMs / 60_000 },
          ...context,
        })
      }
    })
    throw loginFailed()
  }
  return transaction(db, async (trx) => {
    await updateAccount(trx, account.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: now.toISOString() })
    const { token } = await startSession(trx, clock, {
      accountId: account.id,
      kind: account.kind,
      ip: input.ip,
      userAgent: input.userAgent,
    })
    const staff = account.kind === 'staff' ? await findStaffByAccount(trx, account.id) : undefined
    await appendAudit(trx, {
      at: now,
      actor: staff ? { type: 'staff', id: staff.id } : { type: 'person', id: account.personId },
      action: 'identity.login',
      object: { type: 'account', id: account.id },
      details: { method: 'password' },
      ...context,
    })
    return { token, accountId: account.id, kind: account.kind }
  })
}

/** The principal for a session cookie token, or undefined when there is no live session. */
export async function principalForToken(deps: Deps, token: string): Promise<Principal | undefined> {
  const { db, clock } = deps
  const check = await checkSession(db, clock, token)
  if (check.state !== 'live') return undefined
  const session = check.session
  const account = await findAccount(db, session.accountId)
  if (account?.status !== 'active') return undefined
  if (account.kind === 'staff') {
    const staff = await findStaffByAccount(db, account.id)
    if (!staff?.active) return undefined
    const roles = await listStaffRoles(db, staff.id)
    return {
      sessionId: session.id,
      accountId: account.id,
      personId: account.personId ?? undefined,
      staffId: staff.id,
      departmentId: staff.departmentId,
      servicePointId: staff.servicePointId ?? undefined,
      displayName: staff.name,
      roles,
      permissions: permissionsOf(roles),
      assuranceLevel: 3,
    }
  }
  const person = account.personId ? await findPerson(db, account.personId) : undefined
  if (!person) return undefined
  return {
    sessionId: session.id,
    accountId: account.id,
    personId: person.id,
    enterpriseId: session.actingEnterpriseId ?? undefined,
    displayName: person.name,
    roles: [],
    permissions: new Set(),
    assuranceLevel: person.assuranceLevel,
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
