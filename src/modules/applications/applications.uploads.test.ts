/**
 * The daily upload quota (SECURITY.md: a per-user quota): what a person stores a day is counted in
 * the transaction that records the file, an upload past the day's limit is refused with a 413
 * that says so, and neither other days nor the case files of submitted applications count. And
 * the draft a submission replaces is found through the one-draft index, on both databases.
 */
import { CompiledQuery } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formFields, itemNamed, multipart, sampleFormData, type Upload } from '../../../test/applications.js'
import { buildTestApp, formSession, type TestApp } from '../../../test/helpers.js'
import { loginAs } from '../../../test/login.js'
import { dialectOf, transaction } from '../../platform/db/database.js'
import { runSeed } from '../../seed.js'
import type { ItemElements } from '../catalog/index.js'
import type { FormDefinition } from './applications.forms.js'
import { draftsOf } from './applications.service.js'
import { MATERIAL_DAILY_QUOTA_BYTES, pruneUploadDays, UPLOAD_DAYS_KEPT, uploadedOn } from './applications.uploads.js'

let t: TestApp
let food: { itemId: string; form: FormDefinition; elements: ItemElements }
let personId: string
const TODAY = '2026-03-02'
const YESTERDAY = '2026-03-01'

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z') // Monday 09:00 in Shanghai
  await runSeed(t.modules, { print: false })
  food = await itemNamed(t.db, '食品经营许可')
  personId = (await t.db.selectFrom('persons').select('id').where('name', '=', '陈晓燕').executeTakeFirstOrThrow()).id
})
afterAll(async () => t?.close())

/** A PDF of its own content (so its bytes are stored anew), `padding` bytes longer than the base. */
function pdf(label: string, padding = 0): Buffer {
  return Buffer.concat([
    Buffer.from(
      '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
    ),
    Buffer.from(`%${label}-${Math.random()}\n`),
    Buffer.alloc(padding, 0x20),
  ])
}
const upload = (code: string, content: Buffer): Upload => ({
  name: `materials.${code}`,
  filename: `${code}.pdf`,
  content,
  type: 'application/pdf',
})
const required = () => food.elements.materials.filter((m) => m.isNeed)

async function citizen() {
  const login = await loginAs(t.app, t.clock, '445103198503120029')
  expect(login.status, login.body).toBe(303)
  let cookie = login.cookie
  return {
    /** The web form: saves the draft with these files. */
    async save(files: Upload[]) {
      const session = await formSession(t.app, `/apply/${food.itemId}`, cookie)
      cookie = session.cookie
      const body = multipart(
        [
          ['_csrf', session.token],
          ['_action', 'save'],
        ],
        files,
      )
      return t.app.inject({
        method: 'POST',
        url: `/apply/${food.itemId}?_csrf=${encodeURIComponent(session.token)}`,
        headers: { cookie, 'content-type': body.contentType },
        payload: body.payload,
      })
    },
    /** The one-request channel. */
    async submit(files: Upload[], key: string, options: { declaration?: boolean } = {}) {
      const session = await formSession(t.app, '/my/applications', cookie)
      cookie = session.cookie
      const fields: [string, string][] = [
        ...formFields(food.form, sampleFormData(food.form)),
        ...(options.declaration === false ? [] : ([['declaration', 'yes']] as [string, string][])),
      ]
      const body = multipart(fields, files)
      return t.app.inject({
        method: 'POST',
        url: `/api/applications/submissions/${food.itemId}?_csrf=${encodeURIComponent(session.token)}`,
        headers: { cookie, 'content-type': body.contentType, 'idempotency-key': key },
        payload: body.payload,
      })
    },
  }
}

async function setCount(day: string, bytes: number) {
  await t.db.deleteFrom('materialUploadDays').where('personId', '=', personId).where('day', '=', day).execute()
  await t.db.insertInto('materialUploadDays').values({ personId, day, bytes }).execute()
}
async function resetCounts() {
  await t.db.deleteFrom('materialUploadDays').where('personId', '=', personId).execute()
}

