/**
 * Several server processes on one machine (`WORKERS` > 1): node:cluster forks the workers, which
 * share the listening port (the primary hands each new connection to the next worker in turn).
 * The primary migrates and seeds once before forking, keeps no database connection of its own,
 * restarts a worker that dies, and on SIGTERM / SIGINT stops them all (each finishing the
 * requests it has).
 *
 * The primary also keeps the **write gate** of the embedded SQLite file: one worker's group of
 * transactions at a time, in order of asking (sqlite-driver.ts). Without it a worker waiting
 * for SQLite's write lock sleeps on its event loop's thread.
 */
import cluster, { type Worker } from 'node:cluster'
import type { WriteGate } from './db/sqlite-driver.js'

const TAG = 'yiwang:write-gate'
const STOP = 'yiwang:stop'

/** The primary asks a worker to stop (finishing the requests it has), as SIGTERM would. */
export function isStopMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { tag?: unknown }).tag === STOP
}

type GateMessage =
  | { tag: typeof TAG; op: 'acquire'; id: number }
  | { tag: typeof TAG; op: 'release' }
  | { tag: typeof TAG; op: 'cancel'; id: number }
  | { tag: typeof TAG; op: 'grant'; id: number }

function isGateMessage(message: unknown): message is GateMessage {
  return typeof message === 'object' && message !== null && (message as { tag?: unknown }).tag === TAG
}

/**
 * The primary's side: who holds the gate, who waits for it (first come, first served). A holder
 * is anything that can be told it got the gate: a worker over IPC, or (tests) a local callback.
 */
export class WriteGateKeeper<H = Worker> {
  #holder: H | undefined
  readonly #queue: Array<{ holder: H; id: number; grant: () => void }> = []
  /** Grants so far. */
  grants = 0

  acquire(holder: H, id: number, grant: () => void): void {
    if (this.#holder === undefined) {
      this.#give(holder, grant)
      return
    }
    this.#queue.push({ holder, id, grant })
  }

