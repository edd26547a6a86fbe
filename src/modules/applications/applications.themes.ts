/**
 * "一件事" combined applications (一表申请、一窗受理、并联办理): a theme's answers select items
 * across departments; one combined form collects the union of their fields once (sections with
 * the same key — the applicant, the contact — asked once); materials needed by several items are
 * given once; one submission creates a linked application for each department, tracked together.
 */
import type { Principal } from '../../platform/auth/principal.js'
import { transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import {
  findPublicTheme,
  getItem,
  getVersion,
  type ItemElements,
  type Material,
  resolveTheme,
} from '../catalog/index.js'
import type { FormData, FormDefinition, FormSection } from './applications.forms.js'
import { formFor } from './applications.forms.registry.js'
import { findByIdempotencyKey } from './applications.repository.js'
import { prepareSubmissionFor, submitPrepared } from './applications.service.js'
import type { ApplicationTable } from './applications.tables.js'
import type { MaterialInput } from './applications.types.js'

export interface CombinedItem {
  itemId: string
  taskName: string
  departmentName: string
  elements: ItemElements
  form: FormDefinition
  note?: string
}

export interface CombinedApplication {
  themeCode: string
  themeName: string
  answers: Record<string, string>
  complete: boolean
  items: CombinedItem[]
  form: FormDefinition
  /** Each material once, with the items that need it. */
  materials: { material: Material; itemNames: string[] }[]
}

/** The union of several forms: a section key asked once; its fields the union of theirs. */
export function unionForm(forms: FormDefinition[]): FormDefinition {
  const sections: FormSection[] = []
  for (const form of forms) {
    for (const section of form.sections) {
      const existing = sections.find((s) => s.key === section.key)
      if (!existing) {
        sections.push(structuredClone(section))
        continue
      }
      for (const field of section.fields) {
        if (!existing.fields.some((f) => f.key === field.key)) existing.fields.push(structuredClone(field))
      }
    }
  }
  return { version: 1, sections }
}

/** The part of the combined data that belongs to one item's form. */
export function dataFor(form: FormDefinition, data: FormData): FormData {
  const out: FormData = {}
  for (const section of form.sections) {
    const value = data[section.key]
    if (value === undefined) continue
    if (Array.isArray(value)) {
      out[section.key] = value.map((row) =>
        Object.fromEntries(section.fields.filter((f) => f.key in row).map((f) => [f.key, row[f.key]!])),
      )
    } else {
      out[section.key] = Object.fromEntries(
        section.fields.filter((f) => f.key in value).map((f) => [f.key, value[f.key]!]),
      )
    }
  }
  return out
}

const themeNotFound = () => new DomainError('THEME_NOT_FOUND', 'not_found', '找不到这个「一件事」主题。')

/** What a theme's answers ask for: the items, the combined form and the materials. */
export async function combinedApplication(
  deps: Deps,
  themeCode: string,
  answers: Record<string, string | undefined>,
): Promise<CombinedApplication> {
  const theme = await findPublicTheme(deps.db, themeCode)
  if (!theme) throw themeNotFound()
  const outcome = await resolveTheme(deps.db, theme, answers)
  const items: CombinedItem[] = []
  for (const { ref, item } of outcome.items) {
    const current = await getItem(deps.db, item.itemId)
    if (!current.currentVersionId) continue
    const version = await getVersion(deps.db, current.currentVersionId)
    const elements = JSON.parse(version.elements) as ItemElements
    if (!elements.isOnline) continue
    items.push({
      itemId: item.itemId,
      taskName: item.taskName,
      departmentName: item.department.name,
      elements,
      form: formFor(version),
      note: ref.note,
    })
  }
  const materials = new Map<string, { material: Material; itemNames: string[] }>()
  for (const item of items) {
    for (const m of item.elements.materials) {
      const entry = materials.get(m.materialCode)
      if (entry) {
        entry.itemNames.push(item.taskName)
        if (m.isNeed) entry.material = { ...entry.material, isNeed: true }
      } else {
        materials.set(m.materialCode, { material: m, itemNames: [item.taskName] })
      }
    }
  }
  return {
    themeCode: theme.code,
    themeName: theme.name,
    answers: outcome.answers,
    complete: outcome.complete,
    items,
    form: unionForm(items.map((i) => i.form)),
    materials: [...materials.values()],
  }
}

/**
 * Submits a theme: every item's application is checked first (all problems reported at once, named
 * as in the combined form); then one transaction creates the theme case and one submitted
 * application per item, each with its department. Idempotent by the form token.
 * @throws VALIDATION_FAILED; THEME_NOT_FOUND; THEME_INCOMPLETE
 */
export async function submitThemeApplication(
  deps: Deps,
  principal: Principal,
  input: {
    themeCode: string
    answers: Record<string, string>
    formData: FormData
    materials: MaterialInput[]
    idempotencyKey: string
  },
  context: { ip?: string; requestId?: string } = {},
): Promise<{ themeCaseId: string; applications: ApplicationTable[] }> {
  const personId = principal.personId
  if (!personId) throw new DomainError('APPLICANT_REQUIRED', 'forbidden', '请以居民或企业身份登录后申请。')
  const keyOf = (i: number) => `${input.idempotencyKey}-${i}`
  const first = await findByIdempotencyKey(deps.db, personId, keyOf(0))
  if (first?.themeCaseId) return existingCase(deps, first.themeCaseId)
  const combined = await combinedApplication(deps, input.themeCode, input.answers)
  if (!combined.complete) {
    throw new DomainError('THEME_INCOMPLETE', 'invalid', '请先回答全部问题，确定需要办理的事项。')
  }
  if (combined.items.length === 0)
    throw new DomainError('THEME_EMPTY', 'invalid', '按您的回答，没有可以在网上一次申请的事项。')
  const problems: FieldProblem[] = []
  const prepared: Awaited<ReturnType<typeof prepareSubmissionFor>>['prepared'][] = []
  for (const [i, item] of combined.items.entries()) {
    const materials = input.materials.filter((m) =>
      item.elements.materials.some((x) => x.materialCode === m.materialCode),
    )
    const { problems: p, prepared: ready } = await prepareSubmissionFor(deps, principal, {
      itemId: item.itemId,
      idempotencyKey: keyOf(i),
      formData: dataFor(item.form, input.formData),
      materials,
    })
    for (const problem of p) if (!problems.some((x) => x.field === problem.field)) problems.push(problem)
    prepared.push(ready)
  }
  if (problems.length > 0) throw invalidInput(problems, `申请内容有 ${problems.length} 处需要修改`)
  const themeCaseId = newId()
  const cal = await deps.calendar.load()
  try {
    const applications = await transaction(deps.db, async (trx) => {
      await trx
        .insertInto('themeCases')
        .values({
          id: themeCaseId,
          themeCode: combined.themeCode,
          applicantPersonId: personId,
          applicantEnterpriseId: principal.enterpriseId ?? null,
          answers: JSON.stringify(combined.answers),
          createdAt: deps.clock.now().toISOString(),
        })
        .execute()
      const created: ApplicationTable[] = []
      for (const ready of prepared)
        created.push(await submitPrepared(deps, trx, { ...ready, themeCaseId }, cal, context))
      return created
    })
    return { themeCaseId, applications }
  } catch (error) {
    const raced = await findByIdempotencyKey(deps.db, personId, keyOf(0))
    if (raced?.themeCaseId) return existingCase(deps, raced.themeCaseId)
    throw error
  }
}

async function existingCase(deps: Deps, themeCaseId: string) {
  const applications = await deps.db
    .selectFrom('applications')
    .selectAll()
    .where('themeCaseId', '=', themeCaseId)
    .orderBy('idempotencyKey')
    .execute()
  return { themeCaseId, applications }
}
