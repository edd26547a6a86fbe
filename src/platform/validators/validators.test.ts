import { describe, expect, it } from 'vitest'
import {
  maskCitizenId,
  maskMobile,
  maskName,
  validateAreaCode,
  validateCitizenId,
  validateCreditCode,
  validateMobile,
} from './index.js'

const today = '2026-03-02'

describe('validateCitizenId', () => {
  it('accepts the example of DOMAIN.md and tells birth date, sex and area', () => {
    expect(validateCitizenId('34052419800101001X', { today })).toEqual({
      ok: true,
      value: '34052419800101001X',
      info: { birthDate: '1980-01-01', sex: 'male', areaCode: '340524' },
    })
  })

  it.each([
    // The example of GB 11643 itself: a woman born 1949-12-31 in 北京市朝阳区.
    ['11010519491231002X', '1949-12-31', 'female'],
    ['445103199001011230', '1990-01-01', 'male'],
    ['445103199001011249', '1990-01-01', 'female'],
    ['445122200002290037', '2000-02-29', 'male'],
    // Born today.
    ['445103202603020016', '2026-03-02', 'male'],
    // Residence permits of Hong Kong and Taiwan residents.
    ['810000198512310027', '1985-12-31', 'female'],
    ['830000199001010012', '1990-01-01', 'male'],
  ])('accepts %s', (id, birthDate, sex) => {
    expect(validateCitizenId(id, { today })).toMatchObject({ ok: true, value: id, info: { birthDate, sex } })
  })

  it('accepts a lower-case x, full-width characters and spaces around, and normalises them', () => {
    expect(validateCitizenId('34052419800101001x', { today })).toMatchObject({ ok: true, value: '34052419800101001X' })
    expect(validateCitizenId(' ３４０５２４１９８００１０１００１Ｘ ', { today })).toMatchObject({
      ok: true,
      value: '34052419800101001X',
    })
  })

  it.each([
    ['34052419800101001Y', '最后一位'],
    ['340524198001010019', '校验位'],
    ['34052419800101001', '18位'],
    ['34052419800101001X1', '18位'],
    ['340524800101001', '15位'],
    ['3405241980A101001X', '前17位应为数字'],
    ['X40524198001010011', '前17位应为数字'],
    ['990524198001010011', '地址码'],
    ['000524198001010011', '地址码'],
    ['445103198002300016', '不是有效日期'],
    ['445103198013010016', '不是有效日期'],
    ['445103190002290016', '不是有效日期'],
    ['445103189912310016', '早于1900年'],
    ['445103202603030016', '晚于今天'],
    ['', '请填写'],
  ])('rejects %j (%s)', (id, fragment) => {
    const result = validateCitizenId(id, { today })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.message).toContain(fragment)
  })

  it('rejects what is not a string', () => {
    expect(validateCitizenId(undefined).ok).toBe(false)
    expect(validateCitizenId(34052419800101).ok).toBe(false)
  })

  it('judges "the future" against today in Asia/Shanghai by default', () => {
    expect(validateCitizenId('445103209901010015').ok).toBe(false)
  })
})

describe('maskCitizenId', () => {
  it('shows the first 6 and last 4 characters', () => {
    expect(maskCitizenId('445103199001011234')).toBe('445103********1234')
    expect(maskCitizenId('34052419800101001X')).toBe('340524********001X')
  })

  it('masks a short value whole', () => {
    expect(maskCitizenId('1234')).toBe('****')
  })
})

describe('validateCreditCode', () => {
  // Codes published on public records, checked here with GB 32100's algorithm.
  it.each([
    '91350100M000100Y43',
    '91440300708461136T', // 腾讯科技（深圳）有限公司
    '914403001922038216', // 华为技术有限公司
    '91110108551385082Q',
    '91100000100003962T',
  ])('accepts the public code %s', (code) => {
    expect(validateCreditCode(code)).toMatchObject({ ok: true, value: code })
  })

  it('accepts codes made with the algorithm and tells their parts', () => {
    expect(validateCreditCode('52445103MJ1234567R')).toEqual({
      ok: true,
      value: '52445103MJ1234567R',
      info: { registrationAuthorityCode: '5', categoryCode: '2', areaCode: '445103', organisationCode: 'MJ1234567' },
    })
    expect(validateCreditCode('12445103MB2C34560R').ok).toBe(true)
    // The check value 31 is written 0.
    expect(validateCreditCode('914451000000000002').ok).toBe(true)
  })

  it('accepts lower case and surrounding spaces', () => {
    expect(validateCreditCode(' 91350100m000100y43 ')).toMatchObject({ ok: true, value: '91350100M000100Y43' })
  })

  it('lets an officer override a wrong check character, as a warning', () => {
    const result = validateCreditCode('91350100M000100Y44')
    expect(result).toMatchObject({ ok: false, overridable: true, value: '91350100M000100Y44' })
    if (!result.ok) expect(result.message).toContain('校验位')
  })

  it.each([
    ['91350100I000100Y43', '第9位「I」'],
    ['91350100O000100Y43', '第9位「O」'],
    ['91350100S000100Y43', '第9位「S」'],
    ['91350100V000100Y43', '第9位「V」'],
    ['91350100M000100Z43', '第16位「Z」'],
    ['91350100M000100Y4-', '第18位'],
    ['91350100M000100Y4', '18位'],
    ['91350100M000100Y433', '18位'],
    ['91A50100M000100Y42', '第3至8位'],
    ['', '请填写'],
  ])('refuses %j for good (%s)', (code, fragment) => {
    const result = validateCreditCode(code)
    expect(result).toMatchObject({ ok: false, overridable: false })
    if (!result.ok) expect(result.message).toContain(fragment)
  })
})

