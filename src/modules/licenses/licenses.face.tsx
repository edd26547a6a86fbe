/**
 * The face of an electronic license (证照照面) as HTML: a card after the type's face template —
 * title, holder, the type's fields, validity, issuer, the electronic license identifier and the
 * issue date — with the issuer's seal image, the QR code and the trust-grade watermark
 * (DOMAIN.md §5: 「此件由××机构提供，仅供办理政务服务事项时使用」) across it.
 *
 * Two faces:
 * - the holder's own (`/my/licenses/:id`): everything, and a QR code holding the signed payload
 *   (licensePayload, `YWL1.…`), verifiable offline with the published seal key;
 * - the shared face (`/licenses/shared/:token`): a person’s name is masked (陈**) and the QR code
 *   holds only the verification link (the identifier): the signed payload carries the full name,
 *   and a shared link may travel further than the holder meant. The ID number is masked on every
 *   face (it is masked in the signed data too); an enterprise's name and credit code are public.
 *
 * The seal image is a drawing: the legal force is the SM2 signature (GB/T 38540), which the QR
 * code carries. Strict CSP: SVG presentation attributes only, no inline style.
 */
import type { ComponentChildren } from 'preact'
import QRCode from 'qrcode'
import { chineseDate, SEAL_RED } from '../../platform/pdf/pdf.js'
import { ButtonLink, formatDate, formatDateTime, Layout, Notice, Tag, type TagTone } from '../../platform/ui/index.js'
import { maskName } from '../../platform/validators/index.js'
import type { LicenseTypeView, LicenseView } from './licenses.service.js'
import type { TrustGrade } from './licenses.tables.js'
import { WALLET_STATE_LABELS, type WalletState } from './licenses.wallet.js'

// ----- the face as data ---------------------------------------------------------------------------

/** The watermark of trust grade A (DOMAIN.md §5). */
export function watermarkText(issuerName: string): string {
  return `此件由${issuerName}提供，仅供办理政务服务事项时使用`
}

export const TRUST_GRADE_LABELS: Record<TrustGrade, string> = {
  a: 'A 部门核发',
  b: 'B 窗口核验原件',
  c: 'C 申请人上传',
  d: 'D 承诺容缺',
}

/** How a type's face looks: a colour, a line above the title, and what the holder lines are called. */
export interface FaceTemplate {
  theme: 'red' | 'green' | 'blue' | 'brown' | 'purple'
  /** e.g. 中华人民共和国 */
  header?: string
  holderLabels: { name: string; key: string }
}

const PERSON_LABELS = { name: '姓名', key: '公民身份号码' }
const ENTERPRISE_LABELS = { name: '名称', key: '统一社会信用代码' }

/** Face templates by license_types.face_template; unknown templates get the default of the holder kind. */
export const FACE_TEMPLATES: Record<string, FaceTemplate> = {
  business_license: { theme: 'red', header: '统一社会信用代码证照', holderLabels: ENTERPRISE_LABELS },
  food_license: { theme: 'green', holderLabels: { name: '经营者名称', key: '社会信用代码' } },
  marriage_cert: { theme: 'red', header: '中华人民共和国', holderLabels: { name: '持证人', key: '身份证件号' } },
  household_register: { theme: 'brown', header: '中华人民共和国', holderLabels: PERSON_LABELS },
  real_estate_cert: { theme: 'red', header: '中华人民共和国', holderLabels: { name: '权利人', key: '证件号码' } },
  disability_cert: { theme: 'purple', header: '中华人民共和国', holderLabels: PERSON_LABELS },
  social_security_card: {
    theme: 'blue',
    header: '中华人民共和国',
    holderLabels: { name: '姓名', key: '社会保障号码' },
  },
}

export function faceTemplateOf(type: Pick<LicenseTypeView, 'faceTemplate' | 'holderKind'>): FaceTemplate {
  const known = type.faceTemplate ? FACE_TEMPLATES[type.faceTemplate] : undefined
  if (known) return known
  return type.holderKind === 'enterprise'
    ? { theme: 'blue', holderLabels: ENTERPRISE_LABELS }
    : { theme: 'blue', holderLabels: PERSON_LABELS }
}

export interface FaceQr {
  /** The SVG markup made by the qrcode library from `text`. */
  svg: string
  /** What the QR code holds. */
  text: string
  /** The signed payload (holder's face only), for the data attribute. */
  payload?: string
  caption: string
}

