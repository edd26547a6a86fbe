/**
 * The public side of the catalog, read only: the guide of an item's published version, its
 * earlier versions, the files a guide offers, browsing by audience / department / topic, search
 * results with what a list shows, and "一件事" themes resolved to items.
 *
 * Only versions that were published are ever shown (published, superseded, withdrawn): drafts
 * and versions in review never leave the administration side.
 */
import { createHash } from 'node:crypto'
import { type RawBuilder, sql } from 'kysely'
import { type Db, type DbOrTrx, dialectOf } from '../../platform/db/database.js'
import { DomainError } from '../../platform/http/errors.js'
import {
  type HighlightSegment,
  type SearchResult,
  search,
  suggest,
  synonymsVersion,
} from '../../platform/search/index.js'
import { type DepartmentInfo, findDepartmentInfo, listDepartmentInfos } from '../identity/index.js'
import { freshVersion } from './catalog.freshness.js'
import { ENTERPRISE_TOPICS, type ItemElements, type ItemFile, PERSON_TOPICS } from './catalog.model.js'
import { findItem, findThemeByCode, listThemes } from './catalog.repository.js'
import { implementationCode, SEARCH_KIND } from './catalog.service.js'
import type { ItemVersionState } from './catalog.tables.js'
import {
  applicableItems,
  type ThemeAnswers,
  type ThemeDefinition,
  type ThemeItemRef,
  type ThemeQuestion,
  unansweredQuestions,
} from './catalog.themes.js'

export type Audience = 'person' | 'enterprise'
export type OnlineDepth = 1 | 2 | 3 | 4

/** The states of versions that were published once: the public may read them. */
const PUBLIC_STATES = ['published', 'superseded', 'withdrawn'] as const satisfies readonly ItemVersionState[]
export type PublicVersionState = (typeof PUBLIC_STATES)[number]

export const TOPIC_NAMES: Record<string, string> = { ...PERSON_TOPICS, ...ENTERPRISE_TOPICS }

/** Names in pinyin order, the same on both databases (their collations differ). */
const pinyinOrder = new Intl.Collator('zh-Hans-CN-u-co-pinyin')

export interface DepartmentRef {
  code: string
  name: string
  shortName: string
  /** 统一社会信用代码 (the national deptCode); null when not recorded. */
  creditCode: string | null
}

/** What a list of items shows of each: enough for a line, not the whole guide. */
export interface ItemSummary {
  itemId: string
  taskName: string
  department: DepartmentRef
  onlineDepth: OnlineDepth
  forPersons: boolean
  forEnterprises: boolean
  topics: string[]
  promiseDay: number
  promiseType: string
  projectType: string
  isFee: boolean
  summary: string
  version: number
  publishedAt: string | null
}

// ---------------------------------------------------------------------------------------------
// Departments

interface DepartmentDirectory {
  byId(id: string): Promise<DepartmentRef>
  byCode: Map<string, DepartmentInfo>
}

const unknownDepartment = (id: string): DepartmentRef => ({
  code: id,
  name: '（部门信息已调整）',
  shortName: '（部门信息已调整）',
  creditCode: null,
})

async function departmentDirectory(db: DbOrTrx): Promise<DepartmentDirectory> {
  const active = await listDepartmentInfos(db)
  const byId = new Map(active.map((d) => [d.id, d]))
  return {
    byCode: new Map(active.map((d) => [d.code, d])),
    byId: async (id) => {
      // A department merged away is no longer active; its items still name it.
      const found = byId.get(id) ?? (await findDepartmentInfo(db, id))
      return found ? refOf(found) : unknownDepartment(id)
    },
  }
}

function refOf(d: DepartmentInfo): DepartmentRef {
  return { code: d.code, name: d.name, shortName: d.shortName, creditCode: d.creditCode }
}

// ---------------------------------------------------------------------------------------------
// Published items, light

/**
 * One element of the version's JSON as JSON text, parsed here the same way for both databases
 * (their JSON operators differ: jsonb `->` on PostgreSQL, JSON-path `->` on SQLite).
 * `key` is a constant of this file, never input.
 */
function elementJson(db: DbOrTrx, key: string): RawBuilder<string | null> {
  const elements = sql.ref('itemVersions.elements')
  return dialectOf(db) === 'postgres'
    ? sql<string | null>`(${elements} -> ${sql.lit(key)})::text`
    : sql<string | null>`${elements} -> ${sql.lit(`$.${key}`)}`
}

