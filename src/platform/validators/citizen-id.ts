/**
 * Citizen identity numbers (公民身份号码, GB 11643-1999): 6-digit address code + 8-digit birth
 * date + 3-digit sequence (odd for men, even for women) + a check character (ISO 7064 MOD 11-2).
 */
import { isValidDay, todayInShanghai } from '../calendar/calendar.js'
import { PROVINCES } from './area-code.js'
import { normaliseInput, type ValidationResult } from './result.js'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const
/** The check character for (weighted sum mod 11). */
const CHECK_CHARACTERS = '10X98765432'
/**
 * Residence permits of Taiwan residents (台湾居民居住证, 2018) carry a citizen-style number with
 * address code 830000, which is not a GB/T 2260 province; Hong Kong and Macao permits use 810000
 * and 820000, which are.
 */
const PERMIT_ONLY_PREFIXES = new Set(['83'])

export interface CitizenIdInfo {
  /** `YYYY-MM-DD`. */
  birthDate: string
  sex: 'male' | 'female'
  /** The six-digit address code of where the number was first issued. */
  areaCode: string
}

/** The check character of the first 17 characters of a citizen ID (all digits). */
export function citizenIdCheckCharacter(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!
  return CHECK_CHARACTERS[sum % 11]!
}

/**
 * Checks an 18-character citizen ID number: form, province, a real birth date between
 * 1900-01-01 and today (Asia/Shanghai), and the check character. A lower-case `x` is accepted
 * and returned upper-case.
 */
export function validateCitizenId(
  input: unknown,
  options: { today?: string } = {},
): ValidationResult<string, CitizenIdInfo> {
  const id = normaliseInput(input).toUpperCase()
  if (id === '') return { ok: false, message: '请填写公民身份号码' }
  if (id.length === 15 && /^\d{15}$/.test(id)) {
    return { ok: false, message: '请填写18位公民身份号码（15位的旧号码已停止使用）' }
  }
  if (id.length !== 18) return { ok: false, message: `公民身份号码应为18位，现在是${id.length}位` }
  if (!/^\d{17}[\dX]$/.test(id)) {
    return { ok: false, message: '公民身份号码前17位应为数字，最后一位为数字或X' }
  }
  const areaCode = id.slice(0, 6)
  if (!PROVINCES[id.slice(0, 2)] && !PERMIT_ONLY_PREFIXES.has(id.slice(0, 2))) {
    return { ok: false, message: '公民身份号码前6位的地址码不正确' }
  }
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`
  if (!isValidDay(birthDate)) return { ok: false, message: '公民身份号码中的出生日期不是有效日期' }
  if (birthDate < '1900-01-01') return { ok: false, message: '公民身份号码中的出生日期早于1900年' }
  const today = options.today ?? todayInShanghai(new Date())
  if (birthDate > today) return { ok: false, message: '公民身份号码中的出生日期晚于今天' }
  if (citizenIdCheckCharacter(id) !== id[17]) {
    return { ok: false, message: '公民身份号码校验位不正确，请逐位核对' }
  }
  const sex = Number(id[16]) % 2 === 1 ? 'male' : 'female'
  return { ok: true, value: id, info: { birthDate, sex, areaCode } }
}

/**
 * Shows an ID number as its first 6 and last 4 characters: 445103********1234. Anything shorter
 * than 11 characters is masked whole.
 */
export function maskCitizenId(id: string): string {
  const chars = [...id.trim()]
  if (chars.length < 11) return '*'.repeat(chars.length)
  return `${chars.slice(0, 6).join('')}${'*'.repeat(chars.length - 10)}${chars.slice(-4).join('')}`
}
