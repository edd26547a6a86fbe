/**
 * Application forms (在线填报) of the demo catalog, keyed by catalogCode, and the default form for
 * any item without its own. Questions follow the items' blank application forms
 * (catalog.demo-items.*.ts) and the materials they replace; values prefilled from e-licenses use
 * the field keys of the license types (licenses.demo-types.ts: business_license legal_representative,
 * address; social_security_card card_no, bank) and `holder_name` / `holder_key` (the name and the
 * credit code on the license). `resultLicense` says which answers fill the license an item gives.
 */
import type { ItemElements } from '../catalog/index.js'
import type { FormDefinition, FormField, FormSection, PrefillSource } from './applications.forms.js'

const fromPerson = (path: 'name' | 'idNumber' | 'mobile' | 'address' | 'birthDate' | 'sex'): PrefillSource => ({
  from: 'person',
  path,
})
const fromEnterprise = (path: 'name' | 'creditCode' | 'legalRepName' | 'address'): PrefillSource => ({
  from: 'enterprise',
  path,
})
const fromBusinessLicense = (path: string): PrefillSource => ({
  from: 'license',
  licenseType: 'business_license',
  path,
})

const YES = { equals: 'yes' } as const

/** The person filling in the form, from their real-name record. */
function selfFields(more: FormField[] = []): FormField[] {
  return [
    { key: 'name', label: '姓名', type: 'text', required: true, maxLength: 50, prefill: fromPerson('name') },
    { key: 'id_number', label: '身份证号码', type: 'idNumber', required: true, prefill: fromPerson('idNumber') },
    { key: 'mobile', label: '手机号码', type: 'mobile', required: true, prefill: fromPerson('mobile') },
    ...more,
  ]
}

/** Someone other than the person filling in the form. */
function otherPersonFields(prefix = ''): FormField[] {
  return [
    { key: 'name', label: `${prefix}姓名`, type: 'text', required: true, maxLength: 50 },
    { key: 'id_number', label: `${prefix}身份证号码`, type: 'idNumber', required: true },
  ]
}

/** The business as its licence shows it; the acting enterprise's record when there is no e-licence. */
function licenseHolderSection(title: string): FormSection {
  return {
    key: 'subject',
    title,
    hint: '持有电子营业执照的，以下信息已按营业执照自动填写，请核对。',
    fields: [
      {
        key: 'credit_code',
        label: '统一社会信用代码',
        type: 'creditCode',
        required: true,
        prefill: [fromBusinessLicense('holder_key'), fromEnterprise('creditCode')],
      },
      {
        key: 'name',
        label: '名称',
        hint: '与营业执照一致；个体工商户未使用名称的，填写经营者姓名',
        type: 'text',
        required: true,
        maxLength: 100,
        prefill: [fromBusinessLicense('holder_name'), fromEnterprise('name')],
      },
      {
        key: 'legal_rep',
        label: '法定代表人（负责人）',
        type: 'text',
        required: true,
        maxLength: 50,
        prefill: [fromBusinessLicense('legal_representative'), fromEnterprise('legalRepName')],
      },
      { key: 'legal_rep_id_number', label: '法定代表人（负责人）身份证号码', type: 'idNumber', required: true },
      {
        key: 'address',
        label: '住所',
        type: 'address',
        required: true,
        prefill: [fromBusinessLicense('address'), fromEnterprise('address')],
      },
    ],
  }
}

/** Who the department calls about the application. */
const CONTACT: FormSection = {
  key: 'contact',
  title: '联系人',
  hint: '办理中需要补充材料或告知结果时，我们会联系此人。',
  fields: [
    { key: 'name', label: '联系人姓名', type: 'text', required: true, maxLength: 50, prefill: fromPerson('name') },
    { key: 'mobile', label: '联系人手机号码', type: 'mobile', required: true, prefill: fromPerson('mobile') },
    { key: 'email', label: '电子邮箱', type: 'email', hint: '填写后，办理进度也会发送到此邮箱' },
  ],
}

