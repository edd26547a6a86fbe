/**
 * The public pages of the catalog: 办事服务 (/services), the guide of an item and its print
 * version, versions and downloads, search (/search) and the "一件事" themes (/themes). Anyone
 * may read them; nothing here changes anything.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../../platform/deps.js'
import { contentDisposition, fileNotFound } from '../../platform/files/files.js'
import type { PublicPage } from '../../platform/http/pages.js'
import { SearchPage, ServicesPage, ThemePage, ThemesPage } from './catalog.browse.pages.js'
import { itemNotFound, versionNotFound } from './catalog.errors.js'
import { GuidePage, OldVersionPage, PrintGuidePage, VersionsPage, WithdrawnPage } from './catalog.guide.pages.js'
import {
  BrowseQuery,
  FileParams,
  guideHref,
  ItemParams,
  SearchQuery,
  ThemeParams,
  ThemeQuery,
  VersionParams,
} from './catalog.public.schemas.js'
import {
  browseItems,
  catalogVersion,
  cleanQuery,
  findGuide,
  findPublicTheme,
  findPublicVersion,
  findPublishedFile,
  findVersionHistory,
  type Guide,
  guideFiles,
  listPublicThemes,
  publishedItemIds,
  resolveTheme,
  searchItems,
  themeNotFound,
} from './catalog.read.js'

const PUBLIC = { policy: { public: true } } as const

/** How often the guides rendered ahead are looked over. */
export const PRERENDER_ROUND_MS = 30_000

/**
 * Renders every published guide ahead into the anonymous page cache, so that no visitor waits
 * for a first render (~2–3 ms of CPU each; a catalog of 5,000 items at once after a change):
 * a round after the server starts listening and then every PRERENDER_ROUND_MS, rendering the
 * guides not kept with the catalog's current version or about to reach the end of their
 * lifetime (PAGE_MAX_AGE_MS), one at a time, letting requests in between. A round stops when the
 * catalog changes under it (the next round starts over with the new version) and when the cache is
 * over 80% full. Per process, as the cache is.
 */
function prerenderGuides(scope: FastifyInstance, deps: Deps, render: (itemId: string) => Promise<PublicPage>) {
  let timer: NodeJS.Timeout | undefined
  let running = false
  let closed = false
  const round = async () => {
    if (running || closed) return
    running = true
    let rendered = 0
    const started = performance.now()
    try {
      const version = await catalogVersion(deps.db)
      for (const itemId of await publishedItemIds(deps.db)) {
        if (closed || (await catalogVersion(deps.db)) !== version) break
        // An item withdrawn or changed since the list was read: skipped, the rest go on.
        const done = await scope
          .keepPublicPage(
            `/services/${itemId}`,
            `guide ${itemId}`,
            version,
            () => render(itemId),
            2 * PRERENDER_ROUND_MS,
          )
          .catch(() => 'skipped' as const)
        if (done === 'full' || done === 'off') break
        if (done === 'rendered') {
          rendered++
          await new Promise((resolve) => setImmediate(resolve))
        }
      }
      if (rendered > 0) {
        scope.log.info(
          { rendered, ms: Math.round(performance.now() - started) },
          '办事指南已预先生成 / guides rendered ahead',
        )
      }
    } catch (error) {
      if (!closed) scope.log.warn({ err: error }, '预先生成办事指南失败 / rendering guides ahead failed')
    } finally {
      running = false
    }
  }
  scope.addHook('onListen', async () => {
    void round()
    timer = setInterval(() => void round(), PRERENDER_ROUND_MS)
    timer.unref()
  })
  scope.addHook('onClose', async () => {
    closed = true
    if (timer) clearInterval(timer)
  })
}

/** The files a page may link to: only those of the published version are ever served. */
function downloadableOf(guide: Guide | undefined): ReadonlySet<string> {
  return new Set(guide && guide.state === 'published' ? guideFiles(guide.elements).map((f) => f.sha256) : [])
}

/** Blank forms do not change under a hash; an hour's cache spares the server and the person's data plan. */
const FILE_CACHE = 'public, max-age=3600'

