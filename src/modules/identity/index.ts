/**
 * Identity: people, accounts, staff, departments, sessions and login (统一身份认证).
 * Other modules use the principal on the request and these functions.
 */
import type { Deps } from '../../platform/deps.js'
import { cookieName } from '../../platform/http/security.js'
import type { AppModule } from '../../platform/module.js'
import { registerAdminRoutes } from './identity.admin.routes.js'
import { seedEnterprises } from './identity.enterprises.js'
import { registerEnterpriseRoutes } from './identity.enterprises.routes.js'
import { registerIdentityRoutes, SESSION_COOKIE_BASE } from './identity.routes.js'
import { seedIdentity } from './identity.seed.js'
import { principalForToken } from './identity.service.js'
import { registerVerifyRoutes } from './identity.verify.routes.js'

export {
  type AccountClaims,
  accountClaims,
  departmentChoices,
  departmentIdByCode,
  departmentName,
  endPlatformSession,
  platformSessionInfo,
} from './identity.claims.js'
export {
  type DepartmentInfo,
  findDepartmentInfo,
  findDepartmentInfoByCode,
  listDepartmentInfos,
} from './identity.departments.js'
export {
  applicantDisplayName,
  consoleStaffPrincipal,
  departmentIdOfCode,
  departmentNames,
  enterpriseByCreditCode,
  enterpriseHolder,
  enterpriseNames,
  holderContact,
  type PersonSummary,
  type PrefillProfile,
  personByIdNumberIndex,
  personHasMobile,
  personHolder,
  personSummaries,
  personSummary,
  prefillProfile,
  type StaffRecipient,
  type StaffRef,
  servicePointNames,
  staffNames,
  staffRecipients,
  staffRefs,
  staffWithRole,
} from './identity.directory.js'
export {
  type ActingOption,
  canActFor,
  ENTERPRISE_KINDS,
  ENTERPRISES_VERIFY,
  listActingOptions,
} from './identity.enterprises.js'
export {
  type ActingRight,
  actingAsLabel,
  actingFor,
  actingRight,
  ownPerson,
  requireAssurance,
  sameDepartment,
  sameDepartmentOrParent,
  sameServicePoint,
  validateActingEnterprise,
} from './identity.policy.js'
export { permissionsOf, ROLES, type RoleCode, roleName } from './identity.roles.js'
export { hashPassword } from './identity.service.js'
export { lookUpPerson } from './identity.verify.js'

/** The name of the platform session cookie, for modules that end a session (the kiosk). */
export function sessionCookieName(secure: boolean): string {
  return cookieName(SESSION_COOKIE_BASE, secure)
}

export function createIdentityModule(deps: Deps): AppModule {
  const sessionCookie = cookieName(SESSION_COOKIE_BASE, deps.config.secureCookies)
  return {
    name: 'identity',
    nav: [
      { href: '/login', label: '登录', order: 100, visible: (p) => !p },
      { href: '/my/account', label: '我的账号', order: 90, visible: (p) => Boolean(p) },
      { href: '/my/enterprises', label: '我的企业', order: 85, visible: (p) => Boolean(p?.personId && !p.staffId) },
      {
        href: '/staff/persons',
        label: '身份核验',
        order: 70,
        visible: (p) => Boolean(p?.permissions.has('persons.lookup')),
      },
      {
        href: '/admin/staff',
        label: '系统管理',
        order: 95,
        visible: (p) => Boolean(p?.permissions.has('admin.staff')),
      },
    ],
    register: (app) => {
      registerIdentityRoutes(app, deps)
      registerEnterpriseRoutes(app, deps)
      registerAdminRoutes(app, deps)
      registerVerifyRoutes(app, deps)
    },
    seed: async (report, progress) => {
      await seedIdentity(deps, report, progress)
      await seedEnterprises(deps, report, progress)
    },
    resolvePrincipal: async (request) => {
      const token = request.cookies?.[sessionCookie]
      return token ? principalForToken(deps, token) : undefined
    },
  }
}