/** How a paper result reaches the applicant: post (free) or collection at a window. */
function deliverySection(what: string, pickupPoints: { value: string; label: string }[]): FormSection {
  return {
    key: 'delivery',
    title: `${what}领取方式`,
    fields: [
      {
        key: 'method',
        label: `您希望如何领取${what}？`,
        type: 'radios',
        required: true,
        options: [
          { value: 'post', label: '免费邮寄到家' },
          { value: 'pickup', label: '到窗口领取' },
        ],
      },
      {
        key: 'recipient',
        label: '收件人',
        type: 'text',
        maxLength: 50,
        required: { field: 'method', equals: 'post' },
        showIf: { field: 'method', equals: 'post' },
        prefill: fromPerson('name'),
      },
      {
        key: 'post_address',
        label: '邮寄地址',
        hint: '写到门牌号，如：潮州市潮安区庵埠镇安南路 1 号',
        type: 'address',
        required: { field: 'method', equals: 'post' },
        showIf: { field: 'method', equals: 'post' },
        prefill: fromPerson('address'),
      },
      {
        key: 'pickup_point',
        label: '领取地点',
        type: 'select',
        options: pickupPoints,
        required: { field: 'method', equals: 'pickup' },
        showIf: { field: 'method', equals: 'pickup' },
      },
    ],
  }
}

const CENTER_PICKUP = [
  { value: 'center', label: '潮安区政务服务中心' },
  { value: 'anbu', label: '庵埠镇政务服务站' },
  { value: 'caitang', label: '彩塘镇政务服务站' },
  { value: 'jinshi', label: '金石镇政务服务站' },
  { value: 'fuyang', label: '浮洋镇政务服务站' },
]

// ---------------------------------------------------------------------------------------------

/** 食品经营许可 (01SCJ0000006): 《食品经营许可和备案管理办法》 application. */
const FOOD_BUSINESS_LICENSE: FormDefinition = {
  version: 1,
  // 食品经营许可证 (licenses.demo-types.ts food_license); 许可证编号 is given at issuance.
  resultLicense: {
    legal_representative: 'subject.legal_rep',
    address: 'subject.address',
    premises: 'business.premises_address',
    main_business: 'business.subject_type',
    business_items: 'business.items',
  },
  sections: [
    licenseHolderSection('申请人（营业执照信息）'),
    {
      key: 'business',
      title: '经营信息',
      fields: [
        {
          key: 'subject_type',
          label: '主体业态',
          type: 'radios',
          required: true,
          options: [
            { value: 'food_sales', label: '食品销售经营者' },
            { value: 'catering', label: '餐饮服务经营者' },
            { value: 'canteen', label: '单位食堂' },
          ],
        },
        {
          key: 'items',
          label: '经营项目',
          hint: '按实际经营勾选，可多选。仅销售预包装食品的无需许可，请办理“仅销售预包装食品备案”。',
          type: 'checkboxes',
          required: true,
          options: [
            { value: 'prepackaged', label: '预包装食品销售（含冷藏冷冻食品）' },
            { value: 'bulk', label: '散装食品销售（含冷藏冷冻食品）' },
            { value: 'special_food', label: '特殊食品销售（保健食品、特殊医学用途配方食品、婴幼儿配方食品）' },
            { value: 'hot_food', label: '热食类食品制售' },
            { value: 'cold_food', label: '冷食类食品制售' },
            { value: 'raw_food', label: '生食类食品制售' },
            { value: 'semi_finished', label: '半成品制售' },
            { value: 'drinks', label: '自制饮品制售' },
            { value: 'other_food', label: '其他类食品制售' },
          ],
        },
        {
          key: 'premises_address',
          label: '经营场所地址',
          hint: '与营业执照一致，写到门牌号',
          type: 'address',
          required: true,
          prefill: fromBusinessLicense('address'),
        },
        {
          key: 'area',
          label: '经营场所面积',
          type: 'number',
          suffix: '㎡',
          required: true,
          min: 1,
          max: 100000,
        },
        {
          key: 'staff_count',
          label: '从业人员人数',
          type: 'number',
          integer: true,
          suffix: '人',
          required: true,
          min: 1,
          max: 10000,
        },
        {
          key: 'online',
          label: '是否通过网络经营',
          hint: '通过外卖平台、网店或自建网站销售食品的，选“是”',
          type: 'yesno',
          required: true,
        },
        { key: 'has_warehouse', label: '是否有仓库', type: 'yesno', required: true },
        {
          key: 'warehouse_address',
          label: '仓库地址',
          type: 'address',
          required: true,
          showIf: { field: 'has_warehouse', ...YES },
        },
      ],
    },
    {
      key: 'online_business',
      title: '网络经营信息',
      showIf: { field: 'business.online', ...YES },
      fields: [
        {
          key: 'platform_name',
          label: '网站或平台名称',
          hint: '如：美团外卖、饿了么，或自建网站的名称',
          type: 'text',
          required: true,
          maxLength: 100,
        },
        { key: 'shop_name', label: '网店名称', type: 'text', maxLength: 100 },
        {
          key: 'website',
          label: '网址',
          hint: '自建网站的填写，如 https://www.example.com',
          type: 'text',
          maxLength: 200,
          pattern: 'https?://\\S+',
          patternMessage: '网址应以 http:// 或 https:// 开头，如 https://www.example.com',
        },
      ],
    },
    {
      key: 'safety_staff',
      title: '食品安全管理人员',
      hint: '填写食品安全总监、食品安全员等食品安全管理人员，至少一名。',
      repeat: { min: 1, max: 5, addLabel: '再添加一名管理人员', itemLabel: '食品安全管理人员' },
      fields: [
        { key: 'name', label: '姓名', type: 'text', required: true, maxLength: 50 },
        { key: 'id_number', label: '身份证号码', type: 'idNumber', required: true },
        { key: 'mobile', label: '手机号码', type: 'mobile', required: true },
        {
          key: 'role',
          label: '岗位',
          type: 'select',
          required: true,
          options: [
            { value: 'director', label: '食品安全总监' },
            { value: 'officer', label: '食品安全员' },
          ],
        },
      ],
    },
    CONTACT,
  ],
}

