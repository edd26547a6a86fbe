/**
 * The life of an application (办件) as one table (MODEL.md; ARCHITECTURE.md §5). A transition
 * not listed here is refused with APPLICATION_INVALID_TRANSITION.
 *
 * draft ─submit─► submitted ─accept/deem_accept─► accepted ─start─► in_process ─approve─► approved ─deliver─► completed
 *                   │  ▲                                                   └─refuse──► refused ─close───► completed
 *                   │  └─resubmit── correction_requested (one notice, 行政许可法 §32)
 *                   └─reject─► not_accepted
 * withdraw: from submitted / correction_requested / accepted / in_process ─► withdrawn
 */
import type { ApplicationState } from './applications.tables.js'

export type ApplicationEvent =
  | 'submit'
  | 'request_correction'
  | 'resubmit'
  | 'reject'
  | 'accept'
  | 'deem_accept'
  | 'start'
  | 'approve'
  | 'refuse'
  | 'deliver'
  | 'close'
  | 'withdraw'

/** Who may cause it: the applicant (or who files for them), staff with a permission, or the platform. */
export type Mover = 'applicant' | 'system' | `permission:${string}`

export interface ApplicationTransition {
  from: readonly ApplicationState[]
  to: ApplicationState
  who: readonly Mover[]
  /** The action in Chinese, for messages: 不能「受理」 */
  verb: string
}

export const APPLICATION_TRANSITIONS: Record<ApplicationEvent, ApplicationTransition> = {
  submit: {
    from: ['draft'],
    to: 'submitted',
    who: ['applicant', 'permission:applications.file_for_walk_in', 'permission:applications.file_by_proxy'],
    verb: '提交',
  },
  request_correction: {
    from: ['submitted'],
    to: 'correction_requested',
    who: ['permission:applications.accept'],
    verb: '一次性告知补正',
  },
  resubmit: {
    from: ['correction_requested'],
    to: 'submitted',
    who: ['applicant', 'permission:applications.file_for_walk_in', 'permission:applications.file_by_proxy'],
    verb: '提交补正材料',
  },
  reject: { from: ['submitted'], to: 'not_accepted', who: ['permission:applications.accept'], verb: '不予受理' },
  accept: { from: ['submitted'], to: 'accepted', who: ['permission:applications.accept', 'system'], verb: '受理' },
  deem_accept: { from: ['submitted'], to: 'accepted', who: ['system'], verb: '视为受理' },
  start: { from: ['accepted'], to: 'in_process', who: ['system'], verb: '开始办理' },
  approve: {
    from: ['in_process'],
    to: 'approved',
    who: ['permission:applications.decide', 'system'],
    verb: '作出准予决定',
  },
  refuse: { from: ['in_process'], to: 'refused', who: ['permission:applications.decide'], verb: '作出不予许可决定' },
  deliver: {
    from: ['approved'],
    to: 'completed',
    who: ['permission:applications.decide', 'permission:applications.accept', 'system'],
    verb: '送达办结',
  },
  close: { from: ['refused'], to: 'completed', who: ['permission:applications.decide', 'system'], verb: '办结' },
  withdraw: {
    from: ['submitted', 'correction_requested', 'accepted', 'in_process'],
    to: 'withdrawn',
    who: ['applicant'],
    verb: '撤回',
  },
}

export const STATE_NAMES: Record<ApplicationState, string> = {
  draft: '草稿',
  submitted: '已提交，待受理',
  correction_requested: '待补正材料',
  not_accepted: '不予受理',
  accepted: '已受理',
  in_process: '办理中',
  approved: '已准予，待送达',
  refused: '不予许可',
  completed: '已办结',
  withdrawn: '已撤回',
}

export const TERMINAL_STATES: readonly ApplicationState[] = ['not_accepted', 'completed', 'withdrawn']

export function canTransition(state: ApplicationState, event: ApplicationEvent): boolean {
  return (APPLICATION_TRANSITIONS[event].from as readonly string[]).includes(state)
}
