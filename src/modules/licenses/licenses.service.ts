/**
 * The electronic license library (电子证照库): issue, re-issue, revoke, verify, record uses.
 *
 * - A license version is never changed after it is signed: a re-issue (换发、变更、延续) makes a new
 *   version with the same serial and version + 1 that supersedes the old one (status superseded).
 * - Stored status: active, revoked, superseded. Expired is derived: an active license whose
 *   valid_to (its last valid day) is before today in Asia/Shanghai.
 * - Every version is signed with its department's SM2 seal key over the canonical form
 *   (licenses.canonical.ts); verification recomputes that form from the stored row, so a changed
 *   row shows as tampered, and checks the signature with the key that signed it, retired or not.
 * - Licenses issued here have trust grade A (DOMAIN.md §5).
 */
import { type AuditActor, appendAudit, auditActorOf, systemActor } from '../../platform/audit/audit.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { addCalendarDays, todayInShanghai } from '../../platform/calendar/index.js'
import { type DbOrTrx, type Trx, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, invalidInput } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import { maskName, validateCitizenId, validateCreditCode } from '../../platform/validators/index.js'
import {
  type DepartmentInfo,
  enterpriseHolder,
  findDepartmentInfo,
  personHolder,
  sameDepartmentOrParent,
} from '../identity/index.js'
import {
  canonicalBytes,
  decodePayload,
  encodePayload,
  PAYLOAD_PREFIX,
  type SignedLicense,
} from './licenses.canonical.js'
import {
  departmentNotFound,
  departmentWithoutCreditCode,
  holderKindMismatch,
  holderNotFound,
  licenseNotActive,
  licenseNotFound,
  licenseTypeNotFound,
  licenseTypeNotIssuedHere,
  notAllowedToIssue,
} from './licenses.errors.js'
import { checkLicenseData, isDay, type LicenseField, parseFields } from './licenses.fields.js'
import { formatIdentifier, nextSerial, validateIdentifier } from './licenses.identifier.js'
import { publicKeyOf, type RequestContext, signingKeyOf } from './licenses.keys.js'
import {
  findLicense,
  findLicenseByIdentifier,
  findLicenseType,
  findSealKeyByKid,
  findSignatureWithKey,
  findSuccessor,
  type HolderFilter,
  insertLicense,
  insertSignature,
  insertUse,
  type LicenseRow,
  type LicenseTypeRow,
  listLicensesOfDepartment,
  listLicensesOfHolder,
  markRevoked,
  markSuperseded,
} from './licenses.repository.js'
import { sm2Sign, sm3Hex } from './licenses.sm2.js'
import type { HolderKind, LicenseStatus, TrustGrade } from './licenses.tables.js'
import { STATE_LABELS, signatureProblem, stateOn, TAMPER_REASONS, type VerificationState } from './licenses.verify.js'

/** Staff of the issuing department who may sign licenses (held by no role yet: see docs/licenses.md). */
export const LICENSES_ISSUE = 'licenses.issue'
/** Staff of the issuing department who may revoke licenses. */
export const LICENSES_REVOKE = 'licenses.revoke'

/** Who acts: a staff member (their principal), or the platform itself (e.g. an approved application). */
export type LicenseActor = Principal | { system: string }

export type LicenseHolderRef = { personId: string } | { enterpriseId: string }

export interface IssueLicenseInput {
  /** license_types.code, e.g. 'food_license'. */
  typeCode: string
  holder: LicenseHolderRef
  /** Field key → value (strings; dates YYYY-MM-DD), as the type's fields define. */
  data: Record<string, unknown>
  /** First valid day; today (Asia/Shanghai) when not given. */
  validFrom?: string
  /** Last valid day; when not given, from the type's validity rule (null: until revoked). */
  validTo?: string | null
  /** The application it was issued for (办件), when it was. */
  applicationId?: string
}

export interface ReissueLicenseInput {
  /** Changed fields; the others keep their values. */
  data?: Record<string, unknown>
  validFrom?: string
  validTo?: string | null
  applicationId?: string
}

export interface LicenseTypeView {
  code: string
  name: string
  typeCode: string | null
  issuingDepartmentId: string | null
  holderKind: HolderKind
  fields: LicenseField[]
  validityYears: number | null
  faceTemplate: string | null
  renewalItemCode: string | null
  /** True when the library can sign licenses of this type (a department and a type code). */
  issuedHere: boolean
}

