/**
 * Data exchange with the national 好差评 system (国办发〔2019〕51号: ratings flow up to the national
 * platform). The payload's field names are [I]-grade (DOMAIN.md §3: seen in real platforms, not in
 * the standard), so they live in ONE table below — name, meaning, JSON schema, value — from which
 * both the rows and the OpenAPI schema are made. Renaming a field is a one-line change here.
 */
import { type TSchema, Type } from 'typebox'
import { todayInShanghai } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import { invalidInput } from '../../platform/http/errors.js'
import { maskName } from '../../platform/validators/index.js'
import { type ApplicationFacts, applicationFactsByIds } from '../applications/index.js'
import { getItem } from '../catalog/index.js'
import { type DepartmentInfo, findDepartmentInfo } from '../identity/index.js'
import type { RatingChannel, RectificationState } from './ratings.codes.js'
import { dayStart, parseJson, reasonsOf } from './ratings.read.js'
import type { RatingTable } from './ratings.tables.js'

/** How the national payload names our channels: online ratings are made on the PC/phone site. */
export const EXCHANGE_CHANNELS: Record<RatingChannel, 'pc' | 'app' | 'window' | 'kiosk' | 'phone'> = {
  online: 'pc',
  window: 'window',
  kiosk: 'kiosk',
  phone: 'phone',
}

export type RectifyStatus = 'none' | RectificationState | 'excluded'

/** Everything one exported rating is made from. */
export interface ExchangeSource {
  rating: RatingTable
  app: ApplicationFacts | undefined
  taskCode: string
  department: DepartmentInfo | undefined
  rectifyStatus: RectifyStatus
}

interface ExchangeField {
  /** The payload's field name ([I]-grade: change here only). */
  field: string
  /** What it means, in Chinese (also the schema's description). */
  name: string
  schema: TSchema
  value: (s: ExchangeSource) => unknown
}

/** THE mapping table: payload field ← our data. */
export const EXCHANGE_FIELDS: readonly ExchangeField[] = [
  {
    field: 'projectNo',
    name: '办件编号',
    schema: Type.String(),
    value: (s) => s.app?.applicationNo ?? '',
  },
  {
    field: 'taskCode',
    name: '事项实施编码',
    schema: Type.String(),
    value: (s) => s.taskCode,
  },
  {
    field: 'taskName',
    name: '事项名称',
    schema: Type.String(),
    value: (s) => s.app?.itemName ?? '',
  },
  {
    field: 'deptCode',
    name: '实施部门统一社会信用代码',
    schema: Type.String(),
    value: (s) => s.department?.creditCode ?? '',
  },
  {
    field: 'deptName',
    name: '实施部门名称',
    schema: Type.String(),
    value: (s) => s.department?.name ?? '',
  },
  {
    field: 'userName',
    name: '评价人姓名（脱敏）',
    schema: Type.String(),
    value: (s) => maskName(s.app?.applicantName ?? ''),
  },
  {
    field: 'satisfaction',
    name: '评价等级：5 非常满意，4 满意，3 基本满意，2 不满意，1 非常不满意',
    schema: Type.Integer({ minimum: 1, maximum: 5 }),
    value: (s) => s.rating.level,
  },
  {
    field: 'evalDetail',
    name: '分项评价：指标代码及 1–5 分（网上：efficiency 办事效率、guide_accuracy 办事指南精确度、convenience 办事便捷度、usability 平台操作性；线下：service_efficiency 服务效率、service_level 服务水平、service_attitude 服务态度）',
    schema: Type.Array(Type.Object({ indicator: Type.String(), score: Type.Integer({ minimum: 1, maximum: 5 }) })),
    value: (s) =>
      Object.entries(parseJson<Record<string, number>>(s.rating.indicators, {})).map(([indicator, score]) => ({
        indicator,
        score,
      })),
  },
  {
    field: 'evalReasonCodes',
    name: '差评原因代码：overdue_without_reason、conditions_beyond_guide、materials_beyond_guide、repeated_trips、poor_attitude、system_problems、other',
    schema: Type.Array(Type.String()),
    value: (s) => reasonsOf(s.rating),
  },
  {
    field: 'evalText',
    name: '文字评价（含追加评价）',
    schema: Type.String(),
    value: (s) =>
      [s.rating.text, s.rating.supplementText ? `追评：${s.rating.supplementText}` : null].filter(Boolean).join('\n'),
  },
  {
    field: 'evalChannel',
    name: '评价渠道：pc、app、window、kiosk、phone',
    schema: Type.Union([
      Type.Literal('pc'),
      Type.Literal('app'),
      Type.Literal('window'),
      Type.Literal('kiosk'),
      Type.Literal('phone'),
    ]),
    value: (s) => EXCHANGE_CHANNELS[s.rating.channel],
  },
  {
    field: 'evalTime',
    name: '评价时间（ISO 8601，UTC）',
    schema: Type.String({ format: 'date-time' }),
    value: (s) => s.rating.ratedAt,
  },
  {
    field: 'isDefault',
    name: '是否默认评价（办结后逾期未评价，按默认等级计）',
    schema: Type.Boolean(),
    value: (s) => s.rating.isDefault === 1,
  },
  {
    field: 'rectifyStatus',
    name: '差评整改状态：none 无需整改、open 待回访、verified 已回访、rectifying 整改中、replied 已答复、closed 已办结、explained 已解释、appealed 申诉中、excluded 申诉成立不计入',
    schema: Type.String(),
    value: (s) => s.rectifyStatus,
  },
]

