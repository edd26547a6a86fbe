import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp, testPrincipal } from '../../../test/helpers.js'
import { listAudit, verifyAuditChain } from '../../platform/audit/audit.js'
import type { Principal } from '../../platform/auth/principal.js'
import { search } from '../../platform/search/index.js'
import { runSeed } from '../../seed.js'
import { permissionsOf } from '../identity/index.js'
import { sampleItem } from './catalog.fixtures.js'
import { listVersions } from './catalog.repository.js'
import {
  createItem,
  getItem,
  getVersion,
  reviewVersion,
  saveDraft,
  startNewVersion,
  submitForReview,
  validateItem,
  withdrawItem,
} from './catalog.service.js'

let t: TestApp
let scj: string
let wjj: string
let itemAdmin: Principal
let otherAdmin: Principal
let reviewer: Principal

beforeAll(async () => {
  t = await buildTestApp()
  await runSeed(t.modules, { print: false })
  const dept = async (code: string) =>
    (await t.db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id
  scj = await dept('scj')
  wjj = await dept('wjj')
  itemAdmin = testPrincipal({
    staffId: 'staff-items',
    departmentId: scj,
    roles: ['item_admin'],
    permissions: permissionsOf(['item_admin']),
  })
  otherAdmin = testPrincipal({
    staffId: 'staff-items-wjj',
    departmentId: wjj,
    roles: ['item_admin'],
    permissions: permissionsOf(['item_admin']),
  })
  reviewer = testPrincipal({
    staffId: 'staff-review',
    roles: ['catalog_reviewer'],
    permissions: permissionsOf(['catalog_reviewer']),
  })
})
afterAll(async () => t.close())

const problemsOf = async (promise: Promise<unknown>) => {
  try {
    await promise
  } catch (error) {
    return (error as { details?: { field: string; message: string }[] }).details ?? []
  }
  return []
}

describe('consistency rules', () => {
  const check = (overrides: Parameters<typeof sampleItem>[0]) =>
    problemsOf(validateItem(t.db, scj, sampleItem(overrides), { rules: true }))

  it('accepts a consistent item and fills in the implementation code', async () => {
    const { elements } = await validateItem(t.db, scj, sampleItem(), { rules: true })
    expect(elements.taskCode).toBe('11445103005126091E1SCJ00000101')
  })

  it('即办 promise ⇔ 即办件', async () => {
    expect((await check({ promiseDay: 0 })).map((p) => p.field)).toContain('projectType')
    expect((await check({ projectType: '即办件' })).map((p) => p.field)).toContain('promiseDay')
    expect(await check({ promiseDay: 0, projectType: '即办件' })).toEqual([])
  })

  it('全程网办 ⇒ no visits, and handled online', async () => {
    expect(await check({ limitSceneNum: 1 })).toEqual([
      { field: 'limitSceneNum', message: expect.stringContaining('全程网办') },
    ])
    expect((await check({ handleType: ['窗口办理'] })).map((p) => p.field)).toContain('handleType')
    expect(await check({ limitSceneNum: 1, onlineHandleDepth: 3 })).toEqual([])
  })

  it('收费 ⇒ basis and fee rows; 不收费 ⇒ no fee rows', async () => {
    const fee = {
      feeName: '工本费',
      feeStand: '每本 10 元',
      amountFen: 1000,
      byLaw: '某文件',
      isDesc: false,
      descExplain: '',
    }
    expect((await check({ isFee: true })).map((p) => p.field)).toEqual(['feeBasis', 'fees'])
    expect((await check({ isFee: false, fees: [fee] })).map((p) => p.field)).toEqual(['fees'])
    expect(await check({ isFee: true, feeBasis: '某文件', fees: [fee] })).toEqual([])
  })

  it('a result named …证 is of type 出证', async () => {
    expect((await check({ resultType: '审批文书' })).map((p) => p.field)).toEqual(['resultType'])
    expect(await check({ resultType: '审批文书', resultName: '准予许可决定书' })).toEqual([])
  })

  it('the promise cannot exceed the legal limit', async () => {
    expect((await check({ promiseDay: 25 })).map((p) => p.field)).toEqual(['promiseDay'])
  })

  it('the implementation code belongs to the department and ends with the basic code', async () => {
    const wrong = await check({ taskCode: '11445103015092112P1SCJ00000101' })
    expect(wrong.map((p) => p.field)).toEqual(['taskCode'])
    expect(wrong[0]?.message).toContain('11445103005126091E')
  })

  it('联办件 names joint departments that exist; topics fit the audience', async () => {
    expect((await check({ projectType: '联办件' })).map((p) => p.field)).toContain('otherDept')
    expect((await check({ otherDept: ['nosuch'] })).map((p) => p.field)).toEqual(['otherDept[0]'])
    expect((await check({ serverType: ['自然人'], topics: ['license'] })).map((p) => p.field)).toEqual(['topics[0]'])
  })

  it('schema problems name the field in Chinese', async () => {
    const problems = await problemsOf(
      validateItem(t.db, scj, sampleItem({ taskName: '', catalogCode: 'bad' }), { rules: true }),
    )
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'catalogCode', message: '格式不正确' },
        { field: 'taskName', message: expect.stringContaining('字符') },
      ]),
    )
  })
})

