/** Display pieces: tables, summary lists, status tags, pagination, notices, panels. */
import type { ComponentChildren } from 'preact'

export interface Column<Row> {
  header: ComponentChildren
  cell: (row: Row) => ComponentChildren
  /** Right-align numbers. */
  numeric?: boolean
}

/** A data table with a caption; on narrow screens each row folds into a labelled block. */
export function Table<Row>({
  caption,
  columns,
  rows,
  rowKey,
  empty = '暂无记录',
}: {
  caption: ComponentChildren
  columns: Column<Row>[]
  rows: Row[]
  rowKey: (row: Row) => string
  empty?: ComponentChildren
}) {
  return (
    <div class="table-wrap">
      <table class="table table--responsive">
        <caption class="table__caption">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th scope="col" class={c.numeric ? 'numeric' : undefined} key={i}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="table__empty">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c, i) => (
                  <td
                    key={i}
                    class={c.numeric ? 'numeric' : undefined}
                    data-label={typeof c.header === 'string' ? c.header : undefined}
                  >
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  )
}

/** Key–value pairs (办件编号: …, 受理部门: …) as a description list. */
export function SummaryList({ rows }: { rows: { key: ComponentChildren; value: ComponentChildren }[] }) {
  return (
    <dl class="summary-list">
      {rows.map((r, i) => (
        <div class="summary-list__row" key={i}>
          <dt class="summary-list__key">{r.key}</dt>
          <dd class="summary-list__value">{r.value}</dd>
        </div>
      ))}
    </dl>
  )
}

export type TagTone = 'grey' | 'blue' | 'green' | 'yellow' | 'red' | 'purple'

/** A status tag. The colour repeats the text, never replaces it. */
export function Tag({ tone = 'blue', children }: { tone?: TagTone; children: ComponentChildren }) {
  return <strong class={`tag tag--${tone}`}>{children}</strong>
}

/**
 * Page links for a list: previous, numbered pages around the current one, next.
 * `href(page)` builds the link so filters in the query string are kept.
 */
export function Pagination({
  page,
  pageCount,
  href,
}: {
  page: number
  pageCount: number
  href: (page: number) => string
}) {
  if (pageCount <= 1) return null
  const pages = paginationWindow(page, pageCount)
  return (
    <nav class="pagination" aria-label="分页">
      <ul class="pagination__list">
        {page > 1 ? (
          <li>
            <a class="pagination__link" href={href(page - 1)} rel="prev">
              上一页
            </a>
          </li>
        ) : null}
        {pages.map((p, i) =>
          p === 'gap' ? (
            <li class="pagination__gap" key={`gap-${i}`} aria-hidden="true">
              …
            </li>
          ) : (
            <li key={p}>
              {p === page ? (
                <a class="pagination__link pagination__link--current" href={href(p)} aria-current="page">
                  <span class="visually-hidden">第</span>
                  {p}
                  <span class="visually-hidden">页（当前）</span>
                </a>
              ) : (
                <a class="pagination__link" href={href(p)}>
                  <span class="visually-hidden">第</span>
                  {p}
                  <span class="visually-hidden">页</span>
                </a>
              )}
            </li>
          ),
        )}
        {page < pageCount ? (
          <li>
            <a class="pagination__link" href={href(page + 1)} rel="next">
              下一页
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  )
}

/** First, last, and two either side of the current page, with gaps. */
export function paginationWindow(page: number, pageCount: number): (number | 'gap')[] {
  const wanted = new Set([1, pageCount, page - 2, page - 1, page, page + 1, page + 2])
  const sorted = [...wanted].filter((p) => p >= 1 && p <= pageCount).sort((a, b) => a - b)
  const out: (number | 'gap')[] = []
  for (const p of sorted) {
    const last = out[out.length - 1]
    if (typeof last === 'number' && p - last > 1) out.push('gap')
    out.push(p)
  }
  return out
}

export function Notice({
  tone = 'info',
  title,
  children,
}: {
  tone?: 'info' | 'success' | 'warning'
  title?: ComponentChildren
  children?: ComponentChildren
}) {
  return (
    <div class={`notice notice--${tone}`} role={tone === 'warning' ? 'alert' : 'status'}>
      {title ? <p class="notice__title">{title}</p> : null}
      {children}
    </div>
  )
}

/** A confirmation panel, e.g. after a submission: 提交成功，办件编号 … */
export function Panel({ title, children }: { title: ComponentChildren; children?: ComponentChildren }) {
  return (
    <div class="panel">
      <h1 class="panel__title">{title}</h1>
      {children ? <div class="panel__body">{children}</div> : null}
    </div>
  )
}
