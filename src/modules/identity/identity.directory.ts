/**
 * Looking people, enterprises and staff up by id, for other modules (applications, catalog,
 * licenses): names and masked identifiers only — never the encrypted columns.
 */

import type { Principal } from '../../platform/auth/principal.js'
import type { DbOrTrx } from '../../platform/db/database.js'
import { type Placeholders, prepared } from '../../platform/db/prepared.js'
import type { Deps } from '../../platform/deps.js'
import { permissionsOf } from './identity.roles.js'

export interface PersonSummary {
  id: string
  name: string
  idNumberMasked: string
  mobileMasked: string | null
  assuranceLevel: 1 | 2 | 3
}

export async function personSummaries(db: DbOrTrx, ids: string[]): Promise<Map<string, PersonSummary>> {
  const unique = [...new Set(ids)].filter(Boolean)
  if (unique.length === 0) return new Map()
  const rows = await db
    .selectFrom('persons')
    .select(['id', 'name', 'idNumberMasked', 'mobileMasked', 'assuranceLevel'])
    .where('id', 'in', unique)
    .execute()
  return new Map(rows.map((r) => [r.id, r]))
}

export async function personSummary(db: DbOrTrx, id: string): Promise<PersonSummary | undefined> {
  return (await personSummaries(db, [id])).get(id)
}

/** True when the mobile number given is the person's (exact match through the blind index). */
export async function personHasMobile(
  deps: Pick<Deps, 'db' | 'fieldCrypto'>,
  personId: string,
  mobile: string,
): Promise<boolean> {
  if (!/^1\d{10}$/.test(mobile)) return false
  const row = await deps.db.selectFrom('persons').select('mobileIndex').where('id', '=', personId).executeTakeFirst()
  return Boolean(row?.mobileIndex) && row?.mobileIndex === deps.fieldCrypto.blindIndex(mobile)
}

