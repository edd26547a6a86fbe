/**
 * Staff pages of the license library (颁发部门): the license desk (find a license of the
 * department by its identifier, see it, revoke it with a reason) and the import of existing
 * licenses from a spreadsheet (upload → per-row report → 确认导入 → progress → done).
 */
import type { ComponentChildren } from 'preact'
import {
  Button,
  ButtonLink,
  ErrorSummary,
  errorMap,
  type FieldError,
  Form,
  formatDateTime,
  Layout,
  Notice,
  SummaryList,
  Table,
  TextInput,
  usePage,
} from '../../platform/ui/index.js'
import { validityText, WalletStateTag } from './licenses.face.js'
import { IMPORT_MAX_ROWS, type ImportColumn, type ImportJobView } from './licenses.import.js'
import type { LicenseTypeView, LicenseView } from './licenses.service.js'
import type { WalletState } from './licenses.wallet.js'

const crumbs = (more: { href?: string; label: string }[]) => [
  { href: '/', label: '首页' },
  { href: '/staff/licenses', label: '电子证照管理' },
  ...more,
]

// ----- the desk -------------------------------------------------------------------------------------

export function StaffLicensesPage({
  q,
  license,
  walletState,
  recent,
  errors,
  done,
  canImport,
}: {
  q?: string
  license?: LicenseView
  walletState?: WalletState
  recent: LicenseView[]
  errors?: FieldError[]
  done?: string
  canImport: boolean
}) {
  const map = errorMap(errors)
  return (
    <Layout title="电子证照管理" wide breadcrumbs={crumbs([])}>
      <span class="caption">颁发部门</span>
      <h1 class="heading-xl">电子证照管理</h1>
      {done ? <Notice tone="success">{done}</Notice> : null}
      <ErrorSummary errors={errors} />
      {canImport ? (
        <p>
          <a href="/staff/licenses/import">导入存量证照（Excel / CSV）</a>
        </p>
      ) : null}
      <Form action="/staff/licenses" method="get" class="search-form">
        <TextInput
          name="q"
          label="电子证照标识"
          hint="输入本部门签发的电子证照标识，如 1.2.156.3005.2.…"
          value={q}
          error={map.q}
          spellcheck={false}
          class="input--code"
        />
        <Button>查找</Button>
      </Form>
      {license && walletState ? <StaffLicense license={license} walletState={walletState} errors={errors} /> : null}
      <Table
        caption="本部门最近签发的电子证照"
        rows={recent}
        rowKey={(l) => l.id}
        empty="本部门还没有签发电子证照。"
        columns={[
          { header: '证照', cell: (l) => l.typeName },
          { header: '持证人', cell: (l) => l.holder.name },
          {
            header: '电子证照标识',
            cell: (l) => (
              <a href={`/staff/licenses?q=${encodeURIComponent(l.identifier)}`} class="code license-list__identifier">
                {l.identifier}
              </a>
            ),
          },
          { header: '签发时间', cell: (l) => formatDateTime(l.issuedAt) },
          { header: '状态', cell: (l) => l.stateLabel },
        ]}
      />
    </Layout>
  )
}

function StaffLicense({
  license,
  walletState,
  errors,
}: {
  license: LicenseView
  walletState: WalletState
  errors?: FieldError[]
}) {
  const map = errorMap(errors)
  return (
    <section class="license-section" aria-labelledby="staff-license-title">
      <h2 class="heading-m" id="staff-license-title">
        {license.typeName} <WalletStateTag state={walletState} />
      </h2>
      <SummaryList
        rows={[
          { key: '电子证照标识', value: <code class="code">{license.identifier}</code> },
          { key: '持证人', value: `${license.holder.name}（${license.holder.key}）` },
          { key: '颁发机构', value: license.issuer.name },
          { key: '签发时间', value: formatDateTime(license.issuedAt) },
          { key: '有效期', value: validityText(license.validFrom, license.validTo) },
          { key: '版本', value: String(license.version).padStart(3, '0') },
          ...(license.revokedAt
            ? [{ key: '注销', value: `${formatDateTime(license.revokedAt)}：${license.revokeReason ?? ''}` }]
            : []),
        ]}
      />
      {license.status === 'active' ? (
        <Form action={`/staff/licenses/${license.id}/revoke`} class="license-revoke">
          <TextInput
            name="reason"
            label="注销原因"
            hint="如：持证主体申请注销；许可被依法撤销。注销后持证人和核验页面都会显示「已注销」，不能撤回。"
            error={map.reason}
            required
            maxLength={500}
          />
          <Button variant="warning">
            注销这份证照<span class="visually-hidden">：{license.identifier}</span>
          </Button>
        </Form>
      ) : null}
    </section>
  )
}

