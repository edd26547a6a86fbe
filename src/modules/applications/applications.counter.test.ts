import type { FastifyRequest, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal, sampleFormData, staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, cookiesOf, form, type TestApp } from '../../../test/helpers.js'
import { listAudit } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { runSeed } from '../../seed.js'
import { getVersion, type ItemElements } from '../catalog/index.js'
import { type FormData, type FormDefinition, fenToYuanText } from './applications.forms.js'
import { formFor } from './applications.forms.registry.js'
import { listMyApplications } from './applications.read.js'
import { listCurrentMaterials } from './applications.repository.js'
import { fileForResident, getApplication } from './applications.service.js'

let t: TestApp
const principals = new Map<string, Principal>()
let elder: Principal

const ELDER_ID_NUMBER = '445103195511200068' // 吴秀英, a demo resident of the village

beforeAll(async () => {
  t = await buildTestApp({
    principal: (request: FastifyRequest) => {
      const login = request.headers['x-test-login']
      return typeof login === 'string' ? principals.get(login) : undefined
    },
    env: { RATE_LIMIT_PER_MINUTE: '100000' },
  })
  t.clock.set('2026-03-02T01:00:00.000Z')
  await runSeed(t.modules, { print: false })
  for (const login of ['window01', 'agent01', 'review01']) principals.set(login, await staffPrincipal(t.db, login))
  elder = await citizenPrincipal(t.db, '吴秀英')
  principals.set('citizen', elder)
})
afterAll(async () => t.close())

async function itemNamed(name: string) {
  const row = await t.db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.id as versionId'])
    .where('itemVersions.taskName', '=', name)
    .executeTakeFirstOrThrow()
  const version = await getVersion(t.db, row.versionId)
  return { itemId: row.id, version, elements: JSON.parse(version.elements) as ItemElements }
}

function get(login: string, url: string) {
  return t.app.inject({ method: 'GET', url, headers: { 'x-test-login': login } })
}

function text(res: LightMyRequestResponse): string {
  return res.body
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
}

/** The posted fields of form data, as the rendered form names them. */
function fieldsOf(def: FormDefinition, data: FormData): [string, string][] {
  const out: [string, string][] = []
  for (const section of def.sections) {
    const rows = section.repeat ? ((data[section.key] as Record<string, unknown>[]) ?? []) : [data[section.key]]
    rows.forEach((row, i) => {
      for (const field of section.fields) {
        const value = (row as Record<string, unknown> | undefined)?.[field.key]
        if (value === undefined) continue
        const name = section.repeat ? `${section.key}[${i}].${field.key}` : `${section.key}.${field.key}`
        if (Array.isArray(value)) for (const v of value) out.push([name, String(v)])
        else if (typeof value === 'boolean') out.push([name, value ? 'yes' : 'no'])
        else if (field.type === 'money' && typeof value === 'number') out.push([name, fenToYuanText(value)])
        else out.push([name, String(value)])
      }
    })
  }
  return out
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')

function multipartBody(fields: [string, string][], files: { name: string; filename: string; content: Buffer }[]) {
  const boundary = `----yiwang${Math.random().toString(16).slice(2)}`
  const chunks: Buffer[] = []
  for (const [name, value] of fields) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      f.content,
      Buffer.from('\r\n'),
    )
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** Finds the resident, chooses the item, and posts the filing form as the page's form does. */
async function fileAtCounter(
  login: string,
  itemName: string,
  options: { consent?: [string, string][]; skipMaterial?: string; extraFields?: [string, string][] } = {},
) {
  const { itemId, version, elements } = await itemNamed(itemName)
  const person = await findResident(login)
  const page = await get(login, `/counter/file?person=${person}&item=${itemId}`)
  expect(page.statusCode).toBe(200)
  const action = /<form action="(\/counter\/file\?[^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&')
  const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)?.[1]
  if (!action || !key) throw new Error('no filing form')
  const files = elements.materials
    .filter((m) => m.isNeed && m.materialCode !== options.skipMaterial)
    .map((m) => ({ name: `file.${m.materialCode}`, filename: `${m.materialName}.pdf`, content: PDF }))
  const body = multipartBody(
    [
      ['idempotencyKey', key],
      ...fieldsOf(formFor(version), sampleFormData(formFor(version))),
      ...(options.consent ?? []),
      ...(options.extraFields ?? []),
    ],
    files,
  )
  const res = await t.app.inject({
    method: 'POST',
    url: action,
    headers: { 'x-test-login': login, 'content-type': body.contentType, cookie: cookiesOf(page) },
    payload: body.payload,
  })
  return { res, itemId, key, elements }
}

