import type {EventStore, ImportRecord, JsonObject, Profile, StoredEvent, StoreStats} from './store-types.js'

/** Spec section 4: an `identify` event merges its properties (traits) into the profile. */
const IDENTIFY = 'identify'

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

/** An events table row: [seq, customer_id, type, ts, properties (JSON text)]. */
type StoreRow = [seq: number, customerId: string, type: string, ts: number, properties: string]
