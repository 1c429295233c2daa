import {copyFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {JoeError} from '../../../src/core/errors.js'
import {ImportRejectedError, importEvents} from '../../../src/core/store/import-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {customerTimeline, listImports} from '../../../src/core/store/queries.js'
import type {EventStore} from '../../../src/core/store/store-types.js'
import {fixture, NOW, tempDir} from './helpers.js'

function newStore(): EventStore {
  return openEventStore(join(tempDir(), 'events.db'))
}

function allEvents(store: EventStore) {
  return store.db.prepare('SELECT seq, customer_id, type, ts, properties, message_id FROM events ORDER BY seq').all()
}

async function rejection(promise: Promise<unknown>): Promise<ImportRejectedError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ImportRejectedError) return error
    throw error
  }
  throw new Error('expected the import to be refused')
}

describe('importEvents', () => {
  it('imports joe NDJSON, detected by content', async () => {
    const store = newStore()
    const result = await importEvents(store, fixture('joe.ndjson'), {now: NOW})
    expect(result).toMatchObject({format: 'joe', lines: 6, imported: 6, duplicates: 0, skipped: [], alreadyImported: false})
    expect(result.contentHash).toMatch(/^[0-9a-f]{64}$/)
    expect(allEvents(store)[2]).toEqual({
      seq: 3,
      customer_id: 'c1',
      type: 'cart_updated',
      ts: Date.UTC(2026, 2, 2, 9),
      properties: '{"cart_value":80.5,"items":2}',
      message_id: 'm-3',
    })
    expect(store.stats()).toEqual({
      events: 6,
      customers: 2,
      types: {cart_updated: 1, identify: 3, order_completed: 1, page: 1},
      from: Date.UTC(2026, 2, 1, 8),
      until: Date.UTC(2026, 2, 4, 9),
      imports: 1,
    })
    expect(listImports(store)).toEqual([
      {id: 1, sourceName: 'joe.ndjson', contentHash: result.contentHash, format: 'joe', lineCount: 6, eventCount: 6, importedAt: NOW},
    ])
  })

  it('maps Segment track, identify, page and screen calls', async () => {
    const store = newStore()
    const result = await importEvents(store, fixture('segment.ndjson'), {now: NOW})
    expect(result).toMatchObject({format: 'segment', imported: 5})
    const u1 = customerTimeline(store, 'u1')
    expect(u1.events.map((e) => [e.type, e.properties])).toEqual([
      ['identify', {email: 'u1@example.com', sms_opt_in: true}],
      ['product_viewed', {product_id: 'p-9', price: 19.99}],
      ['screen', {name: 'Home'}],
      ['order_completed', {value: 42}],
    ])
    expect(u1.profile).toEqual({email: 'u1@example.com', sms_opt_in: true})
    expect(customerTimeline(store, 'anon-7').events).toEqual([
      {type: 'page', timestamp: Date.UTC(2026, 2, 1, 11), properties: {path: '/pricing', name: 'Pricing'}, seq: 3},
    ])
    expect(store.db.prepare('SELECT message_id FROM events ORDER BY seq').pluck().all()).toEqual([
      'seg-1',
      'seg-2',
      'seg-3',
      'seg-4',
      'seg-5',
    ])
  })

  it('imports CSV with quoted JSON properties, multi-line fields and extra columns', async () => {
    const store = newStore()
    const result = await importEvents(store, fixture('events.csv'), {now: NOW})
    expect(result).toMatchObject({format: 'csv', lines: 4, imported: 4, skipped: []})
    expect(customerTimeline(store, 'c1').events.map((e) => e.properties)).toEqual([
      {channel: 'web', cart_value: 80, items: ['a', 'b,c']},
      {value: 99.5},
    ])
    expect(customerTimeline(store, 'c1').events[1]?.timestamp).toBe(Date.UTC(2026, 2, 2, 11))
    expect(customerTimeline(store, 'c2').profile).toEqual({channel: 'app', note: 'line one', n: 1})
    expect(customerTimeline(store, 'c3').events).toEqual([{type: 'page_viewed', timestamp: Date.UTC(2026, 2, 5), properties: {}, seq: 4}])
  })

  it('reports CSV problems with the line where the record starts', async () => {
    const dir = tempDir()
    const path = join(dir, 'bad.csv')
    writeFileSync(
      path,
      [
        'customer_id,type,timestamp,properties',
        'c1,a,2026-03-01T00:00:00Z,"{""x"":',
        '1}"',
        'c1,b,2026-03-01T00:00:00Z,"{""x"": oops}"',
        'c1,c,yesterday,',
        'c1,e,2026-03-01T00:00:00Z,"[1]"',
        'c1,"d"x,2026-03-01T00:00:00Z,',
        '',
      ].join('\n'),
    )
    const store = newStore()
    const error = await rejection(importEvents(store, path, {now: NOW}))
    expect(error.issues.map((i) => i.line)).toEqual([4, 5, 6, 7])
    expect(error.issues[0]?.message).toMatch(/^properties is not valid JSON/)
    expect(error.issues[1]?.message).toMatch(/^timestamp "yesterday" is not an ISO 8601/)
    expect(error.issues[2]?.message).toBe('properties must be a JSON object, got an array')
    expect(error.issues[3]?.message).toMatch(/^not valid CSV: Invalid Closing Quote/)
    const skipped = await importEvents(store, path, {now: NOW, skipInvalid: true})
    expect(skipped).toMatchObject({lines: 5, imported: 1, skippedCount: 4})
  })

  it('refuses a CSV file without the required header columns', async () => {
    const path = join(tempDir(), 'noheader.csv')
    writeFileSync(path, 'user,event,when\nc1,a,2026-03-01T00:00:00Z\n')
    const store = newStore()
    await expect(importEvents(store, path, {now: NOW})).rejects.toMatchObject({
      code: 'JOE3010',
      message: /lacks the column\(s\) customer_id, timestamp/,
    })
    expect(store.stats().imports).toBe(0)
  })

  it('refuses the whole file on any bad line, naming every line, and writes nothing', async () => {
    const store = newStore()
    await importEvents(store, fixture('joe.ndjson'), {now: NOW})
    const before = allEvents(store)
    const error = await rejection(importEvents(store, fixture('bad.ndjson'), {now: NOW}))
    expect(error.code).toBe('JOE3001')
    expect(error.issueCount).toBe(7)
    expect(error.issues).toEqual([
      {line: 2, message: expect.stringMatching(/^not valid JSON: /)},
      {line: 3, message: 'missing customer_id'},
      {line: 4, message: 'missing type'},
      {line: 5, message: 'timestamp "2026-02-30T10:00:00Z" is not a real date or time: February 2026 has 28 days'},
      {line: 6, message: 'timestamp "2026-03-01T10:00:00" has no time zone; add Z for UTC or an offset like +01:00'},
      {line: 7, message: 'properties must be a JSON object, got an array'},
      {line: 9, message: 'expected a JSON object, got an array'},
    ])
    expect(error.message).toContain('7 invalid lines; nothing was imported')
    expect(error.message).toContain('bad.ndjson:3: missing customer_id')
    expect(error.message).toContain('…and 2 more')
    expect(error.hint).toContain('--skip-invalid')
    expect(error.where).toEqual({file: fixture('bad.ndjson'), line: 2, column: 1})
    expect(error.diagnostics()[1]).toEqual({
      code: 'JOE3002',
      severity: 'error',
      message: 'missing customer_id',
      location: {file: fixture('bad.ndjson'), line: 3, column: 1},
    })
    expect(allEvents(store)).toEqual(before)
    expect(store.stats().imports).toBe(1)
    expect(store.db.inTransaction).toBe(false)
  })

  it('with skipInvalid imports the good lines and reports the rest', async () => {
    const store = newStore()
    const result = await importEvents(store, fixture('bad.ndjson'), {format: 'joe', now: NOW, skipInvalid: true})
    expect(result).toMatchObject({lines: 9, imported: 2, skippedCount: 7, alreadyImported: false})
    expect(result.skipped.map((s) => s.line)).toEqual([2, 3, 4, 5, 6, 7, 9])
    expect(store.db.prepare('SELECT customer_id FROM events ORDER BY seq').pluck().all()).toEqual(['c1', 'c3'])
  })

  it('treats a re-import of the same bytes as a no-op, also under another name', async () => {
    const store = newStore()
    const first = await importEvents(store, fixture('joe.ndjson'), {now: NOW})
    const copy = join(tempDir(), 'copy.jsonl')
    copyFileSync(fixture('joe.ndjson'), copy)
    const progress: number[] = []
    const again = await importEvents(store, copy, {now: NOW + 1, onProgress: (p) => progress.push(p.lines)})
    expect(again).toEqual({
      file: copy,
      format: 'joe',
      lines: 0,
      imported: 0,
      duplicates: 0,
      skipped: [],
      skippedCount: 0,
      alreadyImported: true,
      contentHash: first.contentHash,
      renamed: {},
    })
    expect(progress).toEqual([])
    expect(store.stats()).toMatchObject({events: 6, imports: 1})
  })

  it('skips events whose message_id is already stored or repeats within the file', async () => {
    const store = newStore()
    await importEvents(store, fixture('joe.ndjson'), {now: NOW})
    const result = await importEvents(store, fixture('dupes.ndjson'), {now: NOW})
    expect(result).toMatchObject({lines: 3, imported: 1, duplicates: 2})
    expect(customerTimeline(store, 'c9').events.map((e) => e.timestamp)).toEqual([Date.UTC(2026, 2, 6, 10)])
    expect(listImports(store)[1]).toMatchObject({lineCount: 3, eventCount: 1})
  })

  it('honours an explicit format and reports progress', async () => {
    const store = newStore()
    const seen: unknown[] = []
    const result = await importEvents(store, fixture('joe.ndjson'), {
      format: 'joe',
      now: NOW,
      progressEvery: 4,
      onProgress: (p) => seen.push(p),
    })
    expect(result.imported).toBe(6)
    expect(seen).toHaveLength(2)
    expect(seen[1]).toMatchObject({lines: 6, imported: 6, totalBytes: seen.length > 0 ? expect.any(Number) : 0})
    const wrong = await rejection(importEvents(newStore(), fixture('joe.ndjson'), {format: 'segment', now: NOW}))
    expect(wrong.issues[0]?.message).toMatch(/unsupported Segment type "identify"|missing userId/)
  })

  it('fails fast with JOE3009 while another connection holds the write lock', async () => {
    const path = join(tempDir(), 'events.db')
    const holder = openEventStore(path)
    const store = openEventStore(path, {busyTimeoutMs: 10})
    holder.db.exec('BEGIN IMMEDIATE')
    await expect(importEvents(store, fixture('joe.ndjson'), {now: NOW})).rejects.toMatchObject({code: 'JOE3009'})
    holder.db.exec('ROLLBACK')
    expect(await importEvents(store, fixture('joe.ndjson'), {now: NOW})).toMatchObject({imported: 6})
  })

  it('gives clear errors for missing, empty and unrecognisable files and read-only stores', async () => {
    const dir = tempDir()
    const store = newStore()
    await expect(importEvents(store, join(dir, 'nope.ndjson'), {now: NOW})).rejects.toMatchObject({code: 'JOE3004'})
    await expect(importEvents(store, dir, {now: NOW})).rejects.toMatchObject({code: 'JOE3004'})
    writeFileSync(join(dir, 'empty.ndjson'), '\n\n')
    await expect(importEvents(store, join(dir, 'empty.ndjson'), {now: NOW})).rejects.toMatchObject({code: 'JOE3003', message: /is empty/})
    writeFileSync(join(dir, 'other.ndjson'), '{"id": 1}\n')
    await expect(importEvents(store, join(dir, 'other.ndjson'), {now: NOW})).rejects.toMatchObject({code: 'JOE3003'})
    store.close()
    const ro = openEventStore(store.path, {readonly: true})
    const error = await importEvents(ro, fixture('joe.ndjson'), {now: NOW}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(JoeError)
    expect(error).toMatchObject({code: 'JOE3011'})
  })
})

describe('importEvents reading on a worker thread', () => {
  type Outcome = {result: unknown; events: unknown[]; stats: ReturnType<EventStore['stats']>}
  const both = async (file: string, options: {format?: 'csv' | 'joe' | 'segment'; skipInvalid?: boolean} = {}) => {
    const results: Outcome[] = []
    for (const readInWorker of [false, true]) {
      const store = newStore()
      const result = await importEvents(store, file, {now: NOW, ...options, readInWorker}).catch((error: unknown) => error)
      results.push({result, events: allEvents(store), stats: store.stats()})
      store.close()
    }
    return results
  }

  it('writes the same events and returns the same result, for every format', async () => {
    for (const name of ['joe.ndjson', 'segment.ndjson', 'events.csv', 'dupes.ndjson']) {
      const [inline, worker] = await both(fixture(name))
      expect(worker).toEqual(inline)
      expect(inline?.events.length).toBeGreaterThan(0)
    }
  })

  it('refuses the same lines, and with skipInvalid skips the same ones', async () => {
    const [inline, worker] = (await both(fixture('bad.ndjson'))) as [Outcome, Outcome]
    expect(worker.result).toBeInstanceOf(ImportRejectedError)
    expect((worker.result as ImportRejectedError).issues).toEqual((inline.result as ImportRejectedError).issues)
    expect(worker.events).toEqual([])
    const [skipInline, skipWorker] = await both(fixture('bad.ndjson'), {format: 'joe', skipInvalid: true})
    expect(skipWorker).toEqual(skipInline)
  })

  it('passes a JoeError from the worker on as the same JoeError', async () => {
    const path = join(tempDir(), 'noheader.csv')
    writeFileSync(path, 'user,event,when\nc1,a,2026-03-01T00:00:00Z\n')
    const [inline, worker] = (await both(path)) as [Outcome, Outcome]
    expect(worker.result).toBeInstanceOf(JoeError)
    expect(worker.result).toEqual(inline.result)
    expect((worker.result as JoeError).where).toEqual((inline.result as JoeError).where)
    expect(worker.stats.imports).toBe(0)
  })
})

describe('importEvents with normalizeNames', () => {
  const segmentNames = () => {
    const path = join(tempDir(), 'names.ndjson')
    const line = (n: number, type: string, event?: string) =>
      JSON.stringify({type, userId: 'u1', ...(event ? {event} : {}), timestamp: `2026-03-01T10:0${n}:00Z`, messageId: `n-${n}`})
    writeFileSync(
      path,
      [
        line(1, 'identify'),
        line(2, 'track', 'Order Completed'),
        line(3, 'track', 'checkoutStarted'),
        line(4, 'track', 'order_completed'),
        line(5, 'page'),
        '',
      ].join('\n'),
    )
    return path
  }

  it('stores event names in snake_case and says which names it changed', async () => {
    for (const readInWorker of [false, true]) {
      const store = newStore()
      const result = await importEvents(store, segmentNames(), {now: NOW, normalizeNames: 'snake_case', readInWorker})
      expect(store.db.prepare('SELECT type FROM events ORDER BY seq').pluck().all()).toEqual([
        'identify',
        'order_completed',
        'checkout_started',
        'order_completed',
        'page',
      ])
      expect(result.renamed).toEqual({'Order Completed': 'order_completed', checkoutStarted: 'checkout_started'})
      store.close()
    }
  })

  it('keeps names as sent by default', async () => {
    const store = newStore()
    const result = await importEvents(store, segmentNames(), {now: NOW})
    expect(store.db.prepare('SELECT type FROM events ORDER BY seq').pluck().all()).toContain('Order Completed')
    expect(result.renamed).toEqual({})
  })
})
