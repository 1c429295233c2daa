import type {Journey} from '../journey/model.js'
import {createReportBuilder, type SimulationReport} from './report.js'
import {runCustomer} from './run-customer.js'
import {createScheduleTicker} from './schedule.js'
import type {CustomerResult, CustomerTimeline, RunOverrides} from './types.js'

export interface JourneyRunOptions {
  /** Absent: the earliest event of any customer (every event is in the window). */
  from?: number
  until: number
  /** Pins per customer id (joe test cases). */
  overrides?: (customerId: string) => RunOverrides | undefined
  /** Called with each result as it is produced; with it, `results` is left empty to save memory. */
  onResult?: (result: CustomerResult) => void
}

export interface JourneyRun {
  results: CustomerResult[]
  report: SimulationReport
}

/**
 * Runs every customer through one journey with one shared schedule ticker and
 * aggregates the report. Customers are independent, so the order they come in
 * does not change any count.
 */
export function runJourney(journey: Journey, customers: Iterable<CustomerTimeline>, options: JourneyRunOptions): JourneyRun {
  const list = Array.isArray(customers) ? (customers as CustomerTimeline[]) : [...customers]
  let from = options.from
  if (from === undefined) {
    for (const c of list) for (const e of c.events) if (from === undefined || e.timestamp < from) from = e.timestamp
  }
  const entry = journey.entry
  const scheduleTicks =
    entry.kind === 'schedule' && from !== undefined ? createScheduleTicker(entry.cron, {from, until: options.until}) : undefined
  const builder = createReportBuilder(journey)
  const results: CustomerResult[] = []
  for (const customer of list) {
    const overrides = options.overrides?.(customer.customerId)
    const result = runCustomer(journey, customer, {
      until: options.until,
      ...(options.from === undefined ? {} : {from: options.from}),
      ...(overrides === undefined ? {} : {overrides}),
      ...(scheduleTicks === undefined ? {} : {scheduleTicks}),
    })
    builder.add(result)
    if (options.onResult) options.onResult(result)
    else results.push(result)
  }
  return {results, report: builder.build({...(from === undefined ? {} : {from}), until: options.until})}
}