describe('the daily upload quota', () => {
  it('counts what a person stores a day, file by file; a refused file counts nothing', async () => {
    await resetCounts()
    const me = await citizen()
    const first = pdf('first')
    const saved = await me.save([upload('application_form', first)])
    expect(saved.statusCode, saved.body).toBe(303)
    expect(await uploadedOn(t.db, personId, TODAY)).toBe(first.length)

    const second = pdf('second', 1000)
    expect((await me.save([upload('application_form', second)])).statusCode).toBe(303)
    expect(await uploadedOn(t.db, personId, TODAY)).toBe(first.length + second.length)

    // Not a PDF: refused beside its material, nothing stored, nothing counted.
    const text = { ...upload('application_form', Buffer.from('just some text, not a document')), type: 'text/plain' }
    expect((await me.save([text])).statusCode).toBe(415)
    expect(await uploadedOn(t.db, personId, TODAY)).toBe(first.length + second.length)
    expect(await uploadedOn(t.db, personId, YESTERDAY)).toBe(0)
  })

  it('refuses an upload past the day’s limit with a 413 that says so, and counts nothing for it', async () => {
    await resetCounts()
    await setCount(TODAY, MATERIAL_DAILY_QUOTA_BYTES - 100)
    const me = await citizen()
    const res = await me.save([upload('application_form', pdf('over', 200))])
    expect(res.statusCode).toBe(413)
    expect(res.body).toContain('今天上传的文件已达上限')
    expect(res.body).toContain('每天最多 500 MB')
    expect(await uploadedOn(t.db, personId, TODAY)).toBe(MATERIAL_DAILY_QUOTA_BYTES - 100)
    // The one-request channel says the same, beside the material, and writes no application.
    const key = 'quota-key-0001-abcdef'
    const api = await me.submit(
      required().map((m) => upload(m.materialCode, pdf(m.materialCode, 200))),
      key,
    )
    expect(api.statusCode).toBe(413)
    expect(JSON.stringify(api.json())).toContain('今天上传的文件已达上限')
    expect(await t.db.selectFrom('applications').select('id').where('idempotencyKey', '=', key).execute()).toEqual([])
  })

  it('counts neither the day before nor the case files of submitted applications', async () => {
    await resetCounts()
    const me = await citizen()
    const files = required().map((m) => upload(m.materialCode, pdf(m.materialCode)))
    const done = await me.submit(files, 'quota-key-0002-abcdef')
    expect(done.statusCode, done.body).toBe(201)
    // A lifetime of case files far past the limit (the old quota summed them all) and a full
    // yesterday: today's uploads still go through.
    await t.db
      .updateTable('applicationMaterials')
      .set({ fileSize: 2 * MATERIAL_DAILY_QUOTA_BYTES })
      .where('applicationId', '=', done.json().id)
      .execute()
    await setCount(YESTERDAY, MATERIAL_DAILY_QUOTA_BYTES)
    const today = pdf('today')
    expect((await me.save([upload('application_form', today)])).statusCode).toBe(303)
    expect(await uploadedOn(t.db, personId, YESTERDAY)).toBe(MATERIAL_DAILY_QUOTA_BYTES)
  })

  it('the one-request channel counts in the application’s transaction, and a refused request’s bytes too', async () => {
    await resetCounts()
    const me = await citizen()
    const contents = required().map((m) => pdf(m.materialCode, 500))
    const files = required().map((m, i) => upload(m.materialCode, contents[i]!))
    const bytes = contents.reduce((sum, c) => sum + c.length, 0)

    const done = await me.submit(files, 'quota-key-0003-abcdef')
    expect(done.statusCode, done.body).toBe(201)
    expect(await uploadedOn(t.db, personId, TODAY)).toBe(bytes)

    // Refused (no declaration): no application, but the bytes it left on disk count.
    const others = required().map((m) => pdf(`${m.materialCode}-again`, 700))
    const refused = await me.submit(
      required().map((m, i) => upload(m.materialCode, others[i]!)),
      'quota-key-0004-abcdef',
      { declaration: false },
    )
    expect(refused.statusCode).toBe(422)
    expect(await uploadedOn(t.db, personId, TODAY)).toBe(bytes + others.reduce((sum, c) => sum + c.length, 0))
  })
})

describe('old counts', () => {
  it('are forgotten after a week by the sweep; today’s and the week’s stay', async () => {
    await resetCounts()
    const days = ['2026-01-15', '2026-02-22', '2026-02-23', '2026-03-01', TODAY]
    for (const day of days) await setCount(day, 1000)
    expect(UPLOAD_DAYS_KEPT).toBe(8)
    expect(await pruneUploadDays(t.deps)).toBeGreaterThanOrEqual(2)
    const left = await t.db.selectFrom('materialUploadDays').select('day').where('personId', '=', personId).execute()
    expect(left.map((r) => r.day).sort()).toEqual(['2026-02-23', '2026-03-01', TODAY])
    expect(await pruneUploadDays(t.deps)).toBe(0)
    expect(await uploadedOn(t.db, personId, TODAY)).toBe(1000)
  })
})

describe('the draft a submission replaces', () => {
  it('is found through the one-draft index, whatever the person’s other applications', async () => {
    const query = draftsOf(t.db, personId, null, food.itemId).select('id').compile()
    const plan = await transaction(t.db, async (trx) => {
      if (dialectOf(t.db) === 'postgres') {
        // Tiny test tables would be scanned whole; what matters is that the index can serve it.
        await trx.executeQuery(CompiledQuery.raw('set local enable_seqscan = off'))
        return trx.executeQuery(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]))
      }
      return trx.executeQuery(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]))
    })
    expect(JSON.stringify(plan.rows)).toContain('applications_one_draft_idx')
  })
})