describe('life cycle', () => {
  it('draft → review → published, then a new version supersedes it and the old one stays intact', async () => {
    const { itemId, versionId } = await createItem(t.deps, itemAdmin, sampleItem({ catalogCode: '1SCJ00000201' }))
    await submitForReview(t.deps, itemAdmin, versionId)
    await reviewVersion(t.deps, reviewer, versionId, { approve: true })
    const v1 = await getVersion(t.db, versionId)
    expect(v1.state).toBe('published')
    expect((await getItem(t.db, itemId)).currentVersionId).toBe(versionId)
    const found = await search(t.db, '食品经营许可')
    expect(found.hits.map((h) => h.refId)).toContain(itemId)

    const { versionId: v2Id } = await startNewVersion(t.deps, itemAdmin, itemId)
    await saveDraft(
      t.deps,
      itemAdmin,
      v2Id,
      sampleItem({ catalogCode: '1SCJ00000201', promiseDay: 3 }),
      '承诺时限缩短为 3 个工作日',
    )
    // the published version does not change while the draft does
    expect(JSON.parse((await getVersion(t.db, versionId)).elements).promiseDay).toBe(5)
    await submitForReview(t.deps, itemAdmin, v2Id)
    await reviewVersion(t.deps, reviewer, v2Id, { approve: true })
    const versions = await listVersions(t.db, itemId)
    expect(versions.map((v) => [v.version, v.state])).toEqual([
      [2, 'published'],
      [1, 'superseded'],
    ])
    expect(JSON.parse(versions[1]!.elements).promiseDay).toBe(5)
    expect(JSON.parse(versions[0]!.elements).promiseDay).toBe(3)
    expect(versions[0]?.changeNote).toBe('承诺时限缩短为 3 个工作日')
    expect((await getItem(t.db, itemId)).currentVersionId).toBe(v2Id)
  })

  it('refuses submitting an inconsistent draft and lists every rule broken', async () => {
    const { versionId } = await createItem(
      t.deps,
      itemAdmin,
      sampleItem({ catalogCode: '1SCJ00000301', limitSceneNum: 2, promiseDay: 0 }),
    )
    const problems = await problemsOf(submitForReview(t.deps, itemAdmin, versionId))
    expect(problems.map((p) => p.field).sort()).toEqual(['limitSceneNum', 'projectType'])
    expect((await getVersion(t.db, versionId)).state).toBe('draft')
  })

  it('a rejection goes back to draft with the reviewer’s comment, which is required', async () => {
    const { versionId } = await createItem(t.deps, itemAdmin, sampleItem({ catalogCode: '1SCJ00000401' }))
    await submitForReview(t.deps, itemAdmin, versionId)
    expect(
      (await problemsOf(reviewVersion(t.deps, reviewer, versionId, { approve: false }))).map((p) => p.field),
    ).toEqual(['comment'])
    await reviewVersion(t.deps, reviewer, versionId, { approve: false, comment: '请补充法律依据条款' })
    const v = await getVersion(t.db, versionId)
    expect(v.state).toBe('draft')
    expect(v.reviewComment).toBe('请补充法律依据条款')
  })

  it('invalid transitions are refused with a clear message', async () => {
    const { itemId, versionId } = await createItem(t.deps, itemAdmin, sampleItem({ catalogCode: '1SCJ00000501' }))
    await expect(reviewVersion(t.deps, reviewer, versionId, { approve: true })).rejects.toThrow(
      '当前为「草稿」，不能审核通过',
    )
    await submitForReview(t.deps, itemAdmin, versionId)
    await expect(saveDraft(t.deps, itemAdmin, versionId, sampleItem({ catalogCode: '1SCJ00000501' }))).rejects.toThrow(
      '不能修改',
    )
    await reviewVersion(t.deps, reviewer, versionId, { approve: true })
    await startNewVersion(t.deps, itemAdmin, itemId)
    await expect(startNewVersion(t.deps, itemAdmin, itemId)).rejects.toThrow('未发布的新版本')
  })

  it('only the owning department’s item administrators edit', async () => {
    const { versionId } = await createItem(t.deps, itemAdmin, sampleItem({ catalogCode: '1SCJ00000601' }))
    await expect(saveDraft(t.deps, otherAdmin, versionId, sampleItem({ catalogCode: '1SCJ00000601' }))).rejects.toThrow(
      '只能编辑本部门的事项',
    )
    await expect(submitForReview(t.deps, otherAdmin, versionId)).rejects.toThrow('只能编辑本部门的事项')
  })

  it('codes cannot change between versions; a code already used is refused', async () => {
    const { versionId } = await createItem(t.deps, itemAdmin, sampleItem({ catalogCode: '1SCJ00000701' }))
    await expect(saveDraft(t.deps, itemAdmin, versionId, sampleItem({ catalogCode: '1SCJ00000702' }))).rejects.toThrow(
      '编码',
    )
    await expect(createItem(t.deps, itemAdmin, sampleItem({ catalogCode: '1SCJ00000701' }))).rejects.toThrow(
      '已被其他事项使用',
    )
  })

  it('withdrawal needs a reason, removes the item from search and keeps its versions', async () => {
    const { itemId, versionId } = await createItem(
      t.deps,
      itemAdmin,
      sampleItem({ catalogCode: '1SCJ00000801', taskName: '撤销测试事项' }),
    )
    await submitForReview(t.deps, itemAdmin, versionId)
    await reviewVersion(t.deps, reviewer, versionId, { approve: true })
    expect((await search(t.db, '撤销测试事项')).hits.map((h) => h.refId)).toContain(itemId)
    await expect(withdrawItem(t.deps, reviewer, itemId, ' ')).rejects.toThrow()
    await withdrawItem(t.deps, reviewer, itemId, '职能调整')
    expect((await search(t.db, '撤销测试事项')).hits.map((h) => h.refId)).not.toContain(itemId)
    expect((await listVersions(t.db, itemId))[0]?.state).toBe('withdrawn')
  })

  it('writes one audit entry per state change and keeps the chain valid', async () => {
    const { itemId, versionId } = await createItem(t.deps, itemAdmin, sampleItem({ catalogCode: '1SCJ00000901' }))
    await submitForReview(t.deps, itemAdmin, versionId)
    await reviewVersion(t.deps, reviewer, versionId, { approve: true })
    const onVersion = await listAudit(t.db, { objectType: 'item_version', objectId: versionId })
    expect(onVersion.entries.map((e) => e.action).reverse()).toEqual(['catalog.submit', 'catalog.approve'])
    const onItem = await listAudit(t.db, { objectType: 'item', objectId: itemId })
    expect(onItem.entries.map((e) => e.action)).toEqual(['catalog.item_create'])
    expect((await verifyAuditChain(t.db)).ok).toBe(true)
  })
})
