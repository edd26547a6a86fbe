/**
 * Window staff raise a person's identity assurance (L2: documents checked at a window or by an
 * external verifier; L3: in person with the original ID card) and, when handling their case, may
 * see the person's full record — each full view needs a reason and is audited (SECURITY.md).
 */
import { appendAudit, auditActorOf } from '../../platform/audit/audit.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { transaction } from '../../platform/db/database.js'
import type { Deps } from '../../platform/deps.js'
import { DomainError, invalidInput } from '../../platform/http/errors.js'
import { maskName, validateCitizenId } from '../../platform/validators/index.js'
import { findPerson } from './identity.repository.js'
import { findPersonByIdNumber } from './identity.service.js'

export const VIEW_REASONS = {
  verify_identity: '核验身份',
  file_for_person: '为本人代办事项',
  handle_case: '办理其办件',
  answer_enquiry: '答复本人咨询',
} as const
export type ViewReason = keyof typeof VIEW_REASONS

export interface PersonCard {
  id: string
  nameMasked: string
  idNumberMasked: string
  mobileMasked: string | null
  assuranceLevel: 1 | 2 | 3
  assuranceSource: string | null
}

export interface PersonFull extends PersonCard {
  name: string
  idNumber: string
  mobile: string | null
  birthDate: string | null
  sex: 'male' | 'female' | null
}

const personNotFound = () =>
  new DomainError(
    'PERSON_NOT_FOUND',
    'not_found',
    '没有找到这个身份证号码的注册用户。可以请本人先注册，或由窗口代为注册。',
  )

/** Finds a person by ID number; the answer is masked. */
export async function lookUpPerson(deps: Deps, rawIdNumber: string): Promise<PersonCard> {
  const id = validateCitizenId(rawIdNumber)
  if (!id.ok) throw invalidInput([{ field: 'idNumber', message: id.message }])
  const person = await findPersonByIdNumber(deps, deps.db, id.value)
  if (!person) throw personNotFound()
  return card(person)
}

function card(person: NonNullable<Awaited<ReturnType<typeof findPerson>>>): PersonCard {
  return {
    id: person.id,
    nameMasked: maskName(person.name),
    idNumberMasked: person.idNumberMasked,
    mobileMasked: person.mobileMasked,
    assuranceLevel: person.assuranceLevel,
    assuranceSource: person.assuranceSource,
  }
}

/**
 * The full record, for the staff handling the person's case. The reason is recorded with the
 * view in the audit trail, so the person and the auditors can see who looked and why.
 * @throws VALIDATION_FAILED without a reason; PERSON_NOT_FOUND
 */
export async function viewPersonFull(
  deps: Deps,
  principal: Principal,
  personId: string,
  input: { reason: string; note?: string },
  context: { ip?: string; requestId?: string } = {},
): Promise<PersonFull> {
  if (!Object.hasOwn(VIEW_REASONS, input.reason)) {
    throw invalidInput([{ field: 'reason', message: '请选择查看完整信息的理由' }])
  }
  const note = input.note?.trim().slice(0, 200) ?? ''
  return transaction(deps.db, async (trx) => {
    const person = await findPerson(trx, personId)
    if (!person) throw personNotFound()
    await appendAudit(trx, {
      at: deps.clock.now(),
      actor: auditActorOf(actorOf(principal, 'window')),
      action: 'identity.person_view_full',
      object: { type: 'person', id: person.id },
      details: { reason: input.reason, note, departmentId: principal.departmentId ?? null },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
    return {
      ...card(person),
      name: person.name,
      idNumber: deps.fieldCrypto.decrypt(person.idNumberEnc),
      mobile: person.mobileEnc ? deps.fieldCrypto.decrypt(person.mobileEnc) : null,
      birthDate: person.birthDate,
      sex: person.sex,
    }
  })
}

export const ASSURANCE_METHODS = {
  window_document_check: { level: 2, label: '窗口核验身份证件' },
  in_person_original: { level: 3, label: '本人到场，核验身份证原件' },
} as const
export type AssuranceMethod = keyof typeof ASSURANCE_METHODS

/**
 * Raises (never lowers) a person's assurance level after a check at the window.
 * @throws VALIDATION_FAILED for an unknown method; PERSON_NOT_FOUND
 */
export async function raiseAssurance(
  deps: Deps,
  principal: Principal,
  personId: string,
  method: string,
  context: { ip?: string; requestId?: string } = {},
): Promise<PersonCard> {
  if (!Object.hasOwn(ASSURANCE_METHODS, method)) {
    throw invalidInput([{ field: 'method', message: '请选择核验方式' }])
  }
  const target = ASSURANCE_METHODS[method as AssuranceMethod].level
  return transaction(deps.db, async (trx) => {
    const person = await findPerson(trx, personId)
    if (!person) throw personNotFound()
    if (person.assuranceLevel >= target) return card(person)
    const now = deps.clock.now()
    await trx
      .updateTable('persons')
      .set({ assuranceLevel: target, assuranceSource: method, updatedAt: now.toISOString() })
      .where('id', '=', person.id)
      .execute()
    await appendAudit(trx, {
      at: now,
      actor: auditActorOf(actorOf(principal, 'window')),
      action: 'identity.assurance_raise',
      object: { type: 'person', id: person.id },
      details: { from: person.assuranceLevel, to: target, method, servicePointId: principal.servicePointId ?? null },
      sourceIp: context.ip ?? null,
      requestId: context.requestId ?? null,
    })
    return { ...card(person), assuranceLevel: target, assuranceSource: method }
  })
}
