/**
 * Finding a service: the search box (with type-ahead where JavaScript runs), 办事服务 by audience,
 * department and topic, search results, and the "一件事" themes with their questions.
 * Every page works without JavaScript: filters are links, the theme questions a GET form.
 */
import type { ComponentChildren } from 'preact'
import type { HighlightSegment } from '../../platform/search/index.js'
import {
  type Breadcrumb,
  Button,
  ErrorSummary,
  Form,
  Layout,
  Notice,
  Pagination,
  Radios,
  Tag,
  type TagTone,
} from '../../platform/ui/index.js'
import { guideHref, themeApplyHref } from './catalog.public.schemas.js'
import {
  type Audience,
  type BrowseResult,
  type CountedTopic,
  type FacetCount,
  type ItemSearchResult,
  type ItemSummary,
  type OnlineDepth,
  SEARCH_WINDOW,
  type ThemeOutcome,
  type ThemeSummary,
} from './catalog.read.js'

// ---------------------------------------------------------------------------------------------
// Shared wording

const DEPTH_TAGS: Record<OnlineDepth, { label: string; tone: TagTone }> = {
  4: { label: '全程网办', tone: 'green' },
  3: { label: '在线办理', tone: 'blue' },
  2: { label: '在线预审', tone: 'purple' },
  1: { label: '需到现场办理', tone: 'grey' },
}

export const AUDIENCE_NAMES: Record<Audience, string> = { person: '个人办事', enterprise: '法人办事' }

/** 「全程网办」 and the like: how much of the item can be done online. */
export function DepthTag({ depth }: { depth: OnlineDepth }) {
  const tag = DEPTH_TAGS[depth]
  return <Tag tone={tag.tone}>{tag.label}</Tag>
}

/** 「即办」 or 「5 个工作日」. */
export function promiseText(day: number, unit: string): string {
  return day === 0 ? '即办' : `${day} 个${unit}`
}

/** A piece of text with the matched words marked. */
export function Highlighted({ segments }: { segments: HighlightSegment[] }) {
  return <>{segments.map((s, i) => (s.match ? <mark key={i}>{s.text}</mark> : s.text))}</>
}

/** The link to a list of items with these filters; `page` 1 is left out. */
export function servicesHref(filters: { audience?: string; department?: string; topic?: string; page?: number }) {
  return withQuery('/services', filters)
}

export function searchHref(params: {
  q?: string
  audience?: string
  department?: string
  topic?: string
  page?: number
}) {
  return withQuery('/search', params)
}

function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '' || (key === 'page' && value === 1)) continue
    query.set(key, String(value))
  }
  const text = query.toString()
  return text ? `${path}?${text}` : path
}

// ---------------------------------------------------------------------------------------------
// Search box

/**
 * The search form. Without JavaScript it submits to /search; site.js turns the input into a
 * combobox with suggestions from /api/search/suggest.
 */
export function SearchBox({ value, id = 'search-q', large }: { value?: string; id?: string; large?: boolean }) {
  return (
    <Form action="/search" method="get" role="search" class={`search-box${large ? ' search-box--large' : ''}`}>
      <div class="search-box__field">
        <label class="field__label search-box__label" for={id}>
          搜索办事事项
        </label>
        <div class="field__hint" id={`${id}-hint`}>
          用平常的话说就行，如：开饭店、办身份证、社保卡
        </div>
        <div class="search-box__row">
          <input
            class="input search-box__input"
            type="search"
            id={id}
            name="q"
            value={value ?? ''}
            maxLength={100}
            autoComplete="off"
            spellcheck={false}
            enterKeyHint="search"
            aria-describedby={`${id}-hint`}
            data-suggest="/api/search/suggest"
          />
          <button class="button button--primary search-box__button" type="submit">
            搜索
          </button>
        </div>
      </div>
    </Form>
  )
}

// ---------------------------------------------------------------------------------------------
// Lists of items

function ItemMeta({ item }: { item: ItemSummary }) {
  return (
    <p class="item-meta">
      <span class="item-meta__part">{item.department.shortName}</span>
      <span class="item-meta__part">
        <DepthTag depth={item.onlineDepth} />
      </span>
      <span class="item-meta__part">承诺时限：{promiseText(item.promiseDay, item.promiseType)}</span>
      <span class="item-meta__part">{item.isFee ? '收费' : '不收费'}</span>
    </p>
  )
}

