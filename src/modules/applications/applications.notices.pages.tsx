/**
 * Written notices (文书) as printable documents: 受理通知书, 不予受理通知书, 补正材料通知书,
 * 特别程序告知书, 延期通知书 and 决定书 (行政许可法 §32, §38, §42, §45: given in writing, sealed
 * and dated). One component, `NoticeDocument`, used by the applicant's case page and the staff
 * workbench alike; print CSS (public/css/site.css, `.notice-doc`) lays it out as an A4 page and
 * hides everything else.
 *
 * The seal is drawn on the server as inline SVG markup from the department's name (the strict
 * CSP allows inline SVG, not inline styles: presentation attributes only). It marks a printout;
 * it is not an electronic seal — signed PDFs with the department's electronic seal come with the
 * license module.
 */
import type { ComponentChildren } from 'preact'
import { type Breadcrumb, Layout } from '../../platform/ui/index.js'
import type { ItemElements } from '../catalog/index.js'
import { type FormDefinition, formatDay, rowLabel } from './applications.forms.js'
import { formatApplicationNo } from './applications.numbers.js'
import type { CorrectionProblem, NoticeContent } from './applications.service.js'
import type { NoticeKind, NoticeTable } from './applications.tables.js'

/** The kind of a notice in words, for lists: 「补正材料通知书」. */
export const NOTICE_KIND_NAMES: Record<NoticeKind, string> = {
  accept: '受理通知书',
  reject: '不予受理通知书',
  correction: '补正材料通知书',
  special_procedure: '特别程序告知书',
  extension: '延期通知书',
  decision: '决定书',
}

/** The stored notice with its content read. */
export interface NoticeView {
  id: string
  kind: NoticeKind
  number: string
  title: string
  issuedAt: string
  content: NoticeContent
}

export function noticeView(row: NoticeTable): NoticeView {
  const raw = row.content as unknown
  const content = (typeof raw === 'string' ? JSON.parse(raw) : raw) as NoticeContent
  return { id: row.id, kind: row.kind, number: row.number, title: row.title, issuedAt: row.issuedAt, content }
}

/**
 * What a correction problem points at, in words: 「经营信息 — 经营场所面积」, 「食品安全管理人员（2）—
 * 手机号码」 or the material's name. Falls back to the key when the form no longer has it.
 */
export function problemTarget(
  problem: Pick<CorrectionProblem, 'target' | 'key'>,
  form: FormDefinition | undefined,
  elements: Pick<ItemElements, 'materials'> | undefined,
): string {
  if (problem.target === 'material') {
    return elements?.materials.find((m) => m.materialCode === problem.key)?.materialName ?? problem.key
  }
  const match = /^([a-z][a-z0-9_]*)(?:\[(\d+)\])?\.([a-z][a-z0-9_]*)$/.exec(problem.key)
  const section = match ? form?.sections.find((s) => s.key === match[1]) : undefined
  const field = section?.fields.find((f) => f.key === match?.[3])
  if (!section || !field) return problem.key
  const where = match?.[2] !== undefined ? rowLabel(section, Number(match[2])) : section.title
  return `${where} — ${field.label}`
}

/**
 * A five-pointed star centred on (cx, cy) — the centre of an official seal — as polygon points.
 */
function starPoints(cx: number, cy: number, outer: number, inner: number): string {
  const points: string[] = []
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? outer : inner
    const angle = -Math.PI / 2 + (i * Math.PI) / 5
    points.push(`${(cx + radius * Math.cos(angle)).toFixed(2)},${(cy + radius * Math.sin(angle)).toFixed(2)}`)
  }
  return points.join(' ')
}

const SEAL_RED = '#c8161d'

/**
 * The department's seal as inline SVG: a red ring, the name along the upper arc (from lower left
 * over the top to lower right, as official seals run), a star in the middle. `id` keeps the arc's
 * path id unique when a page shows several.
 */
export function Seal({ name, id }: { name: string; id: string }) {
  const chars = Array.from(name)
  // The arc spans 240° at radius 68: about 285 units of text; CJK glyphs are 1em wide.
  const fontSize = Math.max(12, Math.min(26, Math.floor(250 / Math.max(chars.length, 1))))
  const spare = 250 - chars.length * fontSize
  const letterSpacing = chars.length > 1 ? Math.max(0, Math.min(8, spare / chars.length)) : 0
  const pathId = `seal-arc-${id.replace(/[^A-Za-z0-9_-]/g, '')}`
  // Start at 210° (lower left), sweep clockwise over the top to -30° (lower right).
  const r = 68
  const x1 = (100 - r * Math.cos(Math.PI / 6)).toFixed(2)
  const x2 = (100 + r * Math.cos(Math.PI / 6)).toFixed(2)
  const y = (100 + r * Math.sin(Math.PI / 6)).toFixed(2)
  return (
    <svg
      class="seal"
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 200 200"
      width="150"
      height="150"
      role="img"
      aria-label={`${name}（印章）`}
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
      <polygon points={starPoints(100, 102, 30, 12)} fill={SEAL_RED} />
    </svg>
  )
}