async function findResident(login: string): Promise<string> {
  const home = await get(login, '/counter')
  const token = /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1]
  const found = await t.app.inject({
    method: 'POST',
    url: '/counter/find',
    headers: {
      'x-test-login': login,
      'content-type': 'application/x-www-form-urlencoded',
      cookie: cookiesOf(home),
    },
    payload: form({ _csrf: token ?? '', idNumber: ELDER_ID_NUMBER }),
  })
  expect(found.statusCode).toBe(303)
  const person = /person=([0-9a-f-]{36})/.exec(String(found.headers.location))?.[1]
  if (!person) throw new Error('no person')
  return person
}

describe('GET /counter', () => {
  it('is for window clerks and village agents only', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/counter' })).statusCode).toBe(303)
    expect((await get('citizen', '/counter')).statusCode).toBe(403)
    expect((await get('review01', '/counter')).statusCode).toBe(403)
    const window = await get('window01', '/counter')
    expect(window.statusCode).toBe(200)
    expect(text(window)).toContain('窗口代为申请（线下受理）')
    expect(text(await get('agent01', '/counter'))).toContain('村居代办')
  })

  it('finds the resident by ID number and shows them masked; a wrong number is said beside the field', async () => {
    const person = await findResident('window01')
    const items = await get('window01', `/counter/items?person=${person}`)
    expect(items.statusCode).toBe(200)
    expect(text(items)).toContain('吴**')
    expect(text(items)).toContain('445103**********0068'.replace('**********', '********'))
    expect(text(items)).toContain('食品经营许可')
    const home = await get('window01', '/counter')
    const token = /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1] ?? ''
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/counter/find',
      headers: {
        'x-test-login': 'window01',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: cookiesOf(home),
      },
      payload: form({ _csrf: token, idNumber: '445103195511200069' }),
    })
    expect(wrong.statusCode).toBe(422)
    expect(wrong.body).toContain('value="445103195511200069"')
    const noItem = await get('window01', `/counter/file?person=${person}&item=`)
    expect(noItem.statusCode).toBe(422)
    expect(text(noItem)).toContain('请选择要办理的事项')
  })
})