/** 个体工商户设立登记 (01SCJ0000003): 个体工商户登记（备案）申请书. */
const SOLE_TRADER_REGISTRATION: FormDefinition = {
  version: 1,
  sections: [
    {
      key: 'operator',
      title: '经营者信息',
      fields: selfFields([
        { key: 'address', label: '住所', type: 'address', required: true, prefill: fromPerson('address') },
      ]),
    },
    {
      key: 'business',
      title: '登记事项',
      fields: [
        {
          key: 'use_name',
          label: '是否使用名称',
          hint: '个体工商户可以不使用名称，营业执照上名称一栏显示为“***”',
          type: 'yesno',
          required: true,
        },
        {
          key: 'name',
          label: '个体工商户名称',
          hint: '如：潮安区庵埠镇某某小吃店',
          type: 'text',
          required: true,
          maxLength: 60,
          showIf: { field: 'use_name', ...YES },
        },
        {
          key: 'organisation',
          label: '组成形式',
          type: 'radios',
          required: true,
          options: [
            { value: 'individual', label: '个人经营' },
            { value: 'family', label: '家庭经营' },
          ],
        },
        {
          key: 'premises',
          label: '经营场所',
          hint: '写到门牌号；网络经营的可填写网络经营场所',
          type: 'address',
          required: true,
        },
        {
          key: 'scope',
          label: '经营范围',
          hint: '如：餐饮服务；食品销售。涉及许可的项目，取得许可后方可经营',
          type: 'textarea',
          required: true,
          maxLength: 500,
        },
        {
          key: 'staff_count',
          label: '从业人数',
          type: 'number',
          integer: true,
          suffix: '人',
          required: true,
          min: 1,
          max: 999,
        },
        { key: 'capital', label: '资金数额', type: 'money', required: true, min: 0, max: 100000000 },
        {
          key: 'licence_form',
          label: '申领执照',
          type: 'radios',
          required: true,
          options: [
            { value: 'electronic', label: '仅电子营业执照' },
            { value: 'paper_and_electronic', label: '纸质营业执照和电子营业执照' },
          ],
        },
      ],
    },
    {
      key: 'family_members',
      title: '参加经营的家庭成员',
      showIf: { field: 'business.organisation', equals: 'family' },
      repeat: { min: 1, max: 10, addLabel: '再添加一名家庭成员', itemLabel: '家庭成员' },
      fields: [
        ...otherPersonFields(),
        {
          key: 'relation',
          label: '与经营者关系',
          type: 'select',
          required: true,
          options: [
            { value: 'spouse', label: '配偶' },
            { value: 'child', label: '子女' },
            { value: 'parent', label: '父母' },
            { value: 'sibling', label: '兄弟姐妹' },
            { value: 'other', label: '其他家庭成员' },
          ],
        },
        { key: 'mobile', label: '联系电话', type: 'mobile' },
      ],
    },
  ],
}

