/**
 * Sharing a license for one use (证照分享): the holder makes a link for someone outside the
 * platform (a bank, a landlord) with the audience and purpose written down, valid for at most 7
 * days. Rules:
 *
 * - the token (32 random bytes, base64url) is shown once; only its SHA-256 is stored;
 * - the link opens ONCE: the first GET of /licenses/shared/:token marks the share used (an atomic
 *   update, so two opens racing cannot both see it) and records a use of the license
 *   (license_uses, visible to the holder under 「谁用了我的证照」); later opens, an expired or a
 *   revoked share, or a license no longer valid, answer 410 without the face;
 * - the holder may revoke a share not yet used; at most 10 open shares per license;
 * - the shared face masks the person's name and carries the verification link instead of the
 *   signed payload (licenses.face.tsx).
 */
import { createHash, randomBytes } from 'node:crypto'
import { appendAudit, auditActorOf, systemActor } from '../../platform/audit/audit.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { todayInShanghai } from '../../platform/calendar/index.js'
import { transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, type FieldProblem, invalidInput } from '../../platform/http/errors.js'
import { newId } from '../../platform/ids.js'
import { maskName } from '../../platform/validators/index.js'
import type { RequestContext } from './licenses.keys.js'
import { getLicense, getLicenseType, type LicenseTypeView, type LicenseView, recordUseIn } from './licenses.service.js'
import { getOwnLicense, type WalletState, walletStateOf } from './licenses.wallet.js'

export const SHARE_MAX_DAYS = 7
export const SHARE_DAY_CHOICES = [1, 3, 7] as const
export const MAX_OPEN_SHARES = 10

export type ShareStatus = 'open' | 'used' | 'expired' | 'revoked'

export const SHARE_STATUS_LABELS: Record<ShareStatus, string> = {
  open: '未使用',
  used: '已查看',
  expired: '已过期',
  revoked: '已撤销',
}

export interface ShareView {
  id: string
  audience: string
  purpose: string
  createdAt: string
  expiresAt: string
  usedAt: string | null
  revokedAt: string | null
  status: ShareStatus
}

export interface ShareInput {
  audience: string
  purpose: string
  days: number
}

const where = (c: RequestContext) => ({ sourceIp: c.ip ?? null, requestId: c.requestId ?? null })

export const hashShareToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex')

/** Tokens look like this (43 base64url characters); anything else is not looked up at all. */
export const SHARE_TOKEN = /^[A-Za-z0-9_-]{43}$/

function statusOf(row: { usedAt: string | null; revokedAt: string | null; expiresAt: string }, now: Date): ShareStatus {
  if (row.revokedAt) return 'revoked'
  if (row.usedAt) return 'used'
  return new Date(row.expiresAt).getTime() <= now.getTime() ? 'expired' : 'open'
}

const shareNotFound = () =>
  new DomainError('LICENSE_SHARE_NOT_FOUND', 'not_found', '找不到这个分享链接，请核对链接是否完整。')

function clean(value: unknown): string {
  return typeof value === 'string' ? value.normalize('NFKC').replace(/\s+/g, ' ').trim() : ''
}

function checkInput(input: ShareInput): { audience: string; purpose: string; days: number } {
  const audience = clean(input.audience)
  const purpose = clean(input.purpose)
  const problems: FieldProblem[] = []
  if (audience.length < 2 || audience.length > 60) {
    problems.push({ field: 'audience', message: '请用2至60个字写明分享给谁，如「中国工商银行潮安支行」' })
  }
  if (purpose.length < 2 || purpose.length > 100) {
    problems.push({ field: 'purpose', message: '请用2至100个字写明用途，如「开立对公账户」' })
  }
  const days = Number(input.days)
  if (!Number.isInteger(days) || days < 1 || days > SHARE_MAX_DAYS) {
    problems.push({ field: 'days', message: `有效期最长 ${SHARE_MAX_DAYS} 天，请选择` })
  }
  if (problems.length > 0) throw invalidInput(problems)
  return { audience, purpose, days }
}

