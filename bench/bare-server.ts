/**
 * The ceiling of this machine, for comparison with the application's routes in the same run: a
 * bare Fastify server with a route that returns a constant, a route that does one indexed
 * query (an application by id) on the same database, through the same driver settings, and a
 * route that sends a body and headers of a given size (what a kept page costs to send and read).
 *
 *   PORT=4100 DATABASE_URL=sqlite:bench/data/district-10k.sqlite npx tsx bench/bare-server.ts
 */
import { randomBytes } from 'node:crypto'
import Fastify from 'fastify'
import { loadConfig } from '../src/platform/config.js'
import { createDatabase } from '../src/platform/db/database.js'

const config = loadConfig()
const db = createDatabase(config.database)
const app = Fastify({ logger: false })

app.get('/const', async () => ({ ok: true }))

app.get<{ Querystring: { id?: string } }>('/indexed', async (request, reply) => {
  const row = await db
    .selectFrom('applications')
    .select(['id', 'applicationNo', 'state', 'itemName', 'dueOn'])
    .where('id', '=', request.query.id ?? '')
    .executeTakeFirst()
  if (!row) return reply.code(404).send({ found: false })
  return row
})

/**
 * The ceiling for a page of a given size: `bytes` of body (random, so as a compressed page) and
 * `headers` headers of `headerBytes` in all, sent as they are. Shows what the load generator
 * itself can read of such responses on this machine (the guide scenario compares with it).
 */
const bodies = new Map<number, Buffer>()
app.get<{ Querystring: { bytes?: string; headers?: string; headerBytes?: string } }>('/page', (request, reply) => {
  const bytes = Math.min(Number(request.query.bytes ?? 5000) || 0, 1_000_000)
  const count = Math.min(Number(request.query.headers ?? 0) || 0, 60)
  const each = count ? Math.floor((Number(request.query.headerBytes ?? 0) || 0) / count) : 0
  let body = bodies.get(bytes)
  if (!body) {
    body = randomBytes(bytes)
    bodies.set(bytes, body)
  }
  for (let i = 0; i < count; i++) reply.header(`x-bench-${i}`, 'x'.repeat(Math.max(1, each - 14)))
  reply.type('text/html; charset=utf-8').send(body)
})

app.get('/healthz', async () => ({ status: 'ok' }))

const close = async () => {
  await app.close()
  await db.destroy()
  process.exit(0)
}
process.on('SIGTERM', close)
process.on('SIGINT', close)

await app.listen({ port: config.port, host: '127.0.0.1' })
console.log(`[bare] listening on ${config.port}`)
