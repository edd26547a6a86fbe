import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal, sampleFormData, sampleMaterials, staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, type TestApp } from '../../../test/helpers.js'
import * as oneDraft from '../../migrations/2026_11_28_0022_one_draft.js'
import { listAudit, verifyAuditChain } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { addWorkingDays, workingDaysBetween } from '../../platform/calendar/index.js'
import { isUniqueViolation } from '../../platform/db/database.js'
import { documentTypes } from '../../platform/files/files.js'
import { runSeed } from '../../seed.js'
import { getVersion, type ItemElements } from '../catalog/index.js'
import { formFor } from './applications.forms.registry.js'
import {
  findApplication,
  listEvents,
  listNotices,
  listPauses,
  listTasks,
  updateApplication,
} from './applications.repository.js'
import {
  acceptApplication,
  claimTask,
  completeTask,
  deemAcceptOverdue,
  discardDraft,
  extendClock,
  getApplication,
  pauseClock,
  rejectApplication,
  requestCorrection,
  resubmitCorrection,
  resumeClock,
  saveApplicationDraft,
  submitApplication,
  transferTask,
  withdrawApplication,
} from './applications.service.js'

let t: TestApp
let citizen: Principal
let elder: Principal
let window01: Principal
let window02: Principal
let review01: Principal
let review02: Principal
let approve01: Principal
let agent01: Principal

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z') // Monday 09:00 in Shanghai
  await runSeed(t.modules, { print: false })
  citizen = await citizenPrincipal(t.db, '陈晓燕')
  elder = await citizenPrincipal(t.db, '吴秀英')
  window01 = await staffPrincipal(t.db, 'window01')
  window02 = await staffPrincipal(t.db, 'window02')
  review01 = await staffPrincipal(t.db, 'review01')
  review02 = await staffPrincipal(t.db, 'review02')
  approve01 = await staffPrincipal(t.db, 'approve01')
  agent01 = await staffPrincipal(t.db, 'agent01')
})
afterAll(async () => t.close())

let keys = 0
const key = () => `test-key-${Date.now()}-${++keys}`

/** The citizen's drafts for an item (there should be at most one). */
function citizenDrafts(itemId: string) {
  return t.db
    .selectFrom('applications')
    .select('id')
    .where('applicantPersonId', '=', citizen.personId!)
    .where('itemId', '=', itemId)
    .where('state', '=', 'draft')
    .execute()
}

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

async function apply(
  name: string,
  who: Principal = citizen,
  extra: Partial<Parameters<typeof submitApplication>[2]> = {},
) {
  const { itemId, version, elements } = await itemNamed(name)
  return submitApplication(t.deps, who, {
    itemId,
    idempotencyKey: key(),
    formData: sampleFormData(formFor(version)),
    materials: await sampleMaterials(t.deps.files, elements, documentTypes),
    ...extra,
  })
}

async function openTask(applicationId: string, taskKey: string) {
  const task = (await listTasks(t.db, applicationId)).find(
    (x) => x.taskKey === taskKey && ['open', 'claimed'].includes(x.state),
  )
  if (!task) throw new Error(`no open task ${taskKey}`)
  return task
}

const detailsOf = async (promise: Promise<unknown>) => {
  try {
    await promise
  } catch (error) {
    return {
      code: (error as { code?: string }).code,
      fields: ((error as { details?: { field: string }[] }).details ?? []).map((d) => d.field),
    }
  }
  return { code: 'none', fields: [] }
}

