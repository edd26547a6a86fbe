/**
 * The items of the workbench inbox's lists, for its item filter (按事项筛选): the items that have
 * cases in the list the staff member is looking at — 待受理: the department's submissions; 待办理:
 * the open tasks of their roles, where 并联审批 brings other departments' items — each with how many
 * rows it has there, in pinyin order.
 *
 * They are shown on a page of their own (the inbox page links to it), not on every inbox page: at
 * a million applications a reviewer's 3,361 open tasks span 1,186 items, and reading and listing
 * them on each page cost more than the page's list (docs/performance.md, finding 3). Reading them
 * costs one scan of the list's partial index (application ids only); each application's item —
 * which never changes once it was submitted — comes from a copy kept per process and database,
 * read from the applications only for ids not seen before; the names are put in pinyin order
 * once, when first seen, not compared again on every call.
 */
import type { Principal } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { getItem, getVersion } from '../catalog/index.js'
import { inboxRoles, OPEN_TASK, SUBMITTED } from './applications.read.js'

export interface InboxItemChoice {
  value: string
  label: string
  /** Rows of the list (submissions, or open tasks) of this item. */
  count: number
}

interface ItemRef {
  itemId: string
  itemName: string
}

/** Applications' items by application id, per database; at most MAX_KEPT, the oldest dropped first. */
const MAX_KEPT = 100_000
const kept = new WeakMap<object, { items: Map<string, ItemRef>; refs: Map<string, ItemRef> }>()

function keptFor(db: Db) {
  const owner = db.getExecutor()
  let found = kept.get(owner)
  if (!found) {
    found = { items: new Map(), refs: new Map() }
    kept.set(owner, found)
  }
  return found
}

/**
 * Reads the items of applications not kept yet (submitted or later: their item no longer
 * changes) and keeps them.
 */
async function readItems(db: Db, applicationIds: string[]): Promise<void> {
  const { items, refs } = keptFor(db)
  const missing = [...new Set(applicationIds)]
  for (let i = 0; i < missing.length; i += 1000) {
    const rows = await db
      .selectFrom('applications')
      .select(['id', 'itemId', 'itemName'])
      .where('id', 'in', missing.slice(i, i + 1000))
      .where('state', '!=', 'draft')
      .execute()
    for (const row of rows) {
      // One object per item and name, shared by its applications.
      const key = `${row.itemId}\u0000${row.itemName ?? ''}`
      let ref = refs.get(key)
      if (!ref) {
        ref = { itemId: row.itemId, itemName: row.itemName ?? '' }
        refs.set(key, ref)
      }
      items.set(row.id, ref)
    }
  }
  if (items.size > MAX_KEPT) {
    let drop = items.size - MAX_KEPT
    for (const id of items.keys()) {
      if (drop-- <= 0) break
      items.delete(id)
    }
  }
}

/** Pinyin order of the names seen so far: a rank per name, equal for names the collation deems equal. */
const PINYIN = new Intl.Collator('zh-Hans-CN-u-co-pinyin')
let rankOf = new Map<string, number>()

function pinyinRanks(names: Iterable<string>): Map<string, number> {
  const fresh = new Set<string>()
  for (const name of names) if (!rankOf.has(name)) fresh.add(name)
  if (fresh.size > 0) {
    // New names are rare (a new item or a renamed one): sort them in with the others once.
    const all = rankOf.size + fresh.size > 20_000 ? [...fresh] : [...rankOf.keys(), ...fresh]
    all.sort(PINYIN.compare)
    const next = new Map<string, number>()
    all.forEach((name, i) => {
      const previous = all[i - 1]
      next.set(name, previous !== undefined && PINYIN.compare(previous, name) === 0 ? next.get(previous)! : i)
    })
    rankOf = next
  }
  return rankOf
}

/** The application of each row of the list being looked at (a case with two open tasks: twice). */
async function listApplicationIds(deps: Deps, principal: Principal, view: 'pre_review' | 'tasks'): Promise<string[]> {
  const departmentId = principal.departmentId!
  if (view === 'pre_review') {
    // Staff who do not pre-review have no such list.
    if (!principal.permissions.has('applications.accept')) return []
    const rows = await deps.db
      .selectFrom('applications')
      .select('applications.id')
      .where('applications.departmentId', '=', departmentId)
      .where(SUBMITTED)
      .execute()
    return rows.map((r) => r.id)
  }
  const roles = inboxRoles(principal)
  if (roles.length === 0) return []
  const rows = await deps.db
    .selectFrom('tasks')
    .select('tasks.applicationId')
    .where('tasks.departmentId', '=', departmentId)
    .where(OPEN_TASK)
    .where('tasks.role', 'in', roles)
    .execute()
  return rows.map((r) => r.applicationId)
}

/**
 * The items with rows in a view's list (before the other filters), each with its count (the
 * rows it has there), in pinyin order of the name; an item renamed between its applications is
 * named as in the latest of them.
 */
export async function inboxItemChoices(
  deps: Deps,
  principal: Principal,
  view: 'pre_review' | 'tasks',
): Promise<InboxItemChoice[]> {
  if (!principal.staffId || !principal.departmentId) return []
  return itemChoices(deps, await listApplicationIds(deps, principal, view))
}

/**
 * The name of an item chosen in the inbox's filter: as in the list's rows when it has some, else
 * the item's current name in the catalog, else a neutral label (not an item, or no longer one).
 */
export async function chosenItemName(deps: Deps, itemId: string, rowNames: string[]): Promise<string> {
  if (rowNames[0]) return rowNames[0]
  try {
    const item = await getItem(deps.db, itemId)
    if (item.currentVersionId) return (await getVersion(deps.db, item.currentVersionId)).taskName
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
  }
  return '所选事项'
}

async function itemChoices(deps: Deps, applicationIds: string[]): Promise<InboxItemChoice[]> {
  // Counted per kept item object (one per item and name): thousands of rows, one pass.
  const { items } = keptFor(deps.db)
  const perRef = new Map<ItemRef, { count: number; latest: string }>()
  const add = (id: string, ref: ItemRef) => {
    const entry = perRef.get(ref)
    if (!entry) perRef.set(ref, { count: 1, latest: id })
    else {
      entry.count += 1
      if (id > entry.latest) entry.latest = id
    }
  }
  const missing: string[] = []
  for (const applicationId of applicationIds) {
    const ref = items.get(applicationId)
    if (ref) add(applicationId, ref)
    else missing.push(applicationId)
  }
  if (missing.length > 0) {
    await readItems(deps.db, missing)
    for (const id of missing) {
      const ref = items.get(id)
      if (ref) add(id, ref) // else: no longer in the list (read after it)
    }
  }
  // An item renamed between its applications: the name of the latest (ids are in time order).
  const counted = new Map<string, { name: string; count: number; latest: string }>()
  for (const [ref, { count, latest }] of perRef) {
    const entry = counted.get(ref.itemId)
    if (!entry) counted.set(ref.itemId, { name: ref.itemName, count, latest })
    else {
      entry.count += count
      if (latest > entry.latest) Object.assign(entry, { name: ref.itemName, latest })
    }
  }
  const ranks = pinyinRanks([...counted.values()].map((c) => c.name))
  return [...counted]
    .map(([value, { name, count }]) => ({ rank: ranks.get(name)!, choice: { value, label: name, count } }))
    .sort((a, b) => a.rank - b.rank || (a.choice.value < b.choice.value ? -1 : 1))
    .map((r) => r.choice)
}
