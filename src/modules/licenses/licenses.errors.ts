import { DomainError } from '../../platform/http/errors.js'

export const licenseTypeNotFound = (code: string) =>
  new DomainError('LICENSE_TYPE_NOT_FOUND', 'not_found', `没有代码为「${code}」的证照类型。`)

export const licenseTypeNotIssuedHere = (name: string) =>
  new DomainError(
    'LICENSE_TYPE_NOT_ISSUED_HERE',
    'conflict',
    `「${name}」不由本平台的部门颁发（或尚未登记证照类型代码），不能在这里签发。`,
  )

export const licenseNotFound = () =>
  new DomainError('LICENSE_NOT_FOUND', 'not_found', '找不到这份电子证照，可能链接有误。')

export const holderNotFound = () =>
  new DomainError('LICENSE_HOLDER_NOT_FOUND', 'not_found', '找不到持证人：该个人或企业尚未在本平台登记。')

export const holderKindMismatch = (typeName: string, kind: 'person' | 'enterprise') =>
  new DomainError(
    'LICENSE_HOLDER_KIND',
    'invalid',
    `「${typeName}」的持证人应为${kind === 'person' ? '个人' : '企业或其他组织'}。`,
  )

export const notAllowedToIssue = () =>
  new DomainError(
    'LICENSE_ISSUE_FORBIDDEN',
    'forbidden',
    '只有颁发部门中具有“签发电子证照”权限的工作人员才能签发或注销这类证照。',
  )

export const licenseNotActive = (stateLabel: string) =>
  new DomainError('LICENSE_NOT_ACTIVE', 'conflict', `这份证照当前为「${stateLabel}」，不能再办理此操作。`)

export const noActiveSealKey = (departmentName: string) =>
  new DomainError(
    'SEAL_KEY_MISSING',
    'conflict',
    `${departmentName}还没有可用的电子印章密钥，请联系安全管理员生成后再签发。`,
  )

export const sealKeyNotFound = () => new DomainError('SEAL_KEY_NOT_FOUND', 'not_found', '找不到这把印章密钥。')

export const sealKeyExists = (departmentName: string) =>
  new DomainError(
    'SEAL_KEY_EXISTS',
    'conflict',
    `${departmentName}已有在用的印章密钥。需要更换时请使用“轮换”，旧密钥会保留用于核验已签发的证照。`,
  )

export const sealKeyRetired = () =>
  new DomainError('SEAL_KEY_RETIRED', 'conflict', '这把印章密钥已停用，不能再轮换或停用。')

export const departmentNotFound = () => new DomainError('LICENSE_DEPARTMENT_NOT_FOUND', 'not_found', '找不到这个部门。')

export const departmentWithoutCreditCode = (name: string) =>
  new DomainError(
    'LICENSE_DEPARTMENT_CREDIT_CODE',
    'conflict',
    `${name}没有登记统一社会信用代码，无法生成电子证照标识。请系统管理员先补充部门信息。`,
  )
