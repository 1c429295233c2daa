import {availableParallelism} from 'node:os'
import type {CustomerResult} from '../engine/types.js'
import {JoeError} from '../errors.js'
import {iso} from '../instant.js'
import type {Journey} from '../journey/model.js'
import {iterateCustomerRows} from '../store/customer-rows.js'
import {openEventStore} from '../store/open-store.js'
import {customerCount} from '../store/queries.js'
import type {EventStore} from '../store/store-types.js'
import type {MessagePolicy, PolicyCheck} from './policy.js'
import {createReplayContext, mergePartials, type ReplayPartial, type ReplaySetup} from './replay.js'
import type {SimulationReport} from './report.js'
import {replayInThreads} from './threads.js'

export interface SimulateOptions {
  journeys: Journey[]
  storePath: string
  /** Epoch ms; absent: the first event in the store. */
  from?: number
  /** Epoch ms; absent: the last event in the store. */
  until?: number
  /** Only this customer (its trace is returned). */
  customerId?: string
  /** Called with every customer's result per journey, e.g. to write traces. */
  onResult?: (journeyId: string, result: CustomerResult) => void
  /** Called every few hundred customers: customers done so far, of `total`. */
  onProgress?: (done: number, total: number) => void
  /** Present: check it (simulate --check). */
  policy?: MessagePolicy
  /**
   * Threads that replay customers, this one included; 1 replays here only. Absent: the available
   * cores (at most 4, and one per 100,000 events), without `customerId` or `onResult` (those
   * always run here). The output is the same whatever the number.
   */
  workers?: number
}

export interface MessageLoad {
  /** Messages per customer across all simulated journeys -> number of customers (customers with none left out). */
  distribution: Record<string, number>
  max: number
  /** Customers who got the most, up to 5, sorted by id. */
  busiest: string[]
}

export interface SimulateResult {
  /** One report per journey (spec section 5), in the order the journeys were given (commands give them sorted by id). */
  reports: SimulationReport[]
  /** Present when more than one journey was simulated. */
  load?: MessageLoad
  /** Present with a policy. */
  policy?: PolicyCheck
  /** Present with `customerId`: that customer's results per journey id. */
  customer?: {id: string; results: Record<string, CustomerResult>}
}

/** Each thread beyond the first should have at least this many events: a worker takes ~0.2 s to start. */
const EVENTS_PER_THREAD = 100_000
/** Each worker thread adds ~70 MB of peak RSS, so more cores are not all used by default. */
const MAX_DEFAULT_THREADS = 4

/**
 * Replays every customer of the store through the journeys on a virtual clock.
 * Customers are independent, so memory holds one customer at a time per thread; with several
 * threads each replays contiguous ranges of customers and the counts are merged in customer order.
 */
export function simulate(options: SimulateOptions): SimulateResult {
  const run = simulation(options)
  for (;;) {
    const step = run.next()
    if (step.done) return step.value
  }
}

/**
 * simulate() that lets `pause` hold the replay between customers: when it returns a promise (a trace
 * stream's 'drain'), the next customer waits for it, so a slow disk slows the replay instead of
 * filling memory. Only a replay on this thread (with `onResult` or `customerId`) pauses.
 */
export async function simulatePaced(options: SimulateOptions, pause: () => Promise<void> | undefined): Promise<SimulateResult> {
  const run = simulation(options)
  try {
    for (;;) {
      const step = run.next()
      if (step.done) return step.value
      const wait = pause()
      if (wait) await wait
    }
  } finally {
    // Closes the store when a pause failed (the trace could not be written) mid-replay.
    run.return(undefined as never)
  }
}

