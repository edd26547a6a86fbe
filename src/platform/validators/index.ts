/**
 * Identifier validators (DOMAIN.md §6): pure functions with messages in Simplified Chinese.
 * Each returns `{ ok: true, value, info }` with the normalised value, or `{ ok: false, message }`.
 */
export {
  type AreaCodeInfo,
  type AreaLevel,
  KNOWN_AREAS,
  type KnownArea,
  PROVINCES,
  validateAreaCode,
} from './area-code.js'
export { type CitizenIdInfo, citizenIdCheckCharacter, maskCitizenId, validateCitizenId } from './citizen-id.js'
export {
  CREDIT_CODE_ALPHABET,
  type CreditCodeInfo,
  type CreditCodeResult,
  creditCodeCheckCharacter,
  validateCreditCode,
} from './credit-code.js'
export { type MobileInfo, maskMobile, maskName, validateMobile } from './mobile.js'
export { type Invalid, normaliseInput, type Valid, type ValidationResult } from './result.js'
