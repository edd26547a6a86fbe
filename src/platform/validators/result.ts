/** What every validator returns: the normalised value and what it tells, or a message for people. */
export interface Valid<T, I> {
  ok: true
  /** The input normalised (trimmed, upper-case, prefixes removed): store this, not the input. */
  value: T
  info: I
}

export interface Invalid {
  ok: false
  /** Simplified Chinese, saying what is wrong and what to write instead. */
  message: string
}

export type ValidationResult<T, I> = Valid<T, I> | Invalid

/**
 * NFKC turns full-width digits and letters (what a Chinese input method often types:
 * `１３８`, `ｘ`) into ASCII, and the ideographic space into a plain space.
 */
export function normaliseInput(input: unknown): string {
  return typeof input === 'string' ? input.normalize('NFKC').trim() : ''
}
