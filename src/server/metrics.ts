import {Counter, collectDefaultMetrics, Gauge, Histogram, Registry} from 'prom-client'
import type {RuntimeLog} from '../core/runtime/loops.js'
import {type DeliveryRecord, deliveryFate} from '../core/runtime/outbox.js'
import type {StoreGauges} from '../core/runtime/store-gauges.js'
import type {BatchResult} from '../core/runtime/worker.js'
import {redactSecrets} from '../core/secrets.js'

/** How long a reading of the store's gauges is reused: many scrapers and processes cost the store one query per interval each. */
export const STORE_GAUGES_CACHE_MS = 5_000

/** Where events counted by `joe_events_received_total` came from (the `source` of the event log). */
export type ReceivedSource = 'http' | 'joe'

/**
 * What one `joe serve` process tells Prometheus. Counters and histograms count what this process
 * did (Prometheus sums them across processes); the store's gauges describe the environment's
 * shared store, the same seen from every process.
 */
export interface ServeMetrics {
  /** The Content-Type of {@link render}'s text. */
  readonly contentType: string
  /** The exposition text (Prometheus text format 0.0.4). */
  render(): Promise<string>
  /** Events stored by an ingest request (or a callback), and those dropped as duplicates. */
  received(source: ReceivedSource, accepted: number, duplicates: number): void
  /** One batch of the worker. */
  processed(batch: BatchResult): void
  /** One delivery attempt, how long the connector took, and which kind of connector it was. */
  delivered(record: DeliveryRecord, ms: number, connector: string): void
  /** A request refused with 429. */
  rateLimited(): void
  /** A client node cut off before its request was whole: too slow, headers too large, or not HTTP. */
  clientError(reason: 'timeout' | 'header_overflow' | 'malformed'): void
  /** One HTTP request answered. `route` is the route's pattern (no ids, no tokens). */
  requested(method: string, route: string, status: number, seconds: number): void
}

export interface ServeMetricsOptions {
  env: string
  role: string
  /** Channels this process delivers, each with its connector kind (their series start at 0). */
  channels: ReadonlyArray<{channel: string; connector: string}>
  /** Reads the store's gauges; absent: none are exported. */
  readStore?: () => Promise<StoreGauges>
  /** Epoch ms (the wall clock passed to serve): how old a cached reading is. */
  now: () => number
  cacheMs?: number
  /** The process's CPU, memory, event loop and GC metrics; default true. */
  processMetrics?: boolean
  /** Where a failed reading of the store is logged. */
  log?: RuntimeLog
  /** Texts never logged (store passwords), for the store's error messages. */
  secrets?: readonly string[]
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/** The metrics of one `joe serve` process, in a registry of its own, every series labelled with `env` and `role`. */
export function createServeMetrics(options: ServeMetricsOptions): ServeMetrics {
  const registry = new Registry()
  registry.setDefaultLabels({env: options.env, role: options.role})
  if (options.processMetrics !== false) collectDefaultMetrics({register: registry})
  const registers = [registry]

  const received = new Counter({
    name: 'joe_events_received_total',
    help: 'Events this process stored: from the HTTP API (source http) or from delivery callbacks and unsubscribe links (source joe).',
    labelNames: ['source'],
    registers,
  })
  const duplicates = new Counter({
    name: 'joe_events_duplicate_total',
    help: 'Events this process dropped because their messageId was stored already.',
    labelNames: ['source'],
    registers,
  })
  for (const source of ['http', 'joe'] satisfies ReceivedSource[]) {
    received.inc({source}, 0)
    duplicates.inc({source}, 0)
  }
  const processedEvents = new Counter({name: 'joe_events_processed_total', help: 'Events this process applied to customers.', registers})
  const processedDue = new Counter({
    name: 'joe_due_processed_total',
    help: 'Due inputs this process applied: timers, schedule ticks, activations of deploys.',
    registers,
  })
  const engineErrors = new Counter({
    name: 'joe_engine_errors_total',
    help: 'Inputs the engine failed on (recorded with their error and skipped; joe inspect shows them).',
    registers,
  })
  const decided = new Counter({name: 'joe_messages_decided_total', help: 'Messages this process wrote to the outbox.', registers})
  const deliveries = new Counter({
    name: 'joe_deliveries_total',
    help: 'Delivery attempts by channel and what they made of the message: sent, retry (tried again later), dead (a dead letter).',
    labelNames: ['channel', 'status'],
    registers,
  })
  const deliveryDuration = new Histogram({
    name: 'joe_delivery_duration_seconds',
    help: 'How long connectors took per delivery attempt, by channel and connector kind.',
    labelNames: ['channel', 'connector'],
    buckets: DURATION_BUCKETS,
    registers,
  })
  for (const {channel} of options.channels) for (const status of ['sent', 'retry', 'dead']) deliveries.inc({channel, status}, 0)
  const rateLimited = new Counter({
    name: 'joe_ingest_rate_limited_total',
    help: 'Ingest requests refused with 429 because their write key sent more than its rate limit.',
    registers,
  })
  const clientErrors = new Counter({
    name: 'joe_http_clients_cut_off_total',
    help: 'Connections closed before their request was whole: timeout (too slow: 408), header_overflow (431), malformed (400).',
    labelNames: ['reason'],
    registers,
  })
  for (const reason of ['timeout', 'header_overflow', 'malformed']) clientErrors.inc({reason}, 0)
  const requests = new Histogram({
    name: 'joe_http_request_duration_seconds',
    help: 'HTTP requests answered by this process, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: DURATION_BUCKETS,
    registers,
  })

  if (options.readStore !== undefined) storeGauges(options.readStore, options, registers)

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    received(source, accepted, dropped) {
      received.inc({source}, accepted)
      duplicates.inc({source}, dropped)
    },
    processed(batch) {
      processedEvents.inc(batch.events)
      processedDue.inc(batch.dues)
      engineErrors.inc(batch.errors)
      decided.inc(batch.sends)
    },
    delivered(record, ms, connector) {
      deliveries.inc({channel: record.message.channel, status: deliveryFate(record)})
      deliveryDuration.observe({channel: record.message.channel, connector}, ms / 1000)
    },
    rateLimited: () => rateLimited.inc(),
    clientError: (reason) => clientErrors.inc({reason}),
    requested(method, route, status, seconds) {
      requests.observe({method, route, status_code: String(status)}, seconds)
    },
  }
}

