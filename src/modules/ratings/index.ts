/**
 * 政务服务"好差评" (DOMAIN.md §3; the district plan's tasks 4 and 9: 满意度评价, 在线监管): ratings of
 * finished applications (一事一评) and of counter visits (一次一评, the window's 评价器), the 7-day
 * default, bad-rating handling (差评整改: 回访核实, deadlines, replies, appeals decided by
 * supervisors, escalation when overdue), the public page (好差评公示) and the data exchange.
 *
 * Supervision reads the raw facts through `ratingFacts` and `rectificationFacts`.
 */
import type { Deps } from '../../platform/deps.js'
import type { AppModule } from '../../platform/module.js'
import { registerRatingMyRoutes } from './ratings.my.routes.js'
import { type PublicExtra, registerRatingPublicRoutes } from './ratings.public.routes.js'
import { closeUnansweredReplies, escalateOverdue } from './ratings.rectification.service.js'
import { applyDefaultRatings } from './ratings.service.js'
import { DEPARTMENT_STAFF, registerRatingStaffRoutes } from './ratings.staff.routes.js'
import { registerRatingWindowRoutes, WINDOW_STAFF } from './ratings.window.routes.js'

export {
  CHANNEL_NAMES as RATING_CHANNEL_NAMES,
  INDICATOR_NAMES,
  isBadLevel,
  isSatisfiedLevel,
  LEVEL_NAMES as RATING_LEVEL_NAMES,
  OUTCOME_NAMES,
  type RatingChannel,
  type RatingLevel,
  REASONS as RATING_REASONS,
  RECTIFICATION_STATE_NAMES,
  type ReasonCode,
  type RectificationOutcome,
  type RectificationState,
  type Severity,
} from './ratings.codes.js'
export { EXCHANGE_FIELDS, exportRatings } from './ratings.exchange.js'
export {
  type FactPeriod,
  publicSummary,
  type RatingCount,
  type RatingFact,
  type RectificationFact,
  ratingCounts,
  ratingFacts,
  ratingTimesChangedSince,
  rectificationFacts,
} from './ratings.read.js'
export { closeUnansweredReplies, escalateOverdue } from './ratings.rectification.service.js'
export { applyDefaultRatings } from './ratings.service.js'
export { loadRatingSettings, RATING_SETTING_DEFAULTS, type RatingSettings } from './ratings.settings.js'

export interface RatingsModuleOptions {
  /** More public figures for 好差评公示 (supervision's efficiency figures, wired in composition.ts). */
  publicExtra?: PublicExtra
}

export function createRatingsModule(deps: Deps, options: RatingsModuleOptions = {}): AppModule {
  return {
    name: 'ratings',
    nav: [
      { href: '/ratings/public', label: '好差评', order: 50, visible: (p) => !p?.staffId },
      {
        href: '/ratings/rectifications',
        label: '差评整改',
        order: 42,
        visible: (p) => Boolean(p?.staffId && DEPARTMENT_STAFF.some((x) => p.permissions.has(x))),
      },
      {
        href: '/ratings/window',
        label: '评价器',
        order: 43,
        visible: (p) => Boolean(p?.staffId && WINDOW_STAFF.some((x) => p.permissions.has(x))),
      },
      {
        href: '/supervision/ratings',
        label: '好差评督办',
        order: 61,
        visible: (p) => Boolean(p?.permissions.has('supervision.read')),
      },
    ],
    register: (app) => {
      registerRatingMyRoutes(app, deps)
      registerRatingStaffRoutes(app, deps)
      registerRatingWindowRoutes(app, deps)
      registerRatingPublicRoutes(app, deps, options.publicExtra)
    },
    sweeps: [
      {
        // Guangdong: no rating within 7 natural days ⇒ 基本满意 (settings).
        name: 'ratings.default',
        everyMs: 10 * 60_000,
        run: async () => {
          await applyDefaultRatings(deps)
        },
      },
      {
        name: 'ratings.overdue',
        everyMs: 10 * 60_000,
        run: async () => {
          await escalateOverdue(deps)
        },
      },
      {
        name: 'ratings.close_replies',
        everyMs: 30 * 60_000,
        run: async () => {
          await closeUnansweredReplies(deps)
        },
      },
    ],
  }
}
