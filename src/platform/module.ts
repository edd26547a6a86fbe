/**
 * What a module gives the application: its routes and pages, its navigation entries, its
 * background sweeps and its demo data. composition.ts creates the modules; app.ts registers them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Principal } from './auth/principal.js'

export interface NavEntry {
  href: string
  label: string
  /** Lower first. */
  order: number
  /** Shown only when this returns true (e.g. logged in, or holding a permission). */
  visible?: (principal: Principal | undefined) => boolean
}

export interface Sweep {
  name: string
  /** How often it runs, in milliseconds. */
  everyMs: number
  /** Does one round of work; must be safe when several processes run it at once. */
  run(): Promise<void>
}

export interface SeedReport {
  /** Lines printed once when the demo data was first created (demo accounts, client secrets). */
  announcements: string[]
}

export interface AppModule {
  name: string
  nav?: NavEntry[]
  register(app: FastifyInstance): Promise<void> | void
  sweeps?: Sweep[]
  /** Demo data; must be idempotent (running it twice changes nothing). */
  seed?(report: SeedReport, progress: (message: string) => void): Promise<void>
  /** Runs on every request of the application, after the principal is resolved. */
  onRequest?(request: FastifyRequest, reply: FastifyReply): Promise<unknown>
  /** Resolves who is calling (only the identity module does). */
  resolvePrincipal?(request: FastifyRequest): Promise<Principal | undefined>
}
