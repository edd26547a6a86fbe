/**
 * 「我的证照」 (the holder's wallet) and share links:
 * - GET /my/licenses — the licenses of the person, or of the enterprise they act for;
 * - GET /my/licenses/:id — the face with the signed QR code, uses, shares, versions (owner only:
 *   another holder's license answers 404);
 * - GET /my/licenses/:id/pdf — the face as PDF;
 * - POST /my/licenses/:id/shares, POST /my/licenses/:id/shares/:shareId/revoke — share links;
 * - GET /licenses/shared/:token — public: opens a share once (licenses.shares.ts).
 * Thin: the rules live in licenses.wallet.ts and licenses.shares.ts.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { todayInShanghai } from '../../platform/calendar/index.js'
import type { Deps } from '../../platform/deps.js'
import { contentDisposition } from '../../platform/files/files.js'
import { DomainError, type FieldProblem } from '../../platform/http/errors.js'
import { faceModel, LicenseFacePage, payloadQr, SharedFacePage, verifyLinkQr } from './licenses.face.js'
import { renderLicensePdf } from './licenses.pdf.js'
import { VERIFY_LIMIT } from './licenses.routes.js'
import { licensePayload } from './licenses.service.js'
import { createShare, listShares, openShare, revokeShare } from './licenses.shares.js'
import { getOwnLicense, listWallet, usesOf, versionsOf } from './licenses.wallet.js'
import {
  ShareCreatedPage,
  type ShareFormValues,
  ShareGonePage,
  SharesSection,
  UsesSection,
  VersionsSection,
  WalletPage,
} from './licenses.wallet.pages.js'

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
const LicenseParams = Type.Object({ id: Type.String({ pattern: UUID, description: '证照版本编号（内部）' }) })
const ShareParams = Type.Object({
  id: Type.String({ pattern: UUID }),
  shareId: Type.String({ pattern: UUID }),
})
const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) })
const FaceQuery = Type.Object({ done: Type.Optional(Type.Literal('share_revoked')) })
const ShareForm = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
  audience: Type.Optional(Type.String({ maxLength: 500 })),
  purpose: Type.Optional(Type.String({ maxLength: 500 })),
  days: Type.Optional(Type.String({ maxLength: 5 })),
})
const CsrfOnly = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) })

const CITIZEN = { policy: { citizen: true } } as const
const DONE = { share_revoked: '分享链接已撤销，对方再打开时将看不到证照。' } as const

export function registerWalletRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const where = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })

  /** The holder's page of one license, with the share form's errors when there are some. */
  async function facePage(
    request: FastifyRequest,
    reply: FastifyReply,
    licenseId: string,
    options: { done?: string; errors?: FieldProblem[]; values?: ShareFormValues; status?: number } = {},
  ) {
    const { license, type, walletState } = await getOwnLicense(deps, request.principal!, licenseId)
    const [payload, versions, shares] = await Promise.all([
      licensePayload(deps, license.id),
      versionsOf(deps, license),
      listShares(deps, license.id),
    ])
    const uses = await usesOf(deps, versions)
    const face = faceModel(license, type, walletState)
    reply.header('cache-control', 'private, no-store')
    return reply.page(
      LicenseFacePage({
        face,
        qr: await payloadQr(payload),
        revokeReason: license.revokeReason,
        done: options.done,
        children: [
          UsesSection({ uses }),
          SharesSection({
            licenseId: license.id,
            typeName: license.typeName,
            shares,
            canShare: walletState === 'valid' || walletState === 'expiring',
            errors: options.errors,
            values: options.values,
          }),
          VersionsSection({ versions, today: todayInShanghai(deps.clock.now()) }),
        ],
      }),
      options.status ?? 200,
    )
  }

  app.get('/my/licenses', { schema: { hide: true }, config: CITIZEN }, async (request, reply) => {
    const principal = request.principal!
    reply.header('cache-control', 'private, no-store')
    return reply.page(WalletPage({ entries: await listWallet(deps, principal), actingFor: principal.enterpriseName }))
  })

  app.get(
    '/my/licenses/:id',
    { schema: { hide: true, params: LicenseParams, querystring: FaceQuery }, config: CITIZEN },
    async (request, reply) =>
      facePage(request, reply, request.params.id, {
        done: request.query.done ? DONE[request.query.done] : undefined,
      }),
  )

  app.get(
    '/my/licenses/:id/pdf',
    { schema: { hide: true, params: LicenseParams }, config: CITIZEN },
    async (request, reply) => {
      const { license, type, walletState } = await getOwnLicense(deps, request.principal!, request.params.id)
      const payload = await licensePayload(deps, license.id)
      const pdf = await renderLicensePdf(
        faceModel(license, type, walletState),
        payload,
        `${deps.config.baseUrl}/verify?q=${encodeURIComponent(license.identifier)}`,
      )
      reply.header('cache-control', 'private, no-store')
      reply.header('content-disposition', contentDisposition(`${license.typeName}（电子证照）.pdf`))
      return reply.type('application/pdf').send(pdf)
    },
  )

  app.post(
    '/my/licenses/:id/shares',
    { schema: { hide: true, params: LicenseParams, body: ShareForm }, config: CITIZEN },
    async (request, reply) => {
      const values = { audience: request.body.audience, purpose: request.body.purpose, days: request.body.days }
      try {
        const { token, share } = await createShare(
          deps,
          request.principal!,
          request.params.id,
          { audience: values.audience ?? '', purpose: values.purpose ?? '', days: Number(values.days ?? 0) },
          where(request),
        )
        const { license } = await getOwnLicense(deps, request.principal!, request.params.id)
        // Shown once, never stored: the page must not be cached anywhere.
        reply.header('cache-control', 'no-store')
        return reply.page(
          ShareCreatedPage({
            licenseId: license.id,
            typeName: license.typeName,
            link: `${deps.config.baseUrl}/licenses/shared/${token}`,
            share,
          }),
        )
      } catch (error) {
        if (!(error instanceof DomainError) || !['invalid', 'conflict'].includes(error.kind)) throw error
        const errors = error.details.length > 0 ? error.details : [{ field: 'audience', message: error.message }]
        return facePage(request, reply, request.params.id, {
          errors,
          values,
          status: error.kind === 'invalid' ? 422 : 409,
        })
      }
    },
  )

  app.post(
    '/my/licenses/:id/shares/:shareId/revoke',
    { schema: { hide: true, params: ShareParams, body: CsrfOnly }, config: CITIZEN },
    async (request, reply) => {
      await revokeShare(deps, request.principal!, request.params.id, request.params.shareId, where(request))
      return reply.redirect(`/my/licenses/${request.params.id}?done=share_revoked#share`, 303)
    },
  )

  app.get(
    '/licenses/shared/:token',
    {
      schema: { hide: true, params: TokenParams },
      config: { policy: { public: true }, rateLimit: VERIFY_LIMIT },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      reply.header('referrer-policy', 'no-referrer')
      reply.header('x-robots-tag', 'noindex, nofollow')
      // A HEAD (link checkers) must not use up the one opening.
      if (request.method === 'HEAD') return reply.type('text/html; charset=utf-8').send('')
      const opened = await openShare(deps, request.params.token, where(request))
      if (!opened.ok) return reply.page(ShareGonePage({ message: opened.message }), 410)
      const face = faceModel(opened.license, opened.type, opened.walletState, {
        masked: true,
        extraWatermark: `仅供${opened.share.audience}用于${opened.share.purpose}`,
      })
      return reply.page(
        SharedFacePage({
          face,
          qr: await verifyLinkQr(deps.config.baseUrl, opened.license.identifier),
          share: opened.share,
          openedAt: opened.openedAt,
        }),
      )
    },
  )
}