export interface FaceModel {
  licenseId: string
  typeName: string
  template: FaceTemplate
  identifier: string
  holder: { nameLabel: string; name: string; keyLabel: string; key: string }
  fields: { key: string; label: string; value: string }[]
  validFrom: string
  validTo: string | null
  issuerName: string
  issuedOn: string
  trustGrade: TrustGrade
  walletState: WalletState
  /** The watermark lines: the trust grade's, and (shared faces) whom and what for. */
  watermark: string[]
  version: number
}

/** The face of a license as its template shows it; `masked` for shared faces. */
export function faceModel(
  license: LicenseView,
  type: LicenseTypeView,
  walletState: WalletState,
  options: { masked?: boolean; extraWatermark?: string } = {},
): FaceModel {
  const template = faceTemplateOf(type)
  const known = new Set(type.fields.map((f) => f.key))
  const fields = [
    ...type.fields.map((f) => ({ key: f.key, label: f.label, value: license.data[f.key] ?? '' })),
    // Fields a later edit of the type removed still show, as signed.
    ...Object.entries(license.data)
      .filter(([k]) => !known.has(k))
      .map(([key, value]) => ({ key, label: key, value })),
  ].filter((f) => f.value !== '')
  const maskHolder = options.masked && license.holder.kind === 'person'
  return {
    licenseId: license.id,
    typeName: license.typeName,
    template,
    identifier: license.identifier,
    holder: {
      nameLabel: template.holderLabels.name,
      name: maskHolder ? maskName(license.holder.name) : license.holder.name,
      keyLabel: template.holderLabels.key,
      key: license.holder.key,
    },
    fields,
    validFrom: license.validFrom,
    validTo: license.validTo,
    issuerName: license.issuer.name,
    issuedOn: formatDate(license.issuedAt),
    trustGrade: license.trustGrade,
    walletState,
    watermark: [watermarkText(license.issuer.name), ...(options.extraWatermark ? [options.extraWatermark] : [])],
    version: license.version,
  }
}

/** A QR code as SVG markup (error correction M, as docs/licenses.md measures). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
}

/** The holder's QR code: the signed payload. */
export async function payloadQr(payload: string): Promise<FaceQr> {
  return {
    svg: await qrSvg(payload),
    text: payload,
    payload,
    caption: '扫码核验：二维码内含带电子签名的证照信息，可用本平台公布的印章公钥离线核验。',
  }
}

/** The shared face's QR code: the verification link of the identifier. */
export async function verifyLinkQr(baseUrl: string, identifier: string): Promise<FaceQr> {
  const text = `${baseUrl}/verify?q=${encodeURIComponent(identifier)}`
  return { svg: await qrSvg(text), text, caption: '扫码在线核验证照状态（显示脱敏信息）。' }
}

export const WALLET_STATE_TONES: Record<WalletState, TagTone> = {
  valid: 'green',
  expiring: 'yellow',
  expired: 'grey',
  revoked: 'red',
  superseded: 'grey',
}

export function WalletStateTag({ state }: { state: WalletState }) {
  return <Tag tone={WALLET_STATE_TONES[state]}>{WALLET_STATE_LABELS[state]}</Tag>
}

export function validityText(validFrom: string, validTo: string | null): string {
  return `${chineseDate(validFrom)} 至 ${validTo ? chineseDate(validTo) : '长期'}`
}

// ----- pieces ---------------------------------------------------------------------------------

function starPoints(cx: number, cy: number, outer: number, inner: number): string {
  return Array.from({ length: 10 }, (_, i) => {
    const angle = -Math.PI / 2 + (i * Math.PI) / 5
    const r = i % 2 === 0 ? outer : inner
    return `${(cx + r * Math.cos(angle)).toFixed(2)},${(cy + r * Math.sin(angle)).toFixed(2)}`
  }).join(' ')
}

/**
 * The issuer's seal image (as drawSeal draws it in the PDF): a red ring, the name along the upper
 * arc from lower left over the top to lower right, a star, and 「电子证照专用章」 below it.
 */
