/**
 * Unified social credit codes (统一社会信用代码, GB 32100-2015): 18 characters from a
 * 31-character alphabet (no I, O, S, V, Z):
 *   1 registering authority (登记管理部门) + 1 category (机构类别) + 6 area code (登记管理机关
 *   行政区划码) + 9 organisation code (主体标识码) + 1 check character.
 */
import { normaliseInput } from './result.js'

/** The alphabet in value order: the value of a character is its index. */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const

export interface CreditCodeInfo {
  registrationAuthorityCode: string
  categoryCode: string
  /** Characters 3–8: the registering office's administrative division code. */
  areaCode: string
  /** Characters 9–17 (for older entities, their 组织机构代码). */
  organisationCode: string
}

export type CreditCodeResult =
  | { ok: true; value: string; info: CreditCodeInfo }
  /** Wrong length or characters: not a credit code at all. */
  | { ok: false; overridable: false; message: string }
  /**
   * Well-formed, but the check character does not match. Some codes issued in the early pilots
   * fail the check (DOMAIN.md §6), so an officer may accept it as a warning after checking the
   * business licence; `value` and `info` are given for that case.
   */
  | { ok: false; overridable: true; message: string; value: string; info: CreditCodeInfo }

/** The check character of the first 17 characters (all from the alphabet). */
export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += CREDIT_CODE_ALPHABET.indexOf(first17[i]!) * WEIGHTS[i]!
  const check = 31 - (sum % 31)
  return CREDIT_CODE_ALPHABET[check === 31 ? 0 : check]!
}

/**
 * Checks a unified social credit code. Lower-case letters are accepted and returned upper-case.
 * A wrong length, a character outside the alphabet or a non-numeric area code is final; a wrong
 * check character is `overridable` (see CreditCodeResult).
 */
export function validateCreditCode(input: unknown): CreditCodeResult {
  const code = normaliseInput(input).toUpperCase()
  if (code === '') return { ok: false, overridable: false, message: '请填写统一社会信用代码' }
  if (code.length !== 18) {
    return { ok: false, overridable: false, message: `统一社会信用代码应为18位，现在是${code.length}位` }
  }
  for (let i = 0; i < code.length; i++) {
    const character = code[i]!
    if (!CREDIT_CODE_ALPHABET.includes(character)) {
      return {
        ok: false,
        overridable: false,
        message: `统一社会信用代码第${i + 1}位「${character}」不正确：只能是数字或除 I、O、S、V、Z 以外的大写字母`,
      }
    }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    return { ok: false, overridable: false, message: '统一社会信用代码第3至8位应为行政区划代码（6位数字）' }
  }
  const info: CreditCodeInfo = {
    registrationAuthorityCode: code[0]!,
    categoryCode: code[1]!,
    areaCode: code.slice(2, 8),
    organisationCode: code.slice(8, 17),
  }
  if (creditCodeCheckCharacter(code) !== code[17]) {
    return {
      ok: false,
      overridable: true,
      message: '统一社会信用代码校验位不正确，请对照营业执照等证件核对；确认无误的，经办人员可以确认后继续',
      value: code,
      info,
    }
  }
  return { ok: true, value: code, info }
}
