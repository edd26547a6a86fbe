/**
 * Demo items of the remaining departments: 区交通运输局 (jtj), 区文广旅体局 (wgl), 区应急管理局
 * (yjj), 区司法局 (sfj) and 区退役军人事务局 (tyjr).
 */
import {
  AGENT_SECTION,
  businessLicense,
  centerWindow,
  type DemoItem,
  demoItem,
  faqs,
  issued,
  orgSection,
  own,
  personSection,
  powerOfAttorney,
  residentId,
  steps,
  TOWN_STATIONS,
} from './catalog.demo-items.common.js'

const JTJ_WINDOW = centerWindow('28 ')
const WGL_WINDOW = centerWindow('30 ')
const YJJ_WINDOW = centerWindow('31 ')

const licenceFlow = (check: string, result: string) =>
  steps(
    ['申请', '通过广东政务服务网、“粤商通”在线申请，或到区政务服务中心窗口提交'],
    ['受理', '材料齐全、符合法定形式的予以受理；需要补正的当场或 5 个工作日内一次性告知'],
    ['审查', check],
    ['决定', `作出准予或不予许可的书面决定，准予的${result}`],
    ['送达', '窗口领取或免费邮寄，电子证照同步生成'],
  )

const fireSafetyCheck = own(
  'fire_safety_check',
  '公众聚集场所投入使用、营业前消防安全检查合格证明或告知承诺书',
  '由消防救援机构出具；选择告知承诺方式的提交承诺书',
  {
    sourceType: '政府部门核发',
    sourceExplain: '潮安区消防救援大队出具',
    byLaw: '《中华人民共和国消防法》第十五条',
  },
)