/** 社会保障卡申领 (20SBJ0000002). */
const SOCIAL_SECURITY_CARD: FormDefinition = {
  version: 1,
  sections: [
    {
      key: 'applicant',
      title: '申请人信息',
      fields: selfFields([
        {
          key: 'for_whom',
          label: '为谁申领',
          type: 'radios',
          required: true,
          options: [
            { value: 'self', label: '为本人申领' },
            { value: 'minor', label: '为未满 16 周岁的子女申领（监护人代办）' },
          ],
        },
        {
          key: 'reason',
          label: '申领原因',
          type: 'radios',
          required: true,
          options: [
            { value: 'first', label: '首次申领' },
            { value: 'lost', label: '遗失补领' },
            { value: 'damaged', label: '损坏换领' },
          ],
        },
      ]),
    },
    {
      key: 'minor',
      title: '未成年人信息',
      showIf: { field: 'applicant.for_whom', equals: 'minor' },
      fields: [
        ...otherPersonFields('子女'),
        {
          key: 'relation',
          label: '与申请人关系',
          type: 'radios',
          required: true,
          options: [
            { value: 'father', label: '父亲' },
            { value: 'mother', label: '母亲' },
            { value: 'guardian', label: '其他监护人' },
          ],
        },
      ],
    },
    deliverySection('社会保障卡', [
      { value: 'center', label: '潮安区政务服务中心社保窗口（即时制卡）' },
      ...CENTER_PICKUP.slice(1),
    ]),
  ],
}

/** 出生登记 (06GAJ0000003). */
const BIRTH_REGISTRATION: FormDefinition = {
  version: 1,
  sections: [
    {
      key: 'baby',
      title: '新生儿信息',
      fields: [
        {
          key: 'name',
          label: '新生儿姓名',
          hint: '使用规范汉字，与出生医学证明一致',
          type: 'text',
          required: true,
          maxLength: 20,
        },
        {
          key: 'sex',
          label: '性别',
          type: 'radios',
          required: true,
          options: [
            { value: 'male', label: '男' },
            { value: 'female', label: '女' },
          ],
        },
        { key: 'birth_date', label: '出生日期', type: 'date', required: true, max: 'today', min: '1900-01-01' },
        { key: 'birth_place', label: '出生地点（医院）', type: 'text', required: true, maxLength: 100 },
        {
          key: 'birth_cert_no',
          label: '出生医学证明编号',
          hint: '印在出生医学证明右上角',
          type: 'text',
          required: true,
          maxLength: 20,
          pattern: '[0-9A-Za-z]+',
          patternMessage: '出生医学证明编号只能包含字母和数字',
        },
      ],
    },
    {
      key: 'declarant',
      title: '申报人信息',
      fields: selfFields([
        {
          key: 'relation',
          label: '与新生儿关系',
          type: 'radios',
          required: true,
          options: [
            { value: 'father', label: '父亲' },
            { value: 'mother', label: '母亲' },
            { value: 'guardian', label: '其他监护人' },
          ],
        },
      ]),
    },
    { key: 'father', title: '父亲信息', fields: otherPersonFields('父亲') },
    { key: 'mother', title: '母亲信息', fields: otherPersonFields('母亲') },
    {
      key: 'settle',
      title: '落户信息',
      fields: [
        {
          key: 'follow',
          label: '随父还是随母落户',
          type: 'radios',
          required: true,
          options: [
            { value: 'father', label: '随父落户' },
            { value: 'mother', label: '随母落户' },
          ],
        },
        {
          key: 'household_address',
          label: '落户地址',
          hint: '落户方居民户口簿上的住址',
          type: 'address',
          required: true,
        },
        { key: 'married', label: '父母是否已登记结婚', type: 'yesno', required: true },
        {
          key: 'marriage_date',
          label: '结婚登记日期',
          type: 'date',
          max: 'today',
          showIf: { field: 'married', ...YES },
        },
      ],
    },
    deliverySection('户口簿', CENTER_PICKUP),
  ],
}

