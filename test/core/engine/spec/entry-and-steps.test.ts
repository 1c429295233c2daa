/**
 * Spec audit, sections 2.1-2.3 and reentry: one small test per sentence of the normative spec
 * (journey-format.md) about entries, steps and expressions.
 */
import {describe, expect, it} from 'vitest'
import {pickVariant} from '../../../../src/core/engine/assignment.js'
import type {CustomerResult, CustomerTimeline} from '../../../../src/core/engine/types.js'
import {ev, iso, journey, run, runJourney, sendsOf, t} from '../helpers.js'
import {entryTimes, outcomes, paths, UNTIL} from './audit-helpers.js'

// ---------------------------------------------------------------------------------------------
// 2.1 Entry
// ---------------------------------------------------------------------------------------------
describe('2.1 entry: event (+ when)', () => {
  const byInt = journey(`
entry: { event: cart_updated, when: "event.properties.price > 50" }
steps: [ { id: s, send: { channel: email, template: t } } ]
`)
  const byDecimal = journey(`
entry: { event: cart_updated, when: "event.properties.price > 50.0" }
steps: [ { id: s, send: { channel: email, template: t } } ]
`)
  const enters = (j: ReturnType<typeof journey>, price: unknown): number =>
    run(j, {events: [ev('cart_updated', '2026-03-02T10:00:00Z', {price})], until: UNTIL}).entries.length

  it('enters when such an event arrives and `when` holds; JSON numbers compare with int and decimal literals', () => {
    expect([enters(byInt, 80), enters(byInt, 80.5), enters(byDecimal, 80), enters(byDecimal, 80.5)]).toEqual([1, 1, 1, 1])
    expect([enters(byInt, 50), enters(byInt, 20.5), enters(byDecimal, 50), enters(byDecimal, 49)]).toEqual([0, 0, 0, 0])
  })

  it('another event type never enters', () => {
    expect(run(byInt, {events: [ev('page', '2026-03-02T10:00:00Z', {price: 80})], until: UNTIL}).entries).toEqual([])
  })

  it('a `when` that fails at run time (missing key) counts as false and is reported', () => {
    const r = run(byInt, {events: [ev('cart_updated', '2026-03-02T10:00:00Z')], until: UNTIL})
    expect(r.entries).toEqual([])
    expect(r.exprErrors).toHaveLength(1)
    expect(r.exprErrors[0]?.where).toBe('entry.when')
  })
})

describe('2.1 entry: segment', () => {
  it('enters the first moment the profile matches, after a profile change', () => {
    const j = journey(`
entry: { segment: "has(profile.plan) && profile.plan == 'pro'" }
steps: [ { id: s, send: { channel: email, template: t } } ]
`)
    const r = run(j, {
      events: [
        ev('page', '2026-03-01T00:00:00Z'),
        ev('identify', '2026-03-02T00:00:00Z', {plan: 'free'}),
        ev('identify', '2026-03-03T00:00:00Z', {plan: 'pro'}),
      ],
      until: UNTIL,
    })
    expect(entryTimes(r)).toEqual(['2026-03-03T00:00:00.000Z'])
  })

  it('again only as reentry allows, once they stop matching and match again (an update counts as a profile change)', () => {
    const j = journey(`
entry: { segment: "has(profile.score) && profile.score > 5" }
reentry: always
steps:
  - { id: reset, update: { set: { score: "0" } } }
  - { id: w, wait: 1h }
`)
    const r = run(j, {
      events: [ev('identify', '2026-03-01T00:00:00Z', {score: 10}), ev('identify', '2026-03-03T00:00:00Z', {score: 10})],
      until: UNTIL,
    })
    // The update made the profile stop matching; the identify makes it match again.
    expect(entryTimes(r)).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-03T00:00:00.000Z'])
    expect(r.profile).toEqual({score: 0})
  })

  it('reentry never: matching again does not re-enter', () => {
    const j = journey(`
entry: { segment: "has(profile.plan) && profile.plan == 'pro'" }
steps: [ { id: s, send: { channel: email, template: t } } ]
`)
    const r = run(j, {
      events: [
        ev('identify', '2026-03-01T00:00:00Z', {plan: 'pro'}),
        ev('identify', '2026-03-02T00:00:00Z', {plan: 'free'}),
        ev('identify', '2026-03-03T00:00:00Z', {plan: 'pro'}),
      ],
      until: UNTIL,
    })
    expect(r.entries).toHaveLength(1)
  })
})

