/**
 * Channels (每个渠道、每个人): the installable web app for phones (manifest, service worker,
 * offline page) and the hall kiosk (自助终端). See docs/channels.md.
 */
import type { Deps } from '../../platform/deps.js'
import type { AppModule } from '../../platform/module.js'
import { kioskInactivityGuard, registerChannelRoutes } from './channels.routes.js'

export function createChannelsModule(deps: Deps): AppModule {
  const guard = kioskInactivityGuard(deps)
  return {
    name: 'channels',
    register: (app) => registerChannelRoutes(app, deps),
    onRequest: guard,
  }
}