/** The shares of a license, newest first. */
export async function listShares(deps: Deps, licenseId: string): Promise<ShareView[]> {
  const now = deps.clock.now()
  const rows = await deps.db
    .selectFrom('licenseShares')
    .select(['id', 'audience', 'purpose', 'createdAt', 'expiresAt', 'usedAt', 'revokedAt'])
    .where('licenseId', '=', licenseId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .execute()
  return rows.map((r) => ({ ...r, status: statusOf(r, now) }))
}

/**
 * Makes a share link of the holder's own, valid license. Returns the token — the only time it is
 * known; the holder must copy the link now.
 * @throws LICENSE_NOT_FOUND (not the caller's); LICENSE_NOT_ACTIVE; VALIDATION_FAILED;
 *   LICENSE_SHARES_LIMIT
 */
export async function createShare(
  deps: Deps,
  principal: Principal,
  licenseId: string,
  input: ShareInput,
  ctx: RequestContext = {},
): Promise<{ token: string; share: ShareView }> {
  const { license, walletState } = await getOwnLicense(deps, principal, licenseId)
  if (walletState !== 'valid' && walletState !== 'expiring') {
    throw new DomainError('LICENSE_NOT_ACTIVE', 'conflict', `这份证照当前为「${license.stateLabel}」，不能分享。`)
  }
  const { audience, purpose, days } = checkInput(input)
  const token = randomBytes(32).toString('base64url')
  const now = deps.clock.now()
  const expiresAt = new Date(now.getTime() + days * 86_400_000).toISOString()
  const id = newId()
  await transaction(deps.db, async (trx) => {
    const open = await trx
      .selectFrom('licenseShares')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('licenseId', '=', license.id)
      .where('usedAt', 'is', null)
      .where('revokedAt', 'is', null)
      .where('expiresAt', '>', now.toISOString())
      .executeTakeFirstOrThrow()
    if (Number(open.n) >= MAX_OPEN_SHARES) {
      throw new DomainError(
        'LICENSE_SHARES_LIMIT',
        'conflict',
        `这份证照已有 ${MAX_OPEN_SHARES} 个未使用的分享链接，请先撤销不再需要的链接。`,
      )
    }
    await trx
      .insertInto('licenseShares')
      .values({
        id,
        licenseId: license.id,
        tokenHash: hashShareToken(token),
        audience,
        purpose,
        createdByPersonId: principal.personId ?? null,
        expiresAt,
        createdAt: now.toISOString(),
        usedAt: null,
        revokedAt: null,
      })
      .execute()
    await appendAudit(trx, {
      at: now,
      actor: auditActorOf(actorOf(principal)),
      action: 'license.share_create',
      object: { type: 'license_share', id },
      details: { licenseId: license.id, identifier: license.identifier, audience, purpose, expiresAt },
      ...where(ctx),
    })
  })
  return {
    token,
    share: {
      id,
      audience,
      purpose,
      createdAt: now.toISOString(),
      expiresAt,
      usedAt: null,
      revokedAt: null,
      status: 'open',
    },
  }
}

/**
 * Revokes a share not yet used.
 * @throws LICENSE_NOT_FOUND (not the caller's); LICENSE_SHARE_NOT_FOUND; LICENSE_SHARE_CLOSED
 */
export async function revokeShare(
  deps: Deps,
  principal: Principal,
  licenseId: string,
  shareId: string,
  ctx: RequestContext = {},
): Promise<void> {
  const { license } = await getOwnLicense(deps, principal, licenseId)
  const now = deps.clock.now()
  await transaction(deps.db, async (trx) => {
    const share = await trx
      .selectFrom('licenseShares')
      .select(['id', 'usedAt', 'revokedAt', 'expiresAt'])
      .where('id', '=', shareId)
      .where('licenseId', '=', license.id)
      .executeTakeFirst()
    if (!share) throw shareNotFound()
    const result = await trx
      .updateTable('licenseShares')
      .set({ revokedAt: now.toISOString() })
      .where('id', '=', share.id)
      .where('usedAt', 'is', null)
      .where('revokedAt', 'is', null)
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) !== 1) {
      throw new DomainError(
        'LICENSE_SHARE_CLOSED',
        'conflict',
        `这个分享链接${SHARE_STATUS_LABELS[statusOf(share, now)]}，无需撤销。`,
      )
    }
    await appendAudit(trx, {
      at: now,
      actor: auditActorOf(actorOf(principal)),
      action: 'license.share_revoke',
      object: { type: 'license_share', id: share.id },
      details: { licenseId: license.id, identifier: license.identifier },
      ...where(ctx),
    })
  })
}