function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text == null) return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

interface PublishedFilter {
  itemIds?: string[]
  taskCodes?: string[]
}

/** The current, published version of live items (all of them, or those asked for). */
async function selectPublished(db: DbOrTrx, filter: PublishedFilter = {}) {
  if (filter.itemIds?.length === 0 || filter.taskCodes?.length === 0) return []
  let query = db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .where('itemVersions.state', '=', 'published')
  if (filter.itemIds) query = query.where('items.id', 'in', filter.itemIds)
  if (filter.taskCodes) query = query.where('items.taskCode', 'in', filter.taskCodes)
  return query
    .select([
      'items.id as itemId',
      'items.departmentId',
      'items.taskCode',
      'itemVersions.version',
      'itemVersions.taskName',
      'itemVersions.projectType',
      'itemVersions.onlineDepth',
      'itemVersions.forPersons',
      'itemVersions.forEnterprises',
      'itemVersions.publishedAt',
      elementJson(db, 'topics').as('topicsJson'),
      elementJson(db, 'promiseDay').as('promiseDayJson'),
      elementJson(db, 'promiseType').as('promiseTypeJson'),
      elementJson(db, 'isFee').as('isFeeJson'),
      elementJson(db, 'summary').as('summaryJson'),
    ])
    .execute()
}

type PublishedRow = Awaited<ReturnType<typeof selectPublished>>[number]

async function summarize(rows: PublishedRow[], departments: DepartmentDirectory): Promise<ItemSummary[]> {
  const out: ItemSummary[] = []
  for (const row of rows) {
    out.push({
      itemId: row.itemId,
      taskName: row.taskName,
      department: await departments.byId(row.departmentId),
      onlineDepth: Math.min(4, Math.max(1, Number(row.onlineDepth))) as OnlineDepth,
      forPersons: Number(row.forPersons) === 1,
      forEnterprises: Number(row.forEnterprises) === 1,
      topics: parseJson<string[]>(row.topicsJson, []),
      promiseDay: Number(parseJson<number>(row.promiseDayJson, 0)),
      promiseType: parseJson<string>(row.promiseTypeJson, '工作日'),
      projectType: row.projectType,
      isFee: parseJson<boolean>(row.isFeeJson, false) === true,
      summary: parseJson<string>(row.summaryJson, ''),
      version: Number(row.version),
      publishedAt: row.publishedAt,
    })
  }
  return out
}

function byName(a: ItemSummary, b: ItemSummary): number {
  return pinyinOrder.compare(a.taskName, b.taskName) || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0)
}

type SummaryRow = Omit<ItemSummary, 'department'> & { departmentId: string }

/**
 * The published items, parsed and in pinyin order, per database handle. A district's catalog
 * reaches thousands of items (5,000 in the benchmark) and reading, parsing and sorting all of
 * them took ~100 ms a call: every browse page and workbench inbox paid it (docs/performance.md).
 * The cache is checked on every call against one aggregate of the published versions (count,
 * latest publication and changes), so a publication, withdrawal or edit made by any node shows
 * at once; department names are looked up afresh each time.
 */
const publishedCache = new WeakMap<object, { key: string; rows: SummaryRow[] }>()

async function publishedKey(db: DbOrTrx): Promise<string> {
  // Two aggregates without a join: the published versions (an index on state, published_at and
  // updated_at answers it without reading the versions' elements) and the items (small rows). A
  // publication changes the latest published_at, a withdrawal the count of published versions,
  // a change of an item's current version its updated_at.
  const [versions, items] = await Promise.all([
    db
      .selectFrom('itemVersions')
      .where('state', '=', 'published')
      .select((eb) => [
        eb.fn.countAll().as('n'),
        eb.fn.max('publishedAt').as('published'),
        eb.fn.max('updatedAt').as('updated'),
      ])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('items')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('updatedAt').as('updated')])
      .executeTakeFirstOrThrow(),
  ])
  return `${versions.n}|${versions.published}|${versions.updated}|${items.n}|${items.updated}`
}

