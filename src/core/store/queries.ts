import type {EventStore, ImportRecord, JsonObject, Profile, StoredEvent, StoreStats} from './store-types.js'

/** Spec section 4: an `identify` event merges its properties (traits) into the profile. */
export const IDENTIFY = 'identify'

/** Shallow merge, later traits win; returns a new object and never mutates `profile`. */
export function mergeProfile(profile: Profile, traits: JsonObject): Profile {
  return {...profile, ...traits}
}

export function storeStats(store: EventStore): StoreStats {
  const {db} = store
  const events = (db.prepare('SELECT count(*) AS n FROM events').get() as {n: number}).n
  const customers = (db.prepare('SELECT count(DISTINCT customer_id) AS n FROM events').get() as {n: number}).n
  const types: Record<string, number> = {}
  const rows = db.prepare('SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type').all() as {type: string; n: number}[]
  for (const row of rows) types[row.type] = row.n
  const range = db.prepare('SELECT min(min_ts) AS lo, max(max_ts) AS hi, count(*) AS n FROM imports').get() as {
    lo: number | null
    hi: number | null
    n: number
  }
  const stats: StoreStats = {events, customers, types, imports: range.n}
  if (events > 0 && range.lo !== null && range.hi !== null) {
    stats.from = range.lo
    stats.until = range.hi
  }
  return stats
}

/** How many customers have events: storeStats' `customers` without its other full scans. */
export function customerCount(store: EventStore): number {
  return (store.db.prepare('SELECT count(DISTINCT customer_id) AS n FROM events').get() as {n: number}).n
}

/**
 * Epoch ms of the latest event, the default end of a simulation window; undefined for an empty store.
 * Read from the per-import bounds so it costs nothing on a large store.
 */
export function lastEventTimestamp(store: EventStore): number | undefined {
  const row = store.db.prepare('SELECT max(max_ts) AS hi FROM imports WHERE event_count > 0').get() as {hi: number | null}
  return row.hi ?? undefined
}

export function listImports(store: EventStore): ImportRecord[] {
  const rows = store.db
    .prepare(
      `SELECT id, source_name AS sourceName, content_hash AS contentHash, format, line_count AS lineCount,
              event_count AS eventCount, imported_at AS importedAt
         FROM imports ORDER BY id`,
    )
    .all() as ImportRecord[]
  return rows
}

/** Which events a read covers. */
export interface WindowOptions {
  /** Epoch ms, inclusive: only events at or after it (identify events before it still shape the profile as of `from`). */
  from?: number
  /** Epoch ms, inclusive: only events at or before it. */
  until?: number
  /** Only this customer. */
  customerId?: string
  /**
   * Only customer ids in `(after, through]` in SQLite binary order (an absent end is open), read
   * through the (customer_id, ts, seq) index: contiguous ranges split work over threads.
   */
  range?: {after?: string; through?: string}
}

export interface IterateCustomersOptions extends WindowOptions {
  /** Only customers with `shardOf(id, count) === index`, for splitting work over worker threads. */
  shard?: {count: number; index: number}
}

export interface CustomerEvents {
  customerId: string
  /** The customer's events in the window, ordered by (timestamp, seq); never empty. */
  events: StoredEvent[]
  /** The profile as of just before `from`: identify traits from earlier events; `{}` when none. */
  initialProfile: Profile
}

/**
 * Yields customers in ascending customer_id order (SQLite binary order), each with its events
 * ordered by (timestamp, seq), from one streaming read over the (customer_id, ts, seq) index: memory
 * holds one customer at a time. Customers without events in the window are not yielded.
 *
 * While the iteration is open the connection is busy: use another store connection for other queries.
 */
export function* iterateCustomers(store: EventStore, options: IterateCustomersOptions = {}): Generator<CustomerEvents, void, undefined> {
  const rows = windowRows(store, options)
  const from = options.from
  const shard = options.shard
  let current: CustomerEvents | undefined
  let skipping: string | undefined
  try {
    for (const [seq, customerId, type, ts, properties] of rows) {
      if (current === undefined || current.customerId !== customerId) {
        if (current !== undefined && current.events.length > 0) yield current
        current = undefined
        if (skipping === customerId) continue
        if (shard !== undefined && shardOf(customerId, shard.count) !== shard.index) {
          skipping = customerId
          continue
        }
        current = {customerId, events: [], initialProfile: {}}
      }
      const parsed = JSON.parse(properties) as JsonObject
      if (from !== undefined && ts < from) {
        current.initialProfile = mergeProfile(current.initialProfile, parsed)
      } else {
        current.events.push({type, timestamp: ts, properties: parsed, seq})
      }
    }
    if (current !== undefined && current.events.length > 0) yield current
  } finally {
    // Ends the statement when the consumer stops early, freeing the connection.
    rows.return?.()
  }
}

