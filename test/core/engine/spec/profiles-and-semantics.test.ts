/**
 * Spec audit, sections 4 and 5: one small test per sentence of the normative spec
 * (journey-format.md) about profiles, ordering, exits and goals, holdouts, quiet hours, caps,
 * consent and the report.
 */
import {describe, expect, it} from 'vitest'
import type {CustomerTimeline} from '../../../../src/core/engine/types.js'
import {buildReport, ev, iso, journey, run, runJourney, sendsOf, t} from '../helpers.js'
import {customerIn, entryTimes, outcomes, paths, UNTIL} from './audit-helpers.js'

// ---------------------------------------------------------------------------------------------
// 4. Events and profiles
// ---------------------------------------------------------------------------------------------
describe('4 events and profiles', () => {
  it('a customer with no identify has an empty profile {} (never null): has() is false, no errors', () => {
    const j = journey(`
entry: { event: go }
steps:
  - id: b
    branch:
      cases: [ { when: "has(profile.x)", next: yes } ]
      else: no
  - { id: yes, send: { channel: email, template: yes }, next: end }
  - { id: no, send: { channel: email, template: no, data: { p: "profile" } } }
`)
    const r = run(j, {events: [ev('go', '2026-03-02T10:00:00Z')], until: UNTIL})
    expect(paths(r)).toEqual([['b', 'no']])
    expect(r.entries[0]?.sends[0]?.data).toEqual({p: {}})
    expect(r.exprErrors).toEqual([])
    expect(r.profile).toEqual({})
  })

  it('identify merges its traits from that moment on: the replay sees the profile as it was at each instant', () => {
    const j = journey(`
entry: { event: visit, when: "has(profile.vip) && profile.vip == true" }
steps:
  - { id: w, wait: 1d }
  - id: b
    branch:
      cases: [ { when: "profile.a == 1 && profile.b == 2 && profile.vip == true", next: both } ]
      else: end
  - { id: both, send: { channel: email, template: both } }
`)
    const r = run(j, {
      events: [
        ev('identify', '2026-03-01T00:00:00Z', {a: 1}),
        ev('visit', '2026-03-01T12:00:00Z'), // vip not yet known: no entry
        ev('identify', '2026-03-02T00:00:00Z', {vip: true}),
        ev('visit', '2026-03-02T12:00:00Z'), // enters
        ev('identify', '2026-03-03T00:00:00Z', {b: 2}), // seen by the branch at 03-03T12
      ],
      until: UNTIL,
    })
    expect(entryTimes(r)).toEqual(['2026-03-02T12:00:00.000Z'])
    expect(paths(r)).toEqual([['w', 'b', 'both']])
    expect(r.profile).toEqual({a: 1, vip: true, b: 2})
  })
})

