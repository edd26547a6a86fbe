/**
 * The real `yiwang serve` process: it migrates and seeds an empty database, serves, and on
 * SIGTERM finishes what is in flight and exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-serve-'))

/** The environment of a real start: the embedded mode, without what the test runner sets (Vite sets BASE_URL=/). */
function serveEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME }
  return { ...env, DATA_DIR: dataDir, PORT: String(port), NODE_ENV: 'development', LOG_LEVEL: 'warn' }
}
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }))

function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${out}`)), timeoutMs)
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      if (pattern.test(out)) {
        clearTimeout(timer)
        resolve(out)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (pattern.test(out)) resolve(out)
      else reject(new Error(`exited with ${code} before ${pattern}; output:\n${out}`))
    })
  })
}

describe('yiwang serve', () => {
  it('starts on an empty database with demo data and stops cleanly on SIGTERM', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000)
    const env = serveEnv(port)
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      const output = await waitFor(child, /serving at/, 60_000)
      expect(output).toContain('演示数据')
      expect(output).toContain('window01')
      const home = await fetch(`http://127.0.0.1:${port}/`)
      expect(home.status).toBe(200)
      expect(await home.text()).toContain('潮安区网上办事大厅')
      expect(fs.existsSync(path.join(dataDir, 'yiwang.sqlite'))).toBe(true)
      expect(fs.existsSync(path.join(dataDir, 'yiwang.sqlite-wal'))).toBe(true)

      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }, 120_000)

  it('prints the demo accounts only the first time', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000)
    const env = serveEnv(port)
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      const output = await waitFor(child, /serving at/, 60_000)
      expect(output).not.toContain('演示数据 / demo data')
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }, 120_000)

  it('refuses to start with an invalid configuration, saying why', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
      env: { ...serveEnv(0), PORT: 'abc' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const output = await waitFor(child, /PORT/, 30_000)
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    expect(code).toBe(2)
    expect(output).toContain('配置有误')
  })
})
