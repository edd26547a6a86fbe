import { Value } from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { DomainError } from '../../platform/http/errors.js'
import { citizenIdCheckCharacter, creditCodeCheckCharacter } from '../../platform/validators/index.js'
import { DEMO_ITEMS } from '../catalog/catalog.demo-items.js'
import { DEMO_FORMS, defaultForm, demoFormFor } from './applications.forms.demo.js'
import {
  applyFormAction,
  checkFormData,
  type FormData,
  FormDataSchema,
  FormDefinition,
  formatFieldValue,
  formDefinitionProblems,
  isFieldShown,
  normaliseFormData,
  type PrefillContext,
  parseFormAction,
  parseFormBody,
  parseFormDefinition,
  prefillFormData,
  validateFormData,
} from './applications.forms.js'

const citizenId = (first17: string) => first17 + citizenIdCheckCharacter(first17)
const creditCode = (first17: string) => first17 + creditCodeCheckCharacter(first17)

const ID_A = citizenId('44510319900315123') // a man born 1990-03-15
const ID_B = citizenId('44510319851120002') // a woman born 1985-11-20
const CREDIT = creditCode('91445103MA4W12345')
const TODAY = '2026-11-27'

const food = DEMO_FORMS['01SCJ0000006']!
const hygiene = DEMO_FORMS['01WJJ0000001']!

/** A complete, valid 食品经营许可 application. */
function foodData(): FormData {
  return {
    subject: {
      credit_code: CREDIT,
      name: '潮安区庵埠镇好味小吃店',
      legal_rep: '陈大文',
      legal_rep_id_number: ID_A,
      address: '潮州市潮安区庵埠镇安南路 8 号',
    },
    business: {
      subject_type: 'catering',
      items: ['hot_food', 'drinks'],
      premises_address: '潮州市潮安区庵埠镇安南路 8 号',
      area: 45.5,
      staff_count: 4,
      online: true,
      has_warehouse: false,
    },
    online_business: { platform_name: '美团外卖', shop_name: '好味小吃', website: 'https://haowei.example.com' },
    safety_staff: [{ name: '林小红', id_number: ID_B, mobile: '13812345678', role: 'officer' }],
    contact: { name: '陈大文', mobile: '13912345678', email: 'chen@example.com' },
  }
}

