import type { ColumnType } from 'kysely'

/** One distinct stored content (the bytes are in the file store folder, named by the hash). */
export interface StoredFileTable {
  /** Lower-case hex sha256 of the content. */
  sha256: string
  /** Bytes. */
  size: number
  /** The type detected from the content (magic bytes), never the name or the client's word. */
  mime: string
  createdAt: ColumnType<string, string | undefined, never>
}

declare module '../db/schema.js' {
  interface Database {
    storedFiles: StoredFileTable
  }
}
