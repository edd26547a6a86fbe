/**
 * Static assets with content hashes in their names, served from memory with a one-year,
 * immutable cache: `css/site.css` is served at `/assets/css/site.<sha256:10>.css`. A new
 * deployment changes the hash, so browsers never keep a stale file.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import type { FastifyInstance } from 'fastify'

interface Asset {
  url: string
  body: Buffer
  gzip: Buffer | undefined
  contentType: string
  etag: string
}

const contentTypes: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

export class AssetManifest {
  private readonly byName = new Map<string, Asset>()
  private readonly byUrl = new Map<string, Asset>()

  constructor(readonly root: string) {
    for (const file of listFiles(root)) {
      const name = path.relative(root, file).split(path.sep).join('/')
      const body = fs.readFileSync(file)
      const hash = createHash('sha256').update(body).digest('hex').slice(0, 10)
      const ext = path.extname(name)
      const url = `/assets/${name.slice(0, name.length - ext.length)}.${hash}${ext}`
      const contentType = contentTypes[ext] ?? 'application/octet-stream'
      const compressible = /text|json|svg|manifest/.test(contentType)
      const asset: Asset = {
        url,
        body,
        gzip: compressible ? zlib.gzipSync(body, { level: 9 }) : undefined,
        contentType,
        etag: `"${hash}"`,
      }
      this.byName.set(name, asset)
      this.byUrl.set(url, asset)
    }
  }

  /** The hashed URL of a logical asset name; throws for a name that does not exist (a typo is a bug). */
  url = (name: string): string => {
    const asset = this.byName.get(name)
    if (!asset) throw new Error(`unknown asset ${name}`)
    return asset.url
  }

  find(url: string): Asset | undefined {
    return this.byUrl.get(url)
  }
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name)
      return entry.isDirectory() ? listFiles(full) : [full]
    })
    .sort()
}

export function registerAssets(app: FastifyInstance, manifest: AssetManifest): void {
  app.get(
    '/assets/*',
    {
      schema: { hide: true },
      config: { rateLimit: false, policy: { public: true } },
    },
    async (request, reply) => {
      const asset = manifest.find(request.url.split('?')[0] ?? '')
      if (!asset) return reply.callNotFound()
      reply.header('cache-control', 'public, max-age=31536000, immutable')
      reply.header('etag', asset.etag)
      reply.header('content-type', asset.contentType)
      reply.header('vary', 'accept-encoding')
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send()
      const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))
      if (asset.gzip && acceptsGzip) {
        reply.header('content-encoding', 'gzip')
        return reply.send(asset.gzip)
      }
      return reply.send(asset.body)
    },
  )
}
