import type { ColumnType } from 'kysely'

export type AuditActorType = 'person' | 'staff' | 'system' | 'anonymous'
export type AuditOutcome = 'success' | 'failure' | 'denied'

/**
 * One entry of the audit trail (append-only; UPDATE and DELETE are refused by triggers).
 * `seq` is given by appendAudit (head.last_seq + 1), never by the database.
 */
export interface AuditLogTable {
  seq: number
  id: string
  /** ISO-8601 UTC, milliseconds. */
  at: string
  actorType: AuditActorType
  actorId: string | null
  enterpriseId: string | null
  role: string | null
  /** `<object>.<verb>`, e.g. `application.accept`. */
  action: string
  objectType: string | null
  objectId: string | null
  outcome: AuditOutcome
  sourceIp: string | null
  requestId: string | null
  /** Canonical JSON text (sorted keys); never personal data. */
  details: string
  prevHash: string
  hash: string
}

/** The single row (id = 1) recording the last entry of the chain. */
export interface AuditChainHeadTable {
  id: ColumnType<number, 1, never>
  lastSeq: number
  lastHash: string
}

declare module '../db/schema.js' {
  interface Database {
    auditLog: AuditLogTable
    auditChainHead: AuditChainHeadTable
  }
}
