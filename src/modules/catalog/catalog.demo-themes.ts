/**
 * "一件事" themes (主题集成服务): a life event or a business undertaking that needs several items
 * from several departments. A few questions decide which items apply (applicableItems in
 * catalog.themes.ts); every item refers to a demo item by its basic code and owning department.
 */
import type { ThemeDefinition } from './catalog.themes.js'

/** A demo theme has the shape of any theme definition (catalog.themes.ts). */
export type DemoTheme = ThemeDefinition

const YES_NO = [
  { value: 'yes', label: '是' },
  { value: 'no', label: '否' },
]

export const DEMO_THEMES: DemoTheme[] = [
  {
    code: 'open_restaurant',
    name: '开办餐饮店',
    summary:
      '在潮安区开饭店、小吃店、奶茶店，一次申请营业执照、食品经营许可等全部手续。开业前请同时落实消防安全（公众聚集场所营业前消防安全检查或告知承诺，由区消防救援大队办理）。',
    serverType: '法人',
    questions: [
      {
        code: 'subject',
        text: '您打算以什么身份经营？',
        hint: '个体工商户适合夫妻店、小本经营；合伙或规模较大的一般成立公司。',
        options: [
          { value: 'company', label: '公司（企业）' },
          { value: 'individual', label: '个体工商户' },
        ],
      },
      {
        code: 'food_prep',
        text: '店里是否现场制作食品或饮品？',
        hint: '炒菜、小吃、现做奶茶咖啡都算现场制作；只卖有包装的食品饮料选“否”。',
        options: YES_NO,
      },
      {
        code: 'extra_business',
        text: '除餐饮外，是否还经营下列项目？',
        options: [
          { value: 'none', label: '没有' },
          { value: 'lodging_beauty', label: '住宿、沐浴或美容美发' },
          { value: 'karaoke', label: '歌舞娱乐（KTV 包厢等）' },
        ],
      },
      {
        code: 'signboard',
        text: '是否在户外设置招牌或广告牌？',
        options: YES_NO,
      },
      {
        code: 'drainage',
        text: '是否向市政排水管网排放污水？',
        hint: '有后厨、洗碗池的餐饮店一般都会排放污水。',
        options: YES_NO,
      },
      {
        code: 'staff',
        text: '是否招用员工？',
        options: YES_NO,
      },
    ],
    items: [
      {
        catalogCode: '01SCJ0000001',
        departmentCode: 'scj',
        when: { subject: ['company'] },
        note: '同步完成刻制印章、申领发票和税控设备、员工参保登记等开办企业环节。',
      },
      { catalogCode: '01SCJ0000003', departmentCode: 'scj', when: { subject: ['individual'] } },
      {
        catalogCode: '01SCJ0000006',
        departmentCode: 'scj',
        when: { food_prep: ['yes'] },
        note: '营业执照办结后即可申请，可与营业执照一并提交。',
      },
      { catalogCode: '10SCJ0000008', departmentCode: 'scj', when: { food_prep: ['no'] } },
      {
        catalogCode: '01WJJ0000001',
        departmentCode: 'wjj',
        when: { extra_business: ['lodging_beauty', 'karaoke'] },
        note: '饭馆、咖啡馆、酒吧、茶座本身不需要公共场所卫生许可，只有兼营住宿、沐浴、美容美发、歌舞厅等才需要。',
      },
      { catalogCode: '01WGL0000002', departmentCode: 'wgl', when: { extra_business: ['karaoke'] } },
      {
        catalogCode: '01ZJJ0000004',
        departmentCode: 'zjj',
        when: { signboard: ['yes'] },
        note: '在本店建筑物上设置的一般店招按本区规定备案或告知承诺，大型广告牌须审批。',
      },
      { catalogCode: '01ZJJ0000002', departmentCode: 'zjj', when: { drainage: ['yes'] }, note: '按要求设置隔油池。' },
      { catalogCode: '20SBJ0000006', departmentCode: 'sbj', when: { staff: ['yes'] } },
    ],
  },
  {
    code: 'newborn',
    name: '新生儿出生',
    summary: '宝宝出生后，一次办好上户口、参加医保、申领社保卡等事项，户口簿和社保卡可以邮寄到家。',
    serverType: '自然人',
    questions: [
      {
        code: 'register_here',
        text: '宝宝是否在潮安区落户（随父或随母落户在潮安区）？',
        options: YES_NO,
      },
      {
        code: 'mother_insured',
        text: '妈妈是否在单位参加了生育保险（职工基本医疗保险）？',
        options: YES_NO,
      },
    ],
    items: [
      {
        catalogCode: '06GAJ0000003',
        departmentCode: 'gaj',
        when: { register_here: ['yes'] },
        note: '《出生医学证明》由宝宝出生的助产医院签发，不在本平台办理；医院已签发电子出生医学证明的，无需提交纸质件。',
      },
      {
        catalogCode: '20YBJ0000001',
        departmentCode: 'ybj',
        note: '出生后 90 日内参保缴费的，自出生之日起享受医保待遇。非潮安户籍的，按父母居住证在本区参保。',
      },
      {
        catalogCode: '20SBJ0000002',
        departmentCode: 'sbj',
        note: '落户取得公民身份号码后申领，可选择邮寄。',
      },
      {
        catalogCode: '20WJJ0000002',
        departmentCode: 'wjj',
        note: '自愿办理，孕期已登记的无需重复登记。',
      },
      {
        catalogCode: '05YBJ0000004',
        departmentCode: 'ybj',
        when: { mother_insured: ['yes'] },
        note: '一般由用人单位申报，也可由本人申请。',
      },
    ],
  },
  {
    code: 'retirement',
    name: '退休',
    summary: '到了退休年龄，一次办好养老金申领、社保卡、异地就医备案和高龄津贴等事项。',
    serverType: '自然人',
    questions: [
      {
        code: 'pension_scheme',
        text: '您参加的是哪一种养老保险？',
        options: [
          { value: 'employee', label: '企业职工基本养老保险（在单位参保或以灵活就业身份参保）' },
          { value: 'resident', label: '城乡居民基本养老保险' },
        ],
      },
      {
        code: 'has_card',
        text: '是否已有激活了金融功能的社会保障卡？',
        hint: '养老金按月发放到社会保障卡的金融账户。',
        options: YES_NO,
      },
      {
        code: 'live_elsewhere',
        text: '退休后是否长期在外地居住？',
        options: YES_NO,
      },
      {
        code: 'age_80',
        text: '是否已年满 80 周岁？',
        options: YES_NO,
      },
      {
        code: 'rural_family_planning',
        text: '是否为农村独生子女或双女家庭的父母？',
        options: YES_NO,
      },
    ],
    items: [
      {
        catalogCode: '05SBJ0000001',
        departmentCode: 'sbj',
        when: { pension_scheme: ['employee'] },
        note: '职工医保缴费年限达到规定的，退休后不再缴纳医保费，按退休人员享受医保待遇，由社保经办机构一并办理。',
      },
      { catalogCode: '05SBJ0000004', departmentCode: 'sbj', when: { pension_scheme: ['resident'] } },
      { catalogCode: '20SBJ0000002', departmentCode: 'sbj', when: { has_card: ['no'] } },
      { catalogCode: '20YBJ0000002', departmentCode: 'ybj', when: { live_elsewhere: ['yes'] } },
      { catalogCode: '05MZJ0000006', departmentCode: 'mzj', when: { age_80: ['yes'] } },
      {
        catalogCode: '05WJJ0000006',
        departmentCode: 'wjj',
        when: { rural_family_planning: ['yes'] },
        note: '年满 60 周岁后按年度申报。',
      },
    ],
  },
  {
    code: 'marriage',
    name: '结婚',
    summary: '登记结婚，并按需要办理婚后户口迁移和生育登记。',
    serverType: '自然人',
    questions: [
      {
        code: 'move_household',
        text: '婚后是否需要把户口迁到配偶所在地（潮安区）？',
        options: YES_NO,
      },
      {
        code: 'plan_child',
        text: '是否计划生育子女？',
        options: YES_NO,
      },
    ],
    items: [
      { catalogCode: '06MZJ0000001', departmentCode: 'mzj', note: '双方须亲自到婚姻登记处办理，可网上预约。' },
      { catalogCode: '06GAJ0000002', departmentCode: 'gaj', when: { move_household: ['yes'] } },
      { catalogCode: '20WJJ0000002', departmentCode: 'wjj', when: { plan_child: ['yes'] } },
    ],
  },
  {
    code: 'disability',
    name: '残疾人服务',
    summary: '办理残疾人证，并申请残疾人两项补贴和困难家庭救助。',
    serverType: '自然人',
    questions: [
      {
        code: 'has_certificate',
        text: '是否已持有第二代残疾人证？',
        options: YES_NO,
      },
      {
        code: 'family_income',
        text: '家庭经济状况如何？',
        options: [
          { value: 'dibao', label: '已享受最低生活保障' },
          { value: 'hardship', label: '生活困难，但未享受最低生活保障' },
          { value: 'normal', label: '一般' },
        ],
      },
    ],
    items: [
      { catalogCode: '20CL00000001', departmentCode: 'cl', when: { has_certificate: ['no'] } },
      {
        catalogCode: '05MZJ0000008',
        departmentCode: 'mzj',
        note: '低保家庭的残疾人可领取生活补贴；残疾等级为一、二级且需要长期照护的可领取护理补贴。取得残疾人证后申请。',
      },
      { catalogCode: '05MZJ0000003', departmentCode: 'mzj', when: { family_income: ['hardship'] } },
    ],
  },
]
