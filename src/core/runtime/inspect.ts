import {activationAt, type Machine} from '../engine/machine.js'
import type {ActiveEntry, JourneyState} from '../engine/state.js'
import {nextDue} from '../engine/transition.js'
import {iso, isoOrNull} from '../instant.js'
import type {Journey} from '../journey/model.js'
import {loadMachine, readActivations} from './activations.js'
import {environmentNow, type RuntimeContext} from './context.js'
import {restoreCustomerState} from './instance-state.js'
import {listOutbox, type OutboxEntry} from './outbox.js'

/** 2: `journeys[].revision` is null (was "") when the journey is no longer in the environment. */
export const INSPECT_FORMAT_VERSION = 2
const TRACE_LINES = 60
const SENDS = 20

export interface InspectedJourney {
  journey: string
  /** The revision the customer's state is on; null when the journey is no longer in the environment. */
  revision: string | null
  /** in_journey: waiting at a step; held_out: in the holdout group, followed for the goal; out: not in it now. */
  status: 'in_journey' | 'held_out' | 'out'
  /** Paused in the environment: nothing happens until it resumes. */
  paused: boolean
  entries: number
  last_entered_at: string | null
  step: string | null
  /** When the customer's current entry began. */
  since: string | null
  /** What happens next in this journey, and when. */
  next: {at: string; does: string} | null
}

export interface TraceLine {
  at: string
  journey: string | null
  kind: string
  /** Why, in words. */
  detail: string
}

export interface InspectResult {
  format_version: typeof INSPECT_FORMAT_VERSION
  env: string
  customer_id: string
  /** Whether the environment has received anything from this customer. */
  known: boolean
  /** The environment's time. */
  now: string | null
  profile: Record<string, unknown>
  /** Events received and not processed yet. */
  pending_events: number
  /** When the worker next has something to do for this customer. */
  next_due: string | null
  journeys: InspectedJourney[]
  /** The latest messages decided for the customer, with their delivery status. */
  sends: OutboxEntry[]
  /** What happened and why, oldest first (the latest lines the journal keeps). */
  trace: TraceLine[]
  /** Inputs the engine failed on (recorded and skipped). */
  errors: Array<{at: string; seq: number | null; message: string}>
}

/** `joe inspect`: where a customer is in every journey of an environment, what comes next, and why. */
export async function inspectCustomer(ctx: RuntimeContext, customerId: string): Promise<InspectResult> {
  const {conn, env} = ctx
  const [row] = await conn.query<{state: string; processed_seq: number; next_due: number | null}>(
    'SELECT state, processed_seq, next_due FROM joe_customers WHERE env = $1 AND customer_id = $2',
    [env, customerId],
  )
  const instances = await conn.query<{journey_id: string; state: string}>(
    'SELECT journey_id, state FROM joe_instances WHERE env = $1 AND customer_id = $2 ORDER BY journey_id',
    [env, customerId],
  )
  const [pending] = await conn.query<{n: number}>('SELECT COUNT(*) AS n FROM joe_events WHERE env = $1 AND customer_id = $2 AND seq > $3', [
    env,
    customerId,
    Number(row?.processed_seq ?? 0),
  ])
  const machine = await loadMachine(conn, await readActivations(conn, env))
  const state = restoreCustomerState(customerId, row?.state ?? '{}', instances)
  const journal = await conn.query<{journey_id: string | null; at: number; kind: string; detail: string}>(
    'SELECT journey_id, at, kind, detail FROM joe_journal WHERE env = $1 AND customer_id = $2 ORDER BY line DESC LIMIT $3',
    [env, customerId, TRACE_LINES],
  )
  const errors = await conn.query<{at: number; seq: number | null; message: string}>(
    'SELECT at, seq, message FROM joe_errors WHERE env = $1 AND customer_id = $2 ORDER BY id DESC LIMIT 20',
    [env, customerId],
  )
  const journeys = new Set([...machine.plans.map((p) => p.id), ...Object.keys(state.journeys)])
  const now = await environmentNow(ctx)
  const due = nextDue(machine, state)
  return {
    format_version: INSPECT_FORMAT_VERSION,
    env,
    customer_id: customerId,
    known: row !== undefined,
    now: isoOrNull(now),
    profile: state.profile,
    pending_events: Number(pending?.n ?? 0),
    next_due: isoOrNull(due),
    journeys: [...journeys].sort().map((id) => inspectJourney(machine, id, state.journeys[id], now)),
    sends: (await listOutbox(ctx, {statuses: ['pending', 'sent', 'dead'], customer: customerId, limit: SENDS})).entries,
    trace: journal.reverse().map((line) => ({
      at: iso(line.at),
      journey: line.journey_id,
      kind: line.kind,
      detail: describeJournalLine(machine, line.journey_id, Number(line.at), line.kind, JSON.parse(line.detail) as Record<string, unknown>),
    })),
    errors: errors.reverse().map((e) => ({at: iso(e.at), seq: e.seq === null ? null : Number(e.seq), message: e.message})),
  }
}

function journeyAt(machine: Machine, id: string, at: number): {journey?: Journey; revision: string | null; paused: boolean} {
  const plan = machine.plans.find((p) => p.id === id)
  const activation = plan === undefined ? undefined : activationAt(plan, at)
  return {
    ...(activation?.journey ? {journey: activation.journey.compiled.journey} : {}),
    revision: activation?.revision ?? null,
    paused: activation?.paused === true,
  }
}