/** The replay, yielding after each customer replayed on this thread. */
function* simulation(options: SimulateOptions): Generator<void, SimulateResult, void> {
  const store = openEventStore(options.storePath, {readonly: true})
  try {
    const extent = storeExtent(store)
    if (extent === undefined) {
      throw new JoeError('JOE4002', `the event store ${options.storePath} has no events`, {
        hint: 'import events with `joe events import FILE`, or make some with `joe events generate --customers 1000 --days 30 --seed 1`',
      })
    }
    const until = options.until ?? extent.until
    const from = options.from
    if (from !== undefined && from > until) {
      throw new JoeError('JOE4003', `--from (${iso(from)}) is after --until (${iso(until)})`, {
        exitCode: 2,
      })
    }
    const setup: ReplaySetup = {
      journeys: options.journeys,
      until,
      ...(from !== undefined ? {from} : {}),
      ...(options.policy ? {policy: options.policy} : {}),
    }
    const threads = threadCount(options, extent.events)
    const customerResults: Record<string, CustomerResult> = {}
    let partials: ReplayPartial[]
    let total = 0
    if (threads > 1) {
      partials = replayInThreads(store, setup, threads, extent.events, {
        start: () => {
          total = options.onProgress ? customerCount(store) : 0
        },
        progress: (done) => options.onProgress?.(done, total),
      })
    } else {
      total = options.customerId ? 1 : options.onProgress ? customerCount(store) : 0
      const onResult = options.customerId
        ? (journeyId: string, result: CustomerResult) => {
            customerResults[journeyId] = result
            options.onResult?.(journeyId, result)
          }
        : options.onResult
      const replay = createReplayContext(setup).replay(onResult ? {onResult} : {})
      for (const customer of iterateCustomerRows(store, {
        until,
        ...(from !== undefined ? {from} : {}),
        ...(options.customerId ? {customerId: options.customerId} : {}),
      })) {
        replay.add(customer)
        if (replay.customers % 500 === 0) options.onProgress?.(replay.customers, total)
        yield
      }
      partials = [replay.partial()]
    }
    const merged = mergePartials(setup, partials)
    options.onProgress?.(merged.customers, total)
    if (options.customerId && merged.customers === 0) {
      throw new JoeError(
        'JOE4004',
        `customer "${options.customerId}" has no events in the store${options.from !== undefined || options.until !== undefined ? ' in that window' : ''}`,
        {
          hint: 'list customers with `joe events stats`, or check the id (ids are case-sensitive)',
        },
      )
    }
    const window = {...(from !== undefined ? {from} : {}), until}
    const result: SimulateResult = {
      reports: merged.builders.map((builder) => builder.build(window)),
    }
    if (options.journeys.length > 1) {
      const distribution = Object.fromEntries([...merged.loadCounts].sort(([a], [b]) => a - b).map(([n, c]) => [String(n), c]))
      result.load = {distribution, max: merged.max, busiest: merged.busiest.sort()}
    }
    if (merged.policy) result.policy = merged.policy.result()
    if (options.customerId) result.customer = {id: options.customerId, results: customerResults}
    return result
  } finally {
    store.close()
  }
}

function threadCount(options: SimulateOptions, events: number): number {
  if (options.customerId !== undefined || options.onResult !== undefined) return 1
  if (options.workers !== undefined) return Math.max(1, Math.floor(options.workers))
  return Math.max(1, Math.min(availableParallelism(), MAX_DEFAULT_THREADS, Math.floor(events / EVENTS_PER_THREAD)))
}

/**
 * The time span of the store from its imports (as storeStats has it, without its full scans) and
 * about how many events it holds; undefined when it has none.
 */
function storeExtent(store: EventStore): {from: number; until: number; events: number} | undefined {
  const {db} = store
  const any = (db.prepare('SELECT EXISTS (SELECT 1 FROM events) AS e').get() as {e: number}).e
  const range = db.prepare('SELECT min(min_ts) AS lo, max(max_ts) AS hi, sum(event_count) AS n FROM imports').get() as {
    lo: number | null
    hi: number | null
    n: number | null
  }
  if (any === 0 || range.lo === null || range.hi === null) return undefined
  return {from: range.lo, until: range.hi, events: range.n ?? 0}
}
