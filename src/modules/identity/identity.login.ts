/**
 * Logging in: password (+ TOTP for staff), SMS one-time code for citizens, registration,
 * and managing one's own sessions and password.
 */
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2'
import { appendAudit, auditActorOf } from '../../platform/audit/audit.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { validateCitizenId, validateMobile } from '../../platform/validators/index.js'
import { loginFailed } from './identity.errors.js'
import {
  consumeSmsCode,
  issueSmsCode,
  newRecoveryCodes,
  newTotpSecret,
  replaceRecoveryCodes,
  useRecoveryCode,
  verifyTotp,
} from './identity.factors.js'
import { checkNewPassword } from './identity.password.js'
import {
  endAllSessions,
  endOtherSessions,
  endSession,
  findAccount,
  findAccountByLoginName,
  findLiveSession,
  findPersonAccount,
  findPersonByIdNumberIndex,
  findPersonByMobileIndex,
  findStaffByAccount,
  incrementFailedLogins,
  listLiveSessions,
  markSecondFactor,
  updateAccount,
} from './identity.repository.js'
import { createPerson, hashPassword, normaliseAccountInput } from './identity.service.js'
import { checkSession, startSession } from './identity.sessions.js'
import type { AccountTable } from './identity.tables.js'

export const LOCKOUT = { maxFailures: 5, lockMs: 30 * 60_000 } as const

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
  /** Staff: the session waits for a TOTP code (or for enrolment when none is set up yet). */
  secondFactor: 'none' | 'verify' | 'enrol'
}

export interface RequestContext {
  ip?: string
  userAgent?: string
  requestId?: string
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
    const secondFactor = account.kind !== 'staff' ? 'none' : account.totpEnabledAt ? 'verify' : 'enrol'
    return { token, accountId: account.id, kind: account.kind, secondFactor }
  })
}

// ---------------------------------------------------------------------------------------------
// Second factor (staff)

export interface PendingLogin {
  sessionId: string
  accountId: string
  staffName: string
  loginName: string
  enrolled: boolean
  /** The secret being enrolled (only while enrolment is pending). */
  pendingSecret?: string
}

/** The staff login waiting for its second factor, for a session cookie token. */
export async function pendingSecondFactor(deps: Deps, token: string): Promise<PendingLogin | undefined> {
  const check = await checkSession(deps.db, deps.clock, token)
  if (check.state !== 'live' || check.session.kind !== 'staff' || check.session.secondFactorAt) return undefined
  const account = await findAccount(deps.db, check.session.accountId)
  const staff = account ? await findStaffByAccount(deps.db, account.id) : undefined
  if (!account || !staff) return undefined
  const enrolled = Boolean(account.totpEnabledAt)
  return {
    sessionId: check.session.id,
    accountId: account.id,
    staffName: staff.name,
    loginName: account.loginName ?? '',
    enrolled,
    pendingSecret: !enrolled && account.totpSecretEnc ? deps.fieldCrypto.decrypt(account.totpSecretEnc) : undefined,
  }
}

const secondFactorFailed = () =>
  new DomainError('SECOND_FACTOR_FAILED', 'invalid', '动态验证码不正确或已使用，请输入验证器上最新的 6 位数字。', [
    { field: 'code', message: '动态验证码不正确或已使用' },
  ])

/** Starts (or restarts) TOTP enrolment: a new secret, kept encrypted until confirmed. */
export async function beginTotpEnrolment(deps: Deps, pending: PendingLogin): Promise<string> {
  if (pending.enrolled) throw new DomainError('TOTP_ALREADY_ENROLLED', 'conflict', '已经绑定了身份验证器。')
  if (pending.pendingSecret) return pending.pendingSecret
  const secret = newTotpSecret()
  await updateAccount(deps.db, pending.accountId, { totpSecretEnc: deps.fieldCrypto.encrypt(secret) })
  return secret
}

/**
 * Confirms enrolment with a first code: the authenticator is bound, ten recovery codes are made
 * (returned once, stored hashed) and this login's second factor is done.
 * @throws SECOND_FACTOR_FAILED (422)
 */
