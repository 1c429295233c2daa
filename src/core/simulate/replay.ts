import {createReportBuilder, type ReportPartial} from '../engine/report.js'
import {runCustomer} from '../engine/run-customer.js'
import {createScheduleTicker} from '../engine/schedule.js'
import type {CustomerResult, CustomerTimeline, RunOptions, ScheduleTicker} from '../engine/types.js'
import type {Journey} from '../journey/model.js'
import {type CustomerRows, replayTimeline} from '../store/customer-rows.js'
import {createPolicyChecker, type MessagePolicy, type PolicyBreach} from './policy.js'

/** What a replay needs to know besides the customers; plain data, so it can go to a worker thread. */
export interface ReplaySetup {
  journeys: Journey[]
  /** Epoch ms; absent: every event up to `until` is in the window. */
  from?: number
  until: number
  /** Where schedule ticks start: `from`, else the first event in the store. */
  ticksFrom: number
  policy?: MessagePolicy
}

/** The counts of some of the customers, as plain data; partials of disjoint customers merge. */
export interface ReplayPartial {
  customers: number
  /** One per journey, in setup order. */
  reports: ReportPartial[]
  /** [messages, customers] pairs: how many customers got that many messages across all journeys. */
  load: Array<[number, number]>
  /** The most messages one customer got (0 when none). */
  max: number
  /** The first customers (in replay order, up to 5) who got `max` messages. */
  busiest: string[]
  /** Present with a policy. */
  breaches?: PolicyBreach[]
}

export interface Replay {
  /** Replays one customer through every journey. */
  add(customer: CustomerRows): void
  /** Customers added so far. */
  readonly customers: number
  partial(): ReplayPartial
}

export interface ReplayHooks {
  /** Called with every customer's result per journey; with it, every customer runs through the engine. */
  onResult?: (journeyId: string, result: CustomerResult) => void
}

/**
 * Per thread: what every replay of a setup shares (schedule tickers are computed once per zone).
 * `replay()` starts the counts of one range of customers.
 */
export function createReplayContext(setup: ReplaySetup): {replay(hooks?: ReplayHooks): Replay} {
  const tickers = new Map<string, ScheduleTicker>()
  for (const journey of setup.journeys) {
    if (journey.entry.kind === 'schedule')
      tickers.set(journey.id, createScheduleTicker(journey.entry.cron, {from: setup.ticksFrom, until: setup.until}))
  }
  const runOptions: RunOptions[] = setup.journeys.map((journey) => {
    const ticker = tickers.get(journey.id)
    return {until: setup.until, ...(setup.from !== undefined ? {from: setup.from} : {}), ...(ticker ? {scheduleTicks: ticker} : {})}
  })
  // A journey entered on an event can only be entered by customers who have that event in the window.
  const entryEvents = setup.journeys.map((journey) => (journey.entry.kind === 'event' ? journey.entry.event : undefined))
  return {
    replay: (hooks = {}) => startReplay(setup, runOptions, entryEvents, hooks),
  }
}

function startReplay(setup: ReplaySetup, runOptions: RunOptions[], entryEvents: (string | undefined)[], hooks: ReplayHooks): Replay {
  const {journeys} = setup
  const builders = journeys.map((journey) => createReportBuilder(journey))
  const policy = setup.policy ? createPolicyChecker(setup.policy) : undefined
  const loadCounts = new Map<number, number>()
  let busiest: string[] = []
  let max = 0
  let customers = 0
  const everyone = hooks.onResult !== undefined
  // Traces are read only through onResult (--customer, --trace); the counts never need them.
  const options = everyone ? runOptions : runOptions.map((o) => ({...o, trace: false}))

  return {
    get customers() {
      return customers
    },
    add(customer) {
      let timeline: CustomerTimeline | undefined
      const sendTimes: number[] = []
      for (let i = 0; i < journeys.length; i++) {
        const journey = journeys[i] as Journey
        const builder = builders[i]
        if (!everyone && !canEnter(customer, entryEvents[i])) {
          // What runCustomer returns for a customer who never enters, without parsing anything.
          builder?.add(unentered(customer))
          continue
        }
        timeline ??= replayTimeline(customer)
        const result = runCustomer(journey, timeline, options[i] as RunOptions)
        builder?.add(result)
        hooks.onResult?.(journey.id, result)
        for (const entry of result.entries) for (const send of entry.sends) sendTimes.push(send.at)
      }
      policy?.add(customer.customerId, sendTimes)
      if (sendTimes.length > 0) {
        loadCounts.set(sendTimes.length, (loadCounts.get(sendTimes.length) ?? 0) + 1)
        if (sendTimes.length > max) {
          max = sendTimes.length
          busiest = []
        }
        if (sendTimes.length === max && busiest.length < 5) busiest.push(customer.customerId)
      }
      customers++
    },
    partial() {
      return {
        customers,
        reports: builders.map((builder) => builder.partial()),
        load: [...loadCounts],
        max,
        busiest: [...busiest],
        ...(policy ? {breaches: policy.breaches()} : {}),
      }
    },
  }
}

function canEnter(customer: CustomerRows, entryEvent: string | undefined): boolean {
  if (entryEvent === undefined) return true
  const {types} = customer
  for (let i = customer.first; i < types.length; i++) if (types[i] === entryEvent) return true
  return false
}

function unentered(customer: CustomerRows): CustomerResult {
  return {
    customerId: customer.customerId,
    entries: [],
    trace: [],
    exprErrors: [],
    profile: {},
    eventsInWindow: customer.count,
    firstEventAt: customer.timestamps[customer.first] as number,
  }
}

/**
 * Merges partials of disjoint customer ranges, given in ascending customer order, into what one
 * replay of all of them would have counted (`busiest` keeps the first customers in that order).
 */
export function mergePartials(setup: ReplaySetup, partials: readonly ReplayPartial[]) {
  const builders = setup.journeys.map((journey) => createReportBuilder(journey))
  const policy = setup.policy ? createPolicyChecker(setup.policy) : undefined
  const loadCounts = new Map<number, number>()
  let max = 0
  let busiest: string[] = []
  let customers = 0
  for (const partial of partials) {
    customers += partial.customers
    partial.reports.forEach((report, i) => {
      builders[i]?.merge(report)
    })
    for (const [messages, count] of partial.load) loadCounts.set(messages, (loadCounts.get(messages) ?? 0) + count)
    if (partial.max > max) {
      max = partial.max
      busiest = []
    }
    if (partial.max === max && max > 0) busiest.push(...partial.busiest.slice(0, 5 - busiest.length))
    if (partial.breaches) policy?.merge(partial.breaches)
  }
  return {builders, policy, loadCounts, max, busiest, customers}
}
