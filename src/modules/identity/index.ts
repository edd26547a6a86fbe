/**
 * Identity: people, accounts, staff, departments, sessions and login (统一身份认证).
 * Other modules use the principal on the request and these functions.
 */
import type { Deps } from '../../platform/deps.js'
import { cookieName } from '../../platform/http/security.js'
import type { AppModule } from '../../platform/module.js'
import { registerIdentityRoutes, SESSION_COOKIE_BASE } from './identity.routes.js'
import { seedIdentity } from './identity.seed.js'
import { principalForToken } from './identity.service.js'

export { permissionsOf, ROLES, type RoleCode, roleName } from './identity.roles.js'
export { hashPassword } from './identity.service.js'

export function createIdentityModule(deps: Deps): AppModule {
  const sessionCookie = cookieName(SESSION_COOKIE_BASE, deps.config.secureCookies)
  return {
    name: 'identity',
    nav: [
      { href: '/login', label: '登录', order: 100, visible: (p) => !p },
      { href: '/my/account', label: '我的账号', order: 90, visible: (p) => Boolean(p) },
    ],
    register: (app) => registerIdentityRoutes(app, deps),
    seed: (report, progress) => seedIdentity(deps, report, progress),
    resolvePrincipal: async (request) => {
      const token = request.cookies?.[sessionCookie]
      return token ? principalForToken(deps, token) : undefined
    },
  }
}
