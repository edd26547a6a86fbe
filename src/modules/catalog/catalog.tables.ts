import type { Flag } from '../../platform/db/schema.js'

export type ItemVersionState = 'draft' | 'in_review' | 'published' | 'superseded' | 'withdrawn'

export interface ItemTable {
  id: string
  departmentId: string
  catalogCode: string
  taskCode: string
  taskHandleItem: string | null
  currentVersionId: string | null
  withdrawnAt: string | null
  createdBy: string | null
  createdAt: string
  updatedAt: string
}

export interface ItemVersionTable {
  id: string
  itemId: string
  version: number
  state: ItemVersionState
  /** ItemElements as JSON text. */
  elements: string
  taskName: string
  taskType: string
  projectType: string
  onlineDepth: number
  forPersons: Flag
  forEnterprises: Flag
  changeNote: string | null
  effectiveFrom: string | null
  createdBy: string | null
  createdAt: string
  updatedAt: string
  submittedBy: string | null
  submittedAt: string | null
  reviewedBy: string | null
  reviewedAt: string | null
  reviewComment: string | null
  publishedAt: string | null
  supersededAt: string | null
  withdrawnAt: string | null
  withdrawnReason: string | null
  /** FormDefinition JSON for this version, when not the default form. */
  formDefinition: string | null
  /** ProcessDefinition JSON for this version, when not the default process. */
  processDefinition: string | null
}

export interface ThemeTable {
  id: string
  code: string
  name: string
  summary: string
  /** ThemeDefinition as JSON text. */
  definition: string
  state: 'draft' | 'published' | 'withdrawn'
  sortOrder: number
  updatedBy: string | null
  updatedAt: string
}

declare module '../../platform/db/schema.js' {
  interface Database {
    items: ItemTable
    itemVersions: ItemVersionTable
    themes: ThemeTable
  }
}
