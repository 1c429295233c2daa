import {describe, expect, it} from 'vitest'
import {ev, iso, journey, run, sendsOf} from './helpers.js'

const cart = journey(`
entry: { event: cart_updated, when: "event.properties.cart_value > 50.0" }
goal: { event: order_completed }
steps:
  - id: wait-1h
    wait: 1h
  - id: route
    branch:
      cases:
        - when: "profile.email_opt_in == true"
          next: email-1
      else: sms-1
  - id: email-1
    send: { channel: email, template: cart-reminder-1 }
    next: wait-purchase
  - id: sms-1
    send: { channel: sms, template: cart-sms-1 }
  - id: wait-purchase
    wait_for: { event: order_completed, timeout: 2d, on_timeout: offer }
    next: end
  - id: offer
    split:
      - { variant: ten-off, percent: 50, next: email-10 }
      - { variant: fifteen-off, percent: 50, next: email-15 }
  - id: email-10
    send: { channel: email, template: offer-10, data: { code: "'SAVE10'" } }
    next: end
  - id: email-15
    send: { channel: email, template: offer-15 }
`)

describe('steps', () => {
  it('walks the spec example: wait, branch, send, wait_for, converts on the goal', () => {
    const r = run(cart, {
      profile: {email_opt_in: true},
      events: [ev('cart_updated', '2026-03-02T10:00:00Z', {cart_value: 80}), ev('order_completed', '2026-03-02T13:00:00Z')],
      until: '2026-03-10T00:00:00Z',
    })
    expect(r.entries).toHaveLength(1)
    const [e] = r.entries
    expect(e?.path).toEqual(['wait-1h', 'route', 'email-1', 'wait-purchase'])
    expect(sendsOf(r)).toEqual(['cart-reminder-1@2026-03-02T11:00:00.000Z'])
    expect(e?.outcome).toBe('converted')
    expect(iso(e?.convertedAt)).toBe('2026-03-02T13:00:00.000Z')
    expect(e?.branches).toEqual([{stepId: 'route', case: 0, at: Date.parse('2026-03-02T11:00:00Z')}])
  })

  it('does not enter when the entry condition is false', () => {
    const r = run(cart, {events: [ev('cart_updated', '2026-03-02T10:00:00Z', {cart_value: 20})], until: '2026-03-10T00:00:00Z'})
    expect(r.entries).toEqual([])
  })

  it('takes else, falls through to the next step, then times out into the split', () => {
    const r = run(cart, {
      events: [ev('cart_updated', '2026-03-02T10:00:00Z', {cart_value: 80})],
      until: '2026-03-10T00:00:00Z',
      options: {overrides: {variants: {offer: 'fifteen-off'}}},
    })
    const e = r.entries[0]
    expect(e?.path).toEqual(['wait-1h', 'route', 'sms-1', 'wait-purchase', 'offer', 'email-15'])
    expect(sendsOf(r)).toEqual(['cart-sms-1@2026-03-02T11:00:00.000Z', 'offer-15@2026-03-04T11:00:00.000Z'])
    expect(e?.outcome).toBe('completed')
    expect(iso(e?.completedAt)).toBe('2026-03-04T11:00:00.000Z')
    expect(e?.variants).toEqual([{stepId: 'offer', variant: 'fifteen-off', at: Date.parse('2026-03-04T11:00:00Z')}])
    expect(r.trace.some((x) => x.kind === 'timeout' && x.step === 'wait-purchase')).toBe(true)
  })

  it('evaluates send data as CEL values', () => {
    const r = run(cart, {
      events: [ev('cart_updated', '2026-03-02T10:00:00Z', {cart_value: 80})],
      until: '2026-03-10T00:00:00Z',
      options: {overrides: {variants: {offer: 'ten-off'}}},
    })
    const offer = r.entries[0]?.sends.find((s) => s.template === 'offer-10')
    expect(offer?.data).toEqual({code: 'SAVE10'})
    expect(offer?.channel).toBe('email')
  })

  it('a wait_for event exactly at the timeout wins (events before timers)', () => {
    const r = run(cart, {
      events: [ev('cart_updated', '2026-03-02T10:00:00Z', {cart_value: 80}), ev('order_completed', '2026-03-04T11:00:00Z')],
      until: '2026-03-10T00:00:00Z',
    })
    expect(r.entries[0]?.path).toEqual(['wait-1h', 'route', 'sms-1', 'wait-purchase'])
    expect(r.entries[0]?.outcome).toBe('converted')
  })

  it('reports in flight with the step the customer waits at', () => {
    const r = run(cart, {events: [ev('cart_updated', '2026-03-02T10:00:00Z', {cart_value: 80})], until: '2026-03-02T10:30:00Z'})
    expect(r.entries[0]?.outcome).toBe('in_flight')
    expect(r.entries[0]?.waitingAt).toBe('wait-1h')
  })

  it('processes a timer due exactly at until', () => {
    const r = run(cart, {events: [ev('cart_updated', '2026-03-02T10:00:00Z', {cart_value: 80})], until: '2026-03-02T11:00:00Z'})
    expect(r.entries[0]?.waitingAt).toBe('wait-purchase')
    expect(sendsOf(r)).toEqual(['cart-sms-1@2026-03-02T11:00:00.000Z'])
  })

  it('ignores events after until', () => {
    const r = run(cart, {events: [ev('cart_updated', '2026-03-02T10:00:00Z', {cart_value: 80})], until: '2026-03-02T09:00:00Z'})
    expect(r.entries).toEqual([])
    expect(r.eventsInWindow).toBe(0)
  })
})

