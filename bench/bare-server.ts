/**
 * The ceiling of this machine, for comparison with the application's routes in the same run: a
 * bare Fastify server with a route that returns a constant and a route that does one indexed
 * query (an application by id) on the same database, through the same driver settings.
 *
 *   PORT=4100 DATABASE_URL=sqlite:bench/data/district-10k.sqlite npx tsx bench/bare-server.ts
 */
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
