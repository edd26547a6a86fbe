/**
 * What other modules (ratings, supervision) may know of an application: a few facts by id or by
 * 办件编号, whether a principal is its applicant, and which applications finished when. Read-only;
 * the rows stay this module's.
 */
import type { Principal } from '../../platform/auth/principal.js'
import type { DbOrTrx } from '../../platform/db/database.js'
import { normaliseApplicationNo } from './applications.numbers.js'
import { STATE_NAMES } from './applications.states.js'
import type { ApplicationChannel, ApplicationState } from './applications.tables.js'

export { formatApplicationNo } from './applications.numbers.js'

/** The states in which an application is finished: 办结 (approved or refused) or 不予受理. */
export const FINISHED_STATES: readonly ApplicationState[] = ['completed', 'not_accepted']
/** The events that finish an application (applications.states.ts): deliver, close (after refuse), reject. */
const FINISH_EVENTS = ['deliver', 'close', 'reject'] as const

export interface ApplicationFacts {
  id: string
  applicationNo: string | null
  itemId: string
  itemName: string
  departmentId: string
  state: ApplicationState
  stateName: string
  channel: ApplicationChannel
  applicantPersonId: string
  applicantEnterpriseId: string | null
  /** The applicant's name (the enterprise's when made for one) when the application was made. */
  applicantName: string
  submittedAt: string | null
  /** When it finished (the finishing event), or null while it is not finished. */
  finishedAt: string | null
}

const COLUMNS = [
  'id',
  'applicationNo',
  'itemId',
  'itemName',
  'departmentId',
  'state',
  'channel',
  'applicantPersonId',
  'applicantEnterpriseId',
  'applicantName',
  'submittedAt',
] as const

async function finishTimes(db: DbOrTrx, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('applicationEvents')
    .select(['applicationId', 'at'])
    .where('applicationId', 'in', ids)
    .where('event', 'in', FINISH_EVENTS)
    .execute()
  const out = new Map<string, string>()
  for (const r of rows) {
    const seen = out.get(r.applicationId)
    if (!seen || seen < r.at) out.set(r.applicationId, r.at)
  }
  return out
}

/** Facts of applications by id (drafts included; callers decide). Unknown ids are left out. */
export async function applicationFactsByIds(db: DbOrTrx, ids: string[]): Promise<Map<string, ApplicationFacts>> {
  const unique = [...new Set(ids)].filter(Boolean)
  if (unique.length === 0) return new Map()
  const rows = await db.selectFrom('applications').select(COLUMNS).where('id', 'in', unique).execute()
  const finished = await finishTimes(
    db,
    rows.filter((r) => FINISHED_STATES.includes(r.state)).map((r) => r.id),
  )
  return new Map(
    rows.map((r) => [
      r.id,
      {
        ...r,
        itemName: r.itemName ?? '',
        applicantName: r.applicantName ?? '',
        stateName: STATE_NAMES[r.state],
        finishedAt: finished.get(r.id) ?? null,
      },
    ]),
  )
}

export async function findApplicationFacts(db: DbOrTrx, id: string): Promise<ApplicationFacts | undefined> {
  return (await applicationFactsByIds(db, [id])).get(id)
}

/** By 办件编号 as people type it (with or without dashes). */
export async function findApplicationFactsByNo(db: DbOrTrx, rawNo: string): Promise<ApplicationFacts | undefined> {
  const no = normaliseApplicationNo(rawNo)
  if (!no) return undefined
  const row = await db.selectFrom('applications').select('id').where('applicationNo', '=', no).executeTakeFirst()
  return row ? findApplicationFacts(db, row.id) : undefined
}

/** The applicant (or the enterprise they act for) of the application, as the case page decides it. */
export function isApplicantOfFacts(
  principal: Principal,
  app: Pick<ApplicationFacts, 'applicantPersonId' | 'applicantEnterpriseId'>,
): boolean {
  if (principal.staffId || !principal.personId) return false
  if (app.applicantEnterpriseId) return principal.enterpriseId === app.applicantEnterpriseId
  return app.applicantPersonId === principal.personId && !principal.enterpriseId
}

export interface FinishedApplication {
  applicationId: string
  finishedAt: string
}

/**
 * Applications that finished up to `until` (inclusive), after the position `after` (exclusive;
 * from the beginning when omitted), oldest first: a keyset over the finishing events, backed by
 * application_events (event, at).
 */
export async function listFinishedApplications(
  db: DbOrTrx,
  options: { after?: { at: string; applicationId: string }; until: string; limit: number },
): Promise<FinishedApplication[]> {
  let query = db
    .selectFrom('applicationEvents')
    .select(['applicationId', 'at as finishedAt'])
    .where('event', 'in', FINISH_EVENTS)
    .where('at', '<=', options.until)
  const after = options.after
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('at', '>', after.at),
        eb.and([eb('at', '=', after.at), eb('applicationId', '>', after.applicationId)]),
      ]),
    )
  }
  return query.orderBy('at').orderBy('applicationId').limit(options.limit).execute()
}
