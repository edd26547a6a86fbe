/**
 * The shared Chinese full-text search: any module feeds documents (indexDocument, reindexAll),
 * everyone queries them (search, suggest).
 *
 * Retrieval uses each database's full-text index (SQLite FTS5 / PostgreSQL tsvector + GIN) to
 * find the candidates; ranking happens in TypeScript (search.rank.ts) so that both databases
 * give exactly the same order.
 */
import { type RawBuilder, sql } from 'kysely'
import { type DbOrTrx, dialectOf } from '../db/database.js'
import { newId } from '../ids.js'
import {
  fts5Expression,
  type Group,
  type MatchMode,
  parseQuery,
  suggestGroups,
  type Term,
  tsqueryExpression,
} from './search.query.js'
import { type Candidate, rankCandidates } from './search.rank.js'
import { codeUnitOrder } from './search.synonyms.js'
import { bodyTokens, compact, pinyinInitials, titleTokens } from './search.text.js'

/** What a module hands to the index. */
export interface SearchDocumentInput {
  kind: string
  refId: string
  title: string
  body?: string
  /** Popularity or importance (≥ 0); only breaks near-ties. */
  boost?: number
  /** Filterable values: a string or a list of strings per key, e.g. { department: '市场监管局' }. */
  facets?: Record<string, string | string[]>
  /** When the source record last changed; the database's clock when left out. */
  updatedAt?: Date | string
}

/** Filters: every key must match (the document's value equals, or its list contains, one given). */
export type FacetFilter = Record<string, string | string[]>

export interface SearchOptions {
  kind?: string | string[]
  facets?: FacetFilter
  /** 1 … 100, default 20. */
  limit?: number
  offset?: number
}

/** A piece of highlighted text: render `match` pieces as <mark>. */
export interface HighlightSegment {
  text: string
  match: boolean
}

export interface SearchHit {
  kind: string
  refId: string
  title: string
  score: number
  highlights: { title: HighlightSegment[]; body: HighlightSegment[] }
}

export interface SearchResult {
  /** Documents that match; the ranked list holds at most the first CANDIDATE_LIMIT of them. */
  total: number
  /** 'all': every query word matched; 'any': nothing matched all of them, these match some. */
  matched: MatchMode | 'none'
  hits: SearchHit[]
}

export interface Suggestion {
  kind: string
  refId: string
  title: string
}

/**
 * Candidates ranked per query. When more documents match, those matching in the title come
 * first, each tier taken by boost then (kind, refId), the same on both databases.
 */
export const CANDIDATE_LIMIT = 2000
const SUGGEST_CANDIDATES = 200
const FACET_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/

