import {describe, expect, it} from 'vitest'
import {runCustomer} from '../../../src/core/engine/run-customer.js'
import {ev, journey, t} from './helpers.js'

const CART = journey(`version: 1
id: cart
name: Cart
entry: { event: cart_updated }
goal: { event: order_completed, within: 2d }
steps:
  - { id: wait-1h, wait: 1h }
  - { id: email-1, send: { channel: email, template: cart-email } }
`)

describe('trace: false', () => {
  it('records no trace and changes nothing else', () => {
    const customer = {customerId: 'c1', events: [ev('cart_updated', '2026-03-02T10:00:00Z'), ev('order_completed', '2026-03-02T12:00:00Z')]}
    const options = {until: t('2026-03-03T00:00:00Z')}
    const traced = runCustomer(CART, customer, options)
    const quiet = runCustomer(CART, customer, {...options, trace: false})
    expect(traced.trace.length).toBeGreaterThan(0)
    expect(quiet.trace).toEqual([])
    expect({...quiet, trace: traced.trace}).toEqual(traced)
  })
})