export type OpenedShare =
  | {
      ok: true
      license: LicenseView
      type: LicenseTypeView
      walletState: WalletState
      share: { audience: string; purpose: string; sharedBy: string }
      openedAt: string
    }
  | { ok: false; reason: 'used' | 'expired' | 'revoked' | 'inactive'; message: string }

const GONE_MESSAGES: Record<'used' | 'expired' | 'revoked', string> = {
  used: '这个分享链接已经打开过。分享链接只能查看一次，如需再次查看，请联系持证人重新分享。',
  expired: '这个分享链接已过期。如需查看，请联系持证人重新分享。',
  revoked: '持证人已撤销这个分享链接。',
}

/**
 * Opens a share: marks it used and records a use of the license, in one transaction; then the
 * face can be shown. A used, expired or revoked share, or a license no longer valid, gives the
 * reason instead (nothing recorded).
 * @throws LICENSE_SHARE_NOT_FOUND for an unknown token
 */
export async function openShare(deps: Deps, token: string, ctx: RequestContext = {}): Promise<OpenedShare> {
  if (!SHARE_TOKEN.test(token)) throw shareNotFound()
  const share = await deps.db
    .selectFrom('licenseShares')
    .selectAll()
    .where('tokenHash', '=', hashShareToken(token))
    .executeTakeFirst()
  if (!share) throw shareNotFound()
  const now = deps.clock.now()
  const status = statusOf(share, now)
  if (status !== 'open') return { ok: false, reason: status, message: GONE_MESSAGES[status] }
  try {
    const opened = await transaction(deps.db, async (trx) => {
      const result = await trx
        .updateTable('licenseShares')
        .set({ usedAt: now.toISOString() })
        .where('id', '=', share.id)
        .where('usedAt', 'is', null)
        .where('revokedAt', 'is', null)
        .where('expiresAt', '>', now.toISOString())
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) !== 1) return false
      const use = await recordUseIn(
        deps,
        trx,
        share.licenseId,
        { personId: null, purpose: `通过分享链接查看：${share.audience}，${share.purpose}`.slice(0, 200) },
        { actor: { system: 'licenses.share' }, ...ctx },
      )
      await appendAudit(trx, {
        at: now,
        actor: systemActor('licenses.share'),
        action: 'license.share_open',
        object: { type: 'license_share', id: share.id },
        details: { licenseId: share.licenseId, useId: use.id },
        ...where(ctx),
      })
      return true
    })
    if (!opened) {
      // Someone else opened (or the holder revoked) it between our read and our update.
      return { ok: false, reason: 'used', message: GONE_MESSAGES.used }
    }
  } catch (error) {
    if (error instanceof DomainError && error.code === 'LICENSE_NOT_ACTIVE') {
      return { ok: false, reason: 'inactive', message: `${error.message}分享链接已失效。` }
    }
    throw error
  }
  const license = await getLicense(deps, share.licenseId)
  return {
    ok: true,
    license,
    type: await getLicenseType(deps, license.typeCode),
    walletState: walletStateOf(license, todayInShanghai(now)),
    share: {
      audience: share.audience,
      purpose: share.purpose,
      sharedBy: license.holder.kind === 'person' ? maskName(license.holder.name) : license.holder.name,
    },
    openedAt: now.toISOString(),
  }
}
