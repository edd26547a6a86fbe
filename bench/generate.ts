/**
 * Builds a realistic district at scale for the benchmarks, reproducible from a seed:
 *
 *   npx tsx bench/generate.ts --scale 1m [--db bench/data/district-1m.sqlite | --db postgres://…/yiwang_bench] [--seed 20261127]
 *
 * At scale 1 (1m): 5,000 items, 1,000,000 persons (each with an account), 100,000 enterprises,
 * 1,000,000 applications across the states and a year of dates (with their events, notices,
 * pauses, tasks and one material each), 500,000 licenses and 1,000,000 ratings. Other scales
 * multiply every count (items at least 200).
 *
 * The database is made afresh: migrated and seeded by the application itself (departments, demo
 * accounts, the 74 demo items, license types, calendar), then filled in bulk. Encrypted person
 * fields use the platform's FieldCrypto with the bench keys (common.ts), so the servers started
 * on this database decrypt them and find people by blind index. Shortcuts, documented in
 * docs/performance.md: every ID number and mobile is encrypted on its own, but addresses come
 * from a pool of 2,000 encrypted addresses; licenses carry no SM2 signature (signing half a
 * million would take hours in JavaScript), so they verify as "signature missing"; notice numbers
 * are unique but not in the 文书编号 form.
 */
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { createDeps, createModules } from '../src/composition.js'
import type { ItemElements } from '../src/modules/catalog/index.js'
import { formatIdentifier } from '../src/modules/licenses/index.js'
import { ratingsModuleFacts, refreshSummary } from '../src/modules/supervision/index.js'
import { addCalendarDays, todayInShanghai } from '../src/platform/calendar/index.js'
import { loadConfig } from '../src/platform/config.js'
import type { FieldCrypto } from '../src/platform/crypto/field-crypto.js'
import { migrateToLatest } from '../src/platform/db/migrate.js'
import { documentTypes } from '../src/platform/files/files.js'
import { indexDocument } from '../src/platform/search/index.js'
import {
  citizenIdCheckCharacter,
  creditCodeCheckCharacter,
  maskCitizenId,
  maskMobile,
} from '../src/platform/validators/index.js'
import { runSeed } from '../src/seed.js'
import { type CatalogItem, generateBatch, prng } from '../test/supervision-data.js'
import {
  BENCH_ENV,
  type BulkWriter,
  databaseUrlOf,
  dataDirOf,
  label,
  openWriter,
  Progress,
  parseArgs,
  parseScale,
  parseTarget,
  type Row,
  recreatePgDatabase,
  removeSqlite,
  scaleName,
  type Target,
} from './common.js'

export interface DistrictCounts {
  items: number
  persons: number
  enterprises: number
  applications: number
  licenses: number
  ratings: number
}

export function countsFor(factor: number): DistrictCounts {
  return {
    items: Math.min(5000, Math.max(200, Math.round(5000 * factor))),
    persons: Math.round(1_000_000 * factor),
    enterprises: Math.round(100_000 * factor),
    applications: Math.round(1_000_000 * factor),
    licenses: Math.round(500_000 * factor),
    ratings: Math.round(1_000_000 * factor),
  }
}

export interface GenerateSummary {
  target: string
  scale: string
  seed: number
  counts: DistrictCounts & { events: number; notices: number; tasks: number; materials: number }
  /** Each phase's rows (for the statistics summary: the days it built, `unit: 'days'`) and its pace. */
  phases: Record<string, { rows: number; seconds: number; rowsPerSecond: number; unit?: 'days' }>
  seconds: number
}

const SURNAMES = '陈林黄李郑蔡许吴王张刘杨谢洪周庄方詹翁柯丁邱余沈苏杜魏纪姚卢马'
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文辉锦泽鸿佳鑫晓燕丹宏俊思婷雅'
const TOWNS = [
  '庵埠镇',
  '彩塘镇',
  '金石镇',
  '浮洋镇',
  '沙溪镇',
  '凤塘镇',
  '东凤镇',
  '龙湖镇',
  '江东镇',
  '归湖镇',
  '文祠镇',
  '凤凰镇',
  '赤凤镇',
  '古巷镇',
  '登塘镇',
  '磷溪镇',
  '铁铺镇',
  '官塘镇',
]
const ITEM_VARIANTS = ['', '（新办）', '（变更）', '（延续）', '（注销）', '（补证）']
const TRADE_WORDS = ['宏发', '鸿运', '金源', '潮兴', '顺达', '永盛', '华信', '德丰', '锦华', '明泰', '裕隆', '和顺']
const TRADES = ['食品', '五金', '陶瓷', '印刷', '包装', '服装', '电器', '茶业', '贸易', '塑料', '工艺', '物流']
const STREETS = ['开濠村', '文里村', '华美村', '仙溪村', '宝陇村', '金砂村', '溪口村', '大巷村', '鹳巢村', '湖美村']

