import {describe, expect, it} from 'vitest'
import {ev, iso, journey, run, sendsOf} from './helpers.js'

describe('quiet hours', () => {
  const j = (tz = 'Europe/Berlin', window = 'start: "21:00", end: "08:00"'): ReturnType<typeof journey> =>
    journey(`
entry: { event: cart }
exit: [ { event: stop } ]
goal: { event: order }
settings: { timezone: ${tz}, quiet_hours: { ${window} } }
steps:
  - { id: s1, send: { channel: sms, template: t1 } }
  - { id: s2, send: { channel: email, template: t2 } }
`)
  it('a send inside quiet hours (wrapping midnight) is deferred to exactly end; the customer waits there', () => {
    const r = run(j(), {events: [ev('cart', '2026-01-01T21:30:00Z')], until: '2026-02-01T00:00:00Z'})
    // 22:30 Berlin -> 08:00 Berlin (07:00Z).
    expect(sendsOf(r)).toEqual(['t1@2026-01-02T07:00:00.000Z', 't2@2026-01-02T07:00:00.000Z'])
    expect(r.entries[0]?.deferred).toEqual([
      {stepId: 's1', reason: 'quiet_hours', from: Date.parse('2026-01-01T21:30:00Z'), to: Date.parse('2026-01-02T07:00:00Z')},
    ])
    expect(r.entries[0]?.path).toEqual(['s1', 's2'])
  })
  it('after midnight still inside the window', () => {
    const r = run(j(), {events: [ev('cart', '2026-01-02T02:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(sendsOf(r)[0]).toBe('t1@2026-01-02T07:00:00.000Z')
  })
  it('start is inside, end is outside', () => {
    expect(sendsOf(run(j(), {events: [ev('cart', '2026-01-01T20:00:00Z')], until: '2026-02-01T00:00:00Z'}))[0]).toBe(
      't1@2026-01-02T07:00:00.000Z',
    )
    expect(sendsOf(run(j(), {events: [ev('cart', '2026-01-02T07:00:00Z')], until: '2026-02-01T00:00:00Z'}))[0]).toBe(
      't1@2026-01-02T07:00:00.000Z',
    )
    expect(sendsOf(run(j(), {events: [ev('cart', '2026-01-01T19:59:59Z')], until: '2026-02-01T00:00:00Z'}))[0]).toBe(
      't1@2026-01-01T19:59:59.000Z',
    )
  })
  it('a daytime window that does not wrap', () => {
    const r = run(j('UTC', 'start: "12:00", end: "14:00"'), {events: [ev('cart', '2026-01-01T13:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(sendsOf(r)[0]).toBe('t1@2026-01-01T14:00:00.000Z')
  })
  it('is deferred while waiting; in flight at until with the send step', () => {
    const r = run(j(), {events: [ev('cart', '2026-01-01T21:30:00Z')], until: '2026-01-02T06:00:00Z'})
    expect(r.entries[0]).toMatchObject({outcome: 'in_flight', waitingAt: 's1', sends: []})
  })
  it('the goal can happen while deferred', () => {
    const r = run(j(), {events: [ev('cart', '2026-01-01T21:30:00Z'), ev('order', '2026-01-02T01:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]).toMatchObject({outcome: 'converted', sends: []})
  })
  it('uses the profile time zone with timezone: profile', () => {
    const r = run(j('profile'), {
      profile: {timezone: 'America/New_York'},
      events: [ev('cart', '2026-01-02T03:00:00Z')],
      until: '2026-02-01T00:00:00Z',
    })
    // 22:00 in New York -> 08:00 New York = 13:00Z.
    expect(sendsOf(r)[0]).toBe('t1@2026-01-02T13:00:00.000Z')
  })
})

describe('frequency cap', () => {
  const j = journey(`
entry: { event: go }
settings: { frequency_cap: { limit: 2, per: 1d } }
steps:
  - { id: a, send: { channel: email, template: a } }
  - { id: b, send: { channel: email, template: b } }
  - { id: c, send: { channel: email, template: c } }
  - { id: w, wait: 1d }
  - { id: d, send: { channel: email, template: d } }
`)
  it('suppresses sends beyond the limit in the rolling window; the journey goes on', () => {
    const r = run(j, {events: [ev('go', '2026-01-01T00:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(sendsOf(r)).toEqual(['a@2026-01-01T00:00:00.000Z', 'b@2026-01-01T00:00:00.000Z', 'd@2026-01-02T00:00:00.000Z'])
    expect(r.entries[0]?.suppressed).toEqual([{stepId: 'c', reason: 'frequency_cap', at: Date.parse('2026-01-01T00:00:00Z')}])
    expect(r.entries[0]?.outcome).toBe('completed')
  })
  it('counts sends of earlier entries, and only messages that went out', () => {
    const k = journey(`
entry: { event: go }
reentry: always
settings: { frequency_cap: { limit: 1, per: 1d }, consent: "profile.ok == true" }
steps: [ { id: a, send: { channel: email, template: a } } ]
`)
    const r = run(k, {
      events: [
        ev('go', '2026-01-01T00:00:00Z'), // consent false: suppressed, does not count
        ev('identify', '2026-01-01T01:00:00Z', {ok: true}),
        ev('go', '2026-01-01T02:00:00Z'), // sent
        ev('go', '2026-01-01T03:00:00Z'), // capped
        ev('go', '2026-01-02T02:00:00Z'), // exactly 1d later: the earlier send is out of the window
      ],
      until: '2026-02-01T00:00:00Z',
    })
    expect(r.entries.map((e) => e.suppressed.map((s) => s.reason))).toEqual([['consent'], [], ['frequency_cap'], []])
    expect(sendsOf(r)).toEqual(['a@2026-01-01T02:00:00.000Z', 'a@2026-01-02T02:00:00.000Z'])
  })
})

describe('consent', () => {
  const j = journey(`
entry: { event: go }
settings:
  consent: "!(has(profile.opt_outs) && channel in profile.opt_outs)"
  quiet_hours: { start: "22:00", end: "06:00" }
steps:
  - { id: e, send: { channel: email, template: e } }
  - { id: s, send: { channel: sms, template: s } }
`)
  it('false suppresses that send only', () => {
    const r = run(j, {profile: {opt_outs: ['sms']}, events: [ev('go', '2026-01-01T12:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(sendsOf(r)).toEqual(['e@2026-01-01T12:00:00.000Z'])
    expect(r.entries[0]?.suppressed).toEqual([{stepId: 's', reason: 'consent', at: Date.parse('2026-01-01T12:00:00Z')}])
  })
  it('an error counts as false and is reported', () => {
    const k = journey(`
entry: { event: go }
settings: { consent: "profile.marketing == true" }
steps: [ { id: e, send: { channel: email, template: e } } ]
`)
    const r = run(k, {events: [ev('go', '2026-01-01T12:00:00Z')], until: '2026-02-01T00:00:00Z'})
    expect(r.entries[0]?.suppressed.map((s) => s.reason)).toEqual(['consent'])
    expect(r.exprErrors).toEqual([expect.objectContaining({where: 'settings.consent', at: Date.parse('2026-01-01T12:00:00Z')})])
  })
  it('is checked again when a deferred send goes out', () => {
    const r = run(j, {
      events: [ev('go', '2026-01-01T23:00:00Z'), ev('identify', '2026-01-02T01:00:00Z', {opt_outs: ['email']})],
      until: '2026-02-01T00:00:00Z',
    })
    expect(sendsOf(r)).toEqual(['s@2026-01-02T06:00:00.000Z'])
    expect(r.entries[0]?.suppressed).toEqual([{stepId: 'e', reason: 'consent', at: Date.parse('2026-01-02T06:00:00Z')}])
    expect(r.entries[0]?.deferred).toHaveLength(1)
    expect(iso(r.entries[0]?.deferred[0]?.to)).toBe('2026-01-02T06:00:00.000Z')
  })
})
