import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {importEvents} from '../../../src/core/store/import-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {customerTimeline, iterateCustomers, lastEventTimestamp, mergeProfile, shardOf} from '../../../src/core/store/queries.js'
import type {EventStore} from '../../../src/core/store/store-types.js'
import {fixture, NOW, tempDir} from './helpers.js'

const T = (day: number, hour = 0) => Date.UTC(2026, 2, day, hour)

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

describe('iterateCustomers', () => {
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
    const seen = [...iterateCustomers(store)].map((c) => [c.customerId, c.events.map((e) => e.type)])
    expect(seen).toEqual([
      ['a', ['early', 'tie-1', 'tie-2', 'late']],
      ['b', ['first', 'second']],
      ['c', ['only']],
    ])
    const a = [...iterateCustomers(store, {customerId: 'a'})]
    expect(a).toHaveLength(1)
    expect(a[0]?.events[1]).toEqual({type: 'tie-1', timestamp: T(2), properties: {}, seq: 4})
    expect(lastEventTimestamp(store)).toBe(T(5))
  })

  it('limits to a window and carries earlier identify traits as the initial profile', async () => {
    const store = await storeWith([
      {customer_id: 'a', type: 'identify', timestamp: T(1), properties: {plan: 'free', email: 'a@x'}},
      {customer_id: 'a', type: 'page', timestamp: T(1, 1)},
      {customer_id: 'a', type: 'identify', timestamp: T(2), properties: {plan: 'pro'}},
      {customer_id: 'a', type: 'order_completed', timestamp: T(3), properties: {value: 5}},
      {customer_id: 'a', type: 'page', timestamp: T(4)},
      {customer_id: 'b', type: 'identify', timestamp: T(1), properties: {plan: 'free'}},
      {customer_id: 'c', type: 'page', timestamp: T(3)},
    ])
    const window = [...iterateCustomers(store, {from: T(2, 12), until: T(3)})]
    expect(window).toEqual([
      {
        customerId: 'a',
        initialProfile: {plan: 'pro', email: 'a@x'},
        events: [{type: 'order_completed', timestamp: T(3), properties: {value: 5}, seq: 4}],
      },
      {customerId: 'c', initialProfile: {}, events: [{type: 'page', timestamp: T(3), properties: {}, seq: 7}]},
    ])
    expect([...iterateCustomers(store, {from: T(1)})].map((c) => c.events.length)).toEqual([5, 1, 1])
  })

  it('splits customers over shards without overlap', async () => {
    const ids = Array.from({length: 40}, (_, i) => `cust-${i}`)
    const store = await storeWith(ids.map((id, i) => ({customer_id: id, type: 'page', timestamp: T(1) + i})))
    const shards = [0, 1, 2].map((index) => [...iterateCustomers(store, {shard: {count: 3, index}})].map((c) => c.customerId))
    expect(shards.flat().sort()).toEqual([...ids].sort())
    for (const [index, shard] of shards.entries()) {
      expect(shard.length).toBeGreaterThan(0)
      for (const id of shard) expect(shardOf(id, 3)).toBe(index)
    }
    expect(shardOf('cust-1', 7)).toBe(shardOf('cust-1', 7))
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
        const expected = events
          .map((e, i) => ({...e, seq: i + 1}))
          .sort((p, q) =>
            p.customer_id < q.customer_id ? -1 : p.customer_id > q.customer_id ? 1 : p.timestamp - q.timestamp || p.seq - q.seq,
          )
        const actual = [...iterateCustomers(store)].flatMap((c) =>
          c.events.map((e) => ({customer_id: c.customerId, type: e.type, timestamp: e.timestamp, seq: e.seq})),
        )
        expect(actual).toEqual(expected)
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
    for (const customer of iterateCustomers(store)) {
      expect(customer.customerId).toBe('a')
      break
    }
    expect(store.stats().events).toBe(2)
  })
})

describe('customerTimeline', () => {
  it('merges identify traits in order, as of a moment', async () => {
    const store = openEventStore(join(tempDir(), 'events.db'))
    await importEvents(store, fixture('joe.ndjson'), {now: NOW})
    expect(customerTimeline(store, 'c1', {asOf: T(1, 7)})).toEqual({customerId: 'c1', events: [], profile: {}})
    expect(customerTimeline(store, 'c1', {asOf: T(3)}).profile).toEqual({email: 'a@example.com', timezone: 'Europe/Berlin'})
    const all = customerTimeline(store, 'c1')
    expect(all.profile).toEqual({email: 'a@example.com', timezone: 'Europe/Berlin', email_opt_in: false, unsubscribed: true})
    expect(all.events.map((e) => [e.type, e.seq])).toEqual([
      ['identify', 2],
      ['cart_updated', 3],
      ['page', 4],
      ['identify', 5],
    ])
    expect(customerTimeline(store, 'nobody')).toEqual({customerId: 'nobody', events: [], profile: {}})
  })

  it('mergeProfile is a shallow, non-mutating merge', () => {
    const before = {a: 1, nested: {x: 1}}
    expect(mergeProfile(before, {nested: {y: 2}, b: null})).toEqual({a: 1, nested: {y: 2}, b: null})
    expect(before).toEqual({a: 1, nested: {x: 1}})
  })
})
