import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, form, formSession, type TestApp, testPrincipal } from '../../../test/helpers.js'
import { listAudit } from '../../platform/audit/audit.js'
import { runSeed } from '../../seed.js'
import { permissionsOf } from './identity.roles.js'

let t: TestApp
let who: 'clerk' | 'citizen' = 'clerk'

beforeAll(async () => {
  t = await buildTestApp({
    principal: () =>
      who === 'clerk'
        ? testPrincipal({
            personId: undefined,
            staffId: 'staff-clerk',
            roles: ['window_clerk'],
            permissions: permissionsOf(['window_clerk']),
            departmentId: 'd1',
          })
        : testPrincipal({ personId: 'p-x' }),
  })
  await runSeed(t.modules, { print: false })
})
afterAll(async () => t.close())

async function post(url: string, fields: Record<string, string>) {
  const { token, cookie } = await formSession(t.app, '/staff/persons')
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    payload: form({ _csrf: token, ...fields }),
  })
}

const wu = '445103195511200068' // 吴秀英, assurance 1 in the demo data

describe('/staff/persons (居民身份核验)', () => {
  it('finds a person by ID number and shows them masked', async () => {
    const res = await post('/staff/persons/lookup', { idNumber: wu })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('吴*')
    expect(res.body).toContain('445103********0068')
    expect(res.body).not.toContain('吴秀英')
    expect(res.body).toContain('一级（本人注册）')
  })

  it('refuses an invalid ID number with the field message, and an unknown one kindly', async () => {
    const bad = await post('/staff/persons/lookup', { idNumber: '445103195511200069' })
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('href="#f-idNumber"')
    const unknown = await post('/staff/persons/lookup', { idNumber: '11010519491231002X' })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.body).toContain('没有找到')
  })

  it('shows the full record only with a reason, and audits the view', async () => {
    const found = await post('/staff/persons/lookup', { idNumber: wu })
    const id = /action="\/staff\/persons\/([0-9a-f-]{36})\/full"/.exec(found.body)![1]!
    const noReason = await post(`/staff/persons/${id}/full`, { idNumber: wu })
    expect(noReason.statusCode).toBe(422)
    expect(noReason.body).not.toContain('吴秀英')
    const full = await post(`/staff/persons/${id}/full`, { idNumber: wu, reason: 'verify_identity', note: '窗口核验' })
    expect(full.statusCode).toBe(200)
    expect(full.body).toContain('吴秀英')
    expect(full.body).toContain(wu)
    expect(full.body).toContain('13800000005')
    const audit = await listAudit(t.db, { objectType: 'person', objectId: id, action: 'identity.person_view_full' })
    expect(audit.entries).toHaveLength(1)
    expect(audit.entries[0]?.details).toMatchObject({ reason: 'verify_identity', note: '窗口核验' })
    expect(audit.entries[0]?.actorId).toBe('staff-clerk')
  })

  it('raises the assurance level after a check, never lowers it, and audits it', async () => {
    const found = await post('/staff/persons/lookup', { idNumber: wu })
    const id = /action="\/staff\/persons\/([0-9a-f-]{36})\/full"/.exec(found.body)![1]!
    const raised = await post(`/staff/persons/${id}/assurance`, { idNumber: wu, method: 'window_document_check' })
    expect(raised.body).toContain('二级（已核验身份）')
    const again = await post(`/staff/persons/${id}/assurance`, { idNumber: wu, method: 'window_document_check' })
    expect(again.statusCode).toBe(200)
    const person = await t.db
      .selectFrom('persons')
      .select('assuranceLevel')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(person.assuranceLevel).toBe(2)
    const audit = await listAudit(t.db, { objectType: 'person', objectId: id, action: 'identity.assurance_raise' })
    expect(audit.entries).toHaveLength(1)
    expect(audit.entries[0]?.details).toMatchObject({ from: 1, to: 2 })
  })

  it('is closed to citizens', async () => {
    who = 'citizen'
    try {
      const res = await t.app.inject({ method: 'GET', url: '/staff/persons' })
      expect(res.statusCode).toBe(403)
    } finally {
      who = 'clerk'
    }
  })
})
