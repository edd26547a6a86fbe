/**
 * Submitting in one request (POST /api/applications/submissions/:itemId): the form, its files and the
 * declaration together, one application per Idempotency-Key however often it is posted, every
 * problem at once as JSON in Chinese, nothing half-written.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formFields, itemNamed, multipart, sampleFormData, type Upload } from '../../../test/applications.js'
import { buildTestApp, formSession, type TestApp } from '../../../test/helpers.js'
import { loginAs } from '../../../test/login.js'
import { runSeed } from '../../seed.js'
import type { ItemElements } from '../catalog/index.js'
import type { FormDefinition } from './applications.forms.js'

let t: TestApp
let food: { itemId: string; form: FormDefinition; elements: ItemElements }

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
)

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z') // Monday 09:00 in Shanghai
  await runSeed(t.modules, { print: false })
  food = await itemNamed(t.db, '食品经营许可')
})
afterAll(async () => t?.close())

const pdfFor = (code: string): Upload => ({
  name: `materials.${code}`,
  filename: `${code}.pdf`,
  content: PDF,
  type: 'application/pdf',
})
const required = () => food.elements.materials.filter((m) => m.isNeed)
const completeFields = (): [string, string][] => [
  ...formFields(food.form, sampleFormData(food.form)),
  ['declaration', 'yes'],
]

/** A logged-in citizen posting to the API as the app's web view does (session cookie, CSRF token). */
async function citizen(account = '445103198503120029') {
  const login = await loginAs(t.app, t.clock, account)
  expect(login.status, login.body).toBe(303)
  const session = await formSession(t.app, '/my/applications', login.cookie)
  return {
    ...session,
    submit(fields: [string, string][], files: Upload[], key?: string, options: { csrf?: boolean } = {}) {
      const body = multipart(fields, files)
      const query = options.csrf === false ? '' : `?_csrf=${encodeURIComponent(session.token)}`
      return t.app.inject({
        method: 'POST',
        url: `/api/applications/submissions/${food.itemId}${query}`,
        headers: {
          cookie: session.cookie,
          'content-type': body.contentType,
          ...(key ? { 'idempotency-key': key } : {}),
        },
        payload: body.payload,
      })
    },
  }
}

async function applicationsOf(personName: string) {
  return t.db
    .selectFrom('applications')
    .innerJoin('persons', 'persons.id', 'applications.applicantPersonId')
    .select(['applications.id', 'applications.state', 'applications.idempotencyKey', 'applications.channel'])
    .where('persons.name', '=', personName)
    .where('applications.itemId', '=', food.itemId)
    .execute()
}

