/**
 * What the district may change (DOMAIN.md §4: thresholds are configuration): when the yellow card
 * comes, how far back the sweep looks, and the weights of the performance score (绩效考核). Kept
 * as data in `supervision_settings`; a missing key means the documented default.
 */
import { appendAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { type DbOrTrx, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { type FieldProblem, invalidInput } from '../../platform/http/errors.js'

export interface ScoreWeights {
  /** 按时办结率 (1 − 超期率). */
  onTime: number
  /** 网上全流程办理率. */
  online: number
  /** 满意度（好差评）. */
  satisfaction: number
  /** 差评整改率. */
  rectification: number
  /** 一次办成率 (1 − 补正率). */
  firstTime: number
}

export interface SupervisionSettings {
  /** Working days before a due day from which the yellow card comes (DOMAIN.md §4: one). */
  yellowBeforeDays: number
  /**
   * 行政许可法 §32 pre-review: working days before the fifth working day after receipt from which
   * the yellow card comes (0: on the fifth working day itself).
   */
  preReviewYellowBeforeDays: number
  /** How far back (natural days) the sweep looks for deemed acceptances and refusals. */
  lookbackDays: number
  weights: ScoreWeights
  /** Points taken off the score for each red card raised in the period, up to `penaltyCap`. */
  redCardPenalty: number
  penaltyCap: number
  /** The plan's targets for 网上全流程办理率 (潮安区方案 task 2): 70% by end 2017, 80% by end 2020. */
  onlineTargets: { by: string; percent: number }[]
}

export const DEFAULT_SETTINGS: SupervisionSettings = {
  yellowBeforeDays: 1,
  preReviewYellowBeforeDays: 0,
  lookbackDays: 90,
  weights: { onTime: 30, online: 25, satisfaction: 25, rectification: 10, firstTime: 10 },
  redCardPenalty: 1,
  penaltyCap: 20,
  onlineTargets: [
    { by: '2017-12-31', percent: 70 },
    { by: '2020-12-31', percent: 80 },
  ],
}

export const WEIGHT_NAMES: Record<keyof ScoreWeights, string> = {
  onTime: '按时办结率',
  online: '网上全流程办理率',
  satisfaction: '满意度',
  rectification: '差评整改率',
  firstTime: '一次办成率（未经补正）',
}

const KEY = 'settings'

/** The settings in force: the stored ones over the defaults. */
export async function loadSettings(db: DbOrTrx): Promise<SupervisionSettings> {
  const row = await db.selectFrom('supervisionSettings').select('value').where('key', '=', KEY).executeTakeFirst()
  if (!row) return DEFAULT_SETTINGS
  const stored = JSON.parse(row.value) as Partial<SupervisionSettings>
  return {
    ...DEFAULT_SETTINGS,
    ...stored,
    weights: { ...DEFAULT_SETTINGS.weights, ...(stored.weights ?? {}) },
    onlineTargets: DEFAULT_SETTINGS.onlineTargets,
  }
}

export type SettingsInput = Omit<SupervisionSettings, 'onlineTargets'>

function checkSettings(input: SettingsInput): FieldProblem[] {
  const problems: FieldProblem[] = []
  const whole = (field: string, label: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push({ field, message: `${label}应为 ${min} 到 ${max} 之间的整数` })
    }
  }
  whole('yellowBeforeDays', '黄牌提前天数', input.yellowBeforeDays, 0, 10)
  whole('preReviewYellowBeforeDays', '受理审查黄牌提前天数', input.preReviewYellowBeforeDays, 0, 4)
  whole('lookbackDays', '回溯天数', input.lookbackDays, 7, 400)
  whole('redCardPenalty', '每张红牌扣分', input.redCardPenalty, 0, 20)
  whole('penaltyCap', '扣分上限', input.penaltyCap, 0, 100)
  for (const [key, label] of Object.entries(WEIGHT_NAMES)) {
    whole(`weights.${key}`, `「${label}」权重`, input.weights[key as keyof ScoreWeights], 0, 100)
  }
  const total = Object.values(input.weights).reduce((a, b) => a + b, 0)
  if (problems.length === 0 && total !== 100) {
    problems.push({ field: 'weights.onTime', message: `各项权重合计应为 100（现为 ${total}）` })
  }
  return problems
}

/**
 * Changes the settings (supervisors with supervision.handle); audited.
 * @throws VALIDATION_FAILED with a problem per field out of range, or weights not adding up to 100
 */
export async function saveSettings(
  deps: Deps,
  principal: Principal,
  input: SettingsInput,
  context: { ip?: string; requestId?: string } = {},
): Promise<SupervisionSettings> {
  const problems = checkSettings(input)
  if (problems.length > 0) throw invalidInput(problems)
  const value: SettingsInput = {
    yellowBeforeDays: input.yellowBeforeDays,
    preReviewYellowBeforeDays: input.preReviewYellowBeforeDays,
    lookbackDays: input.lookbackDays,
    weights: { ...input.weights },
    redCardPenalty: input.redCardPenalty,
    penaltyCap: input.penaltyCap,
  }
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    const row = {
      key: KEY,
      value: JSON.stringify(value),
      updatedAt: now.toISOString(),
      updatedBy: principal.staffId ?? null,
    }
    await trx
      .insertInto('supervisionSettings')
      .values(row)
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({ value: row.value, updatedAt: row.updatedAt, updatedBy: row.updatedBy }),
      )
      .execute()
    await appendAudit(trx, {
      at: now,
      actor: { type: 'staff', id: principal.staffId ?? null, role: 'supervisor' },
      action: 'supervision.settings_change',
      object: { type: 'supervision_settings', id: KEY },
      details: { ...value },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
  })
  return loadSettings(deps.db)
}
