import type { Flag } from '../../platform/db/schema.js'

export interface AreaTable {
  id: string
  code: string | null
  name: string
  level: 'province' | 'city' | 'county' | 'town' | 'village'
  parentId: string | null
  kind: string | null
  codeConfirmed: Flag
  sortOrder: number
  updatedAt: string
}

export interface DepartmentTable {
  id: string
  code: string
  creditCode: string | null
  name: string
  shortName: string
  parentId: string | null
  kind: 'department' | 'sub_unit' | 'town'
  areaId: string
  phone: string | null
  address: string | null
  sortOrder: number
  active: Flag
  createdAt: string
}

export interface ServicePointTable {
  id: string
  code: string
  name: string
  kind: 'center_window' | 'town_station' | 'village_point'
  departmentId: string | null
  areaId: string
  address: string | null
  phone: string | null
  active: Flag
  createdAt: string
}

export interface PersonTable {
  id: string
  name: string
  idNumberEnc: string
  idNumberIndex: string
  idNumberMasked: string
  mobileEnc: string | null
  mobileIndex: string | null
  mobileMasked: string | null
  addressEnc: string | null
  birthDate: string | null
  sex: 'male' | 'female' | null
  assuranceLevel: 1 | 2 | 3
  assuranceSource: string | null
  createdAt: string
  updatedAt: string
}

export interface AccountTable {
  id: string
  kind: 'person' | 'staff'
  loginName: string | null
  personId: string | null
  passwordHash: string | null
  passwordChangedAt: string | null
  status: 'active' | 'disabled'
  failedLogins: number
  lockedUntil: string | null
  totpSecretEnc: string | null
  totpEnabledAt: string | null
  /** The TOTP time step last accepted: a code works once. */
  totpLastStep: number | null
  elderMode: Flag
  lastLoginAt: string | null
  createdAt: string
}

export interface StaffTable {
  id: string
  accountId: string
  name: string
  employeeNo: string
  departmentId: string
  servicePointId: string | null
  position: string | null
  active: Flag
  createdAt: string
}

export interface StaffRoleTable {
  staffId: string
  role: string
  grantedAt: string
  grantedBy: string | null
}

export interface SessionTable {
  id: string
  accountId: string
  kind: 'person' | 'staff'
  actingEnterpriseId: string | null
  createdAt: string
  lastSeenAt: string
  idleExpiresAt: string
  absoluteExpiresAt: string
  secondFactorAt: string | null
  ip: string | null
  userAgent: string | null
  endedAt: string | null
  endReason: string | null
}

export interface SmsCodeTable {
  id: string
  purpose: 'login' | 'register' | 'reset'
  mobileIndex: string
  codeHash: string
  attempts: number
  createdAt: string
  expiresAt: string
  consumedAt: string | null
  ip: string | null
}

export interface RecoveryCodeTable {
  id: string
  accountId: string
  codeHash: string
  createdAt: string
  usedAt: string | null
}

declare module '../../platform/db/schema.js' {
  interface Database {
    areas: AreaTable
    departments: DepartmentTable
    servicePoints: ServicePointTable
    persons: PersonTable
    accounts: AccountTable
    staff: StaffTable
    staffRoles: StaffRoleTable
    sessions: SessionTable
    smsCodes: SmsCodeTable
    recoveryCodes: RecoveryCodeTable
  }
}

// ----- enterprises and agents (migration 0008) ---------------------------------------------------

export type EnterpriseKind = 'company' | 'individual' | 'institution' | 'social_org' | 'other'

export interface EnterpriseTable {
  id: string
  creditCode: string
  name: string
  kind: EnterpriseKind
  legalRepPersonId: string
  addressEnc: string | null
  /** 成立日期 `YYYY-MM-DD`. */
  registeredAt: string | null
  creditCodeOverrideBy: string | null
  creditCodeOverrideAt: string | null
  creditCodeOverrideReason: string | null
  createdAt: string
  updatedAt: string
}

export interface AgentGrantTable {
  id: string
  enterpriseId: string
  personId: string
  scope: 'all' | 'items'
  /** JSON array of service item codes (text; jsonb on PostgreSQL). */
  itemCodes: string
  /** `YYYY-MM-DD`, inclusive. */
  validFrom: string
  /** `YYYY-MM-DD`, inclusive. */
  validUntil: string
  grantedByPersonId: string
  grantedAt: string
  revokedAt: string | null
  revokedBy: string | null
  revokeReason: string | null
}

declare module '../../platform/db/schema.js' {
  interface Database {
    enterprises: EnterpriseTable
    agentGrants: AgentGrantTable
  }
}
