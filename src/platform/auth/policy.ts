/**
 * Deny by default: every route declares who may call it in `config.policy`, and a route without
 * one makes the app fail to build. The check runs before the handler; record-level rules
 * (own department, own application) stay in the module's policy functions.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { DomainError } from '../http/errors.js'
import type { Principal } from './principal.js'

export type RoutePolicy =
  /** Anyone, logged in or not. */
  | { public: true }
  /** Any logged-in account. */
  | { authenticated: true }
  /** A logged-in citizen or enterprise user (not a staff account). */
  | { citizen: true }
  /** A staff account holding this permission. */
  | { permission: string }
  /** Any of these permissions. */
  | { anyPermission: readonly string[] }

declare module 'fastify' {
  interface FastifyContextConfig {
    policy?: RoutePolicy
    /** Reachable while the password must be changed (the change page itself, logout). */
    whilePasswordExpired?: boolean
  }
}

export const passwordChangeRequired = () =>
  new DomainError('PASSWORD_CHANGE_REQUIRED', 'forbidden', '您的密码已超过 90 天未更换，请先修改密码后再继续。')

export interface RoutePolicyEntry {
  method: string
  url: string
  policy: RoutePolicy
}

/** The route table with each route's policy, for the authorization matrix test and the docs. */
export class PolicyRegistry {
  readonly entries: RoutePolicyEntry[] = []
  readonly missing: string[] = []
}

export const unauthenticated = () => new DomainError('UNAUTHENTICATED', 'unauthenticated', '请先登录后再继续。')
export const forbidden = (message = '您没有权限进行此操作。') => new DomainError('FORBIDDEN', 'forbidden', message)

export function isAllowed(policy: RoutePolicy, principal: Principal | undefined): 'allow' | 'login' | 'deny' {
  if ('public' in policy) return 'allow'
  if (!principal) return 'login'
  if ('authenticated' in policy) return 'allow'
  if ('citizen' in policy) return principal.staffId ? 'deny' : 'allow'
  if ('permission' in policy) return principal.permissions.has(policy.permission) ? 'allow' : 'deny'
  if ('anyPermission' in policy)
    return policy.anyPermission.some((p) => principal.permissions.has(p)) ? 'allow' : 'deny'
  return 'deny'
}

/**
 * Registers the onRoute check (no policy → build fails) and the enforcing preValidation hook.
 * `publicPrefixes` are routes that third-party plugins add (the Swagger UI files), public by design.
 */
export function registerPolicies(app: FastifyInstance, registry: PolicyRegistry, publicPrefixes: string[] = []): void {
  app.addHook('onRoute', (route) => {
    if (!route.config?.policy && publicPrefixes.some((p) => route.url === p || route.url.startsWith(`${p}/`))) {
      route.config = { ...route.config, policy: { public: true } } as typeof route.config
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      const policy = route.config?.policy
      if (!policy) {
        registry.missing.push(`${method} ${route.url}`)
        continue
      }
      registry.entries.push({ method, url: route.url, policy })
    }
  })
  app.addHook('onReady', async () => {
    if (registry.missing.length > 0) {
      throw new Error(`routes without an access policy (deny by default): ${registry.missing.join(', ')}`)
    }
  })
  // preValidation, before the body is checked: a caller without the right gets 401/403, never a
  // validation message about a request they may not make. (Registered before the CSRF check.)
  // A callback, not an async function: it awaits nothing, and a promise a request costs more.
  app.addHook('preValidation', (request: FastifyRequest, _reply, done) => {
    const policy = request.routeOptions.config?.policy
    // Fastify's own 404 handler has no policy; it answers 404 anyway.
    if (!policy) return request.is404 ? done() : done(forbidden())
    const verdict = isAllowed(policy, request.principal)
    if (verdict === 'login') return done(unauthenticated())
    if (verdict === 'deny') return done(forbidden())
    if (
      request.principal?.mustChangePassword &&
      !('public' in policy) &&
      !request.routeOptions.config?.whilePasswordExpired
    ) {
      return done(passwordChangeRequired())
    }
    done()
  })
}
