import {
  Button,
  ErrorSummary,
  type FieldError,
  Form,
  formatDateTime,
  Layout,
  Notice,
  Select,
  SummaryList,
  Table,
  Tag,
  type TagTone,
  Textarea,
} from '../../platform/ui/index.js'
import type { SealKeyView } from './licenses.keys.js'
import type { VerificationResult } from './licenses.service.js'
import { OPENSSL_VERIFY_COMMAND } from './licenses.sm2.js'
import type { VerificationState } from './licenses.verify.js'

const STATE_TONES: Record<VerificationState, TagTone> = {
  valid: 'green',
  expired: 'yellow',
  revoked: 'red',
  superseded: 'grey',
  unknown: 'grey',
  tampered: 'red',
}

// ----- 电子证照核验 (public) -----------------------------------------------------------------------

function VerificationPanel({ result }: { result: VerificationResult }) {
  const l = result.license
  const rows = [
    { key: '核验结果', value: <Tag tone={STATE_TONES[result.state]}>{result.label}</Tag> },
    ...(result.identifier ? [{ key: '电子证照标识', value: <code class="code">{result.identifier}</code> }] : []),
    ...(l
      ? [
          { key: '证照名称', value: l.typeName },
          { key: '持证人', value: `${l.holderName}（${l.holderKey}）` },
          { key: '颁发机构', value: l.issuerName },
          { key: '签发时间', value: formatDateTime(l.issuedAt) },
          { key: '有效期', value: `${l.validFrom} 至 ${l.validTo ?? '长期'}` },
          { key: '版本', value: String(l.version).padStart(3, '0') },
          ...(l.revokedAt ? [{ key: '注销时间', value: formatDateTime(l.revokedAt) }] : []),
          ...(l.currentIdentifier
            ? [
                {
                  key: '最新版本',
                  value: <a href={`/verify?q=${encodeURIComponent(l.currentIdentifier)}`}>{l.currentIdentifier}</a>,
                },
              ]
            : []),
          ...(l.data ?? []).map((d) => ({ key: d.label, value: d.value })),
        ]
      : []),
    ...(result.signature
      ? [
          {
            key: '电子签名',
            value: `${result.signature.valid ? '有效' : '无效'}（SM2，印章密钥 ${result.signature.keyId}）`,
          },
        ]
      : []),
  ]
  return (
    <section aria-labelledby="verify-result">
      <h2 class="heading-m" id="verify-result">
        核验结果
      </h2>
      <Notice
        tone={result.state === 'valid' ? 'success' : result.state === 'unknown' ? 'info' : 'warning'}
        title={result.label}
      >
        <p>{result.message}</p>
      </Notice>
      <SummaryList rows={rows} />
    </section>
  )
}

export function VerifyPage({ q, result, errors }: { q?: string; result?: VerificationResult; errors?: FieldError[] }) {
  return (
    <Layout title="电子证照核验" breadcrumbs={[{ href: '/', label: '首页' }, { label: '电子证照核验' }]}>
      <div class="narrow">
        <h1 class="heading-xl">电子证照核验</h1>
        <p class="lead">
          输入证照上的电子证照标识，或粘贴扫描证照二维码得到的内容，核验证照是否由本平台签发、是否有效、内容是否被改动。
        </p>
        <ErrorSummary errors={errors} />
        <Form action="/verify" method="get">
          <Textarea
            name="q"
            label="电子证照标识或二维码内容"
            hint="标识如 1.2.156.3005.2.….001.U；二维码内容以 YWL1. 开头。"
            error={errors?.[0]?.message}
            value={q ?? ''}
            required
            rows={4}
            spellcheck={false}
            autoComplete="off"
          />
          <Button>核验</Button>
        </Form>
        {result ? <VerificationPanel result={result} /> : null}
        <p class="hint">
          核验只显示脱敏后的持证人信息。没有网络时，可以用本平台公布的<a href="/licenses/keys">印章公钥</a>
          自行核验二维码中的电子签名。
        </p>
      </div>
    </Layout>
  )
}

// ----- 印章公钥 (public) -------------------------------------------------------------------------

const KEY_STATE: Record<SealKeyView['state'], { label: string; tone: TagTone }> = {
  active: { label: '在用', tone: 'green' },
  retired: { label: '已停用', tone: 'grey' },
}

function period(k: SealKeyView): string {
  return `${formatDateTime(k.validFrom)} 至 ${k.validTo ? formatDateTime(k.validTo) : '今'}`
}

