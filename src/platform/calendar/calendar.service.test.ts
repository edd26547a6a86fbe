import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/helpers.js'
import { listAudit } from '../audit/audit.js'
import type { Actor } from '../auth/principal.js'
import { TestClock } from '../clock.js'
import { DomainError } from '../http/errors.js'
import { addWorkingDays, isWorkingDay } from './calendar.js'
import { findCalendarDay, listCalendarDays, upsertCalendarDay } from './calendar.repository.js'
import {
  createCalendarService,
  loadCalendar,
  removeCalendarDay,
  SYSTEM_UPDATER,
  seedOfficialCalendar,
  setCalendarDay,
} from './calendar.service.js'
import { officialCalendarEntries } from './holidays.js'

const admin: Actor = { staffId: 'staff-admin', channel: 'window' }

let database: TestDatabase
let clock: TestClock

beforeEach(async () => {
  database = await createTestDatabase()
  clock = new TestClock(new Date('2026-01-10T02:00:00.000Z'))
})

afterEach(async () => {
  await database.drop()
})

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof DomainError) return error
    throw error
  }
  throw new Error('expected a DomainError')
}

describe('seedOfficialCalendar', () => {
  it('inserts every day of the official schedules with its name and notice', async () => {
    const { inserted } = await seedOfficialCalendar(database.db, { clock })
    expect(inserted).toHaveLength(officialCalendarEntries().length)
    const row = await findCalendarDay(database.db, '2026-02-14')
    expect(row).toEqual({
      day: '2026-02-14',
      kind: 'workday',
      name: '春节',
      source: '国办发明电〔2025〕7号',
      updatedAt: '2026-01-10T02:00:00.000Z',
      updatedBy: SYSTEM_UPDATER,
    })
  })

  it('changes nothing when run twice', async () => {
    await seedOfficialCalendar(database.db, { clock })
    const before = await listCalendarDays(database.db)
    clock.advance(86_400_000)
    const again = await seedOfficialCalendar(database.db, { clock })
    expect(again.inserted).toEqual([])
    expect(await listCalendarDays(database.db)).toEqual(before)
    const audit = await listAudit(database.db, { action: 'calendar.seed_official' })
    expect(audit.entries).toHaveLength(1)
    expect(audit.entries[0]).toMatchObject({ actorType: 'system', details: { inserted: before.length } })
  })

  it('keeps an admin edit made after the first seed', async () => {
    await seedOfficialCalendar(database.db, { clock })
    await setCalendarDay(
      database.db,
      { day: '2026-10-07', kind: 'workday', name: '国庆节（本地调整）', source: '区政府办公室通知' },
      { actor: admin, clock },
    )
    await seedOfficialCalendar(database.db, { clock })
    expect(await findCalendarDay(database.db, '2026-10-07')).toMatchObject({
      kind: 'workday',
      name: '国庆节（本地调整）',
      updatedBy: 'staff-admin',
    })
  })

  it('fills in the days that are missing and leaves the rest', async () => {
    await upsertCalendarDay(database.db, {
      day: '2026-02-16',
      kind: 'holiday',
      name: '春节（已录入）',
      source: null,
      updatedAt: '2025-12-01T00:00:00.000Z',
      updatedBy: 'staff-earlier',
    })
    const { inserted } = await seedOfficialCalendar(database.db, { clock })
    expect(inserted).not.toContain('2026-02-16')
    expect(inserted).toContain('2026-02-15')
    expect((await findCalendarDay(database.db, '2026-02-16'))?.name).toBe('春节（已录入）')
  })
})

describe('loadCalendar', () => {
  it('counts working days from the stored days', async () => {
    await seedOfficialCalendar(database.db, { clock })
    const cal = await loadCalendar(database.db, { clock })
    expect(addWorkingDays(cal, '2026-02-12', 20)).toBe('2026-03-18')
    expect(isWorkingDay(cal, '2026-09-20')).toBe(true)
    expect(isWorkingDay(cal, '2025-01-28')).toBe(false)
    expect(cal.coveredYears).toEqual([2024, 2025, 2026])
    expect(cal.coversYear(2027)).toBe(false)
  })

  it('gives a weekends-only calendar covering no year when nothing is stored', async () => {
    const cal = await loadCalendar(database.db, { clock })
    expect(cal.coversYear(2026)).toBe(false)
    expect(isWorkingDay(cal, '2026-02-16')).toBe(true)
  })
})

