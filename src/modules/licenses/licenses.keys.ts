/**
 * The departments' electronic seal keys (电子印章密钥): one SM2 key pair per issuing department,
 * generated here, the private half encrypted at rest with the platform's field crypto (SM4-CTR +
 * HMAC-SM3), the public half published as SPKI PEM at /.well-known/seal-keys.json.
 *
 * Life of a key: generate (active) → rotate (a new key becomes active, this one is retired) or
 * retire (no replacement: the department cannot sign until a new key is generated). A retired key
 * is never deleted: it still verifies what it signed while it was active (valid_from ≤ issuedAt <
 * valid_to). Only the security administrator (permission security.keys) manages keys; every
 * change is audited. At most one active key per department (a unique partial index).
 */
import { type AuditActor, appendAudit, auditActorOf, systemActor } from '../../platform/audit/audit.js'
import { forbidden } from '../../platform/auth/policy.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { type DbOrTrx, isUniqueViolation, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { newId } from '../../platform/ids.js'
import { type DepartmentInfo, findDepartmentInfo, listDepartmentInfos } from '../identity/index.js'
import {
  departmentNotFound,
  departmentWithoutCreditCode,
  noActiveSealKey,
  sealKeyExists,
  sealKeyNotFound,
  sealKeyRetired,
} from './licenses.errors.js'
import {
  findActiveSealKey,
  findSealKey,
  insertSealKey,
  lastSignedAt,
  listSealKeys,
  markSealKeyRetired,
  type SealKeyRow,
} from './licenses.repository.js'
import { generateSm2KeyPair, keyFingerprint, keyIdOf, type Sm2KeyPair, spkiPem } from './licenses.sm2.js'
import type { SealKeyState } from './licenses.tables.js'
import type { PublicSealKey } from './licenses.verify.js'

/** The permission of the security administrator (identity roles: security_admin). */
export const SECURITY_KEYS = 'security.keys'

export interface RequestContext {
  ip?: string
  requestId?: string
}

const where = (c: RequestContext) => ({ sourceIp: c.ip ?? null, requestId: c.requestId ?? null })

/** A seal key as pages and the published key list show it (never the private half). */
export interface SealKeyView {
  id: string
  keyId: string
  fingerprint: string
  departmentId: string
  departmentCode: string
  departmentName: string
  issuerCreditCode: string
  algorithm: 'SM2'
  publicKeyPem: string
  publicKeyHex: string
  validFrom: string
  validTo: string | null
  state: SealKeyState
  createdAt: string
  retiredAt: string | null
}

function requireKeysPermission(principal: Principal): void {
  if (!principal.permissions.has(SECURITY_KEYS)) throw forbidden('只有安全管理员可以管理电子印章密钥。')
}

function adminActor(principal: Principal): AuditActor {
  return auditActorOf(actorOf(principal), 'security_admin')
}

async function departmentOf(db: DbOrTrx, departmentId: string): Promise<DepartmentInfo> {
  const department = await findDepartmentInfo(db, departmentId)
  if (!department) throw departmentNotFound()
  if (!department.creditCode) throw departmentWithoutCreditCode(department.name)
  return department
}

/** Makes a key pair and stores it active for the department (in the caller's transaction). */
async function createKey(
  deps: Deps,
  trx: DbOrTrx,
  department: DepartmentInfo,
  createdBy: string,
  now: Date,
): Promise<SealKeyRow> {
  const pair = generateSm2KeyPair()
  const row: SealKeyRow = {
    id: newId(),
    kid: keyIdOf(pair.publicKeyHex),
    departmentId: department.id,
    issuerCreditCode: department.creditCode!,
    algorithm: 'SM2',
    publicKeyPem: spkiPem(pair.publicKeyHex),
    publicKeyHex: pair.publicKeyHex,
    privateKeyEnc: deps.fieldCrypto.encrypt(pair.privateKeyHex),
    validFrom: now.toISOString(),
    validTo: null,
    state: 'active',
    createdBy,
    createdAt: now.toISOString(),
    retiredAt: null,
    retiredBy: null,
  }
  await insertSealKey(trx, row)
  return row
}

