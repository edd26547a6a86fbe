/**
 * Consistency rules of an item's elements (DOMAIN.md §1: rules real platforms enforce, plus the
 * ones a careful reviewer would), each with a message for the field it concerns. Schema
 * validation (types, lengths) comes first; these are the rules across fields.
 */
import type { FieldProblem } from '../../platform/http/errors.js'
import { ENTERPRISE_TOPICS, type ItemElements, PERSON_TOPICS } from './catalog.model.js'

export interface RuleContext {
  /** 统一社会信用代码 of the owning department: the implementation code starts with it. */
  deptCreditCode: string | null
  /** Department codes that exist (for 联办机构). */
  knownDepartments: ReadonlySet<string>
}

export function checkItemRules(e: ItemElements, ctx: RuleContext): FieldProblem[] {
  const problems: FieldProblem[] = []
  const add = (field: string, message: string) => problems.push({ field, message })

  // 承诺时限「即办」⇔ 即办件
  if (e.promiseDay === 0 && e.projectType !== '即办件') {
    add('projectType', '承诺时限为即办（0 天）的事项，办件类型应为「即办件」')
  }
  if (e.projectType === '即办件' && e.promiseDay !== 0) {
    add('promiseDay', '即办件的承诺时限应为即办（0 天）')
  }
  // 网办深度 全程网办 ⇒ 到现场次数 0, and it is handled online
  if (e.onlineHandleDepth === 4 && e.limitSceneNum !== 0) {
    add('limitSceneNum', '网上办理深度为「全程网办」的事项，到办事现场次数应为 0')
  }
  if (e.onlineHandleDepth === 4 && !e.handleType.includes('网上办理')) {
    add('handleType', '全程网办的事项，办理形式应包含「网上办理」')
  }
  if (!e.isOnline && e.onlineHandleDepth > 1) {
    add('onlineHandleDepth', '不能网上办理的事项，网上办理深度只能是「Ⅰ级 事项公开」')
  }
  if (e.isOnline && e.onlineHandleDepth === 1) {
    add('onlineHandleDepth', '可以网上办理的事项，网上办理深度至少为「Ⅱ级 在线预审」')
  }
  // 收费 ⇒ 收费依据 and fee rows; 不收费 ⇒ no fee rows
  if (e.isFee) {
    if (!e.feeBasis.trim()) add('feeBasis', '收费的事项必须填写收费依据')
    if (e.fees.length === 0) add('fees', '收费的事项至少要有一项收费项目')
  } else if (e.fees.length > 0) {
    add('fees', '不收费的事项不应有收费项目')
  }
  e.fees.forEach((fee, i) => {
    if (fee.isDesc && !fee.descExplain.trim()) add(`fees[${i}].descExplain`, '可减免的收费项目须说明减免条件')
  })
  // result name ending in 证 ⇒ result type 出证
  if (/证$/.test(e.resultName.trim()) && e.resultType !== '出证') {
    add('resultType', `办理结果「${e.resultName}」是证件，结果类型应为「出证」`)
  }
  // the promise cannot be longer than the law allows
  if (e.anticipateDay > 0 && e.promiseType === e.anticipateType && e.promiseDay > e.anticipateDay) {
    add(
      'promiseDay',
      `承诺时限（${e.promiseDay} ${e.promiseType}）不能超过法定时限（${e.anticipateDay} ${e.anticipateType}）`,
    )
  }
  // codes: 实施编码 = 实施主体统一社会信用代码 + 基本编码 (+ 业务办理项)
  if (!e.taskCode.endsWith(e.catalogCode)) {
    add('taskCode', '实施编码应以基本编码结尾（实施主体统一社会信用代码 + 基本编码）')
  }
  if (ctx.deptCreditCode && !e.taskCode.startsWith(ctx.deptCreditCode)) {
    add('taskCode', `实施编码应以实施部门的统一社会信用代码 ${ctx.deptCreditCode} 开头`)
  }
  // 联办件 ⇒ 联办机构
  if (e.projectType === '联办件' && e.otherDept.length === 0) {
    add('otherDept', '联办件须填写联办机构')
  }
  e.otherDept.forEach((code, i) => {
    if (!ctx.knownDepartments.has(code)) add(`otherDept[${i}]`, `联办机构「${code}」不是本平台的部门`)
  })
  // materials: stable, unique codes; e-license materials say so
  const seen = new Set<string>()
  e.materials.forEach((m, i) => {
    if (seen.has(m.materialCode)) add(`materials[${i}].materialCode`, `材料编码「${m.materialCode}」重复`)
    seen.add(m.materialCode)
    if (m.licenseTypeCode && m.sourceType !== '政府部门核发') {
      add(`materials[${i}].sourceType`, '可用电子证照代替的材料，来源渠道应为「政府部门核发」')
    }
    if (!m.isNeed && !m.needCondition?.trim()) {
      add(`materials[${i}].needCondition`, `非必需材料「${m.materialName}」须说明在什么情况下需要提交`)
    }
  })
  // topics must fit who the item serves
  const allowed = new Set<string>([
    ...(e.serverType.includes('自然人') ? Object.keys(PERSON_TOPICS) : []),
    ...(e.serverType.includes('法人') ? Object.keys(ENTERPRISE_TOPICS) : []),
  ])
  e.topics.forEach((topic, i) => {
    if (!allowed.has(topic)) add(`topics[${i}]`, `主题分类「${topic}」不适用于该事项的服务对象`)
  })
  return problems
}
