import {createCollector} from '../engine/collect.js'
import {createMachine, type Machine} from '../engine/machine.js'
import {type ReplayTimeline, replayCustomer} from '../engine/replay-customer.js'
import type {Transition} from '../engine/transition.js'
import type {CustomerResult} from '../engine/types.js'
import type {Journey} from '../journey/model.js'
import {type CustomerRows, replayTimeline} from '../store/customer-rows.js'
import {createPolicyChecker, type MessagePolicy, type PolicyBreach} from './policy.js'
import {createReportBuilder, type ReportBuilder, type ReportPartial} from './report.js'

/** What a replay needs to know besides the customers; plain data, so it can go to a worker thread. */
export interface ReplaySetup {
  journeys: Journey[]
  /** Epoch ms; absent: every event up to `until` is in the window. */
  from?: number
  until: number
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
  /** Replays one customer through every journey (read from the store). */
  add(customer: CustomerRows): void
  /** Replays one customer given as a timeline (tests, in-memory drivers). */
  addTimeline(timeline: ReplayTimeline): void
  /** Customers added so far. */
  readonly customers: number
  partial(): ReplayPartial
}

export interface ReplayHooks {
  /** Called with every customer's result per journey; with it, every customer runs through the engine with traces. */
  onResult?: (journeyId: string, result: CustomerResult) => void
}

/**
 * Per thread: what every replay of a setup shares (the compiled journeys and their schedule
 * tickers, in one machine). `replay()` starts the counts of one range of customers. Every customer
 * goes through all the journeys together, over one profile (spec section 8).
 */
export function createReplayContext(setup: ReplaySetup): {replay(hooks?: ReplayHooks): Replay} {
  const from = setup.from === undefined ? {} : {from: setup.from}
  const counting = createMachine(setup.journeys, {...from, trace: false})
  let tracing: Machine | undefined
  // A journey entered on an event can only be entered by customers who have that event in the window.
  const entryEvents = setup.journeys.map((journey) => (journey.entry.kind === 'event' ? journey.entry.event : undefined))
  return {
    replay(hooks = {}) {
      // Traces are read only through onResult (--customer, --trace); the counts never need them.
      if (hooks.onResult && tracing === undefined) tracing = createMachine(setup.journeys, {...from, trace: true})
      return startReplay(setup, hooks.onResult ? (tracing as Machine) : counting, entryEvents, hooks)
    },
  }
}

function startReplay(setup: ReplaySetup, machine: Machine, entryEvents: (string | undefined)[], hooks: ReplayHooks): Replay {
  const {journeys} = setup
  const builders = journeys.map((journey) => createReportBuilder(journey))
  const byJourney = new Map<string, ReportBuilder>(journeys.map((journey, i) => [journey.id, builders[i] as ReportBuilder]))
  const ids = journeys.map((journey) => journey.id)
  const policy = setup.policy ? createPolicyChecker(setup.policy) : undefined
  const loadCounts = new Map<number, number>()
  let busiest: string[] = []
  let max = 0
  let customers = 0
  const everyone = hooks.onResult !== undefined

  const countLoad = (customerId: string, sent: number) => {
    if (sent > 0) {
      loadCounts.set(sent, (loadCounts.get(sent) ?? 0) + 1)
      if (sent > max) {
        max = sent
        busiest = []
      }
      if (sent === max && busiest.length < 5) busiest.push(customerId)
    }
    customers++
  }

  const run = (timeline: ReplayTimeline) => {
    let sent = 0
    policy?.begin(timeline.customerId)
    const collector = everyone ? createCollector(ids) : undefined
    const onTransition = (transition: Transition) => {
      for (const effect of transition.effects) {
        if (effect.kind === 'profile') continue
        byJourney.get(effect.journey)?.effect(effect)
        if (effect.kind === 'send') {
          sent++
          policy?.send(effect.at)
        }
      }
      collector?.add(transition)
    }
    const outcome = replayCustomer(machine, timeline, setup.until, onTransition)
    for (const builder of builders) builder.endCustomer(outcome)
    policy?.end()
    if (collector) for (const [id, result] of collector.finish(outcome)) hooks.onResult?.(id, result)
    countLoad(timeline.customerId, sent)
  }

  return {
    get customers() {
      return customers
    },
    add(customer) {
      if (!everyone && !entryEvents.some((event) => hasEntryEventInWindow(customer, event))) {
        // A prefilter: without any journey's entry event the customer enters none, and a replay
        // would count only this, so it is counted without parsing anything.
        const end = {eventsInWindow: customer.count, firstEventAt: customer.timestamps[customer.first] as number}
        for (const builder of builders) builder.endCustomer(end)
        countLoad(customer.customerId, 0)
        return
      }
      run(replayTimeline(customer))
    },
    addTimeline: run,
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

/**
 * Whether the customer has the journey's entry event in the window at all (journeys with other
 * entries: always). Not whether the engine would let them in (segments, re-entry, holdouts decide that).
 */
function hasEntryEventInWindow(customer: CustomerRows, entryEvent: string | undefined): boolean {
  if (entryEvent === undefined) return true
  const {types} = customer
  for (let i = customer.first; i < types.length; i++) if (types[i] === entryEvent) return true
  return false
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
