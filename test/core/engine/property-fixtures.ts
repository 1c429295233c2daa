// Journeys and timelines for the engine's property tests: every kind of entry, waits on local time
// with a profile time zone, quiet hours, caps, consent, holdouts, splits, goals and an update step
// that another journey's segment reads (one profile across journeys).
import fc from 'fast-check'
import type {CustomerEvent, CustomerTimeline} from '../../../src/core/engine/types.js'
import {journey, t} from './helpers.js'

export const HOUR = 3_600_000

export const PROPERTY_JOURNEYS = [
  journey(`
id: a-cart
entry: { event: cart, when: "event.properties.v > 5" }
reentry: always
exit: [ { event: stop }, { when: "profile.blocked == true" } ]
goal: { event: order, within: 3d }
settings: { timezone: profile, holdout: 20, quiet_hours: { start: "21:00", end: "08:00" }, frequency_cap: { limit: 2, per: 1d },
            consent: "!(has(profile.opt_outs) && channel in profile.opt_outs)" }
steps:
  - { id: w, wait: { until: "09:00", days: [mon, wed, fri] } }
  - id: route
    branch: { cases: [ { when: "event.properties.v > 50", next: big } ], else: small }
  - { id: big, send: { channel: email, template: big, data: { v: "event.properties.v" } }, next: wf }
  - { id: small, send: { channel: sms, template: small } }
  - id: wf
    wait_for: { event: order, timeout: 1d, on_timeout: sp }
    next: end
  - id: sp
    split: [ { variant: a, percent: 30, next: mark }, { variant: b, percent: 70, next: end } ]
  - { id: mark, update: { set: { nudged: "true", v: "99" } } }
  - { id: last, send: { channel: push, template: last } }
`),
  journey(`
id: b-segment
entry: { segment: "has(profile.v) && profile.v > 20" }
reentry: { after: 2d }
goal: { event: order }
steps:
  - { id: s, send: { channel: email, template: hi } }
  - { id: w, wait: 12h }
  - { id: tag, update: { set: { blocked: "profile.v > 95" } } }
  - { id: s2, send: { channel: email, template: again } }
`),
  journey(`
id: c-daily
entry: { schedule: { cron: "0 9 * * *", audience: "!has(profile.blocked) || profile.blocked == false" } }
reentry: always
settings: { timezone: Europe/Berlin }
steps:
  - { id: s, send: { channel: email, template: daily } }
`),
]

export const PROPERTY_START = t('2026-03-25T00:00:00Z')

export const eventArb: fc.Arbitrary<CustomerEvent> = fc
  .record({
    type: fc.constantFrom('cart', 'order', 'stop', 'identify', 'page'),
    offset: fc.integer({min: 0, max: 24 * 10}),
    v: fc.integer({min: 0, max: 100}),
    blocked: fc.boolean(),
    tz: fc.constantFrom('Europe/Berlin', 'America/New_York', 'Asia/Tokyo'),
  })
  .map(({type, offset, v, blocked, tz}) => ({
    type,
    timestamp: PROPERTY_START + offset * HOUR,
    properties: type === 'identify' ? {v, blocked: blocked && v > 90, timezone: tz, opt_outs: v % 3 === 0 ? ['sms'] : []} : {v},
  }))

export const timelineArb: fc.Arbitrary<CustomerTimeline> = fc.record({
  customerId: fc.string({minLength: 1, maxLength: 8}),
  events: fc.array(eventArb, {maxLength: 25}).map((events) => events.sort((a, b) => a.timestamp - b.timestamp)),
})