/**
 * The gauges read from the shared store at scrape time. One reading serves every gauge of a scrape
 * and every scrape for `cacheMs`; concurrent scrapes share the reading in flight. When the store
 * cannot be read, `joe_store_up` is 0 and the other gauges are NaN (not a stale value).
 */
function storeGauges(read: () => Promise<StoreGauges>, options: ServeMetricsOptions, registers: Registry[]): void {
  const cacheMs = options.cacheMs ?? STORE_GAUGES_CACHE_MS
  let cached: {at: number; reading: Promise<StoreGauges | undefined>} | undefined
  let failing = false
  const reading = () => {
    const now = options.now()
    if (cached === undefined || now - cached.at >= cacheMs || now < cached.at) {
      cached = {
        at: now,
        reading: read().then(
          (gauges) => {
            if (failing) options.log?.info({}, 'metrics: the store answers again')
            failing = false
            return gauges
          },
          (error: unknown) => {
            if (!failing) {
              const message = redactSecrets((error as Error).message ?? String(error), options.secrets ?? [])
              options.log?.warn({error: message}, 'metrics: cannot read the store')
            }
            failing = true
            return undefined
          },
        ),
      }
    }
    return cached.reading
  }
  const gauge = (name: string, help: string, value: (g: StoreGauges) => number) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const gauges = await reading()
        this.set(gauges === undefined ? Number.NaN : value(gauges))
      },
    })
  new Gauge({
    name: 'joe_store_up',
    help: 'Whether the last reading of the store for these metrics succeeded (1) or failed (0).',
    registers,
    async collect() {
      this.set((await reading()) === undefined ? 0 : 1)
    },
  })
  gauge(
    'joe_event_lag_seconds',
    "Age, in the environment's time, of the oldest received event no worker has applied yet (0: none).",
    (g) => g.lagSeconds,
  )
  gauge(
    'joe_due_overdue_customers',
    "Customers with a timer or tick due before the environment's time that no worker has run yet.",
    (g) => g.overdueCustomers,
  )
  gauge('joe_due_overdue_seconds', 'How long the most overdue of those customers has been due (0: none).', (g) => g.overdueSeconds)
  gauge(
    'joe_outbox_pending_messages',
    'Messages waiting in the outbox to be delivered (due now or retrying later).',
    (g) => g.outboxPending,
  )
  gauge('joe_outbox_dead_letters', 'Messages in the dead letters (joe outbox --status dead).', (g) => g.deadLetters)
}
