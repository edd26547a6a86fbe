import type { Flag } from '../../platform/db/schema.js'
import type { RatingChannel, RectificationOutcome, RectificationState, Severity } from './ratings.codes.js'

export interface RatingTable {
  id: string
  applicationId: string
  /** 一次一评: the counter visit (window ratings only). */
  visitId: string | null
  departmentId: string
  itemId: string
  channel: RatingChannel
  level: number
  /** JSON object: indicator code → 1–5. */
  indicators: string
  /** JSON array of reason codes. */
  reasons: string
  text: string | null
  isDefault: Flag
  supplementText: string | null
  supplementedAt: string | null
  ratedByPersonId: string | null
  recordedByStaffId: string | null
  ratedAt: string
}

export interface RectificationTable {
  id: string
  ratingId: string
  applicationId: string
  departmentId: string
  itemId: string
  state: RectificationState
  outcome: RectificationOutcome | null
  severity: Severity | null
  callbackAt: string | null
  callbackMethod: string | null
  callbackByStaffId: string | null
  callbackNote: string | null
  termDays: number | null
  deadlineOn: string | null
  overdueAt: string | null
  replyText: string | null
  repliedAt: string | null
  repliedByStaffId: string | null
  explanation: string | null
  explainedAt: string | null
  appealReason: string | null
  appealedAt: string | null
  appealDecision: 'upheld' | 'rejected' | null
  appealNote: string | null
  appealDecidedAt: string | null
  appealDecidedByStaffId: string | null
  excluded: Flag
  replyLevel: number | null
  replyComment: string | null
  replyRatedAt: string | null
  closedAt: string | null
  closedReason: 'applicant_rated' | 'no_answer' | 'appeal_upheld' | null
  openedAt: string
  updatedAt: string
  lockVersion: number
}

export interface RectificationEventTable {
  id: string
  rectificationId: string
  seq: number
  event: string
  fromState: string | null
  toState: string | null
  actorType: string
  actorId: string | null
  note: string | null
  forApplicant: Flag
  at: string
}

export interface RatingSettingTable {
  key: string
  value: number
  updatedAt: string
  updatedBy: string
}

export interface RatingSweepPositionTable {
  name: string
  at: string
  applicationId: string
  updatedAt: string
}

declare module '../../platform/db/schema.js' {
  interface Database {
    ratings: RatingTable
    rectifications: RectificationTable
    rectificationEvents: RectificationEventTable
    ratingSettings: RatingSettingTable
    ratingSweepPositions: RatingSweepPositionTable
  }
}