async function publishedRows(db: DbOrTrx): Promise<SummaryRow[]> {
  // Inside a transaction the caller may have changed the catalog: read it as it is there.
  const owner = db.isTransaction ? undefined : db.getExecutor()
  const key = owner ? await publishedKey(db) : ''
  const cached = owner ? publishedCache.get(owner) : undefined
  if (cached && cached.key === key) return cached.rows
  const placeholder: DepartmentDirectory = { byCode: new Map(), byId: async (id) => unknownDepartment(id) }
  const rows = await selectPublished(db)
  const departmentOf = new Map(rows.map((r) => [r.itemId, r.departmentId]))
  const summaries = (await summarize(rows, placeholder))
    .sort(byName)
    .map(({ department: _, ...rest }) => ({ ...rest, departmentId: departmentOf.get(rest.itemId)! }))
  if (owner) publishedCache.set(owner, { key, rows: summaries })
  return summaries
}

/**
 * The version of what the public guide and search pages show (catalog.freshness.ts): the
 * published versions and items (as for the list above), the active departments (their names
 * are shown) and the synonym table (search), read at most once a second per process, with this
 * process's own publications and withdrawals counted at once.
 */
export function catalogVersion(db: Db): Promise<string> {
  return freshVersion(db, async (from) => {
    const [published, departments, synonyms] = await Promise.all([
      publishedKey(from),
      listDepartmentInfos(from),
      synonymsVersion(from),
    ])
    const names = createHash('sha256').update(JSON.stringify(departments)).digest('base64url').slice(0, 16)
    return `${published}|${names}|${synonyms}`
  })
}

/** Every published item, in pinyin order of its name. */
export async function listPublishedSummaries(db: DbOrTrx): Promise<ItemSummary[]> {
  const [rows, departments] = await Promise.all([publishedRows(db), departmentDirectory(db)])
  const out: ItemSummary[] = []
  for (const { departmentId, ...row } of rows) out.push({ ...row, department: await departments.byId(departmentId) })
  return out
}

/** The published items among these ids, keyed by id (ids not published are left out). */
export async function findSummaries(db: DbOrTrx, itemIds: string[]): Promise<Map<string, ItemSummary>> {
  const unique = [...new Set(itemIds)]
  const [rows, departments] = await Promise.all([selectPublished(db, { itemIds: unique }), departmentDirectory(db)])
  return new Map((await summarize(rows, departments)).map((s) => [s.itemId, s]))
}

function fitsAudience(item: ItemSummary, audience: Audience | undefined): boolean {
  if (audience === 'person') return item.forPersons
  if (audience === 'enterprise') return item.forEnterprises
  return true
}

// ---------------------------------------------------------------------------------------------
// Browsing

export interface BrowseFilters {
  audience?: Audience
  department?: string
  topic?: string
}

export interface CountedDepartment extends DepartmentRef {
  count: number
}

export interface CountedTopic {
  code: string
  name: string
  audience: Audience
  count: number
}

export interface BrowseResult {
  filters: BrowseFilters
  /** The department asked for, when it exists. */
  department: DepartmentRef | undefined
  /** The topic asked for, when it exists. */
  topic: CountedTopic | undefined
  items: ItemSummary[]
  total: number
  page: number
  pageSize: number
  pageCount: number
  /** Published items per audience (an item for both counts in both). */
  audiences: { all: number; person: number; enterprise: number }
  /** Departments with items for the chosen audience, in the district's display order. */
  departments: CountedDepartment[]
  /** Topics with items for the chosen audience, in their defined order. */
  topics: CountedTopic[]
}

export const BROWSE_PAGE_SIZE = 20

/**
 * Items by audience, department and topic, with the counts the browse page shows. The catalog
 * of a district is a few hundred items, so one query reads the light columns of all published
 * ones and the filtering, counting and paging happen here, in the same order on both databases.
 */
