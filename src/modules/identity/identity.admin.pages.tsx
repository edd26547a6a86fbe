/** 系统管理: staff accounts and roles, departments and sub-units, service points. */
import {
  Button,
  ButtonLink,
  type Column,
  ErrorSummary,
  errorMap,
  type FieldError,
  Form,
  fieldId,
  formatDateTime,
  Layout,
  Notice,
  type Option,
  Pagination,
  Panel,
  Radios,
  Select,
  SummaryList,
  Table,
  Tag,
  TextInput,
} from '../../platform/ui/index.js'
import type {
  DepartmentNode,
  ServicePointRow,
  StaffDetail,
  StaffFilters,
  StaffList,
  StaffRow,
} from './identity.admin.js'
import { ROLES, roleName } from './identity.roles.js'

const roleOptions: Option[] = Object.entries(ROLES).map(([value, r]) => ({ value, label: r.name }))

const servicePointKinds: Record<ServicePointRow['kind'], string> = {
  center_window: '中心窗口',
  town_station: '镇政务服务站',
  village_point: '村（社区）便民服务点',
}

const doneMessages: Record<string, string> = {
  granted: '已授予角色，立即生效。',
  revoked: '已撤销角色，立即生效。',
  deactivated: '账号已停用，登录中的会话已全部结束。',
  created: '科室已添加。',
}

function DoneNotice({ done }: { done?: string }) {
  const message = done ? doneMessages[done] : undefined
  return message ? <Notice tone="success">{message}</Notice> : null
}