/** A license version as the owner, the issuing staff and other modules see it (full data). */
export interface LicenseView {
  id: string
  identifier: string
  typeCode: string
  typeName: string
  serial: string
  version: number
  supersedesId: string | null
  holder: { kind: HolderKind; personId: string | null; enterpriseId: string | null; name: string; key: string }
  issuer: { departmentId: string; name: string; creditCode: string }
  data: Record<string, string>
  issuedAt: string
  validFrom: string
  validTo: string | null
  status: LicenseStatus
  /** status with expiry applied, on the day asked. */
  state: Exclude<VerificationState, 'unknown' | 'tampered'>
  stateLabel: string
  revokedAt: string | null
  revokeReason: string | null
  applicationId: string | null
  trustGrade: TrustGrade
}

export interface VerificationResult {
  state: VerificationState
  /** 有效 / 已过期 / 已注销 / 已被新版本替代 / 未找到 / 被篡改 */
  label: string
  message: string
  identifier: string | null
  /** What the public may see; absent when unknown or tampered. Persons' names and numbers masked. */
  license?: {
    typeCode: string
    typeName: string
    holderKind: HolderKind
    holderName: string
    holderKey: string
    issuerName: string
    issuerCreditCode: string
    issuedAt: string
    validFrom: string
    validTo: string | null
    version: number
    revokedAt: string | null
    /** The version that replaced this one (superseded only). */
    currentIdentifier: string | null
    /** The signed fields: only when verifying a QR payload (its bearer already holds them). */
    data?: { key: string; label: string; value: string }[]
  }
  signature?: { algorithm: 'SM2'; keyId: string; valid: boolean }
}

// ----- helpers ----------------------------------------------------------------------------------

function isSystem(actor: LicenseActor): actor is { system: string } {
  return 'system' in actor
}

function auditActor(actor: LicenseActor): AuditActor {
  return isSystem(actor) ? systemActor(actor.system) : auditActorOf(actorOf(actor, 'window'))
}

function actorLabel(actor: LicenseActor): string {
  return isSystem(actor) ? `system:${actor.system}` : `staff:${actor.staffId ?? actor.accountId}`
}

const where = (c: RequestContext) => ({ sourceIp: c.ip ?? null, requestId: c.requestId ?? null })

/** Staff of the issuing department (or its sub-unit's parent) with the permission; the platform always. */
function authorise(actor: LicenseActor, permission: string, department: DepartmentInfo): void {
  if (isSystem(actor)) return
  if (!actor.permissions.has(permission) || !sameDepartmentOrParent(actor, department)) throw notAllowedToIssue()
}

async function issuingDepartment(trx: DbOrTrx, departmentId: string): Promise<DepartmentInfo & { creditCode: string }> {
  const department = await findDepartmentInfo(trx, departmentId)
  if (!department) throw departmentNotFound()
  if (!department.creditCode) throw departmentWithoutCreditCode(department.name)
  return department as DepartmentInfo & { creditCode: string }
}

async function issuableType(
  trx: DbOrTrx,
  code: string,
): Promise<LicenseTypeRow & { typeCode: string; issuingDepartmentId: string }> {
  const type = await findLicenseType(trx, code)
  if (!type) throw licenseTypeNotFound(code)
  if (!type.issuingDepartmentId || !type.typeCode || !type.active) throw licenseTypeNotIssuedHere(type.name)
  return type as LicenseTypeRow & { typeCode: string; issuingDepartmentId: string }
}

interface ResolvedHolder {
  kind: HolderKind
  personId: string | null
  enterpriseId: string | null
  name: string
  keyIndex: string
  /** As signed: the masked ID number, or the credit code. */
  display: string
}

async function resolveHolder(
  deps: Pick<Deps, 'fieldCrypto'>,
  trx: DbOrTrx,
  holder: LicenseHolderRef,
): Promise<ResolvedHolder> {
  if ('personId' in holder) {
    const person = await personHolder(trx, holder.personId)
    if (!person) throw holderNotFound()
    return {
      kind: 'person',
      personId: person.id,
      enterpriseId: null,
      name: person.name,
      // identity's own blind index of the ID number: the same HMAC-SM3 under the same key.
      keyIndex: person.idNumberIndex,
      display: person.idNumberMasked,
    }
  }
  const enterprise = await enterpriseHolder(trx, holder.enterpriseId)
  if (!enterprise) throw holderNotFound()
  return {
    kind: 'enterprise',
    personId: null,
    enterpriseId: enterprise.id,
    name: enterprise.name,
    keyIndex: deps.fieldCrypto.blindIndex(enterprise.creditCode),
    display: enterprise.creditCode,
  }
}

