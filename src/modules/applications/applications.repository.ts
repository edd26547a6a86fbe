/** Queries on applications and the tables around them. */
import type { DbOrTrx } from '../../platform/db/database.js'
import { insertRow, type Placeholders, prepared, updateRow } from '../../platform/db/prepared.js'
import type {
  ApplicationEventTable,
  ApplicationMaterialTable,
  ApplicationPauseTable,
  ApplicationState,
  ApplicationTable,
  NoticeTable,
  TaskTable,
} from './applications.tables.js'

export function insertApplication(db: DbOrTrx, row: ApplicationTable) {
  return insertRow(db, 'applications', row)
}

export function findApplication(db: DbOrTrx, id: string) {
  return db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findApplicationByNo(db: DbOrTrx, applicationNo: string) {
  return db.selectFrom('applications').selectAll().where('applicationNo', '=', applicationNo).executeTakeFirst()
}

const byIdempotencyKey = prepared((db, p: Placeholders<{ personId: string; key: string }>) =>
  db
    .selectFrom('applications')
    .selectAll()
    .where('applicantPersonId', '=', p.personId)
    .where('idempotencyKey', '=', p.key),
)

export async function findByIdempotencyKey(db: DbOrTrx, personId: string, key: string) {
  return byIdempotencyKey.executeTakeFirst(db, { personId, key })
}

/**
 * Changes an application only if nobody else changed it since it was read (optimistic lock):
 * returns false when the row moved on, so the caller can refuse instead of overwriting.
 */
export async function updateApplication(
  db: DbOrTrx,
  app: Pick<ApplicationTable, 'id' | 'lockVersion'>,
  changes: Partial<Omit<ApplicationTable, 'id' | 'lockVersion'>>,
): Promise<boolean> {
  const changed = await updateRow(
    db,
    'applications',
    { ...changes, lockVersion: app.lockVersion + 1 },
    { id: app.id, lockVersion: app.lockVersion },
  )
  return changed === 1
}

const lastEventSeq = prepared((db, p: Placeholders<{ applicationId: string }>) =>
  db
    .selectFrom('applicationEvents')
    .select((eb) => eb.fn.max('seq').as('m'))
    .where('applicationId', '=', p.applicationId),
)

export async function nextEventSeq(db: DbOrTrx, applicationId: string): Promise<number> {
  const row = await lastEventSeq.executeTakeFirst(db, { applicationId })
  return Number(row?.m ?? 0) + 1
}

export function insertEvent(db: DbOrTrx, row: ApplicationEventTable) {
  return insertRow(db, 'applicationEvents', row)
}

export function listEvents(db: DbOrTrx, applicationId: string) {
  return db
    .selectFrom('applicationEvents')
    .selectAll()
    .where('applicationId', '=', applicationId)
    .orderBy('seq')
    .execute()
}

export function insertMaterial(db: DbOrTrx, row: ApplicationMaterialTable) {
  return insertRow(db, 'applicationMaterials', row)
}

export function listCurrentMaterials(db: DbOrTrx, applicationId: string) {
  return db
    .selectFrom('applicationMaterials')
    .selectAll()
    .where('applicationId', '=', applicationId)
    .where('current', '=', 1)
    .orderBy('materialCode')
    .orderBy('createdAt')
    .execute()
}

export function listAllMaterials(db: DbOrTrx, applicationId: string) {
  return db
    .selectFrom('applicationMaterials')
    .selectAll()
    .where('applicationId', '=', applicationId)
    .orderBy('round')
    .orderBy('materialCode')
    .orderBy('createdAt')
    .execute()
}

/** Retires the current files of the given materials (before corrected ones are added). */
export function retireMaterials(db: DbOrTrx, applicationId: string, materialCodes: string[]) {
  if (materialCodes.length === 0) return Promise.resolve()
  return db
    .updateTable('applicationMaterials')
    .set({ current: 0 })
    .where('applicationId', '=', applicationId)
    .where('materialCode', 'in', materialCodes)
    .where('current', '=', 1)
    .execute()
    .then(() => undefined)
}

export function insertNotice(db: DbOrTrx, row: NoticeTable) {
  return db.insertInto('notices').values(row).execute()
}

export function listNotices(db: DbOrTrx, applicationId: string) {
  return db.selectFrom('notices').selectAll().where('applicationId', '=', applicationId).orderBy('issuedAt').execute()
}

export function findNotice(db: DbOrTrx, id: string) {
  return db.selectFrom('notices').selectAll().where('id', '=', id).executeTakeFirst()
}

export function insertPause(db: DbOrTrx, row: ApplicationPauseTable) {
  return db.insertInto('applicationPauses').values(row).execute()
}

export function listPauses(db: DbOrTrx, applicationId: string) {
  return db
    .selectFrom('applicationPauses')
    .selectAll()
    .where('applicationId', '=', applicationId)
    .orderBy('fromAt')
    .execute()
}

export function closeOpenPause(db: DbOrTrx, applicationId: string, at: string) {
  return db
    .updateTable('applicationPauses')
    .set({ toAt: at })
    .where('applicationId', '=', applicationId)
    .where('toAt', 'is', null)
    .execute()
}

export function insertTask(db: DbOrTrx, row: TaskTable) {
  return db.insertInto('tasks').values(row).execute()
}

export function findTask(db: DbOrTrx, id: string) {
  return db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst()
}

export function listTasks(db: DbOrTrx, applicationId: string) {
  return db
    .selectFrom('tasks')
    .selectAll()
    .where('applicationId', '=', applicationId)
    .orderBy('stage')
    .orderBy('taskKey')
    .execute()
}

export async function updateTask(
  db: DbOrTrx,
  task: Pick<TaskTable, 'id' | 'state'>,
  changes: Partial<Omit<TaskTable, 'id' | 'applicationId'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('tasks')
    .set(changes)
    .where('id', '=', task.id)
    .where('state', '=', task.state)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Submitted applications received on or before a day (the §32 deemed-acceptance sweep). */
export function listSubmittedReceivedBy(db: DbOrTrx, day: string, limit: number) {
  return db
    .selectFrom('applications')
    .selectAll()
    .where('state', '=', 'submitted')
    .where('receivedOn', '<=', day)
    .orderBy('receivedOn')
    .limit(limit)
    .execute()
}

export function countByState(db: DbOrTrx, departmentId: string, states: ApplicationState[]) {
  return db
    .selectFrom('applications')
    .select(['state', (eb) => eb.fn.countAll().as('n')])
    .where('departmentId', '=', departmentId)
    .where('state', 'in', states)
    .groupBy('state')
    .execute()
}
