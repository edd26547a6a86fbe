import type { ColumnType, Generated } from 'kysely'

/** One searchable record of some module (a service item, a policy, a disclosure …). */
export interface SearchDocumentTable {
  id: string
  /** What the record is, e.g. 'item'; with refId it names the record (unique). */
  kind: string
  /** The record's id in the module that owns it. */
  refId: string
  title: string
  body: Generated<string>
  /** Space-separated tokens of the title, including its pinyin-initial tokens. */
  titleTokens: Generated<string>
  /** Space-separated tokens of the body, in order, repeated as often as they occur. */
  bodyTokens: Generated<string>
  /** Pinyin initials of the whole title ('spjyxk' for 食品经营许可). */
  titleInitials: Generated<string>
  /** Popularity or importance; only a small tie-breaker in ranking. */
  boost: Generated<number>
  /** JSON object of filterable values, e.g. {"department":"市场监管局","audience":["法人"]}. */
  facets: Generated<string>
  updatedAt: ColumnType<string, string | undefined, string>
  /** SQLite only (the column does not exist on PostgreSQL): the row's rowid in `search_fts`. */
  ftsRowid: ColumnType<number | null, number | null | undefined, number | null>
}

/** A search term and one of its synonyms: a query containing `term` also looks for `synonym`. */
export interface SearchSynonymTable {
  term: string
  synonym: string
  updatedAt: ColumnType<string, string | undefined, string>
}

declare module '../db/schema.js' {
  interface Database {
    searchDocuments: SearchDocumentTable
    searchSynonyms: SearchSynonymTable
  }
}