export async function browseItems(
  db: DbOrTrx,
  filters: BrowseFilters,
  page = 1,
  pageSize = BROWSE_PAGE_SIZE,
): Promise<BrowseResult> {
  const [all, departments] = await Promise.all([listPublishedSummaries(db), listDepartmentInfos(db)])
  const forAudience = all.filter((i) => fitsAudience(i, filters.audience))

  const perDepartment = new Map<string, number>()
  for (const item of forAudience)
    perDepartment.set(item.department.code, (perDepartment.get(item.department.code) ?? 0) + 1)
  const countedDepartments = departments
    .filter((d) => (perDepartment.get(d.code) ?? 0) > 0)
    .map((d) => ({ ...refOf(d), count: perDepartment.get(d.code) ?? 0 }))

  const topics = topicCounts(forAudience, filters.audience)
  const department = departments.find((d) => d.code === filters.department)
  const topic = topicCounts(all, undefined).find((t) => t.code === filters.topic)

  const matching = forAudience.filter(
    (i) =>
      (filters.department === undefined || i.department.code === filters.department) &&
      (filters.topic === undefined || i.topics.includes(filters.topic)),
  )
  const pageCount = Math.max(1, Math.ceil(matching.length / pageSize))
  const current = Math.max(1, Math.trunc(page))
  return {
    filters,
    department: department ? refOf(department) : undefined,
    topic,
    items: matching.slice((current - 1) * pageSize, current * pageSize),
    total: matching.length,
    page: current,
    pageSize,
    pageCount,
    audiences: {
      all: all.length,
      person: all.filter((i) => i.forPersons).length,
      enterprise: all.filter((i) => i.forEnterprises).length,
    },
    departments: countedDepartments,
    topics,
  }
}

/** Topics with at least one item, persons' first then enterprises', in their defined order. */
function topicCounts(items: ItemSummary[], audience: Audience | undefined): CountedTopic[] {
  const counts = new Map<string, number>()
  for (const item of items) for (const t of new Set(item.topics)) counts.set(t, (counts.get(t) ?? 0) + 1)
  const groups: [Audience, Record<string, string>][] = [
    ['person', PERSON_TOPICS],
    ['enterprise', ENTERPRISE_TOPICS],
  ]
  return groups
    .filter(([a]) => !audience || a === audience)
    .flatMap(([a, names]) =>
      Object.entries(names).map(([code, name]) => ({ code, name, audience: a, count: counts.get(code) ?? 0 })),
    )
    .filter((t) => t.count > 0)
}

// ---------------------------------------------------------------------------------------------
// Guides and versions

export interface VersionInfo {
  versionId: string
  version: number
  state: PublicVersionState
  changeNote: string | null
  publishedAt: string | null
  effectiveFrom: string | null
  supersededAt: string | null
  withdrawnAt: string | null
  withdrawnReason: string | null
}

/** One published (or once published) version of an item with everything its guide shows. */
export interface Guide extends VersionInfo {
  itemId: string
  taskCode: string
  catalogCode: string
  elements: ItemElements
  department: DepartmentRef
  /** 联办机构 by name; a code no longer known is shown as it is. */
  jointDepartments: DepartmentRef[]
  /** The item's current version number (the published one, or the withdrawn one) and its state. */
  currentVersion: number
  currentState: PublicVersionState
}

export type GuideLookup =
  | { kind: 'published'; guide: Guide }
  | { kind: 'withdrawn'; guide: Guide }
  | { kind: 'missing' }

const versionColumns = [
  'itemVersions.id as versionId',
  'itemVersions.itemId',
  'itemVersions.version',
  'itemVersions.state',
  'itemVersions.elements',
  'itemVersions.changeNote',
  'itemVersions.publishedAt',
  'itemVersions.effectiveFrom',
  'itemVersions.supersededAt',
  'itemVersions.withdrawnAt',
  'itemVersions.withdrawnReason',
] as const

function findPublicVersionRow(db: DbOrTrx, where: { id: string } | { itemId: string; version: number }) {
  let query = db.selectFrom('itemVersions').select(versionColumns).where('itemVersions.state', 'in', PUBLIC_STATES)
  query =
    'id' in where
      ? query.where('itemVersions.id', '=', where.id)
      : query.where('itemVersions.itemId', '=', where.itemId).where('itemVersions.version', '=', where.version)
  return query.executeTakeFirst()
}

type VersionRow = NonNullable<Awaited<ReturnType<typeof findPublicVersionRow>>>

function versionInfo(row: Omit<VersionRow, 'elements' | 'itemId'>): VersionInfo {
  return {
    versionId: row.versionId,
    version: Number(row.version),
    state: row.state as PublicVersionState,
    changeNote: row.changeNote,
    publishedAt: row.publishedAt,
    effectiveFrom: row.effectiveFrom,
    supersededAt: row.supersededAt,
    withdrawnAt: row.withdrawnAt,
    withdrawnReason: row.withdrawnReason,
  }
}

