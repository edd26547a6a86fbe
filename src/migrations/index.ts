/**
 * Every migration, in order. Migrations are frozen in time: they never import application
 * code, and a migration that has shipped is never edited (add a new one instead). Each runs
 * on SQLite and on PostgreSQL (see _columns.ts for the shared column types).
 */
import type { Migration } from 'kysely'
import * as m0001 from './2026_11_27_0001_audit.js'
import * as m0002 from './2026_11_27_0002_calendar.js'
import * as m0003 from './2026_11_27_0003_files.js'
import * as m0004 from './2026_11_27_0004_notifications.js'
import * as m0005 from './2026_11_27_0005_search.js'
import * as m0006 from './2026_11_27_0006_organisation.js'
import * as m0007 from './2026_11_27_0007_identity.js'
import * as m0008 from './2026_11_27_0008_enterprises.js'
import * as m0009 from './2026_11_27_0009_sso.js'
import * as m0010 from './2026_11_27_0010_login_factors.js'
import * as m0011 from './2026_11_27_0011_catalog.js'
import * as m0012 from './2026_11_27_0012_applications.js'
import * as m0013 from './2026_11_27_0013_licenses.js'
import * as m0014 from './2026_11_27_0014_application_names.js'
import * as m0015 from './2026_11_27_0015_ratings.js'
import * as m0016 from './2026_11_27_0016_supervision.js'
import * as m0017 from './2026_11_27_0017_license_services.js'
import * as m0018 from './2026_11_27_0018_performance_indexes.js'
import * as m0019 from './2026_11_27_0019_statistics_summary.js'
import * as m0020 from './2026_11_27_0020_inbox_indexes.js'
import * as m0021 from './2026_11_27_0021_statistics_by_department.js'
import * as m0022 from './2026_11_28_0022_one_draft.js'
import * as m0023 from './2026_11_28_0023_statistics_by_item_and_point.js'
import * as m0024 from './2026_11_28_0024_statistics_generation.js'
import * as m0025 from './2026_11_28_0025_open_cases_index.js'
import * as m0026 from './2026_11_29_0026_material_upload_days.js'
import * as m0027 from './2026_11_29_0027_statistics_month_through.js'

export const migrations: Record<string, Migration> = {
  '2026_11_27_0001_audit': m0001,
  '2026_11_27_0002_calendar': m0002,
  '2026_11_27_0003_files': m0003,
  '2026_11_27_0004_notifications': m0004,
  '2026_11_27_0005_search': m0005,
  '2026_11_27_0006_organisation': m0006,
  '2026_11_27_0007_identity': m0007,
  '2026_11_27_0008_enterprises': m0008,
  '2026_11_27_0009_sso': m0009,
  '2026_11_27_0010_login_factors': m0010,
  '2026_11_27_0011_catalog': m0011,
  '2026_11_27_0012_applications': m0012,
  '2026_11_27_0013_licenses': m0013,
  '2026_11_27_0014_application_names': m0014,
  '2026_11_27_0015_ratings': m0015,
  '2026_11_27_0016_supervision': m0016,
  '2026_11_27_0017_license_services': m0017,
  '2026_11_27_0018_performance_indexes': m0018,
  '2026_11_27_0019_statistics_summary': m0019,
  '2026_11_27_0020_inbox_indexes': m0020,
  '2026_11_27_0021_statistics_by_department': m0021,
  '2026_11_28_0022_one_draft': m0022,
  '2026_11_28_0023_statistics_by_item_and_point': m0023,
  '2026_11_28_0024_statistics_generation': m0024,
  '2026_11_28_0025_open_cases_index': m0025,
  '2026_11_29_0026_material_upload_days': m0026,
  '2026_11_29_0027_statistics_month_through': m0027,
}