const HOUR = 3_600_000
const DAY = 86_400_000

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!
}

/** The i-th person's ID number: a birth day and sequence unique per i, with the GB 11643 check. */
export function personIdNumber(i: number, maleBit: number): { id: string; birthDate: string; sex: 'male' | 'female' } {
  const block = Math.floor(i / 23_000)
  const dayOffset = (i * 7919) % 23_000
  const birth = new Date(Date.UTC(1945, 0, 1) + dayOffset * DAY)
  const birthDate = birth.toISOString().slice(0, 10)
  // From 500 on: the demo accounts of the seed use low sequence numbers.
  const seq = 500 + block * 2 + maleBit // odd: male
  const first17 = `445103${birthDate.replaceAll('-', '')}${String(seq).padStart(3, '0')}`
  return { id: `${first17}${citizenIdCheckCharacter(first17)}`, birthDate, sex: seq % 2 === 1 ? 'male' : 'female' }
}

const CC = '0123456789ABCDEFGHJKLMNPQRTUWXY'
/** The i-th enterprise's unified social credit code (GB 32100, valid check character). */
export function enterpriseCreditCode(i: number, individual: boolean): string {
  let n = i
  let org = ''
  for (let k = 0; k < 7; k++) {
    org = CC[n % 31]! + org
    n = Math.floor(n / 31)
  }
  const first17 = `${individual ? '92' : '91'}445103MA${org}`
  return `${first17}${creditCodeCheckCharacter(first17)}`
}

function personName(rand: () => number): string {
  const given = Array.from({ length: rand() < 0.7 ? 2 : 1 }, () => pick(rand, [...GIVEN])).join('')
  return `${pick(rand, [...SURNAMES])}${given}`
}

interface World {
  cal: Awaited<ReturnType<ReturnType<typeof createDeps>['calendar']['load']>>
  items: (CatalogItem & { forPersons: boolean; forEnterprises: boolean })[]
  servicePointIds: string[]
  departments: { id: string; creditCode: string | null; shortName: string; name: string }[]
  licenseTypes: {
    code: string
    name: string
    typeCode: string
    departmentId: string
    holderKind: string
    fields: { key: string; type: string }[]
  }[]
  staffIds: string[]
  pdf: { sha256: string; size: number; mime: string }
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
)

