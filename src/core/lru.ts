/**
 * A map that holds at most `capacity` entries and forgets the least recently
 * used one first. For caches in long-running processes (`joe serve` compiles
 * expressions and converts instants for days), where a plain Map would only grow.
 */
export class LruCache<K, V extends NonNullable<unknown> | null> {
  // A Map iterates in insertion order; re-inserting on use keeps the oldest entry first.
  private readonly entries = new Map<K, V>()
  /** The most recently used key: reading it again needs no reordering (hot caches ask for one key many times in a row). */
  private newest: K | undefined
  private hasNewest = false

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LRU capacity must be a positive integer, got ${capacity}`)
  }

  get size(): number {
    return this.entries.size
  }

  /** The values, least recently used first; iterating does not count as use. */
  values(): IterableIterator<V> {
    return this.entries.values()
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key)
    if (value !== undefined && !(this.hasNewest && this.newest === key)) {
      this.entries.delete(key)
      this.entries.set(key, value)
      this.newest = key
      this.hasNewest = true
    }
    return value
  }

  set(key: K, value: V): void {
    this.entries.delete(key)
    this.entries.set(key, value)
    this.newest = key
    this.hasNewest = true
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) this.entries.delete(oldest.value)
    }
  }
}