/** The JSON schema of one exported rating, from the table. */
export const ExchangeRecord = Type.Object(
  Object.fromEntries(EXCHANGE_FIELDS.map((f) => [f.field, { ...f.schema, description: f.name }])),
  { description: '一条好差评数据（国家政务服务好差评数据交换字段）' },
)

export const ExchangePage = Type.Object({
  from: Type.String({ description: '起始日期（北京时间，含）' }),
  to: Type.String({ description: '截止日期（北京时间，含）' }),
  total: Type.Integer({ description: '期间内评价总数' }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  records: Type.Array(ExchangeRecord),
})

export function toExchangeRecord(source: ExchangeSource): Record<string, unknown> {
  return Object.fromEntries(EXCHANGE_FIELDS.map((f) => [f.field, f.value(source)]))
}

const DAY_MS = 24 * 60 * 60 * 1000
const MAX_DAYS = 366

/**
 * The ratings made from `from` to `to` (Beijing days, both included), oldest first, a page at a
 * time, in the national payload's fields.
 * @throws VALIDATION_FAILED for malformed dates, to before from, or more than 366 days
 */
export async function exportRatings(deps: Deps, options: { from: string; to: string; page: number; pageSize: number }) {
  const valid = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && todayInShanghai(new Date(dayStart(d))) === d
  const problems = [
    ...(valid(options.from) ? [] : [{ field: 'from', message: '起始日期应为 YYYY-MM-DD' }]),
    ...(valid(options.to) ? [] : [{ field: 'to', message: '截止日期应为 YYYY-MM-DD' }]),
  ]
  if (problems.length > 0) throw invalidInput(problems)
  const from = dayStart(options.from)
  const to = new Date(new Date(dayStart(options.to)).getTime() + DAY_MS).toISOString()
  if (to <= from) throw invalidInput([{ field: 'to', message: '截止日期不能早于起始日期' }])
  if ((new Date(to).getTime() - new Date(from).getTime()) / DAY_MS > MAX_DAYS) {
    throw invalidInput([{ field: 'to', message: `一次最多导出 ${MAX_DAYS} 天的评价` }])
  }
  const db = deps.db
  const rows = await db
    .selectFrom('ratings')
    .leftJoin('rectifications', 'rectifications.ratingId', 'ratings.id')
    .selectAll('ratings')
    .select(['rectifications.state as rectState', 'rectifications.excluded as rectExcluded'])
    .where('ratings.ratedAt', '>=', from)
    .where('ratings.ratedAt', '<', to)
    .orderBy('ratings.ratedAt')
    .orderBy('ratings.id')
    .limit(options.pageSize)
    .offset((Math.max(1, options.page) - 1) * options.pageSize)
    .execute()
  const total = Number(
    (
      await db
        .selectFrom('ratings')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('ratedAt', '>=', from)
        .where('ratedAt', '<', to)
        .executeTakeFirstOrThrow()
    ).n,
  )
  const apps = await applicationFactsByIds(
    db,
    rows.map((r) => r.applicationId),
  )
  const taskCodes = new Map<string, string>()
  const departments = new Map<string, DepartmentInfo | undefined>()
  for (const r of rows) {
    if (!taskCodes.has(r.itemId)) {
      taskCodes.set(r.itemId, (await getItem(db, r.itemId).catch(() => undefined))?.taskCode ?? '')
    }
    if (!departments.has(r.departmentId)) departments.set(r.departmentId, await findDepartmentInfo(db, r.departmentId))
  }
  const records = rows.map(({ rectState, rectExcluded, ...rating }) =>
    toExchangeRecord({
      rating,
      app: apps.get(rating.applicationId),
      taskCode: taskCodes.get(rating.itemId) ?? '',
      department: departments.get(rating.departmentId),
      rectifyStatus: rectExcluded === 1 ? 'excluded' : (rectState ?? 'none'),
    }),
  )
  return { from: options.from, to: options.to, total, page: options.page, pageSize: options.pageSize, records }
}
