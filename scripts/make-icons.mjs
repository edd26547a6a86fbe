// Makes the web app icons (public/img/icon-192.png, icon-512.png, icon-maskable-512.png) from the
// emblem, by drawing them in Debian's chromium. Run once after changing the emblem:
//   node scripts/make-icons.mjs
// The PNGs are committed; the app does not need this script to run.
import fs from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const emblem = fs.readFileSync(path.join(root, 'public/img/emblem.svg'), 'utf8')
const dataUrl = `data:image/svg+xml;base64,${Buffer.from(emblem).toString('base64')}`

/** maskable: the emblem inside the 80 % safe zone on a full red square. */
const page = (size, maskable) => `<!doctype html><html><body style="margin:0">
<div style="width:${size}px;height:${size}px;background:#9f1c1c;display:flex;flex-direction:column;
 align-items:center;justify-content:center;${maskable ? '' : `border-radius:${size * 0.18}px;`}font-family:'Noto Sans CJK SC',sans-serif">
 <img src="${dataUrl}" style="width:${size * (maskable ? 0.42 : 0.56)}px;height:auto">
 <div style="color:#fff;font-weight:700;font-size:${size * (maskable ? 0.1 : 0.13)}px;margin-top:${size * 0.03}px;letter-spacing:${size * 0.01}px">潮安办事</div>
</div></body></html>`

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' })
for (const [name, size, maskable] of [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['icon-maskable-512.png', 512, true],
]) {
  const context = await browser.newContext({ viewport: { width: size, height: size } })
  const p = await context.newPage()
  await p.setContent(page(size, maskable))
  await p.screenshot({
    path: path.join(root, 'public/img', name),
    omitBackground: !maskable,
    clip: { x: 0, y: 0, width: size, height: size },
  })
  await context.close()
}
await browser.close()
console.log('icons written to public/img')
