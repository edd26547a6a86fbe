/**
 * Text → tokens, the same way for documents and queries: NFKC (full-width letters and digits
 * become ASCII), lower case, jieba segmentation, then only runs of letters and digits survive,
 * minus stop words. A token therefore never holds a space, quote or operator character, which is
 * what makes it safe to quote into an FTS5 or tsquery expression.
 *
 * Single CJK characters are not added as extra tokens: they would put 身份证 under 身, 份 and 证
 * and flood every query with noise. A character jieba itself leaves alone (开 in 开饭店) is kept
 * as a token; colloquial phrasings are bridged by the synonym table instead (开饭店 → 食品经营许可).
 */
import { Jieba } from '@node-rs/jieba'
import { dict } from '@node-rs/jieba/dict.js'
import { pinyin } from 'pinyin-pro'

let jieba: Jieba | undefined
function segmenter(): Jieba {
  // Loading the dictionary takes ~100 ms: once per process, on first use.
  jieba ??= Jieba.withDict(dict)
  return jieba
}

/** Words that carry no meaning for finding a service. Kept short on purpose: 登记, 许可, 证明 … matter. */
const STOP_WORDS = new Set(
  [
    '的 地 得 了 着 过 和 与 及 或 或者 以及 及其 并 并且 而 之 其 该 此 这 那 这个 那个 这些 那些',
    '在 是 不 为 对 从 到 把 被 给 向 于 由 就 都 也 还 又 再',
    '我 我们 你 您 你们 他 她 它 他们 自己 本人',
    '想 要 想要 我要 我想 需要 需 应 应当 应该 可以 可 能 能否 能不能 是否 得 必须',
    '怎么 怎么样 怎样 怎么办 如何 什么 哪 哪里 哪儿 哪个 哪些 在哪 在哪里 多少 几',
    '吗 呢 吧 啊 呀 哦 嘛 么 啦 哈',
    '请问 请 一下 一个 有 有关 关于 相关 去 找 办 办理 申请 如何办理',
  ]
    .join(' ')
    .split(' '),
)

/** Everyday openings of a question that would otherwise glue onto the next word (我想开 → 想开). */
const COLLOQUIAL_OPENINGS = /我想|我要|想要|我需要|我打算|我准备|请问|请告诉我/g

/** Tokens longer than this are not words (hashes, pasted junk) and would bloat the index. */
const MAX_TOKEN_LENGTH = 32
const MAX_BODY_TOKENS = 5000
/** Pinyin-initial suffixes are made for the first characters of a title only. */
const MAX_INITIALS = 24

const WORD_RUN = /[\p{L}\p{N}]+/gu
const HAN = /\p{Script=Han}/u
const ASCII_WORD = /^[a-z]+$/

/** NFKC and lower case: ＳＰＪＹ and Spjy both become spjy. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase()
}

/** The letters and digits of a text only: the form used to compare whole titles and phrases. */
export function compact(text: string): string {
  return (normalize(text).match(WORD_RUN) ?? []).join('')
}

function keep(token: string): boolean {
  return token.length <= MAX_TOKEN_LENGTH && !STOP_WORDS.has(token)
}

function wordRuns(pieces: string[]): string[] {
  const out: string[] = []
  for (const piece of pieces) {
    for (const run of piece.match(WORD_RUN) ?? []) if (keep(run)) out.push(run)
  }
  return out
}

/**
 * Tokens of a document text, for the index: jieba's search mode, which gives a long word and
 * the shorter words inside it (居民身份证 → 居民 身份 身份证 居民身份证), so that a query for any of
 * them matches. Order and repetitions are kept (the body's term frequencies come from them).
 */
export function tokenize(text: string): string[] {
  const normalized = normalize(text)
  if (!normalized.trim()) return []
  return wordRuns(segmenter().cutForSearch(normalized, true))
}

/**
 * The words of a query, in order: jieba's precise mode (one reading of the sentence, no
 * overlapping sub-words), without stop words and without the colloquial openings.
 */
export function queryWords(text: string): string[] {
  const normalized = normalize(text).replace(COLLOQUIAL_OPENINGS, ' ')
  if (!normalized.trim()) return []
  return wordRuns(segmenter().cut(normalized, true))
}

/**
 * The shorter words inside a query word that the index also holds, keeping only those not
 * inside another one: 社保卡 → [社保], 许可证 → [许可], 居民身份证 → [居民, 身份证]. Empty when the
 * word has none. Used to relax a query word that is longer than the documents' word.
 */
export function subwords(word: string): string[] {
  if (word.length < 3) return []
  const parts = [...new Set(segmenter().cutForSearch(word, true))].filter(
    (p) => p !== word && p.length >= 2 && keep(p) && word.includes(p),
  )
  return parts.filter((p) => !parts.some((q) => q !== p && q.length > p.length && q.includes(p)))
}

/** True for a query word that is matched as a prefix (pinyin initials, English word starts). */
export function isPrefixWord(word: string): boolean {
  return word.length >= 2 && ASCII_WORD.test(word)
}

/** Pinyin initials of the Han characters of a title: 食品经营许可 → 'spjyxk'. */
export function pinyinInitials(title: string): string {
  const normalized = normalize(title)
  if (!HAN.test(normalized)) return ''
  const letters = pinyin(normalized, { pattern: 'first', toneType: 'none', type: 'array', nonZh: 'removed' })
  return letters
    .map((l) => l.toLowerCase())
    .filter((l) => /^[a-z]$/.test(l))
    .join('')
    .slice(0, MAX_INITIALS)
}

/**
 * The pinyin-initial tokens of a title: the initials from every character on, at least two
 * letters long ('spjyxk', 'pjyxk', … 'xk'). An ASCII query is matched as a prefix of these,
 * so 'spjy' finds 食品经营许可 and 'jyxk' finds it too; only whole-title initials earn the
 * title-prefix bonus in ranking. Costs one short token per title character.
 */
export function initialsTokens(initials: string): string[] {
  const out: string[] = []
  for (let i = 0; i + 2 <= initials.length; i += 1) out.push(initials.slice(i))
  return out
}

/** The tokens stored for a title: its words (each once), then its pinyin-initial tokens. */
export function titleTokens(title: string, initials: string): string[] {
  return [...new Set([...tokenize(title), ...initialsTokens(initials)])]
}

export function bodyTokens(body: string): string[] {
  return tokenize(body).slice(0, MAX_BODY_TOKENS)
}
