import { renderToString } from 'preact-render-to-string'
import { describe, expect, it } from 'vitest'
import { citizenIdCheckCharacter, creditCodeCheckCharacter } from '../../platform/validators/index.js'
import { DEMO_FORMS } from './applications.forms.demo.js'
import { type FormData, type FormDefinition, parseFormBody, prefillFormData } from './applications.forms.js'
import { FormSections, FormSummary, ImplicitSubmit } from './applications.forms.render.js'

const ID_A = (() => {
  const first17 = '44510319900315123'
  return first17 + citizenIdCheckCharacter(first17)
})()
const ID_B = (() => {
  const first17 = '44510319851120002'
  return first17 + citizenIdCheckCharacter(first17)
})()
const CREDIT = (() => {
  const first17 = '91445103MA4W12345'
  return first17 + creditCodeCheckCharacter(first17)
})()

const food = DEMO_FORMS['01SCJ0000006']!
const sole = DEMO_FORMS['01SCJ0000003']!
const pension = DEMO_FORMS['05SBJ0000001']!

function foodData(): FormData {
  return {
    subject: {
      credit_code: CREDIT,
      name: '潮安区庵埠镇“好味”小吃店 & <分店>',
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
      has_warehouse: true,
      warehouse_address: '潮州市潮安区庵埠镇仓库路 1 号',
    },
    online_business: { platform_name: '美团外卖', shop_name: '好味小吃', website: 'https://haowei.example.com' },
    safety_staff: [
      { name: '林小红', id_number: ID_B, mobile: '13812345678', role: 'officer' },
      { name: '王五', id_number: ID_A, mobile: '13912345678', role: 'director' },
    ],
    contact: { name: '陈大文', mobile: '13912345678', email: 'chen@example.com' },
  }
}

const render = (def: FormDefinition, data: FormData, more: Partial<Parameters<typeof FormSections>[0]> = {}) =>
  renderToString(<FormSections def={def} data={data} {...more} />)

function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of tag.matchAll(/\s([a-zA-Z-]+)(?:="([^"]*)")?/g)) out[m[1]!] = decode(m[2] ?? '')
  return out
}

