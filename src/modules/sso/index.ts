/**
 * Single sign-on (统一身份认证、单点登录): the platform as an OpenID Provider for the district's
 * department systems, at /oidc, and the register of those systems (/admin/clients).
 */
import type { Deps } from '../../platform/deps.js'
import type { AppModule } from '../../platform/module.js'
import { createSsoProvider, type SsoProvider } from './sso.provider.js'
import { purgeExpiredModels } from './sso.repository.js'
import { ADMIN_CLIENTS, registerSsoRoutes } from './sso.routes.js'
import { seedSso } from './sso.seed.js'

export { DEMO_CLIENT_ID, DEMO_PUBLIC_CLIENT_ID, DEMO_REDIRECT_URI } from './sso.seed.js'

/**
 * The provider is made on first use, not at start: it reads its keys from the database, and a
 * node must start (and answer /readyz with 503) while the database is down. A failed attempt is
 * forgotten, so the next request tries again.
 */
function lazyProvider(deps: Deps): () => Promise<SsoProvider> {
  let made: Promise<SsoProvider> | undefined
  return () => {
    made ??= createSsoProvider(deps).catch((error: unknown) => {
      made = undefined
      throw error
    })
    return made
  }
}

export function createSsoModule(deps: Deps): AppModule {
  return {
    name: 'sso',
    nav: [
      {
        href: '/admin/clients',
        label: '接入系统',
        order: 200,
        visible: (p) => Boolean(p?.permissions.has(ADMIN_CLIENTS)),
      },
    ],
    register: (app) => registerSsoRoutes(app, deps, lazyProvider(deps)),
    seed: (report, progress) => seedSso(deps, report, progress),
    sweeps: [
      {
        name: 'sso.purge',
        everyMs: 15 * 60_000,
        // Expired tokens, sessions and interactions; a plain delete, safe on every node at once.
        run: async () => {
          await purgeExpiredModels(deps.db, new Date().toISOString())
        },
      },
    ],
  }
}
