/**
 * The platform's own demo/reference data: the State Council's holiday schedules and the search
 * synonyms. Both are reference data every installation needs, so they are seeded even when
 * demo accounts are not (see `seedReference`).
 */

import type { Deps } from './deps.js'
import type { AppModule } from './module.js'
import { seedSynonyms } from './search/index.js'

export async function seedReference(deps: Deps, progress: (m: string) => void): Promise<void> {
  const calendar = await deps.calendar.seedOfficial()
  const synonyms = await seedSynonyms(deps.db)
  progress(`工作日历：新增 ${calendar.inserted.length} 天；搜索同义词：新增 ${synonyms} 条`)
}

export function createPlatformModule(deps: Deps): AppModule {
  return {
    name: 'platform',
    register: () => {},
    seed: (_report, progress) => seedReference(deps, progress),
  }
}
