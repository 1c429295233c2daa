import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildJourney} from '../../../src/core/journey/build-model.js'
import type {Journey} from '../../../src/core/journey/model.js'
import {parseYamlSource} from '../../../src/core/journey/source.js'
import {createReplayContext} from '../../../src/core/simulate/replay.js'
import {createReportBuilder, type ReportPartial} from '../../../src/core/simulate/report.js'
import {rangesFrom} from '../../../src/core/simulate/threads.js'
import {iterateCustomerRows} from '../../../src/core/store/customer-rows.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {customerRangeBounds} from '../../../src/core/store/queries.js'
import type {EventStore} from '../../../src/core/store/store-types.js'
import {tempProject} from '../../helpers/temp-project.js'

const START = Date.UTC(2026, 2, 1)
const DAY = 86_400_000

async function generated(customers: number): Promise<EventStore> {
  const dir = await tempProject({})
  const store = openEventStore(path.join(dir, 'events.db'))
  writeGeneratedEvents(store, {customers, days: 10, seed: 9, start: START, now: 0})
  return store
}

describe('customer ranges', () => {
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
      const rows = [...iterateCustomerRows(store)]
      const context = createReplayContext({journeys: [journey], until})
      const partialOf = (customers: typeof rows) => {
        const replay = context.replay()
        for (const customer of customers) replay.add(customer)
        return replay.partial().reports[0] as ReportPartial
      }
      const whole = createReportBuilder(journey)
      whole.merge(partialOf(rows))
      for (const cut of [0, 17, 60]) {
        const merged = createReportBuilder(journey)
        merged.merge(structuredClone(partialOf(rows.slice(cut))))
        merged.merge(structuredClone(partialOf(rows.slice(0, cut))))
        expect(JSON.stringify(merged.build({until}))).toBe(JSON.stringify(whole.build({until})))
      }
    } finally {
      store.close()
    }
  })
})