export const OTHER_DEPARTMENT_ITEMS: DemoItem[] = [
  // ---- 区交通运输局 ----
  demoItem(
    'jtj',
    {
      catalogCode: '01JTJ0000001',
      taskName: '道路运输经营许可',
      taskType: '1',
      byLaw: '《中华人民共和国道路运输条例》；《道路货物运输及站场管理规定》',
      serverType: ['法人', '自然人'],
      acceptCondition: [
        '申请从事道路普通货物运输经营的，应当具备下列条件：',
        '1. 有与其经营业务相适应并经检测合格的车辆；',
        '2. 有符合规定条件的驾驶人员（取得相应的机动车驾驶证和道路货物运输从业资格证）；',
        '3. 有健全的安全生产管理制度；',
        '4. 使用总质量 4.5 吨及以下普通货运车辆从事普通货运经营的，无需申请取得道路运输经营许可证。',
      ].join('\n'),
      handleFlow: licenceFlow(
        '审查车辆、驾驶人员和安全生产管理制度',
        '发给道路运输经营许可证，并为投入运输的车辆配发道路运输证',
      ),
      handleType: ['网上办理', '窗口办理'],
      anticipateDay: 20,
      anticipateExplain:
        '依照《中华人民共和国道路运输条例》和《中华人民共和国行政许可法》第四十二条，自受理申请之日起 20 个工作日内审查完毕，作出许可或者不予许可的决定。',
      promiseDay: 5,
      promiseExplain: '自受理之日起 5 个工作日内办结。',
      projectType: '承诺件',
      limitSceneNum: 0,
      transactAddr: JTJ_WINDOW,
      isOnline: true,
      onlineHandleDepth: 4,
      isExpress: true,
      assuranceLevel: 2,
      resultType: '出证',
      resultName: '道路运输经营许可证',
      materials: [
        own('application_form', '道路货物运输经营申请表', '申请人签名或盖章', {
          sourceExplain: '本平台下载或在线填写',
        }),
        residentId('applicant_id_card', '负责人身份证明', {
          acceptStand: '企业法定代表人或个体经营者本人的居民身份证',
        }),
        own(
          'vehicle_docs',
          '拟投入车辆承诺书或车辆行驶证、车辆技术等级评定结论',
          '车辆技术性能符合国家标准，已投保承运人责任险',
          {
            fillExplain: '已购置车辆的提供行驶证信息；未购置的提交拟投入车辆承诺书，写明数量、类型、技术参数',
          },
        ),
        own('driver_docs', '拟聘用驾驶员的机动车驾驶证、从业资格证', '驾驶证、从业资格证在有效期内，与车型相符', {
          fillExplain: '通过道路运输从业人员管理系统核验，无需提交复印件',
        }),
        own(
          'safety_rules',
          '安全生产管理制度文本',
          '包括安全生产责任制度、操作规程、安全生产监督检查、驾驶员和车辆安全管理等制度',
        ),
        ...powerOfAttorney('申请人'),
      ],
      faqs: faqs(
        [
          '开小货车拉货要办道路运输证吗？',
          '使用总质量 4.5 吨及以下普通货运车辆从事普通货运经营的，不需要办理道路运输经营许可证和车辆道路运输证。',
        ],
        ['个人可以申请吗？', '可以，个体经营者可以以个人名义申请道路普通货物运输经营许可。'],
      ),
      topics: ['transport', 'license'],
      keywords: ['货运许可', '道路运输证', '运输许可证', '跑货运', '物流公司', '货车营运'],
      summary: '使用 4.5 吨以上普通货运车辆从事道路货物运输经营，申请道路运输经营许可证。',
    },
    {
      application_form: {
        title: '道路货物运输经营申请表',
        sections: [
          orgSection('申请人信息', [{ label: '经营者类型', hint: '企业/个体' }, { label: '安全负责人' }]),
          {
            heading: '申请经营事项',
            fields: [
              {
                label: '经营范围',
                hint: '道路普通货物运输/货物专用运输（集装箱、冷藏保鲜、罐式容器）/大型物件运输',
                wide: true,
              },
              { label: '拟投入车辆数' },
              { label: '车辆总质量及类型' },
              { label: '拟聘驾驶员人数' },
              { label: '停车场地址', wide: true },
            ],
          },
          AGENT_SECTION,
        ],
      },
    },
  ),
  demoItem('jtj', {
    catalogCode: '10JTJ0000002',
    taskName: '机动车维修经营备案',
    taskType: '10',
    byLaw: '《中华人民共和国道路运输条例》；《机动车维修管理规定》',
    serverType: ['法人', '自然人'],
    acceptCondition: [
      '1. 已依法向市场监督管理部门办理登记，取得营业执照；',
      '2. 有与其经营业务相适应的维修车辆停车场和生产厂房；',
      '3. 有与其经营业务相适应的维修设备设施；',
      '4. 有必要的技术人员；',
      '5. 有健全的维修管理制度和安全生产管理制度，以及必要的环境保护措施。',
    ].join('\n'),
    handleFlow: steps(
      ['备案', '取得营业执照后，通过广东政务服务网或到窗口提交备案材料'],
      ['确认', '材料齐全的当场予以备案'],
      ['核查', '交通运输部门在备案后对经营条件进行核查，纳入日常监管'],
    ),
    handleType: ['网上办理', '窗口办理'],
    anticipateDay: 0,
    anticipateExplain: '备案材料齐全的当场备案。',
    promiseDay: 0,
    promiseExplain: '材料齐全的当场办结。',
    projectType: '即办件',
    limitSceneNum: 0,
    transactAddr: JTJ_WINDOW,
    isOnline: true,
    onlineHandleDepth: 4,
    assuranceLevel: 2,
    resultType: '备案回执',
    resultName: '机动车维修经营备案回执',
    materials: [
      own('filing_form', '机动车维修经营备案表', '备案人签名或盖章', { sourceExplain: '在线填写' }),
      businessLicense(),
      own(
        'premises_docs',
        '经营场地、停车场面积材料及土地使用权或租赁证明',
        '面积符合《汽车维修业开业条件》等国家标准',
      ),
      own('equipment_list', '主要维修设备设施汇总表', '设备与备案的维修类别相适应'),
      own('technicians', '技术人员汇总表及相应资格证明', '含技术负责人、质量检验员和主要维修工种人员'),
      own('rules', '维修管理制度、安全生产管理制度和环境保护措施', '制度完整'),
    ],
    faqs: faqs(
      ['开汽修店还要审批吗？', '不需要许可，取得营业执照后向区交通运输局备案即可，备案不收费。'],
      ['只做洗车美容要备案吗？', '只从事汽车清洗、美容、装饰，不涉及维修作业的，无需办理机动车维修经营备案。'],
    ),
    topics: ['transport', 'license'],
    keywords: ['汽修店', '修车', '汽车维修', '摩托车维修', '维修备案'],
    summary: '从事机动车维修经营的，取得营业执照后向区交通运输局备案。',
  }),
  // ---- 区文广旅体局 ----
  demoItem(
    'wgl',
    {
      catalogCode: '01WGL0000001',
      taskName: '互联网上网服务营业场所经营许可',
      taskType: '1',
      byLaw: '《互联网上网服务营业场所管理条例》第四条、第七条、第八条、第十条、第十一条；《中华人民共和国网络安全法》',
      serverType: ['法人'],
      acceptCondition: [
        '1. 有企业的名称、住所、组织机构和章程；',
        '2. 有与其经营活动相适应的资金；',
        '3. 有与其经营活动相适应并符合国家规定的消防安全条件的营业场所；',
        '4. 有健全、完善的信息网络安全管理制度和安全技术措施；',
        '5. 有固定的网络地址和与其经营活动相适应的计算机等装置及附属设备；',
        '6. 有与其经营活动相适应并取得从业资格的安全管理人员、经营管理人员、专业技术人员；',
        '7. 营业场所距中学、小学校园出入口不少于 200 米，不设在居民住宅楼（院）内。',
      ].join('\n'),
      handleFlow: licenceFlow('审查材料，实地检查营业场所、计算机设备和安全技术措施', '发给网络文化经营许可证'),
      handleType: ['窗口办理', '网上办理'],
      anticipateDay: 20,
      anticipateExplain: '《互联网上网服务营业场所管理条例》：文化行政部门应当自收到申请之日起 20 个工作日内作出决定。',
      promiseDay: 10,
      promiseExplain: '自受理之日起 10 个工作日内办结（含实地检查）。',
      projectType: '承诺件',
      otherDept: ['gaj'],
      limitSceneNum: 1,
      transactAddr: WGL_WINDOW,
      isOnline: true,
      onlineHandleDepth: 3,
      isExpress: true,
      assuranceLevel: 2,
      resultType: '出证',
      resultName: '网络文化经营许可证',
      materials: [
        own('application_form', '互联网上网服务营业场所经营许可申请表', '法定代表人签字，加盖公章', {
          sourceExplain: '本平台下载或在线填写',
        }),
        businessLicense('business_license', '营业执照', {
          acceptStand: '经营范围含“互联网上网服务”',
        }),
        own('premises_proof', '营业场所产权证明或租赁合同', '租赁期限不少于 1 年，场所位置符合距离和用途要求'),
        own(
          'staff_docs',
          '法定代表人、主要负责人、网络安全管理人员的身份证明和从业资格材料',
          '人员信息真实，安全管理人员经过培训',
        ),
        own(
          'network_security',
          '信息网络安全管理制度和安全技术措施说明',
          '包括实名登记、上网日志留存 60 日以上、不良信息过滤等，经公安机关网络安全部门审核',
        ),
        fireSafetyCheck,
        ...powerOfAttorney('企业'),
      ],
      faqs: faqs(
        [
          '网吧可以让未成年人进吗？',
          '不可以。网吧不得接纳未成年人进入，应当在入口处显著位置悬挂未成年人禁入标志，并实名登记上网人员。',
        ],
        ['网吧的营业时间有限制吗？', '每日 0 时至 8 时不得经营。'],
        [
          '网吧要办哪些证？',
          '先办营业执照，再申请网络文化经营许可证；开业前还需通过消防安全检查或作出告知承诺，并向公安机关备案网络安全措施。',
        ],
      ),
      topics: ['license'],
      keywords: ['网吧', '开网吧', '网咖', '上网服务', '网吧许可证', '网络文化经营许可证'],
      summary: '开办网吧、网咖等互联网上网服务营业场所，申请网络文化经营许可证。',
    },
    {
      application_form: {
        title: '互联网上网服务营业场所经营许可申请表',
        sections: [
          orgSection('申请单位信息', [{ label: '注册资本（万元）' }, { label: '网络安全管理员' }]),
          {
            heading: '营业场所情况',
            fields: [
              { label: '营业场所地址', wide: true },
              { label: '营业面积（㎡）' },
              { label: '计算机台数' },
              { label: '网络接入服务商' },
              { label: '固定 IP 地址' },
              { label: '距最近中小学校园出入口距离（米）', wide: true },
            ],
          },
          AGENT_SECTION,
        ],
      },
    },
  ),
  demoItem(
    'wgl',
    {
      catalogCode: '01WGL0000002',
      taskName: '娱乐场所经营许可',
      taskType: '1',
      byLaw: '《娱乐场所管理条例》第五条、第七条、第九条；《娱乐场所管理办法》',
      serverType: ['法人'],
      acceptCondition: [
        '1. 投资人员、法定代表人、主要负责人不具有《娱乐场所管理条例》第五条规定的情形；',
        '2. 场所不设在居民楼、博物馆、图书馆和被核定为文物保护单位的建筑物内，不设在居民住宅区和学校、医院、机关周围等条例禁止的区域；',
        '3. 营业面积、包厢设置、照明和设施设备符合国家规定；',
        '4. 歌舞娱乐场所的歌曲点播系统符合规定，不含有禁止内容；',
        '5. 消防安全条件符合国家规定。',
      ].join('\n'),
      handleFlow: licenceFlow('审查材料并实地检查，必要时举行听证（时间不计入）', '发给娱乐经营许可证'),
      handleType: ['窗口办理', '网上办理'],
      anticipateDay: 20,
      anticipateExplain:
        '《娱乐场所管理条例》第九条：文化主管部门应当自收到申请之日起 20 日内依法作出决定；举行听证的时间不计入。',
      promiseDay: 10,
      promiseExplain: '自受理之日起 10 个工作日内办结（含实地检查）。',
      projectType: '承诺件',
      limitSceneNum: 1,
      transactAddr: WGL_WINDOW,
      isOnline: true,
      onlineHandleDepth: 3,
      isExpress: true,
      assuranceLevel: 2,
      resultType: '出证',
      resultName: '娱乐经营许可证',
      materials: [
        own('application_form', '娱乐场所经营许可申请表', '法定代表人签字，加盖公章', {
          sourceExplain: '本平台下载或在线填写',
        }),
        businessLicense(),
        own(
          'personnel_docs',
          '投资人员、法定代表人、主要负责人的身份证明及无犯罪记录证明',
          '无犯罪记录证明通过公安机关核查，无需申请人自行开具',
        ),
        own('premises_docs', '营业场所产权证明或租赁合同及平面示意图', '标明包厢、舞池等功能区面积和数量'),
        fireSafetyCheck,
        own('song_system', '歌曲点播系统说明', '使用经审核的曲库，具备不良内容屏蔽功能', {
          isNeed: false,
          needCondition: '申请歌舞娱乐场所的',
          allowDefer: true,
        }),
        ...powerOfAttorney('企业'),
      ],
      faqs: faqs(
        [
          '开 KTV 要办哪些证？',
          '营业执照、娱乐经营许可证、公共场所卫生许可证，开业前还须通过消防安全检查或作出告知承诺；有餐饮服务的另办食品经营许可。',
        ],
        ['娱乐场所营业时间有规定吗？', '每日凌晨 2 时至上午 8 时不得营业。'],
      ),
      topics: ['license'],
      keywords: ['KTV', '开KTV', '歌舞厅', '游艺厅', '娱乐场所', '娱乐经营许可证', '电玩城'],
      summary: '开办歌舞厅、KTV、游艺厅等娱乐场所，申请娱乐经营许可证。',
    },
    {
      application_form: {
        title: '娱乐场所经营许可申请表',
        sections: [
          orgSection('申请单位信息'),
          {
            heading: '场所情况',
            fields: [
              { label: '场所名称', wide: true },
              { label: '场所地址', wide: true },
              { label: '场所类型', hint: '歌舞娱乐/游艺娱乐' },
              { label: '营业面积（㎡）' },
              { label: '包厢数量' },
              { label: '游戏游艺设备数量' },
              { label: '投资人员', wide: true },
            ],
          },
          AGENT_SECTION,
        ],
      },
    },
  ),
  demoItem(
    'wgl',
    {
      catalogCode: '01WGL0000003',
      taskName: '出版物零售业务经营许可',
      taskType: '1',
      byLaw: '《出版管理条例》；《出版物市场管理规定》',
      serverType: ['法人', '自然人'],
      acceptCondition: [
        '1. 已经取得营业执照，经营范围含出版物零售；',
        '2. 有固定的经营场所；',
        '3. 法律、行政法规规定的其他条件。',
      ].join('\n'),
      handleFlow: licenceFlow('审查申请材料', '发给出版物经营许可证'),
      handleType: ['网上办理', '窗口办理'],
      anticipateDay: 20,
      anticipateExplain: '《出版管理条例》：出版行政主管部门应当自受理申请之日起 20 日内作出批准或者不批准的决定。',
      promiseDay: 5,
      promiseExplain: '自受理之日起 5 个工作日内办结。',
      projectType: '承诺件',
      limitSceneNum: 0,
      transactAddr: WGL_WINDOW,
      isOnline: true,
      onlineHandleDepth: 4,
      isExpress: true,
      assuranceLevel: 2,
      resultType: '出证',
      resultName: '出版物经营许可证',
      materials: [
        own('application_form', '出版物零售业务经营许可申请表', '申请人签名或盖章', {
          sourceExplain: '本平台下载或在线填写',
        }),
        businessLicense(),
        own('premises_proof', '经营场所使用证明', '不动产权信息或租赁合同'),
        ...powerOfAttorney('申请人'),
      ],
      faqs: faqs(
        ['开书店、文具店卖书要办什么证？', '销售图书、报刊、音像制品等出版物的，要办出版物经营许可证（零售）。'],
        [
          '网上卖书要办吗？',
          '通过互联网等信息网络从事出版物发行业务的，也应当取得出版物经营许可证，并在取得许可后 15 日内向原批准机关备案。',
        ],
      ),
      topics: ['license'],
      keywords: ['书店', '卖书', '报刊亭', '出版物经营许可证', '音像店'],
      summary: '开办书店、报刊亭等从事出版物零售业务，申请出版物经营许可证。',
    },
    {
      application_form: {
        title: '出版物零售业务经营许可申请表',
        sections: [
          orgSection('申请人信息'),
          {
            heading: '经营情况',
            fields: [
              { label: '经营场所地址', wide: true },
              { label: '经营面积（㎡）' },
              { label: '经营方式', hint: '门店/网络/门店和网络' },
              { label: '经营范围', hint: '图书、报纸、期刊、音像制品、电子出版物', wide: true },
              { label: '网店名称及网址', wide: true },
            ],
          },
          AGENT_SECTION,
        ],
      },
    },
  ),
  // ---- 区应急管理局 ----
  demoItem(
    'yjj',
    {
      catalogCode: '01YJJ0000001',
      taskName: '烟花爆竹经营(零售)许可',
      taskType: '1',
      byLaw:
        '《烟花爆竹安全管理条例》第三条、第十六条、第十八条、第十九条；《烟花爆竹经营许可实施办法》（国家安全生产监督管理总局令第 65 号）',
      serverType: ['自然人', '法人'],
      acceptCondition: [
        '1. 零售点符合潮安区烟花爆竹零售网点布点规划，不在禁止燃放烟花爆竹区域内设点；',
        '2. 主要负责人经过安全知识教育；',
        '3. 实行专店或者专柜销售，设专人负责安全管理；',
        '4. 经营场所配备必要的消防器材，张贴明显的安全警示标志；',
        '5. 零售场所面积和存放量符合规定，与居民居住场所保持安全距离；',
        '6. 从取得烟花爆竹经营（批发）许可证的企业购进烟花爆竹。',
      ].join('\n'),
      handleFlow: licenceFlow('审查材料并对零售场所进行现场核查', '发给烟花爆竹经营（零售）许可证'),
      handleType: ['窗口办理', '网上办理'],
      anticipateDay: 20,
      anticipateExplain:
        '《烟花爆竹安全管理条例》第十九条：安全生产监督管理部门应当自受理申请之日起 20 日内对提交的有关材料和经营场所进行审查。',
      promiseDay: 5,
      promiseExplain: '自受理之日起 5 个工作日内办结（含现场核查）。',
      projectType: '承诺件',
      limitSceneNum: 1,
      transactAddr: YJJ_WINDOW,
      isOnline: true,
      onlineHandleDepth: 3,
      assuranceLevel: 2,
      resultType: '出证',
      resultName: '烟花爆竹经营（零售）许可证',
      materials: [
        own('application_form', '烟花爆竹经营（零售）许可申请书', '申请人签名或盖章', {
          sourceExplain: '本平台下载或在线填写',
        }),
        businessLicense(),
        own('training_proof', '主要负责人安全知识教育合格证明', '由应急管理部门或培训机构出具'),
        own('premises_proof', '零售场所产权证明或租赁合同', '场所与申请地址一致，周边环境符合安全距离要求'),
        own('safety_rules', '安全管理制度和岗位安全操作规程', '包括进货查验、存放、销售、消防等制度'),
        ...powerOfAttorney('申请人'),
      ],
      faqs: faqs(
        [
          '过年想在店里卖烟花要办证吗？',
          '要。零售烟花爆竹必须取得烟花爆竹经营（零售）许可证，并按核定的限制存放量存放。',
        ],
        ['零售许可证有效期多长？', '有效期由发证机关确定，最长不超过 2 年；春节期间临时零售点的有效期一般到元宵节后。'],
        [
          '哪里不能卖烟花？',
          '禁止燃放区域、居民住宅楼内、学校和医院附近等不得设置零售点，具体以区零售网点布点规划为准。',
        ],
      ),
      topics: ['safety', 'license'],
      keywords: ['卖烟花', '烟花爆竹', '鞭炮', '烟花零售', '卖鞭炮', '烟花许可证'],
      summary: '零售烟花爆竹的商店或专柜，申请烟花爆竹经营（零售）许可证。',
    },
    {
      application_form: {
        title: '烟花爆竹经营（零售）许可申请书',
        sections: [
          orgSection('申请人信息', [{ label: '安全管理人员' }, { label: '安全管理人员电话' }]),
          {
            heading: '零售场所情况',
            fields: [
              { label: '零售场所地址', wide: true },
              { label: '销售方式', hint: '专店/专柜' },
              { label: '场所面积（㎡）' },
              { label: '申请限制存放量（箱）' },
              { label: '供货批发企业', wide: true },
              { label: '消防器材配备情况', wide: true },
            ],
          },
          AGENT_SECTION,
        ],
      },
    },
  ),
  demoItem(
    'yjj',
    {
      catalogCode: '01YJJ0000002',
      taskName: '危险化学品经营许可',
      taskType: '1',
      byLaw: '《危险化学品安全管理条例》第三十三条、第三十四条、第三十五条；《危险化学品经营许可证管理办法》',
      serverType: ['法人'],
      acceptCondition: [
        '1. 从事剧毒化学品、易制爆危险化学品以外的危险化学品经营（不带储存设施，或按省规定由区级负责的）；',
        '2. 有符合国家标准、行业标准的经营场所；',
        '3. 从业人员经过专业技术培训并经考核合格；',
        '4. 有健全的安全管理规章制度；',
        '5. 有专职安全管理人员；',
        '6. 有符合国家规定的危险化学品事故应急预案和必要的应急救援器材、设备。',
      ].join('\n'),
      handleFlow: licenceFlow('审查材料，对经营场所进行现场核查', '颁发危险化学品经营许可证'),
      handleType: ['窗口办理', '网上办理'],
      anticipateDay: 30,
      anticipateExplain:
        '《危险化学品安全管理条例》第三十五条：自收到证明材料之日起 30 日内作出批准或者不予批准的决定。',
      promiseDay: 10,
      promiseExplain: '自受理之日起 10 个工作日内办结（含现场核查）。',
      projectType: '承诺件',
      limitSceneNum: 1,
      transactAddr: YJJ_WINDOW,
      isOnline: true,
      onlineHandleDepth: 3,
      isExpress: true,
      assuranceLevel: 2,
      resultType: '出证',
      resultName: '危险化学品经营许可证',
      materials: [
        own('application_form', '危险化学品经营许可证申请表', '法定代表人签字，加盖公章', {
          sourceExplain: '本平台下载或在线填写',
        }),
        businessLicense(),
        own('premises_proof', '经营场所产权证明或租赁合同', '场所用途、面积符合要求'),
        own('staff_certs', '主要负责人、安全管理人员的安全生产知识和管理能力考核合格证明', '在有效期内'),
        own('safety_rules', '安全生产规章制度和岗位操作规程目录清单', '制度齐全'),
        own('emergency_plan', '危险化学品事故应急预案', '已按规定备案', { allowDefer: true }),
        ...powerOfAttorney('企业'),
      ],
      faqs: faqs(
        [
          '只做贸易不存货要办证吗？',
          '要。不带储存设施的危险化学品经营企业也要取得经营许可证，经营剧毒化学品、易制爆危险化学品的由市应急管理局审批。',
        ],
        ['许可证有效期多长？', '有效期 3 年，需要延期的应当在有效期满 3 个月前申请。'],
      ),
      topics: ['safety', 'license'],
      keywords: ['危化品', '危险化学品', '化工贸易', '危化品经营许可证'],
      summary: '经营剧毒、易制爆以外的危险化学品的企业，申请危险化学品经营许可证。',
    },
    {
      application_form: {
        title: '危险化学品经营许可证申请表',
        sections: [
          orgSection('企业信息', [{ label: '专职安全管理人员' }, { label: '安全管理人员电话' }]),
          {
            heading: '经营情况',
            fields: [
              { label: '经营方式', hint: '带储存/不带储存' },
              { label: '经营场所面积（㎡）' },
              { label: '经营场所地址', wide: true },
              { label: '储存设施地址', hint: '带储存设施的填写', wide: true },
              { label: '许可范围（品名）', wide: true },
            ],
          },
          AGENT_SECTION,
        ],
      },
    },
  ),
  // ---- 区司法局 ----
  demoItem(
    'sfj',
    {
      catalogCode: '20SFJ0000001',
      taskName: '法律援助申请',
      taskType: '20',
      byLaw: '《中华人民共和国法律援助法》第三十一条、第四十一条、第四十二条、第四十三条；《广东省法律援助条例》',
      serverType: ['自然人'],
      acceptCondition: [
        '1. 因经济困难没有委托代理人，申请事项属于法律援助范围（如请求支付劳动报酬、工伤赔偿，请求给付赡养费、抚养费，请求发给抚恤金，请求国家赔偿，请求社会保险待遇等）；',
        '2. 经济困难状况符合广东省规定的标准（以个人诚信承诺为主，必要时核查）；',
        '3. 无固定生活来源的未成年人、老年人、残疾人等特定群体，以及低保、特困人员等，免予核查经济困难状况；',
        '4. 向争议处理机关所在地或者事由发生地的法律援助机构提出申请。',
      ].join('\n'),
      handleFlow: steps(
        ['申请', '到区公共法律服务中心、镇公共法律服务工作站申请，或通过“12348 广东法网”在线申请'],
        ['受理', '法律援助机构受理，材料不齐全的一次性告知补充'],
        ['审查', '审查是否属于法律援助范围、是否符合经济困难条件'],
        ['决定', '作出给予或不予法律援助的决定；给予的指派律师或法律援助工作者'],
        ['援助', '受指派的承办人员提供法律咨询、代拟法律文书、诉讼代理等服务'],
      ),
      handleType: ['窗口办理', '网上办理', '村居代办'],
      anticipateDay: 7,
      anticipateType: '自然日',
      anticipateExplain:
        '《中华人民共和国法律援助法》第四十三条：法律援助机构应当自收到法律援助申请之日起 7 日内进行审查，作出是否给予法律援助的决定。',
      promiseDay: 3,
      promiseExplain: '自受理之日起 3 个工作日内作出决定；情况紧急的先行提供法律援助。',
      projectType: '承诺件',
      limitSceneNum: 1,
      transactAddr: `潮安区公共法律服务中心（${centerWindow('32 ')}）；${TOWN_STATIONS}公共法律服务工作站`,
      transactTime: '工作日 上午 8:30-12:00，下午 14:30-17:30；12348 法律服务热线 24 小时服务',
      isOnline: true,
      onlineHandleDepth: 3,
      assuranceLevel: 2,
      resultType: '审批文书',
      resultName: '给予法律援助决定书',
      materials: [
        own('application_form', '法律援助申请表', '申请人签名或按手印；代为申请的由代理人签名', {
          sourceExplain: '窗口领取、本平台下载或在线填写',
        }),
        residentId(),
        own('hardship_statement', '经济困难状况说明表', '申请人如实说明家庭人口、收入、财产情况并作出个人诚信承诺', {
          byLaw: '《中华人民共和国法律援助法》第四十一条',
        }),
        own(
          'case_materials',
          '与所申请法律援助事项有关的材料',
          '劳动合同、工资条、欠条、判决书、起诉状等能够说明案情的材料',
          {
            allowDefer: true,
          },
        ),
        issued('disability_cert', '残疾人证', 'disability_cert', '残疾人联合会核发', '在有效期内', {
          isNeed: false,
          needCondition: '申请人为残疾人、据此免予核查经济困难状况的',
        }),
        ...powerOfAttorney('申请人'),
      ],
      faqs: faqs(
        [
          '农民工讨薪能申请法律援助吗？',
          '可以。进城务工人员请求支付劳动报酬或者工伤事故人身损害赔偿的，免予核查经济困难状况，如实说明情况即可申请。',
        ],
        ['法律援助要收费吗？', '不收费。法律援助是国家免费提供的法律服务，受援人无需支付律师费。'],
        [
          '只是想咨询一下法律问题可以吗？',
          '可以。拨打 12348 公共法律服务热线或到区公共法律服务中心，免费提供法律咨询。',
        ],
      ),
      topics: ['assistance'],
      keywords: ['法律援助', '免费律师', '讨薪', '打官司', '请律师', '12348'],
      summary: '经济困难或者属于特定群体的公民，就讨薪、工伤、赡养等事项申请免费的法律援助。',
    },
    {
      application_form: {
        title: '法律援助申请表',
        sections: [
          personSection('申请人信息', [{ label: '工作单位' }, { label: '是否属于免予核查经济困难的人员' }]),
          {
            heading: '申请事项',
            fields: [
              { label: '案件类型', hint: '劳动报酬/工伤/赡养抚养/人身损害/其他', wide: true },
              { label: '对方当事人', wide: true },
              { label: '案情及申请理由', wide: true },
              { label: '案件所处阶段', hint: '未起诉/仲裁/一审/二审/执行' },
              { label: '受理机关' },
            ],
          },
          AGENT_SECTION,
        ],
      },
    },
  ),
  // ---- 区退役军人事务局 ----
  demoItem('tyjr', {
    catalogCode: '20TYJR000001',
    taskName: '退役军人优待证申领',
    taskType: '20',
    byLaw: '《中华人民共和国退役军人保障法》；《军人抚恤优待条例》；《退役军人、其他优抚对象优待证管理办法（试行）》',
    serverType: ['自然人'],
    acceptCondition: [
      '1. 户籍在潮安区的退役军人，以及烈士遗属、因公牺牲军人遗属、病故军人遗属等其他优抚对象；',
      '2. 已在退役军人事务部门完成信息采集；',
      '3. 不存在按规定不予发放优待证的情形。',
    ].join('\n'),
    handleFlow: steps(
      ['申请', '通过“粤省事”在线申请，或到户籍所在地镇（村）退役军人服务站申请'],
      ['审核', '镇退役军人服务站初审，区退役军人事务局审核'],
      ['制证', '省退役军人事务厅统一制证'],
      ['发证', '通过镇（村）退役军人服务站发放'],
    ),
    handleType: ['网上办理', '窗口办理', '村居代办'],
    anticipateDay: 0,
    anticipateExplain: '法律、法规未规定办结时限。',
    promiseDay: 20,
    promiseExplain: '自受理之日起 20 个工作日内完成审核并报送制证。',
    projectType: '承诺件',
    limitSceneNum: 1,
    transactAddr: `区退役军人服务中心（${centerWindow('19 ')}）；${TOWN_STATIONS}退役军人服务站`,
    isOnline: true,
    onlineHandleDepth: 3,
    assuranceLevel: 2,
    resultType: '出证',
    resultName: '中华人民共和国退役军人优待证',
    materials: [
      residentId(),
      own(
        'discharge_cert',
        '退出现役证明或其他优抚对象身份证明',
        '退役证、退伍证或烈士证明书等；已完成信息采集的通过系统核验',
        {
          sourceType: '政府部门核发',
          sourceExplain: '部队或退役军人事务部门出具',
        },
      ),
      own('photo', '近期 2 寸白底免冠彩色照片', '在线申请上传电子照片', {
        materialFormat: '电子',
        pageFormat: '数码照片',
      }),
    ],
    faqs: faqs(
      ['优待证有什么用？', '持证可以按规定享受交通出行、文化旅游、医疗服务等方面的优待，以及社会力量提供的优惠服务。'],
      ['户口不在潮安能办吗？', '优待证原则上在户籍所在地申领。'],
    ),
    topics: ['documents'],
    keywords: ['优待证', '退役军人优待证', '军人优待', '退伍军人'],
    summary: '退役军人和其他优抚对象申领优待证，按规定享受优待服务。',
  }),
]
