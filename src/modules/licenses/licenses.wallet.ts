/**
 * The holder's side of the library (「我的证照」): whose licenses a signed-in person sees — their
 * own, or the enterprise's while they act for it — the state each is in, every version of a
 * license, and who used it (license_uses). Another holder's license is simply not found (404).
 */
import type { Principal } from '../../platform/auth/principal.js'
import { addCalendarDays, todayInShanghai } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import { departmentNames } from '../identity/index.js'
import { licenseNotFound } from './licenses.errors.js'
import { listUses } from './licenses.repository.js'
import {
  getLicense,
  getLicenseType,
  type LicenseHolderRef,
  type LicenseTypeView,
  type LicenseView,
  listHolderLicenses,
} from './licenses.service.js'

/** Days before the end of validity from which a license shows as 即将到期 (and is reminded of). */
export const EXPIRING_DAYS = 30

/** The state a holder sees on each license. */
export type WalletState = 'valid' | 'expiring' | 'expired' | 'revoked' | 'superseded'

export const WALLET_STATE_LABELS: Record<WalletState, string> = {
  valid: '有效',
  expiring: '即将到期',
  expired: '已过期',
  revoked: '已注销',
  superseded: '已被替代',
}

export function walletStateOf(view: Pick<LicenseView, 'state' | 'validTo'>, today: string): WalletState {
  if (view.state === 'valid' && view.validTo !== null && view.validTo <= addCalendarDays(today, EXPIRING_DAYS)) {
    return 'expiring'
  }
  return view.state
}

/** Whose wallet a principal opens: the enterprise they act for, else themself. */
export function walletHolder(principal: Principal): LicenseHolderRef | undefined {
  if (principal.enterpriseId) return { enterpriseId: principal.enterpriseId }
  return principal.personId ? { personId: principal.personId } : undefined
}

export function holdsLicense(principal: Principal, view: LicenseView): boolean {
  const holder = walletHolder(principal)
  if (!holder) return false
  return 'enterpriseId' in holder
    ? view.holder.enterpriseId === holder.enterpriseId
    : view.holder.personId === holder.personId && view.holder.kind === 'person'
}

export interface WalletEntry {
  license: LicenseView
  walletState: WalletState
}

/** The current licenses of the principal's wallet (every version's latest; revoked ones too). */
export async function listWallet(deps: Deps, principal: Principal): Promise<WalletEntry[]> {
  const holder = walletHolder(principal)
  if (!holder) return []
  const today = todayInShanghai(deps.clock.now())
  return (await listHolderLicenses(deps, holder)).map((license) => ({
    license,
    walletState: walletStateOf(license, today),
  }))
}

/**
 * One license of the principal's wallet, with its type.
 * @throws LICENSE_NOT_FOUND also when it is someone else's (so nothing is revealed)
 */
export async function getOwnLicense(
  deps: Deps,
  principal: Principal,
  licenseId: string,
): Promise<{ license: LicenseView; type: LicenseTypeView; walletState: WalletState }> {
  let license: LicenseView
  try {
    license = await getLicense(deps, licenseId)
  } catch {
    throw licenseNotFound()
  }
  if (!holdsLicense(principal, license)) throw licenseNotFound()
  return {
    license,
    type: await getLicenseType(deps, license.typeCode),
    walletState: walletStateOf(license, todayInShanghai(deps.clock.now())),
  }
}

/** Every version of the license the given one belongs to (same type, issuer and serial), newest first. */
export async function versionsOf(deps: Deps, license: LicenseView): Promise<LicenseView[]> {
  const holder: LicenseHolderRef = license.holder.enterpriseId
    ? { enterpriseId: license.holder.enterpriseId }
    : { personId: license.holder.personId ?? '' }
  const all = await listHolderLicenses(deps, holder, { includeSuperseded: true })
  return all
    .filter(
      (l) =>
        l.typeCode === license.typeCode &&
        l.issuer.departmentId === license.issuer.departmentId &&
        l.serial === license.serial,
    )
    .sort((a, b) => b.version - a.version)
}

export interface LicenseUseView {
  id: string
  at: string
  /** The department that used it, or null (e.g. someone the holder shared it with). */
  departmentName: string | null
  applicationId: string | null
  purpose: string
  /** The version used. */
  identifier: string
  version: number
}

/** 「谁用了我的证照」: every use of every version of the license, newest first. */
export async function usesOf(deps: Deps, versions: LicenseView[]): Promise<LicenseUseView[]> {
  const rows = (await Promise.all(versions.map((v) => listUses(deps.db, v.id)))).flat()
  const names = rows.some((r) => r.usedByDepartmentId) ? await departmentNames(deps.db) : new Map<string, string>()
  const byId = new Map(versions.map((v) => [v.id, v]))
  return rows
    .map((r) => ({
      id: r.id,
      at: r.at,
      departmentName: r.usedByDepartmentId ? (names.get(r.usedByDepartmentId) ?? '（部门信息已调整）') : null,
      applicationId: r.applicationId,
      purpose: r.purpose,
      identifier: byId.get(r.licenseId)?.identifier ?? '',
      version: byId.get(r.licenseId)?.version ?? 0,
    }))
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? 1 : -1))
}
