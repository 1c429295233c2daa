import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {createTokenBuckets} from '../../src/server/rate-limit.js'

describe('token buckets', () => {
  it('start full, refuse what they cannot pay for with the seconds until they can, and refill on the clock', () => {
    const clock = {now: 1_000_000}
    const buckets = createTokenBuckets({eventsPerSecond: 10, burst: 20}, () => clock.now)
    expect(buckets.take('a', 15)).toEqual({ok: true})
    expect(buckets.take('a', 5)).toEqual({ok: true})
    expect(buckets.take('a', 1)).toEqual({ok: false, retryAfterSeconds: 1})
    expect(buckets.peek('a')).toEqual({ok: false, retryAfterSeconds: 1})
    // Another key has its own bucket.
    expect(buckets.take('b', 20)).toEqual({ok: true})
    clock.now += 500 // 5 tokens back
    expect(buckets.take('a', 6)).toEqual({ok: false, retryAfterSeconds: 1})
    expect(buckets.take('a', 5)).toEqual({ok: true})
    expect(buckets.take('a', 20)).toEqual({ok: false, retryAfterSeconds: 2})
    clock.now += 2_000
    expect(buckets.take('a', 20)).toEqual({ok: true})
    // Never more than the burst, however long the quiet spell.
    clock.now += 3_600_000
    expect(buckets.take('a', 20)).toEqual({ok: true})
    expect(buckets.take('a', 1)).toEqual({ok: false, retryAfterSeconds: 1})
  })

  it('lets a request larger than the burst through when full, leaving the bucket in debt', () => {
    const clock = {now: 0}
    const buckets = createTokenBuckets({eventsPerSecond: 2, burst: 4}, () => clock.now)
    expect(buckets.take('k', 10)).toEqual({ok: true})
    // 6 tokens in debt, and 1 needed: 7 tokens at 2 per second.
    expect(buckets.peek('k')).toEqual({ok: false, retryAfterSeconds: 4})
    clock.now += 3_000
    expect(buckets.take('k', 1)).toEqual({ok: false, retryAfterSeconds: 1})
    clock.now += 500
    expect(buckets.take('k', 1)).toEqual({ok: true})
  })

  it('refills nothing when the clock steps back', () => {
    const clock = {now: 10_000}
    const buckets = createTokenBuckets({eventsPerSecond: 1, burst: 1}, () => clock.now)
    expect(buckets.take('k', 1)).toEqual({ok: true})
    clock.now -= 5_000
    expect(buckets.peek('k')).toEqual({ok: false, retryAfterSeconds: 1})
    clock.now += 5_000
    expect(buckets.peek('k')).toEqual({ok: false, retryAfterSeconds: 1})
    clock.now += 1_000
    expect(buckets.peek('k')).toEqual({ok: true})
  })

  it('never admits more than burst + rate × elapsed events, and Retry-After is exactly when the refused request passes', () => {
    fc.assert(
      fc.property(
        fc.record({rate: fc.integer({min: 1, max: 100}), burst: fc.integer({min: 1, max: 200})}),
        fc.array(fc.record({wait: fc.integer({min: 0, max: 2_000}), events: fc.integer({min: 1, max: 50})}), {maxLength: 60}),
        ({rate, burst}, requests) => {
          const clock = {now: 0}
          const buckets = createTokenBuckets({eventsPerSecond: rate, burst}, () => clock.now)
          let admitted = 0
          let largest = 0
          for (const request of requests) {
            clock.now += request.wait
            const admission = buckets.take('k', request.events)
            if (!admission.ok) {
              // A second earlier is still too early; at Retry-After it passes.
              clock.now += (admission.retryAfterSeconds - 1) * 1000
              if (admission.retryAfterSeconds > 1) expect(buckets.take('k', request.events).ok).toBe(false)
              clock.now += 1000
              expect(buckets.take('k', request.events)).toEqual({ok: true})
            }
            admitted += request.events
            largest = Math.max(largest, request.events)
            // A request larger than the burst may overdraw the bucket, once, by its own size.
            expect(admitted).toBeLessThanOrEqual(Math.max(burst, largest) + (rate * clock.now) / 1000 + 1e-6)
          }
        },
      ),
      {seed: 11, numRuns: 300},
    )
  })
})
