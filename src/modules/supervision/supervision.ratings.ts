/**
 * The seam to the ratings module (政务服务"好差评", modules/ratings): supervision reads ratings and
 * rectifications only through these two functions. `ratingsModuleFacts` reads them from the
 * ratings module's index (`ratingFacts`, `rectificationFacts`); tests may pass stand-ins. Without
 * them the rating parts of the statistics read "not available" and the sweep raises no
 * rectification cards.
 */
import { addCalendarDays } from '../../platform/calendar/index.js'
import type { DbOrTrx } from '../../platform/db/database.js'
import { ratingCounts, ratingFacts, ratingTimesChangedSince, rectificationFacts } from '../ratings/index.js'

export interface FactsQuery {
  /** Asia/Shanghai days, both included. */
  from: string
  to: string
  departmentId?: string
}

/** One rating (一事一评 or 一次一评). Level 5 非常满意 … 1 非常不满意; 1 and 2 are bad ratings (差评). */
export interface RatingFact {
  id: string
  applicationId: string
  departmentId: string
  itemId?: string | null
  level: number
  ratedAt: string
  /** Given by the 7-day default (nobody rated). */
  isDefault?: boolean | number
  /** Taken out of the statistics (an upheld appeal). */
  excluded?: boolean | number
  /** How many ratings the row stands for (counted rows of `ratingCounts`); 1 when absent. */
  count?: number
}

/** The handling of a bad rating (差评整改). */
export interface RectificationFact {
  id: string
  ratingId: string
  applicationId?: string | null
  departmentId: string
  itemId?: string | null
  /** open / verified / rectifying / replied / closed / explained / appealed. */
  state: string
  openedAt: string
  /** The last day to rectify, when set. */
  deadlineOn?: string | null
  /** When the department answered (整改答复 or 说明); null while still open. */
  repliedAt?: string | null
  explainedAt?: string | null
  closedAt?: string | null
  excluded?: boolean | number
}

export interface RatingsFacts {
  /** Ratings given in the period (rated_at). */
  ratingFacts(db: DbOrTrx, query: FactsQuery): Promise<RatingFact[]>
  /** Rectifications opened in the period, and those still open whatever their age. */
  rectificationFacts(db: DbOrTrx, query: FactsQuery): Promise<RectificationFact[]>
  /**
   * Optional: the ratings of the period counted per department, item, level, default and
   * exclusion (rows with `count`; id, applicationId and ratedAt are not meaningful).
   */
  ratingCounts?(db: DbOrTrx, query: FactsQuery): Promise<RatingFact[]>
  /**
   * Optional: when the ratings that changed since an instant were given (new ones, and those
   * whose rectification changed). Without it the daily summary rebuilds the ratings of the last
   * days the refresh covers only.
   */
  changedSince?(db: DbOrTrx, since: string): Promise<string[]>
}

const flag = (v: boolean | number | null | undefined) => v === true || v === 1

export const isExcluded = (f: { excluded?: boolean | number }) => flag(f.excluded)
export const isDefaultRating = (f: RatingFact) => flag(f.isDefault)

/** When the department answered a rectification (reply or explanation), if it has. */
export function answeredAt(f: RectificationFact): string | null {
  return f.repliedAt ?? f.explainedAt ?? null
}

/** States in which the department still owes an answer. */
export const OPEN_RECTIFICATION_STATES: ReadonlySet<string> = new Set(['open', 'verified', 'rectifying'])

/** The Shanghai day as the instant it starts. */
const dayStart = (day: string) => new Date(`${day}T00:00:00+08:00`).toISOString()
const periodOf = (q: FactsQuery) => ({
  from: dayStart(q.from),
  to: dayStart(addCalendarDays(q.to, 1)),
  departmentId: q.departmentId,
})

/** The facts as the ratings module keeps them. */
export const ratingsModuleFacts: RatingsFacts = {
  async ratingFacts(db, query) {
    const rows = await ratingFacts(db, periodOf(query))
    return rows.map((r) => ({
      id: r.ratingId,
      applicationId: r.applicationId,
      departmentId: r.departmentId,
      itemId: r.itemId,
      level: r.level,
      ratedAt: r.ratedAt,
      isDefault: r.isDefault,
      excluded: r.excluded,
    }))
  },
  async ratingCounts(db, query) {
    const rows = await ratingCounts(db, periodOf(query))
    return rows.map((r) => ({
      id: '',
      applicationId: '',
      departmentId: r.departmentId,
      itemId: r.itemId,
      level: r.level,
      ratedAt: '',
      isDefault: r.isDefault,
      excluded: r.excluded,
      count: r.count,
    }))
  },
  changedSince: (db, since) => ratingTimesChangedSince(db, since),
  async rectificationFacts(db, query) {
    const rows = await rectificationFacts(db, periodOf(query))
    return rows.map((r) => ({
      id: r.rectificationId,
      ratingId: r.ratingId,
      applicationId: r.applicationId,
      departmentId: r.departmentId,
      itemId: r.itemId,
      state: r.state,
      openedAt: r.openedAt,
      deadlineOn: r.deadlineOn,
      repliedAt: r.repliedAt,
      explainedAt: r.explainedAt,
      closedAt: r.closedAt,
      excluded: r.excluded,
    }))
  },
}
