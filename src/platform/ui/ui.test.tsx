import { renderToString } from 'preact-render-to-string'
import { describe, expect, it } from 'vitest'
import type { PageContext } from './context.js'
import { Pagination, paginationWindow, Table } from './display.js'
import { ErrorSummary, errorMap, Form, TextInput } from './form.js'
import { Layout } from './layout.js'
import { formatDate, formatDateTime, formatFen, renderPage } from './render.js'

const ctx: PageContext = {
  path: '/x',
  elder: false,
  csrfToken: 'tok123',
  nav: [
    { href: '/', label: '首页' },
    { href: '/x', label: '某页' },
  ],
  asset: (name) => `/assets/${name}`,
  siteName: '潮安区网上办事大厅',
}

describe('Layout', () => {
  it('renders landmarks, skip link, the current nav entry and the footer', () => {
    const html = renderPage(ctx, <Layout title="测试">内容</Layout>)
    expect(html.startsWith('<!doctype html><html lang="zh-CN">')).toBe(true)
    expect(html).toContain('<title>测试 - 潮安区网上办事大厅</title>')
    expect(html).toMatch(/<a class="skip-link" href="#main">跳到主要内容<\/a>/)
    expect(html).toContain('<header class="site-header">')
    expect(html).toContain('<nav class="site-nav" aria-label="主导航">')
    expect(html).toMatch(/href="\/x" aria-current="page">某页/)
    expect(html).not.toMatch(/href="\/" aria-current="page"/)
    expect(html).toContain('<main id="main"')
    expect(html).toContain('<footer class="site-footer">')
    expect(html).toContain('aria-pressed="false"')
  })

  it('marks 长者模式 on the root element', () => {
    const html = renderPage({ ...ctx, elder: true }, <Layout title="t">x</Layout>)
    expect(html).toContain('<html lang="zh-CN" class="elder">')
    expect(html).toContain('退出长者模式')
  })

  it('escapes what it is given', () => {
    const html = renderPage(ctx, <Layout title={'<script>alert(1)</script>'}>{'<img src=x onerror=alert(1)>'}</Layout>)
    expect(html).not.toContain('<script>alert(1)')
    expect(html).not.toContain('<img src=x')
  })
})

describe('form pieces', () => {
  it('ties label, hint and error to the input and links the summary to it', () => {
    const errors = [{ field: 'idNumber', message: '身份证号码校验位不正确' }]
    const html = renderPage(
      ctx,
      <Layout title="t">
        <ErrorSummary errors={errors} />
        <Form action="/p">
          <TextInput
            name="idNumber"
            label="身份证号码"
            hint="18 位"
            value="4451"
            error={errorMap(errors).idNumber}
            required
          />
        </Form>
      </Layout>,
    )
    expect(html).toContain('<a href="#f-idNumber">身份证号码校验位不正确</a>')
    expect(html).toContain('<label class="field__label" for="f-idNumber">')
    expect(html).toContain('aria-describedby="f-idNumber-hint f-idNumber-error"')
    expect(html).toContain('aria-invalid="true"')
    expect(html).toContain('value="4451"')
    expect(html).toContain('<input type="hidden" name="_csrf" value="tok123"/>')
  })

  it('marks optional fields and renders nothing for no errors', () => {
    const html = renderToString(<ErrorSummary errors={[]} />)
    expect(html).toBe('')
    const page = renderPage(
      ctx,
      <Layout title="t">
        <TextInput name="a" label="备注" />
      </Layout>,
    )
    expect(page).toContain('（选填）')
  })
})

describe('display pieces', () => {
  it('Table gives each cell its header for the folded phone layout, and an empty row', () => {
    const html = renderToString(
      <Table
        caption="办件"
        columns={[{ header: '编号', cell: (r: { no: string }) => r.no }]}
        rows={[{ no: 'A1' }]}
        rowKey={(r) => r.no}
      />,
    )
    expect(html).toContain('<caption class="table__caption">办件</caption>')
    expect(html).toContain('data-label="编号">A1</td>')
    const empty = renderToString(
      <Table caption="c" columns={[{ header: 'h', cell: () => '' }]} rows={[]} rowKey={() => ''} />,
    )
    expect(empty).toContain('暂无记录')
  })

  it('Pagination shows a window of pages with gaps', () => {
    expect(paginationWindow(1, 1)).toEqual([1])
    expect(paginationWindow(5, 10)).toEqual([1, 'gap', 3, 4, 5, 6, 7, 'gap', 10])
    expect(paginationWindow(2, 4)).toEqual([1, 2, 3, 4])
    const html = renderToString(<Pagination page={2} pageCount={3} href={(p) => `?page=${p}`} />)
    expect(html).toContain('aria-current="page"')
    expect(html).toContain('rel="prev"')
    expect(html).toContain('rel="next"')
    expect(renderToString(<Pagination page={1} pageCount={1} href={() => ''} />)).toBe('')
  })
})

describe('formatting', () => {
  it('shows times in Asia/Shanghai and money in yuan', () => {
    expect(formatDateTime('2026-02-16T17:30:00.000Z')).toBe('2026-02-17 01:30')
    expect(formatDate('2026-12-31T16:00:00.000Z')).toBe('2027-01-01')
    expect(formatFen(12345)).toBe('¥123.45')
  })
})
