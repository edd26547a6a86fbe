/**
 * `reply.page(<SomePage …/>)` renders a server-side page with everything the shell needs
 * from the request: 长者模式, CSRF token, navigation, the logged-in person, asset URLs.
 *
 * `reply.publicPage(key, version, render)` does the same for a page that every anonymous visitor
 * sees alike (a guide, search results): rendered once per key and version, kept compressed, and
 * sent again as it is (see "The anonymous page cache" below).
 */
import { createHash, randomBytes } from 'node:crypto'
import { brotliCompressSync, constants, gunzipSync, gzipSync } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import type { VNode } from 'preact'
import type { KioskContext, NavItem, PageContext, PageUser } from '../ui/context.js'
import { renderPage } from '../ui/render.js'
import type { AssetManifest } from './assets.js'
import { preferredEncoding } from './encoding.js'

export const ELDER_COOKIE = 'yw_elder'

export interface PagesOptions {
  assets: AssetManifest
  siteName: string
  /** The navigation for this request (it may depend on who is logged in). */
  nav: (request: FastifyRequest) => NavItem[]
  /** The person shown in the header, when logged in. */
  user: (request: FastifyRequest) => PageUser | undefined
  /** The kiosk terminal the request comes from, if any (自助终端). */
  kiosk?: (request: FastifyRequest) => KioskContext | undefined
  /** Bytes the anonymous page cache may hold; 0 turns it off (every page rendered anew). */
  cacheBytes?: number
}

/** What a public page's render gives: the page and its status (200 unless said). */
export interface PublicPage {
  vnode: VNode
  status?: number
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page component as a full HTML document and sends it. */
    page(vnode: VNode, status?: number): FastifyReply
    /**
     * Sends a page that is the same for every anonymous visitor of this path and `key`, as long
     * as `version` (a stamp of the data it shows) is the same: from the anonymous page cache, or
     * rendered by `render` and kept. A logged-in person, a kiosk or a cache turned off always get
     * `render` rendered for them. Errors thrown by `render` are not kept.
     */
    publicPage(key: string, version: string, render: () => Promise<PublicPage>): Promise<FastifyReply>
    /** The page context of this request (built once). */
    pageContext(): PageContext
  }
  interface FastifyInstance {
    /**
     * Renders ahead, for anonymous visitors, the page `reply.publicPage(key, version, render)` would
     * keep at `path` (not 长者模式), unless it is kept with this version for at least `freshMs`
     * more. Answers what it did; 'full' (nothing rendered) when the cache is over 80% of its bound,
     * so that rendering ahead never pushes out pages people actually visit; 'personal' when the
     * page carries a form with a CSRF token, which is every visitor's own (it is never kept).
     */
    keepPublicPage(
      path: string,
      key: string,
      version: string,
      render: () => Promise<PublicPage>,
      freshMs: number,
    ): Promise<'rendered' | 'fresh' | 'full' | 'off' | 'personal'>
    /** Whether the anonymous page of `path` and `key` is kept with this version (not 长者模式). */
    keptPublicPage(path: string, key: string, version: string): boolean
  }
  interface FastifyRequest {
    /** true when the person chose 长者模式 (cookie, or their account preference). */
    elderMode(): boolean
  }
}

/**
 * The anonymous page cache.
 *
 * Kept: the whole HTML document, compressed once (gzip and brotli), for anonymous, non-kiosk GET
 * requests only; keyed by 长者模式, path and the route's key, and checked against the version the
 * route gives on every request. Such a page holds nothing of the visitor: an anonymous page's
 * 长者模式 switch is a GET form (layout.tsx), so a visitor who only reads gets no cookie at all. A
 * page that does carry a form with a CSRF token (every visitor's own) is never kept: it is
 * rendered for each request, as for a logged-in person, who never reads or fills the cache.
 *
 * Bounded: at most `cacheBytes` of pages (both encodings counted; least recently used dropped
 * first), and each page at most PAGE_MAX_AGE_MS old, so that anything its route's version does
 * not cover (a department's name) is shown within that time.
 *
 * Browsers may keep such a page (`private, no-cache`) and ask again with its ETag, which names
 * the page's version and content: 304 while both are unchanged. Logged-in pages stay `no-store`.
 */
