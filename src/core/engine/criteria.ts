import type {CompiledExit} from './compiled-journey.js'
import {type ActiveEntry, addTrace, bindingsAt, type CustomerState, holds} from './customer-state.js'
import type {CustomerEvent, EntryRecord} from './types.js'

/** Leaves the journey at once because an exit criterion held (or the loop guard fired). */
export function exitActive(state: CustomerState, at: number, criterion: CompiledExit | undefined, detail: string): void {
  const active = state.active
  if (active === undefined) return
  const record = active.record
  record.exitedAt = at
  if (criterion !== undefined) record.exitCriterion = criterion.index
  record.outcome = record.convertedAt === undefined ? 'exited' : 'converted'
  addTrace(state, at, criterion === undefined ? 'loop-guard' : 'exit', detail, active.at, active.index)
  state.active = undefined
}

/** Reaches `end`. */
export function completeActive(state: CustomerState, at: number): void {
  const active = state.active
  if (active === undefined) return
  active.record.completedAt = at
  active.record.outcome = active.record.convertedAt === undefined ? 'completed' : 'converted'
  addTrace(state, at, 'complete', 'reached end', undefined, active.index)
  state.active = undefined
}

/** The first event exit criterion `event` meets, if any (checked in file order). */
export function eventExit(state: CustomerState, active: ActiveEntry, event: CustomerEvent): CompiledExit | undefined {
  for (const exit of state.compiled.exits) {
    if (exit.criterion.kind !== 'event' || exit.criterion.event !== event.type) continue
    if (exit.when === undefined) return exit
    const bindings = bindingsAt(state, event.timestamp, {enteredAt: active.record.enteredAt, event})
    if (holds(state, exit.when, bindings, active.index)) return exit
  }
  return undefined
}

/** The first profile exit criterion the current profile meets, if any. */
export function profileExit(state: CustomerState, active: ActiveEntry, at: number): CompiledExit | undefined {
  for (const exit of state.compiled.exits) {
    if (exit.criterion.kind !== 'profile' || exit.when === undefined) continue
    if (holds(state, exit.when, bindingsAt(state, at, {enteredAt: active.record.enteredAt}), active.index)) return exit
  }
  return undefined
}

export function describeExit(exit: CompiledExit): string {
  const c = exit.criterion
  if (c.kind === 'profile') return `exit[${exit.index}]: profile matched "${c.when}"`
  return `exit[${exit.index}]: event ${c.event}${c.when === undefined ? '' : ` with "${c.when}"`}`
}

/**
 * After a profile change (identify or update), the treatment customer in the journey
 * leaves when a profile exit criterion now holds. Returns true when they left.
 */
export function checkProfileExits(state: CustomerState, at: number): boolean {
  const active = state.active
  if (active === undefined || active.group !== 'treatment') return false
  const exit = profileExit(state, active, at)
  if (exit === undefined) return false
  exitActive(state, at, exit, describeExit(exit))
  return true
}

/**
 * Whether `event` reaches the goal for `record`. With `goal.within` the goal is watched
 * for exactly the window after entry (end inclusive), whatever happened to the entry
 * meanwhile (completed, exited, still waiting); without it, only while the entry is in
 * the journey. The entering event never counts, and an entry converts once.
 */
export function goalReached(state: CustomerState, record: EntryRecord, index: number, event: CustomerEvent, inJourney: boolean): boolean {
  const goal = state.compiled.journey.goal
  if (goal === undefined || record.convertedAt !== undefined || event.type !== goal.event) return false
  if (event.timestamp < record.enteredAt) return false
  const watched = goal.withinMs === undefined ? inJourney : event.timestamp <= record.enteredAt + goal.withinMs
  if (!watched) return false
  if (state.compiled.goalWhen === undefined) return true
  return holds(state, state.compiled.goalWhen, bindingsAt(state, event.timestamp, {enteredAt: record.enteredAt, event}), index)
}

/** Marks an entry converted; the outcome becomes `converted` unless it is a holdout entry. */
export function convert(state: CustomerState, record: EntryRecord, index: number, at: number, step: string | undefined, note = ''): void {
  record.convertedAt = at
  if (record.group === 'treatment') record.outcome = 'converted'
  const goal = state.compiled.journey.goal
  const detail = goal === undefined ? 'goal' : `goal: event ${goal.event}${goal.when === undefined ? '' : ` with "${goal.when}"`}`
  addTrace(state, at, 'goal', `${detail}${note}`, step, index)
}

/** Re-evaluates a segment entry condition; returns whether it matches now. */
export function segmentMatches(state: CustomerState, at: number): boolean {
  const condition = state.compiled.entryCondition
  if (state.compiled.journey.entry.kind !== 'segment' || condition === undefined) return false
  return holds(state, condition, bindingsAt(state, at), state.active?.index)
}
