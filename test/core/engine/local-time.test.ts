import fc from 'fast-check'
import {DateTime} from 'luxon'
import {describe, expect, it} from 'vitest'
import {
  inQuietHours,
  LOCAL_TIME_CACHE_LIMITS,
  localMinuteOfDay,
  localTimeCacheSizes,
  nextLocalTime,
  quietHoursEnd,
  resolveZone,
} from '../../../src/core/engine/local-time.js'
import {ev, iso, journey, run, sendsOf, t} from './helpers.js'

const NINE = 9 * 60

describe('nextLocalTime', () => {
  it('09:00 Berlin is 08:00Z in winter and 07:00Z in summer', () => {
    expect(iso(nextLocalTime(t('2026-01-15T05:00:00Z'), NINE, 'Europe/Berlin'))).toBe('2026-01-15T08:00:00.000Z')
    expect(iso(nextLocalTime(t('2026-07-15T05:00:00Z'), NINE, 'Europe/Berlin'))).toBe('2026-07-15T07:00:00.000Z')
  })
  it('crosses the 2026-03-29 switch', () => {
    expect(iso(nextLocalTime(t('2026-03-28T12:00:00Z'), NINE, 'Europe/Berlin'))).toBe('2026-03-29T07:00:00.000Z')
    expect(iso(nextLocalTime(t('2026-10-24T12:00:00Z'), NINE, 'Europe/Berlin'))).toBe('2026-10-25T08:00:00.000Z')
  })
  it("takes today's time if it has not passed yet; exactly now has not passed", () => {
    expect(iso(nextLocalTime(t('2026-01-15T07:59:59Z'), NINE, 'Europe/Berlin'))).toBe('2026-01-15T08:00:00.000Z')
    expect(iso(nextLocalTime(t('2026-01-15T08:00:00Z'), NINE, 'Europe/Berlin'))).toBe('2026-01-15T08:00:00.000Z')
    expect(iso(nextLocalTime(t('2026-01-15T08:00:01Z'), NINE, 'Europe/Berlin'))).toBe('2026-01-16T08:00:00.000Z')
  })
  it('honours days (2026-01-15 is a Thursday)', () => {
    expect(iso(nextLocalTime(t('2026-01-15T10:00:00Z'), NINE, 'UTC', ['mon']))).toBe('2026-01-19T09:00:00.000Z')
    expect(iso(nextLocalTime(t('2026-01-15T08:00:00Z'), NINE, 'UTC', ['thu']))).toBe('2026-01-15T09:00:00.000Z')
    expect(iso(nextLocalTime(t('2026-01-15T10:00:00Z'), NINE, 'UTC', ['thu']))).toBe('2026-01-22T09:00:00.000Z')
    expect(iso(nextLocalTime(t('2026-01-15T10:00:00Z'), NINE, 'UTC', ['sat', 'sun']))).toBe('2026-01-17T09:00:00.000Z')
  })
  it('uses the local weekday, not the UTC one', () => {
    // 2026-01-18T23:30Z is Monday 08:30 in Tokyo.
    expect(iso(nextLocalTime(t('2026-01-18T23:30:00Z'), NINE, 'Asia/Tokyo', ['mon']))).toBe('2026-01-19T00:00:00.000Z')
  })
  it('a time in the spring-forward gap moves forward by the gap', () => {
    expect(iso(nextLocalTime(t('2026-03-29T00:00:00Z'), 150, 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z')
  })
  it('a time that happens twice is its first occurrence', () => {
    expect(iso(nextLocalTime(t('2026-10-24T23:00:00Z'), 150, 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z')
    // After the first occurrence, the second one is still ahead.
    expect(iso(nextLocalTime(t('2026-10-25T00:45:00Z'), 150, 'Europe/Berlin'))).toBe('2026-10-25T01:30:00.000Z')
  })
})

describe('quiet hours', () => {
  const wrap = {start: '21:00', end: '08:00', startMinute: 21 * 60, endMinute: 8 * 60}
  const day = {start: '12:00', end: '14:00', startMinute: 12 * 60, endMinute: 14 * 60}
  it('is [start, end), possibly wrapping midnight', () => {
    expect(inQuietHours(21 * 60, wrap)).toBe(true)
    expect(inQuietHours(23 * 60, wrap)).toBe(true)
    expect(inQuietHours(0, wrap)).toBe(true)
    expect(inQuietHours(8 * 60 - 1, wrap)).toBe(true)
    expect(inQuietHours(8 * 60, wrap)).toBe(false)
    expect(inQuietHours(21 * 60 - 1, wrap)).toBe(false)
    expect(inQuietHours(12 * 60, day)).toBe(true)
    expect(inQuietHours(14 * 60, day)).toBe(false)
    expect(inQuietHours(11 * 60, day)).toBe(false)
  })
  it('defers to exactly the next local end', () => {
    expect(iso(quietHoursEnd(t('2026-01-15T22:00:00Z'), wrap, 'Europe/Berlin'))).toBe('2026-01-16T07:00:00.000Z')
    expect(iso(quietHoursEnd(t('2026-01-16T03:00:00Z'), wrap, 'Europe/Berlin'))).toBe('2026-01-16T07:00:00.000Z')
    expect(quietHoursEnd(t('2026-01-16T07:00:00Z'), wrap, 'Europe/Berlin')).toBeUndefined()
    // Across the switch: 21:30 CET on Saturday, end is 08:00 CEST on Sunday.
    expect(iso(quietHoursEnd(t('2026-03-28T20:30:00Z'), wrap, 'Europe/Berlin'))).toBe('2026-03-29T06:00:00.000Z')
  })
})

describe('resolveZone', () => {
  it('reads profile.timezone for `profile`, falling back to UTC', () => {
    expect(resolveZone('profile', {timezone: 'America/New_York'})).toBe('America/New_York')
    expect(resolveZone('profile', {timezone: 'Mars/Base'})).toBe('UTC')
    expect(resolveZone('profile', {timezone: 3})).toBe('UTC')
    expect(resolveZone('profile', {})).toBe('UTC')
    expect(resolveZone('Europe/Berlin', {timezone: 'Asia/Tokyo'})).toBe('Europe/Berlin')
    expect(resolveZone('UTC', {})).toBe('UTC')
  })
})

describe('wait.until in a journey', () => {
  const j = (tz: string): ReturnType<typeof journey> =>
    journey(`
entry: { event: go }
settings: { timezone: ${tz} }
steps:
  - { id: morning, wait: { until: "09:00" } }
  - { id: s, send: { channel: email, template: hi } }
`)
  it('Europe/Berlin: 08:00Z in winter, 07:00Z in summer, across the switch', () => {
    const berlin = j('Europe/Berlin')
    expect(sendsOf(run(berlin, {events: [ev('go', '2026-01-10T12:00:00Z')], until: '2026-12-31T00:00:00Z'}))).toEqual([
      'hi@2026-01-11T08:00:00.000Z',
    ])
    expect(sendsOf(run(berlin, {events: [ev('go', '2026-06-10T05:00:00Z')], until: '2026-12-31T00:00:00Z'}))).toEqual([
      'hi@2026-06-10T07:00:00.000Z',
    ])
    expect(sendsOf(run(berlin, {events: [ev('go', '2026-03-28T10:00:00Z')], until: '2026-12-31T00:00:00Z'}))).toEqual([
      'hi@2026-03-29T07:00:00.000Z',
    ])
  })
  it('timezone profile uses profile.timezone at that moment, else UTC', () => {
    const p = j('profile')
    const events = [ev('identify', '2026-01-10T00:00:00Z', {timezone: 'America/New_York'}), ev('go', '2026-01-10T12:00:00Z')]
    expect(sendsOf(run(p, {events, until: '2026-12-31T00:00:00Z'}))).toEqual(['hi@2026-01-10T14:00:00.000Z'])
    expect(sendsOf(run(p, {events: [ev('go', '2026-01-10T12:00:00Z')], until: '2026-12-31T00:00:00Z'}))).toEqual([
      'hi@2026-01-11T09:00:00.000Z',
    ])
  })
  it('arriving exactly at the time waits zero time, after the other events of that instant', () => {
    const u = journey(`
entry: { event: go }
exit: [ { event: stop } ]
steps:
  - { id: morning, wait: { until: "09:00" } }
  - { id: s, send: { channel: email, template: hi } }
`)
    expect(sendsOf(run(u, {events: [ev('go', '2026-01-10T09:00:00Z')], until: '2026-12-31T00:00:00Z'}))).toEqual([
      'hi@2026-01-10T09:00:00.000Z',
    ])
    const stopped = run(u, {events: [ev('go', '2026-01-10T09:00:00Z'), ev('stop', '2026-01-10T09:00:00Z')], until: '2026-12-31T00:00:00Z'})
    expect(sendsOf(stopped)).toEqual([])
    expect(stopped.entries[0]?.outcome).toBe('exited')
  })
})

describe('localMinuteOfDay', () => {
  it('agrees with luxon for any instant and zone', () => {
    const zones = [
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'America/St_Johns',
    ]
    fc.assert(
      fc.property(fc.integer({min: t('2000-01-01T00:00:00Z'), max: t('2040-01-01T00:00:00Z')}), fc.constantFrom(...zones), (at, zone) => {
        const local = DateTime.fromMillis(at, {zone})
        expect(localMinuteOfDay(at, zone)).toBe(local.hour * 60 + local.minute)
      }),
      {numRuns: 2000},
    )
  })
})

describe('localMinuteOfDay around offset changes', () => {
  /** Every instant in 2026 at which `zone` changes its UTC offset, to the millisecond. */
  function transitions(zone: string): number[] {
    const offset = (at: number) => DateTime.fromMillis(at, {zone}).offset
    const found: number[] = []
    const start = t('2026-01-01T00:00:00Z')
    for (let at = start; at < start + 365 * 86_400_000; at += 3_600_000) {
      let [lo, hi] = [at, at + 3_600_000]
      if (offset(lo) === offset(hi)) continue
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2)
        if (offset(mid) === offset(lo)) lo = mid
        else hi = mid
      }
      found.push(hi)
    }
    return found
  }

  it('agrees with luxon on the day of a change, to the millisecond', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Santiago']) {
      const changes = transitions(zone)
      expect(changes.length).toBe(2)
      for (const change of changes) {
        for (const delta of [-86_400_000, -3_600_001, -60_000, -1, 0, 1, 60_000, 1_800_000, 3_600_000, 86_399_999]) {
          const local = DateTime.fromMillis(change + delta, {zone})
          expect(localMinuteOfDay(change + delta, zone), `${zone} ${new Date(change + delta).toISOString()}`).toBe(
            local.hour * 60 + local.minute,
          )
        }
      }
    }
  })
})

describe('nextLocalTime cache', () => {
  it('agrees with the uncached path (every weekday allowed) around DST switches and odd zones', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kathmandu']
    const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
    fc.assert(
      fc.property(
        fc.integer({min: t('2026-03-01T00:00:00Z'), max: t('2026-11-15T00:00:00Z')}),
        fc.integer({min: 0, max: 24 * 60 - 1}),
        fc.constantFrom(...zones),
        (now, minute, zone) => {
          expect(nextLocalTime(now, minute, zone)).toBe(nextLocalTime(now, minute, zone, everyDay))
        },
      ),
      {numRuns: 3000},
    )
  })
})

describe('local time caches', () => {
  it('stay within their limits however many zones and days a long-running process sees, and stay right', () => {
    const limits = LOCAL_TIME_CACHE_LIMITS
    const zones = Intl.supportedValuesOf('timeZone').slice(0, limits.zones + 10)
    expect(zones.length).toBe(limits.zones + 10)
    for (const zone of zones) localMinuteOfDay(t('2026-01-01T00:00:00Z'), zone)
    const start = t('1990-01-01T12:00:00Z')
    for (let day = 0; day < limits.daysPerZone + 100; day++) {
      nextLocalTime(start + day * 86_400_000, NINE, 'Europe/Berlin')
    }
    for (let i = 0; i < limits.knownZones + 10; i++) resolveZone(`Nowhere/Zone${i}`, {})
    expect(localTimeCacheSizes()).toEqual({zones: limits.zones, knownZones: limits.knownZones, largestZone: limits.daysPerZone})
    // Evicted entries are computed again, to the same answers.
    for (const at of [start, t('2026-03-29T00:59:59.999Z'), t('2026-03-29T01:00:00Z')]) {
      const local = DateTime.fromMillis(at, {zone: 'Europe/Berlin'})
      expect(localMinuteOfDay(at, 'Europe/Berlin')).toBe(local.hour * 60 + local.minute)
    }
    expect(resolveZone('setting', {})).toBe('UTC')
    expect(resolveZone('Europe/Berlin', {})).toBe('Europe/Berlin')
  })
})
