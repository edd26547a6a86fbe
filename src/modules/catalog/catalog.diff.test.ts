import { describe, expect, it } from 'vitest'
import { diffElements, ELEMENT_LABELS, FEE_LABELS, fieldLabel, MATERIAL_LABELS } from './catalog.diff.js'
import { sampleItem } from './catalog.fixtures.js'
import { Fee, ItemElements, Material } from './catalog.model.js'
import type { ItemInput } from './catalog.service.js'

const TASK_CODE = '11445103005126091E1SCJ00000101'
const item = (overrides: Partial<ItemInput> = {}): ItemElements => ({ ...sampleItem(overrides), taskCode: TASK_CODE })

const material = (code: string, name: string, overrides: Partial<ItemElements['materials'][number]> = {}) => ({
  materialCode: code,
  materialName: name,
  materialFormat: '纸质' as const,
  isNeed: true,
  pageNum: 1,
  pageFormat: 'A4',
  sourceType: '申请人自备' as const,
  sourceExplain: '',
  acceptStand: '原件',
  byLaw: '',
  fillExplain: '',
  allowDefer: false,
  ...overrides,
})

describe('labels', () => {
  it('has a Chinese name for every element, material field and fee field', () => {
    expect(Object.keys(ELEMENT_LABELS).sort()).toEqual(Object.keys(ItemElements.properties).sort())
    expect(Object.keys(MATERIAL_LABELS).sort()).toEqual(Object.keys(Material.properties).sort())
    expect(Object.keys(FEE_LABELS).sort()).toEqual(Object.keys(Fee.properties).sort())
    for (const label of Object.values(ELEMENT_LABELS)) expect(label).toMatch(/[\u4e00-\u9fa5]/)
  })

  it('names field paths as problems and changes give them', () => {
    expect(fieldLabel('promiseDay')).toBe('承诺办结时限')
    expect(fieldLabel('materials[2].materialName')).toBe('申请材料第 3 项的材料名称')
    expect(fieldLabel('fees[0]')).toBe('收费项目第 1 项')
    expect(fieldLabel('otherDept[1]')).toBe('联办机构')
    expect(fieldLabel('changeNote')).toBe('变更说明')
  })
})

describe('diffElements', () => {
  it('finds nothing between equal versions, whatever the key order', () => {
    const a = item()
    const b = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(a).reverse()))) as ItemElements
    expect(diffElements(a, b)).toEqual([])
  })

  it('shows a changed promise time with values people read', () => {
    const changes = diffElements(item(), item({ promiseDay: 0, projectType: '即办件', onlineHandleDepth: 3 }))
    expect(changes).toEqual([
      { path: 'promiseDay', label: '承诺办结时限', kind: 'changed', before: '5', after: '0（即办）' },
      { path: 'projectType', label: '办件类型', kind: 'changed', before: '承诺件', after: '即办件' },
      {
        path: 'onlineHandleDepth',
        label: '网上办理深度',
        kind: 'changed',
        before: 'Ⅳ级 全程网办',
        after: 'Ⅲ级 在线办理',
      },
    ])
  })

  it('matches materials by their code: added, removed, and changed field by field', () => {
    const before = item({ materials: [material('id_card', '身份证'), material('licence', '营业执照')] })
    const after = item({
      materials: [material('id_card', '居民身份证', { pageNum: 2 }), material('health', '健康证明')],
    })
    const changes = diffElements(before, after)
    expect(changes.map((c) => [c.kind, c.label])).toEqual([
      ['changed', '申请材料「居民身份证」的材料名称'],
      ['changed', '申请材料「居民身份证」的份数'],
      ['added', '申请材料「健康证明」'],
      ['removed', '申请材料「营业执照」'],
    ])
    expect(changes[1]).toMatchObject({ before: '1', after: '2' })
    // moving a material changes nothing
    expect(diffElements(before, item({ materials: [...before.materials].reverse() }))).toEqual([])
  })

  it('matches fees by name and questions by wording, pairing a reworded one; flow steps by position', () => {
    const fee = { feeName: '工本费', feeStand: '每本 10 元', byLaw: '某文件', isDesc: false, descExplain: '' }
    const changes = diffElements(
      item({
        isFee: true,
        feeBasis: '某文件',
        fees: [fee],
        faqs: [{ question: '要到现场吗？', answer: '不用。' }],
      }),
      item({
        isFee: true,
        feeBasis: '某文件',
        fees: [{ ...fee, feeStand: '每本 20 元', amountFen: 2000 }],
        faqs: [{ question: '需要到现场吗？', answer: '不用。' }],
        handleFlow: [
          { name: '申请', description: '网上提交申请和材料' },
          { name: '受理', description: '当场受理' },
          { name: '决定', description: '作出准予或不予许可决定' },
          { name: '送达', description: '快递送达' },
        ],
      }),
    )
    expect(changes.map((c) => [c.kind, c.label, c.after])).toEqual([
      ['changed', '办理流程第 2 步', '受理：当场受理'],
      ['added', '办理流程第 4 步', '送达：快递送达'],
      ['changed', '收费项目「工本费」的收费标准', '每本 20 元'],
      ['added', '收费项目「工本费」的固定金额', '20.00 元'],
      ['changed', '常见问题「需要到现场吗？」的问题', '需要到现场吗？'],
    ])
  })

  it('treats every element of a new item as added, and names joint departments', () => {
    const changes = diffElements(undefined, item({ otherDept: ['wjj'] }), {
      departmentName: (code) => (code === 'wjj' ? '区卫生健康局' : undefined),
    })
    expect(changes.every((c) => c.kind === 'added')).toBe(true)
    expect(changes.find((c) => c.path === 'otherDept')?.after).toBe('区卫生健康局')
    expect(changes.find((c) => c.path === 'isFee')?.after).toBe('否')
  })
})
