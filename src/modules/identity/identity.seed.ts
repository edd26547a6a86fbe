/**
 * Demo data for the identity module: areas, departments, service points, staff with each role
 * and two citizens. Idempotent: every row is looked up by its natural key first.
 */
import { transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { newId } from '../../platform/ids.js'
import type { SeedReport } from '../../platform/module.js'
import { findAccountByLoginName, findDepartmentByCode } from './identity.repository.js'
import { roleName } from './identity.roles.js'
import { AREAS, DEMO_PASSWORD, DEMO_PERSONS, DEMO_STAFF, DEPARTMENTS, SERVICE_POINTS } from './identity.seed-data.js'
import { createPerson, findPersonByIdNumber, hashPassword } from './identity.service.js'

export async function seedIdentity(deps: Deps, report: SeedReport, progress: (m: string) => void): Promise<void> {
  const { db } = deps
  const now = deps.clock.now().toISOString()

  await transaction(db, async (trx) => {
    const existing = new Set((await trx.selectFrom('areas').select('id').execute()).map((r) => r.id))
    for (const [i, a] of AREAS.entries()) {
      if (existing.has(a.id)) continue
      await trx
        .insertInto('areas')
        .values({
          id: a.id,
          code: a.code ?? null,
          name: a.name,
          level: a.level,
          parentId: a.parentId ?? null,
          kind: a.kind ?? null,
          codeConfirmed: a.codeConfirmed ? 1 : 0,
          sortOrder: i,
          updatedAt: now,
        })
        .execute()
    }
    for (const [i, d] of DEPARTMENTS.entries()) {
      const found = await findDepartmentByCode(trx, d.code)
      if (found) {
        if (!found.creditCode) {
          await trx.updateTable('departments').set({ creditCode: d.creditCode }).where('id', '=', found.id).execute()
        }
        continue
      }
      await trx
        .insertInto('departments')
        .values({
          id: newId(),
          code: d.code,
          creditCode: d.creditCode,
          name: d.name,
          shortName: d.shortName,
          parentId: null,
          kind: 'department',
          areaId: 'chaoan',
          phone: d.phone ?? null,
          address: '潮州市潮安区政务服务中心',
          sortOrder: i,
          active: 1,
          createdAt: now,
        })
        .execute()
    }
    for (const p of SERVICE_POINTS) {
      const found = await trx.selectFrom('servicePoints').select('id').where('code', '=', p.code).executeTakeFirst()
      if (found) continue
      const department = p.departmentCode ? await findDepartmentByCode(trx, p.departmentCode) : undefined
      await trx
        .insertInto('servicePoints')
        .values({
          id: newId(),
          code: p.code,
          name: p.name,
          kind: p.kind,
          departmentId: department?.id ?? null,
          areaId: p.areaId,
          address: p.address ?? null,
          phone: null,
          active: 1,
          createdAt: now,
        })
        .execute()
    }
  })
  progress(`区划 ${AREAS.length} 个、部门 ${DEPARTMENTS.length} 个、服务网点 ${SERVICE_POINTS.length} 个`)

  const passwordHash = await hashPassword(DEMO_PASSWORD)
  const created: string[] = []
  for (const s of DEMO_STAFF) {
    if (await findAccountByLoginName(db, s.loginName)) continue
    await transaction(db, async (trx) => {
      const department = await findDepartmentByCode(trx, s.departmentCode)
      if (!department) throw new Error(`seed: department ${s.departmentCode} missing`)
      const point = s.servicePointCode
        ? await trx.selectFrom('servicePoints').select('id').where('code', '=', s.servicePointCode).executeTakeFirst()
        : undefined
      const accountId = newId()
      await trx
        .insertInto('accounts')
        .values({
          id: accountId,
          kind: 'staff',
          loginName: s.loginName,
          personId: null,
          passwordHash,
          passwordChangedAt: now,
          status: 'active',
          failedLogins: 0,
          lockedUntil: null,
          totpSecretEnc: null,
          totpEnabledAt: null,
          elderMode: 0,
          lastLoginAt: null,
          createdAt: now,
        })
        .execute()
      const staffId = newId()
      await trx
        .insertInto('staff')
        .values({
          id: staffId,
          accountId,
          name: s.name,
          employeeNo: s.employeeNo,
          departmentId: department.id,
          servicePointId: point?.id ?? null,
          position: s.position,
          active: 1,
          createdAt: now,
        })
        .execute()
      for (const role of s.roles) {
        await trx.insertInto('staffRoles').values({ staffId, role, grantedAt: now, grantedBy: null }).execute()
      }
      created.push(
        `  ${s.loginName.padEnd(11)} ${s.roles.map(roleName).join('、')}（${department.shortName}，${s.name}）`,
      )
    })
  }

  const createdPersons: string[] = []
  for (const p of DEMO_PERSONS) {
    if (await findPersonByIdNumber(deps, db, p.idNumber)) continue
    await transaction(db, async (trx) => {
      await createPerson(deps, trx, {
        name: p.name,
        idNumber: p.idNumber,
        mobile: p.mobile,
        assuranceLevel: p.assuranceLevel,
        assuranceSource: 'demo',
        password: DEMO_PASSWORD,
        passwordHash,
      })
    })
    createdPersons.push(`  ${p.idNumber} 或 ${p.mobile}  ${p.name}（${p.note}）`)
  }
  progress(`演示账号：工作人员 ${created.length} 个、居民 ${createdPersons.length} 个（新建）`)

  if (created.length > 0 || createdPersons.length > 0) {
    report.announcements.push(
      `登录地址 ${deps.config.baseUrl}/login ，所有演示账号的密码都是 ${DEMO_PASSWORD}`,
      ...(createdPersons.length > 0 ? ['居民（账号填身份证号码或手机号码）：', ...createdPersons] : []),
      ...(created.length > 0 ? ['工作人员（账号填工作账号）：', ...created] : []),
    )
  }
}
