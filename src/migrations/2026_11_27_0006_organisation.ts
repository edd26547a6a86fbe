import type { Kysely } from 'kysely'
import { columnTypes, nowDefault, oneOf } from './_columns.js'

/** Administrative areas (GB/T 2260), departments and their sub-units, service points. */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db)

  await db.schema
    .createTable('areas')
    // A stable slug: the GB/T 2260 code is not known for every town yet, and codes change.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text') // GB/T 2260 / 统计用区划代码, when confirmed
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) =>
      c.notNull().check(oneOf('level', ['province', 'city', 'county', 'town', 'village'])),
    )
    .addColumn('parent_id', 'text', (c) => c.references('areas.id'))
    .addColumn('kind', 'text') // 镇 / 街道 / 林场 / 村 / 社区
    .addColumn('code_confirmed', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addUniqueConstraint('areas_code_key', ['code'])
    .execute()
  await db.schema.createIndex('areas_parent_idx').on('areas').columns(['parent_id', 'sort_order']).execute()

  await db.schema
    .createTable('departments')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull()) // short stable code, e.g. 'scjg'
    .addColumn('credit_code', 'text') // 统一社会信用代码 of the agency
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('short_name', 'text', (c) => c.notNull())
    .addColumn('parent_id', t.id, (c) => c.references('departments.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', ['department', 'sub_unit', 'town'])))
    .addColumn('area_id', 'text', (c) => c.notNull().references('areas.id'))
    .addColumn('phone', 'text')
    .addColumn('address', 'text')
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addUniqueConstraint('departments_code_key', ['code'])
    .execute()
  await db.schema.createIndex('departments_parent_idx').on('departments').columns(['parent_id', 'sort_order']).execute()

  await db.schema
    .createTable('service_points')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(oneOf('kind', ['center_window', 'town_station', 'village_point'])),
    )
    .addColumn('department_id', t.id, (c) => c.references('departments.id'))
    .addColumn('area_id', 'text', (c) => c.notNull().references('areas.id'))
    .addColumn('address', 'text')
    .addColumn('phone', 'text')
    .addColumn('active', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(nowDefault(db)))
    .addUniqueConstraint('service_points_code_key', ['code'])
    .execute()
  await db.schema.createIndex('service_points_area_idx').on('service_points').columns(['area_id', 'kind']).execute()
}
