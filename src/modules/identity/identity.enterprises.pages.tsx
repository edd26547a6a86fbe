/** 我的企业: acting identities, registering an enterprise, agents (经办人) and their grants. */
import {
  Button,
  ButtonLink,
  type Column,
  ErrorSummary,
  errorMap,
  type FieldError,
  Form,
  formatDateTime,
  Layout,
  Notice,
  Panel,
  Radios,
  SummaryList,
  Table,
  Tag,
  type TagTone,
  Textarea,
  TextInput,
} from '../../platform/ui/index.js'
import {
  type ActingOption,
  type AgentView,
  ENTERPRISE_KINDS,
  type EnterpriseView,
  GRANT_MAX_YEARS,
  type GrantState,
  type MyEnterprisesView,
} from './identity.enterprises.js'

const kindOptions = Object.entries(ENTERPRISE_KINDS).map(([value, label]) => ({ value, label }))

const doneMessages: Record<string, string> = {
  switched: '已切换办事身份。',
  registered: '企业已登记。您现在可以切换为企业身份办事，也可以授权经办人。',
  granted: '已授权经办人。经办人登录后，在「我的企业」中即可切换为企业身份办事。',
  revoked: '授权已撤销，立即生效。',
}

function DoneNotice({ done }: { done?: string }) {
  const message = done ? doneMessages[done] : undefined
  return message ? <Notice tone="success">{message}</Notice> : null
}

function roleLabel(option: ActingOption): string {
  if (option.role === 'self') return '本人'
  if (option.role === 'legal_rep') return '法定代表人（经营者）'
  return option.scope === 'all' ? '经办人（全部事项）' : `经办人（指定 ${option.itemCodes?.length ?? 0} 个事项）`
}

/** 我的企业: who the person may act as, with a 切换 button for each. */
export function MyEnterprisesPage({ view, done }: { view: MyEnterprisesView; done?: string }) {
  const currentId = view.current?.id ?? null
  const columns: Column<ActingOption>[] = [
    {
      header: '名称',
      cell: (o) => (o.enterpriseId ? <a href={`/my/enterprises/${o.enterpriseId}`}>{o.name}</a> : `${o.name}（本人）`),
    },
    { header: '统一社会信用代码', cell: (o) => o.creditCode ?? '—' },
    { header: '类型', cell: (o) => (o.kind ? ENTERPRISE_KINDS[o.kind] : '自然人') },
    {
      header: '我的身份',
      cell: (o) => (
        <>
          {roleLabel(o)}
          {o.validUntil ? <div class="hint">授权至 {o.validUntil}</div> : null}
        </>
      ),
    },
    {
      header: '操作',
      cell: (o) =>
        o.enterpriseId === currentId ? (
          <Tag tone="green">当前身份</Tag>
        ) : (
          <Form action="/my/acting-as">
            <input type="hidden" name="enterpriseId" value={o.enterpriseId ?? ''} />
            <Button variant="secondary">
              切换<span class="visually-hidden">为{o.enterpriseId ? `「${o.name}」` : '个人'}身份</span>
            </Button>
          </Form>
        ),
    },
  ]
  return (
    <Layout title="我的企业" breadcrumbs={[{ href: '/', label: '首页' }, { label: '我的企业' }]}>
      <DoneNotice done={done} />
      <h1 class="heading-xl">我的企业</h1>
      <p class="lead">
        {view.current ? (
          <>
            您现在<strong>代表「{view.current.name}」</strong>办事。
          </>
        ) : (
          <>
            您现在以<strong>个人</strong>身份办事。
          </>
        )}
      </p>
      <p>法定代表人（经营者）和获得授权的经办人可以切换为企业身份，为企业办理事项。切换后，办件和记录都归属于企业。</p>
      <Table
        caption="我可以使用的身份"
        columns={columns}
        rows={view.options}
        rowKey={(o) => o.enterpriseId ?? 'self'}
      />
      <h2 class="heading-m">登记企业</h2>
      <p>如果您是企业的法定代表人或个体工商户的经营者，可以把它登记到您的账号下，并授权经办人。</p>
      <ButtonLink href="/my/enterprises/new" variant="secondary">
        登记企业
      </ButtonLink>
    </Layout>
  )
}

export interface EnterpriseFormValues {
  creditCode?: string
  name?: string
  kind?: string
  address?: string
  registeredAt?: string
  legalRepIdNumber?: string
  legalRepName?: string
  overrideReason?: string
}

