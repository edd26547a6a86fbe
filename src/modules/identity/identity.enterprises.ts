/**
 * Legal persons (法人) and the people who act for them (经办人).
 *
 * - An enterprise is registered by its legal representative (法定代表人 / 经营者) themself, logged
 *   in as a person, with a unified social credit code that passes GB 32100's check. A code that
 *   fails only its check character (some early pilot codes do, DOMAIN.md §6) is accepted only by
 *   an officer holding `enterprises.verify`, with a reason, after seeing the business licence.
 * - The legal representative grants agents: all items or chosen service items, until a date at
 *   most three years ahead. A revoked or expired grant stops working at once (the acting identity
 *   is re-checked on every request: identity.policy.ts validateActingEnterprise).
 * - A person switches between acting as themself (个人) and for an enterprise; the session keeps
 *   the choice.
 *
 * Every change runs in one transaction with one audit entry whose actor names both the person
 * (or officer) and the enterprise.
 */
import { type AuditActor, appendAudit, systemActor } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { addCalendarDays, isValidDay, todayInShanghai } from '../../platform/calendar/calendar.js'
import { type DbOrTrx, isUniqueViolation, type Trx, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import type { SeedReport } from '../../platform/module.js'
import { validateCitizenId, validateCreditCode } from '../../platform/validators/index.js'
import { type ActingRight, actingRight, parseItemCodes, validateActingEnterprise } from './identity.policy.js'
import { DEMO_PASSWORD } from './identity.seed-data.js'
import { createPerson, findPersonByIdNumber, hashPassword } from './identity.service.js'
import type { AgentGrantTable, EnterpriseKind, EnterpriseTable } from './identity.tables.js'

export { actingFor, actingRight, canActFor, validateActingEnterprise } from './identity.policy.js'

/** The kinds of legal person, by stored code. */
export const ENTERPRISE_KINDS: Readonly<Record<EnterpriseKind, string>> = {
  company: '企业',
  individual: '个体工商户',
  institution: '事业单位',
  social_org: '社会组织',
  other: '其他',
}

export function isEnterpriseKind(value: string): value is EnterpriseKind {
  return Object.hasOwn(ENTERPRISE_KINDS, value)
}

/** Staff holding this may accept a credit code whose check character fails (with a reason). */
export const ENTERPRISES_VERIFY = 'enterprises.verify'
/** The longest an agent grant may run. */
export const GRANT_MAX_YEARS = 3
/** Registering an enterprise needs an identity checked at least this well (二级: checked online). */
export const REGISTER_MIN_ASSURANCE = 2
/** Service item codes (the catalog arrives later): letters, digits, '.', '_', '-', 4–64 characters. */
export const ITEM_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{3,63}$/
export const MAX_GRANT_ITEMS = 50

// ---------------------------------------------------------------------------------------------
// Errors

export const enterpriseNotFound = () =>
  new DomainError('ENTERPRISE_NOT_FOUND', 'not_found', '找不到这家企业，或您不能代表这家企业。')

export const grantNotFound = () => new DomainError('AGENT_GRANT_NOT_FOUND', 'not_found', '找不到这项经办人授权。')

export const notLegalRep = () =>
  new DomainError('ENTERPRISE_LEGAL_REP_ONLY', 'forbidden', '只有企业的法定代表人（经营者）本人可以管理经办人授权。')

export const noActingRight = () =>
  new DomainError(
    'ENTERPRISE_NO_GRANT',
    'forbidden',
    '您没有这家企业的有效授权（可能尚未授权、已过期或已被撤销），不能以企业身份办事。请联系企业的法定代表人。',
  )

export const personOnly = () =>
  new DomainError('ENTERPRISE_PERSON_ONLY', 'forbidden', '企业身份只能由个人账号使用，工作人员账号不能代表企业。')

export const assuranceTooLow = () =>
  new DomainError(
    'ENTERPRISE_ASSURANCE_TOO_LOW',
    'forbidden',
    '登记企业需要二级以上实名认证。请先完成实名核验，或携带身份证和营业执照到政务服务中心窗口办理。',
  )

export const grantAlreadyRevoked = () =>
  new DomainError('AGENT_GRANT_REVOKED', 'conflict', '这项授权已经撤销，无需再次撤销。')

/** Where the request came from, for the audit entry. */
export interface RequestContext {
  ip?: string
  requestId?: string
}

const contextOf = (context: RequestContext) => ({
  sourceIp: context.ip ?? null,
  requestId: context.requestId ?? null,
})

const normaliseName = (name: string) => name.normalize('NFKC').replace(/\s+/g, ' ').trim()

/** `day` plus whole years; 29 February becomes 28 February in a common year. */
export function addYears(day: string, years: number): string {
  const target = `${String(Number(day.slice(0, 4)) + years).padStart(4, '0')}${day.slice(4)}`
  const valid: boolean = isValidDay(target)
  return valid ? target : `${target.slice(0, 8)}28`
}

// ---------------------------------------------------------------------------------------------
// Queries

export function findEnterprise(db: DbOrTrx, id: string) {
  return db.selectFrom('enterprises').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findEnterpriseByCreditCode(db: DbOrTrx, creditCode: string) {
  return db.selectFrom('enterprises').selectAll().where('creditCode', '=', creditCode).executeTakeFirst()
}

function findGrant(db: DbOrTrx, id: string) {
  return db.selectFrom('agentGrants').selectAll().where('id', '=', id).executeTakeFirst()
}

/**
 * Points the session at an enterprise (or back at the person with null). Only the session's own
 * account may change it; the caller has checked the right to act.
 */
export async function setSessionActingEnterprise(
  db: DbOrTrx,
  session: { id: string; accountId: string },
  enterpriseId: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('sessions')
    .set({ actingEnterpriseId: enterpriseId })
    .where('id', '=', session.id)
    .where('accountId', '=', session.accountId)
    .where('endedAt', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Stops the agent's live sessions from acting for the enterprise (on revocation). */
async function clearActingSessions(db: DbOrTrx, personId: string, enterpriseId: string): Promise<number> {
  const result = await db
    .updateTable('sessions')
    .set({ actingEnterpriseId: null })
    .where('actingEnterpriseId', '=', enterpriseId)
    .where('endedAt', 'is', null)
    .where('accountId', 'in', (eb) => eb.selectFrom('accounts').select('id').where('personId', '=', personId))
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

// ---------------------------------------------------------------------------------------------
// Registering an enterprise

export interface NewEnterprise {
  creditCode: string
  name: string
  kind: string
  address?: string
  /** 成立日期 `YYYY-MM-DD`. */
  registeredAt?: string
  /** Staff only: the legal representative, found by ID number and checked by name. */
  legalRepIdNumber?: string
  legalRepName?: string
  /** Staff with `enterprises.verify` only: why a code failing its check character is accepted. */
  overrideReason?: string
}

/**
 * Registers an enterprise. A person registers one they represent themself (identity checked at
 * least 二级); an officer with `enterprises.verify` registers one for a legal representative who
 * came to the window, and only they may accept a credit code whose check character fails,
 * giving a reason. The audit actor names the registrant and the new enterprise.
 * @throws VALIDATION_FAILED (422) with field details: credit code, name, kind, address, date,
 *   legal representative, override reason, a code already registered
 * @throws FORBIDDEN (403) for staff without `enterprises.verify`; ENTERPRISE_ASSURANCE_TOO_LOW (403) for a
 *   person whose identity is checked below 二级
 */
export async function registerEnterprise(
  deps: Deps,
  principal: Principal,
  input: NewEnterprise,
  context: RequestContext = {},
): Promise<{ id: string; creditCode: string; overridden: boolean }> {
  const { db, clock, fieldCrypto } = deps
  const asStaff = Boolean(principal.staffId)
  if (asStaff && !principal.permissions.has(ENTERPRISES_VERIFY)) {
    throw new DomainError('FORBIDDEN', 'forbidden', '您没有代为登记企业的权限。')
  }
  if (!asStaff && !principal.personId) throw personOnly()
  if (!asStaff && principal.assuranceLevel < REGISTER_MIN_ASSURANCE) throw assuranceTooLow()
  const now = clock.now()
  const today = todayInShanghai(now)

  const problems: FieldProblem[] = []
  const code = validateCreditCode(input.creditCode)
  const overrideReason = input.overrideReason?.trim() ?? ''
  let creditCode: string | undefined
  let overridden = false
  if (code.ok) {
    creditCode = code.value
  } else if (code.overridable && asStaff && overrideReason.length >= 4) {
    creditCode = code.value
    overridden = true
  } else if (code.overridable && asStaff) {
    problems.push({ field: 'creditCode', message: code.message })
    problems.push({
      field: 'overrideReason',
      message: '如已核对营业执照原件、确认代码无误，请填写确认理由（至少 4 个字）后重新提交',
    })
  } else if (code.overridable) {
    problems.push({
      field: 'creditCode',
      message:
        '统一社会信用代码校验位不正确，请对照营业执照逐位核对。如营业执照上的代码确实如此，请携带营业执照到政务服务中心窗口办理登记。',
    })
  } else {
    problems.push({ field: 'creditCode', message: code.message })
  }
  if (overrideReason.length > 200) problems.push({ field: 'overrideReason', message: '确认理由最多 200 个字' })

  const name = normaliseName(input.name ?? '')
  if (name.length < 2 || name.length > 100) {
    problems.push({ field: 'name', message: '请填写与营业执照（登记证书）一致的名称，2 到 100 个字' })
  }
  if (!isEnterpriseKind(input.kind ?? '')) problems.push({ field: 'kind', message: '请选择主体类型' })
  const address = input.address?.trim() ?? ''
  if (address.length > 200) problems.push({ field: 'address', message: '住所（经营场所）最多 200 个字' })
  const registeredAt = input.registeredAt?.trim() || undefined
  if (registeredAt !== undefined && (!isValidDay(registeredAt) || registeredAt > today)) {
    problems.push({ field: 'registeredAt', message: '成立日期应为今天或以前的日期，例如 2015-06-18' })
  }

  try {
    return await transaction(db, async (trx) => {
      let legalRepPersonId = principal.personId
      if (asStaff) {
        legalRepPersonId = undefined
        const id = validateCitizenId(input.legalRepIdNumber ?? '')
        if (!id.ok) problems.push({ field: 'legalRepIdNumber', message: id.message })
        else {
          const person = await findPersonByIdNumber(deps, trx, id.value)
          if (!person || normaliseName(person.name) !== normaliseName(input.legalRepName ?? '')) {
            problems.push({
              field: 'legalRepIdNumber',
              message: '法定代表人的身份证号码与姓名不一致，或此人尚未在本平台注册（请先为其办理个人注册）',
            })
          } else legalRepPersonId = person.id
        }
      }
      if (creditCode && (await findEnterpriseByCreditCode(trx, creditCode))) {
        problems.push({
          field: 'creditCode',
          message: '这个统一社会信用代码已经登记。如您是法定代表人但无法管理这家企业，请到政务服务中心窗口办理。',
        })
      }
      if (problems.length > 0 || !creditCode || !legalRepPersonId || !isEnterpriseKind(input.kind)) {
        throw invalidInput(problems)
      }

      const id = newId()
      const nowIso = now.toISOString()
      await trx
        .insertInto('enterprises')
        .values({
          id,
          creditCode,
          name,
          kind: input.kind,
          legalRepPersonId,
          addressEnc: address ? fieldCrypto.encrypt(address) : null,
          registeredAt: registeredAt ?? null,
          creditCodeOverrideBy: overridden ? (principal.staffId ?? null) : null,
          creditCodeOverrideAt: overridden ? nowIso : null,
          creditCodeOverrideReason: overridden ? overrideReason : null,
          createdAt: nowIso,
          updatedAt: nowIso,
        })
        .execute()
      const actor: AuditActor = asStaff
        ? { type: 'staff', id: principal.staffId, enterpriseId: id }
        : { type: 'person', id: principal.personId, enterpriseId: id }
      await appendAudit(trx, {
        at: now,
        actor,
        action: 'enterprise.register',
        object: { type: 'enterprise', id },
        details: {
          creditCode,
          kind: input.kind,
          legalRepPersonId,
          creditCodeOverride: overridden,
          ...(overridden ? { overrideReason } : {}),
        },
        ...contextOf(context),
      })
      return { id, creditCode, overridden }
    })
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw invalidInput([{ field: 'creditCode', message: '这个统一社会信用代码已经登记。' }])
    }
    throw error
  }
}

// ---------------------------------------------------------------------------------------------
// Agents

export interface NewGrant {
  enterpriseId: string
  agentIdNumber: string
  /** Must match the registered name: the legal representative proves they know who it is. */
  agentName: string
  scope: string
  itemCodes?: readonly string[]
  /** `YYYY-MM-DD`, inclusive; at most three years ahead. */
  validUntil: string
}

/** Splits what people type in the item code box: new lines, spaces, commas, 、 and ；. */
export function splitItemCodes(text: string | readonly string[] | undefined): string[] {
  const parts = (Array.isArray(text) ? text : [text ?? '']).flatMap((t: string) =>
    t.normalize('NFKC').split(/[\s,，、;；]+/),
  )
  return [...new Set(parts.map((p) => p.trim()).filter(Boolean))]
}

/**
 * The legal representative grants a registered person the right to act for the enterprise: for
 * all items or for the named service items, from today until `validUntil` (at most three years).
 * The agent is found by ID number (blind index) and must match the name given. A person who
 * already has an unrevoked grant gets the new one in its place (the old one is revoked in the same
 * transaction, as superseded).
 * @throws ENTERPRISE_NOT_FOUND (404); ENTERPRISE_LEGAL_REP_ONLY (403) for anyone else;
 *   VALIDATION_FAILED (422) with field details
 */
export async function grantAgent(
  deps: Deps,
  principal: Principal,
  input: NewGrant,
  context: RequestContext = {},
): Promise<{ id: string; supersedes?: string }> {
  const { db, clock } = deps
  if (principal.staffId || !principal.personId) throw personOnly()
  const personId = principal.personId
  const now = clock.now()
  const today = todayInShanghai(now)

  try {
    return await transaction(db, (trx) => grantInTransaction(deps, trx, personId, input, context, now, today))
  } catch (error) {
    // Two grants for the same person at the same moment: the partial unique index keeps one.
    if (isUniqueViolation(error)) {
      throw new DomainError('AGENT_GRANT_CONFLICT', 'conflict', '同一经办人的授权刚刚被修改，请刷新页面后再试。')
    }
    throw error
  }
}

async function grantInTransaction(
  deps: Deps,
  trx: Trx,
  personId: string,
  input: NewGrant,
  context: RequestContext,
  now: Date,
  today: string,
): Promise<{ id: string; supersedes?: string }> {
  const enterprise = await findEnterprise(trx, input.enterpriseId)
  if (!enterprise) throw enterpriseNotFound()
  if (enterprise.legalRepPersonId !== personId) throw notLegalRep()

  const problems: FieldProblem[] = []
  const id = validateCitizenId(input.agentIdNumber)
  if (!id.ok) problems.push({ field: 'agentIdNumber', message: id.message })
  const agentName = normaliseName(input.agentName ?? '')
  if (!agentName) problems.push({ field: 'agentName', message: '请填写经办人姓名' })
  const scope = input.scope === 'all' || input.scope === 'items' ? input.scope : undefined
  if (!scope) problems.push({ field: 'scope', message: '请选择授权范围' })
  const itemCodes = scope === 'items' ? splitItemCodes(input.itemCodes) : []
  if (scope === 'items') {
    const bad = itemCodes.filter((c) => !ITEM_CODE.test(c))
    if (itemCodes.length === 0) problems.push({ field: 'itemCodes', message: '请填写授权办理的事项编码，每行一个' })
    else if (bad.length > 0) {
      problems.push({
        field: 'itemCodes',
        message: `事项编码「${bad[0]!.slice(0, 40)}」格式不正确：应为 4 到 64 位字母、数字或 . _ -`,
      })
    } else if (itemCodes.length > MAX_GRANT_ITEMS) {
      problems.push({ field: 'itemCodes', message: `一次最多授权 ${MAX_GRANT_ITEMS} 个事项` })
    }
  }
  const validUntil = input.validUntil?.trim() ?? ''
  const latest = addYears(today, GRANT_MAX_YEARS)
  if (!isValidDay(validUntil)) {
    problems.push({ field: 'validUntil', message: '请填写授权有效期的截止日期，例如 2027-03-01' })
  } else if (validUntil < today) {
    problems.push({ field: 'validUntil', message: '截止日期不能早于今天' })
  } else if (validUntil > latest) {
    problems.push({ field: 'validUntil', message: `授权有效期最长 ${GRANT_MAX_YEARS} 年，截止日期最晚为 ${latest}` })
  }

  let agentPersonId: string | undefined
  if (id.ok && agentName) {
    const agent = await findPersonByIdNumber(deps, trx, id.value)
    if (!agent || normaliseName(agent.name) !== agentName) {
      // One message for both: the form must not tell whether a stranger has an account.
      problems.push({
        field: 'agentIdNumber',
        message: '身份证号码与姓名不一致，或此人尚未在本平台注册。请核对；经办人需先注册个人账号。',
      })
    } else if (agent.id === personId) {
      problems.push({ field: 'agentIdNumber', message: '法定代表人本人无需授权，可以直接以企业身份办事' })
    } else agentPersonId = agent.id
  }
  if (problems.length > 0 || !agentPersonId || !scope) throw invalidInput(problems)

  const nowIso = now.toISOString()
  const previous = await trx
    .selectFrom('agentGrants')
    .select('id')
    .where('enterpriseId', '=', enterprise.id)
    .where('personId', '=', agentPersonId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst()
  if (previous) {
    await trx
      .updateTable('agentGrants')
      .set({ revokedAt: nowIso, revokedBy: personId, revokeReason: '被新的授权取代' })
      .where('id', '=', previous.id)
      .execute()
  }
  const grantId = newId()
  await trx
    .insertInto('agentGrants')
    .values({
      id: grantId,
      enterpriseId: enterprise.id,
      personId: agentPersonId,
      scope,
      itemCodes: JSON.stringify(itemCodes),
      validFrom: today,
      validUntil,
      grantedByPersonId: personId,
      grantedAt: nowIso,
    })
    .execute()
  await appendAudit(trx, {
    at: now,
    actor: { type: 'person', id: personId, enterpriseId: enterprise.id },
    action: 'enterprise.agent_grant',
    object: { type: 'agent_grant', id: grantId },
    details: {
      agentPersonId,
      scope,
      itemCodes,
      validFrom: today,
      validUntil,
      ...(previous ? { supersedes: previous.id } : {}),
    },
    ...contextOf(context),
  })
  return previous ? { id: grantId, supersedes: previous.id } : { id: grantId }
}

/**
 * The legal representative revokes a grant. It stops working at once: the agent's sessions
 * acting for the enterprise go back to 个人 in the same transaction, and every request re-checks
 * the grant anyway.
 * @throws AGENT_GRANT_NOT_FOUND (404); ENTERPRISE_LEGAL_REP_ONLY (403); AGENT_GRANT_REVOKED (409)
 */
export async function revokeAgent(
  deps: Deps,
  principal: Principal,
  grantId: string,
  input: { reason?: string } = {},
  context: RequestContext = {},
): Promise<void> {
  const { db, clock } = deps
  if (principal.staffId || !principal.personId) throw personOnly()
  const personId = principal.personId
  const reason = input.reason?.trim().slice(0, 200) || null
  const now = clock.now()
  await transaction(db, async (trx) => {
    const grant = await findGrant(trx, grantId)
    if (!grant) throw grantNotFound()
    const enterprise = await findEnterprise(trx, grant.enterpriseId)
    if (!enterprise) throw grantNotFound()
    if (enterprise.legalRepPersonId !== personId) {
      // The agent (or a stranger) learns nothing more than that they may not.
      throw grant.personId === personId ? notLegalRep() : grantNotFound()
    }
    if (grant.revokedAt) throw grantAlreadyRevoked()
    const nowIso = now.toISOString()
    await trx
      .updateTable('agentGrants')
      .set({ revokedAt: nowIso, revokedBy: personId, revokeReason: reason })
      .where('id', '=', grant.id)
      .where('revokedAt', 'is', null)
      .execute()
    const sessionsEnded = await clearActingSessions(trx, grant.personId, enterprise.id)
    await appendAudit(trx, {
      at: now,
      actor: { type: 'person', id: personId, enterpriseId: enterprise.id },
      action: 'enterprise.agent_revoke',
      object: { type: 'agent_grant', id: grant.id },
      details: { agentPersonId: grant.personId, actingSessionsReset: sessionsEnded, ...(reason ? { reason } : {}) },
      ...contextOf(context),
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Acting identities

export interface ActingOption {
  /** null for 个人 (the person themself). */
  enterpriseId: string | null
  name: string
  creditCode?: string
  kind?: EnterpriseKind
  role: 'self' | 'legal_rep' | 'agent'
  scope?: 'all' | 'items'
  itemCodes?: string[]
  validUntil?: string
}

/**
 * Who the person may act as today: themself, each enterprise they are the legal representative
 * of, and each enterprise with an unrevoked grant valid today.
 */
export async function listActingOptions(db: DbOrTrx, personId: string, now: Date): Promise<ActingOption[]> {
  const today = todayInShanghai(now)
  const own = await db
    .selectFrom('enterprises')
    .select(['id', 'name', 'creditCode', 'kind'])
    .where('legalRepPersonId', '=', personId)
    .orderBy('name')
    .orderBy('id')
    .execute()
  const granted = await db
    .selectFrom('agentGrants')
    .innerJoin('enterprises', 'enterprises.id', 'agentGrants.enterpriseId')
    .select([
      'enterprises.id as enterpriseId',
      'enterprises.name as name',
      'enterprises.creditCode as creditCode',
      'enterprises.kind as kind',
      'agentGrants.scope as scope',
      'agentGrants.itemCodes as itemCodes',
      'agentGrants.validUntil as validUntil',
    ])
    .where('agentGrants.personId', '=', personId)
    .where('agentGrants.revokedAt', 'is', null)
    .where('agentGrants.validFrom', '<=', today)
    .where('agentGrants.validUntil', '>=', today)
    .orderBy('enterprises.name')
    .orderBy('enterprises.id')
    .execute()
  const ownIds = new Set(own.map((e) => e.id))
  return [
    { enterpriseId: null, name: '个人', role: 'self' },
    ...own.map(
      (e): ActingOption => ({
        enterpriseId: e.id,
        name: e.name,
        creditCode: e.creditCode,
        kind: e.kind,
        role: 'legal_rep',
      }),
    ),
    ...granted
      .filter((g) => !ownIds.has(g.enterpriseId))
      .map(
        (g): ActingOption => ({
          enterpriseId: g.enterpriseId,
          name: g.name,
          creditCode: g.creditCode,
          kind: g.kind,
          role: 'agent',
          scope: g.scope,
          itemCodes: g.scope === 'items' ? parseItemCodes(g.itemCodes) : [],
          validUntil: g.validUntil,
        }),
      ),
  ]
}

/**
 * Switches the session to act for an enterprise, or back to the person with null. Refused (and
 * the attempt audited as denied) without a right valid today.
 * @throws ENTERPRISE_PERSON_ONLY (403) for staff; ENTERPRISE_NO_GRANT (403)
 */
export async function switchActingEnterprise(
  deps: Deps,
  principal: Principal,
  enterpriseId: string | null,
  context: RequestContext = {},
): Promise<{ enterpriseId: string | null; name?: string }> {
  const { db, clock } = deps
  if (principal.staffId || !principal.personId) throw personOnly()
  const personId = principal.personId
  const now = clock.now()
  const previous = principal.enterpriseId ?? null
  const target = enterpriseId ? await validateActingEnterprise(db, personId, enterpriseId, now) : undefined
  if (enterpriseId && !target) {
    const known = await findEnterprise(db, enterpriseId)
    await transaction(db, (trx) =>
      appendAudit(trx, {
        at: now,
        actor: { type: 'person', id: personId, enterpriseId: known ? enterpriseId : null },
        action: 'identity.act_as',
        object: known ? { type: 'enterprise', id: enterpriseId } : null,
        outcome: 'denied',
        details: { reason: known ? 'no_valid_grant' : 'unknown_enterprise' },
        ...contextOf(context),
      }),
    )
    throw noActingRight()
  }
  await transaction(db, async (trx) => {
    const updated = await setSessionActingEnterprise(
      trx,
      { id: principal.sessionId, accountId: principal.accountId },
      target?.id ?? null,
    )
    await appendAudit(trx, {
      at: now,
      actor: { type: 'person', id: personId, enterpriseId: target?.id ?? previous },
      action: 'identity.act_as',
      object: target ? { type: 'enterprise', id: target.id } : previous ? { type: 'enterprise', id: previous } : null,
      details: { from: previous, to: target?.id ?? null, sessionUpdated: updated },
      ...contextOf(context),
    })
  })
  return target ? { enterpriseId: target.id, name: target.name } : { enterpriseId: null }
}

// ---------------------------------------------------------------------------------------------
// Views for pages

export interface MyEnterprisesView {
  options: ActingOption[]
  /** The enterprise the session acts for now (re-checked), if any. */
  current?: { id: string; name: string }
}

export async function myEnterprisesView(deps: Deps, principal: Principal): Promise<MyEnterprisesView> {
  if (principal.staffId || !principal.personId) throw personOnly()
  const now = deps.clock.now()
  const [options, current] = await Promise.all([
    listActingOptions(deps.db, principal.personId, now),
    validateActingEnterprise(deps.db, principal.personId, principal.enterpriseId, now),
  ])
  return { options, current }
}

export type GrantState = 'active' | 'expired' | 'revoked' | 'pending'

export interface AgentView {
  grantId: string
  name: string
  /** 445103********0050: the legal representative sees agents' ID numbers masked. */
  idNumberMasked: string
  scope: 'all' | 'items'
  itemCodes: string[]
  validFrom: string
  validUntil: string
  grantedAt: string
  state: GrantState
  revokedAt: string | null
}

export interface EnterpriseView {
  id: string
  name: string
  creditCode: string
  kind: EnterpriseKind
  kindName: string
  address: string | null
  registeredAt: string | null
  creditCodeOverridden: boolean
  right: ActingRight
  /** Present for the legal representative only. */
  agents?: AgentView[]
  today: string
  latestValidUntil: string
}

function grantState(grant: Pick<AgentGrantTable, 'revokedAt' | 'validFrom' | 'validUntil'>, today: string): GrantState {
  if (grant.revokedAt) return 'revoked'
  if (grant.validUntil < today) return 'expired'
  if (grant.validFrom > today) return 'pending'
  return 'active'
}

/**
 * One enterprise as the person acting for it sees it; the agents list only for the legal
 * representative.
 * @throws ENTERPRISE_NOT_FOUND (404) when the person may not act for it (or it does not exist)
 */
export async function enterpriseView(deps: Deps, principal: Principal, enterpriseId: string): Promise<EnterpriseView> {
  const { db, clock, fieldCrypto } = deps
  if (principal.staffId || !principal.personId) throw personOnly()
  const now = clock.now()
  const today = todayInShanghai(now)
  const right = await actingRight(db, principal.personId, enterpriseId, now)
  const enterprise = right ? await findEnterprise(db, enterpriseId) : undefined
  if (!right || !enterprise) throw enterpriseNotFound()
  let agents: AgentView[] | undefined
  if (right.role === 'legal_rep') {
    const rows = await db
      .selectFrom('agentGrants')
      .innerJoin('persons', 'persons.id', 'agentGrants.personId')
      .select([
        'agentGrants.id as grantId',
        'persons.name as name',
        'persons.idNumberMasked as idNumberMasked',
        'agentGrants.scope as scope',
        'agentGrants.itemCodes as itemCodes',
        'agentGrants.validFrom as validFrom',
        'agentGrants.validUntil as validUntil',
        'agentGrants.grantedAt as grantedAt',
        'agentGrants.revokedAt as revokedAt',
      ])
      .where('agentGrants.enterpriseId', '=', enterprise.id)
      .orderBy('agentGrants.grantedAt', 'desc')
      .orderBy('agentGrants.id', 'desc')
      .limit(200)
      .execute()
    agents = rows
      .map((r) => ({ ...r, itemCodes: parseItemCodes(r.itemCodes), state: grantState(r, today) }))
      // Live grants first, then the history.
      .sort((a, b) => Number(a.state !== 'active') - Number(b.state !== 'active'))
  }
  return {
    id: enterprise.id,
    name: enterprise.name,
    creditCode: enterprise.creditCode,
    kind: enterprise.kind,
    kindName: ENTERPRISE_KINDS[enterprise.kind],
    address: enterprise.addressEnc ? fieldCrypto.decrypt(enterprise.addressEnc) : null,
    registeredAt: enterprise.registeredAt,
    creditCodeOverridden: enterprise.creditCodeOverrideAt !== null,
    right,
    agents,
    today,
    latestValidUntil: addYears(today, GRANT_MAX_YEARS),
  }
}

// ---------------------------------------------------------------------------------------------
// Demo data

interface DemoPerson {
  name: string
  idNumber: string
  mobile: string
  assuranceLevel: 1 | 2 | 3
  note: string
}

/** Fictitious people (valid GB 11643 check digits, 潮安区 area code, 138 0000 numbers). */
export const DEMO_ENTERPRISE_PERSONS: readonly DemoPerson[] = [
  { name: '黄丽娜', idNumber: '445103199001010043', mobile: '13800000003', assuranceLevel: 2, note: '企业法定代表人' },
  { name: '蔡锦荣', idNumber: '445103197805230050', mobile: '13800000004', assuranceLevel: 2, note: '企业经办人' },
  { name: '吴秀英', idNumber: '445103195511200068', mobile: '13800000005', assuranceLevel: 1, note: '村里的老人' },
]

interface DemoEnterprise {
  /** Valid GB 32100 check characters: 9 + category + 445103 + organisation code + check. */
  creditCode: string
  name: string
  kind: EnterpriseKind
  legalRepIdNumber: string
  address: string
  registeredAt: string
  agents: { idNumber: string; scope: 'all'; years: number }[]
}

/** Fictitious enterprises in 潮安区. */
export const DEMO_ENTERPRISES: readonly DemoEnterprise[] = [
  {
    creditCode: '91445103MA4WJK8R2K',
    name: '潮州市潮安区彩塘镇金记不锈钢制品有限公司',
    kind: 'company',
    legalRepIdNumber: '445103199001010043',
    address: '潮州市潮安区彩塘镇工业区金记路 8 号',
    registeredAt: '2016-04-18',
    agents: [{ idNumber: '445103197805230050', scope: 'all', years: 1 }],
  },
  {
    creditCode: '92445103MA5CN7QH4E',
    name: '潮安区庵埠镇陈记潮州菜馆',
    kind: 'individual',
    legalRepIdNumber: '445103198503120029',
    address: '潮州市潮安区庵埠镇文里路 12 号',
    registeredAt: '2019-09-02',
    agents: [],
  },
]

/**
 * Demo enterprises, their legal representatives and agents. Idempotent: people are found by ID
 * number, enterprises by credit code, grants by (enterprise, person). Runs after seedIdentity
 * (陈晓燕 comes from there).
 */
export async function seedEnterprises(
  deps: Deps,
  report: SeedReport,
  progress: (message: string) => void,
): Promise<void> {
  const { db, clock, fieldCrypto } = deps
  const actor = systemActor('seed:identity')
  let passwordHash: string | undefined
  const createdPersons: string[] = []
  for (const p of DEMO_ENTERPRISE_PERSONS) {
    if (await findPersonByIdNumber(deps, db, p.idNumber)) continue
    passwordHash ??= await hashPassword(DEMO_PASSWORD)
    const hash = passwordHash
    await transaction(db, async (trx) => {
      await createPerson(deps, trx, {
        name: p.name,
        idNumber: p.idNumber,
        mobile: p.mobile,
        assuranceLevel: p.assuranceLevel,
        assuranceSource: 'demo',
        passwordHash: hash,
      })
    })
    createdPersons.push(`  ${p.idNumber} 或 ${p.mobile}  ${p.name}（${p.note}）`)
  }

  const createdEnterprises: string[] = []
  for (const e of DEMO_ENTERPRISES) {
    const created = await transaction(db, async (trx) => {
      const now = clock.now()
      const today = todayInShanghai(now)
      const legalRep = await findPersonByIdNumber(deps, trx, e.legalRepIdNumber)
      if (!legalRep) return undefined
      let enterprise: Pick<EnterpriseTable, 'id'> | undefined = await findEnterpriseByCreditCode(trx, e.creditCode)
      let isNew = false
      if (!enterprise) {
        isNew = true
        enterprise = { id: newId() }
        await trx
          .insertInto('enterprises')
          .values({
            id: enterprise.id,
            creditCode: e.creditCode,
            name: e.name,
            kind: e.kind,
            legalRepPersonId: legalRep.id,
            addressEnc: fieldCrypto.encrypt(e.address),
            registeredAt: e.registeredAt,
            createdAt: now.toISOString(),
            updatedAt: now.toISOString(),
          })
          .execute()
        await appendAudit(trx, {
          at: now,
          actor: { ...actor, enterpriseId: enterprise.id },
          action: 'enterprise.register',
          object: { type: 'enterprise', id: enterprise.id },
          details: { creditCode: e.creditCode, kind: e.kind, legalRepPersonId: legalRep.id, creditCodeOverride: false },
        })
      }
      const agentNames: string[] = []
      for (const a of e.agents) {
        const agent = await findPersonByIdNumber(deps, trx, a.idNumber)
        if (!agent) continue
        const existing = await trx
          .selectFrom('agentGrants')
          .select('id')
          .where('enterpriseId', '=', enterprise.id)
          .where('personId', '=', agent.id)
          .executeTakeFirst()
        if (existing) continue
        const grantId = newId()
        const validUntil = addCalendarDays(addYears(today, a.years), -1)
        await trx
          .insertInto('agentGrants')
          .values({
            id: grantId,
            enterpriseId: enterprise.id,
            personId: agent.id,
            scope: a.scope,
            itemCodes: '[]',
            validFrom: today,
            validUntil,
            grantedByPersonId: legalRep.id,
            grantedAt: now.toISOString(),
          })
          .execute()
        await appendAudit(trx, {
          at: now,
          actor: { ...actor, enterpriseId: enterprise.id },
          action: 'enterprise.agent_grant',
          object: { type: 'agent_grant', id: grantId },
          details: { agentPersonId: agent.id, scope: a.scope, itemCodes: [], validFrom: today, validUntil },
        })
        agentNames.push(`经办人 ${agent.name}（全部事项，至 ${validUntil}）`)
      }
      if (!isNew && agentNames.length === 0) return undefined
      return `  ${e.name}（${ENTERPRISE_KINDS[e.kind]}，${e.creditCode}）：法定代表人 ${legalRep.name}${agentNames.length > 0 ? `；${agentNames.join('；')}` : ''}`
    })
    if (created) createdEnterprises.push(created)
  }
  progress(`演示企业：新建 ${createdEnterprises.length} 家；演示居民：新建 ${createdPersons.length} 个`)

  if (createdPersons.length > 0 || createdEnterprises.length > 0) {
    report.announcements.push(
      `企业办事演示（密码同样是 ${DEMO_PASSWORD}；登录后在「我的企业」切换身份）：`,
      ...createdPersons,
      ...createdEnterprises,
    )
  }
}
