/**
 * The district's organisation as demo data, editable later by administrators.
 *
 * Sources: the district's work plan (seed/000_…txt) names the departments; DOMAIN.md §6 confirms
 * 潮安区 = 445103 and 文祠镇 = 445103112. The town list (16 towns and 万峰林场) is widely published
 * but not confirmed here, so towns carry no code until an administrator enters the official one.
 */

export interface AreaSeed {
  id: string
  code?: string
  name: string
  level: 'province' | 'city' | 'county' | 'town' | 'village'
  parentId?: string
  kind?: string
  codeConfirmed: boolean
}

export const AREAS: AreaSeed[] = [
  { id: 'guangdong', code: '440000', name: '广东省', level: 'province', codeConfirmed: false },
  { id: 'chaozhou', code: '445100', name: '潮州市', level: 'city', parentId: 'guangdong', codeConfirmed: false },
  { id: 'chaoan', code: '445103', name: '潮安区', level: 'county', parentId: 'chaozhou', codeConfirmed: true },
  ...(
    [
      ['anbu', '庵埠镇'],
      ['caitang', '彩塘镇'],
      ['jinshi', '金石镇'],
      ['shaxi', '沙溪镇'],
      ['fuyang', '浮洋镇'],
      ['longhu', '龙湖镇'],
      ['dongfeng', '东凤镇'],
      ['jiangdong', '江东镇'],
      ['guihu', '归湖镇'],
      ['wenci', '文祠镇'],
      ['fenghuang', '凤凰镇'],
      ['chifeng', '赤凤镇'],
      ['guxiang', '古巷镇'],
      ['dengtang', '登塘镇'],
      ['fengtang', '凤塘镇'],
      ['fengxi', '枫溪镇'],
    ] as const
  ).map(
    ([id, name]): AreaSeed => ({
      id: `town-${id}`,
      code: id === 'wenci' ? '445103112' : undefined,
      name,
      level: 'town',
      parentId: 'chaoan',
      kind: '镇',
      codeConfirmed: id === 'wenci',
    }),
  ),
  { id: 'town-wanfeng', name: '万峰林场', level: 'town', parentId: 'chaoan', kind: '林场', codeConfirmed: false },
  // Two villages of 文祠镇 (named in public records) for the village service point demo.
  {
    id: 'village-wenci-shikeng',
    name: '石坑村',
    level: 'village',
    parentId: 'town-wenci',
    kind: '村',
    codeConfirmed: false,
  },
  {
    id: 'village-wenci-community',
    name: '文祠社区',
    level: 'village',
    parentId: 'town-wenci',
    kind: '社区',
    codeConfirmed: false,
  },
]

export interface DepartmentSeed {
  code: string
  /** 统一社会信用代码 (机关, category 11, area 445103): generated demo codes with valid check characters. */
  creditCode: string
  name: string
  shortName: string
  phone?: string
}

/** District departments (区直部门) that handle service items, in the plan's order where named. */
export const DEPARTMENTS: DepartmentSeed[] = [
  { code: 'zwfw', creditCode: '11445103090148200Y', name: '潮安区政务服务中心', shortName: '区政务服务中心' },
  { code: 'bb', creditCode: '11445103017837480G', name: '中共潮州市潮安区委机构编制委员会办公室', shortName: '区编办' },
  { code: 'zfb', creditCode: '114451030753856706', name: '潮州市潮安区人民政府办公室', shortName: '区政府办公室' },
  { code: 'fgj', creditCode: '11445103088860151Q', name: '潮州市潮安区发展和改革局', shortName: '区发改局' },
  { code: 'jyj', creditCode: '1144510309355313XN', name: '潮州市潮安区教育局', shortName: '区教育局' },
  { code: 'gxj', creditCode: '11445103085501145J', name: '潮州市潮安区工业和信息化局', shortName: '区工信局' },
  { code: 'gaj', creditCode: '114451030926404349', name: '潮州市公安局潮安分局', shortName: '公安分局' },
  { code: 'mzj', creditCode: '11445103070367211C', name: '潮州市潮安区民政局', shortName: '区民政局' },
  { code: 'sfj', creditCode: '11445103049299592D', name: '潮州市潮安区司法局', shortName: '区司法局' },
  { code: 'czj', creditCode: '11445103021423942W', name: '潮州市潮安区财政局', shortName: '区财政局' },
  { code: 'rsj', creditCode: '11445103088292561N', name: '潮州市潮安区人力资源和社会保障局', shortName: '区人社局' },
  { code: 'sbj', creditCode: '114451030497879084', name: '潮州市潮安区社会保险基金管理局', shortName: '区社保局' },
  { code: 'zrzy', creditCode: '11445103027514925B', name: '潮州市自然资源局潮安分局', shortName: '区自然资源局' },
  { code: 'sthj', creditCode: '114451030478507072', name: '潮州市生态环境局潮安分局', shortName: '区生态环境分局' },
  { code: 'zjj', creditCode: '11445103046318962U', name: '潮州市潮安区住房和城乡建设局', shortName: '区住建局' },
  { code: 'jtj', creditCode: '11445103022788636P', name: '潮州市潮安区交通运输局', shortName: '区交通运输局' },
  { code: 'nyj', creditCode: '114451030170900221', name: '潮州市潮安区农业农村局', shortName: '区农业农村局' },
  { code: 'wgl', creditCode: '11445103094436859C', name: '潮州市潮安区文化广电旅游体育局', shortName: '区文广旅体局' },
  { code: 'wjj', creditCode: '11445103015092112P', name: '潮州市潮安区卫生健康局', shortName: '区卫生健康局' },
  { code: 'yjj', creditCode: '11445103078195637W', name: '潮州市潮安区应急管理局', shortName: '区应急管理局' },
  { code: 'scj', creditCode: '11445103005126091E', name: '潮州市潮安区市场监督管理局', shortName: '区市场监督管理局' },
  { code: 'ybj', creditCode: '114451030622976200', name: '潮州市潮安区医疗保障局', shortName: '区医疗保障局' },
  { code: 'tyjr', creditCode: '1144510303366337X4', name: '潮州市潮安区退役军人事务局', shortName: '区退役军人事务局' },
  { code: 'cl', creditCode: '114451030333944567', name: '潮州市潮安区残疾人联合会', shortName: '区残联' },
]