describe('form definitions', () => {
  it('accepts every demo form: schema, unique keys, conditions that point at real questions', () => {
    expect(Object.keys(DEMO_FORMS).length).toBeGreaterThanOrEqual(7)
    for (const [code, def] of Object.entries(DEMO_FORMS)) {
      expect(Value.Check(FormDefinition, def), code).toBe(true)
      expect(formDefinitionProblems(def), code).toEqual([])
      const sectionKeys = def.sections.map((s) => s.key)
      expect(new Set(sectionKeys).size, code).toBe(sectionKeys.length)
      for (const section of def.sections) {
        const keys = section.fields.map((f) => f.key)
        expect(new Set(keys).size, `${code} ${section.key}`).toBe(keys.length)
      }
    }
  })

  it('gives the named demo items their own form, under their real catalog codes', () => {
    const byName = new Map(DEMO_ITEMS.map((i) => [i.elements.taskName, i.elements.catalogCode]))
    for (const name of [
      '食品经营许可',
      '个体工商户设立登记',
      '社会保障卡申领',
      '出生登记',
      '基本养老金申领',
      '公共场所卫生许可',
      '结婚登记',
    ]) {
      const code = byName.get(name)
      expect(code, name).toBeDefined()
      expect(DEMO_FORMS[code!], name).toBeDefined()
    }
    const codes = new Set(byName.values())
    for (const code of Object.keys(DEMO_FORMS)) expect(codes).toContain(code)
  })

  it('builds a valid default form for every other demo item, by who may apply', () => {
    for (const item of DEMO_ITEMS) {
      const def = demoFormFor(item.elements)
      expect(formDefinitionProblems(def), item.elements.taskName).toEqual([])
    }
    const person = defaultForm({ taskName: '法律援助申请', serverType: ['自然人'] })
    expect(person.sections.map((s) => s.key)).toEqual(['person', 'contact', 'request'])
    const unit = defaultForm({ taskName: '职工参保登记', serverType: ['法人'] })
    expect(unit.sections.map((s) => s.key)).toEqual(['unit', 'contact', 'request'])
    const either = defaultForm({ taskName: '户外广告设置许可', serverType: ['法人', '自然人'] })
    expect(either.sections.map((s) => s.key)).toEqual(['applicant_kind', 'person', 'unit', 'contact', 'request'])
    const data: FormData = { applicant_kind: { kind: 'unit' } }
    expect(isFieldShown(either, data, 'unit', 'name')).toBe(true)
    expect(isFieldShown(either, data, 'person', 'name')).toBe(false)
    expect(either.sections.at(-1)?.fields[0]?.hint).toContain('户外广告设置许可')
  })

  it('names what is wrong with a broken definition', () => {
    const broken = {
      version: 1,
      sections: [
        {
          key: 'a',
          title: '甲',
          fields: [
            { key: 'x', label: '某项', type: 'text' },
            { key: 'x', label: '重复', type: 'text' },
            { key: 'pick', label: '选择', type: 'radios' },
            { key: 'cond', label: '条件', type: 'text', showIf: { field: 'a.nope', equals: 'y' } },
            { key: 'yn', label: '是否', type: 'yesno' },
            { key: 'bad_equals', label: '取值', type: 'text', showIf: { field: 'yn', equals: 'maybe' } },
            { key: 're', label: '格式', type: 'text', pattern: '(' },
            { key: 'when', label: '日期', type: 'date', min: 'tomorrow' },
          ],
        },
        {
          key: 'rows',
          title: '行',
          repeat: { min: 3, max: 2, addLabel: '添加', itemLabel: '行' },
          fields: [{ key: 'n', label: '名', type: 'text', prefill: { from: 'person', path: 'name' } }],
        },
        { key: 'b', title: '乙', fields: [{ key: 'y', label: '引用行', type: 'text', showIf: { field: 'rows.n' } }] },
      ],
    }
    const problems = formDefinitionProblems(broken).join('\n')
    expect(problems).toContain('字段 x 重复')
    expect(problems).toContain('「选择」需要列出选项')
    expect(problems).toContain('a.nope 不存在')
    expect(problems).toContain('“maybe”不是「是否」的选项')
    expect(problems).toContain('正则表达式')
    expect(problems).toContain('today 或 YYYY-MM-DD')
    expect(problems).toContain('下限大于上限')
    expect(problems).toContain('不能预填')
    expect(problems).toContain('rows.n 不存在，或在可重复的其他分节中')
    expect(formDefinitionProblems({ version: 2, sections: [] }).length).toBeGreaterThan(0)
    expect(() => parseFormDefinition(broken)).toThrow(DomainError)
    expect(parseFormDefinition(food)).toBe(food)
  })

  it('refuses conditions that depend on each other in a circle', () => {
    const def = {
      version: 1,
      sections: [
        {
          key: 's',
          title: '节',
          fields: [
            { key: 'a', label: '甲', type: 'text', showIf: { field: 'b' } },
            { key: 'b', label: '乙', type: 'text', showIf: { field: 'a' } },
          ],
        },
      ],
    }
    expect(formDefinitionProblems(def).join()).toContain('循环')
  })
})

