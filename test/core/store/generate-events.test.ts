import {createHash} from 'node:crypto'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {iterateCustomerRows} from '../../../src/core/store/customer-rows.js'
import {generateCustomer, generateEvents, writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {Prng} from '../../../src/core/store/prng.js'
import {customerTimeline} from '../../../src/core/store/queries.js'
import {NOW, tempDir} from './helpers.js'

const START = Date.UTC(2026, 0, 1)
const DAY = 86_400_000

function digest(options: Parameters<typeof generateEvents>[0]): string {
  const hash = createHash('sha256')
  for (const event of generateEvents(options)) hash.update(`${JSON.stringify(event)}\n`)
  return hash.digest('hex')
}

describe('Prng', () => {
  it('is a fixed sequence per seed', () => {
    const a = new Prng(42)
    const b = new Prng(42)
    const first = Array.from({length: 5}, () => a.next())
    expect(Array.from({length: 5}, () => b.next())).toEqual(first)
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(new Prng(43).next()).not.toBe(first[0])
  })
})

describe('generateEvents', () => {
  const options = {customers: 300, days: 30, seed: 7, start: START}

  it('gives byte-identical events for the same seed and different ones for another', () => {
    expect(digest(options)).toBe(digest({...options}))
    expect(digest({...options, seed: 8})).not.toBe(digest(options))
    expect(digest({...options, scenario: 'saas'})).not.toBe(digest(options))
  })

  it('stays the same across versions (update the digest only on purpose)', () => {
    expect(digest({customers: 50, days: 10, seed: 1, start: START})).toMatchInlineSnapshot(
      `"3d6e8dd253116d269b62fb568c5afd43b5bc8d7598238a8e48ac5da5cd6cae2d"`,
    )
    expect(digest({customers: 50, days: 10, seed: 1, start: START, scenario: 'saas'})).toMatchInlineSnapshot(
      `"1ca730609517ca12cb1c289ef6fc31c1525c265adf2cc6c8c57dd2da5abb6ee3"`,
    )
  })

  it('keeps the first customers identical when more are asked for', () => {
    expect(generateCustomer({...options, customers: 10}, 3)).toEqual(generateCustomer({...options, customers: 5000}, 3))
  })

  it.each(['ecommerce', 'saas'] as const)('produces plausible %s timelines inside the window', (scenario) => {
    const events = [...generateEvents({...options, scenario})]
    const customers = new Set(events.map((e) => e.customer_id))
    expect(customers.size).toBe(300)
    expect(events.length / customers.size).toBeGreaterThan(4)
    for (const event of events) {
      expect(event.timestamp).toBeGreaterThanOrEqual(START)
      expect(event.timestamp).toBeLessThan(START + 30 * DAY)
      expect(Number.isInteger(event.timestamp)).toBe(true)
    }
    expect(new Set(events.map((e) => e.message_id)).size).toBe(events.length)
    const types = new Set(events.map((e) => e.type))
    const expected =
      scenario === 'ecommerce'
        ? ['identify', 'signed_up', 'page', 'product_viewed', 'cart_updated', 'checkout_started', 'order_completed', 'review_submitted']
        : ['identify', 'signed_up', 'trial_started', 'feature_used', 'subscription_started']
    for (const type of expected) expect(types).toContain(type)
    // Each customer starts with identify + signed_up, in time order.
    const first = events.filter((e) => e.customer_id === 'c000001')
    expect(first.slice(0, 2).map((e) => e.type)).toEqual(['identify', 'signed_up'])
    expect(first.map((e) => e.timestamp)).toEqual([...first.map((e) => e.timestamp)].sort((a, b) => a - b))
  })

  it('gives sign-up traits a profile can be built from', () => {
    const identifies = [...generateEvents(options)].filter((e) => e.type === 'identify')
    const zones = new Set(identifies.map((e) => e.properties.timezone).filter((z) => z !== undefined))
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo']) expect(zones).toContain(zone)
    expect(identifies.some((e) => Array.isArray(e.properties.opt_outs))).toBe(true)
    expect(identifies.some((e) => e.properties.unsubscribed === true)).toBe(true)
    const carts = [...generateEvents(options)].filter((e) => e.type === 'cart_updated')
    expect(carts[0]?.properties).toEqual({cart_value: expect.any(Number), items: expect.any(Number), currency: 'EUR'})
  })

  it('signs every customer up inside even a one-day window', () => {
    const events = [...generateEvents({customers: 200, days: 1, seed: 3, start: START + 15 * 3_600_000})]
    expect(new Set(events.map((e) => e.customer_id)).size).toBe(200)
    for (const event of events) expect(event.timestamp).toBeGreaterThanOrEqual(START + 15 * 3_600_000)
  })

  it('refuses nonsense options', () => {
    expect(() => [...generateEvents({...options, customers: 0})]).toThrow(/customers must be a whole number/)
    expect(() => [...generateEvents({...options, scenario: 'retail' as 'saas'})]).toThrow(/scenario must be one of ecommerce, saas/)
  })
})

describe('writeGeneratedEvents', () => {
  it('streams into the store as one import and is a no-op the second time', () => {
    const store = openEventStore(join(tempDir(), 'events.db'))
    const progress: unknown[] = []
    const result = writeGeneratedEvents(store, {
      customers: 200,
      days: 14,
      seed: 1,
      start: START,
      now: NOW,
      onProgress: (p) => progress.push(p),
    })
    const count = [...generateEvents({customers: 200, days: 14, seed: 1, start: START})].length
    expect(result).toEqual({customers: 200, events: count, duplicates: 0, alreadyImported: false, importId: 1})
    expect(progress).toEqual([{customers: 200, events: count}])
    expect(store.stats()).toMatchObject({events: count, customers: 200, imports: 1})
    expect(writeGeneratedEvents(store, {customers: 200, days: 14, seed: 1, start: START, now: NOW})).toMatchObject({
      alreadyImported: true,
      events: 0,
    })
    // More customers with the same seed: the first 200 are duplicates by message id.
    expect(writeGeneratedEvents(store, {customers: 210, days: 14, seed: 1, start: START, now: NOW})).toMatchObject({duplicates: count})
    expect([...iterateCustomerRows(store)]).toHaveLength(210)
    const profile = customerTimeline(store, 'c000001').profile
    expect(profile).toMatchObject({email: expect.stringMatching(/@example\.com$/), timezone: expect.any(String)})
  })
})
