/**
 * 办事指南: everything a citizen needs to know about one item, in the order they need it
 * (GOV.UK style): what it is and the key facts, what to do now, who may apply, what to bring,
 * the steps, how long and how much, where and when, the legal basis, the result, questions,
 * and the codes and version last. Also the print version, the version history, an old version
 * and the page of a withdrawn item.
 */
import type { ComponentChildren } from 'preact'
import {
  type Breadcrumb,
  type Column,
  formatDateTime,
  formatFen,
  Layout,
  Notice,
  SummaryList,
  Table,
  Tag,
  usePage,
} from '../../platform/ui/index.js'
import { DepthTag, promiseText, SearchBox } from './catalog.browse.pages.js'
import { type Fee, type ItemFile, type Material, ONLINE_DEPTHS, TASK_TYPES } from './catalog.model.js'
import { applyHref, fileHref, guideHref, scheduleHref, versionHref } from './catalog.public.schemas.js'
import type { Guide, VersionHistory, VersionInfo } from './catalog.read.js'

// ---------------------------------------------------------------------------------------------
// Wording

const PROJECT_TYPE_NOTES: Record<string, string> = {
  即办件: '材料齐全、符合要求的，当场或当天办结。',
  承诺件: '在承诺时限内办结。时限自材料齐全、予以受理的次日起计算，工作日不含法定节假日。',
  上报件: '需报上级机关审批，办结时间以上级机关为准。',
  联办件: '需多个部门联合办理，由牵头部门统一受理、统一答复。',
}

const VERSION_STATES: Record<VersionInfo['state'], { label: string; tone: 'green' | 'grey' | 'red' }> = {
  published: { label: '现行', tone: 'green' },
  superseded: { label: '已被替代', tone: 'grey' },
  withdrawn: { label: '已撤销', tone: 'red' },
}

function audienceText(serverType: string[]): string {
  return serverType.map((s) => (s === '自然人' ? '个人（自然人）' : '法人（企业、社会组织等）')).join('、')
}

function depthName(depth: 1 | 2 | 3 | 4): string {
  return ONLINE_DEPTHS[depth]
}

/** Text with line breaks as paragraphs (conditions and laws are written one per line). */
function Paragraphs({ text, class: cls }: { text: string; class?: string }) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '')
  if (lines.length === 0) return <p class="hint">无</p>
  return (
    <>
      {lines.map((line, i) => (
        <p class={cls} key={i}>
          {line}
        </p>
      ))}
    </>
  )
}

function fileType(file: ItemFile): string {
  if (file.mime.includes('spreadsheet')) return 'Excel 表格'
  if (file.mime === 'application/pdf') return 'PDF'
  if (file.mime.startsWith('image/')) return '图片'
  if (file.mime === 'application/ofd') return 'OFD'
  return '文件'
}

function fileSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`
}

/**
 * A download link when the file belongs to the published version (the only files served);
 * otherwise its name as plain text, e.g. on an old version whose form has since changed.
 */
function FileLink({
  itemId,
  file,
  label,
  about,
  downloadable,
}: {
  itemId: string
  file: ItemFile
  label: string
  about: string
  downloadable: ReadonlySet<string>
}) {
  if (!downloadable.has(file.sha256)) {
    return <span class="file-link file-link--gone">{label}（该版本的文件已不再提供，请以现行版本为准）</span>
  }
  return (
    <a class="file-link" href={fileHref(itemId, file.sha256)} download={file.fileName}>
      {label}
      <span class="visually-hidden">：{about}</span>
      <span class="file-link__meta">
        （{fileType(file)}，{fileSize(file.size)}）
      </span>
    </a>
  )
}

// ---------------------------------------------------------------------------------------------
// Sections

interface SectionProps {
  guide: Guide
  downloadable: ReadonlySet<string>
  print?: boolean
}

function Section({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="guide-section" aria-labelledby={`${id}-title`} id={id}>
      <h2 class="heading-l" id={`${id}-title`}>
        {title}
      </h2>
      {children}
    </section>
  )
}

const SECTIONS: { id: string; title: string }[] = [
  { id: 'conditions', title: '受理条件' },
  { id: 'materials', title: '申请材料' },
  { id: 'flow', title: '办理流程' },
  { id: 'time-limits', title: '办理时限' },
  { id: 'fees', title: '收费标准' },
  { id: 'where', title: '办理地点、时间和咨询' },
  { id: 'basis', title: '设定依据' },
  { id: 'result', title: '办理结果' },
  { id: 'faq', title: '常见问题' },
  { id: 'about', title: '事项信息' },
]

function KeyFacts({ guide }: { guide: Guide }) {
  const e = guide.elements
  const promise = promiseText(e.promiseDay, e.promiseType)
  return (
    <section class="guide-summary" aria-labelledby="key-facts-title">
      <h2 class="visually-hidden" id="key-facts-title">
        办事要点
      </h2>
      <SummaryList
        rows={[
          {
            key: '办理时限',
            value:
              e.promiseDay === 0
                ? '即办（当场或当天办结）'
                : `承诺 ${promise}办结（法定 ${e.anticipateDay} 个${e.anticipateType}）`,
          },
          { key: '是否收费', value: e.isFee ? '收费，见下方「收费标准」' : '不收费' },
          {
            key: '到现场次数',
            value: e.limitSceneNum === 0 ? '0 次（全程网上办理，不用跑）' : `最多 ${e.limitSceneNum} 次`,
          },
          {
            key: '网上办理深度',
            value: (
              <>
                <DepthTag depth={e.onlineHandleDepth} /> {depthName(e.onlineHandleDepth)}
              </>
            ),
          },
          { key: '办理对象', value: audienceText(e.serverType) },
          { key: '实施主体', value: guide.department.name },
        ]}
      />
    </section>
  )
}

function Actions({ guide }: { guide: Guide }) {
  const e = guide.elements
  const online = e.isOnline && e.onlineHandleDepth >= 2
  const apply = applyHref(guide.itemId)
  const schedule = scheduleHref(guide.itemId)
  const onlineLabel = e.onlineHandleDepth === 2 ? '网上预审' : '在线办理'
  const applySoon = online && !apply
  const scheduleSoon = e.isSchedule && !schedule
  const soon = applySoon && scheduleSoon ? '网上申请和预约' : applySoon ? '网上申请' : scheduleSoon ? '网上预约' : ''
  return (
    <section class="guide-actions" aria-labelledby="actions-title">
      <h2 class="visually-hidden" id="actions-title">
        开始办理
      </h2>
      {online ? (
        apply ? (
          <a class="button button--primary button--start" href={apply}>
            {onlineLabel}
          </a>
        ) : (
          <button class="button button--primary" type="button" disabled aria-describedby="actions-soon">
            {onlineLabel}（即将开通）
          </button>
        )
      ) : null}
      {e.isSchedule ? (
        schedule ? (
          <a class="button button--secondary" href={schedule}>
            预约到现场
          </a>
        ) : (
          <button class="button button--secondary" type="button" disabled aria-describedby="actions-soon">
            预约到现场（即将开通）
          </button>
        )
      ) : null}
      <a class="button button--secondary" href={`${guideHref(guide.itemId)}/print`}>
        打印指南
      </a>
      {online && apply ? (
        <p class="hint">
          {onlineLabel}需要登录，并完成实名认证{['', '一', '二', '三'][e.assuranceLevel]}级及以上。
        </p>
      ) : null}
      {soon ? (
        <p class="hint" id="actions-soon">
          {soon}即将在本平台开通。现在请按本指南准备材料，到下方「办理地点」办理，或先电话咨询。
        </p>
      ) : null}
      {!online ? <p>本事项需要到现场办理，请带齐下列材料到办理地点。</p> : null}
    </section>
  )
}

function Contents() {
  return (
    <nav class="contents-list" aria-label="本页内容">
      <h2 class="heading-s">本页内容</h2>
      <ol class="contents-list__list">
        {SECTIONS.map((s) => (
          <li key={s.id}>
            <a href={`#${s.id}`}>{s.title}</a>
          </li>
        ))}
      </ol>
    </nav>
  )
}

