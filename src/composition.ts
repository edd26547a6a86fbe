/**
 * Wires the application by hand: the database, the clock, the platform services and the
 * modules. Tests call createDeps with overrides; nothing here is global.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createApplicationsModule } from './modules/applications/index.js'
import { createCatalogModule } from './modules/catalog/index.js'
import { createChannelsModule } from './modules/channels/index.js'
import { createIdentityModule } from './modules/identity/index.js'
import { createLicensesModule } from './modules/licenses/index.js'
import { createNotificationsModule } from './modules/notifications/index.js'
import { createPortalModule } from './modules/portal/index.js'
import { createRatingsModule } from './modules/ratings/index.js'
import { createSsoModule } from './modules/sso/index.js'
import { createSupervisionModule, publicStatisticsSection } from './modules/supervision/index.js'
import { createCalendarService } from './platform/calendar/index.js'
import { systemClock } from './platform/clock.js'
import type { Config } from './platform/config.js'
import { loadFieldCrypto } from './platform/crypto/field-crypto.js'
import { createDatabase, dialectOf } from './platform/db/database.js'
import type { Deps } from './platform/deps.js'
import { LocalFileStore } from './platform/files/files.js'
import { AssetManifest } from './platform/http/assets.js'
import type { AppModule } from './platform/module.js'
import { createPlatformModule } from './platform/platform.module.js'
import { DevSmsGateway } from './platform/sms.js'

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

let sharedAssets: AssetManifest | undefined
/** The assets are read once per process: they do not change while it runs. */
export function loadAssets(): AssetManifest {
  sharedAssets ??= new AssetManifest(path.join(PROJECT_ROOT, 'public'))
  return sharedAssets
}

export function createDeps(config: Config, overrides: Partial<Deps> = {}): Deps {
  const db = overrides.db ?? createDatabase(config.database)
  return {
    config,
    db,
    dialect: dialectOf(db),
    clock: overrides.clock ?? systemClock,
    assets: overrides.assets ?? loadAssets(),
    files: overrides.files ?? new LocalFileStore({ root: config.filesDir, db, clock: overrides.clock ?? systemClock }),
    fieldCrypto:
      overrides.fieldCrypto ??
      loadFieldCrypto(
        process.env,
        config.dataDir,
        config.env === 'test' || (config.database.dialect === 'sqlite' && config.database.file === ':memory:'),
      ),
    calendar: overrides.calendar ?? createCalendarService({ db, clock: overrides.clock ?? systemClock }),
    sms: overrides.sms ?? new DevSmsGateway(db, overrides.clock ?? systemClock),
    ...overrides,
  }
}

export function createModules(deps: Deps): AppModule[] {
  return [
    createPlatformModule(deps),
    createPortalModule(deps),
    createIdentityModule(deps),
    createCatalogModule(deps),
    createApplicationsModule(deps),
    createLicensesModule(deps),
    createNotificationsModule(deps),
    // 好差评公示 shows the public efficiency figures of supervision (the plan: 在线监管全流程公开).
    createRatingsModule(deps, { publicExtra: (period) => publicStatisticsSection(deps, period) }),
    createSupervisionModule(deps),
    createSsoModule(deps),
    createChannelsModule(deps),
  ]
}