async function guideOf(
  db: DbOrTrx,
  item: { id: string; departmentId: string; taskCode: string; catalogCode: string },
  row: VersionRow,
  current: Pick<VersionRow, 'version' | 'state'>,
): Promise<Guide> {
  const directory = await departmentDirectory(db)
  const elements = JSON.parse(row.elements) as ItemElements
  return {
    ...versionInfo(row),
    itemId: item.id,
    taskCode: item.taskCode,
    catalogCode: item.catalogCode,
    elements,
    department: await directory.byId(item.departmentId),
    jointDepartments: elements.otherDept.map((code) => {
      const d = directory.byCode.get(code)
      return d ? refOf(d) : { code, name: code, shortName: code, creditCode: null }
    }),
    currentVersion: Number(current.version),
    currentState: current.state as PublicVersionState,
  }
}

/**
 * The guide of an item as the public sees it: its published version, or the withdrawn one
 * (shown as withdrawn), or missing when the item does not exist or was never published.
 */
/** The items whose current version is published (the guides people can read), in id order. */
export async function publishedItemIds(db: DbOrTrx): Promise<string[]> {
  const rows = await db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select('items.id')
    .where('itemVersions.state', '=', 'published')
    .orderBy('items.id')
    .execute()
  return rows.map((r) => r.id)
}

export async function findGuide(db: DbOrTrx, itemId: string): Promise<GuideLookup> {
  const item = await findItem(db, itemId)
  if (!item?.currentVersionId) return { kind: 'missing' }
  const row = await findPublicVersionRow(db, { id: item.currentVersionId })
  if (!row) return { kind: 'missing' }
  const guide = await guideOf(db, item, row, row)
  if (row.state === 'published') return { kind: 'published', guide }
  if (row.state === 'withdrawn') return { kind: 'withdrawn', guide }
  return { kind: 'missing' }
}

/** One version of an item that was published once; undefined for drafts and unknown numbers. */
export async function findPublicVersion(db: DbOrTrx, itemId: string, version: number): Promise<Guide | undefined> {
  const item = await findItem(db, itemId)
  if (!item?.currentVersionId) return undefined
  const [row, current] = await Promise.all([
    findPublicVersionRow(db, { itemId, version }),
    findPublicVersionRow(db, { id: item.currentVersionId }),
  ])
  if (!row || !current) return undefined
  return guideOf(db, item, row, current)
}

export interface VersionHistory {
  itemId: string
  taskName: string
  department: DepartmentRef
  /** The version the guide shows now; undefined when the item was withdrawn. */
  publishedVersion: number | undefined
  withdrawn: boolean
  /** Newest first. */
  versions: (VersionInfo & { taskName: string })[]
}

/** The versions of an item that were published, newest first; undefined when there are none. */
export async function findVersionHistory(db: DbOrTrx, itemId: string): Promise<VersionHistory | undefined> {
  const item = await findItem(db, itemId)
  if (!item?.currentVersionId) return undefined
  const rows = await db
    .selectFrom('itemVersions')
    .select([
      'itemVersions.id as versionId',
      'itemVersions.version',
      'itemVersions.state',
      'itemVersions.taskName',
      'itemVersions.changeNote',
      'itemVersions.publishedAt',
      'itemVersions.effectiveFrom',
      'itemVersions.supersededAt',
      'itemVersions.withdrawnAt',
      'itemVersions.withdrawnReason',
    ])
    .where('itemVersions.itemId', '=', itemId)
    .where('itemVersions.state', 'in', PUBLIC_STATES)
    .orderBy('itemVersions.version', 'desc')
    .execute()
  const newest = rows[0]
  if (!newest) return undefined
  const directory = await departmentDirectory(db)
  const published = rows.find((r) => r.state === 'published')
  return {
    itemId,
    taskName: (published ?? newest).taskName,
    department: await directory.byId(item.departmentId),
    publishedVersion: published ? Number(published.version) : undefined,
    withdrawn: !published && newest.state === 'withdrawn',
    versions: rows.map((r) => ({ ...versionInfo(r), taskName: r.taskName })),
  }
}

/** What a guide offers to download, by hash: blank forms, samples and the result sample. */
export interface GuideFile extends ItemFile {
  /** 空白表格 / 示例样表 / 结果样本 */
  role: 'blank_form' | 'sample' | 'result_sample'
  /** The material it belongs to (absent for the result sample). */
  materialName?: string
}

