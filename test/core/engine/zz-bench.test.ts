import {it} from 'vitest'
import {runJourney} from '../../../src/core/engine/run-journey.js'
import {journey} from './helpers.js'
it('bench', () => {
  const j = journey(`
entry: { event: cart, when: "event.properties.v > 5" }
reentry: always
exit: [ { event: stop } ]
goal: { event: order, within: 3d }
settings: { timezone: Europe/Berlin, holdout: 10, quiet_hours: { start: "21:00", end: "08:00" }, frequency_cap: { limit: 2, per: 1d } }
steps:
  - { id: w, wait: 1h }
  - id: route
    branch: { cases: [ { when: "event.properties.v > 50", next: big } ], else: small }
  - { id: big, send: { channel: email, template: big }, next: wf }
  - { id: small, send: { channel: sms, template: small } }
  - id: wf
    wait_for: { event: order, timeout: 1d, on_timeout: last }
    next: end
  - { id: last, send: { channel: push, template: last } }
`)
  const start = Date.parse('2026-01-01T00:00:00Z')
  const customers = Array.from({length: 10000}, (_, i) => ({
    customerId: `c${i}`,
    events: Array.from({length: 20}, (_, k) => ({type: ['cart', 'page', 'order', 'identify'][(i + k) % 4]!, timestamp: start + k * 3_600_000 * 7 + i, properties: {v: (i * k) % 100}})),
  }))
  const t0 = performance.now()
  const r = runJourney(j, customers, {until: start + 30 * 86_400_000, onResult: () => {}})
  console.log('ms', performance.now() - t0, r.report.customers, r.report.entries)
})