export async function generateDistrict(options: {
  target: Target
  factor: number
  seed?: number
  today?: string
  log?: (line: string) => void
}): Promise<GenerateSummary> {
  const { target, factor } = options
  const seed = options.seed ?? 20261127
  const log = options.log ?? ((line: string) => console.log(line))
  const counts = countsFor(factor)
  const started = performance.now()
  const phases: GenerateSummary['phases'] = {}
  const phase = (name: string, p: Progress) => {
    const r = p.finish()
    phases[name] = { ...r, rowsPerSecond: Math.round(r.rows / Math.max(r.seconds, 1e-3)) }
  }
  log(`[generate] ${label(target)}: scale ${scaleName(factor)}, seed ${seed} → ${JSON.stringify(counts)}`)

  // ----- a fresh database, migrated and seeded by the application ------------------------------
  const dataDir = dataDirOf(target)
  fs.rmSync(dataDir, { recursive: true, force: true })
  if (target.kind === 'sqlite') removeSqlite(target.file)
  else await recreatePgDatabase(target.url)
  Object.assign(process.env, BENCH_ENV, { DATA_DIR: dataDir, DATABASE_URL: databaseUrlOf(target), RUN_SWEEPS: 'false' })
  const deps = createDeps(loadConfig())
  const seedStart = performance.now()
  await migrateToLatest(deps.db)
  await runSeed(createModules(deps), { print: false })
  phases.seed = { rows: 0, seconds: (performance.now() - seedStart) / 1000, rowsPerSecond: 0 }
  log(`[generate] migrated and seeded in ${phases.seed.seconds.toFixed(1)} s`)
  const world = await loadWorld(deps)
  const crypto = deps.fieldCrypto
  const today = options.today ?? todayInShanghai(deps.clock.now())

  // ----- items (cloned from the demo catalog, one per town and kind of business) ------------------
  const rand = prng(seed)
  const itemProgress = new Progress('items', counts.items - world.items.length)
  const baseItems = await deps.db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .selectAll('itemVersions')
    .select(['items.catalogCode', 'items.taskCode', 'items.taskHandleItem', 'items.departmentId'])
    .orderBy('items.id')
    .execute()
  const departmentById = new Map(
    (await deps.db.selectFrom('departments').select(['id', 'code', 'shortName']).execute()).map((d) => [d.id, d]),
  )
  const taskCodes = new Set(baseItems.map((b) => b.taskCode))
  const nowIso = new Date().toISOString()
  // Items in transactions of a few hundred (each write of its own would wait for a disk flush).
  let trx: Awaited<ReturnType<ReturnType<typeof deps.db.startTransaction>['execute']>> | undefined
  for (let k = 0; world.items.length < counts.items; k++) {
    trx ??= await deps.db.startTransaction().execute()
    const tdb = trx
    const base = baseItems[k % baseItems.length]!
    const round = Math.floor(k / baseItems.length)
    const town = TOWNS[round % TOWNS.length]!
    const variant = ITEM_VARIANTS[Math.floor(round / TOWNS.length) % ITEM_VARIANTS.length]!
    const elements = JSON.parse(base.elements) as ItemElements & { taskCode?: string }
    let taskCode = `${base.taskCode.slice(0, 26)}${k.toString(36).toUpperCase().padStart(4, '0')}`
    while (taskCodes.has(taskCode))
      taskCode = `${taskCode.slice(0, 25)}${CC[Math.floor(rand() * 31)]}${taskCode.slice(26)}`
    taskCodes.add(taskCode)
    const taskName = `${base.taskName}${variant}（${town}）`
    elements.taskName = taskName
    if (elements.taskCode) elements.taskCode = taskCode
    const itemId = randomUUID()
    const versionId = randomUUID()
    await tdb
      .insertInto('items')
      .values({
        id: itemId,
        departmentId: base.departmentId,
        catalogCode: base.catalogCode,
        taskCode,
        taskHandleItem: base.taskHandleItem,
        currentVersionId: versionId,
        withdrawnAt: null,
        createdBy: null,
        createdAt: nowIso,
        updatedAt: nowIso,
      })
      .execute()
    await tdb
      .insertInto('itemVersions')
      .values({
        ...base,
        catalogCode: undefined,
        taskCode: undefined,
        taskHandleItem: undefined,
        departmentId: undefined,
        id: versionId,
        itemId,
        version: 1,
        state: 'published',
        elements: JSON.stringify(elements),
        taskName,
        createdAt: nowIso,
        updatedAt: nowIso,
        publishedAt: nowIso,
      } as never)
      .execute()
    // The catalog's own search document for a published item (same fields as catalog indexItem).
    await indexDocument(tdb, {
      kind: 'item',
      refId: itemId,
      title: taskName,
      body: [
        elements.summary,
        elements.keywords?.join(' '),
        elements.acceptCondition,
        elements.materials.map((m) => m.materialName).join(' '),
        elements.resultName,
        departmentById.get(base.departmentId)?.shortName ?? '',
      ]
        .filter(Boolean)
        .join('\n'),
      boost: elements.onlineHandleDepth,
      facets: {
        department: departmentById.get(base.departmentId)?.code ?? '',
        audience: elements.serverType.map((s) => (s === '自然人' ? 'person' : 'enterprise')),
        topic: elements.topics,
        depth: String(elements.onlineHandleDepth),
      },
      updatedAt: nowIso,
    })
    world.items.push({
      itemId,
      versionId,
      departmentId: base.departmentId,
      name: taskName,
      materialCodes: elements.materials.map((m) => m.materialCode),
      forPersons: base.forPersons === 1,
      forEnterprises: base.forEnterprises === 1,
    })
    itemProgress.add(1)
    if (k % 250 === 249) {
      await trx.commit().execute()
      trx = undefined
    }
  }
  if (trx) await trx.commit().execute()
  phase('items', itemProgress)
  await deps.db.destroy()

  const w = openWriter(target)
  try {
    await writePersons(w, crypto, counts.persons, rand, phase)
    const enterprises = await writeEnterprises(w, crypto, counts, rand, phase)
    const finished = await writeApplications(w, world, counts, rand, today, enterprises, phase)
    await writeLicenses(w, world, crypto, counts, rand, finished, enterprises, phase)
    await writeRatings(w, world, counts, rand, finished, phase)
    const analyzeStart = performance.now()
    // PostgreSQL: vacuumed as autovacuum would soon do on a live database, so that index-only
    // scans (the inbox counts) find the visibility map set; without it a count of 40,000 open
    // tasks read the table too (4.3 ms → 1.4 ms).
    await w.exec(target.kind === 'postgres' ? 'vacuum analyze' : 'analyze')
    if (target.kind === 'sqlite') await w.exec('pragma wal_checkpoint(truncate)')
    phases.analyze = { rows: 0, seconds: (performance.now() - analyzeStart) / 1000, rowsPerSecond: 0 }
    // The supervision statistics' daily summary, as `npm run yiwang -- rebuild-statistics` builds it
    // after an import: a running server only catches up 31 days of history every five minutes.
    const summaryStart = performance.now()
    const summaryDeps = createDeps(loadConfig())
    try {
      const built = await refreshSummary(summaryDeps, {
        ratings: ratingsModuleFacts,
        full: true,
        onProgress: ({ done, total, day }) => {
          if (done % 30 === 0 || done === total) log(`[generate] statistics summary ${done}/${total} days (${day})`)
        },
      })
      const seconds = (performance.now() - summaryStart) / 1000
      const days = built.days.length
      phases.summary = {
        rows: days,
        seconds,
        rowsPerSecond: Math.round((10 * days) / Math.max(seconds, 1e-3)) / 10,
        unit: 'days',
      }
    } finally {
      await summaryDeps.db.destroy()
    }
    const n = async (table: string) =>
      Number((await w.query<{ n: number }>(`select count(*) as n from ${table}`))[0]!.n)
    const summary: GenerateSummary = {
      target: label(target),
      scale: scaleName(factor),
      seed,
      counts: {
        items: await n('items'),
        persons: await n('persons'),
        enterprises: await n('enterprises'),
        applications: await n('applications'),
        licenses: await n('licenses'),
        ratings: await n('ratings'),
        events: await n('application_events'),
        notices: await n('notices'),
        tasks: await n('tasks'),
        materials: await n('application_materials'),
      },
      phases,
      seconds: (performance.now() - started) / 1000,
    }
    log(`[generate] done in ${summary.seconds.toFixed(0)} s: ${JSON.stringify(summary.counts)}`)
    return summary
  } finally {
    await w.close()
  }
}