function EnterpriseFields({ values, errors }: { values: EnterpriseFormValues; errors: ReturnType<typeof errorMap> }) {
  return (
    <>
      <TextInput
        name="creditCode"
        label="统一社会信用代码"
        hint="18 位，见营业执照（登记证书），例如 91445103MA4WJK8R2K"
        value={values.creditCode}
        error={errors.creditCode}
        required
        spellcheck={false}
        autoComplete="off"
        maxLength={30}
      />
      <TextInput
        name="name"
        label="名称"
        hint="与营业执照（登记证书）上的名称一致"
        value={values.name}
        error={errors.name}
        required
        maxLength={100}
      />
      <Radios name="kind" legend="主体类型" value={values.kind} error={errors.kind} options={kindOptions} />
      <TextInput
        name="address"
        label="住所（经营场所）"
        value={values.address}
        error={errors.address}
        maxLength={200}
      />
      <TextInput
        name="registeredAt"
        type="date"
        label="成立日期"
        hint="例如 2015-06-18"
        value={values.registeredAt}
        error={errors.registeredAt}
      />
    </>
  )
}

/** A person registers an enterprise they represent. */
export function RegisterEnterprisePage({
  values = {},
  errors,
}: {
  values?: EnterpriseFormValues
  errors?: FieldError[]
}) {
  const e = errorMap(errors)
  return (
    <Layout
      title="登记企业"
      breadcrumbs={[
        { href: '/', label: '首页' },
        { href: '/my/enterprises', label: '我的企业' },
        { label: '登记企业' },
      ]}
    >
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">登记企业</h1>
      <p>请由企业的法定代表人（个体工商户的经营者）本人登记。登记后，您可以切换为企业身份办事，也可以授权经办人。</p>
      <Form action="/my/enterprises">
        <EnterpriseFields values={values} errors={e} />
        <Button>登记</Button>
      </Form>
    </Layout>
  )
}

/** An officer (enterprises.verify) registers an enterprise for a legal representative at the window. */
export function StaffRegisterEnterprisePage({
  values = {},
  errors,
}: {
  values?: EnterpriseFormValues
  errors?: FieldError[]
}) {
  const e = errorMap(errors)
  return (
    <Layout title="代为登记企业" breadcrumbs={[{ href: '/', label: '首页' }, { label: '代为登记企业' }]}>
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">代为登记企业</h1>
      <p>法定代表人（经营者）持营业执照原件和身份证到窗口办理时使用。法定代表人须已在本平台注册个人账号。</p>
      <Form action="/staff/enterprises">
        <TextInput
          name="legalRepIdNumber"
          label="法定代表人身份证号码"
          value={values.legalRepIdNumber}
          error={e.legalRepIdNumber}
          required
          autoComplete="off"
          spellcheck={false}
          maxLength={30}
        />
        <TextInput
          name="legalRepName"
          label="法定代表人姓名"
          value={values.legalRepName}
          error={e.legalRepName}
          required
          maxLength={30}
        />
        <EnterpriseFields values={values} errors={e} />
        <Textarea
          name="overrideReason"
          label="校验位不符时的确认理由"
          hint="只在系统提示校验位不正确、而您已核对营业执照原件确认代码无误时填写（早期试点发放的部分代码校验位不符），至少 4 个字。"
          value={values.overrideReason}
          error={e.overrideReason}
          maxLength={200}
        />
        <Button>登记</Button>
      </Form>
    </Layout>
  )
}

export function StaffRegisteredPage({
  name,
  creditCode,
  overridden,
}: {
  name: string
  creditCode: string
  overridden: boolean
}) {
  return (
    <Layout title="企业已登记" breadcrumbs={[{ href: '/', label: '首页' }, { label: '企业已登记' }]}>
      <Panel title="企业已登记">
        <p>
          {name}（{creditCode}）
        </p>
      </Panel>
      {overridden ? (
        <Notice tone="warning" title="已按确认理由接受校验位不符的代码">
          这次登记和确认理由已记入审计日志。
        </Notice>
      ) : null}
      <p>法定代表人登录后，在「我的企业」中即可切换为企业身份办事。</p>
      <p>
        <a href="/staff/enterprises/new">再登记一家</a>
      </p>
    </Layout>
  )
}

const grantStates: Record<GrantState, { label: string; tone: TagTone }> = {
  active: { label: '有效', tone: 'green' },
  pending: { label: '未生效', tone: 'blue' },
  expired: { label: '已过期', tone: 'grey' },
  revoked: { label: '已撤销', tone: 'red' },
}

export interface GrantFormValues {
  agentIdNumber?: string
  agentName?: string
  scope?: string
  itemCodes?: string
  validUntil?: string
}

