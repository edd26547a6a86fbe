import ExcelJS from 'exceljs'
import { Value } from 'typebox/value'
import { describe, expect, it } from 'vitest'
// Tests may reach into another module's seed data (dependency-cruiser skips test files).
import { DEPARTMENTS } from '../identity/identity.seed-data.js'
import { renderBlankForm } from './catalog.blank-forms.js'
import { DEMO_ITEMS } from './catalog.demo-items.js'
import { DEMO_THEMES } from './catalog.demo-themes.js'
import { ItemElements, TASK_TYPES } from './catalog.model.js'
import { checkItemRules } from './catalog.rules.js'
import { applicableItems } from './catalog.themes.js'

const REQUIRED_NAMES = [
  '企业设立登记',
  '企业注销登记',
  '个体工商户设立登记',
  '食品经营许可',
  '公共场所卫生许可',
  '居民身份证换领',
  '户口迁移',
  '出生登记',
  '结婚登记',
  '生育登记',
  '义务教育阶段入学',
  '失业保险金申领',
  '基本养老金申领',
  '社会保障卡申领',
  '城乡居民基本医疗保险参保登记',
  '异地就医备案',
  '最低生活保障审批',
  '残疾人证办理',
  '建筑工程施工许可',
  '农村宅基地审批',
  '不动产登记',
  '互联网上网服务营业场所经营许可',
  '烟花爆竹经营(零售)许可',
  '建设项目环境影响评价审批',
  '企业投资项目备案',
  '教师资格认定',
  '医师执业注册',
  '道路运输经营许可',
  '普通护照签发',
]

const creditCodeOf = new Map(DEPARTMENTS.map((d) => [d.code, d.creditCode]))
const knownDepartments = new Set(DEPARTMENTS.map((d) => d.code))

/** catalogCode = 2-digit task type + department segment (4) + 6-digit sequence. */
function expectedPrefix(taskType: string, departmentCode: string): string {
  return taskType.padStart(2, '0') + departmentCode.toUpperCase().padEnd(4, '0')
}

