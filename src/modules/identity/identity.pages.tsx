import {
  Button,
  ButtonLink,
  Checkbox,
  ErrorSummary,
  errorMap,
  type FieldError,
  Form,
  formatDateTime,
  Layout,
  Notice,
  SummaryList,
  Table,
  Tag,
  TextInput,
} from '../../platform/ui/index.js'
import type { SessionView } from './identity.login.js'
import type { AccountView } from './identity.service.js'

const crumbs = (label: string) => [{ href: '/', label: '首页' }, { label }]

export function LoginPage({
  account = '',
  next = '',
  errors,
  notice,
}: {
  account?: string
  next?: string
  errors?: FieldError[]
  notice?: string
}) {
  const e = errorMap(errors)
  return (
    <Layout title="登录" breadcrumbs={crumbs('登录')}>
      <div class="narrow">
        <ErrorSummary errors={errors} />
        {notice ? <Notice>{notice}</Notice> : null}
        <h1 class="heading-xl">登录</h1>
        <p>一个账号办理全区所有事项。工作人员也在此登录。</p>
        <Form action="/login">
          <input type="hidden" name="next" value={next} />
          <TextInput
            name="account"
            label="账号"
            hint="居民请填身份证号码或手机号码；工作人员请填工作账号"
            value={account}
            error={e.account}
            required
            autoComplete="username"
            spellcheck={false}
          />
          <TextInput
            name="password"
            type="password"
            label="密码"
            error={e.password}
            required
            autoComplete="current-password"
          />
          <Button>登录</Button>
        </Form>
        <p>
          <a href={`/login/sms${next ? `?next=${encodeURIComponent(next)}` : ''}`}>用手机短信验证码登录</a>
        </p>
        <p>
          还没有账号？<a href="/register">注册个人账号</a>
        </p>
        <p class="hint">连续输错 5 次密码，账号将被锁定 30 分钟。忘记密码可到政务服务中心窗口办理，或拨打 12345。</p>
      </div>
    </Layout>
  )
}

export function SmsLoginPage({
  mobile = '',
  next = '',
  sent,
  errors,
}: {
  mobile?: string
  next?: string
  sent?: boolean
  errors?: FieldError[]
}) {
  const e = errorMap(errors)
  return (
    <Layout
      title="短信验证码登录"
      breadcrumbs={[{ href: '/', label: '首页' }, { href: '/login', label: '登录' }, { label: '短信验证码登录' }]}
    >
      <div class="narrow">
        <ErrorSummary errors={errors} />
        {sent ? <Notice tone="success">如果该手机号码已在本平台注册，验证码已经发出，5 分钟内有效。</Notice> : null}
        <h1 class="heading-xl">短信验证码登录</h1>
        <Form action="/login/sms">
          <input type="hidden" name="next" value={next} />
          <TextInput
            name="mobile"
            type="tel"
            label="手机号码"
            hint="注册时填写的手机号码"
            value={mobile}
            error={e.mobile}
            required
            autoComplete="tel"
            inputMode="tel"
          />
          <Button variant="secondary" name="step" value="send">
            {sent ? '重新获取验证码' : '获取验证码'}
          </Button>
          <TextInput
            name="code"
            label="短信验证码"
            hint="6 位数字"
            error={e.code}
            required
            autoComplete="one-time-code"
            inputMode="numeric"
            class="input--short"
          />
          <Button name="step" value="login">
            登录
          </Button>
        </Form>
        <p>
          <a href="/login">用密码登录</a>
        </p>
      </div>
    </Layout>
  )
}

export interface RegisterValues {
  name?: string
  idNumber?: string
  mobile?: string
  agree?: boolean
}

