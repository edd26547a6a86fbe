import { verify as argonVerify } from '@node-rs/argon2'
import type { FastifyRequest } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, cookiesOf, form, formSession, type TestApp, testPrincipal } from '../../../test/helpers.js'
import { listAudit, verifyAuditChain } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { runSeed } from '../../seed.js'
import {
  createStaff,
  generateInitialPassword,
  grantRole,
  roleConflict,
  roleSetConflict,
  STAFF_PAGE_SIZE,
} from './identity.admin.js'
import { permissionsOf } from './identity.roles.js'
import { startSession } from './identity.sessions.js'

/** Who is calling, chosen by the test through a cookie: `test_staff=<login name>`. */
const principals = new Map<string, Principal>()
function principalFrom(request: FastifyRequest) {
  const login = /(?:^|;\s*)test_staff=([\w.-]+)/.exec(String(request.headers.cookie ?? ''))?.[1]
  return login ? principals.get(login) : undefined
}
const as = (login: string) => `test_staff=${login}`

let t: TestApp
const departments: Record<string, string> = {}

/** The principal the identity module would build for a staff account (roles read now). */
async function loadPrincipal(login: string): Promise<Principal> {
  const row = await t.db
    .selectFrom('staff')
    .innerJoin('accounts', 'accounts.id', 'staff.accountId')
    .select(['staff.id', 'staff.accountId', 'staff.name', 'staff.departmentId', 'staff.servicePointId'])
    .where('accounts.loginName', '=', login)
    .executeTakeFirstOrThrow()
  const roles = (await t.db.selectFrom('staffRoles').select('role').where('staffId', '=', row.id).execute()).map(
    (r) => r.role,
  )
  const principal = testPrincipal({
    accountId: row.accountId,
    personId: undefined,
    staffId: row.id,
    departmentId: row.departmentId,
    servicePointId: row.servicePointId ?? undefined,
    displayName: row.name,
    roles,
    permissions: permissionsOf(roles),
    assuranceLevel: 3,
  })
  principals.set(login, principal)
  return principal
}

const staffIdOf = async (login: string) =>
  (
    await t.db
      .selectFrom('staff')
      .innerJoin('accounts', 'accounts.id', 'staff.accountId')
      .select('staff.id')
      .where('accounts.loginName', '=', login)
      .executeTakeFirstOrThrow()
  ).id

async function post(login: string, url: string, fields: Record<string, string | string[]>) {
  const session = await formSession(t.app, '/', as(login))
  const res = await t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
    payload: form({ _csrf: session.token, ...fields }),
  })
  return Object.assign(res, { cookie: cookiesOf(res, session.cookie) })
}

const get = (login: string, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: as(login) } })

beforeAll(async () => {
  t = await buildTestApp({ principal: principalFrom })
  await runSeed(t.modules, { print: false })
  for (const d of await t.db.selectFrom('departments').select(['id', 'code']).execute()) departments[d.code] = d.id
  for (const login of ['sysadmin', 'secadmin', 'auditadmin', 'window01', 'review02']) await loadPrincipal(login)
  // A system administrator of 区市场监督管理局: manages that department only.
  await createStaff(t.deps, principals.get('sysadmin')!, {
    name: '马晓东',
    employeeNo: 'CA0101',
    loginName: 'scjadmin',
    departmentId: departments.scj!,
    roles: ['sys_admin'],
    passwordMode: 'generate',
  })
  await loadPrincipal('scjadmin')
})
afterAll(async () => t.close())

