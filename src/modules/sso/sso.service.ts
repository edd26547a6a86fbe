/**
 * The register of department systems that may use single sign-on (接入系统), consent decisions,
 * and the audit entries of SSO logins and logouts.
 *
 * Client secrets: oidc-provider authenticates a client by comparing the presented secret with the
 * one in the client's metadata, so it needs the plain secret when it loads the client. The secret
 * is therefore stored encrypted at rest with the platform's field encryption (SM4-CTR + HMAC-SM3,
 * keys from DATA_KEYS, rotatable) and decrypted only when oidc-provider loads the client; its
 * SHA-256 is kept as a fingerprint to compare with a department's configuration. The secret itself
 * is shown once, when created or rotated, and never again.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { ClientMetadata } from 'oidc-provider'
import { type AuditEntryInput, appendAudit, auditActorOf } from '../../platform/audit/audit.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import type { FieldCrypto } from '../../platform/crypto/field-crypto.js'
import { transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { departmentChoices, departmentName } from '../identity/index.js'
import { clientInactive, clientIsPublic, clientNotFound } from './sso.errors.js'
import { findClient, insertClient, listClients, updateClient } from './sso.repository.js'
import {
  AUTH_METHODS,
  type GrantTypeName,
  isGrantType,
  isScope,
  SCOPES,
  type ScopeInfo,
  type ScopeName,
} from './sso.scopes.js'
import type { ClientAuthMethod, OidcClientTable } from './sso.tables.js'

export interface RequestContext {
  ip?: string
  requestId?: string
}

const context = (c: RequestContext) => ({ sourceIp: c.ip ?? null, requestId: c.requestId ?? null })

// ----- what oidc-provider sees -------------------------------------------------------------------

function jsonList(text: string): string[] {
  try {
    const value = JSON.parse(text) as unknown
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
  } catch {
    return []
  }
}

/** The client's OpenID Connect metadata, with the secret decrypted for oidc-provider. */
export function clientMetadata(row: OidcClientTable, crypto: FieldCrypto): ClientMetadata {
  const grantTypes = jsonList(row.grantTypes)
  const code = grantTypes.includes('authorization_code')
  return {
    client_id: row.clientId,
    client_name: row.name,
    ...(row.secretEnc ? { client_secret: crypto.decrypt(row.secretEnc) } : {}),
    token_endpoint_auth_method: row.tokenEndpointAuthMethod,
    application_type: 'web',
    grant_types: grantTypes,
    response_types: code ? ['code'] : [],
    redirect_uris: code ? jsonList(row.redirectUris) : [],
    post_logout_redirect_uris: code ? jsonList(row.postLogoutRedirectUris) : [],
    scope: jsonList(row.scopes).join(' '),
    // Extra metadata (see sso.provider.ts: extraClientMetadata).
    full_id_number_allowed: row.fullIdNumberAllowed === 1,
    department_id: row.departmentId ?? undefined,
  }
}

// ----- the register ------------------------------------------------------------------------------

export interface ClientInput {
  name: string
  clientId: string
  departmentId: string
  authMethod: string
  redirectUris: string
  postLogoutRedirectUris: string
  scopes: string[]
  grantTypes: string[]
  fullIdNumberAllowed: boolean
}

export interface ClientView {
  clientId: string
  name: string
  departmentId?: string
  departmentName?: string
  authMethod: ClientAuthMethod
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  scopes: string[]
  grantTypes: string[]
  fullIdNumberAllowed: boolean
  active: boolean
  createdAt: string
  updatedAt: string
  /** First 16 hex digits of the secret's SHA-256, to compare with what a department configured. */
  secretFingerprint?: string
  secretRotatedAt?: string
}

const CLIENT_ID = /^[a-z][a-z0-9-]{2,63}$/
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])
const MAX_URIS = 10

