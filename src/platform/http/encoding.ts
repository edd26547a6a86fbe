/** Content negotiation of the encodings we keep ready: brotli and gzip. */

/**
 * The encoding to send a kept page (or an asset) in, from an Accept-Encoding header (RFC 9110
 * §12.5.3): brotli or gzip, whichever has the higher weight (brotli on a tie), neither when both
 * are refused or not named (`*` names both). `brotli: false` when there is no brotli to send.
 */
export function preferredEncoding(header: string | undefined, brotli = true): 'br' | 'gzip' | undefined {
  if (!header) return undefined
  // Browsers send a handful of distinct headers: each is worked out once (a bounded few kept).
  let weights = encodingWeights.get(header)
  if (!weights) {
    weights = weightsOf(header)
    if (encodingWeights.size >= 64) encodingWeights.clear()
    encodingWeights.set(header, weights)
  }
  const br = brotli ? weights.br : 0
  if (br <= 0 && weights.gzip <= 0) return undefined
  return br >= weights.gzip ? 'br' : 'gzip'
}

const encodingWeights = new Map<string, { br: number; gzip: number }>()

function weightsOf(header: string): { br: number; gzip: number } {
  const weights = new Map<string, number>()
  for (const entry of header.split(',')) {
    const [name = '', ...params] = entry.trim().toLowerCase().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const weight = q === undefined ? 1 : Number(q.slice(2))
    weights.set(name.trim() === 'x-gzip' ? 'gzip' : name.trim(), Number.isFinite(weight) ? weight : 0)
  }
  const star = weights.get('*') ?? 0
  return { br: weights.get('br') ?? star, gzip: weights.get('gzip') ?? star }
}
