/**
 * Password rules (SECURITY.md): at least 12 characters for everyone; staff and administrators
 * also need 3 of the 4 character classes and a change every 90 days (等保 testers expect it);
 * passwords found in the common/breached lists or easily guessed are refused.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'
import type { FieldProblem } from '../../platform/http/errors.js'

export const PASSWORD_RULES = {
  minLength: 12,
  maxLength: 128,
  staffClasses: 3,
  staffMaxAgeDays: 90,
  /** zxcvbn score below which a password is "too easy to guess" (0–4). */
  minScore: 3,
} as const

let estimator: ZxcvbnFactory | undefined
function zxcvbn(): ZxcvbnFactory {
  // ~40,000 common passwords and keyboard patterns; built once, on first use.
  estimator ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs })
  return estimator
}

function characterClasses(password: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length
}

/**
 * Checks a new password; returns the problems as field messages (empty when acceptable).
 * `personal` are things the password must not be built from (name, ID number, phone, login).
 */
export function checkNewPassword(
  password: string,
  options: { kind: 'person' | 'staff'; personal?: string[]; field?: string },
): FieldProblem[] {
  const field = options.field ?? 'password'
  const length = [...password].length
  if (length < PASSWORD_RULES.minLength) {
    return [{ field, message: `密码至少 ${PASSWORD_RULES.minLength} 个字符` }]
  }
  if (length > PASSWORD_RULES.maxLength) {
    return [{ field, message: `密码不能超过 ${PASSWORD_RULES.maxLength} 个字符` }]
  }
  if (options.kind === 'staff' && characterClasses(password) < PASSWORD_RULES.staffClasses) {
    return [{ field, message: '工作人员密码须包含大写字母、小写字母、数字、符号中的至少 3 类' }]
  }
  const personal = (options.personal ?? []).filter((p) => p && p.length >= 4)
  const lower = password.toLowerCase()
  if (personal.some((p) => lower.includes(p.toLowerCase()))) {
    return [{ field, message: '密码不能包含您的身份证号码、手机号码或账号' }]
  }
  const result = zxcvbn().check(password, personal)
  if (result.score < PASSWORD_RULES.minScore) {
    return [{ field, message: '这个密码太常见或太容易被猜到，请换一个（可以用几个不相关的词加数字和符号）' }]
  }
  return []
}

/** True when a staff password is older than 90 days and must be changed before going on. */
export function staffPasswordExpired(passwordChangedAt: string | null, now: Date): boolean {
  if (!passwordChangedAt) return true
  const ageMs = now.getTime() - new Date(passwordChangedAt).getTime()
  return ageMs > PASSWORD_RULES.staffMaxAgeDays * 24 * 3600_000
}
