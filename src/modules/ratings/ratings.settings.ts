/**
 * What the district may change about 好差评 without a release (DOMAIN.md §3 marks them local or
 * configurable): the level the 7-day default gives, the days before it applies, the days after
 * which an unanswered reply closes, and the rectification deadlines by severity. The defaults
 * below apply until a supervisor saves other values (table rating_settings, audited).
 */
import { appendAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { type DbOrTrx, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import type { RatingLevel, Severity } from './ratings.codes.js'

export interface RatingSettings {
  /** The level given when nobody rated (Guangdong: 3 基本满意; Guangxi uses 5 非常满意). */
  defaultLevel: RatingLevel
  /** Natural days after the application finished before the default applies (Guangdong: 7). */
  defaultAfterDays: number
  /** Natural days after the reply before an unrated rectification closes by itself. */
  replyCloseDays: number
  /** Working days to rectify, by severity (local practice 5 / 7 / 15). */
  termDays: Record<Severity, number>
}

export const RATING_SETTING_DEFAULTS: RatingSettings = {
  defaultLevel: 3,
  defaultAfterDays: 7,
  replyCloseDays: 7,
  termDays: { minor: 5, moderate: 7, major: 15 },
}

/** Each setting: its key in the table, its name, its range. */
export const SETTING_FIELDS = [
  { key: 'default_level', name: '默认评价等级', min: 3, max: 5, unit: '' },
  { key: 'default_after_days', name: '未评价转默认评价的天数', min: 1, max: 30, unit: '自然日' },
  { key: 'reply_close_days', name: '整改答复后未评价自动办结的天数', min: 1, max: 30, unit: '自然日' },
  { key: 'term_minor_days', name: '一般问题整改时限', min: 1, max: 60, unit: '个工作日' },
  { key: 'term_moderate_days', name: '较复杂问题整改时限', min: 1, max: 60, unit: '个工作日' },
  { key: 'term_major_days', name: '复杂问题整改时限', min: 1, max: 60, unit: '个工作日' },
] as const

export type SettingKey = (typeof SETTING_FIELDS)[number]['key']

export function settingValues(settings: RatingSettings): Record<SettingKey, number> {
  return {
    default_level: settings.defaultLevel,
    default_after_days: settings.defaultAfterDays,
    reply_close_days: settings.replyCloseDays,
    term_minor_days: settings.termDays.minor,
    term_moderate_days: settings.termDays.moderate,
    term_major_days: settings.termDays.major,
  }
}

function fromValues(v: Record<SettingKey, number>): RatingSettings {
  return {
    defaultLevel: v.default_level as RatingLevel,
    defaultAfterDays: v.default_after_days,
    replyCloseDays: v.reply_close_days,
    termDays: { minor: v.term_minor_days, moderate: v.term_moderate_days, major: v.term_major_days },
  }
}

/** The settings in force: the defaults with the saved values over them. */
export async function loadRatingSettings(db: DbOrTrx): Promise<RatingSettings> {
  const values = settingValues(RATING_SETTING_DEFAULTS)
  const rows = await db.selectFrom('ratingSettings').select(['key', 'value']).execute()
  for (const row of rows) {
    const field = SETTING_FIELDS.find((f) => f.key === row.key)
    if (field && Number.isInteger(row.value) && row.value >= field.min && row.value <= field.max) {
      values[field.key] = row.value
    }
  }
  return fromValues(values)
}

/**
 * Saves the settings a supervisor changed (each within its range), with one audit entry.
 * @throws VALIDATION_FAILED naming each value out of range
 */
export async function saveRatingSettings(
  deps: Deps,
  principal: Principal,
  input: Partial<Record<SettingKey, unknown>>,
  context: { ip?: string; requestId?: string } = {},
): Promise<RatingSettings> {
  const problems: FieldProblem[] = []
  const values: Partial<Record<SettingKey, number>> = {}
  for (const field of SETTING_FIELDS) {
    const raw = input[field.key]
    if (raw === undefined || raw === '') continue
    const value = typeof raw === 'number' ? raw : Number(String(raw).trim())
    if (!Number.isInteger(value) || value < field.min || value > field.max) {
      problems.push({ field: field.key, message: `${field.name}应为 ${field.min} 到 ${field.max} 之间的整数` })
      continue
    }
    values[field.key] = value
  }
  if (problems.length > 0) throw invalidInput(problems)
  const now = deps.clock.now()
  const by = principal.staffId ?? principal.accountId
  return transaction(deps.db, async (trx) => {
    const before = settingValues(await loadRatingSettings(trx))
    const changed: Record<string, { from: number; to: number }> = {}
    for (const [key, value] of Object.entries(values) as [SettingKey, number][]) {
      if (before[key] === value) continue
      changed[key] = { from: before[key], to: value }
      await trx
        .insertInto('ratingSettings')
        .values({ key, value, updatedAt: now.toISOString(), updatedBy: by })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updatedAt: now.toISOString(), updatedBy: by }))
        .execute()
    }
    if (Object.keys(changed).length > 0) {
      await appendAudit(trx, {
        at: now,
        actor: { type: 'staff', id: principal.staffId ?? null, role: 'supervisor' },
        action: 'rating_settings.update',
        object: { type: 'rating_settings', id: 'ratings' },
        details: { changed },
        sourceIp: context.ip ?? null,
        requestId: context.requestId ?? null,
      })
    }
    return loadRatingSettings(trx)
  })
}
