/**
 * HTTP of the license library:
 * - public verification: the /verify page, GET /api/licenses/verify, POST /api/licenses/verify-payload;
 * - the published seal keys: /.well-known/seal-keys.json (stable URL) and the /licenses/keys page;
 * - /admin/seal-keys: the security administrator's key management.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Deps } from '../../platform/deps.js'
import { DomainError } from '../../platform/http/errors.js'
import { listDepartmentInfos } from '../identity/index.js'
import { PAYLOAD_PREFIX } from './licenses.canonical.js'
import {
  generateSealKey,
  listSealKeyViews,
  retireSealKey,
  rotateSealKey,
  SECURITY_KEYS,
  type SealKeyView,
} from './licenses.keys.js'
import { AdminKeysPage, PublicKeysPage, VerifyPage } from './licenses.pages.js'
import {
  AdminKeysQuery,
  CsrfOnlyForm,
  GenerateKeyForm,
  SealKeyIdParams,
  SealKeysDocument,
  VerificationAnswer,
  VerifyPageQuery,
  VerifyPayloadBody,
  VerifyQuery,
} from './licenses.schemas.js'
import { type VerificationResult, verifyLicense, verifyPayload } from './licenses.service.js'
import { OPENSSL_VERIFY_COMMAND, SM2_USER_ID } from './licenses.sm2.js'

/**
 * Anyone may verify, so these are what someone enumerating serials would hammer: 30 a minute from
 * one address is plenty for a person or a counter scanning licenses one by one.
 */
export const VERIFY_LIMIT = { max: 30, timeWindow: 60_000 }

const where = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })

/** The machine-readable list of every seal key, current and retired, with the recipe. */
/** Who publishes the keys (the platform, on behalf of the issuing departments). */
export const PUBLISHER = '潮州市潮安区一体化网上政务服务平台'

export function sealKeysDocument(keys: SealKeyView[], now: Date) {
  return {
    format: 'yiwang-seal-keys-v1' as const,
    publisher: PUBLISHER,
    generatedAt: now.toISOString(),
    algorithm: 'SM2 signature (GB/T 32918) with SM3 (GB/T 32905), signature DER-encoded',
    distinguishingId: SM2_USER_ID,
    verification: {
      payload: `${PAYLOAD_PREFIX}.<base64url(canonical JSON, UTF-8)>.<base64url(DER signature)>, base64url without padding`,
      canonicalForm:
        'yiwang-license-v1: UTF-8 JSON, members sorted by key at every depth, no whitespace, all values strings or null: {data{<field>: string}, holder{key,kind,name}, identifier, issuedAt, keyId, typeName, validFrom, validTo}',
      steps: [
        '1. Split the payload at "." into YWL1, data and signature; base64url-decode data to the file data and signature to sig.der.',
        '2. Read keyId and issuedAt from data; take the key with that keyId below and save its publicKeyPem as pub.pem.',
        "3. Check the key's validFrom <= issuedAt and (its validTo is null or issuedAt < validTo), and that the issuer code in the identifier (the segment after the type code) equals the key's department.creditCode.",
        `4. Run: ${OPENSSL_VERIFY_COMMAND}`,
        '5. "Signature Verified Successfully" means the data was signed by that department; anything else means it was not (or was changed).',
        '6. Revocation and newer versions are known only online: GET /api/licenses/verify?identifier=<identifier>.',
      ],
      opensslCommand: OPENSSL_VERIFY_COMMAND,
      documentation: '/licenses/keys',
    },
    keys: keys.map((k) => ({
      keyId: k.keyId,
      fingerprint: k.fingerprint,
      algorithm: 'SM2' as const,
      curve: 'SM2 (1.2.156.10197.1.301)',
      department: { code: k.departmentCode, name: k.departmentName, creditCode: k.issuerCreditCode },
      state: k.state,
      validFrom: k.validFrom,
      validTo: k.validTo,
      publicKeyPem: k.publicKeyPem,
      publicKeyHex: k.publicKeyHex,
    })),
  }
}

