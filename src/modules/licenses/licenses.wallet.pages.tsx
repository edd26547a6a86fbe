/**
 * 「我的证照」: the list of the holder's licenses, and the parts of a license's page below its face
 * (licenses.face.tsx): who used it, the share links, earlier versions; the page that shows a new
 * share link (once) and the page of a share link that no longer opens.
 */
import {
  Button,
  ErrorSummary,
  errorMap,
  type FieldError,
  Form,
  formatDateTime,
  Layout,
  Notice,
  Panel,
  Radios,
  Table,
  TextInput,
} from '../../platform/ui/index.js'
import { validityText, WalletStateTag } from './licenses.face.js'
import type { LicenseView } from './licenses.service.js'
import { SHARE_DAY_CHOICES, SHARE_MAX_DAYS, SHARE_STATUS_LABELS, type ShareView } from './licenses.shares.js'
import type { LicenseUseView, WalletEntry } from './licenses.wallet.js'
import { walletStateOf } from './licenses.wallet.js'

// ----- the list ---------------------------------------------------------------------------------

export function WalletPage({ entries, actingFor }: { entries: WalletEntry[]; actingFor?: string }) {
  return (
    <Layout title="我的证照" wide breadcrumbs={[{ href: '/', label: '首页' }, { label: '我的证照' }]}>
      <span class="caption">{actingFor ? `代表 ${actingFor}` : '个人'}</span>
      <h1 class="heading-xl">我的证照</h1>
      <p class="lead">
        由政府部门签发的电子证照，与纸质证照具有同等效力。办事时可以直接调用，无需再上传；每一次使用都记录在证照的「谁用了我的证照」中。
      </p>
      <Table
        caption={actingFor ? `${actingFor}的电子证照` : '我的电子证照'}
        rows={entries}
        rowKey={(e) => e.license.id}
        empty="您还没有电子证照。办理的事项办结后，签发的电子证照会出现在这里。"
        columns={[
          {
            header: '证照',
            cell: (e) => (
              <>
                <a href={`/my/licenses/${e.license.id}`}>{e.license.typeName}</a>
                <span class="hint license-list__issuer">{e.license.issuer.name}</span>
              </>
            ),
          },
          {
            header: '电子证照标识',
            cell: (e) => <code class="code license-list__identifier">{e.license.identifier}</code>,
          },
          { header: '有效期', cell: (e) => validityText(e.license.validFrom, e.license.validTo) },
          { header: '状态', cell: (e) => <WalletStateTag state={e.walletState} /> },
          {
            header: '操作',
            cell: (e) => (
              <ul class="license-list__links">
                <li>
                  <a href={`/my/licenses/${e.license.id}`}>
                    照面和二维码<span class="visually-hidden">：{e.license.typeName}</span>
                  </a>
                </li>
                <li>
                  <a href={`/my/licenses/${e.license.id}/pdf`}>
                    下载 PDF<span class="visually-hidden">：{e.license.typeName}</span>
                  </a>
                </li>
                <li>
                  <a href={`/my/licenses/${e.license.id}#uses`}>
                    谁用了我的证照<span class="visually-hidden">：{e.license.typeName}</span>
                  </a>
                </li>
              </ul>
            ),
          },
        ]}
      />
      <p class="hint">
        有人向您出示电子证照时，可以在<a href="/verify">电子证照核验</a>页面输入证照标识或二维码内容核验真伪。
      </p>
    </Layout>
  )
}

// ----- below the face -----------------------------------------------------------------------------

export function UsesSection({ uses }: { uses: LicenseUseView[] }) {
  return (
    <section class="license-section" id="uses" aria-labelledby="uses-title" tabIndex={-1}>
      <h2 class="heading-m" id="uses-title">
        谁用了我的证照
      </h2>
      <p class="hint">部门在办事时调用、或他人通过您的分享链接查看，都会记录在这里。</p>
      <Table
        caption={`使用记录（共 ${uses.length} 次）`}
        rows={uses}
        rowKey={(u) => u.id}
        empty="这份证照还没有被使用过。"
        columns={[
          { header: '时间', cell: (u) => formatDateTime(u.at) },
          { header: '使用方', cell: (u) => u.departmentName ?? '分享链接的接收方' },
          {
            header: '办件',
            cell: (u) => (u.applicationId ? <a href={`/my/applications/${u.applicationId}`}>查看办件</a> : '—'),
          },
          { header: '用途', cell: (u) => u.purpose },
          { header: '版本', cell: (u) => String(u.version).padStart(3, '0') },
        ]}
      />
    </section>
  )
}

export interface ShareFormValues {
  audience?: string
  purpose?: string
  days?: string
}