export function PublicKeysPage({ keys }: { keys: SealKeyView[] }) {
  return (
    <Layout
      title="电子印章公钥"
      wide
      breadcrumbs={[
        { href: '/', label: '首页' },
        { href: '/verify', label: '电子证照核验' },
        { label: '电子印章公钥' },
      ]}
    >
      <h1 class="heading-xl">电子印章公钥</h1>
      <p class="lead">
        本平台各颁发部门用 SM2 电子印章密钥对电子证照签名。下列公钥（含已停用的）可用于核验证照二维码中的签名；
        机器可读版本见 <a href="/.well-known/seal-keys.json">/.well-known/seal-keys.json</a>。
      </p>
      <Table
        caption="各部门的印章密钥"
        rows={keys}
        rowKey={(k) => k.id}
        empty="尚未生成印章密钥"
        columns={[
          { header: '部门', cell: (k) => k.departmentName },
          { header: '密钥标识', cell: (k) => <code class="code">{k.keyId}</code> },
          { header: '状态', cell: (k) => <Tag tone={KEY_STATE[k.state].tone}>{KEY_STATE[k.state].label}</Tag> },
          { header: '使用期', cell: period },
        ]}
      />
      <h2 class="heading-m">公钥（PEM）</h2>
      {keys.map((k) => (
        <details key={k.id}>
          <summary>
            {k.departmentName} · {k.keyId}（{KEY_STATE[k.state].label}）
          </summary>
          <pre class="code">{k.publicKeyPem}</pre>
          <p class="hint code">SM3 指纹：{k.fingerprint}</p>
        </details>
      ))}
      <h2 class="heading-m">自行核验（OpenSSL 3）</h2>
      <ol class="list list--number">
        <li>
          把二维码内容按「.」分成三段：第一段为 <code>YWL1</code>，第二段为证照信息，第三段为签名（均为不带填充的
          base64url）。
        </li>
        <li>
          将第二段解码后保存为 <code>data</code>，第三段解码后保存为 <code>sig.der</code>。
        </li>
        <li>
          按 <code>data</code> 中的 <code>keyId</code> 找到上表中的公钥，保存为 <code>pub.pem</code>
          ；确认签发时间（issuedAt）在该密钥的使用期内，标识中的颁发机构代码（标识第 7 段）与该部门的信用代码相同。
        </li>
        <li>
          运行（一行）：
          <p>
            <code class="code">{OPENSSL_VERIFY_COMMAND}</code>
          </p>
          显示 <code>Signature Verified Successfully</code> 即签名有效。
        </li>
      </ol>
    </Layout>
  )
}

// ----- 印章密钥管理 (security administrator) --------------------------------------------------------

const DONE_NOTICES = {
  generated: '已生成新的印章密钥。',
  rotated: '已轮换：新密钥即时生效，旧密钥已停用并保留，用于核验它签发的证照。',
  retired: '已停用。该部门在生成新密钥之前不能签发电子证照。',
} as const

export function AdminKeysPage({
  keys,
  departments,
  done,
  errors,
}: {
  keys: SealKeyView[]
  /** Departments without an active key. */
  departments: { value: string; label: string }[]
  done?: keyof typeof DONE_NOTICES
  errors?: FieldError[]
}) {
  return (
    <Layout title="印章密钥管理" wide breadcrumbs={[{ href: '/', label: '首页' }, { label: '印章密钥管理' }]}>
      <h1 class="heading-xl">印章密钥管理</h1>
      {done ? <Notice tone="success">{DONE_NOTICES[done]}</Notice> : null}
      <ErrorSummary errors={errors} />
      <p class="lead">
        每个颁发部门一把在用的 SM2
        印章密钥，私钥加密保存。轮换后旧密钥停用但保留，已签发的证照仍可核验。所有操作记入审计日志。
      </p>
      <Table
        caption="印章密钥"
        rows={keys}
        rowKey={(k) => k.id}
        empty="尚未生成印章密钥"
        columns={[
          { header: '部门', cell: (k) => k.departmentName },
          { header: '密钥标识', cell: (k) => <code class="code">{k.keyId}</code> },
          { header: '状态', cell: (k) => <Tag tone={KEY_STATE[k.state].tone}>{KEY_STATE[k.state].label}</Tag> },
          { header: '使用期', cell: period },
          {
            header: '操作',
            cell: (k) =>
              k.state === 'active' ? (
                <div class="button-row">
                  <Form action={`/admin/seal-keys/${k.id}/rotate`} class="inline-form">
                    <Button variant="secondary" aria-label={`轮换${k.departmentName}的印章密钥`}>
                      轮换
                    </Button>
                  </Form>
                  <Form action={`/admin/seal-keys/${k.id}/retire`} class="inline-form">
                    <Button variant="warning" aria-label={`停用${k.departmentName}的印章密钥`}>
                      停用
                    </Button>
                  </Form>
                </div>
              ) : (
                '—'
              ),
          },
        ]}
      />
      <h2 class="heading-m">生成印章密钥</h2>
      {departments.length === 0 ? (
        <p>每个部门都已有在用的印章密钥。</p>
      ) : (
        <Form action="/admin/seal-keys">
          <Select
            name="departmentId"
            label="部门"
            hint="只列出没有在用密钥的部门；已有密钥的部门请使用“轮换”。"
            options={departments}
            error={errors?.find((e) => e.field === 'departmentId')?.message}
            required
          />
          <Button>生成</Button>
        </Form>
      )}
      <p class="hint">
        公开的公钥列表：<a href="/licenses/keys">电子印章公钥</a>（<a href="/.well-known/seal-keys.json">JSON</a>）。
      </p>
    </Layout>
  )
}