describe('wait_for', () => {
  const j = journey(`
entry: { event: signup }
steps:
  - id: w
    wait_for: { event: purchase, when: "event.properties.total >= 10", timeout: 1d, on_timeout: nudge }
    next: thanks
  - id: nudge
    send: { channel: email, template: nudge }
    next: end
  - id: thanks
    send: { channel: email, template: thanks }
`)
  it('moves on when a matching event arrives', () => {
    const r = run(j, {
      events: [ev('signup', '2026-01-01T00:00:00Z'), ev('purchase', '2026-01-01T05:00:00Z', {total: 12})],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries[0]?.path).toEqual(['w', 'thanks'])
    expect(sendsOf(r)).toEqual(['thanks@2026-01-01T05:00:00.000Z'])
  })
  it('ignores events whose when is false and times out', () => {
    const r = run(j, {
      events: [ev('signup', '2026-01-01T00:00:00Z'), ev('purchase', '2026-01-01T05:00:00Z', {total: 2})],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries[0]?.path).toEqual(['w', 'nudge'])
    expect(sendsOf(r)).toEqual(['nudge@2026-01-02T00:00:00.000Z'])
  })
  it('a when that errors counts as false and is reported', () => {
    const r = run(j, {
      events: [ev('signup', '2026-01-01T00:00:00Z'), ev('purchase', '2026-01-01T05:00:00Z')],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries[0]?.path).toEqual(['w', 'nudge'])
    expect(r.exprErrors).toHaveLength(1)
    expect(r.exprErrors[0]).toMatchObject({where: 'steps.w.wait_for.when', step: 'w'})
    expect(r.trace.some((x) => x.kind === 'expr-error')).toBe(true)
  })
  it('the event at the entering instant that comes later in input order counts', () => {
    const r = run(j, {
      events: [ev('signup', '2026-01-01T00:00:00Z'), ev('purchase', '2026-01-01T00:00:00Z', {total: 50})],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries[0]?.path).toEqual(['w', 'thanks'])
  })
})

describe('update', () => {
  const j = journey(`
entry: { event: signup }
exit:
  - when: "profile.blocked == true"
steps:
  - id: mark
    update: { set: { tier: "'gold'", points: "has(profile.points) ? profile.points + 10 : 10" } }
  - id: route
    branch:
      cases:
        - { when: "profile.tier == 'gold'", next: gold }
      else: end
  - id: gold
    send: { channel: email, template: gold, data: { points: "profile.points" } }
  - id: block
    update: { set: { blocked: "true" } }
  - id: after-block
    send: { channel: email, template: never }
`)
  it('is visible to later branches, data, and profile exit criteria; it outlives the journey', () => {
    const r = run(j, {profile: {points: 5}, events: [ev('signup', '2026-01-01T00:00:00Z')], until: '2026-02-01T00:00:00Z'})
    const e = r.entries[0]
    expect(e?.path).toEqual(['mark', 'route', 'gold', 'block'])
    expect(e?.sends.map((s) => [s.template, s.data])).toEqual([['gold', {points: 15}]])
    expect(e?.outcome).toBe('exited')
    expect(e?.exitCriterion).toBe(0)
    expect(r.profile).toEqual({points: 15, tier: 'gold', blocked: true})
  })
})

describe('wait durations', () => {
  const j = journey(`
entry: { event: go }
steps:
  - { id: a, wait: 90m }
  - { id: b, send: { channel: push, template: p } }
  - { id: c, wait: P1D }
  - { id: d, send: { channel: push, template: q } }
`)
  it('holds for each duration', () => {
    const r = run(j, {events: [ev('go', '2026-05-01T00:00:00Z')], until: '2026-06-01T00:00:00Z'})
    expect(sendsOf(r)).toEqual(['p@2026-05-01T01:30:00.000Z', 'q@2026-05-02T01:30:00.000Z'])
    expect(r.entries[0]?.outcome).toBe('completed')
  })
})
