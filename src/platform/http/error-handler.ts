/**
 * One place where every error becomes an answer. API requests get
 * `{ "error": { "code", "message", "details" } }`; pages get the error page. Stack traces and
 * internal messages are logged with the request id, never sent.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isConnectionClosed, isDatabaseUnavailable } from '../db/database.js'
import { DomainError, type FieldProblem } from './errors.js'
import { validationProblems } from './validation-messages.js'

export interface ErrorAnswer {
  status: number
  code: string
  message: string
  details: FieldProblem[]
}

const frameworkMessages: Record<string, { status: number; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: '请求内容不是有效的 JSON，请检查格式。' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: '请求内容为空，请提供 JSON 内容。' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: '请求长度与内容不符。' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: '提交的内容太大，请减少内容后重试。' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, message: '上传的文件太大，请压缩或拆分后重试。' },
  FST_PARTS_LIMIT: { status: 413, message: '一次提交的文件或字段太多。' },
  FST_FILES_LIMIT: { status: 413, message: '一次上传的文件太多。' },
  FST_FIELDS_LIMIT: { status: 413, message: '一次提交的字段太多。' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: '不支持这种内容类型，请以 JSON 或表单提交。' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, message: '请以文件上传表单（multipart/form-data）提交。' },
  FST_PROTO_VIOLATION: { status: 400, message: '请求中含有不允许的字段名。' },
  FST_MP_PREMATURE_CLOSE: { status: 400, message: '上传在完成前中断了，请重新上传。' },
  FST_INVALID_JSON_FIELD_ERROR: { status: 400, message: '表单字段不是有效的 JSON。' },
  FST_ERR_BAD_URL: { status: 400, message: '网址格式不正确。' },
  FST_CSRF_INVALID_TOKEN: { status: 403, message: '页面已过期或来源不明，请刷新页面后重新提交。' },
  FST_CSRF_MISSING_SECRET: { status: 403, message: '页面已过期，请刷新页面后重新提交（需要允许本站 Cookie）。' },
  FST_ERR_RATE_LIMITED: { status: 429, message: '访问过于频繁，请稍后再试。' },
}

const genericByStatus: Record<number, string> = {
  400: '请求内容有误。',
  401: '请先登录后再继续。',
  403: '您没有权限进行此操作。',
  404: '找不到您要的内容。',
  405: '不支持这种请求方式。',
  406: '无法提供所要求的内容格式。',
  408: '请求超时，请重试。',
  413: '提交的内容太大。',
  414: '网址太长。',
  415: '不支持这种内容类型。',
  429: '访问过于频繁，请稍后再试。',
  431: '请求头太大。',
}

/** Turns anything thrown into what the person is told. Unknown errors become 500 with a plain message. */
/** The multipart parser's own errors (plain Errors from busboy): a form cut short or not a form at all. */
const MALFORMED_MULTIPART =
  /^(Unexpected end of multipart data|Multipart: Boundary not found|Malformed part header|Part terminated early)$/

export function toErrorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof DomainError) {
    return { status: error.status, code: error.code, message: error.message, details: error.details }
  }
  const fe = error as Partial<FastifyError> & { validation?: unknown[] }
  if (fe && Array.isArray(fe.validation)) {
    const details = validationProblems(fe.validation as never[], fe.validationContext)
    return {
      status: fe.validationContext === 'body' ? 422 : 400,
      code: 'VALIDATION_FAILED',
      message:
        details.length === 1
          ? (details[0]?.message ?? '提交的内容有误')
          : `提交的内容有 ${details.length} 处问题，请按提示修改。`,
      details,
    }
  }
  if (isDatabaseUnavailable(error) || isConnectionClosed(error)) {
    return { status: 503, code: 'SERVICE_UNAVAILABLE', message: '服务暂时不可用，请稍后再试。', details: [] }
  }
  if (error instanceof Error && MALFORMED_MULTIPART.test(error.message)) {
    return { status: 400, code: 'MALFORMED_FORM', message: '表单内容不完整或格式不正确，请重新提交。', details: [] }
  }
  const known = fe?.code ? frameworkMessages[fe.code] : undefined
  if (known) return { status: known.status, code: fe.code ?? 'ERROR', message: known.message, details: [] }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500
  if (status >= 400 && status < 500) {
    return {
      status,
      code: fe?.code ?? `HTTP_${status}`,
      message: genericByStatus[status] ?? '请求有误。',
      details: [],
    }
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: '系统出了点问题，我们已记录，请稍后再试。', details: [] }
}

/** API, OIDC and clients asking for JSON get JSON; browsers get a page. */
export function wantsJson(request: FastifyRequest): boolean {
  const url = request.url
  if (url.startsWith('/api/') || url === '/api' || url.startsWith('/oidc') || url === '/healthz' || url === '/readyz') {
    return true
  }
  const accept = String(request.headers.accept ?? '')
  return accept.includes('application/json') && !accept.includes('text/html')
}

export interface ErrorRendering {
  /** Renders the HTML error page; when it throws, a plain text answer is sent instead. */
  renderErrorPage(request: FastifyRequest, reply: FastifyReply, answer: ErrorAnswer): string
}

export function registerErrorHandling(app: FastifyInstance, rendering: ErrorRendering): void {
  const send = (request: FastifyRequest, reply: FastifyReply, answer: ErrorAnswer) => {
    reply.code(answer.status)
    if (answer.status === 503) reply.header('retry-after', '30')
    if (answer.status >= 500 || answer.status === 401 || answer.status === 403)
      reply.header('cache-control', 'no-store')
    if (answer.code === 'PASSWORD_CHANGE_REQUIRED' && request.method === 'GET' && !wantsJson(request)) {
      return reply.redirect('/my/password', 303)
    }
    if (answer.status === 401 && request.method === 'GET' && !wantsJson(request)) {
      // A page that needs login sends the person to log in and brings them back afterwards.
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303)
    }
    if (wantsJson(request)) {
      return reply.type('application/json; charset=utf-8').send({
        error: { code: answer.code, message: answer.message, details: answer.details },
      })
    }
    let html: string
    try {
      html = rendering.renderErrorPage(request, reply, answer)
    } catch (renderError) {
      request.log.error({ err: renderError }, 'error page failed to render')
      return reply.type('text/plain; charset=utf-8').send(`${answer.message}\n请求编号：${request.id}`)
    }
    return reply.type('text/html; charset=utf-8').send(html)
  }

  app.setErrorHandler((error, request, reply) => {
    const answer = toErrorAnswer(error)
    if (answer.status >= 500) {
      request.log.error({ err: error, code: answer.code }, 'request failed')
    } else {
      request.log.info({ code: answer.code, status: answer.status }, 'request refused')
    }
    return send(request, reply, answer)
  })

  app.setNotFoundHandler({ preHandler: app.rateLimit ? app.rateLimit() : undefined }, (request, reply) =>
    send(request, reply, {
      status: 404,
      code: 'NOT_FOUND',
      message: wantsJson(request)
        ? `没有这个接口：${request.method} ${request.url.split('?')[0]}`
        : '您要找的页面不存在或已经移走。',
      details: [],
    }),
  )
}
