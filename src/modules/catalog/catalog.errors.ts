import { DomainError } from '../../platform/http/errors.js'

export const itemNotFound = () => new DomainError('ITEM_NOT_FOUND', 'not_found', '找不到这个事项。')
export const versionNotFound = () => new DomainError('ITEM_VERSION_NOT_FOUND', 'not_found', '找不到这个事项版本。')

const stateNames: Record<string, string> = {
  draft: '草稿',
  in_review: '待审核',
  published: '已发布',
  superseded: '已被新版本替代',
  withdrawn: '已撤销',
}

export const stateName = (state: string) => stateNames[state] ?? state

export const wrongState = (action: string, state: string) =>
  new DomainError('ITEM_INVALID_TRANSITION', 'conflict', `事项版本当前为「${stateName(state)}」，不能${action}。`)

export const openVersionExists = () =>
  new DomainError('ITEM_OPEN_VERSION_EXISTS', 'conflict', '该事项已有一个未发布的新版本，请先完成或放弃它。')

export const notOwnDepartment = () => new DomainError('ITEM_OTHER_DEPARTMENT', 'forbidden', '只能编辑本部门的事项。')

export const taskCodeTaken = (code: string) =>
  new DomainError('ITEM_TASK_CODE_TAKEN', 'conflict', `实施编码 ${code} 已被其他事项使用。`, [
    { field: 'taskCode', message: '实施编码已被使用' },
  ])

export const codesChanged = () =>
  new DomainError('ITEM_CODES_CHANGED', 'invalid', '新版本不能改变事项的基本编码和实施编码；编码不同就是另一个事项。', [
    { field: 'taskCode', message: '编码不能改变' },
  ])
