/**
 * Counter filing (代办), HTML: window clerks file for walk-in residents (线下受理) and village
 * agents for residents of their village (村居代办). Thin: parse, call the service, render.
 *
 * Uploads are stored as they arrive; when the form comes back with errors, the files already
 * received are kept by a signed reference, so nothing is scanned twice and nobody can point the
 * form at a file they did not upload.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Principal } from '../../platform/auth/principal.js'
import type { Deps } from '../../platform/deps.js'
import { documentTypes, formatBytes } from '../../platform/files/files.js'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'
import type { ItemElements } from '../catalog/index.js'
import { getItem, getVersion, listPublishedSummaries } from '../catalog/index.js'
import { departmentName, lookUpPerson } from '../identity/index.js'
import {
  type CounterChannel,
  CounterDonePage,
  CounterFilePage,
  type CounterFormValues,
  CounterHomePage,
  CounterItemsPage,
  type KeptFile,
  type ResidentCard,
} from './applications.counter.pages.js'
import { applyFormAction, type FormData, parseFormBody } from './applications.forms.js'
import { formFor } from './applications.forms.registry.js'
import { counterPerson, listServicePointCases } from './applications.read.js'
import { fileForResident, type MaterialInput } from './applications.service.js'
import { STATE_NAMES } from './applications.states.js'

const COUNTER = { policy: { anyPermission: ['applications.file_for_walk_in', 'applications.file_by_proxy'] } } as const
const Id = Type.String({ pattern: '^[0-9a-f-]{36}$' })
const PAGE_SIZE = 20

interface StoredUpload {
  sha256: string
  fileName: string
  mime: string
  size: number
}

/** Keeps only what a file name needs: no path, no control characters, at most 100 characters. */
function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  return clean.slice(-100) || '材料'
}

