import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {nearEventType, snakeCase} from '../../../src/core/store/event-names.js'

describe('snakeCase', () => {
  it.each([
    ['Order Completed', 'order_completed'],
    ['order_completed', 'order_completed'],
    ['orderCompleted', 'order_completed'],
    ['OrderCompleted', 'order_completed'],
    ['Order-Completed', 'order_completed'],
    ['  Order   Completed  ', 'order_completed'],
    ['checkout.step.viewed', 'checkout_step_viewed'],
    ['SMSSent', 'sms_sent'],
    ['Sent SMS', 'sent_sms'],
    ['step2Completed', 'step2_completed'],
    ['Product Viewed (v2)', 'product_viewed_v2'],
    ['Café Visité', 'café_visité'],
    ['identify', 'identify'],
    ['page', 'page'],
    ['__internal__', 'internal'],
  ])('%j -> %j', (name, expected) => {
    expect(snakeCase(name)).toBe(expected)
  })

  it('keeps a name that has no letters or digits at all as it is', () => {
    expect(snakeCase('!!!')).toBe('!!!')
    expect(snakeCase('  ')).toBe('  ')
  })

  it('is idempotent and yields lower-case words joined by single underscores', () => {
    fc.assert(
      fc.property(fc.string({unit: fc.constantFrom('a', 'B', 'c', 'D', '1', ' ', '-', '_', '.', 'é', 'É', 'ß', '$')}), (name) => {
        const once = snakeCase(name)
        expect(snakeCase(once)).toBe(once)
        if (/[\p{L}\p{N}]/u.test(name)) expect(once).toMatch(/^[\p{Ll}\p{Lo}\p{N}ß]+(_[\p{Ll}\p{Lo}\p{N}ß]+)*$/u)
      }),
      {seed: 1215, numRuns: 2000},
    )
  })
})

describe('nearEventType', () => {
  const known = ['Order Completed', 'Cart Updated', 'identify', 'page']

  it('finds the type that only differs in spelling style', () => {
    expect(nearEventType('order_completed', known)).toEqual({type: 'Order Completed', sameWhenNormalized: true})
    expect(nearEventType('cartUpdated', known)).toEqual({type: 'Cart Updated', sameWhenNormalized: true})
  })

  it('finds a likely typo', () => {
    expect(nearEventType('identity', known)).toEqual({type: 'identify', sameWhenNormalized: false})
  })

  it('finds nothing for a name the store has, or one with no near match', () => {
    expect(nearEventType('page', known)).toBeUndefined()
    expect(nearEventType('subscription_renewed', known)).toBeUndefined()
  })
})