async function loadWorld(deps: ReturnType<typeof createDeps>): Promise<World> {
  const db = deps.db
  const rows = await db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select([
      'items.id',
      'items.departmentId',
      'itemVersions.id as versionId',
      'itemVersions.elements',
      'itemVersions.forPersons',
      'itemVersions.forEnterprises',
    ])
    .orderBy('items.id')
    .execute()
  const items = rows.map((r) => {
    const e = JSON.parse(r.elements) as ItemElements
    return {
      itemId: r.id,
      versionId: r.versionId,
      departmentId: r.departmentId,
      name: e.taskName,
      materialCodes: e.materials.map((m) => m.materialCode),
      forPersons: r.forPersons === 1,
      forEnterprises: r.forEnterprises === 1,
    }
  })
  const points = await db.selectFrom('servicePoints').select('id').orderBy('id').execute()
  const departments = await db.selectFrom('departments').select(['id', 'creditCode', 'shortName', 'name']).execute()
  const types = await db
    .selectFrom('licenseTypes')
    .select(['code', 'name', 'typeCode', 'issuingDepartmentId', 'holderKind', 'fields'])
    .where('issuingDepartmentId', 'is not', null)
    .where('typeCode', 'is not', null)
    .execute()
  const staff = await db.selectFrom('staff').select('id').execute()
  const pdf = await deps.files.put(PDF, { maxBytes: 1024 * 1024, allowedTypes: documentTypes })
  return {
    cal: await deps.calendar.load(),
    items,
    servicePointIds: points.map((p) => p.id),
    departments,
    licenseTypes: types.map((t) => ({
      code: t.code,
      name: t.name,
      typeCode: t.typeCode!,
      departmentId: t.issuingDepartmentId!,
      holderKind: t.holderKind,
      fields: JSON.parse(t.fields) as { key: string; type: string }[],
    })),
    staffIds: staff.map((s) => s.id),
    pdf: { sha256: pdf.sha256, size: pdf.size, mime: pdf.mime },
  }
}

