/**
 * The life of a rectification (差评整改, "谁办理谁负责") as one table; a step not listed here is
 * refused with RECTIFICATION_INVALID_TRANSITION. See ratings.codes.ts for the picture.
 */
import type { RectificationState } from './ratings.codes.js'

export type RectificationStep =
  | 'callback'
  | 'classify_valid'
  | 'classify_explained'
  | 'appeal'
  | 'reply'
  | 'rate_reply'
  | 'auto_close'
  | 'uphold_appeal'
  | 'reject_appeal'

/** Who takes the step: staff of the handling department, the applicant, a supervisor, or a sweep. */
export type StepActor = 'department' | 'applicant' | 'supervisor' | 'system'

export interface RectificationTransition {
  from: readonly RectificationState[]
  to: RectificationState
  who: StepActor
  /** The action in Chinese, for messages: 不能「答复」 */
  verb: string
  /** Whether the applicant sees this step on their rating page. */
  forApplicant: boolean
}

export const RECTIFICATION_TRANSITIONS: Record<RectificationStep, RectificationTransition> = {
  callback: { from: ['open'], to: 'verified', who: 'department', verb: '登记回访核实', forApplicant: false },
  classify_valid: {
    from: ['verified'],
    to: 'rectifying',
    who: 'department',
    verb: '认定差评属实并整改',
    forApplicant: true,
  },
  classify_explained: {
    from: ['verified'],
    to: 'explained',
    who: 'department',
    verb: '作出解释说明',
    forApplicant: true,
  },
  appeal: { from: ['verified'], to: 'appealed', who: 'department', verb: '提出申诉', forApplicant: false },
  reply: { from: ['rectifying'], to: 'replied', who: 'department', verb: '答复整改情况', forApplicant: true },
  rate_reply: { from: ['replied'], to: 'closed', who: 'applicant', verb: '评价整改结果', forApplicant: true },
  auto_close: { from: ['replied'], to: 'closed', who: 'system', verb: '到期办结', forApplicant: true },
  uphold_appeal: { from: ['appealed'], to: 'closed', who: 'supervisor', verb: '裁定申诉成立', forApplicant: false },
  reject_appeal: {
    from: ['appealed'],
    to: 'rectifying',
    who: 'supervisor',
    verb: '裁定申诉不成立',
    forApplicant: true,
  },
}

export function canTake(state: RectificationState, step: RectificationStep): boolean {
  return (RECTIFICATION_TRANSITIONS[step].from as readonly string[]).includes(state)
}

/** Every event of the log in words (transitions and the steps that keep the state). */
export const EVENT_LABELS: Record<string, string> = {
  open: '收到差评，转办理部门回访核实',
  supplement: '评价人追加补充评价',
  callback: '回访核实',
  classify_valid: '认定差评属实，开始整改',
  classify_explained: '作出解释说明',
  appeal: '认定为误评或恶意差评，提出申诉',
  reply: '答复整改情况',
  rate_reply: '评价人对整改结果作出评价',
  auto_close: '答复后评价人未评价，到期办结',
  uphold_appeal: '督查人员裁定申诉成立，差评不计入统计',
  reject_appeal: '督查人员裁定申诉不成立，退回整改',
  escalate: '整改超期，已上报督查人员',
}

/** States in which the department still has something to do. */
export const DEPARTMENT_TODO: readonly RectificationState[] = ['open', 'verified', 'rectifying']
/** States in which the case is finished for everyone. */
export const FINISHED: readonly RectificationState[] = ['closed', 'explained']
