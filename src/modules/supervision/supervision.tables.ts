export type CardSubjectType = 'application' | 'task' | 'rectification'
export type CardLevel = 'yellow' | 'red'

/** Who a new card was sent to (or, for staff without a person account, who should be told). */
export interface CardRecipient {
  staffId: string
  name: string
  role: string
  departmentId: string
  /** True when a site message was queued to the person behind the staff account. */
  delivered: boolean
}

export interface WarningCardTable {
  id: string
  subjectType: CardSubjectType
  subjectId: string
  /** A rule code of supervision.rules.ts. */
  rule: string
  level: CardLevel
  /** The department answerable for the subject (the case's, the task's, the rectification's). */
  departmentId: string
  applicationId: string | null
  applicationNo: string | null
  itemId: string | null
  itemName: string | null
  /** What the card is about, in words, as it was when raised. */
  subjectLabel: string
  raisedAt: string
  dueOn: string | null
  /** CardRecipient[] JSON. */
  notified: string
  acknowledgedBy: string | null
  acknowledgedAt: string | null
  explanation: string | null
  resolvedAt: string | null
  /** Why it was resolved (a RESOLUTION code of supervision.rules.ts). */
  resolution: string | null
}

export interface SupervisionSettingTable {
  key: string
  /** JSON. */
  value: string
  updatedAt: string
  updatedBy: string | null
}

declare module '../../platform/db/schema.js' {
  interface Database {
    warningCards: WarningCardTable
    supervisionSettings: SupervisionSettingTable
  }
}
