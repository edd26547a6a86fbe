/**
 * The authorization matrix (SECURITY.md, access control): every route × every role → the answer
 * its policy promises, checked against what the app actually answers; then record-level cases
 * (own / other citizen, own / other department, acting for an enterprise with / without a grant).
 *
 * Who is calling is chosen per request with headers read by the test principal:
 *   x-test-role        anonymous | citizen | a role code of ROLES
 *   x-test-person      the citizen's person id (record cases)
 *   x-test-enterprise  the enterprise the citizen acts for (record cases)
 *   x-test-staff       the staff id of a role (record cases)
 *   x-test-department  the staff member's department id (record cases)
 *
 * Other modules extend RECORD_CASES (and, where a route answers a role its policy allows with a
 * refusal by design, KNOWN_REFUSALS) as they add routes.
 */
import type { FastifyRequest, InjectOptions, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { createDeps } from '../src/composition.js'
import { registerEnterprise } from '../src/modules/identity/identity.enterprises.js'
import { createPerson, findPersonByIdNumber } from '../src/modules/identity/identity.service.js'
import { permissionsOf, ROLES } from '../src/modules/identity/index.js'
import { queueNotification } from '../src/modules/notifications/index.js'
import type { RoutePolicy, RoutePolicyEntry } from '../src/platform/auth/policy.js'
import type { Principal } from '../src/platform/auth/principal.js'
import { transaction } from '../src/platform/db/database.js'
import { creditCodeCheckCharacter } from '../src/platform/validators/index.js'
import { runSeed } from '../src/seed.js'
import { buildTestApp, createTestDatabase, type TestApp, testConfig, testPrincipal } from './helpers.js'

type RoleCode = keyof typeof ROLES
type Who = 'anonymous' | 'citizen' | RoleCode
const WHO: readonly Who[] = ['anonymous', 'citizen', ...(Object.keys(ROLES) as RoleCode[])]
type Verdict = 'allow' | 'login' | 'deny'

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The test stand-in for login: a principal built from the x-test-* headers. */
function principalFrom(request: FastifyRequest): Principal | undefined {
  const who = header(request, 'x-test-role') as Who | undefined
  if (!who || who === 'anonymous') return undefined
  if (who === 'citizen') {
    const personId = header(request, 'x-test-person') ?? 'matrix-citizen'
    return testPrincipal({
      personId,
      accountId: `account-${personId}`,
      enterpriseId: header(request, 'x-test-enterprise'),
      assuranceLevel: 2,
    })
  }
  if (!Object.hasOwn(ROLES, who)) throw new Error(`unknown x-test-role ${who}`)
  const staffId = header(request, 'x-test-staff') ?? `matrix-staff-${who}`
  return testPrincipal({
    accountId: `account-${staffId}`,
    personId: undefined,
    staffId,
    departmentId: header(request, 'x-test-department') ?? 'matrix-department',
    displayName: ROLES[who].name,
    roles: [who],
    permissions: permissionsOf([who]),
    assuranceLevel: 3,
  })
}

/**
 * What a policy promises `who`, written out independently of the enforcing code
 * (platform/auth/policy.ts isAllowed), so a mistake there shows here.
 */
function expectedVerdict(policy: RoutePolicy, who: Who): Verdict {
  const kinds = Object.keys(policy)
  if (kinds.length !== 1) throw new Error(`a policy names exactly one rule: ${JSON.stringify(policy)}`)
  if ('public' in policy) return 'allow'
  if (who === 'anonymous') return 'login'
  if ('authenticated' in policy) return 'allow'
  if ('citizen' in policy) return who === 'citizen' ? 'allow' : 'deny'
  const held: readonly string[] = who === 'citizen' ? [] : ROLES[who].permissions
  if ('permission' in policy) return held.includes(policy.permission) ? 'allow' : 'deny'
  if ('anyPermission' in policy) return policy.anyPermission.some((p) => held.includes(p)) ? 'allow' : 'deny'
  throw new Error(`unknown policy kind ${JSON.stringify(policy)}`)
}

const key = (entry: Pick<RoutePolicyEntry, 'method' | 'url'>) => `${entry.method} ${entry.url}`

/** A dummy for each path parameter: ids shaped as the schemas want them, naming nothing. */
const DUMMY_ID = '01890000-0000-7000-8000-000000000000'
const DUMMY_PARAMS: Record<string, string> = { clientId: 'matrix-client' }
function concreteUrl(entry: RoutePolicyEntry): string {
  return entry.url
    .replace(/:([A-Za-z_]+)/g, (_m, name: string) => DUMMY_PARAMS[name] ?? DUMMY_ID)
    .replace(/\*$/, 'matrix-dummy')
}

/**
 * Routes that answer a caller their policy allows with a refusal by design (a record-level or
 * account-level rule), with the answer and why. Anything else allowed must not be 401 or 403.
 */
const KNOWN_REFUSALS: { route: string; who: (who: Who) => boolean; status: number; reason: string }[] = [
  ...['HEAD /login/second-factor', 'POST /login/second-factor', 'HEAD /login/totp-setup'].map((route) => ({
    route,
    who: () => true,
    status: 401,
    reason: 'a step of a login in progress: without a pending first factor there is nothing to continue',
  })),
  {
    route: 'GET /my/messages',
    who: (w) => w !== 'citizen' && w !== 'anonymous',
    status: 403,
    reason: 'messages belong to natural persons; a staff account without a person has none (MESSAGES_PERSON_ONLY)',
  },
  {
    route: 'HEAD /my/messages',
    who: (w) => w !== 'citizen' && w !== 'anonymous',
    status: 403,
    reason: 'as GET /my/messages',
  },
  {
    route: 'POST /my/messages/:id/read',
    who: (w) => w !== 'citizen' && w !== 'anonymous',
    status: 403,
    reason: 'as GET /my/messages',
  },
  {
    route: 'GET /api/my/messages',
    who: (w) => w !== 'citizen' && w !== 'anonymous',
    status: 403,
    reason: 'as GET /my/messages',
  },
  {
    route: 'HEAD /api/my/messages',
    who: (w) => w !== 'citizen' && w !== 'anonymous',
    status: 403,
    reason: 'as GET /my/messages',
  },
  {
    route: 'POST /api/my/messages/:id/read',
    who: (w) => w !== 'citizen' && w !== 'anonymous',
    status: 403,
    reason: 'as GET /my/messages',
  },
]

/** Routes the matrix cannot exercise meaningfully, each with the reason. Keep this list short. */
const NOT_EXERCISED: Record<string, string> = {}

let t: TestApp
let entries: RoutePolicyEntry[] = []
let requestCount = 0

/** Each request from its own address, so the per-address rate limits never interfere. */
function nextAddress(): string {
  requestCount++
  return `10.${(requestCount >> 16) & 255}.${(requestCount >> 8) & 255}.${requestCount & 255}`
}

async function call(
  who: Who,
  options: { method: string; url: string; payload?: unknown; headers?: Record<string, string> },
): Promise<LightMyRequestResponse> {
  const method = options.method as InjectOptions['method']
  const withBody = !['GET', 'HEAD', 'OPTIONS'].includes(options.method)
  return t.app.inject({
    method,
    url: options.url,
    remoteAddress: nextAddress(),
    headers: {
      'x-test-role': who,
      // JSON needs no CSRF token (a cross-site page cannot send it), so the policy is what answers.
      ...(withBody ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(withBody ? { payload: JSON.stringify(options.payload ?? {}) } : {}),
  })
}

function describeAnswer(res: LightMyRequestResponse): string {
  const location = res.headers.location ? ` → ${res.headers.location}` : ''
  let code = ''
  try {
    code = ` ${(res.json() as { error?: { code?: string } }).error?.code ?? ''}`
  } catch {
    // an HTML page
  }
  return `${res.statusCode}${location}${code}`.trim()
}

/** Does the answer keep the promise of the verdict? Returns the problem, or undefined. */
function checkAnswer(entry: RoutePolicyEntry, who: Who, verdict: Verdict, res: LightMyRequestResponse) {
  const page = entry.method === 'GET' && !entry.url.startsWith('/api/') && !entry.url.startsWith('/oidc')
  if (verdict === 'login') {
    if (page) {
      if (res.statusCode === 303 && String(res.headers.location).startsWith('/login?next=')) return undefined
      return `expected a 303 to /login, got ${describeAnswer(res)}`
    }
    return res.statusCode === 401 ? undefined : `expected 401, got ${describeAnswer(res)}`
  }
  if (verdict === 'deny') return res.statusCode === 403 ? undefined : `expected 403, got ${describeAnswer(res)}`
  const known = KNOWN_REFUSALS.find((k) => k.route === key(entry) && k.who(who))
  if (known) {
    return res.statusCode === known.status
      ? undefined
      : `expected the known refusal ${known.status} (${known.reason}), got ${describeAnswer(res)}`
  }
  if (res.statusCode === 400 || res.statusCode === 422) {
    // Allowed: any answer but 401/403 (a 400/422 for the dummy body is fine). The policy is checked
    // before the body, so a refused caller never gets a validation answer.
    return undefined
  }
  return res.statusCode === 401 || res.statusCode === 403 ? `allowed, but got ${describeAnswer(res)}` : undefined
}

beforeAll(async () => {
  t = await buildTestApp({ principal: principalFrom, env: { RATE_LIMIT_PER_MINUTE: '100000' } })
  entries = [...t.app.policyRegistry.entries]
})
afterAll(async () => t?.close())

describe('the route table', () => {
  it('has a policy on every route, of a known kind', () => {
    expect(t.app.policyRegistry.missing).toEqual([])
    expect(entries.length).toBeGreaterThan(50)
    for (const entry of entries) expect(() => expectedVerdict(entry.policy, 'citizen')).not.toThrow()
    // The table includes this module's routes (a smoke check that enumeration works).
    expect(entries.map(key)).toEqual(expect.arrayContaining(['POST /my/acting-as', 'GET /admin/staff']))
  })

  it('lists every route it does not exercise with a reason, and those routes exist', () => {
    for (const [route, reason] of Object.entries(NOT_EXERCISED)) {
      expect(entries.map(key), route).toContain(route)
      expect(reason.length, route).toBeGreaterThan(10)
    }
    for (const k of KNOWN_REFUSALS) expect(entries.map(key), k.route).toContain(k.route)
  })
})

describe('every role × every route answers as its policy says', () => {
  it('matches for every route (see the list of mismatches on failure)', async () => {
    const mismatches: string[] = []
    for (const entry of entries) {
      if (NOT_EXERCISED[key(entry)]) continue
      for (const who of WHO) {
        const verdict = expectedVerdict(entry.policy, who)
        const res = await call(who, {
          method: entry.method,
          url: concreteUrl(entry),
        })
        const problem = checkAnswer(entry, who, verdict, res)
        if (problem) mismatches.push(`${key(entry)} as ${who} (${verdict}): ${problem}`)
      }
    }
    expect(mismatches).toEqual([])
  })

  it('refuses an anonymous form post without a CSRF token (the policy answers first: 401, never a success)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/departments/sub-units',
      remoteAddress: nextAddress(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'parentId=x&code=x&name=x&shortName=x',
    })
    expect(res.statusCode).toBe(401)
  })
})

// ---------------------------------------------------------------------------------------------
// Record-level cases: own / other citizen, own / other department, acting for an enterprise.

interface Fixtures {
  personA: string
  personB: string
  messageOfA: string
  enterpriseOfA: string
  departments: Record<string, string>
  staffByLogin: Record<string, string>
}

interface RecordCase {
  name: string
  who: Who
  /** Extra x-test-* headers, from the fixtures. */
  as?: (f: Fixtures) => { person?: string; enterprise?: string; staff?: string; department?: string }
  request: (f: Fixtures) => { method: string; url: string; payload?: unknown }
  status: number
  /** Text the answer must contain (an error code in JSON, or words on a page). */
  contains?: string
}

/** Extend this table when a module adds records with owners. */
const RECORD_CASES: RecordCase[] = [
  // --- notifications: own / other citizen ---
  {
    name: 'a person marks their own message read',
    who: 'citizen',
    as: (f) => ({ person: f.personA }),
    request: (f) => ({ method: 'POST', url: `/api/my/messages/${f.messageOfA}/read` }),
    status: 200,
  },
  {
    name: 'a person cannot mark another person’s message read (404, as if it did not exist)',
    who: 'citizen',
    as: (f) => ({ person: f.personB }),
    request: (f) => ({ method: 'POST', url: `/api/my/messages/${f.messageOfA}/read` }),
    status: 404,
    contains: 'MESSAGE_NOT_FOUND',
  },
  // --- enterprises: legal representative / stranger / acting without a grant ---
  {
    name: 'the legal representative sees their enterprise',
    who: 'citizen',
    as: (f) => ({ person: f.personA }),
    request: (f) => ({ method: 'GET', url: `/my/enterprises/${f.enterpriseOfA}` }),
    status: 200,
  },
  {
    name: 'another person does not see it (404)',
    who: 'citizen',
    as: (f) => ({ person: f.personB }),
    request: (f) => ({ method: 'GET', url: `/my/enterprises/${f.enterpriseOfA}` }),
    status: 404,
  },
  {
    name: 'a person cannot act for an enterprise they have no grant for',
    who: 'citizen',
    as: (f) => ({ person: f.personB }),
    request: (f) => ({ method: 'POST', url: '/my/acting-as', payload: { enterpriseId: f.enterpriseOfA } }),
    status: 403,
    contains: '没有这家企业的有效授权',
  },
  {
    name: 'a person whose session claims an enterprise without a grant still cannot act for it',
    who: 'citizen',
    as: (f) => ({ person: f.personB, enterprise: f.enterpriseOfA }),
    request: (f) => ({ method: 'POST', url: '/my/acting-as', payload: { enterpriseId: f.enterpriseOfA } }),
    status: 403,
  },
  {
    name: 'the legal representative may act for it',
    who: 'citizen',
    as: (f) => ({ person: f.personA }),
    request: (f) => ({ method: 'POST', url: '/my/acting-as', payload: { enterpriseId: f.enterpriseOfA } }),
    status: 303,
  },
  {
    name: 'only the legal representative grants agents',
    who: 'citizen',
    as: (f) => ({ person: f.personB }),
    request: (f) => ({
      method: 'POST',
      url: `/my/enterprises/${f.enterpriseOfA}/agents`,
      payload: { agentIdNumber: '445103198503120029', agentName: '陈晓燕', scope: 'all', validUntil: '2026-12-31' },
    }),
    status: 403,
    contains: '只有企业的法定代表人',
  },
  // --- staff administration: own / other department ---
  {
    name: 'a department’s system administrator sees their department’s staff',
    who: 'sys_admin',
    as: (f) => ({ staff: 'matrix-scj-admin', department: f.departments.scj }),
    request: (f) => ({ method: 'GET', url: `/admin/staff/${f.staffByLogin.review01}` }),
    status: 200,
  },
  {
    name: 'a department’s system administrator cannot see another department’s staff',
    who: 'sys_admin',
    as: (f) => ({ staff: 'matrix-scj-admin', department: f.departments.scj }),
    request: (f) => ({ method: 'GET', url: `/admin/staff/${f.staffByLogin.review02}` }),
    status: 403,
    contains: '本部门',
  },
  {
    name: 'nor change their roles',
    who: 'sys_admin',
    as: (f) => ({ staff: 'matrix-scj-admin', department: f.departments.scj }),
    request: (f) => ({
      method: 'POST',
      url: `/admin/staff/${f.staffByLogin.review02}/roles/grant`,
      payload: { role: 'approver' },
    }),
    status: 403,
  },
  {
    name: 'nor add a sub-unit to another department',
    who: 'sys_admin',
    as: (f) => ({ staff: 'matrix-scj-admin', department: f.departments.scj }),
    request: (f) => ({
      method: 'POST',
      url: '/admin/departments/sub-units',
      payload: { parentId: f.departments.wjj, code: 'wjj-matrix', name: '矩阵测试科', shortName: '矩阵测试科' },
    }),
    status: 403,
  },
  {
    name: 'the district’s system administrator (区政务服务中心) manages every department',
    who: 'sys_admin',
    as: (f) => ({ staff: f.staffByLogin.sysadmin, department: f.departments.zwfw }),
    request: (f) => ({ method: 'GET', url: `/admin/staff/${f.staffByLogin.review02}` }),
    status: 200,
  },
]

describe('record-level cases', () => {
  let fixtures: Fixtures

  beforeAll(async () => {
    await runSeed(t.modules, { print: false })
    const personA = await personForTests('445103199001010043', '黄丽娜') // the demo seed made her already
    const personB = await personForTests('445103196208150031', '林振华')
    const messageOfA = (
      await queueNotification(
        t.db,
        {
          recipientPersonId: personA,
          channel: 'site',
          subject: '矩阵测试',
          body: '矩阵测试消息',
          category: 'system',
        },
        t.clock,
      )
    ).id
    const enterpriseOfA = await enterpriseForTests(personA)
    const departments: Record<string, string> = {}
    for (const d of await t.db.selectFrom('departments').select(['id', 'code']).execute()) departments[d.code] = d.id
    const staffByLogin: Record<string, string> = {}
    for (const s of await t.db
      .selectFrom('staff')
      .innerJoin('accounts', 'accounts.id', 'staff.accountId')
      .select(['staff.id', 'accounts.loginName'])
      .execute()) {
      if (s.loginName) staffByLogin[s.loginName] = s.id
    }
    fixtures = { personA, personB, messageOfA, enterpriseOfA, departments, staffByLogin }
  })

  it.each(RECORD_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const as = c.as?.(fixtures) ?? {}
    const headers: Record<string, string> = {}
    if (as.person) headers['x-test-person'] = as.person
    if (as.enterprise) headers['x-test-enterprise'] = as.enterprise
    if (as.staff) headers['x-test-staff'] = as.staff
    if (as.department) headers['x-test-department'] = as.department
    const res = await call(c.who, { ...c.request(fixtures), headers })
    expect(res.statusCode, describeAnswer(res)).toBe(c.status)
    if (c.contains) expect(res.body).toContain(c.contains)
  })
})