describe('parseFormBody', () => {
  it('reads nested and repeating names into typed data, trimming and ignoring what it does not know', () => {
    const data = parseFormBody(food, {
      _csrf: 'token',
      _action: 'save',
      'subject.name': '  好味小吃店 ',
      'subject.credit_code': CREDIT.toLowerCase(),
      'subject.unknown': 'x',
      'nosuch.field': 'x',
      'business.area': '１２０.5',
      'business.staff_count': '4',
      'business.online': 'yes',
      'business.has_warehouse': 'no',
      'business.items[]': ['hot_food', 'drinks', 'hot_food', ''],
      'business.subject_type': 'catering',
      'safety_staff[1].name': '李四',
      'safety_staff[1].mobile': '+86 138-1234-5678',
      'safety_staff[0].name': '张三',
      'safety_staff[0]._row': '1',
      'safety_staff[9].name': '超过上限的行',
      'contact.mobile': '',
    })
    expect(data.subject).toEqual({ name: '好味小吃店', credit_code: CREDIT })
    expect(data.business).toEqual({
      area: 120.5,
      staff_count: 4,
      online: true,
      has_warehouse: false,
      items: ['hot_food', 'drinks'],
      subject_type: 'catering',
    })
    expect(data.safety_staff).toEqual([{ name: '张三' }, { name: '李四', mobile: '+86 138-1234-5678' }])
    expect(data.contact).toEqual({})
    expect(data.online_business).toEqual({})
    expect(Object.keys(data)).toEqual(food.sections.map((s) => s.key))
  })

  it('keeps a row whose only sign is its marker, and reads checkboxes posted under one name', () => {
    const data = parseFormBody(
      food,
      new URLSearchParams('safety_staff[0]._row=1&business.items=hot_food&business.items=cold_food'),
    )
    expect(data.safety_staff).toEqual([{}])
    expect((data.business as Record<string, unknown>).items).toEqual(['hot_food', 'cold_food'])
  })

  it('converts yuan to fen and joins the three parts of a date', () => {
    const sole = DEMO_FORMS['01SCJ0000003']!
    const pension = DEMO_FORMS['05SBJ0000001']!
    expect((parseFormBody(sole, { 'business.capital': '1,500.5' }).business as Record<string, unknown>).capital).toBe(
      150050,
    )
    expect((parseFormBody(sole, { 'business.capital': '￥30000' }).business as Record<string, unknown>).capital).toBe(
      3000000,
    )
    const dated = parseFormBody(pension, {
      'applicant.birth_date.year': '1966',
      'applicant.birth_date.month': '3',
      'applicant.birth_date.day': '５',
      'retirement.retire_date': '2026年3月5日',
      'applicant.work_start_date.year': '',
      'applicant.work_start_date.month': '',
      'applicant.work_start_date.day': '',
    })
    expect(dated.applicant).toEqual({ birth_date: '1966-03-05' })
    expect((dated.retirement as Record<string, unknown>).retire_date).toBe('2026-03-05')
  })

  it('keeps what cannot be converted as typed, so it can be shown again with its error', () => {
    const data = parseFormBody(DEMO_FORMS['01SCJ0000003']!, {
      'business.staff_count': '三个',
      'business.capital': '12.345',
      'business.use_name': 'maybe',
    })
    expect(data.business).toEqual({ staff_count: '三个', capital: '12.345', use_name: 'maybe' })
  })
})

describe('adding and removing rows', () => {
  it('reads the button values', () => {
    expect(parseFormAction('add:safety_staff')).toEqual({ kind: 'add', section: 'safety_staff' })
    expect(parseFormAction(['remove:safety_staff:2'])).toEqual({ kind: 'remove', section: 'safety_staff', row: 2 })
    expect(parseFormAction('save')).toBeUndefined()
    expect(parseFormAction('remove:Staff:x')).toBeUndefined()
  })

  it('adds an empty row up to the maximum and removes a row down to the minimum', () => {
    const start = foodData()
    const added = applyFormAction(food, start, 'add:safety_staff')
    expect(added.problem).toBeUndefined()
    expect(added.data.safety_staff).toHaveLength(2)
    expect(added.anchor).toBe('f-safety_staff-1')
    expect(start.safety_staff).toHaveLength(1)

    const removed = applyFormAction(food, added.data, { kind: 'remove', section: 'safety_staff', row: 0 })
    expect(removed.data.safety_staff).toEqual([{}])
    expect(removed.anchor).toBe('f-safety_staff')

    const atMin = applyFormAction(food, removed.data, 'remove:safety_staff:0')
    expect(atMin.data).toBe(removed.data)
    expect(atMin.problem?.message).toBe('食品安全管理人员至少填写1项')

    let data = start
    for (let i = 0; i < 4; i++) data = applyFormAction(food, data, 'add:safety_staff').data
    const full = applyFormAction(food, data, 'add:safety_staff')
    expect(full.data.safety_staff).toHaveLength(5)
    expect(full.problem).toEqual({ field: 'safety_staff', message: '食品安全管理人员最多填写5项' })
  })

  it('pads to the minimum before adding, and refuses sections that do not repeat', () => {
    expect(applyFormAction(food, {}, 'add:safety_staff').data.safety_staff).toEqual([{}, {}])
    expect(applyFormAction(food, {}, 'add:business').problem?.field).toBe('_action')
  })
})