describe('POST /api/applications/submissions/:itemId', () => {
  it('submits the form and its files in one request, once per Idempotency-Key', async () => {
    const me = await citizen()
    const before = await applicationsOf('陈晓燕')
    const files = required().map((m) => pdfFor(m.materialCode))
    const first = await me.submit(completeFields(), files, 'api-key-0001-abcdef')
    expect(first.statusCode, first.body).toBe(201)
    const body = first.json()
    expect(body.applicationNo).toMatch(/^445103-\d{8}-\d{6}$/)
    expect(body.itemName).toBe('食品经营许可')
    expect(body.link).toBe(`/my/applications/${body.id}`)
    expect(['submitted', 'pre_review', 'accepted']).toContain(body.state)

    const stored = await t.db
      .selectFrom('applicationMaterials')
      .select(['materialCode', 'kind', 'fileName'])
      .where('applicationId', '=', body.id)
      .execute()
    expect(stored.map((m) => m.materialCode).sort()).toEqual(
      required()
        .map((m) => m.materialCode)
        .sort(),
    )
    expect(stored.every((m) => m.kind === 'file')).toBe(true)

    // The same key again (a retry after a lost answer), and five at once: the same application.
    const again = await me.submit(completeFields(), files, 'api-key-0001-abcdef')
    expect(again.statusCode).toBe(201)
    expect(again.json().id).toBe(body.id)
    const racing = await Promise.all(
      Array.from({ length: 5 }, () => me.submit(completeFields(), files, 'api-key-0002-abcdef')),
    )
    expect(racing.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201])
    expect(new Set(racing.map((r) => r.json().id)).size).toBe(1)

    const after = await applicationsOf('陈晓燕')
    const made = after.filter((a) => !before.some((b) => b.id === a.id))
    expect(made.map((a) => a.idempotencyKey).sort()).toEqual(['api-key-0001-abcdef', 'api-key-0002-abcdef'])
    expect(made.every((a) => a.state !== 'draft' && a.channel === 'online')).toBe(true)
    // The person's own page lists it.
    const page = await t.app.inject({ method: 'GET', url: body.link, headers: { cookie: me.cookie } })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(body.applicationNo)
  })

  it('records the uploaded files with the application, in its transaction; a refused request records none', async () => {
    const me = await citizen()
    const unique = (label: string) => Buffer.concat([PDF, Buffer.from(`%${label}-${Date.now()}-${Math.random()}\n`)])
    const sha = (content: Buffer) => createHash('sha256').update(content).digest('hex')
    const contents = required().map((m) => unique(m.materialCode))
    const files = required().map((m, i) => ({ ...pdfFor(m.materialCode), content: contents[i]! }))

    // Refused (no declaration): the bytes may stay on disk, but nothing records them.
    const fields = completeFields().filter(([name]) => name !== 'declaration')
    const refused = await me.submit(fields, files, 'api-key-0010-abcdef')
    expect(refused.statusCode).toBe(422)
    for (const content of contents) expect(await t.deps.files.exists(sha(content))).toBe(false)

    const done = await me.submit(completeFields(), files, 'api-key-0011-abcdef')
    expect(done.statusCode, done.body).toBe(201)
    const materials = await t.db
      .selectFrom('applicationMaterials')
      .select('fileSha256')
      .where('applicationId', '=', done.json().id)
      .execute()
    expect(materials.map((m) => m.fileSha256).sort()).toEqual(contents.map(sha).sort())
    for (const content of contents) {
      expect(await t.deps.files.exists(sha(content))).toBe(true)
      const got = await t.deps.files.get(sha(content))
      got.stream.destroy() // only its size is wanted: the file is closed, not left to the GC
      expect(got.size).toBe(content.length)
    }
  })

  it('lists every problem at once, in Chinese, and writes nothing', async () => {
    const me = await citizen()
    const before = await applicationsOf('陈晓燕')
    const drafts = await t.db.selectFrom('applications').select('id').where('state', '=', 'draft').execute()
    // No declaration, no files, and one field of the form emptied.
    const fields = completeFields().filter(([name]) => name !== 'declaration')
    const blanked = fields.findIndex(([name]) => !name.includes('.year') && !name.endsWith('._row'))
    const emptied = fields[blanked]![0]
    fields[blanked] = [emptied, '']
    const res = await me.submit(fields, [], 'api-key-0003-abcdef')
    expect(res.statusCode).toBe(422)
    const { error } = res.json()
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.message).toMatch(/^申请内容有 \d+ 处需要修改$/)
    const fieldsWithProblems = error.details.map((d: { field: string }) => d.field)
    expect(fieldsWithProblems).toContain('declaration')
    for (const m of required()) expect(fieldsWithProblems).toContain(`materials.${m.materialCode}`)
    expect(fieldsWithProblems).toContain(emptied)
    for (const d of error.details) expect(d.message).toMatch(/[\u4e00-\u9fff]/)
    expect(await applicationsOf('陈晓燕')).toEqual(before)
    expect(await t.db.selectFrom('applications').select('id').where('state', '=', 'draft').execute()).toEqual(drafts)
  })

  it('refuses a file of a type not allowed beside its material (415), and a missing key (400)', async () => {
    const me = await citizen()
    const before = await applicationsOf('陈晓燕')
    const [first, ...rest] = required()
    const fake: Upload = {
      name: `materials.${first!.materialCode}`,
      filename: 'x.pdf',
      content: Buffer.from('#!/bin/sh\necho hi\n'),
      type: 'application/pdf',
    }
    const refused = await me.submit(
      completeFields(),
      [fake, ...rest.map((m) => pdfFor(m.materialCode))],
      'api-key-0004-abcdef',
    )
    expect(refused.statusCode).toBe(415)
    const details = refused.json().error.details as { field: string; message: string }[]
    expect(details.some((d) => d.field === `materials.${first!.materialCode}` && d.message.includes('未能上传'))).toBe(
      true,
    )

    const files = required().map((m) => pdfFor(m.materialCode))
    const keyless = await me.submit(completeFields(), files)
    expect(keyless.statusCode).toBe(400)
    expect(keyless.json().error.message).toContain('Idempotency-Key')
    const badKey = await me.submit(completeFields(), files, 'short')
    expect(badKey.statusCode).toBe(400)
    expect(await applicationsOf('陈晓燕')).toEqual(before)
  })

  it('answers a body that is not a multipart form with a 4xx in Chinese, writing nothing', async () => {
    const me = await citizen()
    const before = await applicationsOf('陈晓燕')
    for (const [type, payload] of [
      ['application/json', JSON.stringify({ declaration: 'yes' })],
      ['multipart/form-data; boundary=nothing', '--nothing\r\nContent-Disposition: form-data; name="x"\r\n\r\nbroken'],
      ['text/plain', 'declaration=yes'],
      // cut off in the middle of a file
      [
        'multipart/form-data; boundary=cut',
        `--cut\r\nContent-Disposition: form-data; name="declaration"\r\n\r\nyes\r\n--cut\r\nContent-Disposition: form-data; name="materials.${required()[0]!.materialCode}"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n1 0 obj`,
      ],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/applications/submissions/${food.itemId}?_csrf=${encodeURIComponent(me.token)}`,
        headers: { cookie: me.cookie, 'content-type': type, 'idempotency-key': 'api-key-0008-abcdef' },
        payload,
      })
      expect(res.statusCode, `${type}: ${res.body}`).toBeGreaterThanOrEqual(400)
      expect(res.statusCode, `${type}: ${res.body}`).toBeLessThan(500)
      expect(res.json().error.message, type).toMatch(/[\u4e00-\u9fff]/)
    }
    expect(await applicationsOf('陈晓燕')).toEqual(before)
  })

  it('needs a logged-in citizen and the CSRF token', async () => {
    const body = multipart(completeFields(), [])
    const anonymous = await t.app.inject({
      method: 'POST',
      url: `/api/applications/submissions/${food.itemId}`,
      headers: { 'content-type': body.contentType, 'idempotency-key': 'api-key-0005-abcdef' },
      payload: body.payload,
    })
    expect([401, 403]).toContain(anonymous.statusCode)
    expect(anonymous.json().error.message).toMatch(/[\u4e00-\u9fff]/)

    const me = await citizen()
    const files = required().map((m) => pdfFor(m.materialCode))
    const forged = await me.submit(completeFields(), files, 'api-key-0006-abcdef', { csrf: false })
    expect(forged.statusCode).toBe(403)

    const staff = await loginAs(t.app, t.clock, 'window01')
    const session = await formSession(t.app, '/workbench', staff.cookie)
    const asStaff = multipart(completeFields(), files)
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/applications/submissions/${food.itemId}?_csrf=${encodeURIComponent(session.token)}`,
      headers: {
        cookie: session.cookie,
        'content-type': asStaff.contentType,
        'idempotency-key': 'api-key-0007-abcdef',
      },
      payload: asStaff.payload,
    })
    expect(refused.statusCode).toBe(403)
  })
})