export function registerLicenseRoutes(scope: FastifyInstance, deps: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()

  // ----- public verification --------------------------------------------------------------------

  app.get(
    '/verify',
    {
      schema: { hide: true, querystring: VerifyPageQuery },
      config: { policy: { public: true }, rateLimit: VERIFY_LIMIT },
    },
    async (request, reply) => {
      const q = (request.query.q ?? '').trim()
      if (q === '') return reply.page(VerifyPage({}))
      let result: VerificationResult
      try {
        result = q.startsWith(`${PAYLOAD_PREFIX}.`) ? await verifyPayload(deps, q) : await verifyLicense(deps, q)
      } catch (error) {
        if (error instanceof DomainError && error.kind === 'invalid') {
          return reply.page(VerifyPage({ q, errors: [{ field: 'q', message: error.message }] }), 422)
        }
        throw error
      }
      reply.header('cache-control', 'no-store')
      return reply.page(VerifyPage({ q, result }))
    },
  )

  app.get(
    '/api/licenses/verify',
    {
      schema: {
        tags: ['licenses'],
        summary: '按电子证照标识核验',
        description:
          '在电子证照库中查找该标识的证照，重新计算其规范化内容并用颁发部门的印章公钥核验签名。返回有效、已过期、已注销、已被新版本替代、未找到或被篡改；个人持证人信息已脱敏。标识格式或校验位不正确时返回 422。',
        querystring: VerifyQuery,
        response: { 200: VerificationAnswer },
      },
      config: { policy: { public: true }, rateLimit: VERIFY_LIMIT },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return verifyLicense(deps, request.query.identifier)
    },
  )

  app.post(
    '/api/licenses/verify-payload',
    {
      schema: {
        tags: ['licenses'],
        summary: '核验电子证照二维码内容',
        description:
          '核验扫描电子证照二维码得到的内容（YWL1.<证照信息>.<签名>）：先用其中 keyId 指明的印章公钥核验签名，再查询电子证照库中的状态。签名有效时返回签名的证照信息。',
        body: VerifyPayloadBody,
        response: { 200: VerificationAnswer },
      },
      config: { policy: { public: true }, rateLimit: VERIFY_LIMIT },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return verifyPayload(deps, request.body.payload)
    },
  )

  // ----- published keys -------------------------------------------------------------------------

  app.get(
    '/.well-known/seal-keys.json',
    {
      schema: {
        tags: ['licenses'],
        summary: '电子印章公钥（含已停用的）',
        description:
          '各颁发部门的 SM2 印章公钥（SPKI PEM）、使用期和核验方法。地址固定，可离线缓存；停用的密钥保留，用于核验它在使用期内签发的证照。',
        response: { 200: SealKeysDocument },
      },
      config: { policy: { public: true } },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300')
      return sealKeysDocument(await listSealKeyViews(deps), deps.clock.now())
    },
  )

  app.get('/licenses/keys', { schema: { hide: true }, config: { policy: { public: true } } }, async (_request, reply) =>
    reply.page(PublicKeysPage({ keys: await listSealKeyViews(deps) })),
  )

  // ----- 印章密钥管理 ------------------------------------------------------------------------------

  const admin = { policy: { permission: SECURITY_KEYS } } as const

  async function adminPage(done?: AdminKeysQuery['done'], errors?: { field: string; message: string }[]) {
    const [keys, departments] = await Promise.all([listSealKeyViews(deps), listDepartmentInfos(deps.db)])
    const withKey = new Set(keys.filter((k) => k.state === 'active').map((k) => k.departmentId))
    return AdminKeysPage({
      keys,
      departments: departments.filter((d) => !withKey.has(d.id)).map((d) => ({ value: d.id, label: d.name })),
      done,
      errors,
    })
  }

  app.get(
    '/admin/seal-keys',
    { schema: { hide: true, querystring: AdminKeysQuery }, config: admin },
    async (request, reply) => reply.page(await adminPage(request.query.done)),
  )

  app.post(
    '/admin/seal-keys',
    { schema: { hide: true, body: GenerateKeyForm }, config: admin },
    async (request, reply) => {
      const departmentId = request.body.departmentId ?? ''
      if (!departmentId) {
        return reply.page(await adminPage(undefined, [{ field: 'departmentId', message: '请选择部门' }]), 422)
      }
      try {
        await generateSealKey(deps, request.principal!, departmentId, where(request))
      } catch (error) {
        if (error instanceof DomainError && ['conflict', 'not_found'].includes(error.kind)) {
          return reply.page(await adminPage(undefined, [{ field: 'departmentId', message: error.message }]), 409)
        }
        throw error
      }
      return reply.redirect('/admin/seal-keys?done=generated', 303)
    },
  )

  app.post(
    '/admin/seal-keys/:id/rotate',
    { schema: { hide: true, params: SealKeyIdParams, body: CsrfOnlyForm }, config: admin },
    async (request, reply) => {
      await rotateSealKey(deps, request.principal!, request.params.id, where(request))
      return reply.redirect('/admin/seal-keys?done=rotated', 303)
    },
  )

  app.post(
    '/admin/seal-keys/:id/retire',
    { schema: { hide: true, params: SealKeyIdParams, body: CsrfOnlyForm }, config: admin },
    async (request, reply) => {
      await retireSealKey(deps, request.principal!, request.params.id, where(request))
      return reply.redirect('/admin/seal-keys?done=retired', 303)
    },
  )
}