describe('submitting', () => {
  it('gives a 办件编号 at once, records the event, the audit entry and a message', async () => {
    const app = await apply('食品经营许可')
    expect(app.state).toBe('submitted')
    expect(app.applicationNo).toMatch(/^44510320260302\d{6}$/)
    expect(app.receivedOn).toBe('2026-03-02')
    const events = await listEvents(t.db, app.id)
    expect(events.map((e) => [e.seq, e.event, e.fromState, e.toState])).toEqual([[1, 'submit', 'draft', 'submitted']])
    // Stored as submitted at once (no draft row updated): what is returned is the stored version,
    // the one the next step's optimistic lock compares with.
    const stored = (await findApplication(t.db, app.id))!
    const fields = ['state', 'lockVersion', 'submittedAt', 'receivedOn', 'updatedAt', 'applicantName'] as const
    for (const field of fields) expect(stored[field], field).toEqual(app[field])
    expect(stored.applicantName).not.toBe('')
    expect(await updateApplication(t.db, app, { itemName: app.itemName })).toBe(true)
    const materials = await t.db
      .selectFrom('applicationMaterials')
      .select('id')
      .where('applicationId', '=', app.id)
      .execute()
    expect(materials.length).toBeGreaterThan(0)
    const audit = await listAudit(t.db, { objectType: 'application', objectId: app.id })
    expect(audit.entries.map((e) => e.action)).toEqual(['application.submit'])
    const messages = await t.db
      .selectFrom('notifications')
      .select('subject')
      .where('recipientPersonId', '=', citizen.personId!)
      .execute()
    expect(messages.map((m) => m.subject)).toContain(`办件 ${app.applicationNo} 已提交`)
  })

  it('changes an application only at the version it was read (optimistic lock)', async () => {
    const app = await apply('食品经营许可')
    const read = (await findApplication(t.db, app.id))!
    expect(await updateApplication(t.db, read, { itemName: '第一位写入' })).toBe(true)
    // A second writer that read the same version changes nothing.
    expect(await updateApplication(t.db, read, { itemName: '第二位写入' })).toBe(false)
    const now = (await findApplication(t.db, app.id))!
    expect(now.itemName).toBe('第一位写入')
    expect(now.lockVersion).toBe(read.lockVersion + 1)
    expect(await updateApplication(t.db, now, { itemName: read.itemName })).toBe(true)
  })

  it('is idempotent: ten identical concurrent submissions make one application', async () => {
    const { itemId, version, elements } = await itemNamed('食品经营许可')
    const input = {
      itemId,
      idempotencyKey: key(),
      formData: sampleFormData(formFor(version)),
      materials: await sampleMaterials(t.deps.files, elements, documentTypes),
    }
    const results = await Promise.all(Array.from({ length: 10 }, () => submitApplication(t.deps, citizen, input)))
    expect(new Set(results.map((r) => r.id)).size).toBe(1)
    expect(new Set(results.map((r) => r.applicationNo)).size).toBe(1)
    const rows = await t.db
      .selectFrom('applications')
      .select('id')
      .where('idempotencyKey', '=', input.idempotencyKey)
      .execute()
    expect(rows).toHaveLength(1)
  })

  it('a draft saved in another tab while the application is submitted never fails (two tabs)', async () => {
    // The benchmark found a 500 on PostgreSQL: the submission deleted the draft while another tab
    // saved the draft's materials (a foreign-key error). Each round races a draft save (with
    // materials) against a submission; every call succeeds and nothing is left half-written.
    const { itemId, version, elements } = await itemNamed('食品经营许可')
    const formData = sampleFormData(formFor(version))
    const materials = await sampleMaterials(t.deps.files, elements, documentTypes)
    await discardDraft(t.deps, citizen, itemId)
    for (let round = 0; round < 8; round++) {
      await saveApplicationDraft(t.deps, citizen, { itemId, formData, materials })
      const [, submitted, again] = await Promise.all([
        saveApplicationDraft(t.deps, citizen, { itemId, formData, materials }),
        submitApplication(t.deps, citizen, { itemId, idempotencyKey: key(), formData, materials }),
        saveApplicationDraft(t.deps, citizen, { itemId, formData, materials }),
      ])
      expect(submitted.state).not.toBe('draft')
      expect(again.draft.state).toBe('draft')
      // at most one draft per item and person, every material row belongs to an existing application
      const drafts = await citizenDrafts(itemId)
      expect(drafts.length).toBeLessThanOrEqual(1)
      await discardDraft(t.deps, citizen, itemId)
    }
    const orphans = await t.db
      .selectFrom('applicationMaterials')
      .leftJoin('applications', 'applications.id', 'applicationMaterials.applicationId')
      .select('applicationMaterials.id')
      .where('applications.id', 'is', null)
      .execute()
    expect(orphans).toHaveLength(0)
  })

  it('ten tabs saving a first draft at once make one draft, and every save lands in it', async () => {
    const { itemId, version, elements } = await itemNamed('食品经营许可')
    const formData = sampleFormData(formFor(version))
    const materials = await sampleMaterials(t.deps.files, elements, documentTypes)
    await discardDraft(t.deps, citizen, itemId)
    try {
      const saved = await Promise.all(
        Array.from({ length: 10 }, () => saveApplicationDraft(t.deps, citizen, { itemId, formData, materials })),
      )
      const drafts = await citizenDrafts(itemId)
      expect(drafts).toHaveLength(1)
      expect(new Set(saved.map((s) => s.draft.id))).toEqual(new Set([drafts[0]!.id]))
      const rows = await t.db
        .selectFrom('applicationMaterials')
        .select('materialCode')
        .where('applicationId', '=', drafts[0]!.id)
        .execute()
      expect(rows).toHaveLength(materials.length)
    } finally {
      await discardDraft(t.deps, citizen, itemId)
    }
  })

  it('migration 0022 keeps the newest of drafts doubled before it, and then refuses a second draft', async () => {
    const { itemId, version, elements } = await itemNamed('食品经营许可')
    const formData = sampleFormData(formFor(version))
    const materials = await sampleMaterials(t.deps.files, elements, documentTypes)
    await discardDraft(t.deps, citizen, itemId)
    const { draft } = await saveApplicationDraft(t.deps, citizen, { itemId, formData, materials })
    const older = { ...draft, id: `${draft.id.slice(0, -4)}old1`, updatedAt: '2026-01-01T00:00:00.000Z' }
    // as a database from before 0022 could hold it
    await sql`drop index applications_one_draft_idx`.execute(t.db)
    try {
      await t.db.insertInto('applications').values(older).execute()
      const stored = await t.db
        .selectFrom('applicationMaterials')
        .selectAll()
        .where('applicationId', '=', draft.id)
        .execute()
      await t.db
        .insertInto('applicationMaterials')
        .values(stored.map((m) => ({ ...m, id: `${m.id.slice(0, -4)}old1`, applicationId: older.id })))
        .execute()
    } finally {
      await oneDraft.up(t.db)
    }
    const drafts = await citizenDrafts(itemId)
    expect(drafts.map((d) => d.id)).toEqual([draft.id])
    expect(
      await t.db.selectFrom('applicationMaterials').select('id').where('applicationId', '=', older.id).execute(),
    ).toEqual([])
    const refused = await t.db
      .insertInto('applications')
      .values(older)
      .execute()
      .catch((e: unknown) => e)
    expect(isUniqueViolation(refused, 'applications_one_draft_idx')).toBe(true)
    await discardDraft(t.deps, citizen, itemId)
  })

  it('checks every rule of the item at once: form fields and required materials', async () => {
    const { itemId, elements } = await itemNamed('食品经营许可')
    const result = await detailsOf(
      submitApplication(t.deps, citizen, { itemId, idempotencyKey: key(), formData: {}, materials: [] }),
    )
    expect(result.code).toBe('VALIDATION_FAILED')
    for (const m of elements.materials.filter((x) => x.isNeed))
      expect(result.fields).toContain(`materials.${m.materialCode}`)
    expect(result.fields.some((f) => !f.startsWith('materials.'))).toBe(true)
    expect(await t.db.selectFrom('applications').select('id').where('state', '=', 'draft').execute()).toHaveLength(0)
  })

  it('allows 容缺 only for materials that allow it', async () => {
    const { itemId, version, elements } = await itemNamed('食品经营许可')
    const materials = await sampleMaterials(t.deps.files, elements, documentTypes)
    const deferrable = elements.materials.find((m) => m.allowDefer)!
    const strict = elements.materials.find((m) => m.isNeed && !m.allowDefer)!
    const ok = await submitApplication(t.deps, citizen, {
      itemId,
      idempotencyKey: key(),
      formData: sampleFormData(formFor(version)),
      materials: [
        ...materials.filter((m) => m.materialCode !== deferrable.materialCode),
        { materialCode: deferrable.materialCode, kind: 'deferred', until: '2026-03-20' },
      ],
    })
    expect(ok.state).toBe('submitted')
    const refused = await detailsOf(
      submitApplication(t.deps, citizen, {
        itemId,
        idempotencyKey: key(),
        formData: sampleFormData(formFor(version)),
        materials: [
          ...materials.filter((m) => m.materialCode !== strict.materialCode),
          { materialCode: strict.materialCode, kind: 'deferred', until: '2026-03-20' },
        ],
      }),
    )
    expect(refused.fields).toEqual([`materials.${strict.materialCode}`])
  })
})

