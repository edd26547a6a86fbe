/**
 * What the workbench inbox shows around its list: the tabs' counts and the item filter (事项筛选)
 * — the items that have cases in the list the staff member is looking at (待受理: the department's
 * submissions; 待办理: the open tasks of their roles, where 并联审批 brings other departments'
 * items), each with how many rows it has there, in pinyin order.
 *
 * It is read on every inbox page, so it costs one index scan of the list (docs/performance.md,
 * finding 3): the list's rows come from the partial index of that list (application ids only,
 * which also give the tab's counts), and each application's item — which never changes once it
 * was submitted — from a copy kept per process and database, read from the applications only for
 * ids not seen before. The names are put in pinyin order once, when first seen, not compared
 * again on every page.
 */
import type { Principal } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { getItem, getVersion } from '../catalog/index.js'
import { inboxRoles, OPEN_TASK, openTaskCounts, preReviewCount, SUBMITTED } from './applications.read.js'

export interface InboxItemChoice {
  value: string
  label: string
  /** Rows of the list (submissions, or open tasks) of this item; 0 for a chosen item with none. */
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

/** The item of each application (submitted or later: its item no longer changes). */
async function itemsOf(db: Db, applicationIds: string[]): Promise<Map<string, ItemRef>> {
  const { items, refs } = keptFor(db)
  const missing = [...new Set(applicationIds.filter((id) => !items.has(id)))]
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
  return items
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

export interface InboxCounts {
  preReview: number
  tasks: number
  mine: number
}

/** The rows of the list being looked at: each one's application (and, for tasks, who claimed it). */
async function listRows(
  deps: Deps,
  principal: Principal,
  view: 'pre_review' | 'tasks',
): Promise<{ applicationId: string; assigneeStaffId: string | null }[]> {
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
    return rows.map((r) => ({ applicationId: r.id, assigneeStaffId: null }))
  }
  const roles = inboxRoles(principal)
  if (roles.length === 0) return []
  return deps.db
    .selectFrom('tasks')
    .select(['tasks.applicationId', 'tasks.assigneeStaffId'])
    .where('tasks.departmentId', '=', departmentId)
    .where(OPEN_TASK)
    .where('tasks.role', 'in', roles)
    .execute()
}

/**
 * What the inbox shows around its list: the tabs' counts (as `inboxCounts`) and the choices of the
 * item filter for the view — the items with rows in that list (before the other filters), with
 * their counts, in pinyin order, and the chosen item, if it has none (any longer), with a count
 * of 0 so that the filter still shows what is chosen. The list of the view is read once for both
 * (at a million applications a department has ~3,400 open tasks: one index scan, not three).
 */
export async function inboxOverview(
  deps: Deps,
  principal: Principal,
  view: 'pre_review' | 'tasks',
  chosen?: string,
): Promise<{ counts: InboxCounts; itemChoices: InboxItemChoice[] }> {
  if (!principal.staffId || !principal.departmentId) {
    return { counts: { preReview: 0, tasks: 0, mine: 0 }, itemChoices: [] }
  }
  const rows = await listRows(deps, principal, view)
  const counts: InboxCounts =
    view === 'pre_review'
      ? {
          preReview: rows.length,
          ...(await openTaskCounts(deps, principal)),
        }
      : {
          preReview: await preReviewCount(deps, principal),
          tasks: rows.length,
          mine: rows.filter((r) => r.assigneeStaffId === principal.staffId).length,
        }
  return { counts, itemChoices: await itemChoices(deps, rows, chosen) }
}

async function itemChoices(
  deps: Deps,
  rows: { applicationId: string }[],
  chosen: string | undefined,
): Promise<InboxItemChoice[]> {
  const ids = rows.map((r) => r.applicationId)
  const items = await itemsOf(deps.db, ids)
  const counted = new Map<string, { name: string; count: number; latest: string }>()
  for (const id of ids) {
    const ref = items.get(id)
    if (!ref) continue // not in the list any more (read after the list)
    const entry = counted.get(ref.itemId)
    if (!entry) counted.set(ref.itemId, { name: ref.itemName, count: 1, latest: id })
    else {
      entry.count += 1
      // An item renamed between its applications: the name of the latest (ids are in time order).
      if (id > entry.latest) Object.assign(entry, { name: ref.itemName, latest: id })
    }
  }
  if (chosen && !counted.has(chosen))
    counted.set(chosen, { name: await itemName(deps.db, chosen), count: 0, latest: '' })
  const ranks = pinyinRanks([...counted.values()].map((c) => c.name))
  return [...counted]
    .map(([value, { name, count }]) => ({ value, label: name, count }))
    .sort((a, b) => ranks.get(a.label)! - ranks.get(b.label)! || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
}

/** The current name of an item (a chosen item without rows), or a neutral label when there is none. */
async function itemName(db: Db, itemId: string): Promise<string> {
  try {
    const item = await getItem(db, itemId)
    if (item.currentVersionId) return (await getVersion(db, item.currentVersionId)).taskName
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
  }
  return '所选事项'
}
