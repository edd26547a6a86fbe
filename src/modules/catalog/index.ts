/**
 * The service catalog (事项目录与办事指南): items published to one standard, their guides, search
 * and "一件事" themes. Other modules read items through these functions.
 */
import type { Deps } from '../../platform/deps.js'
import type { AppModule } from '../../platform/module.js'
import { seedCatalog } from './catalog.seed.js'

export type { ItemElements, Material } from './catalog.model.js'
export { getItem, getVersion, SEARCH_KIND } from './catalog.service.js'
export type { ItemTable, ItemVersionTable } from './catalog.tables.js'
export { applicableItems, type ThemeDefinition, unansweredQuestions } from './catalog.themes.js'

export function createCatalogModule(deps: Deps): AppModule {
  return {
    name: 'catalog',
    register: () => {},
    seed: (report, progress) => seedCatalog(deps, report, progress),
  }
}
