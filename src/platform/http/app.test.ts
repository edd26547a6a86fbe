import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/helpers.js'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t.close())

describe('GET /', () => {
  it('serves the home page in the page shell', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/html')
    expect(res.body).toContain('<html lang="zh-CN"')
    expect(res.body).toContain('潮安区网上办事大厅')
    expect(res.body).toContain('href="#main"')
    expect(res.body).toContain('主办单位')
    expect(res.body).toContain('无障碍声明')
  })
})