/** The last valid day of a validity of `years` starting on `validFrom`. */
export function validToFor(validFrom: string, years: number | null): string | null {
  if (years === null) return null
  const d = new Date(`${validFrom}T00:00:00Z`)
  d.setUTCFullYear(d.getUTCFullYear() + years)
  return addCalendarDays(d.toISOString().slice(0, 10), -1)
}

function checkValidity(validFrom: string, validTo: string | null): void {
  const problems = []
  if (!isDay(validFrom)) problems.push({ field: 'validFrom', message: '有效期起始日期应为日期，如 2026-03-02' })
  if (validTo !== null && !isDay(validTo)) {
    problems.push({ field: 'validTo', message: '有效期截止日期应为日期，如 2031-03-01' })
  } else if (validTo !== null && validTo < validFrom) {
    problems.push({ field: 'validTo', message: '有效期截止日期不能早于起始日期' })
  }
  if (problems.length > 0) throw invalidInput(problems)
}

/** The signed form of a stored version (its snapshot columns, never today's names). */
export function signedLicenseOf(row: LicenseRow, keyId: string): SignedLicense {
  return {
    identifier: row.identifier,
    typeName: row.typeName,
    holder: { kind: row.holderKind, name: row.holderName, key: row.holderKeyDisplay },
    data: JSON.parse(row.data) as Record<string, string>,
    validFrom: row.validFrom,
    validTo: row.validTo,
    issuedAt: row.issuedAt,
    keyId,
  }
}

function toView(row: LicenseRow, day: string): LicenseView {
  const state = stateOn(row.status, row.validTo, day) as LicenseView['state']
  return {
    id: row.id,
    identifier: row.identifier,
    typeCode: row.licenseType,
    typeName: row.typeName,
    serial: row.serial,
    version: row.version,
    supersedesId: row.supersedesId,
    holder: {
      kind: row.holderKind,
      personId: row.holderPersonId,
      enterpriseId: row.holderEnterpriseId,
      name: row.holderName,
      key: row.holderKeyDisplay,
    },
    issuer: { departmentId: row.issuerDepartmentId, name: row.issuerName, creditCode: row.issuerCreditCode },
    data: JSON.parse(row.data) as Record<string, string>,
    issuedAt: row.issuedAt,
    validFrom: row.validFrom,
    validTo: row.validTo,
    status: row.status,
    state,
    stateLabel: STATE_LABELS[state],
    revokedAt: row.revokedAt,
    revokeReason: row.revokeReason,
    applicationId: row.applicationId,
    trustGrade: row.trustGrade,
  }
}

export function licenseTypeView(row: LicenseTypeRow): LicenseTypeView {
  return {
    code: row.code,
    name: row.name,
    typeCode: row.typeCode,
    issuingDepartmentId: row.issuingDepartmentId,
    holderKind: row.holderKind,
    fields: parseFields(row.fields),
    validityYears: row.validityYears,
    faceTemplate: row.faceTemplate,
    renewalItemCode: row.renewalItemCode,
    issuedHere: Boolean(row.issuingDepartmentId && row.typeCode && row.active),
  }
}

// ----- issuing ----------------------------------------------------------------------------------

interface NewVersion {
  type: LicenseTypeRow & { typeCode: string; issuingDepartmentId: string }
  department: DepartmentInfo & { creditCode: string }
  holder: ResolvedHolder
  data: Record<string, string>
  serial: string
  version: number
  supersedesId: string | null
  validFrom: string
  validTo: string | null
  applicationId: string | null
}