export async function enterpriseNames(db: DbOrTrx, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter(Boolean)
  if (unique.length === 0) return new Map()
  const rows = await db.selectFrom('enterprises').select(['id', 'name']).where('id', 'in', unique).execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

export async function staffNames(db: DbOrTrx, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter(Boolean)
  if (unique.length === 0) return new Map()
  const rows = await db.selectFrom('staff').select(['id', 'name']).where('id', 'in', unique).execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

/** Active staff of a department holding a role (e.g. colleagues to hand a task to). */
export function staffWithRole(db: DbOrTrx, departmentId: string, role: string) {
  return db
    .selectFrom('staff')
    .innerJoin('staffRoles', 'staffRoles.staffId', 'staff.id')
    .select(['staff.id', 'staff.name'])
    .where('staff.departmentId', '=', departmentId)
    .where('staff.active', '=', 1)
    .where('staffRoles.role', '=', role)
    .orderBy('staff.name')
    .execute()
}

export async function departmentIdOfCode(db: DbOrTrx, code: string): Promise<string | undefined> {
  const row = await db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirst()
  return row?.id
}

export interface StaffRef {
  id: string
  name: string
  departmentId: string
}

/** Staff by id with their department, for showing who did what to other staff. */
export async function staffRefs(db: DbOrTrx, ids: (string | null | undefined)[]): Promise<Map<string, StaffRef>> {
  const unique = [...new Set(ids.filter((id): id is string => Boolean(id)))]
  if (unique.length === 0) return new Map()
  const rows = await db.selectFrom('staff').select(['id', 'name', 'departmentId']).where('id', 'in', unique).execute()
  return new Map(rows.map((r) => [r.id, r]))
}

/** Names of departments by id. */
export async function departmentNames(db: DbOrTrx): Promise<Map<string, string>> {
  const rows = await db.selectFrom('departments').select(['id', 'name']).execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

// Every submission names its applicant: built once (docs/performance.md, finding 19).
const enterpriseName = prepared((db, p: Placeholders<{ id: string }>) =>
  db.selectFrom('enterprises').select('name').where('id', '=', p.id),
)
const personName = prepared((db, p: Placeholders<{ id: string }>) =>
  db.selectFrom('persons').select('name').where('id', '=', p.id),
)

/** The display name of an applicant: the enterprise's when acting for one, else the person's. */
export async function applicantDisplayName(
  db: DbOrTrx,
  personId: string,
  enterpriseId: string | null,
): Promise<string> {
  if (enterpriseId) {
    const name = (await enterpriseName.executeTakeFirst(db, { id: enterpriseId }))?.name
    if (name) return name
  }
  return (await personName.executeTakeFirst(db, { id: personId }))?.name ?? ''
}

export interface PrefillProfile {
  person?: {
    name: string
    idNumber?: string
    mobile?: string
    address?: string
    birthDate?: string
    sex?: 'male' | 'female'
  }
  enterprise?: { name: string; creditCode: string; legalRepName: string; address?: string }
}

/**
 * A person's own real-name record (and the enterprise they act for) decrypted, for prefilling
 * THEIR OWN forms. Never for showing to anyone else.
 */
export async function prefillProfile(
  deps: Pick<Deps, 'db' | 'fieldCrypto'>,
  personId: string | undefined,
  enterpriseId: string | undefined,
): Promise<PrefillProfile> {
  const decrypt = (value: string | null | undefined) => (value ? deps.fieldCrypto.decrypt(value) : undefined)
  const person = personId
    ? await deps.db.selectFrom('persons').selectAll().where('id', '=', personId).executeTakeFirst()
    : undefined
  const enterprise = enterpriseId
    ? await deps.db
        .selectFrom('enterprises')
        .innerJoin('persons', 'persons.id', 'enterprises.legalRepPersonId')
        .select([
          'enterprises.name',
          'enterprises.creditCode',
          'enterprises.addressEnc',
          'persons.name as legalRepName',
        ])
        .where('enterprises.id', '=', enterpriseId)
        .executeTakeFirst()
    : undefined
  return {
    person: person && {
      name: person.name,
      idNumber: decrypt(person.idNumberEnc),
      mobile: decrypt(person.mobileEnc),
      address: decrypt(person.addressEnc),
      birthDate: person.birthDate ?? undefined,
      sex: person.sex ?? undefined,
    },
    enterprise: enterprise && {
      name: enterprise.name,
      creditCode: enterprise.creditCode,
      legalRepName: enterprise.legalRepName,
      address: decrypt(enterprise.addressEnc),
    },
  }
}

/**
 * What a license is filed under: for a person the blind index of the ID number (never the number)
 * with the masked number shown on the face; for an enterprise its credit code (public by law).
 */
export function personHolder(db: DbOrTrx, personId: string) {
  return db
    .selectFrom('persons')
    .select(['id', 'name', 'idNumberIndex', 'idNumberMasked'])
    .where('id', '=', personId)
    .executeTakeFirst()
}

export function enterpriseHolder(db: DbOrTrx, enterpriseId: string) {
  return db
    .selectFrom('enterprises')
    .select(['id', 'name', 'creditCode'])
    .where('id', '=', enterpriseId)
    .executeTakeFirst()
}

export interface StaffRecipient {
  id: string
  name: string
  departmentId: string
  role: string
  /** The person behind the staff account, when the member of staff is also a registered person. */
  personId: string | null
}

/**
 * Active staff holding one of `roles` (in `departmentId`, or in every department when omitted),
 * with the person behind their account if any: whom a warning (效能监管) is sent to. Staff
 * without a person account cannot receive a message; the caller records them instead.
 */
export async function staffRecipients(
  db: DbOrTrx,
  options: { roles: readonly string[]; departmentId?: string },
): Promise<StaffRecipient[]> {
  if (options.roles.length === 0) return []
  let query = db
    .selectFrom('staff')
    .innerJoin('staffRoles', 'staffRoles.staffId', 'staff.id')
    .innerJoin('accounts', 'accounts.id', 'staff.accountId')
    .select(['staff.id', 'staff.name', 'staff.departmentId', 'staffRoles.role', 'accounts.personId'])
    .where('staff.active', '=', 1)
    .where('accounts.status', '=', 'active')
    .where('staffRoles.role', 'in', [...options.roles])
  if (options.departmentId) query = query.where('staff.departmentId', '=', options.departmentId)
  return query.orderBy('staff.departmentId').orderBy('staffRoles.role').orderBy('staff.name').execute()
}

/** Names of service points (窗口、镇街服务站、村居服务点) by id. */
export async function servicePointNames(db: DbOrTrx): Promise<Map<string, string>> {
  const rows = await db.selectFrom('servicePoints').select(['id', 'name']).execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

/** A person by the blind index of their ID number (e.g. the holder named in an import of licenses). */
export function personByIdNumberIndex(db: DbOrTrx, idNumberIndex: string) {
  return db.selectFrom('persons').select(['id', 'name']).where('idNumberIndex', '=', idNumberIndex).executeTakeFirst()
}

/** An enterprise by its unified social credit code (e.g. the holder named in an import of licenses). */
export function enterpriseByCreditCode(db: DbOrTrx, creditCode: string) {
  return db.selectFrom('enterprises').select(['id', 'name']).where('creditCode', '=', creditCode).executeTakeFirst()
}

/**
 * Whom to tell about a holder's records, and the mobile number for a text message: the person
 * themself, or an enterprise's legal representative. The number is decrypted only to send the
 * holder their own message (notifications); never shown.
 */
export async function holderContact(
  deps: Pick<Deps, 'db' | 'fieldCrypto'>,
  holder: { personId: string } | { enterpriseId: string },
): Promise<{ personId: string; mobile: string | null } | undefined> {
  const personId =
    'personId' in holder
      ? holder.personId
      : (
          await deps.db
            .selectFrom('enterprises')
            .select('legalRepPersonId')
            .where('id', '=', holder.enterpriseId)
            .executeTakeFirst()
        )?.legalRepPersonId
  if (!personId) return undefined
  const person = await deps.db
    .selectFrom('persons')
    .select(['id', 'mobileEnc'])
    .where('id', '=', personId)
    .executeTakeFirst()
  if (!person) return undefined
  return { personId: person.id, mobile: person.mobileEnc ? deps.fieldCrypto.decrypt(person.mobileEnc) : null }
}

/**
 * The principal of an active member of staff by login name, for commands run at the server's
 * console (e.g. `yiwang import-licenses --staff approve01`): whoever runs them already holds the
 * database, so no password is asked; what they do is recorded under that member of staff.
 */
export async function consoleStaffPrincipal(db: DbOrTrx, loginName: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('accounts')
    .innerJoin('staff', 'staff.accountId', 'accounts.id')
    .select([
      'accounts.id as accountId',
      'staff.id as staffId',
      'staff.name',
      'staff.departmentId',
      'staff.servicePointId',
    ])
    .where('accounts.loginName', '=', loginName)
    .where('accounts.status', '=', 'active')
    .where('staff.active', '=', 1)
    .executeTakeFirst()
  if (!row) return undefined
  const roles = (await db.selectFrom('staffRoles').select('role').where('staffId', '=', row.staffId).execute()).map(
    (r) => r.role,
  )
  return {
    sessionId: `console:${loginName}`,
    accountId: row.accountId,
    staffId: row.staffId,
    departmentId: row.departmentId,
    servicePointId: row.servicePointId ?? undefined,
    displayName: row.name,
    roles,
    permissions: permissionsOf(roles),
    assuranceLevel: 3,
  }
}
