import type {CustomerState} from '../engine/state.js'
import type {Effect, EntryOutcome, Group} from '../engine/types.js'
import {iso} from '../instant.js'
import type {Journey} from '../journey/model.js'

/**
 * Format 2: journeys simulated together share one profile per customer (spec section 8), so an
 * `update` in one journey is seen by the others; reports gained `expression_errors` and the group
 * sizes of `conversion`.
 */
export const REPORT_FORMAT_VERSION = 2

/** Customers counted once each, by the state of their latest entry (spec section 5). */
export interface CustomerCounts {
  /** Customers with at least one event in the window. */
  evaluated: number
  /** Customers with at least one entry (holdouts included). */
  entered: number
  /** Customers whose latest entry is in the holdout group. */
  held_out: number
  completed: number
  exited: number
  /** Treatment customers whose latest entry reached the goal (not also counted as completed or exited). */
  converted: number
  in_flight: number
}

export interface MessageCounts {
  /** Messages that went out. */
  total: number
  /** Every channel the journey sends on, 0 when nothing went out. */
  by_channel: Record<string, number>
  /** Every template the journey sends, 0 when nothing went out. */
  by_template: Record<string, number>
  suppressed: {frequency_cap: number; consent: number}
  deferred: {quiet_hours: number}
}

/** Present only when the journey has a holdout above 0. Rates are 0..1, rounded to 4 decimals. */
export interface ConversionRates {
  treatment_rate: number
  holdout_rate: number
  /** treatment_rate - holdout_rate (of the rounded rates). */
  uplift: number
  /** Customers in each group (by their latest entry): the rates' denominators. */
  treatment_size: number
  holdout_size: number
}

export interface Coverage {
  /** Step ids no customer arrived at, in file order. */
  unreached_steps: string[]
  /** Branch cases never taken, in file order (`case` is the index, or `else`). */
  unreached_cases: Array<{step: string; case: number | 'else'}>
  /** Split variants never assigned, in file order. */
  unreached_variants: Array<{step: string; variant: string}>
}

/** Run-time failures of one expression (each counted as false, or its value left out). */
export interface ExpressionErrors {
  /** Evaluations that failed. */
  count: number
  /** Customers with at least one failure here. */
  customers: number
  /** The first failure's message. */
  sample: string
}

/** The object `joe simulate --json` prints. Key order is fixed, so JSON is byte-identical run to run. */
export interface SimulationReport {
  format_version: number
  journey: string
  window: {from: string; until: string}
  customers: CustomerCounts
  /** Every entry, re-entries and holdouts included. */
  entries: number
  /** Every step, in file order: arrivals (one per pass). */
  steps: Record<string, {entered: number}>
  messages: MessageCounts
  conversion?: ConversionRates
  /** Branch step -> case index or `else` -> passes that took it; every case present. */
  branches: Record<string, Record<string, number>>
  /** Split step -> variant -> passes assigned to it; every variant present. */
  variants: Record<string, Record<string, number>>
  /** Step -> in-flight customers waiting there at `until`; only steps with some. */
  in_flight_at: Record<string, number>
  /** Where in the journey (`entry.when`, `steps.route.cases[0].when`, ...) -> its run-time failures; only expressions that failed, sorted. */
  expression_errors: Record<string, ExpressionErrors>
  coverage: Coverage
}

/**
 * A report builder's counts as plain data (structured-cloneable, e.g. from a worker thread).
 * Merging partials gives the same report as adding every customer to one builder, in any order
 * (expression error samples: the partials are merged in customer order).
 */
export interface ReportPartial {
  customers: CustomerCounts
  entries: number
  holdoutConverted: number
  /** Present when some customer added had an event. */
  earliest?: number
  steps: Record<string, number>
  branches: Record<string, Record<string, number>>
  variants: Record<string, Record<string, number>>
  messages: {total: number; frequency_cap: number; consent: number; quiet_hours: number}
  byChannel: Record<string, number>
  byTemplate: Record<string, number>
  inFlightAt: Record<string, number>
  exprErrors: Record<string, ExpressionErrors>
}

/** What the builder needs to know about a customer once their replay is over. */
export interface CustomerEnd {
  /** Events in the window. */
  eventsInWindow: number
  firstEventAt?: number
  /** The engine state at the end (who is still in the journey, and where). */
  state?: CustomerState
}

export interface ReportBuilder {
  /** One effect of the current customer (only this journey's are counted). */
  effect(effect: Effect): void
  /** The current customer's replay is over; the next effects belong to the next customer. */
  endCustomer(end: CustomerEnd): void
  /** What has been added so far, as plain data. */
  partial(): ReportPartial
  /** Adds another builder's partial (of the same journey) to this one. */
  merge(partial: ReportPartial): void
  /** `window.from` absent: the earliest event of any customer added (or `until`). */
  build(window: {from?: number; until: number}): SimulationReport
}

