import type { VNode } from 'preact'
import { renderToString } from 'preact-render-to-string'
import { type PageContext, PageCtx } from './context.js'

/** Renders a page (a tree whose root is <Layout>) to a complete HTML document. */
export function renderPage(ctx: PageContext, page: VNode): string {
  return `<!doctype html>${renderToString(<PageCtx.Provider value={ctx}>{page}</PageCtx.Provider>)}`
}

/** Formats a UTC instant for people, in Asia/Shanghai: 2026-11-27 19:53. */
export function formatDateTime(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso
  const parts = shanghaiParts(d)
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`
}

/** The calendar date of an instant in Asia/Shanghai, YYYY-MM-DD. */
export function formatDate(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso
  const parts = shanghaiParts(d)
  return `${parts.year}-${parts.month}-${parts.day}`
}

const shanghaiFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

function shanghaiParts(d: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const out: Record<string, string> = {}
  for (const p of shanghaiFormat.formatToParts(d)) out[p.type] = p.value
  return out as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>
}

/** Formats money held in fen: 12345 → ¥123.45 */
export function formatFen(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`
}