describe('GET /admin/staff', () => {
  it('lists staff by department with roles, for the system administrator', async () => {
    const res = await get('sysadmin', '/admin/staff')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('郑晓玲')
    expect(res.body).toContain('潮州市潮安区市场监督管理局')
    expect(res.body).toContain('窗口受理人员')
    const wjj = await get('sysadmin', `/admin/staff?department=${departments.wjj}`)
    expect(wjj.body).toContain('李淑贞')
    expect(wjj.body).not.toContain('郑晓玲')
    const byRole = await get('sysadmin', '/admin/staff?role=approver')
    expect(byRole.body).toContain('王建国')
    expect(byRole.body).not.toContain('郑晓玲')
    const byName = await get('sysadmin', `/admin/staff?q=${encodeURIComponent('许志')}`)
    expect(byName.body).toContain('许志坚')
    expect(byName.body).toContain('共 1 人')
  })

  it('pages the list', async () => {
    for (let i = 0; i < STAFF_PAGE_SIZE; i++) {
      await createStaff(t.deps, principals.get('sysadmin')!, {
        name: `测试人员${String.fromCharCode(0x4e00 + i)}`,
        employeeNo: `TP${String(i).padStart(3, '0')}`,
        loginName: `paging${i}`,
        departmentId: departments.nyj!,
        roles: [],
        passwordMode: 'generate',
      })
    }
    const first = await get('sysadmin', `/admin/staff?department=${departments.nyj}`)
    expect(first.body).toContain(`共 ${STAFF_PAGE_SIZE} 人`)
    expect(first.body).not.toContain('rel="next"')
    const all = await get('sysadmin', '/admin/staff')
    expect(all.body).toContain('rel="next"')
    const page2 = await get('sysadmin', '/admin/staff?page=2')
    expect(page2.statusCode).toBe(200)
    expect(page2.body).toContain('rel="prev"')
  })

  it('refuses other roles, and shows a department’s administrator only their department', async () => {
    expect((await get('window01', '/admin/staff')).statusCode).toBe(403)
    expect((await get('auditadmin', '/admin/staff')).statusCode).toBe(403)
    const scj = await get('scjadmin', '/admin/staff')
    expect(scj.statusCode).toBe(200)
    expect(scj.body).toContain('郑晓玲')
    expect(scj.body).not.toContain('李淑贞') // 区卫生健康局
  })
})