export function RegisterPage({
  values = {},
  sent,
  errors,
}: {
  values?: RegisterValues
  sent?: boolean
  errors?: FieldError[]
}) {
  const e = errorMap(errors)
  return (
    <Layout title="注册个人账号" breadcrumbs={crumbs('注册个人账号')}>
      <div class="narrow">
        <ErrorSummary errors={errors} />
        {sent ? <Notice tone="success">验证码已发送到您的手机，5 分钟内有效。</Notice> : null}
        <h1 class="heading-xl">注册个人账号</h1>
        <p>注册后可在网上办理全区的事项。请如实填写，姓名和身份证号码须与身份证一致。</p>
        <Form action="/register">
          <TextInput name="name" label="姓名" value={values.name} error={e.name} required autoComplete="name" />
          <TextInput
            name="idNumber"
            label="身份证号码"
            hint="18 位，最后一位可能是 X"
            value={values.idNumber}
            error={e.idNumber}
            required
            spellcheck={false}
          />
          <TextInput
            name="mobile"
            type="tel"
            label="手机号码"
            value={values.mobile}
            error={e.mobile}
            required
            autoComplete="tel"
            inputMode="tel"
          />
          <Button variant="secondary" name="step" value="send">
            {sent ? '重新获取验证码' : '获取短信验证码'}
          </Button>
          <TextInput
            name="smsCode"
            label="短信验证码"
            error={e.smsCode}
            required
            autoComplete="one-time-code"
            inputMode="numeric"
          />
          <TextInput
            name="password"
            type="password"
            label="设置密码"
            hint="至少 12 个字符，不要用生日、手机号码或常见密码；可以用几个词加数字和符号"
            error={e.password}
            required
            autoComplete="new-password"
          />
          <TextInput
            name="passwordAgain"
            type="password"
            label="再次填写密码"
            error={e.passwordAgain}
            required
            autoComplete="new-password"
          />
          <Checkbox
            name="agree"
            label={
              <>
                我已阅读并同意<a href="/privacy">个人信息保护说明</a>
              </>
            }
            checked={values.agree}
            error={e.agree}
          />
          <Button name="step" value="register">
            注册
          </Button>
        </Form>
        <p class="hint">自行注册的账号为实名一级；到政务服务中心窗口核验身份后可升为二级、三级，办理要求更高的事项。</p>
      </div>
    </Layout>
  )
}

export function SecondFactorPage({
  name,
  errors,
  recovery,
}: {
  name: string
  errors?: FieldError[]
  recovery?: boolean
}) {
  const e = errorMap(errors)
  return (
    <Layout title="动态验证码" breadcrumbs={crumbs('动态验证码')}>
      <div class="narrow">
        <ErrorSummary errors={errors} />
        <h1 class="heading-xl">输入动态验证码</h1>
        <p>{name}，工作人员每次登录都需要第二重验证。</p>
        <Form action="/login/second-factor">
          {recovery ? (
            <>
              <TextInput
                name="recoveryCode"
                label="恢复码"
                hint="绑定验证器时保存的恢复码之一，如 ABCDE-FGHJK；每个只能用一次"
                error={e.recoveryCode ?? e.code}
                required
                spellcheck={false}
              />
              <input type="hidden" name="mode" value="recovery" />
            </>
          ) : (
            <TextInput
              name="code"
              label="身份验证器上的 6 位数字"
              error={e.code}
              required
              autoComplete="one-time-code"
              inputMode="numeric"
            />
          )}
          <Button>验证并登录</Button>
        </Form>
        <p>
          {recovery ? (
            <a href="/login/second-factor">改用身份验证器的动态码</a>
          ) : (
            <a href="/login/second-factor?recovery=1">手机不在身边？用恢复码登录</a>
          )}
        </p>
      </div>
    </Layout>
  )
}

