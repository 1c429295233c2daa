import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'
import {JoeError} from '../../../src/core/errors.js'
import {MIGRATIONS, type Migration, SCHEMA_VERSION} from '../../../src/core/store/migrations.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {tempDir} from './helpers.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return error instanceof JoeError ? error.code : `not a JoeError: ${String(error)}`
  }
  return undefined
}

describe('openEventStore', () => {
  it('creates the file and its parent folders, in WAL mode, at the newest schema', () => {
    const path = join(tempDir(), 'a', 'b', 'events.db')
    const store = openEventStore(path)
    expect(existsSync(path)).toBe(true)
    expect(store.schemaVersion).toBe(SCHEMA_VERSION)
    expect(store.db.pragma('journal_mode', {simple: true})).toBe('wal')
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name").pluck().all()
    expect(tables).toEqual(expect.arrayContaining(['events', 'imports', 'schema_migrations', 'events_customer_ts', 'events_message_id']))
    expect(store.stats()).toEqual({events: 0, customers: 0, types: {}, imports: 0})
    store.close()
    store.close()
  })

  it('re-opens an existing store without re-applying migrations', () => {
    const path = join(tempDir(), 'events.db')
    openEventStore(path).close()
    const store = openEventStore(path)
    expect(store.db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([{version: 1, name: 'initial'}])
    store.close()
    const ro = openEventStore(path, {readonly: true})
    expect(ro.readonly).toBe(true)
    expect(ro.schemaVersion).toBe(SCHEMA_VERSION)
    ro.close()
  })

  it('applies later migrations in order, each once', () => {
    const path = join(tempDir(), 'events.db')
    openEventStore(path).close()
    const more: Migration[] = [
      ...MIGRATIONS,
      {version: 2, name: 'add-notes', up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY)'},
      {version: 3, name: 'add-notes-text', up: 'ALTER TABLE notes ADD COLUMN text TEXT'},
    ]
    const store = openEventStore(path, {migrations: more})
    expect(store.schemaVersion).toBe(3)
    expect(store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual([1, 2, 3])
    store.close()
    expect(openEventStore(path, {migrations: more}).schemaVersion).toBe(3)
  })

  it('rolls back a failing migration and keeps the last good version', () => {
    const path = join(tempDir(), 'events.db')
    const broken: Migration[] = [...MIGRATIONS, {version: 2, name: 'broken', up: 'CREATE TABLE x (a); CREATE TABLE x (b)'}]
    expect(() => openEventStore(path, {migrations: broken})).toThrow(/already exists/)
    const store = openEventStore(path)
    expect(store.schemaVersion).toBe(1)
    expect(store.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'x'").pluck().get()).toBe(0)
    store.close()
  })

  it('refuses a store written by a newer joe', () => {
    const path = join(tempDir(), 'events.db')
    const store = openEventStore(path)
    store.db.prepare('INSERT INTO schema_migrations (version, name) VALUES (99, ?)').run('future')
    store.close()
    expect(codeOf(() => openEventStore(path))).toBe('JOE3005')
    expect(codeOf(() => openEventStore(path, {readonly: true}))).toBe('JOE3005')
    expect(() => openEventStore(path)).toThrow(/schema version 99, newer than this joe understands \(up to 1\)/)
  })

  it('refuses a read-only open of an outdated store', () => {
    const path = join(tempDir(), 'events.db')
    openEventStore(path).close()
    const newer: Migration[] = [...MIGRATIONS, {version: 2, name: 'later', up: 'CREATE TABLE later (a)'}]
    expect(codeOf(() => openEventStore(path, {readonly: true, migrations: newer}))).toBe('JOE3007')
  })

  it('refuses files that are not joe stores', () => {
    const dir = tempDir()
    const text = join(dir, 'text.db')
    writeFileSync(text, 'this is not a database at all, just some text that is long enough to have a header..........')
    expect(codeOf(() => openEventStore(text))).toBe('JOE3006')
    const other = join(dir, 'other.db')
    const db = new Database(other)
    db.exec('CREATE TABLE customers (id TEXT)')
    db.close()
    expect(codeOf(() => openEventStore(other))).toBe('JOE3006')
  })

  it('gives a throw-away store for :memory:', () => {
    const store = openEventStore(':memory:')
    expect(store.schemaVersion).toBe(SCHEMA_VERSION)
    expect(store.stats().events).toBe(0)
    store.close()
  })

  it('refuses a read-only open of a missing store', () => {
    expect(codeOf(() => openEventStore(join(tempDir(), 'missing.db'), {readonly: true}))).toBe('JOE3008')
  })
})
