import {describe, expect, it} from 'vitest'
import type {CustomerResult, TraceEvent} from '../../../src/core/engine/types.js'
import {renderSimulateText} from '../../../src/ui/simulate/simulate-text.js'
import {ev, journey, runJourney, t} from '../../core/engine/helpers.js'

describe('simulate text output', () => {
  const j = journey(`
id: quick
entry: { event: go, when: "event.properties.v > 1" }
reentry: always
steps: [ { id: s, send: { channel: email, template: hi } } ]
`)

  it('prints a customer trace of any length (no call with one argument per line)', () => {
    const trace: TraceEvent[] = Array.from({length: 300_000}, (_, i) => ({at: i, kind: 'step', step: 's', detail: 'arrived at send'}))
    const result: CustomerResult = {customerId: 'big', entries: [], trace, exprErrors: [], profile: {}, eventsInWindow: 1}
    const {report} = runJourney(j, [], {until: t('2026-01-01T00:00:00Z')})
    const text = renderSimulateText({reports: [report], customer: {id: 'big', results: {quick: result}}}, {color: false})
    expect(text.split('\n').length).toBeGreaterThan(300_000)
  })

  it('lists expressions that failed and warns when they touched many customers', () => {
    const customers = Array.from({length: 10}, (_, i) => ({
      customerId: `c${i}`,
      events: [ev('go', '2026-01-01T00:00:00Z', i < 3 ? {v: 2} : {})],
    }))
    const {report} = runJourney(j, customers, {until: t('2026-01-02T00:00:00Z')})
    expect(report.expression_errors['entry.when']).toMatchObject({count: 7, customers: 7})
    const text = renderSimulateText({reports: [report]}, {color: false})
    expect(text).toContain('entry.when: 7 failures for 7 customers, e.g.')
    expect(text).toContain('⚠ an expression failed for 70.0% of the customers evaluated')
  })
})
