import type { Flag } from '../../platform/db/schema.js'

export type ApplicationState =
  | 'draft'
  | 'submitted'
  | 'correction_requested'
  | 'not_accepted'
  | 'accepted'
  | 'in_process'
  | 'approved'
  | 'refused'
  | 'completed'
  | 'withdrawn'

export type ApplicationChannel = 'online' | 'window' | 'proxy' | 'kiosk' | 'phone'
export type TimeUnit = '工作日' | '自然日'

export interface ApplicationTable {
  id: string
  applicationNo: string | null
  idempotencyKey: string | null
  itemId: string
  itemVersionId: string
  departmentId: string
  themeCaseId: string | null
  applicantPersonId: string
  applicantEnterpriseId: string | null
  filedByPersonId: string | null
  filedByStaffId: string | null
  servicePointId: string | null
  channel: ApplicationChannel
  /** JSON: how the resident consented to proxy filing (代办). */
  proxyConsent: string | null
  state: ApplicationState
  /** FormData JSON. */
  formData: string
  projectType: string
  legalUnit: TimeUnit
  legalDays: number
  promisedUnit: TimeUnit
  promisedDays: number
  extensionDays: number
  correctionRounds: number
  submittedAt: string | null
  receivedOn: string | null
  acceptedAt: string | null
  acceptedOn: string | null
  deemedAccepted: Flag
  dueOn: string | null
  promisedDueOn: string | null
  paused: Flag
  decidedAt: string | null
  decision: 'approved' | 'refused' | null
  decidedByRule: Flag
  resultKind: string | null
  resultRef: string | null
  deliveryNote: string | null
  completedAt: string | null
  withdrawnAt: string | null
  onlineFull: Flag
  lockVersion: number
  createdAt: string
  updatedAt: string
  /** The item's name when the application was made. */
  itemName: string | null
  /** The applicant's name (the enterprise's, when acting for one) when the application was made. */
  applicantName: string | null
}

export interface ApplicationEventTable {
  id: string
  applicationId: string
  seq: number
  event: string
  fromState: string | null
  toState: string | null
  actorType: string
  actorId: string | null
  actorRole: string | null
  enterpriseId: string | null
  channel: string | null
  reason: string | null
  noticeId: string | null
  taskId: string | null
  details: string | null
  at: string
}

export interface ApplicationMaterialTable {
  id: string
  applicationId: string
  materialCode: string
  kind: 'file' | 'license' | 'deferred'
  fileSha256: string | null
  fileName: string | null
  fileMime: string | null
  fileSize: number | null
  licenseId: string | null
  consentAt: string | null
  deferredUntil: string | null
  /** DOMAIN.md §5: a issued by the agency, b verified by staff, c uploaded by the user, d commitment. */
  trustGrade: 'a' | 'b' | 'c' | 'd'
  current: Flag
  round: number
  createdAt: string
}

export type NoticeKind = 'accept' | 'reject' | 'correction' | 'extension' | 'special_procedure' | 'decision'

export interface NoticeTable {
  id: string
  applicationId: string
  kind: NoticeKind
  number: string
  title: string
  /** NoticeContent JSON. */
  content: string
  departmentId: string
  issuedBy: string | null
  issuedAt: string
}

export interface ApplicationPauseTable {
  id: string
  applicationId: string
  reason: string
  fromAt: string
  toAt: string | null
  noticeId: string | null
  createdBy: string | null
}

export type TaskState = 'waiting' | 'open' | 'claimed' | 'done' | 'returned' | 'cancelled'

export interface TaskTable {
  id: string
  applicationId: string
  stage: number
  taskKey: string
  name: string
  departmentId: string
  role: string
  state: TaskState
  assigneeStaffId: string | null
  outcome: 'agree' | 'disagree' | null
  opinion: string | null
  budgetDays: number
  startedAt: string | null
  dueOn: string | null
  doneAt: string | null
  createdAt: string
}

export interface ThemeCaseTable {
  id: string
  themeCode: string
  applicantPersonId: string
  applicantEnterpriseId: string | null
  answers: string
  createdAt: string
}

export interface ApplicationCounterTable {
  day: string
  lastSeq: number
}

/** Bytes of material files a person stored on a day (Asia/Shanghai), for the upload quota. */
export interface MaterialUploadDayTable {
  personId: string
  day: string
  bytes: number
}

declare module '../../platform/db/schema.js' {
  interface Database {
    applications: ApplicationTable
    applicationEvents: ApplicationEventTable
    applicationMaterials: ApplicationMaterialTable
    notices: NoticeTable
    applicationPauses: ApplicationPauseTable
    tasks: TaskTable
    themeCases: ThemeCaseTable
    applicationCounters: ApplicationCounterTable
    materialUploadDays: MaterialUploadDayTable
  }
}
