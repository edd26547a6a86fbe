import { DomainError } from '../../platform/http/errors.js'

export const messageNotFound = () =>
  new DomainError('MESSAGE_NOT_FOUND', 'not_found', '找不到这条消息，可能链接有误或消息不属于您。')

export const notAPerson = () =>
  new DomainError('MESSAGES_PERSON_ONLY', 'forbidden', '消息中心只面向个人用户，当前账号没有对应的个人信息。')