describe('demo catalog items', () => {
  it('has at least 64 items across at least 14 departments, all of them known', () => {
    expect(DEMO_ITEMS.length).toBeGreaterThanOrEqual(64)
    const departments = new Set(DEMO_ITEMS.map((i) => i.departmentCode))
    expect(departments.size).toBeGreaterThanOrEqual(14)
    for (const code of departments) expect(knownDepartments, code).toContain(code)
  })

  it('includes every required item by its exact name, and names are unique', () => {
    const names = DEMO_ITEMS.map((i) => i.elements.taskName)
    expect(new Set(names).size).toBe(names.length)
    const missing = REQUIRED_NAMES.filter((n) => !names.includes(n))
    expect(missing).toEqual([])
  })

  it('gives every item a unique, well-formed catalogCode following the documented pattern', () => {
    const codes = DEMO_ITEMS.map((i) => i.elements.catalogCode)
    expect(new Set(codes).size).toBe(codes.length)
    for (const item of DEMO_ITEMS) {
      const { catalogCode, taskType, taskName } = item.elements
      expect(catalogCode, taskName).toMatch(/^[0-9A-Z]{12}$/)
      expect(catalogCode.slice(0, 6), taskName).toBe(expectedPrefix(taskType, item.departmentCode))
      expect(catalogCode.slice(6), taskName).toMatch(/^\d{6}$/)
      expect(Object.keys(TASK_TYPES)).toContain(taskType)
    }
  })

  it('never reuses a sequence number within a department', () => {
    const seen = new Set<string>()
    for (const item of DEMO_ITEMS) {
      const key = `${item.departmentCode}:${item.elements.catalogCode.slice(6)}`
      expect(seen.has(key), key).toBe(false)
      seen.add(key)
    }
  })

  it('would report a broken item (the check below is not vacuous)', () => {
    const item = DEMO_ITEMS[0]!
    const creditCode = creditCodeOf.get(item.departmentCode)!
    const broken = {
      ...item.elements,
      taskCode: `${creditCode}${item.elements.catalogCode}`,
      projectType: '承诺件' as const,
      promiseDay: 0,
    }
    expect(checkItemRules(broken, { deptCreditCode: creditCode, knownDepartments })).not.toEqual([])
    expect(Value.Check(ItemElements, { ...broken, catalogCode: 'bad' })).toBe(false)
  })

  it.each(DEMO_ITEMS.map((item) => [item.elements.taskName, item] as const))(
    '%s passes the schema and every consistency rule',
    (_name, item) => {
      const creditCode = creditCodeOf.get(item.departmentCode)
      expect(creditCode, `department ${item.departmentCode}`).toBeDefined()
      const elements = { ...item.elements, taskCode: `${creditCode}${item.elements.catalogCode}` }
      const schemaErrors = Value.Check(ItemElements, elements)
        ? []
        : [...Value.Errors(ItemElements, elements)].map((e) => `${e.instancePath} ${e.message}`)
      expect(schemaErrors).toEqual([])
      const problems = checkItemRules(elements, { deptCreditCode: creditCode ?? null, knownDepartments })
      expect(problems).toEqual([])
    },
  )

  it('keeps materialCodes unique within each item and blank forms tied to real materials', () => {
    for (const item of DEMO_ITEMS) {
      const codes = item.elements.materials.map((m) => m.materialCode)
      expect(new Set(codes).size, item.elements.taskName).toBe(codes.length)
      for (const key of Object.keys(item.blankForms ?? {})) {
        expect(codes, `${item.elements.taskName}: blank form ${key}`).toContain(key)
      }
    }
  })

  it('provides a blank form for every 申请表 / 申请书 material, at least 15 in all', () => {
    const missing: string[] = []
    let count = 0
    for (const item of DEMO_ITEMS) {
      for (const m of item.elements.materials) {
        if (/申请表|申请书/.test(m.materialName) && !item.blankForms?.[m.materialCode]) {
          missing.push(`${item.elements.taskName}: ${m.materialName}`)
        }
      }
      count += Object.keys(item.blankForms ?? {}).length
    }
    expect(missing).toEqual([])
    expect(count).toBeGreaterThanOrEqual(15)
    const food = DEMO_ITEMS.find((i) => i.elements.taskName === '食品经营许可')
    expect(Object.values(food?.blankForms ?? {}).map((f) => f.title)).toContain('食品经营许可申请书')
  })

  it('uses the agreed e-licence type codes only', () => {
    const codes = new Set([
      'resident_id',
      'business_license',
      'household_register',
      'marriage_cert',
      'birth_cert',
      'food_license',
      'real_estate_cert',
      'disability_cert',
      'social_security_card',
    ])
    for (const item of DEMO_ITEMS) {
      const used = [
        item.elements.resultLicenseTypeCode,
        ...item.elements.materials.map((m) => m.licenseTypeCode),
      ].filter((c): c is string => Boolean(c))
      for (const code of used) expect(codes, item.elements.taskName).toContain(code)
    }
  })

  it('writes 2 to 4 FAQ rows, keywords and a summary for each item', () => {
    for (const item of DEMO_ITEMS) {
      const e = item.elements
      expect(e.faqs.length, e.taskName).toBeGreaterThanOrEqual(2)
      expect(e.faqs.length, e.taskName).toBeLessThanOrEqual(4)
      expect(e.keywords.length, e.taskName).toBeGreaterThan(0)
      expect(e.summary.length, e.taskName).toBeGreaterThan(10)
      expect(e.materials.length, e.taskName).toBeGreaterThan(0)
      expect(e.topics.length, e.taskName).toBeGreaterThan(0)
    }
  })
})