/** 基本养老金申领 (05SBJ0000001): 企业职工基本养老保险待遇申请表. */
const BASIC_PENSION: FormDefinition = {
  version: 1,
  sections: [
    {
      key: 'applicant',
      title: '申请人信息',
      fields: selfFields([
        {
          key: 'birth_date',
          label: '出生日期',
          type: 'date',
          required: true,
          max: 'today',
          prefill: fromPerson('birthDate'),
        },
        {
          key: 'work_start_date',
          label: '参加工作时间',
          hint: '以本人档案记载为准',
          type: 'date',
          required: true,
          max: 'today',
          min: '1940-01-01',
        },
        {
          key: 'filed_by',
          label: '申请方式',
          type: 'radios',
          required: true,
          options: [
            { value: 'self', label: '本人申请（灵活就业人员等）' },
            { value: 'employer', label: '由用人单位申请' },
          ],
        },
      ]),
    },
    {
      key: 'employer',
      title: '用人单位信息',
      showIf: { field: 'applicant.filed_by', equals: 'employer' },
      fields: [
        {
          key: 'name',
          label: '单位名称',
          type: 'text',
          required: true,
          maxLength: 100,
          prefill: fromEnterprise('name'),
        },
        {
          key: 'credit_code',
          label: '统一社会信用代码',
          type: 'creditCode',
          required: true,
          prefill: fromEnterprise('creditCode'),
        },
        { key: 'handler_name', label: '单位经办人', type: 'text', required: true, maxLength: 50 },
        { key: 'handler_mobile', label: '经办人手机号码', type: 'mobile', required: true },
      ],
    },
    {
      key: 'retirement',
      title: '退休信息',
      fields: [
        {
          key: 'category',
          label: '退休类别',
          type: 'radios',
          required: true,
          options: [
            { value: 'normal', label: '正常退休' },
            { value: 'flexible', label: '弹性提前或弹性延迟退休' },
            { value: 'special_job', label: '特殊工种提前退休' },
            { value: 'illness', label: '因病或非因工致残提前退休' },
          ],
        },
        {
          key: 'special_job_name',
          label: '特殊工种名称',
          type: 'text',
          required: true,
          maxLength: 100,
          showIf: { field: 'category', equals: 'special_job' },
        },
        { key: 'retire_date', label: '申请退休时间', type: 'date', required: true, min: '2000-01-01' },
        {
          key: 'contribution_years',
          label: '累计缴费年限',
          type: 'number',
          suffix: '年',
          required: true,
          min: 0,
          max: 60,
        },
        {
          key: 'deemed_years',
          label: '视同缴费年限',
          hint: '没有的不填',
          type: 'number',
          suffix: '年',
          min: 0,
          max: 60,
        },
        { key: 'last_employer', label: '最后参保单位', type: 'text', maxLength: 100 },
      ],
    },
    {
      key: 'payment',
      title: '待遇领取账户',
      hint: '基本养老金按月发放到本人社会保障卡的金融账户，请确认已激活金融功能。',
      fields: [
        {
          key: 'card_number',
          label: '社会保障卡卡号',
          type: 'text',
          required: true,
          maxLength: 30,
          pattern: '[0-9A-Za-z]{9,30}',
          patternMessage: '社会保障卡卡号只能包含数字和字母',
          prefill: { from: 'license', licenseType: 'social_security_card', path: 'card_no' },
        },
        {
          key: 'bank',
          label: '金融账户开户银行',
          type: 'text',
          required: true,
          maxLength: 50,
          prefill: { from: 'license', licenseType: 'social_security_card', path: 'bank' },
        },
      ],
    },
  ],
}

