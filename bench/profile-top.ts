/**
 * Prints the functions with the most self time in a V8 CPU profile (`node --cpu-prof`):
 *   npx tsx bench/profile-top.ts file.cpuprofile [count]
 */
import fs from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}
const file = process.argv[2]
if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile> [count]')
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] }
const self = new Map<string, number>()
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const timeOf = new Map<number, number>()
for (const [i, id] of profile.samples.entries()) timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
let total = 0
for (const [id, us] of timeOf) {
  const n = byId.get(id)!
  const url = n.callFrame.url.replace(/^.*\/(node_modules\/[^/]+|src|bench|test)\//, '$1/')
  const key = `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + us)
  total += us
}
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 25))
for (const [key, us] of top)
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`)
