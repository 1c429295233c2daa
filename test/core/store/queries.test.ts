import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {importEvents} from '../../../src/core/store/import-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {customerTimeline, lastEventTimestamp, mergeProfile} from '../../../src/core/store/queries.js'
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

describe('lastEventTimestamp', () => {
  it('is the latest event of any import', async () => {
    const store = await storeWith(
      [
        {customer_id: 'b', type: 'second', timestamp: T(2)},
        {customer_id: 'a', type: 'late', timestamp: T(3)},
      ],
      [{customer_id: 'c', type: 'only', timestamp: T(5)}],
    )
    expect(lastEventTimestamp(store)).toBe(T(5))
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
