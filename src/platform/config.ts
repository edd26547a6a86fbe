/**
 * Configuration from environment variables, validated once at boot.
 *
 * Every variable has a default that gives the embedded mode (SQLite under ./data), so
 * `npm start` needs nothing set. A wrong value stops the process with a message in
 * Chinese and English naming the variable, what was given and what is expected.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'

export type DatabaseConfig =
  | { readonly dialect: 'sqlite'; readonly file: string }
  | { readonly dialect: 'postgres'; readonly url: string; readonly poolSize: number }

export interface Config {
  readonly env: 'development' | 'production' | 'test'
  readonly port: number
  readonly host: string
  readonly baseUrl: string
  readonly dataDir: string
  readonly filesDir: string
  readonly database: DatabaseConfig
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Secret for cookie signing and CSRF; random per process when unset in development. */
  readonly sessionSecret: string
  /** Whether cookies carry the Secure flag and the __Host- prefix (behind TLS). */
  readonly secureCookies: boolean
  readonly trustProxy: boolean
  /** Largest request body accepted, in bytes (uploads have their own limit). */
  readonly bodyLimit: number
  readonly uploadLimit: number
  /** Requests a minute from one address before 429. */
  readonly rateLimitPerMinute: number
  /** Seed demo data (departments, demo accounts) on start when the database is empty. */
  readonly seedDemo: boolean
  /** Background sweeps (notification delivery, deadline checks) in this process. */
  readonly runSweeps: boolean
  /** Server processes sharing the port (node:cluster); 1: the server is the one process. */
  readonly workers: number
  /** 自助终端: seconds without a touch before a kiosk session is ended and its data cleared. */
  readonly kioskIdleSeconds: number
  /** Megabytes of rendered public pages kept for anonymous visitors (0: none kept). */
  readonly pageCacheMb: number
  /** Render every published guide ahead into the page cache (after start and after a change). */
  readonly prerenderGuides: boolean
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`配置有误 / invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

/** Reads and validates the configuration; throws ConfigError listing every problem at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = []
  const read = new EnvReader(env, problems)

  const nodeEnv = read.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development')
  const port = read.integer('PORT', 3000, 0, 65535)
  const host = read.string('HOST', '0.0.0.0')
  const baseUrl = read.url('BASE_URL', `http://localhost:${port}`).replace(/\/+$/, '')
  const dataDir = path.resolve(read.string('DATA_DIR', './data'))
  const databaseUrl = read.string('DATABASE_URL', '')
  const poolSize = read.integer('DATABASE_POOL_SIZE', 10, 1, 200)

  let database: DatabaseConfig = { dialect: 'sqlite', file: path.join(dataDir, 'yiwang.sqlite') }
  if (databaseUrl) {
    if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
      database = { dialect: 'postgres', url: databaseUrl, poolSize }
    } else if (databaseUrl.startsWith('sqlite:')) {
      const file = databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '')
      database = { dialect: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) }
    } else {
      problems.push(
        `DATABASE_URL 只支持 postgres://… 或 sqlite:文件路径，不设置则使用内置 SQLite / DATABASE_URL must be postgres://… or sqlite:<file>; leave it unset for the embedded SQLite (got "${redactUrl(databaseUrl)}")`,
      )
    }
  }

  const secret = read.string('SESSION_SECRET', '')
  if (secret && secret.length < 32) {
    problems.push('SESSION_SECRET 至少 32 个字符 / SESSION_SECRET must be at least 32 characters')
  }
  if (nodeEnv === 'production' && !read.string('DATA_KEYS', '')) {
    problems.push(
      '生产环境必须设置 DATA_KEYS 和 DATA_INDEX_KEY（敏感字段加密密钥） / DATA_KEYS and DATA_INDEX_KEY are required in production',
    )
  }
  if (!secret && nodeEnv === 'production') {
    problems.push('生产环境必须设置 SESSION_SECRET / SESSION_SECRET is required in production')
  }
  const secureDefault = baseUrl.startsWith('https://')

  const config: Config = {
    env: nodeEnv,
    port,
    host,
    baseUrl,
    dataDir,
    filesDir: path.join(dataDir, 'files'),
    database,
    logLevel: read.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      nodeEnv === 'test' ? 'silent' : 'info',
    ),
    sessionSecret: secret || randomBytes(32).toString('hex'),
    secureCookies: read.boolean('SECURE_COOKIES', secureDefault),
    trustProxy: read.boolean('TRUST_PROXY', false),
    bodyLimit: read.integer('BODY_LIMIT', 1024 * 1024, 1024, 100 * 1024 * 1024),
    uploadLimit: read.integer('UPLOAD_LIMIT', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    rateLimitPerMinute: read.integer('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    seedDemo: read.boolean('SEED_DEMO', nodeEnv !== 'production'),
    runSweeps: read.boolean('RUN_SWEEPS', nodeEnv !== 'test'),
    workers: read.integer('WORKERS', 1, 1, 64),
    kioskIdleSeconds: read.integer('KIOSK_IDLE_SECONDS', 120, 5, 3600),
    pageCacheMb: read.integer('PAGE_CACHE_MB', 128, 0, 16384),
    prerenderGuides: read.boolean('PRERENDER_GUIDES', true),
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}

/** Hides the password of a connection URL so it can be logged. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@')
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]
    return value === undefined || value.trim() === '' ? undefined : value.trim()
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name)
    if (value === undefined) return fallback
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(
        `${name} 应为 ${min} 到 ${max} 之间的整数 / ${name} must be an integer from ${min} to ${max} (got "${value}")`,
      )
      return fallback
    }
    return n
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase()
    if (value === undefined) return fallback
    if (['1', 'true', 'yes', 'on'].includes(value)) return true
    if (['0', 'false', 'no', 'off'].includes(value)) return false
    this.problems.push(`${name} 应为 true 或 false / ${name} must be true or false (got "${value}")`)
    return fallback
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name)
    if (value === undefined) return fallback
    if ((allowed as readonly string[]).includes(value)) return value as T
    this.problems.push(
      `${name} 只能是 ${allowed.join(' / ')} / ${name} must be one of ${allowed.join(', ')} (got "${value}")`,
    )
    return fallback
  }

  url(name: string, fallback: string): string {
    const value = this.raw(name)
    if (value === undefined) return fallback
    try {
      const url = new URL(value)
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol')
      return value
    } catch {
      this.problems.push(
        `${name} 应为 http:// 或 https:// 开头的网址 / ${name} must be an http(s) URL (got "${value}")`,
      )
      return fallback
    }
  }
}
