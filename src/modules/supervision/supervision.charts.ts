/**
 * Charts for the supervision pages: ECharts rendered to SVG on the server (SSR), inlined into the
 * page as markup. The strict CSP allows no inline style and no script, so the SVG is cleaned:
 * `style` attributes become presentation attributes, the hover <style> block goes, and every id
 * gets a per-chart prefix (several charts share a page). Each chart carries a Chinese <title>
 * and aria-label; the pages give the same figures as a table beside it.
 */
import * as echarts from 'echarts'

export interface ChartSize {
  width: number
  height: number
}

const COLOURS = ['#a4161a', '#1d70b8', '#00703c', '#f47738', '#6f72af', '#505a5f']
const FONT = 'Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif'

let serial = 0

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** `style="font-size:12px;font-family:x"` → `font-size="12px" font-family="x"`. */
function styleToAttributes(style: string): string {
  return style
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => {
      const i = d.indexOf(':')
      if (i < 0) return ''
      const name = d.slice(0, i).trim().toLowerCase()
      const value = d.slice(i + 1).trim()
      if (!/^[a-z-]+$/.test(name)) return ''
      return `${name}="${value.replace(/"/g, "'")}"`
    })
    .filter(Boolean)
    .join(' ')
}

/** The SVG made safe for the CSP and labelled for screen readers. */
export function cleanSvg(svg: string, title: string): string {
  const prefix = `sv${++serial}-`
  const label = escapeXml(title)
  return svg
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/\sstyle="([^"]*)"/g, (_m, style: string) => {
      const attrs = styleToAttributes(style.replace(/&quot;/g, "'"))
      return attrs ? ` ${attrs}` : ''
    })
    .replace(/\s(?:class|ecmeta_[a-z_]+)="[^"]*"/g, '')
    .replace(/\bzr\d+-/g, prefix)
    .replace(/^<svg /, `<svg role="img" aria-label="${label}" class="chart__svg" `)
    .replace(/(<svg[^>]*>)/, `$1<title>${label}</title>`)
}

function render(option: echarts.EChartsOption, title: string, size: ChartSize): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height })
  try {
    chart.setOption({
      animation: false,
      color: COLOURS,
      textStyle: { fontFamily: FONT },
      aria: { enabled: true, label: { description: title } },
      ...option,
    })
    return cleanSvg(chart.renderToSVGString(), title)
  } finally {
    chart.dispose()
  }
}

export interface Series {
  name: string
  values: (number | null)[]
  /** Drawn against the right axis, in percent. */
  percent?: boolean
}

/** A line chart over categories (weeks, months). */
export function lineChart(
  title: string,
  categories: string[],
  series: Series[],
  size: ChartSize = { width: 760, height: 320 },
): string {
  const hasPercent = series.some((s) => s.percent)
  return render(
    {
      grid: { left: 56, right: hasPercent ? 56 : 24, top: 48, bottom: 48 },
      legend: { top: 8, data: series.map((s) => s.name) },
      xAxis: { type: 'category', data: categories, axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: 'value', name: '件', minInterval: 1 },
        ...(hasPercent ? [{ type: 'value' as const, name: '%', min: 0, max: 100, splitLine: { show: false } }] : []),
      ],
      series: series.map((s) => ({
        type: 'line' as const,
        name: s.name,
        data: s.values,
        yAxisIndex: s.percent ? 1 : 0,
        symbolSize: 4,
      })),
    },
    title,
    size,
  )
}

/** A horizontal bar chart (rankings): the first row on top. */
export function barChart(
  title: string,
  rows: { label: string; value: number | null }[],
  options: { unit?: string; max?: number; target?: number; width?: number } = {},
): string {
  const height = Math.max(120, 40 + rows.length * 28)
  const ordered = [...rows].reverse()
  return render(
    {
      grid: { left: 150, right: 56, top: 16, bottom: 32 },
      xAxis: { type: 'value', max: options.max, name: options.unit ?? '' },
      yAxis: {
        type: 'category',
        data: ordered.map((r) => (r.label.length > 10 ? `${r.label.slice(0, 10)}…` : r.label)),
      },
      series: [
        {
          type: 'bar',
          data: ordered.map((r) => r.value),
          barMaxWidth: 18,
          label: {
            show: true,
            position: 'right',
            formatter: (p: { value: unknown }) => (p.value == null ? '—' : String(p.value)),
          },
          ...(options.target !== undefined
            ? {
                markLine: {
                  symbol: 'none',
                  data: [{ xAxis: options.target, name: '目标' }],
                  label: { formatter: `目标 ${options.target}` },
                },
              }
            : {}),
        },
      ],
    },
    title,
    { width: options.width ?? 760, height },
  )
}

/** A pie (doughnut) of shares, e.g. the satisfaction levels. */
export function pieChart(
  title: string,
  slices: { label: string; value: number }[],
  size: ChartSize = { width: 420, height: 280 },
): string {
  return render(
    {
      legend: { orient: 'vertical', left: 8, top: 'middle' },
      series: [
        {
          type: 'pie',
          radius: ['40%', '70%'],
          center: ['65%', '50%'],
          data: slices.map((s) => ({ name: s.label, value: s.value })),
          label: { formatter: '{d}%' },
        },
      ],
    },
    title,
    size,
  )
}