/** Signs and stores one version (in the caller's transaction). */
async function signAndStore(deps: Deps, trx: Trx, actor: LicenseActor, v: NewVersion): Promise<LicenseRow> {
  const key = await signingKeyOf(deps, trx, v.department)
  // The time of signing, read once the key is held, and never before the key's first moment
  // (another node's clock may be ahead): the license must lie inside the key's validity.
  const now = new Date(Math.max(deps.clock.now().getTime(), new Date(key.row.validFrom).getTime()))
  const row: LicenseRow = {
    id: newId(),
    identifier: formatIdentifier({
      typeCode: v.type.typeCode,
      issuerCode: v.department.creditCode,
      serial: v.serial,
      version: v.version,
    }),
    licenseType: v.type.code,
    serial: v.serial,
    version: v.version,
    supersedesId: v.supersedesId,
    holderKind: v.holder.kind,
    holderPersonId: v.holder.personId,
    holderEnterpriseId: v.holder.enterpriseId,
    holderKeyIndex: v.holder.keyIndex,
    holderName: v.holder.name,
    holderKeyDisplay: v.holder.display,
    typeName: v.type.name,
    issuerDepartmentId: v.department.id,
    issuerName: v.department.name,
    issuerCreditCode: v.department.creditCode,
    data: JSON.stringify(v.data),
    issuedAt: now.toISOString(),
    issuedBy: actorLabel(actor),
    validFrom: v.validFrom,
    validTo: v.validTo,
    status: 'active',
    revokedAt: null,
    revokedBy: null,
    revokeReason: null,
    supersededAt: null,
    applicationId: v.applicationId,
    trustGrade: 'a',
    createdAt: now.toISOString(),
  }
  if (key.row.issuerCreditCode !== v.department.creditCode) {
    // The department's credit code changed since its key was made: the key names the old issuer.
    throw new DomainError(
      'SEAL_KEY_STALE',
      'conflict',
      `${v.department.name}的统一社会信用代码已变更，请安全管理员轮换印章密钥后再签发。`,
    )
  }
  const bytes = canonicalBytes(signedLicenseOf(row, key.row.kid))
  const signature = sm2Sign(bytes, key.pair)
  await insertLicense(trx, row)
  await insertSignature(trx, {
    licenseId: row.id,
    keyId: key.row.id,
    signedSm3: sm3Hex(bytes),
    signature,
    signedAt: now.toISOString(),
  })
  return row
}

/**
 * Issues version 001 of a new license, signed with the department's seal key, in the caller's
 * transaction (for a caller that must issue atomically with its own change, e.g. a decision).
 * @throws LICENSE_TYPE_NOT_FOUND; LICENSE_TYPE_NOT_ISSUED_HERE; LICENSE_ISSUE_FORBIDDEN (staff
 *   without licenses.issue, or of another department); LICENSE_HOLDER_NOT_FOUND;
 *   LICENSE_HOLDER_KIND; VALIDATION_FAILED (fields, dates); SEAL_KEY_MISSING
 */
export async function issueLicenseIn(
  deps: Deps,
  trx: Trx,
  actor: LicenseActor,
  input: IssueLicenseInput,
  ctx: RequestContext = {},
): Promise<LicenseView> {
  const now = deps.clock.now()
  const day = todayInShanghai(now)
  const type = await issuableType(trx, input.typeCode)
  const department = await issuingDepartment(trx, type.issuingDepartmentId)
  authorise(actor, LICENSES_ISSUE, department)
  const holder = await resolveHolder(deps, trx, input.holder)
  if (holder.kind !== type.holderKind) throw holderKindMismatch(type.name, type.holderKind)
  const fields = parseFields(type.fields)
  const { problems } = checkLicenseData(fields, input.data ?? {})
  if (problems.length > 0) throw invalidInput(problems)
  const validFrom = input.validFrom ?? day
  const validTo =
    input.validTo !== undefined ? input.validTo : isDay(validFrom) ? validToFor(validFrom, type.validityYears) : null
  checkValidity(validFrom, validTo)
  const serial = await nextSerial(trx, department.id, type.code, day.slice(0, 4))
  // Again with the serial: numbers the library gives (许可证编号) are filled in now.
  const { data } = checkLicenseData(fields, input.data ?? {}, { serial })
  const row = await signAndStore(deps, trx, actor, {
    type,
    department,
    holder,
    data,
    serial,
    version: 1,
    supersedesId: null,
    validFrom,
    validTo,
    applicationId: input.applicationId ?? null,
  })
  await appendAudit(trx, {
    at: now,
    actor: auditActor(actor),
    action: 'license.issue',
    object: { type: 'license', id: row.id },
    details: { identifier: row.identifier, licenseType: type.code, version: 1, applicationId: row.applicationId },
    ...where(ctx),
  })
  return toView(row, day)
}

/** issueLicenseIn in a transaction of its own. */
export function issueLicense(
  deps: Deps,
  actor: LicenseActor,
  input: IssueLicenseInput,
  ctx: RequestContext = {},
): Promise<LicenseView> {
  return transaction(deps.db, (trx) => issueLicenseIn(deps, trx, actor, input, ctx))
}

/**
 * Re-issues a license (换发、变更、延续): a new version with the same serial, version + 1, the
 * changed fields and new dates, signed anew; the old version becomes superseded. Nothing signed
 * is ever overwritten. The holder's current name is taken.
 * @throws LICENSE_NOT_FOUND; LICENSE_NOT_ACTIVE (revoked or already superseded);
 *   LICENSE_ISSUE_FORBIDDEN; VALIDATION_FAILED; SEAL_KEY_MISSING
 */
