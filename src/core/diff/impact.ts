import type {CustomerResult, EntryOutcome} from '../engine/types.js'
import type {Journey} from '../journey/model.js'
import type {SimulationReport} from '../simulate/report.js'
import {simulate} from '../simulate/simulate.js'

/** One number before and after the change; `delta` is new - old. */
export interface Delta {
  old: number
  new: number
  delta: number
}

/** One entry of a customer: the steps arrived at, in order, and how it ended. */
export interface PathEntry {
  path: string[]
  outcome: EntryOutcome
}

export interface PathSample {
  customer_id: string
  /** Every entry under the old journey (empty: did not enter), with the old step ids. */
  old: PathEntry[]
  new: PathEntry[]
}

/** The behavioural delta of a change: both versions simulated over the same store and window. */
export interface JourneyImpact {
  window: {from: string; until: string}
  customers: Record<'evaluated' | 'entered' | 'held_out' | 'completed' | 'exited' | 'converted' | 'in_flight', Delta>
  /** Every entry, re-entries included. */
  entries: Delta
  /** Arrivals per step, by new step id (a renamed step is compared with its old self); union of both versions, new order first. */
  steps: Record<string, Delta>
  messages: {
    total: Delta
    by_channel: Record<string, Delta>
    by_template: Record<string, Delta>
    suppressed: {frequency_cap: Delta; consent: Delta}
    deferred: {quiet_hours: Delta}
  }
  paths: {
    /** Customers who entered under either version. */
    compared: number
    /** Of those, customers whose entries (steps or outcome) differ; renamed steps count as the same step. */
    changed: number
    /** Customers who receive different messages (channel and template, in order). */
    messages_changed: number
    /** Up to 5 customers whose path changed, the smallest ids first. */
    samples: PathSample[]
  }
  /** Whether anything above differs. */
  changed: boolean
}

export interface ImpactOptions {
  /** Absent: the journey is new. */
  old?: Journey
  /** Absent: the journey was removed. */
  new?: Journey
  storePath: string
  from?: number
  until?: number
  /** Old step id -> new step id of renamed steps (from the diff), so a rename is no path change. */
  renames?: ReadonlyMap<string, string>
}

export const MAX_SAMPLES = 5

const delta = (a: number, b: number): Delta => ({old: a, new: b, delta: b - a})

function entriesOf(result: CustomerResult): PathEntry[] {
  return result.entries.map((e) => ({path: e.path, outcome: e.group === 'holdout' ? 'held_out' : e.outcome}))
}

function sendsOf(result: CustomerResult): string {
  return result.entries.flatMap((e) => e.sends.map((s) => `${s.channel}:${s.template}`)).join(',')
}

/**
 * Simulates the old and the new version with the same engine over the same store and
 * window, and pairs every customer's results. Two passes over the store; memory holds
 * the old entries of customers who entered, not the events.
 */
export function computeImpact(options: ImpactOptions): JourneyImpact {
  const window = {
    ...(options.from !== undefined ? {from: options.from} : {}),
    ...(options.until !== undefined ? {until: options.until} : {}),
  }
  const renames = options.renames ?? new Map<string, string>()
  const oldRuns = new Map<string, {entries: PathEntry[]; sends: string}>()
  let oldReport: SimulationReport | undefined
  if (options.old) {
    oldReport = simulate({
      journeys: [options.old],
      storePath: options.storePath,
      ...window,
      onResult: (_id, result) => {
        if (result.entries.length > 0) oldRuns.set(result.customerId, {entries: entriesOf(result), sends: sendsOf(result)})
      },
    }).reports[0]
  }
  const samples: PathSample[] = []
  let compared = 0
  let changed = 0
  let messagesChanged = 0
  const mapped = (entries: PathEntry[]) =>
    JSON.stringify(entries.map((e) => ({path: e.path.map((s) => renames.get(s) ?? s), outcome: e.outcome})))
  const record = (customerId: string, before: PathEntry[], after: PathEntry[], sendsBefore: string, sendsAfter: string) => {
    compared++
    if (sendsBefore !== sendsAfter) messagesChanged++
    if (mapped(before) === JSON.stringify(after)) return
    changed++
    samples.push({customer_id: customerId, old: before, new: after})
    samples.sort((x, y) => (x.customer_id < y.customer_id ? -1 : x.customer_id > y.customer_id ? 1 : 0))
    if (samples.length > MAX_SAMPLES) samples.pop()
  }
  let newReport: SimulationReport | undefined
  if (options.new) {
    newReport = simulate({
      journeys: [options.new],
      storePath: options.storePath,
      ...window,
      onResult: (_id, result) => {
        const before = oldRuns.get(result.customerId)
        oldRuns.delete(result.customerId)
        if (!before && result.entries.length === 0) return
        record(result.customerId, before?.entries ?? [], entriesOf(result), before?.sends ?? '', sendsOf(result))
      },
    }).reports[0]
  }
  for (const [customerId, before] of oldRuns) record(customerId, before.entries, [], before.sends, '')
  return buildImpact(oldReport, newReport, renames, {compared, changed, messages_changed: messagesChanged, samples})
}

function buildImpact(
  a: SimulationReport | undefined,
  b: SimulationReport | undefined,
  renames: ReadonlyMap<string, string>,
  paths: JourneyImpact['paths'],
): JourneyImpact {
  const num = (report: SimulationReport | undefined, pick: (r: SimulationReport) => number | undefined) =>
    report ? (pick(report) ?? 0) : 0
  const d = (pick: (r: SimulationReport) => number | undefined) => delta(num(a, pick), num(b, pick))
  const customers = Object.fromEntries(
    (['evaluated', 'entered', 'held_out', 'completed', 'exited', 'converted', 'in_flight'] as const).map((k) => [
      k,
      d((r) => r.customers[k]),
    ]),
  ) as JourneyImpact['customers']
  const keyed = (pick: (r: SimulationReport) => Record<string, number>) => {
    const keys = [...new Set([...Object.keys(a ? pick(a) : {}), ...Object.keys(b ? pick(b) : {})])].sort()
    return Object.fromEntries(keys.map((k) => [k, d((r) => pick(r)[k])]))
  }
  const oldSteps: Record<string, number> = {}
  for (const [id, s] of Object.entries(a?.steps ?? {})) oldSteps[renames.get(id) ?? id] = s.entered
  const stepIds = [...new Set([...Object.keys(b?.steps ?? {}), ...Object.keys(oldSteps)])]
  const steps = Object.fromEntries(stepIds.map((id) => [id, delta(oldSteps[id] ?? 0, b?.steps[id]?.entered ?? 0)]))
  const report = b ?? a
  const impact: JourneyImpact = {
    window: report ? report.window : {from: '', until: ''},
    customers,
    entries: d((r) => r.entries),
    steps,
    messages: {
      total: d((r) => r.messages.total),
      by_channel: keyed((r) => r.messages.by_channel),
      by_template: keyed((r) => r.messages.by_template),
      suppressed: {
        frequency_cap: d((r) => r.messages.suppressed.frequency_cap),
        consent: d((r) => r.messages.suppressed.consent),
      },
      deferred: {quiet_hours: d((r) => r.messages.deferred.quiet_hours)},
    },
    paths,
    changed: false,
  }
  impact.changed = paths.changed > 0 || paths.messages_changed > 0 || hasDelta(impact)
  return impact
}

function hasDelta(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  if ('delta' in value && typeof (value as Delta).delta === 'number') return (value as Delta).delta !== 0
  return Object.values(value).some(hasDelta)
}
