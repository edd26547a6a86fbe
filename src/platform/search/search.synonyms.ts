/**
 * Synonyms bridge how people ask (社保卡, 开饭店, 生孩子) and what the catalog calls things
 * (社会保障卡申领, 食品经营许可, 出生登记). A term maps to one or more synonyms; a synonym of several
 * words must match all of them. The table is shared by all nodes and maintained by staff later.
 */
import type { DbOrTrx } from '../db/database.js'
import { normalize, queryWords } from './search.text.js'

/** A starter list for a district's catalog; idempotently loaded by `seedSynonyms`. */
export const STARTER_SYNONYMS: Record<string, string[]> = {
  身份证: ['居民身份证'],
  二代证: ['居民身份证'],
  临时身份证: ['临时居民身份证'],
  开饭店: ['食品经营许可', '餐饮'],
  开餐馆: ['食品经营许可', '餐饮'],
  开餐厅: ['食品经营许可', '餐饮'],
  开小吃店: ['食品经营许可', '餐饮'],
  开超市: ['食品经营许可', '个体工商户'],
  开店: ['个体工商户', '营业执照'],
  个体户: ['个体工商户'],
  开公司: ['企业设立登记', '营业执照'],
  注册公司: ['企业设立登记'],
  办执照: ['营业执照', '设立登记'],
  营业执照: ['设立登记'],
  社保卡: ['社会保障卡'],
  医保卡: ['社会保障卡', '医疗保险'],
  社保: ['社会保险'],
  医保: ['基本医疗保险', '医疗保障'],
  生孩子: ['出生登记', '生育登记'],
  生小孩: ['出生登记', '生育登记'],
  生娃: ['出生登记', '生育登记'],
  准生证: ['生育登记'],
  报户口: ['出生登记', '户口'],
  上户口: ['户口', '出生登记'],
  落户: ['户口迁入', '户籍'],
  迁户口: ['户口迁移'],
  退休: ['养老金'],
  退休金: ['养老金'],
  养老钱: ['养老金'],
  护照: ['普通护照'],
  办护照: ['普通护照'],
  出国: ['普通护照', '出入境'],
  港澳通行证: ['往来港澳通行证'],
  结婚: ['结婚登记'],
  领证: ['结婚登记'],
  离婚: ['离婚登记'],
  公积金: ['住房公积金'],
  驾照: ['机动车驾驶证'],
  驾驶证: ['机动车驾驶证'],
  失业金: ['失业保险金'],
  低保: ['最低生活保障'],
  残疾证: ['残疾人证'],
  老年证: ['老年人优待证'],
  宅基地: ['农村宅基地'],
  盖房子: ['农村宅基地', '建设工程规划许可'],
  建房: ['农村宅基地', '建设工程规划许可'],
  丢了: ['补领', '挂失'],
  补办: ['补领', '补发'],
}

/** The form a term is stored and looked up in: its query words, joined (开 饭店 → 开饭店). */
export function synonymKey(term: string): string {
  return queryWords(term).join('')
}

/** The form a synonym is stored in: normalized, single spaces. */
function synonymText(synonym: string): string {
  return normalize(synonym).replace(/\s+/g, ' ').trim()
}

/** Adds synonyms of a term; already known pairs are left alone. Returns how many were new. */
export async function addSynonyms(db: DbOrTrx, term: string, synonyms: string[]): Promise<number> {
  const key = synonymKey(term)
  const rows = [...new Set(synonyms.map(synonymText))]
    .filter((s) => s !== '' && s !== key)
    .map((synonym) => ({ term: key, synonym }))
  if (key === '' || rows.length === 0) return 0
  const result = await db
    .insertInto('searchSynonyms')
    .values(rows)
    .onConflict((oc) => oc.columns(['term', 'synonym']).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0)
}

/** Loads STARTER_SYNONYMS; safe to run again (existing pairs are kept). */
export async function seedSynonyms(db: DbOrTrx): Promise<number> {
  let added = 0
  for (const [term, synonyms] of Object.entries(STARTER_SYNONYMS)) added += await addSynonyms(db, term, synonyms)
  return added
}

/**
 * A stamp of the synonym table that changes whenever a pair is added or changed: pages that keep
 * search results compare it to know when to search again.
 */
export async function synonymsVersion(db: DbOrTrx): Promise<string> {
  const row = await db
    .selectFrom('searchSynonyms')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('updatedAt').as('updated')])
    .executeTakeFirstOrThrow()
  return `${row.n}|${row.updated ?? ''}`
}

/** The synonyms of each of the given keys that has any, in a stable order. */
export async function findSynonyms(db: DbOrTrx, keys: string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>()
  const unique = [...new Set(keys)].filter((k) => k !== '')
  if (unique.length === 0) return found
  const rows = await db.selectFrom('searchSynonyms').select(['term', 'synonym']).where('term', 'in', unique).execute()
  for (const row of rows) found.set(row.term, [...(found.get(row.term) ?? []), row.synonym])
  // The databases' collations may order differently; the code-unit order is the same everywhere.
  for (const list of found.values()) list.sort(codeUnitOrder)
  return found
}

export function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