export async function reissueLicenseIn(
  deps: Deps,
  trx: Trx,
  actor: LicenseActor,
  licenseId: string,
  input: ReissueLicenseInput,
  ctx: RequestContext = {},
): Promise<LicenseView> {
  const now = deps.clock.now()
  const day = todayInShanghai(now)
  const old = await findLicense(trx, licenseId)
  if (!old) throw licenseNotFound()
  if (old.status !== 'active') throw licenseNotActive(STATE_LABELS[stateOn(old.status, old.validTo, day)])
  const type = await issuableType(trx, old.licenseType)
  const department = await issuingDepartment(trx, old.issuerDepartmentId)
  authorise(actor, LICENSES_ISSUE, department)
  const holder = await resolveHolder(
    deps,
    trx,
    old.holderPersonId ? { personId: old.holderPersonId } : { enterpriseId: old.holderEnterpriseId ?? '' },
  )
  const merged = { ...(JSON.parse(old.data) as Record<string, unknown>), ...(input.data ?? {}) }
  const { data, problems } = checkLicenseData(parseFields(type.fields), merged)
  if (problems.length > 0) throw invalidInput(problems)
  const validFrom = input.validFrom ?? day
  const validTo =
    input.validTo !== undefined ? input.validTo : isDay(validFrom) ? validToFor(validFrom, type.validityYears) : null
  checkValidity(validFrom, validTo)
  if (old.version >= 999) throw licenseNotActive('版本号已用完')
  if (!(await markSuperseded(trx, old.id, now.toISOString()))) throw licenseNotActive('已变更')
  const row = await signAndStore(deps, trx, actor, {
    type,
    department,
    holder,
    data,
    serial: old.serial,
    version: old.version + 1,
    supersedesId: old.id,
    validFrom,
    validTo,
    applicationId: input.applicationId ?? null,
  })
  await appendAudit(trx, {
    at: now,
    actor: auditActor(actor),
    action: 'license.reissue',
    object: { type: 'license', id: row.id },
    details: {
      identifier: row.identifier,
      supersedes: old.identifier,
      licenseType: type.code,
      version: row.version,
      applicationId: row.applicationId,
    },
    ...where(ctx),
  })
  return toView(row, day)
}

/** reissueLicenseIn in a transaction of its own. */
export function reissueLicense(
  deps: Deps,
  actor: LicenseActor,
  licenseId: string,
  input: ReissueLicenseInput,
  ctx: RequestContext = {},
): Promise<LicenseView> {
  return transaction(deps.db, (trx) => reissueLicenseIn(deps, trx, actor, licenseId, input, ctx))
}

/**
 * Revokes (注销) the current version of a license. The reason is required and audited.
 * @throws LICENSE_NOT_FOUND; VALIDATION_FAILED (no reason); LICENSE_NOT_ACTIVE;
 *   LICENSE_ISSUE_FORBIDDEN (staff without licenses.revoke, or of another department)
 */
export async function revokeLicense(
  deps: Deps,
  actor: LicenseActor,
  licenseId: string,
  input: { reason: string },
  ctx: RequestContext = {},
): Promise<LicenseView> {
  const reason = (input.reason ?? '').normalize('NFC').trim()
  if (reason.length < 2) throw invalidInput([{ field: 'reason', message: '请填写注销原因' }])
  if (reason.length > 500) throw invalidInput([{ field: 'reason', message: '注销原因不能超过500个字' }])
  const now = deps.clock.now()
  return transaction(deps.db, async (trx) => {
    const row = await findLicense(trx, licenseId)
    if (!row) throw licenseNotFound()
    authorise(actor, LICENSES_REVOKE, await issuingDepartment(trx, row.issuerDepartmentId))
    const at = now.toISOString()
    if (!(await markRevoked(trx, row.id, { at, by: actorLabel(actor), reason }))) {
      throw licenseNotActive(STATE_LABELS[stateOn(row.status, row.validTo, todayInShanghai(now))])
    }
    await appendAudit(trx, {
      at: now,
      actor: auditActor(actor),
      action: 'license.revoke',
      object: { type: 'license', id: row.id },
      details: { identifier: row.identifier, reason },
      ...where(ctx),
    })
    return toView(
      { ...row, status: 'revoked', revokedAt: at, revokedBy: actorLabel(actor), revokeReason: reason },
      todayInShanghai(now),
    )
  })
}

// ----- reading ----------------------------------------------------------------------------------

/** @throws LICENSE_NOT_FOUND */
export async function getLicense(
  deps: Pick<Deps, 'db' | 'clock'>,
  id: string,
  db: DbOrTrx = deps.db,
): Promise<LicenseView> {
  const row = await findLicense(db, id)
  if (!row) throw licenseNotFound()
  return toView(row, todayInShanghai(deps.clock.now()))
}

