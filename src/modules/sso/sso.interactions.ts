/**
 * Deciding an SSO interaction: is the platform login good enough for this request (prompt=login,
 * max_age), which scopes must the person approve, and what result goes back to oidc-provider.
 */
import type { Client, Interaction, InteractionResults, Provider } from 'oidc-provider'
import type { Principal } from '../../platform/auth/principal.js'
import type { Deps } from '../../platform/deps.js'
import { platformSessionInfo } from '../identity/index.js'
import { isScope, SCOPES, type ScopeInfo, type ScopeName } from './sso.scopes.js'
import { scopesToAsk } from './sso.service.js'

export interface InteractionPlan {
  client: Client
  /** The login to report, when oidc-provider asked for one; undefined when not asked. */
  login?: NonNullable<InteractionResults['login']>
  /** The person must log in (again) on the platform first. */
  needsLogin: boolean
  /** Requested scopes this system may have. */
  requested: ScopeName[]
  /** Of those, the ones the person must approve now. */
  ask: ScopeName[]
}

/**
 * Plans the answer to an interaction for the logged-in person.
 * Returns undefined when the interaction no longer fits (unknown client, another account's SSO
 * session): the person should start again from the department system.
 */
export async function planInteraction(
  deps: Deps,
  provider: Provider,
  principal: Principal,
  details: Interaction,
): Promise<InteractionPlan | undefined> {
  const client = await provider.Client.find(String(details.params.client_id ?? ''))
  if (!client) return undefined
  const loginAsked = details.prompt.name === 'login'
  if (!loginAsked && details.session?.accountId !== principal.accountId) return undefined

  let login: InteractionPlan['login']
  let needsLogin = false
  if (loginAsked) {
    const session = await platformSessionInfo(deps, principal.sessionId)
    const startedMs = session ? Date.parse(session.startedAt) : Number.NaN
    const maxAge = Number(details.params.max_age)
    // prompt=login asks for a login after the request began; max_age for a recent enough one.
    const stale =
      !session ||
      (details.prompt.reasons.includes('login_prompt') && startedMs < details.iat * 1000) ||
      (Number.isFinite(maxAge) && Date.now() - startedMs > maxAge * 1000)
    if (stale) needsLogin = true
    else {
      login = {
        accountId: principal.accountId,
        ts: Math.floor(startedMs / 1000),
        amr: session.secondFactorAt ? ['pwd', 'otp'] : ['pwd'],
        // The SSO session lives as long as the browser, like the platform's session cookie.
        remember: false,
      }
    }
  }

  const allowed = new Set((client.scope ?? '').split(' '))
  const requested = [...new Set(String(details.params.scope ?? '').split(' '))]
    .filter(isScope)
    .filter((s) => allowed.has(s) && !(SCOPES[s] as ScopeInfo).system)
  const grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined
  const granted =
    grant && grant.accountId === principal.accountId ? new Set(grant.getOIDCScope().split(' ')) : new Set<string>()
  // An explicit prompt=consent from the system asks for everything again.
  const explicit = String(details.params.prompt ?? '')
    .split(' ')
    .includes('consent')
  const ask = scopesToAsk({
    firstParty: Boolean(client.department_id) && !explicit,
    requested,
    granted: explicit ? new Set() : granted,
  })
  return { client, login, needsLogin, requested, ask }
}

/** Records the person's approval as a grant and gives the result for oidc-provider. */
export async function approve(
  provider: Provider,
  principal: Principal,
  details: Interaction,
  plan: InteractionPlan,
): Promise<InteractionResults> {
  let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined
  if (grant && grant.accountId !== principal.accountId) grant = undefined
  grant ??= new provider.Grant({ accountId: principal.accountId, clientId: plan.client.clientId })
  if (plan.requested.length > 0) grant.addOIDCScope(plan.requested.join(' '))
  const grantId = await grant.save()
  return { ...(plan.login ? { login: plan.login } : {}), consent: { grantId } }
}

export const DENIED: InteractionResults = {
  error: 'access_denied',
  error_description: 'End-User denied the request',
}
