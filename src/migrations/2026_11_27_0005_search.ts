import { type Kysely, sql } from 'kysely'
import { columnTypes, isPostgres, nowDefault } from './_columns.js'

/**
 * The shared full-text search index (platform/search).
 *
 * `search_documents` holds one row per searchable record of any module, with its text already
 * segmented into space-separated tokens (jieba words, lower-cased; the title also carries its
 * pinyin-initial tokens). The full-text index differs per dialect:
 * - SQLite: a contentless FTS5 table `search_fts` (tokens are not stored twice) whose 'ascii'
 *   tokenizer splits only on ASCII spaces and punctuation, so every CJK token stays whole and
 *   even characters newer than the tokenizer's Unicode tables are kept. Its rowid is recorded in
 *   `search_documents.fts_rowid` (an explicit column: implicit rowids may change on VACUUM).
 * - PostgreSQL: a generated `tsv` column with a GIN index. Each token is cast to a lexeme as it
 *   is (no text-search parser re-splitting it), given position 1 because PostgreSQL drops the
 *   weight of a lexeme without positions; title lexemes weigh 'A', body lexemes 'D'.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)
  const pg = isPostgres(db)

  let documents = db.schema
    .createTable('search_documents')
    .addColumn('id', t.id, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('title_tokens', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body_tokens', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('title_initials', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('boost', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('facets', t.json, (c) => c.notNull().defaultTo('{}'))
    .addColumn('updated_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addPrimaryKeyConstraint('search_documents_pk', ['id'])
    .addUniqueConstraint('search_documents_kind_ref_id_uq', ['kind', 'ref_id'])
  if (pg) {
    const lexemes = (column: string) => sql`regexp_replace(${sql.ref(column)}, '(\\S+)', '\\1:1', 'g')::tsvector`
    documents = documents.addColumn('tsv', sql`tsvector`, (c) =>
      c
        .notNull()
        .generatedAlwaysAs(sql`setweight(${lexemes('title_tokens')}, 'A') || setweight(${lexemes('body_tokens')}, 'D')`)
        .stored(),
    )
  } else {
    documents = documents.addColumn('fts_rowid', 'integer')
  }
  await documents.execute()

  if (pg) {
    // fastupdate off: the index changes rarely and is read by every node, so entries go straight
    // into the tree instead of a pending list that each query would scan until the next vacuum.
    await sql`create index search_documents_tsv_idx on search_documents using gin (tsv) with (fastupdate = off)`.execute(
      db,
    )
  } else {
    await db.schema
      .createIndex('search_documents_fts_rowid_uq')
      .on('search_documents')
      .column('fts_rowid')
      .unique()
      .execute()
    await sql`create virtual table search_fts using fts5(
      title_tokens, body_tokens,
      content = '', contentless_delete = 1, detail = 'column', tokenize = 'ascii'
    )`.execute(db)
  }

  await db.schema
    .createTable('search_synonyms')
    .addColumn('term', 'text', (c) => c.notNull())
    .addColumn('synonym', 'text', (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addPrimaryKeyConstraint('search_synonyms_pk', ['term', 'synonym'])
    .execute()
}
