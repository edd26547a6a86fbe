/**
 * What a department system may ask for: the scopes, the claims each releases, and how a person is
 * told about them on the consent page. Claim names follow OpenID Connect (snake_case).
 */

export interface ScopeInfo {
  /** Shown to administrators and on the consent page. */
  label: string
  /** What it gives the system, in the person's words. */
  description: string
  /** Claims released under this scope. */
  claims: readonly string[]
  /** Always asked explicitly, even for the district's own department systems (PIPL: sensitive data). */
  sensitive: boolean
  /** Used by system-to-system calls (client credentials), never about a person. */
  system?: boolean
}

export const SCOPES = {
  openid: {
    label: '登录身份',
    description: '确认是您本人登录，并提供您在本平台的账号编号（不含个人信息）',
    claims: ['sub'],
    sensitive: false,
  },
  profile: {
    label: '基本信息',
    description: '姓名、实名认证等级、隐去中间位数的身份证号码、账号类型、正在代办的企业',
    claims: ['name', 'assurance_level', 'id_number_masked', 'account_type', 'enterprise_id'],
    sensitive: false,
  },
  idnumber: {
    label: '身份证号码',
    description: '完整的身份证号码（仅限经批准、确需核验身份的系统）',
    claims: ['id_number_masked', 'id_number'],
    sensitive: true,
  },
  phone: {
    label: '手机号码',
    description: '隐去中间位数的手机号码',
    claims: ['phone_number_masked'],
    sensitive: true,
  },
  department: {
    label: '工作单位与角色',
    description: '工作人员所在部门及其岗位角色（仅对工作人员账号）',
    claims: ['department_id', 'department_name', 'roles'],
    sensitive: false,
  },
  offline_access: {
    label: '保持授权',
    description: '您离开后，该系统仍可在授权有效期内更新您的信息（刷新令牌）',
    claims: [],
    sensitive: false,
  },
  'api:data-exchange': {
    label: '数据共享交换接口',
    description: '系统之间调用数据共享交换接口（不代表任何个人）',
    claims: [],
    sensitive: false,
    system: true,
  },
} as const satisfies Record<string, ScopeInfo>

export type ScopeName = keyof typeof SCOPES

export const SCOPE_NAMES = Object.keys(SCOPES) as ScopeName[]

export function isScope(value: string): value is ScopeName {
  return Object.hasOwn(SCOPES, value)
}

/** Scope → claims, as oidc-provider's `claims` configuration wants it (null: a claim of its own). */
export function claimsConfiguration(): Record<string, string[] | null> {
  const out: Record<string, string[] | null> = { acr: null, sid: null, auth_time: null, iss: null, amr: null }
  for (const name of SCOPE_NAMES) {
    const info: ScopeInfo = SCOPES[name]
    if (info.claims.length > 0) out[name] = [...info.claims]
  }
  return out
}

export const GRANT_TYPES = {
  authorization_code: { label: '授权码（个人登录，单点登录）' },
  refresh_token: { label: '刷新令牌（保持登录）' },
  client_credentials: { label: '客户端凭证（系统之间调用）' },
} as const

export type GrantTypeName = keyof typeof GRANT_TYPES

export const GRANT_TYPE_NAMES = Object.keys(GRANT_TYPES) as GrantTypeName[]

export function isGrantType(value: string): value is GrantTypeName {
  return Object.hasOwn(GRANT_TYPES, value)
}

export const AUTH_METHODS = {
  client_secret_basic: { label: '服务端系统，密钥放在 HTTP Basic 认证头（推荐）' },
  client_secret_post: { label: '服务端系统，密钥放在表单参数 client_secret' },
  none: { label: '浏览器或手机应用（公开客户端，无密钥，必须使用 PKCE）' },
} as const