/** What a browser would post for the rendered form: name=value pairs, read with regular expressions. */
function postedPairs(html: string): [string, string][] {
  const pairs: [string, string][] = []
  // A quoted attribute may hold '>'.
  for (const m of html.matchAll(/<input\b(?:[^>"]|"[^"]*")*>/g)) {
    const a = attributes(m[0])
    if (!a.name) continue
    if ((a.type === 'radio' || a.type === 'checkbox') && !('checked' in a)) continue
    pairs.push([a.name, a.value ?? ''])
  }
  for (const m of html.matchAll(/<select\b((?:[^>"]|"[^"]*")*)>([\s\S]*?)<\/select>/g)) {
    const name = attributes(m[1]!).name!
    const selected = /<option\b[^>]*value="([^"]*)"[^>]*\sselected/.exec(m[2]!)
    pairs.push([name, selected ? decode(selected[1]!) : ''])
  }
  for (const m of html.matchAll(/<textarea\b((?:[^>"]|"[^"]*")*)>([\s\S]*?)<\/textarea>/g)) {
    pairs.push([attributes(m[1]!).name!, decode(m[2]!)])
  }
  return pairs
}

describe('FormSections', () => {
  it('ties every label to its input and gives typed values back', () => {
    const html = render(food, foodData())
    expect(html).toContain('<label class="field__label" for="f-subject-credit_code">')
    expect(html).toMatch(/<input class="input input--medium" id="f-subject-credit_code" name="subject\.credit_code"/)
    expect(html).toContain('<label class="field__label" for="f-safety_staff-1-mobile">')
    expect(html).toMatch(/id="f-safety_staff-1-mobile" name="safety_staff\[1\]\.mobile" type="tel" value="13912345678"/)
    // Escaped, never raw markup.
    expect(html).toContain('value="潮安区庵埠镇“好味”小吃店 &amp; &lt;分店>"')
    expect(html).not.toContain('<分店>')
    // Units are spoken, and shown after the box.
    expect(html).toContain('经营场所面积<span class="visually-hidden">（单位：㎡）</span>')
    expect(html).toContain('<span class="input__suffix" aria-hidden="true">㎡</span>')
  })

  it('puts radios and checkboxes in fieldsets whose legend asks the question', () => {
    const html = render(food, foodData())
    expect(html).toMatch(/<fieldset class="fieldset"[^>]*><legend class="field__label">主体业态<\/legend>/)
    expect(html).toMatch(/<legend class="field__label">经营项目<\/legend>/)
    expect(html).toMatch(/type="checkbox" id="f-business-items-3" name="business\.items" value="hot_food" checked/)
    expect(html).toMatch(/type="radio" id="f-business-online" name="business\.online" value="yes" checked/)
    expect(html).toContain('<label class="radios__label" for="f-business-online-1">否</label>')
  })

  it('shows each error beside its field and marks the input invalid', () => {
    const html = render(food, foodData(), {
      errors: [
        { field: 'safety_staff[1].mobile', message: '食品安全管理人员（2）的手机号码应为11位数字，现在是7位' },
        { field: 'business.items', message: '请选择经营项目，至少选一项' },
        { field: 'safety_staff', message: '食品安全管理人员至少填写1项' },
      ],
    })
    expect(html).toContain(
      '<p class="field__error" id="f-safety_staff-1-mobile-error"><span class="visually-hidden">错误：</span>食品安全管理人员（2）的手机号码应为11位数字，现在是7位</p>',
    )
    expect(html).toMatch(
      /id="f-safety_staff-1-mobile"[^>]*aria-describedby="f-safety_staff-1-mobile-error" aria-invalid="true"/,
    )
    expect(html).toMatch(/<fieldset class="fieldset" aria-describedby="f-business-items-hint f-business-items-error">/)
    expect(html).toContain('id="f-safety_staff--error"')
    // Fields without errors are not marked.
    expect(html).not.toMatch(/id="f-safety_staff-0-mobile"[^>]*aria-invalid/)
  })

  it('shows under a prefilled field where the value came from', () => {
    const { data, sources } = prefillFormData(food, {
      person: { name: '陈大文', mobile: '13912345678' },
      licenses: [
        {
          licenseType: 'business_license',
          licenseId: 'L-1',
          name: '营业执照',
          fields: { holder_key: CREDIT, holder_name: '好味小吃店', legal_representative: '陈大文' },
        },
      ],
    })
    const html = render(food, data, { sources })
    expect(html).toContain('<p class="field__source" id="f-subject-credit_code-source">来自电子证照：营业执照</p>')
    expect(html).toMatch(/id="f-subject-credit_code"[^>]*aria-describedby="f-subject-credit_code-source"/)
    expect(html).toContain('<p class="field__source" id="f-contact-mobile-source">来自实名信息</p>')
    expect(html).not.toContain('id="f-subject-legal_rep_id_number-source"')
  })

  it('keeps conditional parts visible with a sentence saying when they apply, and marks them for the script', () => {
    const data = foodData()
    ;(data.business as Record<string, unknown>).online = false
    const html = render(food, data)
    expect(html).toMatch(
      /<section class="form-section form-section--conditional" id="f-online_business" aria-labelledby="f-online_business--title" data-show-if="\{&quot;all&quot;:\[\{&quot;name&quot;:&quot;business.online&quot;,&quot;equals&quot;:\[&quot;yes&quot;\]\}\]\}"/,
    )
    expect(html).toContain('如“是否通过网络经营”选择“是”，请填写以下内容。')
    expect(html).not.toMatch(/\shidden[\s>=]/)
    expect(html).toContain('name="online_business.platform_name"')
    // A conditional field within a section is wrapped the same way.
    expect(html).toMatch(
      /<div class="form-conditional" data-show-if="[^"]*business.has_warehouse[^"]*"><p class="form-conditional__note">如“是否有仓库”选择“是”，请填写以下内容。<\/p>/,
    )
  })

  it('marks optional questions and says when a question becomes required', () => {
    const hygiene = DEMO_FORMS['01WJJ0000001']!
    const html = render(hygiene, { premises: { central_ac: true, permit_mode: 'commitment' } })
    expect(html).toContain('for="f-premises-capacity">床位、座位或包厢数<span class="field__optional">（选填）</span>')
    expect(html).toContain('如“许可方式”选择“一般程序”，此项必填。')
    expect(html).not.toMatch(/for="f-premises-ac_report_no">[^<]*<span class="field__optional">/)
  })

  it('gives a repeating section add and remove buttons that work without a script', () => {
    const html = render(food, foodData())
    expect(html).toContain('<legend class="form-repeat__legend">食品安全管理人员（2）</legend>')
    expect(html).toContain('<input type="hidden" name="safety_staff[1]._row" value="1"/>')
    expect(html).toContain('name="_action" value="add:safety_staff">再添加一名管理人员</button>')
    expect(html).toContain(
      'name="_action" value="remove:safety_staff:1">删除此行<span class="visually-hidden">：食品安全管理人员（2）</span></button>',
    )
    // At the minimum (one row) there is nothing to remove; rows below it are shown empty.
    const one = render(food, { safety_staff: [] })
    expect(one).toContain('name="safety_staff[0].name"')
    expect(one).not.toContain('remove:safety_staff')
    // At the maximum there is nothing to add.
    const full = render(food, { safety_staff: Array.from({ length: 5 }, () => ({})) })
    expect(full).not.toContain('add:safety_staff')
    expect(full).toContain('最多可填写5项食品安全管理人员。')
  })

  it('renders a date as three boxes for 年, 月 and 日', () => {
    const html = render(pension, { applicant: { birth_date: '1966-03-05' } })
    expect(html).toMatch(/<legend class="field__label">出生日期<\/legend>/)
    expect(html).toMatch(
      /id="f-applicant-birth_date" name="applicant\.birth_date\.year" type="text" inputmode="numeric" autocomplete="off" value="1966"/,
    )
    expect(html).toContain(
      'name="applicant.birth_date.month" type="text" inputmode="numeric" autocomplete="off" value="03"',
    )
    expect(html).toContain('<label class="date-input__label" for="f-applicant-birth_date-day">日</label>')
  })

  it('renders what was typed into a number box again, even when it is not a number', () => {
    const html = render(sole, { business: { staff_count: '三个', capital: 150050 } })
    expect(html).toContain('value="三个"')
    expect(html).toContain('value="1500.50"')
  })

  it('renders the answers instead of inputs when read-only', () => {
    const html = render(food, foodData(), { readOnly: true })
    expect(html).not.toContain('<input')
    expect(html).toContain('热食类食品制售、自制饮品制售')
  })
})

describe('rendering and parsing back', () => {
  it('gives the same data after a round trip through the HTML', () => {
    const data = foodData()
    const html = render(food, data)
    const pairs = postedPairs(html)
    expect(pairs).toContainEqual(['business.items', 'hot_food'])
    expect(parseFormBody(food, new URLSearchParams(pairs))).toEqual(data)
  })

  it('round-trips money, dates, conditional sections and repeating rows of other forms', () => {
    const soleData: FormData = {
      operator: { name: '陈大文', id_number: ID_A, mobile: '13912345678', address: '庵埠镇安南路 8 号' },
      business: {
        use_name: true,
        name: '好味小吃店',
        organisation: 'family',
        premises: '庵埠镇安南路 8 号',
        scope: '餐饮服务；\n食品销售',
        staff_count: 3,
        capital: 3000050,
        licence_form: 'electronic',
      },
      family_members: [{ name: '林小红', id_number: ID_B, relation: 'spouse' }],
    }
    expect(parseFormBody(sole, new URLSearchParams(postedPairs(render(sole, soleData))))).toEqual(soleData)

    const pensionData: FormData = {
      applicant: {
        name: '陈大文',
        id_number: ID_A,
        mobile: '13912345678',
        birth_date: '1966-03-05',
        work_start_date: '1985-07-01',
        filed_by: 'self',
      },
      employer: {},
      retirement: { category: 'normal', retire_date: '2026-04-01', contribution_years: 35 },
      payment: { card_number: 'A12345678', bank: '中国工商银行' },
    }
    expect(parseFormBody(pension, new URLSearchParams(postedPairs(render(pension, pensionData))))).toEqual(pensionData)
  })
})

describe('FormSummary', () => {
  it('lists the answers that apply, in words, with sources and 修改 links to each section', () => {
    const data = foodData()
    ;(data.business as Record<string, unknown>).has_warehouse = false
    const html = renderToString(
      <FormSummary
        def={food}
        data={data}
        sources={{ 'subject.name': { kind: 'license', label: '来自电子证照：营业执照' } }}
        changeHref="/applications/A1/form"
      />,
    )
    expect(html).toContain('<h2 class="heading-m form-summary__title">经营信息</h2>')
    expect(html).toContain(
      '<a class="form-summary__change" href="/applications/A1/form#f-business">修改<span class="visually-hidden">“经营信息”</span></a>',
    )
    expect(html).toContain(
      '<dt class="summary-list__key">主体业态</dt><dd class="summary-list__value"><span>餐饮服务经营者</span></dd>',
    )
    expect(html).toContain('<span>45.5 ㎡</span>')
    expect(html).toContain('<span>是</span>')
    expect(html).toContain('<span class="form-summary__source">来自电子证照：营业执照</span>')
    expect(html).toContain('<h3 class="heading-s">食品安全管理人员（2）</h3>')
    // 仓库地址 applies only with a warehouse.
    expect(html).not.toContain('仓库地址')
    const partial = renderToString(<FormSummary def={food} data={{ contact: { name: '陈大文' } }} />)
    expect(partial).toContain(
      '<dt class="summary-list__key">电子邮箱</dt><dd class="summary-list__value"><span class="form-summary__empty">未填写</span>',
    )
  })

  it('leaves out sections that do not apply and has no links on the staff case page', () => {
    const data = foodData()
    ;(data.business as Record<string, unknown>).online = false
    const html = renderToString(<FormSummary def={food} data={data} headingLevel={3} />)
    expect(html).not.toContain('网络经营信息')
    expect(html).not.toContain('修改')
    expect(html).toContain('<h3 class="heading-m form-summary__title">申请人（营业执照信息）</h3>')
    expect(html).toContain('<h4 class="heading-s">食品安全管理人员（1）</h4>')
  })

  it('shows money in yuan, dates in Chinese and keeps line breaks of long answers', () => {
    const html = renderToString(
      <FormSummary
        def={sole}
        data={{ business: { capital: 150050, scope: '餐饮服务；\n食品销售', organisation: 'individual' } }}
      />,
    )
    expect(html).toContain('<span>1500.50 元</span>')
    expect(html).toContain('<span class="form-summary__text">餐饮服务；\n食品销售</span>')
    expect(html).not.toContain('参加经营的家庭成员')
    const dates = renderToString(<FormSummary def={pension} data={{ applicant: { birth_date: '1966-03-05' } }} />)
    expect(dates).toContain('<span>1966年3月5日</span>')
  })
})

describe('ImplicitSubmit', () => {
  it('is a submit button hidden from sight and from the tab order', () => {
    expect(renderToString(<ImplicitSubmit name="_action" value="submit" />)).toBe(
      '<button type="submit" class="visually-hidden" tabindex="-1" aria-hidden="true" name="_action" value="submit">提交</button>',
    )
  })
})
