import type { ComponentChildren } from 'preact'
import {
  Button,
  ButtonLink,
  ErrorSummary,
  errorMap,
  Field,
  type FieldError,
  Form,
  fieldId,
  formatDateTime,
  Layout,
  Notice,
  Panel,
  Radios,
  Select,
  SummaryList,
  Table,
  Tag,
  Textarea,
  TextInput,
} from '../../platform/ui/index.js'
import { AUTH_METHODS, GRANT_TYPES, SCOPES } from './sso.scopes.js'
import type { ClientView } from './sso.service.js'

// ----- single sign-on pages (what a person sees) ------------------------------------------------

export interface ScopeLine {
  name: string
  label: string
  description: string
}

/** 授权确认: which system asks for what; 同意 / 拒绝. */
export function ConsentPage({
  action,
  clientName,
  departmentName,
  personName,
  ask,
  alsoGiven,
}: {
  action: string
  clientName: string
  departmentName?: string
  personName: string
  /** Scopes that need the person's approval. */
  ask: ScopeLine[]
  /** Scopes the system gets without asking (or already granted), listed so nothing is hidden. */
  alsoGiven: ScopeLine[]
}) {
  return (
    <Layout title="授权确认" breadcrumbs={[{ href: '/', label: '首页' }, { label: '授权确认' }]}>
      <div class="narrow">
        <h1 class="heading-xl">「{clientName}」请求使用您的信息</h1>
        <p class="lead">
          {departmentName ? `${departmentName}的业务系统` : '这个接入系统'}
          需要以下信息才能为您办理业务。您当前登录的账号是「{personName}」。
        </p>
        <h2 class="heading-m">需要您同意</h2>
        <SummaryList rows={ask.map((s) => ({ key: s.label, value: s.description }))} />
        {alsoGiven.length > 0 ? (
          <>
            <h2 class="heading-m">同时提供</h2>
            <SummaryList rows={alsoGiven.map((s) => ({ key: s.label, value: s.description }))} />
          </>
        ) : null}
        <p class="hint">同意后，该系统只能按上述范围使用您的信息。拒绝不会影响您在本平台办理其他事项。</p>
        <Form action={action}>
          <div>
            <Button name="decision" value="approve">
              同意
            </Button>
            <Button variant="secondary" name="decision" value="deny">
              拒绝
            </Button>
          </div>
        </Form>
      </div>
    </Layout>
  )
}

/**
 * 正在返回: shown after a login that began on another page, so the way back to the department
 * system is a fresh navigation (a form's Content-Security-Policy would refuse the redirect chain).
 */
export function ContinuePage({ clientName, href }: { clientName: string; href: string }) {
  return (
    <Layout title="正在返回">
      <div class="narrow">
        <Panel title="登录成功">
          <p>正在返回「{clientName}」……</p>
        </Panel>
        <p>如果页面没有自动跳转，请点击下面的按钮。</p>
        <ButtonLink href={href}>继续</ButtonLink>
      </div>
    </Layout>
  )
}

/** 退出确认 (RP-initiated logout). The form posts to oidc-provider with its own anti-forgery value. */
export function LogoutConfirmPage({ action, xsrf, clientName }: { action: string; xsrf: string; clientName?: string }) {
  return (
    <Layout title="退出登录">
      <div class="narrow">
        <h1 class="heading-xl">退出登录</h1>
        <p class="lead">
          {clientName ? `「${clientName}」请求退出登录。` : '有系统请求退出登录。'}
          退出后，您在本平台和通过本平台登录的各个系统都需要重新登录。
        </p>
        <form method="post" action={action} novalidate>
          <input type="hidden" name="xsrf" value={xsrf} />
          <div>
            <Button name="logout" value="yes">
              退出登录
            </Button>
            <Button variant="secondary">只退出该系统</Button>
          </div>
        </form>
      </div>
    </Layout>
  )
}

export function LoggedOutPage({ clientName }: { clientName?: string }) {
  return (
    <Layout title="已退出">
      <div class="narrow">
        <Panel title="已退出登录">{clientName ? <p>您已退出「{clientName}」。</p> : null}</Panel>
        <p>
          <a href="/">返回首页</a>
        </p>
      </div>
    </Layout>
  )
}

// ----- administration: 接入系统 ------------------------------------------------------------------

const breadcrumbs = (extra: { href?: string; label: string }[] = []) => [
  { href: '/', label: '首页' },
  { href: '/admin/clients', label: '接入系统' },
  ...extra,
]

const scopeLabel = (name: string) => (name in SCOPES ? SCOPES[name as keyof typeof SCOPES].label : name)
const grantLabel = (name: string) => (name in GRANT_TYPES ? GRANT_TYPES[name as keyof typeof GRANT_TYPES].label : name)

function clientKind(client: ClientView): string {
  return client.authMethod === 'none' ? '公开客户端（PKCE）' : '机密客户端'
}

