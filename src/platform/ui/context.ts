import { createContext } from 'preact'
import { useContext } from 'preact/hooks'

export interface NavItem {
  href: string
  label: string
}

export interface PageUser {
  displayName: string
  /** e.g. 「个人」 or the enterprise being acted for */
  actingAs?: string
  isStaff: boolean
  /** Idle timeout of the session: the page warns two minutes before it ends. */
  idleTimeoutMs?: number
}

/** The request comes from a registered hall terminal (自助终端): kiosk layout and inactivity logout. */
export interface KioskContext {
  terminal: string
  /** Inactivity before the session ends and the data is cleared. */
  idleMs: number
  /** How long before that a countdown warning shows. */
  warnMs: number
}

/** What every page needs from the request, besides its own data. */
export interface PageContext {
  /** Path of the current request, for marking the active navigation entry and returning after a toggle. */
  path: string
  /** 长者模式: larger text, higher contrast, simpler navigation. */
  elder: boolean
  csrfToken: string
  nav: NavItem[]
  user?: PageUser
  /** Set on a registered kiosk terminal. */
  kiosk?: KioskContext
  /** Logical asset name → hashed URL, e.g. `css/site.css` → `/assets/css/site.3f2a9c1b.css`. */
  asset: (name: string) => string
  /** Links shown under 我的 / 工作台 etc. supplied by modules. */
  siteName: string
}

export const PageCtx = createContext<PageContext | null>(null)

export function usePage(): PageContext {
  const ctx = useContext(PageCtx)
  if (!ctx) throw new Error('PageCtx missing: render pages through renderPage()')
  return ctx
}
