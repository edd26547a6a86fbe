/**
 * The service catalog (事项目录与办事指南): items published to one standard, their guides, search
 * and "一件事" themes. Other modules read items through these functions.
 */
import type { Deps } from '../../platform/deps.js'
import type { AppModule } from '../../platform/module.js'
import { registerCatalogAdminRoutes } from './catalog.admin.routes.js'
import { registerCatalogApiRoutes } from './catalog.api.routes.js'
import { registerCatalogPublicRoutes } from './catalog.public.routes.js'
import { seedCatalog } from './catalog.seed.js'

export { ItemList, SearchBox, ThemeCards, TopicTiles } from './catalog.browse.pages.js'
export type { ItemElements, Material } from './catalog.model.js'
export {
  findGuideByCatalogCode,
  findPublicTheme,
  type HomeCatalog,
  homeCatalog,
  type ItemSummary,
  listPublishedSummaries,
  resolveTheme,
  type ThemeOutcome,
} from './catalog.read.js'
export { getItem, getVersion, SEARCH_KIND } from './catalog.service.js'
export type { ItemTable, ItemVersionTable } from './catalog.tables.js'
export { applicableItems, type ThemeDefinition, unansweredQuestions } from './catalog.themes.js'

export function createCatalogModule(deps: Deps): AppModule {
  return {
    name: 'catalog',
    nav: [
      { href: '/services', label: '办事服务', order: 10 },
      { href: '/themes', label: '一件事', order: 20 },
      {
        href: '/admin/items',
        label: '事项管理',
        order: 75,
        visible: (p) => Boolean(p?.permissions.has('catalog.edit')),
      },
      {
        href: '/admin/items/review',
        label: '事项审核',
        order: 76,
        visible: (p) => Boolean(p?.permissions.has('catalog.review')),
      },
    ],
    register: (app) => {
      registerCatalogPublicRoutes(app, deps)
      registerCatalogApiRoutes(app, deps)
      registerCatalogAdminRoutes(app, deps)
    },
    seed: (report, progress) => seedCatalog(deps, report, progress),
  }
}