/** Finds or creates what the record cases need, through the identity module's services. */
async function personForTests(idNumber: string, name: string): Promise<string> {
  const found = await findPersonByIdNumber(t.deps, t.db, idNumber)
  if (found) return found.id
  const created = await transaction(t.db, (trx) =>
    createPerson(t.deps, trx, { name, idNumber, assuranceLevel: 2, assuranceSource: 'test' }),
  )
  return created.personId
}

async function enterpriseForTests(personId: string): Promise<string> {
  const first17 = '91445103MA4MATRX1'
  const result = await registerEnterprise(t.deps, testPrincipal({ personId, assuranceLevel: 2 }), {
    creditCode: first17 + creditCodeCheckCharacter(first17),
    name: '潮安区矩阵测试有限公司',
    kind: 'company',
  })
  return result.id
}

describe('deny by default', () => {
  it('refuses to build an app with a route that has no policy', async () => {
    const database = await createTestDatabase()
    try {
      const deps = createDeps(testConfig(database.config), { db: database.db })
      await expect(
        buildApp(deps, [
          {
            name: 'careless',
            register: (app) => {
              app.get('/careless', async () => 'no policy here')
            },
          },
        ]),
      ).rejects.toThrow(/routes without an access policy.*GET \/careless/)
    } finally {
      await database.drop()
    }
  })
})