// ----- import ----------------------------------------------------------------------------------------

export function ImportStartPage({
  types,
  jobs,
  errors,
  type,
}: {
  types: (LicenseTypeView & { columns: ImportColumn[] })[]
  jobs: ImportJobView[]
  errors?: FieldError[]
  type?: string
}) {
  return (
    <Layout title="导入存量证照" wide breadcrumbs={crumbs([{ label: '导入存量证照' }])}>
      <span class="caption">电子证照管理</span>
      <h1 class="heading-xl">导入存量证照</h1>
      <p class="lead">把本部门已核发的纸质或其他系统的证照批量转为电子证照，由本部门的电子印章签名。</p>
      <ol class="list list--number">
        <li>
          下载证照类型的导入模板，按列填写（每行一份证照，最多 {IMPORT_MAX_ROWS} 行）；也可上传同样列名的 CSV 文件。
        </li>
        <li>上传后系统逐行检查，列出每一行的问题。只要有一行有问题，整个文件都不会导入；请改好后重新上传。</li>
        <li>全部通过后点「确认导入」：所有证照在一个事务中签发，中途出错则全部撤销，不会只导入一部分。</li>
      </ol>
      <ErrorSummary errors={errors} />
      {types.length === 0 ? (
        <Notice tone="warning">您所在部门没有可由本平台签发的证照类型，或您没有“签发电子证照”权限。</Notice>
      ) : (
        <UploadForm types={types} type={type} errors={errors} />
      )}
      {types.map((t) => (
        <details class="license-import-columns" key={t.code}>
          <summary class="license-import-columns__summary">
            {t.name}：导入列说明 · <a href={`/staff/licenses/import/template/${t.code}`}>下载导入模板</a>
          </summary>
          <Table
            caption={`${t.name}的导入列`}
            rows={t.columns}
            rowKey={(c) => c.key}
            columns={[
              { header: '列名', cell: (c) => c.label },
              { header: '必填', cell: (c) => (c.required ? '是' : '否') },
              { header: '说明', cell: (c) => c.hint },
            ]}
          />
        </details>
      ))}
      <Table
        caption="本部门最近的导入"
        rows={jobs}
        rowKey={(j) => j.id}
        empty="还没有导入过。"
        columns={[
          { header: '时间', cell: (j) => formatDateTime(j.createdAt) },
          { header: '证照类型', cell: (j) => j.typeName },
          { header: '文件', cell: (j) => <a href={`/staff/licenses/import/${j.id}`}>{j.fileName}</a> },
          { header: '行数', cell: (j) => String(j.totalRows) },
          { header: '状态', cell: (j) => j.stateLabel },
        ]}
      />
    </Layout>
  )
}

/** The upload form (multipart: its CSRF token travels in the query string). */
function UploadForm({ types, type, errors }: { types: LicenseTypeView[]; type?: string; errors?: FieldError[] }) {
  const page = usePage()
  const map = errorMap(errors)
  return (
    <form
      action={`/staff/licenses/import?_csrf=${encodeURIComponent(page.csrfToken)}`}
      method="post"
      enctype="multipart/form-data"
      novalidate
      class="license-import-form"
    >
      <div class={`field${map.type ? ' field--error' : ''}`}>
        <label class="field__label" for="f-type">
          证照类型
        </label>
        {map.type ? <p class="field__error">{map.type}</p> : null}
        <select class="select" id="f-type" name="type">
          {types.map((t) => (
            <option key={t.code} value={t.code} selected={t.code === type}>
              {t.name}
            </option>
          ))}
        </select>
      </div>
      <div class={`field${map.file ? ' field--error' : ''}`}>
        <label class="field__label" for="f-file">
          导入文件
        </label>
        <div class="field__hint" id="f-file-hint">
          .xlsx 或 .csv（UTF-8 或 GBK 编码），不超过 10 MB
        </div>
        {map.file ? (
          <p class="field__error" id="f-file-error">
            <span class="visually-hidden">错误：</span>
            {map.file}
          </p>
        ) : null}
        <input
          class="file-upload"
          id="f-file"
          name="file"
          type="file"
          accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
          aria-describedby="f-file-hint"
        />
      </div>
      <Button>上传并检查</Button>
    </form>
  )
}

