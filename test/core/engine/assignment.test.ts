import {describe, expect, it} from 'vitest'
import {isHeldOut, pickVariant, unitHash} from '../../../src/core/engine/assignment.js'
import {ev, journey, run} from './helpers.js'

const ids = Array.from({length: 10_000}, (_, i) => `cust-${i}`)

describe('holdout hash', () => {
  it('is deterministic and in [0, 1)', () => {
    expect(unitHash('a:b')).toBe(unitHash('a:b'))
    expect(unitHash('a:b')).not.toBe(unitHash('a:c'))
    for (const id of ids.slice(0, 100)) {
      const u = unitHash(id)
      expect(u).toBeGreaterThanOrEqual(0)
      expect(u).toBeLessThan(1)
    }
  })
  it('holds out about the percent asked for', () => {
    for (const percent of [10, 25, 50]) {
      const held = ids.filter((id) => isHeldOut('cart-abandonment', id, percent)).length / ids.length
      expect(Math.abs(held - percent / 100)).toBeLessThan(0.02)
    }
    expect(ids.filter((id) => isHeldOut('cart-abandonment', id, 0))).toEqual([])
  })
  it('a customer held out at 10% is also held out at 20% (buckets grow)', () => {
    for (const id of ids.slice(0, 500)) if (isHeldOut('j', id, 10)) expect(isHeldOut('j', id, 20)).toBe(true)
  })
  it('depends on the journey id', () => {
    const a = ids.slice(0, 1000).filter((id) => isHeldOut('journey-a', id, 50))
    const b = ids.slice(0, 1000).filter((id) => isHeldOut('journey-b', id, 50))
    expect(a).not.toEqual(b)
  })
})

describe('split hash', () => {
  const variants = [
    {variant: 'a', percent: 20, next: 'end'},
    {variant: 'b', percent: 30, next: 'end'},
    {variant: 'c', percent: 50, next: 'end'},
  ]
  it('fills cumulative buckets in about the percents', () => {
    const counts: Record<string, number> = {a: 0, b: 0, c: 0}
    for (const id of ids) counts[pickVariant('j', 'offer', id, variants).variant]! += 1
    expect(Math.abs((counts.a ?? 0) / ids.length - 0.2)).toBeLessThan(0.02)
    expect(Math.abs((counts.b ?? 0) / ids.length - 0.3)).toBeLessThan(0.02)
    expect(Math.abs((counts.c ?? 0) / ids.length - 0.5)).toBeLessThan(0.02)
  })
  it('the same customer gets the same variant every time and on re-entry', () => {
    const j = journey(`
entry: { event: go }
reentry: always
steps:
  - id: offer
    split:
      - { variant: x, percent: 50, next: end }
      - { variant: y, percent: 50, next: end }
`)
    for (const customerId of ids.slice(0, 20)) {
      const r = run(j, {
        customerId,
        events: [ev('go', '2026-01-01T00:00:00Z'), ev('go', '2026-01-02T00:00:00Z')],
        until: '2026-02-01T00:00:00Z',
      })
      const chosen = r.entries.map((e) => e.variants[0]?.variant)
      expect(chosen[0]).toBe(chosen[1])
      expect(chosen[0]).toBe(
        pickVariant('test-journey', 'offer', customerId, j.steps[0]?.kind === 'split' ? j.steps[0].variants : []).variant,
      )
    }
  })
  it('a 100% variant always wins', () => {
    expect(pickVariant('j', 's', 'x', [{variant: 'only', percent: 100, next: 'end'}]).variant).toBe('only')
  })
})
