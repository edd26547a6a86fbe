/**
 * Rules that decide an instant item (即办件) automatically when every check passes — the plan's
 * 「即办件自动办」. A rule only ever approves: anything it cannot confirm goes to the window as usual.
 * Decisions by rule are recorded as such (actor `rule:<name>`).
 */
import type { ItemElements } from '../catalog/index.js'
import type { FormData } from './applications.forms.js'
import type { MaterialInput } from './applications.types.js'

export interface InstantRuleInput {
  formData: FormData
  materials: MaterialInput[]
  elements: ItemElements
}

export interface InstantRule {
  name: string
  check(input: InstantRuleInput): { ok: boolean; reasons: string[] }
}

/** Every required material is present and none is deferred (容缺 needs a person to accept it). */
const allMaterialsPresent: InstantRule['check'] = ({ materials, elements }) => {
  const reasons: string[] = []
  for (const m of elements.materials.filter((x) => x.isNeed)) {
    const given = materials.filter((g) => g.materialCode === m.materialCode)
    if (given.length === 0 || given.some((g) => g.kind === 'deferred')) reasons.push(`缺少或容缺：${m.materialName}`)
  }
  return { ok: reasons.length === 0, reasons }
}

/**
 * Items with a rule, by name: the ID number has already been validated by the form (GB 11643)
 * and the identity by login, so a complete application can be decided at once.
 */
const RULES: Record<string, InstantRule> = {
  社会保障卡申领: { name: '身份证件有效、材料齐全即办', check: allMaterialsPresent },
  就业创业证申领: { name: '身份证件有效、材料齐全即办', check: allMaterialsPresent },
  城乡居民基本医疗保险参保登记: { name: '身份信息有效、材料齐全即办', check: allMaterialsPresent },
}

export function instantRuleFor(elements: Pick<ItemElements, 'taskName'>): InstantRule | undefined {
  return RULES[elements.taskName]
}
