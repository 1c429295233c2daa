import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {CustomerRows, iterateCustomerRows, replayTimeline, sortOrder, type WindowOptions} from '../../../src/core/store/customer-rows.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {importEvents} from '../../../src/core/store/import-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {customerTimeline} from '../../../src/core/store/queries.js'
import type {EventStore, StoredEvent} from '../../../src/core/store/store-types.js'
import {EventWriter} from '../../../src/core/store/write-events.js'
import {NOW, tempDir} from './helpers.js'

const T = (day: number, hour = 0) => Date.UTC(2026, 2, day, hour)
const START = T(1)
const DAY = 86_400_000

async function storeWith(...lines: object[][]): Promise<EventStore> {
  const dir = tempDir()
  const store = openEventStore(join(dir, 'events.db'))
  for (const [i, batch] of lines.entries()) {
    const path = join(dir, `batch-${i}.ndjson`)
    writeFileSync(path, `${batch.map((line) => JSON.stringify(line)).join('\n')}\n`)
    await importEvents(store, path, {now: NOW})
  }
  return store
}

const plain = (events: readonly StoredEvent[]) =>
  events.map((e) => ({type: e.type, timestamp: e.timestamp, seq: e.seq, properties: e.properties}))

/** What iterateCustomerRows reads, as plain data: each customer's events and where the window starts. */
function read(store: EventStore, window: WindowOptions = {}) {
  return [...iterateCustomerRows(store, window)].map((rows) => ({
    customerId: rows.customerId,
    first: rows.first,
    events: plain(replayTimeline(rows).events),
  }))
}

/**
 * The same, from the row-by-row reader of `joe events show`: customers with an event in the window,
 * each with every event up to `until`, earlier ones included.
 */
function expected(store: EventStore, window: WindowOptions = {}) {
  const from = window.from ?? Number.NEGATIVE_INFINITY
  const until = window.until ?? Number.POSITIVE_INFINITY
  const ids = store.db
    .prepare('SELECT DISTINCT customer_id FROM events WHERE ts >= ? AND ts <= ? ORDER BY customer_id')
    .pluck()
    .all(from, until) as string[]
  return ids
    .filter((id) => window.customerId === undefined || id === window.customerId)
    .map((customerId) => {
      const events = customerTimeline(store, customerId, window.until === undefined ? {} : {asOf: window.until}).events
      return {customerId, first: events.filter((e) => e.timestamp < from).length, events: plain(events)}
    })
}