export function guideFiles(elements: ItemElements): GuideFile[] {
  const files: GuideFile[] = []
  for (const m of elements.materials) {
    if (m.blankForm) files.push({ ...m.blankForm, role: 'blank_form', materialName: m.materialName })
    if (m.sampleFile) files.push({ ...m.sampleFile, role: 'sample', materialName: m.materialName })
  }
  if (elements.resultSample) files.push({ ...elements.resultSample, role: 'result_sample' })
  return files
}

/**
 * A file the item's published version offers, by its hash; undefined for any other hash
 * (another item's file, an old version's, anything else in the store), so the download route
 * never serves a stored file it was not meant to.
 */
export async function findPublishedFile(db: DbOrTrx, itemId: string, sha256: string): Promise<GuideFile | undefined> {
  const found = await findGuide(db, itemId)
  if (found.kind !== 'published') return undefined
  return guideFiles(found.guide.elements).find((f) => f.sha256 === sha256)
}

// ---------------------------------------------------------------------------------------------
// Search

export interface SearchFilters {
  audience?: Audience
  department?: string
  topic?: string
}

export interface ItemHit {
  item: ItemSummary
  title: HighlightSegment[]
  snippet: HighlightSegment[]
}

export interface FacetCount {
  value: string
  label: string
  count: number
}

export interface ItemSearchResult {
  query: string
  filters: SearchFilters
  total: number
  matched: SearchResult['matched']
  hits: ItemHit[]
  page: number
  pageSize: number
  pageCount: number
  /** More matched than the ranked list holds: only the first SEARCH_WINDOW can be paged through. */
  truncated: boolean
  /** How the ranked results split, to narrow them down. Exact unless truncated. */
  facets: { audience: FacetCount[]; department: FacetCount[]; topic: FacetCount[] }
}

/** The ranked results a search page can reach; facets are counted over them. */
export const SEARCH_WINDOW = 100
export const SEARCH_PAGE_SIZE = 10
/** Longer queries are cut: nobody types more to find a service. */
export const MAX_QUERY_LENGTH = 100

export function cleanQuery(q: string | undefined): string {
  return Array.from((q ?? '').replace(/\s+/g, ' ').trim())
    .slice(0, MAX_QUERY_LENGTH)
    .join('')
    .trim()
}

const AUDIENCE_LABELS: Record<Audience, string> = { person: '个人办事', enterprise: '法人办事' }

/**
 * Searches published items with the shared search (synonyms, pinyin initials, AND then OR) and
 * joins each hit with what a result line shows. Filters narrow the search itself, so the
 * all-words / some-words decision holds for what is shown.
 */
export async function searchItems(
  db: DbOrTrx,
  rawQuery: string,
  filters: SearchFilters,
  page = 1,
  pageSize = SEARCH_PAGE_SIZE,
): Promise<ItemSearchResult> {
  const query = cleanQuery(rawQuery)
  const facets: Record<string, string> = {}
  if (filters.audience) facets.audience = filters.audience
  if (filters.department) facets.department = filters.department
  if (filters.topic) facets.topic = filters.topic
  const empty: ItemSearchResult = {
    query,
    filters,
    total: 0,
    matched: 'none',
    hits: [],
    page: 1,
    pageSize,
    pageCount: 1,
    truncated: false,
    facets: { audience: [], department: [], topic: [] },
  }
  if (!query) return empty
  const result = await search(db, query, { kind: SEARCH_KIND, facets, limit: SEARCH_WINDOW })
  if (result.hits.length === 0) return { ...empty, matched: result.matched }
  const summaries = await findSummaries(
    db,
    result.hits.map((h) => h.refId),
  )
  // A hit whose item is no longer published (the index is being updated) is left out.
  const hits = result.hits.flatMap((h) => {
    const item = summaries.get(h.refId)
    return item ? [{ item, title: h.highlights.title, snippet: h.highlights.body }] : []
  })
  const truncated = result.total > result.hits.length
  const total = truncated ? result.total : hits.length
  const pageCount = Math.max(1, Math.ceil(hits.length / pageSize))
  const current = Math.max(1, Math.trunc(page))
  return {
    query,
    filters,
    total,
    matched: result.matched,
    hits: hits.slice((current - 1) * pageSize, current * pageSize),
    page: current,
    pageSize,
    pageCount,
    truncated,
    facets: facetCounts(hits.map((h) => h.item)),
  }
}

