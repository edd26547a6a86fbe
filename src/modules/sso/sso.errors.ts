import { DomainError } from '../../platform/http/errors.js'

export const clientNotFound = () =>
  new DomainError('SSO_CLIENT_NOT_FOUND', 'not_found', '找不到这个接入系统，可能链接有误或已被删除。')

export const clientInactive = () =>
  new DomainError('SSO_CLIENT_INACTIVE', 'conflict', '这个接入系统已停用，不能再更换密钥。')

export const clientIsPublic = () =>
  new DomainError('SSO_CLIENT_PUBLIC', 'conflict', '这个接入系统是公开客户端（使用 PKCE），没有密钥可以更换。')

export const interactionExpired = () =>
  new DomainError(
    'SSO_INTERACTION_EXPIRED',
    'bad_request',
    '这次登录请求已经过期或无效。请回到您要使用的业务系统，重新点击“登录”。',
  )