export async function confirmTotpEnrolment(
  deps: Deps,
  pending: PendingLogin,
  code: string,
  context: RequestContext = {},
): Promise<string[]> {
  if (!pending.pendingSecret) throw new DomainError('TOTP_NOT_PENDING', 'conflict', '请先扫描二维码绑定身份验证器。')
  const now = deps.clock.now()
  const step = verifyTotp(pending.pendingSecret, code, now, null)
  if (step === null) throw secondFactorFailed()
  const codes = newRecoveryCodes()
  await transaction(deps.db, async (trx) => {
    await updateAccount(trx, pending.accountId, { totpEnabledAt: now.toISOString(), totpLastStep: step })
    await replaceRecoveryCodes(trx, pending.accountId, codes, now.toISOString())
    await markSecondFactor(trx, pending.sessionId, now.toISOString())
    const staff = await findStaffByAccount(trx, pending.accountId)
    await appendAudit(trx, {
      at: now,
      actor: { type: 'staff', id: staff?.id ?? null },
      action: 'identity.totp_enrol',
      object: { type: 'account', id: pending.accountId },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
  })
  return codes
}

/**
 * Completes a staff login with a TOTP code or a recovery code. Wrong codes count towards the
 * account's lockout like wrong passwords.
 * @throws SECOND_FACTOR_FAILED (422), LOGIN_FAILED (401) when the account got locked
 */
export async function verifySecondFactor(
  deps: Deps,
  pending: PendingLogin,
  input: { code?: string; recoveryCode?: string },
  context: RequestContext = {},
): Promise<void> {
  const now = deps.clock.now()
  const nowIso = now.toISOString()
  const account = await findAccount(deps.db, pending.accountId)
  if (!account?.totpSecretEnc || !account.totpEnabledAt) throw secondFactorFailed()
  if (account.lockedUntil && account.lockedUntil > nowIso) throw loginFailed()
  const ok = await transaction(deps.db, async (trx) => {
    const staff = await findStaffByAccount(trx, account.id)
    let method: 'totp' | 'recovery_code' = 'totp'
    let valid = false
    if (input.recoveryCode) {
      method = 'recovery_code'
      valid = await useRecoveryCode(trx, account.id, input.recoveryCode, nowIso)
    } else {
      const step = verifyTotp(
        deps.fieldCrypto.decrypt(account.totpSecretEnc!),
        input.code ?? '',
        now,
        account.totpLastStep,
      )
      if (step !== null) {
        valid = true
        await updateAccount(trx, account.id, { totpLastStep: step })
      }
    }
    if (valid) {
      await markSecondFactor(trx, pending.sessionId, nowIso)
      await updateAccount(trx, account.id, { failedLogins: 0 })
    } else {
      const row = await incrementFailedLogins(trx, account.id)
      if (row.failedLogins >= LOCKOUT.maxFailures) {
        await updateAccount(trx, account.id, {
          failedLogins: 0,
          lockedUntil: new Date(now.getTime() + LOCKOUT.lockMs).toISOString(),
        })
        await endSession(trx, pending.sessionId, nowIso, 'locked')
        await appendAudit(trx, {
          at: now,
          actor: { type: 'system', id: 'identity:lockout' },
          action: 'identity.lock',
          object: { type: 'account', id: account.id },
          details: { failures: LOCKOUT.maxFailures, minutes: LOCKOUT.lockMs / 60_000, factor: method },
          sourceIp: context.ip ?? null,
          requestId: context.requestId ?? null,
        })
      }
    }
    await appendAudit(trx, {
      at: now,
      actor: { type: 'staff', id: staff?.id ?? null },
      action: 'identity.second_factor',
      object: { type: 'account', id: account.id },
      outcome: valid ? 'success' : 'failure',
      details: { method },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
    return valid
  })
  if (!ok) throw secondFactorFailed()
}

// ---------------------------------------------------------------------------------------------
// SMS code login and registration (citizens)

export const SMS_SENT_MESSAGE = '如果该手机号码已在本平台注册，验证码已经发出，5 分钟内有效。'

function mobileOrThrow(raw: string, field = 'mobile'): string {
  const result = validateMobile(raw)
  if (!result.ok) throw invalidInput([{ field, message: result.message }])
  return result.value
}

/**
 * Sends a login code to a registered number. The answer is the same whether or not the number
 * is registered (no SMS is sent to unknown numbers), so it tells nobody who has an account.
 */
export async function sendLoginCode(deps: Deps, rawMobile: string, context: RequestContext = {}): Promise<void> {
  const mobile = mobileOrThrow(rawMobile)
  const mobileIndex = deps.fieldCrypto.blindIndex(mobile)
  const person = await findPersonByMobileIndex(deps.db, mobileIndex)
  const account = person ? await findPersonAccount(deps.db, person.id) : undefined
  const code = await transaction(deps.db, (trx) =>
    issueSmsCode(trx, deps.clock, { mobileIndex, purpose: 'login', ip: context.ip }),
  )
  if (account?.status === 'active') {
    await deps.sms.send(mobile, `【潮安区网上办事大厅】您的登录验证码是 ${code}，5 分钟内有效。如非本人操作，请忽略。`)
  }
}

/**
 * Logs a citizen in with the code sent to their number.
 * @throws LOGIN_FAILED (401) for a wrong, expired or used code, or an unknown number
 */
export async function loginWithSmsCode(
  deps: Deps,
  input: { mobile: string; code: string } & RequestContext,
): Promise<LoginResult> {
  const mobile = mobileOrThrow(input.mobile)
  const mobileIndex = deps.fieldCrypto.blindIndex(mobile)
  const now = deps.clock.now()
  return transaction(deps.db, async (trx) => {
    const ok = await consumeSmsCode(trx, deps.clock, { mobileIndex, purpose: 'login', code: input.code })
    const person = ok ? await findPersonByMobileIndex(trx, mobileIndex) : undefined
    const account = person ? await findPersonAccount(trx, person.id) : undefined
    if (!ok || account?.status !== 'active') {
      await appendAudit(trx, {
        at: now,
        actor: { type: 'anonymous' },
        action: 'identity.login',
        object: account ? { type: 'account', id: account.id } : null,
        outcome: 'failure',
        details: { method: 'sms', reason: ok ? 'unknown_account' : 'bad_code' },
        sourceIp: input.ip ?? null,
        requestId: input.requestId ?? null,
      })
      return undefined
    }
    await updateAccount(trx, account.id, { lastLoginAt: now.toISOString() })
    const { token } = await startSession(trx, deps.clock, {
      accountId: account.id,
      kind: 'person',
      ip: input.ip,
      userAgent: input.userAgent,
    })
    await appendAudit(trx, {
      at: now,
      actor: { type: 'person', id: account.personId },
      action: 'identity.login',
      object: { type: 'account', id: account.id },
      details: { method: 'sms' },
      sourceIp: input.ip ?? null,
      requestId: input.requestId ?? null,
    })
    return { token, accountId: account.id, kind: 'person' as const, secondFactor: 'none' as const }
  }).then((result) => {
    if (!result) throw loginFailed()
    return result
  })
}

/** Sends a registration code to any valid number (to prove the person holds it). */
export async function sendRegistrationCode(deps: Deps, rawMobile: string, context: RequestContext = {}): Promise<void> {
  const mobile = mobileOrThrow(rawMobile)
  const code = await transaction(deps.db, (trx) =>
    issueSmsCode(trx, deps.clock, {
      mobileIndex: deps.fieldCrypto.blindIndex(mobile),
      purpose: 'register',
      ip: context.ip,
    }),
  )
  await deps.sms.send(mobile, `【潮安区网上办事大厅】您正在注册账号，验证码 ${code}，5 分钟内有效。`)
}

export interface Registration {
  name: string
  idNumber: string
  mobile: string
  smsCode: string
  password: string
  passwordAgain: string
  agree: boolean
}

/**
 * Registers a natural person (assurance level 1: self-registered) after checking every field at
 * once, and logs them in.
 * @throws VALIDATION_FAILED listing every problem; PERSON_EXISTS (409)
 */
export async function registerPerson(
  deps: Deps,
  input: Registration,
  context: RequestContext = {},
): Promise<LoginResult> {
  const problems: FieldProblem[] = []
  const id = validateCitizenId(input.idNumber)
  if (!id.ok) problems.push({ field: 'idNumber', message: id.message })
  const mobile = validateMobile(input.mobile)
  if (!mobile.ok) problems.push({ field: 'mobile', message: mobile.message })
  if (!/^\d{6}$/.test(input.smsCode.trim())) problems.push({ field: 'smsCode', message: '请填写短信里的 6 位验证码' })
  problems.push(
    ...checkNewPassword(input.password, {
      kind: 'person',
      personal: [
        id.ok ? id.value : '',
        mobile.ok ? mobile.value : '',
        id.ok ? (id.info.birthDate ?? '').replace(/-/g, '') : '',
      ],
    }),
  )
  if (input.password !== input.passwordAgain) problems.push({ field: 'passwordAgain', message: '两次填写的密码不一致' })
  if (!input.agree) problems.push({ field: 'agree', message: '请阅读并同意个人信息保护说明' })
  if (!input.name.trim()) problems.push({ field: 'name', message: '请填写姓名' })
  if (problems.length > 0 || !id.ok || !mobile.ok) throw invalidInput(problems)

  const now = deps.clock.now()
  const passwordHash = await hashPassword(input.password)
  return transaction(deps.db, async (trx) => {
    const codeOk = await consumeSmsCode(trx, deps.clock, {
      mobileIndex: deps.fieldCrypto.blindIndex(mobile.value),
      purpose: 'register',
      code: input.smsCode,
    })
    if (!codeOk) throw invalidInput([{ field: 'smsCode', message: '短信验证码不正确或已过期，请重新获取' }])
    const { personId, accountId } = await createPerson(deps, trx, {
      name: input.name,
      idNumber: id.value,
      mobile: mobile.value,
      assuranceLevel: 1,
      assuranceSource: 'self_registration',
      passwordHash,
    })
    const { token } = await startSession(trx, deps.clock, {
      accountId,
      kind: 'person',
      ip: context.ip,
      userAgent: context.userAgent,
    })
    await appendAudit(trx, {
      at: now,
      actor: { type: 'person', id: personId },
      action: 'identity.register',
      object: { type: 'person', id: personId },
      details: { assuranceLevel: 1 },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
    return { token, accountId, kind: 'person' as const, secondFactor: 'none' as const }
  })
}

// ---------------------------------------------------------------------------------------------
// My sessions and password

export interface SessionView {
  id: string
  current: boolean
  createdAt: string
  lastSeenAt: string
  ip: string | null
  device: string
}

/** A short, readable name for a user agent: 「Chrome · Windows」. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return '未知设备'
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /MicroMessenger/.test(userAgent)
      ? '微信'
      : /Chrome\//.test(userAgent)
        ? 'Chrome'
        : /Firefox\//.test(userAgent)
          ? 'Firefox'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : '浏览器'
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : ''
  return os ? `${browser} · ${os}` : browser
}

export async function listMySessions(deps: Deps, principal: Principal): Promise<SessionView[]> {
  const rows = await listLiveSessions(deps.db, principal.accountId, deps.clock.now().toISOString())
  return rows.map((r) => ({
    id: r.id,
    current: r.id === principal.sessionId,
    createdAt: r.createdAt,
    lastSeenAt: r.lastSeenAt,
    ip: r.ip,
    device: describeDevice(r.userAgent),
  }))
}

/** Ends one of my sessions (another device); an id that is not mine is "not found". */
export async function endMySession(
  deps: Deps,
  principal: Principal,
  sessionId: string,
  context: RequestContext = {},
): Promise<void> {
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    const session = await findLiveSession(trx, sessionId)
    if (!session || session.accountId !== principal.accountId) {
      throw new DomainError('SESSION_NOT_FOUND', 'not_found', '找不到这个登录设备，可能已经退出。')
    }
    await endSession(trx, sessionId, now.toISOString(), 'ended_by_owner')
    await appendAudit(trx, {
      at: now,
      actor: auditActorOf(actorOf(principal)),
      action: 'identity.session_end',
      object: { type: 'account', id: principal.accountId },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
  })
}

/** Ends every session of my account, this one included (退出所有设备). */
export async function logoutEverywhere(
  deps: Deps,
  principal: Principal,
  context: RequestContext = {},
): Promise<number> {
  const now = deps.clock.now()
  return transaction(deps.db, async (trx) => {
    const ended = await endAllSessions(trx, principal.accountId, now.toISOString(), 'logout_everywhere')
    await appendAudit(trx, {
      at: now,
      actor: auditActorOf(actorOf(principal)),
      action: 'identity.logout_everywhere',
      object: { type: 'account', id: principal.accountId },
      details: { sessions: ended },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
    return ended
  })
}

/**
 * Changes my password after checking the current one; other sessions are ended.
 * @throws VALIDATION_FAILED
 */
export async function changePassword(
  deps: Deps,
  principal: Principal,
  input: { current: string; next: string; nextAgain: string },
  context: RequestContext = {},
): Promise<void> {
  const account = await findAccount(deps.db, principal.accountId)
  if (!account?.passwordHash) throw new DomainError('NO_PASSWORD', 'conflict', '该账号没有设置密码。')
  const problems: FieldProblem[] = []
  const currentOk = await argonVerify(account.passwordHash, input.current).catch(() => false)
  if (!currentOk) problems.push({ field: 'current', message: '当前密码不正确' })
  problems.push(
    ...checkNewPassword(input.next, { kind: account.kind, personal: [account.loginName ?? ''], field: 'next' }),
  )
  if (input.next === input.current) problems.push({ field: 'next', message: '新密码不能与当前密码相同' })
  if (input.next !== input.nextAgain) problems.push({ field: 'nextAgain', message: '两次填写的新密码不一致' })
  if (problems.length > 0) throw invalidInput(problems)
  const now = deps.clock.now()
  const passwordHash = await hashPassword(input.next)
  await transaction(deps.db, async (trx) => {
    await updateAccount(trx, account.id, { passwordHash, passwordChangedAt: now.toISOString() })
    await endOtherSessions(trx, account.id, principal.sessionId, now.toISOString(), 'password_changed')
    await appendAudit(trx, {
      at: now,
      actor: auditActorOf(actorOf(principal)),
      action: 'identity.password_change',
      object: { type: 'account', id: account.id },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
  })
}