// ---------------------------------------------------------------------------------------------
// 5. Simulation semantics
// ---------------------------------------------------------------------------------------------
describe('5 ordering', () => {
  const vip = journey(`
entry: { event: visit, when: "has(profile.vip) && profile.vip == true" }
steps: [ { id: s, send: { channel: email, template: t } } ]
`)
  it('events are replayed in timestamp order, ties in input (import) order', () => {
    const before = run(vip, {
      events: [ev('identify', '2026-03-02T10:00:00Z', {vip: true}), ev('visit', '2026-03-02T10:00:00Z')],
      until: UNTIL,
    })
    const after = run(vip, {
      events: [ev('visit', '2026-03-02T10:00:00Z'), ev('identify', '2026-03-02T10:00:00Z', {vip: true})],
      until: UNTIL,
    })
    const unsorted = run(vip, {
      events: [ev('visit', '2026-03-02T11:00:00Z'), ev('identify', '2026-03-02T10:00:00Z', {vip: true})],
      until: UNTIL,
    })
    expect([before.entries.length, after.entries.length, unsorted.entries.length]).toEqual([1, 0, 1])
  })

  const timed = journey(`
entry: { event: go }
exit: [ { event: stop } ]
goal: { event: buy }
steps:
  - { id: w, wait: 1h }
  - id: b
    branch:
      cases: [ { when: "has(profile.vip) && profile.vip == true", next: vip } ]
      else: plain
  - { id: vip, send: { channel: email, template: vip }, next: end }
  - { id: plain, send: { channel: email, template: plain } }
`)
  const at = (type: string, props: Record<string, unknown> = {}) => [
    ev('go', '2026-03-02T10:00:00Z'),
    ev(type, '2026-03-02T11:00:00Z', props),
  ]

  it('at equal timestamps events are applied before timers: exit, goal, identify', () => {
    const exited = run(timed, {events: at('stop'), until: UNTIL})
    expect(outcomes(exited)).toEqual(['exited'])
    expect(sendsOf(exited)).toEqual([])
    const converted = run(timed, {events: at('buy'), until: UNTIL})
    expect(outcomes(converted)).toEqual(['converted'])
    expect(sendsOf(converted)).toEqual([])
    const identified = run(timed, {events: at('identify', {vip: true}), until: UNTIL})
    expect(sendsOf(identified)).toEqual(['vip@2026-03-02T11:00:00.000Z'])
  })

  it('a wait_for event exactly at its timeout wins over the timeout', () => {
    const j = journey(`
entry: { event: go }
steps:
  - { id: wf, wait_for: { event: buy, timeout: 1h, on_timeout: late }, next: end }
  - { id: late, send: { channel: email, template: late } }
`)
    const r = run(j, {events: at('buy'), until: UNTIL})
    expect(paths(r)).toEqual([['wf']])
    expect(outcomes(r)).toEqual(['completed'])
  })

  it('a timer due exactly at until fires; one after until leaves the customer in flight', () => {
    const r1 = run(timed, {events: [ev('go', '2026-03-02T10:00:00Z')], until: '2026-03-02T11:00:00Z'})
    expect(outcomes(r1)).toEqual(['completed'])
    const r2 = run(timed, {events: [ev('go', '2026-03-02T10:00:00Z')], until: '2026-03-02T10:59:59Z'})
    expect(outcomes(r2)).toEqual(['in_flight'])
    expect(r2.entries[0]?.waitingAt).toBe('w')
  })
})

describe('5 steps run instantly until a wait or wait_for', () => {
  it('all steps before the first wait happen at the entering instant', () => {
    const j = journey(`
entry: { event: go }
steps:
  - { id: a, send: { channel: email, template: a } }
  - { id: u, update: { set: { x: "1" } } }
  - { id: b, send: { channel: sms, template: b } }
  - { id: w, wait: 1d }
  - { id: c, send: { channel: push, template: c } }
`)
    const r = run(j, {events: [ev('go', '2026-03-02T10:00:00Z')], until: '2026-03-02T12:00:00Z'})
    expect(sendsOf(r)).toEqual(['a@2026-03-02T10:00:00.000Z', 'b@2026-03-02T10:00:00.000Z'])
    expect(r.entries[0]?.waitingAt).toBe('w')
  })
})