export async function findLicenseView(
  deps: Pick<Deps, 'db' | 'clock'>,
  identifier: string,
  db: DbOrTrx = deps.db,
): Promise<LicenseView | undefined> {
  const row = await findLicenseByIdentifier(db, identifier)
  return row ? toView(row, todayInShanghai(deps.clock.now())) : undefined
}

/**
 * A holder's licenses, newest first: current versions (active, including expired, and revoked);
 * superseded versions too when asked. `{ idNumber }` / `{ creditCode }` find licenses filed under
 * that number even before the holder registered.
 */
export async function listHolderLicenses(
  deps: Pick<Deps, 'db' | 'clock' | 'fieldCrypto'>,
  holder: LicenseHolderRef | { idNumber: string } | { creditCode: string },
  options: { includeSuperseded?: boolean; db?: DbOrTrx } = {},
): Promise<LicenseView[]> {
  let filter: HolderFilter
  if ('idNumber' in holder) {
    // Normalised as identity normalises it before taking its blind index.
    const id = validateCitizenId(holder.idNumber)
    if (!id.ok) return []
    filter = { keyIndex: deps.fieldCrypto.blindIndex(id.value) }
  } else if ('creditCode' in holder) {
    const code = validateCreditCode(holder.creditCode)
    if (!code.ok && !code.overridable) return []
    filter = { keyIndex: deps.fieldCrypto.blindIndex(code.value) }
  } else {
    filter = holder
  }
  const rows = await listLicensesOfHolder(options.db ?? deps.db, filter, options)
  const day = todayInShanghai(deps.clock.now())
  return rows.map((r) => toView(r, day))
}

/** The latest licenses a department signed (its staff's desk), newest first. */
export async function listDepartmentLicenses(
  deps: Pick<Deps, 'db' | 'clock'>,
  departmentId: string,
  limit = 20,
): Promise<LicenseView[]> {
  const day = todayInShanghai(deps.clock.now())
  return (await listLicensesOfDepartment(deps.db, departmentId, limit)).map((r) => toView(r, day))
}

export async function getLicenseType(
  deps: Pick<Deps, 'db'>,
  code: string,
  db: DbOrTrx = deps.db,
): Promise<LicenseTypeView> {
  const row = await findLicenseType(db, code)
  if (!row) throw licenseTypeNotFound(code)
  return licenseTypeView(row)
}

// ----- integrity and verification ---------------------------------------------------------------

/**
 * Why a stored version does not match its signature, or undefined when it does: the canonical
 * bytes are recomputed from the row, compared with the SM3 recorded at signing, and the SM2
 * signature is checked with the key that made it (retired keys included).
 */
export async function integrityProblem(db: DbOrTrx, row: LicenseRow): Promise<string | undefined> {
  const sig = await findSignatureWithKey(db, row.id)
  if (!sig) return TAMPER_REASONS.missingSignature
  let bytes: Buffer
  let signed: SignedLicense
  try {
    signed = signedLicenseOf(row, sig.kid)
    bytes = canonicalBytes(signed)
  } catch {
    return TAMPER_REASONS.recordChanged
  }
  if (sm3Hex(bytes) !== sig.signedSm3) return TAMPER_REASONS.recordChanged
  if (sig.departmentId !== row.issuerDepartmentId) return TAMPER_REASONS.otherIssuer
  return signatureProblem(bytes, sig.signature, signed, publicKeyOf(sig))
}

/**
 * The QR payload of a version (what its face's QR code holds). Refuses a version whose row no
 * longer matches its signature.
 * @throws LICENSE_NOT_FOUND; LICENSE_TAMPERED
 */
export async function licensePayload(
  deps: Pick<Deps, 'db'>,
  licenseId: string,
  db: DbOrTrx = deps.db,
): Promise<string> {
  const row = await findLicense(db, licenseId)
  if (!row) throw licenseNotFound()
  const sig = await findSignatureWithKey(db, row.id)
  const problem = await integrityProblem(db, row)
  if (problem || !sig) throw new DomainError('LICENSE_TAMPERED', 'conflict', problem ?? TAMPER_REASONS.missingSignature)
  return encodePayload(canonicalBytes(signedLicenseOf(row, sig.kid)), sig.signature)
}

function publicHolder(kind: HolderKind, name: string, key: string): { holderName: string; holderKey: string } {
  // Enterprises' names and credit codes are public register data; persons' are masked.
  return kind === 'person' ? { holderName: maskName(name), holderKey: key } : { holderName: name, holderKey: key }
}

