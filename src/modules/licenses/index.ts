/**
 * The electronic license library (电子证照库): license types, licenses and their versions, the
 * departments' SM2 seal keys, signatures, verification (online and from a QR payload), and uses.
 * Formats and the verification recipe: docs/licenses.md.
 */
import type { Deps } from '../../platform/deps.js'
import type { AppModule } from '../../platform/module.js'
import { sendExpiryReminders } from './licenses.expiry.js'
import { runPendingImports } from './licenses.import.js'
import { SECURITY_KEYS } from './licenses.keys.js'
import { registerLicenseRoutes } from './licenses.routes.js'
import { seedLicenses } from './licenses.seed.js'
import { LICENSES_ISSUE, LICENSES_REVOKE } from './licenses.service.js'
import { registerStaffLicenseRoutes } from './licenses.staff.routes.js'
import { registerWalletRoutes } from './licenses.wallet.routes.js'

export {
  canonicalBytes,
  canonicalJson,
  decodePayload,
  encodePayload,
  PAYLOAD_PREFIX,
  parseCanonical,
  type SignedLicense,
} from './licenses.canonical.js'
export { type ImportCommandOutput, importLicensesCommand } from './licenses.cli.js'
export { type ReminderRound, sendExpiryReminders } from './licenses.expiry.js'
export type { LicenseField, LicenseFieldType } from './licenses.fields.js'
export {
  formatIdentifier,
  IDENTIFIER_PREFIX,
  type IdentifierCheck,
  type IdentifierParts,
  mod3736CheckCharacter,
  normaliseIdentifier,
  validateIdentifier,
} from './licenses.identifier.js'
export {
  ensureSealKey,
  generateSealKey,
  listSealKeyViews,
  type RequestContext as LicenseRequestContext,
  retireSealKey,
  rotateSealKey,
  SECURITY_KEYS,
  type SealKeyView,
} from './licenses.keys.js'
export {
  type ApplicationLicenseUse,
  type HeldLicenseData,
  heldLicenses,
  issueResultLicenseIn,
  licenseUseProblem,
  type ResultLicenseInput,
  type ResultLicenseOutcome,
  useLicenseForApplicationIn,
} from './licenses.reuse.js'
export { sealKeysDocument } from './licenses.routes.js'
export {
  findLicenseView,
  getLicense,
  getLicenseType,
  type IssueLicenseInput,
  issueLicense,
  issueLicenseIn,
  LICENSES_ISSUE,
  LICENSES_REVOKE,
  type LicenseActor,
  type LicenseHolderRef,
  type LicenseTypeView,
  type LicenseView,
  licensePayload,
  listHolderLicenses,
  type RecordUseInput,
  type ReissueLicenseInput,
  recordUse,
  recordUseIn,
  reissueLicense,
  reissueLicenseIn,
  revokeLicense,
  type VerificationResult,
  verifyLicense,
  verifyPayload,
} from './licenses.service.js'
export { OPENSSL_VERIFY_COMMAND, SM2_USER_ID, spkiPem } from './licenses.sm2.js'
export type { HolderKind, LicenseStatus, TrustGrade } from './licenses.tables.js'
export {
  checkPayload,
  type OfflineCheck,
  type PublicSealKey,
  STATE_LABELS,
  type VerificationState,
} from './licenses.verify.js'

export function createLicensesModule(deps: Deps): AppModule {
  return {
    name: 'licenses',
    nav: [
      { href: '/verify', label: '证照核验', order: 37 },
      { href: '/my/licenses', label: '我的证照', order: 32, visible: (p) => Boolean(p?.personId && !p.staffId) },
      {
        href: '/staff/licenses',
        label: '电子证照管理',
        order: 44,
        visible: (p) => Boolean(p?.permissions.has(LICENSES_REVOKE) || p?.permissions.has(LICENSES_ISSUE)),
      },
      {
        href: '/admin/seal-keys',
        label: '印章密钥',
        order: 201,
        visible: (p) => Boolean(p?.permissions.has(SECURITY_KEYS)),
      },
    ],
    register: (app) => {
      registerLicenseRoutes(app, deps)
      registerWalletRoutes(app, deps)
      registerStaffLicenseRoutes(app, deps)
    },
    sweeps: [
      // Hourly is plenty for a reminder 30 days ahead; one per license version (licenses.expiry.ts).
      { name: 'licenses.expiry', everyMs: 3_600_000, run: async () => void (await sendExpiryReminders(deps)) },
      // Imports confirmed on a node that stopped, or whose lease ran out (licenses.import.ts).
      { name: 'licenses.import', everyMs: 10_000, run: async () => void (await runPendingImports(deps)) },
    ],
    seed: (report, progress) => seedLicenses(deps, report, progress),
  }
}