/** 公共场所卫生许可 (01WJJ0000001): 公共场所卫生许可申请表. */
const PUBLIC_PLACE_HYGIENE: FormDefinition = {
  version: 1,
  sections: [
    licenseHolderSection('申请单位（营业执照信息）'),
    {
      key: 'premises',
      title: '场所情况',
      fields: [
        { key: 'name', label: '场所名称', type: 'text', required: true, maxLength: 100 },
        { key: 'address', label: '场所地址', type: 'address', required: true, prefill: fromBusinessLicense('address') },
        {
          key: 'categories',
          label: '场所类别',
          hint: '可多选。饭馆、咖啡馆、酒吧、茶座无需办理',
          type: 'checkboxes',
          required: true,
          options: [
            { value: 'lodging', label: '住宿场所（宾馆、旅店、招待所）' },
            { value: 'bathing', label: '沐浴场所' },
            { value: 'beauty', label: '美容美发场所' },
            { value: 'swimming', label: '游泳场所' },
            { value: 'entertainment', label: '歌舞厅、游艺厅等娱乐场所' },
          ],
        },
        { key: 'area', label: '营业面积', type: 'number', suffix: '㎡', required: true, min: 1, max: 1000000 },
        {
          key: 'capacity',
          label: '床位、座位或包厢数',
          hint: '没有的不填',
          type: 'number',
          integer: true,
          min: 0,
          max: 100000,
        },
        { key: 'central_ac', label: '是否使用集中空调通风系统', type: 'yesno', required: true },
        {
          key: 'ac_report_no',
          label: '集中空调通风系统卫生检测（评价）报告编号',
          type: 'text',
          maxLength: 50,
          showIf: { field: 'central_ac', ...YES },
          required: { field: 'permit_mode', equals: 'standard' },
        },
        {
          key: 'permit_mode',
          label: '许可方式',
          hint: '选择告知承诺的，材料齐全当场发证，检测报告可在取证后 3 个月内提交',
          type: 'radios',
          required: true,
          options: [
            { value: 'standard', label: '一般程序' },
            { value: 'commitment', label: '告知承诺' },
          ],
        },
      ],
    },
    {
      key: 'hygiene',
      title: '卫生管理',
      fields: [
        { key: 'manager_name', label: '卫生管理人员', type: 'text', required: true, maxLength: 50 },
        { key: 'manager_mobile', label: '卫生管理人员手机号码', type: 'mobile', required: true },
        {
          key: 'staff_count',
          label: '从业人员人数',
          type: 'number',
          integer: true,
          suffix: '人',
          required: true,
          min: 1,
          max: 10000,
        },
        {
          key: 'certified_count',
          label: '已取得健康合格证明的人数',
          type: 'number',
          integer: true,
          suffix: '人',
          required: true,
          min: 0,
          max: 10000,
        },
      ],
    },
    {
      key: 'commitment',
      title: '告知承诺',
      showIf: { field: 'premises.permit_mode', equals: 'commitment' },
      fields: [
        {
          key: 'agree',
          label: '承诺事项',
          type: 'checkboxes',
          required: true,
          options: [
            {
              value: 'agree',
              label:
                '本单位已知晓公共场所卫生许可条件，承诺符合条件，并在取证后 3 个月内提交卫生检测或评价报告；承诺不实的，愿意承担许可被撤销等法律责任',
            },
          ],
        },
      ],
    },
    CONTACT,
  ],
}

/** 结婚登记 (06MZJ0000001): 预约和预填（登记时双方仍须到场）. */
const MARRIAGE_REGISTRATION: FormDefinition = {
  version: 1,
  sections: [
    {
      key: 'applicant',
      title: '本人信息',
      fields: selfFields([
        {
          key: 'sex',
          label: '性别',
          type: 'radios',
          required: true,
          options: [
            { value: 'male', label: '男' },
            { value: 'female', label: '女' },
          ],
          prefill: fromPerson('sex'),
        },
        {
          key: 'marital_status',
          label: '目前婚姻状况',
          type: 'radios',
          required: true,
          options: [
            { value: 'single', label: '未婚' },
            { value: 'divorced', label: '离婚' },
            { value: 'widowed', label: '丧偶' },
          ],
        },
        { key: 'occupation', label: '职业', type: 'text', maxLength: 50 },
      ]),
    },
    {
      key: 'partner',
      title: '对方信息',
      hint: '登记时双方须亲自到场，并出示本人身份证。',
      fields: [
        ...otherPersonFields('对方'),
        { key: 'mobile', label: '对方手机号码', type: 'mobile', required: true },
        {
          key: 'marital_status',
          label: '对方目前婚姻状况',
          type: 'radios',
          required: true,
          options: [
            { value: 'single', label: '未婚' },
            { value: 'divorced', label: '离婚' },
            { value: 'widowed', label: '丧偶' },
          ],
        },
      ],
    },
    {
      key: 'appointment',
      title: '预约登记时间',
      fields: [
        {
          key: 'date',
          label: '预约日期',
          hint: '请选择工作日；“5·20”“七夕”等日期以婚姻登记处公告为准',
          type: 'date',
          required: true,
          min: 'today',
        },
        {
          key: 'period',
          label: '时段',
          type: 'radios',
          required: true,
          options: [
            { value: 'morning', label: '上午（8:30-12:00）' },
            { value: 'afternoon', label: '下午（14:30-17:30）' },
          ],
        },
        { key: 'ceremony', label: '是否需要颁证仪式', hint: '颁证仪式免费', type: 'yesno', required: true },
      ],
    },
  ],
}

