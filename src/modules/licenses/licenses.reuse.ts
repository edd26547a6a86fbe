/**
 * What the applications module asks of the library (through index.ts):
 *
 * - `heldLicenses`: the valid licenses an applicant holds, with their data, to prefill a form
 *   (each value names its license) and to offer a license instead of an upload;
 * - `useLicenseForApplicationIn`: a license given as a material, checked (the applicant's own, of
 *   the material's type, valid) and its use recorded in the application's transaction — the
 *   holder sees it under 「谁用了我的证照」;
 * - `licenseUseProblem`: the same check ahead of the transaction, for a clear message per material;
 * - `issueResultLicenseIn`: on approval, the license the item gives, issued in the decision's
 *   transaction by the platform (`{ system: 'applications' }`) — or, when the library cannot sign
 *   it (type not issued here, no seal key, data incomplete), the reason, checked before anything
 *   is written so the approval itself still goes through.
 */
import type { DbOrTrx, Trx } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { enterpriseHolder, findDepartmentInfo, personHolder } from '../identity/index.js'
import { checkLicenseData, parseFields } from './licenses.fields.js'
import type { RequestContext } from './licenses.keys.js'
import { findActiveSealKey, findLicenseType } from './licenses.repository.js'
import {
  getLicense,
  issueLicenseIn,
  type LicenseHolderRef,
  type LicenseView,
  listHolderLicenses,
  recordUseIn,
} from './licenses.service.js'

/** A license as an application form sees it: its data plus the holder's name and number. */
export interface HeldLicenseData {
  licenseId: string
  typeCode: string
  typeName: string
  identifier: string
  issuerName: string
  validTo: string | null
  /**
   * The license's data by field key, plus `holder_name` (the name on the license) and `holder_key`
   * (the enterprise's credit code, or the person's masked ID number).
   */
  fields: Record<string, string>
}

function heldData(license: LicenseView): HeldLicenseData {
  return {
    licenseId: license.id,
    typeCode: license.typeCode,
    typeName: license.typeName,
    identifier: license.identifier,
    issuerName: license.issuer.name,
    validTo: license.validTo,
    fields: { ...license.data, holder_name: license.holder.name, holder_key: license.holder.key },
  }
}

/** The valid (current, unexpired, unrevoked) licenses of a holder, newest first. */
export async function heldLicenses(
  deps: Pick<Deps, 'db' | 'clock' | 'fieldCrypto'>,
  holder: LicenseHolderRef,
  db?: DbOrTrx,
): Promise<HeldLicenseData[]> {
  const all = await listHolderLicenses(deps, holder, { db })
  return all.filter((l) => l.state === 'valid').map(heldData)
}

function holds(license: LicenseView, holder: LicenseHolderRef): boolean {
  return 'enterpriseId' in holder
    ? license.holder.enterpriseId === holder.enterpriseId
    : license.holder.kind === 'person' && license.holder.personId === holder.personId
}

/**
 * Why this license cannot stand for a material of `typeCode` for this applicant, or undefined.
 * Someone else's license reads as not found (nothing about it is revealed).
 */
export async function licenseUseProblem(
  deps: Pick<Deps, 'db' | 'clock'>,
  licenseId: string,
  holder: LicenseHolderRef,
  typeCode: string,
  db: DbOrTrx = deps.db,
): Promise<string | undefined> {
  let license: LicenseView
  try {
    license = await getLicense(deps, licenseId, db)
  } catch {
    return '找不到所选的电子证照，请重新选择或上传文件'
  }
  if (!holds(license, holder)) return '找不到所选的电子证照，请重新选择或上传文件'
  if (license.typeCode !== typeCode) return `所选的「${license.typeName}」不能作为这项材料，请重新选择或上传文件`
  if (license.state !== 'valid') return `所选的「${license.typeName}」${license.stateLabel}，不能使用，请上传文件`
  return undefined
}

