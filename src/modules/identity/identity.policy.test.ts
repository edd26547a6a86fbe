import { describe, expect, it } from 'vitest'
import { testPrincipal } from '../../../test/helpers.js'
import {
  actingAsLabel,
  actingFor,
  ownPerson,
  parseItemCodes,
  requireAssurance,
  rightCovers,
  sameDepartment,
  sameDepartmentOrParent,
  sameServicePoint,
} from './identity.policy.js'

const citizen = testPrincipal({ personId: 'p-1' })
const actingCitizen = testPrincipal({ personId: 'p-1', enterpriseId: 'e-1' })
const clerk = testPrincipal({ personId: undefined, staffId: 's-1', departmentId: 'd-scj', servicePointId: 'sp-5' })

describe('record-level rules', () => {
  it('sameDepartment: staff of that department only', () => {
    expect(sameDepartment(clerk, 'd-scj')).toBe(true)
    expect(sameDepartment(clerk, 'd-wjj')).toBe(false)
    expect(sameDepartment(clerk, null)).toBe(false)
    expect(sameDepartment(undefined, 'd-scj')).toBe(false)
    // A citizen whose principal somehow carries a department is still not staff.
    expect(sameDepartment(testPrincipal({ departmentId: 'd-scj' }), 'd-scj')).toBe(false)
  })

  it('sameDepartmentOrParent: a department sees its sub-units, not the other way round', () => {
    expect(sameDepartmentOrParent(clerk, { id: 'd-scj-djzc', parentId: 'd-scj' })).toBe(true)
    expect(sameDepartmentOrParent(clerk, { id: 'd-scj', parentId: null })).toBe(true)
    expect(sameDepartmentOrParent(clerk, { id: 'd-wjj-yz', parentId: 'd-wjj' })).toBe(false)
    const subUnitClerk = testPrincipal({ staffId: 's-2', departmentId: 'd-scj-djzc' })
    expect(sameDepartmentOrParent(subUnitClerk, { id: 'd-scj', parentId: null })).toBe(false)
    expect(sameDepartmentOrParent(clerk, undefined)).toBe(false)
  })

  it('sameServicePoint: staff posted there only', () => {
    expect(sameServicePoint(clerk, 'sp-5')).toBe(true)
    expect(sameServicePoint(clerk, 'sp-8')).toBe(false)
    expect(sameServicePoint(citizen, 'sp-5')).toBe(false)
    expect(sameServicePoint(testPrincipal({ staffId: 's-3' }), undefined)).toBe(false)
  })

  it('ownPerson: the person themself, whatever they act as', () => {
    expect(ownPerson(citizen, 'p-1')).toBe(true)
    expect(ownPerson(actingCitizen, 'p-1')).toBe(true)
    expect(ownPerson(citizen, 'p-2')).toBe(false)
    expect(ownPerson(clerk, 'p-1')).toBe(false)
    expect(ownPerson(undefined, 'p-1')).toBe(false)
    expect(ownPerson(citizen, undefined)).toBe(false)
  })

  it('actingFor: only while switched to that enterprise', () => {
    expect(actingFor(actingCitizen, 'e-1')).toBe(true)
    expect(actingFor(actingCitizen, 'e-2')).toBe(false)
    expect(actingFor(citizen, 'e-1')).toBe(false)
    expect(actingFor(testPrincipal({ personId: undefined, enterpriseId: 'e-1' }), 'e-1')).toBe(false)
    expect(actingFor(undefined, 'e-1')).toBe(false)
  })

  it('rightCovers: legal representatives and all-item agents cover every item; item agents their items', () => {
    const items = {
      role: 'agent',
      grantId: 'g',
      scope: 'items',
      itemCodes: ['A001'],
      validUntil: '2027-01-01',
    } as const
    expect(rightCovers({ role: 'legal_rep' }, 'X999')).toBe(true)
    expect(rightCovers({ ...items, scope: 'all', itemCodes: [] }, 'X999')).toBe(true)
    expect(rightCovers(items, 'A001')).toBe(true)
    expect(rightCovers(items, 'X999')).toBe(false)
    expect(rightCovers(items, undefined)).toBe(true)
    expect(rightCovers(undefined, undefined)).toBe(false)
  })

  it('parses stored item codes defensively and labels the header', () => {
    expect(parseItemCodes('["A001","B002"]')).toEqual(['A001', 'B002'])
    expect(parseItemCodes('not json')).toEqual([])
    expect(parseItemCodes('{"a":1}')).toEqual([])
    expect(parseItemCodes(null)).toEqual([])
    expect(actingAsLabel('潮州市潮安区彩塘镇金记不锈钢制品有限公司')).toBe(
      '代表 潮州市潮安区彩塘镇金记不锈钢制品有限公司',
    )
    expect(actingAsLabel(undefined)).toBeUndefined()
  })
})

describe('requireAssurance', () => {
  it('lets a higher or equal level through and refuses a lower one, saying how to raise it', () => {
    expect(() => requireAssurance({ assuranceLevel: 2 }, 2)).not.toThrow()
    expect(() => requireAssurance({ assuranceLevel: 3 }, 2)).not.toThrow()
    expect(() => requireAssurance({ assuranceLevel: 1 }, 2)).toThrow(/实名二级.*窗口/)
  })
})
