/**
 * A query, parsed: groups of alternatives of terms.
 *
 * Each query word becomes a group; where consecutive words form a term of the synonym table
 * (开 + 饭店 = 开饭店) they become one group. A group matches a document when any of its
 * alternatives does; an alternative matches when all of its terms do:
 *
 *   开饭店 材料  →  (开 AND 饭店 | 食品 AND 经营 AND 许可 | 餐饮)  AND  (材料)
 *
 * The groups are joined with AND first; search() falls back to OR when AND finds nothing.
 * The expressions are built here for both full-text dialects, from tokens that contain only
 * letters and digits (search.text.ts), each quoted: user input never reaches the query syntax.
 */
import type { DbOrTrx } from '../db/database.js'
import { findSynonyms } from './search.synonyms.js'
import { compact, isPrefixWord, queryWords, subwords } from './search.text.js'

export interface Term {
  text: string
  /** Matches any token starting with `text` (ASCII words: pinyin initials, English). */
  prefix: boolean
}

export interface Alternative {
  terms: Term[]
  /** 1 for the words as typed; less for a sub-word relaxation or a synonym. */
  weight: number
}

export interface Group {
  /** The query words this group stands for. */
  words: string[]
  alternatives: Alternative[]
}

export interface ParsedQuery {
  groups: Group[]
  /** Whole-query phrases that earn the exact-title and title-prefix bonuses. */
  phrases: Array<{ text: string; weight: number }>
  /** An all-ASCII one-word query, compared with the title's pinyin initials. */
  initials: string | undefined
}

export type MatchMode = 'all' | 'any'

export const SYNONYM_WEIGHT = 0.8
export const SUBWORD_WEIGHT = 0.7
const MAX_QUERY_CHARS = 200
const MAX_WORDS = 16
const MAX_GROUPS = 10
const MAX_ALTERNATIVES = 8
/** The longest run of query words looked up as one synonym term (上 + 户口 = 上户口). */
const MAX_SPAN = 4
const SAFE_TOKEN = /^[\p{L}\p{N}]+$/u

export const emptyQuery: ParsedQuery = { groups: [], phrases: [], initials: undefined }

function termKey(t: Term): string {
  return t.prefix ? `${t.text}*` : t.text
}

function altKey(a: Alternative): string {
  return a.terms.map(termKey).join(' ')
}

function dedupeAlternatives(alternatives: Alternative[]): Alternative[] {
  const best = new Map<string, Alternative>()
  for (const alt of alternatives) {
    const terms = alt.terms.filter((t) => SAFE_TOKEN.test(t.text))
    if (terms.length === 0) continue
    const cleaned = { terms, weight: alt.weight }
    const key = altKey(cleaned)
    const seen = best.get(key)
    if (!seen || seen.weight < cleaned.weight) best.set(key, cleaned)
  }
  return [...best.values()].slice(0, MAX_ALTERNATIVES)
}

const exact = (text: string): Term => ({ text, prefix: false })

/** Turns what a person typed into groups; looks up the synonym table once. */
export async function parseQuery(db: DbOrTrx, text: string): Promise<ParsedQuery> {
  const words = queryWords(text.slice(0, MAX_QUERY_CHARS)).slice(0, MAX_WORDS)
  if (words.length === 0) return emptyQuery

  const keys: string[] = []
  for (let i = 0; i < words.length; i += 1) {
    for (let len = 1; len <= MAX_SPAN && i + len <= words.length; len += 1) keys.push(words.slice(i, i + len).join(''))
  }
  const whole = words.join('')
  keys.push(whole)
  const synonyms = await findSynonyms(db, keys)

  const groups: Group[] = []
  const seenGroups = new Set<string>()
  for (let i = 0; i < words.length; ) {
    let len = 1
    for (let l = Math.min(MAX_SPAN, words.length - i); l >= 2; l -= 1) {
      if (synonyms.has(words.slice(i, i + l).join(''))) {
        len = l
        break
      }
    }
    const span = words.slice(i, i + len)
    i += len
    const alternatives: Alternative[] = [{ terms: span.map((w) => ({ text: w, prefix: isPrefixWord(w) })), weight: 1 }]
    const only = span.length === 1 ? span[0] : undefined
    if (only !== undefined && !isPrefixWord(only)) {
      const parts = subwords(only)
      if (parts.length > 0) alternatives.push({ terms: parts.map(exact), weight: SUBWORD_WEIGHT })
    }
    for (const synonym of synonyms.get(span.join('')) ?? []) {
      alternatives.push({ terms: queryWords(synonym).map(exact), weight: SYNONYM_WEIGHT })
    }
    const group = { words: span, alternatives: dedupeAlternatives(alternatives) }
    const signature = group.alternatives.map(altKey).join('|')
    if (group.alternatives.length === 0 || seenGroups.has(signature)) continue
    seenGroups.add(signature)
    groups.push(group)
  }

  const phrases = [{ text: whole, weight: 1 }]
  for (const synonym of synonyms.get(whole) ?? []) phrases.push({ text: compact(synonym), weight: SYNONYM_WEIGHT })
  const initials = words.length === 1 && isPrefixWord(whole) ? whole : undefined
  return { groups: groups.slice(0, MAX_GROUPS), phrases: phrases.filter((p) => p.text.length >= 2), initials }
}

/** The distinct terms of a query, each once. */
export function allTerms(groups: Group[]): Term[] {
  const seen = new Map<string, Term>()
  for (const g of groups) for (const a of g.alternatives) for (const t of a.terms) seen.set(termKey(t), t)
  return [...seen.values()]
}

export { termKey }

type Scope = 'any' | 'title'

/** An FTS5 MATCH expression: every term double-quoted, prefixes starred, title via a column filter. */
export function fts5Expression(groups: Group[], mode: MatchMode, scope: Scope): string {
  const term = (t: Term) => `"${t.text}"${t.prefix ? '*' : ''}`
  const alt = (a: Alternative) => (a.terms.length === 1 ? term(a.terms[0]!) : `(${a.terms.map(term).join(' AND ')})`)
  const group = (g: Group) =>
    g.alternatives.length === 1 ? alt(g.alternatives[0]!) : `(${g.alternatives.map(alt).join(' OR ')})`
  const expression = groups.map(group).join(mode === 'all' ? ' AND ' : ' OR ')
  return scope === 'title' ? `{title_tokens} : (${expression})` : `(${expression})`
}

/** A tsquery in its text form: every lexeme single-quoted, prefixes `:*`, title lexemes weight A. */
export function tsqueryExpression(groups: Group[], mode: MatchMode, scope: Scope): string {
  const weight = scope === 'title' ? 'A' : ''
  const term = (t: Term) => {
    const suffix = `${t.prefix ? '*' : ''}${weight}`
    return `'${t.text}'${suffix ? `:${suffix}` : ''}`
  }
  const alt = (a: Alternative) => `(${a.terms.map(term).join(' & ')})`
  const group = (g: Group) => `(${g.alternatives.map(alt).join(' | ')})`
  return `(${groups.map(group).join(mode === 'all' ? ' & ' : ' | ')})`
}

/** Terms for type-ahead: the words as typed, the last one as a prefix. */
export function suggestGroups(prefix: string): Group[] {
  const words = queryWords(prefix.slice(0, 50)).slice(0, 6)
  return words.map((w, i) => ({
    words: [w],
    alternatives: dedupeAlternatives([{ terms: [{ text: w, prefix: i === words.length - 1 }], weight: 1 }]),
  }))
}
