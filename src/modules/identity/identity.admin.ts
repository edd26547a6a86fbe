/**
 * Staff administration for the system administrator (系统管理员): staff accounts, their roles,
 * departments' sub-units (科室) and the service points.
 *
 * Rules:
 * - 三员分立 (GB/T 22239-2019 level 3): the system, security and audit administrators are
 *   different people, so nobody holds two of those roles; a system administrator cannot grant
 *   themself the audit or security administrator role; the system administrator cannot read
 *   audit records (the role has no `audit.read`).
 * - Department scope: an administrator of the platform's operator (区政务服务中心, code
 *   DISTRICT_ADMIN_DEPARTMENT_CODE) manages every department; any other administrator manages
 *   their own department and its sub-units only.
 * - Each change runs in one transaction with one audit entry (`identity.staff_create`,
 *   `identity.role_grant`, `identity.role_revoke`, `identity.staff_deactivate`,
 *   `identity.department_create`).
 */
import { randomInt } from 'node:crypto'
import { appendAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { type DbOrTrx, transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import { checkNewPassword } from './identity.password.js'
import { sameDepartmentOrParent } from './identity.policy.js'
import { isRole, ROLES, type RoleCode, roleName } from './identity.roles.js'
import { hashPassword } from './identity.service.js'
import type { DepartmentTable } from './identity.tables.js'

/** The department whose administrators manage all departments: the platform's operator. */
export const DISTRICT_ADMIN_DEPARTMENT_CODE = 'zwfw'

/** 三员: no two of these on one person. */
export const SEPARATED_ADMIN_ROLES: readonly RoleCode[] = ['sys_admin', 'security_admin', 'audit_admin']
/** What a system administrator may never grant themself. */
export const NO_SELF_GRANT_ROLES: readonly RoleCode[] = ['audit_admin', 'security_admin']

export const STAFF_PAGE_SIZE = 20

const LOGIN_NAME = /^[a-z][a-z0-9._-]{2,31}$/
const EMPLOYEE_NO = /^[A-Za-z0-9-]{2,20}$/
const DEPARTMENT_CODE = /^[a-z][a-z0-9_-]{1,31}$/
const PERSON_NAME = /^[\p{Script=Han}·•A-Za-z ]{2,30}$/u

// ---------------------------------------------------------------------------------------------
// Errors

export const staffNotFound = () => new DomainError('STAFF_NOT_FOUND', 'not_found', '找不到这名工作人员。')

export const departmentNotFoundById = () => new DomainError('DEPARTMENT_NOT_FOUND', 'not_found', '找不到这个部门。')

export const outsideDepartment = () =>
  new DomainError(
    'ADMIN_OTHER_DEPARTMENT',
    'forbidden',
    '您只能管理本部门及其下属科室的工作人员和机构；其他部门请联系区政务服务中心的系统管理员。',
  )

export const notAdmin = () => new DomainError('FORBIDDEN', 'forbidden', '只有系统管理员可以进行此操作。')

export const separationOfDuties = (message: string) =>
  new DomainError('ADMIN_SEPARATION_OF_DUTIES', 'conflict', message)

export interface RequestContext {
  ip?: string
  requestId?: string
}

const contextOf = (context: RequestContext) => ({
  sourceIp: context.ip ?? null,
  requestId: context.requestId ?? null,
})

// ---------------------------------------------------------------------------------------------
// Scope

export interface AdminScope {
  /** Manages every department. */
  districtWide: boolean
  /** The departments managed when not district-wide: own department and its sub-units. */
  departmentIds: ReadonlySet<string>
}

/** Which departments this administrator manages. */
export async function adminScope(db: DbOrTrx, principal: Principal): Promise<AdminScope> {
  if (!principal.staffId || !principal.departmentId) return { districtWide: false, departmentIds: new Set() }
  const own = await db
    .selectFrom('departments')
    .select(['id', 'code'])
    .where('id', '=', principal.departmentId)
    .executeTakeFirst()
  if (!own) return { districtWide: false, departmentIds: new Set() }
  if (own.code === DISTRICT_ADMIN_DEPARTMENT_CODE) return { districtWide: true, departmentIds: new Set() }
  const children = await db.selectFrom('departments').select('id').where('parentId', '=', own.id).execute()
  return { districtWide: false, departmentIds: new Set([own.id, ...children.map((c) => c.id)]) }
}

/** May this administrator manage records of this department? (own, a sub-unit of own, or district-wide) */
export function manages(
  scope: AdminScope,
  principal: Principal,
  department: Pick<DepartmentTable, 'id' | 'parentId'>,
): boolean {
  return scope.districtWide || scope.departmentIds.has(department.id) || sameDepartmentOrParent(principal, department)
}

function requirePermission(principal: Principal, permission: string): void {
  if (!principal.staffId || !principal.permissions.has(permission)) throw notAdmin()
}

// ---------------------------------------------------------------------------------------------
// Staff list and detail

export interface StaffFilters {
  departmentId?: string
  /** Part of the name, the employee number or the login name. */
  q?: string
  role?: string
  status?: 'active' | 'inactive' | 'all'
  page?: number
}

export interface StaffRow {
  id: string
  name: string
  employeeNo: string
  loginName: string | null
  departmentId: string
  departmentName: string
  servicePointName: string | null
  position: string | null
  active: boolean
  roles: string[]
}

export interface StaffList {
  items: StaffRow[]
  page: number
  pageSize: number
  total: number
  pageCount: number
}

/** Staff the administrator manages, filtered, by department then name, a page at a time. */
export async function listStaff(db: DbOrTrx, principal: Principal, filters: StaffFilters = {}): Promise<StaffList> {
  requirePermission(principal, 'admin.staff')
  const scope = await adminScope(db, principal)
  const page = Math.max(1, Math.floor(filters.page ?? 1))
  let query = db
    .selectFrom('staff')
    .innerJoin('departments', 'departments.id', 'staff.departmentId')
    .innerJoin('accounts', 'accounts.id', 'staff.accountId')
    .leftJoin('servicePoints', 'servicePoints.id', 'staff.servicePointId')
  if (!scope.districtWide) {
    const ids = [...scope.departmentIds]
    if (ids.length === 0) return { items: [], page, pageSize: STAFF_PAGE_SIZE, total: 0, pageCount: 1 }
    query = query.where('staff.departmentId', 'in', ids)
  }
  if (filters.departmentId) query = query.where('staff.departmentId', '=', filters.departmentId)
  const status = filters.status ?? 'active'
  if (status !== 'all') query = query.where('staff.active', '=', status === 'active' ? 1 : 0)
  // LIKE wildcards typed by the administrator are dropped rather than escaped (the dialects
  // escape differently); names, numbers and login names never contain them.
  const q = filters.q
    ?.normalize('NFKC')
    .replace(/[\\%_]/g, '')
    .trim()
  if (q) {
    query = query.where((eb) =>
      eb.or([
        eb('staff.name', 'like', `%${q}%`),
        eb('staff.employeeNo', 'like', `%${q.toUpperCase()}%`),
        eb('accounts.loginName', 'like', `%${q.toLowerCase()}%`),
      ]),
    )
  }
  if (filters.role) {
    const role = filters.role
    query = query.where('staff.id', 'in', (eb) =>
      eb.selectFrom('staffRoles').select('staffRoles.staffId').where('staffRoles.role', '=', role),
    )
  }
  const total = Number((await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const rows = await query
    .select([
      'staff.id as id',
      'staff.name as name',
      'staff.employeeNo as employeeNo',
      'accounts.loginName as loginName',
      'staff.departmentId as departmentId',
      'departments.name as departmentName',
      'servicePoints.name as servicePointName',
      'staff.position as position',
      'staff.active as active',
    ])
    .orderBy('departments.sortOrder')
    .orderBy('departments.name')
    .orderBy('staff.name')
    .orderBy('staff.id')
    .limit(STAFF_PAGE_SIZE)
    .offset((page - 1) * STAFF_PAGE_SIZE)
    .execute()
  const roles = await rolesOf(
    db,
    rows.map((r) => r.id),
  )
  return {
    items: rows.map((r) => ({ ...r, active: r.active === 1, roles: roles.get(r.id) ?? [] })),
    page,
    pageSize: STAFF_PAGE_SIZE,
    total,
    pageCount: Math.max(1, Math.ceil(total / STAFF_PAGE_SIZE)),
  }
}

async function rolesOf(db: DbOrTrx, staffIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  if (staffIds.length === 0) return out
  const rows = await db
    .selectFrom('staffRoles')
    .select(['staffId', 'role'])
    .where('staffId', 'in', staffIds)
    .orderBy('role')
    .execute()
  for (const r of rows) out.set(r.staffId, [...(out.get(r.staffId) ?? []), r.role])
  return out
}

export interface StaffDetail extends StaffRow {
  servicePointId: string | null
  createdAt: string
  /** Whose the page is: the administrator themself. */
  isSelf: boolean
  /** Roles this administrator may grant to this person now. */
  grantable: { code: string; name: string }[]
}

async function loadManagedStaff(db: DbOrTrx, principal: Principal, staffId: string) {
  const staff = await db.selectFrom('staff').selectAll().where('id', '=', staffId).executeTakeFirst()
  if (!staff) throw staffNotFound()
  const department = await db
    .selectFrom('departments')
    .selectAll()
    .where('id', '=', staff.departmentId)
    .executeTakeFirstOrThrow()
  if (!manages(await adminScope(db, principal), principal, department)) throw outsideDepartment()
  return { staff, department }
}

/**
 * One staff member, for an administrator who manages their department.
 * @throws STAFF_NOT_FOUND (404); ADMIN_OTHER_DEPARTMENT (403)
 */
export async function staffDetail(db: DbOrTrx, principal: Principal, staffId: string): Promise<StaffDetail> {
  requirePermission(principal, 'admin.staff')
  const { staff, department } = await loadManagedStaff(db, principal, staffId)
  const [account, point, roles] = await Promise.all([
    db.selectFrom('accounts').select('loginName').where('id', '=', staff.accountId).executeTakeFirst(),
    staff.servicePointId
      ? db.selectFrom('servicePoints').select('name').where('id', '=', staff.servicePointId).executeTakeFirst()
      : undefined,
    rolesOf(db, [staff.id]),
  ])
  const held = roles.get(staff.id) ?? []
  const isSelf = staff.id === principal.staffId
  return {
    id: staff.id,
    name: staff.name,
    employeeNo: staff.employeeNo,
    loginName: account?.loginName ?? null,
    departmentId: staff.departmentId,
    departmentName: department.name,
    servicePointId: staff.servicePointId,
    servicePointName: point?.name ?? null,
    position: staff.position,
    active: staff.active === 1,
    roles: held,
    createdAt: staff.createdAt,
    isSelf,
    grantable: (Object.keys(ROLES) as RoleCode[])
      .filter((code) => !held.includes(code) && !roleConflict(held, code, isSelf))
      .map((code) => ({ code, name: roleName(code) })),
  }
}

// ---------------------------------------------------------------------------------------------
// 三员分立

/**
 * Why `role` may not be added to `held` (a Chinese sentence), or undefined when it may.
 * `self`: the administrator is granting it to themself.
 */
export function roleConflict(held: readonly string[], role: string, self: boolean): string | undefined {
  if (self && (NO_SELF_GRANT_ROLES as readonly string[]).includes(role)) {
    return `三员分立：系统管理员不能给自己授予「${roleName(role)}」角色，须由其他人员担任。`
  }
  if ((SEPARATED_ADMIN_ROLES as readonly string[]).includes(role)) {
    const other = held.find((r) => r !== role && (SEPARATED_ADMIN_ROLES as readonly string[]).includes(r))
    if (other) {
      return `三员分立：系统管理员、安全管理员、审计管理员须由不同人员担任。此人已是「${roleName(other)}」，不能再担任「${roleName(role)}」。`
    }
  }
  return undefined
}

/** The first conflict inside a whole set of roles (for a new account), or undefined. */
export function roleSetConflict(roles: readonly string[]): string | undefined {
  const admins = roles.filter((r) => (SEPARATED_ADMIN_ROLES as readonly string[]).includes(r))
  if (admins.length > 1) {
    return `三员分立：系统管理员、安全管理员、审计管理员须由不同人员担任，不能同时授予「${admins.map(roleName).join('」和「')}」。`
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Creating staff

export interface NewStaff {
  name: string
  employeeNo: string
  loginName: string
  departmentId: string
  servicePointId?: string
  position?: string
  roles: readonly string[]
  /** generate: a random one-time password shown once; set: the administrator types one. */
  passwordMode: 'generate' | 'set'
  password?: string
}

const PASSWORD_SETS = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789', '@#%+=?!*'] as const

/** A random 16-character password with every character class (no look-alikes such as 0/O, 1/l). */
export function generateInitialPassword(length = 16): string {
  const all = PASSWORD_SETS.join('')
  const chars = PASSWORD_SETS.map((set) => set[randomInt(set.length)]!)
  while (chars.length < length) chars.push(all[randomInt(all.length)]!)
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[chars[i], chars[j]] = [chars[j]!, chars[i]!]
  }
  return chars.join('')
}

/**
 * Creates a staff account with its roles. The initial password is either generated (returned
 * once, to be shown once and never stored in plain text) or set by the administrator under the
 * staff password rules (≥ 12 characters, 3 of 4 character classes, not common). Either way it
 * counts as expired, so the person must choose their own at first login.
 * @throws VALIDATION_FAILED (422) with field details; ADMIN_OTHER_DEPARTMENT (403);
 *   ADMIN_SEPARATION_OF_DUTIES (409)
 */
export async function createStaff(
  deps: Deps,
  principal: Principal,
  input: NewStaff,
  context: RequestContext = {},
): Promise<{ staffId: string; initialPassword?: string }> {
  requirePermission(principal, 'admin.staff')
  const { db, clock } = deps
  const problems: FieldProblem[] = []
  const name = (input.name ?? '').normalize('NFKC').trim()
  if (!PERSON_NAME.test(name)) problems.push({ field: 'name', message: '请填写工作人员姓名（2 到 30 个字）' })
  const employeeNo = (input.employeeNo ?? '').normalize('NFKC').trim().toUpperCase()
  if (!EMPLOYEE_NO.test(employeeNo)) {
    problems.push({ field: 'employeeNo', message: '工号应为 2 到 20 位字母、数字或短横线' })
  }
  const loginName = (input.loginName ?? '').normalize('NFKC').trim().toLowerCase()
  if (!LOGIN_NAME.test(loginName)) {
    problems.push({ field: 'loginName', message: '工作账号应以字母开头，3 到 32 位小写字母、数字或 . _ -' })
  }
  const position = input.position?.trim() || null
  if (position && position.length > 50) problems.push({ field: 'position', message: '职务最多 50 个字' })
  const roles = [...new Set(input.roles ?? [])]
  const unknown = roles.find((r) => !isRole(r))
  if (unknown) problems.push({ field: 'roles', message: `没有「${unknown.slice(0, 30)}」这个角色` })
  const conflict = roleSetConflict(roles)
  if (conflict) problems.push({ field: 'roles', message: conflict })

  let initialPassword: string | undefined
  let password: string
  if (input.passwordMode === 'set') {
    password = input.password ?? ''
    problems.push(
      ...checkNewPassword(password, { kind: 'staff', personal: [loginName, employeeNo], field: 'password' }),
    )
  } else {
    initialPassword = generateInitialPassword()
    password = initialPassword
  }

  const now = clock.now()
  const nowIso = now.toISOString()
  const scope = await adminScope(db, principal)
  const department = input.departmentId
    ? await db.selectFrom('departments').selectAll().where('id', '=', input.departmentId).executeTakeFirst()
    : undefined
  if (!department?.active) problems.push({ field: 'departmentId', message: '请选择所在部门' })
  else if (!manages(scope, principal, department)) throw outsideDepartment()
  const servicePointId = input.servicePointId || null
  if (servicePointId) {
    const point = await db
      .selectFrom('servicePoints')
      .select(['id', 'active'])
      .where('id', '=', servicePointId)
      .executeTakeFirst()
    if (!point?.active) problems.push({ field: 'servicePointId', message: '请选择有效的服务网点，或不选' })
  }
  if (problems.length > 0) throw invalidInput(problems)
  const passwordHash = await hashPassword(password)

  return transaction(db, async (trx) => {
    const taken: FieldProblem[] = []
    if (await trx.selectFrom('accounts').select('id').where('loginName', '=', loginName).executeTakeFirst()) {
      taken.push({ field: 'loginName', message: '这个工作账号已被使用，请换一个' })
    }
    if (await trx.selectFrom('staff').select('id').where('employeeNo', '=', employeeNo).executeTakeFirst()) {
      taken.push({ field: 'employeeNo', message: '这个工号已经登记' })
    }
    if (taken.length > 0) throw invalidInput(taken)
    const accountId = newId()
    await trx
      .insertInto('accounts')
      .values({
        id: accountId,
        kind: 'staff',
        loginName,
        personId: null,
        passwordHash,
        // Counts as expired: the person chooses their own password at first login.
        passwordChangedAt: null,
        status: 'active',
        failedLogins: 0,
        elderMode: 0,
        createdAt: nowIso,
      })
      .execute()
    const staffId = newId()
    await trx
      .insertInto('staff')
      .values({
        id: staffId,
        accountId,
        name,
        employeeNo,
        departmentId: department!.id,
        servicePointId,
        position,
        active: 1,
        createdAt: nowIso,
      })
      .execute()
    for (const role of roles) {
      await trx
        .insertInto('staffRoles')
        .values({ staffId, role, grantedAt: nowIso, grantedBy: principal.staffId })
        .execute()
    }
    await appendAudit(trx, {
      at: now,
      actor: { type: 'staff', id: principal.staffId },
      action: 'identity.staff_create',
      object: { type: 'staff', id: staffId },
      details: {
        departmentId: department!.id,
        servicePointId,
        roles,
        loginName,
        employeeNo,
        passwordMode: input.passwordMode === 'set' ? 'set' : 'generate',
      },
      ...contextOf(context),
    })
    return initialPassword ? { staffId, initialPassword } : { staffId }
  })
}

// ---------------------------------------------------------------------------------------------
// Roles and deactivation

/**
 * Grants one role. 三员分立: refused (409) when it would give one person two of the system,
 * security and audit administrator roles, and when an administrator grants themself the audit
 * or security administrator role.
 * @throws STAFF_NOT_FOUND (404); ADMIN_OTHER_DEPARTMENT (403); VALIDATION_FAILED (422) for an
 *   unknown role; ADMIN_SEPARATION_OF_DUTIES (409); STAFF_ROLE_HELD (409)
 */
export async function grantRole(
  deps: Deps,
  principal: Principal,
  staffId: string,
  role: string,
  context: RequestContext = {},
): Promise<void> {
  requirePermission(principal, 'admin.staff')
  if (!isRole(role)) throw invalidInput([{ field: 'role', message: '请选择要授予的角色' }])
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    const { staff } = await loadManagedStaff(trx, principal, staffId)
    const held = (await rolesOf(trx, [staff.id])).get(staff.id) ?? []
    if (held.includes(role)) {
      throw new DomainError('STAFF_ROLE_HELD', 'conflict', `此人已经是「${roleName(role)}」。`)
    }
    const conflict = roleConflict(held, role, staff.id === principal.staffId)
    if (conflict) throw separationOfDuties(conflict)
    await trx
      .insertInto('staffRoles')
      .values({ staffId: staff.id, role, grantedAt: now.toISOString(), grantedBy: principal.staffId })
      .execute()
    await appendAudit(trx, {
      at: now,
      actor: { type: 'staff', id: principal.staffId },
      action: 'identity.role_grant',
      object: { type: 'staff', id: staff.id },
      details: { roles: [role], rolesBefore: held },
      ...contextOf(context),
    })
  })
}

/**
 * Revokes one role. An administrator cannot take the system administrator role from themself
 * (the platform would be left without one by mistake).
 * @throws STAFF_NOT_FOUND (404); ADMIN_OTHER_DEPARTMENT (403); STAFF_ROLE_NOT_HELD (409);
 *   ADMIN_SEPARATION_OF_DUTIES (409)
 */
export async function revokeRole(
  deps: Deps,
  principal: Principal,
  staffId: string,
  role: string,
  context: RequestContext = {},
): Promise<void> {
  requirePermission(principal, 'admin.staff')
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    const { staff } = await loadManagedStaff(trx, principal, staffId)
    const held = (await rolesOf(trx, [staff.id])).get(staff.id) ?? []
    if (!held.includes(role)) {
      throw new DomainError('STAFF_ROLE_NOT_HELD', 'conflict', `此人没有「${roleName(role)}」角色，无需撤销。`)
    }
    if (staff.id === principal.staffId && role === 'sys_admin') {
      throw separationOfDuties('不能撤销自己的系统管理员角色，请由其他系统管理员办理。')
    }
    await trx.deleteFrom('staffRoles').where('staffId', '=', staff.id).where('role', '=', role).execute()
    await appendAudit(trx, {
      at: now,
      actor: { type: 'staff', id: principal.staffId },
      action: 'identity.role_revoke',
      object: { type: 'staff', id: staff.id },
      details: { roles: [role], rolesBefore: held },
      ...contextOf(context),
    })
  })
}

/**
 * Deactivates a staff account: it can no longer log in and its live sessions end at once.
 * @throws STAFF_NOT_FOUND (404); ADMIN_OTHER_DEPARTMENT (403); STAFF_INACTIVE (409);
 *   STAFF_SELF_DEACTIVATE (409)
 */
export async function deactivateStaff(
  deps: Deps,
  principal: Principal,
  staffId: string,
  input: { reason?: string } = {},
  context: RequestContext = {},
): Promise<void> {
  requirePermission(principal, 'admin.staff')
  const now = deps.clock.now()
  const reason = input.reason?.trim().slice(0, 200) || null
  await transaction(deps.db, async (trx) => {
    const { staff } = await loadManagedStaff(trx, principal, staffId)
    if (staff.id === principal.staffId) {
      throw new DomainError('STAFF_SELF_DEACTIVATE', 'conflict', '不能停用自己的账号，请由其他系统管理员办理。')
    }
    if (staff.active !== 1) throw new DomainError('STAFF_INACTIVE', 'conflict', '这个账号已经停用。')
    const nowIso = now.toISOString()
    await trx.updateTable('staff').set({ active: 0 }).where('id', '=', staff.id).execute()
    await trx.updateTable('accounts').set({ status: 'disabled' }).where('id', '=', staff.accountId).execute()
    const ended = await trx
      .updateTable('sessions')
      .set({ endedAt: nowIso, endReason: 'deactivated' })
      .where('accountId', '=', staff.accountId)
      .where('endedAt', 'is', null)
      .executeTakeFirst()
    await appendAudit(trx, {
      at: now,
      actor: { type: 'staff', id: principal.staffId },
      action: 'identity.staff_deactivate',
      object: { type: 'staff', id: staff.id },
      details: { sessionsEnded: Number(ended.numUpdatedRows), ...(reason ? { reason } : {}) },
      ...contextOf(context),
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Departments and service points

export interface DepartmentNode {
  id: string
  code: string
  name: string
  shortName: string
  kind: DepartmentTable['kind']
  active: boolean
  /** This administrator may add sub-units to it. */
  manageable: boolean
  subUnits: DepartmentNode[]
}

/** Departments with their sub-units, in their sort order. */
export async function listDepartmentTree(db: DbOrTrx, principal: Principal): Promise<DepartmentNode[]> {
  requirePermission(principal, 'admin.departments')
  const scope = await adminScope(db, principal)
  const rows = await db.selectFrom('departments').selectAll().orderBy('sortOrder').orderBy('name').execute()
  const node = (d: DepartmentTable): DepartmentNode => ({
    id: d.id,
    code: d.code,
    name: d.name,
    shortName: d.shortName,
    kind: d.kind,
    active: d.active === 1,
    manageable: d.kind !== 'sub_unit' && manages(scope, principal, d),
    subUnits: rows.filter((c) => c.parentId === d.id).map(node),
  })
  return rows.filter((d) => d.parentId === null).map(node)
}

/** Active departments (and sub-units) this administrator may put staff in, for the form. */
export async function assignableDepartments(db: DbOrTrx, principal: Principal) {
  const scope = await adminScope(db, principal)
  const rows = await db
    .selectFrom('departments')
    .select(['id', 'name', 'parentId'])
    .where('active', '=', 1)
    .orderBy('sortOrder')
    .orderBy('name')
    .execute()
  return rows.filter((d) => manages(scope, principal, d))
}

export interface NewSubUnit {
  code: string
  name: string
  shortName: string
}

/**
 * Adds a sub-unit (科室) under a department this administrator manages.
 * @throws DEPARTMENT_NOT_FOUND (404); ADMIN_OTHER_DEPARTMENT (403); VALIDATION_FAILED (422)
 */
export async function createSubUnit(
  deps: Deps,
  principal: Principal,
  parentId: string,
  input: NewSubUnit,
  context: RequestContext = {},
): Promise<{ id: string }> {
  requirePermission(principal, 'admin.departments')
  if (!parentId) throw invalidInput([{ field: 'parentId', message: '请选择所属部门' }])
  const now = deps.clock.now()
  return transaction(deps.db, async (trx) => {
    const parent = await trx.selectFrom('departments').selectAll().where('id', '=', parentId).executeTakeFirst()
    if (!parent) throw departmentNotFoundById()
    if (!manages(await adminScope(trx, principal), principal, parent)) throw outsideDepartment()
    const problems: FieldProblem[] = []
    if (parent.kind === 'sub_unit') {
      problems.push({ field: 'parentId', message: '科室下面不能再设科室，请选择部门' })
    }
    const code = (input.code ?? '').trim().toLowerCase()
    if (!DEPARTMENT_CODE.test(code)) {
      problems.push({ field: 'code', message: '代码应以字母开头，2 到 32 位小写字母、数字、_ 或 -' })
    } else if (await trx.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirst()) {
      problems.push({ field: 'code', message: '这个代码已被使用，请换一个' })
    }
    const name = (input.name ?? '').normalize('NFKC').trim()
    if (name.length < 2 || name.length > 60) problems.push({ field: 'name', message: '请填写科室全称（2 到 60 个字）' })
    const shortName = (input.shortName ?? '').normalize('NFKC').trim()
    if (shortName.length < 2 || shortName.length > 30) {
      problems.push({ field: 'shortName', message: '请填写简称（2 到 30 个字）' })
    }
    if (problems.length > 0) throw invalidInput(problems)
    const last = await trx
      .selectFrom('departments')
      .select((eb) => eb.fn.max('sortOrder').as('n'))
      .where('parentId', '=', parent.id)
      .executeTakeFirst()
    const id = newId()
    await trx
      .insertInto('departments')
      .values({
        id,
        code,
        name,
        shortName,
        parentId: parent.id,
        kind: 'sub_unit',
        areaId: parent.areaId,
        sortOrder: Number(last?.n ?? 0) + 1,
        active: 1,
        createdAt: now.toISOString(),
      })
      .execute()
    await appendAudit(trx, {
      at: now,
      actor: { type: 'staff', id: principal.staffId },
      action: 'identity.department_create',
      object: { type: 'department', id },
      details: { parentId: parent.id, code, kind: 'sub_unit' },
      ...contextOf(context),
    })
    return { id }
  })
}

export interface ServicePointRow {
  id: string
  code: string
  name: string
  kind: 'center_window' | 'town_station' | 'village_point'
  departmentName: string | null
  areaName: string
  active: boolean
}

/** Every service point (窗口, 镇服务站, 村便民服务点) with its department and area. */
export async function listServicePoints(db: DbOrTrx, principal: Principal): Promise<ServicePointRow[]> {
  if (!principal.permissions.has('admin.staff') && !principal.permissions.has('admin.departments')) throw notAdmin()
  const rows = await db
    .selectFrom('servicePoints')
    .innerJoin('areas', 'areas.id', 'servicePoints.areaId')
    .leftJoin('departments', 'departments.id', 'servicePoints.departmentId')
    .select([
      'servicePoints.id as id',
      'servicePoints.code as code',
      'servicePoints.name as name',
      'servicePoints.kind as kind',
      'departments.name as departmentName',
      'areas.name as areaName',
      'servicePoints.active as active',
    ])
    .orderBy('servicePoints.kind')
    .orderBy('servicePoints.code')
    .execute()
  return rows.map((r) => ({ ...r, active: r.active === 1 }))
}

/** Active service points, for the staff form. */
export function activeServicePoints(db: DbOrTrx) {
  return db
    .selectFrom('servicePoints')
    .select(['id', 'name'])
    .where('active', '=', 1)
    .orderBy('kind')
    .orderBy('code')
    .execute()
}