function MaterialName({ m }: { m: Material }) {
  return (
    <>
      <strong class="material__name">{m.materialName}</strong>
      <span class="material__tags">
        {m.licenseTypeCode ? (
          <Tag tone="green">免提交：可调用电子证照</Tag>
        ) : m.isNeed ? (
          <Tag tone="blue">必交</Tag>
        ) : null}
        {m.isNeed ? null : <Tag tone="grey">视情况提交</Tag>}
        {m.allowDefer ? <Tag tone="yellow">可容缺受理</Tag> : null}
      </span>
      {!m.isNeed && m.needCondition ? <span class="material__note">需要提交的情形：{m.needCondition}</span> : null}
      {m.fillExplain ? <span class="material__note">{m.fillExplain}</span> : null}
    </>
  )
}

function Materials({ guide, downloadable }: SectionProps) {
  const { materials } = guide.elements
  const required = materials.filter((m) => m.isNeed).length
  const held = materials.filter((m) => m.isNeed && m.licenseTypeCode).length
  const columns: Column<Material>[] = [
    { header: '材料名称', cell: (m) => <MaterialName m={m} /> },
    {
      header: '份数和形式',
      cell: (m) => (
        <>
          {m.pageNum} 份，{m.materialFormat}
          {m.pageFormat ? <span class="material__note">{m.pageFormat}</span> : null}
        </>
      ),
    },
    {
      header: '来源',
      cell: (m) => (
        <>
          {m.sourceType}
          {m.sourceExplain && m.sourceExplain !== m.sourceType ? (
            <span class="material__note">{m.sourceExplain}</span>
          ) : null}
        </>
      ),
    },
    {
      header: '受理标准',
      cell: (m) => (
        <>
          {m.acceptStand}
          {m.byLaw ? <span class="material__note">依据：{m.byLaw}</span> : null}
        </>
      ),
    },
    {
      header: '表格下载',
      cell: (m) =>
        m.blankForm || m.sampleFile ? (
          <span class="material__files">
            {m.blankForm ? (
              <FileLink
                itemId={guide.itemId}
                file={m.blankForm}
                label="空白表格"
                about={m.materialName}
                downloadable={downloadable}
              />
            ) : null}
            {m.sampleFile ? (
              <FileLink
                itemId={guide.itemId}
                file={m.sampleFile}
                label="示例样表"
                about={m.materialName}
                downloadable={downloadable}
              />
            ) : null}
          </span>
        ) : (
          <span class="hint">无需下载</span>
        ),
    },
  ]
  const anyLicense = materials.some((m) => m.licenseTypeCode)
  const anyDefer = materials.some((m) => m.allowDefer)
  return (
    <Section id="materials" title="申请材料">
      {materials.length === 0 ? (
        <p>不需要提交材料。</p>
      ) : (
        <Table
          caption={`共 ${materials.length} 项材料：必交 ${required} 项${held > 0 ? `（其中 ${held} 项政府已有，免提交）` : ''}`}
          columns={columns}
          rows={materials}
          rowKey={(m) => m.materialCode}
        />
      )}
      {anyLicense || anyDefer ? (
        <ul class="list list--bullet material-legend">
          {anyLicense ? (
            <li>
              「免提交：可调用电子证照」：政府部门已经掌握这份材料，网上申请时由系统从电子证照库调取，不用上传；窗口办理时出示原件核验即可，不收复印件。
            </li>
          ) : null}
          {anyDefer ? (
            <li>「可容缺受理」：其他主要材料齐全时，这份材料暂时欠缺也可以先受理，您书面承诺在规定期限内补交即可。</li>
          ) : null}
        </ul>
      ) : null}
      <p class="hint">除本指南列明的材料外，办理部门不得要求您提交其他材料。</p>
    </Section>
  )
}

