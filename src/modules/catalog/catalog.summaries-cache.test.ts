/**
 * The published-items list is kept between calls (docs/performance.md): it must still change at
 * once when an item is published anew or withdrawn, and show a department's new name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp, testPrincipal } from '../../../test/helpers.js'
import type { Principal } from '../../platform/auth/principal.js'
import { runSeed } from '../../seed.js'
import { permissionsOf } from '../identity/index.js'
import type { ItemElements } from './catalog.model.js'
import { listPublishedSummaries } from './catalog.read.js'
import {
  getVersion,
  reviewVersion,
  saveDraft,
  startNewVersion,
  submitForReview,
  withdrawItem,
} from './catalog.service.js'

let t: TestApp
let itemAdmin: Principal
let reviewer: Principal

beforeAll(async () => {
  t = await buildTestApp()
  await runSeed(t.modules, { print: false })
  const scj = (await t.db.selectFrom('departments').select('id').where('code', '=', 'scj').executeTakeFirstOrThrow()).id
  itemAdmin = testPrincipal({
    staffId: 'staff-items',
    departmentId: scj,
    roles: ['item_admin'],
    permissions: permissionsOf(['item_admin']),
  })
  reviewer = testPrincipal({
    staffId: 'staff-review',
    roles: ['catalog_reviewer'],
    permissions: permissionsOf(['catalog_reviewer']),
  })
})
afterAll(async () => t?.close())

const summaryOf = async (name: string) => (await listPublishedSummaries(t.db)).find((s) => s.taskName.startsWith(name))

describe('listPublishedSummaries', () => {
  it('returns the same list twice, then a new version as soon as it is published', async () => {
    const first = await listPublishedSummaries(t.db)
    expect(await listPublishedSummaries(t.db)).toEqual(first)
    const before = await summaryOf('食品经营许可')
    expect(before?.version).toBe(1)

    t.clock.advance(24 * 3600_000)
    const { versionId } = await startNewVersion(t.deps, itemAdmin, before!.itemId)
    const current = JSON.parse((await getVersion(t.db, versionId)).elements) as ItemElements
    await saveDraft(t.deps, itemAdmin, versionId, { ...current, taskName: '食品经营许可（新名称）' }, '改名')
    await submitForReview(t.deps, itemAdmin, versionId)
    await reviewVersion(t.deps, reviewer, versionId, { approve: true })

    const after = await summaryOf('食品经营许可')
    expect(after?.taskName).toBe('食品经营许可（新名称）')
    expect(after?.version).toBe(2)
  })

  it('leaves a withdrawn item out at once', async () => {
    const item = await summaryOf('食品小作坊登记')
    expect(item).toBeDefined()
    const count = (await listPublishedSummaries(t.db)).length
    await withdrawItem(t.deps, reviewer, item!.itemId, '职能调整')
    expect(await summaryOf('食品小作坊登记')).toBeUndefined()
    expect((await listPublishedSummaries(t.db)).length).toBe(count - 1)
  })

  it('shows a department under its current name', async () => {
    const item = await summaryOf('食品经营许可')
    await t.db.updateTable('departments').set({ name: '区市场监督管理局（新）' }).where('code', '=', 'scj').execute()
    expect((await summaryOf('食品经营许可'))?.department.name).toBe('区市场监督管理局（新）')
    expect(item?.department.name).not.toBe('区市场监督管理局（新）')
  })
})
