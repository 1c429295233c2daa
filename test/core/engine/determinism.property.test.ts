import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {runCustomer} from '../../../src/core/engine/run-customer.js'
import {reportOf} from './helpers.js'
import {HOUR, PROPERTY_JOURNEYS, PROPERTY_START, timelineArb} from './property-fixtures.js'

const journeys = PROPERTY_JOURNEYS
const start = PROPERTY_START

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
