import {
  Button,
  ErrorSummary,
  errorMap,
  type FieldError,
  Form,
  Layout,
  Notice,
  Radios,
  SummaryList,
  Tag,
  TextInput,
} from '../../platform/ui/index.js'
import { ASSURANCE_METHODS, type PersonCard, type PersonFull, VIEW_REASONS } from './identity.verify.js'

const levelNames: Record<number, string> = { 1: '一级（本人注册）', 2: '二级（已核验身份）', 3: '三级（现场核验）' }

const crumbs = [{ href: '/', label: '首页' }, { label: '居民身份核验' }]

export function PersonLookupPage({
  idNumber = '',
  person,
  full,
  errors,
  notice,
}: {
  idNumber?: string
  person?: PersonCard
  full?: PersonFull
  errors?: FieldError[]
  notice?: string
}) {
  const e = errorMap(errors)
  return (
    <Layout title="居民身份核验" breadcrumbs={crumbs}>
      <ErrorSummary errors={errors} />
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <h1 class="heading-xl">居民身份核验</h1>
      <p>按身份证号码查找已注册的居民，核验身份后提升实名等级。查看完整信息须说明理由，系统会记录。</p>
      <Form action="/staff/persons/lookup">
        <TextInput name="idNumber" label="身份证号码" value={idNumber} error={e.idNumber} required spellcheck={false} />
        <Button>查找</Button>
      </Form>
      {person ? (
        <section aria-labelledby="person-title">
          <h2 class="heading-l" id="person-title">
            查找结果
          </h2>
          <SummaryList
            rows={[
              { key: '姓名', value: full?.name ?? person.nameMasked },
              { key: '身份证号码', value: full?.idNumber ?? person.idNumberMasked },
              { key: '手机号码', value: full?.mobile ?? person.mobileMasked ?? '未登记' },
              ...(full ? [{ key: '出生日期', value: full.birthDate ?? '—' }] : []),
              {
                key: '实名等级',
                value: (
                  <Tag tone={person.assuranceLevel >= 2 ? 'green' : 'yellow'}>{levelNames[person.assuranceLevel]}</Tag>
                ),
              },
            ]}
          />
          {full ? null : (
            <Form action={`/staff/persons/${person.id}/full`}>
              <input type="hidden" name="idNumber" value={idNumber} />
              <Radios
                name="reason"
                legend="查看完整信息的理由"
                error={e.reason}
                options={Object.entries(VIEW_REASONS).map(([value, label]) => ({ value, label }))}
              />
              <TextInput name="note" label="补充说明" hint="例如办件编号" error={e.note} />
              <Button variant="secondary">查看完整信息</Button>
            </Form>
          )}
          {person.assuranceLevel < 3 ? (
            <Form action={`/staff/persons/${person.id}/assurance`}>
              <input type="hidden" name="idNumber" value={idNumber} />
              <Radios
                name="method"
                legend="核验方式"
                hint="核验前请确认证件在有效期内、照片与本人相符"
                error={e.method}
                options={Object.entries(ASSURANCE_METHODS)
                  .filter(([, m]) => m.level > person.assuranceLevel)
                  .map(([value, m]) => ({ value, label: `${m.label}（提升到${levelNames[m.level]}）` }))}
              />
              <Button>确认核验</Button>
            </Form>
          ) : null}
        </section>
      ) : null}
    </Layout>
  )
}