describe('demo themes (一件事)', () => {
  const byCode = new Map(DEMO_ITEMS.map((i) => [i.elements.catalogCode, i]))

  it('has the three required themes', () => {
    const names = DEMO_THEMES.map((t) => t.name)
    for (const name of ['开办餐饮店', '新生儿出生', '退休']) expect(names).toContain(name)
    expect(new Set(DEMO_THEMES.map((t) => t.code)).size).toBe(DEMO_THEMES.length)
  })

  it.each(DEMO_THEMES.map((t) => [t.name, t] as const))(
    '%s refers only to real items, questions and options',
    (_n, theme) => {
      const questionCodes = theme.questions.map((q) => q.code)
      expect(new Set(questionCodes).size).toBe(questionCodes.length)
      for (const ref of theme.items) {
        const item = byCode.get(ref.catalogCode)
        expect(item, ref.catalogCode).toBeDefined()
        expect(item?.departmentCode, ref.catalogCode).toBe(ref.departmentCode)
        for (const [questionCode, values] of Object.entries(ref.when ?? {})) {
          const question = theme.questions.find((q) => q.code === questionCode)
          expect(question, `${ref.catalogCode} when ${questionCode}`).toBeDefined()
          const options = question?.options.map((o) => o.value) ?? []
          expect(values.length).toBeGreaterThan(0)
          for (const value of values) expect(options, `${questionCode}=${value}`).toContain(value)
        }
      }
    },
  )
})

describe('choosing the items of a theme', () => {
  const restaurant = DEMO_THEMES.find((t) => t.code === 'open_restaurant')!
  const names = (answers: Record<string, string>) =>
    applicableItems(restaurant, answers).map(
      (ref) => DEMO_ITEMS.find((i) => i.elements.catalogCode === ref.catalogCode)?.elements.taskName,
    )

  it('gives a family noodle shop with a sign and a kitchen what it needs, and nothing else', () => {
    expect(
      names({
        subject: 'individual',
        food_prep: 'yes',
        extra_business: 'none',
        signboard: 'yes',
        drainage: 'yes',
        staff: 'no',
      }),
    ).toEqual(['个体工商户设立登记', '食品经营许可', '户外广告设置许可', '城镇污水排入排水管网许可'])
  })

  it('adds the public-place hygiene and entertainment licences only for a company with KTV rooms', () => {
    const result = names({ subject: 'company', food_prep: 'no', extra_business: 'karaoke', staff: 'yes' })
    expect(result).toEqual([
      '企业设立登记',
      '仅销售预包装食品备案',
      '公共场所卫生许可',
      '娱乐场所经营许可',
      '职工参保登记',
    ])
  })

  it('leaves out conditional items whose question is unanswered', () => {
    const newborn = DEMO_THEMES.find((t) => t.code === 'newborn')!
    const codes = applicableItems(newborn, {}).map((i) => i.catalogCode)
    expect(codes).not.toContain('06GAJ0000003')
    expect(codes).toContain('20YBJ0000001')
  })
})

describe('blank forms', () => {
  const forms = DEMO_ITEMS.flatMap((item) =>
    Object.entries(item.blankForms ?? {}).map(([code, spec]) => [`${item.elements.taskName} / ${code}`, spec] as const),
  )

  it.each(forms)('%s renders to an xlsx that reads back with its title', async (_name, spec) => {
    const buffer = await renderBlankForm(spec)
    expect([...buffer.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04])
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(buffer as unknown as ArrayBuffer)
    const ws = wb.worksheets[0]
    expect(ws?.getCell('A1').value).toBe(spec.title)
    expect(ws?.pageSetup.paperSize).toBe(9)
    expect(ws?.pageSetup.fitToWidth).toBe(1)
    const texts: string[] = []
    ws?.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.type !== ExcelJS.ValueType.Merge) texts.push(cell.text)
      }),
    )
    const labels = spec.sections.flatMap((s) => s.fields.map((f) => f.label))
    for (const label of labels) expect(texts.some((t) => t.startsWith(label))).toBe(true)
    expect(texts.some((t) => t.includes('签名'))).toBe(true)
  })
})
