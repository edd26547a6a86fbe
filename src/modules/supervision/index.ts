/**
 * 效能监管 (电子监察, DOMAIN.md §4; the district plan's task 9 在线监管 and task 26 绩效考核): warning
 * cards from the legal clock, rectification deadlines and refusals without reasons; statistics
 * per department, item, service point, channel and period; the supervisors' dashboard with
 * server-rendered charts; monthly and quarterly performance reports (Excel, PDF); and the public
 * efficiency figures shown on 好差评公示.
 *
 * Reads applications, identity and ratings only through their index.
 */

import { todayInShanghai } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import type { AppModule } from '../../platform/module.js'
import { PublicStatisticsSection } from './supervision.pages.js'
import { type RatingsFacts, ratingsModuleFacts } from './supervision.ratings.js'
import { registerSupervisionRoutes } from './supervision.routes.js'
import { CARD_HANDLERS } from './supervision.service.js'
import { loadSettings } from './supervision.settings.js'
import { computeStatistics } from './supervision.stats.js'
import { refreshSummary } from './supervision.summary.js'
import { runWarningSweep } from './supervision.sweep.js'

export { ratingsModuleFacts } from './supervision.ratings.js'
export { acknowledgeCard } from './supervision.service.js'
export { computeStatistics, type Statistics } from './supervision.stats.js'
export { type RefreshProgress, refreshSummary, summaryState } from './supervision.summary.js'
export { runWarningSweep } from './supervision.sweep.js'

/**
 * The efficiency figures the plan makes public (在线监管全流程公开, 投诉举报办理除外): per department
 * received, completed, online rate, days used, overdue and correction rates. For 好差评公示.
 */
export async function publicStatisticsSection(deps: Deps, period: { from?: string; to?: string }) {
  const today = todayInShanghai(deps.clock.now())
  const from = period.from ?? `${today.slice(0, 4)}-01-01`
  const to = period.to ?? today
  if (to < from) return null
  const [stats, settings] = await Promise.all([
    computeStatistics(deps, { from, to, by: 'department' }),
    loadSettings(deps.db),
  ])
  const target = [...settings.onlineTargets].reverse().find((t) => t.by <= to) ?? settings.onlineTargets[0]!
  return PublicStatisticsSection({ stats, target })
}

/** Days of history the summary sweep builds a round (a year's backlog: twelve rounds, an hour). */
const SUMMARY_DAYS_PER_ROUND = 31

export function createSupervisionModule(deps: Deps, options: { ratings?: RatingsFacts } = {}): AppModule {
  const ratings = options.ratings ?? ratingsModuleFacts
  return {
    name: 'supervision',
    nav: [
      {
        href: '/supervision',
        label: '效能监管',
        order: 60,
        visible: (p) => Boolean(p?.permissions.has('supervision.read')),
      },
      {
        href: '/supervision/cards',
        label: '预警牌',
        order: 44,
        visible: (p) =>
          Boolean(
            p?.staffId && !p.permissions.has('supervision.read') && CARD_HANDLERS.some((x) => p.permissions.has(x)),
          ),
      },
    ],
    register: (app) => {
      registerSupervisionRoutes(app, deps, ratings)
    },
    sweeps: [
      {
        // 电子监察: yellow and red cards; safe on several nodes (one card per subject, rule, level).
        name: 'supervision.warnings',
        everyMs: 5 * 60_000,
        run: async () => {
          await runWarningSweep(deps, { ratings })
        },
      },
      {
        // The daily summary of the statistics: yesterday once it has ended, and the days changed
        // since the last refresh (supervision.summary.ts); one node at a time under a lease. Every five
        // minutes: a busy day's changes touch a dozen past days, each rebuilt in a fraction of a second.
        name: 'supervision.summary',
        everyMs: 5 * 60_000,
        run: async () => {
          await refreshSummary(deps, { ratings, maxDays: SUMMARY_DAYS_PER_ROUND })
        },
      },
    ],
  }
}