describe('validateMobile', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['19912345678', '19912345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['86-138-1234-5678', '13812345678'],
    ['008613812345678', '13812345678'],
    ['１３８１２３４５６７８', '13812345678'],
  ])('accepts %j as %s', (input, value) => {
    expect(validateMobile(input)).toEqual({ ok: true, value, info: { prefix: value.slice(0, 3) } })
  })

  it.each([
    ['12812345678', '13至19开头'],
    ['1381234567', '11位'],
    ['138123456789', '11位'],
    ['1381234567a', '只能包含数字'],
    ['+1 415 555 2671', '中国大陆'],
    ['', '请填写'],
  ])('rejects %j (%s)', (input, fragment) => {
    const result = validateMobile(input)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.message).toContain(fragment)
  })
})

describe('masks', () => {
  it('show a mobile number as 138****5678', () => {
    expect(maskMobile('13812345678')).toBe('138****5678')
    expect(maskMobile('12345')).toBe('*****')
  })

  it.each([
    ['张三', '张*'],
    ['张三丰', '张**'],
    ['欧阳娜娜', '欧阳**'],
    ['欧阳修', '欧阳*'],
    ['司马', '司*'],
    ['买买提·艾力', '买**·**'],
    ['王', '*'],
    ['', ''],
  ])('show the name %j as %j', (name, masked) => {
    expect(maskName(name)).toBe(masked)
  })
})

describe('validateAreaCode', () => {
  it('names 潮安区 and 文祠镇, confirmed in DOMAIN.md', () => {
    expect(validateAreaCode('445103')).toEqual({
      ok: true,
      value: '445103',
      info: {
        level: 'county',
        provinceCode: '44',
        provinceName: '广东省',
        countyCode: '445103',
        name: '潮安区',
        nameConfirmed: true,
      },
    })
    expect(validateAreaCode('445103112')).toMatchObject({
      ok: true,
      info: { level: 'town', countyCode: '445103', name: '文祠镇', nameConfirmed: true },
    })
  })

  it('names the other 潮州 codes without claiming they are confirmed', () => {
    expect(validateAreaCode('445100')).toMatchObject({
      info: { level: 'prefecture', name: '潮州市', nameConfirmed: false },
    })
    expect(validateAreaCode('440000')).toMatchObject({
      info: { level: 'province', name: '广东省', nameConfirmed: false },
    })
    expect(validateAreaCode('445122')).toMatchObject({ info: { level: 'county', name: '饶平县' } })
  })

  it('reads 12-digit statistical codes, which pad the upper levels with zeros', () => {
    expect(validateAreaCode('445103112000')).toMatchObject({ ok: true, info: { level: 'town', name: '文祠镇' } })
    expect(validateAreaCode('445103112201')).toMatchObject({ ok: true, info: { level: 'village' } })
    expect(validateAreaCode('445103000000')).toMatchObject({ ok: true, info: { level: 'county', name: '潮安区' } })
  })

  it('accepts a code of any province, without a name', () => {
    expect(validateAreaCode('110105')).toMatchObject({ ok: true, info: { provinceName: '北京市', level: 'county' } })
    expect(validateAreaCode('820000')).toMatchObject({ ok: true, info: { level: 'province' } })
    const beijing = validateAreaCode('110105')
    expect(beijing.ok && beijing.info.name).toBeUndefined()
  })

  it.each([
    ['4451', '6位'],
    ['44510311', '6位'],
    ['4451031120001', '6位'],
    ['44510a', '只能包含数字'],
    ['995103', '省级代码'],
    ['005103', '省级代码'],
    ['835103', '省级代码'],
    ['440012', '第5至6位'],
    ['445103000', '乡镇街道'],
    ['445103000201', '乡镇街道'],
    ['', '请填写'],
  ])('rejects %j (%s)', (code, fragment) => {
    const result = validateAreaCode(code)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.message).toContain(fragment)
  })
})
