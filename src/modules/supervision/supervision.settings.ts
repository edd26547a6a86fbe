/**
 * What the district may change (DOMAIN.md §4: thresholds are configuration): when the yellow card
 * comes, how far back the sweep looks, the weights of the performance score (绩效考核), the
 * red-card penalty and the plan's targets for 网上全流程办理率. Kept as data in
 * `supervision_settings` (one row, key `settings`, JSON); a missing key means the documented
 * default. Supervisors change them on /supervision/settings; every change is audited.
 */
import { appendAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { isValidDay } from '../../platform/calendar/index.js'
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

/** The plan's target for 网上全流程办理率: `percent` % by the end of the day `by`. */
export interface OnlineTarget {
  by: string
  percent: number
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
  /**
   * The plan's targets for 网上全流程办理率 (潮安区方案 task 2): 70% by end 2017, 80% by end 2020.
   * In ascending order of `by`; the one in force on a day is the latest already due, else the first.
   */
  onlineTargets: OnlineTarget[]
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

/** The whole-number settings: their names (as in messages) and ranges. */
export const NUMBER_SETTINGS = {
  yellowBeforeDays: { name: '黄牌提前天数', min: 0, max: 10 },
  preReviewYellowBeforeDays: { name: '受理审查黄牌提前天数', min: 0, max: 4 },
  lookbackDays: { name: '预警扫描回溯天数', min: 7, max: 400 },
  redCardPenalty: { name: '每张红牌扣分', min: 0, max: 20 },
  penaltyCap: { name: '红牌扣分上限', min: 0, max: 100 },
} as const

export type NumberSettingKey = keyof typeof NUMBER_SETTINGS
export const WEIGHT_RANGE = { min: 0, max: 100 } as const
export const TARGET_PERCENT_RANGE = { min: 0, max: 100 } as const
/** At most this many targets. */
export const MAX_TARGETS = 5
const TARGET_YEARS = { min: 2000, max: 2099 }

/** Settings as handed in (e.g. read from a form): anything may be missing or wrong; checked field by field. */
export interface SettingsDraft {
  yellowBeforeDays?: number
  preReviewYellowBeforeDays?: number
  lookbackDays?: number
  redCardPenalty?: number
  penaltyCap?: number
  weights?: Partial<ScoreWeights>
  onlineTargets?: { by?: string; percent?: number }[]
}

const KEY = 'settings'
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Checks a draft. Problems name the field as the settings form does (`lookbackDays`,
 * `weights.online`, `weights` for the sum, `onlineTargets[1].by`).
 */
export function checkSettings(draft: SettingsDraft): { settings: SupervisionSettings; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  const whole = (field: string, name: string, value: unknown, min: number, max: number): boolean => {
    if (value === undefined || value === null) {
      problems.push({ field, message: `请填写${name}` })
      return false
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push({ field, message: `${name}应为 ${min} 到 ${max} 之间的整数` })
      return false
    }
    return true
  }
  const input: SettingsDraft = isObject(draft) ? draft : {}
  for (const [key, spec] of Object.entries(NUMBER_SETTINGS)) {
    whole(key, spec.name, input[key as NumberSettingKey], spec.min, spec.max)
  }

  const weights: Partial<ScoreWeights> = isObject(input.weights) ? input.weights : {}
  let weightsValid = true
  for (const [key, name] of Object.entries(WEIGHT_NAMES)) {
    const value = weights[key as keyof ScoreWeights]
    weightsValid = whole(`weights.${key}`, `「${name}」权重`, value, WEIGHT_RANGE.min, WEIGHT_RANGE.max) && weightsValid
  }
  if (weightsValid) {
    const total = Object.keys(WEIGHT_NAMES).reduce((s, k) => s + (weights[k as keyof ScoreWeights] as number), 0)
    if (total !== 100) problems.push({ field: 'weights', message: `各项权重合计应为 100，现在合计为 ${total}` })
  }

  const targets = (Array.isArray(input.onlineTargets) ? input.onlineTargets : []).map((t) =>
    isObject(t) ? t : {},
  ) as NonNullable<SettingsDraft['onlineTargets']>
  if (targets.length === 0) {
    problems.push({ field: 'onlineTargets[0].by', message: '请至少填写一个网上全流程办理率目标' })
  } else if (targets.length > MAX_TARGETS) {
    problems.push({ field: 'onlineTargets[0].by', message: `网上全流程办理率目标最多 ${MAX_TARGETS} 个` })
  } else {
    let previous: string | undefined
    targets.forEach((target, i) => {
      const n = i + 1
      const field = `onlineTargets[${i}]`
      const by = target.by
      if (by === undefined || by === null || by === '') {
        problems.push({ field: `${field}.by`, message: `请填写第 ${n} 个目标的期限` })
      } else if (!isValidDay(by)) {
        problems.push({ field: `${field}.by`, message: `第 ${n} 个目标的期限应为有效日期，格式如 2020-12-31` })
      } else if (Number(by.slice(0, 4)) < TARGET_YEARS.min || Number(by.slice(0, 4)) > TARGET_YEARS.max) {
        problems.push({
          field: `${field}.by`,
          message: `第 ${n} 个目标的期限应在 ${TARGET_YEARS.min} 年到 ${TARGET_YEARS.max} 年之间`,
        })
      } else {
        if (previous !== undefined && by <= previous) {
          problems.push({
            field: `${field}.by`,
            message: `第 ${n} 个目标的期限应晚于前一个目标的期限（${previous}），请按时间先后填写`,
          })
        }
        previous = by
      }
      whole(
        `${field}.percent`,
        `第 ${n} 个目标的办理率`,
        target.percent,
        TARGET_PERCENT_RANGE.min,
        TARGET_PERCENT_RANGE.max,
      )
    })
  }

  const settings: SupervisionSettings = {
    yellowBeforeDays: input.yellowBeforeDays as number,
    preReviewYellowBeforeDays: input.preReviewYellowBeforeDays as number,
    lookbackDays: input.lookbackDays as number,
    weights: {
      onTime: weights.onTime as number,
      online: weights.online as number,
      satisfaction: weights.satisfaction as number,
      rectification: weights.rectification as number,
      firstTime: weights.firstTime as number,
    },
    redCardPenalty: input.redCardPenalty as number,
    penaltyCap: input.penaltyCap as number,
    onlineTargets: targets.map((t) => ({ by: t.by as string, percent: t.percent as number })),
  }
  return { settings, problems }
}

/**
 * The stored JSON over the defaults. A part that does not pass the checks (edited by hand, or
 * from an older release) is left at its default rather than breaking the sweep or the reports.
 */
function settingsFromStored(json: string): SupervisionSettings {
  let stored: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(json)
    if (isObject(parsed)) stored = parsed
  } catch {
    // unreadable: the defaults
  }
  const draft = {
    ...DEFAULT_SETTINGS,
    ...stored,
    weights: { ...DEFAULT_SETTINGS.weights, ...(isObject(stored.weights) ? stored.weights : {}) },
    onlineTargets: stored.onlineTargets ?? DEFAULT_SETTINGS.onlineTargets,
  } as SettingsDraft
  const { settings, problems } = checkSettings(draft)
  const bad = new Set(problems.map((p) => p.field.split(/[.[]/)[0]))
  return {
    yellowBeforeDays: bad.has('yellowBeforeDays') ? DEFAULT_SETTINGS.yellowBeforeDays : settings.yellowBeforeDays,
    preReviewYellowBeforeDays: bad.has('preReviewYellowBeforeDays')
      ? DEFAULT_SETTINGS.preReviewYellowBeforeDays
      : settings.preReviewYellowBeforeDays,
    lookbackDays: bad.has('lookbackDays') ? DEFAULT_SETTINGS.lookbackDays : settings.lookbackDays,
    weights: bad.has('weights') ? DEFAULT_SETTINGS.weights : settings.weights,
    redCardPenalty: bad.has('redCardPenalty') ? DEFAULT_SETTINGS.redCardPenalty : settings.redCardPenalty,
    penaltyCap: bad.has('penaltyCap') ? DEFAULT_SETTINGS.penaltyCap : settings.penaltyCap,
    onlineTargets: bad.has('onlineTargets') ? DEFAULT_SETTINGS.onlineTargets : settings.onlineTargets,
  }
}

/** The settings in force: the stored ones over the defaults. */
export async function loadSettings(db: DbOrTrx): Promise<SupervisionSettings> {
  const row = await db.selectFrom('supervisionSettings').select('value').where('key', '=', KEY).executeTakeFirst()
  return row ? settingsFromStored(row.value) : DEFAULT_SETTINGS
}

/** When the settings were last saved or reset, and by which staff member; undefined if never. */
export async function lastSettingsChange(db: DbOrTrx): Promise<{ at: string; staffId: string | null } | undefined> {
  const row = await db
    .selectFrom('supervisionSettings')
    .select(['updatedAt', 'updatedBy'])
    .where('key', '=', KEY)
    .executeTakeFirst()
  return row ? { at: row.updatedAt, staffId: row.updatedBy } : undefined
}

type SettingsContext = { ip?: string; requestId?: string }

async function writeSettings(
  deps: Deps,
  principal: Principal,
  action: 'supervision.settings_change' | 'supervision.settings_reset',
  value: SupervisionSettings | null,
  context: SettingsContext,
): Promise<SupervisionSettings> {
  const now = deps.clock.now()
  return transaction(deps.db, async (trx) => {
    const before = await loadSettings(trx)
    const row = {
      key: KEY,
      // A reset stores no values: the documented defaults apply, also when a release changes them.
      value: JSON.stringify(value ?? {}),
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
    const after = await loadSettings(trx)
    await appendAudit(trx, {
      at: now,
      actor: { type: 'staff', id: principal.staffId ?? null, role: 'supervisor' },
      action,
      object: { type: 'supervision_settings', id: KEY },
      details: { from: before, to: after },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
    return after
  })
}

/**
 * Changes the settings (supervisors with supervision.handle): one transaction, one audit entry
 * `supervision.settings_change` with the settings before and after.
 * @throws VALIDATION_FAILED with a problem per field missing or out of range, weights not adding
 *   up to 100, targets' days invalid or not ascending
 */
export async function saveSettings(
  deps: Deps,
  principal: Principal,
  draft: SettingsDraft,
  context: SettingsContext = {},
): Promise<SupervisionSettings> {
  const { settings, problems } = checkSettings(draft)
  if (problems.length > 0) throw invalidInput(problems)
  return writeSettings(deps, principal, 'supervision.settings_change', settings, context)
}

/** Back to the documented defaults (audited `supervision.settings_reset`). */
export async function resetSettings(
  deps: Deps,
  principal: Principal,
  context: SettingsContext = {},
): Promise<SupervisionSettings> {
  return writeSettings(deps, principal, 'supervision.settings_reset', null, context)
}
