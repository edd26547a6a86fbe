/**
 * The applicant's rating page (/my/applications/:id/rating): rate the finished application
 * (一事一评), add one supplement, follow the handling of a bad rating, and rate the reply
 * (对整改结果评价). Pages take plain data and render.
 */
import {
  Button,
  Checkboxes,
  ErrorSummary,
  errorMap,
  type FieldError,
  Form,
  formatDate,
  formatDateTime,
  Layout,
  Notice,
  Radios,
  SummaryList,
  Tag,
  Textarea,
} from '../../platform/ui/index.js'
import { formatApplicationNo } from '../applications/index.js'
import { indicatorsOf, LEVEL_NAMES, LEVELS, REASONS } from './ratings.codes.js'
import type { ApplicantRatingView, EventView, RatingView } from './ratings.read.js'

export const LEVEL_OPTIONS = LEVELS.map((l) => ({ value: String(l), label: LEVEL_NAMES[l] }))
export const REASON_OPTIONS = Object.entries(REASONS).map(([value, label]) => ({ value, label }))
const SCORE_OPTIONS = [5, 4, 3, 2, 1].map((s) => ({ value: String(s), label: `${s} 分` }))

/** The input name of an indicator (the form body is flat). */
export const indicatorInput = (code: string) => `indicator_${code}`

const DONE: Record<string, string> = {
  rated: '感谢您的评价！',
  supplemented: '补充评价已提交。',
  reply_rated: '感谢您对整改结果的评价，本次差评处理已办结。',
}

export interface RatingFormValues {
  level?: string
  indicators?: Record<string, string | undefined>
  reasons?: string[]
  text?: string
  supplement?: string
  replyLevel?: string
  replyComment?: string
}

export function RatingLevelTag({ level, name }: { level: number; name: string }) {
  return <Tag tone={level >= 4 ? 'green' : level === 3 ? 'blue' : 'red'}>{name}</Tag>
}

/** A rating as a summary list (the applicant's and the staff's pages). */
export function RatingSummary({ rating }: { rating: RatingView }) {
  return (
    <SummaryList
      rows={[
        {
          key: '总体评价',
          value: (
            <>
              <RatingLevelTag level={rating.level} name={rating.levelName} />
              {rating.isDefault ? <span class="hint">（逾期未评价，系统默认）</span> : null}
            </>
          ),
        },
        ...(rating.indicators.length > 0
          ? [
              {
                key: '分项评价',
                value: (
                  <ul class="list">
                    {rating.indicators.map((i) => (
                      <li key={i.code}>
                        {i.name}：{i.score} 分
                      </li>
                    ))}
                  </ul>
                ),
              },
            ]
          : []),
        ...(rating.reasons.length > 0
          ? [{ key: '不满意的原因', value: rating.reasons.map((r) => r.name).join('；') }]
          : []),
        ...(rating.text ? [{ key: '评价内容', value: <p class="pre-line">{rating.text}</p> }] : []),
        { key: '评价渠道', value: rating.channelName },
        { key: '评价时间', value: formatDateTime(rating.ratedAt) },
        ...(rating.supplementText
          ? [
              {
                key: '补充评价',
                value: (
                  <>
                    <p class="pre-line">{rating.supplementText}</p>
                    {rating.supplementedAt ? <span class="hint">{formatDateTime(rating.supplementedAt)}</span> : null}
                  </>
                ),
              },
            ]
          : []),
      ]}
    />
  )
}

/** The steps of a rectification, oldest first. */
export function RectificationTimeline({ events }: { events: EventView[] }) {
  if (events.length === 0) return <p>还没有处理记录。</p>
  return (
    <ol class="timeline">
      {events.map((e, i) => (
        <li class="timeline__item" key={i}>
          <p class="timeline__when">
            <time dateTime={e.at}>{formatDateTime(e.at)}</time>
          </p>
          <p class="timeline__what">
            <strong>{e.label}</strong>
          </p>
          <p class="timeline__who">{e.actor}</p>
          {e.note ? <p class="timeline__reason pre-line">{e.note}</p> : null}
        </li>
      ))}
    </ol>
  )
}

export interface RatingPageProps {
  view: ApplicantRatingView
  errors?: FieldError[]
  /** Which form the errors belong to. */
  form?: 'rate' | 'supplement' | 'reply'
  values?: RatingFormValues
  done?: string
}