function TimeLimits({ guide }: SectionProps) {
  const e = guide.elements
  return (
    <Section id="time-limits" title="办理时限">
      <SummaryList
        rows={[
          {
            key: '承诺办结时限',
            value: (
              <>
                <p class="summary-list__main">{promiseText(e.promiseDay, e.promiseType)}</p>
                {e.promiseExplain ? <p class="summary-list__note">{e.promiseExplain}</p> : null}
              </>
            ),
          },
          {
            key: '法定办结时限',
            value: (
              <>
                <p class="summary-list__main">
                  {e.anticipateDay === 0 ? '即办' : `${e.anticipateDay} 个${e.anticipateType}`}
                </p>
                {e.anticipateExplain ? <p class="summary-list__note">{e.anticipateExplain}</p> : null}
              </>
            ),
          },
          {
            key: '办件类型',
            value: (
              <>
                <p class="summary-list__main">{e.projectType}</p>
                {PROJECT_TYPE_NOTES[e.projectType] ? (
                  <p class="summary-list__note">{PROJECT_TYPE_NOTES[e.projectType]}</p>
                ) : null}
              </>
            ),
          },
        ]}
      />
    </Section>
  )
}

function Fees({ guide }: SectionProps) {
  const e = guide.elements
  const columns: Column<Fee>[] = [
    { header: '收费项目', cell: (f) => f.feeName },
    { header: '收费标准', cell: (f) => f.feeStand },
    { header: '金额', cell: (f) => (f.amountFen !== undefined ? formatFen(f.amountFen) : '视情况而定'), numeric: true },
    { header: '收费依据', cell: (f) => f.byLaw },
    { header: '减免', cell: (f) => (f.isDesc ? `可减免：${f.descExplain}` : '不减免') },
  ]
  return (
    <Section id="fees" title="收费标准">
      {e.isFee ? (
        <>
          {e.feeBasis ? <p>收费依据：{e.feeBasis}</p> : null}
          <Table caption="收费项目" columns={columns} rows={e.fees} rowKey={(f) => f.feeName} />
          {e.isPayOnline ? <p>支持网上缴费。</p> : null}
        </>
      ) : (
        <p>不收费。</p>
      )}
    </Section>
  )
}

function Where({ guide }: SectionProps) {
  const e = guide.elements
  const conveniences = [
    e.isExpress ? '结果可免费邮寄' : '',
    e.isServiceTerminals ? '可在政务服务自助终端办理' : '',
    e.isPayOnline ? '可网上缴费' : '',
  ].filter(Boolean)
  return (
    <Section id="where" title="办理地点、时间和咨询">
      <SummaryList
        rows={[
          { key: '办理地点', value: <Paragraphs text={e.transactAddr} /> },
          { key: '办理时间', value: e.transactTime },
          { key: '办理形式', value: e.handleType.join('、') },
          ...(conveniences.length > 0 ? [{ key: '便民服务', value: conveniences.join('；') }] : []),
          { key: '咨询方式', value: e.linkWay },
          { key: '监督投诉', value: e.superviseWay },
        ]}
      />
    </Section>
  )
}

function Basis({ guide }: SectionProps) {
  const e = guide.elements
  return (
    <Section id="basis" title="设定依据">
      <Paragraphs text={e.byLaw.replace(/；/g, '；\n')} class="law" />
      <SummaryList
        rows={[
          { key: '事项类型', value: TASK_TYPES[e.taskType] },
          { key: '权力来源', value: e.powerSource },
          { key: '行使层级', value: e.useLevel },
        ]}
      />
    </Section>
  )
}

function Result({ guide, downloadable }: SectionProps) {
  const e = guide.elements
  return (
    <Section id="result" title="办理结果">
      <SummaryList
        rows={[
          { key: '结果名称', value: e.resultName },
          { key: '结果类型', value: e.resultType },
          ...(e.resultLicenseTypeCode
            ? [{ key: '电子证照', value: '办结后同时生成电子证照，与纸质证照具有同等效力。' }]
            : []),
          ...(e.resultSample
            ? [
                {
                  key: '结果样本',
                  value: (
                    <FileLink
                      itemId={guide.itemId}
                      file={e.resultSample}
                      label="结果样本"
                      about={e.resultName}
                      downloadable={downloadable}
                    />
                  ),
                },
              ]
            : []),
        ]}
      />
    </Section>
  )
}

