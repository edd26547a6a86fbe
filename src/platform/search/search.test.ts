import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../test/helpers.js'
import {
  addSynonyms,
  indexDocument,
  pinyinInitials,
  queryWords,
  reindexAll,
  removeDocument,
  type SearchDocumentInput,
  search,
  seedSynonyms,
  suggest,
  tokenize,
} from './index.js'

/** Service items of a district catalog (names as in 广东政务服务网), with short realistic bodies. */
const item = (
  refId: string,
  title: string,
  department: string,
  audience: string[],
  boost: number,
  body: string,
): SearchDocumentInput => ({ kind: 'item', refId, title, body, boost, facets: { department, audience } })

const CATALOG_ITEMS: SearchDocumentInput[] = [
  item(
    'company-setup',
    '企业设立登记',
    '区市场监督管理局',
    ['法人'],
    950,
    '在本区新开办有限责任公司、股份有限公司等企业，应当向登记机关申请设立登记，领取营业执照。全程网上办理，材料齐全的一个工作日内办结。',
  ),
  item(
    'company-deregister',
    '企业注销登记',
    '区市场监督管理局',
    ['法人'],
    300,
    '企业解散、被宣告破产或者依法终止的，清算组应当自清算结束之日起三十日内申请注销登记。',
  ),
  item(
    'sole-trader-setup',
    '个体工商户设立登记',
    '区市场监督管理局',
    ['个人'],
    880,
    '个人从事工商业经营，如开设小吃店、便利店、理发店，应当办理个体工商户设立登记并领取营业执照。需提交经营者身份证明和经营场所使用证明。',
  ),
  item(
    'sole-trader-deregister',
    '个体工商户注销登记',
    '区市场监督管理局',
    ['个人'],
    120,
    '个体工商户不再从事经营活动的，应当办理注销登记，并缴回营业执照正、副本。',
  ),
  item(
    'licence-replace',
    '营业执照遗失补领',
    '区市场监督管理局',
    ['法人', '个人'],
    90,
    '营业执照遗失或者毁损的，经营者可以申请补领，并在国家企业信用信息公示系统公告作废。',
  ),
  item(
    'food-business',
    '食品经营许可',
    '区市场监督管理局',
    ['法人', '个人'],
    700,
    '从事食品销售和餐饮服务活动，应当依法取得食品经营许可。开办饭店、餐馆、超市等须提交营业执照、经营场所平面图、食品安全管理制度等材料。',
  ),
  item(
    'food-business-change',
    '食品经营许可变更',
    '区市场监督管理局',
    ['法人', '个人'],
    150,
    '食品经营许可证载明的经营场所、主体业态、经营项目等事项发生变化的，应当申请变更。',
  ),
  item(
    'food-workshop',
    '食品小作坊登记',
    '区市场监督管理局',
    ['个人'],
    80,
    '从事传统特色食品生产加工的小作坊，向所在地市场监管部门申请登记，取得食品小作坊登记证。',
  ),
  item(
    'small-catering',
    '小餐饮经营登记',
    '区市场监督管理局',
    ['个人'],
    260,
    '经营面积较小、从业人员较少的小饭馆、小吃店等小餐饮经营者，实行登记管理，免收费用。',
  ),
  item(
    'public-hygiene',
    '公共场所卫生许可',
    '区卫生健康局',
    ['法人', '个人'],
    310,
    '宾馆、美容美发店、游泳场所等公共场所的经营者，在取得营业执照后应当申请公共场所卫生许可证。',
  ),
  item(
    'drug-retail',
    '药品零售企业经营许可',
    '市市场监督管理局',
    ['法人'],
    60,
    '开办药品零售企业，应当取得药品经营许可证，配备依法经过资格认定的药师。',
  ),
  item(
    'medical-institution',
    '医疗机构执业登记',
    '区卫生健康局',
    ['法人'],
    70,
    '医疗机构执业，必须进行登记，领取医疗机构执业许可证。诊所实行备案管理。',
  ),
  item(
    'road-transport',
    '道路货物运输经营许可',
    '区交通运输局',
    ['法人', '个人'],
    110,
    '从事道路货物运输经营的，应当取得道路运输经营许可证，车辆需取得道路运输证。',
  ),
  item(
    'id-card-renew',
    '居民身份证换领',
    '区公安分局',
    ['个人'],
    1200,
    '居民身份证有效期满或者证件损坏、登记项目变更的，应当换领新证。携带原证和户口簿到派出所办理，可异地受理。',
  ),
  item(
    'id-card-replace',
    '居民身份证补领',
    '区公安分局',
    ['个人'],
    640,
    '居民身份证丢失的，可向任一公安机关申请补领；补领期间需要使用的，可申领临时居民身份证。',
  ),
  item(
    'id-card-temp',
    '临时居民身份证申领',
    '区公安分局',
    ['个人'],
    210,
    '正在申领、换领或补领居民身份证期间，急需使用身份证的，可以申请领取临时居民身份证。',
  ),
  item(
    'birth-registration',
    '出生登记',
    '区公安分局',
    ['个人'],
    520,
    '新生儿出生后一个月内，由监护人持出生医学证明、父母的居民身份证和户口簿，到派出所申报出生登记（上户口）。',
  ),
  item(
    'birth-certificate',
    '出生医学证明签发',
    '区卫生健康局',
    ['个人'],
    330,
    '新生儿在医疗机构出生的，由接生医院签发出生医学证明，是办理出生登记的必备材料。',
  ),
  item(
    'childbirth-registration',
    '生育登记',
    '区卫生健康局',
    ['个人'],
    410,
    '夫妻生育子女的，可在怀孕前或怀孕后进行生育登记，免费享受孕产期保健服务。',
  ),
  item(
    'household-move-in',
    '户口迁入登记',
    '区公安分局',
    ['个人'],
    380,
    '因投靠亲属、购房、就业等原因将户口迁入本区的，持有关证明到迁入地派出所办理户口迁移。',
  ),
  item(
    'residence-permit',
    '居住证申领',
    '区公安分局',
    ['个人'],
    290,
    '离开常住户口所在地，在本区居住半年以上，有合法稳定就业、住所或连续就读的，可以申领居住证。',
  ),
  item(
    'marriage',
    '结婚登记',
    '区民政局',
    ['个人'],
    900,
    '内地居民结婚，男女双方应当共同到婚姻登记机关办理结婚登记，出具户口簿、居民身份证和无配偶声明。',
  ),
  item(
    'divorce',
    '离婚登记',
    '区民政局',
    ['个人'],
    200,
    '夫妻双方自愿离婚的，应当共同到婚姻登记机关申请离婚登记，经三十日冷静期后领取离婚证。',
  ),
  item(
    'marriage-cert-replace',
    '补领结婚证',
    '区民政局',
    ['个人'],
    100,
    '结婚证遗失或者损毁的，当事人可以持居民身份证和户口簿向原婚姻登记机关申请补领。',
  ),
  item(
    'pension-claim',
    '基本养老金申领',
    '区人力资源和社会保障局',
    ['个人'],
    760,
    '参保人员达到法定退休年龄且累计缴费满十五年的，可以申领基本养老金，按月领取。',
  ),
  item(
    'rural-pension-enrol',
    '城乡居民基本养老保险参保登记',
    '区人力资源和社会保障局',
    ['个人'],
    340,
    '年满十六周岁、不是在校学生、未参加职工基本养老保险的城乡居民，可以在户籍地参加城乡居民养老保险。',
  ),
  item(
    'social-card',
    '社会保障卡申领',
    '区人力资源和社会保障局',
    ['个人'],
    830,
    '参加社会保险的人员可以申领社会保障卡。社保卡可用于身份凭证、待遇领取和医疗费用结算。',
  ),
  item(
    'social-card-replace',
    '社会保障卡挂失与补换',
    '区人力资源和社会保障局',
    ['个人'],
    270,
    '社会保障卡丢失的，应当立即挂失，并持身份证件申请补换新卡。',
  ),
  item(
    'unemployment-benefit',
    '失业保险金申领',
    '区人力资源和社会保障局',
    ['个人'],
    230,
    '非因本人意愿中断就业、已办理失业登记并有求职要求的，可以申领失业保险金。',
  ),
  item(
    'work-injury',
    '工伤认定',
    '区人力资源和社会保障局',
    ['个人', '法人'],
    150,
    '职工发生事故伤害或者被诊断为职业病的，用人单位应当在三十日内提出工伤认定申请。',
  ),
  item(
    'medical-insurance-enrol',
    '基本医疗保险参保登记',
    '区医疗保障局',
    ['个人'],
    600,
    '城乡居民可以在户籍地或居住地参加基本医疗保险（医保），按年度缴纳医疗保险费。',
  ),
  item(
    'medical-reimbursement',
    '医疗费用手工报销',
    '区医疗保障局',
    ['个人'],
    450,
    '参保人员异地就医未能直接结算的医疗费用，可以持发票、费用清单和病历申请医保报销。',
  ),
  item(
    'housing-fund-withdraw',
    '住房公积金提取',
    '市住房公积金管理中心',
    ['个人'],
    980,
    '职工购买、建造自住住房，偿还购房贷款本息，或者离休、退休的，可以提取住房公积金账户余额。',
  ),
  item(
    'housing-fund-deposit',
    '住房公积金缴存登记',
    '市住房公积金管理中心',
    ['法人'],
    180,
    '新设立的单位应当自设立之日起三十日内办理住房公积金缴存登记，并为职工开立个人账户。',
  ),
  item(
    'passport',
    '普通护照签发',
    '区公安分局出入境管理大队',
    ['个人'],
    700,
    '中国公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国的，可以申请普通护照。',
  ),
  item(
    'hk-macao-permit',
    '往来港澳通行证签发',
    '区公安分局出入境管理大队',
    ['个人'],
    560,
    '内地居民前往香港、澳门旅游、探亲、商务，应当申请往来港澳通行证及相应签注，可与护照一并受理。',
  ),
  item(
    'driving-licence-replace',
    '机动车驾驶证补领',
    '市公安局交通警察支队',
    ['个人'],
    240,
    '机动车驾驶证遗失、损毁无法辨认的，驾驶人可以向车辆管理所申请补领。',
  ),
  item(
    'subsistence-allowance',
    '最低生活保障审批',
    '区民政局',
    ['个人'],
    160,
    '共同生活的家庭成员人均收入低于当地最低生活保障标准，且财产状况符合规定的，可以申请低保。',
  ),
  item(
    'disability-card',
    '残疾人证申领',
    '区残疾人联合会',
    ['个人'],
    140,
    '符合残疾标准的本区户籍居民，可以向户籍所在地残联申请办理残疾人证。',
  ),
  item(
    'senior-card',
    '老年人优待证申领',
    '区民政局',
    ['个人'],
    190,
    '年满六十周岁的本区户籍老年人，可以申领老年人优待证，享受公共交通、景区等优待。',
  ),
  item(
    'rural-homestead',
    '农村村民宅基地和建房审批',
    '镇人民政府',
    ['个人'],
    220,
    '农村村民在本村集体土地上建住宅的，应当申请宅基地和建房规划许可，经审批后方可动工。',
  ),
  item(
    'building-permit',
    '建设工程规划许可证核发',
    '区自然资源局',
    ['法人'],
    130,
    '在城市规划区内新建、扩建、改建建筑物、构筑物的，建设单位应当申请办理建设工程规划许可证。',
  ),
]

