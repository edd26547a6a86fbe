/**
 * One warning sweep in its own process, on a SQLite file (a node of the sweep test): prints
 * `ready` once loaded, sweeps when it reads `go` on stdin (so that two processes start together),
 * then prints its result as JSON.
 *
 *   node --import tsx test/supervision-sweep-worker.ts <file> <now ISO>
 */
import { createDeps } from '../src/composition.js'
import { ratingsModuleFacts } from '../src/modules/supervision/supervision.ratings.js'
import { runWarningSweep } from '../src/modules/supervision/supervision.sweep.js'
import { TestClock } from '../src/platform/clock.js'
import { createDatabase } from '../src/platform/db/database.js'
import { testConfig } from './helpers.js'

const [file, now] = process.argv.slice(2)
if (!file || !now) throw new Error('usage: supervision-sweep-worker.ts <file> <now>')
const db = createDatabase({ dialect: 'sqlite', file })
const clock = new TestClock()
clock.set(now)
const deps = createDeps(testConfig({ dialect: 'sqlite', file }), { db, clock })
await deps.calendar.load()
console.log('ready')
await new Promise((resolve) => process.stdin.once('data', resolve))
process.stdin.destroy()
const result = await runWarningSweep(deps, { ratings: ratingsModuleFacts })
await db.destroy()
console.log(JSON.stringify(result))