describe('filing at the window (线下受理)', () => {
  it('files for a walk-in resident: theirs in 我的办件, channel window, scans verified against the originals (B)', async () => {
    const { res, itemId, key } = await fileAtCounter('window01', '食品经营许可')
    expect(res.statusCode, text(res).slice(0, 600)).toBe(200)
    expect(text(res)).toContain('已代为提交申请')
    const no = /办件编号 (\d{20})/.exec(text(res))?.[1]
    expect(no).toBeDefined()
    const app = await t.db
      .selectFrom('applications')
      .selectAll()
      .where('applicationNo', '=', no!)
      .executeTakeFirstOrThrow()
    expect(app.applicantPersonId).toBe(elder.personId)
    expect(app.channel).toBe('window')
    expect(app.filedByStaffId).toBe(principals.get('window01')!.staffId)
    expect(app.itemId).toBe(itemId)
    expect(app.idempotencyKey).toBe(key)
    const materials = await listCurrentMaterials(t.db, app.id)
    expect(materials.length).toBeGreaterThan(0)
    expect(materials.every((m) => m.trustGrade === 'b')).toBe(true)
    const audit = await listAudit(t.db, { objectType: 'application', objectId: app.id })
    expect(audit.entries.map((e) => e.action).sort()).toEqual(['application.materials_verify', 'application.submit'])
    // the resident sees it as their own
    const mine = await listMyApplications(t.deps, elder, { page: 1 })
    expect(mine.rows.map((r) => r.applicationNo)).toContain(no)
  })

  it('keeps a received scan when the form comes back with errors, and files nothing', async () => {
    const { elements } = await itemNamed('食品经营许可')
    const skipped = elements.materials.find((m) => m.isNeed && !m.allowDefer)!
    const before = await t.db.selectFrom('applications').select('id').execute()
    const { res } = await fileAtCounter('window01', '食品经营许可', { skipMaterial: skipped.materialCode })
    expect(res.statusCode).toBe(422)
    expect(text(res)).toContain(`请提供「${skipped.materialName}」`)
    expect(text(res)).toContain('已收取：')
    expect(res.body).toMatch(/name="kept\.[a-z0-9_]+" value="[^"]+\.[^"]+"/)
    expect(await t.db.selectFrom('applications').select('id').execute()).toHaveLength(before.length)
  })

  it('refuses a forged reference to a file', async () => {
    const { elements } = await itemNamed('食品经营许可')
    const skipped = elements.materials.find((m) => m.isNeed && !m.allowDefer)!
    const forged = Buffer.from(
      JSON.stringify({
        sha256: 'a'.repeat(64),
        fileName: 'x.pdf',
        mime: 'application/pdf',
        size: 1,
        by: principals.get('window01')!.staffId,
      }),
    ).toString('base64url')
    const { res } = await fileAtCounter('window01', '食品经营许可', {
      skipMaterial: skipped.materialCode,
      extraFields: [[`kept.${skipped.materialCode}`, `${forged}.AAAA`]],
    })
    expect(res.statusCode).toBe(422)
    expect(text(res)).toContain(`请提供「${skipped.materialName}」`)
  })
})

describe('村居代办 (proxy filing)', () => {
  it('is refused without the resident’s consent, every problem at once', async () => {
    const before = await t.db.selectFrom('applications').select('id').execute()
    const { res } = await fileAtCounter('agent01', '食品经营许可')
    expect(res.statusCode).toBe(422)
    expect(text(res)).toContain('请选择群众本人同意代办的方式')
    expect(text(res)).toContain('请写明同意的凭证')
    expect(await t.db.selectFrom('applications').select('id').execute()).toHaveLength(before.length)
    await expect(
      fileForResident(t.deps, principals.get('window01')!, {
        channel: 'proxy',
        personId: elder.personId!,
        itemId: (await itemNamed('食品经营许可')).itemId,
        idempotencyKey: 'proxy-by-window-0001',
        formData: {},
        materials: [],
        consent: { method: 'signed_form', note: '授权书' },
      }),
    ).rejects.toThrow('只有村居代办员可以代办')
  })

  it('files with consent recorded; the service point lists it, the name masked', async () => {
    const { res } = await fileAtCounter('agent01', '食品经营许可', {
      consent: [
        ['consent.method', 'signed_form'],
        ['consent.note', '授权书存档编号 SK-2026-031'],
      ],
    })
    expect(res.statusCode, text(res).slice(0, 600)).toBe(200)
    const no = /办件编号 (\d{20})/.exec(text(res))?.[1]
    const app = await t.db
      .selectFrom('applications')
      .selectAll()
      .where('applicationNo', '=', no!)
      .executeTakeFirstOrThrow()
    expect(app.channel).toBe('proxy')
    expect(app.servicePointId).toBe(principals.get('agent01')!.servicePointId)
    expect(JSON.parse(app.proxyConsent!)).toEqual({ method: 'signed_form', note: '授权书存档编号 SK-2026-031' })
    expect((await listCurrentMaterials(t.db, app.id)).every((m) => m.trustGrade === 'c')).toBe(true)
    const home = text(await get('agent01', '/counter'))
    expect(home).toContain('本服务点的办件')
    expect(home).toContain(no!)
    expect(home).toContain('吴**')
    expect(home).not.toContain('吴秀英')
    // the window's service point does not list the agent's case
    expect(text(await get('window01', '/counter'))).not.toContain(no!)
    // the department's window sees it in pre-review, with its channel
    const inbox = text(await get('window01', '/workbench?view=pre_review'))
    expect(inbox).toContain(no!)
    expect(inbox).toContain('村居代办')
    expect((await getApplication(t.db, app.id)).state).toBe('submitted')
  })
})
