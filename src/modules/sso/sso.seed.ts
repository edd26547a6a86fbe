/**
 * Demo data: two department systems a developer can try single sign-on with, from a local app
 * on http://127.0.0.1:8765. Idempotent: a client that exists is left alone, and its secret is
 * printed only by the run that created it.
 */
import type { Deps } from '../../platform/deps.js'
import type { SeedReport } from '../../platform/module.js'
import { departmentIdByCode } from '../identity/index.js'
import { findClient } from './sso.repository.js'
import { registerClient } from './sso.service.js'

export const DEMO_CLIENT_ID = 'demo-department-system'
export const DEMO_PUBLIC_CLIENT_ID = 'demo-public-app'
export const DEMO_REDIRECT_URI = 'http://127.0.0.1:8765/callback'
export const DEMO_POST_LOGOUT_URI = 'http://127.0.0.1:8765/'

export async function seedSso(deps: Deps, report: SeedReport, progress: (m: string) => void): Promise<void> {
  const lines: string[] = []
  if (!(await findClient(deps.db, DEMO_CLIENT_ID))) {
    const created = await registerClient(deps, undefined, {
      clientId: DEMO_CLIENT_ID,
      name: '区市场监管业务系统（演示）',
      departmentId: (await departmentIdByCode(deps, 'scj')) ?? '',
      authMethod: 'client_secret_basic',
      redirectUris: DEMO_REDIRECT_URI,
      postLogoutRedirectUris: DEMO_POST_LOGOUT_URI,
      scopes: ['openid', 'profile', 'department', 'offline_access', 'api:data-exchange'],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      fullIdNumberAllowed: false,
    })
    lines.push(`  ${DEMO_CLIENT_ID}（机密客户端）密钥：${created.secret}`)
  }
  if (!(await findClient(deps.db, DEMO_PUBLIC_CLIENT_ID))) {
    await registerClient(deps, undefined, {
      clientId: DEMO_PUBLIC_CLIENT_ID,
      name: '掌上办事演示应用（公开客户端）',
      departmentId: '',
      authMethod: 'none',
      redirectUris: DEMO_REDIRECT_URI,
      postLogoutRedirectUris: DEMO_POST_LOGOUT_URI,
      scopes: ['openid', 'profile', 'phone'],
      grantTypes: ['authorization_code'],
      fullIdNumberAllowed: false,
    })
    lines.push(`  ${DEMO_PUBLIC_CLIENT_ID}（公开客户端，须用 PKCE，无密钥）`)
  }
  progress(`单点登录演示接入系统：新建 ${lines.length} 个`)
  if (lines.length > 0) {
    report.announcements.push(
      `单点登录（OpenID Connect）：${deps.config.baseUrl}/oidc/.well-known/openid-configuration ，回调地址 ${DEMO_REDIRECT_URI}`,
      ...lines,
    )
  }
}
