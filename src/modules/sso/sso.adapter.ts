/**
 * Storage for oidc-provider: every model in the one table `oidc_models`, shared by all app
 * nodes (SQLite or PostgreSQL). Clients are not stored here but read from `oidc_clients`, the
 * register administrators keep (sso.service.ts).
 *
 * Times: oidc-provider decides expiry with the system clock (its tokens carry `exp` from
 * Date.now()), so this adapter does too rather than `deps.clock`, or the two would disagree in
 * tests that move time.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider'
import { systemClock } from '../../platform/clock.js'
import type { Deps } from '../../platform/deps.js'
import {
  consumeModel,
  destroyModel,
  destroyModelsOfGrant,
  findClient,
  findModel,
  findModelBy,
  upsertModel,
} from './sso.repository.js'
import { clientMetadata } from './sso.service.js'

/** Models whose rows belong to a grant and go when it is revoked (as in oidc-provider's memory adapter). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
])

function nowIso(): string {
  return systemClock.now().toISOString()
}

function read(row: { payload: string; consumedAt: string | null } | undefined): AdapterPayload | undefined {
  if (!row) return undefined
  const payload = JSON.parse(row.payload) as AdapterPayload
  if (row.consumedAt) payload.consumed = Math.floor(new Date(row.consumedAt).getTime() / 1000)
  return payload
}

class ModelAdapter implements Adapter {
  constructor(
    private readonly deps: Deps,
    private readonly kind: string,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const { consumed: _consumed, ...stored } = payload
    await upsertModel(this.deps.db, {
      kind: this.kind,
      id,
      payload: JSON.stringify(stored),
      grantId: GRANTABLE.has(this.kind) && typeof payload.grantId === 'string' ? payload.grantId : null,
      userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
      uid: typeof payload.uid === 'string' ? payload.uid : null,
      expiresAt:
        typeof expiresIn === 'number' ? new Date(systemClock.now().getTime() + expiresIn * 1000).toISOString() : null,
      consumedAt: null,
    })
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return read(await findModel(this.deps.db, this.kind, id, nowIso()))
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return read(await findModelBy(this.deps.db, this.kind, 'uid', uid, nowIso()))
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return read(await findModelBy(this.deps.db, this.kind, 'userCode', userCode, nowIso()))
  }

  async consume(id: string): Promise<void> {
    await consumeModel(this.deps.db, this.kind, id, nowIso())
  }

  async destroy(id: string): Promise<void> {
    await destroyModel(this.deps.db, this.kind, id)
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await destroyModelsOfGrant(this.deps.db, this.kind, grantId)
  }
}

/** Clients come from the register; oidc-provider only ever reads them (no dynamic registration). */
class ClientAdapter implements Adapter {
  constructor(private readonly deps: Deps) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    const row = await findClient(this.deps.db, id)
    if (!row?.active) return undefined
    return clientMetadata(row, this.deps.fieldCrypto) as unknown as AdapterPayload
  }

  async upsert(): Promise<void> {
    throw new Error('clients are registered through the administration pages, not by oidc-provider')
  }
  async findByUid(): Promise<undefined> {
    return undefined
  }
  async findByUserCode(): Promise<undefined> {
    return undefined
  }
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}

export function adapterFactory(deps: Deps): (name: string) => Adapter {
  return (name) => (name === 'Client' ? new ClientAdapter(deps) : new ModelAdapter(deps, name))
}
