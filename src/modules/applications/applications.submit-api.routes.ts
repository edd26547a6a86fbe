/**
 * Submitting in one request (一次提交): for the channels that hold the whole form at once — the
 * mobile app's web view, a self-service kiosk, a service point's tablet — instead of the web
 * form's three steps (upload, 核对信息, submit).
 *
 * POST /api/applications/submissions/:itemId, multipart: the form's inputs by the names the web form
 * uses, `materials.<code>` files (and e-licenses and 容缺 as the form posts them),
 * `declaration=yes`; the `Idempotency-Key` header makes a retry find the application the first
 * post made. The CSRF token travels in the query string as on the web form (`?_csrf=`). The same
 * rules as the web form apply (applications.service.ts); every problem comes back at once as a
 * 422 with one Chinese message per field.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { actingRefusal } from './applications.acting.js'
import { DECLARATION } from './applications.apply.pages.js'
import { effectiveMaterials, ItemParams, materialsAfterPost, readMaterialsForm } from './applications.apply.routes.js'
import { checkFormData, parseFormBody } from './applications.forms.js'
import { formatApplicationNo } from './applications.numbers.js'
import { itemForApplying, materialProblems, submitApplication } from './applications.service.js'
import { bytesOf, countUploaded } from './applications.uploads.js'

const KEY = /^[A-Za-z0-9_-]{8,80}$/

const Query = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200, description: '页面的 CSRF 令牌' })) })
const Headers = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ maxLength: 200, description: '本次提交的随机令牌（8–80 位字母、数字、- 或 _）：重试时带同一个' }),
  ),
})
const Submitted = Type.Object({
  id: Type.String({ description: '办件编号（内部）' }),
  applicationNo: Type.String({ description: '办件编号（如 445103-20260302-000001）' }),
  state: Type.String({ description: '状态' }),
  itemName: Type.String({ description: '事项名称' }),
  submittedAt: Type.String({ description: '提交时间（UTC）' }),
  promisedDays: Type.Number({ description: '承诺办结时限' }),
  promisedUnit: Type.String({ description: '时限单位（工作日/自然日）' }),
  link: Type.String({ description: '办件详情页' }),
})

export function registerSubmitApiRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()

  app.post(
    '/api/applications/submissions/:itemId',
    {
      schema: {
        tags: ['applications'],
        summary: '一次提交申请',
        description:
          'multipart/form-data：申请表各项（与网页表单同名）、材料文件 materials.<材料编码>、承诺 declaration=yes；请求头 Idempotency-Key 为本次提交的令牌，重试带同一个令牌只产生一个办件。问题一次全部列出（422）。',
        params: ItemParams,
        querystring: Query,
        headers: Headers,
        response: { 201: Submitted },
      },
      config: { policy: { citizen: true } },
    },
    async (request, reply) => {
      const principal = request.principal!
      const { itemId } = request.params
      const key = request.headers['idempotency-key'] ?? ''
      if (!KEY.test(key)) {
        throw new DomainError(
          'IDEMPOTENCY_KEY_REQUIRED',
          'bad_request',
          '请在请求头 Idempotency-Key 中带上本次提交的令牌（8–80 位字母、数字、- 或 _）。',
        )
      }
      const found = await itemForApplying(deps, principal, itemId)
      const refusal = await actingRefusal(deps, principal, found.elements)
      if (refusal) throw refusal
      const { elements, form } = found
      const codes = new Set(elements.materials.map((m) => m.materialCode))
      // The files are recorded with the application, in its transaction: one commit, not two.
      const posted = await readMaterialsForm(request, deps, principal.personId!, codes, { recordLater: true })
      // The day the files were stored: the form's dates and the quota count against it.
      const { day } = posted
      const uploads = { files: posted.uploads.map((u) => u.stored), personId: principal.personId!, day }
      let submitted: Awaited<ReturnType<typeof submitApplication>>
      try {
        const formData = parseFormBody(form, posted.fields)
        const materials = materialsAfterPost(elements, [], posted, 'submit', day)
        const inputs = effectiveMaterials(materials.inputs)
        const problems = [...posted.problems, ...materials.problems]
        if (posted.fields.declaration?.[0] !== 'yes') {
          problems.push({ field: 'declaration', message: `请确认承诺：${DECLARATION}` })
        }
        if (problems.length > 0) {
          // Every problem at once: with these, the form's and the materials' own (which
          // submitApplication checks by itself when there are none of these).
          problems.push(
            ...checkFormData(form, formData, { today: day }).problems,
            ...materialProblems(elements, inputs, day),
          )
          const kind = posted.status === 413 ? 'too_large' : posted.status === 415 ? 'unsupported' : 'invalid'
          throw new DomainError('VALIDATION_FAILED', kind, `申请内容有 ${problems.length} 处需要修改`, problems)
        }
        submitted = await submitApplication(
          deps,
          principal,
          { itemId, idempotencyKey: key, formData, materials: inputs, uploads },
          { ip: request.ip, requestId: request.id },
        )
      } catch (error) {
        // Refused: the stored bytes stay on disk all the same, so they count against the day's
        // upload quota (a script posting large files with a mistake each time fills no disk).
        await countUploaded(deps.db, uploads.personId, uploads.day, bytesOf(uploads.files)).catch((failed) =>
          request.log.warn({ err: failed }, 'refused upload not counted'),
        )
        throw error
      }
      return reply.code(201).send({
        id: submitted.id,
        applicationNo: formatApplicationNo(submitted.applicationNo!),
        state: submitted.state,
        itemName: submitted.itemName ?? elements.taskName,
        submittedAt: submitted.submittedAt!,
        promisedDays: submitted.promisedDays,
        promisedUnit: submitted.promisedUnit,
        link: `/my/applications/${submitted.id}`,
      })
    },
  )
}
