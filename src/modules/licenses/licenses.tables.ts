import type { Flag } from '../../platform/db/schema.js'

export type HolderKind = 'person' | 'enterprise'
/** Stored states. 'expired' is derived from valid_to and today, never stored. */
export type LicenseStatus = 'active' | 'revoked' | 'superseded'
export type SealKeyState = 'active' | 'retired'
/** 材料可信等级 (DOMAIN.md §5): a issued by the agency, b checked against the original, c uploaded, d own commitment. */
export type TrustGrade = 'a' | 'b' | 'c' | 'd'

/** A license type (证照类型) and what its licenses carry. */
export interface LicenseTypeTable {
  /** The platform's code, e.g. 'food_license' (catalog materials name it in licenseTypeCode). */
  code: string
  name: string
  /** GB/T 36902 证照类型代码: defining agency's USCC + 3 digits; null when not issued here. */
  typeCode: string | null
  issuingDepartmentId: string | null
  holderKind: HolderKind
  /** JSON array of LicenseField. */
  fields: string
  /** Years from valid_from; null = valid until revoked. */
  validityYears: number | null
  faceTemplate: string | null
  /** The catalog item (catalogCode) that renews or changes it. */
  renewalItemCode: string | null
  active: Flag
  createdAt: string
  updatedAt: string
}

/** One version of one license. */
export interface LicenseTable {
  id: string
  identifier: string
  /** license_types.code */
  licenseType: string
  serial: string
  version: number
  supersedesId: string | null
  holderKind: HolderKind
  holderPersonId: string | null
  holderEnterpriseId: string | null
  holderKeyIndex: string
  holderName: string
  /** What the face and the signed form show: the masked ID number, or the credit code. */
  holderKeyDisplay: string
  typeName: string
  issuerDepartmentId: string
  issuerName: string
  issuerCreditCode: string
  /** JSON object of field key → string value. */
  data: string
  issuedAt: string
  /** `staff:<id>` or `system:<component>`. */
  issuedBy: string
  validFrom: string
  validTo: string | null
  status: LicenseStatus
  revokedAt: string | null
  revokedBy: string | null
  revokeReason: string | null
  supersededAt: string | null
  applicationId: string | null
  trustGrade: TrustGrade
  createdAt: string
}

export interface SealKeyTable {
  id: string
  kid: string
  departmentId: string
  /** The department's credit code when the key was made. */
  issuerCreditCode: string
  algorithm: 'SM2'
  publicKeyPem: string
  /** Uncompressed point 04‖x‖y, 130 hex digits. */
  publicKeyHex: string
  /** The 64-hex-digit private key, encrypted with the platform's field crypto. */
  privateKeyEnc: string
  validFrom: string
  validTo: string | null
  state: SealKeyState
  createdBy: string
  createdAt: string
  retiredAt: string | null
  retiredBy: string | null
}

export interface LicenseSignatureTable {
  licenseId: string
  keyId: string
  signedSm3: string
  signature: string
  signedAt: string
}

export interface LicenseUseTable {
  id: string
  licenseId: string
  usedByDepartmentId: string | null
  usedByPersonId: string | null
  usedByStaffId: string | null
  applicationId: string | null
  purpose: string
  at: string
}

export interface LicenseShareTable {
  id: string
  licenseId: string
  tokenHash: string
  audience: string
  purpose: string
  createdByPersonId: string | null
  expiresAt: string
  createdAt: string
  usedAt: string | null
  revokedAt: string | null
}

export interface LicenseCounterTable {
  counterKey: string
  lastSeq: number
}

export type ImportJobState = 'checked' | 'rejected' | 'queued' | 'running' | 'done' | 'failed'

/** An import of existing licenses from a spreadsheet (licenses.import.ts). */
export interface LicenseImportJobTable {
  id: string
  licenseType: string
  departmentId: string
  createdByStaffId: string
  fileName: string
  state: ImportJobState
  totalRows: number
  processedRows: number
  importedRows: number
  /** JSON array of checked rows, ready to issue; '[]' once the job is over. */
  rows: string
  /** JSON array of { row, field, message }. */
  problems: string
  error: string | null
  confirmedByStaffId: string | null
  claimedBy: string | null
  claimedUntil: string | null
  createdAt: string
  confirmedAt: string | null
  startedAt: string | null
  finishedAt: string | null
  updatedAt: string
}

/** That the expiry reminder of a license version was sent (one per version). */
export interface LicenseExpiryReminderTable {
  licenseId: string
  validTo: string
  recipientPersonId: string | null
  sentAt: string
}

declare module '../../platform/db/schema.js' {
  interface Database {
    licenseTypes: LicenseTypeTable
    licenses: LicenseTable
    sealKeys: SealKeyTable
    licenseSignatures: LicenseSignatureTable
    licenseUses: LicenseUseTable
    licenseShares: LicenseShareTable
    licenseCounters: LicenseCounterTable
    licenseImportJobs: LicenseImportJobTable
    licenseExpiryReminders: LicenseExpiryReminderTable
  }
}
