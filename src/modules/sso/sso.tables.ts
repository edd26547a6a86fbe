import type { Flag } from '../../platform/db/schema.js'

/** One stored oidc-provider model instance (Session, AccessToken, Grant, …); see sso.adapter.ts. */
export interface OidcModelTable {
  kind: string
  id: string
  /** The model's payload as JSON text. */
  payload: string
  grantId: string | null
  userCode: string | null
  uid: string | null
  expiresAt: string | null
  consumedAt: string | null
}

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none'

/** A department system allowed to use single sign-on (an OpenID Connect relying party). */
export interface OidcClientTable {
  clientId: string
  name: string
  departmentId: string | null
  tokenEndpointAuthMethod: ClientAuthMethod
  /** SM4-encrypted client secret (FieldCrypto); null for public clients. */
  secretEnc: string | null
  /** SHA-256 (hex) of the secret: a fingerprint, never enough to authenticate. */
  secretSha256: string | null
  /** JSON arrays as text. */
  redirectUris: string
  postLogoutRedirectUris: string
  scopes: string
  grantTypes: string
  fullIdNumberAllowed: Flag
  active: Flag
  createdAt: string
  createdBy: string | null
  updatedAt: string
  updatedBy: string | null
  secretRotatedAt: string | null
}

/** A signing key of the provider's JWKS; the private half is encrypted with FieldCrypto. */
export interface OidcKeyTable {
  slot: string
  kid: string
  alg: string
  publicJwk: string
  privateJwkEnc: string
  active: Flag
  createdAt: string
}

declare module '../../platform/db/schema.js' {
  interface Database {
    oidcModels: OidcModelTable
    oidcClients: OidcClientTable
    oidcKeys: OidcKeyTable
  }
}
