/**
 * Roles and the permissions they group. A staff member may hold several roles; permissions
 * are checked by routes (`config.policy`) and by module policies. The three administrators
 * are separate (等保 三员分立): the system admin cannot read or alter audit records, the audit
 * admin can only read them, the security admin manages keys and security settings.
 */
export const ROLES = {
  window_clerk: {
    name: '窗口受理人员',
    permissions: ['applications.receive', 'applications.accept', 'applications.file_for_walk_in', 'persons.lookup'],
  },
  reviewer: { name: '审核人员', permissions: ['applications.review', 'tasks.handle'] },
  approver: {
    name: '审批负责人',
    permissions: [
      'applications.review',
      'tasks.handle',
      'applications.decide',
      'clock.extend',
      'licenses.issue',
      'licenses.revoke',
    ],
  },
  supervisor: {
    name: '督查人员',
    permissions: ['supervision.read', 'supervision.handle', 'statistics.read', 'ratings.appeal_decide'],
  },
  village_agent: { name: '村居代办员', permissions: ['applications.file_by_proxy', 'persons.lookup'] },
  item_admin: { name: '事项管理员', permissions: ['catalog.edit'] },
  catalog_reviewer: { name: '事项审核人员', permissions: ['catalog.review'] },
  sys_admin: {
    name: '系统管理员',
    permissions: ['admin.staff', 'admin.departments', 'admin.calendar', 'admin.clients'],
  },
  security_admin: { name: '安全管理员', permissions: ['security.keys', 'security.settings', 'security.sessions'] },
  audit_admin: { name: '审计管理员', permissions: ['audit.read'] },
} as const satisfies Record<string, { name: string; permissions: readonly string[] }>

export type RoleCode = keyof typeof ROLES

export function isRole(code: string): code is RoleCode {
  return Object.hasOwn(ROLES, code)
}

export function permissionsOf(roles: readonly string[]): Set<string> {
  const out = new Set<string>()
  for (const role of roles) {
    if (isRole(role)) for (const p of ROLES[role].permissions) out.add(p)
  }
  return out
}

export function roleName(code: string): string {
  return isRole(code) ? ROLES[code].name : code
}