/** One redirect URI: https, or http on the local machine for development. Undefined when fine. */
export function redirectUriProblem(uri: string): string | undefined {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return `“${uri}”不是有效的网址`
  }
  if (url.username || url.password) return `“${uri}”不能包含用户名或密码`
  if (url.hash || uri.includes('#')) return `“${uri}”不能包含 # 及其后的部分`
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined
  return `“${uri}”必须以 https:// 开头（开发测试时可以用 http://127.0.0.1 或 http://localhost）`
}

function lines(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ]
}

function uriList(field: string, text: string, problems: FieldProblem[], label: string): string[] {
  const uris = lines(text)
  if (uris.length > MAX_URIS) problems.push({ field, message: `${label}最多填写 ${MAX_URIS} 个` })
  for (const uri of uris) {
    const problem = redirectUriProblem(uri)
    if (problem) {
      problems.push({ field, message: `${label}：${problem}` })
      break
    }
  }
  return uris
}

interface ValidClient {
  name: string
  clientId: string
  departmentId: string | null
  authMethod: ClientAuthMethod
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  scopes: ScopeName[]
  grantTypes: GrantTypeName[]
  fullIdNumberAllowed: boolean
}

/**
 * Checks a registration. Every problem is reported at once, against its field.
 * @throws VALIDATION_FAILED with field details
 */
async function validateClient(deps: Deps, input: ClientInput): Promise<ValidClient> {
  const problems: FieldProblem[] = []
  const name = input.name.normalize('NFC').trim()
  if (name.length < 2 || name.length > 60) problems.push({ field: 'name', message: '请填写系统名称（2 到 60 个字）' })
  const clientId = input.clientId.trim().toLowerCase()
  if (!CLIENT_ID.test(clientId)) {
    problems.push({
      field: 'clientId',
      message: '客户端标识以小写字母开头，只用小写字母、数字和连字符，3 到 64 位，例如 scj-licensing',
    })
  } else if (await findClient(deps.db, clientId)) {
    problems.push({ field: 'clientId', message: `客户端标识“${clientId}”已被使用，请换一个` })
  }
  const departmentId = input.departmentId.trim() || null
  if (departmentId && !(await departmentName(deps, departmentId))) {
    problems.push({ field: 'departmentId', message: '请选择列表中的部门' })
  }
  const authMethod = Object.hasOwn(AUTH_METHODS, input.authMethod) ? (input.authMethod as ClientAuthMethod) : undefined
  if (!authMethod) problems.push({ field: 'authMethod', message: '请选择客户端类型' })

  const grantTypes = [...new Set(input.grantTypes)].filter(isGrantType)
  if (grantTypes.length === 0) problems.push({ field: 'grantTypes', message: '请至少选择一种授权方式' })
  const code = grantTypes.includes('authorization_code')
  if (authMethod === 'none' && grantTypes.includes('client_credentials')) {
    problems.push({ field: 'grantTypes', message: '公开客户端没有密钥，不能使用客户端凭证方式' })
  }
  if (grantTypes.includes('refresh_token') && !code) {
    problems.push({ field: 'grantTypes', message: '刷新令牌只能与授权码方式一起使用' })
  }

  const scopes = [...new Set(input.scopes)].filter(isScope)
  if (scopes.length === 0) problems.push({ field: 'scopes', message: '请至少选择一项可申请的权限范围' })
  if (code && !scopes.includes('openid')) {
    problems.push({ field: 'scopes', message: '使用授权码方式（个人登录）时必须包含“登录身份”（openid）' })
  }
  const personScopes = scopes.filter((s) => !(SCOPES[s] as ScopeInfo).system)
  if (!code && personScopes.length > 0) {
    problems.push({ field: 'scopes', message: '个人信息类权限范围需要授权码方式（个人登录）' })
  }
  if (scopes.some((s) => (SCOPES[s] as ScopeInfo).system) && !grantTypes.includes('client_credentials')) {
    problems.push({ field: 'scopes', message: '系统接口类权限范围需要客户端凭证方式' })
  }
  if (scopes.includes('offline_access') && !grantTypes.includes('refresh_token')) {
    problems.push({ field: 'scopes', message: '“保持授权”（offline_access）需要同时选择刷新令牌方式' })
  }
  if (input.fullIdNumberAllowed && !scopes.includes('idnumber')) {
    problems.push({
      field: 'fullIdNumberAllowed',
      message: '允许获取完整身份证号码时，可申请的权限范围必须包含“身份证号码”',
    })
  }

  const redirectUris = code ? uriList('redirectUris', input.redirectUris, problems, '回调地址') : []
  if (code && redirectUris.length === 0 && !problems.some((p) => p.field === 'redirectUris')) {
    problems.push({ field: 'redirectUris', message: '使用授权码方式时请填写至少一个回调地址' })
  }
  const postLogoutRedirectUris = code
    ? uriList('postLogoutRedirectUris', input.postLogoutRedirectUris, problems, '退出后返回地址')
    : []

  if (problems.length > 0 || !authMethod) throw invalidInput(problems)
  return {
    name,
    clientId,
    departmentId,
    authMethod,
    redirectUris,
    postLogoutRedirectUris,
    scopes,
    grantTypes,
    fullIdNumberAllowed: input.fullIdNumberAllowed,
  }
}