/**
 * One notice as a printable document: title and 文书编号, the applicant, the body, the problems
 * of a correction notice as a numbered list, the issuing department with its seal, and the date
 * in Chinese (2026年3月2日).
 *
 * `problemLabels` (by problem key) names what each problem points at (see `problemTarget`);
 * without it the officer's message stands alone. `headingLevel` 2 when the page has its own h1.
 */
export function NoticeDocument({
  notice,
  problemLabels,
  headingLevel = 1,
}: {
  notice: NoticeView
  problemLabels?: Record<string, string>
  headingLevel?: 1 | 2
}) {
  const { content } = notice
  const Title = headingLevel === 1 ? 'h1' : 'h2'
  const problems = content.problems ?? []
  return (
    <article class="notice-doc" aria-labelledby={`notice-${notice.id}-title`}>
      <header class="notice-doc__header">
        <p class="notice-doc__issuer">{content.departmentName}</p>
        <Title class="notice-doc__title" id={`notice-${notice.id}-title`}>
          {notice.title}
        </Title>
        <p class="notice-doc__number">{notice.number}</p>
      </header>
      <p class="notice-doc__addressee">{content.applicantName}：</p>
      <dl class="notice-doc__facts">
        <div>
          <dt>办件编号</dt>
          <dd>{formatApplicationNo(content.applicationNo)}</dd>
        </div>
        <div>
          <dt>申请事项</dt>
          <dd>{content.itemName}</dd>
        </div>
      </dl>
      <div class="notice-doc__body">
        {content.paragraphs.slice(0, problems.length > 0 ? 1 : undefined).map((p, i) => (
          <p key={i}>{p}</p>
        ))}
        {problems.length > 0 ? (
          <>
            <ol class="notice-doc__problems">
              {problems.map((p, i) => (
                <li key={i}>
                  {problemLabels?.[p.key] ? <strong>{problemLabels[p.key]}：</strong> : null}
                  {p.message}
                </li>
              ))}
            </ol>
            {content.paragraphs.slice(1).map((p, i) => (
              <p key={`after-${i}`}>{p}</p>
            ))}
          </>
        ) : null}
      </div>
      <footer class="notice-doc__footer">
        <div class="notice-doc__signature">
          <p class="notice-doc__department">{content.departmentName}</p>
          <p class="notice-doc__date">{chineseDate(content.issuedOn)}</p>
          <Seal name={content.departmentName} id={notice.id} />
        </div>
      </footer>
    </article>
  )
}

/** 2026-03-02 → 2026年3月2日 (the date line of an official document). */
export function chineseDate(day: string): string {
  return formatDay(day)
}

/**
 * The notice page: the document, and above it (hidden in print) the way back, the print button
 * and the PDF download.
 */
export function NoticePage({
  notice,
  problemLabels,
  backHref,
  backLabel,
  breadcrumbs,
}: {
  notice: NoticeView
  problemLabels?: Record<string, string>
  backHref: string
  backLabel: string
  breadcrumbs?: Breadcrumb[]
}) {
  return (
    <Layout title={`${notice.title}（${notice.number}）`} breadcrumbs={breadcrumbs}>
      <NoticeTools
        backHref={backHref}
        backLabel={backLabel}
        pdfHref={`${backHref.replace('/workbench/cases/', '/my/applications/')}/notices/${notice.id}/pdf`}
      />
      <NoticeDocument notice={notice} problemLabels={problemLabels} />
    </Layout>
  )
}

function NoticeTools({
  backHref,
  backLabel,
  pdfHref,
}: {
  backHref: string
  backLabel: string
  pdfHref: string
}): ComponentChildren {
  return (
    <div class="notice-tools">
      <p>
        <a href={backHref}>{backLabel}</a>
      </p>
      <div class="button-row">
        <button class="button button--secondary" type="button" data-print hidden>
          打印
        </button>
        <p class="hint notice-tools__hint">
          按 Ctrl+P（苹果电脑按 ⌘+P，手机在浏览器菜单中选择「打印」）即可打印本文书，打印时只打印文书本身。
        </p>
      </div>
      <p>
        <a href={pdfHref} download>
          下载 PDF 版
        </a>
      </p>
      <p class="hint">
        本页和 PDF 上的印章是印章图样，便于打印存档；文书的真实性以本平台的办件记录为准，可在「我的办件」中查看。
      </p>
    </div>
  )
}