/** Items as a list of links with department, online depth, promised time and fee. */
export function ItemList({ items, label }: { items: ItemSummary[]; label: string }) {
  return (
    <ul class="item-list" aria-label={label}>
      {items.map((item) => (
        <li class="item-list__item" key={item.itemId}>
          <h3 class="heading-s item-list__title">
            <a href={guideHref(item.itemId)}>{item.taskName}</a>
          </h3>
          <ItemMeta item={item} />
          {item.summary ? <p class="item-list__summary">{item.summary}</p> : null}
        </li>
      ))}
    </ul>
  )
}

/** A page number past the last page (an old bookmark): say so and link the first page. */
function PastTheEnd({ href }: { href: string }) {
  return (
    <Notice title="这一页没有内容">
      <p>
        列表可能已经变短了。<a href={href}>回到第一页</a>
      </p>
    </Notice>
  )
}

/** Topic tiles with their item counts (home page and 办事服务). */
export function TopicTiles({ topics, label }: { topics: CountedTopic[]; label: string }) {
  if (topics.length === 0) return <p class="hint">暂无事项。</p>
  return (
    <ul class="tile-grid" aria-label={label}>
      {topics.map((t) => (
        <li class="tile" key={t.code}>
          <a class="tile__link" href={servicesHref({ topic: t.code })}>
            <span class="tile__name">{t.name}</span>
            <span class="tile__count">{t.count} 个事项</span>
          </a>
        </li>
      ))}
    </ul>
  )
}

