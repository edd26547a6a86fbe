/**
 * Test helpers for ratings: finished applications made through the applications service — the
 * 即办件 社会保障卡申领 (区社保局) completes on submission — and one still waiting (食品经营许可, 区市场监管局).
 */
import { formFor } from '../src/modules/applications/applications.forms.registry.js'
import { submitApplication } from '../src/modules/applications/applications.service.js'
import { type ApplicationTable, STATE_NAMES } from '../src/modules/applications/index.js'
import { getVersion, type ItemElements } from '../src/modules/catalog/index.js'
import type { Principal } from '../src/platform/auth/principal.js'
import type { Deps } from '../src/platform/deps.js'
import { documentTypes } from '../src/platform/files/files.js'
import { sampleFormData, sampleMaterials } from './applications.js'

let keys = 0

export async function applyFor(deps: Deps, who: Principal, itemName: string): Promise<ApplicationTable> {
  const row = await deps.db
    .selectFrom('items')
    .innerJoin('itemVersions', 'itemVersions.id', 'items.currentVersionId')
    .select(['items.id', 'itemVersions.id as versionId'])
    .where('itemVersions.taskName', '=', itemName)
    .executeTakeFirstOrThrow()
  const version = await getVersion(deps.db, row.versionId)
  const elements = JSON.parse(version.elements) as ItemElements
  return submitApplication(deps, who, {
    itemId: row.id,
    idempotencyKey: `ratings-test-${process.pid}-${++keys}-${Date.now()}`,
    formData: sampleFormData(formFor(version)),
    materials: await sampleMaterials(deps.files, elements, documentTypes),
  })
}

/** A 即办件 decided and delivered at once: completed now (区社保局). */
export async function finishedApplication(deps: Deps, who: Principal): Promise<ApplicationTable> {
  const app = await applyFor(deps, who, '社会保障卡申领')
  if (app.state !== 'completed') throw new Error(`expected completed, got ${STATE_NAMES[app.state]}`)
  return app
}

/** Submitted and waiting for pre-review (区市场监管局). */
export function pendingApplication(deps: Deps, who: Principal): Promise<ApplicationTable> {
  return applyFor(deps, who, '食品经营许可')
}

/** The code of a rejected promise, or 'none'. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return (error as { code?: string }).code ?? String(error)
  }
  return 'none'
}