const STATE_MESSAGES: Record<
  Exclude<VerificationState, 'tampered'>,
  (v: { validTo: string | null; revokedAt: string | null }) => string
> = {
  valid: () => '电子签名有效，证照在有效期内。',
  expired: (v) => `电子签名有效，但证照已超过有效期（有效期至 ${v.validTo}）。`,
  revoked: (v) =>
    `电子签名有效，但证照已于 ${todayInShanghai(new Date(v.revokedAt ?? 0))} 注销，不能再作为有效证照使用。`,
  superseded: () => '电子签名有效，但这是旧版本，已被新版本替代，请以新版本为准。',
  unknown: () => '电子证照库中没有这个标识的证照，请核对标识是否正确。',
}

function tampered(identifier: string | null, message: string, keyId?: string): VerificationResult {
  return {
    state: 'tampered',
    label: STATE_LABELS.tampered,
    message,
    identifier,
    ...(keyId ? { signature: { algorithm: 'SM2' as const, keyId, valid: false } } : {}),
  }
}

/**
 * Verifies a license by its identifier against the library: unknown, tampered (the row no longer
 * matches its signature), revoked, superseded, expired or valid. Public: persons are masked.
 * @throws VALIDATION_FAILED when the identifier is malformed or its check character is wrong
 */
export async function verifyLicense(
  deps: Pick<Deps, 'db' | 'clock'>,
  rawIdentifier: string,
): Promise<VerificationResult> {
  const id = validateIdentifier(rawIdentifier)
  if (!id.ok) throw invalidInput([{ field: 'identifier', message: id.message }], id.message)
  const row = await findLicenseByIdentifier(deps.db, id.value)
  if (!row) {
    const unknown = { validTo: null, revokedAt: null }
    return {
      state: 'unknown',
      label: STATE_LABELS.unknown,
      message: STATE_MESSAGES.unknown(unknown),
      identifier: id.value,
    }
  }
  const sig = await findSignatureWithKey(deps.db, row.id)
  const problem = await integrityProblem(deps.db, row)
  if (problem) return tampered(row.identifier, problem, sig?.kid)
  const state = stateOn(row.status, row.validTo, todayInShanghai(deps.clock.now()))
  const successor = state === 'superseded' ? await currentVersion(deps.db, row) : undefined
  return {
    state,
    label: STATE_LABELS[state],
    message: STATE_MESSAGES[state as Exclude<VerificationState, 'tampered'>](row),
    identifier: row.identifier,
    license: {
      typeCode: row.licenseType,
      typeName: row.typeName,
      holderKind: row.holderKind,
      ...publicHolder(row.holderKind, row.holderName, row.holderKeyDisplay),
      issuerName: row.issuerName,
      issuerCreditCode: row.issuerCreditCode,
      issuedAt: row.issuedAt,
      validFrom: row.validFrom,
      validTo: row.validTo,
      version: row.version,
      revokedAt: row.revokedAt,
      currentIdentifier: successor?.identifier ?? null,
    },
    signature: { algorithm: 'SM2', keyId: sig!.kid, valid: true },
  }
}

/** The newest version of a license's chain. */
async function currentVersion(db: DbOrTrx, row: LicenseRow): Promise<LicenseRow | undefined> {
  let current: LicenseRow | undefined
  let next = await findSuccessor(db, row.id)
  // A chain has at most 999 versions.
  for (let i = 0; next && i < 999; i++) {
    current = next
    next = await findSuccessor(db, next.id)
  }
  return current
}

/**
 * Verifies a scanned QR payload: the signature with the published key named in it (offline-capable
 * part, licenses.verify.ts), then the library's view of that version (revoked, superseded).
 * @throws VALIDATION_FAILED when the text is not a payload of this platform at all
 */