export function SharesSection({
  licenseId,
  typeName,
  shares,
  canShare,
  errors,
  values,
}: {
  licenseId: string
  typeName: string
  shares: ShareView[]
  canShare: boolean
  errors?: FieldError[]
  values?: ShareFormValues
}) {
  const map = errorMap(errors)
  return (
    <section class="license-section" id="share" aria-labelledby="share-title" tabIndex={-1}>
      <h2 class="heading-m" id="share-title">
        分享给他人查看
      </h2>
      <p>
        需要向银行、房东等平台以外的单位或个人出示证照时，可以生成一次性的分享链接：链接只能打开一次，最长{' '}
        {SHARE_MAX_DAYS} 天有效，打开时会记入使用记录。对方看到的照面上，个人姓名已脱敏，二维码为在线核验链接。
      </p>
      <Table
        caption="分享链接"
        rows={shares}
        rowKey={(s) => s.id}
        empty="还没有分享过这份证照。"
        columns={[
          { header: '分享给', cell: (s) => s.audience },
          { header: '用途', cell: (s) => s.purpose },
          { header: '生成时间', cell: (s) => formatDateTime(s.createdAt) },
          { header: '有效至', cell: (s) => formatDateTime(s.expiresAt) },
          {
            header: '状态',
            cell: (s) =>
              s.status === 'used' && s.usedAt
                ? `${SHARE_STATUS_LABELS.used}（${formatDateTime(s.usedAt)}）`
                : SHARE_STATUS_LABELS[s.status],
          },
          {
            header: '操作',
            cell: (s) =>
              s.status === 'open' ? (
                <Form action={`/my/licenses/${licenseId}/shares/${s.id}/revoke`} class="inline-form">
                  <Button variant="secondary">
                    撤销<span class="visually-hidden">分享给{s.audience}的链接</span>
                  </Button>
                </Form>
              ) : (
                '—'
              ),
          },
        ]}
      />
      {canShare ? (
        <>
          <h3 class="heading-s">生成分享链接</h3>
          <ErrorSummary errors={errors} />
          <Form action={`/my/licenses/${licenseId}/shares`}>
            <TextInput
              name="audience"
              label="分享给谁"
              hint="写明对方单位或姓名，如：中国工商银行潮安支行"
              value={values?.audience}
              error={map.audience}
              required
              maxLength={60}
            />
            <TextInput
              name="purpose"
              label="用途"
              hint="如：开立对公账户"
              value={values?.purpose}
              error={map.purpose}
              required
              maxLength={100}
            />
            <Radios
              name="days"
              legend="链接有效期"
              value={values?.days ?? '3'}
              error={map.days}
              inline
              options={SHARE_DAY_CHOICES.map((d) => ({ value: String(d), label: `${d} 天` }))}
            />
            <Button>
              生成分享链接<span class="visually-hidden">：{typeName}</span>
            </Button>
          </Form>
        </>
      ) : (
        <p class="hint">只有有效的证照可以分享。</p>
      )}
    </section>
  )
}

export function VersionsSection({ versions, today }: { versions: LicenseView[]; today: string }) {
  if (versions.length <= 1) return null
  return (
    <section class="license-section" aria-labelledby="versions-title">
      <h2 class="heading-m" id="versions-title">
        历史版本
      </h2>
      <Table
        caption="这份证照的各个版本（换发、变更、延续时版本号加 1）"
        rows={versions}
        rowKey={(v) => v.id}
        columns={[
          { header: '版本', cell: (v) => String(v.version).padStart(3, '0') },
          { header: '电子证照标识', cell: (v) => <code class="code">{v.identifier}</code> },
          { header: '签发时间', cell: (v) => formatDateTime(v.issuedAt) },
          { header: '有效期', cell: (v) => validityText(v.validFrom, v.validTo) },
          { header: '状态', cell: (v) => <WalletStateTag state={walletStateOf(v, today)} /> },
        ]}
      />
    </section>
  )
}

// ----- share pages ----------------------------------------------------------------------------------

export function ShareCreatedPage({
  licenseId,
  typeName,
  link,
  share,
}: {
  licenseId: string
  typeName: string
  link: string
  share: ShareView
}) {
  return (
    <Layout
      title="分享链接已生成"
      breadcrumbs={[
        { href: '/', label: '首页' },
        { href: '/my/licenses', label: '我的证照' },
        { href: `/my/licenses/${licenseId}`, label: typeName },
        { label: '分享链接' },
      ]}
    >
      <Panel title="分享链接已生成">
        {typeName} · 分享给「{share.audience}」
      </Panel>
      <Notice tone="warning" title="链接只显示这一次">
        <p>请现在复制链接发给对方。离开本页后链接不再显示；忘记复制的，可撤销后重新生成。</p>
      </Notice>
      <TextInput
        name="link"
        label="分享链接"
        hint={`用途：${share.purpose}；${formatDateTime(share.expiresAt)} 前有效，只能打开一次。`}
        value={link}
        readOnly
        spellcheck={false}
        class="input--code"
      />
      <p>
        <a href={`/my/licenses/${licenseId}#share`}>返回证照</a>
      </p>
    </Layout>
  )
}

export function ShareGonePage({ message }: { message: string }) {
  return (
    <Layout title="分享链接已失效">
      <h1 class="heading-xl">分享链接已失效</h1>
      <p class="lead">{message}</p>
      <p>
        已有证照标识的，可以在<a href="/verify">电子证照核验</a>页面核验证照是否有效。
      </p>
    </Layout>
  )
}
