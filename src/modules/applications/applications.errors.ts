import { DomainError } from '../../platform/http/errors.js'
import { STATE_NAMES } from './applications.states.js'
import type { ApplicationState } from './applications.tables.js'

export const applicationNotFound = () => new DomainError('APPLICATION_NOT_FOUND', 'not_found', '找不到这个办件。')

export const invalidTransition = (no: string | null, state: ApplicationState, verb: string) =>
  new DomainError(
    'APPLICATION_INVALID_TRANSITION',
    'conflict',
    `办件${no ? ` ${no}` : ''}当前状态为「${STATE_NAMES[state]}」，不能${verb}。`,
  )

export const changedMeanwhile = () =>
  new DomainError('APPLICATION_CHANGED', 'conflict', '这个办件刚刚被其他人处理过，请刷新页面查看最新状态后再操作。')

export const notYourApplication = () => new DomainError('APPLICATION_NOT_FOUND', 'not_found', '找不到这个办件。')

export const otherDepartment = () =>
  new DomainError('APPLICATION_OTHER_DEPARTMENT', 'forbidden', '这个办件不属于您所在的部门，您不能查看或办理。')

export const itemNotOffered = () =>
  new DomainError('ITEM_NOT_OFFERED', 'conflict', '这个事项目前不能在网上申请（未发布或已撤销）。')

export const notOnline = () =>
  new DomainError('ITEM_NOT_ONLINE', 'conflict', '这个事项暂不支持网上申请，请按办事指南到窗口办理。')

export const taskNotFound = () => new DomainError('TASK_NOT_FOUND', 'not_found', '找不到这个办理环节。')

export const taskNotYours = () => new DomainError('TASK_NOT_YOURS', 'forbidden', '这个办理环节不属于您的部门或岗位。')

export const taskWrongState = (verb: string) =>
  new DomainError('TASK_INVALID_TRANSITION', 'conflict', `这个办理环节当前不能${verb}，请刷新页面查看最新状态。`)