/**
 * Aggregates a journey's effects customer by customer, keeping counts only: memory does not grow
 * with the entries or steps a customer takes (issue: a looping journey simulated for years).
 */
export function createReportBuilder(journey: Journey): ReportBuilder {
  const customers: CustomerCounts = {evaluated: 0, entered: 0, held_out: 0, completed: 0, exited: 0, converted: 0, in_flight: 0}
  const steps: Record<string, {entered: number}> = {}
  const branches: Record<string, Record<string, number>> = {}
  const variants: Record<string, Record<string, number>> = {}
  const channels = new Set<string>()
  const templates = new Set<string>()
  for (const step of journey.steps) {
    steps[step.id] = {entered: 0}
    if (step.kind === 'branch') branches[step.id] = Object.fromEntries([...step.cases.map((_, i) => [String(i), 0]), ['else', 0]])
    if (step.kind === 'split') variants[step.id] = Object.fromEntries(step.variants.map((v) => [v.variant, 0]))
    if (step.kind === 'send') {
      channels.add(step.channel)
      templates.add(step.template)
    }
  }
  const byChannel = new Map<string, number>([...channels].map((c) => [c, 0]))
  const byTemplate = new Map<string, number>([...templates].map((t) => [t, 0]))
  const inFlightAt = new Map<string, number>()
  const exprErrors = new Map<string, ExpressionErrors>()
  const messages = {total: 0, frequency_cap: 0, consent: 0, quiet_hours: 0}
  let entries = 0
  let holdoutConverted = 0
  let earliest: number | undefined
  const bump = (map: Map<string, number>, key: string, by = 1): void => {
    map.set(key, (map.get(key) ?? 0) + by)
  }
  // The current customer's latest entry, and where their expressions failed.
  let latest: {index: number; group: Group; outcome: EntryOutcome; converted: boolean} | undefined
  const failedHere = new Set<string>()

  return {
    effect(effect) {
      if (effect.kind === 'profile' || effect.journey !== journey.id) return
      switch (effect.kind) {
        case 'entered':
          entries += 1
          latest = {
            index: effect.entry,
            group: effect.group,
            outcome: effect.group === 'holdout' ? 'held_out' : 'in_flight',
            converted: false,
          }
          return
        case 'step': {
          const counter = steps[effect.step]
          if (counter !== undefined) counter.entered += 1
          return
        }
        case 'branch': {
          const counts = branches[effect.step]
          if (counts !== undefined) counts[String(effect.case)] = (counts[String(effect.case)] ?? 0) + 1
          return
        }
        case 'variant': {
          const counts = variants[effect.step]
          if (counts !== undefined) counts[effect.variant] = (counts[effect.variant] ?? 0) + 1
          return
        }
        case 'send':
          messages.total += 1
          bump(byChannel, effect.channel)
          bump(byTemplate, effect.template)
          return
        case 'suppressed':
          messages[effect.reason] += 1
          return
        case 'deferred':
          messages.quiet_hours += 1
          return
        case 'expr_error': {
          const known = exprErrors.get(effect.where)
          if (known === undefined) exprErrors.set(effect.where, {count: 1, customers: 1, sample: effect.message})
          else {
            known.count += 1
            if (!failedHere.has(effect.where)) known.customers += 1
          }
          failedHere.add(effect.where)
          return
        }
        case 'converted':
          if (latest?.index === effect.entry) {
            latest.converted = true
            if (latest.group === 'treatment') latest.outcome = 'converted'
          }
          return
        case 'exited':
        case 'completed':
          if (latest?.index === effect.entry && latest.group === 'treatment' && !latest.converted) {
            latest.outcome = effect.kind === 'exited' ? 'exited' : 'completed'
          }
          return
        case 'released':
          return
      }
    },

    endCustomer(end) {
      if (end.eventsInWindow > 0) customers.evaluated += 1
      if (end.firstEventAt !== undefined && (earliest === undefined || end.firstEventAt < earliest)) earliest = end.firstEventAt
      const last = latest
      latest = undefined
      failedHere.clear()
      if (last === undefined) return
      customers.entered += 1
      if (last.group === 'holdout') {
        customers.held_out += 1
        if (last.converted) holdoutConverted += 1
        return
      }
      switch (last.outcome) {
        case 'converted':
        case 'completed':
        case 'exited':
          customers[last.outcome] += 1
          break
        default: {
          customers.in_flight += 1
          const active = end.state?.journeys[journey.id]?.active
          if (active?.index === last.index && active.at !== undefined) bump(inFlightAt, active.at)
        }
      }
    },

    partial() {
      return {
        customers: {...customers},
        entries,
        holdoutConverted,
        ...(earliest === undefined ? {} : {earliest}),
        steps: Object.fromEntries(Object.entries(steps).map(([id, counter]) => [id, counter.entered])),
        branches: structuredClone(branches),
        variants: structuredClone(variants),
        messages: {...messages},
        byChannel: Object.fromEntries(byChannel),
        byTemplate: Object.fromEntries(byTemplate),
        inFlightAt: Object.fromEntries(inFlightAt),
        exprErrors: structuredClone(Object.fromEntries(exprErrors)),
      }
    },

    merge(partial) {
      for (const key of Object.keys(customers) as (keyof CustomerCounts)[]) customers[key] += partial.customers[key]
      entries += partial.entries
      holdoutConverted += partial.holdoutConverted
      if (partial.earliest !== undefined && (earliest === undefined || partial.earliest < earliest)) earliest = partial.earliest
      for (const [id, n] of Object.entries(partial.steps)) {
        const counter = steps[id]
        if (counter !== undefined) counter.entered += n
      }
      addCounts(branches, partial.branches)
      addCounts(variants, partial.variants)
      for (const key of Object.keys(messages) as (keyof typeof messages)[]) messages[key] += partial.messages[key]
      const addTo = (map: Map<string, number>, counts: Record<string, number>) => {
        for (const [key, n] of Object.entries(counts)) bump(map, key, n)
      }
      addTo(byChannel, partial.byChannel)
      addTo(byTemplate, partial.byTemplate)
      addTo(inFlightAt, partial.inFlightAt)
      for (const [where, errors] of Object.entries(partial.exprErrors)) {
        const known = exprErrors.get(where)
        if (known === undefined) exprErrors.set(where, {...errors})
        else {
          known.count += errors.count
          known.customers += errors.customers
        }
      }
    },

    build(window) {
      const from = window.from ?? earliest ?? window.until
      const report = {
        format_version: REPORT_FORMAT_VERSION,
        journey: journey.id,
        window: {from: iso(from), until: iso(window.until)},
        customers: {...customers},
        entries,
        steps: structuredClone(steps),
        messages: {
          total: messages.total,
          by_channel: sortedRecord(byChannel),
          by_template: sortedRecord(byTemplate),
          suppressed: {frequency_cap: messages.frequency_cap, consent: messages.consent},
          deferred: {quiet_hours: messages.quiet_hours},
        },
      }
      let conversion: ConversionRates | undefined
      if (journey.settings.holdout > 0) {
        const treated = customers.entered - customers.held_out
        const treatment = round4(treated === 0 ? 0 : customers.converted / treated)
        const holdout = round4(customers.held_out === 0 ? 0 : holdoutConverted / customers.held_out)
        conversion = {
          treatment_rate: treatment,
          holdout_rate: holdout,
          uplift: round4(treatment - holdout),
          treatment_size: treated,
          holdout_size: customers.held_out,
        }
      }
      return {
        ...report,
        ...(conversion === undefined ? {} : {conversion}),
        branches: structuredClone(branches),
        variants: structuredClone(variants),
        in_flight_at: Object.fromEntries(journey.steps.filter((s) => inFlightAt.has(s.id)).map((s) => [s.id, inFlightAt.get(s.id) ?? 0])),
        expression_errors: Object.fromEntries(
          [...exprErrors.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([where, e]) => [where, {...e}]),
        ),
        coverage: coverage(journey, steps, branches, variants),
      }
    },
  }
}