export function ImportJobPage({ job, done }: { job: ImportJobView; done?: string }) {
  let body: ComponentChildren
  if (job.state === 'rejected') {
    body = (
      <>
        <Notice tone="warning" title={`发现 ${job.problems.length} 处问题，整个文件未导入`}>
          <p>请按下表逐行修改后重新上传。文件中的其他行也没有导入。</p>
        </Notice>
        <p>
          <a href={`/staff/licenses/import/${job.id}/problems.csv`}>下载问题清单（CSV）</a>
        </p>
        <Table
          caption="逐行检查结果"
          rows={job.problems.map((p, i) => ({ ...p, i }))}
          rowKey={(p) => String(p.i)}
          columns={[
            { header: '行号', cell: (p) => (p.row === 0 ? '整个文件' : String(p.row)) },
            { header: '列', cell: (p) => p.column || '—' },
            { header: '问题', cell: (p) => p.message },
          ]}
        />
        <ButtonLink href={`/staff/licenses/import?type=${encodeURIComponent(job.typeCode)}`}>重新上传</ButtonLink>
      </>
    )
  } else if (job.state === 'checked') {
    body = (
      <>
        <Notice tone="success" title={`检查通过：${job.totalRows} 行全部可以导入`}>
          <p>确认后将以本部门的电子印章签发 {job.totalRows} 份电子证照，并出现在持证人的「我的证照」中。</p>
        </Notice>
        <Form action={`/staff/licenses/import/${job.id}/confirm`}>
          <Button>确认导入 {job.totalRows} 份证照</Button>
        </Form>
      </>
    )
  } else if (job.state === 'done') {
    body = (
      <Notice tone="success" title={`导入完成：已签发 ${job.importedRows} 份电子证照`}>
        <p>完成时间：{job.finishedAt ? formatDateTime(job.finishedAt) : '—'}</p>
      </Notice>
    )
  } else if (job.state === 'failed') {
    body = (
      <Notice tone="warning" title="导入失败，未导入任何证照">
        <p>{job.error}</p>
      </Notice>
    )
  } else {
    body = (
      <div class="import-progress" data-import-status={`/staff/licenses/import/${job.id}/status`}>
        <label class="field__label" for="import-progress-bar">
          导入进度
        </label>
        <progress id="import-progress-bar" max={100} value={job.percent}>
          {job.percent}%
        </progress>
        <p class="import-progress__text" role="status" aria-live="polite">
          {job.stateLabel}
          {job.processedRows > 0 ? `：${job.processedRows} / ${job.totalRows}` : '……'}
        </p>
        <p class="hint">本页会自动刷新进度；离开本页不影响导入。</p>
      </div>
    )
  }
  return (
    <Layout
      title={`导入 ${job.fileName}`}
      wide
      breadcrumbs={crumbs([{ href: '/staff/licenses/import', label: '导入存量证照' }, { label: job.fileName }])}
    >
      <span class="caption">导入存量证照 · {job.typeName}</span>
      <h1 class="heading-xl">{job.fileName}</h1>
      {done ? <Notice tone="success">{done}</Notice> : null}
      <SummaryList
        rows={[
          { key: '证照类型', value: job.typeName },
          { key: '数据行数', value: String(job.totalRows) },
          { key: '上传时间', value: formatDateTime(job.createdAt) },
          { key: '状态', value: <span data-import-state>{job.stateLabel}</span> },
        ]}
      />
      {body}
      <p>
        <a href="/staff/licenses/import">返回导入</a>
      </p>
    </Layout>
  )
}