function inspectJourney(machine: Machine, id: string, state: JourneyState | undefined, now: number | undefined): InspectedJourney {
  const current = journeyAt(machine, id, now ?? Number.MAX_SAFE_INTEGER)
  const active = state?.active
  return {
    journey: id,
    revision: state === undefined ? current.revision : journeyAt(machine, id, state.activationSince).revision,
    status: active === undefined ? 'out' : active.group === 'holdout' ? 'held_out' : 'in_journey',
    paused: current.paused,
    entries: state?.entries ?? 0,
    last_entered_at: isoOrNull(state?.lastEnteredAt),
    step: active?.at ?? null,
    since: isoOrNull(active?.enteredAt),
    next: active === undefined ? null : whatNext(current.journey, active, current.paused),
  }
}

function whatNext(journey: Journey | undefined, active: ActiveEntry, paused: boolean): {at: string; does: string} | null {
  const timer = active.timer
  if (timer === undefined) return null
  const step = journey?.steps.find((s) => s.id === active.at)
  const when = paused ? ' (the journey is paused: it happens when it resumes)' : ''
  let does: string
  switch (timer.kind) {
    case 'wait':
      does = `the wait ends; continues to ${step?.next ?? 'the next step'}`
      break
    case 'timeout':
      does = step?.kind === 'wait_for' ? `no ${step.event} by then: goes to ${step.onTimeout}` : 'the wait for an event times out'
      break
    case 'quiet_hours':
      does = step?.kind === 'send' ? `quiet hours end: sends ${step.channel} ${step.template}` : 'quiet hours end: the send goes out'
      break
    case 'holdout_end':
      does = 'the goal window closes: no longer followed'
      break
    case 'moved':
      does = `continues at ${active.at ?? 'its new step'} (moved there by a new revision)`
      break
  }
  return {at: iso(timer.at), does: `${does}${when}`}
}

/** A journal line (an engine effect) in words, with the conditions it names quoted from the revision in effect then. */
export function describeJournalLine(
  machine: Machine,
  journeyId: string | null,
  at: number,
  kind: string,
  detail: Record<string, unknown>,
): string {
  const journey = journeyId === null ? undefined : journeyAt(machine, journeyId, at).journey
  const step = typeof detail.step === 'string' ? journey?.steps.find((s) => s.id === detail.step) : undefined
  switch (kind) {
    case 'entered': {
      const entry = journey?.entry
      const why =
        entry?.kind === 'event'
          ? `on event ${entry.event}${entry.when ? ` with "${entry.when}"` : ''}`
          : entry?.kind === 'segment'
            ? `segment matched: "${entry.segment}"`
            : entry?.kind === 'schedule'
              ? `schedule ${entry.cron}${entry.audience ? ` for "${entry.audience}"` : ''}`
              : ''
      return `entered (entry ${Number(detail.entry) + 1}${detail.group === 'holdout' ? ', holdout group: receives nothing' : ''}) ${why}`.trim()
    }
    case 'step':
      return `arrived at ${detail.step}${step ? ` (${step.kind})` : ''}`
    case 'branch': {
      if (step?.kind !== 'branch') return `branch ${detail.step}: ${detail.case === 'else' ? 'else' : `case ${Number(detail.case) + 1}`}`
      if (detail.case === 'else') return `${step.id}: no case held -> else ${step.else}`
      const taken = step.cases[Number(detail.case)]
      return `${step.id}: case ${Number(detail.case) + 1} held: "${taken?.when}" -> ${taken?.next}`
    }
    case 'variant':
      return `${detail.step}: variant ${detail.variant}`
    case 'send':
      return `sent ${detail.channel} ${detail.template}`
    case 'suppressed':
      return detail.reason === 'consent'
        ? `${detail.step}: suppressed, consent did not hold${journey?.settings.consent ? ` ("${journey.settings.consent}")` : ''}`
        : `${detail.step}: suppressed by the frequency cap${journey?.settings.frequencyCap ? ` (${journey.settings.frequencyCap.limit} per ${journey.settings.frequencyCap.perMs / 3_600_000}h)` : ''}`
    case 'deferred':
      return `${detail.step}: inside quiet hours, deferred to ${iso(Number(detail.until))}`
    case 'profile': {
      const changes = Object.keys((detail.changes ?? {}) as object)
      return `${detail.source === 'update' ? 'update set' : 'identify set'} ${changes.join(', ') || 'nothing'}`
    }
    case 'converted':
      return `reached the goal${journey?.goal ? ` (event ${journey.goal.event})` : ''}`
    case 'exited': {
      if (detail.reason === 'removed') return 'the journey was removed from the environment: exited'
      if (detail.reason === 'loop_guard') return 'stopped: too many steps at one instant (a loop without a wait)'
      const criterion = journey?.exit[Number(detail.criterion)]
      const what =
        criterion === undefined ? '' : criterion.kind === 'profile' ? `profile matched "${criterion.when}"` : `event ${criterion.event}`
      return `exited: ${what}`.trim()
    }
    case 'completed':
      return detail.dropped ? 'completed at once: a new revision removed the step it waited at' : 'reached end'
    case 'released':
      return 'the goal window closed: no longer followed'
    case 'expr_error':
      return `expression error at ${detail.where}: ${detail.message} (counted as false)`
    default:
      return JSON.stringify(detail)
  }
}