describe('2.1 entry: schedule', () => {
  // 2026-03-02 is a Monday; Berlin switches to summer time on 2026-03-29.
  const j = journey(`
entry: { schedule: { cron: "0 9 * * 1", audience: "has(profile.plan) && profile.plan == 'pro'" } }
reentry: always
settings: { timezone: Europe/Berlin }
steps: [ { id: w, wait: 1h } ]
`)
  it('at each tick (journey time zone, DST-aware) every known customer whose profile matches enters', () => {
    const customers: CustomerTimeline[] = [
      {customerId: 'a', events: [ev('identify', '2026-03-01T00:00:00Z', {plan: 'pro'})]},
      {customerId: 'b', events: [ev('identify', '2026-03-10T00:00:00Z', {plan: 'pro'})]},
      {customerId: 'c', events: [ev('identify', '2026-03-01T00:00:00Z', {plan: 'free'})]},
    ]
    const {results, report} = runJourney(j, customers, {until: t('2026-04-01T00:00:00Z')})
    expect(entryTimes(results[0] as CustomerResult)).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-09T08:00:00.000Z',
      '2026-03-16T08:00:00.000Z',
      '2026-03-23T08:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ])
    // b is known only from 2026-03-10.
    expect(entryTimes(results[1] as CustomerResult)).toEqual([
      '2026-03-16T08:00:00.000Z',
      '2026-03-23T08:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ])
    expect(results[2]?.entries).toEqual([])
    expect(report.customers.entered).toBe(2)
    expect(report.entries).toBe(8)
  })
})

// ---------------------------------------------------------------------------------------------
// 2.2 Steps
// ---------------------------------------------------------------------------------------------
describe('2.2 steps: next', () => {
  const j = journey(`
entry: { event: go }
steps:
  - { id: a, send: { channel: email, template: t-a } }
  - { id: b, send: { channel: sms, template: t-b }, next: d }
  - { id: c, send: { channel: push, template: t-c } }
  - { id: d, send: { channel: in_app, template: t-d } }
`)
  it('without next the step continues with the next in the list; after the last step the customer completes', () => {
    const r = run(j, {events: [ev('go', '2026-03-02T10:00:00Z')], until: UNTIL})
    expect(paths(r)).toEqual([['a', 'b', 'd']])
    expect(outcomes(r)).toEqual(['completed'])
    expect(iso(r.entries[0]?.completedAt)).toBe('2026-03-02T10:00:00.000Z')
  })
  it('next: end completes the journey', () => {
    const e = journey(`
entry: { event: go }
steps:
  - { id: a, send: { channel: email, template: t-a }, next: end }
  - { id: b, send: { channel: sms, template: t-b } }
`)
    const r = run(e, {events: [ev('go', '2026-03-02T10:00:00Z')], until: UNTIL})
    expect(paths(r)).toEqual([['a']])
    expect(outcomes(r)).toEqual(['completed'])
  })
})

describe('2.2 steps: wait', () => {
  it('holds for a duration: <n><unit> and ISO 8601', () => {
    const j = journey(`
entry: { event: go }
steps:
  - { id: w1, wait: 90m }
  - { id: s1, send: { channel: email, template: one } }
  - { id: w2, wait: PT90M }
  - { id: s2, send: { channel: email, template: two } }
  - { id: w3, wait: P2D }
  - { id: s3, send: { channel: email, template: three } }
  - { id: w4, wait: 1w }
  - { id: s4, send: { channel: email, template: four } }
`)
    const r = run(j, {events: [ev('go', '2026-01-10T00:00:00Z')], until: UNTIL})
    expect(sendsOf(r)).toEqual([
      'one@2026-01-10T01:30:00.000Z',
      'two@2026-01-10T03:00:00.000Z',
      'three@2026-01-12T03:00:00.000Z',
      'four@2026-01-19T03:00:00.000Z',
    ])
  })

  const until = (days = '') =>
    journey(`
entry: { event: go }
reentry: always
settings: { timezone: Europe/Berlin }
steps:
  - { id: w, wait: { until: "09:00"${days} } }
  - { id: s, send: { channel: email, template: t } }
`)
  const sendAt = (j: ReturnType<typeof journey>, at: string) => sendsOf(run(j, {events: [ev('go', at)], until: UNTIL}))

  it("until a local time of day (DST-aware); today's time if it has not passed yet", () => {
    // 09:00 in Berlin is 08:00Z in winter and 07:00Z in summer.
    expect(sendAt(until(), '2026-03-02T07:00:00Z')).toEqual(['t@2026-03-02T08:00:00.000Z'])
    expect(sendAt(until(), '2026-03-02T08:30:00Z')).toEqual(['t@2026-03-03T08:00:00.000Z'])
    expect(sendAt(until(), '2026-06-02T06:00:00Z')).toEqual(['t@2026-06-02T07:00:00.000Z'])
    expect(sendAt(until(), '2026-03-28T12:00:00Z')).toEqual(['t@2026-03-29T07:00:00.000Z'])
  })

  it('on one of `days` (local weekdays)', () => {
    const mon = until(', days: [mon]')
    // Monday 2026-03-02, before 09:00 local: today.
    expect(sendAt(mon, '2026-03-02T07:00:00Z')).toEqual(['t@2026-03-02T08:00:00.000Z'])
    // Monday after 09:00: next Monday.
    expect(sendAt(mon, '2026-03-02T09:00:00Z')).toEqual(['t@2026-03-09T08:00:00.000Z'])
    // Saturday 2026-03-28: the Monday after the switch is summer time.
    expect(sendAt(mon, '2026-03-28T12:00:00Z')).toEqual(['t@2026-03-30T07:00:00.000Z'])
    // Sunday 23:30Z is already Monday 00:30 in Berlin: today (local weekday).
    expect(sendAt(mon, '2026-03-01T23:30:00Z')).toEqual(['t@2026-03-02T08:00:00.000Z'])
  })
})

describe('2.2 steps: wait_for', () => {
  const j = journey(`
entry: { event: go }
steps:
  - id: wf
    wait_for: { event: buy, when: "event.properties.total > 10", timeout: 2d, on_timeout: late }
    next: thanks
  - { id: thanks, send: { channel: email, template: thanks }, next: end }
  - { id: late, send: { channel: email, template: late } }
`)
  it('a matching event moves on to next', () => {
    const r = run(j, {events: [ev('go', '2026-03-02T10:00:00Z'), ev('buy', '2026-03-03T10:00:00Z', {total: 20})], until: UNTIL})
    expect(paths(r)).toEqual([['wf', 'thanks']])
    expect(sendsOf(r)).toEqual(['thanks@2026-03-03T10:00:00.000Z'])
  })
  it('a non-matching event is ignored; after timeout it goes to on_timeout', () => {
    const r = run(j, {events: [ev('go', '2026-03-02T10:00:00Z'), ev('buy', '2026-03-03T10:00:00Z', {total: 5})], until: UNTIL})
    expect(paths(r)).toEqual([['wf', 'late']])
    expect(sendsOf(r)).toEqual(['late@2026-03-04T10:00:00.000Z'])
  })
})

describe('2.2 steps: branch', () => {
  it('the first case whose CEL holds wins, else `else`', () => {
    const j = journey(`
entry: { event: go }
steps:
  - id: route
    branch:
      cases:
        - { when: "profile.a == true", next: first }
        - { when: "profile.b == true", next: second }
      else: other
  - { id: first, send: { channel: email, template: first }, next: end }
  - { id: second, send: { channel: email, template: second }, next: end }
  - { id: other, send: { channel: email, template: other } }
`)
    const go = (profile: Record<string, unknown>) => paths(run(j, {profile, events: [ev('go', '2026-03-02T10:00:00Z')], until: UNTIL}))[0]
    expect(go({a: true, b: true})).toEqual(['route', 'first'])
    expect(go({a: false, b: true})).toEqual(['route', 'second'])
    expect(go({a: false, b: false})).toEqual(['route', 'other'])
    // Missing keys: run-time errors count as false.
    expect(go({})).toEqual(['route', 'other'])
  })
})

describe('2.2 steps: split', () => {
  const j = journey(`
id: split-journey
entry: { event: go }
steps:
  - id: offer
    split:
      - { variant: ten, percent: 30, next: a }
      - { variant: fifteen, percent: 70, next: b }
  - { id: a, send: { channel: email, template: a }, next: end }
  - { id: b, send: { channel: email, template: b } }
`)
  it('assignment is a deterministic hash of (journey id, step id, customer id)', () => {
    for (const id of ['x1', 'x2', 'x3', 'x4', 'x5', 'x6']) {
      const expected = pickVariant('split-journey', 'offer', id, [
        {variant: 'ten', percent: 30, next: 'a'},
        {variant: 'fifteen', percent: 70, next: 'b'},
      ]).variant
      const r1 = run(j, {customerId: id, events: [ev('go', '2026-03-02T10:00:00Z')], until: UNTIL})
      const r2 = run(j, {customerId: id, events: [ev('go', '2026-04-02T10:00:00Z')], until: UNTIL})
      expect(r1.entries[0]?.variants[0]?.variant).toBe(expected)
      expect(r2.entries[0]?.variants[0]?.variant).toBe(expected)
    }
  })
})

describe('2.2 steps: send', () => {
  it('a message with channel, template and data mapping names to CEL', () => {
    const j = journey(`
entry: { event: go }
steps:
  - { id: s, send: { channel: webhook, template: hook, data: { code: "'SAVE' + string(10)", total: "event.properties.total * 2" } } }
`)
    const r = run(j, {events: [ev('go', '2026-03-02T10:00:00Z', {total: 21})], until: UNTIL})
    expect(r.entries[0]?.sends).toEqual([
      {stepId: 's', channel: 'webhook', template: 'hook', at: t('2026-03-02T10:00:00Z'), data: {code: 'SAVE10', total: 42}, profile: {}},
    ])
  })

  it('records the profile as it was when the message went out, not as later updates leave it', () => {
    const j = journey(`
entry: { event: go }
steps:
  - { id: s, send: { channel: email, template: hi } }
  - { id: u, update: { set: { tier: "'gold'" } } }
`)
    const r = run(j, {events: [ev('identify', '2026-03-02T09:00:00Z', {tier: 'silver'}), ev('go', '2026-03-02T10:00:00Z')], until: UNTIL})
    expect(r.entries[0]?.sends[0]?.profile).toEqual({tier: 'silver'})
    expect(r.profile).toEqual({tier: 'gold'})
  })
})

describe('2.2 steps: update', () => {
  const j = journey(`
entry: { event: go }
reentry: always
exit: [ { when: "has(profile.unsubscribed) && profile.unsubscribed == true" } ]
steps:
  - id: seen
    branch:
      cases: [ { when: "has(profile.visits) && profile.visits >= 1", next: again } ]
      else: count
  - { id: count, update: { set: { visits: "1", tier: "'silver'" } } }
  - id: check
    branch:
      cases: [ { when: "profile.tier == 'silver'", next: silver } ]
      else: end
  - { id: silver, send: { channel: email, template: silver }, next: end }
  - { id: again, update: { set: { unsubscribed: "true" } } }
  - { id: never, send: { channel: email, template: never } }
`)
  it('later steps see the change; exit criteria see it (the customer leaves at once); it outlives the journey', () => {
    const r = run(j, {events: [ev('go', '2026-03-02T10:00:00Z'), ev('go', '2026-03-03T10:00:00Z')], until: UNTIL})
    expect(paths(r)).toEqual([
      ['seen', 'count', 'check', 'silver'],
      ['seen', 'again'],
    ])
    expect(outcomes(r)).toEqual(['completed', 'exited'])
    expect(sendsOf(r)).toEqual(['silver@2026-03-02T10:00:00.000Z'])
    expect(r.profile).toEqual({visits: 1, tier: 'silver', unsubscribed: true})
  })
})

// ---------------------------------------------------------------------------------------------
// 2.3 Expressions
// ---------------------------------------------------------------------------------------------
describe('2.3 expressions', () => {
  it('variables event (type, timestamp, properties), profile, journey (id, entered_at) and now', () => {
    const j = journey(`
id: vars
entry: { event: go }
steps:
  - { id: w, wait: 1h }
  - id: s
    send:
      channel: email
      template: t
      data: { jid: "journey.id", et: "event.type", ets: "event.timestamp", ea: "journey.entered_at", n: "now", p: "event.properties.x", name: "profile.name", waited: "now - journey.entered_at == duration('1h')" }
`)
    const r = run(j, {profile: {name: 'Ada'}, events: [ev('go', '2026-03-02T10:00:00Z', {x: 7})], until: UNTIL})
    const data = r.entries[0]?.sends[0]?.data
    expect(data).toMatchObject({jid: 'vars', et: 'go', p: 7, name: 'Ada', waited: true})
    expect(Date.parse(String(data?.ets))).toBe(t('2026-03-02T10:00:00Z'))
    expect(Date.parse(String(data?.ea))).toBe(t('2026-03-02T10:00:00Z'))
    expect(Date.parse(String(data?.n))).toBe(t('2026-03-02T11:00:00Z'))
  })

  it('a value that fails at run time is reported (and left out)', () => {
    const j = journey(`
entry: { event: go }
steps: [ { id: s, send: { channel: email, template: t, data: { v: "profile.missing" } } } ]
`)
    const r = run(j, {events: [ev('go', '2026-03-02T10:00:00Z')], until: UNTIL})
    expect(r.entries[0]?.sends).toHaveLength(1)
    expect(r.exprErrors.length).toBeGreaterThan(0)
  })
})

describe('2 reentry', () => {
  const j = (reentry: string) =>
    journey(`
entry: { event: go }
reentry: ${reentry}
steps: [ { id: w, wait: 1d } ]
`)
  const events = [
    ev('go', '2026-03-01T00:00:00Z'),
    ev('go', '2026-03-01T12:00:00Z'), // in the journey: ignored
    ev('go', '2026-03-03T00:00:00Z'),
    ev('go', '2026-03-20T00:00:00Z'),
    ev('go', '2026-04-05T00:00:00Z'),
  ]
  it('never (default) | always | { after: 30d }', () => {
    expect(run(journey('entry: { event: go }\nsteps: [ { id: w, wait: 1d } ]'), {events, until: UNTIL}).entries).toHaveLength(1)
    expect(entryTimes(run(j('never'), {events, until: UNTIL}))).toEqual(['2026-03-01T00:00:00.000Z'])
    expect(entryTimes(run(j('always'), {events, until: UNTIL}))).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-03T00:00:00.000Z',
      '2026-03-20T00:00:00.000Z',
      '2026-04-05T00:00:00.000Z',
    ])
    expect(entryTimes(run(j('{ after: 30d }'), {events, until: UNTIL}))).toEqual(['2026-03-01T00:00:00.000Z', '2026-04-05T00:00:00.000Z'])
  })
})
