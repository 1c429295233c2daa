import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildReport, createReportBuilder} from '../../../src/core/engine/report.js'
import {runCustomer} from '../../../src/core/engine/run-customer.js'
import {buildJourney} from '../../../src/core/journey/build-model.js'
import type {Journey} from '../../../src/core/journey/model.js'
import {parseYamlSource} from '../../../src/core/journey/source.js'
import {rangesFrom} from '../../../src/core/simulate/threads.js'
import {CustomerRows, iterateCustomerRows, replayTimeline, sortOrder} from '../../../src/core/store/customer-rows.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {customerCount, customerRangeBounds, iterateCustomers} from '../../../src/core/store/queries.js'
import type {EventStore, StoredEvent} from '../../../src/core/store/store-types.js'
import {EventWriter} from '../../../src/core/store/write-events.js'
import {tempProject} from '../../helpers/temp-project.js'

const START = Date.UTC(2026, 2, 1)
const DAY = 86_400_000

async function generated(customers: number): Promise<EventStore> {
  const dir = await tempProject({})
  const store = openEventStore(path.join(dir, 'events.db'))
  writeGeneratedEvents(store, {customers, days: 10, seed: 9, start: START, now: 0})
  return store
}

const plain = (events: readonly StoredEvent[]) =>
  events.map((e) => ({type: e.type, timestamp: e.timestamp, seq: e.seq, properties: e.properties}))

/**
 * What the replay reads for a window, shaped like iterateCustomers' answer: the events in the
 * window, and the profile the identify events before it build.
 */
function replayed(store: EventStore, window: {from?: number; until?: number; customerId?: string}) {
  const from = window.from ?? Number.NEGATIVE_INFINITY
  return [...iterateCustomerRows(store, window)].map((rows) => {
    const {customerId, events} = replayTimeline(rows)
    const before = events.filter((e) => e.timestamp < from)
    const initialProfile = Object.assign({}, ...before.filter((e) => e.type === 'identify').map((e) => e.properties))
    return {customerId, initialProfile, events: events.filter((e) => e.timestamp >= from), before}
  })
}

describe('iterateCustomerRows', () => {
  it('yields what iterateCustomers yields, with properties parsed on demand', async () => {
    const store = await generated(80)
    try {
      for (const window of [{}, {from: START + 3 * DAY, until: START + 7 * DAY}, {until: START + DAY}]) {
        const eager = [...iterateCustomers(store, window)]
        const lazy = replayed(store, window)
        expect(lazy.map((c) => c.customerId)).toEqual(eager.map((c) => c.customerId))
        expect(lazy.map((c) => c.initialProfile)).toEqual(eager.map((c) => c.initialProfile))
        expect(lazy.map((c) => plain(c.events))).toEqual(eager.map((c) => plain(c.events)))
      }
      expect(customerCount(store)).toBe(80)
    } finally {
      store.close()
    }
  })

  it('reads types and properties with any characters, events at equal timestamps, and customers outside the window', async () => {
    const dir = await tempProject({})
    const store = openEventStore(path.join(dir, 'events.db'))
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
        const eager = [...iterateCustomers(store, window)]
        const lazy = replayed(store, window)
        expect(lazy.map((c) => c.customerId)).toEqual(eager.map((c) => c.customerId))
        expect(lazy.map((c) => c.initialProfile)).toEqual(eager.map((c) => c.initialProfile))
        expect(lazy.map((c) => plain(c.events))).toEqual(eager.map((c) => plain(c.events)))
      }
      expect([...iterateCustomerRows(store, {from: START})].map((c) => [c.customerId, c.first, c.count])).toEqual([['c1', 1, 7]])
      // Events of every type before `from` are read: they make the customer known to schedules.
      expect(replayed(store, {from: START + DAY}).map((c) => c.before.map((e) => e.type))).toEqual([['identify', ...odd.slice(0, 2)]])
    } finally {
      store.close()
    }
  })

  it('puts rows that arrive out of order into (timestamp, seq) order, properties too', () => {
    expect(sortOrder([1, 2, 2, 3], [9, 4, 5, 1])).toBeUndefined()
    expect(sortOrder([3, 1, 2, 1], [1, 2, 3, 1])).toEqual([3, 1, 2, 0])
    const rows = new CustomerRows(
      'c',
      [1, 2, 3, 4],
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
    const rows = new CustomerRows('c', [1, 2], ['a', 'b'], [1, 2], '{}', Number.NEGATIVE_INFINITY)
    expect(() => rows.propertiesText(0)).toThrow(/JOE3006|not JSON text/)
  })

  it('splits customers into contiguous ranges that cover each customer once', async () => {
    const store = await generated(50)
    try {
      const events = (store.db.prepare('SELECT count(*) AS n FROM events').get() as {n: number}).n
      const bounds = customerRangeBounds(store, 4, events)
      expect(bounds).toHaveLength(3)
      expect([...bounds].sort()).toEqual(bounds)
      const ranges = rangesFrom(bounds)
      expect(ranges).toHaveLength(4)
      const seen = ranges.flatMap((range) => [...iterateCustomerRows(store, {range})].map((c) => c.customerId))
      const all = [...iterateCustomerRows(store)].map((c) => c.customerId)
      expect(seen).toEqual(all)
      // More parts than customers: at most one customer per range.
      expect(customerRangeBounds(store, 1000, events)).toEqual(all)
    } finally {
      store.close()
    }
  })
})

describe('report partials', () => {
  it('merge into the report of all results, split anywhere', async () => {
    const journey: Journey = buildJourney(
      parseYamlSource(
        'j.yaml',
        `version: 1
id: cart
name: Cart
entry: { event: cart_updated }
goal: { event: order_completed, within: 3d }
settings: { holdout: 20 }
steps:
  - { id: wait-1h, wait: 1h }
  - id: route
    branch: { cases: [{ when: "profile.email_opt_in == true", next: mail }], else: end }
  - { id: mail, send: { channel: email, template: cart-email } }
`,
      ).source.value as Record<string, unknown>,
    )
    const store = await generated(60)
    try {
      const until = START + 10 * DAY
      const results = [...iterateCustomers(store)].map((c) =>
        runCustomer(journey, {customerId: c.customerId, events: c.events, profile: c.initialProfile}, {until}),
      )
      const whole = buildReport(journey, results, {until})
      for (const cut of [0, 17, 60]) {
        const [a, b, merged] = [createReportBuilder(journey), createReportBuilder(journey), createReportBuilder(journey)]
        for (const r of results.slice(0, cut)) a.add(r)
        for (const r of results.slice(cut)) b.add(r)
        merged.merge(structuredClone(b.partial()))
        merged.merge(structuredClone(a.partial()))
        expect(JSON.stringify(merged.build({until}))).toBe(JSON.stringify(whole))
      }
    } finally {
      store.close()
    }
  })
})