describe('pre-review (行政许可法 §32)', () => {
  it('one correction notice lists every problem; the applicant may change only what it names', async () => {
    const app = await apply('食品经营许可')
    const { version, elements } = await itemNamed('食品经营许可')
    const form = formFor(version)
    const section = form.sections.find((s) => !s.repeat && !s.showIf)!
    const field = section.fields.find((f) => f.type === 'text' || f.type === 'address' || f.type === 'textarea')!
    const otherField = section.fields.find(
      (f) => f !== field && (f.type === 'text' || f.type === 'address' || f.type === 'textarea'),
    )
    const material = elements.materials.find((m) => m.isNeed)!
    const corrected = await requestCorrection(t.deps, window01, app.id, [
      { target: 'field', key: `${section.key}.${field.key}`, message: `${field.label}与营业执照不一致` },
      { target: 'material', key: material.materialCode, message: `${material.materialName}缺少签名` },
    ])
    expect(corrected.state).toBe('correction_requested')
    const [notice] = await listNotices(t.db, app.id)
    expect(notice?.kind).toBe('correction')
    expect(notice?.number).toMatch(/^潮安SCJ〔2026〕补字第\d{6}号$/)
    expect(JSON.parse(notice!.content).problems).toHaveLength(2)

    const data = JSON.parse(corrected.formData)
    const fixedMaterial = (await sampleMaterials(t.deps.files, elements, documentTypes)).find(
      (m) => m.materialCode === material.materialCode,
    )!
    if (otherField) {
      const outside = await detailsOf(
        resubmitCorrection(t.deps, citizen, app.id, {
          formData: {
            ...data,
            [section.key]: { ...data[section.key], [field.key]: '改正后的内容', [otherField.key]: '顺手改了别的' },
          },
          materials: [fixedMaterial],
        }),
      )
      expect(outside.fields).toEqual([`${section.key}.${otherField.key}`])
    }
    const missingMaterial = await detailsOf(
      resubmitCorrection(t.deps, citizen, app.id, {
        formData: { ...data, [section.key]: { ...data[section.key], [field.key]: '改正后的内容' } },
        materials: [],
      }),
    )
    expect(missingMaterial.fields).toEqual([`materials.${material.materialCode}`])

    t.clock.advance(24 * 3600_000)
    const resubmitted = await resubmitCorrection(t.deps, citizen, app.id, {
      formData: { ...data, [section.key]: { ...data[section.key], [field.key]: '改正后的内容' } },
      materials: [fixedMaterial],
    })
    expect(resubmitted.state).toBe('submitted')
    expect(resubmitted.receivedOn).toBe('2026-03-03')
    expect(JSON.parse(resubmitted.formData)[section.key][field.key]).toBe('改正后的内容')
    t.clock.advance(-24 * 3600_000)
  })

  it('不予受理 needs reasons and issues the notice', async () => {
    const app = await apply('食品经营许可')
    expect((await detailsOf(rejectApplication(t.deps, window01, app.id, { reason: ' ' }))).fields).toEqual(['reason'])
    const rejected = await rejectApplication(t.deps, window01, app.id, {
      reason: '经营场所位于居民住宅楼内',
      whereToApply: '不适用',
    })
    expect(rejected.state).toBe('not_accepted')
    const [notice] = await listNotices(t.db, app.id)
    expect(notice?.title).toBe('不予受理通知书')
    expect(JSON.parse(notice!.content).paragraphs.join('')).toContain('经营场所位于居民住宅楼内')
  })

  it('an unanswered submission is deemed accepted on the day of receipt after 5 working days', async () => {
    t.clock.set('2026-02-13T02:00:00.000Z') // Friday before the 2026 Spring Festival (02-15 … 02-23)
    const app = await apply('食品经营许可')
    expect(app.receivedOn).toBe('2026-02-13')
    const cal = await t.deps.calendar.load()
    const lastDay = addWorkingDays(cal, '2026-02-13', 5)
    expect(lastDay).toBe('2026-02-27') // 02-14 (make-up Saturday) and 02-24 … 02-27
    t.clock.set(`${lastDay}T09:00:00.000Z`)
    await deemAcceptOverdue(t.deps)
    expect((await getApplication(t.db, app.id)).state).toBe('submitted')
    t.clock.set('2026-02-28T01:00:00.000Z') // make-up working Saturday: the sixth working day
    await deemAcceptOverdue(t.deps)
    const deemed = await getApplication(t.db, app.id)
    expect(deemed.state).toBe('in_process')
    expect(deemed.deemedAccepted).toBe(1)
    expect(deemed.acceptedOn).toBe('2026-02-13')
    expect((await listEvents(t.db, app.id)).map((e) => e.event)).toEqual([
      'submit',
      'deem_accept',
      'start',
      'stage_open',
    ])
    // running the sweep again (as another node would) changes nothing
    await deemAcceptOverdue(t.deps)
    expect((await listEvents(t.db, app.id)).length).toBe(4)
    t.clock.set('2026-03-02T01:00:00.000Z')
  })
})

