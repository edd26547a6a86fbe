import { type Static, Type } from 'typebox'

export const InteractionParams = Type.Object({
  uid: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }),
})
export type InteractionParams = Static<typeof InteractionParams>

/** 同意 / 拒绝 on the consent page. */
export const ConsentForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  decision: Type.Union([Type.Literal('approve'), Type.Literal('deny')]),
})
export type ConsentForm = Static<typeof ConsentForm>

export const ClientIdParams = Type.Object({
  clientId: Type.String({ pattern: '^[a-z][a-z0-9-]{2,63}$' }),
})
export type ClientIdParams = Static<typeof ClientIdParams>

export const ClientPageQuery = Type.Object({
  done: Type.Optional(Type.Literal('deactivated')),
})
export type ClientPageQuery = Static<typeof ClientPageQuery>

/** 登记接入系统. Check boxes arrive as one value or several; the schema makes them lists. */
export const ClientForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  name: Type.String({ maxLength: 200 }),
  clientId: Type.String({ maxLength: 100 }),
  departmentId: Type.Optional(Type.String({ maxLength: 64 })),
  authMethod: Type.Optional(Type.String({ maxLength: 40 })),
  redirectUris: Type.Optional(Type.String({ maxLength: 10_000 })),
  postLogoutRedirectUris: Type.Optional(Type.String({ maxLength: 10_000 })),
  scopes: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
  grantTypes: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 })),
  fullIdNumberAllowed: Type.Optional(Type.Array(Type.Literal('1'), { maxItems: 1 })),
})
export type ClientForm = Static<typeof ClientForm>

export const CsrfOnlyForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
})