export function SealImage({ name, id }: { name: string; id: string }) {
  const chars = Array.from(name)
  const fontSize = Math.max(11, Math.min(24, Math.floor(250 / Math.max(chars.length, 1))))
  const spare = 250 - chars.length * fontSize
  const letterSpacing = chars.length > 1 ? Math.max(0, Math.min(8, spare / chars.length)) : 0
  const pathId = `license-seal-${id.replace(/[^A-Za-z0-9_-]/g, '')}`
  const r = 68
  const x1 = (100 - r * Math.cos(Math.PI / 6)).toFixed(2)
  const x2 = (100 + r * Math.cos(Math.PI / 6)).toFixed(2)
  const y = (100 + r * Math.sin(Math.PI / 6)).toFixed(2)
  return (
    <svg
      class="license-seal"
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 200 200"
      width="120"
      height="120"
      role="img"
      aria-label={`${name}电子证照专用章（图样）`}
    >
      <circle cx="100" cy="100" r="94" fill="none" stroke={SEAL_RED} stroke-width="6" />
      <path id={pathId} d={`M ${x1} ${y} A ${r} ${r} 0 1 1 ${x2} ${y}`} fill="none" />
      <text
        fill={SEAL_RED}
        font-size={String(fontSize)}
        font-weight="700"
        letter-spacing={letterSpacing.toFixed(1)}
        font-family="'SimSun', 'Songti SC', 'Noto Serif CJK SC', serif"
      >
        <textPath href={`#${pathId}`} startOffset="50%" text-anchor="middle">
          {name}
        </textPath>
      </text>
      <polygon points={starPoints(100, 96, 28, 11)} fill={SEAL_RED} />
      <text
        x="100"
        y="152"
        fill={SEAL_RED}
        font-size="15"
        font-weight="700"
        text-anchor="middle"
        font-family="'SimSun', 'Songti SC', 'Noto Serif CJK SC', serif"
      >
        电子证照专用章
      </text>
    </svg>
  )
}

/** The QR code, its text in a data attribute (the signed payload on the holder's face). */
export function QrFigure({ qr, id }: { qr: FaceQr; id: string }) {
  return (
    <figure class="license-face__qr">
      {/* The SVG is generated by the qrcode library from our own text: paths only, no user markup. */}
      <div
        class="license-qr"
        id={`license-qr-${id}`}
        role="img"
        aria-label={qr.payload ? '证照二维码（含电子签名）' : '证照核验二维码'}
        data-payload={qr.payload}
        data-qr-text={qr.text}
        dangerouslySetInnerHTML={{ __html: qr.svg }}
      />
      <figcaption class="license-face__qr-caption">{qr.caption}</figcaption>
    </figure>
  )
}

/** The watermark across the card: the lines repeated on a rotated layer (decoration: aria-hidden). */
function Watermark({ lines }: { lines: string[] }) {
  const rows = Array.from({ length: 8 }, (_, i) => lines[i % lines.length]!)
  return (
    <div class="license-face__watermark" aria-hidden="true">
      <div class="license-face__watermark-layer">
        {rows.map((line, i) => (
          // the text is drawn by CSS from the attribute: pure decoration, not text to read or to
          // check for contrast (WCAG 1.4.3 exempts incidental text)
          <span key={i} data-watermark={`${line}　${line}`} />
        ))}
      </div>
    </div>
  )
}

