/**
 * The page shell every page shares: skip link, site header with 长者模式 toggle, navigation,
 * main landmark, footer with the sponsoring unit, contacts and the accessibility statement.
 */
import type { ComponentChildren } from 'preact'
import { type PageContext, usePage } from './context.js'
import { Form } from './form.js'

export interface Breadcrumb {
  href?: string
  label: string
}

export function Layout({
  title,
  children,
  breadcrumbs,
  wide,
}: {
  title: string
  children: ComponentChildren
  breadcrumbs?: Breadcrumb[]
  wide?: boolean
}) {
  const page = usePage()
  const classes = [page.elder ? 'elder' : '', page.kiosk ? 'kiosk' : ''].filter(Boolean).join(' ')
  return (
    <html lang="zh-CN" class={classes || undefined}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} - ${page.siteName}`}</title>
        <meta
          name="description"
          content="潮州市潮安区一体化网上政务服务平台：办事指南、网上申办、进度查询、电子证照、好差评。"
        />
        <meta name="theme-color" content="#a4161a" />
        <link rel="stylesheet" href={page.asset('css/site.css')} />
        <link rel="icon" href={page.asset('img/emblem.svg')} type="image/svg+xml" />
        <link rel="manifest" href="/manifest.webmanifest" />
        <link rel="apple-touch-icon" href={page.asset('img/icon-192.png')} />
        <script src={page.asset('js/site.js')} defer />
      </head>
      <body
        data-idle-ms={page.kiosk ? undefined : page.user?.idleTimeoutMs}
        data-kiosk-idle-ms={page.kiosk?.idleMs}
        data-kiosk-warn-ms={page.kiosk?.warnMs}
        data-kiosk-user={page.kiosk && page.user ? '1' : undefined}
      >
        <a class="skip-link" href="#main">
          跳到主要内容
        </a>
        <SiteHeader page={page} />
        <div class={`container${wide ? ' container--wide' : ''}`}>
          {breadcrumbs && breadcrumbs.length > 0 ? <Breadcrumbs items={breadcrumbs} /> : null}
          <main id="main" class="main" tabIndex={-1}>
            {children}
          </main>
        </div>
        <SiteFooter page={page} />
      </body>
    </html>
  )
}

/** The navigation of a kiosk terminal: the kiosk's start page and the few things done there. */
function kioskNav(page: PageContext): { href: string; label: string }[] {
  const nav = [
    { href: '/kiosk', label: '自助服务首页' },
    { href: '/services', label: '办事指南' },
    { href: '/progress', label: '进度查询' },
  ]
  if (page.user && !page.user.isStaff) nav.push({ href: '/my/applications', label: '我的办件' })
  return nav
}

function SiteHeader({ page }: { page: PageContext }) {
  const nav = page.kiosk ? kioskNav(page) : page.nav
  return (
    <header class="site-header">
      <div class="site-header__bar container container--wide">
        <a class="site-header__brand" href={page.kiosk ? '/kiosk' : '/'}>
          <img class="site-header__emblem" src={page.asset('img/emblem.svg')} alt="" width={40} height={40} />
          <span class="site-header__name">{page.siteName}</span>
        </a>
        <div class="site-header__tools">
          {/* Logged in (or at a kiosk), the switch posts with the page's CSRF token. An anonymous page
              asks by GET for a page that confirms it (with a token), so that the page holds nothing of
              its visitor and can be kept for everyone (pages.ts); site.js switches either at once. */}
          <Form
            action="/preferences/elder-mode"
            method={page.user || page.kiosk ? 'post' : 'get'}
            class="elder-toggle"
            data-elder-toggle
          >
            <input type="hidden" name="return" value={page.path} />
            <input type="hidden" name="on" value={page.elder ? '0' : '1'} />
            <button
              class="button button--secondary elder-toggle__button"
              type="submit"
              aria-pressed={page.elder ? 'true' : 'false'}
            >
              {page.elder ? '退出长者模式' : '长者模式'}
            </button>
          </Form>
          {page.user ? (
            <span class="site-header__user">
              {page.user.displayName}
              {page.user.actingAs ? `（${page.user.actingAs}）` : null}
            </span>
          ) : null}
          {page.kiosk ? (
            <Form action="/kiosk/end" class="kiosk-end" data-kiosk-end>
              <button class="button button--warning kiosk-end__button" type="submit">
                {page.user ? '结束使用并退出' : '结束使用'}
              </button>
            </Form>
          ) : null}
        </div>
      </div>
      <nav class="site-nav" aria-label="主导航">
        <ul class="site-nav__list container container--wide">
          {nav.map((item) => {
            const current =
              item.href === '/' || item.href === '/kiosk' ? page.path === item.href : page.path.startsWith(item.href)
            return (
              <li key={item.href}>
                <a class="site-nav__link" href={item.href} aria-current={current ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            )
          })}
        </ul>
      </nav>
    </header>
  )
}

function Breadcrumbs({ items }: { items: Breadcrumb[] }) {
  return (
    <nav class="breadcrumbs" aria-label="当前位置">
      <ol class="breadcrumbs__list">
        {items.map((b, i) => (
          <li class="breadcrumbs__item" key={i}>
            {b.href ? <a href={b.href}>{b.label}</a> : <span aria-current="page">{b.label}</span>}
          </li>
        ))}
      </ol>
    </nav>
  )
}

function SiteFooter({ page }: { page: PageContext }) {
  return (
    <footer class="site-footer">
      <div class="container container--wide site-footer__inner">
        <nav aria-label="页脚链接">
          <ul class="site-footer__links">
            <li>
              <a href="/accessibility">无障碍声明</a>
            </li>
            <li>
              <a href="/privacy">个人信息保护</a>
            </li>
            <li>
              <a href="/api/docs">开放接口</a>
            </li>
          </ul>
        </nav>
        <p>主办单位：潮州市潮安区人民政府　承办单位：潮安区政务服务中心</p>
        <p>
          咨询投诉：政务服务便民热线 <a href="tel:12345">12345</a>（7×24 小时）　地址：潮州市潮安区政务服务中心
        </p>
        <p class="site-footer__small">{page.siteName} · 页面时间均为北京时间</p>
      </div>
    </footer>
  )
}
