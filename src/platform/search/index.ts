/** The shared Chinese full-text search (ARCHITECTURE.md §3): feed documents, query them. */

export {
  CANDIDATE_LIMIT,
  type FacetFilter,
  type HighlightSegment,
  indexDocument,
  reindexAll,
  removeDocument,
  type SearchDocumentInput,
  type SearchHit,
  type SearchOptions,
  type SearchResult,
  type Suggestion,
  search,
  suggest,
} from './search.js'
export { addSynonyms, STARTER_SYNONYMS, seedSynonyms, synonymsVersion } from './search.synonyms.js'
export type { SearchDocumentTable, SearchSynonymTable } from './search.tables.js'
export { normalize, pinyinInitials, queryWords, tokenize } from './search.text.js'