/** The card. */
export function LicenseFace({ face, qr }: { face: FaceModel; qr: FaceQr }) {
  const titleId = `license-face-title-${face.licenseId}`
  const inactive = face.walletState !== 'valid' && face.walletState !== 'expiring'
  return (
    <article
      class={`license-face license-face--${face.template.theme}${inactive ? ' license-face--inactive' : ''}`}
      aria-labelledby={titleId}
    >
      <Watermark lines={face.watermark} />
      <header class="license-face__header">
        {face.template.header ? <p class="license-face__nation">{face.template.header}</p> : null}
        <h2 class="license-face__title" id={titleId}>
          {face.typeName}
        </h2>
        <p class="license-face__kind">电子证照{face.version > 1 ? `（第 ${face.version} 版）` : ''}</p>
        {inactive ? (
          <p class="license-face__stamp">
            <WalletStateTag state={face.walletState} />
          </p>
        ) : null}
      </header>
      <div class="license-face__body">
        <dl class="license-face__fields">
          <div class="license-face__row">
            <dt>{face.holder.nameLabel}</dt>
            <dd>{face.holder.name}</dd>
          </div>
          <div class="license-face__row">
            <dt>{face.holder.keyLabel}</dt>
            <dd class="code">{face.holder.key}</dd>
          </div>
          {face.fields.map((f) => (
            <div class="license-face__row" key={f.key}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
          <div class="license-face__row">
            <dt>有效期</dt>
            <dd>{validityText(face.validFrom, face.validTo)}</dd>
          </div>
        </dl>
        <QrFigure qr={qr} id={face.licenseId} />
      </div>
      <footer class="license-face__footer">
        <div class="license-face__issuer">
          <p>
            <span class="license-face__label">颁发机构</span>
            {face.issuerName}
          </p>
          <p>
            <span class="license-face__label">签发日期</span>
            {chineseDate(face.issuedOn)}
          </p>
          <p class="license-face__identifier">
            <span class="license-face__label">电子证照标识</span>
            <code class="code">{face.identifier}</code>
          </p>
        </div>
        <div class="license-face__seal">
          <SealImage name={face.issuerName} id={face.licenseId} />
        </div>
      </footer>
      <p class="license-face__trust">
        <Tag tone="green">可信等级 {TRUST_GRADE_LABELS[face.trustGrade]}</Tag> {face.watermark.join('；')}
      </p>
    </article>
  )
}

// ----- pages ----------------------------------------------------------------------------------

const STATE_NOTICES: Record<WalletState, string | undefined> = {
  valid: undefined,
  expiring: '这份证照即将到期，请及时办理延续或换证。',
  expired: '这份证照已超过有效期，不能再用于办事。',
  revoked: '这份证照已被颁发机构注销，不能再用于办事。',
  superseded: '这是旧版本，已被新版本替代，请以新版本为准。',
}

/** The holder's page of one license: the face, the QR code, the PDF, and (as children) uses and shares. */
export function LicenseFacePage({
  face,
  qr,
  revokeReason,
  done,
  children,
}: {
  face: FaceModel
  qr: FaceQr
  revokeReason?: string | null
  done?: string
  children?: ComponentChildren
}) {
  const notice = STATE_NOTICES[face.walletState]
  return (
    <Layout
      title={face.typeName}
      wide
      breadcrumbs={[
        { href: '/', label: '首页' },
        { href: '/my/licenses', label: '我的证照' },
        { label: face.typeName },
      ]}
    >
      <span class="caption">我的证照</span>
      <h1 class="heading-xl">
        {face.typeName} <WalletStateTag state={face.walletState} />
      </h1>
      {done ? <Notice tone="success">{done}</Notice> : null}
      {notice ? (
        <Notice tone="warning" title={WALLET_STATE_LABELS[face.walletState]}>
          <p>
            {notice}
            {revokeReason ? `注销原因：${revokeReason}` : ''}
          </p>
        </Notice>
      ) : null}
      <LicenseFace face={face} qr={qr} />
      <div class="button-row license-actions">
        <ButtonLink href={`/my/licenses/${face.licenseId}/pdf`} variant="secondary">
          下载 PDF<span class="visually-hidden">：{face.typeName}</span>
        </ButtonLink>
        <a href={`/verify?q=${encodeURIComponent(face.identifier)}`}>在线核验</a>
        {face.walletState === 'valid' || face.walletState === 'expiring' ? <a href="#share">分享给他人查看</a> : null}
        <a href="#uses">谁用了我的证照</a>
      </div>
      {children}
    </Layout>
  )
}

/** What someone the holder shared a license with sees (once). */
export function SharedFacePage({
  face,
  qr,
  share,
  openedAt,
}: {
  face: FaceModel
  qr: FaceQr
  share: { audience: string; purpose: string; sharedBy: string }
  openedAt: string
}) {
  return (
    <Layout title={`分享的电子证照：${face.typeName}`} wide>
      <h1 class="heading-xl">{face.typeName}（电子证照）</h1>
      <Notice title={`${share.sharedBy} 分享给「${share.audience}」查看`}>
        <p>
          用途：{share.purpose}。本链接只能打开一次，已于 {formatDateTime(openedAt)} 打开并记入持证人的使用记录；
          请勿转发、截图外传。持证人的姓名已脱敏，请对照其出示的身份证件核对。
        </p>
      </Notice>
      <LicenseFace face={face} qr={qr} />
      <p>
        核验：扫描证照上的二维码，或在<a href={`/verify?q=${encodeURIComponent(face.identifier)}`}>电子证照核验</a>
        页面输入电子证照标识，可确认证照是否有效、是否已注销。
      </p>
    </Layout>
  )
}
