import { describe, expect, it } from 'vitest'
import { formatIdentifier, mod3736CheckCharacter, validateIdentifier } from './licenses.identifier.js'

/** Real identifiers that check (DOMAIN.md §5). */
const PUBLISHED = [
  '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U',
  '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S',
]
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'

describe('ISO/IEC 7064 MOD 37,36 check character', () => {
  it('gives the check characters of the two published identifiers', () => {
    expect(mod3736CheckCharacter('11100000000013338W01111430000006122244L20230000403001')).toBe('U')
    expect(mod3736CheckCharacter('11100000000013338W01111430000006122244L20230000403002')).toBe('S')
  })

  it('refuses characters outside 0-9 A-Z', () => {
    expect(() => mod3736CheckCharacter('12a')).toThrow()
  })
})

describe('validateIdentifier', () => {
  it.each(PUBLISHED)('accepts the published identifier %s', (identifier) => {
    const result = validateIdentifier(identifier)
    expect(result).toMatchObject({
      ok: true,
      value: identifier,
      parts: { typeCode: '11100000000013338W011', issuerCode: '11430000006122244L', serial: '20230000403' },
    })
  })

  it('rebuilds the published identifiers from their parts', () => {
    const parts = { typeCode: '11100000000013338W011', issuerCode: '11430000006122244L', serial: '20230000403' }
    expect(formatIdentifier({ ...parts, version: 1 })).toBe(PUBLISHED[0])
    expect(formatIdentifier({ ...parts, version: 2 })).toBe(PUBLISHED[1])
  })

  it('refuses every single-character change of the checked part (MOD 37,36 catches all of them)', () => {
    for (const identifier of PUBLISHED) {
      let tried = 0
      for (let i = 15; i < identifier.length; i++) {
        if (identifier[i] === '.') continue
        for (const c of ALPHABET) {
          if (c === identifier[i]) continue
          const changed = identifier.slice(0, i) + c + identifier.slice(i + 1)
          const result = validateIdentifier(changed)
          expect(result.ok, changed).toBe(false)
          tried++
        }
      }
      expect(tried).toBeGreaterThan(50 * 35)
    }
  })

  it('refuses swapped neighbouring characters', () => {
    const id = PUBLISHED[0]!
    const i = id.indexOf('20230000403') + 3 // "30" → "03"
    const swapped = id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2)
    expect(validateIdentifier(swapped)).toMatchObject({ ok: false, message: expect.stringContaining('校验位不正确') })
  })

  it('accepts what people paste: lower case, spaces, full-width characters', () => {
    const messy = ` ${PUBLISHED[0]!.toLowerCase().replace('.001.', '．００１．')} `
    expect(validateIdentifier(messy)).toMatchObject({ ok: true, value: PUBLISHED[0] })
  })

  it.each([
    ['', '请填写电子证照标识'],
    ['1.2.156.3005.1.11100000000013338W011.11430000006122244L.20230000403.001.U', '应以「1.2.156.3005.2.」开头'],
    ['1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001', '格式不正确'],
    ['1.2.156.3005.2.11100000000013338W01.11430000006122244L.20230000403.001.U', '证照类型代码应为21位'],
    ['1.2.156.3005.2.11100000000013338W011.1143000000612224.20230000403.001.U', '颁发机构代码应为18位'],
    ['1.2.156.3005.2.11100000000013338W011.11430000006122244L..001.U', '流水号'],
    ['1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U', '版本号应为3位数字'],
    ['1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.000.U', '版本号应为3位数字'],
    ['1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.V', '校验位不正确'],
  ])('explains what is wrong with %j', (input, message) => {
    const result = validateIdentifier(input)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.message).toContain(message)
  })
})