describe('5 exit criteria and the goal', () => {
  it('are checked on every event after the entering one (not on the entering one)', () => {
    const j = journey(`
entry: { event: cart }
exit: [ { event: cart } ]
steps: [ { id: w, wait: 1d } ]
`)
    const r = run(j, {events: [ev('cart', '2026-03-02T10:00:00Z'), ev('cart', '2026-03-02T12:00:00Z')], until: UNTIL})
    expect(outcomes(r)).toEqual(['exited'])
    expect(iso(r.entries[0]?.exitedAt)).toBe('2026-03-02T12:00:00.000Z')
  })

  it('an event at the entering instant that comes after it in import order is checked', () => {
    const j = journey(`
entry: { event: cart }
goal: { event: buy }
steps: [ { id: w, wait: 1d } ]
`)
    const r = run(j, {events: [ev('cart', '2026-03-02T10:00:00Z'), ev('buy', '2026-03-02T10:00:00Z')], until: UNTIL})
    expect(outcomes(r)).toEqual(['converted'])
  })

  it('one event meeting both the goal and an exit criterion: the goal wins (counted converted only)', () => {
    const j = journey(`
entry: { event: cart }
exit: [ { event: buy } ]
goal: { event: buy }
steps: [ { id: w, wait: 1d } ]
`)
    const r = run(j, {events: [ev('cart', '2026-03-02T10:00:00Z'), ev('buy', '2026-03-02T12:00:00Z')], until: UNTIL})
    expect(outcomes(r)).toEqual(['converted'])
    const report = buildReport(j, [r], {until: t(UNTIL)})
    expect(report.customers).toMatchObject({entered: 1, converted: 1, exited: 0, completed: 0, in_flight: 0})
  })

  it('a profile exit criterion is checked after each profile change', () => {
    const j = journey(`
entry: { event: cart }
exit: [ { when: "has(profile.unsubscribed) && profile.unsubscribed == true" } ]
steps: [ { id: w, wait: 1d }, { id: s, send: { channel: email, template: t } } ]
`)
    const r = run(j, {
      events: [ev('cart', '2026-03-02T10:00:00Z'), ev('identify', '2026-03-02T12:00:00Z', {unsubscribed: true})],
      until: UNTIL,
    })
    expect(outcomes(r)).toEqual(['exited'])
    expect(iso(r.entries[0]?.exitedAt)).toBe('2026-03-02T12:00:00.000Z')
    expect(sendsOf(r)).toEqual([])
  })

  const windowed = (within: string) =>
    journey(`
entry: { event: cart }
goal: { event: buy${within} }
steps: [ { id: s, send: { channel: email, template: t } } ]
`)
  it('with goal.within the goal is watched for the window also after completing: counts as converted', () => {
    const j = windowed(', within: 7d')
    const r = run(j, {events: [ev('cart', '2026-03-02T10:00:00Z'), ev('buy', '2026-03-05T10:00:00Z')], until: UNTIL})
    expect(outcomes(r)).toEqual(['converted'])
    const report = buildReport(j, [r], {until: t(UNTIL)})
    expect(report.customers).toMatchObject({converted: 1, completed: 0})
    // After the window: not converted.
    const late = run(j, {events: [ev('cart', '2026-03-02T10:00:00Z'), ev('buy', '2026-03-10T10:00:00Z')], until: UNTIL})
    expect(outcomes(late)).toEqual(['completed'])
  })
  it('without within, only while in the journey', () => {
    const r = run(windowed(''), {events: [ev('cart', '2026-03-02T10:00:00Z'), ev('buy', '2026-03-02T11:00:00Z')], until: UNTIL})
    expect(outcomes(r)).toEqual(['completed'])
  })
  it('goal.exit (default true) ends the journey; exit: false converts and goes on', () => {
    const mk = (exit: string) =>
      journey(`
entry: { event: cart }
goal: { event: buy${exit} }
steps: [ { id: w, wait: 1d }, { id: s, send: { channel: email, template: t } } ]
`)
    const events = [ev('cart', '2026-03-02T10:00:00Z'), ev('buy', '2026-03-02T11:00:00Z')]
    const leaves = run(mk(''), {events, until: UNTIL})
    expect(sendsOf(leaves)).toEqual([])
    expect(outcomes(leaves)).toEqual(['converted'])
    const stays = run(mk(', exit: false'), {events, until: UNTIL})
    expect(sendsOf(stays)).toEqual(['t@2026-03-03T10:00:00.000Z'])
    expect(outcomes(stays)).toEqual(['converted'])
  })
})

