import {describe, expect, it} from 'vitest'
import {runJourney} from '../../../src/core/engine/run-journey.js'
import {ev, journey, t} from './helpers.js'

describe('runJourney', () => {
  const j = journey(`
entry: { schedule: { cron: "0 9 * * *" } }
steps: [ { id: s, send: { channel: email, template: daily } } ]
`)
  const customers = [
    {customerId: 'a', events: [ev('page', '2026-01-01T08:00:00Z')]},
    {customerId: 'b', events: [ev('page', '2026-01-02T10:00:00Z')]},
  ]
  it('shares one ticker and defaults from to the earliest event', () => {
    const run = runJourney(j, customers, {until: t('2026-01-03T12:00:00Z')})
    expect(run.results.map((r) => r.entries.map((e) => new Date(e.enteredAt).toISOString()))).toEqual([
      ['2026-01-01T09:00:00.000Z'],
      ['2026-01-03T09:00:00.000Z'],
    ])
    expect(run.report.window.from).toBe('2026-01-01T08:00:00.000Z')
    expect(run.report.customers).toMatchObject({evaluated: 2, entered: 2, completed: 2})
    expect(run.report.messages.total).toBe(2)
  })
  it('streams results to onResult and applies overrides', () => {
    const seen: string[] = []
    const run = runJourney(j, customers, {
      until: t('2026-01-03T12:00:00Z'),
      overrides: (id) => (id === 'a' ? {group: 'holdout'} : undefined),
      onResult: (r) => seen.push(r.customerId),
    })
    expect(seen).toEqual(['a', 'b'])
    expect(run.results).toEqual([])
    expect(run.report.customers).toMatchObject({entered: 2, held_out: 1, completed: 1})
  })
})
