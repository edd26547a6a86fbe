/**
 * Administrative division codes (GB/T 2260, and GB/T 10114 for the town and village levels):
 * 6 digits for a province, prefecture or county (2 + 2 + 2), 9 for a town (乡镇街道), 12 for a
 * village (村居).
 */
import { normaliseInput, type ValidationResult } from './result.js'

/** The 34 provincial-level divisions of GB/T 2260, by their two-digit code. */
export const PROVINCES: Readonly<Record<string, string>> = {
  '11': '北京市',
  '12': '天津市',
  '13': '河北省',
  '14': '山西省',
  '15': '内蒙古自治区',
  '21': '辽宁省',
  '22': '吉林省',
  '23': '黑龙江省',
  '31': '上海市',
  '32': '江苏省',
  '33': '浙江省',
  '34': '安徽省',
  '35': '福建省',
  '36': '江西省',
  '37': '山东省',
  '41': '河南省',
  '42': '湖北省',
  '43': '湖南省',
  '44': '广东省',
  '45': '广西壮族自治区',
  '46': '海南省',
  '50': '重庆市',
  '51': '四川省',
  '52': '贵州省',
  '53': '云南省',
  '54': '西藏自治区',
  '61': '陕西省',
  '62': '甘肃省',
  '63': '青海省',
  '64': '宁夏回族自治区',
  '65': '新疆维吾尔自治区',
  '71': '台湾省',
  '81': '香港特别行政区',
  '82': '澳门特别行政区',
}

export interface KnownArea {
  name: string
  /** True when DOMAIN.md §6 states the code [C]; false for codes that are widely known but unchecked here. */
  confirmed: boolean
}

/**
 * The few codes the platform names without the area table of the organisation module (which is
 * the editable list). Only 潮安区 and 文祠镇 are confirmed in DOMAIN.md §6; the others are the
 * long-published GB/T 2260 codes of Guangdong and 潮州 (潮州市 is marked [U] in DOMAIN.md).
 */
export const KNOWN_AREAS: Readonly<Record<string, KnownArea>> = {
  '440000': { name: '广东省', confirmed: false }, // widely known, not in DOMAIN.md
  '445100': { name: '潮州市', confirmed: false }, // DOMAIN.md §6 lists it as [U]
  '445102': { name: '湘桥区', confirmed: false }, // widely known, not in DOMAIN.md
  '445103': { name: '潮安区', confirmed: true }, // DOMAIN.md §6 [C]
  '445103112': { name: '文祠镇', confirmed: true }, // DOMAIN.md §6 [C]
  '445122': { name: '饶平县', confirmed: false }, // widely known, not in DOMAIN.md
}

export type AreaLevel = 'province' | 'prefecture' | 'county' | 'town' | 'village'

export interface AreaCodeInfo {
  level: AreaLevel
  provinceCode: string
  provinceName: string
  /** The first six digits: the county-level part (for a province or prefecture, its own code). */
  countyCode: string
  /** Known only for the codes in KNOWN_AREAS. */
  name?: string
  /** Whether that name is confirmed (see KNOWN_AREAS). */
  nameConfirmed?: boolean
}

function levelOf(code: string): AreaLevel {
  const county = code.slice(0, 6)
  const town = code.slice(6, 9)
  const village = code.slice(9, 12)
  if (village !== '' && village !== '000') return 'village'
  if (town !== '' && town !== '000') return 'town'
  if (county.endsWith('0000')) return 'province'
  if (county.endsWith('00')) return 'prefecture'
  return 'county'
}

/** 445103112000 → 445103112; 445103000000 → 445103. */
function trimStatisticalPadding(code: string): string {
  if (code.length !== 12) return code
  if (code.endsWith('000000')) return code.slice(0, 6)
  if (code.endsWith('000')) return code.slice(0, 9)
  return code
}

/**
 * Checks an administrative division code: 6, 9 or 12 digits, starting with one of the 34
 * provincial codes. The value is the code as written; `info.level` says what it designates.
 * It does not check that the division exists (that needs the full list, which changes yearly).
 */
export function validateAreaCode(input: unknown): ValidationResult<string, AreaCodeInfo> {
  const code = normaliseInput(input)
  if (code === '') return { ok: false, message: '请填写行政区划代码' }
  if (!/^\d+$/.test(code)) return { ok: false, message: '行政区划代码只能包含数字' }
  if (code.length !== 6 && code.length !== 9 && code.length !== 12) {
    return { ok: false, message: '行政区划代码应为6位（县级及以上）、9位（乡镇街道）或12位（村居）数字' }
  }
  const provinceCode = code.slice(0, 2)
  const provinceName = PROVINCES[provinceCode]
  if (!provinceName) return { ok: false, message: `行政区划代码前两位「${provinceCode}」不是有效的省级代码` }
  if (code.slice(2, 4) === '00' && code.slice(4, 6) !== '00') {
    return { ok: false, message: '行政区划代码第3至4位为00（省级）时，第5至6位也应为00' }
  }
  const town = code.slice(6, 9)
  const village = code.slice(9, 12)
  // A 12-digit statistical code (统计用区划代码) pads the levels above it with zeros
  // (445103112000 is the town, 445103000000 the district); a village under town 000 is impossible.
  if ((code.length === 9 && town === '000') || (village !== '' && village !== '000' && town === '000')) {
    return { ok: false, message: '行政区划代码第7至9位（乡镇街道）不能为000' }
  }
  const known = KNOWN_AREAS[code] ?? KNOWN_AREAS[trimStatisticalPadding(code)]
  return {
    ok: true,
    value: code,
    info: {
      level: levelOf(code),
      provinceCode,
      provinceName,
      countyCode: code.slice(0, 6),
      ...(known ? { name: known.name, nameConfirmed: known.confirmed } : {}),
    },
  }
}