  release(holder: H): void {
    if (this.#holder !== holder) return
    this.#holder = undefined
    const next = this.#queue.shift()
    if (next) this.#give(next.holder, next.grant)
  }

  /** A wait given up (timed out) before its grant. */
  cancel(holder: H, id: number): void {
    const at = this.#queue.findIndex((w) => w.holder === holder && w.id === id)
    if (at >= 0) this.#queue.splice(at, 1)
  }

  /** A holder gone (a worker exited): its waits are dropped and its gate passed on. */
  drop(holder: H): void {
    for (let i = this.#queue.length - 1; i >= 0; i--) if (this.#queue[i]!.holder === holder) this.#queue.splice(i, 1)
    this.release(holder)
  }

  #give(holder: H, grant: () => void): void {
    this.#holder = holder
    this.grants++
    grant()
  }
}

/** The primary answers a worker's gate messages. */
function serveGate(keeper: WriteGateKeeper<Worker>, worker: Worker): void {
  worker.on('message', (message: unknown) => {
    if (!isGateMessage(message)) return
    if (message.op === 'acquire') {
      const { id } = message
      keeper.acquire(worker, id, () => {
        if (worker.isConnected()) worker.send({ tag: TAG, op: 'grant', id } satisfies GateMessage)
      })
    } else if (message.op === 'release') keeper.release(worker)
    else if (message.op === 'cancel') keeper.cancel(worker, message.id)
  })
  // A worker that dies holding the gate: SQLite let go of its lock with the process.
  worker.on('exit', () => keeper.drop(worker))
}

/**
 * Waits for a grant that `ask` requests, at most `timeoutMs`; then `giveUp` withdraws the request
 * and the wait fails with SQLITE_BUSY (a 503), as a wait for the writer within a process does.
 */
function waitForGrant(timeoutMs: number, ask: (granted: () => void) => void, giveUp: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      giveUp()
      reject(Object.assign(new Error('SQLite write gate wait timed out'), { code: 'SQLITE_BUSY' }))
    }, timeoutMs)
    timer.unref()
    ask(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** A gate within one process (several connections to one file in tests and tools). */
export function localWriteGate(keeper: WriteGateKeeper<object>): WriteGate {
  const me = {}
  let nextId = 1
  return {
    acquire(timeoutMs: number): Promise<void> {
      const id = nextId++
      return waitForGrant(
        timeoutMs,
        (granted) => keeper.acquire(me, id, granted),
        () => keeper.cancel(me, id),
      )
    },
    release: () => keeper.release(me),
  }
}

/**
 * A worker's side of the gate, over the IPC channel to the primary. A grant that arrives after
 * its wait timed out is handed straight back.
 */
export function ipcWriteGate(channel: NodeJS.Process = process): WriteGate {
  if (!channel.send) throw new Error('ipcWriteGate: this process has no IPC channel to a primary')
  const send = (message: GateMessage) => channel.send!(message)
  let nextId = 1
  const waiting = new Map<number, () => void>()
  channel.on('message', (message: unknown) => {
    if (!isGateMessage(message) || message.op !== 'grant') return
    const granted = waiting.get(message.id)
    if (granted) {
      waiting.delete(message.id)
      granted()
    } else {
      send({ tag: TAG, op: 'release' })
    }
  })
  return {
    acquire(timeoutMs: number): Promise<void> {
      const id = nextId++
      return waitForGrant(
        timeoutMs,
        (granted) => {
          waiting.set(id, granted)
          send({ tag: TAG, op: 'acquire', id })
        },
        () => {
          waiting.delete(id)
          send({ tag: TAG, op: 'cancel', id })
        },
      )
    },
    release(): void {
      send({ tag: TAG, op: 'release' })
    },
  }
}

export interface ClusterOptions {
  workers: number
  /** Environment added to every worker's. */
  env: Record<string, string>
  log: (message: string) => void
}

/**
 * The primary: forks the workers, serves the write gate, restarts a worker that exits on its own
 * (at most once a second), and stops them all on SIGTERM / SIGINT. Resolves once every worker
 * listens.
 */
export async function runPrimary(options: ClusterOptions): Promise<{ close: () => Promise<void> }> {
  const gate = new WriteGateKeeper<Worker>()
  let stopping = false
  let starting = true
  let lastRestart = 0
  const listening = new WeakSet<Worker>()
  const fork = () => {
    if (stopping) return undefined
    const worker = cluster.fork(options.env)
    serveGate(gate, worker)
    worker.once('listening', () => listening.add(worker))
    worker.on('exit', (code, signal) => {
      if (stopping || starting) return
      options.log(
        `[yiwang] 工作进程 ${worker.process.pid} 退出（${signal ?? code}），正在重启 / worker exited, restarting`,
      )
      const wait = Math.max(0, lastRestart + 1000 - Date.now())
      lastRestart = Date.now() + wait
      setTimeout(fork, wait)
    })
    return worker
  }
  const workers = Array.from({ length: options.workers }, () => fork()!)
  const close = async () => {
    stopping = true
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead())
    await Promise.all(
      alive.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve())
            // A serving worker gets a message, not a signal: one that got the terminal's SIGINT
            // too would take a second signal for "exit now". One still starting may not listen
            // for messages yet; it has nothing in hand, and SIGTERM ends it.
            if (listening.has(worker) && worker.isConnected()) worker.send({ tag: STOP })
            else worker.process.kill('SIGTERM')
          }),
      ),
    )
  }
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const failed = (code: number | null) =>
              reject(new Error(`工作进程启动失败 / worker failed to start (${code})`))
            worker.once('listening', () => {
              worker.off('exit', failed)
              resolve()
            })
            worker.once('exit', failed)
          }),
      ),
    )
  } catch (error) {
    await close()
    throw error
  }
  starting = false
  return { close }
}
