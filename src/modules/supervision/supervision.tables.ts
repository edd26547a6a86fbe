import type { Generated } from 'kysely'

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

/** The grain of the daily summary (migration 0019): a day and a cell. */
export interface SummaryCellColumns {
  /** Asia/Shanghai day. */
  day: string
  departmentId: string
  itemId: string
  /** '' when none. */
  servicePointId: string
  /** '' when unknown (a rating whose application is gone). */
  channel: string
}

export interface SupervisionDayCountsTable extends SummaryCellColumns {
  itemName: string
  received: number
  accepted: number
  deemedAccepted: number
  notAccepted: number
  refused: number
  withdrawn: number
  completed: number
  approved: number
  onlineFull: number
  overdueCompleted: number
  promisedOverdueCompleted: number
  corrected: number
}

export interface SupervisionDayDurationsTable extends SummaryCellColumns {
  /** Days used of the promised clock at completion. */
  used: number
  count: number
  /** … of which within their promised limit. */
  within: number
  /** Sum of their promised days. */
  promisedSum: number
}

export interface SupervisionDayRatingsTable extends SummaryCellColumns {
  level: number
  isDefault: number
  count: number
}

export interface SupervisionDayMaterialsTable extends SummaryCellColumns {
  materialCode: string
  itemVersionId: string
  itemName: string
  count: number
}

/** The last day each month's roll-up holds (migration 0027). */
export interface SupervisionMonthThroughTable {
  /** YYYY-MM. */
  month: string
  through: string
}

export interface SupervisionSummaryStateTable {
  id: string
  /** Every day up to this one is in the summary; later days are counted from the records. */
  builtThrough: string | null
  firstDay: string | null
  /** Changes of records at or after this instant are still to be looked at. */
  changesSince: string | null
  refreshedAt: string | null
  leaseHolder: string | null
  leaseUntil: string | null
  daysRebuilt: number
  /** Moves on with every change to the summary's tables (migration 0024). */
  generation: Generated<number>
}

declare module '../../platform/db/schema.js' {
  interface Database {
    warningCards: WarningCardTable
    supervisionSettings: SupervisionSettingTable
    supervisionDayCounts: SupervisionDayCountsTable
    supervisionDayDurations: SupervisionDayDurationsTable
    supervisionDayRatings: SupervisionDayRatingsTable
    supervisionDayMaterials: SupervisionDayMaterialsTable
    supervisionSummaryState: SupervisionSummaryStateTable
    supervisionMonthThrough: SupervisionMonthThroughTable
  }
}