describe('5 holdout', () => {
  const j = journey(`
id: ho
entry: { event: cart }
exit: [ { event: stop } ]
goal: { event: buy, within: 7d }
settings: { holdout: 50 }
steps: [ { id: w, wait: 1h }, { id: s, send: { channel: email, template: t } } ]
`)
  const held: [string, string] = [customerIn('holdout', 'ho', 50, 'h'), customerIn('holdout', 'ho', 50, 'hh')]
  const treated: [string, string] = [customerIn('treatment', 'ho', 50, 't'), customerIn('treatment', 'ho', 50, 'tt')]

  it('held-out customers count as entered and held out, receive nothing, and are followed only for the goal', () => {
    const r = run(j, {
      customerId: held[0],
      events: [ev('cart', '2026-03-02T10:00:00Z'), ev('stop', '2026-03-02T10:30:00Z'), ev('buy', '2026-03-03T10:00:00Z')],
      until: UNTIL,
    })
    expect(r.entries).toHaveLength(1)
    expect(r.entries[0]).toMatchObject({group: 'holdout', outcome: 'held_out', path: [], sends: []})
    // The exit criterion does not apply; the goal is still watched.
    expect(iso(r.entries[0]?.convertedAt)).toBe('2026-03-03T10:00:00.000Z')
  })

  it('conversion rates are converted / entered per group, uplift their difference', () => {
    const events = (buy: boolean) => [ev('cart', '2026-03-02T10:00:00Z'), ...(buy ? [ev('buy', '2026-03-03T10:00:00Z')] : [])]
    const results = [
      run(j, {customerId: held[0], events: events(true), until: UNTIL}),
      run(j, {customerId: held[1], events: events(false), until: UNTIL}),
      run(j, {customerId: treated[0], events: events(true), until: UNTIL}),
      run(j, {customerId: treated[1], events: events(true), until: UNTIL}),
    ]
    const report = buildReport(j, results, {until: t(UNTIL)})
    expect(report.customers).toMatchObject({evaluated: 4, entered: 4, held_out: 2, converted: 2, completed: 0})
    expect(report.conversion).toEqual({treatment_rate: 1, holdout_rate: 0.5, uplift: 0.5, treatment_size: 2, holdout_size: 2})
    expect(report.messages.total).toBe(2) // treatment only; holdouts receive nothing
  })
})

describe('5 quiet hours', () => {
  const j = journey(`
entry: { event: go }
reentry: always
settings: { quiet_hours: { start: "21:00", end: "08:00" } }
steps:
  - { id: s, send: { channel: email, template: t } }
  - { id: after, send: { channel: sms, template: after } }
`)
  it('a send inside [start, end) is deferred to exactly end; start is inside, end is not', () => {
    expect(sendsOf(run(j, {events: [ev('go', '2026-03-02T21:00:00Z')], until: UNTIL}))).toEqual([
      't@2026-03-03T08:00:00.000Z',
      'after@2026-03-03T08:00:00.000Z',
    ])
    expect(sendsOf(run(j, {events: [ev('go', '2026-03-02T07:59:59Z')], until: UNTIL}))[0]).toBe('t@2026-03-02T08:00:00.000Z')
    expect(sendsOf(run(j, {events: [ev('go', '2026-03-02T08:00:00Z')], until: UNTIL}))[0]).toBe('t@2026-03-02T08:00:00.000Z')
    expect(sendsOf(run(j, {events: [ev('go', '2026-03-02T20:59:00Z')], until: UNTIL}))[0]).toBe('t@2026-03-02T20:59:00.000Z')
  })
  it('the customer waits at the send step meanwhile (in flight there), and goes on when it goes out', () => {
    const r = run(j, {events: [ev('go', '2026-03-02T22:00:00Z')], until: '2026-03-03T07:00:00Z'})
    expect(outcomes(r)).toEqual(['in_flight'])
    expect(r.entries[0]?.waitingAt).toBe('s')
    expect(sendsOf(r)).toEqual([])
    const report = buildReport(j, [r], {until: t('2026-03-03T07:00:00Z')})
    expect(report.messages.deferred.quiet_hours).toBe(1)
    expect(report.in_flight_at).toEqual({s: 1})
    expect(report.steps.s?.entered).toBe(1)
    expect(report.steps.after?.entered).toBe(0)
  })
  it('quiet hours are local time in the journey time zone (profile), DST-aware', () => {
    const z = journey(`
entry: { event: go }
settings: { timezone: profile, quiet_hours: { start: "21:00", end: "08:00" } }
steps: [ { id: s, send: { channel: email, template: t } } ]
`)
    const berlin = {timezone: 'Europe/Berlin'}
    // Winter: 20:30Z is 21:30 in Berlin -> 08:00 Berlin = 07:00Z.
    expect(sendsOf(run(z, {profile: berlin, events: [ev('go', '2026-03-02T20:30:00Z')], until: UNTIL}))).toEqual([
      't@2026-03-03T07:00:00.000Z',
    ])
    // Summer: 19:30Z is 21:30 in Berlin -> 08:00 Berlin = 06:00Z.
    expect(sendsOf(run(z, {profile: berlin, events: [ev('go', '2026-06-02T19:30:00Z')], until: UNTIL}))).toEqual([
      't@2026-06-03T06:00:00.000Z',
    ])
    // No profile.timezone: UTC.
    expect(sendsOf(run(z, {events: [ev('go', '2026-03-02T20:30:00Z')], until: UNTIL}))).toEqual(['t@2026-03-02T20:30:00.000Z'])
  })
})

