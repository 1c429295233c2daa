import {type CompiledExpression, compileExpression} from '../expr/cel.js'
import type {ExprContext} from '../expr/scope.js'
import type {ExitCriterion, Journey, Step} from '../journey/model.js'

/** An expression compiled once, with where it sits in the journey (for error reports). */
export interface LocatedExpression {
  expr: CompiledExpression
  /** e.g. `goal.when`, `steps.route.cases[0].when`. */
  where: string
  /** Present for expressions that belong to a step. */
  step?: string
}

export interface CompiledExit {
  criterion: ExitCriterion
  index: number
  when?: LocatedExpression
}

/** A journey with every CEL expression compiled and its steps indexed; built once per journey. */
export interface CompiledJourney {
  journey: Journey
  steps: ReadonlyMap<string, Step>
  /** `entry.when` (event), `entry.segment` or `entry.schedule.audience`. */
  entryCondition?: LocatedExpression
  exits: CompiledExit[]
  goalWhen?: LocatedExpression
  consent?: LocatedExpression
  /** Branch step id -> its cases' conditions in order. */
  cases: ReadonlyMap<string, LocatedExpression[]>
  /** wait_for step id -> its `when`. */
  waitForWhen: ReadonlyMap<string, LocatedExpression>
  /** send step id -> [name, value] in file order. */
  data: ReadonlyMap<string, Array<[string, LocatedExpression]>>
  /** update step id -> [attribute, value] in file order. */
  set: ReadonlyMap<string, Array<[string, LocatedExpression]>>
}

const cache = new WeakMap<Journey, CompiledJourney>()

/**
 * Compiles every expression of a validated journey. Results are cached per journey
 * object, so drivers may call it (or `runCustomer`) per customer at no extra cost.
 */
export function compileJourney(journey: Journey): CompiledJourney {
  const cached = cache.get(journey)
  if (cached !== undefined) return cached
  const compiled = build(journey)
  cache.set(journey, compiled)
  return compiled
}

function located(source: string, context: ExprContext, where: string, step?: string): LocatedExpression {
  return {expr: compileExpression(source, context), where, ...(step === undefined ? {} : {step})}
}

function build(journey: Journey): CompiledJourney {
  const entry = journey.entry
  let entryCondition: LocatedExpression | undefined
  if (entry.kind === 'event' && entry.when !== undefined) entryCondition = located(entry.when, 'event-condition', 'entry.when')
  if (entry.kind === 'segment') entryCondition = located(entry.segment, 'profile-condition', 'entry.segment')
  if (entry.kind === 'schedule' && entry.audience !== undefined) {
    entryCondition = located(entry.audience, 'profile-condition', 'entry.schedule.audience')
  }
  const exits = journey.exit.map((criterion, index): CompiledExit => {
    const where = `exit[${index}].when`
    if (criterion.kind === 'profile') return {criterion, index, when: located(criterion.when, 'profile-condition', where)}
    return {criterion, index, ...(criterion.when === undefined ? {} : {when: located(criterion.when, 'event-condition', where)})}
  })
  const cases = new Map<string, LocatedExpression[]>()
  const waitForWhen = new Map<string, LocatedExpression>()
  const data = new Map<string, Array<[string, LocatedExpression]>>()
  const set = new Map<string, Array<[string, LocatedExpression]>>()
  const steps = new Map<string, Step>()
  for (const step of journey.steps) {
    steps.set(step.id, step)
    const at = `steps.${step.id}`
    switch (step.kind) {
      case 'branch':
        cases.set(
          step.id,
          step.cases.map((c, i) => located(c.when, 'branch-condition', `${at}.cases[${i}].when`, step.id)),
        )
        break
      case 'wait_for':
        if (step.when !== undefined) waitForWhen.set(step.id, located(step.when, 'event-condition', `${at}.wait_for.when`, step.id))
        break
      case 'send':
        data.set(
          step.id,
          Object.entries(step.data).map(([name, source]) => [name, located(source, 'value', `${at}.send.data.${name}`, step.id)]),
        )
        break
      case 'update':
        set.set(
          step.id,
          Object.entries(step.set).map(([name, source]) => [name, located(source, 'value', `${at}.update.set.${name}`, step.id)]),
        )
        break
      default:
        break
    }
  }
  const goal = journey.goal
  const consent = journey.settings.consent
  return {
    journey,
    steps,
    ...(entryCondition === undefined ? {} : {entryCondition}),
    exits,
    ...(goal?.when === undefined ? {} : {goalWhen: located(goal.when, 'event-condition', 'goal.when')}),
    ...(consent === undefined ? {} : {consent: located(consent, 'consent', 'settings.consent')}),
    cases,
    waitForWhen,
    data,
    set,
  }
}
