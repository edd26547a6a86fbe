/**
 * Runs the modules' background sweeps on timers. Each sweep is safe to run on several
 * processes at once (row claims in the database), so every node runs them.
 */
import type { Sweep } from './module.js'

export interface SweepLogger {
  error(obj: object, message: string): void
}

export class SweepRunner {
  private timers: NodeJS.Timeout[] = []
  private running = new Set<Promise<void>>()
  private stopped = false

  constructor(
    private readonly sweeps: Sweep[],
    private readonly log: SweepLogger,
  ) {}

  start(): void {
    for (const sweep of this.sweeps) {
      let busy = false
      const tick = () => {
        if (busy || this.stopped) return
        busy = true
        const run = sweep
          .run()
          .catch((err) => this.log.error({ err, sweep: sweep.name }, 'sweep failed'))
          .finally(() => {
            busy = false
            this.running.delete(run)
          })
        this.running.add(run)
      }
      // A little jitter so several nodes do not all start at the same instant.
      const timer = setInterval(tick, sweep.everyMs + Math.floor(Math.random() * 250))
      timer.unref()
      this.timers.push(timer)
    }
  }

  /** Stops the timers and waits for rounds in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true
    for (const t of this.timers) clearInterval(t)
    this.timers = []
    await Promise.allSettled([...this.running])
  }
}