/** Theme cards (home page and /themes). */
export function ThemeCards({ themes, headingLevel = 3 }: { themes: ThemeSummary[]; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3'
  return (
    <ul class="card-grid theme-cards">
      {themes.map((t) => (
        <li class="card theme-card" key={t.code}>
          <Heading class="heading-s">
            <a href={`/themes/${t.code}`}>{t.name}</a>
          </Heading>
          <p>{t.summary}</p>
          <p class="hint theme-card__meta">
            {t.serverType === '法人' ? '企业办事' : '个人办事'} · 回答 {t.questionCount} 个问题 · 最多涉及 {t.itemCount}{' '}
            个事项
          </p>
        </li>
      ))}
    </ul>
  )
}

// ---------------------------------------------------------------------------------------------
// 办事服务

function AudienceLinks({ result }: { result: BrowseResult }) {
  const { audience, department, topic } = result.filters
  const options: { value: Audience | undefined; label: string; count: number }[] = [
    { value: undefined, label: '全部事项', count: result.audiences.all },
    { value: 'person', label: AUDIENCE_NAMES.person, count: result.audiences.person },
    { value: 'enterprise', label: AUDIENCE_NAMES.enterprise, count: result.audiences.enterprise },
  ]
  return (
    <nav class="audience-links" aria-label="按办事对象">
      <ul class="audience-links__list">
        {options.map((o) => (
          <li key={o.label}>
            <a
              class="audience-links__link"
              href={servicesHref({ audience: o.value, department, topic })}
              aria-current={o.value === audience ? 'page' : undefined}
            >
              {o.label}
              <span class="audience-links__count">（{o.count}）</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  )
}

function browseTitle(result: BrowseResult): string {
  const audience = result.filters.audience ? AUDIENCE_NAMES[result.filters.audience] : undefined
  if (result.department) return `${result.department.shortName}的办事事项`
  if (result.topic) return `${result.topic.name}`
  return audience ?? '办事服务'
}

/** 办事服务: by audience, topic and department; a filtered, paginated list of items. */
export function ServicesPage({ result, unknown }: { result: BrowseResult; unknown?: string }) {
  const { filters } = result
  const filtered = Boolean(filters.department || filters.topic)
  const title = browseTitle(result)
  const crumbs: Breadcrumb[] = [{ href: '/', label: '首页' }]
  crumbs.push(filtered || filters.audience ? { href: '/services', label: '办事服务' } : { label: '办事服务' })
  if (filtered || filters.audience) crumbs.push({ label: title })
  const pageHref = (page: number) => servicesHref({ ...filters, page })
  return (
    <Layout title={result.page > 1 ? `${title}（第 ${result.page} 页）` : title} breadcrumbs={crumbs} wide>
      <h1 class="heading-xl">{title}</h1>
      <SearchBox />
      <AudienceLinks result={result} />
      {unknown ? (
        <Notice tone="warning" title={`没有找到${unknown}`}>
          <p>
            链接可能有误。您可以<a href="/services">浏览全部办事服务</a>，或用上面的搜索框查找。
          </p>
        </Notice>
      ) : null}
      {filtered ? (
        <section aria-labelledby="list-title">
          <h2 class="heading-m" id="list-title">
            共 {result.total} 个事项
            {filters.audience ? `（${AUDIENCE_NAMES[filters.audience]}）` : ''}
          </h2>
          {result.total === 0 ? <p>这里暂时没有事项。</p> : <ItemList items={result.items} label={`${title}列表`} />}
          <Pagination page={result.page} pageCount={result.pageCount} href={pageHref} />
          <p>
            <a href={servicesHref({ audience: filters.audience })}>查看全部主题和部门</a>
          </p>
        </section>
      ) : (
        <>
          <section aria-labelledby="topics-title">
            <h2 class="heading-l" id="topics-title">
              按主题查找
            </h2>
            {(['person', 'enterprise'] as const)
              .filter((a) => !filters.audience || filters.audience === a)
              .map((a) => (
                <div key={a}>
                  <h3 class="heading-m">{a === 'person' ? '个人办事：生活中的事' : '法人办事：经营中的事'}</h3>
                  <TopicTiles
                    topics={result.topics.filter((t) => t.audience === a)}
                    label={`${AUDIENCE_NAMES[a]}主题`}
                  />
                </div>
              ))}
          </section>
          <section aria-labelledby="departments-title">
            <h2 class="heading-l" id="departments-title">
              按部门查找
            </h2>
            <ul class="department-list">
              {result.departments.map((d) => (
                <li key={d.code}>
                  <a href={servicesHref({ audience: filters.audience, department: d.code })}>{d.shortName}</a>
                  <span class="department-list__count">（{d.count} 个事项）</span>
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="all-title">
            <h2 class="heading-l" id="all-title">
              全部事项（{result.total} 个）
            </h2>
            <p class="hint">按名称拼音排序，每页 {result.pageSize} 个。</p>
            {result.items.length === 0 ? (
              <PastTheEnd href={pageHref(1)} />
            ) : (
              <ItemList items={result.items} label="全部事项列表" />
            )}
            <Pagination page={result.page} pageCount={result.pageCount} href={pageHref} />
          </section>
        </>
      )}
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// Search results

const EXAMPLE_QUERIES = ['开饭店', '身份证', '社保卡丢了', '生孩子', '退休', '开公司']

function FilterGroup({
  title,
  options,
  selected,
  href,
  exact,
}: {
  title: string
  options: FacetCount[]
  selected: string | undefined
  href: (value: string | undefined) => string
  exact: boolean
}) {
  if (options.length === 0 && !selected) return null
  return (
    <div class="filter-group">
      <h3 class="heading-s">{title}</h3>
      <ul class="filter-group__list">
        {selected ? (
          <li>
            <a class="filter-group__link" href={href(undefined)}>
              不限
            </a>
          </li>
        ) : null}
        {options.map((o) => (
          <li key={o.value}>
            <a class="filter-group__link" href={href(o.value)} aria-current={o.value === selected ? 'true' : undefined}>
              {o.label}
              {exact ? <span class="filter-group__count">（{o.count}）</span> : null}
              {o.value === selected ? <span class="visually-hidden">（已选）</span> : null}
            </a>
          </li>
        ))}
      </ul>
    </div>
  )
}

function NoResults({ result }: { result: ItemSearchResult }) {
  const filtered = Boolean(result.filters.audience || result.filters.department || result.filters.topic)
  return (
    <div class="no-results">
      <h2 class="heading-m">没有找到与「{result.query}」有关的事项</h2>
      <p>您可以试试：</p>
      <ul class="list list--bullet">
        <li>检查有没有错别字，或少用几个词；</li>
        <li>
          换一种说法，比如
          {EXAMPLE_QUERIES.slice(0, 3).map((q, i) => (
            <span key={q}>
              {i > 0 ? '、' : ''}「<a href={searchHref({ q })}>{q}</a>」
            </span>
          ))}
          ；也可以输入拼音首字母，如 spjy（食品经营）；
        </li>
        {filtered ? (
          <li>
            <a href={searchHref({ q: result.query })}>去掉筛选条件再搜索</a>；
          </li>
        ) : null}
        <li>
          按部门或主题<a href="/services">浏览全部办事服务</a>，或看看<a href="/themes">「一件事」主题服务</a>；
        </li>
        <li>
          拨打政务服务便民热线 <a href="tel:12345">12345</a>，工作人员帮您查找。
        </li>
      </ul>
    </div>
  )
}

function SearchHit({ hit }: { hit: ItemSearchResult['hits'][number] }) {
  return (
    <li class="item-list__item search-hit">
      <h3 class="heading-s item-list__title">
        <a href={guideHref(hit.item.itemId)}>
          <Highlighted segments={hit.title} />
        </a>
      </h3>
      <ItemMeta item={hit.item} />
      {hit.snippet.length > 0 ? (
        <p class="item-list__summary search-hit__snippet">
          <Highlighted segments={hit.snippet} />
        </p>
      ) : null}
    </li>
  )
}

/** /search: results with highlighted words, filters as links, help when nothing is found. */
export function SearchPage({ result }: { result: ItemSearchResult }) {
  const { query, filters } = result
  const title = query ? `搜索：${query}` : '搜索办事事项'
  const crumbs: Breadcrumb[] = [{ href: '/', label: '首页' }, { label: '搜索' }]
  const link = (changes: Partial<typeof filters> & { page?: number }) =>
    searchHref({ q: query, ...filters, page: undefined, ...changes })
  const exact = !result.truncated
  const firstNumber = (result.page - 1) * result.pageSize + 1
  return (
    <Layout title={result.page > 1 ? `${title}（第 ${result.page} 页）` : title} breadcrumbs={crumbs} wide>
      <h1 class="heading-xl">搜索办事事项</h1>
      <SearchBox value={query} />
      {!query ? (
        <section aria-labelledby="examples-title">
          <h2 class="heading-m" id="examples-title">
            大家常搜
          </h2>
          <ul class="example-queries">
            {EXAMPLE_QUERIES.map((q) => (
              <li key={q}>
                <a class="example-queries__link" href={searchHref({ q })}>
                  {q}
                </a>
              </li>
            ))}
          </ul>
          <p>
            也可以<a href="/services">按部门或主题浏览办事服务</a>。
          </p>
        </section>
      ) : (
        <div class="search-layout">
          <div class="search-layout__results">
            <p class="search-status" role="status">
              {result.total > 0
                ? `找到 ${result.total} 个与「${query}」有关的事项`
                : `没有找到与「${query}」有关的事项`}
            </p>
            {result.matched === 'any' ? (
              <Notice title="没有同时包含所有词语的事项，以下是部分匹配的结果">
                <p>您可以减少几个词语，或换一种说法再试。</p>
              </Notice>
            ) : null}
            {result.truncated ? (
              <p class="hint">结果较多，只列出最相关的 {SEARCH_WINDOW} 个，可以用筛选缩小范围。</p>
            ) : null}
            {result.hits.length > 0 ? (
              <>
                <h2 class="visually-hidden">搜索结果</h2>
                <ol class="item-list search-results" start={firstNumber} aria-label="搜索结果">
                  {result.hits.map((hit) => (
                    <SearchHit hit={hit} key={hit.item.itemId} />
                  ))}
                </ol>
                <Pagination page={result.page} pageCount={result.pageCount} href={(page) => link({ page })} />
              </>
            ) : result.total > 0 ? (
              <PastTheEnd href={link({ page: 1 })} />
            ) : (
              <NoResults result={result} />
            )}
          </div>
          {result.total > 0 || filters.audience || filters.department || filters.topic ? (
            <aside class="search-layout__filters" aria-labelledby="filters-title">
              <h2 class="heading-m" id="filters-title">
                缩小范围
              </h2>
              <FilterGroup
                title="办事对象"
                options={result.facets.audience}
                selected={filters.audience}
                href={(audience) => link({ audience: audience as Audience | undefined })}
                exact={exact}
              />
              <FilterGroup
                title="主题"
                options={result.facets.topic}
                selected={filters.topic}
                href={(topic) => link({ topic })}
                exact={exact}
              />
              <FilterGroup
                title="部门"
                options={result.facets.department}
                selected={filters.department}
                href={(department) => link({ department })}
                exact={exact}
              />
              {filters.audience || filters.department || filters.topic ? (
                <p>
                  <a href={searchHref({ q: query })}>清除全部筛选</a>
                </p>
              ) : null}
            </aside>
          ) : null}
        </div>
      )}
    </Layout>
  )
}

// ---------------------------------------------------------------------------------------------
// "一件事" themes

/** /themes: every published theme, for persons and for enterprises. */
export function ThemesPage({ themes }: { themes: ThemeSummary[] }) {
  const groups: { title: string; list: ThemeSummary[] }[] = [
    { title: '个人的一件事', list: themes.filter((t) => t.serverType !== '法人') },
    { title: '企业的一件事', list: themes.filter((t) => t.serverType === '法人') },
  ]
  return (
    <Layout title="一件事 一次办" breadcrumbs={[{ href: '/', label: '首页' }, { label: '一件事' }]}>
      <h1 class="heading-xl">一件事 一次办</h1>
      <p class="lead">
        生孩子、开饭店、退休……一件事往往要找好几个部门。回答几个问题，我们告诉您要办哪些事项、各要什么材料。
      </p>
      {themes.length === 0 ? <p>暂时没有主题服务。</p> : null}
      {groups
        .filter((g) => g.list.length > 0)
        .map((g) => (
          <section key={g.title} aria-label={g.title}>
            <h2 class="heading-l">{g.title}</h2>
            <ThemeCards themes={g.list} />
          </section>
        ))}
    </Layout>
  )
}

function ThemeResults({ outcome }: { outcome: ThemeOutcome }) {
  const applyHref = themeApplyHref(outcome.theme.code, outcome.answers)
  return (
    <section class="theme-results" aria-labelledby="theme-results-title" id="results">
      <h2 class="heading-l" id="theme-results-title">
        您需要办理 {outcome.items.length} 个事项
      </h2>
      {outcome.items.length === 0 ? (
        <p>按您的回答，不需要办理本主题中的事项。如有疑问，请拨打 12345 咨询。</p>
      ) : (
        <ol class="theme-items">
          {outcome.items.map(({ ref, item }) => (
            <li class="theme-items__item" key={item.itemId}>
              <h3 class="heading-s item-list__title">
                <a href={guideHref(item.itemId)}>{item.taskName}</a>
              </h3>
              <ItemMeta item={item} />
              {ref.note ? <p class="theme-items__note">{ref.note}</p> : null}
            </li>
          ))}
        </ol>
      )}
      {outcome.items.length > 0 ? (
        <div class="guide-actions">
          {applyHref ? (
            <a class="button button--primary" href={applyHref}>
              一次申请
            </a>
          ) : (
            <>
              <button class="button button--primary" type="button" disabled aria-describedby="theme-apply-soon">
                一次申请（即将开通）
              </button>
              <p class="hint" id="theme-apply-soon">
                「一次申请」即将开通。现在请逐项打开办事指南，按指南准备材料、办理。
              </p>
            </>
          )}
        </div>
      ) : null}
    </section>
  )
}

/**
 * One theme: its questions as radios in a GET form (works without JavaScript, bookmarkable);
 * once every question is answered, the items that apply.
 */
export function ThemePage({ outcome, submitted }: { outcome: ThemeOutcome; submitted: boolean }) {
  const { theme } = outcome
  const missing = submitted && !outcome.complete ? outcome.unanswered : []
  const errors = missing.map((q) => ({ field: q.code, message: `请回答：${q.text}` }))
  const errorOf = new Map(errors.map((e) => [e.field, e.message]))
  const questions: ComponentChildren = (
    <Form action={`/themes/${theme.code}`} method="get" class="theme-form">
      <input type="hidden" name="submitted" value="1" />
      {theme.questions.map((q) => (
        <Radios
          key={q.code}
          name={q.code}
          legend={q.text}
          hint={q.hint}
          error={errorOf.get(q.code)}
          value={outcome.answers[q.code]}
          options={q.options}
          inline={q.options.length === 2 && q.options.every((o) => o.label.length <= 2)}
        />
      ))}
      <Button>{outcome.complete ? '按新的回答查看' : '查看需要办理的事项'}</Button>
    </Form>
  )
  return (
    <Layout
      title={
        errors.length > 0 ? `错误：${theme.name}` : outcome.complete ? `${theme.name}：需要办理的事项` : theme.name
      }
      breadcrumbs={[{ href: '/', label: '首页' }, { href: '/themes', label: '一件事' }, { label: theme.name }]}
    >
      <ErrorSummary errors={errors} title="还有问题没有回答" />
      <h1 class="heading-xl">{theme.name}</h1>
      <p class="lead">{theme.summary}</p>
      {outcome.complete ? (
        <>
          <ThemeResults outcome={outcome} />
          <section aria-labelledby="theme-questions-title">
            <h2 class="heading-m" id="theme-questions-title">
              修改您的回答
            </h2>
            {questions}
          </section>
        </>
      ) : (
        <section aria-labelledby="theme-questions-title">
          <h2 class="heading-m" id="theme-questions-title">
            回答 {theme.questions.length} 个问题
          </h2>
          <p>我们根据您的回答列出需要办理的事项。回答只用于筛选事项，不会保存。</p>
          {questions}
        </section>
      )}
    </Layout>
  )
}
