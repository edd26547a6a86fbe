import { DomainError } from '../../platform/http/errors.js'

export const ratingApplicationNotFound = () =>
  new DomainError('RATING_APPLICATION_NOT_FOUND', 'not_found', '找不到这个办件。')

export const notYetRatable = (stateName: string) =>
  new DomainError(
    'RATING_NOT_YET',
    'conflict',
    `办件当前状态为「${stateName}」。办结或不予受理之后才能评价，请在办结后再来评价。`,
  )

export const alreadyRated = () =>
  new DomainError(
    'RATING_ALREADY_GIVEN',
    'conflict',
    '这个办件已经评价过了（一事一评），不能再次评价。可以追加一次补充评价。',
  )

export const visitAlreadyRated = () =>
  new DomainError('RATING_VISIT_ALREADY_GIVEN', 'conflict', '这次窗口服务已经评价过了，谢谢。')

export const ratingNotFound = () => new DomainError('RATING_NOT_FOUND', 'not_found', '这个办件还没有评价。')

export const alreadySupplemented = () =>
  new DomainError('RATING_ALREADY_SUPPLEMENTED', 'conflict', '补充评价只能追加一次，您已经追加过了。')

export const rectificationNotFound = () =>
  new DomainError('RECTIFICATION_NOT_FOUND', 'not_found', '找不到这条差评整改记录。')

export const otherDepartment = () =>
  new DomainError(
    'RECTIFICATION_OTHER_DEPARTMENT',
    'forbidden',
    '这条差评整改不属于您所在的部门（谁办理谁负责），您不能查看或处理。',
  )

export const wrongState = (stateName: string, verb: string) =>
  new DomainError('RECTIFICATION_INVALID_TRANSITION', 'conflict', `这条差评整改当前为「${stateName}」，不能${verb}。`)

export const changedMeanwhile = () =>
  new DomainError(
    'RECTIFICATION_CHANGED',
    'conflict',
    '这条差评整改刚刚被其他人处理过，请刷新页面查看最新状态后再操作。',
  )

export const windowOtherDepartment = () =>
  new DomainError(
    'RATING_WINDOW_OTHER_DEPARTMENT',
    'forbidden',
    '这个办件不是本部门办理的，不能在本窗口的评价器上评价。',
  )
