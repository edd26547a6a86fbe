/**
 * `yiwang serve` with WORKERS=2 on the embedded SQLite file: the primary prepares the database
 * and forks two workers sharing the port; both write to the file (through the write gate) without
 * losing or doubling anything; a worker that dies is replaced; SIGTERM stops them all.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-workers-'))
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }))

/** The server processes whose parent is `pid` (Linux /proc; not tsx's esbuild). */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const parent = Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1])
        return parent === pid && fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('cli.ts')
      } catch {
        return false
      }
    })
    .map(Number)
}

/** CPU seconds a process has used (utime + stime). */
function cpuOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** A POST on a connection of its own (the primary hands each new connection to the next worker). */
function post(port: number, urlPath: string, body: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; text: string; cookies: string[] }>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, cookies: res.headers['set-cookie'] ?? [] }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** `yiwang <args>` with this environment; `output()` is what it has printed so far. */
function cli(args: string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let printed = ''
  const keep = (b: Buffer) => {
    printed += b.toString()
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  return { child, output: () => printed }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** A login attempt for an account that does not exist: refused, and recorded in the audit log. */
async function failedLogin(port: number, n: number) {
  const page = await fetch(`http://127.0.0.1:${port}/login`, { headers: { connection: 'close' } })
  const html = await page.text()
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const body = new URLSearchParams({ _csrf: token, account: `nobody${n}`, password: 'wrong-password-1' }).toString()
  return post(port, '/login', body, { cookie })
}

describe('yiwang serve with WORKERS=2 (SQLite)', () => {
  it('two workers share the port and the file; a dead worker is replaced; SIGTERM stops all', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000)
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      PORT: String(port),
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      PRERENDER_GUIDES: 'false',
      WORKERS: '2',
    }
    const { child, output } = cli(['serve'], env)
    try {
      await waitUntil(() => /serving at/.test(output()) || child.exitCode !== null, 90_000, 'serving at')
      expect(output()).toContain('启动 2 个工作进程')
      const workers = childrenOf(child.pid!)
      expect(workers).toHaveLength(2)

      // Twenty refused logins at once, each on a connection of its own: both workers write the
      // audit log, and the chain has every entry once, in order, without a gap.
      const cpuBefore = workers.map(cpuOf)
      const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => failedLogin(port, n)))
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(401))
      // Both workers answered: a refused login costs a password hash's worth of CPU (tens of
      // milliseconds), and the primary deals new connections to the workers in turn.
      const used = workers.map((pid, i) => cpuOf(pid) - cpuBefore[i]!)
      expect(used.every((seconds) => seconds > 0.1)).toBe(true)
      const db = new SQLite(path.join(dataDir, 'yiwang.sqlite'), { readonly: true })
      try {
        const audit = db
          .prepare("select count(*) as n, count(distinct seq) as seqs from audit_log where action = 'identity.login'")
          .get() as { n: number; seqs: number }
        expect(audit.n).toBe(20)
        expect(audit.seqs).toBe(20)
        const all = db.prepare('select count(*) as n, max(seq) as top from audit_log').get() as {
          n: number
          top: number
        }
        expect(all.top).toBe(all.n)
      } finally {
        db.close()
      }
      const verify = cli(['verify-audit'], env)
      const verifiedCode = await new Promise((resolve) => verify.child.on('exit', resolve))
      expect({ verifiedCode, report: verify.output() }).toMatchObject({ verifiedCode: 0 })

      // A worker killed outright is replaced; the port is served meanwhile and after.
      process.kill(workers[0]!, 'SIGKILL')
      await waitUntil(
        () => {
          const now = childrenOf(child.pid!)
          return now.length === 2 && !now.includes(workers[0]!)
        },
        60_000,
        'a replacement worker',
      )
      expect(output()).toContain('正在重启')
      await waitUntil(
        async () => (await failedLogin(port, 99).catch(() => undefined))?.status === 401,
        60_000,
        'the port',
      )

      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      const left = childrenOf(child.pid!)
      child.kill('SIGTERM')
      const code = await exited
      if (code !== 0) throw new Error(`exit ${code}: ${output()}`)
      for (const pid of left) expect(fs.existsSync(`/proc/${pid}`)).toBe(false)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }, 180_000)
})
