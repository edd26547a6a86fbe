/**
 * The OpenAPI 3 document, generated from the TypeBox schemas of the routes, at
 * /api/openapi.json, and Swagger UI at /api/docs for people.
 */
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

export const DOCS_PREFIX = '/api/docs'

export async function registerOpenApi(app: FastifyInstance, baseUrl: string, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: '潮安区网上办事大厅 开放接口',
        description:
          '潮州市潮安区一体化网上政务服务平台的 JSON 接口。错误统一为 `{ "error": { "code", "message", "details" } }`，message 为中文说明，details 逐项列出字段问题。',
        version,
      },
      servers: [{ url: baseUrl }],
      tags: [{ name: 'platform', description: '平台：健康检查、文档' }],
    },
    hideUntagged: false,
  })
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: true,
    // Swagger UI injects <style> elements at run time; on this page only, inline styles are
    // allowed (scripts stay hash-pinned). 'unsafe-inline' is ignored when hashes are listed,
    // so the style directive is replaced whole. No external hosts are allowed.
    transformStaticCSP: (header: string) =>
      header
        .replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'")
        .replace(/font-src [^;]*/, "font-src 'self' data:")
        .replace(/img-src [^;]*/, "img-src 'self' data:")
        .replace(/frame-ancestors [^;]*/, "frame-ancestors 'none'")
        .replace(/\s*upgrade-insecure-requests;/, ''),
    uiConfig: { docExpansion: 'list', deepLinking: true },
    logLevel: 'warn',
  })
  app.get('/api/openapi.json', { schema: { hide: true }, config: { policy: { public: true } } }, async () =>
    app.swagger(),
  )
}
