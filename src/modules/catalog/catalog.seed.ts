/**
 * The demo catalog: 60+ items of 潮安区 across the district's departments, published as the
 * platform (no review round for demo data), their blank forms generated into the file store,
 * and the "一件事" themes. Idempotent: items already present are left alone.
 */
import type { Deps } from '../../platform/deps.js'
import { spreadsheetTypes } from '../../platform/files/files.js'
import { newId } from '../../platform/ids.js'
import type { SeedReport } from '../../platform/module.js'
import { listDepartmentInfos } from '../identity/index.js'
import { renderBlankForm } from './catalog.blank-forms.js'
import { DEMO_ITEMS } from './catalog.demo-items.js'
import { DEMO_THEMES } from './catalog.demo-themes.js'
import type { ItemElements } from './catalog.model.js'
import { findItemByTaskCode, findThemeByCode, insertTheme } from './catalog.repository.js'
import { implementationCode, publishAsSystem } from './catalog.service.js'

export async function seedCatalog(deps: Deps, _report: SeedReport, progress: (message: string) => void): Promise<void> {
  const departments = new Map((await listDepartmentInfos(deps.db)).map((d) => [d.code, d]))
  let created = 0
  let done = 0
  for (const demo of DEMO_ITEMS) {
    done++
    const department = departments.get(demo.departmentCode)
    if (!department) throw new Error(`demo item ${demo.elements.taskName}: unknown department ${demo.departmentCode}`)
    const taskCode = implementationCode(department, demo.elements)
    if (await findItemByTaskCode(deps.db, taskCode)) continue
    const elements: ItemElements = { ...structuredClone(demo.elements), taskCode }
    for (const material of elements.materials) {
      const spec = demo.blankForms?.[material.materialCode]
      if (!spec) continue
      const stored = await deps.files.put(await renderBlankForm(spec), {
        maxBytes: 5 * 1024 * 1024,
        allowedTypes: spreadsheetTypes,
      })
      material.blankForm = { ...stored, fileName: `${material.materialName}（空白表）.xlsx` }
    }
    await publishAsSystem(deps, 'seed:catalog', department.id, elements, '初始发布')
    created++
    if (done % 10 === 0 || done === DEMO_ITEMS.length) progress(`事项目录：${done}/${DEMO_ITEMS.length}`)
  }

  let themes = 0
  const now = deps.clock.now().toISOString()
  for (const [i, theme] of DEMO_THEMES.entries()) {
    if (await findThemeByCode(deps.db, theme.code)) continue
    await insertTheme(deps.db, {
      id: newId(),
      code: theme.code,
      name: theme.name,
      summary: theme.summary,
      definition: JSON.stringify(theme),
      state: 'published',
      sortOrder: i,
      updatedBy: null,
      updatedAt: now,
    })
    themes++
  }
  progress(`事项目录：新发布 ${created} 个事项、${themes} 个「一件事」主题`)
}
