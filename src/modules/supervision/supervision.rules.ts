/**
 * The rules that raise warning cards (电子监察 黄牌 / 红牌, DOMAIN.md §4), in words. Thresholds are
 * configuration (supervision.settings.ts); what each rule watches is here and in the sweep.
 */
import type { CardLevel, CardSubjectType } from './supervision.tables.js'

export type RuleCode =
  | 'promised_deadline'
  | 'legal_deadline'
  | 'task_deadline'
  | 'pre_review'
  | 'refusal_without_reason'
  | 'rectification_deadline'

export interface RuleInfo {
  name: string
  subject: CardSubjectType
  /** Which levels the rule raises. */
  levels: readonly CardLevel[]
  /** The basis, shown on the card. */
  basis: string
}

export const RULES: Record<RuleCode, RuleInfo> = {
  promised_deadline: {
    name: '承诺办结时限',
    subject: 'application',
    levels: ['yellow', 'red'],
    basis: '承诺时限到期前一个工作日黄牌提醒，超过承诺时限红牌',
  },
  legal_deadline: {
    name: '法定办结时限',
    subject: 'application',
    levels: ['yellow', 'red'],
    basis: '《行政许可法》第四十二条：法定期限到期前一个工作日黄牌提醒，超期红牌',
  },
  task_deadline: {
    name: '办理环节时限',
    subject: 'task',
    levels: ['yellow', 'red'],
    basis: '办理环节超过本环节时限',
  },
  pre_review: {
    name: '受理审查时限',
    subject: 'application',
    levels: ['yellow', 'red'],
    basis: '《行政许可法》第三十二条：五日内一次性告知补正，逾期自收到材料之日起即为受理',
  },
  refusal_without_reason: {
    name: '不予受理或不予许可未说明理由',
    subject: 'application',
    levels: ['red'],
    basis: '《行政许可法》第三十二条、第三十八条：不予受理、不予许可应当说明理由',
  },
  rectification_deadline: {
    name: '差评整改时限',
    subject: 'rectification',
    levels: ['yellow', 'red'],
    basis: '政务服务"好差评"：差评应在规定期限内整改并反馈',
  },
}

export const RULE_CODES = Object.keys(RULES) as RuleCode[]

export function ruleName(code: string): string {
  return (RULES as Record<string, RuleInfo | undefined>)[code]?.name ?? code
}

export const LEVEL_NAMES: Record<CardLevel, string> = { yellow: '黄牌', red: '红牌' }

/** Why a card was resolved (the subject finished; the card is kept). */
export const RESOLUTIONS: Record<string, string> = {
  concluded: '办件已办结',
  decided: '已作出决定',
  withdrawn: '申请人已撤回',
  not_accepted: '已作出不予受理决定',
  pre_review_done: '已受理或已告知补正',
  task_done: '办理环节已完成',
  task_closed: '办理环节已退回或取消',
  rectified: '整改已完成',
  finished: '事项已结束',
}