/** Adds step -> key -> count tables into `into`, for steps it knows (those of its journey). */
function addCounts(into: Record<string, Record<string, number>>, from: Record<string, Record<string, number>>): void {
  for (const [step, counts] of Object.entries(from)) {
    const target = into[step]
    if (target === undefined) continue
    for (const [key, n] of Object.entries(counts)) target[key] = (target[key] ?? 0) + n
  }
}

function coverage(
  journey: Journey,
  steps: Record<string, {entered: number}>,
  branches: Record<string, Record<string, number>>,
  variants: Record<string, Record<string, number>>,
): Coverage {
  const result: Coverage = {unreached_steps: [], unreached_cases: [], unreached_variants: []}
  for (const step of journey.steps) {
    if ((steps[step.id]?.entered ?? 0) === 0) result.unreached_steps.push(step.id)
    if (step.kind === 'branch') {
      const counts = branches[step.id] ?? {}
      step.cases.forEach((_, i) => {
        if ((counts[String(i)] ?? 0) === 0) result.unreached_cases.push({step: step.id, case: i})
      })
      if ((counts.else ?? 0) === 0) result.unreached_cases.push({step: step.id, case: 'else'})
    }
    if (step.kind === 'split') {
      const counts = variants[step.id] ?? {}
      for (const v of step.variants) if ((counts[v.variant] ?? 0) === 0) result.unreached_variants.push({step: step.id, variant: v.variant})
    }
  }
  return result
}

function sortedRecord(map: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** Rounds to 4 decimals (0.33333 -> 0.3333), the precision rates are reported in. */
export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000
}
