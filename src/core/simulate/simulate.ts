import {createReportBuilder, type SimulationReport} from '../engine/report.js'
import {runCustomer} from '../engine/run-customer.js'
import {createScheduleTicker} from '../engine/schedule.js'
import type {CustomerResult, ScheduleTicker} from '../engine/types.js'
import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import {openEventStore} from '../store/open-store.js'
import {iterateCustomers} from '../store/queries.js'
import {createPolicyChecker, type MessagePolicy, type PolicyCheck} from './policy.js'

export const SIMULATE_FORMAT_VERSION = 1

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
}

export interface MessageLoad {
  /** Messages per customer across all simulated journeys -> number of customers (customers with none left out). */
  distribution: Record<string, number>
  max: number
  /** Customers who got the most, up to 5, sorted by id. */
  busiest: string[]
}

export interface SimulateResult {
  format_version: typeof SIMULATE_FORMAT_VERSION
  /** One report per journey (spec section 5), in the order the journeys were given. */
  reports: SimulationReport[]
  /** Present when more than one journey was simulated. */
  load?: MessageLoad
  /** Present with a policy. */
  policy?: PolicyCheck
  /** Present with `customerId`: that customer's results per journey id. */
  customer?: {id: string; results: Record<string, CustomerResult>}
}

/**
 * Replays every customer of the store through the journeys on a virtual clock.
 * Customers are independent, so memory holds one customer at a time.
 */
export function simulate(options: SimulateOptions): SimulateResult {
  const store = openEventStore(options.storePath, {readonly: true})
  try {
    const stats = store.stats()
    if (stats.events === 0 || stats.from === undefined || stats.until === undefined) {
      throw new JoeError('JOE4002', `the event store ${options.storePath} has no events`, {
        hint: 'import events with `joe events import FILE`, or make some with `joe events generate --customers 1000 --days 30 --seed 1`',
      })
    }
    const until = options.until ?? stats.until
    const from = options.from
    if (from !== undefined && from > until) {
      throw new JoeError('JOE4003', `--from (${new Date(from).toISOString()}) is after --until (${new Date(until).toISOString()})`, {
        exitCode: 2,
      })
    }
    const tickWindow = {from: from ?? stats.from, until}
    const tickers = new Map<string, ScheduleTicker>()
    for (const journey of options.journeys) {
      if (journey.entry.kind === 'schedule') tickers.set(journey.id, createScheduleTicker(journey.entry.cron, tickWindow))
    }
    const builders = options.journeys.map((journey) => createReportBuilder(journey))
    const policy = options.policy ? createPolicyChecker(options.policy) : undefined
    const loadCounts = new Map<number, number>()
    let busiest: string[] = []
    let max = 0
    const customerResults: Record<string, CustomerResult> = {}
    let done = 0
    const total = options.customerId ? 1 : stats.customers
    for (const customer of iterateCustomers(store, {
      until,
      ...(from !== undefined ? {from} : {}),
      ...(options.customerId ? {customerId: options.customerId} : {}),
    })) {
      const sendTimes: number[] = []
      options.journeys.forEach((journey, i) => {
        const ticker = tickers.get(journey.id)
        const result = runCustomer(
          journey,
          {customerId: customer.customerId, events: customer.events, profile: customer.initialProfile},
          {until, ...(from !== undefined ? {from} : {}), ...(ticker ? {scheduleTicks: ticker} : {})},
        )
        builders[i]?.add(result)
        options.onResult?.(journey.id, result)
        if (options.customerId) customerResults[journey.id] = result
        for (const entry of result.entries) for (const send of entry.sends) sendTimes.push(send.at)
      })
      policy?.add(customer.customerId, sendTimes)
      if (sendTimes.length > 0) {
        loadCounts.set(sendTimes.length, (loadCounts.get(sendTimes.length) ?? 0) + 1)
        if (sendTimes.length > max) {
          max = sendTimes.length
          busiest = []
        }
        if (sendTimes.length === max && busiest.length < 5) busiest.push(customer.customerId)
      }
      done++
      if (done % 500 === 0) options.onProgress?.(done, total)
    }
    options.onProgress?.(done, total)
    if (options.customerId && done === 0) {
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
      format_version: SIMULATE_FORMAT_VERSION,
      reports: builders.map((builder) => builder.build(window)),
    }
    if (options.journeys.length > 1) {
      const distribution = Object.fromEntries([...loadCounts].sort(([a], [b]) => a - b).map(([n, c]) => [String(n), c]))
      result.load = {distribution, max, busiest: busiest.sort()}
    }
    if (policy) result.policy = policy.result()
    if (options.customerId) result.customer = {id: options.customerId, results: customerResults}
    return result
  } finally {
    store.close()
  }
}
