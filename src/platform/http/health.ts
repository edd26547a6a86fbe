import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'

const Health = Type.Object({ status: Type.String(), database: Type.Optional(Type.String()) })

/** /healthz: the process answers. /readyz: and its database does (load balancers use this). */
export function registerHealth(app: FastifyInstance, db: Db): void {
  app.get(
    '/healthz',
    {
      schema: { tags: ['platform'], summary: '存活检查', response: { 200: Health } },
      config: { policy: { public: true } },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' }),
  )
  app.get(
    '/readyz',
    {
      schema: { tags: ['platform'], summary: '就绪检查（数据库可用）', response: { 200: Health, 503: Health } },
      config: { policy: { public: true } },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      try {
        await withTimeout(sql`select 1`.execute(db), 3000)
        return { status: 'ok', database: 'ok' }
      } catch {
        reply.header('cache-control', 'no-store')
        return reply.code(503).send({ status: 'unavailable', database: 'unreachable' })
      }
    },
  )
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