describe('tokenize', () => {
  it('segments Chinese, keeps words that matter and drops stop words and punctuation', () => {
    const tokens = tokenize('办理居民身份证的材料：户口簿、照片。')
    expect(tokens).toEqual(expect.arrayContaining(['居民身份证', '身份证', '材料', '户口簿', '照片']))
    expect(tokens).not.toContain('办理')
    expect(tokens).not.toContain('的')
    expect(tokens.join(' ')).not.toMatch(/[：、。]/)
  })

  it('folds full-width letters and case', () => {
    expect(tokenize('ＳＰＪＹ Abc')).toEqual(['spjy', 'abc'])
  })

  it('takes the colloquial opening off a question', () => {
    expect(queryWords('我想开饭店')).toEqual(['开', '饭店'])
  })

  it('gives the pinyin initials of a title', () => {
    expect(pinyinInitials('食品经营许可')).toBe('spjyxk')
    expect(pinyinInitials('ABC')).toBe('')
  })
})

describe('search over the catalog', () => {
  let t: TestDatabase

  beforeAll(async () => {
    t = await createTestDatabase()
    await seedSynonyms(t.db)
    for (const doc of CATALOG_ITEMS) await indexDocument(t.db, doc)
  })
  afterAll(async () => {
    await t?.drop()
  })

  const titlesOf = async (query: string, options = {}) =>
    (await search(t.db, query, { kind: 'item', ...options })).hits.map((h) => h.title)

  it('loads the starter synonyms once', async () => {
    expect(await seedSynonyms(t.db)).toBe(0)
  })

  it('finds 食品经营许可 first for the colloquial 开饭店 and 我想开饭店', async () => {
    expect((await titlesOf('开饭店'))[0]).toBe('食品经营许可')
    expect((await titlesOf('我想开饭店'))[0]).toBe('食品经营许可')
  })

  it('finds 居民身份证换领 for 身份证', async () => {
    expect((await titlesOf('身份证')).slice(0, 3)).toContain('居民身份证换领')
  })

  it('finds 社会保障卡申领 first for 社保卡', async () => {
    expect((await titlesOf('社保卡'))[0]).toBe('社会保障卡申领')
  })

  it('finds 食品经营许可 by the pinyin initials spjy, in any case', async () => {
    expect((await titlesOf('spjy'))[0]).toBe('食品经营许可')
    expect((await titlesOf('SPJY'))[0]).toBe('食品经营许可')
    expect(await titlesOf('sfz')).toEqual(expect.arrayContaining(['居民身份证换领']))
  })

  it('falls back to any word when no item has all of them', async () => {
    const result = await search(t.db, '护照 低保', { kind: 'item' })
    expect(result.matched).toBe('any')
    expect(result.hits.map((h) => h.title)).toEqual(expect.arrayContaining(['普通护照签发', '最低生活保障审批']))
  })

  it('keeps every word when some item has all of them', async () => {
    const result = await search(t.db, '住房公积金 提取', { kind: 'item' })
    expect(result.matched).toBe('all')
    expect(result.hits.map((h) => h.title)).toEqual(['住房公积金提取'])
  })

  it('ranks a title match above a body-only match, however popular', async () => {
    await indexDocument(t.db, {
      kind: 'guide',
      refId: 'wedding-guide',
      title: '婚姻家庭辅导服务',
      body: '新人在结婚登记前后可以预约免费的婚姻家庭辅导。结婚登记当天现场也提供咨询。',
      boost: 1_000_000,
    })
    try {
      const hits = (await search(t.db, '结婚登记', { kind: ['item', 'guide'] })).hits.map((h) => h.refId)
      expect(hits.indexOf('marriage')).toBe(0)
      expect(hits).toContain('wedding-guide')
    } finally {
      await removeDocument(t.db, 'guide', 'wedding-guide')
    }
  })

  it('marks the matched words in the title and a piece of the body', async () => {
    const [hit] = (await search(t.db, '社保卡', { kind: 'item', limit: 1 })).hits
    expect(hit?.highlights.title).toEqual([
      { text: '社会保障卡', match: true },
      { text: '申领', match: false },
    ])
    expect(hit?.highlights.body.filter((s) => s.match).map((s) => s.text)).toEqual(['社会保障卡', '社保卡'])
  })

  it('filters by facets, a single value or one of a list', async () => {
    const civil = await search(t.db, '登记', { kind: 'item', facets: { department: '区民政局' } })
    expect(civil.hits.map((h) => h.title).sort()).toEqual(['离婚登记', '结婚登记', '补领结婚证'].sort())
    const forCompanies = await search(t.db, '许可', { kind: 'item', facets: { audience: '法人' }, limit: 100 })
    expect(forCompanies.hits.map((h) => h.title)).toContain('药品零售企业经营许可')
    expect(forCompanies.hits.map((h) => h.title)).not.toContain('食品小作坊登记')
    const either = await search(t.db, '登记', { kind: 'item', facets: { department: ['区民政局', '区卫生健康局'] } })
    expect(either.hits.map((h) => h.title)).toEqual(
      expect.arrayContaining(['结婚登记', '生育登记', '医疗机构执业登记']),
    )
    await expect(search(t.db, '登记', { facets: { 'a"b': 'x' } })).rejects.toThrow()
  })

  it('pages through the ranked list', async () => {
    const all = await search(t.db, '登记', { kind: 'item', limit: 100 })
    const second = await search(t.db, '登记', { kind: 'item', limit: 5, offset: 5 })
    expect(second.total).toBe(all.total)
    expect(second.hits.map((h) => h.refId)).toEqual(all.hits.slice(5, 10).map((h) => h.refId))
  })

  it('uses synonyms added later', async () => {
    expect(await titlesOf('摆摊')).toEqual([])
    await addSynonyms(t.db, '摆摊', ['个体工商户设立登记'])
    expect((await titlesOf('摆摊'))[0]).toBe('个体工商户设立登记')
  })

  it.each([
    '',
    '   ',
    '，。！？……',
    '"a" OR NEAR(',
    '*',
    '"',
    "'",
    '\\',
    'AND OR NOT',
    'NEAR(a b, 3)',
    '{title_tokens}: 食品',
    'title_tokens:食品 body_tokens:*',
    '食品 -经营 +许可 ^a',
    "'; drop table search_documents; --",
    "1' or '1'='1",
    '!(食品) & | :*',
    '\u0000食品',
    '\ud800',
    '😀😀',
    'a'.repeat(10_000),
    '身份证'.repeat(3_000),
  ])('answers the hostile query %j without failing', async (query) => {
    const result = await search(t.db, query.slice(0, 20_000))
    expect(Array.isArray(result.hits)).toBe(true)
    expect(result.total).toBeGreaterThanOrEqual(result.hits.length)
    expect((await titlesOf('食品经营许可'))[0]).toBe('食品经营许可')
  })

  it('suggests titles as one types, by title start and by pinyin initials', async () => {
    expect((await suggest(t.db, '食品', { kind: 'item' }))[0]?.title).toBe('食品经营许可')
    expect((await suggest(t.db, 'spj', { kind: 'item' })).map((s) => s.title)).toEqual([
      '食品经营许可',
      '食品经营许可变更',
    ])
    expect((await suggest(t.db, '居民身份', { kind: 'item' })).map((s) => s.title)).toEqual([
      '居民身份证换领',
      '居民身份证补领',
      '临时居民身份证申领',
    ])
    expect(await suggest(t.db, '', { kind: 'item' })).toEqual([])
    expect(await suggest(t.db, '"*(', { kind: 'item' })).toEqual([])
  })

  /**
   * The full ordered lists, the same on SQLite and PostgreSQL: this suite runs on both, so these
   * lists prove that both databases rank identically.
   */
  const expected: Record<string, string[]> = {
    开饭店: ['food-business', 'food-business-change', 'small-catering'],
    身份证: [
      'id-card-replace',
      'id-card-renew',
      'id-card-temp',
      'social-card-replace',
      'marriage-cert-replace',
      'marriage',
      'birth-registration',
      'sole-trader-setup',
      'social-card',
    ],
    社保卡: ['social-card', 'social-card-replace'],
    spjy: ['food-business', 'food-business-change'],
    上户口: [
      'birth-registration',
      'household-move-in',
      'birth-certificate',
      'residence-permit',
      'id-card-renew',
      'marriage-cert-replace',
      'marriage',
    ],
    许可证: [
      'building-permit',
      'food-business',
      'food-business-change',
      'public-hygiene',
      'drug-retail',
      'road-transport',
      'medical-institution',
      'rural-homestead',
    ],
    营业执照: [
      'licence-replace',
      'company-setup',
      'sole-trader-setup',
      'sole-trader-deregister',
      'public-hygiene',
      'food-business',
    ],
    生孩子: ['childbirth-registration', 'birth-registration', 'birth-certificate'],
    '护照 低保': ['subsistence-allowance', 'passport', 'hk-macao-permit'],
    xk: ['food-business', 'public-hygiene', 'food-business-change', 'road-transport', 'drug-retail', 'building-permit'],
    补领: ['marriage-cert-replace', 'id-card-replace', 'driving-licence-replace', 'licence-replace', 'id-card-temp'],
  }

  it.each(Object.entries(expected))(
    `ranks %j in exactly this order (${onPostgres ? 'PostgreSQL' : 'SQLite'})`,
    async (query, refIds) => {
      const result = await search(t.db, query, { kind: 'item', limit: 100 })
      expect(result.hits.map((h) => h.refId)).toEqual(refIds)
      expect(result.total).toBe(refIds.length)
    },
  )
})