/**
 * Up to `parts - 1` customer ids that split the store's events into `parts` contiguous ranges of
 * about equal size (each id is the last of its range), ascending; fewer when customers are few.
 * One pass over the (customer_id, ts, seq) index, no rows read.
 */
export function customerRangeBounds(store: EventStore, parts: number, events: number): string[] {
  const step = Math.max(1, Math.floor(events / parts))
  const next = store.db
    .prepare('SELECT customer_id FROM events INDEXED BY events_customer_ts WHERE customer_id > ? ORDER BY customer_id LIMIT 1 OFFSET ?')
    .pluck()
  const first = store.db
    .prepare('SELECT customer_id FROM events INDEXED BY events_customer_ts ORDER BY customer_id LIMIT 1 OFFSET ?')
    .pluck()
  const bounds: string[] = []
  for (let i = 1; i < parts; i++) {
    const previous = bounds[bounds.length - 1]
    const bound = (previous === undefined ? first.get(step - 1) : next.get(previous, step - 1)) as string | undefined
    if (bound === undefined) break
    bounds.push(bound)
  }
  return bounds
}

export interface CustomerTimeline {
  customerId: string
  /** Events at or before `asOf` (all when absent), ordered by (timestamp, seq). */
  events: StoredEvent[]
  /** Identify traits merged in order up to `asOf`; `{}` when none. */
  profile: Profile
}

export function customerTimeline(store: EventStore, customerId: string, options: {asOf?: number} = {}): CustomerTimeline {
  const params: (string | number)[] = [customerId]
  let sql = 'SELECT seq, customer_id, type, ts, properties FROM events INDEXED BY events_customer_ts WHERE customer_id = ?'
  if (options.asOf !== undefined) {
    sql += ' AND ts <= ?'
    params.push(options.asOf)
  }
  const rows = store.db
    .prepare(`${sql} ORDER BY ts, seq`)
    .raw(true)
    .all(...params) as StoreRow[]
  let profile: Profile = {}
  const events: StoredEvent[] = []
  for (const [seq, , type, ts, properties] of rows) {
    const parsed = JSON.parse(properties) as JsonObject
    if (type === IDENTIFY) profile = mergeProfile(profile, parsed)
    events.push({type, timestamp: ts, properties: parsed, seq})
  }
  return {customerId, events, profile}
}

/**
 * Which of `count` shards a customer belongs to: FNV-1a (32-bit) of the id's UTF-16 code units,
 * mod count. Stable across runs and machines, so workers can split customers without coordination.
 */
export function shardOf(customerId: string, count: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < customerId.length; i++) {
    hash ^= customerId.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % count
}

/** An events table row: [seq, customer_id, type, ts, properties (JSON text)]. */
type StoreRow = [seq: number, customerId: string, type: string, ts: number, properties: string]

/**
 * One streaming read of the events in a window, row by row over the (customer_id, ts, seq) index:
 * identify events before `from` are included so callers can build the profile as of `from`.
 */
function windowRows(store: EventStore, options: WindowOptions): IterableIterator<StoreRow> {
  const {where, params} = windowFilter(options)
  const sql = `SELECT seq, customer_id, type, ts, properties FROM events INDEXED BY events_customer_ts ${where} ORDER BY customer_id, ts, seq`
  return store.db
    .prepare(sql)
    .raw(true)
    .iterate(...params) as IterableIterator<StoreRow>
}

/** The WHERE clause (empty or starting with WHERE) and its parameters for a window of events. */
export function windowFilter(options: WindowOptions): {where: string; params: (string | number)[]} {
  const where: string[] = []
  const params: (string | number)[] = []
  if (options.customerId !== undefined) {
    where.push('customer_id = ?')
    params.push(options.customerId)
  }
  if (options.range?.after !== undefined) {
    where.push('customer_id > ?')
    params.push(options.range.after)
  }
  if (options.range?.through !== undefined) {
    where.push('customer_id <= ?')
    params.push(options.range.through)
  }
  if (options.until !== undefined) {
    where.push('ts <= ?')
    params.push(options.until)
  }
  if (options.from !== undefined) {
    where.push('(ts >= ? OR type = ?)')
    params.push(options.from, IDENTIFY)
  }
  return {where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params}
}