export function registerCatalogPublicRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const { db } = deps

  const renderGuide = async (itemId: string): Promise<PublicPage> => {
    const found = await findGuide(db, itemId)
    if (found.kind === 'missing') throw itemNotFound()
    if (found.kind === 'withdrawn') return { vnode: WithdrawnPage({ guide: found.guide }), status: 410 }
    return { vnode: GuidePage({ guide: found.guide, downloadable: downloadableOf(found.guide) }) }
  }

  // ----- 办事服务 -------------------------------------------------------------------------------

  app.get('/services', { schema: { hide: true, querystring: BrowseQuery }, config: PUBLIC }, async (request, reply) => {
    const { audience, department, topic, page } = request.query
    const result = await browseItems(db, { audience, department, topic }, page ?? 1)
    const unknown =
      department && !result.department ? '这个部门的事项' : topic && !result.topic ? '这个主题的事项' : undefined
    return reply.page(ServicesPage({ result, unknown }), unknown ? 404 : 200)
  })

  // ----- the guide ------------------------------------------------------------------------------

  app.get(
    '/services/:itemId',
    { schema: { hide: true, params: ItemParams }, config: PUBLIC },
    async (request, reply) => {
      const { itemId } = request.params
      // The same for every anonymous visitor until the catalog changes: kept (docs/performance.md).
      return reply.publicPage(`guide ${itemId}`, await catalogVersion(db), () => renderGuide(itemId))
    },
  )
  if (deps.config.prerenderGuides) prerenderGuides(scope, deps, renderGuide)

  app.get(
    '/services/:itemId/print',
    { schema: { hide: true, params: ItemParams }, config: PUBLIC },
    async (request, reply) => {
      const found = await findGuide(db, request.params.itemId)
      if (found.kind === 'missing') throw itemNotFound()
      if (found.kind === 'withdrawn') return reply.page(WithdrawnPage({ guide: found.guide }), 410)
      return reply.page(
        PrintGuidePage({
          guide: found.guide,
          downloadable: downloadableOf(found.guide),
          printedAt: deps.clock.now(),
          guideUrl: `${deps.config.baseUrl}${guideHref(found.guide.itemId)}`,
        }),
      )
    },
  )

  app.get(
    '/services/:itemId/versions',
    { schema: { hide: true, params: ItemParams }, config: PUBLIC },
    async (request, reply) => {
      const history = await findVersionHistory(db, request.params.itemId)
      if (!history) throw itemNotFound()
      return reply.page(VersionsPage({ history }))
    },
  )

  app.get(
    '/services/:itemId/versions/:version',
    { schema: { hide: true, params: VersionParams }, config: PUBLIC },
    async (request, reply) => {
      const { itemId, version } = request.params
      const [guide, current] = await Promise.all([findPublicVersion(db, itemId, version), findGuide(db, itemId)])
      if (!guide) throw versionNotFound()
      // The version in force is the guide itself, not history.
      if (guide.state === 'published') return reply.redirect(guideHref(itemId), 303)
      const published = current.kind === 'published' ? current.guide : undefined
      return reply.page(OldVersionPage({ guide, downloadable: downloadableOf(published) }))
    },
  )

  /**
   * A blank form, sample or result sample of the published version. The hash must be one the
   * published guide lists for this item: the store holds everyone's files, and only these are
   * public.
   */
  app.get(
    '/services/:itemId/files/:sha256',
    { schema: { hide: true, params: FileParams }, config: PUBLIC },
    async (request, reply) => {
      const { itemId } = request.params
      const sha256 = request.params.sha256.toLowerCase()
      const file = /^[0-9a-f]{64}$/.test(sha256) ? await findPublishedFile(db, itemId, sha256) : undefined
      if (!file) throw fileNotFound()
      const etag = `"${file.sha256}"`
      reply.header('etag', etag).header('cache-control', FILE_CACHE)
      if (request.headers['if-none-match'] === etag) return reply.code(304).send()
      const content = await deps.files.get(file.sha256)
      reply
        .type(content.mime)
        .header('content-length', String(content.size))
        .header('content-disposition', contentDisposition(file.fileName))
      if (request.method === 'HEAD') {
        content.stream.destroy()
        return reply.send()
      }
      return reply.send(content.stream)
    },
  )

  // ----- search ---------------------------------------------------------------------------------

  app.get('/search', { schema: { hide: true, querystring: SearchQuery }, config: PUBLIC }, async (request, reply) => {
    const { q, audience, department, topic, page } = request.query
    // Results depend only on the cleaned query, the filters and the catalog: kept per version.
    const key = JSON.stringify(['search', cleanQuery(q), audience ?? '', department ?? '', topic ?? '', page ?? 1])
    return reply.publicPage(key, await catalogVersion(db), async () => {
      const result = await searchItems(db, q ?? '', { audience, department, topic }, page ?? 1)
      return { vnode: SearchPage({ result }) }
    })
  })

  // ----- "一件事" themes -------------------------------------------------------------------------

  app.get('/themes', { schema: { hide: true }, config: PUBLIC }, async (_request, reply) =>
    reply.page(ThemesPage({ themes: await listPublicThemes(db) })),
  )

  app.get(
    '/themes/:code',
    { schema: { hide: true, params: ThemeParams, querystring: ThemeQuery }, config: PUBLIC },
    async (request, reply) => {
      const theme = await findPublicTheme(db, request.params.code)
      if (!theme) throw themeNotFound()
      const answers = request.query as Record<string, string | undefined>
      const outcome = await resolveTheme(db, theme, answers)
      const submitted = answers.submitted === '1' || Object.keys(outcome.answers).length > 0
      return reply.page(ThemePage({ outcome, submitted }))
    },
  )
}