async function generate(
  deps: Deps,
  departmentId: string,
  by: { actor: AuditActor; createdBy: string },
  ctx: RequestContext,
): Promise<SealKeyRow> {
  const now = deps.clock.now()
  try {
    return await transaction(deps.db, async (trx) => {
      const department = await departmentOf(trx, departmentId)
      if (await findActiveSealKey(trx, departmentId)) throw sealKeyExists(department.name)
      const row = await createKey(deps, trx, department, by.createdBy, now)
      await appendAudit(trx, {
        at: now,
        actor: by.actor,
        action: 'seal_key.generate',
        object: { type: 'seal_key', id: row.id },
        details: { departmentId, keyId: row.kid, algorithm: 'SM2' },
        ...where(ctx),
      })
      return row
    })
  } catch (error) {
    // Two administrators at once: the unique partial index lets one through.
    if (isUniqueViolation(error)) {
      const department = await findDepartmentInfo(deps.db, departmentId)
      throw sealKeyExists(department?.name ?? '该部门')
    }
    throw error
  }
}

/**
 * Generates the first (or, after a retirement, the next) seal key of a department.
 * @throws FORBIDDEN without security.keys; LICENSE_DEPARTMENT_NOT_FOUND;
 *   LICENSE_DEPARTMENT_CREDIT_CODE (no USCC, no identifiers); SEAL_KEY_EXISTS (use rotate)
 */
export async function generateSealKey(
  deps: Deps,
  principal: Principal,
  departmentId: string,
  ctx: RequestContext = {},
): Promise<SealKeyView> {
  requireKeysPermission(principal)
  const row = await generate(
    deps,
    departmentId,
    { actor: adminActor(principal), createdBy: `staff:${principal.staffId ?? principal.accountId}` },
    ctx,
  )
  return sealKeyView(deps, row)
}

/**
 * Gives a department a seal key unless it has one: for the demo seed and first start.
 * Audited as the platform itself (`component`).
 */
export async function ensureSealKey(deps: Deps, departmentId: string, component: string): Promise<boolean> {
  if (await findActiveSealKey(deps.db, departmentId)) return false
  try {
    await generate(deps, departmentId, { actor: systemActor(component), createdBy: `system:${component}` }, {})
    return true
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'SEAL_KEY_EXISTS') return false
    throw error
  }
}

/**
 * When a key stops: now, read after its row is locked (so issues that were signing with it have
 * committed), but never at or before its last signature, even if this node's clock is behind the
 * one that signed: every license it signed must stay inside [valid_from, valid_to).
 */
async function retirementTime(deps: Deps, trx: DbOrTrx, key: SealKeyRow): Promise<Date> {
  const now = deps.clock.now()
  const last = await lastSignedAt(trx, key.id)
  const floor = last ? new Date(last).getTime() + 1 : 0
  return new Date(Math.max(now.getTime(), floor, new Date(key.validFrom).getTime() + 1))
}

/**
 * Replaces the department's active key: the new key signs from now on; the old one is retired at
 * the same instant and kept, so licenses it signed still verify.
 * @throws FORBIDDEN; SEAL_KEY_NOT_FOUND; SEAL_KEY_RETIRED (only the active key rotates)
 */
export async function rotateSealKey(
  deps: Deps,
  principal: Principal,
  keyId: string,
  ctx: RequestContext = {},
): Promise<SealKeyView> {
  requireKeysPermission(principal)
  const by = `staff:${principal.staffId ?? principal.accountId}`
  const row = await transaction(deps.db, async (trx) => {
    const old = await findSealKey(trx, keyId, { lock: 'update' })
    if (!old) throw sealKeyNotFound()
    const now = await retirementTime(deps, trx, old)
    if (!(await markSealKeyRetired(trx, keyId, now.toISOString(), by))) throw sealKeyRetired()
    const department = await departmentOf(trx, old.departmentId)
    const fresh = await createKey(deps, trx, department, by, now)
    await appendAudit(trx, {
      at: now,
      actor: adminActor(principal),
      action: 'seal_key.rotate',
      object: { type: 'seal_key', id: old.id },
      details: { departmentId: old.departmentId, retiredKeyId: old.kid, newKeyId: fresh.kid, newKey: fresh.id },
      ...where(ctx),
    })
    return fresh
  })
  return sealKeyView(deps, row)
}