describe('validateFormData', () => {
  it('accepts a complete application', () => {
    expect(validateFormData(food, foodData(), { today: TODAY })).toEqual([])
  })

  it('asks for every required answer, in the order of the form, by input name', () => {
    const problems = validateFormData(food, { safety_staff: [{}] }, { today: TODAY })
    expect(problems.slice(0, 3)).toEqual([
      { field: 'subject.credit_code', message: '请填写统一社会信用代码' },
      { field: 'subject.name', message: '请填写名称' },
      { field: 'subject.legal_rep', message: '请填写法定代表人（负责人）' },
    ])
    const byField = Object.fromEntries(problems.map((p) => [p.field, p.message]))
    expect(byField['business.subject_type']).toBe('请选择主体业态')
    expect(byField['business.items']).toBe('请选择经营项目，至少选一项')
    expect(byField['business.online']).toBe('请选择是否通过网络经营')
    expect(byField['safety_staff[0].mobile']).toBe('请填写食品安全管理人员（1）的手机号码')
    // 网络经营信息 and 仓库地址 apply only after 「是」.
    expect(byField['online_business.platform_name']).toBeUndefined()
    expect(byField['business.warehouse_address']).toBeUndefined()
  })

  it('requires the parts a condition opens, and only those', () => {
    const data = foodData()
    data.online_business = {}
    ;(data.business as Record<string, unknown>).has_warehouse = true
    expect(validateFormData(food, data, { today: TODAY })).toEqual([
      { field: 'business.warehouse_address', message: '请填写仓库地址' },
      { field: 'online_business.platform_name', message: '请填写网站或平台名称' },
    ])
    ;(data.business as Record<string, unknown>).online = false
    ;(data.business as Record<string, unknown>).has_warehouse = false
    expect(validateFormData(food, data, { today: TODAY })).toEqual([])
  })

  it('applies conditional required: the report number is required only under 一般程序', () => {
    const base: FormData = { premises: { central_ac: true, permit_mode: 'commitment' } }
    const names = (d: FormData) => validateFormData(hygiene, d, { today: TODAY }).map((p) => p.field)
    expect(names(base)).not.toContain('premises.ac_report_no')
    expect(names({ premises: { central_ac: true, permit_mode: 'standard' } })).toContain('premises.ac_report_no')
    // Hidden (no central air conditioning): not required whatever the procedure.
    expect(names({ premises: { central_ac: false, permit_mode: 'standard' } })).not.toContain('premises.ac_report_no')
    // The commitment section opens with 告知承诺.
    expect(names(base)).toContain('commitment.agree')
    expect(names({ premises: { permit_mode: 'standard' } })).not.toContain('commitment.agree')
  })

  it('strips answers to parts that do not apply when the application is checked', () => {
    const data = foodData()
    ;(data.business as Record<string, unknown>).online = false
    ;(data.business as Record<string, unknown>).warehouse_address = '不应保留'
    ;(data.subject as Record<string, unknown>).extra = '多余的字段'
    const { data: clean, problems } = checkFormData(food, data, { today: TODAY })
    expect(problems).toEqual([])
    expect(clean.online_business).toBeUndefined()
    expect(clean.business).not.toHaveProperty('warehouse_address')
    expect(clean.subject).not.toHaveProperty('extra')
    // A draft keeps them: the person may still be deciding.
    const draft = checkFormData(food, data, { partial: true, today: TODAY })
    expect(draft.data.online_business).toEqual(data.online_business)
  })

  it('checks each type and its limits', () => {
    const sole = DEMO_FORMS['01SCJ0000003']!
    const problems = (section: string, values: Record<string, unknown>, def = sole) =>
      validateFormData(def, { [section]: values } as FormData, { partial: true, today: TODAY })
    expect(problems('business', { staff_count: '三个' })).toEqual([
      { field: 'business.staff_count', message: '从业人数只能填写数字' },
    ])
    expect(problems('business', { staff_count: 2.5 })[0]?.message).toBe('从业人数应为整数')
    expect(problems('business', { staff_count: 0 })[0]?.message).toBe('从业人数不能小于1')
    expect(problems('business', { staff_count: 1000 })[0]?.message).toBe('从业人数不能大于999')
    expect(problems('business', { capital: '12.345' })[0]?.message).toContain('最多两位小数')
    expect(problems('business', { capital: 100000000 * 100 + 1 })[0]?.message).toBe('资金数额不能超过100000000元')
    expect(problems('business', { organisation: 'company' })[0]?.message).toBe('请从列出的选项中选择组成形式')
    expect(problems('business', { use_name: 'maybe' })[0]?.message).toBe('是否使用名称请选择“是”或“否”')
    expect(problems('business', { scope: '经'.repeat(501) })[0]?.message).toBe('经营范围不能超过500个字，现在是501个字')
    expect(problems('operator', { id_number: `${ID_A.slice(0, 17)}0` })[0]?.message).toBe(
      '身份证号码校验位不正确，请逐位核对',
    )
    expect(problems('operator', { mobile: '1381234567' })[0]?.message).toBe('手机号码应为11位数字，现在是10位')
    expect(problems('operator', { mobile: 13812345678 })[0]?.message).toBe('手机号码的格式不正确')
    expect(problems('business', { items: ['hot_food', 'gambling'] }, food)[0]?.message).toBe(
      '请从列出的选项中选择经营项目',
    )
    expect(problems('subject', { credit_code: `${CREDIT.slice(0, 17)}0` }, food)[0]?.message).toContain(
      '统一社会信用代码校验位不正确',
    )
    expect(problems('contact', { email: 'chen@' }, food)[0]?.message).toBe(
      '电子邮箱的格式不正确，应如 name@example.com',
    )
    // 网络经营信息 is hidden until 「是否通过网络经营」 is 「是」: nothing in it is checked.
    expect(problems('online_business', { website: 'www.example.com' }, food)).toEqual([])
  })

  it('checks patterns, dates and their bounds', () => {
    const online = { ...foodData(), online_business: { platform_name: '美团外卖', website: 'www.example.com' } }
    expect(validateFormData(food, online, { today: TODAY })).toEqual([
      { field: 'online_business.website', message: '网址应以 http:// 或 https:// 开头，如 https://www.example.com' },
    ])
    const birth = DEMO_FORMS['06GAJ0000003']!
    const marriage = DEMO_FORMS['06MZJ0000001']!
    const dateProblem = (def: typeof birth, section: string, values: Record<string, unknown>) =>
      validateFormData(def, { [section]: values } as FormData, { partial: true, today: TODAY })[0]?.message
    expect(dateProblem(birth, 'baby', { birth_date: '2026-02-30' })).toBe('出生日期不是有效的日期，请按年、月、日填写')
    expect(dateProblem(birth, 'baby', { birth_date: '2026-11-28' })).toBe('出生日期不能晚于今天')
    expect(dateProblem(birth, 'baby', { birth_date: '2026-11-27' })).toBeUndefined()
    expect(dateProblem(birth, 'baby', { birth_date: '2026-13-' })).toContain('不是有效的日期')
    expect(dateProblem(marriage, 'appointment', { date: '2026-11-26' })).toBe('预约日期不能早于今天')
    expect(dateProblem(birth, 'baby', { birth_cert_no: 'Q44-01' })).toBe('出生医学证明编号只能包含字母和数字')
  })

  it('names the row in messages of a repeating section and keeps to its limits', () => {
    const data = foodData()
    data.safety_staff = [
      { name: '林小红', id_number: ID_B, mobile: '13812345678', role: 'officer' },
      { name: '王五', id_number: ID_A, mobile: '1381234', role: 'director' },
    ]
    expect(validateFormData(food, data, { today: TODAY })).toEqual([
      { field: 'safety_staff[1].mobile', message: '食品安全管理人员（2）的手机号码应为11位数字，现在是7位' },
    ])
    // Below the minimum, the empty row the page shows is asked for, field by field.
    data.safety_staff = []
    expect(validateFormData(food, data, { today: TODAY }).map((p) => p.field)).toEqual([
      'safety_staff[0].name',
      'safety_staff[0].id_number',
      'safety_staff[0].mobile',
      'safety_staff[0].role',
    ])
    // A section whose rows have no required question says so itself.
    const optionalRows: typeof food = {
      version: 1,
      sections: [
        {
          key: 'notes',
          title: '备注',
          repeat: { min: 2, max: 3, addLabel: '添加', itemLabel: '备注' },
          fields: [{ key: 'text', label: '内容', type: 'text' }],
        },
      ],
    }
    expect(validateFormData(optionalRows, { notes: [{ text: '一' }] }, { today: TODAY })).toEqual([
      { field: 'notes', message: '备注至少填写2项' },
    ])
    data.safety_staff = Array.from({ length: 6 }, () => ({
      name: '林小红',
      id_number: ID_B,
      mobile: '13812345678',
      role: 'officer',
    }))
    expect(validateFormData(food, data, { today: TODAY })).toEqual([
      { field: 'safety_staff', message: '食品安全管理人员最多填写5项' },
    ])
  })

  it('in partial mode (drafts) requires nothing but still checks what was given', () => {
    expect(validateFormData(food, {}, { partial: true, today: TODAY })).toEqual([])
    expect(
      validateFormData(food, { business: { area: 'abc' }, safety_staff: [] }, { partial: true, today: TODAY }),
    ).toEqual([{ field: 'business.area', message: '经营场所面积只能填写数字' }])
  })

  it('treats data of the wrong shape as unanswered rather than failing', () => {
    const odd = { subject: 'x', safety_staff: 'y', business: [1] } as unknown as FormData
    const problems = validateFormData(food, odd, { today: TODAY })
    expect(problems.map((p) => p.field)).toContain('subject.name')
    expect(problems.map((p) => p.field)).toContain('safety_staff[0].name')
  })

  it('normalises identifiers and drops blank rows beyond the minimum', () => {
    const data = foodData()
    data.safety_staff = [
      {},
      { name: '王五', id_number: ID_A.toLowerCase(), mobile: '+86 139 1234 5678', role: 'officer' },
      {},
    ]
    const clean = normaliseFormData(food, data)
    expect(clean.safety_staff).toEqual([{ name: '王五', id_number: ID_A, mobile: '13912345678', role: 'officer' }])
    expect(Value.Check(FormDataSchema, clean)).toBe(true)
    expect(normaliseFormData(food, { safety_staff: [{}, {}] }).safety_staff).toEqual([{}])
  })
})