describe('iterateCustomerRows', () => {
  it('yields customers in id order, events by timestamp then import order', async () => {
    const store = await storeWith(
      [
        {customer_id: 'b', type: 'second', timestamp: T(2)},
        {customer_id: 'a', type: 'late', timestamp: T(3)},
        {customer_id: 'b', type: 'first', timestamp: T(1)},
        {customer_id: 'a', type: 'tie-1', timestamp: T(2)},
      ],
      [
        {customer_id: 'a', type: 'tie-2', timestamp: T(2)},
        {customer_id: 'a', type: 'early', timestamp: T(1)},
        {customer_id: 'c', type: 'only', timestamp: T(5)},
      ],
    )
    const seen = read(store).map((c) => [c.customerId, c.events.map((e) => e.type)])
    expect(seen).toEqual([
      ['a', ['early', 'tie-1', 'tie-2', 'late']],
      ['b', ['first', 'second']],
      ['c', ['only']],
    ])
    const a = read(store, {customerId: 'a'})
    expect(a).toHaveLength(1)
    expect(a[0]?.events[1]).toEqual({type: 'tie-1', timestamp: T(2), properties: {}, seq: 4})
  })

  it('limits to a window, keeping earlier events before `first`, and skips customers without events in it', async () => {
    const store = await storeWith([
      {customer_id: 'a', type: 'identify', timestamp: T(1), properties: {plan: 'free', email: 'a@x'}},
      {customer_id: 'a', type: 'page', timestamp: T(1, 1)},
      {customer_id: 'a', type: 'identify', timestamp: T(2), properties: {plan: 'pro'}},
      {customer_id: 'a', type: 'order_completed', timestamp: T(3), properties: {value: 5}},
      {customer_id: 'a', type: 'page', timestamp: T(4)},
      {customer_id: 'b', type: 'identify', timestamp: T(1), properties: {plan: 'free'}},
      {customer_id: 'c', type: 'page', timestamp: T(3)},
    ])
    const window = read(store, {from: T(2, 12), until: T(3)})
    expect(window.map((c) => [c.customerId, c.first, c.events.map((e) => e.type)])).toEqual([
      ['a', 3, ['identify', 'page', 'identify', 'order_completed']],
      ['c', 0, ['page']],
    ])
    expect(window[0]?.events[3]).toEqual({type: 'order_completed', timestamp: T(3), properties: {value: 5}, seq: 4})
    // The identify events before the window give the profile as of `from`.
    const profileAtFrom = (c: (typeof window)[number]) =>
      Object.assign({}, ...c.events.slice(0, c.first).flatMap((e) => (e.type === 'identify' ? [e.properties] : [])))
    expect(window.map(profileAtFrom)).toEqual([{plan: 'pro', email: 'a@x'}, {}])
    expect(read(store, {from: T(1)}).map((c) => c.events.length - c.first)).toEqual([5, 1, 1])
  })

  it('reads what the row-by-row reader reads, for generated customers and any window', async () => {
    const store = openEventStore(join(tempDir(), 'events.db'))
    try {
      writeGeneratedEvents(store, {customers: 80, days: 10, seed: 9, start: START, now: 0})
      for (const window of [
        {},
        {from: START + 3 * DAY, until: START + 7 * DAY},
        {until: START + DAY},
        {customerId: 'c000007', from: START + DAY},
      ]) {
        expect(read(store, window)).toEqual(expected(store, window))
      }
    } finally {
      store.close()
    }
  })

  it('orders any timeline like a stable sort by (customer, timestamp)', async () => {
    const event = fc.record({
      customer_id: fc.constantFrom('a', 'b', 'c', 'd'),
      type: fc.constantFrom('x', 'y', 'identify'),
      timestamp: fc.integer({min: 0, max: 5}),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(event, {minLength: 1, maxLength: 30}), async (events) => {
        const store = await storeWith(events)
        const sorted = events
          .map((e, i) => ({...e, seq: i + 1}))
          .sort((p, q) =>
            p.customer_id < q.customer_id ? -1 : p.customer_id > q.customer_id ? 1 : p.timestamp - q.timestamp || p.seq - q.seq,
          )
        const actual = read(store).flatMap((c) =>
          c.events.map((e) => ({customer_id: c.customerId, type: e.type, timestamp: e.timestamp, seq: e.seq})),
        )
        expect(actual).toEqual(sorted)
        store.close()
      }),
      {numRuns: 25},
    )
  })

  it('frees the connection when the consumer stops early', async () => {
    const store = await storeWith([
      {customer_id: 'a', type: 'x', timestamp: T(1)},
      {customer_id: 'b', type: 'x', timestamp: T(1)},
    ])
    for (const customer of iterateCustomerRows(store)) {
      expect(customer.customerId).toBe('a')
      break
    }
    expect(store.stats().events).toBe(2)
  })

  it('reads types and properties with any characters, events at equal timestamps, and customers outside the window', async () => {
    const store = openEventStore(join(tempDir(), 'events.db'))
    try {
      const odd = ['tab\there', 'unit\u001fsep', 'quote"and,comma', 'record\u001esep', '\u00e9t\u00e9 \u{1f6d2}', '[', ']']
      store.db.exec('BEGIN')
      const writer = new EventWriter(store, {sourceName: 'odd', format: 'joe', byteSize: 0, importedAt: 0})
      odd.forEach((type, i) => {
        // Equal timestamps in pairs: their order comes from seq.
        writer.add({customer_id: 'c1', type, timestamp: START + Math.floor(i / 2) * DAY, properties: {type, note: `x\u001ey,"${i}"`, n: i}})
      })
      writer.add({customer_id: 'c1', type: 'identify', timestamp: START - DAY, properties: {plan: 'pro'}})
      writer.add({customer_id: 'c2', type: 'page', timestamp: START - DAY, properties: {}})
      writer.finish('hash', odd.length + 2)
      store.db.exec('COMMIT')
      for (const window of [{}, {from: START}, {from: START + DAY, until: START + 2 * DAY}, {customerId: 'c2', from: START}]) {
        expect(read(store, window)).toEqual(expected(store, window))
      }
      expect([...iterateCustomerRows(store, {from: START})].map((c) => [c.customerId, c.first, c.count])).toEqual([['c1', 1, 7]])
      // Events of every type before `from` are read: they make the customer known to schedules.
      const [c1] = read(store, {from: START + DAY})
      expect(c1?.events.slice(0, c1.first).map((e) => e.type)).toEqual(['identify', ...odd.slice(0, 2)])
    } finally {
      store.close()
    }
  })

  it('puts rows that arrive out of order into (timestamp, seq) order, properties too', () => {
    expect(sortOrder([1, 2, 2, 3], () => [9, 4, 5, 1])).toBeUndefined()
    expect(sortOrder([1, 2, 2, 3], () => [9, 5, 4, 1])).toEqual([0, 2, 1, 3])
    expect(sortOrder([3, 1, 2, 1], () => [1, 2, 3, 1])).toEqual([3, 1, 2, 0])
    // Seqs only break ties: strictly increasing timestamps never ask for them.
    expect(
      sortOrder([1, 2, 3], () => {
        throw new Error('seqs read')
      }),
    ).toBeUndefined()
    const rows = new CustomerRows(
      'c',
      '[1, 2, 3, 4]',
      ['d', 'b', 'c', 'a'],
      [30, 10, 20, 10],
      '{"i":0}\u001e{"i":1}\u001e{"i":2}\u001e{"i":3}',
      15,
    )
    expect(rows.types).toEqual(['b', 'a', 'c', 'd'])
    expect(rows.seqs).toEqual([2, 4, 3, 1])
    expect(rows.timestamps).toEqual([10, 10, 20, 30])
    expect([0, 1, 2, 3].map((i) => rows.propertiesText(i))).toEqual(['{"i":1}', '{"i":3}', '{"i":2}', '{"i":0}'])
    expect([rows.first, rows.count]).toEqual([2, 2])
  })

  it('refuses properties that a store changed outside joe made unreadable', () => {
    const rows = new CustomerRows('c', '[1, 2]', ['a', 'b'], [1, 2], '{}', Number.NEGATIVE_INFINITY)
    expect(() => rows.propertiesText(0)).toThrow(/JOE3006|not JSON text/)
  })
})
