/** Mainland China mobile numbers and the masking of personal data for display. */
import { normaliseInput, type ValidationResult } from './result.js'

export interface MobileInfo {
  /** The three-digit network prefix, e.g. '138'. */
  prefix: string
}

/**
 * Checks a mainland mobile number: 11 digits starting 13–19. Spaces and dashes are ignored and
 * a +86 / 0086 / 86 country code removed; the value is the bare 11 digits.
 */
export function validateMobile(input: unknown): ValidationResult<string, MobileInfo> {
  let digits = normaliseInput(input).replace(/[\s-]/g, '')
  if (digits === '') return { ok: false, message: '请填写手机号码' }
  const international = /^(?:\+86|0086|86)(\d{11})$/.exec(digits)
  if (international) digits = international[1]!
  if (!/^\d+$/.test(digits.replace(/^\+/, ''))) return { ok: false, message: '手机号码只能包含数字' }
  if (digits.startsWith('+')) return { ok: false, message: '只支持中国大陆手机号码（+86）' }
  if (digits.length !== 11) return { ok: false, message: `手机号码应为11位数字，现在是${digits.length}位` }
  if (!/^1[3-9]/.test(digits)) return { ok: false, message: '手机号码应以13至19开头' }
  return { ok: true, value: digits, info: { prefix: digits.slice(0, 3) } }
}

/** 13812345678 → 138****5678. Anything shorter than 8 characters is masked whole. */
export function maskMobile(mobile: string): string {
  const chars = [...mobile.trim()]
  if (chars.length < 8) return '*'.repeat(chars.length)
  return `${chars.slice(0, 3).join('')}${'*'.repeat(chars.length - 7)}${chars.slice(-4).join('')}`
}

/** Two-character surnames: the first two characters of a name starting with one of them stay visible. */
const COMPOUND_SURNAMES = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '司空',
  '夏侯',
  '令狐',
  '端木',
  '南宫',
  '西门',
  '独孤',
  '轩辕',
  '澹台',
  '公冶',
  '太史',
  '申屠',
  '闻人',
  '赫连',
  '呼延',
  '钟离',
  '濮阳',
  '淳于',
  '百里',
  '东郭',
  '拓跋',
  '第五',
  '万俟',
])

/**
 * Keeps the surname and masks the given name, a star per character: 张三 → 张*, 张三丰 → 张**,
 * 欧阳娜娜 → 欧阳**. The middle dot of names like 买买提·艾力 stays visible. A two-character
 * name always keeps only its first character.
 */
export function maskName(name: string): string {
  const chars = [...name.trim()]
  if (chars.length === 0) return ''
  if (chars.length === 1) return '*'
  const keep = chars.length >= 3 && COMPOUND_SURNAMES.has(chars.slice(0, 2).join('')) ? 2 : 1
  return chars.map((c, i) => (i < keep || c === '·' || c === '•' ? c : '*')).join('')
}
