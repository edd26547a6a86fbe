import { DomainError } from '../../platform/http/errors.js'

export const cardNotFound = () => new DomainError('WARNING_CARD_NOT_FOUND', 'not_found', '没有找到这张预警牌。')

export const cardOtherDepartment = () =>
  new DomainError('WARNING_CARD_OTHER_DEPARTMENT', 'forbidden', '这张预警牌属于其他部门，只能由该部门说明。')

export const cardAlreadyAcknowledged = () =>
  new DomainError('WARNING_CARD_ACKNOWLEDGED', 'conflict', '这张预警牌已经签收并说明过，说明不能修改。')

export const invalidPeriod = (message: string) =>
  new DomainError('SUPERVISION_INVALID_PERIOD', 'invalid', message, [{ field: 'period', message }])
