/**
 * "一件事" one-form application (一表申请), the applicant's side: the combined form of a theme
 * for the answers given (GET/POST /apply/themes/:code?<answers>, multipart), submitted as one
 * theme case with an application for each item (idempotent by the page's form token), and its
 * confirmation (GET /my/theme-cases/:id). Thin: the rules live in applications.themes.ts and
 * applications.service.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Principal } from '../../platform/auth/principal.js'
import { todayInShanghai } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'
import { findPublicTheme, type ItemElements } from '../catalog/index.js'
import { departmentNames } from '../identity/index.js'
import { actingRefusal } from './applications.acting.js'
import { DECLARATION, type MaterialState } from './applications.apply.pages.js'
import {
  effectiveMaterials,
  MAX_MATERIAL_FILE_BYTES,
  materialStates,
  materialsAfterPost,
  newFormToken,
  readMaterialsForm,
  sourcesFor,
} from './applications.apply.routes.js'
import {
  applyFormAction,
  checkFormData,
  type FormData,
  type PrefillNotes,
  parseFormAction,
  parseFormBody,
  prefillFormData,
} from './applications.forms.js'
import { prefillContextFor } from './applications.read.js'
import { isApplicantOf, itemForApplying, type MaterialInput, materialProblems } from './applications.service.js'
import { STATE_NAMES } from './applications.states.js'
import type { ApplicationTable } from './applications.tables.js'
import {
  ThemeApplyPage,
  ThemeApplyRefusedPage,
  type ThemeCaseApplication,
  ThemeSubmittedPage,
  themeCaseHref,
  themeHref,
} from './applications.theme-apply.pages.js'
import { type CombinedApplication, combinedApplication, submitThemeApplication } from './applications.themes.js'

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
const THEME_CODE = '^[a-z0-9_]{1,40}$'
const ThemeParams = Type.Object({
  code: Type.String({ pattern: THEME_CODE, description: '主题代码，如 newborn（新生儿出生）' }),
})
/**
 * The answers (question code = chosen option), as on the theme page; on the post also `_csrf`
 * (a multipart body is streamed, so its token travels in the query string).
 */
const AnswersQuery = Type.Record(
  Type.String({ pattern: THEME_CODE }),
  Type.String({ maxLength: 200, description: '问题代码 = 所选答案' }),
)
const ThemeCaseParams = Type.Object({ id: Type.String({ pattern: UUID, description: '一件事办件编号（内部）' }) })

const CITIZEN = { policy: { citizen: true } } as const
const TOKEN = /^[A-Za-z0-9_-]{8,60}$/

/**
 * Files given on the combined form travel between posts as signed references (a failed post must
 * not lose an upload), bound to the person so nobody can attach a file they never uploaded.
 */
class CarriedFiles {
  constructor(private readonly secret: string) {}

  private mac(personId: string, payload: string): Buffer {
    return createHmac('sha256', `${this.secret}:applications.theme-files`).update(`${personId}\n${payload}`).digest()
  }

  sign(personId: string, file: Extract<MaterialInput, { kind: 'file' }>): string {
    const payload = Buffer.from(
      JSON.stringify([file.materialCode, file.sha256, file.fileName, file.mime, file.size]),
    ).toString('base64url')
    return `${payload}.${this.mac(personId, payload).toString('base64url')}`
  }

