import { ButtonLink, ErrorSummary, Form, Layout, Notice, TextInput } from '../../platform/ui/index.js'

export interface KioskTile {
  href: string
  title: string
  text: string
}

/** The kiosk's start page: a few large buttons for what people come to the hall terminal for. */
export function KioskHomePage({
  terminal,
  instant,
  others,
  loggedIn,
  ended,
  registered,
}: {
  terminal?: string
  instant: KioskTile[]
  others: KioskTile[]
  loggedIn: boolean
  ended?: 'idle' | 'done'
  registered?: boolean
}) {
  return (
    <Layout title="自助服务" wide>
      {ended === 'idle' ? (
        <Notice tone="success" title="因长时间无人操作，已自动退出">
          <p>上一位使用者的登录和填写内容已从本机清除。</p>
        </Notice>
      ) : null}
      {ended === 'done' ? (
        <Notice tone="success" title="已退出，您的信息已从本机清除">
          <p>感谢使用。请取走打印的回执和文书。</p>
        </Notice>
      ) : null}
      {registered ? (
        <Notice tone="success" title="本机已登记为自助终端">
          <p>登记人员已自动退出登录。本机从现在起以自助终端方式运行。</p>
        </Notice>
      ) : null}
      {terminal ? null : (
        <Notice title="预览">
          <p>本机不是已登记的自助终端，本页仅供预览：不会自动退出登录。</p>
        </Notice>
      )}
      <h1 class="heading-xl kiosk-title">自助服务</h1>
      <p class="lead">请点击要办理的业务。{terminal ? `（${terminal}）` : null}</p>
      {loggedIn ? null : (
        <p>
          <ButtonLink href="/login?next=/kiosk" class="button button--primary kiosk-login">
            登录（身份证号码或手机号码）
          </ButtonLink>
        </p>
      )}
      <section aria-labelledby="kiosk-instant-title">
        <h2 class="heading-l" id="kiosk-instant-title">
          当场办结的业务
        </h2>
        <ul class="kiosk-tiles">
          {instant.map((t) => (
            <li key={t.href}>
              <a class="kiosk-tile kiosk-tile--primary" href={t.href}>
                <span class="kiosk-tile__title">{t.title}</span>
                <span class="kiosk-tile__text">{t.text}</span>
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="kiosk-other-title">
        <h2 class="heading-l" id="kiosk-other-title">
          查询与其他服务
        </h2>
        <ul class="kiosk-tiles">
          {others.map((t) => (
            <li key={t.href}>
              <a class="kiosk-tile" href={t.href}>
                <span class="kiosk-tile__title">{t.title}</span>
                <span class="kiosk-tile__text">{t.text}</span>
              </a>
            </li>
          ))}
        </ul>
      </section>
      <p class="kiosk-privacy">
        为保护您的信息，一段时间无人操作时本机会提示并自动退出、清除您在本机上的信息。离开前请点右上角「结束使用」。
      </p>
    </Layout>
  )
}

/** IT staff register the browser of a hall terminal as a kiosk (or remove it). */
export function KioskSetupPage({
  current,
  name,
  errors,
}: {
  current?: string
  name?: string
  errors?: { field: string; message: string }[]
}) {
  return (
    <Layout title="登记自助终端">
      <ErrorSummary errors={errors} />
      <h1 class="heading-xl">登记自助终端</h1>
      <p>
        在政务服务大厅的自助终端上打开本页并登记，本机的浏览器即以自助终端方式运行：大按钮的自助服务首页，
        无人操作时倒计时提示并自动退出登录、清除本机上的信息，可打印回执和文书。登记后您的登录会自动结束。
      </p>
      {current ? (
        <>
          <Notice title="本机已登记">
            <p>终端名称：{current}</p>
          </Notice>
          <Form action="/kiosk/setup/remove">
            <button class="button button--warning" type="submit">
              取消本机的自助终端登记
            </button>
          </Form>
        </>
      ) : null}
      <Form action="/kiosk/setup">
        <TextInput
          name="terminal"
          label="终端名称"
          hint="如：区政务服务中心一楼 1 号自助终端（最多 40 个字）"
          value={name ?? current ?? ''}
          error={errors?.find((e) => e.field === 'terminal')?.message}
          required
        />
        <button class="button button--primary" type="submit">
          {current ? '更新登记' : '登记为自助终端'}
        </button>
      </Form>
    </Layout>
  )
}

/** Shown by the service worker when there is no network. */
export function OfflinePage() {
  return (
    <Layout title="网络未连接">
      <h1 class="heading-xl">网络未连接</h1>
      <p class="lead">现在连不上网上办事大厅，请检查手机或电脑的网络后重试。</p>
      <ul class="list list--bullet">
        <li>已填写的申请表会自动保存为草稿，恢复网络后在「我的办件」中可以继续填写。</li>
        <li>为保护您的个人信息，办件、证照等个人页面不会保存在本机，离线时无法查看。</li>
        <li>
          急事可拨打政务服务便民热线 <a href="tel:12345">12345</a>（7×24 小时）。
        </li>
      </ul>
      <p>
        <a class="button button--primary" href="/">
          重新连接
        </a>
      </p>
    </Layout>
  )
}