function Faqs({ guide, print }: SectionProps) {
  const { faqs } = guide.elements
  return (
    <Section id="faq" title="常见问题">
      {faqs.length === 0 ? (
        <p>暂无。有疑问请按上面的咨询方式咨询。</p>
      ) : print ? (
        <dl class="faq-print">
          {faqs.map((f, i) => (
            <div key={i}>
              <dt>问：{f.question}</dt>
              <dd>答：{f.answer}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <div class="faq">
          {faqs.map((f, i) => (
            <details class="faq__item" key={i}>
              <summary class="faq__question">{f.question}</summary>
              <div class="faq__answer">
                <Paragraphs text={f.answer} />
              </div>
            </details>
          ))}
        </div>
      )}
    </Section>
  )
}

function About({ guide, print }: SectionProps) {
  const e = guide.elements
  return (
    <Section id="about" title="事项信息">
      <SummaryList
        rows={[
          { key: '实施主体', value: guide.department.name },
          ...(e.entrustName ? [{ key: '委托部门', value: e.entrustName }] : []),
          {
            key: '联办机构',
            value: guide.jointDepartments.length > 0 ? guide.jointDepartments.map((d) => d.name).join('、') : '无',
          },
          { key: '基本编码', value: <span class="code">{guide.catalogCode}</span> },
          { key: '实施编码', value: <span class="code">{e.taskCode}</span> },
          ...(e.taskHandleItem ? [{ key: '业务办理项编码', value: <span class="code">{e.taskHandleItem}</span> }] : []),
          {
            key: '网上申请所需实名等级',
            value: `实名认证${['', '一', '二', '三'][e.assuranceLevel]}级及以上`,
          },
          {
            key: '版本',
            value: print ? (
              `第 ${guide.version} 版`
            ) : (
              <>
                第 {guide.version} 版（<a href={`${guideHref(guide.itemId)}/versions`}>查看历史版本</a>）
              </>
            ),
          },
          { key: '生效日期', value: guide.effectiveFrom ?? '—' },
          {
            key: '更新时间',
            value: guide.publishedAt ? (
              <time dateTime={guide.publishedAt}>{formatDateTime(guide.publishedAt)}</time>
            ) : (
              '—'
            ),
          },
        ]}
      />
    </Section>
  )
}

/** The guide's content, shared by the guide, the print version and old versions. */
export function GuideBody({ guide, downloadable, print }: SectionProps) {
  const e = guide.elements
  const props = { guide, downloadable, print }
  return (
    <>
      <Section id="conditions" title="受理条件">
        <p>办理对象：{audienceText(e.serverType)}</p>
        <Paragraphs text={e.acceptCondition} />
      </Section>
      <Materials {...props} />
      <Section id="flow" title="办理流程">
        <ol class="steps">
          {e.handleFlow.map((step, i) => (
            <li class="steps__item" key={i}>
              <h3 class="heading-s steps__name">{step.name}</h3>
              {step.description ? <p class="steps__description">{step.description}</p> : null}
            </li>
          ))}
        </ol>
      </Section>
      <TimeLimits {...props} />
      <Fees {...props} />
      <Where {...props} />
      <Basis {...props} />
      <Result {...props} />
      <Faqs {...props} />
      <About {...props} />
    </>
  )
}

function GuideHeading({ guide }: { guide: Guide }) {
  const e = guide.elements
  return (
    <>
      <p class="caption">
        {guide.department.name} · {TASK_TYPES[e.taskType]}
      </p>
      <h1 class="heading-xl">{e.taskName}</h1>
      {e.summary ? <p class="lead">{e.summary}</p> : null}
    </>
  )
}

function crumbsOf(guide: Guide, extra: Breadcrumb[] = []): Breadcrumb[] {
  const title = guide.elements.taskName
  return [
    { href: '/', label: '首页' },
    { href: '/services', label: '办事服务' },
    { href: `/services?department=${guide.department.code}`, label: guide.department.shortName },
    ...(extra.length > 0 ? [{ href: guideHref(guide.itemId), label: title }, ...extra] : [{ label: title }]),
  ]
}

// ---------------------------------------------------------------------------------------------
// Pages

/** The guide of the published version. */
export function GuidePage({ guide, downloadable }: { guide: Guide; downloadable: ReadonlySet<string> }) {
  return (
    <Layout title={`${guide.elements.taskName} 办事指南`} breadcrumbs={crumbsOf(guide)}>
      <article class="guide">
        <GuideHeading guide={guide} />
        <KeyFacts guide={guide} />
        <Actions guide={guide} />
        <Contents />
        <GuideBody guide={guide} downloadable={downloadable} />
      </article>
    </Layout>
  )
}

/** The document of the print version: the site's styles and script, no header, navigation or footer. */
function PrintDocument({ title, children }: { title: string; children: ComponentChildren }) {
  const page = usePage()
  return (
    <html lang="zh-CN" class={page.elder ? 'elder' : undefined}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} - ${page.siteName}`}</title>
        <link rel="stylesheet" href={page.asset('css/site.css')} />
        <link rel="icon" href={page.asset('img/emblem.svg')} type="image/svg+xml" />
        <script src={page.asset('js/site.js')} defer />
      </head>
      <body class="print-page">
        <main id="main" class="container print-page__main">
          <p class="print-page__site">{page.siteName}</p>
          {children}
        </main>
      </body>
    </html>
  )
}

/** The print version: the same content without the site's navigation, FAQ answers written out. */
export function PrintGuidePage({
  guide,
  downloadable,
  printedAt,
  guideUrl,
}: {
  guide: Guide
  downloadable: ReadonlySet<string>
  printedAt: Date
  guideUrl: string
}) {
  return (
    <PrintDocument title={`${guide.elements.taskName} 办事指南（打印版）`}>
      <div class="print-page__tools">
        <a href={guideHref(guide.itemId)}>返回办事指南</a>
        <button class="button button--secondary print-page__button" type="button" data-print hidden>
          打印本页
        </button>
        <p class="print-page__hint">按 Ctrl+P（苹果电脑按 ⌘+P，手机在浏览器菜单中选择「打印」）即可打印。</p>
      </div>
      <article class="guide">
        <GuideHeading guide={guide} />
        <KeyFacts guide={guide} />
        <GuideBody guide={guide} downloadable={downloadable} print />
      </article>
      <p class="print-page__source">
        本指南为第 {guide.version} 版，打印于 {formatDateTime(printedAt)}，以网上最新版本为准：
        <span class="code">{guideUrl}</span>
        <br />
        咨询投诉：政务服务便民热线 12345
      </p>
    </PrintDocument>
  )
}

/** The versions of an item that were published, newest first. */
export function VersionsPage({ history }: { history: VersionHistory }) {
  type Row = VersionHistory['versions'][number]
  const columns: Column<Row>[] = [
    { header: '版本', cell: (v) => <a href={versionHref(history.itemId, v.version)}>第 {v.version} 版</a> },
    {
      header: '状态',
      cell: (v) => <Tag tone={VERSION_STATES[v.state].tone}>{VERSION_STATES[v.state].label}</Tag>,
    },
    { header: '生效日期', cell: (v) => v.effectiveFrom ?? '—' },
    {
      header: '发布时间',
      cell: (v) => (v.publishedAt ? <time dateTime={v.publishedAt}>{formatDateTime(v.publishedAt)}</time> : '—'),
    },
    { header: '修改说明', cell: (v) => v.changeNote ?? '—' },
  ]
  const crumbs: Breadcrumb[] = [
    { href: '/', label: '首页' },
    { href: '/services', label: '办事服务' },
    { href: guideHref(history.itemId), label: history.taskName },
    { label: '历史版本' },
  ]
  return (
    <Layout title={`${history.taskName} 历史版本`} breadcrumbs={crumbs}>
      <p class="caption">{history.department.name}</p>
      <h1 class="heading-xl">{history.taskName}：历史版本</h1>
      <p class="lead">
        办事指南每次修改都会发布新版本，旧版本保留在这里备查。办事请以
        {history.publishedVersion ? <a href={guideHref(history.itemId)}>现行版本</a> : '现行规定'}为准。
      </p>
      {history.withdrawn ? (
        <Notice tone="warning" title="该事项已撤销">
          <p>该事项已停止办理，以下版本仅供查阅。</p>
        </Notice>
      ) : null}
      <Table caption="已发布的版本" columns={columns} rows={history.versions} rowKey={(v) => v.versionId} />
    </Layout>
  )
}

/** An earlier version, read only, under a banner that says so. */
export function OldVersionPage({ guide, downloadable }: { guide: Guide; downloadable: ReadonlySet<string> }) {
  const withdrawn = guide.currentState === 'withdrawn'
  return (
    <Layout
      title={`${guide.elements.taskName} 第 ${guide.version} 版（历史版本）`}
      breadcrumbs={crumbsOf(guide, [
        { href: `${guideHref(guide.itemId)}/versions`, label: '历史版本' },
        { label: `第 ${guide.version} 版` },
      ])}
    >
      <div class="history-banner">
        <Notice tone="warning" title="这是历史版本">
          <p>
            您正在查看第 {guide.version} 版办事指南
            {guide.effectiveFrom ? `（${guide.effectiveFrom} 起生效` : '（'}
            {guide.supersededAt ? `，${formatDateTime(guide.supersededAt)} 被新版本替代）` : '）'}
            ，仅供查阅，不能作为办事依据。
          </p>
          <p>
            {withdrawn ? (
              <>该事项已撤销，停止办理。</>
            ) : (
              <>
                现行版本是第 {guide.currentVersion} 版：<a href={guideHref(guide.itemId)}>查看现行办事指南</a>。
              </>
            )}
            {guide.changeNote ? ` 本版修改说明：${guide.changeNote}` : ''}
          </p>
        </Notice>
      </div>
      <article class="guide guide--history">
        <GuideHeading guide={guide} />
        <KeyFacts guide={guide} />
        <GuideBody guide={guide} downloadable={downloadable} />
      </article>
    </Layout>
  )
}

/** A withdrawn item: it is no longer handled; say when, why and where to ask (sent as 410). */
export function WithdrawnPage({ guide }: { guide: Guide }) {
  const e = guide.elements
  return (
    <Layout title={`${e.taskName} 已停止办理`} breadcrumbs={crumbsOf(guide)}>
      <p class="caption">{guide.department.name}</p>
      <h1 class="heading-xl">「{e.taskName}」已停止办理</h1>
      <p class="lead">
        该事项{guide.withdrawnAt ? `已于 ${formatDateTime(guide.withdrawnAt)} ` : '已'}撤销，不再受理新的申请。
      </p>
      {guide.withdrawnReason ? <p>撤销原因：{guide.withdrawnReason}</p> : null}
      <h2 class="heading-m">接下来怎么办</h2>
      <ul class="list list--bullet">
        <li>
          如有疑问，请咨询{guide.department.shortName}：{e.linkWay}
        </li>
        <li>
          或拨打政务服务便民热线 <a href="tel:12345">12345</a>，工作人员会告诉您现在应该办理哪个事项、到哪里办。
        </li>
        <li>
          <a href={`${guideHref(guide.itemId)}/versions`}>查看该事项的历史版本</a>（仅供查阅）。
        </li>
      </ul>
      <h2 class="heading-m">查找其他事项</h2>
      <SearchBox id="withdrawn-search-q" />
    </Layout>
  )
}