function AdminNav({ current }: { current: 'staff' | 'departments' | 'points' }) {
  const items = [
    { key: 'staff', href: '/admin/staff', label: '工作人员' },
    { key: 'departments', href: '/admin/departments', label: '部门与科室' },
    { key: 'points', href: '/admin/service-points', label: '服务网点' },
  ] as const
  return (
    <nav aria-label="系统管理">
      <ul class="list">
        {items.map((i) => (
          <li key={i.key}>
            <a href={i.href} aria-current={i.key === current ? 'page' : undefined}>
              {i.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  )
}

const crumbs = (label: string, parent?: { href: string; label: string }) => [
  { href: '/', label: '首页' },
  { href: '/admin/staff', label: '系统管理' },
  ...(parent ? [parent] : []),
  { label },
]

/** A group of check boxes in a fieldset (several roles at once). */
function Checkboxes({
  name,
  legend,
  hint,
  error,
  values,
  options,
}: {
  name: string
  legend: string
  hint?: string
  error?: string
  values: readonly string[]
  options: Option[]
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

function staffListHref(filters: StaffFilters, page: number): string {
  const params = new URLSearchParams()
  if (filters.departmentId) params.set('department', filters.departmentId)
  if (filters.q) params.set('q', filters.q)
  if (filters.role) params.set('role', filters.role)
  if (filters.status && filters.status !== 'active') params.set('status', filters.status)
  if (page > 1) params.set('page', String(page))
  const query = params.toString()
  return query ? `/admin/staff?${query}` : '/admin/staff'
}

/** 工作人员: by department, with filters and pages. */
export function StaffListPage({
  list,
  filters,
  departments,
}: {
  list: StaffList
  filters: StaffFilters
  departments: Option[]
}) {
  const columns: Column<StaffRow>[] = [
    { header: '姓名', cell: (s) => <a href={`/admin/staff/${s.id}`}>{s.name}</a> },
    { header: '工号', cell: (s) => s.employeeNo },
    { header: '工作账号', cell: (s) => s.loginName ?? '—' },
    { header: '部门', cell: (s) => s.departmentName },
    { header: '服务网点', cell: (s) => s.servicePointName ?? '—' },
    { header: '角色', cell: (s) => (s.roles.length > 0 ? s.roles.map(roleName).join('、') : '—') },
    { header: '状态', cell: (s) => (s.active ? <Tag tone="green">在用</Tag> : <Tag tone="grey">已停用</Tag>) },
  ]
  return (
    <Layout title="工作人员" breadcrumbs={crumbs('工作人员')} wide>
      <h1 class="heading-xl">工作人员</h1>
      <AdminNav current="staff" />
      <p>
        <ButtonLink href="/admin/staff/new">新增工作人员</ButtonLink>
      </p>
      <Form action="/admin/staff" method="get" class="filters">
        <Select
          name="department"
          label="部门"
          value={filters.departmentId}
          options={departments}
          placeholder="全部部门"
        />
        <TextInput name="q" label="姓名、工号或工作账号" value={filters.q} maxLength={50} />
        <Select name="role" label="角色" value={filters.role} options={roleOptions} placeholder="全部角色" />
        <Radios
          name="status"
          legend="状态"
          inline
          value={filters.status ?? 'active'}
          options={[
            { value: 'active', label: '在用' },
            { value: 'inactive', label: '已停用' },
            { value: 'all', label: '全部' },
          ]}
        />
        <Button variant="secondary">筛选</Button>
      </Form>
      <Table
        caption={`共 ${list.total} 人`}
        columns={columns}
        rows={list.items}
        rowKey={(s) => s.id}
        empty="没有符合条件的工作人员"
      />
      <Pagination page={list.page} pageCount={list.pageCount} href={(p) => staffListHref(filters, p)} />
    </Layout>
  )
}

export interface StaffFormValues {
  name?: string
  employeeNo?: string
  loginName?: string
  departmentId?: string
  servicePointId?: string
  position?: string
  roles?: string[]
  passwordMode?: string
}

/** 新增工作人员. The password typed is never given back. */
export function StaffFormPage({
  values = {},
  errors,
  departments,
  servicePoints,
}: {
  values?: StaffFormValues
  errors?: FieldError[]
  departments: Option[]
  servicePoints: Option[]
}) {
  const e = errorMap(errors)
  return (
    <Layout title="新增工作人员" breadcrumbs={crumbs('新增工作人员', { href: '/admin/staff', label: '工作人员' })}>
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">新增工作人员</h1>
      <Form action="/admin/staff">
        <TextInput name="name" label="姓名" value={values.name} error={e.name} required maxLength={30} />
        <TextInput
          name="employeeNo"
          label="工号"
          value={values.employeeNo}
          error={e.employeeNo}
          required
          maxLength={20}
          autoComplete="off"
        />
        <TextInput
          name="loginName"
          label="工作账号"
          hint="登录用，以字母开头，小写字母、数字或 . _ -，例如 window03"
          value={values.loginName}
          error={e.loginName}
          required
          maxLength={32}
          autoComplete="off"
          spellcheck={false}
        />
        <Select
          name="departmentId"
          label="所在部门"
          value={values.departmentId}
          error={e.departmentId}
          options={departments}
          required
        />
        <Select
          name="servicePointId"
          label="服务网点"
          hint="窗口人员和代办员填写"
          value={values.servicePointId}
          error={e.servicePointId}
          options={servicePoints}
          placeholder="不在服务网点"
        />
        <TextInput name="position" label="职务" value={values.position} error={e.position} maxLength={50} />
        <Checkboxes
          name="roles"
          legend="角色"
          hint="系统管理员、安全管理员、审计管理员须由不同人员担任（三员分立）"
          error={e.roles}
          values={values.roles ?? []}
          options={roleOptions}
        />
        <Radios
          name="passwordMode"
          legend="初始密码"
          hint="无论哪种方式，本人首次登录时都须改为自己的密码"
          value={values.passwordMode ?? 'generate'}
          error={e.passwordMode}
          options={[
            { value: 'generate', label: '由系统生成（只显示一次）' },
            { value: 'set', label: '由我设置' },
          ]}
        />
        <TextInput
          name="password"
          type="password"
          label="初始密码（选择「由我设置」时填写）"
          hint="至少 12 个字符，包含大写字母、小写字母、数字、符号中的至少 3 类"
          error={e.password}
          autoComplete="new-password"
          maxLength={128}
        />
        <Button>新增</Button>
      </Form>
    </Layout>
  )
}

/** After creating: the one-time password, shown this once. */
export function StaffCreatedPage({
  staffId,
  name,
  loginName,
  initialPassword,
}: {
  staffId: string
  name: string
  loginName: string
  initialPassword?: string
}) {
  return (
    <Layout title="已新增工作人员" breadcrumbs={crumbs('已新增工作人员', { href: '/admin/staff', label: '工作人员' })}>
      <Panel title="已新增工作人员">
        <p>
          {name}，工作账号 {loginName}
        </p>
      </Panel>
      {initialPassword ? (
        <Notice tone="warning" title="初始密码只显示这一次">
          <p>
            初始密码：<code>{initialPassword}</code>
          </p>
          <p>请当面或通过安全渠道交给本人，不要截图或转发。本人首次登录时须改为自己的密码，并绑定动态口令。</p>
        </Notice>
      ) : (
        <p>请把您设置的初始密码当面交给本人。本人首次登录时须改为自己的密码，并绑定动态口令。</p>
      )}
      <p>
        <a href={`/admin/staff/${staffId}`}>查看此人</a>　<a href="/admin/staff">返回工作人员列表</a>
      </p>
    </Layout>
  )
}

/** One staff member: particulars, roles (grant / revoke) and deactivation. */
export function StaffPage({ detail, errors, done }: { detail: StaffDetail; errors?: FieldError[]; done?: string }) {
  const e = errorMap(errors)
  const roleRows = detail.roles.map((code) => ({ code, name: roleName(code) }))
  return (
    <Layout title={detail.name} breadcrumbs={crumbs(detail.name, { href: '/admin/staff', label: '工作人员' })}>
      <ErrorSummary errors={errors} title="无法完成操作" />
      <DoneNotice done={done} />
      <h1 class="heading-xl">
        {detail.name} {detail.active ? <Tag tone="green">在用</Tag> : <Tag tone="grey">已停用</Tag>}
      </h1>
      <SummaryList
        rows={[
          { key: '工号', value: detail.employeeNo },
          { key: '工作账号', value: detail.loginName ?? '—' },
          { key: '所在部门', value: detail.departmentName },
          { key: '服务网点', value: detail.servicePointName ?? '—' },
          { key: '职务', value: detail.position ?? '—' },
          { key: '建档时间', value: formatDateTime(detail.createdAt) },
        ]}
      />
      <h2 class="heading-l">角色</h2>
      <Table
        caption="现有角色"
        columns={[
          { header: '角色', cell: (r: { code: string; name: string }) => r.name },
          {
            header: '操作',
            cell: (r: { code: string; name: string }) =>
              detail.active ? (
                <Form action={`/admin/staff/${detail.id}/roles/revoke`}>
                  <input type="hidden" name="role" value={r.code} />
                  <Button variant="warning">
                    撤销<span class="visually-hidden">「{r.name}」角色</span>
                  </Button>
                </Form>
              ) : (
                '—'
              ),
          },
        ]}
        rows={roleRows}
        rowKey={(r) => r.code}
        empty="没有角色"
      />
      {detail.active ? (
        <Form action={`/admin/staff/${detail.id}/roles/grant`}>
          <Select
            name="role"
            label="授予角色"
            hint="系统管理员、安全管理员、审计管理员须由不同人员担任（三员分立）；不能给自己授予安全管理员或审计管理员"
            error={e.role}
            options={detail.grantable.map((r) => ({ value: r.code, label: r.name }))}
            required
          />
          <Button variant="secondary">授予</Button>
        </Form>
      ) : null}
      {detail.active && !detail.isSelf ? (
        <>
          <h2 class="heading-l">停用账号</h2>
          <p>停用后此人不能再登录，登录中的会话立即结束。办理过的记录保留。</p>
          <Form action={`/admin/staff/${detail.id}/deactivate`}>
            <TextInput name="reason" label="停用原因" error={e.reason} maxLength={200} />
            <Button variant="warning">停用账号</Button>
          </Form>
        </>
      ) : null}
    </Layout>
  )
}

const departmentKinds: Record<DepartmentNode['kind'], string> = { department: '部门', sub_unit: '科室', town: '镇' }

/** 部门与科室: the tree, and the form to add a sub-unit. */
export function DepartmentsPage({
  tree,
  values = {},
  errors,
  done,
}: {
  tree: DepartmentNode[]
  values?: { parentId?: string; code?: string; name?: string; shortName?: string }
  errors?: FieldError[]
  done?: string
}) {
  const e = errorMap(errors)
  const rows = tree.flatMap((d) => [{ node: d, depth: 0 }, ...d.subUnits.map((s) => ({ node: s, depth: 1 }))])
  const parents = tree.filter((d) => d.manageable).map((d) => ({ value: d.id, label: d.name }))
  return (
    <Layout title="部门与科室" breadcrumbs={crumbs('部门与科室')} wide>
      <ErrorSummary errors={errors} />
      <DoneNotice done={done} />
      <h1 class="heading-xl">部门与科室</h1>
      <AdminNav current="departments" />
      <Table
        caption="部门与科室"
        columns={[
          {
            header: '名称',
            cell: (r: (typeof rows)[number]) => (r.depth > 0 ? `└ ${r.node.name}` : r.node.name),
          },
          { header: '简称', cell: (r: (typeof rows)[number]) => r.node.shortName },
          { header: '代码', cell: (r: (typeof rows)[number]) => r.node.code },
          { header: '类型', cell: (r: (typeof rows)[number]) => departmentKinds[r.node.kind] },
          {
            header: '状态',
            cell: (r: (typeof rows)[number]) =>
              r.node.active ? <Tag tone="green">在用</Tag> : <Tag tone="grey">已撤销</Tag>,
          },
        ]}
        rows={rows}
        rowKey={(r) => r.node.id}
      />
      {parents.length > 0 ? (
        <>
          <h2 class="heading-l" id="new-sub-unit">
            添加科室
          </h2>
          <Form action="/admin/departments/sub-units">
            <Select
              name="parentId"
              label="所属部门"
              value={values.parentId}
              error={e.parentId}
              options={parents}
              required
            />
            <TextInput name="name" label="科室全称" value={values.name} error={e.name} required maxLength={60} />
            <TextInput
              name="shortName"
              label="简称"
              value={values.shortName}
              error={e.shortName}
              required
              maxLength={30}
            />
            <TextInput
              name="code"
              label="代码"
              hint="以字母开头的小写字母、数字、_ 或 -，例如 scj-djk"
              value={values.code}
              error={e.code}
              required
              maxLength={32}
              spellcheck={false}
            />
            <Button>添加</Button>
          </Form>
        </>
      ) : null}
    </Layout>
  )
}

/** 服务网点: windows, town stations and village points. */
export function ServicePointsPage({ points }: { points: ServicePointRow[] }) {
  return (
    <Layout title="服务网点" breadcrumbs={crumbs('服务网点')} wide>
      <h1 class="heading-xl">服务网点</h1>
      <AdminNav current="points" />
      <Table
        caption={`共 ${points.length} 个服务网点`}
        columns={[
          { header: '名称', cell: (p: ServicePointRow) => p.name },
          { header: '代码', cell: (p: ServicePointRow) => p.code },
          { header: '类型', cell: (p: ServicePointRow) => servicePointKinds[p.kind] },
          { header: '所属部门', cell: (p: ServicePointRow) => p.departmentName ?? '—' },
          { header: '所在区域', cell: (p: ServicePointRow) => p.areaName },
          {
            header: '状态',
            cell: (p: ServicePointRow) => (p.active ? <Tag tone="green">在用</Tag> : <Tag tone="grey">停用</Tag>),
          },
        ]}
        rows={points}
        rowKey={(p) => p.id}
      />
    </Layout>
  )
}