function nowExpression(db: DbOrTrx): RawBuilder<string> {
  return dialectOf(db) === 'postgres' ? sql`now()` : sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`
}

function inTransaction<T>(db: DbOrTrx, work: (trx: DbOrTrx) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work)
}

/**
 * Adds a document to the index or replaces the one with the same kind and refId.
 * Throws when kind, refId or title is empty (a programming error, not a user's).
 */
export async function indexDocument(db: DbOrTrx, doc: SearchDocumentInput): Promise<void> {
  // PostgreSQL text cannot hold NUL; it carries no meaning in a title or body anyway.
  const title = doc.title.replaceAll('\u0000', '')
  const body = (doc.body ?? '').replaceAll('\u0000', '')
  if (!doc.kind || !doc.refId || !title.trim()) throw new Error('search document needs kind, refId and title')
  const initials = pinyinInitials(title)
  const row = {
    title,
    body,
    titleTokens: titleTokens(title, initials).join(' '),
    bodyTokens: bodyTokens(body).join(' '),
    titleInitials: initials,
    boost: Number.isFinite(doc.boost) ? Math.max(0, doc.boost!) : 0,
    facets: JSON.stringify(doc.facets ?? {}),
  }
  const updatedAt = doc.updatedAt === undefined ? nowExpression(db) : new Date(doc.updatedAt).toISOString()

  if (dialectOf(db) === 'postgres') {
    await db
      .insertInto('searchDocuments')
      .values({ id: newId(), kind: doc.kind, refId: doc.refId, ...row, updatedAt })
      .onConflict((oc) => oc.columns(['kind', 'refId']).doUpdateSet({ ...row, updatedAt }))
      .execute()
    return
  }
  await inTransaction(db, async (trx) => {
    const existing = await trx
      .selectFrom('searchDocuments')
      .select(['id', 'ftsRowid'])
      .where('kind', '=', doc.kind)
      .where('refId', '=', doc.refId)
      .executeTakeFirst()
    if (existing?.ftsRowid != null) await sql`delete from search_fts where rowid = ${existing.ftsRowid}`.execute(trx)
    const inserted = await sql`insert into search_fts (rowid, title_tokens, body_tokens)
      values (${existing?.ftsRowid ?? null}, ${row.titleTokens}, ${row.bodyTokens})`.execute(trx)
    const ftsRowid = Number(inserted.insertId)
    if (existing) {
      await trx
        .updateTable('searchDocuments')
        .set({ ...row, updatedAt, ftsRowid })
        .where('id', '=', existing.id)
        .execute()
    } else {
      await trx
        .insertInto('searchDocuments')
        .values({ id: newId(), kind: doc.kind, refId: doc.refId, ...row, updatedAt, ftsRowid })
        .execute()
    }
  })
}

/** Takes a document out of the index. Returns false when it was not there. */
export async function removeDocument(db: DbOrTrx, kind: string, refId: string): Promise<boolean> {
  if (dialectOf(db) === 'postgres') {
    const removed = await db
      .deleteFrom('searchDocuments')
      .where('kind', '=', kind)
      .where('refId', '=', refId)
      .executeTakeFirst()
    return Number(removed.numDeletedRows) > 0
  }
  return inTransaction(db, async (trx) => {
    const removed = await trx
      .deleteFrom('searchDocuments')
      .where('kind', '=', kind)
      .where('refId', '=', refId)
      .returning('ftsRowid')
      .executeTakeFirst()
    if (!removed) return false
    if (removed.ftsRowid != null) await sql`delete from search_fts where rowid = ${removed.ftsRowid}`.execute(trx)
    return true
  })
}

/**
 * Makes the index for one kind hold exactly the given documents: each is indexed, and documents
 * of that kind not among them are removed. For a module's rebuild command and after imports.
 */
export async function reindexAll(
  db: DbOrTrx,
  kind: string,
  documents: Iterable<Omit<SearchDocumentInput, 'kind'>> | AsyncIterable<Omit<SearchDocumentInput, 'kind'>>,
): Promise<{ indexed: number; removed: number }> {
  return inTransaction(db, async (trx) => {
    const seen = new Set<string>()
    for await (const doc of documents) {
      await indexDocument(trx, { ...doc, kind })
      seen.add(doc.refId)
    }
    const stored = await trx.selectFrom('searchDocuments').select('refId').where('kind', '=', kind).execute()
    let removed = 0
    for (const { refId } of stored) {
      if (!seen.has(refId) && (await removeDocument(trx, kind, refId))) removed += 1
    }
    return { indexed: seen.size, removed }
  })
}

function clamp(value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback
  return Math.min(max, Math.max(min, Math.trunc(value)))
}

interface Filters {
  kind?: string | string[] | undefined
  facets?: FacetFilter | undefined
}

function filterConditions(db: DbOrTrx, filters: Filters): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = []
  const kinds = filters.kind === undefined ? [] : [filters.kind].flat()
  if (filters.kind !== undefined) {
    if (kinds.length === 0) conditions.push(sql`1 = 0`)
    else conditions.push(sql`d.kind in (${sql.join(kinds)})`)
  }
  const pg = dialectOf(db) === 'postgres'
  for (const [key, wanted] of Object.entries(filters.facets ?? {})) {
    if (!FACET_KEY.test(key)) throw new Error(`search facet name not allowed: ${key}`)
    const values = [wanted].flat().filter((v): v is string => typeof v === 'string')
    if (values.length === 0) {
      conditions.push(sql`1 = 0`)
    } else if (pg) {
      const tests = values.map(
        (v) =>
          sql`(d.facets @> ${JSON.stringify({ [key]: v })}::jsonb or d.facets @> ${JSON.stringify({ [key]: [v] })}::jsonb)`,
      )
      conditions.push(sql`(${sql.join(tests, sql` or `)})`)
    } else {
      // json_each over a scalar yields the scalar itself, over an array its elements.
      conditions.push(
        sql`exists (select 1 from json_each(d.facets, ${`$."${key}"`}) where value in (${sql.join(values)}))`,
      )
    }
  }
  return conditions
}

type Scope = 'any' | 'title' | 'body-only'

function matchCondition(db: DbOrTrx, groups: Group[], mode: MatchMode, scope: Scope): RawBuilder<unknown> {
  if (dialectOf(db) === 'postgres') {
    const expression =
      scope === 'body-only'
        ? `${tsqueryExpression(groups, mode, 'any')} & !${tsqueryExpression(groups, mode, 'title')}`
        : tsqueryExpression(groups, mode, scope)
    return sql`d.tsv @@ ${expression}::tsquery`
  }
  const expression =
    scope === 'body-only'
      ? `${fts5Expression(groups, mode, 'any')} NOT ${fts5Expression(groups, mode, 'title')}`
      : fts5Expression(groups, mode, scope)
  return sql`d.fts_rowid in (select rowid from search_fts where search_fts match ${expression})`
}

function where(conditions: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return sql.join(conditions, sql` and `)
}

/** Both databases order the cut-off the same way: bytewise, not by a locale's collation. */
function cutoffOrder(db: DbOrTrx): RawBuilder<unknown> {
  return dialectOf(db) === 'postgres'
    ? sql`d.boost desc, d.kind collate "C", d.ref_id collate "C"`
    : sql`d.boost desc, d.kind, d.ref_id`
}

async function selectCandidates(db: DbOrTrx, conditions: RawBuilder<unknown>[], limit: number): Promise<Candidate[]> {
  if (limit <= 0) return []
  const result = await sql<Candidate>`
    select d.id, d.kind, d.ref_id, d.title, d.title_tokens, d.body_tokens, d.title_initials, d.boost
    from search_documents d
    where ${where(conditions)}
    order by ${cutoffOrder(db)}
    limit ${limit}`.execute(db)
  return result.rows.map((r) => ({ ...r, boost: Number(r.boost) }))
}

async function countMatches(db: DbOrTrx, conditions: RawBuilder<unknown>[]): Promise<number> {
  const result = await sql<{
    n: number
  }>`select count(*) as n from search_documents d where ${where(conditions)}`.execute(db)
  return Number(result.rows[0]?.n ?? 0)
}

async function findCandidates(
  db: DbOrTrx,
  groups: Group[],
  mode: MatchMode,
  filters: Filters,
): Promise<{ total: number; candidates: Candidate[] }> {
  const base = filterConditions(db, filters)
  // Title matches first: when more than CANDIDATE_LIMIT documents match, the likely best stay in.
  const inTitle = await selectCandidates(db, [matchCondition(db, groups, mode, 'title'), ...base], CANDIDATE_LIMIT + 1)
  const room = CANDIDATE_LIMIT - Math.min(inTitle.length, CANDIDATE_LIMIT)
  const elsewhere = await selectCandidates(db, [matchCondition(db, groups, mode, 'body-only'), ...base], room + 1)
  const capped = inTitle.length > CANDIDATE_LIMIT || elsewhere.length > room
  const candidates = [...inTitle.slice(0, CANDIDATE_LIMIT), ...elsewhere.slice(0, room)]
  const total = capped ? await countMatches(db, [matchCondition(db, groups, mode, 'any'), ...base]) : candidates.length
  return { total, candidates }
}

/**
 * Searches the index. The query is segmented, each word widened with its synonyms, and matched
 * with AND across words, falling back to OR when nothing matches all of them (我想开饭店要什么材料).
 * Never throws on what a person may type: operators, quotes and punctuation are not syntax here.
 */
export async function search(db: DbOrTrx, query: string, options: SearchOptions = {}): Promise<SearchResult> {
  const limit = clamp(options.limit, 1, 100, 20)
  const offset = clamp(options.offset, 0, CANDIDATE_LIMIT, 0)
  const parsed = await parseQuery(db, query)
  if (parsed.groups.length === 0) return { total: 0, matched: 'none', hits: [] }
  const filters = { kind: options.kind, facets: options.facets }

  let mode: MatchMode = 'all'
  let found = await findCandidates(db, parsed.groups, mode, filters)
  if (found.total === 0 && parsed.groups.length > 1) {
    mode = 'any'
    found = await findCandidates(db, parsed.groups, mode, filters)
  }
  if (found.total === 0) return { total: 0, matched: 'none', hits: [] }

  const page = rankCandidates(found.candidates, parsed).slice(offset, offset + limit)
  const bodies = new Map<string, string>()
  if (page.length > 0) {
    const rows = await db
      .selectFrom('searchDocuments')
      .select(['id', 'body'])
      .where(
        'id',
        'in',
        page.map((r) => r.candidate.id),
      )
      .execute()
    for (const row of rows) bodies.set(row.id, row.body)
  }
  return {
    total: found.total,
    matched: mode,
    hits: page.map(({ candidate, score, matched }) => ({
      kind: candidate.kind,
      refId: candidate.refId,
      title: candidate.title,
      score: Math.round(score * 10_000) / 10_000,
      highlights: {
        title: highlight(candidate.title, matched),
        body: snippet(bodies.get(candidate.id) ?? '', matched),
      },
    })),
  }
}

/**
 * Type-ahead: titles whose words start with what was typed (the last word as a prefix; an ASCII
 * prefix also matches pinyin initials, 'spj' → 食品经营许可). Titles that begin with the text come
 * first, then titles whose initials do, then the rest; each by boost.
 */
export async function suggest(
  db: DbOrTrx,
  prefix: string,
  options: { kind?: string | string[]; limit?: number } = {},
): Promise<Suggestion[]> {
  const limit = clamp(options.limit, 1, 20, 8)
  const groups = suggestGroups(prefix)
  if (groups.length === 0) return []
  const conditions = [matchCondition(db, groups, 'all', 'title'), ...filterConditions(db, { kind: options.kind })]
  const rows = await selectCandidates(db, conditions, SUGGEST_CANDIDATES)
  const typed = compact(prefix)
  const tier = (c: Candidate) =>
    compact(c.title).startsWith(typed) ? 0 : /^[a-z]+$/.test(typed) && c.titleInitials.startsWith(typed) ? 1 : 2
  return rows
    .map((c) => ({ c, tier: tier(c), length: Array.from(c.title).length }))
    .sort(
      (a, b) =>
        a.tier - b.tier ||
        b.c.boost - a.c.boost ||
        a.length - b.length ||
        codeUnitOrder(a.c.title, b.c.title) ||
        codeUnitOrder(a.c.kind, b.c.kind) ||
        codeUnitOrder(a.c.refId, b.c.refId),
    )
    .slice(0, limit)
    .map(({ c }) => ({ kind: c.kind, refId: c.refId, title: c.title }))
}

/** Marks where the matched terms occur in a text (case-insensitive; NFKC-changed text is left plain). */
function marks(text: string, terms: Term[]): boolean[] | undefined {
  const lower = text.toLowerCase()
  if (lower.length !== text.length) return undefined
  const marked = new Array<boolean>(text.length).fill(false)
  const occurrences = (needle: string) => {
    const found: number[] = []
    for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + needle.length)) found.push(at)
    return found
  }
  const long = terms.filter((t) => t.text.length > 1)
  for (const term of long) for (const at of occurrences(term.text)) marked.fill(true, at, at + term.text.length)
  // A single character (卡 of 社会保障 + 卡) is marked where it touches a longer match, or
  // anywhere when nothing longer matched: 卡 alone all over a body is noise.
  const touching = long.length > 0 && marked.includes(true)
  for (const term of terms.filter((t) => t.text.length === 1)) {
    for (const at of occurrences(term.text)) {
      if (!touching || marked[at - 1] || marked[at + 1]) marked[at] = true
    }
  }
  return marked.includes(true) ? marked : undefined
}

function segments(text: string, marked: boolean[] | undefined, from = 0, to = text.length): HighlightSegment[] {
  const out: HighlightSegment[] = []
  for (let i = from; i < to; ) {
    const match = marked?.[i] ?? false
    let j = i + 1
    while (j < to && (marked?.[j] ?? false) === match) j += 1
    out.push({ text: text.slice(i, j), match })
    i = j
  }
  return out
}

function highlight(title: string, terms: Term[]): HighlightSegment[] {
  return segments(title, marks(title, terms))
}

const SNIPPET_BEFORE = 20
const SNIPPET_LENGTH = 80

/** A short piece of the body around the first matched term (or its start), with marks. */
function snippet(body: string, terms: Term[]): HighlightSegment[] {
  const text = body.replace(/\s+/g, ' ').trim()
  if (text === '') return []
  const marked = marks(text, terms)
  const first = marked ? marked.indexOf(true) : -1
  let from = Math.max(0, first - SNIPPET_BEFORE)
  // Do not cut a surrogate pair in half.
  if (from > 0 && /[\uDC00-\uDFFF]/.test(text[from]!)) from -= 1
  let to = Math.min(text.length, from + SNIPPET_LENGTH)
  if (to < text.length && /[\uDC00-\uDFFF]/.test(text[to]!)) to += 1
  const out = segments(text, marked, from, to)
  if (from > 0) out.unshift({ text: '…', match: false })
  if (to < text.length) out.push({ text: '…', match: false })
  return out
}
