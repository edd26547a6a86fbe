/**
 * A simple round-robin HTTP proxy for the several-nodes benchmark: each request goes to the next
 * upstream in turn, over kept-alive connections; an upstream that fails answers 502.
 *
 *   PORT=4000 UPSTREAMS=127.0.0.1:4001,127.0.0.1:4002 npx tsx bench/proxy.ts
 */
import http from 'node:http'

const upstreams = (process.env.UPSTREAMS ?? '')
  .split(',')
  .filter(Boolean)
  .map((u) => {
    const [host, port] = u.split(':')
    return { host: host!, port: Number(port) }
  })
if (upstreams.length === 0) throw new Error('UPSTREAMS=host:port,host:port is required')
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
let next = 0

const server = http.createServer((req, res) => {
  const target = upstreams[next++ % upstreams.length]!
  const upstream = http.request(
    {
      ...target,
      agent,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    },
  )
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
    res.end('bad gateway')
  })
  req.pipe(upstream)
})
server.keepAliveTimeout = 65_000
server.listen(Number(process.env.PORT ?? 4000), '127.0.0.1', () =>
  console.log(`[proxy] round-robin on ${process.env.PORT ?? 4000} → ${process.env.UPSTREAMS}`),
)
process.on('SIGTERM', () => server.close(() => process.exit(0)))
process.on('SIGINT', () => server.close(() => process.exit(0)))