/** Forms of the demo items, by catalogCode. */
export const DEMO_FORMS: Record<string, FormDefinition> = {
  '01SCJ0000006': FOOD_BUSINESS_LICENSE,
  '01SCJ0000003': SOLE_TRADER_REGISTRATION,
  '20SBJ0000002': SOCIAL_SECURITY_CARD,
  '06GAJ0000003': BIRTH_REGISTRATION,
  '05SBJ0000001': BASIC_PENSION,
  '01WJJ0000001': PUBLIC_PLACE_HYGIENE,
  '06MZJ0000001': MARRIAGE_REGISTRATION,
}

// ---------------------------------------------------------------------------------------------

function personSection(key: string, title: string, showIf?: FormSection['showIf']): FormSection {
  return {
    key,
    title,
    ...(showIf ? { showIf } : {}),
    fields: selfFields([{ key: 'address', label: '联系地址', type: 'address', prefill: fromPerson('address') }]),
  }
}

function enterpriseSection(key: string, title: string, showIf?: FormSection['showIf']): FormSection {
  return {
    key,
    title,
    ...(showIf ? { showIf } : {}),
    fields: [
      {
        key: 'name',
        label: '单位名称',
        type: 'text',
        required: true,
        maxLength: 100,
        prefill: [fromEnterprise('name'), fromBusinessLicense('holder_name')],
      },
      {
        key: 'credit_code',
        label: '统一社会信用代码',
        type: 'creditCode',
        required: true,
        prefill: [fromEnterprise('creditCode'), fromBusinessLicense('holder_key')],
      },
      {
        key: 'legal_rep',
        label: '法定代表人（负责人）',
        type: 'text',
        required: true,
        maxLength: 50,
        prefill: [fromEnterprise('legalRepName'), fromBusinessLicense('legal_representative')],
      },
      {
        key: 'address',
        label: '住所',
        type: 'address',
        required: true,
        prefill: [fromEnterprise('address'), fromBusinessLicense('address')],
      },
    ],
  }
}

/**
 * A form for an item that has none of its own: who applies (a person, a unit, or either by
 * choice, after the item's 服务对象), the contact, and what is applied for in the person's words.
 */
export function defaultForm(item: Pick<ItemElements, 'taskName' | 'serverType'>): FormDefinition {
  const person = item.serverType.includes('自然人')
  const unit = item.serverType.includes('法人')
  const applicant: FormSection[] =
    person && unit
      ? [
          {
            key: 'applicant_kind',
            title: '申请人类型',
            fields: [
              {
                key: 'kind',
                label: '以什么身份申请？',
                type: 'radios',
                required: true,
                options: [
                  { value: 'person', label: '个人' },
                  { value: 'unit', label: '企业或其他单位' },
                ],
              },
            ],
          },
          personSection('person', '申请人信息', { field: 'applicant_kind.kind', equals: 'person' }),
          enterpriseSection('unit', '申请单位信息', { field: 'applicant_kind.kind', equals: 'unit' }),
        ]
      : unit
        ? [enterpriseSection('unit', '申请单位信息')]
        : [personSection('person', '申请人信息')]
  return {
    version: 1,
    sections: [
      ...applicant,
      CONTACT,
      {
        key: 'request',
        title: '申请事项说明',
        fields: [
          {
            key: 'description',
            label: '申请事项说明',
            hint: `请简要说明申请“${item.taskName}”的事由和具体要求`,
            type: 'textarea',
            required: true,
            maxLength: 2000,
          },
        ],
      },
    ],
  }
}

/** The form of a demo item: its own, or the default one. */
export function demoFormFor(item: Pick<ItemElements, 'catalogCode' | 'taskName' | 'serverType'>): FormDefinition {
  return DEMO_FORMS[item.catalogCode] ?? defaultForm(item)
}