export async function verifyPayload(deps: Pick<Deps, 'db' | 'clock'>, rawPayload: string): Promise<VerificationResult> {
  const payload = rawPayload.trim()
  if (!payload.startsWith(`${PAYLOAD_PREFIX}.`)) {
    const message = `这不是本平台电子证照二维码的内容（应以「${PAYLOAD_PREFIX}.」开头）`
    throw invalidInput([{ field: 'payload', message }], message)
  }
  const decoded = decodePayload(payload)
  if (!decoded.ok) return tampered(null, decoded.message)
  const { license, bytes, signatureHex } = decoded
  const key = await findSealKeyByKid(deps.db, license.keyId)
  const problem = signatureProblem(bytes, signatureHex, license, key ? publicKeyOf(key) : undefined)
  if (problem) return tampered(license.identifier, problem, license.keyId)
  const signature = { algorithm: 'SM2' as const, keyId: license.keyId, valid: true }
  const row = await findLicenseByIdentifier(deps.db, license.identifier)
  if (!row) {
    return {
      state: 'unknown',
      label: STATE_LABELS.unknown,
      message: '电子签名有效，但电子证照库中查不到这份证照的记录，请向颁发机构核实。',
      identifier: license.identifier,
      signature,
    }
  }
  const stored = await findSignatureWithKey(deps.db, row.id)
  if (!stored || stored.signedSm3 !== sm3Hex(bytes)) {
    return tampered(license.identifier, TAMPER_REASONS.recordMismatch, license.keyId)
  }
  const type = await findLicenseType(deps.db, row.licenseType)
  const labels = new Map((type ? parseFields(type.fields) : []).map((f) => [f.key, f.label]))
  const data = Object.entries(license.data).map(([k, value]) => ({ key: k, label: labels.get(k) ?? k, value }))
  const state = stateOn(row.status, license.validTo, todayInShanghai(deps.clock.now()))
  const successor = state === 'superseded' ? await currentVersion(deps.db, row) : undefined
  return {
    state,
    label: STATE_LABELS[state],
    message: STATE_MESSAGES[state as Exclude<VerificationState, 'tampered'>]({
      validTo: license.validTo,
      revokedAt: row.revokedAt,
    }),
    identifier: license.identifier,
    license: {
      // What the payload signed; the rest is the library's record of the same bytes (SM3 above).
      typeCode: row.licenseType,
      typeName: license.typeName,
      holderKind: license.holder.kind,
      ...publicHolder(license.holder.kind, license.holder.name, license.holder.key),
      issuerName: row.issuerName,
      issuerCreditCode: row.issuerCreditCode,
      issuedAt: license.issuedAt,
      validFrom: license.validFrom,
      validTo: license.validTo,
      version: row.version,
      revokedAt: row.revokedAt,
      currentIdentifier: successor?.identifier ?? null,
      data,
    },
    signature,
  }
}

// ----- uses -------------------------------------------------------------------------------------

export interface RecordUseInput {
  /** The department that used the license (e.g. the one handling an application). */
  departmentId?: string | null
  /** The person who presented or consented to its use. */
  personId?: string | null
  staffId?: string | null
  applicationId?: string | null
  /** What for, in a few words (e.g. 「食品经营许可申请材料」). */
  purpose: string
}

/**
 * Records that a license was used (as a material, by a department), in the caller's transaction.
 * Only a current, valid version can be used. One audit entry.
 * @throws LICENSE_NOT_FOUND; LICENSE_NOT_ACTIVE; VALIDATION_FAILED (no purpose)
 */
export async function recordUseIn(
  deps: Deps,
  trx: Trx,
  licenseId: string,
  input: RecordUseInput,
  ctx: RequestContext & { actor?: LicenseActor } = {},
): Promise<{ id: string; at: string }> {
  const purpose = (input.purpose ?? '').trim()
  if (purpose.length < 2 || purpose.length > 200) {
    throw invalidInput([{ field: 'purpose', message: '请用2至200个字说明用途' }])
  }
  const now = deps.clock.now()
  const row = await findLicense(trx, licenseId)
  if (!row) throw licenseNotFound()
  const state = stateOn(row.status, row.validTo, todayInShanghai(now))
  if (state !== 'valid') throw licenseNotActive(STATE_LABELS[state])
  const use = { id: newId(), at: now.toISOString() }
  await insertUse(trx, {
    id: use.id,
    licenseId,
    usedByDepartmentId: input.departmentId ?? null,
    usedByPersonId: input.personId ?? null,
    usedByStaffId: input.staffId ?? null,
    applicationId: input.applicationId ?? null,
    purpose,
    at: use.at,
  })
  await appendAudit(trx, {
    at: now,
    actor: ctx.actor ? auditActor(ctx.actor) : systemActor('licenses'),
    action: 'license.use',
    object: { type: 'license', id: licenseId },
    details: {
      identifier: row.identifier,
      departmentId: input.departmentId ?? null,
      applicationId: input.applicationId ?? null,
      purpose,
    },
    ...where(ctx),
  })
  return use
}

/** recordUseIn in a transaction of its own. */
export function recordUse(
  deps: Deps,
  licenseId: string,
  input: RecordUseInput,
  ctx: RequestContext & { actor?: LicenseActor } = {},
): Promise<{ id: string; at: string }> {
  return transaction(deps.db, (trx) => recordUseIn(deps, trx, licenseId, input, ctx))
}
