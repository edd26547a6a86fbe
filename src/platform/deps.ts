import type { Clock } from './clock.js'
import type { Config } from './config.js'
import type { Db, Dialect } from './db/database.js'
import type { AssetManifest } from './http/assets.js'

/**
 * The platform services every module may use, wired by hand in composition.ts.
 * Tests build their own with any part replaced.
 */
export interface Deps {
  config: Config
  db: Db
  dialect: Dialect
  clock: Clock
  assets: AssetManifest
}
