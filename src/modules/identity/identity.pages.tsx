import {
  Button,
  ErrorSummary,
  errorMap,
  type FieldError,
  Form,
  formatDateTime,
  Layout,
  Notice,
  SummaryList,
  Tag,
  TextInput,
} from '../../platform/ui/index.js'
import type { AccountView } from './identity.service.js'

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
    <Layout title="登录" breadcrumbs={[{ href: '/', label: '首页' }, { label: '登录' }]}>
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
        <p class="hint">连续输错 5 次密码，账号将被锁定 30 分钟。忘记密码可到政务服务中心窗口办理，或拨打 12345。</p>
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
    <Layout title="我的账号" breadcrumbs={[{ href: '/', label: '首页' }, { label: '我的账号' }]}>
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
      <Form action="/logout">
        <Button variant="secondary">退出登录</Button>
      </Form>
    </Layout>
  )
}