/** One enterprise: its particulars; for the legal representative, its agents and the grant form. */
export function EnterprisePage({
  view,
  values = {},
  errors,
  done,
}: {
  view: EnterpriseView
  values?: GrantFormValues
  errors?: FieldError[]
  done?: string
}) {
  const e = errorMap(errors)
  const myRole =
    view.right.role === 'legal_rep'
      ? '法定代表人（经营者）'
      : `经办人（${view.right.scope === 'all' ? '全部事项' : `指定事项：${view.right.itemCodes.join('、')}`}，授权至 ${view.right.validUntil}）`
  return (
    <Layout
      title={view.name}
      breadcrumbs={[{ href: '/', label: '首页' }, { href: '/my/enterprises', label: '我的企业' }, { label: view.name }]}
    >
      <ErrorSummary errors={errors} />
      <DoneNotice done={done} />
      <h1 class="heading-xl">{view.name}</h1>
      <SummaryList
        rows={[
          { key: '统一社会信用代码', value: view.creditCode },
          { key: '主体类型', value: view.kindName },
          { key: '住所（经营场所）', value: view.address ?? '—' },
          { key: '成立日期', value: view.registeredAt ?? '—' },
          { key: '我的身份', value: myRole },
          ...(view.creditCodeOverridden
            ? [{ key: '代码核验', value: <Tag tone="yellow">校验位不符，经窗口核对营业执照后登记</Tag> }]
            : []),
        ]}
      />
      <Form action="/my/acting-as">
        <input type="hidden" name="enterpriseId" value={view.id} />
        <input type="hidden" name="return" value={`/my/enterprises/${view.id}`} />
        <Button variant="secondary">切换为该企业身份</Button>
      </Form>
      {view.agents ? <AgentsSection view={view} agents={view.agents} values={values} errors={e} /> : null}
    </Layout>
  )
}

function AgentsSection({
  view,
  agents,
  values,
  errors,
}: {
  view: EnterpriseView
  agents: AgentView[]
  values: GrantFormValues
  errors: ReturnType<typeof errorMap>
}) {
  const columns: Column<AgentView>[] = [
    { header: '经办人', cell: (a) => a.name },
    { header: '身份证号码', cell: (a) => a.idNumberMasked },
    {
      header: '授权范围',
      cell: (a) => (a.scope === 'all' ? '全部事项' : a.itemCodes.join('、')),
    },
    { header: '有效期', cell: (a) => `${a.validFrom} 至 ${a.validUntil}` },
    {
      header: '状态',
      cell: (a) => (
        <>
          <Tag tone={grantStates[a.state].tone}>{grantStates[a.state].label}</Tag>
          {a.revokedAt ? <div class="hint">{formatDateTime(a.revokedAt)} 撤销</div> : null}
        </>
      ),
    },
    {
      header: '操作',
      cell: (a) =>
        a.state === 'active' || a.state === 'pending' ? (
          <Form action={`/my/enterprises/${view.id}/agents/${a.grantId}/revoke`}>
            <Button variant="warning">
              撤销<span class="visually-hidden">{a.name}的授权</span>
            </Button>
          </Form>
        ) : (
          '—'
        ),
    },
  ]
  return (
    <section aria-labelledby="agents-title" id="agents">
      <h2 class="heading-l" id="agents-title">
        经办人
      </h2>
      <p>经办人可以切换为企业身份，在授权范围和有效期内为企业办事。撤销授权立即生效。</p>
      <Table caption="经办人授权" columns={columns} rows={agents} rowKey={(a) => a.grantId} empty="还没有授权经办人" />
      <h3 class="heading-m" id="grant">
        授权经办人
      </h3>
      <p>经办人须已在本平台注册个人账号。同一人再次授权时，新的授权取代原有授权。</p>
      <Form action={`/my/enterprises/${view.id}/agents`}>
        <TextInput
          name="agentIdNumber"
          label="经办人身份证号码"
          value={values.agentIdNumber}
          error={errors.agentIdNumber}
          required
          autoComplete="off"
          spellcheck={false}
          maxLength={30}
        />
        <TextInput
          name="agentName"
          label="经办人姓名"
          hint="须与身份证一致，用于核对"
          value={values.agentName}
          error={errors.agentName}
          required
          maxLength={30}
        />
        <Radios
          name="scope"
          legend="授权范围"
          value={values.scope ?? 'all'}
          error={errors.scope}
          options={[
            { value: 'all', label: '全部事项' },
            { value: 'items', label: '指定事项（在下面填写事项编码）' },
          ]}
        />
        <Textarea
          name="itemCodes"
          label="事项编码"
          hint="选择「指定事项」时填写，每行一个，可在办事指南中查到"
          value={values.itemCodes}
          error={errors.itemCodes}
          maxLength={4000}
        />
        <TextInput
          name="validUntil"
          type="date"
          label="有效期至"
          hint={`含当天；最长 ${GRANT_MAX_YEARS} 年，即不晚于 ${view.latestValidUntil}`}
          value={values.validUntil}
          error={errors.validUntil}
          required
          min={view.today}
          max={view.latestValidUntil}
        />
        <Button>授权</Button>
      </Form>
    </section>
  )
}
