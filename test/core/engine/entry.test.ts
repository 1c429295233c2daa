import {describe, expect, it} from 'vitest'
import {createScheduleTicker} from '../../../src/core/engine/schedule.js'
import {ev, iso, journey, run, t} from './helpers.js'

const withReentry = (reentry: string): ReturnType<typeof journey> =>
  journey(`
entry: { event: visit }
reentry: ${reentry}
steps:
  - { id: w, wait: 1d }
  - { id: s, send: { channel: email, template: hi } }
`)

const visits = [
  ev('visit', '2026-01-01T00:00:00Z'),
  ev('visit', '2026-01-01T12:00:00Z'), // while in the journey: ignored
  ev('visit', '2026-01-03T00:00:00Z'),
  ev('visit', '2026-01-09T00:00:00Z'),
]
const entryTimes = (reentry: string): Array<string | undefined> =>
  run(withReentry(reentry), {events: visits, until: '2026-02-01T00:00:00Z'}).entries.map((e) => iso(e.enteredAt))

describe('event entry and reentry', () => {
  it('never (default): one entry', () => {
    expect(entryTimes('never')).toEqual(['2026-01-01T00:00:00.000Z'])
  })
  it('always: again after leaving, never while in the journey', () => {
    expect(entryTimes('always')).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-03T00:00:00.000Z', '2026-01-09T00:00:00.000Z'])
  })
  it('after: cooldown from the previous entry time', () => {
    expect(entryTimes('{ after: 7d }')).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-09T00:00:00.000Z'])
    expect(entryTimes('{ after: 2d }')).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-03T00:00:00.000Z', '2026-01-09T00:00:00.000Z'])
  })
  it('after: an entry exactly at the end of the cooldown is allowed', () => {
    const r = run(withReentry('{ after: 2d }'), {
      events: [ev('visit', '2026-01-01T00:00:00Z'), ev('visit', '2026-01-03T00:00:00Z')],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries).toHaveLength(2)
  })
  it('events before from only build the profile', () => {
    const j = journey(`
entry: { event: visit, when: "profile.vip == true" }
steps: [ { id: s, send: { channel: email, template: hi } } ]
`)
    const r = run(j, {
      events: [
        ev('identify', '2026-01-01T00:00:00Z', {vip: true}),
        ev('visit', '2026-01-02T00:00:00Z'),
        ev('visit', '2026-01-05T00:00:00Z'),
      ],
      from: '2026-01-03T00:00:00Z',
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual(['2026-01-05T00:00:00.000Z'])
    expect(r.eventsInWindow).toBe(1)
    expect(iso(r.firstEventAt)).toBe('2026-01-01T00:00:00.000Z')
  })
  it('identify merges before the event is looked at', () => {
    const j = journey(`
entry: { event: identify, when: "profile.plan == 'pro'" }
steps: [ { id: s, send: { channel: email, template: hi } } ]
`)
    const r = run(j, {events: [ev('identify', '2026-01-01T00:00:00Z', {plan: 'pro'})], until: '2026-02-01T00:00:00Z'})
    expect(r.entries).toHaveLength(1)
    expect(r.profile).toEqual({plan: 'pro'})
  })
  it('entry.when sees journey.entered_at and now as the entry instant', () => {
    const j = journey(`
entry: { event: visit, when: "journey.entered_at == now && event.timestamp == now" }
steps: [ { id: s, send: { channel: email, template: hi } } ]
`)
    expect(run(j, {events: [ev('visit', '2026-01-01T00:00:00Z')], until: '2026-02-01T00:00:00Z'}).entries).toHaveLength(1)
  })
})

describe('segment entry', () => {
  const j = (reentry = 'never'): ReturnType<typeof journey> =>
    journey(`
entry: { segment: "has(profile.plan) && profile.plan == 'pro'" }
reentry: ${reentry}
steps: [ { id: s, send: { channel: email, template: welcome-pro } } ]
`)
  const timeline = [
    ev('page', '2026-01-01T00:00:00Z'),
    ev('identify', '2026-01-02T00:00:00Z', {plan: 'pro'}),
    ev('identify', '2026-01-03T00:00:00Z', {name: 'Ada'}), // still matching: no new entry
    ev('identify', '2026-01-04T00:00:00Z', {plan: 'free'}),
    ev('identify', '2026-01-05T00:00:00Z', {plan: 'pro'}),
  ]
  it('enters the first moment the profile matches', () => {
    const r = run(j(), {events: timeline, until: '2026-02-01T00:00:00Z'})
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual(['2026-01-02T00:00:00.000Z'])
  })
  it('re-enters only after un-matching and matching again, as reentry allows', () => {
    const r = run(j('always'), {events: timeline, until: '2026-02-01T00:00:00Z'})
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-05T00:00:00.000Z'])
    const cooled = run(j('{ after: 7d }'), {events: timeline, until: '2026-02-01T00:00:00Z'})
    expect(cooled.entries).toHaveLength(1)
  })
  it('an initial profile that matches enters at the first event', () => {
    const r = run(j(), {profile: {plan: 'pro'}, events: [ev('page', '2026-01-01T00:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual(['2026-01-01T00:00:00.000Z'])
  })
  it('only profile changes are looked at, not other events', () => {
    const r = run(j(), {events: [ev('page', '2026-01-01T00:00:00Z', {plan: 'pro'})], until: '2026-02-01T00:00:00Z'})
    expect(r.entries).toEqual([])
  })
  it('a match that starts while the customer is in the journey is used up', () => {
    const w = journey(`
entry: { segment: "profile.score > 10" }
reentry: always
steps: [ { id: w, wait: 1d } ]
`)
    const r = run(w, {
      events: [
        ev('identify', '2026-01-01T00:00:00Z', {score: 20}),
        ev('identify', '2026-01-01T06:00:00Z', {score: 0}),
        ev('identify', '2026-01-01T12:00:00Z', {score: 30}), // in the journey: no entry
        ev('identify', '2026-01-03T00:00:00Z', {score: 40}), // still matching: no transition
        ev('identify', '2026-01-04T00:00:00Z', {score: 1}),
        ev('identify', '2026-01-05T00:00:00Z', {score: 11}),
      ],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-05T00:00:00.000Z'])
  })
  it('pre-window matches are not entries; the first in-window change that matches is', () => {
    const r = run(j(), {
      events: [ev('identify', '2026-01-01T00:00:00Z', {plan: 'pro'}), ev('identify', '2026-01-10T00:00:00Z', {seen: 1})],
      from: '2026-01-05T00:00:00Z',
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual(['2026-01-10T00:00:00.000Z'])
  })
})

describe('schedule entry', () => {
  // 2026-01-05 is a Monday.
  const weekly = (extra = ''): ReturnType<typeof journey> =>
    journey(`
entry: { schedule: { cron: "0 9 * * 1", audience: "has(profile.newsletter) && profile.newsletter == true" } }
settings: { timezone: Europe/Berlin }
${extra}
steps: [ { id: s, send: { channel: email, template: weekly } } ]
`)
  it('enters known customers whose profile matches at each tick (journey time zone)', () => {
    const r = run(weekly('reentry: always'), {
      events: [ev('identify', '2026-01-06T00:00:00Z', {newsletter: true})],
      from: '2026-01-01T00:00:00Z',
      until: '2026-01-31T00:00:00Z',
    })
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual([
      '2026-01-12T08:00:00.000Z',
      '2026-01-19T08:00:00.000Z',
      '2026-01-26T08:00:00.000Z',
    ])
  })
  it('reentry never: only the first tick', () => {
    const r = run(weekly(), {events: [ev('identify', '2026-01-01T00:00:00Z', {newsletter: true})], until: '2026-01-31T00:00:00Z'})
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual(['2026-01-05T08:00:00.000Z'])
  })
  it('an event at the tick instant makes the customer known first (events before timers)', () => {
    const r = run(weekly(), {events: [ev('identify', '2026-01-05T08:00:00Z', {newsletter: true})], until: '2026-01-31T00:00:00Z'})
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual(['2026-01-05T08:00:00.000Z'])
  })
  it('customers who do not match the audience do not enter', () => {
    const r = run(weekly(), {events: [ev('identify', '2026-01-01T00:00:00Z', {newsletter: false})], until: '2026-01-31T00:00:00Z'})
    expect(r.entries).toEqual([])
  })
  it('without an audience every known customer enters', () => {
    const j = journey(`
entry: { schedule: { cron: "0 12 1 * *" } }
steps: [ { id: s, send: { channel: email, template: monthly } } ]
`)
    const r = run(j, {events: [ev('page', '2026-01-15T00:00:00Z')], until: '2026-03-01T12:00:00Z'})
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual(['2026-02-01T12:00:00.000Z'])
  })
  it('timezone profile ticks in the customer local time', () => {
    const j = journey(`
entry: { schedule: { cron: "0 9 * * *" } }
reentry: always
settings: { timezone: profile }
steps: [ { id: s, send: { channel: email, template: daily } } ]
`)
    const r = run(j, {
      events: [
        ev('identify', '2026-01-01T00:00:00Z', {timezone: 'Asia/Tokyo'}),
        ev('identify', '2026-01-02T01:00:00Z', {timezone: 'America/New_York'}),
      ],
      until: '2026-01-03T23:59:00Z',
    })
    expect(r.entries.map((e) => iso(e.enteredAt))).toEqual([
      '2026-01-01T00:00:00.000Z', // 09:00 Tokyo, the identify instant
      '2026-01-02T00:00:00.000Z',
      '2026-01-02T14:00:00.000Z', // now 09:00 New York
      '2026-01-03T14:00:00.000Z',
    ])
  })
  it('a shared ticker gives the same result', () => {
    const j = weekly('reentry: always')
    const ticker = createScheduleTicker('0 9 * * 1')
    const input = {
      events: [ev('identify', '2026-01-01T00:00:00Z', {newsletter: true})],
      from: '2026-01-01T00:00:00Z',
      until: '2026-01-31T00:00:00Z',
    }
    expect(run(j, {...input, options: {scheduleTicks: ticker}})).toEqual(run(j, input))
  })
  it('the ticker follows DST in the zone', () => {
    const ticker = createScheduleTicker('0 9 * * *')
    const ticks = (zone: string) => {
      const list: Array<string | undefined> = []
      for (
        let at = ticker.next(zone, t('2026-03-28T00:00:00Z'));
        at !== undefined && at < t('2026-03-30T00:00:00Z');
        at = ticker.next(zone, at + 1)
      )
        list.push(iso(at))
      return list
    }
    expect(ticks('Europe/Berlin')).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z'])
    expect(ticks('UTC')).toEqual(['2026-03-28T09:00:00.000Z', '2026-03-29T09:00:00.000Z'])
  })
})
