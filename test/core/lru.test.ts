import {describe, expect, it} from 'vitest'
import {LruCache} from '../../src/core/lru.js'

describe('LruCache', () => {
  it('never holds more than its capacity', () => {
    const cache = new LruCache<number, string>(3)
    for (let i = 0; i < 100; i++) cache.set(i, String(i))
    expect(cache.size).toBe(3)
    expect([97, 98, 99].map((i) => cache.get(i))).toEqual(['97', '98', '99'])
    expect(cache.get(0)).toBeUndefined()
  })

  it('forgets the least recently used entry, where reading counts as use', () => {
    const cache = new LruCache<string, number>(2)
    cache.set('a', 1)
    cache.set('b', 2)
    expect(cache.get('a')).toBe(1)
    cache.set('c', 3)
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toBe(1)
    expect(cache.get('c')).toBe(3)
  })

  it('reading the newest entry again, then an older one, keeps the order of use', () => {
    const cache = new LruCache<string, number>(2)
    cache.set('a', 1)
    cache.set('b', 2)
    expect(cache.get('b')).toBe(2)
    expect(cache.get('b')).toBe(2)
    expect(cache.get('a')).toBe(1)
    cache.set('c', 3)
    expect(cache.get('b')).toBeUndefined()
    expect([...cache.values()]).toEqual([1, 3])
  })

  it('replacing a value refreshes it without growing', () => {
    const cache = new LruCache<string, number>(2)
    cache.set('a', 1)
    cache.set('b', 2)
    cache.set('a', 10)
    cache.set('c', 3)
    expect(cache.size).toBe(2)
    expect(cache.get('a')).toBe(10)
    expect(cache.get('b')).toBeUndefined()
  })

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LruCache(0)).toThrow(RangeError)
    expect(() => new LruCache(1.5)).toThrow(RangeError)
  })
})
