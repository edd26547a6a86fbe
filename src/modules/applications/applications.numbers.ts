/**
 * Human-readable numbers.
 *
 * 办件编号 (application number): `<area code 6><date YYYYMMDD><sequence 6>`, e.g.
 * 44510320260302000123 — the district's GB/T 2260 code, the day of submission in Asia/Shanghai,
 * and the district-wide sequence of that day. 20 digits, unique, sortable by time, easy to read
 * out on the phone in groups (4451 0320 2603 0200 0123). Shown grouped as 445103-20260302-000123.
 *
 * 文书编号 (notice number): `潮安<department short code>〔<year>〕<kind>字第<sequence>号`, e.g.
 * 潮安SCJ〔2026〕受字第000123号 — unique per department, kind and year.
 */
import { sql } from 'kysely'
import { todayInShanghai } from '../../platform/calendar/index.js'
import type { DbOrTrx } from '../../platform/db/database.js'
import type { NoticeKind } from './applications.tables.js'

export const AREA_CODE = '445103'

/**
 * Takes the next number of a counter in the caller's transaction: one upsert, which locks the
 * counter row until commit on PostgreSQL (and SQLite writers are serialised), so two submissions
 * never get the same number and a rolled-back one gives its number back.
 */
async function nextSeq(trx: DbOrTrx, key: string): Promise<number> {
  const row = await sql<{ lastSeq: number }>`
    insert into application_counters (day, last_seq) values (${key}, 1)
    on conflict (day) do update set last_seq = application_counters.last_seq + 1
    returning last_seq`.execute(trx)
  return Number(row.rows[0]!.lastSeq)
}

export async function nextApplicationNo(trx: DbOrTrx, now: Date): Promise<string> {
  const day = todayInShanghai(now).replace(/-/g, '')
  const seq = await nextSeq(trx, `app:${day}`)
  return `${AREA_CODE}${day}${String(seq).padStart(6, '0')}`
}

/** 445103-20260302-000123 */
export function formatApplicationNo(no: string): string {
  return /^\d{20}$/.test(no) ? `${no.slice(0, 6)}-${no.slice(6, 14)}-${no.slice(14)}` : no
}

/** Accepts what people type: with or without dashes and spaces. */
export function normaliseApplicationNo(raw: string): string | undefined {
  const digits = raw.normalize('NFKC').replace(/[\s-]/g, '')
  return /^\d{20}$/.test(digits) ? digits : undefined
}

const KIND_CHARS: Record<NoticeKind, string> = {
  accept: '受',
  reject: '不受',
  correction: '补',
  extension: '延',
  special_procedure: '特',
  decision: '决',
}

export async function nextNoticeNo(trx: DbOrTrx, departmentCode: string, kind: NoticeKind, now: Date): Promise<string> {
  const year = todayInShanghai(now).slice(0, 4)
  const seq = await nextSeq(trx, `notice:${departmentCode}:${kind}:${year}`)
  return `潮安${departmentCode.toUpperCase()}〔${year}〕${KIND_CHARS[kind]}字第${String(seq).padStart(6, '0')}号`
}
