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
  }
}
