import type { FieldError } from './form.js'
import { Layout } from './layout.js'

const titles: Record<number, string> = {
  400: '请求内容有误',
  401: '请先登录',
  403: '没有权限',
  404: '找不到这个页面',
  409: '当前状态不允许此操作',
  413: '上传的内容太大',
  415: '不支持的内容类型',
  422: '提交的内容有误',
  429: '访问过于频繁',
  500: '系统出了点问题',
  503: '服务暂时不可用',
}

export function errorTitle(status: number): string {
  return titles[status] ?? (status >= 500 ? titles[500]! : titles[400]!)
}

export function ErrorPage({
  status,
  message,
  details,
  requestId,
}: {
  status: number
  message: string
  details?: FieldError[]
  requestId?: string
}) {
  const title = errorTitle(status)
  return (
    <Layout title={title}>
      <h1 class="heading-xl">{title}</h1>
      <p class="lead">{message}</p>
      {details && details.length > 0 ? (
        <ul class="list list--bullet">
          {details.map((d) => (
            <li key={d.field}>{d.message}</li>
          ))}
        </ul>
      ) : null}
      {status === 404 ? <p>如果您是输入网址进入的，请检查网址是否正确；也可以返回首页查找您要办理的事项。</p> : null}
      {status >= 500 ? <p>请稍后再试。如需帮助，请拨打政务服务便民热线 12345。</p> : null}
      <p>
        <a href="/">返回首页</a>
      </p>
      {requestId ? <p class="hint">请求编号：{requestId}（咨询时请提供此编号）</p> : null}
    </Layout>
  )
}
