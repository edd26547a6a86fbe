import type { CalendarService } from './calendar/calendar.service.js'
import type { Clock } from './clock.js'
import type { Config } from './config.js'
import type { FieldCrypto } from './crypto/field-crypto.js'
import type { Db, Dialect } from './db/database.js'
import type { FileStore } from './files/files.js'
import type { AssetManifest } from './http/assets.js'
import type { SmsGateway } from './sms.js'

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
  /** Uploaded and generated files, content-addressed (sha256). */
  files: FileStore
  /** Encrypts sensitive columns (ID numbers, phones, addresses) and makes their blind indexes. */
  fieldCrypto: FieldCrypto
  /** The working-day calendar (holidays, 调休), cached; `load()` gives a `WorkingCalendar`. */
  calendar: CalendarService
  /** Sends text messages now (one-time codes). */
  sms: SmsGateway
}
