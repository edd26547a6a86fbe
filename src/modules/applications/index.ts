/**
 * Online application and approval (网上申办与审批): forms, materials, one-time correction
 * notices, acceptance, parallel processing under the legal clock, decisions and delivery.
 */
import type { Deps } from '../../platform/deps.js'
import type { AppModule } from '../../platform/module.js'
import { deemAcceptOverdue } from './applications.service.js'

export { STATE_NAMES } from './applications.states.js'
export type { ApplicationState, ApplicationTable } from './applications.tables.js'

export function createApplicationsModule(deps: Deps): AppModule {
  return {
    name: 'applications',
    register: () => {},
    sweeps: [
      {
        // 行政许可法 §32: unanswered for 5 working days ⇒ accepted on the day of receipt.
        name: 'applications.deemed_acceptance',
        everyMs: 10 * 60_000,
        run: async () => {
          await deemAcceptOverdue(deps)
        },
      },
    ],
  }
}