const BATCH = 10_000

/** Deterministic ids of generated persons and enterprises (UUID form, sortable by index). */
export const personId = (i: number) => `01800000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`
const accountId = (i: number) => `01810000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`
export const enterpriseId = (i: number) => `01820000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`

async function writePersons(
  w: BulkWriter,
  crypto: FieldCrypto,
  total: number,
  rand: () => number,
  phase: (name: string, p: Progress) => void,
) {
  const progress = new Progress('persons', total)
  const addresses = Array.from({ length: 2000 }, (_, i) =>
    crypto.encrypt(`广东省潮州市潮安区${TOWNS[i % TOWNS.length]}${STREETS[i % STREETS.length]}${1 + (i % 97)}号`),
  )
  const created = '2026-01-01T00:00:00.000Z'
  for (let start = 0; start < total; start += BATCH) {
    const persons: Row[] = []
    const accounts: Row[] = []
    for (let i = start; i < Math.min(total, start + BATCH); i++) {
      const { id, birthDate, sex } = personIdNumber(i, rand() < 0.5 ? 1 : 0)
      const hasMobile = rand() < 0.6
      const mobile = `13${String(i).padStart(9, '0')}`
      const level = rand()
      persons.push({
        id: personId(i),
        name: personName(rand),
        idNumberEnc: crypto.encrypt(id),
        idNumberIndex: crypto.blindIndex(id),
        idNumberMasked: maskCitizenId(id),
        mobileEnc: hasMobile ? crypto.encrypt(mobile) : null,
        mobileIndex: hasMobile ? crypto.blindIndex(mobile) : null,
        mobileMasked: hasMobile ? maskMobile(mobile) : null,
        addressEnc: rand() < 0.5 ? addresses[i % addresses.length] : null,
        birthDate,
        sex,
        assuranceLevel: level < 0.1 ? 1 : level < 0.8 ? 2 : 3,
        assuranceSource: level < 0.1 ? 'self_registration' : 'bench',
        createdAt: created,
        updatedAt: created,
      })
      accounts.push({
        id: accountId(i),
        kind: 'person',
        loginName: null,
        personId: personId(i),
        passwordHash: null,
        status: 'active',
        failedLogins: 0,
        elderMode: 0,
        createdAt: created,
      })
    }
    await w.insert('persons', persons)
    await w.insert('accounts', accounts)
    progress.add(persons.length)
  }
  phase('persons', progress)
}

interface EnterpriseRef {
  legalRep: number
  name: string
  creditCode: string
}

async function writeEnterprises(
  w: BulkWriter,
  crypto: FieldCrypto,
  counts: DistrictCounts,
  rand: () => number,
  phase: (name: string, p: Progress) => void,
): Promise<EnterpriseRef[]> {
  const progress = new Progress('enterprises', counts.enterprises)
  const refs: EnterpriseRef[] = []
  const addresses = Array.from({ length: 500 }, (_, i) =>
    crypto.encrypt(
      `广东省潮州市潮安区${TOWNS[i % TOWNS.length]}${STREETS[(i * 7) % STREETS.length]}工业区${1 + (i % 53)}号`,
    ),
  )
  for (let start = 0; start < counts.enterprises; start += BATCH) {
    const rows: Row[] = []
    for (let i = start; i < Math.min(counts.enterprises, start + BATCH); i++) {
      const r = rand()
      const kind =
        r < 0.55 ? 'company' : r < 0.9 ? 'individual' : r < 0.93 ? 'institution' : r < 0.97 ? 'social_org' : 'other'
      const town = pick(rand, TOWNS)
      const trade = pick(rand, TRADES)
      const word = pick(rand, TRADE_WORDS)
      const name =
        kind === 'individual'
          ? `潮安区${town}${word}${trade}店`
          : kind === 'company'
            ? `潮州市潮安区${word}${trade}有限公司`
            : `潮安区${town}${word}${trade}${kind === 'social_org' ? '协会' : '服务中心'}`
      const legalRep = Math.floor(rand() * counts.persons)
      const creditCode = enterpriseCreditCode(i, kind === 'individual')
      refs.push({ legalRep, name, creditCode })
      rows.push({
        id: enterpriseId(i),
        creditCode,
        name,
        kind,
        legalRepPersonId: personId(legalRep),
        addressEnc: addresses[i % addresses.length],
        registeredAt: new Date(Date.UTC(1995, 0, 1) + Math.floor(rand() * 11_000) * DAY).toISOString().slice(0, 10),
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      })
    }
    await w.insert('enterprises', rows)
    progress.add(rows.length)
  }
  phase('enterprises', progress)
  return refs
}