describe('processing', () => {
  it('two departments review in parallel (all must agree), then the leader decides', async () => {
    const app = await apply('食品经营许可')
    const accepted = await acceptApplication(t.deps, window01, app.id)
    expect(accepted.state).toBe('in_process')
    const cal = await t.deps.calendar.load()
    expect(accepted.dueOn).toBe(addWorkingDays(cal, '2026-03-02', 10))
    expect(accepted.promisedDueOn).toBe(addWorkingDays(cal, '2026-03-02', 3))
    const tasks = await listTasks(t.db, app.id)
    expect(tasks.map((x) => [x.stage, x.taskKey, x.state])).toEqual([
      [0, 'review_scj', 'open'],
      [0, 'review_wjj', 'open'],
    ])
    // a reviewer of 卫生健康局 cannot handle the 市场监管 task and vice versa
    await expect(
      completeTask(t.deps, review02, (await openTask(app.id, 'review_scj')).id, { outcome: 'agree', opinion: '' }),
    ).rejects.toThrow('不属于您的部门')
    await claimTask(t.deps, review01, (await openTask(app.id, 'review_scj')).id)
    await completeTask(t.deps, review01, (await openTask(app.id, 'review_scj')).id, {
      outcome: 'agree',
      opinion: '经营条件符合要求',
    })
    expect((await listTasks(t.db, app.id)).filter((x) => x.stage === 1)).toHaveLength(0) // still waiting for the other branch
    await completeTask(t.deps, review02, (await openTask(app.id, 'review_wjj')).id, {
      outcome: 'agree',
      opinion: '卫生条件符合要求',
    })
    const decision = await openTask(app.id, 'decision')
    expect(decision.departmentId).toBe(window01.departmentId)
    const done = await completeTask(t.deps, approve01, decision.id, { outcome: 'agree', opinion: '同意' })
    expect(done.state).toBe('completed')
    expect(done.decision).toBe('approved')
    const notices = await listNotices(t.db, app.id)
    expect(notices.map((n) => n.kind)).toEqual(['accept', 'decision'])
    expect(notices[1]?.title).toBe('准予行政许可决定书')
    expect((await listEvents(t.db, app.id)).map((e) => e.event)).toEqual([
      'submit',
      'accept',
      'start',
      'stage_open',
      'task_claim',
      'task_complete',
      'task_complete',
      'stage_open',
      'task_complete',
      'approve',
      'deliver',
    ])
    expect((await verifyAuditChain(t.db)).ok).toBe(true)
  })

  it('a disagreement in an all-of stage refuses, with the reasons, and needs an opinion', async () => {
    const app = await apply('食品经营许可')
    await acceptApplication(t.deps, window01, app.id)
    const task = await openTask(app.id, 'review_wjj')
    expect(
      (await detailsOf(completeTask(t.deps, review02, task.id, { outcome: 'disagree', opinion: '' }))).fields,
    ).toEqual(['opinion'])
    const refused = await completeTask(t.deps, review02, task.id, {
      outcome: 'disagree',
      opinion: '专间设置不符合要求',
    })
    expect(refused.state).toBe('completed')
    expect(refused.decision).toBe('refused')
    const tasks = await listTasks(t.db, app.id)
    expect(tasks.find((x) => x.taskKey === 'review_scj')?.state).toBe('cancelled')
    const decision = (await listNotices(t.db, app.id)).find((n) => n.kind === 'decision')!
    expect(decision.title).toBe('不予行政许可决定书')
    expect(JSON.parse(decision.content).paragraphs[0]).toContain('专间设置不符合要求')
  })

  it('k of n: two agreeing of three pass the stage and the third task is no longer needed', async () => {
    const { version } = await itemNamed('公共场所卫生许可')
    const wjj = review02.departmentId!
    const scjCode = 'scj'
    await t.db
      .updateTable('itemVersions')
      .set({
        processDefinition: JSON.stringify({
          stages: [
            {
              key: 'experts',
              name: '会审',
              join: { k: 2 },
              tasks: [
                { key: 'a', name: '会审一', department: 'owner', role: 'reviewer', budgetDays: 2 },
                { key: 'b', name: '会审二', department: 'owner', role: 'approver', budgetDays: 2 },
                { key: 'c', name: '会审三', department: scjCode, role: 'reviewer', budgetDays: 2 },
              ],
            },
            {
              key: 'decision',
              name: '审批',
              join: 'all',
              tasks: [{ key: 'decision', name: '审批', department: 'owner', role: 'approver', budgetDays: 1 }],
            },
          ],
        }),
      })
      .where('id', '=', version.id)
      .execute()
    const wjjWindow = { ...window01, departmentId: wjj }
    const approve02 = await staffPrincipal(t.db, 'approve02')
    const app = await apply('公共场所卫生许可')
    await acceptApplication(t.deps, wjjWindow, app.id)
    await completeTask(t.deps, review02, (await openTask(app.id, 'a')).id, { outcome: 'agree', opinion: '' })
    await completeTask(t.deps, review01, (await openTask(app.id, 'c')).id, { outcome: 'agree', opinion: '' })
    const tasks = await listTasks(t.db, app.id)
    expect(tasks.find((x) => x.taskKey === 'b')?.state).toBe('cancelled')
    expect(tasks.find((x) => x.taskKey === 'decision')?.state).toBe('open')
    await expect(
      completeTask(t.deps, approve02, tasks.find((x) => x.taskKey === 'b')!.id, { outcome: 'agree', opinion: '' }),
    ).rejects.toThrow('当前不能办理')
    const done = await completeTask(t.deps, approve02, (await openTask(app.id, 'decision')).id, {
      outcome: 'agree',
      opinion: '',
    })
    expect(done.decision).toBe('approved')
  })

  it('a task can be transferred only to a colleague of the same department and role', async () => {
    const app = await apply('食品经营许可')
    await acceptApplication(t.deps, window01, app.id)
    const task = await openTask(app.id, 'review_scj')
    expect((await detailsOf(transferTask(t.deps, review01, task.id, review02.staffId!, '休假'))).fields).toEqual([
      'toStaffId',
    ])
  })

  it('staff of another department can neither accept nor see the case', async () => {
    const app = await apply('食品经营许可')
    await expect(acceptApplication(t.deps, window02, app.id)).rejects.toThrow('不属于您所在的部门')
    await expect(
      requestCorrection(t.deps, window02, app.id, [{ target: 'material', key: 'x', message: 'x' }]),
    ).rejects.toThrow('不属于您所在的部门')
  })
})

