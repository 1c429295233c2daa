import {JoeError} from '../errors.js'
import type {EventStore, JsonObject, StoredEvent} from './store-types.js'

/**
 * The replay's reader. SQLite gathers each customer's events into a few texts (`group_concat`
 * per column), so JavaScript receives a handful of strings per customer instead of five values
 * per event, and properties stay one unsplit text until a journey looks into them: most customers
 * never enter a journey, and their properties are never touched. This reads the store in about
 * two thirds of the time of a row-by-row scan.
 */

/** Separates the properties texts: JSON text cannot contain a raw U+001E, so no value can hold it. */
const RECORD_SEPARATOR = '\u001e'

/** One customer's events, column by column, before any properties are parsed. */
export class CustomerRows {
  readonly customerId: string
  /** Ordered by (timestamp, seq); events before the window's `from` come first (see `first`). */
  readonly types: string[]
  readonly timestamps: number[]
  /** Index of the first event in the window; the ones before it are before `from`. */
  readonly first: number
  #seqsText: string
  #rawSeqs: number[] | undefined
  #seqs: number[] | undefined
  #propertiesText: string
  #properties: string[] | undefined
  /** Present when SQLite returned the events out of order: row positions in (timestamp, seq) order. */
  #order: number[] | undefined

  /** `seqsText` is the JSON array of the rows' seqs: read only when timestamps tie, or when asked for. */
  constructor(customerId: string, seqsText: string, types: string[], timestamps: number[], propertiesText: string, from: number) {
    this.customerId = customerId
    this.#seqsText = seqsText
    this.#propertiesText = propertiesText
    this.#order = sortOrder(timestamps, () => this.#readSeqs())
    const order = this.#order
    this.types = order === undefined ? types : order.map((i) => types[i] as string)
    this.timestamps = order === undefined ? timestamps : order.map((i) => timestamps[i] as number)
    let first = 0
    while (first < this.timestamps.length && (this.timestamps[first] as number) < from) first++
    this.first = first
  }

  /** Events in the window. */
  get count(): number {
    return this.types.length - this.first
  }

  /** The events' seqs, in the order of `types` (a replay never needs them: they only break ties, above). */
  get seqs(): number[] {
    if (this.#seqs === undefined) {
      const raw = this.#readSeqs()
      const order = this.#order
      this.#seqs = order === undefined ? raw : order.map((i) => raw[i] as number)
    }
    return this.#seqs
  }

  #readSeqs(): number[] {
    this.#rawSeqs ??= JSON.parse(this.#seqsText) as number[]
    return this.#rawSeqs
  }

  /** The JSON text of event `index`'s properties. */
  propertiesText(index: number): string {
    if (this.#properties === undefined) {
      const texts = this.#propertiesText.split(RECORD_SEPARATOR)
      if (texts.length !== this.types.length) {
        throw new JoeError('JOE3006', `the event store holds properties of customer "${this.customerId}" that are not JSON text`, {
          hint: 'the store was changed outside joe; import the events again into a new store',
        })
      }
      const order = this.#order
      this.#properties = order === undefined ? texts : order.map((i) => texts[i] as string)
    }
    return this.#properties[index] as string
  }
}

/**
 * Row positions in (timestamp, seq) order, or undefined when the rows are already in it (always,
 * in practice: they come off the (customer_id, ts, seq) index, but SQL does not promise the order
 * of rows within an aggregate). Asks for the seqs only when two timestamps tie or are out of order.
 * SQLite can promise it (`json_group_array(x ORDER BY ts, seq)`, SQLite 3.44+), but then sorts
 * every aggregate of every customer: the read took 1.75x the CPU time (800 against 455 ms for 1M
 * events, issue 13), where this check is one pass over numbers already parsed.
 */
export function sortOrder(timestamps: readonly number[], seqsOf: () => readonly number[]): number[] | undefined {
  for (let i = 1; i < timestamps.length; i++) {
    const t = timestamps[i] as number
    const previous = timestamps[i - 1] as number
    if (t > previous) continue
    const seqs = seqsOf()
    if (t === previous && (seqs[i] as number) > (seqs[i - 1] as number)) continue
    return timestamps
      .map((_, index) => index)
      .sort((a, b) => (timestamps[a] as number) - (timestamps[b] as number) || (seqs[a] as number) - (seqs[b] as number))
  }
  return undefined
}

/**
 * Every customer with events in the window (`from` and `until` inclusive), in ascending customer_id
 * order (SQLite binary order), read column by column with properties left as text. With `from`, a customer's events before it
 * are read too (they come first; see `CustomerRows.first`): the engine needs them to build the
 * profile as of `from` and to know the customer for schedule ticks.
 *
 * While the iteration is open the connection is busy: use another store connection for other queries.
 */
export function* iterateCustomerRows(store: EventStore, options: WindowOptions = {}): Generator<CustomerRows, void, undefined> {
  const {where, params} = windowFilter(options)
  const sql = `SELECT customer_id, '[' || group_concat(seq) || ']', json_group_array(type), '[' || group_concat(ts) || ']',
      group_concat(properties, char(30))
    FROM events INDEXED BY events_customer_ts ${where} GROUP BY customer_id ORDER BY customer_id`
  const customers = store.db
    .prepare(sql)
    .raw(true)
    .iterate(...params) as IterableIterator<[customerId: string, seqs: string, types: string, timestamps: string, properties: string]>
  const from = options.from ?? Number.NEGATIVE_INFINITY
  try {
    for (const [customerId, seqs, types, timestamps, properties] of customers) {
      const customer = new CustomerRows(
        customerId,
        seqs,
        JSON.parse(types) as string[],
        JSON.parse(timestamps) as number[],
        properties,
        from,
      )
      if (customer.count > 0) yield customer
    }
  } finally {
    // Ends the statement when the consumer stops early, freeing the connection.
    customers.return?.()
  }
}

/** A stored event whose properties are parsed on first use: most events are never looked into. */
class LazyStoredEvent implements StoredEvent {
  readonly type: string
  readonly timestamp: number
  #rows: CustomerRows
  #index: number
  #properties: JsonObject | undefined

  constructor(rows: CustomerRows, index: number) {
    this.type = rows.types[index] as string
    this.timestamp = rows.timestamps[index] as number
    this.#rows = rows
    this.#index = index
  }

  get seq(): number {
    return this.#rows.seqs[this.#index] as number
  }

  get properties(): JsonObject {
    this.#properties ??= JSON.parse(this.#rows.propertiesText(this.#index)) as JsonObject
    return this.#properties
  }
}

/**
 * The customer's timeline for the engine (a CustomerTimeline, run with the same `from`): every event, those before
 * `from` included, with properties parsed when first read.
 */
export function replayTimeline(customer: CustomerRows): {customerId: string; events: StoredEvent[]} {
  const events: StoredEvent[] = []
  for (let i = 0; i < customer.types.length; i++) events.push(new LazyStoredEvent(customer, i))
  return {customerId: customer.customerId, events}
}

/** Which events a read covers. */
export interface WindowOptions {
  /** Epoch ms, inclusive: the window starts here; a customer's earlier events are read too (see `CustomerRows.first`). */
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

/** The WHERE clause (empty or starting with WHERE) and its parameters; `from` filters nothing here. */
function windowFilter(options: WindowOptions): {where: string; params: (string | number)[]} {
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
  return {where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params}
}