/** What licenses and ratings need of a finished application. */
interface Finished {
  id: string
  person: number
  enterprise: number | null
  itemId: string
  departmentId: string
  channel: string
  decidedAt: string
  completedAt: string
  approved: boolean
}

const FORM_DATA = JSON.stringify({
  applicant: { name: '（见申请人）', phone: '138****0000', address: '广东省潮州市潮安区' },
  business: { scope: '预包装食品销售', premises: '自有', area: 120, staff: 6 },
  declaration: { agreed: true },
})

async function writeApplications(
  w: BulkWriter,
  world: World,
  counts: DistrictCounts,
  rand: () => number,
  today: string,
  enterprises: EnterpriseRef[],
  phase: (name: string, p: Progress) => void,
): Promise<Finished[]> {
  const progress = new Progress('applications', counts.applications)
  const finished: Finished[] = []
  const perDay = new Map<string, number>()
  const from = addCalendarDays(today, -364)
  const names = new Map<number, string>()
  let serial = 0
  let written = 0
  const personItems = world.items.filter((i) => i.forPersons)
  const enterpriseItems = world.items.filter((i) => i.forEnterprises)
  const itemById = new Map(world.items.map((i) => [i.itemId, i]))
  while (written < counts.applications) {
    const want = Math.min(5000, counts.applications - written)
    const batch = generateBatch(
      { items: world.items, personId: personId(0), servicePointIds: world.servicePointIds, cal: world.cal },
      { rand, count: want, from, to: today, today, serial: ++serial },
    )
    const byId = new Map(batch.applications.map((a) => [a.id, a]))
    const materials: Row[] = []
    for (const app of batch.applications) {
      // Who applied: mostly people (a few apply often), a fifth enterprises through their legal representative.
      const asEnterprise = enterprises.length > 0 && rand() < 0.2
      let person: number
      let enterprise: number | null = null
      if (asEnterprise) {
        enterprise = Math.floor(rand() * enterprises.length)
        person = enterprises[enterprise]!.legalRep
      } else {
        person = Math.floor(rand() ** 1.6 * counts.persons)
      }
      const pool = asEnterprise ? enterpriseItems : personItems
      const generated = itemById.get(app.itemId)
      const fits = generated && (asEnterprise ? generated.forEnterprises : generated.forPersons)
      const item = !fits && pool.length > 0 ? pick(rand, pool) : undefined
      if (item) {
        app.itemId = item.itemId
        app.itemVersionId = item.versionId
        app.departmentId = item.departmentId
        app.itemName = item.name
      }
      app.applicantPersonId = personId(person)
      app.applicantEnterpriseId = enterprise === null ? null : enterpriseId(enterprise)
      if (!names.has(person)) names.set(person, personName(prng(person + 1)))
      app.applicantName = enterprise === null ? names.get(person)! : enterprises[enterprise]!.name
      const day = (app.submittedAt ? todayInShanghai(new Date(app.submittedAt)) : today).replaceAll('-', '')
      const seq = (perDay.get(day) ?? 0) + 1
      perDay.set(day, seq)
      app.applicationNo = `445103${day}${String(seq).padStart(6, '0')}`
      app.formData = FORM_DATA
      materials.push({
        id: app.id.replace(/^01900000/, '01950000'),
        applicationId: app.id,
        materialCode: itemById.get(app.itemId)?.materialCodes[0] ?? 'application_form',
        kind: 'file',
        fileSha256: world.pdf.sha256,
        fileName: '申请书.pdf',
        fileMime: world.pdf.mime,
        fileSize: world.pdf.size,
        trustGrade: 'b',
        current: 1,
        round: 0,
        createdAt: app.submittedAt,
      })
      if (app.state === 'completed' && app.decidedAt) {
        finished.push({
          id: app.id,
          person,
          enterprise,
          itemId: app.itemId,
          departmentId: app.departmentId,
          channel: app.channel,
          decidedAt: app.decidedAt,
          completedAt: app.completedAt ?? app.decidedAt,
          approved: app.decision === 'approved',
        })
      }
    }
    // The submit event was made by the applicant.
    for (const e of batch.events) {
      if (e.event === 'submit' || e.event === 'resubmit' || e.event === 'withdraw') {
        e.actorType = 'person'
        e.actorId = byId.get(e.applicationId)?.applicantPersonId ?? null
      }
    }
    await w.insert('applications', batch.applications as unknown as Row[])
    await w.insert('application_events', batch.events as unknown as Row[])
    await w.insert('notices', batch.notices as unknown as Row[])
    await w.insert('application_pauses', batch.pauses as unknown as Row[])
    await w.insert('tasks', batch.tasks as unknown as Row[])
    await w.insert('application_materials', materials)
    written += batch.applications.length
    progress.add(batch.applications.length)
  }
  // Numbers taken today go on from the generated ones (the counter the service uses).
  await w.insert(
    'application_counters',
    [...perDay].map(([day, lastSeq]) => ({ day: `app:${day}`, lastSeq })),
  )
  phase('applications', progress)
  return finished
}

