import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizenPrincipal, sampleFormData, staffPrincipal } from '../../../test/applications.js'
import { buildTestApp, type TestApp } from '../../../test/helpers.js'
import type { Principal } from '../../platform/auth/principal.js'
import { documentTypes } from '../../platform/files/files.js'
import { runSeed } from '../../seed.js'
import { acceptApplication } from './applications.service.js'
import { combinedApplication, dataFor, submitThemeApplication, unionForm } from './applications.themes.js'
import type { MaterialInput } from './applications.types.js'

let t: TestApp
let citizen: Principal

beforeAll(async () => {
  t = await buildTestApp()
  t.clock.set('2026-03-02T01:00:00.000Z')
  await runSeed(t.modules, { print: false })
  citizen = await citizenPrincipal(t.db, '陈晓燕')
})
afterAll(async () => t.close())

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')

async function materialsFor(combined: Awaited<ReturnType<typeof combinedApplication>>): Promise<MaterialInput[]> {
  const stored = await t.deps.files.put(PDF, { maxBytes: 1 << 20, allowedTypes: documentTypes })
  return combined.materials
    .filter((m) => m.material.isNeed)
    .map((m) => ({
      materialCode: m.material.materialCode,
      kind: 'file',
      sha256: stored.sha256,
      fileName: 'x.pdf',
      mime: stored.mime,
      size: stored.size,
    }))
}

describe('一件事: 新生儿出生', () => {
  it('the answers select the items; the combined form asks shared sections once', async () => {
    const all = await combinedApplication(t.deps, 'newborn', { register_here: 'yes', mother_insured: 'yes' })
    const some = await combinedApplication(t.deps, 'newborn', { register_here: 'no', mother_insured: 'no' })
    expect(all.complete).toBe(true)
    expect(all.items.length).toBeGreaterThan(some.items.length)
    expect(all.items.map((i) => i.taskName)).toContain('出生登记')
    expect(some.items.map((i) => i.taskName)).not.toContain('出生登记')
    const sectionKeys = all.form.sections.map((s) => s.key)
    expect(new Set(sectionKeys).size).toBe(sectionKeys.length)
    const total = all.items.reduce((n, i) => n + i.form.sections.length, 0)
    expect(sectionKeys.length).toBeLessThan(total) // shared sections merged
    const codes = all.materials.map((m) => m.material.materialCode)
    expect(new Set(codes).size).toBe(codes.length)
  })

  it('one submission creates a linked application for each department, once however often sent', async () => {
    const combined = await combinedApplication(t.deps, 'newborn', { register_here: 'yes', mother_insured: 'no' })
    const input = {
      themeCode: 'newborn',
      answers: { register_here: 'yes', mother_insured: 'no' },
      formData: sampleFormData(combined.form),
      materials: await materialsFor(combined),
      idempotencyKey: 'theme-newborn-0001',
    }
    const first = await submitThemeApplication(t.deps, citizen, input)
    expect(first.applications).toHaveLength(combined.items.length)
    expect(new Set(first.applications.map((a) => a.themeCaseId))).toEqual(new Set([first.themeCaseId]))
    expect(new Set(first.applications.map((a) => a.departmentId)).size).toBeGreaterThan(1)
    for (const app of first.applications) expect(['submitted', 'completed']).toContain(app.state)
    const again = await submitThemeApplication(t.deps, citizen, input)
    expect(again.themeCaseId).toBe(first.themeCaseId)
    const rows = await t.db
      .selectFrom('applications')
      .select('id')
      .where('themeCaseId', '=', first.themeCaseId)
      .execute()
    expect(rows).toHaveLength(combined.items.length)

    // each department then handles its own part
    const gaj = first.applications.find((a) => a.state === 'submitted')!
    const dept = await t.db
      .selectFrom('departments')
      .select('code')
      .where('id', '=', gaj.departmentId)
      .executeTakeFirstOrThrow()
    const window = { ...(await staffPrincipal(t.db, 'window01')), departmentId: gaj.departmentId }
    expect(dept.code).toBeTruthy()
    const accepted = await acceptApplication(t.deps, window, gaj.id)
    expect(accepted.state).toBe('in_process')
  })

  it('unanswered questions and missing materials are refused with every problem at once', async () => {
    await expect(
      submitThemeApplication(t.deps, citizen, {
        themeCode: 'newborn',
        answers: {},
        formData: {},
        materials: [],
        idempotencyKey: 'theme-newborn-0002',
      }),
    ).rejects.toThrow('请先回答全部问题')
    try {
      await submitThemeApplication(t.deps, citizen, {
        themeCode: 'newborn',
        answers: { register_here: 'yes', mother_insured: 'no' },
        formData: {},
        materials: [],
        idempotencyKey: 'theme-newborn-0003',
      })
      expect.unreachable()
    } catch (error) {
      const fields = (error as { details: { field: string }[] }).details.map((d) => d.field)
      expect(fields.some((f) => f.startsWith('materials.'))).toBe(true)
      expect(new Set(fields).size).toBe(fields.length)
    }
  })

  it('unionForm and dataFor split the combined data back per item', () => {
    const a = {
      version: 1 as const,
      sections: [
        { key: 'applicant', title: '申请人', fields: [{ key: 'name', label: '姓名', type: 'text' as const }] },
      ],
    }
    const b = {
      version: 1 as const,
      sections: [
        {
          key: 'applicant',
          title: '申请人',
          fields: [
            { key: 'name', label: '姓名', type: 'text' as const },
            { key: 'mobile', label: '手机', type: 'mobile' as const },
          ],
        },
        { key: 'baby', title: '新生儿', fields: [{ key: 'name', label: '姓名', type: 'text' as const }] },
      ],
    }
    const union = unionForm([a, b])
    expect(union.sections.map((s) => [s.key, s.fields.map((f) => f.key)])).toEqual([
      ['applicant', ['name', 'mobile']],
      ['baby', ['name']],
    ])
    const data = { applicant: { name: '陈晓燕', mobile: '13800000001' }, baby: { name: '陈小宝' } }
    expect(dataFor(a, data)).toEqual({ applicant: { name: '陈晓燕' } })
    expect(dataFor(b, data)).toEqual(data)
  })
})
