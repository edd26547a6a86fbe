/** The SQLite statement cache (database.ts withStatementCache). */
import SQLite from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { withStatementCache } from './database.js'

describe('withStatementCache', () => {
  it('hands out the compiled statement again for the same SQL, and keeps the rest of the API', () => {
    const db = withStatementCache(new SQLite(':memory:'))
    db.exec('create table t (x integer)')
    const a = db.prepare('insert into t (x) values (?)')
    expect(db.prepare('insert into t (x) values (?)')).toBe(a)
    a.run(1)
    db.prepare('insert into t (x) values (?)').run(2)
    expect(db.prepare('select sum(x) as s from t').get()).toEqual({ s: 3 })
    expect(db.prepare('select x from t where x = ?')).not.toBe(a)
    expect(db.pragma('user_version', { simple: true })).toBe(0)
    db.close()
  })

  it('does not hand out a statement still being iterated', () => {
    const db = withStatementCache(new SQLite(':memory:'))
    db.exec('create table t (x integer); insert into t values (1), (2)')
    const sql = 'select x from t order by x'
    const outer = db.prepare(sql)
    const seen: number[] = []
    for (const row of outer.iterate() as Iterable<{ x: number }>) {
      const inner = db.prepare(sql)
      expect(inner).not.toBe(outer)
      seen.push(row.x, ...(inner.all() as { x: number }[]).map((r) => r.x))
    }
    expect(seen).toEqual([1, 1, 2, 2, 1, 2])
    db.close()
  })

  it('keeps at most the given number of statements', () => {
    const db = withStatementCache(new SQLite(':memory:'), 2)
    const first = db.prepare('select 1')
    db.prepare('select 2')
    db.prepare('select 3')
    expect(db.prepare('select 1')).not.toBe(first)
    db.close()
  })
})