describe('prefillFormData', () => {
  const context: PrefillContext = {
    person: {
      name: '陈大文',
      idNumber: ID_A,
      mobile: '13912345678',
      address: '潮州市潮安区庵埠镇安南路 8 号',
      birthDate: '1990-03-15',
      sex: 'male',
    },
    enterprise: { name: '企业实名名称', creditCode: CREDIT, legalRepName: '陈大文', address: '企业住所' },
    licenses: [
      { licenseType: 'resident_id', licenseId: 'L-ID-1', name: '居民身份证', fields: { name: '陈大文' } },
      {
        licenseType: 'business_license',
        licenseId: 'L-BL-1',
        name: '营业执照',
        // As the license library gives them: the type's field keys, holder_name and holder_key.
        fields: {
          holder_key: CREDIT,
          holder_name: '潮安区庵埠镇好味小吃店',
          legal_representative: '陈大文',
          address: '',
        },
      },
    ],
  }

  it('fills empty fields from the license, the enterprise and the person, and says where each came from', () => {
    const { data, sources } = prefillFormData(food, context)
    expect(data.subject).toEqual({
      credit_code: CREDIT,
      name: '潮安区庵埠镇好味小吃店',
      legal_rep: '陈大文',
      address: '企业住所',
    })
    expect(sources['subject.name']).toEqual({ kind: 'license', label: '来自电子证照：营业执照', licenseId: 'L-BL-1' })
    // The licence has no address: the next source, the enterprise record, gives it.
    expect(sources['subject.address']).toEqual({ kind: 'enterprise', label: '来自企业实名信息' })
    expect(data.contact).toEqual({ name: '陈大文', mobile: '13912345678' })
    expect(sources['contact.mobile']).toEqual({ kind: 'person', label: '来自实名信息' })
    expect(data.safety_staff).toEqual([])
  })

  it('never replaces what the person typed, and names the source only when the value is the same', () => {
    const typed: FormData = {
      subject: { name: '我自己填写的名称', legal_rep: '陈大文' },
      contact: { mobile: '' },
      safety_staff: [{ name: '林小红' }],
    }
    const { data, sources } = prefillFormData(food, context, typed)
    expect((data.subject as Record<string, unknown>).name).toBe('我自己填写的名称')
    expect(sources['subject.name']).toBeUndefined()
    expect(sources['subject.legal_rep']?.kind).toBe('license')
    expect((data.contact as Record<string, unknown>).mobile).toBe('13912345678')
    expect(data.safety_staff).toEqual([{ name: '林小红' }])
    expect(typed.contact).toEqual({ mobile: '' })
  })

  it('maps sex and birth date onto the question, and skips what the context does not have', () => {
    const marriage = DEMO_FORMS['06MZJ0000001']!
    const pension = DEMO_FORMS['05SBJ0000001']!
    expect((prefillFormData(marriage, context).data.applicant as Record<string, unknown>).sex).toBe('male')
    expect((prefillFormData(pension, context).data.applicant as Record<string, unknown>).birth_date).toBe('1990-03-15')
    const { data, sources } = prefillFormData(pension, { person: { name: '陈大文' } })
    expect(data.applicant).toEqual({ name: '陈大文' })
    expect(data.payment).toEqual({})
    expect(Object.keys(sources)).toEqual(['applicant.name'])
  })

  it('leaves a field empty when the source holds a value of the wrong kind', () => {
    const { data } = prefillFormData(food, {
      licenses: [
        { licenseType: 'business_license', licenseId: 'x', name: '营业执照', fields: { holder_key: '不是代码' } },
      ],
    })
    expect(data.subject).toEqual({})
  })
})

describe('formatFieldValue', () => {
  it('shows answers in words', () => {
    const business = food.sections.find((s) => s.key === 'business')!
    const field = (key: string) => business.fields.find((f) => f.key === key)!
    expect(formatFieldValue(field('items'), ['hot_food', 'drinks'])).toBe('热食类食品制售、自制饮品制售')
    expect(formatFieldValue(field('online'), true)).toBe('是')
    expect(formatFieldValue(field('area'), 45.5)).toBe('45.5 ㎡')
    expect(formatFieldValue(field('subject_type'), 'catering')).toBe('餐饮服务经营者')
    expect(formatFieldValue(field('warehouse_address'), undefined)).toBe('')
  })
})