function facetCounts(items: ItemSummary[]): ItemSearchResult['facets'] {
  const count = <K extends string>(keys: (item: ItemSummary) => K[]) => {
    const counts = new Map<K, number>()
    for (const item of items) for (const key of new Set(keys(item))) counts.set(key, (counts.get(key) ?? 0) + 1)
    return counts
  }
  const audiences = count<Audience>((i) => [
    ...(i.forPersons ? (['person'] as const) : []),
    ...(i.forEnterprises ? (['enterprise'] as const) : []),
  ])
  const departments = new Map<string, DepartmentRef>(items.map((i) => [i.department.code, i.department]))
  const departmentCounts = count((i) => [i.department.code])
  const topicCountsMap = count((i) => i.topics)
  const byCount = (a: FacetCount, b: FacetCount) => b.count - a.count || pinyinOrder.compare(a.label, b.label)
  return {
    audience: (['person', 'enterprise'] as const)
      .filter((a) => audiences.has(a))
      .map((a) => ({ value: a, label: AUDIENCE_LABELS[a], count: audiences.get(a) ?? 0 })),
    department: [...departmentCounts]
      .map(([code, n]) => ({ value: code, label: departments.get(code)?.shortName ?? code, count: n }))
      .sort(byCount),
    topic: [...topicCountsMap]
      .filter(([code]) => TOPIC_NAMES[code])
      .map(([code, n]) => ({ value: code, label: TOPIC_NAMES[code] ?? code, count: n }))
      .sort(byCount),
  }
}

export interface ItemSuggestion {
  itemId: string
  title: string
}

/**
 * Type-ahead: item names starting with what was typed (or whose pinyin initials do) first; then,
 * so that everyday words work too (社保 → 社会保障卡申领), the best search hits: those whose name
 * matches (through synonyms), or when no name does, the few that rank close to the best.
 */
export async function suggestItems(db: DbOrTrx, rawQuery: string, limit = 8): Promise<ItemSuggestion[]> {
  const query = cleanQuery(rawQuery)
  if (!query) return []
  const byPrefix = await suggest(db, query, { kind: SEARCH_KIND, limit })
  const out = byPrefix.map((s) => ({ itemId: s.refId, title: s.title }))
  if (out.length >= limit) return out
  const found = await search(db, query, { kind: SEARCH_KIND, limit })
  if (found.matched !== 'all') return out
  const inTitle = found.hits.filter((h) => h.highlights.title.some((s) => s.match))
  const best = found.hits[0]?.score ?? 0
  const near = inTitle.length > 0 ? inTitle : found.hits.filter((h) => h.score >= best * CLOSE_TO_BEST).slice(0, 3)
  for (const hit of near) {
    if (out.length >= limit) break
    if (!out.some((s) => s.itemId === hit.refId)) out.push({ itemId: hit.refId, title: hit.title })
  }
  return out
}

/** Hits scoring at least this share of the best one are offered when no name matches. */
const CLOSE_TO_BEST = 0.8

// ---------------------------------------------------------------------------------------------
// "一件事" themes

export interface ThemeSummary {
  code: string
  name: string
  summary: string
  serverType: ThemeDefinition['serverType']
  questionCount: number
  itemCount: number
}

/** Published themes in their display order. */
export async function listPublicThemes(db: DbOrTrx): Promise<ThemeSummary[]> {
  const rows = await listThemes(db)
  return rows.map((row) => {
    const definition = parseJson<ThemeDefinition | undefined>(row.definition, undefined)
    return {
      code: row.code,
      name: row.name,
      summary: row.summary,
      serverType: definition?.serverType ?? '自然人',
      questionCount: definition?.questions.length ?? 0,
      itemCount: definition?.items.length ?? 0,
    }
  })
}

/** A published theme's definition; undefined for unknown, draft or withdrawn themes. */
export async function findPublicTheme(db: DbOrTrx, code: string): Promise<ThemeDefinition | undefined> {
  const row = await findThemeByCode(db, code)
  if (row?.state !== 'published') return undefined
  const definition = parseJson<ThemeDefinition | undefined>(row.definition, undefined)
  return definition ? { ...definition, code: row.code, name: row.name, summary: row.summary } : undefined
}