describe('the legal clock', () => {
  it('pauses for expert review across the Spring Festival, resumes, and extends by 10 days', async () => {
    t.clock.set('2026-02-11T02:00:00.000Z') // Wednesday
    const app = await apply('食品经营许可')
    const accepted = await acceptApplication(t.deps, window01, app.id)
    const cal = await t.deps.calendar.load()
    expect(accepted.dueOn).toBe(addWorkingDays(cal, '2026-02-11', 10))
    t.clock.set('2026-02-12T03:00:00.000Z')
    await pauseClock(t.deps, review01, app.id, { reason: 'expert_review', expectedDays: 10, note: '' })
    const paused = await getApplication(t.db, app.id)
    expect(paused.paused).toBe(1)
    expect((await listNotices(t.db, app.id)).map((n) => n.kind)).toContain('special_procedure')
    t.clock.set('2026-02-26T03:00:00.000Z')
    await resumeClock(t.deps, review01, app.id)
    const resumed = await getApplication(t.db, app.id)
    expect(resumed.paused).toBe(0)
    const excluded = workingDaysBetween(cal, '2026-02-12', '2026-02-26')
    expect(resumed.dueOn).toBe(addWorkingDays(cal, accepted.dueOn!, excluded))
    expect((await listPauses(t.db, app.id))[0]?.toAt).toBe('2026-02-26T03:00:00.000Z')

    await expect(extendClock(t.deps, review01, app.id, { reason: '需要现场核查' })).rejects.toThrow('负责人批准')
    await extendClock(t.deps, approve01, app.id, { reason: '需要现场核查' })
    const extended = await getApplication(t.db, app.id)
    expect(extended.extensionDays).toBe(10)
    expect(extended.dueOn).toBe(addWorkingDays(cal, resumed.dueOn!, 10))
    await expect(extendClock(t.deps, approve01, app.id, { reason: '再延一次' })).rejects.toThrow('已经延长过')
    t.clock.set('2026-03-02T01:00:00.000Z')
  })

  it('across National Day the due date skips the holiday and counts the make-up Saturday', async () => {
    t.clock.set('2026-09-29T02:00:00.000Z')
    const app = await apply('食品经营许可')
    const accepted = await acceptApplication(t.deps, window01, app.id)
    // 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12 … 10-16, 10-19: the 10th working day after 09-29
    expect(accepted.dueOn).toBe('2026-10-19')
    expect(accepted.promisedDueOn).toBe('2026-10-09')
    t.clock.set('2026-03-02T01:00:00.000Z')
  })
})