/** A new client secret: 256 random bits. */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url')
}

export function secretFingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

/**
 * Registers a department system. A confidential client gets a secret, returned here once.
 * @throws VALIDATION_FAILED (field details) for a bad registration or a client id in use
 */
export async function registerClient(
  deps: Deps,
  principal: Principal | undefined,
  input: ClientInput,
  ctx: RequestContext = {},
): Promise<{ clientId: string; secret?: string }> {
  const valid = await validateClient(deps, input)
  const secret = valid.authMethod === 'none' ? undefined : newClientSecret()
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    await insertClient(trx, {
      clientId: valid.clientId,
      name: valid.name,
      departmentId: valid.departmentId,
      tokenEndpointAuthMethod: valid.authMethod,
      secretEnc: secret ? deps.fieldCrypto.encrypt(secret) : null,
      secretSha256: secret ? secretFingerprint(secret) : null,
      redirectUris: JSON.stringify(valid.redirectUris),
      postLogoutRedirectUris: JSON.stringify(valid.postLogoutRedirectUris),
      scopes: JSON.stringify(valid.scopes),
      grantTypes: JSON.stringify(valid.grantTypes),
      fullIdNumberAllowed: valid.fullIdNumberAllowed ? 1 : 0,
      active: 1,
      createdAt: now.toISOString(),
      createdBy: principal?.staffId ?? null,
      updatedAt: now.toISOString(),
      updatedBy: principal?.staffId ?? null,
      secretRotatedAt: secret ? now.toISOString() : null,
    })
    await appendAudit(trx, {
      at: now,
      actor: principal ? auditActorOf(actorOf(principal), 'sys_admin') : { type: 'system', id: 'sso:seed' },
      action: 'sso.client_register',
      object: { type: 'oidc_client', id: valid.clientId },
      details: {
        name: valid.name,
        departmentId: valid.departmentId,
        authMethod: valid.authMethod,
        grantTypes: valid.grantTypes,
        scopes: valid.scopes,
        fullIdNumberAllowed: valid.fullIdNumberAllowed,
      },
      ...context(ctx),
    })
  })
  return { clientId: valid.clientId, secret }
}

async function getClientRow(deps: Deps, clientId: string): Promise<OidcClientTable> {
  const row = await findClient(deps.db, clientId)
  if (!row) throw clientNotFound()
  return row
}

/**
 * Gives an active confidential client a new secret (the old one stops working at once).
 * @throws SSO_CLIENT_NOT_FOUND, SSO_CLIENT_INACTIVE, SSO_CLIENT_PUBLIC
 */