describe('5 frequency cap and consent', () => {
  it('a send beyond the cap is suppressed and the journey goes on; the window is rolling', () => {
    const j = journey(`
entry: { event: go }
reentry: always
settings: { frequency_cap: { limit: 2, per: 1d } }
steps:
  - { id: a, send: { channel: email, template: a } }
  - { id: b, send: { channel: email, template: b } }
  - { id: c, send: { channel: email, template: c } }
  - { id: d, update: { set: { done: "true" } } }
`)
    const r = run(j, {events: [ev('go', '2026-03-02T10:00:00Z'), ev('go', '2026-03-03T11:00:00Z')], until: UNTIL})
    expect(sendsOf(r)).toEqual([
      'a@2026-03-02T10:00:00.000Z',
      'b@2026-03-02T10:00:00.000Z',
      'a@2026-03-03T11:00:00.000Z',
      'b@2026-03-03T11:00:00.000Z',
    ])
    expect(outcomes(r)).toEqual(['completed', 'completed'])
    expect(r.profile).toEqual({done: true})
    const report = buildReport(j, [r], {until: t(UNTIL)})
    expect(report.messages.suppressed).toEqual({frequency_cap: 2, consent: 0})
    expect(report.messages.total).toBe(4)
    expect(report.steps.c?.entered).toBe(2)
  })

  it('consent false or error suppresses; only messages that went out count toward the cap', () => {
    const j = journey(`
entry: { event: go }
settings:
  frequency_cap: { limit: 1, per: 1d }
  consent: "!(has(profile.opt_outs) && channel in profile.opt_outs)"
steps:
  - { id: s1, send: { channel: sms, template: s1 } }
  - { id: e1, send: { channel: email, template: e1 } }
  - { id: e2, send: { channel: email, template: e2 } }
`)
    const r = run(j, {profile: {opt_outs: ['sms']}, events: [ev('go', '2026-03-02T10:00:00Z')], until: UNTIL})
    expect(sendsOf(r)).toEqual(['e1@2026-03-02T10:00:00.000Z'])
    const report = buildReport(j, [r], {until: t(UNTIL)})
    expect(report.messages.suppressed).toEqual({frequency_cap: 1, consent: 1})
    expect(report.messages.by_channel).toEqual({email: 1, sms: 0})
    expect(report.messages.by_template).toEqual({e1: 1, e2: 0, s1: 0})
    expect(outcomes(r)).toEqual(['completed'])

    const erroring = journey(`
entry: { event: go }
settings: { consent: "profile.allowed == true" }
steps: [ { id: s, send: { channel: email, template: s } } ]
`)
    const e = run(erroring, {events: [ev('go', '2026-03-02T10:00:00Z')], until: UNTIL})
    expect(sendsOf(e)).toEqual([])
    expect(e.entries[0]?.suppressed).toEqual([{stepId: 's', reason: 'consent', at: t('2026-03-02T10:00:00Z')}])
    expect(e.exprErrors).toHaveLength(1)
  })
})

