/**
 * The part of oidc-provider (v9, which ships no type definitions) that the sso module uses.
 * Written from the library's source; extend it when more of the API is needed.
 */
declare module 'oidc-provider' {
  import type { EventEmitter } from 'node:events'
  import type { IncomingMessage, ServerResponse } from 'node:http'

  export type UnknownObject = Record<string, unknown>

  export interface AdapterPayload extends UnknownObject {
    jti?: string
    grantId?: string
    userCode?: string
    uid?: string
    consumed?: unknown
    exp?: number
    iat?: number
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>
    find(id: string): Promise<AdapterPayload | undefined>
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>
    findByUid(uid: string): Promise<AdapterPayload | undefined>
    consume(id: string): Promise<void>
    destroy(id: string): Promise<void>
    revokeByGrantId(grantId: string): Promise<void>
  }

  export interface ClientMetadata extends UnknownObject {
    client_id: string
    client_secret?: string
    client_name?: string
    redirect_uris?: string[]
    post_logout_redirect_uris?: string[]
    grant_types?: string[]
    response_types?: string[]
    token_endpoint_auth_method?: string
    scope?: string
    application_type?: 'web' | 'native'
  }

  export interface Client {
    clientId: string
    clientName?: string
    redirectUris?: string[]
    postLogoutRedirectUris?: string[]
    scope?: string
    clientAuthMethod: string
    grantTypeAllowed(type: string): boolean
    [extra: string]: unknown
  }

  export interface Grant {
    jti: string
    accountId?: string
    clientId?: string
    addOIDCScope(scope: string): void
    getOIDCScope(): string
    addOIDCClaims(claims: string[]): void
    addResourceScope(resource: string, scope: string): void
    save(ttl?: number): Promise<string>
  }

  export interface Session {
    uid: string
    accountId?: string
    destroyed?: boolean
    state?: UnknownObject & { secret?: string; postLogoutRedirectUri?: string; clientId?: string }
  }

  export interface PromptDetail {
    name: 'login' | 'consent' | string
    reasons: string[]
    details: UnknownObject
  }

  export interface Interaction {
    uid: string
    iat: number
    exp: number
    prompt: PromptDetail
    params: UnknownObject & { client_id?: string; scope?: string; redirect_uri?: string }
    session?: { accountId: string; uid: string }
    grantId?: string
    returnTo: string
  }

  export interface InteractionResults extends UnknownObject {
    login?: { accountId: string; ts?: number; amr?: string[]; acr?: string; remember?: boolean }
    consent?: { grantId?: string }
    error?: string
    error_description?: string
  }

  export interface BaseTokenLike {
    accountId?: string
    clientId?: string
    sessionUid?: string
    grantId?: string
    scope?: string
  }

  export interface OIDCContext {
    route?: string
    params?: UnknownObject
    client?: Client
    session?: Session
    entities: UnknownObject
    urlFor(name: string, opt?: UnknownObject): string
  }

  export interface KoaContextWithOIDC {
    req: IncomingMessage
    res: ServerResponse
    oidc: OIDCContext
    state: UnknownObject
    status: number
    body: unknown
    type: string
    method: string
    path: string
    /** Sets a response header. */
    set(name: string, value: string): void
    /** Reads a request header (the response's are on `response`). */
    get(name: string): string
    response: { get(name: string): string }
  }

  export interface Account {
    accountId: string
    claims(use: string, scope: string, claims: UnknownObject, rejected: string[]): Promise<UnknownObject>
  }

  export type FindAccount = (
    ctx: KoaContextWithOIDC,
    sub: string,
    token?: BaseTokenLike,
  ) => Promise<Account | undefined>

  export interface ErrorOut extends UnknownObject {
    error: string
    error_description?: string
  }

  export interface JWK extends UnknownObject {
    kty: string
    kid?: string
    alg?: string
    use?: string
  }

  export type Configuration = UnknownObject & {
    adapter?: (name: string) => Adapter
    findAccount?: FindAccount
    jwks?: { keys: JWK[] }
  }

  export class Check {
    constructor(
      reason: string,
      description: string,
      error: string,
      check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>,
    )
    static REQUEST_PROMPT: true
    static NO_NEED_TO_PROMPT: false
  }

  export interface Prompt {
    name: string
    checks: Check[] & { add(check: Check, index?: number): void }
  }

  export interface Policy extends Array<Prompt> {
    get(name: string): Prompt | undefined
  }

  export const interactionPolicy: {
    Check: typeof Check
    base(): Policy
  }

  export class Provider extends EventEmitter {
    constructor(issuer: string, configuration?: Configuration)
    readonly issuer: string
    proxy: boolean
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): this
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>
    readonly Client: { find(id: string): Promise<Client | undefined> }
    readonly Grant: {
      new (properties: { accountId: string; clientId: string }): Grant
      find(id: string): Promise<Grant | undefined>
    }
    readonly Session: { findByUid(uid: string): Promise<Session | undefined> }
  }

  export default Provider
}