describe('POST /admin/staff (new staff account)', () => {
  it('creates an account with a one-time password shown once, which must be changed at first login', async () => {
    const res = await post('sysadmin', '/admin/staff', {
      name: '郭嘉怡',
      employeeNo: 'ca0201',
      loginName: 'Window03',
      departmentId: departments.scj!,
      position: '窗口受理员',
      roles: ['window_clerk', 'reviewer'],
      passwordMode: 'generate',
    })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('初始密码只显示这一次')
    const password = /初始密码：<code>([^<]+)<\/code>/.exec(res.body)?.[1]
    expect(password).toMatch(/^.{16}$/)
    const account = await t.db
      .selectFrom('accounts')
      .selectAll()
      .where('loginName', '=', 'window03')
      .executeTakeFirstOrThrow()
    expect(await argonVerify(account.passwordHash!, password!)).toBe(true)
    expect(account.passwordChangedAt).toBeNull()
    const staff = await t.db
      .selectFrom('staff')
      .selectAll()
      .where('accountId', '=', account.id)
      .executeTakeFirstOrThrow()
    expect(staff).toMatchObject({ employeeNo: 'CA0201', departmentId: departments.scj, active: 1 })
    const [entry] = (await listAudit(t.db, { objectType: 'staff', objectId: staff.id })).entries
    expect(entry).toMatchObject({
      action: 'identity.staff_create',
      actorType: 'staff',
      actorId: principals.get('sysadmin')!.staffId,
      details: { roles: ['window_clerk', 'reviewer'], departmentId: departments.scj, passwordMode: 'generate' },
    })
    expect(JSON.stringify(entry)).not.toContain(password!)
    // The detail page does not show it again.
    const detail = await get('sysadmin', `/admin/staff/${staff.id}`)
    expect(detail.body).not.toContain(password!)
  })

  it('refuses a password set by the administrator that breaks the staff rules, without echoing it', async () => {
    const res = await post('sysadmin', '/admin/staff', {
      name: '郭嘉伟',
      employeeNo: 'CA0202',
      loginName: 'window04',
      departmentId: departments.scj!,
      passwordMode: 'set',
      password: 'alllowercaseletters',
    })
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('至少 3 类')
    expect(res.body).not.toContain('alllowercaseletters')
    expect(res.body).toContain('value="window04"')
    const ok = await post('sysadmin', '/admin/staff', {
      name: '郭嘉伟',
      employeeNo: 'CA0202',
      loginName: 'window04',
      departmentId: departments.scj!,
      passwordMode: 'set',
      password: 'Chaoan-Gongfu-Tea-2026',
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.body).not.toContain('Chaoan-Gongfu-Tea-2026')
  })

  it('refuses a login name or employee number in use, and two of the three administrator roles', async () => {
    const res = await post('sysadmin', '/admin/staff', {
      name: '重名者',
      employeeNo: 'CA0001',
      loginName: 'window01',
      departmentId: departments.scj!,
      roles: ['sys_admin', 'audit_admin'],
      passwordMode: 'generate',
    })
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('三员分立')
    const again = await post('sysadmin', '/admin/staff', {
      name: '重名者',
      employeeNo: 'CA0001',
      loginName: 'window01',
      departmentId: departments.scj!,
      passwordMode: 'generate',
    })
    expect(again.statusCode).toBe(422)
    expect(again.body).toContain('这个工作账号已被使用')
    expect(again.body).toContain('这个工号已经登记')
  })

  it('lets a department’s administrator create staff only in their department', async () => {
    const res = await post('scjadmin', '/admin/staff', {
      name: '外部门',
      employeeNo: 'CA0301',
      loginName: 'other01',
      departmentId: departments.wjj!,
      passwordMode: 'generate',
    })
    expect(res.statusCode).toBe(403)
    expect(res.body).toContain('本部门')
  })
})

describe('roles (grant / revoke)', () => {
  it('grants and revokes roles, one audit entry each with the role code', async () => {
    const staffId = await staffIdOf('review02')
    const granted = await post('sysadmin', `/admin/staff/${staffId}/roles/grant`, { role: 'approver' })
    expect(granted.statusCode).toBe(303)
    expect(granted.headers.location).toBe(`/admin/staff/${staffId}?done=granted`)
    const page = await get('sysadmin', String(granted.headers.location))
    expect(page.body).toContain('已授予角色')
    expect(page.body).toContain('撤销<span class="visually-hidden">「审批负责人」角色</span>')

    const revoked = await post('sysadmin', `/admin/staff/${staffId}/roles/revoke`, { role: 'approver' })
    expect(revoked.statusCode).toBe(303)
    const roles = await t.db.selectFrom('staffRoles').select('role').where('staffId', '=', staffId).execute()
    expect(roles.map((r) => r.role)).toEqual(['reviewer'])

    const entries = (await listAudit(t.db, { objectType: 'staff', objectId: staffId })).entries
    expect(entries.map((e) => [e.action, e.details.roles])).toEqual([
      ['identity.role_revoke', ['approver']],
      ['identity.role_grant', ['approver']],
    ])
    expect(entries.every((e) => e.actorId === principals.get('sysadmin')!.staffId)).toBe(true)
  })

  it('三员分立: nobody holds two of the system, security and audit administrator roles', async () => {
    const auditAdmin = await staffIdOf('auditadmin')
    const res = await post('sysadmin', `/admin/staff/${auditAdmin}/roles/grant`, { role: 'sys_admin' })
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain('三员分立')
    expect(res.body).toContain('已是「审计管理员」')
    await expect(
      grantRole(t.deps, principals.get('sysadmin')!, await staffIdOf('secadmin'), 'audit_admin'),
    ).rejects.toMatchObject({ code: 'ADMIN_SEPARATION_OF_DUTIES' })
    expect(roleConflict(['sys_admin'], 'audit_admin', false)).toContain('不能再担任「审计管理员」')
    expect(roleConflict(['reviewer'], 'audit_admin', false)).toBeUndefined()
    expect(roleSetConflict(['sys_admin', 'security_admin'])).toContain('三员分立')
    expect(roleSetConflict(['sys_admin', 'reviewer'])).toBeUndefined()
  })

  it('三员分立: the system administrator cannot grant themself the audit or security administrator role', async () => {
    const self = principals.get('sysadmin')!.staffId!
    for (const role of ['audit_admin', 'security_admin']) {
      const res = await post('sysadmin', `/admin/staff/${self}/roles/grant`, { role })
      expect(res.statusCode).toBe(409)
      expect(res.body).toContain('系统管理员不能给自己授予')
    }
    // Nor take away their own sys_admin by mistake.
    const revoke = await post('sysadmin', `/admin/staff/${self}/roles/revoke`, { role: 'sys_admin' })
    expect(revoke.statusCode).toBe(409)
    const roles = await t.db.selectFrom('staffRoles').select('role').where('staffId', '=', self).execute()
    expect(roles.map((r) => r.role)).toEqual(['sys_admin'])
  })

  it('the system administrator cannot read audit records', async () => {
    expect(permissionsOf(['sys_admin']).has('audit.read')).toBe(false)
    expect(principals.get('sysadmin')!.permissions.has('audit.read')).toBe(false)
    expect(principals.get('auditadmin')!.permissions.has('audit.read')).toBe(true)
  })

  it('refuses a department’s administrator the staff of another department', async () => {
    const other = await staffIdOf('review02') // 区卫生健康局
    expect((await get('scjadmin', `/admin/staff/${other}`)).statusCode).toBe(403)
    const grant = await post('scjadmin', `/admin/staff/${other}/roles/grant`, { role: 'approver' })
    expect(grant.statusCode).toBe(403)
    const own = await staffIdOf('review01') // 区市场监督管理局
    expect((await get('scjadmin', `/admin/staff/${own}`)).statusCode).toBe(200)
  })
})

describe('deactivating staff', () => {
  it('disables the account and ends its live sessions at once, audited', async () => {
    const staffId = await staffIdOf('paging0')
    const staff = await t.db.selectFrom('staff').selectAll().where('id', '=', staffId).executeTakeFirstOrThrow()
    await startSession(t.db, t.clock, { accountId: staff.accountId, kind: 'staff' })
    const res = await post('sysadmin', `/admin/staff/${staffId}/deactivate`, { reason: '调离' })
    expect(res.statusCode).toBe(303)
    const account = await t.db
      .selectFrom('accounts')
      .select('status')
      .where('id', '=', staff.accountId)
      .executeTakeFirstOrThrow()
    expect(account.status).toBe('disabled')
    const live = await t.db
      .selectFrom('sessions')
      .select('id')
      .where('accountId', '=', staff.accountId)
      .where('endedAt', 'is', null)
      .execute()
    expect(live).toEqual([])
    const [entry] = (await listAudit(t.db, { objectType: 'staff', objectId: staffId })).entries
    expect(entry).toMatchObject({ action: 'identity.staff_deactivate', details: { sessionsEnded: 1, reason: '调离' } })
    const again = await post('sysadmin', `/admin/staff/${staffId}/deactivate`, {})
    expect(again.statusCode).toBe(409)
    const self = await post('sysadmin', `/admin/staff/${principals.get('sysadmin')!.staffId}/deactivate`, {})
    expect(self.statusCode).toBe(409)
  })
})

describe('departments and service points', () => {
  it('adds a sub-unit under a department, audited, and lists it under its parent', async () => {
    const res = await post('sysadmin', '/admin/departments/sub-units', {
      parentId: departments.scj!,
      name: '登记注册科',
      shortName: '登记注册科',
      code: 'scj-djzc',
    })
    expect(res.statusCode).toBe(303)
    const page = await get('sysadmin', '/admin/departments')
    expect(page.body).toContain('└ 登记注册科')
    const row = await t.db
      .selectFrom('departments')
      .selectAll()
      .where('code', '=', 'scj-djzc')
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ kind: 'sub_unit', parentId: departments.scj })
    const [entry] = (await listAudit(t.db, { objectType: 'department', objectId: row.id })).entries
    expect(entry).toMatchObject({ action: 'identity.department_create', details: { parentId: departments.scj } })

    const duplicate = await post('sysadmin', '/admin/departments/sub-units', {
      parentId: departments.scj!,
      name: '登记注册科',
      shortName: '登记注册科',
      code: 'scj-djzc',
    })
    expect(duplicate.statusCode).toBe(422)
    expect(duplicate.body).toContain('这个代码已被使用')

    // The department's own administrator manages the sub-unit's staff.
    await createStaff(t.deps, principals.get('scjadmin')!, {
      name: '科室人员',
      employeeNo: 'CA0401',
      loginName: 'djzc01',
      departmentId: row.id,
      passwordMode: 'generate',
      roles: ['reviewer'],
    })
    expect((await get('scjadmin', `/admin/staff/${await staffIdOf('djzc01')}`)).statusCode).toBe(200)
  })

  it('refuses a sub-unit under another department to a department’s administrator', async () => {
    const res = await post('scjadmin', '/admin/departments/sub-units', {
      parentId: departments.wjj!,
      name: '医政科',
      shortName: '医政科',
      code: 'wjj-yz',
    })
    expect(res.statusCode).toBe(403)
  })

  it('lists the service points', async () => {
    const res = await get('sysadmin', '/admin/service-points')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('文祠镇石坑村便民服务点')
    expect(res.body).toContain('村（社区）便民服务点')
    expect((await get('window01', '/admin/service-points')).statusCode).toBe(403)
    expect((await verifyAuditChain(t.db)).ok).toBe(true)
  })
})

describe('initial passwords', () => {
  it('have 16 characters of all four classes', () => {
    for (let i = 0; i < 50; i++) {
      const p = generateInitialPassword()
      expect(p).toHaveLength(16)
      for (const re of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(p).toMatch(re)
    }
  })
})
