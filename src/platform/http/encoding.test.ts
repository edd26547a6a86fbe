import { describe, expect, it } from 'vitest'
import { preferredEncoding } from './encoding.js'

describe('the encoding of a kept page or an asset', () => {
  it('is brotli or gzip by the weights of Accept-Encoding, brotli on a tie', () => {
    expect(preferredEncoding('gzip, deflate, br, zstd')).toBe('br')
    expect(preferredEncoding('gzip, deflate')).toBe('gzip')
    expect(preferredEncoding('br;q=0.5, gzip')).toBe('gzip')
    expect(preferredEncoding('br;q=1.0, gzip;q=0.8')).toBe('br')
    expect(preferredEncoding('x-gzip')).toBe('gzip')
    expect(preferredEncoding('*')).toBe('br')
    expect(preferredEncoding('*;q=0.5, br;q=0')).toBe('gzip')
    expect(preferredEncoding('GZIP;Q=0.4')).toBe('gzip')
    for (const none of [undefined, '', 'identity', 'deflate', 'gzip;q=0, br;q=0', '*;q=0', 'br;q=abc'])
      expect(preferredEncoding(none), String(none)).toBeUndefined()
    // Without brotli to send: gzip only where gzip is acceptable.
    expect(preferredEncoding('gzip, deflate, br', false)).toBe('gzip')
    expect(preferredEncoding('br, gzip;q=0', false)).toBeUndefined()
    expect(preferredEncoding('br', false)).toBeUndefined()
    // The same header again (worked out once) gives the same answer.
    expect(preferredEncoding('br;q=0.5, gzip')).toBe('gzip')
  })
})
