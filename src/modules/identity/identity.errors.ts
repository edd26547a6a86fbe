import { DomainError } from '../../platform/http/errors.js'

// The same words whether the account does not exist, the password is wrong or it is locked:
// the answer must never tell an attacker which accounts exist (SECURITY.md).
export const loginFailed = () =>
  new DomainError(
    'LOGIN_FAILED',
    'unauthenticated',
    '账号或密码不正确。连续输错 5 次，账号将被锁定 30 分钟；忘记密码请到政务服务中心窗口或拨打 12345 求助。',
  )

export const personExists = () => new DomainError('PERSON_EXISTS', 'conflict', '该身份证号码已经注册，请直接登录。')

export const departmentNotFound = (code: string) =>
  new DomainError('DEPARTMENT_NOT_FOUND', 'not_found', `找不到部门「${code}」`)