/**
 * Retires a key without replacement (e.g. the department stops issuing, or the key is suspected
 * to be exposed and a new one follows later). What it signed before still verifies.
 * @throws FORBIDDEN; SEAL_KEY_NOT_FOUND; SEAL_KEY_RETIRED
 */
export async function retireSealKey(
  deps: Deps,
  principal: Principal,
  keyId: string,
  ctx: RequestContext = {},
): Promise<SealKeyView> {
  requireKeysPermission(principal)
  await transaction(deps.db, async (trx) => {
    const key = await findSealKey(trx, keyId, { lock: 'update' })
    if (!key) throw sealKeyNotFound()
    const now = await retirementTime(deps, trx, key)
    const by = `staff:${principal.staffId ?? principal.accountId}`
    if (!(await markSealKeyRetired(trx, keyId, now.toISOString(), by))) throw sealKeyRetired()
    await appendAudit(trx, {
      at: now,
      actor: adminActor(principal),
      action: 'seal_key.retire',
      object: { type: 'seal_key', id: keyId },
      details: { departmentId: key.departmentId, keyId: key.kid },
      ...where(ctx),
    })
  })
  const row = await findSealKey(deps.db, keyId)
  return sealKeyView(deps, row!)
}

/**
 * The department's active key with its private half, to sign in the caller's transaction, held
 * with a shared lock until commit (a rotation waits for it). When a rotation committed while we
 * waited, the row we waited for is retired: one more read finds its successor.
 */
export async function signingKeyOf(
  deps: Deps,
  trx: DbOrTrx,
  department: { id: string; name: string },
): Promise<{ row: SealKeyRow; pair: Sm2KeyPair }> {
  const row =
    (await findActiveSealKey(trx, department.id, { lock: 'share' })) ??
    (await findActiveSealKey(trx, department.id, { lock: 'share' }))
  if (!row) throw noActiveSealKey(department.name)
  return { row, pair: { privateKeyHex: deps.fieldCrypto.decrypt(row.privateKeyEnc), publicKeyHex: row.publicKeyHex } }
}

async function sealKeyView(
  deps: Deps,
  row: SealKeyRow,
  departments?: Map<string, DepartmentInfo>,
): Promise<SealKeyView> {
  const department = departments?.get(row.departmentId) ?? (await findDepartmentInfo(deps.db, row.departmentId))
  return {
    id: row.id,
    keyId: row.kid,
    fingerprint: keyFingerprint(row.publicKeyHex),
    departmentId: row.departmentId,
    departmentCode: department?.code ?? '',
    departmentName: department?.name ?? '',
    issuerCreditCode: row.issuerCreditCode,
    algorithm: row.algorithm,
    publicKeyPem: row.publicKeyPem,
    publicKeyHex: row.publicKeyHex,
    validFrom: row.validFrom,
    validTo: row.validTo,
    state: row.state,
    createdAt: row.createdAt,
    retiredAt: row.retiredAt,
  }
}

/** Every key, current and retired (department order, newest first within a department). */
export async function listSealKeyViews(deps: Deps): Promise<SealKeyView[]> {
  const [rows, departments] = await Promise.all([listSealKeys(deps.db), listDepartmentInfos(deps.db)])
  const byId = new Map(departments.map((d) => [d.id, d]))
  const order = new Map(departments.map((d, i) => [d.id, i]))
  const views = await Promise.all(rows.map((r) => sealKeyView(deps, r, byId)))
  return views.sort(
    (a, b) =>
      (order.get(a.departmentId) ?? 1e9) - (order.get(b.departmentId) ?? 1e9) ||
      (a.validFrom < b.validFrom ? 1 : a.validFrom > b.validFrom ? -1 : 0),
  )
}

/** The keys as a verifier needs them. */
export function publicKeyOf(
  row: Pick<SealKeyRow, 'kid' | 'publicKeyHex' | 'issuerCreditCode' | 'validFrom' | 'validTo'>,
): PublicSealKey {
  return {
    keyId: row.kid,
    publicKeyHex: row.publicKeyHex,
    issuerCreditCode: row.issuerCreditCode,
    validFrom: row.validFrom,
    validTo: row.validTo,
  }
}