export async function rotateClientSecret(
  deps: Deps,
  principal: Principal,
  clientId: string,
  ctx: RequestContext = {},
): Promise<string> {
  const row = await getClientRow(deps, clientId)
  if (!row.active) throw clientInactive()
  if (row.tokenEndpointAuthMethod === 'none') throw clientIsPublic()
  const secret = newClientSecret()
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    await updateClient(trx, clientId, {
      secretEnc: deps.fieldCrypto.encrypt(secret),
      secretSha256: secretFingerprint(secret),
      secretRotatedAt: now.toISOString(),
      updatedAt: now.toISOString(),
      updatedBy: principal.staffId ?? null,
    })
    await appendAudit(trx, {
      at: now,
      actor: auditActorOf(actorOf(principal), 'sys_admin'),
      action: 'sso.client_rotate_secret',
      object: { type: 'oidc_client', id: clientId },
      details: { fingerprint: secretFingerprint(secret).slice(0, 16) },
      ...context(ctx),
    })
  })
  return secret
}

/**
 * Stops a client: oidc-provider no longer finds it, so its logins, tokens and refresh tokens stop
 * working. Deactivating an inactive client changes nothing and writes nothing.
 * @throws SSO_CLIENT_NOT_FOUND
 */
export async function deactivateClient(
  deps: Deps,
  principal: Principal,
  clientId: string,
  ctx: RequestContext = {},
): Promise<void> {
  const row = await getClientRow(deps, clientId)
  if (!row.active) return
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    await updateClient(trx, clientId, { active: 0, updatedAt: now.toISOString(), updatedBy: principal.staffId ?? null })
    await appendAudit(trx, {
      at: now,
      actor: auditActorOf(actorOf(principal), 'sys_admin'),
      action: 'sso.client_deactivate',
      object: { type: 'oidc_client', id: clientId },
      ...context(ctx),
    })
  })
}

async function toView(deps: Deps, row: OidcClientTable, names: Map<string, string>): Promise<ClientView> {
  const departmentId = row.departmentId ?? undefined
  return {
    clientId: row.clientId,
    name: row.name,
    departmentId,
    departmentName: departmentId ? (names.get(departmentId) ?? (await departmentName(deps, departmentId))) : undefined,
    authMethod: row.tokenEndpointAuthMethod,
    redirectUris: jsonList(row.redirectUris),
    postLogoutRedirectUris: jsonList(row.postLogoutRedirectUris),
    scopes: jsonList(row.scopes),
    grantTypes: jsonList(row.grantTypes),
    fullIdNumberAllowed: row.fullIdNumberAllowed === 1,
    active: row.active === 1,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    secretFingerprint: row.secretSha256?.slice(0, 16),
    secretRotatedAt: row.secretRotatedAt ?? undefined,
  }
}

export async function listClientViews(deps: Deps): Promise<ClientView[]> {
  const [rows, departments] = await Promise.all([listClients(deps.db), departmentChoices(deps)])
  const names = new Map(departments.map((d) => [d.id, d.name]))
  return Promise.all(rows.map((row) => toView(deps, row, names)))
}

/** @throws SSO_CLIENT_NOT_FOUND */
export async function clientView(deps: Deps, clientId: string): Promise<ClientView> {
  return toView(deps, await getClientRow(deps, clientId), new Map())
}

// ----- consent -----------------------------------------------------------------------------------

/**
 * The scopes a person must approve on the consent page. The district's own department systems
 * (clients registered with a department) get the non-sensitive scopes without asking; the
 * sensitive ones (ID number, phone) are always asked (PIPL: separate consent for sensitive
 * personal information). Other systems ask for everything but `openid`. Scopes the person
 * already granted this system are not asked again.
 */
export function scopesToAsk(options: {
  firstParty: boolean
  requested: readonly string[]
  granted: ReadonlySet<string>
}): ScopeName[] {
  const missing = options.requested.filter(isScope).filter((s) => s !== 'openid' && !options.granted.has(s))
  return options.firstParty ? missing.filter((s) => (SCOPES[s] as ScopeInfo).sensitive) : missing
}

/** Writes one SSO audit entry (login, consent, logout, token for a system) in its own transaction. */
export async function recordSsoEvent(deps: Deps, entry: Omit<AuditEntryInput, 'at'>): Promise<void> {
  await transaction(deps.db, async (trx) => {
    await appendAudit(trx, { at: deps.clock.now(), ...entry })
  })
}