export function ClientsPage({ clients }: { clients: ClientView[] }) {
  return (
    <Layout title="接入系统" wide breadcrumbs={[{ href: '/', label: '首页' }, { label: '接入系统' }]}>
      <h1 class="heading-xl">接入系统（统一身份认证）</h1>
      <p class="lead">各部门业务系统通过本平台单点登录（OpenID Connect）。在这里登记系统、更换密钥或停用。</p>
      <p>
        <ButtonLink href="/admin/clients/new">登记接入系统</ButtonLink>
      </p>
      <Table
        caption="已登记的接入系统"
        rows={clients}
        rowKey={(c) => c.clientId}
        empty="还没有登记接入系统"
        columns={[
          { header: '系统名称', cell: (c) => <a href={`/admin/clients/${c.clientId}`}>{c.name}</a> },
          { header: '客户端标识', cell: (c) => <code>{c.clientId}</code> },
          { header: '所属部门', cell: (c) => c.departmentName ?? '—' },
          { header: '类型', cell: clientKind },
          {
            header: '状态',
            cell: (c) => (c.active ? <Tag tone="green">启用</Tag> : <Tag tone="grey">已停用</Tag>),
          },
          { header: '登记时间', cell: (c) => formatDateTime(c.createdAt) },
        ]}
      />
    </Layout>
  )
}

export interface ClientFormValues {
  name: string
  clientId: string
  departmentId: string
  authMethod: string
  redirectUris: string
  postLogoutRedirectUris: string
  scopes: string[]
  grantTypes: string[]
  fullIdNumberAllowed: boolean
}

export const emptyClientForm: ClientFormValues = {
  name: '',
  clientId: '',
  departmentId: '',
  authMethod: 'client_secret_basic',
  redirectUris: '',
  postLogoutRedirectUris: '',
  scopes: ['openid', 'profile'],
  grantTypes: ['authorization_code'],
  fullIdNumberAllowed: false,
}

