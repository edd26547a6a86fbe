import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, redactUrl } from './config.js'

describe('loadConfig', () => {
  it('defaults to the embedded mode: SQLite under ./data, port 3000', () => {
    const config = loadConfig({})
    expect(config.port).toBe(3000)
    expect(config.baseUrl).toBe('http://localhost:3000')
    expect(config.database).toEqual({ dialect: 'sqlite', file: path.resolve('data/yiwang.sqlite') })
    expect(config.filesDir).toBe(path.resolve('data/files'))
    expect(config.secureCookies).toBe(false)
    expect(config.seedDemo).toBe(true)
  })

  it('takes PostgreSQL from DATABASE_URL and secure cookies from an https BASE_URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/yiwang', BASE_URL: 'https://ca.example.gov.cn/' })
    expect(config.database).toEqual({ dialect: 'postgres', url: 'postgres://u:p@db:5432/yiwang', poolSize: 10 })
    expect(config.baseUrl).toBe('https://ca.example.gov.cn')
    expect(config.secureCookies).toBe(true)
  })

  it('lists every problem at once, in Chinese and English', () => {
    let error: unknown
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', BASE_URL: 'ftp://x', LOG_LEVEL: 'loud' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems
    expect(problems).toHaveLength(4)
    expect(problems[0]).toContain('PORT 应为 0 到 65535 之间的整数')
    expect(problems[0]).toContain('PORT must be an integer')
    expect(problems.join('\n')).toContain('DATABASE_URL')
    expect(problems.join('\n')).toContain('BASE_URL')
    expect(problems.join('\n')).toContain('LOG_LEVEL')
  })

  it('requires secrets and data keys in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET[\s\S]*|DATA_KEYS/)
    const ok = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(32),
      DATA_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
    })
    expect(ok.seedDemo).toBe(false)
  })

  it('never shows a database password', () => {
    expect(redactUrl('postgres://yiwang:s3cret@db/yiwang')).toBe('postgres://yiwang:***@db/yiwang')
    let message = ''
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:s3cret@db/x' })
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).not.toContain('s3cret')
  })
})