describe('5 report', () => {
  const j = journey(`
id: rep
entry: { event: cart }
reentry: always
exit: [ { event: stop } ]
goal: { event: buy }
steps:
  - { id: w, wait: 1d }
  - { id: s, send: { channel: email, template: t } }
`)
  const customers: CustomerTimeline[] = [
    // completed
    {customerId: 'completed', events: [ev('cart', '2026-03-01T00:00:00Z')]},
    // exited
    {customerId: 'exited', events: [ev('cart', '2026-03-01T00:00:00Z'), ev('stop', '2026-03-01T01:00:00Z')]},
    // converted
    {customerId: 'converted', events: [ev('cart', '2026-03-01T00:00:00Z'), ev('buy', '2026-03-01T01:00:00Z')]},
    // in flight at w
    {customerId: 'flying', events: [ev('cart', '2026-03-09T12:00:00Z')]},
    // re-entered: exited, then completed (latest entry decides); passes w twice
    {
      customerId: 'again',
      events: [ev('cart', '2026-03-01T00:00:00Z'), ev('stop', '2026-03-01T01:00:00Z'), ev('cart', '2026-03-02T00:00:00Z')],
    },
    // evaluated, never entered
    {customerId: 'browser', events: [ev('page', '2026-03-01T00:00:00Z')]},
    // no event in the window: not evaluated
    {customerId: 'old', events: [ev('cart', '2026-01-01T00:00:00Z')]},
  ]
  const until = t('2026-03-10T00:00:00Z')
  const from = t('2026-02-01T00:00:00Z')
  const {report} = runJourney(j, customers, {from, until})

  it('has every key spec section 5 lists', () => {
    expect(report.format_version).toBe(2)
    expect(report.journey).toBe('rep')
    expect(report.window).toEqual({from: '2026-02-01T00:00:00.000Z', until: '2026-03-10T00:00:00.000Z'})
    expect(Object.keys(report.customers).sort()).toEqual([
      'completed',
      'converted',
      'entered',
      'evaluated',
      'exited',
      'held_out',
      'in_flight',
    ])
    expect(report.steps).toHaveProperty('w.entered')
    expect(report.messages).toHaveProperty('total')
    expect(report.messages.by_channel).toHaveProperty('email')
    expect(report.messages.by_template).toHaveProperty('t')
    expect(report.messages.suppressed).toEqual({frequency_cap: 0, consent: 0})
    expect(report.messages.deferred).toEqual({quiet_hours: 0})
    expect(report).not.toHaveProperty('conversion') // no holdout
  })

  it('counts each customer once by their latest entry; entries counts re-entries; steps count arrivals', () => {
    expect(report.customers).toEqual({evaluated: 6, entered: 5, held_out: 0, completed: 2, exited: 1, converted: 1, in_flight: 1})
    expect(report.entries).toBe(6)
    expect(report.steps).toEqual({w: {entered: 6}, s: {entered: 2}})
    expect(report.messages.total).toBe(2)
    expect(report.in_flight_at).toEqual({w: 1})
  })

  it('the same inputs give byte-identical JSON', () => {
    const again = runJourney(j, [...customers].reverse(), {from, until}).report
    expect(JSON.stringify(again)).toBe(JSON.stringify(report))
  })
})