/** A group of checkboxes in a fieldset (the platform has radios; these share their layout). */
function Checkboxes({
  name,
  legend,
  hint,
  error,
  values,
  options,
}: {
  name: string
  legend: ComponentChildren
  hint?: ComponentChildren
  error?: string
  values: readonly string[]
  options: { value: string; label: ComponentChildren }[]
}) {
  const id = fieldId(name)
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <fieldset class="fieldset" aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}>
        <legend class="field__label">{legend}</legend>
        {hint ? (
          <div class="field__hint" id={hintId}>
            {hint}
          </div>
        ) : null}
        {error ? (
          <p class="field__error" id={errorId}>
            <span class="visually-hidden">错误：</span>
            {error}
          </p>
        ) : null}
        <div class="radios">
          {options.map((o, i) => (
            <div class="radios__item" key={o.value}>
              <input
                class="radios__input"
                type="checkbox"
                id={i === 0 ? id : `${id}-${i}`}
                name={name}
                value={o.value}
                checked={values.includes(o.value)}
              />
              <label class="radios__label" for={i === 0 ? id : `${id}-${i}`}>
                {o.label}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  )
}

export function ClientFormPage({
  values,
  errors,
  departments,
}: {
  values: ClientFormValues
  errors?: FieldError[]
  departments: { id: string; name: string }[]
}) {
  const e = errorMap(errors)
  return (
    <Layout title="登记接入系统" breadcrumbs={breadcrumbs([{ label: '登记接入系统' }])}>
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">登记接入系统</h1>
      <Form action="/admin/clients">
        <TextInput
          name="name"
          label="系统名称"
          value={values.name}
          error={e.name}
          required
          hint="例如：区市场监管业务系统"
        />
        <TextInput
          name="clientId"
          label="客户端标识（client_id）"
          value={values.clientId}
          error={e.clientId}
          required
          spellcheck={false}
          hint="以小写字母开头，只用小写字母、数字和连字符，例如 scj-licensing。登记后不能修改。"
        />
        <Select
          name="departmentId"
          label="所属部门"
          value={values.departmentId}
          error={e.departmentId}
          placeholder="不属于区直部门（第三方系统）"
          options={departments.map((d) => ({ value: d.id, label: d.name }))}
          hint="区直部门的系统登录时不再询问基本信息；身份证号码、手机号码仍需本人同意。"
        />
        <Radios
          name="authMethod"
          legend="客户端类型"
          value={values.authMethod}
          error={e.authMethod}
          options={Object.entries(AUTH_METHODS).map(([value, m]) => ({ value, label: m.label }))}
        />
        <Checkboxes
          name="grantTypes"
          legend="授权方式"
          values={values.grantTypes}
          error={e.grantTypes}
          options={Object.entries(GRANT_TYPES).map(([value, g]) => ({ value, label: g.label }))}
        />
        <Checkboxes
          name="scopes"
          legend="可申请的权限范围"
          hint="只选系统确实需要的信息（个人信息保护法：最小必要）。"
          values={values.scopes}
          error={e.scopes}
          options={Object.entries(SCOPES).map(([value, s]) => ({
            value,
            label: (
              <>
                {s.label}（<code>{value}</code>）：{s.description}
              </>
            ),
          }))}
        />
        <Checkboxes
          name="fullIdNumberAllowed"
          legend="完整身份证号码"
          hint="仅在法律法规要求核验身份的系统勾选，并须经分管领导批准；其他系统只能得到隐去中间位数的号码。"
          values={values.fullIdNumberAllowed ? ['1'] : []}
          error={e.fullIdNumberAllowed}
          options={[{ value: '1', label: '允许该系统获取完整身份证号码（需本人同意“身份证号码”范围）' }]}
        />
        <Textarea
          name="redirectUris"
          label="回调地址（redirect_uri）"
          value={values.redirectUris}
          error={e.redirectUris}
          hint="每行一个，须以 https:// 开头；开发测试可用 http://127.0.0.1 或 http://localhost。仅授权码方式需要。"
          spellcheck={false}
        />
        <Textarea
          name="postLogoutRedirectUris"
          label="退出后返回地址（post_logout_redirect_uri）"
          value={values.postLogoutRedirectUris}
          error={e.postLogoutRedirectUris}
          hint="每行一个，规则同回调地址。"
          spellcheck={false}
        />
        <Button>登记</Button>
      </Form>
    </Layout>
  )
}

function ClientSummary({ client }: { client: ClientView }) {
  const list = (items: string[]) =>
    items.length === 0 ? (
      '—'
    ) : (
      <ul class="list">
        {items.map((i) => (
          <li key={i}>{i}</li>
        ))}
      </ul>
    )
  return (
    <SummaryList
      rows={[
        { key: '系统名称', value: client.name },
        { key: '客户端标识', value: <code>{client.clientId}</code> },
        { key: '所属部门', value: client.departmentName ?? '不属于区直部门' },
        { key: '客户端类型', value: AUTH_METHODS[client.authMethod].label },
        { key: '授权方式', value: list(client.grantTypes.map(grantLabel)) },
        { key: '可申请的权限范围', value: list(client.scopes.map((s) => `${scopeLabel(s)}（${s}）`)) },
        { key: '完整身份证号码', value: client.fullIdNumberAllowed ? '允许' : '不允许（只提供打码号码）' },
        { key: '回调地址', value: list(client.redirectUris) },
        { key: '退出后返回地址', value: list(client.postLogoutRedirectUris) },
        ...(client.secretFingerprint
          ? [
              {
                key: '密钥指纹',
                value: (
                  <>
                    <code>{client.secretFingerprint}</code>
                    {client.secretRotatedAt ? `（${formatDateTime(client.secretRotatedAt)} 生成）` : null}
                  </>
                ),
              },
            ]
          : []),
        { key: '状态', value: client.active ? <Tag tone="green">启用</Tag> : <Tag tone="grey">已停用</Tag> },
        { key: '登记时间', value: formatDateTime(client.createdAt) },
      ]}
    />
  )
}

export function ClientPage({ client, notice }: { client: ClientView; notice?: string }) {
  return (
    <Layout title={client.name} breadcrumbs={breadcrumbs([{ label: client.name }])}>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <h1 class="heading-xl">{client.name}</h1>
      <ClientSummary client={client} />
      {client.active ? (
        <>
          {client.authMethod !== 'none' ? (
            <>
              <h2 class="heading-m">更换密钥</h2>
              <p>更换后旧密钥立即失效，请先与系统承建单位约定时间。新密钥只显示一次。</p>
              <Form action={`/admin/clients/${client.clientId}/secret`}>
                <Button variant="secondary">生成新密钥</Button>
              </Form>
            </>
          ) : null}
          <h2 class="heading-m">停用</h2>
          <p>停用后该系统不能再通过本平台登录，已发出的令牌和刷新令牌全部失效。</p>
          <Form action={`/admin/clients/${client.clientId}/deactivate`}>
            <Button variant="warning">停用该系统</Button>
          </Form>
        </>
      ) : null}
    </Layout>
  )
}

/** The client secret, shown once after registration or rotation. */
export function SecretPage({ client, secret, rotated }: { client: ClientView; secret: string; rotated: boolean }) {
  return (
    <Layout
      title="客户端密钥"
      breadcrumbs={breadcrumbs([
        { href: `/admin/clients/${client.clientId}`, label: client.name },
        { label: '客户端密钥' },
      ])}
    >
      <Panel title={rotated ? '已生成新密钥' : '接入系统已登记'}>
        <p>客户端标识：{client.clientId}</p>
      </Panel>
      <Notice tone="warning" title="密钥只显示这一次">
        请立即通过安全渠道交给系统承建单位，配置到业务系统的服务端。离开本页后无法再次查看，只能重新生成。
      </Notice>
      <Field name="secret" label="客户端密钥（client_secret）" required>
        {({ id }) => (
          <input class="input" id={id} type="text" value={secret} readOnly spellcheck={false} autoComplete="off" />
        )}
      </Field>
      <p>
        <a href={`/admin/clients/${client.clientId}`}>返回「{client.name}」</a>
      </p>
    </Layout>
  )
}
