import type { Deps } from '../../platform/deps.js'
import type { AppModule } from '../../platform/module.js'
import { registerPortalRoutes } from './portal.routes.js'

/** The public face: home page, 长者模式, accessibility and privacy statements. */
export function createPortalModule(deps: Deps): AppModule {
  return {
    name: 'portal',
    nav: [{ href: '/', label: '首页', order: 0 }],
    register: (app) => registerPortalRoutes(app, deps),
  }
}
