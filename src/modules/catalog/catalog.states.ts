/**
 * The life cycle of an item version as a table (MODEL.md): who may move it from which state to
 * which. Anything not listed is refused with ITEM_INVALID_TRANSITION.
 *
 *   draft ─submit─► in_review ─approve─► published ─(a newer version is approved)─► superseded
 *     ▲                 │                    │
 *     └──── reject ─────┘                    └─withdraw─► withdrawn
 */
import type { ItemVersionState } from './catalog.tables.js'

export type ItemEvent = 'edit' | 'submit' | 'approve' | 'reject' | 'supersede' | 'withdraw'

export interface Transition {
  from: readonly ItemVersionState[]
  to: ItemVersionState
  /** The permission the actor needs (the department check is separate). */
  permission: 'catalog.edit' | 'catalog.review' | 'system'
  /** How the action is named in messages: 不能「提交审核」 */
  verb: string
}

export const ITEM_TRANSITIONS: Record<ItemEvent, Transition> = {
  edit: { from: ['draft'], to: 'draft', permission: 'catalog.edit', verb: '修改' },
  submit: { from: ['draft'], to: 'in_review', permission: 'catalog.edit', verb: '提交审核' },
  approve: { from: ['in_review'], to: 'published', permission: 'catalog.review', verb: '审核通过' },
  reject: { from: ['in_review'], to: 'draft', permission: 'catalog.review', verb: '退回修改' },
  supersede: { from: ['published'], to: 'superseded', permission: 'system', verb: '替换' },
  withdraw: { from: ['published'], to: 'withdrawn', permission: 'catalog.review', verb: '撤销' },
}

export function canMove(state: ItemVersionState, event: ItemEvent): boolean {
  return (ITEM_TRANSITIONS[event].from as readonly string[]).includes(state)
}