describe('即办件 and channels', () => {
  it('an instant item whose rule passes is decided on the spot, recorded as by rule', async () => {
    const app = await apply('社会保障卡申领')
    expect(app.state).toBe('completed')
    expect(app.decidedByRule).toBe(1)
    const events = await listEvents(t.db, app.id)
    expect(events.map((e) => e.event)).toEqual(['submit', 'accept', 'start', 'approve', 'deliver'])
    expect(events.find((e) => e.event === 'approve')?.actorId).toMatch(/^rule:/)
  })

  it('window staff file for a walk-in resident: same record, channel and filer noted', async () => {
    const app = await apply('食品经营许可', window01, { channel: 'window', onBehalfOf: { personId: elder.personId! } })
    expect(app.applicantPersonId).toBe(elder.personId)
    expect(app.channel).toBe('window')
    expect(app.filedByStaffId).toBe(window01.staffId)
    expect(app.onlineFull).toBe(0)
  })

  it('a village agent files with the resident’s consent recorded (代办)', async () => {
    const app = await apply('食品经营许可', agent01, {
      channel: 'proxy',
      onBehalfOf: { personId: elder.personId!, consent: { method: 'signed_form', note: '本人签字授权书已存档' } },
    })
    expect(app.channel).toBe('proxy')
    expect(JSON.parse(app.proxyConsent!)).toEqual({ method: 'signed_form', note: '本人签字授权书已存档' })
    expect(app.servicePointId).toBe(agent01.servicePointId)
  })

  it('the applicant can withdraw an undecided application, and not someone else’s', async () => {
    const app = await apply('食品经营许可')
    await expect(withdrawApplication(t.deps, elder, app.id, '')).rejects.toThrow('找不到')
    const withdrawn = await withdrawApplication(t.deps, citizen, app.id, '暂不开店了')
    expect(withdrawn.state).toBe('withdrawn')
    await expect(acceptApplication(t.deps, window01, app.id)).rejects.toThrow('当前状态为「已撤回」，不能受理')
  })
})
