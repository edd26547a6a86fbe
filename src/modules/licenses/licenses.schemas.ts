import { type Static, Type } from 'typebox'

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], description ? { description } : {})

export const VerifyQuery = Type.Object({
  identifier: Type.String({
    minLength: 1,
    maxLength: 200,
    description:
      '电子证照标识（GB/T 36904），如 1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U',
  }),
})
export type VerifyQuery = Static<typeof VerifyQuery>

export const VerifyPayloadBody = Type.Object({
  payload: Type.String({
    minLength: 1,
    maxLength: 8000,
    description: '扫描电子证照二维码得到的内容：YWL1.<证照信息>.<签名>（见 docs/licenses.md）',
  }),
})
export type VerifyPayloadBody = Static<typeof VerifyPayloadBody>

/** /verify: an identifier or a scanned payload, in one box. */
export const VerifyPageQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 8000 })),
})
export type VerifyPageQuery = Static<typeof VerifyPageQuery>

export const VerificationAnswer = Type.Object({
  state: Type.Union(
    [
      Type.Literal('valid'),
      Type.Literal('expired'),
      Type.Literal('revoked'),
      Type.Literal('superseded'),
      Type.Literal('unknown'),
      Type.Literal('tampered'),
    ],
    {
      description:
        'valid 有效；expired 已过期；revoked 已注销；superseded 已被新版本替代；unknown 未找到；tampered 被篡改',
    },
  ),
  label: Type.String({ description: '状态的中文名称' }),
  message: Type.String({ description: '核验结论的说明' }),
  identifier: Nullable(Type.String(), '电子证照标识'),
  license: Type.Optional(
    Type.Object(
      {
        typeCode: Type.String({ description: '证照类型（本平台代码）' }),
        typeName: Type.String({ description: '证照名称' }),
        holderKind: Type.Union([Type.Literal('person'), Type.Literal('enterprise')]),
        holderName: Type.String({ description: '持证人；个人姓名已脱敏，如 陈*' }),
        holderKey: Type.String({ description: '个人为脱敏的身份证号码，企业为统一社会信用代码' }),
        issuerName: Type.String({ description: '颁发机构' }),
        issuerCreditCode: Type.String({ description: '颁发机构统一社会信用代码' }),
        issuedAt: Type.String({ format: 'date-time', description: '签发时间（UTC）' }),
        validFrom: Type.String({ format: 'date', description: '有效期起始日' }),
        validTo: Nullable(Type.String({ format: 'date' }), '有效期截止日（含当日）；长期有效为 null'),
        version: Type.Integer({ description: '版本号' }),
        revokedAt: Nullable(Type.String({ format: 'date-time' }), '注销时间'),
        currentIdentifier: Nullable(Type.String(), '已被替代时，最新版本的证照标识'),
        data: Type.Optional(
          Type.Array(Type.Object({ key: Type.String(), label: Type.String(), value: Type.String() }), {
            description: '签名的证照信息（仅核验二维码内容时返回）',
          }),
        ),
      },
      { description: '证照概要；未找到或被篡改时没有' },
    ),
  ),
  signature: Type.Optional(
    Type.Object({
      algorithm: Type.Literal('SM2'),
      keyId: Type.String({ description: '印章密钥标识，见 /.well-known/seal-keys.json' }),
      valid: Type.Boolean({ description: '电子签名是否有效' }),
    }),
  ),
})

const PublishedKey = Type.Object({
  keyId: Type.String({ description: '密钥标识：SPKI（DER）的 SM3 摘要的前 16 位十六进制' }),
  fingerprint: Type.String({ description: 'SPKI（DER）的 SM3 摘要，64 位十六进制' }),
  algorithm: Type.Literal('SM2'),
  curve: Type.String(),
  department: Type.Object({ code: Type.String(), name: Type.String(), creditCode: Type.String() }),
  state: Type.Union([Type.Literal('active'), Type.Literal('retired')]),
  validFrom: Type.String({ format: 'date-time' }),
  validTo: Nullable(Type.String({ format: 'date-time' }), '停用时间；在用为 null'),
  publicKeyPem: Type.String({ description: 'SubjectPublicKeyInfo（PEM）' }),
  publicKeyHex: Type.String({ description: '未压缩公钥点 04‖x‖y（十六进制）' }),
})

export const SealKeysDocument = Type.Object({
  format: Type.Literal('yiwang-seal-keys-v1'),
  publisher: Type.String(),
  generatedAt: Type.String({ format: 'date-time' }),
  algorithm: Type.String(),
  distinguishingId: Type.String(),
  verification: Type.Object({
    payload: Type.String(),
    canonicalForm: Type.String(),
    steps: Type.Array(Type.String()),
    opensslCommand: Type.String(),
    documentation: Type.String(),
  }),
  keys: Type.Array(PublishedKey),
})

export const SealKeyIdParams = Type.Object({ id: Type.String({ pattern: UUID }) })
export type SealKeyIdParams = Static<typeof SealKeyIdParams>

export const GenerateKeyForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  departmentId: Type.Optional(Type.String({ maxLength: 64 })),
})
export type GenerateKeyForm = Static<typeof GenerateKeyForm>

export const CsrfOnlyForm = Type.Object({ _csrf: Type.Optional(Type.String()) })

export const AdminKeysQuery = Type.Object({
  done: Type.Optional(Type.Union([Type.Literal('generated'), Type.Literal('rotated'), Type.Literal('retired')])),
})
export type AdminKeysQuery = Static<typeof AdminKeysQuery>
