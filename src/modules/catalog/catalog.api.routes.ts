/**
 * The public catalog as JSON (/api/items, /api/search, /api/themes): for department systems,
 * apps and the search box's type-ahead. Read only and open to anyone; every response goes
 * through a presenter that names its fields (catalog.public.schemas.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../../platform/deps.js'
import { itemNotFound } from './catalog.errors.js'
import { TASK_TYPES } from './catalog.model.js'
import {
  BrowseQuery,
  ErrorBody,
  guideHref,
  ItemDetailOut,
  ItemListOut,
  ItemParams,
  presentItemDetail,
  presentSearch,
  presentSummary,
  presentThemeOutcome,
  presentThemeSummary,
  presentVersionList,
  SearchOut,
  SearchQuery,
  SuggestOut,
  SuggestQuery,
  ThemeDetailOut,
  ThemeListOut,
  ThemeParams,
  ThemeQuery,
  VersionListOut,
} from './catalog.public.schemas.js'
import {
  browseItems,
  findGuide,
  findPublicTheme,
  findVersionHistory,
  ITEM_WITHDRAWN_MESSAGE,
  listPublicThemes,
  resolveTheme,
  searchItems,
  suggestItems,
  themeNotFound,
} from './catalog.read.js'

const PUBLIC = { policy: { public: true } } as const
const TAGS = ['catalog']
/** Suggestions change only when an item is published: browsers may keep them a few minutes. */
const SUGGEST_CACHE = 'public, max-age=300'

export function registerCatalogApiRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const { db } = deps

  app.get(
    '/api/items',
    {
      schema: {
        tags: TAGS,
        summary: '事项列表',
        description: '已发布的政务服务事项，按名称拼音排序，每页 20 个；可按办事对象、部门、主题筛选。',
        querystring: BrowseQuery,
        response: { 200: ItemListOut },
      },
      config: PUBLIC,
    },
    async (request) => {
      const { audience, department, topic, page } = request.query
      const result = await browseItems(db, { audience, department, topic }, page ?? 1)
      return {
        items: result.items.map(presentSummary),
        total: result.total,
        page: result.page,
        pageSize: result.pageSize,
        pageCount: result.pageCount,
      }
    },
  )

  app.get(
    '/api/items/:itemId',
    {
      schema: {
        tags: TAGS,
        summary: '事项办事指南',
        description:
          '事项现行（已发布）版本的全部要素，字段名采用国家政务服务事项交换字段（如 taskName、acceptCondition、promiseDay）。已撤销的事项返回 410。',
        params: ItemParams,
        response: { 200: ItemDetailOut, 404: ErrorBody, 410: ErrorBody },
      },
      config: PUBLIC,
    },
    async (request, reply) => {
      const found = await findGuide(db, request.params.itemId)
      if (found.kind === 'missing') throw itemNotFound()
      if (found.kind === 'withdrawn') {
        return reply.code(410).send({ error: { code: 'ITEM_WITHDRAWN', message: ITEM_WITHDRAWN_MESSAGE, details: [] } })
      }
      return presentItemDetail(found.guide, TASK_TYPES[found.guide.elements.taskType])
    },
  )

  app.get(
    '/api/items/:itemId/versions',
    {
      schema: {
        tags: TAGS,
        summary: '事项的历史版本',
        description: '事项发布过的全部版本（现行、已被替代、已撤销），新版本在前；不含草稿和审核中的版本。',
        params: ItemParams,
        response: { 200: VersionListOut, 404: ErrorBody },
      },
      config: PUBLIC,
    },
    async (request) => {
      const history = await findVersionHistory(db, request.params.itemId)
      if (!history) throw itemNotFound()
      return presentVersionList(history)
    },
  )

  app.get(
    '/api/search',
    {
      schema: {
        tags: TAGS,
        summary: '搜索事项',
        description:
          '用平常的话搜索事项：支持俗称（开饭店 → 食品经营许可）、同义词和拼音首字母（spjy）。先找同时包含全部词语的事项，没有时返回包含部分词语的（matched = any）。每页 10 个，最多翻看最相关的 100 个。',
        querystring: SearchQuery,
        response: { 200: SearchOut },
      },
      config: PUBLIC,
    },
    async (request) => {
      const { q, audience, department, topic, page } = request.query
      return presentSearch(await searchItems(db, q ?? '', { audience, department, topic }, page ?? 1))
    },
  )

  app.get(
    '/api/search/suggest',
    {
      schema: {
        tags: TAGS,
        summary: '搜索提示',
        description: '按已输入的文字（或拼音首字母）提示事项名称，最多 8 个。结果可缓存 5 分钟。',
        querystring: SuggestQuery,
        response: { 200: SuggestOut },
      },
      config: PUBLIC,
    },
    async (request, reply) => {
      const suggestions = await suggestItems(db, request.query.q ?? '')
      reply.header('cache-control', SUGGEST_CACHE)
      return {
        suggestions: suggestions.map((s) => ({ itemId: s.itemId, title: s.title, url: guideHref(s.itemId) })),
      }
    },
  )

  app.get(
    '/api/themes',
    {
      schema: {
        tags: TAGS,
        summary: '「一件事」主题列表',
        response: { 200: ThemeListOut },
      },
      config: PUBLIC,
    },
    async () => ({ themes: (await listPublicThemes(db)).map(presentThemeSummary) }),
  )

  app.get(
    '/api/themes/:code',
    {
      schema: {
        tags: TAGS,
        summary: '「一件事」主题：问题与需要办理的事项',
        description:
          '以查询参数给出回答（问题代码=选项值，如 ?subject=individual&food_prep=yes）。items 为按已给出的回答需要办理的事项；依赖未回答问题的事项不列出，complete 表示全部问题均已回答。',
        params: ThemeParams,
        querystring: ThemeQuery,
        response: { 200: ThemeDetailOut, 404: ErrorBody },
      },
      config: PUBLIC,
    },
    async (request) => {
      const theme = await findPublicTheme(db, request.params.code)
      if (!theme) throw themeNotFound()
      return presentThemeOutcome(await resolveTheme(db, theme, request.query as Record<string, string | undefined>))
    },
  )
}