export function TotpEnrolPage({
  name,
  qrSvg,
  secret,
  errors,
}: {
  name: string
  qrSvg: string
  secret: string
  errors?: FieldError[]
}) {
  const e = errorMap(errors)
  return (
    <Layout title="绑定身份验证器" breadcrumbs={crumbs('绑定身份验证器')}>
      <div class="narrow">
        <ErrorSummary errors={errors} />
        <h1 class="heading-xl">绑定身份验证器</h1>
        <p>
          {name}，工作人员账号须使用动态验证码登录。请用手机上的身份验证器应用（如国密认证、Microsoft
          Authenticator、FreeOTP）扫描下方二维码。
        </p>
        {/* The SVG is generated by the qrcode library from our own otpauth URI: no user input. */}
        <div class="qr" role="img" aria-label="身份验证器绑定二维码" dangerouslySetInnerHTML={{ __html: qrSvg }} />
        <p>
          无法扫码时，手动输入密钥：<span class="secret">{secret}</span>
        </p>
        <Form action="/login/totp-setup">
          <TextInput
            name="code"
            label="验证器上显示的 6 位数字"
            error={e.code}
            required
            autoComplete="one-time-code"
            inputMode="numeric"
          />
          <Button>完成绑定</Button>
        </Form>
      </div>
    </Layout>
  )
}

