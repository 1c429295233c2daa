import {createHash} from 'node:crypto'
import {JoeError} from '../errors.js'
import {DAY, ecommerceTimeline, SCENARIOS, type Scenario, saasTimeline, Timeline} from './generate-scenarios.js'
import {begin} from './import-events.js'
import {translateSqliteError} from './open-store.js'
import {mixSeed, Prng} from './prng.js'
import type {EventStore, NewEvent} from './store-types.js'
import {EventWriter} from './write-events.js'

export type {Scenario} from './generate-scenarios.js'

export interface GenerateOptions {
  /** How many customers, 1 or more. */
  customers: number
  /** Length of the window in days, from `start`. */
  days: number
  /** Any integer; the same seed (and options) gives byte-identical events. */
  seed: number
  /** Default `ecommerce`. */
  scenario?: Scenario
  /** Epoch ms where the window begins. */
  start: number
}

const TIMELINES: Record<Scenario, (t: Timeline, start: number, days: number) => void> = {
  ecommerce: ecommerceTimeline,
  saas: saasTimeline,
}

/** Customer ids sort in creation order: `c000001`, `c000002`, ... */
function generatedCustomerId(index: number): string {
  return `c${String(index + 1).padStart(6, '0')}`
}

/**
 * One customer's events, ordered by time. Depends only on (seed, scenario, days, start, index), so
 * asking for more customers keeps the first ones identical. Message ids make a re-run a no-op.
 */
export function generateCustomer(options: GenerateOptions, index: number): NewEvent[] {
  const scenario = options.scenario ?? 'ecommerce'
  const rng = new Prng(mixSeed(options.seed, index))
  const customerId = generatedCustomerId(index)
  const timeline = new Timeline(rng, customerId, index, options.start + options.days * DAY)
  TIMELINES[scenario](timeline, options.start, options.days)
  // Stable sort keeps emission order for equal timestamps.
  const sorted = timeline.events.map((event, n) => ({event, n})).sort((a, b) => a.event.timestamp - b.event.timestamp || a.n - b.n)
  const prefix = `gen-${scenario}-${options.seed}-${options.start}-${options.days}-${index + 1}`
  return sorted.map(({event}, n) => ({customer_id: customerId, ...event, message_id: `${prefix}-${n + 1}`}))
}

/** Synthetic events customer by customer (each customer's in time order); memory holds one customer. */
export function* generateEvents(options: GenerateOptions): Generator<NewEvent, void, undefined> {
  checkOptions(options)
  for (let index = 0; index < options.customers; index++) yield* generateCustomer(options, index)
}

export interface WriteGeneratedOptions extends GenerateOptions {
  /** Epoch ms recorded as the import time. */
  now: number
  /** Called every 10,000 customers and once at the end. */
  onProgress?: (progress: {customers: number; events: number}) => void
}

export interface GenerateResult {
  customers: number
  events: number
  /** Events whose message id was already stored (e.g. an overlapping earlier run). */
  duplicates: number
  /** True when a run with exactly these options was written before; nothing was written. */
  alreadyImported: boolean
  /** The `imports` row written; absent when alreadyImported. */
  importId?: number
}

/**
 * Streams generated events into the store in one transaction (an interrupted run leaves nothing),
 * recorded as an import whose content hash is that of the options, so re-running is a no-op.
 */
export function writeGeneratedEvents(store: EventStore, options: WriteGeneratedOptions): GenerateResult {
  if (store.readonly) throw new JoeError('JOE3011', `the event store ${store.path} is open read-only; cannot write events into it`)
  checkOptions(options)
  const scenario = options.scenario ?? 'ecommerce'
  const recipe = {generator: 1, scenario, seed: options.seed, customers: options.customers, days: options.days, start: options.start}
  const contentHash = createHash('sha256').update(JSON.stringify(recipe)).digest('hex')
  const {db} = store
  if (db.prepare('SELECT 1 FROM imports WHERE content_hash = ?').get(contentHash) !== undefined) {
    return {customers: options.customers, events: 0, duplicates: 0, alreadyImported: true}
  }
  begin(store)
  try {
    const writer = new EventWriter(store, {
      sourceName: `generated ${scenario} seed=${options.seed} customers=${options.customers} days=${options.days}`,
      format: 'generated',
      byteSize: 0,
      importedAt: options.now,
    })
    let count = 0
    for (let index = 0; index < options.customers; index++) {
      for (const event of generateCustomer(options, index)) writer.add(event)
      count++
      if (count % 10_000 === 0) {
        writer.flush()
        options.onProgress?.({customers: count, events: writer.inserted})
      }
    }
    writer.finish(contentHash, writer.inserted + writer.duplicates)
    db.exec('COMMIT')
    options.onProgress?.({customers: count, events: writer.inserted})
    return {customers: count, events: writer.inserted, duplicates: writer.duplicates, alreadyImported: false, importId: writer.importId}
  } catch (error) {
    if (db.open && db.inTransaction) db.exec('ROLLBACK')
    throw translateSqliteError(error, store.path)
  }
}

function checkOptions(options: GenerateOptions): void {
  const problems: string[] = []
  if (!Number.isSafeInteger(options.customers) || options.customers < 1) problems.push('customers must be a whole number of at least 1')
  if (!Number.isSafeInteger(options.days) || options.days < 1) problems.push('days must be a whole number of at least 1')
  if (!Number.isSafeInteger(options.seed)) problems.push('seed must be a whole number')
  if (!Number.isSafeInteger(options.start)) problems.push('start must be epoch milliseconds')
  if (options.scenario !== undefined && !SCENARIOS.includes(options.scenario)) {
    problems.push(`scenario must be one of ${SCENARIOS.join(', ')}`)
  }
  if (problems.length > 0) throw new JoeError('JOE3012', `cannot generate events: ${problems.join('; ')}`, {exitCode: 2})
}
