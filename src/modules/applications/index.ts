/**
 * Online application and approval (网上申办与审批): forms, materials, one-time correction
 * notices, acceptance, parallel processing under the legal clock, decisions and delivery.
 */
import type { Deps } from '../../platform/deps.js'
import type { AppModule } from '../../platform/module.js'
import { registerApplyRoutes } from './applications.apply.routes.js'
import { registerCounterRoutes } from './applications.counter.routes.js'
import { registerMyRoutes } from './applications.my.routes.js'
import { deemAcceptOverdue } from './applications.service.js'
import { registerSubmitApiRoutes } from './applications.submit-api.routes.js'
import { registerThemeApplyRoutes } from './applications.theme-apply.routes.js'
import { pruneUploadDays } from './applications.uploads.js'
import { registerWorkbenchRoutes } from './applications.workbench.routes.js'

export {
  type ApplicationFacts,
  applicationFactsByIds,
  FINISHED_STATES,
  type FinishedApplication,
  findApplicationFacts,
  findApplicationFactsByNo,
  formatApplicationNo,
  isApplicantOfFacts,
  listFinishedApplications,
} from './applications.facts.js'
export { instantRuleFor } from './applications.instant.js'
export {
  type ApplicationCountsRow,
  type ApplicationDimensions,
  applicationCounts,
  applicationDailyCounts,
  applicationDaysChangedSince,
  applicationDimensions,
  applicationDurations,
  type CorrectionMaterialCount,
  type CorrectionMaterialRow,
  cellOf,
  correctionMaterialCells,
  correctionMaterialCounts,
  type DailyCountsRow,
  type DurationBucket,
  firstSubmissionDay,
  listCaseEventsSince,
  listOpenDeadlines,
  listOpenTaskDeadlines,
  listPendingPreReviews,
  listSupervisionCases,
  nameCorrectionMaterials,
  periodInstants,
  type SubjectProgress,
  type SupervisionCaseRow,
  type SupervisionCell,
  type SupervisionDimension,
  type SupervisionFilter,
  type SupervisionGrouping,
  subjectProgress,
  supervisionCaseView,
  type WatchedApplication,
  type WatchedEvent,
  type WatchedTask,
} from './applications.read.js'
export { STATE_NAMES } from './applications.states.js'
export type { ApplicationState, ApplicationTable } from './applications.tables.js'

export function createApplicationsModule(deps: Deps): AppModule {
  return {
    name: 'applications',
    nav: [
      { href: '/my/applications', label: '我的办件', order: 30, visible: (p) => Boolean(p?.personId && !p.staffId) },
      { href: '/progress', label: '进度查询', order: 35, visible: (p) => !p?.staffId },
      {
        href: '/workbench',
        label: '工作台',
        order: 40,
        visible: (p) => Boolean(p?.permissions.has('tasks.handle') || p?.permissions.has('applications.accept')),
      },
      {
        href: '/counter',
        label: '代办',
        order: 41,
        visible: (p) =>
          Boolean(
            p?.permissions.has('applications.file_for_walk_in') || p?.permissions.has('applications.file_by_proxy'),
          ),
      },
    ],
    register: (app) => {
      registerApplyRoutes(app, deps)
      registerSubmitApiRoutes(app, deps)
      registerThemeApplyRoutes(app, deps)
      registerMyRoutes(app, deps)
      registerWorkbenchRoutes(app, deps)
      registerCounterRoutes(app, deps)
    },
    sweeps: [
      {
        // 行政许可法 §32: unanswered for 5 working days ⇒ accepted on the day of receipt.
        name: 'applications.deemed_acceptance',
        everyMs: 10 * 60_000,
        run: async () => {
          await deemAcceptOverdue(deps)
        },
      },
      {
        // The upload quota counts only today; older counts are not kept past a week.
        name: 'applications.upload_days_prune',
        everyMs: 6 * 60 * 60_000,
        run: async () => {
          await pruneUploadDays(deps)
        },
      },
    ],
  }
}
