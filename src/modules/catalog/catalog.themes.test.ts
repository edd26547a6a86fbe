import { describe, expect, it } from 'vitest'
import { applicableItems, type ThemeDefinition, unansweredQuestions } from './catalog.themes.js'

const theme: ThemeDefinition = {
  code: 'restaurant',
  name: '开办餐饮店',
  summary: '',
  serverType: '法人',
  questions: [
    {
      code: 'entity',
      text: '经营主体',
      options: [
        { value: 'company', label: '公司' },
        { value: 'individual', label: '个体工商户' },
      ],
    },
    {
      code: 'sign',
      text: '有户外招牌吗',
      options: [
        { value: 'yes', label: '有' },
        { value: 'no', label: '没有' },
      ],
    },
  ],
  items: [
    { catalogCode: 'A', departmentCode: 'scj', when: { entity: ['company'] } },
    { catalogCode: 'B', departmentCode: 'scj', when: { entity: ['individual'] } },
    { catalogCode: 'C', departmentCode: 'scj' },
    { catalogCode: 'D', departmentCode: 'zjj', when: { sign: ['yes'], entity: ['company', 'individual'] } },
  ],
}

describe('themes', () => {
  it('picks the items whose conditions all hold, in order', () => {
    expect(applicableItems(theme, { entity: 'individual', sign: 'no' }).map((i) => i.catalogCode)).toEqual(['B', 'C'])
    expect(applicableItems(theme, { entity: 'company', sign: 'yes' }).map((i) => i.catalogCode)).toEqual([
      'A',
      'C',
      'D',
    ])
  })

  it('an unanswered question excludes the items that depend on it', () => {
    expect(applicableItems(theme, {}).map((i) => i.catalogCode)).toEqual(['C'])
  })

  it('lists questions still to answer, ignoring values that are not options', () => {
    expect(unansweredQuestions(theme, { entity: 'company' }).map((q) => q.code)).toEqual(['sign'])
    expect(unansweredQuestions(theme, { entity: 'shop', sign: 'yes' }).map((q) => q.code)).toEqual(['entity'])
  })
})