  read(personId: string, reference: string): MaterialInput | undefined {
    const [payload, mac] = reference.split('.')
    if (!payload || !mac) return undefined
    const expected = this.mac(personId, payload)
    const given = Buffer.from(mac, 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
    try {
      const [materialCode, sha256, fileName, mime, size] = JSON.parse(Buffer.from(payload, 'base64url').toString())
      return { materialCode, kind: 'file', sha256, fileName, mime, size }
    } catch {
      return undefined
    }
  }
}

/** The combined materials as one item's elements, for the shared material helpers (they read `materials`). */
function unionElements(combined: CombinedApplication): ItemElements {
  return { ...combined.items[0]!.elements, materials: combined.materials.map((m) => m.material) }
}

/**
 * Every problem the submission would find, named as in the combined form: the union form's answers
 * and each item's materials (a material shared by items reported once).
 */
function combinedProblems(combined: CombinedApplication, data: FormData, inputs: MaterialInput[], today: string) {
  const problems: FieldProblem[] = [...checkFormData(combined.form, data, { today }).problems]
  const given = effectiveMaterials(inputs)
  for (const item of combined.items) {
    const codes = new Set(item.elements.materials.map((m) => m.materialCode))
    const mine = given.filter((m) => codes.has(m.materialCode))
    for (const p of materialProblems(item.elements, mine, today)) {
      if (!problems.some((x) => x.field === p.field)) problems.push(p)
    }
  }
  return problems
}

export function registerThemeApplyRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const contextOf = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })
  const today = () => todayInShanghai(deps.clock.now())
  const carried = new CarriedFiles(deps.config.sessionSecret)

  const REFUSALS: Record<string, { title: string; status: number; enterprises?: boolean; account?: boolean }> = {
    ASSURANCE_TOO_LOW: { title: '需要更高级别的实名认证', status: 403, account: true },
    ITEM_NOT_ONLINE: { title: '有事项暂不能网上申请', status: 409 },
    ITEM_NOT_OFFERED: { title: '有事项目前不能申请', status: 409 },
    ITEM_FOR_PERSONS: { title: '请以个人身份申请', status: 403, enterprises: true },
    ITEM_FOR_ENTERPRISES: { title: '请以企业身份申请', status: 403, enterprises: true },
    ACTING_NOT_COVERED: { title: '授权不包括其中的事项', status: 403, enterprises: true },
  }

  /**
   * The combined application when this person may apply for every item of it now. Otherwise the
   * answer is sent and undefined returned: incomplete answers (or none that lead to an item online)
   * go back to the theme page to be answered; an item the person may not apply for gives the page
   * saying why.
   */
  async function eligible(
    request: FastifyRequest,
    reply: FastifyReply,
    themeCode: string,
    query: Record<string, string | undefined>,
  ) {
    const principal = request.principal!
    const { _csrf: _token, ...answers } = query
    const combined = await combinedApplication(deps, themeCode, answers)
    if (!combined.complete || combined.items.length === 0) {
      const back = themeHref(combined.themeCode, { ...combined.answers, submitted: '1' })
      reply.redirect(`${back}${combined.complete ? '#results' : ''}`, 303)
      return undefined
    }
    try {
      if (!principal.personId || principal.staffId) {
        throw new DomainError('APPLICANT_REQUIRED', 'forbidden', '请以居民或企业身份登录后申请。')
      }
      for (const item of combined.items) {
        await itemForApplying(deps, principal, item.itemId)
        const refusal = await actingRefusal(deps, principal, item.elements)
        if (refusal) throw refusal
      }
    } catch (error) {
      const known = error instanceof DomainError ? REFUSALS[error.code] : undefined
      if (!known || !(error instanceof DomainError)) throw error
      reply.page(
        ThemeApplyRefusedPage({
          themeCode: combined.themeCode,
          themeName: combined.themeName,
          answers: combined.answers,
          title: known.title,
          message: error.message,
          more: known.account
            ? { text: '查看账号的实名级别：', href: '/my/account', label: '我的账号' }
            : known.enterprises
              ? { text: '切换办事身份：', href: '/my/enterprises', label: '我的企业' }
              : undefined,
        }),
        known.status,
      )
      return undefined
    }
    return { combined, principal, personId: principal.personId }
  }

  /** Renders the combined form. */
  function formPage(
    reply: FastifyReply,
    combined: CombinedApplication,
    principal: Principal,
    page: {
      data: FormData
      sources: PrefillNotes
      states: Record<string, MaterialState>
      given: MaterialInput[]
      token: string
      declared: boolean
      errors?: FieldProblem[]
    },
    status = 200,
  ) {
    return reply.page(
      ThemeApplyPage({
        themeCode: combined.themeCode,
        themeName: combined.themeName,
        answers: combined.answers,
        items: combined.items.map((i) => ({
          itemId: i.itemId,
          taskName: i.taskName,
          departmentName: i.departmentName,
          note: i.note,
        })),
        form: combined.form,
        data: page.data,
        sources: page.sources,
        materials: combined.materials.map(({ material, itemNames }) => ({
          material,
          itemNames,
          itemId:
            combined.items.find((i) => i.elements.materials.some((m) => m.materialCode === material.materialCode))
              ?.itemId ?? combined.items[0]!.itemId,
          state: page.states[material.materialCode] ?? { files: [], defer: false, until: ['', '', ''] },
        })),
        carried: page.given
          .filter((g): g is Extract<MaterialInput, { kind: 'file' }> => g.kind === 'file')
          .map((g) => carried.sign(principal.personId!, g)),
        token: page.token,
        declared: page.declared,
        errors: page.errors,
        actingFor: principal.enterpriseName,
        maxFileBytes: MAX_MATERIAL_FILE_BYTES,
      }),
      status,
    )
  }

  // ----- the combined form ----------------------------------------------------------------------------

  app.get(
    '/apply/themes/:code',
    { schema: { hide: true, params: ThemeParams, querystring: AnswersQuery }, config: CITIZEN },
    async (request, reply) => {
      const found = await eligible(request, reply, request.params.code, request.query)
      if (!found) return reply
      const { combined, principal } = found
      const prefilled = prefillFormData(combined.form, await prefillContextFor(deps, principal), {})
      return formPage(reply, combined, principal, {
        data: prefilled.data,
        sources: prefilled.sources,
        states: materialStates(unionElements(combined), []),
        given: [],
        token: newFormToken(),
        declared: false,
      })
    },
  )

  /**
   * Reads the combined form with its files. Adding or removing a row or a file shows the form again;
   * 提交申请 with every problem solved submits the theme case (the form token is the idempotency
   * key: a double click or a retry finds the case the first post made) and shows its confirmation.
   * Any problem shows the form again with every problem, what was typed and the files given.
   */
  app.post(
    '/apply/themes/:code',
    { schema: { hide: true, params: ThemeParams, querystring: AnswersQuery }, config: CITIZEN },
    async (request, reply) => {
      const found = await eligible(request, reply, request.params.code, request.query)
      if (!found) return reply
      const { combined, principal, personId } = found
      const elements = unionElements(combined)
      const codes = new Set(elements.materials.map((m) => m.materialCode))
      const posted = await readMaterialsForm(request, deps, personId, codes)
      const action = posted.fields._action?.[0] ?? 'submit'
      const before = (posted.fields.carried ?? [])
        .map((reference) => carried.read(personId, reference))
        .filter((m): m is MaterialInput => m !== undefined && codes.has(m.materialCode))
      const day = today()

      let data = parseFormBody(combined.form, posted.fields)
      const problems: FieldProblem[] = [...posted.problems]
      const rowAction = parseFormAction(action)
      if (rowAction) {
        const result = applyFormAction(combined.form, data, rowAction)
        data = result.data
        if (result.problem) problems.push(result.problem)
      }
      const materials = materialsAfterPost(elements, before, posted, action, day)
      problems.push(...materials.problems)
      const postedToken = posted.fields.token?.[0] ?? ''
      const validToken = TOKEN.test(postedToken)
      const declared = posted.fields.declaration?.[0] === 'yes'
      const again = async (errors: FieldProblem[], status: number) =>
        formPage(
          reply,
          combined,
          principal,
          {
            data,
            sources: sourcesFor(combined.form, await prefillContextFor(deps, principal), data),
            states: materials.states,
            given: materials.inputs,
            token: validToken ? postedToken : newFormToken(),
            declared,
            errors,
          },
          status,
        )

      // 添加 / 删除一行, 删除 a file: the form again, nothing submitted.
      if (rowAction || action.startsWith('remove-file:')) return again(problems, problems.length > 0 ? 422 : 200)

      if (problems.length > 0 || !declared || !validToken) {
        // Every problem at once: what this post refused, then what a submission would find.
        const all = [...problems]
        for (const p of combinedProblems(combined, data, materials.inputs, day)) {
          if (!all.some((x) => x.field === p.field)) all.push(p)
        }
        if (!declared) all.push({ field: 'declaration', message: `请勾选承诺：${DECLARATION}` })
        else if (!validToken) all.push({ field: 'declaration', message: '页面已过期，请核对后重新提交' })
        return again(all, posted.status !== 200 ? posted.status : 422)
      }
      try {
        const submitted = await submitThemeApplication(
          deps,
          principal,
          {
            themeCode: combined.themeCode,
            answers: combined.answers,
            formData: data,
            materials: effectiveMaterials(materials.inputs),
            idempotencyKey: postedToken,
          },
          contextOf(request),
        )
        return reply.redirect(themeCaseHref(submitted.themeCaseId), 303)
      } catch (error) {
        if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error
        return again(error.details.length > 0 ? error.details : [{ field: 'main', message: error.message }], 422)
      }
    },
  )

  // ----- confirmation -------------------------------------------------------------------------------

  /**
   * The applications of a theme case, for its applicant only: anyone else's case (or none) is not
   * found, as for a single application.
   */
  async function themeCaseFor(principal: Principal, id: string) {
    const notFound = () => new DomainError('THEME_CASE_NOT_FOUND', 'not_found', '找不到这件「一件事」申请。')
    const themeCase = await deps.db.selectFrom('themeCases').selectAll().where('id', '=', id).executeTakeFirst()
    if (!themeCase) throw notFound()
    const rows: ApplicationTable[] = await deps.db
      .selectFrom('applications')
      .selectAll()
      .where('themeCaseId', '=', id)
      .execute()
    if (rows.length === 0 || !rows.every((a) => isApplicantOf(principal, a))) throw notFound()
    // In the order of the theme's items: the form token's suffix (`<token>-<index>`).
    const order = (a: ApplicationTable) => Number(/-(\d+)$/.exec(a.idempotencyKey ?? '')?.[1] ?? 0)
    rows.sort((a, b) => order(a) - order(b))
    const theme = await findPublicTheme(deps.db, themeCase.themeCode)
    const names = await departmentNames(deps.db)
    const applications: ThemeCaseApplication[] = rows.map((a) => ({
      id: a.id,
      applicationNo: a.applicationNo ?? '',
      itemName: a.itemName ?? '',
      departmentName: names.get(a.departmentId) ?? '',
      state: a.state,
      stateName: STATE_NAMES[a.state],
    }))
    return { themeName: theme?.name ?? '一件事', applications }
  }

  app.get(
    '/my/theme-cases/:id',
    { schema: { hide: true, params: ThemeCaseParams }, config: CITIZEN },
    async (request, reply) => reply.page(ThemeSubmittedPage(await themeCaseFor(request.principal!, request.params.id))),
  )
}
