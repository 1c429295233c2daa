import {describe, expect, it} from 'vitest'
import {isHeldOut} from '../../../src/core/engine/assignment.js'
import {ev, iso, journey, run, sendsOf} from './helpers.js'

const base = (extra: string): ReturnType<typeof journey> =>
  journey(`
entry: { event: cart }
${extra}
steps:
  - { id: w1, wait: 1d }
  - { id: s1, send: { channel: email, template: r1 } }
  - { id: w2, wait: 1d }
  - { id: s2, send: { channel: email, template: r2 } }
`)

describe('exit criteria', () => {
  const j = base(`
exit:
  - event: unsubscribe
  - event: order
    when: "event.properties.total > 100"
  - when: "profile.blocked == true"
`)
  it('an exit event removes the customer at once', () => {
    const r = run(j, {
      events: [ev('cart', '2026-01-01T00:00:00Z'), ev('unsubscribe', '2026-01-01T12:00:00Z')],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries[0]).toMatchObject({outcome: 'exited', exitCriterion: 0, path: ['w1']})
    expect(iso(r.entries[0]?.exitedAt)).toBe('2026-01-01T12:00:00.000Z')
    expect(sendsOf(r)).toEqual([])
    expect(r.trace.find((x) => x.kind === 'exit')?.detail).toContain('exit[0]')
  })
  it('an event criterion with when', () => {
    const small = run(j, {
      events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-01T12:00:00Z', {total: 5})],
      until: '2026-02-01T00:00:00Z',
    })
    expect(small.entries[0]?.outcome).toBe('completed')
    const big = run(j, {
      events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-01T12:00:00Z', {total: 500})],
      until: '2026-02-01T00:00:00Z',
    })
    expect(big.entries[0]).toMatchObject({outcome: 'exited', exitCriterion: 1})
  })
  it('a profile criterion is checked after each profile change', () => {
    const r = run(j, {
      events: [ev('cart', '2026-01-01T00:00:00Z'), ev('identify', '2026-01-01T12:00:00Z', {blocked: true})],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries[0]).toMatchObject({outcome: 'exited', exitCriterion: 2})
  })
  it('is not checked on the entering event', () => {
    const self = base('exit: [ { event: cart } ]')
    const r = run(self, {events: [ev('cart', '2026-01-01T00:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]?.outcome).toBe('completed')
  })
  it('an exit while deferred by quiet hours drops the message', () => {
    const q = journey(`
entry: { event: cart }
exit: [ { event: stop } ]
settings: { quiet_hours: { start: "21:00", end: "08:00" } }
steps: [ { id: s, send: { channel: sms, template: t } } ]
`)
    const r = run(q, {events: [ev('cart', '2026-01-01T22:00:00Z'), ev('stop', '2026-01-02T01:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]).toMatchObject({outcome: 'exited', sends: []})
    expect(r.entries[0]?.deferred).toHaveLength(1)
  })
})

describe('goal', () => {
  it('one event meeting goal and exit converts (goal wins)', () => {
    const j = base('exit: [ { event: order } ]\ngoal: { event: order }')
    const r = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-01T12:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]?.outcome).toBe('converted')
    expect(r.entries[0]?.exitedAt).toBeUndefined()
    expect(iso(r.entries[0]?.convertedAt)).toBe('2026-01-01T12:00:00.000Z')
  })
  it('without within: only while in the journey', () => {
    const j = base('goal: { event: order }')
    const r = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-05T00:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]?.outcome).toBe('completed')
    expect(r.entries[0]?.convertedAt).toBeUndefined()
  })
  it('with within: converting after completion inside the window counts', () => {
    const j = base('goal: { event: order, within: 7d }')
    const r = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-05T00:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]?.outcome).toBe('converted')
    expect(iso(r.entries[0]?.completedAt)).toBe('2026-01-03T00:00:00.000Z')
  })
  it('with within: the window end is inclusive; after it nothing counts', () => {
    const j = base('goal: { event: order, within: 7d }')
    const edge = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-08T00:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(edge.entries[0]?.outcome).toBe('converted')
    const late = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-08T00:00:01Z')], until: '2026-02-01T00:00:00Z'})
    expect(late.entries[0]?.outcome).toBe('completed')
  })
  it('with within: also watched after an exit', () => {
    const j = base('exit: [ { event: stop } ]\ngoal: { event: order, within: 7d }')
    const r = run(j, {
      events: [ev('cart', '2026-01-01T00:00:00Z'), ev('stop', '2026-01-01T01:00:00Z'), ev('order', '2026-01-02T00:00:00Z')],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries[0]).toMatchObject({outcome: 'converted'})
    expect(iso(r.entries[0]?.exitedAt)).toBe('2026-01-01T01:00:00.000Z')
  })
  it('the goal ends the journey (exit: true); the entering event does not count', () => {
    const j = base('goal: { event: cart }')
    const r = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('cart', '2026-01-01T10:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries).toHaveLength(1)
    expect(r.entries[0]).toMatchObject({outcome: 'converted', path: ['w1'], sends: []})
  })
  it('goal with when', () => {
    const j = base('goal: { event: order, when: "event.properties.total >= 20" }')
    const r = run(j, {
      events: [
        ev('cart', '2026-01-01T00:00:00Z'),
        ev('order', '2026-01-01T01:00:00Z', {total: 5}),
        ev('order', '2026-01-01T02:00:00Z', {total: 25}),
      ],
      until: '2026-02-01T00:00:00Z',
    })
    expect(iso(r.entries[0]?.convertedAt)).toBe('2026-01-01T02:00:00.000Z')
  })
  it('exit: false converts and keeps going; the outcome stays converted', () => {
    const j = base('goal: { event: order, exit: false }')
    const r = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-01T12:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]).toMatchObject({outcome: 'converted', path: ['w1', 's1', 'w2', 's2']})
    expect(sendsOf(r)).toHaveLength(2)
    expect(r.entries[0]?.completedAt).toBeDefined()
    const inFlight = run(j, {
      events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-01T12:00:00Z')],
      until: '2026-01-01T13:00:00Z',
    })
    expect(inFlight.entries[0]).toMatchObject({outcome: 'converted', waitingAt: 'w1'})
  })
  it('exit: false with an exit on the same event: converted, and the exit removes them', () => {
    const j = base('exit: [ { event: order } ]\ngoal: { event: order, exit: false }')
    const r = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-01T12:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]).toMatchObject({outcome: 'converted', path: ['w1']})
    expect(r.entries[0]?.exitedAt).toBeDefined()
  })
})

describe('holdout', () => {
  const j = journey(`
id: holdout-journey
entry: { event: cart }
reentry: always
goal: { event: order, within: 3d }
settings: { holdout: 50 }
steps:
  - { id: u, update: { set: { touched: "true" } } }
  - { id: s, send: { channel: email, template: r1 } }
`)
  const ids = Array.from({length: 40}, (_, i) => `customer-${i}`)
  const heldId = ids.find((id) => isHeldOut('holdout-journey', id, 50)) as string
  const treatedId = ids.find((id) => !isHeldOut('holdout-journey', id, 50)) as string

  it('held-out customers receive nothing and are followed only for the goal', () => {
    const r = run(j, {
      customerId: heldId,
      events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-02T00:00:00Z')],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries[0]).toMatchObject({group: 'holdout', outcome: 'held_out', path: [], sends: []})
    expect(iso(r.entries[0]?.convertedAt)).toBe('2026-01-02T00:00:00.000Z')
    expect(r.profile).toEqual({})
  })
  it('treatment customers walk the journey', () => {
    const r = run(j, {customerId: treatedId, events: [ev('cart', '2026-01-01T00:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]).toMatchObject({group: 'treatment', outcome: 'completed'})
  })
  it('the group can be pinned', () => {
    const r = run(j, {
      customerId: heldId,
      events: [ev('cart', '2026-01-01T00:00:00Z')],
      until: '2026-02-01T00:00:00Z',
      options: {overrides: {group: 'treatment'}},
    })
    expect(r.entries[0]?.group).toBe('treatment')
    const h = run(j, {
      customerId: treatedId,
      events: [ev('cart', '2026-01-01T00:00:00Z')],
      until: '2026-02-01T00:00:00Z',
      options: {overrides: {group: 'holdout'}},
    })
    expect(h.entries[0]?.group).toBe('holdout')
  })
  it('a holdout is in the journey for the goal window, then may re-enter', () => {
    const r = run(j, {
      customerId: heldId,
      events: [ev('cart', '2026-01-01T00:00:00Z'), ev('cart', '2026-01-02T00:00:00Z'), ev('cart', '2026-01-05T00:00:00Z')],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-05T00:00:00.000Z'])
  })
})

describe('goal window while still in the journey', () => {
  it('with within, a goal after the window does not count even while in the journey', () => {
    const j = journey(`
entry: { event: cart }
goal: { event: order, within: 1d }
steps:
  - { id: w, wait: 3d }
  - { id: s, send: { channel: email, template: late } }
`)
    const r = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-02T12:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]).toMatchObject({outcome: 'completed', path: ['w', 's']})
    expect(r.entries[0]?.convertedAt).toBeUndefined()
  })
})
