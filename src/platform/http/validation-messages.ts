/**
 * Chinese, per-field messages for schema validation failures (Ajv errors from Fastify).
 * Common keywords get a plain sentence; the rest fall back to ajv-i18n's Chinese texts.
 */

import { createRequire } from 'node:module'
import type { ErrorObject } from 'ajv'
import type { FieldProblem } from './errors.js'

// ajv-i18n is CommonJS whose module.exports is the function; its types describe an ES default.
const localizeZh = createRequire(import.meta.url)('ajv-i18n/localize/zh') as (errors: ErrorObject[]) => void

const typeNames: Record<string, string> = {
  string: '文字',
  integer: '整数',
  number: '数字',
  boolean: '是或否（true/false）',
  object: '对象',
  array: '列表',
  null: '空值',
}

const contextNames: Record<string, string> = {
  body: '',
  querystring: '查询参数',
  params: '路径参数',
  headers: '请求头',
}

/** `/items/0/name` → `items[0].name` */
export function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '')
}

export function validationProblems(errors: ErrorObject[], context?: string): FieldProblem[] {
  const copies = errors.map((e) => ({ ...e }))
  localizeZh(copies)
  const seen = new Set<string>()
  const problems: FieldProblem[] = []
  for (const e of copies) {
    const params = e.params as Record<string, unknown>
    let field = pointerToField(e.instancePath)
    if (e.keyword === 'required') field = pointerToField(`${e.instancePath}/${String(params.missingProperty)}`)
    if (e.keyword === 'additionalProperties')
      field = pointerToField(`${e.instancePath}/${String(params.additionalProperty)}`)
    const label = `${contextNames[context ?? 'body'] ?? ''}${field ? `「${field}」` : '请求内容'}`
    const message = sentence(e, label) ?? `${label}${e.message ?? '不符合要求'}`
    const key = `${field}|${message}`
    if (seen.has(key)) continue
    seen.add(key)
    problems.push({ field: field || '(root)', message })
  }
  return problems
}

function sentence(e: ErrorObject, label: string): string | undefined {
  const p = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'required':
      return `缺少必填项${label}`
    case 'type': {
      const types = String(p.type)
        .split(',')
        .map((t) => typeNames[t] ?? t)
      return `${label}应为${types.join('或')}`
    }
    case 'minLength':
      return Number(p.limit) === 1 ? `${label}不能为空` : `${label}至少需要 ${p.limit} 个字符`
    case 'maxLength':
      return `${label}不能超过 ${p.limit} 个字符`
    case 'minimum':
    case 'exclusiveMinimum':
      return `${label}不能小于${e.keyword === 'exclusiveMinimum' ? '或等于' : ''} ${p.limit}`
    case 'maximum':
    case 'exclusiveMaximum':
      return `${label}不能大于${e.keyword === 'exclusiveMaximum' ? '或等于' : ''} ${p.limit}`
    case 'pattern':
    case 'format':
      return `${label}格式不正确`
    case 'enum':
      return `${label}只能是：${(p.allowedValues as unknown[]).map(String).join('、')}`
    case 'const':
      return `${label}只能是 ${String(p.allowedValue)}`
    case 'additionalProperties':
      return `不接受字段${label}`
    case 'minItems':
      return `${label}至少需要 ${p.limit} 项`
    case 'maxItems':
      return `${label}最多 ${p.limit} 项`
    default:
      return undefined
  }
}