export function registerCounterRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const context = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })
  const principalOf = (request: FastifyRequest): Principal => request.principal!
  const channelOf = (principal: Principal): CounterChannel =>
    principal.permissions.has('applications.file_for_walk_in') ? 'window' : 'proxy'

  // ----- signed references to files received in an earlier attempt -------------------------------

  const mac = (payload: string) =>
    createHmac('sha256', deps.config.sessionSecret).update(`counter-file:${payload}`).digest('base64url')

  function signUpload(file: StoredUpload, staffId: string): string {
    const payload = Buffer.from(JSON.stringify({ ...file, by: staffId })).toString('base64url')
    return `${payload}.${mac(payload)}`
  }

  function readUpload(token: string, staffId: string): StoredUpload | undefined {
    const [payload, signature] = token.split('.')
    if (!payload || !signature) return undefined
    const expected = Buffer.from(mac(payload))
    const given = Buffer.from(signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined
    try {
      const file = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as StoredUpload & { by: string }
      if (file.by !== staffId || !/^[0-9a-f]{64}$/.test(file.sha256)) return undefined
      return { sha256: file.sha256, fileName: file.fileName, mime: file.mime, size: file.size }
    } catch {
      return undefined
    }
  }

  // ----- loading ---------------------------------------------------------------------------------

  async function resident(personId: string): Promise<ResidentCard> {
    const person = await counterPerson(deps, personId)
    if (!person) throw new DomainError('PERSON_NOT_FOUND', 'not_found', '找不到这位群众的实名信息，请重新查找。')
    return person
  }

  /** Items that can be handled through the platform (在线办理 or 全程网办), by name. */
  async function itemChoices() {
    const items = await listPublishedSummaries(deps.db)
    return items
      .filter((i) => i.onlineDepth >= 3)
      .map((i) => ({ value: i.itemId, label: `${i.taskName}（${i.department.shortName}）` }))
  }

  async function offeredItem(itemId: string) {
    const item = await getItem(deps.db, itemId)
    if (!item.currentVersionId || item.withdrawnAt) {
      throw new DomainError('ITEM_NOT_OFFERED', 'not_found', '这个事项目前不能办理（未发布或已撤销）。')
    }
    const version = await getVersion(deps.db, item.currentVersionId)
    if (version.state !== 'published') {
      throw new DomainError('ITEM_NOT_OFFERED', 'not_found', '这个事项目前不能办理（未发布或已撤销）。')
    }
    return { item, version, elements: JSON.parse(version.elements) as ItemElements }
  }

  async function renderHome(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { idNumber?: string; errors?: FieldProblem[]; page?: number; status?: number } = {},
  ) {
    const principal = principalOf(request)
    const page = options.page ?? 1
    const cases = principal.servicePointId
      ? await listServicePointCases(deps, principal, { page, pageSize: PAGE_SIZE })
      : undefined
    return reply.page(
      CounterHomePage({
        channel: channelOf(principal),
        idNumber: options.idNumber,
        errors: options.errors,
        cases,
        page,
        pageSize: PAGE_SIZE,
      }),
      options.status ?? 200,
    )
  }

  async function renderFile(
    request: FastifyRequest,
    reply: FastifyReply,
    personId: string,
    itemId: string,
    values: CounterFormValues,
    options: { idempotencyKey?: string; errors?: FieldProblem[]; status?: number } = {},
  ) {
    const principal = principalOf(request)
    const [person, offered] = await Promise.all([resident(personId), offeredItem(itemId)])
    return reply.page(
      CounterFilePage({
        channel: channelOf(principal),
        person,
        itemId,
        itemName: offered.elements.taskName,
        departmentName: (await departmentName(deps, offered.item.departmentId)) ?? '',
        form: formFor(offered.version),
        materials: offered.elements.materials,
        values,
        idempotencyKey: options.idempotencyKey ?? randomBytes(16).toString('hex'),
        errors: options.errors,
        uploadLimitText: formatBytes(deps.config.uploadLimit),
      }),
      options.status ?? 200,
    )
  }

  // ----- routes ----------------------------------------------------------------------------------

  app.get(
    '/counter',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) }),
      },
      config: COUNTER,
    },
    async (request, reply) => renderHome(request, reply, { page: (request.query as { page?: number }).page }),
  )

  app.post(
    '/counter/find',
    {
      schema: {
        hide: true,
        body: Type.Object({
          _csrf: Type.Optional(Type.String({ maxLength: 200 })),
          idNumber: Type.Optional(Type.String({ maxLength: 40 })),
        }),
      },
      config: COUNTER,
    },
    async (request, reply) => {
      const { idNumber = '' } = request.body as { idNumber?: string }
      try {
        const person = await lookUpPerson(deps, idNumber)
        return reply.redirect(`/counter/items?person=${person.id}`, 303)
      } catch (error) {
        if (!(error instanceof DomainError) || !['invalid', 'not_found'].includes(error.kind)) throw error
        const errors = error.details.length > 0 ? error.details : [{ field: 'idNumber', message: error.message }]
        return renderHome(request, reply, { idNumber, errors, status: error.status })
      }
    },
  )

  app.get(
    '/counter/items',
    { schema: { hide: true, querystring: Type.Object({ person: Id }) }, config: COUNTER },
    async (request, reply) => {
      const { person } = request.query as { person: string }
      return reply.page(
        CounterItemsPage({
          channel: channelOf(principalOf(request)),
          person: await resident(person),
          items: await itemChoices(),
        }),
      )
    },
  )

  app.get(
    '/counter/file',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ person: Id, item: Type.Optional(Type.Union([Id, Type.Literal('')])) }),
      },
      config: COUNTER,
    },
    async (request, reply) => {
      const { person, item } = request.query as { person: string; item?: string }
      if (!item) {
        return reply.page(
          CounterItemsPage({
            channel: channelOf(principalOf(request)),
            person: await resident(person),
            items: await itemChoices(),
            errors: [{ field: 'item', message: '请选择要办理的事项' }],
          }),
          422,
        )
      }
      return renderFile(request, reply, person, item, { data: {}, kept: {}, deferred: {} })
    },
  )

  app.post(
    '/counter/file',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ person: Id, item: Id, _csrf: Type.Optional(Type.String({ maxLength: 200 })) }),
      },
      config: COUNTER,
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { person, item } = request.query as { person: string; item: string }
      const channel = channelOf(principal)
      const offered = await offeredItem(item)
      const codes = new Set(offered.elements.materials.map((m) => m.materialCode))
      const limit = deps.config.uploadLimit

      // Read the multipart form: fields as typed, files stored as they arrive.
      const fields: Record<string, string | string[]> = {}
      const uploads: Record<string, StoredUpload> = {}
      const problems: FieldProblem[] = []
      const parts = request.parts({
        limits: { fields: 2000, parts: 2100, files: 61, fileSize: limit + 1 },
        // A file too large becomes a message beside its material, not the end of the form.
        throwFileSizeLimit: false,
      } as Parameters<FastifyRequest['parts']>[0])
      for await (const part of parts) {
        if (part.type === 'file') {
          const code = /^file\.([a-z0-9_]{1,40})$/.exec(part.fieldname)?.[1]
          const buffer = await part.toBuffer()
          if (!code || !codes.has(code) || !part.filename || buffer.length === 0) continue
          if (part.file.truncated || buffer.length > limit) {
            problems.push({ field: `materials.${code}`, message: `文件不能超过 ${formatBytes(limit)}` })
            continue
          }
          try {
            const stored = await deps.files.put(buffer, { maxBytes: limit, allowedTypes: documentTypes })
            uploads[code] = { ...stored, fileName: safeFileName(part.filename) }
          } catch (error) {
            if (!(error instanceof DomainError)) throw error
            problems.push({ field: `materials.${code}`, message: error.message })
          }
          continue
        }
        const value = String(part.value ?? '')
        const existing = fields[part.fieldname]
        fields[part.fieldname] =
          existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value]
      }
      const field = (name: string) => {
        const value = fields[name]
        return Array.isArray(value) ? value[0] : value
      }

      const def = formFor(offered.version)
      let data: FormData = parseFormBody(def, fields)
      // Files received now or in an earlier attempt; 容缺 with the promised day.
      const kept: Record<string, KeptFile> = {}
      const deferred: CounterFormValues['deferred'] = {}
      const materials: MaterialInput[] = []
      for (const m of offered.elements.materials) {
        const code = m.materialCode
        const file = uploads[code] ?? readUpload(field(`kept.${code}`) ?? '', principal.staffId ?? '')
        const until: [string, string, string] = [
          field(`deferUntil.${code}.year`) ?? '',
          field(`deferUntil.${code}.month`) ?? '',
          field(`deferUntil.${code}.day`) ?? '',
        ]
        const deferOn = field(`defer.${code}`) === '1'
        if (m.allowDefer) deferred[code] = { on: deferOn, until }
        if (file) {
          kept[code] = { token: signUpload(file, principal.staffId ?? ''), fileName: file.fileName }
          materials.push({ materialCode: code, kind: 'file', ...file })
        } else if (deferOn && m.allowDefer) {
          const [y, mo, d] = until.map((p) => p.normalize('NFKC').trim())
          const day =
            /^\d{4}$/.test(y ?? '') && /^\d{1,2}$/.test(mo ?? '') && /^\d{1,2}$/.test(d ?? '')
              ? `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}`
              : ''
          materials.push({ materialCode: code, kind: 'deferred', until: day })
        }
      }
      const values: CounterFormValues = {
        data,
        kept,
        deferred,
        consentMethod: field('consent.method'),
        consentNote: field('consent.note'),
      }
      const idempotencyKey = field('idempotencyKey') || randomBytes(16).toString('hex')

      // 添加 / 删除 a row of a repeating section: the same form again, nothing submitted.
      const action = field('_action')
      if (action) {
        const result = applyFormAction(def, data, action)
        data = result.data
        return renderFile(
          request,
          reply,
          person,
          item,
          { ...values, data },
          { idempotencyKey, errors: result.problem ? [result.problem, ...problems] : problems },
        )
      }
      if (problems.length > 0) {
        return renderFile(request, reply, person, item, values, { idempotencyKey, errors: problems, status: 422 })
      }
      try {
        const filed = await fileForResident(
          deps,
          principal,
          {
            channel,
            personId: person,
            itemId: item,
            idempotencyKey,
            formData: data,
            materials,
            consent:
              channel === 'proxy'
                ? { method: field('consent.method') ?? '', note: field('consent.note') ?? '' }
                : undefined,
          },
          context(request),
        )
        return reply.page(
          CounterDonePage({
            channel,
            applicationNo: filed.applicationNo ?? '',
            itemName: offered.elements.taskName,
            stateName: STATE_NAMES[filed.state],
            person: await resident(person),
          }),
        )
      } catch (error) {
        if (!(error instanceof DomainError) || !['invalid', 'conflict'].includes(error.kind)) throw error
        const errors = error.details.length > 0 ? error.details : [{ field: 'idempotencyKey', message: error.message }]
        return renderFile(request, reply, person, item, values, { idempotencyKey, errors, status: error.status })
      }
    },
  )
}
