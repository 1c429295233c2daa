import {activationAt, type Machine} from '../engine/machine.js'
import {type CustomerState, type JourneyState, newCustomerState, STATE_VERSION} from '../engine/state.js'

/**
 * How a customer's engine state is stored: the customer row holds the profile and what is shared
 * across journeys; one instance row per (journey, customer) holds that journey's part, with a few
 * columns copied out for `joe inspect`, metrics and deploys to query.
 */
export interface InstanceRow {
  journey_id: string
  revision: string
  state: string
  active: number
  step: string | null
  entered_at: number | null
  timer_at: number | null
}

/** The customer row's `state`: the customer state without its journeys. */
export function customerStateText(state: CustomerState): string {
  const {journeys: _journeys, ...shared} = state
  return JSON.stringify(shared)
}

/** Rebuilds a customer's engine state from its rows; `{}` (a row the dispatcher just made) is a new customer. */
export function restoreCustomerState(
  customerId: string,
  text: string,
  instances: ReadonlyArray<{journey_id: string; state: string}>,
): CustomerState {
  const shared = JSON.parse(text) as Partial<CustomerState>
  const state: CustomerState = shared.v === STATE_VERSION ? {...(shared as CustomerState), journeys: {}} : newCustomerState(customerId)
  for (const row of instances) state.journeys[row.journey_id] = JSON.parse(row.state) as JourneyState
  return state
}

/** A journey state with nothing to remember is not stored (the engine recreates it when needed). */
export function isTrivial(state: JourneyState): boolean {
  return (
    state.entries === 0 &&
    state.active === undefined &&
    state.segmentMatched === undefined &&
    state.tickCursor === undefined &&
    state.watched === undefined &&
    state.sendTimes === undefined
  )
}

/** The instance rows of a customer's state (trivial journey states left out). */
export function instanceRows(machine: Machine, state: CustomerState): InstanceRow[] {
  const rows: InstanceRow[] = []
  for (const [journeyId, js] of Object.entries(state.journeys)) {
    if (isTrivial(js)) continue
    const plan = machine.plans.find((p) => p.id === journeyId)
    const revision = plan === undefined ? '' : (activationAt(plan, js.activationSince)?.revision ?? '')
    const active = js.active
    rows.push({
      journey_id: journeyId,
      revision,
      state: JSON.stringify(js),
      active: active === undefined ? 0 : 1,
      step: active?.at ?? null,
      entered_at: active?.enteredAt ?? null,
      timer_at: active?.timer?.at ?? null,
    })
  }
  return rows
}
