import { Button, ButtonLink, Form, Layout } from '../../platform/ui/index.js'
import { type HomeCatalog, ItemList, SearchBox, ThemeCards, TopicTiles } from '../catalog/index.js'

/**
 * The home page: finding a service first (search, topics, themes, the most asked-for items),
 * then the rest of the platform.
 */
export function HomePage({ catalog }: { catalog: HomeCatalog }) {
  return (
    <Layout title="首页" wide>
      <section class="hero" aria-labelledby="hero-title">
        <h1 class="heading-xl" id="hero-title">
          潮安区网上办事大厅
        </h1>
        <p class="lead">让企业和群众少跑腿、好办事、不添堵。一网通办，一次告知，进度全程可查。</p>
        <SearchBox id="home-search-q" large />
      </section>
      {catalog.personTopics.length > 0 || catalog.enterpriseTopics.length > 0 ? (
        <section aria-labelledby="topics-title">
          <h2 class="heading-l" id="topics-title">
            按主题找服务
          </h2>
          <div class="home-topics">
            <div class="home-topics__group">
              <h3 class="heading-m">
                <a href="/services?audience=person">个人办事</a>
              </h3>
              <TopicTiles topics={catalog.personTopics} label="个人办事主题" />
            </div>
            <div class="home-topics__group">
              <h3 class="heading-m">
                <a href="/services?audience=enterprise">法人办事</a>
              </h3>
              <TopicTiles topics={catalog.enterpriseTopics} label="法人办事主题" />
            </div>
          </div>
          <p>
            <a href="/services">按部门查看全部办事服务</a>
          </p>
        </section>
      ) : null}
      {catalog.themes.length > 0 ? (
        <section aria-labelledby="themes-title">
          <h2 class="heading-l" id="themes-title">
            一件事 一次办
          </h2>
          <p>生孩子、开饭店、退休……回答几个问题，就知道要办哪些事项。</p>
          <ThemeCards themes={catalog.themes} />
        </section>
      ) : null}
      {catalog.popular.length > 0 ? (
        <section aria-labelledby="popular-title">
          <h2 class="heading-l" id="popular-title">
            热门事项
          </h2>
          <ItemList items={catalog.popular} label="热门事项" />
        </section>
      ) : null}
      <section aria-labelledby="start-title">
        <h2 class="heading-l" id="start-title">
          更多服务
        </h2>
        <ul class="card-grid">
          <li class="card">
            <h3 class="heading-s">
              <a href="/my/messages">我的消息</a>
            </h3>
            <p>办件进度、补正通知、证照到期提醒都会发到这里。</p>
          </li>
          <li class="card">
            <h3 class="heading-s">
              <a href="/accessibility">长者模式与无障碍</a>
            </h3>
            <p>字大、对比强、步骤少。点页面右上角的「长者模式」即可切换。</p>
          </li>
          <li class="card">
            <h3 class="heading-s">
              <a href="/api/docs">开放接口</a>
            </h3>
            <p>部门系统与开发者可按接口文档对接本平台。</p>
          </li>
        </ul>
      </section>
      <section aria-labelledby="help-title">
        <h2 class="heading-m" id="help-title">
          需要帮助？
        </h2>
        <p>
          拨打政务服务便民热线 <a href="tel:12345">12345</a>
          ，或到区政务服务中心、各镇（场）政务服务站和村居便民服务点办理。
        </p>
        <ButtonLink href="/accessibility" variant="secondary">
          了解无障碍服务
        </ButtonLink>
      </section>
    </Layout>
  )
}

export function AccessibilityPage() {
  return (
    <Layout title="无障碍声明" breadcrumbs={[{ href: '/', label: '首页' }, { label: '无障碍声明' }]}>
      <h1 class="heading-xl">无障碍声明</h1>
      <p class="lead">我们希望每一位居民，包括老年人和残障人士，都能顺利使用潮安区网上办事大厅。</p>
      <h2 class="heading-m">我们做了什么</h2>
      <ul class="list list--bullet">
        <li>
          依照《信息技术 互联网内容无障碍可访问性技术要求与测试方法》（GB/T 37668—2019）和 WCAG 2.1 AA
          级要求设计和测试页面。
        </li>
        <li>提供「长者模式」：更大的字、更强的对比、更简单的导航。在页面右上角一键切换，本设备会记住您的选择。</li>
        <li>所有页面可只用键盘操作；每个输入框都有文字标签；出错时在页首集中列出问题，并标在对应的输入框旁。</li>
        <li>页面支持读屏软件朗读，图片提供文字说明，颜色从不作为传达信息的唯一方式。</li>
        <li>手机、平板、电脑和政务服务中心的自助终端都可以使用；不开启 JavaScript 也能办理。</li>
      </ul>
      <h2 class="heading-m">如果遇到困难</h2>
      <p>
        请拨打政务服务便民热线 <a href="tel:12345">12345</a>，告诉我们是哪个页面、遇到了什么问题。我们会在 5
        个工作日内答复，并尽快改进。
      </p>
      <p>您也可以到任何一个政务服务站或村居便民服务点，由工作人员帮您代办。</p>
    </Layout>
  )
}

export function PrivacyPage() {
  return (
    <Layout title="个人信息保护" breadcrumbs={[{ href: '/', label: '首页' }, { label: '个人信息保护' }]}>
      <h1 class="heading-xl">个人信息保护</h1>
      <p class="lead">我们依照《中华人民共和国个人信息保护法》处理您的个人信息，只收集办事必需的信息。</p>
      <ul class="list list--bullet">
        <li>每个事项只收集其申请表和材料清单要求的信息；政府已经掌握的材料不会再要您提交。</li>
        <li>身份证号码、手机号码、地址加密保存；向他人展示时做部分隐藏（如 445103********1234、138****5678）。</li>
        <li>工作人员查看您的完整信息都会留下记录；您可以在「我的」页面查看谁用过您的电子证照。</li>
        <li>系统日志不记录身份证号码和手机号码。</li>
      </ul>
      <p>
        对个人信息处理有疑问或投诉，请拨打 <a href="tel:12345">12345</a>。
      </p>
    </Layout>
  )
}

/**
 * 长者模式 switched without JavaScript from a page kept for every visitor: that page's switch asks
 * here by GET (it carries no CSRF token), and this page posts the choice with one.
 */
export function ElderModePage({ on, returnTo }: { on: boolean; returnTo: string }) {
  const title = on ? '开启长者模式' : '退出长者模式'
  return (
    <Layout title={title} breadcrumbs={[{ href: '/', label: '首页' }, { label: title }]}>
      <h1 class="heading-xl">{title}</h1>
      <p class="lead">
        {on
          ? '长者模式使用更大的字、更强的对比和更简单的导航。本设备会记住您的选择，随时可以退出。'
          : '退出后页面恢复标准字号。本设备会记住您的选择，随时可以再次开启。'}
      </p>
      <Form action="/preferences/elder-mode">
        <input type="hidden" name="on" value={on ? '1' : '0'} />
        <input type="hidden" name="return" value={returnTo} />
        <div class="button-row">
          <Button>{on ? '确认开启' : '确认退出'}</Button>
          <a href={returnTo}>返回上一页</a>
        </div>
      </Form>
    </Layout>
  )
}