describe('keeping the index up to date', () => {
  let t: TestDatabase

  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(async () => {
    await t?.drop()
  })

  const refIds = async (query: string) => (await search(t.db, query, { kind: 'notice' })).hits.map((h) => h.refId)

  it('replaces a document indexed again under the same kind and refId', async () => {
    await indexDocument(t.db, { kind: 'notice', refId: 'n1', title: '春节假期窗口服务安排' })
    expect(await refIds('春节')).toEqual(['n1'])
    await indexDocument(t.db, {
      kind: 'notice',
      refId: 'n1',
      title: '国庆假期窗口服务安排',
      body: '国庆期间预约办理。',
    })
    expect(await refIds('春节')).toEqual([])
    expect(await refIds('国庆')).toEqual(['n1'])
    const rows = await t.db.selectFrom('searchDocuments').select('title').where('refId', '=', 'n1').execute()
    expect(rows).toEqual([{ title: '国庆假期窗口服务安排' }])
  })

  it('removes a document from the results', async () => {
    await indexDocument(t.db, { kind: 'notice', refId: 'n2', title: '不动产登记大厅搬迁公告' })
    expect(await refIds('不动产')).toEqual(['n2'])
    expect(await removeDocument(t.db, 'notice', 'n2')).toBe(true)
    expect(await refIds('不动产')).toEqual([])
    expect(await removeDocument(t.db, 'notice', 'n2')).toBe(false)
  })

  it('rebuilds one kind to hold exactly the given documents', async () => {
    await indexDocument(t.db, { kind: 'other', refId: 'x', title: '搬迁公告' })
    await reindexAll(t.db, 'bulletin', [
      { refId: 'a', title: '搬迁公告甲' },
      { refId: 'b', title: '搬迁公告乙' },
    ])
    const outcome = await reindexAll(t.db, 'bulletin', [
      { refId: 'b', title: '搬迁公告乙' },
      { refId: 'c', title: '搬迁公告丙' },
    ])
    expect(outcome).toEqual({ indexed: 2, removed: 1 })
    expect((await search(t.db, '搬迁', { kind: 'bulletin' })).hits.map((h) => h.refId).sort()).toEqual(['b', 'c'])
    expect((await search(t.db, '搬迁', { kind: 'other' })).hits.map((h) => h.refId)).toEqual(['x'])
  })

  it('keeps a control character out of the stored text', async () => {
    await indexDocument(t.db, { kind: 'notice', refId: 'n3', title: '停车\u0000场收费公示', body: '\u0000' })
    expect((await search(t.db, '停车场', { kind: 'notice' })).hits.map((h) => h.title)).toEqual(['停车场收费公示'])
  })
})