export const PAGE_MAX_AGE_MS = 5 * 60_000

/**
 * Brotli's quality for kept pages: a 23 KB guide takes 5.5 KB in ~1 ms, against 6.4 KB for gzip
 * at its best and 5.0 KB for brotli's best in ~50 ms (too slow for 5,000 guides rendered ahead).
 */
const BROTLI_QUALITY = 5

interface CachedPage {
  version: string
  status: number
  /** The document gzip-encoded, for browsers that do not take brotli (and inflated for the rare client without gzip). */
  gzip: Buffer
  /** The document brotli-encoded, for browsers that take it (all current ones over HTTPS). */
  brotli: Buffer
  /** Weak ETag naming the version and the content. */
  etag: string
}

/** A public page rendered for the cache: kept, or — carrying a visitor's own CSRF token — rendered for each request. */
type ForCache = { kept: CachedPage; personal?: undefined } | { kept?: undefined; personal: PublicPage }

const ANONYMOUS_CACHE_CONTROL = 'private, no-cache'

export function registerPages(app: FastifyInstance, options: PagesOptions): void {
  const contexts = new WeakMap<FastifyReply, PageContext>()

  /**
   * The page context of a request. Its CSRF token is worked out when a form first asks for it, so
   * that a page without a form posting here sets no cookie for a visitor who has none.
   */
  const contextOf = (request: FastifyRequest, csrfToken: () => string): PageContext => {
    let token: string | undefined
    return {
      path: request.url.split('?')[0] ?? '/',
      elder: request.elderMode(),
      get csrfToken() {
        token ??= csrfToken()
        return token
      },
      nav: options.nav(request),
      user: options.user(request),
      kiosk: options.kiosk?.(request),
      asset: options.assets.url,
      siteName: options.siteName,
    }
  }

  const csrfOf = (reply: FastifyReply): string => {
    try {
      return reply.csrfToken()
    } catch {
      // Without a CSRF secret the page still renders; posting it will ask for a refresh.
      return ''
    }
  }

  app.decorateRequest('elderMode', function (this: FastifyRequest) {
    return this.cookies?.[ELDER_COOKIE] === '1'
  })

  app.decorateReply('pageContext', function (this: FastifyReply) {
    const cached = contexts.get(this)
    if (cached) return cached
    const ctx = contextOf(this.request, () => csrfOf(this))
    contexts.set(this, ctx)
    return ctx
  })

  app.decorateReply('page', function (this: FastifyReply, vnode: VNode, status = 200) {
    const html = renderPage(this.pageContext(), vnode)
    this.header('cache-control', 'no-store')
    return this.code(status).type('text/html; charset=utf-8').send(html)
  })

  const cacheBytes = options.cacheBytes ?? 0
  const cache =
    cacheBytes > 0
      ? new LRUCache<string, CachedPage>({
          maxSize: cacheBytes,
          sizeCalculation: (page) => page.gzip.length + page.brotli.length,
          ttl: PAGE_MAX_AGE_MS,
        })
      : undefined
  /** Renders under way, so that a page asked for by many at once is rendered once. */
  const rendering = new Map<string, Promise<ForCache>>()
  // Letters and digits only: HTML escaping and encodeURIComponent leave it as it is. Random per
  // process, so no page content can contain it. A page rendered for the cache with this as its
  // CSRF token and found to contain it has a form posting here: it is not kept.
  const slot = `ywcsrf${randomBytes(12).toString('hex')}`

  const anonymous = (request: FastifyRequest) =>
    (request.method === 'GET' || request.method === 'HEAD') && !options.user(request) && !options.kiosk?.(request)

  const renderForCache = async (
    request: FastifyRequest,
    version: string,
    render: () => Promise<PublicPage>,
  ): Promise<ForCache> => {
    const rendered = await render()
    const html = renderPage(
      contextOf(request, () => slot),
      rendered.vnode,
    )
    if (html.includes(slot)) return { personal: rendered }
    const document = Buffer.from(html, 'utf8')
    const digest = createHash('sha256').update(version).update('\n').update(document).digest('base64url').slice(0, 22)
    return {
      kept: {
        version,
        status: rendered.status ?? 200,
        gzip: gzipSync(document, { level: 9 }),
        brotli: brotliCompressSync(document, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: document.length,
          },
        }),
        etag: `W/"${digest}"`,
      },
    }
  }

  /** The page of `cacheKey` at `version`, rendered (once, however many ask at the same time) and kept if it can be. */
  const keep = async (
    cacheKey: string,
    version: string,
    request: FastifyRequest,
    render: () => Promise<PublicPage>,
  ): Promise<ForCache> => {
    const pending = `${cacheKey}\n${version}`
    let promise = rendering.get(pending)
    if (!promise) {
      promise = renderForCache(request, version, render).finally(() => rendering.delete(pending))
      rendering.set(pending, promise)
    }
    const result = await promise
    if (cache && result.kept && cache.get(cacheKey)?.version !== version) cache.set(cacheKey, result.kept)
    return result
  }

  app.decorate(
    'keptPublicPage',
    (path: string, key: string, version: string) => cache?.peek(`plain ${path}\n${key}`)?.version === version,
  )

  app.decorate(
    'keepPublicPage',
    async (path: string, key: string, version: string, render: () => Promise<PublicPage>, freshMs: number) => {
      if (!cache) return 'off' as const
      const cacheKey = `plain ${path}\n${key}`
      const kept = cache.peek(cacheKey)
      if (kept?.version === version && cache.getRemainingTTL(cacheKey) > freshMs) return 'fresh' as const
      if (cache.calculatedSize > 0.8 * cacheBytes) return 'full' as const
      // An anonymous first visit of `path`: what the page context reads of a request.
      const visitor = {
        method: 'GET',
        url: path,
        headers: {},
        cookies: {},
        principal: undefined,
        elderMode: () => false,
      } as unknown as FastifyRequest
      cache.delete(cacheKey) // so that a page near its end of life is kept anew with a full lifetime
      const result = await keep(cacheKey, version, visitor, render)
      return result.kept ? ('rendered' as const) : ('personal' as const)
    },
  )

  app.decorateReply(
    'publicPage',
    async function (this: FastifyReply, key: string, version: string, render: () => Promise<PublicPage>) {
      const request = this.request
      if (!cache || !anonymous(request)) {
        const { vnode, status } = await render()
        return this.page(vnode, status)
      }
      const cacheKey = `${request.elderMode() ? 'elder' : 'plain'} ${request.url.split('?')[0]}\n${key}`
      let page = cache.get(cacheKey)
      if (!page || page.version !== version) {
        const result = await keep(cacheKey, version, request, render)
        if (!result.kept) return this.page(result.personal.vnode, result.personal.status)
        page = result.kept
      }
      this.header('cache-control', ANONYMOUS_CACHE_CONTROL)
        .header('vary', 'Cookie, Accept-Encoding')
        .header('etag', page.etag)
      if (page.status === 200 && ifNoneMatch(request.headers['if-none-match'], page.etag)) return this.code(304).send()
      this.code(page.status).type('text/html; charset=utf-8')
      const encoding = preferredEncoding(request.headers['accept-encoding'])
      if (encoding === 'br') return this.header('content-encoding', 'br').send(page.brotli)
      if (encoding === 'gzip') return this.header('content-encoding', 'gzip').send(page.gzip)
      return this.send(gunzipSync(page.gzip))
    },
  )
}

/** True when an If-None-Match header names this ETag (weak comparison, lists and * allowed). */
function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false
  if (header.trim() === '*') return true
  const bare = etag.replace(/^W\//, '')
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare)
}
