/**
 * Who is making a request, as every module sees it. The identity module resolves it from the
 * session (or a bearer token) and puts it on `request.principal`; anonymous requests have none.
 */
export type Channel = 'online' | 'window' | 'proxy' | 'kiosk' | 'phone' | 'api'

export interface Principal {
  sessionId: string
  accountId: string
  /** The natural person behind the account (every citizen; staff who are also registered persons). */
  personId?: string
  /** The enterprise the person is acting for, when they switched identity. */
  enterpriseId?: string
  enterpriseName?: string
  /** Set when the account is a staff account. */
  staffId?: string
  departmentId?: string
  servicePointId?: string
  displayName: string
  roles: readonly string[]
  permissions: ReadonlySet<string>
  /** Assurance level of the person's identity: 1 self-registered, 2 checked, 3 in person. */
  assuranceLevel: 1 | 2 | 3
  /** The session's idle timeout, so pages can warn before it ends. */
  sessionIdleMs?: number
  /** Staff whose password is older than 90 days may do nothing but change it. */
  mustChangePassword?: boolean
}

/** The actor recorded on every business action (MODEL.md: who). */
export interface Actor {
  personId?: string
  enterpriseId?: string
  staffId?: string
  channel: Channel
}

export function actorOf(principal: Principal | undefined, channel: Channel = 'online'): Actor {
  return {
    personId: principal?.personId,
    enterpriseId: principal?.enterpriseId,
    staffId: principal?.staffId,
    channel,
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal
  }
}