export interface ServicePointSeed {
  code: string
  name: string
  kind: 'center_window' | 'town_station' | 'village_point'
  areaId: string
  departmentCode?: string
  address?: string
}

export const SERVICE_POINTS: ServicePointSeed[] = [
  {
    code: 'center-01',
    name: '区政务服务中心 综合受理窗口 1 号',
    kind: 'center_window',
    areaId: 'chaoan',
    departmentCode: 'zwfw',
  },
  {
    code: 'center-05',
    name: '区政务服务中心 市场监管窗口 5 号',
    kind: 'center_window',
    areaId: 'chaoan',
    departmentCode: 'scj',
  },
  {
    code: 'center-08',
    name: '区政务服务中心 社保医保窗口 8 号',
    kind: 'center_window',
    areaId: 'chaoan',
    departmentCode: 'sbj',
  },
  { code: 'town-anbu', name: '庵埠镇政务服务站', kind: 'town_station', areaId: 'town-anbu' },
  { code: 'town-wenci', name: '文祠镇政务服务站', kind: 'town_station', areaId: 'town-wenci' },
  { code: 'village-shikeng', name: '文祠镇石坑村便民服务点', kind: 'village_point', areaId: 'village-wenci-shikeng' },
]

/** Demo password for every demo account: 12+ characters, 4 character classes (SECURITY.md). */
export const DEMO_PASSWORD = 'Yiwang@2026demo'

export interface DemoStaffSeed {
  loginName: string
  name: string
  employeeNo: string
  departmentCode: string
  servicePointCode?: string
  position: string
  roles: string[]
}

export const DEMO_STAFF: DemoStaffSeed[] = [
  {
    loginName: 'window01',
    name: '郑晓玲',
    employeeNo: 'CA0001',
    departmentCode: 'scj',
    servicePointCode: 'center-05',
    position: '窗口受理员',
    roles: ['window_clerk'],
  },
  {
    loginName: 'review01',
    name: '许志坚',
    employeeNo: 'CA0002',
    departmentCode: 'scj',
    position: '审核员',
    roles: ['reviewer'],
  },
  {
    loginName: 'approve01',
    name: '王建国',
    employeeNo: 'CA0003',
    departmentCode: 'scj',
    position: '副局长',
    roles: ['approver'],
  },
  {
    loginName: 'review02',
    name: '李淑贞',
    employeeNo: 'CA0004',
    departmentCode: 'wjj',
    position: '审核员',
    roles: ['reviewer'],
  },
  {
    loginName: 'approve02',
    name: '刘伟东',
    employeeNo: 'CA0005',
    departmentCode: 'wjj',
    position: '科长',
    roles: ['approver'],
  },
  {
    loginName: 'window02',
    name: '陈少芬',
    employeeNo: 'CA0006',
    departmentCode: 'sbj',
    servicePointCode: 'center-08',
    position: '窗口受理员',
    roles: ['window_clerk', 'reviewer'],
  },
  {
    loginName: 'items01',
    name: '杨洁',
    employeeNo: 'CA0007',
    departmentCode: 'scj',
    position: '事项管理员',
    roles: ['item_admin'],
  },
  {
    loginName: 'catalog01',
    name: '周明辉',
    employeeNo: 'CA0008',
    departmentCode: 'bb',
    position: '科员',
    roles: ['catalog_reviewer'],
  },
  {
    loginName: 'supervise01',
    name: '谢文彬',
    employeeNo: 'CA0009',
    departmentCode: 'zwfw',
    position: '督查员',
    roles: ['supervisor'],
  },
  {
    loginName: 'agent01',
    name: '蔡美兰',
    employeeNo: 'CA0010',
    departmentCode: 'zwfw',
    servicePointCode: 'village-shikeng',
    position: '村居代办员',
    roles: ['village_agent'],
  },
  {
    loginName: 'sysadmin',
    name: '黄海涛',
    employeeNo: 'CA0011',
    departmentCode: 'zwfw',
    position: '系统管理员',
    roles: ['sys_admin'],
  },
  {
    loginName: 'secadmin',
    name: '林国栋',
    employeeNo: 'CA0012',
    departmentCode: 'zwfw',
    position: '安全管理员',
    roles: ['security_admin'],
  },
  {
    loginName: 'auditadmin',
    name: '吴丽芳',
    employeeNo: 'CA0013',
    departmentCode: 'zwfw',
    position: '审计管理员',
    roles: ['audit_admin'],
  },
]

export interface DemoPersonSeed {
  name: string
  idNumber: string
  mobile: string
  assuranceLevel: 1 | 2 | 3
  note: string
}

/** Valid (GB 11643 check digit) but fictitious ID numbers in 潮安区; fictitious 138 0000 numbers. */
export const DEMO_PERSONS: DemoPersonSeed[] = [
  { name: '陈晓燕', idNumber: '445103198503120029', mobile: '13800000001', assuranceLevel: 2, note: '市民' },
  { name: '林振华', idNumber: '445103196208150031', mobile: '13800000002', assuranceLevel: 3, note: '即将退休的市民' },
]