export interface ThemeItem {
  ref: ThemeItemRef
  item: ItemSummary
}

export interface ThemeOutcome {
  theme: ThemeDefinition
  /** The answers given that are options of their question. */
  answers: Record<string, string>
  unanswered: ThemeQuestion[]
  complete: boolean
  /** The items that apply to the answers given, in the theme's order (published ones only). */
  items: ThemeItem[]
}

/**
 * Which items of a theme apply to these answers. Item references resolve by department code and
 * basic code to the implementation code (department credit code + catalogCode).
 */
export async function resolveTheme(db: DbOrTrx, theme: ThemeDefinition, given: ThemeAnswers): Promise<ThemeOutcome> {
  const answers: Record<string, string> = {}
  for (const q of theme.questions) {
    const value = given[q.code]
    if (value !== undefined && q.options.some((o) => o.value === value)) answers[q.code] = value
  }
  const unanswered = unansweredQuestions(theme, answers)
  const refs = applicableItems(theme, answers)
  const directory = await departmentDirectory(db)
  const codeOf = (ref: ThemeItemRef) => {
    const department = directory.byCode.get(ref.departmentCode)
    return department ? implementationCode(department, ref) : ''
  }
  const wanted = refs.map(codeOf).filter(Boolean)
  const rows = await selectPublished(db, { taskCodes: [...new Set(wanted)] })
  const summaries = await summarize(rows, directory)
  const byTaskCode = new Map(rows.map((r, i) => [r.taskCode, summaries[i]!]))
  const items = refs.flatMap((ref) => {
    const item = byTaskCode.get(codeOf(ref))
    return item ? [{ ref, item }] : []
  })
  return { theme, answers, unanswered, complete: unanswered.length === 0, items }
}

// ---------------------------------------------------------------------------------------------
// Home page

/**
 * 热门事项 until application statistics exist: the items people ask for most at the district's
 * service centre, by name; the rest of the eight are filled with items done wholly online.
 */
export const POPULAR_ITEM_NAMES = [
  '居民身份证换领',
  '社会保障卡申领',
  '食品经营许可',
  '个体工商户设立登记',
  '企业设立登记',
  '出生登记',
  '异地就医备案',
  '不动产登记',
]

export interface HomeCatalog {
  personTopics: CountedTopic[]
  enterpriseTopics: CountedTopic[]
  themes: ThemeSummary[]
  popular: ItemSummary[]
}

export async function homeCatalog(db: DbOrTrx, popularCount = 8): Promise<HomeCatalog> {
  const [all, themes] = await Promise.all([listPublishedSummaries(db), listPublicThemes(db)])
  const topics = topicCounts(all, undefined)
  const named = POPULAR_ITEM_NAMES.flatMap((name) => all.filter((i) => i.taskName === name))
  const online = all.filter((i) => i.onlineDepth === 4 && !named.includes(i))
  return {
    personTopics: topics.filter((t) => t.audience === 'person'),
    enterpriseTopics: topics.filter((t) => t.audience === 'enterprise'),
    themes,
    popular: [...named, ...online].slice(0, popularCount),
  }
}

// ---------------------------------------------------------------------------------------------
// Errors of the public side

export const themeNotFound = () => new DomainError('THEME_NOT_FOUND', 'not_found', '找不到这个「一件事」主题。')

export const ITEM_WITHDRAWN_MESSAGE = '该事项已撤销，停止办理。如有疑问，请拨打 12345 政务服务便民热线咨询。'

/**
 * The guide of the published item with this catalog code (基本目录编码), e.g. the item that renews
 * a license; the first by department when several departments implement it.
 */
export async function findGuideByCatalogCode(
  db: DbOrTrx,
  catalogCode: string,
): Promise<{ itemId: string; taskName: string; href: string } | undefined> {
  const row = await db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.taskName'])
    .where('items.catalogCode', '=', catalogCode)
    .where('items.withdrawnAt', 'is', null)
    .where('itemVersions.state', '=', 'published')
    .orderBy('items.departmentId')
    .orderBy('items.id')
    .executeTakeFirst()
  return row ? { itemId: row.id, taskName: row.taskName, href: `/services/${row.id}` } : undefined
}
