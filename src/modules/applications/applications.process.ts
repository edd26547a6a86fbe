/**
 * Process definitions (data, not code): stages in order; a stage has one or more tasks for a
 * department and role, each with a time budget in working days, and a join rule (all, any, or
 * k of n). One task per stage is a sequential flow; several tasks in a stage is 并联审批.
 * The last stage's outcome is the decision.
 */
import { type Static, Type } from 'typebox'

export const TaskDef = Type.Object({
  key: Type.String({ pattern: '^[a-z0-9_]{1,40}$' }),
  name: Type.String({ minLength: 1, maxLength: 40 }),
  /** 'owner' = the item's department; otherwise a department code (e.g. 'wjj'). */
  department: Type.String({ pattern: '^[a-z0-9_]{1,20}$' }),
  role: Type.Union([Type.Literal('window_clerk'), Type.Literal('reviewer'), Type.Literal('approver')]),
  budgetDays: Type.Integer({ minimum: 0, maximum: 60 }),
})
export type TaskDef = Static<typeof TaskDef>

export const Join = Type.Union([
  Type.Literal('all'),
  Type.Literal('any'),
  Type.Object({ k: Type.Integer({ minimum: 1 }) }),
])
export type Join = Static<typeof Join>

export const StageDef = Type.Object({
  key: Type.String({ pattern: '^[a-z0-9_]{1,40}$' }),
  name: Type.String({ minLength: 1, maxLength: 40 }),
  join: Join,
  tasks: Type.Array(TaskDef, { minItems: 1, maxItems: 10 }),
})
export type StageDef = Static<typeof StageDef>

export const ProcessDefinition = Type.Object({
  stages: Type.Array(StageDef, { minItems: 1, maxItems: 10 }),
})
export type ProcessDefinition = Static<typeof ProcessDefinition>

/** How many agreeing tasks a stage needs to pass. */
export function required(join: Join, taskCount: number): number {
  if (join === 'all') return taskCount
  if (join === 'any') return 1
  return Math.min(join.k, taskCount)
}

/**
 * The verdict of a stage from its tasks' outcomes: 'passed' once enough agree, 'failed' once too
 * many disagree for it ever to pass, otherwise 'pending'.
 */
export function stageVerdict(join: Join, outcomes: ('agree' | 'disagree' | null)[]): 'passed' | 'failed' | 'pending' {
  const need = required(join, outcomes.length)
  const agree = outcomes.filter((o) => o === 'agree').length
  const disagree = outcomes.filter((o) => o === 'disagree').length
  if (agree >= need) return 'passed'
  if (outcomes.length - disagree < need) return 'failed'
  return 'pending'
}

/**
 * The process when an item version defines none, from its 办件类型 and 联办机构:
 * - 即办件: the window handles and decides on the spot;
 * - 联办件: the owning department and every joint department review in parallel (all must agree),
 *   then the owner's leader decides;
 * - otherwise: review, then the leader's decision.
 * Budgets split the promised days (at least one day each).
 */
export function defaultProcess(
  projectType: string,
  promisedDays: number,
  jointDepartments: string[],
): ProcessDefinition {
  if (projectType === '即办件') {
    return {
      stages: [
        {
          key: 'handle',
          name: '受理即办',
          join: 'all',
          tasks: [{ key: 'handle', name: '窗口办理', department: 'owner', role: 'window_clerk', budgetDays: 0 }],
        },
      ],
    }
  }
  const reviewDays = Math.max(1, Math.floor(promisedDays * 0.6))
  const decideDays = Math.max(1, promisedDays - reviewDays)
  const review: StageDef =
    projectType === '联办件' && jointDepartments.length > 0
      ? {
          key: 'joint_review',
          name: '并联审查',
          join: 'all',
          tasks: [
            { key: 'review_owner', name: '审查', department: 'owner', role: 'reviewer', budgetDays: reviewDays },
            ...jointDepartments.map((code) => ({
              key: `review_${code}`,
              name: '联办审查',
              department: code,
              role: 'reviewer' as const,
              budgetDays: reviewDays,
            })),
          ],
        }
      : {
          key: 'review',
          name: '审查',
          join: 'all',
          tasks: [{ key: 'review', name: '审查', department: 'owner', role: 'reviewer', budgetDays: reviewDays }],
        }
  return {
    stages: [
      review,
      {
        key: 'decision',
        name: '审批决定',
        join: 'all',
        tasks: [{ key: 'decision', name: '审批', department: 'owner', role: 'approver', budgetDays: decideDays }],
      },
    ],
  }
}

/**
 * Processes of demo items that differ from the default (keyed by 基本编码): 食品经营许可 is
 * reviewed in parallel by 区市场监督管理局 and 区卫生健康局 (并联审批), then decided.
 */
export const DEMO_PROCESSES: Record<string, ProcessDefinition> = {
  '01SCJ0000006': {
    stages: [
      {
        key: 'parallel_review',
        name: '并联审查',
        join: 'all',
        tasks: [
          { key: 'review_scj', name: '经营条件审查', department: 'owner', role: 'reviewer', budgetDays: 3 },
          { key: 'review_wjj', name: '卫生条件审查', department: 'wjj', role: 'reviewer', budgetDays: 3 },
        ],
      },
      {
        key: 'decision',
        name: '审批决定',
        join: 'all',
        tasks: [{ key: 'decision', name: '审批', department: 'owner', role: 'approver', budgetDays: 2 }],
      },
    ],
  },
}

/** The process of an item version: its stored definition, a demo one, or the default. */
export function processFor(
  elements: { catalogCode: string; projectType: string; promiseDay: number; otherDept: string[] },
  stored?: string | null,
): ProcessDefinition {
  if (stored) return JSON.parse(stored) as ProcessDefinition
  return (
    DEMO_PROCESSES[elements.catalogCode] ??
    defaultProcess(elements.projectType, Math.max(1, elements.promiseDay), elements.otherDept)
  )
}