export function RatingPage({ view, errors, form, values = {}, done }: RatingPageProps) {
  const no = formatApplicationNo(view.applicationNo)
  const base = `/my/applications/${view.applicationId}`
  const err = errorMap(errors)
  const doneText = done ? DONE[done] : undefined
  return (
    <Layout
      title={`评价办件 ${no}`}
      breadcrumbs={[
        { href: '/', label: '首页' },
        { href: '/my/applications', label: '我的办件' },
        { href: base, label: `办件 ${no}` },
        { label: '好差评' },
      ]}
    >
      <ErrorSummary errors={errors} />
      <span class="caption">办件编号 {no}</span>
      <h1 class="heading-xl">评价本次服务</h1>
      {doneText ? <Notice tone="success" title={doneText} /> : null}
      <SummaryList
        rows={[
          { key: '申请事项', value: view.itemName },
          { key: '办理部门', value: view.departmentName },
          { key: '办件状态', value: view.stateName },
          ...(view.finishedAt ? [{ key: '办结时间', value: formatDateTime(view.finishedAt) }] : []),
        ]}
      />
      {view.rating ? (
        <section class="case-part" aria-labelledby="my-rating-title">
          <h2 class="heading-l" id="my-rating-title">
            我的评价
          </h2>
          <RatingSummary rating={view.rating} />
          {view.canSupplement ? (
            <Form action={`${base}/rating/supplement`} aria-labelledby="supplement-title">
              <h3 class="heading-m" id="supplement-title">
                追加补充评价
              </h3>
              <Textarea
                name="supplement"
                label="补充评价内容"
                hint="补充评价只能追加一次，最多 500 个字；不改变原来的评价等级。"
                required
                maxLength={500}
                error={form === 'supplement' ? err.supplement : undefined}
                value={form === 'supplement' ? values.supplement : undefined}
              />
              <Button variant="secondary">提交补充评价</Button>
            </Form>
          ) : null}
        </section>
      ) : view.ratable ? (
        <RateForm view={view} base={base} errors={form === 'rate' ? err : {}} values={values} />
      ) : (
        <Notice title="办结后才能评价">
          <p>
            办件当前状态为「{view.stateName}」。办结（含不予许可）或不予受理后，您可以对本次服务作出评价（一事一评）。
          </p>
        </Notice>
      )}
      {view.rectification ? (
        <section class="case-part" aria-labelledby="rectification-title">
          <h2 class="heading-l" id="rectification-title">
            差评处理情况
          </h2>
          <p>
            当前状态：<strong>{view.rectification.stateName}</strong>
            {view.rectification.deadlineOn && view.rectification.state === 'rectifying' ? (
              <>，整改期限 {view.rectification.deadlineOn}</>
            ) : null}
          </p>
          {view.rectification.explanation ? (
            <Notice title="办理部门的解释说明">
              <p class="pre-line">{view.rectification.explanation}</p>
            </Notice>
          ) : null}
          {view.rectification.replyText ? (
            <Notice title="办理部门的整改答复">
              <p class="pre-line">{view.rectification.replyText}</p>
              {view.rectification.repliedAt ? (
                <p class="hint">答复时间：{formatDateTime(view.rectification.repliedAt)}</p>
              ) : null}
            </Notice>
          ) : null}
          {view.rectification.replyLevel ? (
            <p>
              您对整改结果的评价：
              <RatingLevelTag
                level={view.rectification.replyLevel}
                name={LEVEL_NAMES[view.rectification.replyLevel as 1 | 2 | 3 | 4 | 5]}
              />
              {view.rectification.replyComment ? `（${view.rectification.replyComment}）` : null}
            </p>
          ) : null}
          {view.rectification.canRateReply ? (
            <Form action={`${base}/rating/reply`} aria-labelledby="reply-rating-title">
              <h3 class="heading-m" id="reply-rating-title">
                对整改结果评价
              </h3>
              <Radios
                name="replyLevel"
                legend="您对整改结果是否满意？"
                options={LEVEL_OPTIONS}
                value={form === 'reply' ? values.replyLevel : undefined}
                error={form === 'reply' ? err.replyLevel : undefined}
              />
              <Textarea
                name="replyComment"
                label="意见"
                hint="最多 500 个字。"
                maxLength={500}
                value={form === 'reply' ? values.replyComment : undefined}
                error={form === 'reply' ? err.replyComment : undefined}
              />
              <Button>提交对整改结果的评价</Button>
            </Form>
          ) : null}
          <h3 class="heading-m">处理过程</h3>
          <RectificationTimeline events={view.rectification.events} />
        </section>
      ) : null}
      {view.windowRatings.length > 0 ? (
        <section class="case-part" aria-labelledby="window-ratings-title">
          <h2 class="heading-l" id="window-ratings-title">
            窗口服务评价（一次一评）
          </h2>
          <ul class="list">
            {view.windowRatings.map((r) => (
              <li key={r.id}>
                {formatDateTime(r.ratedAt)}：<RatingLevelTag level={r.level} name={r.levelName} />
                {r.reasons.length > 0 ? `（${r.reasons.map((x) => x.name).join('；')}）` : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p>
        <a href={base}>返回办件详情</a>　<a href="/ratings/public">查看好差评公示</a>
      </p>
    </Layout>
  )
}

function RateForm({
  view,
  base,
  errors,
  values,
}: {
  view: ApplicantRatingView
  base: string
  errors: Record<string, string | undefined>
  values: RatingFormValues
}) {
  const indicators = indicatorsOf('online')
  return (
    <Form action={`${base}/rating`} aria-labelledby="rate-title">
      <h2 class="heading-l" id="rate-title">
        我要评价
      </h2>
      <p>
        请对「{view.itemName}」的办理服务作出评价。每个办件评价一次（一事一评），提交后可以追加一次补充评价。
        {view.defaultOn ? (
          <>
            {' '}
            如在 {formatDate(view.defaultOn)} 前未评价，系统将默认评价为「{view.defaultLevelName}」。
          </>
        ) : null}
      </p>
      <Radios name="level" legend="总体满意程度" options={LEVEL_OPTIONS} value={values.level} error={errors.level} />
      <fieldset class="fieldset rating-indicators">
        <legend class="field__label">
          分项评价<span class="field__optional">（选填）</span>
        </legend>
        {Object.entries(indicators).map(([code, name]) => (
          <Radios
            key={code}
            name={indicatorInput(code)}
            legend={name}
            inline
            options={SCORE_OPTIONS}
            value={values.indicators?.[code]}
            error={errors[indicatorInput(code)]}
          />
        ))}
      </fieldset>
      <Checkboxes
        name="reasons"
        legend="不满意的原因"
        hint="评价为「不满意」或「非常不满意」时，请至少选择一项原因，或在下面写明情况。可多选。"
        options={REASON_OPTIONS}
        values={values.reasons}
        error={errors.reasons}
        required={false}
      />
      <Textarea
        name="text"
        label="评价内容"
        hint="最多 500 个字。请勿填写身份证号码、电话等个人信息。"
        maxLength={500}
        value={values.text}
        error={errors.text}
      />
      <Button>提交评价</Button>
    </Form>
  )
}