export interface ApplicationLicenseUse {
  licenseId: string
  holder: LicenseHolderRef
  /** The license type the material asks for. */
  typeCode: string
  departmentId: string
  /** Who consented (the applicant, or the person acting for the enterprise). */
  personId: string | null
  staffId?: string | null
  applicationId: string
  /** e.g. 「食品经营许可 申请材料：营业执照」 */
  purpose: string
}

/**
 * Records the use of a license as an application's material, in the application's transaction,
 * after checking it is the applicant's, of the right type and valid.
 * @throws VALIDATION_FAILED (field `license`) when it cannot be used
 */
export async function useLicenseForApplicationIn(
  deps: Deps,
  trx: Trx,
  input: ApplicationLicenseUse,
  ctx: RequestContext = {},
): Promise<{ id: string; at: string }> {
  const problem = await licenseUseProblem(deps, input.licenseId, input.holder, input.typeCode, trx)
  if (problem) throw new DomainError('VALIDATION_FAILED', 'invalid', problem, [{ field: 'license', message: problem }])
  return recordUseIn(
    deps,
    trx,
    input.licenseId,
    {
      departmentId: input.departmentId,
      personId: input.personId,
      staffId: input.staffId ?? null,
      applicationId: input.applicationId,
      purpose: input.purpose.slice(0, 200),
    },
    { ...ctx, actor: { system: 'applications' } },
  )
}

export interface ResultLicenseInput {
  typeCode: string
  holder: LicenseHolderRef
  /** Values by license field key; keys the type does not have are left out. */
  values: Record<string, string>
  applicationId: string
}

export type ResultLicenseOutcome = { issued: LicenseView } | { pending: string }

/**
 * The license an approved application gives, issued in the caller's transaction by the platform.
 * Everything that could stop the signing is checked first, without writing; then the reason is
 * returned instead (the caller records it and the issuing department signs later).
 */
export async function issueResultLicenseIn(
  deps: Deps,
  trx: Trx,
  input: ResultLicenseInput,
  ctx: RequestContext = {},
): Promise<ResultLicenseOutcome> {
  const type = await findLicenseType(trx, input.typeCode)
  if (!type) return { pending: `证照类型「${input.typeCode}」未在电子证照库登记` }
  if (!type.issuingDepartmentId || !type.typeCode || !type.active) {
    return { pending: `「${type.name}」不由本平台的部门签发` }
  }
  const department = await findDepartmentInfo(trx, type.issuingDepartmentId)
  if (!department?.creditCode) return { pending: `颁发部门未登记统一社会信用代码` }
  const key = await findActiveSealKey(trx, department.id)
  if (!key || key.issuerCreditCode !== department.creditCode) {
    return { pending: `${department.name}暂无可用的电子印章密钥` }
  }
  const holder =
    'personId' in input.holder
      ? await personHolder(trx, input.holder.personId)
      : await enterpriseHolder(trx, input.holder.enterpriseId)
  if (!holder) return { pending: '持证人未在平台登记' }
  const kind = 'personId' in input.holder ? 'person' : 'enterprise'
  if (kind !== type.holderKind) {
    return { pending: `「${type.name}」的持证人应为${type.holderKind === 'person' ? '个人' : '企业'}` }
  }
  const fields = parseFields(type.fields)
  const known = new Set(fields.map((f) => f.key))
  const values = Object.fromEntries(Object.entries(input.values).filter(([k, v]) => known.has(k) && v.trim() !== ''))
  const { problems } = checkLicenseData(fields, values)
  if (problems.length > 0) {
    const missing = problems.map((p) => p.message).join('；')
    return { pending: `证照信息不全（${missing}）` }
  }
  const issued = await issueLicenseIn(
    deps,
    trx,
    { system: 'applications' },
    { typeCode: type.code, holder: input.holder, data: values, applicationId: input.applicationId },
    ctx,
  )
  return { issued }
}
