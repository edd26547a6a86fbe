/**
 * The one ranking function, in TypeScript, so that SQLite and PostgreSQL order results the same
 * way (bm25() and ts_rank() differ and are not reproducible across the two).
 *
 * For the candidate set C (N documents) and a query term t matching n_t of them:
 *   idf(t)   = 1 + ln((N + 1) / (n_t + 1))
 *   title(t) = [t in title] · (k1 + 1) / (1 + k1 · (1 − bT + bT · titleChars / avgTitleChars))
 *   body(t)  = tf · (k1 + 1) / (tf + k1 · (1 − bB + bB · bodyTokens / avgBodyTokens))
 *   term(t)  = idf(t) · (10 · title(t) + body(t))                       k1 = 1.2, bT = 0.3, bB = 0.75
 *   alternative = weight · mean of term(t) over its terms (only if all of them match)
 *                 (weight 1 as typed, 0.8 synonym, 0.7 sub-word relaxation)
 *   score = Σ over groups of the best matching alternative
 *         + bonus: 30 if the title is a whole-query phrase (or the ASCII query equals the title's
 *           pinyin initials), else 15 if the title starts with one (or with the initials); × the
 *           phrase's weight
 *         + 0.5 · min(1, log10(1 + boost) / 6)
 * Ties: title, then kind, then refId, compared by UTF-16 code units, so the order is total.
 */

import { allTerms, type ParsedQuery, type Term, termKey } from './search.query.js'
import { codeUnitOrder } from './search.synonyms.js'
import { compact } from './search.text.js'

export interface Candidate {
  id: string
  kind: string
  refId: string
  title: string
  titleTokens: string
  bodyTokens: string
  titleInitials: string
  boost: number
}

export interface Ranked {
  candidate: Candidate
  score: number
  /** The terms of every alternative that matched, for highlighting. */
  matched: Term[]
}

const K1 = 1.2
const B_TITLE = 0.3
const B_BODY = 0.75
const TITLE_WEIGHT = 10
const EXACT_TITLE_BONUS = 30
const TITLE_PREFIX_BONUS = 15
const BOOST_WEIGHT = 0.5

interface Prepared {
  candidate: Candidate
  /** The token strings padded with a space on each side, so ' token ' finds whole tokens. */
  title: string
  body: string
  titleLength: number
  bodyLength: number
  compactTitle: string
}

interface TermHit {
  inTitle: boolean
  tf: number
}

function countTokens(tokens: string): number {
  if (tokens === '') return 0
  let n = 1
  for (let at = tokens.indexOf(' '); at !== -1; at = tokens.indexOf(' ', at + 1)) n += 1
  return n
}

function prepare(candidate: Candidate): Prepared {
  return {
    candidate,
    title: ` ${candidate.titleTokens} `,
    body: ` ${candidate.bodyTokens} `,
    titleLength: Array.from(candidate.title).length,
    bodyLength: countTokens(candidate.bodyTokens),
    compactTitle: compact(candidate.title),
  }
}

/** Occurrences of a whole token (or of a token start, for a prefix) in a padded token string. */
function occurrences(padded: string, term: Term, stopAtFirst: boolean): number {
  const needle = term.prefix ? ` ${term.text}` : ` ${term.text} `
  let n = 0
  // Step past the needle but not its trailing space: that space opens the next token.
  for (let at = padded.indexOf(needle); at !== -1; at = padded.indexOf(needle, at + needle.length - 1)) {
    n += 1
    if (stopAtFirst) break
  }
  return n
}

function hitOf(doc: Prepared, term: Term): TermHit {
  return { inTitle: occurrences(doc.title, term, true) > 0, tf: occurrences(doc.body, term, false) }
}

export function compareCandidates(a: Candidate, b: Candidate): number {
  return codeUnitOrder(a.kind, b.kind) || codeUnitOrder(a.refId, b.refId)
}

/** Scores and orders the candidates; deterministic for a given candidate set and query. */
export function rankCandidates(candidates: Candidate[], query: ParsedQuery): Ranked[] {
  // A canonical order first, so that every sum below is taken in the same order everywhere.
  const docs = [...candidates].sort(compareCandidates).map(prepare)
  const n = docs.length
  if (n === 0) return []
  const terms = allTerms(query.groups)
  const hits = docs.map((doc) => new Map(terms.map((t) => [termKey(t), hitOf(doc, t)])))
  const idf = new Map<string, number>()
  for (const t of terms) {
    const key = termKey(t)
    let containing = 0
    for (const h of hits) {
      const hit = h.get(key)!
      if (hit.inTitle || hit.tf > 0) containing += 1
    }
    idf.set(key, 1 + Math.log((n + 1) / (containing + 1)))
  }
  let titleSum = 0
  let bodySum = 0
  for (const doc of docs) {
    titleSum += doc.titleLength
    bodySum += doc.bodyLength
  }
  const avgTitle = titleSum / n || 1
  const avgBody = bodySum / n || 1

  const ranked = docs.map((doc, i): Ranked => {
    const docHits = hits[i]!
    const termScore = (t: Term): number | undefined => {
      const key = termKey(t)
      const hit = docHits.get(key)!
      if (!hit.inTitle && hit.tf === 0) return undefined
      const title = hit.inTitle ? (K1 + 1) / (1 + K1 * (1 - B_TITLE + (B_TITLE * doc.titleLength) / avgTitle)) : 0
      const body =
        hit.tf > 0 ? (hit.tf * (K1 + 1)) / (hit.tf + K1 * (1 - B_BODY + (B_BODY * doc.bodyLength) / avgBody)) : 0
      return idf.get(key)! * (TITLE_WEIGHT * title + body)
    }
    let score = 0
    const matched: Term[] = []
    for (const group of query.groups) {
      let best = 0
      for (const alt of group.alternatives) {
        let sum = 0
        let all = true
        for (const t of alt.terms) {
          const s = termScore(t)
          if (s === undefined) {
            all = false
            break
          }
          sum += s
        }
        if (!all) continue
        best = Math.max(best, (alt.weight * sum) / alt.terms.length)
        matched.push(...alt.terms)
      }
      score += best
    }
    score += titleBonus(doc, query)
    const boost = Math.max(0, doc.candidate.boost)
    score += BOOST_WEIGHT * Math.min(1, Math.log10(1 + boost) / 6)
    return { candidate: doc.candidate, score, matched }
  })

  return ranked.sort(
    (a, b) =>
      b.score - a.score ||
      codeUnitOrder(a.candidate.title, b.candidate.title) ||
      compareCandidates(a.candidate, b.candidate),
  )
}

function titleBonus(doc: Prepared, query: ParsedQuery): number {
  let bonus = 0
  for (const phrase of query.phrases) {
    if (doc.compactTitle === phrase.text) bonus = Math.max(bonus, EXACT_TITLE_BONUS * phrase.weight)
    else if (doc.compactTitle.startsWith(phrase.text)) bonus = Math.max(bonus, TITLE_PREFIX_BONUS * phrase.weight)
  }
  const initials = query.initials
  if (initials && doc.candidate.titleInitials !== '') {
    if (doc.candidate.titleInitials === initials) bonus = Math.max(bonus, EXACT_TITLE_BONUS)
    else if (doc.candidate.titleInitials.startsWith(initials)) bonus = Math.max(bonus, TITLE_PREFIX_BONUS)
  }
  return bonus
}