describe('the calendar service', () => {
  it('sees its own edits at once', async () => {
    const calendar = createCalendarService({ db: database.db, clock })
    await calendar.seedOfficial()
    expect(isWorkingDay(await calendar.load(), '2026-03-04')).toBe(true)
    await calendar.setDay({ day: '2026-03-04', kind: 'holiday', name: '台风停工' }, admin)
    expect(isWorkingDay(await calendar.load(), '2026-03-04')).toBe(false)
    await calendar.removeDay('2026-03-04', admin)
    expect(isWorkingDay(await calendar.load(), '2026-03-04')).toBe(true)
  })

  it("sees another node's edits once the cache is a minute old", async () => {
    const calendar = createCalendarService({ db: database.db, clock })
    await calendar.seedOfficial()
    expect(isWorkingDay(await calendar.load(), '2026-03-05')).toBe(true)
    // Another process writes the table directly.
    await upsertCalendarDay(database.db, {
      day: '2026-03-05',
      kind: 'holiday',
      name: '台风停工',
      source: null,
      updatedAt: clock.now().toISOString(),
      updatedBy: 'staff-elsewhere',
    })
    clock.advance(59_000)
    expect(isWorkingDay(await calendar.load(), '2026-03-05')).toBe(true)
    clock.advance(2_000)
    expect(isWorkingDay(await calendar.load(), '2026-03-05')).toBe(false)
  })
})

describe('setCalendarDay', () => {
  it('records a local closure with who set it and when', async () => {
    const row = await setCalendarDay(
      database.db,
      { day: '2026-07-15', kind: 'holiday', name: ' 台风停工 ', source: ' 潮安区防汛防旱防风指挥部通知 ' },
      { actor: admin, clock },
    )
    expect(row).toEqual({
      day: '2026-07-15',
      kind: 'holiday',
      name: '台风停工',
      source: '潮安区防汛防旱防风指挥部通知',
      updatedAt: '2026-01-10T02:00:00.000Z',
      updatedBy: 'staff-admin',
    })
  })

  it('writes one audit entry saying what the day was before', async () => {
    await seedOfficialCalendar(database.db, { clock })
    await setCalendarDay(
      database.db,
      { day: '2026-10-07', kind: 'workday', name: '国庆节（本地调整）' },
      { actor: admin, clock, requestId: 'req-1' },
    )
    const audit = await listAudit(database.db, { objectType: 'calendar_day', objectId: '2026-10-07' })
    expect(audit.entries).toHaveLength(1)
    expect(audit.entries[0]).toMatchObject({
      action: 'calendar_day.set',
      actorType: 'staff',
      actorId: 'staff-admin',
      requestId: 'req-1',
      details: {
        kind: 'workday',
        name: '国庆节（本地调整）',
        previous: { kind: 'holiday', name: '国庆节', source: '国办发明电〔2025〕7号' },
      },
    })
  })

  it('names every field that is wrong', async () => {
    const error = await rejection(
      setCalendarDay(
        database.db,
        { day: '2026-02-30', kind: 'rest' as never, name: '  ', source: null },
        { actor: admin, clock },
      ),
    )
    expect(error.kind).toBe('invalid')
    expect(error.details.map((d) => d.field)).toEqual(['day', 'kind', 'name'])
    expect(await listCalendarDays(database.db)).toEqual([])
  })

  it('is refused to someone who is not staff', async () => {
    const error = await rejection(
      setCalendarDay(
        database.db,
        { day: '2026-07-15', kind: 'holiday', name: '台风停工' },
        { actor: { personId: 'p1', channel: 'online' }, clock },
      ),
    )
    expect(error.kind).toBe('forbidden')
  })
})

describe('removeCalendarDay', () => {
  it('refuses a day of an official schedule, which the seed would put back', async () => {
    await seedOfficialCalendar(database.db, { clock })
    const error = await rejection(removeCalendarDay(database.db, '2026-02-16', { actor: admin }))
    expect(error.kind).toBe('conflict')
    expect(error.message).toContain('国办发明电〔2025〕7号')
    expect(await findCalendarDay(database.db, '2026-02-16')).toBeDefined()
    expect((await listAudit(database.db, { action: 'calendar_day.remove' })).entries).toEqual([])
  })

  it('deletes a local day and records it in the audit trail', async () => {
    await setCalendarDay(database.db, { day: '2026-07-15', kind: 'holiday', name: '台风停工' }, { actor: admin, clock })
    await removeCalendarDay(database.db, '2026-07-15', { actor: admin, clock })
    expect(await findCalendarDay(database.db, '2026-07-15')).toBeUndefined()
    const audit = await listAudit(database.db, { action: 'calendar_day.remove' })
    expect(audit.entries).toHaveLength(1)
    expect(audit.entries[0]).toMatchObject({ objectId: '2026-07-15', details: { kind: 'holiday', name: '台风停工' } })
  })

  it('says when nothing is recorded for the day', async () => {
    const error = await rejection(removeCalendarDay(database.db, '2026-03-04', { actor: admin }))
    expect(error.kind).toBe('not_found')
  })

  it('rejects a malformed date', async () => {
    const error = await rejection(removeCalendarDay(database.db, '2026-3-4', { actor: admin }))
    expect(error.kind).toBe('invalid')
  })
})
