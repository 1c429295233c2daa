// Stores and event files the user gave that joe cannot use are the user's to fix: a JoeError
// with a code (exit 1), never an internal error (exit 3).
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'
import {isJoeError} from '../../../src/core/errors.js'
import {importEvents} from '../../../src/core/store/import-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {fromJoeRecord, MAX_PROPERTY_DEPTH, nestedDeeperThan} from '../../../src/core/store/parse-event.js'
import {isStoreFileError, translateSqliteError} from '../../../src/core/store/sqlite-errors.js'
import {NOW, tempDir} from './helpers.js'

const deep = (levels: number): unknown => {
  let value: unknown = 1
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? {a: value} : [value]
  return value
}

describe('store files joe cannot use', () => {
  it('a SQLite database with foreign tables named like joe’s is not a joe store', async () => {
    const dir = tempDir()
    for (const [name, sql] of [
      ['migrations-table.db', 'CREATE TABLE schema_migrations (x TEXT); CREATE TABLE events (id INTEGER)'],
      [
        'joe-shaped.db',
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO schema_migrations VALUES (1, 'initial'); CREATE TABLE events (id INTEGER); CREATE TABLE imports (a TEXT)",
      ],
    ]) {
      const path = join(dir, name as string)
      const db = new Database(path)
      db.exec(sql as string)
      db.close()
      expect(() => openEventStore(path), name).toThrow(expect.objectContaining({code: 'JOE3006'}))
      expect(() => openEventStore(path, {readonly: true}), name).toThrow(expect.objectContaining({code: 'JOE3006'}))
    }
  })

  it('a folder or a device where the store file should be', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'folder.db'))
    for (const path of [join(dir, 'folder.db'), '/dev/null']) {
      expect(() => openEventStore(path), path).toThrow(expect.objectContaining({code: 'JOE3008'}))
      expect(() => openEventStore(path, {readonly: true}), path).toThrow(expect.objectContaining({code: 'JOE3008'}))
    }
  })

  it('every extended SQLite code of a read-only, locked or full store becomes a JoeError', () => {
    const cases = {
      SQLITE_READONLY_DIRECTORY: 'JOE3008',
      SQLITE_READONLY_CANTINIT: 'JOE3008',
      SQLITE_READONLY: 'JOE3008',
      SQLITE_CANTOPEN_ISDIR: 'JOE3008',
      SQLITE_IOERR_WRITE: 'JOE3008',
      SQLITE_FULL: 'JOE3008',
      SQLITE_BUSY_SNAPSHOT: 'JOE3009',
      SQLITE_CORRUPT_INDEX: 'JOE3006',
      SQLITE_NOTADB: 'JOE3006',
    }
    for (const [code, joe] of Object.entries(cases)) {
      const error = Object.assign(new Error('attempt to write a readonly database'), {code})
      expect(isStoreFileError(error), code).toBe(true)
      expect(translateSqliteError(error, '/x/events.db'), code).toMatchObject({code: joe})
    }
    // A mistake in joe's own SQL stays a bug.
    const bug = Object.assign(new Error('no such column: x'), {code: 'SQLITE_ERROR'})
    expect(isStoreFileError(bug)).toBe(false)
    expect(isJoeError(translateSqliteError(bug, '/x/events.db'))).toBe(false)
  })

  it('a store opened for reading only (query_only) refuses an import with a JoeError', async () => {
    const path = join(tempDir(), 'events.db')
    const store = openEventStore(path)
    store.db.pragma('query_only = ON')
    const file = join(tempDir(), 'one.ndjson')
    writeFileSync(file, '{"customer_id":"c","type":"x","timestamp":"2026-03-01T10:00:00Z"}\n')
    await expect(importEvents(store, file, {now: NOW})).rejects.toMatchObject({code: 'JOE3008'})
    store.close()
  })
})

describe('deeply nested event properties', () => {
  it('are an invalid line, not a stack overflow when the event is stored', async () => {
    const file = join(tempDir(), 'deep.ndjson')
    // Written by hand: JSON.stringify itself overflows on such a value.
    const line = (properties: string) => `{"customer_id":"c","type":"x","timestamp":"2026-03-01T10:00:00Z","properties":${properties}}`
    writeFileSync(file, `${line(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`)}\n${line(JSON.stringify({ok: deep(10)}))}\n`)
    const store = openEventStore(':memory:')
    await expect(importEvents(store, file, {now: NOW})).rejects.toMatchObject({
      code: 'JOE3001',
      issues: [{line: 1, message: `properties nest deeper than ${MAX_PROPERTY_DEPTH} levels of objects and arrays`}],
    })
    expect(await importEvents(store, file, {now: NOW, skipInvalid: true})).toMatchObject({imported: 1, skippedCount: 1})
    store.close()
  })

  it('the depth check itself is iterative and exact', () => {
    expect(nestedDeeperThan(deep(1_000_000), MAX_PROPERTY_DEPTH)).toBe(true)
    expect(nestedDeeperThan({a: deep(MAX_PROPERTY_DEPTH - 1)}, MAX_PROPERTY_DEPTH)).toBe(false)
    expect(nestedDeeperThan({a: deep(MAX_PROPERTY_DEPTH)}, MAX_PROPERTY_DEPTH)).toBe(true)
    expect(fromJoeRecord({customer_id: 'c', type: 'x', timestamp: 0, properties: null})).toMatchObject({event: {properties: {}}})
  })
})
