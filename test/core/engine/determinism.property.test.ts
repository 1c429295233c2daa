import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {runCustomer} from '../../../src/core/engine/run-customer.js'
import type {CustomerEvent, CustomerTimeline} from '../../../src/core/engine/types.js'
import {journey, reportOf, t} from './helpers.js'

const journeys = [
  journey(`
entry: { event: cart, when: "event.properties.v > 5" }
reentry: always
exit: [ { event: stop }, { when: "profile.blocked == true" } ]
goal: { event: order, within: 3d }
settings: { timezone: profile, holdout: 20, quiet_hours: { start: "21:00", end: "08:00" }, frequency_cap: { limit: 2, per: 1d },
            consent: "!(has(profile.opt_outs) && channel in profile.opt_outs)" }
steps:
  - { id: w, wait: { until: "09:00", days: [mon, wed, fri] } }
  - id: route
    branch: { cases: [ { when: "event.properties.v > 50", next: big } ], else: small }
  - { id: big, send: { channel: email, template: big, data: { v: "event.properties.v" } }, next: wf }
  - { id: small, send: { channel: sms, template: small } }
  - id: wf
    wait_for: { event: order, timeout: 1d, on_timeout: sp }
    next: end
  - id: sp
    split: [ { variant: a, percent: 30, next: mark }, { variant: b, percent: 70, next: end } ]
  - { id: mark, update: { set: { nudged: "true" } } }
  - { id: last, send: { channel: push, template: last } }
`),
  journey(`
entry: { segment: "has(profile.v) && profile.v > 20" }
reentry: { after: 2d }
goal: { event: order }
steps:
  - { id: s, send: { channel: email, template: hi } }
  - { id: w, wait: 12h }
  - { id: s2, send: { channel: email, template: again } }
`),
  journey(`
entry: { schedule: { cron: "0 9 * * *", audience: "!has(profile.blocked) || profile.blocked == false" } }
reentry: always
settings: { timezone: Europe/Berlin }
steps:
  - { id: s, send: { channel: email, template: daily } }
`),
]

const start = t('2026-03-25T00:00:00Z')
const HOUR = 3_600_000

const eventArb: fc.Arbitrary<CustomerEvent> = fc
  .record({
    type: fc.constantFrom('cart', 'order', 'stop', 'identify', 'page'),
    offset: fc.integer({min: 0, max: 24 * 10}),
    v: fc.integer({min: 0, max: 100}),
    blocked: fc.boolean(),
    tz: fc.constantFrom('Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Nowhere/Land'),
  })
  .map(({type, offset, v, blocked, tz}) => ({
    type,
    timestamp: start + offset * HOUR,
    properties: type === 'identify' ? {v, blocked: blocked && v > 90, timezone: tz, opt_outs: v % 3 === 0 ? ['sms'] : []} : {v},
  }))

const timelineArb: fc.Arbitrary<CustomerTimeline> = fc.record({
  customerId: fc.string({minLength: 1, maxLength: 8}),
  events: fc.array(eventArb, {maxLength: 25}),
})

describe('determinism', () => {
  it('the same inputs give deep-equal results and byte-identical JSON', () => {
    fc.assert(
      fc.property(fc.integer({min: 0, max: journeys.length - 1}), fc.array(timelineArb, {maxLength: 4}), (which, customers) => {
        const j = journeys[which]!
        const options = {from: start, until: start + 9 * 24 * HOUR}
        const first = customers.map((c) => runCustomer(j, c, options))
        const second = customers.map((c) => runCustomer(j, structuredClone(c), options))
        expect(second).toEqual(first)
        expect(JSON.stringify(second)).toBe(JSON.stringify(first))
        const window = {from: options.from, until: options.until}
        const runs = customers.map((timeline) => ({timeline, options}))
        expect(JSON.stringify(reportOf(j, structuredClone(runs), window))).toBe(JSON.stringify(reportOf(j, runs, window)))
      }),
      {numRuns: 150},
    )
  })

  it('invariants: entries never overlap, outcomes agree with their timestamps, nothing after until', () => {
    fc.assert(
      fc.property(fc.integer({min: 0, max: journeys.length - 1}), timelineArb, (which, customer) => {
        const j = journeys[which]!
        const until = start + 9 * 24 * HOUR
        const r = runCustomer(j, customer, {until})
        let previousEnd = Number.NEGATIVE_INFINITY
        for (const [i, e] of r.entries.entries()) {
          expect(e.enteredAt).toBeGreaterThanOrEqual(previousEnd)
          expect(e.enteredAt).toBeLessThanOrEqual(until)
          const ended = e.completedAt ?? e.exitedAt ?? (e.outcome === 'converted' && e.waitingAt === undefined ? e.convertedAt : undefined)
          if (e.group === 'treatment') {
            if (e.outcome === 'in_flight') expect(e.waitingAt).toBeDefined()
            if (e.outcome === 'completed') expect(e.completedAt).toBeDefined()
            if (e.outcome === 'exited') expect(e.exitedAt).toBeDefined()
            if (e.outcome === 'converted') expect(e.convertedAt).toBeDefined()
            if (i < r.entries.length - 1) expect(ended).toBeDefined()
          } else {
            expect(e.outcome).toBe('held_out')
            expect(e.sends).toEqual([])
            expect(e.path).toEqual([])
          }
          for (const s of e.sends) {
            expect(s.at).toBeLessThanOrEqual(until)
            expect(e.path).toContain(s.stepId)
          }
          previousEnd = ended ?? e.enteredAt
        }
      }),
      {numRuns: 200},
    )
  })
})
