/**
 * The demo catalog of 潮安区: realistic, complete implementation lists (实施清单) of common
 * district-level service items, one file per group of departments. Seeding computes each item's
 * taskCode as the department's 统一社会信用代码 + catalogCode (DOMAIN.md §1); the code pattern of
 * catalogCode is documented in catalog.demo-items.common.ts.
 *
 * Content follows published Guangdong 办事指南 in structure; laws and articles are cited as far as
 * they could be checked, addresses and telephone numbers are invented.
 */
import { CIVIL_AFFAIRS_ITEMS } from './catalog.demo-items.civil-affairs.js'
import type { DemoItem } from './catalog.demo-items.common.js'
import { CONSTRUCTION_ITEMS } from './catalog.demo-items.construction.js'
import { HEALTH_EDUCATION_ITEMS } from './catalog.demo-items.health-education.js'
import { MARKET_ITEMS } from './catalog.demo-items.market.js'
import { OTHER_DEPARTMENT_ITEMS } from './catalog.demo-items.other-departments.js'
import { PUBLIC_SECURITY_ITEMS } from './catalog.demo-items.public-security.js'
import { SOCIAL_SECURITY_ITEMS } from './catalog.demo-items.social-security.js'

export type { DemoItem } from './catalog.demo-items.common.js'

export const DEMO_ITEMS: DemoItem[] = [
  ...MARKET_ITEMS,
  ...PUBLIC_SECURITY_ITEMS,
  ...CIVIL_AFFAIRS_ITEMS,
  ...SOCIAL_SECURITY_ITEMS,
  ...HEALTH_EDUCATION_ITEMS,
  ...CONSTRUCTION_ITEMS,
  ...OTHER_DEPARTMENT_ITEMS,
]
