/**
 * The words of 政务服务"好差评" (DOMAIN.md §3; GB/T 39734-2020, GB/T 39735-2020, 国办发〔2019〕51号):
 * the five levels, the online and offline indicators, the bad-rating reasons, the channels, and the
 * states of a rectification — codes in English, names in Chinese, one place.
 */

export type RatingLevel = 1 | 2 | 3 | 4 | 5

/** 5 非常满意 … 1 非常不满意; 1 and 2 are bad ratings (差评). */
export const LEVEL_NAMES: Record<RatingLevel, string> = {
  5: '非常满意',
  4: '满意',
  3: '基本满意',
  2: '不满意',
  1: '非常不满意',
}

export const LEVELS: readonly RatingLevel[] = [5, 4, 3, 2, 1]

/** Levels below 基本满意 are bad ratings: they need a reason or a text and open a rectification. */
export const isBadLevel = (level: number): boolean => level <= 2

/** 满意率 counts 非常满意, 满意 and 基本满意. */
export const isSatisfiedLevel = (level: number): boolean => level >= 3

export type RatingChannel = 'online' | 'window' | 'kiosk' | 'phone'

export const CHANNEL_NAMES: Record<RatingChannel, string> = {
  online: '网上评价',
  window: '窗口评价器',
  kiosk: '自助终端',
  phone: '电话回访',
}

/** Online (网上办事) indicators, GB/T 39734 and 国办发〔2019〕51号. */
export const ONLINE_INDICATORS = {
  efficiency: '办事效率',
  guide_accuracy: '办事指南精确度',
  convenience: '办事便捷度',
  usability: '平台操作性',
} as const

/** Offline (窗口) indicators. */
export const OFFLINE_INDICATORS = {
  service_efficiency: '服务效率',
  service_level: '服务水平',
  service_attitude: '服务态度',
} as const

export type OnlineIndicator = keyof typeof ONLINE_INDICATORS
export type OfflineIndicator = keyof typeof OFFLINE_INDICATORS
export type IndicatorCode = OnlineIndicator | OfflineIndicator

export const INDICATOR_NAMES: Record<IndicatorCode, string> = { ...ONLINE_INDICATORS, ...OFFLINE_INDICATORS }

/** The indicators of a channel: online and kiosk rate the platform, the window and phone the service. */
export function indicatorsOf(channel: RatingChannel): Record<string, string> {
  return channel === 'online' || channel === 'kiosk' ? ONLINE_INDICATORS : OFFLINE_INDICATORS
}

/**
 * Reasons of a bad rating. The first three are Guangdong's top bad-rating reasons (2023-07):
 * the platform should make them visible.
 */
export const REASONS = {
  overdue_without_reason: '超时办理无正当理由',
  conditions_beyond_guide: '要求指南以外的条件',
  materials_beyond_guide: '要求指南以外的材料',
  repeated_trips: '多次跑腿',
  poor_attitude: '服务态度差',
  system_problems: '系统操作不便',
  other: '其他',
} as const

export type ReasonCode = keyof typeof REASONS
export const REASON_CODES = Object.keys(REASONS) as ReasonCode[]

export const isReasonCode = (code: string): code is ReasonCode => Object.hasOwn(REASONS, code)

/**
 * A rectification (差评整改, "谁办理谁负责"):
 *
 * open ─callback─► verified ─classify valid─► rectifying ─reply─► replied ─(applicant rates / 7 days)─► closed
 *                     ├─classify explained─► explained (the explanation is published)
 *                     └─classify mistaken|malicious─► appealed ─upheld─► closed (excluded from statistics)
 *                                                          └─rejected─► rectifying
 */
export type RectificationState = 'open' | 'verified' | 'rectifying' | 'replied' | 'closed' | 'explained' | 'appealed'

export const RECTIFICATION_STATE_NAMES: Record<RectificationState, string> = {
  open: '待回访核实',
  verified: '已回访，待认定',
  rectifying: '整改中',
  replied: '已答复，待评价',
  closed: '已办结',
  explained: '已解释说明',
  appealed: '申诉待裁定',
}

export type RectificationOutcome = 'valid' | 'explained' | 'mistaken' | 'malicious'

export const OUTCOME_NAMES: Record<RectificationOutcome, string> = {
  valid: '差评属实',
  explained: '有合理解释',
  mistaken: '误评',
  malicious: '恶意差评',
}

export type Severity = 'minor' | 'moderate' | 'major'

export const SEVERITY_NAMES: Record<Severity, string> = {
  minor: '一般问题',
  moderate: '较复杂问题',
  major: '复杂问题',
}

export const CALLBACK_METHODS = {
  phone: '电话回访',
  visit: '上门回访',
  in_person: '当面回访',
  message: '短信或网上回访',
} as const

export type CallbackMethod = keyof typeof CALLBACK_METHODS
