/**
 * The run-time step budget. Every macro's range is wrapped in `@range(...)`,
 * which charges the size of the list or map to the evaluation under way before
 * the macro iterates it (the whole size, even when `all` or `exists` would stop
 * early: the charge is the worst case, as in the static estimate of cost.ts,
 * and does not depend on the order of elements). When the budget runs out,
 * `@range` fails, and so does every `@range` after it, so the evaluation
 * unwinds at once; runMetered reports the evaluation as over budget even where
 * CEL would absorb the failure (`... || true`).
 *
 * The meter is module state rather than an argument because CEL functions see
 * only their arguments. That is safe: an evaluation is synchronous and never
 * starts another one, and runMetered saves and restores it all the same.
 */
import {CelScalar, celFunc, isCelList, isCelMap} from '@bufbuild/cel'
import {callNode, mapChildren} from './tree.js'
import type {Expr} from './types.js'

const RANGE = '@range'

/** Steps left in the evaluation under way; nothing can be charged outside runMetered. */
let remaining = 0
let exceeded = false

class BudgetExceeded extends Error {
  constructor() {
    super('evaluation budget exceeded')
  }
}

function charge(steps: number): void {
  remaining -= steps
  if (remaining < 0) {
    exceeded = true
    throw new BudgetExceeded()
  }
}

/** `@range(x)`: charges the size of x and returns it unchanged; a non-iterable is left for the macro to report. */
export const METER_FUNCS = [
  celFunc(RANGE, [CelScalar.DYN], CelScalar.DYN, (range) => {
    charge(isCelList(range) || isCelMap(range) ? range.size : 0)
    return range
  }),
]

/** Runs one evaluation with `budget` steps; `exceeded` says whether it ran out (its value is then meaningless). */
export function runMetered<T>(budget: number, run: () => T): {value: T; exceeded: boolean} {
  const saved = {remaining, exceeded}
  remaining = budget
  exceeded = false
  try {
    const value = run()
    return {value, exceeded}
  } finally {
    remaining = saved.remaining
    exceeded = saved.exceeded
  }
}

/** A new tree in which every comprehension's range is `@range(range)`; new nodes are numbered by `nextId`. */
export function meterComprehensions(root: Expr, nextId: () => bigint): Expr {
  const meter = (e: Expr): Expr => {
    const rebuilt = mapChildren(e, meter)
    const k = rebuilt.exprKind
    if (k.case !== 'comprehensionExpr' || k.value.iterRange === undefined) return rebuilt
    const iterRange = callNode(nextId(), RANGE, [k.value.iterRange])
    return {...rebuilt, exprKind: {case: k.case, value: {...k.value, iterRange}}}
  }
  return meter(root)
}
