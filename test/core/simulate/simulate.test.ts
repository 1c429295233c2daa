import path from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {buildJourney} from '../../../src/core/journey/build-model.js'
import type {Journey} from '../../../src/core/journey/model.js'
import {parseYamlSource} from '../../../src/core/journey/source.js'
import {simulate} from '../../../src/core/simulate/simulate.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {tempProject} from '../../helpers/temp-project.js'

const CART = `version: 1
id: cart
name: Cart
entry: { event: cart_updated }
exit: [{ event: order_completed }]
goal: { event: order_completed, within: 3d }
settings: { holdout: 10, timezone: profile, quiet_hours: { start: "21:00", end: "08:00" }, frequency_cap: { limit: 1, per: 1d } }
steps:
  - { id: wait-1h, wait: 1h }
  - id: route
    branch: { cases: [{ when: "profile.email_opt_in == true", next: email-1 }], else: sms-1 }
  - { id: email-1, send: { channel: email, template: cart-email }, next: offer }
  - { id: sms-1, send: { channel: sms, template: cart-sms } }
  - id: offer
    split: [{ variant: a, percent: 50, next: end }, { variant: b, percent: 50, next: email-2 }]
  - { id: email-2, send: { channel: email, template: offer-email } }
`

function journey(yaml: string): Journey {
  return buildJourney(parseYamlSource('j.yaml', yaml).source.value as Record<string, unknown>)
}

async function generatedStore(customers: number, seed: number): Promise<string> {
  const dir = await tempProject({})
  const file = path.join(dir, 'events.db')
  const store = openEventStore(file)
  writeGeneratedEvents(store, {customers, days: 14, seed, start: Date.UTC(2026, 2, 1), now: 0})
  store.close()
  return file
}

describe('simulate', () => {
  it('reports every key of spec section 5', async () => {
    const storePath = await generatedStore(300, 1)
    const result = simulate({journeys: [journey(CART)], storePath})
    const report = result.reports[0]
    expect(Object.keys(report ?? {})).toEqual(
      expect.arrayContaining(['format_version', 'journey', 'window', 'customers', 'entries', 'steps', 'messages', 'conversion']),
    )
    expect(Object.keys(report?.customers ?? {}).sort()).toEqual([
      'completed',
      'converted',
      'entered',
      'evaluated',
      'exited',
      'held_out',
      'in_flight',
    ])
    expect(report?.customers.entered).toBeGreaterThan(0)
    expect(report?.customers.evaluated).toBe(300)
    expect(report?.steps['wait-1h']?.entered).toBeGreaterThan(0)
    expect(report?.messages.by_channel).toHaveProperty('email')
    expect(report?.messages.suppressed).toHaveProperty('frequency_cap')
    expect(report?.messages.deferred).toHaveProperty('quiet_hours')
    const c = report?.customers
    if (c) expect(c.held_out + c.completed + c.exited + c.converted + c.in_flight).toBe(c.entered)
  })

  it('gives byte-identical JSON for the same inputs (property over seeds and windows)', async () => {
    const stores = new Map<number, string>()
    for (const seed of [1, 2, 3]) stores.set(seed, await generatedStore(60, seed))
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(1, 2, 3), fc.integer({min: 0, max: 13}), async (seed, days) => {
        const storePath = stores.get(seed) as string
        const options = {journeys: [journey(CART)], storePath, until: Date.UTC(2026, 2, 1) + (days + 1) * 86_400_000}
        expect(JSON.stringify(simulate(options))).toBe(JSON.stringify(simulate(options)))
      }),
      {numRuns: 15},
    )
  })

  it('checks the message policy across journeys and names the customers over it', async () => {
    const storePath = await generatedStore(200, 4)
    const second = journey(CART.replace('id: cart', 'id: cart-2').replace('holdout: 10', 'holdout: 0'))
    const result = simulate({journeys: [journey(CART), second], storePath, policy: {limit: 1, per: '7d'}})
    expect(result.load?.max).toBeGreaterThan(1)
    expect(result.policy?.ok).toBe(false)
    const breach = result.policy?.breaches[0]
    expect(breach?.messages).toBeGreaterThan(1)
    expect(result.policy?.breaches.map((b) => b.customerId)).toEqual([...(result.policy?.breaches.map((b) => b.customerId) ?? [])].sort())
    const generous = simulate({journeys: [journey(CART), second], storePath, policy: {limit: 100, per: '7d'}})
    expect(generous.policy).toMatchObject({ok: true, breaches: []})
  })

  it('traces one customer and refuses an unknown one', async () => {
    const storePath = await generatedStore(20, 5)
    const result = simulate({journeys: [journey(CART)], storePath, customerId: 'c000003'})
    expect(result.customer?.id).toBe('c000003')
    expect(result.reports[0]?.customers.evaluated).toBe(1)
    expect(() => simulate({journeys: [journey(CART)], storePath, customerId: 'nobody'})).toThrow(/no events/)
  })

  it('refuses an empty store with a hint', async () => {
    const dir = await tempProject({})
    const storePath = path.join(dir, 'empty.db')
    openEventStore(storePath).close()
    expect(() => simulate({journeys: [journey(CART)], storePath})).toThrow(/has no events/)
  })
})