async function writeLicenses(
  w: BulkWriter,
  world: World,
  crypto: FieldCrypto,
  counts: DistrictCounts,
  rand: () => number,
  finished: Finished[],
  enterprises: EnterpriseRef[],
  phase: (name: string, p: Progress) => void,
) {
  const progress = new Progress('licenses', counts.licenses)
  const deptCode = new Map(world.departments.map((d) => [d.id, d]))
  const byKind = {
    person: world.licenseTypes.filter((t) => t.holderKind === 'person'),
    enterprise: world.licenseTypes.filter((t) => t.holderKind === 'enterprise'),
  }
  const approved = finished.filter((f) => f.approved)
  const serials = new Map<string, number>()
  let rows: Row[] = []
  for (let i = 0; i < counts.licenses; i++) {
    // Licenses issued by the applications of the year first, then older ones (imported).
    const f = i < approved.length ? approved[i]! : undefined
    const enterprise = f
      ? f.enterprise
      : rand() < 0.3 && enterprises.length > 0
        ? Math.floor(rand() * enterprises.length)
        : null
    const person = f ? f.person : Math.floor(rand() * counts.persons)
    const kind = enterprise === null ? 'person' : 'enterprise'
    const type = pick(rand, byKind[kind].length > 0 ? byKind[kind] : world.licenseTypes)
    const dept = deptCode.get(type.departmentId)
    const issuerCode = dept?.creditCode ?? '11445103MB2C12345X'
    const issuedAt = f ? f.decidedAt : new Date(Date.UTC(2016, 0, 1) + Math.floor(rand() * 3600) * DAY).toISOString()
    const year = issuedAt.slice(0, 4)
    const key = `${type.code}:${year}`
    const seq = (serials.get(key) ?? 0) + 1
    serials.set(key, seq)
    const serial = `${year}${String(seq).padStart(8, '0')}`
    // A person's ID number depends on a random sex bit: their index is copied from the person row
    // below (holderKeyIndex 'person:…' until then); the masked display does not show that digit.
    const holderKey = enterprise === null ? personIdNumber(person, 0).id : enterprises[enterprise]!.creditCode
    const validFrom = issuedAt.slice(0, 10)
    const data: Record<string, string> = {}
    for (const field of type.fields) data[field.key] = field.type === 'date' ? validFrom : '（生成数据）'
    rows.push({
      id: `01960000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
      identifier: formatIdentifier({ typeCode: type.typeCode, issuerCode, serial, version: 1 }),
      licenseType: type.code,
      serial,
      version: 1,
      supersedesId: null,
      holderKind: kind,
      holderPersonId: enterprise === null ? personId(person) : null,
      holderEnterpriseId: enterprise === null ? null : enterpriseId(enterprise),
      holderKeyIndex: enterprise === null ? `person:${person}` : crypto.blindIndex(holderKey),
      holderName: enterprise === null ? personName(prng(person + 1)) : enterprises[enterprise]!.name,
      holderKeyDisplay: enterprise === null ? maskCitizenId(holderKey) : holderKey,
      typeName: type.name,
      issuerDepartmentId: type.departmentId,
      issuerName: dept?.name ?? '潮州市潮安区',
      issuerCreditCode: issuerCode,
      data: JSON.stringify(data),
      issuedAt,
      issuedBy: world.staffIds[0] ?? 'bench',
      validFrom,
      validTo: rand() < 0.5 ? null : addCalendarDays(validFrom, 365 * (3 + Math.floor(rand() * 5))),
      status: 'active',
      applicationId: f?.id ?? null,
      trustGrade: 'a',
      createdAt: issuedAt,
    })
    if (rows.length >= BATCH) {
      await w.insert('licenses', rows)
      progress.add(rows.length)
      rows = []
    }
  }
  await w.insert('licenses', rows)
  progress.add(rows.length)
  // Person holders are looked up by the blind index of the ID number the person row holds.
  await w.exec(
    `update licenses set holder_key_index = (select id_number_index from persons where persons.id = licenses.holder_person_id),
      holder_key_display = (select id_number_masked from persons where persons.id = licenses.holder_person_id)
      where holder_key_index like 'person:%'`,
  )
  phase('licenses', progress)
}

async function writeRatings(
  w: BulkWriter,
  world: World,
  counts: DistrictCounts,
  rand: () => number,
  finished: Finished[],
  phase: (name: string, p: Progress) => void,
) {
  const progress = new Progress('ratings', counts.ratings)
  let rows: Row[] = []
  const level = () => {
    const r = rand()
    return r < 0.8 ? 5 : r < 0.92 ? 4 : r < 0.97 ? 3 : r < 0.99 ? 2 : 1
  }
  for (let i = 0; i < counts.ratings && finished.length > 0; i++) {
    // One rating of each finished application (一事一评), then window visits (一次一评).
    const once = i < finished.length
    const f = once ? finished[i]! : finished[Math.floor(rand() * finished.length)]!
    const channel = !once ? 'window' : f.channel === 'proxy' ? 'online' : f.channel
    const window = channel === 'window'
    const isDefault = !window && rand() < 0.3
    const l = isDefault ? 5 : level()
    const ratedAt = new Date(
      Date.parse(f.completedAt) + (isDefault ? 7 * DAY : rand() * 3 * DAY) + (window ? -HOUR : 0),
    ).toISOString()
    rows.push({
      id: `01970000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
      applicationId: f.id,
      visitId: window ? `01980000-0000-7000-8000-${i.toString(16).padStart(12, '0')}` : null,
      departmentId: f.departmentId,
      itemId: f.itemId,
      channel,
      level: l,
      indicators: JSON.stringify(
        isDefault ? {} : { efficiency: l, attitude: l, convenience: Math.max(1, l - (rand() < 0.2 ? 1 : 0)) },
      ),
      reasons: JSON.stringify(l <= 2 ? ['repeated_trips'] : []),
      text: l <= 2 ? '材料要求前后不一致，跑了两次' : null,
      isDefault: isDefault ? 1 : 0,
      ratedByPersonId: isDefault ? null : personId(f.person),
      recordedByStaffId: window && world.staffIds.length > 0 ? pick(rand, world.staffIds) : null,
      ratedAt,
    })
    if (rows.length >= BATCH) {
      await w.insert('ratings', rows)
      progress.add(rows.length)
      rows = []
    }
  }
  await w.insert('ratings', rows)
  progress.add(rows.length)
  phase('ratings', progress)
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/generate.ts')) {
  const args = parseArgs()
  const factor = parseScale(args.get('scale'))
  const target = parseTarget(args.get('db'), `district-${scaleName(factor)}`)
  generateDistrict({ target, factor, seed: args.has('seed') ? Number(args.get('seed')) : undefined })
    .then((summary) => {
      const out = path.join(
        path.dirname(target.kind === 'sqlite' ? target.file : dataDirOf(target)),
        `generate-${scaleName(factor)}-${target.kind}.json`,
      )
      fs.writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`)
      console.log(`[generate] summary: ${out}`)
    })
    .catch((error) => {
      console.error(error)
      process.exit(1)
    })
}
