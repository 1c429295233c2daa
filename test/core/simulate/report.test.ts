import {describe, expect, it} from 'vitest'
import type {CustomerTimeline} from '../../../src/core/engine/types.js'
import {round4} from '../../../src/core/simulate/report.js'
import {ev, journey, reportOf, t} from '../engine/helpers.js'

const j = journey(`
id: report-journey
entry: { event: cart }
reentry: always
exit: [ { event: stop } ]
goal: { event: order, within: 5d }
settings: { holdout: 20, frequency_cap: { limit: 1, per: 1d }, quiet_hours: { start: "22:00", end: "06:00" } }
steps:
  - id: route
    branch:
      cases:
        - { when: "profile.vip == true", next: vip }
        - { when: "profile.sms == true", next: sms }
      else: email
  - { id: vip, send: { channel: email, template: vip-mail }, next: split }
  - { id: sms, send: { channel: sms, template: sms-1 }, next: split }
  - { id: email, send: { channel: email, template: mail-1 } }
  - id: split
    split:
      - { variant: a, percent: 50, next: wait }
      - { variant: b, percent: 50, next: wait }
  - { id: wait, wait: 1d }
  - { id: again, send: { channel: email, template: mail-2 } }
  - { id: never, send: { channel: push, template: unused } }
`)

const until = t('2026-01-20T00:00:00Z')
const customer = (customerId: string, events: CustomerTimeline['events'], profile?: Record<string, unknown>): CustomerTimeline => ({
  customerId,
  events,
  ...(profile ? {profile} : {}),
})

describe('report', () => {
  const timelines: Array<[CustomerTimeline, 'treatment' | 'holdout']> = [
    // completed, with a capped send and a deferral
    [customer('a', [ev('cart', '2026-01-01T23:00:00Z')], {vip: true}), 'treatment'],
    // converted after completion (within 5d)
    [customer('b', [ev('cart', '2026-01-01T10:00:00Z'), ev('order', '2026-01-04T00:00:00Z')]), 'treatment'],
    // exited
    [customer('c', [ev('cart', '2026-01-01T10:00:00Z'), ev('stop', '2026-01-01T11:00:00Z')], {sms: true}), 'treatment'],
    // in flight at `wait`
    [customer('d', [ev('cart', '2026-01-19T12:00:00Z')], {sms: true}), 'treatment'],
    // re-entered: latest entry decides (completed), two entries
    [
      customer('e', [ev('cart', '2026-01-01T10:00:00Z'), ev('order', '2026-01-01T12:00:00Z'), ev('cart', '2026-01-10T10:00:00Z')]),
      'treatment',
    ],
    // holdouts: one converts, one does not
    [customer('h1', [ev('cart', '2026-01-01T10:00:00Z'), ev('order', '2026-01-02T10:00:00Z')]), 'holdout'],
    [customer('h2', [ev('cart', '2026-01-01T10:00:00Z')]), 'holdout'],
    // evaluated but never entered
    [customer('x', [ev('page', '2026-01-01T10:00:00Z')]), 'treatment'],
  ]
  const runs = timelines.map(([timeline, group]) => ({
    timeline,
    options: {until, overrides: {group, variants: {split: timeline.customerId === 'a' ? 'b' : 'a'}}},
  }))
  const report = reportOf(j, runs, {from: t('2026-01-01T00:00:00Z'), until})

  it('has the spec keys and counts', () => {
    expect(report.format_version).toBe(2)
    expect(report.journey).toBe('report-journey')
    expect(report.window).toEqual({from: '2026-01-01T00:00:00.000Z', until: '2026-01-20T00:00:00.000Z'})
    expect(report.customers).toEqual({evaluated: 8, entered: 7, held_out: 2, completed: 2, exited: 1, converted: 1, in_flight: 1})
    expect(report.entries).toBe(8)
  })
  it('counts arrivals per pass for every step', () => {
    expect(report.steps).toEqual({
      route: {entered: 6},
      vip: {entered: 1},
      sms: {entered: 2},
      email: {entered: 3},
      split: {entered: 6},
      wait: {entered: 6},
      again: {entered: 3},
      never: {entered: 3},
    })
  })
  it('counts messages', () => {
    expect(report.messages).toEqual({
      total: 9,
      by_channel: {email: 7, push: 0, sms: 2},
      by_template: {'mail-1': 3, 'mail-2': 3, 'sms-1': 2, unused: 0, 'vip-mail': 1},
      // `never` comes right after `again`, inside the 1d cap, for a, b and e's second entry.
      suppressed: {frequency_cap: 3, consent: 0},
      deferred: {quiet_hours: 1},
    })
  })
  it('reports conversion rates with a holdout', () => {
    expect(report.conversion).toEqual({treatment_rate: 0.2, holdout_rate: 0.5, uplift: -0.3, treatment_size: 5, holdout_size: 2})
  })
  it('reports branches, variants, in-flight steps and coverage', () => {
    expect(report.branches).toEqual({route: {0: 1, 1: 2, else: 3}})
    expect(report.variants).toEqual({split: {a: 5, b: 1}})
    expect(report.in_flight_at).toEqual({wait: 1})
    expect(report.coverage).toEqual({unreached_steps: [], unreached_cases: [], unreached_variants: []})
  })
  it('JSON is byte-identical run to run', () => {
    const again = reportOf(j, structuredClone(runs), {from: t('2026-01-01T00:00:00Z'), until})
    expect(JSON.stringify(again)).toBe(JSON.stringify(report))
  })
  it('lists what nobody reached and omits conversion without a holdout', () => {
    const k = journey(`
entry: { event: go }
steps:
  - id: b
    branch: { cases: [ { when: "profile.x == 1", next: s1 } ], else: s2 }
  - { id: s1, send: { channel: email, template: one }, next: end }
  - { id: s2, send: { channel: email, template: two }, next: end }
  - id: sp
    split: [ { variant: p, percent: 50, next: end }, { variant: q, percent: 50, next: end } ]
`)
    const r = reportOf(k, [{timeline: customer('z', [ev('go', '2026-01-01T00:00:00Z')], {x: 2}), options: {until}}], {until})
    expect(r.conversion).toBeUndefined()
    expect(r.window.from).toBe('2026-01-01T00:00:00.000Z')
    expect(r.steps).toEqual({b: {entered: 1}, s1: {entered: 0}, s2: {entered: 1}, sp: {entered: 0}})
    expect(r.coverage).toEqual({
      unreached_steps: ['s1', 'sp'],
      unreached_cases: [{step: 'b', case: 0}],
      unreached_variants: [
        {step: 'sp', variant: 'p'},
        {step: 'sp', variant: 'q'},
      ],
    })
    expect(r.messages.by_channel).toEqual({email: 1})
    expect(r.in_flight_at).toEqual({})
  })
  it('rounds rates to 4 decimals', () => {
    expect(round4(1 / 3)).toBe(0.3333)
    expect(round4(2 / 3)).toBe(0.6667)
  })
})
