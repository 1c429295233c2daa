import {describe, expect, it} from 'vitest'
import {ev, journey, run, sendsOf} from './helpers.js'

const j = journey(`
entry: { event: cart }
exit: [ { event: stop } ]
goal: { event: order }
steps:
  - { id: w, wait: 1h }
  - { id: s, send: { channel: email, template: r } }
`)

describe('equal timestamps', () => {
  it('an exit event at the timer instant applies before the timer', () => {
    const r = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('stop', '2026-01-01T01:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]).toMatchObject({outcome: 'exited', sends: [], path: ['w']})
  })
  it('a goal event at the timer instant applies before the timer', () => {
    const r = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-01T01:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]).toMatchObject({outcome: 'converted', sends: []})
  })
  it('events at one instant keep their input order', () => {
    const k = journey(`
entry: { event: cart, when: "profile.ok == true" }
steps: [ { id: s, send: { channel: email, template: r } } ]
`)
    const before = run(k, {
      events: [ev('identify', '2026-01-01T00:00:00Z', {ok: true}), ev('cart', '2026-01-01T00:00:00Z')],
      until: '2026-02-01T00:00:00Z',
    })
    expect(before.entries).toHaveLength(1)
    const after = run(k, {
      events: [ev('cart', '2026-01-01T00:00:00Z'), ev('identify', '2026-01-01T00:00:00Z', {ok: true})],
      until: '2026-02-01T00:00:00Z',
    })
    expect(after.entries).toHaveLength(0)
  })
  it('unsorted input is sorted stably by timestamp', () => {
    const r = run(j, {events: [ev('stop', '2026-01-01T00:30:00Z'), ev('cart', '2026-01-01T00:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]?.outcome).toBe('exited')
  })
  it('leaving and re-entering on the same event when the exit is the entry event', () => {
    const k = journey(`
entry: { event: cart }
reentry: always
exit: [ { event: cart } ]
steps: [ { id: w, wait: 1d } ]
`)
    const r = run(k, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('cart', '2026-01-01T05:00:00Z')], until: '2026-01-01T06:00:00Z'})
    expect(r.entries.map((e) => e.outcome)).toEqual(['exited', 'in_flight'])
  })
})

describe('branch binds the last event seen in the journey', () => {
  const k = journey(`
entry: { event: cart }
steps:
  - id: wf
    wait_for: { event: order, timeout: 1d, on_timeout: end }
  - id: route
    branch:
      cases: [ { when: "event.type == 'order' && event.properties.total > 100", next: big } ]
      else: small
  - { id: big, send: { channel: email, template: big }, next: end }
  - { id: small, send: { channel: email, template: small } }
`)
  it('after a wait_for, the event that resumed it', () => {
    const r = run(k, {
      events: [ev('cart', '2026-01-01T00:00:00Z'), ev('order', '2026-01-01T01:00:00Z', {total: 150})],
      until: '2026-02-01T00:00:00Z',
    })
    expect(sendsOf(r)).toEqual(['big@2026-01-01T01:00:00.000Z'])
  })
  it('a later unrelated event seen while waiting also counts as the last event', () => {
    const m = journey(`
entry: { event: cart }
steps:
  - { id: w, wait: 1h }
  - id: route
    branch: { cases: [ { when: "event.type == 'page'", next: p } ], else: end }
  - { id: p, send: { channel: email, template: p } }
`)
    const r = run(m, {events: [ev('cart', '2026-01-01T00:00:00Z'), ev('page', '2026-01-01T00:30:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(sendsOf(r)).toEqual(['p@2026-01-01T01:00:00.000Z'])
  })
  it('with no event (schedule entry) a case using event errors, counts as false, and is reported', () => {
    const m = journey(`
entry: { schedule: { cron: "0 9 * * *" } }
steps:
  - id: route
    branch: { cases: [ { when: "event.type == 'x'", next: end } ], else: s }
  - { id: s, send: { channel: email, template: s } }
`)
    const r = run(m, {events: [ev('page', '2026-01-01T00:00:00Z')], until: '2026-01-01T12:00:00Z'})
    expect(r.entries[0]?.branches.map((b) => b.case)).toEqual(['else'])
    expect(r.exprErrors.map((e) => e.where)).toEqual(['steps.route.cases[0].when'])
  })
  it('identify changes are visible to later branches', () => {
    const m = journey(`
entry: { event: cart }
steps:
  - { id: w, wait: 1h }
  - id: route
    branch: { cases: [ { when: "has(profile.vip) && profile.vip", next: v } ], else: end }
  - { id: v, send: { channel: email, template: v } }
`)
    const r = run(m, {
      events: [ev('cart', '2026-01-01T00:00:00Z'), ev('identify', '2026-01-01T00:10:00Z', {vip: true})],
      until: '2026-02-01T00:00:00Z',
    })
    expect(sendsOf(r)).toEqual(['v@2026-01-01T01:00:00.000Z'])
  })
})

describe('trace', () => {
  it('records every transition with a reason', () => {
    const r = run(j, {events: [ev('cart', '2026-01-01T00:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.trace.map((x) => [x.kind, x.step ?? null])).toEqual([
      ['enter', null],
      ['step', 'w'],
      ['wait', 'w'],
      ['resume', 'w'],
      ['step', 's'],
      ['send', 's'],
      ['complete', null],
    ])
    expect(r.trace[0]?.detail).toBe('event cart')
    expect(r.trace.every((x) => x.entry === 0)).toBe(true)
  })
})
