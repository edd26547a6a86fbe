/** The time source. Services ask it instead of `new Date()`, so tests can move time. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock tests can set and advance. */
export class TestClock implements Clock {
  constructor(private current: Date = new Date('2026-03-02T02:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current)
  }
  set(iso: string | Date): void {
    this.current = new Date(iso)
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms)
  }
}