export function RecoveryCodesPage({ codes, next }: { codes: string[]; next: string }) {
  return (
    <Layout title="保存恢复码" breadcrumbs={crumbs('保存恢复码')}>
      <div class="narrow">
        <Notice tone="success" title="身份验证器绑定成功" />
        <h1 class="heading-xl">请保存恢复码</h1>
        <p>手机丢失或不在身边时，可以用下面任意一个恢复码代替动态验证码登录。每个恢复码只能用一次。</p>
        <p>
          <strong>这些恢复码只显示这一次</strong>，请抄写或打印后妥善保管，不要拍照发到聊天软件。
        </p>
        <ol class="code-list">
          {codes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ol>
        <ButtonLink href={next}>我已保存，继续</ButtonLink>
      </div>
    </Layout>
  )
}

const assuranceNames: Record<number, string> = {
  1: '一级（本人注册）',
  2: '二级（已核验身份）',
  3: '三级（现场核验）',
}

export function AccountPage({ view }: { view: AccountView }) {
  return (
    <Layout title="我的账号" breadcrumbs={crumbs('我的账号')}>
      <h1 class="heading-xl">我的账号</h1>
      <SummaryList
        rows={[
          { key: '姓名', value: view.displayName },
          ...(view.idNumberMasked ? [{ key: '身份证号码', value: view.idNumberMasked }] : []),
          ...(view.mobileMasked ? [{ key: '手机号码', value: view.mobileMasked }] : []),
          ...(view.kind === 'person'
            ? [
                {
                  key: '实名等级',
                  value: <Tag tone="green">{assuranceNames[view.assuranceLevel] ?? view.assuranceLevel}</Tag>,
                },
              ]
            : []),
          ...(view.department ? [{ key: '所在部门', value: view.department }] : []),
          ...(view.roles.length > 0 ? [{ key: '角色', value: view.roles.join('、') }] : []),
          { key: '本次登录', value: formatDateTime(view.sessionStartedAt) },
          { key: '最迟到期', value: formatDateTime(view.sessionExpiresAt) },
        ]}
      />
      <div class="button-row">
        <ButtonLink href="/my/security" variant="secondary">
          账号安全与登录设备
        </ButtonLink>
        <Form action="/logout" class="inline-form">
          <Button variant="secondary">退出登录</Button>
        </Form>
      </div>
    </Layout>
  )
}

export function SecurityPage({
  sessions,
  staff,
  recoveryCodesLeft,
  notice,
}: {
  sessions: SessionView[]
  staff: boolean
  recoveryCodesLeft?: number
  notice?: string
}) {
  return (
    <Layout
      title="账号安全"
      breadcrumbs={[{ href: '/', label: '首页' }, { href: '/my/account', label: '我的账号' }, { label: '账号安全' }]}
    >
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <h1 class="heading-xl">账号安全</h1>
      <h2 class="heading-m">密码</h2>
      <p>
        <a href="/my/password">修改密码</a>
        {staff ? '（工作人员密码每 90 天须更换一次）' : null}
      </p>
      {staff ? (
        <>
          <h2 class="heading-m">动态验证码</h2>
          <p>
            已绑定身份验证器。剩余可用恢复码 {recoveryCodesLeft ?? 0} 个
            {recoveryCodesLeft !== undefined && recoveryCodesLeft < 3 ? '，即将用完，请联系安全管理员重新绑定。' : '。'}
          </p>
        </>
      ) : null}
      <h2 class="heading-m">登录设备</h2>
      <Table
        caption="正在登录的设备"
        rows={sessions}
        rowKey={(s) => s.id}
        columns={[
          {
            header: '设备',
            cell: (s) =>
              s.current ? (
                <>
                  {s.device} <Tag tone="green">本设备</Tag>
                </>
              ) : (
                s.device
              ),
          },
          { header: '登录时间', cell: (s) => formatDateTime(s.createdAt) },
          { header: '最近活动', cell: (s) => formatDateTime(s.lastSeenAt) },
          { header: '网络地址', cell: (s) => s.ip ?? '—' },
          {
            header: '操作',
            cell: (s) =>
              s.current ? (
                '—'
              ) : (
                <Form action={`/my/sessions/${s.id}/end`} class="inline-form">
                  <Button variant="link">退出该设备</Button>
                </Form>
              ),
          },
        ]}
      />
      <Form action="/my/sessions/end-all">
        <Button variant="warning">退出所有设备（包括本设备）</Button>
      </Form>
    </Layout>
  )
}

export function PasswordPage({ errors, expired }: { errors?: FieldError[]; expired?: boolean }) {
  const e = errorMap(errors)
  return (
    <Layout
      title="修改密码"
      breadcrumbs={[{ href: '/', label: '首页' }, { href: '/my/account', label: '我的账号' }, { label: '修改密码' }]}
    >
      <div class="narrow">
        <ErrorSummary errors={errors} />
        {expired ? (
          <Notice tone="warning" title="请先修改密码">
            您的密码已超过 90 天未更换。按照安全要求，修改后才能继续使用。
          </Notice>
        ) : null}
        <h1 class="heading-xl">修改密码</h1>
        <Form action="/my/password">
          <TextInput
            name="current"
            type="password"
            label="当前密码"
            error={e.current}
            required
            autoComplete="current-password"
          />
          <TextInput
            name="next"
            type="password"
            label="新密码"
            hint="至少 12 个字符；工作人员还须包含大写字母、小写字母、数字、符号中的至少 3 类"
            error={e.next}
            required
            autoComplete="new-password"
          />
          <TextInput
            name="nextAgain"
            type="password"
            label="再次填写新密码"
            error={e.nextAgain}
            required
            autoComplete="new-password"
          />
          <Button>修改密码</Button>
        </Form>
        <p class="hint">修改后，其他设备上的登录会自动退出。</p>
      </div>
    </Layout>
  )
}

export function DevSmsPage({
  messages,
}: {
  messages: { id: string; mobileMasked: string; body: string; createdAt: string }[]
}) {
  return (
    <Layout title="短信发件箱（演示）" breadcrumbs={crumbs('短信发件箱（演示）')}>
      <h1 class="heading-xl">短信发件箱（演示）</h1>
      <Notice tone="warning" title="仅开发和演示环境可见">
        演示环境不连接短信平台，发出的短信记录在这里，便于试用验证码登录和注册。生产环境没有这个页面。
      </Notice>
      <Table
        caption="最近发出的短信"
        rows={messages}
        rowKey={(m) => m.id}
        columns={[
          { header: '时间', cell: (m) => formatDateTime(m.createdAt) },
          { header: '手机号码', cell: (m) => m.mobileMasked },
          { header: '内容', cell: (m) => m.body },
        ]}
        empty="还没有发出短信"
      />
    </Layout>
  )
}
